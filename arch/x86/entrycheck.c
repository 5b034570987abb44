// SPDX-License-Identifier: GPL-2.0
/*
 * Naming the guest-state check that failed a VM entry.
 *
 * When VM entry refuses the guest state the CPU reports only "exit reason
 * 33, invalid guest state" (SDM Vol. 3C 26.8). To tell userspace which rule
 * was broken, vmxlab re-checks the main rules of 26.3.1 in software, after
 * the failure, in the SDM's order, and names the first that fails. It runs
 * only on the failure path and costs nothing otherwise.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <asm/page.h>
#include <asm/processor.h>

#include "vmx.h"
#include "vmx_ops.h"

struct seg_state {
	u32 ar, limit;
	u16 sel;
	u64 base;
};

#define READ_SEG(s, x) ((struct seg_state) {			\
	.ar = vmcs_read32(GUEST_##s##_AR_BYTES),		\
	.limit = vmcs_read32(GUEST_##s##_LIMIT),		\
	.sel = vmcs_read16(GUEST_##s##_SELECTOR),		\
	.base = vmcs_readl(GUEST_##s##_BASE) })

static bool usable(const struct seg_state *s)
{
	return !(s->ar & VMX_AR_UNUSABLE_MASK);
}

/* Limit vs granularity, SDM Vol. 3C 26.3.1.2. */
static bool limit_ok(const struct seg_state *s)
{
	if ((s->limit & 0xfff) != 0xfff && (s->ar & VMX_AR_G_MASK))
		return false;
	if ((s->limit & 0xfff00000) && !(s->ar & VMX_AR_G_MASK))
		return false;
	return true;
}

static bool seg_common_ok(const struct seg_state *s)
{
	return (s->ar & VMX_AR_S_MASK) && (s->ar & VMX_AR_P_MASK) &&
	       !(s->ar & VMX_AR_RESERVD_MASK) && limit_ok(s);
}

/* 48-bit canonical: vmxlab guests have 4-level paging (SDM Vol. 1 3.3.7.1). */
static bool canonical(u64 a)
{
	return __is_canonical_address(a, 48);
}

/**
 * vmx_diagnose_entry_failure() - which guest-state rule failed
 * @v: the vCPU, loaded.
 *
 * Return: a VMXLAB_CHECK_*, VMXLAB_CHECK_UNKNOWN if none of these checks
 * fails (the CPU checks more than vmxlab does).
 */
u32 vmx_diagnose_entry_failure(struct vmx_vcpu *v)
{
	const struct vmx_config *c = vmx_config();
	u64 cr0 = vmcs_readl(GUEST_CR0), cr4 = vmcs_readl(GUEST_CR4);
	u64 efer = vmcs_read64(GUEST_IA32_EFER);
	u64 rflags = vmcs_readl(GUEST_RFLAGS), rip = vmcs_readl(GUEST_RIP);
	bool ia32e = vmcs_read32(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE;
	struct seg_state cs = READ_SEG(CS, cs), ss = READ_SEG(SS, ss);
	struct seg_state tr = READ_SEG(TR, tr), ldtr = READ_SEG(LDTR, ldtr);
	struct seg_state data[4] = {
		READ_SEG(DS, ds), READ_SEG(ES, es), READ_SEG(FS, fs),
		READ_SEG(GS, gs),
	};
	u32 cs_type = cs.ar & VMX_AR_TYPE_MASK;
	int i;

	/* 26.3.1.1: control registers and EFER. */
	if ((cr0 & c->cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) !=
	    (c->cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) ||
	    (cr0 & ~c->cr0_fixed1 & ~(u64)(X86_CR0_PE | X86_CR0_PG)) ||
	    ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)))
		return VMXLAB_CHECK_CR0;
	if ((cr4 & c->cr4_fixed0) != c->cr4_fixed0 || (cr4 & ~c->cr4_fixed1) ||
	    (ia32e && !(cr4 & X86_CR4_PAE)))
		return VMXLAB_CHECK_CR4;
	if (vmcs_readl(GUEST_CR3) >> boot_cpu_data.x86_phys_bits)
		return VMXLAB_CHECK_CR3;
	if (!!(efer & EFER_LMA) != ia32e ||
	    ((cr0 & X86_CR0_PG) && !!(efer & EFER_LME) != ia32e))
		return VMXLAB_CHECK_EFER;

	/* 26.3.1.2: segment registers (unrestricted guest rules). */
	if (!(cs_type == 3 || cs_type == 9 || cs_type == 11 || cs_type == 13 ||
	      cs_type == 15) || (cs_type == 3 && (cr0 & X86_CR0_PE)) ||
	    !seg_common_ok(&cs) ||
	    (ia32e && (cs.ar & VMX_AR_L_MASK) && (cs.ar & VMX_AR_DB_MASK)))
		return VMXLAB_CHECK_CS;
	if (usable(&ss) && (!seg_common_ok(&ss) ||
			    ((ss.ar & VMX_AR_TYPE_MASK) != 3 &&
			     (ss.ar & VMX_AR_TYPE_MASK) != 7)))
		return VMXLAB_CHECK_SS;
	for (i = 0; i < ARRAY_SIZE(data); i++) {
		u32 type = data[i].ar & VMX_AR_TYPE_MASK;

		if (!usable(&data[i]))
			continue;
		if (!(type & VMX_AR_TYPE_ACCESSES_MASK) ||
		    ((type & VMX_AR_TYPE_CODE_MASK) &&
		     !(type & VMX_AR_TYPE_READABLE_MASK)) ||
		    !seg_common_ok(&data[i]))
			return VMXLAB_CHECK_DATA_SEG;
	}
	if (!usable(&tr) || (tr.sel & 4) || (tr.ar & VMX_AR_S_MASK) ||
	    !(tr.ar & VMX_AR_P_MASK) || !limit_ok(&tr) ||
	    !((tr.ar & VMX_AR_TYPE_MASK) == VMX_AR_TYPE_BUSY_64_TSS ||
	      (!ia32e && (tr.ar & VMX_AR_TYPE_MASK) == VMX_AR_TYPE_BUSY_16_TSS)))
		return VMXLAB_CHECK_TR;
	if (usable(&ldtr) && ((ldtr.sel & 4) || (ldtr.ar & VMX_AR_S_MASK) ||
			      !(ldtr.ar & VMX_AR_P_MASK) || !limit_ok(&ldtr) ||
			      (ldtr.ar & VMX_AR_TYPE_MASK) != VMX_AR_TYPE_LDT))
		return VMXLAB_CHECK_LDTR;

	/* 26.3.1.3: descriptor tables. */
	if ((vmcs_read32(GUEST_GDTR_LIMIT) >> 16) ||
	    (vmcs_read32(GUEST_IDTR_LIMIT) >> 16) ||
	    !canonical(vmcs_readl(GUEST_GDTR_BASE)) ||
	    !canonical(vmcs_readl(GUEST_IDTR_BASE)))
		return VMXLAB_CHECK_DTABLE;

	/* 26.3.1.4: RIP and RFLAGS. */
	if (!(ia32e && (cs.ar & VMX_AR_L_MASK)) ? (rip >> 32) : !canonical(rip))
		return VMXLAB_CHECK_RIP;
	if (!(rflags & X86_EFLAGS_FIXED) || (rflags & 0xffffffffffc08028ULL) ||
	    ((ia32e || !(cr0 & X86_CR0_PE)) && (rflags & X86_EFLAGS_VM)))
		return VMXLAB_CHECK_RFLAGS;

	/* 26.3.1.6: the PDPTEs of PAE paging. */
	if ((cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !ia32e) {
		for (i = 0; i < 4; i++) {
			u64 e = vmcs_read64(GUEST_PDPTR0 + 2 * i);

			if ((e & 1) && (e & 0x1e6))
				return VMXLAB_CHECK_PDPTE;
		}
	}
	return VMXLAB_CHECK_UNKNOWN;
}
