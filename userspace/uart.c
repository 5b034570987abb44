// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: the 16550 UART at 0x3f8 (registers as in the National
 * Semiconductor PC16550D data sheet). What the guest writes to THR goes to
 * standard output, at once: THR is always empty again by the next access.
 * Received bytes come from standard input, read only once the guest has
 * enabled the received-data interrupt: a guest that only prints (and
 * polls LSR before every byte) never takes the user's input, and pays no
 * system call per byte for it. Input for a guest that polls without
 * interrupts is not modelled yet.
 *
 * Interrupts (data sheet, "Interrupt Identification Register" and table
 * IV): received data available (IER bit 0, while the FIFO or RBR holds a
 * byte) before THR empty (IER bit 1; raised when THR empties, or when the
 * interrupt is enabled with THR empty; cleared by reading IIR while it is
 * the one IIR reports, or by writing THR). No line status or modem
 * status interrupts: nothing can raise them here. As on a PC, the
 * interrupt output reaches IRQ 4 only through MCR's OUT2 (bit 3), which
 * drives the buffer between the chip and the ISA bus; and not in loopback.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

#define UART_BASE	0x3f8
#define UART_IRQ	4
#define UART_FIFO	16

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* THR empty */
#define UART_IIR_NO_INT	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */
#define UART_LCR_DLAB	0x80
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20	/* THR empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
#define UART_MSR_IDLE	0xb0	/* DCD, DSR, CTS: a cable with a listener */

struct uart {
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t rx[UART_FIFO];	/* received bytes (RBR and the FIFO) */
	unsigned int rx_head, rx_count;
	bool thri;		/* the THR-empty interrupt is pending */
	bool want_input;	/* the guest enabled the received-data interrupt */
	bool input_eof;		/* standard input has ended */
	bool irq;		/* the level last put on IRQ 4 */
};

static struct uart uart0;
static bool line_open;		/* the guest's last byte was not a newline */

static void uart_out(uint8_t c)
{
	putchar(c);
	line_open = c != '\n';
	if (!line_open)
		fflush(stdout);
}

/* The interrupt IIR reports, 0 for none, by the 16550's priority. */
static uint8_t uart_pending(const struct uart *u)
{
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thri)
		return UART_IIR_THRI;
	return 0;
}

/* The level of IRQ 4: the chip's INTR, through OUT2, not in loopback. */
static void uart_update_irq(struct vm *vm, struct uart *u)
{
	bool level = uart_pending(u) && (u->mcr & UART_MCR_OUT2) &&
		     !(u->mcr & UART_MCR_LOOP);

	if (level == u->irq)
		return;
	u->irq = level;
	irq_set_line(vm, UART_IRQ, level);
}

static void uart_rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == UART_FIFO)
		return;		/* overrun: the byte is lost, as on the chip */
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO] = c;
	u->rx_count++;
}

static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t c = 0;

	if (u->rx_count) {
		c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO;
		u->rx_count--;
	}
	return c;
}

/* In loopback MCR's DTR, RTS, OUT1, OUT2 show as DSR, CTS, RI, DCD. */
static uint8_t uart_msr(const struct uart *u)
{
	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_IDLE;
	return (u->mcr & 0x1) << 5 | (u->mcr & 0x2) << 3 |
	       (u->mcr & 0x4) << 4 | (u->mcr & 0x8) << 4;
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t iir;

	switch (reg) {
	case 0:
		return dlab ? u->dll : uart_rx_pop(u);
	case 1:
		return dlab ? u->dlm : u->ier;
	case 2:
		iir = uart_pending(u);
		/* Reading IIR that reports THR empty clears it (table IV). */
		if (iir == UART_IIR_THRI)
			u->thri = false;
		return (iir ? iir : UART_IIR_NO_INT) |
		       (u->fcr & 1 ? UART_IIR_FIFO : 0);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (u->rx_count ? UART_LSR_DR : 0);
	case 6:
		return uart_msr(u);
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			u->dll = v;
			break;
		}
		if (u->mcr & UART_MCR_LOOP)
			uart_rx_push(u, v);
		else
			uart_out(v);
		/* Sent at once: THR is empty again. */
		u->thri = true;
		break;
	case 1:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling the THR-empty interrupt with THR empty raises it. */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thri = true;
		u->ier = v & 0x0f;
		if (u->ier & UART_IER_RDI)
			u->want_input = true;
		break;
	case 2:
		u->fcr = v & 0xc9;	/* enable, DMA mode, trigger level */
		if (v & 0x02) {		/* clear the receive FIFO */
			u->rx_head = 0;
			u->rx_count = 0;
		}
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1f;
		break;
	case 7:
		u->scr = v;
		break;
	}	/* LSR and MSR: writes ignored */
}

/* A wider access covers consecutive registers, byte by byte, as on ISA. */
static int uart_io(struct vm *vm, struct bus_dev *dev, uint64_t port,
		   uint32_t size, uint8_t *data, bool write)
{
	uint32_t i;
	uint64_t reg;

	for (i = 0; i < size; i++) {
		reg = port + i - dev->base;
		if (reg >= dev->len)
			data[i] = write ? data[i] : 0xff;
		else if (write)
			uart_write(dev->priv, reg, data[i]);
		else
			data[i] = uart_read(dev->priv, reg);
	}
	uart_update_irq(vm, dev->priv);
	return RUN_CONTINUE;
}

void uart_init(struct vm *vm)
{
	memset(&uart0, 0, sizeof(uart0));
	bus_register(&vm->pio, "16550 UART", UART_BASE, 8, uart_io, &uart0);
}

/**
 * uart_input_fd() - where the UART waits for input
 *
 * Return: standard input's descriptor while the guest looks for input and
 * the FIFO has room, else -1 (nothing to wait for).
 */
int uart_input_fd(void)
{
	const struct uart *u = &uart0;

	if (!u->want_input || u->input_eof || u->rx_count == UART_FIFO ||
	    (u->mcr & UART_MCR_LOOP))
		return -1;
	return STDIN_FILENO;
}

/**
 * uart_poll_input() - take what standard input has, without waiting
 * @vm: the VM.
 */
void uart_poll_input(struct vm *vm)
{
	struct uart *u = &uart0;
	struct pollfd p = { .fd = uart_input_fd(), .events = POLLIN };
	uint8_t buf[UART_FIFO];
	ssize_t n, i;

	if (p.fd < 0 || poll(&p, 1, 0) <= 0)
		return;
	n = read(p.fd, buf, UART_FIFO - u->rx_count);
	if (n <= 0) {
		u->input_eof = true;
		return;
	}
	for (i = 0; i < n; i++)
		uart_rx_push(u, buf[i]);
	uart_update_irq(vm, u);
}

/*
 * Flushes the guest's output. On a terminal, a line the guest left open is
 * ended, so that what follows (a message, the shell prompt) starts a line.
 */
void devices_flush(void)
{
	if (line_open && isatty(STDOUT_FILENO)) {
		putchar('\n');
		line_open = false;
	}
	fflush(stdout);
}
