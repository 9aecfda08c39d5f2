/* SPDX-License-Identifier: MIT */
/*
 * Description: the errnos and answers of IORING_REGISTER_QUERY and
 * IORING_REGISTER_ZCRX_CTRL, and the validation of event descriptors at
 * registration, per behaviour.md. What the kernel supports is taken from
 * its ZCRX query, not assumed:
 *   - QUERY works with fd -1; nr_args != 0: EINVAL; each header of a
 *     chain gets its own result (unknown op: EOPNOTSUPP in result); a
 *     cycle, or a chain of 1000 headers or more: ERANGE (999 work;
 *     upstream refuses exactly 1000 too, one fewer than behaviour.md's
 *     "at most 1000"). On 6.12 (this project's kernel): OPCODES reports
 *     59 request and 37 register opcodes (one past the highest, as
 *     upstream: 31, 33 and 34 and 37 itself are EINVAL), SCQ is EOPNOTSUPP, and ZCRX
 *     reports register_flags ZCRX_REG_NODEV, area_flags
 *     IORING_ZCRX_AREA_DMABUF (1), 1 ctrl opcode
 *     (FLUSH_RQ), features ZCRX_FEATURE_RX_PAGE_SIZE (1), rq_hdr_size
 *     128, rq_hdr_alignment 64. A
 *     kernel reporting ZCRX_FEATURE_EVENT must have ARM_EVENT among its
 *     ctrl opcodes.
 *   - ZCRX_CTRL: nr_args != 0: EINVAL; argument not readable or non-zero
 *     __resv: EFAULT; no such zcrx_id: ENXIO; unknown op: EOPNOTSUPP,
 *     EXPORT too when the query counts fewer ctrl opcodes; FLUSH_RQ: 0.
 *   - event_desc at registration: unknown type_mask bits (even beside a
 *     valid one), unknown flags or reserved words: EINVAL; a statistics
 *     block (FLAG_STATS) not 8-byte aligned: EINVAL; overlapping the ring
 *     header or entries, or outside the region: ERANGE; an unreadable
 *     descriptor: EFAULT; a valid stats block is zeroed. A descriptor with
 *     type_mask 0 and FLAG_STATS (statistics only) works on any kernel.
 *   - With ZCRX_FEATURE_EVENT: ALLOC_FAIL and COPY register; ARM_EVENT
 *     with no descriptor, of an unknown type, or of an event that has not
 *     fired: EINVAL. An event that fired (COPY, on a device-less ifq that
 *     copies every byte) posts one CQE with its user_data and
 *     res = 1 << type, the stats block counts the copies, and ARM_EVENT
 *     re-arms it (0) exactly once.
 *   - Without it (6.12): a valid type_mask bit (ALLOC_FAIL, COPY) is
 *     EOPNOTSUPP, ARM_EVENT is EOPNOTSUPP on any ifq, and a statistics
 *     block still counts every copied CQE and byte, with no event CQE.
 * The QUERY part runs on any kernel with IORING_REGISTER_QUERY; the rest
 * needs device-less zcrx (ZCRX_REG_NODEV) and skips without it (fails on
 * the project's kernel, which has both).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <liburing-ext.h>

#include "devmem.h"

#define PAGE_SZ		4096UL
#define AREA_LEN	(64 * PAGE_SZ)
#define REGION_LEN	(2 * PAGE_SZ)
#define RQ_ENTRIES	64
#define RQES_END	(128 + RQ_ENTRIES * 16)	/* end of the refill entries */
#define RING_FLAGS	(IORING_SETUP_DEFER_TASKRUN | \
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32)
#define EV_USER_DATA	0xfeedf00dULL
#define EV_BOTH		(1U << ZCRX_EVENT_ALLOC_FAIL | 1U << ZCRX_EVENT_COPY)

static bool is_612;		/* the project's kernel: exact numbers known */
static bool has_events;		/* query: ZCRX_FEATURE_EVENT */
static __u32 nr_ctrl_ops;	/* query: nr_ctrl_opcodes */
static char *noaccess;		/* a PROT_NONE page */

static int sys_register(int fd, unsigned int op, void *arg, unsigned int nr)
{
	long ret = syscall(__NR_io_uring_register, fd, op, arg, nr);

	return ret < 0 ? -errno : (int)ret;
}

static __u64 uptr(const void *p)
{
	return (__u64)(uintptr_t)p;
}

/* ---- IORING_REGISTER_QUERY ---- */

static void qhdr(struct io_uring_query_hdr *h, __u32 op, void *data,
		 __u32 size)
{
	memset(h, 0, sizeof(*h));
	h->query_op = op;
	h->query_data = uptr(data);
	h->size = size;
}

/*
 * On 6.12 the register count is upstream's, one past the highest opcode,
 * with holes where upstream has opcodes this kernel lacks: 31
 * (SEND_MSG_RING), 33 (RESIZE_RINGS), 34 (MEM_REGION). Those, and the
 * count itself, fail like any unknown opcode: EINVAL.
 */
static int register_holes(unsigned int nr_register)
{
	static const unsigned int holes[] = { 31, 33, 34 };
	struct io_uring ring;
	size_t i;
	int ret;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		return t_fail("ring: %s", t_errname(ret));
	for (i = 0; i <= sizeof(holes) / sizeof(holes[0]); i++) {
		unsigned int op = i < sizeof(holes) / sizeof(holes[0]) ?
				  holes[i] : nr_register;

		ret = sys_register(ring.ring_fd, op, NULL, 0);
		if (ret != -EINVAL) {
			io_uring_queue_exit(&ring);
			return t_fail("register opcode %u on 6.12: %s, want EINVAL",
				      op, t_errname(ret));
		}
	}
	io_uring_queue_exit(&ring);
	return 0;
}

static int query_opcodes(void)
{
	struct io_uring_query_opcode qo;
	struct io_uring_query_hdr h;
	int ret;

	memset(&qo, 0, sizeof(qo));
	qhdr(&h, IO_URING_QUERY_OPCODES, &qo, sizeof(qo));
	ret = sys_register(-1, IORING_REGISTER_QUERY, &h, 0);
	if (ret)
		return t_fail("QUERY OPCODES with fd -1: %s", t_errname(ret));
	if (h.result)
		return t_fail("QUERY OPCODES: result %s", t_errname(h.result));
	printf("OPCODES: %u request, %u register, %u query opcodes; setup flags %#llx\n",
	       qo.nr_request_opcodes, qo.nr_register_opcodes,
	       qo.nr_query_opcodes, (unsigned long long)qo.ring_setup_flags);
	if (is_612 && (qo.nr_request_opcodes != IORING_OP_RECV_ZC + 1 ||
		       qo.nr_register_opcodes != IORING_REGISTER_ZCRX_CTRL + 1))
		return t_fail("OPCODES on 6.12: %u request, %u register; want 59, 37",
			      qo.nr_request_opcodes, qo.nr_register_opcodes);
	if (qo.nr_request_opcodes <= IORING_OP_RECV_ZC ||
	    qo.nr_register_opcodes <= IORING_REGISTER_QUERY)
		return t_fail("OPCODES: %u request, %u register: too few for zcrx",
			      qo.nr_request_opcodes, qo.nr_register_opcodes);
	if (is_612 && qo.nr_query_opcodes != IO_URING_QUERY_ZCRX + 1)
		return t_fail("OPCODES on 6.12: %u query opcodes, want 2 (OPCODES and ZCRX)",
			      qo.nr_query_opcodes);
	if (is_612)
		return register_holes(qo.nr_register_opcodes);
	return 0;
}

/* 0: checked; T_EXIT_SKIP: no ZCRX query (not 6.12); else failed. */
static int query_zcrx(void)
{
	struct io_uring_query_zcrx qz;
	struct io_uring_query_hdr h;
	int ret;

	memset(&qz, 0, sizeof(qz));
	qhdr(&h, IO_URING_QUERY_ZCRX, &qz, sizeof(qz));
	ret = sys_register(-1, IORING_REGISTER_QUERY, &h, 0);
	if (ret)
		return t_fail("QUERY ZCRX: %s", t_errname(ret));
	if (h.result == -EOPNOTSUPP && !is_612) {
		printf("ZCRX query: EOPNOTSUPP on this kernel, not checked\n");
		return T_EXIT_SKIP;
	}
	if (h.result)
		return t_fail("QUERY ZCRX: result %s", t_errname(h.result));
	printf("ZCRX: register_flags %#llx area_flags %#llx ctrl opcodes %u features %#x rq_hdr_size %u rq_hdr_alignment %u\n",
	       (unsigned long long)qz.register_flags,
	       (unsigned long long)qz.area_flags, qz.nr_ctrl_opcodes,
	       qz.features, qz.rq_hdr_size, qz.rq_hdr_alignment);
	has_events = qz.features & ZCRX_FEATURE_EVENT;
	nr_ctrl_ops = qz.nr_ctrl_opcodes;
	if (is_612 && (qz.register_flags != ZCRX_REG_NODEV ||
		       qz.area_flags != IORING_ZCRX_AREA_DMABUF ||
		       qz.nr_ctrl_opcodes != ZCRX_CTRL_FLUSH_RQ + 1 ||
		       qz.features != ZCRX_FEATURE_RX_PAGE_SIZE))
		return t_fail("ZCRX query on 6.12: want register_flags NODEV (2), area_flags DMABUF (1), 1 ctrl opcode (FLUSH_RQ), features RX_PAGE_SIZE (1)");
	if (has_events && qz.nr_ctrl_opcodes <= ZCRX_CTRL_ARM_EVENT)
		return t_fail("ZCRX query: features EVENT but %u ctrl opcodes, ARM_EVENT (2) not among them",
			      qz.nr_ctrl_opcodes);
	if (qz.rq_hdr_size != 128 || qz.rq_hdr_alignment != 64)
		return t_fail("ZCRX query: rq_hdr_size %u rq_hdr_alignment %u, want 128, 64",
			      qz.rq_hdr_size, qz.rq_hdr_alignment);
	printf("ZCRX features: event CQEs %s; %s\n",
	       has_events ? "yes" : "no",
	       has_events ? "event cases run" :
	       "event types and ARM_EVENT must be EOPNOTSUPP");
	return 0;
}

/* One query header with an unknown or unsupported op: result @want. */
static int query_unknown(__u32 op, const char *what)
{
	struct io_uring_query_hdr h;
	char data[64] = { 0 };
	int ret;

	qhdr(&h, op, data, sizeof(data));
	ret = sys_register(-1, IORING_REGISTER_QUERY, &h, 0);
	if (ret || h.result != -EOPNOTSUPP)
		return t_fail("QUERY %s: %s, result %s; want success, result EOPNOTSUPP",
			      what, t_errname(ret), t_errname(h.result));
	printf("%-44s result %s\n", what, t_errname(h.result));
	return 0;
}

static struct io_uring_query_hdr chain[1002];
static char query_buf[64];		/* query_data of unknown ops */

/* A chain of @n unknown ops: ERANGE from 1000 on, else each result set. */
static int query_chain(int n, int want)
{
	char name[32];
	int i, ret;

	memset(chain, 0, sizeof(chain));
	for (i = 0; i < n; i++) {
		qhdr(&chain[i], 0x7fffffff, query_buf, sizeof(query_buf));
		if (i + 1 < n)
			chain[i].next_entry = uptr(&chain[i + 1]);
	}
	ret = sys_register(-1, IORING_REGISTER_QUERY, chain, 0);
	if (ret != want)
		return t_fail("QUERY chain of %d: %s, want %s", n,
			      t_errname(ret), t_errname(want));
	for (i = 0; !want && i < n; i++)
		if (chain[i].result != -EOPNOTSUPP)
			return t_fail("QUERY chain of %d: entry %d result %s",
				      n, i, t_errname(chain[i].result));
	snprintf(name, sizeof(name), "chain of %d headers", n);
	printf("%-44s %s\n", name, t_errname(ret));
	return 0;
}

static int query_tests(void)
{
	struct io_uring_query_opcode qo;
	struct io_uring_query_zcrx qz;
	struct io_uring_query_hdr h[3];
	int ret, zret;

	ret = query_opcodes();
	if (ret)
		return ret;
	zret = query_zcrx();
	if (zret && zret != T_EXIT_SKIP)
		return zret;

	/* nr_args */
	memset(&qo, 0, sizeof(qo));
	qhdr(&h[0], IO_URING_QUERY_OPCODES, &qo, sizeof(qo));
	ret = sys_register(-1, IORING_REGISTER_QUERY, &h[0], 1);
	if (ret != -EINVAL)
		return t_fail("QUERY with nr_args 1: %s, want EINVAL",
			      t_errname(ret));
	printf("%-44s %s\n", "nr_args 1", t_errname(ret));

	if (query_unknown(0x7fffffff, "unknown op 0x7fffffff"))
		return T_EXIT_FAIL;
	if (is_612 && (query_unknown(3, "unknown op 3") ||
		       query_unknown(IO_URING_QUERY_SCQ, "SCQ (not on 6.12)")))
		return T_EXIT_FAIL;

	/* a chain: each header has its own result */
	memset(&qo, 0, sizeof(qo));
	memset(&qz, 0, sizeof(qz));
	qhdr(&h[0], IO_URING_QUERY_OPCODES, &qo, sizeof(qo));
	qhdr(&h[1], 0x7fffffff, query_buf, sizeof(query_buf));
	qhdr(&h[2], IO_URING_QUERY_ZCRX, &qz, sizeof(qz));
	h[0].next_entry = uptr(&h[1]);
	h[1].next_entry = uptr(&h[2]);
	ret = sys_register(-1, IORING_REGISTER_QUERY, h, 0);
	if (ret || h[0].result || h[1].result != -EOPNOTSUPP ||
	    (!zret && h[2].result) || !qo.nr_request_opcodes ||
	    (!zret && qz.rq_hdr_size != 128))
		return t_fail("QUERY chain OPCODES, unknown, ZCRX: %s; results %d %d %d",
			      t_errname(ret), h[0].result, h[1].result,
			      h[2].result);
	printf("%-44s results %d, %d, %d\n", "chain OPCODES -> unknown -> ZCRX",
	       h[0].result, h[1].result, h[2].result);

	/*
	 * Fewer than 1000 headers: upstream (6.18) refuses a chain of
	 * exactly 1000, not only longer ones, and so does 6.12.
	 */
	if (query_chain(999, 0) || query_chain(1000, -ERANGE) ||
	    query_chain(1001, -ERANGE))
		return T_EXIT_FAIL;
	qhdr(&h[0], 0x7fffffff, query_buf, sizeof(query_buf));
	h[0].next_entry = uptr(&h[0]);
	ret = sys_register(-1, IORING_REGISTER_QUERY, h, 0);
	if (ret != -ERANGE)
		return t_fail("QUERY header pointing at itself: %s, want ERANGE",
			      t_errname(ret));
	printf("%-44s %s\n", "a header pointing at itself", t_errname(ret));
	return 0;
}

/*
 * ---- a device-less ifq registered by hand, with an event descriptor ----
 * The descriptor asks for both events and a statistics block when the
 * kernel has event CQEs, else for the statistics block only.
 */

struct raw_ifq {
	char *region;			/* REGION_LEN, user memory */
	char *area;			/* AREA_LEN */
	struct zcrx_event_desc ev;
	struct io_uring_zcrx_ifq_reg reg;
	struct io_uring_zcrx_area_reg area_reg;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq ifq;	/* liburing-ext's view, for the rq */
};

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	t_check(p != MAP_FAILED, "mmap: %s", strerror(errno));
	return p;
}

static void raw_init(struct raw_ifq *r, bool with_desc)
{
	memset(r, 0, sizeof(*r));
	r->region = map(REGION_LEN);
	r->area = map(AREA_LEN);
	/* past the entries: where stats blocks go, zeroed by the kernel */
	memset(r->region + RQES_END, 0xff, REGION_LEN - RQES_END);
	r->ev.user_data = EV_USER_DATA;
	r->ev.type_mask = has_events ? EV_BOTH : 0;
	r->ev.flags = ZCRX_EVENT_DESC_FLAG_STATS;
	r->ev.stats_offset = RQES_END;
	r->area_reg.addr = uptr(r->area);
	r->area_reg.len = AREA_LEN;
	r->rd.user_addr = uptr(r->region);
	r->rd.size = REGION_LEN;
	r->rd.flags = IORING_MEM_REGION_TYPE_USER;
	r->reg.rq_entries = RQ_ENTRIES;
	r->reg.flags = ZCRX_REG_NODEV;
	r->reg.area_ptr = uptr(&r->area_reg);
	r->reg.region_ptr = uptr(&r->rd);
	r->reg.event_desc = with_desc ? uptr(&r->ev) : 0;
}

static void raw_free(struct raw_ifq *r)
{
	munmap(r->region, REGION_LEN);
	munmap(r->area, AREA_LEN);
}

static int raw_register(struct io_uring *ring, struct raw_ifq *r)
{
	int ret = sys_register(ring->ring_fd, IORING_REGISTER_ZCRX_IFQ,
			       &r->reg, 1);
	struct io_uring_zcrx_ifq *q = &r->ifq;

	if (ret)
		return ret;
	q->zcrx_id = r->reg.zcrx_id;
	q->rx_buf_len = PAGE_SZ;
	q->rq.ring_ptr = r->region;
	q->rq.khead = (__u32 *)(r->region + r->reg.offsets.head);
	q->rq.ktail = (__u32 *)(r->region + r->reg.offsets.tail);
	q->rq.rqes = (struct io_uring_zcrx_rqe *)(r->region +
						  r->reg.offsets.rqes);
	q->rq.ring_entries = r->reg.rq_entries;
	q->rq.rq_tail = IO_URING_READ_ONCE(*q->rq.ktail);
	q->area_base = r->area;
	q->area_len = AREA_LEN;
	q->area_token = r->area_reg.rq_area_token;
	return 0;
}

static struct zcrx_stats *raw_stats(struct raw_ifq *r)
{
	return (struct zcrx_stats *)(r->region + r->ev.stats_offset);
}

static int ring_init(struct io_uring *ring)
{
	struct io_uring_params p = { .flags = RING_FLAGS };

	return io_uring_queue_init_params(16, ring, &p);
}

/* ---- event_desc at registration ---- */

/* type_mask of a case about something else: both events, else none */
#define MASK_AUTO	(1ULL << 32)

struct ev_case {
	const char *name;
	__u64 type_mask;		/* as given, or MASK_AUTO */
	__u32 flags;
	__u64 stats_offset;
	int resv;			/* 1 + index of __resv2 set to 1, or 0 */
	bool unreadable;		/* event_desc points at a PROT_NONE page */
	int want;			/* with ZCRX_FEATURE_EVENT */
	int want_noev;			/* without it */
};

#define STATS	ZCRX_EVENT_DESC_FLAG_STATS
#define STATS_END	(REGION_LEN - sizeof(struct zcrx_stats))
#define EV(n, mask, fl, off, w, nw, ...)				\
	{ .name = (n), .type_mask = (mask), .flags = (fl),		\
	  .stats_offset = (off), .want = (w), .want_noev = (nw),	\
	  __VA_ARGS__ }

static const struct ev_case ev_cases[] = {
	/* the event types: registered with events, else EOPNOTSUPP */
	EV("both events, stats after the entries", EV_BOTH, STATS, RQES_END,
	   0, -EOPNOTSUPP),
	EV("both events, stats at the region's end", EV_BOTH, STATS,
	   STATS_END, 0, -EOPNOTSUPP),
	EV("ALLOC_FAIL only, no stats", 1U << ZCRX_EVENT_ALLOC_FAIL, 0, 0,
	   0, -EOPNOTSUPP),
	EV("COPY only, no stats", 1U << ZCRX_EVENT_COPY, 0, 0,
	   0, -EOPNOTSUPP),
	EV("COPY only, stats after the entries", 1U << ZCRX_EVENT_COPY, STATS,
	   RQES_END, 0, -EOPNOTSUPP),
	/* a statistics block alone */
	EV("stats only, after the entries", 0, STATS, RQES_END, 0, 0),
	EV("stats only, 8 bytes after the entries", 0, STATS, RQES_END + 8,
	   0, 0),
	EV("stats only, at the region's end", 0, STATS, STATS_END, 0, 0),
	/* unknown bits: EINVAL, even beside a valid event type */
	EV("type_mask 1 << 2", 1U << 2, 0, 0, -EINVAL, -EINVAL),
	EV("type_mask COPY | 1 << 31", 1U << ZCRX_EVENT_COPY | 1U << 31, 0, 0,
	   -EINVAL, -EINVAL),
	EV("type_mask 0xffffffff", 0xffffffff, 0, 0, -EINVAL, -EINVAL),
	EV("flags 1 << 1", MASK_AUTO, 2, 0, -EINVAL, -EINVAL),
	EV("flags STATS | 1 << 31", MASK_AUTO, STATS | 1U << 31, RQES_END,
	   -EINVAL, -EINVAL),
	EV("__resv2[0] set", MASK_AUTO, STATS, RQES_END, -EINVAL, -EINVAL,
	   .resv = 1 + 0),
	EV("__resv2[8] set", MASK_AUTO, STATS, RQES_END, -EINVAL, -EINVAL,
	   .resv = 1 + 8),
	/* where the statistics block goes */
	EV("stats_offset unaligned (+4)", MASK_AUTO, STATS, RQES_END + 4,
	   -EINVAL, -EINVAL),
	EV("stats_offset unaligned (+1)", MASK_AUTO, STATS, RQES_END + 1,
	   -EINVAL, -EINVAL),
	EV("stats at offset 0 (the ring header)", MASK_AUTO, STATS, 0,
	   -ERANGE, -ERANGE),
	EV("stats in the ring header (64)", MASK_AUTO, STATS, 64,
	   -ERANGE, -ERANGE),
	EV("stats over the first entries", MASK_AUTO, STATS, 128,
	   -ERANGE, -ERANGE),
	EV("stats over the last entry", MASK_AUTO, STATS, RQES_END - 8,
	   -ERANGE, -ERANGE),
	EV("stats over the region's end", MASK_AUTO, STATS, REGION_LEN - 8,
	   -ERANGE, -ERANGE),
	EV("stats at the region's end", MASK_AUTO, STATS, REGION_LEN,
	   -ERANGE, -ERANGE),
	EV("stats_offset 1 << 40", MASK_AUTO, STATS, 1ULL << 40,
	   -ERANGE, -ERANGE),
	EV("stats_offset ~7 (wraps)", MASK_AUTO, STATS, ~7ULL,
	   -ERANGE, -ERANGE),
	EV("event_desc not readable", MASK_AUTO, STATS, RQES_END,
	   -EFAULT, -EFAULT, .unreadable = true),
};

static int ev_case_run(const struct ev_case *tc)
{
	int want = has_events ? tc->want : tc->want_noev;
	struct io_uring ring;
	struct raw_ifq r;
	struct zcrx_stats *st;
	int ret;

	raw_init(&r, true);
	if (tc->type_mask != MASK_AUTO)
		r.ev.type_mask = (__u32)tc->type_mask;
	r.ev.flags = tc->flags;
	r.ev.stats_offset = tc->stats_offset;
	if (tc->resv)
		r.ev.__resv2[tc->resv - 1] = 1;
	if (tc->unreadable)
		r.reg.event_desc = uptr(noaccess);
	t_check(!ring_init(&ring), "ring");
	ret = raw_register(&ring, &r);
	if (ret != want) {
		ret = t_fail("event_desc case \"%s\": %s, want %s", tc->name,
			     t_errname(ret), t_errname(want));
	} else if (ret) {
		ret = 0;		/* refused as it should be */
	} else if (tc->flags & STATS) {
		st = raw_stats(&r);
		if (st->copy_count || st->copy_bytes)
			ret = t_fail("event_desc case \"%s\": stats block not zeroed (%#llx %#llx)",
				     tc->name,
				     (unsigned long long)st->copy_count,
				     (unsigned long long)st->copy_bytes);
	}
	io_uring_queue_exit(&ring);
	raw_free(&r);
	if (!ret)
		printf("%-44s %s\n", tc->name, t_errname(want));
	return ret;
}

/* ---- IORING_REGISTER_ZCRX_CTRL ---- */

enum ctrl_target {
	ID_DESC = 0,		/* the ifq with an event descriptor */
	ID_PLAIN,		/* the ifq without one */
	ID_UNUSED,		/* an id no ifq of the ring has */
	ID_BIG,			/* 0xffffffff */
	ID_OTHER_RING,		/* id 0 on a ring without ifqs */
};

struct ctrl_case {
	const char *name;
	enum ctrl_target target;
	__u32 op;
	__u32 event_type;
	__u64 resv0, resv1;
	unsigned int nr_args;
	bool unreadable;
	bool unlisted;		/* runs only if op >= nr_ctrl_opcodes */
	int want;		/* with ZCRX_FEATURE_EVENT */
	int want_noev;		/* without it */
};

#define CT(n, tgt, op_, w, nw, ...)					\
	{ .name = (n), .target = (tgt), .op = (op_), .want = (w),	\
	  .want_noev = (nw), __VA_ARGS__ }

static const struct ctrl_case ctrl_cases[] = {
	CT("FLUSH_RQ", ID_PLAIN, ZCRX_CTRL_FLUSH_RQ, 0, 0),
	CT("FLUSH_RQ, ifq with event_desc", ID_DESC, ZCRX_CTRL_FLUSH_RQ, 0, 0),
	CT("nr_args 1", ID_PLAIN, ZCRX_CTRL_FLUSH_RQ, -EINVAL, -EINVAL,
	   .nr_args = 1),
	CT("argument not readable", ID_PLAIN, ZCRX_CTRL_FLUSH_RQ,
	   -EFAULT, -EFAULT, .unreadable = true),
	CT("__resv[0] set", ID_PLAIN, ZCRX_CTRL_FLUSH_RQ, -EFAULT, -EFAULT,
	   .resv0 = 1),
	CT("__resv[1] set", ID_PLAIN, ZCRX_CTRL_FLUSH_RQ, -EFAULT, -EFAULT,
	   .resv1 = 1ULL << 63),
	CT("zcrx_id not registered", ID_UNUSED, ZCRX_CTRL_FLUSH_RQ,
	   -ENXIO, -ENXIO),
	CT("zcrx_id 0xffffffff", ID_BIG, ZCRX_CTRL_FLUSH_RQ, -ENXIO, -ENXIO),
	CT("zcrx_id 0 on a ring without ifqs", ID_OTHER_RING,
	   ZCRX_CTRL_FLUSH_RQ, -ENXIO, -ENXIO),
	CT("op 3", ID_PLAIN, 3, -EOPNOTSUPP, -EOPNOTSUPP),
	CT("op 0xffffffff", ID_PLAIN, 0xffffffff, -EOPNOTSUPP, -EOPNOTSUPP),
	CT("EXPORT", ID_PLAIN, ZCRX_CTRL_EXPORT, -EOPNOTSUPP, -EOPNOTSUPP,
	   .unlisted = true),
	CT("EXPORT, ifq with event_desc", ID_DESC, ZCRX_CTRL_EXPORT,
	   -EOPNOTSUPP, -EOPNOTSUPP, .unlisted = true),
	/* ARM_EVENT: EINVAL for what cannot be armed, else no such op */
	CT("ARM_EVENT, ifq without event_desc", ID_PLAIN, ZCRX_CTRL_ARM_EVENT,
	   -EINVAL, -EOPNOTSUPP, .event_type = ZCRX_EVENT_COPY),
	CT("ARM_EVENT type 2", ID_DESC, ZCRX_CTRL_ARM_EVENT,
	   -EINVAL, -EOPNOTSUPP, .event_type = 2),
	CT("ARM_EVENT type 32", ID_DESC, ZCRX_CTRL_ARM_EVENT,
	   -EINVAL, -EOPNOTSUPP, .event_type = 32),
	CT("ARM_EVENT type 0xffffffff", ID_DESC, ZCRX_CTRL_ARM_EVENT,
	   -EINVAL, -EOPNOTSUPP, .event_type = 0xffffffff),
	CT("ARM_EVENT COPY, not fired", ID_DESC, ZCRX_CTRL_ARM_EVENT,
	   -EINVAL, -EOPNOTSUPP, .event_type = ZCRX_EVENT_COPY),
	CT("ARM_EVENT ALLOC_FAIL, not fired", ID_DESC, ZCRX_CTRL_ARM_EVENT,
	   -EINVAL, -EOPNOTSUPP, .event_type = ZCRX_EVENT_ALLOC_FAIL),
};

struct ctrl_env {
	struct io_uring ring, empty;	/* with the two ifqs, without any */
	struct raw_ifq ev, plain;
	bool has_desc;			/* ev registered */
};

static int ctrl(struct io_uring *ring, __u32 id, __u32 op, __u32 event_type)
{
	struct zcrx_ctrl c;

	memset(&c, 0, sizeof(c));
	c.zcrx_id = id;
	c.op = op;
	if (op == ZCRX_CTRL_ARM_EVENT)
		c.zc_arm_event.event_type = event_type;
	return sys_register(ring->ring_fd, IORING_REGISTER_ZCRX_CTRL, &c, 0);
}

static int ctrl_case_run(struct ctrl_env *e, const struct ctrl_case *tc)
{
	int want = has_events ? tc->want : tc->want_noev;
	struct io_uring *ring = &e->ring;
	struct zcrx_ctrl c;
	void *arg = &c;
	__u32 id;
	int ret;

	if (tc->unlisted && tc->op < nr_ctrl_ops) {
		printf("%-44s not run: one of the kernel's %u ctrl opcodes\n",
		       tc->name, nr_ctrl_ops);
		return 0;
	}
	if (tc->target == ID_DESC && !e->has_desc)
		return t_fail("ZCRX_CTRL case \"%s\": not run, no ifq with event_desc",
			      tc->name);
	switch (tc->target) {
	case ID_DESC: id = e->ev.reg.zcrx_id; break;
	case ID_PLAIN: id = e->plain.reg.zcrx_id; break;
	case ID_UNUSED:
		id = (e->ev.reg.zcrx_id > e->plain.reg.zcrx_id ?
		      e->ev.reg.zcrx_id : e->plain.reg.zcrx_id) + 1;
		break;
	case ID_BIG: id = 0xffffffff; break;
	default: id = 0; ring = &e->empty; break;
	}
	memset(&c, 0, sizeof(c));
	c.zcrx_id = id;
	c.op = tc->op;
	c.__resv[0] = tc->resv0;
	c.__resv[1] = tc->resv1;
	if (tc->op == ZCRX_CTRL_ARM_EVENT)
		c.zc_arm_event.event_type = tc->event_type;
	if (tc->unreadable)
		arg = noaccess;
	ret = sys_register(ring->ring_fd, IORING_REGISTER_ZCRX_CTRL, arg,
			   tc->nr_args);
	if (ret != want)
		return t_fail("ZCRX_CTRL case \"%s\": %s, want %s", tc->name,
			      t_errname(ret), t_errname(want));
	printf("%-44s %s\n", tc->name, t_errname(ret));
	return 0;
}

/* A connected TCP pair over loopback: *a (client) and *b (accepted). */
static int tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &len))
		return -errno;
	*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	*b = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	return *b < 0 ? -errno : 0;
}

struct rx_count {
	__u64 bytes, cqes;		/* data CQEs of the RECV_ZC */
	unsigned int events;		/* event CQEs */
	__s32 event_res;		/* res of the last one */
};

#define RECV_USER_DATA	7

/*
 * Reap CQEs for up to @ms milliseconds or until @want_bytes arrived and
 * at least @want_events event CQEs were seen; returns buffers at once.
 */
static int reap(struct ctrl_env *e, struct rx_count *n, __u64 want_bytes,
		unsigned int want_events, int ms)
{
	struct io_uring_cqe *cqe;

	while (n->bytes < want_bytes || n->events < want_events || ms > 0) {
		struct __kernel_timespec ts = { .tv_nsec = 50 * 1000000L };
		int ret = io_uring_wait_cqe_timeout(&e->ring, &cqe, &ts);

		if (ret == -ETIME) {
			ms -= 50;
			if (ms <= -5000)
				return t_fail("waiting for %llu bytes (have %llu) and %u event CQEs (have %u)",
					      (unsigned long long)want_bytes,
					      (unsigned long long)n->bytes,
					      want_events, n->events);
			continue;
		}
		if (ret)
			return t_fail("wait: %s", t_errname(ret));
		if (cqe->user_data == EV_USER_DATA) {
			n->events++;
			n->event_res = cqe->res;
		} else if (cqe->user_data == RECV_USER_DATA && cqe->res > 0 &&
			   (cqe->flags & IORING_CQE_F_MORE)) {
			void *buf;

			if (io_uring_zcrx_cqe_buf(&e->ev.ifq, cqe, &buf) <= 0) {
				io_uring_cqe_seen(&e->ring, cqe);
				return t_fail("RECV_ZC CQE outside the area");
			}
			n->bytes += (__u64)cqe->res;
			n->cqes++;
			io_uring_zcrx_rq_return(&e->ev.ifq.rq,
						io_uring_zcrx_cqe_off(cqe),
						(__u32)cqe->res);
		} else {
			int res = cqe->res;
			unsigned long long ud = cqe->user_data;

			io_uring_cqe_seen(&e->ring, cqe);
			return t_fail("unexpected CQE: user_data %#llx res %s",
				      ud, t_errname(res));
		}
		io_uring_cqe_seen(&e->ring, cqe);
	}
	return 0;
}

static int send_all(int fd, size_t len)
{
	static char buf[4096];

	memset(buf, 'z', sizeof(buf));
	while (len) {
		ssize_t n = write(fd, buf, len < sizeof(buf) ? len : sizeof(buf));

		if (n <= 0)
			return t_fail("write: %s", strerror(errno));
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The COPY event fires once, is counted in the stats, can be re-armed once
 * it fired (and only then), and fires again after re-arming.
 */
static int event_flow(struct ctrl_env *e)
{
	struct zcrx_stats *st = raw_stats(&e->ev);
	struct io_uring_sqe *sqe;
	struct rx_count n = { 0 };
	__u32 id = e->ev.reg.zcrx_id;
	int a = -1, b = -1, ret;

	ret = tcp_pair(&a, &b);
	t_check(!ret, "TCP pair: %s", strerror(-ret));
	sqe = io_uring_get_sqe(&e->ring);
	io_uring_prep_recv_zc(sqe, b, id, 0, 0);
	sqe->user_data = RECV_USER_DATA;
	t_check(io_uring_submit(&e->ring) == 1, "submit");

	ret = send_all(a, 10000) ?: reap(e, &n, 10000, 1, 200);
	if (ret)
		goto out;
	if (n.events != 1 || n.event_res != 1 << ZCRX_EVENT_COPY) {
		ret = t_fail("after copied data: %u event CQEs, res %#x; want 1, %#x",
			     n.events, n.event_res, 1 << ZCRX_EVENT_COPY);
		goto out;
	}
	if (st->copy_bytes != n.bytes || st->copy_count != n.cqes) {
		ret = t_fail("stats: copy_count %llu copy_bytes %llu; %llu CQEs with %llu bytes came",
			     (unsigned long long)st->copy_count,
			     (unsigned long long)st->copy_bytes,
			     (unsigned long long)n.cqes,
			     (unsigned long long)n.bytes);
		goto out;
	}
	printf("COPY event: one CQE res %#x; stats copy_count %llu copy_bytes %llu\n",
	       n.event_res, (unsigned long long)st->copy_count,
	       (unsigned long long)st->copy_bytes);

	ret = ctrl(&e->ring, id, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_ALLOC_FAIL);
	if (ret != -EINVAL) {
		ret = t_fail("ARM_EVENT ALLOC_FAIL (not fired) after COPY fired: %s, want EINVAL",
			     t_errname(ret));
		goto out;
	}
	ret = ctrl(&e->ring, id, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY);
	if (ret) {
		ret = t_fail("ARM_EVENT COPY after it fired: %s, want success",
			     t_errname(ret));
		goto out;
	}
	ret = ctrl(&e->ring, id, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY);
	if (ret != -EINVAL) {
		ret = t_fail("ARM_EVENT COPY twice: %s, want EINVAL",
			     t_errname(ret));
		goto out;
	}
	printf("%-44s success, then EINVAL\n", "ARM_EVENT COPY after it fired");

	ret = send_all(a, 5000) ?: reap(e, &n, 15000, 2, 200);
	if (ret)
		goto out;
	if (n.events != 2 || st->copy_bytes != n.bytes ||
	    st->copy_count != n.cqes) {
		ret = t_fail("after re-arming: %u event CQEs (want 2); stats %llu/%llu for %llu CQEs/%llu bytes",
			     n.events, (unsigned long long)st->copy_count,
			     (unsigned long long)st->copy_bytes,
			     (unsigned long long)n.cqes,
			     (unsigned long long)n.bytes);
		goto out;
	}
	printf("re-armed COPY event fired again; stats copy_count %llu copy_bytes %llu\n",
	       (unsigned long long)st->copy_count,
	       (unsigned long long)st->copy_bytes);
	ret = ctrl(&e->ring, id, ZCRX_CTRL_FLUSH_RQ, 0);
	if (ret)
		ret = t_fail("FLUSH_RQ after returning buffers: %s",
			     t_errname(ret));
out:
	/* EOF ends the request; its last CQE is left in the ring */
	close(a);
	close(b);
	return ret;
}

/* The stats block against what the RECV_ZC got so far; no event CQE. */
static int stats_match(struct ctrl_env *e, const struct rx_count *n,
		       const char *when)
{
	struct zcrx_stats *st = raw_stats(&e->ev);

	if (n->events || st->copy_count != n->cqes ||
	    st->copy_bytes != n->bytes)
		return t_fail("%s: %u event CQEs (want 0); stats copy_count %llu copy_bytes %llu for %llu CQEs with %llu bytes",
			      when, n->events,
			      (unsigned long long)st->copy_count,
			      (unsigned long long)st->copy_bytes,
			      (unsigned long long)n->cqes,
			      (unsigned long long)n->bytes);
	printf("%s: %llu copied CQEs with %llu bytes; stats copy_count %llu copy_bytes %llu; no event CQE\n",
	       when, (unsigned long long)n->cqes,
	       (unsigned long long)n->bytes,
	       (unsigned long long)st->copy_count,
	       (unsigned long long)st->copy_bytes);
	return 0;
}

/*
 * Without event CQEs: the statistics block counts every CQE and byte a
 * device-less ifq copies, no CQE carries the descriptor's user_data, and
 * ARM_EVENT stays EOPNOTSUPP after copies happened.
 */
static int stats_flow(struct ctrl_env *e)
{
	struct io_uring_sqe *sqe;
	struct rx_count n = { 0 };
	__u32 id = e->ev.reg.zcrx_id;
	int a = -1, b = -1, ret;

	ret = tcp_pair(&a, &b);
	t_check(!ret, "TCP pair: %s", strerror(-ret));
	sqe = io_uring_get_sqe(&e->ring);
	io_uring_prep_recv_zc(sqe, b, id, 0, 0);
	sqe->user_data = RECV_USER_DATA;
	t_check(io_uring_submit(&e->ring) == 1, "submit");

	ret = send_all(a, 10000) ?: reap(e, &n, 10000, 0, 200) ?:
	      stats_match(e, &n, "stats only, 10000 bytes");
	if (ret)
		goto out;
	ret = ctrl(&e->ring, id, ZCRX_CTRL_ARM_EVENT, ZCRX_EVENT_COPY);
	if (ret != -EOPNOTSUPP) {
		ret = t_fail("ARM_EVENT COPY after copies: %s, want EOPNOTSUPP",
			     t_errname(ret));
		goto out;
	}
	printf("%-44s %s\n", "ARM_EVENT COPY after copies", t_errname(ret));
	ret = send_all(a, 5000) ?: reap(e, &n, 15000, 0, 200) ?:
	      stats_match(e, &n, "stats only, 5000 more");
	if (ret)
		goto out;
	ret = ctrl(&e->ring, id, ZCRX_CTRL_FLUSH_RQ, 0);
	if (ret)
		ret = t_fail("FLUSH_RQ after returning buffers: %s",
			     t_errname(ret));
out:
	/* EOF ends the request; its last CQE is left in the ring */
	close(a);
	close(b);
	return ret;
}

static int ctrl_tests(void)
{
	struct ctrl_env e;
	size_t i;
	int ret, failed = 0;

	memset(&e, 0, sizeof(e));
	t_check(!ring_init(&e.ring) && !ring_init(&e.empty), "rings");
	raw_init(&e.ev, true);
	raw_init(&e.plain, false);
	ret = raw_register(&e.ring, &e.plain);
	if (ret)
		return t_fail("device-less ifq without event_desc: %s",
			      t_errname(ret));
	ret = raw_register(&e.ring, &e.ev);
	if (ret) {
		t_fail("device-less ifq with event_desc (%s): %s",
		       has_events ? "COPY, ALLOC_FAIL, stats" : "stats only",
		       t_errname(ret));
		failed++;
	} else {
		e.has_desc = true;
	}
	printf("ifqs: zcrx_id %u without event_desc, %d with (%s)\n",
	       e.plain.reg.zcrx_id, e.has_desc ? (int)e.ev.reg.zcrx_id : -1,
	       has_events ? "both events, stats" : "stats only");
	if (e.has_desc && (raw_stats(&e.ev)->copy_count ||
			 raw_stats(&e.ev)->copy_bytes)) {
		t_fail("stats block not zeroed at registration");
		failed++;
	}

	for (i = 0; i < sizeof(ctrl_cases) / sizeof(ctrl_cases[0]); i++)
		if (ctrl_case_run(&e, &ctrl_cases[i]))
			failed++;
	if (!failed && e.has_desc &&
	    (has_events ? event_flow(&e) : stats_flow(&e)))
		failed++;

	io_uring_queue_exit(&e.ring);
	io_uring_queue_exit(&e.empty);
	raw_free(&e.ev);
	raw_free(&e.plain);
	return failed ? T_EXIT_FAIL : 0;
}

int main(void)
{
	struct io_uring_query_opcode qo;
	struct io_uring_query_hdr h;
	size_t i;
	int ret, failed = 0;

	/* failures (stderr) stay in order with the case lines */
	setlinebuf(stdout);
	is_612 = t_project_kernel();
	noaccess = mmap(NULL, PAGE_SZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	t_check(noaccess != MAP_FAILED, "mmap");

	memset(&qo, 0, sizeof(qo));
	qhdr(&h, IO_URING_QUERY_OPCODES, &qo, sizeof(qo));
	ret = sys_register(-1, IORING_REGISTER_QUERY, &h, 0);
	if (ret)
		return t_lacks("IORING_REGISTER_QUERY: %s", t_errname(ret));
	if (query_tests())
		failed++;

	ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (ret) {
		if (failed)
			return T_EXIT_FAIL;
		return t_lacks("query checks passed; ZCRX_CTRL and event_desc need device-less zcrx: %s",
			       io_uring_zcrx_strerror(ret));
	}
	for (i = 0; i < sizeof(ev_cases) / sizeof(ev_cases[0]); i++)
		if (ev_case_run(&ev_cases[i]))
			failed++;
	if (ctrl_tests())
		failed++;
	if (failed) {
		fprintf(stderr, "%d case(s) failed\n", failed);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}
