/* SPDX-License-Identifier: MIT */
/*
 * Internal to liburing-ext: the register syscall, the netlink queries the
 * check, the interface helpers and zcrx-nic share, and the last netlink
 * error.
 */
#ifndef LIBURING_EXT_LIB_H
#define LIBURING_EXT_LIB_H

#include <stdbool.h>

#include "liburing-ext.h"

#define __hidden	__attribute__((visibility("hidden")))

/* io_uring_register(2) without liburing: returns >= 0 or a negative errno */
int __io_uring_ext_register(int fd, unsigned int opcode, const void *arg,
			    unsigned int nr_args) __hidden;

/*
 * io_uring_register(2) on @ring for an opcode liburing has no call for:
 * on ring->ring_fd, or, when the program closed that fd after registering
 * the ring (io_uring_close_ring_fd()), on the registered ring
 * (IORING_REGISTER_USE_REGISTERED_RING), as liburing does.
 */
int __io_uring_ext_ring_register(struct io_uring *ring, unsigned int opcode,
				 const void *arg, unsigned int nr_args) __hidden;

/*
 * The message of the kernel's extended ack to the calling thread's last
 * netlink request (set by __io_uring_ext_nl_talk()), "" for none.
 */
extern __thread char __io_uring_ext_nl_error[256] __hidden;

/*
 * ethtool ring parameters of interest to zcrx (ETHTOOL_MSG_RINGS_GET):
 * header split, and the sizes of the rx and tx rings (0: not reported).
 */
struct __io_uring_ext_rings {
	bool has_split;		/* ETHTOOL_A_RINGS_TCP_DATA_SPLIT reported */
	bool has_thresh;	/* ETHTOOL_A_RINGS_HDS_THRESH reported */
	bool has_thresh_max;	/* ETHTOOL_A_RINGS_HDS_THRESH_MAX reported */
	__u8 split;		/* ETHTOOL_TCP_DATA_SPLIT_* */
	__u32 thresh;
	__u32 thresh_max;
	__u32 rx, rx_max, tx, tx_max;
};

int __io_uring_ext_rings_get(unsigned int ifindex,
			     struct __io_uring_ext_rings *rings) __hidden;

/*
 * ETHTOOL_MSG_RINGS_SET of @ifindex: tcp-data-split to @split
 * (ETHTOOL_TCP_DATA_SPLIT_*) and hds-thresh to @thresh; a negative one
 * is left as it is. 0 or the kernel's negative errno.
 */
int __io_uring_ext_rings_set(unsigned int ifindex, int split,
			     long long thresh) __hidden;

/*
 * A queue as netdev netlink reports it (QUEUE_GET): a memory provider
 * bound to an rx queue shows as a dma-buf binding (devmem TCP) or as
 * io_uring (zcrx).
 */
struct __io_uring_ext_queue {
	__u32 id;
	__u32 type;		/* NETDEV_QUEUE_TYPE_RX (0) or _TX (1) */
	__u32 ifindex;
	__u32 napi_id;		/* 0: none */
	bool has_dmabuf;	/* NETDEV_A_QUEUE_DMABUF: its binding id */
	__u32 dmabuf;
	bool io_uring;		/* NETDEV_A_QUEUE_IO_URING */
};

/*
 * Rx queue @rxq of @ifindex via netdev netlink: 0 when it exists, a
 * negative errno otherwise (-EINVAL: no such queue, -ENODEV: no such
 * device, -ENOENT: the device is down or the kernel has no netdev
 * netlink).
 */
int __io_uring_ext_queue_get(unsigned int ifindex, unsigned int rxq,
			     struct __io_uring_ext_queue *q) __hidden;

/* A page pool as netdev netlink reports it (PAGE_POOL_GET). */
struct __io_uring_ext_page_pool {
	__u64 id;
	__u32 ifindex;		/* 0: not reported (loopback, device gone) */
	__u64 napi_id;		/* 0: none */
	__u64 inflight;		/* buffers out of the pool */
	__u64 inflight_mem;	/* their bytes */
	__u64 detach_time;	/* 0: still attached to its device */
	bool has_dmabuf;	/* NETDEV_A_PAGE_POOL_DMABUF: binding id */
	__u32 dmabuf;
	bool io_uring;		/* NETDEV_A_PAGE_POOL_IO_URING */
};

/*
 * Dumps of netdev netlink, in the calling thread's network namespace:
 * @cb for each queue of @ifindex (0: of every device; rx and tx, none of
 * a device that is down), or for each page pool of the namespace. A non-zero return of
 * @cb ends the dump and is returned; else 0 or a negative errno.
 */
typedef int (*__io_uring_ext_queue_cb)(const struct __io_uring_ext_queue *q,
				       void *arg);
typedef int (*__io_uring_ext_page_pool_cb)(
	const struct __io_uring_ext_page_pool *p, void *arg);

int __io_uring_ext_queue_dump(unsigned int ifindex, __io_uring_ext_queue_cb cb,
			      void *arg) __hidden;
int __io_uring_ext_page_pool_dump(__io_uring_ext_page_pool_cb cb,
				  void *arg) __hidden;

#endif
