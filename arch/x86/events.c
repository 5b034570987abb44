// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest: the interrupts, NMIs and exceptions userspace
 * queues with VMXLAB_INJECT, and the in-kernel APIC's interrupts (apic.c),
 * delivered by VM entry through the guest's
 * IDT (event injection, SDM Vol. 3C 26.6) at the first entry at which the
 * guest can take them, and the interrupt-window and NMI-window exits that
 * tell vmxlab when that is (26.7.5, 26.7.6).
 *
 * The queue is three slots, one per type, and the VM-entry
 * interruption-information field holds at most one event per entry. An
 * exit handler may have put one there already (a fault it reflects, an
 * event whose delivery the exit interrupted: exits.c); then the queue
 * waits. Otherwise the exception goes first, then the NMI, then the
 * interrupt, and a window exit is armed for what cannot go now.
 * Documentation/interrupts.rst tells the story.
 */
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/irq_vectors.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../../module/arch.h"
#include "lapic.h"
#include "vmx.h"

/* Blocking by STI and by MOV SS (SDM Vol. 3C 24.4.2, table 24-3). */
#define VMX_INTR_SHADOW	(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)

/* Queued events: what the ready flag and the window's exit wait for. */
#define VMX_EV_QUEUED	(VMX_EV_EXCEPTION | VMX_EV_NMI | VMX_EV_INTR)

/*
 * Debug traps in the pending debug exceptions field (SDM Vol. 3C 24.4.2,
 * table 24-4): B0-B3 and BS, at the bits DR6 has them.
 */
#define VMX_PENDING_DBG_TRAPS	(DR_TRAP_BITS | DR_STEP)

/* Arms or disarms a window exit; the control is written only on a change. */
static void set_window(struct vmx_vcpu *v, u32 ctl, u8 armed, bool on)
{
	u32 proc = on ? v->proc | ctl : v->proc & ~ctl;

	if (proc == v->proc)
		return;
	v->proc = proc;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, proc);
	if (on)
		v->events |= armed;
	else
		v->events &= ~armed;
}

/**
 * vmx_interrupt_allowed() - the guest would take an external interrupt now
 * @v: the vCPU, loaded.
 *
 * RFLAGS.IF set and no blocking by STI or MOV SS (SDM Vol. 3A 6.8.3,
 * Vol. 3C 24.4.2): injecting an interrupt otherwise makes VM entry fail
 * (26.3.1.5).
 *
 * Return: true if so.
 */
bool vmx_interrupt_allowed(struct vmx_vcpu *v)
{
	return (vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & VMX_INTR_SHADOW);
}

/*
 * An NMI is blocked while the guest handles one (with virtual NMIs, VM
 * entry sets the blocking when it injects one and the guest's IRET clears
 * it: 26.6.1.2, 25.3) and by MOV SS; KVM also waits out STI blocking, as
 * some CPUs refuse an NMI injection under it (26.3.1.5).
 */
static bool nmi_allowed(struct vmx_vcpu *v)
{
	return !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		 (VMX_INTR_SHADOW | GUEST_INTR_STATE_NMI));
}

/*
 * A debug trap still pending when an NMI or an interrupt is about to go in:
 * the single step over an instruction vmxlab completed for the guest (HLT
 * with RFLAGS.TF, exits.c), a data breakpoint held back by MOV SS. On
 * hardware the trap comes first (SDM Vol. 3A 6.9: priority 4, NMIs 5,
 * interrupts 6), but VM entry delivers pending debug exceptions only when
 * it injects nothing (SDM Vol. 3C 26.7.3). So the trap goes in now, as the
 * #DB it would have been (DR6 as its delivery sets it: B0-B3 replaced, BS
 * added, SDM Vol. 3A 18.2.3), and the event waits for its window: the #DB
 * handler runs with interrupts off, and the event arrives after its IRET,
 * where hardware would deliver it too. KVM queues the single step as a
 * #DB the same way.
 *
 * Return: true if a #DB was injected.
 */
static bool inject_debug_trap(struct vmx_vcpu *v)
{
	unsigned long pending = vmcs_readl(GUEST_PENDING_DBG_EXCEPTIONS);

	if (!(pending & VMX_PENDING_DBG_TRAPS))
		return false;
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS,
		    pending & ~VMX_PENDING_DBG_TRAPS);
	if (pending & DR_TRAP_BITS)
		v->dr6 &= ~DR_TRAP_BITS;
	v->dr6 |= pending & VMX_PENDING_DBG_TRAPS;
	vmx_queue_exception(v, X86_TRAP_DB, false, 0);
	return true;
}

/**
 * vmx_inject_events() - move queued events into the VMCS before an entry
 * @v: the vCPU, loaded; called only while @v->events is not 0.
 */
void vmx_inject_events(struct vmx_vcpu *v)
{
	bool busy = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) &
		    INTR_INFO_VALID_MASK;
	bool extint = vmx_apic_accepts_extint(v);
	bool want_intr;

	if (!busy && (v->events & VMX_EV_EXCEPTION)) {
		vmx_queue_exception(v, v->exc.vector, v->exc.has_error,
				    v->exc.error);
		v->events &= ~VMX_EV_EXCEPTION;
		busy = true;
	}
	if (!busy && (v->events & VMX_EV_NMI) && nmi_allowed(v)) {
		busy = true;
		if (!inject_debug_trap(v)) {
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, NMI_VECTOR |
				     INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
			v->events &= ~VMX_EV_NMI;
		}
	}
	/*
	 * NMI-window exiting: an exit before the first instruction at which
	 * no virtual-NMI blocking and no MOV SS blocking is left (26.7.6),
	 * maybe right after the delivery of the event injected now.
	 */
	set_window(v, CPU_BASED_NMI_WINDOW_EXITING, VMX_EV_NMI_WINDOW,
		   v->events & VMX_EV_NMI);

	if (!busy && (v->events & VMX_EV_INTR) && extint &&
	    vmx_interrupt_allowed(v)) {
		busy = true;
		if (!inject_debug_trap(v)) {
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, v->intr_vector |
				     INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
			v->events &= ~VMX_EV_INTR;
		}
	}
	/*
	 * Interrupt-window exiting: an exit before the first instruction at
	 * which RFLAGS.IF is 1 and no STI or MOV SS blocking is left
	 * (26.7.5), for a queued interrupt or for userspace's request; not
	 * while the APIC's LINT0 holds userspace's interrupts back (apic.c):
	 * the window would open at once, again and again. The guest's write
	 * that unmasks LINT0 exits, and the next entry arms it.
	 */
	want_intr = extint &&
		    (v->events & (VMX_EV_INTR | VMX_EV_WINDOW_REQUEST));

	/*
	 * The in-kernel APIC's interrupt, after userspace's (which stands for
	 * the 8259A's ExtINT: KVM also serves it first). Its INTA cycle
	 * (vmx_lapic_ack()) happens only when the vector goes in.
	 */
	if ((v->events & VMX_EV_APIC) && vmx_apic_before_entry(v) >= 0) {
		if (!busy && vmx_interrupt_allowed(v) && !inject_debug_trap(v))
			vmcs_write32(VM_ENTRY_INTR_INFO_FIELD,
				     vmx_lapic_ack(v->apic) |
				     INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
		else
			want_intr = true;
	}
	set_window(v, CPU_BASED_INTR_WINDOW_EXITING, VMX_EV_INTR_WINDOW,
		   want_intr);
}

/*
 * The interrupt window opened: a queued interrupt goes in at the next
 * entry; with nothing queued, userspace asked to be told (with an
 * exception or NMI still queued, they go first and the window is asked
 * for again).
 */
enum vmx_exit_action vmx_handle_intr_window(struct vmx_vcpu *v)
{
	set_window(v, CPU_BASED_INTR_WINDOW_EXITING, VMX_EV_INTR_WINDOW, false);
	if (!(v->events & VMX_EV_QUEUED) &&
	    (v->events & VMX_EV_WINDOW_REQUEST) && vmx_apic_accepts_extint(v)) {
		v->core->run->exit_reason = VMXLAB_EXIT_IRQ_WINDOW_OPEN;
		return VMX_TO_USER;
	}
	return VMX_RESUME;
}

/* The NMI window opened: the queued NMI goes in at the next entry. */
enum vmx_exit_action vmx_handle_nmi_window(struct vmx_vcpu *v)
{
	set_window(v, CPU_BASED_NMI_WINDOW_EXITING, VMX_EV_NMI_WINDOW, false);
	return VMX_RESUME;
}

/**
 * vmx_ready_for_interrupt() - VMXLAB_RUN_READY_FOR_INTR at a return
 * @v: the vCPU, loaded, whose RFLAGS.IF the caller found set (so that an
 *     exit with IF clear, most exits of most test guests, costs no call).
 *
 * Return: true if an interrupt queued now is delivered at the next entry:
 * no event is queued, none waits in the VMCS, nothing blocks interrupts,
 * and the APIC's LINT0, if there is an APIC, lets the 8259A's line through.
 */
bool vmx_ready_for_interrupt(struct vmx_vcpu *v)
{
	return !(v->events & VMX_EV_QUEUED) && vmx_apic_accepts_extint(v) &&
	       !(vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID_MASK) &&
	       !(vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & VMX_INTR_SHADOW);
}

int vmxlab_arch_inject(struct vmxlab_vcpu *vcpu, const struct vmxlab_event *ev)
{
	struct vmx_vcpu *v = to_vmx(vcpu);

	switch (ev->type) {
	case VMXLAB_EVENT_INTR:
		if (v->events & VMX_EV_INTR)
			return -EBUSY;
		v->intr_vector = ev->vector;
		v->events |= VMX_EV_INTR;
		return 0;
	case VMXLAB_EVENT_NMI:
		if (!(vmx_config()->features & VMXLAB_FEAT_VIRTUAL_NMIS))
			return -EOPNOTSUPP;
		if (v->events & VMX_EV_NMI)
			return -EBUSY;
		v->events |= VMX_EV_NMI;
		return 0;
	case VMXLAB_EVENT_EXCEPTION:
		if (v->events & VMX_EV_EXCEPTION)
			return -EBUSY;
		v->exc.vector = ev->vector;
		v->exc.has_error = ev->has_error_code;
		v->exc.error = ev->error_code;
		v->events |= VMX_EV_EXCEPTION;
		return 0;
	}
	return -EINVAL;
}
