/* SPDX-License-Identifier: MIT */
/*
 * Description: liburing-ext turns the offset of a RECV_ZC CQE into a
 * pointer into the area (area id << 48 | buffer index << shift | offset in
 * the buffer), and rejects offsets of another area or outside the area,
 * including ones whose end would wrap. A host test: no kernel support.
 */
#include <limits.h>
#include <string.h>

#include <liburing-ext.h>

#include "fake-rq.h"
#include "helpers.h"

#define PAGE		4096ULL
#define NR_BUFS		16ULL
#define AREA_LEN	(NR_BUFS * PAGE)

static int nr_bad;

static __u64 zoff(__u64 area_id, __u64 idx, __u64 in_buf)
{
	return (area_id << IORING_ZCRX_AREA_SHIFT) | (idx * PAGE) | in_buf;
}

/* io_uring_zcrx_cqe_buf() on (res, off): expect @want_ret and @want_ptr. */
static void check_buf_at(int line, const struct io_uring_zcrx_ifq *ifq,
			 int res, __u64 off, int want_ret, const void *want_ptr)
{
	struct t_fake_cqe c;
	struct io_uring_cqe *cqe = t_fake_cqe(&c, res, off);
	void *buf = (void *)1;
	int ret;

	if (io_uring_zcrx_cqe_off(cqe) != off) {
		nr_bad++;
		t_fail_at(__FILE__, line, "cqe_off %#llx, want %#llx",
			  (unsigned long long)io_uring_zcrx_cqe_off(cqe),
			  (unsigned long long)off);
	}
	ret = io_uring_zcrx_cqe_buf(ifq, cqe, &buf);
	if (ret != want_ret || buf != want_ptr) {
		nr_bad++;
		t_fail_at(__FILE__, line,
			  "res %d off %#llx: got %d/%p, want %d/%p", res,
			  (unsigned long long)off, ret, buf, want_ret,
			  want_ptr);
	}
}

#define check_buf(ifq, res, off, ret, ptr)				\
	check_buf_at(__LINE__, ifq, res, off, ret, ptr)

/* io_uring_zcrx_off_ptr() on (off, len): expect @want. */
static void check_ptr_at(int line, const struct io_uring_zcrx_ifq *ifq,
			 __u64 off, __u32 len, const void *want)
{
	void *got = io_uring_zcrx_off_ptr(ifq, off, len);

	if (got != want) {
		nr_bad++;
		t_fail_at(__FILE__, line, "off %#llx len %u: got %p, want %p",
			  (unsigned long long)off, len, got, want);
	}
}

#define check_ptr(ifq, off, len, want)					\
	check_ptr_at(__LINE__, ifq, off, len, want)

static void check_area(__u64 area_id)
{
	static char area[AREA_LEN];
	struct io_uring_zcrx_ifq ifq;
	__u64 other = area_id ? 0 : 1;

	memset(&ifq, 0, sizeof(ifq));
	ifq.area_base = area;
	ifq.area_len = AREA_LEN;
	ifq.area_token = area_id << IORING_ZCRX_AREA_SHIFT;

	/* decoding: buffer index and offset in the buffer */
	check_ptr(&ifq, zoff(area_id, 0, 0), 1, area);
	check_ptr(&ifq, zoff(area_id, 3, 100), 200, area + 3 * PAGE + 100);
	check_ptr(&ifq, zoff(area_id, NR_BUFS - 1, 0), PAGE,
		  area + (NR_BUFS - 1) * PAGE);
	check_ptr(&ifq, zoff(area_id, NR_BUFS - 1, PAGE - 1), 1,
		  area + AREA_LEN - 1);
	/* spanning buffers is fine while inside the area */
	check_ptr(&ifq, zoff(area_id, 0, 0), AREA_LEN, area);

	/* bounds */
	check_ptr(&ifq, zoff(area_id, NR_BUFS - 1, PAGE - 1), 2, NULL);
	check_ptr(&ifq, zoff(area_id, NR_BUFS, 0), 1, NULL);
	check_ptr(&ifq, zoff(area_id, NR_BUFS, 0), 0, NULL);
	check_ptr(&ifq, zoff(area_id, 0, 1), AREA_LEN, NULL);
	check_ptr(&ifq, zoff(area_id, 1, 0), UINT32_MAX, NULL);
	check_ptr(&ifq, zoff(area_id, 0, 0) | (1ULL << 47), 1, NULL);
	check_ptr(&ifq, zoff(area_id, 0, 0) | ((1ULL << 48) - 1), 1, NULL);

	/* area id: another area, or garbage in the top bits */
	check_ptr(&ifq, zoff(other, 0, 0), 1, NULL);
	check_ptr(&ifq, zoff(area_id ^ 0x8000, 2, 0), 1, NULL);
	check_ptr(&ifq, zoff(area_id ^ 0x0100, 2, 0), 1, NULL);

	/* whole CQEs */
	check_buf(&ifq, 1500, zoff(area_id, 2, 64), 1500, area + 2 * PAGE + 64);
	check_buf(&ifq, (int)PAGE, zoff(area_id, NR_BUFS - 1, 0), (int)PAGE,
		  area + (NR_BUFS - 1) * PAGE);
	check_buf(&ifq, (int)PAGE + 1, zoff(area_id, NR_BUFS - 1, 0), -ERANGE,
		  NULL);
	check_buf(&ifq, 1, zoff(area_id, NR_BUFS, 0), -ERANGE, NULL);
	check_buf(&ifq, 1, zoff(other, 0, 0), -ERANGE, NULL);
	check_buf(&ifq, INT_MAX, zoff(area_id, 1, 0), -ERANGE, NULL);
	/* end of stream and errors carry no data, whatever the offset */
	check_buf(&ifq, 0, zoff(area_id, 1, 0), 0, NULL);
	check_buf(&ifq, 0, ~0ULL, 0, NULL);
	check_buf(&ifq, -ENOSPC, zoff(area_id, 1, 0), -ENOSPC, NULL);
	check_buf(&ifq, -EFAULT, ~0ULL, -EFAULT, NULL);
}

int main(void)
{
	check_area(0);		/* the one area an ifq has today */
	check_area(1);		/* the token is honoured, not assumed 0 */
	check_area(0xffff);
	if (nr_bad)
		return t_fail("%d offset checks failed", nr_bad);
	printf("CQE offset decoding and bounds checks passed\n");
	return T_EXIT_PASS;
}
