/* SPDX-License-Identifier: MIT */
/*
 * Description: IORING_REGISTER_ZCRX_IFQ refuses every bad input with the
 * errno of behaviour.md, one bad input per case, everything else valid:
 *   - caller without CAP_NET_ADMIN: EPERM (even on an unfit ring)
 *   - ring without DEFER_TASKRUN or without CQE32, nr_args != 1, a NULL
 *     argument: EINVAL; an argument, area or region descriptor that cannot
 *     be read, or (results are written back) written: EFAULT
 *   - reserved fields, zcrx_id, unknown flags (ZCRX_REG_IMPORT too),
 *     if_rxq -1, rq_entries 0 or above 32768 without SETUP_CLAMP: EINVAL
 *   - refill region: size 0, unaligned address or size, id, mmap_offset,
 *     reserved words, unknown flags, too small: EINVAL; user_addr without
 *     TYPE_USER, TYPE_USER without user_addr, no descriptor, memory that
 *     cannot be pinned for writing: EFAULT; size 2^43, in kernel or in
 *     user memory: ENOMEM (its page array cannot be allocated, and that
 *     fails before any page is allocated or pinned, without a warning)
 *   - NODEV with if_idx or if_rxq set: EINVAL; no such ifindex: ENODEV;
 *     loopback (no DMA device): EOPNOTSUPP
 *   - area: unknown flags, DMABUF device-less (the dma-buf cases on a
 *     device are zcrx-dmabuf-errors'), token, reserved words, dmabuf_fd
 *     on user memory, unaligned address or length: EINVAL; addr 0, len 0,
 *     len above 1 GiB (upstream's cap: 1 GiB + 4 KiB, and 2^43, which
 *     used to reach a page array allocation above INT_MAX bytes, a
 *     WARN), checked before the memory (which is not mapped), unmapped,
 *     read-only or partly mapped memory: EFAULT; more than
 *     RLIMIT_MEMLOCK on a ring made without CAP_IPC_LOCK: ENOMEM
 *   - rx_buf_len with NODEV: EOPNOTSUPP; 0 is written back as 4096
 * and on success writes back zcrx_id, the offsets (head 0, tail 64,
 * rqes 128), the rounded (or clamped) rq_entries, the mmap offset of a
 * kernel-allocated refill region (0x30000000 + (zcrx_id << 16), which
 * mmaps), rq_area_token 0. On a netdevsim port with header split:
 * queue out of range: ERANGE; header split off, hds-thresh 100 or never
 * set: EINVAL; rx_buf_len not a power of two or below 4096: EINVAL,
 * larger than the area's contiguous chunks: ERANGE (8 KiB buffers of a
 * 12 KiB area, 1 MiB ones of a 64 KiB area, 2 GiB; zcrx-rx-buf-len has
 * the areas that allow them); two queues on one ring work; the same queue
 * again (same ring or another): EEXIST; a veth: EOPNOTSUPP; a queue is
 * free again as soon as its ring exits.
 * Skips on a kernel without device-less zcrx (ZCRX_REG_NODEV), and after
 * the device-less cases without a netdevsim that can split headers;
 * either fails on the project's kernel, which has both.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/ethtool_netlink.h>

#include <liburing-ext.h>

#include "devmem.h"

#define PAGE_SZ		4096UL
#define AREA_LEN	(16 * PAGE_SZ)
#define BIG_AREA_LEN	(1UL << 20)
#define REGION_LEN	(2 * PAGE_SZ)
/* header (128) + 32768 entries of 16 bytes, page aligned */
#define BIG_REGION_LEN	(PAGE_SZ + 32768 * 16UL)
#define RQ_ENTRIES	64
/* upstream's largest area */
#define AREA_CAP	(1ULL << 30)
/* 2^31 pages: a page array of 16 GiB, more than INT_MAX bytes */
#define HUGE_LEN	(1ULL << 43)
#define RQ_MAX		32768U
#define RING_FLAGS	(IORING_SETUP_DEFER_TASKRUN | \
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32)
#define ZCRX_REGION_OFF	0x30000000ULL

/* Memory the cases point at, mapped once. */
static struct {
	char *area;		/* AREA_LEN + a page, read-write */
	char *big_area;		/* BIG_AREA_LEN, read-write */
	char *region;		/* REGION_LEN + a page, read-write */
	char *big_region;	/* BIG_REGION_LEN, read-write */
	char *ro;		/* AREA_LEN, read-only */
	char *noaccess;		/* a PROT_NONE page */
	char *ro_copy;		/* a page for read-only copies of descriptors */
} mem;

/* Everything one registration passes; cases change parts of it. */
struct reg_ctx {
	unsigned int setup_flags;	/* io_uring_setup() flags */
	unsigned int nr_args;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_zcrx_area_reg area;
	struct io_uring_region_desc rd;
	void *arg;			/* the argument: &reg unless changed */
};

/* One field of a reg_ctx set to (or, add, increased by) a value. */
struct patch {
	size_t off, size;
	uint64_t val;
	bool add;
};

#define FIELD_SIZE(f)	sizeof(((struct reg_ctx *)0)->f)
#define SET(f, v)	{ .off = offsetof(struct reg_ctx, f), \
			  .size = FIELD_SIZE(f), .val = (uint64_t)(v) }
#define ADD(f, v)	{ .off = offsetof(struct reg_ctx, f), \
			  .size = FIELD_SIZE(f), .val = (uint64_t)(v), .add = true }

enum priv {
	PRIV_ROOT = 0,
	PRIV_NO_NET_ADMIN,	/* CAP_NET_ADMIN dropped */
	PRIV_MEMLOCK,		/* CAP_IPC_LOCK dropped, RLIMIT_MEMLOCK low */
};

#define MEMLOCK_LIMIT	(256UL << 10)

struct reg_case {
	const char *name;
	struct patch set[4];
	void (*fix)(struct reg_ctx *c);		/* what a patch cannot say */
	int want;				/* 0 or -errno */
	/* extra checks on the same ring after the expected result */
	int (*check)(struct io_uring *ring, struct reg_ctx *c);
	enum priv priv;
};

static int sys_register(int fd, unsigned int op, void *arg, unsigned int nr)
{
	long ret = syscall(__NR_io_uring_register, fd, op, arg, nr);

	return ret < 0 ? -errno : (int)ret;
}

static void *map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	t_check(p != MAP_FAILED, "mmap %zu: %s", len, strerror(errno));
	if (prot & PROT_WRITE)
		memset(p, 0, len);
	return p;
}

static void mem_init(void)
{
	mem.area = map(AREA_LEN + PAGE_SZ, PROT_READ | PROT_WRITE);
	mem.big_area = map(BIG_AREA_LEN, PROT_READ | PROT_WRITE);
	mem.region = map(REGION_LEN + PAGE_SZ, PROT_READ | PROT_WRITE);
	mem.big_region = map(BIG_REGION_LEN, PROT_READ | PROT_WRITE);
	mem.ro = map(AREA_LEN, PROT_READ);
	mem.noaccess = map(PAGE_SZ, PROT_NONE);
	mem.ro_copy = map(PAGE_SZ, PROT_READ | PROT_WRITE);
}

static __u64 uptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* The valid device-less registration every case starts from. */
static void ctx_init(struct reg_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->setup_flags = RING_FLAGS;
	c->nr_args = 1;
	c->area.addr = uptr(mem.area);
	c->area.len = AREA_LEN;
	c->rd.user_addr = uptr(mem.region);
	c->rd.size = REGION_LEN;
	c->rd.flags = IORING_MEM_REGION_TYPE_USER;
	c->reg.rq_entries = RQ_ENTRIES;
	c->reg.flags = ZCRX_REG_NODEV;
	c->reg.area_ptr = uptr(&c->area);
	c->reg.region_ptr = uptr(&c->rd);
	c->arg = &c->reg;
}

static void patch_apply(struct reg_ctx *c, const struct patch *p)
{
	char *f = (char *)c + p->off;
	uint64_t v = p->val;

	switch (p->size) {
	case 1: *(uint8_t *)f = (uint8_t)(p->add ? *(uint8_t *)f + v : v); break;
	case 2: *(uint16_t *)f = (uint16_t)(p->add ? *(uint16_t *)f + v : v); break;
	case 4: *(uint32_t *)f = (uint32_t)(p->add ? *(uint32_t *)f + v : v); break;
	case 8: *(uint64_t *)f = p->add ? *(uint64_t *)f + v : v; break;
	}
}

/* A read-only copy of @len bytes of @src: the kernel can read, not write. */
static void *ro_copy(const void *src, size_t len)
{
	t_check(!mprotect(mem.ro_copy, PAGE_SZ, PROT_READ | PROT_WRITE),
		"mprotect");
	memcpy(mem.ro_copy, src, len);
	t_check(!mprotect(mem.ro_copy, PAGE_SZ, PROT_READ), "mprotect");
	return mem.ro_copy;
}

/* fix-ups */
static void arg_null(struct reg_ctx *c) { c->arg = NULL; }
static void arg_noaccess(struct reg_ctx *c) { c->arg = mem.noaccess; }
static void arg_ro(struct reg_ctx *c) { c->arg = ro_copy(&c->reg, sizeof(c->reg)); }
static void area_desc_noaccess(struct reg_ctx *c) { c->reg.area_ptr = uptr(mem.noaccess); }
static void area_desc_ro(struct reg_ctx *c)
{
	c->reg.area_ptr = uptr(ro_copy(&c->area, sizeof(c->area)));
}
static void region_desc_noaccess(struct reg_ctx *c) { c->reg.region_ptr = uptr(mem.noaccess); }
static void region_desc_ro(struct reg_ctx *c)
{
	c->reg.region_ptr = uptr(ro_copy(&c->rd, sizeof(c->rd)));
}
static void region_big(struct reg_ctx *c)
{
	c->rd.user_addr = uptr(mem.big_region);
	c->rd.size = BIG_REGION_LEN;
}
/*
 * AREA_LEN of address space with nothing mapped, of which the first
 * @mapped bytes are mapped again. Made right before the registration
 * (fix-ups run after the ring is set up), so no later mmap() fills it.
 */
static char *hole(size_t mapped)
{
	char *p = map(AREA_LEN, PROT_READ | PROT_WRITE);

	t_check(!munmap(p + mapped, AREA_LEN - mapped), "munmap");
	return p;
}

static void region_hole(struct reg_ctx *c) { c->rd.user_addr = uptr(hole(0)); }
static void region_ro(struct reg_ctx *c) { c->rd.user_addr = uptr(mem.ro); }
static void area_hole(struct reg_ctx *c) { c->area.addr = uptr(hole(0)); }
static void area_ro(struct reg_ctx *c) { c->area.addr = uptr(mem.ro); }
static void area_partial(struct reg_ctx *c)
{
	c->area.addr = uptr(hole(AREA_LEN / 2));
}
static void area_big(struct reg_ctx *c)
{
	c->area.addr = uptr(mem.big_area);
	c->area.len = BIG_AREA_LEN;
}
static void on_loopback(struct reg_ctx *c)
{
	c->reg.flags = 0;
	c->reg.if_idx = if_nametoindex("lo");
}

static __u32 roundup_pow2(__u32 n)
{
	__u32 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* What every successful registration writes back. */
static int check_written(const char *name, const struct reg_ctx *c,
			 __u32 entries_in, __u32 want_id)
{
	const struct io_uring_zcrx_ifq_reg *r = &c->reg;
	__u32 want_entries = entries_in;

	if (want_entries > RQ_MAX && (c->setup_flags & IORING_SETUP_CLAMP))
		want_entries = RQ_MAX;
	want_entries = roundup_pow2(want_entries);
	if (r->zcrx_id != want_id)
		return t_fail("%s: zcrx_id %u, want %u", name, r->zcrx_id,
			      want_id);
	if (r->offsets.head != 0 || r->offsets.tail != 64 ||
	    r->offsets.rqes != 128)
		return t_fail("%s: offsets head %u tail %u rqes %u, want 0 64 128",
			      name, r->offsets.head, r->offsets.tail,
			      r->offsets.rqes);
	if (r->rq_entries != want_entries)
		return t_fail("%s: rq_entries %u written back as %u, want %u",
			      name, entries_in, r->rq_entries, want_entries);
	if (r->rx_buf_len != PAGE_SZ)
		return t_fail("%s: rx_buf_len written back as %u, want %lu",
			      name, r->rx_buf_len, PAGE_SZ);
	if (c->area.rq_area_token != 0)
		return t_fail("%s: rq_area_token %#llx, want 0 (area id 0)",
			      name, (unsigned long long)c->area.rq_area_token);
	if (!(c->rd.flags & IORING_MEM_REGION_TYPE_USER) &&
	    c->rd.mmap_offset != ZCRX_REGION_OFF + ((__u64)want_id << 16))
		return t_fail("%s: kernel region mmap_offset %#llx, want %#llx",
			      name, (unsigned long long)c->rd.mmap_offset,
			      ZCRX_REGION_OFF + ((__u64)want_id << 16));
	return 0;
}

/* A kernel-allocated refill region maps at its offset, ring empty. */
static int check_kernel_region(struct io_uring *ring, struct reg_ctx *c)
{
	char *p = mmap(NULL, c->rd.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       ring->ring_fd, (off_t)c->rd.mmap_offset);
	__u32 head, tail;

	if (p == MAP_FAILED)
		return t_fail("mmap of the refill region at %#llx: %s",
			      (unsigned long long)c->rd.mmap_offset,
			      strerror(errno));
	head = *(__u32 *)(p + c->reg.offsets.head);
	tail = *(__u32 *)(p + c->reg.offsets.tail);
	/* the user side writes entries and the tail */
	memset(p + c->reg.offsets.rqes, 0,
	       c->reg.rq_entries * sizeof(struct io_uring_zcrx_rqe));
	munmap(p, c->rd.size);
	if (head || tail)
		return t_fail("new kernel refill ring: head %u tail %u", head,
			      tail);
	return 0;
}

/* A second registration on the same ring gets the next id. */
static int check_second_ifq(struct io_uring *ring, struct reg_ctx *c)
{
	struct reg_ctx c2;
	int ret;

	(void)c;
	ctx_init(&c2);
	c2.rd.flags = 0;
	c2.rd.user_addr = 0;
	ret = sys_register(ring->ring_fd, IORING_REGISTER_ZCRX_IFQ, c2.arg, 1);
	if (ret)
		return t_fail("second ifq on the ring: %s, want success",
			      t_errname(ret));
	return check_written("second ifq", &c2, RQ_ENTRIES, 1) ?:
	       check_kernel_region(ring, &c2);
}

/* A failed registration leaves the ring usable for a good one. */
static int check_reregister(struct io_uring *ring, struct reg_ctx *c)
{
	struct reg_ctx c2;
	int ret;

	(void)c;
	ctx_init(&c2);
	ret = sys_register(ring->ring_fd, IORING_REGISTER_ZCRX_IFQ, c2.arg, 1);
	if (ret)
		return t_fail("registering again after the failure: %s, want success",
			      t_errname(ret));
	return 0;
}

#define NODEV		ZCRX_REG_NODEV
#define NO_DEFER	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32)
#define NO_CQE32	(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)

#define CASE(n, w, ...)	{ .name = (n), .want = (w), __VA_ARGS__ }

static const struct reg_case cases[] = {
	/* success, and what is written back */
	CASE("valid, refill ring in user memory", 0),
	CASE("valid, refill ring in kernel memory", 0,
	     .set = { SET(rd.flags, 0), SET(rd.user_addr, 0) },
	     .check = check_kernel_region),
	CASE("two ifqs on one ring", 0, .check = check_second_ifq),
	CASE("rq_entries 1", 0, .set = { SET(reg.rq_entries, 1) }),
	CASE("rq_entries 3 (rounded up to 4)", 0,
	     .set = { SET(reg.rq_entries, 3) }),
	CASE("rq_entries 100 (rounded up to 128)", 0,
	     .set = { SET(reg.rq_entries, 100) }),
	CASE("rq_entries 32768", 0, .set = { SET(reg.rq_entries, RQ_MAX) },
	     .fix = region_big),
	CASE("SETUP_CLAMP: rq_entries 32769 (clamped)", 0,
	     .set = { SET(setup_flags, RING_FLAGS | IORING_SETUP_CLAMP),
		      SET(reg.rq_entries, RQ_MAX + 1) }, .fix = region_big),
	CASE("SETUP_CLAMP: rq_entries 0xffffffff (clamped)", 0,
	     .set = { SET(setup_flags, RING_FLAGS | IORING_SETUP_CLAMP),
		      SET(reg.rq_entries, 0xffffffff) }, .fix = region_big),
	CASE("NODEV: rx_buf_len 0 (written back as 4096)", 0,
	     .set = { SET(reg.rx_buf_len, 0) }),
	CASE("region of one page, 128 entries", 0,
	     .set = { SET(rd.size, PAGE_SZ), SET(reg.rq_entries, 128) }),

	/* privileges */
	CASE("no CAP_NET_ADMIN", -EPERM, .priv = PRIV_NO_NET_ADMIN),
	CASE("no CAP_NET_ADMIN, ring without DEFER_TASKRUN", -EPERM,
	     .set = { SET(setup_flags, NO_DEFER) }, .priv = PRIV_NO_NET_ADMIN),
	CASE("no CAP_IPC_LOCK: 64 KiB area under RLIMIT_MEMLOCK 256 KiB", 0,
	     .priv = PRIV_MEMLOCK),
	CASE("no CAP_IPC_LOCK: 1 MiB area over RLIMIT_MEMLOCK 256 KiB",
	     -ENOMEM, .fix = area_big, .priv = PRIV_MEMLOCK),

	/* the ring and the call */
	CASE("ring without DEFER_TASKRUN", -EINVAL,
	     .set = { SET(setup_flags, NO_DEFER) }),
	CASE("ring without CQE32", -EINVAL,
	     .set = { SET(setup_flags, NO_CQE32) }),
	CASE("ring with neither", -EINVAL, .set = { SET(setup_flags, 0) }),
	CASE("nr_args 0", -EINVAL, .set = { SET(nr_args, 0) }),
	CASE("nr_args 2", -EINVAL, .set = { SET(nr_args, 2) }),
	CASE("argument NULL", -EINVAL, .fix = arg_null),
	CASE("argument not readable", -EFAULT, .fix = arg_noaccess),
	CASE("argument read-only", -EFAULT, .fix = arg_ro,
	     .check = check_reregister),
	CASE("area descriptor pointer 0", -EFAULT,
	     .set = { SET(reg.area_ptr, 0) }),
	CASE("area descriptor not readable", -EFAULT,
	     .fix = area_desc_noaccess),
	CASE("area descriptor read-only", -EFAULT, .fix = area_desc_ro,
	     .check = check_reregister),
	/* behaviour.md says EINVAL; upstream (checked on 6.18) says EFAULT */
	CASE("region descriptor pointer 0", -EFAULT,
	     .set = { SET(reg.region_ptr, 0) }),
	CASE("region descriptor not readable", -EFAULT,
	     .fix = region_desc_noaccess),
	CASE("region descriptor read-only", -EFAULT, .fix = region_desc_ro,
	     .check = check_reregister),

	/* ifq_reg fields */
	CASE("__resv[0] set", -EINVAL, .set = { SET(reg.__resv[0], 1) }),
	CASE("__resv[1] set", -EINVAL, .set = { SET(reg.__resv[1], 1ULL << 63) }),
	CASE("zcrx_id set", -EINVAL, .set = { SET(reg.zcrx_id, 1) }),
	CASE("flags ZCRX_REG_IMPORT", -EINVAL,
	     .set = { SET(reg.flags, ZCRX_REG_IMPORT) }),
	CASE("flags NODEV | IMPORT", -EINVAL,
	     .set = { SET(reg.flags, NODEV | ZCRX_REG_IMPORT) }),
	CASE("flags NODEV | 1 << 2", -EINVAL, .set = { SET(reg.flags, NODEV | 4) }),
	CASE("flags NODEV | 1 << 31", -EINVAL,
	     .set = { SET(reg.flags, NODEV | 1U << 31) }),
	CASE("NODEV, if_rxq -1", -EINVAL, .set = { SET(reg.if_rxq, 0xffffffff) }),
	CASE("loopback, if_rxq -1", -EINVAL,
	     .set = { SET(reg.if_rxq, 0xffffffff) }, .fix = on_loopback),
	CASE("rq_entries 0", -EINVAL, .set = { SET(reg.rq_entries, 0) }),
	CASE("rq_entries 32769 without SETUP_CLAMP", -EINVAL,
	     .set = { SET(reg.rq_entries, RQ_MAX + 1) }, .fix = region_big),
	CASE("rq_entries 0xffffffff without SETUP_CLAMP", -EINVAL,
	     .set = { SET(reg.rq_entries, 0xffffffff) }, .fix = region_big),
	CASE("NODEV, if_idx 1", -EINVAL, .set = { SET(reg.if_idx, 1) }),
	CASE("NODEV, if_rxq 1", -EINVAL, .set = { SET(reg.if_rxq, 1) }),
	CASE("no NODEV, if_idx 0", -ENODEV, .set = { SET(reg.flags, 0) }),
	CASE("no NODEV, if_idx 1000000 (none such)", -ENODEV,
	     .set = { SET(reg.flags, 0), SET(reg.if_idx, 1000000) }),
	CASE("loopback (no DMA device)", -EOPNOTSUPP, .fix = on_loopback),
	CASE("NODEV, rx_buf_len 4096", -EOPNOTSUPP,
	     .set = { SET(reg.rx_buf_len, 4096) }),
	CASE("NODEV, rx_buf_len 8192", -EOPNOTSUPP,
	     .set = { SET(reg.rx_buf_len, 8192) }),

	/* refill region */
	CASE("region size 0", -EINVAL, .set = { SET(rd.size, 0) }),
	CASE("region user_addr unaligned", -EINVAL,
	     .set = { ADD(rd.user_addr, 8) }),
	CASE("region size unaligned", -EINVAL,
	     .set = { SET(rd.size, PAGE_SZ + 8) }),
	CASE("region id 1", -EINVAL, .set = { SET(rd.id, 1) }),
	CASE("region mmap_offset set", -EINVAL,
	     .set = { SET(rd.mmap_offset, ZCRX_REGION_OFF) }),
	CASE("region __resv[0] set", -EINVAL, .set = { SET(rd.__resv[0], 1) }),
	CASE("region __resv[3] set", -EINVAL, .set = { SET(rd.__resv[3], 1) }),
	CASE("region flags TYPE_USER | 1 << 1", -EINVAL,
	     .set = { SET(rd.flags, IORING_MEM_REGION_TYPE_USER | 2) }),
	CASE("region flags TYPE_USER | 1 << 31", -EINVAL,
	     .set = { SET(rd.flags, IORING_MEM_REGION_TYPE_USER | 1U << 31) }),
	CASE("region user_addr without TYPE_USER", -EFAULT,
	     .set = { SET(rd.flags, 0) }),
	CASE("region TYPE_USER without user_addr", -EFAULT,
	     .set = { SET(rd.user_addr, 0) }),
	CASE("region of one page, 256 entries (too small)", -EINVAL,
	     .set = { SET(rd.size, PAGE_SZ), SET(reg.rq_entries, 256) }),
	CASE("region of one page, 129 entries (too small once rounded)",
	     -EINVAL, .set = { SET(rd.size, PAGE_SZ), SET(reg.rq_entries, 129) }),
	CASE("kernel region of one page, 256 entries (too small)", -EINVAL,
	     .set = { SET(rd.flags, 0), SET(rd.user_addr, 0),
		      SET(rd.size, PAGE_SZ), SET(reg.rq_entries, 256) }),
	CASE("region memory unmapped", -EFAULT, .fix = region_hole),
	CASE("region memory read-only", -EFAULT, .fix = region_ro),
	/* a page array of 2^31 entries: no WARN, just ENOMEM */
	CASE("kernel region size 2^43", -ENOMEM,
	     .set = { SET(rd.flags, 0), SET(rd.user_addr, 0),
		      SET(rd.size, HUGE_LEN) }),
	/* at the valid region memory: the size fails before any pinning */
	CASE("user region size 2^43", -ENOMEM, .set = { SET(rd.size, HUGE_LEN) }),

	/* area */
	/* a dma-buf needs a device to be mapped for (zcrx-dmabuf-errors) */
	CASE("area flags DMABUF, device-less", -EINVAL,
	     .set = { SET(area.flags, IORING_ZCRX_AREA_DMABUF),
		      SET(area.addr, 0), SET(area.dmabuf_fd, 0) }),
	CASE("area flags 1 << 1", -EINVAL, .set = { SET(area.flags, 2) }),
	CASE("area flags 1 << 31", -EINVAL, .set = { SET(area.flags, 1U << 31) }),
	CASE("area rq_area_token set", -EINVAL,
	     .set = { SET(area.rq_area_token, 1ULL << 48) }),
	CASE("area __resv2[0] set", -EINVAL, .set = { SET(area.__resv2[0], 1) }),
	CASE("area __resv2[1] set", -EINVAL, .set = { SET(area.__resv2[1], 1) }),
	CASE("area len 0", -EFAULT, .set = { SET(area.len, 0) }),
	CASE("area addr 0", -EFAULT, .set = { SET(area.addr, 0) }),
	CASE("area addr unaligned", -EINVAL, .set = { ADD(area.addr, 8) }),
	CASE("area len unaligned", -EINVAL, .set = { SET(area.len, AREA_LEN - 8) }),
	/* the length is checked before the memory, mapped only for AREA_LEN */
	CASE("area len 1 GiB + 4 KiB", -EFAULT,
	     .set = { SET(area.len, AREA_CAP + PAGE_SZ) }),
	CASE("area len 2^43", -EFAULT, .set = { SET(area.len, HUGE_LEN) }),
	CASE("area memory unmapped", -EFAULT, .fix = area_hole),
	CASE("area memory read-only", -EFAULT, .fix = area_ro),
	CASE("area memory half unmapped", -EFAULT, .fix = area_partial),
	CASE("area dmabuf_fd set on user memory", -EINVAL,
	     .set = { SET(area.dmabuf_fd, 1) }),
};

static int drop_cap(int cap)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	__u32 bit = 1U << (cap % 32);

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[cap / 32].effective &= ~bit;
	d[cap / 32].permitted &= ~bit;
	d[cap / 32].inheritable &= ~bit;
	if (syscall(SYS_capset, &h, d))
		return -errno;
	return 0;
}

static int run_case_here(const struct reg_case *tc)
{
	struct io_uring_params p = { 0 };
	struct io_uring ring;
	struct reg_ctx c;
	__u32 entries_in;
	size_t i;
	int ret;

	ctx_init(&c);
	for (i = 0; i < sizeof(tc->set) / sizeof(tc->set[0]); i++)
		if (tc->set[i].size)
			patch_apply(&c, &tc->set[i]);
	p.flags = c.setup_flags;
	ret = io_uring_queue_init_params(8, &ring, &p);
	if (ret)
		return t_fail("%s: ring with flags %#x: %s", tc->name,
			      c.setup_flags, t_errname(ret));
	if (tc->fix)
		tc->fix(&c);
	entries_in = c.reg.rq_entries;
	ret = sys_register(ring.ring_fd, IORING_REGISTER_ZCRX_IFQ, c.arg,
			   c.nr_args);
	if (ret != tc->want)
		ret = t_fail("case \"%s\": %s, want %s", tc->name,
			     t_errname(ret), t_errname(tc->want));
	else
		ret = ret ? 0 : check_written(tc->name, &c, entries_in, 0);
	if (!ret && tc->check)
		ret = tc->check(&ring, &c);
	io_uring_queue_exit(&ring);
	return ret;
}

/* Cases that need fewer privileges run in a child that drops them. */
static int run_case(const struct reg_case *tc)
{
	int status, ret;
	pid_t pid;

	if (tc->priv == PRIV_ROOT)
		return run_case_here(tc);
	fflush(NULL);
	pid = fork();
	t_check(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		if (tc->priv == PRIV_NO_NET_ADMIN) {
			ret = drop_cap(CAP_NET_ADMIN);
		} else {
			struct rlimit rl = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };

			ret = drop_cap(CAP_IPC_LOCK);
			if (!ret && setrlimit(RLIMIT_MEMLOCK, &rl))
				ret = -errno;
		}
		if (ret)
			_exit(t_fail("%s: dropping privileges: %s", tc->name,
				     strerror(-ret)));
		_exit(run_case_here(tc));
	}
	t_check(waitpid(pid, &status, 0) == pid, "waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : T_EXIT_FAIL;
}

/*
 * netdevsim: a pair with two queues a port, header split on the
 * receiving port (side 1); registrations run in that port's namespace.
 */
enum nd_op {
	ND_REG,		/* register queue rxq of port on ring, expect want */
	ND_RINGS,	/* ethtool: tcp-data-split split, hds-thresh thresh */
	ND_EXIT,	/* exit ring (and make a fresh one in its slot) */
};

enum nd_port { ND_SENDER, ND_RECEIVER, ND_VETH };

struct nd_step {
	const char *name;
	enum nd_op op;
	int ring;			/* 0 or 1: rings A and B */
	enum nd_port port;
	__u32 rxq, rx_buf_len;
	size_t area_len;		/* 0: AREA_LEN */
	int split;
	int64_t thresh;
	int want;
	__u32 want_id;			/* on success */
};

#define SPLIT_ON	ETHTOOL_TCP_DATA_SPLIT_ENABLED
#define SPLIT_OFF	ETHTOOL_TCP_DATA_SPLIT_DISABLED

#define REG(n, ring_, port_, rxq_, buflen, w, ...)			\
	{ .name = (n), .op = ND_REG, .ring = (ring_), .port = (port_),	\
	  .rxq = (rxq_), .rx_buf_len = (buflen), .want = (w), __VA_ARGS__ }
#define RINGS(n, split_, thresh_)					\
	{ .name = (n), .op = ND_RINGS, .split = (split_), .thresh = (thresh_) }

static const struct nd_step nd_steps[] = {
	REG("sender's port, header split never set", 0, ND_SENDER, 0, 0,
	    -EINVAL),
	RINGS("tcp-data-split off", SPLIT_OFF, -1),
	REG("queue 0, tcp-data-split off", 0, ND_RECEIVER, 0, 0, -EINVAL),
	RINGS("tcp-data-split on, hds-thresh 100", SPLIT_ON, 100),
	REG("queue 0, hds-thresh 100", 0, ND_RECEIVER, 0, 0, -EINVAL),
	RINGS("hds-thresh 0", SPLIT_ON, 0),
	REG("queue 2 of 2", 0, ND_RECEIVER, 2, 0, -ERANGE),
	REG("queue 0x7fffffff", 0, ND_RECEIVER, 0x7fffffff, 0, -ERANGE),
	REG("queue 0, rx_buf_len 3000", 0, ND_RECEIVER, 0, 3000, -EINVAL),
	REG("queue 0, rx_buf_len 2048", 0, ND_RECEIVER, 0, 2048, -EINVAL),
	REG("queue 0, rx_buf_len 12288", 0, ND_RECEIVER, 0, 12288, -EINVAL),
	/* however contiguous its pages: 12 KiB is no multiple of 8 KiB */
	REG("queue 0, rx_buf_len 8192, a 12 KiB area", 0, ND_RECEIVER, 0, 8192,
	    -ERANGE, .area_len = 3 * PAGE_SZ),
	REG("queue 0, rx_buf_len 1 MiB, a 64 KiB area", 0, ND_RECEIVER, 0,
	    1U << 20, -ERANGE),
	REG("queue 0, rx_buf_len 2 GiB", 0, ND_RECEIVER, 0, 1U << 31, -ERANGE),
	REG("veth (no queue management, no DMA device)", 0, ND_VETH, 0, 0,
	    -EOPNOTSUPP),
	REG("ring A: queue 0, rx_buf_len 0", 0, ND_RECEIVER, 0, 0, 0,
	    .want_id = 0),
	REG("ring A: queue 1, rx_buf_len 4096", 0, ND_RECEIVER, 1, 4096, 0,
	    .want_id = 1),
	REG("ring A: queue 0 again", 0, ND_RECEIVER, 0, 0, -EEXIST),
	REG("ring B: queue 0 (ring A has it)", 1, ND_RECEIVER, 0, 0, -EEXIST),
	REG("ring B: queue 1 (ring A has it)", 1, ND_RECEIVER, 1, 4096,
	    -EEXIST),
	{ .name = "exit ring A", .op = ND_EXIT, .ring = 0 },
	REG("ring B: queue 0 right after ring A exited", 1, ND_RECEIVER, 0, 0,
	    0, .want_id = 0),
	REG("ring B: queue 1 right after ring A exited", 1, ND_RECEIVER, 1, 0,
	    0, .want_id = 1),
};

struct nd {
	struct t_nsim_pair pair;
	struct io_uring ring[2];
	int veth;			/* ifindex in the receiver's namespace */
};

static int nd_register(struct nd *n, const struct nd_step *s,
		       struct reg_ctx *c)
{
	size_t len = s->area_len ? s->area_len : AREA_LEN;
	const char *ns;
	char *area;
	int self, ret;

	ctx_init(c);
	area = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	t_check(area != MAP_FAILED, "mmap");
	c->area.addr = uptr(area);
	c->area.len = len;
	c->rd.flags = 0;
	c->rd.user_addr = 0;
	c->reg.flags = 0;
	c->reg.if_rxq = s->rxq;
	c->reg.rx_buf_len = s->rx_buf_len;
	switch (s->port) {
	case ND_SENDER:
		ns = n->pair.netns[0];
		c->reg.if_idx = (__u32)n->pair.ifindex[0];
		break;
	case ND_RECEIVER:
		ns = n->pair.netns[1];
		c->reg.if_idx = (__u32)n->pair.ifindex[1];
		break;
	default:
		ns = n->pair.netns[1];
		c->reg.if_idx = (__u32)n->veth;
		break;
	}
	self = t_netns_visit(ns);
	t_check(self >= 0, "entering %s: %s", ns, strerror(-self));
	ret = sys_register(n->ring[s->ring].ring_fd, IORING_REGISTER_ZCRX_IFQ,
			   c->arg, 1);
	t_netns_leave(self);
	/* pinned by a registered ifq: the mapping is no longer needed */
	munmap(area, len);
	return ret;
}

static int ring_init(struct io_uring *ring)
{
	struct io_uring_params p = { .flags = RING_FLAGS };

	return io_uring_queue_init_params(8, ring, &p);
}

static int nd_step(struct nd *n, const struct nd_step *s)
{
	struct reg_ctx c;
	int ret;

	switch (s->op) {
	case ND_RINGS:
		ret = t_rings_set(n->pair.netns[1], n->pair.ifindex[1],
				  s->split, s->thresh);
		if (ret)
			return t_fail("ethtool %s: %s", s->name, t_errname(ret));
		return 0;
	case ND_EXIT:
		io_uring_queue_exit(&n->ring[s->ring]);
		t_check(!ring_init(&n->ring[s->ring]), "ring");
		return 0;
	case ND_REG:
		break;
	}
	ret = nd_register(n, s, &c);
	if (ret != s->want)
		return t_fail("netdevsim case \"%s\": %s, want %s", s->name,
			      t_errname(ret), t_errname(s->want));
	printf("%-60s %s\n", s->name, t_errname(ret));
	if (!ret)
		return check_written(s->name, &c, RQ_ENTRIES, s->want_id) ?:
		       check_kernel_region(&n->ring[s->ring], &c);
	return 0;
}

static int veth_create(struct nd *n)
{
	const char *ns = n->pair.netns[1];
	int self;

	if (t_run("ip -n %s link add zcrxv0 type veth peer name zcrxv1", ns) ||
	    t_run("ip -n %s link set zcrxv0 up", ns))
		return t_fail("creating a veth pair in %s", ns);
	self = t_netns_visit(ns);
	t_check(self >= 0, "entering %s", ns);
	n->veth = (int)if_nametoindex("zcrxv0");
	t_netns_leave(self);
	return n->veth ? 0 : t_fail("zcrxv0 not found in %s", ns);
}

static int run_netdev(void)
{
	struct nd n;
	size_t i;
	int ret;

	memset(&n, 0, sizeof(n));
	ret = t_nsim_pair_create(&n.pair, 2);
	if (ret)
		return ret;
	ret = t_hds_enable(n.pair.netns[1], n.pair.ifindex[1]);
	if (ret == -EOPNOTSUPP) {
		ret = t_lacks("netdevsim cannot split headers");
		goto out;
	}
	if (ret) {
		ret = t_fail("enabling header split: %s", t_errname(ret));
		goto out;
	}
	ret = veth_create(&n);
	if (ret)
		goto out;
	t_check(!ring_init(&n.ring[0]) && !ring_init(&n.ring[1]), "rings");
	for (i = 0; i < sizeof(nd_steps) / sizeof(nd_steps[0]); i++) {
		ret = nd_step(&n, &nd_steps[i]);
		if (ret)
			break;
	}
	io_uring_queue_exit(&n.ring[0]);
	io_uring_queue_exit(&n.ring[1]);
out:
	t_nsim_pair_destroy(&n.pair);
	return ret;
}

int main(void)
{
	size_t i;
	int ret, failed = 0;

	/* failures (stderr) stay in order with the case lines */
	setlinebuf(stdout);
	if (sysconf(_SC_PAGESIZE) != (long)PAGE_SZ)
		return t_skip("page size %ld, the cases assume 4096",
			      sysconf(_SC_PAGESIZE));
	ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (ret)
		return t_lacks("device-less zcrx: %s",
			       io_uring_zcrx_strerror(ret));
	mem_init();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret = run_case(&cases[i]);
		if (ret) {
			failed++;
			continue;
		}
		printf("%-60s %s\n", cases[i].name, t_errname(cases[i].want));
	}

	ret = run_netdev();
	if (ret == T_EXIT_FAIL)
		failed++;
	if (failed) {
		fprintf(stderr, "%d case group(s) failed\n", failed);
		return T_EXIT_FAIL;
	}
	/* the netdevsim part skipped (its reason printed): so does the test */
	return ret == T_EXIT_SKIP ? T_EXIT_SKIP : T_EXIT_PASS;
}
