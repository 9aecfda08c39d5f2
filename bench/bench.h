/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmarks measure with: wall time, the calling process's CPU
 * time, a CPU's busy time, and CPU pinning (../shared/spec/measuring.md).
 */
#ifndef ZCRX_BENCH_H
#define ZCRX_BENCH_H

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User plus system time of this process (not its children), in seconds. */
static inline double bench_task_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/*
 * Busy seconds of CPU @cpu so far: all its /proc/stat time but idle and
 * iowait (user, nice, system, irq, softirq, steal); -1 if unknown.
 */
static inline double bench_cpu_busy(int cpu)
{
	unsigned long long v[8] = { 0 };
	char line[256], name[16];
	double busy = -1;
	FILE *f;

	f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	snprintf(name, sizeof(name), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, strlen(name)))
			continue;
		if (sscanf(line + strlen(name),
			   "%llu %llu %llu %llu %llu %llu %llu %llu",
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) == 8)
			busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] +
					v[7]) / sysconf(_SC_CLK_TCK);
		break;
	}
	fclose(f);
	return busy;
}

static inline void bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

#endif
