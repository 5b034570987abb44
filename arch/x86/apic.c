// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC of a vCPU (VMXLAB_VM_LAPIC). lapic.c is the
 * APIC itself, as pure logic; this file connects it to the vCPU:
 * IA32_APIC_BASE and its modes (SDM Vol. 3A 11.12.5), the xAPIC page (an
 * EPT violation on it is emulated here instead of going to userspace),
 * the x2APIC MSRs and IA32_TSC_DEADLINE, CR8 as the TPR (11.8.6), the
 * timer (its expiries taken before each entry, the VMX-preemption timer as
 * its alarm, SDM Vol. 3C 26.5.1), HLT that sleeps until it, and the APIC's
 * interrupts into events.c's injection. Documentation/interrupts.rst tells
 * the story.
 */
#include <linux/bits.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "lapic.h"
#include "vmx.h"

/*
 * The APIC counts in the guest's TSC (TSC deadline, the timer's start):
 * the host's plus the TSC offset (msr.c).
 */
static u64 guest_tsc(const struct vmx_vcpu *v)
{
	return rdtsc() + v->tsc_offset;
}

/* IA32_APIC_BASE's modes (SDM Vol. 3A 11.12.5, table 11-5). */
enum apic_mode { APIC_MODE_DISABLED, APIC_MODE_INVALID, APIC_MODE_XAPIC,
		 APIC_MODE_X2APIC };

static enum apic_mode apic_mode(u64 base)
{
	return ((base & MSR_IA32_APICBASE_ENABLE) ? 2 : 0) +
	       ((base & X2APIC_ENABLE) ? 1 : 0);
}

/**
 * vmx_apic_create() - give the vCPU its local APIC (VMXLAB_VM_LAPIC)
 * @v: the vCPU, being created.
 *
 * Return: 0 or -ENOMEM.
 */
int vmx_apic_create(struct vmx_vcpu *v)
{
	v->apic = kzalloc(sizeof(*v->apic), GFP_KERNEL_ACCOUNT);
	if (!v->apic)
		return -ENOMEM;
	/*
	 * The timer's clock: 1 GHz as KVM's, or the TSC's rate where that is
	 * slower (lapic.c counts in TSC ticks; emulators like Bochs run the
	 * TSC at a few hundred MHz).
	 */
	vmx_lapic_init(v->apic, v->core->id, tsc_khz,
		       min_t(u32, VMX_LAPIC_BUS_KHZ, tsc_khz));
	/*
	 * The BSP's LINT0 in ExtINT mode, unmasked: the "virtual wire" that
	 * firmware sets up for the 8259A (MP specification 3.6.2.2), so that
	 * a guest booted without firmware gets the 8259A's interrupts too.
	 * KVM's reset does the same (its LINT0_REENABLED quirk).
	 */
	if (!v->core->id)
		v->apic->lvt[VMX_LAPIC_LVT_LINT0] = APIC_DM_EXTINT;
	/* events.c looks at the APIC before every entry from now on. */
	v->events |= VMX_EV_APIC;
	return 0;
}

/**
 * vmx_apic_accepts_extint() - the 8259A's INTR reaches the CPU now
 * @v: the vCPU.
 *
 * On a PC the 8259A's INTR line goes to LINT0 of the local APIC (SDM Vol.
 * 3A 11.5.1): it reaches the CPU while the APIC is globally disabled (its
 * pins then go straight through, 11.4.3) or while LVT LINT0 is unmasked in
 * ExtINT mode. The interrupts userspace queues with VMXLAB_INJECT stand for
 * that line (KVM's split irqchip has the same rule).
 *
 * Return: true if a queued interrupt of userspace's may go in.
 */
bool vmx_apic_accepts_extint(struct vmx_vcpu *v)
{
	u32 lvt0;

	if (!v->apic || apic_mode(v->apic_base) == APIC_MODE_DISABLED)
		return true;
	lvt0 = v->apic->lvt[VMX_LAPIC_LVT_LINT0];
	return !(lvt0 & APIC_LVT_MASKED) &&
	       (lvt0 & APIC_MODE_MASK) == APIC_DM_EXTINT;
}

/**
 * vmx_apic_set_base() - a write of IA32_APIC_BASE
 * @v: the vCPU.
 * @val: the new value.
 * @host: userspace sets it (VMXLAB_SET_SREGS): any legal state, no
 *        transition rules, and the BSP flag too.
 *
 * Without an in-kernel APIC the value is only kept, as before. With one,
 * SDM Vol. 3A 11.12.5: reserved bits (beyond MAXPHYADDR, 7:0, 9) and the
 * state EXTD without EN are refused, and so are the moves from x2APIC to
 * xAPIC mode and from disabled to x2APIC mode (figure 11-28). Disabling
 * the APIC resets it (11.4.3); entering x2APIC mode fixes its ID and LDR
 * (11.12.2). The BSP flag is the reset value's (KVM too lets only the host
 * change it).
 *
 * Return: 0, or -EINVAL for #GP.
 */
int vmx_apic_set_base(struct vmx_vcpu *v, u64 val, bool host)
{
	u64 keep = GENMASK_ULL(boot_cpu_data.x86_phys_bits - 1, 12) |
		   MSR_IA32_APICBASE_BSP | X2APIC_ENABLE |
		   MSR_IA32_APICBASE_ENABLE;
	enum apic_mode old = apic_mode(v->apic_base), new = apic_mode(val);

	if (!v->apic) {
		v->apic_base = val;
		return 0;
	}
	if ((val & ~keep) || new == APIC_MODE_INVALID)
		return -EINVAL;
	if (!host && ((old == APIC_MODE_X2APIC && new == APIC_MODE_XAPIC) ||
		      (old == APIC_MODE_DISABLED && new == APIC_MODE_X2APIC)))
		return -EINVAL;
	if (!host)
		val = (val & ~MSR_IA32_APICBASE_BSP) |
		      (v->apic_base & MSR_IA32_APICBASE_BSP);
	v->apic_base = val;
	if (new == old)
		return 0;
	if (new == APIC_MODE_DISABLED || old == APIC_MODE_X2APIC)
		vmx_lapic_reset(v->apic, false);
	if (new == APIC_MODE_X2APIC)
		vmx_lapic_set_x2apic(v->apic);
	return 0;
}

/**
 * vmx_apic_mmio() - @gpa is in the xAPIC page, and the APIC is in xAPIC mode
 * @v: the vCPU.
 * @gpa: the guest-physical address of an EPT violation.
 *
 * Return: true if so (the access is the APIC's, not userspace's).
 */
bool vmx_apic_mmio(struct vmx_vcpu *v, u64 gpa)
{
	return v->apic && apic_mode(v->apic_base) == APIC_MODE_XAPIC &&
	       (gpa & PAGE_MASK) == (v->apic_base & PAGE_MASK);
}

/* What a register write left to do (lapic.h, VMX_LAPIC_ACT_*). */
static void apic_act(struct vmx_vcpu *v, int act)
{
	const struct vmx_lapic_ipi *ipi = &v->apic->ipi;

	if (!(act & VMX_LAPIC_ACT_IPI))
		return;
	/*
	 * A fixed IPI to itself is in the IRR already (self_done). An NMI to
	 * itself is queued like VMXLAB_INJECT's; other vCPUs, INIT and SIPI
	 * wait for SMP guests: there is no other vCPU to reach yet.
	 */
	if (ipi->delivery == (APIC_DM_NMI >> 8) &&
	    vmx_lapic_ipi_to_self(v->apic) &&
	    (vmx_config()->features & VMXLAB_FEAT_VIRTUAL_NMIS))
		v->events |= VMX_EV_NMI;
}

/**
 * vmx_apic_mmio_access() - a MOV to or from the xAPIC page
 * @v: the vCPU, loaded.
 * @gpa: the address (vmx_apic_mmio() said yes).
 * @len: 1, 2, 4 or 8 bytes.
 * @write: a store.
 * @val: the value stored, or where the value loaded goes.
 *
 * Registers are 32 bits wide at 16-byte aligned offsets and only such
 * accesses are defined (SDM Vol. 3A 11.4.1); others read the bytes of the
 * register they fall in (0 beyond its 4 bytes) and write nothing.
 */
void vmx_apic_mmio_access(struct vmx_vcpu *v, u64 gpa, unsigned int len,
			  bool write, u64 *val)
{
	u32 off = gpa & ~PAGE_MASK, reg = off & ~0xfU, in = off & 0xf;
	u64 now = guest_tsc(v);

	if (write) {
		if (len == 4 && !in)
			apic_act(v, vmx_lapic_write(v->apic, reg, *val, now));
		return;
	}
	*val = in < 4 ? vmx_lapic_read(v->apic, reg, now) >> (8 * in) : 0;
}

/**
 * vmx_apic_msr_read() - RDMSR of an MSR the APIC owns
 * @v: the vCPU.
 * @msr: the MSR.
 * @val: where the value goes.
 *
 * Return: 0; -EINVAL for #GP (x2APIC MSRs outside x2APIC mode, and what
 * lapic.c refuses); -ENOENT if @msr is not the APIC's.
 */
int vmx_apic_msr_read(struct vmx_vcpu *v, u32 msr, u64 *val)
{
	if (!v->apic)
		return -ENOENT;
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = vmx_lapic_tsc_deadline(v->apic, guest_tsc(v));
		return 0;
	}
	if (msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (apic_mode(v->apic_base) != APIC_MODE_X2APIC)
		return -EINVAL;
	return vmx_lapic_msr_read(v->apic, msr, val, guest_tsc(v));
}

/**
 * vmx_apic_msr_write() - WRMSR of an MSR the APIC owns
 * @v: the vCPU.
 * @msr: the MSR.
 * @val: the value.
 *
 * Return: as vmx_apic_msr_read().
 */
int vmx_apic_msr_write(struct vmx_vcpu *v, u32 msr, u64 val)
{
	int act;

	if (!v->apic)
		return -ENOENT;
	if (msr == MSR_IA32_TSC_DEADLINE) {
		act = vmx_lapic_set_tsc_deadline(v->apic, val, guest_tsc(v));
		return act < 0 ? act : 0;
	}
	if (msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -ENOENT;
	if (apic_mode(v->apic_base) != APIC_MODE_X2APIC)
		return -EINVAL;
	act = vmx_lapic_msr_write(v->apic, msr, val, guest_tsc(v));
	if (act < 0)
		return act;
	apic_act(v, act);
	return 0;
}

/*
 * CR8 is TPR[7:4] (SDM Vol. 3A 11.8.6.1): MOV to CR8 writes TPR[7:4] and
 * clears TPR[3:0]; MOV from CR8 reads TPR[7:4].
 */
void vmx_apic_set_cr8(struct vmx_vcpu *v, u64 cr8)
{
	v->apic->tpr = (cr8 & 0xf) << 4;
}

u64 vmx_apic_cr8(struct vmx_vcpu *v)
{
	return v->apic->tpr >> 4;
}

/* The timer's LVT entry lets its expiry through to the IRR. */
static bool timer_unmasked(const struct vmx_lapic *l)
{
	return !(l->lvt[VMX_LAPIC_LVT_TIMER] & APIC_LVT_MASKED);
}

/**
 * vmx_apic_before_entry() - the timer up to now, and the next alarm
 * @v: the vCPU, loaded.
 *
 * Takes the timer's expiries that are due (their interrupt goes to the
 * IRR), and sets the VMX-preemption timer of this entry to end the slice
 * no later than the next expiry, so that the guest leaves when the timer
 * fires, whatever it does meanwhile (KVM's "hv timer" does the same).
 *
 * Return: the vector the APIC presents to the CPU now, or -1.
 */
int vmx_apic_before_entry(struct vmx_vcpu *v)
{
	struct vmx_lapic *l = v->apic;
	u64 now = guest_tsc(v), next = vmx_lapic_timer_next(l), left;

	if (next <= now) {
		vmx_lapic_timer_fire(l, now);
		next = vmx_lapic_timer_next(l);
	}
	v->timer_value = v->slice;
	if (next != VMX_LAPIC_TIMER_NONE && next > now) {
		left = (next - now) >> vmx_config()->preemption_timer_shift;
		if (left < v->slice)
			v->timer_value = left;
	}
	if (apic_mode(v->apic_base) == APIC_MODE_DISABLED)
		return -1;
	return vmx_lapic_pending(l);
}

/**
 * vmx_apic_halt() - HLT with RFLAGS.IF set, and an APIC
 * @v: the vCPU, loaded.
 *
 * Return: VMX_RESUME if the APIC has an interrupt for the guest now (HLT
 * ends at once: events.c injects it), VMX_HALT if its timer will raise
 * one later (the run loop sleeps until then, vmx_apic_block()), else
 * VMX_TO_USER (userspace owns every other source).
 */
enum vmx_exit_action vmx_apic_halt(struct vmx_vcpu *v)
{
	if (vmx_apic_before_entry(v) >= 0)
		return VMX_RESUME;
	if (apic_mode(v->apic_base) != APIC_MODE_DISABLED &&
	    vmx_lapic_timer_next(v->apic) != VMX_LAPIC_TIMER_NONE &&
	    timer_unmasked(v->apic))
		return VMX_HALT;
	return VMX_TO_USER;
}

/**
 * vmx_apic_block() - sleep in HLT until the APIC timer's next expiry
 * @v: the vCPU, not loaded (the run loop calls it between entries).
 *
 * A signal ends the sleep early (the run loop then returns -EINTR, and
 * userspace's own interrupt sources get their turn).
 */
void vmx_apic_block(struct vmx_vcpu *v)
{
	u64 next = vmx_lapic_timer_next(v->apic), now = guest_tsc(v);
	ktime_t kt;

	if (next == VMX_LAPIC_TIMER_NONE || next <= now)
		return;
	kt = ns_to_ktime(min_t(u64, vmx_lapic_ticks_to_ns(v->apic, next - now),
			       KTIME_MAX));
	set_current_state(TASK_INTERRUPTIBLE);
	schedule_hrtimeout(&kt, HRTIMER_MODE_REL);
}

/**
 * vmx_apic_tsc_shift() - the guest's TSC was written
 * @v: the vCPU.
 * @delta: how far it moved.
 *
 * A one-shot or periodic count runs on the bus clock, not on the TSC
 * (SDM Vol. 3A 11.5.4): its start moves with the TSC, so that it ends when
 * it would have. A TSC deadline is a TSC value and stays.
 */
void vmx_apic_tsc_shift(struct vmx_vcpu *v, s64 delta)
{
	if (v->apic && v->apic->running)
		v->apic->t0 += delta;
}
