/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register(2) for the opcodes liburing 2.3 does not know, and
 * liburing's zcrx registration calls when liburing lacks them.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib.h"

int __io_uring_ext_register(int fd, unsigned int opcode, const void *arg,
			    unsigned int nr_args)
{
	long ret = syscall(__NR_io_uring_register, fd, opcode, arg, nr_args);

	return ret < 0 ? -errno : (int)ret;
}

#if !LIBURING_EXT_NATIVE_ZCRX

int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg)
{
	return __io_uring_ext_register(ring->ring_fd, IORING_REGISTER_ZCRX_IFQ,
				       reg, 1);
}

int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl)
{
	return __io_uring_ext_register(ring->ring_fd, IORING_REGISTER_ZCRX_CTRL,
				       ctrl, 0);
}

int io_uring_register_query(struct io_uring_query_hdr *query)
{
	return __io_uring_ext_register(-1, IORING_REGISTER_QUERY, query, 0);
}

#endif
