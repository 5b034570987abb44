/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit-latency statistics of a vCPU (Documentation/exit-latency.rst): the
 * backend's run loop calls these hooks around each VM entry and exit, the
 * generic core keeps the histograms and answers the ioctls. Every hook is
 * behind vmxlab_stats_active(), a static key that stays off while no vCPU
 * collects: then the exit path pays nothing.
 */
#ifndef VMXLAB_MODULE_STATS_H
#define VMXLAB_MODULE_STATS_H

#include <linux/bitops.h>
#include <linux/jump_label.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <linux/types.h>

#include "../uapi/linux/vmxlab.h"

struct vm_area_struct;
struct vmxlab_vcpu;

/**
 * struct vmxlab_reason_lat - the histograms of one exit reason
 * @in_kernel: exits handled in the kernel (their kernel part is the whole
 *             round trip: one histogram serves both kinds).
 * @user_kernel: exits that went to userspace: the kernel part,
 * @user_user: the user part,
 * @user_round_trip: and the round trip.
 *
 * VMXLAB_GET_EXIT_STATS merges them into the uapi's three kinds. An exit
 * handled in the kernel, the common and fast case, updates one histogram.
 */
struct vmxlab_reason_lat {
	struct vmxlab_exit_lat in_kernel;
	struct vmxlab_exit_lat user_kernel;
	struct vmxlab_exit_lat user_user;
	struct vmxlab_exit_lat user_round_trip;
};

/**
 * struct vmxlab_stats - a vCPU's exit-latency state
 * @active: VMXLAB_INSTR_*: what this vCPU's exits feed (the hooks run
 *          while it is not 0).
 * @reason: the exit whose sample is open, or VMXLAB_STATS_NO_SAMPLE.
 * @to_user: that exit went to userspace; @user_start is when.
 * @t_exit: TSC at that exit.
 * @user_start: TSC when VMXLAB_RUN returned with it.
 * @user: TSC ticks spent in userspace for it.
 * @irqs: the CPU's interrupt count the sample must close with.
 * @switches: the task's context switches when it opened.
 * @lat: the histograms by exit reason; NULL until the first ON.
 */
struct vmxlab_stats {
	u8 active;
	u16 reason;
	bool to_user;
	u64 t_exit;
	u64 user_start;
	u64 user;
	u64 irqs;
	unsigned long switches;
	struct vmxlab_reason_lat *lat;
};

#define VMXLAB_STATS_NO_SAMPLE	0xffff

/* Bit 31 of an exit reason: the VM entry failed (SDM Vol. 3C 28.2.1). */
#define VMXLAB_EXIT_FAILED	BIT(31)

/* struct vmxlab_stats @active */
#define VMXLAB_INSTR_STATS	0x1	/* the histograms */
#define VMXLAB_INSTR_TRACE	0x2	/* the trace ring (trace_ring.c) */

/**
 * struct vmxlab_trace - a vCPU's exit trace ring
 * @ring: the ring userspace maps (vmalloc_user()); set once, freed with
 *        the vCPU.
 * @nr: its records.
 * @flags: VMXLAB_TRACE_*.
 * @head: records written: the kernel's own count, never read back from
 *        the ring, which userspace may scribble over.
 * @dropped: records dropped.
 * @pending: @rec is an exit waiting for its next entry.
 * @rec: that exit.
 */
struct vmxlab_trace {
	struct vmxlab_trace_ring *ring;
	u32 nr;
	u32 flags;
	u64 head;
	u64 dropped;
	bool pending;
	struct vmxlab_trace_rec rec;
};

DECLARE_STATIC_KEY_FALSE(vmxlab_stats_key);

/**
 * vmxlab_lat_bucket() - the histogram bucket of a sample
 * @v: the sample, in TSC ticks.
 *
 * Log-linear (uapi/linux/vmxlab.h): exact below 2 << VMXLAB_LAT_SUB_BITS,
 * then 1 << VMXLAB_LAT_SUB_BITS buckets per power of two.
 */
static inline unsigned int vmxlab_lat_bucket(u64 v)
{
	unsigned int e;

	if (v < (2U << VMXLAB_LAT_SUB_BITS))
		return v;
	e = fls64(v) - 1;
	if (e > VMXLAB_LAT_MAX_BIT)
		return VMXLAB_LAT_BUCKETS - 1;
	return ((e - VMXLAB_LAT_SUB_BITS) << VMXLAB_LAT_SUB_BITS) +
	       (unsigned int)(v >> (e - VMXLAB_LAT_SUB_BITS));
}

/**
 * vmxlab_lat_bucket_low() - the least value that counts in a bucket
 * @i: the bucket, below VMXLAB_LAT_BUCKETS.
 *
 * The inverse of vmxlab_lat_bucket(); bucket i holds the values from
 * vmxlab_lat_bucket_low(i) to vmxlab_lat_bucket_low(i + 1) - 1 (the last
 * one everything above).
 */
static inline u64 vmxlab_lat_bucket_low(unsigned int i)
{
	unsigned int shift;

	if (i < (2U << VMXLAB_LAT_SUB_BITS))
		return i;
	shift = (i >> VMXLAB_LAT_SUB_BITS) - 1;
	return (u64)((i & ((1U << VMXLAB_LAT_SUB_BITS) - 1)) +
		     (1U << VMXLAB_LAT_SUB_BITS)) << shift;
}

/**
 * vmxlab_lat_add() - count one sample in a histogram
 * @l: the histogram; its min starts at U64_MAX (vmxlab_lat_reset()).
 * @v: the sample.
 */
static inline void vmxlab_lat_add(struct vmxlab_exit_lat *l, u64 v)
{
	if (v < l->min)
		l->min = v;
	if (v > l->max)
		l->max = v;
	l->count++;
	l->sum += v;
	l->buckets[vmxlab_lat_bucket(v)]++;
}

/** vmxlab_lat_reset() - an empty histogram, ready for vmxlab_lat_add(). */
static inline void vmxlab_lat_reset(struct vmxlab_exit_lat *l)
{
	memset(l, 0, sizeof(*l));
	l->min = U64_MAX;
}

/**
 * vmxlab_lat_merge() - add histogram @from to @to
 * @to: the sum; min U64_MAX while it has no sample.
 * @from: the histogram added.
 */
static inline void vmxlab_lat_merge(struct vmxlab_exit_lat *to,
				    const struct vmxlab_exit_lat *from)
{
	unsigned int i;

	if (from->min < to->min)
		to->min = from->min;
	if (from->max > to->max)
		to->max = from->max;
	to->count += from->count;
	to->disturbed += from->disturbed;
	to->sum += from->sum;
	for (i = 0; i < VMXLAB_LAT_BUCKETS; i++)
		to->buckets[i] += from->buckets[i];
}

/*
 * Hooks for the backend's run loop; the caller holds the vCPU's mutex and
 * has checked vmxlab_stats_active().
 */
void vmxlab_stats_run_start(struct vmxlab_vcpu *vcpu, u64 now);
void vmxlab_stats_run_end(struct vmxlab_vcpu *vcpu, bool to_user, u64 now);
/**
 * vmxlab_stats_exit() - right after a VM exit, interrupts still off
 * @vcpu: the vCPU, collecting statistics (VMXLAB_INSTR_STATS).
 * @entry: TSC at the entry: it closes the sample of the exit before.
 * @exit: TSC at this exit.
 * @reason: the exit reason (bit 31: a failed entry, which the histograms
 *          leave out), or VMXLAB_STATS_NO_SAMPLE: no exit
 *          (VMLAUNCH/VMRESUME failed).
 * @irqs: the CPU's count of interrupts and NMIs taken, which must not
 *        grow between one exit and the next entry.
 * @own_irq: the exit is for an external interrupt, which the host takes
 *           once interrupts are on: one more is expected.
 */
void vmxlab_stats_exit(struct vmxlab_vcpu *vcpu, u64 entry, u64 exit,
		       u32 reason, u64 irqs, bool own_irq);

/*
 * The trace's part of the same moment (VMXLAB_INSTR_TRACE): the record of
 * the exit before is complete at @entry; @reason (the full exit reason)
 * waits for the next entry with its qualification and RIP. @reason
 * VMXLAB_STATS_NO_SAMPLE: no exit happened.
 */
void vmxlab_trace_exit(struct vmxlab_vcpu *vcpu, u64 entry, u64 exit,
		       u32 reason, u64 qualification, u64 rip);
bool vmxlab_trace_no_room(struct vmxlab_vcpu *vcpu);

long vmxlab_stats_set(struct vmxlab_vcpu *vcpu, unsigned long arg);
long vmxlab_trace_set(struct vmxlab_vcpu *vcpu, void __user *argp);
int vmxlab_trace_mmap(struct vmxlab_vcpu *vcpu, struct vm_area_struct *vma);
void vmxlab_trace_free(struct vmxlab_vcpu *vcpu);
/* Under the vCPU mutex: what the vCPU's exits feed changes. */
void vmxlab_instr_set(struct vmxlab_vcpu *vcpu, u8 bit, bool on);
long vmxlab_stats_get(struct vmxlab_vcpu *vcpu, void __user *argp);
void vmxlab_stats_free(struct vmxlab_vcpu *vcpu);
void vmxlab_stats_debugfs(struct vmxlab_vcpu *vcpu);

#endif /* VMXLAB_MODULE_STATS_H */
