/* SPDX-License-Identifier: MIT */
/*
 * Description: netdevsim's rx ring runs empty, and the device counts the
 * frames it drops. The receiver (header split on, hds-thresh 0, TCP
 * steered to queue 1) binds a zcrx area of 64 buffers, fewer than the
 * 256 descriptors of the queue's ring, and receives an 8 MiB stream
 * holding every buffer: the payload pool runs dry, the ring cannot be
 * refilled (alloc_fail), the receive stalls, and the device drops what
 * the sender sends meanwhile for want of posted descriptors. Netdev
 * netlink QSTATS_GET (scope queue) must then count hw-drop-overruns on
 * queue 1, and hw-drops at least as many. Once every buffer is returned
 * NAPI refills the ring and the stream recovers through retransmits:
 * all of it arrives intact (every byte checked against the pattern), all
 * zero-copy. At quiet moments before and after, ethtool -S
 * rx_queue_1_drops and rx_queue_1_overruns equal the netlink figures,
 * and the link's rx_dropped grew by exactly the hw-drops of all queues
 * (netdevsim's get_stats64 reports their sum; nothing else in this test
 * drops frames).
 * Skips without netdevsim, header split, zcrx with statistics or queue
 * statistics (fails on the project's kernel, which has them).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devmem.h"
#include "zcrx.h"

/* NSIM_RX_RING_SIZE of drivers/net/netdevsim/netdevsim.h */
#define NSIM_RING	256
#define AREA_BUFS	64
#define NR_Q		(T_ZCRX_NSIM_RXQ + 1)
#define TOTAL		(8ULL << 20)
#define PORT		5431

/* The receiver's counters at one moment. */
struct snap {
	struct t_qstats_rx q[NR_Q];
	uint64_t rx_dropped;			/* the link's */
	uint64_t eth_drops, eth_overruns;	/* ethtool -S, bound queue */
};

/* QSTATS_GET of every rx queue of the receiver, all counters present. */
static int read_queues(const struct t_zcrx_nsim *n, struct t_qstats_rx *q,
		       const char *when)
{
	int i, nr = t_qstats_rx_all(n->ns, n->ifindex, q, NR_Q);

	if (nr == -EOPNOTSUPP)
		return t_lacks("%s: netdev netlink QSTATS_GET of %s: EOPNOTSUPP (kernel or netdevsim without queue statistics)",
			       when, n->pair.ifname[1]);
	if (nr < 0)
		return t_fail("%s: QSTATS_GET of %s: %s", when,
			      n->pair.ifname[1], t_errname(nr));
	if (nr != NR_Q)
		return t_fail("%s: QSTATS_GET of %s reports %d rx queues, want %d",
			      when, n->pair.ifname[1], nr, NR_Q);
	for (i = 0; i < NR_Q; i++)
		if (!q[i].has_packets || !q[i].has_bytes ||
		    !q[i].has_alloc_fail || !q[i].has_hw_drops ||
		    !q[i].has_hw_drop_overruns)
			return t_fail("%s: QSTATS_GET of rx queue %d lacks packets, bytes, alloc-fail, hw-drops or hw-drop-overruns (has %d %d %d %d %d)",
				      when, i, q[i].has_packets, q[i].has_bytes,
				      q[i].has_alloc_fail, q[i].has_hw_drops,
				      q[i].has_hw_drop_overruns);
	return 0;
}

static bool same(const struct t_qstats_rx *a, const struct t_qstats_rx *b)
{
	int i;

	for (i = 0; i < NR_Q; i++)
		if (a[i].packets != b[i].packets || a[i].bytes != b[i].bytes ||
		    a[i].alloc_fail != b[i].alloc_fail ||
		    a[i].hw_drops != b[i].hw_drops ||
		    a[i].hw_drop_overruns != b[i].hw_drop_overruns)
			return false;
	return true;
}

/* The link's rx_dropped, as ip -s link shows it (dev_get_stats()). */
static int rx_dropped(const struct t_zcrx_nsim *n, uint64_t *v)
{
	struct t_rx_counters c;
	int ret;

	ret = t_nsim_rx_counters(&n->pair, 1, &c);
	if (ret)
		return t_fail("rx counters of %s: %s", n->pair.ifname[1],
			      strerror(-ret));
	/* netdevsim has no rx_missed_errors: the drop column is rx_dropped */
	*v = c.dropped;
	return 0;
}

static int eth_stat(const struct t_zcrx_nsim *n, const char *what,
		    uint64_t *v)
{
	char name[64];
	int ret;

	snprintf(name, sizeof(name), "rx_queue_%u_%s", n->rxq, what);
	ret = t_ethtool_stat(n->ns, n->pair.ifname[1], name, v);
	if (ret)
		return t_fail("ethtool -S %s: %s: %s", n->pair.ifname[1], name,
			      t_errname(ret));
	return 0;
}

/*
 * The counters at a quiet moment: netlink read before and after ethtool
 * and rx_dropped, the same both times. ethtool reads the counters netlink
 * does (nsim_rq_get_stats()), so its figures lie between the two reads
 * whether or not frames arrive meanwhile, and equal them once quiet.
 */
static int settled(const struct t_zcrx_nsim *n, struct snap *s,
		   const char *when)
{
	struct t_qstats_rx again[NR_Q];
	unsigned int q = n->rxq;
	int tries, ret;

	for (tries = 0; tries < 50; tries++) {
		if (tries)
			usleep(100000);
		ret = read_queues(n, s->q, when);
		if (!ret)
			ret = eth_stat(n, "drops", &s->eth_drops);
		if (!ret)
			ret = eth_stat(n, "overruns", &s->eth_overruns);
		if (!ret)
			ret = rx_dropped(n, &s->rx_dropped);
		if (!ret)
			ret = read_queues(n, again, when);
		if (ret)
			return ret;
		if (s->eth_drops < s->q[q].hw_drops ||
		    s->eth_drops > again[q].hw_drops ||
		    s->eth_overruns < s->q[q].hw_drop_overruns ||
		    s->eth_overruns > again[q].hw_drop_overruns)
			return t_fail("%s: ethtool -S rx_queue_%u drops %llu, overruns %llu; netlink hw-drops %llu then %llu, hw-drop-overruns %llu then %llu",
				      when, q,
				      (unsigned long long)s->eth_drops,
				      (unsigned long long)s->eth_overruns,
				      (unsigned long long)s->q[q].hw_drops,
				      (unsigned long long)again[q].hw_drops,
				      (unsigned long long)s->q[q].hw_drop_overruns,
				      (unsigned long long)again[q].hw_drop_overruns);
		if (same(s->q, again)) {
			printf("%s: queue %u: %llu packets, alloc-fail %llu, hw-drops %llu, hw-drop-overruns %llu (ethtool -S the same); link rx_dropped %llu\n",
			       when, q, (unsigned long long)s->q[q].packets,
			       (unsigned long long)s->q[q].alloc_fail,
			       (unsigned long long)s->q[q].hw_drops,
			       (unsigned long long)s->q[q].hw_drop_overruns,
			       (unsigned long long)s->rx_dropped);
			return 0;
		}
	}
	return t_fail("%s: the rx counters of %s still moving after 5 s",
		      when, n->pair.ifname[1]);
}

static uint64_t sum_drops(const struct snap *s)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < NR_Q; i++)
		sum += s->q[i].hw_drops;
	return sum;
}

static int ring_empty(const struct t_zcrx_nsim *n)
{
	const size_t area_len = AREA_BUFS * (size_t)sysconf(_SC_PAGESIZE);
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = area_len,
	};
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_qstats_rx stall[NR_Q];
	const unsigned int q = n->rxq;
	uint64_t held, overruns, drops, fails;
	struct snap a, c;
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	char what[96];
	int ret;

	ret = settled(n, &a, "before");
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "a %d-buffer area on %s queue %u",
		 AREA_BUFS, n->pair.ifname[1], q);
	ret = t_zcrx_setup_checked(&z, &o, what);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	if (!z.ifq.rx_buf_len || area_len / z.ifq.rx_buf_len >= NSIM_RING) {
		ret = t_fail("%zu-byte area of %u-byte buffers: not fewer than the %d descriptors of the ring",
			     area_len, z.ifq.rx_buf_len, NSIM_RING);
		goto out;
	}
	rx.hold = true;
	rx.stall_ok = true;
	rx.rearm_enomem = true;
	rx.timeout_ms = 2000;
	ret = t_stream_start(&s, &n->pair, PORT, TOTAL);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	held = t_zcrx_held_bytes(&rx);
	if (!rx.stalled || rx.eof || rx.off >= TOTAL || !rx.off ||
	    held != rx.off || held > area_len) {
		ret = t_fail("holding every buffer of %s: %llu of %llu bytes received, %llu held (stalled %d, eof %d); want a stall with 0 < held <= %zu",
			     what, (unsigned long long)rx.off, TOTAL,
			     (unsigned long long)held, rx.stalled, rx.eof,
			     area_len);
		goto out;
	}

	/* stalled: the sender's frames find the ring empty */
	ret = read_queues(n, stall, "stalled");
	if (ret)
		goto out;
	overruns = stall[q].hw_drop_overruns - a.q[q].hw_drop_overruns;
	drops = stall[q].hw_drops - a.q[q].hw_drops;
	fails = stall[q].alloc_fail - a.q[q].alloc_fail;
	printf("stalled after %llu bytes, all %zu buffers held: queue %u alloc-fail +%llu, hw-drops +%llu, hw-drop-overruns +%llu\n",
	       (unsigned long long)rx.off, rx.nheld, q,
	       (unsigned long long)fails, (unsigned long long)drops,
	       (unsigned long long)overruns);
	if (!fails || !overruns || drops < overruns) {
		ret = t_fail("queue %u with every buffer of its provider held: alloc-fail +%llu, hw-drops +%llu, hw-drop-overruns +%llu; want alloc-fail and overruns > 0, hw-drops >= overruns",
			     q, (unsigned long long)fails,
			     (unsigned long long)drops,
			     (unsigned long long)overruns);
		goto out;
	}

	/* all back: NAPI refills the ring, retransmits bring the rest */
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
	if (!rx.eof || rx.off != TOTAL) {
		ret = t_fail("after returning every buffer: stream ended after %llu bytes (eof %d), sent %llu",
			     (unsigned long long)rx.off, rx.eof, TOTAL);
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (ret)
		goto out;
	ret = t_zcrx_return(&rx, SIZE_MAX, false);
	if (ret)
		goto out;
	if (rx.nheld || rx.returned != rx.cqes) {
		ret = t_fail("%llu buffers returned for %llu CQEs, %zu still held",
			     (unsigned long long)rx.returned,
			     (unsigned long long)rx.cqes, rx.nheld);
		goto out;
	}

	/* quiet again: the relations between the counters, exactly */
	ret = settled(n, &c, "after");
	if (ret)
		goto out;
	if (c.q[q].hw_drop_overruns < stall[q].hw_drop_overruns ||
	    c.q[q].hw_drops - a.q[q].hw_drops <
	    c.q[q].hw_drop_overruns - a.q[q].hw_drop_overruns) {
		ret = t_fail("queue %u over the test: hw-drops +%llu, hw-drop-overruns +%llu (%llu when stalled); want hw-drops >= overruns, overruns never going back",
			     q,
			     (unsigned long long)(c.q[q].hw_drops - a.q[q].hw_drops),
			     (unsigned long long)(c.q[q].hw_drop_overruns -
						  a.q[q].hw_drop_overruns),
			     (unsigned long long)overruns);
		goto out;
	}
	if (c.rx_dropped - a.rx_dropped != sum_drops(&c) - sum_drops(&a)) {
		ret = t_fail("link rx_dropped +%llu, but the hw-drops of its %d rx queues +%llu: want equal (get_stats64 reports their sum)",
			     (unsigned long long)(c.rx_dropped - a.rx_dropped),
			     NR_Q,
			     (unsigned long long)(sum_drops(&c) - sum_drops(&a)));
		goto out;
	}
	printf("link rx_dropped +%llu = hw-drops of all rx queues\n",
	       (unsigned long long)(c.rx_dropped - a.rx_dropped));
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC,
			      "8 MiB through an emptied ring");
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = { ring_empty, NULL };

	return t_zcrx_nsim_run(cases);
}
