/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little instruction emulation vmxlab needs, as pure functions that
 * KUnit can test anywhere: decoding the MOV that caused an MMIO exit, and
 * walking the guest's own page tables (guest-linear to guest-physical) for
 * string I/O and instruction fetch.
 */
#ifndef VMXLAB_ARCH_X86_EMULATE_H
#define VMXLAB_ARCH_X86_EMULATE_H

#include <linux/types.h>

/**
 * struct mmio_insn - a decoded memory-access instruction
 * @len: instruction length in bytes.
 * @write: a store to memory (else a load from memory).
 * @size: bytes accessed in memory: 1, 2, 4 or 8.
 * @reg: the register operand (source of a store, destination of a load).
 * @high_byte: @reg is AH, CH, DH or BH (8-bit operand, no REX prefix).
 * @has_imm: a store of @imm rather than of @reg.
 * @imm: the immediate, already sign-extended to @size.
 * @dst_size: bytes written to @reg by a load; larger than @size for MOVZX.
 */
struct mmio_insn {
	u8 len;
	bool write;
	u8 size;
	u8 reg;
	bool high_byte;
	bool has_imm;
	u64 imm;
	u8 dst_size;
};

int mmio_decode(const u8 *code, unsigned int n, unsigned int mode,
		struct mmio_insn *insn);

/**
 * struct gwalk_regs - the guest's paging controls
 * @cr0: CR0 (PG).
 * @cr3: CR3.
 * @cr4: CR4 (PAE, PSE).
 * @efer: IA32_EFER (LMA).
 * @pdptr: the PDPTEs of PAE paging (VMCS fields).
 */
struct gwalk_regs {
	u64 cr0, cr3, cr4, efer;
	u64 pdptr[4];
};

/* Reads the guest-physical 8 (or 4) bytes at @gpa; 0 or -EFAULT. */
typedef int (*gwalk_read_t)(void *ctx, u64 gpa, u64 *val, unsigned int len);

/* Page-fault error code bits (SDM Vol. 3A 4.7) gwalk() reports. */
#define GWALK_PF_PRESENT	BIT(0)
#define GWALK_PF_WRITE		BIT(1)

int gwalk(const struct gwalk_regs *r, u64 gva, bool write, gwalk_read_t read,
	  void *ctx, u64 *gpa, u32 *pf_error);

#endif /* VMXLAB_ARCH_X86_EMULATE_H */
