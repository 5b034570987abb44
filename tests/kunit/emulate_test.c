// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for arch/x86/emulate.c: MMIO instructions as GNU as encodes
 * them, with what the decoder must find (SDM Vol. 2 "MOV", "MOVZX"), and
 * guest page walks over small hand-built page tables (SDM Vol. 3A 4.3-4.5).
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

/* A toy guest-physical memory of 64 KiB for the page walks. */
struct toy_mem {
	u8 bytes[0x10000];
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

static void put64(struct toy_mem *m, u64 gpa, u64 v)
{
	memcpy(m->bytes + gpa, &v, 8);
}

static void put32(struct toy_mem *m, u64 gpa, u32 v)
{
	memcpy(m->bytes + gpa, &v, 4);
}

#define CR0_PG	BIT_ULL(31)
#define CR4_PSE	BIT_ULL(4)
#define CR4_PAE	BIT_ULL(5)
#define EFER_LMA_BIT	BIT_ULL(10)

/* Paging off: linear is physical, truncated to 32 bits outside IA-32e. */
static void gwalk_nopaging_test(struct kunit *test)
{
	struct gwalk_regs r = {};
	u64 gpa;
	u32 pf;

	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x100001234ULL, false, toy_read, NULL, &gpa, &pf), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x1234ULL);
}

/* 4-level paging: a 4 KiB page, a 2 MiB page, and a not-present entry. */
static void gwalk_4level_test(struct kunit *test)
{
	struct toy_mem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct gwalk_regs r = { .cr0 = CR0_PG, .cr4 = CR4_PAE, .efer = EFER_LMA_BIT,
				.cr3 = 0x1000 };
	u64 gpa;
	u32 pf;

	KUNIT_ASSERT_NOT_NULL(test, m);
	put64(m, 0x1000, 0x2000 | 3);		/* PML4[0] -> PDPT */
	put64(m, 0x2000, 0x3000 | 3);		/* PDPT[0] -> PD */
	put64(m, 0x3000, 0x4000 | 3);		/* PD[0] -> PT */
	put64(m, 0x4000 + 5 * 8, 0xabc000 | 3);	/* PT[5]: 0x5000 -> 0xabc000 */
	put64(m, 0x3000 + 8, 0x40000000ULL | 0x83);	/* PD[1]: 2 MiB leaf */

	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x5123, false, toy_read, m, &gpa, &pf), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xabc123ULL);
	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x2fedcb, false, toy_read, m, &gpa, &pf), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x400fedcbULL);
	/* PT[6] is empty: a #PF for a write reports W=1, P=0. */
	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x6000, true, toy_read, m, &gpa, &pf), -ENOENT);
	KUNIT_EXPECT_EQ(test, pf, (u32)GWALK_PF_WRITE);
}

/* 32-bit paging with a 4 MiB page (CR4.PSE) and a 4 KiB page. */
static void gwalk_32bit_test(struct kunit *test)
{
	struct toy_mem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct gwalk_regs r = { .cr0 = CR0_PG, .cr4 = CR4_PSE, .cr3 = 0x1000 };
	u64 gpa;
	u32 pf;

	KUNIT_ASSERT_NOT_NULL(test, m);
	put32(m, 0x1000, 0x2000 | 3);		/* PDE[0] -> PT */
	put32(m, 0x2000 + 4, 0x77000 | 3);	/* PTE[1]: 0x1000 -> 0x77000 */
	put32(m, 0x1000 + 4, 0xc00000 | 0x83);	/* PDE[1]: 4 MiB at 12 MiB */

	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x1abc, false, toy_read, m, &gpa, &pf), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x77abcULL);
	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x412345, false, toy_read, m, &gpa, &pf), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0xc12345ULL);
}

/* PAE paging starts from the PDPTEs in the VMCS, not from CR3. */
static void gwalk_pae_test(struct kunit *test)
{
	struct toy_mem *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct gwalk_regs r = { .cr0 = CR0_PG, .cr4 = CR4_PAE, .cr3 = 0xdead000,
				.pdptr = { 0x3000 | 1, 0, 0, 0 } };
	u64 gpa;
	u32 pf;

	KUNIT_ASSERT_NOT_NULL(test, m);
	put64(m, 0x3000, 0x4000 | 3);		/* PD[0] -> PT */
	put64(m, 0x4000 + 2 * 8, 0x99000 | 3);	/* PT[2]: 0x2000 -> 0x99000 */

	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x2010, false, toy_read, m, &gpa, &pf), 0);
	KUNIT_EXPECT_EQ(test, gpa, 0x99010ULL);
	/* PDPTE 1 is not present. */
	KUNIT_EXPECT_EQ(test, gwalk(&r, 0x40000000, false, toy_read, m, &gpa, &pf),
			-ENOENT);
}

static struct kunit_case emulate_cases[] = {
	KUNIT_CASE_PARAM(mmio_decode_test, decode_gen_params),
	KUNIT_CASE(gwalk_nopaging_test),
	KUNIT_CASE(gwalk_4level_test),
	KUNIT_CASE(gwalk_32bit_test),
	KUNIT_CASE(gwalk_pae_test),
	{}
};

static struct kunit_suite vmxlab_emulate_suite = {
	.name = "vmxlab_emulate",
	.test_cases = emulate_cases,
};

kunit_test_suites(&vmxlab_emulate_suite);
