/* SPDX-License-Identifier: MIT */
/*
 * Description: zcrx buffers held by the application on netdevsim (header
 * split on, hds-thresh 0, flow steered to the bound queue 1).
 * Lazy return: a 64 MiB stream into an 8 MiB area, buffers kept until 512
 * are held and then returned newest first; every held buffer must still
 * hold its bytes when it is returned (the kernel never reuses a buffer
 * the user holds), all bytes arrive, every one zero-copy (no copy in the
 * statistics, every CQE and byte in the kernel's zero-copy count).
 * An area smaller than the stream: with a 2 MiB area and every buffer
 * held, the receive stalls (no completion for 3 s) with at most the
 * area's bytes received, none of them changed, and the provider's page
 * pool (netdev netlink) has at least as many buffers in flight as the
 * user holds: every held buffer is one the device filled, lent by the
 * pool, not a copy-fallback buffer from the area's freelist. Once all
 * are returned the stream resumes and all 16 MiB arrive intact, all
 * zero-copy.
 * Skips without netdevsim, header split, or zcrx with statistics (fails
 * on the project's kernel, which has them).
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

/*
 * Every held buffer is lent by the provider's page pool: its pool counts
 * it in flight until it comes back. A copy-fallback buffer comes from the
 * area's freelist and no pool counts it.
 */
static int held_in_pool(const struct t_zcrx_nsim *n, const struct t_zcrx_rx *rx)
{
	static uint8_t seen[(2UL << 20) / 4096];
	struct t_page_pool pools[64];
	uint64_t bufs = 0, inflight = 0;
	int i, nr, found = 0;
	size_t k;

	memset(seen, 0, sizeof(seen));
	for (k = 0; k < rx->nheld; k++) {
		uint64_t idx = (rx->held[k].area_off & ~IORING_ZCRX_AREA_MASK) /
			       rx->z->ifq.rx_buf_len;

		if (idx >= sizeof(seen))
			return t_fail("held buffer %llu outside the area",
				      (unsigned long long)idx);
		if (!seen[idx]++)
			bufs++;
	}
	nr = t_page_pools(n->ns, pools, 64);
	if (nr < 0)
		return t_fail("PAGE_POOL_GET dump: %s", t_errname(nr));
	for (i = 0; i < nr && i < 64; i++) {
		if (pools[i].ifindex != (uint32_t)n->ifindex ||
		    !pools[i].has_io_uring || pools[i].detach_time)
			continue;
		found++;
		inflight = pools[i].inflight;
	}
	if (found != 1)
		return t_fail("%d page pools of ifindex %d with the io_uring provider, want 1",
			      found, n->ifindex);
	printf("%llu distinct buffers held; the provider's page pool has %llu in flight\n",
	       (unsigned long long)bufs, (unsigned long long)inflight);
	if (inflight < bufs)
		return t_fail("the user holds %llu buffers, but the provider's page pool lent only %llu: some are not buffers the device filled",
			      (unsigned long long)bufs,
			      (unsigned long long)inflight);
	return 0;
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
	return t_zcrx_rx_check(rx, T_ZCRX_ALL_ZC, what);
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
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
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
	ret = held_in_pool(n, &rx);
	if (ret)
		goto out;
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
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = { lazy, small_area, NULL };

	return t_zcrx_nsim_run(cases);
}
