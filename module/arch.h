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
struct page;
struct vmxlab_caps;
struct vmxlab_event;
struct vmxlab_regs;
struct vmxlab_sregs;
struct vmxlab_vcpu;
struct vmxlab_vcpu_stats;
struct vmxlab_vm;

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

/**
 * vmxlab_arch_vm_init() - set up the backend's part of a new VM
 * @vm: the VM; the backend sets @vm->arch.
 *
 * Return: 0 or -ENOMEM.
 */
int vmxlab_arch_vm_init(struct vmxlab_vm *vm);

/** vmxlab_arch_vm_destroy() - free @vm->arch; no vCPU exists any more. */
void vmxlab_arch_vm_destroy(struct vmxlab_vm *vm);

/**
 * vmxlab_arch_map() - map pinned pages into the guest-physical space
 * @vm: the VM.
 * @gpa: first guest-physical address, page aligned.
 * @pages: @npages pinned pages, in order.
 * @npages: how many.
 * @writable: the guest may write (else writes exit as MMIO).
 *
 * Return: 0, -EEXIST if part of the range is mapped, -ENOMEM. On failure
 * nothing of the range is mapped.
 */
int vmxlab_arch_map(struct vmxlab_vm *vm, u64 gpa, struct page **pages,
		    unsigned long npages, bool writable);

/**
 * vmxlab_arch_unmap() - remove a range from the guest-physical space
 * @vm: the VM.
 * @gpa: first address, page aligned.
 * @size: bytes.
 *
 * When it returns no CPU can reach the memory through the VM's mappings
 * any more (the TLBs are invalidated), so the pages may be unpinned.
 */
void vmxlab_arch_unmap(struct vmxlab_vm *vm, u64 gpa, u64 size);

/**
 * vmxlab_arch_vcpu_init() - create the backend's vCPU state (VMCS)
 * @vcpu: the vCPU; the backend sets @vcpu->arch.
 *
 * Return: 0 or -ENOMEM.
 */
int vmxlab_arch_vcpu_init(struct vmxlab_vcpu *vcpu);

/** vmxlab_arch_vcpu_destroy() - free @vcpu->arch (VMCLEARs the VMCS). */
void vmxlab_arch_vcpu_destroy(struct vmxlab_vcpu *vcpu);

/* Register access; the caller holds @vcpu->mutex. Return 0 or -EINVAL. */
int vmxlab_arch_get_regs(struct vmxlab_vcpu *vcpu, struct vmxlab_regs *regs);
int vmxlab_arch_set_regs(struct vmxlab_vcpu *vcpu,
			 const struct vmxlab_regs *regs);
int vmxlab_arch_get_sregs(struct vmxlab_vcpu *vcpu,
			  struct vmxlab_sregs *sregs);
int vmxlab_arch_set_sregs(struct vmxlab_vcpu *vcpu,
			  const struct vmxlab_sregs *sregs);

/**
 * vmxlab_arch_run() - run the guest until an exit for userspace
 * @vcpu: the vCPU; the caller holds @vcpu->mutex.
 *
 * Completes the exit userspace was given last (IN data, MMIO read data),
 * then enters the guest and handles exits until one needs userspace, which
 * it describes in @vcpu->run.
 *
 * Return: 0; -EINTR if a signal is pending (the vCPU stays resumable).
 */
int vmxlab_arch_run(struct vmxlab_vcpu *vcpu);

/**
 * vmxlab_arch_inject() - queue an event for the guest
 * @vcpu: the vCPU; the caller holds @vcpu->mutex.
 * @ev: the event, already checked by vmxlab_event_check().
 *
 * Return: 0; -EBUSY if an event of the type is still queued; -EOPNOTSUPP
 * for an NMI on a CPU without virtual NMIs.
 */
int vmxlab_arch_inject(struct vmxlab_vcpu *vcpu, const struct vmxlab_event *ev);

/** vmxlab_arch_vcpu_stats() - fill in the exit counters of @vcpu. */
void vmxlab_arch_vcpu_stats(struct vmxlab_vcpu *vcpu,
			    struct vmxlab_vcpu_stats *stats);

#endif /* VMXLAB_MODULE_ARCH_H */
