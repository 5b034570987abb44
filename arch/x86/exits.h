/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the exit handlers share across the files of arch/x86/ that hold
 * them, one concern per file (Documentation/vm-exit.rst, step 5): the
 * dispatch table, the guest's registers and the completion of an
 * instruction in exits.c; guest-linear memory in linear.c; CPUID in
 * cpuid.c, the MSRs in msr.c, control registers and XSETBV in cr.c, debug
 * registers in dr.c, port I/O in io.c, MMIO in mmio.c, the event windows
 * in events.c, the in-kernel APIC in apic.c.
 */
#ifndef VMXLAB_ARCH_X86_EXITS_H
#define VMXLAB_ARCH_X86_EXITS_H

#include <asm/processor-flags.h>

#include "vmx.h"
#include "vmx_ops.h"

static inline struct vmxlab_run *vmx_run_of(struct vmx_vcpu *v)
{
	return v->core->run;
}

/* 64-bit mode: IA-32e mode and CS.L (SDM Vol. 3A 5.2.1). */
static inline bool vmx_long_mode(void)
{
	return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

/* Default operand/address size of the guest's code: 2, 4 or 8 bytes. */
static inline unsigned int vmx_code_size(void)
{
	if (vmx_long_mode())
		return 8;
	if (!(vmx_guest_cr0() & X86_CR0_PE))
		return 2;
	return (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_DB_MASK) ? 4 : 2;
}

/* CPL is SS.DPL (SDM Vol. 3C 26.3.1.2: VM entry checks they agree). */
static inline unsigned int vmx_guest_cpl(void)
{
	return VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES));
}

/* General-purpose register @n (VMX_RAX...): RSP lives in the VMCS. */
static inline u64 vmx_get_gpr(struct vmx_vcpu *v, unsigned int n)
{
	return n == VMX_RSP ? vmcs_readl(GUEST_RSP) : v->regs[n];
}

static inline void vmx_set_gpr(struct vmx_vcpu *v, unsigned int n, u64 val)
{
	if (n == VMX_RSP)
		vmcs_writel(GUEST_RSP, val);
	else
		v->regs[n] = val;
}

/* exits.c: registers, the instruction that exited completes or faults. */
void vmx_write_gpr_sized(struct vmx_vcpu *v, unsigned int n, bool high,
			 unsigned int size, u64 val);
void vmx_complete_instruction(u64 len);
void vmx_skip_instruction(struct vmx_vcpu *v);
enum vmx_exit_action vmx_inject_ud(struct vmx_vcpu *v);
enum vmx_exit_action vmx_inject_gp(struct vmx_vcpu *v);
enum vmx_exit_action vmx_internal_error(struct vmx_vcpu *v, u32 suberror,
					u32 reason);

/* linear.c: the guest's linear addresses, through its page tables. */
int vmx_translate(struct vmx_vcpu *v, u64 la, u32 access, bool inject,
		  u64 *gpa);
int vmx_copy_linear(struct vmx_vcpu *v, u64 la, void *buf, size_t len,
		    u32 access, bool inject);

/* cpuid.c: CPUID (exit reason 10). */
enum vmx_exit_action vmx_handle_cpuid(struct vmx_vcpu *v);

/* msr.c: RDMSR and WRMSR (exit reasons 31 and 32). */
enum vmx_exit_action vmx_handle_rdmsr(struct vmx_vcpu *v);
enum vmx_exit_action vmx_handle_wrmsr(struct vmx_vcpu *v);

/* cr.c: control-register accesses (28) and XSETBV (55). */
enum vmx_exit_action vmx_handle_cr(struct vmx_vcpu *v);
enum vmx_exit_action vmx_handle_xsetbv(struct vmx_vcpu *v);

/* dr.c: MOV DR (29). */
enum vmx_exit_action vmx_handle_dr(struct vmx_vcpu *v);

/* io.c: IN, OUT, INS, OUTS (30), finished after userspace served them. */
enum vmx_exit_action vmx_handle_io(struct vmx_vcpu *v);
void vmx_complete_io(struct vmx_vcpu *v);

/* mmio.c: EPT violations (48), MMIO finished after userspace. */
enum vmx_exit_action vmx_handle_ept_violation(struct vmx_vcpu *v);
void vmx_complete_mmio(struct vmx_vcpu *v);

#endif /* VMXLAB_ARCH_X86_EXITS_H */
