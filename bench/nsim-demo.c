/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nsim-demo: stream TCP over a netdevsim pair in two network namespaces
 * and print, per run, throughput and the receiving task's CPU time per
 * GiB: the plain TCP path alone, by hand, without fio. Runs inside the
 * guest; the main job is zcrx-bench (./zcrx-lts bench).
 *
 *   nsim-demo [-m MIB] [-n RUNS]
 */
#include <errno.h>
#include <getopt.h>
#include <sys/socket.h>

#include "bench.h"
#include "helpers.h"

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
	t0 = bench_now();
	c0 = bench_task_cpu();
	while ((n = recv(s.fd, buf, sizeof(buf), 0)) > 0)
		got += n;
	secs = bench_now() - t0;
	cpu = bench_task_cpu() - c0;
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
