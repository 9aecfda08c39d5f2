/* SPDX-License-Identifier: MIT */
/*
 * zcrx test helpers: a ring set up for zcrx, an ifq registered with
 * liburing-ext's io_uring_zcrx_ifq_setup() with a zcrx_stats block (event
 * descriptor FLAG_STATS) in its refill region, the netdevsim, loopback
 * and veth set-ups the data tests receive over, and a RECV_ZC receive
 * loop that checks every byte against the stream pattern (helpers.h
 * t_pattern_*), gives buffers back through the refill ring, re-arms the
 * multishot request after ENOSPC and counts what it saw.
 *
 * Functions returning int give 0, T_EXIT_SKIP or T_EXIT_FAIL (reported)
 * unless said to return a negative errno. T_EXIT_SKIP (a missing kernel
 * feature) is T_EXIT_FAIL on the project's kernel (t_lacks()).
 */
#ifndef ZCRX_TEST_ZCRX_H
#define ZCRX_TEST_ZCRX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <liburing-ext.h>

#include "helpers.h"

/* user_data of RECV_ZC requests armed by t_zcrx_arm() */
#define T_ZCRX_RECV_UD		0x7a6372785f7276ULL	/* "zcrx_rv" */
/* user_data of zcrx event CQEs (event_desc.user_data), should any come */
#define T_ZCRX_EVENT_UD		0x7a6372785f6576ULL	/* "zcrx_ev" */

/* Ring flags zcrx needs (6.12: no CQE_MIXED). */
#define T_ZCRX_RING_FLAGS	(IORING_SETUP_DEFER_TASKRUN |		\
				 IORING_SETUP_SINGLE_ISSUER |		\
				 IORING_SETUP_CQE32)

/*
 * Whether the kernel has what the data tests need: zcrx (answered by
 * IORING_REGISTER_QUERY) and with @nodev ZCRX_REG_NODEV. 0, or
 * T_EXIT_SKIP with the reason printed. Whether it reports
 * ZCRX_FEATURE_EVENT is noted for t_zcrx_setup_checked().
 */
int t_zcrx_require(bool nodev);
/* t_zcrx_require(false), and IORING_ZCRX_AREA_DMABUF in area_flags. */
int t_zcrx_require_dmabuf(void);
/* t_zcrx_require(false), and @feature (ZCRX_FEATURE_*, named @name). */
int t_zcrx_require_feature(__u32 feature, const char *name);

/*
 * A ring with T_ZCRX_RING_FLAGS, @sq entries and (@cq non-zero) a CQ of
 * @cq entries (IORING_SETUP_CQSIZE). 0 or -errno.
 */
int t_zcrx_ring_init(struct io_uring *ring, unsigned int sq, unsigned int cq);

struct t_zcrx_opts {
	const char *ns;		/* netns to register in (NULL: the current) */
	unsigned int ifindex;	/* 0 with nodev */
	unsigned int rxq;
	bool nodev;		/* ZCRX_REG_NODEV */
	size_t area_len;	/* default 32 MiB */
	/*
	 * enum io_uring_zcrx_area_type, default IO_URING_ZCRX_AREA_ANON; a
	 * udmabuf or dma-heap area is registered as a dma-buf area and read
	 * through the dma-buf's mmap
	 */
	int area_type;
	/* with IO_URING_ZCRX_AREA_DMA_HEAP: /dev/dma_heap/heap, not system */
	const char *heap;
	unsigned int rq_entries; /* default: one per area buffer, <= 32768 */
	__u32 rx_buf_len;	/* 0: the page size */
	unsigned int sq_entries; /* default 64 */
	unsigned int cq_entries; /* default 4096 */
	int rq_mem;		/* enum io_uring_zcrx_rq_mem */
	/*
	 * No event descriptor; default: event_flags
	 * ZCRX_EVENT_DESC_FLAG_STATS (event_mask 0: no event CQEs), so that
	 * liburing-ext puts a zcrx_stats block in the refill region.
	 */
	bool no_stats;
};

struct t_zcrx {
	struct io_uring ring;
	struct io_uring_zcrx_area area;
	struct io_uring_zcrx_ifq ifq;
	/* ifq.stats, in the refill region; NULL with no_stats */
	volatile struct zcrx_stats *stats;
	bool nodev;
	bool ring_up;
};

/*
 * Ring, area (of o->area_type, not inherited by fork()ed children),
 * and ifq. Returns 0 or -errno (not reported); everything made is undone
 * on failure.
 */
int t_zcrx_setup(struct t_zcrx *z, const struct t_zcrx_opts *o);
/*
 * t_zcrx_setup() for tests that need it to work: 0, T_EXIT_FAIL (reported,
 * @what naming the registration), or T_EXIT_SKIP when the registration of
 * the statistics block failed (EINVAL, EOPNOTSUPP) on a kernel that
 * t_zcrx_require() found without ZCRX_FEATURE_EVENT.
 */
int t_zcrx_setup_checked(struct t_zcrx *z, const struct t_zcrx_opts *o,
			 const char *what);
/* Ring exit first, then the refill mapping and the area. Idempotent. */
void t_zcrx_cleanup(struct t_zcrx *z);
/* ZCRX_CTRL_FLUSH_RQ: 0 or -errno. */
int t_zcrx_flush_rq(struct t_zcrx *z);
/* The statistics block now (zeros with no_stats). */
void t_zcrx_stats_read(const struct t_zcrx *z, uint64_t *copy_count,
		       uint64_t *copy_bytes);
/*
 * The kernel's own count of zero-copy CQEs of ifq @zcrx_id of ring
 * @ring_fd and of their bytes: CQEs that point at data the device wrote
 * into an area buffer, never at a copy. Counted apart from zcrx_stats
 * (which counts only copies), in io_zcrx_recv_frag() where such a CQE is
 * posted, and shown in the ring's /proc/self/fdinfo as one line per ifq:
 *	zcrx <id>: zc_count <CQEs> zc_bytes <bytes>
 * 0, or -ENOENT when the kernel shows no such line (or -errno).
 */
int t_zcrx_zc_read(int ring_fd, unsigned int zcrx_id, uint64_t *zc_count,
		   uint64_t *zc_bytes);
/*
 * One counter of that fdinfo line, by name ("copy_refused": chunks of
 * data a dma-buf area could not take, as the CPU cannot copy into it).
 * 0, -ENOENT without the line, -ENODATA without the counter, or -errno.
 */
int t_zcrx_fdinfo_field(int ring_fd, unsigned int zcrx_id, const char *key,
			uint64_t *val);

/* A received buffer not yet given back. */
struct t_zcrx_buf {
	uint64_t area_off;	/* offset from the CQE (area id included) */
	uint64_t stream_off;	/* where its bytes are in the stream */
	uint32_t len;
};

/*
 * Receiving a stream of t_pattern_byte() with RECV_ZC. Every data CQE is
 * checked (offset inside the area and inside one buffer, bytes equal to
 * the pattern at its stream offset) and its buffer kept in held[] until
 * returned; buffers are checked again when returned, so a buffer the
 * kernel reused while the user held it is caught.
 */
struct t_zcrx_rx {
	/* set by the caller (t_zcrx_rx_init() sets defaults) */
	struct t_zcrx *z;
	int fd;
	unsigned int len;	/* RECV_ZC len of each (re-)arm, 0 no limit */
	bool hold;		/* keep buffers until t_zcrx_return() */
	unsigned int lazy;	/* !hold: return when this many are held,
				 * newest first (0: after every CQE batch) */
	bool flush;		/* ZCRX_CTRL_FLUSH_RQ after returning */
	bool rearm_len;		/* re-arm after a request ended at len,
				 * else t_zcrx_recv() returns (len_end) */
	bool rearm_enomem;	/* a request ending with -ENOMEM is counted
				 * and re-armed (with hold: t_zcrx_recv()
				 * returns, stalled) instead of failing */
	bool stall_ok;		/* no CQE for timeout_ms: return, stalled */
	bool noverify;		/* skip the byte checks */
	int timeout_ms;		/* default 30000 */
	/* results */
	uint64_t off;		/* stream bytes received (and verified) */
	uint64_t cqes;		/* data CQEs */
	uint32_t max_cqe;	/* bytes of the largest */
	uint64_t arms;		/* RECV_ZC requests submitted */
	uint64_t enospc;	/* requests ended by a full CQ (re-armed) */
	uint64_t enomem;	/* requests ended with -ENOMEM */
	uint64_t len_ends;	/* requests ended after exactly len bytes */
	uint64_t returned;	/* buffers put in the refill ring */
	uint64_t flushes;	/* FLUSH_RQ calls */
	uint64_t event_cqes;	/* zcrx event CQEs */
	uint32_t events;	/* their res, or-ed: 1 << ZCRX_EVENT_* */
	uint64_t req_bytes;	/* bytes of the current (or last) request */
	unsigned int req_len;	/* its len */
	bool armed, eof, len_end, stalled;
	/* data CQEs that start inside their buffer: never a copy */
	uint64_t mid_cqes, mid_bytes;
	/* filled by t_zcrx_rx_stats() */
	uint64_t copy_cqes, copy_bytes, zc_cqes, zc_bytes;
	bool zc_known;
	/* the ifq's counters when t_zcrx_rx_init() ran */
	struct {
		uint64_t copy_cqes, copy_bytes, zc_cqes, zc_bytes;
		bool zc_known;
	} base;
	/* buffers received and not yet in the refill ring, oldest first */
	struct t_zcrx_buf *held;
	size_t nheld, held_cap;
};

void t_zcrx_rx_init(struct t_zcrx_rx *rx, struct t_zcrx *z, int fd);
void t_zcrx_rx_free(struct t_zcrx_rx *rx);
/* Submit a RECV_ZC with rx->len: 0 or T_EXIT_FAIL. */
int t_zcrx_arm(struct t_zcrx_rx *rx);
/*
 * Receive until rx->off reaches @upto, EOF (rx->eof), a request ended
 * at len without rearm_len (rx->len_end), or a stall when allowed
 * (rx->stalled). Arms a request when none is armed. 0 or T_EXIT_FAIL.
 */
int t_zcrx_recv(struct t_zcrx_rx *rx, uint64_t upto);
/*
 * Give up to @n held buffers back (SIZE_MAX: all), oldest first, or
 * newest first with @reverse, checking their bytes again; publish them,
 * and with rx->flush (or a full ring of a device-less ifq) FLUSH_RQ,
 * which must leave the refill ring empty (kernel head == tail). Buffers
 * that do not fit in the refill ring stay held. 0 or T_EXIT_FAIL.
 */
int t_zcrx_return(struct t_zcrx_rx *rx, size_t n, bool reverse);
/* Bytes held by the user (received, not yet returned). */
uint64_t t_zcrx_held_bytes(const struct t_zcrx_rx *rx);
/*
 * For CQ overflow: arm a request and run task work (GETEVENTS, no
 * reaping) until the kernel flags a CQ overflow. 0 or T_EXIT_FAIL.
 */
int t_zcrx_fill_cq(struct t_zcrx_rx *rx, int timeout_ms);
/* The ring's /proc/self/fdinfo (SQ/CQ state, overflow list) to stderr. */
void t_zcrx_dump_ring(const struct t_zcrx *z);
/*
 * What this receive added to the ifq's counters: copy_cqes/copy_bytes from
 * the stats block, zc_cqes/zc_bytes from the kernel's own zero-copy count
 * (t_zcrx_zc_read(); zc_known false when the kernel has none). The two
 * are counted apart, so that one can be checked against the other and
 * against the CQEs.
 */
void t_zcrx_rx_stats(struct t_zcrx_rx *rx);
/* One line: what, bytes total, zero-copy, copied, CQEs, re-arms, events. */
void t_zcrx_rx_print(struct t_zcrx_rx *rx, const char *what);

enum t_zcrx_path {
	T_ZCRX_ALL_ZC,		/* netdevsim, bound queue, header split */
	T_ZCRX_ALL_COPIED,	/* device-less */
};

/*
 * Print the line, then the one right answer for a receive that is over
 * (every CQE reaped): with T_ZCRX_ALL_ZC the kernel counts no copy and
 * every CQE and byte zero-copy; with T_ZCRX_ALL_COPIED every CQE and byte
 * copied, none zero-copy, and no CQE starts inside its buffer (the copy
 * fallback fills a buffer from its start). Zero-copy and copied must add
 * up to what the CQEs brought. Without the kernel's zero-copy count:
 * T_EXIT_FAIL on the project's kernel; elsewhere a skip for
 * T_ZCRX_ALL_ZC (zero-copy cannot be shown), and the copy checks alone
 * for T_ZCRX_ALL_COPIED. 0, T_EXIT_SKIP or T_EXIT_FAIL.
 */
int t_zcrx_rx_check(struct t_zcrx_rx *rx, enum t_zcrx_path path,
		    const char *what);

/*
 * A netdevsim pair with 2 queues per port, header split on and
 * hds-thresh 0 on the receiver (side 1), and an ntuple rule there
 * (ethtool -N ... action T_ZCRX_NSIM_RXQ) steering TCP to its address to
 * rx queue T_ZCRX_NSIM_RXQ: the queue to bind.
 */
#define T_ZCRX_NSIM_RXQ	1

struct t_zcrx_nsim {
	struct t_nsim_pair pair;
	const char *ns;		/* receiver's namespace */
	int ifindex;		/* receiver's device, in ns */
	unsigned int rxq;	/* T_ZCRX_NSIM_RXQ */
};

int t_zcrx_nsim_setup(struct t_zcrx_nsim *n);
/* For failures: link statistics of both ports, the sender's TCP state. */
void t_zcrx_nsim_dump(const struct t_zcrx_nsim *n, pid_t sender);
void t_zcrx_nsim_cleanup(struct t_zcrx_nsim *n);

/*
 * The end of a case that received stream @s with @rx on @z over @n: on
 * failure @n's state is dumped, then the stream is aborted (a sender
 * still running killed, its sockets closed) and @rx and @z are freed.
 * Returns @ret.
 */
int t_zcrx_case_end(int ret, const struct t_zcrx_nsim *n, struct t_stream *s,
		    struct t_zcrx_rx *rx, struct t_zcrx *z);

/*
 * Stream @total bytes over @n's pair on @port (t_stream_start()) and
 * receive all of them with @rx, which the caller set up: 0 once EOF came
 * after exactly @total bytes and the sender finished cleanly, else
 * T_EXIT_FAIL (reported, @what naming the receive). Either way @s is for
 * t_zcrx_case_end().
 */
int t_zcrx_recv_stream(struct t_zcrx_rx *rx, struct t_stream *s,
		       const struct t_zcrx_nsim *n, uint16_t port,
		       uint64_t total, const char *what);

/*
 * main() of a test made of cases on one t_zcrx_nsim pair: t_zcrx_require(),
 * t_zcrx_nsim_setup(), then each case of the NULL-terminated @cases until
 * one does not pass, then the pair's cleanup. Returns the exit status.
 */
typedef int (*t_zcrx_nsim_case)(const struct t_zcrx_nsim *n);
int t_zcrx_nsim_run(const t_zcrx_nsim_case *cases);

/*
 * Stream end points without netdevsim, in t_nsim_pair form (dev_id 0) for
 * t_stream_start() and t_nsim_pair_destroy(): loopback in one new netns
 * (both sides 127.0.0.1), or a veth pair between two netns (192.0.2.1
 * sending, 192.0.2.2 receiving).
 */
int t_zcrx_lo_pair(struct t_nsim_pair *p);
int t_zcrx_veth_pair(struct t_nsim_pair *p);

/*
 * Like t_stream_start() with a sender of one's own: the child connects
 * from side 0 and runs @fn(connected fd, @arg); its return value is the
 * child's exit status (T_EXIT_PASS when all went well).
 */
typedef int (*t_zcrx_sender_fn)(int fd, void *arg);
int t_zcrx_stream_start(struct t_stream *s, const struct t_nsim_pair *p,
			uint16_t port, t_zcrx_sender_fn fn, void *arg);

#endif
