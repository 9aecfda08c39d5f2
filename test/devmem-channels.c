/* SPDX-License-Identifier: MIT */
/*
 * Description: while a dma-buf is bound to rx queue 1 of a netdevsim port
 * with two queues, shrinking its channels to one (ETHTOOL_SCHANNELS) is
 * refused with EINVAL and the count stays two; after unbinding the same
 * change is accepted. Skips when the kernel cannot do devmem TCP on
 * netdevsim.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "devmem.h"

#define BUF_SIZE	(4UL << 20)

/* ETHTOOL_[GS]CHANNELS on @ifname in @ns: 0 or -errno. */
static int channels(const char *ns, const char *ifname, __u32 cmd,
		    struct ethtool_channels *ch)
{
	struct ifreq ifr = { };
	int self, fd, ret = 0;

	self = t_netns_visit(ns);
	if (self < 0)
		return self;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ch->cmd = cmd;
	strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
	ifr.ifr_data = (void *)ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		ret = -errno;
	close(fd);
out:
	t_netns_leave(self);
	return ret;
}

static int set_combined(const char *ns, const char *ifname, __u32 n)
{
	struct ethtool_channels ch = { };
	int ret = channels(ns, ifname, ETHTOOL_GCHANNELS, &ch);

	if (ret)
		return ret;
	ch.combined_count = n;
	return channels(ns, ifname, ETHTOOL_SCHANNELS, &ch);
}

static int combined(const char *ns, const char *ifname)
{
	struct ethtool_channels ch = { };
	int ret = channels(ns, ifname, ETHTOOL_GCHANNELS, &ch);

	return ret ? ret : (int)ch.combined_count;
}

int main(void)
{
	struct t_binding b = { .fd = -1 };
	struct t_devmem d;
	const char *ns, *ifname;
	int ret;

	/* The usual set-up decides whether to skip; then two queues. */
	ret = t_devmem_setup(&d, BUF_SIZE);
	if (ret)
		return ret;
	t_nsim_pair_destroy(&d.pair);
	ret = t_nsim_pair_create(&d.pair, 2);
	if (ret)
		goto out;
	ns = d.ns = d.pair.netns[1];
	ifname = d.pair.ifname[1];
	d.ifindex = d.pair.ifindex[1];
	ret = t_hds_enable(ns, d.ifindex);
	if (ret) {
		ret = t_fail("enabling header split: %s", strerror(-ret));
		goto out;
	}
	if (combined(ns, ifname) != 2) {
		ret = t_fail("%s has %d channels, want 2", ifname,
			     combined(ns, ifname));
		goto out;
	}

	ret = t_devmem_bind(ns, d.ifindex, 1, d.buf.fd, &b);
	if (ret) {
		ret = t_fail("BIND_RX to queue 1: %s", strerror(-ret));
		goto out;
	}
	ret = set_combined(ns, ifname, 1);
	if (ret != -EINVAL) {
		ret = t_fail("shrinking to 1 channel with queue 1 bound: %s, want EINVAL",
			     t_errname(ret));
		goto out;
	}
	if (combined(ns, ifname) != 2) {
		ret = t_fail("refused change left %d channels",
			     combined(ns, ifname));
		goto out;
	}
	printf("bound queue 1: shrinking to 1 channel refused (EINVAL)\n");

	t_devmem_unbind(&b);
	ret = set_combined(ns, ifname, 1);
	if (ret || combined(ns, ifname) != 1) {
		ret = t_fail("after unbind, shrinking to 1 channel: %s, %d channels",
			     t_errname(ret), combined(ns, ifname));
		goto out;
	}
	printf("unbound: shrinking to 1 channel accepted\n");
	ret = T_EXIT_PASS;
out:
	t_devmem_unbind(&b);
	t_devmem_cleanup(&d);
	return ret;
}
