// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for module/abi_check.h: each case is one argument to an
 * ioctl and the errno the ABI (Documentation/abi.rst) promises for it.
 */
#include <kunit/test.h>
#include <linux/sizes.h>

#include "../../module/abi_check.h"

#define MB	((u64)SZ_1M)

struct region_case {
	const char *desc;
	struct vmxlab_memory_region r;
	int want;
};

static const struct region_case region_cases[] = {
	/* A plain 64 MiB slot at guest-physical 0. */
	{ "ok", { .slot = 0, .memory_size = 64 * MB, .userspace_addr = 0x7f0000000000 }, 0 },
	/* Read-only is the one defined flag. */
	{ "ok-readonly", { .slot = 31, .flags = VMXLAB_MEM_READONLY,
			   .guest_phys_addr = 0xfff00000, .memory_size = MB,
			   .userspace_addr = 0x10000 }, 0 },
	/* Size 0 deletes: nothing else but slot and flags is looked at. */
	{ "delete", { .slot = 3, .guest_phys_addr = 123, .userspace_addr = 5 }, 0 },
	/* Slots are 0 to VMXLAB_MAX_MEM_SLOTS - 1. */
	{ "bad-slot", { .slot = VMXLAB_MAX_MEM_SLOTS, .memory_size = MB,
			.userspace_addr = 0x10000 }, -EINVAL },
	/* An undefined flag bit. */
	{ "bad-flag", { .flags = 2, .memory_size = MB, .userspace_addr = 0x10000 }, -EINVAL },
	/* Reserved words must be zero, even for a delete. */
	{ "reserved", { .reserved = { 0, 0, 0, 1 } }, -EINVAL },
	/* Guest-physical base not page aligned. */
	{ "gpa-misaligned", { .guest_phys_addr = 0x800, .memory_size = MB,
			      .userspace_addr = 0x10000 }, -EINVAL },
	/* Size not a multiple of the page size. */
	{ "size-misaligned", { .memory_size = MB + 1, .userspace_addr = 0x10000 }, -EINVAL },
	/* Userspace address not page aligned. */
	{ "uaddr-misaligned", { .memory_size = MB, .userspace_addr = 0x10010 }, -EINVAL },
	/* Starts at 2^48, beyond 4-level EPT. */
	{ "gpa-too-high", { .guest_phys_addr = 1ULL << 48, .memory_size = MB,
			    .userspace_addr = 0x10000 }, -E2BIG },
	/* Starts below 2^48 but ends above it. */
	{ "end-too-high", { .guest_phys_addr = (1ULL << 48) - MB, .memory_size = 2 * MB,
			    .userspace_addr = 0x10000 }, -E2BIG },
	/* Ends exactly at 2^48: allowed. */
	{ "end-at-limit", { .guest_phys_addr = (1ULL << 48) - MB, .memory_size = MB,
			    .userspace_addr = 0x10000 }, 0 },
	/* A userspace range that wraps around the address space. */
	{ "uaddr-wraps", { .memory_size = 2 * MB, .userspace_addr = ~0ULL & ~0xfffULL }, -EFAULT },
};

static void region_case_desc(const struct region_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(region, region_cases, region_case_desc);

static void mem_region_check_test(struct kunit *test)
{
	const struct region_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vmxlab_mem_region_check(&c->r), c->want);
}

/* Every padding byte of struct vmxlab_sregs, one at a time, is refused. */
static void sregs_pads_test(struct kunit *test)
{
	struct vmxlab_sregs s = {};
	struct vmxlab_segment *segs[] = {
		&s.cs, &s.ds, &s.es, &s.fs, &s.gs, &s.ss, &s.tr, &s.ldt,
	};
	int i;

	KUNIT_EXPECT_TRUE(test, vmxlab_sregs_pads_zero(&s));
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		segs[i]->pad = 1;
		KUNIT_EXPECT_FALSE(test, vmxlab_sregs_pads_zero(&s));
		segs[i]->pad = 0;
	}
	s.gdt.pad[2] = 1;
	KUNIT_EXPECT_FALSE(test, vmxlab_sregs_pads_zero(&s));
	s.gdt.pad[2] = 0;
	s.idt.pad[0] = 1;
	KUNIT_EXPECT_FALSE(test, vmxlab_sregs_pads_zero(&s));
	s.idt.pad[0] = 0;
	s.reserved[7] = 1;
	KUNIT_EXPECT_FALSE(test, vmxlab_sregs_pads_zero(&s));
	s.reserved[7] = 0;
	/* Real fields are not padding. */
	s.cs.selector = 0x1000;
	s.efer = 0x500;
	KUNIT_EXPECT_TRUE(test, vmxlab_sregs_pads_zero(&s));
}

/* The reserved words of struct vmxlab_regs. */
static void regs_reserved_test(struct kunit *test)
{
	struct vmxlab_regs r = { .rip = 0x1000, .rflags = 2 };

	KUNIT_EXPECT_TRUE(test, vmxlab_regs_reserved_zero(&r));
	r.reserved[1] = 1;
	KUNIT_EXPECT_FALSE(test, vmxlab_regs_reserved_zero(&r));
}

struct event_case {
	const char *desc;
	struct vmxlab_event e;
	int want;
};

#define EXC	VMXLAB_EVENT_EXCEPTION

static const struct event_case event_cases[] = {
	/* An external interrupt may have any vector, 0 to 255. */
	{ "intr-0", { .type = VMXLAB_EVENT_INTR, .vector = 0 }, 0 },
	{ "intr-255", { .type = VMXLAB_EVENT_INTR, .vector = 255 }, 0 },
	/* Interrupts push no error code. */
	{ "intr-error-code", { .type = VMXLAB_EVENT_INTR, .vector = 32,
			       .has_error_code = 1 }, -EINVAL },
	/* An NMI is vector 2 by definition: the field must be 0. */
	{ "nmi", { .type = VMXLAB_EVENT_NMI }, 0 },
	{ "nmi-vector", { .type = VMXLAB_EVENT_NMI, .vector = 2 }, -EINVAL },
	/* #UD pushes no error code, #GP and #PF do (SDM Vol. 3A Table 6-1). */
	{ "ud", { .type = EXC, .vector = 6 }, 0 },
	{ "ud-error-code", { .type = EXC, .vector = 6, .has_error_code = 1 }, -EINVAL },
	{ "gp", { .type = EXC, .vector = 13, .has_error_code = 1,
		  .error_code = 0x10 }, 0 },
	{ "gp-no-error-code", { .type = EXC, .vector = 13 }, -EINVAL },
	{ "pf", { .type = EXC, .vector = 14, .has_error_code = 1, .error_code = 2 }, 0 },
	/* #DF (8), #AC (17) and #CP (21) push one too. */
	{ "df", { .type = EXC, .vector = 8, .has_error_code = 1 }, 0 },
	{ "ac", { .type = EXC, .vector = 17, .has_error_code = 1 }, 0 },
	{ "cp", { .type = EXC, .vector = 21, .has_error_code = 1 }, 0 },
	/* Vector 2 is no exception: NMIs go as VMXLAB_EVENT_NMI. */
	{ "exc-nmi-vector", { .type = EXC, .vector = 2 }, -EINVAL },
	/* Exceptions are vectors 0 to 31 (26.2.1.3). */
	{ "exc-31", { .type = EXC, .vector = 31 }, 0 },
	{ "exc-32", { .type = EXC, .vector = 32 }, -EINVAL },
	/* An error code without has_error_code would be silently lost. */
	{ "error-code-without-flag", { .type = EXC, .vector = 6,
				       .error_code = 1 }, -EINVAL },
	/* has_error_code is 0 or 1. */
	{ "has-error-code-2", { .type = EXC, .vector = 13, .has_error_code = 2 }, -EINVAL },
	/* No such type. */
	{ "bad-type", { .type = 3 }, -EINVAL },
	/* Pad and reserved fields must be zero. */
	{ "pad", { .type = VMXLAB_EVENT_INTR, .pad = 1 }, -EINVAL },
	{ "reserved", { .type = VMXLAB_EVENT_INTR, .reserved = { 0, 1 } }, -EINVAL },
};

static void event_case_desc(const struct event_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(event, event_cases, event_case_desc);

static void event_check_test(struct kunit *test)
{
	const struct event_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vmxlab_event_check(&c->e), c->want);
}

static struct kunit_case abi_cases[] = {
	KUNIT_CASE_PARAM(mem_region_check_test, region_gen_params),
	KUNIT_CASE(sregs_pads_test),
	KUNIT_CASE(regs_reserved_test),
	KUNIT_CASE_PARAM(event_check_test, event_gen_params),
	{}
};

static struct kunit_suite vmxlab_abi_suite = {
	.name = "vmxlab_abi",
	.test_cases = abi_cases,
};

kunit_test_suites(&vmxlab_abi_suite);
