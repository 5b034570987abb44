// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for arch/x86/xsave.c: XSETBV values against the XCR0 rules
 * (SDM Vol. 1 13.3, Vol. 2B "XSETBV") on the feature sets of real hosts,
 * from a Haswell (x87, SSE, AVX) to an AMX server.
 */
#include <kunit/test.h>

#include "../../arch/x86/xsave.c"

/* x87 | SSE | AVX: a Haswell, and the Bochs rig. */
#define HSW	0x7ULL
/* ... | AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM) | PKRU: a Skylake server. */
#define SKX	0x2e7ULL
/* ... | MPX (BNDREGS, BNDCSR). */
#define MPX	0x2ffULL
/* SKX | AMX (tile configuration, tile data). */
#define SPR	(SKX | 0x60000ULL)

struct xcr0_case {
	const char *desc;
	u64 xcr0, supported;
	bool valid;
};

static const struct xcr0_case xcr0_cases[] = {
	/* The reset value, x87 alone. */
	{ "x87", 0x1, HSW, true },
	/* x87 and SSE. */
	{ "x87-sse", 0x3, HSW, true },
	/* Everything a Haswell has. */
	{ "x87-sse-avx", 0x7, HSW, true },
	/* x87 state must always be enabled. */
	{ "zero", 0x0, HSW, false },
	/* SSE without x87. */
	{ "sse-only", 0x2, HSW, false },
	/* AVX needs SSE. */
	{ "avx-without-sse", 0x5, HSW, false },
	/* AVX-512 on a host without it: not supported. */
	{ "avx512-on-haswell", 0xe7, HSW, false },
	/* A bit above 31 (EDX = 1): reserved. */
	{ "bit32", 0x100000003ULL, HSW, false },
	/* The top bit: reserved. */
	{ "bit63", 0x8000000000000003ULL, SKX, false },
	/* All of AVX-512 with AVX on a host that has it. */
	{ "avx512-all", 0xe7, SKX, true },
	/* One AVX-512 component alone: all three or none. */
	{ "avx512-opmask-only", 0x27, SKX, false },
	/* Two of the three. */
	{ "avx512-two", 0x67, SKX, false },
	/* AVX-512 without AVX. */
	{ "avx512-without-avx", 0xe3, SKX, false },
	/* PKRU with x87: allowed where the host has it. */
	{ "pkru", 0x201, SKX, true },
	/* PKRU on a Haswell: not supported. */
	{ "pkru-on-haswell", 0x201, HSW, false },
	/* MPX bound registers without bound configuration. */
	{ "bndregs-only", 0xb, MPX, false },
	/* Bound configuration without bound registers. */
	{ "bndcsr-only", 0x13, MPX, false },
	/* Both MPX components. */
	{ "mpx", 0x1b, MPX, true },
	/* AMX tile configuration without tile data. */
	{ "xtilecfg-only", 0x20007, SPR, false },
	/* Tile data without configuration. */
	{ "xtiledata-only", 0x40007, SPR, false },
	/* Both AMX components, with AVX-512. */
	{ "amx", 0x600e7, SPR, true },
	/* AMX where the guest's buffer has no room for tiles. */
	{ "amx-unsupported", 0x600e7, SKX, false },
};

static void xcr0_case_desc(const struct xcr0_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xcr0, xcr0_cases, xcr0_case_desc);

static void xcr0_valid_test(struct kunit *test)
{
	const struct xcr0_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vmx_xcr0_valid(c->xcr0, c->supported), c->valid);
}

struct supported_case {
	const char *desc;
	u64 host, fpstate, want;
};

static const struct supported_case supported_cases[] = {
	/* A Haswell host: what it enables, the guest may enable. */
	{ "haswell", HSW, 0x2ff, HSW },
	/* Host without XSAVE (booted with noxsave): nothing. */
	{ "noxsave", 0, 0x2ff, 0 },
	/* AMX host, default guest buffer without tile data: no AMX at all. */
	{ "amx-no-room", SPR, SKX | 0x20000, SKX },
	/* AMX host and a buffer with room for tiles. */
	{ "amx", SPR, SPR, SPR },
};

static void supported_case_desc(const struct supported_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(supported, supported_cases, supported_case_desc);

static void xcr0_supported_test(struct kunit *test)
{
	const struct supported_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vmx_xcr0_supported(c->host, c->fpstate), c->want);
}

static struct kunit_case xsave_cases[] = {
	KUNIT_CASE_PARAM(xcr0_valid_test, xcr0_gen_params),
	KUNIT_CASE_PARAM(xcr0_supported_test, supported_gen_params),
	{}
};

static struct kunit_suite vmxlab_xsave_suite = {
	.name = "vmxlab_xsave",
	.test_cases = xsave_cases,
};

kunit_test_suites(&vmxlab_xsave_suite);
