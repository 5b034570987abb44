// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: the 8259A pair of a PC. Section names are those of the Intel
 * 8259A Programmable Interrupt Controller data sheet (231468); the ELCR is
 * that of the Intel 82371SB (PIIX3) data sheet, "ELCR1/ELCR2". Where the
 * data sheet leaves a choice, QEMU's hw/intc/i8259.c is followed, as that
 * is what guests are tested against. Not modelled: priority rotation,
 * special mask mode, buffered mode and the 8080/8085 (MCS-80) call format.
 */
#include <string.h>

#include "pic.h"

/* ICW1 (A0 = 0, D4 = 1), OCW3 (A0 = 0, D4 = 0, D3 = 1), else OCW2. */
#define ICW1_IC4	0x01
#define ICW1_SNGL	0x02
#define ICW1_INIT	0x10
#define OCW3_SEL	0x08
#define OCW3_RIS	0x01
#define OCW3_RR		0x02
#define OCW3_POLL	0x04
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
#define POLL_INT	0x80	/* poll word: an interrupt is there */

/* What the PIIX3 lets ELCR set: IRQ0-2, 8 and 13 are edge-triggered. */
static const uint8_t elcr_mask[2] = { 0xf8, 0xde };

/* The lowest set bit, i.e. the highest priority in @mask; 8 if none. */
static int top_priority(uint8_t mask)
{
	return mask ? __builtin_ctz(mask) : 8;
}

/*
 * The requests the chip sees: latched edges for edge-triggered inputs, the
 * pin itself for level-triggered ones ("Edge and Level Triggered Modes").
 */
static uint8_t pic_chip_irr(const struct pic_chip *c)
{
	return (c->irr & ~c->elcr) | (c->line & c->elcr);
}

/*
 * The input the chip would interrupt for, or -1 ("Interrupt Sequence",
 * "Fully Nested Mode"): the unmasked request of highest priority, if no
 * input of higher or equal priority is in service. In special fully nested
 * mode the master lets the slave interrupt again while IR2 is in service
 * ("Special Fully Nested Mode"). A chip between ICW1 and its last ICW has
 * no valid vector base yet, so it holds its INT output low.
 */
static int chip_pending(const struct pic_chip *c, bool master)
{
	uint8_t in_service = c->isr;
	int req = top_priority(pic_chip_irr(c) & ~c->imr);

	if (c->icw || req == 8)
		return -1;
	if (master && c->sfnm)
		in_service &= ~(1 << PIC_CASCADE_IR);
	return req < top_priority(in_service) ? req : -1;
}

/*
 * Input @irq goes to @level. An edge-triggered input latches a request in
 * IRR on a rising edge only. Lowering the line before the INTA cycle does
 * not withdraw it: the data sheet has the chip answer with a default IR7
 * then, but QEMU keeps the request, and so does this model.
 */
static void chip_set_line(struct pic_chip *c, unsigned int irq, bool level)
{
	uint8_t bit = 1 << irq;

	if (level && !(c->line & bit) && !(c->elcr & bit))
		c->irr |= bit;
	if (level)
		c->line |= bit;
	else
		c->line &= ~bit;
}

/* The slave's INT output is the master's IR2 input ("Cascade Mode"). */
static void pic_update(struct pic *p)
{
	chip_set_line(&p->chip[0], PIC_CASCADE_IR,
		      chip_pending(&p->chip[1], false) >= 0);
}

/*
 * The chip's part of an INTA cycle (or a poll) for input @irq: ISR set,
 * unless in automatic EOI mode, and the edge request consumed. A level
 * input keeps requesting while its pin is high.
 */
static void chip_intack(struct pic_chip *c, int irq)
{
	if (!c->aeoi)
		c->isr |= 1 << irq;
	c->irr &= ~(1 << irq);
}

/*
 * Power-on. The data sheet leaves the state undefined until ICW1; here
 * each chip starts operational with IRR and ISR clear, every input masked
 * (IMR 0xff), vector base 0 and every input edge-triggered (ELCR 0, the
 * PIIX3 reset value). With all inputs masked nothing reaches the CPU before
 * the guest programs the chips; QEMU resets IMR to 0 but has a BIOS that
 * programs and masks them before any guest code runs. OCW1 works before
 * ICW1, as Linux's probe_8259A() expects.
 */
void pic_init(struct pic *p)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].imr = 0xff;
	p->chip[1].imr = 0xff;
}

void pic_set_irq(struct pic *p, unsigned int irq, bool level)
{
	if (irq >= 16 || irq == PIC_CASCADE_IR)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, level);
	pic_update(p);
}

bool pic_has_interrupt(const struct pic *p)
{
	return chip_pending(&p->chip[0], true) >= 0;
}

/*
 * The two INTA pulses ("Interrupt Sequence"): the master resolves, and if
 * its winner is the cascade input the slave supplies the vector. With
 * nothing to deliver (the request went away, or the line was masked after
 * INTR rose) a chip answers with its IR7 vector and sets no ISR bit: the
 * spurious IRQ 7, or IRQ 15 if the slave had nothing while the master had
 * already latched IR2 (the master then does set ISR bit 2, as on hardware
 * and in QEMU, and the guest must EOI the master).
 */
int pic_ack(struct pic *p)
{
	struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_pending(m, true), irq2, vector;

	if (irq < 0)
		return m->base + 7;
	if (irq == PIC_CASCADE_IR && !m->single) {
		irq2 = chip_pending(s, false);
		if (irq2 >= 0) {
			chip_intack(s, irq2);
			vector = s->base + irq2;
		} else {
			vector = s->base + 7;
		}
	} else {
		vector = m->base + irq;
	}
	chip_intack(m, irq);
	pic_update(p);
	return vector;
}

/*
 * ICW1 ("Initialization Command Words"): IMR cleared, the edge sense
 * circuit reset, so that an input must go low and high again to request
 * (a pin held high stays "seen"), status read set to IRR, and what ICW4
 * selects cleared until ICW4 says otherwise. The data sheet does not say
 * ISR is cleared; QEMU clears it and so does this model, so that a guest
 * re-initialising with a request in service (kexec, resume) is not stuck.
 * LTIM (D3) is ignored: on a PIIX the ELCR chooses edge or level.
 */
static void chip_icw1(struct pic_chip *c, uint8_t v)
{
	c->irr = 0;
	c->isr = 0;
	c->imr = 0;
	c->icw4 = v & ICW1_IC4;
	c->single = v & ICW1_SNGL;
	c->aeoi = false;
	c->sfnm = false;
	c->read_isr = false;
	c->poll = false;
	c->icw = 2;
}

/*
 * ICW2: T7-T3 of the vectors (8086 mode); ICW3: skipped in single mode,
 * its value ignored as the PC wires the slave to IR2 whatever it says;
 * ICW4: only if ICW1 asked for it. 8086 mode (uPM) is assumed.
 */
static void chip_icw(struct pic_chip *c, uint8_t v)
{
	switch (c->icw) {
	case 2:
		c->base = v & 0xf8;
		c->icw = c->single ? (c->icw4 ? 4 : 0) : 3;
		break;
	case 3:
		c->icw = c->icw4 ? 4 : 0;
		break;
	default:
		c->aeoi = v & ICW4_AEOI;
		c->sfnm = v & ICW4_SFNM;
		c->icw = 0;
		break;
	}
}

/*
 * OCW2 ("Operation Command Words", "The End of Interrupt (EOI)"): R, SL
 * and EOI in D7-D5, the level in D2-D0. Priority rotation is not modelled:
 * the rotating EOIs act as the plain ones, and set-priority and the
 * rotate-in-AEOI settings are accepted and do nothing, so priority stays
 * fixed with IR0 highest (what Linux and BIOSes use).
 */
static void chip_ocw2(struct pic_chip *c, uint8_t v)
{
	switch (v >> 5) {
	case 1:			/* non-specific EOI */
	case 5:			/* rotate on non-specific EOI */
		c->isr &= c->isr - 1;	/* the highest priority one */
		break;
	case 3:			/* specific EOI */
	case 7:			/* rotate on specific EOI */
		c->isr &= ~(1 << (v & 7));
		break;
	}
}

/*
 * OCW3: the poll command, and which of IRR and ISR port 0 reads ("Reading
 * the 8259A Status"). Special mask mode (ESMM, SMM) is not modelled and
 * its bits are ignored; Linux and BIOSes do not use it.
 */
static void chip_ocw3(struct pic_chip *c, uint8_t v)
{
	if (v & OCW3_POLL)
		c->poll = true;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
}

static void chip_write(struct pic_chip *c, unsigned int a0, uint8_t v)
{
	if (a0 && c->icw)
		chip_icw(c, v);
	else if (a0)
		c->imr = v;	/* OCW1 */
	else if (v & ICW1_INIT)
		chip_icw1(c, v);
	else if (v & OCW3_SEL)
		chip_ocw3(c, v);
	else
		chip_ocw2(c, v);
}

/*
 * After a poll command the next read, at either port, is an interrupt
 * acknowledge that returns the poll word ("The Poll Command"): D7 set if
 * there was a request, D2-D0 its level. A master that finds IR2 returns 2;
 * the guest then polls the slave itself, so there is no cascade here.
 */
static uint8_t chip_read(struct pic_chip *c, unsigned int a0, bool master)
{
	int irq;

	if (c->poll) {
		c->poll = false;
		irq = chip_pending(c, master);
		if (irq < 0)
			return 0;
		chip_intack(c, irq);
		return POLL_INT | irq;
	}
	if (a0)
		return c->imr;
	return c->read_isr ? c->isr : pic_chip_irr(c);
}

int pic_io(struct pic *p, uint16_t port, uint8_t *val, bool write)
{
	struct pic_chip *c;
	unsigned int i;

	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_MASTER_DATA:
	case PIC_SLAVE_CMD:
	case PIC_SLAVE_DATA:
		i = port >= PIC_SLAVE_CMD;
		c = &p->chip[i];
		if (write)
			chip_write(c, port & 1, *val);
		else
			*val = chip_read(c, port & 1, i == 0);
		break;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		c = &p->chip[port & 1];
		if (write)
			c->elcr = *val & elcr_mask[port & 1];
		else
			*val = c->elcr;
		break;
	default:
		return -1;
	}
	pic_update(p);
	return 0;
}
