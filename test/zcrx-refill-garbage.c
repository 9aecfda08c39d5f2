/* SPDX-License-Identifier: MIT */
/*
 * Description: garbage in the zcrx refill ring is skipped, never crashes,
 * leaks or frees a buffer twice, and the ifq keeps working. With a
 * device-less (ZCRX_REG_NODEV) ifq over loopback, and with an ifq bound
 * to rx queue 0 of a netdevsim port with header split, while the user
 * holds buffers the garbage points at:
 *   - entries whose area id is not 0, with __pad set, with a buffer
 *     index just past the end of the area, huge, or aliasing a held
 *     buffer if the index were masked or truncated: all skipped;
 *   - entries with an offset inside the buffer (unaligned): the buffer is
 *     given back once, as upstream ignores the offset within a buffer;
 *   - the same buffer returned twice in one batch and again later,
 *     buffers never handed out (every index, on a fresh ifq and later
 *     every one the user does not hold): skipped;
 *   - the tail published more than rq_entries beyond the head, or behind
 *     it, and the head written by the user.
 * After each, ZCRX_CTRL_FLUSH_RQ returns 0, the held buffers still carry
 * their bytes (none was handed out again), and a transfer is received and
 * checked byte by byte against the stream pattern. Device-less, the
 * accounting is exact: after everything is returned legitimately the
 * user can hold every buffer of the area at once, each handed out once,
 * and the zcrx_stats block (event_desc FLAG_STATS) counts every CQE and
 * byte as copied. On netdevsim the transfer is twice the area, so it only
 * completes if buffers keep coming back, and every byte arrives
 * zero-copy: no copy in the statistics, every CQE and byte in the
 * kernel's zero-copy count (fdinfo, apart from the statistics). A multishot request that stays armed without a CQE while
 * its socket has bytes queued (it ran out of buffers part way through a
 * receive and waits for a wakeup that never comes) is cancelled and armed
 * again so that the checks go on, and fails the test at the end.
 * Skips without device-less zcrx, or (after the device-less part) without
 * a netdevsim that can split headers; either fails on the project's
 * kernel. "-p nodev" or "-p netdevsim" runs one part only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sockios.h>

#include <liburing-ext.h>

#include "devmem.h"
#include "zcrx.h"

#define PAGE_SZ		4096UL
#define BUF_SHIFT	12
#define RECV_UD		0x7265637655ULL
#define EVENT_UD	0x6576656e74ULL
#define CANCEL_UD	0x63616e63ULL
#define WAIT_MS		10000
/* no CQE this long with bytes queued in the socket: the request is stuck */
#define STALL_MS	3000
#define HOLD		16
#define CHUNK		(64UL << 10)
/* entries that every check skips: bad area id, __pad set, index huge */
#define HARMLESS_OFF	(0x7eadULL << IORING_ZCRX_AREA_SHIFT | 0xfffffffff000ULL)
#define HARMLESS_PAD	0x7ead
/*
 * The receive buffer over netdevsim, inherited from the listener: it
 * bounds the TCP window, so that out-of-order segments can never hold
 * every buffer of the area while the one TCP waits for is dropped for
 * want of a buffer (a deadlock of any zero-copy receiver whose area is
 * smaller than the window).
 */
#define NSIM_RCVBUF	(128 << 10)

struct held {
	__u64 off;		/* from the CQE */
	__u32 len;
	uint64_t soff;		/* stream offset of its bytes */
};

struct zc {
	const char *name;
	bool nodev;
	const char *ns;			/* netdevsim: the receiver's netns */
	int ifindex;
	struct io_uring ring;
	bool ring_up;
	char *area;
	size_t area_len;
	unsigned int nbufs;
	char *region;
	size_t region_len;
	__u32 *khead, *ktail;
	struct io_uring_zcrx_rqe *rqes;
	unsigned int entries;
	__u32 tail;			/* the user's tail, published or not */
	__u32 zcrx_id;
	__u64 token;
	volatile struct zcrx_stats *stats;

	int sock, peer;
	uint64_t off;			/* received and checked */
	uint64_t sent;			/* handed to the sender */
	pthread_t sender;
	bool sending;
	uint64_t send_from, send_len;
	int send_err;

	bool armed, exhausted, cancelling;
	bool zc_unknown;		/* no zero-copy count from the kernel */
	uint64_t cqes, bytes, arms, enospc, enomem, events, stalls, nudges;
	char stall[256];		/* the first stall */
	uint32_t event_mask;
	struct held *held;
	unsigned int nheld, held_cap;
	unsigned int *held_in;		/* held chunks per buffer index */
	unsigned int distinct;		/* buffers with held chunks */
};

static inline __u32 load_acquire(const __u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(__u32 *p, __u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static __u64 buf_off(const struct zc *z, __u64 idx)
{
	return z->token | (idx << BUF_SHIFT);
}

static __u64 off_idx(__u64 off)
{
	return (off & ~IORING_ZCRX_AREA_MASK) >> BUF_SHIFT;
}

/* the sender: a thread writing stream bytes [send_from, +send_len) */

static void *sender_main(void *arg)
{
	struct zc *z = arg;
	static __thread uint8_t buf[CHUNK];
	uint64_t off = z->send_from, end = z->send_from + z->send_len;

	while (off < end) {
		size_t len = end - off < CHUNK ? end - off : CHUNK;
		ssize_t n;

		t_pattern_fill(buf, off, len);
		n = send(z->peer, buf, len, MSG_NOSIGNAL);
		if (n <= 0) {
			z->send_err = n ? errno : EPIPE;
			break;
		}
		off += (uint64_t)n;
	}
	return NULL;
}

static int send_start(struct zc *z, uint64_t len)
{
	z->send_from = z->sent;
	z->send_len = len;
	z->send_err = 0;
	if (pthread_create(&z->sender, NULL, sender_main, z))
		return t_fail("pthread_create");
	z->sending = true;
	z->sent += len;
	return 0;
}

static int send_wait(struct zc *z)
{
	if (!z->sending)
		return 0;
	pthread_join(z->sender, NULL);
	z->sending = false;
	if (z->send_err)
		return t_fail("%s: send: %s", z->name, strerror(z->send_err));
	return 0;
}

/* the ifq */

static int zc_register(struct zc *z, const char *ns, unsigned int ifindex,
		       unsigned int nbufs, unsigned int rq_entries)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_CQE32 | IORING_SETUP_CQSIZE,
		.cq_entries = 4096,
	};
	struct io_uring_zcrx_area_reg area = { 0 };
	struct io_uring_region_desc rd = { 0 };
	struct io_uring_zcrx_ifq_reg reg = { 0 };
	struct zcrx_event_desc ev = { 0 };
	size_t stats_off;
	int ret, self = -1;

	ret = io_uring_queue_init_params(64, &z->ring, &p);
	if (ret)
		return t_fail("%s: ring: %s", z->name, strerror(-ret));
	z->ring_up = true;
	z->nbufs = nbufs;
	z->area_len = (size_t)nbufs * PAGE_SZ;
	z->area = mmap(NULL, z->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* header (128 bytes), entries, the stats block in the last 64 bytes */
	z->region_len = (PAGE_SZ + rq_entries * 16UL + PAGE_SZ - 1) &
			~(PAGE_SZ - 1);
	if (z->region_len < 128 + rq_entries * 16UL + 64)
		z->region_len += PAGE_SZ;
	z->region = mmap(NULL, z->region_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (z->area == MAP_FAILED || z->region == MAP_FAILED)
		return t_fail("mmap: %s", strerror(errno));
	stats_off = z->region_len - 64;

	area.addr = (__u64)(uintptr_t)z->area;
	area.len = z->area_len;
	rd.user_addr = (__u64)(uintptr_t)z->region;
	rd.size = z->region_len;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	ev.user_data = EVENT_UD;
	/* only the statistics: no event CQEs */
	ev.type_mask = 0;
	ev.flags = ZCRX_EVENT_DESC_FLAG_STATS;
	ev.stats_offset = stats_off;
	reg.if_idx = ifindex;
	reg.if_rxq = 0;
	reg.rq_entries = rq_entries;
	reg.flags = z->nodev ? ZCRX_REG_NODEV : 0;
	reg.area_ptr = (__u64)(uintptr_t)&area;
	reg.region_ptr = (__u64)(uintptr_t)&rd;
	reg.event_desc = (__u64)(uintptr_t)&ev;

	if (ns) {
		self = t_netns_visit(ns);
		if (self < 0)
			return t_fail("enter %s: %s", ns, t_errname(self));
	}
	ret = io_uring_register_ifq(&z->ring, &reg);
	if (self >= 0)
		t_netns_leave(self);
	if (ret)
		return t_fail("%s: registering the ifq (%u buffers, %u entries, FLAG_STATS): %s",
			      z->name, nbufs, rq_entries, t_errname(ret));
	if (reg.rq_entries != rq_entries)
		return t_fail("%s: rq_entries %u became %u", z->name,
			      rq_entries, reg.rq_entries);
	z->khead = (__u32 *)(z->region + reg.offsets.head);
	z->ktail = (__u32 *)(z->region + reg.offsets.tail);
	z->rqes = (struct io_uring_zcrx_rqe *)(z->region + reg.offsets.rqes);
	z->entries = reg.rq_entries;
	z->tail = load_acquire(z->ktail);
	z->zcrx_id = reg.zcrx_id;
	z->token = area.rq_area_token;
	z->stats = (volatile struct zcrx_stats *)(z->region + stats_off);

	z->held_cap = nbufs * 2;
	z->held = calloc(z->held_cap, sizeof(*z->held));
	z->held_in = calloc(nbufs, sizeof(*z->held_in));
	t_check(z->held && z->held_in, "calloc");
	printf("%s: zcrx_id %u, %u buffers, %u refill entries, token %#llx\n",
	       z->name, z->zcrx_id, nbufs, z->entries,
	       (unsigned long long)z->token);
	return 0;
}

static void zc_free(struct zc *z)
{
	if (z->sending) {
		shutdown(z->peer, SHUT_RDWR);
		pthread_join(z->sender, NULL);
		z->sending = false;
	}
	if (z->ring_up)
		io_uring_queue_exit(&z->ring);
	z->ring_up = false;
	if (z->sock >= 0)
		close(z->sock);
	if (z->peer >= 0)
		close(z->peer);
	z->sock = z->peer = -1;
	if (z->area && z->area != MAP_FAILED)
		munmap(z->area, z->area_len);
	if (z->region && z->region != MAP_FAILED)
		munmap(z->region, z->region_len);
	z->area = z->region = NULL;
	free(z->held);
	free(z->held_in);
	z->held = NULL;
	z->held_in = NULL;
}

static int zc_flush(struct zc *z, const char *when)
{
	struct zcrx_ctrl c = { .zcrx_id = z->zcrx_id, .op = ZCRX_CTRL_FLUSH_RQ };
	int ret = io_uring_register_zcrx_ctrl(&z->ring, &c);

	if (ret)
		return t_fail("%s: ZCRX_CTRL_FLUSH_RQ %s: %s, want 0", z->name,
			      when, t_errname(ret));
	return 0;
}

/* refill ring */

static unsigned int rq_space(const struct zc *z)
{
	return z->entries - (z->tail - load_acquire(z->khead));
}

static void rq_raw(struct zc *z, __u64 off, __u32 len, __u32 pad)
{
	struct io_uring_zcrx_rqe *e = &z->rqes[z->tail & (z->entries - 1)];

	e->off = off;
	e->len = len;
	e->__pad = pad;
	z->tail++;
}

static void rq_commit(struct zc *z)
{
	store_release(z->ktail, z->tail);
}

/* Add an entry; with the ring full, publish and flush first. */
static int rq_put(struct zc *z, __u64 off, __u32 len, __u32 pad)
{
	if (!rq_space(z)) {
		rq_commit(z);
		if (zc_flush(z, "with a full refill ring"))
			return T_EXIT_FAIL;
		if (!rq_space(z))
			return t_fail("%s: refill ring still full after FLUSH_RQ (head %u tail %u)",
				      z->name, load_acquire(z->khead), z->tail);
	}
	rq_raw(z, off, len, pad);
	return 0;
}

/*
 * After the head or tail were abused: fill every entry with something
 * every check skips, make the published tail the kernel's head, flush,
 * until the kernel's head stays where the tail is.
 */
static int rq_resync(struct zc *z, const char *when)
{
	unsigned int i;
	__u32 head = 0;

	for (i = 0; i < 4; i++) {
		unsigned int j;

		for (j = 0; j < z->entries; j++) {
			z->rqes[j].off = HARMLESS_OFF;
			z->rqes[j].len = 0;
			z->rqes[j].__pad = HARMLESS_PAD;
		}
		head = load_acquire(z->khead);
		z->tail = head;
		rq_commit(z);
		if (zc_flush(z, when))
			return T_EXIT_FAIL;
		if (load_acquire(z->khead) == head)
			return 0;
	}
	return t_fail("%s: %s: the kernel's head keeps moving (%u, tail %u)",
		      z->name, when, load_acquire(z->khead), z->tail);
}

/* After a flush, the kernel must have consumed everything published. */
static int rq_expect_drained(struct zc *z, const char *when)
{
	__u32 head = load_acquire(z->khead);

	if (head != z->tail)
		return t_fail("%s: %s: after FLUSH_RQ head %u, tail %u: not everything was consumed",
			      z->name, when, head, z->tail);
	return 0;
}

/* held buffers */

static int held_add(struct zc *z, __u64 off, __u32 len, uint64_t soff)
{
	__u64 idx = off_idx(off), pos = off & ~IORING_ZCRX_AREA_MASK;
	unsigned int i;

	for (i = 0; i < z->nheld; i++) {
		__u64 p = z->held[i].off & ~IORING_ZCRX_AREA_MASK;

		if (off_idx(z->held[i].off) == idx && pos < p + z->held[i].len &&
		    p < pos + len)
			return t_fail("%s: buffer %llu (bytes %llu+%u) handed out again while the user holds it (bytes %llu+%u, stream offset %llu)",
				      z->name, (unsigned long long)idx,
				      (unsigned long long)(pos & (PAGE_SZ - 1)),
				      len, (unsigned long long)(p & (PAGE_SZ - 1)),
				      z->held[i].len,
				      (unsigned long long)z->held[i].soff);
	}
	if (z->nheld == z->held_cap)
		return t_fail("%s: more than %u chunks held", z->name,
			      z->held_cap);
	z->held[z->nheld++] = (struct held){ off, len, soff };
	if (!z->held_in[idx]++)
		z->distinct++;
	return 0;
}

/* Every held buffer must still carry its bytes. */
static int held_verify(struct zc *z, const char *when)
{
	unsigned int i;

	for (i = 0; i < z->nheld; i++) {
		const struct held *h = &z->held[i];
		char *p = z->area + (h->off & ~IORING_ZCRX_AREA_MASK);
		long bad = t_pattern_check(p, h->soff, h->len);

		if (bad >= 0)
			return t_fail("%s: %s: held buffer %llu (stream offset %llu, %u bytes) overwritten at byte %ld: the kernel reused a buffer the user holds",
				      z->name, when,
				      (unsigned long long)off_idx(h->off),
				      (unsigned long long)h->soff, h->len, bad);
	}
	return 0;
}

static void held_clear(struct zc *z)
{
	memset(z->held_in, 0, z->nbufs * sizeof(*z->held_in));
	z->nheld = 0;
	z->distinct = 0;
}

/* Give every held buffer back, legitimately, and flush. */
static int held_return(struct zc *z, const char *when)
{
	unsigned int i;

	if (held_verify(z, when))
		return T_EXIT_FAIL;
	for (i = 0; i < z->nheld; i++)
		if (rq_put(z, z->held[i].off, z->held[i].len, 0))
			return T_EXIT_FAIL;
	held_clear(z);
	rq_commit(z);
	if (zc_flush(z, when))
		return T_EXIT_FAIL;
	return z->nodev ? rq_expect_drained(z, when) : 0;
}

/* receiving */

static int arm(struct zc *z)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);

	if (!sqe)
		return t_fail("no SQE");
	io_uring_prep_recv_zc(sqe, z->sock, z->zcrx_id, 0, 0);
	sqe->user_data = RECV_UD;
	z->armed = true;
	z->arms++;
	return 0;
}

static int on_cqe(struct zc *z, const struct io_uring_cqe *cqe,
		  unsigned int hold)
{
	__u64 off, pos;
	long bad;
	int res = cqe->res;

	if (cqe->user_data == CANCEL_UD)
		return 0;
	if (cqe->user_data == EVENT_UD) {
		z->events++;
		z->event_mask |= (uint32_t)res;
		if (res & (1 << ZCRX_EVENT_ALLOC_FAIL))
			z->exhausted = true;
		return 0;
	}
	if (cqe->user_data != RECV_UD)
		return t_fail("%s: CQE with user_data %#llx res %d", z->name,
			      (unsigned long long)cqe->user_data, res);
	if (!(cqe->flags & IORING_CQE_F_MORE))
		z->armed = false;
	if (res < 0) {
		if (res == -ECANCELED && !z->armed && z->cancelling) {
			z->cancelling = false;
			return 0;
		}
		if (res == -ENOSPC && !z->armed) {
			z->enospc++;
			return 0;
		}
		/*
		 * Out of buffers with nothing posted: the request ends
		 * (as upstream) and is armed again once buffers are back.
		 */
		if (res == -ENOMEM && !z->armed) {
			if (hold == UINT32_MAX)
				z->exhausted = true;
			z->enomem++;
			return 0;
		}
		return t_fail("%s: RECV_ZC at stream offset %llu (%u buffers held): %s",
			      z->name, (unsigned long long)z->off, z->nheld,
			      t_errname(res));
	}
	if (!res)
		return t_fail("%s: RECV_ZC ended (res 0, flags %#x) at stream offset %llu of %llu sent",
			      z->name, cqe->flags, (unsigned long long)z->off,
			      (unsigned long long)z->sent);
	off = io_uring_zcrx_cqe_off(cqe);
	pos = off & ~IORING_ZCRX_AREA_MASK;
	if ((off & IORING_ZCRX_AREA_MASK) != z->token ||
	    pos + (unsigned int)res > z->area_len ||
	    (pos & (PAGE_SZ - 1)) + (unsigned int)res > PAGE_SZ)
		return t_fail("%s: CQE offset %#llx + %d outside the area's buffers",
			      z->name, (unsigned long long)off, res);
	if (z->off + (unsigned int)res > z->sent)
		return t_fail("%s: %d bytes at stream offset %llu, only %llu sent",
			      z->name, res, (unsigned long long)z->off,
			      (unsigned long long)z->sent);
	bad = t_pattern_check(z->area + pos, z->off, (size_t)res);
	if (bad >= 0)
		return t_fail("%s: wrong byte at stream offset %llu (buffer %llu, CQE of %d bytes)",
			      z->name, (unsigned long long)(z->off + bad),
			      (unsigned long long)off_idx(off), res);
	if (z->nheld < hold) {
		if (held_add(z, off, (__u32)res, z->off))
			return T_EXIT_FAIL;
	} else if (rq_put(z, off, (__u32)res, 0)) {
		return T_EXIT_FAIL;
	}
	z->off += (unsigned int)res;
	z->cqes++;
	z->bytes += (unsigned int)res;
	return 0;
}

static void dump_pools(struct zc *z, const char *when);

/*
 * An armed request that posts nothing while the socket has bytes queued
 * and buffers are free: noted (the test fails at the end), and the
 * request is cancelled and armed again so that the other checks go on.
 */
static int unstick(struct zc *z, int inq)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);

	z->stalls++;
	if (!z->stall[0])
		snprintf(z->stall, sizeof(z->stall),
			 "stream offset %llu, %d bytes queued in the socket, %u buffers held, refill head %u tail %u",
			 (unsigned long long)z->off, inq, z->nheld,
			 load_acquire(z->khead), z->tail);
	printf("%s: multishot RECV_ZC armed, %d bytes queued, no CQE for %d s at stream offset %llu: cancelling and re-arming\n",
	       z->name, inq, STALL_MS / 1000, (unsigned long long)z->off);
	if (!sqe)
		return t_fail("no SQE");
	io_uring_prep_cancel64(sqe, RECV_UD, 0);
	sqe->user_data = CANCEL_UD;
	z->cancelling = true;
	return 0;
}

/*
 * Receive until the stream offset reaches @upto, keeping up to @hold
 * buffers (UINT32_MAX: all, stopping once every buffer of the area is
 * held or the kernel says it ran out) and returning the others.
 */
static int zc_recv(struct zc *z, uint64_t upto, unsigned int hold)
{
	bool hold_all = hold == UINT32_MAX;
	int waited = 0;

	z->exhausted = false;
	while (z->off < upto) {
		struct __kernel_timespec ts = { .tv_sec = STALL_MS / 1000 };
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		int ret, inq = 0;

		if (hold_all && (z->distinct == z->nbufs || z->exhausted))
			return 0;
		if (!z->armed && !z->cancelling && arm(z))
			return T_EXIT_FAIL;
		ret = io_uring_submit_and_wait_timeout(&z->ring, &cqe, 1, &ts,
						       NULL);
		if (ret == -ETIME) {
			if (hold_all) {
				z->exhausted = true;
				return 0;
			}
			if (z->armed && !z->cancelling &&
			    !ioctl(z->sock, SIOCINQ, &inq) && inq > 0) {
				if (unstick(z, inq))
					return T_EXIT_FAIL;
				continue;
			}
			waited += STALL_MS;
			/* netdevsim: buffers may wait in skbs to be freed */
			if (!z->nodev && z->armed) {
				printf("%s: no CQE for %d s at stream offset %llu, nothing queued: flushing deferred skb frees\n",
				       z->name, waited / 1000,
				       (unsigned long long)z->off);
				dump_pools(z, "nothing arriving");
				t_flush_deferred_skbs();
				z->nudges++;
			}
			if (waited < WAIT_MS)
				continue;
			return t_fail("%s: no completion for %d s at stream offset %llu of %llu (%u buffers held, request %s, %d bytes queued)",
				      z->name, WAIT_MS / 1000,
				      (unsigned long long)z->off,
				      (unsigned long long)upto, z->nheld,
				      z->armed ? "armed" : "not armed", inq);
		}
		waited = 0;
		if (ret < 0 && ret != -EINTR)
			return t_fail("%s: waiting for CQEs: %s", z->name,
				      t_errname(ret));
		io_uring_for_each_cqe(&z->ring, head, cqe) {
			n++;
			if (on_cqe(z, cqe, hold))
				return T_EXIT_FAIL;
		}
		io_uring_cq_advance(&z->ring, n);
		if (z->tail != load_acquire(z->ktail)) {
			rq_commit(z);
			/* device-less: nothing drains the ring but us */
			if (z->nodev && zc_flush(z, "after returning buffers"))
				return T_EXIT_FAIL;
		}
	}
	return 0;
}

/* netdevsim: the page pools of the port, for a failure report */
static void dump_pools(struct zc *z, const char *when)
{
	struct t_page_pool pools[16];
	int i, n;

	if (!z->ns)
		return;
	n = t_page_pools(z->ns, pools, 16);
	printf("%s: %s: refill head %u tail %u (user %u);", z->name, when,
	       load_acquire(z->khead), load_acquire(z->ktail), z->tail);
	for (i = 0; i < n && i < 16; i++)
		if (pools[i].ifindex == (uint32_t)z->ifindex)
			printf(" pool %llu inflight %llu%s;",
			       (unsigned long long)pools[i].id,
			       (unsigned long long)pools[i].inflight,
			       pools[i].detach_time ? " (detached)" : "");
	printf("\n");
	fflush(stdout);
	t_run("ip -n %s -s link show 1>&2", z->ns);
}

/* A verified transfer of @len bytes, holding @hold buffers at its end. */
static int transfer(struct zc *z, uint64_t len, unsigned int hold,
		    const char *what)
{
	uint64_t end = z->sent + len;

	if (send_start(z, len) || zc_recv(z, end, hold) || send_wait(z)) {
		dump_pools(z, "failed transfer");
		return t_fail("%s: transfer of %llu bytes %s failed", z->name,
			      (unsigned long long)len, what);
	}
	return 0;
}

/*
 * Device-less accounting: with nothing held and the ring drained, the
 * user must be able to hold every buffer of the area at once, each once;
 * then everything goes back and the rest of the stream arrives.
 */
static int hold_all(struct zc *z, const char *after)
{
	uint64_t len = z->area_len + (128UL << 10), end = z->sent + len;
	uint64_t start = z->off;
	unsigned int got;

	if (z->nheld)
		return t_fail("hold_all with %u held", z->nheld);
	if (send_start(z, len) || zc_recv(z, end, UINT32_MAX))
		return t_fail("%s: after %s: receiving the whole area failed",
			      z->name, after);
	got = z->distinct;
	if (got != z->nbufs)
		return t_fail("%s: after %s: the user could hold only %u of %u buffers (%u chunks, %llu bytes, %s): %u lost",
			      z->name, after, got, z->nbufs, z->nheld,
			      (unsigned long long)(z->off - start),
			      z->exhausted ? "the kernel ran out" : "",
			      z->nbufs - got);
	if (held_verify(z, "holding the whole area") ||
	    held_return(z, "after holding the whole area"))
		return T_EXIT_FAIL;
	if (zc_recv(z, end, 0) || send_wait(z))
		return t_fail("%s: after %s: receiving the rest after holding the whole area failed",
			      z->name, after);
	return 0;
}

/*
 * Every CQE so far reaped: device-less, the statistics count every CQE and
 * byte as copied and the kernel's zero-copy count none; on netdevsim (the
 * flow on the bound queue, header split) no copy at all, and every CQE
 * and byte in the kernel's zero-copy count, which is kept apart from the
 * statistics.
 */
static int check_stats(struct zc *z, const char *after)
{
	uint64_t count = z->stats->copy_count, bytes = z->stats->copy_bytes;
	uint64_t zc_count, zc_bytes;

	if (z->nodev ? count != z->cqes || bytes != z->bytes : count || bytes)
		return t_fail("%s: after %s: zcrx_stats copy_count %llu copy_bytes %llu of %llu CQEs with %llu bytes received; want %s",
			      z->name, after, (unsigned long long)count,
			      (unsigned long long)bytes,
			      (unsigned long long)z->cqes,
			      (unsigned long long)z->bytes,
			      z->nodev ? "all (device-less: every CQE is a copy)" :
					 "none (header split: the device wrote every byte)");
	if (t_zcrx_zc_read(z->ring.ring_fd, z->zcrx_id, &zc_count, &zc_bytes)) {
		z->zc_unknown = true;
		return 0;
	}
	if (z->nodev ? zc_count || zc_bytes :
		       zc_count != z->cqes || zc_bytes != z->bytes)
		return t_fail("%s: after %s: the kernel counts %llu zero-copy CQEs with %llu bytes of %llu CQEs with %llu bytes received; want %s",
			      z->name, after, (unsigned long long)zc_count,
			      (unsigned long long)zc_bytes,
			      (unsigned long long)z->cqes,
			      (unsigned long long)z->bytes,
			      z->nodev ? "none" : "all");
	return 0;
}

/* the garbage */

struct gcase {
	const char *name;
	int (*fn)(struct zc *z);
};

/* the next power of two at or above @n */
static __u64 pow2(__u64 n)
{
	__u64 p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static int g_area_id(struct zc *z)
{
	unsigned int i;

	for (i = 0; i < z->nheld; i++) {
		__u64 pos = z->held[i].off & ~IORING_ZCRX_AREA_MASK;

		rq_raw(z, pos | 1ULL << IORING_ZCRX_AREA_SHIFT, 1, 0);
		rq_raw(z, pos | 0xffffULL << IORING_ZCRX_AREA_SHIFT, 1, 0);
		rq_raw(z, pos | (__u64)(i + 2) << IORING_ZCRX_AREA_SHIFT, 1, 0);
	}
	rq_commit(z);
	return zc_flush(z, "with foreign area ids") ?:
	       rq_expect_drained(z, "foreign area ids");
}

static int g_pad(struct zc *z)
{
	static const __u32 pads[] = { 1, 0x80000000, 0xffffffff };
	unsigned int i;

	for (i = 0; i < z->nheld; i++)
		rq_raw(z, z->held[i].off, z->held[i].len, pads[i % 3]);
	rq_commit(z);
	return zc_flush(z, "with __pad set") ?:
	       rq_expect_drained(z, "__pad set");
}

static int g_past_end(struct zc *z)
{
	__u64 n = z->nbufs;
	unsigned int i;

	rq_raw(z, buf_off(z, n), 1, 0);
	rq_raw(z, buf_off(z, n) | (PAGE_SZ - 1), 1, 0);
	rq_raw(z, buf_off(z, n + 1), 1, 0);
	for (i = 0; i < z->nheld; i++) {
		__u64 idx = off_idx(z->held[i].off);

		/* aliases of held buffers if the index were wrapped */
		rq_raw(z, buf_off(z, n + idx), 1, 0);
		rq_raw(z, buf_off(z, pow2(n + 1) + idx), 1, 0);
	}
	rq_commit(z);
	return zc_flush(z, "with indexes past the end") ?:
	       rq_expect_drained(z, "indexes past the end");
}

static int g_huge(struct zc *z)
{
	const __u64 max_idx = (1ULL << (IORING_ZCRX_AREA_SHIFT - BUF_SHIFT)) - 1;
	unsigned int i;

	rq_raw(z, buf_off(z, max_idx), 1, 0);
	rq_raw(z, buf_off(z, max_idx) | (PAGE_SZ - 1), 1, 0);
	rq_raw(z, buf_off(z, 1ULL << 31), 1, 0);
	rq_raw(z, buf_off(z, 0xffffffffULL), 1, 0);
	rq_raw(z, ~0ULL, ~0U, 0);
	for (i = 0; i < z->nheld; i++) {
		__u64 idx = off_idx(z->held[i].off);

		/* aliases of held buffers if the index were truncated */
		rq_raw(z, buf_off(z, idx + (1ULL << 32)), 1, 0);
		rq_raw(z, buf_off(z, idx + (1ULL << 16)), 1, 0);
		rq_raw(z, buf_off(z, idx | (1ULL << 35)), 1, 0);
	}
	rq_commit(z);
	return zc_flush(z, "with huge indexes") ?:
	       rq_expect_drained(z, "huge indexes");
}

/*
 * Offsets inside the buffer: upstream ignores them, so each held buffer
 * goes back, once, though it is named twice with different offsets.
 */
static int g_unaligned(struct zc *z)
{
	unsigned int i;

	if (held_verify(z, "before returning with unaligned offsets"))
		return T_EXIT_FAIL;
	for (i = 0; i < z->nheld; i++) {
		__u64 base = z->held[i].off & ~(__u64)(PAGE_SZ - 1);

		rq_raw(z, base | (1 + i * 97) % PAGE_SZ, 3, 0);
		rq_raw(z, base | (PAGE_SZ - 1 - i), 0, 0);
	}
	held_clear(z);
	rq_commit(z);
	return zc_flush(z, "with unaligned offsets") ?:
	       rq_expect_drained(z, "unaligned offsets");
}

static int g_double(struct zc *z)
{
	struct held h[HOLD];
	unsigned int i, n = z->nheld;

	if (held_verify(z, "before returning twice"))
		return T_EXIT_FAIL;
	memcpy(h, z->held, n * sizeof(*h));
	for (i = 0; i < n; i++) {
		rq_raw(z, h[i].off, h[i].len, 0);
		rq_raw(z, h[i].off, h[i].len, 0);
	}
	held_clear(z);
	rq_commit(z);
	if (zc_flush(z, "with buffers returned twice") ||
	    rq_expect_drained(z, "buffers returned twice"))
		return T_EXIT_FAIL;
	/* and a third time, in a batch of its own */
	for (i = 0; i < n; i++)
		rq_raw(z, h[i].off, h[i].len, 0);
	rq_commit(z);
	return zc_flush(z, "with buffers returned a third time") ?:
	       rq_expect_drained(z, "buffers returned a third time");
}

/* Every buffer the user does not hold: never handed out, or given back. */
static int g_not_held(struct zc *z)
{
	unsigned int i;

	for (i = 0; i < z->nbufs; i++)
		if (!z->held_in[i] && rq_put(z, buf_off(z, i), 1, 0))
			return T_EXIT_FAIL;
	rq_commit(z);
	return zc_flush(z, "with buffers the user does not hold") ?:
	       rq_expect_drained(z, "buffers the user does not hold");
}

static void fill_harmless(struct zc *z)
{
	unsigned int j;

	for (j = 0; j < z->entries; j++) {
		z->rqes[j].off = HARMLESS_OFF;
		z->rqes[j].len = 0;
		z->rqes[j].__pad = HARMLESS_PAD;
	}
}

static int g_tail_ahead(struct zc *z)
{
	static const __u32 ahead[] = { 1, 0x10000, 0x7fffffff, 0x80000000 };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		__u32 head = load_acquire(z->khead);

		fill_harmless(z);
		store_release(z->ktail, head + z->entries + ahead[i]);
		if (zc_flush(z, "with the tail beyond rq_entries") ||
		    zc_flush(z, "again with the tail beyond rq_entries") ||
		    rq_resync(z, "after the tail beyond rq_entries"))
			return T_EXIT_FAIL;
	}
	return 0;
}

static int g_tail_back(struct zc *z)
{
	const __u32 back[] = { 1, z->entries / 2, z->entries, z->entries + 5 };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		__u32 head = load_acquire(z->khead);

		fill_harmless(z);
		store_release(z->ktail, head - back[i]);
		if (zc_flush(z, "with the tail behind the head") ||
		    rq_resync(z, "after the tail behind the head"))
			return T_EXIT_FAIL;
	}
	return 0;
}

/*
 * The head is the kernel's: a user write must not make it skip or
 * repeat entries. Legitimate returns published after the write must be
 * taken back, and the flush must leave the kernel's own head behind.
 */
static int g_head(struct zc *z)
{
	static const __u32 moves[] = { 1000, 3, 0x80000000 };
	unsigned int i, n;

	/* with nothing published */
	for (i = 0; i < 3; i++) {
		__u32 head = load_acquire(z->khead);

		fill_harmless(z);
		store_release(z->khead, head + moves[i]);
		if (zc_flush(z, "after the user wrote the head") ||
		    rq_resync(z, "after the user wrote the head"))
			return T_EXIT_FAIL;
	}
	/* with the held buffers published after the write */
	if (held_verify(z, "before writing the head"))
		return T_EXIT_FAIL;
	fill_harmless(z);
	store_release(z->khead, z->tail - 7);
	n = z->nheld;
	for (i = 0; i < n; i++)
		rq_raw(z, z->held[i].off, z->held[i].len, 0);
	held_clear(z);
	rq_commit(z);
	if (zc_flush(z, "after the user wrote the head, with buffers returned"))
		return T_EXIT_FAIL;
	if (z->nodev && load_acquire(z->khead) != z->tail)
		printf("%s: note: after the user wrote the head and FLUSH_RQ, head %u, tail %u\n",
		       z->name, load_acquire(z->khead), z->tail);
	return rq_resync(z, "after the user wrote the head");
}

/* Garbage around legitimate returns in one batch. */
static int g_mixed(struct zc *z)
{
	unsigned int i, n = z->nheld;
	struct held h[HOLD];

	if (held_verify(z, "before a mixed batch"))
		return T_EXIT_FAIL;
	memcpy(h, z->held, n * sizeof(*h));
	for (i = 0; i < n; i++) {
		__u64 pos = h[i].off & ~IORING_ZCRX_AREA_MASK;

		rq_raw(z, pos | 3ULL << IORING_ZCRX_AREA_SHIFT, 1, 0);
		rq_raw(z, h[i].off, h[i].len, 0x100);
		rq_raw(z, h[i].off, ~0U, 0);
		rq_raw(z, buf_off(z, z->nbufs + off_idx(h[i].off)), 1, 0);
		rq_raw(z, h[i].off, h[i].len, 0);
		rq_raw(z, buf_off(z, (off_idx(h[i].off) + 1) % z->nbufs), 1, 0);
	}
	held_clear(z);
	rq_commit(z);
	return zc_flush(z, "with a mixed batch") ?:
	       rq_expect_drained(z, "a mixed batch");
}

static const struct gcase cases[] = {
	{ "area id not 0", g_area_id },
	{ "__pad not 0", g_pad },
	{ "index just past the end", g_past_end },
	{ "huge index", g_huge },
	{ "unaligned offsets", g_unaligned },
	{ "double return", g_double },
	{ "buffers not held by the user", g_not_held },
	{ "tail beyond rq_entries", g_tail_ahead },
	{ "tail behind the head", g_tail_back },
	{ "head written by the user", g_head },
	{ "garbage around returns", g_mixed },
};

static int run_cases(struct zc *z)
{
	/* netdevsim: twice the area, so buffers must keep coming back */
	uint64_t big = z->nodev ? 0 : 2 * (uint64_t)z->area_len;
	unsigned int i;
	char what[96];

	/* a fresh ifq: nothing handed out yet, every index returned */
	if (g_not_held(z))
		return T_EXIT_FAIL;
	if (z->nodev ? hold_all(z, "returning buffers never handed out") :
		       transfer(z, big, 0, "after returning buffers never handed out"))
		return T_EXIT_FAIL;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct gcase *c = &cases[i];

		snprintf(what, sizeof(what), "to get %d buffers to hold", HOLD);
		if (transfer(z, 4 * HOLD * PAGE_SZ + 12345, HOLD, what))
			return T_EXIT_FAIL;
		if (z->nheld != HOLD)
			return t_fail("%s: holding %u buffers, want %d",
				      z->name, z->nheld, HOLD);
		/*
		 * Every case starts from an empty ring: buffers returned
		 * during the transfer may still wait in it (netdevsim drains
		 * it only when its page pool needs buffers), and overwriting
		 * them with garbage would lose them.
		 */
		rq_commit(z);
		if (zc_flush(z, "before the case") ||
		    rq_expect_drained(z, "before the case"))
			return T_EXIT_FAIL;
		if (c->fn(z)) {
			t_fail("%s: case '%s' failed", z->name, c->name);
			return T_EXIT_FAIL;
		}
		snprintf(what, sizeof(what), "after '%s'", c->name);
		if (held_verify(z, what) ||
		    (z->nheld && held_return(z, what)))
			return T_EXIT_FAIL;
		if (z->nodev ? hold_all(z, c->name) :
			       transfer(z, big, 0, what))
			return T_EXIT_FAIL;
		if (check_stats(z, c->name))
			return T_EXIT_FAIL;
		printf("%s: %-30s ok (stream at %llu, copied %llu of %llu bytes)\n",
		       z->name, c->name, (unsigned long long)z->off,
		       (unsigned long long)z->stats->copy_bytes,
		       (unsigned long long)z->bytes);
	}
	{
		uint64_t n, b;

		if (t_zcrx_zc_read(z->ring.ring_fd, z->zcrx_id, &n, &b))
			snprintf(what, sizeof(what), "zero-copy not counted by the kernel");
		else
			snprintf(what, sizeof(what), "%llu zero-copy (%llu CQEs)",
				 (unsigned long long)b, (unsigned long long)n);
	}
	printf("%s: %llu bytes in %llu CQEs, %s, %llu copied (%llu copy CQEs), %llu requests, %llu ENOSPC, %llu ENOMEM, %llu event CQEs (mask %#x), %llu deferred-free flushes\n",
	       z->name, (unsigned long long)z->bytes,
	       (unsigned long long)z->cqes, what,
	       (unsigned long long)z->stats->copy_bytes,
	       (unsigned long long)z->stats->copy_count,
	       (unsigned long long)z->arms, (unsigned long long)z->enospc,
	       (unsigned long long)z->enomem,
	       (unsigned long long)z->events, z->event_mask,
	       (unsigned long long)z->nudges);
	if (z->stalls)
		return t_fail("%s: %llu times a multishot RECV_ZC stayed armed without a CQE for %d s while the socket had bytes queued and the refill ring had given buffers back (it ran out of buffers part way through a receive and waits for a socket wakeup that never comes: the user cannot resume it without cancelling); first at %s",
			      z->name, (unsigned long long)z->stalls,
			      STALL_MS / 1000, z->stall);
	/* device-less, the copy count alone shows the path */
	if (z->zc_unknown && (!z->nodev || t_project_kernel()))
		return t_lacks("%s: every case passed, but the kernel does not count zero-copy CQEs (no \"zcrx %u: zc_count N zc_bytes N\" line in the ring's /proc/self/fdinfo)",
			       z->name, z->zcrx_id);
	return 0;
}

/* device-less, over loopback */
static int run_nodev(void)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t alen = sizeof(addr);
	struct zc z = { .name = "nodev", .nodev = true, .sock = -1, .peer = -1 };
	int lfd, ret;

	if (zc_register(&z, NULL, 0, 64, 256)) {
		zc_free(&z);
		return T_EXIT_FAIL;
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (void *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) || getsockname(lfd, (void *)&addr, &alen))
		return t_fail("loopback listen: %s", strerror(errno));
	z.peer = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (z.peer < 0 || connect(z.peer, (void *)&addr, sizeof(addr)))
		return t_fail("loopback connect: %s", strerror(errno));
	z.sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (z.sock < 0)
		return t_fail("accept: %s", strerror(errno));
	ret = run_cases(&z);
	zc_free(&z);
	return ret;
}

/* netdevsim: connect from side 0 to side 1 of @d. */
static int nsim_connect(struct t_devmem *d, struct zc *z)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons(5701) };
	int self, lfd, one = 1, tries, rcvbuf;

	self = t_netns_visit(d->ns);
	if (self < 0)
		return t_fail("enter %s", d->ns);
	inet_pton(AF_INET, d->pair.addr[1], &addr.sin_addr);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rcvbuf = NSIM_RCVBUF;
	setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (lfd < 0 || bind(lfd, (void *)&addr, sizeof(addr)) ||
	    listen(lfd, 1)) {
		t_netns_leave(self);
		return t_fail("listen: %s", strerror(errno));
	}
	t_netns_leave(self);
	self = t_netns_visit(d->pair.netns[0]);
	if (self < 0)
		return t_fail("enter %s", d->pair.netns[0]);
	z->peer = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	for (tries = 0; z->peer >= 0 &&
	     connect(z->peer, (void *)&addr, sizeof(addr)); tries++) {
		if (tries == 50)
			break;
		usleep(100000);
	}
	t_netns_leave(self);
	if (tries == 50 || z->peer < 0)
		return t_fail("connect to %s: %s", d->pair.addr[1],
			      strerror(errno));
	z->sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (z->sock < 0)
		return t_fail("accept: %s", strerror(errno));
	return 0;
}

static int run_nsim(void)
{
	struct zc z = { .name = "netdevsim", .sock = -1, .peer = -1 };
	struct t_devmem d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.buf.fd = d.buf.memfd = -1;
	ret = t_devmem_pair_up(&d);
	if (ret)
		return ret;
	z.ns = d.ns;
	z.ifindex = d.ifindex;
	ret = zc_register(&z, d.ns, (unsigned int)d.ifindex, 256, 512);
	if (!ret)
		ret = nsim_connect(&d, &z);
	if (!ret)
		ret = run_cases(&z);
	zc_free(&z);
	t_devmem_cleanup(&d);
	return ret;
}

int main(int argc, char *argv[])
{
	/* -p nodev or -p netdevsim: only that part (default both) */
	const char *part = argc == 3 && !strcmp(argv[1], "-p") ? argv[2] : "";
	int ret = 0, ret2 = 0;

	ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (ret)
		return t_lacks("device-less zcrx: %s",
			       io_uring_zcrx_strerror(ret));
	/* both parts run, so that each one's findings show */
	if (strcmp(part, "netdevsim"))
		ret = run_nodev();
	if (strcmp(part, "nodev"))
		ret2 = run_nsim();
	/* a skip of either part (its reason printed) skips the test */
	if (ret == T_EXIT_FAIL || ret2 == T_EXIT_FAIL)
		return T_EXIT_FAIL;
	return ret ? ret : ret2;
}
