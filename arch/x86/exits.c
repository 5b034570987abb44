// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit handlers, dispatched by basic exit reason (SDM Vol. 3D
 * Appendix C) from one designated-initializer table. A handler either
 * finishes the exit in the kernel (VMX_RESUME) or describes it in the run
 * page for userspace (VMX_TO_USER). A reason with no handler stops the
 * vCPU and reaches userspace raw, as VMXLAB_EXIT_INTERNAL_ERROR.
 *
 * What the guest sees of all this is in Documentation/abi.rst ("Guest
 * interface"); how an exit travels is in Documentation/vm-exit.rst.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>

#include "../../module/arch.h"
#include "emulate.h"
#include "exitqual.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"
#include "xsave.h"

/* GETSEC always exits (SDM Vol. 3C 25.1.2); asm/vmx.h has no name for it. */
#define VMX_EXIT_REASON_GETSEC	11

typedef enum vmx_exit_action (*vmx_exit_handler)(struct vmx_vcpu *v);

static struct vmxlab_run *run_of(struct vmx_vcpu *v)
{
	return v->core->run;
}

/* 64-bit mode: IA-32e mode and CS.L (SDM Vol. 3A 5.2.1). */
static bool long_mode(void)
{
	return (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

/* Default operand/address size of the guest's code: 2, 4 or 8 bytes. */
static unsigned int code_size(void)
{
	if (long_mode())
		return 8;
	if (!(vmx_guest_cr0() & X86_CR0_PE))
		return 2;
	return (vmcs_read32(GUEST_CS_AR_BYTES) & VMX_AR_DB_MASK) ? 4 : 2;
}

static unsigned int guest_cpl(void)
{
	return VMX_AR_DPL(vmcs_read32(GUEST_SS_AR_BYTES));
}

static u64 get_gpr(struct vmx_vcpu *v, unsigned int n)
{
	return n == VMX_RSP ? vmcs_readl(GUEST_RSP) : v->regs[n];
}

static void set_gpr(struct vmx_vcpu *v, unsigned int n, u64 val)
{
	if (n == VMX_RSP)
		vmcs_writel(GUEST_RSP, val);
	else
		v->regs[n] = val;
}

/*
 * Writes @size bytes of @val to register @n as an instruction would: 8- and
 * 16-bit writes keep the other bits, 32-bit writes zero-extend (SDM Vol. 1
 * 3.4.1.1).
 */
static void write_gpr_sized(struct vmx_vcpu *v, unsigned int n, bool high,
			    unsigned int size, u64 val)
{
	u64 old = get_gpr(v, n);

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
	set_gpr(v, n, val);
}

/* The guest's RAX/RDX pair of RDMSR, CPUID... outside 64-bit mode: EAX. */
static void set_gpr32(struct vmx_vcpu *v, unsigned int n, u64 val)
{
	v->regs[n] = long_mode() ? val : (u32)val;
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
static void complete_instruction(u64 len)
{
	u64 rip = vmcs_readl(GUEST_RIP) + len;

	vmcs_writel(GUEST_RIP, long_mode() ? rip : (u32)rip);
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
	complete_instruction(vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
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

static enum vmx_exit_action internal_error(struct vmx_vcpu *v, u32 suberror,
					   u32 reason)
{
	struct vmxlab_run *run = run_of(v);

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
	return internal_error(v, VMXLAB_INTERNAL_UNKNOWN_EXIT,
			      EXIT_REASON_EXCEPTION_NMI);
}

static enum vmx_exit_action handle_triple_fault(struct vmx_vcpu *v)
{
	run_of(v)->exit_reason = VMXLAB_EXIT_SHUTDOWN;
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
	run_of(v)->exit_reason = VMXLAB_EXIT_HLT;
	return VMX_TO_USER;
}

/* Hypercalls: uapi/linux/vmxlab.h lists them. */
static enum vmx_exit_action handle_vmcall(struct vmx_vcpu *v)
{
	u64 nr = v->regs[VMX_RAX], ret;

	if (!long_mode())
		nr = (u32)nr;
	if (guest_cpl() != 0)
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

/* MOV to/from CR0, CR3, CR4, CR8, CLTS, LMSW (SDM Vol. 3C 25.1.3). */
static enum vmx_exit_action handle_cr(struct vmx_vcpu *v)
{
	struct vmx_cr_qual q = vmx_decode_cr(vmcs_readl(EXIT_QUALIFICATION));
	u64 val = get_gpr(v, q.gpr);
	int err = 0;

	if (!long_mode())
		val = (u32)val;
	switch (q.type) {
	case VMX_CR_MOV_TO:
		if (q.cr == 0)
			err = vmx_set_cr0(v, val);
		else if (q.cr == 4)
			err = vmx_set_cr4(v, val);
		else if (q.cr == 3)
			vmcs_writel(GUEST_CR3, val);
		else if (q.cr == 8 && val <= 15 && v->apic)
			vmx_apic_set_cr8(v, val);
		else if (q.cr == 8 && val <= 15)
			v->cr8 = val;
		else
			err = -EINVAL;
		break;
	case VMX_CR_MOV_FROM:
		if (q.cr == 3)
			set_gpr(v, q.gpr, vmcs_readl(GUEST_CR3));
		else if (q.cr == 8)
			set_gpr(v, q.gpr, v->apic ? vmx_apic_cr8(v) : v->cr8);
		else
			return internal_error(v, VMXLAB_INTERNAL_UNKNOWN_EXIT,
					      EXIT_REASON_CR_ACCESS);
		break;
	case VMX_CR_CLTS:
		err = vmx_set_cr0(v, vmx_guest_cr0() & ~X86_CR0_TS);
		break;
	case VMX_CR_LMSW:
		/* LMSW loads CR0[3:0] but cannot clear PE (SDM Vol. 2A). */
		val = vmx_guest_cr0();
		err = vmx_set_cr0(v, (val & ~0xeULL) | (q.lmsw_data & 0xf));
		break;
	}
	if (err)
		return vmx_inject_gp(v);
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/*
 * MOV to and from DR0-DR7 (SDM Vol. 3A 18.2; MOV-DR exiting, Vol. 3C
 * 25.1.3). The guest has debug registers of its own: DR7 lives in the VMCS
 * (loaded and saved with the debug controls), DR0-DR3 and DR6 here, and
 * they reach the hardware only while the guest enables a breakpoint
 * (run.c). The host's breakpoint addresses are never what a guest reads.
 */
static enum vmx_exit_action handle_dr(struct vmx_vcpu *v)
{
	struct vmx_dr_qual q = vmx_decode_dr(vmcs_readl(EXIT_QUALIFICATION));
	unsigned int dr = q.dr;
	u64 val;

	/* A #DB delivered in the guest clears GD: the VMCS has the truth. */
	v->dr7 = vmcs_readl(GUEST_DR7);
	/* General detect: #DB before the access, GD cleared (18.2.4). */
	if (v->dr7 & VMX_DR7_GD) {
		v->dr7 &= ~VMX_DR7_GD;
		vmcs_writel(GUEST_DR7, v->dr7);
		v->dr6 = (v->dr6 & ~VMX_DR6_VOLATILE) | VMX_DR6_BD;
		vmx_queue_exception(v, X86_TRAP_DB, false, 0);
		return VMX_RESUME;
	}
	/* DR4 and DR5 are DR6 and DR7, unless CR4.DE makes them #UD. */
	if (dr == 4 || dr == 5) {
		if (vmx_guest_cr4() & X86_CR4_DE)
			return vmx_inject_ud(v);
		dr += 2;
	}
	if (q.from) {
		val = dr < 4 ? v->db[dr] : dr == 6 ? v->dr6 : v->dr7;
		set_gpr(v, q.gpr, long_mode() ? val : (u32)val);
		vmx_skip_instruction(v);
		return VMX_RESUME;
	}
	val = get_gpr(v, q.gpr);
	if (!long_mode())
		val = (u32)val;
	if (dr < 4) {
		v->db[dr] = val;
	} else if (val >> 32) {
		/* Bits 63:32 of DR6 and DR7 must be 0 (18.2.4, 18.2.5). */
		return vmx_inject_gp(v);
	} else if (dr == 6) {
		v->dr6 = (val & VMX_DR6_VOLATILE) | VMX_DR6_FIXED_1;
	} else {
		v->dr7 = (val & VMX_DR7_VOLATILE) | VMX_DR7_FIXED_1;
		vmcs_writel(GUEST_DR7, v->dr7);
	}
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/*
 * XSETBV (SDM Vol. 2B "XSETBV"): XCR0 only (ECX = 0), at CPL 0, and only a
 * value XCR0 can hold (xsave.c); #GP(0) for anything else, as hardware
 * gives it. The CPU checks CR4.OSXSAVE and CPL before it exits (SDM Vol.
 * 3C 25.1.1); the checks here stand in case it did not. run.c loads the
 * value around each entry, so a value that got through would fault in the
 * host's own XSETBV.
 */
static enum vmx_exit_action handle_xsetbv(struct vmx_vcpu *v)
{
	u64 val = (u32)v->regs[VMX_RAX] | ((u64)(u32)v->regs[VMX_RDX] << 32);

	if (!(vmx_guest_cr4() & X86_CR4_OSXSAVE))
		return vmx_inject_ud(v);
	if (guest_cpl() != 0 || (u32)v->regs[VMX_RCX] != 0 ||
	    !vmx_xcr0_valid(val, v->xcr0_supported))
		return vmx_inject_gp(v);
	v->xcr0 = val;
	vmx_skip_instruction(v);
	return VMX_RESUME;
}

/* Guest memory through the guest's own page tables. */
struct walk_ctx {
	struct vmx_vcpu *v;
};

static int walk_read(void *ctx, u64 gpa, u64 *val, unsigned int len)
{
	struct walk_ctx *w = ctx;

	*val = 0;
	return vmxlab_read_guest(w->v->core->vm, gpa, val, len);
}

/* Accessed and dirty bits go into the guest's tables atomically (4.8). */
static int walk_cmpxchg(void *ctx, u64 gpa, u64 old, u64 new, unsigned int len)
{
	struct walk_ctx *w = ctx;

	return vmxlab_cmpxchg_guest(w->v->core->vm, gpa, old, new, len);
}

static const struct gwalk_ops walk_ops = {
	.read = walk_read,
	.cmpxchg = walk_cmpxchg,
};

static void walk_regs(struct gwalk_regs *r)
{
	int i;

	r->cr0 = vmx_guest_cr0();
	r->cr3 = vmcs_readl(GUEST_CR3);
	r->cr4 = vmx_guest_cr4();
	r->efer = vmcs_read64(GUEST_IA32_EFER);
	r->rflags = vmcs_readl(GUEST_RFLAGS);
	for (i = 0; i < 4; i++)
		r->pdptr[i] = vmcs_read64(GUEST_PDPTR0 + 2 * i);
}

/*
 * Translates the guest-linear address @la for an access of the kinds in
 * @access (GWALK_PF_WRITE, GWALK_PF_FETCH; a user access if the guest runs
 * at CPL 3), with the rights checks and accessed/dirty updates of the
 * guest's MMU (emulate.c). Return: 0 with *@gpa; -ENOENT for a page fault
 * (queued for the guest if @inject); -EFAULT where a paging structure is
 * not guest RAM.
 */
static int translate(struct vmx_vcpu *v, u64 la, u32 access, bool inject,
		     u64 *gpa)
{
	struct walk_ctx w = { v };
	struct gwalk_regs r;
	u32 pf;
	int err;

	if (guest_cpl() == 3)
		access |= GWALK_PF_USER;
	walk_regs(&r);
	err = gwalk(&r, la, access, &walk_ops, &w, gpa, &pf);
	if (err == -ENOENT && inject) {
		v->cr2 = la;
		vmx_queue_exception(v, X86_TRAP_PF, true, pf);
	}
	return err;
}

/*
 * Copies @len bytes between @buf and the guest-linear address @la, page by
 * page, for an access of the kinds in @access (a write into guest memory
 * if GWALK_PF_WRITE). Return: 0; -ENOENT for a page fault (queued for the
 * guest if @inject); -EFAULT where the memory is not guest RAM.
 */
static int copy_linear(struct vmx_vcpu *v, u64 la, void *buf, size_t len,
		       u32 access, bool inject)
{
	bool write = access & GWALK_PF_WRITE;
	u64 gpa;
	int err;

	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (la & ~PAGE_MASK));

		err = translate(v, la, access, inject, &gpa);
		if (err)
			return err;
		err = write ? vmxlab_write_guest(v->core->vm, gpa, buf, n) :
			      vmxlab_read_guest(v->core->vm, gpa, buf, n);
		if (err)
			return -EFAULT;
		la += n;
		buf += n;
		len -= n;
	}
	return 0;
}

static u64 addr_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : BIT_ULL(8 * size) - 1;
}

/*
 * The linear address of element @i of a string I/O instruction: the
 * offset in RSI/RDI counts up or down and wraps at the address size, the
 * segment base stays (SDM Vol. 2B "INS", "OUTS").
 */
static u64 string_elem(const struct vmx_io_op *io, u64 i)
{
	u64 off = io->down ? io->first - i * io->size :
		  io->first + i * io->size;

	return io->base + (off & addr_mask(io->addr_size));
}

/*
 * Every byte of @len (at most a page) at @la translates for the access;
 * the first that does not gets its #PF queued if @inject.
 */
static int probe_linear(struct vmx_vcpu *v, u64 la, size_t len, bool write,
			bool inject)
{
	u32 access = write ? GWALK_PF_WRITE : 0;
	u64 gpa;

	return translate(v, la, access, inject, &gpa) ?:
	       translate(v, la + len - 1, access, inject, &gpa);
}

/* Address size of INS/OUTS: instruction information if the CPU gives it. */
static unsigned int string_addr_size(void)
{
	const struct vmxlab_caps *caps = vmxlab_arch_caps();

	/* IA32_VMX_BASIC[54] (SDM Vol. 3D A.1), field bits 9:7 (27.2.5). */
	if (caps->msrs[0] & BIT_ULL(54))
		return 2 << ((vmcs_read32(VMX_INSTRUCTION_INFO) >> 7) & 3);
	return code_size();
}

/*
 * INS/OUTS: at most as many elements as fit in the run page per exit. OUTS
 * reads them from guest memory now; INS writes them when userspace has
 * supplied them. A REP prefix repeats the instruction (RIP stays) until
 * RCX reaches 0 (SDM Vol. 2B "INS", "OUTS", "REP").
 */
static enum vmx_exit_action string_io(struct vmx_vcpu *v, struct vmx_io_op *io)
{
	struct vmxlab_run *run = run_of(v);
	u8 *data = (u8 *)run + VMXLAB_RUN_IO_DATA_OFFSET;
	u64 count = 1, i;
	int err = 0;

	io->addr_size = string_addr_size();
	io->down = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	io->first = v->regs[io->in ? VMX_RDI : VMX_RSI] &
		    addr_mask(io->addr_size);
	io->base = vmcs_readl(GUEST_LINEAR_ADDRESS) - io->first;
	if (io->rep) {
		count = v->regs[VMX_RCX] & addr_mask(io->addr_size);
		if (!count) {
			vmx_skip_instruction(v);
			return VMX_RESUME;
		}
	}
	io->count = min_t(u64, count, VMXLAB_RUN_IO_DATA_MAX / io->size);
	/*
	 * As many elements as can be done before one faults: OUTS reads them
	 * now, INS makes sure that they will have somewhere to go before a
	 * port is read for them. The element that faults is not part of this
	 * exit: the instruction is re-executed after the others (RIP stays,
	 * RSI/RDI and RCX have moved) and faults then, as on hardware, where
	 * the iterations before a fault complete (SDM Vol. 2B "REP").
	 */
	for (i = 0; i < io->count; i++) {
		u64 la = string_elem(io, i);

		if (io->in)
			err = probe_linear(v, la, io->size, true, false);
		else
			err = copy_linear(v, la, data + i * io->size,
					  io->size, 0, false);
		/* INS data for memory that is not RAM is dropped later. */
		if (err == -ENOENT || (err && !io->in))
			break;
	}
	if (i == 0 && err == -ENOENT) {
		/* The first element faults: the guest takes its #PF now. */
		probe_linear(v, string_elem(io, 0), io->size, io->in, true);
		return VMX_RESUME;
	}
	if (i == 0)
		return internal_error(v, VMXLAB_INTERNAL_STRING_IO,
				      EXIT_REASON_IO_INSTRUCTION);
	io->count = i;
	return VMX_TO_USER;
}

static enum vmx_exit_action handle_io(struct vmx_vcpu *v)
{
	struct vmx_io_qual q = vmx_decode_io(vmcs_readl(EXIT_QUALIFICATION));
	struct vmxlab_run *run = run_of(v);
	struct vmx_io_op *io = &v->io;
	enum vmx_exit_action action = VMX_TO_USER;

	*io = (struct vmx_io_op) {
		.in = q.in, .string = q.string, .rep = q.rep, .size = q.size,
		.port = q.port, .count = 1,
	};
	if (q.string) {
		action = string_io(v, io);
		if (action != VMX_TO_USER)
			return action;
	} else if (!q.in) {
		memcpy((u8 *)run + VMXLAB_RUN_IO_DATA_OFFSET, &v->regs[VMX_RAX],
		       q.size);
	}
	run->exit_reason = VMXLAB_EXIT_IO;
	run->io.direction = q.in ? VMXLAB_IO_IN : VMXLAB_IO_OUT;
	run->io.size = q.size;
	run->io.port = q.port;
	run->io.count = io->count;
	run->io.data_offset = VMXLAB_RUN_IO_DATA_OFFSET;
	v->pending = VMX_PENDING_IO;
	return VMX_TO_USER;
}

/* Finishes an I/O instruction once userspace has served it. */
static void complete_io(struct vmx_vcpu *v)
{
	struct vmx_io_op *io = &v->io;
	u8 *data = (u8 *)v->core->run + VMXLAB_RUN_IO_DATA_OFFSET;
	unsigned int reg = io->in ? VMX_RDI : VMX_RSI;
	u64 mask, keep, delta, i, val = 0;

	if (!io->string) {
		if (io->in) {
			memcpy(&val, data, io->size);
			write_gpr_sized(v, VMX_RAX, false, io->size, val);
		}
		vmx_skip_instruction(v);
		return;
	}
	for (i = 0; io->in && i < io->count; i++) {
		int err = copy_linear(v, string_elem(io, i), data + i * io->size,
				      io->size, GWALK_PF_WRITE, true);

		/*
		 * A not-present page: the guest takes its #PF and executes the
		 * INS again. Memory that is not writable RAM (a read-only slot,
		 * no slot): the data is dropped, as a ROM drops it, and the
		 * instruction completes (else it would exit forever).
		 */
		if (err == -ENOENT)
			return;
	}
	/*
	 * RSI/RDI and RCX as the instruction leaves them: with a 16-bit
	 * address size only their low 16 bits change; a 32-bit one writes
	 * ESI/EDI and ECX, which clears bits 63:32 (SDM Vol. 1 3.4.1.1).
	 */
	mask = addr_mask(io->addr_size);
	keep = io->addr_size == 2 ? ~mask : 0;
	delta = (u64)io->count * io->size;
	val = v->regs[reg];
	val = io->down ? val - delta : val + delta;
	v->regs[reg] = (v->regs[reg] & keep) | (val & mask);
	if (io->rep) {
		val = (v->regs[VMX_RCX] & mask) - io->count;
		v->regs[VMX_RCX] = (v->regs[VMX_RCX] & keep) | (val & mask);
		if (val & mask)
			return;	/* RIP stays: the REP instruction goes on */
	}
	vmx_skip_instruction(v);
}

/* Reads up to 15 instruction bytes at CS:RIP. Return: bytes read. */
static unsigned int fetch_insn(struct vmx_vcpu *v, u8 *buf)
{
	u64 la = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);
	unsigned int n;

	/* In 64-bit mode the CS base is 0 whatever the VMCS holds (3.2.4). */
	if (long_mode())
		la = vmcs_readl(GUEST_RIP);
	else
		la = (u32)la;
	/* Stop at the first byte that cannot be read (end of RAM). */
	for (n = 15; n; n--) {
		if (!copy_linear(v, la, buf, n, GWALK_PF_FETCH, false))
			return n;
	}
	return 0;
}

/* The xAPIC page is the kernel's: the MOV is carried out here (apic.c). */
static enum vmx_exit_action apic_mmio(struct vmx_vcpu *v, u64 gpa,
				      const struct mmio_insn *insn)
{
	u64 val = 0;

	if (insn->write) {
		val = insn->has_imm ? insn->imm : get_gpr(v, insn->reg);
		if (insn->high_byte)
			val >>= 8;
	}
	vmx_apic_mmio_access(v, gpa, insn->size, insn->write, &val);
	if (!insn->write)
		write_gpr_sized(v, insn->reg, insn->high_byte, insn->dst_size,
				val);
	complete_instruction(insn->len);
	return VMX_RESUME;
}

/*
 * EPT violation: an access to guest-physical memory that no slot maps with
 * the needed rights, i.e. MMIO (or a write to a read-only slot). Decode the
 * MOV and hand the access to userspace (SDM Vol. 3C 28.3.3.2), or to the
 * in-kernel APIC if it is its xAPIC page.
 */
static enum vmx_exit_action handle_ept_violation(struct vmx_vcpu *v)
{
	struct vmx_ept_qual q = vmx_decode_ept(vmcs_readl(EXIT_QUALIFICATION));
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	struct vmxlab_run *run = run_of(v);
	struct mmio_insn insn;
	u8 code[15];
	unsigned int n;

	/*
	 * The CPU was reading or updating one of the guest's own paging
	 * structures, not the address the instruction named (table 27-7,
	 * bits 7 and 8): the instruction at RIP has nothing to do with this
	 * address. vmxlab does not emulate page walks through MMIO.
	 */
	if (q.gla_valid && !q.gla_translated)
		return internal_error(v, VMXLAB_INTERNAL_PAGE_WALK,
				      EXIT_REASON_EPT_VIOLATION);
	if (q.fetch)
		return internal_error(v, VMXLAB_INTERNAL_EMULATION,
				      EXIT_REASON_EPT_VIOLATION);
	n = fetch_insn(v, code);
	if (mmio_decode(code, n, code_size(), &insn) ||
	    insn.write != q.write)
		return internal_error(v, VMXLAB_INTERNAL_EMULATION,
				      EXIT_REASON_EPT_VIOLATION);

	v->mmio = (struct vmx_mmio_op) {
		.write = insn.write, .len = insn.size, .reg = insn.reg,
		.dst_size = insn.dst_size, .high_byte = insn.high_byte,
		.insn_len = insn.len,
	};
	if (v->apic && vmx_apic_mmio(v, gpa))
		return apic_mmio(v, gpa, &insn);
	run->exit_reason = VMXLAB_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.size;
	run->mmio.is_write = insn.write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (insn.write) {
		u64 val = insn.has_imm ? insn.imm : get_gpr(v, insn.reg);

		if (insn.high_byte)
			val >>= 8;
		memcpy(run->mmio.data, &val, insn.size);
	}
	v->pending = VMX_PENDING_MMIO;
	return VMX_TO_USER;
}

static void complete_mmio(struct vmx_vcpu *v)
{
	struct vmx_mmio_op *m = &v->mmio;
	u64 val = 0;

	if (!m->write) {
		memcpy(&val, v->core->run->mmio.data, m->len);
		write_gpr_sized(v, m->reg, m->high_byte, m->dst_size, val);
	}
	complete_instruction(m->insn_len);
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
		complete_io(v);
	else if (v->pending == VMX_PENDING_MMIO)
		complete_mmio(v);
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
	[EXIT_REASON_CR_ACCESS]			= handle_cr,
	[EXIT_REASON_DR_ACCESS]			= handle_dr,
	[EXIT_REASON_IO_INSTRUCTION]		= handle_io,
	[EXIT_REASON_MSR_READ]			= vmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE]			= vmx_handle_wrmsr,
	[EXIT_REASON_PAUSE_INSTRUCTION]		= handle_resume,
	[EXIT_REASON_EPT_VIOLATION]		= handle_ept_violation,
	/* The time slice ended: back to the run loop, which may schedule. */
	[EXIT_REASON_PREEMPTION_TIMER]		= handle_resume,
	[EXIT_REASON_XSETBV]			= handle_xsetbv,
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
		return internal_error(v, VMXLAB_INTERNAL_DELIVERY, reason);
	if (!h)
		return internal_error(v, VMXLAB_INTERNAL_UNKNOWN_EXIT, reason);
	return h(v);
}
