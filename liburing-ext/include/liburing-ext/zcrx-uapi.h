/* SPDX-License-Identifier: MIT */
/*
 * The io_uring zero-copy receive (zcrx) UAPI of upstream Linux (6.15 and
 * later) and liburing (2.10 and later), for a liburing that predates it,
 * such as Debian 12's liburing 2.3. Names, values and layouts are those of
 * the upstream headers.
 *
 * With a liburing that has zcrx (2.10 or later) this header defines nothing
 * of its own: the definitions are liburing's, and
 * LIBURING_EXT_NATIVE_ZCRX is 1.
 */
#ifndef LIBURING_EXT_ZCRX_UAPI_H
#define LIBURING_EXT_ZCRX_UAPI_H

#include <linux/types.h>
#include <liburing.h>

/* liburing 2.4 and later install io_uring_version.h; 2.3 does not. */
#if defined(__has_include)
#if __has_include(<liburing/io_uring_version.h>)
#include <liburing/io_uring_version.h>
#endif
#endif

#if defined(IO_URING_VERSION_MAJOR) && defined(IO_URING_VERSION_MINOR) && \
	(IO_URING_VERSION_MAJOR > 2 ||					\
	 (IO_URING_VERSION_MAJOR == 2 && IO_URING_VERSION_MINOR >= 10))
#define LIBURING_EXT_NATIVE_ZCRX	1
#else
#define LIBURING_EXT_NATIVE_ZCRX	0
#endif

#if !LIBURING_EXT_NATIVE_ZCRX

#ifdef __cplusplus
#define LIBURING_EXT_CHECK_SIZE(type, size)				\
	static_assert(sizeof(type) == (size), "sizeof(" #type ")")
#else
#define LIBURING_EXT_CHECK_SIZE(type, size)				\
	_Static_assert(sizeof(type) == (size), "sizeof(" #type ")")
#endif

/*
 * Members of enum io_uring_op and of the register opcode enum upstream,
 * which in liburing 2.3 end at IORING_OP_SENDMSG_ZC (48) and at 25. Macros
 * here: they cannot join those enums, and a macro converts to
 * enum io_uring_op without -Wenum-conversion warnings.
 */
#define IORING_OP_RECV_ZC		58

#define IORING_REGISTER_ZCRX_IFQ	32
#define IORING_REGISTER_MEM_REGION	34
#define IORING_REGISTER_QUERY		35
#define IORING_REGISTER_ZCRX_CTRL	36

/* io_uring_setup() flag: 16 and 32 byte CQEs mixed in one CQ ring */
#define IORING_SETUP_CQE_MIXED		(1U << 18)

/* cqe->flags: a 32 byte CQE in a CQE_MIXED ring */
#define IORING_CQE_F_32			(1U << 15)

/* mmap offsets */
#define IORING_OFF_PBUF_SHIFT		16
#define IORING_OFF_MMAP_MASK		0xf8000000ULL

/*
 * Memory regions (IORING_REGISTER_MEM_REGION, zcrx refill rings)
 */
enum {
	/* backed by user memory at user_addr */
	IORING_MEM_REGION_TYPE_USER	= 1,
};

struct io_uring_region_desc {
	__u64	user_addr;
	__u64	size;
	__u32	flags;
	__u32	id;
	__u64	mmap_offset;
	__u64	__resv[4];
};

/*
 * Zero-copy receive
 */

/* Refill queue entry */
struct io_uring_zcrx_rqe {
	__u64	off;
	__u32	len;
	__u32	__pad;
};

/* The second half of a 32 byte RECV_ZC CQE */
struct io_uring_zcrx_cqe {
	__u64	off;
	__u64	__pad;
};

/* The area id is in the bits of an offset from this one up */
#define IORING_ZCRX_AREA_SHIFT	48
#define IORING_ZCRX_AREA_MASK	(~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1))

struct io_uring_zcrx_offsets {
	__u32	head;
	__u32	tail;
	__u32	rqes;
	__u32	__resv2;
	__u64	__resv[2];
};

enum io_uring_zcrx_area_flags {
	IORING_ZCRX_AREA_DMABUF		= 1,
};

struct io_uring_zcrx_area_reg {
	__u64	addr;
	__u64	len;
	__u64	rq_area_token;
	__u32	flags;
	__u32	dmabuf_fd;
	__u64	__resv2[2];
};

/* io_uring_zcrx_ifq_reg->flags */
enum zcrx_reg_flags {
	ZCRX_REG_IMPORT		= 1,	/* if_idx is an exported zcrx fd */
	ZCRX_REG_NODEV		= 2,	/* no net device, data is copied */
};

/* io_uring_query_zcrx->features */
enum zcrx_features {
	ZCRX_FEATURE_RX_PAGE_SIZE	= 1 << 0,	/* rx_buf_len */
	ZCRX_FEATURE_EVENT		= 1 << 1,	/* event_desc */
};

/* Argument of IORING_REGISTER_ZCRX_IFQ */
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

/* zcrx_ctrl->op */
enum zcrx_ctrl_op {
	ZCRX_CTRL_FLUSH_RQ	= 0,
	ZCRX_CTRL_EXPORT	= 1,
	ZCRX_CTRL_ARM_EVENT	= 2,
};

struct zcrx_ctrl_flush_rq {
	__u64	__resv[6];
};

struct zcrx_ctrl_export {
	__u32	zcrx_fd;
	__u32	__resv1[11];
};

struct zcrx_ctrl_arm_event {
	__u32	event_type;
	__u32	__resv[11];
};

/* Argument of IORING_REGISTER_ZCRX_CTRL */
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

/* Event types; zcrx_event_desc->type_mask has bit 1 << type */
enum {
	ZCRX_EVENT_ALLOC_FAIL		= 0,
	ZCRX_EVENT_COPY			= 1,
};

/* zcrx_event_desc->flags */
enum {
	ZCRX_EVENT_DESC_FLAG_STATS	= 1,
};

struct zcrx_event_desc {
	__u64	user_data;
	__u32	type_mask;
	__u32	flags;
	__u64	stats_offset;	/* of a zcrx_stats in the refill region */
	__u64	__resv2[9];
};

struct zcrx_stats {
	__u64	copy_count;	/* copy-fallback CQEs */
	__u64	copy_bytes;
};

/*
 * IORING_REGISTER_QUERY
 */
struct io_uring_query_hdr {
	__u64	next_entry;	/* struct io_uring_query_hdr * or 0 */
	__u64	query_data;
	__u32	query_op;
	__u32	size;
	__s32	result;
	__u32	__resv[3];
};

enum {
	IO_URING_QUERY_OPCODES		= 0,
	IO_URING_QUERY_ZCRX		= 1,
	IO_URING_QUERY_SCQ		= 2,
};

struct io_uring_query_opcode {
	__u32	nr_request_opcodes;
	__u32	nr_register_opcodes;
	__u64	feature_flags;
	__u64	ring_setup_flags;
	__u64	enter_flags;
	__u64	sqe_flags;
	__u32	nr_query_opcodes;
	__u32	__pad;
};

struct io_uring_query_zcrx {
	__u64	register_flags;		/* ZCRX_REG_* */
	__u64	area_flags;		/* IORING_ZCRX_AREA_* */
	__u32	nr_ctrl_opcodes;
	__u32	features;		/* ZCRX_FEATURE_* */
	__u32	rq_hdr_size;
	__u32	rq_hdr_alignment;
	__u64	__resv2;
};

/*
 * liburing's (not the kernel's) view of a mapped refill ring, as in
 * liburing.h of 2.10 and later: pointers to the kernel's head, the tail
 * the application publishes and the entries, the application's private
 * tail, the number of entries (a power of two) and the region itself.
 */
struct io_uring_zcrx_rq {
	__u32 *khead;
	__u32 *ktail;
	__u32 rq_tail;
	unsigned ring_entries;

	struct io_uring_zcrx_rqe *rqes;
	void *ring_ptr;
};

/*
 * struct io_uring_sqe's zcrx_ifq_idx, RECV_ZC's ifq id: upstream has it in
 * the union with file_index (byte 44), liburing 2.3's io_uring.h lacks it.
 * A program's sqe->zcrx_ifq_idx names file_index. struct io_uring_sqe is
 * complete here (liburing.h and the kernel's io_uring.h share one include
 * guard), so no definition of the member itself is renamed.
 */
#ifndef zcrx_ifq_idx
#define zcrx_ifq_idx	file_index
#endif

LIBURING_EXT_CHECK_SIZE(struct io_uring_region_desc, 64);
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_rqe, 16);
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_cqe, 16);
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_offsets, 32);
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_area_reg, 48);
LIBURING_EXT_CHECK_SIZE(struct io_uring_zcrx_ifq_reg, 96);
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl_flush_rq, 48);
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl_export, 48);
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl_arm_event, 48);
LIBURING_EXT_CHECK_SIZE(struct zcrx_ctrl, 72);
LIBURING_EXT_CHECK_SIZE(struct zcrx_event_desc, 96);
LIBURING_EXT_CHECK_SIZE(struct zcrx_stats, 16);
LIBURING_EXT_CHECK_SIZE(struct io_uring_query_hdr, 40);
LIBURING_EXT_CHECK_SIZE(struct io_uring_query_opcode, 48);
LIBURING_EXT_CHECK_SIZE(struct io_uring_query_zcrx, 40);

#undef LIBURING_EXT_CHECK_SIZE

#endif /* !LIBURING_EXT_NATIVE_ZCRX */

#endif
