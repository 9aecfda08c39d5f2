// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx-bench-helper: what zcrx-bench needs that no installed tool does.
 *
 *   zcrx-bench-helper hds IFNAME QUEUE
 *
 * Header split on IFNAME as zcrx needs it (tcp-data-split on, hds-thresh
 * 0; Debian 12's ethtool 6.1 can set neither over netlink), with
 * liburing-ext's io_uring_zcrx_enable_hds() when io_uring_zcrx_check()
 * finds it off, then the check again: exits 0 only when nothing the check
 * can see is in the way of zcrx on rx queue QUEUE.
 *
 *   zcrx-bench-helper stat
 *
 * One line for measuring CPU busy time over an interval: the time
 * (CLOCK_REALTIME, as bash's EPOCHREALTIME, in microseconds), then each
 * CPU's idle plus iowait time from /proc/stat, in microseconds:
 *
 *   bench-stat: T_US IDLE_CPU0_US IDLE_CPU1_US ...
 *
 * zcrx-bench runs it as fio's exec_postrun, which fio runs when the job's
 * I/O is over and before the engine's cleanup, so that a run's CPU time
 * ends with its last byte, not with the receiver's teardown.
 *
 *   zcrx-bench-helper trunc PORT BYTES
 *
 * The no-copy floor: accepts one TCP connection on PORT (IPv6 any, IPv4
 * too) and consumes the stream with recv(MSG_TRUNC), which on a TCP socket
 * frees what arrived without copying a byte to user space; what is left is
 * the socket layer, wakeups and ACKs, which every receive path pays. It
 * reads until the sender closes (fio's net engine ends with an 8-byte
 * close message, so nothing is left unread) and prints
 *
 *   trunc-recv: bytes=BYTES total=T wall_s=W task_s=C
 *
 * W the time from the accept to the arrival of the first BYTES bytes, C
 * this process's user plus system time (getrusage) over the same span, T
 * everything read, after a bench-stat line taken at that last byte. Fails
 * when fewer than BYTES arrived.
 *
 *   zcrx-bench-helper devmem PORT BYTES IFNAME QUEUE
 *
 * devmem TCP into device memory: a 32 MiB dma-buf of the ivshmem heap
 * (/dev/dma_heap/ivshmem-*, a PCI BAR without struct pages) bound to rx
 * queue QUEUE of IFNAME (BIND_RX, in the current network namespace), the
 * stream received with recvmsg(MSG_SOCK_DEVMEM) and every token given back
 * with SO_DEVMEM_DONTNEED, the bytes not read (the tests check them).
 * Prints a bench-stat line at the BYTES-th byte and
 *
 *   devmem-recv: bytes=BYTES total=T wall_s=W task_s=C dmabuf_bytes=D
 *     copied_bytes=L
 *
 * as trunc does, D the bytes in dma-buf frags and L those that were not
 * (linear or in readable skbs).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <liburing-ext.h>

#include "bench.h"
#include "devmem.h"

#define DEVMEM_BUF	(32UL << 20)

/* The bench-stat line into @buf (USER_HZ is 100 on x86: 10000 us a tick). */
static void stat_line(char *buf, size_t len)
{
	unsigned long long idle, iowait;
	struct timespec ts;
	char line[512];
	size_t n;
	FILE *f;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(buf, len, "bench-stat: %llu",
		     (unsigned long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	f = fopen("/proc/stat", "r");
	while (f && fgets(line, sizeof(line), f) && n < len) {
		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line, "%*s %*u %*u %*u %llu %llu", &idle, &iowait) == 2)
			n += snprintf(buf + n, len - n, " %llu",
				      (idle + iowait) * 10000);
	}
	if (f)
		fclose(f);
}

static int hds(const char *ifname, unsigned int queue)
{
	int ret = io_uring_zcrx_check(ifname, 0, queue, 0), ifindex;
	const char *why;

	if (ret == IO_URING_ZCRX_HDS_OFF || ret == IO_URING_ZCRX_HDS_THRESH) {
		ifindex = io_uring_zcrx_ifindex(ifname);
		ret = ifindex < 0 ? ifindex :
		      io_uring_zcrx_enable_hds((unsigned int)ifindex);
		if (ret) {
			why = io_uring_zcrx_last_error();
			fprintf(stderr, "zcrx-bench-helper: header split on %s: %s%s%s\n",
				ifname, io_uring_zcrx_strerror(ret),
				why ? ": " : "", why ? why : "");
			return 1;
		}
		ret = io_uring_zcrx_check(ifname, 0, queue, 0);
	}
	if (ret) {
		fprintf(stderr, "zcrx-bench-helper: %s queue %u: %s\n", ifname,
			queue, io_uring_zcrx_strerror(ret));
		return 1;
	}
	printf("%s: tcp-data-split on, hds-thresh 0; zcrx can bind queue %u\n",
	       ifname, queue);
	return 0;
}

static int trunc_recv(unsigned int port, uint64_t want)
{
	/* never touched: MSG_TRUNC copies nothing into it */
	static char sink[1 << 20];
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	double t0, c0, wall = 0, task = 0;
	char stat[512] = "";
	uint64_t total = 0;
	int one = 1, lfd, fd;
	ssize_t n;

	lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin6_port = htons(port);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		fprintf(stderr, "trunc-recv: port %u: %s\n", port, strerror(errno));
		return 1;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "trunc-recv: accept: %s\n", strerror(errno));
		return 1;
	}
	t0 = bench_now();
	c0 = bench_task_cpu();
	while ((n = recv(fd, sink, sizeof(sink), MSG_TRUNC)) > 0) {
		if (total < want && total + n >= want) {
			wall = bench_now() - t0;
			task = bench_task_cpu() - c0;
			stat_line(stat, sizeof(stat));
		}
		total += n;
	}
	if (n < 0) {
		fprintf(stderr, "trunc-recv: recv after %llu bytes: %s\n",
			(unsigned long long)total, strerror(errno));
		return 1;
	}
	close(fd);
	close(lfd);
	if (stat[0])
		printf("%s\n", stat);
	printf("trunc-recv: bytes=%llu total=%llu wall_s=%.6f task_s=%.6f\n",
	       (unsigned long long)(total < want ? total : want),
	       (unsigned long long)total, wall, task);
	if (total < want) {
		fprintf(stderr, "trunc-recv: the stream ended after %llu of %llu bytes\n",
			(unsigned long long)total, (unsigned long long)want);
		return 1;
	}
	return 0;
}

static int listen_accept(unsigned int port, int *lfd)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	int one = 1, fd;

	*lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin6_port = htons(port);
	if (*lfd < 0 ||
	    setsockopt(*lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(*lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(*lfd, 1))
		return -errno;
	fd = accept4(*lfd, NULL, NULL, SOCK_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int devmem_recv(unsigned int port, uint64_t want, const char *ifname,
		       unsigned int queue)
{
	struct t_udmabuf buf = { .fd = -1, .memfd = -1 };
	struct t_binding b = { .fd = -1 };
	struct t_devmem_rx rx;
	double t0, c0, wall, task;
	char stat[512];
	int ifindex, lfd = -1, fd = -1, ret;

	ifindex = io_uring_zcrx_ifindex(ifname);
	if (ifindex < 0) {
		fprintf(stderr, "devmem-recv: %s: %s\n", ifname,
			strerror(-ifindex));
		return 1;
	}
	if (t_heap_dmabuf_create(&buf, DEVMEM_BUF))
		return 1;
	ret = t_devmem_bind(NULL, ifindex, queue, buf.fd, &b);
	if (ret) {
		fprintf(stderr, "devmem-recv: BIND_RX to %s queue %u: %s\n",
			ifname, queue, strerror(-ret));
		goto out;
	}
	ret = t_devmem_rx_init(&rx, &buf, b.id);
	if (ret)
		goto out;
	rx.devmem = true;
	rx.noverify = true;
	fd = listen_accept(port, &lfd);
	if (fd < 0) {
		fprintf(stderr, "devmem-recv: port %u: %s\n", port,
			strerror(-fd));
		ret = 1;
		goto out_rx;
	}
	t0 = bench_now();
	c0 = bench_task_cpu();
	ret = t_devmem_recv(fd, &rx, want);
	wall = bench_now() - t0;
	task = bench_task_cpu() - c0;
	stat_line(stat, sizeof(stat));
	/* the rest (fio's close message) to EOF, then the last tokens */
	if (!ret)
		ret = t_devmem_recv(fd, &rx, UINT64_MAX);
	if (!ret)
		ret = t_devmem_flush_tokens(fd, &rx);
	if (ret)
		goto out_rx;
	printf("%s\n", stat);
	printf("devmem-recv: bytes=%llu total=%llu wall_s=%.6f task_s=%.6f dmabuf_bytes=%llu copied_bytes=%llu\n",
	       (unsigned long long)(rx.off < want ? rx.off : want),
	       (unsigned long long)rx.off, wall, task,
	       (unsigned long long)rx.dmabuf_bytes,
	       (unsigned long long)(rx.linear_bytes + rx.plain_bytes));
	if (rx.off < want) {
		fprintf(stderr, "devmem-recv: the stream ended after %llu of %llu bytes\n",
			(unsigned long long)rx.off, (unsigned long long)want);
		ret = 1;
	}
out_rx:
	t_devmem_rx_free(&rx);
out:
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
	t_devmem_unbind(&b);
	t_udmabuf_destroy(&buf);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long long a, b;
	char stat[512];

	if (argc == 2 && !strcmp(argv[1], "stat")) {
		stat_line(stat, sizeof(stat));
		printf("%s\n", stat);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "hds")) {
		a = strtoull(argv[3], NULL, 0);
		return hds(argv[2], (unsigned int)a);
	}
	if (argc == 4 && !strcmp(argv[1], "trunc")) {
		a = strtoull(argv[2], NULL, 0);
		b = strtoull(argv[3], NULL, 0);
		if (a && a <= 65535 && b)
			return trunc_recv((unsigned int)a, b);
	}
	if (argc == 6 && !strcmp(argv[1], "devmem")) {
		a = strtoull(argv[2], NULL, 0);
		b = strtoull(argv[3], NULL, 0);
		if (a && a <= 65535 && b)
			return devmem_recv((unsigned int)a, b, argv[4],
					   (unsigned int)strtoul(argv[5], NULL, 0));
	}
	fprintf(stderr, "usage: %s hds IFNAME QUEUE | stat | trunc PORT BYTES | devmem PORT BYTES IFNAME QUEUE\n",
		argv[0]);
	return 2;
}
