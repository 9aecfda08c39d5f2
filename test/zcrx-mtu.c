/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring zero-copy receive of jumbo frames on netdevsim.
 * Both ports get MTU 9000 and the sender one segment per skb
 * (t_nsim_pair_jumbo()), so that every data frame is a real jumbo frame,
 * whose 8948 bytes of payload header split writes into three page-sized
 * buffers of the zcrx area bound to rx queue 1 (TCP steered there with
 * ethtool -N). A 32 MiB stream is received with a multishot RECV_ZC and
 * every byte checked against the stream pattern; all of it must arrive
 * zero-copy (no copy in the zcrx statistics, every CQE and byte in the
 * kernel's zero-copy count). The accepted socket's MSS must be that of
 * the jumbo MTU, and the receiver's counters must show frames larger than
 * a page and no larger than the MTU allows (t_jumbo_check()).
 * Skips without netdevsim, header split, or zcrx with statistics (fails
 * on the project's kernel, which has them).
 */
#include "devmem.h"
#include "zcrx.h"

#define MTU	9000
#define TOTAL	(32ULL << 20)

static int jumbo(const struct t_zcrx_nsim *n)
{
	return t_nsim_pair_jumbo(&n->pair, MTU);
}

static int stream(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq,
	};
	struct t_zcrx_rx rx;
	struct t_jumbo j;
	struct t_zcrx z;
	int ret;

	ret = t_zcrx_setup_checked(&z, &o, "an area on the receiver's queue");
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_jumbo_begin(&j, &n->pair, MTU);
	if (!ret)
		ret = t_stream_start(&s, &n->pair, 5411, TOTAL);
	if (!ret)
		ret = t_jumbo_mss(&j, s.fd);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	if (!rx.eof || rx.off != TOTAL) {
		ret = t_fail("stream ended after %llu bytes (eof %d), sent %llu",
			     (unsigned long long)rx.off, rx.eof, TOTAL);
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (!ret)
		ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC,
				      "32 MiB stream in jumbo frames");
	if (!ret)
		ret = t_jumbo_check(&j, TOTAL);
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = { jumbo, stream, NULL };

	return t_zcrx_nsim_run(cases);
}
