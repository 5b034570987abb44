// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit test of the tool's device models, userspace/pic.c (8259A
 * pair) and userspace/pit.c (8254 and port 0x61). Each case is one row: a
 * comment saying which hardware behaviour it checks, and the steps a guest
 * and the board would take (port I/O, input lines, INTA cycles, the passing
 * of time) with what must be seen. Every case starts from power-on. Output
 * is KTAP; the exit status is non-zero if any case fails.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pic.h"
#include "pit.h"

enum op {
	OP_END,
	OP_OUTB,	/* a: port, b: value */
	OP_INB,		/* a: port, b: value expected under mask c */
	OP_INIT,	/* ICW1-ICW4 to both chips: a, b: bases, c: master ICW4 */
	OP_IRQ,		/* input line a to level b */
	OP_INTR,	/* the master's INTR output is b */
	OP_ACK,		/* an INTA cycle gives vector b */
	OP_AT,		/* time is now b ns after power-on */
	OP_PIN,		/* the PIT's OUT pin of channel a is b */
	OP_EDGES,	/* OUT0 rose between b and c times since the last look */
	OP_NEXT,	/* the next OUT0 rising edge is due between b and c ns */
	OP_WALK,	/* following pit_irq0_next() up to a ns gives b-c edges */
};

struct step {
	enum op op;
	uint64_t a, b, c;
};

#define OUTB(port, v)		{ OP_OUTB, port, v, 0 }
#define INB(port, v)		{ OP_INB, port, v, 0xff }
#define INBM(port, mask, v)	{ OP_INB, port, v, mask }
#define INIT(m, s, icw4)	{ OP_INIT, m, s, icw4 }
#define IRQ(n, level)		{ OP_IRQ, n, level, 0 }
#define INTR(level)		{ OP_INTR, 0, level, 0 }
#define ACK(vector)		{ OP_ACK, 0, vector, 0 }
#define AT(ns)			{ OP_AT, 0, ns, 0 }
#define PIN(ch, level)		{ OP_PIN, ch, level, 0 }
#define EDGES(lo, hi)		{ OP_EDGES, 0, lo, hi }
#define NEXT(lo, hi)		{ OP_NEXT, 0, lo, hi }
#define NEXT_NONE		{ OP_NEXT, 0, UINT64_MAX, UINT64_MAX }
#define WALK(ns, lo, hi)	{ OP_WALK, ns, lo, hi }

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MS	1000000ULL
#define SEC	1000000000ULL
/* Power-on is not at time 0, so that no sum or difference gets away. */
#define T0	(1000 * SEC)

struct test_case {
	const char *name;
	struct step steps[32];
};

static const struct test_case cases[] = {
	/* 8259A. */
	/* ICW1-ICW4 as Linux before 2.6.24 (ICW2 0x20, 0x28): IR1, IR10. */
	{ "pic-icw-linux-0x20", {
		OUTB(0x20, 0x11), OUTB(0x21, 0x20), OUTB(0x21, 0x04), OUTB(0x21, 0x01),
		OUTB(0xa0, 0x11), OUTB(0xa1, 0x28), OUTB(0xa1, 0x02), OUTB(0xa1, 0x01),
		IRQ(1, 1), ACK(0x21), OUTB(0x20, 0x20), IRQ(10, 1), ACK(0x2a) } },
	/* As Linux today, ISA_IRQ_VECTOR(0) 0x30; ICW2's D2-D0 are ignored. */
	{ "pic-icw-linux-0x30", {
		OUTB(0x20, 0x11), OUTB(0x21, 0x37), OUTB(0x21, 0x04), OUTB(0x21, 0x01),
		OUTB(0xa0, 0x11), OUTB(0xa1, 0x3f), OUTB(0xa1, 0x02), OUTB(0xa1, 0x01),
		IRQ(0, 1), ACK(0x30), OUTB(0x20, 0x20), IRQ(15, 1), ACK(0x3f) } },
	/* As a PC BIOS (0x08, 0x70): IRQ 0 is vector 8, IRQ 8 vector 0x70. */
	{ "pic-icw-bios", {
		OUTB(0x20, 0x11), OUTB(0x21, 0x08), OUTB(0x21, 0x04), OUTB(0x21, 0x01),
		OUTB(0xa0, 0x11), OUTB(0xa1, 0x70), OUTB(0xa1, 0x02), OUTB(0xa1, 0x01),
		IRQ(0, 1), ACK(0x08), OUTB(0x20, 0x20), IRQ(8, 1), ACK(0x70) } },
	/* ICW1 without IC4: ICW3 ends the sequence, the next byte is OCW1. */
	{ "pic-icw4-optional", {
		OUTB(0x20, 0x10), OUTB(0x21, 0x20), OUTB(0x21, 0x04), OUTB(0x21, 0xfd),
		INB(0x21, 0xfd), IRQ(0, 1), INTR(0), IRQ(1, 1), ACK(0x21) } },
	/* ICW1 with SNGL: no ICW3, so the third byte is ICW4, the fourth OCW1. */
	{ "pic-single-no-icw3", {
		OUTB(0x20, 0x13), OUTB(0x21, 0x40), OUTB(0x21, 0x01), OUTB(0x21, 0xfe),
		INB(0x21, 0xfe), IRQ(1, 1), INTR(0), IRQ(0, 1), ACK(0x40) } },
	/* Power-on: all masked; a request is latched in IRR but not sent. */
	{ "pic-power-on-masked", {
		INB(0x21, 0xff), INB(0xa1, 0xff), IRQ(0, 1), INTR(0), INB(0x20, 0x01) } },
	/* ICW1 clears IRR and resets edge sense: a line held high is no request. */
	{ "pic-icw1-resets-edge", {
		IRQ(0, 1), INIT(0x20, 0x28, 0x01), INTR(0), INB(0x20, 0x00),
		IRQ(0, 0), IRQ(0, 1), ACK(0x20) } },
	/* OCW1: a masked request waits in IRR; unmasking delivers it. */
	{ "pic-mask", {
		INIT(0x20, 0x28, 0x01), OUTB(0x21, 0x01), IRQ(0, 1), INTR(0),
		OUTB(0x21, 0x00), INTR(1), ACK(0x20) } },
	/* Priority: IR0 beats IR1 whichever came first. */
	{ "pic-priority", {
		INIT(0x20, 0x28, 0x01), IRQ(1, 1), IRQ(0, 1), ACK(0x20),
		OUTB(0x20, 0x20), ACK(0x21) } },
	/* Fully nested: IR1 waits while IR0 is in service, until the EOI. */
	{ "pic-nested-lower-waits", {
		INIT(0x20, 0x28, 0x01), IRQ(0, 1), ACK(0x20), IRQ(1, 1), INTR(0),
		OUTB(0x20, 0x20), INTR(1), ACK(0x21) } },
	/* Fully nested: IR0 interrupts IR1's service; both are in ISR. */
	{ "pic-nested-higher-preempts", {
		INIT(0x20, 0x28, 0x01), IRQ(1, 1), ACK(0x21), IRQ(0, 1), INTR(1),
		ACK(0x20), OUTB(0x20, 0x0b), INB(0x20, 0x03) } },
	/* Cascade: IRQ 8 gives the slave's vector, ISR bit 2 on the master. */
	{ "pic-cascade", {
		INIT(0x20, 0x28, 0x01), IRQ(8, 1), INTR(1), ACK(0x28),
		OUTB(0x20, 0x0b), INB(0x20, 0x04), OUTB(0xa0, 0x0b), INB(0xa0, 0x01) } },
	/* Cascade: IRQ 9 waits for the EOIs to the slave and the master. */
	{ "pic-cascade-eoi-both", {
		INIT(0x20, 0x28, 0x01), IRQ(8, 1), ACK(0x28), IRQ(9, 1), INTR(0),
		OUTB(0xa0, 0x20), INTR(0), OUTB(0x20, 0x20), INTR(1), ACK(0x29) } },
	/* Non-specific EOI ends the highest priority in service (IR0). */
	{ "pic-eoi-nonspecific", {
		INIT(0x20, 0x28, 0x01), IRQ(1, 1), ACK(0x21), IRQ(0, 1), ACK(0x20),
		OUTB(0x20, 0x20), OUTB(0x20, 0x0b), INB(0x20, 0x02) } },
	/* Specific EOI (0x61) ends IR1, leaving IR0 in service. */
	{ "pic-eoi-specific", {
		INIT(0x20, 0x28, 0x01), IRQ(1, 1), ACK(0x21), IRQ(0, 1), ACK(0x20),
		OUTB(0x20, 0x61), OUTB(0x20, 0x0b), INB(0x20, 0x01) } },
	/* Rotate on non-specific EOI (no rotation modelled) is an EOI. */
	{ "pic-eoi-rotate", {
		INIT(0x20, 0x28, 0x01), IRQ(3, 1), ACK(0x23), OUTB(0x20, 0xa0),
		OUTB(0x20, 0x0b), INB(0x20, 0x00) } },
	/* ICW4.AEOI: the INTA cycle leaves ISR clear; no EOI needed. */
	{ "pic-auto-eoi", {
		INIT(0x20, 0x28, 0x03), IRQ(0, 1), ACK(0x20), OUTB(0x20, 0x0b),
		INB(0x20, 0x00), IRQ(1, 1), INTR(1), ACK(0x21) } },
	/* Edge: a line held high is one request; low then high is another. */
	{ "pic-edge-once", {
		INIT(0x20, 0x28, 0x01), IRQ(0, 1), ACK(0x20), OUTB(0x20, 0x20),
		INTR(0), IRQ(0, 1), INTR(0), IRQ(0, 0), IRQ(0, 1), ACK(0x20) } },
	/* Edge lowered before INTA: the request stays (QEMU; not IR7). */
	{ "pic-edge-lowered-kept", {
		INIT(0x20, 0x28, 0x01), IRQ(3, 1), IRQ(3, 0), INTR(1), ACK(0x23) } },
	/* OCW3 RR/RIS: port 0x20 reads IRR or ISR, and keeps that choice. */
	{ "pic-ocw3-irr-isr", {
		INIT(0x20, 0x28, 0x01), OUTB(0x21, 0x08), IRQ(3, 1), IRQ(4, 1),
		ACK(0x24), OUTB(0x20, 0x0a), INB(0x20, 0x08), OUTB(0x20, 0x0b),
		INB(0x20, 0x10), INB(0x21, 0x08), INB(0x20, 0x10) } },
	/* Poll: the next read is an INTA returning 0x80 | level; then 0. */
	{ "pic-poll", {
		INIT(0x20, 0x28, 0x01), IRQ(5, 1), OUTB(0x20, 0x0c), INB(0x20, 0x85),
		OUTB(0x20, 0x0b), INB(0x20, 0x20), OUTB(0x20, 0x0c), INB(0x21, 0x00),
		INB(0x20, 0x20) } },
	/* Nothing pending: INTA gives IR7's vector, sets no ISR bit. */
	{ "pic-spurious-7", {
		INIT(0x20, 0x28, 0x01), INTR(0), ACK(0x27), OUTB(0x20, 0x0b),
		INB(0x20, 0x00) } },
	/* The classic cause: the input masked after INTR rose. */
	{ "pic-spurious-7-masked", {
		INIT(0x20, 0x28, 0x01), IRQ(4, 1), INTR(1), OUTB(0x21, 0x10),
		INTR(0), ACK(0x27) } },
	/* IR9 masked on the slave after the master latched IR2: IRQ 15. */
	{ "pic-spurious-15", {
		INIT(0x20, 0x28, 0x01), IRQ(9, 1), INTR(1), OUTB(0xa1, 0x02),
		INTR(1), ACK(0x2f), OUTB(0x20, 0x0b), INB(0x20, 0x04),
		OUTB(0xa0, 0x0b), INB(0xa0, 0x00) } },
	/* ELCR: IRQ0-2, 8, 13 stay edge; a level input requests while high. */
	{ "pic-elcr-level", {
		INIT(0x20, 0x28, 0x01), OUTB(0x4d0, 0xff), INB(0x4d0, 0xf8),
		OUTB(0x4d1, 0xff), INB(0x4d1, 0xde), IRQ(5, 1), ACK(0x25),
		OUTB(0x20, 0x20), INTR(1), IRQ(5, 0), INTR(0) } },

	/* 8254 and port 0x61. */
	/* Mode 2, count 11932 on channel 0: Linux's HZ=100 tick. */
	{ "pit-mode2-100hz", {
		OUTB(0x43, 0x34), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e),
		NEXT(10000151, 10000151), AT(SEC), EDGES(99, 101) } },
	/* Mode 2: each edge lands exactly when pit_irq0_next() said. */
	{ "pit-mode2-next-exact", {
		OUTB(0x43, 0x34), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e),
		WALK(SEC, 99, 101) } },
	/* Mode 3, the same count: 100 Hz, OUT high the first half period. */
	{ "pit-mode3-100hz", {
		OUTB(0x43, 0x36), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e), AT(1 * MS),
		PIN(0, 1), AT(6 * MS), PIN(0, 0), AT(SEC), EDGES(99, 101),
		WALK(2 * SEC, 99, 101) } },
	/* Modes 6 and 7 are 2 and 3: status says mode 2, rate is 100 Hz. */
	{ "pit-mode6-is-2", {
		OUTB(0x43, 0x3c), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e),
		OUTB(0x43, 0xe2), INB(0x40, 0xb4), AT(SEC), EDGES(99, 101) } },
	/* A count of 0 is 65536: 18.2 Hz, the BIOS tick. */
	{ "pit-count0-65536", {
		OUTB(0x43, 0x34), OUTB(0x40, 0x00), OUTB(0x40, 0x00), AT(SEC),
		EDGES(18, 18) } },
	/* Mode 0 on channel 0: one edge at the end of the count, then none. */
	{ "pit-mode0-one-shot", {
		OUTB(0x43, 0x30), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e), PIN(0, 0),
		NEXT(10000151, 10000151), WALK(SEC, 1, 1), PIN(0, 1), NEXT_NONE } },
	/* Linux's pit_calibrate_tsc(): OUT2 (0x61 bit 5) rises at N ticks. */
	{ "pit-mode0-ch2-gate", {
		OUTB(0x61, 0x01), OUTB(0x43, 0xb0), OUTB(0x42, 0xa9), OUTB(0x42, 0x04),
		INBM(0x61, 0x20, 0x00), AT(999847), INBM(0x61, 0x20, 0x00),
		AT(999848), INBM(0x61, 0x20, 0x20), PIN(2, 1) } },
	/* Mode 0: GATE2 low pauses counting; high resumes where it was. */
	{ "pit-mode0-gate-pauses", {
		OUTB(0x61, 0x01), OUTB(0x43, 0xb0), OUTB(0x42, 0xa9), OUTB(0x42, 0x04),
		AT(500000), OUTB(0x61, 0x00), AT(2 * MS), INBM(0x61, 0x20, 0x00),
		OUTB(0x61, 0x01), AT(2490000), PIN(2, 0), AT(2510000), PIN(2, 1) } },
	/* Mode 2: a GATE2 rising edge reloads the count. */
	{ "pit-mode2-gate-restarts", {
		OUTB(0x61, 0x01), OUTB(0x43, 0xb4), OUTB(0x42, 0x9c), OUTB(0x42, 0x2e),
		AT(5 * MS), OUTB(0x61, 0x00), AT(7 * MS), OUTB(0x61, 0x01),
		INB(0x42, 0x9c), INB(0x42, 0x2e) } },
	/* The count falls at 1.193182 MHz: 0xffff, then 1 ms and 50 ms on. */
	{ "pit-count-rate", {
		OUTB(0x43, 0x30), OUTB(0x40, 0xff), OUTB(0x40, 0xff),
		INB(0x40, 0xff), INB(0x40, 0xff), AT(1 * MS), INB(0x40, 0x56),
		INB(0x40, 0xfb), AT(50 * MS), INB(0x40, 0xf4), INB(0x40, 0x16) } },
	/* Mode 0 past terminal count: wraps to 0xffff, OUT stays high. */
	{ "pit-mode0-wraps", {
		OUTB(0x43, 0x30), OUTB(0x40, 0x00), OUTB(0x40, 0x01), AT(1 * MS),
		INB(0x40, 0x57), INB(0x40, 0xfc), PIN(0, 1), EDGES(1, 1) } },
	/* Counter latch: the value of 10 ms is read at 20 ms; then live. */
	{ "pit-latch", {
		OUTB(0x43, 0x30), OUTB(0x40, 0xff), OUTB(0x40, 0xff), AT(10 * MS),
		OUTB(0x43, 0x00), AT(20 * MS), INB(0x40, 0x64), INB(0x40, 0xd1),
		INB(0x40, 0xc8), INB(0x40, 0xa2) } },
	/* A second latch command before the first is read is ignored. */
	{ "pit-latch-twice", {
		OUTB(0x43, 0x30), OUTB(0x40, 0xff), OUTB(0x40, 0xff), AT(10 * MS),
		OUTB(0x43, 0x00), AT(15 * MS), OUTB(0x43, 0x00), AT(20 * MS),
		INB(0x40, 0x64), INB(0x40, 0xd1) } },
	/* Read-back status: OUT, null count until a count is written. */
	{ "pit-readback-status", {
		OUTB(0x43, 0x34), OUTB(0x43, 0xe2), INB(0x40, 0xf4),
		OUTB(0x40, 0x9c), OUTB(0x40, 0x2e), OUTB(0x43, 0xe2), INB(0x40, 0xb4),
		OUTB(0x43, 0xb0), OUTB(0x43, 0xe8), INB(0x42, 0x70) } },
	/* Read-back of count and status: status first, then LSB, MSB. */
	{ "pit-readback-both", {
		OUTB(0x43, 0x34), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e), AT(1 * MS),
		OUTB(0x43, 0xc2), AT(3 * MS), INB(0x40, 0xb4), INB(0x40, 0xf3),
		INB(0x40, 0x29) } },
	/* Read-back latches several counters at the same instant. */
	{ "pit-readback-multi", {
		OUTB(0x61, 0x01), OUTB(0x43, 0x34), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e),
		OUTB(0x43, 0xb4), OUTB(0x42, 0x9c), OUTB(0x42, 0x2e), AT(5 * MS),
		OUTB(0x43, 0xda), AT(9 * MS), INB(0x40, 0x4f), INB(0x40, 0x17),
		INB(0x42, 0x4f), INB(0x42, 0x17) } },
	/* Byte flip-flop: LSB then MSB; LSB-only and MSB-only do not flip. */
	{ "pit-flip-flop", {
		OUTB(0x43, 0x30), OUTB(0x40, 0x34), OUTB(0x40, 0x12), INB(0x40, 0x34),
		INB(0x40, 0x12), OUTB(0x43, 0x10), OUTB(0x40, 0x80), INB(0x40, 0x80),
		INB(0x40, 0x80), OUTB(0x43, 0x20), OUTB(0x40, 0x12), INB(0x40, 0x12),
		INB(0x40, 0x12) } },
	/* Reprogramming at 5 ms restarts: no edge at 10 ms, one at 15 ms. */
	{ "pit-reprogram-restarts", {
		OUTB(0x43, 0x34), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e), AT(5 * MS),
		OUTB(0x43, 0x34), OUTB(0x40, 0x9c), OUTB(0x40, 0x2e), INB(0x40, 0x9c),
		INB(0x40, 0x2e), NEXT(15000151, 15000151), AT(14900000), EDGES(0, 0),
		AT(15100000), EDGES(1, 1) } },
	/* Port 0x61: bits 3-0 read back, bits 7-4 ignored, bit 4 toggles. */
	{ "pit-port61", {
		INBM(0x61, 0xdf, 0x00), INBM(0x61, 0xdf, 0x10), OUTB(0x61, 0xfe),
		INBM(0x61, 0xdf, 0x0e), INBM(0x61, 0xdf, 0x1e) } },
};

/* A port of the 8254 (and port 0x61) or of the 8259A pair. */
static int io(struct pic *pic, struct pit *pit, uint16_t port, uint8_t *v,
	      bool write, uint64_t now)
{
	if (pit_io(pit, port, v, write, now) == 0)
		return 0;
	return pic_io(pic, port, v, write);
}

static bool outb(struct pic *pic, uint16_t port, uint8_t v)
{
	return pic_io(pic, port, &v, true) == 0;
}

/* Both chips as Linux's init_8259A() leaves them (IMR 0 after ICW1). */
static bool pic_setup(struct pic *pic, uint8_t master, uint8_t slave, uint8_t icw4)
{
	return outb(pic, 0x20, 0x11) && outb(pic, 0x21, master) &&
	       outb(pic, 0x21, 0x04) && outb(pic, 0x21, icw4) &&
	       outb(pic, 0xa0, 0x11) && outb(pic, 0xa1, slave) &&
	       outb(pic, 0xa1, 0x02) && outb(pic, 0xa1, 0x01);
}

/*
 * Follows pit_irq0_next() up to @end: at each time it gives, OUT0 has just
 * risen (low 1 ns before) and one edge is counted, none 1 ns before.
 */
static bool walk(struct pit *pit, uint64_t *now, uint64_t end, uint64_t *n)
{
	uint64_t t;

	pit_irq0_edges(pit, *now);
	for (*n = 0; (t = pit_irq0_next(pit, *now)) <= end; (*n)++) {
		if (t <= *now || pit_irq0_edges(pit, t - 1) ||
		    pit_out(pit, 0, t - 1) || !pit_out(pit, 0, t) ||
		    pit_irq0_edges(pit, t) != 1)
			return false;
		*now = t;
	}
	return true;
}

/* One step; false, after a diagnostic line, if it is not as expected. */
static bool run_step(struct pic *pic, struct pit *pit, uint64_t *now,
		     const struct step *s, int i)
{
	uint64_t got = 0;
	uint8_t v = s->b;

	switch (s->op) {
	case OP_OUTB:
		if (!io(pic, pit, s->a, &v, true, *now))
			return true;
		break;
	case OP_INB:
		if (!io(pic, pit, s->a, &v, false, *now) && (v & s->c) == s->b)
			return true;
		got = v;
		break;
	case OP_INIT:
		if (pic_setup(pic, s->a, s->b, s->c))
			return true;
		break;
	case OP_IRQ:
		pic_set_irq(pic, s->a, s->b);
		return true;
	case OP_INTR:
		got = pic_has_interrupt(pic);
		if (got == s->b)
			return true;
		break;
	case OP_ACK:
		got = pic_ack(pic);
		if (got == s->b)
			return true;
		break;
	case OP_AT:
		*now = T0 + s->b;
		return true;
	case OP_PIN:
		got = pit_out(pit, s->a, *now);
		if (got == s->b)
			return true;
		break;
	case OP_EDGES:
		got = pit_irq0_edges(pit, *now);
		if (got >= s->b && got <= s->c)
			return true;
		break;
	case OP_NEXT:
		got = pit_irq0_next(pit, *now);
		if (got != UINT64_MAX)
			got -= T0;
		if (got >= s->b && got <= s->c)
			return true;
		break;
	case OP_WALK:
		if (walk(pit, now, T0 + s->a, &got) && got >= s->b && got <= s->c)
			return true;
		break;
	case OP_END:
		return true;
	}
	if (s->op == OP_EDGES || s->op == OP_NEXT || s->op == OP_WALK)
		printf("    # step %d: expected %llu..%llu, got %llu\n", i + 1,
		       (unsigned long long)s->b, (unsigned long long)s->c,
		       (unsigned long long)got);
	else
		printf("    # step %d: expected 0x%llx, got 0x%llx\n", i + 1,
		       (unsigned long long)s->b, (unsigned long long)got);
	return false;
}

static bool run_case(const struct test_case *c)
{
	uint64_t now = T0;
	struct pic pic;
	struct pit pit;
	int i;

	pic_init(&pic);
	pit_init(&pit, now);
	for (i = 0; i < (int)ARRAY_SIZE(c->steps) && c->steps[i].op != OP_END; i++)
		if (!run_step(&pic, &pit, &now, &c->steps[i], i))
			return false;
	return true;
}

int main(void)
{
	int n = ARRAY_SIZE(cases), i, failed = 0;

	printf("KTAP version 1\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		bool ok = run_case(&cases[i]);

		printf("%sok %d %s\n", ok ? "" : "not ", i + 1, cases[i].name);
		failed += !ok;
	}
	printf("# %d passed, %d failed\n", n - failed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
