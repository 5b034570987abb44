/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one interface between vmxlab's generic core (module/) and the
 * hardware backend (arch/x86/). The core owns files, ioctls and object
 * lifetimes; the backend owns VMX. Nothing else crosses this line.
 */
#ifndef VMXLAB_MODULE_ARCH_H
#define VMXLAB_MODULE_ARCH_H

#include <linux/types.h>

struct dentry;
struct vmxlab_caps;

/**
 * vmxlab_arch_init() - probe the CPUs and prepare VMX
 * @always_on: switch VMX on now and keep it on until vmxlab_arch_exit().
 *
 * Reads and checks the capability MSRs of every online CPU. On failure it
 * has printed exactly one line saying why.
 *
 * Return: 0; -ENODEV if the CPU has no VMX; -EOPNOTSUPP if VMX is disabled
 * by firmware or lacks a feature vmxlab requires; -EIO if the CPUs disagree;
 * -ENOMEM.
 */
int vmxlab_arch_init(bool always_on);

/** vmxlab_arch_exit() - undo vmxlab_arch_init(); VMX is off afterwards. */
void vmxlab_arch_exit(void);

/**
 * vmxlab_arch_hw_get() - take a reference on VMX being on in every CPU
 *
 * The first reference executes VMXON on every online CPU; CPUs that come
 * online later get VMXON too while a reference is held.
 *
 * Return: 0; -EBUSY if another hypervisor holds VMX; -EIO if VMXON failed;
 * -ESHUTDOWN while the machine reboots.
 */
int vmxlab_arch_hw_get(void);

/** vmxlab_arch_hw_put() - drop a reference; the last one ends with VMXOFF. */
void vmxlab_arch_hw_put(void);

/** vmxlab_arch_caps() - the capability report, valid after init. */
const struct vmxlab_caps *vmxlab_arch_caps(void);

/** vmxlab_arch_debugfs() - add the backend's files to @dir. */
void vmxlab_arch_debugfs(struct dentry *dir);

#endif /* VMXLAB_MODULE_ARCH_H */
