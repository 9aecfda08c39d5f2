/* SPDX-License-Identifier: MIT */
/*
 * Description: zcrx buffers held by the application on netdevsim (header
 * split on, hds-thresh 0, flow steered to the bound queue 1).
 * Lazy return: a 64 MiB stream into an 8 MiB area, buffers kept until 512
 * are held and then returned newest first; every held buffer must still
 * hold its bytes when it is returned (the kernel never reuses a buffer
 * the user holds), all bytes arrive, and at least 90% zero-copy.
 * An area smaller than the stream: with a 2 MiB area and every buffer
 * held, the receive stalls (no completion for 3 s) with at most the
 * area's bytes received, none of them changed; once all are returned
 * the stream resumes and all 16 MiB arrive intact.
 * Skips without netdevsim, header split, or zcrx with statistics.
 */
#include <errno.h>
#include <string.h>

#include "devmem.h"
#include "zcrx.h"

static int setup_ifq(struct t_zcrx *z, const struct t_zcrx_nsim *n,
		     size_t area_len)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = area_len,
	};
	char what[96];

	snprintf(what, sizeof(what), "a %zu MiB area on %s queue %u",
		 area_len >> 20, n->pair.ifname[1], n->rxq);
	return t_zcrx_setup_checked(z, &o, what);
}

static int finish(struct t_zcrx_rx *rx, struct t_stream *s, uint64_t total,
		  const char *what)
{
	int ret;

	if (!rx->eof || rx->off != total)
		return t_fail("%s: stream ended after %llu bytes (eof %d), sent %llu",
			      what, (unsigned long long)rx->off, rx->eof,
			      (unsigned long long)total);
	ret = t_stream_finish(s);
	s->sender = 0;
	if (ret)
		return ret;
	ret = t_zcrx_return(rx, SIZE_MAX, false);
	if (ret)
		return ret;
	if (rx->nheld || rx->returned != rx->cqes)
		return t_fail("%s: %llu buffers returned for %llu CQEs, %zu still held",
			      what, (unsigned long long)rx->returned,
			      (unsigned long long)rx->cqes, rx->nheld);
	t_zcrx_rx_print(rx, what);
	return 0;
}

static int lazy(const struct t_zcrx_nsim *n)
{
	const uint64_t total = 64ULL << 20;
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int ret;

	ret = setup_ifq(&z, n, 8UL << 20);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	rx.lazy = 512;
	ret = t_stream_start(&s, &n->pair, 5411, total);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	ret = finish(&rx, &s, total, "lazy return, 512 buffers at a time");
	if (ret)
		goto out;
	if (rx.zc_bytes * 10 < rx.off * 9) {
		ret = t_fail("only %llu of %llu bytes zero-copy, want >= 90%%",
			     (unsigned long long)rx.zc_bytes,
			     (unsigned long long)rx.off);
		goto out;
	}
	ret = T_EXIT_PASS;
out:
	if (ret == T_EXIT_FAIL)
		t_zcrx_nsim_dump(n, s.sender);
	if (s.sender > 0)
		t_stream_abort(&s);
	t_zcrx_rx_free(&rx);
	t_zcrx_cleanup(&z);
	return ret;
}

static int small_area(const struct t_zcrx_nsim *n)
{
	const uint64_t total = 16ULL << 20;
	const size_t area_len = 2UL << 20;
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	uint64_t held;
	int ret;

	ret = setup_ifq(&z, n, area_len);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	rx.hold = true;
	rx.stall_ok = true;
	rx.rearm_enomem = true;
	rx.timeout_ms = 3000;
	ret = t_stream_start(&s, &n->pair, 5412, total);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	held = t_zcrx_held_bytes(&rx);
	printf("holding every buffer of a %zu KiB area: stalled after %llu bytes in %llu CQEs (%llu held, ENOMEM ends %llu, events %#x)\n",
	       area_len >> 10, (unsigned long long)rx.off,
	       (unsigned long long)rx.cqes, (unsigned long long)held,
	       (unsigned long long)rx.enomem, rx.events);
	if (!rx.stalled || rx.eof || rx.off >= total) {
		ret = t_fail("holding every buffer of a %zu-byte area: %llu of %llu bytes received (eof %d), want a stall",
			     area_len, (unsigned long long)rx.off,
			     (unsigned long long)total, rx.eof);
		goto out;
	}
	if (!rx.off || held != rx.off || held > area_len) {
		ret = t_fail("stalled with %llu bytes received and %llu held, want 0 < held <= area (%zu)",
			     (unsigned long long)rx.off,
			     (unsigned long long)held, area_len);
		goto out;
	}
	/* every byte still intact when returned, then the stream resumes */
	ret = t_zcrx_return(&rx, SIZE_MAX, false);
	if (ret)
		goto out;
	rx.hold = false;
	rx.stall_ok = false;
	rx.rearm_enomem = false;
	rx.timeout_ms = 30000;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	ret = finish(&rx, &s, total, "area smaller than the stream");
	if (ret)
		goto out;
	ret = T_EXIT_PASS;
out:
	if (ret == T_EXIT_FAIL)
		t_zcrx_nsim_dump(n, s.sender);
	if (s.sender > 0)
		t_stream_abort(&s);
	t_zcrx_rx_free(&rx);
	t_zcrx_cleanup(&z);
	return ret;
}

int main(void)
{
	struct t_zcrx_nsim n;
	int ret;

	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	ret = lazy(&n);
	if (!ret)
		ret = small_area(&n);
	t_zcrx_nsim_cleanup(&n);
	return ret;
}
