/* SPDX-License-Identifier: MIT */
/*
 * devmem TCP test helpers (see devmem.h). Netlink goes through
 * liburing-ext's minimal generic netlink client and its ethtool rings and
 * netdev queue and page pool queries (linked statically); rtnetlink for
 * XDP attach is a few lines of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <linux/dma-heap.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/udmabuf.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ethtool_netlink.h>

#include "devmem.h"
/*
 * liburing-ext's internal netlink client and queries: the tests link the
 * static library
 */
#include "../liburing-ext/src/netlink.h"

#define NSIM_BUS "/sys/bus/netdevsim"

/*
 * netdev netlink of 6.12 (include/uapi/linux/netdev.h) for BIND_RX and
 * QSTATS_GET; Debian 12's headers have no linux/netdev.h.
 */
#define T_NETDEV_FAMILY_NAME		"netdev"
#define T_NETDEV_FAMILY_VERSION		1
#define T_NETDEV_CMD_BIND_RX		13
#define T_NETDEV_A_QUEUE_ID		1
#define T_NETDEV_A_QUEUE_TYPE		3
#define T_NETDEV_QUEUE_TYPE_RX		0
#define T_NETDEV_A_DMABUF_IFINDEX	1
#define T_NETDEV_A_DMABUF_QUEUES	2
#define T_NETDEV_A_DMABUF_FD		3
#define T_NETDEV_A_DMABUF_ID		4
#define T_NETDEV_CMD_QSTATS_GET		12
#define T_NETDEV_A_QSTATS_IFINDEX	1
#define T_NETDEV_A_QSTATS_QUEUE_TYPE	2
#define T_NETDEV_A_QSTATS_QUEUE_ID	3
#define T_NETDEV_A_QSTATS_SCOPE		4
#define T_NETDEV_A_QSTATS_RX_PACKETS	8
#define T_NETDEV_A_QSTATS_RX_BYTES	9
#define T_NETDEV_A_QSTATS_RX_ALLOC_FAIL	12
#define T_NETDEV_A_QSTATS_RX_HW_DROPS	13
#define T_NETDEV_A_QSTATS_RX_HW_DROP_OVERRUNS	14
#define T_NETDEV_A_QSTATS_RX_CSUM_UNNECESSARY	16
#define T_NETDEV_A_QSTATS_RX_CSUM_NONE	17
#define T_NETDEV_A_QSTATS_RX_CSUM_BAD	18
#define T_NETDEV_QSTATS_SCOPE_QUEUE	1

/* udmabuf */

int t_udmabuf_create(struct t_udmabuf *b, size_t size)
{
	struct udmabuf_create c = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	void *map;
	int dev;

	memset(b, 0, sizeof(*b));
	b->memfd = b->fd = -1;
	if (!size || size % (size_t)page)
		return t_fail("udmabuf size %zu is not a multiple of %ld",
			      size, page);
	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		if (errno == ENOENT)
			return t_lacks("no /dev/udmabuf (kernel without CONFIG_UDMABUF)");
		return t_fail("open /dev/udmabuf: %s", strerror(errno));
	}
	b->memfd = memfd_create("zcrx-devmem", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (b->memfd < 0) {
		t_fail("memfd_create: %s", strerror(errno));
		goto fail;
	}
	if (ftruncate(b->memfd, (off_t)size)) {
		t_fail("memfd of %zu bytes: %s", size, strerror(errno));
		goto fail;
	}
	/* udmabuf wants the memfd unable to shrink under it */
	if (fcntl(b->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		t_fail("F_SEAL_SHRINK: %s", strerror(errno));
		goto fail;
	}
	c.memfd = (__u32)b->memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.offset = 0;
	c.size = size;
	b->fd = ioctl(dev, UDMABUF_CREATE, &c);
	if (b->fd < 0) {
		t_fail("UDMABUF_CREATE of %zu bytes: %s", size, strerror(errno));
		goto fail;
	}
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, b->memfd, 0);
	if (map == MAP_FAILED) {
		t_fail("mmap of the memfd: %s", strerror(errno));
		goto fail;
	}
	b->map = map;
	b->size = size;
	close(dev);
	return 0;
fail:
	close(dev);
	t_udmabuf_destroy(b);
	return T_EXIT_FAIL;
}

int t_devmem_heap(char *name, size_t len)
{
	struct dirent *e;
	DIR *d;

	d = opendir("/dev/dma_heap");
	if (!d)
		return t_lacks("no /dev/dma_heap: %s", strerror(errno));
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "ivshmem-", 8))
			break;
	if (e)
		snprintf(name, len, "%s", e->d_name);
	closedir(d);
	if (!e)
		return t_lacks("no device memory heap (/dev/dma_heap/ivshmem-*: the guest needs vm run --devmem-bar)");
	return 0;
}

int t_heap_dmabuf_create(struct t_udmabuf *b, size_t size)
{
	struct dma_heap_allocation_data d = {
		.len = size, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	char name[64], path[96];
	void *map;
	int heap, ret;

	memset(b, 0, sizeof(*b));
	b->memfd = b->fd = -1;
	ret = t_devmem_heap(name, sizeof(name));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/dev/dma_heap/%s", name);
	heap = open(path, O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return t_fail("open %s: %s", path, strerror(errno));
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
	close(heap);
	if (ret)
		return t_fail("DMA_HEAP_IOCTL_ALLOC of %zu bytes from %s: %s",
			      size, name, strerror(errno));
	b->fd = (int)d.fd;
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, b->fd, 0);
	if (map == MAP_FAILED) {
		t_fail("mmap of a %s dma-buf: %s", name, strerror(errno));
		t_udmabuf_destroy(b);
		return T_EXIT_FAIL;
	}
	b->map = map;
	b->size = size;
	return 0;
}

void t_udmabuf_destroy(struct t_udmabuf *b)
{
	if (b->map)
		munmap((void *)b->map, b->size);
	if (b->fd >= 0)
		close(b->fd);
	if (b->memfd >= 0)
		close(b->memfd);
	b->map = NULL;
	b->fd = b->memfd = -1;
}

/* network namespaces */

int t_netns_visit(const char *ns)
{
	int self, ret;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	ret = t_netns_enter(ns);
	if (ret) {
		close(self);
		return ret;
	}
	return self;
}

void t_netns_leave(int self)
{
	t_check(!setns(self, CLONE_NEWNET), "back to own netns: %s",
		strerror(errno));
	close(self);
}

/*
 * @call (an int expression) run in network namespace @ns (NULL: this
 * one), the calling thread back in its own namespace after it: its value,
 * or -errno when @ns cannot be entered.
 */
#define in_netns(ns, call)						\
	({								\
		int _self = -1, _ret = 0;				\
									\
		if (ns)							\
			_ret = _self = t_netns_visit(ns);		\
		if (_ret >= 0) {					\
			_ret = (call);					\
			if (_self >= 0)					\
				t_netns_leave(_self);			\
		}							\
		_ret;							\
	})

#define put_u32(m, type, v)	__io_uring_ext_nl_put_u32(m, type, v)

/* A generic netlink socket in @ns (NULL: this one) and family @name's id. */
static int genl_open(const char *ns, const char *name, int *family)
{
	return in_netns(ns, __io_uring_ext_nl_open_family(name, family));
}

int t_netdev_family(const char *ns)
{
	int family, fd = genl_open(ns, T_NETDEV_FAMILY_NAME, &family);

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	return 1;
}

/* bindings */

/*
 * Sockets of live bindings, closed in forked children: a binding lives
 * as long as any process holds its socket, and the stream sender (a
 * fork()ed child) must not keep the parent's bindings alive.
 */
static int binding_fds[32];
static int nr_binding_fds;

static void close_bindings_in_child(void)
{
	int i;

	for (i = 0; i < nr_binding_fds; i++)
		close(binding_fds[i]);
	nr_binding_fds = 0;
}

static void track_binding(int fd)
{
	static bool registered;

	if (!registered) {
		t_check(!pthread_atfork(NULL, NULL, close_bindings_in_child),
			"pthread_atfork");
		registered = true;
	}
	t_check(nr_binding_fds < (int)(sizeof(binding_fds) /
				       sizeof(binding_fds[0])),
		"too many bindings open");
	binding_fds[nr_binding_fds++] = fd;
}

static void untrack_binding(int fd)
{
	int i;

	for (i = 0; i < nr_binding_fds; i++) {
		if (binding_fds[i] == fd) {
			binding_fds[i] = binding_fds[--nr_binding_fds];
			return;
		}
	}
}

struct bind_reply {
	bool found;
	uint32_t id;
};

static int bind_cb(const struct nlattr *a, void *arg)
{
	struct bind_reply *r = arg;

	if (__io_uring_ext_nla_type(a) == T_NETDEV_A_DMABUF_ID &&
	    __io_uring_ext_nla_len(a) >= 4) {
		memcpy(&r->id, __io_uring_ext_nla_data(a), 4);
		r->found = true;
	}
	return 0;
}

int t_devmem_bind_more(struct t_binding *b, int ifindex, unsigned int rxq,
		       int dmabuf_fd, uint32_t *id)
{
	struct __io_uring_ext_nlmsg m;
	struct bind_reply r = { 0 };
	struct nlattr *q;
	int ret;

	__io_uring_ext_nl_init(&m, (__u16)b->family, T_NETDEV_CMD_BIND_RX,
			       T_NETDEV_FAMILY_VERSION);
	if (put_u32(&m, T_NETDEV_A_DMABUF_IFINDEX, (uint32_t)ifindex) ||
	    put_u32(&m, T_NETDEV_A_DMABUF_FD, (uint32_t)dmabuf_fd))
		return -EMSGSIZE;
	q = __io_uring_ext_nl_put(&m, T_NETDEV_A_DMABUF_QUEUES, NULL, 0);
	if (!q || put_u32(&m, T_NETDEV_A_QUEUE_ID, rxq) ||
	    put_u32(&m, T_NETDEV_A_QUEUE_TYPE, T_NETDEV_QUEUE_TYPE_RX))
		return -EMSGSIZE;
	__io_uring_ext_nl_nest_end(&m, q);
	ret = __io_uring_ext_nl_talk(b->fd, &m, bind_cb, &r);
	if (ret)
		return ret;
	if (!r.found) {
		t_fail("BIND_RX succeeded without NETDEV_A_DMABUF_ID in its reply");
		return -EBADMSG;
	}
	*id = r.id;
	return 0;
}

int t_devmem_bind(const char *ns, int ifindex, unsigned int rxq, int dmabuf_fd,
		  struct t_binding *b)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->fd = genl_open(ns, T_NETDEV_FAMILY_NAME, &b->family);
	if (b->fd < 0) {
		ret = b->fd;
		b->fd = -1;
		return ret;
	}
	track_binding(b->fd);
	ret = t_devmem_bind_more(b, ifindex, rxq, dmabuf_fd, &b->id);
	if (ret)
		t_devmem_unbind(b);
	return ret;
}

void t_devmem_unbind(struct t_binding *b)
{
	if (b->fd < 0)
		return;
	untrack_binding(b->fd);
	close(b->fd);
	b->fd = -1;
}

/* queue and page pool introspection */

int t_queue_get(const char *ns, int ifindex, unsigned int rxq,
		struct t_queue_info *q)
{
	struct __io_uring_ext_queue lq;
	int ret;

	memset(q, 0, sizeof(*q));
	ret = in_netns(ns, __io_uring_ext_queue_get((unsigned int)ifindex, rxq,
						    &lq));
	if (!ret) {
		q->dmabuf = lq.has_dmabuf ? lq.dmabuf : 0;
		q->io_uring = lq.io_uring;
	}
	return ret;
}

int t_queue_dmabuf(const char *ns, int ifindex, unsigned int rxq,
		   uint32_t *dmabuf)
{
	struct t_queue_info q;
	int ret = t_queue_get(ns, ifindex, rxq, &q);

	*dmabuf = q.dmabuf;
	return ret;
}

int t_expect_queue_dmabuf(const char *ns, int ifindex, unsigned int rxq,
			  uint32_t want, const char *when)
{
	uint32_t got;
	int ret = t_queue_dmabuf(ns, ifindex, rxq, &got);

	if (ret)
		return t_fail("%s: QUEUE_GET of ifindex %d rx queue %u: %s",
			      when, ifindex, rxq, t_errname(ret));
	if (got != want) {
		if (!want)
			return t_fail("%s: QUEUE_GET of rx queue %u reports dmabuf %u, want no NETDEV_A_QUEUE_DMABUF",
				      when, rxq, got);
		if (!got)
			return t_fail("%s: QUEUE_GET of rx queue %u has no NETDEV_A_QUEUE_DMABUF, want %u",
				      when, rxq, want);
		return t_fail("%s: QUEUE_GET of rx queue %u reports dmabuf %u, want %u",
			      when, rxq, got, want);
	}
	if (want)
		printf("queue %u %s: dmabuf %u\n", rxq, when, want);
	else
		printf("queue %u %s: no dmabuf\n", rxq, when);
	return 0;
}

struct pool_dump {
	struct t_page_pool *pools;
	int max, n;
};

/* Keep pool @lp if there is room; count it either way. */
static int pool_cb(const struct __io_uring_ext_page_pool *lp, void *arg)
{
	struct pool_dump *d = arg;
	struct t_page_pool *p;

	if (d->n++ >= d->max)
		return 0;
	p = &d->pools[d->n - 1];
	memset(p, 0, sizeof(*p));
	p->id = lp->id;
	p->ifindex = lp->ifindex;
	p->has_dmabuf = lp->has_dmabuf;
	p->dmabuf = lp->dmabuf;
	p->has_io_uring = lp->io_uring;
	p->inflight = lp->inflight;
	p->detach_time = lp->detach_time;
	return 0;
}

int t_page_pools(const char *ns, struct t_page_pool *pools, int max)
{
	struct pool_dump d = { .pools = pools, .max = max };
	int ret = in_netns(ns, __io_uring_ext_page_pool_dump(pool_cb, &d));

	return ret ? ret : d.n;
}

/* per-queue statistics */

/* One reply of a QSTATS_GET dump: a queue's identity and its counters. */
struct qstats_msg {
	uint32_t ifindex, type, id;
	bool has_type, has_id;
	struct t_qstats_rx rx;
};

#define QS(attr, member, has)						\
	__IO_URING_EXT_NLA_FIELD_HAS(attr, struct qstats_msg, member, has)

static const struct __io_uring_ext_nla_field qstats_fields[] = {
	__IO_URING_EXT_NLA_FIELD(T_NETDEV_A_QSTATS_IFINDEX, struct qstats_msg,
				 ifindex),
	QS(T_NETDEV_A_QSTATS_QUEUE_TYPE, type, has_type),
	QS(T_NETDEV_A_QSTATS_QUEUE_ID, id, has_id),
	QS(T_NETDEV_A_QSTATS_RX_PACKETS, rx.packets, rx.has_packets),
	QS(T_NETDEV_A_QSTATS_RX_BYTES, rx.bytes, rx.has_bytes),
	QS(T_NETDEV_A_QSTATS_RX_ALLOC_FAIL, rx.alloc_fail, rx.has_alloc_fail),
	QS(T_NETDEV_A_QSTATS_RX_HW_DROPS, rx.hw_drops, rx.has_hw_drops),
	QS(T_NETDEV_A_QSTATS_RX_HW_DROP_OVERRUNS, rx.hw_drop_overruns,
	   rx.has_hw_drop_overruns),
	QS(T_NETDEV_A_QSTATS_RX_CSUM_UNNECESSARY, rx.csum_unnecessary,
	   rx.has_csum_unnecessary),
	QS(T_NETDEV_A_QSTATS_RX_CSUM_NONE, rx.csum_none, rx.has_csum_none),
	QS(T_NETDEV_A_QSTATS_RX_CSUM_BAD, rx.csum_bad, rx.has_csum_bad),
};

static int qstats_attr(const struct nlattr *a, void *arg)
{
	return __io_uring_ext_nla_fields(a, arg, qstats_fields,
			__IO_URING_EXT_ARRAY_SIZE(qstats_fields));
}

struct qstats_dump {
	uint32_t ifindex;
	struct t_qstats_rx *q;
	int max, n;
};

/* Keep rx queue entries of the device asked for; tx ones are skipped. */
static int qstats_cb(const struct nlmsghdr *nh, void *arg)
{
	struct qstats_dump *d = arg;
	struct qstats_msg m;
	int ret;

	memset(&m, 0, sizeof(m));
	ret = __io_uring_ext_nl_attrs(nh, qstats_attr, &m);
	if (ret)
		return ret;
	if (!m.has_type || !m.has_id || m.ifindex != d->ifindex)
		return -EBADMSG;
	if (m.type != T_NETDEV_QUEUE_TYPE_RX)
		return 0;
	d->n++;
	if (m.id < (uint32_t)d->max)
		d->q[m.id] = m.rx;
	return 0;
}

static int qstats_dump(struct qstats_dump *d)
{
	struct __io_uring_ext_nlmsg m;
	int family, fd, ret;

	fd = __io_uring_ext_nl_open_family(T_NETDEV_FAMILY_NAME, &family);
	if (fd < 0)
		return fd;
	__io_uring_ext_nl_init(&m, (__u16)family, T_NETDEV_CMD_QSTATS_GET,
			       T_NETDEV_FAMILY_VERSION);
	ret = put_u32(&m, T_NETDEV_A_QSTATS_IFINDEX, d->ifindex);
	if (!ret)
		ret = put_u32(&m, T_NETDEV_A_QSTATS_SCOPE,
			      T_NETDEV_QSTATS_SCOPE_QUEUE);
	if (!ret)
		ret = __io_uring_ext_nl_dump(fd, &m, qstats_cb, d);
	close(fd);
	return ret;
}

int t_qstats_rx_all(const char *ns, int ifindex, struct t_qstats_rx *q,
		    int max)
{
	struct qstats_dump d = {
		.ifindex = (uint32_t)ifindex, .q = q, .max = max,
	};
	int ret;

	if (max > 0)
		memset(q, 0, (size_t)max * sizeof(*q));
	ret = in_netns(ns, qstats_dump(&d));
	return ret ? ret : d.n;
}

int t_qstats_rx(const char *ns, int ifindex, int queue,
		struct t_qstats_rx *out)
{
	struct t_qstats_rx q[64];
	int n;

	memset(out, 0, sizeof(*out));
	if (queue < 0 || queue >= 64)
		return -EINVAL;
	n = t_qstats_rx_all(ns, ifindex, q, 64);
	if (n < 0)
		return n;
	if (queue >= n)
		return -ENOENT;
	*out = q[queue];
	return 0;
}

int t_ethtool_stat(const char *ns, const char *ifname, const char *name,
		   uint64_t *v)
{
	char cmd[256], line[256], key[128];
	unsigned long long val;
	bool found = false;
	FILE *f;

	*v = 0;
	snprintf(cmd, sizeof(cmd), "ip netns exec %s ethtool -S %s 2>/dev/null",
		 ns, ifname);
	f = popen(cmd, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %127[^:]: %llu", key, &val) == 2 &&
		    !strcmp(key, name)) {
			*v = val;
			found = true;
		}
	}
	if (pclose(f))
		return -EIO;
	return found ? 0 : -ENOENT;
}

/* ethtool ring parameters */

int t_rings_get(const char *ns, int ifindex, struct t_rings *r)
{
	struct __io_uring_ext_rings lr;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = in_netns(ns, __io_uring_ext_rings_get((unsigned int)ifindex,
						    &lr));
	if (ret)
		return ret;
	r->has_split = lr.has_split;
	r->has_thresh = lr.has_thresh;
	r->has_thresh_max = lr.has_thresh_max;
	r->split = lr.split;
	r->thresh = lr.thresh;
	r->thresh_max = lr.thresh_max;
	return 0;
}

int t_rings_set(const char *ns, int ifindex, int split, int64_t thresh)
{
	return in_netns(ns, __io_uring_ext_rings_set((unsigned int)ifindex,
						     split, thresh));
}

int t_hds_enable(const char *ns, int ifindex)
{
	return in_netns(ns, io_uring_zcrx_enable_hds((unsigned int)ifindex));
}

/* XDP */

int t_xdp_load(void)
{
	struct bpf_insn insns[2] = {
		/* r0 = XDP_PASS */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		/* return r0 */
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (__u64)(uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (__u64)(uintptr_t)"Dual MIT/GPL";
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

struct rtnl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[64];
};

static struct nlattr *rta_put(struct rtnl_req *r, __u16 type, const void *data,
			      __u16 len)
{
	struct nlattr *a = (struct nlattr *)((char *)r +
					     NLMSG_ALIGN(r->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

/* RTM_SETLINK with IFLA_XDP { FD = @prog_fd, FLAGS = SKB_MODE }. */
static int xdp_set(const char *ns, int ifindex, int prog_fd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	__u32 flags = XDP_FLAGS_SKB_MODE;
	__s32 pfd = prog_fd;
	struct rtnl_req req;
	struct nlattr *nest;
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int self, fd, ret;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_SETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = ifindex;
	nest = rta_put(&req, IFLA_XDP | NLA_F_NESTED, NULL, 0);
	rta_put(&req, IFLA_XDP_FD, &pfd, sizeof(pfd));
	rta_put(&req, IFLA_XDP_FLAGS, &flags, sizeof(flags));
	nest->nla_len = (__u16)((char *)&req + req.nh.nlmsg_len - (char *)nest);

	self = t_netns_visit(ns);
	if (self < 0)
		return self;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ret = fd < 0 ? -errno : 0;
	t_netns_leave(self);
	if (ret)
		return ret;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		const struct nlmsghdr *nh;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		len = (int)n;
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			if (nh->nlmsg_seq != req.nh.nlmsg_seq ||
			    nh->nlmsg_type != NLMSG_ERROR)
				continue;
			ret = nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) ?
			      -EIO : e->error;
			goto out;
		}
	}
out:
	close(fd);
	return ret;
}

int t_xdp_attach(const char *ns, int ifindex, int prog_fd)
{
	return xdp_set(ns, ifindex, prog_fd);
}

int t_xdp_detach(const char *ns, int ifindex)
{
	return xdp_set(ns, ifindex, -1);
}

/* the receive loop */

int t_devmem_rx_init(struct t_devmem_rx *rx, const struct t_udmabuf *buf,
		     uint32_t id)
{
	memset(rx, 0, sizeof(*rx));
	rx->buf = buf;
	rx->id = id;
	rx->devmem = true;
	/*
	 * recvmsg() returns at most the iov's length, dma-buf bytes
	 * included; one cmsg per frag (at most a page) or linear part.
	 */
	rx->iolen = 1 << 20;
	rx->ctrllen = 256 << 10;
	rx->iobuf = malloc(rx->iolen);
	rx->ctrl = malloc(rx->ctrllen);
	if (!rx->iobuf || !rx->ctrl) {
		t_devmem_rx_free(rx);
		return t_fail("out of memory");
	}
	return 0;
}

void t_devmem_rx_free(struct t_devmem_rx *rx)
{
	free(rx->iobuf);
	free(rx->ctrl);
	rx->iobuf = NULL;
	rx->ctrl = NULL;
}

int t_devmem_flush_tokens(int fd, struct t_devmem_rx *rx)
{
	int ret;

	if (!rx->ntok)
		return 0;
	ret = setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, rx->tok,
			 rx->ntok * sizeof(rx->tok[0]));
	if (ret < 0)
		return t_fail("SO_DEVMEM_DONTNEED of %u tokens in %u ranges: %s",
			      rx->pending, rx->ntok, strerror(errno));
	if ((unsigned int)ret != rx->pending)
		return t_fail("SO_DEVMEM_DONTNEED freed %d of %u tokens (%u ranges, first %u)",
			      ret, rx->pending, rx->ntok,
			      rx->tok[0].token_start);
	rx->returned += rx->pending;
	rx->ntok = 0;
	rx->pending = 0;
	return 0;
}

static int queue_token(int fd, struct t_devmem_rx *rx, uint32_t token)
{
	struct t_dmabuf_token *last = rx->ntok ? &rx->tok[rx->ntok - 1] : NULL;
	int ret;

	if (rx->hold) {
		rx->held++;
		return 0;
	}
	if (last && last->token_start + last->token_count == token) {
		last->token_count++;
	} else {
		if (rx->ntok == T_DONTNEED_TOKENS) {
			ret = t_devmem_flush_tokens(fd, rx);
			if (ret)
				return ret;
		}
		rx->tok[rx->ntok].token_start = token;
		rx->tok[rx->ntok].token_count = 1;
		rx->ntok++;
	}
	if (++rx->pending == T_DONTNEED_FRAGS)
		return t_devmem_flush_tokens(fd, rx);
	return 0;
}

static int bad_byte(const char *where, uint64_t off, uint8_t got)
{
	return t_fail("%s byte at stream offset %llu is %#x, want %#x", where,
		      (unsigned long long)off, got, t_pattern_byte(off));
}

/* Check the data and cmsgs of one recvmsg() that returned @n bytes. */
static int rx_parse(int fd, struct t_devmem_rx *rx, struct msghdr *msg,
		    size_t n)
{
	struct cmsghdr *cm;
	size_t iov_used = 0, got = 0;
	bool any = false;
	long bad;
	int ret;

	for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		struct t_dmabuf_cmsg dc;
		const uint8_t *p;

		if (cm->cmsg_level != SOL_SOCKET ||
		    (cm->cmsg_type != SCM_DEVMEM_LINEAR &&
		     cm->cmsg_type != SCM_DEVMEM_DMABUF))
			return t_fail("unexpected cmsg (level %d, type %d) at stream offset %llu",
				      cm->cmsg_level, cm->cmsg_type,
				      (unsigned long long)rx->off);
		if (cm->cmsg_len < CMSG_LEN(sizeof(dc)))
			return t_fail("devmem cmsg of %zu bytes, want %zu",
				      (size_t)cm->cmsg_len,
				      (size_t)CMSG_LEN(sizeof(dc)));
		memcpy(&dc, CMSG_DATA(cm), sizeof(dc));
		any = true;
		if (dc.frag_size > n - got)
			return t_fail("cmsgs describe more than the %zu bytes recvmsg returned (stream offset %llu)",
				      n, (unsigned long long)rx->off);
		if (cm->cmsg_type == SCM_DEVMEM_LINEAR) {
			if (dc.frag_size > n - iov_used)
				return t_fail("SCM_DEVMEM_LINEAR of %u bytes beyond the iov data",
					      dc.frag_size);
			p = rx->iobuf + iov_used;
			bad = rx->noverify ? -1 :
			      t_pattern_check(p, rx->off, dc.frag_size);
			if (bad >= 0)
				return bad_byte("linear (SCM_DEVMEM_LINEAR)",
						rx->off + bad, p[bad]);
			iov_used += dc.frag_size;
			rx->linear_bytes += dc.frag_size;
		} else {
			if (dc.dmabuf_id != rx->id)
				return t_fail("frag at stream offset %llu: dmabuf_id %u, want the binding's id %u",
					      (unsigned long long)rx->off,
					      dc.dmabuf_id, rx->id);
			if (dc.frag_offset > rx->buf->size ||
			    dc.frag_size > rx->buf->size - dc.frag_offset)
				return t_fail("frag [%llu, +%u) outside the %zu-byte dma-buf",
					      (unsigned long long)dc.frag_offset,
					      dc.frag_size, rx->buf->size);
			p = rx->buf->map + dc.frag_offset;
			bad = rx->noverify ? -1 :
			      t_pattern_check(p, rx->off, dc.frag_size);
			if (bad >= 0) {
				t_fail("frag at dma-buf offset %llu (%u bytes, token %u) is wrong",
				       (unsigned long long)dc.frag_offset,
				       dc.frag_size, dc.frag_token);
				return bad_byte("dma-buf", rx->off + bad,
						p[bad]);
			}
			if (rx->image)
				t_pattern_fill(rx->image + dc.frag_offset,
					       rx->off, dc.frag_size);
			rx->dmabuf_bytes += dc.frag_size;
			rx->frags++;
			ret = queue_token(fd, rx, dc.frag_token);
			if (ret)
				return ret;
		}
		rx->off += dc.frag_size;
		got += dc.frag_size;
	}
	if (!any) {
		/* readable skbs: everything was copied to the iov */
		bad = rx->noverify ? -1 : t_pattern_check(rx->iobuf, rx->off, n);
		if (bad >= 0)
			return bad_byte("copied", rx->off + bad, rx->iobuf[bad]);
		rx->plain_bytes += n;
		rx->off += n;
	} else if (got != n) {
		return t_fail("recvmsg returned %zu bytes, its cmsgs describe %zu (stream offset %llu)",
			      n, got, (unsigned long long)rx->off);
	}
	return 0;
}

int t_devmem_recv(int fd, struct t_devmem_rx *rx, uint64_t upto)
{
	int ret;

	while (rx->off < upto && !rx->eof) {
		struct iovec iov = { .iov_base = rx->iobuf,
				     .iov_len = rx->iolen };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		int flags = 0;
		ssize_t n;

		if (upto - rx->off < iov.iov_len)
			iov.iov_len = upto - rx->off;
		if (rx->devmem) {
			msg.msg_control = rx->ctrl;
			msg.msg_controllen = rx->ctrllen;
			flags |= MSG_SOCK_DEVMEM;
		}
		if (rx->dontwait)
			flags |= MSG_DONTWAIT;
		n = recvmsg(fd, &msg, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && rx->dontwait)
				break;
			return t_fail("recvmsg(%s) at stream offset %llu: %s",
				      rx->devmem ? "MSG_SOCK_DEVMEM" : "0",
				      (unsigned long long)rx->off,
				      strerror(errno));
		}
		if (!n) {
			rx->eof = true;
			break;
		}
		rx->calls++;
		if (msg.msg_flags & MSG_CTRUNC)
			return t_fail("recvmsg at stream offset %llu: MSG_CTRUNC with a %zu-byte control buffer",
				      (unsigned long long)rx->off, rx->ctrllen);
		ret = rx_parse(fd, rx, &msg, (size_t)n);
		if (ret)
			return ret;
		/* a batch per recvmsg, or sooner when the batch is full */
		ret = t_devmem_flush_tokens(fd, rx);
		if (ret)
			return ret;
	}
	return 0;
}

/* streams and devices */

void t_stream_abort(struct t_stream *s)
{
	if (s->fd > 0)
		close(s->fd);
	if (s->listen_fd > 0)
		close(s->listen_fd);
	s->fd = s->listen_fd = -1;
	if (s->sender > 0) {
		kill(s->sender, SIGKILL);
		waitpid(s->sender, NULL, 0);
	}
	s->sender = 0;
}

int t_nsim_del_side(struct t_nsim_pair *p, int i)
{
	char buf[16];
	int fd, len, ret;

	fd = open(NSIM_BUS "/del_device", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d", p->dev_id[i]);
	ret = write(fd, buf, (size_t)len) == len ? 0 : -errno;
	close(fd);
	if (!ret)
		p->dev_id[i] = 0;
	return ret;
}

int t_devmem_pair_up(struct t_devmem *d)
{
	struct t_rings r;
	int ret;

	ret = t_nsim_pair_create(&d->pair, 1);
	if (ret)
		return ret;
	d->ns = d->pair.netns[1];
	d->ifindex = d->pair.ifindex[1];
	ret = t_hds_enable(d->ns, d->ifindex);
	if (ret == -EOPNOTSUPP) {
		ret = t_lacks("netdevsim of this kernel cannot split headers (ethtool tcp-data-split: EOPNOTSUPP)");
		goto fail;
	}
	if (ret) {
		ret = t_fail("enabling header split on %s: %s",
			     d->pair.ifname[1], strerror(-ret));
		goto fail;
	}
	ret = t_rings_get(d->ns, d->ifindex, &r);
	if (ret) {
		ret = t_fail("ethtool rings get of %s: %s", d->pair.ifname[1],
			     strerror(-ret));
		goto fail;
	}
	if (!r.has_thresh) {
		ret = t_lacks("kernel without the ethtool hds-thresh ring parameter");
		goto fail;
	}
	if (r.split != ETHTOOL_TCP_DATA_SPLIT_ENABLED || r.thresh) {
		ret = t_fail("after enabling header split on %s: tcp-data-split %u, hds-thresh %u",
			     d->pair.ifname[1], r.split, r.thresh);
		goto fail;
	}
	return 0;
fail:
	t_nsim_pair_destroy(&d->pair);
	return ret;
}

int t_devmem_setup(struct t_devmem *d, size_t size)
{
	struct t_binding b;
	int ret;

	memset(d, 0, sizeof(*d));
	d->buf.fd = d->buf.memfd = -1;
	ret = t_devmem_pair_up(d);
	if (ret)
		return ret;
	ret = t_netdev_family(d->ns);
	if (ret <= 0) {
		ret = ret ? t_fail("netdev netlink family: %s", strerror(-ret)) :
			    t_lacks("kernel without the netdev netlink family");
		goto fail;
	}
	ret = t_udmabuf_create(&d->buf, size);
	if (ret)
		goto fail;
	ret = t_devmem_bind(d->ns, d->ifindex, 0, d->buf.fd, &b);
	if (ret == -EOPNOTSUPP) {
		ret = t_lacks("BIND_RX of a udmabuf to netdevsim rx queue 0: EOPNOTSUPP (kernel without CONFIG_NET_DEVMEM, or netdevsim without queue management ops)");
		goto fail;
	}
	if (ret) {
		ret = t_fail("BIND_RX of a %zu-byte udmabuf to %s queue 0 (header split on): %s, want success",
			     size, d->pair.ifname[1], strerror(-ret));
		goto fail;
	}
	t_devmem_unbind(&b);
	printf("%s (ifindex %d in %s): header split on, BIND_RX works\n",
	       d->pair.ifname[1], d->ifindex, d->ns);
	return 0;
fail:
	t_devmem_cleanup(d);
	return ret;
}

void t_devmem_cleanup(struct t_devmem *d)
{
	t_udmabuf_destroy(&d->buf);
	t_nsim_pair_destroy(&d->pair);
}

/*
 * skbs that recvmsg() frees are handed back to the CPU that allocated them
 * and wait on its defer list until that CPU next runs net_rx_action(); until
 * then the page pool counts their buffers as in flight. Make every CPU run
 * it: one UDP datagram over loopback from each CPU does.
 */
void t_flush_deferred_skbs(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(9),		/* discard */
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	long cpu, nr = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t old, one;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sched_getaffinity(0, sizeof(old), &old)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (cpu = 0; cpu < nr; cpu++) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (!sched_setaffinity(0, sizeof(one), &one))
			sendto(fd, "", 1, 0, (void *)&addr, sizeof(addr));
	}
	sched_setaffinity(0, sizeof(old), &old);
	close(fd);
}

int t_wait_dmabuf_pools_gone(const char *ns, int ifindex, int ms,
			     struct t_page_pool *last)
{
	struct t_page_pool pools[64];
	int i, n, left;

	for (;;) {
		n = t_page_pools(ns, pools, 64);
		if (n < 0)
			return n;
		if (n > 64)
			n = 64;
		left = 0;
		for (i = 0; i < n; i++) {
			if (!pools[i].has_dmabuf ||
			    (ifindex && pools[i].ifindex != (uint32_t)ifindex))
				continue;
			left++;
			if (last)
				*last = pools[i];
		}
		if (!left || ms <= 0)
			return left;
		t_flush_deferred_skbs();
		usleep(50000);
		ms -= 50;
	}
}

const char *t_errname(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ 0, "success" },
		{ EINVAL, "EINVAL" }, { ERANGE, "ERANGE" }, { EEXIST, "EEXIST" },
		{ EBUSY, "EBUSY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENODEV, "ENODEV" }, { ENOENT, "ENOENT" }, { EPERM, "EPERM" },
		{ EFAULT, "EFAULT" }, { ENOMEM, "ENOMEM" }, { EBADF, "EBADF" },
		{ ENOSPC, "ENOSPC" }, { EMSGSIZE, "EMSGSIZE" },
		{ EBADMSG, "EBADMSG" }, { ENETDOWN, "ENETDOWN" },
	};
	static __thread char buf[8][64];
	static __thread unsigned int next;
	char *b = buf[next++ % 8];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].err == -err) {
			if (!err)
				return names[i].name;
			snprintf(b, sizeof(buf[0]), "%s (%d)", names[i].name,
				 err);
			return b;
		}
	}
	snprintf(b, sizeof(buf[0]), "%d (%s)", err, strerror(-err));
	return b;
}

int t_devmem_stream(struct t_devmem *d, uint32_t id, uint16_t port,
		    uint64_t total)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_devmem_rx rx;
	int ret;

	if (t_devmem_rx_init(&rx, &d->buf, id))
		return T_EXIT_FAIL;
	rx.devmem = id;
	ret = t_stream_start(&s, &d->pair, port, total);
	if (!ret)
		ret = t_devmem_recv(s.fd, &rx, UINT64_MAX);
	/*
	 * Bound: header split puts every payload byte in the dma-buf, none
	 * in the linear part or in readable skbs. Unbound: all plain.
	 */
	if (!ret && (rx.off != total ||
		     rx.dmabuf_bytes != (id ? total : 0) ||
		     rx.linear_bytes || rx.plain_bytes != (id ? 0 : total)))
		ret = t_fail("%s stream: %llu of %llu bytes, %llu in the dma-buf, %llu linear, %llu from readable skbs; want all %s",
			     id ? "devmem" : "plain", (unsigned long long)rx.off,
			     (unsigned long long)total,
			     (unsigned long long)rx.dmabuf_bytes,
			     (unsigned long long)rx.linear_bytes,
			     (unsigned long long)rx.plain_bytes,
			     id ? "in the dma-buf" : "from readable skbs");
	if (ret) {
		if (s.sender > 0)
			t_stream_abort(&s);
	} else {
		ret = t_stream_finish(&s);
	}
	if (!ret)
		printf("%s stream: %llu bytes, %llu in the dma-buf\n",
		       id ? "devmem" : "plain recv()",
		       (unsigned long long)rx.off,
		       (unsigned long long)rx.dmabuf_bytes);
	t_devmem_rx_free(&rx);
	return ret ? T_EXIT_FAIL : 0;
}
