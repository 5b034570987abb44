/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XCR0, the XSAVE feature mask a guest loads with XSETBV: the rules the
 * CPU enforces (SDM Vol. 1 13.3, Vol. 2B "XSETBV"). Pure logic, so that
 * KUnit can try every rule against any host's feature set.
 */
#ifndef VMXLAB_ARCH_X86_XSAVE_H
#define VMXLAB_ARCH_X86_XSAVE_H

#include <linux/types.h>

bool vmx_xcr0_valid(u64 xcr0, u64 supported);
u64 vmx_xcr0_supported(u64 host_xcr0, u64 fpstate_user_xfeatures);

#endif /* VMXLAB_ARCH_X86_XSAVE_H */
