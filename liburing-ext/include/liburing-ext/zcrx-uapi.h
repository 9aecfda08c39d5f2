/* SPDX-License-Identifier: MIT */
/*
 * The io_uring zero-copy receive (zcrx) UAPI of upstream Linux, and the
 * zcrx names of upstream liburing, for any liburing: each definition is
 * here only when the liburing liburing-ext was built against lacks it
 * (LIBURING_EXT_HAVE_* in <liburing-ext/config.h>, found piece by piece
 * when liburing-ext was configured), with upstream's name, value and
 * layout. What liburing has is liburing's and is never redefined.
 *
 * A struct that liburing has without a newer member keeps liburing's
 * definition; the member is not there. liburing-ext's full-layout copies,
 * struct io_uring_ext_zcrx_ifq_reg and struct io_uring_ext_zcrx_ctrl,
 * always have every member and are layout-compatible with liburing's
 * struct of the same role (checked below); LIBURING_EXT_IFQ_REG_HAS_* and
 * LIBURING_EXT_ZCRX_CTRL_HAS_ARM_EVENT say what the struct in use has.
 */
#ifndef LIBURING_EXT_ZCRX_UAPI_H
#define LIBURING_EXT_ZCRX_UAPI_H

#include <stddef.h>
#include <linux/types.h>
#include <liburing.h>
#include <liburing-ext/config.h>

/*
 * Built against one liburing, used with another: the definitions below
 * would clash with it or miss what it lacks. Rebuild liburing-ext.
 */
#if LIBURING_EXT_HAVE_IO_URING_VERSION_MAJOR
#if !defined(IO_URING_VERSION_MAJOR) ||					\
	IO_URING_VERSION_MAJOR != LIBURING_EXT_LIBURING_MAJOR ||	\
	IO_URING_VERSION_MINOR != LIBURING_EXT_LIBURING_MINOR
#error "liburing-ext was built against another liburing (LIBURING_EXT_LIBURING_VERSION in <liburing-ext/config.h>): rebuild it"
#endif
#elif defined(IO_URING_VERSION_MAJOR)
#error "liburing-ext was built against a liburing without io_uring_version.h (LIBURING_EXT_LIBURING_VERSION in <liburing-ext/config.h>): rebuild it"
#endif

#ifdef __cplusplus
#define LIBURING_EXT_STATIC_ASSERT(expr, what)	static_assert(expr, what)
#else
#define LIBURING_EXT_STATIC_ASSERT(expr, what)	_Static_assert(expr, what)
#endif
#define LIBURING_EXT_CHECK_SIZE(type, size)				\
	LIBURING_EXT_STATIC_ASSERT(sizeof(type) == (size), "sizeof(" #type ")")
#define LIBURING_EXT_CHECK_SAME(a, b, member)				\
	LIBURING_EXT_STATIC_ASSERT(					\
		offsetof(a, member) == offsetof(b, member) &&		\
		sizeof(((a *)0)->member) == sizeof(((b *)0)->member),	\
		#a "." #member " is where " #b " has it")

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Request and register opcodes. Macros, not enum members: they cannot
 * join liburing's enums, and a macro converts to enum io_uring_op
 * without -Wenum-conversion warnings.
 */
#if !LIBURING_EXT_HAVE_IORING_OP_RECV_ZC
#define IORING_OP_RECV_ZC		58
#endif
#if !LIBURING_EXT_HAVE_IORING_REGISTER_ZCRX_IFQ
#define IORING_REGISTER_ZCRX_IFQ	32
#endif
#if !LIBURING_EXT_HAVE_IORING_REGISTER_MEM_REGION
#define IORING_REGISTER_MEM_REGION	34
#endif
#if !LIBURING_EXT_HAVE_IORING_REGISTER_QUERY
#define IORING_REGISTER_QUERY		35
#endif
#if !LIBURING_EXT_HAVE_IORING_REGISTER_ZCRX_CTRL
#define IORING_REGISTER_ZCRX_CTRL	36
#endif

/* io_uring_setup() flag: 16 and 32 byte CQEs mixed in one CQ ring */
#if !LIBURING_EXT_HAVE_IORING_SETUP_CQE_MIXED
#define IORING_SETUP_CQE_MIXED		(1U << 18)
#endif
/* cqe->flags: a 32 byte CQE in a CQE_MIXED ring */
#if !LIBURING_EXT_HAVE_IORING_CQE_F_32
#define IORING_CQE_F_32			(1U << 15)
#endif

/* mmap offsets */
#if !LIBURING_EXT_HAVE_IORING_OFF_PBUF_SHIFT
#define IORING_OFF_PBUF_SHIFT		16
#endif
#if !LIBURING_EXT_HAVE_IORING_OFF_MMAP_MASK
#define IORING_OFF_MMAP_MASK		0xf8000000ULL
#endif

/*
 * struct io_uring_sqe's zcrx_ifq_idx, RECV_ZC's ifq id, is in the union
 * with file_index (byte 44). For a liburing whose io_uring.h lacks it, a
 * program's sqe->zcrx_ifq_idx names file_index. struct io_uring_sqe is
 * complete here, so no definition of the member itself is renamed.
 */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_SQE_ZCRX_IFQ_IDX && \
	!defined(zcrx_ifq_idx)
#define zcrx_ifq_idx	file_index
#endif

/*
 * Memory regions (IORING_REGISTER_MEM_REGION, zcrx refill rings)
 */
#if !LIBURING_EXT_HAVE_IORING_MEM_REGION_TYPE_USER
enum {
	/* backed by user memory at user_addr */
	IORING_MEM_REGION_TYPE_USER	= 1,
};
#endif

#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_REGION_DESC
struct io_uring_region_desc {
	__u64	user_addr;
	__u64	size;
	__u32	flags;
	__u32	id;
	__u64	mmap_offset;
	__u64	__resv[4];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_region_desc, 64);

/*
 * Zero-copy receive
 */

/* Refill queue entry */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_RQE
struct io_uring_zcrx_rqe {
	__u64	off;
	__u32	len;
	__u32	__pad;
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_rqe, 16);

/* The second half of a 32 byte RECV_ZC CQE */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_CQE
struct io_uring_zcrx_cqe {
	__u64	off;
	__u64	__pad;
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_cqe, 16);

/* The area id is in the bits of an offset from this one up */
#if !LIBURING_EXT_HAVE_IORING_ZCRX_AREA_SHIFT
#define IORING_ZCRX_AREA_SHIFT	48
#endif
#if !LIBURING_EXT_HAVE_IORING_ZCRX_AREA_MASK
#define IORING_ZCRX_AREA_MASK	(~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1))
#endif

#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_OFFSETS
struct io_uring_zcrx_offsets {
	__u32	head;
	__u32	tail;
	__u32	rqes;
	__u32	__resv2;
	__u64	__resv[2];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_offsets, 32);

#if !LIBURING_EXT_HAVE_IORING_ZCRX_AREA_DMABUF
#if LIBURING_EXT_HAVE_ENUM_IO_URING_ZCRX_AREA_FLAGS
enum {
#else
enum io_uring_zcrx_area_flags {
#endif
	IORING_ZCRX_AREA_DMABUF		= 1,
};
#endif

#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_AREA_REG
struct io_uring_zcrx_area_reg {
	__u64	addr;
	__u64	len;
	__u64	rq_area_token;
	__u32	flags;
	__u32	dmabuf_fd;
	__u64	__resv2[2];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_area_reg, 48);

/* io_uring_zcrx_ifq_reg->flags */
#if !LIBURING_EXT_HAVE_ZCRX_REG_IMPORT || !LIBURING_EXT_HAVE_ZCRX_REG_NODEV
#if LIBURING_EXT_HAVE_ENUM_ZCRX_REG_FLAGS
enum {
#else
enum zcrx_reg_flags {
#endif
#if !LIBURING_EXT_HAVE_ZCRX_REG_IMPORT
	ZCRX_REG_IMPORT		= 1,	/* if_idx is an exported zcrx fd */
#endif
#if !LIBURING_EXT_HAVE_ZCRX_REG_NODEV
	ZCRX_REG_NODEV		= 2,	/* no net device, data is copied */
#endif
};
#endif

/* io_uring_query_zcrx->features */
#if !LIBURING_EXT_HAVE_ZCRX_FEATURE_RX_PAGE_SIZE || \
	!LIBURING_EXT_HAVE_ZCRX_FEATURE_EVENT
#if LIBURING_EXT_HAVE_ENUM_ZCRX_FEATURES
enum {
#else
enum zcrx_features {
#endif
#if !LIBURING_EXT_HAVE_ZCRX_FEATURE_RX_PAGE_SIZE
	ZCRX_FEATURE_RX_PAGE_SIZE	= 1 << 0,	/* rx_buf_len */
#endif
#if !LIBURING_EXT_HAVE_ZCRX_FEATURE_EVENT
	ZCRX_FEATURE_EVENT		= 1 << 1,	/* event_desc */
#endif
};
#endif

/* Argument of IORING_REGISTER_ZCRX_IFQ */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_IFQ_REG
struct io_uring_zcrx_ifq_reg {
	__u32	if_idx;
	__u32	if_rxq;
	__u32	rq_entries;
	__u32	flags;

	__u64	area_ptr;	/* struct io_uring_zcrx_area_reg * */
	__u64	region_ptr;	/* struct io_uring_region_desc * */

	struct io_uring_zcrx_offsets offsets;
	__u32	zcrx_id;
	__u32	rx_buf_len;
	__u64	event_desc;	/* struct zcrx_event_desc * or 0 */
	__u64	__resv[2];
};
#define LIBURING_EXT_IFQ_REG_HAS_RX_BUF_LEN	1
#define LIBURING_EXT_IFQ_REG_HAS_EVENT_DESC	1
#else
#define LIBURING_EXT_IFQ_REG_HAS_RX_BUF_LEN				\
	LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_IFQ_REG_RX_BUF_LEN
#define LIBURING_EXT_IFQ_REG_HAS_EVENT_DESC				\
	LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_IFQ_REG_EVENT_DESC
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_ifq_reg, 96);

/*
 * liburing-ext's own copy of upstream's struct io_uring_zcrx_ifq_reg with
 * every member, whatever liburing's has: pass it to
 * io_uring_register_ifq() as (struct io_uring_zcrx_ifq_reg *).
 */
struct io_uring_ext_zcrx_ifq_reg {
	__u32	if_idx;
	__u32	if_rxq;
	__u32	rq_entries;
	__u32	flags;
	__u64	area_ptr;
	__u64	region_ptr;
	struct io_uring_zcrx_offsets offsets;
	__u32	zcrx_id;
	__u32	rx_buf_len;
	__u64	event_desc;
	__u64	__resv[2];
};
LIBURING_EXT_CHECK_SIZE(struct io_uring_ext_zcrx_ifq_reg,
			sizeof(struct io_uring_zcrx_ifq_reg));
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, if_idx);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, if_rxq);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, rq_entries);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, flags);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, area_ptr);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, region_ptr);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, offsets);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, zcrx_id);
#if LIBURING_EXT_IFQ_REG_HAS_RX_BUF_LEN
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, rx_buf_len);
#endif
#if LIBURING_EXT_IFQ_REG_HAS_EVENT_DESC
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ifq_reg,
			struct io_uring_zcrx_ifq_reg, event_desc);
#endif

/* zcrx_ctrl->op */
#if !LIBURING_EXT_HAVE_ZCRX_CTRL_FLUSH_RQ || \
	!LIBURING_EXT_HAVE_ZCRX_CTRL_EXPORT || \
	!LIBURING_EXT_HAVE_ZCRX_CTRL_ARM_EVENT
#if LIBURING_EXT_HAVE_ENUM_ZCRX_CTRL_OP
enum {
#else
enum zcrx_ctrl_op {
#endif
#if !LIBURING_EXT_HAVE_ZCRX_CTRL_FLUSH_RQ
	ZCRX_CTRL_FLUSH_RQ	= 0,
#endif
#if !LIBURING_EXT_HAVE_ZCRX_CTRL_EXPORT
	ZCRX_CTRL_EXPORT	= 1,
#endif
#if !LIBURING_EXT_HAVE_ZCRX_CTRL_ARM_EVENT
	ZCRX_CTRL_ARM_EVENT	= 2,
#endif
};
#endif

#if !LIBURING_EXT_HAVE_STRUCT_ZCRX_CTRL_FLUSH_RQ
struct zcrx_ctrl_flush_rq {
	__u64	__resv[6];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl_flush_rq, 48);

#if !LIBURING_EXT_HAVE_STRUCT_ZCRX_CTRL_EXPORT
struct zcrx_ctrl_export {
	__u32	zcrx_fd;
	__u32	__resv1[11];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl_export, 48);

#if !LIBURING_EXT_HAVE_STRUCT_ZCRX_CTRL_ARM_EVENT
struct zcrx_ctrl_arm_event {
	__u32	event_type;
	__u32	__resv[11];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl_arm_event, 48);

/* Argument of IORING_REGISTER_ZCRX_CTRL */
#if !LIBURING_EXT_HAVE_STRUCT_ZCRX_CTRL
struct zcrx_ctrl {
	__u32	zcrx_id;
	__u32	op;		/* enum zcrx_ctrl_op */
	__u64	__resv[2];

	union {
		struct zcrx_ctrl_export		zc_export;
		struct zcrx_ctrl_flush_rq	zc_flush;
		struct zcrx_ctrl_arm_event	zc_arm_event;
	};
};
#define LIBURING_EXT_ZCRX_CTRL_HAS_ARM_EVENT	1
#else
#define LIBURING_EXT_ZCRX_CTRL_HAS_ARM_EVENT				\
	LIBURING_EXT_HAVE_STRUCT_ZCRX_CTRL_ZC_ARM_EVENT
#endif
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl, 72);

/*
 * liburing-ext's own copy of upstream's struct zcrx_ctrl with every
 * member: pass it to io_uring_register_zcrx_ctrl() as (struct zcrx_ctrl *).
 */
struct io_uring_ext_zcrx_ctrl {
	__u32	zcrx_id;
	__u32	op;
	__u64	__resv[2];

	union {
		struct zcrx_ctrl_export		zc_export;
		struct zcrx_ctrl_flush_rq	zc_flush;
		struct zcrx_ctrl_arm_event	zc_arm_event;
	};
};
LIBURING_EXT_CHECK_SIZE(struct io_uring_ext_zcrx_ctrl,
			sizeof(struct zcrx_ctrl));
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ctrl, struct zcrx_ctrl,
			zcrx_id);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ctrl, struct zcrx_ctrl, op);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ctrl, struct zcrx_ctrl,
			zc_flush);
LIBURING_EXT_CHECK_SAME(struct io_uring_ext_zcrx_ctrl, struct zcrx_ctrl,
			zc_export);

/* Event types; zcrx_event_desc->type_mask has bit 1 << type */
#if !LIBURING_EXT_HAVE_ZCRX_EVENT_ALLOC_FAIL || \
	!LIBURING_EXT_HAVE_ZCRX_EVENT_COPY
#if LIBURING_EXT_HAVE_ENUM_ZCRX_EVENT_TYPE
enum {
#else
enum zcrx_event_type {
#endif
#if !LIBURING_EXT_HAVE_ZCRX_EVENT_ALLOC_FAIL
	ZCRX_EVENT_ALLOC_FAIL		= 0,	/* the area ran dry */
#endif
#if !LIBURING_EXT_HAVE_ZCRX_EVENT_COPY
	ZCRX_EVENT_COPY			= 1,	/* data was copied */
#endif
};
#endif

/* zcrx_event_desc->flags */
#if !LIBURING_EXT_HAVE_ZCRX_EVENT_DESC_FLAG_STATS
#if LIBURING_EXT_HAVE_ENUM_ZCRX_EVENT_DESC_FLAGS
enum {
#else
enum zcrx_event_desc_flags {
#endif
	/* keep a struct zcrx_stats at stats_offset in the refill region */
	ZCRX_EVENT_DESC_FLAG_STATS	= 1,
};
#endif

#if !LIBURING_EXT_HAVE_STRUCT_ZCRX_EVENT_DESC
struct zcrx_event_desc {
	__u64	user_data;
	__u32	type_mask;
	__u32	flags;
	__u64	stats_offset;	/* of a zcrx_stats in the refill region */
	__u64	__resv2[9];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct zcrx_event_desc, 96);

#if !LIBURING_EXT_HAVE_STRUCT_ZCRX_STATS
struct zcrx_stats {
	__u64	copy_count;	/* copy-fallback CQEs */
	__u64	copy_bytes;
};
#endif
LIBURING_EXT_CHECK_SIZE(struct zcrx_stats, 16);

/*
 * IORING_REGISTER_QUERY (upstream's <linux/io_uring/query.h>)
 */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_QUERY_HDR
struct io_uring_query_hdr {
	__u64	next_entry;	/* struct io_uring_query_hdr * or 0 */
	__u64	query_data;
	__u32	query_op;
	__u32	size;
	__s32	result;
	__u32	__resv[3];
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_query_hdr, 40);

#if !LIBURING_EXT_HAVE_IO_URING_QUERY_OPCODES || \
	!LIBURING_EXT_HAVE_IO_URING_QUERY_ZCRX || \
	!LIBURING_EXT_HAVE_IO_URING_QUERY_SCQ
enum {
#if !LIBURING_EXT_HAVE_IO_URING_QUERY_OPCODES
	IO_URING_QUERY_OPCODES		= 0,
#endif
#if !LIBURING_EXT_HAVE_IO_URING_QUERY_ZCRX
	IO_URING_QUERY_ZCRX		= 1,
#endif
#if !LIBURING_EXT_HAVE_IO_URING_QUERY_SCQ
	IO_URING_QUERY_SCQ		= 2,
#endif
};
#endif

/* IO_URING_QUERY_OPCODES: what the kernel supports */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_QUERY_OPCODE
struct io_uring_query_opcode {
	__u32	nr_request_opcodes;
	__u32	nr_register_opcodes;
	__u64	feature_flags;		/* IORING_FEAT_* */
	__u64	ring_setup_flags;	/* IORING_SETUP_* */
	__u64	enter_flags;		/* IORING_ENTER_* */
	__u64	sqe_flags;		/* IOSQE_* */
	__u32	nr_query_opcodes;
	__u32	__pad;
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_query_opcode, 48);

/* IO_URING_QUERY_ZCRX */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_QUERY_ZCRX
struct io_uring_query_zcrx {
	__u64	register_flags;		/* ZCRX_REG_* */
	__u64	area_flags;		/* IORING_ZCRX_AREA_* */
	__u32	nr_ctrl_opcodes;
	__u32	features;		/* ZCRX_FEATURE_* */
	__u32	rq_hdr_size;
	__u32	rq_hdr_alignment;
	__u64	__resv2;
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_query_zcrx, 40);

/* IO_URING_QUERY_SCQ: the SQ/CQ ring header */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_QUERY_SCQ
struct io_uring_query_scq {
	__u64	hdr_size;
	__u64	hdr_alignment;
};
#endif
LIBURING_EXT_CHECK_SIZE(struct io_uring_query_scq, 16);

/*
 * liburing's (not the kernel's) view of a mapped refill ring, as in
 * liburing.h: pointers to the kernel's head, the tail the application
 * publishes and the entries, the application's private tail, the number
 * of entries (a power of two) and the region itself.
 */
#if !LIBURING_EXT_HAVE_STRUCT_IO_URING_ZCRX_RQ
struct io_uring_zcrx_rq {
	__u32 *khead;
	__u32 *ktail;
	__u32 rq_tail;
	unsigned ring_entries;

	struct io_uring_zcrx_rqe *rqes;
	void *ring_ptr;
};
#endif

/* liburing's helpers that zcrx programs use */
#if !LIBURING_EXT_HAVE_URING_PTR_TO_U64
/* A pointer as the __u64 of an io_uring structure */
static inline __u64 uring_ptr_to_u64(const void *ptr)
{
	return (__u64)(unsigned long)ptr;
}
#endif

#if !LIBURING_EXT_HAVE_IO_URING_CQE_NR
/* CQ slots @cqe takes: 2 for a 32 byte CQE in a CQE_MIXED ring, else 1 */
static inline unsigned io_uring_cqe_nr(const struct io_uring_cqe *cqe)
{
	return (cqe->flags & IORING_CQE_F_32) ? 2U : 1U;
}
#endif

#ifdef __cplusplus
}
#endif

#endif
