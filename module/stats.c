// SPDX-License-Identifier: GPL-2.0
/*
 * Exit-latency statistics (Documentation/exit-latency.rst).
 *
 * A sample opens at a VM exit and closes at the next VM entry; if the exit
 * went to userspace, the time between VMXLAB_RUN's return and the next
 * VMXLAB_RUN is its user part. Host interrupts, NMIs, preemption and
 * migration inflate a sample by far more than what is measured, so such a
 * sample is counted as disturbed and kept out of the histograms: the
 * backend passes the CPU's interrupt count at both ends, and a change of
 * it, or a context switch of the task (which any move to another CPU
 * takes), gives it away.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "stats.h"
#include "vmxlab.h"

DEFINE_STATIC_KEY_FALSE(vmxlab_stats_key);

/* What VMXLAB_GET_EXIT_STATS copies out: [reason][kind]. */
#define NR_RECORDS	(VMXLAB_NR_EXIT_REASONS * VMXLAB_LAT_NR_KINDS)
#define RECORDS_SIZE	(NR_RECORDS * sizeof(struct vmxlab_exit_lat))
/* What a vCPU keeps. */
#define LAT_SIZE	(VMXLAB_NR_EXIT_REASONS * sizeof(struct vmxlab_reason_lat))

static unsigned long task_switches(void)
{
	return current->nvcsw + current->nivcsw;
}

/* The sample of the exit before, closed by the entry at TSC @entry. */
static void close_sample(struct vmxlab_stats *s, u64 entry, u64 irqs)
{
	struct vmxlab_reason_lat *r = &s->lat[s->reason];
	u64 rt = entry - s->t_exit;

	/*
	 * A context switch covers preemption and migration alike: a task
	 * cannot change CPUs without one.
	 */
	if (irqs > s->irqs || s->switches != task_switches() || s->user > rt) {
		if (!s->to_user) {
			r->in_kernel.disturbed++;
			return;
		}
		r->user_kernel.disturbed++;
		r->user_user.disturbed++;
		r->user_round_trip.disturbed++;
		return;
	}
	if (!s->to_user) {
		vmxlab_lat_add(&r->in_kernel, rt);
		return;
	}
	vmxlab_lat_add(&r->user_kernel, rt - s->user);
	vmxlab_lat_add(&r->user_user, s->user);
	vmxlab_lat_add(&r->user_round_trip, rt);
}

void vmxlab_stats_exit(struct vmxlab_vcpu *vcpu, u64 entry, u64 exit,
		       u32 reason, u64 irqs, bool own_irq)
{
	struct vmxlab_stats *s = &vcpu->stats;

	if (s->reason != VMXLAB_STATS_NO_SAMPLE)
		close_sample(s, entry, irqs);
	/* A failed entry is no exit of the guest's: no sample. */
	if (reason == VMXLAB_STATS_NO_SAMPLE || (reason & VMXLAB_EXIT_FAILED) ||
	    (reason & 0xffff) >= VMXLAB_NR_EXIT_REASONS) {
		s->reason = VMXLAB_STATS_NO_SAMPLE;
		return;
	}
	s->reason = reason & 0xffff;
	s->to_user = false;
	s->user = 0;
	s->t_exit = exit;
	s->irqs = irqs + own_irq;
	s->switches = task_switches();
}

void vmxlab_stats_run_end(struct vmxlab_vcpu *vcpu, bool to_user, u64 now)
{
	struct vmxlab_stats *s = &vcpu->stats;

	if (to_user && vcpu->trace.pending)
		vcpu->trace.rec.flags |= VMXLAB_TRACE_REC_USER;
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

/**
 * vmxlab_instr_set() - turn one of a vCPU's instruments on or off
 * @vcpu: the vCPU; the caller holds its mutex (so its run loop is not
 *        running).
 * @bit: VMXLAB_INSTR_*.
 * @on: on or off.
 *
 * The static key counts the vCPUs with any instrument on.
 */
void vmxlab_instr_set(struct vmxlab_vcpu *vcpu, u8 bit, bool on)
{
	u8 old = vcpu->stats.active;
	u8 new = on ? old | bit : old & ~bit;

	if (!old && new)
		static_branch_inc(&vmxlab_stats_key);
	else if (old && !new)
		static_branch_dec(&vmxlab_stats_key);
	vcpu->stats.active = new;
}

static void lat_reset_all(struct vmxlab_reason_lat *lat)
{
	unsigned int i;

	for (i = 0; i < VMXLAB_NR_EXIT_REASONS; i++) {
		vmxlab_lat_reset(&lat[i].in_kernel);
		vmxlab_lat_reset(&lat[i].user_kernel);
		vmxlab_lat_reset(&lat[i].user_user);
		vmxlab_lat_reset(&lat[i].user_round_trip);
	}
}

static long stats_on(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_stats *s = &vcpu->stats;

	if (s->active & VMXLAB_INSTR_STATS)
		return 0;
	if (!s->lat) {
		struct vmxlab_reason_lat *lat;

		lat = kvmalloc(LAT_SIZE, GFP_KERNEL_ACCOUNT);
		if (!lat)
			return -ENOMEM;
		lat_reset_all(lat);
		/*
		 * Published only once initialised: the debugfs file reads it
		 * without the vCPU mutex (pairs with the acquire there).
		 */
		smp_store_release(&s->lat, lat);
	}
	s->reason = VMXLAB_STATS_NO_SAMPLE;
	vmxlab_instr_set(vcpu, VMXLAB_INSTR_STATS, true);
	return 0;
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
		vmxlab_instr_set(vcpu, VMXLAB_INSTR_STATS, false);
	if (arg & VMXLAB_STATS_ON)
		r = stats_on(vcpu);
	if (!r && (arg & VMXLAB_STATS_RESET) && s->lat) {
		lat_reset_all(s->lat);
		s->reason = VMXLAB_STATS_NO_SAMPLE;
	}
	return r;
}

/* One reason's three kinds, as the uapi has them, from what the vCPU keeps. */
static void merge_reason(struct vmxlab_exit_lat *kinds,
			 const struct vmxlab_reason_lat *r)
{
	struct vmxlab_exit_lat *k = &kinds[VMXLAB_LAT_KERNEL];
	struct vmxlab_exit_lat *u = &kinds[VMXLAB_LAT_USER];
	struct vmxlab_exit_lat *rt = &kinds[VMXLAB_LAT_ROUND_TRIP];

	vmxlab_lat_reset(k);
	vmxlab_lat_merge(k, &r->in_kernel);
	vmxlab_lat_merge(k, &r->user_kernel);
	*u = r->user_user;
	vmxlab_lat_reset(rt);
	vmxlab_lat_merge(rt, &r->in_kernel);
	vmxlab_lat_merge(rt, &r->user_round_trip);
	/* The uapi's min is 0 while there is no sample. */
	if (!k->count)
		k->min = 0;
	if (!u->count)
		u->min = 0;
	if (!rt->count)
		rt->min = 0;
}

/**
 * vmxlab_stats_get() - VMXLAB_GET_EXIT_STATS
 * @vcpu: the vCPU; the caller holds its mutex.
 * @argp: struct vmxlab_exit_stats in userspace.
 *
 * Return: 0, -EFAULT, -EINVAL (reserved fields), -E2BIG (size too small;
 * the size needed is written back), -ENOMEM.
 */
long vmxlab_stats_get(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_stats *s = &vcpu->stats;
	struct vmxlab_exit_lat *out;
	struct vmxlab_exit_stats st;
	void __user *data;
	unsigned int i;
	long r;
	u32 size;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(st.reserved); i++)
		if (st.reserved[i])
			return -EINVAL;
	size = st.size;
	data = u64_to_user_ptr(st.data);
	st.size = RECORDS_SIZE;
	st.flags = (s->active & VMXLAB_INSTR_STATS) ? VMXLAB_STATS_ON : 0;
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
	if (!s->lat)
		return clear_user(data, RECORDS_SIZE) ? -EFAULT : 0;
	out = kvmalloc(RECORDS_SIZE, GFP_KERNEL_ACCOUNT);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < VMXLAB_NR_EXIT_REASONS; i++)
		merge_reason(&out[i * VMXLAB_LAT_NR_KINDS], &s->lat[i]);
	r = copy_to_user(data, out, RECORDS_SIZE) ? -EFAULT : 0;
	kvfree(out);
	return r;
}

/* The @p'th per-mille sample of @l: the middle of its bucket, in min..max. */
static u64 lat_permille(const struct vmxlab_exit_lat *l, unsigned int p)
{
	u64 rank = div_u64(l->count * p + 999, 1000), seen = 0, lo, hi;
	unsigned int i;

	for (i = 0; i < VMXLAB_LAT_BUCKETS; i++) {
		seen += l->buckets[i];
		if (seen >= rank && seen)
			break;
	}
	if (i >= VMXLAB_LAT_BUCKETS - 1)
		return l->max;
	lo = vmxlab_lat_bucket_low(i);
	hi = vmxlab_lat_bucket_low(i + 1) - 1;
	return clamp(lo + (hi - lo) / 2, l->min, l->max);
}

/*
 * debugfs vmxlab/vm-PID-N/vcpuID-exit-latency: what VMXLAB_GET_EXIT_STATS
 * gives, as text. Read while the vCPU may run, without its mutex: the
 * counters are read as they are, so a line may be a few samples behind
 * another. The histograms live as long as the vCPU, which outlives this
 * file (vcpu_free() removes it first).
 */
static int exit_latency_show(struct seq_file *m, void *unused)
{
	static const char *const kinds[] = { "kernel", "user", "round-trip" };
	struct vmxlab_vcpu *vcpu = m->private;
	/* Pairs with the release in stats_on(): the histograms are initialised. */
	const struct vmxlab_reason_lat *lat = smp_load_acquire(&vcpu->stats.lat);
	struct vmxlab_exit_lat *out;
	unsigned int i, k;

	seq_printf(m, "# vcpu %u, %s; TSC ticks, %u per ms\n", vcpu->id,
		   (READ_ONCE(vcpu->stats.active) & VMXLAB_INSTR_STATS) ?
		   "collecting" : "not collecting", tsc_khz);
	seq_puts(m, "# reason kind count mean min p50 p99 max disturbed\n");
	if (!lat)
		return 0;
	out = kmalloc_array(VMXLAB_LAT_NR_KINDS, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < VMXLAB_NR_EXIT_REASONS; i++) {
		merge_reason(out, &lat[i]);
		for (k = 0; k < VMXLAB_LAT_NR_KINDS; k++) {
			const struct vmxlab_exit_lat *l = &out[k];

			if (!l->count && !l->disturbed)
				continue;
			seq_printf(m, "%u %s %llu %llu %llu %llu %llu %llu %llu\n",
				   i, kinds[k], l->count,
				   l->count ? div64_u64(l->sum, l->count) : 0,
				   l->min, lat_permille(l, 500),
				   lat_permille(l, 990), l->max, l->disturbed);
		}
	}
	kfree(out);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(exit_latency);

/* The vCPU's exit-latency file in its VM's debugfs folder. */
void vmxlab_stats_debugfs(struct vmxlab_vcpu *vcpu)
{
	char name[32];

	snprintf(name, sizeof(name), "vcpu%u-exit-latency", vcpu->id);
	vcpu->debugfs = debugfs_create_file(name, 0444, vcpu->vm->debugfs,
					    vcpu, &exit_latency_fops);
}

/* When the vCPU goes. */
void vmxlab_stats_free(struct vmxlab_vcpu *vcpu)
{
	vmxlab_instr_set(vcpu, VMXLAB_INSTR_STATS | VMXLAB_INSTR_TRACE, false);
	kvfree(vcpu->stats.lat);
	vcpu->stats.lat = NULL;
	vmxlab_trace_free(vcpu);
}
