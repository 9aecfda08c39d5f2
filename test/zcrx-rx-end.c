/* SPDX-License-Identifier: MIT */
/*
 * Description: how RECV_ZC requests end, on netdevsim (header split on,
 * hds-thresh 0, flow steered to the bound queue 1), every byte checked.
 * len: requests with len 1 end, each after exactly one byte, with a res 0
 * CQE without F_MORE; then requests with len 100003 re-armed one after the
 * other each end after exactly len bytes, until the last one reaches EOF.
 * EOF: the peer closing ends the request with res 0 and no F_MORE, both
 * after data and on a connection closed before sending anything; recv()
 * then reads 0 and a request armed after EOF ends at once with res 0.
 * CQ overflow: with an 8-entry CQ that is not reaped while data arrives,
 * the kernel overflows the CQ; the request ends with ENOSPC, is re-armed,
 * and all 8 MiB still arrive intact and in order. Every byte of every
 * case arrives zero-copy (no copy in the statistics, every CQE and byte in
 * the kernel's zero-copy count).
 * Skips without netdevsim, header split, or zcrx with statistics (fails
 * on the project's kernel, which has them).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "devmem.h"
#include "zcrx.h"

#define LEN	100003U

static int setup_ifq(struct t_zcrx *z, const struct t_zcrx_nsim *n,
		     unsigned int sq, unsigned int cq)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = 16UL << 20,
		.sq_entries = sq, .cq_entries = cq,
	};
	char what[96];

	snprintf(what, sizeof(what), "a 16 MiB area on %s queue %u (CQ %u)",
		 n->pair.ifname[1], n->rxq, cq);
	return t_zcrx_setup_checked(z, &o, what);
}

/* After EOF: recv() reads 0, and a new request ends at once with res 0. */
static int after_eof(struct t_zcrx_rx *rx)
{
	uint64_t off = rx->off, cqes = rx->cqes;
	char c;
	ssize_t r;
	int ret;

	r = recv(rx->fd, &c, 1, MSG_DONTWAIT);
	if (r != 0)
		return t_fail("recv() after the EOF CQE: %zd (%s), want 0", r,
			      r < 0 ? strerror(errno) : "data");
	rx->eof = false;
	rx->timeout_ms = 10000;
	ret = t_zcrx_recv(rx, UINT64_MAX);
	if (ret)
		return ret;
	if (!rx->eof || rx->off != off || rx->cqes != cqes)
		return t_fail("RECV_ZC armed after EOF: eof %d, %llu more bytes in %llu CQEs, want only res 0",
			      rx->eof, (unsigned long long)(rx->off - off),
			      (unsigned long long)(rx->cqes - cqes));
	return 0;
}

static int len_limit(const struct t_zcrx_nsim *n)
{
	const uint64_t total = (4ULL << 20) + 12345;
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	uint64_t rest, want_ends;
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int i, ret;

	ret = setup_ifq(&z, n, 64, 0);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_stream_start(&s, &n->pair, 5421, total);
	if (ret)
		goto out;
	rx.fd = s.fd;
	rx.len = 1;
	for (i = 0; i < 3; i++) {
		ret = t_zcrx_recv(&rx, UINT64_MAX);
		if (ret)
			goto out;
		if (!rx.len_end || rx.req_bytes != 1 ||
		    rx.off != (uint64_t)i + 1) {
			ret = t_fail("request %d with len 1: ended at len %d after %llu bytes (%llu in all, eof %d), want 1",
				     i, rx.len_end,
				     (unsigned long long)rx.req_bytes,
				     (unsigned long long)rx.off, rx.eof);
			goto out;
		}
	}
	rx.len = LEN;
	rx.rearm_len = true;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	rest = total - 3;
	want_ends = 3 + rest / LEN;
	if (!rx.eof || rx.off != total || rx.len_ends != want_ends ||
	    rx.req_bytes != rest % LEN) {
		ret = t_fail("len %u: %llu bytes, %llu requests ended at len, last got %llu (eof %d); want %llu, %llu, %llu",
			     LEN, (unsigned long long)rx.off,
			     (unsigned long long)rx.len_ends,
			     (unsigned long long)rx.req_bytes, rx.eof,
			     (unsigned long long)total,
			     (unsigned long long)want_ends,
			     (unsigned long long)(rest % LEN));
		goto out;
	}
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC, "len 1 x 3, then len 100003");
	if (ret)
		goto out;
	/* a request split inside buffers: later parts start mid-buffer */
	if (!rx.mid_cqes) {
		ret = t_fail("len %u: no CQE starts inside a buffer", LEN);
		goto out;
	}
	ret = after_eof(&rx);
	if (ret)
		goto out;
	ret = t_stream_finish(&s);
	s.sender = 0;
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

static int close_at_once(int fd, void *arg)
{
	(void)arg;
	close(fd);
	return T_EXIT_PASS;
}

static int empty_stream(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int ret;

	ret = setup_ifq(&z, n, 64, 0);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_zcrx_stream_start(&s, &n->pair, 5422, close_at_once, NULL);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	if (!rx.eof || rx.off || rx.cqes || rx.arms != 1) {
		ret = t_fail("connection closed without data: eof %d after %llu bytes in %llu CQEs and %llu requests",
			     rx.eof, (unsigned long long)rx.off,
			     (unsigned long long)rx.cqes,
			     (unsigned long long)rx.arms);
		goto out;
	}
	ret = after_eof(&rx);
	if (ret)
		goto out;
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC, "EOF without data");
	if (ret)
		goto out;
	printf("EOF without data: res 0 without F_MORE, again after re-arming\n");
	ret = t_stream_finish(&s);
	s.sender = 0;
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

static int cq_overflow(const struct t_zcrx_nsim *n)
{
	const uint64_t total = 8ULL << 20;
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	unsigned int ready;
	int ret;

	ret = setup_ifq(&z, n, 4, 8);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_stream_start(&s, &n->pair, 5423, total);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_fill_cq(&rx, 30000);
	if (ret)
		goto out;
	ready = io_uring_cq_ready(&z.ring);
	printf("CQ of %u overflowed with %u CQEs ready\n",
	       *z.ring.cq.kring_entries, ready);
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	if (!rx.eof || rx.off != total) {
		ret = t_fail("after CQ overflow: stream ended after %llu bytes (eof %d), sent %llu",
			     (unsigned long long)rx.off, rx.eof,
			     (unsigned long long)total);
		goto out;
	}
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC,
			      "CQ overflow, re-armed after ENOSPC");
	if (ret)
		goto out;
	if (!rx.enospc) {
		ret = t_fail("CQ overflowed but no request ended with ENOSPC");
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = { len_limit, empty_stream, cq_overflow, NULL };

	return t_zcrx_nsim_run(cases);
}
