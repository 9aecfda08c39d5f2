/* SPDX-License-Identifier: MIT */
/*
 * netdev netlink: an rx queue and its memory provider (queue get), and
 * the dumps of a device's queues and of the page pools (zcrx-nic, the
 * tests).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"

/*
 * Debian 12's kernel headers have no linux/netdev.h; the numbers are
 * upstream's (uapi.md and include/uapi/linux/netdev.h).
 */
#define NETDEV_FAMILY			"netdev"
#define NETDEV_VERSION			1
#define NETDEV_PAGE_POOL_GET		5	/* NETDEV_CMD_PAGE_POOL_GET */
#define NETDEV_QUEUE_GET		10	/* NETDEV_CMD_QUEUE_GET */
#define NETDEV_POOL_ID			1	/* NETDEV_A_PAGE_POOL_ID */
#define NETDEV_POOL_IFINDEX		2
#define NETDEV_POOL_NAPI_ID		3
#define NETDEV_POOL_INFLIGHT		4
#define NETDEV_POOL_INFLIGHT_MEM	5
#define NETDEV_POOL_DETACH_TIME		6
#define NETDEV_POOL_DMABUF		7
#define NETDEV_POOL_IO_URING		8
#define NETDEV_QUEUE_ID			1	/* NETDEV_A_QUEUE_ID */
#define NETDEV_QUEUE_IFINDEX		2
#define NETDEV_QUEUE_TYPE		3
#define NETDEV_QUEUE_NAPI_ID		4
#define NETDEV_QUEUE_DMABUF		5
#define NETDEV_QUEUE_IO_URING		6
#define NETDEV_QUEUE_RX			0	/* NETDEV_QUEUE_TYPE_RX */

#define QUEUE(attr, member)						\
	__IO_URING_EXT_NLA_FIELD(attr, struct __io_uring_ext_queue, member)
#define POOL(attr, member)						\
	__IO_URING_EXT_NLA_FIELD(attr, struct __io_uring_ext_page_pool, member)

static const struct __io_uring_ext_nla_field queue_fields[] = {
	QUEUE(NETDEV_QUEUE_ID, id),
	QUEUE(NETDEV_QUEUE_TYPE, type),
	QUEUE(NETDEV_QUEUE_IFINDEX, ifindex),
	QUEUE(NETDEV_QUEUE_NAPI_ID, napi_id),
	__IO_URING_EXT_NLA_FIELD_HAS(NETDEV_QUEUE_DMABUF,
				     struct __io_uring_ext_queue, dmabuf,
				     has_dmabuf),
	__IO_URING_EXT_NLA_FLAG(NETDEV_QUEUE_IO_URING,
				struct __io_uring_ext_queue, io_uring),
};

static const struct __io_uring_ext_nla_field pool_fields[] = {
	POOL(NETDEV_POOL_ID, id),
	POOL(NETDEV_POOL_IFINDEX, ifindex),
	POOL(NETDEV_POOL_NAPI_ID, napi_id),
	POOL(NETDEV_POOL_INFLIGHT, inflight),
	POOL(NETDEV_POOL_INFLIGHT_MEM, inflight_mem),
	POOL(NETDEV_POOL_DETACH_TIME, detach_time),
	__IO_URING_EXT_NLA_FIELD_HAS(NETDEV_POOL_DMABUF,
				     struct __io_uring_ext_page_pool, dmabuf,
				     has_dmabuf),
	__IO_URING_EXT_NLA_FLAG(NETDEV_POOL_IO_URING,
				struct __io_uring_ext_page_pool, io_uring),
};

static int queue_attr(const struct nlattr *a, void *arg)
{
	return __io_uring_ext_nla_fields(a, arg, queue_fields,
			__IO_URING_EXT_ARRAY_SIZE(queue_fields));
}

static int pool_attr(const struct nlattr *a, void *arg)
{
	return __io_uring_ext_nla_fields(a, arg, pool_fields,
			__IO_URING_EXT_ARRAY_SIZE(pool_fields));
}

/* A socket and request @cmd of the netdev family: the socket or -errno. */
static int netdev_open(struct __io_uring_ext_nlmsg *m, __u8 cmd)
{
	int family, fd = __io_uring_ext_nl_open_family(NETDEV_FAMILY, &family);

	if (fd >= 0)
		__io_uring_ext_nl_init(m, (__u16)family, cmd, NETDEV_VERSION);
	return fd;
}

int __io_uring_ext_queue_get(unsigned int ifindex, unsigned int rxq,
			     struct __io_uring_ext_queue *q)
{
	struct __io_uring_ext_nlmsg m;
	int fd, ret;

	memset(q, 0, sizeof(*q));
	fd = netdev_open(&m, NETDEV_QUEUE_GET);
	if (fd < 0)
		return fd;
	ret = __io_uring_ext_nl_put_u32(&m, NETDEV_QUEUE_ID, rxq);
	if (!ret)
		ret = __io_uring_ext_nl_put_u32(&m, NETDEV_QUEUE_IFINDEX,
						ifindex);
	if (!ret)
		ret = __io_uring_ext_nl_put_u32(&m, NETDEV_QUEUE_TYPE,
						NETDEV_QUEUE_RX);
	if (!ret)
		ret = __io_uring_ext_nl_talk(fd, &m, queue_attr, q);
	close(fd);
	if (ret)
		memset(q, 0, sizeof(*q));
	return ret;
}

/* A dump of queues (queue_cb) or of page pools (pool_cb). */
struct netdev_dump {
	__io_uring_ext_queue_cb queue_cb;
	__io_uring_ext_page_pool_cb pool_cb;
	void *arg;
};

/* One reply: one queue or page pool. */
static int dump_msg(const struct nlmsghdr *nh, void *arg)
{
	const struct netdev_dump *d = arg;
	struct __io_uring_ext_page_pool p = { 0 };
	struct __io_uring_ext_queue q = { 0 };
	int ret;

	if (d->queue_cb) {
		ret = __io_uring_ext_nl_attrs(nh, queue_attr, &q);
		return ret ? ret : d->queue_cb(&q, d->arg);
	}
	ret = __io_uring_ext_nl_attrs(nh, pool_attr, &p);
	return ret ? ret : d->pool_cb(&p, d->arg);
}

/* Dump @cmd, of device @ifindex (queue-get only; 0: all devices). */
static int netdev_dump(struct netdev_dump *d, __u8 cmd,
		       unsigned int ifindex)
{
	struct __io_uring_ext_nlmsg m;
	int fd, ret;

	fd = netdev_open(&m, cmd);
	if (fd < 0)
		return fd;
	ret = ifindex ? __io_uring_ext_nl_put_u32(&m, NETDEV_QUEUE_IFINDEX,
						  ifindex) : 0;
	if (!ret)
		ret = __io_uring_ext_nl_dump(fd, &m, dump_msg, d);
	close(fd);
	return ret;
}

int __io_uring_ext_queue_dump(unsigned int ifindex, __io_uring_ext_queue_cb cb,
			      void *arg)
{
	struct netdev_dump d = { .queue_cb = cb, .arg = arg };

	return netdev_dump(&d, NETDEV_QUEUE_GET, ifindex);
}

int __io_uring_ext_page_pool_dump(__io_uring_ext_page_pool_cb cb, void *arg)
{
	struct netdev_dump d = { .pool_cb = cb, .arg = arg };

	return netdev_dump(&d, NETDEV_PAGE_POOL_GET, 0);
}
