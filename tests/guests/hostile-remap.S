/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile-remap.elf: ELF64. A kernel that remaps a page and relies on
 * INVLPG: 10000 rounds, each points the 4 KiB PTE of SCRATCH_VA (a page
 * table of the guest's own, scratch_pt in cpu.S) at frame A (every byte
 * 0x11) or frame B (every byte 0x22), alternately, INVLPGs SCRATCH_VA, and
 * then
 *  - reads the whole page through SCRATCH_VA: it must be the pattern of the
 *    frame just mapped (INVLPG invalidates the TLB entries and paging-
 *    structure caches for the page, SDM Vol. 3A 4.10.4.1; Vol. 2A
 *    "INVLPG");
 *  - writes the round number through SCRATCH_VA at offset 8 * (round % 512)
 *    and finds it there in that frame, through the identity map, and not
 *    in the other frame.
 * Every 10th round a CPUID (an exit the kernel handles), every 100th a '.'
 * to the UART (an exit to userspace, where the tool's thread may move to
 * another CPU: INVLPG executed on one CPU must hold on the next). Prints
 * "hostile-remap: " and 100 dots, then
 * "hostile-remap: 10000 remaps, no stale translation".
 * Exit values: PASS, E_HOSTILE_REMAP, E_EXCEPTION.
 * Image: hostile-remap.elf 64
 */
#include "guest.h"

#define ROUNDS		10000
#define PAT_A		0x1111111111111111
#define PAT_B		0x2222222222222222

	GUEST_START
	lea pt(%rip), %rdi
	call scratch_pt
	cld
	lea frame_a(%rip), %rdi
	movabs $PAT_A, %rax
	mov $512, %ecx
	rep stosq
	lea frame_b(%rip), %rdi
	movabs $PAT_B, %rax
	mov $512, %ecx
	rep stosq
	PUTS_LIT "hostile-remap: "

	/* R12 round, R13 frame mapped, R14 its pattern, R15 the other frame,
	 * RBP the other pattern, RBX the offset written. */
	xor %r12d, %r12d
round:
	test $1, %r12d
	jnz 1f
	lea frame_a(%rip), %r13
	movabs $PAT_A, %r14
	lea frame_b(%rip), %r15
	movabs $PAT_B, %rbp
	jmp 2f
1:	lea frame_b(%rip), %r13
	movabs $PAT_B, %r14
	lea frame_a(%rip), %r15
	movabs $PAT_A, %rbp
2:	lea 3(%r13), %rax		/* P, RW */
	mov %rax, pt(%rip)
	mov $SCRATCH_VA, %eax
	invlpg (%rax)

	/* read the page through the new mapping */
	mov $SCRATCH_VA, %edi
	mov $512, %ecx
	mov %r14, %rax
	repe scasq
	jne stale_read

	/* write through it: the mapped frame has it, the other not */
	mov %r12d, %ebx
	and $511, %ebx
	shl $3, %ebx
	mov %r12, SCRATCH_VA(%rbx)
	cmp %r12, (%r13, %rbx)
	jne stale_write
	cmp %rbp, (%r15, %rbx)
	jne stale_write
	mov %r14, (%r13, %rbx)

	/* exits: CPUID every 10th round, UART every 100th */
	mov %r12d, %eax
	xor %edx, %edx
	mov $10, %ecx
	div %ecx
	test %edx, %edx
	jnz 3f
	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
3:	mov %r12d, %eax
	xor %edx, %edx
	mov $100, %ecx
	div %ecx
	cmp $99, %edx
	jne 4f
	mov $0x2e, %al			/* '.' */
	call putc
4:	inc %r12d
	cmp $ROUNDS, %r12d
	jb round

	call newline
	PUTS_LIT "hostile-remap: 10000 remaps, no stale translation\n"
	PASS_EXIT

stale_read:
	mov -8(%rdi), %r13		/* what was read */
	call newline
	PUTS_LIT "hostile-remap: round 0x"
	mov %r12d, %ebx
	call put_hex32
	PUTS_LIT ": read 0x"
	mov %r13, %rbx
	call put_hex64
	PUTS_LIT ", want 0x"
	mov %r14, %rbx
	call put_hex64
	call newline
	mov $E_HOSTILE_REMAP, %edi
	mov $msg_read, %esi
	jmp fail

stale_write:
	call newline
	PUTS_LIT "hostile-remap: round 0x"
	mov %r12d, %ebx
	call put_hex32
	call newline
	mov $E_HOSTILE_REMAP, %edi
	mov $msg_write, %esi
	jmp fail

	.section .rodata
msg_read:
	.asciz "a read after a PTE change and INVLPG saw the old frame (stale translation)"
msg_write:
	.asciz "a write after a PTE change and INVLPG missed the new frame (stale translation)"

	.bss
	.balign 4096
pt:
	.skip 4096
frame_a:
	.skip 4096
frame_b:
	.skip 4096
