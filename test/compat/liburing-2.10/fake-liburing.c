/* SPDX-License-Identifier: MIT */
/*
 * The zcrx registration calls of the stand-in liburing 2.10 (liburing.h
 * beside this file), as liburing.so defines them: io_uring_register(2)
 * returning 0 or a negative errno. Linked, as object files, with
 * liburing-ext's objects built against that header: a definition of its
 * own in liburing-ext would be a duplicate symbol.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <liburing.h>

static int do_register(int fd, unsigned int op, void *arg, unsigned int nr)
{
	long ret = syscall(__NR_io_uring_register, fd, op, arg, nr);

	return ret < 0 ? -errno : (int)ret;
}

int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg)
{
	return do_register(ring->ring_fd, IORING_REGISTER_ZCRX_IFQ, reg, 1);
}

int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl)
{
	return do_register(ring->ring_fd, IORING_REGISTER_ZCRX_CTRL, ctrl, 0);
}

int io_uring_register_query(struct io_uring_query_hdr *query)
{
	return do_register(-1, IORING_REGISTER_QUERY, query, 0);
}
