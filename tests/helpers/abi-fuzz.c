// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab-abi-fuzz: a seeded, replayable fuzzer of the /dev/vmxlab ioctl ABI.
 *
 *   vmxlab-abi-fuzz [--seed N] [--iterations N] [--seconds S] [--trace 1]
 *
 * It keeps a small world: up to MAX_VMS VM fds, MAX_VM_VCPUS vCPUs per VM
 * with their run pages, and MAX_BUFS memory buffers of every kind a slot
 * may or may not be made of (shared anonymous, memfd, private, read-only,
 * an unmapped hole, a shared and a private mapping of a ramfs file), each
 * between PROT_NONE guards. Each step does one random thing to it (ops[]):
 * create or close VMs and vCPUs, add or delete memory slots with good and
 * bad arguments, set registers and special registers (mostly plausible
 * real, protected, PAE and long mode states, with mutations that break the
 * guest-state rules of SDM Vol. 3C 26.3.1), run a small guest (code
 * snippets[] or random bytes) under a timer, read the statistics, scribble
 * over the run page, map and unmap it, issue unknown ioctls, fork a child
 * that must get EPERM, or run one vCPU from two threads at once.
 *
 * Checks: every ioctl succeeds or fails with an errno that
 * Documentation/abi.rst documents for it (iocs[]); arguments that break a
 * documented rule must not succeed; unknown commands fail with ENOTTY, the
 * ioctls of another process with EPERM; a RUN that returns 0 leaves a known
 * exit with sane fields in the run page; reserved output fields are zero;
 * at the end, with everything closed, debugfs "vms" reads 0.
 *
 * Step K takes its random numbers from a generator seeded with the seed and
 * K alone, so "--seed N" replays a run step for step, as far as timing
 * (a signal landing before or after an exit) lets the world evolve alike.
 * Prints "abi-fuzz: seed N" first, then only failures ("abi-fuzz: FAIL step
 * K: ..."), a line every 1000 steps and a summary; with "--trace 1" also
 * each step's number and operation before it runs, to find the step a hung
 * run was in (a slow serial console makes that run slower). Exit status: 0 if
 * nothing failed and no VM was left, 1 otherwise, 2 for a usage error, 3
 * when the watchdog found a step running for more than STEP_LIMIT_S s.
 * Runs as root (ramfs mount) with debugfs at /sys/kernel/debug.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vmxlab.h>

#include "helpers.h"

#define MAX_VMS		3
#define MAX_VM_VCPUS	4
#define MAX_BUFS	4
#define PAGE		0x1000ULL
#define AREA_SIZE	(8ULL << 20)	/* a buffer's area: guard, buffer, guard */
#define BUF_START	(2ULL << 20)	/* the buffer's offset in its area */
#define BUF_MAX		(4ULL << 20)
#define PIN_BUDGET	(48ULL << 20)	/* slot bytes the world may pin */
#define GPA_LIMIT	(1ULL << 48)
#define LOW_4G		(1ULL << 32)
#define STEP_LIMIT_S	30		/* the watchdog's limit for one step */
#define VMS_WAIT_S	10
#define MAX_FAIL_LINES	100		/* the serial console is slow */
#define PROGRESS_EVERY	1000

/* Architectural bits (SDM Vol. 3A 2.5, 3.4.3). */
#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_NW		(1ULL << 29)
#define CR0_CD		(1ULL << 30)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define CR4_VMXE	(1ULL << 13)
#define CR4_SMXE	(1ULL << 14)
#define CR4_PKE		(1ULL << 22)
#define CR4_CET		(1ULL << 23)
#define EFER_SCE	(1ULL << 0)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)
#define RFLAGS_IF	(1ULL << 9)
#define RFLAGS_DEFINED	0x3f7fd7ULL	/* with bit 1; the rest reserved */

/* SET_SREGS refuses these (abi.rst): CR4 bits no guest may set, EFER bits. */
#define CR4_NEVER	(CR4_VMXE | CR4_SMXE | CR4_PKE | CR4_CET | CR4_LA57)
#define EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* ------------------------------------------------------------------ */
/* Random numbers                                                      */
/* ------------------------------------------------------------------ */

static unsigned long long seed;
static unsigned long long rng;

static unsigned long long splitmix64(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Step K's generator depends on the seed and K only. */
static void rng_for_step(unsigned long k)
{
	rng = splitmix64(seed ^ splitmix64(k));
	if (!rng)
		rng = 1;
}

/* xorshift64* (Vigna, "An experimental exploration of Marsaglia's ...") */
static unsigned long long rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned long long below(unsigned long long n)
{
	return n ? rnd() % n : 0;
}

static int one_in(unsigned int n)
{
	return below(n) == 0;
}

/* pick: an index into weights W[0..N-1], each as likely as its weight. */
static int pick(const unsigned char *w, int n)
{
	unsigned int sum = 0, x;
	int i;

	for (i = 0; i < n; i++)
		sum += w[i];
	x = below(sum);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* A value from the edges: 0, 1, sign bits, canonical limits, all ones. */
static unsigned long long edgy64(void)
{
	static const unsigned long long v[] = {
		0, 1, 2, 0xf, 0x7f, 0x80, 0xff, 0xfff, 0x1000, 0xffff,
		0x10000, 0xfffff, 0x100000, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ULL, 0x7fffffffffffULL,
		0x800000000000ULL, 0xffff800000000000ULL,
		0x8000000000000000ULL, ~0xfffULL, ~0ULL,
	};

	switch (below(4)) {
	case 0:
		return below(0x10000);
	case 1:
		return rnd();
	default:
		return v[below(ARRAY_SIZE(v))];
	}
}

/* ------------------------------------------------------------------ */
/* ioctls, their documented errors, and failures                       */
/* ------------------------------------------------------------------ */

enum ioc {
	IOC_API_VERSION,
	IOC_GET_CAPS,
	IOC_CREATE_VM,
	IOC_GET_RUN_SIZE,
	IOC_SET_MEMORY_REGION,
	IOC_CREATE_VCPU,
	IOC_GET_REGS,
	IOC_SET_REGS,
	IOC_GET_SREGS,
	IOC_SET_SREGS,
	IOC_RUN,
	IOC_GET_VCPU_STATS,
	IOC_SET_EXIT_STATS,
	IOC_GET_EXIT_STATS,
	IOC_SET_TRACE,
	IOC_INJECT,
	IOC_UNKNOWN,
	NR_IOC
};

/*
 * The errors Documentation/abi.rst gives each ioctl, zero-terminated.
 * Every VM and vCPU ioctl also fails with EPERM from another process; the
 * register ioctls with EIO once a vCPU is stopped ("also for the three
 * ioctls below"; RUN and GET_VCPU_STATS included, as the text is unclear);
 * ioctls that take a pointer with EFAULT. Unknown commands: ENOTTY only.
 */
struct ioc_info {
	const char *name;
	int errs[8];
};

static const struct ioc_info iocs[NR_IOC] = {
	[IOC_API_VERSION] = { "GET_API_VERSION", { EINVAL } },
	[IOC_GET_CAPS] = { "GET_CAPS", { EFAULT } },
	[IOC_CREATE_VM] = { "CREATE_VM",
		{ EINVAL, EBUSY, EIO, ESHUTDOWN, ENOMEM, EMFILE } },
	[IOC_GET_RUN_SIZE] = { "GET_RUN_SIZE", { EINVAL } },
	[IOC_SET_MEMORY_REGION] = { "SET_MEMORY_REGION",
		{ EINVAL, E2BIG, EEXIST, EBUSY, EFAULT, ENOMEM, EPERM } },
	[IOC_CREATE_VCPU] = { "CREATE_VCPU",
		{ EINVAL, EEXIST, ENOMEM, EIO, EPERM } },
	[IOC_GET_REGS] = { "GET_REGS", { EFAULT, EIO, EPERM } },
	[IOC_SET_REGS] = { "SET_REGS", { EFAULT, EINVAL, EIO, EPERM } },
	[IOC_GET_SREGS] = { "GET_SREGS", { EFAULT, EIO, EPERM } },
	[IOC_SET_SREGS] = { "SET_SREGS", { EFAULT, EINVAL, EIO, EPERM } },
	[IOC_RUN] = { "RUN",
		{ EINTR, ENOEXEC, EBUSY, EINVAL, EIO, EPERM, ESHUTDOWN } },
	[IOC_GET_VCPU_STATS] = { "GET_VCPU_STATS", { EFAULT, EIO, EPERM } },
	[IOC_SET_EXIT_STATS] = { "SET_EXIT_STATS", { EINVAL, ENOMEM, EPERM } },
	[IOC_GET_EXIT_STATS] = { "GET_EXIT_STATS", { EFAULT, EINVAL, E2BIG, ENOMEM, EPERM } },
	[IOC_SET_TRACE] = { "SET_TRACE", { EFAULT, EINVAL, EBUSY, ENOMEM, EPERM } },
	[IOC_INJECT] = { "INJECT", { EFAULT, EINVAL, EBUSY, EOPNOTSUPP, EPERM } },
	[IOC_UNKNOWN] = { "unknown", { ENOTTY } },
};

static const int only_enotty[] = { ENOTTY, 0 };
static const int only_eperm[] = { EPERM, 0 };
static const int eperm_or_enotty[] = { EPERM, ENOTTY, 0 };

static unsigned long step;
static unsigned long failures, first_failure;
static unsigned long nr_ioctls[NR_IOC];
static unsigned long guest_states;
static char what[400];	/* the ioctl being checked, for failure lines */

static void say_what(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
}

static void fail_at(const char *fmt, ...)
{
	va_list ap;

	failures++;
	if (!first_failure)
		first_failure = step;
	if (failures > MAX_FAIL_LINES) {
		if (failures == MAX_FAIL_LINES + 1)
			printf("abi-fuzz: more failures, not printed\n");
		return;
	}
	printf("abi-fuzz: FAIL step %lu: ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (seed %llu)\n", seed);
}

static const char *res_name(long r, char *buf, size_t n)
{
	const char *name = r < 0 ? strerrorname_np(-r) : NULL;

	if (name)
		snprintf(buf, n, "%s", name);
	else if (r < 0)
		snprintf(buf, n, "errno %ld", -r);
	else
		snprintf(buf, n, "%ld (success)", r);
	return buf;
}

/* cioctl: xioctl(), counted in nr_ioctls[K]. */
static long cioctl(enum ioc k, int fd, unsigned long cmd, unsigned long arg)
{
	nr_ioctls[k]++;
	return xioctl(fd, cmd, arg);
}

/*
 * check: R, the result of ioctl K described by what[], must be a success
 * (unless MUST_FAIL: its arguments break a documented rule) or one of the
 * errors ERRS (NULL: iocs[K].errs). Returns 1 if so.
 */
static int check(enum ioc k, long r, int must_fail, const int *errs)
{
	char got[48], want[160];
	size_t len = 0;
	int i;

	if (!errs)
		errs = iocs[k].errs;
	if (r >= 0 && !must_fail)
		return 1;
	for (i = 0; r < 0 && errs[i]; i++)
		if (-r == errs[i])
			return 1;
	want[0] = 0;
	if (!must_fail)
		len = snprintf(want, sizeof(want), "success or ");
	for (i = 0; errs[i] && len < sizeof(want); i++)
		len += snprintf(want + len, sizeof(want) - len, "%s%s",
				i ? "|" : "", strerrorname_np(errs[i]));
	fail_at("%s returned %s, want %s", what,
		res_name(r, got, sizeof(got)), want);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The world                                                           */
/* ------------------------------------------------------------------ */

enum buf_kind {
	BUF_NONE,		/* nothing but the PROT_NONE reservation */
	BUF_SHARED_ANON,	/* MAP_SHARED | MAP_ANONYMOUS: shmem */
	BUF_MEMFD,		/* a memfd, MAP_SHARED */
	BUF_PRIVATE,		/* MAP_PRIVATE | MAP_ANONYMOUS */
	BUF_READONLY,		/* PROT_READ only: cannot be pinned writable */
	BUF_HOLE,		/* unmapped */
	BUF_RAMFS_SHARED,	/* MAP_SHARED of a ramfs file: refused */
	BUF_RAMFS_PRIVATE,	/* MAP_PRIVATE of the same: accepted */
	NR_BUF_KINDS
};

static const char * const buf_kind_names[NR_BUF_KINDS] = {
	"none", "shared-anon", "memfd", "private", "read-only", "hole",
	"ramfs-shared", "ramfs-private",
};

struct buf {
	enum buf_kind kind;
	unsigned char *base;	/* fixed: its area + BUF_START */
	unsigned long long size;
	unsigned int gen;	/* bumped whenever it is made again */
};

struct slot {
	int used;
	int buf;		/* bufs[] index of its memory, -1 if none */
	unsigned int gen;	/* bufs[buf].gen when it was added */
	__u32 flags;
	__u64 gpa, size, uaddr;
};

struct vcpu {
	int fd;			/* -1: closed */
	unsigned long id;
	struct vmxlab_run *run;	/* the mapped run page, or NULL */
	int regs_ok, sregs_ok;	/* SET_REGS, SET_SREGS succeeded once */
	int fresh;		/* a state set that no RUN has tried yet */
	int stopped;		/* RUN reported VMXLAB_EXIT_VMFAIL */
	__u64 exit_count, entries, uexits;
	__u32 trace_nr;		/* the size of its trace ring; 0: none */
};

struct vm {
	int fd;			/* -1: closed */
	int idx;
	struct slot slots[VMXLAB_MAX_MEM_SLOTS];
	struct vcpu vcpus[MAX_VM_VCPUS];
};

static struct vm vms[MAX_VMS];
static struct buf bufs[MAX_BUFS];
static unsigned char *arena;	/* MAX_BUFS areas of AREA_SIZE */
static unsigned char *scratch;	/* one page for ioctls that write */
static int dev = -1;
static long run_size;
static char ramfs_dir[64];
static int have_ramfs;

static int vcpu_live(const struct vcpu *vc)
{
	return vc->fd >= 0 || vc->run;
}

static void vcpu_reset(struct vcpu *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->fd = -1;
}

/* A VM is gone once its fd, its vCPU fds and their run pages all are. */
static void vm_update(struct vm *vm)
{
	int i;

	for (i = 0; i < MAX_VM_VCPUS; i++)
		if (!vcpu_live(&vm->vcpus[i]))
			vcpu_reset(&vm->vcpus[i]);
	if (vm->fd >= 0)
		return;
	for (i = 0; i < MAX_VM_VCPUS; i++)
		if (vcpu_live(&vm->vcpus[i]))
			return;
	memset(vm->slots, 0, sizeof(vm->slots));
}

static int vm_live(const struct vm *vm)
{
	int i;

	if (vm->fd >= 0)
		return 1;
	for (i = 0; i < MAX_VM_VCPUS; i++)
		if (vcpu_live(&vm->vcpus[i]))
			return 1;
	return 0;
}

/* pick_vm: a random VM whose fd is open, or NULL. */
static struct vm *pick_vm(void)
{
	int i, start = below(MAX_VMS);

	for (i = 0; i < MAX_VMS; i++)
		if (vms[(start + i) % MAX_VMS].fd >= 0)
			return &vms[(start + i) % MAX_VMS];
	return NULL;
}

/* pick_vcpu: a random vCPU with an open fd (or, NEED_RUN, a run page). */
static struct vcpu *pick_vcpu(struct vm **vmp, int need_run)
{
	int i, n = MAX_VMS * MAX_VM_VCPUS, start = below(n);

	for (i = 0; i < n; i++) {
		int k = (start + i) % n;
		struct vm *vm = &vms[k / MAX_VM_VCPUS];
		struct vcpu *vc = &vm->vcpus[k % MAX_VM_VCPUS];

		if (need_run ? !vc->run : vc->fd < 0)
			continue;
		*vmp = vm;
		return vc;
	}
	return NULL;
}

static int buf_writable(enum buf_kind kind)
{
	return kind == BUF_SHARED_ANON || kind == BUF_MEMFD ||
	       kind == BUF_PRIVATE || kind == BUF_RAMFS_PRIVATE;
}

static int ramfs_file(int i)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/buf%d", ramfs_dir, i);
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

/* buf_make: buffer I becomes a new SIZE-byte buffer of KIND. */
static void buf_make(int i, enum buf_kind kind, unsigned long long size)
{
	const int reserve = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	struct buf *b = &bufs[i];
	int prot = PROT_READ | PROT_WRITE, flags = MAP_FIXED, fd = -1;
	void *p;

	if (b->kind == BUF_HOLE) {
		/* Something else may have moved into the hole: keep it. */
		p = mmap(b->base, b->size, PROT_NONE,
			 reserve | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != b->base) {
			if (p != MAP_FAILED)
				munmap(p, b->size);
			return;
		}
	} else if (b->kind != BUF_NONE) {
		p = mmap(b->base, BUF_MAX, PROT_NONE, reserve | MAP_FIXED,
			 -1, 0);
		if (p == MAP_FAILED) {
			fail_at("mmap PROT_NONE over buffer %d: %s", i,
				strerror(errno));
			return;
		}
	}
	b->kind = BUF_NONE;
	b->size = 0;
	b->gen++;
	if ((kind == BUF_RAMFS_SHARED || kind == BUF_RAMFS_PRIVATE) &&
	    !have_ramfs)
		kind = BUF_PRIVATE;
	switch (kind) {
	case BUF_SHARED_ANON:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case BUF_MEMFD:
		fd = memfd_create("abi-fuzz", MFD_CLOEXEC);
		flags |= MAP_SHARED;
		break;
	case BUF_READONLY:
		prot = PROT_READ;
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case BUF_HOLE:
		munmap(b->base, size);
		b->kind = BUF_HOLE;
		b->size = size;
		return;
	case BUF_RAMFS_SHARED:
	case BUF_RAMFS_PRIVATE:
		fd = ramfs_file(i);
		flags |= kind == BUF_RAMFS_SHARED ? MAP_SHARED : MAP_PRIVATE;
		break;
	default:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		kind = BUF_PRIVATE;
		break;
	}
	if (!(flags & MAP_ANONYMOUS) &&
	    (fd < 0 || ftruncate(fd, 0) < 0 || ftruncate(fd, size) < 0)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	p = mmap(b->base, size, prot, flags, fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return;
	b->kind = kind;
	b->size = size;
}

static void buf_random(int i)
{
	static const unsigned char kind_w[NR_BUF_KINDS] = {
		0, 3, 3, 4, 2, 2, 2, 2,
	};
	static const unsigned long long sizes[] = {
		PAGE, 4 * PAGE, 16 * PAGE, 1ULL << 20, 2ULL << 20, BUF_MAX,
	};
	static const unsigned char size_w[] = { 3, 3, 4, 2, 2, 1 };

	buf_make(i, pick(kind_w, NR_BUF_KINDS),
		 sizes[pick(size_w, ARRAY_SIZE(size_w))]);
}

static void ramfs_setup(void)
{
	snprintf(ramfs_dir, sizeof(ramfs_dir), "/tmp/abi-fuzz.XXXXXX");
	if (!mkdtemp(ramfs_dir)) {
		ramfs_dir[0] = 0;
	} else if (mount("ramfs", ramfs_dir, "ramfs", 0, NULL) < 0) {
		printf("abi-fuzz: no ramfs (%s): ramfs buffers are private\n",
		       strerror(errno));
		rmdir(ramfs_dir);
		ramfs_dir[0] = 0;
	} else {
		have_ramfs = 1;
	}
}

static void ramfs_teardown(void)
{
	char path[96];
	int i;

	if (!have_ramfs)
		return;
	for (i = 0; i < MAX_BUFS; i++) {
		snprintf(path, sizeof(path), "%s/buf%d", ramfs_dir, i);
		unlink(path);
	}
	if (umount2(ramfs_dir, 0) < 0)
		umount2(ramfs_dir, MNT_DETACH);
	rmdir(ramfs_dir);
}

static int world_init(void)
{
	size_t len = MAX_BUFS * AREA_SIZE + AREA_SIZE;
	unsigned char *p;
	int i;

	p = mmap(NULL, len, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	scratch = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || scratch == MAP_FAILED)
		return -1;
	/* 2 MiB aligned areas: buffers can get 2 MiB EPT pages. */
	arena = (unsigned char *)(((unsigned long)p + BUF_START - 1) &
				  ~(BUF_START - 1));
	for (i = 0; i < MAX_VMS * MAX_VM_VCPUS; i++)
		vcpu_reset(&vms[i / MAX_VM_VCPUS].vcpus[i % MAX_VM_VCPUS]);
	for (i = 0; i < MAX_VMS; i++) {
		vms[i].fd = -1;
		vms[i].idx = i;
	}
	ramfs_setup();
	for (i = 0; i < MAX_BUFS; i++) {
		bufs[i].kind = BUF_NONE;
		bufs[i].base = arena + i * AREA_SIZE + BUF_START;
	}
	/* At least one good buffer to start with. */
	buf_make(0, BUF_PRIVATE, 2ULL << 20);
	buf_make(1, BUF_MEMFD, 16 * PAGE);
	for (i = 2; i < MAX_BUFS; i++)
		buf_random(i);
	return 0;
}

/* The host address of guest-physical GPA of slot S, if writable here. */
static unsigned char *slot_host(const struct slot *s, __u64 gpa)
{
	const struct buf *b;

	if (!s->used || s->buf < 0)
		return NULL;
	b = &bufs[s->buf];
	if (b->gen != s->gen || !buf_writable(b->kind))
		return NULL;
	return b->base + (s->uaddr - (unsigned long)b->base) + (gpa - s->gpa);
}

static int gpa_in_slots(const struct vm *vm, __u64 gpa)
{
	int i;

	for (i = 0; i < VMXLAB_MAX_MEM_SLOTS; i++) {
		const struct slot *s = &vm->slots[i];

		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->size)
			return 1;
	}
	return 0;
}

static unsigned long long pinned_bytes(void)
{
	unsigned long long sum = 0;
	int i, j;

	for (i = 0; i < MAX_VMS; i++)
		for (j = 0; j < VMXLAB_MAX_MEM_SLOTS; j++)
			if (vms[i].slots[j].used)
				sum += vms[i].slots[j].size;
	return sum;
}

/*
 * bad_ptr: an address the kernel cannot copy LEN bytes from (or, with
 * OUT, to): NULL, a low page, a kernel or non-canonical address, a guard
 * page, a buffer's end running into its guard, a read-only buffer (OUT).
 */
static unsigned long bad_ptr(size_t len, int out)
{
	const struct buf *b = &bufs[below(MAX_BUFS)];

	switch (below(out ? 7 : 6)) {
	case 0:
		return 0;
	case 1:
		return 8 + below(PAGE);
	case 2:
		return 0xffffffff81000000UL + below(PAGE);
	case 3:
		return 0x8000000000000000UL;
	case 4:
		return (unsigned long)arena + below(BUF_START - PAGE);
	case 5:
		return (unsigned long)b->base + b->size - len / 2;
	default:
		for (b = bufs; b < bufs + MAX_BUFS; b++)
			if (b->kind == BUF_READONLY)
				return (unsigned long)b->base;
		return (unsigned long)arena;
	}
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Signals and the watchdog                                            */
/* ------------------------------------------------------------------ */

static void on_signal(int sig)
{
	(void)sig;
}

/* SIGALRM after MS ms and then every 20 ms (one may land before RUN). */
static void arm_timer_ms(long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	if (ms)
		it.it_interval.tv_usec = 20000;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* How long a RUN may go before SIGALRM: mostly short, at most 2 s. */
static long pick_run_ms(void)
{
	static const long ms[] = { 2, 10, 30, 100, 300, 1000, 2000 };
	static const unsigned char w[] = { 4, 8, 6, 4, 2, 1, 1 };

	return ms[pick(w, ARRAY_SIZE(w))];
}

static unsigned long wd_step;
static const char *wd_op;
static long long wd_start;	/* 0: no step running */

static void wd_begin(unsigned long k, const char *op)
{
	__atomic_store_n(&wd_op, op, __ATOMIC_SEQ_CST);
	__atomic_store_n(&wd_step, k, __ATOMIC_SEQ_CST);
	__atomic_store_n(&wd_start, now_ns(), __ATOMIC_SEQ_CST);
}

/* A step that takes more than STEP_LIMIT_S s: say which, exit 3. */
static void *watchdog(void *arg)
{
	const long long limit = STEP_LIMIT_S * 1000000000LL;
	char last[sizeof(what)];
	long long start;

	(void)arg;
	for (;;) {
		sleep_ms(500);
		start = __atomic_load_n(&wd_start, __ATOMIC_SEQ_CST);
		if (!start || now_ns() - start <= limit)
			continue;
		/* what[] may be changing under us: a copy, ended. */
		memcpy(last, what, sizeof(last));
		last[sizeof(last) - 1] = 0;
		dprintf(STDOUT_FILENO,
			"abi-fuzz: WATCHDOG step %lu (%s) still running after %d s; last ioctl: %s; replay: --seed %llu --iterations %lu\n",
			__atomic_load_n(&wd_step, __ATOMIC_SEQ_CST),
			__atomic_load_n(&wd_op, __ATOMIC_SEQ_CST),
			STEP_LIMIT_S, last, seed,
			__atomic_load_n(&wd_step, __ATOMIC_SEQ_CST));
		if (have_ramfs && !umount2(ramfs_dir, MNT_DETACH))
			rmdir(ramfs_dir);
		_exit(3);
	}
	return NULL;
}

/* start_thread: a thread with SIGALRM (ALL: every signal) blocked. */
static int start_thread(pthread_t *th, void *(*fn)(void *), void *arg,
			int all)
{
	sigset_t set, old;
	int r;

	if (all) {
		sigfillset(&set);
	} else {
		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
	}
	pthread_sigmask(SIG_BLOCK, &set, &old);
	r = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* ------------------------------------------------------------------ */
/* Guest states and code                                               */
/* ------------------------------------------------------------------ */

enum mode { MODE_REAL, MODE_PROT, MODE_PAE, MODE_LONG, NR_MODES };

static const char * const mode_names[NR_MODES] = {
	"real", "protected", "PAE", "long",
};

/* userspace/boot.c's GDT: null, code32 (0x08), data (0x10), code64. */
static const __u64 gdt_image[] = {
	0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL, 0x00af9b000000ffffULL,
};

static void seg_real(struct vmxlab_segment *g, __u64 base, __u8 type)
{
	memset(g, 0, sizeof(*g));
	g->base = base;
	g->limit = 0xffff;
	g->selector = base >> 4;
	g->type = type;
	g->s = 1;
	g->present = 1;
}

/* A flat 4 GiB segment; L: 64-bit code (D then 0). */
static void seg_flat(struct vmxlab_segment *g, __u16 sel, __u8 type, int l)
{
	memset(g, 0, sizeof(*g));
	g->limit = 0xffffffff;
	g->selector = sel;
	g->type = type;
	g->s = 1;
	g->present = 1;
	g->l = l;
	g->db = !l;
	g->g = 1;
}

/* TR: a usable busy TSS. */
static void seg_tss(struct vmxlab_segment *g, __u32 limit)
{
	memset(g, 0, sizeof(*g));
	g->limit = limit;
	g->type = 0xb;
	g->present = 1;
}

/*
 * sregs_for_mode: the state of userspace/boot.c for MODE (real mode as in
 * run-abi-test.c's real_mode_sregs), CS based at CS_BASE in real mode,
 * page tables at TABLES, the GDT at GDT.
 */
static void sregs_for_mode(struct vmxlab_sregs *s, enum mode mode,
			   __u64 cs_base, __u64 tables, __u64 gdt)
{
	memset(s, 0, sizeof(*s));
	s->apic_base = one_in(4) ? 0 : 0xfee00100ULL;
	s->ldt.unusable = 1;
	if (mode == MODE_REAL) {
		seg_real(&s->cs, cs_base, 0xb);
		seg_real(&s->ds, cs_base, 0x3);
		seg_tss(&s->tr, 0xffff);
		s->gdt.limit = 0xffff;
		s->idt.limit = 0xffff;
		s->cr0 = CR0_ET;
		if (one_in(2)) {	/* run-abi-test's usable LDTR */
			seg_real(&s->ldt, 0, 0x2);
			s->ldt.selector = 0;
			s->ldt.s = 0;
		}
	} else {
		seg_flat(&s->cs, mode == MODE_LONG ? 0x18 : 0x08, 0xb,
			 mode == MODE_LONG);
		seg_flat(&s->ds, 0x10, 0x3, 0);
		seg_tss(&s->tr, 0x67);
		s->gdt.base = gdt;
		s->gdt.limit = sizeof(gdt_image) - 1;
		s->cr0 = CR0_PE | CR0_ET;
	}
	s->es = s->ds;
	s->fs = s->ds;
	s->gs = s->ds;
	s->ss = s->ds;
	if (mode == MODE_PAE) {
		s->cr0 |= CR0_PG;
		s->cr4 = CR4_PAE;
		s->cr3 = tables;
	} else if (mode == MODE_LONG) {
		s->cr0 = CR0_PG | CR0_NE | CR0_ET | CR0_MP | CR0_PE;
		s->cr3 = tables;
		s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		s->efer = EFER_LME | EFER_LMA;
	}
}

/* What SET_SREGS must refuse (abi.rst), whatever the rest says. */
static int sregs_refused(const struct vmxlab_sregs *s)
{
	const struct vmxlab_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (segs[i]->pad)
			return 1;
	for (i = 0; i < ARRAY_SIZE(s->gdt.pad); i++)
		if (s->gdt.pad[i] || s->idt.pad[i])
			return 1;
	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			return 1;
	return (s->cr0 >> 32) || s->cr8 > 15 || (s->efer & ~EFER_ALLOWED) ||
	       (s->cr4 & CR4_NEVER);
}

static void put64(unsigned char *p, __u64 v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * Page tables at guest-physical GPA (host H), 0x6000 bytes: long mode, a
 * PML4 and a PDPT; PAE, four PDPTEs; then four PDs identity-mapping the
 * low 4 GiB with 2 MiB pages.
 */
static void write_tables(unsigned char *h, __u64 gpa, enum mode mode)
{
	int i;

	memset(h, 0, 0x6000);
	if (mode == MODE_LONG) {
		put64(h, (gpa + 0x1000) | 3);
		for (i = 0; i < 4; i++)
			put64(h + 0x1000 + 8 * i, (gpa + 0x2000 + 0x1000 * i) | 3);
	} else {
		for (i = 0; i < 4; i++)	/* PDPTE bits 2:1 are reserved */
			put64(h + 8 * i, (gpa + 0x2000 + 0x1000 * i) | 1);
	}
	for (i = 0; i < 4 * 512; i++)
		put64(h + 0x2000 + 8 * i, ((__u64)i << 21) | 0x83);
}

enum snippet_kind {
	SN_PLAIN, SN_MMIO, SN_STRING, SN_PORT, SN_MSR, SN_CPUID, SN_VMCALL,
	SN_XSETBV, SN_CR0, SN_CR4, SN_DR, SN_RANDOM,
};

/*
 * Guest code that means the same in 16-, 32- and 64-bit mode (ModRM 07 is
 * [bx] in 16-bit code, [edi]/[rdi] otherwise); most loop back to exit to
 * userspace again on every RUN, "e6 f4" (out %al, $0xf4) marks progress.
 */
struct snippet {
	const char *name;
	enum snippet_kind kind;
	unsigned char weight;
	unsigned char len;
	unsigned char code[12];
};

static const struct snippet snippets[] = {
	{ "out-loop", SN_PLAIN, 10, 6, { 0xb0, 0x10, 0xe6, 0xf4, 0xeb, 0xfc } },
	{ "in-loop", SN_PLAIN, 6, 6, { 0xe4, 0x60, 0xe6, 0xf4, 0xeb, 0xfa } },
	{ "out-dx-loop", SN_PORT, 3, 5, { 0xef, 0xe6, 0xf4, 0xeb, 0xfb } },
	{ "in-dx-loop", SN_PORT, 3, 3, { 0xed, 0xeb, 0xfd } },
	{ "hlt-loop", SN_PLAIN, 5, 3, { 0xf4, 0xeb, 0xfd } },
	{ "sti-hlt", SN_PLAIN, 3, 4, { 0xfb, 0xf4, 0xeb, 0xfc } },
	{ "cli-jmp", SN_PLAIN, 4, 3, { 0xfa, 0xeb, 0xfe } },
	{ "pause-loop", SN_PLAIN, 2, 4, { 0xf3, 0x90, 0xeb, 0xfc } },
	{ "mmio-write", SN_MMIO, 6, 4, { 0x88, 0x07, 0xeb, 0xfc } },
	{ "mmio-write-wide", SN_MMIO, 2, 4, { 0x89, 0x07, 0xeb, 0xfc } },
	{ "mmio-write-q", SN_MMIO, 2, 5, { 0x48, 0x89, 0x07, 0xeb, 0xfb } },
	{ "mmio-write-imm", SN_MMIO, 2, 5, { 0xc6, 0x07, 0x5a, 0xeb, 0xfb } },
	{ "mmio-read", SN_MMIO, 6, 6, { 0x8a, 0x07, 0xe6, 0xf4, 0xeb, 0xfa } },
	{ "mmio-movzx", SN_MMIO, 2, 5, { 0x0f, 0xb6, 0x07, 0xeb, 0xfb } },
	{ "mmio-inc", SN_MMIO, 3, 4, { 0xfe, 0x07, 0xeb, 0xfc } },
	{ "ud2", SN_PLAIN, 3, 2, { 0x0f, 0x0b } },
	{ "int3", SN_PLAIN, 3, 1, { 0xcc } },
	{ "cpuid", SN_CPUID, 4, 6, { 0x0f, 0xa2, 0xe6, 0xf4, 0xeb, 0xfa } },
	{ "vmcall", SN_VMCALL, 4, 7,
	  { 0x0f, 0x01, 0xc1, 0xe6, 0xf4, 0xeb, 0xf9 } },
	{ "xsetbv", SN_XSETBV, 4, 7,
	  { 0x0f, 0x01, 0xd1, 0xe6, 0xf4, 0xeb, 0xf9 } },
	{ "rdmsr", SN_MSR, 4, 6, { 0x0f, 0x32, 0xe6, 0xf4, 0xeb, 0xfa } },
	{ "wrmsr", SN_MSR, 3, 6, { 0x0f, 0x30, 0xe6, 0xf4, 0xeb, 0xfa } },
	{ "rep-outsb", SN_STRING, 3, 5, { 0xf3, 0x6e, 0xe6, 0xf4, 0xf4 } },
	{ "rep-outs", SN_STRING, 2, 5, { 0xf3, 0x6f, 0xe6, 0xf4, 0xf4 } },
	{ "rep-insb", SN_STRING, 3, 5, { 0xf3, 0x6c, 0xe6, 0xf4, 0xf4 } },
	{ "mov-cr0", SN_CR0, 3, 6, { 0x0f, 0x22, 0xc0, 0xe6, 0xf4, 0xf4 } },
	{ "mov-cr4", SN_CR4, 3, 6, { 0x0f, 0x22, 0xe0, 0xe6, 0xf4, 0xf4 } },
	{ "mov-dr7", SN_DR, 2, 6, { 0x0f, 0x23, 0xf8, 0xe6, 0xf4, 0xf4 } },
	{ "mov-dr0", SN_DR, 1, 6, { 0x0f, 0x23, 0xc0, 0xe6, 0xf4, 0xf4 } },
	{ "dr6-loop", SN_PLAIN, 2, 7,
	  { 0x0f, 0x21, 0xf0, 0xe6, 0xf4, 0xeb, 0xf9 } },
	{ "sti-wrmsr", SN_MSR, 2, 6, { 0xfb, 0x0f, 0x30, 0xe6, 0xf4, 0xf4 } },
	{ "vmxon", SN_PLAIN, 2, 6, { 0xf3, 0x0f, 0xc7, 0x37, 0xe6, 0xf4 } },
	{ "wbinvd", SN_PLAIN, 1, 5, { 0x0f, 0x09, 0xe6, 0xf4, 0xf4 } },
	{ "rdpmc", SN_PLAIN, 1, 2, { 0x0f, 0x33 } },
	{ "random", SN_RANDOM, 10, 0, { 0 } },
};

static const struct snippet *pick_snippet(void)
{
	unsigned char w[ARRAY_SIZE(snippets)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(snippets); i++)
		w[i] = snippets[i].weight;
	return &snippets[pick(w, ARRAY_SIZE(snippets))];
}

/* A guest-physical address that no slot of VM backs (else any). */
static __u64 pick_mmio(const struct vm *vm)
{
	static const __u64 v[] = { 0xfee00000, 0xfec00000, 0xd0000000 };
	__u64 gpa = 0;
	int i;

	for (i = 0; i < 4; i++) {
		gpa = i < 3 && !one_in(3) ? v[below(3)] + below(16) * PAGE :
		      (0x80000000 + below(0x40000) * PAGE);
		gpa += below(PAGE);
		if (!gpa_in_slots(vm, gpa))
			break;
	}
	return gpa;
}

static __u64 pick_msr(void)
{
	static const __u64 msrs[] = {
		0x10, 0x1b, 0x3a, 0x48, 0x49, 0x10a, 0x174, 0x175, 0x176,
		0x277, 0x480, 0x6e0, 0xc0000080, 0xc0000081, 0xc0000082,
		0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102,
		0xc0000103, 0xda0,
	};

	return one_in(5) ? rnd() & 0xffffffff : msrs[below(ARRAY_SIZE(msrs))];
}

static void random_bytes(void *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		((unsigned char *)p)[i] = rnd();
}

/* mutate: break one guest-state rule, or set one odd value. */
static void mutate(struct vmxlab_sregs *s, struct vmxlab_regs *r)
{
	struct vmxlab_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	static const __u8 tr_types[] = { 0x1, 0x3, 0x9, 0xb, 0x2, 0x0 };
	static const __u64 efer_bits[] = {
		EFER_LME, EFER_LMA, EFER_NXE, EFER_SCE, 1ULL << 9, 1ULL << 12,
	};
	static const int rflags_bits[] = { 17, 14, 8, 9, 16, 1, 3, 5, 15, 22 };
	struct vmxlab_segment *g = segs[below(ARRAY_SIZE(segs))];

	switch (below(26)) {
	case 0:
		g->type = below(16);
		break;
	case 1:
		g->s ^= 1;
		break;
	case 2:
		g->dpl = below(4);
		break;
	case 3:
		g->present = 0;
		break;
	case 4:
		g->unusable ^= 1;
		break;
	case 5:		/* limit vs granularity */
		g->g ^= 1;
		if (one_in(2))
			g->limit = g->g ? 0xfffff : 0xffffffff;
		break;
	case 6:
		g->limit = one_in(2) ? rnd() : edgy64();
		break;
	case 7:
		g->base = edgy64();
		break;
	case 8:
		g->selector = rnd();
		break;
	case 9:
		s->cs.l = 1;
		s->cs.db = below(2);
		break;
	case 10:
		s->ss.dpl = below(4);
		s->cs.dpl = below(4);
		s->ss.selector = (s->ss.selector & ~3) | below(4);
		break;
	case 11:
		s->tr.type = tr_types[below(ARRAY_SIZE(tr_types))];
		s->tr.s = below(2);
		s->tr.unusable = one_in(4);
		break;
	case 12:
		s->ldt.type = below(16);
		s->ldt.unusable = below(2);
		s->ldt.s = below(2);
		s->ldt.present = below(2);
		break;
	case 13:
		if (one_in(2))
			s->gdt.base = edgy64();
		else
			s->idt.base = edgy64();
		s->gdt.limit = one_in(2) ? s->gdt.limit : rnd();
		break;
	case 14:
		s->cr0 ^= 1ULL << below(one_in(8) ? 64 : 32);
		break;
	case 15:	/* PG without PE, NW without CD, PE off */
		s->cr0 ^= below(2) ? CR0_PE : CR0_NW;
		if (one_in(2))
			s->cr0 |= CR0_PG;
		if (one_in(3))
			s->cr0 &= ~CR0_CD;
		break;
	case 16:
		s->cr4 ^= 1ULL << below(one_in(8) ? 64 : 32);
		break;
	case 17:
		s->efer ^= one_in(6) ? 1ULL << below(64) :
			   efer_bits[below(ARRAY_SIZE(efer_bits))];
		break;
	case 18:
		s->cr3 = one_in(2) ? edgy64() : (1ULL << (36 + below(28)));
		break;
	case 19:
		s->cr8 = below(one_in(3) ? 256 : 16);
		break;
	case 20:
		s->cr2 = rnd();
		s->apic_base = one_in(2) ? rnd() : 0xfee00900ULL;
		break;
	case 21:	/* non-canonical, above 4 GiB, or odd RIP */
		r->rip = edgy64();
		break;
	case 22:
		r->rflags |= 1ULL << rflags_bits[below(ARRAY_SIZE(rflags_bits))];
		break;
	case 23:	/* raw bytes where a bit is expected */
		g->s = rnd();
		g->present = rnd();
		g->dpl = rnd();
		g->l = rnd();
		g->db = rnd();
		g->g = rnd();
		g->avl = rnd();
		g->unusable = rnd();
		break;
	case 24:	/* rarely: a pad or reserved field */
		if (!one_in(4))
			g->avl ^= 1;
		else if (one_in(3))
			g->pad = 1 + below(255);
		else if (one_in(2))
			s->reserved[below(ARRAY_SIZE(s->reserved))] = rnd() | 1;
		else
			s->idt.pad[below(3)] = 1;
		break;
	default:	/* a whole segment of random bytes, pad excepted */
		random_bytes(g, offsetof(struct vmxlab_segment, pad));
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Checked ioctls                                                      */
/* ------------------------------------------------------------------ */

/* struct vmxlab_regs, word by word */
static const char * const regs_names[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9",
	"r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
	"reserved[0]", "reserved[1]",
};

static long set_regs_checked(struct vm *vm, struct vcpu *vc,
			     const struct vmxlab_regs *r, unsigned long bad)
{
	int must_fail = bad || r->reserved[0] || r->reserved[1] || vc->stopped;
	struct vmxlab_regs got, want;
	size_t i;
	long ret;

	say_what("SET_REGS vm%d vcpu %lu rip %#llx rflags %#llx reserved %#llx %#llx%s",
		 vm->idx, vc->id, (unsigned long long)r->rip,
		 (unsigned long long)r->rflags,
		 (unsigned long long)r->reserved[0],
		 (unsigned long long)r->reserved[1], bad ? " bad pointer" : "");
	ret = cioctl(IOC_SET_REGS, vc->fd, VMXLAB_SET_REGS,
		     bad ? bad : (unsigned long)r);
	check(IOC_SET_REGS, ret, must_fail, NULL);
	if (ret)
		return ret;
	vc->regs_ok = 1;
	if (bad || !one_in(3))
		return ret;
	/* What was set reads back, RFLAGS fixed up as documented. */
	memset(&got, 0xa5, sizeof(got));
	say_what("GET_REGS vm%d vcpu %lu after SET_REGS", vm->idx, vc->id);
	if (!check(IOC_GET_REGS,
		   cioctl(IOC_GET_REGS, vc->fd, VMXLAB_GET_REGS,
			  (unsigned long)&got), 0, NULL))
		return ret;
	want = *r;
	want.rflags = (want.rflags & RFLAGS_DEFINED) | 2;
	for (i = 0; i < ARRAY_SIZE(regs_names); i++) {
		__u64 g = ((__u64 *)&got)[i], w = ((__u64 *)&want)[i];

		if (g != w) {
			fail_at("GET_REGS vm%d vcpu %lu after SET_REGS: %s %#llx, want %#llx",
				vm->idx, vc->id, regs_names[i],
				(unsigned long long)g, (unsigned long long)w);
			break;
		}
	}
	return ret;
}

/* Pads and reserved fields of a GET_SREGS result are zero. */
static int sregs_clean(const struct vmxlab_sregs *s)
{
	struct vmxlab_sregs z = *s;

	z.cr0 &= 0xffffffff;
	z.cr8 = 0;
	z.efer = 0;
	z.cr4 = 0;
	return !sregs_refused(&z);
}

/* The words of struct vmxlab_sregs that must read back as set. */
static const struct {
	const char *name;
	size_t offset;
	int template_only;
} sregs_words[] = {
	{ "cr0", offsetof(struct vmxlab_sregs, cr0), 1 },
	{ "cr2", offsetof(struct vmxlab_sregs, cr2), 0 },
	{ "cr3", offsetof(struct vmxlab_sregs, cr3), 1 },
	{ "cr4", offsetof(struct vmxlab_sregs, cr4), 1 },
	{ "cr8", offsetof(struct vmxlab_sregs, cr8), 0 },
	{ "efer", offsetof(struct vmxlab_sregs, efer), 1 },
	{ "apic_base", offsetof(struct vmxlab_sregs, apic_base), 0 },
};

/*
 * set_sregs_checked: SET_SREGS of S (or BAD, a bad pointer); PLAIN: S is
 * an unmutated template, so CR0, CR3, CR4 and EFER must read back as set.
 */
static long set_sregs_checked(struct vm *vm, struct vcpu *vc,
			      const struct vmxlab_sregs *s, unsigned long bad,
			      int plain, const char *how)
{
	int must_fail = bad || sregs_refused(s) || vc->stopped;
	struct vmxlab_sregs got;
	char cs[80];
	size_t i;
	long ret;

	snprintf(cs, sizeof(cs), "cs %#x type %#x base %#llx limit %#x",
		 s->cs.selector, s->cs.type, (unsigned long long)s->cs.base,
		 s->cs.limit);
	say_what("SET_SREGS vm%d vcpu %lu (%s) cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx %s%s",
		 vm->idx, vc->id, how, (unsigned long long)s->cr0,
		 (unsigned long long)s->cr3, (unsigned long long)s->cr4,
		 (unsigned long long)s->efer, cs, bad ? " bad pointer" : "");
	ret = cioctl(IOC_SET_SREGS, vc->fd, VMXLAB_SET_SREGS,
		     bad ? bad : (unsigned long)s);
	check(IOC_SET_SREGS, ret, must_fail, NULL);
	if (ret)
		return ret;
	vc->sregs_ok = 1;
	vc->fresh = 1;
	if (bad || !one_in(3))
		return ret;
	memset(&got, 0xa5, sizeof(got));
	say_what("GET_SREGS vm%d vcpu %lu after SET_SREGS", vm->idx, vc->id);
	if (!check(IOC_GET_SREGS,
		   cioctl(IOC_GET_SREGS, vc->fd, VMXLAB_GET_SREGS,
			  (unsigned long)&got), 0, NULL))
		return ret;
	if (!sregs_clean(&got))
		fail_at("GET_SREGS vm%d vcpu %lu: a pad or reserved field is not zero",
			vm->idx, vc->id);
	/* CR2, CR8, APIC base always; CR0, CR3, CR4, EFER for a template. */
	for (i = 0; i < ARRAY_SIZE(sregs_words); i++) {
		size_t off = sregs_words[i].offset;
		__u64 g, w;

		memcpy(&g, (char *)&got + off, sizeof(g));
		memcpy(&w, (const char *)s + off, sizeof(w));
		if (g != w && (plain || !sregs_words[i].template_only)) {
			fail_at("GET_SREGS vm%d vcpu %lu after SET_SREGS (%s): %s %#llx, set %#llx",
				vm->idx, vc->id, how, sregs_words[i].name,
				(unsigned long long)g, (unsigned long long)w);
			break;
		}
	}
	return ret;
}

static unsigned long nr_exits[VMXLAB_EXIT_IRQ_WINDOW_OPEN + 1];
static unsigned long nr_run_eintr, nr_run_other_err;

/*
 * check_exit: after RUN returned 0, the run page holds a known exit whose
 * fields make sense; an IN or MMIO read gets random data to complete it.
 */
static void check_exit(struct vm *vm, struct vcpu *vc)
{
	struct vmxlab_run *run = vc->run;
	__u64 bytes;
	int temp = 0;
	char bad[96];
	__u32 i;

	if (!run) {	/* RUN works unmapped; map it to look */
		run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   vc->fd, 0);
		if (run == MAP_FAILED) {
			fail_at("mmap of vm%d vcpu %lu's run page: %s",
				vm->idx, vc->id, strerror(errno));
			return;
		}
		temp = 1;
	}
	bad[0] = 0;
	if (run->exit_reason < ARRAY_SIZE(nr_exits))
		nr_exits[run->exit_reason]++;
	switch (run->exit_reason) {
	case VMXLAB_EXIT_IO:
		bytes = (__u64)run->io.count * run->io.size;
		if (run->io.direction > VMXLAB_IO_IN ||
		    (run->io.size != 1 && run->io.size != 2 &&
		     run->io.size != 4) || !run->io.count ||
		    bytes > VMXLAB_RUN_IO_DATA_MAX ||
		    run->io.data_offset < sizeof(*run) ||
		    run->io.data_offset + bytes > (__u64)run_size)
			snprintf(bad, sizeof(bad),
				 "io direction %u size %u count %u data_offset %llu",
				 run->io.direction, run->io.size, run->io.count,
				 (unsigned long long)run->io.data_offset);
		else if (run->io.direction == VMXLAB_IO_IN)
			for (i = 0; i < bytes; i++)
				((__u8 *)run)[run->io.data_offset + i] = rnd();
		break;
	case VMXLAB_EXIT_MMIO:
		if ((run->mmio.len != 1 && run->mmio.len != 2 &&
		     run->mmio.len != 4 && run->mmio.len != 8) ||
		    run->mmio.is_write > 1)
			snprintf(bad, sizeof(bad), "mmio len %u is_write %u",
				 run->mmio.len, run->mmio.is_write);
		else if (!run->mmio.is_write)
			for (i = 0; i < sizeof(run->mmio.data); i++)
				run->mmio.data[i] = rnd();
		break;
	case VMXLAB_EXIT_HLT:
	case VMXLAB_EXIT_SHUTDOWN:
	case VMXLAB_EXIT_TRACE_FULL:
		break;
	case VMXLAB_EXIT_FAIL_ENTRY:
		if ((run->fail_entry.reason != 33 &&
		     run->fail_entry.reason != 34 &&
		     run->fail_entry.reason != 41) ||
		    run->fail_entry.check > VMXLAB_CHECK_CR3)
			snprintf(bad, sizeof(bad), "fail_entry reason %u check %u",
				 run->fail_entry.reason, run->fail_entry.check);
		break;
	case VMXLAB_EXIT_VMFAIL:
		vc->stopped = 1;
		if (run->vmfail.insn > VMXLAB_VMFAIL_INSN_VMCS_ACCESS ||
		    run->vmfail.status < VMXLAB_VMFAIL_VALID ||
		    run->vmfail.status > VMXLAB_VMFAIL_FAULT ||
		    (run->vmfail.status != VMXLAB_VMFAIL_VALID &&
		     run->vmfail.error))
			snprintf(bad, sizeof(bad), "vmfail insn %u status %u error %u",
				 run->vmfail.insn, run->vmfail.status,
				 run->vmfail.error);
		break;
	case VMXLAB_EXIT_IRQ_WINDOW_OPEN:
		/* The window is open: IF set, nothing queued or in delivery. */
		if (run->flags != (VMXLAB_RUN_IF | VMXLAB_RUN_READY_FOR_INTR))
			snprintf(bad, sizeof(bad), "IRQ_WINDOW_OPEN with flags %#x",
				 run->flags);
		break;
	case VMXLAB_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror < VMXLAB_INTERNAL_UNKNOWN_EXIT ||
		    run->internal.suberror > VMXLAB_INTERNAL_PAGE_WALK)
			snprintf(bad, sizeof(bad), "internal suberror %u",
				 run->internal.suberror);
		break;
	default:
		snprintf(bad, sizeof(bad), "exit_reason %u (unknown)",
			 run->exit_reason);
		break;
	}
	if (!bad[0] && vc->stopped && run->exit_reason != VMXLAB_EXIT_VMFAIL)
		snprintf(bad, sizeof(bad),
			 "exit_reason %u from a stopped vCPU (want VMFAIL again)",
			 run->exit_reason);
	/*
	 * rip, rflags, flags, exit_count: filled by every exit but a VMfail's
	 * (a stopped vCPU's RUN reports the VMfail again and nothing else).
	 * READY_FOR_INTR needs IF.
	 */
	if (!bad[0] && run->exit_reason != VMXLAB_EXIT_VMFAIL &&
	    ((run->flags & ~(__u32)(VMXLAB_RUN_IF | VMXLAB_RUN_READY_FOR_INTR)) ||
	     !(run->rflags & 2) ||
	     !(run->flags & VMXLAB_RUN_IF) != !(run->rflags & RFLAGS_IF) ||
	     ((run->flags & VMXLAB_RUN_READY_FOR_INTR) &&
	      !(run->flags & VMXLAB_RUN_IF))))
		snprintf(bad, sizeof(bad), "flags %#x with rflags %#llx",
			 run->flags, (unsigned long long)run->rflags);
	if (!bad[0] && run->exit_reason != VMXLAB_EXIT_VMFAIL &&
	    run->exit_count < vc->exit_count)
		snprintf(bad, sizeof(bad), "exit_count %llu after %llu",
			 (unsigned long long)run->exit_count,
			 (unsigned long long)vc->exit_count);
	if (run->exit_reason != VMXLAB_EXIT_VMFAIL)
		vc->exit_count = run->exit_count;
	if (bad[0])
		fail_at("RUN vm%d vcpu %lu returned 0 with %s (rip %#llx)",
			vm->idx, vc->id, bad, (unsigned long long)run->rip);
	if (temp)
		munmap(run, run_size);
}

/*
 * run_vcpu: RUN of VC with argument ARG, SIGALRM after MS ms. CHECK_PAGE:
 * look at the exit here (not while another thread may run the vCPU).
 */
static long run_vcpu(struct vm *vm, struct vcpu *vc, unsigned long arg,
		     long ms, int check_page)
{
	int immediate = vc->run && vc->run->immediate_exit;
	int must_fail = arg || !vc->regs_ok || !vc->sregs_ok || immediate;
	long r;

	say_what("RUN vm%d vcpu %lu arg %#lx%s%s (timer %ld ms)", vm->idx,
		 vc->id, arg, immediate ? " immediate_exit" : "",
		 vc->run ? "" : " run page unmapped", ms);
	arm_timer_ms(ms);
	r = cioctl(IOC_RUN, vc->fd, VMXLAB_RUN, arg);
	arm_timer_ms(0);
	check(IOC_RUN, r, must_fail, NULL);
	if (r == -EINTR)
		nr_run_eintr++;
	else if (r)
		nr_run_other_err++;
	if (vc->fresh && (r == 0 || r == -EINTR) && !immediate) {
		guest_states++;
		vc->fresh = 0;
	}
	if (r == 0 && check_page)
		check_exit(vm, vc);
	return r;
}

/*
 * set_region: SET_MEMORY_REGION on VM, checked against what the world
 * knows: the rules of abi.rst, the slots in use, and which buffer (BI,
 * -1 if none) the range lies in.
 */
static long set_region(struct vm *vm, struct vmxlab_memory_region *mr,
		       int bi, unsigned long bad)
{
	static const int kind_errs[][4] = {
		{ EFAULT, ENOMEM },		/* none, read-only */
		{ EFAULT, EINVAL, ENOMEM },	/* hole: a run page moved in? */
		{ EINVAL, ENOMEM },		/* ramfs-shared */
	};
	const struct buf *b = bi >= 0 ? &bufs[bi] : NULL;
	const int *errs = NULL;
	int must_fail = !!bad, params_ok, i;
	__u64 end = mr->guest_phys_addr + mr->memory_size;
	char mem[80];
	long ret;

	params_ok = mr->slot < VMXLAB_MAX_MEM_SLOTS &&
		    !(mr->flags & ~(__u32)VMXLAB_MEM_READONLY);
	for (i = 0; i < (int)ARRAY_SIZE(mr->reserved); i++)
		params_ok &= !mr->reserved[i];
	if (mr->memory_size) {
		must_fail |= !params_ok ||
			     (mr->guest_phys_addr | mr->memory_size |
			      mr->userspace_addr) & (PAGE - 1) ||
			     mr->guest_phys_addr >= GPA_LIMIT ||
			     mr->memory_size > GPA_LIMIT - mr->guest_phys_addr ||
			     vm->slots[mr->slot].used;
		for (i = 0; !must_fail && i < VMXLAB_MAX_MEM_SLOTS; i++) {
			const struct slot *s = &vm->slots[i];

			if (s->used && mr->guest_phys_addr < s->gpa + s->size &&
			    s->gpa < end)
				must_fail = 1;
		}
		/* The memory: all of it in one buffer that can be pinned. */
		if (!b || mr->userspace_addr < (unsigned long)b->base ||
		    mr->userspace_addr - (unsigned long)b->base > b->size ||
		    mr->memory_size > b->size -
				      (mr->userspace_addr -
				       (unsigned long)b->base)) {
			must_fail = 1;
		} else if (!buf_writable(b->kind)) {
			if (!must_fail)
				errs = kind_errs[b->kind == BUF_RAMFS_SHARED ? 2 :
						 b->kind == BUF_HOLE ? 1 : 0];
			must_fail = 1;
		}
	} else {
		must_fail |= !params_ok;
	}
	snprintf(mem, sizeof(mem), "uaddr %#llx (%s%s)",
		 (unsigned long long)mr->userspace_addr,
		 b ? "buffer " : "not a buffer", b ? buf_kind_names[b->kind] : "");
	say_what("SET_MEMORY_REGION vm%d slot %u flags %#x gpa %#llx size %#llx %s rsvd %#llx%s",
		 vm->idx, mr->slot, mr->flags,
		 (unsigned long long)mr->guest_phys_addr,
		 (unsigned long long)mr->memory_size, mem,
		 (unsigned long long)(mr->reserved[0] | mr->reserved[1] |
				      mr->reserved[2] | mr->reserved[3]),
		 bad ? ", bad pointer" : "");
	ret = cioctl(IOC_SET_MEMORY_REGION, vm->fd, VMXLAB_SET_MEMORY_REGION,
		     bad ? bad : (unsigned long)mr);
	check(IOC_SET_MEMORY_REGION, ret, must_fail, errs);
	if (ret || mr->slot >= VMXLAB_MAX_MEM_SLOTS)
		return ret;
	if (!mr->memory_size) {
		memset(&vm->slots[mr->slot], 0, sizeof(struct slot));
	} else {
		struct slot *s = &vm->slots[mr->slot];

		s->used = 1;
		s->buf = bi;
		s->gen = b ? b->gen : 0;
		s->flags = mr->flags;
		s->gpa = mr->guest_phys_addr;
		s->size = mr->memory_size;
		s->uaddr = mr->userspace_addr;
	}
	return 0;
}

/* add_good_slot: a slot VM can run code from, if it can be had. */
static struct slot *add_good_slot(struct vm *vm)
{
	struct vmxlab_memory_region mr;
	int i, bi = -1, slot = -1, start = below(MAX_BUFS);
	__u64 gpa;

	for (i = 0; i < MAX_BUFS && bi < 0; i++)
		if (buf_writable(bufs[(start + i) % MAX_BUFS].kind))
			bi = (start + i) % MAX_BUFS;
	if (bi < 0) {
		bi = start;
		buf_make(bi, BUF_PRIVATE, 16 * PAGE);
		if (bufs[bi].kind != BUF_PRIVATE)
			return NULL;
	}
	for (i = 0; i < VMXLAB_MAX_MEM_SLOTS && slot < 0; i++)
		if (!vm->slots[(start + i) % VMXLAB_MAX_MEM_SLOTS].used)
			slot = (start + i) % VMXLAB_MAX_MEM_SLOTS;
	if (slot < 0)
		return NULL;
	memset(&mr, 0, sizeof(mr));
	mr.slot = slot;
	mr.flags = one_in(8) ? VMXLAB_MEM_READONLY : 0;
	mr.userspace_addr = (unsigned long)bufs[bi].base;
	mr.memory_size = bufs[bi].size < 0x8000 || one_in(4) ? bufs[bi].size :
			 0x8000 * (1 + below(bufs[bi].size / 0x8000));
	if (pinned_bytes() + mr.memory_size > PIN_BUDGET)
		return NULL;
	for (i = 0; i < 8; i++) {
		gpa = one_in(2) ? below(0x100) * PAGE : below(2048) << 21;
		if (!gpa_in_slots(vm, gpa) &&
		    !gpa_in_slots(vm, gpa + mr.memory_size - 1))
			break;
	}
	mr.guest_phys_addr = gpa;
	if (set_region(vm, &mr, bi, 0))
		return NULL;
	return &vm->slots[slot];
}

/* A slot of VM below 4 GiB whose memory is writable here, or NULL. */
static struct slot *pick_code_slot(struct vm *vm)
{
	int i, start = below(VMXLAB_MAX_MEM_SLOTS);

	for (i = 0; i < VMXLAB_MAX_MEM_SLOTS; i++) {
		struct slot *s = &vm->slots[(start + i) % VMXLAB_MAX_MEM_SLOTS];

		if (slot_host(s, s->gpa) && s->gpa + s->size <= LOW_4G)
			return s;
	}
	return vm->fd >= 0 && !one_in(4) ? add_good_slot(vm) : NULL;
}

/*
 * prepare_guest: code, page tables and GDT in a slot of VM, registers and
 * special registers of a random mode for VC to run it, sometimes mutated.
 * Returns 0 if VM has no memory for it.
 */
static int prepare_guest(struct vm *vm, struct vcpu *vc)
{
	static const unsigned char mode_w[NR_MODES] = { 5, 3, 1, 3 };
	static const __u64 cpuid_leaves[] = {
		0, 1, 7, 0xb, 0xd, 0x40000000, 0x40000001, 0x80000001,
		0x80000008,
	};
	struct vmxlab_sregs s;
	struct vmxlab_regs r;
	const struct snippet *sn;
	__u64 code, stack, gdt, mmio, cs_base = 0, *gprs;
	struct slot *sl = pick_code_slot(vm);
	enum mode mode = pick(mode_w, NR_MODES);
	unsigned char *h;
	int big, mutations = 0;
	char how[64];
	size_t i;

	if (!sl)
		return 0;
	h = slot_host(sl, sl->gpa);
	big = sl->size >= 0x8000;
	if (!big && (mode == MODE_PAE || mode == MODE_LONG))
		mode = one_in(2) ? MODE_REAL : MODE_PROT;
	if (big) {
		gdt = sl->gpa + 0x6000;
		code = sl->gpa + 0x6100 + below(0x700);
		stack = sl->gpa + 0x7ff0;
	} else {
		gdt = sl->gpa;
		code = sl->gpa + 0x100 + below(0xe00);
		stack = sl->gpa + 0xff0;
	}
	if (mode == MODE_PAE || mode == MODE_LONG)
		write_tables(h, sl->gpa, mode);
	memcpy(h + (gdt - sl->gpa), gdt_image, sizeof(gdt_image));
	sn = pick_snippet();
	if (sn->kind == SN_RANDOM)
		for (i = 0; i < 64; i++)
			h[code - sl->gpa + i] = rnd();
	else
		memcpy(h + (code - sl->gpa), sn->code, sn->len);

	if (mode == MODE_REAL)
		cs_base = code & ~0xffffULL;
	sregs_for_mode(&s, mode, cs_base, sl->gpa, gdt);
	memset(&r, 0, sizeof(r));
	gprs = (__u64 *)&r;	/* rax ... r15 */
	for (i = 0; i < 16; i++)
		gprs[i] = one_in(3) ? rnd() : below(0x100);
	r.rip = code - cs_base;
	r.rsp = (stack - cs_base) & (mode == MODE_REAL ? 0xffff : ~0ULL);
	r.rflags = 2 | (one_in(4) ? RFLAGS_IF : 0);
	mmio = pick_mmio(vm);
	switch (sn->kind) {
	case SN_MMIO:
		if (mode == MODE_REAL) {
			s.ds.base = mmio & ~0xfffULL;
			r.rbx = mmio & 0xfff;
		} else {
			r.rbx = mmio;
			r.rdi = mmio;
		}
		break;
	case SN_STRING:
		r.rcx = one_in(4) ? below(0x2000) : 1 + below(64);
		r.rdx = below(0x10000);
		r.rsi = code - cs_base;
		r.rdi = (code - cs_base + 0x100) &
			(mode == MODE_REAL ? 0xffff : ~0ULL);
		if (one_in(4))	/* from or to memory that is not RAM */
			r.rsi = mode == MODE_REAL ? 0 : mmio;
		if (one_in(4))
			r.rdi = mode == MODE_REAL ? 0 : mmio;
		if (mode == MODE_REAL && one_in(4))
			s.ds.base = mmio & ~0xfffULL;
		if (one_in(8))
			r.rflags |= 1 << 10;	/* DF */
		break;
	case SN_PORT:
		r.rdx = one_in(2) ? 0xf4 : below(0x10000);
		break;
	case SN_MSR:
		r.rcx = pick_msr();
		break;
	case SN_CPUID:
		r.rax = one_in(4) ? rnd() : cpuid_leaves[below(ARRAY_SIZE(cpuid_leaves))];
		r.rcx = below(4);
		break;
	case SN_VMCALL:
		r.rax = one_in(4) ? rnd() : below(4);
		break;
	case SN_XSETBV:
		r.rcx = one_in(4) ? below(4) : 0;
		r.rax = one_in(3) ? rnd() : (1 + 2 * below(2) + 4 * below(2)) |
			(one_in(4) ? 0xe0 : 0);
		r.rdx = one_in(4) ? rnd() : 0;
		break;
	case SN_CR0:
		r.rax = s.cr0 ^ (1ULL << below(32));
		break;
	case SN_CR4:
		r.rax = s.cr4 ^ (1ULL << below(32));
		break;
	case SN_DR:	/* DR7: enables, GD, reserved bits; DR0: an address */
		r.rax = one_in(3) ? rnd() : (below(0x100) | (one_in(4) << 13) |
					    (below(16) << 16)) | 0x400;
		if (one_in(3))
			r.rflags |= 1 << 8;	/* TF */
		break;
	default:
		break;
	}
	if (one_in(3)) {
		mutations = 1 + below(3);
		for (i = 0; i < (size_t)mutations; i++)
			mutate(&s, &r);
	}
	if (one_in(50))
		r.reserved[below(2)] = 1;
	snprintf(how, sizeof(how), "%s mode, %s, %d mutations",
		 mode_names[mode], sn->name, mutations);
	if (set_regs_checked(vm, vc, &r, 0) == 0)
		set_sregs_checked(vm, vc, &s, 0, !mutations, how);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Operations                                                          */
/* ------------------------------------------------------------------ */

static void op_create_vcpu(void);

/* check_cloexec: FD, just returned by ioctl NAME, must be close-on-exec. */
static void check_cloexec(const char *name, long fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0 || !(fl & FD_CLOEXEC))
		fail_at("%s returned fd %ld without FD_CLOEXEC", name, fd);
}

/*
 * vm_teardown: closes VM's fd and its vCPUs' fds and unmaps their run
 * pages, all in a random order; the VM is gone after the last of them.
 */
static void vm_teardown(struct vm *vm)
{
	int order[2 * MAX_VM_VCPUS + 1], n = 0, i, j, t;

	for (i = 0; i < 2 * MAX_VM_VCPUS + 1; i++)
		order[n++] = i;
	for (i = n - 1; i > 0; i--) {
		j = below(i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++) {
		struct vcpu *vc = &vm->vcpus[order[i] / 2];

		if (order[i] == 2 * MAX_VM_VCPUS) {
			if (vm->fd >= 0)
				close(vm->fd);
			vm->fd = -1;
		} else if (order[i] & 1) {
			if (vc->run)
				munmap(vc->run, run_size);
			vc->run = NULL;
		} else {
			if (vc->fd >= 0)
				close(vc->fd);
			vc->fd = -1;
		}
	}
	vm_update(vm);
}

static void op_teardown_vm(void)
{
	struct vm *vm = &vms[below(MAX_VMS)];

	if (vm_live(vm))
		vm_teardown(vm);
}

static void op_create_vm(void)
{
	unsigned long flags = 0;
	struct vm *vm = NULL;
	int i, fd = dev, extra = -1;
	long r;

	/* Half the VMs with an in-kernel APIC, some with bad flags. */
	if (one_in(2))
		flags = VMXLAB_VM_LAPIC;
	if (one_in(5))
		flags = one_in(2) ? 1UL << below(64) : rnd();
	if (one_in(10)) {	/* from a second open of /dev/vmxlab */
		extra = open("/dev/vmxlab", O_RDWR | O_CLOEXEC);
		if (extra >= 0)
			fd = extra;
	}
	say_what("CREATE_VM flags %#lx%s", flags,
		 extra >= 0 ? " (second /dev/vmxlab fd)" : "");
	r = cioctl(IOC_CREATE_VM, fd, VMXLAB_CREATE_VM, flags);
	if (extra >= 0)
		close(extra);	/* the VM outlives it */
	check(IOC_CREATE_VM, r, (flags & ~(unsigned long)VMXLAB_VM_LAPIC) != 0,
	      NULL);
	if (r < 0)
		return;
	check_cloexec("CREATE_VM", r);
	for (i = 0; i < MAX_VMS && !vm; i++)
		if (!vm_live(&vms[i]))
			vm = &vms[i];
	if (!vm) {	/* make room: one without a VM fd, if any */
		vm = &vms[below(MAX_VMS)];
		for (i = 0; i < MAX_VMS; i++)
			if (vms[i].fd < 0)
				vm = &vms[i];
		vm_teardown(vm);
	}
	memset(vm->slots, 0, sizeof(vm->slots));
	vm->fd = r;
}

static void op_close_vm(void)
{
	struct vm *vm = pick_vm();

	if (!vm)
		return;
	close(vm->fd);
	vm->fd = -1;
	vm_update(vm);
}

static void op_set_region(void)
{
	struct vmxlab_memory_region mr;
	struct vm *vm = pick_vm();
	unsigned long long off = 0, room;
	const struct buf *b;
	unsigned long bad = 0;
	int bi = -1;

	if (!vm) {
		op_create_vm();
		return;
	}
	memset(&mr, 0, sizeof(mr));
	switch (below(12)) {
	case 0:
		mr.slot = VMXLAB_MAX_MEM_SLOTS + below(3);
		break;
	case 1:
		mr.slot = one_in(2) ? ~0U : rnd();
		break;
	default:
		mr.slot = below(VMXLAB_MAX_MEM_SLOTS);
		break;
	}
	if (one_in(6))
		mr.flags = one_in(2) ? VMXLAB_MEM_READONLY : 1U << below(32);
	if (one_in(25))
		mr.reserved[below(4)] = rnd() | 1;

	/* the memory */
	switch (below(14)) {
	case 0:
		mr.userspace_addr = 0;
		break;
	case 1:
		mr.userspace_addr = 0xffff888000000000ULL;
		break;
	case 2:
		mr.userspace_addr = 0x800000000000ULL;
		break;
	case 3:		/* a guard */
		mr.userspace_addr = (unsigned long)arena + below(256) * PAGE;
		break;
	default:
		bi = below(MAX_BUFS);
		b = &bufs[bi];
		if (b->size > PAGE)
			off = below(b->size / PAGE) * PAGE;
		mr.userspace_addr = (unsigned long)b->base + off;
		if (one_in(12))
			mr.userspace_addr += 1 + below(PAGE - 1);
		break;
	}
	b = bi >= 0 ? &bufs[bi] : NULL;
	room = b && b->size > off ? b->size - off : PAGE;

	/* the size */
	switch (below(14)) {
	case 0:
		mr.memory_size = PAGE;
		break;
	case 1:
		mr.memory_size = 2ULL << 20;
		break;
	case 2:
		mr.memory_size = room;
		break;
	case 3:		/* into the guard */
		mr.memory_size = room + PAGE * (1 + below(4));
		break;
	case 4:
		mr.memory_size = (1 + below(room / PAGE)) * PAGE +
				 1 + below(PAGE - 1);
		break;
	case 5: {
		static const __u64 huge[] = {
			1ULL << 30, 1ULL << 40, 1ULL << 47, GPA_LIMIT - PAGE,
			GPA_LIMIT, ~(PAGE - 1),
		};

		mr.memory_size = huge[below(ARRAY_SIZE(huge))];
		break;
	}
	case 6:
		mr.memory_size = 0;	/* a delete */
		break;
	default:
		mr.memory_size = (1 + below(room / PAGE)) * PAGE;
		break;
	}

	/* where */
	switch (below(12)) {
	case 0:
		mr.guest_phys_addr = 0;
		break;
	case 1:
		mr.guest_phys_addr = below(256) * PAGE;
		break;
	case 2:
		mr.guest_phys_addr = below(2048) << 21;
		break;
	case 3: {	/* overlapping a slot in use, if any */
		const struct slot *s = &vm->slots[below(VMXLAB_MAX_MEM_SLOTS)];

		mr.guest_phys_addr = s->gpa + below(s->size / PAGE + 1) * PAGE;
		if (one_in(2) && mr.guest_phys_addr >= mr.memory_size / 2)
			mr.guest_phys_addr -= (mr.memory_size / 2) &
					      ~(PAGE - 1);
		break;
	}
	case 4:
		mr.guest_phys_addr = one_in(2) ? GPA_LIMIT - PAGE :
				     GPA_LIMIT - (mr.memory_size & ~(PAGE - 1));
		if (one_in(3))
			mr.guest_phys_addr = GPA_LIMIT;
		break;
	case 5:
		mr.guest_phys_addr = below(LOW_4G) | (1 + below(PAGE - 1));
		break;
	case 6:
		mr.guest_phys_addr = rnd() & (GPA_LIMIT - 1) & ~(PAGE - 1);
		break;
	case 7:
		mr.guest_phys_addr = edgy64();
		break;
	default:
		mr.guest_phys_addr = below(0x100000) * PAGE;
		break;
	}
	/* Keep what the world pins within budget. */
	if (mr.memory_size && mr.memory_size <= BUF_MAX &&
	    pinned_bytes() + mr.memory_size > PIN_BUDGET)
		mr.memory_size = PAGE;
	if (one_in(30))
		bad = bad_ptr(sizeof(mr), 0);
	set_region(vm, &mr, bi, bad);
}

static void op_delete_slot(void)
{
	struct vmxlab_memory_region mr;
	struct vm *vm = pick_vm();
	int i, start = below(VMXLAB_MAX_MEM_SLOTS);

	if (!vm)
		return;
	memset(&mr, 0, sizeof(mr));
	mr.slot = start;
	for (i = 0; i < VMXLAB_MAX_MEM_SLOTS; i++) {
		if (vm->slots[(start + i) % VMXLAB_MAX_MEM_SLOTS].used) {
			mr.slot = (start + i) % VMXLAB_MAX_MEM_SLOTS;
			break;
		}
	}
	if (one_in(3)) {	/* ignored for a delete */
		mr.guest_phys_addr = edgy64();
		mr.userspace_addr = edgy64();
	}
	if (one_in(10))
		mr.flags = VMXLAB_MEM_READONLY;
	if (one_in(20))
		mr.reserved[below(4)] = 1;
	set_region(vm, &mr, -1, 0);
}

static void op_create_vcpu(void)
{
	static const unsigned long ids[] = {
		VMXLAB_MAX_VCPUS - 1, VMXLAB_MAX_VCPUS, VMXLAB_MAX_VCPUS + 1,
		1UL << 32, ~0UL, 255,
	};
	struct vm *vm = pick_vm();
	struct vcpu *vc = NULL;
	unsigned long id;
	int i, in_use = 0;
	long r;

	if (!vm) {
		op_create_vm();
		return;
	}
	id = one_in(5) ? (one_in(4) ? rnd() : ids[below(ARRAY_SIZE(ids))]) :
	     below(6);
	for (i = 0; i < MAX_VM_VCPUS; i++) {
		if (vcpu_live(&vm->vcpus[i]) && vm->vcpus[i].id == id)
			in_use = 1;
		else if (!vc && !vcpu_live(&vm->vcpus[i]))
			vc = &vm->vcpus[i];
	}
	say_what("CREATE_VCPU vm%d id %lu%s", vm->idx, id,
		 in_use ? " (in use)" : "");
	r = cioctl(IOC_CREATE_VCPU, vm->fd, VMXLAB_CREATE_VCPU, id);
	check(IOC_CREATE_VCPU, r, id >= VMXLAB_MAX_VCPUS || in_use, NULL);
	if (r < 0)
		return;
	check_cloexec("CREATE_VCPU", r);
	if (!vc || in_use) {
		close(r);
		return;
	}
	vcpu_reset(vc);
	vc->fd = r;
	vc->id = id;
	if (!one_in(4)) {
		vc->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, vc->fd, 0);
		if (vc->run == MAP_FAILED) {
			fail_at("mmap of vm%d vcpu %lu's run page: %s", vm->idx,
				id, strerror(errno));
			vc->run = NULL;
		}
	}
}

static void op_close_vcpu(void)
{
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);

	if (!vc)
		return;
	close(vc->fd);
	vc->fd = -1;
	vm_update(vm);
}

static void op_map_run(void)
{
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);

	if (!vc || vc->run)
		return;
	vc->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vc->fd, 0);
	if (vc->run == MAP_FAILED) {
		fail_at("mmap of vm%d vcpu %lu's run page: %s", vm->idx, vc->id,
			strerror(errno));
		vc->run = NULL;
	}
}

static void op_unmap_run(void)
{
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 1);

	if (!vc)
		return;
	munmap(vc->run, run_size);
	vc->run = NULL;
	vm_update(vm);
}

/* Odd mappings of the vCPU, VM and device fds: whatever mmap says. */
static void op_odd_mmap(void)
{
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	int fd = vc ? vc->fd : dev;
	size_t len = one_in(2) ? run_size : 2 * run_size;
	off_t off = one_in(2) ? 0 : run_size * (1 + below(3));
	void *p;

	if (one_in(4)) {
		int other = vms[below(MAX_VMS)].fd;

		fd = other >= 0 ? other : dev;
	}
	p = mmap(NULL, len, one_in(2) ? PROT_READ : PROT_READ | PROT_WRITE,
		 one_in(3) ? MAP_PRIVATE : MAP_SHARED, fd, off);
	if (p == MAP_FAILED)
		return;
	if (vc && fd == vc->fd && !off && len == (size_t)run_size)
		(void)*(volatile unsigned char *)p;
	munmap(p, len);
}

/* check_get: a GET ioctl K into BUF, described by what[], checked. */
static long check_get(enum ioc k, struct vcpu *vc, unsigned long cmd,
		      void *buf)
{
	long r = cioctl(k, vc->fd, cmd, (unsigned long)buf);

	check(k, r, vc->stopped, NULL);
	return r;
}

static void op_set_regs(void)
{
	struct vmxlab_regs r;
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	__u64 *w = (__u64 *)&r;	/* rax ... r15, rip, rflags */
	size_t i;

	if (!vc) {
		op_create_vcpu();
		return;
	}
	memset(&r, 0, sizeof(r));
	say_what("GET_REGS vm%d vcpu %lu before SET_REGS", vm->idx, vc->id);
	if (one_in(2) &&
	    check_get(IOC_GET_REGS, vc, VMXLAB_GET_REGS, &r) == 0) {
		w[below(18)] = edgy64();
	} else {
		for (i = 0; i < 18; i++)
			w[i] = edgy64();
	}
	r.reserved[0] = 0;
	r.reserved[1] = 0;
	if (one_in(15))
		r.reserved[below(2)] = rnd() | 1;
	set_regs_checked(vm, vc, &r, one_in(15) ? bad_ptr(sizeof(r), 0) : 0);
}

static void op_get_regs(void)
{
	struct vmxlab_regs r;
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	unsigned long bad = one_in(5) ? bad_ptr(sizeof(r), 1) : 0;
	long ret;

	if (!vc)
		return;
	memset(&r, 0xa5, sizeof(r));
	say_what("GET_REGS vm%d vcpu %lu%s", vm->idx, vc->id,
		 bad ? " bad pointer" : "");
	ret = cioctl(IOC_GET_REGS, vc->fd, VMXLAB_GET_REGS,
		     bad ? bad : (unsigned long)&r);
	check(IOC_GET_REGS, ret, bad || vc->stopped, NULL);
	if (!ret && !bad && (r.reserved[0] || r.reserved[1] || !(r.rflags & 2)))
		fail_at("GET_REGS vm%d vcpu %lu: rflags %#llx reserved %#llx %#llx",
			vm->idx, vc->id, (unsigned long long)r.rflags,
			(unsigned long long)r.reserved[0],
			(unsigned long long)r.reserved[1]);
}

static void op_set_sregs(void)
{
	struct vmxlab_sregs s;
	struct vmxlab_regs dummy;
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	int n = 0, plain;
	char how[48];

	if (!vc) {
		op_create_vcpu();
		return;
	}
	memset(&dummy, 0, sizeof(dummy));
	say_what("GET_SREGS vm%d vcpu %lu before SET_SREGS", vm->idx, vc->id);
	if (one_in(3) &&
	    check_get(IOC_GET_SREGS, vc, VMXLAB_GET_SREGS, &s) == 0) {
		snprintf(how, sizeof(how), "as read");
		plain = 0;
		n = 1;
	} else {
		enum mode m = below(NR_MODES);

		sregs_for_mode(&s, m, below(0x100) << 16,
			       below(0x1000) * PAGE, below(0x1000) * PAGE);
		snprintf(how, sizeof(how), "%s mode", mode_names[m]);
		plain = one_in(2);
	}
	if (!plain)
		for (n += below(3); n >= 0; n--)
			mutate(&s, &dummy);
	set_sregs_checked(vm, vc, &s, one_in(15) ? bad_ptr(sizeof(s), 0) : 0,
			  plain, how);
}

static void op_get_sregs(void)
{
	struct vmxlab_sregs s;
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	unsigned long bad = one_in(5) ? bad_ptr(sizeof(s), 1) : 0;
	long ret;

	if (!vc)
		return;
	memset(&s, 0xa5, sizeof(s));
	say_what("GET_SREGS vm%d vcpu %lu%s", vm->idx, vc->id,
		 bad ? " bad pointer" : "");
	ret = cioctl(IOC_GET_SREGS, vc->fd, VMXLAB_GET_SREGS,
		     bad ? bad : (unsigned long)&s);
	check(IOC_GET_SREGS, ret, bad || vc->stopped, NULL);
	if (!ret && !bad && !sregs_clean(&s))
		fail_at("GET_SREGS vm%d vcpu %lu: a pad or reserved field is not zero",
			vm->idx, vc->id);
}

static void op_stats(void)
{
	struct vmxlab_vcpu_stats st;
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	unsigned long bad = one_in(6) ? bad_ptr(sizeof(st), 1) : 0;
	long ret;

	if (!vc)
		return;
	memset(&st, 0xa5, sizeof(st));
	say_what("GET_VCPU_STATS vm%d vcpu %lu%s", vm->idx, vc->id,
		 bad ? " bad pointer" : "");
	ret = cioctl(IOC_GET_VCPU_STATS, vc->fd, VMXLAB_GET_VCPU_STATS,
		     bad ? bad : (unsigned long)&st);
	check(IOC_GET_VCPU_STATS, ret, !!bad, NULL);
	if (ret || bad)
		return;
	if (st.nr_reasons != VMXLAB_NR_EXIT_REASONS || st.pad ||
	    st.reserved[0] | st.reserved[1] | st.reserved[2] | st.reserved[3] |
	    st.reserved[4])
		fail_at("GET_VCPU_STATS vm%d vcpu %lu: nr_reasons %u, pad %u, reserved not all 0",
			vm->idx, vc->id, st.nr_reasons, st.pad);
	if (st.entries < vc->entries || st.userspace_exits < vc->uexits)
		fail_at("GET_VCPU_STATS vm%d vcpu %lu: entries %llu < %llu or uexits %llu < %llu",
			vm->idx, vc->id, (unsigned long long)st.entries,
			(unsigned long long)vc->entries,
			(unsigned long long)st.userspace_exits,
			(unsigned long long)vc->uexits);
	vc->entries = st.entries;
	vc->uexits = st.userspace_exits;
}

/*
 * SET_EXIT_STATS with any flags, then GET_EXIT_STATS with any size,
 * reserved words and pointer; the records must be consistent: per exit
 * reason the kernel and round-trip parts have the same samples, kernel +
 * user = round trip, and min <= max <= sum.
 */
static void op_exit_stats(void)
{
	static const unsigned long flags[] = {
		VMXLAB_STATS_ON, VMXLAB_STATS_OFF, VMXLAB_STATS_RESET,
		VMXLAB_STATS_ON | VMXLAB_STATS_RESET, 0,
		VMXLAB_STATS_ON | VMXLAB_STATS_OFF, 0x8, ~0UL,
	};
	/*
	 * In .bss, not from malloc(): a mapping of half a MiB would land in a
	 * buffer's hole, where SET_MEMORY_REGION must find nothing.
	 */
	static struct vmxlab_exit_lat lat[VMXLAB_NR_EXIT_REASONS * VMXLAB_LAT_NR_KINDS];
	const size_t need = sizeof(lat);
	struct vmxlab_exit_stats st;
	unsigned long f = flags[below(ARRAY_SIZE(flags))];
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	int bad_f, bad_res, reason;
	size_t size;
	long ret;

	if (!vc)
		return;
	bad_f = !f || (f & ~7UL) || (f & 3) == 3;
	say_what("SET_EXIT_STATS vm%d vcpu %lu 0x%lx", vm->idx, vc->id, f);
	ret = cioctl(IOC_SET_EXIT_STATS, vc->fd, VMXLAB_SET_EXIT_STATS, f);
	check(IOC_SET_EXIT_STATS, ret, bad_f, NULL);
	if (bad_f && ret != -EINVAL)
		fail_at("SET_EXIT_STATS 0x%lx: %ld, expected -EINVAL", f, ret);

	memset(&st, 0, sizeof(st));
	size = one_in(4) ? below(need + 1) : need + below(2) * 4096;
	st.size = size;
	st.data = one_in(8) ? bad_ptr(need, 1) : (unsigned long)lat;
	bad_res = one_in(8);
	if (bad_res)
		st.reserved[below(4)] = 1 + below(~0ULL);
	say_what("GET_EXIT_STATS vm%d vcpu %lu size %zu%s", vm->idx, vc->id, size,
		 bad_res ? " reserved" : "");
	ret = cioctl(IOC_GET_EXIT_STATS, vc->fd, VMXLAB_GET_EXIT_STATS,
		     (unsigned long)&st);
	check(IOC_GET_EXIT_STATS, ret, bad_res || size < need, NULL);
	if (bad_res && ret != -EINVAL)
		fail_at("GET_EXIT_STATS, reserved word set: %ld, expected -EINVAL", ret);
	if (!bad_res && size < need && ret != -E2BIG)
		fail_at("GET_EXIT_STATS size %zu < %zu: %ld, expected -E2BIG", size, need, ret);
	if (ret || st.data != (unsigned long)lat)
		return;
	if (st.size != need || st.nr_reasons != VMXLAB_NR_EXIT_REASONS)
		fail_at("GET_EXIT_STATS: size %u, nr_reasons %u", st.size, st.nr_reasons);
	for (reason = 0; reason < VMXLAB_NR_EXIT_REASONS; reason++) {
		const struct vmxlab_exit_lat *l = &lat[reason * VMXLAB_LAT_NR_KINDS];
		const struct vmxlab_exit_lat *k = &l[VMXLAB_LAT_KERNEL];
		const struct vmxlab_exit_lat *u = &l[VMXLAB_LAT_USER];
		const struct vmxlab_exit_lat *rt = &l[VMXLAB_LAT_ROUND_TRIP];

		if (k->count != rt->count || u->count > rt->count ||
		    k->sum + u->sum != rt->sum ||
		    (rt->count && (rt->min > rt->max || rt->max > rt->sum)))
			fail_at("exit stats %d: n/sum %llu/%llu %llu/%llu %llu/%llu, %llu-%llu",
				reason, (unsigned long long)k->count,
				(unsigned long long)k->sum, (unsigned long long)u->count,
				(unsigned long long)u->sum, (unsigned long long)rt->count,
				(unsigned long long)rt->sum, (unsigned long long)rt->min,
				(unsigned long long)rt->max);
	}
}

/*
 * SET_TRACE with any size, flags and reserved words; then, at times, the
 * ring mapped at any size and its head, tail and counters scribbled over
 * (the kernel must not believe them); RUN then ends with TRACE_FULL or
 * goes on.
 */
static void op_trace(void)
{
	static const __u32 sizes[] = { 0, 1, 2, 3, 4, 64, 4096, 1U << 20, 1U << 21, ~0U };
	struct vmxlab_trace_setup ts;
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	int bad, other_size;
	size_t len;
	long ret;
	void *p;

	if (!vc)
		return;
	memset(&ts, 0, sizeof(ts));
	ts.nr = sizes[below(ARRAY_SIZE(sizes))];
	ts.flags = one_in(4) ? (__u32)rnd() : below(2);
	if (one_in(10))
		ts.reserved[below(3)] = rnd() | 1;
	bad = ts.flags > 1 || ts.reserved[0] || ts.reserved[1] || ts.reserved[2] ||
	      (ts.nr && ((ts.nr & (ts.nr - 1)) || ts.nr > VMXLAB_TRACE_MAX));
	other_size = vc->trace_nr && ts.nr && ts.nr != vc->trace_nr;
	say_what("SET_TRACE vm%d vcpu %lu nr %u flags %#x", vm->idx, vc->id, ts.nr, ts.flags);
	ret = cioctl(IOC_SET_TRACE, vc->fd, VMXLAB_SET_TRACE, (unsigned long)&ts);
	check(IOC_SET_TRACE, ret, bad || other_size, NULL);
	if (!ret && ts.nr)
		vc->trace_nr = ts.nr;
	if (!vc->trace_nr || !one_in(2))
		return;
	len = one_in(4) ? (below(4) + 1) * 4096 : VMXLAB_TRACE_BYTES(vc->trace_nr);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, vc->fd,
		 VMXLAB_TRACE_MMAP_OFFSET);
	say_what("mmap trace ring vm%d vcpu %lu, %zu bytes: %s", vm->idx, vc->id, len,
		 p == MAP_FAILED ? strerror(errno) : "ok");
	if (p == MAP_FAILED) {
		if (len <= ((VMXLAB_TRACE_BYTES(vc->trace_nr) + 4095) & ~4095UL))
			fail_at("mmap of a %u-record trace ring, %zu bytes: %s",
				vc->trace_nr, len, strerror(errno));
		return;
	}
	if (one_in(2)) {
		struct vmxlab_trace_ring *ring = p;

		ring->tail = one_in(2) ? rnd() : ring->head;
		if (one_in(3))
			ring->head = rnd();
		if (one_in(3))
			ring->nr = rnd();
	}
	munmap(p, len);
}

/*
 * INJECT of any event, valid or not, into a vCPU in whatever state it is
 * in: the next RUN delivers it, waits for a window, or the guest dies of
 * it (SHUTDOWN); never a failed entry of vmxlab's making.
 */
static void op_inject(void)
{
	/* The vectors that push an error code (SDM Vol. 3A Table 6-1). */
	static const __u32 error_code_vectors = 0x00227d00;
	struct vmxlab_event ev;
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	int bad;
	long ret;

	if (!vc)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = one_in(8) ? rnd() : below(3);
	ev.vector = ev.type == VMXLAB_EVENT_EXCEPTION && !one_in(8) ? below(32) :
		    ev.type == VMXLAB_EVENT_NMI && !one_in(8) ? 0 : rnd();
	ev.has_error_code = one_in(8) ? rnd() :
			    ev.type == VMXLAB_EVENT_EXCEPTION && ev.vector < 32 &&
			    ((error_code_vectors >> ev.vector) & 1);
	ev.error_code = ev.has_error_code || one_in(8) ? rnd() : 0;
	if (one_in(10))
		ev.pad = rnd() | 1;
	if (one_in(10))
		ev.reserved[below(2)] = rnd() | 1;
	bad = ev.pad || ev.reserved[0] || ev.reserved[1] || ev.type > 2 ||
	      ev.has_error_code > 1 || (!ev.has_error_code && ev.error_code);
	if (ev.type == VMXLAB_EVENT_INTR)
		bad |= ev.has_error_code;
	if (ev.type == VMXLAB_EVENT_NMI)
		bad |= ev.vector || ev.has_error_code;
	if (ev.type == VMXLAB_EVENT_EXCEPTION)
		bad |= ev.vector > 31 || ev.vector == 2 ||
		       (ev.vector < 32 && ev.has_error_code !=
			((error_code_vectors >> ev.vector) & 1));
	say_what("INJECT vm%d vcpu %lu type %u vector %u error %u/%#x",
		 vm->idx, vc->id, ev.type, ev.vector, ev.has_error_code,
		 ev.error_code);
	ret = cioctl(IOC_INJECT, vc->fd, VMXLAB_INJECT,
		     one_in(20) ? 8 : (unsigned long)&ev);
	check(IOC_INJECT, ret, bad, NULL);
}

/* Random bytes over the run page, immediate_exit included. */
static void scribble(struct vmxlab_run *run)
{
	unsigned char *p = (unsigned char *)run;
	size_t i, from, len;

	switch (below(4)) {
	case 0:
		from = 0;
		len = sizeof(*run);
		break;
	case 1:
		from = 0;
		len = run_size;
		break;
	case 2:
		from = VMXLAB_RUN_IO_DATA_OFFSET;
		len = VMXLAB_RUN_IO_DATA_MAX;
		break;
	default:
		from = below(sizeof(*run));
		len = 1 + below(16);
		break;
	}
	for (i = from; i < from + len && i < (size_t)run_size; i++)
		p[i] = rnd();
	if (one_in(2))
		run->immediate_exit = 0;
}

static void op_scribble(void)
{
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 1);

	if (vc)
		scribble(vc->run);
}

static void op_run(void)
{
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	int i, n = 1 + below(4);
	long r;

	if (!vc) {
		op_create_vcpu();
		return;
	}
	if (!vc->regs_ok || !vc->sregs_ok || !one_in(3))
		prepare_guest(vm, vc);
	if (vc->run && !one_in(6))
		vc->run->immediate_exit = 0;
	for (i = 0; i < n; i++) {
		r = run_vcpu(vm, vc, one_in(30) ? (one_in(2) ? 1 : rnd()) : 0,
			     pick_run_ms(), 1);
		if (r && r != -EINTR)
			break;
		if (vc->run && one_in(8))
			scribble(vc->run);
	}
}

struct runner {
	int fd;
	long result;
	int done;
};

static void *runner(void *arg)
{
	struct runner *rn = arg;
	long r = ioctl(rn->fd, VMXLAB_RUN, 0);

	__atomic_store_n(&rn->result, r < 0 ? -errno : r, __ATOMIC_SEQ_CST);
	__atomic_store_n(&rn->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Two threads run one vCPU: EBUSY for one of them, or one after another. */
static void op_two_runs(void)
{
	struct vm *vm;
	struct vcpu *vc = pick_vcpu(&vm, 0);
	struct runner rn;
	pthread_t th;
	int must_fail, i;
	long r;

	if (!vc)
		return;
	if (!vc->regs_ok || !vc->sregs_ok || one_in(2))
		prepare_guest(vm, vc);
	if (vc->run)
		vc->run->immediate_exit = 0;
	must_fail = !vc->regs_ok || !vc->sregs_ok;
	memset(&rn, 0, sizeof(rn));
	rn.fd = vc->fd;
	if (start_thread(&th, runner, &rn, 0)) {
		fail_at("pthread_create: %s", strerror(errno));
		return;
	}
	sleep_ms(below(3));
	r = run_vcpu(vm, vc, 0, pick_run_ms(), 0);
	/* Until the other RUN returns: SIGUSR1 interrupts it. */
	for (i = 0; !__atomic_load_n(&rn.done, __ATOMIC_SEQ_CST); i++) {
		pthread_kill(th, SIGUSR1);
		sleep_ms(i < 10 ? 2 : 20);
	}
	pthread_join(th, NULL);
	nr_ioctls[IOC_RUN]++;
	say_what("RUN vm%d vcpu %lu from a second thread (the first got %ld)",
		 vm->idx, vc->id, r);
	check(IOC_RUN, rn.result, must_fail, NULL);
	if (r == -EBUSY && rn.result == -EBUSY)
		fail_at("RUN vm%d vcpu %lu from two threads: EBUSY for both",
			vm->idx, vc->id);
	/*
	 * The page shows the last RUN's exit (an EINTR leaves
	 * VMXLAB_EXIT_NONE): look only if that one is known to be a 0.
	 */
	if ((r == 0 && (rn.result == 0 || rn.result == -EBUSY)) ||
	    (rn.result == 0 && r == -EBUSY))
		check_exit(vm, vc);
}

/* ioctl commands of each fd kind: dev, VM, vCPU. */
#define MAX_CMDS	10
static const unsigned long known_cmds[3][MAX_CMDS] = {
	{ VMXLAB_GET_API_VERSION, VMXLAB_GET_CAPS, VMXLAB_CREATE_VM,
	  VMXLAB_GET_RUN_SIZE },
	{ VMXLAB_SET_MEMORY_REGION, VMXLAB_CREATE_VCPU },
	{ VMXLAB_GET_REGS, VMXLAB_SET_REGS, VMXLAB_GET_SREGS, VMXLAB_SET_SREGS,
	  VMXLAB_RUN, VMXLAB_GET_VCPU_STATS, VMXLAB_SET_EXIT_STATS,
	  VMXLAB_GET_EXIT_STATS, VMXLAB_SET_TRACE, VMXLAB_INJECT },
};

/* A command fd kind KIND does not know: the others', or made up. */
static unsigned long unknown_cmd(int kind)
{
	static const unsigned int types[] = {
		VMXLAB_IO, VMXLAB_IO, VMXLAB_IO, 0xae, 0xbb, 0x01,
	};
	unsigned long cmd;
	int i;

	for (;;) {
		if (one_in(3)) {
			int other = (kind + 1 + below(2)) % 3;

			cmd = known_cmds[other][below(MAX_CMDS)];
			if (!cmd)
				continue;
		} else {
			cmd = _IOC(below(4), types[below(ARRAY_SIZE(types))],
				   below(256), below(1 << _IOC_SIZEBITS));
		}
		for (i = 0; i < MAX_CMDS; i++)
			if (cmd == known_cmds[kind][i])
				break;
		if (i == MAX_CMDS)
			return cmd;
	}
}

static void op_unknown(void)
{
	static const char * const kinds[] = { "/dev/vmxlab", "VM", "vCPU" };
	struct vm *vm = pick_vm(), *vvm;
	struct vcpu *vc = pick_vcpu(&vvm, 0);
	int kind = below(3), fd = dev;
	unsigned long cmd, arg;
	long r;

	if (kind == 1 && vm)
		fd = vm->fd;
	else if (kind == 2 && vc)
		fd = vc->fd;
	else
		kind = 0;
	cmd = unknown_cmd(kind);
	memset(scratch, 0, PAGE);
	arg = one_in(4) ? 0 : (unsigned long)scratch;
	say_what("unknown ioctl %#lx on a %s fd", cmd, kinds[kind]);
	r = cioctl(IOC_UNKNOWN, fd, cmd, arg);
	check(IOC_UNKNOWN, r, 1, only_enotty);
}

static void op_dev(void)
{
	struct vmxlab_caps *caps = (struct vmxlab_caps *)scratch;
	unsigned long arg = one_in(3) ? (one_in(2) ? 1 : rnd()) : 0, bad = 0;
	long r;
	int i;

	switch (below(3)) {
	case 0:
		say_what("GET_API_VERSION arg %#lx", arg);
		r = cioctl(IOC_API_VERSION, dev, VMXLAB_GET_API_VERSION, arg);
		check(IOC_API_VERSION, r, arg != 0, NULL);
		if (r >= 0 && r != VMXLAB_API_VERSION)
			fail_at("GET_API_VERSION returned %ld, want %d", r,
				VMXLAB_API_VERSION);
		break;
	case 1:
		if (one_in(3))
			bad = bad_ptr(sizeof(*caps), 1);
		memset(caps, 0xa5, sizeof(*caps));
		say_what("GET_CAPS%s", bad ? " bad pointer" : "");
		r = cioctl(IOC_GET_CAPS, dev, VMXLAB_GET_CAPS,
			   bad ? bad : (unsigned long)caps);
		check(IOC_GET_CAPS, r, !!bad, NULL);
		if (r || bad)
			break;
		r = caps->pin.pad | caps->proc.pad | caps->proc2.pad |
		    caps->exit.pad | caps->entry.pad;
		for (i = 0; i < (int)ARRAY_SIZE(caps->reserved); i++)
			r |= caps->reserved[i];
		if (r)
			fail_at("GET_CAPS: a pad or reserved field is not zero");
		break;
	default:
		say_what("GET_RUN_SIZE arg %#lx", arg);
		r = cioctl(IOC_GET_RUN_SIZE, dev, VMXLAB_GET_RUN_SIZE, arg);
		check(IOC_GET_RUN_SIZE, r, arg != 0, NULL);
		if (r >= 0 && r != run_size)
			fail_at("GET_RUN_SIZE returned %ld, first %ld", r,
				run_size);
		break;
	}
}

static void op_buffer(void)
{
	buf_random(below(MAX_BUFS));
}

/* What a forked child tries; all but the last must fail with EPERM. */
enum {
	CH_CREATE_VCPU, CH_ADD_SLOT, CH_DELETE_SLOT, CH_VM_UNKNOWN, CH_RUN,
	CH_GET_REGS, CH_SET_SREGS, CH_STATS, CH_VCPU_UNKNOWN, CH_API_VERSION,
	NR_CH
};

static const char * const child_ops[NR_CH] = {
	"CREATE_VCPU", "SET_MEMORY_REGION (add)", "SET_MEMORY_REGION (delete)",
	"an unknown ioctl on the VM fd", "RUN", "GET_REGS", "SET_SREGS",
	"GET_VCPU_STATS", "an unknown ioctl on the vCPU fd",
	"GET_API_VERSION on /dev/vmxlab",
};

static const enum ioc child_iocs[NR_CH] = {
	IOC_CREATE_VCPU, IOC_SET_MEMORY_REGION, IOC_SET_MEMORY_REGION,
	IOC_UNKNOWN, IOC_RUN, IOC_GET_REGS, IOC_SET_SREGS, IOC_GET_VCPU_STATS,
	IOC_UNKNOWN, IOC_API_VERSION,
};

#define CH_SKIPPED	1000000L

static long child_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long r;

	if (fd < 0)
		return CH_SKIPPED;
	r = ioctl(fd, cmd, arg);
	return r < 0 ? -errno : r;
}

static void child_run(int vm_fd, int vcpu_fd, unsigned long id, int slot,
		      long *res)
{
	struct vmxlab_memory_region mr;
	struct vmxlab_sregs s;
	struct vmxlab_regs r;
	void *mem;

	/* If RUN were let through, a timer still ends it. */
	arm_timer_ms(200);
	res[CH_CREATE_VCPU] = child_ioctl(vm_fd, VMXLAB_CREATE_VCPU, id);
	mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(&mr, 0, sizeof(mr));
	mr.slot = slot;
	mr.guest_phys_addr = 0x7f000000;
	mr.memory_size = 4 * PAGE;
	mr.userspace_addr = (unsigned long)mem;
	res[CH_ADD_SLOT] = mem == MAP_FAILED ? CH_SKIPPED :
			   child_ioctl(vm_fd, VMXLAB_SET_MEMORY_REGION,
				       (unsigned long)&mr);
	mr.memory_size = 0;
	res[CH_DELETE_SLOT] = child_ioctl(vm_fd, VMXLAB_SET_MEMORY_REGION,
					  (unsigned long)&mr);
	res[CH_VM_UNKNOWN] = child_ioctl(vm_fd, _IO(VMXLAB_IO, 0x7e), 0);
	res[CH_RUN] = child_ioctl(vcpu_fd, VMXLAB_RUN, 0);
	res[CH_GET_REGS] = child_ioctl(vcpu_fd, VMXLAB_GET_REGS,
				       (unsigned long)&r);
	sregs_for_mode(&s, MODE_REAL, 0, 0, 0);
	res[CH_SET_SREGS] = child_ioctl(vcpu_fd, VMXLAB_SET_SREGS,
					(unsigned long)&s);
	res[CH_STATS] = child_ioctl(vcpu_fd, VMXLAB_GET_VCPU_STATS,
				    (unsigned long)scratch);
	res[CH_VCPU_UNKNOWN] = child_ioctl(vcpu_fd, _IO(VMXLAB_IO, 0x7f), 0);
	res[CH_API_VERSION] = child_ioctl(dev, VMXLAB_GET_API_VERSION, 0);
	arm_timer_ms(0);
}

/* A forked child holds the VM and vCPU fds; every ioctl on them: EPERM. */
static void op_fork(void)
{
	struct vm *vm = pick_vm(), *vvm;
	struct vcpu *vc = pick_vcpu(&vvm, 0);
	unsigned long id = below(VMXLAB_MAX_VCPUS);
	int slot = below(VMXLAB_MAX_MEM_SLOTS), fds[2], status = 0, i;
	long res[NR_CH];
	struct pollfd pfd;
	ssize_t n = -1;
	pid_t pid;

	if (!vm && !vc)
		return;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		fail_at("pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child_run(vm ? vm->fd : -1, vc ? vc->fd : -1, id, slot, res);
		_exit(write(fds[1], res, sizeof(res)) == (ssize_t)sizeof(res) ?
		      0 : 4);
	}
	close(fds[1]);
	if (pid < 0) {
		fail_at("fork: %s", strerror(errno));
		close(fds[0]);
		return;
	}
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (i = 0; i < 100 && n < 0; i++) {
		if (poll(&pfd, 1, 100) == 1)
			n = read(fds[0], res, sizeof(res));
	}
	close(fds[0]);
	if (n != (ssize_t)sizeof(res))
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(res)) {
		fail_at("forked child: no results in 10 s (status %#x)", status);
		return;
	}
	for (i = 0; i < NR_CH; i++) {
		if (res[i] == CH_SKIPPED)
			continue;
		nr_ioctls[child_iocs[i]]++;
		say_what("%s from a forked child (vm%d, vcpu %lu of vm%d)",
			 child_ops[i], vm ? vm->idx : -1, vc ? vc->id : 0,
			 vc ? vvm->idx : -1);
		if (i == CH_API_VERSION) {
			if (res[i] != VMXLAB_API_VERSION)
				fail_at("%s returned %ld, want %d", what, res[i],
					VMXLAB_API_VERSION);
		} else {
			check(child_iocs[i], res[i], 1,
			      child_iocs[i] == IOC_UNKNOWN ? eperm_or_enotty :
			      only_eperm);
		}
	}
}

struct op {
	const char *name;
	void (*fn)(void);
	unsigned char weight;
};

static const struct op ops[] = {
	{ "create-vm", op_create_vm, 4 },
	{ "close-vm", op_close_vm, 2 },
	{ "teardown-vm", op_teardown_vm, 1 },
	{ "set-memory-region", op_set_region, 12 },
	{ "delete-slot", op_delete_slot, 4 },
	{ "create-vcpu", op_create_vcpu, 5 },
	{ "close-vcpu", op_close_vcpu, 2 },
	{ "map-run-page", op_map_run, 2 },
	{ "unmap-run-page", op_unmap_run, 2 },
	{ "odd-mmap", op_odd_mmap, 1 },
	{ "set-regs", op_set_regs, 4 },
	{ "get-regs", op_get_regs, 3 },
	{ "set-sregs", op_set_sregs, 6 },
	{ "get-sregs", op_get_sregs, 3 },
	{ "run", op_run, 18 },
	{ "stats", op_stats, 3 },
	{ "exit-stats", op_exit_stats, 2 },
	{ "trace", op_trace, 2 },
	{ "inject", op_inject, 3 },
	{ "scribble-run-page", op_scribble, 3 },
	{ "unknown-ioctl", op_unknown, 4 },
	{ "dev-ioctl", op_dev, 3 },
	{ "buffer", op_buffer, 3 },
	{ "fork", op_fork, 1 },
	{ "two-threads-run", op_two_runs, 2 },
};

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */

static void world_close(void)
{
	int i, j;

	for (i = 0; i < MAX_VMS; i++) {
		for (j = 0; j < MAX_VM_VCPUS; j++) {
			struct vcpu *vc = &vms[i].vcpus[j];

			if (vc->run)
				munmap(vc->run, run_size);
			if (vc->fd >= 0)
				close(vc->fd);
			vcpu_reset(vc);
		}
		if (vms[i].fd >= 0)
			close(vms[i].fd);
		vms[i].fd = -1;
	}
	for (i = 0; i < MAX_BUFS; i++)
		if (bufs[i].kind != BUF_HOLE && bufs[i].kind != BUF_NONE)
			munmap(bufs[i].base, bufs[i].size);
	ramfs_teardown();
}

static int parse_ull(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: vmxlab-abi-fuzz [--seed N] [--iterations N] [--seconds S] [--trace 1]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long iterations = 3000, seconds = 120, v;
	long long t0;
	unsigned long steps = 0, total = 0;
	unsigned char w[ARRAY_SIZE(ops)];
	pthread_t wd;
	long vms_left = -1;
	int i, have_seed = 0, trace = 0;
	const struct op *op;

	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc || parse_ull(argv[i + 1], &v))
			print_usage();
		if (!strcmp(argv[i], "--seed")) {
			seed = v;
			have_seed = 1;
		} else if (!strcmp(argv[i], "--iterations")) {
			iterations = v;
		} else if (!strcmp(argv[i], "--seconds")) {
			seconds = v;
		} else if (!strcmp(argv[i], "--trace")) {
			trace = !!v;
		} else {
			print_usage();
		}
		i++;
	}
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = splitmix64(ts.tv_sec ^ ((unsigned long long)ts.tv_nsec << 20) ^
				  getpid()) % 1000000000000ULL;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("abi-fuzz: seed %llu\n", seed);
	printf("abi-fuzz: up to %llu steps in %llu s\n", iterations, seconds);
	catch_signal(SIGALRM, on_signal);
	catch_signal(SIGUSR1, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (start_thread(&wd, watchdog, NULL, 1)) {
		printf("abi-fuzz: FAIL: cannot start the watchdog thread\n");
		return 1;
	}
	wd_begin(0, "setup");
	dev = open("/dev/vmxlab", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("abi-fuzz: FAIL: open /dev/vmxlab: %s\n", strerror(errno));
		return 1;
	}
	run_size = cioctl(IOC_GET_RUN_SIZE, dev, VMXLAB_GET_RUN_SIZE, 0);
	if (run_size < (long)sizeof(struct vmxlab_run) ||
	    run_size < VMXLAB_RUN_IO_DATA_OFFSET + VMXLAB_RUN_IO_DATA_MAX) {
		printf("abi-fuzz: FAIL: GET_RUN_SIZE returned %ld\n", run_size);
		return 1;
	}
	rng_for_step(0);
	if (world_init()) {
		printf("abi-fuzz: FAIL: cannot reserve memory: %s\n",
		       strerror(errno));
		return 1;
	}

	for (i = 0; i < (int)ARRAY_SIZE(ops); i++)
		w[i] = ops[i].weight;
	t0 = now_ns();
	for (step = 1; step <= iterations; step++) {
		if (now_ns() - t0 >= (long long)seconds * 1000000000LL)
			break;
		rng_for_step(step);
		op = &ops[pick(w, ARRAY_SIZE(ops))];
		wd_begin(step, op->name);
		if (trace)
			printf("abi-fuzz: step %lu %s\n", step, op->name);
		what[0] = 0;
		op->fn();
		steps++;
		if (step % PROGRESS_EVERY == 0)
			printf("abi-fuzz: step %lu, %lu failures, %lld s\n",
			       step, failures, (now_ns() - t0) / 1000000000LL);
	}

	wd_begin(step, "cleanup");
	world_close();
	close(dev);
	for (i = 0; i < VMS_WAIT_S * 10; i++) {
		vms_left = read_debugfs("vms");
		if (!vms_left)
			break;
		sleep_ms(100);
	}
	if (vms_left)
		fail_at("debugfs vmxlab/vms reads %ld after everything was closed (-1: unreadable)",
			vms_left);
	__atomic_store_n(&wd_start, 0, __ATOMIC_SEQ_CST);

	for (i = 0; i < NR_IOC; i++)
		total += nr_ioctls[i];
	printf("abi-fuzz: %lu steps, %lu ioctls (", steps, total);
	for (i = 0; i < NR_IOC; i++)
		printf("%s%s %lu", i ? ", " : "", iocs[i].name, nr_ioctls[i]);
	printf("), %lu guest states tried, %lu failures\n", guest_states,
	       failures);
	printf("abi-fuzz: RUN exits: IO %lu, MMIO %lu, HLT %lu, SHUTDOWN %lu, ",
	       nr_exits[VMXLAB_EXIT_IO], nr_exits[VMXLAB_EXIT_MMIO],
	       nr_exits[VMXLAB_EXIT_HLT], nr_exits[VMXLAB_EXIT_SHUTDOWN]);
	printf("FAIL_ENTRY %lu, VMFAIL %lu, INTERNAL_ERROR %lu, ",
	       nr_exits[VMXLAB_EXIT_FAIL_ENTRY], nr_exits[VMXLAB_EXIT_VMFAIL],
	       nr_exits[VMXLAB_EXIT_INTERNAL_ERROR]);
	printf("IRQ_WINDOW_OPEN %lu; EINTR %lu, errors %lu\n",
	       nr_exits[VMXLAB_EXIT_IRQ_WINDOW_OPEN], nr_run_eintr,
	       nr_run_other_err);
	if (failures) {
		printf("abi-fuzz: replay: vmxlab-abi-fuzz --seed %llu --iterations %lu\n",
		       seed, first_failure);
		return 1;
	}
	return 0;
}
