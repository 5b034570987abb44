// SPDX-License-Identifier: GPL-2.0
/*
 * Exit-latency statistics (Documentation/exit-latency.rst).
 *
 * A sample opens at a VM exit and closes at the next VM entry; if the exit
 * went to userspace, the time between VMXLAB_RUN's return and the next
 * VMXLAB_RUN is its user part. Host interrupts, NMIs, preemption and
 * migration inflate a sample by far more than what is measured, so such a
 * sample is counted as disturbed and kept out of the histograms: the
 * backend passes the CPU's interrupt count at both ends, and a change, a
 * context switch of the task or another CPU gives it away.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "stats.h"
#include "vmxlab.h"

DEFINE_STATIC_KEY_FALSE(vmxlab_stats_key);

#define NR_RECORDS	(VMXLAB_NR_EXIT_REASONS * VMXLAB_LAT_NR_KINDS)
#define RECORDS_SIZE	(NR_RECORDS * sizeof(struct vmxlab_exit_lat))

static unsigned long task_switches(void)
{
	return current->nvcsw + current->nivcsw;
}

void vmxlab_stats_open(struct vmxlab_vcpu *vcpu, u32 reason, u64 exit,
		       u64 irqs)
{
	struct vmxlab_stats *s = &vcpu->stats;

	if (reason >= VMXLAB_NR_EXIT_REASONS)
		return;
	s->reason = reason;
	s->to_user = false;
	s->user = 0;
	s->t_exit = exit;
	s->irqs = irqs;
	s->switches = task_switches();
	s->cpu = raw_smp_processor_id();
}

void vmxlab_stats_close(struct vmxlab_vcpu *vcpu, u64 entry, u64 irqs)
{
	struct vmxlab_stats *s = &vcpu->stats;
	struct vmxlab_exit_lat *l;
	u64 rt;

	if (s->reason == VMXLAB_STATS_NO_SAMPLE)
		return;
	l = &s->lat[s->reason * VMXLAB_LAT_NR_KINDS];
	s->reason = VMXLAB_STATS_NO_SAMPLE;
	rt = entry - s->t_exit;
	if (irqs > s->irqs || s->switches != task_switches() ||
	    s->cpu != raw_smp_processor_id() || s->user > rt) {
		l[VMXLAB_LAT_KERNEL].disturbed++;
		l[VMXLAB_LAT_ROUND_TRIP].disturbed++;
		if (s->to_user)
			l[VMXLAB_LAT_USER].disturbed++;
		return;
	}
	vmxlab_lat_add(&l[VMXLAB_LAT_KERNEL], rt - s->user);
	vmxlab_lat_add(&l[VMXLAB_LAT_ROUND_TRIP], rt);
	if (s->to_user)
		vmxlab_lat_add(&l[VMXLAB_LAT_USER], s->user);
}

void vmxlab_stats_run_end(struct vmxlab_vcpu *vcpu, bool to_user, u64 now)
{
	struct vmxlab_stats *s = &vcpu->stats;

	/* An interrupted RUN (-EINTR) was no exit to userspace: no sample. */
	if (!to_user) {
		s->reason = VMXLAB_STATS_NO_SAMPLE;
		return;
	}
	s->to_user = true;
	s->user_start = now;
}

void vmxlab_stats_run_start(struct vmxlab_vcpu *vcpu, u64 now)
{
	struct vmxlab_stats *s = &vcpu->stats;

	if (s->reason != VMXLAB_STATS_NO_SAMPLE && s->to_user)
		s->user = now - s->user_start;
}

static long stats_on(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_stats *s = &vcpu->stats;

	if (s->on)
		return 0;
	if (!s->lat) {
		s->lat = kvzalloc(RECORDS_SIZE, GFP_KERNEL_ACCOUNT);
		if (!s->lat)
			return -ENOMEM;
	}
	s->reason = VMXLAB_STATS_NO_SAMPLE;
	s->on = true;
	static_branch_inc(&vmxlab_stats_key);
	return 0;
}

static void stats_off(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_stats *s = &vcpu->stats;

	if (!s->on)
		return;
	s->on = false;
	static_branch_dec(&vmxlab_stats_key);
}

/**
 * vmxlab_stats_set() - VMXLAB_SET_EXIT_STATS
 * @vcpu: the vCPU; the caller holds its mutex.
 * @arg: VMXLAB_STATS_* flags.
 *
 * Return: 0, -EINVAL, -ENOMEM.
 */
long vmxlab_stats_set(struct vmxlab_vcpu *vcpu, unsigned long arg)
{
	const unsigned long all = VMXLAB_STATS_ON | VMXLAB_STATS_OFF |
				  VMXLAB_STATS_RESET;
	struct vmxlab_stats *s = &vcpu->stats;
	long r = 0;

	if (!arg || (arg & ~all) ||
	    (arg & (VMXLAB_STATS_ON | VMXLAB_STATS_OFF)) ==
	    (VMXLAB_STATS_ON | VMXLAB_STATS_OFF))
		return -EINVAL;
	if (arg & VMXLAB_STATS_OFF)
		stats_off(vcpu);
	if (arg & VMXLAB_STATS_ON)
		r = stats_on(vcpu);
	if (!r && (arg & VMXLAB_STATS_RESET) && s->lat) {
		memset(s->lat, 0, RECORDS_SIZE);
		s->reason = VMXLAB_STATS_NO_SAMPLE;
	}
	return r;
}

/**
 * vmxlab_stats_get() - VMXLAB_GET_EXIT_STATS
 * @vcpu: the vCPU; the caller holds its mutex.
 * @argp: struct vmxlab_exit_stats in userspace.
 *
 * Return: 0, -EFAULT, -EINVAL (reserved fields), -E2BIG (size too small;
 * the size needed is written back).
 */
long vmxlab_stats_get(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_stats *s = &vcpu->stats;
	struct vmxlab_exit_stats st;
	void __user *data;
	unsigned int i;
	u32 size;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(st.reserved); i++)
		if (st.reserved[i])
			return -EINVAL;
	size = st.size;
	data = u64_to_user_ptr(st.data);
	st.size = RECORDS_SIZE;
	st.flags = s->on ? VMXLAB_STATS_ON : 0;
	st.nr_reasons = VMXLAB_NR_EXIT_REASONS;
	st.nr_kinds = VMXLAB_LAT_NR_KINDS;
	st.nr_buckets = VMXLAB_LAT_BUCKETS;
	st.sub_bucket_bits = VMXLAB_LAT_SUB_BITS;
	st.record_size = sizeof(struct vmxlab_exit_lat);
	st.tsc_khz = tsc_khz;
	if (copy_to_user(argp, &st, sizeof(st)))
		return -EFAULT;
	if (size < RECORDS_SIZE)
		return -E2BIG;
	if (s->lat)
		return copy_to_user(data, s->lat, RECORDS_SIZE) ? -EFAULT : 0;
	return clear_user(data, RECORDS_SIZE) ? -EFAULT : 0;
}

/* When the vCPU goes. */
void vmxlab_stats_free(struct vmxlab_vcpu *vcpu)
{
	stats_off(vcpu);
	kvfree(vcpu->stats.lat);
	vcpu->stats.lat = NULL;
}
