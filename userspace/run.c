// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run [OPTIONS] IMAGE: one VM, one vCPU, a run loop. Loading is in
 * loader.c, the initial machine state in boot.c, the devices in devices.c.
 * Every way a run can end has its own exit status (run.h, vmxlab.1).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "run.h"

#define PATTERN_XOR	0xa5a5a5a5a5a5a5a5ULL
#define TIMEOUT_MAX	1e7	/* seconds, about 4 months */

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: vmxlab run [OPTIONS] IMAGE\n"
		"\n"
		"Runs IMAGE in a new VM with one vCPU until it halts, exits or fails.\n"
		"IMAGE is a flat binary (real mode, loaded at 0x10000), an i386 ELF\n"
		"(protected mode), an x86-64 ELF (long mode) or a multiboot v1 kernel\n"
		"(protected mode); the format is detected from the content.\n"
		"\n"
		"options:\n"
		"  --mode real|protected|long  start in this mode, not the detected one\n"
		"  --load ADDR            where a flat image goes (default 0x10000)\n"
		"  --entry ADDR           entry point (default: the image's)\n"
		"  --mem SIZE             guest RAM at address 0 (default 64M; K, M, G)\n"
		"  --cmdline STRING       the multiboot command line\n"
		"  --initrd FILE          FILE as the multiboot module, after the image\n"
		"  --timeout SECONDS      end the run after this long (fractions allowed)\n"
		"  --strict               an unclaimed port or MMIO access ends the run\n"
		"  --lapic                a local APIC in the kernel (xAPIC at 0xfee00000,\n"
		"                         x2APIC, timer, TSC deadline)\n"
		"  --stats                exit statistics at the end, on stdout (\"stats: \"),\n"
		"                         with each exit's latency: count, mean, percentiles\n"
		"  --stats-json FILE      the exit latency histograms as JSON in FILE\n"
		"  --trace                every VM exit on stderr (\"trace: \") as it happens\n"
		"  --check-pattern START  afterwards, check that every 8-byte word at\n"
		"                         address A >= START holds A ^ 0xa5a5a5a5a5a5a5a5\n"
		"  -h, --help             this text\n"
		"\n"
		"devices: 16550 UART at port 0x3f8 (output to stdout), debug exit at\n"
		"port 0xf4; other ports and addresses outside RAM read as all ones.\n"
		"\n"
		"exit status:\n"
		"  0         the guest executed HLT with interrupts disabled\n"
		"  (V<<1)|1  the guest wrote V to port 0xf4 (low 8 bits: always odd)\n"
		"  2         triple fault\n"
		"  4         --timeout expired\n"
		"  6         VM entry failed (invalid guest state)\n"
		"  8         internal error: an exit vmxlab cannot handle\n"
		"  10        VMLAUNCH/VMRESUME failed (VMfail)\n"
		"  12        HLT with interrupts enabled: nothing can wake the guest\n"
		"  14        --strict: unclaimed port or MMIO access\n"
		"  16        interrupted by SIGINT or SIGTERM\n"
		"  18        --check-pattern mismatch\n"
		"  120       usage, image, setup or ioctl error\n"
		"\n"
		"vmxlab(1) has the initial machine state for each image format.\n");
}

/* One line on stderr, after the guest's output: "vmxlab: [PATH: ]message". */
static void report(const char *path, const char *fmt, va_list ap)
{
	devices_flush();
	fprintf(stderr, "vmxlab: ");
	if (path)
		fprintf(stderr, "%s: ", path);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

/* A setup error: one line on stderr. Returns -1 for the callers' chains. */
int run_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(NULL, fmt, ap);
	va_end(ap);
	return -1;
}

/* run_error() about a file: the message follows "PATH: ". */
int run_file_error(const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(path, fmt, ap);
	va_end(ap);
	return -1;
}

/* The end of a run: its one line on stderr, after the guest's output. */
int run_end(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(NULL, fmt, ap);
	va_end(ap);
	return status;
}

static int ioctl_error(const char *op, int err)
{
	return run_error("%s: %s", op, vmxlab_explain(op, -err));
}

const char *mode_name(enum cpu_mode mode)
{
	static const char *const names[] = { "none", "real", "protected", "long" };

	return names[mode];
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

/* A number (C syntax: 0x.., 0..) with an optional K, M or G suffix. */
static int parse_size(const char *opt, const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (!*s || *s == '-' || *end || errno || v > (~0ULL >> shift))
		return run_error("%s: '%s' is not a number (0x.., K, M, G allowed)",
				 opt, s);
	*out = v << shift;
	return 0;
}

static int parse_mode(const char *s, enum cpu_mode *mode)
{
	if (!strcmp(s, "real"))
		*mode = MODE_REAL;
	else if (!strcmp(s, "protected"))
		*mode = MODE_PROTECTED;
	else if (!strcmp(s, "long"))
		*mode = MODE_LONG;
	else
		return run_error("--mode: '%s' is not real, protected or long", s);
	return 0;
}

static int parse_timeout(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(*out) || *out <= 0 ||
	    *out > TIMEOUT_MAX)
		return run_error("--timeout: '%s' is not a number of seconds above 0 and below %g",
				 s, TIMEOUT_MAX);
	return 0;
}

enum {
	OPT_MODE = 256, OPT_LOAD, OPT_ENTRY, OPT_MEM, OPT_CMDLINE, OPT_TIMEOUT,
	OPT_STRICT, OPT_STATS, OPT_STATS_JSON, OPT_TRACE, OPT_CHECK, OPT_DRY_RUN,
	OPT_LAPIC, OPT_INITRD,
};

static const struct option run_options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "entry", required_argument, NULL, OPT_ENTRY },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "lapic", no_argument, NULL, OPT_LAPIC },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "stats-json", required_argument, NULL, OPT_STATS_JSON },
	{ "trace", no_argument, NULL, OPT_TRACE },
	{ "check-pattern", required_argument, NULL, OPT_CHECK },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },	/* not in --help */
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One option; 0, or -1 after a message. */
static int set_option(int c, const char *arg, struct run_opts *o)
{
	switch (c) {
	case OPT_MODE:
		return parse_mode(arg, &o->mode);
	case OPT_LOAD:
		o->has_load = true;
		return parse_size("--load", arg, &o->load);
	case OPT_ENTRY:
		o->has_entry = true;
		return parse_size("--entry", arg, &o->entry);
	case OPT_MEM:
		return parse_size("--mem", arg, &o->mem);
	case OPT_CMDLINE:
		o->cmdline = arg;
		return 0;
	case OPT_INITRD:
		o->initrd = arg;
		return 0;
	case OPT_TIMEOUT:
		return parse_timeout(arg, &o->timeout);
	case OPT_STRICT:
		o->strict = true;
		return 0;
	case OPT_LAPIC:
		o->lapic = true;
		return 0;
	case OPT_STATS:
		o->stats = true;
		return 0;
	case OPT_STATS_JSON:
		o->stats_json = arg;
		return 0;
	case OPT_TRACE:
		o->trace = true;
		return 0;
	case OPT_CHECK:
		o->has_check = true;
		return parse_size("--check-pattern", arg, &o->check_start);
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	}
	return -1;
}

static int check_options(const struct run_opts *o)
{
	if (o->mem < MEM_MIN || o->mem > MEM_MAX || o->mem % 4096)
		return run_error("--mem: 0x%llx: need a multiple of 4 KiB from 2M to 512G",
				 (unsigned long long)o->mem);
	if (o->has_check && o->check_start >= o->mem)
		return run_error("--check-pattern: 0x%llx is not below the end of RAM",
				 (unsigned long long)o->check_start);
	return 0;
}

/* RUN_CONTINUE to go on, else the exit status (0 after --help). */
static int parse_options(int argc, char **argv, struct run_opts *o)
{
	int c;

	*o = (struct run_opts){ .mem = MEM_DEFAULT };
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", run_options, NULL)) != -1) {
		if (c == 'h') {
			run_usage(stdout);
			return EXIT_OK;
		}
		if (c == ':')
			run_error("run: %s needs a value", argv[optind - 1]);
		else if (c == '?')
			run_error("run: unknown option '%s'; see vmxlab run --help",
				  argv[optind - 1]);
		if (c == ':' || c == '?' || set_option(c, optarg, o))
			return RUN_SETUP;
	}
	if (optind != argc - 1) {
		run_error("run: %s; see vmxlab run --help",
			  optind == argc ? "no IMAGE given" : "more than one IMAGE given");
		return RUN_SETUP;
	}
	o->image = argv[optind];
	return check_options(o) ? RUN_SETUP : RUN_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Guest memory and the VM                                            */
/* ------------------------------------------------------------------ */

/*
 * Anonymous memory aligned to 2 MiB, so that the host can back it with huge
 * pages and EPT can map it with 2 MiB pages. NORESERVE: untouched memory
 * costs nothing until the kernel pins it.
 */
int alloc_guest_mem(struct guest_mem *m, uint64_t size)
{
	const uint64_t align = 2ULL << 20;
	uint8_t *p, *start;

	p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return run_error("cannot map %llu MiB of guest memory: %s",
				 (unsigned long long)size >> 20, strerror(errno));
	start = (uint8_t *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (start > p)
		munmap(p, start - p);
	if (start < p + align)
		munmap(start + size, p + align - start);
	madvise(start, size, MADV_HUGEPAGE);	/* a hint; failure is fine */
	m->host = start;
	m->size = size;
	return 0;
}

/*
 * The kernel pins guest memory and charges it to RLIMIT_MEMLOCK: lift the
 * soft limit to the hard one. If that is still too low the memory-region
 * ioctl fails with ENOMEM, and vmxlab_explain says so.
 */
static void raise_memlock(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
}

static int vm_add_memory(struct vm *vm)
{
	struct vmxlab_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->mem.size,
		.userspace_addr = (uintptr_t)vm->mem.host,
	};
	int r;

	raise_memlock();
	r = vmxlab_set_memory_region(vm->vmfd, &region);
	return r < 0 ? ioctl_error("set memory region", r) : 0;
}

int vm_create(struct vm *vm)
{
	vm->devfd = open_dev(NULL);
	if (vm->devfd < 0)
		return -1;
	vm->vmfd = vmxlab_create_vm(vm->devfd,
				    vm->opts->lapic ? VMXLAB_VM_LAPIC : 0);
	if (vm->vmfd < 0)
		return ioctl_error("create VM", vm->vmfd);
	if (vm_add_memory(vm))
		return -1;
	vm->run_size = vmxlab_get_run_size(vm->devfd);
	if (vm->run_size < 0)
		return ioctl_error("get run size", vm->run_size);
	vm->vcpufd = vmxlab_create_vcpu(vm->vmfd, 0);
	if (vm->vcpufd < 0)
		return ioctl_error("create vCPU", vm->vcpufd);
	vm->run = vmxlab_map_run(vm->vcpufd, vm->run_size);
	if (!vm->run)
		return ioctl_error("map run page", -errno);
	return 0;
}

/* SET_SREGS first: SET_REGS alone leaves RUN failing with ENOEXEC. */
int vm_set_state(struct vm *vm, const struct boot *b)
{
	int r;

	r = vmxlab_set_sregs(vm->vcpufd, &b->sregs);
	if (r < 0)
		return ioctl_error("set special registers", r);
	r = vmxlab_set_regs(vm->vcpufd, &b->regs);
	if (r < 0)
		return ioctl_error("set registers", r);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Signals and the timeout                                            */
/* ------------------------------------------------------------------ */

static volatile sig_atomic_t stop_signal, timed_out;
static struct vmxlab_run *volatile signal_run;

/*
 * Sets a flag, and immediate_exit in the run page: a signal that lands
 * between the loop's check of the flags and VMXLAB_RUN still makes RUN
 * return -EINTR at once (the pattern of KVM's immediate_exit).
 */
static void on_signal(int sig)
{
	/* The tick timer (irq.c): only back to the run loop. */
	if (sig == SIGUSR1) {
		if (signal_run)
			signal_run->immediate_exit = 1;
		return;
	}
	if (sig == SIGALRM)
		timed_out = 1;
	else
		stop_signal = sig;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

/* No SA_RESTART: the signal must interrupt VMXLAB_RUN with EINTR. */
int setup_signals(struct vm *vm)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGALRM, SIGUSR1 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct itimerval t = { { 0, 0 }, { 0, 0 } };
	size_t i;

	sigfillset(&sa.sa_mask);
	signal_run = vm->run;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return run_error("sigaction: %s", strerror(errno));
	if (vm->opts->timeout <= 0)
		return 0;
	t.it_value.tv_sec = (time_t)vm->opts->timeout;
	t.it_value.tv_usec = (vm->opts->timeout - t.it_value.tv_sec) * 1e6;
	if (!t.it_value.tv_sec && !t.it_value.tv_usec)
		t.it_value.tv_usec = 1;
	if (setitimer(ITIMER_REAL, &t, NULL) < 0)
		return run_error("setitimer: %s", strerror(errno));
	return 0;
}

/* ------------------------------------------------------------------ */
/* The run loop                                                       */
/* ------------------------------------------------------------------ */

/* The guest's RIP when the run page has none (after -EINTR). */
static unsigned long long current_rip(struct vm *vm)
{
	struct vmxlab_regs regs;

	if (vmxlab_get_regs(vm->vcpufd, &regs) < 0)
		return vm->run->rip;
	return regs.rip;
}

static int pending_stop(struct vm *vm)
{
	if (stop_signal)
		return run_end(RUN_SIGNAL, "interrupted by %s; guest RIP 0x%llx",
			       stop_signal == SIGINT ? "SIGINT" : "SIGTERM",
			       current_rip(vm));
	if (timed_out)
		return run_end(RUN_TIMEOUT, "timeout: %g s passed; guest RIP 0x%llx",
			       vm->opts->timeout, current_rip(vm));
	return RUN_CONTINUE;
}

/*
 * HLT: with IF set it waits for the next interrupt of the PIT or the PIC
 * (irq.c); with IF clear, or no interrupt source, nothing can ever resume
 * the guest, so it is done.
 */
static int end_hlt(struct vm *vm)
{
	unsigned long long rip = vm->run->rip;

	/* vmxlab bench times HLT: the guest goes on past it. */
	if (vm->opts->bench)
		return RUN_CONTINUE;
	if ((vm->run->flags & VMXLAB_RUN_IF) && irq_halt_wait(vm))
		return RUN_CONTINUE;
	if (vm->run->flags & VMXLAB_RUN_IF)
		return run_end(RUN_HALT_IF,
			       "guest halted with interrupts enabled at RIP 0x%llx; no interrupt source exists to wake it",
			       rip);
	if (!vm->opts->stats)
		return RUN_HALT;
	return run_end(RUN_HALT, "guest halted at RIP 0x%llx", rip);
}

static int end_fail_entry(struct vm *vm)
{
	const struct vmxlab_run *run = vm->run;

	return run_end(RUN_FAIL_ENTRY,
		       "VM entry failed at RIP 0x%llx: exit reason %u (%s), qualification 0x%llx; check: %s",
		       (unsigned long long)run->rip, run->fail_entry.reason,
		       vmxlab_vmx_exit_reason_name(run->fail_entry.reason),
		       (unsigned long long)run->fail_entry.qualification,
		       vmxlab_check_name(run->fail_entry.check));
}

static int end_vmfail(struct vm *vm)
{
	const struct vmxlab_run *run = vm->run;

	if (run->vmfail.status != VMXLAB_VMFAIL_VALID)
		return run_end(RUN_VMFAIL,
			       "%s %s at RIP 0x%llx: the vCPU is stopped",
			       vmxlab_vmfail_insn_name(run->vmfail.insn),
			       vmxlab_vmfail_status_name(run->vmfail.status),
			       (unsigned long long)run->rip);
	return run_end(RUN_VMFAIL,
		       "%s failed (VMfailValid) at RIP 0x%llx: VM-instruction error %u (%s); the vCPU is stopped",
		       vmxlab_vmfail_insn_name(run->vmfail.insn),
		       (unsigned long long)run->rip, run->vmfail.error,
		       vmxlab_vm_instruction_error_name(run->vmfail.error));
}

/* IDT-vectoring information (SDM Vol. 3C 24.9.3): bit 31 valid. */
#define VECTORING_VALID		0x80000000u

/* Its interruption types, bits 10:8 (Table 24-16). */
static const char *const event_types[8] = {
	"external interrupt", "reserved type 1", "NMI", "hardware exception",
	"software interrupt", "privileged software exception",
	"software exception", "reserved type 7",
};

static int end_internal(struct vm *vm)
{
	const struct vmxlab_run *run = vm->run;
	__u32 info = run->internal.vectoring_info;
	char event[128] = "";

	if (info & VECTORING_VALID)
		snprintf(event, sizeof(event),
			 "; while delivering %s %u (IDT-vectoring info 0x%x, error code 0x%x)",
			 event_types[(info >> 8) & 7], info & 0xff, info,
			 run->internal.vectoring_error);
	return run_end(RUN_INTERNAL,
		       "internal error at RIP 0x%llx: %s (suberror %u); exit reason %u (%s), qualification 0x%llx, gpa 0x%llx%s",
		       (unsigned long long)run->rip,
		       vmxlab_internal_name(run->internal.suberror),
		       run->internal.suberror, run->internal.exit_reason,
		       vmxlab_vmx_exit_reason_name(run->internal.exit_reason),
		       (unsigned long long)run->internal.qualification,
		       (unsigned long long)run->internal.gpa, event);
}

static int handle_exit(struct vm *vm)
{
	unsigned int reason = vm->run->exit_reason;

	if (reason < ARRAY_SIZE(vm->exits))
		vm->exits[reason]++;
	else
		vm->exits_other++;
	switch (reason) {
	case VMXLAB_EXIT_IO:
		return handle_io(vm);
	case VMXLAB_EXIT_MMIO:
		return handle_mmio(vm);
	case VMXLAB_EXIT_HLT:
		return end_hlt(vm);
	case VMXLAB_EXIT_SHUTDOWN:
		return run_end(RUN_SHUTDOWN, "guest triple fault (shutdown) at RIP 0x%llx",
			       (unsigned long long)vm->run->rip);
	case VMXLAB_EXIT_FAIL_ENTRY:
		return end_fail_entry(vm);
	case VMXLAB_EXIT_VMFAIL:
		return end_vmfail(vm);
	case VMXLAB_EXIT_INTERNAL_ERROR:
		return end_internal(vm);
	case VMXLAB_EXIT_TRACE_FULL:
		if (!vm->trace)
			break;
		trace_drain(vm);
		return RUN_CONTINUE;
	case VMXLAB_EXIT_IRQ_WINDOW_OPEN:
		/* irq_before_run() injects the interrupt now. */
		return RUN_CONTINUE;
	}
	return run_end(RUN_INTERNAL,
		       "exit reason %u from the kernel is unknown to this tool, at RIP 0x%llx",
		       reason, (unsigned long long)vm->run->rip);
}

/*
 * immediate_exit is cleared before the flags are looked at (the fence keeps
 * the compiler from moving the store past the check), so a signal after the
 * check leaves it set and RUN returns at once.
 */
int run_loop(struct vm *vm)
{
	int r;

	for (;;) {
		vm->run->immediate_exit = 0;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		r = pending_stop(vm);
		if (r != RUN_CONTINUE)
			return r;
		if (vm->irq_active && irq_before_run(vm))
			return RUN_SETUP;
		r = vmxlab_run(vm->vcpufd);
		trace_drain(vm);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			ioctl_error("run", r);
			return RUN_SETUP;
		}
		r = handle_exit(vm);
		if (r != RUN_CONTINUE)
			return r;
	}
}

/* ------------------------------------------------------------------ */
/* After the run                                                      */
/* ------------------------------------------------------------------ */

static void print_kernel_stats(struct vm *vm)
{
	struct vmxlab_vcpu_stats st;
	unsigned int i, n;
	int r;

	memset(&st, 0, sizeof(st));
	r = vmxlab_get_vcpu_stats(vm->vcpufd, &st);
	if (r < 0) {
		printf("stats: no vCPU statistics: %s\n",
		       vmxlab_explain("get vCPU stats", -r));
		return;
	}
	printf("stats: VM entries %llu\n", (unsigned long long)st.entries);
	printf("stats: userspace exits %llu\n",
	       (unsigned long long)st.userspace_exits);
	n = st.nr_reasons < VMXLAB_NR_EXIT_REASONS ? st.nr_reasons :
	    VMXLAB_NR_EXIT_REASONS;
	for (i = 0; i < n; i++)
		if (st.exits[i])
			printf("stats: VM exit %2u %-45s %llu\n", i,
			       vmxlab_vmx_exit_reason_name(i),
			       (unsigned long long)st.exits[i]);
}

static void print_stats(struct vm *vm, double seconds)
{
	unsigned int i;

	devices_flush();
	printf("stats: ---\n");
	print_kernel_stats(vm);
	for (i = 0; i < ARRAY_SIZE(vm->exits); i++)
		if (vm->exits[i])
			printf("stats: run exit %-14s %llu\n", vmxlab_exit_name(i),
			       (unsigned long long)vm->exits[i]);
	if (vm->exits_other)
		printf("stats: run exit %-14s %llu\n", "unknown",
		       (unsigned long long)vm->exits_other);
	printf("stats: unclaimed port accesses %llu, MMIO accesses %llu\n",
	       (unsigned long long)vm->pio.unclaimed,
	       (unsigned long long)vm->mmio.unclaimed);
	printf("stats: time %.3f s\n", seconds);
	fflush(stdout);
}

/*
 * --check-pattern: a test guest fills RAM from START with A ^ PATTERN_XOR
 * at each 8-byte aligned address A; this proves its writes reached the
 * memory the tool sees. A mismatch overrides the guest's exit status.
 */
static int check_pattern(const struct guest_mem *m, uint64_t start, int status)
{
	uint64_t a = (start + 7) & ~7ULL, want, got;

	for (; a + 8 <= m->size; a += 8) {
		memcpy(&got, m->host + a, sizeof(got));
		want = a ^ PATTERN_XOR;
		if (got != want)
			return run_end(RUN_PATTERN,
				       "pattern mismatch at 0x%llx: expected 0x%016llx, found 0x%016llx",
				       (unsigned long long)a,
				       (unsigned long long)want,
				       (unsigned long long)got);
	}
	printf("pattern ok: %llu bytes checked\n",
	       (unsigned long long)(a - ((start + 7) & ~7ULL)));
	fflush(stdout);
	return status;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run_guest(struct vm *vm, const struct boot *b)
{
	double t0;
	int status;

	if (vm_create(vm) || vm_set_state(vm, b))
		return RUN_SETUP;
	if ((vm->opts->stats || vm->opts->stats_json) && stats_start(vm))
		return RUN_SETUP;
	if (vm->opts->trace && trace_start(vm))
		return RUN_SETUP;
	devices_init(vm);
	if (irq_init(vm, SIGUSR1) || setup_signals(vm))
		return RUN_SETUP;
	t0 = now();
	status = run_loop(vm);
	devices_flush();
	trace_end(vm);
	if (vm->opts->stats)
		print_stats(vm, now() - t0);
	if (vm->opts->stats || vm->opts->stats_json)
		stats_print(vm);
	if (vm->opts->has_check)
		status = check_pattern(&vm->mem, vm->opts->check_start, status);
	return status;
}

/* vmxlab trace [OPTIONS] IMAGE: vmxlab run --trace. */
int cmd_trace(int argc, char **argv)
{
	char **args = calloc(argc + 2, sizeof(*args));
	int r;

	if (!args)
		return run_error("out of memory");
	args[0] = argv[0];
	args[1] = "--trace";
	memcpy(args + 2, argv + 1, (argc - 1) * sizeof(*args));
	r = cmd_run(argc + 1, args);
	free(args);
	return r;
}

/* vmxlab run [OPTIONS] IMAGE */
int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct boot b = { 0 };
	struct vm vm = { .opts = &o, .devfd = -1, .vmfd = -1, .vcpufd = -1 };
	int r;

	r = parse_options(argc, argv, &o);
	if (r != RUN_CONTINUE)
		return r;
	if (alloc_guest_mem(&vm.mem, o.mem) || load_image(&o, &vm.mem, &b) ||
	    boot_setup(&o, &vm.mem, &b))
		return RUN_SETUP;
	if (o.dry_run) {
		boot_print(&vm.mem, &b);
		return EXIT_OK;
	}
	return run_guest(&vm, &b);
}
