/* SPDX-License-Identifier: MIT */
/*
 * devmem TCP test helpers: a udmabuf as "device memory", binding it to an
 * rx queue with netdev netlink BIND_RX, the netdev netlink queue, page
 * pool and per-queue statistics queries, ethtool ring parameters (header
 * split) and counters (ethtool -S), XDP attach, and a devmem receive loop
 * that verifies every byte against the stream pattern.
 *
 * Netlink requests run in the receiver's network namespace: each helper
 * that takes @ns opens its socket there and returns the calling thread to
 * its own namespace. Errors are negative errnos unless said otherwise.
 */
#ifndef ZCRX_TEST_DEVMEM_H
#define ZCRX_TEST_DEVMEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <linux/types.h>

#include "helpers.h"

/*
 * The devmem UAPI of 6.12 (include/uapi/linux/uio.h, asm-generic/socket.h,
 * linux/socket.h); Debian 12's user space headers (6.1) lack it.
 */
#ifndef MSG_SOCK_DEVMEM
#define MSG_SOCK_DEVMEM		0x2000000
#endif
#ifndef SO_DEVMEM_LINEAR
#define SO_DEVMEM_LINEAR	78
#define SCM_DEVMEM_LINEAR	SO_DEVMEM_LINEAR
#define SO_DEVMEM_DMABUF	79
#define SCM_DEVMEM_DMABUF	SO_DEVMEM_DMABUF
#define SO_DEVMEM_DONTNEED	80
#endif

struct t_dmabuf_cmsg {			/* struct dmabuf_cmsg */
	__u64 frag_offset;
	__u32 frag_size;
	__u32 frag_token;
	__u32 dmabuf_id;
	__u32 flags;
};

struct t_dmabuf_token {			/* struct dmabuf_token */
	__u32 token_start;
	__u32 token_count;
};

/* SO_DEVMEM_DONTNEED limits of 6.12 (net/core/sock.c) */
#define T_DONTNEED_TOKENS	128
#define T_DONTNEED_FRAGS	1024

/* A memfd of @size bytes and a udmabuf over all of it. */
struct t_udmabuf {
	int memfd;
	int fd;				/* the dma-buf */
	size_t size;
	const uint8_t *map;		/* the memfd, mapped read-only */
};

/*
 * 0, T_EXIT_SKIP without /dev/udmabuf (T_EXIT_FAIL on the project's
 * kernel), or T_EXIT_FAIL (reported).
 */
int t_udmabuf_create(struct t_udmabuf *b, size_t size);
/*
 * The name of the device memory heap (ivshmem-<PCI name> in /dev/dma_heap:
 * a PCI BAR without struct pages, see vm run --devmem-bar) in @name: 0,
 * or T_EXIT_SKIP without one (T_EXIT_FAIL on the project's kernel).
 */
int t_devmem_heap(char *name, size_t len);
/*
 * A dma-buf of @size bytes from that heap, in t_udmabuf form: map is the
 * dma-buf's own mapping (read-only), memfd -1. Freed with
 * t_udmabuf_destroy(). 0, T_EXIT_SKIP or T_EXIT_FAIL.
 */
int t_heap_dmabuf_create(struct t_udmabuf *b, size_t size);
void t_udmabuf_destroy(struct t_udmabuf *b);

/* Move this thread into @ns; returns an fd for t_netns_leave(), or -errno. */
int t_netns_visit(const char *ns);
void t_netns_leave(int self);

/*
 * A dma-buf bound to rx queues by BIND_RX. The binding lives as long as
 * the netlink socket @fd: closing it unbinds. Sockets of bindings are
 * closed in children created with fork(), so a child (a stream sender)
 * never keeps a binding of its parent alive.
 */
struct t_binding {
	int fd;
	int family;
	uint32_t id;
};

/* Bind @dmabuf_fd to rx queue @rxq of @ifindex (in @ns): 0 or -errno. */
int t_devmem_bind(const char *ns, int ifindex, unsigned int rxq, int dmabuf_fd,
		  struct t_binding *b);
/* Another BIND_RX on the socket of @b (same lifetime): 0 or -errno. */
int t_devmem_bind_more(struct t_binding *b, int ifindex, unsigned int rxq,
		       int dmabuf_fd, uint32_t *id);
/* Close the socket of @b (if open): unbinds everything bound through it. */
void t_devmem_unbind(struct t_binding *b);

/* Whether the netdev netlink family exists in @ns: 1, 0, or -errno. */
int t_netdev_family(const char *ns);

/* What QUEUE_GET says about an rx queue's memory provider. */
struct t_queue_info {
	uint32_t dmabuf;		/* NETDEV_A_QUEUE_DMABUF, 0: absent */
	bool io_uring;			/* NETDEV_A_QUEUE_IO_URING present */
};

/* QUEUE_GET of rx queue @rxq: 0 with *q filled, or -errno. */
int t_queue_get(const char *ns, int ifindex, unsigned int rxq,
		struct t_queue_info *q);

/*
 * QUEUE_GET of rx queue @rxq: 0 with *dmabuf the NETDEV_A_QUEUE_DMABUF
 * attribute (0 when absent), or -errno.
 */
int t_queue_dmabuf(const char *ns, int ifindex, unsigned int rxq,
		   uint32_t *dmabuf);

/*
 * QUEUE_GET of rx queue @rxq must report dmabuf @want (0: no
 * NETDEV_A_QUEUE_DMABUF at all): 0 (with a progress line) or T_EXIT_FAIL.
 */
int t_expect_queue_dmabuf(const char *ns, int ifindex, unsigned int rxq,
			  uint32_t want, const char *when);

/* One page pool of a PAGE_POOL_GET dump. */
struct t_page_pool {
	uint64_t id;
	uint32_t ifindex;		/* 0: not reported (loopback) */
	bool has_dmabuf;
	uint32_t dmabuf;
	bool has_io_uring;		/* NETDEV_A_PAGE_POOL_IO_URING */
	uint64_t inflight;
	uint64_t detach_time;
};

/* Dump the page pools of @ns: the number found (up to @max kept), or -errno. */
int t_page_pools(const char *ns, struct t_page_pool *pools, int max);

/*
 * The rx counters of one queue, from a netdev netlink QSTATS_GET dump of
 * scope queue (NETDEV_A_QSTATS_RX_*). A counter the driver does not
 * report is absent from the reply: it reads 0 with its has_ flag false.
 */
struct t_qstats_rx {
	uint64_t packets, bytes, alloc_fail, hw_drops, hw_drop_overruns;
	uint64_t csum_unnecessary, csum_none, csum_bad;
	bool has_packets, has_bytes, has_alloc_fail, has_hw_drops,
	     has_hw_drop_overruns, has_csum_unnecessary, has_csum_none,
	     has_csum_bad;
};

/*
 * QSTATS_GET of the rx queues of @ifindex (in @ns), in one dump: the
 * number of rx queues it reports (only those below real_num_rx_queues,
 * and none while the device is down), the counters of queue i in q[i]
 * for i < @max; or -errno (-EOPNOTSUPP: a device without queue stats or
 * a kernel without QSTATS_GET).
 */
int t_qstats_rx_all(const char *ns, int ifindex, struct t_qstats_rx *q,
		    int max);
/*
 * The counters of rx queue @queue alone: 0, -ENOENT when the dump has
 * none for it, or -errno.
 */
int t_qstats_rx(const char *ns, int ifindex, int queue,
		struct t_qstats_rx *out);

/*
 * Counter @name of `ethtool -S @ifname` run in @ns: 0 with *v set,
 * -ENOENT when ethtool shows no such counter, or -EIO when it failed.
 */
int t_ethtool_stat(const char *ns, const char *ifname, const char *name,
		   uint64_t *v);

/* ethtool ring parameters relevant to header split. */
struct t_rings {
	bool has_split, has_thresh, has_thresh_max;
	uint8_t split;			/* ETHTOOL_TCP_DATA_SPLIT_* */
	uint32_t thresh, thresh_max;
};

int t_rings_get(const char *ns, int ifindex, struct t_rings *r);
/* Set tcp-data-split to @split and/or hds-thresh to @thresh (< 0: leave). */
int t_rings_set(const char *ns, int ifindex, int split, int64_t thresh);
/* Header split on, hds-thresh 0, with liburing-ext's helper. */
int t_hds_enable(const char *ns, int ifindex);

/*
 * A trivial XDP_PASS program (bpf(BPF_PROG_LOAD)) attached in generic (skb)
 * mode with RTM_SETLINK IFLA_XDP. t_xdp_load: program fd or -errno.
 */
int t_xdp_load(void);
int t_xdp_attach(const char *ns, int ifindex, int prog_fd);
int t_xdp_detach(const char *ns, int ifindex);

/*
 * Receiving a t_stream with MSG_SOCK_DEVMEM: dma-buf frags are read
 * through the memfd mapping, SCM_DEVMEM_LINEAR bytes from the iov, and
 * data of readable skbs (no cmsgs) from the iov too; all of it is checked
 * against t_pattern_byte() at its stream offset.
 */
struct t_devmem_rx {
	/* set by the caller (t_devmem_rx_init sets defaults) */
	const struct t_udmabuf *buf;
	uint32_t id;			/* expected dmabuf_id in the cmsgs */
	bool devmem;			/* false: plain recv(), no cmsgs allowed */
	bool hold;			/* keep new tokens instead of returning */
	bool dontwait;			/* stop at EAGAIN */
	bool noverify;			/* skip the byte checks (benchmarks) */
	/*
	 * Optional, of buf->size bytes: each dma-buf frag's bytes, as the
	 * pattern says they are, written at the frag's offset, so that it
	 * ends as what the dma-buf should hold (with hold: no token reused)
	 */
	uint8_t *image;
	/* results */
	uint64_t off;			/* stream bytes received and verified */
	uint64_t dmabuf_bytes;		/* in SCM_DEVMEM_DMABUF frags */
	uint64_t linear_bytes;		/* in SCM_DEVMEM_LINEAR cmsgs */
	uint64_t plain_bytes;		/* from readable skbs, without cmsgs */
	uint64_t frags;			/* SCM_DEVMEM_DMABUF cmsgs */
	uint64_t returned;		/* tokens given back */
	uint64_t held;			/* tokens kept (hold) */
	uint64_t calls;			/* recvmsg calls that returned data */
	bool eof;
	/* internal */
	struct t_dmabuf_token tok[T_DONTNEED_TOKENS];
	unsigned int ntok, pending;
	uint8_t *iobuf;
	size_t iolen;
	char *ctrl;
	size_t ctrllen;
};

int t_devmem_rx_init(struct t_devmem_rx *rx, const struct t_udmabuf *buf,
		     uint32_t id);
void t_devmem_rx_free(struct t_devmem_rx *rx);
/*
 * Receive from @fd until rx->off reaches @upto, EOF, or (dontwait) no data.
 * Returns 0, or T_EXIT_FAIL after reporting what was wrong.
 */
int t_devmem_recv(int fd, struct t_devmem_rx *rx, uint64_t upto);
/* Return the queued tokens now: 0 or T_EXIT_FAIL. */
int t_devmem_flush_tokens(int fd, struct t_devmem_rx *rx);

/* End a stream early: close its sockets, kill and reap the sender. */
void t_stream_abort(struct t_stream *s);

/*
 * The common set-up: a netdevsim pair with one queue, a udmabuf of
 * @size bytes, header split enabled on the receiver (side 1), and a
 * probe BIND_RX to its rx queue 0, undone again. Returns 0, T_EXIT_SKIP
 * (with the reason printed) when the kernel cannot do devmem TCP on
 * netdevsim (T_EXIT_FAIL on the project's kernel, which can), or
 * T_EXIT_FAIL; on non-zero everything is cleaned up.
 */
struct t_devmem {
	struct t_nsim_pair pair;
	struct t_udmabuf buf;
	const char *ns;			/* receiver's namespace */
	int ifindex;			/* receiver's device, in ns */
};

int t_devmem_setup(struct t_devmem *d, size_t size);
/* (Re)create the pair with header split on: 0, T_EXIT_SKIP or T_EXIT_FAIL. */
int t_devmem_pair_up(struct t_devmem *d);
void t_devmem_cleanup(struct t_devmem *d);

/*
 * Stream @total bytes from side 0 to side 1 of @d->pair on @port and
 * receive them all, checked: with MSG_SOCK_DEVMEM into binding @id, which
 * must get every one of them in the dma-buf (none linear, none in readable
 * skbs), or with @id 0 all by plain recv().
 * Prints a line; returns 0 or T_EXIT_FAIL.
 */
int t_devmem_stream(struct t_devmem *d, uint32_t id, uint16_t port,
		    uint64_t total);

/* Delete the netdevsim device of side @i of the pair. */
int t_nsim_del_side(struct t_nsim_pair *p, int i);

/*
 * skbs freed on another CPU than the one that allocated them wait on that
 * CPU's defer list until it next runs net_rx_action(), and their page pool
 * buffers count as in flight meanwhile: make every CPU run it, with one
 * UDP datagram over loopback from each CPU (in the current netns).
 */
void t_flush_deferred_skbs(void);

/*
 * Poll the page pools of @ns for up to @ms milliseconds until none of
 * @ifindex (0: of any device) reports a dma-buf. Returns 0, the number
 * still reporting one (*last: one of them), or -errno.
 */
int t_wait_dmabuf_pools_gone(const char *ns, int ifindex, int ms,
			     struct t_page_pool *last);

/* "EINVAL (-22)", "success" for 0: for messages about negative errnos. */
const char *t_errname(int err);

#endif
