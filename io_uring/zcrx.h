/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOU_ZC_RX_H
#define IOU_ZC_RX_H

#include <linux/io_uring_types.h>
#include <linux/refcount.h>
#include <linux/scatterlist.h>
#include <linux/socket.h>
#include <net/page_pool/types.h>
#include <net/net_trackers.h>

#include "memmap.h"

struct seq_file;

#define IO_ZCRX_MAX_IFQS	(1U << (27 - IORING_OFF_ZCRX_SHIFT))

struct io_zcrx_area {
	struct net_iov_area	nia;
	struct io_zcrx_ifq	*ifq;
	/* references user space holds, one counter per buffer */
	atomic_t		*user_refs;

	u16			area_id;
	/* log2 of the buffer (niov) size: PAGE_SHIFT, or of rx_buf_len */
	u8			niov_shift;
	/* under ifq->dma_lock: the niovs have DMA addresses for ifq->dev */
	bool			is_mapped;

	/* user memory: pinned pages, mapped through sgt */
	/* pages counted against RLIMIT_MEMLOCK and pinned_vm */
	unsigned long		nr_accounted;
	unsigned long		nr_pinned;
	struct page		**pages;
	struct sg_table		sgt;

	/*
	 * A dma-buf area: attached to ifq->dev and mapped (dmabuf_sgt)
	 * from registration until the queue's device goes or the ifq is
	 * freed. Its memory may have no struct pages: only the DMA
	 * addresses of the mapping are used, never the CPU.
	 */
	struct dma_buf		*dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table		*dmabuf_sgt;

	/* buffers owned by no page pool and not exposed to user space */
	spinlock_t		freelist_lock ____cacheline_aligned_in_smp;
	u32			free_count;
	u32			*freelist;
};

struct io_zcrx_ifq {
	struct io_ring_ctx		*ctx;
	struct io_zcrx_area		*area;
	u32				id;

	/*
	 * One reference for the ring, dropped when it lets go of the ifq,
	 * and one for each page pool the ifq is the provider of: a pool
	 * outlives the ring while skbs hold its buffers, and the area must
	 * stay until the last of them is back. The ring's ctx must not be
	 * used once its reference is gone.
	 */
	refcount_t			refs;
	/* what the area's pinned pages are accounted to, as for buffers */
	struct user_struct		*user;
	struct mm_struct		*mm_account;

	/*
	 * The refill ring. Its consumer side (cached_rq_head, the head
	 * store) is serialised by rq_lock: page pool allocations from NAPI,
	 * the copy path and ZCRX_CTRL_FLUSH_RQ all consume it.
	 */
	spinlock_t			rq_lock ____cacheline_aligned_in_smp;
	struct io_zcrx_rq_hdr		*rq_hdr;
	struct io_uring_zcrx_rqe	*rqes;
	u32				cached_rq_head;
	u32				rq_entries;

	bool				nodev;
	/* the queue has this ifq as its provider; protected by RTNL */
	bool				bound;
	u32				if_rxq;
	/* the DMA device the area is mapped for, NULL for NODEV */
	struct device			*dev;
	/* protected by RTNL: the netdev goes away under it */
	struct net_device		*netdev;
	netdevice_tracker		netdev_tracker;
	/* serialises unmapping the area: device removal races ring exit */
	struct mutex			dma_lock;

	struct zcrx_stats		*stats;
	struct io_mapped_region		region;

	/*
	 * What RECV_ZC posted: CQEs pointing at data the device wrote into
	 * the area, and copies. Kept apart from the stats block, which user
	 * space can write, and shown in the ring's fdinfo.
	 */
	atomic64_t			zc_count;
	atomic64_t			zc_bytes;
	atomic64_t			copy_count;
	atomic64_t			copy_bytes;
	/* data a dma-buf area could not take: the CPU cannot copy into it */
	atomic64_t			copy_refused;
};

/*
 * The user-visible header of the refill ring: head and tail on their own
 * cache lines, entries from the end of it.
 */
struct io_zcrx_rq_hdr {
	u32	head ____cacheline_aligned_in_smp;
	u32	tail ____cacheline_aligned_in_smp;
};

#define IO_ZCRX_RQ_HDR_SIZE	ALIGN(sizeof(struct io_zcrx_rq_hdr), L1_CACHE_BYTES)

#if defined(CONFIG_IO_URING_ZCRX)
int io_register_zcrx_ifq(struct io_ring_ctx *ctx,
			 struct io_uring_zcrx_ifq_reg __user *arg,
			 unsigned int nr_args);
int io_register_zcrx_ctrl(struct io_ring_ctx *ctx, void __user *arg,
			  unsigned int nr_args);
void io_shutdown_zcrx_ifqs(struct io_ring_ctx *ctx);
void io_unregister_zcrx_ifqs(struct io_ring_ctx *ctx);
int io_zcrx_recv(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
		 struct socket *sock, unsigned int flags,
		 unsigned int issue_flags, unsigned int *len);
struct io_mapped_region *io_zcrx_get_region(struct io_ring_ctx *ctx,
					    unsigned int id);
void io_zcrx_show_fdinfo(struct seq_file *m, struct io_ring_ctx *ctx);
#else
static inline int io_register_zcrx_ifq(struct io_ring_ctx *ctx,
				       struct io_uring_zcrx_ifq_reg __user *arg,
				       unsigned int nr_args)
{
	return -EOPNOTSUPP;
}

static inline int io_register_zcrx_ctrl(struct io_ring_ctx *ctx,
					void __user *arg, unsigned int nr_args)
{
	return -EOPNOTSUPP;
}

static inline void io_shutdown_zcrx_ifqs(struct io_ring_ctx *ctx)
{
}

static inline void io_unregister_zcrx_ifqs(struct io_ring_ctx *ctx)
{
}

static inline int io_zcrx_recv(struct io_kiocb *req, struct io_zcrx_ifq *ifq,
			       struct socket *sock, unsigned int flags,
			       unsigned int issue_flags, unsigned int *len)
{
	return -EOPNOTSUPP;
}

static inline struct io_mapped_region *
io_zcrx_get_region(struct io_ring_ctx *ctx, unsigned int id)
{
	return NULL;
}

static inline void io_zcrx_show_fdinfo(struct seq_file *m,
				       struct io_ring_ctx *ctx)
{
}
#endif

#endif
