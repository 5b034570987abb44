// SPDX-License-Identifier: GPL-2.0
/*
 * `vmxlab run --trace` and `vmxlab trace`: the module's exit trace ring
 * (uapi/linux/vmxlab.h; Documentation/exit-latency.rst, "The trace ring")
 * printed as the guest runs, one line per VM exit, the exit reason named
 * as the SDM names it and the qualification decoded where it says much.
 * On standard error: standard output is the guest's serial port, whose
 * lines a trace line must not split.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "run.h"

/* Records in the ring: a power of two. */
#define TRACE_RECORDS	4096

/* The decoded qualification of @r, or "" (SDM Vol. 3C 28.2.1). */
static const char *decode(const struct vmxlab_trace_rec *r, char *buf, size_t n)
{
	uint64_t q = r->qualification;

	if (r->reason & (1U << 31))
		return "";
	switch (r->reason & 0xffff) {
	case 30:	/* I/O instruction: Table 28-5 */
		snprintf(buf, n, " %s%s%s port 0x%x size %u",
			 (q & 8) ? "in" : "out", (q & 16) ? " string" : "",
			 (q & 32) ? " rep" : "", (unsigned int)(q >> 16) & 0xffff,
			 (unsigned int)(q & 7) + 1);
		return buf;
	case 28:	/* control-register access: Table 28-3 */
		snprintf(buf, n, " cr%u %s reg %u", (unsigned int)(q & 15),
			 ((q >> 4) & 3) == 0 ? "mov-to" : ((q >> 4) & 3) == 1 ?
			 "mov-from" : ((q >> 4) & 3) == 2 ? "clts" : "lmsw",
			 (unsigned int)(q >> 8) & 15);
		return buf;
	case 48:	/* EPT violation: Table 28-7 */
		snprintf(buf, n, " %s%s%s%s", (q & 1) ? "read" : "",
			 (q & 2) ? "write" : "", (q & 4) ? "fetch" : "",
			 (q & 0x80) ? " linear" : "");
		return buf;
	}
	return "";
}

static void print_rec(const struct vmxlab_trace_rec *r)
{
	char buf[64];

	fprintf(stderr, "trace: tsc %llu reason %u%s (%s) rip 0x%llx",
		(unsigned long long)r->tsc_exit, r->reason & 0xffff,
		(r->reason & (1U << 31)) ? " entry failed" : "",
		vmxlab_vmx_exit_reason_name(r->reason & 0xffff),
		(unsigned long long)r->rip);
	fprintf(stderr, " qualification 0x%llx%s, %llu ticks to the entry%s\n",
		(unsigned long long)r->qualification, decode(r, buf, sizeof(buf)),
		(unsigned long long)(r->tsc_entry - r->tsc_exit),
		(r->flags & VMXLAB_TRACE_REC_USER) ? ", via userspace" : "");
}

/* Before the first run: the ring, mapped. 0, or -1 after a message. */
int trace_start(struct vm *vm)
{
	struct vmxlab_trace_setup ts = { .nr = TRACE_RECORDS };
	size_t size = VMXLAB_TRACE_BYTES(TRACE_RECORDS);
	void *p;
	int r;

	r = vmxlab_set_trace(vm->vcpufd, &ts);
	if (r < 0) {
		fprintf(stderr, "vmxlab: %s\n", vmxlab_explain("set up the trace ring", -r));
		return -1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpufd,
		 VMXLAB_TRACE_MMAP_OFFSET);
	if (p == MAP_FAILED) {
		fprintf(stderr, "vmxlab: mmap of the trace ring: %s\n", strerror(errno));
		return -1;
	}
	vm->trace = p;
	return 0;
}

/* Print what the ring holds and give the room back. */
void trace_drain(struct vm *vm)
{
	struct vmxlab_trace_ring *ring = vm->trace;
	const struct vmxlab_trace_rec *recs;
	uint64_t head, tail;

	if (!ring)
		return;
	recs = (const void *)((const char *)ring + VMXLAB_TRACE_RECS_OFFSET);
	head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
	tail = ring->tail;
	for (; tail != head; tail++) {
		vm->traced++;
		print_rec(&recs[tail & (TRACE_RECORDS - 1)]);
	}
	__atomic_store_n(&ring->tail, tail, __ATOMIC_RELEASE);
}

/* After the run: the last records and the count. */
void trace_end(struct vm *vm)
{
	if (!vm->trace)
		return;
	trace_drain(vm);
	fprintf(stderr, "trace: %llu exits traced, %llu dropped\n",
		(unsigned long long)vm->traced,
		(unsigned long long)vm->trace->dropped);
}
