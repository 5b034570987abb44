/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab run: the PC's two Intel 8259A interrupt controllers, master at
 * ports 0x20-0x21, slave at 0xa0-0xa1 on the master's IR2, and the PIIX
 * edge/level control registers (ELCR) at 0x4d0-0x4d1. A pure model: the
 * caller moves the input lines and runs the CPU's INTA cycle; nothing here
 * knows about time, threads or the VM.
 */
#ifndef VMXLAB_PIC_H
#define VMXLAB_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define PIC_MASTER_CMD		0x20
#define PIC_MASTER_DATA		0x21
#define PIC_SLAVE_CMD		0xa0
#define PIC_SLAVE_DATA		0xa1
#define PIC_ELCR_MASTER		0x4d0
#define PIC_ELCR_SLAVE		0x4d1
#define PIC_CASCADE_IR		2	/* the master input the slave drives */

/* One 8259A. Bit n of each 8-bit register is input IRn. */
struct pic_chip {
	uint8_t irr;		/* latched edge requests (pic.c: pic_chip_irr()) */
	uint8_t isr;		/* in service */
	uint8_t imr;		/* masked */
	uint8_t line;		/* input pin levels, for edge detection */
	uint8_t elcr;		/* level-triggered inputs (ELCR) */
	uint8_t base;		/* ICW2: the vector of IR0 */
	uint8_t icw;		/* the ICW port 1 expects next; 0: none */
	bool icw4;		/* ICW1.IC4: an ICW4 follows */
	bool single;		/* ICW1.SNGL: no cascade, no ICW3 */
	bool aeoi;		/* ICW4.AEOI */
	bool sfnm;		/* ICW4.SFNM */
	bool read_isr;		/* OCW3.RIS: port 0 reads ISR, not IRR */
	bool poll;		/* OCW3.P: the next read is a poll */
};

struct pic {
	struct pic_chip chip[2];	/* master, slave */
};

/* Power-on state: see pic.c. */
void pic_init(struct pic *p);
/*
 * Input line @irq (0-15) is now at @level. IRQ 2 is the cascade, driven by
 * the slave, not by a device: setting it does nothing.
 */
void pic_set_irq(struct pic *p, unsigned int irq, bool level);
/* The master's INTR output: the CPU is being interrupted. */
bool pic_has_interrupt(const struct pic *p);
/* The INTA cycle: the vector the CPU receives (spurious IR7 if none). */
int pic_ack(struct pic *p);
/* One byte at @port (PIC_* above); 0, or -1 if the port is not ours. */
int pic_io(struct pic *p, uint16_t port, uint8_t *val, bool write);

#endif /* VMXLAB_PIC_H */
