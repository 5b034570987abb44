// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: the devices. A bus is a table of {base, len, handler}
 * (kvmtool's ioport registry, in small); the run loop hands each I/O or
 * MMIO exit to the device whose range holds the first address. Accesses no
 * device claims read as all ones and are otherwise ignored, as on a PC bus,
 * unless --strict makes them fatal.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

#define DEBUG_EXIT_PORT	0xf4

int bus_register(struct bus *bus, const char *name, uint64_t base,
		 uint64_t len, bus_io_fn io, void *priv)
{
	struct bus_dev *d;

	if (bus->ndevs == (int)ARRAY_SIZE(bus->devs))
		return -1;
	for (d = bus->devs; d < bus->devs + bus->ndevs; d++)
		if (base < d->base + d->len && d->base < base + len)
			return -1;
	bus->devs[bus->ndevs++] = (struct bus_dev){ name, base, len, io, priv };
	return 0;
}

static struct bus_dev *bus_find(struct bus *bus, uint64_t addr)
{
	struct bus_dev *d;

	for (d = bus->devs; d < bus->devs + bus->ndevs; d++)
		if (addr >= d->base && addr - d->base < d->len)
			return d;
	return NULL;
}

static uint64_t le_value(const uint8_t *data, uint32_t size)
{
	uint64_t v = 0;

	while (size--)
		v = v << 8 | data[size];
	return v;
}

/*
 * An access no device claims. @count elements of @size bytes: reads see
 * 0xff bytes, writes are dropped; with --strict the run ends.
 */
static int no_device(struct vm *vm, struct bus *bus, uint64_t addr,
		     uint32_t size, uint8_t *data, bool write, uint32_t count)
{
	bus->unclaimed += count;
	if (vm->opts->strict) {
		if (write)
			return run_end(RUN_STRICT,
				       "unclaimed %s 0x%llx: %u-byte write of 0x%llx%s at RIP 0x%llx (--strict)",
				       bus->name, (unsigned long long)addr, size,
				       (unsigned long long)le_value(data, size),
				       count > 1 ? " (string, first of several)" : "",
				       (unsigned long long)vm->run->rip);
		return run_end(RUN_STRICT,
			       "unclaimed %s 0x%llx: %u-byte read%s at RIP 0x%llx (--strict)",
			       bus->name, (unsigned long long)addr, size,
			       count > 1 ? " (string)" : "",
			       (unsigned long long)vm->run->rip);
	}
	if (!write)
		memset(data, 0xff, (size_t)size * count);
	return RUN_CONTINUE;
}

/* Port I/O: @count elements of @size bytes in the run page (REP INS/OUTS). */
int handle_io(struct vm *vm)
{
	struct vmxlab_run *run = vm->run;
	uint32_t size = run->io.size, count = run->io.count, i;
	bool write = run->io.direction == VMXLAB_IO_OUT;
	struct bus_dev *dev;
	uint8_t *data;
	int r;

	if ((size != 1 && size != 2 && size != 4) || !count ||
	    run->io.data_offset > (uint64_t)vm->run_size ||
	    (uint64_t)size * count > vm->run_size - run->io.data_offset)
		return run_end(RUN_SETUP,
			       "the kernel reported a malformed I/O exit (size %u, count %u, data at %llu)",
			       size, count, (unsigned long long)run->io.data_offset);
	data = (uint8_t *)run + run->io.data_offset;
	dev = bus_find(&vm->pio, run->io.port);
	if (!dev)
		return no_device(vm, &vm->pio, run->io.port, size, data, write, count);
	for (i = 0; i < count; i++) {
		r = dev->io(vm, dev, run->io.port, size, data + i * size, write);
		if (r != RUN_CONTINUE)
			return r;
	}
	return RUN_CONTINUE;
}

/* MMIO: guest-physical addresses outside RAM. No MMIO device exists yet. */
int handle_mmio(struct vm *vm)
{
	struct vmxlab_run *run = vm->run;
	uint32_t len = run->mmio.len;
	struct bus_dev *dev;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return run_end(RUN_SETUP,
			       "the kernel reported a malformed MMIO exit (length %u)", len);
	dev = bus_find(&vm->mmio, run->mmio.phys_addr);
	if (!dev)
		return no_device(vm, &vm->mmio, run->mmio.phys_addr, len,
				 run->mmio.data, run->mmio.is_write, 1);
	return dev->io(vm, dev, run->mmio.phys_addr, len, run->mmio.data,
		       run->mmio.is_write);
}

/*
 * isa-debug-exit (QEMU's convention): writing V, of any size, ends the run
 * with exit status (V << 1) | 1, of which the shell sees the low 8 bits.
 */
static int debug_exit_io(struct vm *vm, struct bus_dev *dev, uint64_t port,
			 uint32_t size, uint8_t *data, bool write)
{
	uint64_t v = le_value(data, size);
	int status = ((v << 1) | 1) & 0xff;

	(void)dev;
	if (!write || port != DEBUG_EXIT_PORT) {
		if (!write)
			memset(data, 0, size);
		return RUN_CONTINUE;
	}
	if (!vm->opts->stats)
		return status;
	return run_end(status,
		       "guest wrote 0x%llx to the debug-exit port at RIP 0x%llx: exit status %d",
		       (unsigned long long)v, (unsigned long long)vm->run->rip, status);
}

void devices_init(struct vm *vm)
{
	vm->pio.name = "port";
	vm->mmio.name = "MMIO address";
	uart_init(vm);
	bus_register(&vm->pio, "debug exit", DEBUG_EXIT_PORT, 1, debug_exit_io,
		     NULL);
}
