/* SPDX-License-Identifier: MIT */
/*
 * Description: the zcrx UAPI as a program sees it with liburing-ext, the
 * definitions of the liburing in use and those liburing-ext adds, has the
 * numbers, struct sizes, field offsets and field types of the upstream ABI
 * (uapi.md, for x86-64); so do liburing-ext's full-layout copies
 * (struct io_uring_ext_zcrx_ifq_reg, io_uring_ext_zcrx_ctrl). A member a
 * liburing's struct predates is checked as the reserved field liburing has
 * there. A host test: it needs no kernel support. Built against each
 * liburing release by scripts/liburing-peers.sh.
 *
 * Built with ZCRX_UAPI_KERNEL, it checks the UAPI headers of the kernel
 * series instead (installed with make headers_install; scripts/kernel.sh
 * does that after each build), skipping what this kernel does not have.
 */
#include <stddef.h>
#include <string.h>

#ifdef ZCRX_UAPI_KERNEL
#include <linux/io_uring.h>
#include <linux/io_uring/query.h>
#define LIBURING_EXT_IFQ_REG_HAS_RX_BUF_LEN	1
#define LIBURING_EXT_IFQ_REG_HAS_EVENT_DESC	1
#define LIBURING_EXT_ZCRX_CTRL_HAS_ARM_EVENT	1
#else
#include <liburing.h>
#include <liburing-ext/zcrx-uapi.h>
#endif

#include "helpers.h"

static int nr_checks, nr_bad;

/* Failures are reported at the line of the CONST(), FIELD() etc. */
static void check_at(int line, const char *what, unsigned long long got,
		     unsigned long long want, int hex)
{
	nr_checks++;
	if (got == want)
		return;
	nr_bad++;
	if (hex)
		t_fail_at(__FILE__, line, "%s is %#llx, uapi.md says %#llx",
			  what, got, want);
	else
		t_fail_at(__FILE__, line, "%s is %llu, uapi.md says %llu",
			  what, got, want);
}

static void check_type_at(int line, const char *what, const char *got,
			  const char *want)
{
	nr_checks++;
	if (!strcmp(got, want))
		return;
	nr_bad++;
	t_fail_at(__FILE__, line, "%s has type %s, uapi.md says %s",
		  what, got, want);
}

#define check(what, got, want, hex)					\
	check_at(__LINE__, what, got, want, hex)
#define check_type(what, got, want)					\
	check_type_at(__LINE__, what, got, want)

#define CONST(name, val)						\
	check(#name, (unsigned long long)(name), (unsigned long long)(val), 1)

#define SIZE(s, size)							\
	check("sizeof(struct " #s ")", sizeof(struct s), size, 0)

#define TYPE_NAME(x)							\
	_Generic((x), __u32: "u32", __s32: "s32", __u64: "u64",		\
		 default: "another type")

#define MEMBER(s, f)	(((struct s *)0)->f)

/* Field @f of struct @s: offset, type (u32, s32 or u64) and size. */
#define FIELD(s, f, off, type)						\
	do {								\
		check("offsetof(struct " #s ", " #f ")",		\
		      offsetof(struct s, f), off, 0);			\
		check_type("struct " #s "." #f,				\
			   TYPE_NAME(MEMBER(s, f)), #type);		\
		check("sizeof(struct " #s "." #f ")",			\
		      sizeof(MEMBER(s, f)), sizeof(__##type), 0);	\
	} while (0)

/* Array field @f of @n elements of @type. */
#define ARRAY(s, f, off, type, n)					\
	do {								\
		check("offsetof(struct " #s ", " #f ")",		\
		      offsetof(struct s, f), off, 0);			\
		check_type("struct " #s "." #f "[]",			\
			   TYPE_NAME(MEMBER(s, f)[0]), #type);		\
		check("sizeof(struct " #s "." #f ")",			\
		      sizeof(MEMBER(s, f)), (n) * sizeof(__##type), 0);	\
	} while (0)

/* Field @f of struct @s that is itself a struct or union of @size bytes. */
#define NESTED(s, f, off, size)						\
	do {								\
		check("offsetof(struct " #s ", " #f ")",		\
		      offsetof(struct s, f), off, 0);			\
		check("sizeof(struct " #s "." #f ")",			\
		      sizeof(MEMBER(s, f)), size, 0);			\
	} while (0)

static void check_numbers(void)
{
	CONST(IORING_OP_RECV_ZC, 58);
	CONST(IORING_REGISTER_ZCRX_IFQ, 32);
#ifndef ZCRX_UAPI_KERNEL	/* not in the 6.12 series */
	CONST(IORING_REGISTER_MEM_REGION, 34);
#endif
	CONST(IORING_REGISTER_QUERY, 35);
	CONST(IORING_REGISTER_ZCRX_CTRL, 36);
	CONST(IORING_SETUP_CLAMP, 1U << 4);
	CONST(IORING_SETUP_CQE32, 1U << 11);
	CONST(IORING_SETUP_DEFER_TASKRUN, 1U << 13);
#ifndef ZCRX_UAPI_KERNEL	/* not in the 6.12 series */
	CONST(IORING_SETUP_CQE_MIXED, 1U << 18);
#endif
#ifndef ZCRX_UAPI_KERNEL	/* not in the 6.12 series */
	CONST(IORING_CQE_F_32, 1U << 15);
#endif
	CONST(IORING_CQE_F_MORE, 1U << 1);
	CONST(IORING_RECVSEND_POLL_FIRST, 1);
	CONST(IORING_RECV_MULTISHOT, 2);
	CONST(IORING_MEM_REGION_TYPE_USER, 1);
	CONST(IORING_OFF_MMAP_MASK, 0xf8000000ULL);
	CONST(IORING_OFF_PBUF_SHIFT, 16);
#ifdef ZCRX_UAPI_KERNEL	/* liburing has no name for it */
	CONST(IORING_OFF_ZCRX_REGION, 0x30000000ULL);
	CONST(IORING_OFF_ZCRX_SHIFT, 16);
#endif
	CONST(IORING_ZCRX_AREA_SHIFT, 48);
	CONST(IORING_ZCRX_AREA_MASK, ~((1ULL << 48) - 1));
	CONST(IORING_ZCRX_AREA_DMABUF, 1);
	CONST(ZCRX_REG_IMPORT, 1);
	CONST(ZCRX_REG_NODEV, 2);
	CONST(ZCRX_FEATURE_RX_PAGE_SIZE, 1U << 0);
	CONST(ZCRX_FEATURE_EVENT, 1U << 1);
	CONST(ZCRX_CTRL_FLUSH_RQ, 0);
	CONST(ZCRX_CTRL_EXPORT, 1);
	CONST(ZCRX_CTRL_ARM_EVENT, 2);
	CONST(ZCRX_EVENT_ALLOC_FAIL, 0);
	CONST(ZCRX_EVENT_COPY, 1);
	CONST(ZCRX_EVENT_DESC_FLAG_STATS, 1);
	CONST(IO_URING_QUERY_OPCODES, 0);
	CONST(IO_URING_QUERY_ZCRX, 1);
	CONST(IO_URING_QUERY_SCQ, 2);

	/* The mask must be a full 64-bit value, not an int. */
	check("sizeof(IORING_ZCRX_AREA_MASK)", sizeof(IORING_ZCRX_AREA_MASK),
	      8, 0);
}

/* The RECV_ZC fields of the SQE, as liburing 2.3 names them. */
static void check_sqe(void)
{
	SIZE(io_uring_sqe, 64);
	NESTED(io_uring_sqe, opcode, 0, 1);
	NESTED(io_uring_sqe, ioprio, 2, 2);
	NESTED(io_uring_sqe, fd, 4, 4);
	NESTED(io_uring_sqe, len, 24, 4);
	NESTED(io_uring_sqe, msg_flags, 28, 4);
	/* liburing-ext names it on a liburing that has only file_index */
	FIELD(io_uring_sqe, zcrx_ifq_idx, 44, u32);
	FIELD(io_uring_sqe, file_index, 44, u32);
	SIZE(io_uring_cqe, 16);
}

static void check_structs(void)
{
	SIZE(io_uring_region_desc, 64);
	FIELD(io_uring_region_desc, user_addr, 0, u64);
	FIELD(io_uring_region_desc, size, 8, u64);
	FIELD(io_uring_region_desc, flags, 16, u32);
	FIELD(io_uring_region_desc, id, 20, u32);
	FIELD(io_uring_region_desc, mmap_offset, 24, u64);
	ARRAY(io_uring_region_desc, __resv, 32, u64, 4);

	SIZE(io_uring_zcrx_rqe, 16);
	FIELD(io_uring_zcrx_rqe, off, 0, u64);
	FIELD(io_uring_zcrx_rqe, len, 8, u32);
	FIELD(io_uring_zcrx_rqe, __pad, 12, u32);

	SIZE(io_uring_zcrx_cqe, 16);
	FIELD(io_uring_zcrx_cqe, off, 0, u64);
	FIELD(io_uring_zcrx_cqe, __pad, 8, u64);

	SIZE(io_uring_zcrx_offsets, 32);
	FIELD(io_uring_zcrx_offsets, head, 0, u32);
	FIELD(io_uring_zcrx_offsets, tail, 4, u32);
	FIELD(io_uring_zcrx_offsets, rqes, 8, u32);
	FIELD(io_uring_zcrx_offsets, __resv2, 12, u32);
	ARRAY(io_uring_zcrx_offsets, __resv, 16, u64, 2);

	SIZE(io_uring_zcrx_area_reg, 48);
	FIELD(io_uring_zcrx_area_reg, addr, 0, u64);
	FIELD(io_uring_zcrx_area_reg, len, 8, u64);
	FIELD(io_uring_zcrx_area_reg, rq_area_token, 16, u64);
	FIELD(io_uring_zcrx_area_reg, flags, 24, u32);
	FIELD(io_uring_zcrx_area_reg, dmabuf_fd, 28, u32);
	ARRAY(io_uring_zcrx_area_reg, __resv2, 32, u64, 2);

	SIZE(io_uring_zcrx_ifq_reg, 96);
	FIELD(io_uring_zcrx_ifq_reg, if_idx, 0, u32);
	FIELD(io_uring_zcrx_ifq_reg, if_rxq, 4, u32);
	FIELD(io_uring_zcrx_ifq_reg, rq_entries, 8, u32);
	FIELD(io_uring_zcrx_ifq_reg, flags, 12, u32);
	FIELD(io_uring_zcrx_ifq_reg, area_ptr, 16, u64);
	FIELD(io_uring_zcrx_ifq_reg, region_ptr, 24, u64);
	NESTED(io_uring_zcrx_ifq_reg, offsets, 32,
	       sizeof(struct io_uring_zcrx_offsets));
	FIELD(io_uring_zcrx_ifq_reg, zcrx_id, 64, u32);
#if LIBURING_EXT_IFQ_REG_HAS_RX_BUF_LEN
	FIELD(io_uring_zcrx_ifq_reg, rx_buf_len, 68, u32);
#else	/* a liburing before rx_buf_len */
	FIELD(io_uring_zcrx_ifq_reg, __resv2, 68, u32);
#endif
#if LIBURING_EXT_IFQ_REG_HAS_EVENT_DESC
	FIELD(io_uring_zcrx_ifq_reg, event_desc, 72, u64);
	ARRAY(io_uring_zcrx_ifq_reg, __resv, 80, u64, 2);
#else	/* a liburing before event_desc */
	ARRAY(io_uring_zcrx_ifq_reg, __resv, 72, u64, 3);
#endif

#ifndef ZCRX_UAPI_KERNEL
	/* liburing-ext's copy with every member, whatever liburing has */
	SIZE(io_uring_ext_zcrx_ifq_reg, 96);
	FIELD(io_uring_ext_zcrx_ifq_reg, if_idx, 0, u32);
	FIELD(io_uring_ext_zcrx_ifq_reg, if_rxq, 4, u32);
	FIELD(io_uring_ext_zcrx_ifq_reg, rq_entries, 8, u32);
	FIELD(io_uring_ext_zcrx_ifq_reg, flags, 12, u32);
	FIELD(io_uring_ext_zcrx_ifq_reg, area_ptr, 16, u64);
	FIELD(io_uring_ext_zcrx_ifq_reg, region_ptr, 24, u64);
	NESTED(io_uring_ext_zcrx_ifq_reg, offsets, 32,
	       sizeof(struct io_uring_zcrx_offsets));
	FIELD(io_uring_ext_zcrx_ifq_reg, zcrx_id, 64, u32);
	FIELD(io_uring_ext_zcrx_ifq_reg, rx_buf_len, 68, u32);
	FIELD(io_uring_ext_zcrx_ifq_reg, event_desc, 72, u64);
	ARRAY(io_uring_ext_zcrx_ifq_reg, __resv, 80, u64, 2);

	SIZE(io_uring_ext_zcrx_ctrl, 72);
	FIELD(io_uring_ext_zcrx_ctrl, zcrx_id, 0, u32);
	FIELD(io_uring_ext_zcrx_ctrl, op, 4, u32);
	ARRAY(io_uring_ext_zcrx_ctrl, __resv, 8, u64, 2);
	NESTED(io_uring_ext_zcrx_ctrl, zc_flush, 24, 48);
	NESTED(io_uring_ext_zcrx_ctrl, zc_export, 24, 48);
	NESTED(io_uring_ext_zcrx_ctrl, zc_arm_event, 24, 48);
	FIELD(io_uring_ext_zcrx_ctrl, zc_arm_event.event_type, 24, u32);
#endif

	SIZE(zcrx_ctrl, 72);
	FIELD(zcrx_ctrl, zcrx_id, 0, u32);
	FIELD(zcrx_ctrl, op, 4, u32);
	ARRAY(zcrx_ctrl, __resv, 8, u64, 2);
	NESTED(zcrx_ctrl, zc_flush, 24, 48);
	NESTED(zcrx_ctrl, zc_export, 24, 48);
	FIELD(zcrx_ctrl, zc_export.zcrx_fd, 24, u32);
#if LIBURING_EXT_ZCRX_CTRL_HAS_ARM_EVENT
	NESTED(zcrx_ctrl, zc_arm_event, 24, 48);
	FIELD(zcrx_ctrl, zc_arm_event.event_type, 24, u32);
#endif

	SIZE(zcrx_ctrl_flush_rq, 48);
	ARRAY(zcrx_ctrl_flush_rq, __resv, 0, u64, 6);

	SIZE(zcrx_ctrl_export, 48);
	FIELD(zcrx_ctrl_export, zcrx_fd, 0, u32);
	ARRAY(zcrx_ctrl_export, __resv1, 4, u32, 11);

	SIZE(zcrx_ctrl_arm_event, 48);
	FIELD(zcrx_ctrl_arm_event, event_type, 0, u32);
	ARRAY(zcrx_ctrl_arm_event, __resv, 4, u32, 11);

	SIZE(zcrx_event_desc, 96);
	FIELD(zcrx_event_desc, user_data, 0, u64);
	FIELD(zcrx_event_desc, type_mask, 8, u32);
	FIELD(zcrx_event_desc, flags, 12, u32);
	FIELD(zcrx_event_desc, stats_offset, 16, u64);
	ARRAY(zcrx_event_desc, __resv2, 24, u64, 9);

	SIZE(zcrx_stats, 16);
	FIELD(zcrx_stats, copy_count, 0, u64);
	FIELD(zcrx_stats, copy_bytes, 8, u64);

	SIZE(io_uring_query_hdr, 40);
	FIELD(io_uring_query_hdr, next_entry, 0, u64);
	FIELD(io_uring_query_hdr, query_data, 8, u64);
	FIELD(io_uring_query_hdr, query_op, 16, u32);
	FIELD(io_uring_query_hdr, size, 20, u32);
	FIELD(io_uring_query_hdr, result, 24, s32);
	ARRAY(io_uring_query_hdr, __resv, 28, u32, 3);

	SIZE(io_uring_query_opcode, 48);
	FIELD(io_uring_query_opcode, nr_request_opcodes, 0, u32);
	FIELD(io_uring_query_opcode, nr_register_opcodes, 4, u32);
	FIELD(io_uring_query_opcode, feature_flags, 8, u64);
	FIELD(io_uring_query_opcode, ring_setup_flags, 16, u64);
	FIELD(io_uring_query_opcode, enter_flags, 24, u64);
	FIELD(io_uring_query_opcode, sqe_flags, 32, u64);
	FIELD(io_uring_query_opcode, nr_query_opcodes, 40, u32);
	FIELD(io_uring_query_opcode, __pad, 44, u32);

#ifndef ZCRX_UAPI_KERNEL
	/* liburing's (2.10) mapped refill ring, not a kernel structure */
	SIZE(io_uring_zcrx_rq, 40);
	NESTED(io_uring_zcrx_rq, khead, 0, 8);
	NESTED(io_uring_zcrx_rq, ktail, 8, 8);
	FIELD(io_uring_zcrx_rq, rq_tail, 16, u32);
	FIELD(io_uring_zcrx_rq, ring_entries, 20, u32);
	NESTED(io_uring_zcrx_rq, rqes, 24, 8);
	NESTED(io_uring_zcrx_rq, ring_ptr, 32, 8);
#endif

	SIZE(io_uring_query_zcrx, 40);
	FIELD(io_uring_query_zcrx, register_flags, 0, u64);
	FIELD(io_uring_query_zcrx, area_flags, 8, u64);
	FIELD(io_uring_query_zcrx, nr_ctrl_opcodes, 16, u32);
	FIELD(io_uring_query_zcrx, features, 20, u32);
	FIELD(io_uring_query_zcrx, rq_hdr_size, 24, u32);
	FIELD(io_uring_query_zcrx, rq_hdr_alignment, 28, u32);
	FIELD(io_uring_query_zcrx, __resv2, 32, u64);

#ifndef ZCRX_UAPI_KERNEL	/* not in the 6.12 series */
	SIZE(io_uring_query_scq, 16);
	FIELD(io_uring_query_scq, hdr_size, 0, u64);
	FIELD(io_uring_query_scq, hdr_alignment, 8, u64);
#endif
}

int main(void)
{
	check_numbers();
	check_sqe();
	check_structs();
	if (nr_bad)
		return t_fail("%d of %d UAPI checks failed", nr_bad, nr_checks);
	printf("%d UAPI checks passed\n", nr_checks);
	return T_EXIT_PASS;
}
