// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab-run-abi-test: the memory-region, vCPU and run-page ioctls of
 * /dev/vmxlab used wrongly and rightly, checked against the errors that
 * uapi/linux/vmxlab.h promises, and the lifetimes behind them: a vCPU fd
 * (and its run page) keeps its VM alive after the VM fd is closed, closing
 * the last of them frees the VM, and so does SIGKILL in the middle of a run.
 * Also: which memory a slot may use, RLIMIT_MEMLOCK without CAP_IPC_LOCK,
 * a forked child's ioctls (EPERM), the task's LDT after a VM exit, events
 * whose delivery stops on memory that is not RAM, and VMPTRLD failures
 * made on purpose through debugfs (the vCPU stopped, the others
 * undisturbed).
 *
 * Prints "ok - NAME" or "not ok - NAME: got X expected Y" per check, then
 * "N checks, M failed"; exits 1 if any failed. Raw ioctl() with the uapi
 * header only. Needs debugfs mounted (VM counts, fail_vmptrld); a missing
 * file fails its checks. Guests are a few bytes of real-mode code written
 * here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <asm/ldt.h>
#include <linux/capability.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <linux/vmxlab.h>

#include "helpers.h"

#define GUEST_MEM	0x10000		/* 64 KiB of RAM at GPA 0 */
#define CODE_GPA	0x1000
#define EXIT_REASON_IO	30		/* SDM Vol. 3D Appendix C */
#define EXIT_REASON_HLT	12

static int checks, failures;

static const char *res_str(long v, char *buf, size_t n)
{
	const char *name;

	if (v < 0) {
		name = strerrorname_np(-v);
		if (name)
			snprintf(buf, n, "%s", name);
		else
			snprintf(buf, n, "errno %ld", -v);
	} else {
		snprintf(buf, n, "%ld", v);
	}
	return buf;
}

/* expect: GOT (a result, or -errno) must be WANT. */
static int expect(const char *name, long got, long want)
{
	char g[32], w[32];

	checks++;
	if (got == want) {
		printf("ok - %s\n", name);
		return 1;
	}
	failures++;
	printf("not ok - %s: got %s expected %s\n", name,
	       res_str(got, g, sizeof(g)), res_str(want, w, sizeof(w)));
	return 0;
}

/* expect_that: COND must hold; GOT and WANT say what was seen and wanted. */
static int expect_that(const char *name, int cond, const char *got,
		       const char *want)
{
	checks++;
	if (cond) {
		printf("ok - %s\n", name);
		return 1;
	}
	failures++;
	printf("not ok - %s: got %s expected %s\n", name, got, want);
	return 0;
}

/* write_debugfs: writes V in decimal to debugfs file NAME; 0 or -errno. */
static long write_debugfs(const char *name, long v)
{
	char path[128], buf[32];
	long r = 0;
	ssize_t n;
	int fd, len;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vmxlab/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", v);
	n = write(fd, buf, len);
	if (n < 0)
		r = -errno;
	else if (n != len)
		r = -EIO;
	close(fd);
	return r;
}

/* vms_becomes: wait up to 5 s for debugfs "vms" to read WANT. */
static long vms_becomes(long want)
{
	long v = read_debugfs("vms");
	int i;

	for (i = 0; i < 50 && v != want; i++) {
		sleep_ms(100);
		v = read_debugfs("vms");
	}
	return v;
}

static long set_region(int vm, __u32 slot, __u32 flags, __u64 gpa, __u64 size,
		       void *uaddr)
{
	struct vmxlab_memory_region r;

	memset(&r, 0, sizeof(r));
	r.slot = slot;
	r.flags = flags;
	r.guest_phys_addr = gpa;
	r.memory_size = size;
	r.userspace_addr = (unsigned long)uaddr;
	return xioctl(vm, VMXLAB_SET_MEMORY_REGION, (unsigned long)&r);
}

/* Real mode, CS = DS = ... = 0 with 64 KiB limits (unrestricted guest). */
static void real_mode_sregs(struct vmxlab_sregs *s)
{
	struct vmxlab_segment seg;

	memset(s, 0, sizeof(*s));
	memset(&seg, 0, sizeof(seg));
	seg.limit = 0xffff;
	seg.present = 1;
	seg.s = 1;
	seg.type = 3;
	s->ds = seg;
	s->es = seg;
	s->fs = seg;
	s->gs = seg;
	s->ss = seg;
	seg.type = 0xb;
	s->cs = seg;
	seg.s = 0;
	s->tr = seg;
	seg.type = 2;
	s->ldt = seg;
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	s->cr0 = 0x10;
}

static void real_mode_regs(struct vmxlab_regs *r, __u64 rip)
{
	memset(r, 0, sizeof(*r));
	r->rip = rip;
	r->rflags = 2;
}

struct guest {
	int vm;
	int vcpu;
	unsigned char *mem;
	struct vmxlab_run *run;
	long run_size;
};

/*
 * vcpu_setup: vCPU ID of VM in real mode at CODE_GPA with IF = 0, its run
 * page (RUN_SIZE bytes) mapped at *RUN. Returns the vCPU fd, or -errno
 * after printing which step failed (nothing is left open then).
 */
static int vcpu_setup(int vm, unsigned long id, long run_size,
		      struct vmxlab_run **run)
{
	struct vmxlab_regs regs;
	struct vmxlab_sregs sregs;
	long r;
	int vcpu;

	*run = NULL;
	vcpu = xioctl(vm, VMXLAB_CREATE_VCPU, id);
	if (vcpu < 0) {
		printf("# guest setup: CREATE_VCPU %lu failed\n", id);
		return vcpu;
	}
	*run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (*run == MAP_FAILED) {
		r = -errno;
		*run = NULL;
		close(vcpu);
		printf("# guest setup: mmap of the run page failed\n");
		return r;
	}
	real_mode_regs(&regs, CODE_GPA);
	real_mode_sregs(&sregs);
	r = xioctl(vcpu, VMXLAB_SET_REGS, (unsigned long)&regs);
	if (r >= 0)
		r = xioctl(vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs);
	if (r < 0) {
		munmap(*run, run_size);
		*run = NULL;
		close(vcpu);
		printf("# guest setup: SET_REGS/SET_SREGS failed\n");
		return r;
	}
	return vcpu;
}

/*
 * guest_setup: a VM with GUEST_MEM bytes at GPA 0 holding CODE at CODE_GPA,
 * vCPU 0 in real mode at CODE_GPA with IF = 0, its run page mapped.
 * Returns 0, or -errno after printing which step failed.
 */
static int guest_setup(int dev, struct guest *g, const unsigned char *code,
		       size_t len)
{
	long r;

	memset(g, 0, sizeof(*g));
	g->vm = -1;
	g->vcpu = -1;
	g->run_size = xioctl(dev, VMXLAB_GET_RUN_SIZE, 0);
	if (g->run_size <= 0) {
		printf("# guest setup: GET_RUN_SIZE failed\n");
		return -EINVAL;
	}
	g->mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		return -errno;
	}
	memcpy(g->mem + CODE_GPA, code, len);
	g->vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	if (g->vm < 0) {
		printf("# guest setup: CREATE_VM failed\n");
		return g->vm;
	}
	r = set_region(g->vm, 0, 0, 0, GUEST_MEM, g->mem);
	if (r < 0) {
		printf("# guest setup: SET_MEMORY_REGION failed\n");
		return r;
	}
	g->vcpu = vcpu_setup(g->vm, 0, g->run_size, &g->run);
	return g->vcpu < 0 ? g->vcpu : 0;
}

static void guest_teardown(struct guest *g)
{
	if (g->run)
		munmap(g->run, g->run_size);
	if (g->vcpu >= 0)
		close(g->vcpu);
	if (g->vm >= 0)
		close(g->vm);
	if (g->mem)
		munmap(g->mem, GUEST_MEM);
	memset(g, 0, sizeof(*g));
	g->vm = -1;
	g->vcpu = -1;
}

/* Shared with a signal handler and between threads: __atomic builtins. */
static int got_signal;

static void on_signal(int sig)
{
	__atomic_store_n(&got_signal, sig, __ATOMIC_SEQ_CST);
}

static void arm_timer_ms(long ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

/* The state letter of /proc/PID/task/TID/stat ('R' running, ...), or '?'. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] && p[2] ? p[2] : '?';
}

/* mov $0x10,%al; out %al,$0xf4; hlt; in $0x60,%al; out %al,$0xf4; hlt */
static const unsigned char out_code[] = {
	0xb0, 0x10, 0xe6, 0xf4, 0xf4, 0xe4, 0x60, 0xe6, 0xf4, 0xf4,
};

/* jmp . (IF = 0: only the VMX-preemption timer gets it out in Bochs) */
static const unsigned char spin_code[] = { 0xeb, 0xfe };

static void check_dev_and_vm(int dev, long *run_size)
{
	long page = sysconf(_SC_PAGESIZE);
	char got[32], want[64];
	int vm;

	*run_size = xioctl(dev, VMXLAB_GET_RUN_SIZE, 0);
	snprintf(got, sizeof(got), "%ld", *run_size);
	snprintf(want, sizeof(want), "a multiple of %ld, >= %zu", page,
		 sizeof(struct vmxlab_run));
	expect_that("GET_RUN_SIZE: whole pages, holds struct vmxlab_run",
		    *run_size > 0 && *run_size % page == 0 &&
		    *run_size >= (long)sizeof(struct vmxlab_run), got, want);
	expect("GET_RUN_SIZE with a non-zero argument: EINVAL",
	       xioctl(dev, VMXLAB_GET_RUN_SIZE, 1), -EINVAL);
	expect("CREATE_VCPU on /dev/vmxlab: ENOTTY",
	       xioctl(dev, VMXLAB_CREATE_VCPU, 0), -ENOTTY);

	vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	if (!expect("CREATE_VM", vm >= 0 ? 0 : vm, 0))
		return;
	expect("unknown ioctl on a VM fd: ENOTTY",
	       xioctl(vm, _IO(VMXLAB_IO, 0x7e), 0), -ENOTTY);
	expect("RUN (a vCPU ioctl) on a VM fd: ENOTTY",
	       xioctl(vm, VMXLAB_RUN, 0), -ENOTTY);
	close(vm);
}

static void check_memory_regions(int dev)
{
	struct vmxlab_memory_region r;
	unsigned char *mem, *hole;
	size_t size = 2 << 20;
	int vm;

	vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	if (vm < 0)
		return;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hole = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || hole == MAP_FAILED) {
		expect("mmap for the memory-region checks", -errno, 0);
		close(vm);
		return;
	}
	munmap(hole, 1 << 16);	/* an aligned address with nothing behind it */

	expect("SET_MEMORY_REGION slot VMXLAB_MAX_MEM_SLOTS: EINVAL",
	       set_region(vm, VMXLAB_MAX_MEM_SLOTS, 0, 0, 0x1000, mem), -EINVAL);
	expect("SET_MEMORY_REGION unknown flag bit 1: EINVAL",
	       set_region(vm, 0, 1u << 1, 0, 0x1000, mem), -EINVAL);
	expect("SET_MEMORY_REGION unknown flag bit 31: EINVAL",
	       set_region(vm, 0, 1u << 31, 0, 0x1000, mem), -EINVAL);
	memset(&r, 0, sizeof(r));
	r.memory_size = 0x1000;
	r.userspace_addr = (unsigned long)mem;
	r.reserved[0] = 1;
	expect("SET_MEMORY_REGION reserved[0] != 0: EINVAL",
	       xioctl(vm, VMXLAB_SET_MEMORY_REGION, (unsigned long)&r), -EINVAL);
	r.reserved[0] = 0;
	r.reserved[3] = 1;
	expect("SET_MEMORY_REGION reserved[3] != 0: EINVAL",
	       xioctl(vm, VMXLAB_SET_MEMORY_REGION, (unsigned long)&r), -EINVAL);
	expect("SET_MEMORY_REGION misaligned guest_phys_addr: EINVAL",
	       set_region(vm, 0, 0, 0x800, 0x1000, mem), -EINVAL);
	expect("SET_MEMORY_REGION misaligned memory_size: EINVAL",
	       set_region(vm, 0, 0, 0, 0x1800, mem), -EINVAL);
	expect("SET_MEMORY_REGION misaligned userspace_addr: EINVAL",
	       set_region(vm, 0, 0, 0, 0x1000, mem + 0x10), -EINVAL);
	expect("SET_MEMORY_REGION at 2^48: E2BIG",
	       set_region(vm, 0, 0, 1ULL << 48, 0x1000, mem), -E2BIG);
	expect("SET_MEMORY_REGION ending past 2^48: E2BIG",
	       set_region(vm, 0, 0, (1ULL << 48) - 0x1000, 0x2000, mem), -E2BIG);
	expect("SET_MEMORY_REGION wrapping past 2^64: E2BIG",
	       set_region(vm, 0, 0, ~0ULL - 0xfff, 0x2000, mem), -E2BIG);
	expect("SET_MEMORY_REGION of unmapped user memory: EFAULT",
	       set_region(vm, 0, 0, 0, 0x10000, hole), -EFAULT);

	expect("SET_MEMORY_REGION slot 0, 1 MiB at GPA 0",
	       set_region(vm, 0, 0, 0, 1 << 20, mem), 0);
	expect("SET_MEMORY_REGION overlapping slot 0: EEXIST",
	       set_region(vm, 1, 0, 0x80000, 1 << 20, mem + (1 << 20)), -EEXIST);
	expect("SET_MEMORY_REGION same range as slot 0: EEXIST",
	       set_region(vm, 1, 0, 0, 1 << 20, mem + (1 << 20)), -EEXIST);
	expect("SET_MEMORY_REGION slot 0 again, elsewhere: EBUSY",
	       set_region(vm, 0, 0, 0x400000, 0x1000, mem + (1 << 20)), -EBUSY);
	expect("SET_MEMORY_REGION last slot (MAX - 1)",
	       set_region(vm, VMXLAB_MAX_MEM_SLOTS - 1, 0, 0x1000000, 0x1000,
			  mem + (1 << 20)), 0);
	expect("SET_MEMORY_REGION delete the last slot",
	       set_region(vm, VMXLAB_MAX_MEM_SLOTS - 1, 0, 0x1000000, 0, NULL), 0);
	expect("SET_MEMORY_REGION VMXLAB_MEM_READONLY slot",
	       set_region(vm, 2, VMXLAB_MEM_READONLY, 0x200000, 0x1000,
			  mem + (1 << 20)), 0);
	expect("SET_MEMORY_REGION delete the read-only slot",
	       set_region(vm, 2, 0, 0x200000, 0, NULL), 0);
	expect("SET_MEMORY_REGION delete slot 0 (size 0)",
	       set_region(vm, 0, 0, 0, 0, NULL), 0);
	expect("SET_MEMORY_REGION slot 1 where slot 0 was",
	       set_region(vm, 1, 0, 0, 0x1000, mem + (1 << 20)), 0);
	expect("SET_MEMORY_REGION delete slot 1",
	       set_region(vm, 1, 0, 0, 0, NULL), 0);
	expect("SET_MEMORY_REGION slot 0 re-added after its delete",
	       set_region(vm, 0, 0, 0, 1 << 20, mem), 0);
	close(vm);
	munmap(mem, size);
}

static void check_vcpu_misuse(int dev, long run_size)
{
	struct vmxlab_regs regs;
	struct vmxlab_sregs sregs;
	unsigned char *mem;
	int vm, vcpu, vcpu1;
	void *run;

	vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	if (vm < 0)
		return;
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED ||
	    !expect("SET_MEMORY_REGION for the vCPU checks",
		    set_region(vm, 0, 0, 0, GUEST_MEM, mem), 0)) {
		close(vm);
		return;
	}
	memcpy(mem + CODE_GPA, out_code, sizeof(out_code));

	expect("CREATE_VCPU id VMXLAB_MAX_VCPUS: EINVAL",
	       xioctl(vm, VMXLAB_CREATE_VCPU, VMXLAB_MAX_VCPUS), -EINVAL);
	expect("CREATE_VCPU id ~0: EINVAL",
	       xioctl(vm, VMXLAB_CREATE_VCPU, ~0UL), -EINVAL);
	vcpu = xioctl(vm, VMXLAB_CREATE_VCPU, 0);
	if (!expect("CREATE_VCPU 0", vcpu >= 0 ? 0 : vcpu, 0)) {
		close(vm);
		return;
	}
	expect("vCPU fd is close-on-exec", fcntl(vcpu, F_GETFD), FD_CLOEXEC);
	expect("CREATE_VCPU 0 again: EEXIST",
	       xioctl(vm, VMXLAB_CREATE_VCPU, 0), -EEXIST);
	expect("unknown ioctl on a vCPU fd: ENOTTY",
	       xioctl(vcpu, _IO(VMXLAB_IO, 0x7e), 0), -ENOTTY);
	expect("CREATE_VCPU (a VM ioctl) on a vCPU fd: ENOTTY",
	       xioctl(vcpu, VMXLAB_CREATE_VCPU, 1), -ENOTTY);

	/* vCPU 1: registers set, run page never mapped. */
	vcpu1 = xioctl(vm, VMXLAB_CREATE_VCPU, 1);
	if (expect("CREATE_VCPU 1", vcpu1 >= 0 ? 0 : vcpu1, 0)) {
		real_mode_regs(&regs, CODE_GPA);
		real_mode_sregs(&sregs);
		xioctl(vcpu1, VMXLAB_SET_REGS, (unsigned long)&regs);
		xioctl(vcpu1, VMXLAB_SET_SREGS, (unsigned long)&sregs);
		/* The page is the kernel's; mapping it is only for reading. */
		expect("RUN without the run page mapped: runs, returns 0",
		       xioctl(vcpu1, VMXLAB_RUN, 0), 0);
		close(vcpu1);
	}

	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (!expect("mmap of the run page", run == MAP_FAILED ? -errno : 0, 0)) {
		close(vcpu);
		close(vm);
		return;
	}
	expect("RUN before SET_REGS and SET_SREGS: ENOEXEC",
	       xioctl(vcpu, VMXLAB_RUN, 0), -ENOEXEC);
	real_mode_regs(&regs, CODE_GPA);
	regs.reserved[0] = 1;
	expect("SET_REGS with reserved[0] != 0: EINVAL",
	       xioctl(vcpu, VMXLAB_SET_REGS, (unsigned long)&regs), -EINVAL);
	regs.reserved[0] = 0;
	regs.reserved[1] = 1;
	expect("SET_REGS with reserved[1] != 0: EINVAL",
	       xioctl(vcpu, VMXLAB_SET_REGS, (unsigned long)&regs), -EINVAL);
	real_mode_regs(&regs, CODE_GPA);
	regs.rflags = 0;
	expect("SET_REGS (RFLAGS 0)",
	       xioctl(vcpu, VMXLAB_SET_REGS, (unsigned long)&regs), 0);
	memset(&regs, 0xa5, sizeof(regs));
	expect("GET_REGS", xioctl(vcpu, VMXLAB_GET_REGS, (unsigned long)&regs), 0);
	expect("GET_REGS: RIP as set", regs.rip, CODE_GPA);
	expect("GET_REGS: RFLAGS bit 1 set by SET_REGS", regs.rflags, 2);
	expect("GET_REGS: reserved zeroed", regs.reserved[0] | regs.reserved[1], 0);
	expect("RUN with registers but no special registers: ENOEXEC",
	       xioctl(vcpu, VMXLAB_RUN, 0), -ENOEXEC);

	real_mode_sregs(&sregs);
	sregs.reserved[0] = 1;
	expect("SET_SREGS with reserved[0] != 0: EINVAL",
	       xioctl(vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), -EINVAL);
	real_mode_sregs(&sregs);
	sregs.reserved[7] = 1;
	expect("SET_SREGS with reserved[7] != 0: EINVAL",
	       xioctl(vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), -EINVAL);
	real_mode_sregs(&sregs);
	sregs.cs.pad = 1;
	expect("SET_SREGS with cs.pad != 0: EINVAL",
	       xioctl(vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), -EINVAL);
	real_mode_sregs(&sregs);
	sregs.idt.pad[2] = 1;
	expect("SET_SREGS with idt.pad != 0: EINVAL",
	       xioctl(vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), -EINVAL);
	expect("RUN after only rejected SET_SREGS: ENOEXEC",
	       xioctl(vcpu, VMXLAB_RUN, 0), -ENOEXEC);
	real_mode_sregs(&sregs);
	expect("SET_SREGS (real mode)",
	       xioctl(vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), 0);
	memset(&sregs, 0xa5, sizeof(sregs));
	expect("GET_SREGS", xioctl(vcpu, VMXLAB_GET_SREGS, (unsigned long)&sregs), 0);
	expect("GET_SREGS: CR0 as set", sregs.cr0, 0x10);
	expect("GET_SREGS: CS type as set", sregs.cs.type, 0xb);
	expect("GET_SREGS: CS limit as set", sregs.cs.limit, 0xffff);
	expect("GET_SREGS: reserved zeroed", sregs.reserved[0] | sregs.reserved[7], 0);

	expect("RUN with a non-zero argument: EINVAL",
	       xioctl(vcpu, VMXLAB_RUN, 1), -EINVAL);
	((struct vmxlab_run *)run)->immediate_exit = 1;
	expect("RUN with immediate_exit set: EINTR",
	       xioctl(vcpu, VMXLAB_RUN, 0), -EINTR);
	((struct vmxlab_run *)run)->immediate_exit = 0;
	munmap(run, run_size);
	close(vcpu);
	close(vm);
	munmap(mem, GUEST_MEM);
}

/*
 * The VM fd closed first: the vCPU fd keeps the VM, the guest still runs
 * (OUT, HLT, IN completed by us, OUT); then closing the vCPU fd and
 * unmapping its run page frees the VM.
 */
static void check_run_after_vm_close(int dev, long baseline)
{
	struct vmxlab_vcpu_stats stats;
	struct vmxlab_regs regs;
	struct vmxlab_run *run;
	struct guest g;
	__u8 *data;
	long r;

	r = guest_setup(dev, &g, out_code, sizeof(out_code));
	if (!expect("set up a real-mode guest", r, 0)) {
		guest_teardown(&g);
		return;
	}
	run = g.run;
	close(g.vm);
	g.vm = -1;
	expect("debugfs vms: the vCPU fd keeps the closed VM", read_debugfs("vms"),
	       baseline + 1);

	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	expect("RUN after the VM fd was closed", r, 0);
	expect("exit: VMXLAB_EXIT_IO", run->exit_reason, VMXLAB_EXIT_IO);
	expect("exit: OUT", run->io.direction, VMXLAB_IO_OUT);
	expect("exit: port 0xf4", run->io.port, 0xf4);
	expect("exit: size 1", run->io.size, 1);
	expect("exit: count 1", run->io.count, 1);
	expect("exit: data_offset VMXLAB_RUN_IO_DATA_OFFSET", run->io.data_offset,
	       VMXLAB_RUN_IO_DATA_OFFSET);
	data = (__u8 *)run + (run->io.data_offset < (__u64)g.run_size ?
			      run->io.data_offset : 0);
	expect("exit: OUT data 0x10", data[0], 0x10);

	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	expect("RUN to the HLT", r, 0);
	expect("exit: VMXLAB_EXIT_HLT", run->exit_reason, VMXLAB_EXIT_HLT);
	expect("exit: RIP past the HLT", run->rip, CODE_GPA + 5);
	expect("exit: RFLAGS.IF clear, VMXLAB_RUN_IF clear",
	       run->flags & VMXLAB_RUN_IF, 0);

	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	expect("RUN after the HLT", r, 0);
	expect("exit: VMXLAB_EXIT_IO (IN)", run->exit_reason, VMXLAB_EXIT_IO);
	expect("exit: IN", run->io.direction, VMXLAB_IO_IN);
	expect("exit: IN port 0x60", run->io.port, 0x60);
	data = (__u8 *)run + (run->io.data_offset < (__u64)g.run_size ?
			      run->io.data_offset : 0);
	data[0] = 0x5a;
	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	expect("RUN completes the IN", r, 0);
	expect("exit: OUT to port 0xf4 after the IN",
	       run->exit_reason == VMXLAB_EXIT_IO &&
	       run->io.direction == VMXLAB_IO_OUT && run->io.port == 0xf4, 1);
	data = (__u8 *)run + (run->io.data_offset < (__u64)g.run_size ?
			      run->io.data_offset : 0);
	expect("exit: OUT data is what the IN read", data[0], 0x5a);
	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	expect("RUN to the second HLT", r, 0);
	expect("exit: VMXLAB_EXIT_HLT again", run->exit_reason, VMXLAB_EXIT_HLT);
	expect("run page: exit_count >= 5", run->exit_count >= 5, 1);

	memset(&regs, 0, sizeof(regs));
	expect("GET_REGS after the run",
	       xioctl(g.vcpu, VMXLAB_GET_REGS, (unsigned long)&regs), 0);
	expect("GET_REGS: AL = 0x5a", regs.rax & 0xff, 0x5a);
	expect("GET_REGS: RIP past the second HLT", regs.rip, CODE_GPA + 10);

	memset(&stats, 0xa5, sizeof(stats));
	expect("GET_VCPU_STATS",
	       xioctl(g.vcpu, VMXLAB_GET_VCPU_STATS, (unsigned long)&stats), 0);
	expect("stats: nr_reasons", stats.nr_reasons, VMXLAB_NR_EXIT_REASONS);
	expect("stats: pad and reserved zeroed", stats.pad | stats.reserved[0] |
	       stats.reserved[4], 0);
	expect("stats: 3 I/O instruction exits (reason 30)",
	       stats.exits[EXIT_REASON_IO], 3);
	expect("stats: 2 HLT exits (reason 12)", stats.exits[EXIT_REASON_HLT], 2);
	expect("stats: entries >= 5", stats.entries >= 5, 1);
	expect("stats: userspace_exits = 5 (3 I/O, 2 HLT)", stats.userspace_exits, 5);

	close(g.vcpu);
	g.vcpu = -1;
	expect("debugfs vms: the run page mapping still holds the VM",
	       read_debugfs("vms"), baseline + 1);
	munmap(g.run, g.run_size);
	g.run = NULL;
	expect("debugfs vms: VM freed with the vCPU fd and its run page",
	       vms_becomes(baseline), baseline);
	guest_teardown(&g);
}

/* A signal interrupts a guest spinning with IF = 0; the vCPU resumes. */
static void check_signal_and_resume(int dev)
{
	struct vmxlab_regs regs;
	struct guest g;
	struct timespec t0, t1;
	long r, ms;

	r = guest_setup(dev, &g, spin_code, sizeof(spin_code));
	if (!expect("set up a spinning guest", r, 0)) {
		guest_teardown(&g);
		return;
	}
	memcpy(g.mem + CODE_GPA + 0x10, out_code, sizeof(out_code));
	catch_signal(SIGALRM, on_signal);
	__atomic_store_n(&got_signal, 0, __ATOMIC_SEQ_CST);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	arm_timer_ms(300);
	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	arm_timer_ms(0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	printf("# RUN of jmp . returned after %ld ms\n", ms);
	expect("a signal interrupts RUN of a jmp . guest with IF = 0: EINTR", r,
	       -EINTR);
	expect("the signal handler ran", __atomic_load_n(&got_signal, __ATOMIC_SEQ_CST),
	       SIGALRM);
	memset(&regs, 0, sizeof(regs));
	xioctl(g.vcpu, VMXLAB_GET_REGS, (unsigned long)&regs);
	expect("interrupted guest: RIP still at the jmp", regs.rip, CODE_GPA);
	regs.rip = CODE_GPA + 0x10;
	xioctl(g.vcpu, VMXLAB_SET_REGS, (unsigned long)&regs);
	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	expect("RUN resumes after EINTR", r == 0 &&
	       g.run->exit_reason == VMXLAB_EXIT_IO ? g.run->io.port : r, 0xf4);
	guest_teardown(&g);
}

struct runner {
	int vcpu;
	long result;
	pid_t tid;
	int started;
};

static void *runner_thread(void *arg)
{
	struct runner *rn = arg;

	rn->tid = syscall(SYS_gettid);
	__atomic_store_n(&rn->started, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&rn->result, xioctl(rn->vcpu, VMXLAB_RUN, 0),
			 __ATOMIC_SEQ_CST);
	return NULL;
}

/* A second RUN of a vCPU that another thread runs: EBUSY. */
static void check_busy(int dev)
{
	struct runner rn;
	pthread_t th;
	struct guest g;
	char state = '?';
	long r;
	int i;

	r = guest_setup(dev, &g, spin_code, sizeof(spin_code));
	if (!expect("set up a spinning guest for two threads", r, 0)) {
		guest_teardown(&g);
		return;
	}
	catch_signal(SIGUSR1, on_signal);
	catch_signal(SIGALRM, on_signal);
	memset(&rn, 0, sizeof(rn));
	rn.vcpu = g.vcpu;
	rn.result = 1;
	if (pthread_create(&th, NULL, runner_thread, &rn)) {
		expect("pthread_create", -errno, 0);
		guest_teardown(&g);
		return;
	}
	/* wait until that thread is in the guest (running, not sleeping) */
	for (i = 0; i < 100; i++) {
		sleep_ms(100);
		if (__atomic_load_n(&rn.started, __ATOMIC_SEQ_CST)) {
			state = task_state(getpid(), rn.tid);
			if (state == 'R')
				break;
		}
	}
	printf("# the other thread's state: %c\n", state);
	/* if this RUN got in first it spins: the timer ends it with EINTR */
	arm_timer_ms(5000);
	r = xioctl(g.vcpu, VMXLAB_RUN, 0);
	arm_timer_ms(0);
	expect("RUN of a vCPU another thread runs: EBUSY", r, -EBUSY);
	pthread_kill(th, SIGUSR1);
	for (i = 0; i < 100 && __atomic_load_n(&rn.result, __ATOMIC_SEQ_CST) == 1; i++)
		sleep_ms(100);
	if (__atomic_load_n(&rn.result, __ATOMIC_SEQ_CST) == 1) {
		expect("the other thread's RUN returned after SIGUSR1", 0, 1);
		return;		/* cannot join a thread stuck in the guest */
	}
	pthread_join(th, NULL);
	expect("the other thread's RUN ends with EINTR on SIGUSR1", rn.result,
	       -EINTR);
	guest_teardown(&g);
}

/* SIGKILL of a process inside RUN frees its VM. */
static void check_sigkill(int dev, long baseline)
{
	struct pollfd pfd;
	struct guest g;
	int fds[2], status = 0, i;
	char c = 0, state;
	pid_t pid;

	if (pipe(fds) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		if (guest_setup(dev, &g, spin_code, sizeof(spin_code)) < 0)
			_exit(3);
		c = 'r';
		if (write(fds[1], &c, 1) != 1)
			_exit(4);
		xioctl(g.vcpu, VMXLAB_RUN, 0);
		_exit(5);	/* RUN of jmp . returned: not expected */
	}
	close(fds[1]);
	if (pid < 0) {
		expect("fork", -errno, 0);
		close(fds[0]);
		return;
	}
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 60000) != 1 || read(fds[0], &c, 1) != 1 || c != 'r') {
		expect("child set up its spinning guest", 0, 1);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(fds[0]);
		return;
	}
	close(fds[0]);
	sleep_ms(1000);
	state = task_state(pid, pid);
	printf("# child state after 1 s in RUN: %c\n", state);
	expect("debugfs vms: the child's VM exists", read_debugfs("vms"),
	       baseline + 1);
	kill(pid, SIGKILL);
	for (i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		sleep_ms(100);
	}
	if (!expect("child in RUN dies of SIGKILL within 20 s", i < 200, 1))
		return;
	expect("child's status: killed by SIGKILL",
	       WIFSIGNALED(status) ? WTERMSIG(status) : -1000 - status, SIGKILL);
	expect("debugfs vms: the killed child's VM freed", vms_becomes(baseline),
	       baseline);
}

/*
 * A guest state VM entry must refuse (an unusable TR, SDM Vol. 3C
 * 26.3.1.2): RUN returns 0 with VMXLAB_EXIT_FAIL_ENTRY, basic reason 33
 * and the check vmxlab names, VMXLAB_CHECK_TR. With the state fixed, the
 * same vCPU runs.
 */
static void check_entry_failure(int dev)
{
	struct vmxlab_sregs sregs;
	struct guest g;

	if (guest_setup(dev, &g, out_code, sizeof(out_code))) {
		expect("guest setup for the entry-failure check", -1, 0);
		guest_teardown(&g);
		return;
	}
	xioctl(g.vcpu, VMXLAB_GET_SREGS, (unsigned long)&sregs);
	sregs.tr.unusable = 1;
	expect("SET_SREGS with an unusable TR (accepted; entry decides)",
	       xioctl(g.vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), 0);
	expect("RUN with an unusable TR", xioctl(g.vcpu, VMXLAB_RUN, 0), 0);
	expect("exit: VMXLAB_EXIT_FAIL_ENTRY", g.run->exit_reason,
	       VMXLAB_EXIT_FAIL_ENTRY);
	expect("basic reason 33 (invalid guest state)",
	       g.run->fail_entry.reason, 33);
	expect("check named: VMXLAB_CHECK_TR", g.run->fail_entry.check,
	       VMXLAB_CHECK_TR);
	sregs.tr.unusable = 0;
	xioctl(g.vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs);
	expect("RUN after fixing TR", xioctl(g.vcpu, VMXLAB_RUN, 0), 0);
	expect("then the guest's OUT to 0xf4",
	       g.run->exit_reason == VMXLAB_EXIT_IO && g.run->io.port == 0xf4, 1);
	guest_teardown(&g);
}

/*
 * The guest zeroes XMM0-3, then exits to userspace. This task's own XMM0-3,
 * loaded just before VMXLAB_RUN and read just after it (one asm block, so
 * nothing else touches them), must come back unchanged: the kernel swaps
 * the task's FPU state for the guest's while the guest runs.
 */
static const unsigned char xmm_code[] = {
	0x0f, 0x57, 0xc0,	/* xorps %xmm0, %xmm0 */
	0x0f, 0x57, 0xc9,	/* xorps %xmm1, %xmm1 */
	0x0f, 0x57, 0xd2,	/* xorps %xmm2, %xmm2 */
	0x0f, 0x57, 0xdb,	/* xorps %xmm3, %xmm3 */
	0xb0, 0x10,		/* mov $0x10, %al */
	0xe6, 0xf4,		/* out %al, $0xf4 */
	0xf4,			/* hlt */
};

static void check_host_fpu(int dev)
{
	unsigned long long in[8] __attribute__((aligned(16))), out[8];
	struct vmxlab_sregs sregs;
	struct guest g;
	long ret;
	int i;

	for (i = 0; i < 8; i++)
		in[i] = 0x0123456789abcdefULL * (i + 1);
	memset(out, 0, sizeof(out));
	if (guest_setup(dev, &g, xmm_code, sizeof(xmm_code))) {
		expect("guest setup for the FPU check", -1, 0);
		guest_teardown(&g);
		return;
	}
	/* SSE in real mode needs CR4.OSFXSR and CR0.EM clear. */
	xioctl(g.vcpu, VMXLAB_GET_SREGS, (unsigned long)&sregs);
	sregs.cr4 |= 0x200;
	sregs.cr0 &= ~4ULL;
	expect("SET_SREGS with CR4.OSFXSR",
	       xioctl(g.vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), 0);
	asm volatile("movdqu 0(%[in]), %%xmm0\n\t"
		     "movdqu 16(%[in]), %%xmm1\n\t"
		     "movdqu 32(%[in]), %%xmm2\n\t"
		     "movdqu 48(%[in]), %%xmm3\n\t"
		     "syscall\n\t"
		     "movdqu %%xmm0, 0(%[out])\n\t"
		     "movdqu %%xmm1, 16(%[out])\n\t"
		     "movdqu %%xmm2, 32(%[out])\n\t"
		     "movdqu %%xmm3, 48(%[out])\n\t"
		     : "=a" (ret)
		     : "a" ((long)SYS_ioctl), "D" ((long)g.vcpu),
		       "S" ((long)VMXLAB_RUN), "d" (0L), [in] "r" (in),
		       [out] "r" (out)
		     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3");
	expect("RUN of a guest that zeroes XMM0-3", ret, 0);
	expect("its exit is the OUT to port 0xf4",
	       g.run->exit_reason == VMXLAB_EXIT_IO && g.run->io.port == 0xf4, 1);
	expect("this task's XMM0-3 unchanged by the guest",
	       memcmp(in, out, 64) == 0, 1);
	guest_teardown(&g);
}

/*
 * The guest's debug registers are its own. This task sets a hardware
 * watchpoint on one of its variables (perf, so the kernel puts the
 * variable's address in DR0-DR3 and enables it in DR7 whenever this
 * thread runs); the guest reads DR0, DR7 and DR6 and must see its own
 * reset values, not the host's watchpoint. It then sets a breakpoint of
 * its own (DR0 and DR7), exits to userspace and reads both back. After the
 * guest, the host's watchpoint must still fire.
 * The old module had no MOV-DR exiting: the guest read the host's DR0 (the
 * watched address), and its DR7 was the host's.
 */
static const unsigned char dr_code[] = {
	0x0f, 0x21, 0xc0,		/* mov %dr0, %eax */
	0x66, 0xe7, 0x80,		/* out %eax, $0x80 */
	0x0f, 0x21, 0xf8,		/* mov %dr7, %eax */
	0x66, 0xe7, 0x80,		/* out %eax, $0x80 */
	0x0f, 0x21, 0xf0,		/* mov %dr6, %eax */
	0x66, 0xe7, 0x80,		/* out %eax, $0x80 */
	0x66, 0xb8, 0x00, 0x50, 0x00, 0x00,	/* mov $0x5000, %eax */
	0x0f, 0x23, 0xc0,		/* mov %eax, %dr0 */
	0x66, 0xb8, 0x01, 0x00, 0x0d, 0x00,	/* mov $0xd0001, %eax */
	0x0f, 0x23, 0xf8,		/* mov %eax, %dr7: L0, write, 4 bytes */
	0xe6, 0x81,			/* out %al, $0x81 */
	0x0f, 0x21, 0xc0,		/* mov %dr0, %eax */
	0x66, 0xe7, 0x80,		/* out %eax, $0x80 */
	0x0f, 0x21, 0xf8,		/* mov %dr7, %eax */
	0x66, 0xe7, 0x80,		/* out %eax, $0x80 */
	0xf4,				/* hlt */
};

static volatile int watched;

/* A write watchpoint on @watched for this thread; the perf fd, or -1. */
static int watch_variable(void)
{
	struct perf_event_attr pe;

	memset(&pe, 0, sizeof(pe));
	pe.type = PERF_TYPE_BREAKPOINT;
	pe.size = sizeof(pe);
	pe.bp_type = HW_BREAKPOINT_W;
	pe.bp_addr = (unsigned long)&watched;
	pe.bp_len = HW_BREAKPOINT_LEN_4;
	pe.sample_period = 1;
	pe.exclude_kernel = 1;
	return syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
}

static long long perf_count(int fd)
{
	long long n = -1;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

/* RUN and return the 32-bit OUT to port 0x80, or -1. */
static long long run_out80(struct guest *g)
{
	const __u8 *data = (const __u8 *)g->run + VMXLAB_RUN_IO_DATA_OFFSET;
	__u32 v;

	if (xioctl(g->vcpu, VMXLAB_RUN, 0) || g->run->exit_reason != VMXLAB_EXIT_IO ||
	    g->run->io.port != 0x80 || g->run->io.size != 4)
		return -1;
	memcpy(&v, data, 4);
	return v;
}

static void check_debug_registers(int dev)
{
	long long before, after, fires, dr0;
	struct guest g;
	char got[64];
	int pfd;

	pfd = watch_variable();
	if (!expect_that("perf_event_open: a hardware write watchpoint", pfd >= 0,
			 strerror(errno), "a perf fd (needs CONFIG_PERF_EVENTS)"))
		return;
	before = perf_count(pfd);
	watched++;
	fires = perf_count(pfd) - before;
	/* Bochs may not implement data breakpoints: then only the reads count. */
	printf("# the host watchpoint fires %lld time(s) per write before any guest\n",
	       fires);
	if (guest_setup(dev, &g, dr_code, sizeof(dr_code))) {
		expect("guest setup for the debug-register check", -1, 0);
		close(pfd);
		return;
	}
	dr0 = run_out80(&g);
	snprintf(got, sizeof(got), "%#llx (the watchpoint is at %p)", dr0,
		 (void *)&watched);
	expect_that("guest DR0: its own reset value 0", dr0 == 0, got, "0");
	expect("guest DR7: its own reset value 0x400", run_out80(&g), 0x400);
	expect("guest DR6: its own reset value 0xffff0ff0", run_out80(&g),
	       0xffff0ff0);
	expect("RUN to the guest's OUT to port 0x81",
	       xioctl(g.vcpu, VMXLAB_RUN, 0) == 0 &&
	       g.run->exit_reason == VMXLAB_EXIT_IO && g.run->io.port == 0x81, 1);
	expect("guest DR0 as it wrote it, after an exit to userspace",
	       run_out80(&g), 0x5000);
	expect("guest DR7 as it wrote it, after an exit to userspace",
	       run_out80(&g), 0xd0401);
	expect("RUN to the guest's HLT",
	       xioctl(g.vcpu, VMXLAB_RUN, 0) == 0 &&
	       g.run->exit_reason == VMXLAB_EXIT_HLT, 1);
	guest_teardown(&g);
	before = perf_count(pfd);
	watched++;
	after = perf_count(pfd);
	expect("the host's watchpoint fires after the guest as before it",
	       after - before, fires);
	close(pfd);
}

/*
 * A guest whose page table for the address it loads from is not in its
 * RAM: 32-bit paging, the page directory in RAM, but the page table for
 * 4-8 MiB at an unbacked GPA. The load's page walk makes an EPT violation
 * on a paging-structure access (SDM Vol. 3C table 27-7: linear address
 * valid, not the translated access), which vmxlab does not emulate:
 * VMXLAB_INTERNAL_PAGE_WALK naming the page table's GPA. The old module
 * decoded the MOV at RIP instead and handed userspace an MMIO read of the
 * page table's address, as if the guest had asked for it.
 */
static const unsigned char pagewalk_code[] = {
	0xa1, 0x00, 0x00, 0x40, 0x00,	/* mov 0x400000, %eax */
	0xf4,				/* hlt */
};

#define PW_PD		0x8000		/* page directory, in RAM */
#define PW_PT		0x9000		/* page table of 0-4 MiB, in RAM */
#define PW_PT_MMIO	0xd0000000	/* page table of 4-8 MiB: no RAM */

static void flat32(struct vmxlab_segment *seg, __u8 type, __u16 sel)
{
	memset(seg, 0, sizeof(*seg));
	seg->limit = 0xffffffff;
	seg->selector = sel;
	seg->type = type;
	seg->s = 1;
	seg->present = 1;
	seg->db = 1;
	seg->g = 1;
}

static void check_page_walk_mmio(int dev)
{
	struct vmxlab_sregs sregs;
	struct guest g;
	__u32 *pd, *pt;
	int i;

	if (guest_setup(dev, &g, pagewalk_code, sizeof(pagewalk_code))) {
		expect("guest setup for the page-walk check", -1, 0);
		guest_teardown(&g);
		return;
	}
	pd = (__u32 *)(g.mem + PW_PD);
	pt = (__u32 *)(g.mem + PW_PT);
	for (i = 0; i < GUEST_MEM / 4096; i++)
		pt[i] = i * 4096 | 3;		/* present, writable */
	pd[0] = PW_PT | 3;
	pd[1] = PW_PT_MMIO | 3;
	xioctl(g.vcpu, VMXLAB_GET_SREGS, (unsigned long)&sregs);
	flat32(&sregs.cs, 0xb, 0x08);
	flat32(&sregs.ds, 3, 0x10);
	flat32(&sregs.es, 3, 0x10);
	flat32(&sregs.fs, 3, 0x10);
	flat32(&sregs.gs, 3, 0x10);
	flat32(&sregs.ss, 3, 0x10);
	sregs.tr.s = 0;
	sregs.tr.type = 0xb;		/* busy 32-bit TSS */
	sregs.cr0 = 0x80000011;		/* PG, ET, PE */
	sregs.cr3 = PW_PD;
	sregs.cr4 = 0;
	sregs.efer = 0;
	expect("SET_SREGS: 32-bit paging, a page table outside RAM",
	       xioctl(g.vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), 0);
	expect("RUN of the load through it", xioctl(g.vcpu, VMXLAB_RUN, 0), 0);
	expect("exit: VMXLAB_EXIT_INTERNAL_ERROR", g.run->exit_reason,
	       VMXLAB_EXIT_INTERNAL_ERROR);
	expect("internal.suberror: VMXLAB_INTERNAL_PAGE_WALK",
	       g.run->internal.suberror, VMXLAB_INTERNAL_PAGE_WALK);
	expect("internal.gpa: the page table entry's address",
	       g.run->internal.gpa, PW_PT_MMIO);
	guest_teardown(&g);
}

/*
 * Adding and deleting a small slot at ever new guest-physical addresses
 * must not grow the EPT: tables left empty are freed (debugfs ept_tables
 * counts them for all VMs). The old module freed them only with the VM:
 * two more table pages per round here.
 */
static void check_ept_tables(int dev)
{
	long before, after, peak = 0, t;
	void *mem;
	int vm, i;

	vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	if (!expect_that("CREATE_VM for the EPT-table check", vm >= 0,
			 strerror(-vm), "a VM fd"))
		return;
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	before = read_debugfs("ept_tables");
	for (i = 1; i <= 64 && mem != MAP_FAILED; i++) {
		if (set_region(vm, 1, 0, (__u64)i << 30, 4096, mem) ||
		    set_region(vm, 1, 0, 0, 0, NULL))
			break;
		t = read_debugfs("ept_tables");
		if (t > peak)
			peak = t;
	}
	after = read_debugfs("ept_tables");
	expect("64 rounds of add and delete at new addresses", i, 65);
	printf("# ept_tables: %ld before, at most %ld during, %ld after\n",
	       before, peak, after);
	expect_that("debugfs ept_tables: readable", before > 0,
		    "missing or 0", "at least this VM's root");
	expect("debugfs ept_tables: back where it started", after, before);
	if (mem != MAP_FAILED)
		munmap(mem, 4096);
	close(vm);
}

/*
 * Every order of closing a vCPU's three handles (the VM fd, the vCPU fd,
 * the run-page mapping) after a run frees the VM, with nothing left.
 */
static const char *const close_names[] = { "VM fd", "vCPU fd", "run page" };

static void close_handle(struct guest *g, int which)
{
	if (which == 0) {
		close(g->vm);
		g->vm = -1;
	} else if (which == 1) {
		close(g->vcpu);
		g->vcpu = -1;
	} else {
		munmap(g->run, g->run_size);
		g->run = NULL;
	}
}

static void check_close_orders(int dev, long baseline)
{
	static const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	char name[128];
	struct guest g;
	int i;

	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "close order %s, %s, %s: VM freed",
			 close_names[orders[i][0]], close_names[orders[i][1]],
			 close_names[orders[i][2]]);
		if (guest_setup(dev, &g, out_code, sizeof(out_code)) ||
		    xioctl(g.vcpu, VMXLAB_RUN, 0) ||
		    g.run->exit_reason != VMXLAB_EXIT_IO) {
			expect(name, -1, 0);
			guest_teardown(&g);
			continue;
		}
		close_handle(&g, orders[i][0]);
		close_handle(&g, orders[i][1]);
		close_handle(&g, orders[i][2]);
		expect(name, vms_becomes(baseline), baseline);
		guest_teardown(&g);
	}
}

/*
 * SIGKILL while SET_MEMORY_REGION pins a large region (the pages are
 * faulted in and pinned one by one): the process dies, every page pinned
 * so far is unpinned, the VM goes. Five times, at different moments; then
 * the same region pins and unpins normally.
 */
#define BIG_PIN		(64UL << 20)

static void check_sigkill_pin(int dev, long baseline)
{
	int status = 0, i, j, died = 0;
	void *mem;
	pid_t pid;
	int vm;

	for (i = 0; i < 5; i++) {
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
			mem = mmap(NULL, BIG_PIN, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (vm < 0 || mem == MAP_FAILED)
				_exit(3);
			for (;;)	/* pin, unpin, pin... until killed */
				if (set_region(vm, 0, 0, 0, BIG_PIN, mem) ||
				    set_region(vm, 0, 0, 0, 0, NULL))
					_exit(4);
		}
		if (pid < 0) {
			expect("fork", -errno, 0);
			return;
		}
		sleep_ms(50 + 70 * i);
		kill(pid, SIGKILL);
		for (j = 0; j < 300; j++) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			sleep_ms(100);
		}
		if (j == 300) {
			expect("a child pinning memory dies of SIGKILL within 30 s",
			       0, 1);
			return;
		}
		died += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
	}
	expect("5 children killed while pinning 64 MiB", died, 5);
	expect("debugfs vms: their VMs freed", vms_becomes(baseline), baseline);
	/* Nothing stayed pinned or charged: the same size pins again. */
	vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	mem = mmap(NULL, BIG_PIN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect("after them, 64 MiB pins in one slot",
	       vm >= 0 && mem != MAP_FAILED ?
	       set_region(vm, 0, 0, 0, BIG_PIN, mem) : -1, 0);
	expect("... and unpins", set_region(vm, 0, 0, 0, 0, NULL), 0);
	if (mem != MAP_FAILED)
		munmap(mem, BIG_PIN);
	if (vm >= 0)
		close(vm);
}

/*
 * 4 VMs with 2 vCPUs each, every vCPU run by its own thread (each RUN an
 * exit to userspace), created and closed in an order drawn from a seed:
 * VM fds closed while their vCPUs still run, vCPUs closed by their
 * threads. On two CPUs the threads contend for them and move between them.
 */
#define STRESS_VMS	4
#define STRESS_VCPUS	2
#define STRESS_RUNS	300

/* mov $0x10, %al; 1: out %al, $0x80; jmp 1b */
static const unsigned char loop_code[] = { 0xb0, 0x10, 0xe6, 0x80, 0xeb, 0xfc };

/* GET_EXIT_STATS into lat (size bytes); the ioctl's result. */
static long get_exit_stats(int vcpu, struct vmxlab_exit_stats *st,
			   struct vmxlab_exit_lat *lat, size_t size)
{
	memset(st, 0, sizeof(*st));
	st->size = size;
	st->data = (uintptr_t)lat;
	return xioctl(vcpu, VMXLAB_GET_EXIT_STATS, (unsigned long)st);
}

/* Samples of one reason and kind, disturbed or not. */
static __u64 samples(const struct vmxlab_exit_lat *lat, int reason, int kind)
{
	const struct vmxlab_exit_lat *l = &lat[reason * VMXLAB_LAT_NR_KINDS + kind];

	return l->count + l->disturbed;
}

/*
 * VMXLAB_SET_EXIT_STATS and VMXLAB_GET_EXIT_STATS (uapi/linux/vmxlab.h):
 * the errors, the layout, and the samples of a guest whose every RUN ends
 * with one OUT: each exit but the last is closed by the next entry.
 */
static void check_exit_stats(int dev)
{
	const size_t size = VMXLAB_NR_EXIT_REASONS * VMXLAB_LAT_NR_KINDS *
			    sizeof(struct vmxlab_exit_lat);
	const struct vmxlab_exit_lat *io;
	struct vmxlab_exit_lat *lat;
	struct vmxlab_exit_stats st;
	struct guest g;
	__u64 nonzero = 0;
	size_t i;
	int n;

	lat = malloc(size);
	if (!lat || guest_setup(dev, &g, loop_code, sizeof(loop_code))) {
		expect("exit stats: setup", -1, 0);
		free(lat);
		return;
	}
	expect("GET_EXIT_STATS, size 0: -E2BIG", get_exit_stats(g.vcpu, &st, NULL, 0), -E2BIG);
	expect("GET_EXIT_STATS: size needed", st.size, size);
	expect("GET_EXIT_STATS: layout", st.nr_reasons == VMXLAB_NR_EXIT_REASONS &&
	       st.nr_kinds == VMXLAB_LAT_NR_KINDS && st.nr_buckets == VMXLAB_LAT_BUCKETS &&
	       st.sub_bucket_bits == VMXLAB_LAT_SUB_BITS &&
	       st.record_size == sizeof(struct vmxlab_exit_lat), 1);
	expect("GET_EXIT_STATS: not collecting", st.flags, 0);
	memset(&st, 0, sizeof(st));
	st.size = size;
	st.data = (uintptr_t)lat;
	st.reserved[3] = 1;
	expect("GET_EXIT_STATS, reserved field set: -EINVAL",
	       xioctl(g.vcpu, VMXLAB_GET_EXIT_STATS, (unsigned long)&st), -EINVAL);
	expect("GET_EXIT_STATS, data at address 8: -EFAULT",
	       get_exit_stats(g.vcpu, &st, (void *)8, size), -EFAULT);
	memset(lat, 0xa5, size);
	expect("GET_EXIT_STATS, never collected", get_exit_stats(g.vcpu, &st, lat, size), 0);
	for (i = 0; i < size / sizeof(__u32); i++)
		nonzero |= ((__u32 *)lat)[i];
	expect("GET_EXIT_STATS, never collected: all zero", nonzero, 0);

	expect("SET_EXIT_STATS 0: -EINVAL", xioctl(g.vcpu, VMXLAB_SET_EXIT_STATS, 0), -EINVAL);
	expect("SET_EXIT_STATS ON|OFF: -EINVAL",
	       xioctl(g.vcpu, VMXLAB_SET_EXIT_STATS, VMXLAB_STATS_ON | VMXLAB_STATS_OFF),
	       -EINVAL);
	expect("SET_EXIT_STATS unknown bit: -EINVAL",
	       xioctl(g.vcpu, VMXLAB_SET_EXIT_STATS, 0x8), -EINVAL);
	expect("SET_EXIT_STATS ON", xioctl(g.vcpu, VMXLAB_SET_EXIT_STATS, VMXLAB_STATS_ON), 0);
	for (n = 0; n < 11; n++)
		if (xioctl(g.vcpu, VMXLAB_RUN, 0) || g.run->exit_reason != VMXLAB_EXIT_IO)
			break;
	expect("11 RUNs, each an OUT", n, 11);
	expect("GET_EXIT_STATS after 11 OUTs", get_exit_stats(g.vcpu, &st, lat, size), 0);
	expect("GET_EXIT_STATS: collecting", st.flags, VMXLAB_STATS_ON);
	io = &lat[EXIT_REASON_IO * VMXLAB_LAT_NR_KINDS];
	expect("I/O round trips: 10 (the 11th is still open)",
	       samples(lat, EXIT_REASON_IO, VMXLAB_LAT_ROUND_TRIP), 10);
	expect("I/O user parts: 10", samples(lat, EXIT_REASON_IO, VMXLAB_LAT_USER), 10);
	expect("I/O kernel parts: 10", samples(lat, EXIT_REASON_IO, VMXLAB_LAT_KERNEL), 10);
	expect("I/O: kernel + user = round trip",
	       io[VMXLAB_LAT_KERNEL].sum + io[VMXLAB_LAT_USER].sum ==
	       io[VMXLAB_LAT_ROUND_TRIP].sum, 1);
	expect("I/O round trip: min <= max, both within the sum",
	       io[VMXLAB_LAT_ROUND_TRIP].min <= io[VMXLAB_LAT_ROUND_TRIP].max &&
	       io[VMXLAB_LAT_ROUND_TRIP].max <= io[VMXLAB_LAT_ROUND_TRIP].sum, 1);

	expect("SET_EXIT_STATS OFF", xioctl(g.vcpu, VMXLAB_SET_EXIT_STATS, VMXLAB_STATS_OFF), 0);
	for (n = 0; n < 3; n++)
		xioctl(g.vcpu, VMXLAB_RUN, 0);
	get_exit_stats(g.vcpu, &st, lat, size);
	expect("OFF: not collecting", st.flags, 0);
	expect("OFF: 3 more RUNs add no sample",
	       samples(lat, EXIT_REASON_IO, VMXLAB_LAT_ROUND_TRIP), 10);
	expect("SET_EXIT_STATS RESET",
	       xioctl(g.vcpu, VMXLAB_SET_EXIT_STATS, VMXLAB_STATS_RESET), 0);
	get_exit_stats(g.vcpu, &st, lat, size);
	expect("RESET: no sample left", samples(lat, EXIT_REASON_IO, VMXLAB_LAT_ROUND_TRIP) |
	       io[VMXLAB_LAT_ROUND_TRIP].sum, 0);
	guest_teardown(&g);
	free(lat);
}

/* The first @nr records are all the guest's OUT exits. */
static int io_records_only(const struct vmxlab_trace_rec *rec, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (rec[i].reason != EXIT_REASON_IO)
			return 0;
	return 1;
}

/*
 * VMXLAB_SET_TRACE and the ring (uapi/linux/vmxlab.h): the errors, one
 * record per exit once the next entry completes it, VMXLAB_EXIT_TRACE_FULL
 * instead of a lost record, a reader's bogus tail taken for a full ring,
 * and VMXLAB_TRACE_DROP's count.
 *
 * Every exit takes a record, also one the guest did not make: a host
 * interrupt or the end of the time slice between two OUTs (the nested
 * lane once got four OUTs from five RUNs). Such an attempt is disturbed
 * and, unless @last, ends early (return 1) for the caller to try again on
 * a new vCPU.
 */
static int trace_ring_attempt(int dev, int last)
{
	struct vmxlab_trace_setup ts;
	struct vmxlab_trace_ring *ring;
	const struct vmxlab_trace_rec *rec;
	size_t size = VMXLAB_TRACE_BYTES(4);
	struct guest g;
	int i, n, ok;

	if (guest_setup(dev, &g, loop_code, sizeof(loop_code))) {
		expect("trace ring: setup", -1, 0);
		return 0;
	}
	ring = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g.vcpu,
		    VMXLAB_TRACE_MMAP_OFFSET);
	expect("mmap of the trace ring before SET_TRACE: ENODEV",
	       ring == MAP_FAILED ? -errno : 0, -ENODEV);
	memset(&ts, 0, sizeof(ts));
	ts.nr = 3;
	expect("SET_TRACE nr 3: -EINVAL", xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts),
	       -EINVAL);
	ts.nr = VMXLAB_TRACE_MAX * 2;
	expect("SET_TRACE nr 2^21: -EINVAL", xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts),
	       -EINVAL);
	ts.nr = 4;
	ts.flags = 2;
	expect("SET_TRACE unknown flag: -EINVAL",
	       xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts), -EINVAL);
	ts.flags = 0;
	ts.reserved[2] = 1;
	expect("SET_TRACE reserved word set: -EINVAL",
	       xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts), -EINVAL);
	ts.reserved[2] = 0;
	expect("SET_TRACE nr 4", xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts), 0);
	ring = mmap(NULL, 2 * 4096 + size, PROT_READ, MAP_SHARED, g.vcpu,
		    VMXLAB_TRACE_MMAP_OFFSET);
	expect("mmap beyond the ring: EINVAL", ring == MAP_FAILED ? -errno : 0, -EINVAL);
	ring = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, g.vcpu,
		    VMXLAB_TRACE_MMAP_OFFSET);
	if (ring == MAP_FAILED) {
		expect("mmap of the trace ring", -errno, 0);
		guest_teardown(&g);
		return 0;
	}
	expect("ring: nr 4, empty", ring->nr == 4 && !ring->head && !ring->tail, 1);
	rec = (const void *)((char *)ring + VMXLAB_TRACE_RECS_OFFSET);

	/* Five RUNs, five OUTs: four complete records. */
	for (n = 0; n < 5; n++)
		if (xioctl(g.vcpu, VMXLAB_RUN, 0) || g.run->exit_reason != VMXLAB_EXIT_IO)
			break;
	if (!last && (n != 5 || ring->head != 4 || !io_records_only(rec, 4)))
		goto disturbed;
	expect("5 RUNs, each an OUT", n, 5);
	expect("ring head after 5 exits: 4", ring->head, 4);
	for (i = 0, ok = 1; i < 4; i++)
		ok &= rec[i].reason == EXIT_REASON_IO && rec[i].rip == CODE_GPA + 2 &&
		      (rec[i].flags & VMXLAB_TRACE_REC_USER) &&
		      rec[i].qualification == ((0x80U << 16) | 0x40) &&
		      rec[i].tsc_exit < rec[i].tsc_entry &&
		      (i == 0 || rec[i - 1].tsc_entry < rec[i].tsc_exit);
	expect("records: I/O exits at the OUT, port 0x80, via userspace, in time order", ok, 1);
	expect("RUN with the ring full: VMXLAB_EXIT_TRACE_FULL",
	       !xioctl(g.vcpu, VMXLAB_RUN, 0) && g.run->exit_reason == VMXLAB_EXIT_TRACE_FULL, 1);
	expect("and again, while nobody reads",
	       !xioctl(g.vcpu, VMXLAB_RUN, 0) && g.run->exit_reason == VMXLAB_EXIT_TRACE_FULL, 1);
	__atomic_store_n(&ring->tail, 4 + 100, __ATOMIC_RELEASE);
	expect("a tail beyond the head counts as full",
	       !xioctl(g.vcpu, VMXLAB_RUN, 0) && g.run->exit_reason == VMXLAB_EXIT_TRACE_FULL, 1);
	__atomic_store_n(&ring->tail, 4, __ATOMIC_RELEASE);
	expect("drained: RUN goes on to the next OUT",
	       !xioctl(g.vcpu, VMXLAB_RUN, 0) && g.run->exit_reason == VMXLAB_EXIT_IO, 1);
	expect("the waiting record written: head 5, none dropped",
	       ring->head == 5 && ring->dropped == 0 && rec[0].reason == EXIT_REASON_IO, 1);

	ts.flags = VMXLAB_TRACE_DROP;
	expect("SET_TRACE again, VMXLAB_TRACE_DROP",
	       xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts), 0);
	expect("ring starts over", ring->head == 0 && ring->tail == 0, 1);
	for (n = 0; n < 8; n++)
		if (xioctl(g.vcpu, VMXLAB_RUN, 0) || g.run->exit_reason != VMXLAB_EXIT_IO)
			break;
	if (!last && (n != 8 || ring->head != 4 || ring->dropped != 3 ||
		      !io_records_only(rec, 4)))
		goto disturbed;
	expect("DROP: 8 RUNs without a reader, each an OUT", n, 8);
	expect("DROP: 4 written, 3 dropped (the 8th waits)",
	       ring->head == 4 && ring->dropped == 3, 1);
	ts.nr = 8;
	expect("SET_TRACE with another size: -EBUSY",
	       xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts), -EBUSY);
	ts.nr = 0;
	expect("SET_TRACE nr 0 stops", xioctl(g.vcpu, VMXLAB_SET_TRACE, (unsigned long)&ts), 0);
	__atomic_store_n(&ring->tail, 4, __ATOMIC_RELEASE);
	xioctl(g.vcpu, VMXLAB_RUN, 0);
	xioctl(g.vcpu, VMXLAB_RUN, 0);
	expect("stopped: no record more", ring->head == 4 && ring->dropped == 3, 1);
	munmap(ring, size);
	guest_teardown(&g);
	return 0;

disturbed:
	printf("# trace ring: an exit besides the guest's OUTs took a record\n"
	       "# (head %llu, dropped %llu); again on a new vCPU\n",
	       (unsigned long long)ring->head, (unsigned long long)ring->dropped);
	munmap(ring, size);
	guest_teardown(&g);
	return 1;
}

/* Up to three attempts: the last one's checks count whatever happens. */
static void check_trace_ring(int dev)
{
	int attempt;

	for (attempt = 1; attempt <= 3; attempt++)
		if (!trace_ring_attempt(dev, attempt == 3))
			break;
}

struct stress_vcpu {
	int fd;
	long run_size;
	struct vmxlab_run *run;
	int ok;		/* RUNs that gave the expected exit */
	long err;	/* the first unexpected result */
};

static void *stress_thread(void *arg)
{
	struct stress_vcpu *sv = arg;
	long r;
	int i;

	for (i = 0; i < STRESS_RUNS; i++) {
		r = xioctl(sv->fd, VMXLAB_RUN, 0);
		if (r || sv->run->exit_reason != VMXLAB_EXIT_IO ||
		    sv->run->io.port != 0x80) {
			sv->err = r ? r : 1000 + sv->run->exit_reason;
			break;
		}
		sv->ok++;
	}
	munmap(sv->run, sv->run_size);
	close(sv->fd);
	return NULL;
}

static void check_vms_and_threads(int dev, long baseline)
{
	struct stress_vcpu sv[STRESS_VMS][STRESS_VCPUS];
	pthread_t th[STRESS_VMS][STRESS_VCPUS];
	int vm[STRESS_VMS], order[STRESS_VMS], i, j, k, t;
	long run_size = xioctl(dev, VMXLAB_GET_RUN_SIZE, 0);
	unsigned char *mem[STRESS_VMS];
	unsigned int seed = (unsigned int)time(NULL);
	int started = 0, good = 0;
	char got[64];

	printf("# 4 VMs x 2 vCPU threads, order seed %u\n", seed);
	srand(seed);
	for (i = 0; i < STRESS_VMS; i++)
		order[i] = i;
	for (i = STRESS_VMS - 1; i > 0; i--) {
		j = rand() % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (k = 0; k < STRESS_VMS; k++) {
		i = order[k];
		vm[i] = xioctl(dev, VMXLAB_CREATE_VM, 0);
		mem[i] = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (vm[i] < 0 || mem[i] == MAP_FAILED) {
			expect("CREATE_VM and memory for the thread check", -1, 0);
			return;
		}
		memcpy(mem[i] + CODE_GPA, loop_code, sizeof(loop_code));
		set_region(vm[i], 0, 0, 0, GUEST_MEM, mem[i]);
		for (j = rand() % 2, t = 0; t < STRESS_VCPUS; t++, j ^= 1) {
			memset(&sv[i][j], 0, sizeof(sv[i][j]));
			sv[i][j].run_size = run_size;
			sv[i][j].fd = vcpu_setup(vm[i], j, run_size,
						 &sv[i][j].run);
			if (sv[i][j].fd < 0 ||
			    pthread_create(&th[i][j], NULL, stress_thread,
					   &sv[i][j])) {
				sv[i][j].fd = -1;
				continue;
			}
			started++;
		}
		/* Half the VM fds go while their vCPUs run. */
		if (rand() % 2) {
			close(vm[i]);
			vm[i] = -1;
		}
	}
	for (i = 0; i < STRESS_VMS; i++) {
		for (j = 0; j < STRESS_VCPUS; j++) {
			if (sv[i][j].fd < 0)
				continue;
			pthread_join(th[i][j], NULL);
			if (sv[i][j].ok == STRESS_RUNS)
				good++;
			else
				printf("# VM %d vCPU %d: %d runs, then %ld\n", i, j,
				       sv[i][j].ok, sv[i][j].err);
		}
		if (vm[i] >= 0)
			close(vm[i]);
	}
	expect("8 vCPU threads started", started, STRESS_VMS * STRESS_VCPUS);
	snprintf(got, sizeof(got), "%d of %d", good, started);
	expect_that("every thread's 300 RUNs gave the guest's OUT",
		    good == STRESS_VMS * STRESS_VCPUS, got, "all 8");
	expect("debugfs vms: all 4 VMs freed", vms_becomes(baseline), baseline);
	for (i = 0; i < STRESS_VMS; i++)
		munmap(mem[i], GUEST_MEM);
}

/*
 * 64-bit mode ignores the CS base (SDM Vol. 3A 3.2.4); the instruction an
 * MMIO exit decodes is the one at RIP, whatever CS.base the VMCS holds.
 * 4-level paging: 0-2 MiB and 0xc0000000-0xffffffff identity-mapped with
 * 2 MiB pages; CS.base 0x5000; the guest loads from 0xd0000000 (no RAM).
 * The old module fetched at CS.base + RIP and failed to decode.
 */
static const unsigned char lm_mmio_code[] = {
	0xbb, 0x00, 0x00, 0x00, 0xd0,	/* mov $0xd0000000, %ebx */
	0x8b, 0x03,			/* mov (%rbx), %eax */
	0xf4,				/* hlt */
};

#define LM_PML4		0x8000
#define LM_PDPT		0x9000
#define LM_PD0		0xa000		/* 0-1 GiB */
#define LM_PD3		0xb000		/* 3-4 GiB */

static void check_lm_cs_base(int dev)
{
	struct vmxlab_sregs sregs;
	struct guest g;
	__u64 *t;
	int i;

	if (guest_setup(dev, &g, lm_mmio_code, sizeof(lm_mmio_code))) {
		expect("guest setup for the 64-bit CS.base check", -1, 0);
		guest_teardown(&g);
		return;
	}
	t = (__u64 *)(g.mem + LM_PML4);
	t[0] = LM_PDPT | 3;
	t = (__u64 *)(g.mem + LM_PDPT);
	t[0] = LM_PD0 | 3;
	t[3] = LM_PD3 | 3;
	t = (__u64 *)(g.mem + LM_PD0);
	t[0] = 0x83;				/* 2 MiB page at 0 */
	t = (__u64 *)(g.mem + LM_PD3);
	for (i = 0; i < 512; i++)
		t[i] = (0xc0000000ULL + ((__u64)i << 21)) | 0x83;
	xioctl(g.vcpu, VMXLAB_GET_SREGS, (unsigned long)&sregs);
	flat32(&sregs.cs, 0xb, 0x08);
	sregs.cs.db = 0;
	sregs.cs.l = 1;
	sregs.cs.base = 0x5000;		/* ignored in 64-bit mode */
	flat32(&sregs.ds, 3, 0x10);
	flat32(&sregs.es, 3, 0x10);
	flat32(&sregs.ss, 3, 0x10);
	sregs.tr.s = 0;
	sregs.tr.type = 0xb;
	sregs.cr0 = 0x80000011;		/* PG, ET, PE */
	sregs.cr3 = LM_PML4;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LME, LMA */
	expect("SET_SREGS: 64-bit mode with CS.base 0x5000",
	       xioctl(g.vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), 0);
	expect("RUN of a load from 0xd0000000", xioctl(g.vcpu, VMXLAB_RUN, 0),
	       0);
	expect("exit: VMXLAB_EXIT_MMIO (the MOV at RIP, not at CS.base + RIP)",
	       g.run->exit_reason, VMXLAB_EXIT_MMIO);
	expect("mmio.phys_addr 0xd0000000", g.run->mmio.phys_addr, 0xd0000000);
	expect("mmio: a 4-byte read", g.run->mmio.len * 2 + g.run->mmio.is_write,
	       8);
	guest_teardown(&g);
}

/*
 * REP INSB into a read-only slot: the data is dropped, as a ROM drops it,
 * and the instruction completes. The old module never completed it: the
 * guest executed the INS again at every run.
 */
static const unsigned char ins_rom_code[] = {
	0xb8, 0x00, 0x20,		/* mov $0x2000, %ax */
	0x8e, 0xc0,			/* mov %ax, %es (ES base 0x20000) */
	0x31, 0xff,			/* xor %di, %di */
	0xb9, 0x04, 0x00,		/* mov $4, %cx */
	0xba, 0x10, 0x05,		/* mov $0x510, %dx */
	0xf3, 0x6c,			/* rep insb */
	0xf4,				/* hlt */
};

static void check_ins_readonly(int dev)
{
	struct vmxlab_regs regs;
	struct guest g;
	void *rom;
	int i;

	if (guest_setup(dev, &g, ins_rom_code, sizeof(ins_rom_code))) {
		expect("guest setup for the INS-into-ROM check", -1, 0);
		guest_teardown(&g);
		return;
	}
	rom = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!expect("mmap for the read-only slot", rom != MAP_FAILED, 1)) {
		guest_teardown(&g);
		return;
	}
	memset(rom, 0x5a, 4096);
	expect("a read-only slot at 0x20000",
	       set_region(g.vm, 1, VMXLAB_MEM_READONLY, 0x20000, 4096, rom), 0);
	for (i = 0; i < 5; i++) {
		if (xioctl(g.vcpu, VMXLAB_RUN, 0) ||
		    g.run->exit_reason != VMXLAB_EXIT_IO)
			break;
		memset((char *)g.run + g.run->io.data_offset, 0xa5,
		       g.run->io.count * g.run->io.size);
	}
	expect("REP INSB into a read-only slot completes: the guest reaches HLT",
	       g.run->exit_reason, VMXLAB_EXIT_HLT);
	expect("... after one exit for its data", i, 1);
	xioctl(g.vcpu, VMXLAB_GET_REGS, (unsigned long)&regs);
	expect("... with DI past the 4 bytes and CX 0",
	       (regs.rdi & 0xffff) == 4 && (regs.rcx & 0xffff) == 0, 1);
	expect("the read-only memory is unchanged", ((unsigned char *)rom)[0],
	       0x5a);
	guest_teardown(&g);
	munmap(rom, 4096);
}

/*
 * SET_SREGS, like SET_REGS, abandons an exit userspace had not completed:
 * the IN the guest was in is executed again, not completed with whatever
 * the run page holds. The old module completed it.
 */
static void check_sregs_drops_pending(int dev)
{
	struct vmxlab_sregs sregs;
	struct guest g;
	__u64 rip;

	/* out_code: OUT 0xf4, HLT, IN 0x60, OUT 0xf4, HLT */
	if (guest_setup(dev, &g, out_code, sizeof(out_code))) {
		expect("guest setup for the SET_SREGS check", -1, 0);
		guest_teardown(&g);
		return;
	}
	xioctl(g.vcpu, VMXLAB_RUN, 0);		/* the OUT to 0xf4 */
	xioctl(g.vcpu, VMXLAB_RUN, 0);		/* HLT */
	expect("RUN to the IN from port 0x60",
	       xioctl(g.vcpu, VMXLAB_RUN, 0) == 0 &&
	       g.run->exit_reason == VMXLAB_EXIT_IO &&
	       g.run->io.direction == VMXLAB_IO_IN && g.run->io.port == 0x60, 1);
	rip = g.run->rip;
	xioctl(g.vcpu, VMXLAB_GET_SREGS, (unsigned long)&sregs);
	expect("SET_SREGS while the IN is pending",
	       xioctl(g.vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), 0);
	expect("RUN: the same IN again, not completed",
	       xioctl(g.vcpu, VMXLAB_RUN, 0) == 0 &&
	       g.run->exit_reason == VMXLAB_EXIT_IO &&
	       g.run->io.port == 0x60 && g.run->rip == rip, 1);
	guest_teardown(&g);
}

/*
 * With every VPID in use (injected through debugfs fail_vpid), a new vCPU
 * runs without one: CREATE_VCPU succeeds and the guest runs as well. The
 * old module failed CREATE_VCPU with an undocumented ENOSPC.
 */
static void check_no_vpid(int dev)
{
	struct guest g;

	if (!expect("debugfs fail_vpid: arm 1", write_debugfs("fail_vpid", 1),
		    0))
		return;
	if (!expect("a vCPU created with no VPID left",
		    guest_setup(dev, &g, out_code, sizeof(out_code)), 0)) {
		write_debugfs("fail_vpid", 0);
		guest_teardown(&g);
		return;
	}
	expect("debugfs fail_vpid: the injected exhaustion used",
	       read_debugfs("fail_vpid"), 0);
	expect("it runs: the guest's OUT to port 0xf4",
	       xioctl(g.vcpu, VMXLAB_RUN, 0) == 0 &&
	       g.run->exit_reason == VMXLAB_EXIT_IO && g.run->io.port == 0xf4, 1);
	expect("and on to its HLT",
	       xioctl(g.vcpu, VMXLAB_RUN, 0) == 0 &&
	       g.run->exit_reason == VMXLAB_EXIT_HLT, 1);
	guest_teardown(&g);
}

/*
 * Slot memory stays pinned (FOLL_LONGTERM) as long as the slot exists.
 * Anonymous memory (check_memory_regions) and shmem, here a memfd, are
 * accepted. A MAP_SHARED mapping of a file outside shmem and hugetlbfs is
 * refused with EINVAL: the guest would write page-cache pages that the
 * filesystem may be writing back, behind its dirty tracking (later kernels
 * refuse such a pin themselves). ramfs stands for such a filesystem here
 * because it is always built in; the rule goes by the kind of filesystem.
 * A MAP_PRIVATE mapping of the same file is accepted: the writable pin
 * breaks copy-on-write into anonymous pages.
 *
 * Old module: pins whatever pin_user_pages() pins, and 6.1 pins a shared
 * ramfs mapping, so the EINVAL check fails.
 */
static void check_memory_kinds(int dev)
{
	char dir[] = "/tmp/vmxlab-ramfs.XXXXXX", path[64];
	const size_t size = 2 << 20;
	const __u64 gpa = 0x400000;
	void *shared = MAP_FAILED, *priv = MAP_FAILED, *mfd_mem = MAP_FAILED;
	int vm, fd = -1, mfd = -1, mounted = 0;
	long r;

	vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	if (!expect("CREATE_VM for the memory-kind checks", vm < 0 ? vm : 0, 0))
		return;
	path[0] = 0;
	if (!mkdtemp(dir)) {
		expect("mkdtemp for the ramfs mount", -errno, 0);
		dir[0] = 0;
		goto out;
	}
	if (!expect("mount ramfs",
		    mount("ramfs", dir, "ramfs", 0, NULL) < 0 ? -errno : 0, 0))
		goto out;
	mounted = 1;
	snprintf(path, sizeof(path), "%s/mem", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (!expect("create a file on ramfs", fd < 0 ? -errno : 0, 0))
		goto out;
	if (!expect("ftruncate the ramfs file to 2 MiB",
		    ftruncate(fd, size) < 0 ? -errno : 0, 0))
		goto out;
	shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	priv = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (!expect("mmap the ramfs file MAP_SHARED and MAP_PRIVATE",
		    shared == MAP_FAILED || priv == MAP_FAILED ? -errno : 0, 0))
		goto out;

	r = set_region(vm, 0, 0, gpa, size, shared);
	expect("SET_MEMORY_REGION of a MAP_SHARED ramfs file: EINVAL", r,
	       -EINVAL);
	if (r == 0)	/* wrongly accepted: out of the way of the next ones */
		set_region(vm, 0, 0, gpa, 0, NULL);
	expect("SET_MEMORY_REGION of a MAP_PRIVATE ramfs file",
	       set_region(vm, 0, 0, gpa, size, priv), 0);
	expect("SET_MEMORY_REGION delete the MAP_PRIVATE file slot",
	       set_region(vm, 0, 0, gpa, 0, NULL), 0);

	mfd = memfd_create("vmxlab-slot", MFD_CLOEXEC);
	if (!expect("memfd_create and ftruncate to 2 MiB",
		    mfd < 0 || ftruncate(mfd, size) < 0 ? -errno : 0, 0))
		goto out;
	mfd_mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (!expect("mmap the memfd MAP_SHARED",
		    mfd_mem == MAP_FAILED ? -errno : 0, 0))
		goto out;
	expect("SET_MEMORY_REGION of a MAP_SHARED memfd",
	       set_region(vm, 0, 0, gpa, size, mfd_mem), 0);
	expect("SET_MEMORY_REGION delete the memfd slot",
	       set_region(vm, 0, 0, gpa, 0, NULL), 0);

out:
	close(vm);	/* frees any slot a failed check left */
	if (mfd_mem != MAP_FAILED)
		munmap(mfd_mem, size);
	if (mfd >= 0)
		close(mfd);
	if (priv != MAP_FAILED)
		munmap(priv, size);
	if (shared != MAP_FAILED)
		munmap(shared, size);
	if (fd >= 0)
		close(fd);
	if (path[0])
		unlink(path);
	if (mounted && umount2(dir, 0) < 0 && umount2(dir, MNT_DETACH) < 0)
		printf("# umount %s: %s\n", dir, strerror(errno));
	if (dir[0])
		rmdir(dir);
}

/* What the child of check_other_process tries, in order; all want EPERM. */
static const char * const other_process_ops[] = {
	"CREATE_VCPU 5",
	"SET_MEMORY_REGION adding slot 1 (the child's memory)",
	"SET_MEMORY_REGION deleting slot 0",
	"RUN",
	"GET_REGS",
};

#define NR_OTHER_OPS	ARRAY_SIZE(other_process_ops)

/*
 * child_results: fn(ctx, res) in a forked child, which sends the @size
 * bytes of @res back through a pipe. Return: 0 if they all came within a
 * minute, else -1 after an expect() that says so (the child is killed
 * then); *status is the child's wait status either way.
 */
static int child_results(void (*fn)(void *ctx, long *res), void *ctx,
			 long *res, size_t size, int *status)
{
	struct pollfd pfd;
	ssize_t n = -1;
	int fds[2];
	pid_t pid;

	*status = 0;
	if (!expect("pipe", pipe(fds) < 0 ? -errno : 0, 0))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		fn(ctx, res);
		_exit(write(fds[1], res, size) == (ssize_t)size ? 0 : 4);
	}
	close(fds[1]);
	if (pid < 0) {
		expect("fork", -errno, 0);
		close(fds[0]);
		return -1;
	}
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 60000) == 1)
		n = read(fds[0], res, size);
	close(fds[0]);
	if (n != (ssize_t)size)
		kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return expect("the child reported its results", n, size) ? 0 : -1;
}

/* The child's side: each result (or -errno) in RES, in the order above. */
static void other_process_child(void *ctx, long *res)
{
	const struct guest *g = ctx;

	struct vmxlab_regs regs;
	void *mem;

	res[0] = xioctl(g->vm, VMXLAB_CREATE_VCPU, 5);
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	res[1] = mem == MAP_FAILED ? -ENOMEM :
		 set_region(g->vm, 1, 0, 0x100000, GUEST_MEM, mem);
	res[2] = set_region(g->vm, 0, 0, 0, 0, NULL);
	res[3] = xioctl(g->vcpu, VMXLAB_RUN, 0);
	res[4] = xioctl(g->vcpu, VMXLAB_GET_REGS, (unsigned long)&regs);
}

/*
 * A VM belongs to the process that created it (its mm). After fork() the
 * child holds the same VM and vCPU fds, but every VM and vCPU ioctl it
 * makes fails with EPERM; the parent's VM is left as it was, and its first
 * RUN still gets the guest's first OUT.
 *
 * Old module: only adding a slot checks the mm. The child creates vCPU 5,
 * deletes slot 0 (unpinning the parent's guest memory), runs the guest to
 * its OUT and reads the registers; the parent's RUN then gets no OUT.
 */
/*
 * RLIMIT_MEMLOCK for a slot (module/vm.c, slot_add()): a caller without
 * CAP_IPC_LOCK may pin only as much as its limit allows, and is refused
 * before anything is allocated or pinned for the slot. A forked child
 * makes its own VM (a VM belongs to its creator's address space), drops
 * CAP_IPC_LOCK, sets the limit to MEMLOCK_LIMIT and reports the results
 * of the steps below through a pipe.
 */
#define MEMLOCK_LIMIT	0x10000		/* 64 KiB */

enum memlock_step {
	ML_OVER,	/* 128 KiB of RAM: over the limit */
	ML_OVER_NONE,	/* 128 KiB of PROT_NONE: still the limit's -ENOMEM */
	ML_FIT,		/* 32 KiB: fits */
	ML_FIT_VMLCK,	/* ... VmLck grew by 32 (kB) */
	ML_REST,	/* 48 KiB more: over (32 + 48 > 64) */
	ML_DELETE,	/* delete the 32 KiB slot */
	ML_DELETE_VMLCK, /* ... VmLck back where it was */
	NR_ML_STEPS
};

static const char *const memlock_steps[NR_ML_STEPS] = {
	"RLIMIT_MEMLOCK 64 KiB: a 128 KiB slot: ENOMEM",
	"RLIMIT_MEMLOCK 64 KiB: a 128 KiB slot of PROT_NONE memory: ENOMEM (the limit checked before pinning, which would be EFAULT)",
	"RLIMIT_MEMLOCK 64 KiB: a 32 KiB slot",
	"RLIMIT_MEMLOCK 64 KiB: VmLck grew by 32 kB",
	"RLIMIT_MEMLOCK 64 KiB: 48 KiB more: ENOMEM",
	"RLIMIT_MEMLOCK 64 KiB: delete the 32 KiB slot",
	"RLIMIT_MEMLOCK 64 KiB: VmLck back to the start",
};

static const long memlock_want[NR_ML_STEPS] = {
	-ENOMEM, -ENOMEM, 0, 32, -ENOMEM, 0, 0,
};

/* VmLck of this process in kB (mm->locked_vm), or -1. */
static long vm_locked_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void memlock_child(void *ctx, long *res)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct caps[2];
	struct rlimit lim = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	unsigned char *ram, *none;
	int dev = *(int *)ctx;
	long before;
	int vm, i;

	for (i = 0; i < NR_ML_STEPS; i++)
		res[i] = -1000;
	ram = mmap(NULL, 0x20000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	none = mmap(NULL, 0x20000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	vm = xioctl(dev, VMXLAB_CREATE_VM, 0);
	if (ram == MAP_FAILED || none == MAP_FAILED || vm < 0 ||
	    syscall(SYS_capget, &hdr, caps))
		return;
	caps[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
	if (syscall(SYS_capset, &hdr, caps) || setrlimit(RLIMIT_MEMLOCK, &lim))
		return;
	before = vm_locked_kb();
	res[ML_OVER] = set_region(vm, 0, 0, 0, 0x20000, ram);
	res[ML_OVER_NONE] = set_region(vm, 0, 0, 0, 0x20000, none);
	res[ML_FIT] = set_region(vm, 0, 0, 0, 0x8000, ram);
	res[ML_FIT_VMLCK] = vm_locked_kb() - before;
	res[ML_REST] = set_region(vm, 1, 0, 0x10000, 0xc000, ram + 0x10000);
	res[ML_DELETE] = set_region(vm, 0, 0, 0, 0, NULL);
	res[ML_DELETE_VMLCK] = vm_locked_kb() - before;
	close(vm);
}

static void check_memlock(int dev)
{
	long res[NR_ML_STEPS];
	int status, i;

	if (!child_results(memlock_child, &dev, res, sizeof(res), &status))
		for (i = 0; i < NR_ML_STEPS; i++)
			expect(memlock_steps[i], res[i], memlock_want[i]);
	expect("the memlock child exited with status 0",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1000 - status, 0);
}

static void check_other_process(int dev)
{
	long res[NR_OTHER_OPS];
	char name[128];
	struct guest g;
	int status;
	size_t i;

	if (guest_setup(dev, &g, out_code, sizeof(out_code))) {
		expect("guest setup for the other-process checks", -1, 0);
		guest_teardown(&g);
		return;
	}
	if (!child_results(other_process_child, &g, res, sizeof(res), &status)) {
		for (i = 0; i < NR_OTHER_OPS; i++) {
			snprintf(name, sizeof(name),
				 "%s from a forked child: EPERM",
				 other_process_ops[i]);
			expect(name, res[i], -EPERM);
		}
	}
	expect("the child exited with status 0",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1000 - status, 0);

	expect("the creator's RUN after the child", xioctl(g.vcpu, VMXLAB_RUN, 0),
	       0);
	expect("exit: still the guest's first OUT to port 0xf4",
	       g.run->exit_reason == VMXLAB_EXIT_IO &&
	       g.run->io.direction == VMXLAB_IO_OUT && g.run->io.port == 0xf4, 1);
	guest_teardown(&g);
}

/* mov $0x10,%al; 1: out %al,$0xf4; jmp 1b: an exit to userspace per RUN */
static const unsigned char out_loop_code[] = {
	0xb0, 0x10, 0xe6, 0xf4, 0xeb, 0xfc,
};

#define LDT_GS_SEL	0x7	/* LDT entry 0, TI = 1, RPL 3 */
#define LDT_RUNS	20

/* Read through %gs (base 0) after each RUN. */
static unsigned char ldt_probe = 0xa5;

static sigjmp_buf ldt_fault_jmp;

static void on_ldt_fault(int sig)
{
	siglongjmp(ldt_fault_jmp, sig);
}

static unsigned short gs_selector(void)
{
	unsigned short sel;

	asm volatile("mov %%gs, %0" : "=r" (sel));
	return sel;
}

static void set_gs(unsigned short sel)
{
	asm volatile("mov %0, %%gs" : : "r" (sel) : "memory");
}

/*
 * gs_load_and_read: loads %gs with SEL and reads *P through it into *VAL.
 * 0, or -1 if that faulted (SIGSEGV, caught by on_ldt_fault).
 */
static int gs_load_and_read(unsigned short sel, const unsigned char *p,
			    unsigned char *val)
{
	unsigned char v;

	if (sigsetjmp(ldt_fault_jmp, 1))
		return -1;
	asm volatile("mov %1, %%gs\n\t"
		     "movb %%gs:(%2), %0"
		     : "=q" (v) : "r" (sel), "r" (p) : "memory");
	*val = v;
	return 0;
}

/*
 * A VM exit leaves LDTR null (SDM Vol. 3C 27.5.2); the task's LDT must be
 * loaded again before it returns to userspace. With %gs = 0x7 (a flat data
 * segment in LDT entry 0, installed with modify_ldt(2)), after every RUN
 * %gs must still read 0x7, and loading 0x7 again and reading a byte
 * through it must work.
 *
 * Old module: after the exit it reloads %gs with LDTR still null; that
 * load faults in the kernel, whose fixup loads a null %gs instead, so %gs
 * reads back 0, and the reload here raises #GP (SIGSEGV) until a switch to
 * another process's mm happens to load the LDT again.
 */
static void check_ldt_after_exit(int dev)
{
	int bad_runs = 0, bad_sels = 0, bad_reads = 0;
	int first_run = -1, first_sel = -1, first_read = -1;
	struct sigaction sa, old_sa;
	unsigned short sel, bad_sel = 0;
	struct user_desc d;
	char got[96];
	unsigned char v;
	struct guest g;
	long r;
	int i;

	memset(&d, 0, sizeof(d));
	d.entry_number = 0;
	d.base_addr = 0;
	d.limit = 0xfffff;
	d.seg_32bit = 1;
	d.contents = MODIFY_LDT_CONTENTS_DATA;
	d.limit_in_pages = 1;
	r = syscall(SYS_modify_ldt, 1, &d, sizeof(d)) < 0 ? -errno : 0;
	if (!expect("modify_ldt(2) of LDT entry 0 (CONFIG_MODIFY_LDT_SYSCALL=y)",
		    r, 0))
		return;
	if (guest_setup(dev, &g, out_loop_code, sizeof(out_loop_code))) {
		expect("guest setup for the LDT check", -1, 0);
		guest_teardown(&g);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ldt_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_sa);

	v = 0;
	r = gs_load_and_read(LDT_GS_SEL, &ldt_probe, &v);
	if (!expect("%gs = 0x7 (LDT) loads and reads before any RUN",
		    r == 0 && v == ldt_probe, 1))
		goto out;
	for (i = 0; i < LDT_RUNS; i++) {
		r = xioctl(g.vcpu, VMXLAB_RUN, 0);
		sel = gs_selector();
		if (r != 0 || g.run->exit_reason != VMXLAB_EXIT_IO) {
			bad_runs++;
			if (first_run < 0)
				first_run = i;
		}
		if (sel != LDT_GS_SEL) {
			bad_sels++;
			if (first_sel < 0) {
				first_sel = i;
				bad_sel = sel;
			}
		}
		v = 0;
		if (gs_load_and_read(LDT_GS_SEL, &ldt_probe, &v) ||
		    v != ldt_probe) {
			bad_reads++;
			if (first_read < 0)
				first_read = i;
		}
	}
	snprintf(got, sizeof(got), "%d bad, the first RUN %d", bad_runs,
		 first_run);
	expect_that("20 RUNs with %gs = 0x7: each an I/O exit", !bad_runs, got,
		    "none bad");
	snprintf(got, sizeof(got), "%d changed, the first after RUN %d (to %#x)",
		 bad_sels, first_sel, bad_sel);
	expect_that("%gs still 0x7 after each RUN", !bad_sels, got,
		    "none changed");
	snprintf(got, sizeof(got), "%d failed, the first after RUN %d",
		 bad_reads, first_read);
	expect_that("%gs = 0x7 reloads and reads through the LDT after each RUN",
		    !bad_reads, got, "none failed");
out:
	set_gs(0);
	sigaction(SIGSEGV, &old_sa, NULL);
	guest_teardown(&g);
}

/*
 * pin_to_this_cpu: keeps this thread on the CPU it is on, so that the VMCS
 * that was last current there still is; *OLD gets the affinity to give
 * back. The CPU, or -errno.
 */
static int pin_to_this_cpu(cpu_set_t *old)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof(*old), old) < 0)
		return -errno;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) < 0)
		return -errno;
	return cpu;
}

static void unpin(int cpu, const cpu_set_t *old)
{
	if (cpu >= 0)
		sched_setaffinity(0, sizeof(*old), old);
}

/* After a check that armed fail_vmptrld: nothing may stay armed. */
static void disarm_vmptrld_failures(void)
{
	if (read_debugfs("fail_vmptrld") > 0)
		write_debugfs("fail_vmptrld", 0);
}

/*
 * debugfs fail_vmptrld = N makes the module's next N VMPTRLDs use a
 * misaligned address, so the CPU really fails them: VMfailValid with error
 * 9 if some VMCS is current on that CPU, VMfailInvalid if none. Here
 * vCPU 0's VMCS is current when CREATE_VCPU 1 fails to make the new one
 * current: CREATE_VCPU fails with EIO, the VM stays usable (another vCPU is
 * created, vCPU 0 runs to its OUT).
 *
 * Old module: has no fail_vmptrld (the first check fails). Were it armed,
 * CREATE_VCPU would succeed, having written the new vCPU's initial state
 * into vCPU 0's VMCS, the current one.
 */
static void check_vmptrld_fail_create(int dev)
{
	struct guest g;
	cpu_set_t old;
	int cpu;
	long r;

	/* Pinned first: vCPU 0's VMCS is made current on this CPU. */
	cpu = pin_to_this_cpu(&old);
	if (cpu < 0)
		printf("# cannot pin to one CPU (%s): VMPTRLD may fail without a current VMCS\n",
		       strerror(-cpu));
	if (guest_setup(dev, &g, out_code, sizeof(out_code))) {
		expect("guest setup for the VMPTRLD-failure checks", -1, 0);
		goto out;
	}
	if (!expect("debugfs fail_vmptrld: arm 1",
		    write_debugfs("fail_vmptrld", 1), 0))
		goto out;
	expect("debugfs fail_vmptrld: reads 1 once armed",
	       read_debugfs("fail_vmptrld"), 1);
	r = xioctl(g.vm, VMXLAB_CREATE_VCPU, 1);
	if (r >= 0)
		close(r);
	expect("CREATE_VCPU 1 whose VMPTRLD fails: EIO", r, -EIO);
	expect("debugfs fail_vmptrld: the armed failure used",
	       read_debugfs("fail_vmptrld"), 0);
	r = xioctl(g.vm, VMXLAB_CREATE_VCPU, 2);
	if (r >= 0)
		close(r);
	expect("then CREATE_VCPU 2", r < 0 ? r : 0, 0);
	expect("and vCPU 0 runs", xioctl(g.vcpu, VMXLAB_RUN, 0), 0);
	expect("to the guest's first OUT to port 0xf4",
	       g.run->exit_reason == VMXLAB_EXIT_IO &&
	       g.run->io.direction == VMXLAB_IO_OUT && g.run->io.port == 0xf4, 1);
out:
	disarm_vmptrld_failures();
	unpin(cpu, &old);
	guest_teardown(&g);
}

/*
 * Two vCPUs, A (vCPU 0) and B (vCPU 1), of one VM on one CPU. A runs to
 * its OUT, so A's VMCS is current; then B's VMPTRLD fails. RUN B returns
 * VMXLAB_EXIT_VMFAIL naming VMPTRLD, and so does every later RUN of B (it
 * is stopped for good), GET_REGS of B fails with EIO, and A goes on to its
 * HLT undisturbed. Closing it all frees the VM.
 *
 * Old module: has no fail_vmptrld (the first check fails). Were it armed,
 * RUN B would go on after the failed VMPTRLD: B's state written into A's
 * VMCS, then VMLAUNCH or VMRESUME of A's VMCS, and A would later run from
 * B's RIP (the OUT again, not the HLT).
 */
static void check_vmptrld_fail_run(int dev, long baseline)
{
	struct vmxlab_run *run_b = NULL;
	struct vmxlab_regs regs;
	char got[64], name[96];
	const char *which;
	struct guest g;
	int cpu, b = -1, i;
	cpu_set_t old;
	long r;

	cpu = pin_to_this_cpu(&old);
	if (cpu < 0)
		printf("# cannot pin to one CPU (%s): VMPTRLD may fail without a current VMCS\n",
		       strerror(-cpu));
	if (!guest_setup(dev, &g, out_code, sizeof(out_code)))
		b = vcpu_setup(g.vm, 1, g.run_size, &run_b);
	if (b < 0) {
		expect("two-vCPU guest setup for the VMPTRLD-failure checks",
		       -1, 0);
		goto out;
	}
	expect("RUN A (vCPU 0)", xioctl(g.vcpu, VMXLAB_RUN, 0), 0);
	expect("A's exit: the OUT to port 0xf4",
	       g.run->exit_reason == VMXLAB_EXIT_IO && g.run->io.port == 0xf4, 1);
	if (!expect("debugfs fail_vmptrld: arm 1",
		    write_debugfs("fail_vmptrld", 1), 0))
		goto out;
	/* The second RUN: B is stopped for good, the same exit again. */
	for (i = 0; i < 2; i++) {
		which = i ? "B's second RUN" : "B's RUN";
		/* What the page says must be this RUN's doing. */
		memset(run_b, 0, sizeof(*run_b));
		r = xioctl(b, VMXLAB_RUN, 0);
		snprintf(name, sizeof(name), "%s (vCPU 1, VMPTRLD fails)", which);
		expect(name, r, 0);
		snprintf(name, sizeof(name), "%s: VMXLAB_EXIT_VMFAIL", which);
		expect(name, run_b->exit_reason, VMXLAB_EXIT_VMFAIL);
		snprintf(name, sizeof(name),
			 "%s: vmfail.insn VMXLAB_VMFAIL_INSN_VMPTRLD", which);
		expect(name, run_b->vmfail.insn, VMXLAB_VMFAIL_INSN_VMPTRLD);
		snprintf(got, sizeof(got), "status %u error %u",
			 run_b->vmfail.status, run_b->vmfail.error);
		snprintf(name, sizeof(name),
			 "%s: vmfail VALID with error 9 or INVALID with 0",
			 which);
		expect_that(name,
			    (run_b->vmfail.status == VMXLAB_VMFAIL_VALID &&
			     run_b->vmfail.error == 9) ||
			    (run_b->vmfail.status == VMXLAB_VMFAIL_INVALID &&
			     run_b->vmfail.error == 0), got,
			    "VALID/9 or INVALID/0");
		if (!i) {
			printf("# B's VMPTRLD: %s\n", got);
			expect("debugfs fail_vmptrld: the armed failure used",
			       read_debugfs("fail_vmptrld"), 0);
		}
	}
	expect("GET_REGS of the stopped vCPU B: EIO",
	       xioctl(b, VMXLAB_GET_REGS, (unsigned long)&regs), -EIO);
	expect("RUN A again", xioctl(g.vcpu, VMXLAB_RUN, 0), 0);
	expect("A's exit: its HLT, undisturbed by B",
	       g.run->exit_reason == VMXLAB_EXIT_HLT &&
	       g.run->rip == CODE_GPA + 5, 1);
out:
	disarm_vmptrld_failures();
	unpin(cpu, &old);
	if (run_b)
		munmap(run_b, g.run_size);
	if (b >= 0)
		close(b);
	guest_teardown(&g);
	expect("debugfs vms: the VM with the stopped vCPU freed",
	       vms_becomes(baseline), baseline);
}

/*
 * Event injection (VMXLAB_INJECT, request_interrupt_window) in real mode:
 * IVT at 0, the handlers below count into bytes at 0x600, and the
 * interrupt handler keeps its return IP at 0x610. What each exit of the
 * main code is for is in check_event_injection().
 */
static const unsigned char events_code[] = {
	0xe6, 0xf4,		/* 1000: out 0xf4, al	A: IF = 0 */
	0xfb,			/* 1002: sti */
	0x90,			/* 1003: nop		(STI blocking) */
	0x90,			/* 1004: nop */
	0xe6, 0xf4,		/* 1005: out 0xf4, al	B */
	0xf4,			/* 1007: hlt		C */
	0xfa,			/* 1008: cli */
	0xf4,			/* 1009: hlt		D: IF = 0 */
	0xfb,			/* 100a: sti */
	0xf4,			/* 100b: hlt		(STI blocking) */
	0xe6, 0xf4,		/* 100c: out 0xf4, al	E */
	0xfa,			/* 100e: cli */
	0xe6, 0xf4,		/* 100f: out 0xf4, al	F */
	0xe6, 0xf4,		/* 1011: out 0xf4, al	G */
	0xe6, 0xf4,		/* 1013: out 0xf4, al	H */
	0xf4,			/* 1015: hlt		I */
};

#define EV_INTR_HANDLER	0x2000
#define EV_NMI_HANDLER	0x2010
#define EV_EXC_HANDLER	0x2020
#define EV_VECTOR	0x20
#define EV_COUNT_INTR	0x600
#define EV_COUNT_NMI	0x601
#define EV_COUNT_EXC	0x602
#define EV_RET_IP	0x610

static const unsigned char ev_intr_handler[] = {
	0x55,			/* push bp */
	0x89, 0xe5,		/* mov bp, sp */
	0x8b, 0x46, 0x02,	/* mov ax, [bp + 2]: the return IP */
	0xa3, 0x10, 0x06,	/* mov [0x610], ax */
	0x5d,			/* pop bp */
	0xfe, 0x06, 0x00, 0x06,	/* inc byte [0x600] */
	0xcf,			/* iret */
};

static const unsigned char ev_nmi_handler[] = {
	0xfe, 0x06, 0x01, 0x06,	/* inc byte [0x601] */
	0xe6, 0xf5,		/* out 0xf5, al: an exit inside the handler */
	0xcf,			/* iret: ends the blocking by NMI */
};

static const unsigned char ev_exc_handler[] = {
	0xfe, 0x06, 0x02, 0x06,	/* inc byte [0x602] */
	0xcf,			/* iret */
};

static void set_ivt(unsigned char *mem, int vector, unsigned int handler)
{
	mem[vector * 4] = handler & 0xff;
	mem[vector * 4 + 1] = handler >> 8;
	mem[vector * 4 + 2] = 0;
	mem[vector * 4 + 3] = 0;
}

static long inject(int vcpu, __u8 type, __u8 vector, __u8 has_error,
		   __u32 error)
{
	struct vmxlab_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.vector = vector;
	ev.has_error_code = has_error;
	ev.error_code = error;
	return xioctl(vcpu, VMXLAB_INJECT, (unsigned long)&ev);
}

/* RUN, and the exit must be REASON at RIP. */
static void run_expect(struct guest *g, const char *what, __u32 reason,
		       __u64 rip)
{
	char name[160], got[64], want[64];
	long r = xioctl(g->vcpu, VMXLAB_RUN, 0);

	snprintf(name, sizeof(name), "%s: RUN", what);
	expect(name, r, 0);
	snprintf(name, sizeof(name), "%s: exit", what);
	snprintf(got, sizeof(got), "reason %u rip %#llx", g->run->exit_reason,
		 (unsigned long long)g->run->rip);
	snprintf(want, sizeof(want), "reason %u rip %#llx", reason,
		 (unsigned long long)rip);
	expect_that(name, g->run->exit_reason == reason && g->run->rip == rip,
		    got, want);
}

static void check_event_injection(int dev)
{
	struct vmxlab_event ev;
	struct vmxlab_caps caps;
	unsigned char *m;
	struct guest g;
	int vnmi;

	if (!expect("caps for the injection checks",
		    xioctl(dev, VMXLAB_GET_CAPS, (unsigned long)&caps), 0))
		return;
	vnmi = !!(caps.features & VMXLAB_FEAT_VIRTUAL_NMIS);
	if (guest_setup(dev, &g, events_code, sizeof(events_code))) {
		expect("guest setup for the injection checks", -1, 0);
		guest_teardown(&g);
		return;
	}
	m = g.mem;
	set_ivt(m, EV_VECTOR, EV_INTR_HANDLER);
	set_ivt(m, 2, EV_NMI_HANDLER);
	set_ivt(m, 6, EV_EXC_HANDLER);
	set_ivt(m, 13, EV_EXC_HANDLER);
	memcpy(m + EV_INTR_HANDLER, ev_intr_handler, sizeof(ev_intr_handler));
	memcpy(m + EV_NMI_HANDLER, ev_nmi_handler, sizeof(ev_nmi_handler));
	memcpy(m + EV_EXC_HANDLER, ev_exc_handler, sizeof(ev_exc_handler));

	/* The argument rules (KUnit checks every one; these, the wiring). */
	expect("INJECT of an unknown type: EINVAL", inject(g.vcpu, 3, 0, 0, 0),
	       -EINVAL);
	expect("INJECT of #GP without its error code: EINVAL",
	       inject(g.vcpu, VMXLAB_EVENT_EXCEPTION, 13, 0, 0), -EINVAL);
	memset(&ev, 0, sizeof(ev));
	ev.reserved[1] = 1;
	expect("INJECT with a reserved word set: EINVAL",
	       xioctl(g.vcpu, VMXLAB_INJECT, (unsigned long)&ev), -EINVAL);
	expect("INJECT from a bad pointer: EFAULT",
	       xioctl(g.vcpu, VMXLAB_INJECT, 8), -EFAULT);

	/* A: IF = 0, so the interrupt waits in the queue. */
	run_expect(&g, "exit A (OUT with IF = 0)", VMXLAB_EXIT_IO, 0x1000);
	expect("A: not ready for an interrupt (IF = 0)",
	       g.run->flags & VMXLAB_RUN_READY_FOR_INTR, 0);
	expect("INJECT interrupt 0x20 at A",
	       inject(g.vcpu, VMXLAB_EVENT_INTR, EV_VECTOR, 0, 0), 0);
	expect("INJECT a second interrupt while one is queued: EBUSY",
	       inject(g.vcpu, VMXLAB_EVENT_INTR, EV_VECTOR, 0, 0), -EBUSY);
	/*
	 * B: STI sets IF, blocks for one more instruction (the NOP at 0x1003),
	 * and the window exit lets the interrupt in before 0x1004.
	 */
	run_expect(&g, "exit B (after STI; NOP; NOP)", VMXLAB_EXIT_IO, 0x1005);
	expect("B: the interrupt was delivered once", m[EV_COUNT_INTR], 1);
	expect("B: ... after the instruction STI blocks (return IP 0x1004)",
	       m[EV_RET_IP] | m[EV_RET_IP + 1] << 8, 0x1004);
	expect("B: ready for an interrupt",
	       !!(g.run->flags & VMXLAB_RUN_READY_FOR_INTR), 1);
	/* request_interrupt_window: an exit before the HLT at 0x1007. */
	g.run->request_interrupt_window = 1;
	run_expect(&g, "request_interrupt_window with IF = 1",
		   VMXLAB_EXIT_IRQ_WINDOW_OPEN, 0x1007);
	g.run->request_interrupt_window = 0;
	/* C: HLT with IF = 1 and nothing queued goes to userspace. */
	run_expect(&g, "exit C (HLT, nothing queued)", VMXLAB_EXIT_HLT, 0x1008);
	/* D: HLT with IF = 0; queue an interrupt then. */
	run_expect(&g, "exit D (CLI; HLT)", VMXLAB_EXIT_HLT, 0x100a);
	expect("INJECT interrupt 0x20 at D",
	       inject(g.vcpu, VMXLAB_EVENT_INTR, EV_VECTOR, 0, 0), 0);
	/*
	 * STI; HLT: the HLT runs under STI blocking, so the interrupt is
	 * not in yet; HLT must end at once for it rather than exit.
	 */
	run_expect(&g, "exit E (STI; HLT with an interrupt queued)",
		   VMXLAB_EXIT_IO, 0x100c);
	expect("E: the interrupt woke the HLT", m[EV_COUNT_INTR], 2);
	expect("E: ... returning after the HLT (return IP 0x100c)",
	       m[EV_RET_IP] | m[EV_RET_IP + 1] << 8, 0x100c);

	run_expect(&g, "exit F (CLI; OUT)", VMXLAB_EXIT_IO, 0x100f);
	if (!vnmi) {
		expect("INJECT of an NMI without virtual NMIs: EOPNOTSUPP",
		       inject(g.vcpu, VMXLAB_EVENT_NMI, 0, 0, 0), -EOPNOTSUPP);
	} else {
		/* An NMI ignores IF; its handler exits with OUT 0xf5. */
		expect("INJECT an NMI at F (IF = 0)",
		       inject(g.vcpu, VMXLAB_EVENT_NMI, 0, 0, 0), 0);
		run_expect(&g, "the NMI handler's OUT", VMXLAB_EXIT_IO,
			   EV_NMI_HANDLER + 4);
		expect("the NMI was delivered", m[EV_COUNT_NMI], 1);
		/* A second NMI waits for the first handler's IRET. */
		expect("INJECT a second NMI inside the handler",
		       inject(g.vcpu, VMXLAB_EVENT_NMI, 0, 0, 0), 0);
		run_expect(&g, "the second NMI handler's OUT", VMXLAB_EXIT_IO,
			   EV_NMI_HANDLER + 4);
		expect("the second NMI came after the first IRET",
		       m[EV_COUNT_NMI], 2);
		run_expect(&g, "exit G, back from both NMIs", VMXLAB_EXIT_IO,
			   0x1011);
	}
	if (!vnmi)
		run_expect(&g, "exit G", VMXLAB_EXIT_IO, 0x1011);
	/* Exceptions: #UD, then #GP whose error code real mode drops. */
	expect("INJECT #UD at G",
	       inject(g.vcpu, VMXLAB_EVENT_EXCEPTION, 6, 0, 0), 0);
	run_expect(&g, "exit H, after the #UD handler", VMXLAB_EXIT_IO, 0x1013);
	expect("H: #UD delivered", m[EV_COUNT_EXC], 1);
	expect("INJECT #GP (error code 0x1234) at H",
	       inject(g.vcpu, VMXLAB_EVENT_EXCEPTION, 13, 1, 0x1234), 0);
	run_expect(&g, "exit I: #GP handled, no error code pushed in real mode",
		   VMXLAB_EXIT_HLT, 0x1016);
	expect("I: #GP delivered", m[EV_COUNT_EXC], 2);
	guest_teardown(&g);
}

/*
 * An event whose delivery hits memory that is not RAM (SDM Vol. 3C
 * 27.2.4): the stack of a real-mode guest is moved to a hole (SS base
 * GUEST_MEM). The run ends with VMXLAB_INTERNAL_DELIVERY, the event in
 * internal.vectoring_info and still queued; once a slot backs the stack,
 * the next RUN delivers it. Once for an injected external interrupt, once
 * for INT 0x20 (a software interrupt: re-delivered with its instruction
 * length, so it returns after the INT).
 */
static const unsigned char redeliver_code[] = {
	0xfb,			/* 1000: sti */
	0x90,			/* 1001: nop		(STI blocking) */
	0x90,			/* 1002: nop */
	0xe6, 0xf4,		/* 1003: out 0xf4, al */
	0xcd, EV_VECTOR,	/* 1005: int 0x20 */
	0xe6, 0xf4,		/* 1007: out 0xf4, al */
	0xf4,			/* 1009: hlt */
};

#define RD_STACK_SP	0x100
/* Type 0 external interrupt, 4 software interrupt; bit 31 valid. */
#define RD_EXT_INTR	(0x80000000u | EV_VECTOR)
#define RD_SOFT_INTR	(0x80000000u | 4u << 8 | EV_VECTOR)

/* RUN, which must stop in the delivery of INFO with the stack unbacked. */
static void redeliver_expect_stop(struct guest *g, const char *what,
				  __u32 info, __u64 rip)
{
	char name[160], got[128], want[128];
	struct vmxlab_run *run = g->run;

	snprintf(name, sizeof(name), "%s: RUN", what);
	expect(name, xioctl(g->vcpu, VMXLAB_RUN, 0), 0);
	snprintf(name, sizeof(name),
		 "%s: internal error DELIVERY, EPT violation on the stack", what);
	snprintf(got, sizeof(got),
		 "reason %u suberror %u exit %u gpa %#llx info %#x rip %#llx",
		 run->exit_reason, run->internal.suberror,
		 run->internal.exit_reason,
		 (unsigned long long)run->internal.gpa,
		 run->internal.vectoring_info, (unsigned long long)run->rip);
	snprintf(want, sizeof(want),
		 "reason %u suberror %u exit 48 gpa %#llx-%#llx info %#x rip %#llx",
		 VMXLAB_EXIT_INTERNAL_ERROR, VMXLAB_INTERNAL_DELIVERY,
		 (unsigned long long)GUEST_MEM,
		 (unsigned long long)GUEST_MEM + RD_STACK_SP - 1, info,
		 (unsigned long long)rip);
	expect_that(name,
		    run->exit_reason == VMXLAB_EXIT_INTERNAL_ERROR &&
		    run->internal.suberror == VMXLAB_INTERNAL_DELIVERY &&
		    run->internal.exit_reason == 48 &&
		    run->internal.gpa >= GUEST_MEM &&
		    run->internal.gpa < GUEST_MEM + RD_STACK_SP &&
		    run->internal.vectoring_info == info && run->rip == rip,
		    got, want);
}

static void check_delivery_redelivered(int dev)
{
	struct vmxlab_sregs sregs;
	struct vmxlab_regs regs;
	unsigned char *stack, *m;
	struct guest g;

	stack = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED ||
	    guest_setup(dev, &g, redeliver_code, sizeof(redeliver_code))) {
		expect("guest setup for the re-delivery checks", -1, 0);
		if (stack != MAP_FAILED) {
			guest_teardown(&g);
			munmap(stack, GUEST_MEM);
		}
		return;
	}
	m = g.mem;
	set_ivt(m, EV_VECTOR, EV_INTR_HANDLER);
	memcpy(m + EV_INTR_HANDLER, ev_intr_handler, sizeof(ev_intr_handler));
	expect("GET_SREGS", xioctl(g.vcpu, VMXLAB_GET_SREGS,
				   (unsigned long)&sregs), 0);
	sregs.ss.selector = GUEST_MEM >> 4;
	sregs.ss.base = GUEST_MEM;
	expect("SET_SREGS: SS in the hole above RAM",
	       xioctl(g.vcpu, VMXLAB_SET_SREGS, (unsigned long)&sregs), 0);
	expect("GET_REGS", xioctl(g.vcpu, VMXLAB_GET_REGS,
				  (unsigned long)&regs), 0);
	regs.rsp = RD_STACK_SP;
	expect("SET_REGS: SP", xioctl(g.vcpu, VMXLAB_SET_REGS,
				      (unsigned long)&regs), 0);

	expect("INJECT interrupt 0x20 (IF = 0: waits for the STI)",
	       inject(g.vcpu, VMXLAB_EVENT_INTR, EV_VECTOR, 0, 0), 0);
	redeliver_expect_stop(&g, "interrupt, stack unbacked", RD_EXT_INTR,
			      0x1002);
	redeliver_expect_stop(&g, "interrupt, stack still unbacked: again",
			      RD_EXT_INTR, 0x1002);
	expect("the handler has not run", m[EV_COUNT_INTR], 0);
	expect("SET_MEMORY_REGION: RAM for the stack",
	       set_region(g.vm, 1, 0, GUEST_MEM, GUEST_MEM, stack), 0);
	run_expect(&g, "interrupt re-delivered, then the OUT", VMXLAB_EXIT_IO,
		   0x1003);
	expect("the interrupt was delivered once", m[EV_COUNT_INTR], 1);
	expect("... after the instruction STI blocks (return IP 0x1002)",
	       m[EV_RET_IP] | m[EV_RET_IP + 1] << 8, 0x1002);

	expect("SET_MEMORY_REGION: delete the stack's slot",
	       set_region(g.vm, 1, 0, GUEST_MEM, 0, NULL), 0);
	redeliver_expect_stop(&g, "INT 0x20, stack unbacked", RD_SOFT_INTR,
			      0x1005);
	expect("SET_MEMORY_REGION: RAM for the stack again",
	       set_region(g.vm, 1, 0, GUEST_MEM, GUEST_MEM, stack), 0);
	run_expect(&g, "INT 0x20 re-delivered, then the OUT", VMXLAB_EXIT_IO,
		   0x1007);
	expect("INT 0x20 delivered once", m[EV_COUNT_INTR], 2);
	expect("... returning after the INT (return IP 0x1007)",
	       m[EV_RET_IP] | m[EV_RET_IP + 1] << 8, 0x1007);
	guest_teardown(&g);
	munmap(stack, GUEST_MEM);
}

int main(void)
{
	long baseline, run_size = 0;
	int dev;

	setvbuf(stdout, NULL, _IOLBF, 0);
	dev = open("/dev/vmxlab", O_RDWR | O_CLOEXEC);
	if (!expect("open /dev/vmxlab", dev < 0 ? -errno : 0, 0))
		return 1;
	baseline = read_debugfs("vms");
	expect("debugfs vms readable", baseline >= 0, 1);

	check_dev_and_vm(dev, &run_size);
	check_memory_regions(dev);
	check_memory_kinds(dev);
	check_ept_tables(dev);
	if (run_size > 0)
		check_vcpu_misuse(dev, run_size);
	expect("debugfs vms: back to the start after the misuse checks",
	       vms_becomes(baseline), baseline);
	check_run_after_vm_close(dev, baseline);
	check_signal_and_resume(dev);
	check_busy(dev);
	check_sigkill(dev, baseline);
	check_sigkill_pin(dev, baseline);
	check_close_orders(dev, baseline);
	check_vms_and_threads(dev, baseline);
	check_host_fpu(dev);
	check_debug_registers(dev);
	check_page_walk_mmio(dev);
	check_lm_cs_base(dev);
	check_ins_readonly(dev);
	check_sregs_drops_pending(dev);
	check_no_vpid(dev);
	check_entry_failure(dev);
	check_other_process(dev);
	check_memlock(dev);
	check_ldt_after_exit(dev);
	check_exit_stats(dev);
	check_trace_ring(dev);
	check_event_injection(dev);
	check_delivery_redelivered(dev);
	/* Last: they break a vCPU on purpose. */
	check_vmptrld_fail_create(dev);
	check_vmptrld_fail_run(dev, baseline);

	expect("debugfs vms: back to the start at the end", vms_becomes(baseline),
	       baseline);
	if (baseline == 0)
		expect("debugfs vmx_on_cpus: VMX off at the end",
		       read_debugfs("vmx_on_cpus"), 0);
	close(dev);
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
