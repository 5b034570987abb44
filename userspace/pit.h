/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab run: the PC's Intel 8254 interval timer at ports 0x40-0x43 (OUT0
 * drives IRQ 0, channel 2 drives the speaker) and the bits of port 0x61
 * (system control port B) that belong to it. A pure model: time is what
 * the caller says it is, in nanoseconds of a monotonic clock, and counts
 * are computed from it, never ticked.
 */
#ifndef VMXLAB_PIT_H
#define VMXLAB_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_CH0			0x40
#define PIT_CH1			0x41
#define PIT_CH2			0x42
#define PIT_MODE		0x43
#define PIT_PORT_B		0x61
#define PIT_HZ			1193182ULL	/* CLK: 14.31818 MHz / 12, as Linux rounds it */

/* One counter. */
struct pit_channel {
	uint32_t count;		/* initial count N, 1-65536 (0 written: 65536) */
	uint8_t mode;		/* 0-5 */
	uint8_t access;		/* RW1-RW0: 1 LSB, 2 MSB, 3 LSB then MSB */
	bool bcd;		/* kept for the status byte; counting is binary */
	bool gate;		/* the GATE input */
	bool loaded;		/* a count was written since the control word */
	bool triggered;		/* modes 1 and 5: a gate rising edge since */
	bool running;		/* counting now */
	uint64_t start_ns;	/* running: when counting (re)started */
	uint64_t done;		/* CLK ticks counted before start_ns */
	uint64_t edges;		/* OUT rising edges before this count */
	uint16_t frozen;	/* what the counter reads while not loaded */
	uint16_t latch;		/* the counter latch */
	uint8_t latched;	/* latched bytes to read: 0 or RW1-RW0 format */
	uint8_t status;		/* the latched status byte */
	bool status_latched;
	bool write_msb;		/* LSB then MSB: the next write is the MSB */
	bool read_msb;		/* the same for reads */
	uint8_t write_lsb;	/* LSB then MSB: the LSB written */
};

struct pit {
	struct pit_channel ch[3];
	uint8_t port_b;		/* port 0x61 bits 3-0 as written */
	bool refresh;		/* port 0x61 bit 4 */
	uint64_t irq0_seen;	/* OUT0 rising edges pit_irq0_edges() reported */
};

/* Power-on state at time @now_ns: see pit.c. */
void pit_init(struct pit *p, uint64_t now_ns);
/* One byte at @port (PIT_* above); 0, or -1 if the port is not ours. */
int pit_io(struct pit *p, uint16_t port, uint8_t *val, bool write,
	   uint64_t now_ns);
/* The level of counter @ch's OUT pin (0-2) at @now_ns. */
bool pit_out(const struct pit *p, unsigned int ch, uint64_t now_ns);
/* When OUT0 next rises after @now_ns; UINT64_MAX if it never will. */
uint64_t pit_irq0_next(const struct pit *p, uint64_t now_ns);
/* OUT0 rising edges (IRQ 0 requests) up to @now_ns since the last call. */
unsigned int pit_irq0_edges(struct pit *p, uint64_t now_ns);

#endif /* VMXLAB_PIT_H */
