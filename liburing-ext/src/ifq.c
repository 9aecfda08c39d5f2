/* SPDX-License-Identifier: MIT */
/*
 * One-call registration of a zcrx interface queue: area, refill ring (in
 * user or kernel memory) and the mapping of the ring afterwards.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib.h"

/* Bytes for a struct zcrx_stats at the end of the refill region */
#define STATS_SLOT	64

static size_t align_up(size_t len, size_t align)
{
	return (len + align - 1) & ~(align - 1);
}

static __u32 roundup_pow2(__u32 n)
{
	__u32 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static bool area_is_dmabuf(const struct io_uring_ext_zcrx_area *area)
{
	return area->type == IO_URING_ZCRX_AREA_UDMABUF ||
	       area->type == IO_URING_ZCRX_AREA_DMA_HEAP;
}

/* Reserved words of liburing-ext's structs: all zero */
static bool all_zero(const __u64 *resv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (resv[i])
			return false;
	return true;
}

#define RESV_ZERO(a)	all_zero((a), sizeof(a) / sizeof((a)[0]))

static bool opts_valid(const struct io_uring_ext_zcrx_ifq_opts *opts)
{
	const struct io_uring_ext_zcrx_area *area = opts->area;

	if (opts->setup_flags || opts->__resv1 || !RESV_ZERO(opts->__resv))
		return false;
	if (!area || !area->len || area->flags || !RESV_ZERO(area->__resv))
		return false;
	return opts->rq_entries && opts->rq_entries <= (1U << 31) &&
	       !(opts->flags & ~(__u32)ZCRX_REG_NODEV) &&
	       opts->rq_mem <= IO_URING_ZCRX_RQ_KERNEL;
}

int io_uring_zcrx_ifq_setup(struct io_uring *ring,
			    const struct io_uring_ext_zcrx_ifq_opts *opts,
			    struct io_uring_ext_zcrx_ifq *ifq)
{
	const struct io_uring_ext_zcrx_area *area = opts->area;
	struct io_uring_zcrx_area_reg area_reg;
	struct io_uring_region_desc rd;
	/*
	 * liburing-ext's full layout: a liburing whose struct
	 * io_uring_zcrx_ifq_reg predates rx_buf_len or event_desc has the
	 * same bytes there, reserved.
	 */
	struct io_uring_ext_zcrx_ifq_reg reg;
	struct zcrx_event_desc desc;
	bool stats = opts->event_flags & ZCRX_EVENT_DESC_FLAG_STATS;
	size_t stats_off = 0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *region = NULL;
	int ret;

	memset(ifq, 0, sizeof(*ifq));
	if (!opts_valid(opts))
		return -EINVAL;
	/* a kernel refill region is mapped through the ring's fd */
	if (opts->rq_mem == IO_URING_ZCRX_RQ_KERNEL && ring->ring_fd < 0)
		return -EBADF;

	/*
	 * The kernel rounds the entries up to a power of two; the header
	 * (head, tail, padding: 128 bytes on x86-64) fits in one page. A
	 * statistics block goes in the last STATS_SLOT bytes, past the
	 * entries.
	 */
	ifq->region_len = align_up(page + (size_t)roundup_pow2(opts->rq_entries) *
				   sizeof(struct io_uring_zcrx_rqe) +
				   (stats ? STATS_SLOT : 0), page);
	if (stats)
		stats_off = ifq->region_len - STATS_SLOT;
	memset(&rd, 0, sizeof(rd));
	rd.size = ifq->region_len;
	if (opts->rq_mem == IO_URING_ZCRX_RQ_USER) {
		region = mmap(NULL, ifq->region_len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
			      -1, 0);
		if (region == MAP_FAILED)
			return -errno;
		ifq->region = region;
		rd.user_addr = (__u64)(uintptr_t)region;
		rd.flags = IORING_MEM_REGION_TYPE_USER;
	}

	memset(&area_reg, 0, sizeof(area_reg));
	area_reg.len = area->len;
	if (area_is_dmabuf(area)) {
		area_reg.flags = IORING_ZCRX_AREA_DMABUF;
		area_reg.dmabuf_fd = (__u32)area->dmabuf_fd;
	} else {
		area_reg.addr = (__u64)(uintptr_t)area->addr;
	}

	memset(&reg, 0, sizeof(reg));
	reg.if_idx = opts->if_idx;
	reg.if_rxq = opts->if_rxq;
	reg.rq_entries = opts->rq_entries;
	reg.flags = opts->flags;
	reg.rx_buf_len = opts->rx_buf_len;
	reg.area_ptr = (__u64)(uintptr_t)&area_reg;
	reg.region_ptr = (__u64)(uintptr_t)&rd;
	if (opts->event_flags || opts->event_mask) {
		memset(&desc, 0, sizeof(desc));
		desc.user_data = opts->event_user_data;
		desc.type_mask = opts->event_mask;
		desc.flags = opts->event_flags;
		desc.stats_offset = stats_off;
		reg.event_desc = (__u64)(uintptr_t)&desc;
	}

	ret = io_uring_register_ifq(ring, (struct io_uring_zcrx_ifq_reg *)&reg);
	if (ret)
		goto fail;

	if (opts->rq_mem == IO_URING_ZCRX_RQ_KERNEL) {
		/* registered: from here on only the ring's exit undoes it */
		region = mmap(NULL, ifq->region_len, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_POPULATE, ring->ring_fd,
			      (off_t)rd.mmap_offset);
		if (region == MAP_FAILED) {
			ret = -errno;
			goto fail;
		}
		ifq->region = region;
	}

	ifq->zcrx_id = reg.zcrx_id;
	ifq->rx_buf_len = reg.rx_buf_len ? reg.rx_buf_len : (__u32)page;
	ifq->rq.ring_ptr = region;
	ifq->rq.khead = (__u32 *)(region + reg.offsets.head);
	ifq->rq.ktail = (__u32 *)(region + reg.offsets.tail);
	ifq->rq.rqes = (struct io_uring_zcrx_rqe *)(region + reg.offsets.rqes);
	ifq->rq.ring_entries = reg.rq_entries;
	ifq->rq.rq_tail = IO_URING_READ_ONCE(*ifq->rq.ktail);
	ifq->area_base = (char *)area->addr;
	ifq->area_len = area->len;
	ifq->area_token = area_reg.rq_area_token;
	if (stats)
		ifq->stats = (volatile struct zcrx_stats *)(region + stats_off);
	return 0;
fail:
	io_uring_zcrx_ifq_free(ifq);
	return ret;
}

void io_uring_zcrx_ifq_free(struct io_uring_ext_zcrx_ifq *ifq)
{
	if (ifq->region)
		munmap(ifq->region, ifq->region_len);
	memset(ifq, 0, sizeof(*ifq));
}
