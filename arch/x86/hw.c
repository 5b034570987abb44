// SPDX-License-Identifier: GPL-2.0
/*
 * Owning VMX: probing the CPUs, VMXON and VMXOFF on every CPU, CPU hotplug,
 * reboot and suspend.
 *
 * VMX is on only while someone needs it (a VM exists, or the vmx_always_on
 * module parameter is set), so that vmxlab and other hypervisors such as
 * kvm_intel can take turns on one machine. CR4.VMXE is the flag that every
 * hypervisor on Linux checks: a CPU that has it set belongs to someone.
 *
 * Documentation/vmx-enable.rst tells the whole story; SDM Vol. 3C 23.7
 * ("Enabling and entering VMX operation") is the rulebook.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/syscore_ops.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "../../module/arch.h"
#include "caps.h"
#include "mitigations.h"
#include "vmx.h"
#include "vmx_ops.h"

static struct vmx_msrs boot_msrs;
static struct vmxlab_caps vmx_caps;
static struct vmx_config vmx_cfg;

/* SDM Vol. 3C 24.11.5: one VMXON region per logical processor. */
static DEFINE_PER_CPU(struct page *, vmxon_region);
static DEFINE_PER_CPU(bool, vmx_on);

/*
 * vmx_users counts references from vmxlab_arch_hw_get(). It and every
 * transition of a CPU's VMX state are serialised by vmx_lock. Lock order:
 * cpu_hotplug_lock, then vmx_lock.
 */
static DEFINE_MUTEX(vmx_lock);
static unsigned int vmx_users;
static bool rebooting;
static bool vmx_always_on;
static int vmx_hp_state = -1;

/* For debugfs and the tests: VMXON and VMXOFF executed since load. */
static atomic64_t vmxon_total = ATOMIC64_INIT(0);
static atomic64_t vmxoff_total = ATOMIC64_INIT(0);

/* Reads one capability MSR of this CPU, if it exists. */
static void read_cap_msr(struct vmx_msrs *m, u32 msr)
{
	u64 val;

	if (rdmsrl_safe(msr, &val))
		return;
	m->val[VMX_MSR_IDX(msr)] = val;
	m->valid |= BIT_ULL(VMX_MSR_IDX(msr));
}

/*
 * Reads this CPU's capability MSRs. SDM Vol. 3D A.1 to A.11 say when each
 * one exists; reading one that does not raises #GP on real CPUs (and KVM's
 * nested VMX) but returns 0 in Bochs, so only enumerated ones are read.
 */
static void read_cap_msrs(void *data)
{
	struct vmx_msrs *m = data;
	u32 proc1, proc2;
	u32 msr;

	memset(m, 0, sizeof(*m));
	for (msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMCS_ENUM; msr++)
		read_cap_msr(m, msr);
	if (!(m->valid & BIT_ULL(0)))
		return;
	if (m->val[VMX_MSR_IDX(MSR_IA32_VMX_BASIC)] & VMX_BASIC_TRUE_CTLS)
		for (msr = MSR_IA32_VMX_TRUE_PINBASED_CTLS;
		     msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS; msr++)
			read_cap_msr(m, msr);
	proc1 = upper_32_bits(m->val[VMX_MSR_IDX(MSR_IA32_VMX_PROCBASED_CTLS)]);
	if (proc1 & CPU_BASED_ACTIVATE_TERTIARY_CONTROLS)
		read_cap_msr(m, MSR_IA32_VMX_PROCBASED_CTLS3);
	if (!(proc1 & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		return;
	read_cap_msr(m, MSR_IA32_VMX_PROCBASED_CTLS2);
	proc2 = upper_32_bits(m->val[VMX_MSR_IDX(MSR_IA32_VMX_PROCBASED_CTLS2)]);
	if (proc2 & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		read_cap_msr(m, MSR_IA32_VMX_EPT_VPID_CAP);
	if (proc2 & SECONDARY_EXEC_ENABLE_VMFUNC)
		read_cap_msr(m, MSR_IA32_VMX_VMFUNC);
}

/*
 * A VMCS set up on one CPU may later be loaded on another (a vCPU thread
 * migrates), so all CPUs must report the same capabilities.
 */
static int check_this_cpu_caps(void)
{
	struct vmx_msrs m;
	int i;

	read_cap_msrs(&m);
	if (m.valid != boot_msrs.valid)
		return -1;
	for (i = 0; i < VMXLAB_CAP_MSR_COUNT; i++)
		if (m.val[i] != boot_msrs.val[i])
			return VMXLAB_CAP_MSR_FIRST + i;
	return 0;
}

static void check_cpu_caps_fn(void *data)
{
	int *res = data;

	*res = check_this_cpu_caps();
}

/* Why VMX could not be switched on, gathered from all CPUs, told once. */
struct vmx_on_result {
	cpumask_t busy;		/* CR4.VMXE was already set */
	cpumask_t crfixed;	/* CR0/CR4 violate the VMX fixed bits */
	cpumask_t failed;	/* VMXON failed */
	atomic_t vmxon_status;	/* enum vmx_insn_status of a failed VMXON */
};

/*
 * Switches VMX on in this CPU (SDM Vol. 3C 23.7). Called with interrupts
 * off, which makes the CR4.VMXE test-and-set atomic against any other
 * hypervisor doing the same on this CPU from its own IPI.
 */
static void vmx_on_this_cpu(struct vmx_on_result *res)
{
	int cpu = smp_processor_id();
	unsigned long cr4 = cr4_read_shadow();
	enum vmx_insn_status st;

	lockdep_assert_irqs_disabled();
	if (this_cpu_read(vmx_on))
		return;
	if (cr4 & X86_CR4_VMXE) {
		cpumask_set_cpu(cpu, &res->busy);
		return;
	}
	/* 23.8: VMXON raises #GP unless CR0 and CR4 fit the fixed bits. */
	if (!vmx_cr_fixed_ok(read_cr0(), vmx_cfg.cr0_fixed0,
			     vmx_cfg.cr0_fixed1) ||
	    !vmx_cr_fixed_ok(cr4 | X86_CR4_VMXE, vmx_cfg.cr4_fixed0,
			     vmx_cfg.cr4_fixed1)) {
		cpumask_set_cpu(cpu, &res->crfixed);
		return;
	}
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	st = vmx_vmxon(page_to_phys(this_cpu_read(vmxon_region)));
	if (st != VMX_OK) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		atomic_set(&res->vmxon_status, st);
		cpumask_set_cpu(cpu, &res->failed);
		return;
	}
	this_cpu_write(vmx_on, true);
	atomic64_inc(&vmxon_total);
}

/*
 * Switches VMX off on this CPU. Every VMCS active on this CPU is VMCLEARed
 * first, so that its data reaches memory and another CPU may load it (SDM
 * Vol. 3C 24.11.1, 31.6).
 */
static void vmx_off_this_cpu(void)
{
	enum vmx_insn_status st;

	lockdep_assert_irqs_disabled();
	if (!this_cpu_read(vmx_on))
		return;
	vmx_clear_loaded_vmcss();
	st = vmx_vmxoff();
	/*
	 * VMXOFF fails only under the dual-monitor treatment of SMM, and
	 * faults if something else already left VMX operation. Either way
	 * this CPU is no longer ours to use: clear CR4.VMXE and go on.
	 */
	if (st != VMX_OK)
		pr_warn_ratelimited("VMXOFF on CPU %d: %s\n",
				    smp_processor_id(), vmx_insn_status_name(st));
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	this_cpu_write(vmx_on, false);
	atomic64_inc(&vmxoff_total);
}

static void vmx_on_fn(void *data)
{
	vmx_on_this_cpu(data);
}

static void vmx_off_fn(void *data)
{
	vmx_off_this_cpu();
}

static int vmx_on_report(struct vmx_on_result *res)
{
	if (!cpumask_empty(&res->busy)) {
		pr_err("VMX is in use by another hypervisor on CPUs %*pbl (CR4.VMXE is set): close its VMs or unload it (for KVM: rmmod kvm_intel)\n",
		       cpumask_pr_args(&res->busy));
		return -EBUSY;
	}
	if (!cpumask_empty(&res->crfixed)) {
		pr_err("CR0/CR4 on CPUs %*pbl do not meet the VMX fixed bits (SDM Vol. 3C 23.8)\n",
		       cpumask_pr_args(&res->crfixed));
		return -EIO;
	}
	if (!cpumask_empty(&res->failed)) {
		pr_err("VMXON failed on CPUs %*pbl: %s\n",
		       cpumask_pr_args(&res->failed),
		       vmx_insn_status_name(atomic_read(&res->vmxon_status)));
		return -EIO;
	}
	return 0;
}

/* With vmx_lock and cpus_read_lock held: VMX on in every online CPU. */
static int vmx_on_all(void)
{
	struct vmx_on_result *res;
	int r;

	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	on_each_cpu(vmx_on_fn, res, 1);
	r = vmx_on_report(res);
	if (r)
		on_each_cpu(vmx_off_fn, NULL, 1);
	kfree(res);
	return r;
}

int vmxlab_arch_hw_get(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&vmx_lock);
	if (rebooting)
		r = -ESHUTDOWN;
	else if (!vmx_users)
		r = vmx_on_all();
	if (!r)
		vmx_users++;
	mutex_unlock(&vmx_lock);
	cpus_read_unlock();
	return r;
}

void vmxlab_arch_hw_put(void)
{
	cpus_read_lock();
	mutex_lock(&vmx_lock);
	if (!WARN_ON_ONCE(!vmx_users) && !--vmx_users)
		on_each_cpu(vmx_off_fn, NULL, 1);
	mutex_unlock(&vmx_lock);
	cpus_read_unlock();
}

/*
 * CPU hotplug (CPUHP_AP_ONLINE_DYN runs these on the CPU itself). A CPU
 * coming online must match the others and, while VMX is in use, enters VMX
 * operation; a CPU going offline leaves it.
 */
static int vmx_cpu_online(unsigned int cpu)
{
	struct vmx_on_result *res;
	int r;

	r = check_this_cpu_caps();
	if (r) {
		pr_err("CPU %u reports VMX capabilities (MSR %#x) unlike the boot CPU's; refusing to online it\n",
		       cpu, r);
		return -EIO;
	}
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	mutex_lock(&vmx_lock);
	if (vmx_users && !rebooting) {
		local_irq_disable();
		vmx_on_this_cpu(res);
		local_irq_enable();
		r = vmx_on_report(res);
	}
	mutex_unlock(&vmx_lock);
	kfree(res);
	return r;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	mutex_lock(&vmx_lock);
	local_irq_disable();
	vmx_off_this_cpu();
	local_irq_enable();
	mutex_unlock(&vmx_lock);
	return 0;
}

/**
 * vmx_rebooting() - the machine is going down
 *
 * Once set, VMX may be off on any CPU at any moment (vmx_reboot() switches
 * it off under running vCPUs): VMX instructions fault, which is expected,
 * and the run loop stops (KVM has the same rule, kvm_rebooting).
 *
 * Return: true after the reboot notifier ran.
 */
bool vmx_rebooting(void)
{
	return READ_ONCE(rebooting);
}

/* This CPU is in VMX operation. Preemption off. */
bool vmx_on_here(void)
{
	return this_cpu_read(vmx_on);
}

/*
 * Reboot, halt, power-off and kexec (kernel_kexec() calls the reboot
 * notifiers too): leave VMX on every CPU, because VMX operation blocks
 * INIT (SDM Vol. 3C 23.8) and the next kernel must be able to start its
 * APs. A crash does not come here: the kernel's own crash and emergency
 * paths execute VMXOFF wherever CR4.VMXE is set (cpu_emergency_vmxoff()).
 */
static int vmx_reboot(struct notifier_block *nb, unsigned long code,
		      void *unused)
{
	mutex_lock(&vmx_lock);
	WRITE_ONCE(rebooting, true);
	on_each_cpu(vmx_off_fn, NULL, 1);
	mutex_unlock(&vmx_lock);
	return NOTIFY_OK;
}

static struct notifier_block vmx_reboot_nb = {
	.notifier_call = vmx_reboot,
};

/*
 * Suspend: syscore callbacks run on the last CPU with interrupts off, after
 * the other CPUs went offline through vmx_cpu_offline(). Nothing else runs,
 * so vmx_users is read without the mutex.
 */
static int vmx_suspend(void)
{
	vmx_off_this_cpu();
	return 0;
}

static void vmx_resume(void)
{
	/* Too big for the stack with NR_CPUS=8192; only one CPU runs here. */
	static struct vmx_on_result res;

	memset(&res, 0, sizeof(res));
	if (vmx_users && !rebooting) {
		vmx_on_this_cpu(&res);
		vmx_on_report(&res);
	}
}

static struct syscore_ops vmx_syscore_ops = {
	.suspend = vmx_suspend,
	.resume = vmx_resume,
};

/*
 * Why this CPU cannot do VMX, in one line. SDM Vol. 3C 23.6: CPUID.1:ECX[5]
 * says whether VMX exists; 23.7: IA32_FEATURE_CONTROL, locked by firmware,
 * says whether it may be used outside SMX. The kernel clears X86_FEATURE_VMX
 * in the second case too, so look at both.
 */
static int vmx_probe(void)
{
	u64 feat_ctl = 0;

	if (!(cpuid_ecx(1) & BIT(X86_FEATURE_VMX & 31))) {
		pr_err("no VMX on this CPU (CPUID.1:ECX.VMX[bit 5] is 0)\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
	    !(feat_ctl & FEAT_CTL_LOCKED) ||
	    !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX) ||
	    !boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("VMX is disabled by firmware (IA32_FEATURE_CONTROL = %#llx): enable VT-x in the firmware setup\n",
		       feat_ctl);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int vmx_evaluate(void)
{
	const char *missing[VMX_MAX_MISSING];
	char *msg;
	unsigned int n, i;
	size_t len = 0;

	n = vmx_caps_evaluate(&boot_msrs, &vmx_caps, &vmx_cfg, missing);
	if (!n)
		return 0;
	msg = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	for (i = 0; i < min_t(unsigned int, n, VMX_MAX_MISSING); i++)
		len += scnprintf(msg + len, PAGE_SIZE - len, "%s%s",
				 i ? "; " : "", missing[i]);
	pr_err("this CPU lacks %u VMX feature%s vmxlab requires: %s%s\n", n,
	       n == 1 ? "" : "s", msg, n > VMX_MAX_MISSING ? "; ..." : "");
	kfree(msg);
	return -EOPNOTSUPP;
}

static int vmx_check_all_cpus(unsigned int boot_cpu)
{
	unsigned int cpu;
	int res = 0;

	for_each_online_cpu(cpu) {
		if (smp_call_function_single(cpu, check_cpu_caps_fn, &res, 1)) {
			pr_err("cannot read the VMX capabilities of CPU %u\n", cpu);
			return -EIO;
		}
		if (res) {
			pr_err("CPU %u reports VMX capabilities (MSR %#x) unlike CPU %u's\n",
			       cpu, res, boot_cpu);
			return -EIO;
		}
	}
	return 0;
}

static void vmx_free_regions(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(vmxon_region, cpu))
			__free_page(per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

/* SDM Vol. 3C 24.11.5: 4 KiB aligned, zeroed, revision id in bits 30:0. */
static int vmx_alloc_regions(void)
{
	unsigned int cpu;
	struct page *page;

	for_each_possible_cpu(cpu) {
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			vmx_free_regions();
			return -ENOMEM;
		}
		*(u32 *)page_address(page) = vmx_cfg.revision_id;
		per_cpu(vmxon_region, cpu) = page;
	}
	return 0;
}

int vmxlab_arch_init(bool always_on)
{
	unsigned int boot_cpu;
	int r;

	r = vmx_probe();
	if (r)
		return r;

	cpus_read_lock();
	boot_cpu = get_cpu();
	read_cap_msrs(&boot_msrs);
	put_cpu();
	r = vmx_evaluate();
	if (!r)
		r = vmx_check_all_cpus(boot_cpu);
	cpus_read_unlock();
	if (r)
		return r;

	r = vmx_alloc_regions();
	if (r)
		return r;
	r = vmx_vmcs_init_percpu();
	if (r)
		goto free_regions;
	r = vmx_mitigations_init();
	if (r)
		goto free_regions;
	vmx_caps.mitigations = vmx_mitigations();

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "vmxlab/vmx:online",
				      vmx_cpu_online, vmx_cpu_offline);
	if (r < 0)
		goto free_mitigations;
	vmx_hp_state = r;

	r = register_reboot_notifier(&vmx_reboot_nb);
	if (r)
		goto remove_hp;
	register_syscore_ops(&vmx_syscore_ops);

	if (always_on) {
		r = vmxlab_arch_hw_get();
		if (r)
			goto unregister;
		vmx_always_on = true;
	}
	return 0;

unregister:
	unregister_syscore_ops(&vmx_syscore_ops);
	unregister_reboot_notifier(&vmx_reboot_nb);
remove_hp:
	cpuhp_remove_state_nocalls(vmx_hp_state);
free_mitigations:
	vmx_mitigations_exit();
free_regions:
	vmx_vmcs_exit_percpu();
	vmx_free_regions();
	return r;
}

void vmxlab_arch_exit(void)
{
	if (vmx_always_on)
		vmxlab_arch_hw_put();
	WARN_ON_ONCE(vmx_users);
	unregister_syscore_ops(&vmx_syscore_ops);
	unregister_reboot_notifier(&vmx_reboot_nb);
	cpuhp_remove_state_nocalls(vmx_hp_state);
	vmx_mitigations_exit();
	vmx_vmcs_exit_percpu();
	vmx_free_regions();
}

/* The controls and fixed bits chosen at load time (caps.c). */
const struct vmx_config *vmx_config(void)
{
	return &vmx_cfg;
}

const struct vmxlab_caps *vmxlab_arch_caps(void)
{
	return &vmx_caps;
}

static int vmx_on_cpus_show(struct seq_file *m, void *unused)
{
	unsigned int cpu, n = 0;

	for_each_possible_cpu(cpu)
		n += per_cpu(vmx_on, cpu);
	seq_printf(m, "%u\n", n);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmx_on_cpus);

static int vmx_users_show(struct seq_file *m, void *unused)
{
	mutex_lock(&vmx_lock);
	seq_printf(m, "%u\n", vmx_users);
	mutex_unlock(&vmx_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmx_users);

static int vmx_total_get(void *data, u64 *val)
{
	*val = atomic64_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vmx_total_fops, vmx_total_get, NULL, "%llu\n");

static int ept_tables_get(void *data, u64 *val)
{
	*val = vmx_ept_tables();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(ept_tables_fops, ept_tables_get, NULL, "%llu\n");

void vmxlab_arch_debugfs(struct dentry *dir)
{
	debugfs_create_file("vmx_on_cpus", 0444, dir, NULL, &vmx_on_cpus_fops);
	debugfs_create_file("vmx_users", 0444, dir, NULL, &vmx_users_fops);
	debugfs_create_file_unsafe("vmxon_total", 0444, dir, &vmxon_total,
				   &vmx_total_fops);
	debugfs_create_file_unsafe("vmxoff_total", 0444, dir, &vmxoff_total,
				   &vmx_total_fops);
	/* EPT paging-structure pages of all VMs (they shrink with the slots). */
	debugfs_create_file_unsafe("ept_tables", 0444, dir, NULL,
				   &ept_tables_fops);
	/* Fault injection: the next N VMPTRLDs fail (Documentation/testing.rst). */
	debugfs_create_atomic_t("fail_vmptrld", 0600, dir, &vmx_fail_vmptrld);
	/* ... and the next N vCPUs find every VPID in use. */
	debugfs_create_atomic_t("fail_vpid", 0600, dir, &vmx_fail_vpid);
}
