// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS of a vCPU: its life (allocate, load on a CPU, VMCLEAR when the
 * vCPU moves or dies), its initial contents, and the guest registers it
 * holds (VMXLAB_GET/SET_REGS and _SREGS).
 *
 * A VMCS is "active" on at most one CPU at a time and must be VMCLEARed
 * there before another CPU may VMPTRLD it (SDM Vol. 3C 24.1, 24.11.1).
 * vmxlab loads a vCPU's VMCS each time it enters, with preemption off, and
 * remembers where it is active; when the vCPU thread has moved, an IPI
 * VMCLEARs it on the old CPU first. Each CPU keeps a list of the VMCSs
 * active on it so that VMXOFF (CPU offline, reboot) can VMCLEAR them all.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>

#include "../../module/arch.h"
#include "vmx.h"
#include "mitigations.h"
#include "vmx_ops.h"
#include "xsave.h"

static DEFINE_PER_CPU(struct list_head, loaded_vmcss);
static DEFINE_PER_CPU(struct vmx_vcpu *, current_vmcs);
static DEFINE_IDA(vpid_ida);

/* Every RDMSR and WRMSR of a guest exits: one bitmap of all ones for all. */
static unsigned long *msr_bitmap;

static const u32 switched_msr_index[VMX_NR_SWITCHED_MSRS] = {
	[VMX_MSR_TSC_AUX] = MSR_TSC_AUX,
	[VMX_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
	[VMX_MSR_STAR] = MSR_STAR,
	[VMX_MSR_LSTAR] = MSR_LSTAR,
	[VMX_MSR_CSTAR] = MSR_CSTAR,
	[VMX_MSR_SYSCALL_MASK] = MSR_SYSCALL_MASK,
};

/* Host-list entries start half-way into vmx_vcpu.msr_page. */
static struct vmx_msr_entry *host_msrs(struct vmx_vcpu *v)
{
	return v->msr_page + PAGE_SIZE / 2 / sizeof(*v->msr_page);
}

/*
 * The first VMX-instruction failure on this CPU since the last
 * vmx_vcpu_load(): the VMCS current here is in doubt (VMREAD/VMWRITE).
 */
static DEFINE_PER_CPU(struct vmx_vmfail, vmcs_access_failure);

/* Fault injection for the tests (debugfs fail_vmptrld, fail_vpid, hw.c). */
atomic_t vmx_fail_vmptrld = ATOMIC_INIT(0);
atomic_t vmx_fail_vpid = ATOMIC_INIT(0);

/* The VM-instruction error of the current VMCS, 0 if there is none. */
static u32 vm_instruction_error(void)
{
	unsigned long err;

	if (vmx_vmread_raw(VM_INSTRUCTION_ERROR, &err) != VMX_OK)
		return 0;
	return err;
}

static void vmcs_access_failed(const char *insn, unsigned long field,
			       enum vmx_insn_status status)
{
	struct vmx_vmfail *f = this_cpu_ptr(&vmcs_access_failure);
	u32 err = status == VMX_FAIL_VALID ? vm_instruction_error() : 0;

	if (!f->status) {
		f->insn = VMXLAB_VMFAIL_INSN_VMCS_ACCESS;
		f->status = vmx_vmfail_status(status);
		f->error = err;
	}
	/* After an emergency VMXOFF every VMX instruction faults: expected. */
	if (status == VMX_FAULT && vmx_rebooting())
		return;
	pr_err_ratelimited("%s of field %#lx on CPU %d: %s, VM-instruction error %u (a vmxlab bug)\n",
			   insn, field, smp_processor_id(),
			   vmx_insn_status_name(status), err);
}

void vmread_error(unsigned long field, enum vmx_insn_status status)
{
	vmcs_access_failed("VMREAD", field, status);
}

void vmwrite_error(unsigned long field, unsigned long value,
		   enum vmx_insn_status status)
{
	vmcs_access_failed("VMWRITE", field, status);
}

int vmx_vmcs_init_percpu(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(loaded_vmcss, cpu));
	msr_bitmap = (unsigned long *)__get_free_page(GFP_KERNEL);
	if (!msr_bitmap)
		return -ENOMEM;
	memset(msr_bitmap, 0xff, PAGE_SIZE);
	return 0;
}

void vmx_vmcs_exit_percpu(void)
{
	free_page((unsigned long)msr_bitmap);
}

/* VMCLEAR on this CPU, which must be where @v is active. IRQs off. */
static void vmcs_clear_here(struct vmx_vcpu *v)
{
	enum vmx_insn_status st = vmx_vmclear(__pa(v->vmcs));

	/* After the reboot notifier's VMXOFF, a fault is expected. */
	if (st != VMX_OK && !(st == VMX_FAULT && vmx_rebooting()))
		pr_err_ratelimited("VMCLEAR on CPU %d: %s\n", smp_processor_id(),
				   vmx_insn_status_name(st));
	list_del(&v->loaded_link);
	if (this_cpu_read(current_vmcs) == v)
		this_cpu_write(current_vmcs, NULL);
	/* Seen by the CPU that loads @v next, after the IPI returns. */
	smp_wmb();
	v->cpu = -1;
	v->launched = false;
}

static void vmcs_clear_fn(void *data)
{
	struct vmx_vcpu *v = data;

	if (v->cpu == smp_processor_id())
		vmcs_clear_here(v);
}

/**
 * vmx_clear_loaded_vmcss() - VMCLEAR every VMCS active on this CPU
 *
 * Called with interrupts off before VMXOFF, so that no VMCS data stays in
 * the CPU (SDM Vol. 3C 24.11.1).
 */
void vmx_clear_loaded_vmcss(void)
{
	struct vmx_vcpu *v, *tmp;

	list_for_each_entry_safe(v, tmp, this_cpu_ptr(&loaded_vmcss),
				 loaded_link)
		vmcs_clear_here(v);
}

/* Makes the VMCS of @v active on another CPU no more. */
static void vmcs_clear_remote(struct vmx_vcpu *v)
{
	int cpu = READ_ONCE(v->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmcs_clear_fn, v, 1);
}

/* The host-state fields that differ between CPUs (SDM Vol. 3C 24.5). */
static void vmcs_write_host_percpu(struct vmx_vcpu *v, int cpu)
{
	unsigned long gs_base, sysenter_esp;

	rdmsrl(MSR_GS_BASE, gs_base);
	rdmsrl(MSR_IA32_SYSENTER_ESP, sysenter_esp);
	vmcs_writel(HOST_TR_BASE,
		    (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_writel(HOST_GDTR_BASE, (unsigned long)get_cpu_gdt_ro(cpu));
	vmcs_writel(HOST_GS_BASE, gs_base);
	vmcs_writel(HOST_IA32_SYSENTER_ESP, sysenter_esp);
	if (!v->msr_first)
		rdmsrl(MSR_TSC_AUX, host_msrs(v)[VMX_MSR_TSC_AUX].value);
	v->host_cpu = cpu;
}

static void flush_guest_tlb(struct vmx_vcpu *v);

/* The vCPU's VMCS is in doubt: it never runs again (abi.rst). */
static void vcpu_fail(struct vmx_vcpu *v, const struct vmx_vmfail *f)
{
	if (v->failed.status)
		return;
	v->failed = *f;
	if (f->status == VMXLAB_VMFAIL_FAULT && vmx_rebooting())
		return;		/* VMX is off for the reboot: expected */
	pr_err_ratelimited("vCPU %u stopped: its VMCS is in doubt after a failed %s (%s, VM-instruction error %u)\n",
			   v->core->id,
			   f->insn == VMXLAB_VMFAIL_INSN_VMPTRLD ? "VMPTRLD" :
			   f->insn == VMXLAB_VMFAIL_INSN_ENTRY ?
			   "VM entry" : "VMREAD/VMWRITE",
			   vmx_insn_status_name(vmx_insn_status_of(f->status)),
			   f->error);
}

/**
 * vmx_vcpu_load() - make @v's VMCS current on this CPU
 * @v: the vCPU.
 *
 * Disables preemption until vmx_vcpu_put(): the VMCS stays current only as
 * long as the thread stays on this CPU.
 *
 * Return: 0; -EIO if the VMCS could not be made current, or the vCPU was
 * stopped before (v->failed says why); preemption is then enabled again
 * and vmx_vcpu_put() must not be called.
 */
int vmx_vcpu_load(struct vmx_vcpu *v)
{
	struct vmx_vmfail f = { .insn = VMXLAB_VMFAIL_INSN_VMPTRLD };
	enum vmx_insn_status st;
	bool inject;
	u64 pa;
	int cpu;

	if (v->failed.status)
		return -EIO;
	preempt_disable();
	cpu = smp_processor_id();
	if (v->cpu != cpu) {
		vmcs_clear_remote(v);
		/* Pairs with the smp_wmb() in vmcs_clear_here(). */
		smp_rmb();
		local_irq_disable();
		list_add(&v->loaded_link, this_cpu_ptr(&loaded_vmcss));
		v->cpu = cpu;
		local_irq_enable();
	}
	inject = atomic_read(&vmx_fail_vmptrld) > 0 &&
		 atomic_dec_if_positive(&vmx_fail_vmptrld) >= 0;
	if (this_cpu_read(current_vmcs) != v || inject) {
		/* Another vCPU's VMCS was current here: IBPB (mitigations.c). */
		if (this_cpu_read(current_vmcs))
			vmx_ibpb();
		/*
		 * A misaligned address is what VMPTRLD refuses first (SDM Vol.
		 * 3C 30.3, "VMPTRLD"): the injected failure is the CPU's own.
		 */
		pa = __pa(v->vmcs) | (inject ? 1 : 0);
		st = vmx_vmptrld(pa);
		if (st != VMX_OK) {
			/*
			 * The CPU keeps its old current VMCS (30.3): every
			 * VMWRITE now would land in another vCPU's VMCS.
			 */
			f.status = vmx_vmfail_status(st);
			f.error = st == VMX_FAIL_VALID ?
				  vm_instruction_error() : 0;
			preempt_enable();
			vcpu_fail(v, &f);
			return -EIO;
		}
		this_cpu_write(current_vmcs, v);
	}
	memset(this_cpu_ptr(&vmcs_access_failure), 0, sizeof(f));
	if (v->host_cpu != cpu) {
		vmcs_write_host_percpu(v, cpu);
		/*
		 * Translations tagged with this VPID may linger in this CPU's
		 * TLB from an earlier stint here, older than INVLPGs the guest
		 * has since run elsewhere (INVLPG only reaches the CPU it runs
		 * on, SDM Vol. 3A 4.10.4.1): drop them (KVM does the same).
		 */
		flush_guest_tlb(v);
		/* Whatever ran here before may have left secrets in L1D. */
		v->l1d_flush = true;
	}
	return 0;
}

/**
 * vmx_vmcs_access_failed() - a VMREAD or VMWRITE failed on this CPU
 *
 * Since the last vmx_vcpu_load(); vmx_vcpu_put() stops the vCPU for it.
 * Preemption off.
 *
 * Return: true if one did.
 */
bool vmx_vmcs_access_failed(void)
{
	return this_cpu_ptr(&vmcs_access_failure)->status;
}

/**
 * vmx_vcpu_put() - end what vmx_vcpu_load() began
 * @v: the vCPU.
 *
 * A VMREAD or VMWRITE that failed in between stops the vCPU for good.
 *
 * Return: 0, or -EIO if the vCPU is stopped now.
 */
int vmx_vcpu_put(struct vmx_vcpu *v)
{
	struct vmx_vmfail *f = this_cpu_ptr(&vmcs_access_failure);

	if (unlikely(f->status)) {
		vcpu_fail(v, f);
		memset(f, 0, sizeof(*f));
	}
	preempt_enable();
	return v->failed.status ? -EIO : 0;
}

/* CR0 bits the guest may not own: those VMX operation fixes (23.8). */
static u64 cr0_forced(void)
{
	const struct vmx_config *c = vmx_config();

	/* Unrestricted guest lets PE and PG be 0 (SDM Vol. 3C 26.3.1.1). */
	return c->cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);
}

/*
 * CR4 bits a guest may set: those VMX allows minus what vmxlab hides (LA57
 * too: CPUID does not offer 5-level paging and the page walker of
 * emulate.c has 4 levels), and
 * OSXSAVE only where the host itself uses XSAVE (the guest's XCR0 is
 * switched with the host's, SDM Vol. 1 13.3).
 */
static u64 cr4_guest_allowed(void)
{
	u64 allowed = vmx_config()->cr4_fixed1 &
		      ~(X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_PKE | X86_CR4_CET |
			X86_CR4_LA57);

	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		allowed &= ~X86_CR4_OSXSAVE;
	return allowed;
}

/*
 * The CR0 and CR4 bits the host owns (set in the guest/host masks, SDM
 * Vol. 3C 24.6.6): a guest write to one exits, and the guest reads the
 * read shadow. Every other bit is the guest's: it changes it without an
 * exit, so only GUEST_CR0/GUEST_CR4 hold its value.
 */
static u64 cr0_host_owned(void)
{
	return cr0_forced() | ~vmx_config()->cr0_fixed1;
}

static u64 cr4_host_owned(void)
{
	/*
	 * OSXSAVE too: the guest's XCR0 is loaded only while its
	 * CR4.OSXSAVE is set (run.c), so setting it must exit, or the guest
	 * would run on the host's XCR0 until its next exit (KVM owns it too).
	 */
	return ~cr4_guest_allowed() | vmx_config()->cr4_fixed0 |
	       X86_CR4_OSXSAVE;
}

/* The CR0 and CR4 the guest believes in (24.6.6), each bit from its home. */
u64 vmx_guest_cr0(void)
{
	u64 mask = cr0_host_owned();

	return (vmcs_readl(GUEST_CR0) & ~mask) |
	       (vmcs_readl(CR0_READ_SHADOW) & mask);
}

u64 vmx_guest_cr4(void)
{
	u64 mask = cr4_host_owned();

	return (vmcs_readl(GUEST_CR4) & ~mask) |
	       (vmcs_readl(CR4_READ_SHADOW) & mask);
}

/*
 * RDTSCP (and RDPID) for the guest: the control, and a host whose
 * IA32_TSC_AUX exists to be switched with the guest's.
 */
bool vmx_guest_has_rdtscp(void)
{
	return (vmx_config()->proc2 & SECONDARY_EXEC_ENABLE_RDTSCP) &&
	       boot_cpu_has(X86_FEATURE_RDTSCP);
}

static void flush_guest_tlb(struct vmx_vcpu *v)
{
	const struct vmx_config *c = vmx_config();
	enum vmx_insn_status st;

	/* Without a VPID every entry and exit flushes (SDM 28.3.3.3). */
	if (!v->vpid)
		return;
	if (c->ept_vpid_cap & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT)
		st = vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, v->vpid);
	else
		st = vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
	if (st != VMX_OK)
		pr_err_ratelimited("INVVPID: %s\n", vmx_insn_status_name(st));
}

/**
 * vmx_set_efer() - write the guest's IA32_EFER
 * @v: the vCPU, loaded.
 * @efer: the new value (LMA included).
 *
 * The "IA-32e mode guest" entry control must equal EFER.LMA (SDM Vol. 3C
 * 26.2.4), and the syscall MSRs are switched only once long mode is
 * possible.
 */
void vmx_set_efer(struct vmx_vcpu *v, u64 efer)
{
	u32 entry = vmcs_read32(VM_ENTRY_CONTROLS);

	if (efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	else
		entry &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
	vmcs_write64(GUEST_IA32_EFER, efer);
	vmx_update_msr_lists(v);
}

/**
 * vmx_load_pdptrs() - PAE paging: copy the four PDPTEs into the VMCS
 * @v: the vCPU, loaded.
 *
 * With EPT, VM entry loads the PDPTEs of a PAE guest from the VMCS, not
 * from memory (SDM Vol. 3C 26.3.2.4), so a CR write that enables PAE
 * paging must read them, as MOV to CR would on hardware.
 *
 * Return: 0; -EINVAL if one is present with reserved bits set or cannot
 * be read (MOV to CR then raises #GP, SDM Vol. 3A 4.4.1).
 */
int vmx_load_pdptrs(struct vmx_vcpu *v)
{
	u64 cr0 = vmx_guest_cr0(), cr4 = vmx_guest_cr4(), pdpte[4];
	u64 efer = vmcs_read64(GUEST_IA32_EFER);
	int i;

	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & EFER_LMA))
		return 0;
	if (vmxlab_read_guest(v->core->vm, vmcs_readl(GUEST_CR3) & ~0x1fUL,
			      pdpte, sizeof(pdpte)))
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		/* Bits 2:1 and 8:5 are reserved (SDM Vol. 3A table 4-8). */
		if ((pdpte[i] & 1) &&
		    ((pdpte[i] & 0x1e6) ||
		     (pdpte[i] >> boot_cpu_data.x86_phys_bits) & GENMASK_ULL(51, 0)))
			return -EINVAL;
	}
	for (i = 0; i < 4; i++)
		vmcs_write64(GUEST_PDPTR0 + 2 * i, pdpte[i]);
	return 0;
}

/**
 * vmx_set_cr0() - the guest writes CR0 (MOV to CR0, LMSW, or SET_SREGS)
 * @v: the vCPU, loaded.
 * @cr0: the value the guest wrote.
 *
 * The guest sees @cr0 (the read shadow); the CPU runs with the bits VMX
 * operation forces. Enabling paging with EFER.LME set enters IA-32e mode
 * (SDM Vol. 3A 10.8.5), which here means setting EFER.LMA ourselves.
 *
 * Return: 0, or -EINVAL where the instruction raises #GP (SDM Vol. 3A
 * 2.5, "MOV - Move to/from Control Registers").
 */
int vmx_set_cr0(struct vmx_vcpu *v, u64 cr0)
{
	u64 old = vmx_guest_cr0(), efer = vmcs_read64(GUEST_IA32_EFER);

	if ((cr0 >> 32) || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return -EINVAL;
	if (!(old & X86_CR0_PG) && (cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(vmx_guest_cr4() & X86_CR4_PAE))
			return -EINVAL;
		vmx_set_efer(v, efer | EFER_LMA);
	} else if ((old & X86_CR0_PG) && !(cr0 & X86_CR0_PG) &&
		   (efer & EFER_LMA)) {
		vmx_set_efer(v, efer & ~EFER_LMA);
	}
	vmcs_writel(CR0_READ_SHADOW, cr0);
	vmcs_writel(GUEST_CR0, cr0 | cr0_forced());
	if ((old ^ cr0) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
		flush_guest_tlb(v);
	return vmx_load_pdptrs(v);
}

/**
 * vmx_set_cr4() - the guest writes CR4
 * @v: the vCPU, loaded.
 * @cr4: the value the guest wrote.
 *
 * Return: 0, or -EINVAL (#GP) for a bit the guest may not set, or for
 * clearing PAE in long mode.
 */
int vmx_set_cr4(struct vmx_vcpu *v, u64 cr4)
{
	u64 old = vmx_guest_cr4();

	if (cr4 & ~cr4_guest_allowed())
		return -EINVAL;
	if (!(cr4 & X86_CR4_PAE) &&
	    (vmcs_read64(GUEST_IA32_EFER) & EFER_LMA))
		return -EINVAL;
	vmcs_writel(CR4_READ_SHADOW, cr4);
	vmcs_writel(GUEST_CR4, cr4 | vmx_config()->cr4_fixed0);
	if ((old ^ cr4) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE |
			   X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP))
		flush_guest_tlb(v);
	return vmx_load_pdptrs(v);
}

/**
 * vmx_update_msr_lists() - how many MSRs the CPU switches
 * @v: the vCPU, loaded.
 *
 * A guest with RDTSCP reads IA32_TSC_AUX with no VM exit, so the CPU
 * loads the guest's value at every entry and the host's at every exit.
 * SWAPGS and SYSCALL use KERNEL_GS_BASE, STAR, LSTAR, CSTAR and SFMASK
 * directly too, but only in 64-bit mode: once the guest sets EFER.LME,
 * VM entry loads the guest's values and VM exit stores them and reloads
 * the host's (SDM Vol. 3C 24.7.2, 24.8.2, 27.6); before that they cost
 * nothing.
 */
void vmx_update_msr_lists(struct vmx_vcpu *v)
{
	unsigned int n = (vmcs_read64(GUEST_IA32_EFER) & EFER_LME) ?
			 VMX_NR_SWITCHED_MSRS - v->msr_first :
			 v->msr_first ? 0 : 1;

	if (n == v->nr_switched)
		return;
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, n);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, n);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, n);
	v->nr_switched = n;
}

/* Host state that is the same on every CPU and for the VMCS's life. */
static void vmcs_init_host(struct vmx_vcpu *v)
{
	const struct vmx_config *c = vmx_config();
	struct vmx_msr_entry *host = host_msrs(v);
	struct desc_ptr idt;
	u64 val;
	int i;

	vmcs_writel(HOST_CR0, read_cr0());
	v->host_cr3 = __read_cr3();
	vmcs_writel(HOST_CR3, v->host_cr3);
	v->host_cr4 = cr4_read_shadow();
	vmcs_writel(HOST_CR4, v->host_cr4);

	/*
	 * Selectors: RPL and TI must be 0 (SDM Vol. 3C 26.2.3). DS, ES, FS
	 * and GS come back as 0; run.c restores what the task had.
	 */
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);

	store_idt(&idt);
	vmcs_writel(HOST_IDTR_BASE, idt.address);
	vmcs_writel(HOST_RIP, (unsigned long)vmxlab_vmexit);

	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write32(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_writel(HOST_IA32_SYSENTER_EIP, val);
	rdmsrl(MSR_EFER, val);
	vmcs_write64(HOST_IA32_EFER, val);
	if (c->exit & VM_EXIT_LOAD_IA32_PAT) {
		rdmsrl(MSR_IA32_CR_PAT, val);
		vmcs_write64(HOST_IA32_PAT, val);
	}

	/*
	 * The MSR lists: guest values at the start of the page, host after;
	 * the host's TSC_AUX (its CPU number) is set per CPU.
	 */
	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++) {
		v->msr_page[i].index = switched_msr_index[i];
		host[i].index = switched_msr_index[i];
		if (i >= v->msr_first)
			rdmsrl(switched_msr_index[i], host[i].value);
	}
	vmcs_write64(VM_ENTRY_MSR_LOAD_ADDR, __pa(v->msr_page + v->msr_first));
	vmcs_write64(VM_EXIT_MSR_STORE_ADDR, __pa(v->msr_page + v->msr_first));
	vmcs_write64(VM_EXIT_MSR_LOAD_ADDR, __pa(host + v->msr_first));
}

static void vmcs_init_controls(struct vmx_vcpu *v)
{
	const struct vmx_config *c = vmx_config();
	struct vmx_vm *vm = v->core->vm->arch;
	u32 proc2 = c->proc2;

	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, c->pin);
	v->proc = c->proc;
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, v->proc);
	/* Without a TSC_AUX of the host's to switch with, no RDTSCP. */
	if (!vmx_guest_has_rdtscp())
		proc2 &= ~SECONDARY_EXEC_ENABLE_RDTSCP;
	/* VPID 0 may not be used with "enable VPID" (SDM Vol. 3C 26.2.1.1). */
	if (!v->vpid)
		proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write32(VM_EXIT_CONTROLS, c->exit);
	vmcs_write32(VM_ENTRY_CONTROLS, c->entry);
	/*
	 * A machine check in the guest is the host's to handle: it exits
	 * (SDM Vol. 3C 25.2) and run.c hands it to the kernel's #MC handler.
	 * #DB and #AC exit although the guest handles them: a delivery of
	 * either can raise the same exception again, without end and without
	 * an instruction boundary for the host to take the CPU back at
	 * (exits.c, reflect_exception()).
	 */
	vmcs_write32(EXCEPTION_BITMAP, BIT(X86_TRAP_MC) | BIT(X86_TRAP_DB) |
		     BIT(X86_TRAP_AC));
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write64(EPT_POINTER, vm->eptp);
	if (c->proc & CPU_BASED_USE_MSR_BITMAPS)
		vmcs_write64(MSR_BITMAP, __pa(msr_bitmap));
	if (c->proc & CPU_BASED_USE_TSC_OFFSETTING)
		vmcs_write64(TSC_OFFSET, v->tsc_offset);
	if (v->vpid)
		vmcs_write16(VIRTUAL_PROCESSOR_ID, v->vpid);
	/* Every ENCLS leaf exits (24.6.16): no SGX for guests. */
	if (c->proc2 & SECONDARY_EXEC_ENCLS_EXITING)
		vmcs_write64(ENCLS_EXITING_BITMAP, ~0ULL);
	if (c->proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING) {
		/* KVM's defaults; a PAUSE-loop exit just resumes the guest. */
		vmcs_write32(PLE_GAP, 128);
		vmcs_write32(PLE_WINDOW, 4096);
	}

	/*
	 * CR0 and CR4: the guest owns every bit VMX does not force and
	 * vmxlab does not hide or track (cr0_host_owned(), cr4_host_owned());
	 * writing another bit exits and is emulated against the read shadow.
	 */
	vmcs_writel(CR0_GUEST_HOST_MASK, cr0_host_owned());
	vmcs_writel(CR4_GUEST_HOST_MASK, cr4_host_owned());
}

/* A segment in the VMCS: selector, base, limit, access rights (24.4.1). */
struct vmcs_seg_fields {
	u32 selector, base, limit, ar;
};

#define SEG(s) { GUEST_##s##_SELECTOR, GUEST_##s##_BASE, GUEST_##s##_LIMIT, \
		 GUEST_##s##_AR_BYTES }
enum { SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS, SEG_TR, SEG_LDTR };
static const struct vmcs_seg_fields seg_fields[] = {
	[SEG_CS] = SEG(CS), [SEG_DS] = SEG(DS), [SEG_ES] = SEG(ES),
	[SEG_FS] = SEG(FS), [SEG_GS] = SEG(GS), [SEG_SS] = SEG(SS),
	[SEG_TR] = SEG(TR), [SEG_LDTR] = SEG(LDTR),
};

static u32 seg_to_ar(const struct vmxlab_segment *s)
{
	if (s->unusable)
		return VMX_AR_UNUSABLE_MASK;
	return (s->type & 15) | (s->s ? VMX_AR_S_MASK : 0) |
	       ((s->dpl & 3) << VMX_AR_DPL_SHIFT) |
	       (s->present ? VMX_AR_P_MASK : 0) | (s->avl ? BIT(12) : 0) |
	       (s->l ? VMX_AR_L_MASK : 0) | (s->db ? VMX_AR_DB_MASK : 0) |
	       (s->g ? VMX_AR_G_MASK : 0);
}

static void set_seg(int i, const struct vmxlab_segment *s)
{
	const struct vmcs_seg_fields *f = &seg_fields[i];

	__vmcs_write(f->selector, s->selector);
	__vmcs_write(f->base, s->base);
	__vmcs_write(f->limit, s->limit);
	__vmcs_write(f->ar, seg_to_ar(s));
}

static void get_seg(int i, struct vmxlab_segment *s)
{
	const struct vmcs_seg_fields *f = &seg_fields[i];
	u32 ar = __vmcs_read(f->ar);

	s->selector = __vmcs_read(f->selector);
	s->base = __vmcs_read(f->base);
	s->limit = __vmcs_read(f->limit);
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S_MASK);
	s->dpl = VMX_AR_DPL(ar);
	s->present = !!(ar & VMX_AR_P_MASK);
	s->avl = !!(ar & BIT(12));
	s->l = !!(ar & VMX_AR_L_MASK);
	s->db = !!(ar & VMX_AR_DB_MASK);
	s->g = !!(ar & VMX_AR_G_MASK);
}

/* Guest state of a CPU after reset, in real mode, until SET_SREGS. */
static void vmcs_init_guest(struct vmx_vcpu *v)
{
	const struct vmxlab_segment code = {
		.limit = 0xffff, .type = 0xb, .s = 1, .present = 1,
	};
	const struct vmxlab_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	const struct vmxlab_segment tr = {
		.limit = 0xffff, .type = VMX_AR_TYPE_BUSY_16_TSS, .present = 1,
	};
	const struct vmxlab_segment ldtr = {
		.limit = 0xffff, .type = VMX_AR_TYPE_LDT, .present = 1,
	};
	const struct vmx_config *c = vmx_config();
	int i;

	set_seg(SEG_CS, &code);
	for (i = SEG_DS; i <= SEG_SS; i++)
		set_seg(i, &data);
	set_seg(SEG_TR, &tr);
	set_seg(SEG_LDTR, &ldtr);
	vmcs_writel(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writel(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_writel(CR0_READ_SHADOW, X86_CR0_ET);
	vmcs_writel(GUEST_CR0, X86_CR0_ET | cr0_forced());
	vmcs_writel(CR4_READ_SHADOW, 0);
	vmcs_writel(GUEST_CR4, c->cr4_fixed0);
	vmcs_writel(GUEST_CR3, 0);
	/* Debug registers after reset (SDM Vol. 3A table 10-1). */
	vmcs_writel(GUEST_DR7, VMX_DR7_FIXED_1);
	v->dr7 = VMX_DR7_FIXED_1;
	v->dr6 = VMX_DR6_FIXED_1;
	memset(v->db, 0, sizeof(v->db));
	vmcs_writel(GUEST_RSP, 0);
	vmcs_writel(GUEST_RIP, 0xfff0);
	vmcs_writel(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writel(GUEST_SYSENTER_ESP, 0);
	vmcs_writel(GUEST_SYSENTER_EIP, 0);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write64(GUEST_IA32_EFER, 0);
	/* The MSR-list counts follow from EFER: compute them afresh. */
	v->nr_switched = UINT_MAX;
	vmx_update_msr_lists(v);
	if (c->entry & VM_ENTRY_LOAD_IA32_PAT)
		vmcs_write64(GUEST_IA32_PAT, VMX_PAT_RESET);
	vmx_msrs_reset(v);
	vmcs_write32(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writel(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	v->apic_base = 0xfee00000 | MSR_IA32_APICBASE_ENABLE |
		       (v->core->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	v->xcr0 = XFEATURE_MASK_FP;
	v->pkru = 0;
}

int vmxlab_arch_vcpu_init(struct vmxlab_vcpu *vcpu)
{
	const struct vmx_config *c = vmx_config();
	struct vmx_vcpu *v;
	int r = -ENOMEM;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->core = vcpu;
	v->cpu = -1;
	v->host_cpu = -1;
	/* Before the first load: vmcs_write_host_percpu() reads TSC_AUX. */
	v->msr_first = vmx_guest_has_rdtscp() ? 0 : 1;
	INIT_LIST_HEAD(&v->loaded_link);
	v->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	v->msr_page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->vmcs || !v->msr_page)
		goto free;
	if (!fpu_alloc_guest_fpstate(&v->fpu))
		goto free;
	if ((vcpu->vm->flags & VMXLAB_VM_LAPIC) && vmx_apic_create(v))
		goto free_fpu;
	v->xcr0_supported =
		vmx_xcr0_supported(boot_cpu_has(X86_FEATURE_OSXSAVE) ?
				   xgetbv(XCR_XFEATURE_ENABLED_MASK) : 0,
				   v->fpu.fpstate->user_xfeatures);
	/*
	 * A VPID of its own, while there are any: with all 65535 in use the
	 * vCPU runs without one (VPID 0 is the host's: every VM entry and
	 * exit then flushes its translations, SDM Vol. 3C 28.3.3.3), slower
	 * but correct, as KVM does.
	 */
	if (c->proc2 & SECONDARY_EXEC_ENABLE_VPID) {
		if (atomic_read(&vmx_fail_vpid) > 0 &&
		    atomic_dec_if_positive(&vmx_fail_vpid) >= 0)
			r = -ENOSPC;	/* as if all were in use */
		else
			r = ida_alloc_range(&vpid_ida, 1, 0xffff, GFP_KERNEL);
		v->vpid = r > 0 ? r : 0;
	}
	/*
	 * SDM Vol. 3C 24.2, 24.11.3: the revision id, then VMCLEAR, which
	 * initialises the new VMCS (launch state "clear") before any VMPTRLD.
	 */
	*(u32 *)v->vmcs = c->revision_id;
	if (vmx_vmclear(__pa(v->vmcs)) != VMX_OK) {
		r = -EIO;
		goto free_vpid;
	}
	vcpu->arch = v;

	r = vmx_vcpu_load(v);
	if (r)
		goto clear;
	vmcs_init_controls(v);
	vmcs_init_host(v);
	vmcs_init_guest(v);
	r = vmx_vcpu_put(v);
	if (r)
		goto clear;
	return 0;

clear:
	/* Not current anywhere, or in doubt: forget it everywhere. */
	preempt_disable();
	vmcs_clear_remote(v);
	preempt_enable();
	vcpu->arch = NULL;

free_vpid:
	if (v->vpid)
		ida_free(&vpid_ida, v->vpid);
free_fpu:
	fpu_free_guest_fpstate(&v->fpu);
free:
	kfree(v->apic);
	free_page((unsigned long)v->msr_page);
	free_page((unsigned long)v->vmcs);
	kfree(v);
	return r;
}

void vmxlab_arch_vcpu_destroy(struct vmxlab_vcpu *vcpu)
{
	struct vmx_vcpu *v = to_vmx(vcpu);

	preempt_disable();
	vmcs_clear_remote(v);
	preempt_enable();
	if (v->vpid)
		ida_free(&vpid_ida, v->vpid);
	fpu_free_guest_fpstate(&v->fpu);
	kfree(v->apic);
	free_page((unsigned long)v->msr_page);
	free_page((unsigned long)v->vmcs);
	kfree(v);
}

int vmxlab_arch_get_regs(struct vmxlab_vcpu *vcpu, struct vmxlab_regs *r)
{
	struct vmx_vcpu *v = to_vmx(vcpu);

	r->rax = v->regs[VMX_RAX];
	r->rbx = v->regs[VMX_RBX];
	r->rcx = v->regs[VMX_RCX];
	r->rdx = v->regs[VMX_RDX];
	r->rsi = v->regs[VMX_RSI];
	r->rdi = v->regs[VMX_RDI];
	r->rbp = v->regs[VMX_RBP];
	r->r8 = v->regs[VMX_R8];
	r->r9 = v->regs[VMX_R9];
	r->r10 = v->regs[VMX_R10];
	r->r11 = v->regs[VMX_R11];
	r->r12 = v->regs[VMX_R12];
	r->r13 = v->regs[VMX_R13];
	r->r14 = v->regs[VMX_R14];
	r->r15 = v->regs[VMX_R15];
	if (vmx_vcpu_load(v))
		return -EIO;
	r->rsp = vmcs_readl(GUEST_RSP);
	r->rip = vmcs_readl(GUEST_RIP);
	r->rflags = vmcs_readl(GUEST_RFLAGS);
	return vmx_vcpu_put(v);
}

int vmxlab_arch_set_regs(struct vmxlab_vcpu *vcpu, const struct vmxlab_regs *r)
{
	struct vmx_vcpu *v = to_vmx(vcpu);

	if (vmx_vcpu_load(v))
		return -EIO;
	vmcs_writel(GUEST_RSP, r->rsp);
	vmcs_writel(GUEST_RIP, r->rip);
	/* Bit 1 is always 1, reserved bits always 0 (SDM Vol. 3A 3.4.3). */
	vmcs_writel(GUEST_RFLAGS, (r->rflags & 0x3f7fd7) | X86_EFLAGS_FIXED);
	if (vmx_vcpu_put(v))
		return -EIO;
	v->regs[VMX_RAX] = r->rax;
	v->regs[VMX_RBX] = r->rbx;
	v->regs[VMX_RCX] = r->rcx;
	v->regs[VMX_RDX] = r->rdx;
	v->regs[VMX_RSI] = r->rsi;
	v->regs[VMX_RDI] = r->rdi;
	v->regs[VMX_RBP] = r->rbp;
	v->regs[VMX_R8] = r->r8;
	v->regs[VMX_R9] = r->r9;
	v->regs[VMX_R10] = r->r10;
	v->regs[VMX_R11] = r->r11;
	v->regs[VMX_R12] = r->r12;
	v->regs[VMX_R13] = r->r13;
	v->regs[VMX_R14] = r->r14;
	v->regs[VMX_R15] = r->r15;
	/* New registers end whatever userspace was asked to complete. */
	v->pending = VMX_PENDING_NONE;
	return 0;
}

int vmxlab_arch_get_sregs(struct vmxlab_vcpu *vcpu, struct vmxlab_sregs *s)
{
	struct vmx_vcpu *v = to_vmx(vcpu);

	if (vmx_vcpu_load(v))
		return -EIO;
	get_seg(SEG_CS, &s->cs);
	get_seg(SEG_DS, &s->ds);
	get_seg(SEG_ES, &s->es);
	get_seg(SEG_FS, &s->fs);
	get_seg(SEG_GS, &s->gs);
	get_seg(SEG_SS, &s->ss);
	get_seg(SEG_TR, &s->tr);
	get_seg(SEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_readl(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read32(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_readl(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read32(GUEST_IDTR_LIMIT);
	s->cr0 = vmx_guest_cr0();
	s->cr3 = vmcs_readl(GUEST_CR3);
	s->cr4 = vmx_guest_cr4();
	s->efer = vmcs_read64(GUEST_IA32_EFER);
	if (vmx_vcpu_put(v))
		return -EIO;
	s->cr2 = v->cr2;
	s->cr8 = v->apic ? vmx_apic_cr8(v) : v->cr8;
	s->apic_base = v->apic_base;
	return 0;
}

int vmxlab_arch_set_sregs(struct vmxlab_vcpu *vcpu,
			  const struct vmxlab_sregs *s)
{
	struct vmx_vcpu *v = to_vmx(vcpu);
	u64 efer = s->efer;
	int r = 0;

	if ((s->cr4 & ~cr4_guest_allowed()) || (s->cr0 >> 32) || s->cr8 > 15 ||
	    (efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)))
		return -EINVAL;

	if (vmx_vcpu_load(v))
		return -EIO;
	set_seg(SEG_CS, &s->cs);
	set_seg(SEG_DS, &s->ds);
	set_seg(SEG_ES, &s->es);
	set_seg(SEG_FS, &s->fs);
	set_seg(SEG_GS, &s->gs);
	set_seg(SEG_SS, &s->ss);
	set_seg(SEG_TR, &s->tr);
	set_seg(SEG_LDTR, &s->ldt);
	vmcs_writel(GUEST_GDTR_BASE, s->gdt.base);
	vmcs_write32(GUEST_GDTR_LIMIT, s->gdt.limit);
	vmcs_writel(GUEST_IDTR_BASE, s->idt.base);
	vmcs_write32(GUEST_IDTR_LIMIT, s->idt.limit);
	vmcs_writel(GUEST_CR3, s->cr3);
	/* State as given: LMA comes from userspace, not from a transition. */
	vmx_set_efer(v, efer);
	vmcs_writel(CR4_READ_SHADOW, s->cr4);
	vmcs_writel(GUEST_CR4, s->cr4 | vmx_config()->cr4_fixed0);
	vmcs_writel(CR0_READ_SHADOW, s->cr0);
	vmcs_writel(GUEST_CR0, s->cr0 | cr0_forced());
	flush_guest_tlb(v);
	if (vmx_load_pdptrs(v))
		r = -EINVAL;
	if (vmx_vcpu_put(v))
		return -EIO;
	/* New state ends whatever userspace was asked to complete. */
	v->pending = VMX_PENDING_NONE;
	v->cr2 = s->cr2;
	v->cr8 = s->cr8;
	/* With an APIC: a legal state of IA32_APIC_BASE, CR8 its TPR. */
	if (vmx_apic_set_base(v, s->apic_base, true))
		r = -EINVAL;
	if (v->apic)
		vmx_apic_set_cr8(v, s->cr8);
	return r;
}

void vmxlab_arch_vcpu_stats(struct vmxlab_vcpu *vcpu,
			    struct vmxlab_vcpu_stats *st)
{
	struct vmx_vcpu *v = to_vmx(vcpu);

	memcpy(st->exits, v->exits, sizeof(st->exits));
	st->entries = v->entries;
	st->userspace_exits = v->userspace_exits;
}
