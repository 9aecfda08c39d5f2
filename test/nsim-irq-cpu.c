/* SPDX-License-Identifier: MIT */
/*
 * Description: netdevsim raises an rx queue's interrupt on the CPU it is
 * affine to, so the receive stack runs there, not on the sending CPU.
 * Each queue's irq_cpu (debugfs) defaults to its index modulo the online
 * CPUs and refuses a CPU that is not online. A stream sent and read on
 * one CPU, with the receiving queues' interrupts on the other, is
 * received there: the socket's SO_INCOMING_CPU and the NET_RX softirq
 * counts of /proc/softirqs both say so, for either choice of CPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"

#define TOTAL	(8ULL << 20)
#define NR_Q	2

static void irq_cpu_path(char *path, size_t len, const struct t_nsim_pair *p,
			 int side, int q)
{
	snprintf(path, len,
		 "/sys/kernel/debug/netdevsim/netdevsim%d/ports/0/rx_queues/%d/irq_cpu",
		 p->dev_id[side], q);
}

/* Write @val to @path: 0 or the negative errno of the write. */
static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The number in @path, or -1. */
static long get(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f && fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

/* NET_RX softirqs so far on @cpu, from /proc/softirqs. */
static unsigned long long net_rx(int cpu)
{
	char line[4096];
	FILE *f = fopen("/proc/softirqs", "r");
	unsigned long long v = 0;

	t_check(f, "/proc/softirqs: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "NET_RX:");
		int i;

		if (!p)
			continue;
		p += strlen("NET_RX:");
		for (i = 0; i <= cpu; i++)
			v = strtoull(p, &p, 10);
	}
	fclose(f);
	return v;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	t_check(!sched_setaffinity(0, sizeof(set), &set), "pin to CPU %d: %s",
		cpu, strerror(errno));
}

/* A stream sent and read on CPU @app with side 1's interrupts on @irq. */
static int stream_on(struct t_nsim_pair *p, int app, int irq, uint16_t port)
{
	static char buf[256 << 10];
	unsigned long long before, after;
	char path[256], val[16];
	struct t_stream s;
	uint64_t off = 0;
	socklen_t len;
	int ret, q, cpu = -1;

	snprintf(val, sizeof(val), "%d", irq);
	for (q = 0; q < NR_Q; q++) {
		irq_cpu_path(path, sizeof(path), p, 1, q);
		if (put(path, val))
			return t_fail("set %s to %d", path, irq);
	}
	pin(app);
	before = net_rx(irq);
	ret = t_stream_start(&s, p, port, TOTAL);
	if (ret)
		return ret;
	for (;;) {
		ssize_t n = recv(s.fd, buf, sizeof(buf), 0);

		if (n < 0) {
			ret = t_fail("recv: %s", strerror(errno));
			break;
		}
		if (!n)
			break;
		if (t_pattern_check(buf, off, n) >= 0) {
			ret = t_fail("wrong bytes near %llu",
				     (unsigned long long)off);
			break;
		}
		off += n;
	}
	len = sizeof(cpu);
	if (!ret && getsockopt(s.fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len))
		ret = t_fail("SO_INCOMING_CPU: %s", strerror(errno));
	after = net_rx(irq);
	if (t_stream_finish(&s) && !ret)
		ret = t_fail("the sender failed");
	if (ret)
		return ret;
	if (off != TOTAL)
		return t_fail("received %llu of %llu bytes",
			      (unsigned long long)off, TOTAL);
	if (cpu != irq)
		return t_fail("app on CPU %d, interrupts on CPU %d: received on CPU %d",
			      app, irq, cpu);
	if (after == before)
		return t_fail("no NET_RX softirq on CPU %d", irq);
	printf("app on CPU %d: received on CPU %d, %llu NET_RX softirqs there\n",
	       app, cpu, after - before);
	return 0;
}

int main(void)
{
	struct t_nsim_pair pair;
	char path[256], big[32];
	int ret, q;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (ncpus < 2)
		return t_lacks("needs two online CPUs, has %ld", ncpus);
	ret = t_nsim_pair_create(&pair, NR_Q);
	if (ret)
		return ret;

	for (q = 0; q < NR_Q; q++) {
		long cpu;

		irq_cpu_path(path, sizeof(path), &pair, 1, q);
		cpu = get(path);
		if (cpu != q % ncpus) {
			ret = t_fail("%s: %ld, want %ld", path, cpu, q % ncpus);
			goto out;
		}
	}
	/* Bad values: not a number, a CPU beyond the last, a negative one. */
	snprintf(big, sizeof(big), "%ld", sysconf(_SC_NPROCESSORS_CONF) + 4096);
	{
		const char *bad[] = { "cpu1", big, "-1" };
		unsigned int i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			ret = put(path, bad[i]);
			if (ret != -EINVAL) {
				ret = t_fail("irq_cpu %s: %d, want -EINVAL",
					     bad[i], ret);
				goto out;
			}
		}
		if (get(path) != (NR_Q - 1) % ncpus) {
			ret = t_fail("a refused write changed irq_cpu");
			goto out;
		}
	}

	ret = stream_on(&pair, 0, 1, 5301);
	if (!ret)
		ret = stream_on(&pair, 1, 0, 5302);
out:
	t_nsim_pair_destroy(&pair);
	return ret;
}
