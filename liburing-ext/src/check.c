/* SPDX-License-Identifier: MIT */
/*
 * io_uring_zcrx_check(): can zcrx be used here, and if not, why. Asks the
 * kernel (IORING_REGISTER_QUERY, else the opcode probe), tries a
 * registration that cannot succeed for CAP_NET_ADMIN, and looks at the
 * interface through netdev and ethtool netlink.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/mman.h>

#include "lib.h"

#define ETHTOOL_TCP_SPLIT_ENABLED	2

/*
 * Registration checks CAP_NET_ADMIN before it reads its argument: EPERM
 * without it, EFAULT for an argument that cannot be read (NULL is refused
 * earlier, with EINVAL, whatever the capabilities).
 */
static int check_cap(struct io_uring *ring)
{
	void *noaccess;
	int ret;

	noaccess = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (noaccess == MAP_FAILED)
		return -errno;
	ret = io_uring_register_ifq(ring, noaccess);
	munmap(noaccess, 4096);
	if (ret == -EPERM)
		return IO_URING_ZCRX_NO_CAP_NET_ADMIN;
	return ret == -EFAULT ? IO_URING_ZCRX_OK : (ret < 0 ? ret : -EPROTO);
}

/* What the kernel supports: an enum io_uring_zcrx_reason or -errno. */
static int check_kernel(bool nodev)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
	};
	struct io_uring_query_zcrx qz;
	struct io_uring_query_hdr hdr;
	struct io_uring_probe *probe;
	struct io_uring ring;
	bool has_zcrx, has_nodev = false;
	int ret;

	ret = io_uring_queue_init_params(2, &ring, &p);
	if (ret == -ENOSYS || ret == -EPERM)
		return IO_URING_ZCRX_NO_IO_URING;
	if (ret == -EINVAL)	/* no DEFER_TASKRUN or CQE32: older than zcrx */
		return IO_URING_ZCRX_NO_KERNEL_SUPPORT;
	if (ret)
		return ret;

	memset(&qz, 0, sizeof(qz));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_data = (__u64)(uintptr_t)&qz;
	hdr.query_op = IO_URING_QUERY_ZCRX;
	hdr.size = sizeof(qz);
	if (!io_uring_register_query(&hdr) && !hdr.result) {
		has_zcrx = true;
		has_nodev = qz.register_flags & ZCRX_REG_NODEV;
	} else {
		/* no query (before 6.18): the opcode probe; no NODEV then */
		probe = io_uring_get_probe_ring(&ring);
		has_zcrx = probe &&
			   io_uring_opcode_supported(probe, IORING_OP_RECV_ZC);
		if (probe)
			io_uring_free_probe(probe);
	}

	if (!has_zcrx) {
		ret = IO_URING_ZCRX_NO_KERNEL_SUPPORT;
	} else if (nodev && !has_nodev) {
		ret = IO_URING_ZCRX_NO_NODEV;
	} else {
		ret = check_cap(&ring);
	}
	io_uring_queue_exit(&ring);
	return ret;
}

/* Queue @rxq of @ifindex: an enum io_uring_zcrx_reason or -errno. */
static int check_queue(unsigned int ifindex, unsigned int rxq)
{
	struct __io_uring_ext_queue q;
	struct __io_uring_ext_rings rings;
	int ret, err;

	/* netdev netlink, 6.9 and later; ENOENT: device down or too old */
	ret = __io_uring_ext_queue_get(ifindex, rxq, &q);
	if (ret == -ENODEV)
		return IO_URING_ZCRX_NO_DEVICE;
	if (ret == -EINVAL)
		return IO_URING_ZCRX_NO_QUEUE;

	err = __io_uring_ext_rings_get(ifindex, &rings);
	if (!err) {
		if (rings.split != ETHTOOL_TCP_SPLIT_ENABLED)
			return IO_URING_ZCRX_HDS_OFF;
		if (rings.has_thresh && rings.thresh)
			return IO_URING_ZCRX_HDS_THRESH;
	} else if (err == -EOPNOTSUPP) {
		/* no ring parameters at all: no header split either */
		return IO_URING_ZCRX_HDS_OFF;
	}

	if (!ret && (q.io_uring || q.has_dmabuf))
		return IO_URING_ZCRX_QUEUE_BUSY;
	return IO_URING_ZCRX_OK;
}

int io_uring_zcrx_check(const char *ifname, unsigned int ifindex,
			unsigned int rxq, unsigned int flags)
{
	bool nodev = flags & ZCRX_REG_NODEV;
	char name[IF_NAMESIZE];
	int ret;

	if (flags & ~(unsigned int)ZCRX_REG_NODEV)
		return -EINVAL;
	if (nodev ? (ifname || ifindex || rxq) : (!ifname && !ifindex))
		return -EINVAL;

	ret = check_kernel(nodev);
	if (ret || nodev)
		return ret;

	if (ifname) {
		ret = io_uring_zcrx_ifindex(ifname);
		if (ret == -ENODEV)
			return IO_URING_ZCRX_NO_DEVICE;
		if (ret < 0)
			return ret;
		ifindex = (unsigned int)ret;
	} else if (!if_indextoname(ifindex, name)) {
		return IO_URING_ZCRX_NO_DEVICE;
	}
	return check_queue(ifindex, rxq);
}
