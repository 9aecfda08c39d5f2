/* SPDX-License-Identifier: MIT */
/*
 * Description: netdev netlink shows a devmem binding while it exists and
 * forgets it afterwards. While a udmabuf is bound to rx queue 0 of a
 * netdevsim port, QUEUE_GET of that queue reports NETDEV_A_QUEUE_DMABUF =
 * the binding id and a PAGE_POOL_GET dump has exactly one page pool (the
 * queue's payload pool) of the port with NETDEV_A_PAGE_POOL_DMABUF = the
 * id (also after a devmem stream went through it); before binding and after unbinding (closing the netlink
 * socket) neither the queue nor any page pool of the port reports a
 * dma-buf. Skips when the kernel cannot do devmem TCP on netdevsim.
 */
#include <errno.h>
#include <string.h>

#include "devmem.h"

#define BUF_SIZE	(16UL << 20)
#define STREAM		(8ULL << 20)
#define MAX_POOLS	64

static struct t_devmem d;

static int expect_queue(uint32_t want, const char *when)
{
	return t_expect_queue_dmabuf(d.ns, d.ifindex, 0, want, when);
}

/* While bound: pools of the port with the id, no pool elsewhere with it. */
static int expect_pools_bound(uint32_t id, const char *when)
{
	struct t_page_pool pools[MAX_POOLS];
	int i, n, mine = 0, with_id = 0;

	n = t_page_pools(d.ns, pools, MAX_POOLS);
	if (n < 0)
		return t_fail("PAGE_POOL_GET dump %s: %s", when, t_errname(n));
	if (n > MAX_POOLS)
		return t_fail("%d page pools, more than %d", n, MAX_POOLS);
	for (i = 0; i < n; i++) {
		const struct t_page_pool *p = &pools[i];

		if (p->ifindex == (uint32_t)d.ifindex)
			mine++;
		if (!p->has_dmabuf)
			continue;
		if (p->dmabuf != id)
			return t_fail("%s: page pool %llu (ifindex %u) reports dmabuf %u, want %u or none",
				      when, (unsigned long long)p->id,
				      p->ifindex, p->dmabuf, id);
		if (p->ifindex != (uint32_t)d.ifindex)
			return t_fail("%s: page pool %llu of ifindex %u reports the binding of ifindex %d",
				      when, (unsigned long long)p->id,
				      p->ifindex, d.ifindex);
		with_id++;
	}
	/* the payload pool of the one queue, made when BIND_RX restarted it */
	if (with_id != 1)
		return t_fail("%s: %d of the %d page pools of ifindex %d (%d in the netns) report NETDEV_A_PAGE_POOL_DMABUF %u, want 1",
			      when, with_id, mine, d.ifindex, n, id);
	printf("page pools %s: %d of ifindex %d, %d with dmabuf %u\n", when,
	       mine, d.ifindex, with_id, id);
	return 0;
}

static int expect_no_pools(const char *when, int ms)
{
	struct t_page_pool p;
	int ret = t_wait_dmabuf_pools_gone(d.ns, 0, ms, &p);

	if (ret < 0)
		return t_fail("PAGE_POOL_GET dump %s: %s", when, t_errname(ret));
	if (ret)
		return t_fail("%s: %d page pool(s) still report a dmabuf after %d ms, e.g. pool %llu of ifindex %u: dmabuf %u, inflight %llu, detach time %llu",
			      when, ret, ms, (unsigned long long)p.id,
			      p.ifindex, p.dmabuf,
			      (unsigned long long)p.inflight,
			      (unsigned long long)p.detach_time);
	printf("page pools %s: none reports a dmabuf\n", when);
	return 0;
}

int main(void)
{
	struct t_binding b = { .fd = -1 };
	int ret;

	ret = t_devmem_setup(&d, BUF_SIZE);
	if (ret)
		return ret;
	if (expect_queue(0, "before binding") ||
	    expect_no_pools("before binding", 5000))
		goto fail;

	ret = t_devmem_bind(d.ns, d.ifindex, 0, d.buf.fd, &b);
	if (ret) {
		t_fail("BIND_RX to %s queue 0: %s, want success",
		       d.pair.ifname[1], t_errname(ret));
		goto fail;
	}
	printf("bound, binding id %u\n", b.id);
	if (expect_queue(b.id, "while bound") ||
	    expect_pools_bound(b.id, "while bound"))
		goto fail;

	/* the pool that actually received devmem traffic */
	if (t_devmem_stream(&d, b.id, 5501, STREAM))
		goto fail;
	if (expect_queue(b.id, "after the stream") ||
	    expect_pools_bound(b.id, "after the stream"))
		goto fail;

	t_devmem_unbind(&b);
	if (expect_queue(0, "after unbinding") ||
	    expect_no_pools("after unbinding", 5000))
		goto fail;
	ret = T_EXIT_PASS;
	goto out;
fail:
	ret = T_EXIT_FAIL;
out:
	t_devmem_unbind(&b);
	t_devmem_cleanup(&d);
	return ret;
}
