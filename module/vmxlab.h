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
#include <linux/spinlock.h>

#include "../uapi/linux/vmxlab.h"
#include "stats.h"

struct dentry;
struct mm_struct;
struct page;

/**
 * struct vmxlab_slot - one guest memory region
 * @gpa: first guest-physical address.
 * @size: bytes; 0: the slot is free.
 * @uaddr: the caller's address of the memory.
 * @flags: VMXLAB_MEM_*.
 * @pages: the pinned pages, @size / PAGE_SIZE of them.
 */
struct vmxlab_slot {
	u64 gpa;
	u64 size;
	u64 uaddr;
	u32 flags;
	struct page **pages;
};

/**
 * struct vmxlab_vm - one virtual machine, behind a VM file descriptor
 * @refs: the VM fd holds one reference and each vCPU fd another, so a VM
 *        outlives its fd while vCPUs still run.
 * @lock: serialises changes to the VM's configuration (slots, vCPUs).
 * @slots_lock: taken for reading by exit handlers that touch guest memory
 *        (they run with preemption off and cannot take @lock); slot
 *        changes hold it for writing while they edit @slots.
 * @slots: the memory regions.
 * @vcpus: the vCPUs by id, NULL where none.
 * @mm: the creator's mm, to which pinned memory is accounted.
 * @debugfs: its folder in debugfs, vm-PID-N (the vCPUs' files are there).
 * @flags: VMXLAB_VM_* as given to VMXLAB_CREATE_VM.
 * @arch: the backend's part (EPT).
 *
 * Creating a VM takes a reference on VMX being on (vmxlab_arch_hw_get());
 * freeing it drops that reference.
 */
struct vmxlab_vm {
	struct kref refs;
	struct mutex lock;	/* serialises VM configuration changes */
	rwlock_t slots_lock;	/* @slots for readers that cannot sleep */
	struct vmxlab_slot slots[VMXLAB_MAX_MEM_SLOTS];
	struct vmxlab_vcpu *vcpus[VMXLAB_MAX_VCPUS];
	struct mm_struct *mm;
	struct dentry *debugfs;
	unsigned long flags;
	void *arch;
};

/**
 * struct vmxlab_vcpu - one virtual CPU, behind a vCPU file descriptor
 * @vm: the VM; the vCPU holds a reference on it.
 * @id: the id given to VMXLAB_CREATE_VCPU.
 * @mutex: one ioctl at a time; VMXLAB_RUN holds it while the guest runs.
 * @run: the run page shared with userspace.
 * @regs_set: VMXLAB_SET_REGS was called.
 * @sregs_set: VMXLAB_SET_SREGS was called.
 * @stats: exit-latency statistics (stats.c).
 * @trace: the exit trace ring (trace_ring.c).
 * @debugfs: its exit-latency file in the VM's debugfs folder.
 * @arch: the backend's part (VMCS, guest registers).
 */
struct vmxlab_vcpu {
	struct vmxlab_vm *vm;
	u32 id;
	struct mutex mutex;	/* one ioctl at a time */
	struct vmxlab_run *run;
	bool regs_set;
	bool sregs_set;
	struct vmxlab_stats stats;
	struct vmxlab_trace trace;
	struct dentry *debugfs;
	void *arch;
};

/*
 * The run loop's test before each statistics hook: a jump label, patched
 * out while no vCPU collects. A macro, so that not even the load of
 * @vcpu stays on the path while it is off.
 */
#define vmxlab_stats_active(vcpu) \
	(static_branch_unlikely(&vmxlab_stats_key) && (vcpu)->stats.active)

/*
 * Before an entry, once vmxlab_stats_active(): the trace ring has no room
 * for the exit waiting for this entry (trace_ring.c). Inline up to the
 * one test that the statistics alone always fail.
 */
static inline bool vmxlab_trace_full(struct vmxlab_vcpu *vcpu)
{
	return (vcpu->stats.active & VMXLAB_INSTR_TRACE) &&
	       vmxlab_trace_no_room(vcpu);
}

/* /sys/kernel/debug/vmxlab (main.c); an error pointer without debugfs. */
extern struct dentry *vmxlab_debugfs;

/* Live VMs and vCPUs, for debugfs and the leak checks in tests/. */
extern atomic_t vmxlab_nr_vms;
extern atomic_t vmxlab_nr_vcpus;

long vmxlab_vm_create(unsigned long flags);
void vmxlab_vm_put(struct vmxlab_vm *vm);
long vmxlab_vcpu_create(struct vmxlab_vm *vm, unsigned long id);

/*
 * Guest memory for the backend's exit handlers (string I/O, instruction
 * fetch, PAE PDPTEs): copy to or from guest-physical memory. Both fail with
 * -EFAULT where no slot backs an address (and writes to read-only slots).
 * They may be called with preemption disabled.
 */
int vmxlab_read_guest(struct vmxlab_vm *vm, u64 gpa, void *buf, size_t len);
int vmxlab_write_guest(struct vmxlab_vm *vm, u64 gpa, const void *buf,
		       size_t len);
int vmxlab_cmpxchg_guest(struct vmxlab_vm *vm, u64 gpa, u64 old, u64 new,
			 unsigned int len);

#endif /* VMXLAB_MODULE_VMXLAB_H */
