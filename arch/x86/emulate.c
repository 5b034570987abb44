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

#define GWALK_ADDR	GENMASK_ULL(51, 12)

static int walk_entry(gwalk_read_t read, void *ctx, u64 gpa, unsigned int len,
		      u64 *e, bool write, u32 *pf_error)
{
	if (read(ctx, gpa, e, len))
		return -EFAULT;
	if (!(*e & 1)) {
		*pf_error = write ? GWALK_PF_WRITE : 0;
		return -ENOENT;
	}
	return 0;
}

/**
 * gwalk() - translate a guest-linear address as the guest's MMU would
 * @r: the guest's paging controls.
 * @gva: the linear address.
 * @write: the access is a write (for the page-fault error code).
 * @read: reads guest-physical memory.
 * @ctx: for @read.
 * @gpa: the result.
 * @pf_error: on -ENOENT, the page-fault error code to inject.
 *
 * Supports no paging, 32-bit paging (4 KiB and 4 MiB pages), PAE paging
 * and 4-level paging (SDM Vol. 3A 4.3 to 4.5). Checks presence only, not
 * the access rights: a guest that stores through a read-only mapping with
 * string I/O gets the store.
 *
 * Return: 0; -ENOENT for a not-present entry (a #PF for the guest);
 * -EFAULT if a paging structure is not in guest RAM.
 */
int gwalk(const struct gwalk_regs *r, u64 gva, bool write, gwalk_read_t read,
	  void *ctx, u64 *gpa, u32 *pf_error)
{
	u64 e, table;
	int level, err;

	if (!(r->cr0 & BIT(31))) {
		*gpa = (r->efer & BIT(10)) ? gva : (u32)gva;
		return 0;
	}
	if (!(r->cr4 & BIT(5))) {
		/* 32-bit paging. */
		gva = (u32)gva;
		err = walk_entry(read, ctx, (r->cr3 & 0xfffff000) + (gva >> 22) * 4,
				 4, &e, write, pf_error);
		if (err)
			return err;
		if ((e & BIT(7)) && (r->cr4 & BIT(4))) {
			*gpa = (e & 0xffc00000) | (gva & 0x3fffff);
			return 0;
		}
		err = walk_entry(read, ctx, (e & 0xfffff000) + ((gva >> 12) & 1023) * 4,
				 4, &e, write, pf_error);
		if (err)
			return err;
		*gpa = (e & 0xfffff000) | (gva & 0xfff);
		return 0;
	}
	if (r->efer & BIT(10)) {
		level = 4;
		table = r->cr3 & GWALK_ADDR;
	} else {
		gva = (u32)gva;
		e = r->pdptr[(gva >> 30) & 3];
		if (!(e & 1)) {
			*pf_error = write ? GWALK_PF_WRITE : 0;
			return -ENOENT;
		}
		level = 2;
		table = e & GWALK_ADDR;
	}
	for (; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		err = walk_entry(read, ctx, table + ((gva >> shift) & 511) * 8,
				 8, &e, write, pf_error);
		if (err)
			return err;
		if (level == 1 || ((level == 2 || level == 3) && (e & BIT(7)))) {
			u64 mask = BIT_ULL(shift) - 1;

			*gpa = (e & GWALK_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = e & GWALK_ADDR;
	}
	return -EFAULT;
}
