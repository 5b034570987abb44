// SPDX-License-Identifier: GPL-2.0
/*
 * Control registers (MOV to and from CR0, CR3, CR4, CR8, CLTS, LMSW: SDM
 * Vol. 3C 25.1.3) and the extended control register XCR0 (XSETBV). The
 * guest/host masks and read shadows that decide which CR0/CR4 writes exit
 * are set up in vmcs.c, which also checks and loads a new CR0 or CR4
 * (vmx_set_cr0(), vmx_set_cr4()); CR8 is the APIC's TPR when there is one
 * (apic.c).
 */
#include <asm/processor-flags.h>

#include "../../module/arch.h"
#include "exitqual.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"
#include "xsave.h"

/* MOV to/from CR0, CR3, CR4, CR8, CLTS, LMSW (SDM Vol. 3C 25.1.3). */
enum vmx_exit_action vmx_handle_cr(struct vmx_vcpu *v)
{
	struct vmx_cr_qual q = vmx_decode_cr(vmcs_readl(EXIT_QUALIFICATION));
	u64 val = vmx_get_gpr(v, q.gpr);
	int err = 0;

	if (!vmx_long_mode())
		val = (u32)val;
	switch (q.type) {
	case VMX_CR_MOV_TO:
		if (q.cr == 0)
			err = vmx_set_cr0(v, val);
		else if (q.cr == 4)
			err = vmx_set_cr4(v, val);
		else if (q.cr == 3)
			vmcs_writel(GUEST_CR3, val);
		else if (q.cr == 8 && val <= 15 && v->apic)
			vmx_apic_set_cr8(v, val);
		else if (q.cr == 8 && val <= 15)
			v->cr8 = val;
		else
			err = -EINVAL;
		break;
	case VMX_CR_MOV_FROM:
		if (q.cr == 3)
			vmx_set_gpr(v, q.gpr, vmcs_readl(GUEST_CR3));
		else if (q.cr == 8)
			vmx_set_gpr(v, q.gpr, v->apic ? vmx_apic_cr8(v) : v->cr8);
		else
			return vmx_internal_error(v, VMXLAB_INTERNAL_UNKNOWN_EXIT,
						  EXIT_REASON_CR_ACCESS);
		break;
	case VMX_CR_CLTS:
		err = vmx_set_cr0(v, vmx_guest_cr0() & ~X86_CR0_TS);
		break;
	case VMX_CR_LMSW:
		/* LMSW loads CR0[3:0] but cannot clear PE (SDM Vol. 2A). */
		val = vmx_guest_cr0();
		err = vmx_set_cr0(v, (val & ~0xeULL) | (q.lmsw_data & 0xf));
		break;
	}
	if (err)
		return vmx_inject_gp(v);
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/*
 * XSETBV (SDM Vol. 2B "XSETBV"): XCR0 only (ECX = 0), at CPL 0, and only a
 * value XCR0 can hold (xsave.c); #GP(0) for anything else, as hardware
 * gives it. The CPU checks CR4.OSXSAVE and CPL before it exits (SDM Vol.
 * 3C 25.1.1); the checks here stand in case it did not. run.c loads the
 * value around each entry, so a value that got through would fault in the
 * host's own XSETBV.
 */
enum vmx_exit_action vmx_handle_xsetbv(struct vmx_vcpu *v)
{
	u64 val = (u32)v->regs[VMX_RAX] | ((u64)(u32)v->regs[VMX_RDX] << 32);

	if (!(vmx_guest_cr4() & X86_CR4_OSXSAVE))
		return vmx_inject_ud(v);
	if (vmx_guest_cpl() != 0 || (u32)v->regs[VMX_RCX] != 0 ||
	    !vmx_xcr0_valid(val, v->xcr0_supported))
		return vmx_inject_gp(v);
	v->xcr0 = val;
	vmx_skip_instruction(v);
	return VMX_RESUME;
}
