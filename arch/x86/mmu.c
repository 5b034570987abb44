// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's guest-physical memory: EPT mappings of the pinned slot pages.
 *
 * Mappings are added with no INVEPT (filling a not-present entry needs
 * none, SDM Vol. 3C 28.3.3.1); removing one requires an INVEPT on every
 * CPU that may cache it before the page can be reused (28.3.3.4), so
 * vmxlab_arch_unmap() invalidates on all CPUs before it returns.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "../../module/arch.h"
#include "vmx.h"
#include "vmx_ops.h"

/* EPT paging-structure pages of all VMs, for debugfs (ept_tables). */
static atomic_long_t ept_tables = ATOMIC_LONG_INIT(0);

long vmx_ept_tables(void)
{
	return atomic_long_read(&ept_tables);
}

/* Accounts the change in @vm's table count since @before. */
static void ept_count(struct vmx_vm *vm, unsigned long before)
{
	atomic_long_add((long)vm->ept.nr_tables - (long)before, &ept_tables);
}

int vmxlab_arch_vm_init(struct vmxlab_vm *core)
{
	struct vmx_vm *vm;
	int r;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	r = ept_init(&vm->ept);
	if (r) {
		kfree(vm);
		return r;
	}
	ept_count(vm, 0);
	/* A/D flags are not used: nothing in vmxlab reads them. */
	vm->eptp = ept_pointer(&vm->ept, false);
	core->arch = vm;
	return 0;
}

void vmxlab_arch_vm_destroy(struct vmxlab_vm *core)
{
	struct vmx_vm *vm = core->arch;
	unsigned long before = vm->ept.nr_tables;

	ept_destroy(&vm->ept);
	ept_count(vm, before);
	kfree(vm);
}

/* Largest run of physically contiguous pages starting at @pages[0]. */
static unsigned long contiguous(struct page **pages, unsigned long n)
{
	unsigned long i;

	for (i = 1; i < n; i++)
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[0]) + i)
			break;
	return i;
}

int vmxlab_arch_map(struct vmxlab_vm *core, u64 gpa, struct page **pages,
		    unsigned long npages, bool writable)
{
	const struct vmx_config *c = vmx_config();
	struct vmx_vm *vm = core->arch;
	u64 prot = writable ? EPT_RWX : (EPT_R | EPT_X);
	unsigned int flags = (c->features & VMXLAB_FEAT_EPT_2M_PAGES) ?
			     EPT_MAP_ALLOW_2M : 0;
	unsigned long done = 0, n, before = vm->ept.nr_tables;
	int r = 0;

	/*
	 * Each physically contiguous run is one ept_map() call, which uses
	 * 2 MiB leaves where guest and host addresses are both aligned.
	 */
	while (done < npages) {
		n = contiguous(pages + done, npages - done);
		r = ept_map(&vm->ept, gpa + (done << PAGE_SHIFT),
			    page_to_phys(pages[done]), (u64)n << PAGE_SHIFT,
			    prot, flags);
		if (r)
			break;
		done += n;
	}
	ept_count(vm, before);
	/* ept_map() rolled its own part back; undo the earlier runs. */
	if (r)
		vmxlab_arch_unmap(core, gpa, done << PAGE_SHIFT);
	return r;
}

static void invept_fn(void *data)
{
	const struct vmx_config *c = vmx_config();
	u64 eptp = *(u64 *)data;
	enum vmx_insn_status st;

	if (!(c->ept_vpid_cap & VMX_EPT_INVEPT_BIT))
		return;
	if (c->ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT)
		st = vmx_invept(VMX_EPT_EXTENT_CONTEXT, eptp);
	else
		st = vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (st != VMX_OK)
		pr_err_ratelimited("INVEPT on CPU %d: %s\n", smp_processor_id(),
				   vmx_insn_status_name(st));
}

void vmxlab_arch_unmap(struct vmxlab_vm *core, u64 gpa, u64 size)
{
	struct vmx_vm *vm = core->arch;
	unsigned long before = vm->ept.nr_tables;

	/* Holes are fine, and a failed split unmaps more, never less. */
	if (size)
		ept_unmap(&vm->ept, gpa, size);
	/*
	 * Every CPU may hold translations of this EPT, and cached entries of
	 * the tables ept_unmap() unlinked (28.3.1): only now may they go.
	 */
	on_each_cpu(invept_fn, &vm->eptp, 1);
	ept_free_detached(&vm->ept);
	ept_count(vm, before);
}
