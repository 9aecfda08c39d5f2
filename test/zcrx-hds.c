/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring_zcrx_enable_hds() turns on header split (and sets
 * hds-thresh to 0 where the kernel has it) on a netdevsim port through
 * ethtool netlink, idempotently, as a rings query and ethtool -g then
 * show; io_uring_zcrx_check() of the port's queue 0 (no provider bound)
 * then says OK. Skips without netdevsim or when its netdevsim cannot split
 * headers (fails on the project's kernel, whose netdevsim can, and has
 * hds-thresh).
 */
#include <string.h>

#include <liburing-ext.h>

#include "helpers.h"
/* liburing-ext's internal ethtool query: the tests link the static library */
#include "../liburing-ext/src/lib.h"

int main(void)
{
	struct __io_uring_ext_rings rings;
	struct t_nsim_pair pair;
	const char *ns, *ifname;
	int ret, i;

	ret = t_nsim_pair_create(&pair, 1);
	if (ret)
		return ret;
	ns = pair.netns[1];
	ifname = pair.ifname[1];
	ret = t_netns_enter(ns);
	if (ret) {
		ret = t_fail("entering %s: %s", ns, strerror(-ret));
		goto out;
	}
	if (io_uring_zcrx_ifindex(ifname) != pair.ifindex[1]) {
		ret = t_fail("ifindex of %s: %d, want %d", ifname,
			     io_uring_zcrx_ifindex(ifname), pair.ifindex[1]);
		goto out;
	}

	for (i = 0; i < 2; i++) {
		ret = io_uring_zcrx_enable_hds((unsigned int)pair.ifindex[1]);
		if (ret == -EOPNOTSUPP && !i) {
			ret = t_lacks("netdevsim of this kernel cannot split headers");
			goto out;
		}
		if (ret) {
			ret = t_fail("enable_hds (call %d): %s", i + 1,
				     io_uring_zcrx_strerror(ret));
			goto out;
		}
	}
	ret = __io_uring_ext_rings_get((unsigned int)pair.ifindex[1], &rings);
	if (!ret && !rings.has_thresh && t_project_kernel()) {
		ret = t_fail("the project's kernel reports no hds-thresh ring parameter");
		goto out;
	}
	if (ret || rings.split != 2 || (rings.has_thresh && rings.thresh)) {
		ret = t_fail("rings: %d, split %u, hds-thresh %s%u", ret,
			     rings.split, rings.has_thresh ? "" : "(none) ",
			     rings.thresh);
		goto out;
	}
	/* and as ethtool (which may not know hds-thresh) sees it */
	if (t_run("ip netns exec %s ethtool -g %s | grep -q 'TCP data split:[[:space:]]*on'",
		  ns, ifname)) {
		t_run("ip netns exec %s ethtool -g %s", ns, ifname);
		ret = t_fail("ethtool -g does not show header split on");
		goto out;
	}
	printf("%s: header split on, hds-thresh %s\n", ifname,
	       rings.has_thresh ? "0" : "not supported by the kernel");

	{
		struct io_uring_probe *probe = io_uring_get_probe();
		bool zcrx = probe && io_uring_opcode_supported(probe,
							IORING_OP_RECV_ZC);

		if (probe)
			io_uring_free_probe(probe);
		if (!zcrx) {
			ret = t_lacks("header split checked; the kernel has no IORING_OP_RECV_ZC for io_uring_zcrx_check() to find the queue usable");
			goto out;
		}
	}
	ret = io_uring_zcrx_check(ifname, 0, 0, 0);
	printf("check %s queue 0: %s\n", ifname, io_uring_zcrx_strerror(ret));
	if (ret != IO_URING_ZCRX_OK) {
		ret = t_fail("after enable_hds the check of queue 0 says: %s, want: %s",
			     io_uring_zcrx_strerror(ret),
			     io_uring_zcrx_strerror(IO_URING_ZCRX_OK));
		goto out;
	}
	ret = T_EXIT_PASS;
out:
	t_nsim_pair_destroy(&pair);
	return ret;
}
