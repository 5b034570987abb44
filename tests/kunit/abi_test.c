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

static struct kunit_case abi_cases[] = {
	KUNIT_CASE_PARAM(mem_region_check_test, region_gen_params),
	KUNIT_CASE(sregs_pads_test),
	KUNIT_CASE(regs_reserved_test),
	{}
};

static struct kunit_suite vmxlab_abi_suite = {
	.name = "vmxlab_abi",
	.test_cases = abi_cases,
};

kunit_test_suites(&vmxlab_abi_suite);
