/* SPDX-License-Identifier: MIT */
/*
 * zcrx test helpers (see zcrx.h): ring and ifq set-up with a statistics
 * block, netdevsim/loopback/veth stream end points, and a verifying
 * RECV_ZC receive loop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/ethtool_netlink.h>

#include "devmem.h"
#include "zcrx.h"

int t_zcrx_ring_init(struct io_uring *ring, unsigned int sq, unsigned int cq)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = T_ZCRX_RING_FLAGS;
	if (cq) {
		p.flags |= IORING_SETUP_CQSIZE;
		p.cq_entries = cq;
	}
	return io_uring_queue_init_params(sq, ring, &p);
}

/* What t_zcrx_require() found. */
static bool feature_event = true;

/* what t_zcrx_require() found in the query */
static __u64 area_flags;
static __u32 features;

int t_zcrx_require(bool nodev)
{
	struct io_uring_query_zcrx qz;
	struct io_uring_query_hdr hdr;
	struct io_uring ring;
	int ret;

	ret = t_zcrx_ring_init(&ring, 2, 0);
	if (ret)
		return t_lacks("no ring with DEFER_TASKRUN|SINGLE_ISSUER|CQE32: %s",
			       strerror(-ret));
	io_uring_queue_exit(&ring);

	memset(&qz, 0, sizeof(qz));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_data = (__u64)(uintptr_t)&qz;
	hdr.query_op = IO_URING_QUERY_ZCRX;
	hdr.size = sizeof(qz);
	ret = io_uring_register_query(&hdr);
	if (ret)
		return t_lacks("kernel without zcrx (IORING_REGISTER_QUERY: %s)",
			       strerror(-ret));
	if (hdr.result)
		return t_lacks("kernel without zcrx (IO_URING_QUERY_ZCRX: %s)",
			       strerror(-hdr.result));
	area_flags = qz.area_flags;
	features = qz.features;
	if (nodev && !(qz.register_flags & ZCRX_REG_NODEV))
		return t_lacks("kernel without device-less zcrx (ZCRX_REG_NODEV not in register_flags %#llx)",
			       (unsigned long long)qz.register_flags);
	/*
	 * Without ZCRX_FEATURE_EVENT a statistics block may still work: the
	 * registration tells (t_zcrx_setup_checked()).
	 */
	feature_event = qz.features & ZCRX_FEATURE_EVENT;
	if (!feature_event)
		printf("note: kernel does not report ZCRX_FEATURE_EVENT (features %#x)\n",
		       qz.features);
	return 0;
}

int t_zcrx_require_dmabuf(void)
{
	int ret = t_zcrx_require(false);

	if (ret)
		return ret;
	if (!(area_flags & IORING_ZCRX_AREA_DMABUF))
		return t_lacks("kernel without dma-buf zcrx areas (IO_URING_QUERY_ZCRX area_flags %#llx)",
			       (unsigned long long)area_flags);
	return 0;
}

int t_zcrx_require_feature(__u32 feature, const char *name)
{
	int ret = t_zcrx_require(false);

	if (ret)
		return ret;
	if (!(features & feature))
		return t_lacks("kernel without %s (IO_URING_QUERY_ZCRX features %#x)",
			       name, features);
	return 0;
}

int t_zcrx_setup(struct t_zcrx *z, const struct t_zcrx_opts *o)
{
	size_t area_len = o->area_len ? o->area_len : 32UL << 20;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned int rq_entries = o->rq_entries;
	int ret;

	memset(z, 0, sizeof(*z));
	z->area.dmabuf_fd = z->area.memfd = -1;
	z->nodev = o->nodev;
	if (!rq_entries) {
		size_t bufs = area_len / (o->rx_buf_len ? o->rx_buf_len : page);

		rq_entries = bufs > 32768 ? 32768 : (unsigned int)bufs;
	}
	ret = t_zcrx_ring_init(&z->ring, o->sq_entries ? o->sq_entries : 64,
			       o->cq_entries ? o->cq_entries : 4096);
	if (ret)
		return ret;
	z->ring_up = true;
	if (o->heap)
		ret = io_uring_zcrx_area_alloc_heap(&z->area, o->heap, area_len);
	else
		ret = io_uring_zcrx_area_alloc(&z->area, o->area_type,
					       area_len);
	if (ret) {
		z->area.dmabuf_fd = z->area.memfd = -1;
		goto fail;
	}
	/* a stream sender fork()ed later need not copy the pinned area */
	madvise(z->area.addr, z->area.len, MADV_DONTFORK);

	{
		struct io_uring_zcrx_ifq_opts io = {
			.if_idx = o->ifindex,
			.if_rxq = o->rxq,
			.rq_entries = rq_entries,
			.flags = o->nodev ? ZCRX_REG_NODEV : 0,
			.rq_mem = (__u32)o->rq_mem,
			.rx_buf_len = o->rx_buf_len,
			.area = &z->area,
			/* statistics only: no event CQEs */
			.event_flags = o->no_stats ? 0 :
				       ZCRX_EVENT_DESC_FLAG_STATS,
		};
		int self = -1;

		/* the device is looked up in the caller's netns */
		if (o->ns) {
			self = t_netns_visit(o->ns);
			if (self < 0) {
				ret = self;
				goto fail;
			}
		}
		ret = io_uring_zcrx_ifq_setup(&z->ring, &io, &z->ifq);
		if (self >= 0)
			t_netns_leave(self);
	}
	if (ret)
		goto fail;
	z->stats = z->ifq.stats;
	if (!o->no_stats && !z->stats) {
		ret = -EPROTO;
		goto fail;
	}
	return 0;
fail:
	t_zcrx_cleanup(z);
	return ret;
}

int t_zcrx_setup_checked(struct t_zcrx *z, const struct t_zcrx_opts *o,
			 const char *what)
{
	int ret = t_zcrx_setup(z, o);

	if (!ret)
		return 0;
	if (!o->no_stats && !feature_event &&
	    (ret == -EINVAL || ret == -EOPNOTSUPP))
		return t_lacks("kernel without zcrx statistics: registering %s with an event_desc of FLAG_STATS: %s (and no ZCRX_FEATURE_EVENT)",
			       what, t_errname(ret));
	return t_fail("registering %s: %s, want success", what,
		      t_errname(ret));
}

void t_zcrx_cleanup(struct t_zcrx *z)
{
	if (z->ring_up)
		io_uring_queue_exit(&z->ring);
	z->ring_up = false;
	io_uring_zcrx_ifq_free(&z->ifq);
	z->stats = NULL;
	io_uring_zcrx_area_free(&z->area);
}

int t_zcrx_flush_rq(struct t_zcrx *z)
{
	struct zcrx_ctrl ctrl;

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = z->ifq.zcrx_id;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	return io_uring_register_zcrx_ctrl(&z->ring, &ctrl);
}

/* FLUSH_RQ, which must leave the refill ring empty. */
static int flush_rq(struct t_zcrx_rx *rx)
{
	struct io_uring_zcrx_rq *rq = &rx->z->ifq.rq;
	__u32 head;
	int ret;

	ret = t_zcrx_flush_rq(rx->z);
	if (ret)
		return t_fail("ZCRX_CTRL_FLUSH_RQ: %s", strerror(-ret));
	rx->flushes++;
	head = io_uring_smp_load_acquire(rq->khead);
	if (head != rq->rq_tail)
		return t_fail("ZCRX_CTRL_FLUSH_RQ returned 0 but left %u of %u refill entries (head %u, tail %u)",
			      rq->rq_tail - head, rq->ring_entries, head,
			      rq->rq_tail);
	return 0;
}

void t_zcrx_stats_read(const struct t_zcrx *z, uint64_t *copy_count,
		       uint64_t *copy_bytes)
{
	*copy_count = z->stats ? z->stats->copy_count : 0;
	*copy_bytes = z->stats ? z->stats->copy_bytes : 0;
}

int t_zcrx_fdinfo_field(int ring_fd, unsigned int zcrx_id, const char *key,
			uint64_t *val)
{
	char path[64], line[512], prefix[32];
	size_t klen = strlen(key);
	int ret = -ENOENT;
	FILE *f;

	*val = 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", ring_fd);
	snprintf(prefix, sizeof(prefix), "zcrx %u:", zcrx_id);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (ret == -ENOENT && fgets(line, sizeof(line), f)) {
		char *p = line + strlen(prefix);

		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		/* " key value" pairs */
		while ((p = strstr(p, key))) {
			unsigned long long v;

			if (p[-1] == ' ' && p[klen] == ' ' &&
			    sscanf(p + klen, " %llu", &v) == 1) {
				*val = v;
				ret = 0;
				break;
			}
			p += klen;
		}
		if (ret)
			ret = -ENODATA;
	}
	fclose(f);
	return ret;
}

int t_zcrx_zc_read(int ring_fd, unsigned int zcrx_id, uint64_t *zc_count,
		   uint64_t *zc_bytes)
{
	int ret;

	ret = t_zcrx_fdinfo_field(ring_fd, zcrx_id, "zc_count", zc_count);
	if (!ret)
		ret = t_zcrx_fdinfo_field(ring_fd, zcrx_id, "zc_bytes",
					  zc_bytes);
	if (ret == -ENODATA)
		ret = -ENOENT;
	return ret;
}

/* The receive loop */

void t_zcrx_rx_init(struct t_zcrx_rx *rx, struct t_zcrx *z, int fd)
{
	memset(rx, 0, sizeof(*rx));
	rx->z = z;
	rx->fd = fd;
	rx->timeout_ms = 30000;
	/* the counters are the ifq's: this receive's share is what it adds */
	t_zcrx_stats_read(z, &rx->base.copy_cqes, &rx->base.copy_bytes);
	rx->base.zc_known = z->ring_up &&
			    !t_zcrx_zc_read(z->ring.ring_fd, z->ifq.zcrx_id,
					    &rx->base.zc_cqes,
					    &rx->base.zc_bytes);
}

void t_zcrx_rx_free(struct t_zcrx_rx *rx)
{
	free(rx->held);
	rx->held = NULL;
	rx->nheld = rx->held_cap = 0;
}

uint64_t t_zcrx_held_bytes(const struct t_zcrx_rx *rx)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < rx->nheld; i++)
		sum += rx->held[i].len;
	return sum;
}

int t_zcrx_arm(struct t_zcrx_rx *rx)
{
	struct io_uring_sqe *sqe;
	int ret;

	if (rx->armed)
		return t_fail("arming a RECV_ZC while one is armed");
	sqe = io_uring_get_sqe(&rx->z->ring);
	if (!sqe)
		return t_fail("no SQE for RECV_ZC");
	io_uring_prep_recv_zc(sqe, rx->fd, rx->z->ifq.zcrx_id, rx->len, 0);
	sqe->user_data = T_ZCRX_RECV_UD;
	ret = io_uring_submit(&rx->z->ring);
	if (ret != 1)
		return t_fail("submitting RECV_ZC: %d (%s)", ret,
			      ret < 0 ? strerror(-ret) : "not submitted");
	rx->armed = true;
	rx->len_end = false;
	rx->req_bytes = 0;
	rx->req_len = rx->len;
	rx->arms++;
	return 0;
}

static int hold_buf(struct t_zcrx_rx *rx, uint64_t area_off, uint32_t len)
{
	if (rx->nheld == rx->held_cap) {
		size_t cap = rx->held_cap ? rx->held_cap * 2 : 1024;
		struct t_zcrx_buf *h = realloc(rx->held, cap * sizeof(*h));

		if (!h)
			return t_fail("out of memory for %zu held buffers", cap);
		rx->held = h;
		rx->held_cap = cap;
	}
	rx->held[rx->nheld++] = (struct t_zcrx_buf){
		.area_off = area_off, .stream_off = rx->off, .len = len,
	};
	return 0;
}

static int check_bytes(const struct t_zcrx_rx *rx, const void *buf,
		       uint64_t stream_off, uint32_t len, uint64_t area_off,
		       const char *when)
{
	long bad;

	if (rx->noverify)
		return 0;
	bad = t_pattern_check(buf, stream_off, len);
	if (bad < 0)
		return 0;
	return t_fail("%s: stream byte %llu (area offset %#llx + %ld of a %u-byte CQE) is %#x, want %#x",
		      when, (unsigned long long)(stream_off + (uint64_t)bad),
		      (unsigned long long)area_off, bad, len,
		      ((const uint8_t *)buf)[bad],
		      t_pattern_byte(stream_off + (uint64_t)bad));
}

static int return_bufs(struct t_zcrx_rx *rx, size_t n, bool reverse,
		       bool recheck)
{
	struct io_uring_zcrx_rq *rq = &rx->z->ifq.rq;
	bool flushed = false;
	size_t done = 0;
	int ret;

	if (n > rx->nheld)
		n = rx->nheld;
	while (done < n) {
		struct t_zcrx_buf *b =
			&rx->held[reverse ? rx->nheld - 1 - done : done];

		if (recheck) {
			ret = check_bytes(rx, io_uring_zcrx_off_ptr(&rx->z->ifq,
								    b->area_off,
								    b->len),
					  b->stream_off, b->len, b->area_off,
					  "held buffer changed before its return");
			if (ret)
				return ret;
		}
		if (io_uring_zcrx_rq_add(rq, b->area_off, b->len)) {
			/*
			 * Full. A device queue's allocator drains the ring;
			 * a device-less ifq is drained by FLUSH_RQ.
			 */
			if (!rx->z->nodev || flushed)
				break;
			io_uring_zcrx_rq_commit(rq);
			ret = flush_rq(rx);
			if (ret)
				return ret;
			flushed = true;
			continue;
		}
		flushed = false;
		done++;
	}
	io_uring_zcrx_rq_commit(rq);
	rx->returned += done;
	if (!reverse)
		memmove(rx->held, rx->held + done,
			(rx->nheld - done) * sizeof(*rx->held));
	rx->nheld -= done;
	if (rx->flush && done) {
		ret = flush_rq(rx);
		if (ret)
			return ret;
	}
	return 0;
}

int t_zcrx_return(struct t_zcrx_rx *rx, size_t n, bool reverse)
{
	return return_bufs(rx, n, reverse, true);
}

/* One data CQE (res > 0). */
static int data_cqe(struct t_zcrx_rx *rx, const struct io_uring_cqe *cqe)
{
	const struct io_uring_zcrx_cqe *zc = (const void *)(cqe + 1);
	uint32_t buf_len = rx->z->ifq.rx_buf_len;
	uint64_t pos;
	void *buf;
	int len, ret;

	if (!(cqe->flags & IORING_CQE_F_MORE))
		return t_fail("data CQE (res %d) without IORING_CQE_F_MORE after %llu bytes",
			      cqe->res, (unsigned long long)rx->off);
	len = io_uring_zcrx_cqe_buf(&rx->z->ifq, cqe, &buf);
	if (len < 0)
		return t_fail("CQE res %d at area offset %#llx outside the area (token %#llx, %llu bytes)",
			      cqe->res, (unsigned long long)zc->off,
			      (unsigned long long)rx->z->ifq.area_token,
			      (unsigned long long)rx->z->ifq.area_len);
	pos = zc->off & ~IORING_ZCRX_AREA_MASK;
	if (pos % buf_len + (uint64_t)len > buf_len)
		return t_fail("CQE res %d at area offset %#llx crosses a %u-byte buffer",
			      len, (unsigned long long)zc->off, buf_len);
	/* the copy fallback fills a buffer from its start, one CQE each */
	if (pos % buf_len) {
		rx->mid_cqes++;
		rx->mid_bytes += (uint64_t)len;
	}
	if (zc->__pad)
		return t_fail("zcrx CQE __pad %#llx, want 0",
			      (unsigned long long)zc->__pad);
	if (rx->req_len && rx->req_bytes + (uint64_t)len > rx->req_len)
		return t_fail("request with len %u got %llu bytes",
			      rx->req_len,
			      (unsigned long long)(rx->req_bytes + (uint64_t)len));
	ret = check_bytes(rx, buf, rx->off, (uint32_t)len, zc->off,
			  "received data wrong");
	if (ret)
		return ret;
	ret = hold_buf(rx, zc->off, (uint32_t)len);
	if (ret)
		return ret;
	rx->req_bytes += (uint64_t)len;
	rx->off += (uint64_t)len;
	rx->cqes++;
	if ((uint32_t)len > rx->max_cqe)
		rx->max_cqe = (uint32_t)len;
	return 0;
}

static int handle_cqe(struct t_zcrx_rx *rx, const struct io_uring_cqe *cqe)
{
	if (cqe->user_data == T_ZCRX_EVENT_UD) {
		rx->event_cqes++;
		rx->events |= (uint32_t)cqe->res;
		return 0;
	}
	if (cqe->user_data != T_ZCRX_RECV_UD)
		return t_fail("CQE with unknown user_data %#llx (res %d)",
			      (unsigned long long)cqe->user_data, cqe->res);
	if (!rx->armed)
		return t_fail("RECV_ZC CQE (res %d, flags %#x) after its request ended",
			      cqe->res, cqe->flags);
	if (cqe->res > 0)
		return data_cqe(rx, cqe);
	if (cqe->flags & IORING_CQE_F_MORE)
		return t_fail("RECV_ZC CQE res %d with IORING_CQE_F_MORE", cqe->res);
	rx->armed = false;
	if (!cqe->res) {
		if (rx->req_len && rx->req_bytes == rx->req_len) {
			rx->len_end = true;
			rx->len_ends++;
		} else {
			rx->eof = true;
		}
		return 0;
	}
	if (cqe->res == -ENOSPC) {
		rx->enospc++;
		return 0;
	}
	if (cqe->res == -ENOMEM && rx->rearm_enomem) {
		rx->enomem++;
		return 0;
	}
	return t_fail("RECV_ZC ended with %s after %llu bytes (%llu in this request)",
		      t_errname(cqe->res), (unsigned long long)rx->off,
		      (unsigned long long)rx->req_bytes);
}

/* Handle every CQE ready. */
static int reap(struct t_zcrx_rx *rx)
{
	struct io_uring *ring = &rx->z->ring;
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;
	int ret = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		n++;
		ret = handle_cqe(rx, cqe);
		if (ret)
			break;
	}
	io_uring_cq_advance(ring, n);
	return ret;
}

static int wait_cqe(struct t_zcrx_rx *rx, int timeout_ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (long long)(timeout_ms % 1000) * 1000000,
	};
	struct io_uring_cqe *cqe;
	int ret;

	do {
		ret = io_uring_submit_and_wait_timeout(&rx->z->ring, &cqe, 1,
						       &ts, NULL);
	} while (ret == -EINTR);
	return ret < 0 ? ret : 0;
}

void t_zcrx_dump_ring(const struct t_zcrx *z)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", z->ring.ring_fd);
	f = fopen(path, "r");
	if (!f)
		return;
	fprintf(stderr, "--- %s\n", path);
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fclose(f);
}

int t_zcrx_recv(struct t_zcrx_rx *rx, uint64_t upto)
{
	int ret;

	rx->stalled = false;
	while (rx->off < upto && !rx->eof) {
		if (!rx->armed) {
			ret = t_zcrx_arm(rx);
			if (ret)
				return ret;
		}
		ret = wait_cqe(rx, rx->timeout_ms);
		if (ret == -ETIME) {
			if (rx->stall_ok) {
				rx->stalled = true;
				break;
			}
			ret = t_fail("no completion for %d ms after %llu bytes (%zu buffers, %llu bytes held; %llu requests, this one armed with len %u has %llu bytes; sq flags %#x)",
				     rx->timeout_ms,
				     (unsigned long long)rx->off, rx->nheld,
				     (unsigned long long)t_zcrx_held_bytes(rx),
				     (unsigned long long)rx->arms, rx->req_len,
				     (unsigned long long)rx->req_bytes,
				     IO_URING_READ_ONCE(*rx->z->ring.sq.kflags));
			t_zcrx_dump_ring(rx->z);
			return ret;
		}
		if (ret)
			return t_fail("waiting for CQEs: %s", strerror(-ret));
		{
			uint64_t enomem = rx->enomem;

			ret = reap(rx);
			if (ret)
				return ret;
			if (rx->enomem != enomem && rx->hold) {
				/* out of buffers while holding: a stall */
				rx->stalled = true;
				break;
			}
		}
		if (!rx->hold && rx->nheld && rx->nheld >= rx->lazy) {
			/* lazy: held across waits, so checked again */
			ret = return_bufs(rx, SIZE_MAX, rx->lazy > 0,
					  rx->lazy > 0);
			if (ret)
				return ret;
		}
		if (rx->len_end && !rx->rearm_len)
			break;
	}
	return 0;
}

int t_zcrx_fill_cq(struct t_zcrx_rx *rx, int timeout_ms)
{
	struct io_uring *ring = &rx->z->ring;
	struct timespec start, now;
	int ret;

	ret = t_zcrx_arm(rx);
	if (ret)
		return ret;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		ret = io_uring_get_events(ring);
		if (ret && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY)
			return t_fail("io_uring_get_events: %s", strerror(-ret));
		if (IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_CQ_OVERFLOW)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 > timeout_ms)
			return t_fail("no CQ overflow within %d ms (%u CQEs ready, CQ of %u)",
				      timeout_ms, io_uring_cq_ready(ring),
				      *ring->cq.kring_entries);
		usleep(10000);
	}
}

void t_zcrx_rx_stats(struct t_zcrx_rx *rx)
{
	uint64_t cqes, bytes;

	t_zcrx_stats_read(rx->z, &cqes, &bytes);
	rx->copy_cqes = cqes - rx->base.copy_cqes;
	rx->copy_bytes = bytes - rx->base.copy_bytes;
	rx->zc_known = rx->z->ring_up &&
		       !t_zcrx_zc_read(rx->z->ring.ring_fd,
				       rx->z->ifq.zcrx_id, &cqes, &bytes);
	/* a counter that appeared mid-way (cannot happen) counts from 0 */
	if (!rx->base.zc_known)
		rx->base.zc_cqes = rx->base.zc_bytes = 0;
	rx->zc_cqes = rx->zc_known ? cqes - rx->base.zc_cqes : 0;
	rx->zc_bytes = rx->zc_known ? bytes - rx->base.zc_bytes : 0;
}

void t_zcrx_rx_print(struct t_zcrx_rx *rx, const char *what)
{
	char zc[96];

	t_zcrx_rx_stats(rx);
	if (rx->zc_known)
		snprintf(zc, sizeof(zc), "%llu in %llu CQEs (%.1f%%)",
			 (unsigned long long)rx->zc_bytes,
			 (unsigned long long)rx->zc_cqes,
			 rx->off ? 100.0 * (double)rx->zc_bytes /
				   (double)rx->off : 0.0);
	else
		snprintf(zc, sizeof(zc), "not counted by the kernel");
	printf("%s: %llu bytes verified in %llu CQEs (%llu at an offset inside their buffer): zero-copy %s, copied %llu in %llu CQEs; %llu requests (%llu ENOSPC, %llu ENOMEM, %llu len), %llu buffers returned, %llu flushes, events %#x\n",
	       what, (unsigned long long)rx->off,
	       (unsigned long long)rx->cqes,
	       (unsigned long long)rx->mid_cqes, zc,
	       (unsigned long long)rx->copy_bytes,
	       (unsigned long long)rx->copy_cqes,
	       (unsigned long long)rx->arms,
	       (unsigned long long)rx->enospc,
	       (unsigned long long)rx->enomem,
	       (unsigned long long)rx->len_ends,
	       (unsigned long long)rx->returned,
	       (unsigned long long)rx->flushes, rx->events);
}

int t_zcrx_rx_check(struct t_zcrx_rx *rx, enum t_zcrx_path path,
		    const char *what)
{
	bool zc = path == T_ZCRX_ALL_ZC;

	t_zcrx_rx_print(rx, what);
	if (!rx->z->stats)
		return t_fail("%s: no zcrx_stats block to count copies in",
			      what);
	/* the kernel's copy count, against the CQEs and bytes seen */
	if (zc ? rx->copy_cqes || rx->copy_bytes :
		 rx->copy_cqes != rx->cqes || rx->copy_bytes != rx->off)
		return t_fail("%s: zcrx_stats count %llu copied CQEs with %llu bytes of the %llu CQEs with %llu bytes received; want %s",
			      what, (unsigned long long)rx->copy_cqes,
			      (unsigned long long)rx->copy_bytes,
			      (unsigned long long)rx->cqes,
			      (unsigned long long)rx->off,
			      zc ? "none (every byte on the bound queue, header split: the device wrote it)" :
				   "all (device-less: every byte is copied)");
	/* what the CQEs themselves show */
	if (!zc && rx->mid_cqes)
		return t_fail("%s: %llu copied CQEs start inside their buffer, but the copy fallback fills each buffer from its start",
			      what, (unsigned long long)rx->mid_cqes);
	if (!rx->zc_known) {
		if (!zc && !t_project_kernel())
			return 0;
		return t_lacks("%s: the kernel does not count zero-copy CQEs (no \"zcrx %u: zc_count N zc_bytes N\" line in the ring's /proc/self/fdinfo), so zero-copy cannot be told from copied",
			       what, rx->z->ifq.zcrx_id);
	}
	/* and the kernel's zero-copy count, independent of the copy count */
	if (rx->zc_cqes + rx->copy_cqes != rx->cqes ||
	    rx->zc_bytes + rx->copy_bytes != rx->off)
		return t_fail("%s: the kernel counts %llu zero-copy CQEs with %llu bytes and %llu copied with %llu bytes, but %llu CQEs with %llu bytes arrived",
			      what, (unsigned long long)rx->zc_cqes,
			      (unsigned long long)rx->zc_bytes,
			      (unsigned long long)rx->copy_cqes,
			      (unsigned long long)rx->copy_bytes,
			      (unsigned long long)rx->cqes,
			      (unsigned long long)rx->off);
	if (rx->mid_bytes > rx->zc_bytes)
		return t_fail("%s: %llu bytes in CQEs inside their buffers (never a copy), but only %llu counted zero-copy",
			      what, (unsigned long long)rx->mid_bytes,
			      (unsigned long long)rx->zc_bytes);
	return 0;
}

/* Stream end points */

int t_zcrx_nsim_setup(struct t_zcrx_nsim *n)
{
	struct t_rings r;
	int ret;

	memset(n, 0, sizeof(*n));
	ret = t_nsim_pair_create(&n->pair, T_ZCRX_NSIM_RXQ + 1);
	if (ret)
		return ret;
	n->ns = n->pair.netns[1];
	n->ifindex = n->pair.ifindex[1];
	n->rxq = T_ZCRX_NSIM_RXQ;
	ret = t_hds_enable(n->ns, n->ifindex);
	if (ret == -EOPNOTSUPP) {
		ret = t_lacks("netdevsim of this kernel cannot split headers (ethtool tcp-data-split: EOPNOTSUPP)");
		goto fail;
	}
	if (ret) {
		ret = t_fail("enabling header split on %s: %s",
			     n->pair.ifname[1], strerror(-ret));
		goto fail;
	}
	ret = t_rings_get(n->ns, n->ifindex, &r);
	if (ret) {
		ret = t_fail("ethtool rings get of %s: %s", n->pair.ifname[1],
			     strerror(-ret));
		goto fail;
	}
	if (!r.has_thresh) {
		ret = t_lacks("kernel without the ethtool hds-thresh ring parameter");
		goto fail;
	}
	if (r.split != ETHTOOL_TCP_DATA_SPLIT_ENABLED || r.thresh) {
		ret = t_fail("after enabling header split on %s: tcp-data-split %u, hds-thresh %u",
			     n->pair.ifname[1], r.split, r.thresh);
		goto fail;
	}
	/* As on a real NIC: the receiver's ntuple rule picks the queue. */
	if (t_run("ip netns exec %s ethtool -N %s flow-type tcp4 dst-ip %s action %d",
		  n->ns, n->pair.ifname[1], n->pair.addr[1], T_ZCRX_NSIM_RXQ)) {
		ret = t_fail("steering TCP to %s to queue %d with ethtool -N",
			     n->pair.addr[1], T_ZCRX_NSIM_RXQ);
		goto fail;
	}
	printf("%s (ifindex %d in %s): header split on, hds-thresh 0, TCP to %s steered to queue %d\n",
	       n->pair.ifname[1], n->ifindex, n->ns, n->pair.addr[1],
	       T_ZCRX_NSIM_RXQ);
	return 0;
fail:
	t_nsim_pair_destroy(&n->pair);
	return ret;
}

void t_zcrx_nsim_dump(const struct t_zcrx_nsim *n, pid_t sender)
{
	int i;

	fflush(stdout);
	for (i = 0; i < 2; i++) {
		fprintf(stderr, "--- side %d: %s in %s\n", i, n->pair.ifname[i],
			n->pair.netns[i]);
		t_run("ip -n %s -s link show dev %s >&2", n->pair.netns[i],
		      n->pair.ifname[i]);
	}
	i = t_netns_visit(n->ns);
	if (i >= 0) {
		fprintf(stderr, "--- receiver's /proc/net/tcp\n");
		t_run("cat /proc/net/tcp >&2");
		t_netns_leave(i);
	}
	if (sender > 0) {
		fprintf(stderr, "--- sender's /proc/net/tcp and netstat\n");
		t_run("cat /proc/%d/net/tcp >&2", (int)sender);
		t_run("grep -A1 TcpExt: /proc/%d/net/netstat | cut -c1-400 >&2",
		      (int)sender);
	}
}

void t_zcrx_nsim_cleanup(struct t_zcrx_nsim *n)
{
	t_nsim_pair_destroy(&n->pair);
}

int t_zcrx_case_end(int ret, const struct t_zcrx_nsim *n, struct t_stream *s,
		    struct t_zcrx_rx *rx, struct t_zcrx *z)
{
	if (ret == T_EXIT_FAIL)
		t_zcrx_nsim_dump(n, s->sender);
	t_stream_abort(s);
	t_zcrx_rx_free(rx);
	t_zcrx_cleanup(z);
	return ret;
}

int t_zcrx_recv_stream(struct t_zcrx_rx *rx, struct t_stream *s,
		       const struct t_zcrx_nsim *n, uint16_t port,
		       uint64_t total, const char *what)
{
	int ret = t_stream_start(s, &n->pair, port, total);

	if (ret)
		return ret;
	rx->fd = s->fd;
	ret = t_zcrx_recv(rx, UINT64_MAX);
	if (ret)
		return ret;
	if (!rx->eof || rx->off != total)
		return t_fail("%s: stream ended after %llu bytes (eof %d), sent %llu",
			      what, (unsigned long long)rx->off, rx->eof,
			      (unsigned long long)total);
	ret = t_stream_finish(s);
	s->sender = 0;
	return ret;
}

int t_zcrx_nsim_run(const t_zcrx_nsim_case *cases)
{
	struct t_zcrx_nsim n;
	int ret;

	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	for (; *cases && ret == T_EXIT_PASS; cases++)
		ret = (*cases)(&n);
	t_zcrx_nsim_cleanup(&n);
	return ret;
}

int t_zcrx_lo_pair(struct t_nsim_pair *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->netns[0], sizeof(p->netns[0]), "zcrx-%d-lo", getpid());
	if (t_run("ip netns add %s", p->netns[0]) ||
	    t_run("ip -n %s link set dev lo up", p->netns[0])) {
		t_nsim_pair_destroy(p);
		return t_fail("setting up loopback in netns %s", p->netns[0]);
	}
	/* both sides in the one namespace: destroy deletes it once */
	strcpy(p->ifname[0], "lo");
	strcpy(p->ifname[1], "lo");
	strcpy(p->addr[0], "127.0.0.1");
	strcpy(p->addr[1], "127.0.0.1");
	memcpy(p->netns[1], p->netns[0], sizeof(p->netns[0]));
	return 0;
}

int t_zcrx_veth_pair(struct t_nsim_pair *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 2; i++) {
		snprintf(p->netns[i], sizeof(p->netns[i]), "zcrx-%d-v%c",
			 getpid(), 'a' + i);
		snprintf(p->ifname[i], sizeof(p->ifname[i]), "zv%c", 'a' + i);
		snprintf(p->addr[i], sizeof(p->addr[i]), "192.0.2.%d", i + 1);
		if (t_run("ip netns add %s", p->netns[i]))
			goto fail;
	}
	if (t_run("ip -n %s link add %s type veth peer name %s netns %s",
		  p->netns[0], p->ifname[0], p->ifname[1], p->netns[1]))
		goto fail;
	for (i = 0; i < 2; i++)
		if (t_run("ip -n %s addr add %s/24 dev %s", p->netns[i],
			  p->addr[i], p->ifname[i]) ||
		    t_run("ip -n %s link set dev %s up", p->netns[i],
			  p->ifname[i]))
			goto fail;
	return 0;
fail:
	t_nsim_pair_destroy(p);
	return t_fail("setting up a veth pair between two netns");
}

int t_zcrx_stream_start(struct t_stream *s, const struct t_nsim_pair *p,
			uint16_t port, t_zcrx_sender_fn fn, void *arg)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int self, one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = s->listen_fd = -1;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || t_netns_enter(p->netns[1]))
		return t_fail("enter %s", p->netns[1]);
	inet_pton(AF_INET, p->addr[1], &addr.sin_addr);
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd >= 0)
		setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
			   sizeof(one));
	if (s->listen_fd < 0 ||
	    bind(s->listen_fd, (void *)&addr, sizeof(addr)) ||
	    listen(s->listen_fd, 1))
		return t_fail("listen on %s:%u: %s", p->addr[1], port,
			      strerror(errno));
	t_check(!setns(self, CLONE_NEWNET), "back to own netns");
	close(self);

	s->sender = fork();
	if (s->sender < 0)
		return t_fail("fork: %s", strerror(errno));
	if (!s->sender) {
		int fd, tries;

		if (t_netns_enter(p->netns[0]))
			_exit(t_fail("sender: enter %s", p->netns[0]));
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			_exit(t_fail("sender: socket: %s", strerror(errno)));
		for (tries = 0; connect(fd, (void *)&addr, sizeof(addr));
		     tries++) {
			if (tries == 50)
				_exit(t_fail("sender: connect: %s",
					     strerror(errno)));
			usleep(100000);
		}
		_exit(fn(fd, arg));
	}
	s->fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (s->fd < 0)
		return t_fail("accept: %s", strerror(errno));
	return 0;
}
