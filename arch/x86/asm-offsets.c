// SPDX-License-Identifier: GPL-2.0
/*
 * Offsets for vmenter.S, generated at build time (Kbuild turns this file
 * into asm-offsets.h), so that the entry stub never hard-codes a layout.
 */
#include <linux/kbuild.h>
#include <linux/stddef.h>

#include "vmx.h"

#define REG(name) OFFSET(VMX_REG_##name, vmx_vcpu, regs[VMX_##name])

static void __used vmxlab_asm_offsets(void)
{
	REG(RAX); REG(RCX); REG(RDX); REG(RBX); REG(RBP); REG(RSI); REG(RDI);
	REG(R8); REG(R9); REG(R10); REG(R11); REG(R12); REG(R13); REG(R14);
	REG(R15);
	/* <asm/vmx.h> is C only: the field encoding comes through here. */
	DEFINE(VMCS_HOST_RSP, HOST_RSP);
}
