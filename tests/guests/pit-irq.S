/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pit-irq.elf: Multiboot, protected mode. Programs the 8259A pair as Linux
 * does (vectors 0x20 and 0x28, IRQ 0 alone unmasked) and the 8254's
 * channel 0 in mode 2 with divisor 11932 (100 Hz, what HZ=100 kernels
 * use), then waits with STI; HLT for TICKS interrupts. The handler counts
 * them, takes the TSC at the first and the last, and ends each with a
 * non-specific EOI. The time from the first to the last tick must be
 * (TICKS - 1) x 10 ms by the TSC within 1/8: the command line gives the
 * TSC rate, "tsc_khz=N" (the host's; vmxlab does not scale the TSC, and
 * offsets it only once the guest writes it). Then the 8259A's ISR must read 0 (OCW3). Prints
 *   pit-irq: N ticks at 100 Hz
 * pit-irq-lint0.elf (-DLINT0, under `vmxlab run --lapic`): the 8259A's INTR
 * goes through the local APIC's LINT0 (SDM Vol. 3A 11.5.1). First LVT
 * LINT0 must read ExtINT, unmasked (the BSP's virtual wire); with the APIC
 * software-enabled and LINT0 masked, it
 * must hold IRQ 0 back for 50 ms (five periods) with interrupts on; the
 * ticks then come once it is unmasked again. Prints also
 *   pit-irq: LINT0 masked held IRQ 0 back
 * Exit values: PASS, E_PIT_CMDLINE, E_PIT_RATE, E_PIT_ISR, E_PIT_LINT0,
 * E_EXCEPTION.
 * Image: pit-irq.elf 32
 * Image: pit-irq-lint0.elf 32 -DLINT0
 */
#include "guest.h"
#include "multiboot.h"

#define TICKS		21		/* 20 periods: 200 ms */
#define APIC_SVR	0xfee000f0	/* xAPIC registers (SDM Vol. 3A 11.4.1) */
#define APIC_LVT0	0xfee00350	/* LVT LINT0 (11.5.1) */
#define APIC_LVT_MASKED	0x10000
#define APIC_DM_EXTINT	0x700
#define PIT_DIVISOR	11932		/* 1193182 Hz / 11932 = 100.0 Hz */

	MULTIBOOT_HEADER

	GUEST_START
	/* tsc_khz=N from the command line, in EBP. */
	TSC_KHZ_ARG E_PIT_CMDLINE

	mov $0x20, %ecx
	mov $irq0, %eax
	xor %edx, %edx
	call set_gate

	PIC_INIT 0xfe			/* IRQ 0 only */

	/* 8254 channel 0: LSB then MSB, mode 2 (rate generator), binary. */
	mov $0x34, %al
	out %al, $0x43
	mov $(PIT_DIVISOR & 0xff), %al
	out %al, $0x40
	mov $(PIT_DIVISOR >> 8), %al
	out %al, $0x40

#ifdef LINT0
	/* MOVs only: vmxlab decodes no other instruction on MMIO. */
	mov APIC_LVT0, %eax
	cmp $APIC_DM_EXTINT, %eax
	FAIL_IF ne, E_PIT_LINT0, "LVT LINT0 is not ExtINT, unmasked, at reset"
	/* Software-enabled: else LVT writes cannot clear a mask (11.4.7.2). */
	movl $0x1ff, APIC_SVR
	movl $(APIC_LVT_MASKED | APIC_DM_EXTINT), APIC_LVT0
	sti
	/* 50 ms by the TSC (EBP kHz): EDI:ESI the end */
	rdtsc
	mov %eax, %esi
	mov %edx, %edi
	mov $50, %eax
	mul %ebp
	add %eax, %esi
	adc %edx, %edi
2:	pause
	rdtsc
	cmp %edi, %edx
	jb 2b
	ja 3f
	cmp %esi, %eax
	jb 2b
3:	cmpl $0, ticks
	FAIL_IF ne, E_PIT_LINT0, "IRQ 0 came through a masked LINT0"
	movl $APIC_DM_EXTINT, APIC_LVT0
	PUTS_LIT "pit-irq: LINT0 masked held IRQ 0 back\n"
#endif
	sti
1:	hlt
	cmpl $TICKS, ticks
	jb 1b
	cli

	/* Expected TSC ticks: (TICKS - 1) x 10 ms x tsc_khz. */
	mov $((TICKS - 1) * 10), %eax
	mul %ebp
	mov %eax, %ecx
	mov tsc_last, %eax
	sub tsc_first, %eax		/* below 2^32 up to 21 GHz */
	mov %ecx, %edx
	shr $3, %edx			/* 1/8: 12.5% */
	mov %ecx, %ebx
	sub %edx, %ebx
	cmp %ebx, %eax			/* fewer TSC ticks: IRQ 0 came sooner */
	FAIL_IF b, E_PIT_RATE, "IRQ 0 faster than 100 Hz by the TSC"
	add %edx, %ecx
	cmp %ecx, %eax
	FAIL_IF a, E_PIT_RATE, "IRQ 0 slower than 100 Hz by the TSC"

	/* OCW3: read ISR; every EOI must have taken IR0 out of service. */
	mov $0x0b, %al
	out %al, $0x20
	in $0x20, %al
	test %al, %al
	FAIL_IF nz, E_PIT_ISR, "IR0 still in service after the EOIs"

	PUTS_LIT "pit-irq: 21 ticks at 100 Hz\n"
	PASS_EXIT

/* IRQ 0: count, the TSC at the first and at tick TICKS, EOI. */
irq0:
	push %eax
	push %edx
	incl ticks
	rdtsc
	cmpl $1, ticks
	jne 1f
	mov %eax, tsc_first
1:	cmpl $TICKS, ticks
	jne 2f
	mov %eax, tsc_last
2:	mov $0x20, %al			/* OCW2: non-specific EOI */
	out %al, $0x20
	pop %edx
	pop %eax
	iret

	.data
ticks:
	.long 0
tsc_first:
	.long 0
tsc_last:
	.long 0
