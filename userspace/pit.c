// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: the 8254 of a PC. Section names are those of the Intel 8254
 * Programmable Interval Timer data sheet (231164); port 0x61 is the PIIX3's
 * NMI Status and Control register (82371SB data sheet, "NMISC").
 *
 * A counter's state is the time it started counting and the CLK ticks it
 * had counted before (GATE low pauses modes 0, 2, 3 and 4: ch_gate());
 * the counting element, OUT and the number of OUT rising edges so far are
 * functions of the ticks elapsed, computed when asked. The one-CLK delay
 * between a write and the count reaching the counting element is not
 * modelled: a count N ends N ticks after it was written, not N + 1.
 */
#include <limits.h>
#include <string.h>

#include "pit.h"

#define NSEC_PER_SEC	1000000000ULL
#define MAX_COUNT	0x10000		/* a count of 0 */

/* Control word (A1 A0 = 11): SC1-SC0, RW1-RW0, M2-M0, BCD. */
#define CW_SC(v)	((v) >> 6)
#define CW_RW(v)	(((v) >> 4) & 3)
#define CW_MODE(v)	(((v) >> 1) & 7)
#define CW_BCD		0x01
#define SC_READ_BACK	3
#define RW_LATCH	0
#define RW_LSB		1
#define RW_MSB		2
#define RW_WORD		3
/* Read-back command: COUNT and STATUS are active low. */
#define RB_NO_COUNT	0x20
#define RB_NO_STATUS	0x10
#define RB_CNT(i)	(2 << (i))
/* Status byte. */
#define ST_OUT		0x80
#define ST_NULL_COUNT	0x40
/* Port 0x61: bits 3-0 are read/write, bits 7-4 read-only. */
#define PORT_B_GATE2	0x01
#define PORT_B_RW	0x0f
#define PORT_B_REFRESH	0x10
#define PORT_B_OUT2	0x20

/*
 * CLK ticks in @ns nanoseconds, rounded down. Split at whole seconds so
 * that nothing overflows 64 bits: the remainder times PIT_HZ is below 2^51.
 */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NSEC_PER_SEC * PIT_HZ +
	       ns % NSEC_PER_SEC * PIT_HZ / NSEC_PER_SEC;
}

/* The fewest nanoseconds holding @ticks CLK ticks (ns_to_ticks' inverse). */
static uint64_t ticks_to_ns(uint64_t ticks)
{
	return ticks / PIT_HZ * NSEC_PER_SEC +
	       (ticks % PIT_HZ * NSEC_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

/* CLK ticks counted since the count was loaded. */
static uint64_t ch_elapsed(const struct pit_channel *c, uint64_t now)
{
	if (!c->running || now < c->start_ns)
		return c->done;
	return c->done + ns_to_ticks(now - c->start_ns);
}

/*
 * Modes 2 and 3 divide by N; a count of 1 is illegal in both ("Minimum
 * and Maximum Initial Counts") and is taken as 2 here, so that OUT has a
 * low phase and the edges stay countable.
 */
static uint32_t ch_period(const struct pit_channel *c)
{
	return c->count < 2 ? 2 : c->count;
}

static bool ch_counts(const struct pit_channel *c)
{
	if (c->mode == 1 || c->mode == 5)
		return c->loaded && c->triggered;
	return c->loaded;
}

/*
 * The OUT pin ("Mode Definitions"). After a control word OUT is low in
 * mode 0 and high in the others until a count is loaded (and, in modes 1
 * and 5, triggered). Mode 0: high once the count reaches 0, until the next
 * count or control word. Mode 1: low from the trigger until the count
 * reaches 0. Mode 2: low for the tick at which the count is 1. Mode 3:
 * high for ceil(N / 2) ticks, low for floor(N / 2). Modes 4 and 5: low
 * for the tick at which the count is 0. GATE low forces OUT high at once
 * in modes 2 and 3 ("Gate Pin Operations Summary").
 */
static bool ch_out(const struct pit_channel *c, uint64_t now)
{
	uint64_t e = ch_elapsed(c, now);
	uint32_t n = ch_period(c);

	if (!ch_counts(c))
		return c->mode != 0;
	switch (c->mode) {
	case 0:
	case 1:
		return e >= c->count;
	case 2:
		return !c->gate || e % n != n - 1;
	case 3:
		return !c->gate || e % n < (n + 1) / 2;
	default:
		return e != c->count;
	}
}

/* OUT rising edges since the count was loaded. */
static uint64_t ch_edges_since_load(const struct pit_channel *c, uint64_t now)
{
	uint64_t e = ch_elapsed(c, now);

	if (!ch_counts(c))
		return 0;
	switch (c->mode) {
	case 0:
	case 1:
		return e >= c->count;
	case 2:
	case 3:
		return e / ch_period(c);
	default:
		return e > c->count;
	}
}

static uint64_t ch_edges(const struct pit_channel *c, uint64_t now)
{
	return c->edges + ch_edges_since_load(c, now);
}

/*
 * The counting element. Modes 0, 1, 4 and 5 count down through 0 and wrap
 * to 0xffff; mode 2 counts N down to 1 and reloads; mode 3 loads N (N - 1
 * if odd) and counts down by two, once per half period (the data sheet's
 * "Mode 3" description of odd counts).
 */
static uint16_t ch_read(const struct pit_channel *c, uint64_t now)
{
	uint64_t e = ch_elapsed(c, now);
	uint32_t n = ch_period(c), phase, high;

	if (!ch_counts(c))
		return c->frozen;
	switch (c->mode) {
	case 2:
		return n - e % n;
	case 3:
		phase = e % n;
		high = (n + 1) / 2;
		if (phase >= high)
			phase -= high;
		return (n & ~1U) - 2 * phase;
	default:
		return c->count - e;
	}
}

/* Counting runs, or is paused, as GATE and the mode say. */
static void ch_set_running(struct pit_channel *c, uint64_t now)
{
	bool run = ch_counts(c) &&
		   (c->mode == 1 || c->mode == 5 || c->gate);

	if (run == c->running)
		return;
	if (run)
		c->start_ns = now;
	else
		c->done = ch_elapsed(c, now);
	c->running = run;
}

/*
 * Every change to a counter sits between ch_begin() and ch_end(), so that
 * the OUT rising edges counted so far survive it, and a change that itself
 * raises OUT (a control word while a mode 0 count runs, GATE going low in
 * modes 2 and 3) counts as one more.
 */
struct ch_snap {
	bool out;
	uint64_t edges;
};

static struct ch_snap ch_begin(const struct pit_channel *c, uint64_t now)
{
	return (struct ch_snap){ ch_out(c, now), ch_edges(c, now) };
}

static void ch_end(struct pit_channel *c, uint64_t now, struct ch_snap s)
{
	c->edges = s.edges - ch_edges_since_load(c, now) +
		   (!s.out && ch_out(c, now));
}

/*
 * A control word ("Write Operations"): the counter stops until a count is
 * written, OUT takes its initial level, and latches and byte flip-flops
 * are reset. Modes 6 and 7 are modes 2 and 3 (M2 is "don't care"). BCD
 * is kept for the status byte but counting stays binary: no PC software
 * of interest counts in BCD.
 */
static void ch_control(struct pit_channel *c, uint8_t v, uint64_t now)
{
	struct ch_snap s = ch_begin(c, now);

	c->frozen = ch_read(c, now);
	c->mode = CW_MODE(v) > 5 ? CW_MODE(v) & 3 : CW_MODE(v);
	c->access = CW_RW(v);
	c->bcd = v & CW_BCD;
	c->loaded = false;
	c->triggered = false;
	c->running = false;
	c->done = 0;
	c->latched = 0;
	c->status_latched = false;
	c->write_msb = false;
	c->read_msb = false;
	ch_end(c, now, s);
}

/*
 * A new count starts counting at once in every mode. In modes 2 and 3 the
 * hardware would finish the current period first; Linux always writes a
 * control word before a count, which restarts anyway. In modes 1 and 5 it
 * waits for a GATE rising edge.
 */
static void ch_load(struct pit_channel *c, uint32_t count, uint64_t now)
{
	struct ch_snap s = ch_begin(c, now);

	c->count = count ? count : MAX_COUNT;
	c->loaded = true;
	c->triggered = false;
	c->running = false;
	c->done = 0;
	ch_set_running(c, now);
	ch_end(c, now, s);
}

/* Mode 0: writing the first byte of a two-byte count stops counting. */
static void ch_stop(struct pit_channel *c, uint64_t now)
{
	struct ch_snap s = ch_begin(c, now);

	c->frozen = ch_read(c, now);
	c->loaded = false;
	c->running = false;
	c->done = 0;
	ch_end(c, now, s);
}

/*
 * GATE ("Gate Pin Operations Summary"): low pauses counting in modes 0, 2,
 * 3 and 4; a rising edge restarts the count in modes 2 and 3 and triggers
 * it in modes 1 and 5 (which the model reduces to that: a rising edge
 * starts the count from N).
 */
static void ch_gate(struct pit_channel *c, bool gate, uint64_t now)
{
	struct ch_snap s;

	if (gate == c->gate)
		return;
	s = ch_begin(c, now);
	if (gate && c->loaded && c->mode != 0 && c->mode != 4) {
		c->triggered = true;
		c->running = false;
		c->done = 0;
	}
	c->gate = gate;
	ch_set_running(c, now);
	ch_end(c, now, s);
}

/* The counter latch command ("Read Operations"): a second one is ignored. */
static void ch_latch(struct pit_channel *c, uint64_t now)
{
	if (c->latched)
		return;
	c->latch = ch_read(c, now);
	c->latched = c->access;
}

/* The read-back command's status byte ("Status Byte"). */
static void ch_latch_status(struct pit_channel *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = (ch_out(c, now) ? ST_OUT : 0) |
		    (ch_counts(c) ? 0 : ST_NULL_COUNT) |
		    c->access << 4 | c->mode << 1 | c->bcd;
	c->status_latched = true;
}

static void pit_control(struct pit *p, uint8_t v, uint64_t now)
{
	unsigned int i;

	if (CW_SC(v) != SC_READ_BACK) {
		if (CW_RW(v) == RW_LATCH)
			ch_latch(&p->ch[CW_SC(v)], now);
		else
			ch_control(&p->ch[CW_SC(v)], v, now);
		return;
	}
	for (i = 0; i < 3; i++) {
		if (!(v & RB_CNT(i)))
			continue;
		if (!(v & RB_NO_COUNT))
			ch_latch(&p->ch[i], now);
		if (!(v & RB_NO_STATUS))
			ch_latch_status(&p->ch[i], now);
	}
}

/* Counts are written in the format the control word chose. */
static void ch_write(struct pit_channel *c, uint8_t v, uint64_t now)
{
	switch (c->access) {
	case RW_LSB:
		ch_load(c, v, now);
		break;
	case RW_MSB:
		ch_load(c, v << 8, now);
		break;
	default:
		if (c->write_msb) {
			c->write_msb = false;
			ch_load(c, c->write_lsb | v << 8, now);
			break;
		}
		c->write_lsb = v;
		c->write_msb = true;
		if (c->mode == 0)
			ch_stop(c, now);
		break;
	}
}

/*
 * A latched status byte is read first, then a latched count, then the
 * counting element itself; each two-byte value as LSB then MSB, with read
 * and write flip-flops of their own ("Read Operations").
 */
static uint8_t ch_read_port(struct pit_channel *c, uint64_t now)
{
	uint8_t format = c->access;
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		format = c->latched;
		c->latched = format == RW_WORD ? RW_MSB : 0;
		v = c->latch;
	} else {
		v = ch_read(c, now);
		if (format == RW_WORD) {
			format = c->read_msb ? RW_MSB : RW_LSB;
			c->read_msb = !c->read_msb;
		}
	}
	return format == RW_MSB ? v >> 8 : v & 0xff;
}

/*
 * Power-on. The data sheet leaves mode, count and OUT undefined; here each
 * counter is as after a mode 3, LSB-then-MSB control word with no count
 * written: not counting, OUT high, so that no IRQ 0 comes until the guest
 * programs channel 0 (a BIOS would have started it at 18.2 Hz). GATE0 and
 * GATE1 are tied high on a PC; GATE2 is port 0x61 bit 0, clear at reset.
 */
void pit_init(struct pit *p, uint64_t now_ns)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 3; i++) {
		p->ch[i].mode = 3;
		p->ch[i].access = RW_WORD;
		p->ch[i].gate = i != 2;
		p->ch[i].start_ns = now_ns;
	}
}

/*
 * Port 0x61 (NMISC): bit 0 is GATE2, bit 1 the speaker data enable (kept,
 * not sounded), bits 2-3 the NMI source enables (kept, no NMIs here); bit
 * 5 reads OUT2, which Linux's pit_calibrate_tsc() polls, and bit 4 is the
 * DRAM refresh toggle, which flips every 15 us on hardware and here on
 * every read, so that BIOS-era delay loops waiting for it to change end.
 */
static uint8_t port_b_read(struct pit *p, uint64_t now)
{
	uint8_t v = p->port_b;

	if (p->refresh)
		v |= PORT_B_REFRESH;
	if (pit_out(p, 2, now))
		v |= PORT_B_OUT2;
	p->refresh = !p->refresh;
	return v;
}

int pit_io(struct pit *p, uint16_t port, uint8_t *val, bool write,
	   uint64_t now_ns)
{
	switch (port) {
	case PIT_CH0:
	case PIT_CH1:
	case PIT_CH2:
		if (write)
			ch_write(&p->ch[port - PIT_CH0], *val, now_ns);
		else
			*val = ch_read_port(&p->ch[port - PIT_CH0], now_ns);
		return 0;
	case PIT_MODE:
		/* The control word register is write-only: reads float. */
		if (write)
			pit_control(p, *val, now_ns);
		else
			*val = 0xff;
		return 0;
	case PIT_PORT_B:
		if (write) {
			p->port_b = *val & PORT_B_RW;
			ch_gate(&p->ch[2], *val & PORT_B_GATE2, now_ns);
		} else {
			*val = port_b_read(p, now_ns);
		}
		return 0;
	}
	return -1;
}

bool pit_out(const struct pit *p, unsigned int ch, uint64_t now_ns)
{
	return ch < 3 && ch_out(&p->ch[ch], now_ns);
}

/*
 * The next OUT0 rising edge: the next multiple of N ticks in modes 2 and
 * 3, the end of the count in modes 0 and 1 (tick N) and 4 and 5 (tick
 * N + 1), if not yet passed. A paused counter has none to come.
 */
uint64_t pit_irq0_next(const struct pit *p, uint64_t now_ns)
{
	const struct pit_channel *c = &p->ch[0];
	uint64_t e = ch_elapsed(c, now_ns), at;

	if (!c->running)
		return UINT64_MAX;
	switch (c->mode) {
	case 2:
	case 3:
		at = (e / ch_period(c) + 1) * ch_period(c);
		break;
	case 0:
	case 1:
		at = c->count;
		break;
	default:
		at = c->count + 1ULL;
		break;
	}
	if (at <= e)
		return UINT64_MAX;
	return c->start_ns + ticks_to_ns(at - c->done);
}

/*
 * The run loop raises IRQ 0 once for any number of edges: the 8259A
 * latches one request per input however many edges come before the INTA
 * cycle, which is what a guest that misses ticks sees on hardware too.
 */
unsigned int pit_irq0_edges(struct pit *p, uint64_t now_ns)
{
	uint64_t total = ch_edges(&p->ch[0], now_ns);
	uint64_t n = total - p->irq0_seen;

	p->irq0_seen = total;
	return n > UINT_MAX ? UINT_MAX : n;
}
