// SPDX-License-Identifier: GPL-2.0
/*
 * XCR0 rules. XSETBV raises #GP(0) for a value XCR0 cannot hold, and a
 * hypervisor that let one through would load it later with its own
 * XSETBV, with interrupts off, where the #GP is the host's (an oops on an
 * AVX-512 or AMX host). Documentation/abi.rst ("Guest interface") says
 * what a guest may enable.
 */
#include <linux/types.h>
#include <asm/page.h>
#include <asm/fpu/types.h>

#include "xsave.h"

/**
 * vmx_xcr0_supported() - the XCR0 bits a guest may set
 * @host_xcr0: the host's XCR0 (0 if the host does not use XSAVE).
 * @fpstate_user_xfeatures: the user features the guest's FPU state buffer
 *                          holds (struct fpstate.user_xfeatures).
 *
 * Only what the host itself enables (the CPU supports it and the kernel
 * switches it), and only what the guest's buffer has room for: AMX tile
 * data is a dynamic feature the default guest buffer lacks.
 *
 * Return: the mask, 0 when the guest gets no XSAVE at all.
 */
u64 vmx_xcr0_supported(u64 host_xcr0, u64 fpstate_user_xfeatures)
{
	u64 s = host_xcr0 & fpstate_user_xfeatures;

	/* A tile configuration without tile data would fail the rule below. */
	if (!(s & XFEATURE_MASK_XTILE_DATA))
		s &= ~XFEATURE_MASK_XTILE_CFG;
	return (s & XFEATURE_MASK_FP) ? s : 0;
}

/**
 * vmx_xcr0_valid() - would XSETBV load @xcr0 into XCR0?
 * @xcr0: the value, EDX:EAX of XSETBV.
 * @supported: vmx_xcr0_supported() for this guest.
 *
 * SDM Vol. 1 13.3 and Vol. 2B "XSETBV": x87 state always enabled; AVX
 * needs SSE; the three AVX-512 components all or none, and only with AVX;
 * MPX bound registers and bound configuration together; AMX tile
 * configuration and tile data together; no bit the processor (here: this
 * guest) does not support.
 *
 * Return: true if XSETBV succeeds, false if it raises #GP(0).
 */
bool vmx_xcr0_valid(u64 xcr0, u64 supported)
{
	u64 avx512 = xcr0 & XFEATURE_MASK_AVX512;

	if (xcr0 & ~supported)
		return false;
	if (!(xcr0 & XFEATURE_MASK_FP))
		return false;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return false;
	if (avx512 && (avx512 != XFEATURE_MASK_AVX512 ||
		       !(xcr0 & XFEATURE_MASK_YMM)))
		return false;
	if (!(xcr0 & XFEATURE_MASK_BNDREGS) != !(xcr0 & XFEATURE_MASK_BNDCSR))
		return false;
	if (!(xcr0 & XFEATURE_MASK_XTILE_CFG) !=
	    !(xcr0 & XFEATURE_MASK_XTILE_DATA))
		return false;
	return true;
}
