// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for arch/x86/emulate.c: MMIO instructions as GNU as encodes
 * them, with what the decoder must find (SDM Vol. 2 "MOV", "MOVZX"), and
 * guest page walks over small hand-built page tables: translation, access
 * rights, error codes and the accessed and dirty flags (SDM Vol. 3A 4.3 to
 * 4.8).
 */
#include <kunit/test.h>

#include "../../arch/x86/emulate.c"

struct decode_case {
	const char *desc;
	u8 code[15];
	unsigned int n, mode;
	int err;
	struct mmio_insn want;
};

static const struct decode_case decode_cases[] = {
	/* mov %eax,(%rbx) in 64-bit code: store, 4 bytes, reg 0. */
	{ "store32", { 0x89, 0x03 }, 2, 8, 0,
	  { .len = 2, .write = true, .size = 4, .reg = 0, .dst_size = 4 } },
	/* mov %rcx,0x10(%rdx): REX.W, disp8. */
	{ "store64-disp8", { 0x48, 0x89, 0x4a, 0x10 }, 4, 8, 0,
	  { .len = 4, .write = true, .size = 8, .reg = 1, .dst_size = 8 } },
	/* mov (%rsi),%r9d: REX.R selects r9. */
	{ "load-r9d", { 0x44, 0x8b, 0x0e }, 3, 8, 0,
	  { .len = 3, .size = 4, .reg = 9, .dst_size = 4 } },
	/* mov 0xd0000000,%ah in 32-bit code: high byte, disp32. */
	{ "load-ah-disp32", { 0x8a, 0x25, 0x00, 0x00, 0x00, 0xd0 }, 6, 4, 0,
	  { .len = 6, .size = 1, .reg = 0, .high_byte = true, .dst_size = 1 } },
	/* mov %sil,(%rax) with a REX prefix is SIL, not DH. */
	{ "store-sil", { 0x40, 0x88, 0x30 }, 3, 8, 0,
	  { .len = 3, .write = true, .size = 1, .reg = 6, .dst_size = 1 } },
	/* movw $0x1234,(%eax) in 32-bit code: 66 prefix, imm16. */
	{ "store-imm16", { 0x66, 0xc7, 0x00, 0x34, 0x12 }, 5, 4, 0,
	  { .len = 5, .write = true, .size = 2, .has_imm = true, .imm = 0x1234,
	    .dst_size = 2 } },
	/* movq $-1,(%rax): imm32 sign-extended to 64 bits. */
	{ "store-imm32-sext", { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff }, 7, 8, 0,
	  { .len = 7, .write = true, .size = 8, .has_imm = true, .imm = ~0ULL,
	    .dst_size = 8 } },
	/* movzbl (%rbx),%eax: 1 byte read, 4 bytes written. */
	{ "movzx-byte", { 0x0f, 0xb6, 0x03 }, 3, 8, 0,
	  { .len = 3, .size = 1, .reg = 0, .dst_size = 4 } },
	/* movzwl (%ebx),%ecx in 32-bit code. */
	{ "movzx-word", { 0x0f, 0xb7, 0x0b }, 3, 4, 0,
	  { .len = 3, .size = 2, .reg = 1, .dst_size = 4 } },
	/* mov (%rsp,%rax,4),%edx: SIB byte. */
	{ "sib", { 0x8b, 0x14, 0x84 }, 3, 8, 0,
	  { .len = 3, .size = 4, .reg = 2, .dst_size = 4 } },
	/* mov 0x12345678(,%rax,1),%ebx: SIB with no base, disp32. */
	{ "sib-nobase", { 0x8b, 0x1c, 0x05, 0x78, 0x56, 0x34, 0x12 }, 7, 8, 0,
	  { .len = 7, .size = 4, .reg = 3, .dst_size = 4 } },
	/* mov %es:(%di),%al in 16-bit code: segment prefix, 16-bit ModRM. */
	{ "real-mode-es", { 0x26, 0x8a, 0x05 }, 3, 2, 0,
	  { .len = 3, .size = 1, .reg = 0, .dst_size = 1 } },
	/* mov 0x1234,%ax in 16-bit code: ModRM rm=6 mod=0 is disp16. */
	{ "real-mode-disp16", { 0x8b, 0x06, 0x34, 0x12 }, 4, 2, 0,
	  { .len = 4, .size = 2, .reg = 0, .dst_size = 2 } },
	/* mov 0xd0000000,%eax via moffs (A1) in 32-bit code. */
	{ "moffs-load", { 0xa1, 0x00, 0x00, 0x00, 0xd0 }, 5, 4, 0,
	  { .len = 5, .size = 4, .reg = 0, .dst_size = 4 } },
	/* movabs %al,0xd0000000 (A2) in 64-bit code: 8-byte offset. */
	{ "moffs-store64", { 0xa2, 0, 0, 0, 0xd0, 0, 0, 0, 0 }, 9, 8, 0,
	  { .len = 9, .write = true, .size = 1, .reg = 0, .dst_size = 1 } },
	/* add %eax,(%rbx) is not a MOV: refused. */
	{ "not-mov", { 0x01, 0x03 }, 2, 8, -EINVAL },
	/* mov %eax,%ebx has no memory operand: refused. */
	{ "register-only", { 0x89, 0xc3 }, 2, 8, -EINVAL },
	/* C7 /1 is not MOV. */
	{ "c7-not-slash0", { 0xc7, 0x08, 1, 0, 0, 0 }, 6, 8, -EINVAL },
	/* The immediate is cut off by the end of readable memory. */
	{ "truncated", { 0xc7, 0x00, 0x01 }, 3, 8, -EINVAL },
};

static void decode_case_desc(const struct decode_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decode, decode_cases, decode_case_desc);

static void mmio_decode_test(struct kunit *test)
{
	const struct decode_case *c = test->param_value;
	struct mmio_insn insn;
	int err = mmio_decode(c->code, c->n, c->mode, &insn);

	KUNIT_ASSERT_EQ(test, err, c->err);
	if (err)
		return;
	KUNIT_EXPECT_EQ(test, insn.len, c->want.len);
	KUNIT_EXPECT_EQ(test, insn.write, c->want.write);
	KUNIT_EXPECT_EQ(test, insn.size, c->want.size);
	KUNIT_EXPECT_EQ(test, insn.reg, c->want.reg);
	KUNIT_EXPECT_EQ(test, insn.high_byte, c->want.high_byte);
	KUNIT_EXPECT_EQ(test, insn.has_imm, c->want.has_imm);
	KUNIT_EXPECT_EQ(test, insn.imm, c->want.imm);
	KUNIT_EXPECT_EQ(test, insn.dst_size, c->want.dst_size);
}

/*
 * A toy guest-physical memory of 64 KiB for the page walks, which can play
 * the guest: race_xor is XORed into the entry at race_gpa just before the
 * next @races cmpxchg calls there, as if the guest wrote it between the
 * walk's read and its update; a cmpxchg at rom_gpa fails with -EFAULT.
 */
struct toy_mem {
	u8 bytes[0x10000];
	u64 race_gpa, race_xor;
	unsigned int races;
	u64 rom_gpa;
	unsigned int ncas;	/* cmpxchg calls */
};

static int toy_read(void *ctx, u64 gpa, u64 *val, unsigned int len)
{
	struct toy_mem *m = ctx;

	*val = 0;
	if (gpa + len > sizeof(m->bytes))
		return -EFAULT;
	memcpy(val, m->bytes + gpa, len);
	return 0;
}

static int toy_cmpxchg(void *ctx, u64 gpa, u64 old, u64 new, unsigned int len)
{
	struct toy_mem *m = ctx;
	u64 cur = 0;

	m->ncas++;
	if (gpa + len > sizeof(m->bytes) || (m->rom_gpa && gpa == m->rom_gpa))
		return -EFAULT;
	memcpy(&cur, m->bytes + gpa, len);
	if (m->races && gpa == m->race_gpa) {
		m->races--;
		cur ^= m->race_xor;
		memcpy(m->bytes + gpa, &cur, len);
	}
	if (cur != old)
		return -EAGAIN;
	memcpy(m->bytes + gpa, &new, len);
	return 0;
}

static const struct gwalk_ops toy_ops = {
	.read = toy_read,
	.cmpxchg = toy_cmpxchg,
};

/* Entry bits (SDM Vol. 3A 4.3 to 4.5) and the access and error code bits. */
#define E_P	_PAGE_PRESENT
#define E_RW	_PAGE_RW
#define E_US	_PAGE_USER
#define E_A	_PAGE_ACCESSED
#define E_D	_PAGE_DIRTY
#define E_PS	_PAGE_PSE
#define E_XD	_PAGE_NX
#define E_ALL	(E_P | E_RW | E_US)
#define GW_P	GWALK_PF_PRESENT
#define GW_W	GWALK_PF_WRITE
#define GW_U	GWALK_PF_USER
#define GW_RSVD	GWALK_PF_RSVD
#define GW_I	GWALK_PF_FETCH

/*
 * The base tables each case starts from: one path, every entry present,
 * writable and user, A and D clear, that maps linear 0x5000 to TOY_PAGE.
 * 4-level: CR3 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. PAE: PDPTE 0
 * 0x3001 (in the VMCS fields, CR3 unused), PD 0x3000, PT 0x4000. 32-bit:
 * CR3 0x1000, PT 0x2000, whose entry 6 maps 0x6000 to 0x77000.
 */
#define PML4E0	0x1000		/* 4-level */
#define PDPTE0	0x2000		/* 4-level */
#define PDPTE1	0x2008		/* 4-level, absent: 1 GiB at 1 GiB */
#define PDE0	0x3000		/* PAE and 4-level */
#define PDE1	0x3008		/* PAE and 4-level, absent: 2 MiB at 2 MiB */
#define PTE5	0x4028		/* PAE and 4-level */
#define PDE32_0	0x1000		/* 32-bit */
#define PDE32_1	0x1004		/* 32-bit, absent: 4 MiB at 4 MiB */
#define PTE32_5	0x2014		/* 32-bit */
#define PTE32_6	0x2018		/* 32-bit */
#define TOY_PAGE	0xabc000ULL	/* outside the toy: never touched */

enum toy_mode { TOY_NOPAGING, TOY_32BIT, TOY_PAE, TOY_4LEVEL };

struct toy_entry {
	u64 gpa, val;		/* gpa 0 ends the list */
};

struct gwalk_case {
	const char *desc;
	enum toy_mode mode;
	u64 cr0, cr4, efer, rflags;	/* ORed into the mode's base */
	struct toy_entry set[4];	/* entries changed from the base */
	u64 race_gpa, race_xor;
	unsigned int races;
	u64 rom_gpa;
	u64 gva;
	u32 access;
	int err;
	u64 gpa;			/* if err is 0 */
	u32 pf;				/* if err is -ENOENT */
	unsigned int ncas;		/* cmpxchg calls, failed ones too */
	struct toy_entry after[4];	/* entries as the walk leaves them */
};

static const struct gwalk_case gwalk_cases[] = {
	/* Paging off: linear is physical, cut to 32 bits; no rights, no A/D. */
	{ "nopaging", TOY_NOPAGING, .gva = 0x100001234ULL, .access = GW_W | GW_U,
	  .gpa = 0x1234 },

	/* 4-level (SDM Vol. 3A 4.5). A read sets A in all four entries, no D. */
	{ "4l-read", TOY_4LEVEL, .gva = 0x5123, .gpa = TOY_PAGE | 0x123,
	  .ncas = 4,
	  .after = { { PML4E0, 0x2000 | E_ALL | E_A },
		     { PDPTE0, 0x3000 | E_ALL | E_A },
		     { PDE0, 0x4000 | E_ALL | E_A },
		     { PTE5, TOY_PAGE | E_ALL | E_A } } },
	/* A write sets A in all four and D in the PTE alone (4.8). */
	{ "4l-write", TOY_4LEVEL, .gva = 0x5123, .access = GW_W,
	  .gpa = TOY_PAGE | 0x123, .ncas = 4,
	  .after = { { PML4E0, 0x2000 | E_ALL | E_A },
		     { PDPTE0, 0x3000 | E_ALL | E_A },
		     { PDE0, 0x4000 | E_ALL | E_A },
		     { PTE5, TOY_PAGE | E_ALL | E_A | E_D } } },
	/* A and D set already: nothing to write, no cmpxchg. */
	{ "4l-ad-already-set", TOY_4LEVEL,
	  .set = { { PML4E0, 0x2000 | E_ALL | E_A },
		   { PDPTE0, 0x3000 | E_ALL | E_A },
		   { PDE0, 0x4000 | E_ALL | E_A },
		   { PTE5, TOY_PAGE | E_ALL | E_A | E_D } },
	  .gva = 0x5123, .access = GW_W, .gpa = TOY_PAGE | 0x123 },
	/* A user write to a user, writable page. */
	{ "4l-user-write", TOY_4LEVEL, .gva = 0x5123, .access = GW_U | GW_W,
	  .gpa = TOY_PAGE | 0x123, .ncas = 4 },
	/* PML4E not present: P=0 in the error code, nothing written. */
	{ "4l-pml4e-absent", TOY_4LEVEL, .set = { { PML4E0, 0 } }, .gva = 0x5123,
	  .err = -ENOENT, .pf = 0 },
	/* PDPTE not present (other bits set) for a write: W only. */
	{ "4l-pdpte-absent", TOY_4LEVEL, .set = { { PDPTE0, 0x3000 | E_RW | E_US } },
	  .gva = 0x5123, .access = GW_W, .err = -ENOENT, .pf = GW_W },
	/* PDE not present for a user read: U/S only. */
	{ "4l-pde-absent", TOY_4LEVEL, .set = { { PDE0, 0 } }, .gva = 0x5123,
	  .access = GW_U, .err = -ENOENT, .pf = GW_U },
	/* PTE not present for a user write: W and U/S. */
	{ "4l-pte-absent", TOY_4LEVEL, .set = { { PTE5, 0 } }, .gva = 0x5123,
	  .access = GW_U | GW_W, .err = -ENOENT, .pf = GW_W | GW_U },
	/* Bits 47:39 pick the PML4E: the high half's (256) is absent. */
	{ "4l-high-half", TOY_4LEVEL, .gva = 0xffff800000005123ULL,
	  .err = -ENOENT, .pf = 0 },
	/* User read of a supervisor PTE: protection, P and U/S (4.6). */
	{ "4l-user-read-sup-pte", TOY_4LEVEL, .set = { { PTE5, TOY_PAGE | E_P | E_RW } },
	  .gva = 0x5123, .access = GW_U, .err = -ENOENT, .pf = GW_P | GW_U },
	/* U/S is ANDed over the levels: a supervisor PML4E is enough. */
	{ "4l-user-read-sup-pml4e", TOY_4LEVEL,
	  .set = { { PML4E0, 0x2000 | E_P | E_RW } }, .gva = 0x5123,
	  .access = GW_U, .err = -ENOENT, .pf = GW_P | GW_U },
	/* User write under a read-only PDE: R/W is ANDed too. */
	{ "4l-user-write-ro-pde", TOY_4LEVEL, .set = { { PDE0, 0x4000 | E_P | E_US } },
	  .gva = 0x5123, .access = GW_U | GW_W, .err = -ENOENT,
	  .pf = GW_P | GW_W | GW_U },
	/* User write to a read-only PTE faults even with CR0.WP = 0. */
	{ "4l-user-write-ro-pte", TOY_4LEVEL,
	  .set = { { PTE5, TOY_PAGE | E_P | E_US } }, .gva = 0x5123,
	  .access = GW_U | GW_W, .err = -ENOENT, .pf = GW_P | GW_W | GW_U },
	/* Supervisor write to a read-only page, CR0.WP = 0: allowed, D set. */
	{ "4l-sup-write-ro-wp0", TOY_4LEVEL, .set = { { PTE5, TOY_PAGE | E_P } },
	  .gva = 0x5123, .access = GW_W, .gpa = TOY_PAGE | 0x123, .ncas = 4,
	  .after = { { PTE5, TOY_PAGE | E_P | E_A | E_D } } },
	/* The same with CR0.WP = 1: protection, P and W. */
	{ "4l-sup-write-ro-wp1", TOY_4LEVEL, .cr0 = X86_CR0_WP,
	  .set = { { PTE5, TOY_PAGE | E_P } }, .gva = 0x5123, .access = GW_W,
	  .err = -ENOENT, .pf = GW_P | GW_W },
	/* CR0.WP = 1 and a read-only PDPTE over a writable PTE. */
	{ "4l-sup-write-ro-pdpte-wp1", TOY_4LEVEL, .cr0 = X86_CR0_WP,
	  .set = { { PDPTE0, 0x3000 | E_P | E_US } }, .gva = 0x5123,
	  .access = GW_W, .err = -ENOENT, .pf = GW_P | GW_W },
	/* Fetch from an XD PTE with EFER.NXE: P and I/D. */
	{ "4l-fetch-xd-pte", TOY_4LEVEL, .efer = EFER_NX,
	  .set = { { PTE5, TOY_PAGE | E_ALL | E_XD } }, .gva = 0x5123,
	  .access = GW_I, .err = -ENOENT, .pf = GW_P | GW_I },
	/* XD is ORed over the levels: an XD PML4E, a user fetch. */
	{ "4l-fetch-xd-pml4e", TOY_4LEVEL, .efer = EFER_NX,
	  .set = { { PML4E0, 0x2000 | E_ALL | E_XD } }, .gva = 0x5123,
	  .access = GW_U | GW_I, .err = -ENOENT, .pf = GW_P | GW_U | GW_I },
	/* XD does not stop a data read. */
	{ "4l-read-xd", TOY_4LEVEL, .efer = EFER_NX,
	  .set = { { PTE5, TOY_PAGE | E_ALL | E_XD } }, .gva = 0x5123,
	  .gpa = TOY_PAGE | 0x123, .ncas = 4 },
	/* A fetch from a page without XD, EFER.NXE set. */
	{ "4l-fetch-nxe", TOY_4LEVEL, .efer = EFER_NX, .gva = 0x5123,
	  .access = GW_I, .gpa = TOY_PAGE | 0x123, .ncas = 4 },
	/* Not-present fault on a fetch with NXE: I/D without P. */
	{ "4l-fetch-absent-nxe", TOY_4LEVEL, .efer = EFER_NX, .set = { { PTE5, 0 } },
	  .gva = 0x5123, .access = GW_I, .err = -ENOENT, .pf = GW_I },
	/* The same without NXE nor SMEP: no I/D (4.7). */
	{ "4l-fetch-absent", TOY_4LEVEL, .set = { { PTE5, 0 } }, .gva = 0x5123,
	  .access = GW_I, .err = -ENOENT, .pf = 0 },
	/* XD without NXE is a reserved bit: P and RSVD, no I/D. */
	{ "4l-fetch-xd-no-nxe", TOY_4LEVEL,
	  .set = { { PTE5, TOY_PAGE | E_ALL | E_XD } }, .gva = 0x5123,
	  .access = GW_I, .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* Reserved whatever the access: a read through an XD PDE. */
	{ "4l-read-xd-no-nxe", TOY_4LEVEL,
	  .set = { { PDE0, 0x4000 | E_ALL | E_XD } }, .gva = 0x5123,
	  .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* PS is reserved in a PML4E. */
	{ "4l-pml4e-ps", TOY_4LEVEL, .set = { { PML4E0, 0x2000 | E_ALL | E_PS } },
	  .gva = 0x5123, .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* The walk stops at the reserved bit: the absent PTE below is not seen. */
	{ "4l-rsvd-above-absent", TOY_4LEVEL,
	  .set = { { PDE0, 0x4000 | E_ALL | E_XD }, { PTE5, 0 } }, .gva = 0x5123,
	  .access = GW_W, .err = -ENOENT, .pf = GW_P | GW_W | GW_RSVD },
	/* Bits 62:52 of a 4-level entry are ignored, not reserved. */
	{ "4l-ignored-62-52", TOY_4LEVEL,
	  .set = { { PTE5, BIT_ULL(52) | TOY_PAGE | E_ALL } }, .gva = 0x5123,
	  .gpa = TOY_PAGE | 0x123, .ncas = 4,
	  .after = { { PTE5, BIT_ULL(52) | TOY_PAGE | E_ALL | E_A } } },
	/* SMEP: a supervisor fetch from a user page; I/D from SMEP alone. */
	{ "4l-smep-fetch", TOY_4LEVEL, .cr4 = X86_CR4_SMEP, .gva = 0x5123,
	  .access = GW_I, .err = -ENOENT, .pf = GW_P | GW_I },
	/* SMEP lets a supervisor fetch from a supervisor page through. */
	{ "4l-smep-sup-page", TOY_4LEVEL, .cr4 = X86_CR4_SMEP,
	  .set = { { PTE5, TOY_PAGE | E_P | E_RW } }, .gva = 0x5123,
	  .access = GW_I, .gpa = TOY_PAGE | 0x123, .ncas = 4 },
	/* SMEP does not apply to user fetches. */
	{ "4l-smep-user-fetch", TOY_4LEVEL, .cr4 = X86_CR4_SMEP, .gva = 0x5123,
	  .access = GW_U | GW_I, .gpa = TOY_PAGE | 0x123, .ncas = 4 },
	/* SMAP, RFLAGS.AC = 0: a supervisor read of a user page, P only. */
	{ "4l-smap-read", TOY_4LEVEL, .cr4 = X86_CR4_SMAP, .gva = 0x5123,
	  .err = -ENOENT, .pf = GW_P },
	/* SMAP, RFLAGS.AC = 0: a supervisor write, P and W. */
	{ "4l-smap-write", TOY_4LEVEL, .cr4 = X86_CR4_SMAP, .gva = 0x5123,
	  .access = GW_W, .err = -ENOENT, .pf = GW_P | GW_W },
	/* SMAP with RFLAGS.AC = 1: the (explicit) write goes through, D set. */
	{ "4l-smap-ac", TOY_4LEVEL, .cr4 = X86_CR4_SMAP, .rflags = X86_EFLAGS_AC,
	  .gva = 0x5123, .access = GW_W, .gpa = TOY_PAGE | 0x123, .ncas = 4,
	  .after = { { PTE5, TOY_PAGE | E_ALL | E_A | E_D } } },
	/* SMAP is for data: a supervisor fetch from a user page goes through. */
	{ "4l-smap-fetch", TOY_4LEVEL, .cr4 = X86_CR4_SMAP, .gva = 0x5123,
	  .access = GW_I, .gpa = TOY_PAGE | 0x123, .ncas = 4 },
	/* A supervisor PDPTE makes the page a supervisor one: no SMAP fault. */
	{ "4l-smap-sup-page", TOY_4LEVEL, .cr4 = X86_CR4_SMAP,
	  .set = { { PDPTE0, 0x3000 | E_P | E_RW } }, .gva = 0x5123,
	  .gpa = TOY_PAGE | 0x123, .ncas = 4 },
	/* A 2 MiB page: A in PML4E, PDPTE and PDE; PD[0] is not used. */
	{ "4l-2m", TOY_4LEVEL, .set = { { PDE1, 0x40000000 | E_P | E_RW | E_PS } },
	  .gva = 0x2fedcb, .gpa = 0x400fedcb, .ncas = 3,
	  .after = { { PML4E0, 0x2000 | E_ALL | E_A },
		     { PDPTE0, 0x3000 | E_ALL | E_A },
		     { PDE0, 0x4000 | E_ALL },
		     { PDE1, 0x40000000 | E_P | E_RW | E_PS | E_A } } },
	/* A write to a 2 MiB page sets D in the PDE, the leaf. */
	{ "4l-2m-write", TOY_4LEVEL, .set = { { PDE1, 0x40000000 | E_P | E_RW | E_PS } },
	  .gva = 0x2fedcb, .access = GW_W, .gpa = 0x400fedcb, .ncas = 3,
	  .after = { { PDE1, 0x40000000 | E_P | E_RW | E_PS | E_A | E_D } } },
	/* Bit 12 of a 2 MiB PDE is PAT, not address. */
	{ "4l-2m-pat", TOY_4LEVEL,
	  .set = { { PDE1, 0x40000000 | BIT(12) | E_P | E_RW | E_PS } },
	  .gva = 0x2fedcb, .gpa = 0x400fedcb, .ncas = 3 },
	/* Bits 20:13 of a 2 MiB PDE are reserved. */
	{ "4l-2m-rsvd", TOY_4LEVEL,
	  .set = { { PDE1, 0x40000000 | BIT(13) | E_P | E_RW | E_PS } },
	  .gva = 0x2fedcb, .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* A 1 GiB page: A in the PML4E and the PDPTE. */
	{ "4l-1g", TOY_4LEVEL, .set = { { PDPTE1, 0x80000000 | E_ALL | E_PS } },
	  .gva = 0x52345678, .gpa = 0x92345678, .ncas = 2,
	  .after = { { PML4E0, 0x2000 | E_ALL | E_A },
		     { PDPTE1, 0x80000000 | E_ALL | E_PS | E_A } } },
	/* Bits 29:13 of a 1 GiB PDPTE are reserved. */
	{ "4l-1g-rsvd", TOY_4LEVEL,
	  .set = { { PDPTE1, 0x80000000 | BIT(29) | E_ALL | E_PS } },
	  .gva = 0x52345678, .access = GW_U, .err = -ENOENT,
	  .pf = GW_P | GW_U | GW_RSVD },
	/* A page table outside guest RAM: -EFAULT, nothing written. */
	{ "4l-table-outside-ram", TOY_4LEVEL, .set = { { PDE0, 0x100000 | E_ALL } },
	  .gva = 0x5123, .err = -EFAULT },
	/* The guest sets bit 9 of the PTE under the update once: walk again. */
	{ "4l-race-once", TOY_4LEVEL, .race_gpa = PTE5, .race_xor = BIT(9), .races = 1,
	  .gva = 0x5123, .gpa = TOY_PAGE | 0x123, .ncas = 5,
	  .after = { { PML4E0, 0x2000 | E_ALL | E_A },
		     { PTE5, TOY_PAGE | BIT(9) | E_ALL | E_A } } },
	/* The guest clears P meanwhile: the new walk faults (A set above stays). */
	{ "4l-race-revoke", TOY_4LEVEL, .race_gpa = PTE5, .race_xor = E_P, .races = 1,
	  .gva = 0x5123, .err = -ENOENT, .pf = 0, .ncas = 4,
	  .after = { { PML4E0, 0x2000 | E_ALL | E_A },
		     { PTE5, TOY_PAGE | E_RW | E_US } } },
	/* The guest never stops changing the PTE: -EFAULT after GWALK_TRIES. */
	{ "4l-race-forever", TOY_4LEVEL, .race_gpa = PTE5, .race_xor = BIT(9),
	  .races = 100, .gva = 0x5123, .err = -EFAULT, .ncas = 3 + GWALK_TRIES },
	/* A PTE the cmpxchg cannot write (not RAM): -EFAULT. */
	{ "4l-cmpxchg-efault", TOY_4LEVEL, .rom_gpa = PTE5, .gva = 0x5123,
	  .err = -EFAULT, .ncas = 4 },

	/* PAE (4.4): the PDPTE has no A; a read sets A in the PDE and PTE. */
	{ "pae-read", TOY_PAE, .gva = 0x5123, .gpa = TOY_PAGE | 0x123, .ncas = 2,
	  .after = { { PDE0, 0x4000 | E_ALL | E_A },
		     { PTE5, TOY_PAGE | E_ALL | E_A } } },
	/* PDPTEs have no R/W nor U/S (0x3001): a user write goes through. */
	{ "pae-user-write", TOY_PAE, .gva = 0x5123, .access = GW_U | GW_W,
	  .gpa = TOY_PAGE | 0x123, .ncas = 2,
	  .after = { { PDE0, 0x4000 | E_ALL | E_A },
		     { PTE5, TOY_PAGE | E_ALL | E_A | E_D } } },
	/* PDPTE 1 is not present: a user write gets W and U/S. */
	{ "pae-pdpte-absent", TOY_PAE, .gva = 0x40005123, .access = GW_U | GW_W,
	  .err = -ENOENT, .pf = GW_W | GW_U },
	/* PDE not present. */
	{ "pae-pde-absent", TOY_PAE, .set = { { PDE0, 0 } }, .gva = 0x5123,
	  .err = -ENOENT, .pf = 0 },
	/* PTE not present on a fetch with NXE: I/D. */
	{ "pae-pte-absent-fetch-nxe", TOY_PAE, .efer = EFER_NX,
	  .set = { { PTE5, 0 } }, .gva = 0x5123, .access = GW_I,
	  .err = -ENOENT, .pf = GW_I },
	/* User read of a supervisor page. */
	{ "pae-user-read-sup", TOY_PAE, .set = { { PTE5, TOY_PAGE | E_P | E_RW } },
	  .gva = 0x5123, .access = GW_U, .err = -ENOENT, .pf = GW_P | GW_U },
	/* User write under a read-only PDE. */
	{ "pae-user-write-ro", TOY_PAE, .set = { { PDE0, 0x4000 | E_P | E_US } },
	  .gva = 0x5123, .access = GW_U | GW_W, .err = -ENOENT,
	  .pf = GW_P | GW_W | GW_U },
	/* Supervisor write to a read-only page, CR0.WP = 0: allowed, D set. */
	{ "pae-sup-write-ro-wp0", TOY_PAE, .set = { { PTE5, TOY_PAGE | E_P | E_US } },
	  .gva = 0x5123, .access = GW_W, .gpa = TOY_PAGE | 0x123, .ncas = 2,
	  .after = { { PTE5, TOY_PAGE | E_P | E_US | E_A | E_D } } },
	/* The same with CR0.WP = 1: P and W. */
	{ "pae-sup-write-ro-wp1", TOY_PAE, .cr0 = X86_CR0_WP,
	  .set = { { PTE5, TOY_PAGE | E_P | E_US } }, .gva = 0x5123,
	  .access = GW_W, .err = -ENOENT, .pf = GW_P | GW_W },
	/* Fetch under an XD PDE with NXE: P and I/D. */
	{ "pae-fetch-xd-nxe", TOY_PAE, .efer = EFER_NX,
	  .set = { { PDE0, 0x4000 | E_ALL | E_XD } }, .gva = 0x5123,
	  .access = GW_I, .err = -ENOENT, .pf = GW_P | GW_I },
	/* XD without NXE is reserved: P and RSVD. */
	{ "pae-fetch-xd-no-nxe", TOY_PAE, .set = { { PTE5, TOY_PAGE | E_ALL | E_XD } },
	  .gva = 0x5123, .access = GW_I, .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* Bits 62:M of PAE entries are reserved, M <= 52: bit 52 is. */
	{ "pae-rsvd-52", TOY_PAE,
	  .set = { { PTE5, BIT_ULL(52) | TOY_PAGE | E_ALL } }, .gva = 0x5123,
	  .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* A 2 MiB page: A in the PDE alone. */
	{ "pae-2m", TOY_PAE, .set = { { PDE1, 0x40000000 | E_P | E_RW | E_PS } },
	  .gva = 0x2fedcb, .gpa = 0x400fedcb, .ncas = 1,
	  .after = { { PDE0, 0x4000 | E_ALL },
		     { PDE1, 0x40000000 | E_P | E_RW | E_PS | E_A } } },
	/* Bits 20:13 of a 2 MiB PDE are reserved. */
	{ "pae-2m-rsvd", TOY_PAE,
	  .set = { { PDE1, 0x40000000 | BIT(13) | E_P | E_RW | E_PS } },
	  .gva = 0x2fedcb, .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* SMEP: supervisor fetch from a user page, I/D from SMEP. */
	{ "pae-smep", TOY_PAE, .cr4 = X86_CR4_SMEP, .gva = 0x5123, .access = GW_I,
	  .err = -ENOENT, .pf = GW_P | GW_I },
	/* SMAP, RFLAGS.AC = 0: supervisor read of a user page. */
	{ "pae-smap", TOY_PAE, .cr4 = X86_CR4_SMAP, .gva = 0x5123,
	  .err = -ENOENT, .pf = GW_P },
	/* SMAP, RFLAGS.AC = 1: it goes through. */
	{ "pae-smap-ac", TOY_PAE, .cr4 = X86_CR4_SMAP, .rflags = X86_EFLAGS_AC,
	  .gva = 0x5123, .gpa = TOY_PAGE | 0x123, .ncas = 2 },

	/* 32-bit paging (4.3): A in PDE and PTE after a read. */
	{ "32-read", TOY_32BIT, .gva = 0x5123, .gpa = TOY_PAGE | 0x123, .ncas = 2,
	  .after = { { PDE32_0, 0x2000 | E_ALL | E_A },
		     { PTE32_5, TOY_PAGE | E_ALL | E_A } } },
	/* D in the PTE after a write; 4-byte updates leave PT[6] alone. */
	{ "32-write", TOY_32BIT, .gva = 0x5123, .access = GW_W,
	  .gpa = TOY_PAGE | 0x123, .ncas = 2,
	  .after = { { PDE32_0, 0x2000 | E_ALL | E_A },
		     { PTE32_5, TOY_PAGE | E_ALL | E_A | E_D },
		     { PTE32_6, 0x77000 | E_ALL } } },
	/* 32 bits of linear address: bits 63:32 do not matter. */
	{ "32-gva-truncated", TOY_32BIT, .gva = 0xffffffff00006123ULL,
	  .gpa = 0x77123, .ncas = 2 },
	/* PDE not present for a write. */
	{ "32-pde-absent", TOY_32BIT, .set = { { PDE32_0, 0 } }, .gva = 0x5123,
	  .access = GW_W, .err = -ENOENT, .pf = GW_W },
	/* PTE not present on a fetch: no I/D, NXE counts only with PAE. */
	{ "32-pte-absent-fetch", TOY_32BIT, .efer = EFER_NX, .set = { { PTE32_5, 0 } },
	  .gva = 0x5123, .access = GW_I, .err = -ENOENT, .pf = 0 },
	/* User read under a supervisor PDE. */
	{ "32-user-read-sup", TOY_32BIT, .set = { { PDE32_0, 0x2000 | E_P | E_RW } },
	  .gva = 0x5123, .access = GW_U, .err = -ENOENT, .pf = GW_P | GW_U },
	/* User write to a read-only PTE. */
	{ "32-user-write-ro", TOY_32BIT, .set = { { PTE32_5, TOY_PAGE | E_P | E_US } },
	  .gva = 0x5123, .access = GW_U | GW_W, .err = -ENOENT,
	  .pf = GW_P | GW_W | GW_U },
	/* Supervisor write to a read-only page, CR0.WP = 0: allowed, D set. */
	{ "32-sup-write-ro-wp0", TOY_32BIT, .set = { { PTE32_5, TOY_PAGE | E_P } },
	  .gva = 0x5123, .access = GW_W, .gpa = TOY_PAGE | 0x123, .ncas = 2,
	  .after = { { PTE32_5, TOY_PAGE | E_P | E_A | E_D } } },
	/* The same with CR0.WP = 1: P and W. */
	{ "32-sup-write-ro-wp1", TOY_32BIT, .cr0 = X86_CR0_WP,
	  .set = { { PTE32_5, TOY_PAGE | E_P } }, .gva = 0x5123, .access = GW_W,
	  .err = -ENOENT, .pf = GW_P | GW_W },
	/* SMEP: supervisor fetch from a user page, I/D from SMEP. */
	{ "32-smep", TOY_32BIT, .cr4 = X86_CR4_SMEP, .gva = 0x5123, .access = GW_I,
	  .err = -ENOENT, .pf = GW_P | GW_I },
	/* SMAP, RFLAGS.AC = 0: supervisor read of a user page. */
	{ "32-smap", TOY_32BIT, .cr4 = X86_CR4_SMAP, .gva = 0x5123,
	  .err = -ENOENT, .pf = GW_P },
	/* SMAP, RFLAGS.AC = 1: it goes through. */
	{ "32-smap-ac", TOY_32BIT, .cr4 = X86_CR4_SMAP, .rflags = X86_EFLAGS_AC,
	  .gva = 0x5123, .gpa = TOY_PAGE | 0x123, .ncas = 2 },
	/* A 4 MiB page with CR4.PSE: A in the PDE. */
	{ "32-4m", TOY_32BIT, .cr4 = X86_CR4_PSE,
	  .set = { { PDE32_1, 0xc00000 | E_ALL | E_PS } }, .gva = 0x412345,
	  .gpa = 0xc12345, .ncas = 1,
	  .after = { { PDE32_1, 0xc00000 | E_ALL | E_PS | E_A } } },
	/* A write to a 4 MiB page: D in the PDE. */
	{ "32-4m-write", TOY_32BIT, .cr4 = X86_CR4_PSE,
	  .set = { { PDE32_1, 0xc00000 | E_ALL | E_PS } }, .gva = 0x412345,
	  .access = GW_W, .gpa = 0xc12345, .ncas = 1,
	  .after = { { PDE32_1, 0xc00000 | E_ALL | E_PS | E_A | E_D } } },
	/* PSE-36: bits 20:13 of a 4 MiB PDE are address bits 39:32. */
	{ "32-4m-pse36", TOY_32BIT, .cr4 = X86_CR4_PSE,
	  .set = { { PDE32_1, 0xc00000 | (0x12 << 13) | E_ALL | E_PS } },
	  .gva = 0x412345, .gpa = 0x1200c12345ULL, .ncas = 1 },
	/* Bit 21 of a 4 MiB PDE is reserved. */
	{ "32-4m-rsvd", TOY_32BIT, .cr4 = X86_CR4_PSE,
	  .set = { { PDE32_1, 0xc00000 | BIT(21) | E_ALL | E_PS } }, .gva = 0x412345,
	  .err = -ENOENT, .pf = GW_P | GW_RSVD },
	/* Without CR4.PSE, PS is ignored: the PDE points to a page table. */
	{ "32-ps-without-pse", TOY_32BIT,
	  .set = { { PDE32_1, 0x2000 | E_ALL | E_PS } }, .gva = 0x405123,
	  .gpa = TOY_PAGE | 0x123, .ncas = 2,
	  .after = { { PDE32_1, 0x2000 | E_ALL | E_PS | E_A },
		     { PTE32_5, TOY_PAGE | E_ALL | E_A } } },
	/* A 4-byte entry changed once under the update: walk again. */
	{ "32-race-once", TOY_32BIT, .race_gpa = PTE32_5, .race_xor = BIT(9),
	  .races = 1, .gva = 0x5123, .gpa = TOY_PAGE | 0x123, .ncas = 3,
	  .after = { { PTE32_5, TOY_PAGE | BIT(9) | E_ALL | E_A } } },
	/* A page table outside guest RAM. */
	{ "32-table-outside-ram", TOY_32BIT,
	  .set = { { PDE32_0, 0x100000 | E_ALL } }, .gva = 0x5123, .err = -EFAULT },
};

static void gwalk_case_desc(const struct gwalk_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(gwalk, gwalk_cases, gwalk_case_desc);

static void toy_put(struct toy_mem *m, enum toy_mode mode, u64 gpa, u64 v)
{
	memcpy(m->bytes + gpa, &v, mode == TOY_32BIT ? 4 : 8);
}

static u64 toy_get(const struct toy_mem *m, enum toy_mode mode, u64 gpa)
{
	u64 v = 0;

	memcpy(&v, m->bytes + gpa, mode == TOY_32BIT ? 4 : 8);
	return v;
}

/* The base tables and registers of @c's mode, then @c's changes. */
static void toy_setup(const struct gwalk_case *c, struct toy_mem *m,
		      struct gwalk_regs *r)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	switch (c->mode) {
	case TOY_NOPAGING:
		break;
	case TOY_32BIT:
		r->cr0 = X86_CR0_PE | X86_CR0_PG;
		r->cr3 = 0x1000;
		toy_put(m, c->mode, PDE32_0, 0x2000 | E_ALL);
		toy_put(m, c->mode, PTE32_5, TOY_PAGE | E_ALL);
		toy_put(m, c->mode, PTE32_6, 0x77000 | E_ALL);
		break;
	case TOY_PAE:
		r->cr0 = X86_CR0_PE | X86_CR0_PG;
		r->cr3 = 0xdead000;
		r->cr4 = X86_CR4_PAE;
		r->pdptr[0] = 0x3000 | E_P;
		toy_put(m, c->mode, PDE0, 0x4000 | E_ALL);
		toy_put(m, c->mode, PTE5, TOY_PAGE | E_ALL);
		break;
	case TOY_4LEVEL:
		r->cr0 = X86_CR0_PE | X86_CR0_PG;
		r->cr3 = 0x1000;
		r->cr4 = X86_CR4_PAE;
		r->efer = EFER_LME | EFER_LMA;
		toy_put(m, c->mode, PML4E0, 0x2000 | E_ALL);
		toy_put(m, c->mode, PDPTE0, 0x3000 | E_ALL);
		toy_put(m, c->mode, PDE0, 0x4000 | E_ALL);
		toy_put(m, c->mode, PTE5, TOY_PAGE | E_ALL);
		break;
	}
	r->cr0 |= c->cr0;
	r->cr4 |= c->cr4;
	r->efer |= c->efer;
	r->rflags = X86_EFLAGS_FIXED | c->rflags;
	for (i = 0; i < ARRAY_SIZE(c->set) && c->set[i].gpa; i++)
		toy_put(m, c->mode, c->set[i].gpa, c->set[i].val);
	m->race_gpa = c->race_gpa;
	m->race_xor = c->race_xor;
	m->races = c->races;
	m->rom_gpa = c->rom_gpa;
}

/*
 * One walk: its result, its cmpxchg calls, the entries it leaves; and a
 * walk that fails writes nothing (SDM Vol. 3A 4.8 sets A/D only for a
 * translation that succeeds), unless the guest raced with it.
 */
static void gwalk_test(struct kunit *test)
{
	const struct gwalk_case *c = test->param_value;
	struct toy_mem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	u8 *before = kunit_kmalloc(test, sizeof(m->bytes), GFP_KERNEL);
	struct gwalk_regs r;
	u64 gpa = 0;
	u32 pf = 0;
	unsigned int i;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_NOT_NULL(test, before);
	toy_setup(c, m, &r);
	memcpy(before, m->bytes, sizeof(m->bytes));

	err = gwalk(&r, c->gva, c->access, &toy_ops, m, &gpa, &pf);
	KUNIT_ASSERT_EQ(test, err, c->err);
	if (!err)
		KUNIT_EXPECT_EQ(test, gpa, c->gpa);
	if (err == -ENOENT)
		KUNIT_EXPECT_EQ(test, pf, c->pf);
	KUNIT_EXPECT_EQ(test, m->ncas, c->ncas);
	for (i = 0; i < ARRAY_SIZE(c->after) && c->after[i].gpa; i++)
		KUNIT_EXPECT_EQ_MSG(test, toy_get(m, c->mode, c->after[i].gpa),
				    c->after[i].val, "entry at %#llx",
				    c->after[i].gpa);
	if (err && !c->races && !c->rom_gpa)
		KUNIT_EXPECT_EQ(test, memcmp(before, m->bytes, sizeof(m->bytes)), 0);
}

/*
 * Fuzz: 200,000 byte sequences a guest could put at RIP, of every length,
 * in every mode, as prefixes and opcodes of every kind. Whatever the
 * decoder accepts must make sense: no more bytes than it was given (the
 * sequence ends at the end of a heap buffer, so reading past it would
 * show under KASAN), an access of 1, 2, 4 or 8 bytes, a register 0-15, a
 * destination at least as wide as the access. The rest must be refused.
 */
static void mmio_decode_fuzz_test(struct kunit *test)
{
	static const unsigned int modes[] = { 2, 4, 8 };
	static const u8 useful[] = { 0x26, 0x2e, 0x36, 0x3e, 0x40, 0x44, 0x48,
				     0x4c, 0x64, 0x65, 0x66, 0x67, 0x88, 0x89,
				     0x8a, 0x8b, 0xa0, 0xa1, 0xa2, 0xa3, 0xc6,
				     0xc7, 0x0f, 0xb6, 0xb7, 0xf0, 0xf2, 0xf3 };
	struct mmio_insn insn;
	unsigned int i, j, n, mode, decoded = 0;
	u32 seed = 0x9e3779b9;
	u8 *buf;

	buf = kunit_kmalloc(test, 15, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 200000; i++) {
		seed = seed * 1664525 + 1013904223;
		n = 1 + (seed >> 8) % 15;
		mode = modes[(seed >> 4) % 3];
		for (j = 0; j < n; j++) {
			seed = seed * 1664525 + 1013904223;
			/* Half the bytes from the decoder's own vocabulary. */
			buf[15 - n + j] = (seed & 0x100) ?
					  useful[(seed >> 16) % sizeof(useful)] :
					  seed >> 24;
		}
		memset(&insn, 0, sizeof(insn));
		if (mmio_decode(buf + 15 - n, n, mode, &insn))
			continue;
		decoded++;
		KUNIT_EXPECT_GE(test, insn.len, 1);
		KUNIT_EXPECT_LE(test, insn.len, n);
		KUNIT_EXPECT_TRUE(test, insn.size == 1 || insn.size == 2 ||
				  insn.size == 4 || insn.size == 8);
		KUNIT_EXPECT_LT(test, insn.reg, 16);
		if (!insn.write)
			KUNIT_EXPECT_GE(test, insn.dst_size, insn.size);
		if (test->status == KUNIT_FAILURE) {
			kunit_info(test, "mode %u, %u bytes: %*ph", mode, n, n,
				   buf + 15 - n);
			break;
		}
	}
	kunit_info(test, "%u of 200000 random sequences decoded as MMIO MOVs",
		   decoded);
}

static struct kunit_case emulate_cases[] = {
	KUNIT_CASE_PARAM(mmio_decode_test, decode_gen_params),
	KUNIT_CASE(mmio_decode_fuzz_test),
	KUNIT_CASE_PARAM(gwalk_test, gwalk_gen_params),
	{}
};

static struct kunit_suite vmxlab_emulate_suite = {
	.name = "vmxlab_emulate",
	.test_cases = emulate_cases,
};

kunit_test_suites(&vmxlab_emulate_suite);
