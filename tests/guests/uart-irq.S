/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uart-irq.elf: protected mode. The 16550's interrupt on IRQ 4 (vector
 * 0x24, the 8259A set up as Linux does, IRQ 4 alone unmasked, MCR OUT2
 * set as on a PC). Enabling the THR-empty interrupt with THR empty raises
 * it once; then every byte of a line sent raises it once more (the handler
 * clears it by reading IIR). Then, with the received-data interrupt alone,
 * STI; HLT until three bytes have come (the tool reads them from its
 * standard input; test run_uart_irq gives "vmx"); the handler reads them
 * from RBR while LSR.DR is set. Prints
 *   uart-irq: THR empty after every byte
 *   uart-irq: received [vmx]
 * Exit values: PASS, E_UIRQ_ENABLE, E_UIRQ_THRE, E_UIRQ_OTHER, E_EXCEPTION.
 * Image: uart-irq.elf 32
 */
#include "guest.h"

#define UART_RBR	0x3f8
#define UART_IER	0x3f9
#define UART_IIR	0x3fa
#define UART_MCR	0x3fc
#define IER_RDI		0x01
#define IER_THRI	0x02
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define MCR_DTR_RTS_OUT2 0x0b
#define RX_WANT		3

	GUEST_START
	mov $0x24, %ecx
	mov $uart_isr, %eax
	xor %edx, %edx
	call set_gate

	PIC_INIT 0xef			/* IRQ 4 only */

	mov $MCR_DTR_RTS_OUT2, %al
	mov $UART_MCR, %dx
	out %al, %dx
	sti

	/* THR is empty: enabling its interrupt raises it. */
	mov $IER_THRI, %al
	mov $UART_IER, %dx
	out %al, %dx
	cmpl $1, thri
	FAIL_IF ne, E_UIRQ_ENABLE, "no THR-empty interrupt when it was enabled"
	/* One more per byte sent. */
	mov $line1, %esi
	call puts
	cmpl $(1 + line1_end - line1), thri
	FAIL_IF ne, E_UIRQ_THRE, "not one THR-empty interrupt per byte"

	/* Received data only; wait for it. */
	mov $IER_RDI, %al
	mov $UART_IER, %dx
	out %al, %dx
1:	cmpl $RX_WANT, rx_count
	jae 2f
	hlt
	jmp 1b
2:	cli
	cmpl $0, other
	FAIL_IF ne, E_UIRQ_OTHER, "an interrupt that IIR did not explain"
	PUTS_LIT "uart-irq: received ["
	mov $rx_buf, %esi
	call puts
	PUTS_LIT "]\n"
	PASS_EXIT

/* IRQ 4: what IIR says, THR empty counted, received bytes kept; EOI. */
uart_isr:
	push %eax
	push %edx
	mov $UART_IIR, %dx
	in %dx, %al
	and $0x0f, %al
	cmp $IIR_THRI, %al
	jne 1f
	incl thri
	jmp 9f
1:	cmp $IIR_RDI, %al
	jne 8f
2:	mov $UART_RBR + 5, %dx		/* LSR */
	in %dx, %al
	test $1, %al			/* DR */
	jz 9f
	mov $UART_RBR, %dx
	in %dx, %al
	mov rx_count, %edx
	cmp $RX_WANT, %edx
	jae 2b
	mov %al, rx_buf(%edx)
	incl rx_count
	jmp 2b
8:	incl other
9:	mov $0x20, %al			/* OCW2: non-specific EOI */
	out %al, $0x20
	pop %edx
	pop %eax
	iret

	.section .rodata
line1:
	.ascii "uart-irq: THR empty after every byte\n"
line1_end:
	.byte 0

	.data
thri:
	.long 0
rx_count:
	.long 0
other:
	.long 0
rx_buf:
	.skip RX_WANT + 1
