/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msr-os.elf: long mode. The MSRs an operating system expects (msr.c):
 * - IA32_MISC_ENABLE reads fast strings, BTS and PEBS unavailable; a
 *   write keeps its read-only bits 7, 11 and 12 and stores the rest;
 * - IA32_MTRRCAP reads 8 variable ranges, fixed ranges, WC; the MTRRs keep
 *   valid values and raise #GP for a bad memory type (default type 2, a
 *   fixed-range byte 7), a reserved bit (default type bit 9, PHYSBASE
 *   bits 11:8, PHYSMASK bits 10:0), as SDM Vol. 3A 12.11 says;
 * - IA32_PAT takes UC- (7) and raises #GP for type 2;
 * - IA32_MCG_CAP reads 0 (no banks), MCG_STATUS takes only 0;
 * - with CPUID.(7,0):EBX[1], IA32_TSC_ADJUST starts at 0; writing it moves
 *   the TSC by as much; a write of IA32_TSC sets the TSC and moves
 *   TSC_ADJUST by the difference (SDM Vol. 3B 18.17.3).
 * Exit values: PASS, E_MSR_OS (the FAIL lines say which), E_EXCEPTION.
 * Image: msr-os.elf 64
 */
#include "guest.h"

#define MSR_TSC			0x10
#define MSR_TSC_ADJUST		0x3b
#define MSR_UCODE_REV		0x8b
#define MSR_MTRRCAP		0xfe
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MISC_ENABLE		0x1a0
#define MSR_MTRR_BASE0		0x200
#define MSR_MTRR_MASK0		0x201
#define MSR_MTRR_FIX64K		0x250
#define MSR_PAT			0x277
#define MSR_MTRR_DEF_TYPE	0x2ff
#define TSC_STEP		0x10000000000	/* 2^40 ticks */

/* RDMSR into RAX as one 64-bit value. */
.macro rdmsr64 msr
	mov $\msr, %ecx
	rdmsr
	shl $32, %rdx
	or %rdx, %rax
.endm

/* WRMSR of the 64-bit value in RAX. */
.macro wrmsr64 msr
	mov $\msr, %ecx
	mov %rax, %rdx
	shr $32, %rdx
	wrmsr
.endm

/* WRMSR of a 64-bit immediate must raise #GP. */
.macro wrmsr_gp msr, value, msg
	mov $\value, %rax
	mov $\msr, %ecx
	mov %rax, %rdx
	shr $32, %rdx
	EXPECT_FAULT GP, E_MSR_OS, "\msg", wrmsr
.endm

/* WRMSR of a 64-bit immediate must work and read back. */
.macro wrmsr_keeps msr, value, msg
	mov $\value, %rax
	wrmsr64 \msr
	rdmsr64 \msr
	mov $\value, %rbx
	cmp %rbx, %rax
	FAIL_IF ne, E_MSR_OS, "\msg"
.endm

	GUEST_START
	rdmsr64 MSR_MISC_ENABLE
	cmp $0x1801, %rax
	FAIL_IF ne, E_MSR_OS, "IA32_MISC_ENABLE is not 0x1801 at reset"
	/* bits 0, 3, 16, 18, 22, 23, 34 stored; 7 set and 11, 12 cleared: kept */
	wrmsr_keeps MSR_MISC_ENABLE, 0x400c50809 | 0x1800, "IA32_MISC_ENABLE did not keep a write"
	mov $0x400c50889, %rax
	wrmsr64 MSR_MISC_ENABLE
	rdmsr64 MSR_MISC_ENABLE
	mov $0x400c51809, %rbx
	cmp %rbx, %rax
	FAIL_IF ne, E_MSR_OS, "IA32_MISC_ENABLE bits 7, 11, 12 are not read-only"
	rdmsr64 MSR_UCODE_REV
	mov $0x100000000, %rbx
	cmp %rbx, %rax
	FAIL_IF ne, E_MSR_OS, "IA32_BIOS_SIGN_ID does not read revision 1"

	rdmsr64 MSR_MTRRCAP
	cmp $0x508, %rax
	FAIL_IF ne, E_MSR_OS, "IA32_MTRRCAP is not 0x508"
	wrmsr_keeps MSR_MTRR_DEF_TYPE, 0xc06, "IA32_MTRR_DEF_TYPE did not keep E, FE, WB"
	wrmsr_gp MSR_MTRR_DEF_TYPE, 0xc02, "IA32_MTRR_DEF_TYPE took memory type 2"
	wrmsr_gp MSR_MTRR_DEF_TYPE, 0x206, "IA32_MTRR_DEF_TYPE took reserved bit 9"
	wrmsr_keeps MSR_MTRR_FIX64K, 0x0606060605040100, "IA32_MTRR_FIX64K_00000 did not keep its types"
	wrmsr_gp MSR_MTRR_FIX64K, 0x0706060606060606, "IA32_MTRR_FIX64K_00000 took memory type 7"
	wrmsr_keeps MSR_MTRR_BASE0, 0x80000006, "IA32_MTRR_PHYSBASE0 did not keep base and type"
	wrmsr_gp MSR_MTRR_BASE0, 0x80000106, "IA32_MTRR_PHYSBASE0 took reserved bit 8"
	wrmsr_keeps MSR_MTRR_MASK0, 0xfc0000800, "IA32_MTRR_PHYSMASK0 did not keep mask and V"
	wrmsr_gp MSR_MTRR_MASK0, 0xfc0000801, "IA32_MTRR_PHYSMASK0 took reserved bit 0"
	wrmsr_keeps MSR_PAT, 0x0007040600070407, "IA32_PAT did not take UC- (7)"
	wrmsr_gp MSR_PAT, 0x0007040600070402, "IA32_PAT took memory type 2"

	rdmsr64 MSR_MCG_CAP
	test %rax, %rax
	FAIL_IF nz, E_MSR_OS, "IA32_MCG_CAP is not 0"
	wrmsr_keeps MSR_MCG_STATUS, 0, "IA32_MCG_STATUS refused 0"
	wrmsr_gp MSR_MCG_STATUS, 1, "IA32_MCG_STATUS took 1"
	PUTS_LIT "msr-os: MISC_ENABLE, MTRRs, PAT, MCG as SDM Vol. 3A 12.11\n"

	mov $7, %eax
	xor %ecx, %ecx
	cpuid
	test $2, %ebx
	jnz 1f
	mov $MSR_TSC_ADJUST, %ecx
	EXPECT_FAULT GP, E_MSR_OS, "IA32_TSC_ADJUST not advertised, yet no #GP", rdmsr
	PUTS_LIT "msr-os: no TSC_ADJUST advertised, and its MSR raises #GP\n"
	jmp 2f
1:	rdmsr64 MSR_TSC_ADJUST
	test %rax, %rax
	FAIL_IF nz, E_MSR_OS, "IA32_TSC_ADJUST is not 0 at reset"
	/* TSC_ADJUST += 2^40: the TSC moves ahead by 2^40 and a little */
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r12
	mov $TSC_STEP, %rax
	wrmsr64 MSR_TSC_ADJUST
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	sub %r12, %rax
	mov $TSC_STEP, %rbx
	cmp %rbx, %rax
	FAIL_IF b, E_MSR_OS, "writing IA32_TSC_ADJUST did not move the TSC ahead by as much"
	mov $TSC_STEP + 0x40000000, %rbx
	cmp %rbx, %rax
	FAIL_IF a, E_MSR_OS, "writing IA32_TSC_ADJUST moved the TSC by far more"
	/* TSC = 2^41: TSC_ADJUST moves by the difference */
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, %r12			/* the TSC before */
	mov $2 * TSC_STEP, %rax
	wrmsr64 MSR_TSC
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	mov $2 * TSC_STEP, %rbx
	sub %rbx, %rax
	FAIL_IF b, E_MSR_OS, "the TSC is below what WRMSR IA32_TSC wrote"
	cmp $0x40000000, %rax
	FAIL_IF a, E_MSR_OS, "the TSC is far above what WRMSR IA32_TSC wrote"
	/* TSC_ADJUST is now 2^40 + (2^41 - before) = 3 * 2^40 - before */
	rdmsr64 MSR_TSC_ADJUST
	add %r12, %rax
	mov $3 * TSC_STEP, %rbx
	sub %rbx, %rax
	jns 3f
	neg %rax
3:	cmp $0x40000000, %rax
	FAIL_IF a, E_MSR_OS, "IA32_TSC_ADJUST did not move with the write of IA32_TSC"
	PUTS_LIT "msr-os: TSC_ADJUST and TSC writes move the TSC together\n"
2:	PASS_EXIT
