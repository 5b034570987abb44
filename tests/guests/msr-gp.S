/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msr-gp-pm.elf (BITS=32) and msr-gp-lm.elf (BITS=64): MSRs.
 * RDMSR and WRMSR of IA32_FEATURE_CONTROL (0x3a) and RDMSR of
 * IA32_VMX_BASIC (0x480) raise #GP (no VMX in the guest). MSRs the guest
 * owns keep what it wrote across exits to the kernel (CPUID) and to
 * userspace (UART output, where the tool itself makes system calls):
 *   32-bit: IA32_SYSENTER_CS, _ESP, _EIP (0x174-0x176);
 *   64-bit: IA32_LSTAR, IA32_STAR, IA32_FMASK, IA32_KERNEL_GS_BASE, and
 *           IA32_EFER reads with LME and LMA set.
 * Exit values: PASS, E_MSR_*, E_EXCEPTION.
 * Image: msr-gp-pm.elf 32
 * Image: msr-gp-lm.elf 64
 */
#include "guest.h"


/* WRMSR ECX = EDX:EAX */
.macro wrmsr_val msr, hi, lo
	mov $\msr, %ecx
	mov $\hi, %edx
	mov $\lo, %eax
	wrmsr
.endm

/* RDMSR and compare with hi:lo */
.macro check_msr msr, hi, lo, value, what
	mov $\msr, %ecx
	rdmsr
	cmp $\lo, %eax
	FAIL_IF ne, \value, "\what"
	cmp $\hi, %edx
	FAIL_IF ne, \value, "\what"
.endm

	GUEST_START
	mov $0x3a, %ecx
	EXPECT_FAULT GP, E_MSR_RD_FC, "RDMSR 0x3a (IA32_FEATURE_CONTROL) did not raise #GP", rdmsr
	SET_MSR 0x3a, 5
	EXPECT_FAULT GP, E_MSR_WR_FC, "WRMSR 0x3a (IA32_FEATURE_CONTROL) did not raise #GP", wrmsr
	mov $0x480, %ecx
	EXPECT_FAULT GP, E_MSR_RD_VMX, "RDMSR 0x480 (IA32_VMX_BASIC) did not raise #GP", rdmsr

#if BITS == 64
	mov $0xc0000080, %ecx
	rdmsr
	and $0x500, %eax
	cmp $0x500, %eax
	FAIL_IF ne, E_MSR_EFER, "IA32_EFER: LME or LMA clear"
	wrmsr_val 0xc0000082, 0x00001234, 0x56789ab0	/* LSTAR */
	wrmsr_val 0xc0000081, 0x00130008, 0x00000000	/* STAR */
	wrmsr_val 0xc0000084, 0x00000000, 0x00047700	/* FMASK */
	wrmsr_val 0xc0000102, 0x00007f12, 0x34567000	/* KERNEL_GS_BASE */
#else
	wrmsr_val 0x174, 0, 0x00000010			/* SYSENTER_CS */
	wrmsr_val 0x175, 0, 0x12345670			/* SYSENTER_ESP */
	wrmsr_val 0x176, 0, 0x00abcdef			/* SYSENTER_EIP */
#endif
	/* exits to userspace (UART) and to the kernel (CPUID) */
	PUTS_LIT "msr-gp: MSRs written, now exits to the tool and back\n"
	mov $0x40000000, %eax
	xor %ecx, %ecx
	cpuid
#if BITS == 64
	check_msr 0xc0000082, 0x00001234, 0x56789ab0, E_MSR_RT1, "IA32_LSTAR lost what was written"
	check_msr 0xc0000081, 0x00130008, 0x00000000, E_MSR_RT2, "IA32_STAR lost what was written"
	check_msr 0xc0000084, 0x00000000, 0x00047700, E_MSR_RT3, "IA32_FMASK lost what was written"
	check_msr 0xc0000102, 0x00007f12, 0x34567000, E_MSR_RT4, "IA32_KERNEL_GS_BASE lost what was written"
#else
	check_msr 0x174, 0, 0x00000010, E_MSR_RT1, "IA32_SYSENTER_CS lost what was written"
	check_msr 0x175, 0, 0x12345670, E_MSR_RT2, "IA32_SYSENTER_ESP lost what was written"
	check_msr 0x176, 0, 0x00abcdef, E_MSR_RT3, "IA32_SYSENTER_EIP lost what was written"
#endif
	PUTS_LIT "msr-gp: values kept\n"
	PASS_EXIT
