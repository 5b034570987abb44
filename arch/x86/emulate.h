/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little instruction emulation vmxlab needs, as pure functions that
 * KUnit can test anywhere: decoding the MOV that caused an MMIO exit, and
 * walking the guest's own page tables (guest-linear to guest-physical) for
 * string I/O and instruction fetch.
 */
#ifndef VMXLAB_ARCH_X86_EMULATE_H
#define VMXLAB_ARCH_X86_EMULATE_H

#include <linux/bits.h>
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

/* Page-fault error code bits (SDM Vol. 3A 4.7); the access kinds too. */
#define GWALK_PF_PRESENT	BIT(0)	/* a protection violation, not absent */
#define GWALK_PF_WRITE		BIT(1)
#define GWALK_PF_USER		BIT(2)
#define GWALK_PF_RSVD		BIT(3)
#define GWALK_PF_FETCH		BIT(4)

/**
 * struct gwalk_regs - the guest's paging controls
 * @cr0: CR0 (PG, WP).
 * @cr3: CR3 (the first paging structure; unused by PAE paging).
 * @cr4: CR4 (PSE, PAE, SMEP, SMAP).
 * @efer: IA32_EFER (LMA, NXE).
 * @rflags: RFLAGS (AC, which lets supervisor data accesses through SMAP).
 * @pdptr: the PDPTEs of PAE paging (VMCS fields).
 */
struct gwalk_regs {
	u64 cr0, cr3, cr4, efer, rflags;
	u64 pdptr[4];
};

/**
 * struct gwalk_ops - the guest-physical memory gwalk() reads and updates
 * @read: reads the guest-physical 8 (or 4) bytes at @gpa into @val (for 4,
 *        its upper half is ignored): 0 or -EFAULT.
 * @cmpxchg: replaces @old by @new at @gpa (8 or 4 bytes) atomically: 0,
 *           -EAGAIN if the entry no longer holds @old, -EFAULT if not RAM.
 *
 * Both get the @ctx passed to gwalk(); @len is 4 for the entries of 32-bit
 * paging, 8 otherwise. @cmpxchg sets the accessed and dirty flags.
 */
struct gwalk_ops {
	int (*read)(void *ctx, u64 gpa, u64 *val, unsigned int len);
	int (*cmpxchg)(void *ctx, u64 gpa, u64 old, u64 new, unsigned int len);
};

int gwalk(const struct gwalk_regs *r, u64 gva, u32 access,
	  const struct gwalk_ops *ops, void *ctx, u64 *gpa, u32 *pf_error);

#endif /* VMXLAB_ARCH_X86_EMULATE_H */
