/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model of the local APIC (SDM Vol. 3A chapter 11) as pure logic: the
 * register file as the guest sees it through the xAPIC page or the x2APIC
 * MSRs, the IRR/ISR/TMR priority machinery, and the timer's arithmetic.
 * No VMCS, no hrtimer, no lock, no allocation: the caller owns a struct
 * vmx_lapic, serialises the calls (the vCPU's mutex) and passes time in.
 *
 * Time is guest TSC ticks (vmxlab guests read the host's TSC unchanged).
 * The timer's input clock (the "bus clock" the divide configuration
 * register divides, SDM 11.5.4) runs at @bus_khz against a TSC of
 * @tsc_khz: one bus clock is tsc_khz / bus_khz ticks, kept exactly as a
 * fraction, so periodic expiries do not drift. VMX_LAPIC_BUS_KHZ is
 * KVM's choice, 1 GHz. TSC-deadline mode (11.5.4.1) is in TSC ticks
 * already; vmx_lapic_ticks_to_ns() turns a delay into an hrtimer's.
 *
 * What the caller does with the results:
 * - vmx_lapic_write(), vmx_lapic_msr_write(), vmx_lapic_set_tsc_deadline()
 *   return VMX_LAPIC_ACT_* flags: re-read vmx_lapic_timer_next(), route
 *   @ipi, tell the I/O APIC about the EOI of @eoi_vector;
 * - after any call, vmx_lapic_pending() says whether an interrupt waits;
 *   when the guest can take it, vmx_lapic_ack() is the INTA cycle that
 *   gives the vector to inject (events.c);
 * - at or after vmx_lapic_timer_next(), vmx_lapic_timer_fire().
 *
 * Not modelled here: IA32_APIC_BASE (the EN/EXTD transitions of 11.12.5:
 * the caller calls vmx_lapic_set_x2apic() and vmx_lapic_reset()),
 * lowest-priority arbitration, LINT0/LINT1 and the
 * thermal and performance-counter sources (their LVTs are only stored),
 * NMI, INIT, SIPI and SMI (reported as IPIs, never taken), CMCI (absent),
 * directed EOI (not offered in the version register).
 */
#ifndef VMXLAB_ARCH_X86_LAPIC_H
#define VMXLAB_ARCH_X86_LAPIC_H

#include <linux/bits.h>
#include <linux/limits.h>
#include <linux/types.h>

/*
 * Version register (SDM 11.4.8): an xAPIC (0x14) with six LVT entries,
 * max LVT entry 5: timer, thermal, performance counters, LINT0, LINT1,
 * error. KVM's value for a vCPU without MCG_CMCI_P; no CMCI LVT (0x2f0 is
 * reserved), no EOI-broadcast suppression (bit 24 clear).
 */
#define VMX_LAPIC_VERSION	0x00050014

/* The LVT entries, in register order from 0x320 (SDM Table 11-1). */
enum vmx_lapic_lvt {
	VMX_LAPIC_LVT_TIMER,
	VMX_LAPIC_LVT_THERMAL,
	VMX_LAPIC_LVT_PERF,
	VMX_LAPIC_LVT_LINT0,
	VMX_LAPIC_LVT_LINT1,
	VMX_LAPIC_LVT_ERROR,
	VMX_LAPIC_NR_LVT
};

/* The timer's input clock: 1 GHz, as KVM's (APIC_BUS_CYCLE_NS = 1). */
#define VMX_LAPIC_BUS_KHZ	1000000U

/* vmx_lapic_timer_next(): nothing armed. */
#define VMX_LAPIC_TIMER_NONE	U64_MAX

/* What a register write leaves the caller to do. */
#define VMX_LAPIC_ACT_TIMER	BIT(0)	/* the next expiry may have moved */
#define VMX_LAPIC_ACT_IPI	BIT(1)	/* @ipi: an IPI to route */
#define VMX_LAPIC_ACT_EOI	BIT(2)	/* @eoi_vector was level-triggered */

/* ICR destination shorthands, bits 19:18 (SDM 11.6.1). */
#define VMX_LAPIC_SH_NONE	0
#define VMX_LAPIC_SH_SELF	1
#define VMX_LAPIC_SH_ALL	2	/* all including self */
#define VMX_LAPIC_SH_OTHERS	3	/* all excluding self */

/**
 * struct vmx_lapic_ipi - an IPI the guest sent, decoded from the ICR
 * @dest: the destination: ICR[63:56] in xAPIC mode, ICR[63:32] in x2APIC
 *        mode (SDM 11.6.1, 11.12.9).
 * @vector: ICR[7:0].
 * @delivery: ICR[10:8], the delivery mode (APIC_DM_* >> 8: 0 fixed, 1
 *            lowest priority, 2 SMI, 4 NMI, 5 INIT, 6 start-up).
 * @logical: ICR[11], logical destination mode.
 * @level_assert: ICR[14], level: 1 assert, 0 de-assert (INIT de-assert).
 * @level_trig: ICR[15], level-triggered.
 * @shorthand: ICR[19:18], VMX_LAPIC_SH_*.
 * @self_done: this APIC has already taken it into its IRR: the caller
 *             delivers it to the other destinations only.
 */
struct vmx_lapic_ipi {
	u32 dest;
	u8 vector;
	u8 delivery;
	bool logical;
	bool level_assert;
	bool level_trig;
	u8 shorthand;
	bool self_done;
};

/**
 * struct vmx_lapic - the state of one local APIC
 * @id: the x2APIC ID (the vCPU id); the xAPIC ID is its low byte.
 * @x2apic: in x2APIC mode (IA32_APIC_BASE.EXTD, SDM 11.12.1).
 * @tpr: task priority, bits 7:0.
 * @ldr: logical destination register.
 * @dfr: destination format register (xAPIC only).
 * @svr: spurious-interrupt vector register.
 * @irr: interrupt request register: vector v is bit v % 32 of word v / 32,
 *       the layout of the eight registers at 0x200 (SDM 11.8.4).
 * @isr: in-service register, same layout (0x100).
 * @tmr: trigger mode register, same layout (0x180): 1 level-triggered.
 * @esr: error status as the guest reads it, latched by its last write.
 * @esr_pending: errors seen since then (SDM 11.5.3).
 * @icr_lo: ICR[31:0] as written, delivery status always 0 (idle).
 * @icr_hi: ICR[63:32]: destination in bits 31:24 (xAPIC) or 31:0.
 * @lvt: the LVT entries, by enum vmx_lapic_lvt.
 * @tsc_khz: the TSC's frequency.
 * @bus_khz: the timer's input clock, at most @tsc_khz.
 * @tmict: timer initial count.
 * @tdcr: timer divide configuration.
 * @tsc_deadline: IA32_TSC_DEADLINE, 0: disarmed.
 * @running: the one-shot or periodic count is running.
 * @t0: while @running, the count was @count at TSC @t0 + @t0_frac /
 *      @bus_khz exactly,
 * @t0_frac: the fraction of a tick,
 * @count: and that count (at least 1).
 * @ipi: the IPI of the last write that returned VMX_LAPIC_ACT_IPI.
 * @eoi_vector: the vector of the last write that returned
 *              VMX_LAPIC_ACT_EOI.
 */
struct vmx_lapic {
	u32 id;
	bool x2apic;
	u32 tpr;
	u32 ldr;
	u32 dfr;
	u32 svr;
	u32 irr[8];
	u32 isr[8];
	u32 tmr[8];
	u32 esr;
	u32 esr_pending;
	u32 icr_lo;
	u32 icr_hi;
	u32 lvt[VMX_LAPIC_NR_LVT];
	u32 tsc_khz;
	u32 bus_khz;
	u32 tmict;
	u32 tdcr;
	u64 tsc_deadline;
	bool running;
	u64 t0;
	u32 t0_frac;
	u32 count;
	struct vmx_lapic_ipi ipi;
	u8 eoi_vector;
};

void vmx_lapic_init(struct vmx_lapic *l, u32 id, u32 tsc_khz, u32 bus_khz);
void vmx_lapic_reset(struct vmx_lapic *l, bool init);
void vmx_lapic_set_x2apic(struct vmx_lapic *l);

u32 vmx_lapic_read(struct vmx_lapic *l, u32 offset, u64 now);
int vmx_lapic_write(struct vmx_lapic *l, u32 offset, u32 val, u64 now);
int vmx_lapic_msr_read(struct vmx_lapic *l, u32 msr, u64 *val, u64 now);
int vmx_lapic_msr_write(struct vmx_lapic *l, u32 msr, u64 val, u64 now);
u64 vmx_lapic_tsc_deadline(struct vmx_lapic *l, u64 now);
int vmx_lapic_set_tsc_deadline(struct vmx_lapic *l, u64 val, u64 now);

bool vmx_lapic_ipi_to_self(const struct vmx_lapic *l);
bool vmx_lapic_accept(struct vmx_lapic *l, u8 vector, bool level);
int vmx_lapic_pending(const struct vmx_lapic *l);
u8 vmx_lapic_ack(struct vmx_lapic *l);
int vmx_lapic_eoi(struct vmx_lapic *l, bool *level);

u64 vmx_lapic_timer_next(const struct vmx_lapic *l);
u64 vmx_lapic_timer_fire(struct vmx_lapic *l, u64 now);
u64 vmx_lapic_ticks_to_ns(const struct vmx_lapic *l, u64 ticks);

#endif /* VMXLAB_ARCH_X86_LAPIC_H */
