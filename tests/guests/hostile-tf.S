/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile-tf.elf: ELF64. Single-step (RFLAGS.TF) over instructions that
 * vmxlab carries out for the guest, and the STI and MOV SS shadows, as a
 * debugger or a malicious kernel would use them. The guest has #DB and #GP
 * handlers of its own (vectors 1 and 13) that log every event (RIP, DR6,
 * the RFLAGS pushed) and clear TF in the frame they return to.
 *
 * Rules (SDM Vol. 3A 18.3.1.4 "Single-Step Exception Condition", 18.2.3
 * DR6, 6.8.3 "Masking Exceptions and Interrupts When Switching Stacks",
 * 6.9 priorities; Vol. 3C 25.4.2/26.6.3 on how a VMM completes an
 * instruction): a trap-class #DB with DR6.BS follows every instruction that
 * completes with TF set, except the one whose POPF/IRET set TF; its RIP is
 * that of the next instruction. An instruction that faults completes not
 * and raises no single-step trap. STI does not hold off a #DB (its shadow
 * blocks only maskable interrupts); MOV SS holds off the single-step trap
 * of itself until after the next instruction.
 *
 * With TF set:
 *  1. CPUID, 2. VMCALL HC_NOP, 3. OUT to the UART data port (an exit to
 *     userspace; prints the end of "hostile-tf: OUT with TF set"),
 *  4. IN from port 0x510, 5. RDMSR IA32_SYSENTER_CS, 6. a read of
 *     UNBACKED_GPA (MMIO), 7. MOV to CR4 of its own value: each is
 *     followed by exactly one #DB, RIP just after it, TF in the pushed
 *     RFLAGS; and each gives its usual result.
 *  8. WRMSR of MSR 0x12345678: #GP(0) at the WRMSR and no #DB.
 *  9. IF=0, TF=1: "sti; wrmsr bad": the #DB of STI arrives at the WRMSR
 *     (the handler keeps TF for this one), then the WRMSR, with TF and IF
 *     set, raises #GP(0); no other #DB, and the run goes on (a VM entry
 *     failure would end it with status 6).
 * 10. "sti; cpuid" (TF kept after the first #DB): #DB at the CPUID, #DB
 *     after it.
 * 11. "mov %ax, %ss; cpuid": one #DB, after the CPUID (MOV SS held its own
 *     trap off for one instruction; kvm-unit-tests x86/debug.c checks the
 *     same on hardware with a plain instruction).
 * 12. "mov %ax, %ss; wrmsr bad": #GP(0) at the WRMSR. The single-step
 *     trap MOV SS held off is not clearly specified here: the SDM says
 *     the inhibition "ends after delivery of an exception" (Vol. 2B MOV),
 *     and a VM entry that injects a hardware exception drops pending debug
 *     exceptions (Vol. 3C 26.6.3). So no #DB, or one #DB with DR6.BS on the
 *     first instruction of the #GP handler, both pass; the guest prints
 *     which it saw.
 * Then TF is clear, and every #DB above read DR6 with BS set (checked last,
 * for all of them at once). Prints
 * "hostile-tf: single-step and shadows as hardware".
 * Exit values: PASS, E_HOSTILE_TF (FAIL lines name the checks),
 * E_EXCEPTION (an unexpected #GP or other exception).
 * Image: hostile-tf.elf 64
 */
#include "guest.h"

#define TF		0x100
#define DR6_BS		0x4000
#define DR6_INIT	0xffff0ff0
#define BAD_MSR		0x12345678
#define NLOG		4

/* TF_ON: set RFLAGS.TF with POPFQ; the instruction after it is stepped. */
.macro TF_ON
	pushfq
	orq $TF, (%rsp)
	popfq
.endm

/* EXPECT_DB n, rip0, rip1, "what": the log holds n #DBs, at rip0 (, rip1). */
.macro EXPECT_DB n, rip0, rip1, what
	mov $\n, %r12d
	lea \rip0(%rip), %r13
	lea \rip1(%rip), %r14
	call db_log_ok
	CHECK nz, "\what"
.endm

	GUEST_START
	SET_GATE DB, db_handler
	mov $GP, %ecx			/* EDX is still 0 (DPL) */
	lea gp_handler(%rip), %rax
	call set_gate
	mov $DR6_INIT, %eax
	mov %rax, %dr6
	cli

	/* 1. CPUID */
	call reset_log
	xor %eax, %eax
	xor %ecx, %ecx
	TF_ON
	cpuid
t1_after:
	nop
	EXPECT_DB 1, t1_after, t1_after, "CPUID with TF set: not one #DB right after it"

	/* 2. VMCALL HC_NOP */
	call reset_log
	mov $HC_NOP, %eax
	TF_ON
	vmcall
t2_after:
	nop
	test %rax, %rax
	CHECK nz, "VMCALL HC_NOP with TF set did not return 0"
	EXPECT_DB 1, t2_after, t2_after, "VMCALL with TF set: not one #DB right after it"

	/* 3. OUT to the UART (an exit to userspace) */
	PUTS_LIT "hostile-tf: OUT with TF set"
	mov $UART_LSR, %dx
1:	in %dx, %al
	test $LSR_THRE, %al
	jz 1b
	call reset_log
	mov $0x0a, %al
	mov $UART_THR, %dx
	TF_ON
	out %al, %dx
t3_after:
	nop
	EXPECT_DB 1, t3_after, t3_after, "OUT to the UART with TF set: not one #DB right after it"

	/* 4. IN from an unclaimed port */
	call reset_log
	mov $0x12345600, %eax
	mov $UNCLAIMED_PORT, %dx
	TF_ON
	in %dx, %al
t4_after:
	nop
	cmp $0x123456ff, %eax
	CHECK ne, "IN from port 0x510 with TF set: EAX not 0x123456ff"
	EXPECT_DB 1, t4_after, t4_after, "IN with TF set: not one #DB right after it"

	/* 5. RDMSR of an MSR the guest has */
	SET_MSR 0x174, 0x10
	wrmsr
	call reset_log
	xor %eax, %eax
	mov $0x174, %ecx
	TF_ON
	rdmsr
t5_after:
	nop
	cmp $0x10, %eax
	CHECK ne, "RDMSR IA32_SYSENTER_CS with TF set: not what was written"
	EXPECT_DB 1, t5_after, t5_after, "RDMSR with TF set: not one #DB right after it"

	/* 6. MMIO read */
	call reset_log
	mov $UNBACKED_GPA, %ebx
	xor %eax, %eax
	TF_ON
	mov (%rbx), %eax
t6_after:
	nop
	cmp $0xffffffff, %eax
	CHECK ne, "MMIO read with TF set: not 0xffffffff"
	EXPECT_DB 1, t6_after, t6_after, "MMIO read with TF set: not one #DB right after it"

	/* 7. MOV to CR4, same value */
	call reset_log
	mov %cr4, %rax
	TF_ON
	mov %rax, %cr4
t7_after:
	nop
	EXPECT_DB 1, t7_after, t7_after, "MOV to CR4 with TF set: not one #DB right after it"

	/* 8. A faulting WRMSR: #GP, no single-step trap */
	call reset_log
	lea t8_resume(%rip), %rax
	mov %rax, gp_resume(%rip)
	mov $BAD_MSR, %ecx
	xor %eax, %eax
	xor %edx, %edx
	TF_ON
t8_wrmsr:
	wrmsr
t8_resume:
	lea t8_wrmsr(%rip), %r13
	call gp_log_ok
	CHECK nz, "WRMSR 0x12345678 with TF set: not one #GP(0) at the WRMSR"
	EXPECT_DB 0, t8_wrmsr, t8_wrmsr, "WRMSR 0x12345678 with TF set: a #DB, though it faulted"

	/* 9. sti; wrmsr bad, TF set: #DB after STI, then #GP */
	call reset_log
	movl $1, db_keep(%rip)
	lea t9_resume(%rip), %rax
	mov %rax, gp_resume(%rip)
	mov $BAD_MSR, %ecx
	xor %eax, %eax
	xor %edx, %edx
	TF_ON
	sti
t9_wrmsr:
	wrmsr
t9_resume:
	cli
	lea t9_wrmsr(%rip), %r13
	call gp_log_ok
	CHECK nz, "sti; wrmsr bad with TF set: not one #GP(0) at the WRMSR"
	EXPECT_DB 1, t9_wrmsr, t9_wrmsr, "sti; wrmsr bad with TF set: not one #DB, at the WRMSR (after STI)"

	/* 10. sti; cpuid, TF set (and kept after the first #DB) */
	call reset_log
	movl $1, db_keep(%rip)
	xor %eax, %eax
	xor %ecx, %ecx
	TF_ON
	sti
t10_cpuid:
	cpuid
t10_after:
	cli
	EXPECT_DB 2, t10_cpuid, t10_after, "sti; cpuid with TF set: not a #DB at the CPUID and one after it"

	/* 11. mov ss; cpuid, TF set */
	call reset_log
	mov %ss, %ebx
	xor %eax, %eax
	xor %ecx, %ecx
	TF_ON
	mov %bx, %ss
	cpuid
t11_after:
	nop
	EXPECT_DB 1, t11_after, t11_after, "mov ss; cpuid with TF set: not one #DB, after the CPUID"

	/* 12. mov ss; wrmsr bad, TF set */
	call reset_log
	lea t12_resume(%rip), %rax
	mov %rax, gp_resume(%rip)
	mov %ss, %ebx
	mov $BAD_MSR, %ecx
	xor %eax, %eax
	xor %edx, %edx
	TF_ON
	mov %bx, %ss
t12_wrmsr:
	wrmsr
t12_resume:
	lea t12_wrmsr(%rip), %r13
	call gp_log_ok
	CHECK nz, "mov ss; wrmsr bad with TF set: not one #GP(0) at the WRMSR"
	cmpl $0, db_n(%rip)
	je 2f
	/* #GP delivery cleared TF: this #DB pushes RFLAGS without it */
	lea gp_handler(%rip), %rax
	cmpl $1, db_n(%rip)
	jne 1f
	cmp db_rip(%rip), %rax
	jne 1f
	mov db_dr6(%rip), %rax
	call dr6_check
	xor %eax, %eax
1:	CHECK nz, "mov ss; wrmsr bad with TF set: a #DB, but not one on the first instruction of the #GP handler"
	PUTS_LIT "hostile-tf: mov ss; wrmsr bad: #GP, then #DB in its handler\n"
	jmp 3f
2:	PUTS_LIT "hostile-tf: mov ss; wrmsr bad: #GP, no #DB\n"
3:
	/* TF is clear, DR6.BS was set in every #DB */
	pushfq
	pop %rax
	test $TF, %eax
	CHECK nz, "RFLAGS.TF still set at the end"
	cmpl $0, dr6_missing(%rip)
	je 4f
	PUTS_LIT "hostile-tf: DR6 without BS in "
	mov dr6_missing(%rip), %ebx
	call put_hex32
	PUTS_LIT " single-step #DBs, first 0x"
	mov dr6_first_bad(%rip), %rbx
	call put_hex64
	call newline
	cmpl $0, dr6_missing(%rip)
4:	CHECK ne, "DR6.BS (bit 14) clear in a single-step #DB handler"
	CHECKS_PASSED E_HOSTILE_TF
	PUTS_LIT "hostile-tf: single-step and shadows as hardware\n"
	PASS_EXIT

/* reset_log: no #DB or #GP seen; the #DB handler clears TF. Keeps GPRs. */
reset_log:
	movl $0, db_n(%rip)
	movl $0, gp_n(%rip)
	movl $0, db_keep(%rip)
	movq $0, gp_resume(%rip)
	ret

/*
 * db_log_ok: the log holds R12D #DBs, the first at R13, the second at R14,
 * each with TF in its pushed RFLAGS; counts those whose DR6 lacks BS in
 * dr6_missing. ZF clear (and the log printed) if not. Clobbers RAX-RDX, RSI.
 */
db_log_ok:
	cmp db_n(%rip), %r12d
	jne 8f
	test %r12d, %r12d
	jz 7f
	cmp db_rip(%rip), %r13
	jne 8f
	testq $TF, db_rfl(%rip)
	jz 8f
	mov db_dr6(%rip), %rax
	call dr6_check
	cmp $2, %r12d
	jb 7f
	cmp db_rip + 8(%rip), %r14
	jne 8f
	testq $TF, db_rfl + 8(%rip)
	jz 8f
	mov db_dr6 + 8(%rip), %rax
	call dr6_check
7:	xor %eax, %eax
	ret
8:	PUTS_LIT "hostile-tf: #DB log: "
	mov db_n(%rip), %ebx
	call put_hex32
	PUTS_LIT " #DB, RIP/RFLAGS"
	xor %esi, %esi
9:	cmp db_n(%rip), %esi
	jae 10f
	cmp $NLOG, %esi
	jae 10f
	push %rsi
	PUTS_LIT " 0x"
	mov (%rsp), %rsi
	lea db_rip(%rip), %rbx
	mov (%rbx, %rsi, 8), %rbx
	call put_hex64
	PUTS_LIT "/0x"
	mov (%rsp), %rsi
	lea db_rfl(%rip), %rbx
	mov (%rbx, %rsi, 8), %rbx
	call put_hex32
	pop %rsi
	inc %esi
	jmp 9b
10:	PUTS_LIT "; expected "
	mov %r12d, %ebx
	call put_hex32
	PUTS_LIT " at 0x"
	mov %r13, %rbx
	call put_hex64
	call newline
	or $1, %eax			/* ZF clear */
	ret

/* dr6_check: RAX = a DR6 a single-step #DB read; counts it if BS is clear. */
dr6_check:
	test $DR6_BS, %eax
	jnz 1f
	cmpl $0, dr6_missing(%rip)
	jne 2f
	mov %rax, dr6_first_bad(%rip)
2:	incl dr6_missing(%rip)
1:	ret

/*
 * gp_log_ok: one #GP with error code 0 at R13. ZF clear (and what was seen
 * printed) if not. Clobbers RAX-RDX, RSI.
 */
gp_log_ok:
	cmpl $1, gp_n(%rip)
	jne 8f
	cmpl $0, gp_err(%rip)
	jne 8f
	cmp gp_rip(%rip), %r13
	jne 8f
	xor %eax, %eax
	ret
8:	PUTS_LIT "hostile-tf: "
	mov gp_n(%rip), %ebx
	call put_hex32
	PUTS_LIT " #GP, last error 0x"
	mov gp_err(%rip), %ebx
	call put_hex32
	PUTS_LIT " at 0x"
	mov gp_rip(%rip), %rbx
	call put_hex64
	PUTS_LIT "; expected at 0x"
	mov %r13, %rbx
	call put_hex64
	call newline
	or $1, %eax
	ret

/*
 * #DB: log RIP, RFLAGS and DR6, reset DR6 (the CPU never clears it, SDM
 * Vol. 3A 18.2.3), and clear TF in the frame unless db_keep says to keep
 * it once more. [rsp] RIP, CS, RFLAGS, RSP, SS.
 */
db_handler:
	push %rax
	push %rbx
	push %rcx
	mov db_n(%rip), %ecx
	incl db_n(%rip)
	cmp $NLOG, %ecx
	jae 1f
	mov 24(%rsp), %rax
	lea db_rip(%rip), %rbx
	mov %rax, (%rbx, %rcx, 8)
	mov 40(%rsp), %rax
	lea db_rfl(%rip), %rbx
	mov %rax, (%rbx, %rcx, 8)
	mov %dr6, %rax
	lea db_dr6(%rip), %rbx
	mov %rax, (%rbx, %rcx, 8)
1:	mov $DR6_INIT, %eax
	mov %rax, %dr6
	cmpl $0, db_keep(%rip)
	je 2f
	decl db_keep(%rip)
	jmp 3f
2:	andq $~TF, 40(%rsp)
3:	pop %rcx
	pop %rbx
	pop %rax
	iretq

/*
 * #GP: log RIP and error code, clear TF in the frame, resume at gp_resume
 * (once). [rsp] error code, RIP, CS, RFLAGS, RSP, SS.
 */
gp_handler:
	push %rax
	incl gp_n(%rip)
	mov 8(%rsp), %rax
	mov %eax, gp_err(%rip)
	mov 16(%rsp), %rax
	mov %rax, gp_rip(%rip)
	andq $~TF, 32(%rsp)
	mov gp_resume(%rip), %rax
	test %rax, %rax
	jz 1f
	movq $0, gp_resume(%rip)
	mov %rax, 16(%rsp)
	pop %rax
	add $8, %rsp
	iretq
1:	PUTS_LIT "unexpected exception 0000000d error "
	mov gp_err(%rip), %ebx
	call put_hex32
	PUTS_LIT " at "
	mov gp_rip(%rip), %rbx
	call put_hex64
	call newline
	EXIT E_EXCEPTION

	.data
	.balign 8
db_n:
	.long 0
db_keep:
	.long 0
gp_n:
	.long 0
gp_err:
	.long 0
dr6_missing:
	.long 0
	.balign 8
dr6_first_bad:
	.quad 0
gp_rip:
	.quad 0
gp_resume:
	.quad 0
db_rip:
	.skip 8 * NLOG
db_rfl:
	.skip 8 * NLOG
db_dr6:
	.skip 8 * NLOG
