// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction decoding and guest page walks (see emulate.h).
 *
 * An EPT violation on an address no memory backs tells vmxlab the address
 * but not the data: for a store it must find the source operand, for a load
 * the destination. Like KVM, it decodes the instruction; unlike KVM it
 * knows only the MOV forms compilers emit for device registers (SDM Vol. 2
 * "MOV", "MOVZX"). Anything else ends the run with an emulation error that
 * names the exit, rather than guessing.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/pgtable_types.h>
#include <asm/processor-flags.h>

#include "emulate.h"

/* Bytes of ModRM displacement (and SIB), given the address size. */
static int modrm_extra(const u8 *p, unsigned int n, unsigned int asize,
		       unsigned int *extra)
{
	u8 modrm = p[0], mod = modrm >> 6, rm = modrm & 7;

	if (mod == 3)
		return -EINVAL;	/* a register operand: no memory access */
	if (asize == 2) {
		/* 16-bit addressing, SDM Vol. 2A table 2-1. */
		*extra = mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
		return 0;
	}
	/* 32/64-bit addressing, SDM Vol. 2A tables 2-2 and 2-3. */
	*extra = 0;
	if (rm == 4) {
		if (n < 2)
			return -EINVAL;
		*extra = 1;
		if (mod == 0 && (p[1] & 7) == 5)
			*extra += 4;
	}
	if (mod == 1)
		*extra += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		*extra += 4;
	return 0;
}

/**
 * mmio_decode() - decode the MOV at the start of @code
 * @code: instruction bytes.
 * @n: how many (at most 15 matter).
 * @mode: 2, 4 or 8: 16-bit, 32-bit or 64-bit code (default operand size
 *        2, 4, 4 and address size 2, 4, 8).
 * @insn: the result.
 *
 * Return: 0, or -EINVAL for an instruction outside the supported set
 * (88, 89, 8A, 8B, A0-A3, C6 /0, C7 /0, 0F B6, 0F B7 with prefixes 66, 67,
 * segment overrides and REX).
 */
int mmio_decode(const u8 *code, unsigned int n, unsigned int mode,
		struct mmio_insn *insn)
{
	unsigned int i = 0, osize, asize = mode, extra, imm_size = 0;
	bool opsize = false, rex_w = false, rex = false;
	u8 rex_r = 0, op;

	memset(insn, 0, sizeof(*insn));
	n = min(n, 15U);
	for (; i < n; i++) {
		u8 b = code[i];

		if (b == 0x66)
			opsize = true;
		else if (b == 0x67)
			asize = mode == 8 ? 4 : 6 - mode;
		else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
			 b == 0x64 || b == 0x65)
			continue;
		else
			break;
	}
	if (mode == 8 && i < n && (code[i] & 0xf0) == 0x40) {
		rex = true;
		rex_w = code[i] & 8;
		rex_r = (code[i] & 4) << 1;
		i++;
	}
	if (i >= n)
		return -EINVAL;
	osize = rex_w ? 8 : (mode == 2) != opsize ? 2 : 4;
	op = code[i++];

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		insn->write = op < 0x8a;
		insn->size = (op & 1) ? osize : 1;
		break;
	case 0xc6: case 0xc7:
		insn->write = true;
		insn->has_imm = true;
		insn->size = op == 0xc6 ? 1 : osize;
		imm_size = min(insn->size, 4U);
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* MOV AL/AX/EAX/RAX <-> moffs: no ModRM, an address-size offset. */
		insn->write = op >= 0xa2;
		insn->size = (op & 1) ? osize : 1;
		insn->reg = 0;
		insn->dst_size = insn->size;
		if (i + asize > n)
			return -EINVAL;
		insn->len = i + asize;
		return 0;
	case 0x0f:
		if (i >= n || (code[i] != 0xb6 && code[i] != 0xb7))
			return -EINVAL;
		insn->size = code[i] == 0xb6 ? 1 : 2;
		i++;
		break;
	default:
		return -EINVAL;
	}
	if (i >= n)
		return -EINVAL;
	if ((op == 0xc6 || op == 0xc7) && ((code[i] >> 3) & 7))
		return -EINVAL;	/* only /0 is MOV */
	if (modrm_extra(code + i, n - i, asize, &extra))
		return -EINVAL;
	insn->reg = ((code[i] >> 3) & 7) | rex_r;
	insn->dst_size = op == 0x0f ? osize : insn->size;
	insn->high_byte = insn->size == 1 && op != 0x0f && !rex &&
			  insn->reg >= 4 && !insn->has_imm;
	if (insn->high_byte)
		insn->reg -= 4;
	i += 1 + extra;
	/* The displacement must be among the bytes fetched (KUnit fuzz). */
	if (i > n)
		return -EINVAL;
	if (imm_size) {
		u64 imm = 0;
		unsigned int k;

		if (i + imm_size > n)
			return -EINVAL;
		for (k = 0; k < imm_size; k++)
			imm |= (u64)code[i + k] << (8 * k);
		/* A 32-bit immediate of a 64-bit store is sign-extended. */
		if (insn->size == 8)
			imm = (u64)(s64)(s32)imm;
		insn->imm = imm;
		i += imm_size;
	}
	insn->len = i;
	return 0;
}

/*
 * Guest page walks: the guest's MMU in software (SDM Vol. 3A chapter 4),
 * for the accesses vmxlab makes on the guest's behalf. Names the kernel
 * gives (X86_CR0_PG, _PAGE_RW, EFER_NX...) are those of the hardware and
 * serve here for the guest's registers and entries; the fields the kernel
 * does not name follow, with the SDM table that defines them (M is
 * MAXPHYADDR).
 */

/* PAE and 4-level: address bits (M-1):12 of entries and CR3, M <= 52. */
#define GWALK_ADDR		GENMASK_ULL(51, 12)
/* 32-bit paging: bits 31:12 of CR3, PDEs and PTEs (tables 4-3, 4-5, 4-6). */
#define GWALK_ADDR32		GENMASK_ULL(31, 12)
/* 32-bit PDE mapping a 4 MiB page (table 4-4, with PSE-36, M <= 40). */
#define GWALK_4M_ADDR		GENMASK_ULL(31, 22)	/* address bits 31:22 */
#define GWALK_4M_HIGH		GENMASK_ULL(20, 13)	/* address bits 39:32 */
#define GWALK_4M_HIGH_SHIFT	19			/* bit 13 to bit 32 */
#define GWALK_4M_RSVD		BIT_ULL(21)
/* PAE PDEs and PTEs: bits 62:M reserved, with M <= 52 (tables 4-9 to 4-11). */
#define GWALK_PAE_RSVD		GENMASK_ULL(62, 52)
/*
 * Leaves of PAE and 4-level paging: a PDE mapping a 2-MByte page (table 4-9;
 * 4.5, its 4-level twin) and a PDPTE mapping a 1-GByte page (4.5).
 */
#define GWALK_2M_RSVD		GENMASK_ULL(20, 13)
#define GWALK_1G_RSVD		GENMASK_ULL(29, 13)

/* Walks made when the guest keeps changing an entry under the A/D update. */
#define GWALK_TRIES		4

enum gwalk_mode { GWALK_32BIT, GWALK_PAE, GWALK_4LEVEL };

/* The entries one walk used, the leaf last: for the A/D flags (4.8). */
struct gwalk_path {
	u64 gpa[4];
	u64 val[4];
	unsigned int n;
	unsigned int len;	/* bytes per entry: 4 or 8 */
};

/*
 * The reserved bits set in the present entry @e at @level (4: PML4E ... 1:
 * PTE), which make a #PF with RSVD (SDM Vol. 3A 4.7). Checked: XD without
 * EFER.NXE, PS in a PML4E, bits 20:13 (2 MiB) and 29:13 (1 GiB) of PAE and
 * 4-level leaves, bits 62:52 of PAE entries, bit 21 of a 4 MiB PDE. Not
 * checked, the walker not knowing the CPU's MAXPHYADDR and so taking the
 * largest (52; 40 for 4 MiB pages): bits 51:M of PAE and 4-level entries
 * and bits 20:(M-19) of a 4 MiB PDE; nor PS in a 4-level PDPTE on a CPU
 * without 1 GiB pages, nor PAE PDPTEs (checked when loaded).
 */
static u64 gwalk_rsvd(const struct gwalk_regs *r, enum gwalk_mode mode,
		      unsigned int level, u64 e)
{
	u64 rsvd = 0;

	if (mode == GWALK_32BIT) {
		if (level == 2 && (e & _PAGE_PSE) && (r->cr4 & X86_CR4_PSE))
			rsvd = GWALK_4M_RSVD;
		return e & rsvd;
	}
	if (!(r->efer & EFER_NX))
		rsvd |= _PAGE_NX;
	if (mode == GWALK_PAE)
		rsvd |= GWALK_PAE_RSVD;
	if (level == 4)
		rsvd |= _PAGE_PSE;
	else if (level == 3 && (e & _PAGE_PSE))
		rsvd |= GWALK_1G_RSVD;
	else if (level == 2 && (e & _PAGE_PSE))
		rsvd |= GWALK_2M_RSVD;
	return e & rsvd;
}

/*
 * Access rights (SDM Vol. 3A 4.6.1): @rights holds R/W and U/S ANDed over
 * the entries used, @xd their XD ORed (0 unless EFER.NXE with PAE or
 * 4-level paging). Every supervisor data access counts as explicit, so
 * RFLAGS.AC lets it through SMAP: vmxlab makes none of the implicit ones
 * (descriptor tables and the like), which SMAP blocks whatever AC says.
 */
static bool gwalk_allowed(const struct gwalk_regs *r, u32 access, u64 rights,
			  u64 xd)
{
	bool user_page = rights & _PAGE_USER;

	if (access & GWALK_PF_USER) {
		if (!user_page)
			return false;
	} else if (user_page && (access & GWALK_PF_FETCH)) {
		if (r->cr4 & X86_CR4_SMEP)
			return false;
	} else if (user_page) {
		if ((r->cr4 & X86_CR4_SMAP) && !(r->rflags & X86_EFLAGS_AC))
			return false;
	}
	/* Supervisor writes ignore R/W unless CR0.WP = 1. */
	if ((access & GWALK_PF_WRITE) && !(rights & _PAGE_RW) &&
	    ((access & GWALK_PF_USER) || (r->cr0 & X86_CR0_WP)))
		return false;
	return !((access & GWALK_PF_FETCH) && xd);
}

/*
 * The error code of a #PF (SDM Vol. 3A 4.7): P or P|RSVD in @why, W and U/S
 * from the access, I/D for a fetch only with CR4.SMEP or with EFER.NXE and
 * PAE or 4-level paging.
 */
static int gwalk_fault(const struct gwalk_regs *r, u32 access, u32 why,
		       u32 *pf_error)
{
	u32 pf = why | (access & (GWALK_PF_WRITE | GWALK_PF_USER));

	if ((access & GWALK_PF_FETCH) &&
	    ((r->cr4 & X86_CR4_SMEP) ||
	     ((r->cr4 & X86_CR4_PAE) && (r->efer & EFER_NX))))
		pf |= GWALK_PF_FETCH;
	*pf_error = pf;
	return -ENOENT;
}

/*
 * One walk, without touching the guest's memory: 32-bit paging (SDM Vol. 3A
 * 4.3), PAE paging from the PDPTEs in @r (4.4) or 4-level paging (4.5),
 * then the access rights (4.6). Fills @p with the entries used.
 */
static int gwalk_once(const struct gwalk_regs *r, u64 gva, u32 access,
		      const struct gwalk_ops *ops, void *ctx,
		      struct gwalk_path *p, u64 *gpa, u32 *pf_error)
{
	u64 rights = _PAGE_RW | _PAGE_USER, xd = 0, table, addr, e, mask;
	bool nx = (r->cr4 & X86_CR4_PAE) && (r->efer & EFER_NX);
	unsigned int level, bits, shift;
	enum gwalk_mode mode;

	p->n = 0;
	if (!(r->cr4 & X86_CR4_PAE)) {
		mode = GWALK_32BIT;
		gva = (u32)gva;
		level = 2;
		bits = 10;
		p->len = 4;
		addr = GWALK_ADDR32;
		table = r->cr3 & addr;
	} else if (r->efer & EFER_LMA) {
		/* Bits 63:48 are the caller's: not canonical is a #GP. */
		mode = GWALK_4LEVEL;
		level = 4;
		bits = 9;
		p->len = 8;
		addr = GWALK_ADDR;
		table = r->cr3 & addr;
	} else {
		/* PDPTEs have no R/W, U/S, A nor XD (table 4-8). */
		mode = GWALK_PAE;
		gva = (u32)gva;
		e = r->pdptr[gva >> 30];
		if (!(e & _PAGE_PRESENT))
			return gwalk_fault(r, access, 0, pf_error);
		level = 2;
		bits = 9;
		p->len = 8;
		addr = GWALK_ADDR;
		table = e & addr;
	}
	for (;; level--) {
		u64 egpa;

		shift = 12 + bits * (level - 1);
		egpa = table + ((gva >> shift) & (BIT(bits) - 1)) * p->len;
		if (ops->read(ctx, egpa, &e, p->len))
			return -EFAULT;
		if (p->len == 4)
			e = (u32)e;
		if (!(e & _PAGE_PRESENT))
			return gwalk_fault(r, access, 0, pf_error);
		if (gwalk_rsvd(r, mode, level, e))
			return gwalk_fault(r, access,
					   GWALK_PF_PRESENT | GWALK_PF_RSVD,
					   pf_error);
		p->gpa[p->n] = egpa;
		p->val[p->n++] = e;
		rights &= e;
		if (nx)
			xd |= e & _PAGE_NX;
		/* PS maps a page; 32-bit paging only with CR4.PSE (table 4-5). */
		if (level == 1 ||
		    ((e & _PAGE_PSE) &&
		     (mode != GWALK_32BIT || (r->cr4 & X86_CR4_PSE))))
			break;
		table = e & addr;
	}
	if (!gwalk_allowed(r, access, rights, xd))
		return gwalk_fault(r, access, GWALK_PF_PRESENT, pf_error);
	if (mode == GWALK_32BIT && level == 2) {
		*gpa = (e & GWALK_4M_ADDR) |
		       ((e & GWALK_4M_HIGH) << GWALK_4M_HIGH_SHIFT) |
		       (gva & GENMASK_ULL(21, 0));
		return 0;
	}
	mask = BIT_ULL(shift) - 1;
	*gpa = (e & addr & ~mask) | (gva & mask);
	return 0;
}

/*
 * Sets A in every entry @p holds and, for a write, D in the leaf (SDM Vol.
 * 3A 4.8), where not yet set: 0, -EAGAIN if the guest changed an entry
 * since the walk read it, -EFAULT.
 */
static int gwalk_set_ad(const struct gwalk_ops *ops, void *ctx,
			const struct gwalk_path *p, bool write)
{
	unsigned int i;
	int err;

	for (i = 0; i < p->n; i++) {
		u64 want = p->val[i] | _PAGE_ACCESSED;

		if (write && i == p->n - 1)
			want |= _PAGE_DIRTY;
		if (want == p->val[i])
			continue;
		/* Not ops->cmpxchg(): <linux/atomic.h> has a cmpxchg() macro. */
		err = (*ops->cmpxchg)(ctx, p->gpa[i], p->val[i], want, p->len);
		if (err)
			return err == -EAGAIN ? -EAGAIN : -EFAULT;
	}
	return 0;
}

/**
 * gwalk() - translate a guest-linear address as the guest's MMU would
 * @r: the guest's paging controls.
 * @gva: the linear address.
 * @access: GWALK_PF_WRITE for a write, GWALK_PF_USER for a user-mode access
 *          (CPL 3), GWALK_PF_FETCH for an instruction fetch; 0 for a
 *          supervisor-mode data read.
 * @ops: reads and updates guest-physical memory.
 * @ctx: for @ops.
 * @gpa: the result.
 * @pf_error: on -ENOENT, the page-fault error code to inject.
 *
 * Without paging (CR0.PG = 0) the address is the linear one, cut to 32
 * bits outside IA-32e mode, whatever the access. Otherwise it walks 32-bit
 * paging (4 KiB pages, 4 MiB ones with CR4.PSE), PAE paging or 4-level
 * paging (SDM Vol. 3A 4.3 to 4.5; 2 MiB and 1 GiB pages) and checks the
 * access rights of 4.6: R/W and U/S of every level, with CR0.WP; XD with
 * EFER.NXE; CR4.SMEP; CR4.SMAP with RFLAGS.AC (taking every access as
 * explicit). A not-present entry, a reserved bit or a violation makes a
 * #PF with the error code of 4.7 (see gwalk_rsvd() for which reserved
 * bits are checked). A translation that succeeds sets the accessed flags of
 * the entries used, and the dirty flag of the leaf for a write, as 4.8
 * has the processor do; one that faults writes nothing. When an entry
 * changes under that update (@ops->cmpxchg says -EAGAIN), the walk starts
 * over, up to GWALK_TRIES times in all (the A flags set by a try stay, as
 * they would on hardware, even if the next one faults); a guest that
 * rewrites its tables faster than that gets -EFAULT, as if they were not
 * in RAM.
 *
 * Not modelled: 5-level paging, protection keys and shadow stacks (vmxlab
 * keeps CR4.LA57, PKE and CET from the guest), the canonical check of
 * 4-level paging (a #GP, the caller's), and the TLBs: every call walks
 * the tables as they are in memory.
 *
 * Return: 0; -ENOENT for a #PF the guest must get; -EFAULT if a paging
 * structure is not in guest RAM, @ops->cmpxchg says -EFAULT or the tables
 * kept changing.
 */
int gwalk(const struct gwalk_regs *r, u64 gva, u32 access,
	  const struct gwalk_ops *ops, void *ctx, u64 *gpa, u32 *pf_error)
{
	struct gwalk_path p;
	int tries, err = -EFAULT;
	u64 pa;

	if (!(r->cr0 & X86_CR0_PG)) {
		*gpa = (r->efer & EFER_LMA) ? gva : (u32)gva;
		return 0;
	}
	for (tries = 0; tries < GWALK_TRIES; tries++) {
		err = gwalk_once(r, gva, access, ops, ctx, &p, &pa, pf_error);
		if (err)
			return err;
		err = gwalk_set_ad(ops, ctx, &p, access & GWALK_PF_WRITE);
		if (err != -EAGAIN)
			break;
	}
	if (err)
		return -EFAULT;
	*gpa = pa;
	return 0;
}
