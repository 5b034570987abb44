// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for arch/x86/ept.c: mapping, 2 MiB leaves and their splits,
 * permissions, walks, unmapping and the EPT pointer.
 *
 * The tables are real pages, but nothing here needs VMX: host-physical
 * addresses are just numbers to the builder.
 */
#include <kunit/test.h>

#include "../../arch/x86/ept.c"

#define MB2	EPT_SIZE_2M
#define KB4	EPT_SIZE_4K

/* One mapping to make, then one address to look up. */
struct map_case {
	const char *desc;
	u64 gpa, hpa, size, prot;
	unsigned int flags;
	int ret;		/* of ept_map() */
	u64 probe;		/* guest-physical address to walk */
	int walk_ret;
	u64 walk_hpa;
	int walk_level;
	unsigned long tables;	/* paging-structure pages afterwards */
};

static const struct map_case map_cases[] = {
	/* One 4 KiB page: PML4, PDPT, PD and PT tables, a level-1 leaf. */
	{ "4k", 0x1000, 0x200000, KB4, EPT_RWX, 0, 0, 0x1234,
	  0, 0x200234, 1, 4 },
	/* Both sides 2 MiB aligned: one level-2 leaf, no page table. */
	{ "2m-leaf", 0x200000, 0x40000000, MB2, EPT_RWX, EPT_MAP_ALLOW_2M, 0,
	  0x3ffff8, 0, 0x401ffff8, 2, 3 },
	/* 2 MiB allowed but the host side is only 4 KiB aligned: 4 KiB leaves. */
	{ "2m-misaligned-hpa", 0x200000, 0x40001000, MB2, EPT_RWX,
	  EPT_MAP_ALLOW_2M, 0, 0x3ff000, 0, 0x40200000, 1, 4 },
	/* 2 MiB aligned, but 2 MiB leaves not allowed: 4 KiB leaves. */
	{ "2m-not-allowed", 0x200000, 0x40000000, MB2, EPT_RWX, 0, 0,
	  0x200000, 0, 0x40000000, 1, 4 },
	/* 2 MiB + 4 KiB: one 2 MiB leaf and one 4 KiB leaf after it. */
	{ "2m-plus-4k", 0, 0x80000000, MB2 + KB4, EPT_RWX, EPT_MAP_ALLOW_2M,
	  0, MB2, 0, 0x80000000 + MB2, 1, 4 },
	/* Read-only memory keeps R and X but not W. */
	{ "read-only", 0x5000, 0x9000, KB4, EPT_R | EPT_X, 0, 0, 0x5000,
	  0, 0x9000, 1, 4 },
	/* Nothing mapped at the probe: -ENOENT. */
	{ "hole", 0x1000, 0x2000, KB4, EPT_RWX, 0, 0, 0x2000, -ENOENT, 0, 0, 4 },
	/* The last 4 KiB below 2^48 is mappable. */
	{ "top-of-48-bits", BIT_ULL(48) - KB4, 0x1000, KB4, EPT_RWX, 0, 0,
	  BIT_ULL(48) - 1, 0, 0x1fff, 1, 4 },
	/* Above 48 bits EPT cannot map: -EINVAL, nothing allocated. */
	{ "beyond-48-bits", BIT_ULL(48), 0x1000, KB4, EPT_RWX, 0, -EINVAL,
	  BIT_ULL(48), -ENOENT, 0, 0, 1 },
	/* A range that wraps around: -EINVAL. */
	{ "wraps", ~0ULL & ~(KB4 - 1), 0x1000, 2 * KB4, EPT_RWX, 0, -EINVAL,
	  0, -ENOENT, 0, 0, 1 },
	/* Unaligned guest-physical address: -EINVAL. */
	{ "unaligned-gpa", 0x1800, 0x1000, KB4, EPT_RWX, 0, -EINVAL, 0x1800,
	  -ENOENT, 0, 0, 1 },
	/* Unaligned host-physical address: -EINVAL. */
	{ "unaligned-hpa", 0x1000, 0x1800, KB4, EPT_RWX, 0, -EINVAL, 0x1000,
	  -ENOENT, 0, 0, 1 },
	/* Size zero: -EINVAL. */
	{ "size-zero", 0x1000, 0x1000, 0, EPT_RWX, 0, -EINVAL, 0x1000,
	  -ENOENT, 0, 0, 1 },
	/* Write without read is an EPT misconfiguration: refused. */
	{ "write-only", 0x1000, 0x1000, KB4, EPT_W, 0, -EINVAL, 0x1000,
	  -ENOENT, 0, 0, 1 },
	/* No permission at all would be "not present": refused. */
	{ "no-permission", 0x1000, 0x1000, KB4, 0, 0, -EINVAL, 0x1000,
	  -ENOENT, 0, 0, 1 },
};

static void map_case_desc(const struct map_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(map, map_cases, map_case_desc);

static void ept_destroy_action(struct kunit *test, struct ept *ept)
{
	ept_destroy(ept);
	KUNIT_EXPECT_EQ(test, ept->nr_tables, 0ul);
}

static void ept_map_test(struct kunit *test)
{
	const struct map_case *c = test->param_value;
	struct ept ept;
	u64 hpa = 0, prot = 0;
	int level = 0;

	KUNIT_ASSERT_EQ(test, ept_init(&ept), 0);
	KUNIT_EXPECT_EQ(test, ept_map(&ept, c->gpa, c->hpa, c->size, c->prot,
				      c->flags), c->ret);
	KUNIT_EXPECT_EQ(test, ept_walk(&ept, c->probe, &hpa, &prot, &level),
			c->walk_ret);
	if (!c->walk_ret) {
		KUNIT_EXPECT_EQ(test, hpa, c->walk_hpa);
		KUNIT_EXPECT_EQ(test, prot, c->prot);
		KUNIT_EXPECT_EQ(test, level, c->walk_level);
	}
	KUNIT_EXPECT_EQ(test, ept.nr_tables, c->tables);
	ept_destroy_action(test, &ept);
}

/* Mapping over a mapping fails and leaves the first one intact. */
static void ept_overlap_test(struct kunit *test)
{
	struct ept ept;
	u64 hpa, prot;
	int level;

	KUNIT_ASSERT_EQ(test, ept_init(&ept), 0);
	KUNIT_ASSERT_EQ(test, ept_map(&ept, 0, 0x40000000, MB2, EPT_RWX,
				      EPT_MAP_ALLOW_2M), 0);
	/* A 4 KiB page inside the 2 MiB leaf. */
	KUNIT_EXPECT_EQ(test, ept_map(&ept, 0x3000, 0x1000, KB4, EPT_RWX, 0),
			-EEXIST);
	/* A range that starts free and runs into the leaf: rolled back. */
	KUNIT_EXPECT_EQ(test, ept_map(&ept, MB2 * 4, 0x1000, KB4, EPT_RWX, 0), 0);
	KUNIT_EXPECT_EQ(test, ept_map(&ept, MB2 * 4 - KB4, 0x5000, 2 * KB4,
				      EPT_RWX, 0), -EEXIST);
	KUNIT_EXPECT_EQ(test, ept_walk(&ept, MB2 * 4 - KB4, &hpa, &prot, &level),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, ept_walk(&ept, 0x3000, &hpa, &prot, &level), 0);
	KUNIT_EXPECT_EQ(test, hpa, 0x40003000ull);
	KUNIT_EXPECT_EQ(test, level, 2);
	ept_destroy_action(test, &ept);
}

/* Unmapping 4 KiB out of a 2 MiB leaf splits it; the rest still maps. */
static void ept_split_test(struct kunit *test)
{
	struct ept ept;
	u64 hpa, prot, g;
	int level;

	KUNIT_ASSERT_EQ(test, ept_init(&ept), 0);
	KUNIT_ASSERT_EQ(test, ept_map(&ept, MB2, 0x40000000, MB2, EPT_R | EPT_X,
				      EPT_MAP_ALLOW_2M), 0);
	KUNIT_EXPECT_EQ(test, ept.nr_tables, 3ul);
	KUNIT_EXPECT_EQ(test, ept_unmap(&ept, MB2 + 5 * KB4, KB4), 0);
	KUNIT_EXPECT_EQ(test, ept.nr_tables, 4ul);
	for (g = MB2; g < 2 * MB2; g += KB4) {
		int r = ept_walk(&ept, g, &hpa, &prot, &level);

		if (g == MB2 + 5 * KB4) {
			KUNIT_EXPECT_EQ(test, r, -ENOENT);
			continue;
		}
		KUNIT_EXPECT_EQ(test, r, 0);
		KUNIT_EXPECT_EQ(test, hpa, 0x40000000 + (g - MB2));
		KUNIT_EXPECT_EQ(test, prot, EPT_R | EPT_X);
		KUNIT_EXPECT_EQ(test, level, 1);
	}
	/* Unmapping everything, holes included, empties the map. */
	KUNIT_EXPECT_EQ(test, ept_unmap(&ept, 0, 4 * MB2), 0);
	KUNIT_EXPECT_EQ(test, ept_walk(&ept, MB2, &hpa, &prot, &level), -ENOENT);
	/* ... and the same range can be mapped again. */
	KUNIT_EXPECT_EQ(test, ept_map(&ept, MB2, 0x40000000, MB2, EPT_RWX,
				      EPT_MAP_ALLOW_2M), 0);
	ept_destroy_action(test, &ept);
}

/* A whole aligned 2 MiB unmap clears the leaf without a split. */
static void ept_unmap_2m_test(struct kunit *test)
{
	struct ept ept;
	u64 hpa, prot;
	int level;

	KUNIT_ASSERT_EQ(test, ept_init(&ept), 0);
	KUNIT_ASSERT_EQ(test, ept_map(&ept, 0, 0, 2 * MB2, EPT_RWX,
				      EPT_MAP_ALLOW_2M), 0);
	KUNIT_EXPECT_EQ(test, ept_unmap(&ept, MB2, MB2), 0);
	KUNIT_EXPECT_EQ(test, ept.nr_tables, 3ul);
	KUNIT_EXPECT_EQ(test, ept_walk(&ept, MB2, &hpa, &prot, &level), -ENOENT);
	KUNIT_EXPECT_EQ(test, ept_walk(&ept, MB2 - 1, &hpa, &prot, &level), 0);
	KUNIT_EXPECT_EQ(test, level, 2);
	KUNIT_EXPECT_EQ(test, ept_unmap(&ept, 0x800, KB4), -EINVAL);
	ept_destroy_action(test, &ept);
}

/*
 * Tables an unmap leaves empty are unlinked (kept until the caller's
 * INVEPT, then freed); tables that still map something stay.
 */
static void ept_prune_test(struct kunit *test)
{
	struct ept ept;
	u64 hpa, prot, g;
	int level, i;

	KUNIT_ASSERT_EQ(test, ept_init(&ept), 0);
	/* A page at 0 keeps the first PDPT, PD and PT alive. */
	KUNIT_ASSERT_EQ(test, ept_map(&ept, 0, 0x1000, KB4, EPT_RWX, 0), 0);
	KUNIT_EXPECT_EQ(test, ept.nr_tables, 4ul);
	/* 100 pages at ever new addresses, each mapped then unmapped. */
	for (i = 1; i <= 100; i++) {
		g = (u64)i << 30;	/* a new PD and PT every time */
		KUNIT_ASSERT_EQ(test, ept_map(&ept, g, 0x2000, KB4, EPT_RWX, 0),
				0);
		KUNIT_EXPECT_EQ(test, ept_unmap(&ept, g, KB4), 0);
		/* Unlinked, not yet freed: the CPU may still cache them. */
		KUNIT_EXPECT_EQ(test, ept.nr_tables, 6ul);
		ept_free_detached(&ept);
		KUNIT_EXPECT_EQ(test, ept.nr_tables, 4ul);
	}
	/* A page in another PML4 slot: a new PDPT too; all three go. */
	KUNIT_ASSERT_EQ(test, ept_map(&ept, 1ULL << 40, 0x3000, KB4, EPT_RWX, 0),
			0);
	KUNIT_EXPECT_EQ(test, ept.nr_tables, 7ul);
	KUNIT_EXPECT_EQ(test, ept_unmap(&ept, 1ULL << 40, KB4), 0);
	ept_free_detached(&ept);
	KUNIT_EXPECT_EQ(test, ept.nr_tables, 4ul);
	/* The page at 0 still maps. */
	KUNIT_EXPECT_EQ(test, ept_walk(&ept, 0, &hpa, &prot, &level), 0);
	KUNIT_EXPECT_EQ(test, hpa, 0x1000ull);
	/* Unmapping it empties everything but the root. */
	KUNIT_EXPECT_EQ(test, ept_unmap(&ept, 0, KB4), 0);
	ept_free_detached(&ept);
	KUNIT_EXPECT_EQ(test, ept.nr_tables, 1ul);
	ept_destroy_action(test, &ept);
}

/*
 * Every leaf, 4 KiB or 2 MiB, is write-back with "ignore PAT" set (SDM
 * Vol. 3C 28.2.6.2, table 28-6): guest memory stays WB whatever the
 * guest's PAT says, as the host maps it.
 */
static void ept_memtype_test(struct kunit *test)
{
	struct ept ept;
	u64 *pdpt, *pd, *pt;

	KUNIT_ASSERT_EQ(test, ept_init(&ept), 0);
	KUNIT_ASSERT_EQ(test, ept_map(&ept, 0, 0x40000000, MB2, EPT_RWX,
				      EPT_MAP_ALLOW_2M), 0);
	KUNIT_ASSERT_EQ(test, ept_map(&ept, MB2, 0x1000, KB4, EPT_R, 0), 0);
	pdpt = table_of(ept.root[0]);
	pd = table_of(pdpt[0]);
	pt = table_of(pd[1]);
	/* Bits 5:3 memory type (6 = WB), bit 6 ignore PAT. */
	KUNIT_EXPECT_EQ(test, pd[0] & 0x78, 0x70ULL);
	KUNIT_EXPECT_EQ(test, pt[0] & 0x78, 0x70ULL);
	ept_destroy_action(test, &ept);
}

/* EPTP: root address, WB (6), walk length 4 - 1 in bits 5:3, A/D bit 6. */
static void ept_pointer_test(struct kunit *test)
{
	struct ept ept;
	u64 eptp;

	KUNIT_ASSERT_EQ(test, ept_init(&ept), 0);
	eptp = ept_pointer(&ept, false);
	KUNIT_EXPECT_EQ(test, eptp & 7, 6ull);
	KUNIT_EXPECT_EQ(test, (eptp >> 3) & 7, 3ull);
	KUNIT_EXPECT_EQ(test, eptp & BIT_ULL(6), 0ull);
	KUNIT_EXPECT_EQ(test, eptp & ~0xfffull, (u64)__pa(ept.root));
	KUNIT_EXPECT_EQ(test, ept_pointer(&ept, true) & BIT_ULL(6), BIT_ULL(6));
	ept_destroy_action(test, &ept);
}

static struct kunit_case vmxlab_ept_cases[] = {
	KUNIT_CASE_PARAM(ept_map_test, map_gen_params),
	KUNIT_CASE(ept_overlap_test),
	KUNIT_CASE(ept_split_test),
	KUNIT_CASE(ept_unmap_2m_test),
	KUNIT_CASE(ept_prune_test),
	KUNIT_CASE(ept_memtype_test),
	KUNIT_CASE(ept_pointer_test),
	{}
};

static struct kunit_suite vmxlab_ept_suite = {
	.name = "vmxlab_ept",
	.test_cases = vmxlab_ept_cases,
};

kunit_test_suites(&vmxlab_ept_suite);
