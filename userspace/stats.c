// SPDX-License-Identifier: GPL-2.0
/*
 * `vmxlab run --stats` and `--stats-json FILE`: the module's exit-latency
 * histograms (uapi/linux/vmxlab.h, "Exit latency";
 * Documentation/exit-latency.rst) as a table and as JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static const char *const kind_names[VMXLAB_LAT_NR_KINDS] = {
	[VMXLAB_LAT_KERNEL] = "kernel",
	[VMXLAB_LAT_USER] = "user",
	[VMXLAB_LAT_ROUND_TRIP] = "round-trip",
};

/* The quantiles printed, and their names. */
static const struct {
	const char *name;
	double p;
} quantiles[] = {
	{ "p50", 0.50 }, { "p90", 0.90 }, { "p99", 0.99 }, { "p99.9", 0.999 },
};

/* Before the first run: the vCPU starts collecting. 0, or -1 after a message. */
int stats_start(struct vm *vm)
{
	int r = vmxlab_set_exit_stats(vm->vcpufd,
				      VMXLAB_STATS_ON | VMXLAB_STATS_RESET);

	if (r < 0) {
		fprintf(stderr, "vmxlab: %s\n",
			vmxlab_explain("exit statistics on", -r));
		return -1;
	}
	return 0;
}

/* The records, or NULL after a message; *st describes them. */
static struct vmxlab_exit_lat *get_records(struct vm *vm, struct vmxlab_exit_stats *st)
{
	struct vmxlab_exit_lat *lat = NULL;
	size_t size = 0;
	int r;

	for (;;) {
		r = vmxlab_get_exit_stats(vm->vcpufd, st, lat, size);
		if (r != -E2BIG)
			break;
		free(lat);
		size = st->size;
		lat = calloc(1, size);
		if (!lat) {
			printf("stats: no exit latency: out of memory\n");
			return NULL;
		}
	}
	if (r < 0 || st->record_size != sizeof(*lat) ||
	    st->nr_buckets != VMXLAB_LAT_BUCKETS ||
	    st->nr_kinds != VMXLAB_LAT_NR_KINDS ||
	    st->nr_reasons > VMXLAB_NR_EXIT_REASONS) {
		printf("stats: no exit latency: %s\n",
		       r < 0 ? vmxlab_explain("get exit statistics", -r) :
		       "the module's layout differs from the tool's");
		free(lat);
		return NULL;
	}
	return lat;
}

static void print_table(const struct vmxlab_exit_stats *st,
			const struct vmxlab_exit_lat *lat)
{
	unsigned int reason, kind, q;

	printf("stats: exit latency in TSC ticks (%u per ms)\n", st->tsc_khz);
	for (reason = 0; reason < st->nr_reasons; reason++) {
		for (kind = 0; kind < VMXLAB_LAT_NR_KINDS; kind++) {
			const struct vmxlab_exit_lat *l =
				&lat[reason * VMXLAB_LAT_NR_KINDS + kind];

			if (!l->count && !l->disturbed)
				continue;
			printf("stats: latency reason=%u kind=%s n=%llu mean=%llu min=%llu",
			       reason, kind_names[kind],
			       (unsigned long long)l->count,
			       l->count ? (unsigned long long)(l->sum / l->count) : 0ULL,
			       (unsigned long long)l->min);
			for (q = 0; q < ARRAY_SIZE(quantiles); q++) {
				uint64_t v = vmxlab_lat_percentile(l, quantiles[q].p);

				printf(" %s=%llu", quantiles[q].name, (unsigned long long)v);
			}
			printf(" max=%llu disturbed=%llu (%s)\n", (unsigned long long)l->max,
			       (unsigned long long)l->disturbed,
			       vmxlab_vmx_exit_reason_name(reason));
		}
	}
}

static void write_json(FILE *f, const struct vmxlab_exit_stats *st,
		       const struct vmxlab_exit_lat *lat)
{
	unsigned int reason, kind, q, i;
	const char *sep = "";

	fprintf(f, "{\n  \"unit\": \"tsc\",\n  \"tsc_khz\": %u,\n", st->tsc_khz);
	fprintf(f, "  \"sub_bucket_bits\": %u,\n  \"exits\": [", st->sub_bucket_bits);
	for (reason = 0; reason < st->nr_reasons; reason++) {
		for (kind = 0; kind < VMXLAB_LAT_NR_KINDS; kind++) {
			const struct vmxlab_exit_lat *l =
				&lat[reason * VMXLAB_LAT_NR_KINDS + kind];
			const char *bsep = "";

			if (!l->count && !l->disturbed)
				continue;
			fprintf(f, "%s\n    {\"reason\": %u, \"name\": \"%s\", ", sep, reason,
				vmxlab_vmx_exit_reason_name(reason));
			fprintf(f, "\"kind\": \"%s\", \"count\": %llu, \"disturbed\": %llu, ",
				kind_names[kind], (unsigned long long)l->count,
				(unsigned long long)l->disturbed);
			fprintf(f, "\"sum\": %llu, \"min\": %llu, \"max\": %llu",
				(unsigned long long)l->sum, (unsigned long long)l->min,
				(unsigned long long)l->max);
			for (q = 0; q < ARRAY_SIZE(quantiles); q++)
				fprintf(f, ", \"%s\": %llu", quantiles[q].name,
					(unsigned long long)
					vmxlab_lat_percentile(l, quantiles[q].p));
			/* The histogram: [least value of the bucket, samples] where any. */
			fprintf(f, ", \"buckets\": [");
			for (i = 0; i < VMXLAB_LAT_BUCKETS; i++) {
				if (!l->buckets[i])
					continue;
				fprintf(f, "%s[%llu, %u]", bsep,
					(unsigned long long)vmxlab_lat_bucket_low(i),
					l->buckets[i]);
				bsep = ", ";
			}
			fprintf(f, "]}");
			sep = ",";
		}
	}
	fprintf(f, "\n  ]\n}\n");
}

/* After the run: the table on stdout, JSON to --stats-json's file. */
void stats_print(struct vm *vm)
{
	struct vmxlab_exit_stats st;
	struct vmxlab_exit_lat *lat = get_records(vm, &st);
	const char *path = vm->opts->stats_json;
	FILE *f;

	if (!lat)
		return;
	if (vm->opts->stats)
		print_table(&st, lat);
	if (path) {
		f = fopen(path, "w");
		if (!f) {
			run_file_error(path, "cannot write: %s", strerror(errno));
		} else {
			write_json(f, &st, lat);
			if (fclose(f))
				run_file_error(path, "cannot write: %s", strerror(errno));
		}
	}
	free(lat);
}
