/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring_zcrx_ifq_setup() refuses bad options before the
 * kernel sees them (non-zero setup_flags, reserved fields or area flags
 * among them) and leaves the ifq clear, and, on a kernel with
 * device-less zcrx, registers an ifq with the refill ring in user memory
 * and in kernel memory and fills the handle: power-of-two entries, head,
 * tail and entries inside the mapped ring, an empty ring with every entry
 * free, the area's base, length and token. Skips the second part on a
 * kernel without device-less zcrx (fails on the project's kernel).
 */
#include <string.h>

#include <liburing-ext.h>

#include "helpers.h"

static int ring_init(struct io_uring *ring)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
	};

	return io_uring_queue_init_params(8, ring, &p);
}

static int is_clear(const struct io_uring_zcrx_ifq *ifq)
{
	static const struct io_uring_zcrx_ifq zero;

	return !memcmp(ifq, &zero, sizeof(zero));
}

static int check_bad_opts(struct io_uring *ring,
			  const struct io_uring_zcrx_area *area)
{
	const struct io_uring_zcrx_ifq_opts good = {
		.rq_entries = 64, .flags = ZCRX_REG_NODEV, .area = area,
	};
	struct io_uring_zcrx_ifq_opts o;
	struct io_uring_zcrx_area a;
	struct io_uring_zcrx_ifq ifq;
	int i, ret;

	for (i = 0; i < 10; i++) {
		o = good;
		a = *area;
		switch (i) {
		case 0: o.area = NULL; break;
		case 1: o.rq_entries = 0; break;
		case 2: o.rq_entries = (1U << 31) + 1; break;
		case 3: o.rq_mem = IO_URING_ZCRX_RQ_KERNEL + 1; break;
		case 4: o.flags = ZCRX_REG_IMPORT; break;
		/* the words kept for later versions must be 0 */
		case 5: o.setup_flags = 1; break;
		case 6: o.__resv1 = 1; break;
		case 7: o.__resv[4] = 1; break;
		case 8: a.flags = 1; o.area = &a; break;
		case 9: a.__resv[3] = 1; o.area = &a; break;
		}
		memset(&ifq, 0xa5, sizeof(ifq));
		ret = io_uring_zcrx_ifq_setup(ring, &o, &ifq);
		if (ret != -EINVAL)
			return t_fail("bad options %d: %d, want -EINVAL", i, ret);
		if (!is_clear(&ifq))
			return t_fail("bad options %d: ifq not cleared", i);
	}
	return 0;
}

static int check_nodev(const struct io_uring_zcrx_area *area, int rq_mem)
{
	const struct io_uring_zcrx_ifq_opts o = {
		.rq_entries = 100, .flags = ZCRX_REG_NODEV, .rq_mem = (__u32)rq_mem,
		.area = area,
	};
	struct io_uring_zcrx_ifq ifq;
	struct io_uring ring;
	char *lo, *hi;
	int ret;

	t_check(!ring_init(&ring), "ring");
	ret = io_uring_zcrx_ifq_setup(&ring, &o, &ifq);
	if (ret)
		return t_fail("device-less setup, rq_mem %d: %s", rq_mem,
			      io_uring_zcrx_strerror(ret));
	lo = ifq.rq.ring_ptr;
	hi = lo + ifq.region_len;
	if (ifq.rq.ring_entries != 128)
		return t_fail("100 entries became %u, want 128",
			      ifq.rq.ring_entries);
	if ((char *)ifq.rq.khead < lo || (char *)(ifq.rq.khead + 1) > hi ||
	    (char *)ifq.rq.ktail < lo || (char *)(ifq.rq.ktail + 1) > hi ||
	    (char *)ifq.rq.rqes < lo ||
	    (char *)(ifq.rq.rqes + ifq.rq.ring_entries) > hi)
		return t_fail("refill ring pointers outside the mapping");
	if (io_uring_zcrx_rq_space(&ifq.rq) != ifq.rq.ring_entries)
		return t_fail("new refill ring not empty");
	if (ifq.area_base != area->addr || ifq.area_len != area->len ||
	    ifq.area_token & ~IORING_ZCRX_AREA_MASK)
		return t_fail("area base %p len %llu token %#llx",
			      (void *)ifq.area_base,
			      (unsigned long long)ifq.area_len,
			      (unsigned long long)ifq.area_token);
	if (!ifq.rx_buf_len || ifq.rx_buf_len & (ifq.rx_buf_len - 1))
		return t_fail("rx_buf_len %u", ifq.rx_buf_len);
	printf("rq_mem %d: zcrx_id %u, %u entries, head +%td tail +%td rqes +%td\n",
	       rq_mem, ifq.zcrx_id, ifq.rq.ring_entries,
	       (char *)ifq.rq.khead - lo, (char *)ifq.rq.ktail - lo,
	       (char *)ifq.rq.rqes - lo);
	io_uring_zcrx_ifq_free(&ifq);
	if (!is_clear(&ifq))
		return t_fail("ifq not cleared by free");
	io_uring_zcrx_ifq_free(&ifq);
	io_uring_queue_exit(&ring);
	return 0;
}

int main(void)
{
	struct io_uring_zcrx_area area;
	struct io_uring ring;
	int ret;

	ret = ring_init(&ring);
	if (ret)
		return t_lacks("no ring with DEFER_TASKRUN|CQE32: %s",
			       strerror(-ret));
	t_check(!io_uring_zcrx_area_alloc(&area, IO_URING_ZCRX_AREA_ANON,
					  1 << 20), "area");
	ret = check_bad_opts(&ring, &area);
	io_uring_queue_exit(&ring);
	if (ret)
		return ret;

	ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (ret) {
		io_uring_zcrx_area_free(&area);
		return t_lacks("device-less zcrx: %s",
			       io_uring_zcrx_strerror(ret));
	}
	if (check_nodev(&area, IO_URING_ZCRX_RQ_USER) ||
	    check_nodev(&area, IO_URING_ZCRX_RQ_KERNEL))
		return T_EXIT_FAIL;
	io_uring_zcrx_area_free(&area);
	return T_EXIT_PASS;
}
