// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding the VMX capability MSRs and choosing the VMCS controls.
 *
 * Everything here is pure computation on a struct vmx_msrs: hw.c reads the
 * MSRs, this file decides. That split lets tests/kunit feed the capability
 * sets of every VMX implementation we know (Bochs, KVM's nested VMX,
 * synthetic corner cases) through the very code that runs on a real CPU.
 *
 * Section numbers are those of the Intel SDM, Vol. 3C chapters 23 to 33 and
 * Vol. 3D Appendix A (see Documentation/vmx-enable.rst for the edition).
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/vmx.h>

#include "caps.h"

/*
 * The controls vmxlab needs (required) and those it uses when present
 * (optional). Anything else is left at its default: 0 where the CPU allows
 * it (so, with the TRUE_* MSRs, CR3-load/store exiting is off and the
 * unrestricted guest manages CR3 itself), 1 where the CPU insists.
 *
 * Pin-based (SDM Vol. 3C 24.6.1): host interrupts and NMIs must leave the
 * guest, or a guest could keep a CPU from the host. The preemption timer
 * gives every entry a time slice; see Documentation/testing.rst for why the
 * Bochs rig cannot do without it.
 */
#define PIN_REQUIRED	(PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING)
#define PIN_OPTIONAL	(PIN_BASED_VIRTUAL_NMIS | PIN_BASED_VMX_PREEMPTION_TIMER)

/*
 * Primary processor-based (24.6.2): every port access goes to userspace,
 * HLT/MWAIT/MONITOR/RDPMC must not run on the host's behalf, CR8 is the
 * host's TPR without a TPR shadow, MSR bitmaps let selected MSRs through,
 * and MOV DR exits: the debug registers DR0-DR3 and DR6 are the host's
 * while the guest runs, unless it enables a breakpoint (run.c).
 */
#define PROC_REQUIRED	(CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING | \
			 CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING | \
			 CPU_BASED_UNCOND_IO_EXITING |			      \
			 CPU_BASED_CR8_LOAD_EXITING |			      \
			 CPU_BASED_CR8_STORE_EXITING |			      \
			 CPU_BASED_MOV_DR_EXITING |			      \
			 CPU_BASED_USE_MSR_BITMAPS |			      \
			 CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
#define PROC_OPTIONAL	(CPU_BASED_USE_TSC_OFFSETTING)

/*
 * Secondary (24.6.2, table 24-7): EPT and unrestricted guest are what let a
 * guest start in real mode with paging off; the rest is used when present.
 * Not "enable XSAVES/XRSTORS": the guest would run them with the host's
 * IA32_XSS and reach supervisor state components (CET, LBR); without the
 * control they raise #UD (SDM Vol. 3C 25.3), and CPUID does not offer them.
 * "ENCLS exiting", where the CPU has it, so that a guest's ENCLS exits
 * (and gets #UD) instead of reaching the host's SGX (25.1.3).
 */
#define PROC2_REQUIRED	(SECONDARY_EXEC_ENABLE_EPT |			      \
			 SECONDARY_EXEC_UNRESTRICTED_GUEST)
#define PROC2_OPTIONAL	(SECONDARY_EXEC_ENABLE_VPID |			      \
			 SECONDARY_EXEC_ENABLE_RDTSCP |			      \
			 SECONDARY_EXEC_ENABLE_INVPCID |		      \
			 SECONDARY_EXEC_WBINVD_EXITING |		      \
			 SECONDARY_EXEC_PAUSE_LOOP_EXITING |		      \
			 SECONDARY_EXEC_ENCLS_EXITING)

/*
 * VM-exit (24.7.1): a 64-bit host, EFER switched by the CPU. Not
 * "acknowledge interrupt on exit": the host interrupt stays pending in the
 * local APIC and the kernel takes it the usual way once vmxlab enables
 * interrupts after the exit, with no vector dispatching of our own.
 */
#define EXIT_REQUIRED	(VM_EXIT_HOST_ADDR_SPACE_SIZE |			      \
			 VM_EXIT_SAVE_DEBUG_CONTROLS |			      \
			 VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER)
#define EXIT_OPTIONAL	(VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT)

/*
 * VM-entry (24.8.1): IA-32e mode guest is set per vCPU, checked below.
 * With "load debug controls" and "save debug controls" (VM-exit) the
 * guest has a DR7 and IA32_DEBUGCTL of its own (26.3.2.1, 27.3.1).
 */
#define ENTRY_REQUIRED	(VM_ENTRY_LOAD_DEBUG_CONTROLS | VM_ENTRY_LOAD_IA32_EFER)
#define ENTRY_OPTIONAL	(VM_ENTRY_LOAD_IA32_PAT)

struct ctl_name {
	u32 bit;
	const char *name;
};

/* SDM names of the required controls, for the "missing" message. */
static const struct ctl_name pin_names[] = {
	{ PIN_BASED_EXT_INTR_MASK, "pin-based: external-interrupt exiting" },
	{ PIN_BASED_NMI_EXITING, "pin-based: NMI exiting" },
	{ 0, NULL },
};

static const struct ctl_name proc_names[] = {
	{ CPU_BASED_HLT_EXITING, "processor-based: HLT exiting" },
	{ CPU_BASED_MWAIT_EXITING, "processor-based: MWAIT exiting" },
	{ CPU_BASED_MONITOR_EXITING, "processor-based: MONITOR exiting" },
	{ CPU_BASED_RDPMC_EXITING, "processor-based: RDPMC exiting" },
	{ CPU_BASED_UNCOND_IO_EXITING,
	  "processor-based: unconditional I/O exiting" },
	{ CPU_BASED_CR8_LOAD_EXITING, "processor-based: CR8-load exiting" },
	{ CPU_BASED_CR8_STORE_EXITING, "processor-based: CR8-store exiting" },
	{ CPU_BASED_MOV_DR_EXITING, "processor-based: MOV-DR exiting" },
	{ CPU_BASED_USE_MSR_BITMAPS, "processor-based: use MSR bitmaps" },
	{ CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
	  "processor-based: activate secondary controls" },
	{ 0, NULL },
};

static const struct ctl_name proc2_names[] = {
	{ SECONDARY_EXEC_ENABLE_EPT, "secondary: enable EPT" },
	{ SECONDARY_EXEC_UNRESTRICTED_GUEST, "secondary: unrestricted guest" },
	{ 0, NULL },
};

static const struct ctl_name exit_names[] = {
	{ VM_EXIT_HOST_ADDR_SPACE_SIZE, "VM-exit: host address-space size" },
	{ VM_EXIT_SAVE_DEBUG_CONTROLS, "VM-exit: save debug controls" },
	{ VM_EXIT_SAVE_IA32_EFER, "VM-exit: save IA32_EFER" },
	{ VM_EXIT_LOAD_IA32_EFER, "VM-exit: load IA32_EFER" },
	{ 0, NULL },
};

static const struct ctl_name entry_names[] = {
	{ VM_ENTRY_LOAD_DEBUG_CONTROLS, "VM-entry: load debug controls" },
	{ VM_ENTRY_LOAD_IA32_EFER, "VM-entry: load IA32_EFER" },
	{ 0, NULL },
};

/* Collects the names of missing features, at most VMX_MAX_MISSING. */
struct eval {
	const char **missing;
	unsigned int n;
};

static void require(struct eval *e, bool present, const char *name)
{
	if (present)
		return;
	if (e->n < VMX_MAX_MISSING)
		e->missing[e->n] = name;
	e->n++;
}

static bool msr_has(const struct vmx_msrs *m, u32 msr)
{
	return m->valid & BIT_ULL(VMX_MSR_IDX(msr));
}

static u64 msr_get(const struct vmx_msrs *m, u32 msr)
{
	return msr_has(m, msr) ? m->val[VMX_MSR_IDX(msr)] : 0;
}

/**
 * vmx_adjust_ctls() - fit wanted control bits to what the CPU allows
 * @required: bits vmxlab cannot do without.
 * @optional: bits vmxlab uses when the CPU allows them.
 * @allowed0: bits the CPU requires to be 1 (low half of the capability MSR).
 * @allowed1: bits the CPU allows to be 1 (high half).
 * @result: the value to program.
 *
 * SDM Vol. 3D A.3 to A.5: a control may be 0 only if its bit in the low
 * half is 0, and may be 1 only if its bit in the high half is 1. So the
 * result is what we want, limited to @allowed1, plus whatever @allowed0
 * forces on.
 *
 * Return: 0, or -EOPNOTSUPP if a @required bit is not in @allowed1 (then
 * @result still holds the best possible value).
 */
int vmx_adjust_ctls(u32 required, u32 optional, u32 allowed0, u32 allowed1,
		    u32 *result)
{
	*result = ((required | optional) & allowed1) | allowed0;
	return (required & ~allowed1) ? -EOPNOTSUPP : 0;
}

/* Adjusts one control set and names each required bit the CPU lacks. */
static u32 adjust(struct eval *e, struct vmxlab_ctls *c, u32 required,
		  u32 optional, const struct ctl_name *names)
{
	const struct ctl_name *n;

	if (vmx_adjust_ctls(required, optional, c->allowed0, c->allowed1,
			    &c->used)) {
		for (n = names; n->name; n++)
			require(e, c->allowed1 & n->bit, n->name);
	}
	return c->used;
}

static void split(u64 msr, struct vmxlab_ctls *c)
{
	c->allowed0 = lower_32_bits(msr);
	c->allowed1 = upper_32_bits(msr);
}

/**
 * vmx_cr_fixed_ok() - does a CR0 or CR4 value suit VMX operation?
 * @value: the control register.
 * @fixed0: IA32_VMX_CR*_FIXED0: bits that must be 1.
 * @fixed1: IA32_VMX_CR*_FIXED1: bits that may be 1.
 *
 * SDM Vol. 3C 23.8 and Vol. 3D A.7, A.8.
 *
 * Return: true if VMXON (and VM entry, for guest values) accepts @value.
 */
bool vmx_cr_fixed_ok(u64 value, u64 fixed0, u64 fixed1)
{
	return (value & fixed0) == fixed0 && !(value & ~fixed1);
}

static void decode_basic_misc(const struct vmx_msrs *m,
			      struct vmxlab_caps *caps)
{
	u64 basic = msr_get(m, MSR_IA32_VMX_BASIC);
	u64 misc = msr_get(m, MSR_IA32_VMX_MISC);

	/* SDM Vol. 3D A.1 */
	caps->vmcs_revision_id = basic & 0x7fffffff;
	caps->vmcs_size = (basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff;
	caps->vmcs_memory_type = (basic & VMX_BASIC_MEM_TYPE_MASK) >>
				 VMX_BASIC_MEM_TYPE_SHIFT;
	/* A.6 */
	caps->preemption_timer_shift = misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK;
	caps->cr3_target_count = (misc >> 16) & 0x1ff;
	caps->max_msr_list = VMX_MISC_MSR_LIST_MULTIPLIER *
			     (((misc >> 25) & 0x7) + 1);
	if (misc & VMX_MISC_ACTIVITY_HLT)
		caps->activity_states |= VMXLAB_ACTIVITY_HLT;
	if (misc & BIT_ULL(7))
		caps->activity_states |= VMXLAB_ACTIVITY_SHUTDOWN;
	if (misc & VMX_MISC_ACTIVITY_WAIT_SIPI)
		caps->activity_states |= VMXLAB_ACTIVITY_WAIT_SIPI;
	/* A.9 */
	caps->max_vmcs_index = (msr_get(m, MSR_IA32_VMX_VMCS_ENUM) >> 1) & 0x1ff;
	/* A.7, A.8 */
	caps->cr0_fixed0 = msr_get(m, MSR_IA32_VMX_CR0_FIXED0);
	caps->cr0_fixed1 = msr_get(m, MSR_IA32_VMX_CR0_FIXED1);
	caps->cr4_fixed0 = msr_get(m, MSR_IA32_VMX_CR4_FIXED0);
	caps->cr4_fixed1 = msr_get(m, MSR_IA32_VMX_CR4_FIXED1);
}

/*
 * A.2: with IA32_VMX_BASIC[55] set, the TRUE_* MSRs report which default1
 * controls may in fact be 0; without it the plain MSRs are the truth.
 */
static void decode_ctls(const struct vmx_msrs *m, struct vmxlab_caps *caps)
{
	bool true_ctls = msr_get(m, MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;

	split(msr_get(m, true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				     MSR_IA32_VMX_PINBASED_CTLS), &caps->pin);
	split(msr_get(m, true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				     MSR_IA32_VMX_PROCBASED_CTLS), &caps->proc);
	split(msr_get(m, true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				     MSR_IA32_VMX_EXIT_CTLS), &caps->exit);
	split(msr_get(m, true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				     MSR_IA32_VMX_ENTRY_CTLS), &caps->entry);
	/* A.3.3: the secondary controls exist only if they can be activated. */
	if (caps->proc.allowed1 & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		split(msr_get(m, MSR_IA32_VMX_PROCBASED_CTLS2), &caps->proc2);
	/* A.3.4: the tertiary MSR is a plain allowed-1 mask. */
	if (caps->proc.allowed1 & CPU_BASED_ACTIVATE_TERTIARY_CONTROLS)
		caps->proc3_allowed1 = msr_get(m, MSR_IA32_VMX_PROCBASED_CTLS3);
	/* A.10, A.11 */
	if (caps->proc2.allowed1 & (SECONDARY_EXEC_ENABLE_EPT |
				    SECONDARY_EXEC_ENABLE_VPID))
		caps->ept_vpid_cap = msr_get(m, MSR_IA32_VMX_EPT_VPID_CAP);
	if (caps->proc2.allowed1 & SECONDARY_EXEC_ENABLE_VMFUNC)
		caps->vmfunc = msr_get(m, MSR_IA32_VMX_VMFUNC);
}

/* A.10: what vmxlab needs of EPT, and which optional parts it uses. */
static void check_ept_vpid(struct eval *e, struct vmxlab_caps *caps)
{
	u64 cap = caps->ept_vpid_cap;
	u32 vpid_cap = upper_32_bits(cap);

	if (caps->proc2.used & SECONDARY_EXEC_ENABLE_EPT) {
		require(e, cap & VMX_EPT_PAGE_WALK_4_BIT,
			"EPT: 4-level page walk (IA32_VMX_EPT_VPID_CAP[6])");
		require(e, cap & VMX_EPTP_WB_BIT,
			"EPT: write-back paging-structure memory type (IA32_VMX_EPT_VPID_CAP[14])");
		require(e, cap & VMX_EPT_INVEPT_BIT,
			"EPT: INVEPT instruction (IA32_VMX_EPT_VPID_CAP[20])");
		require(e, cap & (VMX_EPT_EXTENT_CONTEXT_BIT |
				  VMX_EPT_EXTENT_GLOBAL_BIT),
			"EPT: single-context or all-context INVEPT (IA32_VMX_EPT_VPID_CAP[26:25])");
		caps->features |= VMXLAB_FEAT_EPT;
		if (cap & VMX_EPT_2MB_PAGE_BIT)
			caps->features |= VMXLAB_FEAT_EPT_2M_PAGES;
		if (cap & VMX_EPT_AD_BIT)
			caps->features |= VMXLAB_FEAT_EPT_AD_BITS;
		if (cap & VMX_EPTP_UC_BIT)
			caps->features |= VMXLAB_FEAT_EPT_UC;
		if (cap & VMX_EPT_EXTENT_CONTEXT_BIT)
			caps->features |= VMXLAB_FEAT_INVEPT_SINGLE;
		if (cap & VMX_EPT_EXTENT_GLOBAL_BIT)
			caps->features |= VMXLAB_FEAT_INVEPT_ALL;
	}

	/*
	 * VPIDs are worth having only with an INVVPID that can flush one VPID
	 * or all of them (30.3, INVVPID); otherwise run without.
	 */
	if ((caps->proc2.used & SECONDARY_EXEC_ENABLE_VPID) &&
	    (vpid_cap & VMX_VPID_INVVPID_BIT) &&
	    (vpid_cap & (VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT |
			 VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT))) {
		caps->features |= VMXLAB_FEAT_VPID;
		if (vpid_cap & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT)
			caps->features |= VMXLAB_FEAT_INVVPID_SINGLE;
		if (vpid_cap & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT)
			caps->features |= VMXLAB_FEAT_INVVPID_ALL;
	} else {
		caps->proc2.used &= ~SECONDARY_EXEC_ENABLE_VPID;
	}
}

/**
 * vmx_caps_evaluate() - decode capability MSRs and choose the controls
 * @msrs: the raw MSRs of one CPU.
 * @caps: filled with the decoded capabilities (the VMXLAB_GET_CAPS report).
 * @cfg: filled with what vmxlab programs.
 * @missing: array of VMX_MAX_MISSING entries; gets the name of each feature
 *           vmxlab requires and the CPU lacks.
 *
 * Return: the number of missing features (0: vmxlab can run here). Only the
 * first VMX_MAX_MISSING are named.
 */
unsigned int vmx_caps_evaluate(const struct vmx_msrs *msrs,
			       struct vmxlab_caps *caps,
			       struct vmx_config *cfg,
			       const char **missing)
{
	struct eval e = { .missing = missing };
	u64 basic = msr_get(msrs, MSR_IA32_VMX_BASIC);
	int i;

	memset(caps, 0, sizeof(*caps));
	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < VMXLAB_CAP_MSR_COUNT; i++)
		caps->msrs[i] = msrs->val[i];
	caps->msrs_valid = msrs->valid;

	require(&e, msr_has(msrs, MSR_IA32_VMX_BASIC),
		"IA32_VMX_BASIC readable (CPU enumerates VMX)");
	if (e.n)
		return e.n;

	decode_basic_misc(msrs, caps);
	decode_ctls(msrs, caps);

	/* A.1 */
	require(&e, basic & VMX_BASIC_TRUE_CTLS,
		"TRUE_* control capability MSRs (IA32_VMX_BASIC[55])");
	require(&e, caps->vmcs_memory_type == VMX_BASIC_MEM_TYPE_WB,
		"write-back VMCS memory type (IA32_VMX_BASIC[53:50] = 6)");
	require(&e, !(basic & VMX_BASIC_64),
		"VMCS and VMXON regions above 4 GiB (IA32_VMX_BASIC[48] = 0)");
	require(&e, caps->vmcs_size && caps->vmcs_size <= 4096,
		"VMCS size of at most 4 KiB (IA32_VMX_BASIC[44:32])");

	adjust(&e, &caps->pin, PIN_REQUIRED, PIN_OPTIONAL, pin_names);
	adjust(&e, &caps->proc, PROC_REQUIRED, PROC_OPTIONAL, proc_names);
	adjust(&e, &caps->proc2, PROC2_REQUIRED, PROC2_OPTIONAL, proc2_names);
	adjust(&e, &caps->exit, EXIT_REQUIRED, EXIT_OPTIONAL, exit_names);
	adjust(&e, &caps->entry, ENTRY_REQUIRED, ENTRY_OPTIONAL, entry_names);
	/* A.5: long-mode guests need "IA-32e mode guest" to be settable. */
	require(&e, caps->entry.allowed1 & VM_ENTRY_IA32E_MODE,
		"VM-entry: IA-32e mode guest");

	check_ept_vpid(&e, caps);

	/*
	 * The window exits are switched on per entry (events.c), so they are
	 * no part of the controls chosen above: the CPU need only allow them
	 * (A.3.2). NMI-window exiting exists only with virtual NMIs (26.2.1.1),
	 * and NMIs are injected only with both.
	 */
	require(&e, caps->proc.allowed1 & CPU_BASED_INTR_WINDOW_EXITING,
		"processor-based: interrupt-window exiting");
	if ((caps->pin.used & PIN_BASED_VIRTUAL_NMIS) &&
	    (caps->proc.allowed1 & CPU_BASED_NMI_WINDOW_EXITING))
		caps->features |= VMXLAB_FEAT_VIRTUAL_NMIS;
	else if (!(caps->pin.allowed0 & PIN_BASED_VIRTUAL_NMIS))
		caps->pin.used &= ~PIN_BASED_VIRTUAL_NMIS;

	if (caps->proc2.used & SECONDARY_EXEC_UNRESTRICTED_GUEST)
		caps->features |= VMXLAB_FEAT_UNRESTRICTED_GUEST;
	if (caps->pin.used & PIN_BASED_VMX_PREEMPTION_TIMER)
		caps->features |= VMXLAB_FEAT_PREEMPTION_TIMER;
	if (caps->proc2.used & SECONDARY_EXEC_PAUSE_LOOP_EXITING)
		caps->features |= VMXLAB_FEAT_PAUSE_LOOP_EXITING;

	cfg->revision_id = caps->vmcs_revision_id;
	cfg->vmcs_size = caps->vmcs_size;
	cfg->pin = caps->pin.used;
	cfg->proc = caps->proc.used;
	cfg->proc2 = caps->proc2.used;
	cfg->exit = caps->exit.used;
	cfg->entry = caps->entry.used;
	cfg->ept_vpid_cap = caps->ept_vpid_cap;
	cfg->preemption_timer_shift = caps->preemption_timer_shift;
	cfg->cr0_fixed0 = caps->cr0_fixed0;
	cfg->cr0_fixed1 = caps->cr0_fixed1;
	cfg->cr4_fixed0 = caps->cr4_fixed0;
	cfg->cr4_fixed1 = caps->cr4_fixed1;
	cfg->features = caps->features;
	return e.n;
}
