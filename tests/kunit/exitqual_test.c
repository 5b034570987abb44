// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for arch/x86/exitqual.h: each case is an exit qualification
 * as the CPU writes it for one instruction, and the parts the decoder must
 * find in it (SDM Vol. 3C tables 27-3, 27-5, 27-7).
 */
#include <kunit/test.h>

#include "../../arch/x86/exitqual.h"

struct io_case {
	const char *desc;
	u64 qual;
	struct vmx_io_qual want;
};

static const struct io_case io_cases[] = {
	/* out %al, $0xf4: 1 byte, OUT, immediate port. */
	{ "out-al-imm", 0x00f40040, { 0xf4, 1, false, false, false, true } },
	/* in %dx, %ax with DX = 0x3fd: 2 bytes, IN, port in DX. */
	{ "in-ax-dx", 0x03fd0009, { 0x3fd, 2, true, false, false, false } },
	/* out %eax, %dx with DX = 0xcf8: 4 bytes. */
	{ "out-eax-dx", 0x0cf80003, { 0xcf8, 4, false, false, false, false } },
	/* rep outsb to 0x3f8: string and REP. */
	{ "rep-outsb", 0x03f80030, { 0x3f8, 1, false, true, true, false } },
	/* insw from 0xffff without REP: highest port, string, IN. */
	{ "insw-ffff", 0xffff0019, { 0xffff, 2, true, true, false, false } },
	/* Bits above 31 are reserved and ignored. */
	{ "high-bits-ignored", 0xffffffff00600000ull | 0x0040,
	  { 0x0060, 1, false, false, false, true } },
};

static void io_case_desc(const struct io_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(io, io_cases, io_case_desc);

static void vmx_decode_io_test(struct kunit *test)
{
	const struct io_case *c = test->param_value;
	struct vmx_io_qual q = vmx_decode_io(c->qual);

	KUNIT_EXPECT_EQ(test, q.port, c->want.port);
	KUNIT_EXPECT_EQ(test, q.size, c->want.size);
	KUNIT_EXPECT_EQ(test, q.in, c->want.in);
	KUNIT_EXPECT_EQ(test, q.string, c->want.string);
	KUNIT_EXPECT_EQ(test, q.rep, c->want.rep);
	KUNIT_EXPECT_EQ(test, q.imm, c->want.imm);
}

struct cr_case {
	const char *desc;
	u64 qual;
	struct vmx_cr_qual want;
};

static const struct cr_case cr_cases[] = {
	/* mov %rax, %cr0 */
	{ "mov-rax-cr0", 0x0000, { 0, VMX_CR_MOV_TO, false, 0, 0 } },
	/* mov %cr4, %rbx: from CR4 into register 3. */
	{ "mov-cr4-rbx", 0x0314, { 4, VMX_CR_MOV_FROM, false, 3, 0 } },
	/* mov %r15, %cr8 */
	{ "mov-r15-cr8", 0x0f08, { 8, VMX_CR_MOV_TO, false, 15, 0 } },
	/* clts */
	{ "clts", 0x0020, { 0, VMX_CR_CLTS, false, 0, 0 } },
	/* lmsw %ax with AX = 0x0001 (register operand). */
	{ "lmsw-reg", 0x00010030, { 0, VMX_CR_LMSW, false, 0, 1 } },
	/* lmsw from memory, source data 0xfff1. */
	{ "lmsw-mem", 0xfff10070, { 0, VMX_CR_LMSW, true, 0, 0xfff1 } },
};

static void cr_case_desc(const struct cr_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cr, cr_cases, cr_case_desc);

static void vmx_decode_cr_test(struct kunit *test)
{
	const struct cr_case *c = test->param_value;
	struct vmx_cr_qual q = vmx_decode_cr(c->qual);

	KUNIT_EXPECT_EQ(test, q.cr, c->want.cr);
	KUNIT_EXPECT_EQ(test, q.type, c->want.type);
	KUNIT_EXPECT_EQ(test, q.lmsw_mem, c->want.lmsw_mem);
	KUNIT_EXPECT_EQ(test, q.gpr, c->want.gpr);
	KUNIT_EXPECT_EQ(test, q.lmsw_data, c->want.lmsw_data);
}

struct ept_case {
	const char *desc;
	u64 qual;
	struct vmx_ept_qual want;
};

static const struct ept_case ept_cases[] = {
	/* A write to unmapped memory (MMIO): write, nothing allowed, GLA valid. */
	{ "mmio-write", 0x182, { false, true, false, 0, true, true, false } },
	/* A read of unmapped memory. */
	{ "mmio-read", 0x181, { true, false, false, 0, true, true, false } },
	/* A write to read-only memory: R and X allowed. */
	{ "write-to-rx", 0x1aa, { false, true, false, 5, true, true, false } },
	/* An instruction fetch with no GLA (e.g. during a page walk). */
	{ "fetch-no-gla", 0x004, { false, false, true, 0, false, false, false } },
	/* A guest page-table walk (GLA valid, not the translated address). */
	{ "paging-structure", 0x081, { true, false, false, 0, true, false, false } },
	/* NMI unblocking due to IRET. */
	{ "nmi-unblock", 0x1182, { false, true, false, 0, true, true, true } },
};

static void ept_case_desc(const struct ept_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(eptq, ept_cases, ept_case_desc);

static void vmx_decode_ept_test(struct kunit *test)
{
	const struct ept_case *c = test->param_value;
	struct vmx_ept_qual q = vmx_decode_ept(c->qual);

	KUNIT_EXPECT_EQ(test, q.read, c->want.read);
	KUNIT_EXPECT_EQ(test, q.write, c->want.write);
	KUNIT_EXPECT_EQ(test, q.fetch, c->want.fetch);
	KUNIT_EXPECT_EQ(test, q.allowed, c->want.allowed);
	KUNIT_EXPECT_EQ(test, q.gla_valid, c->want.gla_valid);
	KUNIT_EXPECT_EQ(test, q.gla_translated, c->want.gla_translated);
	KUNIT_EXPECT_EQ(test, q.nmi_unblocked, c->want.nmi_unblocked);
}

struct dr_case {
	const char *desc;
	u64 qual;
	struct vmx_dr_qual want;
};

static const struct dr_case dr_cases[] = {
	/* mov %rax, %dr7 */
	{ "mov-rax-dr7", 0x0007, { 7, false, 0 } },
	/* mov %dr0, %rbx: from DR0 into register 3. */
	{ "mov-dr0-rbx", 0x0310, { 0, true, 3 } },
	/* mov %dr6, %r15 */
	{ "mov-dr6-r15", 0x0f16, { 6, true, 15 } },
	/* mov %r8, %dr3; bits above 11 are not part of the fields. */
	{ "mov-r8-dr3-high", 0xfffff803ULL, { 3, false, 8 } },
};

static void dr_case_desc(const struct dr_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dr, dr_cases, dr_case_desc);

static void vmx_decode_dr_test(struct kunit *test)
{
	const struct dr_case *c = test->param_value;
	struct vmx_dr_qual q = vmx_decode_dr(c->qual);

	KUNIT_EXPECT_EQ(test, q.dr, c->want.dr);
	KUNIT_EXPECT_EQ(test, q.from, c->want.from);
	KUNIT_EXPECT_EQ(test, q.gpr, c->want.gpr);
}

static struct kunit_case vmxlab_exitqual_cases[] = {
	KUNIT_CASE_PARAM(vmx_decode_dr_test, dr_gen_params),
	KUNIT_CASE_PARAM(vmx_decode_io_test, io_gen_params),
	KUNIT_CASE_PARAM(vmx_decode_cr_test, cr_gen_params),
	KUNIT_CASE_PARAM(vmx_decode_ept_test, eptq_gen_params),
	{}
};

static struct kunit_suite vmxlab_exitqual_suite = {
	.name = "vmxlab_exitqual",
	.test_cases = vmxlab_exitqual_cases,
};

kunit_test_suites(&vmxlab_exitqual_suite);
