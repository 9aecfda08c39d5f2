/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring_prep_recv_zc() writes the RECV_ZC SQE of uapi.md
 * byte for byte: opcode 58 @0, fd @4, ioprio @2 = IORING_RECV_MULTISHOT
 * (| IORING_RECVSEND_POLL_FIRST), len @24, zcrx_ifq_idx @44, every other
 * byte zero, except user_data @32, which it leaves alone. A host test.
 */
#include <string.h>

#include <liburing-ext.h>

#include "helpers.h"

static void put(unsigned char *img, size_t off, const void *v, size_t len)
{
	memcpy(img + off, v, len);
}

static int check(int fd, unsigned int zcrx_id, unsigned int len,
		 unsigned int flags, __u16 ioprio)
{
	unsigned char want[64], *got;
	struct io_uring_sqe sqe;
	__u64 user_data = 0x0123456789abcdefULL;
	__s32 fd32 = fd;
	__u8 op = 58;
	size_t i;

	/* the SQE as the last user left it */
	memset(&sqe, 0xa5, sizeof(sqe));
	sqe.user_data = user_data;
	io_uring_prep_recv_zc(&sqe, fd, zcrx_id, len, flags);

	memset(want, 0, sizeof(want));
	put(want, 0, &op, 1);
	put(want, 2, &ioprio, 2);
	put(want, 4, &fd32, 4);
	put(want, 24, &len, 4);
	put(want, 32, &user_data, 8);
	put(want, 44, &zcrx_id, 4);

	got = (unsigned char *)&sqe;
	for (i = 0; i < sizeof(want); i++)
		if (got[i] != want[i])
			return t_fail("fd %d id %u len %u flags %#x: byte %zu is %#x, want %#x",
				      fd, zcrx_id, len, flags, i, got[i],
				      want[i]);
	/* and by name, as liburing 2.3 calls the fields */
	if (sqe.opcode != IORING_OP_RECV_ZC || sqe.ioprio != ioprio ||
	    sqe.fd != fd || sqe.len != len || sqe.file_index != zcrx_id ||
	    sqe.msg_flags || sqe.addr || sqe.off || sqe.addr3)
		return t_fail("SQE fields by name disagree");
	return 0;
}

int main(void)
{
	if (sizeof(struct io_uring_sqe) != 64)
		return t_fail("sizeof(struct io_uring_sqe) %zu",
			      sizeof(struct io_uring_sqe));
	if (check(7, 3, 4096, 0, IORING_RECV_MULTISHOT) ||
	    check(7, 3, 4096, IORING_RECVSEND_POLL_FIRST,
		  IORING_RECV_MULTISHOT | IORING_RECVSEND_POLL_FIRST) ||
	    check(0, 0, 0, 0, 2) ||
	    check(0x7fffffff, 0xffffffff, 0xffffffff, 1, 3))
		return T_EXIT_FAIL;
	printf("RECV_ZC SQE layout checks passed\n");
	return T_EXIT_PASS;
}
