/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the exit handlers share across the files of arch/x86/ that hold
 * them, one concern per file (Documentation/vm-exit.rst, step 5): the
 * dispatch table and the instruction helpers in exits.c, CPUID in cpuid.c,
 * the MSRs in msr.c.
 */
#ifndef VMXLAB_ARCH_X86_EXITS_H
#define VMXLAB_ARCH_X86_EXITS_H

#include "vmx.h"

/* exits.c: the instruction that exited completes, or faults. */
void vmx_skip_instruction(struct vmx_vcpu *v);
enum vmx_exit_action vmx_inject_ud(struct vmx_vcpu *v);
enum vmx_exit_action vmx_inject_gp(struct vmx_vcpu *v);

/* cpuid.c: CPUID (exit reason 10). */
enum vmx_exit_action vmx_handle_cpuid(struct vmx_vcpu *v);

/* msr.c: RDMSR and WRMSR (exit reasons 31 and 32). */
enum vmx_exit_action vmx_handle_rdmsr(struct vmx_vcpu *v);
enum vmx_exit_action vmx_handle_wrmsr(struct vmx_vcpu *v);

#endif /* VMXLAB_ARCH_X86_EXITS_H */
