// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab: the command-line tool that drives /dev/vmxlab.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmxlab.h"

#define DEBUGFS_DIR	"/sys/kernel/debug/vmxlab"

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: vmxlab COMMAND [OPTIONS]\n"
		"\n"
		"commands:\n"
		"  version              tool and kernel ABI versions\n"
		"  caps [--json]        the VMX capability report\n"
		"  probe [--vms N] [--hold SECONDS]\n"
		"                       create N VMs (default 1), hold them, destroy them,\n"
		"                       and show VMX being switched on and off\n"
		"  run [OPTIONS] IMAGE  run a guest (flat, ELF or multiboot image) until it\n"
		"                       halts, exits or fails; 'vmxlab run --help' lists the\n"
		"                       options and exit statuses\n"
		"  trace [OPTIONS] IMAGE\n"
		"                       run --trace: every VM exit printed as it happens\n"
		"  bench [--iterations N] [--json FILE] [--csv FILE] [NAME...]\n"
		"                       the cost of each kind of exit, in ticks\n"
		"  help                 this text\n"
		"\n"
		"Exit status: 0 success, 1 error, 2 usage error; 'run' has its own\n"
		"(see 'vmxlab run --help' and vmxlab(1)).\n");
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmxlab: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_usage(stderr);
	return EXIT_USAGE;
}

int fail(const char *op, int err)
{
	fprintf(stderr, "vmxlab: %s: %s\n", op, vmxlab_explain(op, -err));
	return EXIT_ERROR;
}

/* Opens /dev/vmxlab and checks that the kernel speaks our ABI version. */
int open_dev(int *api)
{
	int fd, v;

	fd = vmxlab_open();
	if (fd < 0) {
		fail("open", fd);
		return -1;
	}
	v = vmxlab_api_version(fd);
	if (v < 0) {
		fail("get API version", v);
		close(fd);
		return -1;
	}
	if (v != VMXLAB_API_VERSION) {
		fprintf(stderr,
			"vmxlab: the kernel module speaks ABI version %d, this tool version %d: rebuild one to match\n",
			v, VMXLAB_API_VERSION);
		close(fd);
		return -1;
	}
	if (api)
		*api = v;
	return fd;
}

static int parse_uint(const char *opt, const char *s, unsigned int max,
		      unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s ? s : "", &end, 0);
	if (!s || !*s || *end || errno || v > max)
		return usage_error("%s needs a number from 0 to %u", opt, max);
	*out = v;
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	int fd, v;

	(void)argv;
	if (argc > 1)
		return usage_error("version takes no options");
	printf("vmxlab tool %s, ABI version %d\n", VMXLAB_TOOL_VERSION,
	       VMXLAB_API_VERSION);
	fd = vmxlab_open();
	if (fd < 0) {
		printf("kernel module: %s\n", vmxlab_explain("open", -fd));
		return EXIT_OK;
	}
	v = vmxlab_api_version(fd);
	close(fd);
	if (v < 0)
		return fail("get API version", v);
	printf("kernel module: ABI version %d\n", v);
	return EXIT_OK;
}

/* CPUs with VMX on, from debugfs; -1 if debugfs is not mounted. */
static int read_vmx_on_cpus(void)
{
	FILE *f = fopen(DEBUGFS_DIR "/vmx_on_cpus", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static void show_vmx_on(const char *when)
{
	int n = read_vmx_on_cpus();

	if (n < 0)
		printf("%-28s (mount debugfs to see VMX state per CPU)\n", when);
	else
		printf("%-28s VMX on in %d of %ld online CPUs\n", when, n,
		       sysconf(_SC_NPROCESSORS_ONLN));
}

static int cmd_probe(int argc, char **argv)
{
	unsigned int nvms = 1, hold = 0, i;
	int fd, r = EXIT_OK, *vms;

	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--vms")) {
			if (parse_uint("--vms", argv[++i], 1024, &nvms))
				return EXIT_USAGE;
			if (!nvms)
				return usage_error("--vms needs at least 1");
		} else if (!strcmp(argv[i], "--hold")) {
			if (parse_uint("--hold", argv[++i], 86400, &hold))
				return EXIT_USAGE;
		} else {
			return usage_error("probe: unknown option '%s'", argv[i]);
		}
	}
	fd = open_dev(NULL);
	if (fd < 0)
		return EXIT_ERROR;
	vms = calloc(nvms, sizeof(*vms));
	if (!vms)
		return fail("probe", -ENOMEM);

	show_vmx_on("before:");
	for (i = 0; i < nvms; i++) {
		vms[i] = vmxlab_create_vm(fd, 0);
		if (vms[i] < 0) {
			r = fail("create VM", vms[i]);
			break;
		}
	}
	if (r == EXIT_OK) {
		printf("created %u VM%s\n", nvms, nvms == 1 ? "" : "s");
		show_vmx_on("while VMs exist:");
		if (hold) {
			printf("holding for %u s\n", hold);
			fflush(stdout);
			sleep(hold);
		}
	}
	while (i--)
		close(vms[i]);
	free(vms);
	if (r == EXIT_OK) {
		printf("destroyed %u VM%s\n", nvms, nvms == 1 ? "" : "s");
		show_vmx_on("after:");
	}
	close(fd);
	return r;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "version", cmd_version },
	{ "caps", cmd_caps },
	{ "probe", cmd_probe },
	{ "run", cmd_run },
	{ "trace", cmd_trace },
	{ "bench", cmd_bench },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage_error("no command given");
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", argv[1]);
}
