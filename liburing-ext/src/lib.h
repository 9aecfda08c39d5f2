/* SPDX-License-Identifier: MIT */
/*
 * Internal to liburing-ext: the register syscall, the netlink queries the
 * check and the interface helpers share, and the last netlink error.
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

/* ethtool ring parameters of interest to zcrx */
struct __io_uring_ext_rings {
	bool has_split;		/* ETHTOOL_A_RINGS_TCP_DATA_SPLIT reported */
	bool has_thresh;	/* ETHTOOL_A_RINGS_HDS_THRESH reported */
	__u8 split;		/* ETHTOOL_TCP_DATA_SPLIT_* */
	__u32 thresh;
};

int __io_uring_ext_rings_get(unsigned int ifindex,
			     struct __io_uring_ext_rings *rings) __hidden;

/*
 * Rx queue @rxq of @ifindex via netdev netlink: 0 when it exists (*busy
 * set when a memory provider is bound to it), a negative errno otherwise
 * (-EINVAL: no such queue, -ENODEV: no such device).
 */
int __io_uring_ext_queue_get(unsigned int ifindex, unsigned int rxq,
			     bool *busy) __hidden;

#endif
