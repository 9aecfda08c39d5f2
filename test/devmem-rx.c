/* SPDX-License-Identifier: MIT */
/*
 * Description: devmem TCP end to end on netdevsim, into a 64 MiB udmabuf
 * and then into 64 MiB of device memory (a dma-buf from the ivshmem heap:
 * a PCI BAR without struct pages, which netdevsim writes through the DMA
 * address dma_map_resource() gave it). Each is bound to rx queue 0 of the
 * receiver with BIND_RX, and a 256 MiB stream (chunks of 1 byte to 1 MiB)
 * is received with recvmsg(MSG_SOCK_DEVMEM). Every SCM_DEVMEM_DMABUF frag
 * is read at its frag_offset (through the udmabuf's memfd, or the device
 * memory dma-buf's own mmap) and checked against the stream pattern, its
 * dmabuf_id must
 * be the binding's, and its token goes back with SO_DEVMEM_DONTNEED in
 * batches; SCM_DEVMEM_LINEAR bytes (and any data of readable skbs) are
 * checked in the iov. All bytes must arrive, every one in the dma-buf:
 * header split leaves no payload in the linear part and no readable skb.
 * Skips when the kernel cannot do devmem TCP on netdevsim (fails on the
 * project's kernel, which can).
 */
#include <errno.h>
#include <string.h>

#include "devmem.h"

#define BUF_SIZE	(64UL << 20)
#define TOTAL		(256ULL << 20)

static int run(struct t_devmem *d, const struct t_udmabuf *buf,
	       const char *kind, uint16_t port)
{
	struct t_devmem_rx rx = { 0 };
	struct t_binding b = { .fd = -1 };
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	uint64_t copied, written0 = 0, written = 0;
	int ret;

	ret = t_nsim_debugfs_u64(&d->pair, 1, "iommu_devmem_bytes", &written0);
	if (ret)
		return ret;
	ret = t_devmem_bind(d->ns, d->ifindex, 0, buf->fd, &b);
	if (ret) {
		ret = t_fail("BIND_RX to %s queue 0: %s, want success",
			     d->pair.ifname[1], strerror(-ret));
		goto out;
	}
	printf("%s of %lu MiB bound to %s queue 0, binding id %u\n",
	       kind, BUF_SIZE >> 20, d->pair.ifname[1], b.id);
	ret = t_devmem_rx_init(&rx, buf, b.id);
	if (ret)
		goto out;
	ret = t_stream_start(&s, &d->pair, port, TOTAL);
	if (ret)
		goto out;
	ret = t_devmem_recv(s.fd, &rx, UINT64_MAX);
	if (ret)
		goto out;
	if (rx.off != TOTAL) {
		ret = t_fail("EOF after %llu bytes, sent %llu",
			     (unsigned long long)rx.off, TOTAL);
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (ret)
		goto out;

	copied = rx.linear_bytes + rx.plain_bytes;
	printf("%llu bytes verified in %llu recvmsg calls: dma-buf %llu (%llu frags), linear %llu, copied from readable skbs %llu\n",
	       (unsigned long long)rx.off, (unsigned long long)rx.calls,
	       (unsigned long long)rx.dmabuf_bytes,
	       (unsigned long long)rx.frags,
	       (unsigned long long)rx.linear_bytes,
	       (unsigned long long)rx.plain_bytes);
	if (rx.returned != rx.frags) {
		ret = t_fail("%llu tokens returned for %llu frags",
			     (unsigned long long)rx.returned,
			     (unsigned long long)rx.frags);
		goto out;
	}
	if (copied || rx.dmabuf_bytes != TOTAL) {
		ret = t_fail("%llu of %llu bytes did not land in the dma-buf (linear %llu, readable skbs %llu), want none",
			     (unsigned long long)copied, TOTAL,
			     (unsigned long long)rx.linear_bytes,
			     (unsigned long long)rx.plain_bytes);
		goto out;
	}
	/* into device memory, every byte went through the BAR's mapping */
	ret = t_nsim_debugfs_u64(&d->pair, 1, "iommu_devmem_bytes", &written);
	if (ret)
		goto out;
	written -= written0;
	printf("%s: netdevsim wrote %llu bytes into device memory\n", kind,
	       (unsigned long long)written);
	if (buf->memfd < 0 ? written < TOTAL : written != 0) {
		ret = t_fail("%s: netdevsim wrote %llu bytes into device memory, want %s",
			     kind, (unsigned long long)written,
			     buf->memfd < 0 ? "the whole stream" : "none");
		goto out;
	}
	ret = T_EXIT_PASS;
out:
	if (ret && s.sender > 0)
		t_stream_abort(&s);
	t_devmem_rx_free(&rx);
	t_devmem_unbind(&b);
	return ret;
}

int main(void)
{
	struct t_udmabuf heap = { .fd = -1, .memfd = -1 };
	struct t_devmem d;
	int ret;

	ret = t_devmem_setup(&d, BUF_SIZE);
	if (ret)
		return ret;
	ret = run(&d, &d.buf, "udmabuf", 5301);
	if (!ret)
		ret = t_heap_dmabuf_create(&heap, BUF_SIZE);
	if (!ret)
		ret = run(&d, &heap, "device memory dma-buf", 5302);
	t_udmabuf_destroy(&heap);
	t_devmem_cleanup(&d);
	return ret;
}
