/* SPDX-License-Identifier: MIT */
/*
 * Description: binding a dma-buf to an rx queue (BIND_RX) is refused with
 * the documented errno for each unusable queue, and a bound queue refuses
 * the changes that would take payload away from the provider:
 *   - header split never enabled, off, or "unknown": EINVAL
 *   - hds-thresh 100: EINVAL
 *   - rx queue index out of range: ERANGE
 *   - an XDP program attached: EEXIST
 *   - the same queue twice (another socket, or the same): EEXIST
 *   - while bound: tcp-data-split off or hds-thresh 10: EINVAL, ring
 *     parameters unchanged; XDP attach: EBUSY
 *   - hds-thresh above hds-thresh-max: ERANGE (bound or not)
 *   - a device with no DMA device behind it (veth): EOPNOTSUPP
 * and after unbinding all of those changes are accepted again.
 * Skips when the kernel cannot do devmem TCP on netdevsim.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <linux/ethtool_netlink.h>
#include <string.h>
#include <unistd.h>

#include "devmem.h"

#define BUF_SIZE	(4UL << 20)

static struct t_devmem d;

/* Create a veth pair in @ns; its first port's ifindex goes to @ifindex. */
static int veth_index(const char *ns, int *ifindex)
{
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	*ifindex = 0;
	if (self < 0 ||
	    t_run("ip -n %s link add zcrxv0 type veth peer name zcrxv1", ns))
		return t_fail("creating a veth pair in %s", ns);
	if (!t_netns_enter(ns))
		*ifindex = if_nametoindex("zcrxv0");
	setns(self, CLONE_NEWNET);
	close(self);
	return *ifindex ? 0 : t_fail("zcrxv0 not found in %s", ns);
}

static int expect_bind_at(int line, const char *ns, int ifindex,
			  unsigned int rxq, const char *what, int want)
{
	struct t_binding b;
	int ret = t_devmem_bind(ns, ifindex, rxq, d.buf.fd, &b);

	if (!ret)
		t_devmem_unbind(&b);
	if (ret != want)
		return t_fail_at(__FILE__, line,
				 "%s: BIND_RX to ifindex %d queue %u: %s, want %s",
				 what, ifindex, rxq, t_errname(ret),
				 t_errname(want));
	printf("%-44s BIND_RX: %s\n", what, t_errname(ret));
	return 0;
}

#define expect_bind(rxq, what, want)					\
	do {								\
		if (expect_bind_at(__LINE__, d.ns, d.ifindex, rxq,	\
				   what, want))				\
			goto fail;					\
	} while (0)

static int expect_rings_at(int line, int split, int64_t thresh,
			   const char *what, int want)
{
	int ret = t_rings_set(d.ns, d.ifindex, split, thresh);

	if (ret != want)
		return t_fail_at(__FILE__, line,
				 "%s: ethtool rings set (tcp-data-split %d, hds-thresh %lld): %s, want %s",
				 what, split, (long long)thresh,
				 t_errname(ret), t_errname(want));
	printf("%-44s rings set: %s\n", what, t_errname(ret));
	return 0;
}

#define expect_rings(split, thresh, what, want)				\
	do {								\
		if (expect_rings_at(__LINE__, split, thresh, what, want)) \
			goto fail;					\
	} while (0)

/* The ring parameters must be @split and @thresh. */
static int check_rings_at(int line, uint8_t split, uint32_t thresh,
			  const char *when)
{
	struct t_rings r;
	int ret = t_rings_get(d.ns, d.ifindex, &r);

	if (ret)
		return t_fail_at(__FILE__, line, "rings get %s: %s", when,
				 t_errname(ret));
	if (r.split != split || r.thresh != thresh)
		return t_fail_at(__FILE__, line,
				 "%s: tcp-data-split %u, hds-thresh %u; want %u, %u",
				 when, r.split, r.thresh, split, thresh);
	return 0;
}

#define check_rings(split, thresh, when)				\
	do {								\
		if (check_rings_at(__LINE__, split, thresh, when))	\
			goto fail;					\
	} while (0)

static int expect_xdp_at(int line, int prog, const char *what, int want)
{
	int ret = t_xdp_attach(d.ns, d.ifindex, prog);

	if (ret != want) {
		if (!ret)
			t_xdp_detach(d.ns, d.ifindex);
		return t_fail_at(__FILE__, line,
				 "%s: XDP attach (generic mode): %s, want %s",
				 what, t_errname(ret), t_errname(want));
	}
	printf("%-44s XDP attach: %s\n", what, t_errname(ret));
	return 0;
}

#define expect_xdp(prog, what, want)					\
	do {								\
		if (expect_xdp_at(__LINE__, prog, what, want))		\
			goto fail;					\
	} while (0)

int main(void)
{
	struct t_binding b = { .fd = -1 }, b2 = { .fd = -1 };
	const uint8_t on = ETHTOOL_TCP_DATA_SPLIT_ENABLED;
	struct t_rings r;
	int ret, prog = -1, veth;
	uint32_t max, id;

	ret = t_devmem_setup(&d, BUF_SIZE);
	if (ret)
		return ret;
	ret = t_rings_get(d.ns, d.ifindex, &r);
	if (ret || !r.has_thresh_max) {
		t_fail("rings get: %s, hds-thresh-max %sreported",
		       t_errname(ret), r.has_thresh_max ? "" : "not ");
		goto fail;
	}
	max = r.thresh_max;
	printf("%s: hds-thresh-max %u\n", d.pair.ifname[1], max);

	/* A device with no DMA device behind it (veth) cannot host one. */
	if (veth_index(d.pair.netns[1], &veth) ||
	    expect_bind_at(__LINE__, d.pair.netns[1], veth, 0,
			   "veth (no DMA device)", -EOPNOTSUPP))
		goto fail;

	/* header split not enabled */
	if (expect_bind_at(__LINE__, d.pair.netns[0], d.pair.ifindex[0], 0,
			   "header split never set (sender's port)", -EINVAL))
		goto fail;
	expect_rings(ETHTOOL_TCP_DATA_SPLIT_DISABLED, -1, "tcp-data-split off",
		     0);
	expect_bind(0, "tcp-data-split off", -EINVAL);
	expect_rings(ETHTOOL_TCP_DATA_SPLIT_UNKNOWN, -1,
		     "tcp-data-split unknown (driver default)", 0);
	expect_bind(0, "tcp-data-split unknown", -EINVAL);
	expect_rings(on, 0, "tcp-data-split on", 0);
	check_rings(on, 0, "after turning header split back on");

	/* hds-thresh */
	expect_rings(-1, 100, "hds-thresh 100", 0);
	expect_bind(0, "hds-thresh 100", -EINVAL);
	expect_rings(-1, max, "hds-thresh = hds-thresh-max", 0);
	expect_rings(-1, (int64_t)max + 1, "hds-thresh = hds-thresh-max + 1",
		     -ERANGE);
	check_rings(on, max, "after the refused hds-thresh");
	expect_rings(-1, 0, "hds-thresh 0", 0);

	/* queue index */
	expect_bind(1, "queue 1 of 1", -ERANGE);
	expect_bind(0xffffffff, "queue 0xffffffff", -ERANGE);

	/* XDP */
	prog = t_xdp_load();
	if (prog < 0) {
		t_fail("loading an XDP_PASS program: %s", t_errname(prog));
		goto fail;
	}
	expect_xdp(prog, "XDP program, unbound queue", 0);
	expect_bind(0, "XDP attached", -EEXIST);
	ret = t_xdp_detach(d.ns, d.ifindex);
	if (ret) {
		t_fail("XDP detach: %s", t_errname(ret));
		goto fail;
	}

	/* bound */
	ret = t_devmem_bind(d.ns, d.ifindex, 0, d.buf.fd, &b);
	if (ret) {
		t_fail("BIND_RX to queue 0, all set: %s, want success",
		       t_errname(ret));
		goto fail;
	}
	printf("bound to queue 0, binding id %u\n", b.id);
	expect_bind(0, "queue already bound (another socket)", -EEXIST);
	ret = t_devmem_bind_more(&b, d.ifindex, 0, d.buf.fd, &id);
	if (ret != -EEXIST) {
		t_fail("queue already bound (same socket): BIND_RX: %s, want %s",
		       t_errname(ret), t_errname(-EEXIST));
		goto fail;
	}
	printf("%-44s BIND_RX: %s\n", "queue already bound (same socket)",
	       t_errname(ret));
	expect_rings(ETHTOOL_TCP_DATA_SPLIT_DISABLED, -1,
		     "bound: tcp-data-split off", -EINVAL);
	check_rings(on, 0, "after the refused tcp-data-split off");
	expect_rings(-1, 10, "bound: hds-thresh 10", -EINVAL);
	check_rings(on, 0, "after the refused hds-thresh 10");
	expect_rings(-1, (int64_t)max + 1, "bound: hds-thresh-max + 1", -ERANGE);
	check_rings(on, 0, "after the refused hds-thresh-max + 1");
	expect_xdp(prog, "bound: XDP program", -EBUSY);
	ret = t_devmem_bind(d.ns, d.ifindex, 1, d.buf.fd, &b2);
	if (ret != -ERANGE) {
		t_fail("bound: queue 1 of 1: BIND_RX: %s, want %s",
		       t_errname(ret), t_errname(-ERANGE));
		goto fail;
	}

	/* unbound again: everything is allowed */
	t_devmem_unbind(&b);
	expect_xdp(prog, "unbound: XDP program", 0);
	ret = t_xdp_detach(d.ns, d.ifindex);
	if (ret) {
		t_fail("XDP detach: %s", t_errname(ret));
		goto fail;
	}
	expect_rings(ETHTOOL_TCP_DATA_SPLIT_DISABLED, -1,
		     "unbound: tcp-data-split off", 0);
	expect_rings(on, 10, "unbound: tcp-data-split on, hds-thresh 10", 0);
	check_rings(on, 10, "after unbinding");
	ret = T_EXIT_PASS;
	goto out;
fail:
	ret = T_EXIT_FAIL;
out:
	t_devmem_unbind(&b2);
	t_devmem_unbind(&b);
	if (prog >= 0) {
		t_xdp_detach(d.ns, d.ifindex);
		close(prog);
	}
	t_devmem_cleanup(&d);
	return ret;
}
