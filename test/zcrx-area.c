/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring_zcrx_area_alloc() and io_uring_zcrx_area_free():
 * sizes are rounded up, the mapping is writable, bad arguments leave a
 * clean area, free is idempotent; a 2 MiB huge page area, a udmabuf area
 * and a system dma-heap area each map, hold their bytes and free. The
 * project's kernel (the guest) has reserved huge pages, /dev/udmabuf and
 * /dev/dma_heap/system, so there all of them must work; elsewhere (the
 * host) a machine without them skips, naming what it lacks, after every
 * other check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <liburing-ext.h>

#include "helpers.h"

static int check_clean(const struct io_uring_zcrx_area *a, const char *what)
{
	if (a->addr || a->len || a->dmabuf_fd != -1 || a->memfd != -1)
		return t_fail("%s: area not clean (addr %p len %zu fds %d/%d)",
			      what, a->addr, a->len, a->dmabuf_fd, a->memfd);
	return 0;
}

static int check_free(struct io_uring_zcrx_area *a, const char *what)
{
	io_uring_zcrx_area_free(a);
	if (check_clean(a, what))
		return T_EXIT_FAIL;
	io_uring_zcrx_area_free(a);
	return check_clean(a, what);
}

static int check_anon(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct io_uring_zcrx_area a;
	int ret;

	ret = io_uring_zcrx_area_alloc(&a, IO_URING_ZCRX_AREA_ANON, 1);
	if (ret)
		return t_fail("anon 1 byte: %d", ret);
	if (!a.addr || a.len != page || a.type != IO_URING_ZCRX_AREA_ANON ||
	    a.dmabuf_fd != -1 || a.memfd != -1)
		return t_fail("anon: addr %p len %zu type %d fds %d/%d",
			      a.addr, a.len, a.type, a.dmabuf_fd, a.memfd);
	memset(a.addr, 0x5a, a.len);
	if (check_free(&a, "anon"))
		return T_EXIT_FAIL;

	ret = io_uring_zcrx_area_alloc(&a, IO_URING_ZCRX_AREA_ANON,
				       3 * page + 1);
	if (ret || a.len != 4 * page || (uintptr_t)a.addr % page)
		return t_fail("anon 3 pages + 1: %d, len %zu", ret, a.len);
	memset(a.addr, 0x5a, a.len);
	return check_free(&a, "anon");
}

static int check_bad(void)
{
	static const int types[] = { -1, IO_URING_ZCRX_AREA_USER, 99 };
	struct io_uring_zcrx_area a;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ret = io_uring_zcrx_area_alloc(&a, types[i], 4096);
		if (ret != -EINVAL)
			return t_fail("type %d: %d, want -EINVAL", types[i], ret);
		if (check_clean(&a, "bad type"))
			return T_EXIT_FAIL;
	}
	ret = io_uring_zcrx_area_alloc(&a, IO_URING_ZCRX_AREA_ANON, 0);
	if (ret != -EINVAL)
		return t_fail("length 0: %d, want -EINVAL", ret);
	if (check_clean(&a, "length 0"))
		return T_EXIT_FAIL;
	ret = io_uring_zcrx_area_alloc(&a, IO_URING_ZCRX_AREA_ANON, SIZE_MAX);
	if (ret != -EINVAL)
		return t_fail("length SIZE_MAX: %d, want -EINVAL", ret);
	return check_clean(&a, "length SIZE_MAX");
}

/* What the machine lacks, for the skip at the end. */
static char missing[256];

static void lacks(const char *what)
{
	size_t n = strlen(missing);

	snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? "; " : "",
		 what);
}

/* A number from a "Key: N" line of /proc/meminfo, or -1. */
static long meminfo(const char *key)
{
	char line[128];
	size_t len = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static int check_huge(void)
{
	struct io_uring_zcrx_area a;
	long total = meminfo("HugePages_Total");
	long free = meminfo("HugePages_Free");
	char why[96];
	int ret;

	ret = io_uring_zcrx_area_alloc(&a, IO_URING_ZCRX_AREA_HUGE_2M, 4096);
	printf("huge pages: %ld reserved, %ld free; 2 MiB area: %s\n", total,
	       free, ret ? strerror(-ret) : "mapped");
	if (ret == -ENOMEM && free <= 0) {
		snprintf(why, sizeof(why),
			 "no free huge page (HugePages_Total %ld, HugePages_Free %ld)",
			 total, free);
		lacks(why);
		return check_clean(&a, "huge, failed");
	}
	if (ret)
		return t_fail("huge: %d", ret);
	if (a.len != (2U << 20) || (uintptr_t)a.addr % (2U << 20))
		return t_fail("huge: addr %p len %zu", a.addr, a.len);
	memset(a.addr, 0x5a, a.len);
	printf("huge pages: ok\n");
	return check_free(&a, "huge");
}

static int check_dmabuf(int type, const char *name, const char *dev)
{
	struct io_uring_zcrx_area a;
	char c = 0;
	int ret;

	ret = io_uring_zcrx_area_alloc(&a, type, 8192);
	if (ret == -ENOENT && access(dev, F_OK)) {
		char why[64];

		printf("%s: no %s\n", name, dev);
		snprintf(why, sizeof(why), "no %s", dev);
		lacks(why);
		return check_clean(&a, name);
	}
	if (ret)
		return t_fail("%s: %d (%s)", name, ret, strerror(-ret));
	if (a.dmabuf_fd < 0 || !a.addr || a.len != 8192)
		return t_fail("%s: fd %d addr %p len %zu", name, a.dmabuf_fd,
			      a.addr, a.len);
	memset(a.addr, 0x5a, a.len);
	if (type == IO_URING_ZCRX_AREA_UDMABUF) {
		/* the dma-buf mapping is the memfd's memory */
		if (a.memfd < 0 || pread(a.memfd, &c, 1, 4096) != 1 ||
		    c != 0x5a)
			return t_fail("%s: memfd %d does not hold the data",
				      name, a.memfd);
	}
	printf("%s: ok\n", name);
	return check_free(&a, name);
}

int main(void)
{
	if (check_anon() || check_bad() || check_huge() ||
	    check_dmabuf(IO_URING_ZCRX_AREA_UDMABUF, "udmabuf",
			 "/dev/udmabuf") ||
	    check_dmabuf(IO_URING_ZCRX_AREA_DMA_HEAP, "dma-heap",
			 "/dev/dma_heap/system"))
		return T_EXIT_FAIL;
	if (missing[0])
		return t_lacks("anonymous areas and bad arguments checked; not checked: %s",
			       missing);
	return T_EXIT_PASS;
}
