/* SPDX-License-Identifier: MIT */
/*
 * Description: devmem TCP of jumbo frames on netdevsim. Both ports get
 * MTU 9000 and the sender one segment per skb (t_nsim_pair_jumbo()), so
 * that every data frame is a real jumbo frame, whose 8948 bytes of
 * payload header split writes into three page-sized buffers of a 32 MiB
 * udmabuf bound to rx queue 0 of the receiver with BIND_RX. A 32 MiB
 * stream is received with recvmsg(MSG_SOCK_DEVMEM), every frag read
 * through the memfd and checked against the stream pattern, and every
 * byte must land in the dma-buf (none linear, none in readable skbs). The
 * accepted socket's MSS must be that of the jumbo MTU, and the receiver's
 * counters must show frames larger than a page and no larger than the
 * MTU allows (t_jumbo_check()). Skips when the kernel cannot do devmem
 * TCP on netdevsim (fails on the project's kernel, which can).
 */
#include <string.h>

#include "devmem.h"

#define MTU		9000
#define BUF_SIZE	(32UL << 20)
#define TOTAL		(32ULL << 20)

int main(void)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_binding b = { .fd = -1 };
	struct t_devmem_rx rx = { 0 };
	struct t_devmem d;
	struct t_jumbo j;
	int ret;

	ret = t_devmem_setup(&d, BUF_SIZE);
	if (ret)
		return ret;
	ret = t_nsim_pair_jumbo(&d.pair, MTU);
	if (ret)
		goto out;
	ret = t_devmem_bind(d.ns, d.ifindex, 0, d.buf.fd, &b);
	if (ret) {
		ret = t_fail("BIND_RX to %s queue 0: %s, want success",
			     d.pair.ifname[1], t_errname(ret));
		goto out;
	}
	ret = t_devmem_rx_init(&rx, &d.buf, b.id);
	if (!ret)
		ret = t_jumbo_begin(&j, &d.pair, MTU);
	if (!ret)
		ret = t_stream_start(&s, &d.pair, 5311, TOTAL);
	if (!ret)
		ret = t_jumbo_mss(&j, s.fd);
	if (!ret)
		ret = t_devmem_recv(s.fd, &rx, UINT64_MAX);
	if (ret)
		goto out;
	/* header split: every payload byte in the dma-buf */
	if (rx.off != TOTAL || rx.dmabuf_bytes != TOTAL || rx.linear_bytes ||
	    rx.plain_bytes) {
		ret = t_fail("EOF after %llu of %llu bytes: %llu in the dma-buf, %llu linear, %llu from readable skbs; want all in the dma-buf",
			     (unsigned long long)rx.off, TOTAL,
			     (unsigned long long)rx.dmabuf_bytes,
			     (unsigned long long)rx.linear_bytes,
			     (unsigned long long)rx.plain_bytes);
		goto out;
	}
	printf("%llu bytes verified in %llu frags in the dma-buf\n",
	       (unsigned long long)rx.off, (unsigned long long)rx.frags);
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (!ret)
		ret = t_jumbo_check(&j, TOTAL);
out:
	if (s.sender > 0)
		t_stream_abort(&s);
	t_devmem_rx_free(&rx);
	t_devmem_unbind(&b);
	t_devmem_cleanup(&d);
	return ret;
}
