// SPDX-License-Identifier: GPL-2.0
/*
 * cpu-hop PERIOD_MS PID: every PERIOD_MS milliseconds, pin every thread of
 * process PID to the next online CPU (sched_setaffinity), round robin,
 * until PID has exited (or is a zombie). Then prints
 *   cpu-hop: N moves, a thread seen on M CPUs, K CPU changes seen
 * where M and K are the most for one thread (read from the "processor"
 * field of /proc/PID/task/TID/stat after each move): the proof that the
 * thread really changed CPU. Used by t_run_cpu_hop (tests/guest/guests.sh)
 * to move a running vCPU between CPUs.
 * Exit status: 0, 2 usage or fewer than two CPUs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64

struct seen {
	int tid;
	int last_cpu;
	int changes;
	cpu_set_t cpus;
};

static struct seen threads[MAX_THREADS];
static int nthreads;

static struct seen *thread_slot(int tid)
{
	int i;

	for (i = 0; i < nthreads; i++)
		if (threads[i].tid == tid)
			return &threads[i];
	if (nthreads == MAX_THREADS)
		return NULL;
	memset(&threads[nthreads], 0, sizeof(threads[0]));
	threads[nthreads].tid = tid;
	threads[nthreads].last_cpu = -1;
	return &threads[nthreads++];
}

/* The state letter and the processor (field 39) of a task, or -1. */
static int task_stat(const char *path, char *state)
{
	char buf[1024], *p;
	int field, cpu = -1;
	FILE *f;
	size_t n;

	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || !p[1] || !p[2])
		return -1;
	*state = p[2];
	/* p + 2 is field 3; field 39 is 36 fields on */
	p += 2;
	for (field = 3; field < 39 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		cpu = atoi(p);
	return cpu;
}

static int process_alive(int pid)
{
	char path[64], state = '?';

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (task_stat(path, &state) < 0)
		return 0;
	return state != 'Z' && state != 'X' && state != 'x';
}

/*
 * Pin every thread of PID to CPU and note where each one is. Returns how
 * many threads were pinned.
 */
static int move_threads(int pid, int cpu)
{
	char path[300], state;
	struct dirent *d;
	struct seen *s;
	cpu_set_t set;
	int moved = 0, tid, where;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	while ((d = readdir(dir))) {
		tid = atoi(d->d_name);
		if (tid <= 0)
			continue;
		if (sched_setaffinity(tid, sizeof(set), &set) == 0)
			moved++;
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		where = task_stat(path, &state);
		s = thread_slot(tid);
		if (!s || where < 0)
			continue;
		if (s->last_cpu >= 0 && s->last_cpu != where)
			s->changes++;
		s->last_cpu = where;
		CPU_SET(where, &s->cpus);
	}
	closedir(dir);
	return moved;
}

int main(int argc, char **argv)
{
	int cpus[CPU_SETSIZE], ncpus = 0, i, pid, moves = 0, most_cpus = 0;
	int most_changes = 0;
	struct timespec period;
	cpu_set_t online;
	long ms;

	if (argc != 3) {
		fprintf(stderr, "usage: cpu-hop PERIOD_MS PID\n");
		return 2;
	}
	ms = strtol(argv[1], NULL, 0);
	pid = strtol(argv[2], NULL, 0);
	if (ms <= 0 || pid <= 0) {
		fprintf(stderr, "cpu-hop: bad PERIOD_MS or PID\n");
		return 2;
	}
	/* The CPUs this process may use: all online ones. */
	if (sched_getaffinity(0, sizeof(online), &online) < 0) {
		perror("cpu-hop: sched_getaffinity");
		return 2;
	}
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &online))
			cpus[ncpus++] = i;
	if (ncpus < 2) {
		fprintf(stderr, "cpu-hop: only %d CPU, nothing to hop between\n",
			ncpus);
		return 2;
	}
	period.tv_sec = ms / 1000;
	period.tv_nsec = (ms % 1000) * 1000000;
	for (i = 0; process_alive(pid); i++) {
		if (move_threads(pid, cpus[i % ncpus]) > 0)
			moves++;
		nanosleep(&period, NULL);
	}
	for (i = 0; i < nthreads; i++) {
		if (CPU_COUNT(&threads[i].cpus) > most_cpus)
			most_cpus = CPU_COUNT(&threads[i].cpus);
		if (threads[i].changes > most_changes)
			most_changes = threads[i].changes;
	}
	printf("cpu-hop: %d moves, a thread seen on %d CPUs, %d CPU changes seen\n",
	       moves, most_cpus, most_changes);
	return 0;
}
