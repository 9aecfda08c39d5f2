/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcrx-refill-bench: the cost, in instructions per buffer, of liburing-ext's
 * per-buffer receive-and-return path, counted with callgrind.
 *
 *   zcrx-refill-bench              native: wall time per buffer
 *   zcrx-refill-bench.sh [PROG]    under callgrind: instructions per buffer
 *
 * Everything is in user memory, no kernel involved: a 64 MiB area of
 * 4 KiB buffers, a refill ring of 4096 entries laid out as the kernel maps
 * it (head at 0, tail at 64, entries at 128) and NR_BUFS synthetic 32-byte
 * RECV_ZC CQEs. For each batch size, the receiver turns each CQE into a
 * pointer and a length (io_uring_zcrx_cqe_buf()), reads one byte of the
 * buffer, and gives buffers back in batches: "add+commit" queues each with
 * io_uring_zcrx_rq_add() and publishes the batch with one
 * io_uring_zcrx_rq_commit(); "return_many" collects the batch's entries in
 * an array and hands it to io_uring_zcrx_rq_return_many(); "fast" is the
 * batch fast path: one io_uring_zcrx_rq_reserve() per batch, then per
 * buffer a check of cqe->res, io_uring_zcrx_cqe_ptr() and
 * io_uring_zcrx_rq_add_unchecked(), and one commit; "put+advance" the
 * buffer-ring style path: one reserve per batch, per buffer the res check,
 * io_uring_zcrx_cqe_ptr() and io_uring_zcrx_rq_put(), one
 * io_uring_zcrx_rq_advance(). "baseline" is the receiver's own loop with
 * no helper and no return (res check, pointer, one-byte read), which
 * zcrx-refill-bench.sh subtracts to give the helpers' share. Between batches
 * the "kernel" consumes the ring with one plain store to *khead, so the
 * ring never fills; that store (about two instructions per batch) is in
 * the count.
 *
 * Under valgrind each measured run is bracketed by CALLGRIND_ZERO_STATS and
 * CALLGRIND_DUMP_STATS_AT("MODE batch B"); zcrx-refill-bench.sh divides
 * each dump's instruction total by NR_BUFS.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <liburing-ext.h>
#include <valgrind/callgrind.h>

#include "bench.h"

#define AREA_LEN	(64UL << 20)
#define BUF_SHIFT	12
#define NR_AREA_BUFS	(AREA_LEN >> BUF_SHIFT)
#define RQ_ENTRIES	4096U
#define RQ_HDR		128U
#define NR_BUFS		65536U
#define AREA_ID		0ULL
#define MAX_BATCH	128U

/* A 32-byte CQE as a CQE32 ring holds it. */
struct cqe32 {
	struct io_uring_cqe cqe;
	struct io_uring_zcrx_cqe zcqe;
};

static struct io_uring_zcrx_ifq ifq;
static struct cqe32 *cqes;
static char *ring_mem;

static const unsigned int batches[] = { 1, 8, 32, 128 };

enum mode { ADD_COMMIT, RETURN_MANY, FAST, PUT, BASELINE, NR_MODES };
static const char *const mode_name[NR_MODES] = {
	"add+commit", "return_many", "fast", "put+advance", "baseline"
};

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void setup(void)
{
	unsigned int i;

	ifq.area_base = map(AREA_LEN);
	ifq.area_len = AREA_LEN;
	ifq.area_token = AREA_ID << IORING_ZCRX_AREA_SHIFT;
	ifq.rx_buf_len = 1U << BUF_SHIFT;

	ring_mem = map(RQ_HDR + RQ_ENTRIES * sizeof(struct io_uring_zcrx_rqe));
	ifq.rq.ring_ptr = ring_mem;
	ifq.rq.khead = (__u32 *)(ring_mem + 0);
	ifq.rq.ktail = (__u32 *)(ring_mem + 64);
	ifq.rq.rqes = (struct io_uring_zcrx_rqe *)(ring_mem + RQ_HDR);
	ifq.rq.ring_entries = RQ_ENTRIES;

	cqes = map(NR_BUFS * sizeof(*cqes));
	for (i = 0; i < NR_BUFS; i++) {
		__u64 index = i % NR_AREA_BUFS;
		__u32 inoff = (i * 64) & ((1U << BUF_SHIFT) - 1);

		cqes[i].cqe.user_data = 1;
		cqes[i].cqe.res = (int)((1U << BUF_SHIFT) - inoff);
		cqes[i].cqe.flags = IORING_CQE_F_MORE;
		cqes[i].zcqe.off = (AREA_ID << IORING_ZCRX_AREA_SHIFT) |
				   (index << BUF_SHIFT) | inoff;
	}
}

/* The kernel's side: take every published entry. A plain store. */
static inline void kernel_consume(void)
{
	*ifq.rq.khead = *ifq.rq.ktail;
}

static void die_cqe(unsigned int i, int ret)
{
	fprintf(stderr, "cqe %u: %d\n", i, ret);
	exit(1);
}

/* Receive NR_BUFS buffers, returning them in batches of @batch. */
static __attribute__((noinline)) void run_add_commit(unsigned int batch)
{
	const struct cqe32 *c = cqes;
	unsigned int i, j, n;

	for (i = 0; i < NR_BUFS; i += n) {
		n = NR_BUFS - i < batch ? NR_BUFS - i : batch;
		for (j = 0; j < n; j++, c++) {
			void *buf;
			int len = io_uring_zcrx_cqe_buf(&ifq, &c->cqe, &buf);

			if (len <= 0)
				die_cqe(i + j, len);
			(void)*(volatile char *)buf;
			if (io_uring_zcrx_rq_add(&ifq.rq,
					io_uring_zcrx_cqe_off(&c->cqe), len))
				die_cqe(i + j, -ENOBUFS);
		}
		io_uring_zcrx_rq_commit(&ifq.rq);
		kernel_consume();
	}
}

static __attribute__((noinline)) void run_return_many(unsigned int batch)
{
	struct io_uring_zcrx_rqe bufs[MAX_BATCH];
	const struct cqe32 *c = cqes;
	unsigned int i, j, n;

	for (i = 0; i < NR_BUFS; i += n) {
		n = NR_BUFS - i < batch ? NR_BUFS - i : batch;
		for (j = 0; j < n; j++, c++) {
			void *buf;
			int len = io_uring_zcrx_cqe_buf(&ifq, &c->cqe, &buf);

			if (len <= 0)
				die_cqe(i + j, len);
			(void)*(volatile char *)buf;
			bufs[j].off = io_uring_zcrx_cqe_off(&c->cqe);
			bufs[j].len = (__u32)len;
		}
		if (io_uring_zcrx_rq_return_many(&ifq.rq, bufs, n) != n)
			die_cqe(i, -ENOBUFS);
		kernel_consume();
	}
}

/*
 * The fast path: space reserved once per batch, no per-buffer checks but
 * cqe->res > 0 and the one compare of io_uring_zcrx_cqe_ptr().
 */
static __attribute__((noinline)) void run_fast(unsigned int batch)
{
	const struct cqe32 *c = cqes;
	unsigned int i, j, n;

	for (i = 0; i < NR_BUFS; i += n) {
		n = NR_BUFS - i < batch ? NR_BUFS - i : batch;
		if (io_uring_zcrx_rq_reserve(&ifq.rq, n) != n)
			die_cqe(i, -ENOBUFS);
		for (j = 0; j < n; j++, c++) {
			int len = c->cqe.res;
			void *buf;

			if (len <= 0)
				die_cqe(i + j, len);
			buf = io_uring_zcrx_cqe_ptr(&ifq, &c->cqe);
			if (!buf)
				die_cqe(i + j, -ERANGE);
			(void)*(volatile char *)buf;
			io_uring_zcrx_rq_add_unchecked(&ifq.rq,
					io_uring_zcrx_cqe_off(&c->cqe), len);
		}
		io_uring_zcrx_rq_commit(&ifq.rq);
		kernel_consume();
	}
}

/*
 * The buffer-ring style fast path: space reserved once per batch, per
 * buffer the cqe->res check, io_uring_zcrx_cqe_ptr() and
 * io_uring_zcrx_rq_put(), one io_uring_zcrx_rq_advance().
 */
static __attribute__((noinline)) void run_put(unsigned int batch)
{
	unsigned int mask = io_uring_zcrx_rq_mask(&ifq.rq);
	const struct cqe32 *c = cqes;
	unsigned int i, j, n;

	for (i = 0; i < NR_BUFS; i += n) {
		n = NR_BUFS - i < batch ? NR_BUFS - i : batch;
		if (io_uring_zcrx_rq_reserve(&ifq.rq, n) != n)
			die_cqe(i, -ENOBUFS);
		for (j = 0; j < n; j++, c++) {
			void *buf;

			if (c->cqe.res <= 0)
				die_cqe(i + j, c->cqe.res);
			buf = io_uring_zcrx_cqe_ptr(&ifq, &c->cqe);
			if (!buf)
				die_cqe(i + j, -ERANGE);
			(void)*(volatile char *)buf;
			io_uring_zcrx_rq_put(&ifq.rq, io_uring_zcrx_cqe_off(&c->cqe),
					     mask, j);
		}
		io_uring_zcrx_rq_advance(&ifq.rq, n);
		kernel_consume();
	}
}

/*
 * What a receiver does with no helper at all and no buffer return: the
 * res check, the pointer from the offset (unchecked), the one-byte read,
 * the loops. Subtracted from the others, it leaves the helpers' cost.
 */
static __attribute__((noinline)) void run_baseline(unsigned int batch)
{
	const struct cqe32 *c = cqes;
	unsigned int i, j, n;

	for (i = 0; i < NR_BUFS; i += n) {
		n = NR_BUFS - i < batch ? NR_BUFS - i : batch;
		for (j = 0; j < n; j++, c++) {
			if (c->cqe.res <= 0)
				die_cqe(i + j, c->cqe.res);
			(void)*(volatile char *)(ifq.area_base +
				(c->zcqe.off & ~IORING_ZCRX_AREA_MASK));
		}
	}
	/* the ring as verify() expects it, outside the measured loop */
}

static void run(enum mode m, unsigned int batch)
{
	switch (m) {
	case ADD_COMMIT:
		run_add_commit(batch);
		break;
	case RETURN_MANY:
		run_return_many(batch);
		break;
	case FAST:
		run_fast(batch);
		break;
	case PUT:
		run_put(batch);
		break;
	default:
		run_baseline(batch);
		break;
	}
}

/* What the kernel would find: every buffer returned, the last ones last. */
static int verify(enum mode m, __u32 start)
{
	unsigned int i;

	/* the baseline returns nothing */
	if (m == BASELINE)
		return 0;
	if (*ifq.rq.ktail - start != NR_BUFS || ifq.rq.rq_tail != *ifq.rq.ktail ||
	    *ifq.rq.khead != *ifq.rq.ktail) {
		fprintf(stderr, "ring: %u returned, want %u\n",
			*ifq.rq.ktail - start, NR_BUFS);
		return -1;
	}
	for (i = NR_BUFS - MAX_BATCH; i < NR_BUFS; i++) {
		const struct io_uring_zcrx_rqe *rqe =
			&ifq.rq.rqes[(start + i) & (RQ_ENTRIES - 1)];

		/* put+advance leaves len, which the kernel ignores, 0 */
		__u32 len = m == PUT ? 0 : (__u32)cqes[i].cqe.res;

		if (rqe->off != cqes[i].zcqe.off || rqe->len != len ||
		    rqe->__pad) {
			fprintf(stderr, "entry %u: off %#llx len %u\n", i,
				(unsigned long long)rqe->off, rqe->len);
			return -1;
		}
	}
	return 0;
}

int main(void)
{
	bool valgrind = RUNNING_ON_VALGRIND;
	unsigned int m, b;
	char name[64];

	setup();
	if (!valgrind)
		printf("%u buffers of %u bytes at most, refill ring of %u entries; "
		       "native wall time (zcrx-refill-bench.sh counts instructions)\n",
		       NR_BUFS, 1U << BUF_SHIFT, RQ_ENTRIES);
	for (m = 0; m < NR_MODES; m++) {
		for (b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
			unsigned int batch = batches[b];
			__u32 start = ifq.rq.rq_tail;
			double t0, t;

			/* the same run once before, to warm caches natively */
			if (!valgrind) {
				run(m, batch);
				start = ifq.rq.rq_tail;
			}
			snprintf(name, sizeof(name), "%s batch %u",
				 mode_name[m], batch);
			t0 = bench_now();
			CALLGRIND_ZERO_STATS;
			run(m, batch);
			CALLGRIND_DUMP_STATS_AT(name);
			t = bench_now() - t0;
			if (verify((enum mode)m, start))
				return 1;
			if (!valgrind)
				printf("%-24s %6.2f ns per buffer\n", name,
				       t * 1e9 / NR_BUFS);
		}
	}
	return 0;
}
