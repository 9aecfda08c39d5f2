/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the liburing.h of a liburing that has zcrx (2.10 and
 * later), for the build check that liburing-ext steps aside there (no
 * definition of its own, so none duplicated or conflicting, and no symbol
 * of liburing's in the library). Only liburing 2.3 can be installed here,
 * so this is the system's liburing.h (#include_next) plus, as a newer
 * liburing's headers have them, the zcrx names of uapi.md: the UAPI
 * numbers and structures, struct io_uring_zcrx_rq and the registration
 * calls (fake-liburing.c defines them, as liburing.so would). Written
 * from the spec, independently of liburing-ext's zcrx-uapi.h.
 *
 * Two things cannot be faked the real way: the enums of request and
 * register opcodes are 2.3's and closed, so the new opcodes are enums of
 * their own; and struct io_uring_sqe is 2.3's, without the zcrx_ifq_idx
 * member in the union with file_index, so a macro names it.
 */
#ifndef FAKE_LIBURING_2_10_H
#define FAKE_LIBURING_2_10_H

#include_next <liburing.h>
#include <liburing/io_uring_version.h>

#ifdef __cplusplus
extern "C" {
#endif

/* io_uring.h */

enum {
	IORING_OP_RECV_ZC		= 58,
};

enum {
	IORING_REGISTER_ZCRX_IFQ	= 32,
	IORING_REGISTER_RESIZE_RINGS	= 33,
	IORING_REGISTER_MEM_REGION	= 34,
	IORING_REGISTER_QUERY		= 35,
	IORING_REGISTER_ZCRX_CTRL	= 36,
};

#define zcrx_ifq_idx			file_index	/* see above */

#define IORING_SETUP_CQE_MIXED		(1U << 18)
#define IORING_CQE_F_32			(1U << 15)
#define IORING_OFF_PBUF_SHIFT		16
#define IORING_OFF_MMAP_MASK		0xf8000000ULL

enum io_uring_region_type {
	IORING_MEM_REGION_TYPE_USER = 1,
};

struct io_uring_region_desc {
	__u64 user_addr;
	__u64 size;
	__u32 flags;
	__u32 id;
	__u64 mmap_offset;
	__u64 __resv[4];
};

struct io_uring_zcrx_rqe {
	__u64 off;
	__u32 len;
	__u32 __pad;
};

struct io_uring_zcrx_cqe {
	__u64 off;
	__u64 __pad;
};

#define IORING_ZCRX_AREA_SHIFT	48
#define IORING_ZCRX_AREA_MASK	(~(((__u64)1 << IORING_ZCRX_AREA_SHIFT) - 1))

struct io_uring_zcrx_offsets {
	__u32 head;
	__u32 tail;
	__u32 rqes;
	__u32 __resv2;
	__u64 __resv[2];
};

enum io_uring_zcrx_area_flags {
	IORING_ZCRX_AREA_DMABUF = 1,
};

struct io_uring_zcrx_area_reg {
	__u64 addr;
	__u64 len;
	__u64 rq_area_token;
	__u32 flags;
	__u32 dmabuf_fd;
	__u64 __resv2[2];
};

enum zcrx_reg_flags {
	ZCRX_REG_IMPORT = 1,
	ZCRX_REG_NODEV = 2,
};

enum zcrx_features {
	ZCRX_FEATURE_RX_PAGE_SIZE = 1 << 0,
	ZCRX_FEATURE_EVENT = 1 << 1,
};

struct io_uring_zcrx_ifq_reg {
	__u32 if_idx;
	__u32 if_rxq;
	__u32 rq_entries;
	__u32 flags;
	__u64 area_ptr;
	__u64 region_ptr;
	struct io_uring_zcrx_offsets offsets;
	__u32 zcrx_id;
	__u32 rx_buf_len;
	__u64 event_desc;
	__u64 __resv[2];
};

enum zcrx_ctrl_op {
	ZCRX_CTRL_FLUSH_RQ,
	ZCRX_CTRL_EXPORT,
	ZCRX_CTRL_ARM_EVENT,
	__ZCRX_CTRL_LAST,
};

struct zcrx_ctrl_flush_rq {
	__u64 __resv[6];
};

struct zcrx_ctrl_export {
	__u32 zcrx_fd;
	__u32 __resv1[11];
};

struct zcrx_ctrl_arm_event {
	__u32 event_type;
	__u32 __resv[11];
};

struct zcrx_ctrl {
	__u32 zcrx_id;
	__u32 op;
	__u64 __resv[2];
	union {
		struct zcrx_ctrl_export zc_export;
		struct zcrx_ctrl_flush_rq zc_flush;
		struct zcrx_ctrl_arm_event zc_arm_event;
	};
};

enum zcrx_event_type {
	ZCRX_EVENT_ALLOC_FAIL = 0,
	ZCRX_EVENT_COPY = 1,
};

enum zcrx_event_desc_flags {
	ZCRX_EVENT_DESC_FLAG_STATS = 1,
};

struct zcrx_event_desc {
	__u64 user_data;
	__u32 type_mask;
	__u32 flags;
	__u64 stats_offset;
	__u64 __resv2[9];
};

struct zcrx_stats {
	__u64 copy_count;
	__u64 copy_bytes;
};

/* io_uring/query.h */

struct io_uring_query_hdr {
	__u64 next_entry;
	__u64 query_data;
	__u32 query_op;
	__u32 size;
	__s32 result;
	__u32 __resv[3];
};

enum {
	IO_URING_QUERY_OPCODES = 0,
	IO_URING_QUERY_ZCRX = 1,
	IO_URING_QUERY_SCQ = 2,
	__IO_URING_QUERY_MAX,
};

struct io_uring_query_opcode {
	__u32 nr_request_opcodes;
	__u32 nr_register_opcodes;
	__u64 feature_flags;
	__u64 ring_setup_flags;
	__u64 enter_flags;
	__u64 sqe_flags;
	__u32 nr_query_opcodes;
	__u32 __pad;
};

struct io_uring_query_zcrx {
	__u64 register_flags;
	__u64 area_flags;
	__u32 nr_ctrl_opcodes;
	__u32 features;
	__u32 rq_hdr_size;
	__u32 rq_hdr_alignment;
	__u64 __resv2;
};

/* liburing.h */

struct io_uring_zcrx_rq {
	__u32 *khead;
	__u32 *ktail;
	__u32 rq_tail;
	unsigned ring_entries;

	struct io_uring_zcrx_rqe *rqes;
	void *ring_ptr;
};

int io_uring_register_ifq(struct io_uring *ring,
			  struct io_uring_zcrx_ifq_reg *reg);
int io_uring_register_zcrx_ctrl(struct io_uring *ring,
				struct zcrx_ctrl *ctrl);
int io_uring_register_query(struct io_uring_query_hdr *query);

#ifdef __cplusplus
}
#endif

#endif
