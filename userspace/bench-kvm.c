// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab bench --backend kvm: the same bench guests (bench-guests.S) on
 * Linux KVM through /dev/kvm, so that one command puts both hypervisors'
 * round trips side by side in the same boot (Documentation/exit-latency.rst,
 * "Comparing with KVM"). A minimal VMM, as the tool is for vmxlab: one
 * vCPU in 32-bit protected mode with flat segments, BENCH_MEM of RAM, no
 * in-kernel irqchip, no CPUID table set (the benchmarks time the exit, not
 * what CPUID returns). The ports and MMIO the guests touch are served here
 * as the tool serves them: IN reads all ones, OUT and MMIO writes are
 * dropped, MMIO reads all ones, HLT resumes, port 0xf4 ends the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "bench.h"
#include "run.h"

/* The guest's exit port and what a guest that passed writes there. */
#define EXIT_PORT	0xf4
#define GUEST_PASS	0x10
/* Three pages KVM needs below 4 GiB on Intel for the real-mode TSS. */
#define KVM_TSS_ADDR	0xfffbd000
/* A run with more exits than this is a guest gone wrong. */
#define KVM_MAX_EXITS	100000000ULL

struct kvm_vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	void *mem;
};

static void kvm_close(struct kvm_vm *k)
{
	if (k->run)
		munmap(k->run, k->run_size);
	if (k->vcpu >= 0)
		close(k->vcpu);
	if (k->vm >= 0)
		close(k->vm);
	if (k->kvm >= 0)
		close(k->kvm);
	if (k->mem)
		munmap(k->mem, BENCH_MEM);
}

static int kvm_fail(struct kvm_vm *k, const char *what)
{
	run_error("bench --backend kvm: %s: %s", what, strerror(errno));
	kvm_close(k);
	return -1;
}

/* Flat 4 GiB segment: code (type 11) or data (type 3), 32-bit, DPL 0. */
static void flat(struct kvm_segment *s, __u16 sel, __u8 type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = 1;
	s->g = 1;
}

static int kvm_setup(struct kvm_vm *k, const unsigned char *code, size_t len,
		     unsigned int n)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int size;

	k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm < 0)
		return kvm_fail(k, "open /dev/kvm (is kvm_intel loaded?)");
	if (ioctl(k->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		errno = EINVAL;
		return kvm_fail(k, "KVM_GET_API_VERSION");
	}
	k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0);
	if (k->vm < 0)
		return kvm_fail(k, "KVM_CREATE_VM");
	if (ioctl(k->vm, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
		return kvm_fail(k, "KVM_SET_TSS_ADDR");
	k->mem = mmap(NULL, BENCH_MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (k->mem == MAP_FAILED) {
		k->mem = NULL;
		return kvm_fail(k, "mmap of guest memory");
	}
	memcpy((char *)k->mem + BENCH_LOAD, code, len);
	region.memory_size = BENCH_MEM;
	region.userspace_addr = (unsigned long)k->mem;
	if (ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return kvm_fail(k, "KVM_SET_USER_MEMORY_REGION");
	k->vcpu = ioctl(k->vm, KVM_CREATE_VCPU, 0);
	if (k->vcpu < 0)
		return kvm_fail(k, "KVM_CREATE_VCPU");
	size = ioctl(k->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return kvm_fail(k, "KVM_GET_VCPU_MMAP_SIZE");
	k->run_size = size;
	k->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      k->vcpu, 0);
	if (k->run == MAP_FAILED) {
		k->run = NULL;
		return kvm_fail(k, "mmap of the run page");
	}
	if (ioctl(k->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return kvm_fail(k, "KVM_GET_SREGS");
	flat(&sregs.cs, 0x08, 11);
	flat(&sregs.ds, 0x10, 3);
	sregs.es = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	sregs.ss = sregs.ds;
	sregs.cr0 = 0x11;	/* PE, ET */
	if (ioctl(k->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return kvm_fail(k, "KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = BENCH_LOAD;
	regs.rflags = 2;
	regs.rbp = n;
	if (ioctl(k->vcpu, KVM_SET_REGS, &regs) < 0)
		return kvm_fail(k, "KVM_SET_REGS");
	return 0;
}

/* Serves one exit. 1: the guest is done (status in *status), 0: go on. */
static int kvm_exit(struct kvm_vm *k, int *status)
{
	struct kvm_run *r = k->run;
	unsigned char *data;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		data = (unsigned char *)r + r->io.data_offset;
		if (r->io.direction == KVM_EXIT_IO_OUT && r->io.port == EXIT_PORT) {
			*status = (data[0] << 1) | 1;
			return 1;
		}
		if (r->io.direction == KVM_EXIT_IO_IN)
			memset(data, 0xff, (size_t)r->io.size * r->io.count);
		return 0;
	case KVM_EXIT_MMIO:
		if (!r->mmio.is_write)
			memset(r->mmio.data, 0xff, sizeof(r->mmio.data));
		return 0;
	case KVM_EXIT_HLT:
	case KVM_EXIT_INTR:
		return 0;
	default:
		run_error("bench --backend kvm: exit reason %u at the guest's run",
			  r->exit_reason);
		*status = -1;
		return 1;
	}
}

/**
 * kvm_bench_one() - one bench guest on KVM
 * @code: the guest's code, loaded at BENCH_LOAD.
 * @len: its length.
 * @n: iterations.
 * @samples: where the guest's @n samples go.
 * @floor: NULL, or where @n samples of the KVM_RUN floor go.
 *
 * Return: 0, or -1 after a message.
 */
int kvm_bench_one(const unsigned char *code, size_t len, unsigned int n,
		  uint32_t *samples, uint32_t *floor)
{
	struct kvm_vm k = { .kvm = -1, .vm = -1, .vcpu = -1 };
	unsigned long long exits = 0;
	int status = 0;

	if (kvm_setup(&k, code, len, n))
		return -1;
	if (floor)
		bench_floor(k.vcpu, KVM_RUN, &k.run->immediate_exit, floor, n);
	do {
		if (ioctl(k.vcpu, KVM_RUN, 0) < 0 && errno != EINTR)
			return kvm_fail(&k, "KVM_RUN");
		if (++exits > KVM_MAX_EXITS) {
			run_error("bench --backend kvm: the guest did not end");
			status = -1;
			break;
		}
	} while (!kvm_exit(&k, &status));
	if (status != ((GUEST_PASS << 1) | 1)) {
		if (status >= 0)
			run_error("bench --backend kvm: guest status %d, not 33 (PASS)",
				  status);
		kvm_close(&k);
		return -1;
	}
	memcpy(samples, (char *)k.mem + BENCH_SAMPLES, n * sizeof(uint32_t));
	kvm_close(&k);
	return 0;
}
