/* SPDX-License-Identifier: MIT */
/*
 * Description: netdev netlink shows an io_uring zcrx provider while it is
 * bound: QUEUE_GET of the bound rx queue carries NETDEV_A_QUEUE_IO_URING
 * (and no dma-buf), the other queue does not, and PAGE_POOL_GET reports a
 * page pool of the receiving port with NETDEV_A_PAGE_POOL_IO_URING. Once
 * the ring is closed the queue no longer reports it at once (teardown is
 * synchronous) and the provider's page pools go away.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devmem.h"
#include "helpers.h"
#include "zcrx.h"

#define MAX_POOLS	64

/* Page pools of @ifindex with the io_uring attribute, or -errno. */
static int io_uring_pools(const char *ns, int ifindex)
{
	struct t_page_pool pools[MAX_POOLS];
	int i, n, found = 0;

	n = t_page_pools(ns, pools, MAX_POOLS);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < MAX_POOLS; i++) {
		if (pools[i].ifindex != (uint32_t)ifindex)
			continue;
		if (pools[i].has_io_uring && pools[i].has_dmabuf)
			return -EPROTO;
		found += pools[i].has_io_uring;
	}
	return found;
}

static int expect_queue(const struct t_zcrx_nsim *n, unsigned int rxq,
			bool io_uring, const char *when)
{
	struct t_queue_info q;
	int ret;

	ret = t_queue_get(n->ns, n->ifindex, rxq, &q);
	if (ret)
		return t_fail("%s: QUEUE_GET of rx queue %u: %s", when, rxq,
			      t_errname(ret));
	if (q.io_uring != io_uring)
		return t_fail("%s: rx queue %u %s NETDEV_A_QUEUE_IO_URING",
			      when, rxq, q.io_uring ? "has" : "lacks");
	if (q.dmabuf)
		return t_fail("%s: rx queue %u reports dma-buf %u", when, rxq,
			      q.dmabuf);
	printf("%s: rx queue %u %s\n", when, rxq,
	       io_uring ? "io_uring provider" : "no provider");
	return 0;
}

static int check(const struct t_zcrx_nsim *n)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = 4UL << 20, .no_stats = true,
	};
	unsigned int other = n->rxq ? 0 : 1;
	struct t_zcrx z;
	int ret, pools, ms;

	ret = expect_queue(n, n->rxq, false, "before");
	if (ret)
		return ret;
	pools = io_uring_pools(n->ns, n->ifindex);
	if (pools)
		return t_fail("before: %d io_uring page pools (%s)", pools,
			      pools < 0 ? t_errname(pools) : "want none");

	ret = t_zcrx_setup_checked(&z, &o, "a 4 MiB area");
	if (ret)
		return ret;
	ret = expect_queue(n, n->rxq, true, "bound");
	if (!ret)
		ret = expect_queue(n, other, false, "bound, other queue");
	if (ret)
		goto out;
	pools = io_uring_pools(n->ns, n->ifindex);
	if (pools != 1) {
		ret = t_fail("bound: %d io_uring page pools of ifindex %d (%s)",
			     pools, n->ifindex,
			     pools < 0 ? t_errname(pools) : "want 1");
		goto out;
	}
	printf("bound: 1 page pool with NETDEV_A_PAGE_POOL_IO_URING\n");

	t_zcrx_cleanup(&z);
	ret = expect_queue(n, n->rxq, false, "right after ring exit");
	if (ret)
		return ret;
	for (ms = 0; ms < 10000; ms += 100) {
		pools = io_uring_pools(n->ns, n->ifindex);
		if (pools <= 0)
			break;
		usleep(100 * 1000);
	}
	if (pools)
		return t_fail("after ring exit: %d io_uring page pools left after %d ms (%s)",
			      pools, ms,
			      pools < 0 ? t_errname(pools) : "want none");
	printf("after ring exit: provider page pools gone in %d ms\n", ms);
	return 0;
out:
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
	ret = check(&n);
	t_zcrx_nsim_cleanup(&n);
	return ret;
}
