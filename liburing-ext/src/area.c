/* SPDX-License-Identifier: MIT */
/*
 * Receive areas: anonymous memory, 2 MiB huge pages, a udmabuf dma-buf over
 * a sealed memfd, or a dma-buf from the system dma-heap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "lib.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB	(21 << MAP_HUGE_SHIFT)
#endif

#define SZ_2M		(2UL << 20)

static size_t align_up(size_t len, size_t align)
{
	return (len + align - 1) & ~(align - 1);
}

static int map_anon(struct io_uring_ext_zcrx_area *area, int flags)
{
	void *p = mmap(NULL, area->len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	area->addr = p;
	return 0;
}

/* Map dma-buf @area->dmabuf_fd for the CPU. */
static int map_dmabuf(struct io_uring_ext_zcrx_area *area)
{
	void *p = mmap(NULL, area->len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       area->dmabuf_fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	area->addr = p;
	return 0;
}

static int alloc_udmabuf(struct io_uring_ext_zcrx_area *area)
{
	struct udmabuf_create create = { .flags = UDMABUF_FLAGS_CLOEXEC };
	int dev, ret;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	area->memfd = memfd_create("zcrx-area", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (area->memfd < 0) {
		ret = -errno;
		goto out;
	}
	/* udmabuf wants a memfd that cannot shrink under it */
	if (ftruncate(area->memfd, area->len) ||
	    fcntl(area->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		goto out;
	}
	create.memfd = area->memfd;
	create.size = area->len;
	ret = ioctl(dev, UDMABUF_CREATE, &create);
	if (ret < 0) {
		ret = -errno;
		goto out;
	}
	area->dmabuf_fd = ret;
	ret = map_dmabuf(area);
out:
	close(dev);
	return ret;
}

/* A dma-buf from /dev/dma_heap/@heap, mapped through the dma-buf. */
static int alloc_dma_heap(struct io_uring_ext_zcrx_area *area,
			  const char *heap_name)
{
	struct dma_heap_allocation_data data = {
		.len = area->len,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	char path[128];
	int heap, ret;

	if ((size_t)snprintf(path, sizeof(path), "/dev/dma_heap/%s",
			     heap_name) >= sizeof(path))
		return -ENAMETOOLONG;
	heap = open(path, O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		return -errno;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &data) ? -errno : 0;
	close(heap);
	if (ret)
		return ret;
	area->dmabuf_fd = data.fd;
	return map_dmabuf(area);
}

int io_uring_zcrx_area_alloc_heap(struct io_uring_ext_zcrx_area *area,
				  const char *heap, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int ret;

	memset(area, 0, sizeof(*area));
	area->dmabuf_fd = -1;
	area->memfd = -1;
	if (!heap || !*heap || strchr(heap, '/') || !len ||
	    len > SIZE_MAX - page)
		return -EINVAL;
	area->type = IO_URING_ZCRX_AREA_DMA_HEAP;
	area->len = align_up(len, page);
	ret = alloc_dma_heap(area, heap);
	if (ret)
		io_uring_zcrx_area_free(area);
	return ret;
}

int io_uring_zcrx_area_alloc(struct io_uring_ext_zcrx_area *area, int type,
			     size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int ret;

	memset(area, 0, sizeof(*area));
	area->dmabuf_fd = -1;
	area->memfd = -1;
	if (type < IO_URING_ZCRX_AREA_ANON || type > IO_URING_ZCRX_AREA_DMA_HEAP ||
	    !len || len > SIZE_MAX - SZ_2M)
		return -EINVAL;
	area->type = type;
	area->len = align_up(len, type == IO_URING_ZCRX_AREA_HUGE_2M ?
				  SZ_2M : page);

	switch (type) {
	case IO_URING_ZCRX_AREA_ANON:
		ret = map_anon(area, 0);
		break;
	case IO_URING_ZCRX_AREA_HUGE_2M:
		ret = map_anon(area, MAP_HUGETLB | MAP_HUGE_2MB);
		break;
	case IO_URING_ZCRX_AREA_UDMABUF:
		ret = alloc_udmabuf(area);
		break;
	case IO_URING_ZCRX_AREA_DMA_HEAP:
		ret = alloc_dma_heap(area, "system");
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret)
		io_uring_zcrx_area_free(area);
	return ret;
}

void io_uring_zcrx_area_free(struct io_uring_ext_zcrx_area *area)
{
	if (area->type == IO_URING_ZCRX_AREA_USER)
		return;
	if (area->addr)
		munmap(area->addr, area->len);
	if (area->dmabuf_fd >= 0)
		close(area->dmabuf_fd);
	if (area->memfd >= 0)
		close(area->memfd);
	area->addr = NULL;
	area->len = 0;
	area->dmabuf_fd = -1;
	area->memfd = -1;
}
