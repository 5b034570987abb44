/* SPDX-License-Identifier: GPL-2.0 */
/*
 * long-run.elf: ELF64, a few seconds of work with exits of every kind, for
 * runs while the host moves the vCPU thread between CPUs (cpu-hop) or runs
 * two VMs at once. ITERATIONS times:
 *  - rotate every 8-byte word of a 256 KiB buffer left by one bit and XOR
 *    them all; the XOR must be the last one rotated by one bit;
 *  - 16 CPUID 0x40000000 (exits handled in the kernel), signature checked;
 *  - one HC_ECHO hypercall, result checked;
 *  - R8-R10 and R12-R15 must still hold their patterns;
 *  - every 10th iteration one '.' on the UART (exits to userspace).
 * Then "long-run: N iterations" and PASS: 100 dots in all. About 0.25 G
 * instructions (~0.7 s of a Bochs CPU at 400 M instructions per second,
 * ~5 s at 50 M).
 * Exit values: PASS, E_LR_*, E_EXCEPTION.
 * Image: long-run.elf 64
 */
#include "guest.h"

#define ITERATIONS	1000
#define DOT_EVERY	10
#define BUF_WORDS	(256 * 1024 / 8)
#define GOLDEN		0x9e3779b97f4a7c15

	GUEST_START
	PUTS_LIT "long-run: "

	/* buffer[i] = (i + 1) * GOLDEN; R12 = XOR of all */
	lea buf(%rip), %rdi
	xor %ecx, %ecx
	xor %r12d, %r12d
	movabs $GOLDEN, %rsi
1:	lea 1(%rcx), %rax
	imul %rsi, %rax
	mov %rax, (%rdi, %rcx, 8)
	xor %rax, %r12
	inc %ecx
	cmp $BUF_WORDS, %ecx
	jb 1b

	movabs $0x0123456789abcdef, %r8
	movabs $0xfedcba9876543210, %r9
	movabs $0x5555aaaa5555aaaa, %r10
	movabs $0x1357924680aceb0d, %r13
	movabs $0x2468ace013579bdf, %r14
	movabs $0x0f1e2d3c4b5a6978, %r15
	xor %ebp, %ebp				/* iteration */

2:	/* the memory pass */
	lea buf(%rip), %rsi
	lea buf + BUF_WORDS * 8(%rip), %rdi
	xor %edx, %edx
3:	mov (%rsi), %rax
	rol $1, %rax
	mov %rax, (%rsi)
	xor %rax, %rdx
	add $8, %rsi
	cmp %rdi, %rsi
	jb 3b
	rol $1, %r12
	cmp %r12, %rdx
	FAIL_IF ne, E_LR_SUM, "memory checksum changed: guest memory corrupted"

	/* CPUID, handled in the kernel */
	mov $16, %r11d
4:	mov $0x40000000, %eax
	xor %ecx, %ecx
	cpuid
	cmp $SIG_EBX, %ebx
	FAIL_IF ne, E_LR_CPUID, "CPUID 0x40000000 signature changed"
	cmp $SIG_EDX, %edx
	FAIL_IF ne, E_LR_CPUID, "CPUID 0x40000000 signature changed"
	dec %r11d
	jnz 4b

	/* a hypercall */
	mov $HC_ECHO, %eax
	mov %rbp, %rbx
	not %rbx
	vmcall
	mov %rbp, %rbx
	not %rbx
	cmp %rbx, %rax
	FAIL_IF ne, E_LR_ECHO, "HC_ECHO returned something else than RBX"

	/* the registers nobody may touch */
	movabs $0x0123456789abcdef, %rax
	cmp %rax, %r8
	FAIL_IF ne, E_LR_REGS, "R8 changed"
	movabs $0xfedcba9876543210, %rax
	cmp %rax, %r9
	FAIL_IF ne, E_LR_REGS, "R9 changed"
	movabs $0x5555aaaa5555aaaa, %rax
	cmp %rax, %r10
	FAIL_IF ne, E_LR_REGS, "R10 changed"
	movabs $0x1357924680aceb0d, %rax
	cmp %rax, %r13
	FAIL_IF ne, E_LR_REGS, "R13 changed"
	movabs $0x2468ace013579bdf, %rax
	cmp %rax, %r14
	FAIL_IF ne, E_LR_REGS, "R14 changed"
	movabs $0x0f1e2d3c4b5a6978, %rax
	cmp %rax, %r15
	FAIL_IF ne, E_LR_REGS, "R15 changed"

	/* a dot to userspace every DOT_EVERY iterations */
	inc %rbp
	mov %rbp, %rax
	xor %edx, %edx
	mov $DOT_EVERY, %ecx
	div %rcx
	test %rdx, %rdx
	jnz 5f
	mov $0x2e, %al
	call putc
5:	cmp $ITERATIONS, %rbp
	jb 2b

	call newline
	PUTS_LIT "long-run: 0x"
	mov %rbp, %rbx
	call put_hex32
	PUTS_LIT " iterations\n"
	PASS_EXIT

	.bss
	.balign 4096
buf:
	.skip BUF_WORDS * 8
