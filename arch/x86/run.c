// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop: enter the guest, take the exit, hand it to its handler,
 * and decide whether to enter again or return to userspace.
 *
 * Between two entries the loop behaves like any kernel code: interrupts
 * are on, it may be preempted, it notices signals. Every entry arms the
 * VMX-preemption timer with a time slice (SDM Vol. 3C 25.5.1; shorter when
 * an in-kernel APIC's timer fires sooner, apic.c), so that the
 * loop comes back here at least once a slice whatever the guest does: a
 * guest with interrupts masked cannot keep a CPU, even on an emulator that
 * fails to exit on host interrupts then (Documentation/testing.rst).
 *
 * Documentation/vm-exit.rst follows one exit through this file.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/kernel.h>
#include <linux/kernel_stat.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/hardirq.h>
#include <asm/pkru.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>

#include "../../module/arch.h"
#include "mitigations.h"
#include "vmx.h"
#include "vmx_ops.h"

#define CREATE_TRACE_POINTS
#include "vmxlab_trace.h"

/* Time slice per entry, in microseconds of TSC. */
#define VMX_TIMESLICE_US	1000

/* The task's state that a VM exit clobbers and run.c restores. */
struct host_state {
	u16 ds, es, fs, gs, ldt;
	unsigned long fs_base, kernel_gs_base;
	unsigned long debugctl;
	u64 xcr0;
	u32 pkru;
};

static u16 read_ldt(void)
{
	u16 sel;

	asm volatile("sldt %0" : "=g" (sel));
	return sel;
}

static void load_ldt_sel(u16 sel)
{
	asm volatile("lldt %0" : : "rm" (sel));
}

static void host_state_save(struct vmx_vcpu *v, struct host_state *h)
{
	h->ldt = read_ldt();
	if (cpu_feature_enabled(X86_FEATURE_OSPKE))
		h->pkru = rdpkru();
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	h->debugctl = get_debugctlmsr();
	h->xcr0 = boot_cpu_has(X86_FEATURE_OSXSAVE) ?
		  xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0;
}

/*
 * After a VM exit, with interrupts off: what the CPU loaded from the
 * host-state area is the kernel's, not quite the task's (SDM Vol. 3C 27.5).
 */
static void host_state_restore(struct host_state *h)
{
	/*
	 * VM exit leaves LDTR null (27.5.2); a selector of the task's LDT
	 * must find it again, before GS is reloaded (KVM: kvm_load_ldt()).
	 */
	if (h->ldt)
		load_ldt_sel(h->ldt);
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs) {
		load_gs_index(h->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	}
	/* VM exit sets the GDTR limit to 0xffff and the TR limit to 0x67. */
	load_fixmap_gdt(raw_smp_processor_id());
	invalidate_tss_limit();
	/* And clears DEBUGCTL and DR7 (27.5.1). */
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/*
 * The guest's debug registers in the hardware while it runs: DR6 always
 * (every #DB exits, and exits.c sets the guest's DR6 bits itself, so this
 * is the guest's value held, not one the CPU updates), DR0-DR3 while it
 * has a breakpoint enabled in DR7
 * (which VM entry loads from the VMCS). Otherwise DR0-DR3 keep the host's:
 * with the guest's DR7 they cannot fire, and MOV DR exits, so the guest
 * never reads them.
 */
static void guest_debugregs_load(struct vmx_vcpu *v, bool dbg)
{
	if (dbg) {
		/* No host breakpoint may fire on a guest address meanwhile. */
		if (hw_breakpoint_active())
			set_debugreg(0UL, 7);
		set_debugreg(v->db[0], 0);
		set_debugreg(v->db[1], 1);
		set_debugreg(v->db[2], 2);
		set_debugreg(v->db[3], 3);
	}
	set_debugreg(v->dr6, 6);
}

/*
 * After the exit: keep the guest's DR6, give the kernel back the value it
 * expects between its own #DBs (its handler resets DR6 the same way).
 */
static void guest_debugregs_save(struct vmx_vcpu *v)
{
	get_debugreg(v->dr6, 6);
	set_debugreg(DR6_RESERVED, 6);
}

static u32 timeslice_value(void)
{
	u64 ticks = (u64)tsc_khz * VMX_TIMESLICE_US / 1000;

	ticks >>= vmx_config()->preemption_timer_shift;
	return clamp_t(u64, ticks, 1, U32_MAX);
}

/* Guest XCR0 in, while the guest runs with CR4.OSXSAVE (SDM Vol. 1 13.3). */
static bool guest_xcr0_differs(struct vmx_vcpu *v, struct host_state *h)
{
	return h->xcr0 && v->xcr0 != h->xcr0 &&
	       (vmx_guest_cr4() & X86_CR4_OSXSAVE);
}

/*
 * The kernel's machine-check handler, for a #MC that hit the guest or the
 * VM entry: the exception vector itself, as the CPU would have raised it
 * had it not exited (KVM: kvm_machine_check()).
 */
static void host_machine_check(void)
{
	if (IS_ENABLED(CONFIG_X86_MCE) && boot_cpu_has(X86_FEATURE_MCE))
		asm volatile("int $0x12");
}

/*
 * Events that caused the exit but belong to the host, handed to the kernel
 * before interrupts are enabled: an NMI (SDM Vol. 3C 25.2: with NMI
 * exiting it is not delivered to the host), a machine check in the guest
 * (the exception bitmap intercepts #MC) or during VM entry (exit reason
 * 41, 27.8).
 */
static void host_event_irqoff(u32 reason)
{
	u32 info;

	if ((reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY) {
		host_machine_check();
		return;
	}
	if ((reason & 0xffff) != EXIT_REASON_EXCEPTION_NMI)
		return;
	info = vmcs_read32(VM_EXIT_INTR_INFO);
	if (!(info & INTR_INFO_VALID_MASK))
		return;
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		vmxlab_do_nmi_irqoff();
	else if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION &&
		 (info & INTR_INFO_VECTOR_MASK) == X86_TRAP_MC)
		host_machine_check();
}

/*
 * Interrupts and NMIs this CPU has taken, for the statistics' test that
 * none came between an exit and the next entry (module/stats.c): device
 * interrupts (kstat) and the system vectors that can arrive here.
 */
static u64 host_irq_count(void)
{
	u64 n = this_cpu_read(kstat.irqs_sum);

	n += this_cpu_read(irq_stat.__nmi_count);
#ifdef CONFIG_X86_LOCAL_APIC
	n += this_cpu_read(irq_stat.apic_timer_irqs);
#endif
	n += this_cpu_read(irq_stat.x86_platform_ipis);
	n += this_cpu_read(irq_stat.apic_perf_irqs);
	n += this_cpu_read(irq_stat.apic_irq_work_irqs);
	n += this_cpu_read(irq_stat.irq_tlb_count);
#ifdef CONFIG_SMP
	n += this_cpu_read(irq_stat.irq_resched_count);
	n += this_cpu_read(irq_stat.irq_call_count);
#endif
	return n;
}

/*
 * Statistics and the trace ring (module/stats.c, trace_ring.c), right
 * after an exit, interrupts still off: the sample and the record of the
 * exit before end at this entry, this exit's begin.
 */
static void stats_exit(struct vmx_vcpu *v, int ret, u32 reason, u64 entry,
		       u64 exit)
{
	struct vmxlab_vcpu *vcpu = v->core;

	if (unlikely(vcpu->stats.active & VMXLAB_INSTR_TRACE))
		vmxlab_trace_exit(vcpu, entry, exit,
				  ret ? VMXLAB_STATS_NO_SAMPLE : reason,
				  ret ? 0 : vmcs_readl(EXIT_QUALIFICATION),
				  ret ? 0 : vmcs_readl(GUEST_RIP));
	if (vcpu->stats.active & VMXLAB_INSTR_STATS)
		vmxlab_stats_exit(vcpu, entry, exit,
				  ret ? VMXLAB_STATS_NO_SAMPLE : reason,
				  host_irq_count(),
				  !ret && reason == EXIT_REASON_EXTERNAL_INTERRUPT);
}

/*
 * The fast path: exits whose handlers need nothing of what the loop in
 * vmxlab_arch_run() does between two entries (interrupts on, the VMCS put
 * and loaded again, a chance to reschedule, queued events injected, the
 * task's segments, GDT and TSS limit back). They are handled right after
 * the exit with interrupts still off, and the guest is entered again at
 * once; KVM's fastpath exits do the same for a few MSR writes. CPUID and
 * VMCALL qualify: their handlers only read and write the VMCS and the
 * vCPU, and never sleep. So do RDMSR and WRMSR without an in-kernel APIC:
 * with one, an x2APIC write may raise an interrupt or move the timer,
 * which the loop's injection step must see (events.c, apic.c).
 */
static bool fast_reason(struct vmx_vcpu *v, u32 reason)
{
	if (reason == EXIT_REASON_CPUID || reason == EXIT_REASON_VMCALL)
		return true;
	return !v->apic && (reason == EXIT_REASON_MSR_READ ||
			    reason == EXIT_REASON_MSR_WRITE);
}

/*
 * What ends the fast path: anything the loop must see with interrupts on
 * (a reschedule, a signal, the machine going down), an event queued or a
 * window exit armed (events.c; an APIC alone does not count: between two
 * fast exits its state changes only with time, and the slice ends at its
 * timer's next expiry, apic.c), a failed VMREAD or VMWRITE (vmcs.c), a
 * full trace ring, and the end of the slice. The slice would otherwise
 * never end: every entry reloads the full VMX-preemption timer, and in
 * Bochs a guest with interrupts masked takes no exit for the host's
 * (Documentation/testing.rst). A host interrupt or IPI that arrives
 * meanwhile waits in the local APIC and makes the next entry exit at once
 * (external-interrupt exiting), which is no fast exit.
 */
static bool fast_path_ends(struct vmx_vcpu *v, u64 deadline)
{
	return (v->events & ~VMX_EV_APIC) || need_resched() ||
	       signal_pending(current) || vmx_rebooting() ||
	       vmx_vmcs_access_failed() ||
	       (vmxlab_stats_active(v->core) && vmxlab_trace_full(v->core)) ||
	       rdtsc() >= deadline;
}

/*
 * One VM entry and exit, with interrupts off around it, or several while
 * the exits are fast ones (fast_reason()). Returns what vmxlab_vmenter()
 * returned for the last; *reason is the exit reason after an exit, and
 * *action what its handler said if the fast path handled it already
 * (VMX_NOT_HANDLED otherwise).
 */
static int enter_once(struct vmx_vcpu *v, struct host_state *h, u32 *reason,
		      enum vmx_exit_action *action)
{
	const struct vmx_config *c = vmx_config();
	bool xcr0_switch, pkru_switch, dbg;
	u64 t_entry, t_exit, deadline;
	unsigned long cr3, cr4;
	int ret;

	*action = VMX_NOT_HANDLED;
	local_irq_disable();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();

	/* CR3 changes with the PCID generation, CR4 with some features. */
	cr3 = __read_cr3();
	if (cr3 != v->host_cr3) {
		vmcs_writel(HOST_CR3, cr3);
		v->host_cr3 = cr3;
	}
	cr4 = cr4_read_shadow();
	if (cr4 != v->host_cr4) {
		vmcs_writel(HOST_CR4, cr4);
		v->host_cr4 = cr4;
	}
	if (c->pin & PIN_BASED_VMX_PREEMPTION_TIMER)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, v->timer_value);
	/* This entry's slice, in TSC ticks, bounds the fast path too. */
	deadline = rdtsc() + ((u64)v->timer_value << c->preemption_timer_shift);

	/* CR2 is not part of the VMCS guest state (SDM Vol. 3C 24.4.1). */
	if (read_cr2() != v->cr2)
		native_write_cr2(v->cr2);
again:
	xcr0_switch = guest_xcr0_differs(v, h);
	if (xcr0_switch)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, v->xcr0);

	/*
	 * PKRU: the guest cannot set CR4.PKE, but with PKRU in its XCR0 its
	 * XRSTOR loads PKRU. Then PKRU is the guest's while it runs.
	 */
	pkru_switch = cpu_feature_enabled(X86_FEATURE_OSPKE) &&
		      (v->xcr0 & XFEATURE_MASK_PKRU);
	if (pkru_switch)
		write_pkru(v->pkru);

	dbg = v->dr7 & VMX_DR7_ENABLED;
	guest_debugregs_load(v, dbg);

	/*
	 * VMX may have been switched off on this CPU under us by the reboot
	 * notifier (hw.c): VMLAUNCH would fault, so do not try.
	 */
	vmx_l1d_flush(v);
	/*
	 * The statistics' timestamps, as close to the entry and exit as C
	 * gets; each test is a jump label, patched out while no vCPU collects.
	 */
	trace_vmxlab_entry(v);
	if (vmxlab_stats_active(v->core))
		t_entry = rdtsc();
	ret = vmx_on_here() ? vmxlab_vmenter(v, v->launched) : 3;
	if (vmxlab_stats_active(v->core))
		t_exit = rdtsc();
	v->entries++;

	/*
	 * The guest may have changed PKRU with XRSTOR; the task's comes back
	 * before anything in the kernel touches user memory (KVM does the
	 * same after every exit).
	 */
	if (pkru_switch) {
		v->pkru = rdpkru();
		write_pkru(h->pkru);
	}
	guest_debugregs_save(v);
	v->cr2 = read_cr2();
	if (xcr0_switch)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, h->xcr0);

	if (!ret) {
		*reason = vmcs_read32(VM_EXIT_REASON);
		if (!(*reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			v->launched = true;
		trace_vmxlab_exit(v, *reason);
	}
	if (vmxlab_stats_active(v->core))
		stats_exit(v, ret, *reason, t_entry, t_exit);
	/*
	 * The task's segments, GDT and TSS limit matter only to the task,
	 * and the kernel runs the handler without them: they come back once,
	 * when the fast path ends. So do the host's DEBUGCTL and breakpoints
	 * (host_state_restore()): none of them fires in a fast handler.
	 */
	if (!ret && fast_reason(v, *reason) && !fast_path_ends(v, deadline)) {
		*action = vmx_handle_exit(v, *reason);
		if (*action == VMX_RESUME && !fast_path_ends(v, deadline)) {
			*action = VMX_NOT_HANDLED;
			goto again;
		}
	}
	host_state_restore(h);
	if (!ret && *action == VMX_NOT_HANDLED)
		host_event_irqoff(*reason);
	local_irq_enable();
	return ret;
}

/* VMLAUNCH/VMRESUME did not even start the guest: VMfail (30.2). */
static void entry_vmfail(struct vmx_vcpu *v, int ret)
{
	struct vmx_vmfail f = { .insn = VMXLAB_VMFAIL_INSN_ENTRY };
	unsigned long err;

	f.status = ret == 1 ? VMXLAB_VMFAIL_INVALID :
		   ret == 2 ? VMXLAB_VMFAIL_VALID : VMXLAB_VMFAIL_FAULT;
	if (ret == 2 && vmx_vmread_raw(VM_INSTRUCTION_ERROR, &err) == VMX_OK)
		f.error = err;
	if (ret == 3 && !vmx_rebooting())
		pr_err_ratelimited("VMLAUNCH/VMRESUME faulted (VMX is off?)\n");
	if (!v->failed.status)
		v->failed = f;
}

/* The vCPU is stopped for good (vmcs.c): tell userspace why, every time. */
static void report_vmfail(struct vmx_vcpu *v)
{
	struct vmxlab_run *run = v->core->run;

	run->exit_reason = VMXLAB_EXIT_VMFAIL;
	run->vmfail.error = v->failed.error;
	run->vmfail.insn = v->failed.insn;
	run->vmfail.status = v->failed.status;
}

/* The guest state was refused: exit reason with bit 31 set (26.8). */
static void report_entry_failure(struct vmx_vcpu *v, u32 reason)
{
	struct vmxlab_run *run = v->core->run;

	run->exit_reason = VMXLAB_EXIT_FAIL_ENTRY;
	run->fail_entry.reason = reason & 0xffff;
	run->fail_entry.qualification = vmcs_readl(EXIT_QUALIFICATION);
	run->fail_entry.check = vmx_diagnose_entry_failure(v);
}

/*
 * The vCPU cannot go on: -ESHUTDOWN while the machine goes down (VMX is
 * being switched off everywhere), else 0 with VMXLAB_EXIT_VMFAIL.
 */
static int stopped(struct vmx_vcpu *v)
{
	if (vmx_rebooting())
		return -ESHUTDOWN;
	report_vmfail(v);
	return 0;
}

/* The guest's state at a return to userspace, in the run page. */
static void report_state(struct vmx_vcpu *v, struct vmxlab_run *run)
{
	run->rip = vmcs_readl(GUEST_RIP);
	run->rflags = vmcs_readl(GUEST_RFLAGS);
	run->flags = (run->rflags & X86_EFLAGS_IF) ? VMXLAB_RUN_IF : 0;
	if ((run->rflags & X86_EFLAGS_IF) && vmx_ready_for_interrupt(v))
		run->flags |= VMXLAB_RUN_READY_FOR_INTR;
}

int vmxlab_arch_run(struct vmxlab_vcpu *vcpu)
{
	struct vmx_vcpu *v = to_vmx(vcpu);
	struct vmxlab_run *run = vcpu->run;
	enum vmx_exit_action action;
	bool trace_full = false;
	struct host_state h;
	int r = 0, ret;
	u32 reason = 0;

	if (vmxlab_stats_active(vcpu))
		vmxlab_stats_run_start(vcpu, rdtsc());
	if (vmx_rebooting())
		return -ESHUTDOWN;
	if (v->failed.status) {
		report_vmfail(v);
		return 0;
	}
	fpu_swap_kvm_fpstate(&v->fpu, true);
	host_state_save(v, &h);
	/* Userspace ran since the last entry ("cond" L1D flush). */
	v->l1d_flush = true;

	if (vmx_vcpu_load(v)) {
		r = stopped(v);
		goto out;
	}
	/* The task's FS base, and its user GS base for the MSR lists. */
	vmcs_writel(HOST_FS_BASE, h.fs_base);
	v->msr_page[PAGE_SIZE / 2 / sizeof(*v->msr_page) +
		    VMX_MSR_KERNEL_GS_BASE].value = h.kernel_gs_base;
	if (v->pending != VMX_PENDING_NONE)
		vmx_complete_userspace(v);
	/* The slice; apic.c shortens an entry's for the APIC timer. */
	v->slice = timeslice_value();
	v->timer_value = v->slice;
	/* Read once per RUN: userspace sets it between runs (events.c). */
	if (unlikely(READ_ONCE(run->request_interrupt_window)))
		v->events |= VMX_EV_WINDOW_REQUEST;
	else if (unlikely(v->events & VMX_EV_WINDOW_REQUEST))
		v->events &= ~VMX_EV_WINDOW_REQUEST;
	if (vmx_vcpu_put(v)) {
		r = stopped(v);
		goto out;
	}

	run->exit_reason = VMXLAB_EXIT_NONE;
	for (;;) {
		if (signal_pending(current)) {
			r = -EINTR;
			break;
		}
		if (vmx_rebooting()) {
			r = -ESHUTDOWN;
			break;
		}
		/* Another task ran: flush L1D before the next entry ("cond"). */
		if (cond_resched())
			v->l1d_flush = true;

		if (vmx_vcpu_load(v)) {
			r = stopped(v);
			break;
		}
		ret = 0;
		/* Queued events and window exits (events.c). */
		if (unlikely(v->events))
			vmx_inject_events(v);
		if (vmxlab_stats_active(vcpu) && vmxlab_trace_full(vcpu)) {
			/* No room for the exit before: the reader drains first. */
			run->exit_reason = VMXLAB_EXIT_TRACE_FULL;
			trace_full = true;
			action = VMX_TO_USER;
		} else {
			ret = enter_once(v, &h, &reason, &action);
		}
		if (trace_full) {
			/* Nothing ran. */
		} else if (ret) {
			entry_vmfail(v, ret);
			action = VMX_TO_USER;
		} else if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
			report_entry_failure(v, reason);
			action = VMX_TO_USER;
		} else if (action == VMX_NOT_HANDLED) {
			action = vmx_handle_exit(v, reason & 0xffff);
		}
		if (action == VMX_TO_USER)
			report_state(v, run);
		if (vmx_vcpu_put(v)) {
			/* A VMREAD or VMWRITE failed: nothing above counts. */
			r = stopped(v);
			break;
		}
		if (action == VMX_TO_USER)
			break;
		/* HLT waits for the APIC timer, or a signal (apic.c). */
		if (action == VMX_HALT)
			vmx_apic_block(v);
	}
	/*
	 * Interrupted, maybe after exits the kernel handled: the state
	 * userspace decides on injecting by is that of now (KVM, too, fills
	 * in its run page on -EINTR).
	 */
	if (r == -EINTR && !vmx_vcpu_load(v)) {
		report_state(v, run);
		if (vmx_vcpu_put(v))
			r = stopped(v);
	}
out:
	run->exit_count = v->entries;
	if (!r)
		v->userspace_exits++;
	fpu_swap_kvm_fpstate(&v->fpu, false);
	/* A full trace ring is no exit of the guest's to userspace. */
	if (vmxlab_stats_active(vcpu))
		vmxlab_stats_run_end(vcpu, !r && !trace_full, rdtsc());
	return r;
}
