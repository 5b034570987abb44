/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX backend's private state: one struct vmx_vcpu per vCPU, one
 * struct vmx_vm per VM, and the functions the backend's files share.
 * Documentation/vm-exit.rst follows an exit through all of them.
 */
#ifndef VMXLAB_ARCH_X86_VMX_H
#define VMXLAB_ARCH_X86_VMX_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/vmx.h>

#include "vmx_ops.h"

#include "../../module/vmxlab.h"
#include "caps.h"
#include "ept.h"

struct vmx_lapic;

/*
 * Debug registers (SDM Vol. 3A 18.2): DR6 and DR7 bits a MOV can change,
 * the bits that always read 1, and general detect (DR7.GD), which makes
 * the next MOV DR raise #DB with DR6.BD set.
 */
#define VMX_DR6_VOLATILE	0x0000e80fUL	/* B0-B3, BLD, BD, BS, BT */
#define VMX_DR6_FIXED_1		0xffff0ff0UL
#define VMX_DR6_BD		BIT(13)
#define VMX_DR7_VOLATILE	0xffff2bffUL	/* all but 10, 12, 14, 15 */
#define VMX_DR7_FIXED_1		0x00000400UL
#define VMX_DR7_GD		BIT(13)
#define VMX_DR7_ENABLED		0xffUL		/* L0-L3, G0-G3 */

/* Index of each general-purpose register in vmx_vcpu.regs: SDM order. */
enum vmx_reg {
	VMX_RAX, VMX_RCX, VMX_RDX, VMX_RBX, VMX_RSP, VMX_RBP, VMX_RSI, VMX_RDI,
	VMX_R8, VMX_R9, VMX_R10, VMX_R11, VMX_R12, VMX_R13, VMX_R14, VMX_R15,
	VMX_NR_REGS
};

/*
 * The MSRs switched by the VM-entry/VM-exit MSR lists (SDM 24.7.2, 24.8.2):
 * IA32_TSC_AUX whenever the guest has RDTSCP (it reads it without an
 * exit), the syscall MSRs once it sets EFER.LME.
 */
enum vmx_switched_msr {
	VMX_MSR_TSC_AUX, VMX_MSR_KERNEL_GS_BASE, VMX_MSR_STAR, VMX_MSR_LSTAR,
	VMX_MSR_CSTAR, VMX_MSR_SYSCALL_MASK, VMX_NR_SWITCHED_MSRS
};

/* The MTRRs of struct vmx_guest_msrs (SDM Vol. 3A 12.11): KVM's counts. */
#define VMX_NR_VAR_MTRRS	8
#define VMX_NR_FIXED_MTRRS	11

/* IA32_PAT at power-up (SDM Vol. 3A 12.12.4): WB, WT, UC-, UC twice. */
#define VMX_PAT_RESET		0x0007040600070406ULL

/**
 * struct vmx_guest_msrs - MSRs that vmxlab emulates and only keeps (msr.c)
 * @misc_enable: IA32_MISC_ENABLE.
 * @tsc_adjust: IA32_TSC_ADJUST (the TSC offset follows it).
 * @pat: IA32_PAT when the CPU cannot switch it (no "load IA32_PAT").
 * @mtrr_def_type: IA32_MTRR_DEF_TYPE.
 * @mtrr_fixed: the fixed-range MTRRs, 64K_00000 to 4K_F8000.
 * @mtrr_var: IA32_MTRR_PHYSBASE0, PHYSMASK0, PHYSBASE1...
 */
struct vmx_guest_msrs {
	u64 misc_enable;
	s64 tsc_adjust;
	u64 pat;
	u64 mtrr_def_type;
	u64 mtrr_fixed[VMX_NR_FIXED_MTRRS];
	u64 mtrr_var[2 * VMX_NR_VAR_MTRRS];
};

/* What userspace must complete before the guest may go on. */
enum vmx_pending {
	VMX_PENDING_NONE,
	VMX_PENDING_IO,		/* IN/OUT/INS/OUTS handed to userspace */
	VMX_PENDING_MMIO,	/* an MMIO MOV handed to userspace */
};

/*
 * struct vmx_vcpu.events: what events.c has to do before an entry. The
 * queued events (VMXLAB_INJECT), userspace's request for an interrupt
 * window, and which window exits are armed in the VMCS. While it is 0 the
 * entry path skips events.c altogether.
 */
#define VMX_EV_EXCEPTION	BIT(0)	/* @exc is queued */
#define VMX_EV_NMI		BIT(1)	/* an NMI is queued */
#define VMX_EV_INTR		BIT(2)	/* interrupt @intr_vector is queued */
#define VMX_EV_WINDOW_REQUEST	BIT(3)	/* run->request_interrupt_window */
#define VMX_EV_INTR_WINDOW	BIT(4)	/* interrupt-window exiting is on */
#define VMX_EV_NMI_WINDOW	BIT(5)	/* NMI-window exiting is on */
#define VMX_EV_APIC		BIT(6)	/* an in-kernel APIC: always look */

/**
 * struct vmx_exception - an exception queued by VMXLAB_INJECT
 * @vector: 0 to 31.
 * @has_error: it pushes @error.
 * @error: the error code.
 */
struct vmx_exception {
	u8 vector;
	bool has_error;
	u32 error;
};

/**
 * struct vmx_io_op - a port I/O instruction in flight
 * @in: IN/INS.
 * @string: INS/OUTS.
 * @rep: with a REP prefix.
 * @size: element size in bytes.
 * @port: the port.
 * @count: elements handed to userspace this time.
 * @addr_size: address size of a string instruction, bytes (2, 4, 8).
 * @first: RSI (OUTS) or RDI (INS) at the exit, within the address size.
 * @base: the segment base: guest-linear address of element 0 - @first.
 * @down: RFLAGS.DF was set: the string goes to lower addresses.
 */
struct vmx_io_op {
	bool in;
	bool string;
	bool rep;
	u8 size;
	u16 port;
	u32 count;
	u8 addr_size;
	u64 first;
	u64 base;
	bool down;
};

/**
 * struct vmx_mmio_op - a decoded MMIO instruction in flight
 * @write: a store (else a load into @reg).
 * @len: access width in bytes.
 * @reg: destination register of a load.
 * @dst_size: bytes written to @reg (a zero-extending load can be wider).
 * @high_byte: the destination is AH, CH, DH or BH.
 * @insn_len: instruction length, to advance RIP when done.
 */
struct vmx_mmio_op {
	bool write;
	u8 len;
	u8 reg;
	u8 dst_size;
	bool high_byte;
	u8 insn_len;
};

/**
 * struct vmx_vmfail - a VMX instruction that failed on a vCPU's VMCS
 * @insn: VMXLAB_VMFAIL_INSN_*.
 * @status: VMXLAB_VMFAIL_*, 0 for none.
 * @error: the VM-instruction error number of a VMfailValid (30.4).
 */
struct vmx_vmfail {
	u16 insn;
	u16 status;
	u32 error;
};

/**
 * struct vmx_vcpu - a vCPU's VMX state
 * @regs: guest general-purpose registers; RSP lives in the VMCS and
 *        @regs[VMX_RSP] is only a copy made for the exit handlers.
 * @core: the generic vCPU.
 * @vmcs: the VMCS region (one page).
 * @cpu: the CPU on which the VMCS is active, -1 when it is clear.
 * @launched: VMLAUNCH succeeded since the last VMCLEAR (use VMRESUME).
 * @loaded_link: on the per-CPU list of VMCSs active on @cpu.
 * @vpid: the VPID, 0 when VPIDs are not used.
 * @host_cr3: HOST_CR3 as last written.
 * @host_cr4: HOST_CR4 as last written.
 * @host_cpu: the CPU whose per-CPU host fields (TR, GDTR, GS base,
 *        SYSENTER_ESP) are in the VMCS.
 * @proc: the primary processor-based controls as in the VMCS (the window
 *        exits come and go).
 * @slice: the VMX-preemption timer's value for a whole time slice.
 * @timer_value: the value of the next entry: @slice, or less when the
 *        APIC timer fires sooner (apic.c).
 * @apic: the in-kernel local APIC (VMXLAB_VM_LAPIC), or NULL.
 * @events: VMX_EV_*: events.c has work before the next entry.
 * @intr_vector: the vector of a queued interrupt (VMX_EV_INTR).
 * @exc: a queued exception (VMX_EV_EXCEPTION).
 * @msr_page: the VM-entry MSR-load / VM-exit MSR-store list (guest values)
 *        and, at offset 2048, the VM-exit MSR-load list (host values).
 * @msr_first: the first entry of the MSR lists in use: 0, or 1 when the
 *        guest has no RDTSCP and IA32_TSC_AUX is not switched.
 * @nr_switched: entries in use in the MSR lists from @msr_first.
 * @cr2: the guest's CR2, which VMX does not switch (run.c does).
 * @cr8: the guest's task priority (CR8 accesses exit).
 * @apic_base: IA32_APIC_BASE as the guest reads it.
 * @tsc_offset: the guest's TSC minus the host's (TSC_OFFSET, when the CPU
 *        has TSC offsetting; else 0).
 * @msrs: the MSRs msr.c keeps.
 * @db: the guest's DR0-DR3.
 * @dr6: the guest's DR6.
 * @dr7: the guest's DR7, as in GUEST_DR7 (MOV DR exits, so only vmxlab
 *       changes it).
 * @xcr0: the guest's XCR0.
 * @xcr0_supported: the XCR0 bits it may set (xsave.c), 0: no XSAVE.
 * @pkru: the guest's PKRU (hosts with protection keys only).
 * @fpu: the guest's FPU/SSE/AVX state, swapped with the task's.
 * @l1d_flush: "cond" L1D flushing: flush before the next entry.
 * @l1d_flushes: L1D flushes before entries of this vCPU.
 * @pending: the kind of exit userspace has to complete.
 * @io: the I/O instruction of a VMX_PENDING_IO.
 * @mmio: the instruction of a VMX_PENDING_MMIO.
 * @exits: VM exits by basic reason.
 * @entries: VM entries.
 * @userspace_exits: returns to userspace with an exit.
 * @failed: why the vCPU was stopped for good (status 0: it was not).
 */
struct vmx_vcpu {
	unsigned long regs[VMX_NR_REGS];
	struct vmxlab_vcpu *core;
	void *vmcs;
	int cpu;
	bool launched;
	struct list_head loaded_link;
	u16 vpid;
	unsigned long host_cr3;
	unsigned long host_cr4;
	int host_cpu;
	u32 proc;
	u32 slice;
	u32 timer_value;
	struct vmx_lapic *apic;
	u8 events;
	u8 intr_vector;
	struct vmx_exception exc;
	struct vmx_msr_entry *msr_page;
	unsigned int msr_first;
	unsigned int nr_switched;
	u64 cr2;
	u64 cr8;
	u64 apic_base;
	s64 tsc_offset;
	struct vmx_guest_msrs msrs;
	unsigned long db[4];
	unsigned long dr6;
	unsigned long dr7;
	u64 xcr0;
	u64 xcr0_supported;
	u32 pkru;
	struct fpu_guest fpu;
	bool l1d_flush;
	u64 l1d_flushes;
	enum vmx_pending pending;
	struct vmx_io_op io;
	struct vmx_mmio_op mmio;
	u64 exits[VMXLAB_NR_EXIT_REASONS];
	u64 entries;
	u64 userspace_exits;
	struct vmx_vmfail failed;
};

/**
 * struct vmx_vm - a VM's VMX state
 * @ept: the extended page tables.
 * @eptp: the EPT pointer written to every vCPU's VMCS.
 */
struct vmx_vm {
	struct ept ept;
	u64 eptp;
};

/* What an exit handler tells the run loop. */
enum vmx_exit_action {
	VMX_RESUME,		/* enter the guest again */
	VMX_TO_USER,		/* vcpu->core->run describes an exit */
	VMX_HALT,		/* HLT: sleep until the APIC timer (apic.c) */
	VMX_NOT_HANDLED,	/* run.c: no handler has seen the exit yet */
};

static inline struct vmx_vcpu *to_vmx(struct vmxlab_vcpu *vcpu)
{
	return vcpu->arch;
}

/* The uapi's VMXLAB_VMFAIL_* for an instruction's outcome, and back. */
static inline u16 vmx_vmfail_status(enum vmx_insn_status st)
{
	switch (st) {
	case VMX_FAIL_VALID:
		return VMXLAB_VMFAIL_VALID;
	case VMX_FAIL_INVALID:
		return VMXLAB_VMFAIL_INVALID;
	case VMX_FAULT:
		return VMXLAB_VMFAIL_FAULT;
	default:
		return 0;
	}
}

static inline enum vmx_insn_status vmx_insn_status_of(u16 vmfail_status)
{
	switch (vmfail_status) {
	case VMXLAB_VMFAIL_VALID:
		return VMX_FAIL_VALID;
	case VMXLAB_VMFAIL_INVALID:
		return VMX_FAIL_INVALID;
	case VMXLAB_VMFAIL_FAULT:
		return VMX_FAULT;
	default:
		return VMX_OK;
	}
}

/* hw.c */
const struct vmx_config *vmx_config(void);
bool vmx_rebooting(void);
bool vmx_on_here(void);

/* mmu.c */
long vmx_ept_tables(void);

/* vmcs.c */
extern atomic_t vmx_fail_vmptrld;
extern atomic_t vmx_fail_vpid;
int vmx_vmcs_init_percpu(void);
void vmx_vmcs_exit_percpu(void);
int vmx_vcpu_load(struct vmx_vcpu *v);
int vmx_vcpu_put(struct vmx_vcpu *v);
bool vmx_vmcs_access_failed(void);
void vmx_clear_loaded_vmcss(void);
void vmx_update_msr_lists(struct vmx_vcpu *v);
void vmx_set_efer(struct vmx_vcpu *v, u64 efer);
int vmx_set_cr0(struct vmx_vcpu *v, u64 cr0);
int vmx_set_cr4(struct vmx_vcpu *v, u64 cr4);
int vmx_load_pdptrs(struct vmx_vcpu *v);
u64 vmx_guest_cr0(void);
u64 vmx_guest_cr4(void);
bool vmx_guest_has_rdtscp(void);

/* exits.c */
enum vmx_exit_action vmx_handle_exit(struct vmx_vcpu *v, u32 reason);
void vmx_complete_userspace(struct vmx_vcpu *v);
void vmx_queue_exception(struct vmx_vcpu *v, u8 vector, bool has_error,
			 u32 error);

/* entrycheck.c */
u32 vmx_diagnose_entry_failure(struct vmx_vcpu *v);

/* msr.c */
void vmx_msrs_reset(struct vmx_vcpu *v);

/* events.c */
void vmx_inject_events(struct vmx_vcpu *v);
bool vmx_interrupt_allowed(struct vmx_vcpu *v);
bool vmx_ready_for_interrupt(struct vmx_vcpu *v);
enum vmx_exit_action vmx_handle_intr_window(struct vmx_vcpu *v);
enum vmx_exit_action vmx_handle_nmi_window(struct vmx_vcpu *v);

/* apic.c */
int vmx_apic_create(struct vmx_vcpu *v);
int vmx_apic_set_base(struct vmx_vcpu *v, u64 val, bool host);
bool vmx_apic_accepts_extint(struct vmx_vcpu *v);
bool vmx_apic_mmio(struct vmx_vcpu *v, u64 gpa);
void vmx_apic_mmio_access(struct vmx_vcpu *v, u64 gpa, unsigned int len,
			  bool write, u64 *val);
int vmx_apic_msr_read(struct vmx_vcpu *v, u32 msr, u64 *val);
int vmx_apic_msr_write(struct vmx_vcpu *v, u32 msr, u64 val);
void vmx_apic_set_cr8(struct vmx_vcpu *v, u64 cr8);
u64 vmx_apic_cr8(struct vmx_vcpu *v);
int vmx_apic_before_entry(struct vmx_vcpu *v);
enum vmx_exit_action vmx_apic_halt(struct vmx_vcpu *v);
void vmx_apic_block(struct vmx_vcpu *v);
void vmx_apic_tsc_shift(struct vmx_vcpu *v, s64 delta);

/* vmenter.S */
int vmxlab_vmenter(struct vmx_vcpu *v, bool launched);
void vmxlab_vmexit(void);
void vmxlab_do_nmi_irqoff(void);

/* mitigations.c, called by vmenter.S */
void vmxlab_spec_ctrl_restore_host(void);

#endif /* VMXLAB_ARCH_X86_VMX_H */
