/* SPDX-License-Identifier: MIT */
/*
 * Description: device-less zcrx (ZCRX_REG_NODEV), where every byte goes
 * through the copy path. Over loopback: a 256 MiB stream (sends of 1 byte
 * to 1 MiB) received with a multishot RECV_ZC into a 32 MiB area, every
 * byte checked against the stream pattern, buffers returned through the
 * refill ring only (no FLUSH_RQ: the kernel drains the ring when it runs
 * out of free buffers); the zcrx_stats block must count every byte and
 * every CQE as copied. ZCRX_CTRL_FLUSH_RQ: with a 1 MiB area and every
 * buffer held, the receive stalls (or the request ends with ENOMEM);
 * the buffers are put in the refill ring and FLUSH_RQ must consume all of
 * them (kernel head == tail); the stream then continues, again and again,
 * until all 8 MiB have arrived intact. Then a 16 MiB stream whose buffers
 * are given back with FLUSH_RQ after every batch (into a 1 MiB area, so
 * requests may end with ENOMEM and are re-armed). Over a veth pair between
 * two network namespaces, with the refill ring in kernel memory: 32 MiB,
 * all copied. Every stream: the statistics block counts every CQE and
 * byte as copied, the kernel's zero-copy count none, and no CQE starts
 * inside its buffer. Skips on kernels without device-less zcrx and
 * statistics (fails on the project's kernel, which has them).
 */
#include <errno.h>
#include <string.h>

#include "devmem.h"
#include "zcrx.h"

static int setup_ifq(struct t_zcrx *z, size_t area_len, int rq_mem)
{
	const struct t_zcrx_opts o = {
		.nodev = true, .area_len = area_len, .rq_mem = rq_mem,
	};
	char what[96];

	snprintf(what, sizeof(what), "a device-less %zu KiB area (rq_mem %d)",
		 area_len >> 10, rq_mem);
	return t_zcrx_setup_checked(z, &o, what);
}

/* Stream ended completely, every byte and every CQE counted as copied. */
static int all_copied(struct t_zcrx_rx *rx, struct t_stream *s,
		      uint64_t total, const char *what)
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
	return t_zcrx_rx_check(rx, T_ZCRX_ALL_COPIED, what);
}

static int stream(const struct t_nsim_pair *p, uint16_t port, uint64_t total,
		  size_t area_len, int rq_mem, bool flush, const char *what)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int ret;

	ret = setup_ifq(&z, area_len, rq_mem);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	rx.flush = flush;
	/*
	 * A small area can run dry while its buffers sit in CQEs not yet
	 * reaped: the request then ends with ENOMEM and is re-armed. A big
	 * one (more buffers than the CQ has entries) never may.
	 */
	rx.rearm_enomem = area_len / 4096 <= 4096;
	ret = t_stream_start(&s, p, port, total);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	ret = all_copied(&rx, &s, total, what);
	if (ret)
		goto out;
	if (flush && !rx.flushes) {
		ret = t_fail("%s: no FLUSH_RQ made", what);
		goto out;
	}
	ret = T_EXIT_PASS;
out:
	if (s.sender > 0)
		t_stream_abort(&s);
	t_zcrx_rx_free(&rx);
	t_zcrx_cleanup(&z);
	return ret;
}

/* Hold every buffer until the receive stalls, return them with FLUSH_RQ. */
static int flush_held(const struct t_nsim_pair *p)
{
	const uint64_t total = 8ULL << 20;
	const size_t area_len = 1UL << 20;
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	unsigned int stalls = 0, pending = 0;
	int ret;

	ret = setup_ifq(&z, area_len, IO_URING_ZCRX_RQ_USER);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	rx.hold = true;
	rx.stall_ok = true;
	rx.rearm_enomem = true;
	rx.timeout_ms = 2000;
	ret = t_stream_start(&s, p, 5432, total);
	if (ret)
		goto out;
	rx.fd = s.fd;
	for (;;) {
		struct io_uring_zcrx_rq *rq = &z.ifq.rq;
		uint64_t held;
		__u32 head;

		ret = t_zcrx_recv(&rx, UINT64_MAX);
		if (ret)
			goto out;
		if (rx.eof)
			break;
		held = t_zcrx_held_bytes(&rx);
		if (rx.stalled && !held) {
			ret = t_fail("no completion for %d ms after %llu bytes with every buffer returned and flushed, the request armed (%llu requests)",
				     rx.timeout_ms,
				     (unsigned long long)rx.off,
				     (unsigned long long)rx.arms);
			t_zcrx_dump_ring(&z);
			goto out;
		}
		if (!rx.stalled || held > area_len) {
			ret = t_fail("holding every buffer of a %zu-byte area: stalled %d with %llu bytes held after %llu",
				     area_len, rx.stalled,
				     (unsigned long long)held,
				     (unsigned long long)rx.off);
			goto out;
		}
		stalls++;
		/* into the refill ring (checked again), no flush yet */
		ret = t_zcrx_return(&rx, SIZE_MAX, false);
		if (ret)
			goto out;
		if (rx.nheld) {
			ret = t_fail("%zu of the held buffers did not fit in a refill ring of %u",
				     rx.nheld, rq->ring_entries);
			goto out;
		}
		head = io_uring_smp_load_acquire(rq->khead);
		if (head != rq->rq_tail)
			pending++;
		/* FLUSH_RQ must take every entry */
		ret = t_zcrx_flush_rq(&z);
		if (ret) {
			ret = t_fail("ZCRX_CTRL_FLUSH_RQ: %s", strerror(-ret));
			goto out;
		}
		rx.flushes++;
		head = io_uring_smp_load_acquire(rq->khead);
		if (head != rq->rq_tail) {
			ret = t_fail("FLUSH_RQ returned 0 but left %u of %u refill entries",
				     rq->rq_tail - head, rq->ring_entries);
			goto out;
		}
	}
	ret = t_zcrx_return(&rx, SIZE_MAX, false);
	if (ret)
		goto out;
	printf("%u stalls with a %zu KiB area (%llu requests ended with ENOMEM); FLUSH_RQ found the returned buffers still in the refill ring %u times and took them all\n",
	       stalls, area_len >> 10, (unsigned long long)rx.enomem,
	       pending);
	if (!stalls) {
		ret = t_fail("%llu bytes through a %zu-byte area without a stall while holding every buffer",
			     (unsigned long long)rx.off, area_len);
		goto out;
	}
	ret = all_copied(&rx, &s, total, "buffers returned with FLUSH_RQ");
out:
	if (s.sender > 0)
		t_stream_abort(&s);
	t_zcrx_rx_free(&rx);
	t_zcrx_cleanup(&z);
	return ret;
}

int main(void)
{
	struct t_nsim_pair p;
	int ret;

	ret = t_zcrx_require(true);
	if (ret)
		return ret;

	ret = t_zcrx_lo_pair(&p);
	if (ret)
		return ret;
	ret = stream(&p, 5431, 256ULL << 20, 32UL << 20,
		     IO_URING_ZCRX_RQ_USER, false, "loopback, 256 MiB");
	if (!ret)
		ret = flush_held(&p);
	if (!ret)
		ret = stream(&p, 5433, 16ULL << 20, 1UL << 20,
			     IO_URING_ZCRX_RQ_USER, true,
			     "loopback, FLUSH_RQ after every batch");
	t_nsim_pair_destroy(&p);
	if (ret)
		return ret;

	ret = t_zcrx_veth_pair(&p);
	if (ret)
		return ret;
	ret = stream(&p, 5434, 32ULL << 20, 32UL << 20,
		     IO_URING_ZCRX_RQ_KERNEL, false, "veth, 32 MiB");
	t_nsim_pair_destroy(&p);
	return ret;
}
