// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID (exit reason 10; it always exits, SDM Vol. 3C 25.1.2): what the
 * guest is told about the CPU it runs on. Documentation/abi.rst ("Guest
 * interface") says what is hidden and why.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/cpuid.h>
#include <asm/processor.h>

#include "../../module/arch.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"

/*
 * Bytes of a standard-format XSAVE area holding the components in @xcr0:
 * the legacy area and header (576 bytes), then each component at the
 * offset CPUID.(0xd, i) gives (SDM Vol. 1 13.4.3).
 */
static u32 xsave_size(u64 xcr0)
{
	u32 size = 576, a, b, c, d;
	int i;

	for (i = 2; i < 63; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &a, &b, &c, &d);
		size = max(size, a + b);
	}
	return size;
}

/*
 * CPUID leaf 0xd, XSAVE (SDM Vol. 1 13.2): the components this guest may
 * enable, the sizes for its own XCR0 (the hardware's answer is for the
 * host's, which is loaded while the exit is handled), and no XSAVES or
 * supervisor components (the guest has no IA32_XSS).
 */
static void xsave_leaf(struct vmx_vcpu *v, u32 sub, u32 *a, u32 *b, u32 *c,
		       u32 *d)
{
	u64 ok = v->xcr0_supported;

	if (!ok) {
		*a = 0;
		*b = 0;
		*c = 0;
		*d = 0;
	} else if (sub == 0) {
		*a = lower_32_bits(ok);
		*d = upper_32_bits(ok);
		*b = xsave_size(v->xcr0);
		*c = xsave_size(ok);
	} else if (sub == 1) {
		*a &= ~BIT(3);		/* XSAVES/XRSTORS, IA32_XSS */
		*b = 0;
		*c = 0;
		*d = 0;
	} else if (sub >= 63 || !(ok & BIT_ULL(sub))) {
		*a = 0;
		*b = 0;
		*c = 0;
		*d = 0;
	}
}

/*
 * CPUID: the host's answers, minus what the guest cannot use under vmxlab
 * (VMX, SMX, MONITOR, PMU, thermal and debug-store leaves, features whose
 * controls vmxlab leaves off), plus the hypervisor leaves. SDM Vol. 2A
 * "CPUID" names every bit.
 */
static void cpuid_filter(struct vmx_vcpu *v, u32 leaf, u32 sub, u32 *a, u32 *b,
			 u32 *c, u32 *d)
{
	const struct vmx_config *cfg = vmx_config();

	switch (leaf) {
	case 1:
		/*
		 * APIC id: the vCPU id. The APIC (EDX 9), x2APIC (ECX 21)
		 * and TSC-deadline (ECX 24) only with the in-kernel one.
		 */
		*b = (*b & 0x00ffffff) | (v->core->id << 24);
		*c &= ~(BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) |
			BIT(8) | BIT(14) | BIT(15) | BIT(18) | BIT(21) |
			BIT(24) | BIT(27));
		if (!v->xcr0_supported)
			*c &= ~BIT(26);		/* XSAVE: the host has none */
		if (vmx_guest_cr4() & X86_CR4_OSXSAVE)
			*c |= BIT(27);		/* OSXSAVE mirrors CR4 */
		*c |= BIT(31);			/* hypervisor present */
		*d &= ~(BIT(7) | BIT(9) | BIT(14) | BIT(21) | BIT(22) |
			BIT(29) | BIT(31));
		if (v->apic) {
			*c |= BIT(21) | BIT(24);
			*d |= BIT(9);
		}
		break;
	/* MONITOR, thermal, PMU, topology; SGX (0x12): none for guests. */
	case 5: case 6: case 0xa: case 0xb: case 0x12: case 0x1f:
		*a = 0;
		*b = 0;
		*c = 0;
		*d = 0;
		break;
	case 7:
		if (sub == 0) {
			if (!(cfg->proc2 & SECONDARY_EXEC_ENABLE_INVPCID))
				*b &= ~BIT(10);
			/* TSC_ADJUST needs TSC offsetting (msr.c). */
			if (!(cfg->proc & CPU_BASED_USE_TSC_OFFSETTING))
				*b &= ~BIT(1);
			*b &= ~(BIT(2) | BIT(12) | BIT(14) | BIT(15) | BIT(25));
			/*
			 * PKU, OSPKE, WAITPKG, CET shadow stacks, LA57, SGX
			 * launch control.
			 */
			*c &= ~(BIT(3) | BIT(4) | BIT(5) | BIT(7) | BIT(16) |
				BIT(30));
			/* RDPID reads TSC_AUX, like RDTSCP. */
			if (!vmx_guest_has_rdtscp())
				*c &= ~BIT(22);
			/*
			 * PCONFIG (18, no "enable PCONFIG": #UD), CET; and
			 * the speculation controls, whose MSRs a
			 * guest cannot use here (IA32_SPEC_CTRL, PRED_CMD,
			 * FLUSH_CMD, ARCH_CAPABILITIES raise #GP): IBRS/IBPB,
			 * STIBP, L1D_FLUSH, ARCH_CAPABILITIES, SSBD.
			 */
			*d &= ~(BIT(18) | BIT(20) | BIT(26) | BIT(27) |
				BIT(28) | BIT(29) | BIT(30) | BIT(31));
		}
		break;
	case 0xd:
		xsave_leaf(v, sub, a, b, c, d);
		break;
	case 0x40000000:
		*a = 0x40000001;
		memcpy(b, VMXLAB_CPUID_SIGNATURE, 4);
		memcpy(c, VMXLAB_CPUID_SIGNATURE + 4, 4);
		memcpy(d, VMXLAB_CPUID_SIGNATURE + 8, 4);
		break;
	case 0x80000001:
		if (!vmx_guest_has_rdtscp())
			*d &= ~BIT(27);
		break;
	default:
		if (leaf > 0x40000000 && leaf <= 0x400000ff) {
			*a = 0;
			*b = 0;
			*c = 0;
			*d = 0;
		}
	}
}

enum vmx_exit_action vmx_handle_cpuid(struct vmx_vcpu *v)
{
	u32 leaf = v->regs[VMX_RAX], sub = v->regs[VMX_RCX], a, b, c, d;

	a = 0;
	b = 0;
	c = 0;
	d = 0;
	if (leaf < 0x40000000 || leaf > 0x400000ff)
		cpuid_count(leaf, sub, &a, &b, &c, &d);
	cpuid_filter(v, leaf, sub, &a, &b, &c, &d);
	v->regs[VMX_RAX] = a;
	v->regs[VMX_RBX] = b;
	v->regs[VMX_RCX] = c;
	v->regs[VMX_RDX] = d;
	vmx_skip_instruction(v);
	return VMX_RESUME;
}
