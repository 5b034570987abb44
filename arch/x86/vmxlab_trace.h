/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints vmxlab:vmxlab_entry and vmxlab:vmxlab_exit, the
 * counterparts of KVM's kvm:kvm_entry and kvm:kvm_exit: perf, bpftrace and
 * tracefs use them as they use KVM's (Documentation/exit-latency.rst,
 * "Tracepoints"). Disabled, each is a jump label; the VMREADs they need
 * are made only when one is enabled.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmxlab

#if !defined(VMXLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define VMXLAB_TRACE_H

#include <linux/tracepoint.h>
#include <asm/vmx.h>

#include "vmx.h"
#include "vmx_ops.h"

/* Right before VMLAUNCH/VMRESUME, interrupts off, the VMCS current. */
TRACE_EVENT(vmxlab_entry,
	    TP_PROTO(struct vmx_vcpu *v),
	    TP_ARGS(v),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->vcpu_id = v->core->id;
			   __entry->rip = vmcs_readl(GUEST_RIP);),
	    TP_printk("vcpu %u rip 0x%llx", __entry->vcpu_id, __entry->rip)
);

/*
 * After a VM exit (or an entry that failed, bit 31 of the reason set),
 * before its handler runs: the exit reason, qualification and the guest's
 * RIP at the exit (SDM Vol. 3C 28.2.1).
 */
TRACE_EVENT(vmxlab_exit,
	    TP_PROTO(struct vmx_vcpu *v, u32 reason),
	    TP_ARGS(v, reason),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u32, reason)
			     __field(u64, qualification)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->vcpu_id = v->core->id;
			   __entry->reason = reason;
			   __entry->qualification = vmcs_readl(EXIT_QUALIFICATION);
			   __entry->rip = vmcs_readl(GUEST_RIP);),
	    TP_printk("vcpu %u reason %s%s (%u) rip 0x%llx qualification 0x%llx",
		      __entry->vcpu_id,
		      (__entry->reason & VMX_EXIT_REASONS_FAILED_VMENTRY) ?
		      "FAILED_VMENTRY " : "",
		      __print_symbolic(__entry->reason & 0xffff, VMX_EXIT_REASONS),
		      __entry->reason & 0xffff, __entry->rip,
		      __entry->qualification)
);

#endif /* VMXLAB_TRACE_H */

/* This file is outside include/trace/events: say where it is. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vmxlab_trace
#include <trace/define_trace.h>
