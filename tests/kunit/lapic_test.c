// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for arch/x86/lapic.c, the local APIC model (SDM Vol. 3A
 * chapter 11; section numbers below are of that chapter): the state after
 * RESET, what the xAPIC page and the x2APIC MSRs let software do with each
 * register (#GP cases included), TPR/PPR and which interrupt is presented,
 * INTA and EOI, the ESR, the LVT masks, IPIs, and the timer's arithmetic
 * in its three modes.
 *
 * Unless a case says otherwise the APIC has ID 3, a 2 GHz TSC and the
 * 1 GHz timer clock: one bus clock is 2 TSC ticks, and with the reset
 * divide configuration (divide by 2) one count is 4 ticks.
 */
#include <kunit/test.h>

#include "../../arch/x86/lapic.c"

#define LID		3
#define TSC_KHZ		2000000U
#define BUS_KHZ		VMX_LAPIC_BUS_KHZ
#define NONE		VMX_LAPIC_TIMER_NONE
#define ACT_TIMER	VMX_LAPIC_ACT_TIMER
#define ACT_IPI		VMX_LAPIC_ACT_IPI
#define ACT_EOI		VMX_LAPIC_ACT_EOI
#define GP		(-EINVAL)
#define LVT_ONESHOT	APIC_LVT_TIMER_ONESHOT
#define LVT_PERIODIC	APIC_LVT_TIMER_PERIODIC
#define LVT_DEADLINE	APIC_LVT_TIMER_TSCDEADLINE
#define MASKED		APIC_LVT_MASKED
#define MSR(reg)	(APIC_BASE_MSR + ((reg) >> 4))

static struct vmx_lapic *new_lapic(struct kunit *test, u32 id, u32 tsc_khz,
				   u32 bus_khz)
{
	struct vmx_lapic *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, l);
	vmx_lapic_init(l, id, tsc_khz, bus_khz);
	return l;
}

/* The state after RESET, through the xAPIC page (11.4.7.1). */
struct reset_case {
	const char *desc;
	u32 offset;
	u32 want;
};

static const struct reset_case reset_cases[] = {
	/* The xAPIC ID is in bits 31:24. */
	{ "id", APIC_ID, LID << 24 },
	/* xAPIC 0x14, max LVT entry 5: six LVTs, no CMCI (lapic.h). */
	{ "version", APIC_LVR, 0x00050014 },
	/* TPR 0. */
	{ "tpr", APIC_TASKPRI, 0 },
	/* Arbitration priority: none since the Pentium 4, reads 0. */
	{ "apr", APIC_ARBPRI, 0 },
	/* PPR 0: TPR 0 and nothing in service. */
	{ "ppr", APIC_PROCPRI, 0 },
	/* LDR 0. */
	{ "ldr", APIC_LDR, 0 },
	/* DFR all ones: the flat model. */
	{ "dfr", APIC_DFR, 0xffffffff },
	/* SVR 0xff: spurious vector 0xff, software-disabled. */
	{ "svr", APIC_SPIV, 0xff },
	/* ISR vectors 31:0 (0-15 can never be set) clear. */
	{ "isr0", APIC_ISR, 0 },
	/* ISR vectors 255:224 clear. */
	{ "isr7", APIC_ISR + 0x70, 0 },
	/* TMR vectors 31:0 clear. */
	{ "tmr0", APIC_TMR, 0 },
	/* TMR vectors 255:224 clear. */
	{ "tmr7", APIC_TMR + 0x70, 0 },
	/* IRR vectors 31:0 clear. */
	{ "irr0", APIC_IRR, 0 },
	/* IRR vectors 255:224 clear. */
	{ "irr7", APIC_IRR + 0x70, 0 },
	/* ESR 0. */
	{ "esr", APIC_ESR, 0 },
	/* ICR[31:0] 0. */
	{ "icr-lo", APIC_ICR, 0 },
	/* ICR[63:32] 0. */
	{ "icr-hi", APIC_ICR2, 0 },
	/* LVT timer: only the mask bit (0x10000), one-shot, vector 0. */
	{ "lvt-timer", APIC_LVTT, MASKED },
	/* LVT thermal sensor: masked. */
	{ "lvt-thermal", APIC_LVTTHMR, MASKED },
	/* LVT performance counters: masked. */
	{ "lvt-perf", APIC_LVTPC, MASKED },
	/* LVT LINT0: masked, fixed, edge, active high. */
	{ "lvt-lint0", APIC_LVT0, MASKED },
	/* LVT LINT1: masked. */
	{ "lvt-lint1", APIC_LVT1, MASKED },
	/* LVT error: masked. */
	{ "lvt-error", APIC_LVTERR, MASKED },
	/* Timer initial count 0: stopped. */
	{ "tmict", APIC_TMICT, 0 },
	/* Timer current count 0. */
	{ "tmcct", APIC_TMCCT, 0 },
	/* Divide configuration 0: divide by 2. */
	{ "tdcr", APIC_TDCR, 0 },
};

static void reset_case_desc(const struct reset_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(reset, reset_cases, reset_case_desc);

static void reset_test(struct kunit *test)
{
	const struct reset_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, TSC_KHZ, BUS_KHZ);

	KUNIT_EXPECT_EQ(test, vmx_lapic_read(l, c->offset, 0), c->want);
	KUNIT_EXPECT_FALSE(test, l->x2apic);
	KUNIT_EXPECT_EQ(test, vmx_lapic_timer_next(l), NONE);
}

/*
 * Scripts: a fresh APIC (ID 3, 2 GHz TSC, 1 GHz bus, time 0), then
 * accesses and checks in order. A check that fails names its step.
 */
enum op_kind {
	OP_END,
	OP_SETUP,	/* re-create: reg = ID, val = TSC kHz, want = bus kHz */
	OP_NOW,		/* the time of the steps that follow: val */
	OP_XW,		/* xAPIC write of val at reg */
	OP_XWF,		/* the same, returning the flags want */
	OP_XR,		/* xAPIC read of reg gives want */
	OP_MW,		/* WRMSR reg = val succeeds */
	OP_MWF,		/* the same, returning the flags want */
	OP_MGP,		/* WRMSR reg = val raises #GP */
	OP_MR,		/* RDMSR reg gives want */
	OP_MRGP,	/* RDMSR reg raises #GP */
	OP_X2APIC,	/* switch to x2APIC mode */
	OP_INIT,	/* INIT (val 1) or RESET (val 0) */
	OP_ACCEPT,	/* a fixed interrupt val, level-triggered if reg */
	OP_ACK,		/* INTA gives vector want */
	OP_EOI,		/* EOI ends vector want, level-triggered if reg */
	OP_PENDING,	/* the interrupt presented is want (-1: none) */
	OP_IRR,		/* IRR bit reg is want */
	OP_ISR,		/* ISR bit reg is want */
	OP_EOIVEC,	/* the level-triggered EOI reported was vector want */
	OP_DLW,		/* WRMSR IA32_TSC_DEADLINE = val returns flags want */
	OP_DLR,		/* RDMSR IA32_TSC_DEADLINE gives want */
	OP_FIRE,	/* the timer expired want times */
	OP_NEXT,	/* the next expiry is want */
	OP_ESR,		/* after a write to latch it, the ESR reads want */
};

struct op {
	u8 op;
	u32 reg;
	u64 val;
	u64 want;
};

#define SETUP(id, tsc, bus)	{ OP_SETUP, id, tsc, bus }
#define NOW(t)		{ OP_NOW, 0, t, 0 }
#define XW(r, v)	{ OP_XW, r, v, 0 }
#define XWF(r, v, f)	{ OP_XWF, r, v, f }
#define XR(r, w)	{ OP_XR, r, 0, w }
#define MW(m, v)	{ OP_MW, m, v, 0 }
#define MWF(m, v, f)	{ OP_MWF, m, v, f }
#define MGP(m, v)	{ OP_MGP, m, v, 0 }
#define MR(m, w)	{ OP_MR, m, 0, w }
#define MRGP(m)		{ OP_MRGP, m, 0, 0 }
#define X2APIC		{ OP_X2APIC, 0, 0, 0 }
#define INIT		{ OP_INIT, 0, 1, 0 }
#define RESET		{ OP_INIT, 0, 0, 0 }
#define ACCEPT(v, w)	{ OP_ACCEPT, 0, v, w }
#define ACCEPT_LVL(v, w)	{ OP_ACCEPT, 1, v, w }
#define ACK(w)		{ OP_ACK, 0, 0, w }
#define EOI(w)		{ OP_EOI, 0, 0, (u64)(w) }
#define EOI_LVL(w)	{ OP_EOI, 1, 0, w }
#define PENDING(w)	{ OP_PENDING, 0, 0, (u64)(w) }
#define IRR(v, w)	{ OP_IRR, v, 0, w }
#define ISR(v, w)	{ OP_ISR, v, 0, w }
#define EOIVEC(w)	{ OP_EOIVEC, 0, 0, w }
#define DLW(v, f)	{ OP_DLW, 0, v, f }
#define DLR(w)		{ OP_DLR, 0, 0, w }
#define FIRE(w)		{ OP_FIRE, 0, 0, w }
#define NEXT(w)		{ OP_NEXT, 0, 0, w }
#define ESR(w)		{ OP_ESR, 0, 0, w }
/* Software-enable the APIC, spurious vector 0xff. */
#define ENABLE		XW(APIC_SPIV, 0x1ff)

struct script_case {
	const char *desc;
	struct op ops[24];
};

static const struct script_case script_cases[] = {
	/* xAPIC page: read-only, write-only and reserved registers. */

	/* The ID is read-only (Nehalem and later): the write is dropped. */
	{ "xapic-id-read-only", { XW(APIC_ID, 0x07000000),
				  XR(APIC_ID, LID << 24), ESR(0) } },
	/* The version is read-only. */
	{ "xapic-version-read-only", { XW(APIC_LVR, 0),
				       XR(APIC_LVR, 0x50014) } },
	/* PPR is read-only: it stays what TPR 0x20 makes it. */
	{ "xapic-ppr-read-only", { XW(APIC_TASKPRI, 0x20),
				   XW(APIC_PROCPRI, 0x90),
				   XR(APIC_PROCPRI, 0x20) } },
	/* The IRR is read-only: a write requests nothing. */
	{ "xapic-irr-read-only", { ENABLE, XW(APIC_IRR + 0x10, 0xffffffff),
				   XR(APIC_IRR + 0x10, 0), PENDING(-1) } },
	/* The current count is read-only. */
	{ "xapic-tmcct-read-only", { XW(APIC_TMCCT, 5),
				     XR(APIC_TMCCT, 0) } },
	/* EOI is write-only: it reads 0, and that is no error. */
	{ "xapic-eoi-reads-0", { XR(APIC_EOI, 0), ESR(0) } },
	/* Reserved offset 0x40 reads 0; ESR "illegal register address". */
	{ "xapic-reserved-read", { XR(0x40, 0), ESR(APIC_ESR_ILLREGA) } },
	/* A write to reserved 0x3a0 is dropped, with the same error. */
	{ "xapic-reserved-write", { XW(0x3a0, 0x1234),
				    ESR(APIC_ESR_ILLREGA) } },
	/* SELF IPI exists only in x2APIC mode: reserved, no IRR bit. */
	{ "xapic-self-ipi-reserved", { ENABLE, XW(APIC_SELF_IPI, 0x40),
				       IRR(0x40, 0),
				       ESR(APIC_ESR_ILLREGA) } },
	/* The CMCI LVT is reserved: six LVTs only. */
	{ "xapic-cmci-reserved", { XR(APIC_LVTCMCI, 0),
				   ESR(APIC_ESR_ILLREGA) } },
	/* APR and RRD read 0 without the error (Table 11-1 note 1). */
	{ "xapic-apr-rrd-no-error", { XR(APIC_ARBPRI, 0), XR(APIC_RRR, 0),
				      ESR(0) } },
	/* TPR keeps bits 7:0. */
	{ "xapic-tpr-bits", { XW(APIC_TASKPRI, 0xfffff1a5),
			      XR(APIC_TASKPRI, 0xa5) } },
	/* LDR keeps bits 31:24. */
	{ "xapic-ldr-bits", { XW(APIC_LDR, 0x12345678),
			      XR(APIC_LDR, 0x12000000) } },
	/* DFR: model in 31:28, 27:0 read as ones: cluster model. */
	{ "xapic-dfr-cluster", { XW(APIC_DFR, 0),
				 XR(APIC_DFR, 0x0fffffff) } },
	/* SVR keeps vector, enable and focus bits 9:0. */
	{ "xapic-svr-bits", { XW(APIC_SPIV, 0xffff),
			      XR(APIC_SPIV, 0x3ff) } },
	/* Divide configuration keeps bits 3, 1:0; bit 2 is reserved. */
	{ "xapic-tdcr-bits", { XW(APIC_TDCR, 0xf), XR(APIC_TDCR, 0xb) } },
	/* ICR[63:32] keeps the destination, bits 31:24. */
	{ "xapic-icr-hi-bits", { XW(APIC_ICR2, 0x05ffffff),
				 XR(APIC_ICR2, 0x05000000) } },
	/*
	 * ICR[31:0] of all ones (ExtINT, all excluding self: sent to
	 * the caller) reads back without the reserved bits 13, 16-17,
	 * 20-31 and with delivery status (bit 12) 0: 0x000ccfff.
	 */
	{ "xapic-icr-lo-bits", { XWF(APIC_ICR, 0xffffffff, ACT_IPI),
				 XR(APIC_ICR, 0x000ccfff) } },
	/* An access off the 16-byte grid is ignored. */
	{ "xapic-misaligned", { XW(APIC_TASKPRI + 4, 0x50),
				XR(APIC_TASKPRI, 0), ESR(0) } },
	/* In x2APIC mode the page is not the APIC's: reads 0. */
	{ "xapic-page-in-x2apic-mode", { X2APIC, XR(APIC_LVR, 0) } },

	/* x2APIC MSRs (Table 11-6). */

	/* ID 0x123 reads whole; WRMSR to it raises #GP. */
	{ "x2apic-id", { SETUP(0x123, TSC_KHZ, BUS_KHZ), X2APIC,
			 MR(MSR(APIC_ID), 0x123),
			 MGP(MSR(APIC_ID), 0x123) } },
	/* LDR from ID 0x123: cluster 0x12 in 31:16, bit 3: 0x00120008. */
	{ "x2apic-ldr-derived", { SETUP(0x123, TSC_KHZ, BUS_KHZ), X2APIC,
				  MR(MSR(APIC_LDR), 0x00120008),
				  MGP(MSR(APIC_LDR), 0) } },
	/* ID 3: cluster 0, bit 3: 0x8. */
	{ "x2apic-ldr-id3", { X2APIC, MR(MSR(APIC_LDR), 0x8) } },
	/* The version reads the same as in xAPIC mode; read-only. */
	{ "x2apic-version", { X2APIC, MR(MSR(APIC_LVR), 0x50014),
			      MGP(MSR(APIC_LVR), 0x50014) } },
	/* PPR (0x80a) reads; WRMSR to it raises #GP. */
	{ "x2apic-ppr-read-only", { X2APIC, MR(MSR(APIC_PROCPRI), 0),
				    MGP(MSR(APIC_PROCPRI), 0) } },
	/* ISR (0x810-0x817): read-only, first and last. */
	{ "x2apic-isr-read-only", { X2APIC, MGP(MSR(APIC_ISR), 0),
				    MGP(MSR(APIC_ISR + 0x70), 0) } },
	/* TMR (0x818-0x81f): read-only. */
	{ "x2apic-tmr-read-only", { X2APIC, MGP(MSR(APIC_TMR + 0x30), 0) } },
	/* IRR (0x820-0x827): read-only. */
	{ "x2apic-irr-read-only", { X2APIC, MGP(MSR(APIC_IRR + 0x70), 0) } },
	/* Current count (0x839): read-only. */
	{ "x2apic-tmcct-read-only", { X2APIC, MGP(MSR(APIC_TMCCT), 0) } },
	/* EOI is write-only: RDMSR #GP; only 0 may be written. */
	{ "x2apic-eoi", { X2APIC, MRGP(MSR(APIC_EOI)), MW(MSR(APIC_EOI), 0),
			  MGP(MSR(APIC_EOI), 1) } },
	/* SELF IPI: write-only, vector in 7:0, 31:8 reserved. */
	{ "x2apic-self-ipi", { ENABLE, X2APIC, MRGP(MSR(APIC_SELF_IPI)),
			       MW(MSR(APIC_SELF_IPI), 0x45), IRR(0x45, 1),
			       MGP(MSR(APIC_SELF_IPI), 0x146),
			       IRR(0x46, 0) } },
	/* SELF IPI of vector 15: "send illegal vector", no IRR bit. */
	{ "x2apic-self-ipi-illegal", { ENABLE, X2APIC,
				       MW(MSR(APIC_SELF_IPI), 0xf),
				       IRR(0xf, 0), MW(MSR(APIC_ESR), 0),
				       MR(MSR(APIC_ESR), APIC_ESR_SENDILL) } },
	/* ESR: only 0 may be written. */
	{ "x2apic-esr-nonzero", { X2APIC, MGP(MSR(APIC_ESR), 1),
				  MW(MSR(APIC_ESR), 0) } },
	/* TPR bits 31:8 are reserved. */
	{ "x2apic-tpr-reserved", { X2APIC, MGP(MSR(APIC_TASKPRI), 0x120),
				   MR(MSR(APIC_TASKPRI), 0),
				   MW(MSR(APIC_TASKPRI), 0x20),
				   MR(MSR(APIC_TASKPRI), 0x20) } },
	/* Bits 63:32 of every MSR but the ICR are reserved. */
	{ "x2apic-upper-half", { X2APIC, MGP(MSR(APIC_TASKPRI), 1ULL << 32),
				 MGP(MSR(APIC_TMICT), 1ULL << 63) } },
	/* SVR bit 12 (EOI-broadcast suppression) is not offered. */
	{ "x2apic-svr-bit12", { X2APIC, MGP(MSR(APIC_SPIV), 0x11ff),
				MW(MSR(APIC_SPIV), 0x1ff) } },
	/* Divide configuration bit 2 is reserved. */
	{ "x2apic-tdcr-bit2", { X2APIC, MGP(MSR(APIC_TDCR), 0x4),
				MW(MSR(APIC_TDCR), 0xb),
				MR(MSR(APIC_TDCR), 0xb) } },
	/* LVT timer bit 19 is reserved; delivery status (12) is read-only. */
	{ "x2apic-lvt-bits", { ENABLE, X2APIC,
			       MGP(MSR(APIC_LVTT), BIT(19) | 0x30),
			       MW(MSR(APIC_LVTT), BIT(12) | 0x30),
			       MR(MSR(APIC_LVTT), 0x30) } },
	/* The ICR is one 64-bit MSR, destination in 63:32. */
	{ "x2apic-icr-64", { ENABLE, X2APIC,
			     MWF(MSR(APIC_ICR), 0x0000000500000040ULL, ACT_IPI),
			     MR(MSR(APIC_ICR), 0x0000000500000040ULL) } },
	/* ICR bits 12 (no delivery status in x2APIC), 13, 16, 20: #GP. */
	{ "x2apic-icr-reserved", { ENABLE, X2APIC,
				   MGP(MSR(APIC_ICR), BIT(12) | 0x40),
				   MGP(MSR(APIC_ICR), BIT(13) | 0x40),
				   MGP(MSR(APIC_ICR), BIT(16) | 0x40),
				   MGP(MSR(APIC_ICR), BIT(20) | 0x40),
				   MR(MSR(APIC_ICR), 0) } },
	/* Outside x2APIC mode the MSRs raise #GP (11.12.2). */
	{ "x2apic-msrs-in-xapic-mode", { MRGP(MSR(APIC_LVR)),
					 MGP(MSR(APIC_TASKPRI), 0) } },
	/* INIT keeps x2APIC mode, its ID and LDR; the rest is reset. */
	{ "x2apic-init", { SETUP(0x123, TSC_KHZ, BUS_KHZ), ENABLE, X2APIC,
			   MW(MSR(APIC_TASKPRI), 0x40), INIT,
			   MR(MSR(APIC_ID), 0x123),
			   MR(MSR(APIC_LDR), 0x00120008),
			   MR(MSR(APIC_TASKPRI), 0),
			   MR(MSR(APIC_SPIV), 0xff) } },
	/* RESET returns to xAPIC mode: MSRs #GP, the page works. */
	{ "x2apic-reset", { X2APIC, RESET, MRGP(MSR(APIC_LVR)),
			    XR(APIC_LVR, 0x50014), XR(APIC_LDR, 0) } },

	/* INTA, EOI, priorities. */

	/*
	 * Nesting: 0x30 in service; 0x50 (higher class) preempts it;
	 * 0x40 then waits, class 4 under PPR 0x50. EOI ends 0x50 first
	 * (the highest in service), which lets 0x40 in above 0x30.
	 */
	{ "nested-eoi-order", { ENABLE, ACCEPT(0x30, 1), ACK(0x30),
				ACCEPT(0x50, 1), PENDING(0x50), ACK(0x50),
				ACCEPT(0x40, 1), PENDING(-1), EOI(0x50),
				PENDING(0x40), ACK(0x40), EOI(0x40),
				EOI(0x30), EOI(-1), PENDING(-1) } },
	/* Nothing pending at INTA: the spurious vector, no ISR bit. */
	{ "spurious-nothing-pending", { XW(APIC_SPIV, 0x13f), ACK(0x3f),
					EOI(-1) } },
	/* TPR raised between the check and INTA: spurious, IRR kept. */
	{ "spurious-after-tpr-rise", { ENABLE, ACCEPT(0x41, 1),
				       PENDING(0x41),
				       XW(APIC_TASKPRI, 0x50), ACK(0xff),
				       IRR(0x41, 1), ISR(0x41, 0) } },
	/* A level-triggered vector's EOI is reported, with its vector. */
	{ "eoi-level-reported", { ENABLE, ACCEPT_LVL(0x61, 1), ACK(0x61),
				  XR(APIC_TMR + 0x30, BIT(1)),
				  XWF(APIC_EOI, 0, ACT_EOI), EOIVEC(0x61) } },
	/* An edge-triggered vector's EOI is not. */
	{ "eoi-edge-silent", { ENABLE, ACCEPT(0x62, 1), ACK(0x62),
			       XWF(APIC_EOI, 0, 0), ISR(0x62, 0) } },
	/* EOI with nothing in service: nothing to do. */
	{ "eoi-empty", { ENABLE, XWF(APIC_EOI, 0, 0) } },
	/* The xAPIC EOI takes any value (0 is only advised). */
	{ "eoi-any-value", { ENABLE, ACCEPT(0x63, 1), ACK(0x63),
			     XW(APIC_EOI, 0xdead), ISR(0x63, 0) } },
	/* x2APIC EOI through the MSR. */
	{ "eoi-x2apic", { ENABLE, X2APIC, ACCEPT_LVL(0x64, 1), ACK(0x64),
			  MWF(MSR(APIC_EOI), 0, ACT_EOI), EOIVEC(0x64) } },
	/* A second request while one waits is the same request (11.8.4). */
	{ "irr-collapses", { ENABLE, ACCEPT(0x50, 1), ACCEPT(0x50, 0),
			     ACK(0x50), PENDING(-1) } },
	/* One in service and one requested: both are kept. */
	{ "irr-and-isr", { ENABLE, ACCEPT(0x50, 1), ACK(0x50),
			   ACCEPT(0x50, 1), ACCEPT(0x50, 0), ISR(0x50, 1),
			   IRR(0x50, 1) } },
	/* The xAPIC view of IRR/ISR: vector 0x50 is bit 16 of word 2. */
	{ "irr-isr-layout", { ENABLE, ACCEPT(0x50, 1), XR(APIC_IRR + 0x20,
							   BIT(16)),
			      ACK(0x50), XR(APIC_IRR + 0x20, 0),
			      XR(APIC_ISR + 0x20, BIT(16)) } },
	/* PPR through the page: TPR 0x20, 0x61 in service: 0x60. */
	{ "ppr-register", { ENABLE, XW(APIC_TASKPRI, 0x20), ACCEPT(0x61, 1),
			    ACK(0x61), XR(APIC_PROCPRI, 0x60) } },

	/* Illegal vectors and the ESR (11.5.2, 11.5.3). */

	/* Vector 5: refused, "received illegal vector". */
	{ "illegal-vector", { ENABLE, ACCEPT(5, 0), IRR(5, 0), PENDING(-1),
			      ESR(APIC_ESR_RECVILL) } },
	/* Vector 15 is the last illegal one, 16 the first legal. */
	{ "vector-15-16", { ENABLE, ACCEPT(15, 0), ACCEPT(16, 1),
			    PENDING(16), ESR(APIC_ESR_RECVILL) } },
	/*
	 * The ESR shows errors only after a write: 0 before, the error
	 * after the first write, 0 after a second (back-to-back) write.
	 */
	{ "esr-latch-on-write", { ENABLE, ACCEPT(1, 0), XR(APIC_ESR, 0),
				  XW(APIC_ESR, 0),
				  XR(APIC_ESR, APIC_ESR_RECVILL),
				  XR(APIC_ESR, APIC_ESR_RECVILL),
				  XW(APIC_ESR, 0), XR(APIC_ESR, 0) } },
	/* Errors accumulate until the write: 0x40 | 0x80. */
	{ "esr-accumulates", { ENABLE, ACCEPT(1, 0), XR(0x50, 0),
			       ESR(APIC_ESR_RECVILL | APIC_ESR_ILLREGA) } },
	/*
	 * The LVT error interrupt (vector 0xfe) comes with the first
	 * error; a second before the ESR write raises none; the write
	 * rearms it.
	 */
	{ "error-interrupt", { ENABLE, XW(APIC_LVTERR, 0xfe), ACCEPT(3, 0),
			       IRR(0xfe, 1), ACK(0xfe), EOI(0xfe),
			       ACCEPT(4, 0), IRR(0xfe, 0),
			       ESR(APIC_ESR_RECVILL), ACCEPT(5, 0),
			       IRR(0xfe, 1) } },
	/* A masked LVT error entry: the error is recorded, no interrupt. */
	{ "error-masked", { ENABLE, XW(APIC_LVTERR, MASKED | 0xfe),
			    ACCEPT(3, 0), IRR(0xfe, 0),
			    ESR(APIC_ESR_RECVILL) } },

	/* Software disable (11.4.7.2). */

	/* Disabled (the reset state): fixed interrupts are refused. */
	{ "disabled-refuses", { ACCEPT(0x40, 0), IRR(0x40, 0), ESR(0) } },
	/* Disabled later: what the IRR holds is still presented. */
	{ "disabled-holds-irr", { ENABLE, ACCEPT(0x40, 1),
				  XW(APIC_SPIV, 0xff), ACCEPT(0x41, 0),
				  PENDING(0x40), ACK(0x40) } },
	/* Disabling masks every LVT entry. */
	{ "disable-masks-lvts", { ENABLE, XW(APIC_LVT0, 0x700),
				  XW(APIC_LVTT, 0x20), XR(APIC_LVT0, 0x700),
				  XW(APIC_SPIV, 0xff),
				  XR(APIC_LVT0, MASKED | 0x700),
				  XR(APIC_LVTT, MASKED | 0x20),
				  XR(APIC_LVTERR, MASKED) } },
	/* While disabled, an unmasked LVT write stays masked. */
	{ "disabled-lvt-stays-masked", { XW(APIC_LVTERR, 0xfe),
					 XR(APIC_LVTERR, MASKED | 0xfe),
					 XW(APIC_LVT1, 0x400),
					 XR(APIC_LVT1, MASKED | 0x400) } },
	/* Enabling again leaves the masks set until software clears them. */
	{ "reenable-keeps-masks", { ENABLE, XW(APIC_LVT0, 0x700),
				    XW(APIC_SPIV, 0xff), ENABLE,
				    XR(APIC_LVT0, MASKED | 0x700),
				    XW(APIC_LVT0, 0x700),
				    XR(APIC_LVT0, 0x700) } },
	/* LINT0 keeps 0x1a7ff of all ones: remote IRR, status read 0. */
	{ "lvt-lint0-bits", { ENABLE, XW(APIC_LVT0, 0xffffffff),
			      XR(APIC_LVT0, 0x0001a7ff) } },
	/* The timer entry keeps vector, mask, mode: 0x000700ff. */
	{ "lvt-timer-bits", { ENABLE, XW(APIC_LVTT, 0xffffffff),
			      XR(APIC_LVTT, 0x000700ff) } },
	/* The error entry keeps vector and mask: 0x000100ff. */
	{ "lvt-error-bits", { ENABLE, XW(APIC_LVTERR, 0xffffffff),
			      XR(APIC_LVTERR, 0x000100ff) } },

	/* IPIs through the ICR (11.6). */

	/* Shorthand self: into the own IRR, nothing for the caller. */
	{ "icr-self-shorthand", { ENABLE,
				  XWF(APIC_ICR, APIC_DEST_SELF | 0x55, 0),
				  IRR(0x55, 1), PENDING(0x55) } },
	/* Physical destination = own ID 3: the same. */
	{ "icr-own-id", { ENABLE, XW(APIC_ICR2, LID << 24),
			  XWF(APIC_ICR, 0x66, 0), IRR(0x66, 1) } },
	/* Destination 5: for the caller, not for this APIC. */
	{ "icr-other-id", { ENABLE, XW(APIC_ICR2, 5 << 24),
			    XWF(APIC_ICR, 0x67, ACT_IPI), IRR(0x67, 0) } },
	/* All including self: taken here and reported. */
	{ "icr-all-including-self", { ENABLE,
				      XWF(APIC_ICR, APIC_DEST_ALLINC | 0x70,
					  ACT_IPI),
				      IRR(0x70, 1) } },
	/* Physical broadcast 0xff: the same. */
	{ "icr-broadcast", { ENABLE, XW(APIC_ICR2, 0xffU << 24),
			     XWF(APIC_ICR, 0x71, ACT_IPI), IRR(0x71, 1) } },
	/* All excluding self: reported only. */
	{ "icr-all-but-self", { ENABLE,
				XWF(APIC_ICR, APIC_DEST_ALLBUT | 0x72, ACT_IPI),
				IRR(0x72, 0) } },
	/* Logical destination: the caller matches, this APIC included. */
	{ "icr-logical", { ENABLE, XW(APIC_ICR2, 0x08 << 24),
			   XWF(APIC_ICR, APIC_DEST_LOGICAL | 0x73, ACT_IPI),
			   IRR(0x73, 0) } },
	/* NMI to self: not an IRR matter, the caller injects it. */
	{ "icr-nmi-self", { ENABLE,
			    XWF(APIC_ICR, APIC_DEST_SELF | APIC_DM_NMI, ACT_IPI),
			    PENDING(-1), ESR(0) } },
	/* Fixed vector 5: not sent, "send illegal vector". */
	{ "icr-illegal-vector", { ENABLE,
				  XWF(APIC_ICR, APIC_DEST_ALLINC | 0x05, 0),
				  IRR(5, 0), ESR(APIC_ESR_SENDILL) } },
	/* x2APIC: destination 0x123 = own ID, 32-bit compare. */
	{ "icr-x2apic-own-id", { SETUP(0x123, TSC_KHZ, BUS_KHZ), ENABLE,
				 X2APIC,
				 MWF(MSR(APIC_ICR), 0x0000012300000080ULL, 0),
				 IRR(0x80, 1) } },
	/* x2APIC: destination 0x23 is another APIC, not ID 0x123. */
	{ "icr-x2apic-low-byte", { SETUP(0x123, TSC_KHZ, BUS_KHZ), ENABLE,
				   X2APIC,
				   MWF(MSR(APIC_ICR), 0x0000002300000080ULL,
				       ACT_IPI),
				   IRR(0x80, 0) } },

	/* The timer in one-shot and periodic mode (11.5.4). */

	/*
	 * One-shot, 100 counts of 4 ticks from 1000: expires at 1400,
	 * not before; reads 0 after, vector 0x30 requested once.
	 */
	{ "oneshot-expiry", { ENABLE, XW(APIC_LVTT, 0x30), NOW(1000),
			      XWF(APIC_TMICT, 100, ACT_TIMER), NEXT(1400),
			      NOW(1399), FIRE(0), XR(APIC_TMCCT, 1),
			      NOW(1400), FIRE(1), IRR(0x30, 1),
			      XR(APIC_TMCCT, 0), XR(APIC_TMICT, 100),
			      NEXT(NONE), NOW(9000), FIRE(0) } },
	/* A read after the expiry, before the caller's fire: up to date. */
	{ "oneshot-read-catches-up", { ENABLE, XW(APIC_LVTT, 0x30),
				       NOW(1000), XW(APIC_TMICT, 100),
				       NOW(1500), XR(APIC_TMCCT, 0),
				       IRR(0x30, 1), FIRE(0) } },
	/* A masked timer counts and expires but requests nothing. */
	{ "oneshot-masked", { ENABLE, XW(APIC_LVTT, MASKED | 0x30),
			      NOW(1000), XW(APIC_TMICT, 100), NEXT(1400),
			      NOW(1400), FIRE(1), IRR(0x30, 0),
			      PENDING(-1) } },
	/* Initial count 0 stops it. */
	{ "oneshot-zero-stops", { ENABLE, XW(APIC_LVTT, 0x30), NOW(1000),
				  XW(APIC_TMICT, 100), NOW(1200),
				  XWF(APIC_TMICT, 0, ACT_TIMER), NEXT(NONE),
				  XR(APIC_TMCCT, 0), NOW(2000), FIRE(0),
				  IRR(0x30, 0) } },
	/* A new initial count restarts from the write: 1200 + 400. */
	{ "oneshot-rewrite-restarts", { ENABLE, XW(APIC_LVTT, 0x30),
					NOW(1000), XW(APIC_TMICT, 100),
					NOW(1200), XW(APIC_TMICT, 100),
					NEXT(1600), NOW(1599), FIRE(0),
					NOW(1600), FIRE(1) } },
	/* Rewritten after the old count ran out: that expiry is not lost. */
	{ "oneshot-rewrite-after-expiry", { ENABLE, XW(APIC_LVTT, 0x30),
					    NOW(1000), XW(APIC_TMICT, 100),
					    NOW(1450), XW(APIC_TMICT, 100),
					    IRR(0x30, 1), NEXT(1850) } },
	/*
	 * Periodic, divide by 1, 10 counts: 20 ticks a period from 1000.
	 * At 1065 three periods ended (1020, 1040, 1060): one request.
	 * INTA takes it; nothing else waits. 1080 is the fourth.
	 */
	{ "periodic-coalesced", { ENABLE, XW(APIC_LVTT, LVT_PERIODIC | 0x31),
				  XW(APIC_TDCR, APIC_TDR_DIV_1), NOW(1000),
				  XW(APIC_TMICT, 10), NEXT(1020), NOW(1065),
				  FIRE(3), IRR(0x31, 1), NEXT(1080),
				  ACK(0x31), PENDING(-1), EOI(0x31),
				  NOW(1080), FIRE(1), PENDING(0x31) } },
	/*
	 * Periodic current count: 1065 is 5 ticks into the period that
	 * began at 1060, 2.5 bus clocks: 2 counts gone, 8 left (the read
	 * accounted for the three expiries). 1079: 9.5, 9 gone, 1 left.
	 */
	{ "periodic-current-count", { ENABLE,
				      XW(APIC_LVTT, LVT_PERIODIC | 0x31),
				      XW(APIC_TDCR, APIC_TDR_DIV_1), NOW(1000),
				      XW(APIC_TMICT, 10), NOW(1065),
				      XR(APIC_TMCCT, 8), FIRE(0),
				      NOW(1079), XR(APIC_TMCCT, 1) } },
	/*
	 * 2.7 GHz, divide by 1, one count a period: exact expiries
	 * 1002.7, 1005.4, 1008.1, 1010.8, 1013.5, each fired at its
	 * first tick 1003, 1006, 1009, 1011, 1014 and not one before:
	 * the reference keeps its fraction from one fire to the next.
	 */
	{ "periodic-no-drift", { SETUP(LID, 2700000, BUS_KHZ), ENABLE,
				 XW(APIC_LVTT, LVT_PERIODIC | 0x31),
				 XW(APIC_TDCR, APIC_TDR_DIV_1), NOW(1000),
				 XW(APIC_TMICT, 1), NEXT(1003), NOW(1003),
				 FIRE(1), NEXT(1006), NOW(1005), FIRE(0),
				 NOW(1006), FIRE(1), NEXT(1009), NOW(1009),
				 FIRE(1), NEXT(1011), NOW(1011), FIRE(1),
				 NEXT(1014), NOW(1013), FIRE(0) } },
	/* Periodic to one-shot mid-period: this period ends, the last. */
	{ "periodic-to-oneshot", { ENABLE, XW(APIC_LVTT, LVT_PERIODIC | 0x31),
				   XW(APIC_TDCR, APIC_TDR_DIV_1), NOW(1000),
				   XW(APIC_TMICT, 10), NOW(1030),
				   XW(APIC_LVTT, LVT_ONESHOT | 0x31),
				   IRR(0x31, 1), NEXT(1040), NOW(1040),
				   FIRE(1), NEXT(NONE) } },
	/* One-shot to periodic mid-count: reloads at 0 from then on. */
	{ "oneshot-to-periodic", { ENABLE, XW(APIC_LVTT, 0x31),
				   XW(APIC_TDCR, APIC_TDR_DIV_1), NOW(1000),
				   XW(APIC_TMICT, 10), NOW(1010),
				   XW(APIC_LVTT, LVT_PERIODIC | 0x31),
				   NOW(1020), FIRE(1), NEXT(1040) } },
	/*
	 * Divide by 1, 100 counts from 1000 (next 1200). At 1100, 50
	 * left; divide by 2 from there: 50 * 4 ticks, next 1300.
	 */
	{ "divide-change", { ENABLE, XW(APIC_LVTT, 0x31),
			     XW(APIC_TDCR, APIC_TDR_DIV_1), NOW(1000),
			     XW(APIC_TMICT, 100), NEXT(1200), NOW(1100),
			     XR(APIC_TMCCT, 50),
			     XWF(APIC_TDCR, APIC_TDR_DIV_2, ACT_TIMER),
			     XR(APIC_TMCCT, 50), NEXT(1300) } },
	/* The same divisor again changes nothing. */
	{ "divide-same", { ENABLE, XW(APIC_LVTT, 0x31), NOW(1000),
			   XW(APIC_TMICT, 100), NOW(1001),
			   XWF(APIC_TDCR, APIC_TDR_DIV_2 | 0x4, 0),
			   NEXT(1400) } },
	/* INIT stops the timer. */
	{ "init-stops-timer", { ENABLE, XW(APIC_LVTT, 0x30), NOW(1000),
				XW(APIC_TMICT, 100), INIT, NEXT(NONE),
				NOW(2000), FIRE(0) } },

	/* TSC-deadline mode (11.5.4.1). */

	/* Armed at 5000: not at 4999, at 5000; then disarmed, reads 0. */
	{ "deadline-fires", { ENABLE, XW(APIC_LVTT, LVT_DEADLINE | 0x40),
			      NOW(1000), DLW(5000, ACT_TIMER), DLR(5000),
			      NEXT(5000), NOW(4999), FIRE(0), IRR(0x40, 0),
			      NOW(5000), FIRE(1), IRR(0x40, 1), DLR(0),
			      NEXT(NONE) } },
	/* Writing 0 disarms. */
	{ "deadline-disarm", { ENABLE, XW(APIC_LVTT, LVT_DEADLINE | 0x40),
			       NOW(1000), DLW(5000, ACT_TIMER),
			       DLW(0, ACT_TIMER), NEXT(NONE), NOW(6000),
			       FIRE(0), IRR(0x40, 0) } },
	/* A deadline already passed fires at once. */
	{ "deadline-past", { ENABLE, XW(APIC_LVTT, LVT_DEADLINE | 0x40),
			     NOW(1000), DLW(900, ACT_TIMER), IRR(0x40, 1),
			     DLR(0), NEXT(NONE) } },
	/* Masked: fires and disarms, no request. */
	{ "deadline-masked", { ENABLE,
			       XW(APIC_LVTT, MASKED | LVT_DEADLINE | 0x40),
			       NOW(1000), DLW(5000, ACT_TIMER), NOW(5000),
			       FIRE(1), IRR(0x40, 0), DLR(0) } },
	/* In one-shot mode the MSR reads 0 and ignores writes. */
	{ "deadline-ignored-oneshot", { ENABLE, XW(APIC_LVTT, 0x40),
					NOW(1000), DLW(5000, 0), DLR(0),
					NEXT(NONE) } },
	/* In TSC-deadline mode the initial count ignores writes. */
	{ "deadline-ignores-tmict", { ENABLE,
				      XW(APIC_LVTT, LVT_DEADLINE | 0x40),
				      NOW(1000), XWF(APIC_TMICT, 100, 0),
				      XR(APIC_TMICT, 0), XR(APIC_TMCCT, 0),
				      NEXT(NONE) } },
	/* Leaving TSC-deadline mode disarms the deadline. */
	{ "deadline-mode-change", { ENABLE,
				    XW(APIC_LVTT, LVT_DEADLINE | 0x40),
				    NOW(1000), DLW(5000, ACT_TIMER),
				    XWF(APIC_LVTT, LVT_PERIODIC | 0x40,
					ACT_TIMER),
				    DLR(0), NEXT(NONE), NOW(6000), FIRE(0),
				    IRR(0x40, 0) } },
	/* Entering it disarms a running one-shot count. */
	{ "oneshot-mode-change", { ENABLE, XW(APIC_LVTT, 0x40), NOW(1000),
				   XW(APIC_TMICT, 100),
				   XWF(APIC_LVTT, LVT_DEADLINE | 0x40,
				       ACT_TIMER),
				   XR(APIC_TMICT, 0), XR(APIC_TMCCT, 0),
				   NEXT(NONE), NOW(2000), FIRE(0),
				   IRR(0x40, 0) } },
};

static void script_case_desc(const struct script_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(script, script_cases, script_case_desc);

static void run_op(struct kunit *test, struct vmx_lapic **lp, u64 *now,
		   const struct op *o, unsigned int i)
{
	struct vmx_lapic *l = *lp;
	u64 val = 0;
	bool level;

	switch (o->op) {
	case OP_SETUP:
		*lp = new_lapic(test, o->reg, o->val, o->want);
		break;
	case OP_NOW:
		*now = o->val;
		break;
	case OP_XW:
		vmx_lapic_write(l, o->reg, o->val, *now);
		break;
	case OP_XWF:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_write(l, o->reg, o->val, *now),
				    (int)o->want, "step %u", i);
		break;
	case OP_XR:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_read(l, o->reg, *now),
				    (u32)o->want, "step %u", i);
		break;
	case OP_MW:
		KUNIT_EXPECT_GE_MSG(test, vmx_lapic_msr_write(l, o->reg, o->val, *now),
				    0, "step %u", i);
		break;
	case OP_MWF:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_msr_write(l, o->reg, o->val, *now),
				    (int)o->want, "step %u", i);
		break;
	case OP_MGP:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_msr_write(l, o->reg, o->val, *now),
				    GP, "step %u", i);
		break;
	case OP_MR:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_msr_read(l, o->reg, &val, *now),
				    0, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, val, o->want, "step %u", i);
		break;
	case OP_MRGP:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_msr_read(l, o->reg, &val, *now),
				    GP, "step %u", i);
		break;
	case OP_X2APIC:
		vmx_lapic_set_x2apic(l);
		break;
	case OP_INIT:
		vmx_lapic_reset(l, o->val);
		break;
	case OP_ACCEPT:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_accept(l, o->val, o->reg),
				    (bool)o->want, "step %u", i);
		break;
	case OP_ACK:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_ack(l), (u8)o->want,
				    "step %u", i);
		break;
	case OP_EOI:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_eoi(l, &level), (int)o->want,
				    "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, level, (bool)o->reg, "step %u", i);
		break;
	case OP_PENDING:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_pending(l), (int)o->want,
				    "step %u", i);
		break;
	case OP_IRR:
		KUNIT_EXPECT_EQ_MSG(test, vec_test(l->irr, o->reg),
				    (bool)o->want, "step %u", i);
		break;
	case OP_ISR:
		KUNIT_EXPECT_EQ_MSG(test, vec_test(l->isr, o->reg),
				    (bool)o->want, "step %u", i);
		break;
	case OP_EOIVEC:
		KUNIT_EXPECT_EQ_MSG(test, l->eoi_vector, (u8)o->want,
				    "step %u", i);
		break;
	case OP_DLW:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_set_tsc_deadline(l, o->val, *now),
				    (int)o->want, "step %u", i);
		break;
	case OP_DLR:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_tsc_deadline(l, *now), o->want,
				    "step %u", i);
		break;
	case OP_FIRE:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_timer_fire(l, *now), o->want,
				    "step %u", i);
		break;
	case OP_NEXT:
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_timer_next(l), o->want,
				    "step %u", i);
		break;
	case OP_ESR:
		vmx_lapic_write(l, APIC_ESR, 0, *now);
		KUNIT_EXPECT_EQ_MSG(test, vmx_lapic_read(l, APIC_ESR, *now),
				    (u32)o->want, "step %u", i);
		break;
	}
}

static void script_test(struct kunit *test)
{
	const struct script_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, TSC_KHZ, BUS_KHZ);
	unsigned int i;
	u64 now = 0;

	for (i = 0; i < ARRAY_SIZE(c->ops) && c->ops[i].op != OP_END; i++)
		run_op(test, &l, &now, &c->ops[i], i);
}

/* x2APIC MSRs with no register: RDMSR and WRMSR both #GP (Table 11-6). */
struct x2apic_rsvd_case {
	const char *desc;
	u32 msr;
};

static const struct x2apic_rsvd_case x2apic_rsvd_cases[] = {
	/* 0x800: below the ID. */
	{ "800", 0x800 },
	/* 0x801: below the ID. */
	{ "801", 0x801 },
	/* 0x804: first after the version. */
	{ "804", 0x804 },
	/* 0x807: last before the TPR. */
	{ "807", 0x807 },
	/* 0x809: arbitration priority, gone in x2APIC mode. */
	{ "809-apr", 0x809 },
	/* 0x80c: remote read, gone too. */
	{ "80c-rrd", 0x80c },
	/* 0x80e: DFR, xAPIC only. */
	{ "80e-dfr", 0x80e },
	/* 0x829: first after the ESR. */
	{ "829", 0x829 },
	/* 0x82e: last before the CMCI LVT. */
	{ "82e", 0x82e },
	/* 0x82f: LVT CMCI, not offered (six LVTs). */
	{ "82f-cmci", 0x82f },
	/* 0x831: the ICR's upper half, merged into 0x830. */
	{ "831-icr2", 0x831 },
	/* 0x83a: first after the current count. */
	{ "83a", 0x83a },
	/* 0x83d: last before the divide configuration. */
	{ "83d", 0x83d },
	/* 0x840: first after SELF IPI. */
	{ "840", 0x840 },
	/* 0x8ff: end of the range the caller routes to the model. */
	{ "8ff", 0x8ff },
	/* 0xbff: end of the x2APIC MSR range (11.12.1.2). */
	{ "bff", 0xbff },
};

static void x2apic_rsvd_case_desc(const struct x2apic_rsvd_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(x2apic_rsvd, x2apic_rsvd_cases, x2apic_rsvd_case_desc);

static void x2apic_reserved_test(struct kunit *test)
{
	const struct x2apic_rsvd_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, TSC_KHZ, BUS_KHZ);
	u64 val = 0x5a5a;

	vmx_lapic_set_x2apic(l);
	KUNIT_EXPECT_EQ(test, vmx_lapic_msr_read(l, c->msr, &val, 0), GP);
	KUNIT_EXPECT_EQ(test, val, 0x5a5aULL);
	KUNIT_EXPECT_EQ(test, vmx_lapic_msr_write(l, c->msr, 0, 0), GP);
}

/* PPR from TPR and the highest vector in service (11.8.3.1). */
struct ppr_case {
	const char *desc;
	u8 tpr;
	u8 isr[2];	/* vectors in service; 0: none */
	u8 ppr;
};

static const struct ppr_case ppr_cases[] = {
	/* Nothing at all: 0. */
	{ "zero", 0, { 0 }, 0 },
	/* Nothing in service: the TPR, all 8 bits. */
	{ "tpr-only", 0x2f, { 0 }, 0x2f },
	/* In-service class 3 above TPR class 1: 0x30, bits 3:0 clear. */
	{ "isr-above", 0x10, { 0x31 }, 0x30 },
	/* Same class (3): the TPR wins, with its bits 3:0. */
	{ "same-class", 0x35, { 0x3a }, 0x35 },
	/* TPR class 4 above in-service class 3: the TPR. */
	{ "tpr-above", 0x4f, { 0x3a }, 0x4f },
	/* Two in service: the highest, 0x61, counts: 0x60. */
	{ "two-in-service", 0x50, { 0x41, 0x61 }, 0x60 },
	/* TPR 0xff: the highest priority. */
	{ "tpr-ff", 0xff, { 0xfe }, 0xff },
	/* Class 0xe in service, TPR 0: 0xe0. */
	{ "isr-ef", 0, { 0xef }, 0xe0 },
};

static void ppr_case_desc(const struct ppr_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ppr, ppr_cases, ppr_case_desc);

static void ppr_test(struct kunit *test)
{
	const struct ppr_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, TSC_KHZ, BUS_KHZ);
	unsigned int i;

	vmx_lapic_write(l, APIC_TASKPRI, c->tpr, 0);
	for (i = 0; i < ARRAY_SIZE(c->isr); i++)
		if (c->isr[i])
			vec_set(l->isr, c->isr[i]);
	KUNIT_EXPECT_EQ(test, lapic_ppr(l), (u32)c->ppr);
	KUNIT_EXPECT_EQ(test, vmx_lapic_read(l, APIC_PROCPRI, 0), (u32)c->ppr);
}

/* Which requested vector is presented, if any (11.8.3.1, 11.8.4). */
struct pending_case {
	const char *desc;
	u8 tpr;
	u8 isr;		/* in service; 0: none */
	u8 irr[3];	/* requested; 0: none */
	int want;
};

static const struct pending_case pending_cases[] = {
	/* Nothing requested. */
	{ "none", 0, 0, { 0 }, -1 },
	/* One vector, TPR 0, nothing in service: presented. */
	{ "one", 0, 0, { 0x41 }, 0x41 },
	/* The highest of three. */
	{ "highest", 0, 0, { 0x31, 0x92, 0x60 }, 0x92 },
	/* Vector 16, class 1, above PPR 0: presented. */
	{ "vector-16", 0, 0, { 0x10 }, 0x10 },
	/* Same class as the one in service: waits, even if higher. */
	{ "same-class-blocked", 0, 0x40, { 0x4f }, -1 },
	/* A higher class preempts the one in service. */
	{ "higher-class", 0, 0x45, { 0x51 }, 0x51 },
	/* A lower class waits for it. */
	{ "lower-class", 0, 0x45, { 0x3f }, -1 },
	/* TPR 0x50 masks class 5. */
	{ "tpr-masks-class", 0x50, 0, { 0x5f }, -1 },
	/* ... and every class below. */
	{ "tpr-masks-below", 0x50, 0, { 0x20 }, -1 },
	/* Vector 0x40 exactly at TPR 0x40: class 4 is not above 4. */
	{ "at-tpr", 0x40, 0, { 0x40 }, -1 },
	/* TPR bits 3:0 do not matter: 0x4f lets class 5 in. */
	{ "tpr-low-bits", 0x4f, 0, { 0x50 }, 0x50 },
	/* The highest requested is masked; a lower one waits behind it. */
	{ "highest-masked", 0x60, 0, { 0x65, 0x30 }, -1 },
	/* TPR and ISR: the higher of the two decides (0x70 here). */
	{ "tpr-and-isr", 0x30, 0x71, { 0x75, 0x68 }, -1 },
};

static void pending_case_desc(const struct pending_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pending, pending_cases, pending_case_desc);

static void pending_test(struct kunit *test)
{
	const struct pending_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, TSC_KHZ, BUS_KHZ);
	unsigned int i;

	vmx_lapic_write(l, APIC_SPIV, 0x1ff, 0);
	vmx_lapic_write(l, APIC_TASKPRI, c->tpr, 0);
	if (c->isr)
		vec_set(l->isr, c->isr);
	for (i = 0; i < ARRAY_SIZE(c->irr); i++)
		if (c->irr[i])
			KUNIT_EXPECT_TRUE(test, vmx_lapic_accept(l, c->irr[i], false));
	KUNIT_EXPECT_EQ(test, vmx_lapic_pending(l), c->want);
	/* INTA takes exactly that vector, or gives the spurious one. */
	KUNIT_EXPECT_EQ(test, vmx_lapic_ack(l), (u8)(c->want < 0 ? 0xff : c->want));
	if (c->want >= 0) {
		KUNIT_EXPECT_TRUE(test, vec_test(l->isr, c->want));
		KUNIT_EXPECT_FALSE(test, vec_test(l->irr, c->want));
	}
}

/* IPIs for the caller, decoded (11.6.1, 11.12.9). */
struct ipi_case {
	const char *desc;
	bool x2apic;
	u64 icr;	/* xAPIC: ICR2 in 63:32 */
	u32 ldr;	/* xAPIC: written before the ICR if not 0 */
	u32 dfr;	/* xAPIC: written before the ICR if not 0 */
	int flags;
	struct vmx_lapic_ipi want;
};

static const struct ipi_case ipi_cases[] = {
	/* INIT, level assert, level-triggered, to APIC 1. */
	{ "init-assert", false, 0x010000000000c500ULL, 0, 0, ACT_IPI,
	  { .dest = 1, .delivery = 5, .level_assert = true,
	    .level_trig = true } },
	/* INIT de-assert to all including self: not fixed, not taken. */
	{ "init-deassert", false, 0x0000000000088500ULL, 0, 0, ACT_IPI,
	  { .delivery = 5, .level_trig = true,
	    .shorthand = VMX_LAPIC_SH_ALL } },
	/* Start-up, vector 0x9a (the page of the AP's code), to APIC 2. */
	{ "sipi", false, 0x020000000000469aULL, 0, 0, ACT_IPI,
	  { .dest = 2, .vector = 0x9a, .delivery = 6, .level_assert = true } },
	/* NMI to all excluding self. */
	{ "nmi-all-but-self", false, 0x00000000000c0400ULL, 0, 0, ACT_IPI,
	  { .delivery = 4, .shorthand = VMX_LAPIC_SH_OTHERS } },
	/* Fixed 0x41, logical destination 0x0f. */
	{ "fixed-logical", false, 0x0f00000000000841ULL, 0, 0, ACT_IPI,
	  { .dest = 0x0f, .vector = 0x41, .logical = true } },
	/* Lowest priority 0x42, logical 0xff. */
	{ "lowest-priority", false, 0xff00000000000942ULL, 0, 0, ACT_IPI,
	  { .dest = 0xff, .vector = 0x42, .delivery = 1, .logical = true } },
	/* Fixed 0x43 to broadcast 0xff: also taken here. */
	{ "xapic-broadcast", false, 0xff00000000000043ULL, 0, 0, ACT_IPI,
	  { .dest = 0xff, .vector = 0x43, .self_done = true } },
	/* x2APIC: 32-bit destination 0x12345. */
	{ "x2apic-dest", true, 0x0001234500000044ULL, 0, 0, ACT_IPI,
	  { .dest = 0x12345, .vector = 0x44 } },
	/* x2APIC broadcast 0xffffffff: also taken here. */
	{ "x2apic-broadcast", true, 0xffffffff00000045ULL, 0, 0, ACT_IPI,
	  { .dest = 0xffffffff, .vector = 0x45, .self_done = true } },
	/* xAPIC destination 0x7f is not broadcast: another APIC. */
	{ "xapic-dest-7f", false, 0x7f00000000000046ULL, 0, 0, ACT_IPI,
	  { .dest = 0x7f, .vector = 0x46 } },
	/* Flat model, LDR bit 0: logical 0x03 includes it (and others). */
	{ "flat-match", false, 0x0300000000000847ULL, 0x01000000, 0, ACT_IPI,
	  { .dest = 0x03, .vector = 0x47, .logical = true,
	    .self_done = true } },
	/* Flat model, LDR bit 0: logical 0x06 does not. */
	{ "flat-miss", false, 0x0600000000000848ULL, 0x01000000, 0, ACT_IPI,
	  { .dest = 0x06, .vector = 0x48, .logical = true } },
	/* Cluster model, cluster 1 member bit 1: 0x13 has both. */
	{ "cluster-match", false, 0x1300000000000849ULL, 0x12000000,
	  0x0fffffff, ACT_IPI,
	  { .dest = 0x13, .vector = 0x49, .logical = true,
	    .self_done = true } },
	/* Cluster model: the same member bit in cluster 2 is not this one. */
	{ "cluster-other", false, 0x220000000000084aULL, 0x12000000,
	  0x0fffffff, ACT_IPI,
	  { .dest = 0x22, .vector = 0x4a, .logical = true } },
	/* Cluster model: the right cluster, another member (bit 0). */
	{ "cluster-member", false, 0x110000000000084bULL, 0x12000000,
	  0x0fffffff, ACT_IPI,
	  { .dest = 0x11, .vector = 0x4b, .logical = true } },
	/* Logical 0xff is a broadcast in either model, even with LDR 0. */
	{ "logical-broadcast", false, 0xff0000000000084cULL, 0, 0x0fffffff,
	  ACT_IPI,
	  { .dest = 0xff, .vector = 0x4c, .logical = true,
	    .self_done = true } },
	/* x2APIC ID 3 (LID): cluster 0, member bit 3; 0x9 includes it. */
	{ "x2apic-logical", true, 0x000000090000084dULL, 0, 0, ACT_IPI,
	  { .dest = 0x9, .vector = 0x4d, .logical = true,
	    .self_done = true } },
	/* x2APIC: member bit 3 of cluster 1 is another APIC. */
	{ "x2apic-logical-other", true, 0x000100080000084eULL, 0, 0, ACT_IPI,
	  { .dest = 0x10008, .vector = 0x4e, .logical = true } },
	/* An NMI to a logical destination goes to the caller, untaken. */
	{ "nmi-logical", false, 0x0100000000000c00ULL, 0x01000000, 0, ACT_IPI,
	  { .dest = 0x01, .delivery = 4, .logical = true } },
};

static void ipi_case_desc(const struct ipi_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ipi, ipi_cases, ipi_case_desc);

static void ipi_test(struct kunit *test)
{
	const struct ipi_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, TSC_KHZ, BUS_KHZ);
	int flags;

	vmx_lapic_write(l, APIC_SPIV, 0x1ff, 0);
	if (c->ldr)
		vmx_lapic_write(l, APIC_LDR, c->ldr, 0);
	if (c->dfr)
		vmx_lapic_write(l, APIC_DFR, c->dfr, 0);
	if (c->x2apic) {
		vmx_lapic_set_x2apic(l);
		flags = vmx_lapic_msr_write(l, MSR(APIC_ICR), c->icr, 0);
	} else {
		vmx_lapic_write(l, APIC_ICR2, c->icr >> 32, 0);
		flags = vmx_lapic_write(l, APIC_ICR, (u32)c->icr, 0);
	}
	KUNIT_EXPECT_EQ(test, flags, c->flags);
	KUNIT_EXPECT_EQ(test, l->ipi.dest, c->want.dest);
	KUNIT_EXPECT_EQ(test, l->ipi.vector, c->want.vector);
	KUNIT_EXPECT_EQ(test, l->ipi.delivery, c->want.delivery);
	KUNIT_EXPECT_EQ(test, l->ipi.logical, c->want.logical);
	KUNIT_EXPECT_EQ(test, l->ipi.level_assert, c->want.level_assert);
	KUNIT_EXPECT_EQ(test, l->ipi.level_trig, c->want.level_trig);
	KUNIT_EXPECT_EQ(test, l->ipi.shorthand, c->want.shorthand);
	KUNIT_EXPECT_EQ(test, l->ipi.self_done, c->want.self_done);
	KUNIT_EXPECT_EQ(test, vec_test(l->irr, c->want.vector),
			c->want.self_done);
}

/* Divide configuration register (11.5.4, Figure 11-10). */
struct divide_case {
	const char *desc;
	u32 tdcr;
	unsigned int divisor;
};

static const struct divide_case divide_cases[] = {
	/* 0000: 2, the reset value. */
	{ "div2", 0x0, 2 },
	/* 0001: 4. */
	{ "div4", 0x1, 4 },
	/* 0010: 8. */
	{ "div8", 0x2, 8 },
	/* 0011: 16. */
	{ "div16", 0x3, 16 },
	/* 1000: 32. */
	{ "div32", 0x8, 32 },
	/* 1001: 64. */
	{ "div64", 0x9, 64 },
	/* 1010: 128. */
	{ "div128", 0xa, 128 },
	/* 1011: 1. */
	{ "div1", 0xb, 1 },
	/* Bit 2 is reserved and plays no part: 0100 is 0000. */
	{ "bit2-ignored", 0x4, 2 },
	/* 1111 is 1011. */
	{ "bit2-ignored-div1", 0xf, 1 },
};

static void divide_case_desc(const struct divide_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(divide, divide_cases, divide_case_desc);

static void divide_test(struct kunit *test)
{
	const struct divide_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, timer_divisor(c->tdcr), c->divisor);
}

/*
 * One-shot counts: initial count @tmict written at TSC 1000 with divide
 * configuration @tdcr; the current count @at ticks later and the expiry.
 * The clocks vary: one count is divisor * tsc_khz / bus_khz ticks.
 */
struct oneshot_case {
	const char *desc;
	u32 tsc_khz, bus_khz, tdcr, tmict;
	u64 at;
	u32 count;
	u64 next;
};

static const struct oneshot_case oneshot_cases[] = {
	/* 2 GHz / 1 GHz, divide by 2: 4 ticks a count; 100 counts: 1400. */
	{ "start", 2000000, 1000000, 0x0, 100, 0, 100, 1400 },
	/* 3 ticks: 1.5 bus clocks, no whole count yet. */
	{ "3-ticks", 2000000, 1000000, 0x0, 100, 3, 100, 1400 },
	/* 4 ticks: one count. */
	{ "4-ticks", 2000000, 1000000, 0x0, 100, 4, 99, 1400 },
	/* Half way. */
	{ "half", 2000000, 1000000, 0x0, 100, 200, 50, 1400 },
	/* The last tick before the end: 399 ticks, 99 counts gone. */
	{ "last", 2000000, 1000000, 0x0, 100, 399, 1, 1400 },
	/* At 400 ticks it expired: 0, nothing armed. */
	{ "expired", 2000000, 1000000, 0x0, 100, 400, 0, NONE },
	/* Long after, still 0: a one-shot count does not reload. */
	{ "long-after", 2000000, 1000000, 0x0, 100, 1000000, 0, NONE },
	/*
	 * 2.1 GHz, divide by 1: 2.1 ticks a count. 10 counts: 21 ticks,
	 * expiry 1021. At 3 ticks, 1.43 counts: 1 gone, 9 left.
	 */
	{ "ratio-2.1-at-3", 2100000, 1000000, 0xb, 10, 3, 9, 1021 },
	/* At 20 ticks, 9.52 counts: 9 gone. */
	{ "ratio-2.1-at-20", 2100000, 1000000, 0xb, 10, 20, 1, 1021 },
	/* One count is 2.1 ticks: the expiry rounds up to 1003. */
	{ "ratio-2.1-one-count", 2100000, 1000000, 0xb, 1, 2, 1, 1003 },
	/*
	 * Divide by 128: 256 ticks a count; 3 counts: 768, expiry 1768.
	 * At 767 ticks, 2.996 counts: 2 gone.
	 */
	{ "div128-at-767", 2000000, 1000000, 0xa, 3, 767, 1, 1768 },
	/* At 255 ticks, 0.996 counts: none gone yet. */
	{ "div128-at-255", 2000000, 1000000, 0xa, 3, 255, 3, 1768 },
	/*
	 * A 25 MHz crystal under a 2.4 GHz TSC: 96 ticks a count at
	 * divide by 1; 1000 counts: 96000 ticks, expiry 97000.
	 */
	{ "crystal-25mhz", 2400000, 25000, 0xb, 1000, 95999, 1, 97000 },
	/* A bus clock faster than the TSC is slowed to it: 1 tick. */
	{ "bus-clamped", 1000000, 2000000, 0xb, 5, 4, 1, 1005 },
	/* The largest count, divide by 128: 256 ticks each, 40 bits. */
	{ "max-count", 2000000, 1000000, 0xa, 0xffffffff, 0, 0xffffffff,
	  1000 + 0xffffffffULL * 256 },
};

static void oneshot_case_desc(const struct oneshot_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(oneshot, oneshot_cases, oneshot_case_desc);

static void oneshot_test(struct kunit *test)
{
	const struct oneshot_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, c->tsc_khz, c->bus_khz);

	vmx_lapic_write(l, APIC_SPIV, 0x1ff, 0);
	vmx_lapic_write(l, APIC_LVTT, 0x30, 0);
	vmx_lapic_write(l, APIC_TDCR, c->tdcr, 0);
	vmx_lapic_write(l, APIC_TMICT, c->tmict, 1000);
	KUNIT_EXPECT_EQ(test, vmx_lapic_read(l, APIC_TMCCT, 1000 + c->at),
			c->count);
	KUNIT_EXPECT_EQ(test, vmx_lapic_timer_next(l), c->next);
	/* The read brought the timer up to date: it did fire if it ended. */
	KUNIT_EXPECT_EQ(test, vec_test(l->irr, 0x30), c->count == 0);
}

/*
 * Periodic counts: initial count @tmict at TSC 1000, divide by 1; the
 * caller's fire at @at: how many periods ended, the next expiry, and the
 * current count then. Exact expiries: 1000 + k * tmict * tsc / bus.
 */
struct periodic_case {
	const char *desc;
	u32 tsc_khz, tmict;
	u64 at, fired, next;
	u32 count;
};

static const struct periodic_case periodic_cases[] = {
	/* 10 counts of 2 ticks: 1020, 1040, ... At 1019, none; 1 left. */
	{ "before-first", 2000000, 10, 1019, 0, 1020, 1 },
	/* At 1020 the first; reloaded to 10. */
	{ "first", 2000000, 10, 1020, 1, 1040, 10 },
	/* At 1065: 1020, 1040, 1060; 5 ticks into the fourth: 8 left. */
	{ "three", 2000000, 10, 1065, 3, 1080, 8 },
	/* 1000 periods and a tick: 1000 expiries, next 21020. */
	{ "thousand", 2000000, 10, 21001, 1000, 21020, 10 },
	/*
	 * 2.1 GHz, 1 count: 1002.1, 1004.2, 1006.3, 1008.4, 1010.5. At
	 * 1010: four; next ceil(1010.5) = 1011, no drift. 1.6 ticks into
	 * the period: 0.76 counts gone, 1 left.
	 */
	{ "fraction", 2100000, 1, 1010, 4, 1011, 1 },
	/* 10000 periods of 2.1 ticks end exactly at 22000; next 22002.1. */
	{ "fraction-10000", 2100000, 1, 22000, 10000, 22003, 1 },
	/* A guest away for 1000 s at 2 ticks a period: 10^12, in one step. */
	{ "long-idle", 2000000, 1, 1000 + 2000000000000ULL, 1000000000000ULL,
	  1000 + 2000000000002ULL, 1 },
};

static void periodic_case_desc(const struct periodic_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(periodic, periodic_cases, periodic_case_desc);

static void periodic_test(struct kunit *test)
{
	const struct periodic_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, c->tsc_khz, BUS_KHZ);

	vmx_lapic_write(l, APIC_SPIV, 0x1ff, 0);
	vmx_lapic_write(l, APIC_LVTT, LVT_PERIODIC | 0x31, 0);
	vmx_lapic_write(l, APIC_TDCR, APIC_TDR_DIV_1, 0);
	vmx_lapic_write(l, APIC_TMICT, c->tmict, 1000);
	KUNIT_EXPECT_EQ(test, vmx_lapic_timer_fire(l, c->at), c->fired);
	KUNIT_EXPECT_EQ(test, vmx_lapic_timer_next(l), c->next);
	KUNIT_EXPECT_EQ(test, vmx_lapic_read(l, APIC_TMCCT, c->at), c->count);
	/* However many periods ended, one request. */
	KUNIT_EXPECT_EQ(test, vmx_lapic_pending(l), c->fired ? 0x31 : -1);
	/* The next expiry is the first tick at which it fires, not before. */
	KUNIT_EXPECT_EQ(test, vmx_lapic_timer_fire(l, c->next - 1), 0ULL);
	KUNIT_EXPECT_EQ(test, vmx_lapic_timer_fire(l, c->next), 1ULL);
}

/* TSC ticks to nanoseconds, for the caller's hrtimer. */
struct ns_case {
	const char *desc;
	u32 tsc_khz;
	u64 ticks, ns;
};

static const struct ns_case ns_cases[] = {
	/* 2 GHz: 2000 ticks are 1000 ns. */
	{ "2ghz", 2000000, 2000, 1000 },
	/* 2.1 GHz: 21 ticks are 10 ns. */
	{ "2.1ghz", 2100000, 21, 10 },
	/* 3 GHz: one tick is 0.33 ns, rounded down. */
	{ "round-down", 3000000, 1, 0 },
	/* 1 s at 2.4 GHz. */
	{ "one-second", 2400000, 2400000000ULL, 1000000000 },
	/* Too long for 64 bits of nanoseconds at 1 MHz: saturated. */
	{ "saturated", 1000, U64_MAX, U64_MAX },
};

static void ns_case_desc(const struct ns_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ns, ns_cases, ns_case_desc);

static void ticks_to_ns_test(struct kunit *test)
{
	const struct ns_case *c = test->param_value;
	struct vmx_lapic *l = new_lapic(test, LID, c->tsc_khz, BUS_KHZ);

	KUNIT_EXPECT_EQ(test, vmx_lapic_ticks_to_ns(l, c->ticks), c->ns);
}

static struct kunit_case lapic_cases[] = {
	KUNIT_CASE_PARAM(reset_test, reset_gen_params),
	KUNIT_CASE_PARAM(script_test, script_gen_params),
	KUNIT_CASE_PARAM(x2apic_reserved_test, x2apic_rsvd_gen_params),
	KUNIT_CASE_PARAM(ppr_test, ppr_gen_params),
	KUNIT_CASE_PARAM(pending_test, pending_gen_params),
	KUNIT_CASE_PARAM(ipi_test, ipi_gen_params),
	KUNIT_CASE_PARAM(divide_test, divide_gen_params),
	KUNIT_CASE_PARAM(oneshot_test, oneshot_gen_params),
	KUNIT_CASE_PARAM(periodic_test, periodic_gen_params),
	KUNIT_CASE_PARAM(ticks_to_ns_test, ns_gen_params),
	{}
};

static struct kunit_suite vmxlab_lapic_suite = {
	.name = "vmxlab_lapic",
	.test_cases = lapic_cases,
};

kunit_test_suites(&vmxlab_lapic_suite);
