/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fpu-state.elf: ELF64. The guest's FPU and SSE state must survive exits,
 * above all exits to userspace, where the tool's own code uses the same
 * registers. Sets CR4.OSFXSR, loads XMM0-15 with patterns, MXCSR with
 * round-toward-zero (0x7f80), the x87 control word with round-toward-zero
 * (0x0f7f) and pi on the x87 stack; then 20 times: a character on the UART,
 * CPUID, HC_NOP; then checks it all.
 * Exit values: PASS, E_FPU_*, E_EXCEPTION.
 * Image: fpu-state.elf 64
 */
#include "guest.h"

	GUEST_START
	mov %cr0, %rax
	and $~0xc, %rax			/* EM, TS */
	or $0x2, %rax			/* MP */
	mov %rax, %cr0
	mov %cr4, %rax
	or $0x600, %rax			/* OSFXSR, OSXMMEXCPT */
	mov %rax, %cr4

	fninit
	fldcw fcw(%rip)
	fldpi
	ldmxcsr mxcsr(%rip)
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu patterns + \r * 16(%rip), %xmm\r
	.endr

	PUTS_LIT "fpu-state: "
	mov $20, %r12d
1:	mov $0x2e, %al
	call putc
	mov $0x40000000, %eax
	xor %ecx, %ecx
	cpuid
	mov $HC_NOP, %eax
	vmcall
	dec %r12d
	jnz 1b
	call newline

	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	movdqu patterns + \r * 16(%rip), %xmm0
	pcmpeqb %xmm\r, %xmm0
	pmovmskb %xmm0, %eax
	cmp $0xffff, %eax
	FAIL_IF ne, E_FPU_XMM, "XMM\r changed across exits"
	.endr
	stmxcsr scratch(%rip)
	cmpl $0x7f80, scratch(%rip)
	FAIL_IF ne, E_FPU_MXCSR, "MXCSR changed across exits"
	fnstcw scratch(%rip)
	cmpw $0x0f7f, scratch(%rip)
	FAIL_IF ne, E_FPU_FCW, "x87 control word changed across exits"
	fldpi
	fcomip %st(1), %st
	FAIL_IF ne, E_FPU_X87, "x87 ST0 no longer pi after exits"
	PUTS_LIT "fpu-state: kept\n"
	PASS_EXIT

	.section .rodata
	.balign 16
patterns:
	.irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.quad 0x0101010101010101 * (\r + 1), 0xf0e0d0c0b0a09080 ^ (\r * 0x1111)
	.endr
fcw:
	.word 0x0f7f
mxcsr:
	.long 0x7f80

	.data
scratch:
	.long 0
