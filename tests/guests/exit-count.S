/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit-count.bin: flat binary, real mode. A known number of each exit for
 * the exit-latency statistics (Documentation/exit-latency.rst): 1000
 * CPUIDs and 500 VMCALLs (HC_NOP), which the kernel handles, then 200
 * OUTs to a port no device claims, which go to the tool; then it passes.
 * The loop counter is in SI, which neither CPUID nor the hypercall
 * touches.
 * Exit values: PASS.
 * Image: exit-count.bin 16
 */
#include "guest.h"

#define NR_CPUID	1000
#define NR_VMCALL	500
#define NR_OUT		200

	ENTRY_START
	mov $NR_CPUID, %si
1:	xor %eax, %eax
	cpuid
	dec %si
	jnz 1b

	mov $NR_VMCALL, %si
2:	mov $HC_NOP, %eax
	vmcall
	dec %si
	jnz 2b

	mov $NR_OUT, %si
	mov $UNCLAIMED_PORT, %dx
3:	out %al, %dx
	dec %si
	jnz 3b

	PASS_EXIT
