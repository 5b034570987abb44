// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for module/stats.h: the log-linear latency histogram
 * (uapi/linux/vmxlab.h, "Exit latency"), which bucket a sample counts in,
 * the inverse the tool uses for percentiles, min/max/sum bookkeeping and
 * the merge that VMXLAB_GET_EXIT_STATS makes of a vCPU's histograms.
 */
#include <kunit/test.h>

#include "../../module/stats.h"

struct bucket_case {
	const char *desc;
	u64 value;
	unsigned int bucket;
};

static const struct bucket_case bucket_cases[] = {
	/* Zero ticks (a TSC that did not move) has a bucket of its own. */
	{ "zero", 0, 0 },
	/* Below 32 every value is its own bucket: exact. */
	{ "one", 1, 1 },
	/* The last exact bucket. */
	{ "31", 31, 31 },
	/* 32 = 16 << 1: the first bucket two values wide. */
	{ "32", 32, 32 },
	/* 33 shares it. */
	{ "33", 33, 32 },
	/* 63: the last of the 32..63 octave, (5 - 4) * 16 + 31. */
	{ "63", 63, 47 },
	/* 64 starts the next octave. */
	{ "64", 64, 48 },
	/* A CPUID round trip in the rig: 628 = 0b1001110100, e = 9, 628 >> 5 = 19. */
	{ "cpuid-628", 628, 99 },
	/* One below a power of two: the last bucket of its octave. */
	{ "1023", 1023, 111 },
	/* 2^35, the top octave's first bucket. */
	{ "2^35", 1ULL << 35, 512 },
	/* 2^36 - 1: the last bucket proper. */
	{ "2^36-1", (1ULL << 36) - 1, VMXLAB_LAT_BUCKETS - 1 },
	/* 2^36 and above are clamped into the last bucket. */
	{ "2^36", 1ULL << 36, VMXLAB_LAT_BUCKETS - 1 },
	/* The largest u64 too. */
	{ "u64-max", U64_MAX, VMXLAB_LAT_BUCKETS - 1 },
};

static void bucket_case_desc(const struct bucket_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bucket, bucket_cases, bucket_case_desc);

static void bucket_test(struct kunit *test)
{
	const struct bucket_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, vmxlab_lat_bucket(c->value), c->bucket);
}

/*
 * Every bucket: its least value maps to it, the value before maps to the
 * bucket before (the buckets tile the line without gaps or overlaps), and
 * a bucket is at most 1/16 of its least value wide (the precision the uapi
 * promises for percentiles).
 */
static void bucket_inverse_test(struct kunit *test)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, vmxlab_lat_bucket_low(0), 0ULL);
	for (i = 1; i < VMXLAB_LAT_BUCKETS; i++) {
		u64 lo = vmxlab_lat_bucket_low(i);
		u64 prev = vmxlab_lat_bucket_low(i - 1);

		KUNIT_EXPECT_EQ_MSG(test, vmxlab_lat_bucket(lo), i, "bucket %u", i);
		KUNIT_EXPECT_EQ_MSG(test, vmxlab_lat_bucket(lo - 1), i - 1, "bucket %u", i);
		KUNIT_EXPECT_GT_MSG(test, lo, prev, "bucket %u", i);
		if (i >= 32)
			KUNIT_EXPECT_LE_MSG(test, (lo - prev) * 16, prev, "bucket %u", i);
	}
}

/* min, max, sum and count over a few samples, from a reset histogram. */
static void lat_add_test(struct kunit *test)
{
	static const u64 samples[] = { 700, 12345, 628, 628 };
	struct vmxlab_exit_lat *l;
	unsigned int i, total = 0;

	l = kunit_kmalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	vmxlab_lat_reset(l);
	for (i = 0; i < ARRAY_SIZE(samples); i++)
		vmxlab_lat_add(l, samples[i]);
	KUNIT_EXPECT_EQ(test, l->count, 4ULL);
	KUNIT_EXPECT_EQ(test, l->min, 628ULL);
	KUNIT_EXPECT_EQ(test, l->max, 12345ULL);
	KUNIT_EXPECT_EQ(test, l->sum, 700ULL + 12345 + 628 + 628);
	KUNIT_EXPECT_EQ(test, l->buckets[vmxlab_lat_bucket(628)], 2U);
	for (i = 0; i < VMXLAB_LAT_BUCKETS; i++)
		total += l->buckets[i];
	KUNIT_EXPECT_EQ(test, total, 4U);
}

/*
 * Merging: an empty histogram changes nothing (its min is U64_MAX), two
 * add up sample for sample, disturbed samples included.
 */
static void lat_merge_test(struct kunit *test)
{
	struct vmxlab_exit_lat *a, *b, *sum;

	a = kunit_kmalloc(test, sizeof(*a), GFP_KERNEL);
	b = kunit_kmalloc(test, sizeof(*b), GFP_KERNEL);
	sum = kunit_kmalloc(test, sizeof(*sum), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && sum);
	vmxlab_lat_reset(a);
	vmxlab_lat_reset(b);
	vmxlab_lat_reset(sum);
	vmxlab_lat_add(a, 5);
	vmxlab_lat_add(a, 600);
	a->disturbed = 2;
	vmxlab_lat_add(b, 40);
	vmxlab_lat_add(b, 90000);
	b->disturbed = 1;
	vmxlab_lat_merge(sum, a);
	KUNIT_EXPECT_EQ(test, sum->min, 5ULL);
	KUNIT_EXPECT_EQ(test, sum->max, 600ULL);
	vmxlab_lat_merge(sum, b);
	KUNIT_EXPECT_EQ(test, sum->count, 4ULL);
	KUNIT_EXPECT_EQ(test, sum->disturbed, 3ULL);
	KUNIT_EXPECT_EQ(test, sum->sum, 5ULL + 600 + 40 + 90000);
	KUNIT_EXPECT_EQ(test, sum->min, 5ULL);
	KUNIT_EXPECT_EQ(test, sum->max, 90000ULL);
	KUNIT_EXPECT_EQ(test, sum->buckets[vmxlab_lat_bucket(90000)], 1U);
	KUNIT_EXPECT_EQ(test, sum->buckets[5], 1U);
}

static struct kunit_case stats_cases[] = {
	KUNIT_CASE_PARAM(bucket_test, bucket_gen_params),
	KUNIT_CASE(bucket_inverse_test),
	KUNIT_CASE(lat_add_test),
	KUNIT_CASE(lat_merge_test),
	{}
};

static struct kunit_suite vmxlab_stats_suite = {
	.name = "vmxlab_stats",
	.test_cases = stats_cases,
};

kunit_test_suites(&vmxlab_stats_suite);
