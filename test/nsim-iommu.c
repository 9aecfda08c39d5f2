/* SPDX-License-Identifier: MIT */
/*
 * Description: netdevsim's simulated IOMMU gives every DMA mapping of
 * its bus device an IOVA window, and debugfs counts the live ones
 * (netdevsimN/iommu_mappings). Binding a udmabuf to the receiver's rx
 * queue with devmem's BIND_RX, and registering an io_uring zcrx area on
 * it, map memory for the device; tearing each down must give the count
 * back exactly: whatever mapped memory for the device unmapped it again.
 * IPv6 is turned off on both ports first, so that no frame arrives and
 * makes a page pool map a page meanwhile; the count is then read once
 * it stays put.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devmem.h"
#include "zcrx.h"

#define BUF_SIZE	(16UL << 20)

static int mappings(const struct t_zcrx_nsim *n, uint64_t *v)
{
	return t_nsim_debugfs_u64(&n->pair, 1, "iommu_mappings", v);
}

/* Wait up to 10 s until the count reads @want, for a teardown that ends
 * in a worker (io_uring's ring exit, page pools releasing their pages).
 */
static int back_to(const struct t_zcrx_nsim *n, uint64_t want,
		   const char *what)
{
	uint64_t v = 0;
	int i, ret;

	for (i = 0; i < 100; i++) {
		ret = mappings(n, &v);
		if (ret || v == want)
			return ret;
		usleep(100000);
	}
	return t_fail("%s: %" PRIu64 " DMA mappings of the receiver's bus device 10 s after teardown, %" PRIu64 " before",
		      what, v, want);
}

/* The count once it reads the same twice, half a second apart. */
static int quiet(const struct t_zcrx_nsim *n, uint64_t *v)
{
	uint64_t again;
	int i, ret;

	ret = mappings(n, v);
	for (i = 0; !ret && i < 20; i++) {
		usleep(500000);
		ret = mappings(n, &again);
		if (!ret && again == *v)
			return 0;
		*v = again;
	}
	return ret ?: t_fail("DMA mappings of the receiver's device never settled");
}

static int devmem(const struct t_zcrx_nsim *n, uint64_t base)
{
	struct t_binding b = { .fd = -1 };
	struct t_udmabuf buf;
	uint64_t bound;
	int ret;

	ret = t_udmabuf_create(&buf, BUF_SIZE);
	if (ret)
		return ret;
	ret = t_devmem_bind(n->ns, n->ifindex, n->rxq, buf.fd, &b);
	if (ret) {
		t_udmabuf_destroy(&buf);
		return t_fail("BIND_RX of a %lu MiB udmabuf to queue %u: %s",
			      BUF_SIZE >> 20, n->rxq, t_errname(ret));
	}
	ret = mappings(n, &bound);
	t_devmem_unbind(&b);
	t_udmabuf_destroy(&buf);
	if (ret)
		return ret;
	printf("devmem: %" PRIu64 " DMA mappings with the udmabuf bound, %" PRIu64 " before\n",
	       bound, base);
	return back_to(n, base, "devmem binding");
}

static int zcrx(const struct t_zcrx_nsim *n, uint64_t base)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = BUF_SIZE,
	};
	struct t_zcrx z;
	uint64_t bound;
	int ret;

	ret = t_zcrx_setup_checked(&z, &o, "a 16 MiB area");
	if (ret)
		return ret;
	ret = mappings(n, &bound);
	t_zcrx_cleanup(&z);
	if (ret)
		return ret;
	printf("zcrx: %" PRIu64 " DMA mappings with the area registered, %" PRIu64 " before\n",
	       bound, base);
	return back_to(n, base, "zcrx ifq");
}

int main(void)
{
	struct t_zcrx_nsim n;
	uint64_t base;
	int ret, i;

	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	for (i = 0; i < 2 && !ret; i++)
		ret = t_run("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1",
			    n.pair.netns[i]);
	if (ret)
		ret = t_fail("turning IPv6 off on both sides");
	if (!ret)
		ret = quiet(&n, &base);
	if (!ret) {
		printf("%" PRIu64 " DMA mappings of %s's device, idle\n", base,
		       n.pair.ifname[1]);
		ret = devmem(&n, base);
	}
	if (!ret)
		ret = zcrx(&n, base);
	t_zcrx_nsim_cleanup(&n);
	return ret;
}
