/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmxlab: one function per /dev/vmxlab ioctl, nothing more.
 * Every function returns 0 (or a file descriptor, or a value) on success and
 * a negative errno on failure; none prints.
 */
#ifndef LIBVMXLAB_H
#define LIBVMXLAB_H

#include <stdint.h>
#include <linux/vmxlab.h>

#define VMXLAB_DEV	"/dev/vmxlab"

/* open(VMXLAB_DEV): the fd, or -errno. */
int vmxlab_open(void);
/* VMXLAB_GET_API_VERSION: the kernel's ABI version, or -errno. */
int vmxlab_api_version(int devfd);
/* VMXLAB_GET_CAPS */
int vmxlab_get_caps(int devfd, struct vmxlab_caps *caps);
/* VMXLAB_CREATE_VM: a VM fd, or -errno. */
int vmxlab_create_vm(int devfd, uint64_t flags);

/*
 * Why an errno from one of the above happened, in words a user can act on
 * (e.g. "module not loaded"). @op names the call ("open", "create VM").
 */
const char *vmxlab_explain(const char *op, int err);

#endif /* LIBVMXLAB_H */
