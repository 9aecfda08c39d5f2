/* SPDX-License-Identifier: MIT */
/*
 * Network interfaces: index by name, header split through ethtool netlink
 * (rings get/set), and rx queue state through netdev netlink (queue get).
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool_netlink.h>

#include "netlink.h"

/*
 * Newer than Debian 12's kernel headers; the numbers are upstream's
 * (uapi.md and include/uapi/linux/netdev.h).
 */
#define ETHTOOL_TCP_SPLIT_ENABLED	2	/* ETHTOOL_TCP_DATA_SPLIT_ENABLED */
#define ETHTOOL_RINGS_HDS_THRESH	17	/* ETHTOOL_A_RINGS_HDS_THRESH */
#define NETDEV_FAMILY			"netdev"
#define NETDEV_VERSION			1
#define NETDEV_QUEUE_GET		10	/* NETDEV_CMD_QUEUE_GET */
#define NETDEV_QUEUE_ID			1	/* NETDEV_A_QUEUE_ID */
#define NETDEV_QUEUE_IFINDEX		2
#define NETDEV_QUEUE_TYPE		3
#define NETDEV_QUEUE_DMABUF		5
#define NETDEV_QUEUE_IO_URING		6
#define NETDEV_QUEUE_RX			0	/* NETDEV_QUEUE_TYPE_RX */

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

/* A socket and the id of family @name: returns the socket or -errno. */
static int family_open(const char *name, int *family)
{
	int fd = __io_uring_ext_nl_open();

	if (fd < 0)
		return fd;
	*family = __io_uring_ext_nl_family(fd, name);
	if (*family < 0) {
		int ret = *family;

		close(fd);
		return ret;
	}
	return fd;
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

static int rings_cb(const struct nlattr *a, void *arg)
{
	struct __io_uring_ext_rings *r = arg;
	int len = __io_uring_ext_nla_len(a);

	switch (__io_uring_ext_nla_type(a)) {
	case ETHTOOL_A_RINGS_TCP_DATA_SPLIT:
		if (len < 1)
			return -EIO;
		r->has_split = true;
		memcpy(&r->split, __io_uring_ext_nla_data(a), 1);
		break;
	case ETHTOOL_RINGS_HDS_THRESH:
		if (len < 4)
			return -EIO;
		r->has_thresh = true;
		memcpy(&r->thresh, __io_uring_ext_nla_data(a), 4);
		break;
	}
	return 0;
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

int __io_uring_ext_rings_get(unsigned int ifindex,
			     struct __io_uring_ext_rings *rings)
{
	int family, fd, ret;

	fd = family_open(ETHTOOL_GENL_NAME, &family);
	if (fd < 0)
		return fd;
	ret = rings_get(fd, family, ifindex, rings);
	close(fd);
	return ret;
}

int io_uring_zcrx_enable_hds(unsigned int ifindex)
{
	struct __io_uring_ext_rings rings;
	struct __io_uring_ext_nlmsg m;
	__u8 split = ETHTOOL_TCP_SPLIT_ENABLED;
	__u32 thresh = 0;
	int family, fd, ret;

	if (!ifindex)
		return -EINVAL;
	fd = family_open(ETHTOOL_GENL_NAME, &family);
	if (fd < 0)
		return fd;
	/*
	 * Ask first: a kernel that does not report hds-thresh (6.12 without
	 * this project's series) refuses the attribute in a set.
	 */
	ret = rings_get(fd, family, ifindex, &rings);
	if (ret)
		goto out;
	if (rings.split == ETHTOOL_TCP_SPLIT_ENABLED &&
	    (!rings.has_thresh || !rings.thresh))
		goto out;
	ret = ethtool_init(&m, family, ETHTOOL_MSG_RINGS_SET, ifindex);
	if (ret)
		goto out;
	if (!__io_uring_ext_nl_put(&m, ETHTOOL_A_RINGS_TCP_DATA_SPLIT,
				   &split, sizeof(split)) ||
	    (rings.has_thresh &&
	     !__io_uring_ext_nl_put(&m, ETHTOOL_RINGS_HDS_THRESH,
				    &thresh, sizeof(thresh)))) {
		ret = -EMSGSIZE;
		goto out;
	}
	ret = __io_uring_ext_nl_talk(fd, &m, NULL, NULL);
out:
	close(fd);
	return ret;
}

static int queue_cb(const struct nlattr *a, void *arg)
{
	bool *busy = arg;

	switch (__io_uring_ext_nla_type(a)) {
	case NETDEV_QUEUE_DMABUF:
	case NETDEV_QUEUE_IO_URING:
		*busy = true;
		break;
	}
	return 0;
}

int __io_uring_ext_queue_get(unsigned int ifindex, unsigned int rxq,
			     bool *busy)
{
	struct __io_uring_ext_nlmsg m;
	__u32 id = rxq, idx = ifindex, type = NETDEV_QUEUE_RX;
	int family, fd, ret;

	*busy = false;
	fd = family_open(NETDEV_FAMILY, &family);
	if (fd < 0)
		return fd;
	__io_uring_ext_nl_init(&m, (__u16)family, NETDEV_QUEUE_GET,
			       NETDEV_VERSION);
	if (!__io_uring_ext_nl_put(&m, NETDEV_QUEUE_ID, &id, sizeof(id)) ||
	    !__io_uring_ext_nl_put(&m, NETDEV_QUEUE_IFINDEX, &idx,
				   sizeof(idx)) ||
	    !__io_uring_ext_nl_put(&m, NETDEV_QUEUE_TYPE, &type,
				   sizeof(type)))
		ret = -EMSGSIZE;
	else
		ret = __io_uring_ext_nl_talk(fd, &m, queue_cb, busy);
	close(fd);
	return ret;
}
