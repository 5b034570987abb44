// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: interrupts. The PC's interrupt wiring between the device
 * models and the vCPU: the 8254's OUT0 drives IRQ 0 of the 8259A pair
 * (pit.c, pic.c), and the master 8259A's INTR output is handed to the
 * kernel as an external interrupt (VMXLAB_INJECT) when the guest can take
 * it, after an interrupt-window exit when it cannot yet
 * (Documentation/interrupts.rst, "What userspace does").
 *
 * The 16550's interrupt (uart.c) drives IRQ 4 through irq_set_line().
 * Time is CLOCK_MONOTONIC. A POSIX timer, armed for the PIT's next OUT0
 * edge, sends SIGUSR1, whose handler sets immediate_exit: VMXLAB_RUN
 * returns -EINTR, and the run loop comes here before it enters again. A
 * guest that never programs the PIT or the PIC costs nothing here: until
 * it touches one of their ports (vm->irq_active), the run loop does not
 * call irq_before_run().
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/libvmxlab.h"
#include "pic.h"
#include "pit.h"
#include "run.h"

static struct pic pic;
static struct pit pit;
static int held = -1;		/* a vector acknowledged, not yet injected */
static timer_t tick_timer;
static bool have_timer;
static uint64_t armed_ns = UINT64_MAX;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int pic_port(struct vm *vm, struct bus_dev *dev __attribute__((unused)),
		    uint64_t port,
		    uint32_t size, uint8_t *data, bool write)
{
	uint32_t i;

	vm->irq_active = true;
	for (i = 0; i < size; i++)
		if (pic_io(&pic, port + i, data + i, write) && !write)
			data[i] = 0xff;
	return RUN_CONTINUE;
}

static int pit_port(struct vm *vm, struct bus_dev *dev __attribute__((unused)),
		    uint64_t port,
		    uint32_t size, uint8_t *data, bool write)
{
	uint64_t t = now_ns();
	uint32_t i;

	vm->irq_active = true;
	for (i = 0; i < size; i++)
		if (pit_io(&pit, port + i, data + i, write, t) && !write)
			data[i] = 0xff;
	return RUN_CONTINUE;
}

/* Arms the timer for absolute time @ns (UINT64_MAX: disarms it). */
static void arm_tick(uint64_t ns)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (!have_timer || ns == armed_ns)
		return;
	armed_ns = ns;
	if (ns != UINT64_MAX) {
		its.it_value.tv_sec = ns / 1000000000ULL;
		its.it_value.tv_nsec = ns % 1000000000ULL;
	}
	timer_settime(tick_timer, TIMER_ABSTIME, &its, NULL);
}

/**
 * irq_init() - the PIC pair and the PIT on the port bus, and the tick timer
 * @vm: the VM.
 * @tick_signal: the signal the timer sends (its handler sets immediate_exit).
 *
 * Return: 0, or -1 after a message.
 */
int irq_init(struct vm *vm, int tick_signal)
{
	struct sigevent sev;

	pic_init(&pic);
	pit_init(&pit, now_ns());
	if (bus_register(&vm->pio, "8259A PIC (master)", PIC_MASTER_CMD, 2,
			 pic_port, NULL) ||
	    bus_register(&vm->pio, "8259A PIC (slave)", PIC_SLAVE_CMD, 2,
			 pic_port, NULL) ||
	    bus_register(&vm->pio, "ELCR", PIC_ELCR_MASTER, 2, pic_port,
			 NULL) ||
	    bus_register(&vm->pio, "8254 PIT", PIT_CH0, 4, pit_port, NULL) ||
	    bus_register(&vm->pio, "port B (PIT gate, speaker)", PIT_PORT_B, 1,
			 pit_port, NULL))
		return run_error("too many devices on the port bus");
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = tick_signal;
	if (timer_create(CLOCK_MONOTONIC, &sev, &tick_timer) < 0)
		return run_error("timer_create: %s", strerror(errno));
	have_timer = true;
	return 0;
}

/**
 * irq_set_line() - a device's interrupt line changed
 * @vm: the VM.
 * @irq: the ISA IRQ, 0 to 15.
 * @level: the line's new level.
 */
void irq_set_line(struct vm *vm, unsigned int irq, bool level)
{
	pic_set_irq(&pic, irq, level);
	vm->irq_active = true;
}

/**
 * irq_before_run() - raise the lines that changed and offer the interrupt
 * @vm: the VM, between two VMXLAB_RUNs (the run page says whether the
 *      guest can take an interrupt now), once @vm->irq_active.
 *
 * Return: 0, or -1 after a message (an ioctl failed).
 */
int irq_before_run(struct vm *vm)
{
	uint64_t t;
	int r;

	uart_poll_input(vm);
	t = now_ns();
	/* Edges OUT0 made since the last look; the 8259A latches one. */
	if (pit_irq0_edges(&pit, t)) {
		pic_set_irq(&pic, 0, true);
		pic_set_irq(&pic, 0, false);
	}
	arm_tick(pit_irq0_next(&pit, t));

	/* The INTA cycle only when the CPU takes the interrupt (8259A). */
	if (held < 0 && pic_has_interrupt(&pic) &&
	    (vm->run->flags & VMXLAB_RUN_READY_FOR_INTR))
		held = pic_ack(&pic);
	if (held >= 0) {
		r = vmxlab_inject(vm->vcpufd, VMXLAB_EVENT_INTR, held, 0, 0);
		if (!r)
			held = -1;
		else if (r != -EBUSY)
			return run_error("inject interrupt %d: %s", held,
					 vmxlab_explain("inject", -r));
	}
	vm->run->request_interrupt_window = held >= 0 || pic_has_interrupt(&pic);
	return 0;
}

/**
 * irq_halt_wait() - HLT with interrupts on: wait for the next one
 * @vm: the VM.
 *
 * Waits for the PIT's next IRQ 0 or for input the UART takes, whichever
 * comes first (a signal, the tick timer's or SIGINT, ends it early too).
 *
 * Return: true after the wait if an interrupt source exists; false if
 * none will ever interrupt the guest.
 */
bool irq_halt_wait(struct vm *vm)
{
	struct pollfd p = { .fd = uart_input_fd(), .events = POLLIN };
	uint64_t next, t;
	int ms = -1;

	if (!vm->irq_active)
		return false;
	if (held >= 0 || pic_has_interrupt(&pic))
		return true;
	t = now_ns();
	next = pit_irq0_next(&pit, t);
	if (next == UINT64_MAX && p.fd < 0)
		return false;
	if (next != UINT64_MAX)
		ms = next > t ? (next - t + 999999) / 1000000 : 0;
	poll(&p, p.fd < 0 ? 0 : 1, ms);
	return true;
}
