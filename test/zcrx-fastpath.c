/* SPDX-License-Identifier: MIT */
/*
 * Description: liburing-ext's batch fast path on a refill ring laid out as
 * the kernel maps it (head @0, tail @64, entries @128) in plain memory,
 * with this test as the kernel: io_uring_zcrx_rq_reserve() gives
 * min(asked, free), fewer when the ring is nearly full and 0 when it is
 * full, counts added but uncommitted entries, and changes nothing;
 * io_uring_zcrx_rq_add_unchecked() writes tail & mask with __pad cleared
 * and is invisible until io_uring_zcrx_rq_commit(); the buffer-ring style
 * io_uring_zcrx_rq_put() writes entry i past the tail (off, len and __pad
 * 0) and io_uring_zcrx_rq_advance() publishes n of them at once; all of
 * it across the wrap of the ring index and of the 32-bit head and tail. And
 * io_uring_zcrx_cqe_ptr() accepts exactly the offsets of the ifq's area
 * whose first byte is in the area, io_uring_zcrx_off_ptr_unchecked()
 * ignores the area id. A host test.
 */
#include <string.h>

#include <liburing-ext.h>

#include "fake-rq.h"
#include "helpers.h"

#define AREA		7ULL
#define ENTRIES		T_RQ_ENTRIES

/* reserve(@ask) must give @want and leave head, tails and space alone. */
static int check_reserve(int line, struct t_fake_rq *r, unsigned int ask,
			 unsigned int want)
{
	__u32 khead = *r->rq.khead, ktail = *r->rq.ktail;
	__u32 rq_tail = r->rq.rq_tail;
	unsigned int space = io_uring_zcrx_rq_space(&r->rq);
	unsigned int got = io_uring_zcrx_rq_reserve(&r->rq, ask);

	if (got != want)
		return t_fail_at(__FILE__, line, "reserve(%u) = %u, want %u",
				 ask, got, want);
	if (*r->rq.khead != khead || *r->rq.ktail != ktail ||
	    r->rq.rq_tail != rq_tail || io_uring_zcrx_rq_space(&r->rq) != space)
		return t_fail_at(__FILE__, line, "reserve(%u) changed the ring",
				 ask);
	return 0;
}

#define reserve_is(r, ask, want)					\
	do {								\
		if (check_reserve(__LINE__, r, ask, want))		\
			return T_EXIT_FAIL;				\
	} while (0)

/* Add @nr unchecked entries numbered from @first, checking each slot. */
static int add_n(struct t_fake_rq *r, unsigned int first, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		__u32 tail = r->rq.rq_tail;
		struct io_uring_zcrx_rqe *rqe =
			&r->rq.rqes[tail & (ENTRIES - 1)];

		io_uring_zcrx_rq_add_unchecked(&r->rq, t_fake_rq_off(AREA, first + i),
					       first + i);
		if (r->rq.rq_tail != tail + 1)
			return t_fail("add: rq_tail %u, want %u",
				      r->rq.rq_tail, tail + 1);
		if (rqe->off != t_fake_rq_off(AREA, first + i) || rqe->len != first + i ||
		    rqe->__pad)
			return t_fail("add %u: slot %u holds off %#llx len %u pad %u",
				      first + i, tail & (ENTRIES - 1),
				      (unsigned long long)rqe->off, rqe->len,
				      rqe->__pad);
	}
	return 0;
}

static int test_ring(__u32 start)
{
	struct t_fake_rq r;
	unsigned int n = 0, round, got;

	t_fake_rq_init(&r, start, AREA);
	reserve_is(&r, 0, 0);
	reserve_is(&r, 3, 3);
	reserve_is(&r, ENTRIES, ENTRIES);
	reserve_is(&r, 100, ENTRIES);
	reserve_is(&r, UINT32_MAX, ENTRIES);

	for (round = 0; round < 5; round++) {
		unsigned int first = n;

		/* 5 added, not yet visible, but they take space */
		got = io_uring_zcrx_rq_reserve(&r.rq, 5);
		if (got != 5)
			return t_fail("round %u: reserve(5) = %u", round, got);
		if (add_n(&r, n, got))
			return T_EXIT_FAIL;
		n += got;
		if (*r.rq.ktail != start + first)
			return t_fail("published before the commit: ktail %u",
				      *r.rq.ktail);
		reserve_is(&r, 8, ENTRIES - 5);
		io_uring_zcrx_rq_commit(&r.rq);
		if (*r.rq.ktail != start + n)
			return t_fail("commit: ktail %u, want %u", *r.rq.ktail,
				      start + n);

		/* nearly full: fewer than asked */
		reserve_is(&r, 5, ENTRIES - 5);
		got = io_uring_zcrx_rq_reserve(&r.rq, 5);
		if (add_n(&r, n, got))
			return T_EXIT_FAIL;
		n += got;
		io_uring_zcrx_rq_commit(&r.rq);
		/* full */
		reserve_is(&r, 1, 0);
		reserve_is(&r, 0, 0);

		/* the kernel frees 3: 3 of 4 (the slots wrap here) */
		if (t_fake_rq_consume(&r, 3, first))
			return T_EXIT_FAIL;
		reserve_is(&r, 4, 3);
		reserve_is(&r, 2, 2);
		if (add_n(&r, n, 3))
			return T_EXIT_FAIL;
		n += 3;
		io_uring_zcrx_rq_commit(&r.rq);
		reserve_is(&r, 1, 0);
		if (t_fake_rq_consume(&r, ENTRIES, first + 3))
			return T_EXIT_FAIL;
		reserve_is(&r, 100, ENTRIES);
		if (*r.rq.ktail != start + n || r.rq.rq_tail != start + n)
			return t_fail("round %u: ktail %u rq_tail %u, want %u",
				      round, *r.rq.ktail, r.rq.rq_tail,
				      start + n);
	}
	t_fake_rq_free(&r);
	return 0;
}

/* put+advance: batches of 1 to ENTRIES entries around the ring. */
static int test_put(__u32 start)
{
	static const unsigned int batches[] = { 1, 3, ENTRIES, 2, ENTRIES - 1 };
	unsigned int mask, b, i, n = 0;
	struct t_fake_rq r;

	t_fake_rq_init(&r, start, AREA);
	mask = io_uring_zcrx_rq_mask(&r.rq);
	if (mask != ENTRIES - 1)
		return t_fail("mask %#x, want %#x", mask, ENTRIES - 1);
	for (b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
		unsigned int nr = batches[b];
		__u32 tail = r.rq.rq_tail;

		if (io_uring_zcrx_rq_reserve(&r.rq, nr) != nr)
			return t_fail("batch %u: reserve(%u) = %u", b, nr,
				      io_uring_zcrx_rq_reserve(&r.rq, nr));
		/* in reverse order: the position is i, not the call order */
		for (i = nr; i-- > 0; )
			io_uring_zcrx_rq_put(&r.rq, t_fake_rq_off(AREA, n + i),
					     mask, i);
		if (r.rq.rq_tail != tail || *r.rq.ktail != tail)
			return t_fail("batch %u: put moved the tail", b);
		for (i = 0; i < nr; i++) {
			struct io_uring_zcrx_rqe *rqe =
				&r.rq.rqes[(tail + i) & mask];

			if (rqe->off != t_fake_rq_off(AREA, n + i) ||
			    rqe->len || rqe->__pad)
				return t_fail("batch %u: slot %u holds off %#llx len %u pad %u",
					      b, (tail + i) & mask,
					      (unsigned long long)rqe->off,
					      rqe->len, rqe->__pad);
			/* what t_fake_rq_consume() checks: len = number */
			rqe->len = n + i;
		}
		io_uring_zcrx_rq_advance(&r.rq, nr);
		if (r.rq.rq_tail != tail + nr || *r.rq.ktail != tail + nr)
			return t_fail("batch %u: advance(%u): rq_tail %u ktail %u, want %u",
				      b, nr, r.rq.rq_tail, *r.rq.ktail,
				      tail + nr);
		if (t_fake_rq_consume(&r, nr, n))
			return T_EXIT_FAIL;
		n += nr;
	}
	t_fake_rq_free(&r);
	return 0;
}

#define AREA_ID		3ULL
#define AREA_LEN	(16ULL << 12)

static int test_ptr(void)
{
	static char area[AREA_LEN];
	const __u64 tok = AREA_ID << IORING_ZCRX_AREA_SHIFT;
	const __u64 in_range[] = { 0, 1, 4096, 4096 + 100, AREA_LEN - 4096,
				   AREA_LEN - 1 };
	const __u64 bad[] = {
		tok + AREA_LEN,			/* first byte past the end */
		tok + AREA_LEN + 4096,
		tok | ((1ULL << IORING_ZCRX_AREA_SHIFT) - 1),
		0,				/* area 0 */
		(AREA_ID - 1) << IORING_ZCRX_AREA_SHIFT,
		((AREA_ID - 1) << IORING_ZCRX_AREA_SHIFT) |
			((1ULL << IORING_ZCRX_AREA_SHIFT) - 1),
		(AREA_ID + 1) << IORING_ZCRX_AREA_SHIFT,
		0xffffULL << IORING_ZCRX_AREA_SHIFT,
		~0ULL,
		tok - 1,
	};
	struct io_uring_zcrx_ifq ifq;
	struct t_fake_cqe c;
	unsigned int i;
	void *p;

	memset(&ifq, 0, sizeof(ifq));
	ifq.area_base = area;
	ifq.area_len = AREA_LEN;
	ifq.area_token = tok;

	for (i = 0; i < sizeof(in_range) / sizeof(in_range[0]); i++) {
		__u64 off = tok | in_range[i];

		p = io_uring_zcrx_cqe_ptr(&ifq, t_fake_cqe(&c, 1, off));
		if (p != area + in_range[i])
			return t_fail("cqe_ptr(%#llx) = %p, want %p",
				      (unsigned long long)off, p,
				      (void *)(area + in_range[i]));
		/* agrees with the checked helper where that accepts it */
		if (p != io_uring_zcrx_off_ptr(&ifq, off, 1))
			return t_fail("cqe_ptr(%#llx) differs from off_ptr",
				      (unsigned long long)off);
		p = io_uring_zcrx_off_ptr_unchecked(&ifq, off);
		if (p != area + in_range[i])
			return t_fail("off_ptr_unchecked(%#llx) = %p",
				      (unsigned long long)off, p);
		/* the area id bits are ignored */
		p = io_uring_zcrx_off_ptr_unchecked(&ifq,
				(0xabcdULL << IORING_ZCRX_AREA_SHIFT) |
				in_range[i]);
		if (p != area + in_range[i])
			return t_fail("off_ptr_unchecked ignores no area id");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = io_uring_zcrx_cqe_ptr(&ifq, t_fake_cqe(&c, 1, bad[i]));
		if (p)
			return t_fail("cqe_ptr(%#llx) = %p, want NULL",
				      (unsigned long long)bad[i], p);
	}
	/* area id 0: the token is 0 */
	ifq.area_token = 0;
	p = io_uring_zcrx_cqe_ptr(&ifq, t_fake_cqe(&c, 1, 4096));
	if (p != area + 4096)
		return t_fail("area 0: cqe_ptr(4096) = %p", p);
	p = io_uring_zcrx_cqe_ptr(&ifq, t_fake_cqe(&c, 1, tok));
	if (p)
		return t_fail("area 0: cqe_ptr of area 3 = %p", p);
	p = io_uring_zcrx_cqe_ptr(&ifq, t_fake_cqe(&c, 1, ~0ULL));
	if (p)
		return t_fail("area 0: cqe_ptr(~0) = %p", p);
	return 0;
}

int main(void)
{
	/* from 0, and from just before the 32-bit head/tail wrap */
	static const __u32 starts[] = { 0, 5, UINT32_MAX - 2, UINT32_MAX };
	unsigned int i;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		if (test_ring(starts[i]) || test_put(starts[i]))
			return t_fail("with head and tail starting at %u",
				      starts[i]);
	}
	if (test_ptr())
		return T_EXIT_FAIL;
	printf("fast path checks passed, including the 32-bit wrap\n");
	return T_EXIT_PASS;
}
