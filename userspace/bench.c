// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab bench: the cost of one exit of each kind, timed from inside the
 * guest with RDTSC (userspace/bench-guests.S) and from inside the module
 * (its exit statistics, Documentation/exit-latency.rst), plus the floor
 * of the VMXLAB_RUN system call itself. A benchmark prints numbers; it
 * checks nothing but that each guest ran to its end.
 *
 * Each benchmark is a fresh VM with one vCPU and 4 MiB: the guest runs N
 * iterations and leaves N samples in its memory; the median of the
 * baseline guest (the same loop around a NOP) is subtracted from each, so
 * a sample is the cost of the exiting instruction, round trip, in ticks.
 * Then a second VM runs the same N with the module's statistics on, for
 * the module's view: the guest's own timing is taken with them off, since
 * collecting costs a little on every exit.
 *
 * --backend kvm runs the same guests on /dev/kvm instead (bench-kvm.c),
 * --compare on both, one after the other, and adds the ratio.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench.h"
#include "run.h"
#include "vmxlab.h"

#define GUEST(name) \
	extern const unsigned char bench_##name##_start[], bench_##name##_end[]
GUEST(nop);
GUEST(cpuid);
GUEST(vmcall);
GUEST(out);
GUEST(in);
GUEST(mmio_write);
GUEST(mmio_read);
GUEST(rdmsr);
GUEST(wrmsr);
GUEST(hlt);

/* SDM Vol. 3D Appendix C: the exit each one makes. */
#define EXIT_CPUID	10
#define EXIT_HLT	12
#define EXIT_VMCALL	18
#define EXIT_IO		30
#define EXIT_RDMSR	31
#define EXIT_WRMSR	32
#define EXIT_EPT_VIOL	48

static const struct bench {
	const char *name;
	const char *what;
	const unsigned char *start, *end;
	int reason;		/* its exit's basic reason; -1: none */
} benches[] = {
#define B(n, w, r) { #n, w, bench_##n##_start, bench_##n##_end, r }
	B(cpuid, "CPUID, in the kernel", EXIT_CPUID),
	B(vmcall, "VMCALL (no-op hypercall), in the kernel", EXIT_VMCALL),
	B(rdmsr, "RDMSR IA32_APIC_BASE, in the kernel", EXIT_RDMSR),
	B(wrmsr, "WRMSR IA32_SYSENTER_CS, in the kernel", EXIT_WRMSR),
	B(out, "OUT to a port, served by the tool", EXIT_IO),
	B(in, "IN from a port, served by the tool", EXIT_IO),
	B(mmio_write, "MMIO write, served by the tool", EXIT_EPT_VIOL),
	B(mmio_read, "MMIO read, served by the tool", EXIT_EPT_VIOL),
	B(hlt, "HLT with IF = 0, resumed by the tool", EXIT_HLT),
#undef B
};

struct result {
	const char *name;
	unsigned int n;
	uint32_t *samples;	/* sorted, baseline subtracted */
	double mean;
	long long module_p50;	/* the module's round trip; -1: none */
};

enum backend { BACKEND_VMXLAB, BACKEND_KVM, NR_BACKENDS };

static const char *const backend_names[NR_BACKENDS] = { "vmxlab", "kvm" };

struct bench_opts {
	unsigned int iterations;
	const char *json, *csv;
	enum backend backend;
	bool compare;
};

/* One backend's run: its baseline and results. */
struct backend_run {
	enum backend backend;
	uint32_t baseline;
	unsigned int nres;
	struct result res[ARRAY_SIZE(benches) + 1];
};

static unsigned int tsc_khz;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The sample of rank ceil(p * n), from sorted samples. */
static uint32_t quantile(const uint32_t *s, unsigned int n, double p)
{
	unsigned int i = (unsigned int)(p * n);

	if (i >= n)
		i = n - 1;
	return n ? s[i] : 0;
}

static void vm_close(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpufd >= 0)
		close(vm->vcpufd);
	if (vm->vmfd >= 0)
		close(vm->vmfd);
	if (vm->devfd >= 0)
		close(vm->devfd);
	if (vm->mem.host)
		munmap(vm->mem.host, vm->mem.size);
}

/**
 * bench_floor() - a RUN ioctl's floor, vmxlab's or KVM's
 * @fd: the vCPU.
 * @req: VMXLAB_RUN or KVM_RUN.
 * @immediate_exit: the run page's byte of that name: set, the ioctl
 *                  returns -EINTR before entering, so what is timed is the
 *                  system call, the hypervisor's entry checks and the way
 *                  out.
 * @s: where the @n samples go.
 * @n: iterations.
 */
void bench_floor(int fd, unsigned long req, volatile uint8_t *immediate_exit,
		 uint32_t *s, unsigned int n)
{
	unsigned int i;
	uint64_t t;

	for (i = 0; i < n; i++) {
		*immediate_exit = 1;
		t = __rdtsc();
		ioctl(fd, req, 0);
		s[i] = (uint32_t)(__rdtsc() - t);
	}
	*immediate_exit = 0;
}

/* The module's median round trip for @reason, or -1. */
static long long module_p50(struct vm *vm, int reason)
{
	size_t size = VMXLAB_NR_EXIT_REASONS * VMXLAB_LAT_NR_KINDS *
		      sizeof(struct vmxlab_exit_lat);
	struct vmxlab_exit_stats st;
	struct vmxlab_exit_lat *lat = malloc(size);
	long long v = -1;

	if (lat && reason >= 0 &&
	    vmxlab_get_exit_stats(vm->vcpufd, &st, lat, size) == 0) {
		const struct vmxlab_exit_lat *l =
			&lat[reason * VMXLAB_LAT_NR_KINDS + VMXLAB_LAT_ROUND_TRIP];

		tsc_khz = st.tsc_khz;
		if (l->count)
			v = (long long)vmxlab_lat_percentile(l, 0.5);
	}
	free(lat);
	return v;
}

/*
 * One benchmark: its guest in a new VM, N iterations. Without @stats the
 * samples go to r (unsorted); with @stats, only the module's median. floor:
 * also measure the RUN ioctl's floor into floor_r first. 0, or -1 after a
 * message.
 */
static int run_one(const struct bench *bn, unsigned int n, bool stats,
		   struct result *r, struct result *floor_r)
{
	struct run_opts o = { .mem = BENCH_MEM, .bench = true, .timeout = 0 };
	struct vm vm = { .opts = &o, .devfd = -1, .vmfd = -1, .vcpufd = -1 };
	struct boot b = { .mode = MODE_PROTECTED, .entry = BENCH_LOAD };
	size_t len = bn->end - bn->start;
	int status;

	if (alloc_guest_mem(&vm.mem, BENCH_MEM))
		return -1;
	memcpy(vm.mem.host + BENCH_LOAD, bn->start, len);
	b.nimage = 1;
	b.image[0] = (struct range){ .start = BENCH_LOAD, .end = BENCH_LOAD + len };
	snprintf(b.image[0].what, sizeof(b.image[0].what), "bench %s", bn->name);
	if (boot_setup(&o, &vm.mem, &b))
		goto fail;
	b.regs.rbp = n;
	if (vm_create(&vm) || vm_set_state(&vm, &b))
		goto fail;
	devices_init(&vm);
	if (setup_signals(&vm) || (stats && stats_start(&vm)))
		goto fail;
	if (floor_r) {
		floor_r->samples = calloc(n, sizeof(uint32_t));
		if (!floor_r->samples)
			goto fail;
		bench_floor(vm.vcpufd, VMXLAB_RUN, &vm.run->immediate_exit,
			    floor_r->samples, n);
		floor_r->n = n;
	}
	status = run_loop(&vm);
	if (status != 33) {
		run_error("bench %s: the guest ended with status %d, not 33 (PASS)",
			  bn->name, status);
		goto fail;
	}
	r->name = bn->name;
	if (stats) {
		r->module_p50 = module_p50(&vm, bn->reason);
		vm_close(&vm);
		return 0;
	}
	r->n = n;
	r->samples = malloc(n * sizeof(uint32_t));
	if (!r->samples)
		goto fail;
	memcpy(r->samples, vm.mem.host + BENCH_SAMPLES, n * sizeof(uint32_t));
	vm_close(&vm);
	return 0;
fail:
	vm_close(&vm);
	return -1;
}

/*
 * The same on KVM: no module statistics (its column is "-"), the floor is
 * KVM_RUN's.
 */
static int run_one_kvm(const struct bench *bn, unsigned int n,
		       struct result *r, struct result *floor_r)
{
	r->name = bn->name;
	r->n = n;
	r->module_p50 = -1;
	r->samples = calloc(n, sizeof(uint32_t));
	if (floor_r) {
		floor_r->samples = calloc(n, sizeof(uint32_t));
		floor_r->n = n;
	}
	if (!r->samples || (floor_r && !floor_r->samples)) {
		run_error("bench: out of memory");
		return -1;
	}
	return kvm_bench_one(bn->start, bn->end - bn->start, n, r->samples,
			     floor_r ? floor_r->samples : NULL);
}

/* Sort, subtract @base (down to 0), and the mean. */
static void finish(struct result *r, uint32_t base)
{
	double sum = 0;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		r->samples[i] = r->samples[i] > base ? r->samples[i] - base : 0;
		sum += r->samples[i];
	}
	qsort(r->samples, r->n, sizeof(uint32_t), cmp_u32);
	r->mean = r->n ? sum / r->n : 0;
}

static double ns(double ticks)
{
	return tsc_khz ? ticks * 1e6 / tsc_khz : 0;
}

/* The first line of @path, or "?", into buf. */
static const char *first_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(buf, n, f))
		snprintf(buf, n, "?");
	else
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
	return buf;
}

/* The CPU's model name from /proc/cpuinfo, or "?". */
static const char *cpu_model(char *buf, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *p;

	snprintf(buf, n, "?");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10))
			continue;
		p = strchr(line, ':');
		if (p) {
			snprintf(buf, n, "%s", p + 2);
			buf[strcspn(buf, "\n")] = 0;
		}
		break;
	}
	if (f)
		fclose(f);
	return buf;
}

/* "cpu MHz" of /proc/cpuinfo in kHz (the TSC's rate on CPUs that have a constant TSC), or 0. */
static unsigned int cpu_khz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	double mhz = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			break;
	if (f)
		fclose(f);
	return (unsigned int)(mhz * 1000);
}

/* What a comparison depends on (Documentation/exit-latency.rst). */
static void print_env(void)
{
	char a[256], b[256], c[256];
	struct utsname u;

	uname(&u);
	printf("kernel %s, CPU %s, TSC %u kHz\n", u.release, cpu_model(a, sizeof(a)), tsc_khz);
	printf("vmxlab %s, vmentry_l1d_flush=%s; l1tf: %s\n",
	       first_line("/sys/module/vmxlab/version", b, sizeof(b)),
	       first_line("/sys/module/vmxlab/parameters/vmentry_l1d_flush", c, sizeof(c)),
	       first_line("/sys/devices/system/cpu/vulnerabilities/l1tf", a, sizeof(a)));
	if (!access("/sys/module/kvm_intel", F_OK))
		printf("kvm_intel vmentry_l1d_flush=%s\n",
		       first_line("/sys/module/kvm_intel/parameters/vmentry_l1d_flush",
				  b, sizeof(b)));
}

static void print_table(const struct backend_run *br)
{
	const struct result *res = br->res;
	unsigned int i, nres = br->nres;

	printf("backend %s: ticks per round trip timed by the guest (baseline %u subtracted)%s\n",
	       backend_names[br->backend], br->baseline,
	       br->backend == BACKEND_VMXLAB ? ", statistics off;" : "");
	if (br->backend == BACKEND_VMXLAB)
		printf("module: the module's own median round trip for that exit, statistics on\n");
	printf("%-12s %7s %9s %8s %8s %9s %10s %8s\n", "benchmark", "n", "mean",
	       "p50", "p99", "max", "p50 ns", "module");
	for (i = 0; i < nres; i++) {
		const struct result *r = &res[i];
		char mod[24] = "-";

		if (r->module_p50 >= 0)
			snprintf(mod, sizeof(mod), "%lld", r->module_p50);
		printf("%-12s %7u %9.1f %8u %8u %9u %10.1f %8s\n", r->name, r->n,
		       r->mean, quantile(r->samples, r->n, 0.5),
		       quantile(r->samples, r->n, 0.99), r->samples[r->n - 1],
		       ns(quantile(r->samples, r->n, 0.5)), mod);
	}
	fflush(stdout);
}

/* One backend's results as a JSON object's members. */
static void json_run(FILE *f, const struct backend_run *br, const char *indent)
{
	const struct result *res = br->res;
	unsigned int i, nres = br->nres;

	fprintf(f, "%s\"backend\": \"%s\",\n%s\"baseline\": %u,\n",
		indent, backend_names[br->backend], indent, br->baseline);
	fprintf(f, "%s\"benchmarks\": [", indent);
	for (i = 0; i < nres; i++) {
		const struct result *r = &res[i];

		fprintf(f, "%s\n    {\"name\": \"%s\", \"n\": %u, \"mean\": %.1f, ",
			i ? "," : "", r->name, r->n, r->mean);
		fprintf(f, "\"p50\": %u, \"p99\": %u, \"min\": %u, \"max\": %u, ",
			quantile(r->samples, r->n, 0.5), quantile(r->samples, r->n, 0.99),
			r->samples[0], r->samples[r->n - 1]);
		fprintf(f, "\"module_p50\": %lld}", r->module_p50);
	}
	fprintf(f, "\n%s]", indent);
}

/*
 * One backend: its members at the top level. --compare: "runs", one
 * object per backend.
 */
static int write_json(const char *path, const struct backend_run *runs,
		      unsigned int nruns)
{
	FILE *f = fopen(path, "w");
	unsigned int i;

	if (!f)
		return run_file_error(path, "cannot write: %s", strerror(errno));
	fprintf(f, "{\n  \"unit\": \"tsc\",\n  \"tsc_khz\": %u,\n", tsc_khz);
	if (nruns == 1) {
		json_run(f, &runs[0], "  ");
	} else {
		fprintf(f, "  \"runs\": [");
		for (i = 0; i < nruns; i++) {
			fprintf(f, "%s\n    {\n", i ? "," : "");
			json_run(f, &runs[i], "      ");
			fprintf(f, "\n    }");
		}
		fprintf(f, "\n  ]");
	}
	fprintf(f, "\n}\n");
	if (fclose(f))
		return run_file_error(path, "cannot write: %s", strerror(errno));
	return 0;
}

/* Every sample: backend,benchmark,index,ticks (sorted, baseline subtracted). */
static int write_csv(const char *path, const struct backend_run *runs,
		     unsigned int nruns)
{
	FILE *f = fopen(path, "w");
	unsigned int i, j, k;

	if (!f)
		return run_file_error(path, "cannot write: %s", strerror(errno));
	fprintf(f, "backend,benchmark,index,ticks\n");
	for (k = 0; k < nruns; k++) {
		const struct result *res = runs[k].res;

		for (i = 0; i < runs[k].nres; i++)
			for (j = 0; j < res[i].n; j++)
				fprintf(f, "%s,%s,%u,%u\n",
					backend_names[runs[k].backend],
					res[i].name, j, res[i].samples[j]);
	}
	if (fclose(f))
		return run_file_error(path, "cannot write: %s", strerror(errno));
	return 0;
}

static int usage(FILE *f, int status)
{
	unsigned int i;

	fprintf(f, "%s: vmxlab bench [--iterations N] [--backend vmxlab|kvm] [--compare]\n"
		"                    [--json FILE] [--csv FILE] [NAME...]\n"
		"Times each exit from the guest (RDTSC around the instruction, a NOP\n"
		"baseline subtracted) and from the module's statistics, and the RUN\n"
		"ioctl's own floor; N iterations each (default 1000, at most %llu).\n"
		"  --backend B   run the guests on vmxlab (default) or on KVM (/dev/kvm)\n"
		"  --compare     run them on both, one after the other, and add the ratio\n"
		"  --json FILE   the table as JSON\n"
		"  --csv FILE    every sample\n"
		"Benchmarks (default all):\n", "usage", (unsigned long long)BENCH_MAX);
	for (i = 0; i < ARRAY_SIZE(benches); i++)
		fprintf(f, "  %-12s %s\n", benches[i].name, benches[i].what);
	fprintf(f, "  %-12s %s\n", "run-ioctl", "the RUN ioctl alone (immediate_exit)");
	return status;
}

static int parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option opts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'b' },
		{ "compare", no_argument, NULL, 'C' },
		{ "json", required_argument, NULL, 'j' },
		{ "csv", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	o->iterations = 1000;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			o->iterations = strtoul(optarg, &end, 0);
			if (errno || *end || !o->iterations || o->iterations > BENCH_MAX) {
				fprintf(stderr, "vmxlab bench: --iterations: '%s': %s %llu\n",
					optarg, "need 1 to", (unsigned long long)BENCH_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			if (!strcmp(optarg, "vmxlab")) {
				o->backend = BACKEND_VMXLAB;
			} else if (!strcmp(optarg, "kvm")) {
				o->backend = BACKEND_KVM;
			} else {
				fprintf(stderr, "vmxlab bench: --backend: '%s': vmxlab or kvm\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C':
			o->compare = true;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'c':
			o->csv = optarg;
			break;
		case 'h':
			exit(usage(stdout, EXIT_OK));
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	return EXIT_OK;
}

static bool wanted(const char *name, int argc, char **argv)
{
	int i;

	if (optind >= argc)
		return true;
	for (i = optind; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return false;
}

/* Every wanted benchmark on one backend into @br. 0, or -1 after a message. */
static int run_backend(struct backend_run *br, unsigned int n, int argc,
		       char **argv)
{
	const struct bench nop = { "nop", "baseline", bench_nop_start, bench_nop_end, -1 };
	struct result base, floor_r = { .name = "run-ioctl" };
	bool kvm = br->backend == BACKEND_KVM;
	unsigned int i;

	memset(&base, 0, sizeof(base));
	if (kvm ? run_one_kvm(&nop, n, &base, &floor_r) :
		  run_one(&nop, n, false, &base, &floor_r))
		return -1;
	qsort(base.samples, base.n, sizeof(uint32_t), cmp_u32);
	br->baseline = quantile(base.samples, base.n, 0.5);
	free(base.samples);
	br->nres = 0;
	for (i = 0; i < ARRAY_SIZE(benches); i++) {
		struct result *r = &br->res[br->nres];

		if (!wanted(benches[i].name, argc, argv))
			continue;
		memset(r, 0, sizeof(*r));
		if (kvm ? run_one_kvm(&benches[i], n, r, NULL) :
			  run_one(&benches[i], n, false, r, NULL) ||
			  run_one(&benches[i], n, true, r, NULL))
			return -1;
		finish(r, br->baseline);
		br->nres++;
	}
	if (wanted("run-ioctl", argc, argv)) {
		/* Timed from userspace: no guest baseline to subtract. */
		finish(&floor_r, 0);
		floor_r.module_p50 = -1;
		br->res[br->nres++] = floor_r;
	} else {
		free(floor_r.samples);
	}
	return 0;
}

/* --compare: the medians side by side, and vmxlab's as a share of KVM's. */
static void print_compare(const struct backend_run *v, const struct backend_run *k)
{
	unsigned int i;

	printf("vmxlab against KVM, median ticks per round trip (same guests, same boot):\n");
	printf("%-12s %9s %9s %8s\n", "benchmark", "vmxlab", "kvm", "ratio");
	for (i = 0; i < v->nres && i < k->nres; i++) {
		uint32_t a = quantile(v->res[i].samples, v->res[i].n, 0.5);
		uint32_t b = quantile(k->res[i].samples, k->res[i].n, 0.5);
		char ratio[16] = "-";

		if (b)
			snprintf(ratio, sizeof(ratio), "%.2f", (double)a / b);
		printf("%-12s %9u %9u %8s\n", v->res[i].name, a, b, ratio);
	}
	fflush(stdout);
}

/* vmxlab bench [OPTIONS] [NAME...] */
int cmd_bench(int argc, char **argv)
{
	static struct backend_run runs[NR_BACKENDS];
	struct bench_opts o = { 0 };
	unsigned int i, nruns;
	int r, j;

	r = parse(argc, argv, &o);
	if (r != EXIT_OK)
		return r;
	for (j = optind; j < argc; j++) {
		for (i = 0; i < ARRAY_SIZE(benches); i++)
			if (!strcmp(argv[j], benches[i].name))
				break;
		if (i == ARRAY_SIZE(benches) && strcmp(argv[j], "run-ioctl")) {
			fprintf(stderr, "vmxlab bench: no benchmark '%s'\n", argv[j]);
			return usage(stderr, EXIT_USAGE);
		}
	}
	nruns = o.compare ? NR_BACKENDS : 1;
	runs[0].backend = o.compare ? BACKEND_VMXLAB : o.backend;
	runs[1].backend = BACKEND_KVM;
	for (i = 0; i < nruns; i++)
		if (run_backend(&runs[i], o.iterations, argc, argv))
			return EXIT_ERROR;
	/* The TSC rate: the module's statistics said it, else the CPU's clock. */
	if (!tsc_khz)
		tsc_khz = cpu_khz();
	print_env();
	for (i = 0; i < nruns; i++)
		print_table(&runs[i]);
	if (o.compare)
		print_compare(&runs[0], &runs[1]);
	r = EXIT_OK;
	if (o.json && write_json(o.json, runs, nruns))
		r = EXIT_ERROR;
	if (o.csv && write_csv(o.csv, runs, nruns))
		r = EXIT_ERROR;
	return r;
}
