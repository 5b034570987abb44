/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid.elf: ELF32. What CPUID tells a vmxlab guest (uapi/linux/vmxlab.h,
 * "What the guest sees"): CPUID.1:ECX.VMX[5] clear, .hypervisor[31] set;
 * leaf 0x40000000: EAX >= 0x40000001, EBX ECX EDX = "vmxlabvmxlab";
 * leaf 0x40000001: all zero. Prints the signature.
 * Exit values: PASS, E_CPUID_*, E_EXCEPTION.
 * Image: cpuid.elf 32
 */
#include "guest.h"

	GUEST_START
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	test $(1 << 5), %ecx
	FAIL_IF nz, E_CPUID_VMX, "CPUID.1:ECX.VMX[5] is set"
	test $(1 << 31), %ecx
	FAIL_IF z, E_CPUID_HV, "CPUID.1:ECX.hypervisor[31] is clear"

	mov $0x40000000, %eax
	xor %ecx, %ecx
	cpuid
	mov %ebx, sig
	mov %ecx, sig + 4
	mov %edx, sig + 8
	PUTS_LIT "cpuid: signature ["
	PUTS sig
	PUTS_LIT "]\n"
	mov $0x40000000, %eax
	xor %ecx, %ecx
	cpuid
	cmp $0x40000001, %eax
	FAIL_IF b, E_CPUID_MAX, "CPUID 0x40000000: EAX below 0x40000001"
	cmp $SIG_EBX, %ebx
	FAIL_IF ne, E_CPUID_EBX, "CPUID 0x40000000: EBX is not vmxl"
	cmp $SIG_ECX, %ecx
	FAIL_IF ne, E_CPUID_ECX, "CPUID 0x40000000: ECX is not abvm"
	cmp $SIG_EDX, %edx
	FAIL_IF ne, E_CPUID_EDX, "CPUID 0x40000000: EDX is not xlab"

	mov $0x40000001, %eax
	mov $0x1234, %ebx
	mov $0x5678, %ecx
	mov $0x9abc, %edx
	cpuid
	or %ebx, %eax
	or %ecx, %eax
	or %edx, %eax
	FAIL_IF nz, E_CPUID_LEAF1, "CPUID 0x40000001: not all zero"
	PASS_EXIT

	.data
sig:
	.long 0, 0, 0, 0
