/* SPDX-License-Identifier: MIT */
/*
 * Compiled, not run: a program with liburing's io_uring_zcrx_* types and
 * io_uring_prep_recv_zc() (clash/liburing.h) and liburing-ext's helpers,
 * whose types it names io_uring_ext_zcrx_*.
 */
#include <liburing.h>
#include <liburing-ext.h>

int clash_program(struct io_uring *ring, struct io_uring_sqe *sqe);

int clash_program(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_zcrx_ifq liburings = { .liburings_own = 1 };
	struct io_uring_ext_zcrx_area area;
	struct io_uring_ext_zcrx_ifq_opts opts = { .area = &area };
	struct io_uring_ext_zcrx_ifq ifq;
	int ret;

	io_uring_prep_recv_zc(sqe, liburings.liburings_own);
	ret = io_uring_zcrx_area_alloc(&area, IO_URING_ZCRX_AREA_ANON, 4096);
	if (!ret)
		ret = io_uring_zcrx_ifq_setup(ring, &opts, &ifq);
	return ret ? ret : (int)ifq.zcrx_id + LIBURINGS_OWN_REASON;
}
