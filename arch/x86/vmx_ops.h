/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX instructions, each returning how it ended.
 *
 * SDM Vol. 3C 30.2: a VMX instruction either succeeds (CF = ZF = 0), fails
 * with VMfailInvalid (CF = 1: there is no current VMCS to hold an error
 * number), or fails with VMfailValid (ZF = 1: the error number is in the
 * VM-instruction error field of the current VMCS). It can also fault (#UD
 * outside VMX operation, #GP for bad CR0/CR4 or CPL). Every wrapper here
 * reports all four outcomes; none is ignored.
 */
#ifndef VMXLAB_ARCH_X86_VMX_OPS_H
#define VMXLAB_ARCH_X86_VMX_OPS_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/asm.h>

enum vmx_insn_status {
	VMX_OK = 0,
	VMX_FAIL_INVALID,	/* CF = 1 */
	VMX_FAIL_VALID,		/* ZF = 1 */
	VMX_FAULT,		/* #UD or #GP, caught by the exception table */
};

static inline const char *vmx_insn_status_name(enum vmx_insn_status s)
{
	switch (s) {
	case VMX_OK:
		return "success";
	case VMX_FAIL_INVALID:
		return "VMfailInvalid";
	case VMX_FAIL_VALID:
		return "VMfailValid";
	case VMX_FAULT:
		return "fault";
	}
	return "?";
}

/*
 * VMXON (SDM Vol. 3C 30.3): @pa is the physical address of a 4 KiB aligned
 * VMXON region whose first word holds the VMCS revision identifier.
 */
static inline enum vmx_insn_status vmx_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

/* VMXOFF (SDM Vol. 3C 30.3): leave VMX operation. */
static inline enum vmx_insn_status vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

#endif /* VMXLAB_ARCH_X86_VMX_OPS_H */
