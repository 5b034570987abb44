/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lapic.elf: Multiboot, protected mode, under `vmxlab run --lapic`. The
 * in-kernel local APIC (SDM Vol. 3A chapter 11):
 * - CPUID.1 offers the APIC, x2APIC and TSC deadline; IA32_APIC_BASE is
 *   0xfee00000 with EN and BSP; the xAPIC ID is 0 and the version 0x14;
 * - the timer, vector 0x40, divide by 1: one-shot of 10 ms (a clock of
 *   1 GHz, or the TSC's rate if slower), the interrupt 10 ms later by the TSC and the current count 0
 *   after it; periodic, 11 interrupts 100 ms apart from the first to the
 *   last; TSC-deadline 10 ms ahead, not before it: each within 1/8, and
 *   each waited for with STI; HLT (which sleeps in the kernel);
 * - a self-IPI (ICR, shorthand self) of vector 0x41 arrives at once; with
 *   TPR 0x50 one of vector 0x51 waits until TPR is 0 again (11.8.3);
 * - single step (RFLAGS.TF) over STI; HLT that the one-shot timer ends:
 *   #DB at the HLT, #DB after it, then the interrupt (SDM Vol. 3A 6.9);
 * - x2APIC mode: IA32_APIC_BASE with EXTD, the ID MSR reads 0, a
 *   SELF_IPI MSR write of vector 0x42 arrives, EOI by MSR.
 * The command line gives the TSC rate, "tsc_khz=N". Prints
 *   lapic: timer one-shot, periodic and TSC-deadline at the right rate
 *   lapic: self-IPIs, TPR and x2APIC
 *   lapic: single step over HLT: #DB before the timer's interrupt
 * Exit values: PASS, E_APIC (the FAIL lines say which), E_EXCEPTION.
 * Image: lapic.elf 32
 */
#include "guest.h"
#include "multiboot.h"

#define APIC		0xfee00000
#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ICR	0x300
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define MSR_APIC_BASE	0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_ID	0x802
#define MSR_X2APIC_EOI	0x80b
#define MSR_SELF_IPI	0x83f
#define TIMER_VEC	0x40
#define LVT_PERIODIC	(1 << 17)
#define LVT_DEADLINE	(2 << 17)
#define LVT_MASKED	(1 << 16)
#define PERIODS		10

	MULTIBOOT_HEADER

	GUEST_START
	TSC_KHZ_ARG E_APIC
	/*
	 * EDI: the timer's clocks in 10 ms. vmxlab's timer clock is 1 GHz,
	 * or the TSC's rate where that is slower (the Bochs rig's 400 MHz).
	 * EBP: TSC ticks in 10 ms.
	 */
	mov $1000000, %edi
	cmp %edi, %ebp
	cmovb %ebp, %edi
	imul $10, %edi, %edi
	imul $10, %ebp, %ebp

	mov $1, %eax
	cpuid
	test $(1 << 9), %edx
	CHECK z, "CPUID.1:EDX.APIC[9] clear"
	test $(1 << 21), %ecx
	CHECK z, "CPUID.1:ECX.x2APIC[21] clear"
	test $(1 << 24), %ecx
	CHECK z, "CPUID.1:ECX.TSC-deadline[24] clear"
	mov $MSR_APIC_BASE, %ecx
	rdmsr
	cmp $0xfee00900, %eax
	CHECK ne, "IA32_APIC_BASE not 0xfee00900 (xAPIC, BSP)"
	/* MOVs only: vmxlab decodes no other instruction on MMIO. */
	mov APIC + APIC_ID, %eax
	test %eax, %eax
	CHECK nz, "xAPIC ID not 0"
	mov APIC + APIC_LVR, %eax
	cmp $0x14, %al
	CHECK ne, "APIC version not 0x14"

	mov $TIMER_VEC, %ecx
	mov $timer_isr, %eax
	xor %edx, %edx
	call set_gate
	mov $0x41, %ecx
	mov $ipi_isr, %eax
	call set_gate
	mov $0x42, %ecx
	call set_gate
	mov $0x51, %ecx
	call set_gate
	movl $0x1ff, APIC + APIC_SVR	/* software-enabled, spurious 0xff */
	movl $0xb, APIC + APIC_TDCR	/* divide by 1 */
	sti

	/* One-shot: 10 ms. */
	movl $TIMER_VEC, APIC + APIC_LVTT
	rdtsc
	mov %eax, t_start
	mov %edi, APIC + APIC_TMICT
1:	hlt
	cmpl $1, ticks
	jb 1b
	mov t_first, %eax
	sub t_start, %eax
	call within_eighth
	CHECK nz, "one-shot: not 10 ms by the TSC"
	mov APIC + APIC_TMCCT, %eax
	test %eax, %eax
	CHECK nz, "one-shot: current count not 0 after it fired"
	cmpl $1, ticks
	CHECK ne, "one-shot: fired more than once"

	/* Periodic, 10 ms: PERIODS periods from the first tick to the last. */
	movl $0, ticks
	movl $(TIMER_VEC | LVT_PERIODIC), APIC + APIC_LVTT
	mov %edi, APIC + APIC_TMICT
1:	hlt
	cmpl $(PERIODS + 1), ticks
	jb 1b
	movl $0, APIC + APIC_TMICT	/* stop it */
	mov t_last, %eax
	sub t_first, %eax
	xor %edx, %edx
	mov $PERIODS, %ecx
	div %ecx			/* mean period */
	call within_eighth
	CHECK nz, "periodic: not 10 ms apart by the TSC"

	/* TSC deadline, 10 ms ahead: not before it. */
	movl $0, ticks
	movl $(TIMER_VEC | LVT_DEADLINE), APIC + APIC_LVTT
	rdtsc
	mov %eax, t_start
	add %ebp, %eax
	adc $0, %edx
	mov %eax, t_deadline
	mov $MSR_TSC_DEADLINE, %ecx
	wrmsr
1:	hlt
	cmpl $1, ticks
	jb 1b
	mov t_first, %eax
	sub t_deadline, %eax
	CHECK s, "TSC deadline: the interrupt came before the deadline"
	mov t_first, %eax
	sub t_start, %eax
	call within_eighth
	CHECK nz, "TSC deadline: not 10 ms by the TSC"
	movl $LVT_MASKED, APIC + APIC_LVTT

	/*
	 * Single step over STI; HLT that the one-shot timer ends: a #DB
	 * after STI (at the HLT: STI blocking holds back interrupts, not the
	 * trap), a #DB after the HLT, and only then the timer's interrupt
	 * (SDM Vol. 3A 6.9: debug traps before interrupts).
	 */
	cli
	mov $1, %ecx
	mov $db_isr, %eax
	xor %edx, %edx
	call set_gate
	movl $0, ticks
	movl $TIMER_VEC, APIC + APIC_LVTT
	mov %edi, APIC + APIC_TMICT
	pushf
	orl $0x100, (%esp)		/* TF */
	popf
	sti
ss_hlt:	hlt
ss_after:
	pushf
	andl $~0x100, (%esp)
	popf
1:	cmpl $1, ticks
	jb 1b
	cmpl $ss_hlt, db_eip
	CHECK ne, "single step: the first #DB is not at the HLT after STI"
	cmpl $ss_after, db_eip + 4
	CHECK ne, "single step: the second #DB is not right after the HLT"
	cmpl $0, db_ticks + 4
	CHECK ne, "single step: the timer's interrupt came before the #DB after HLT"

	/* Self-IPI: at once. */
	movl $0x40041, APIC + APIC_ICR	/* shorthand self, fixed, 0x41 */
	cmpl $1, ipis
	CHECK ne, "self-IPI 0x41 did not arrive at once"
	/* TPR 0x50 holds vector 0x51 back (class 5 <= 5) until it is 0. */
	movl $0x50, APIC + APIC_TPR
	movl $0x40051, APIC + APIC_ICR
	cmpl $1, ipis
	CHECK ne, "self-IPI 0x51 arrived with TPR 0x50"
	movl $0, APIC + APIC_TPR
	nop
	cmpl $2, ipis
	CHECK ne, "self-IPI 0x51 did not arrive after TPR 0"
	cmpb $0x51, last_vec
	CHECK ne, "the second IPI's handler was not vector 0x51's"

	/* x2APIC mode. */
	mov $MSR_APIC_BASE, %ecx
	rdmsr
	or $(1 << 10), %eax		/* EXTD */
	wrmsr
	mov $MSR_X2APIC_ID, %ecx
	rdmsr
	test %eax, %eax
	CHECK nz, "x2APIC ID not 0"
	movl $1, x2apic
	mov $MSR_SELF_IPI, %ecx
	mov $0x42, %eax
	xor %edx, %edx
	wrmsr
	cmpl $3, ipis
	CHECK ne, "x2APIC SELF_IPI 0x42 did not arrive"
	cmpb $0x42, last_vec
	CHECK ne, "the x2APIC IPI's handler was not vector 0x42's"
	cli

	CHECKS_PASSED E_APIC
	PUTS_LIT "lapic: timer one-shot, periodic and TSC-deadline at the right rate\n"
	PUTS_LIT "lapic: self-IPIs, TPR and x2APIC\n"
	PUTS_LIT "lapic: single step over HLT: #DB before the timer's interrupt\n"
	PASS_EXIT

/* ZF set if EAX is within 1/8 of EBP (TSC ticks in 10 ms). */
within_eighth:
	push %ebx
	push %ecx
	mov %ebp, %ebx
	shr $3, %ebx
	mov %ebp, %ecx
	sub %ebx, %ecx
	cmp %ecx, %eax
	jb 1f
	add %ebp, %ebx
	cmp %ebx, %eax
	ja 1f
	xor %ecx, %ecx			/* ZF */
	jmp 2f
1:	or $1, %ecx			/* ZF clear */
2:	pop %ecx
	pop %ebx
	ret

/* The timer: count, the TSC at the first and the last tick, EOI. */
timer_isr:
	push %eax
	push %edx
	rdtsc
	cmpl $0, ticks
	jne 1f
	mov %eax, t_first
1:	mov %eax, t_last
	incl ticks
	movl $0, APIC + APIC_EOI
	pop %edx
	pop %eax
	iret

/* #DB: the first four return addresses, and the timer's count at each. */
db_isr:
	push %eax
	push %ebx
	mov db_n, %ebx
	cmp $4, %ebx
	jae 1f
	mov 8(%esp), %eax		/* the EIP the #DB pushed */
	mov %eax, db_eip(, %ebx, 4)
	mov ticks, %eax
	mov %eax, db_ticks(, %ebx, 4)
1:	incl db_n
	pop %ebx
	pop %eax
	iret

/* Self-IPIs: count, the vector from the highest ISR bit's handler, EOI. */
ipi_isr:
	push %eax
	push %ecx
	push %edx
	incl ipis
	cmpl $0, x2apic
	jne 2f
	/* ISR word 2 (vectors 0x40-0x5f) at 0x120: 0x41 is bit 1, 0x51 bit 17 */
	mov APIC + 0x120, %eax
	bsr %eax, %eax
	add $0x40, %eax
	mov %al, last_vec
	movl $0, APIC + APIC_EOI
	jmp 3f
2:	mov $0x812, %ecx		/* x2APIC ISR word 2 */
	rdmsr
	bsr %eax, %eax
	add $0x40, %eax
	mov %al, last_vec
	mov $MSR_X2APIC_EOI, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
3:	pop %edx
	pop %ecx
	pop %eax
	iret

	.data
db_n:
	.long 0
db_eip:
	.fill 4, 4, 0
db_ticks:
	.fill 4, 4, 0
ticks:
	.long 0
ipis:
	.long 0
x2apic:
	.long 0
t_start:
	.long 0
t_first:
	.long 0
t_last:
	.long 0
t_deadline:
	.long 0
last_vec:
	.byte 0
