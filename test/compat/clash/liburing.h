/* SPDX-License-Identifier: MIT */
/*
 * A liburing that has taken the names of liburing-ext's own helpers:
 * the liburing.h in use (#include_next) plus an io_uring_prep_recv_zc()
 * and io_uring_zcrx_* types of its own, which differ from liburing-ext's.
 * With a <liburing-ext/config.h> that says liburing has them
 * (CMakeLists.txt makes one), liburing-ext must declare none of these
 * names and still build, its types then named io_uring_ext_zcrx_*.
 */
#ifndef ZCRX_CLASH_LIBURING_H
#define ZCRX_CLASH_LIBURING_H

#include_next <liburing.h>

struct io_uring_zcrx_area {
	int liburings_own;
};

struct io_uring_zcrx_ifq_opts {
	int liburings_own;
};

struct io_uring_zcrx_ifq {
	int liburings_own;
};

enum io_uring_zcrx_area_type {
	LIBURINGS_OWN_AREA_TYPE = 100,
};

enum io_uring_zcrx_rq_mem {
	LIBURINGS_OWN_RQ_MEM = 100,
};

enum io_uring_zcrx_reason {
	LIBURINGS_OWN_REASON = 100,
};

/* not liburing-ext's signature: a second declaration would not build */
static inline void io_uring_prep_recv_zc(struct io_uring_sqe *sqe, int fd)
{
	io_uring_prep_rw(58, sqe, fd, NULL, 0, 0);	/* IORING_OP_RECV_ZC */
}

#endif
