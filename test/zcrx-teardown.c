/* SPDX-License-Identifier: MIT */
/*
 * Description: a zcrx ifq ends cleanly whichever way it ends, with the
 * user holding buffers and a multishot RECV_ZC in flight, and the queue
 * can be registered again right afterwards (never EEXIST). On rx queue 0
 * of one netdevsim port with header split (3 channels; the sender has 1,
 * so its traffic lands on queue 0), in a loop over the cases:
 *   close:    the ring exits (io_uring_queue_exit) while the user holds
 *             buffers and a stream is still arriving;
 *   kill:     a forked child registers, receives (the stream starts once
 *             it has registered) holding buffers and is SIGKILLed
 *             mid-receive; the parent registers the same queue
 *             right after waitpid() and receives a checked stream on it;
 *   exit:     the same, but the child exits by itself with its ring, its
 *             buffers and its request still there;
 *   link:     the port goes down and up while bound (its page pools are
 *             destroyed and made again under the provider): a new stream
 *             arrives checked and all zero-copy, the buffers held from
 *             before are returned meanwhile, then the ring exits;
 *   channels: channels go 3 -> 2 -> 3 while queue 0 is bound (never below
 *             it; 6.12, like upstream, also refuses 1 channel, counting
 *             the bound queue's index + 1 as already too low), likewise;
 *   delete:   (every -d iterations) the netdevsim port is deleted under
 *             the bound ifq, held buffers and an armed request; the old
 *             ifindex then gives ENODEV, the ring exits and the pair is
 *             made again;
 * plus close and kill of device-less (ZCRX_REG_NODEV) ifqs over
 * loopback. Each registration comes right after the previous case's
 * teardown. The netdevsim ifqs take their areas in turns from anonymous
 * memory, a udmabuf, a system heap dma-buf and a dma-buf of device memory
 * (IORING_ZCRX_AREA_DMABUF, read through the dma-buf's mmap; the device
 * memory is the ivshmem heap's, without struct pages), so every teardown
 * order also unmaps and detaches dma-buf areas; each must have been
 * registered at least once. Buffers the user held are checked after the ring exit
 * (nothing wrote to them), and at the end no page pool of the port may
 * stay detached with buffers in flight. Every whole stream (after kill,
 * exit, link and channels) arrives exactly as its path says: on
 * netdevsim no copy in the statistics and every CQE and byte in the
 * kernel's zero-copy count (kept apart from the statistics), device-less
 * every CQE and byte copied; over all netdevsim ifqs the statistics
 * count no copy at all. The guest runner's kmemleak scan catches leaks.
 * A multishot request stuck without a CQE while its socket has bytes
 * queued is cancelled and armed again, and fails the test at the end
 * (zcrx-refill-garbage reports it in detail). Every case must have run
 * at least once (counted per case), or the test fails: there is no time
 * budget, the iterations are made cheap instead (the delete case makes
 * only the deleted port again, in the namespaces it had).
 *
 * Usage: zcrx-teardown.t [-n ITERATIONS] [-d DELETE_EVERY]
 * (defaults 100 and 10: each case 10 times or more). -d 0: no delete case.
 * Skips without zcrx, netdevsim with header split or device-less zcrx
 * (after running the cases the kernel can), and fails on the project's
 * kernel, which has all of them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <liburing-ext.h>

#include "devmem.h"
#include "zcrx.h"

#define PAGE_SZ		4096UL
#define AREA_LEN	(1UL << 20)
#define RQ_ENTRIES	512
#define HOLD		32
#define STREAM		(256UL << 10)	/* received before the teardown */
#define PROBE_STREAM	(128UL << 10)
#define CHUNK		(64UL << 10)
#define RECV_UD		0x7265637655ULL
#define EVENT_UD	0x6576656e74ULL
#define WAIT_MS		20000
#define CANCEL_UD	0x63616e63ULL
/* no CQE this long with bytes queued in the socket: the request is stuck */
#define STALL_MS	3000
#define PORT		5801
#define NSIM_QUEUES	3
/*
 * The receive buffer over netdevsim (set on the listener, inherited): it
 * bounds the TCP window well below the area, so that out-of-order
 * segments never hold every buffer while the segment TCP waits for is
 * dropped for want of one.
 */
#define NSIM_RCVBUF	(128 << 10)

/* an area: user memory, or a dma-buf and its mmap */
struct tarea {
	const char *kind;
	char *addr;
	int dmabuf_fd;			/* -1 for user memory */
	struct io_uring_zcrx_area lib;	/* the dma-buf, from liburing-ext */
};

#define NR_AREAS	5

/* the whole test */
struct ctx {
	bool nsim, nodev;
	struct t_nsim_pair pair;
	const char *ns;			/* receiver's namespace */
	int ifindex;
	int lfd[2];			/* listening on loopback, in ns */
	struct sockaddr_in laddr[2];
	/*
	 * Used in turns: anonymous memory, a udmabuf, anonymous memory
	 * again, a system heap dma-buf, device memory (the dma-bufs only
	 * with netdevsim: device-less ifqs take user memory).
	 */
	struct tarea area[NR_AREAS];
	bool dmabuf;			/* the kernel has dma-buf areas */
	unsigned int next_area;
	unsigned int area_regs[NR_AREAS];	/* registrations with each */
	const char *last;		/* the previous teardown */
	unsigned int stalls;		/* see unstick() */
	char stall[160];
	/* the kernel's counts of the netdevsim ifqs, added up at ring exit */
	uint64_t zc_bytes, copy_bytes, copy_cqes;
	bool zc_unknown;		/* no zero-copy count from the kernel */
};

static struct ctx c = { .lfd = { -1, -1 } };

/* a stream sender: a thread writing the pattern until stopped or @limit */
struct sender {
	int fd;
	uint64_t limit;
	volatile bool stop;
	int err;
	pthread_t th;
	bool running;
};

struct held {
	__u64 off;
	__u32 len;
	uint64_t soff;
};

/* one registration */
struct zc {
	const char *name;
	bool nodev;
	struct io_uring ring;
	bool ring_up;
	char *area;
	char *region;
	size_t region_len;
	__u32 *khead, *ktail;
	struct io_uring_zcrx_rqe *rqes;
	unsigned int entries;
	__u32 tail;
	__u32 zcrx_id;
	__u64 token;
	volatile struct zcrx_stats *stats;

	int sock;
	uint64_t off;
	bool armed, eof, cancelling;
	uint64_t cqes, bytes;
	struct held held[HOLD];
	unsigned int nheld;
};

static inline __u32 load_acquire(const __u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(__u32 *p, __u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* streams */

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	static __thread uint8_t buf[CHUNK];
	uint64_t off = 0;

	while (!s->stop && off < s->limit) {
		size_t len = s->limit - off < CHUNK ? s->limit - off : CHUNK;
		ssize_t n;

		t_pattern_fill(buf, off, len);
		n = send(s->fd, buf, len, MSG_NOSIGNAL);
		if (n <= 0) {
			s->err = n ? errno : EPIPE;
			return NULL;
		}
		off += (uint64_t)n;
	}
	if (off == s->limit)
		shutdown(s->fd, SHUT_WR);
	return NULL;
}

/* Start the sender of a stream_connect()ed stream: 0 or T_EXIT_FAIL. */
static int stream_go(struct sender *s)
{
	if (pthread_create(&s->th, NULL, sender_main, s))
		return t_fail("pthread_create");
	s->running = true;
	return 0;
}

/*
 * Connect to the listener (from side 0's namespace with netdevsim) for a
 * sender of @limit bytes (UINT64_MAX: until stopped), not started yet,
 * and return the accepted socket, or -1 (reported).
 */
static int stream_connect(struct sender *s, bool nsim, uint64_t limit)
{
	int self = -1, fd, tries;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->limit = limit;
	if (nsim) {
		self = t_netns_visit(c.pair.netns[0]);
		if (self < 0)
			return t_fail("enter %s", c.pair.netns[0]), -1;
	}
	for (tries = 0;; tries++) {
		s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s->fd >= 0 &&
		    !connect(s->fd, (void *)&c.laddr[nsim],
			     sizeof(c.laddr[nsim])))
			break;
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		if (tries == 100)
			break;
		usleep(100000);
	}
	if (self >= 0)
		t_netns_leave(self);
	if (s->fd < 0)
		return t_fail("connect: %s", strerror(errno)), -1;
	fd = accept4(c.lfd[nsim], NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		close(s->fd);
		return t_fail("accept: %s", strerror(errno)), -1;
	}
	return fd;
}

/* stream_connect() and stream_go(): the accepted socket or -1. */
static int stream_open(struct sender *s, bool nsim, uint64_t limit)
{
	int fd = stream_connect(s, nsim, limit);

	if (fd >= 0 && stream_go(s)) {
		close(s->fd);
		close(fd);
		s->fd = -1;
		return -1;
	}
	return fd;
}

/* Stop the sender and close its socket; the error it saw, if any. */
static int stream_stop(struct sender *s)
{
	if (s->running) {
		s->stop = true;
		shutdown(s->fd, SHUT_RDWR);
		pthread_join(s->th, NULL);
		s->running = false;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return s->err;
}

/* Wait for a sender with a limit to finish: 0 or T_EXIT_FAIL. */
static int stream_finish(struct sender *s)
{
	if (s->running) {
		pthread_join(s->th, NULL);
		s->running = false;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return s->err ? t_fail("send: %s", strerror(s->err)) : 0;
}

/* the ifq */

/* The next area in turn that an ifq (@nodev: device-less) can take. */
static struct tarea *next_area(bool nodev)
{
	struct tarea *a;

	do {
		a = &c.area[c.next_area++ % NR_AREAS];
	} while (a->dmabuf_fd >= 0 && (nodev || !c.dmabuf));
	return a;
}

/*
 * Register on the netdevsim queue (or device-less): 0 or -errno, not
 * reported.
 */
static int zc_try_open(struct zc *z, const char *name, bool nodev,
		       struct tarea *area)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_CQE32 | IORING_SETUP_CQSIZE,
		.cq_entries = 1024,
	};
	struct io_uring_zcrx_area_reg ar = { 0 };
	struct io_uring_region_desc rd = { 0 };
	struct io_uring_zcrx_ifq_reg reg = { 0 };
	struct zcrx_event_desc ev = { 0 };
	size_t stats_off;
	int ret, self = -1;

	memset(z, 0, sizeof(*z));
	z->name = name;
	z->nodev = nodev;
	z->sock = -1;
	z->area = area->addr;
	ret = io_uring_queue_init_params(16, &z->ring, &p);
	if (ret)
		return ret;
	z->ring_up = true;
	z->region_len = 2 * PAGE_SZ + RQ_ENTRIES * 16UL;
	z->region = mmap(NULL, z->region_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (z->region == MAP_FAILED) {
		z->region = NULL;
		return -errno;
	}
	stats_off = z->region_len - 64;
	if (area->dmabuf_fd >= 0) {
		ar.flags = IORING_ZCRX_AREA_DMABUF;
		ar.dmabuf_fd = (__u32)area->dmabuf_fd;
	} else {
		ar.addr = (__u64)(uintptr_t)area->addr;
	}
	ar.len = AREA_LEN;
	rd.user_addr = (__u64)(uintptr_t)z->region;
	rd.size = z->region_len;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	ev.user_data = EVENT_UD;
	/* only the statistics: no event CQEs */
	ev.type_mask = 0;
	ev.flags = ZCRX_EVENT_DESC_FLAG_STATS;
	ev.stats_offset = stats_off;
	reg.if_idx = nodev ? 0 : (__u32)c.ifindex;
	reg.rq_entries = RQ_ENTRIES;
	reg.flags = nodev ? ZCRX_REG_NODEV : 0;
	reg.area_ptr = (__u64)(uintptr_t)&ar;
	reg.region_ptr = (__u64)(uintptr_t)&rd;
	reg.event_desc = (__u64)(uintptr_t)&ev;
	if (!nodev) {
		self = t_netns_visit(c.ns);
		if (self < 0)
			return self;
	}
	ret = io_uring_register_ifq(&z->ring, &reg);
	if (self >= 0)
		t_netns_leave(self);
	if (ret)
		return ret;
	c.area_regs[area - c.area]++;
	z->khead = (__u32 *)(z->region + reg.offsets.head);
	z->ktail = (__u32 *)(z->region + reg.offsets.tail);
	z->rqes = (struct io_uring_zcrx_rqe *)(z->region + reg.offsets.rqes);
	z->entries = reg.rq_entries;
	z->tail = load_acquire(z->ktail);
	z->zcrx_id = reg.zcrx_id;
	z->token = ar.rq_area_token;
	z->stats = (volatile struct zcrx_stats *)(z->region + stats_off);
	return 0;
}

static void zc_close(struct zc *z);

/* The ifq's counters: the statistics and the kernel's zero-copy count. */
struct counts {
	uint64_t copy_cqes, copy_bytes, zc_cqes, zc_bytes, cqes, bytes;
	bool zc_known;
};

static void counts_read(const struct zc *z, struct counts *n)
{
	n->copy_cqes = z->stats->copy_count;
	n->copy_bytes = z->stats->copy_bytes;
	n->zc_known = !t_zcrx_zc_read(z->ring.ring_fd, z->zcrx_id,
				      &n->zc_cqes, &n->zc_bytes);
	n->cqes = z->cqes;
	n->bytes = z->bytes;
}

/*
 * Between @a and now every CQE was reaped: exactly the path's answer.
 * Device-less: all copied, none zero-copy; netdevsim: no copy, all
 * zero-copy.
 */
static int counts_check(const struct zc *z, const struct counts *a,
			const char *what)
{
	struct counts b;
	uint64_t cqes, bytes, ccqes, cbytes, zcqes, zbytes;

	counts_read(z, &b);
	cqes = b.cqes - a->cqes;
	bytes = b.bytes - a->bytes;
	ccqes = b.copy_cqes - a->copy_cqes;
	cbytes = b.copy_bytes - a->copy_bytes;
	if (z->nodev ? ccqes != cqes || cbytes != bytes : ccqes || cbytes)
		return t_fail("%s: %s: zcrx_stats count %llu copied CQEs with %llu bytes of %llu CQEs with %llu bytes; want %s",
			      z->name, what, (unsigned long long)ccqes,
			      (unsigned long long)cbytes,
			      (unsigned long long)cqes,
			      (unsigned long long)bytes,
			      z->nodev ? "all" : "none");
	if (!a->zc_known || !b.zc_known) {
		c.zc_unknown = true;
		return 0;
	}
	zcqes = b.zc_cqes - a->zc_cqes;
	zbytes = b.zc_bytes - a->zc_bytes;
	if (z->nodev ? zcqes || zbytes : zcqes != cqes || zbytes != bytes)
		return t_fail("%s: %s: the kernel counts %llu zero-copy CQEs with %llu bytes of %llu CQEs with %llu bytes; want %s",
			      z->name, what, (unsigned long long)zcqes,
			      (unsigned long long)zbytes,
			      (unsigned long long)cqes,
			      (unsigned long long)bytes,
			      z->nodev ? "none" : "all");
	return 0;
}

/*
 * Register right after c.last: 0 or T_EXIT_FAIL, reported as a
 * registration that should have worked (everything undone).
 */
static int zc_open(struct zc *z, const char *name, bool nodev,
		   struct tarea *area)
{
	int ret = zc_try_open(z, name, nodev, area);

	if (!ret)
		return 0;
	zc_close(z);
	if (nodev)
		return t_fail("%s: device-less registration right after %s: %s, want success",
			      name, c.last, t_errname(ret));
	return t_fail("%s: registering %s queue 0 right after %s: %s, want success%s",
		      name, c.pair.ifname[1], c.last, t_errname(ret),
		      ret == -EEXIST ?
		      " (the previous owner's teardown has not closed the queue)" : "");
}

/* Ring exit (with whatever is still held or armed), then the region. */
static void zc_close(struct zc *z)
{
	if (z->ring_up && z->stats && !z->nodev) {
		struct counts n;

		counts_read(z, &n);
		c.copy_bytes += n.copy_bytes;
		c.copy_cqes += n.copy_cqes;
		c.zc_bytes += n.zc_bytes;
		if (!n.zc_known)
			c.zc_unknown = true;
	}
	if (z->ring_up)
		io_uring_queue_exit(&z->ring);
	z->ring_up = false;
	if (z->region)
		munmap(z->region, z->region_len);
	z->region = NULL;
}

static int zc_flush(struct zc *z)
{
	struct zcrx_ctrl ctl = { .zcrx_id = z->zcrx_id,
				 .op = ZCRX_CTRL_FLUSH_RQ };
	int ret = io_uring_register_zcrx_ctrl(&z->ring, &ctl);

	return ret ? t_fail("%s: ZCRX_CTRL_FLUSH_RQ: %s, want 0", z->name,
			    t_errname(ret)) : 0;
}

static int rq_put(struct zc *z, __u64 off, __u32 len)
{
	struct io_uring_zcrx_rqe *e;

	if (z->entries - (z->tail - load_acquire(z->khead)) == 0) {
		store_release(z->ktail, z->tail);
		if (zc_flush(z))
			return T_EXIT_FAIL;
		if (z->entries == z->tail - load_acquire(z->khead))
			return t_fail("%s: refill ring full after FLUSH_RQ",
				      z->name);
	}
	e = &z->rqes[z->tail & (z->entries - 1)];
	e->off = off;
	e->len = len;
	e->__pad = 0;
	z->tail++;
	return 0;
}

static int held_verify(struct zc *z, const char *when)
{
	unsigned int i;

	for (i = 0; i < z->nheld; i++) {
		const struct held *h = &z->held[i];
		long bad = t_pattern_check(z->area +
					   (h->off & ~IORING_ZCRX_AREA_MASK),
					   h->soff, h->len);

		if (bad >= 0)
			return t_fail("%s: %s: a held buffer (stream offset %llu, %u bytes) was overwritten at byte %ld",
				      z->name, when,
				      (unsigned long long)h->soff, h->len, bad);
	}
	return 0;
}

static int held_return(struct zc *z)
{
	unsigned int i;

	if (held_verify(z, "before returning the held buffers"))
		return T_EXIT_FAIL;
	for (i = 0; i < z->nheld; i++)
		if (rq_put(z, z->held[i].off, z->held[i].len))
			return T_EXIT_FAIL;
	z->nheld = 0;
	store_release(z->ktail, z->tail);
	return z->nodev ? zc_flush(z) : 0;
}

static int arm(struct zc *z)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);

	if (!sqe)
		return t_fail("no SQE");
	io_uring_prep_recv_zc(sqe, z->sock, z->zcrx_id, 0, 0);
	sqe->user_data = RECV_UD;
	z->armed = true;
	return 0;
}

static int on_cqe(struct zc *z, const struct io_uring_cqe *cqe)
{
	__u64 off, pos;
	int res = cqe->res;
	long bad;

	if (cqe->user_data == EVENT_UD || cqe->user_data == CANCEL_UD)
		return 0;
	if (cqe->user_data != RECV_UD)
		return t_fail("%s: CQE with user_data %#llx res %d", z->name,
			      (unsigned long long)cqe->user_data, res);
	if (!(cqe->flags & IORING_CQE_F_MORE))
		z->armed = false;
	if (res < 0) {
		/* CQ full, out of buffers (as upstream): armed again */
		if ((res == -ENOSPC || res == -ENOMEM) && !z->armed)
			return 0;
		if (res == -ECANCELED && !z->armed && z->cancelling) {
			z->cancelling = false;
			return 0;
		}
		return t_fail("%s: RECV_ZC at stream offset %llu: %s", z->name,
			      (unsigned long long)z->off, t_errname(res));
	}
	if (!res) {
		if (cqe->flags & IORING_CQE_F_MORE)
			return t_fail("%s: RECV_ZC res 0 with F_MORE", z->name);
		z->eof = true;
		return 0;
	}
	off = io_uring_zcrx_cqe_off(cqe);
	pos = off & ~IORING_ZCRX_AREA_MASK;
	if ((off & IORING_ZCRX_AREA_MASK) != z->token ||
	    pos + (unsigned int)res > AREA_LEN ||
	    (pos & (PAGE_SZ - 1)) + (unsigned int)res > PAGE_SZ)
		return t_fail("%s: CQE offset %#llx + %d outside the area's buffers",
			      z->name, (unsigned long long)off, res);
	bad = t_pattern_check(z->area + pos, z->off, (size_t)res);
	if (bad >= 0)
		return t_fail("%s: wrong byte at stream offset %llu",
			      z->name, (unsigned long long)(z->off + bad));
	if (z->nheld < HOLD)
		z->held[z->nheld++] = (struct held){ off, (__u32)res, z->off };
	else if (rq_put(z, off, (__u32)res))
		return T_EXIT_FAIL;
	z->off += (unsigned int)res;
	z->cqes++;
	z->bytes += (unsigned int)res;
	return 0;
}

/*
 * Receive on z->sock until the stream offset reaches @upto or, with
 * @eof_ok, the stream ends. Holds the first HOLD buffers.
 */
/*
 * An armed request that posts nothing while the socket has bytes queued
 * (zcrx-refill-garbage reports it in detail): counted, failing the test
 * at the end, and cancelled and armed again so that the teardown cases
 * go on.
 */
static int unstick(struct zc *z, int inq)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);

	if (!c.stalls++)
		snprintf(c.stall, sizeof(c.stall),
			 "%s, stream offset %llu, %d bytes queued",
			 z->name, (unsigned long long)z->off, inq);
	printf("%s: multishot RECV_ZC armed, %d bytes queued, no CQE for %d s at stream offset %llu: cancelling and re-arming\n",
	       z->name, inq, STALL_MS / 1000, (unsigned long long)z->off);
	if (!sqe)
		return t_fail("no SQE");
	io_uring_prep_cancel64(sqe, RECV_UD, 0);
	sqe->user_data = CANCEL_UD;
	z->cancelling = true;
	return 0;
}

static int zc_recv(struct zc *z, uint64_t upto, bool eof_ok)
{
	int waited = 0;

	while (z->off < upto && !z->eof) {
		struct __kernel_timespec ts = { .tv_sec = STALL_MS / 1000 };
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		int ret, inq = 0;

		if (!z->armed && !z->cancelling && arm(z))
			return T_EXIT_FAIL;
		ret = io_uring_submit_and_wait_timeout(&z->ring, &cqe, 1, &ts,
						       NULL);
		if (ret == -ETIME) {
			if (z->armed && !z->cancelling &&
			    !ioctl(z->sock, SIOCINQ, &inq) && inq > 0) {
				if (unstick(z, inq))
					return T_EXIT_FAIL;
				continue;
			}
			waited += STALL_MS;
			if (waited < WAIT_MS)
				continue;
			return t_fail("%s: no completion for %d s at stream offset %llu",
				      z->name, WAIT_MS / 1000,
				      (unsigned long long)z->off);
		}
		waited = 0;
		if (ret < 0 && ret != -EINTR)
			return t_fail("%s: waiting: %s", z->name,
				      t_errname(ret));
		io_uring_for_each_cqe(&z->ring, head, cqe) {
			n++;
			if (on_cqe(z, cqe))
				return T_EXIT_FAIL;
		}
		io_uring_cq_advance(&z->ring, n);
		if (z->tail != load_acquire(z->ktail)) {
			store_release(z->ktail, z->tail);
			if (z->nodev && zc_flush(z))
				return T_EXIT_FAIL;
		}
	}
	if (z->eof && !eof_ok)
		return t_fail("%s: stream ended at %llu, want %llu", z->name,
			      (unsigned long long)z->off,
			      (unsigned long long)upto);
	return 0;
}

/*
 * A whole checked stream of @len bytes on @z, every byte on the path's
 * way (counts_check()): 0 or T_EXIT_FAIL.
 */
static int zc_stream(struct zc *z, uint64_t len)
{
	struct sender s;
	struct counts before;
	int ret;

	counts_read(z, &before);
	z->sock = stream_open(&s, !z->nodev, len);
	if (z->sock < 0)
		return T_EXIT_FAIL;
	z->off = 0;
	z->eof = false;
	ret = zc_recv(z, UINT64_MAX, true);
	if (!ret && z->off != len)
		ret = t_fail("%s: stream of %llu bytes ended at %llu", z->name,
			     (unsigned long long)len,
			     (unsigned long long)z->off);
	if (!ret)
		ret = stream_finish(&s);
	else
		stream_stop(&s);
	close(z->sock);
	z->sock = -1;
	if (!ret)
		ret = counts_check(z, &before, "a whole stream");
	return ret;
}

/* netdevsim plumbing */

static int set_flags_up(bool up)
{
	struct ifreq ifr = { 0 };
	int self, fd, ret = 0;

	self = t_netns_visit(c.ns);
	if (self < 0)
		return self;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", c.pair.ifname[1]);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ret = -errno;
	} else {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	if (fd >= 0)
		close(fd);
	t_netns_leave(self);
	return ret;
}

static int set_channels(const char *ns, const char *ifname, __u32 n)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	int self, fd, ret = 0;

	self = t_netns_visit(ns);
	if (self < 0)
		return self;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr)) {
		ret = -errno;
	} else {
		ch.cmd = ETHTOOL_SCHANNELS;
		ch.combined_count = n;
		if (ioctl(fd, SIOCETHTOOL, &ifr))
			ret = -errno;
	}
	if (fd >= 0)
		close(fd);
	t_netns_leave(self);
	return ret;
}

/* The listener for streams over netdevsim (in @ns) or loopback. */
static int listen_on(const char *ns, const char *addr)
{
	int self = -1, one = 1, i = !!ns;
	struct sockaddr_in *la = &c.laddr[i];
	socklen_t alen = sizeof(*la);

	if (c.lfd[i] >= 0)
		close(c.lfd[i]);
	memset(la, 0, sizeof(*la));
	la->sin_family = AF_INET;
	la->sin_port = htons(ns ? PORT : 0);
	inet_pton(AF_INET, addr, &la->sin_addr);
	if (ns) {
		self = t_netns_visit(ns);
		if (self < 0)
			return t_fail("enter %s", ns);
	}
	c.lfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.lfd[i] >= 0) {
		int rcvbuf = NSIM_RCVBUF;

		setsockopt(c.lfd[i], SOL_SOCKET, SO_REUSEADDR, &one,
			   sizeof(one));
		if (ns)
			setsockopt(c.lfd[i], SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				   sizeof(rcvbuf));
	}
	if (c.lfd[i] < 0 || bind(c.lfd[i], (void *)la, sizeof(*la)) ||
	    listen(c.lfd[i], 4) || getsockname(c.lfd[i], (void *)la, &alen)) {
		if (self >= 0)
			t_netns_leave(self);
		return t_fail("listen on %s: %s", addr, strerror(errno));
	}
	if (self >= 0)
		t_netns_leave(self);
	return 0;
}

/*
 * The pair: NSIM_QUEUES queues each, header split on the receiver, 1
 * channel on the sender so that everything arrives on rx queue 0. 0,
 * T_EXIT_SKIP or T_EXIT_FAIL.
 */
static int pair_up(void)
{
	int ret;

	ret = t_nsim_pair_create(&c.pair, NSIM_QUEUES);
	if (ret)
		return ret;
	c.ns = c.pair.netns[1];
	c.ifindex = c.pair.ifindex[1];
	ret = t_hds_enable(c.ns, c.ifindex);
	if (ret == -EOPNOTSUPP) {
		t_nsim_pair_destroy(&c.pair);
		return t_lacks("netdevsim cannot split headers");
	}
	if (ret) {
		t_nsim_pair_destroy(&c.pair);
		return t_fail("enabling header split: %s", t_errname(ret));
	}
	ret = set_channels(c.pair.netns[0], c.pair.ifname[0], 1);
	if (ret) {
		t_nsim_pair_destroy(&c.pair);
		return t_fail("sender to 1 channel: %s", t_errname(ret));
	}
	return listen_on(c.ns, c.pair.addr[1]);
}

/* the cases */

/* close: the ring exits under held buffers and an arriving stream */
static int case_close(bool nodev)
{
	const char *name = nodev ? "nodev-close" : "close";
	struct sender s;
	struct zc z;
	int ret;

	if (zc_open(&z, name, nodev, next_area(nodev)))
		goto fail;
	z.sock = stream_open(&s, !nodev, UINT64_MAX);
	if (z.sock < 0)
		goto fail;
	ret = zc_recv(&z, STREAM, false);
	if (ret) {
		stream_stop(&s);
		goto fail;
	}
	zc_close(&z);
	/* nothing may write to what the user held once the ring is gone */
	stream_stop(&s);
	close(z.sock);
	if (held_verify(&z, "after the ring exit"))
		return T_EXIT_FAIL;
	c.last = nodev ? "a device-less ring exit with buffers held" :
			 "a ring exit with buffers held";
	return 0;
fail:
	zc_close(&z);
	return T_EXIT_FAIL;
}

/* The child of kill and exit: register, receive, report, go on. */
static void child(const char *name, bool nodev, int sock, int report,
		  bool exit_self)
{
	struct zc z;
	char ok;

	if (zc_open(&z, name, nodev, next_area(nodev)))
		_exit(T_EXIT_FAIL);
	/* registered: now the parent starts the sender */
	ok = 'r';
	if (write(report, &ok, 1) != 1)
		_exit(t_fail("%s child: report: %s", name, strerror(errno)));
	z.sock = sock;
	if (zc_recv(&z, STREAM, false))
		_exit(T_EXIT_FAIL);
	/*
	 * Its counts go with it. On netdevsim no copy: every byte was sent
	 * after the queue was bound.
	 */
	if (!nodev && (z.stats->copy_count || z.stats->copy_bytes))
		_exit(t_fail("%s child: zcrx_stats count %llu copied CQEs with %llu bytes, want none",
			     name, (unsigned long long)z.stats->copy_count,
			     (unsigned long long)z.stats->copy_bytes));
	/* 1 + the stalls seen */
	ok = (char)(1 + (c.stalls < 100 ? c.stalls : 100));
	if (write(report, &ok, 1) != 1)
		_exit(t_fail("%s child: report: %s", name, strerror(errno)));
	if (exit_self) {
		/* a little more, then leave everything as it is */
		if (zc_recv(&z, STREAM + CHUNK, false))
			_exit(T_EXIT_FAIL);
		_exit(T_EXIT_PASS);
	}
	zc_recv(&z, UINT64_MAX, false);
	_exit(t_fail("%s child: still alive at stream offset %llu", name,
		     (unsigned long long)z.off));
}

/* kill and exit: a child holding the queue dies; register right after */
static int case_child(bool nodev, bool exit_self)
{
	const char *name = exit_self ? "exit" : nodev ? "nodev-kill" : "kill";
	struct pollfd pfd;
	struct sender s;
	struct zc z;
	int p[2], status = 0, sock, ret;
	pid_t pid;
	char ok = 0;

	if (pipe2(p, O_CLOEXEC))
		return t_fail("pipe: %s", strerror(errno));
	/* connected, but nothing sent before the child registers */
	sock = stream_connect(&s, !nodev, UINT64_MAX);
	if (sock < 0)
		return T_EXIT_FAIL;
	pid = fork();
	if (pid < 0)
		return t_fail("fork: %s", strerror(errno));
	if (!pid) {
		close(p[0]);
		close(c.lfd[0]);
		close(c.lfd[1]);
		close(s.fd);
		child(name, nodev, sock, p[1], exit_self);
	}
	close(p[1]);
	close(sock);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 300 * 1000) != 1 || read(p[0], &ok, 1) != 1 ||
	    ok != 'r' || stream_go(&s) ||
	    poll(&pfd, 1, 300 * 1000) != 1 || read(p[0], &ok, 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		close(p[0]);
		stream_stop(&s);
		return t_fail("%s: the receiving child failed or hung (status %#x)",
			      name, status);
	}
	close(p[0]);
	if (ok > 1 && !c.stalls++)
		snprintf(c.stall, sizeof(c.stall), "%s child", name);
	if (!exit_self) {
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
	}
	if (waitpid(pid, &status, 0) != pid) {
		stream_stop(&s);
		return t_fail("waitpid: %s", strerror(errno));
	}
	c.last = exit_self ? "a child holding the queue exited" :
	       nodev ? "a device-less receiver was killed" :
		       "a receiver holding the queue was killed";
	/* right away, before anything else */
	ret = zc_open(&z, exit_self ? "exit: re-register" :
			  nodev ? "nodev-kill: re-register" : "kill: re-register",
		      nodev, next_area(nodev));
	stream_stop(&s);
	if (exit_self ? !WIFEXITED(status) || WEXITSTATUS(status) :
			!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		zc_close(&z);
		return t_fail("%s: the child ended with status %#x, want %s",
			      name, status, exit_self ? "exit 0" : "SIGKILL");
	}
	if (ret || zc_stream(&z, PROBE_STREAM)) {
		zc_close(&z);
		return T_EXIT_FAIL;
	}
	zc_close(&z);
	c.last = nodev ? "a device-less ring exit" : "a ring exit";
	return 0;
}

/* link and channels: restart under held buffers, then a new stream */
static int case_restart(bool link)
{
	const char *name = link ? "link" : "channels";
	struct counts fresh;
	struct sender s;
	struct zc z;
	int ret;

	if (zc_open(&z, name, false, next_area(false)))
		goto fail;
	counts_read(&z, &fresh);
	z.sock = stream_open(&s, true, STREAM);
	if (z.sock < 0)
		goto fail;
	ret = zc_recv(&z, UINT64_MAX, true);
	close(z.sock);
	z.sock = -1;
	if (ret || stream_finish(&s))
		goto fail;
	if (z.off != STREAM) {
		t_fail("%s: stream ended at %llu of %lu", name,
		       (unsigned long long)z.off, STREAM);
		goto fail;
	}
	if (counts_check(&z, &fresh, "the stream before the restart"))
		goto fail;
	if (link) {
		ret = set_flags_up(false);
		if (!ret)
			ret = set_flags_up(true);
		if (ret) {
			t_fail("%s: %s down and up while bound: %s", name,
			       c.pair.ifname[1], t_errname(ret));
			goto fail;
		}
	} else {
		ret = set_channels(c.ns, c.pair.ifname[1], NSIM_QUEUES - 1);
		if (!ret)
			ret = set_channels(c.ns, c.pair.ifname[1], NSIM_QUEUES);
		if (ret) {
			t_fail("%s: %s channels 3 -> 2 -> 3 with queue 0 bound: %s, want success",
			       name, c.pair.ifname[1], t_errname(ret));
			goto fail;
		}
	}
	if (held_verify(&z, link ? "after link down and up" :
				   "after the channel change"))
		goto fail;
	/* the buffers from before the restart go back now */
	if (held_return(&z))
		goto fail;
	/* after the restart: every byte zero-copy again */
	if (zc_stream(&z, STREAM))
		goto fail;
	/* exit holding the first buffers of the new stream */
	zc_close(&z);
	c.last = link ? "a ring exit after link down and up" :
			"a ring exit after a channel change";
	return 0;
fail:
	zc_close(&z);
	return T_EXIT_FAIL;
}

/* delete: the port goes away under a bound ifq */
static int case_delete(void)
{
	struct zc z, gone;
	struct sender s;
	int ret, old = c.ifindex;

	if (zc_open(&z, "delete", false, next_area(false)))
		goto fail;
	z.sock = stream_open(&s, true, UINT64_MAX);
	if (z.sock < 0)
		goto fail;
	if (zc_recv(&z, STREAM, false)) {
		stream_stop(&s);
		goto fail;
	}
	ret = t_nsim_del_side(&c.pair, 1);
	if (ret) {
		stream_stop(&s);
		t_fail("delete: deleting %s while bound: %s",
		       c.pair.ifname[1], t_errname(ret));
		goto fail;
	}
	stream_stop(&s);
	/* the old ifindex is gone */
	ret = zc_try_open(&gone, "delete: gone", false, next_area(false));
	zc_close(&gone);
	if (ret != -ENODEV) {
		t_fail("delete: registering on the deleted ifindex %d: %s, want %s",
		       old, t_errname(ret), t_errname(-ENODEV));
		goto fail;
	}
	zc_close(&z);
	close(z.sock);
	if (held_verify(&z, "after the device was deleted and the ring exited"))
		return T_EXIT_FAIL;
	/* the port again, in the namespaces and with the sender as before */
	ret = t_nsim_side_again(&c.pair, 1);
	if (ret)
		return t_fail("delete: making %s again", c.pair.netns[1]);
	c.ifindex = c.pair.ifindex[1];
	ret = t_hds_enable(c.ns, c.ifindex);
	if (ret)
		return t_fail("delete: header split on the new port: %s",
			      t_errname(ret));
	if (listen_on(c.ns, c.pair.addr[1]))
		return T_EXIT_FAIL;
	c.last = "deleting the device under a bound ifq and making it again";
	return 0;
fail:
	zc_close(&z);
	return T_EXIT_FAIL;
}

/* At the end, no page pool of the port may linger with buffers in flight. */
static int check_pools(void)
{
	struct t_page_pool pools[64];
	int i, n, tries, left = 0;

	for (tries = 0; tries < 100; tries++) {
		n = t_page_pools(c.ns, pools, 64);
		if (n < 0)
			return t_fail("PAGE_POOL_GET dump: %s", t_errname(n));
		if (n > 64)
			n = 64;
		left = 0;
		for (i = 0; i < n; i++)
			if (pools[i].detach_time && pools[i].inflight &&
			    pools[i].ifindex == (uint32_t)c.ifindex)
				left = i + 1;
		if (!left)
			return 0;
		t_flush_deferred_skbs();
		usleep(100000);
	}
	return t_fail("page pool %llu of %s detached with %llu buffers in flight 10 s after every ring exited",
		      (unsigned long long)pools[left - 1].id, c.pair.ifname[1],
		      (unsigned long long)pools[left - 1].inflight);
}

enum { C_CLOSE, C_KILL, C_EXIT, C_LINK, C_CHANNELS, C_NODEV_CLOSE,
       C_NODEV_KILL, C_DELETE };
static const char *const case_names[] = {
	"close", "kill", "exit", "link", "channels", "nodev-close",
	"nodev-kill", "delete",
};

static int run_case(int k)
{
	switch (k) {
	case C_CLOSE: return case_close(false);
	case C_KILL: return case_child(false, false);
	case C_EXIT: return case_child(false, true);
	case C_LINK: return case_restart(true);
	case C_CHANNELS: return case_restart(false);
	case C_NODEV_CLOSE: return case_close(true);
	case C_NODEV_KILL: return case_child(true, false);
	case C_DELETE: return case_delete();
	}
	return T_EXIT_FAIL;
}

/* The cases this kernel can run, in the order of the cycle. */
static unsigned int cycle_of(int *cycle)
{
	unsigned int n = 0;

	if (c.nsim) {
		cycle[n++] = C_CLOSE;
		cycle[n++] = C_KILL;
		cycle[n++] = C_EXIT;
		cycle[n++] = C_LINK;
		cycle[n++] = C_CHANNELS;
	}
	if (c.nodev) {
		cycle[n++] = C_NODEV_CLOSE;
		cycle[n++] = C_NODEV_KILL;
	}
	return n;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int areas_init(void)
{
	static const int types[] = {
		-1, IO_URING_ZCRX_AREA_UDMABUF, -1, IO_URING_ZCRX_AREA_DMA_HEAP,
		IO_URING_ZCRX_AREA_DMA_HEAP,
	};
	char *anon, devmem[64];
	int k, ret;

	anon = mmap(NULL, 2 * AREA_LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_check(anon != MAP_FAILED, "mmap: %s", strerror(errno));
	if (c.nsim) {
		ret = t_zcrx_require_dmabuf();
		if (ret == T_EXIT_FAIL)
			return ret;
		c.dmabuf = !ret;
	}
	if (c.dmabuf) {
		ret = t_devmem_heap(devmem, sizeof(devmem));
		if (ret)
			return ret;
	}
	for (k = 0; k < NR_AREAS; k++) {
		struct tarea *a = &c.area[k];

		a->dmabuf_fd = -1;
		if (types[k] < 0) {
			a->kind = "anonymous memory";
			a->addr = anon + (k / 2) * AREA_LEN;
			continue;
		}
		a->kind = types[k] == IO_URING_ZCRX_AREA_UDMABUF ? "udmabuf" :
			  k == 3 ? "system heap dma-buf" : "device memory dma-buf";
		if (!c.dmabuf)
			continue;
		if (k == 4)
			ret = io_uring_zcrx_area_alloc_heap(&a->lib, devmem,
							    AREA_LEN);
		else
			ret = io_uring_zcrx_area_alloc(&a->lib, types[k],
						       AREA_LEN);
		if (ret)
			return t_lacks("a %s of %lu bytes: %s", a->kind,
				       (unsigned long)AREA_LEN, t_errname(ret));
		a->addr = a->lib.addr;
		a->dmabuf_fd = a->lib.dmabuf_fd;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	unsigned int iters = 100, del_every = 10;
	unsigned int done[8] = { 0 }, i, ncycle, k;
	double spent[8] = { 0 }, t0, t;
	int cycle[8], opt, ret, nodev_ret;
	char lacking[160] = "";

	while ((opt = getopt(argc, argv, "n:d:")) != -1) {
		switch (opt) {
		case 'n': iters = (unsigned int)atoi(optarg); break;
		case 'd': del_every = (unsigned int)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n ITERATIONS] [-d DELETE_EVERY]\n",
				argv[0]);
			return T_EXIT_FAIL;
		}
	}
	srand((unsigned int)getpid());
	signal(SIGPIPE, SIG_IGN);

	nodev_ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (nodev_ret == IO_URING_ZCRX_NO_IO_URING ||
	    nodev_ret == IO_URING_ZCRX_NO_KERNEL_SUPPORT ||
	    nodev_ret == IO_URING_ZCRX_NO_CAP_NET_ADMIN || nodev_ret < 0)
		return t_lacks("zcrx: %s", io_uring_zcrx_strerror(nodev_ret));
	c.nodev = !nodev_ret;
	if (!c.nodev && t_project_kernel())
		return t_lacks("device-less zcrx: %s",
			       io_uring_zcrx_strerror(nodev_ret));
	ret = pair_up();
	if (ret == T_EXIT_FAIL)
		return ret;
	c.nsim = !ret;
	if (!c.nsim)
		snprintf(lacking, sizeof(lacking),
			 "netdevsim with header split");
	if (!c.nodev)
		snprintf(lacking + strlen(lacking),
			 sizeof(lacking) - strlen(lacking), "%sdevice-less zcrx",
			 lacking[0] ? " and " : "");
	if (!c.nsim && !c.nodev)
		return t_lacks("neither netdevsim with header split nor device-less zcrx");
	ret = areas_init();
	if (ret)
		return ret;
	c.last = "the start";
	if (c.nodev && listen_on(NULL, "127.0.0.1"))
		return T_EXIT_FAIL;
	ncycle = cycle_of(cycle);
	printf("%u iterations (%s%s), delete every %u\n", iters,
	       c.nsim ? "netdevsim" : "", c.nodev ? " device-less" : "",
	       del_every);

	for (i = 0; i < iters; i++) {
		if (c.nsim && del_every && i % del_every == del_every - 1)
			k = C_DELETE;
		else
			k = (unsigned int)cycle[(i - (c.nsim && del_every ?
						      i / del_every : 0)) %
						ncycle];
		t = now_s();
		ret = run_case((int)k);
		if (ret) {
			t_fail("iteration %u (%s) failed", i + 1, case_names[k]);
			goto out_fail;
		}
		done[k]++;
		spent[k] += now_s() - t;
	}
	t0 = 0;
	printf("%u iterations:", i);
	for (k = 0; k < 8; k++) {
		if (done[k])
			printf(" %s %u (%.1f s)", case_names[k], done[k],
			       spent[k]);
		t0 += spent[k];
	}
	printf("; %.1f s\n", t0);
	if (c.nsim && c.zc_unknown)
		printf("netdevsim ifqs, by the kernel's counts: %llu bytes copied in %llu CQEs; zero-copy not counted\n",
		       (unsigned long long)c.copy_bytes,
		       (unsigned long long)c.copy_cqes);
	else if (c.nsim)
		printf("netdevsim ifqs, by the kernel's counts: %llu bytes copied in %llu CQEs, %llu bytes zero-copy\n",
		       (unsigned long long)c.copy_bytes,
		       (unsigned long long)c.copy_cqes,
		       (unsigned long long)c.zc_bytes);
	for (k = 0; k < NR_AREAS; k++)
		printf("%s%s %u", k ? ", " : "registrations: ", c.area[k].kind,
		       c.area_regs[k]);
	printf("\n");
	for (k = 0; k < NR_AREAS; k++)
		if (c.dmabuf && !c.area_regs[k]) {
			t_fail("no registration with a %s in %u iterations (-n)",
			       c.area[k].kind, iters);
			goto out_fail;
		}
	/* every case the kernel can run ran, at least once */
	for (k = 0; k < ncycle; k++)
		if (!done[cycle[k]]) {
			t_fail("case %s never ran in %u iterations (-n)",
			       case_names[cycle[k]], iters);
			goto out_fail;
		}
	if (c.nsim && del_every && !done[C_DELETE]) {
		t_fail("case delete never ran in %u iterations (-n, -d %u)",
		       iters, del_every);
		goto out_fail;
	}
	if (c.nsim && check_pools())
		goto out_fail;
	if (c.stalls) {
		t_fail("%u times a multishot RECV_ZC stayed armed without a CQE for %d s while the socket had bytes queued (first: %s); see zcrx-refill-garbage",
		       c.stalls, STALL_MS / 1000, c.stall);
		goto out_fail;
	}
	if (c.nsim && (c.copy_bytes || c.copy_cqes)) {
		t_fail("the netdevsim ifqs copied %llu bytes in %llu CQEs, want none (header split: the device writes every byte)",
		       (unsigned long long)c.copy_bytes,
		       (unsigned long long)c.copy_cqes);
		goto out_fail;
	}
	if (c.nsim && c.zc_unknown) {
		ret = t_lacks("every case passed, but the kernel does not count zero-copy CQEs (no \"zcrx ID: zc_count N zc_bytes N\" line in the ring's /proc/self/fdinfo)");
		goto out;
	}
	if (lacking[0]) {
		ret = t_lacks("the cases ran that this kernel can; without %s",
			      lacking);
		goto out;
	}
	ret = T_EXIT_PASS;
	goto out;
out_fail:
	ret = T_EXIT_FAIL;
out:
	for (opt = 0; opt < 2; opt++)
		if (c.lfd[opt] >= 0)
			close(c.lfd[opt]);
	if (c.nsim)
		t_nsim_pair_destroy(&c.pair);
	return ret;
}
