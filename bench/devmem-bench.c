/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devmem-bench: receive cost of devmem TCP against copy receive, on a
 * netdevsim pair with header split, measured side by side (copy, devmem,
 * devmem-bar, copy, ...) as ../shared/spec/measuring.md asks: devmem into
 * a udmabuf (RAM), and devmem-bar into device memory (a dma-buf of the
 * ivshmem heap, a PCI BAR without struct pages; with -B only, for a guest
 * booted with vm run --devmem-bar).
 *
 *   devmem-bench [-m MIB] [-n RUNS] [-B]
 *
 * The sender runs on CPU 0, the receiving task on CPU 1. For each run it
 * prints throughput, the receiving task's CPU time per GiB (getrusage) and
 * CPU 1's busy time per GiB (/proc/stat), then the medians per mode and
 * their ratio. netdevsim's simulated DMA runs in the sender's transmit,
 * and the receive softirq on rx queue 0's interrupt CPU, which is CPU 0 by
 * default (netdevsim's irq_cpu), so both are charged to CPU 0, as a real
 * NIC's DMA costs the receiving CPU nothing: the numbers are the
 * receiving task's own work (copy to user space versus cmsgs and token
 * returns). Received bytes are not verified here; the tests do that.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>

#include "bench.h"
#include "devmem.h"

#define BUF_SIZE	(64UL << 20)
#define MAX_RUNS	64

enum mode { COPY, DEVMEM, DEVMEM_BAR, NR_MODES };
static const char *const mode_name[NR_MODES] = {
	"copy", "devmem", "devmem-bar",
};

/* the device memory dma-buf of DEVMEM_BAR */
static struct t_udmabuf bar = { .fd = -1, .memfd = -1 };

struct sample {
	double mib_s, task_s_gib, cpu_s_gib;
};

static int one_run(struct t_devmem *d, enum mode mode, int run,
		   uint64_t total, struct sample *out)
{
	const struct t_udmabuf *buf = mode == DEVMEM_BAR ? &bar : &d->buf;
	struct t_binding b = { .fd = -1 };
	struct t_devmem_rx rx;
	double t0, c0, b0, gib;
	struct t_stream s;
	int ret;

	if (mode != COPY) {
		ret = t_devmem_bind(d->ns, d->ifindex, 0, buf->fd, &b);
		if (ret)
			return t_fail("BIND_RX: %s", strerror(-ret));
	}
	ret = t_devmem_rx_init(&rx, buf, b.id);
	if (ret)
		goto out_unbind;
	rx.devmem = mode != COPY;
	rx.noverify = true;

	/* The sender inherits CPU 0; the receiver then moves to CPU 1. */
	bench_pin(0);
	ret = t_stream_start(&s, &d->pair, 7000 + run * NR_MODES + mode,
			     total);
	bench_pin(1);
	if (ret)
		goto out_free;
	t0 = bench_now();
	c0 = bench_task_cpu();
	b0 = bench_cpu_busy(1);
	ret = t_devmem_recv(s.fd, &rx, total);
	if (!ret)
		ret = t_devmem_flush_tokens(s.fd, &rx);
	gib = (double)rx.off / (1 << 30);
	out->mib_s = (rx.off >> 20) / (bench_now() - t0);
	out->task_s_gib = (bench_task_cpu() - c0) / gib;
	out->cpu_s_gib = (bench_cpu_busy(1) - b0) / gib;
	if (ret) {
		t_stream_abort(&s);
		goto out_free;
	}
	ret = t_stream_finish(&s);
	if (!ret && rx.off != total)
		ret = t_fail("%s run %d: %llu of %llu bytes", mode_name[mode],
			     run, (unsigned long long)rx.off,
			     (unsigned long long)total);
	if (!ret)
		printf("run %d %-10s %7.1f MiB/s  task %.3f s/GiB  cpu1 %.3f s/GiB  (dma-buf %llu MiB, copied %llu MiB)\n",
		       run, mode_name[mode], out->mib_s, out->task_s_gib,
		       out->cpu_s_gib,
		       (unsigned long long)(rx.dmabuf_bytes >> 20),
		       (unsigned long long)((rx.plain_bytes +
					     rx.linear_bytes) >> 20));
out_free:
	t_devmem_rx_free(&rx);
out_unbind:
	t_devmem_unbind(&b);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median and spread (max - min) of field @off of @n samples. */
static double median(const struct sample *s, int n, size_t off,
		     double *spread)
{
	double v[MAX_RUNS];
	int i;

	for (i = 0; i < n; i++)
		v[i] = *(const double *)((const char *)&s[i] + off);
	qsort(v, n, sizeof(v[0]), cmp_double);
	*spread = v[n - 1] - v[0];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static struct sample res[NR_MODES][MAX_RUNS];
	double med[NR_MODES][3], spread;
	int runs = 5, opt, i, m, ret, modes = DEVMEM_BAR;
	uint64_t mib = 256;
	struct t_devmem d;

	while ((opt = getopt(argc, argv, "m:n:B")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			runs = atoi(optarg);
			break;
		case 'B':
			modes = NR_MODES;
			break;
		default:
			fprintf(stderr, "usage: %s [-m MIB] [-n RUNS] [-B]\n",
				argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS || !mib)
		return t_fail("runs must be 1..%d, MiB > 0", MAX_RUNS);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return t_skip("needs two CPUs");
	ret = t_devmem_setup(&d, BUF_SIZE);
	if (ret)
		return ret;
	if (modes > DEVMEM_BAR) {
		ret = t_heap_dmabuf_create(&bar, BUF_SIZE);
		if (ret) {
			t_devmem_cleanup(&d);
			return ret;
		}
	}
	printf("devmem-bench: %llu MiB per run, %d runs per mode, %s, MTU 1500, sender CPU 0, receiver CPU 1\n",
	       (unsigned long long)mib, runs, d.pair.ifname[1]);
	for (i = 0; i < runs && !ret; i++)
		for (m = 0; m < modes && !ret; m++)
			ret = one_run(&d, m, i, mib << 20, &res[m][i]);
	t_udmabuf_destroy(&bar);
	t_devmem_cleanup(&d);
	if (ret)
		return ret;

	for (m = 0; m < modes; m++) {
		med[m][0] = median(res[m], runs, offsetof(struct sample, mib_s),
				   &spread);
		printf("median %-10s %7.1f MiB/s (spread %.1f)", mode_name[m],
		       med[m][0], spread);
		med[m][1] = median(res[m], runs,
				   offsetof(struct sample, task_s_gib), &spread);
		printf("  task %.3f s/GiB (spread %.3f)", med[m][1], spread);
		med[m][2] = median(res[m], runs,
				   offsetof(struct sample, cpu_s_gib), &spread);
		printf("  cpu1 %.3f s/GiB (spread %.3f)\n", med[m][2], spread);
	}
	printf("devmem/copy: throughput %.2fx, receiving task CPU per GiB %.2fx, CPU 1 busy per GiB %.2fx\n",
	       med[DEVMEM][0] / med[COPY][0], med[DEVMEM][1] / med[COPY][1],
	       med[DEVMEM][2] / med[COPY][2]);
	if (modes > DEVMEM_BAR)
		printf("devmem-bar/copy: throughput %.2fx, receiving task CPU per GiB %.2fx, CPU 1 busy per GiB %.2fx\n",
		       med[DEVMEM_BAR][0] / med[COPY][0],
		       med[DEVMEM_BAR][1] / med[COPY][1],
		       med[DEVMEM_BAR][2] / med[COPY][2]);
	return 0;
}
