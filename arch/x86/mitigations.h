/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Speculative-execution mitigations around VM entry and exit: the ones
 * Linux's own KVM applies on the same kernel, under the same CPU feature
 * bits and kernel settings, so that vmxlab pays exactly what KVM pays.
 * Documentation/vm-exit.rst ("Mitigations") tells which and why.
 */
#ifndef VMXLAB_ARCH_X86_MITIGATIONS_H
#define VMXLAB_ARCH_X86_MITIGATIONS_H

#include <linux/types.h>

struct vmx_vcpu;

int vmx_mitigations_init(void);
void vmx_mitigations_exit(void);
u64 vmx_mitigations(void);
void vmx_l1d_flush(struct vmx_vcpu *v);
void vmx_ibpb(void);

#endif /* VMXLAB_ARCH_X86_MITIGATIONS_H */
