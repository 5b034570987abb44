// SPDX-License-Identifier: GPL-2.0
/*
 * The exit trace ring (uapi/linux/vmxlab.h; Documentation/exit-latency.rst,
 * "The trace ring"): one record per VM exit, in memory userspace maps.
 *
 * An exit is staged when it happens and written to the ring when the next
 * entry completes it. The ring is shared with userspace, which may write
 * anything into it: the kernel keeps its own head, size and flags, reads
 * only the reader's tail, and treats a tail that makes no sense as a full
 * ring. Lossless by default: before an entry that would find no room, the
 * run loop returns to userspace with VMXLAB_EXIT_TRACE_FULL.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vmxlab.h"

static struct vmxlab_trace_rec *ring_rec(struct vmxlab_trace *t, u64 i)
{
	return (void *)t->ring + VMXLAB_TRACE_RECS_OFFSET +
	       (i & (t->nr - 1)) * sizeof(struct vmxlab_trace_rec);
}

/* Records the reader has not consumed; all of them if its tail is bogus. */
static u64 ring_used(struct vmxlab_trace *t)
{
	/* Pairs with the reader's release of tail: it is done with them. */
	u64 tail = smp_load_acquire(&t->ring->tail);

	return tail <= t->head && t->head - tail <= t->nr ?
	       t->head - tail : t->nr;
}

/* vmxlab_trace_full(), while tracing: lossless, an exit waits, no room. */
bool vmxlab_trace_no_room(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_trace *t = &vcpu->trace;

	return t->pending && !(t->flags & VMXLAB_TRACE_DROP) &&
	       ring_used(t) >= t->nr;
}

/* The exit waiting is complete: into the ring with it, or drop it. */
static void trace_entry(struct vmxlab_trace *t, u64 entry)
{
	t->pending = false;
	if (ring_used(t) >= t->nr) {
		t->dropped++;
		WRITE_ONCE(t->ring->dropped, t->dropped);
		return;
	}
	t->rec.tsc_entry = entry;
	*ring_rec(t, t->head) = t->rec;
	t->head++;
	/* The record before the head that says it is there. */
	smp_store_release(&t->ring->head, t->head);
}

void vmxlab_trace_exit(struct vmxlab_vcpu *vcpu, u64 entry, u64 exit,
		       u32 reason, u64 qualification, u64 rip)
{
	struct vmxlab_trace *t = &vcpu->trace;

	if (t->pending)
		trace_entry(t, entry);
	if (reason == VMXLAB_STATS_NO_SAMPLE)
		return;
	t->rec.reason = reason;
	t->rec.flags = 0;
	t->rec.qualification = qualification;
	t->rec.rip = rip;
	t->rec.tsc_exit = exit;
	t->rec.tsc_entry = 0;
	t->pending = true;
}

/* A ring with nothing in it, as userspace sees it after setup. */
static void ring_reset(struct vmxlab_trace *t)
{
	t->head = 0;
	t->dropped = 0;
	t->pending = false;
	WRITE_ONCE(t->ring->head, 0);
	WRITE_ONCE(t->ring->tail, 0);
	WRITE_ONCE(t->ring->dropped, 0);
	WRITE_ONCE(t->ring->nr, t->nr);
	WRITE_ONCE(t->ring->flags, t->flags);
}

/**
 * vmxlab_trace_set() - VMXLAB_SET_TRACE
 * @vcpu: the vCPU; the caller holds its mutex.
 * @argp: struct vmxlab_trace_setup in userspace.
 *
 * Return: 0, -EFAULT, -EINVAL, -EBUSY, -ENOMEM.
 */
long vmxlab_trace_set(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_trace *t = &vcpu->trace;
	struct vmxlab_trace_setup ts;
	struct vmxlab_trace_ring *ring;
	unsigned int i;

	if (copy_from_user(&ts, argp, sizeof(ts)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(ts.reserved); i++)
		if (ts.reserved[i])
			return -EINVAL;
	if (ts.flags & ~VMXLAB_TRACE_DROP)
		return -EINVAL;
	if (!ts.nr) {
		vmxlab_instr_set(vcpu, VMXLAB_INSTR_TRACE, false);
		t->pending = false;
		return 0;
	}
	if (!is_power_of_2(ts.nr) || ts.nr > VMXLAB_TRACE_MAX)
		return -EINVAL;
	if (t->ring && t->nr != ts.nr)
		return -EBUSY;
	if (!t->ring) {
		ring = vmalloc_user(PAGE_ALIGN(VMXLAB_TRACE_BYTES(ts.nr)));
		if (!ring)
			return -ENOMEM;
		t->nr = ts.nr;
		/*
		 * mmap() finds the ring without the mutex: @nr before the
		 * pointer (pairs with the acquire in vmxlab_trace_mmap()).
		 */
		smp_store_release(&t->ring, ring);
	}
	t->flags = ts.flags;
	ring_reset(t);
	vmxlab_instr_set(vcpu, VMXLAB_INSTR_TRACE, true);
	return 0;
}

/**
 * vmxlab_trace_mmap() - mmap() at VMXLAB_TRACE_MMAP_OFFSET of a vCPU fd
 * @vcpu: the vCPU (the mapping holds its file, so it outlives the mapping).
 * @vma: the mapping: the ring's size or less.
 *
 * Return: 0; -ENODEV before VMXLAB_SET_TRACE, -EINVAL for a size beyond
 * the ring; what remap_vmalloc_range() returns.
 */
int vmxlab_trace_mmap(struct vmxlab_vcpu *vcpu, struct vm_area_struct *vma)
{
	/* Pairs with the release in vmxlab_trace_set(): @nr is there. */
	struct vmxlab_trace_ring *ring = smp_load_acquire(&vcpu->trace.ring);

	if (!ring)
		return -ENODEV;
	if (vma->vm_end - vma->vm_start >
	    PAGE_ALIGN(VMXLAB_TRACE_BYTES(vcpu->trace.nr)))
		return -EINVAL;
	return remap_vmalloc_range(vma, ring, 0);
}

/* When the vCPU goes (its file, and so every mapping, is gone). */
void vmxlab_trace_free(struct vmxlab_vcpu *vcpu)
{
	vfree(vcpu->trace.ring);
	vcpu->trace.ring = NULL;
}
