/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers shared by the /dev/vmxlab ABI test programs (abi-test.c,
 * run-abi-test.c, abi-fuzz.c): ioctl() with -errno results, debugfs
 * counters, sleeping and signal handlers. Everything is static inline, so
 * that a program may use only some of them without warnings; include it
 * after the system headers (and after _GNU_SOURCE where a program wants it).
 */
#ifndef VMXLAB_TEST_HELPERS_H
#define VMXLAB_TEST_HELPERS_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* xioctl: ioctl(), returning -errno on failure. */
static inline long xioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/*
 * read_debugfs: the number in /sys/kernel/debug/vmxlab/NAME, or -1 if the
 * file is missing or does not start with a number.
 */
static inline long read_debugfs(const char *name)
{
	char path[128];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vmxlab/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* sleep_ms: sleep MS milliseconds, on through signals. */
static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * catch_signal: HANDLER for signal SIG, without SA_RESTART: a signal makes
 * a blocking ioctl (RUN) return -EINTR.
 */
static inline void catch_signal(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

#endif /* VMXLAB_TEST_HELPERS_H */
