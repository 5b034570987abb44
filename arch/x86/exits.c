// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit dispatch by basic exit reason (SDM Vol. 3D Appendix C) from one
 * designated-initializer table. A handler either finishes the exit in the
 * kernel (VMX_RESUME) or describes it in the run page for userspace
 * (VMX_TO_USER). A reason with no handler stops the vCPU and reaches
 * userspace raw, as VMXLAB_EXIT_INTERNAL_ERROR. The handlers live by
 * concern in the files exits.h lists; here are what they share (the
 * guest's registers, completing or faulting an instruction), the
 * exceptions the guest handles itself (#DB, #AC), HLT, VMCALL and the
 * re-delivery of an event an exit interrupted.
 *
 * What the guest sees of all this is in Documentation/abi.rst ("Guest
 * interface"); how an exit travels is in Documentation/vm-exit.rst.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/kernel.h>
#include <asm/cpufeature.h>
#include <asm/processor.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>

#include "../../module/arch.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"

/* GETSEC always exits (SDM Vol. 3C 25.1.2); asm/vmx.h has no name for it. */
#define VMX_EXIT_REASON_GETSEC	11

typedef enum vmx_exit_action (*vmx_exit_handler)(struct vmx_vcpu *v);

/*
 * Writes @size bytes of @val to register @n as an instruction would: 8- and
 * 16-bit writes keep the other bits, 32-bit writes zero-extend (SDM Vol. 1
 * 3.4.1.1).
 */
void vmx_write_gpr_sized(struct vmx_vcpu *v, unsigned int n, bool high,
			 unsigned int size, u64 val)
{
	u64 old = vmx_get_gpr(v, n);

	switch (size) {
	case 1:
		if (high)
			val = (old & ~0xff00ULL) | ((val & 0xff) << 8);
		else
			val = (old & ~0xffULL) | (val & 0xff);
		break;
	case 2:
		val = (old & ~0xffffULL) | (val & 0xffff);
		break;
	case 4:
		val = (u32)val;
		break;
	}
	vmx_set_gpr(v, n, val);
}

/* The guest's RAX/RDX pair of RDMSR, CPUID... outside 64-bit mode: EAX. */
static void set_gpr32(struct vmx_vcpu *v, unsigned int n, u64 val)
{
	v->regs[n] = vmx_long_mode() ? val : (u32)val;
}

/* Vectors that are no faults: traps and aborts (SDM Vol. 3A Table 6-1). */
#define VMX_NOT_FAULT_VECTORS	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_BP) |	\
				 BIT(X86_TRAP_OF) | BIT(X86_TRAP_DF) |	\
				 BIT(X86_TRAP_MC))

/* Pending debug exceptions: single step (BS), SDM Vol. 3C table 24-4. */
#define VMX_PENDING_DBG_BS	BIT(14)

/* Ends blocking by STI and by MOV SS (24.4.2). */
static void end_interrupt_shadow(void)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

/*
 * An instruction vmxlab carried out for the guest has completed: RIP moves
 * on by @len, the blocking by STI or MOV SS it was under ends with it
 * (24.4.2), and with RFLAGS.TF set the single-step trap hardware would
 * raise after it becomes a pending debug exception, delivered as #DB with
 * DR6.BS right after the next VM entry (26.6.3; SDM Vol. 3A 18.3.1.4).
 */
void vmx_complete_instruction(u64 len)
{
	u64 rip = vmcs_readl(GUEST_RIP) + len;

	vmcs_writel(GUEST_RIP, vmx_long_mode() ? rip : (u32)rip);
	end_interrupt_shadow();
	if (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_TF)
		vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS) |
			    VMX_PENDING_DBG_BS);
}

/*
 * Moves RIP past the instruction that exited. The exit instruction
 * length is valid for instruction exits (SDM Vol. 3C 27.2.5).
 */
void vmx_skip_instruction(struct vmx_vcpu *v)
{
	vmx_complete_instruction(vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
}

/**
 * vmx_queue_exception() - deliver a hardware exception at the next entry
 * @v: the vCPU, loaded.
 * @vector: 0 to 31.
 * @has_error: the exception pushes an error code.
 * @error: the error code.
 *
 * Event injection (SDM Vol. 3C 26.6). In real mode no error code is
 * pushed, and VM entry insists on that (26.2.1.3). The faulting
 * instruction did not complete, so it raises no single-step trap, and the
 * exception's delivery ends any blocking by STI or MOV SS it was under:
 * left set with RFLAGS.TF = 1, that blocking would also make the entry
 * fail its check of the pending debug exceptions (26.3.1.5).
 */
void vmx_queue_exception(struct vmx_vcpu *v, u8 vector, bool has_error,
			 u32 error)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	end_interrupt_shadow();
	/*
	 * A fault pushes RFLAGS with RF set, so that the instruction it
	 * returns to raises no instruction breakpoint again (SDM Vol. 3A
	 * 18.3.1.1); event injection does not set it (KVM sets it too). Not
	 * for #DB (code breakpoints and general detect push RF clear), the
	 * traps #BP and #OF, the aborts #DF and #MC, nor in real mode, whose
	 * FLAGS image has no RF.
	 */
	if (!(BIT(vector) & VMX_NOT_FAULT_VECTORS) &&
	    (vmx_guest_cr0() & X86_CR0_PE))
		vmcs_writel(GUEST_RFLAGS,
			    vmcs_readl(GUEST_RFLAGS) | X86_EFLAGS_RF);

	if (has_error && (vmx_guest_cr0() & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
}

/* #UD and #GP(0), as the instruction that exited would have raised them. */
enum vmx_exit_action vmx_inject_ud(struct vmx_vcpu *v)
{
	vmx_queue_exception(v, X86_TRAP_UD, false, 0);
	return VMX_RESUME;
}

enum vmx_exit_action vmx_inject_gp(struct vmx_vcpu *v)
{
	vmx_queue_exception(v, X86_TRAP_GP, true, 0);
	return VMX_RESUME;
}

enum vmx_exit_action vmx_internal_error(struct vmx_vcpu *v, u32 suberror,
					u32 reason)
{
	struct vmxlab_run *run = vmx_run_of(v);

	run->exit_reason = VMXLAB_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.exit_reason = reason;
	run->internal.qualification = vmcs_readl(EXIT_QUALIFICATION);
	run->internal.gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	run->internal.vectoring_info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	run->internal.vectoring_error =
		(run->internal.vectoring_info & VECTORING_INFO_DELIVER_CODE_MASK) ?
		vmcs_read32(IDT_VECTORING_ERROR_CODE) : 0;
	return VMX_TO_USER;
}

static enum vmx_exit_action handle_resume(struct vmx_vcpu *v)
{
	return VMX_RESUME;
}

static enum vmx_exit_action handle_skip(struct vmx_vcpu *v)
{
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/* #DB bits of the exit qualification (SDM Vol. 3C 28.2.1), as in DR6. */
#define VMX_DB_QUAL_DR6		(DR_TRAP_BITS | VMX_DR6_BD | DR_STEP)

/*
 * #DB and #AC, intercepted (vmcs.c) and given back to the guest as the
 * CPU would have delivered them. Were they not intercepted, a guest could
 * hang the CPU: an exception whose own delivery raises it again (#AC on a
 * misaligned stack at CPL 3, CVE-2015-5307; #DB from a data breakpoint on
 * the stack the #DB frame goes to, CVE-2015-8104) repeats inside the CPU
 * with no instruction boundary at which a host interrupt is taken. KVM
 * intercepts both for that reason. Intercepted, each delivery is an exit,
 * and the run loop keeps its time slice and notices signals. In Bochs the
 * same hang takes less: an instruction breakpoint on the first instruction
 * of the #DB handler, as Bochs checks code breakpoints before the
 * VMX-preemption timer (Documentation/testing.rst).
 *
 * An exit on an exception leaves DR6 and DR7.GD alone (27.1); delivering
 * the #DB sets DR6's B0-B3, BD and BS from the qualification (B0-B3 are
 * cleared first, the rest never are: SDM Vol. 3A 18.2.3) and clears GD
 * (18.2.4). ICEBP (INT1) exits as a privileged software exception before
 * it executes: it is injected as one, with its length (26.6.1.1). If the
 * exception hit the delivery of another event, reinject_event() queued
 * that one again; the new, benign exception replaces it (SDM Vol. 3A
 * Table 6-5), and the instruction that raised the first raises it anew.
 */
static enum vmx_exit_action reflect_exception(struct vmx_vcpu *v, u32 info)
{
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if (vector == X86_TRAP_AC) {
		vmx_queue_exception(v, X86_TRAP_AC, true,
				    vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
		return VMX_RESUME;
	}
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION) {
		end_interrupt_shadow();
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
			     X86_TRAP_DB | INTR_TYPE_PRIV_SW_EXCEPTION |
			     INTR_INFO_VALID_MASK);
		return VMX_RESUME;
	}
	v->dr6 = (v->dr6 & ~DR_TRAP_BITS) |
		 (vmcs_readl(EXIT_QUALIFICATION) & VMX_DB_QUAL_DR6);
	v->dr7 = vmcs_readl(GUEST_DR7);
	if (v->dr7 & VMX_DR7_GD) {
		v->dr7 &= ~VMX_DR7_GD;
		vmcs_writel(GUEST_DR7, v->dr7);
	}
	vmx_queue_exception(v, X86_TRAP_DB, false, 0);
	return VMX_RESUME;
}

/*
 * NMIs and machine checks exit here, both already handed to the kernel by
 * run.c (host_event_irqoff()); the guest goes on. #DB and #AC go back to
 * the guest.
 */
static enum vmx_exit_action handle_exception_nmi(struct vmx_vcpu *v)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI_INTR ||
	    (type == INTR_TYPE_HARD_EXCEPTION && vector == X86_TRAP_MC))
		return VMX_RESUME;
	if ((type == INTR_TYPE_HARD_EXCEPTION && vector == X86_TRAP_AC) ||
	    ((type == INTR_TYPE_HARD_EXCEPTION ||
	      type == INTR_TYPE_PRIV_SW_EXCEPTION) && vector == X86_TRAP_DB))
		return reflect_exception(v, info);
	return vmx_internal_error(v, VMXLAB_INTERNAL_UNKNOWN_EXIT,
				  EXIT_REASON_EXCEPTION_NMI);
}

static enum vmx_exit_action handle_triple_fault(struct vmx_vcpu *v)
{
	vmx_run_of(v)->exit_reason = VMXLAB_EXIT_SHUTDOWN;
	return VMX_TO_USER;
}

/*
 * HLT ends at once when an event is queued that the guest will take: an
 * NMI or exception, or an interrupt with RFLAGS.IF set (SDM Vol. 3A 6.8:
 * HLT waits for an unmasked interrupt, an NMI...). Otherwise userspace,
 * which owns the interrupt sources, decides when to run the guest again.
 */
static enum vmx_exit_action handle_hlt(struct vmx_vcpu *v)
{
	enum vmx_exit_action a;

	vmx_skip_instruction(v);
	/* RFLAGS only when it matters (the path-length gate times HLT). */
	if (unlikely(v->events & ~VMX_EV_WINDOW_REQUEST)) {
		bool intr_on = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF;

		if ((v->events & (VMX_EV_EXCEPTION | VMX_EV_NMI)) ||
		    ((v->events & VMX_EV_INTR) && intr_on))
			return VMX_RESUME;
		/* With an APIC: its interrupt now, or a sleep until its timer's. */
		if (v->apic && intr_on) {
			a = vmx_apic_halt(v);
			if (a != VMX_TO_USER)
				return a;
		}
	}
	vmx_run_of(v)->exit_reason = VMXLAB_EXIT_HLT;
	return VMX_TO_USER;
}

/* Hypercalls: uapi/linux/vmxlab.h lists them. */
static enum vmx_exit_action handle_vmcall(struct vmx_vcpu *v)
{
	u64 nr = v->regs[VMX_RAX], ret;

	if (!vmx_long_mode())
		nr = (u32)nr;
	if (vmx_guest_cpl() != 0)
		ret = VMXLAB_HC_EPERM;
	else if (nr == VMXLAB_HC_NOP)
		ret = 0;
	else if (nr == VMXLAB_HC_ECHO)
		ret = v->regs[VMX_RBX];
	else if (nr == VMXLAB_HC_VCPU_ID)
		ret = v->core->id;
	else
		ret = VMXLAB_HC_ENOSYS;
	set_gpr32(v, VMX_RAX, ret);
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/**
 * vmx_complete_userspace() - finish the exit userspace was given
 * @v: the vCPU, loaded.
 *
 * Called at the start of VMXLAB_RUN: stores IN and MMIO read data where
 * the instruction wanted it and moves RIP on.
 */
void vmx_complete_userspace(struct vmx_vcpu *v)
{
	if (v->pending == VMX_PENDING_IO)
		vmx_complete_io(v);
	else if (v->pending == VMX_PENDING_MMIO)
		vmx_complete_mmio(v);
	v->pending = VMX_PENDING_NONE;
}

static const vmx_exit_handler exit_handlers[VMXLAB_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI]		= handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT]	= handle_resume,
	[EXIT_REASON_TRIPLE_FAULT]		= handle_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW]		= vmx_handle_intr_window,
	[EXIT_REASON_NMI_WINDOW]		= vmx_handle_nmi_window,
	[EXIT_REASON_CPUID]			= vmx_handle_cpuid,
	[EXIT_REASON_HLT]			= handle_hlt,
	/* Guest memory is write-back RAM the host keeps coherent. */
	[EXIT_REASON_INVD]			= handle_skip,
	[EXIT_REASON_WBINVD]			= handle_skip,
	[EXIT_REASON_VMCALL]			= handle_vmcall,
	/* No VMX, SMX, SGX or MONITOR/MWAIT for guests (CPUID hides them). */
	[VMX_EXIT_REASON_GETSEC]		= vmx_inject_ud,
	[EXIT_REASON_VMCLEAR]			= vmx_inject_ud,
	[EXIT_REASON_VMLAUNCH]			= vmx_inject_ud,
	[EXIT_REASON_VMPTRLD]			= vmx_inject_ud,
	[EXIT_REASON_VMPTRST]			= vmx_inject_ud,
	[EXIT_REASON_VMREAD]			= vmx_inject_ud,
	[EXIT_REASON_VMRESUME]			= vmx_inject_ud,
	[EXIT_REASON_VMWRITE]			= vmx_inject_ud,
	[EXIT_REASON_VMOFF]			= vmx_inject_ud,
	[EXIT_REASON_VMON]			= vmx_inject_ud,
	[EXIT_REASON_INVEPT]			= vmx_inject_ud,
	[EXIT_REASON_ENCLS]			= vmx_inject_ud,
	[EXIT_REASON_INVVPID]			= vmx_inject_ud,
	[EXIT_REASON_VMFUNC]			= vmx_inject_ud,
	[EXIT_REASON_MWAIT_INSTRUCTION]		= vmx_inject_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION]	= vmx_inject_ud,
	/* No PMU is exposed (CPUID leaf 0xA is zero). */
	[EXIT_REASON_RDPMC]			= vmx_inject_gp,
	[EXIT_REASON_CR_ACCESS]			= vmx_handle_cr,
	[EXIT_REASON_DR_ACCESS]			= vmx_handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]		= vmx_handle_io,
	[EXIT_REASON_MSR_READ]			= vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= vmx_handle_wrmsr,
	[EXIT_REASON_PAUSE_INSTRUCTION]		= handle_resume,
	[EXIT_REASON_EPT_VIOLATION]		= vmx_handle_ept_violation,
	/* The time slice ended: back to the run loop, which may schedule. */
	[EXIT_REASON_PREEMPTION_TIMER]		= handle_resume,
	[EXIT_REASON_XSETBV]			= vmx_handle_xsetbv,
};

/*
 * An exit while the CPU delivered an event to the guest (SDM Vol. 3C
 * 27.2.4): the event is queued again, to be delivered anew at the next
 * entry (the same vector, type, error code and, for software interrupts
 * and exceptions, instruction length: 29.2.1; KVM's
 * vmx_complete_interrupts() does the same). A triple fault ends the run
 * and needs nothing. An EPT violation there means the IDT, GDT or stack
 * the delivery used is not RAM (MMIO, a read-only slot, the xAPIC page, a
 * hole): vmxlab cannot carry out the delivery for the CPU, so the exit
 * goes to userspace as VMXLAB_INTERNAL_DELIVERY with the event still
 * queued. A VMM that maps memory there (or a debugger that fixes the
 * guest's tables) runs the vCPU again and the event goes in; otherwise
 * the next run stops at the same place.
 *
 * Return: false for that EPT violation.
 */
static bool reinject_event(struct vmx_vcpu *v, u32 reason)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = info & INTR_INFO_INTR_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK) ||
	    reason == EXIT_REASON_TRIPLE_FAULT)
		return true;
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_RESVD_BITS_MASK);
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	return reason != EXIT_REASON_EPT_VIOLATION;
}

/**
 * vmx_handle_exit() - dispatch one VM exit
 * @v: the vCPU, loaded, interrupts on, preemption off.
 * @reason: the basic exit reason.
 *
 * Return: VMX_RESUME or VMX_TO_USER.
 */
enum vmx_exit_action vmx_handle_exit(struct vmx_vcpu *v, u32 reason)
{
	vmx_exit_handler h = NULL;

	if (reason < VMXLAB_NR_EXIT_REASONS) {
		v->exits[reason]++;
		h = exit_handlers[reason];
	}
	if (!reinject_event(v, reason))
		return vmx_internal_error(v, VMXLAB_INTERNAL_DELIVERY, reason);
	if (!h)
		return vmx_internal_error(v, VMXLAB_INTERNAL_UNKNOWN_EXIT, reason);
	return h(v);
}
