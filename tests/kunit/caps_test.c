// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for arch/x86/caps.c: fitting VMX controls to the capability
 * MSRs, the CR0/CR4 fixed-bit rule, and deciding whether vmxlab can run on
 * a given capability set and with which features.
 *
 * The code under test is compiled into this module (vmxlab_kunit.ko), so the
 * suites run without VMX: tests/check.sh runs them under QEMU TCG.
 */
#include <kunit/test.h>

#include "../../arch/x86/caps.c"

/* ------------------------------------------------------------------ */
/* vmx_adjust_ctls()                                                   */
/* ------------------------------------------------------------------ */

struct adjust_case {
	const char *desc;
	u32 required, optional, allowed0, allowed1;
	u32 result;
	int ret;
};

static const struct adjust_case adjust_cases[] = {
	/* Everything wanted is allowed: result is exactly what was wanted. */
	{ "all-allowed", 0x09, 0x40, 0x00, 0xff, 0x49, 0 },
	/* A bit the CPU forces to 1 is kept even if nobody asked for it. */
	{ "allowed0-forced", 0x01, 0x00, 0x16, 0xff, 0x17, 0 },
	/* An optional bit the CPU cannot set is silently dropped. */
	{ "optional-dropped", 0x01, 0x40, 0x00, 0x0f, 0x01, 0 },
	/* A required bit the CPU cannot set fails; the rest is still fitted. */
	{ "required-missing", 0x81, 0x02, 0x00, 0x03, 0x03, -EOPNOTSUPP },
	/* Nothing wanted: the result is the CPU's must-be-1 bits alone. */
	{ "nothing-wanted", 0x00, 0x00, 0x0401e172, 0xfff9fffe, 0x0401e172, 0 },
	/* Bit 31 is handled like any other (no sign trouble). */
	{ "bit31", 0x80000000, 0x00, 0x00, 0x80000000, 0x80000000, 0 },
	/* CPU with no such controls at all (allowed1 = 0) and nothing wanted. */
	{ "empty-msr", 0x00, 0xff, 0x00, 0x00, 0x00, 0 },
};

static void adjust_case_desc(const struct adjust_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(adjust, adjust_cases, adjust_case_desc);

static void vmx_adjust_ctls_test(struct kunit *test)
{
	const struct adjust_case *c = test->param_value;
	u32 result = 0xdeadbeef;

	KUNIT_EXPECT_EQ(test, vmx_adjust_ctls(c->required, c->optional,
					      c->allowed0, c->allowed1,
					      &result), c->ret);
	KUNIT_EXPECT_EQ(test, result, c->result);
}

/* ------------------------------------------------------------------ */
/* vmx_cr_fixed_ok()                                                   */
/* ------------------------------------------------------------------ */

struct fixed_case {
	const char *desc;
	u64 value, fixed0, fixed1;
	bool ok;
};

static const struct fixed_case fixed_cases[] = {
	/* A normal 64-bit host CR0 (PE, MP, ET, NE, WP, AM, PG) is fine. */
	{ "host-cr0", 0x80050033, 0x80000021, 0xffffffff, true },
	/* Paging off is refused when CR0.PG is a fixed-1 bit. */
	{ "cr0-pg-clear", 0x00050033, 0x80000021, 0xffffffff, false },
	/* CR4 with VMXE and a bit above FIXED1 (e.g. a future feature). */
	{ "cr4-beyond-fixed1", 0x2000 | BIT_ULL(31), 0x2000, 0x3767ff, false },
	/* CR4 with VMXE within FIXED1 is fine. */
	{ "cr4-ok", 0x3406f0 | 0x2000, 0x2000, 0x3767ff, true },
	/* Missing VMXE in CR4 is refused (it is fixed-1). */
	{ "cr4-no-vmxe", 0x3406f0, 0x2000, 0x3767ff, false },
};

static void fixed_case_desc(const struct fixed_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fixed, fixed_cases, fixed_case_desc);

static void vmx_cr_fixed_ok_test(struct kunit *test)
{
	const struct fixed_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vmx_cr_fixed_ok(c->value, c->fixed0, c->fixed1),
			c->ok);
}

/* ------------------------------------------------------------------ */
/* vmx_caps_evaluate() on whole capability sets                        */
/* ------------------------------------------------------------------ */

#define M(msr)		VMX_MSR_IDX(MSR_IA32_VMX_##msr)
#define ALL_VALID	(BIT_ULL(VMXLAB_CAP_MSR_COUNT - 1) - 1)	/* not CTLS3 */

/*
 * A complete, Haswell-like capability set: everything vmxlab requires and
 * every optional feature. The cases below start from it and take away.
 */
static const struct vmx_msrs full_msrs = {
	.val = {
		[M(BASIC)] = 0x00d8100000000012ULL,
		[M(PINBASED_CTLS)] = 0x0000007f00000016ULL,
		[M(PROCBASED_CTLS)] = 0xfff9fffe0401e172ULL,
		[M(EXIT_CTLS)] = 0x007fffff00036dffULL,
		[M(ENTRY_CTLS)] = 0x0000ffff000011ffULL,
		[M(MISC)] = 0x00000000300481e5ULL,
		[M(CR0_FIXED0)] = 0x80000021ULL,
		[M(CR0_FIXED1)] = 0xffffffffULL,
		[M(CR4_FIXED0)] = 0x2000ULL,
		[M(CR4_FIXED1)] = 0x3767ffULL,
		[M(VMCS_ENUM)] = 0x2eULL,
		[M(PROCBASED_CTLS2)] = 0x001014ff00000000ULL,
		[M(EPT_VPID_CAP)] = 0x00000f0106334141ULL,
		[M(TRUE_PINBASED_CTLS)] = 0x0000007f00000016ULL,
		[M(TRUE_PROCBASED_CTLS)] = 0xfff9fffe04006172ULL,
		[M(TRUE_EXIT_CTLS)] = 0x007fffff00036dfbULL,
		[M(TRUE_ENTRY_CTLS)] = 0x0000ffff000011fbULL,
	},
	.valid = ALL_VALID & ~BIT_ULL(M(VMFUNC)),
};

#define FULL_FEATURES	(VMXLAB_FEAT_EPT | VMXLAB_FEAT_UNRESTRICTED_GUEST | \
			 VMXLAB_FEAT_VPID | VMXLAB_FEAT_PREEMPTION_TIMER |   \
			 VMXLAB_FEAT_EPT_2M_PAGES | VMXLAB_FEAT_EPT_AD_BITS | \
			 VMXLAB_FEAT_INVEPT_SINGLE | VMXLAB_FEAT_INVEPT_ALL | \
			 VMXLAB_FEAT_INVVPID_SINGLE | VMXLAB_FEAT_INVVPID_ALL | \
			 VMXLAB_FEAT_PAUSE_LOOP_EXITING | VMXLAB_FEAT_EPT_UC | \
			 VMXLAB_FEAT_VIRTUAL_NMIS)

/* One change to full_msrs: MSR @idx gets @clear bits cleared, @set set. */
struct msr_edit {
	int idx;
	u64 clear, set;
};

struct eval_case {
	const char *desc;
	struct msr_edit edit[2];
	u64 invalidate;		/* valid bits to clear */
	unsigned int missing;	/* expected number of missing features */
	const char *missing0;	/* expected substring of the first name */
	u64 features;		/* expected features (when nothing missing) */
};

static const struct eval_case eval_cases[] = {
	/* The full set: nothing missing, every optional feature used. */
	{ "full", {}, 0, 0, NULL, FULL_FEATURES },
	/* No IA32_VMX_BASIC at all (not a VMX CPU): one missing item. */
	{ "no-basic", {}, BIT_ULL(M(BASIC)), 1, "IA32_VMX_BASIC", 0 },
	/* BASIC[55] clear: vmxlab wants the TRUE_* MSRs. */
	{ "no-true-ctls", { { M(BASIC), BIT_ULL(55), 0 } }, 0, 1,
	  "TRUE_*", 0 },
	/* VMCS memory type UC instead of WB. */
	{ "vmcs-uc", { { M(BASIC), 0xfULL << 50, 0 } }, 0, 1,
	  "write-back VMCS", 0 },
	/* No EPT in the secondary controls: EPT named (UG is still there). */
	{ "no-ept", { { M(PROCBASED_CTLS2), BIT_ULL(32 + 1), 0 } }, 0, 1,
	  "enable EPT", 0 },
	/* No secondary controls at all: both EPT and UG are missing. */
	{ "no-secondary", { { M(PROCBASED_CTLS), BIT_ULL(63), 0 },
			    { M(TRUE_PROCBASED_CTLS), BIT_ULL(63), 0 } }, 0, 3,
	  "activate secondary", 0 },
	/* EPT without the WB paging-structure memory type. */
	{ "ept-no-wb", { { M(EPT_VPID_CAP), BIT_ULL(14), 0 } }, 0, 1,
	  "write-back paging", 0 },
	/* EPT without INVEPT. */
	{ "ept-no-invept", { { M(EPT_VPID_CAP), BIT_ULL(20), 0 } }, 0, 1,
	  "INVEPT instruction", 0 },
	/* VPID without INVVPID: VPID is not used, nothing is missing. */
	{ "vpid-no-invvpid", { { M(EPT_VPID_CAP), BIT_ULL(32), 0 } }, 0, 0,
	  NULL, FULL_FEATURES & ~(VMXLAB_FEAT_VPID | VMXLAB_FEAT_INVVPID_SINGLE |
				  VMXLAB_FEAT_INVVPID_ALL) },
	/* No preemption timer: optional, so only the feature goes. */
	{ "no-preemption-timer", { { M(TRUE_PINBASED_CTLS), BIT_ULL(32 + 6), 0 } },
	  0, 0, NULL, FULL_FEATURES & ~VMXLAB_FEAT_PREEMPTION_TIMER },
	/* No virtual NMIs: optional, NMIs cannot be injected (events.c). */
	{ "no-virtual-nmis", { { M(TRUE_PINBASED_CTLS), BIT_ULL(32 + 5), 0 } },
	  0, 0, NULL, FULL_FEATURES & ~VMXLAB_FEAT_VIRTUAL_NMIS },
	/* Virtual NMIs without NMI-window exiting are of no use either. */
	{ "no-nmi-window", { { M(TRUE_PROCBASED_CTLS), BIT_ULL(32 + 22), 0 } },
	  0, 0, NULL, FULL_FEATURES & ~VMXLAB_FEAT_VIRTUAL_NMIS },
	/* No interrupt-window exiting: no interrupt injection, required. */
	{ "no-intr-window", { { M(TRUE_PROCBASED_CTLS), BIT_ULL(32 + 2), 0 } },
	  0, 1, "interrupt-window exiting", 0 },
	/* A required exit control (load IA32_EFER) cannot be set. */
	{ "no-exit-load-efer", { { M(TRUE_EXIT_CTLS), BIT_ULL(32 + 21), 0 } },
	  0, 1, "load IA32_EFER", 0 },
	/* A CPU without long-mode guests (IA-32e mode guest not settable). */
	{ "no-ia32e-guest", { { M(TRUE_ENTRY_CTLS), BIT_ULL(32 + 9), 0 } },
	  0, 1, "IA-32e mode guest", 0 },
	/* A VMCS bigger than a page cannot live in our one-page regions. */
	{ "vmcs-too-big", { { M(BASIC), 0x1fffULL << 32, 0x1001ULL << 32 } },
	  0, 1, "at most 4 KiB", 0 },
};

static void eval_case_desc(const struct eval_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(eval, eval_cases, eval_case_desc);

static void vmx_caps_evaluate_test(struct kunit *test)
{
	const struct eval_case *c = test->param_value;
	const char *missing[VMX_MAX_MISSING] = {};
	struct vmxlab_caps *caps;
	struct vmx_config *cfg;
	struct vmx_msrs m = full_msrs;
	unsigned int i, n;

	caps = kunit_kzalloc(test, sizeof(*caps), GFP_KERNEL);
	cfg = kunit_kzalloc(test, sizeof(*cfg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, caps);
	KUNIT_ASSERT_NOT_NULL(test, cfg);

	for (i = 0; i < ARRAY_SIZE(c->edit); i++) {
		if (!c->edit[i].clear && !c->edit[i].set)
			continue;
		m.val[c->edit[i].idx] &= ~c->edit[i].clear;
		m.val[c->edit[i].idx] |= c->edit[i].set;
	}
	m.valid &= ~c->invalidate;

	n = vmx_caps_evaluate(&m, caps, cfg, missing);
	KUNIT_EXPECT_EQ(test, n, c->missing);
	if (c->missing0 && n) {
		KUNIT_ASSERT_NOT_NULL(test, missing[0]);
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(missing[0], c->missing0),
					  "first missing: %s", missing[0]);
	}
	if (n)
		return;

	KUNIT_EXPECT_EQ(test, caps->features, c->features);
	KUNIT_EXPECT_EQ(test, cfg->features, c->features);
	/* The raw MSRs are reported as read. */
	KUNIT_EXPECT_EQ(test, caps->msrs_valid, m.valid);
	KUNIT_EXPECT_EQ(test, caps->msrs[M(BASIC)], m.val[M(BASIC)]);
	/* Every control value honours both halves of its MSR. */
	KUNIT_EXPECT_EQ(test, cfg->pin & caps->pin.allowed0, caps->pin.allowed0);
	KUNIT_EXPECT_EQ(test, cfg->pin & ~caps->pin.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->proc & ~caps->proc.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->proc2 & ~caps->proc2.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->exit & caps->exit.allowed0, caps->exit.allowed0);
	KUNIT_EXPECT_EQ(test, cfg->entry & caps->entry.allowed0,
			caps->entry.allowed0);
	/* The TRUE_* MSRs let CR3-load/store exiting go (A.2). */
	KUNIT_EXPECT_EQ(test, cfg->proc & (CPU_BASED_CR3_LOAD_EXITING |
					   CPU_BASED_CR3_STORE_EXITING), 0u);
	/* The per-vCPU IA-32e mode bit is never part of the base value. */
	KUNIT_EXPECT_EQ(test, cfg->entry & VM_ENTRY_IA32E_MODE, 0u);
	/* VPID in the controls exactly when the feature is used. */
	KUNIT_EXPECT_EQ(test, !!(cfg->proc2 & SECONDARY_EXEC_ENABLE_VPID),
			!!(c->features & VMXLAB_FEAT_VPID));
	KUNIT_EXPECT_EQ(test, !!(cfg->pin & PIN_BASED_VMX_PREEMPTION_TIMER),
			!!(c->features & VMXLAB_FEAT_PREEMPTION_TIMER));
	/* Decoded fields. */
	KUNIT_EXPECT_EQ(test, caps->vmcs_revision_id, 0x12u);
	KUNIT_EXPECT_EQ(test, caps->vmcs_size, 4096u);
	KUNIT_EXPECT_EQ(test, caps->preemption_timer_shift, 5u);
	KUNIT_EXPECT_EQ(test, caps->cr3_target_count, 4u);
	KUNIT_EXPECT_EQ(test, caps->max_msr_list, 512u);
	KUNIT_EXPECT_EQ(test, caps->activity_states,
			(u32)(VMXLAB_ACTIVITY_HLT | VMXLAB_ACTIVITY_SHUTDOWN |
			      VMXLAB_ACTIVITY_WAIT_SIPI));
}

/* ------------------------------------------------------------------ */
/* Capability sets recorded from the VMX implementations in the rig     */
/* ------------------------------------------------------------------ */

/*
 * `vmxlab caps --json` from the two VMX lanes of `make check` (raw MSRs),
 * recorded 2026-11-25: Bochs 2.7 with CPU model corei7_haswell_4770, and
 * Linux 6.1 KVM's nested VMX (L1 under kvm_intel in Bochs, QEMU -cpu host).
 * They disagree in the revision id, the preemption-timer rate, CR3-target
 * count, activity states, secondary controls, EPT memory types, entry
 * controls and CR4 fixed-1: vmxlab must read each, assume none.
 */
struct recorded_case {
	const char *desc;
	struct vmx_msrs msrs;
	u32 revision_id;
	u32 timer_shift;
	u32 cr3_targets;
	u32 activity;
	u32 entry_allowed1;
	u64 cr4_fixed1;
	u64 features;
};

#define REC_VALID	(ALL_VALID & ~BIT_ULL(M(PROCBASED_CTLS3)))
#define REC_COMMON	(VMXLAB_FEAT_EPT | VMXLAB_FEAT_UNRESTRICTED_GUEST |   \
			 VMXLAB_FEAT_VPID | VMXLAB_FEAT_PREEMPTION_TIMER |   \
			 VMXLAB_FEAT_EPT_2M_PAGES | VMXLAB_FEAT_EPT_AD_BITS | \
			 VMXLAB_FEAT_INVEPT_SINGLE | VMXLAB_FEAT_INVEPT_ALL | \
			 VMXLAB_FEAT_INVVPID_SINGLE | VMXLAB_FEAT_INVVPID_ALL | \
			 VMXLAB_FEAT_VIRTUAL_NMIS)

static const struct recorded_case recorded_cases[] = {
	/* Bochs 2.7: timer at TSC rate, PAUSE-loop exiting, UC and WB EPT. */
	{ "bochs-2.7-haswell", {
		.val = {
			[M(BASIC)] = 0xd810000000002bULL,
			[M(PINBASED_CTLS)] = 0x7f00000016ULL,
			[M(PROCBASED_CTLS)] = 0xf7f9fffe0401e172ULL,
			[M(EXIT_CTLS)] = 0x7fffff00036dffULL,
			[M(ENTRY_CTLS)] = 0xffff000011ffULL,
			[M(MISC)] = 0x200401e0ULL,
			[M(CR0_FIXED0)] = 0x80000021ULL,
			[M(CR0_FIXED1)] = 0xffffffffULL,
			[M(CR4_FIXED0)] = 0x2000ULL,
			[M(CR4_FIXED1)] = 0x1727ffULL,
			[M(VMCS_ENUM)] = 0x34ULL,
			[M(PROCBASED_CTLS2)] = 0x47fff00000000ULL,
			[M(EPT_VPID_CAP)] = 0xf0106334141ULL,
			[M(TRUE_PINBASED_CTLS)] = 0x7f00000016ULL,
			[M(TRUE_PROCBASED_CTLS)] = 0xf7f9fffe04006172ULL,
			[M(TRUE_EXIT_CTLS)] = 0x7fffff00036dfbULL,
			[M(TRUE_ENTRY_CTLS)] = 0xffff000011fbULL,
			[M(VMFUNC)] = 0x1ULL,
		},
		.valid = REC_VALID },
	  0x2b, 0, 4,
	  VMXLAB_ACTIVITY_HLT | VMXLAB_ACTIVITY_SHUTDOWN | VMXLAB_ACTIVITY_WAIT_SIPI,
	  0xffff, 0x1727ff,
	  REC_COMMON | VMXLAB_FEAT_PAUSE_LOOP_EXITING | VMXLAB_FEAT_EPT_UC },
	/* KVM nested: timer at TSC >> 5, no PLE, WB-only EPT, no SMM entry. */
	{ "kvm-6.1-nested", {
		.val = {
			[M(BASIC)] = 0xd8100011e57ed0ULL,
			[M(PINBASED_CTLS)] = 0x7f00000016ULL,
			[M(PROCBASED_CTLS)] = 0xf7f9fffe0401e172ULL,
			[M(EXIT_CTLS)] = 0x7fffff00036dffULL,
			[M(ENTRY_CTLS)] = 0xf3ff000011ffULL,
			[M(MISC)] = 0x20000165ULL,
			[M(CR0_FIXED0)] = 0x80000021ULL,
			[M(CR0_FIXED1)] = 0xffffffffULL,
			[M(CR4_FIXED0)] = 0x2000ULL,
			[M(CR4_FIXED1)] = 0x172fffULL,
			[M(VMCS_ENUM)] = 0x2eULL,
			[M(PROCBASED_CTLS2)] = 0x27bff00000000ULL,
			[M(EPT_VPID_CAP)] = 0xf0106334041ULL,
			[M(TRUE_PINBASED_CTLS)] = 0x7f00000016ULL,
			[M(TRUE_PROCBASED_CTLS)] = 0xf7f9fffe04006172ULL,
			[M(TRUE_EXIT_CTLS)] = 0x7fffff00036dfbULL,
			[M(TRUE_ENTRY_CTLS)] = 0xf3ff000011fbULL,
			[M(VMFUNC)] = 0x1ULL,
		},
		.valid = REC_VALID },
	  0x11e57ed0, 5, 0,
	  VMXLAB_ACTIVITY_HLT | VMXLAB_ACTIVITY_WAIT_SIPI,
	  0xf3ff, 0x172fff,
	  REC_COMMON },
};

static void recorded_case_desc(const struct recorded_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(recorded, recorded_cases, recorded_case_desc);

static void vmx_caps_recorded_test(struct kunit *test)
{
	const struct recorded_case *c = test->param_value;
	const char *missing[VMX_MAX_MISSING] = {};
	struct vmxlab_caps *caps;
	struct vmx_config *cfg;

	caps = kunit_kzalloc(test, sizeof(*caps), GFP_KERNEL);
	cfg = kunit_kzalloc(test, sizeof(*cfg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, caps);
	KUNIT_ASSERT_NOT_NULL(test, cfg);

	KUNIT_ASSERT_EQ_MSG(test, vmx_caps_evaluate(&c->msrs, caps, cfg, missing),
			    0u, "first missing: %s", missing[0] ?: "-");
	KUNIT_EXPECT_EQ(test, cfg->revision_id, c->revision_id);
	KUNIT_EXPECT_EQ(test, cfg->vmcs_size, 4096u);
	KUNIT_EXPECT_EQ(test, cfg->preemption_timer_shift, c->timer_shift);
	KUNIT_EXPECT_EQ(test, caps->cr3_target_count, c->cr3_targets);
	KUNIT_EXPECT_EQ(test, caps->activity_states, c->activity);
	KUNIT_EXPECT_EQ(test, caps->entry.allowed1, c->entry_allowed1);
	KUNIT_EXPECT_EQ(test, cfg->cr4_fixed1, c->cr4_fixed1);
	KUNIT_EXPECT_EQ(test, cfg->features, c->features);
	/* The CTLS3 MSR is not enumerated, so it was neither read nor used. */
	KUNIT_EXPECT_EQ(test, caps->proc3_allowed1, 0ull);
	/* Every control in use is allowed by this implementation. */
	KUNIT_EXPECT_EQ(test, cfg->pin & ~caps->pin.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->pin & caps->pin.allowed0, caps->pin.allowed0);
	KUNIT_EXPECT_EQ(test, cfg->proc & ~caps->proc.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->proc & caps->proc.allowed0, caps->proc.allowed0);
	KUNIT_EXPECT_EQ(test, cfg->proc2 & ~caps->proc2.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->exit & ~caps->exit.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->exit & caps->exit.allowed0, caps->exit.allowed0);
	KUNIT_EXPECT_EQ(test, cfg->entry & ~caps->entry.allowed1, 0u);
	KUNIT_EXPECT_EQ(test, cfg->entry & caps->entry.allowed0, caps->entry.allowed0);
	/* PAUSE-loop exiting is used exactly where the CPU offers it. */
	KUNIT_EXPECT_EQ(test, !!(cfg->proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING),
			!!(c->features & VMXLAB_FEAT_PAUSE_LOOP_EXITING));
}

static struct kunit_case vmxlab_caps_cases[] = {
	KUNIT_CASE_PARAM(vmx_adjust_ctls_test, adjust_gen_params),
	KUNIT_CASE_PARAM(vmx_cr_fixed_ok_test, fixed_gen_params),
	KUNIT_CASE_PARAM(vmx_caps_evaluate_test, eval_gen_params),
	KUNIT_CASE_PARAM(vmx_caps_recorded_test, recorded_gen_params),
	{}
};

static struct kunit_suite vmxlab_caps_suite = {
	.name = "vmxlab_caps",
	.test_cases = vmxlab_caps_cases,
};

kunit_test_suites(&vmxlab_caps_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for vmxlab's VMX capability logic");
