/* SPDX-License-Identifier: MIT */
/*
 * Description: zcrx with receive buffers larger than a page (rx_buf_len),
 * on netdevsim, registered by liburing-ext's io_uring_zcrx_ifq_setup():
 *   - the query reports ZCRX_FEATURE_RX_PAGE_SIZE (else a skip, a failure
 *     on the project's kernel);
 *   - 16, 32 and 64 KiB buffers of a 32 MiB area of 2 MiB huge pages
 *     (contiguous chunks of 2 MiB): rx_buf_len is written back as asked,
 *     a 64 MiB stream arrives all zero-copy, every byte checked, no CQE
 *     crossing a buffer, and netdevsim fills each buffer before the next,
 *     so the CQEs carry more than a page on average (fewer than one per
 *     4 KiB) and the largest is more than a page; CQEs per MiB printed;
 *   - 64 KiB buffers of 32 MiB of device memory (the ivshmem heap, one
 *     contiguous dma-buf segment): a 32 MiB stream, the same checks;
 *   - the copy fallback into 16 KiB buffers of a 64 MiB huge-page area
 *     (the flow steered to the queue next to the bound one): every CQE a
 *     copy of at most a page at the start of its buffer, as upstream;
 *   - 2 MiB buffers of the huge-page area register (and take no stream:
 *     one frame per 2 MiB buffer would make the socket's truesize
 *     absurd); 4 MiB ones of a 6 MiB huge-page area are ERANGE, as no
 *     chunk can hold one.
 * Skips without netdevsim, header split, zcrx, huge pages or the device
 * memory heap (fails on the project's kernel, which has them).
 */
#include <errno.h>
#include <string.h>

#include "devmem.h"
#include "zcrx.h"

#define HUGE_AREA	(32UL << 20)
#define TOTAL		(64ULL << 20)
#define SMALL		(16ULL << 20)

static char devmem_heap[64];

static int setup(struct t_zcrx *z, const struct t_zcrx_nsim *n,
		 unsigned int rxq, int type, size_t area_len, __u32 buf_len)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex, .rxq = rxq,
		.area_len = area_len, .area_type = type,
		.heap = type == IO_URING_ZCRX_AREA_DMA_HEAP ? devmem_heap : NULL,
		.rx_buf_len = buf_len,
	};
	char what[128];
	int ret;

	snprintf(what, sizeof(what), "%u KiB buffers of a %zu MiB %s area on queue %u",
		 buf_len >> 10, area_len >> 20,
		 type == IO_URING_ZCRX_AREA_DMA_HEAP ? "device memory" :
		 "huge page", rxq);
	ret = t_zcrx_setup_checked(z, &o, what);
	if (ret)
		return ret;
	if (z->ifq.rx_buf_len != buf_len) {
		t_zcrx_cleanup(z);
		return t_fail("%s: rx_buf_len written back as %u, want %u",
			      what, z->ifq.rx_buf_len, buf_len);
	}
	return 0;
}

/* A stream of @total into @buf_len buffers on the bound queue. */
static int large(const struct t_zcrx_nsim *n, int type, size_t area_len,
		 __u32 buf_len, uint64_t total, uint16_t port)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	char what[96];
	int ret;

	ret = setup(&z, n, n->rxq, type, area_len, buf_len);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "%llu MiB into %u KiB buffers%s",
		 (unsigned long long)(total >> 20), buf_len >> 10,
		 type == IO_URING_ZCRX_AREA_DMA_HEAP ? " of device memory" : "");
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_zcrx_recv_stream(&rx, &s, n, port, total, what);
	if (!ret)
		ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC, what);
	if (ret)
		goto out;
	printf("%s: %.1f CQEs per MiB, %.0f bytes per CQE on average, the largest %u\n",
	       what, (double)rx.cqes / (double)(total >> 20),
	       (double)total / (double)rx.cqes, rx.max_cqe);
	/* page-sized buffers would take one CQE per 4 KiB at least */
	if (rx.cqes >= total / 4096 || rx.max_cqe <= 4096)
		ret = t_fail("%s: %llu CQEs, the largest %u bytes: the buffers were not filled beyond a page",
			     what, (unsigned long long)rx.cqes, rx.max_cqe);
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

static int huge_16k(const struct t_zcrx_nsim *n)
{
	return large(n, IO_URING_ZCRX_AREA_HUGE_2M, HUGE_AREA, 16 << 10, TOTAL,
		     5601);
}

static int huge_32k(const struct t_zcrx_nsim *n)
{
	return large(n, IO_URING_ZCRX_AREA_HUGE_2M, HUGE_AREA, 32 << 10, TOTAL,
		     5602);
}

static int huge_64k(const struct t_zcrx_nsim *n)
{
	return large(n, IO_URING_ZCRX_AREA_HUGE_2M, HUGE_AREA, 64 << 10, TOTAL,
		     5603);
}

static int devmem_64k(const struct t_zcrx_nsim *n)
{
	return large(n, IO_URING_ZCRX_AREA_DMA_HEAP, 32UL << 20, 64 << 10,
		     32ULL << 20, 5604);
}

/* The flow is on n->rxq, the 16 KiB buffers on the other queue. */
static int copied(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int ret;

	/*
	 * A copy takes a whole buffer for a page of data, and one RECV_ZC
	 * run copies up to 20 skbs before the test can give any back: 64 MiB
	 * of 16 KiB buffers is room for that, 32 MiB is not (ENOMEM).
	 */
	ret = setup(&z, n, n->rxq ^ 1, IO_URING_ZCRX_AREA_HUGE_2M, 2 * HUGE_AREA,
		    16 << 10);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_zcrx_recv_stream(&rx, &s, n, 5605, SMALL,
				 "16 MiB copied into 16 KiB buffers");
	if (!ret)
		ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_COPIED,
				      "16 MiB copied into 16 KiB buffers");
	if (!ret && rx.max_cqe > 4096)
		ret = t_fail("copy fallback into 16 KiB buffers: a CQE of %u bytes, want at most a page each",
			     rx.max_cqe);
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

static int limits(const struct t_zcrx_nsim *n)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = 6UL << 20,
		.area_type = IO_URING_ZCRX_AREA_HUGE_2M,
		.rx_buf_len = 4U << 20,
	};
	struct t_zcrx z;
	int ret;

	ret = setup(&z, n, n->rxq, IO_URING_ZCRX_AREA_HUGE_2M, HUGE_AREA,
		    2U << 20);
	if (ret)
		return ret;
	t_zcrx_cleanup(&z);
	ret = t_zcrx_setup(&z, &o);
	if (!ret)
		t_zcrx_cleanup(&z);
	if (ret != -ERANGE)
		return t_fail("4 MiB buffers of a 6 MiB area of 2 MiB pages: %s, want ERANGE",
			      t_errname(ret));
	printf("2 MiB buffers of 2 MiB pages register; 4 MiB ones of a 6 MiB area: ERANGE\n");
	return 0;
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = {
		limits, huge_16k, huge_32k, huge_64k, devmem_64k, copied, NULL,
	};
	int ret;

	ret = t_zcrx_require_feature(ZCRX_FEATURE_RX_PAGE_SIZE,
				     "rx_buf_len (ZCRX_FEATURE_RX_PAGE_SIZE)");
	if (ret)
		return ret;
	ret = t_devmem_heap(devmem_heap, sizeof(devmem_heap));
	if (ret)
		return ret;
	return t_zcrx_nsim_run(cases);
}
