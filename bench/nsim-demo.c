/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nsim-demo: stream TCP over a netdevsim pair in two network namespaces
 * and print, per run, throughput and the receiving task's CPU time per
 * GiB. The placeholder for the main job until the zcrx benchmark suite
 * exists. Runs inside the guest (see ./zcrx-lts bench).
 *
 *   nsim-demo [-m MIB] [-n RUNS]
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "helpers.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_self(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int one_run(const struct t_nsim_pair *pair, int run, uint64_t total)
{
	static char buf[1 << 20];
	struct t_stream s;
	double t0, c0, secs, cpu;
	uint64_t got = 0;
	ssize_t n;
	int ret;

	ret = t_stream_start(&s, pair, 6000 + run, total);
	if (ret)
		return ret;
	t0 = now();
	c0 = cpu_self();
	while ((n = recv(s.fd, buf, sizeof(buf), 0)) > 0)
		got += n;
	secs = now() - t0;
	cpu = cpu_self() - c0;
	ret = t_stream_finish(&s);
	if (n < 0 || got != total)
		return t_fail("run %d: received %llu of %llu bytes (%s)", run,
			      (unsigned long long)got,
			      (unsigned long long)total, strerror(errno));
	printf("run %d: %llu MiB in %.2f s = %.1f MiB/s, receiver task CPU %.3f s/GiB\n",
	       run, (unsigned long long)(total >> 20), secs,
	       (total >> 20) / secs, cpu / ((double)total / (1 << 30)));
	return ret;
}

int main(int argc, char **argv)
{
	uint64_t mib = 256;
	struct t_nsim_pair pair;
	int runs = 3, opt, i, ret;

	while ((opt = getopt(argc, argv, "m:n:")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			runs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-m MIB] [-n RUNS]\n", argv[0]);
			return 2;
		}
	}
	ret = t_nsim_pair_create(&pair, 1);
	if (ret)
		return ret;
	printf("netdevsim %s (%s) -> %s (%s), %llu MiB per run, copy receive with recv()\n",
	       pair.ifname[0], pair.netns[0], pair.ifname[1], pair.netns[1],
	       (unsigned long long)mib);
	for (i = 0; i < runs && !ret; i++)
		ret = one_run(&pair, i, mib << 20);
	t_nsim_pair_destroy(&pair);
	return ret;
}
