/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile-ac.elf: ELF32, protected mode, paging off. Alignment checking
 * (#AC, vector 17: CR0.AM, RFLAGS.AC, CPL 3 and a misaligned access, SDM
 * Vol. 3A 6.15 "Interrupt 17") as a guest kernel uses it, then as a guest
 * uses it against the host (CVE-2015-5307):
 * 1. At CPL 3 with AC set, a 4-byte load from an odd address raises
 *    #AC with error code 0, delivered to the guest's own handler at CPL 0
 *    (vmxlab intercepts #AC and gives it back, exits.c); prints
 *    "hostile-ac: #AC(0) at CPL 3".
 * 2. The #AC gate now leads to a CPL 3 handler, so an #AC at CPL 3 is
 *    delivered without a stack switch, onto the current stack, whose
 *    pointer is odd: pushing the frame raises #AC again, and again, with
 *    no instruction boundary in between. On hardware that loop keeps the
 *    CPU (host interrupts wait for a boundary); intercepted, each #AC is
 *    an exit, so the host keeps the CPU, and --timeout ends the run.
 *    Prints "hostile-ac: into the #AC loop" and never ends by itself.
 * Exit values: E_HOSTILE_AC if step 1 goes wrong (the FAIL line says how),
 * E_EXCEPTION.
 * Image: hostile-ac.elf 32
 */
#include "guest.h"

#define AC_VECTOR	17
#define UCODE32		0x1b	/* DPL 3 code, flat 32-bit */
#define UDATA32		0x23	/* DPL 3 data, flat */
#define TSS32		0x28
#define CR0_AM		(1 << 18)
#define EFLAGS_AC	(1 << 18)

	GUEST_START
	cli
	/* This guest's GDT: cpu.S's two, user code and data, a TSS. */
	mov $tss, %eax
	mov %ax, gdt_tss + 2
	shr $16, %eax
	mov %al, gdt_tss + 4
	mov %ah, gdt_tss + 7
	movl $stack_top, tss + 4	/* ESP0: the #AC and INT 0x80 frames */
	movl $KDATA, tss + 8		/* SS0 */
	lgdt gdtr
	mov $TSS32, %ax
	ltr %ax
	/* INT 0x80, DPL 3: back from CPL 3. */
	mov $0x80, %ecx
	mov $from_user, %eax
	mov $3, %edx
	call set_gate
	mov %cr0, %eax
	or $CR0_AM, %eax
	mov %eax, %cr0

	/* 1. #AC(0) at CPL 3, to the handler of cpu.S, resuming at 1f. */
	movl $-1, fault_vector
	movl $1f, fixup_ip
	mov %esp, saved_esp
	pushl $UDATA32
	pushl $user_stack_top
	pushl $(EFLAGS_AC | 2)
	pushl $UCODE32
	pushl $user_ac
	iret
1:	int $0x80
back_1:
	cmpl $AC_VECTOR, fault_vector
	FAIL_IF ne, E_HOSTILE_AC, "a misaligned load at CPL 3 with AC set did not raise #AC"
	cmpl $0, fault_error
	FAIL_IF ne, E_HOSTILE_AC, "#AC with an error code other than 0"
	PUTS_LIT "hostile-ac: #AC(0) at CPL 3\n"

	/* 2. The #AC gate to a CPL 3 handler, a misaligned stack at CPL 3. */
	sidt idtr_now
	mov idtr_now + 2, %edi
	mov $user_handler, %eax
	mov %ax, AC_VECTOR * 8(%edi)
	movw $UCODE32, AC_VECTOR * 8 + 2(%edi)
	movw $0x8e00, AC_VECTOR * 8 + 4(%edi)	/* P, 32-bit interrupt gate */
	shr $16, %eax
	mov %ax, AC_VECTOR * 8 + 6(%edi)
	PUTS_LIT "hostile-ac: into the #AC loop\n"
	pushl $UDATA32
	pushl $user_stack_top - 2	/* odd: every push is misaligned */
	pushl $(EFLAGS_AC | 2)
	pushl $UCODE32
	pushl $user_ac
	iret

/* CPL 3: the misaligned load. */
user_ac:
	mov $UDATA32, %ax
	mov %ax, %ds
	mov %ax, %es
	mov misaligned + 1, %eax
	/* Only after an #AC that returned here (step 1 resumes at 1b). */
	int $0x80

/* Reached only if step 2's #AC frame was pushed after all. */
user_handler:
	movl $1, handler_ran
	int $0x80

/* CPL 0 again, from INT 0x80: where step 1 left off, or the end. */
from_user:
	mov $KDATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov saved_esp, %esp
	cmpl $0, step2
	jne 1f
	movl $1, step2
	jmp back_1
1:	cmpl $0, handler_ran
	FAIL_IF ne, E_HOSTILE_AC, "step 2: the #AC frame went onto a misaligned stack at CPL 3"
	FAIL_IF e, E_HOSTILE_AC, "step 2: the misaligned load at CPL 3 raised no #AC"

	.data
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, flat, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat */
	.quad 0x00cffa000000ffff	/* 0x18: code, flat, 32-bit, DPL 3 */
	.quad 0x00cff2000000ffff	/* 0x20: data, flat, DPL 3 */
gdt_tss:
	.quad 0x0000890000000067	/* 0x28: 32-bit TSS, limit 0x67 */
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.long gdt
idtr_now:
	.word 0
	.long 0
saved_esp:
	.long 0
step2:
	.long 0
handler_ran:
	.long 0
	.balign 4
misaligned:
	.long 0, 0
	.balign 16
tss:
	.fill 0x68, 1, 0

	.bss
	.balign 16
	.skip 4096
user_stack_top:
