// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC model (see lapic.h): registers, priorities and the timer,
 * after SDM Vol. 3A chapter 11. Section numbers below are of that chapter.
 *
 * Every access first brings the timer up to @now (vmx_lapic_timer_fire()),
 * so that what the guest reads is what a real APIC would show at that
 * moment even if the caller's hrtimer has not run yet: a one-shot count
 * that has run out reads 0 and its vector is in the IRR.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <asm/apicdef.h>

#include "lapic.h"

/* Vectors 0-15 are illegal for interrupts through the APIC (11.5.2). */
#define LAPIC_FIRST_VECTOR	16

/* Timer mode, LVT timer bits 18:17 (11.5.1, Figure 11-8). */
#define LAPIC_TIMER_MODE	(3U << 17)

/*
 * ICR[31:0] bits that hold something (11.6.1): vector, delivery mode,
 * destination mode, level, trigger mode, shorthand.
 */
#define LAPIC_ICR_MASK		0x000ccfffU

/* Registers by what software may do with them (Table 11-1, Table 11-6). */
enum lapic_reg_kind {
	REG_RESERVED,
	REG_RO,
	REG_WO,
	REG_RW,
};

/* Bits an LVT write keeps (Figure 11-8), by enum vmx_lapic_lvt. */
static const u32 lvt_wmask[VMX_LAPIC_NR_LVT] = {
	[VMX_LAPIC_LVT_TIMER] = APIC_VECTOR_MASK | APIC_LVT_MASKED |
				LAPIC_TIMER_MODE,
	[VMX_LAPIC_LVT_THERMAL] = APIC_VECTOR_MASK | APIC_MODE_MASK |
				  APIC_LVT_MASKED,
	[VMX_LAPIC_LVT_PERF] = APIC_VECTOR_MASK | APIC_MODE_MASK |
			       APIC_LVT_MASKED,
	[VMX_LAPIC_LVT_LINT0] = APIC_VECTOR_MASK | APIC_MODE_MASK |
				APIC_INPUT_POLARITY | APIC_LVT_LEVEL_TRIGGER |
				APIC_LVT_MASKED,
	[VMX_LAPIC_LVT_LINT1] = APIC_VECTOR_MASK | APIC_MODE_MASK |
				APIC_INPUT_POLARITY | APIC_LVT_LEVEL_TRIGGER |
				APIC_LVT_MASKED,
	[VMX_LAPIC_LVT_ERROR] = APIC_VECTOR_MASK | APIC_LVT_MASKED,
};

static bool vec_test(const u32 *reg, unsigned int v)
{
	return reg[v / 32] & BIT(v % 32);
}

static void vec_set(u32 *reg, unsigned int v)
{
	reg[v / 32] |= BIT(v % 32);
}

static void vec_clear(u32 *reg, unsigned int v)
{
	reg[v / 32] &= ~BIT(v % 32);
}

/* The highest vector set in an IRR/ISR/TMR, or -1. */
static int vec_highest(const u32 *reg)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (reg[i])
			return i * 32 + fls(reg[i]) - 1;
	return -1;
}

static bool sw_enabled(const struct vmx_lapic *l)
{
	return l->svr & APIC_SPIV_APIC_ENABLED;
}

/*
 * The APIC found an error (11.5.3): it is recorded whether or not the LVT
 * error entry is masked. Only the first error since the last ESR write
 * raises the error interrupt: the write "rearms" it. An error vector that
 * is itself illegal records one more error and stops there.
 */
static void lapic_error(struct vmx_lapic *l, u32 bits)
{
	bool first = !l->esr_pending;
	u32 lvt = l->lvt[VMX_LAPIC_LVT_ERROR];

	l->esr_pending |= bits;
	if (first && !(lvt & APIC_LVT_MASKED))
		vmx_lapic_accept(l, lvt & APIC_VECTOR_MASK, false);
}

/*
 * PPR (11.8.3.1): the TPR when its class is at least that of the highest
 * vector in service, else that vector's class with bits 3:0 clear.
 */
static u32 lapic_ppr(const struct vmx_lapic *l)
{
	u32 isrv = max(vec_highest(l->isr), 0);

	if ((l->tpr & 0xf0) >= (isrv & 0xf0))
		return l->tpr;
	return isrv & 0xf0;
}

/* x2APIC logical ID (11.12.10.2): cluster ID in 31:16, one bit in 15:0. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) & 0xffff) << 16 | BIT(id & 0xf);
}

/**
 * vmx_lapic_init() - a local APIC at power-up
 * @l: the state.
 * @id: its x2APIC ID (the vCPU id); the xAPIC ID is the low byte.
 * @tsc_khz: the guest TSC's frequency, the unit of every time argument.
 * @bus_khz: the timer's input clock, normally VMX_LAPIC_BUS_KHZ. Kept
 *           between @tsc_khz >> 24 and @tsc_khz: no faster than the TSC,
 *           so that counting never needs more than 64 bits.
 */
void vmx_lapic_init(struct vmx_lapic *l, u32 id, u32 tsc_khz, u32 bus_khz)
{
	l->id = id;
	l->tsc_khz = max(tsc_khz, 1U);
	l->bus_khz = clamp(bus_khz, max(l->tsc_khz >> 24, 1U), l->tsc_khz);
	vmx_lapic_reset(l, false);
}

/**
 * vmx_lapic_reset() - the state after RESET or INIT
 * @l: the state, set up by vmx_lapic_init().
 * @init: INIT (else RESET).
 *
 * 11.4.7.1: IRR, ISR, TMR, ICR, LDR, TPR, the timer's counts and divide
 * configuration 0, DFR all ones, every LVT entry masked, SVR 0xff (the
 * APIC software-disabled). The ID and the version are kept. RESET returns
 * to xAPIC mode; INIT keeps the mode and, in x2APIC mode, the LDR that
 * the ID gives (11.4.7.3, 11.12.5.1). The TSC deadline is cleared.
 */
void vmx_lapic_reset(struct vmx_lapic *l, bool init)
{
	u32 id = l->id, tsc_khz = l->tsc_khz, bus_khz = l->bus_khz;
	bool x2apic = init && l->x2apic;
	int i;

	memset(l, 0, sizeof(*l));
	l->id = id;
	l->tsc_khz = tsc_khz;
	l->bus_khz = bus_khz;
	l->x2apic = x2apic;
	l->dfr = 0xffffffff;
	l->svr = 0xff;
	for (i = 0; i < VMX_LAPIC_NR_LVT; i++)
		l->lvt[i] = APIC_LVT_MASKED;
	if (x2apic)
		l->ldr = x2apic_ldr(id);
}

/**
 * vmx_lapic_set_x2apic() - the guest switched from xAPIC to x2APIC mode
 * @l: the state, in xAPIC mode.
 *
 * IA32_APIC_BASE.EXTD went from 0 to 1 with EN set (11.12.5.1): the ID
 * becomes the 32-bit x2APIC ID and the LDR is derived from it
 * (11.12.10.2); the other registers keep their values. The way back is
 * through the disabled state, after which the caller resets the APIC.
 */
void vmx_lapic_set_x2apic(struct vmx_lapic *l)
{
	l->x2apic = true;
	l->ldr = x2apic_ldr(l->id);
}

/*
 * What software may do with the register at @reg (Table 11-1 in xAPIC
 * mode, Table 11-6 in x2APIC mode). The ID is read-only in both: it has
 * been since Nehalem (the note before Table 11-1). The arbitration
 * priority and remote read registers exist only before the Pentium 4: in
 * xAPIC mode they read 0 without the illegal-register error (Table 11-1,
 * note 1); x2APIC has no MSR for them, nor for DFR and the ICR's upper
 * half. The CMCI LVT is reserved: the version register counts six LVTs.
 */
static enum lapic_reg_kind reg_kind(const struct vmx_lapic *l, u32 reg)
{
	switch (reg) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_PROCPRI:
	case APIC_ISR ... APIC_ISR + 0x70:
	case APIC_TMR ... APIC_TMR + 0x70:
	case APIC_IRR ... APIC_IRR + 0x70:
	case APIC_TMCCT:
		return REG_RO;
	case APIC_ARBPRI:
	case APIC_RRR:
		return l->x2apic ? REG_RESERVED : REG_RO;
	case APIC_EOI:
		return REG_WO;
	case APIC_LDR:
		return l->x2apic ? REG_RO : REG_RW;
	case APIC_DFR:
	case APIC_ICR2:
		return l->x2apic ? REG_RESERVED : REG_RW;
	case APIC_SELF_IPI:
		return l->x2apic ? REG_WO : REG_RESERVED;
	case APIC_TASKPRI:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_ICR:
	case APIC_LVTT ... APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TDCR:
		return REG_RW;
	}
	return REG_RESERVED;
}

/*
 * The bits of a register a write sets; the others are reserved (x2APIC
 * mode: #GP if set, 11.12.1.3) unless reg_romask() has them. EOI and ESR
 * take no bits: x2APIC mode wants 0 written to them (Table 11-6).
 */
static u32 reg_wmask(u32 reg)
{
	switch (reg) {
	case APIC_TASKPRI:
		return APIC_TPRI_MASK;
	case APIC_LDR:
		return APIC_LDR_MASK;
	case APIC_DFR:
		return 0xf0000000;	/* the model; 27:0 read as ones */
	case APIC_SPIV:
		/* Vector, APIC enable, focus checking (11.9, Figure 11-23). */
		return 0x3ff;
	case APIC_ICR:
		return LAPIC_ICR_MASK;
	case APIC_ICR2:
		return 0xff000000;
	case APIC_LVTT ... APIC_LVTERR:
		return lvt_wmask[(reg - APIC_LVTT) >> 4];
	case APIC_TMICT:
		return 0xffffffff;
	case APIC_TDCR:
		return APIC_TDR_DIV_1;	/* bits 0, 1 and 3 (Figure 11-10) */
	case APIC_SELF_IPI:
		return APIC_VECTOR_MASK;
	}
	return 0;
}

/* Read-only bits of writable registers: written values are ignored. */
static u32 reg_romask(u32 reg)
{
	switch (reg) {
	case APIC_LVT0:
	case APIC_LVT1:
		return APIC_SEND_PENDING | APIC_LVT_REMOTE_IRR;
	case APIC_LVTT ... APIC_LVTPC:
	case APIC_LVTERR:
		return APIC_SEND_PENDING;
	}
	return 0;
}

static u32 timer_mode(const struct vmx_lapic *l)
{
	return l->lvt[VMX_LAPIC_LVT_TIMER] & LAPIC_TIMER_MODE;
}

/* Divide configuration (11.5.4, Figure 11-10): bits 3,1:0; 111 is 1. */
static unsigned int timer_divisor(u32 tdcr)
{
	unsigned int v = (tdcr & 3) | ((tdcr >> 1) & 4);

	return v == 7 ? 1 : 2U << v;
}

/*
 * @clocks bus clocks after the reference point, in whole ticks from @t0
 * plus @frac / @bus_khz of a tick. One bus clock is tsc_khz / bus_khz
 * ticks; the product needs up to 96 bits, the quotient and the remainder
 * (below @bus_khz, so exact in 64-bit arithmetic) fit in 64.
 */
static u64 timer_ticks(const struct vmx_lapic *l, u64 clocks, u32 *frac)
{
	u64 q = mul_u64_u32_div(clocks, l->tsc_khz, l->bus_khz);
	u64 r = clocks * l->tsc_khz - q * l->bus_khz + l->t0_frac;

	if (r >= l->bus_khz) {
		q++;
		r -= l->bus_khz;
	}
	*frac = r;
	return q;
}

/* Bus clocks from the reference point to @now, rounded down. */
static u64 timer_elapsed(const struct vmx_lapic *l, u64 now)
{
	u64 a, x, r;

	if (now <= l->t0)
		return 0;
	a = now - l->t0;
	/* bus_khz <= tsc_khz: the quotient is at most @a. */
	x = mul_u64_u32_div(a, l->bus_khz, l->tsc_khz);
	r = a * l->bus_khz - x * l->tsc_khz;
	/* The reference is t0_frac / bus_khz ticks after t0. */
	if (r >= l->t0_frac)
		return x;
	return x ? x - 1 : 0;
}

/*
 * Counts the expiries up to @now and moves the reference point past them.
 * A one-shot count stops at 0; a periodic one reloads the initial count
 * (11.5.4); one-shot and the reserved mode 11b count alike. A TSC
 * deadline fires once TSC >= deadline and disarms itself, clearing
 * IA32_TSC_DEADLINE (11.5.4.1).
 */
static u64 timer_expiries(struct vmx_lapic *l, u64 now)
{
	u64 first, period, e, n, ticks;

	if (timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE) {
		if (!l->tsc_deadline || now < l->tsc_deadline)
			return 0;
		l->tsc_deadline = 0;
		return 1;
	}
	if (!l->running)
		return 0;
	first = (u64)l->count * timer_divisor(l->tdcr);
	e = timer_elapsed(l, now);
	if (e < first)
		return 0;
	if (timer_mode(l) != APIC_LVT_TIMER_PERIODIC || !l->tmict) {
		l->running = false;
		return 1;
	}
	period = (u64)l->tmict * timer_divisor(l->tdcr);
	n = 1 + div64_u64(e - first, period);
	/* The reference moves exactly to the last expiry, fraction kept. */
	ticks = timer_ticks(l, first + (n - 1) * period, &l->t0_frac);
	l->t0 += ticks;
	l->count = l->tmict;
	return n;
}

/* The current count (11.5.4), the timer being up to date at @now. */
static u32 timer_current(const struct vmx_lapic *l, u64 now)
{
	u64 done;

	if (!l->running)
		return 0;
	done = div64_u64(timer_elapsed(l, now), timer_divisor(l->tdcr));
	return done < l->count ? l->count - done : 0;
}

static void timer_start(struct vmx_lapic *l, u32 count, u64 now)
{
	l->running = count != 0;
	l->count = count;
	l->t0 = now;
	l->t0_frac = 0;
}

/**
 * vmx_lapic_timer_next() - when the timer expires next
 * @l: the state.
 *
 * Also while the LVT timer entry is masked: masking stops the interrupt,
 * not the count (11.5.1). The time may have passed already.
 *
 * Return: the first TSC value at which vmx_lapic_timer_fire() finds an
 * expiry, or VMX_LAPIC_TIMER_NONE.
 */
u64 vmx_lapic_timer_next(const struct vmx_lapic *l)
{
	u64 ticks;
	u32 frac;

	if (timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)
		return l->tsc_deadline ? l->tsc_deadline : VMX_LAPIC_TIMER_NONE;
	if (!l->running)
		return VMX_LAPIC_TIMER_NONE;
	ticks = timer_ticks(l, (u64)l->count * timer_divisor(l->tdcr), &frac);
	return l->t0 + ticks + (frac ? 1 : 0);
}

/**
 * vmx_lapic_timer_fire() - let the timer expire up to @now
 * @l: the state.
 * @now: the guest TSC, at or after vmx_lapic_timer_next() normally.
 *
 * The timer's vector goes into the IRR unless the LVT timer entry is
 * masked. A periodic timer that expired several times since the last call
 * (a late hrtimer, or a period shorter than the caller is willing to
 * sleep) raises one interrupt: an IRR bit holds one request per vector,
 * more are collapsed into it (11.8.4), as on hardware while the guest
 * does not take the first. Expiries an earlier register access of the
 * guest already accounted for are not counted again.
 *
 * Return: how many times the timer expired.
 */
u64 vmx_lapic_timer_fire(struct vmx_lapic *l, u64 now)
{
	u64 n = timer_expiries(l, now);
	u32 lvt = l->lvt[VMX_LAPIC_LVT_TIMER];

	if (n && !(lvt & APIC_LVT_MASKED))
		vmx_lapic_accept(l, lvt & APIC_VECTOR_MASK, false);
	return n;
}

/**
 * vmx_lapic_ticks_to_ns() - a delay in TSC ticks as nanoseconds
 * @l: the state (its TSC frequency).
 * @ticks: the delay, e.g. vmx_lapic_timer_next() minus now.
 *
 * Return: the delay rounded down, U64_MAX if it does not fit.
 */
u64 vmx_lapic_ticks_to_ns(const struct vmx_lapic *l, u64 ticks)
{
	u32 rem;
	u64 ms = div_u64_rem(ticks, l->tsc_khz, &rem);

	if (ms > U64_MAX / NSEC_PER_MSEC)
		return U64_MAX;
	return ms * NSEC_PER_MSEC + div_u64((u64)rem * NSEC_PER_MSEC,
					    l->tsc_khz);
}

/**
 * vmx_lapic_tsc_deadline() - RDMSR IA32_TSC_DEADLINE
 * @l: the state.
 * @now: the guest TSC.
 *
 * Return: the armed deadline; 0 when disarmed, after it fired, and in the
 * other timer modes (11.5.4.1).
 */
u64 vmx_lapic_tsc_deadline(struct vmx_lapic *l, u64 now)
{
	vmx_lapic_timer_fire(l, now);
	return l->tsc_deadline;
}

/**
 * vmx_lapic_set_tsc_deadline() - WRMSR IA32_TSC_DEADLINE
 * @l: the state.
 * @val: the deadline; 0 disarms the timer.
 * @now: the guest TSC.
 *
 * Ignored outside TSC-deadline mode (11.5.4.1). A deadline already passed
 * fires at once: its vector is in the IRR when this returns.
 *
 * Return: VMX_LAPIC_ACT_* flags.
 */
int vmx_lapic_set_tsc_deadline(struct vmx_lapic *l, u64 val, u64 now)
{
	vmx_lapic_timer_fire(l, now);
	if (timer_mode(l) != APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	l->tsc_deadline = val;
	vmx_lapic_timer_fire(l, now);
	return VMX_LAPIC_ACT_TIMER;
}

/**
 * vmx_lapic_accept() - a fixed interrupt arrives
 * @l: the state.
 * @vector: its vector.
 * @level: level-triggered (sets the TMR bit; edge clears it, 11.8.4).
 *
 * From an IPI, the I/O APIC, an MSI or a local source. Vectors 0-15 are
 * refused and set "received illegal vector" in the ESR (11.5.2, 11.5.3).
 * A software-disabled APIC takes no fixed interrupts: it answers only
 * INIT, NMI, SMI and SIPI (11.4.7.2).
 *
 * Return: true if the vector is newly requested; false if refused, or if
 * its IRR bit was set already (the two requests are one, 11.8.4).
 */
bool vmx_lapic_accept(struct vmx_lapic *l, u8 vector, bool level)
{
	if (!sw_enabled(l))
		return false;
	if (vector < LAPIC_FIRST_VECTOR) {
		lapic_error(l, APIC_ESR_RECVILL);
		return false;
	}
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	if (vec_test(l->irr, vector))
		return false;
	vec_set(l->irr, vector);
	return true;
}

/**
 * vmx_lapic_pending() - the interrupt the APIC presents to the CPU
 * @l: the state.
 *
 * The highest requested vector, if its priority class (bits 7:4) is above
 * the processor priority's (11.8.3.1, 11.8.4): a vector waits for the
 * ones in service of its class and above, and for the TPR. Interrupts
 * held in the IRR while the APIC is software-disabled are still presented
 * (11.4.7.2: they "require masking or handling by the CPU"; KVM does the
 * same). Whether the CPU can take it now (RFLAGS.IF, blocking) is the
 * caller's question.
 *
 * Return: the vector, or -1.
 */
int vmx_lapic_pending(const struct vmx_lapic *l)
{
	int v = vec_highest(l->irr);

	if (v < 0 || (v & 0xf0) <= (lapic_ppr(l) & 0xf0))
		return -1;
	return v;
}

/**
 * vmx_lapic_ack() - the CPU takes the interrupt (INTA)
 * @l: the state.
 *
 * The pending vector moves from the IRR to the ISR (11.8.4). If nothing is
 * pending any more (the TPR rose since vmx_lapic_pending(), say), the APIC
 * gives the spurious vector of the SVR and the ISR is untouched; its
 * handler must not send an EOI (11.9).
 *
 * Return: the vector to deliver.
 */
u8 vmx_lapic_ack(struct vmx_lapic *l)
{
	int v = vmx_lapic_pending(l);

	if (v < 0)
		return l->svr & APIC_VECTOR_MASK;
	vec_clear(l->irr, v);
	vec_set(l->isr, v);
	return v;
}

/**
 * vmx_lapic_eoi() - end of interrupt
 * @l: the state.
 * @level: set to whether the vector was level-triggered (its TMR bit):
 *         then the I/O APIC that sent it wants an EOI too (11.8.5).
 *
 * Clears the highest vector in service: handlers nest by priority, so the
 * one that ends is the one that began last (11.8.5).
 *
 * Return: the vector, or -1 if none was in service.
 */
int vmx_lapic_eoi(struct vmx_lapic *l, bool *level)
{
	int v = vec_highest(l->isr);

	*level = false;
	if (v < 0)
		return -1;
	vec_clear(l->isr, v);
	*level = vec_test(l->tmr, v);
	return v;
}

/*
 * Logical destination mode (11.6.2.2): the destination is a message
 * destination address that this APIC matches through its LDR. Flat model
 * (DFR[31:28] = 1111): any bit of the 8-bit address set in LDR[31:24].
 * Cluster model (0000): the cluster (bits 7:4) equal to LDR[31:28] and a
 * member bit (3:0) set in LDR[27:24]. In x2APIC mode the LDR is the
 * read-only cluster ID in 31:16 and one member bit in 15:0, and the 32-bit
 * destination is matched the same way (11.12.10.2). The all-ones address
 * is a broadcast in every model.
 */
static bool match_logical(const struct vmx_lapic *l, u32 dest)
{
	if (l->x2apic)
		return dest == 0xffffffff ||
		       ((dest >> 16) == (l->ldr >> 16) &&
			(dest & l->ldr & 0xffff));
	if (dest == 0xff)
		return true;
	if ((l->dfr >> 28) == 0xf)
		return dest & (l->ldr >> 24);
	return (dest >> 4) == (l->ldr >> 28) &&
	       (dest & (l->ldr >> 24) & 0xf);
}

/**
 * vmx_lapic_ipi_to_self() - this APIC is a destination of its own IPI
 * @l: the state, whose @ipi the last ICR write decoded.
 *
 * Shorthand self or all-including-self; no shorthand, a physical
 * destination that is its ID or the broadcast ID (11.6.2.1), or a logical
 * one that its LDR matches (11.6.2.2). Whether the IPI goes elsewhere too
 * is the caller's question.
 *
 * Return: true if so.
 */
bool vmx_lapic_ipi_to_self(const struct vmx_lapic *l)
{
	const struct vmx_lapic_ipi *ipi = &l->ipi;
	u32 own = l->x2apic ? l->id : l->id & 0xff;
	u32 bcast = l->x2apic ? 0xffffffff : 0xff;

	switch (ipi->shorthand) {
	case VMX_LAPIC_SH_SELF:
	case VMX_LAPIC_SH_ALL:
		return true;
	case VMX_LAPIC_SH_NONE:
		if (ipi->logical)
			return match_logical(l, ipi->dest);
		return ipi->dest == own || ipi->dest == bcast;
	}
	return false;
}

/*
 * An IPI (11.6.1, 11.12.9). Fixed and lowest-priority IPIs with a vector
 * below 16 are not sent: "send illegal vector" (11.5.3). A fixed IPI for
 * this APIC (vmx_lapic_ipi_to_self()) goes into its IRR here, and the
 * caller is told only if others may be destinations too: a shorthand of
 * all, a broadcast, a logical destination. Every other delivery mode goes
 * to the caller: lowest priority (one APIC of the set, arbitration),
 * NMI, INIT, SIPI, SMI.
 */
static int send_ipi(struct vmx_lapic *l)
{
	struct vmx_lapic_ipi *ipi = &l->ipi;
	u32 lo = l->icr_lo;
	u32 own = l->x2apic ? l->id : l->id & 0xff;
	bool self_only;

	*ipi = (struct vmx_lapic_ipi) {
		.dest = l->x2apic ? l->icr_hi : l->icr_hi >> 24,
		.vector = lo & APIC_VECTOR_MASK,
		.delivery = (lo & APIC_MODE_MASK) >> 8,
		.logical = lo & APIC_DEST_LOGICAL,
		.level_assert = lo & APIC_INT_ASSERT,
		.level_trig = lo & APIC_INT_LEVELTRIG,
		.shorthand = (lo >> 18) & 3,
	};
	if (ipi->delivery <= APIC_DM_LOWEST >> 8 &&
	    ipi->vector < LAPIC_FIRST_VECTOR) {
		lapic_error(l, APIC_ESR_SENDILL);
		return 0;
	}
	self_only = ipi->shorthand == VMX_LAPIC_SH_SELF ||
		    (ipi->shorthand == VMX_LAPIC_SH_NONE && !ipi->logical &&
		     ipi->dest == own);
	if (ipi->delivery == APIC_DM_FIXED >> 8 && vmx_lapic_ipi_to_self(l)) {
		vmx_lapic_accept(l, ipi->vector, ipi->level_trig);
		ipi->self_done = true;
		if (self_only)
			return 0;
	}
	return VMX_LAPIC_ACT_IPI;
}

/*
 * Software-disabling the APIC sets every LVT mask bit, and while it stays
 * disabled LVT writes cannot clear them (11.4.7.2).
 */
static int svr_write(struct vmx_lapic *l, u32 val)
{
	int i;

	l->svr = val;
	if (!sw_enabled(l))
		for (i = 0; i < VMX_LAPIC_NR_LVT; i++)
			l->lvt[i] |= APIC_LVT_MASKED;
	return 0;
}

/*
 * Moving into or out of TSC-deadline mode disarms the timer (11.5.4.1):
 * initial count and deadline are cleared, as KVM does. Between one-shot
 * and periodic the count goes on; the new mode decides what happens when
 * it reaches 0. An illegal vector in an entry is reported when the entry
 * fires, as "received illegal vector" (11.5.2 also lets the APIC report
 * it at the write; the model does not).
 */
static int lvt_write(struct vmx_lapic *l, unsigned int i, u32 val)
{
	bool was_deadline = timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE;

	if (!sw_enabled(l))
		val |= APIC_LVT_MASKED;
	l->lvt[i] = val;
	if (i != VMX_LAPIC_LVT_TIMER)
		return 0;
	if (was_deadline != (timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)) {
		l->running = false;
		l->tmict = 0;
		l->tsc_deadline = 0;
	}
	return VMX_LAPIC_ACT_TIMER;
}

/*
 * The initial count (11.5.4): a write starts counting down from it, and 0
 * stops the timer. In TSC-deadline mode the write is ignored (11.5.4.1).
 */
static int tmict_write(struct vmx_lapic *l, u32 val, u64 now)
{
	if (timer_mode(l) == APIC_LVT_TIMER_TSCDEADLINE)
		return 0;
	l->tmict = val;
	timer_start(l, val, now);
	return VMX_LAPIC_ACT_TIMER;
}

/*
 * A new divisor applies from now on: the count goes on from its current
 * value, the part of a count already gone by is lost.
 */
static int tdcr_write(struct vmx_lapic *l, u32 val, u64 now)
{
	u32 cur = timer_current(l, now);
	bool same = timer_divisor(val) == timer_divisor(l->tdcr);

	l->tdcr = val;
	if (same || !l->running)
		return 0;
	timer_start(l, cur, now);
	return VMX_LAPIC_ACT_TIMER;
}

/* EOI register: an EOI; the caller hears of level-triggered ones. */
static int eoi_write(struct vmx_lapic *l)
{
	bool level;
	int v = vmx_lapic_eoi(l, &level);

	if (v < 0 || !level)
		return 0;
	l->eoi_vector = v;
	return VMX_LAPIC_ACT_EOI;
}

/* A register read, the kind checked and the timer up to date. */
static u32 reg_read(const struct vmx_lapic *l, u32 reg, u64 now)
{
	switch (reg) {
	case APIC_ID:
		return l->x2apic ? l->id : (l->id & 0xff) << 24;
	case APIC_LVR:
		return VMX_LAPIC_VERSION;
	case APIC_TASKPRI:
		return l->tpr;
	case APIC_PROCPRI:
		return lapic_ppr(l);
	case APIC_LDR:
		return l->ldr;
	case APIC_DFR:
		return l->dfr;
	case APIC_SPIV:
		return l->svr;
	case APIC_ISR ... APIC_ISR + 0x70:
		return l->isr[(reg - APIC_ISR) >> 4];
	case APIC_TMR ... APIC_TMR + 0x70:
		return l->tmr[(reg - APIC_TMR) >> 4];
	case APIC_IRR ... APIC_IRR + 0x70:
		return l->irr[(reg - APIC_IRR) >> 4];
	case APIC_ESR:
		return l->esr;
	case APIC_ICR:
		return l->icr_lo;	/* delivery status 0: idle */
	case APIC_ICR2:
		return l->icr_hi;
	case APIC_LVTT ... APIC_LVTERR:
		return l->lvt[(reg - APIC_LVTT) >> 4];
	case APIC_TMICT:
		return l->tmict;
	case APIC_TMCCT:
		return timer_current(l, now);
	case APIC_TDCR:
		return l->tdcr;
	}
	return 0;	/* arbitration priority, remote read */
}

/* A register write, the kind checked and @val masked to reg_wmask(). */
static int reg_write(struct vmx_lapic *l, u32 reg, u32 val, u64 now)
{
	switch (reg) {
	case APIC_TASKPRI:
		l->tpr = val;
		return 0;
	case APIC_EOI:
		return eoi_write(l);
	case APIC_LDR:
		l->ldr = val;
		return 0;
	case APIC_DFR:
		l->dfr = val | 0x0fffffff;
		return 0;
	case APIC_SPIV:
		return svr_write(l, val);
	case APIC_ESR:
		/* The write latches the errors seen since the last (11.5.3). */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return 0;
	case APIC_ICR:
		l->icr_lo = val;
		return send_ipi(l);
	case APIC_ICR2:
		l->icr_hi = val;
		return 0;
	case APIC_LVTT ... APIC_LVTERR:
		return lvt_write(l, (reg - APIC_LVTT) >> 4, val);
	case APIC_TMICT:
		return tmict_write(l, val, now);
	case APIC_TDCR:
		return tdcr_write(l, val, now);
	case APIC_SELF_IPI:
		/* 11.12.11: a fixed, edge-triggered interrupt to itself. */
		if (val < LAPIC_FIRST_VECTOR)
			lapic_error(l, APIC_ESR_SENDILL);
		else
			vmx_lapic_accept(l, val, false);
		return 0;
	}
	return 0;
}

/*
 * The xAPIC page holds a 32-bit register at each 16-byte aligned offset up
 * to 0x3f0 (11.4.1, Table 11-1); other accesses are undefined and the
 * model ignores them, as it does while in x2APIC mode, where the page is
 * not the APIC's (11.12.2).
 */
static bool xapic_offset_ok(const struct vmx_lapic *l, u32 offset)
{
	return !l->x2apic && !(offset & 0xf) && offset <= APIC_SELF_IPI;
}

/**
 * vmx_lapic_read() - a 32-bit read of the xAPIC page
 * @l: the state.
 * @offset: the offset in the page: 16-byte aligned, at most 0x3f0.
 * @now: the guest TSC.
 *
 * Write-only registers (EOI) read 0. A reserved offset reads 0 and sets
 * "illegal register address" in the ESR (11.5.3): no fault in xAPIC mode.
 *
 * Return: the register's value.
 */
u32 vmx_lapic_read(struct vmx_lapic *l, u32 offset, u64 now)
{
	if (!xapic_offset_ok(l, offset))
		return 0;
	vmx_lapic_timer_fire(l, now);
	switch (reg_kind(l, offset)) {
	case REG_RESERVED:
		lapic_error(l, APIC_ESR_ILLREGA);
		return 0;
	case REG_WO:
		return 0;
	default:
		return reg_read(l, offset, now);
	}
}

/**
 * vmx_lapic_write() - a 32-bit write to the xAPIC page
 * @l: the state.
 * @offset: the offset in the page: 16-byte aligned, at most 0x3f0.
 * @val: the value; reserved bits are dropped.
 * @now: the guest TSC.
 *
 * Writes to read-only registers are ignored; to a reserved offset, ignored
 * and "illegal register address" set in the ESR (11.5.3). Writing ICR[31:0]
 * sends the IPI that ICR[63:32] and it describe.
 *
 * Return: VMX_LAPIC_ACT_* flags.
 */
int vmx_lapic_write(struct vmx_lapic *l, u32 offset, u32 val, u64 now)
{
	if (!xapic_offset_ok(l, offset))
		return 0;
	vmx_lapic_timer_fire(l, now);
	switch (reg_kind(l, offset)) {
	case REG_RESERVED:
		lapic_error(l, APIC_ESR_ILLREGA);
		return 0;
	case REG_RO:
		return 0;
	default:
		return reg_write(l, offset, val & reg_wmask(offset), now);
	}
}

/* The register behind an x2APIC MSR (11.12.1.2), or 0 (reserved). */
static u32 x2apic_reg(const struct vmx_lapic *l, u32 msr)
{
	if (!l->x2apic || msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0x3f)
		return 0;
	return (msr - APIC_BASE_MSR) << 4;
}

/**
 * vmx_lapic_msr_read() - RDMSR of an x2APIC register
 * @l: the state.
 * @msr: 0x800-0xbff.
 * @val: the value read; bits 63:32 are 0 except for the ICR.
 * @now: the guest TSC.
 *
 * #GP for a reserved MSR, for a write-only one (EOI, SELF IPI), and for
 * any outside x2APIC mode (Table 11-6, 11.12.2).
 *
 * Return: 0, or -EINVAL: raise #GP(0).
 */
int vmx_lapic_msr_read(struct vmx_lapic *l, u32 msr, u64 *val, u64 now)
{
	u32 reg = x2apic_reg(l, msr);
	enum lapic_reg_kind kind = reg_kind(l, reg);

	if (kind != REG_RO && kind != REG_RW)
		return -EINVAL;
	vmx_lapic_timer_fire(l, now);
	*val = reg_read(l, reg, now);
	if (reg == APIC_ICR)
		*val |= (u64)l->icr_hi << 32;
	return 0;
}

/**
 * vmx_lapic_msr_write() - WRMSR of an x2APIC register
 * @l: the state.
 * @msr: 0x800-0xbff.
 * @val: the value.
 * @now: the guest TSC.
 *
 * #GP for a reserved MSR, a read-only one (ID, version, LDR, PPR, ISR,
 * TMR, IRR, current count), any outside x2APIC mode (Table 11-6, 11.12.2),
 * and a value with a reserved bit set (11.12.1.3): bits 63:32 of all but
 * the ICR, a non-zero EOI or ESR value, ICR bits 12-13, 16-17, 20-31
 * (11.12.9). The ICR is one 64-bit register: the write sends the IPI.
 *
 * Return: VMX_LAPIC_ACT_* flags, or -EINVAL: raise #GP(0).
 */
int vmx_lapic_msr_write(struct vmx_lapic *l, u32 msr, u64 val, u64 now)
{
	u32 reg = x2apic_reg(l, msr);
	enum lapic_reg_kind kind = reg_kind(l, reg);

	if (kind != REG_WO && kind != REG_RW)
		return -EINVAL;
	if (reg == APIC_ICR) {
		if ((u32)val & ~LAPIC_ICR_MASK)
			return -EINVAL;
		vmx_lapic_timer_fire(l, now);
		l->icr_lo = val;
		l->icr_hi = val >> 32;
		return send_ipi(l);
	}
	/* Bits 63:32 are reserved too: not in the u32 masks. */
	if (val & ~(u64)(reg_wmask(reg) | reg_romask(reg)))
		return -EINVAL;
	vmx_lapic_timer_fire(l, now);
	return reg_write(l, reg, val & reg_wmask(reg), now);
}
