/* SPDX-License-Identifier: MIT */
/*
 * io_uring_register(2) for the opcodes liburing has no call for, and
 * liburing's zcrx registration calls where the liburing in use lacks them.
 * Where liburing has a call, liburing-ext uses it and defines nothing.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib.h"

#if !LIBURING_EXT_HAVE_IORING_REGISTER_USE_REGISTERED_RING
#define IORING_REGISTER_USE_REGISTERED_RING	(1U << 31)
#endif

int __io_uring_ext_register(int fd, unsigned int opcode, const void *arg,
			    unsigned int nr_args)
{
	long ret = syscall(__NR_io_uring_register, fd, opcode, arg, nr_args);

	return ret < 0 ? -errno : (int)ret;
}

int __io_uring_ext_ring_register(struct io_uring *ring, unsigned int opcode,
				 const void *arg, unsigned int nr_args)
{
	/*
	 * liburing keeps the registered index in enter_ring_fd, and sets
	 * ring_fd to -1 when io_uring_close_ring_fd() closed the fd.
	 */
	if (ring->ring_fd < 0) {
		opcode |= IORING_REGISTER_USE_REGISTERED_RING;
		return __io_uring_ext_register(ring->enter_ring_fd, opcode,
					       arg, nr_args);
	}
	return __io_uring_ext_register(ring->ring_fd, opcode, arg, nr_args);
}

#if !LIBURING_EXT_HAVE_IO_URING_REGISTER_IFQ
int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg)
{
	return __io_uring_ext_ring_register(ring, IORING_REGISTER_ZCRX_IFQ,
					    reg, 1);
}
#endif

#if !LIBURING_EXT_HAVE_IO_URING_REGISTER_ZCRX_CTRL
int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl)
{
	return __io_uring_ext_ring_register(ring, IORING_REGISTER_ZCRX_CTRL,
					    ctrl, 0);
}
#endif

#if !LIBURING_EXT_HAVE_IO_URING_REGISTER_QUERY
int io_uring_register_query(struct io_uring_query_hdr *query)
{
	return __io_uring_ext_register(-1, IORING_REGISTER_QUERY, query, 0);
}
#endif
