// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's memory by linear address, as the guest's own MMU would
 * reach it: a page walk through the guest's page tables (gwalk(),
 * emulate.c) with the rights checks and the accessed/dirty updates, then
 * the pinned slot pages. For the exits that need the guest's memory: the
 * string of a REP OUTS or INS (io.c), the instruction bytes of an MMIO
 * access (mmio.c).
 */
#include <linux/minmax.h>
#include <asm/page.h>
#include <asm/trapnr.h>

#include "../../module/arch.h"
#include "emulate.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"

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
int vmx_translate(struct vmx_vcpu *v, u64 la, u32 access, bool inject,
		  u64 *gpa)
{
	struct walk_ctx w = { v };
	struct gwalk_regs r;
	u32 pf;
	int err;

	if (vmx_guest_cpl() == 3)
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
int vmx_copy_linear(struct vmx_vcpu *v, u64 la, void *buf, size_t len,
		    u32 access, bool inject)
{
	bool write = access & GWALK_PF_WRITE;
	u64 gpa;
	int err;

	while (len) {
		size_t n = min_t(size_t, len, PAGE_SIZE - (la & ~PAGE_MASK));

		err = vmx_translate(v, la, access, inject, &gpa);
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
