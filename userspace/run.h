/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmxlab run: what the option parser, the image loaders, the initial machine
 * state, the devices and the run loop share. Documentation/vmxlab.1 is the
 * user's side of everything here.
 */
#ifndef VMXLAB_RUN_H
#define VMXLAB_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "vmxlab.h"

/* Exit statuses of `vmxlab run` (vmxlab.1, EXIT STATUS). */
#define RUN_HALT		0	/* HLT with RFLAGS.IF clear */
#define RUN_SHUTDOWN		2	/* triple fault */
#define RUN_TIMEOUT		4	/* --timeout expired */
#define RUN_FAIL_ENTRY		6	/* VM entry failed on guest state */
#define RUN_INTERNAL		8	/* the kernel could not handle an exit */
#define RUN_VMFAIL		10	/* VMLAUNCH/VMRESUME failed */
#define RUN_HALT_IF		12	/* HLT with interrupts enabled: no waker */
#define RUN_STRICT		14	/* --strict: unclaimed port or MMIO */
#define RUN_SIGNAL		16	/* SIGINT or SIGTERM */
#define RUN_PATTERN		18	/* --check-pattern mismatch */
#define RUN_SETUP		120	/* usage, image, setup or ioctl error */
/* Not a status: the run loop goes on. */
#define RUN_CONTINUE		(-1)

/*
 * Guest-physical layout of what the tool itself writes (vmxlab.1, MEMORY
 * LAYOUT). Everything sits below 64 KiB so that a guest may use all memory
 * above its image, and no part overlaps an image (checked at load time).
 */
#define GDT_ADDR		0x1000	/* protected and long mode */
#define GDT_LIMIT		0x1f	/* null, code32, data, code64 */
#define SEL_CODE32		0x08
#define SEL_DATA		0x10
#define SEL_CODE64		0x18
#define MBI_ADDR		0x2000	/* multiboot info, one page */
#define STACK_BOTTOM		0x3000	/* protected and long mode stack */
#define STACK_TOP		0x8000	/* initial ESP/RSP */
#define PML4_ADDR		0x8000	/* long mode page tables */
#define PDPT_ADDR		0x9000
#define PD_ADDR			0xa000	/* one PD per GiB mapped, min. 4 */
#define FLAT_LOAD_ADDR		0x10000	/* flat binaries */

#define MEM_MIN			(2ULL << 20)
#define MEM_MAX			(512ULL << 30)	/* what one PDPT maps */
#define MEM_DEFAULT		(64ULL << 20)

enum cpu_mode { MODE_NONE, MODE_REAL, MODE_PROTECTED, MODE_LONG };
enum image_format { FMT_FLAT, FMT_ELF32, FMT_ELF64 };

struct run_opts {
	const char *image;
	enum cpu_mode mode;		/* MODE_NONE: as detected */
	bool has_load, has_entry, has_check;
	uint64_t load, entry;
	uint64_t mem;
	const char *cmdline;		/* NULL: not given */
	const char *initrd;		/* --initrd FILE; NULL: none */
	double timeout;			/* seconds; 0: none */
	bool strict, stats, dry_run;
	bool lapic;			/* --lapic: VMXLAB_VM_LAPIC */
	const char *stats_json;		/* --stats-json FILE; NULL: none */
	bool trace;			/* --trace */
	bool bench;			/* vmxlab bench: HLT resumes the guest */
	uint64_t check_start;
};

/* Guest RAM: one slot at guest-physical 0. */
struct guest_mem {
	uint8_t *host;
	uint64_t size;
};

/* A guest-physical range [start, end) that the tool filled. */
struct range {
	uint64_t start, end;
	uint64_t file_off, file_bytes;	/* image ranges: bytes from the file */
	char what[48];
};

#define MAX_RANGES	72

/* What the loaders decided: where things are and the initial CPU state. */
struct boot {
	enum image_format format;
	bool multiboot;			/* a valid multiboot header was found */
	bool mb_aout;			/* ... and its address fields were used */
	enum cpu_mode mode;
	uint64_t entry;
	uint64_t initrd_start, initrd_end;	/* the multiboot module, if any */
	int nimage, ntool;
	struct range image[MAX_RANGES];	/* from the file */
	struct range tool[8];		/* GDT, stack, page tables, MBI */
	struct vmxlab_regs regs;
	struct vmxlab_sregs sregs;
};

/* A device on a bus: a port range or an MMIO range. */
struct vm;
struct bus_dev;
typedef int (*bus_io_fn)(struct vm *vm, struct bus_dev *dev, uint64_t addr,
			 uint32_t size, uint8_t *data, bool write);

struct bus_dev {
	const char *name;
	uint64_t base, len;
	bus_io_fn io;
	void *priv;
};

struct bus {
	const char *name;		/* "port", "MMIO" */
	int ndevs;
	struct bus_dev devs[16];
	uint64_t unclaimed;		/* accesses no device took */
};

/* A running VM: what the run loop and the devices share. */
struct vm {
	const struct run_opts *opts;
	struct guest_mem mem;
	int devfd, vmfd, vcpufd;
	struct vmxlab_run *run;
	int run_size;
	struct bus pio, mmio;
	uint64_t exits[VMXLAB_EXIT_IRQ_WINDOW_OPEN + 1]; /* by VMXLAB_EXIT_* */
	uint64_t exits_other;				/* unknown reasons */
	struct vmxlab_trace_ring *trace;		/* --trace: the ring */
	uint64_t traced;				/* records printed */
	bool irq_active;		/* the guest touched the PIC or PIT (irq.c) */
};

/* run.c */
int run_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int run_file_error(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int run_end(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *mode_name(enum cpu_mode mode);

/* run.c, for bench.c: the steps of a run. 0, or -1 after a message. */
int alloc_guest_mem(struct guest_mem *m, uint64_t size);
int vm_create(struct vm *vm);
int vm_set_state(struct vm *vm, const struct boot *b);
int setup_signals(struct vm *vm);
/* The exit status of the run (RUN_*, or the guest's (V << 1) | 1). */
int run_loop(struct vm *vm);

/* trace.c: the exit trace ring (--trace). */
int trace_start(struct vm *vm);
void trace_drain(struct vm *vm);
void trace_end(struct vm *vm);

/* stats.c: exit latency from the module (--stats, --stats-json). */
int stats_start(struct vm *vm);
void stats_print(struct vm *vm);

/* irq.c: the 8259A pair, the 8254 and their interrupts to the vCPU. */
int irq_init(struct vm *vm, int tick_signal);
void irq_set_line(struct vm *vm, unsigned int irq, bool level);
int irq_before_run(struct vm *vm);
bool irq_halt_wait(struct vm *vm);

/* loader.c: reads IMAGE into guest memory; 0, or -1 after a message. */
int load_image(const struct run_opts *o, struct guest_mem *m, struct boot *b);

/* boot.c: the initial machine state for b->mode; 0, or -1 after a message. */
int boot_setup(const struct run_opts *o, struct guest_mem *m, struct boot *b);
void boot_print(const struct guest_mem *m, const struct boot *b);

/* devices.c */
int bus_register(struct bus *bus, const char *name, uint64_t base,
		 uint64_t len, bus_io_fn io, void *priv);
void devices_init(struct vm *vm);
int handle_io(struct vm *vm);
int handle_mmio(struct vm *vm);

/* uart.c: the 16550 at 0x3f8, on IRQ 4. */
void uart_init(struct vm *vm);
int uart_input_fd(void);
void uart_poll_input(struct vm *vm);
void devices_flush(void);

#endif /* VMXLAB_RUN_H */
