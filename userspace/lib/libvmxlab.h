/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmxlab: one function per /dev/vmxlab ioctl, nothing more.
 * Every function returns 0 (or a file descriptor, or a value) on success and
 * a negative errno on failure; none prints.
 */
#ifndef LIBVMXLAB_H
#define LIBVMXLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vmxlab.h>

#define VMXLAB_DEV	"/dev/vmxlab"

/* open(VMXLAB_DEV): the fd, or -errno. */
int vmxlab_open(void);
/* VMXLAB_GET_API_VERSION: the kernel's ABI version, or -errno. */
int vmxlab_api_version(int devfd);
/* VMXLAB_GET_CAPS */
int vmxlab_get_caps(int devfd, struct vmxlab_caps *caps);
/* VMXLAB_CREATE_VM: a VM fd, or -errno. */
int vmxlab_create_vm(int devfd, uint64_t flags);

/* VMXLAB_GET_RUN_SIZE: bytes to mmap() from a vCPU fd, or -errno. */
int vmxlab_get_run_size(int devfd);
/* VMXLAB_SET_MEMORY_REGION (memory_size 0 deletes the slot). */
int vmxlab_set_memory_region(int vmfd, const struct vmxlab_memory_region *r);
/* VMXLAB_CREATE_VCPU: a vCPU fd, or -errno. */
int vmxlab_create_vcpu(int vmfd, unsigned int id);
/* VMXLAB_GET_REGS, VMXLAB_SET_REGS, VMXLAB_GET_SREGS, VMXLAB_SET_SREGS */
int vmxlab_get_regs(int vcpufd, struct vmxlab_regs *regs);
int vmxlab_set_regs(int vcpufd, const struct vmxlab_regs *regs);
int vmxlab_get_sregs(int vcpufd, struct vmxlab_sregs *sregs);
int vmxlab_set_sregs(int vcpufd, const struct vmxlab_sregs *sregs);
/* VMXLAB_RUN: 0 with the exit in the run page, or -errno (-EINTR: signal). */
int vmxlab_run(int vcpufd);
/* VMXLAB_INJECT of an event of @type (VMXLAB_EVENT_*). */
int vmxlab_inject(int vcpufd, uint8_t type, uint8_t vector, bool has_error,
		  uint32_t error);
/* VMXLAB_GET_VCPU_STATS */
int vmxlab_get_vcpu_stats(int vcpufd, struct vmxlab_vcpu_stats *stats);
/* VMXLAB_SET_EXIT_STATS: flags VMXLAB_STATS_ON, _OFF, _RESET. */
int vmxlab_set_exit_stats(int vcpufd, unsigned int flags);
/*
 * VMXLAB_GET_EXIT_STATS into @lat (@size bytes): @st says the layout;
 * -E2BIG when @size is less than st->size.
 */
int vmxlab_get_exit_stats(int vcpufd, struct vmxlab_exit_stats *st,
			  struct vmxlab_exit_lat *lat, size_t size);
/* VMXLAB_SET_TRACE */
int vmxlab_set_trace(int vcpufd, const struct vmxlab_trace_setup *ts);
/* The least value of histogram bucket @i (uapi/linux/vmxlab.h). */
uint64_t vmxlab_lat_bucket_low(unsigned int i);
/*
 * The @p quantile (0 < p <= 1) of a histogram: the middle of the bucket
 * that holds the sample of rank ceil(p * count), kept within min and max;
 * within 1/32 of the true value above 32 ticks, exact below.
 */
uint64_t vmxlab_lat_percentile(const struct vmxlab_exit_lat *l, double p);
/*
 * mmap() of the run page (offset 0, shared, read-write), @size from
 * vmxlab_get_run_size(). NULL with errno set on failure; munmap() undoes it.
 */
struct vmxlab_run *vmxlab_map_run(int vcpufd, int size);

/*
 * Names. Each returns a constant string, never NULL: an out-of-range number
 * gives "unknown" (or "reserved" where the SDM reserves it).
 */
/* VMXLAB_EXIT_*, as spelled after the prefix ("IO", "FAIL_ENTRY"). */
const char *vmxlab_exit_name(unsigned int reason);
/* Basic VMX exit reasons 0..79, SDM Vol. 3D Appendix C, table C-1. */
const char *vmxlab_vmx_exit_reason_name(unsigned int reason);
/* VMXLAB_CHECK_*: the guest-state rule a failed VM entry broke, in words. */
const char *vmxlab_check_name(unsigned int check);
/* VM-instruction error numbers 1..28, SDM Vol. 3C 30.4; 0 is VMfailInvalid. */
const char *vmxlab_vm_instruction_error_name(unsigned int error);
/* VMXLAB_VMFAIL_INSN_* and VMXLAB_VMFAIL_*, in words. */
const char *vmxlab_vmfail_insn_name(unsigned int insn);
const char *vmxlab_vmfail_status_name(unsigned int status);
/* VMXLAB_INTERNAL_*, in words. */
const char *vmxlab_internal_name(unsigned int suberror);

/*
 * Why an errno from one of the above happened, in words a user can act on
 * (e.g. "module not loaded"). @op names the call; the names it knows:
 * "open", "create VM", "get run size", "set memory region", "create vCPU",
 * "map run page", "set registers", "set special registers", "run".
 */
const char *vmxlab_explain(const char *op, int err);

#endif /* LIBVMXLAB_H */
