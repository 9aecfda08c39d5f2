// SPDX-License-Identifier: GPL-2.0
/*
 * IORING_REGISTER_QUERY: tell user space what this kernel supports, so
 * programs detect features instead of guessing from version numbers.
 */
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <linux/io_uring.h>

#include <uapi/linux/io_uring.h>
#include <uapi/linux/io_uring/query.h>

#include "io_uring.h"
#include "query.h"
#include "zcrx.h"

/* The largest answer of any query */
#define IO_MAX_QUERY_SIZE	(sizeof(struct io_uring_query_opcode))
/* A chain longer than this is more likely a cycle than a request */
#define IO_MAX_QUERY_ENTRIES	1000

static ssize_t io_query_ops(void *data)
{
	struct io_uring_query_opcode *e = data;

	BUILD_BUG_ON(sizeof(*e) > IO_MAX_QUERY_SIZE);

	e->nr_request_opcodes = IORING_OP_LAST;
	/*
	 * One past the highest register opcode, as upstream, not a count:
	 * this kernel has no 31 (SEND_MSG_RING), 33 (RESIZE_RINGS) or 34
	 * (MEM_REGION), which fail with EINVAL like any unknown opcode. A
	 * count without holes would stop at 31 and hide zcrx (32, 35, 36)
	 * from programs that compare an opcode with it.
	 */
	e->nr_register_opcodes = IORING_REGISTER_LAST;
	e->feature_flags = IORING_FEAT_FLAGS;
	e->ring_setup_flags = IORING_SETUP_FLAGS;
	e->enter_flags = IORING_ENTER_FLAGS;
	e->sqe_flags = SQE_VALID_FLAGS;
	e->nr_query_opcodes = IO_URING_QUERY_ZCRX + 1;
	e->__pad = 0;
	return sizeof(*e);
}

static ssize_t io_query_zcrx(void *data)
{
	struct io_uring_query_zcrx *e = data;

	BUILD_BUG_ON(sizeof(*e) > IO_MAX_QUERY_SIZE);

	if (!IS_ENABLED(CONFIG_IO_URING_ZCRX))
		return -EOPNOTSUPP;

	e->register_flags = ZCRX_REG_NODEV;
	e->area_flags = IORING_ZCRX_AREA_DMABUF;
	/* ZCRX_CTRL_FLUSH_RQ only */
	e->nr_ctrl_opcodes = ZCRX_CTRL_FLUSH_RQ + 1;
	/* rx_buf_len: larger buffers where the driver and the area allow */
	e->features = ZCRX_FEATURE_RX_PAGE_SIZE;
	e->rq_hdr_size = IO_ZCRX_RQ_HDR_SIZE;
	e->rq_hdr_alignment = L1_CACHE_BYTES;
	e->__resv2 = 0;
	return sizeof(*e);
}

/*
 * Answer one query. Errors of the query itself go to hdr.result; only a
 * failure to access the header or its data fails the whole chain.
 */
static int io_handle_query_entry(void *data, void __user *uhdr,
				 u64 *next_entry)
{
	struct io_uring_query_hdr hdr;
	size_t usize, res_size = 0;
	ssize_t ret = -EINVAL;
	void __user *udata;

	if (copy_from_user(&hdr, uhdr, sizeof(hdr)))
		return -EFAULT;
	usize = hdr.size;
	hdr.size = min_t(size_t, hdr.size, IO_MAX_QUERY_SIZE);
	udata = u64_to_user_ptr(hdr.query_data);

	if (hdr.query_op > IO_URING_QUERY_ZCRX) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (memchr_inv(hdr.__resv, 0, sizeof(hdr.__resv)) || hdr.result ||
	    !hdr.size)
		goto out;

	memset(data, 0, IO_MAX_QUERY_SIZE);
	if (copy_from_user(data, udata, hdr.size))
		return -EFAULT;

	switch (hdr.query_op) {
	case IO_URING_QUERY_OPCODES:
		ret = io_query_ops(data);
		break;
	case IO_URING_QUERY_ZCRX:
		ret = io_query_zcrx(data);
		break;
	}

	if (ret >= 0) {
		res_size = ret;
		ret = 0;
	}
out:
	hdr.result = ret;
	hdr.size = min_t(size_t, usize, res_size);

	/* the answer, as much of it as the user has room for */
	if (copy_to_user(udata, data, hdr.size))
		return -EFAULT;
	if (copy_to_user(uhdr, &hdr, sizeof(hdr)))
		return -EFAULT;
	*next_entry = hdr.next_entry;
	return 0;
}

/*
 * IORING_REGISTER_QUERY, with or without a ring: @arg is the first of a
 * chain of struct io_uring_query_hdr. Context: process, may sleep.
 */
int io_query(void __user *arg, unsigned int nr_args)
{
	char entry_buffer[IO_MAX_QUERY_SIZE];
	void __user *uhdr = arg;
	int ret, nr = 0;

	if (nr_args)
		return -EINVAL;

	while (uhdr) {
		u64 next_hdr;

		ret = io_handle_query_entry(entry_buffer, uhdr, &next_hdr);
		if (ret)
			return ret;
		uhdr = u64_to_user_ptr(next_hdr);

		/* upstream refuses a chain of exactly this many, too */
		if (++nr >= IO_MAX_QUERY_ENTRIES)
			return -ERANGE;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}
