/* SPDX-License-Identifier: MIT */
/*
 * Description: what devmem TCP and io_uring zcrx write into device
 * memory is what the host finds in the file behind it. The device memory
 * heap (vm run --devmem-bar) exports a PCI BAR that QEMU backs with a
 * host file; the guest's view of it (the dma-buf's mmap, which the other
 * tests read) is checked here against the host's, through the VM
 * runner's host service (test/host.h):
 *   - the whole BAR is taken as one dma-buf, which can only start at the
 *     BAR's offset 0, and zeroed through its mmap;
 *   - devmem TCP: it is bound to rx queue 0 of netdevsim with BIND_RX and
 *     an 8 MiB stream is received with MSG_SOCK_DEVMEM, every frag
 *     checked through the mmap and every token held, so no buffer is
 *     written twice;
 *   - io_uring zcrx: the same, with the whole BAR as a dma-buf area of an
 *     ifq on the bound queue, every buffer held;
 *   - each time the test builds what the BAR must hold from the pattern
 *     alone (zeros, and each frag's or CQE's stream bytes at its offset)
 *     and compares it, by the CRC-32 of each 64 KiB, with the CRC-32s the
 *     host computes of its file: one mismatch fails.
 * Skips without devmem TCP, zcrx, netdevsim or the device memory heap
 * (fails on the project's kernel: the suite's guest has --devmem-bar,
 * and with it the host service).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "devmem.h"
#include "host.h"
#include "zcrx.h"

#define STREAM		(8ULL << 20)
#define CHUNK		(64U << 10)

/* The BAR's size: that of its PCI resource file in sysfs. */
static int bar_size(size_t *size)
{
	char heap[64], path[160];
	struct stat st;
	int ret;

	ret = t_devmem_heap(heap, sizeof(heap));
	if (ret)
		return ret;
	/* the heap is ivshmem-<PCI name>, its memory BAR 2 */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource2",
		 heap + strlen("ivshmem-"));
	if (stat(path, &st))
		return t_fail("stat %s: %s", path, strerror(errno));
	if (st.st_size < CHUNK || st.st_size % CHUNK)
		return t_fail("%s: %lld bytes, want a multiple of %u",
			      path, (long long)st.st_size, CHUNK);
	*size = (size_t)st.st_size;
	return 0;
}

/*
 * The whole BAR as one dma-buf (so at BAR offset 0), zeroed through its
 * mmap. The mapping stays read-only.
 */
static int bar_take(struct t_udmabuf *b, size_t size)
{
	int ret = t_heap_dmabuf_create(b, size);

	if (ret)
		return ret;
	if (mprotect((void *)b->map, size, PROT_READ | PROT_WRITE)) {
		t_udmabuf_destroy(b);
		return t_fail("mprotect of the device memory mmap: %s",
			      strerror(errno));
	}
	memset((void *)b->map, 0, size);
	mprotect((void *)b->map, size, PROT_READ);
	return 0;
}

/* @image, of the BAR's @size, against the host's file. */
static int host_check(const uint8_t *image, size_t size, const char *what)
{
	unsigned int i, n = (unsigned int)(size / CHUNK), bad = 0;
	uint32_t *host = calloc(n, sizeof(*host));
	int ret;

	if (!host)
		return t_fail("out of memory");
	ret = t_host_devmem_crc32(0, CHUNK, n, host);
	if (ret == -ENODEV)
		ret = t_lacks("no host service on the guest's /dev/ttyS2 (vm run --devmem-bar has one)");
	else if (ret)
		ret = t_fail("asking the host for the CRC-32s of its file: %s",
			     strerror(-ret));
	for (i = 0; !ret && i < n; i++) {
		uint32_t want = t_crc32(0, image + (size_t)i * CHUNK, CHUNK);

		if (host[i] == want)
			continue;
		if (bad++ < 8)
			t_fail("%s: BAR bytes [%zu, +%u) in the host's file have CRC-32 %08x, want %08x",
			       what, (size_t)i * CHUNK, CHUNK, host[i], want);
	}
	free(host);
	if (bad)
		return t_fail("%s: %u of %u chunks of the BAR differ in the host's file",
			      what, bad, n);
	if (!ret)
		printf("%s: the host's file holds what the stream put in the BAR (%u chunks of %u KiB)\n",
		       what, n, CHUNK >> 10);
	return ret;
}

static int devmem_case(size_t size, uint8_t *image)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_udmabuf heap = { .fd = -1, .memfd = -1 };
	struct t_binding b = { .fd = -1 };
	struct t_devmem_rx rx = { 0 };
	struct t_devmem d;
	int ret;

	ret = t_devmem_setup(&d, 1 << 20);
	if (ret)
		return ret;
	ret = bar_take(&heap, size);
	if (ret)
		goto out;
	ret = t_devmem_bind(d.ns, d.ifindex, 0, heap.fd, &b);
	if (ret) {
		ret = t_fail("BIND_RX of the BAR to %s queue 0: %s",
			     d.pair.ifname[1], strerror(-ret));
		goto out;
	}
	ret = t_devmem_rx_init(&rx, &heap, b.id);
	if (ret)
		goto out;
	rx.hold = true;
	rx.image = image;
	ret = t_stream_start(&s, &d.pair, 5501, STREAM);
	if (!ret)
		ret = t_devmem_recv(s.fd, &rx, UINT64_MAX);
	if (!ret && (rx.off != STREAM || rx.dmabuf_bytes != STREAM))
		ret = t_fail("devmem: %llu bytes received, %llu of them in the dma-buf; want all %llu in it",
			     (unsigned long long)rx.off,
			     (unsigned long long)rx.dmabuf_bytes, STREAM);
	if (!ret) {
		ret = t_stream_finish(&s);
		s.sender = 0;
	}
	if (!ret) {
		printf("devmem: %llu bytes in %llu frags, every token held\n",
		       (unsigned long long)rx.off,
		       (unsigned long long)rx.frags);
		ret = host_check(image, size, "devmem TCP");
	}
out:
	if (ret && s.sender > 0)
		t_stream_abort(&s);
	t_devmem_rx_free(&rx);
	t_devmem_unbind(&b);
	t_udmabuf_destroy(&heap);
	t_devmem_cleanup(&d);
	return ret;
}

static int zcrx_case(size_t size, uint8_t *image)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_udmabuf zero = { .fd = -1, .memfd = -1 };
	struct t_zcrx_nsim n;
	struct t_zcrx_opts o;
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	char heap[64];
	size_t i;
	int ret;

	ret = t_zcrx_require_dmabuf();
	if (!ret)
		ret = t_devmem_heap(heap, sizeof(heap));
	if (ret)
		return ret;
	/* zeroed through a dma-buf of its own, gone before the area's */
	ret = bar_take(&zero, size);
	t_udmabuf_destroy(&zero);
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	o = (struct t_zcrx_opts) {
		.ns = n.ns, .ifindex = (unsigned int)n.ifindex, .rxq = n.rxq,
		.area_len = size, .area_type = IO_URING_ZCRX_AREA_DMA_HEAP,
		.heap = heap,
	};
	ret = t_zcrx_setup_checked(&z, &o, "the whole BAR as a dma-buf area");
	if (ret) {
		t_zcrx_nsim_cleanup(&n);
		return ret;
	}
	t_zcrx_rx_init(&rx, &z, -1);
	rx.hold = true;
	ret = t_zcrx_recv_stream(&rx, &s, &n, 5502, STREAM, "zcrx");
	if (!ret)
		ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC,
				      "8 MiB into the BAR, every buffer held");
	if (ret)
		goto out;
	for (i = 0; i < rx.nheld; i++) {
		const struct t_zcrx_buf *hb = &rx.held[i];
		uint64_t off = hb->area_off & ~IORING_ZCRX_AREA_MASK;

		t_pattern_fill(image + off, hb->stream_off, hb->len);
	}
	ret = host_check(image, size, "io_uring zcrx");
out:
	ret = t_zcrx_case_end(ret, &n, &s, &rx, &z);
	t_zcrx_nsim_cleanup(&n);
	return ret;
}

int main(void)
{
	uint8_t *image;
	size_t size;
	int ret;

	ret = bar_size(&size);
	if (ret)
		return ret;
	image = calloc(1, size);
	if (!image)
		return t_fail("out of memory");
	ret = devmem_case(size, image);
	if (!ret) {
		memset(image, 0, size);
		ret = zcrx_case(size, image);
	}
	free(image);
	return ret;
}
