/* SPDX-License-Identifier: MIT */
/*
 * What the kernel writes for zcrx, faked in plain memory for the host tests
 * of liburing-ext: a refill ring laid out as the kernel maps it (head @0,
 * tail @64, entries @128), with the test playing the kernel, and the
 * 32-byte CQEs of RECV_ZC.
 */
#ifndef ZCRX_TEST_FAKE_RQ_H
#define ZCRX_TEST_FAKE_RQ_H

#include <string.h>

#include <liburing-ext.h>

#define T_RQ_ENTRIES	8U

struct t_fake_rq {
	struct io_uring_zcrx_rq rq;
	char *mem;
	__u64 area_id;
};

/* The refill offset of buffer @n of area @area_id (and a byte offset). */
static inline __u64 t_fake_rq_off(__u64 area_id, unsigned int n)
{
	return (area_id << IORING_ZCRX_AREA_SHIFT) | ((__u64)n << 12) |
	       (n & 0xff);
}

/* A ring whose kernel head and tail are both @start, entries garbage. */
void t_fake_rq_init(struct t_fake_rq *r, __u32 start, __u64 area_id);
void t_fake_rq_free(struct t_fake_rq *r);

/*
 * The kernel's side: consume @nr published entries, which must be buffers
 * @first, @first + 1, ... with lengths equal to their numbers and __pad 0.
 * Returns 0 or T_EXIT_FAIL (reported).
 */
int t_fake_rq_consume(struct t_fake_rq *r, unsigned int nr,
		      unsigned int first);

/* A 32-byte CQE as the kernel posts it for RECV_ZC. */
struct t_fake_cqe {
	__u64 raw[4];
};

/* Fill @c (garbage around the fields RECV_ZC sets) and return its CQE. */
static inline struct io_uring_cqe *t_fake_cqe(struct t_fake_cqe *c, int res,
					      __u64 off)
{
	struct io_uring_cqe *cqe = (struct io_uring_cqe *)c->raw;
	struct io_uring_zcrx_cqe *z = (struct io_uring_zcrx_cqe *)&c->raw[2];

	memset(c, 0x5a, sizeof(*c));
	cqe->user_data = 42;
	cqe->res = res;
	cqe->flags = IORING_CQE_F_MORE;
	z->off = off;
	z->__pad = 0;
	return cqe;
}

#endif
