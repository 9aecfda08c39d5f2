/* SPDX-License-Identifier: MIT */
/*
 * Network interfaces: index by name, and header split and ring sizes
 * through ethtool netlink (rings get and set).
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool_netlink.h>

#include "netlink.h"

/*
 * Newer than Debian 12's kernel headers; the numbers are upstream's
 * (uapi.md and include/uapi/linux/ethtool_netlink.h).
 */
#define ETHTOOL_TCP_SPLIT_ENABLED	2	/* ETHTOOL_TCP_DATA_SPLIT_ENABLED */
#define ETHTOOL_RINGS_HDS_THRESH	17	/* ETHTOOL_A_RINGS_HDS_THRESH */
#define ETHTOOL_RINGS_HDS_THRESH_MAX	18	/* ETHTOOL_A_RINGS_HDS_THRESH_MAX */

int io_uring_zcrx_ifindex(const char *ifname)
{
	unsigned int idx;

	if (!ifname || !*ifname)
		return -EINVAL;
	if (strlen(ifname) >= IF_NAMESIZE)
		return -ENODEV;
	errno = 0;
	idx = if_nametoindex(ifname);
	if (!idx)
		return errno ? -errno : -ENODEV;
	return idx > INT32_MAX ? -EOVERFLOW : (int)idx;
}

/* A request of ethtool command @cmd for @ifindex. */
static int ethtool_init(struct __io_uring_ext_nlmsg *m, int family, __u8 cmd,
			unsigned int ifindex)
{
	struct nlattr *hdr;
	__u32 idx = ifindex;

	__io_uring_ext_nl_init(m, (__u16)family, cmd, ETHTOOL_GENL_VERSION);
	hdr = __io_uring_ext_nl_put(m, ETHTOOL_A_RINGS_HEADER, NULL, 0);
	if (!hdr || !__io_uring_ext_nl_put(m, ETHTOOL_A_HEADER_DEV_INDEX,
					   &idx, sizeof(idx)))
		return -EMSGSIZE;
	__io_uring_ext_nl_nest_end(m, hdr);
	return 0;
}

#define RINGS(attr, member)						\
	__IO_URING_EXT_NLA_FIELD(attr, struct __io_uring_ext_rings, member)
#define RINGS_HAS(attr, member)						\
	__IO_URING_EXT_NLA_FIELD_HAS(attr, struct __io_uring_ext_rings,	\
				     member, has_##member)

static const struct __io_uring_ext_nla_field rings_fields[] = {
	RINGS(ETHTOOL_A_RINGS_RX, rx),
	RINGS(ETHTOOL_A_RINGS_RX_MAX, rx_max),
	RINGS(ETHTOOL_A_RINGS_TX, tx),
	RINGS(ETHTOOL_A_RINGS_TX_MAX, tx_max),
	RINGS_HAS(ETHTOOL_A_RINGS_TCP_DATA_SPLIT, split),
	RINGS_HAS(ETHTOOL_RINGS_HDS_THRESH, thresh),
	RINGS_HAS(ETHTOOL_RINGS_HDS_THRESH_MAX, thresh_max),
};

static int rings_cb(const struct nlattr *a, void *arg)
{
	return __io_uring_ext_nla_fields(a, arg, rings_fields,
			__IO_URING_EXT_ARRAY_SIZE(rings_fields));
}

static int rings_get(int fd, int family, unsigned int ifindex,
		     struct __io_uring_ext_rings *rings)
{
	struct __io_uring_ext_nlmsg m;
	int ret;

	memset(rings, 0, sizeof(*rings));
	ret = ethtool_init(&m, family, ETHTOOL_MSG_RINGS_GET, ifindex);
	if (ret)
		return ret;
	return __io_uring_ext_nl_talk(fd, &m, rings_cb, rings);
}

/* RINGS_SET: @split and @thresh, each left alone when negative. */
static int rings_set(int fd, int family, unsigned int ifindex, int split,
		     long long thresh)
{
	struct __io_uring_ext_nlmsg m;
	__u8 s = (__u8)split;
	int ret;

	ret = ethtool_init(&m, family, ETHTOOL_MSG_RINGS_SET, ifindex);
	if (ret)
		return ret;
	if (split >= 0 &&
	    !__io_uring_ext_nl_put(&m, ETHTOOL_A_RINGS_TCP_DATA_SPLIT, &s, 1))
		return -EMSGSIZE;
	if (thresh >= 0 &&
	    __io_uring_ext_nl_put_u32(&m, ETHTOOL_RINGS_HDS_THRESH,
				      (__u32)thresh))
		return -EMSGSIZE;
	return __io_uring_ext_nl_talk(fd, &m, NULL, NULL);
}

int __io_uring_ext_rings_get(unsigned int ifindex,
			     struct __io_uring_ext_rings *rings)
{
	int family, fd, ret;

	fd = __io_uring_ext_nl_open_family(ETHTOOL_GENL_NAME, &family);
	if (fd < 0)
		return fd;
	ret = rings_get(fd, family, ifindex, rings);
	close(fd);
	return ret;
}

int __io_uring_ext_rings_set(unsigned int ifindex, int split,
			     long long thresh)
{
	int family, fd, ret;

	if (split > 255 || thresh > UINT32_MAX)
		return -EINVAL;
	fd = __io_uring_ext_nl_open_family(ETHTOOL_GENL_NAME, &family);
	if (fd < 0)
		return fd;
	ret = rings_set(fd, family, ifindex, split, thresh);
	close(fd);
	return ret;
}

int io_uring_zcrx_enable_hds(unsigned int ifindex)
{
	struct __io_uring_ext_rings rings;
	int family, fd, ret;

	if (!ifindex)
		return -EINVAL;
	fd = __io_uring_ext_nl_open_family(ETHTOOL_GENL_NAME, &family);
	if (fd < 0)
		return fd;
	/*
	 * Ask first: a kernel that does not report hds-thresh (6.12 without
	 * this project's series) refuses the attribute in a set.
	 */
	ret = rings_get(fd, family, ifindex, &rings);
	if (!ret && (rings.split != ETHTOOL_TCP_SPLIT_ENABLED ||
		     (rings.has_thresh && rings.thresh)))
		ret = rings_set(fd, family, ifindex, ETHTOOL_TCP_SPLIT_ENABLED,
				rings.has_thresh ? 0 : -1);
	close(fd);
	return ret;
}
