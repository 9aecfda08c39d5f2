// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring zero-copy receive (zcrx).
 *
 * An interface queue (ifq) ties one rx queue of a net device to an area of
 * user memory or a dma-buf. The area is a page pool memory provider for
 * that queue: the NIC receives payload straight into area buffers, and
 * RECV_ZC tells user space where the data is with 32 byte CQEs. User space
 * hands buffers back through a refill ring that the provider consumes when
 * the page pool needs buffers. Data that did not land in the area is
 * copied into free area buffers, except into a dma-buf, which the CPU
 * cannot write; without a device (ZCRX_REG_NODEV) every byte is copied.
 *
 * Buffers are pages, or with rx_buf_len power-of-two runs of pages that
 * are contiguous for the device, which the driver fills like a NIC's
 * large rx buffers; the copy fallback fills at most a page of each.
 *
 * Buffer lifetime: a buffer (net_iov) is either on the area's freelist,
 * lent to a page pool, or held by user space. Exposing a buffer to user
 * space takes a page pool reference and a user reference; the refill
 * ring drops both. Teardown closes the queue first and then drops every
 * user reference still held, so that no buffer is reused while anybody
 * may read it.
 *
 * Object lifetime: the ring holds a reference to each ifq and every page
 * pool the ifq is the provider of holds one. The ring's side (refill
 * region, CQEs) goes when the ring lets go of the ifq; the ifq and its
 * area go with the last reference, when the last skb holding a buffer of
 * an old pool is freed. Ring exit never waits for the network.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/io_uring.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>

#include <net/netdev_rx_queue.h>
#include <net/netlink.h>
#include <net/page_pool/helpers.h>
#include <net/page_pool/memory_provider.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/busy_poll.h>
#include <net/rps.h>

#include <uapi/linux/io_uring.h>
#include <uapi/linux/netdev.h>

#include "io_uring.h"
#include "memmap.h"
#include "rsrc.h"
#include "zcrx.h"

#define IO_ZCRX_RQ_MAX_ENTRIES		32768
#define IO_ZCRX_FLUSH_BATCH		32
/* skbs one RECV_ZC invocation handles before it requeues itself */
#define IO_SKBS_PER_CALL_LIMIT		20

#define IO_ZCRX_SUPPORTED_REG_FLAGS	ZCRX_REG_NODEV
#define IO_ZCRX_SUPPORTED_AREA_FLAGS	IORING_ZCRX_AREA_DMABUF
#define IO_ZCRX_SUPPORTED_EVENT_FLAGS	ZCRX_EVENT_DESC_FLAG_STATS

static const struct memory_provider_ops io_uring_pp_zc_ops;
static void io_put_zcrx_ifq(struct io_zcrx_ifq *ifq);

static inline struct io_zcrx_area *io_zcrx_iov_to_area(const struct net_iov *niov)
{
	return container_of(net_iov_owner(niov), struct io_zcrx_area, nia);
}

static inline atomic_t *io_get_user_counter(struct net_iov *niov)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);

	return &area->user_refs[net_iov_idx(niov)];
}

static bool io_zcrx_put_niov_uref(struct net_iov *niov)
{
	/* a buffer returned twice, or never handed out, has no reference */
	return atomic_dec_if_positive(io_get_user_counter(niov)) >= 0;
}

static void io_zcrx_get_niov_uref(struct net_iov *niov)
{
	atomic_inc(io_get_user_counter(niov));
}

/* The first page of a user memory buffer, all the copy fallback fills */
static struct page *io_zcrx_iov_page(const struct net_iov *niov)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);

	return area->pages[net_iov_idx(niov) << (area->niov_shift - PAGE_SHIFT)];
}

static struct io_zcrx_ifq *io_pp_to_ifq(struct page_pool *pp)
{
	return pp->mp_priv;
}

/* DMA mapping of the area for the netdev's parent device */

static void __io_zcrx_unmap_area(struct io_zcrx_ifq *ifq,
				 struct io_zcrx_area *area)
{
	size_t i;

	for (i = 0; i < area->nia.num_niovs; i++)
		net_mp_niov_set_dma_addr(&area->nia.niovs[i], 0);
	if (area->dmabuf) {
		dma_buf_unmap_attachment_unlocked(area->attach,
						  area->dmabuf_sgt,
						  DMA_FROM_DEVICE);
		area->dmabuf_sgt = NULL;
	} else {
		dma_unmap_sgtable(ifq->dev, &area->sgt, DMA_FROM_DEVICE,
				  DMA_ATTR_SKIP_CPU_SYNC);
	}
}

static void io_zcrx_unmap_area(struct io_zcrx_ifq *ifq,
			       struct io_zcrx_area *area)
{
	guard(mutex)(&ifq->dma_lock);
	if (area->is_mapped)
		__io_zcrx_unmap_area(ifq, area);
	area->is_mapped = false;
}

/*
 * Map the area for ifq->dev: user pages through the DMA API, a dma-buf
 * through its exporter. Called before the niovs exist, as a dma-buf's
 * length is only known from its mapping.
 */
static int io_zcrx_map_area(struct io_zcrx_ifq *ifq, struct io_zcrx_area *area)
{
	struct sg_table *sgt;
	int ret;

	guard(mutex)(&ifq->dma_lock);
	if (area->dmabuf) {
		sgt = dma_buf_map_attachment_unlocked(area->attach,
						      DMA_FROM_DEVICE);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		area->dmabuf_sgt = sgt;
	} else {
		ret = dma_map_sgtable(ifq->dev, &area->sgt, DMA_FROM_DEVICE,
				      DMA_ATTR_SKIP_CPU_SYNC);
		if (ret)
			return ret;
	}
	area->is_mapped = true;
	return 0;
}

static struct sg_table *io_zcrx_area_sgt(struct io_zcrx_area *area)
{
	return area->dmabuf ? area->dmabuf_sgt : &area->sgt;
}

/*
 * The largest buffer the area can be cut into: each buffer must be
 * contiguous for the device. Entries of user memory's table are runs of
 * physically contiguous pages (before mapping), a dma-buf's are its
 * mapping's DMA segments; as they follow each other from offset 0,
 * buffers of a size that divides every entry's length never straddle two.
 */
static unsigned int io_zcrx_area_max_shift(struct io_zcrx_area *area)
{
	unsigned int shift = UINT_MAX;
	struct scatterlist *sg;
	unsigned int i;

	if (area->dmabuf) {
		for_each_sgtable_dma_sg(area->dmabuf_sgt, sg, i)
			shift = min(shift, (unsigned int)__ffs(sg_dma_len(sg)));
	} else {
		for_each_sgtable_sg(&area->sgt, sg, i)
			shift = min(shift, (unsigned int)__ffs(sg->length));
	}
	return shift;
}

/*
 * Give each niov the DMA address of its buffer in the mapping. Only the
 * DMA side of the table is used: a dma-buf's page side belongs to its
 * exporter. Every entry must hold whole pages (else -EINVAL) and whole
 * buffers (else -ERANGE: the device could not write a buffer that
 * crosses into the next segment).
 */
static int io_zcrx_set_dma_addrs(struct io_zcrx_area *area)
{
	struct sg_table *sgt = io_zcrx_area_sgt(area);
	unsigned long buf_len = 1UL << area->niov_shift;
	struct scatterlist *sg;
	size_t niov_idx = 0;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		dma_addr_t dma = sg_dma_address(sg);
		unsigned long len = sg_dma_len(sg);

		if (!PAGE_ALIGNED(dma) || !PAGE_ALIGNED(len))
			return -EINVAL;
		if (!IS_ALIGNED(len, buf_len))
			return -ERANGE;
		for (; len && niov_idx < area->nia.num_niovs; len -= buf_len) {
			struct net_iov *niov = &area->nia.niovs[niov_idx++];

			if (net_mp_niov_set_dma_addr(niov, dma))
				return -EINVAL;
			dma += buf_len;
		}
	}
	return niov_idx == area->nia.num_niovs ? 0 : -EINVAL;
}

static void io_zcrx_sync_for_device(const struct page_pool *pool,
				    struct net_iov *niov)
{
	dma_addr_t dma;

	if (!pool->dma_sync)
		return;
	dma = page_pool_get_dma_addr_netmem(net_iov_to_netmem(niov));
	dma_sync_single_range_for_device(pool->p.dev, dma, pool->p.offset,
					 pool->p.max_len, pool->p.dma_dir);
}

/* The area: user pages or a dma-buf, one net_iov per buffer */

static int io_zcrx_account_mem(struct io_zcrx_ifq *ifq,
			       unsigned long nr_pages)
{
	int ret;

	if (ifq->user) {
		ret = __io_account_mem(ifq->user, nr_pages);
		if (ret)
			return ret;
	}
	if (ifq->mm_account)
		atomic64_add(nr_pages, &ifq->mm_account->pinned_vm);
	return 0;
}

static void io_zcrx_unaccount_mem(struct io_zcrx_ifq *ifq,
				  unsigned long nr_pages)
{
	if (!nr_pages)
		return;
	if (ifq->user)
		__io_unaccount_mem(ifq->user, nr_pages);
	if (ifq->mm_account)
		atomic64_sub(nr_pages, &ifq->mm_account->pinned_vm);
}

static void io_zcrx_free_area(struct io_zcrx_ifq *ifq,
			      struct io_zcrx_area *area)
{
	if (ifq->dev)
		io_zcrx_unmap_area(ifq, area);
	if (area->dmabuf) {
		if (area->attach)
			dma_buf_detach(area->dmabuf, area->attach);
		dma_buf_put(area->dmabuf);
	}
	sg_free_table(&area->sgt);
	if (area->pages) {
		unpin_user_pages(area->pages, area->nr_pinned);
		kvfree(area->pages);
	}
	io_zcrx_unaccount_mem(ifq, area->nr_accounted);
	kvfree(area->freelist);
	kvfree(area->user_refs);
	kvfree(area->nia.niovs);
	kfree(area);
}

static int io_zcrx_check_area(const struct io_zcrx_ifq *ifq,
			      const struct io_uring_zcrx_area_reg *reg)
{
	if (reg->flags & ~IO_ZCRX_SUPPORTED_AREA_FLAGS)
		return -EINVAL;
	if (reg->rq_area_token ||
	    memchr_inv(reg->__resv2, 0, sizeof(reg->__resv2)))
		return -EINVAL;
	if (!reg->len)
		return -EFAULT;
	if (reg->flags & IORING_ZCRX_AREA_DMABUF) {
		/*
		 * addr is the offset into the dma-buf and must be 0. The
		 * CPU cannot copy into a dma-buf, and without a device
		 * there is nothing else.
		 */
		if (reg->addr || ifq->nodev)
			return -EINVAL;
	} else {
		if (!reg->addr)
			return -EFAULT;
		/* a user memory area has no dma-buf */
		if (reg->dmabuf_fd)
			return -EINVAL;
	}
	if (!PAGE_ALIGNED(reg->addr) || !PAGE_ALIGNED(reg->len))
		return -EINVAL;
	/*
	 * As upstream: an arbitrary limit, but a size from user space needs
	 * one before it reaches allocations. It also keeps buffer offsets
	 * far below the area id bits.
	 */
	if (reg->len > SZ_1G)
		return -EFAULT;
	return 0;
}

/* Pin and account user memory; build its table for the DMA mapping. */
static int io_zcrx_import_umem(struct io_zcrx_ifq *ifq,
			       struct io_zcrx_area *area,
			       const struct io_uring_zcrx_area_reg *reg)
{
	unsigned long nr_pages = reg->len >> PAGE_SHIFT;
	struct page **pages;
	int nr, ret;

	/* accounted before pinning, so that the limit holds while pinning */
	ret = io_zcrx_account_mem(ifq, nr_pages);
	if (ret)
		return ret;
	area->nr_accounted = nr_pages;

	pages = io_pin_pages(reg->addr, reg->len, &nr);
	if (IS_ERR(pages))
		return PTR_ERR(pages);
	area->pages = pages;
	area->nr_pinned = nr;

	if (!ifq->dev)
		return 0;
	return sg_alloc_table_from_pages(&area->sgt, pages, nr, 0, reg->len,
					 GFP_KERNEL_ACCOUNT);
}

/*
 * Take the dma-buf and attach it to the queue's DMA device. Its pages,
 * if it has any, stay the exporter's: nothing is pinned or accounted
 * here, as for devmem bindings.
 */
static int io_zcrx_import_dmabuf(struct io_zcrx_ifq *ifq,
				 struct io_zcrx_area *area,
				 const struct io_uring_zcrx_area_reg *reg)
{
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	if (!IS_ENABLED(CONFIG_DMA_SHARED_BUFFER))
		return -EINVAL;

	dmabuf = dma_buf_get(reg->dmabuf_fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	area->dmabuf = dmabuf;

	attach = dma_buf_attach(dmabuf, ifq->dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	area->attach = attach;
	return 0;
}

/*
 * The area of @reg, cut into buffers of @buf_len bytes (PAGE_SIZE, or a
 * larger power of two the area's contiguity must allow: else -ERANGE).
 */
static int io_zcrx_create_area(struct io_zcrx_ifq *ifq,
			       struct io_uring_zcrx_area_reg *reg,
			       u32 buf_len)
{
	gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_NOWARN;
	unsigned long nr_niovs;
	struct io_zcrx_area *area;
	struct scatterlist *sg;
	unsigned long mapped = 0;
	unsigned int i;
	int ret;

	ret = io_zcrx_check_area(ifq, reg);
	if (ret)
		return ret;

	area = kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
	if (!area)
		return -ENOMEM;
	spin_lock_init(&area->freelist_lock);
	area->ifq = ifq;
	area->niov_shift = ilog2(buf_len);

	if (reg->flags & IORING_ZCRX_AREA_DMABUF)
		ret = io_zcrx_import_dmabuf(ifq, area, reg);
	else
		ret = io_zcrx_import_umem(ifq, area, reg);
	if (ret)
		goto err;

	if (ifq->dev) {
		ret = io_zcrx_map_area(ifq, area);
		if (ret)
			goto err;
	}
	/* the dma-buf's mapping must be exactly the area */
	if (area->dmabuf) {
		ret = -EINVAL;
		for_each_sgtable_dma_sg(area->dmabuf_sgt, sg, i)
			mapped += sg_dma_len(sg);
		if (mapped != reg->len)
			goto err;
	}
	/* larger buffers only exist with a device (io_zcrx_check_reg()) */
	if (area->niov_shift > PAGE_SHIFT &&
	    area->niov_shift > io_zcrx_area_max_shift(area)) {
		ret = -ERANGE;
		goto err;
	}
	nr_niovs = reg->len >> area->niov_shift;

	ret = -ENOMEM;
	area->nia.niovs = kvmalloc_array(nr_niovs, sizeof(area->nia.niovs[0]),
					 gfp | __GFP_ZERO);
	area->freelist = kvmalloc_array(nr_niovs, sizeof(area->freelist[0]),
					gfp);
	area->user_refs = kvmalloc_array(nr_niovs, sizeof(area->user_refs[0]),
					 gfp | __GFP_ZERO);
	if (!area->nia.niovs || !area->freelist || !area->user_refs)
		goto err;
	area->nia.num_niovs = nr_niovs;

	for (i = 0; i < nr_niovs; i++) {
		struct net_iov *niov = &area->nia.niovs[i];

		niov->owner = &area->nia;
		niov->type = NET_IOV_IOURING;
		area->freelist[i] = i;
	}
	area->free_count = nr_niovs;

	if (ifq->dev) {
		ret = io_zcrx_set_dma_addrs(area);
		if (ret)
			goto err;
	}

	/* one area per ifq, so its id is always 0 */
	area->area_id = 0;
	reg->rq_area_token = (u64)area->area_id << IORING_ZCRX_AREA_SHIFT;
	ifq->area = area;
	return 0;
err:
	io_zcrx_free_area(ifq, area);
	return ret;
}

static struct net_iov *__io_zcrx_get_free_niov(struct io_zcrx_area *area)
{
	unsigned int niov_idx;

	lockdep_assert_held(&area->freelist_lock);

	niov_idx = area->freelist[--area->free_count];
	return &area->nia.niovs[niov_idx];
}

static void io_zcrx_return_niov_freelist(struct net_iov *niov)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);

	spin_lock_bh(&area->freelist_lock);
	area->freelist[area->free_count++] = net_iov_idx(niov);
	spin_unlock_bh(&area->freelist_lock);
}

/*
 * A buffer whose last reference is gone goes back to the page pool it is
 * lent to, or to the freelist if it was a copy-fallback buffer.
 */
static void io_zcrx_return_niov(struct net_iov *niov)
{
	netmem_ref netmem = net_iov_to_netmem(niov);

	if (!niov->pp) {
		io_zcrx_return_niov_freelist(niov);
		return;
	}
	page_pool_put_unrefed_netmem(niov->pp, netmem, -1, false);
}

/* Drop every user reference still held; nothing may expose more buffers. */
static void io_zcrx_scrub(struct io_zcrx_ifq *ifq)
{
	struct io_zcrx_area *area = ifq->area;
	size_t i;

	if (!area)
		return;

	for (i = 0; i < area->nia.num_niovs; i++) {
		struct net_iov *niov = &area->nia.niovs[i];
		int nr;

		if (!atomic_read(io_get_user_counter(niov)))
			continue;
		nr = atomic_xchg(io_get_user_counter(niov), 0);
		if (nr && !page_pool_unref_netmem(net_iov_to_netmem(niov), nr))
			io_zcrx_return_niov(niov);
	}
}

/* The refill ring */

static int io_allocate_rbuf_ring(struct io_zcrx_ifq *ifq,
				 struct io_uring_zcrx_ifq_reg *reg,
				 struct io_uring_region_desc *rd)
{
	u64 mmap_offset;
	size_t off, size;
	void *ptr;
	int ret;

	off = IO_ZCRX_RQ_HDR_SIZE;
	size = off + sizeof(struct io_uring_zcrx_rqe) * reg->rq_entries;
	if (size > rd->size)
		return -EINVAL;

	mmap_offset = IORING_OFF_ZCRX_REGION +
		      ((u64)ifq->id << IORING_OFF_ZCRX_SHIFT);
	ret = io_create_region(ifq->ctx, &ifq->region, rd, mmap_offset);
	if (ret)
		return ret;

	ptr = io_region_get_ptr(&ifq->region);
	ifq->rq_hdr = ptr;
	ifq->rqes = ptr + off;
	/* user memory may hold anything; both sides start from zero */
	WRITE_ONCE(ifq->rq_hdr->head, 0);
	WRITE_ONCE(ifq->rq_hdr->tail, 0);

	reg->offsets.head = offsetof(struct io_zcrx_rq_hdr, head);
	reg->offsets.tail = offsetof(struct io_zcrx_rq_hdr, tail);
	reg->offsets.rqes = off;
	return 0;
}

static int io_zcrx_setup_stats(struct io_zcrx_ifq *ifq,
			       const struct zcrx_event_desc *ev)
{
	size_t rq_end, region_size;
	u64 off = ev->stats_offset;

	if (!(ev->flags & ZCRX_EVENT_DESC_FLAG_STATS)) {
		if (off)
			return -EINVAL;
		return 0;
	}
	if (!IS_ALIGNED(off, sizeof(u64)))
		return -EINVAL;

	region_size = (size_t)ifq->region.nr_pages << PAGE_SHIFT;
	rq_end = IO_ZCRX_RQ_HDR_SIZE +
		 sizeof(struct io_uring_zcrx_rqe) * ifq->rq_entries;
	/* neither in the ring header and entries nor outside the region */
	if (off < rq_end || off > region_size - sizeof(struct zcrx_stats))
		return -ERANGE;

	ifq->stats = io_region_get_ptr(&ifq->region) + off;
	memset(ifq->stats, 0, sizeof(*ifq->stats));
	return 0;
}

static int io_zcrx_check_event_desc(const struct zcrx_event_desc *ev)
{
	if (memchr_inv(ev->__resv2, 0, sizeof(ev->__resv2)))
		return -EINVAL;
	if (ev->flags & ~IO_ZCRX_SUPPORTED_EVENT_FLAGS)
		return -EINVAL;
	if (ev->type_mask & ~((1U << __ZCRX_EVENT_LAST) - 1))
		return -EINVAL;
	/* the statistics block is supported, event CQEs are not yet */
	if (ev->type_mask)
		return -EOPNOTSUPP;
	return 0;
}

static inline u32 io_zcrx_rqring_entries(struct io_zcrx_ifq *ifq)
{
	u32 entries;

	/* pairs with the user's release store of the tail */
	entries = smp_load_acquire(&ifq->rq_hdr->tail) - ifq->cached_rq_head;
	/* a tail the user moved anywhere still bounds the work to a lap */
	return min(entries, ifq->rq_entries);
}

/*
 * Take the next refill entry and find its buffer; false if the entry is
 * malformed. Every field comes from user space.
 */
static bool io_zcrx_next_rqe(struct io_zcrx_ifq *ifq, struct net_iov **ret)
{
	struct io_zcrx_area *area = ifq->area;
	struct io_uring_zcrx_rqe *rqe;
	u64 off, niov_idx;

	rqe = &ifq->rqes[ifq->cached_rq_head++ & (ifq->rq_entries - 1)];
	off = READ_ONCE(rqe->off);
	if (unlikely(READ_ONCE(rqe->__pad) ||
		     (off >> IORING_ZCRX_AREA_SHIFT) != area->area_id))
		return false;

	niov_idx = (off & ~IORING_ZCRX_AREA_MASK) >> area->niov_shift;
	if (unlikely(niov_idx >= area->nia.num_niovs))
		return false;
	niov_idx = array_index_nospec(niov_idx, area->nia.num_niovs);
	*ret = &area->nia.niovs[niov_idx];
	return true;
}

/*
 * Take the user's reference of the buffer of the next refill entry.
 * Returns the buffer if that was its last reference, else NULL.
 * Context: ifq->rq_lock held.
 */
static struct net_iov *io_zcrx_rqe_to_free_niov(struct io_zcrx_ifq *ifq)
{
	struct net_iov *niov;

	lockdep_assert_held(&ifq->rq_lock);

	if (!io_zcrx_next_rqe(ifq, &niov))
		return NULL;
	if (!io_zcrx_put_niov_uref(niov))
		return NULL;
	if (page_pool_unref_netmem(net_iov_to_netmem(niov), 1))
		return NULL;
	return niov;
}

/* Refill @pp's alloc cache from the refill ring. Context: NAPI. */
static void io_zcrx_ring_refill(struct page_pool *pp, struct io_zcrx_ifq *ifq)
{
	u32 entries;

	spin_lock_bh(&ifq->rq_lock);
	entries = io_zcrx_rqring_entries(ifq);
	entries = min_t(u32, entries, PP_ALLOC_CACHE_REFILL - pp->alloc.count);
	while (entries--) {
		struct net_iov *niov = io_zcrx_rqe_to_free_niov(ifq);

		if (!niov)
			continue;
		/* a buffer of a previous pool of the queue, or a copy */
		if (unlikely(niov->pp != pp)) {
			io_zcrx_return_niov(niov);
			continue;
		}
		io_zcrx_sync_for_device(pp, niov);
		net_mp_netmem_place_in_cache(pp, net_iov_to_netmem(niov));
	}
	/* entries up to head are read: pairs with the user's acquire load */
	smp_store_release(&ifq->rq_hdr->head, ifq->cached_rq_head);
	spin_unlock_bh(&ifq->rq_lock);
}

/*
 * Return up to @max refill entries to their page pool or the freelist,
 * outside of any page pool allocation. Returns the entries consumed.
 */
static u32 io_zcrx_drain_rq(struct io_zcrx_ifq *ifq, u32 max)
{
	u32 entries, done;

	spin_lock_bh(&ifq->rq_lock);
	entries = min(io_zcrx_rqring_entries(ifq), max);
	for (done = 0; done < entries; done++) {
		struct net_iov *niov = io_zcrx_rqe_to_free_niov(ifq);

		if (niov)
			io_zcrx_return_niov(niov);
	}
	/* as in io_zcrx_ring_refill() */
	smp_store_release(&ifq->rq_hdr->head, ifq->cached_rq_head);
	spin_unlock_bh(&ifq->rq_lock);
	return entries;
}

static void io_zcrx_refill_slow(struct page_pool *pp, struct io_zcrx_ifq *ifq)
{
	struct io_zcrx_area *area = ifq->area;

	spin_lock_bh(&area->freelist_lock);
	while (area->free_count && pp->alloc.count < PP_ALLOC_CACHE_REFILL) {
		struct net_iov *niov = __io_zcrx_get_free_niov(area);

		net_mp_niov_set_page_pool(pp, niov);
		io_zcrx_sync_for_device(pp, niov);
		net_mp_netmem_place_in_cache(pp, net_iov_to_netmem(niov));
	}
	spin_unlock_bh(&area->freelist_lock);
}

/* The page pool memory provider */

static netmem_ref io_pp_zc_alloc_netmems(struct page_pool *pp, gfp_t gfp)
{
	struct io_zcrx_ifq *ifq = io_pp_to_ifq(pp);

	/* the pool only asks with an empty cache */
	if (unlikely(pp->alloc.count))
		goto out_return;

	io_zcrx_ring_refill(pp, ifq);
	if (likely(pp->alloc.count))
		goto out_return;

	io_zcrx_refill_slow(pp, ifq);
	if (!pp->alloc.count)
		return 0;
out_return:
	return pp->alloc.cache[--pp->alloc.count];
}

static bool io_pp_zc_release_netmem(struct page_pool *pp, netmem_ref netmem)
{
	struct net_iov *niov;

	if (WARN_ON_ONCE(!netmem_is_net_iov(netmem)))
		return false;

	niov = netmem_to_net_iov(netmem);
	net_mp_niov_clear_page_pool(niov);
	io_zcrx_return_niov_freelist(niov);
	/* the pool must not put_page() a net_iov */
	return false;
}

static int io_pp_zc_init(struct page_pool *pp)
{
	struct io_zcrx_ifq *ifq = io_pp_to_ifq(pp);

	if (WARN_ON_ONCE(!ifq))
		return -EINVAL;
	if (WARN_ON_ONCE(ifq->dev != pp->p.dev))
		return -EINVAL;
	if (WARN_ON_ONCE(!pp->dma_map))
		return -EOPNOTSUPP;
	/* the driver's buffers must be the area's, which it was asked for */
	if (PAGE_SHIFT + pp->p.order != ifq->area->niov_shift)
		return -EINVAL;
	if (pp->p.dma_dir != DMA_FROM_DEVICE)
		return -EOPNOTSUPP;
	/*
	 * As for devmem: a dma-buf's addresses are the exporter's mapping
	 * and must not be synced through the DMA API.
	 */
	if (ifq->area->dmabuf) {
		pp->dma_sync = false;
		pp->dma_sync_for_cpu = false;
	}

	/*
	 * The ifq and its area stay until the pool is gone. Pools are only
	 * created while the queue has the ifq as its provider, and the ring
	 * holds its reference until after it closed the queue.
	 */
	refcount_inc(&ifq->refs);
	return 0;
}

static void io_pp_zc_destroy(struct page_pool *pp)
{
	io_put_zcrx_ifq(io_pp_to_ifq(pp));
}

static int io_pp_nl_fill(void *mp_priv, struct sk_buff *rsp,
			 struct netdev_rx_queue *rxq)
{
	int type = rxq ? NETDEV_A_QUEUE_IO_URING : NETDEV_A_PAGE_POOL_IO_URING;
	struct nlattr *nest;

	nest = nla_nest_start(rsp, type);
	if (!nest)
		return -EMSGSIZE;
	nla_nest_end(rsp, nest);
	return 0;
}

/* Context: RTNL, which protects ifq->netdev. */
static void io_zcrx_drop_netdev(struct io_zcrx_ifq *ifq)
{
	ASSERT_RTNL();

	if (!ifq->netdev)
		return;
	netdev_put(ifq->netdev, &ifq->netdev_tracker);
	ifq->netdev = NULL;
	ifq->bound = false;
}

/* The device is unregistering. Context: RTNL. */
static void io_pp_uninstall(void *mp_priv, struct netdev_rx_queue *rxq)
{
	struct pp_memory_provider_params *p = &rxq->mp_params;
	struct io_zcrx_ifq *ifq = mp_priv;

	io_zcrx_drop_netdev(ifq);
	if (ifq->area)
		io_zcrx_unmap_area(ifq, ifq->area);

	p->mp_ops = NULL;
	p->mp_priv = NULL;
}

static const struct memory_provider_ops io_uring_pp_zc_ops = {
	.alloc_netmems		= io_pp_zc_alloc_netmems,
	.release_netmem		= io_pp_zc_release_netmem,
	.init			= io_pp_zc_init,
	.destroy		= io_pp_zc_destroy,
	.nl_fill		= io_pp_nl_fill,
	.uninstall		= io_pp_uninstall,
};

/* Interface queues */

static void io_close_queue(struct io_zcrx_ifq *ifq)
{
	struct pp_memory_provider_params p = {
		.mp_ops = &io_uring_pp_zc_ops,
		.mp_priv = ifq,
	};

	if (ifq->nodev)
		return;

	rtnl_lock();
	if (ifq->netdev && ifq->bound)
		__net_mp_close_rxq(ifq->netdev, ifq->if_rxq, &p);
	io_zcrx_drop_netdev(ifq);
	rtnl_unlock();
}

static struct io_zcrx_ifq *io_zcrx_ifq_alloc(struct io_ring_ctx *ctx)
{
	struct io_zcrx_ifq *ifq;

	ifq = kzalloc(sizeof(*ifq), GFP_KERNEL_ACCOUNT);
	if (!ifq)
		return NULL;

	ifq->if_rxq = -1;
	ifq->ctx = ctx;
	refcount_set(&ifq->refs, 1);
	if (ctx->user)
		ifq->user = get_uid(ctx->user);
	if (ctx->mm_account) {
		mmgrab(ctx->mm_account);
		ifq->mm_account = ctx->mm_account;
	}
	spin_lock_init(&ifq->rq_lock);
	mutex_init(&ifq->dma_lock);
	return ifq;
}

/* The last reference is gone: the queue is closed and every buffer back. */
static void io_zcrx_ifq_free(struct io_zcrx_ifq *ifq)
{
	if (ifq->area)
		io_zcrx_free_area(ifq, ifq->area);
	if (ifq->dev)
		put_device(ifq->dev);
	if (ifq->user)
		free_uid(ifq->user);
	if (ifq->mm_account)
		mmdrop(ifq->mm_account);
	mutex_destroy(&ifq->dma_lock);
	kfree(ifq);
}

/*
 * Context: process. The last page pool's reference is dropped where the
 * pool is destroyed: by the driver, often with RTNL held, or by the page
 * pool's release work.
 */
static void io_put_zcrx_ifq(struct io_zcrx_ifq *ifq)
{
	if (refcount_dec_and_test(&ifq->refs))
		io_zcrx_ifq_free(ifq);
}

/*
 * The ring lets go of @ifq: unbind the queue, drop what user space still
 * holds and free the refill region, which only the ring's side uses (the
 * closed queue's pools no longer allocate). Page pools of the queue that
 * skbs still hold buffers of keep the ifq until they are gone.
 * Context: ->uring_lock held; @ifq is not in ctx->zcrx_ctxs.
 */
static void io_zcrx_ifq_release(struct io_ring_ctx *ctx,
				struct io_zcrx_ifq *ifq)
{
	io_close_queue(ifq);
	io_zcrx_scrub(ifq);
	io_free_region(ctx, &ifq->region);
	ifq->rq_hdr = NULL;
	ifq->rqes = NULL;
	ifq->stats = NULL;
	ifq->ctx = NULL;
	io_put_zcrx_ifq(ifq);
}

struct io_mapped_region *io_zcrx_get_region(struct io_ring_ctx *ctx,
					    unsigned int id)
{
	struct io_zcrx_ifq *ifq;

	lockdep_assert_held(&ctx->mmap_lock);

	ifq = xa_load(&ctx->zcrx_ctxs, id);
	return ifq ? &ifq->region : NULL;
}

static int io_zcrx_check_reg(struct io_ring_ctx *ctx,
			     struct io_uring_zcrx_ifq_reg *reg)
{
	if (memchr_inv(reg->__resv, 0, sizeof(reg->__resv)) ||
	    memchr_inv(&reg->offsets, 0, sizeof(reg->offsets)) ||
	    reg->zcrx_id)
		return -EINVAL;
	if (reg->flags & ~IO_ZCRX_SUPPORTED_REG_FLAGS)
		return -EINVAL;
	if ((reg->flags & ZCRX_REG_NODEV) && (reg->if_idx || reg->if_rxq))
		return -EINVAL;
	if (reg->if_rxq == -1 || !reg->rq_entries)
		return -EINVAL;
	if (reg->rq_entries > IO_ZCRX_RQ_MAX_ENTRIES) {
		if (!(ctx->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		reg->rq_entries = IO_ZCRX_RQ_MAX_ENTRIES;
	}
	reg->rq_entries = roundup_pow_of_two(reg->rq_entries);

	/*
	 * Buffers are pages, or larger if the driver can use them (which
	 * binding the queue checks) and the area allows (creating it).
	 */
	if (reg->rx_buf_len) {
		if (!is_power_of_2(reg->rx_buf_len) ||
		    reg->rx_buf_len < PAGE_SIZE)
			return -EINVAL;
		if (reg->flags & ZCRX_REG_NODEV)
			return -EOPNOTSUPP;
	} else {
		reg->rx_buf_len = PAGE_SIZE;
	}
	return 0;
}

/*
 * IORING_REGISTER_ZCRX_IFQ. Context: ->uring_lock held; takes RTNL to bind
 * the queue.
 */
int io_register_zcrx_ifq(struct io_ring_ctx *ctx,
			 struct io_uring_zcrx_ifq_reg __user *arg,
			 unsigned int nr_args)
{
	struct pp_memory_provider_params mp_param = {};
	struct io_uring_zcrx_area_reg area;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_region_desc rd;
	struct zcrx_event_desc ev = {};
	struct io_zcrx_ifq *ifq;
	u32 id;
	int ret;

	lockdep_assert_held(&ctx->uring_lock);

	/* binding a device queue and pinning memory are privileged */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	/* CQEs are posted from the submitter task and are 32 bytes */
	if (!(ctx->flags & IORING_SETUP_DEFER_TASKRUN) ||
	    !(ctx->flags & IORING_SETUP_CQE32))
		return -EINVAL;
	if (!arg || nr_args != 1)
		return -EINVAL;
	if (copy_from_user(&reg, arg, sizeof(reg)))
		return -EFAULT;
	ret = io_zcrx_check_reg(ctx, &reg);
	if (ret)
		return ret;
	if (copy_from_user(&rd, u64_to_user_ptr(reg.region_ptr), sizeof(rd)))
		return -EFAULT;
	if (copy_from_user(&area, u64_to_user_ptr(reg.area_ptr), sizeof(area)))
		return -EFAULT;
	if (reg.event_desc) {
		if (copy_from_user(&ev, u64_to_user_ptr(reg.event_desc),
				   sizeof(ev)))
			return -EFAULT;
		ret = io_zcrx_check_event_desc(&ev);
		if (ret)
			return ret;
	}

	ifq = io_zcrx_ifq_alloc(ctx);
	if (!ifq)
		return -ENOMEM;
	ifq->rq_entries = reg.rq_entries;
	ifq->nodev = reg.flags & ZCRX_REG_NODEV;

	/* reserve the id, which the region's mmap offset is made of */
	scoped_guard(mutex, &ctx->mmap_lock)
		ret = xa_alloc(&ctx->zcrx_ctxs, &id, XA_ZERO_ENTRY,
			       XA_LIMIT(0, IO_ZCRX_MAX_IFQS - 1), GFP_KERNEL);
	if (ret)
		goto err_free;
	ifq->id = id;

	ret = io_allocate_rbuf_ring(ifq, &reg, &rd);
	if (ret)
		goto err;
	ret = io_zcrx_setup_stats(ifq, &ev);
	if (ret)
		goto err;

	if (!ifq->nodev) {
		ifq->netdev = netdev_get_by_index(current->nsproxy->net_ns,
						  reg.if_idx,
						  &ifq->netdev_tracker,
						  GFP_KERNEL);
		if (!ifq->netdev) {
			ret = -ENODEV;
			goto err;
		}
		ret = -EOPNOTSUPP;
		if (!ifq->netdev->dev.parent)
			goto err;
		ifq->dev = get_device(ifq->netdev->dev.parent);
	}

	ret = io_zcrx_create_area(ifq, &area, reg.rx_buf_len);
	if (ret)
		goto err;

	/*
	 * The results first: once the queue is bound, skbs may hold area
	 * buffers, and a failure to write them back would have to unbind.
	 */
	reg.zcrx_id = id;
	if (copy_to_user(arg, &reg, sizeof(reg)) ||
	    copy_to_user(u64_to_user_ptr(reg.region_ptr), &rd, sizeof(rd)) ||
	    copy_to_user(u64_to_user_ptr(reg.area_ptr), &area, sizeof(area))) {
		ret = -EFAULT;
		goto err;
	}

	if (!ifq->nodev) {
		mp_param.mp_ops = &io_uring_pp_zc_ops;
		mp_param.mp_priv = ifq;
		if (reg.rx_buf_len > PAGE_SIZE)
			mp_param.rx_page_size = reg.rx_buf_len;
		rtnl_lock();
		/*
		 * The device was looked up without RTNL and pinning the area
		 * takes a while: it may have started to go away meanwhile,
		 * and its queues with it.
		 */
		if (ifq->netdev->reg_state != NETREG_REGISTERED)
			ret = -ENODEV;
		else
			ret = __net_mp_open_rxq(ifq->netdev, reg.if_rxq,
						&mp_param, NULL);
		if (!ret) {
			ifq->if_rxq = reg.if_rxq;
			ifq->bound = true;
		}
		rtnl_unlock();
		if (ret)
			goto err;
	}

	/* replaces the reserved entry, so it allocates nothing and cannot fail */
	scoped_guard(mutex, &ctx->mmap_lock)
		ret = xa_err(xa_store(&ctx->zcrx_ctxs, id, ifq, GFP_KERNEL));
	if (ret)
		goto err;
	return 0;
err:
	scoped_guard(mutex, &ctx->mmap_lock)
		xa_erase(&ctx->zcrx_ctxs, id);
err_free:
	io_zcrx_ifq_release(ctx, ifq);
	return ret;
}

/*
 * The ring is going away: unbind the queues now, so that the same queue
 * can be registered again as soon as the ring's file is released, and
 * drop what user space holds. Context: ->uring_lock held.
 */
void io_shutdown_zcrx_ifqs(struct io_ring_ctx *ctx)
{
	struct io_zcrx_ifq *ifq;
	unsigned long index;

	lockdep_assert_held(&ctx->uring_lock);

	xa_for_each(&ctx->zcrx_ctxs, index, ifq) {
		io_close_queue(ifq);
		io_zcrx_scrub(ifq);
	}
}

/*
 * The ring is freed: no request runs any more, so dropping what user
 * space holds now catches buffers requests handed out after the shutdown.
 * Each ifq goes when the last page pool holding its buffers does.
 * Context: ->uring_lock held.
 */
void io_unregister_zcrx_ifqs(struct io_ring_ctx *ctx)
{
	struct io_zcrx_ifq *ifq;
	unsigned long index;

	lockdep_assert_held(&ctx->uring_lock);

	xa_for_each(&ctx->zcrx_ctxs, index, ifq) {
		scoped_guard(mutex, &ctx->mmap_lock)
			xa_erase(&ctx->zcrx_ctxs, index);
		io_zcrx_ifq_release(ctx, ifq);
	}
	xa_destroy(&ctx->zcrx_ctxs);
}

/*
 * One line per ifq with what its RECV_ZC requests posted.
 * Context: ->uring_lock held, so no ifq comes or goes.
 */
void io_zcrx_show_fdinfo(struct seq_file *m, struct io_ring_ctx *ctx)
{
	struct io_zcrx_ifq *ifq;
	unsigned long index;

	lockdep_assert_held(&ctx->uring_lock);

	xa_for_each(&ctx->zcrx_ctxs, index, ifq)
		seq_printf(m,
			   "zcrx %lu: zc_count %lld zc_bytes %lld copy_count %lld copy_bytes %lld copy_refused %lld\n",
			   index, atomic64_read(&ifq->zc_count),
			   atomic64_read(&ifq->zc_bytes),
			   atomic64_read(&ifq->copy_count),
			   atomic64_read(&ifq->copy_bytes),
			   atomic64_read(&ifq->copy_refused));
}

static int io_zcrx_ctrl_flush_rq(struct io_zcrx_ifq *ifq,
				 const struct zcrx_ctrl *ctrl)
{
	u32 done, total = 0;

	if (memchr_inv(&ctrl->zc_flush, 0, sizeof(ctrl->zc_flush)))
		return -EINVAL;

	/* at most one lap of the ring, in batches, rescheduling between */
	do {
		done = io_zcrx_drain_rq(ifq, IO_ZCRX_FLUSH_BATCH);
		total += done;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	} while (done == IO_ZCRX_FLUSH_BATCH && total < ifq->rq_entries);
	return 0;
}

/* IORING_REGISTER_ZCRX_CTRL. Context: ->uring_lock held. */
int io_register_zcrx_ctrl(struct io_ring_ctx *ctx, void __user *arg,
			  unsigned int nr_args)
{
	struct io_zcrx_ifq *ifq;
	struct zcrx_ctrl ctrl;

	lockdep_assert_held(&ctx->uring_lock);

	if (nr_args)
		return -EINVAL;
	if (copy_from_user(&ctrl, arg, sizeof(ctrl)))
		return -EFAULT;
	/* upstream answers EFAULT here, and programs may rely on it */
	if (memchr_inv(ctrl.__resv, 0, sizeof(ctrl.__resv)))
		return -EFAULT;

	ifq = xa_load(&ctx->zcrx_ctxs, ctrl.zcrx_id);
	if (!ifq)
		return -ENXIO;

	switch (ctrl.op) {
	case ZCRX_CTRL_FLUSH_RQ:
		return io_zcrx_ctrl_flush_rq(ifq, &ctrl);
	}
	return -EOPNOTSUPP;
}

/* The receive side */

static bool io_zcrx_queue_cqe(struct io_kiocb *req, struct net_iov *niov,
			      struct io_zcrx_ifq *ifq, int off, int len)
{
	struct io_zcrx_area *area = io_zcrx_iov_to_area(niov);
	struct io_uring_zcrx_cqe *rcqe;
	struct io_uring_cqe *cqe;
	u64 offset;

	if (!io_defer_get_uncommited_cqe(req->ctx, &cqe))
		return false;

	cqe->user_data = req->cqe.user_data;
	cqe->res = len;
	cqe->flags = IORING_CQE_F_MORE;

	offset = off + ((u64)net_iov_idx(niov) << area->niov_shift);
	rcqe = (struct io_uring_zcrx_cqe *)(cqe + 1);
	rcqe->off = offset | ((u64)area->area_id << IORING_ZCRX_AREA_SHIFT);
	rcqe->__pad = 0;
	return true;
}

struct io_zcrx_args {
	struct io_kiocb		*req;
	struct io_zcrx_ifq	*ifq;
	unsigned int		nr_skbs;
	/*
	 * Why the last read stopped short, if it did: no room in the CQ or
	 * no free buffer to copy into. The request must end with it even if
	 * some data was posted, as the socket may never wake it up again.
	 */
	int			err;
};

static struct net_iov *io_zcrx_alloc_fallback(struct io_zcrx_ifq *ifq)
{
	struct io_zcrx_area *area = ifq->area;
	struct net_iov *niov = NULL;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		spin_lock_bh(&area->freelist_lock);
		if (area->free_count)
			niov = __io_zcrx_get_free_niov(area);
		spin_unlock_bh(&area->freelist_lock);
		if (niov)
			break;
		/* without a page pool, nothing else drains the refill ring */
		if (!io_zcrx_drain_rq(ifq, IO_ZCRX_FLUSH_BATCH))
			break;
	}
	if (niov)
		page_pool_fragment_netmem(net_iov_to_netmem(niov), 1);
	return niov;
}

/*
 * Copy @len bytes starting @src_off bytes into the memory of @src_page,
 * which may cross into the following pages, into free area buffers, one
 * CQE per buffer. Returns the bytes copied, or an error if none were.
 */
static ssize_t io_zcrx_copy_chunk(struct io_zcrx_args *args,
				  struct page *src_page, size_t src_off,
				  size_t len)
{
	struct io_zcrx_ifq *ifq = args->ifq;
	struct io_kiocb *req = args->req;
	size_t copied = 0;
	int ret = 0;

	/* the CPU has no way into a dma-buf area, so nothing is copied */
	if (ifq->area->dmabuf) {
		atomic64_inc(&ifq->copy_refused);
		args->err = -ENOMEM;
		return -ENOMEM;
	}

	while (len) {
		size_t copy_len = min_t(size_t, len, PAGE_SIZE);
		struct net_iov *niov;
		size_t n;
		void *dst;

		niov = io_zcrx_alloc_fallback(ifq);
		if (!niov) {
			ret = -ENOMEM;
			break;
		}

		dst = kmap_local_page(io_zcrx_iov_page(niov));
		for (n = 0; n < copy_len; ) {
			size_t off = src_off + n;
			struct page *page = src_page + (off >> PAGE_SHIFT);
			size_t in_page = offset_in_page(off);
			size_t chunk = min(copy_len - n, PAGE_SIZE - in_page);
			void *src = kmap_local_page(page);

			memcpy(dst + n, src + in_page, chunk);
			kunmap_local(src);
			n += chunk;
		}
		kunmap_local(dst);

		if (!io_zcrx_queue_cqe(req, niov, ifq, 0, copy_len)) {
			page_pool_unref_netmem(net_iov_to_netmem(niov), 1);
			io_zcrx_return_niov_freelist(niov);
			ret = -ENOSPC;
			break;
		}
		io_zcrx_get_niov_uref(niov);
		atomic64_inc(&ifq->copy_count);
		atomic64_add(copy_len, &ifq->copy_bytes);
		if (ifq->stats) {
			WRITE_ONCE(ifq->stats->copy_count,
				   READ_ONCE(ifq->stats->copy_count) + 1);
			WRITE_ONCE(ifq->stats->copy_bytes,
				   READ_ONCE(ifq->stats->copy_bytes) + copy_len);
		}
		src_off += copy_len;
		len -= copy_len;
		copied += copy_len;
	}
	if (ret)
		args->err = ret;
	return copied ? copied : ret;
}

static int io_zcrx_recv_frag(struct io_zcrx_args *args,
			     const skb_frag_t *frag, int off, int len)
{
	struct net_iov *niov;

	off += skb_frag_off(frag);
	if (!skb_frag_is_net_iov(frag))
		return io_zcrx_copy_chunk(args, skb_frag_page(frag), off, len);

	niov = netmem_to_net_iov(skb_frag_netmem(frag));
	if (niov->type != NET_IOV_IOURING ||
	    io_zcrx_iov_to_area(niov)->ifq != args->ifq) {
		args->err = -EFAULT;
		return -EFAULT;
	}

	if (!io_zcrx_queue_cqe(args->req, niov, args->ifq, off, len)) {
		args->err = -ENOSPC;
		return -ENOSPC;
	}

	/* the CQE hands user space a pool reference and a user reference */
	page_pool_ref_netmem(net_iov_to_netmem(niov));
	io_zcrx_get_niov_uref(niov);
	atomic64_inc(&args->ifq->zc_count);
	atomic64_add(len, &args->ifq->zc_bytes);
	return len;
}

/*
 * Post @len bytes of @skb from @offset: frags of this ifq's area as they
 * are, everything else copied. Returns the bytes posted, or an error if
 * none were.
 */
static int io_zcrx_recv_data(struct io_zcrx_args *args, struct sk_buff *skb,
			     unsigned int offset, size_t len)
{
	unsigned int start_off = offset, start, end;
	struct sk_buff *frag_iter;
	int i, ret = 0;

	if (offset < skb_headlen(skb)) {
		size_t to_copy = min_t(size_t, skb_headlen(skb) - offset, len);
		ssize_t copied;

		copied = io_zcrx_copy_chunk(args, virt_to_page(skb->data),
					    offset_in_page(skb->data) + offset,
					    to_copy);
		if (copied < 0) {
			ret = copied;
			goto out;
		}
		offset += copied;
		len -= copied;
		if (!len || copied != to_copy)
			goto out;
	}

	start = skb_headlen(skb);
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[i];

		end = start + skb_frag_size(frag);
		if (offset < end) {
			size_t copy = min_t(size_t, end - offset, len);

			ret = io_zcrx_recv_frag(args, frag, offset - start,
						copy);
			if (ret < 0)
				goto out;
			offset += ret;
			len -= ret;
			if (!len || ret != copy)
				goto out;
		}
		start = end;
	}

	skb_walk_frags(skb, frag_iter) {
		end = start + frag_iter->len;
		if (offset < end) {
			size_t copy = min_t(size_t, end - offset, len);

			ret = io_zcrx_recv_data(args, frag_iter,
						offset - start, copy);
			if (ret < 0)
				goto out;
			offset += ret;
			len -= ret;
			if (!len || ret != copy)
				goto out;
		}
		start = end;
	}
out:
	if (offset == start_off)
		return ret;
	return offset - start_off;
}

static int io_zcrx_recv_skb(read_descriptor_t *desc, struct sk_buff *skb,
			    unsigned int offset, size_t len)
{
	struct io_zcrx_args *args = desc->arg.data;
	int ret;

	len = min_t(size_t, len, desc->count);
	/*
	 * __tcp_read_sock() calls once more after the limit is reached;
	 * returning 0 ends its loop.
	 */
	if (!len)
		return 0;
	if (unlikely(args->nr_skbs++ > IO_SKBS_PER_CALL_LIMIT))
		return -EAGAIN;

	ret = io_zcrx_recv_data(args, skb, offset, len);
	if (ret > 0)
		desc->count -= ret;
	return ret;
}

static int io_zcrx_tcp_recvmsg(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
			       struct sock *sk, int flags,
			       unsigned int issue_flags, unsigned int *outlen)
{
	unsigned int len = *outlen;
	struct io_zcrx_args args = {
		.req = req,
		.ifq = ifq,
	};
	read_descriptor_t rd_desc = {
		.count = len ? len : UINT_MAX,
		.arg.data = &args,
	};
	int ret;

	lock_sock(sk);
	ret = tcp_read_sock(sk, &rd_desc, io_zcrx_recv_skb);
	if (len && ret > 0)
		*outlen = len - ret;
	/* what was read is posted; the error ends the request after it */
	if (args.err)
		ret = args.err;
	if (ret <= 0) {
		if (ret < 0 || sock_flag(sk, SOCK_DONE))
			goto out;
		if (sk->sk_err)
			ret = sock_error(sk);
		else if (sk->sk_shutdown & RCV_SHUTDOWN)
			goto out;
		else if (sk->sk_state == TCP_CLOSE)
			ret = -ENOTCONN;
		else
			ret = -EAGAIN;
	} else if (unlikely(args.nr_skbs > IO_SKBS_PER_CALL_LIMIT) &&
		   (issue_flags & IO_URING_F_MULTISHOT)) {
		ret = IOU_REQUEUE;
	} else if (sock_flag(sk, SOCK_DONE)) {
		/* come back until the end of the stream gives 0 */
		if (issue_flags & IO_URING_F_MULTISHOT)
			ret = IOU_REQUEUE;
		else
			ret = -EAGAIN;
	}
out:
	release_sock(sk);
	return ret;
}

/*
 * Receive from a TCP socket into @ifq's area, posting one CQE per piece.
 * *@len is the remaining byte limit, 0 for none, and is updated.
 * Context: the submitter task, ->uring_lock held.
 */
int io_zcrx_recv(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
		 struct socket *sock, unsigned int flags,
		 unsigned int issue_flags, unsigned int *len)
{
	struct sock *sk = sock->sk;
	const struct proto *prot = READ_ONCE(sk->sk_prot);

	if (prot->recvmsg != tcp_recvmsg)
		return -EPROTONOSUPPORT;

	sock_rps_record_flow(sk);
	return io_zcrx_tcp_recvmsg(req, ifq, sk, flags, issue_flags, len);
}
