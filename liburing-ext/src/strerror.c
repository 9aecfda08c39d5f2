/* SPDX-License-Identifier: MIT */
/*
 * io_uring_zcrx_strerror(): what the results of io_uring_zcrx_check() and
 * the negative errnos of the other helpers mean.
 */
#include <string.h>

#include "lib.h"

static const char *const reasons[IO_URING_ZCRX_REASON_MAX] = {
	[IO_URING_ZCRX_OK] =
		"zcrx can be used",
	[IO_URING_ZCRX_NO_IO_URING] =
		"io_uring is missing or disabled (sysctl kernel.io_uring_disabled)",
	[IO_URING_ZCRX_NO_KERNEL_SUPPORT] =
		"the kernel has no io_uring zero-copy receive (IORING_OP_RECV_ZC)",
	[IO_URING_ZCRX_NO_NODEV] =
		"the kernel has no device-less zcrx (ZCRX_REG_NODEV)",
	[IO_URING_ZCRX_NO_CAP_NET_ADMIN] =
		"zcrx registration needs CAP_NET_ADMIN",
	[IO_URING_ZCRX_NO_DEVICE] =
		"no such network interface",
	[IO_URING_ZCRX_NO_QUEUE] =
		"the interface has no such rx queue",
	[IO_URING_ZCRX_QUEUE_BUSY] =
		"the rx queue already has a memory provider (zcrx or devmem)",
	[IO_URING_ZCRX_NO_QUEUE_MGMT] =
		"the driver cannot restart a queue with a memory provider (no queue management)",
	[IO_URING_ZCRX_HDS_OFF] =
		"header split is off: enable it (ethtool -G IF tcp-data-split on)",
	[IO_URING_ZCRX_HDS_THRESH] =
		"hds-thresh is not 0 (ethtool -G IF hds-thresh 0)",
};

const char *io_uring_zcrx_strerror(int code)
{
	if (code < 0)
		return code > -4096 ? strerror(-code) : "unknown error";
	if (code >= IO_URING_ZCRX_REASON_MAX || !reasons[code])
		return "unknown zcrx check result";
	return reasons[code];
}
