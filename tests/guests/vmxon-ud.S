/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxon-ud.elf: ELF64. A vmxlab guest has no VMX: CR4.VMXE reads as 0 and
 * cannot be set (#GP, as on a CPU whose CPUID shows no VMX), and every VMX
 * instruction raises #UD (vector 6): VMXON, VMCLEAR, VMPTRLD, VMPTRST,
 * VMREAD, VMWRITE, VMLAUNCH, VMRESUME, VMXOFF, INVEPT, INVVPID.
 * Exit values: PASS, E_UD_CR4_SEEN, E_UD_CR4_SET, E_UD_BASE + 0 (VMXON)
 * ... E_UD_BASE + 10 (INVVPID) in the order above, E_EXCEPTION.
 * Image: vmxon-ud.elf 64
 */
#include "guest.h"


	GUEST_START

	mov %cr4, %rax
	test $(1 << 13), %eax
	FAIL_IF nz, E_UD_CR4_SEEN, "CR4.VMXE reads as 1"
	or $(1 << 13), %rax
	EXPECT_FAULT GP, E_UD_CR4_SET, "setting CR4.VMXE did not raise #GP", mov %rax, %cr4
	mov %cr4, %rax
	test $(1 << 13), %eax
	FAIL_IF nz, E_UD_CR4_SET, "CR4.VMXE reads as 1 after the attempt"

	lea region(%rip), %rsi
	xor %eax, %eax
	xor %ebx, %ebx
	EXPECT_FAULT UD, E_UD_BASE + 0, "VMXON did not raise #UD", vmxon (%rsi)
	EXPECT_FAULT UD, E_UD_BASE + 1, "VMCLEAR did not raise #UD", vmclear (%rsi)
	EXPECT_FAULT UD, E_UD_BASE + 2, "VMPTRLD did not raise #UD", vmptrld (%rsi)
	EXPECT_FAULT UD, E_UD_BASE + 3, "VMPTRST did not raise #UD", vmptrst (%rsi)
	EXPECT_FAULT UD, E_UD_BASE + 4, "VMREAD did not raise #UD", vmread %rax, %rbx
	EXPECT_FAULT UD, E_UD_BASE + 5, "VMWRITE did not raise #UD", vmwrite %rbx, %rax
	EXPECT_FAULT UD, E_UD_BASE + 6, "VMLAUNCH did not raise #UD", vmlaunch
	EXPECT_FAULT UD, E_UD_BASE + 7, "VMRESUME did not raise #UD", vmresume
	EXPECT_FAULT UD, E_UD_BASE + 8, "VMXOFF did not raise #UD", vmxoff
	mov $1, %eax
	EXPECT_FAULT UD, E_UD_BASE + 9, "INVEPT did not raise #UD", invept (%rsi), %rax
	EXPECT_FAULT UD, E_UD_BASE + 10, "INVVPID did not raise #UD", invvpid (%rsi), %rax
	PUTS_LIT "vmxon-ud: CR4.VMXE refused, 11 VMX instructions raised #UD\n"
	PASS_EXIT

	.bss
	.balign 4096
region:
	.skip 4096
