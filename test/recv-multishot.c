/* SPDX-License-Identifier: MIT */
/*
 * Description: a ring with DEFER_TASKRUN | SINGLE_ISSUER | CQE32 receives
 * a 64 MiB TCP stream over a netdevsim pair with one multishot recv and a
 * provided buffer ring, re-arming when the buffers run out; every byte is
 * verified.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

#include <liburing.h>

#include "helpers.h"

#define TOTAL		(64ULL << 20)
#define NR_BUFS		64
#define BUF_SIZE	(16 << 10)
#define BGID		7

static struct io_uring_buf_ring *br;
static char *bufs;

static void arm(struct io_uring *ring, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
}

static int setup_bufs(struct io_uring *ring)
{
	struct io_uring_buf_reg reg = { };
	int i, ret;

	br = mmap(NULL, NR_BUFS * sizeof(struct io_uring_buf),
		  PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bufs = malloc(NR_BUFS * BUF_SIZE);
	if (br == MAP_FAILED || !bufs)
		return -ENOMEM;
	reg.ring_addr = (unsigned long)br;
	reg.ring_entries = NR_BUFS;
	reg.bgid = BGID;
	ret = io_uring_register_buf_ring(ring, &reg, 0);
	if (ret)
		return ret;
	io_uring_buf_ring_init(br);
	for (i = 0; i < NR_BUFS; i++)
		io_uring_buf_ring_add(br, bufs + i * BUF_SIZE, BUF_SIZE, i,
				      io_uring_buf_ring_mask(NR_BUFS), i);
	io_uring_buf_ring_advance(br, NR_BUFS);
	return 0;
}

int main(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
	};
	unsigned long cqes = 0, rearms = 0;
	struct t_nsim_pair pair;
	struct io_uring ring;
	struct t_stream s;
	uint64_t off = 0;
	bool done = false;
	int ret;

	ret = io_uring_queue_init_params(64, &ring, &p);
	if (ret == -EINVAL)
		return t_lacks("kernel without DEFER_TASKRUN or CQE32");
	if (ret)
		return t_fail("queue_init: %s", strerror(-ret));
	if (p.flags & IORING_SETUP_CQE32 && !(ring.flags & IORING_SETUP_CQE32))
		return t_fail("ring lost CQE32");
	ret = setup_bufs(&ring);
	if (ret)
		return t_fail("buffer ring: %s", strerror(-ret));

	ret = t_nsim_pair_create(&pair, 1);
	if (ret)
		return ret;
	ret = t_stream_start(&s, &pair, 5202, TOTAL);
	if (ret)
		goto out;

	arm(&ring, s.fd);
	while (!done) {
		struct io_uring_cqe *cqe;
		unsigned int bid;
		long bad;

		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0) {
			ret = t_fail("submit_and_wait: %s", strerror(-ret));
			goto out;
		}
		ret = io_uring_peek_cqe(&ring, &cqe);
		if (ret) {
			ret = t_fail("no CQE after wait: %s", strerror(-ret));
			goto out;
		}
		cqes++;
		if (cqe->res == -ENOBUFS) {
			/* All buffers were in flight: re-arm. */
			if (cqe->flags & IORING_CQE_F_MORE) {
				ret = t_fail("ENOBUFS CQE with F_MORE");
				goto out;
			}
			rearms++;
			io_uring_cqe_seen(&ring, cqe);
			arm(&ring, s.fd);
			continue;
		}
		if (cqe->res < 0) {
			ret = t_fail("recv CQE: %s", strerror(-cqe->res));
			goto out;
		}
		if (cqe->res == 0) {
			if (cqe->flags & IORING_CQE_F_MORE) {
				ret = t_fail("EOF CQE with F_MORE");
				goto out;
			}
			done = true;
			io_uring_cqe_seen(&ring, cqe);
			break;
		}
		if (!(cqe->flags & IORING_CQE_F_BUFFER)) {
			ret = t_fail("data CQE without a buffer");
			goto out;
		}
		bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		if (bid >= NR_BUFS || cqe->res > BUF_SIZE) {
			ret = t_fail("bad buffer %u or length %d", bid, cqe->res);
			goto out;
		}
		bad = t_pattern_check(bufs + bid * BUF_SIZE, off, cqe->res);
		if (bad >= 0) {
			ret = t_fail("byte %llu is wrong",
				     (unsigned long long)(off + bad));
			goto out;
		}
		off += cqe->res;
		io_uring_buf_ring_add(br, bufs + bid * BUF_SIZE, BUF_SIZE, bid,
				      io_uring_buf_ring_mask(NR_BUFS), 0);
		io_uring_buf_ring_advance(br, 1);
		if (!(cqe->flags & IORING_CQE_F_MORE)) {
			/* Ended for another reason (e.g. CQ overflow). */
			rearms++;
			arm(&ring, s.fd);
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	if (off != TOTAL) {
		ret = t_fail("received %llu bytes, sent %llu",
			     (unsigned long long)off, TOTAL);
		goto out;
	}
	ret = t_stream_finish(&s);
	if (!ret)
		printf("%llu bytes verified in %lu CQEs, %lu re-arms\n", TOTAL,
		       cqes, rearms);
out:
	if (ret)
		t_stream_finish(&s);
	t_nsim_pair_destroy(&pair);
	io_uring_queue_exit(&ring);
	return ret;
}
