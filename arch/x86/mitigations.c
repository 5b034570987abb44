// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution mitigations of the VM entry/exit path, the same
 * as Linux's KVM on the same kernel (arch/x86/kvm/vmx/vmx.c, vmenter.S):
 *
 * - after every exit, before the first unbalanced RET: the RSB is filled
 *   (X86_FEATURE_RSB_VMEXIT, or the one-entry LITE form), legacy IBRS is
 *   written again (X86_FEATURE_KERNEL_IBRS), the branch history is
 *   cleared where the kernel does it on VM exit (CLEAR_BHB_LOOP_ON_VMEXIT).
 *   vmenter.S does these, with vmxlab_spec_ctrl_restore_host() below;
 * - before every entry: VERW clears the CPU buffers (MDS, TAA, MMIO stale
 *   data, RFDS: X86_FEATURE_CLEAR_CPU_BUF), in vmenter.S, and the L1D
 *   cache is flushed where the CPU has L1TF (the kernel's l1tf= policy,
 *   vmx_l1d_flush() below);
 * - IBPB when a CPU switches to another vCPU's VMCS (X86_FEATURE_USE_IBPB).
 *
 * The guest cannot write IA32_SPEC_CTRL (CPUID does not offer it, WRMSR
 * raises #GP): it runs with the host's value, which is stricter than KVM's
 * guest-owned value and needs no save on exit.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/gfp.h>
#include <linux/jump_label.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <asm/cpufeature.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>

#include "../../uapi/linux/vmxlab.h"
#include "mitigations.h"
#include "vmx.h"

/* 64 KiB: more than any L1D, so reading it all evicts the guest's data. */
#define L1D_FLUSH_ORDER		4

enum l1d_flush_mode {
	L1D_FLUSH_AUTO,		/* from the kernel's l1tf= setting, as KVM */
	L1D_FLUSH_NEVER,
	L1D_FLUSH_COND,		/* after the host may have touched secrets */
	L1D_FLUSH_ALWAYS,
};

static const char * const l1d_flush_names[] = {
	[L1D_FLUSH_AUTO] = "auto", [L1D_FLUSH_NEVER] = "never",
	[L1D_FLUSH_COND] = "cond", [L1D_FLUSH_ALWAYS] = "always",
};

static int l1d_flush_param = L1D_FLUSH_AUTO;
static enum l1d_flush_mode l1d_flush_mode = L1D_FLUSH_NEVER;
static void *l1d_flush_pages;
static DEFINE_STATIC_KEY_FALSE(l1d_should_flush);

static int l1d_flush_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(l1d_flush_names, val);

	if (i < 0)
		return -EINVAL;
	l1d_flush_param = i;
	return 0;
}

static int l1d_flush_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", l1d_flush_names[l1d_flush_param]);
}

static const struct kernel_param_ops l1d_flush_ops = {
	.set = l1d_flush_set,
	.get = l1d_flush_get,
};
module_param_cb(vmentry_l1d_flush, &l1d_flush_ops, NULL, 0444);
MODULE_PARM_DESC(vmentry_l1d_flush,
		 "L1D flush before VM entry on CPUs with L1TF: auto (the kernel's l1tf= policy, as kvm_intel), never, cond, always");

/* The L1D policy for this CPU and kernel, decided as kvm_intel decides it. */
static enum l1d_flush_mode l1d_flush_choose(void)
{
	u64 caps;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return L1D_FLUSH_NEVER;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES) &&
	    !rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &caps) &&
	    (caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH))
		return L1D_FLUSH_NEVER;
	if (l1tf_mitigation == L1TF_MITIGATION_FULL_FORCE)
		return L1D_FLUSH_ALWAYS;
	if (l1d_flush_param != L1D_FLUSH_AUTO)
		return l1d_flush_param;
	switch (l1tf_mitigation) {
	case L1TF_MITIGATION_OFF:
		return L1D_FLUSH_NEVER;
	case L1TF_MITIGATION_FULL:
		return L1D_FLUSH_ALWAYS;
	default:
		return L1D_FLUSH_COND;
	}
}

int vmx_mitigations_init(void)
{
	struct page *page;
	unsigned int i;

	l1d_flush_mode = l1d_flush_choose();
	if (l1d_flush_mode != L1D_FLUSH_NEVER &&
	    !boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		page = alloc_pages(GFP_KERNEL, L1D_FLUSH_ORDER);
		if (!page)
			return -ENOMEM;
		l1d_flush_pages = page_address(page);
		/* Distinct pages, so that nothing can merge them (KSM). */
		for (i = 0; i < 1U << L1D_FLUSH_ORDER; i++)
			memset(l1d_flush_pages + i * PAGE_SIZE, i + 1, PAGE_SIZE);
	}
	if (l1d_flush_mode != L1D_FLUSH_NEVER)
		static_branch_enable(&l1d_should_flush);
	pr_info("L1D flush on VM entry: %s\n", l1d_flush_names[l1d_flush_mode]);
	return 0;
}

void vmx_mitigations_exit(void)
{
	static_branch_disable(&l1d_should_flush);
	if (l1d_flush_pages)
		free_pages((unsigned long)l1d_flush_pages, L1D_FLUSH_ORDER);
	l1d_flush_pages = NULL;
}

/* VMXLAB_MITIG_* in force, for the capability report. */
u64 vmx_mitigations(void)
{
	u64 m = 0;

	if (cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT))
		m |= VMXLAB_MITIG_RSB_FILL;
	if (cpu_feature_enabled(X86_FEATURE_RSB_VMEXIT_LITE))
		m |= VMXLAB_MITIG_RSB_FILL_LITE;
	if (cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS))
		m |= VMXLAB_MITIG_IBRS_EXIT;
	if (cpu_feature_enabled(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT))
		m |= VMXLAB_MITIG_BHB_CLEAR;
	if (cpu_feature_enabled(X86_FEATURE_CLEAR_CPU_BUF))
		m |= VMXLAB_MITIG_VERW;
	if (l1d_flush_mode == L1D_FLUSH_COND)
		m |= VMXLAB_MITIG_L1D_FLUSH_COND;
	if (l1d_flush_mode == L1D_FLUSH_ALWAYS)
		m |= VMXLAB_MITIG_L1D_FLUSH_ALWAYS;
	if (l1d_flush_mode != L1D_FLUSH_NEVER &&
	    boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		m |= VMXLAB_MITIG_L1D_FLUSH_MSR;
	if (cpu_feature_enabled(X86_FEATURE_USE_IBPB))
		m |= VMXLAB_MITIG_IBPB;
	return m;
}

/**
 * vmx_l1d_flush() - flush the L1D cache before VM entry (L1TF)
 * @v: the vCPU about to enter; interrupts off.
 *
 * "cond" flushes only when the host may have brought secrets into L1D
 * since the last entry: the vCPU came back from userspace or another task
 * ran (v->l1d_flush), or an interrupt ran on this CPU (the kernel's own
 * per-CPU flag, set by its interrupt entry for KVM). The flush is the
 * IA32_FLUSH_CMD MSR where the CPU has it, else a read of 64 KiB, the
 * pages first into the TLB (KVM's sequence).
 */
void vmx_l1d_flush(struct vmx_vcpu *v)
{
	int size = PAGE_SIZE << L1D_FLUSH_ORDER;
	bool flush;

	if (!static_branch_unlikely(&l1d_should_flush))
		return;
	if (l1d_flush_mode == L1D_FLUSH_COND) {
		flush = v->l1d_flush || kvm_get_cpu_l1tf_flush_l1d();
		v->l1d_flush = false;
		kvm_clear_cpu_l1tf_flush_l1d();
		if (!flush)
			return;
	}
	v->l1d_flushes++;
	if (static_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	asm volatile("xorl %%eax, %%eax\n"
		     "1:\tmovzbl (%[pages], %%rax), %%ecx\n\t"
		     "addl $4096, %%eax\n\t"
		     "cmpl %%eax, %[size]\n\t"
		     "jne 1b\n\t"
		     "xorl %%eax, %%eax\n\t"
		     "cpuid\n\t"
		     "xorl %%eax, %%eax\n"
		     "2:\tmovzbl (%[pages], %%rax), %%ecx\n\t"
		     "addl $64, %%eax\n\t"
		     "cmpl %%eax, %[size]\n\t"
		     "jne 2b\n\t"
		     "lfence\n"
		     : : [pages] "r" (l1d_flush_pages), [size] "r" (size)
		     : "eax", "ebx", "ecx", "edx", "memory");
}

/*
 * IBPB: a CPU switches to another vCPU's VMCS, so that one guest cannot
 * steer the next one's indirect branches (KVM: vmx_vcpu_load_vmcs()).
 */
void vmx_ibpb(void)
{
	indirect_branch_prediction_barrier();
}

/**
 * vmxlab_spec_ctrl_restore_host() - IA32_SPEC_CTRL after a VM exit
 *
 * Called by vmenter.S before the first unbalanced RET. With legacy
 * (kernel) IBRS, IBRS must be written again after the less privileged
 * guest ran, even with an unchanged value (KVM:
 * vmx_spec_ctrl_restore_host()); then no speculation past this point.
 */
void noinstr vmxlab_spec_ctrl_restore_host(void)
{
	if (!cpu_feature_enabled(X86_FEATURE_MSR_SPEC_CTRL))
		return;
	if (cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS))
		native_wrmsrl(MSR_IA32_SPEC_CTRL,
			      this_cpu_read(x86_spec_ctrl_current));
	barrier_nospec();
}
