/* SPDX-License-Identifier: MIT */
/*
 * Description: a registration that fails where the queue used to be
 * bound already, while traffic flows into that queue. The kernel used to
 * bind the queue before writing the results (zcrx_id, offsets, area
 * token) back to user space; when that copy-out failed it unbound the
 * queue and freed the area, while skbs that had arrived on the queue in
 * between, with area buffers in them, still sat in a socket: a
 * use-after-free once the socket let go of them. Now the results are
 * written before the queue is bound.
 * On a netdevsim pair with header split, a TCP stream steered to rx
 * queue 1, paced at 2 MB/s into a 64 MiB receive buffer, keeps flowing
 * into a plain socket that is never read (its skbs hold the queue's
 * buffers). While it flows, 30 registrations on queue 1 through the raw
 * io_uring_register(2), with the argument (struct io_uring_zcrx_ifq_reg)
 * in a read-only page, must each return EFAULT and leave the queue
 * without a provider (QUEUE_GET: no io-uring attribute); bytes must have
 * arrived in the unread socket during the attempts (else nothing was
 * tested), and no page pool of the port may have the io_uring provider
 * (a pool made while a failed registration had the queue bound would
 * stay, detached, for the buffers the socket holds). Then the unread
 * socket and its sender are closed, and a registration on queue 1 must
 * succeed and receive a 16 MiB stream, every byte checked, all of it
 * zero-copy.
 * Skips without zcrx, netdevsim with header split or zcrx statistics
 * (fails on the project's kernel, which has them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "devmem.h"
#include "zcrx.h"

#define PAGE_SZ		4096UL
#define AREA_LEN	(1UL << 20)
#define REGION_LEN	(2 * PAGE_SZ)
#define RQ_ENTRIES	64
#define ATTEMPTS	30
#define ATTEMPT_GAP_US	10000
#define PACING_RATE	(2U << 20)	/* bytes/s */
#define UNREAD_RCVBUF	(64 << 20)
#define CHUNK		(64UL << 10)
#define PORT_UNREAD	5421
#define PORT_ZC		5422
#define ZC_STREAM	(16ULL << 20)
#define ZC_AREA		(8UL << 20)

/* the stream nobody reads */
struct unread {
	int lfd, rfd, sfd;	/* listening, receiving (unread), sending */
	pthread_t th;
	bool running;
	volatile bool stop;
};

static void *unread_sender(void *arg)
{
	static uint8_t buf[CHUNK];
	struct unread *u = arg;

	t_pattern_fill(buf, 0, CHUNK);
	/* until the receiver resets the connection or we stop */
	while (!u->stop)
		if (send(u->sfd, buf, CHUNK, MSG_NOSIGNAL) <= 0)
			break;
	return NULL;
}

static void unread_close(struct unread *u)
{
	if (u->rfd >= 0)
		close(u->rfd);	/* unread bytes: a reset, the sender stops */
	u->stop = true;
	if (u->sfd >= 0)
		shutdown(u->sfd, SHUT_RDWR);
	if (u->running)
		pthread_join(u->th, NULL);
	if (u->sfd >= 0)
		close(u->sfd);
	if (u->lfd >= 0)
		close(u->lfd);
	u->rfd = u->sfd = u->lfd = -1;
	u->running = false;
}

/* Listen (in the receiver's namespace), connect, start: 0 or T_EXIT_FAIL. */
static int unread_open(struct unread *u, const struct t_zcrx_nsim *n)
{
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_port = htons(PORT_UNREAD) };
	int one = 1, rcvbuf = UNREAD_RCVBUF, self, tries;
	unsigned int rate = PACING_RATE;

	memset(u, 0, sizeof(*u));
	u->lfd = u->rfd = u->sfd = -1;
	inet_pton(AF_INET, n->pair.addr[1], &addr.sin_addr);
	self = t_netns_visit(n->ns);
	if (self < 0)
		return t_fail("entering %s: %s", n->ns, t_errname(self));
	u->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* inherited by the accepted socket, sized before the handshake */
	if (u->lfd < 0 ||
	    setsockopt(u->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(u->lfd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) ||
	    bind(u->lfd, (void *)&addr, sizeof(addr)) || listen(u->lfd, 1)) {
		t_netns_leave(self);
		return t_fail("listening on %s:%d with a %d MiB receive buffer: %s",
			      n->pair.addr[1], PORT_UNREAD, UNREAD_RCVBUF >> 20,
			      strerror(errno));
	}
	t_netns_leave(self);
	self = t_netns_visit(n->pair.netns[0]);
	if (self < 0)
		return t_fail("entering %s: %s", n->pair.netns[0],
			      t_errname(self));
	u->sfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (u->sfd < 0 || setsockopt(u->sfd, SOL_SOCKET, SO_MAX_PACING_RATE,
				     &rate, sizeof(rate))) {
		t_netns_leave(self);
		return t_fail("sending socket paced at %u bytes/s: %s", rate,
			      strerror(errno));
	}
	for (tries = 0; connect(u->sfd, (void *)&addr, sizeof(addr)); tries++) {
		if (tries == 50) {
			t_netns_leave(self);
			return t_fail("connect to %s:%d: %s", n->pair.addr[1],
				      PORT_UNREAD, strerror(errno));
		}
		usleep(100000);
	}
	t_netns_leave(self);
	u->rfd = accept4(u->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (u->rfd < 0)
		return t_fail("accept: %s", strerror(errno));
	if (pthread_create(&u->th, NULL, unread_sender, u))
		return t_fail("pthread_create");
	u->running = true;
	return 0;
}

static int inq(int fd)
{
	int n = -1;

	return ioctl(fd, SIOCINQ, &n) ? -1 : n;
}

/* Wait until the unread socket has bytes: their count, or -1 (reported). */
static int wait_flowing(int fd)
{
	int i, n;

	for (i = 0; i < 100; i++) {
		n = inq(fd);
		if (n > 0)
			return n;
		usleep(100000);
	}
	t_fail("no byte of the unread stream arrived in 10 s");
	return -1;
}

/* The registrations that cannot write their results: 0 or T_EXIT_FAIL. */
static int ro_attempts(const struct t_zcrx_nsim *n)
{
	struct io_uring_zcrx_area_reg ar;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq_reg *ro;
	struct t_queue_info q;
	struct io_uring ring;
	char *area;
	int i, ret, self;

	ret = t_zcrx_ring_init(&ring, 8, 0);
	if (ret)
		return t_fail("ring: %s", t_errname(ret));
	area = mmap(NULL, AREA_LEN, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ro = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_check(area != MAP_FAILED && ro != MAP_FAILED, "mmap: %s",
		strerror(errno));
	/* valid in every way, but the kernel can only read it */
	memset(ro, 0, sizeof(*ro));
	ro->if_idx = (__u32)n->ifindex;
	ro->if_rxq = n->rxq;
	ro->rq_entries = RQ_ENTRIES;
	ro->area_ptr = (__u64)(uintptr_t)&ar;
	ro->region_ptr = (__u64)(uintptr_t)&rd;
	t_check(!mprotect(ro, PAGE_SZ, PROT_READ), "mprotect: %s",
		strerror(errno));
	for (i = 0; i < ATTEMPTS && !ret; i++) {
		memset(&ar, 0, sizeof(ar));
		ar.addr = (__u64)(uintptr_t)area;
		ar.len = AREA_LEN;
		memset(&rd, 0, sizeof(rd));
		rd.size = REGION_LEN;	/* kernel memory */
		self = t_netns_visit(n->ns);
		t_check(self >= 0, "entering %s", n->ns);
		ret = (int)syscall(__NR_io_uring_register, ring.ring_fd,
				   IORING_REGISTER_ZCRX_IFQ, ro, 1);
		ret = ret < 0 ? -errno : ret;
		t_netns_leave(self);
		if (ret != -EFAULT) {
			ret = t_fail("attempt %d: registering %s queue %u with a read-only argument: %s, want %s",
				     i + 1, n->pair.ifname[1], n->rxq,
				     t_errname(ret), t_errname(-EFAULT));
			break;
		}
		ret = t_queue_get(n->ns, n->ifindex, n->rxq, &q);
		if (ret)
			ret = t_fail("QUEUE_GET of %s queue %u: %s",
				     n->pair.ifname[1], n->rxq, t_errname(ret));
		else if (q.io_uring || q.dmabuf)
			ret = t_fail("attempt %d: EFAULT, but %s queue %u has a provider (io-uring %d, dmabuf %u), want none",
				     i + 1, n->pair.ifname[1], n->rxq,
				     q.io_uring, q.dmabuf);
		usleep(ATTEMPT_GAP_US);
	}
	io_uring_queue_exit(&ring);
	munmap(ro, PAGE_SZ);
	munmap(area, AREA_LEN);
	return ret;
}

/* No page pool of the port ever had the io_uring provider. */
static int no_io_uring_pool(const struct t_zcrx_nsim *n)
{
	struct t_page_pool pools[64];
	int i, nr;

	nr = t_page_pools(n->ns, pools, 64);
	if (nr < 0)
		return t_fail("PAGE_POOL_GET dump: %s", t_errname(nr));
	for (i = 0; i < nr && i < 64; i++)
		if (pools[i].ifindex == (uint32_t)n->ifindex &&
		    pools[i].has_io_uring)
			return t_fail("page pool %llu of %s has the io_uring provider (%s, %llu buffers in flight) after registrations that all failed: a failed registration bound the queue",
				      (unsigned long long)pools[i].id,
				      n->pair.ifname[1],
				      pools[i].detach_time ? "detached" : "attached",
				      (unsigned long long)pools[i].inflight);
	return 0;
}

/* The queue works: a checked stream, all zero-copy. */
static int zc_stream(const struct t_zcrx_nsim *n)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = ZC_AREA,
	};
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	const char *what = "after the failed registrations";
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	char reg[96];
	int ret;

	snprintf(reg, sizeof(reg), "%s queue %u %s", n->pair.ifname[1],
		 n->rxq, what);
	ret = t_zcrx_setup_checked(&z, &o, reg);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_stream_start(&s, &n->pair, PORT_ZC, ZC_STREAM);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	if (!rx.eof || rx.off != ZC_STREAM) {
		ret = t_fail("%s: stream ended after %llu bytes (eof %d), sent %llu",
			     what, (unsigned long long)rx.off, rx.eof,
			     ZC_STREAM);
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (ret)
		goto out;
	ret = t_zcrx_return(&rx, SIZE_MAX, false);
	if (ret)
		goto out;
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC, what);
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	struct t_zcrx_nsim n;
	struct unread u;
	int ret, before, after;

	setlinebuf(stdout);
	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	ret = unread_open(&u, &n);
	if (ret)
		goto out;
	before = wait_flowing(u.rfd);
	if (before < 0) {
		ret = T_EXIT_FAIL;
		goto out;
	}
	ret = ro_attempts(&n);
	after = inq(u.rfd);
	if (ret)
		goto out;
	printf("%d registrations with a read-only argument on %s queue %u: EFAULT, queue left without a provider; the unread socket went from %d to %d bytes meanwhile\n",
	       ATTEMPTS, n.pair.ifname[1], n.rxq, before, after);
	if (after <= before) {
		ret = t_fail("the unread socket had %d bytes before the attempts and %d after: the stream did not flow during them",
			     before, after);
		goto out;
	}
	/* while the socket still holds what arrived during the attempts */
	ret = no_io_uring_pool(&n);
	if (ret)
		goto out;
	unread_close(&u);
	ret = zc_stream(&n);
out:
	unread_close(&u);
	t_zcrx_nsim_cleanup(&n);
	return ret;
}
