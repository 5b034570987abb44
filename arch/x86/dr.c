// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's debug registers: MOV to and from DR0-DR7 exit (MOV-DR
 * exiting, SDM Vol. 3C 25.1.3) and are served from the vCPU's copy.
 * Documentation/vm-exit.rst tells how they are switched around an entry.
 */
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../../module/arch.h"
#include "exitqual.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"

/*
 * MOV to and from DR0-DR7 (SDM Vol. 3A 18.2; MOV-DR exiting, Vol. 3C
 * 25.1.3). The guest has debug registers of its own: DR7 lives in the VMCS
 * (loaded and saved with the debug controls), DR0-DR3 and DR6 here, and
 * they reach the hardware only while the guest enables a breakpoint
 * (run.c). The host's breakpoint addresses are never what a guest reads.
 */
enum vmx_exit_action vmx_handle_dr(struct vmx_vcpu *v)
{
	struct vmx_dr_qual q = vmx_decode_dr(vmcs_readl(EXIT_QUALIFICATION));
	unsigned int dr = q.dr;
	u64 val;

	/* A #DB delivered in the guest clears GD: the VMCS has the truth. */
	v->dr7 = vmcs_readl(GUEST_DR7);
	/* General detect: #DB before the access, GD cleared (18.2.4). */
	if (v->dr7 & VMX_DR7_GD) {
		v->dr7 &= ~VMX_DR7_GD;
		vmcs_writel(GUEST_DR7, v->dr7);
		v->dr6 = (v->dr6 & ~VMX_DR6_VOLATILE) | VMX_DR6_BD;
		vmx_queue_exception(v, X86_TRAP_DB, false, 0);
		return VMX_RESUME;
	}
	/* DR4 and DR5 are DR6 and DR7, unless CR4.DE makes them #UD. */
	if (dr == 4 || dr == 5) {
		if (vmx_guest_cr4() & X86_CR4_DE)
			return vmx_inject_ud(v);
		dr += 2;
	}
	if (q.from) {
		val = dr < 4 ? v->db[dr] : dr == 6 ? v->dr6 : v->dr7;
		vmx_set_gpr(v, q.gpr, vmx_long_mode() ? val : (u32)val);
		vmx_skip_instruction(v);
		return VMX_RESUME;
	}
	val = vmx_get_gpr(v, q.gpr);
	if (!vmx_long_mode())
		val = (u32)val;
	if (dr < 4) {
		v->db[dr] = val;
	} else if (val >> 32) {
		/* Bits 63:32 of DR6 and DR7 must be 0 (18.2.4, 18.2.5). */
		return vmx_inject_gp(v);
	} else if (dr == 6) {
		v->dr6 = (val & VMX_DR6_VOLATILE) | VMX_DR6_FIXED_1;
	} else {
		v->dr7 = (val & VMX_DR7_VOLATILE) | VMX_DR7_FIXED_1;
		vmcs_writel(GUEST_DR7, v->dr7);
	}
	vmx_skip_instruction(v);
	return VMX_RESUME;
}
