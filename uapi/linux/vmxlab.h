/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmxlab: the ioctl ABI of /dev/vmxlab.
 *
 * Rules (Documentation/abi.rst has the full reference):
 *  - Every structure is made of fixed-width types, padded explicitly to a
 *    multiple of 8 bytes; tests/check-uapi.sh proves with pahole that no
 *    structure has an implicit hole.
 *  - Reserved fields and flags must be zero on input; the kernel returns
 *    -EINVAL otherwise, so that they can be given a meaning later.
 *  - Unknown ioctl commands fail with -ENOTTY.
 *  - VMXLAB_GET_API_VERSION is stable forever; a change to any other part of
 *    this file that an old binary would misread bumps VMXLAB_API_VERSION.
 */
#ifndef _UAPI_LINUX_VMXLAB_H
#define _UAPI_LINUX_VMXLAB_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/const.h>

#define VMXLAB_API_VERSION	1

/* Unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1). */
#define VMXLAB_IO		0xBA

/*
 * The VMX capability MSRs, IA32_VMX_BASIC (0x480) to IA32_VMX_PROCBASED_CTLS3
 * (0x492), SDM Vol. 3D Appendix A. vmxlab_caps.msrs[i] holds MSR 0x480 + i
 * when bit i of vmxlab_caps.msrs_valid is set; an MSR that the CPU does not
 * enumerate is not read and its bit is clear.
 */
#define VMXLAB_CAP_MSR_FIRST	0x480
#define VMXLAB_CAP_MSR_COUNT	19

/* vmxlab_caps.features: what vmxlab found and will use on this machine. */
#define VMXLAB_FEAT_EPT			_BITULL(0)  /* required */
#define VMXLAB_FEAT_UNRESTRICTED_GUEST	_BITULL(1)  /* required */
#define VMXLAB_FEAT_VPID		_BITULL(2)
#define VMXLAB_FEAT_PREEMPTION_TIMER	_BITULL(3)
#define VMXLAB_FEAT_EPT_2M_PAGES	_BITULL(4)
#define VMXLAB_FEAT_EPT_AD_BITS		_BITULL(5)
#define VMXLAB_FEAT_INVEPT_SINGLE	_BITULL(6)
#define VMXLAB_FEAT_INVEPT_ALL		_BITULL(7)
#define VMXLAB_FEAT_INVVPID_SINGLE	_BITULL(8)
#define VMXLAB_FEAT_INVVPID_ALL		_BITULL(9)
#define VMXLAB_FEAT_PAUSE_LOOP_EXITING	_BITULL(10)
#define VMXLAB_FEAT_EPT_UC		_BITULL(11)
#define VMXLAB_FEAT_VIRTUAL_NMIS	_BITULL(12) /* VMXLAB_INJECT of NMIs */

/* vmxlab_caps.activity_states: bits 8:6 of IA32_VMX_MISC (SDM Vol. 3D A.6). */
#define VMXLAB_ACTIVITY_HLT		_BITUL(0)
#define VMXLAB_ACTIVITY_SHUTDOWN	_BITUL(1)
#define VMXLAB_ACTIVITY_WAIT_SIPI	_BITUL(2)

/**
 * struct vmxlab_ctls - one set of VM-execution, VM-exit or VM-entry controls
 * @allowed0: bits that must be 1 (a 0 here means the bit may be 0).
 *            Taken from the TRUE_* MSR when IA32_VMX_BASIC[55] is set
 *            (SDM Vol. 3D A.2), so default1 bits that may be cleared are 0.
 * @allowed1: bits that may be 1.
 * @used: the value vmxlab programs into the VMCS on this machine: what it
 *        wants, fitted to @allowed0 and @allowed1.
 * @pad: zero.
 */
struct vmxlab_ctls {
	__u32 allowed0;
	__u32 allowed1;
	__u32 used;
	__u32 pad;
};

/**
 * struct vmxlab_caps - VMX capabilities, as returned by VMXLAB_GET_CAPS
 * @vmcs_revision_id: IA32_VMX_BASIC[30:0].
 * @vmcs_size: bytes to allocate for a VMCS or VMXON region, BASIC[44:32].
 * @vmcs_memory_type: memory type for VMCS accesses, BASIC[53:50] (6 = WB).
 * @preemption_timer_shift: the VMX-preemption timer counts down by 1 every
 *        time bit @preemption_timer_shift of the TSC changes, MISC[4:0].
 * @cr3_target_count: MISC[24:16].
 * @max_msr_list: recommended maximum of entries in an MSR load/store list,
 *        512 * (MISC[27:25] + 1).
 * @activity_states: VMXLAB_ACTIVITY_* supported, MISC[8:6].
 * @max_vmcs_index: highest index of a VMCS field encoding, VMCS_ENUM[9:1].
 * @pin: pin-based VM-execution controls (SDM Vol. 3D A.3.1).
 * @proc: primary processor-based VM-execution controls (A.3.2).
 * @proc2: secondary processor-based VM-execution controls (A.3.3); all
 *        zero if the CPU has none.
 * @exit: VM-exit controls (A.4).
 * @entry: VM-entry controls (A.5).
 * @proc3_allowed1: tertiary controls that may be 1 (A.3.4), 0 if none.
 * @ept_vpid_cap: IA32_VMX_EPT_VPID_CAP (A.10), 0 if neither EPT nor VPID.
 * @vmfunc: IA32_VMX_VMFUNC (A.11), 0 if no VM functions.
 * @cr0_fixed0: CR0 bits that must be 1 in VMX operation (A.7).
 * @cr0_fixed1: CR0 bits that may be 1 in VMX operation (A.7).
 * @cr4_fixed0: CR4 bits that must be 1 in VMX operation (A.8).
 * @cr4_fixed1: CR4 bits that may be 1 in VMX operation (A.8).
 * @features: VMXLAB_FEAT_* that vmxlab will use.
 * @msrs_valid: bit i set: @msrs[i] was read from the CPU.
 * @msrs: the raw capability MSRs, MSR 0x480 + i in @msrs[i].
 * @mitigations: VMXLAB_MITIG_* that vmxlab applies around VM entry and exit
 *        on this machine (the same as kvm_intel on the same kernel).
 * @reserved: zero.
 */
struct vmxlab_caps {
	__u32 vmcs_revision_id;
	__u32 vmcs_size;
	__u32 vmcs_memory_type;
	__u32 preemption_timer_shift;
	__u32 cr3_target_count;
	__u32 max_msr_list;
	__u32 activity_states;
	__u32 max_vmcs_index;
	struct vmxlab_ctls pin;
	struct vmxlab_ctls proc;
	struct vmxlab_ctls proc2;
	struct vmxlab_ctls exit;
	struct vmxlab_ctls entry;
	__u64 proc3_allowed1;
	__u64 ept_vpid_cap;
	__u64 vmfunc;
	__u64 cr0_fixed0;
	__u64 cr0_fixed1;
	__u64 cr4_fixed0;
	__u64 cr4_fixed1;
	__u64 features;
	__u64 msrs_valid;
	__u64 msrs[VMXLAB_CAP_MSR_COUNT];
	__u64 mitigations;
	__u64 reserved[7];
};

/* vmxlab_caps.mitigations (Documentation/vm-exit.rst, "Mitigations") */
#define VMXLAB_MITIG_RSB_FILL		_BITULL(0)  /* RSB filled after exit */
#define VMXLAB_MITIG_RSB_FILL_LITE	_BITULL(1)  /* one RSB entry (eIBRS) */
#define VMXLAB_MITIG_IBRS_EXIT		_BITULL(2)  /* legacy IBRS rewritten */
#define VMXLAB_MITIG_BHB_CLEAR		_BITULL(3)  /* branch history cleared */
#define VMXLAB_MITIG_VERW		_BITULL(4)  /* VERW before entry */
#define VMXLAB_MITIG_L1D_FLUSH_COND	_BITULL(5)  /* L1D flush, when needed */
#define VMXLAB_MITIG_L1D_FLUSH_ALWAYS	_BITULL(6)  /* L1D flush, every entry */
#define VMXLAB_MITIG_L1D_FLUSH_MSR	_BITULL(7)  /* ... by IA32_FLUSH_CMD */
#define VMXLAB_MITIG_IBPB		_BITULL(8)  /* IBPB on VMCS switch */

/* ------------------------------------------------------------------ */
/* VMs, vCPUs and the run page                                         */
/* ------------------------------------------------------------------ */

#define VMXLAB_MAX_VCPUS	64
#define VMXLAB_MAX_MEM_SLOTS	32

/* VMXLAB_CREATE_VM flags */
#define VMXLAB_VM_LAPIC		_BITUL(0)  /* an in-kernel local APIC per vCPU */

/* vmxlab_memory_region.flags */
#define VMXLAB_MEM_READONLY	_BITUL(0)

/**
 * struct vmxlab_memory_region - VMXLAB_SET_MEMORY_REGION
 * @slot: 0 to VMXLAB_MAX_MEM_SLOTS - 1.
 * @flags: VMXLAB_MEM_*. The guest's writes to a read-only region reach
 *         userspace as VMXLAB_EXIT_MMIO exits; reads and fetches do not.
 * @guest_phys_addr: 4 KiB aligned, below 2^48 with the whole region.
 * @memory_size: bytes, a multiple of 4 KiB; 0 deletes the slot.
 * @userspace_addr: the caller's memory, 4 KiB aligned; pinned while the
 *         slot exists and accounted to the caller's locked memory.
 * @reserved: zero.
 */
struct vmxlab_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 reserved[4];
};

/*
 * struct vmxlab_regs - general-purpose registers, RIP and RFLAGS.
 * RFLAGS bit 1 is always 1 (SDM Vol. 3A 3.4.3); VMXLAB_SET_REGS sets it and
 * clears reserved bits. @reserved must be zero.
 */
struct vmxlab_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 reserved[2];
};

/**
 * struct vmxlab_segment - a segment register with its hidden part
 * @base: segment base (SDM Vol. 3A 3.4.5).
 * @limit: the limit in bytes, as if G were already applied (0xfffff with
 *         G = 1 is given as 0xffffffff).
 * @selector: the visible selector.
 * @type: descriptor type, 4 bits (for CS in real mode: 0xb, accessed code).
 * @s: 1 for code/data, 0 for system descriptors.
 * @dpl: descriptor privilege level.
 * @present: P.
 * @avl: available bit.
 * @l: 64-bit code segment.
 * @db: default operation size (D/B).
 * @g: granularity.
 * @unusable: the register holds a null selector (SDM Vol. 3C 24.4.1).
 * @pad: zero.
 */
struct vmxlab_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8 type;
	__u8 s;
	__u8 dpl;
	__u8 present;
	__u8 avl;
	__u8 l;
	__u8 db;
	__u8 g;
	__u8 unusable;
	__u8 pad;
};

/**
 * struct vmxlab_dtable - GDTR or IDTR
 * @base: linear base address.
 * @limit: limit in bytes.
 * @pad: zero.
 */
struct vmxlab_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

/*
 * struct vmxlab_sregs - segment, table and control registers, and EFER.
 *
 * cs ... ldt: segment registers, the task register (tr) and LDTR (ldt);
 * gdt, idt: GDTR and IDTR. cr0 and cr4 are the values the guest sees (the
 * CPU runs with the bits VMX operation forces; CR4.VMXE is never visible).
 * cr8 is the task priority, 0 to 15. efer is IA32_EFER, whose LMA must agree
 * with LME and CR0.PG. apic_base is IA32_APIC_BASE as the guest reads it:
 * without VMXLAB_VM_LAPIC only reported; with it, a legal state (SDM Vol.
 * 3A 11.12.5) that sets the APIC's mode (-EINVAL otherwise, the rest of the
 * state set all the same), and cr8 is its TPR[7:4]. Reserved must be zero.
 */
struct vmxlab_sregs {
	struct vmxlab_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct vmxlab_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 apic_base;
	__u64 reserved[8];
};

/* vmxlab_run.exit_reason */
#define VMXLAB_EXIT_NONE		0
#define VMXLAB_EXIT_IO			1  /* port I/O for userspace */
#define VMXLAB_EXIT_MMIO		2  /* access to guest memory not backed */
#define VMXLAB_EXIT_HLT			3  /* HLT executed (RIP is past it) */
#define VMXLAB_EXIT_SHUTDOWN		4  /* triple fault */
#define VMXLAB_EXIT_FAIL_ENTRY		5  /* VM entry failed on guest state */
#define VMXLAB_EXIT_VMFAIL		6  /* VMLAUNCH/VMRESUME failed (VMfail) */
#define VMXLAB_EXIT_INTERNAL_ERROR	7  /* an exit vmxlab cannot handle */
#define VMXLAB_EXIT_TRACE_FULL		8  /* the trace ring has no room: drain it */
#define VMXLAB_EXIT_IRQ_WINDOW_OPEN	9  /* request_interrupt_window: inject now */

/* vmxlab_run.vmfail.insn: which VMX instruction failed */
#define VMXLAB_VMFAIL_INSN_ENTRY	0  /* VMLAUNCH or VMRESUME */
#define VMXLAB_VMFAIL_INSN_VMPTRLD	1  /* making the VMCS current */
#define VMXLAB_VMFAIL_INSN_VMCS_ACCESS	2  /* a VMREAD or VMWRITE */

/* vmxlab_run.vmfail.status: how it failed (SDM Vol. 3C 30.2) */
#define VMXLAB_VMFAIL_VALID		1  /* VMfailValid: @error says why */
#define VMXLAB_VMFAIL_INVALID		2  /* VMfailInvalid: no current VMCS */
#define VMXLAB_VMFAIL_FAULT		3  /* it faulted: VMX was off (reboot) */

/* vmxlab_run.flags */
#define VMXLAB_RUN_IF			_BITUL(0)  /* guest RFLAGS.IF at exit */
#define VMXLAB_RUN_READY_FOR_INTR	_BITUL(1)  /* see @flags below */

/* vmxlab_run.io.direction */
#define VMXLAB_IO_OUT	0
#define VMXLAB_IO_IN	1

/* Where in the run page the port I/O data lives, and how much fits. */
#define VMXLAB_RUN_IO_DATA_OFFSET	1024
#define VMXLAB_RUN_IO_DATA_MAX		2048

/*
 * vmxlab_run.fail_entry.check: the guest-state rule that vmxlab found
 * broken after the CPU refused a VM entry (SDM Vol. 3C 26.3.1). The CPU
 * itself only says "invalid guest state"; vmxlab re-checks the main rules
 * in software to name one. VMXLAB_CHECK_UNKNOWN: none of its checks failed.
 */
#define VMXLAB_CHECK_UNKNOWN		0
#define VMXLAB_CHECK_CR0		1  /* CR0 fixed bits, PG without PE */
#define VMXLAB_CHECK_CR4		2  /* CR4 fixed bits */
#define VMXLAB_CHECK_EFER		3  /* EFER.LMA vs LME, CR0.PG, entry ctl */
#define VMXLAB_CHECK_RFLAGS		4  /* reserved bits, VM in long mode */
#define VMXLAB_CHECK_CS			5  /* CS type, DPL, L/D, limit vs G */
#define VMXLAB_CHECK_SS			6  /* SS type, DPL */
#define VMXLAB_CHECK_DATA_SEG		7  /* DS, ES, FS, GS type, limit vs G */
#define VMXLAB_CHECK_TR			8  /* TR must be a busy TSS */
#define VMXLAB_CHECK_LDTR		9  /* LDTR type */
#define VMXLAB_CHECK_DTABLE		10 /* GDTR/IDTR limit or base */
#define VMXLAB_CHECK_RIP		11 /* RIP not canonical / above 4 GiB */
#define VMXLAB_CHECK_PDPTE		12 /* PAE paging: a reserved PDPTE bit */
#define VMXLAB_CHECK_CR3		13 /* CR3 bits beyond MAXPHYADDR */

/* vmxlab_run.internal.suberror */
#define VMXLAB_INTERNAL_UNKNOWN_EXIT	1  /* an exit reason with no handler */
#define VMXLAB_INTERNAL_EMULATION	2  /* MMIO by an instruction vmxlab cannot decode */
#define VMXLAB_INTERNAL_STRING_IO	3  /* INS/OUTS whose memory operand is not RAM */
#define VMXLAB_INTERNAL_DELIVERY	4  /* delivering an event needed memory that is not RAM */
#define VMXLAB_INTERNAL_PAGE_WALK	5  /* the guest's page tables are not in its RAM */

/**
 * struct vmxlab_run - the mmap'd run page of a vCPU (VMXLAB_GET_RUN_SIZE bytes)
 * @immediate_exit: in: if set, VMXLAB_RUN returns -EINTR before entering.
 * @request_interrupt_window: in: if set and no event is queued,
 *      VMXLAB_RUN returns with VMXLAB_EXIT_IRQ_WINDOW_OPEN as soon as the
 *      guest can take an external interrupt (RFLAGS.IF = 1, no blocking by
 *      STI or MOV SS: SDM Vol. 3C 25.4.2, 26.7.5), before it runs another
 *      instruction.
 * @pad0: zero.
 * @exit_reason: out: VMXLAB_EXIT_*.
 * @flags: out: VMXLAB_RUN_*. VMXLAB_RUN_READY_FOR_INTR: RFLAGS.IF is set,
 *      nothing blocks interrupts and no interrupt or other event is queued:
 *      an interrupt given to VMXLAB_INJECT now is delivered at the next
 *      entry, before the guest runs an instruction.
 * @rip: out: the guest's RIP at the exit.
 * @rflags: out: the guest's RFLAGS at the exit.
 * @exit_count: out: VM entries of this vCPU so far (each ends in a VM exit
 *      or an entry failure).
 * @io: VMXLAB_EXIT_IO. @count elements of @size (1, 2 or 4) bytes at
 *      @data_offset in this page. For OUT they hold the guest's data; for
 *      IN userspace stores them there before the next VMXLAB_RUN, which
 *      completes the instruction. REP INS/OUTS may exit several times.
 * @mmio: VMXLAB_EXIT_MMIO. @len (1, 2, 4 or 8) bytes at @phys_addr. For a
 *      write @data holds them; for a read userspace fills @data before the
 *      next VMXLAB_RUN.
 * @fail_entry: VMXLAB_EXIT_FAIL_ENTRY: @reason, the basic exit reason (33:
 *      invalid guest state, 34: MSR loading, 41: machine-check event), the
 *      exit @qualification, and @check, a VMXLAB_CHECK_*.
 * @vmfail: VMXLAB_EXIT_VMFAIL: a VMX instruction on this vCPU's VMCS
 *      failed, @insn (VMXLAB_VMFAIL_INSN_*) with @status
 *      (VMXLAB_VMFAIL_*); @error is the VM-instruction error number (SDM
 *      Vol. 3C 30.4) for VMXLAB_VMFAIL_VALID, else 0. The vCPU is stopped
 *      for good: its VMCS can no longer be trusted, every later
 *      VMXLAB_RUN returns the same exit and the register ioctls -EIO.
 * @internal: VMXLAB_EXIT_INTERNAL_ERROR: @suberror (VMXLAB_INTERNAL_*),
 *      the raw @exit_reason, its @qualification, @gpa, the guest-physical
 *      address of an EPT violation, and @vectoring_info with
 *      @vectoring_error, the exit's IDT-vectoring information and error
 *      code (SDM Vol. 3C 27.2.4; bit 31 clear if no event was being
 *      delivered). For VMXLAB_INTERNAL_DELIVERY that event stays queued:
 *      the next VMXLAB_RUN delivers it again (once userspace has mapped
 *      RAM at @gpa, it goes in).
 * @padding: reserves the union's size.
 */
struct vmxlab_run {
	__u8 immediate_exit;
	__u8 request_interrupt_window;
	__u8 pad0[6];
	__u32 exit_reason;
	__u32 flags;
	__u64 rip;
	__u64 rflags;
	__u64 exit_count;
	union {
		struct {
			__u8 direction;
			__u8 size;
			__u16 port;
			__u32 count;
			__u64 data_offset;
		} io;
		struct {
			__u64 phys_addr;
			__u8 data[8];
			__u32 len;
			__u8 is_write;
			__u8 pad[3];
		} mmio;
		struct {
			__u32 reason;
			__u32 check;
			__u64 qualification;
		} fail_entry;
		struct {
			__u32 error;
			__u16 insn;
			__u16 status;
		} vmfail;
		struct {
			__u32 suberror;
			__u32 exit_reason;
			__u64 qualification;
			__u64 gpa;
			__u32 vectoring_info;
			__u32 vectoring_error;
		} internal;
		__u8 padding[256];
	};
};

/*
 * What the guest sees of vmxlab (Documentation/abi.rst, "Guest interface").
 *
 * CPUID leaf 0x40000000 returns EAX = 0x40000001 (the highest hypervisor
 * leaf) and the signature "vmxlabvmxlab" in EBX, ECX, EDX; leaf 0x40000001
 * returns 0 in all four. CPUID.1:ECX.hypervisor[31] is set and VMX[5] clear.
 *
 * Hypercalls: VMCALL at CPL 0 with the number in RAX and arguments in RBX,
 * RCX, RDX; the result comes back in RAX (EAX outside 64-bit mode). An
 * unknown number returns VMXLAB_HC_ENOSYS, a call from CPL > 0 returns
 * VMXLAB_HC_EPERM; neither faults.
 */
#define VMXLAB_CPUID_SIGNATURE		"vmxlabvmxlab"
#define VMXLAB_HC_NOP			0  /* returns 0 */
#define VMXLAB_HC_ECHO			1  /* returns RBX */
#define VMXLAB_HC_VCPU_ID		2  /* returns the vCPU id */
#define VMXLAB_HC_ENOSYS		((__u64)-38)
#define VMXLAB_HC_EPERM			((__u64)-1)

/* Basic exit reasons are below this (SDM Vol. 3D Appendix C). */
#define VMXLAB_NR_EXIT_REASONS	80

/**
 * struct vmxlab_vcpu_stats - VMXLAB_GET_VCPU_STATS
 * @nr_reasons: out: VMXLAB_NR_EXIT_REASONS, the length of @exits.
 * @pad: zero.
 * @entries: VM entries (VMLAUNCH/VMRESUME executed).
 * @userspace_exits: VMXLAB_RUN returns with an exit for userspace.
 * @exits: VM exits by basic exit reason (SDM Vol. 3D Appendix C).
 * @reserved: zero.
 */
struct vmxlab_vcpu_stats {
	__u32 nr_reasons;
	__u32 pad;
	__u64 entries;
	__u64 userspace_exits;
	__u64 reserved[5];
	__u64 exits[VMXLAB_NR_EXIT_REASONS];
};

/*
 * Exit latency (Documentation/exit-latency.rst). Each VM exit the vCPU
 * takes with statistics on is one sample, timed with the TSC from the
 * exit to the next entry:
 *   VMXLAB_LAT_ROUND_TRIP  from the VM exit to the next VM entry;
 *   VMXLAB_LAT_USER        of that, the time in userspace (from the return
 *                          of VMXLAB_RUN with the exit to the next
 *                          VMXLAB_RUN): 0 for exits the kernel handles;
 *   VMXLAB_LAT_KERNEL      the rest: the time in vmxlab and the kernel.
 * A sample during which the CPU took an interrupt or NMI, or the task was
 * switched out or moved, counts as disturbed and stays out of the rest.
 *
 * Histograms are log-linear: a value v below 2 << VMXLAB_LAT_SUB_BITS
 * counts in bucket v; above, with e = the index of v's highest set bit,
 * in bucket ((e - SUB_BITS) << SUB_BITS) + (v >> (e - SUB_BITS)), so that
 * a bucket spans at most 1/16 of its values (2^-SUB_BITS); values of 2^36
 * and more count in the last bucket.
 */
#define VMXLAB_LAT_KERNEL	0
#define VMXLAB_LAT_USER		1
#define VMXLAB_LAT_ROUND_TRIP	2
#define VMXLAB_LAT_NR_KINDS	3
#define VMXLAB_LAT_SUB_BITS	4
#define VMXLAB_LAT_MAX_BIT	35
#define VMXLAB_LAT_BUCKETS	\
	(((VMXLAB_LAT_MAX_BIT - VMXLAB_LAT_SUB_BITS + 1) << VMXLAB_LAT_SUB_BITS) + \
	 (1 << VMXLAB_LAT_SUB_BITS))

/**
 * struct vmxlab_exit_lat - one latency histogram (one exit reason, one kind)
 * @count: undisturbed samples, the ones in @sum, @min, @max and @buckets.
 * @disturbed: samples left out (an interrupt, NMI, preemption, migration).
 * @sum: of the samples, in TSC ticks.
 * @min: the least sample (0 while @count is 0).
 * @max: the greatest sample.
 * @buckets: samples per bucket (see above).
 */
struct vmxlab_exit_lat {
	__u64 count;
	__u64 disturbed;
	__u64 sum;
	__u64 min;
	__u64 max;
	__u32 buckets[VMXLAB_LAT_BUCKETS];
};

/**
 * struct vmxlab_exit_stats - VMXLAB_GET_EXIT_STATS
 * @size: in: the bytes at @data; out: the bytes the records take.
 * @flags: out: VMXLAB_STATS_ON while the vCPU collects.
 * @nr_reasons: out: VMXLAB_NR_EXIT_REASONS.
 * @nr_kinds: out: VMXLAB_LAT_NR_KINDS.
 * @nr_buckets: out: VMXLAB_LAT_BUCKETS.
 * @sub_bucket_bits: out: VMXLAB_LAT_SUB_BITS.
 * @record_size: out: sizeof(struct vmxlab_exit_lat).
 * @tsc_khz: out: the unit, TSC ticks per millisecond (0: not known).
 * @data: in: where the records go, @nr_reasons x @nr_kinds of them, the
 *        kinds of reason 0 first.
 * @reserved: zero.
 */
struct vmxlab_exit_stats {
	__u32 size;
	__u32 flags;
	__u32 nr_reasons;
	__u32 nr_kinds;
	__u32 nr_buckets;
	__u32 sub_bucket_bits;
	__u32 record_size;
	__u32 tsc_khz;
	__u64 data;
	__u64 reserved[4];
};

/* VMXLAB_SET_EXIT_STATS: arg; and @flags of struct vmxlab_exit_stats. */
#define VMXLAB_STATS_ON		0x1	/* start collecting */
#define VMXLAB_STATS_OFF	0x2	/* stop (the records stay) */
#define VMXLAB_STATS_RESET	0x4	/* zero the records */

/*
 * The exit trace ring (Documentation/exit-latency.rst, "The trace ring"):
 * after VMXLAB_SET_TRACE, mmap() VMXLAB_TRACE_BYTES(nr) bytes (rounded up
 * to pages) at offset VMXLAB_TRACE_MMAP_OFFSET of the vCPU fd: struct
 * vmxlab_trace_ring, then @nr records from VMXLAB_TRACE_RECS_OFFSET. The
 * kernel writes one record per VM exit once the next entry completes it,
 * then advances @head (release); the reader reads records from @tail to
 * @head (acquire) and then advances @tail (release). Both count records
 * since the start; record i sits at index i & (nr - 1). When the ring is
 * full, VMXLAB_RUN returns with VMXLAB_EXIT_TRACE_FULL before the next
 * entry, until the reader makes room, so no record is lost; with
 * VMXLAB_TRACE_DROP the record is dropped instead and @dropped counts it.
 */
#define VMXLAB_TRACE_MMAP_OFFSET	0x100000
#define VMXLAB_TRACE_RECS_OFFSET	64
#define VMXLAB_TRACE_MAX		0x100000	/* 2^20 */
#define VMXLAB_TRACE_BYTES(nr)	\
	(VMXLAB_TRACE_RECS_OFFSET + (nr) * sizeof(struct vmxlab_trace_rec))

/* struct vmxlab_trace_rec @flags */
#define VMXLAB_TRACE_REC_USER	0x1	/* the exit went to userspace */

/**
 * struct vmxlab_trace_rec - one VM exit
 * @reason: the exit reason as the VMCS gives it (bit 31: a failed entry).
 * @flags: VMXLAB_TRACE_REC_*.
 * @qualification: the exit qualification (SDM Vol. 3C 28.2.1).
 * @rip: the guest's RIP at the exit.
 * @tsc_exit: TSC right after the exit.
 * @tsc_entry: TSC right before the next entry.
 */
struct vmxlab_trace_rec {
	__u32 reason;
	__u32 flags;
	__u64 qualification;
	__u64 rip;
	__u64 tsc_exit;
	__u64 tsc_entry;
};

/**
 * struct vmxlab_trace_ring - the head of the mapping
 * @head: written by the kernel: records written since the ring was set up.
 * @tail: written by the reader: records it has consumed.
 * @dropped: written by the kernel: records lost (VMXLAB_TRACE_DROP only).
 * @nr: records the ring holds.
 * @flags: as given to VMXLAB_SET_TRACE.
 * @reserved: zero.
 */
struct vmxlab_trace_ring {
	__u64 head;
	__u64 tail;
	__u64 dropped;
	__u32 nr;
	__u32 flags;
	__u64 reserved[4];
};

/* struct vmxlab_event @type */
#define VMXLAB_EVENT_INTR	0  /* external interrupt, @vector 0 to 255 */
#define VMXLAB_EVENT_NMI	1  /* NMI; @vector 0 */
#define VMXLAB_EVENT_EXCEPTION	2  /* hardware exception, @vector 0 to 31 */

/**
 * struct vmxlab_event - VMXLAB_INJECT: an event for the guest
 * @type: VMXLAB_EVENT_*.
 * @vector: the vector (see @type).
 * @has_error_code: 1 for an exception that pushes an error code (#DF,
 *        #TS, #NP, #SS, #GP, #PF, #AC, #CP), else 0; it must agree with
 *        @vector. Real mode pushes none, whatever this says (SDM Vol. 3C
 *        26.2.1.3).
 * @pad: zero.
 * @error_code: the error code, when @has_error_code.
 * @reserved: zero.
 *
 * The event is queued in the vCPU and delivered through the guest's IDT
 * (SDM Vol. 3C 26.6) at the first entry at which the guest can take it:
 * an exception at once; an NMI when no NMI is being handled (blocking by
 * NMI ends with the guest's next IRET) and no STI or MOV SS blocking; an
 * interrupt when RFLAGS.IF is set and no STI or MOV SS blocking, with an
 * exit when that window opens. A #PF takes its address from CR2: set it
 * with VMXLAB_SET_SREGS first.
 */
struct vmxlab_event {
	__u8 type;
	__u8 vector;
	__u8 has_error_code;
	__u8 pad;
	__u32 error_code;
	__u64 reserved[2];
};

/* struct vmxlab_trace_setup @flags */
#define VMXLAB_TRACE_DROP	0x1	/* when full, drop records, do not stop */

/**
 * struct vmxlab_trace_setup - VMXLAB_SET_TRACE
 * @nr: records in the ring, a power of two up to VMXLAB_TRACE_MAX; 0
 *      stops tracing (the ring stays, and stays mapped).
 * @flags: VMXLAB_TRACE_*.
 * @reserved: zero.
 */
struct vmxlab_trace_setup {
	__u32 nr;
	__u32 flags;
	__u64 reserved[3];
};

/*
 * ioctls on /dev/vmxlab
 *
 * VMXLAB_GET_API_VERSION: returns VMXLAB_API_VERSION; arg must be 0.
 * VMXLAB_GET_CAPS: fills struct vmxlab_caps.
 *   -EFAULT: bad pointer.
 * VMXLAB_CREATE_VM: arg is flags: VMXLAB_VM_LAPIC gives every vCPU a local
 *   APIC in the kernel (Documentation/interrupts.rst). Returns a new
 *   VM file descriptor (O_CLOEXEC). The first VM switches VMX on in every
 *   online CPU; closing the last VM fd switches it off again.
 *   -EINVAL: unknown flag bits. -EBUSY: another hypervisor (e.g. kvm_intel
 *   with a VM open) holds VMX on some CPU; the kernel log names the CPU.
 *   -EIO: VMXON failed (the kernel log says why). -ESHUTDOWN: the machine is
 *   rebooting. -ENOMEM, -EMFILE: as usual.
 * VMXLAB_GET_RUN_SIZE: the size to mmap() from a vCPU fd; arg must be 0.
 */
#define VMXLAB_GET_API_VERSION	_IO(VMXLAB_IO, 0x00)
#define VMXLAB_GET_CAPS		_IOR(VMXLAB_IO, 0x01, struct vmxlab_caps)
#define VMXLAB_CREATE_VM	_IO(VMXLAB_IO, 0x02)
#define VMXLAB_GET_RUN_SIZE	_IO(VMXLAB_IO, 0x03)

/*
 * ioctls on a VM fd
 *
 * VMXLAB_SET_MEMORY_REGION: add a slot, or delete it (memory_size 0).
 *   -EINVAL: bad slot, flags, alignment or reserved field. -EEXIST: overlaps
 *   another slot. -E2BIG: beyond 2^48. -EFAULT: the memory cannot be pinned.
 *   -ENOMEM: over RLIMIT_MEMLOCK, or out of memory. -EBUSY: the slot is in
 *   use (delete it first).
 * VMXLAB_CREATE_VCPU: arg is the vCPU id, below VMXLAB_MAX_VCPUS. Returns a
 *   vCPU fd (O_CLOEXEC) that keeps the VM alive. -EINVAL: bad id. -EEXIST:
 *   the id exists. -ENOMEM.
 */
#define VMXLAB_SET_MEMORY_REGION _IOW(VMXLAB_IO, 0x10, struct vmxlab_memory_region)
#define VMXLAB_CREATE_VCPU	_IO(VMXLAB_IO, 0x11)

/*
 * ioctls on a vCPU fd (mmap offset 0 gives the run page, offset
 * VMXLAB_TRACE_MMAP_OFFSET the trace ring)
 *
 * VMXLAB_GET_REGS, VMXLAB_SET_REGS, VMXLAB_GET_SREGS, VMXLAB_SET_SREGS:
 *   -EFAULT, -EINVAL (reserved or pad fields not zero).
 * VMXLAB_RUN: arg must be 0. Enters the guest until an exit userspace must
 *   see, then returns 0 with the exit in the run page. -EINTR: a signal is
 *   pending (or immediate_exit was set); the vCPU is resumable. -ENOEXEC:
 *   registers and special registers were never set. -EBUSY: another thread
 *   runs this vCPU. The run page belongs to the vCPU: RUN works whether
 *   or not userspace has mapped it.
 * VMXLAB_GET_VCPU_STATS: fills struct vmxlab_vcpu_stats.
 * VMXLAB_SET_EXIT_STATS: arg is VMXLAB_STATS_ON or VMXLAB_STATS_OFF, or'ed
 *   with VMXLAB_STATS_RESET, or RESET alone. The first ON allocates the
 *   records (about 0.7 MiB, accounted to the caller). While no vCPU
 *   collects, the exit path pays nothing (a static key). -EINVAL: unknown
 *   bits, ON with OFF, or 0. -ENOMEM.
 * VMXLAB_SET_TRACE: struct vmxlab_trace_setup. Sets up the exit trace ring
 *   of @nr records and starts tracing; again with the same @nr it starts
 *   over (head, tail and dropped back to 0) with the new flags; with @nr 0
 *   it stops. -EINVAL: @nr not a power of two or above VMXLAB_TRACE_MAX,
 *   unknown flags, reserved fields. -EBUSY: a ring of another size exists
 *   (a vCPU has one ring for its life). -ENOMEM.
 * VMXLAB_GET_EXIT_STATS: struct vmxlab_exit_stats in and out; the records
 *   go to data. -E2BIG: size is too small (size says what is needed).
 *   -EINVAL: a reserved field is not zero. -EFAULT, -ENOMEM. A vCPU that
 *   never collected gives zeroed records.
 * VMXLAB_INJECT: struct vmxlab_event; queues it for the guest (one of each
 *   type at a time). -EBUSY: one of that type is still queued (for an
 *   interrupt: wait for VMXLAB_RUN_READY_FOR_INTR). -EINVAL: bad type,
 *   vector, error code flag or a reserved field. -EOPNOTSUPP: an NMI
 *   without VMXLAB_FEAT_VIRTUAL_NMIS.
 */
#define VMXLAB_GET_REGS		_IOR(VMXLAB_IO, 0x20, struct vmxlab_regs)
#define VMXLAB_SET_REGS		_IOW(VMXLAB_IO, 0x21, struct vmxlab_regs)
#define VMXLAB_GET_SREGS	_IOR(VMXLAB_IO, 0x22, struct vmxlab_sregs)
#define VMXLAB_SET_SREGS	_IOW(VMXLAB_IO, 0x23, struct vmxlab_sregs)
#define VMXLAB_RUN		_IO(VMXLAB_IO, 0x24)
#define VMXLAB_GET_VCPU_STATS	_IOR(VMXLAB_IO, 0x25, struct vmxlab_vcpu_stats)
#define VMXLAB_SET_EXIT_STATS	_IO(VMXLAB_IO, 0x26)
#define VMXLAB_GET_EXIT_STATS	_IOWR(VMXLAB_IO, 0x27, struct vmxlab_exit_stats)
#define VMXLAB_SET_TRACE	_IOW(VMXLAB_IO, 0x28, struct vmxlab_trace_setup)
#define VMXLAB_INJECT		_IOW(VMXLAB_IO, 0x29, struct vmxlab_event)

#endif /* _UAPI_LINUX_VMXLAB_H */
