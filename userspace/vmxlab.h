/* SPDX-License-Identifier: GPL-2.0 */
/* The vmxlab tool's own shared declarations. */
#ifndef VMXLAB_TOOL_H
#define VMXLAB_TOOL_H

#include "lib/libvmxlab.h"

/* Exit statuses shared by every command (see Documentation/vmxlab.1). */
#define EXIT_OK		0
#define EXIT_ERROR	1
#define EXIT_USAGE	2

/* From the top-level VERSION file, by the Makefile. */
#ifndef VMXLAB_TOOL_VERSION
#error "build with userspace/Makefile: it defines VMXLAB_TOOL_VERSION"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail(const char *op, int err);
int open_dev(int *api);

int cmd_caps(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif /* VMXLAB_TOOL_H */
