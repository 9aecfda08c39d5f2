/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring zero-copy receive into dma-buf areas
 * (IORING_ZCRX_AREA_DMABUF) on netdevsim, each area made and registered
 * by liburing-ext (io_uring_zcrx_area_alloc(), io_uring_zcrx_ifq_setup())
 * and read through the dma-buf's own mmap:
 *   - the query reports IORING_ZCRX_AREA_DMABUF in area_flags (else a
 *     skip, a failure on the project's kernel);
 *   - a 256 MiB stream into a 64 MiB udmabuf area, one into a 64 MiB
 *     dma-buf from the system heap, and one into 64 MiB of device memory
 *     (the ivshmem heap: a PCI BAR without struct pages, mapped for
 *     netdevsim with dma_map_resource()): every byte checked through the
 *     dma-buf's mmap, all zero-copy (no copy in the statistics, every CQE
 *     and byte in the kernel's zero-copy count), nothing refused; into
 *     device memory netdevsim's IOMMU counts every byte written there
 *     (debugfs iommu_devmem_bytes), into the others none;
 *   - no copy fallback: a stream steered to another queue than the bound
 *     one arrives in ordinary pages, which the CPU would have to copy
 *     into the dma-buf; the request ends with ENOMEM without a data CQE,
 *     the ring's fdinfo counts copy_refused, nothing is copied or
 *     posted, and the data are still in the socket: plain recv() reads
 *     all of it, intact;
 *   - the dma-buf's last file descriptor closed and its mmap gone while
 *     it is bound: a 32 MiB stream still arrives zero-copy (the kernel
 *     keeps its own reference), the ring exits, and the same queue takes
 *     a new registration right after;
 *   - the port deleted while a udmabuf area is bound, with buffers held
 *     and a request armed: the held buffers are intact afterwards (read
 *     through the mmap), the ring exits cleanly and the port is made
 *     again.
 * The guest runner's kmemleak scan and splat check cover the teardowns.
 * Skips without netdevsim, header split, zcrx, udmabuf, the system heap
 * or the device memory heap (fails on the project's kernel, which has
 * them; the suite's guest has --devmem-bar).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devmem.h"
#include "zcrx.h"

#define AREA_LEN	(64UL << 20)
#define TOTAL		(256ULL << 20)
#define SMALL		(32ULL << 20)
#define REFUSED		(1ULL << 20)

/* the device memory heap, found by main() */
static char devmem_heap[64];

/* IO_URING_ZCRX_AREA_* or this: the device memory heap */
#define AREA_DEVMEM	(-1)

static const char *area_name(int type)
{
	return type == IO_URING_ZCRX_AREA_UDMABUF ? "udmabuf" :
	       type == AREA_DEVMEM ? "device memory" : "system heap";
}

static int setup_ifq(struct t_zcrx *z, const struct t_zcrx_nsim *n,
		     unsigned int rxq, int type, size_t area_len)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = rxq, .area_len = area_len,
		.area_type = type == AREA_DEVMEM ? IO_URING_ZCRX_AREA_DMA_HEAP :
			     type,
		.heap = type == AREA_DEVMEM ? devmem_heap : NULL,
	};
	char what[128];

	snprintf(what, sizeof(what), "a %zu MiB %s dma-buf area on %s queue %u",
		 area_len >> 20, area_name(type), n->pair.ifname[1], rxq);
	return t_zcrx_setup_checked(z, &o, what);
}

/* The ring's fdinfo count of data a dma-buf area could not take. */
static int refused_read(const struct t_zcrx *z, uint64_t *refused)
{
	int ret = t_zcrx_fdinfo_field(z->ring.ring_fd, z->ifq.zcrx_id,
				      "copy_refused", refused);

	if (ret)
		return t_fail("no copy_refused for zcrx %u in the ring's fdinfo: %s",
			      z->ifq.zcrx_id, t_errname(ret));
	return 0;
}

static int stream(const struct t_zcrx_nsim *n, int type, uint16_t port)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	uint64_t refused, written0, written;
	char what[64];
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int ret;

	ret = t_nsim_debugfs_u64(&n->pair, 1, "iommu_devmem_bytes", &written0);
	if (ret)
		return ret;
	ret = setup_ifq(&z, n, n->rxq, type, AREA_LEN);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	snprintf(what, sizeof(what), "256 MiB into a %s area", area_name(type));
	ret = t_zcrx_recv_stream(&rx, &s, n, port, TOTAL, what);
	if (ret)
		goto out;
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC, what);
	if (ret)
		goto out;
	ret = refused_read(&z, &refused);
	if (!ret && refused)
		ret = t_fail("%s: copy_refused %llu, want 0", what,
			     (unsigned long long)refused);
	if (!ret)
		ret = t_nsim_debugfs_u64(&n->pair, 1, "iommu_devmem_bytes",
					 &written);
	if (ret)
		goto out;
	written -= written0;
	printf("%s: netdevsim wrote %llu bytes into device memory\n", what,
	       (unsigned long long)written);
	if (type == AREA_DEVMEM ? written < TOTAL : written != 0)
		ret = t_fail("%s: netdevsim wrote %llu bytes into device memory, want %s",
			     what, (unsigned long long)written,
			     type == AREA_DEVMEM ? "the whole stream" : "none");
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

static int udmabuf_stream(const struct t_zcrx_nsim *n)
{
	return stream(n, IO_URING_ZCRX_AREA_UDMABUF, 5411);
}

static int heap_stream(const struct t_zcrx_nsim *n)
{
	return stream(n, IO_URING_ZCRX_AREA_DMA_HEAP, 5412);
}

static int devmem_stream(const struct t_zcrx_nsim *n)
{
	return stream(n, AREA_DEVMEM, 5416);
}

/* The flow is steered to n->rxq; the area is bound to the other queue. */
static int no_copy(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	unsigned int other = n->rxq ^ 1;
	uint64_t refused, cc, cb;
	struct io_uring_cqe *cqe;
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	uint8_t *buf = NULL;
	size_t got = 0;
	int ret, res;

	ret = setup_ifq(&z, n, other, IO_URING_ZCRX_AREA_UDMABUF, 16UL << 20);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_stream_start(&s, &n->pair, 5413, REFUSED);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_arm(&rx);
	if (ret)
		goto out;
	ret = io_uring_wait_cqe(&z.ring, &cqe);
	if (ret) {
		ret = t_fail("waiting for the RECV_ZC CQE: %s", t_errname(ret));
		goto out;
	}
	res = cqe->res;
	if (cqe->user_data != T_ZCRX_RECV_UD || res != -ENOMEM ||
	    (cqe->flags & IORING_CQE_F_MORE)) {
		ret = t_fail("RECV_ZC of data on queue %u into a dma-buf area on queue %u: first CQE res %s flags %#x user_data %#llx, want ENOMEM without F_MORE (no copy into a dma-buf)",
			     n->rxq, other, t_errname(res), cqe->flags,
			     (unsigned long long)cqe->user_data);
		goto out;
	}
	io_uring_cqe_seen(&z.ring, cqe);
	rx.armed = false;
	ret = refused_read(&z, &refused);
	if (ret)
		goto out;
	t_zcrx_stats_read(&z, &cc, &cb);
	if (!refused || cc || cb) {
		ret = t_fail("after ENOMEM: copy_refused %llu (want > 0), zcrx_stats copy_count %llu copy_bytes %llu (want 0)",
			     (unsigned long long)refused,
			     (unsigned long long)cc, (unsigned long long)cb);
		goto out;
	}
	t_zcrx_rx_stats(&rx);
	if (!rx.zc_known || rx.zc_cqes) {
		ret = t_fail("after ENOMEM: %llu zero-copy CQEs (known %d), want 0",
			     (unsigned long long)rx.zc_cqes, rx.zc_known);
		goto out;
	}
	/* nothing was consumed: the socket still has every byte */
	buf = malloc(REFUSED);
	if (!buf) {
		ret = t_fail("out of memory");
		goto out;
	}
	while (got < REFUSED) {
		ssize_t r = recv(s.fd, buf + got, REFUSED - got, 0);

		if (r <= 0) {
			ret = t_fail("recv() after the refused RECV_ZC: %zd (%s) after %zu of %llu bytes",
				     r, r ? strerror(errno) : "EOF", got,
				     REFUSED);
			goto out;
		}
		got += (size_t)r;
	}
	if (t_pattern_check(buf, 0, REFUSED) >= 0) {
		ret = t_fail("recv() after the refused RECV_ZC: bytes differ from the stream at %ld",
			     t_pattern_check(buf, 0, REFUSED));
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (ret)
		goto out;
	printf("data on queue %u, dma-buf area on queue %u: RECV_ZC ENOMEM, copy_refused %llu, then recv() read all %llu bytes intact\n",
	       n->rxq, other, (unsigned long long)refused, REFUSED);
out:
	free(buf);
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

/* The dma-buf's fd and mapping go while bound; the kernel keeps its own. */
static int fd_closed(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z, again;
	int ret;

	ret = setup_ifq(&z, n, n->rxq, IO_URING_ZCRX_AREA_UDMABUF, 16UL << 20);
	if (ret)
		return ret;
	/* the last user fd of the dma-buf, its memfd and its mmap */
	io_uring_zcrx_area_free(&z.area);
	t_zcrx_rx_init(&rx, &z, -1);
	rx.noverify = true;
	ret = t_zcrx_recv_stream(&rx, &s, n, 5414, SMALL, "fd closed");
	if (ret)
		goto out;
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC,
			      "32 MiB into a udmabuf area whose fd and mmap are gone");
	if (ret)
		goto out;
	t_zcrx_cleanup(&z);
	ret = setup_ifq(&again, n, n->rxq, IO_URING_ZCRX_AREA_UDMABUF,
			16UL << 20);
	if (ret)
		goto out;
	t_zcrx_cleanup(&again);
	printf("queue %u registered again right after the ring exit\n", n->rxq);
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

/* The port goes away under a bound udmabuf area; then it is made again. */
static int deleted(struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	size_t held;
	int ret;

	ret = setup_ifq(&z, n, n->rxq, IO_URING_ZCRX_AREA_UDMABUF, 16UL << 20);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	rx.hold = true;
	ret = t_stream_start(&s, &n->pair, 5415, SMALL);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, 4ULL << 20);
	if (ret)
		goto out;
	held = rx.nheld;
	ret = t_nsim_del_side(&n->pair, 1);
	if (ret) {
		ret = t_fail("deleting %s while a udmabuf area is bound: %s",
			     n->pair.ifname[1], t_errname(ret));
		goto out;
	}
	t_stream_abort(&s);
	/* checked again through the mmap as they go back */
	ret = t_zcrx_return(&rx, SIZE_MAX, false);
	if (ret)
		goto out;
	printf("port deleted with %zu buffers (%llu bytes) held: all intact\n",
	       held, (unsigned long long)rx.off);
	t_zcrx_rx_free(&rx);
	t_zcrx_cleanup(&z);
	ret = t_nsim_side_again(&n->pair, 1);
	if (ret)
		return t_fail("making %s again", n->pair.netns[1]);
	return 0;
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = {
		udmabuf_stream, heap_stream, devmem_stream, no_copy,
		fd_closed, NULL,
	};
	const t_zcrx_nsim_case *c;
	struct t_zcrx_nsim n;
	int ret;

	ret = t_zcrx_require_dmabuf();
	if (ret)
		return ret;
	ret = t_devmem_heap(devmem_heap, sizeof(devmem_heap));
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	for (c = cases; *c && ret == T_EXIT_PASS; c++)
		ret = (*c)(&n);
	if (ret == T_EXIT_PASS)
		ret = deleted(&n);
	t_zcrx_nsim_cleanup(&n);
	return ret;
}
