/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab's generic core: the objects behind the file descriptors and how
 * long they live. See Documentation/abi.rst for the user-visible side.
 */
#ifndef VMXLAB_MODULE_VMXLAB_H
#define VMXLAB_MODULE_VMXLAB_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>

/**
 * struct vmxlab_vm - one virtual machine, behind a VM file descriptor
 * @refs: the VM fd holds one reference; each vCPU fd will hold another, so
 *        a VM outlives its fd while vCPUs still run.
 * @lock: serialises changes to the VM's configuration.
 *
 * Creating a VM takes a reference on VMX being on (vmxlab_arch_hw_get());
 * freeing it drops that reference.
 */
struct vmxlab_vm {
	struct kref refs;
	struct mutex lock;	/* serialises VM configuration changes */
};

/* Live VMs, for debugfs and the leak checks in tests/. */
extern atomic_t vmxlab_nr_vms;

long vmxlab_vm_create(unsigned long flags);

#endif /* VMXLAB_MODULE_VMXLAB_H */
