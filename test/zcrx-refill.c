/* SPDX-License-Identifier: MIT */
/*
 * Description: the refill ring helpers of liburing-ext on a ring laid out
 * as the kernel maps it (head @0, tail @64, entries @128) in plain memory,
 * with this test as the kernel: entries land at tail & mask, __pad is
 * cleared, the tail is published only on commit, a full ring gives
 * -ENOBUFS (one) or a short count (many) and changes nothing, and all of
 * it holds across the wrap of the 32-bit head and tail. A host test.
 */
#include <string.h>

#include <liburing-ext.h>

#include "fake-rq.h"
#include "helpers.h"

#define AREA		0ULL
#define ENTRIES		T_RQ_ENTRIES

static int expect_state(int line, struct t_fake_rq *r, __u32 ktail,
			unsigned int space)
{
	if (*r->rq.ktail != ktail || r->rq.rq_tail != ktail ||
	    io_uring_zcrx_rq_space(&r->rq) != space)
		return t_fail_at(__FILE__, line,
				 "ktail %u rq_tail %u space %u, want %u/%u/%u",
				 *r->rq.ktail, r->rq.rq_tail,
				 io_uring_zcrx_rq_space(&r->rq), ktail, ktail,
				 space);
	return 0;
}

#define expect(r, ktail, space)						\
	do {								\
		if (expect_state(__LINE__, r, ktail, space))		\
			return T_EXIT_FAIL;				\
	} while (0)

/* One at a time, through fill, full, drain; from @start. */
static int test_single(__u32 start)
{
	struct t_fake_rq r;
	unsigned int n = 0, i, round;
	int ret;

	t_fake_rq_init(&r, start, AREA);
	expect(&r, start, ENTRIES);
	for (round = 0; round < 3; round++) {
		unsigned int first = n;

		for (i = 0; i < ENTRIES; i++, n++) {
			ret = io_uring_zcrx_rq_return(&r.rq, t_fake_rq_off(AREA, n), n);
			if (ret)
				return t_fail("return %u: %d", n, ret);
			expect(&r, start + n + 1, ENTRIES - i - 1);
		}
		/* full: refused, nothing written or published */
		ret = io_uring_zcrx_rq_return(&r.rq, t_fake_rq_off(AREA, 999), 999);
		if (ret != -ENOBUFS)
			return t_fail("return to a full ring: %d", ret);
		ret = io_uring_zcrx_rq_add(&r.rq, t_fake_rq_off(AREA, 999), 999);
		if (ret != -ENOBUFS)
			return t_fail("add to a full ring: %d", ret);
		expect(&r, start + n, 0);
		/* the kernel takes 3, then the rest */
		if (t_fake_rq_consume(&r, 3, first))
			return T_EXIT_FAIL;
		expect(&r, start + n, 3);
		if (t_fake_rq_consume(&r, ENTRIES - 3, first + 3))
			return T_EXIT_FAIL;
		expect(&r, start + n, ENTRIES);
	}
	t_fake_rq_free(&r);
	return 0;
}

/* add + commit: invisible to the kernel until the commit. */
static int test_add_commit(__u32 start)
{
	struct t_fake_rq r;
	unsigned int i;

	t_fake_rq_init(&r, start, AREA);
	for (i = 0; i < 5; i++)
		if (io_uring_zcrx_rq_add(&r.rq, t_fake_rq_off(AREA, i), i))
			return t_fail("add %u", i);
	if (*r.rq.ktail != start || r.rq.rq_tail != start + 5)
		return t_fail("before commit: ktail %u rq_tail %u",
			      *r.rq.ktail, r.rq.rq_tail);
	if (io_uring_zcrx_rq_space(&r.rq) != ENTRIES - 5)
		return t_fail("added entries do not take space");
	io_uring_zcrx_rq_commit(&r.rq);
	expect(&r, start + 5, ENTRIES - 5);
	if (t_fake_rq_consume(&r, 5, 0))
		return T_EXIT_FAIL;
	t_fake_rq_free(&r);
	return 0;
}

/* Batches: partial when the ring fills, nothing at all when it is full. */
static int test_many(__u32 start)
{
	struct io_uring_zcrx_rqe bufs[ENTRIES * 2];
	struct t_fake_rq r;
	unsigned int i, got;

	for (i = 0; i < ENTRIES * 2; i++) {
		bufs[i].off = t_fake_rq_off(AREA, i);
		bufs[i].len = i;
		bufs[i].__pad = 0xdead;	/* must not reach the ring */
	}
	t_fake_rq_init(&r, start, AREA);

	got = io_uring_zcrx_rq_return_many(&r.rq, bufs, 0);
	if (got)
		return t_fail("returned %u of 0", got);
	expect(&r, start, ENTRIES);

	got = io_uring_zcrx_rq_return_many(&r.rq, bufs, 3);
	if (got != 3)
		return t_fail("returned %u of 3", got);
	expect(&r, start + 3, ENTRIES - 3);

	/* 13 asked, 5 fit */
	got = io_uring_zcrx_rq_return_many(&r.rq, bufs + 3, 13);
	if (got != ENTRIES - 3)
		return t_fail("returned %u of 13 into %u free", got,
			      ENTRIES - 3);
	expect(&r, start + ENTRIES, 0);

	got = io_uring_zcrx_rq_return_many(&r.rq, bufs + 8, 8);
	if (got)
		return t_fail("returned %u into a full ring", got);
	expect(&r, start + ENTRIES, 0);

	if (t_fake_rq_consume(&r, 6, 0))
		return T_EXIT_FAIL;
	expect(&r, start + ENTRIES, 6);
	got = io_uring_zcrx_rq_return_many(&r.rq, bufs + 8, 8);
	if (got != 6)
		return t_fail("returned %u of 8 into 6 free", got);
	expect(&r, start + ENTRIES + 6, 0);
	if (t_fake_rq_consume(&r, ENTRIES, 6))
		return T_EXIT_FAIL;
	expect(&r, start + ENTRIES + 6, ENTRIES);
	t_fake_rq_free(&r);
	return 0;
}

int main(void)
{
	/* from 0, and from just before the 32-bit head/tail wrap */
	static const __u32 starts[] = { 0, 5, UINT32_MAX - 2, UINT32_MAX };
	unsigned int i;

	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		if (test_single(starts[i]) || test_add_commit(starts[i]) ||
		    test_many(starts[i]))
			return t_fail("with head and tail starting at %u",
				      starts[i]);
	}
	printf("refill ring checks passed, including the 32-bit wrap\n");
	return T_EXIT_PASS;
}
