/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX capability MSRs: what the CPU reports, and the VMCS control settings
 * vmxlab derives from it. The logic in caps.c is pure (no MSR access) so
 * that KUnit can feed it any recorded capability set.
 */
#ifndef VMXLAB_ARCH_X86_CAPS_H
#define VMXLAB_ARCH_X86_CAPS_H

#include <linux/types.h>
#include "../../uapi/linux/vmxlab.h"

/* Index of capability MSR @msr in struct vmx_msrs. */
#define VMX_MSR_IDX(msr)	((msr) - VMXLAB_CAP_MSR_FIRST)

/**
 * struct vmx_msrs - the raw capability MSRs of one CPU
 * @val: MSR 0x480 + i in @val[i].
 * @valid: bit i set: @val[i] was read. An MSR the CPU does not enumerate
 *         (SDM Vol. 3D A.1 to A.11 say when each exists) is never read.
 */
struct vmx_msrs {
	u64 val[VMXLAB_CAP_MSR_COUNT];
	u64 valid;
};

/**
 * struct vmx_config - what vmxlab programs on this machine
 * @revision_id: written to the first word of every VMXON region and VMCS.
 * @vmcs_size: bytes of a VMXON region or VMCS (at most PAGE_SIZE).
 * @pin: pin-based VM-execution controls.
 * @proc: primary processor-based VM-execution controls.
 * @proc2: secondary processor-based VM-execution controls.
 * @exit: VM-exit controls.
 * @entry: VM-entry controls (the IA-32e mode guest bit is per vCPU).
 * @ept_vpid_cap: IA32_VMX_EPT_VPID_CAP, 0 if absent.
 * @preemption_timer_shift: TSC bit whose change decrements the timer.
 * @cr0_fixed0: CR0 bits that must be 1 in VMX operation.
 * @cr0_fixed1: CR0 bits that may be 1 in VMX operation.
 * @cr4_fixed0: CR4 bits that must be 1 in VMX operation.
 * @cr4_fixed1: CR4 bits that may be 1 in VMX operation.
 * @features: VMXLAB_FEAT_* in use.
 */
struct vmx_config {
	u32 revision_id;
	u32 vmcs_size;
	u32 pin;
	u32 proc;
	u32 proc2;
	u32 exit;
	u32 entry;
	u64 ept_vpid_cap;
	u32 preemption_timer_shift;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 features;
};

/* Most missing features vmx_caps_evaluate() names at once. */
#define VMX_MAX_MISSING		16

int vmx_adjust_ctls(u32 required, u32 optional, u32 allowed0, u32 allowed1,
		    u32 *result);
unsigned int vmx_caps_evaluate(const struct vmx_msrs *msrs,
			       struct vmxlab_caps *caps,
			       struct vmx_config *cfg,
			       const char **missing);
bool vmx_cr_fixed_ok(u64 value, u64 fixed0, u64 fixed1);

#endif /* VMXLAB_ARCH_X86_CAPS_H */
