/* SPDX-License-Identifier: MIT */
/*
 * liburing-ext: liburing's io_uring zero-copy receive (zcrx) API on any
 * liburing (Debian 12's 2.3 and later), and helpers that liburing does not
 * have: a capability check, receive areas, one-call interface queue (ifq)
 * setup, RECV_ZC preparation, CQE decoding and refill ring handling.
 *
 * Of liburing's zcrx names, liburing-ext defines exactly those the
 * liburing it was built against lacks (<liburing-ext/config.h>,
 * <liburing-ext/zcrx-uapi.h>). Its own types are named io_uring_zcrx_*
 * while liburing has no type of that name; each is also, always,
 * io_uring_ext_zcrx_* (the name this header defines it by).
 *
 * Every function that can fail returns a negative errno (never -1 with
 * errno set). Each has a man page in section 3.
 */
#ifndef LIBURING_EXT_H
#define LIBURING_EXT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <liburing.h>
#include <liburing-ext/config.h>
#include <liburing-ext/zcrx-uapi.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * liburing's registration calls for zcrx, with liburing's names and
 * signatures, for a liburing without them (liburing 2.10 added the first,
 * 2.15 the others). liburing-ext's definitions go through liburing's
 * registered ring when the ring fd was closed (io_uring_close_ring_fd()).
 */
#if !LIBURING_EXT_HAVE_IO_URING_REGISTER_IFQ
/* IORING_REGISTER_ZCRX_IFQ: register an interface queue; @reg is updated. */
int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg);
#endif
#if !LIBURING_EXT_HAVE_IO_URING_REGISTER_ZCRX_CTRL
/* IORING_REGISTER_ZCRX_CTRL: flush the refill ring, export, arm an event. */
int io_uring_register_zcrx_ctrl(struct io_uring *ring, struct zcrx_ctrl *ctrl);
#endif
#if !LIBURING_EXT_HAVE_IO_URING_REGISTER_QUERY
/* IORING_REGISTER_QUERY: run a chain of queries; needs no ring. */
int io_uring_register_query(struct io_uring_query_hdr *query);
#endif

/*
 * liburing-ext's own types go by io_uring_zcrx_* unless liburing has a
 * type of that name; io_uring_ext_zcrx_* always names them.
 */
#if !LIBURING_EXT_HAVE_ENUM_IO_URING_ZCRX_REASON
#define io_uring_ext_zcrx_reason	io_uring_zcrx_reason
#endif
#if !LIBURING_EXT_HAVE_ENUM_IO_URING_ZCRX_AREA_TYPE
#define io_uring_ext_zcrx_area_type	io_uring_zcrx_area_type
#endif
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_AREA
#define io_uring_ext_zcrx_area		io_uring_zcrx_area
#endif
#if !LIBURING_EXT_HAVE_ENUM_IO_URING_ZCRX_RQ_MEM
#define io_uring_ext_zcrx_rq_mem	io_uring_zcrx_rq_mem
#endif
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_IFQ_OPTS
#define io_uring_ext_zcrx_ifq_opts	io_uring_zcrx_ifq_opts
#endif
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_IFQ
#define io_uring_ext_zcrx_ifq		io_uring_zcrx_ifq
#endif

/*
 * Can zcrx be used here, and if not, why: the results of
 * io_uring_zcrx_check(). io_uring_zcrx_strerror() describes each.
 */
enum io_uring_ext_zcrx_reason {
	IO_URING_ZCRX_OK = 0,		/* nothing in the way that can be seen */
	IO_URING_ZCRX_NO_IO_URING,	/* io_uring missing or disabled */
	IO_URING_ZCRX_NO_KERNEL_SUPPORT, /* kernel without zcrx */
	IO_URING_ZCRX_NO_NODEV,		/* kernel without device-less zcrx */
	IO_URING_ZCRX_NO_CAP_NET_ADMIN,	/* caller lacks CAP_NET_ADMIN */
	IO_URING_ZCRX_NO_DEVICE,	/* no such network interface */
	IO_URING_ZCRX_NO_QUEUE,		/* interface has no such rx queue */
	IO_URING_ZCRX_QUEUE_BUSY,	/* queue already has a memory provider */
	/*
	 * The driver has no queue management: registration fails with
	 * EOPNOTSUPP. No user-space interface shows this, so
	 * io_uring_zcrx_check() cannot report it; it is here to name what
	 * an EOPNOTSUPP from registering a device queue means.
	 */
	IO_URING_ZCRX_NO_QUEUE_MGMT,
	IO_URING_ZCRX_HDS_OFF,		/* tcp-data-split not enabled */
	IO_URING_ZCRX_HDS_THRESH,	/* hds-thresh is not 0 */
	IO_URING_ZCRX_REASON_MAX,	/* number of reasons */
};

/*
 * Check whether zcrx can be used on rx queue @rxq of the interface named
 * @ifname (or, when @ifname is NULL, with index @ifindex), or, with @flags
 * ZCRX_REG_NODEV, in device-less mode (@ifname NULL, @ifindex and @rxq 0).
 * Returns IO_URING_ZCRX_OK (0), a positive enum io_uring_zcrx_reason, or a
 * negative errno when the check itself failed.
 */
int io_uring_zcrx_check(const char *ifname, unsigned int ifindex,
			unsigned int rxq, unsigned int flags);

/*
 * A description of @code: an enum io_uring_zcrx_reason, or a negative
 * errno as the check and the other helpers return. Never NULL.
 */
const char *io_uring_zcrx_strerror(int code);

/*
 * Receive areas: the memory the NIC (or, device-less, the kernel's copy)
 * writes received data to.
 */
enum io_uring_ext_zcrx_area_type {
	IO_URING_ZCRX_AREA_ANON = 0,	/* anonymous memory */
	IO_URING_ZCRX_AREA_HUGE_2M,	/* 2 MiB hugetlb pages */
	IO_URING_ZCRX_AREA_UDMABUF,	/* dma-buf from /dev/udmabuf on a memfd */
	IO_URING_ZCRX_AREA_DMA_HEAP,	/* dma-buf from /dev/dma_heap/system */
	IO_URING_ZCRX_AREA_USER,	/* the caller's memory, never freed */
};

struct io_uring_ext_zcrx_area {
	void *addr;		/* CPU mapping of the whole area */
	size_t len;		/* bytes, a multiple of the page size */
	int type;		/* enum io_uring_zcrx_area_type */
	int dmabuf_fd;		/* the dma-buf of a dma-buf area, else -1 */
	int memfd;		/* the memfd behind a udmabuf, else -1 */
	__u32 flags;		/* none defined yet: 0 */
	__u64 __resv[4];	/* 0 */
};

/*
 * Allocate an area of @type holding at least @len bytes (rounded up to
 * the page size, or to 2 MiB for huge pages) and map it for the CPU.
 * Returns 0 or a negative errno.
 */
int io_uring_zcrx_area_alloc(struct io_uring_ext_zcrx_area *area, int type,
			     size_t len);
/*
 * An area of type IO_URING_ZCRX_AREA_DMA_HEAP from the dma-buf heap
 * /dev/dma_heap/@heap (a heap of device memory, for instance), of at
 * least @len bytes (rounded up to the page size), mapped for the CPU
 * through the dma-buf. Returns 0 or a negative errno.
 */
int io_uring_zcrx_area_alloc_heap(struct io_uring_ext_zcrx_area *area,
				  const char *heap, size_t len);
/* Unmap and close what io_uring_zcrx_area_alloc() made; idempotent. */
void io_uring_zcrx_area_free(struct io_uring_ext_zcrx_area *area);

/* Where the refill ring lives: io_uring_zcrx_ifq_opts.rq_mem */
enum io_uring_ext_zcrx_rq_mem {
	IO_URING_ZCRX_RQ_USER = 0,	/* library-mapped, IORING_MEM_REGION_TYPE_USER */
	IO_URING_ZCRX_RQ_KERNEL,	/* kernel-allocated, mmapped from the ring */
};

/*
 * What io_uring_zcrx_ifq_setup() registers. Zero what you do not set:
 * setup_flags and the reserved fields must be 0 (else -EINVAL), so that
 * later versions can give them a meaning.
 */
struct io_uring_ext_zcrx_ifq_opts {
	__u32 if_idx;		/* interface index; 0 with ZCRX_REG_NODEV */
	__u32 if_rxq;		/* rx queue; 0 with ZCRX_REG_NODEV */
	__u32 rq_entries;	/* refill ring entries (a power of two is used) */
	__u32 flags;		/* 0 or ZCRX_REG_NODEV */
	__u32 rx_buf_len;	/* buffer size, 0 for the page size */
	__u32 rq_mem;		/* enum io_uring_zcrx_rq_mem */
	const struct io_uring_ext_zcrx_area *area;
	/*
	 * An event descriptor (struct zcrx_event_desc), registered when
	 * either of these is non-zero. event_flags: its flags, 0 or
	 * ZCRX_EVENT_DESC_FLAG_STATS for a struct zcrx_stats block that the
	 * library places in the refill region (io_uring_zcrx_ifq.stats);
	 * event_mask: its type_mask, the events (1 << ZCRX_EVENT_*) that
	 * post a CQE with user_data event_user_data.
	 */
	__u32 event_flags;
	__u32 event_mask;
	__u64 event_user_data;
	__u32 setup_flags;	/* liburing-ext's options: none defined yet, 0 */
	__u32 __resv1;
	__u64 __resv[5];
};

/* A registered interface queue, filled by io_uring_zcrx_ifq_setup(). */
struct io_uring_ext_zcrx_ifq {
	struct io_uring_zcrx_rq rq;	/* the mapped refill ring */
	__u32 zcrx_id;			/* for io_uring_prep_recv_zc() */
	__u32 rx_buf_len;		/* buffer size in use */
	char *area_base;		/* CPU address of area offset 0 */
	__u64 area_len;
	__u64 area_token;		/* rq_area_token: area id << 48 */
	/*
	 * The statistics block the kernel keeps current (copy_count,
	 * copy_bytes), with event_flags ZCRX_EVENT_DESC_FLAG_STATS; else NULL.
	 */
	volatile struct zcrx_stats *stats;
	__u32 flags;			/* none defined yet: 0 */
	__u32 __resv1;
	__u64 __resv[4];

	/* private to liburing-ext */
	void *region;
	size_t region_len;
};

/*
 * Register an ifq on @ring (created with IORING_SETUP_DEFER_TASKRUN and
 * IORING_SETUP_CQE32 or IORING_SETUP_CQE_MIXED) from @opts: the area, a
 * refill ring of opts->rq_entries, the interface queue or device-less
 * mode. Fills @ifq. Returns 0 or a negative errno (the kernel's
 * registration errors, see the man page).
 */
int io_uring_zcrx_ifq_setup(struct io_uring *ring,
			    const struct io_uring_ext_zcrx_ifq_opts *opts,
			    struct io_uring_ext_zcrx_ifq *ifq);
/*
 * Unmap the refill ring. The kernel keeps the ifq, and the pages of the
 * ring and the area pinned, until the ring exits; the area is the
 * caller's to free. Idempotent.
 */
void io_uring_zcrx_ifq_free(struct io_uring_ext_zcrx_ifq *ifq);

#if defined(__LP64__)
/* The ABI: sizes on 64-bit systems */
LIBURING_EXT_CHECK_SIZE(struct io_uring_ext_zcrx_area, 64);
LIBURING_EXT_CHECK_SIZE(struct io_uring_ext_zcrx_ifq_opts, 96);
LIBURING_EXT_CHECK_SIZE(struct io_uring_ext_zcrx_ifq, 136);
#endif

/* The index of interface @ifname, or a negative errno (-ENODEV). */
int io_uring_zcrx_ifindex(const char *ifname);

/*
 * Enable header split (ethtool tcp-data-split on) and set hds-thresh to 0
 * where the kernel has it, on interface @ifindex: what a device queue
 * needs before registration. Needs CAP_NET_ADMIN. Returns 0 or a negative
 * errno (-EOPNOTSUPP: the driver cannot split headers).
 */
int io_uring_zcrx_enable_hds(unsigned int ifindex);

/*
 * The message of the kernel's extended acknowledgement (netlink extack)
 * to the last netlink request of liburing-ext in the calling thread, when
 * that request failed with one: why the kernel refused it, e.g. why
 * tcp-data-split could not be set by io_uring_zcrx_enable_hds(). NULL when
 * the last request succeeded or the kernel said nothing. Valid until the
 * thread's next call of liburing-ext.
 */
const char *io_uring_zcrx_last_error(void);

/*
 * Prepare a multishot IORING_OP_RECV_ZC on socket @fd into the ifq
 * @zcrx_id, ending after @len bytes (0: no limit). @flags: 0 or
 * IORING_RECVSEND_POLL_FIRST. Sets every other field of the SQE but
 * sqe->user_data, which it leaves alone. Defined only while liburing has
 * no io_uring_prep_recv_zc() of its own.
 */
#if !LIBURING_EXT_HAVE_IO_URING_PREP_RECV_ZC
static inline void io_uring_prep_recv_zc(struct io_uring_sqe *sqe, int fd,
					 unsigned int zcrx_id,
					 unsigned int len, unsigned int flags)
{
	io_uring_prep_rw(IORING_OP_RECV_ZC, sqe, fd, NULL, len, 0);
	/*
	 * The rest of the SQE too: liburing 2.3's io_uring_prep_rw() clears
	 * it, later ones leave that to io_uring_get_sqe().
	 */
	sqe->flags = 0;
	sqe->ioprio = (__u16)(IORING_RECV_MULTISHOT | flags);
	sqe->rw_flags = 0;
	sqe->buf_index = 0;
	sqe->personality = 0;
	sqe->zcrx_ifq_idx = zcrx_id;
	sqe->addr3 = 0;
	sqe->__pad2[0] = 0;
}
#endif

/* The area offset of a RECV_ZC CQE (the 32-byte CQE's second half). */
static inline __u64 io_uring_zcrx_cqe_off(const struct io_uring_cqe *cqe)
{
	return ((const struct io_uring_zcrx_cqe *)(cqe + 1))->off;
}

/*
 * The CPU address of @len bytes at area offset @off of @ifq, or NULL when
 * the offset's area id is not @ifq's area or the bytes are not all in it.
 */
static inline void *
io_uring_zcrx_off_ptr(const struct io_uring_ext_zcrx_ifq *ifq, __u64 off,
		      __u32 len)
{
	__u64 pos = off & ~IORING_ZCRX_AREA_MASK;

	if ((off & IORING_ZCRX_AREA_MASK) != ifq->area_token)
		return NULL;
	if (pos >= ifq->area_len || len > ifq->area_len - pos)
		return NULL;
	return ifq->area_base + pos;
}

/*
 * The data of RECV_ZC completion @cqe of @ifq: sets *@buf and returns its
 * length (> 0). Returns 0 (*@buf NULL) for a CQE without data (end of
 * stream, or the length limit reached), cqe->res when the request failed,
 * and -ERANGE when the offset lies outside @ifq's area.
 */
static inline int
io_uring_zcrx_cqe_buf(const struct io_uring_ext_zcrx_ifq *ifq,
		      const struct io_uring_cqe *cqe, void **buf)
{
	*buf = NULL;
	if (cqe->res <= 0)
		return cqe->res;
	*buf = io_uring_zcrx_off_ptr(ifq, io_uring_zcrx_cqe_off(cqe),
				     (__u32)cqe->res);
	return *buf ? cqe->res : -ERANGE;
}

/*
 * Fast path: the CPU address of the data of RECV_ZC completion @cqe of
 * @ifq, for a CQE with cqe->res > 0 (the caller checks cqe->res first; it
 * is not looked at here). One check: NULL unless the offset's area id is
 * @ifq's and the offset (the first byte) lies inside the area, done as a
 * single unsigned compare of off - area_token against area_len (area_len
 * < 2^48). The end of the data (off + res) is not checked: the kernel's
 * buffers never cross the end of the area.
 */
static inline void *
io_uring_zcrx_cqe_ptr(const struct io_uring_ext_zcrx_ifq *ifq,
		      const struct io_uring_cqe *cqe)
{
	__u64 pos = io_uring_zcrx_cqe_off(cqe) - ifq->area_token;

	return pos < ifq->area_len ? ifq->area_base + pos : NULL;
}

/*
 * Fast path, no checks at all: the CPU address of area offset @off of
 * @ifq, the area id bits ignored. The caller guarantees that @off comes
 * from a CQE of @ifq (the kernel's offsets are in range); a wrong @off
 * gives a wild pointer.
 */
static inline void *
io_uring_zcrx_off_ptr_unchecked(const struct io_uring_ext_zcrx_ifq *ifq,
				__u64 off)
{
	return ifq->area_base + (off & ~IORING_ZCRX_AREA_MASK);
}

/*
 * Refill ring: give buffers back to the kernel. An entry's @off is the
 * offset from the buffer's CQE, unchanged (area id << 48 | buffer index
 * << buffer shift | offset in the buffer; the kernel ignores the offset
 * in the buffer), @len its length (ignored by the kernel).
 */

/* Free entries in the refill ring. */
static inline unsigned int
io_uring_zcrx_rq_space(const struct io_uring_zcrx_rq *rq)
{
	return rq->ring_entries -
	       (rq->rq_tail - io_uring_smp_load_acquire(rq->khead));
}

/*
 * Add one entry without making it visible to the kernel (see
 * io_uring_zcrx_rq_commit()). Returns 0, or -ENOBUFS when the ring is full.
 */
static inline int io_uring_zcrx_rq_add(struct io_uring_zcrx_rq *rq,
				       __u64 off, __u32 len)
{
	struct io_uring_zcrx_rqe *rqe;

	if (!io_uring_zcrx_rq_space(rq))
		return -ENOBUFS;
	rqe = &rq->rqes[rq->rq_tail & (rq->ring_entries - 1)];
	rqe->off = off;
	rqe->len = len;
	rqe->__pad = 0;
	rq->rq_tail++;
	return 0;
}

/*
 * Batch fast path: how many of @nr entries may be added now with
 * io_uring_zcrx_rq_add_unchecked(): min(@nr, free entries), from one
 * acquire load of the kernel's head. Reserves nothing in the ring: the
 * count stays valid because the kernel only ever frees entries, as long
 * as nothing else adds to the ring (one producer) before they are added.
 */
static inline unsigned int io_uring_zcrx_rq_reserve(struct io_uring_zcrx_rq *rq,
						    unsigned int nr)
{
	unsigned int space = io_uring_zcrx_rq_space(rq);

	return nr < space ? nr : space;
}

/*
 * Add one entry with no free-space check and without publishing it (see
 * io_uring_zcrx_rq_commit()). The caller guarantees that the ring has a
 * free entry: at most as many unchecked adds as the last
 * io_uring_zcrx_rq_reserve() (or io_uring_zcrx_rq_space()) returned, less
 * the adds since. More overwrite entries the kernel has not consumed.
 */
static inline void io_uring_zcrx_rq_add_unchecked(struct io_uring_zcrx_rq *rq,
						  __u64 off, __u32 len)
{
	__u32 tail = rq->rq_tail;
	struct io_uring_zcrx_rqe *rqe =
		&rq->rqes[tail & (rq->ring_entries - 1)];

	rqe->off = off;
	rqe->len = len;
	rqe->__pad = 0;
	rq->rq_tail = tail + 1;
}

/*
 * Batch fast path, buffer-ring style (as io_uring_buf_ring_add() and
 * io_uring_buf_ring_advance()): put offset @off in entry @i past the
 * tail, 0 <= @i < the count the last io_uring_zcrx_rq_reserve() returned,
 * with @mask from io_uring_zcrx_rq_mask(). Nothing is visible to the
 * kernel until io_uring_zcrx_rq_advance().
 */
static inline unsigned int io_uring_zcrx_rq_mask(const struct io_uring_zcrx_rq *rq)
{
	return rq->ring_entries - 1;
}

static inline void io_uring_zcrx_rq_put(struct io_uring_zcrx_rq *rq,
					__u64 off, unsigned int mask,
					unsigned int i)
{
	struct io_uring_zcrx_rqe *rqe = &rq->rqes[(rq->rq_tail + i) & mask];

	rqe->off = off;
	rqe->len = 0;
	rqe->__pad = 0;
}

/* Publish the @n entries put past the tail: one release store. */
static inline void io_uring_zcrx_rq_advance(struct io_uring_zcrx_rq *rq,
					    unsigned int n)
{
	rq->rq_tail += n;
	io_uring_smp_store_release(rq->ktail, rq->rq_tail);
}

/* Publish the entries added so far: one release store of the tail. */
static inline void io_uring_zcrx_rq_commit(struct io_uring_zcrx_rq *rq)
{
	io_uring_smp_store_release(rq->ktail, rq->rq_tail);
}

/* Return one buffer and publish it. Returns 0 or -ENOBUFS (ring full). */
static inline int io_uring_zcrx_rq_return(struct io_uring_zcrx_rq *rq,
					  __u64 off, __u32 len)
{
	int ret = io_uring_zcrx_rq_add(rq, off, len);

	if (!ret)
		io_uring_zcrx_rq_commit(rq);
	return ret;
}

/*
 * Return the @nr buffers of @bufs (off and len of each; __pad unused),
 * published with a single release store. Returns how many were returned:
 * fewer than @nr (possibly 0) when the ring filled up; the caller retries
 * the rest later.
 */
static inline unsigned int
io_uring_zcrx_rq_return_many(struct io_uring_zcrx_rq *rq,
			     const struct io_uring_zcrx_rqe *bufs,
			     unsigned int nr)
{
	unsigned int mask = rq->ring_entries - 1;
	unsigned int space = io_uring_zcrx_rq_space(rq);
	unsigned int i;

	if (nr > space)
		nr = space;
	for (i = 0; i < nr; i++) {
		struct io_uring_zcrx_rqe *rqe =
			&rq->rqes[(rq->rq_tail + i) & mask];

		rqe->off = bufs[i].off;
		rqe->len = bufs[i].len;
		rqe->__pad = 0;
	}
	if (nr) {
		rq->rq_tail += nr;
		io_uring_zcrx_rq_commit(rq);
	}
	return nr;
}

#ifdef __cplusplus
}
#endif

#endif
