// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR and WRMSR (exit reasons 31 and 32; every access exits, through an
 * MSR bitmap of all ones). The MSRs a guest operating system expects are
 * here, as the SDM defines them (Vol. 4 lists them, Vol. 3A the chapters
 * cited below); any other raises #GP, as KVM's do (Documentation/abi.rst,
 * "Guest interface", lists them).
 *
 * The in-kernel local APIC owns its MSRs (apic.c), and is asked first.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/mtrr.h>
#include <asm/processor.h>

#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"

/*
 * IA32_MTRRCAP (SDM Vol. 3A 12.11.1): VCNT variable ranges, fixed ranges
 * (FIX) and write-combining (WC); no SMRR.
 */
#define MTRRCAP_FIX		BIT_ULL(8)
#define MTRRCAP_WC		BIT_ULL(10)
#define MTRRCAP_VALUE		(VMX_NR_VAR_MTRRS | MTRRCAP_FIX | MTRRCAP_WC)
/* IA32_MTRR_DEF_TYPE (12.11.2.1): type in bits 7:0, FE, E. */
#define MTRR_DEF_FE		BIT_ULL(10)
#define MTRR_DEF_E		BIT_ULL(11)
#define MTRR_DEF_TYPE_MASK	0xffULL
/* IA32_MTRR_PHYSMASKn bit 11: the range is valid (12.11.2.3). */
#define MTRR_PHYSMASK_V		BIT_ULL(11)

/*
 * IA32_MISC_ENABLE (SDM Vol. 4 table 2-2): fast strings on, as firmware
 * leaves it; no branch trace or PEBS. Bits 7 (performance monitoring
 * available), 11 and 12 are read-only: a write keeps them.
 */
#define MISC_ENABLE_RESET	(MSR_IA32_MISC_ENABLE_FAST_STRING |	\
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)
#define MISC_ENABLE_RO		(MSR_IA32_MISC_ENABLE_EMON |		\
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)

/*
 * IA32_BIOS_SIGN_ID: the microcode revision is in bits 63:32; a guest
 * reads 1, which KVM reports too, and its writes (the load trigger) are
 * ignored.
 */
#define UCODE_REV_VALUE		BIT_ULL(32)

/* 48-bit canonical: vmxlab guests have 4-level paging (SDM Vol. 1 3.3.7.1). */
static bool canonical(u64 a)
{
	return __is_canonical_address(a, 48);
}

/*
 * Bits at or above MAXPHYADDR, which CPUID leaf 0x80000008 passes on from
 * the host: reserved in physical addresses (SDM Vol. 3A 4.1.4).
 */
static u64 phys_reserved(void)
{
	return ~0ULL << boot_cpu_data.x86_phys_bits;
}

/* Memory types 0, 1, 4, 5, 6: MTRRs and PAT take no others (12.11.1). */
static bool mem_type_valid(u64 t)
{
	return t == MTRR_TYPE_UNCACHABLE || t == MTRR_TYPE_WRCOMB ||
	       (t >= MTRR_TYPE_WRTHROUGH && t <= MTRR_TYPE_WRBACK);
}

/* PAT entries may also be 7, UC- (SDM Vol. 3A 12.12.2). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = (pat >> (8 * i)) & 0xff;

		if (!mem_type_valid(t) && t != 7)
			return false;
	}
	return true;
}

/* Eight memory types in one fixed-range MTRR. */
static bool fixed_mtrr_valid(u64 val)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!mem_type_valid((val >> (8 * i)) & 0xff))
			return false;
	return true;
}

/* The fixed-range MTRRs, in the order of struct vmx_guest_msrs.mtrr_fixed. */
static const u32 fixed_mtrrs[VMX_NR_FIXED_MTRRS] = {
	MSR_MTRRfix64K_00000, MSR_MTRRfix16K_80000, MSR_MTRRfix16K_A0000,
	MSR_MTRRfix4K_C0000, MSR_MTRRfix4K_C8000, MSR_MTRRfix4K_D0000,
	MSR_MTRRfix4K_D8000, MSR_MTRRfix4K_E0000, MSR_MTRRfix4K_E8000,
	MSR_MTRRfix4K_F0000, MSR_MTRRfix4K_F8000,
};

/*
 * The MTRR @msr stands for in @m, or NULL. @val, when not NULL, is checked
 * against what that MTRR may hold; *@ok says whether it may.
 */
static u64 *mtrr_slot(struct vmx_guest_msrs *m, u32 msr, const u64 *val, bool *ok)
{
	unsigned int i;

	*ok = true;
	if (msr == MSR_MTRRdefType) {
		if (val)
			*ok = !(*val & ~(MTRR_DEF_TYPE_MASK | MTRR_DEF_FE |
					 MTRR_DEF_E)) &&
			      mem_type_valid(*val & MTRR_DEF_TYPE_MASK);
		return &m->mtrr_def_type;
	}
	for (i = 0; i < VMX_NR_FIXED_MTRRS; i++) {
		if (msr == fixed_mtrrs[i]) {
			if (val)
				*ok = fixed_mtrr_valid(*val);
			return &m->mtrr_fixed[i];
		}
	}
	if (msr < MTRRphysBase_MSR(0) ||
	    msr > MTRRphysMask_MSR(VMX_NR_VAR_MTRRS - 1))
		return NULL;
	i = msr - MTRRphysBase_MSR(0);
	/* PHYSBASE: type in 7:0, 11:8 reserved; PHYSMASK: 10:0 reserved. */
	if (val && !(i & 1))
		*ok = !(*val & (phys_reserved() | 0xf00)) &&
		      mem_type_valid(*val & 0xff);
	else if (val)
		*ok = !(*val & (phys_reserved() | 0x7ff));
	return &m->mtrr_var[i];
}

/**
 * vmx_msrs_reset() - the emulated MSRs at power-up
 * @v: the vCPU.
 *
 * MTRRs disabled with every range cleared (SDM Vol. 3A 12.11.5), PAT at
 * its power-up value (12.12.4), TSC_ADJUST 0.
 */
void vmx_msrs_reset(struct vmx_vcpu *v)
{
	memset(&v->msrs, 0, sizeof(v->msrs));
	v->msrs.misc_enable = MISC_ENABLE_RESET;
	v->msrs.pat = VMX_PAT_RESET;
}

/*
 * IA32_TSC_ADJUST exists where CPUID.(7,0):EBX[1] says so: the host's bit,
 * which cpuid.c passes on only with TSC offsetting.
 */
static bool tsc_adjust_offered(void)
{
	return boot_cpu_has(X86_FEATURE_TSC_ADJUST) &&
	       (vmx_config()->proc & CPU_BASED_USE_TSC_OFFSETTING);
}

/*
 * The guest's TSC moves by @delta: the TSC offset in the VMCS moves, without
 * which a write to the TSC could not be honoured, and so does the start of
 * a running APIC count (apic.c). The callers keep IA32_TSC_ADJUST in step
 * (SDM Vol. 3B 18.17.3, "IA32_TSC_ADJUST").
 */
static int tsc_shift(struct vmx_vcpu *v, s64 delta)
{
	if (!(vmx_config()->proc & CPU_BASED_USE_TSC_OFFSETTING))
		return -EINVAL;
	v->tsc_offset += delta;
	vmcs_write64(TSC_OFFSET, v->tsc_offset);
	vmx_apic_tsc_shift(v, delta);
	return 0;
}

/* The MSRs a guest may use; anything else raises #GP (abi.rst). */
static int msr_read(struct vmx_vcpu *v, u32 msr, u64 *val)
{
	const struct vmx_config *c = vmx_config();
	bool ok;
	u64 *mtrr;
	int i;

	/* The APIC's MSRs first (apic.c); a test here, without one. */
	if (v->apic) {
		i = vmx_apic_msr_read(v, msr, val);
		if (i != -ENOENT)
			return i;
	}
	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdtsc() + v->tsc_offset;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		if (!tsc_adjust_offered())
			return -EINVAL;
		*val = v->msrs.tsc_adjust;
		return 0;
	case MSR_IA32_APICBASE:
		*val = v->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = v->msrs.misc_enable;
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = UCODE_REV_VALUE;
		return 0;
	/* No machine-check banks, no MCG_CTL (SDM Vol. 3B 16.3.1.1). */
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
		*val = 0;
		return 0;
	case MSR_MTRRcap:
		*val = MTRRCAP_VALUE;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*val = vmcs_read32(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmcs_readl(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmcs_readl(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_IA32_CR_PAT:
		/* In the VMCS when the CPU switches it, else only kept. */
		*val = (c->entry & VM_ENTRY_LOAD_IA32_PAT) ?
		       vmcs_read64(GUEST_IA32_PAT) : v->msrs.pat;
		return 0;
	case MSR_EFER:
		*val = vmcs_read64(GUEST_IA32_EFER);
		return 0;
	case MSR_FS_BASE:
		*val = vmcs_readl(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*val = vmcs_readl(GUEST_GS_BASE);
		return 0;
	}
	mtrr = mtrr_slot(&v->msrs, msr, NULL, &ok);
	if (mtrr) {
		*val = *mtrr;
		return 0;
	}
	for (i = v->msr_first; i < VMX_NR_SWITCHED_MSRS; i++) {
		if (v->msr_page[i].index == msr) {
			*val = v->msr_page[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

static int msr_write_efer(struct vmx_vcpu *v, u64 val)
{
	u64 old = vmcs_read64(GUEST_IA32_EFER);

	if (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return -EINVAL;
	/* LME cannot change while paging is on; LMA is read-only (10.8.5). */
	if ((vmx_guest_cr0() & X86_CR0_PG) && ((old ^ val) & EFER_LME))
		return -EINVAL;
	vmx_set_efer(v, (val & ~(u64)EFER_LMA) | (old & EFER_LMA));
	return 0;
}

static int msr_write(struct vmx_vcpu *v, u32 msr, u64 val)
{
	const struct vmx_config *c = vmx_config();
	s64 delta;
	bool ok;
	u64 *mtrr;
	int i;

	if (v->apic) {
		i = vmx_apic_msr_write(v, msr, val);
		if (i != -ENOENT)
			return i;
	}
	switch (msr) {
	case MSR_IA32_TSC:
		/* The TSC takes the value; TSC_ADJUST moves with it. */
		delta = val - (rdtsc() + v->tsc_offset);
		i = tsc_shift(v, delta);
		if (!i)
			v->msrs.tsc_adjust += delta;
		return i;
	case MSR_IA32_TSC_ADJUST:
		if (!tsc_adjust_offered())
			return -EINVAL;
		i = tsc_shift(v, val - v->msrs.tsc_adjust);
		if (!i)
			v->msrs.tsc_adjust = val;
		return i;
	case MSR_IA32_APICBASE:
		return vmx_apic_set_base(v, val, false);
	case MSR_IA32_MISC_ENABLE:
		v->msrs.misc_enable = (val & ~MISC_ENABLE_RO) |
				      (v->msrs.misc_enable & MISC_ENABLE_RO);
		return 0;
	case MSR_IA32_UCODE_REV:
		return 0;
	case MSR_IA32_MCG_STATUS:
		/* Only the guest's own machine checks could set it: none. */
		return val ? -EINVAL : 0;
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(GUEST_SYSENTER_CS, val);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		vmcs_writel(GUEST_SYSENTER_ESP, val);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		vmcs_writel(GUEST_SYSENTER_EIP, val);
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(val))
			return -EINVAL;
		if (c->entry & VM_ENTRY_LOAD_IA32_PAT)
			vmcs_write64(GUEST_IA32_PAT, val);
		else
			v->msrs.pat = val;
		return 0;
	case MSR_EFER:
		return msr_write_efer(v, val);
	case MSR_FS_BASE:
		if (!canonical(val))
			return -EINVAL;
		vmcs_writel(GUEST_FS_BASE, val);
		return 0;
	case MSR_GS_BASE:
		if (!canonical(val))
			return -EINVAL;
		vmcs_writel(GUEST_GS_BASE, val);
		return 0;
	}
	/*
	 * MTRRs are kept, not applied: EPT maps all guest memory write-back
	 * with "ignore PAT", so the guest's PAT and MTRRs do not change
	 * it (ept.c), as in KVM for guests without assigned devices.
	 */
	mtrr = mtrr_slot(&v->msrs, msr, &val, &ok);
	if (mtrr) {
		if (!ok)
			return -EINVAL;
		*mtrr = val;
		return 0;
	}
	for (i = v->msr_first; i < VMX_NR_SWITCHED_MSRS; i++) {
		if (v->msr_page[i].index != msr)
			continue;
		/* TSC_AUX bits 63:32 are reserved (SDM Vol. 4 table 2-2). */
		if (msr == MSR_TSC_AUX ? val >> 32 :
		    msr != MSR_STAR && msr != MSR_SYSCALL_MASK &&
		    !canonical(val))
			return -EINVAL;
		v->msr_page[i].value = val;
		return 0;
	}
	return -EINVAL;
}

enum vmx_exit_action vmx_handle_rdmsr(struct vmx_vcpu *v)
{
	u64 val;

	if (msr_read(v, v->regs[VMX_RCX], &val))
		return vmx_inject_gp(v);
	v->regs[VMX_RAX] = (u32)val;
	v->regs[VMX_RDX] = val >> 32;
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

enum vmx_exit_action vmx_handle_wrmsr(struct vmx_vcpu *v)
{
	u64 val = (u32)v->regs[VMX_RAX] | (v->regs[VMX_RDX] << 32);

	if (msr_write(v, v->regs[VMX_RCX], val))
		return vmx_inject_gp(v);
	vmx_skip_instruction(v);
	return VMX_RESUME;
}
