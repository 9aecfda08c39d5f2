/* SPDX-License-Identifier: MIT */
/*
 * Description: IORING_REGISTER_ZCRX_IFQ with a dma-buf area
 * (IORING_ZCRX_AREA_DMABUF) refuses every bad area with the errno of
 * behaviour.md, one bad input per case, on rx queue 0 of a netdevsim port
 * with header split, everything else valid (raw UAPI: the area
 * descriptor is what is tested). The dma-buf is a 64 KiB udmabuf:
 *   - offset (addr) 4096 or 8: EINVAL; length 32 KiB or 128 KiB (not the
 *     dma-buf's mapped length): EINVAL; length 0 or 1 GiB + 4 KiB:
 *     EFAULT;
 *   - dmabuf_fd a memfd (not a dma-buf): EINVAL; INT_MAX (never open) or
 *     -1: EBADF;
 *   - DMABUF with an unknown flag too, or with a reserved word: EINVAL;
 *   - dmabuf_fd set on a user-memory area: EINVAL;
 *   - device-less (ZCRX_REG_NODEV), which has no device to map it for:
 *     EINVAL.
 * The valid registration works before and after the bad ones (a failed
 * one leaves the queue free), with rq_area_token 0 written back; so does
 * a dma-buf from the system heap and one of device memory (the ivshmem
 * heap); the device memory's own mmap (page frames without struct pages)
 * registered as a user-memory area cannot be pinned: EFAULT. Skips
 * without netdevsim with header split, udmabuf, the system heap or the
 * device memory heap (fails on the project's kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-heap.h>

#include <liburing-ext.h>

#include "devmem.h"
#include "zcrx.h"

#define PAGE_SZ		4096UL
#define DMABUF_LEN	(64UL << 10)
#define RQ_ENTRIES	64
#define REGION_LEN	(2 * PAGE_SZ)
#define RING_FLAGS	(IORING_SETUP_DEFER_TASKRUN | \
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32)

enum fd_kind { FD_UDMABUF, FD_HEAP, FD_DEVMEM, FD_MEMFD, FD_CLOSED,
	       FD_MINUS_ONE, FD_NONE };

struct dcase {
	const char *name;
	__u32 flags;		/* area flags */
	__u64 addr;
	__u64 len;
	enum fd_kind fd;
	bool user;		/* a user-memory area (addr: the test's) */
	bool devmem_user;	/* a user-memory area at the device memory's mmap */
	bool nodev;
	__u64 resv;		/* __resv2[0] */
	int want;
};

#define DB	IORING_ZCRX_AREA_DMABUF

static const struct dcase cases[] = {
	{ "valid: udmabuf, offset 0, its length", DB, 0, DMABUF_LEN,
	  FD_UDMABUF, .want = 0 },
	{ "offset 4096", DB, 4096, DMABUF_LEN - 4096, FD_UDMABUF,
	  .want = -EINVAL },
	{ "offset 8 (unaligned)", DB, 8, DMABUF_LEN, FD_UDMABUF,
	  .want = -EINVAL },
	{ "length 32 KiB of a 64 KiB dma-buf", DB, 0, DMABUF_LEN / 2,
	  FD_UDMABUF, .want = -EINVAL },
	{ "length 128 KiB of a 64 KiB dma-buf", DB, 0, DMABUF_LEN * 2,
	  FD_UDMABUF, .want = -EINVAL },
	{ "length 4097 (unaligned)", DB, 0, PAGE_SZ + 1, FD_UDMABUF,
	  .want = -EINVAL },
	{ "length 0", DB, 0, 0, FD_UDMABUF, .want = -EFAULT },
	{ "length 1 GiB + 4 KiB", DB, 0, (1ULL << 30) + PAGE_SZ, FD_UDMABUF,
	  .want = -EFAULT },
	{ "dmabuf_fd a memfd (not a dma-buf)", DB, 0, DMABUF_LEN, FD_MEMFD,
	  .want = -EINVAL },
	{ "dmabuf_fd INT_MAX (never open)", DB, 0, DMABUF_LEN, FD_CLOSED,
	  .want = -EBADF },
	{ "dmabuf_fd -1", DB, 0, DMABUF_LEN, FD_MINUS_ONE, .want = -EBADF },
	{ "flags DMABUF | 1 << 1", DB | 2, 0, DMABUF_LEN, FD_UDMABUF,
	  .want = -EINVAL },
	{ "__resv2[0] set", DB, 0, DMABUF_LEN, FD_UDMABUF, .resv = 1,
	  .want = -EINVAL },
	{ "dmabuf_fd set on a user-memory area", 0, 0, DMABUF_LEN,
	  FD_UDMABUF, .user = true, .want = -EINVAL },
	{ "device-less (NODEV) with a dma-buf area", DB, 0, DMABUF_LEN,
	  FD_UDMABUF, .nodev = true, .want = -EINVAL },
	{ "valid again: the failures left the queue free", DB, 0, DMABUF_LEN,
	  FD_UDMABUF, .want = 0 },
	{ "valid: system heap, offset 0, its length", DB, 0, DMABUF_LEN,
	  FD_HEAP, .want = 0 },
	{ "valid: device memory heap, offset 0, its length", DB, 0, DMABUF_LEN,
	  FD_DEVMEM, .want = 0 },
	/* a PFN mapping without struct pages: nothing to pin */
	{ "user-memory area at a device memory mmap", 0, 0, DMABUF_LEN,
	  FD_NONE, .devmem_user = true, .want = -EFAULT },
};

struct fds {
	struct t_udmabuf ubuf;
	int heap, memfd;
	struct t_udmabuf devmem;	/* from the device memory heap */
	void *user, *devmem_rw;
};

/* A dma-buf of @len bytes from the system heap in *@fd: 0 or a status. */
static int heap_alloc(size_t len, int *fd)
{
	struct dma_heap_allocation_data d = {
		.len = len, .fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);

	if (heap < 0)
		return t_lacks("no /dev/dma_heap/system: %s", strerror(errno));
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d)) {
		close(heap);
		return t_fail("DMA_HEAP_IOCTL_ALLOC %zu: %s", len,
			      strerror(errno));
	}
	close(heap);
	*fd = (int)d.fd;
	return 0;
}

static int run_case(const struct t_nsim_pair *p, const struct fds *f,
		    const struct dcase *dc)
{
	struct io_uring_params prm = { .flags = RING_FLAGS };
	struct io_uring_zcrx_area_reg ar;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring ring;
	void *region;
	int ret, self;

	region = mmap(NULL, REGION_LEN, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	t_check(region != MAP_FAILED, "mmap");
	ret = io_uring_queue_init_params(8, &ring, &prm);
	t_check(!ret, "ring: %s", strerror(-ret));

	memset(&ar, 0, sizeof(ar));
	memset(&rd, 0, sizeof(rd));
	memset(&reg, 0, sizeof(reg));
	ar.flags = dc->flags;
	ar.addr = dc->user ? (__u64)(uintptr_t)f->user :
		  dc->devmem_user ? (__u64)(uintptr_t)f->devmem_rw : dc->addr;
	ar.len = dc->len;
	ar.__resv2[0] = dc->resv;
	switch (dc->fd) {
	case FD_UDMABUF: ar.dmabuf_fd = (__u32)f->ubuf.fd; break;
	case FD_HEAP: ar.dmabuf_fd = (__u32)f->heap; break;
	case FD_DEVMEM: ar.dmabuf_fd = (__u32)f->devmem.fd; break;
	case FD_NONE: ar.dmabuf_fd = 0; break;
	case FD_MEMFD: ar.dmabuf_fd = (__u32)f->memfd; break;
	case FD_CLOSED: ar.dmabuf_fd = (__u32)INT_MAX; break;
	case FD_MINUS_ONE: ar.dmabuf_fd = (__u32)-1; break;
	}
	rd.user_addr = (__u64)(uintptr_t)region;
	rd.size = REGION_LEN;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	reg.if_idx = dc->nodev ? 0 : (__u32)p->ifindex[1];
	reg.if_rxq = 0;
	reg.rq_entries = RQ_ENTRIES;
	reg.flags = dc->nodev ? ZCRX_REG_NODEV : 0;
	reg.area_ptr = (__u64)(uintptr_t)&ar;
	reg.region_ptr = (__u64)(uintptr_t)&rd;

	self = t_netns_visit(p->netns[1]);
	t_check(self >= 0, "entering %s", p->netns[1]);
	ret = io_uring_register_ifq(&ring, &reg);
	t_netns_leave(self);
	printf("%-56s %s\n", dc->name, t_errname(ret));
	if (ret != dc->want)
		ret = t_fail("%s: %s, want %s", dc->name, t_errname(ret),
			     t_errname(dc->want));
	else if (!ret && ar.rq_area_token)
		ret = t_fail("%s: rq_area_token %#llx written back, want 0",
			     dc->name, (unsigned long long)ar.rq_area_token);
	else
		ret = 0;
	/* the queue is free again once the ring has exited */
	io_uring_queue_exit(&ring);
	munmap(region, REGION_LEN);
	return ret;
}

int main(void)
{
	struct t_nsim_pair pair;
	struct fds f = {
		.heap = -1, .memfd = -1, .devmem = { .fd = -1, .memfd = -1 },
	};
	size_t i;
	int ret;

	setlinebuf(stdout);
	ret = t_zcrx_require_dmabuf();
	if (ret)
		return ret;
	ret = t_nsim_pair_create(&pair, 2);
	if (ret)
		return ret;
	ret = t_hds_enable(pair.netns[1], pair.ifindex[1]);
	if (ret) {
		ret = ret == -EOPNOTSUPP ? t_lacks("netdevsim cannot split headers") :
		      t_fail("enabling header split: %s", t_errname(ret));
		goto out_pair;
	}
	ret = t_udmabuf_create(&f.ubuf, DMABUF_LEN);
	if (ret)
		goto out_pair;
	ret = heap_alloc(DMABUF_LEN, &f.heap);
	if (ret)
		goto out;
	ret = t_heap_dmabuf_create(&f.devmem, DMABUF_LEN);
	if (ret)
		goto out;
	f.devmem_rw = mmap(NULL, DMABUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			   f.devmem.fd, 0);
	t_check(f.devmem_rw != MAP_FAILED, "mmap of device memory: %s",
		strerror(errno));
	f.memfd = memfd_create("zcrx-dmabuf-errors", MFD_CLOEXEC);
	t_check(f.memfd >= 0 && !ftruncate(f.memfd, DMABUF_LEN), "memfd");
	f.user = mmap(NULL, DMABUF_LEN, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	t_check(f.user != MAP_FAILED, "mmap");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = run_case(&pair, &f, &cases[i]);
		if (ret)
			break;
	}
	munmap(f.user, DMABUF_LEN);
	munmap(f.devmem_rw, DMABUF_LEN);
out:
	t_udmabuf_destroy(&f.devmem);
	if (f.heap >= 0)
		close(f.heap);
	if (f.memfd >= 0)
		close(f.memfd);
	t_udmabuf_destroy(&f.ubuf);
out_pair:
	t_nsim_pair_destroy(&pair);
	return ret;
}
