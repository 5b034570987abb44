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
	__u64 reserved[8];
};

/*
 * ioctls on /dev/vmxlab
 *
 * VMXLAB_GET_API_VERSION: returns VMXLAB_API_VERSION; arg must be 0.
 * VMXLAB_GET_CAPS: fills struct vmxlab_caps.
 *   -EFAULT: bad pointer.
 * VMXLAB_CREATE_VM: arg is flags, none defined yet (must be 0). Returns a new
 *   VM file descriptor (O_CLOEXEC). The first VM switches VMX on in every
 *   online CPU; closing the last VM fd switches it off again.
 *   -EINVAL: unknown flag bits. -EBUSY: another hypervisor (e.g. kvm_intel
 *   with a VM open) holds VMX on some CPU; the kernel log names the CPU.
 *   -EIO: VMXON failed (the kernel log says why). -ESHUTDOWN: the machine is
 *   rebooting. -ENOMEM, -EMFILE: as usual.
 */
#define VMXLAB_GET_API_VERSION	_IO(VMXLAB_IO, 0x00)
#define VMXLAB_GET_CAPS		_IOR(VMXLAB_IO, 0x01, struct vmxlab_caps)
#define VMXLAB_CREATE_VM	_IO(VMXLAB_IO, 0x02)

#endif /* _UAPI_LINUX_VMXLAB_H */
