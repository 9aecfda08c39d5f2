/* SPDX-License-Identifier: MIT */
/*
 * Description: a zcrx program written only against upstream liburing
 * 2.15's API, as liburing's own examples/zcrx.c is written, builds
 * unchanged with liburing-ext on any liburing (2.3, 2.9, 2.12, 2.15; the
 * tests are built against each by scripts/liburing-peers.sh), links and
 * receives. It includes only <liburing.h> and <liburing-ext.h> (besides
 * libc and socket headers) and uses only liburing's names:
 *   - io_uring_register_query() with a chain of IO_URING_QUERY_OPCODES,
 *     IO_URING_QUERY_ZCRX and IO_URING_QUERY_SCQ;
 *   - io_uring_register_ifq() with struct io_uring_zcrx_ifq_reg,
 *     io_uring_zcrx_area_reg and io_uring_region_desc built by hand
 *     (uring_ptr_to_u64()), device-less (ZCRX_REG_NODEV), once with a
 *     refill region in user memory (IORING_MEM_REGION_TYPE_USER) and once
 *     with one the kernel allocates and the program mmaps at mmap_offset;
 *   - a struct io_uring_zcrx_rq filled by hand from the returned offsets;
 *   - RECV_ZC prepared with io_uring_prep_rw() and sqe->zcrx_ifq_idx, CQEs
 *     decoded through struct io_uring_zcrx_cqe and IORING_ZCRX_AREA_MASK,
 *     advanced by io_uring_cqe_nr(), buffers returned with
 *     io_uring_smp_store_release() of the tail;
 *   - io_uring_register_zcrx_ctrl() with ZCRX_CTRL_FLUSH_RQ, after which
 *     the kernel's head has caught up with the tail.
 * Each ifq receives a 4 MiB stream over loopback (in a network namespace
 * of its own when it can make one), every byte checked. No helper of
 * liburing-ext and none of the tests' helpers is used, nor any member a
 * liburing from 2.10 to 2.14 may lack (rx_buf_len, event_desc).
 * Skips on kernels without the query or without device-less zcrx.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>
#include <liburing-ext.h>

/* liburing's test conventions, spelled out: this program uses no helpers */
#define T_EXIT_PASS	0
#define T_EXIT_FAIL	1
#define T_EXIT_SKIP	77

#define PAGE_SIZE	4096
#define AREA_SIZE	(2U << 20)
#define RQ_ENTRIES	512		/* one per area buffer: never full */
#define TOTAL		(4U << 20)

/* upstream's RECV_ZC SQE field: the union with file_index at byte 44 */
_Static_assert(offsetof(struct io_uring_sqe, zcrx_ifq_idx) == 44,
	       "sqe->zcrx_ifq_idx");
_Static_assert(sizeof(struct io_uring_zcrx_ifq_reg) == 96, "ifq_reg");
_Static_assert(sizeof(struct io_uring_region_desc) == 64, "region_desc");
_Static_assert(sizeof(struct io_uring_zcrx_cqe) == 16, "zcrx_cqe");
_Static_assert(sizeof(struct zcrx_ctrl) == 72, "zcrx_ctrl");
_Static_assert(sizeof(struct io_uring_query_hdr) == 40, "query_hdr");

enum rq_alloc { RQ_ALLOC_USER, RQ_ALLOC_KERNEL };

/* One ring with one device-less ifq, as liburing's example keeps it */
struct zcrx {
	struct io_uring ring;
	enum rq_alloc rq_alloc;
	void *area_ptr;
	void *ring_ptr;
	size_t ring_size;
	struct io_uring_zcrx_rq rq_ring;
	__u64 area_token;
	__u32 zcrx_id;
	uint64_t received;
	unsigned long nr_cqes, rearms;
};

/* what process_recvzc() found */
enum { GO_ON, REARM, ENDED, FAILED = -1 };

/* Print where and why it failed; returns @ret. */
static int report(int ret, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int report(int ret, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", __FILE__, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return ret;
}

#define fail(fmt, ...)	report(T_EXIT_FAIL, __LINE__, fmt, ##__VA_ARGS__)
#define failed(fmt, ...) report(FAILED, __LINE__, fmt, ##__VA_ARGS__)

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off ^ (off >> 8) ^ (off >> 16) ^ (off >> 24));
}

/* The three queries in one chain; 0, or T_EXIT_SKIP with the reason. */
static int query(void)
{
	struct io_uring_query_hdr hdr_op, hdr_zcrx, hdr_scq;
	struct io_uring_query_opcode op;
	struct io_uring_query_zcrx zq;
	struct io_uring_query_scq scq;
	int ret;

	memset(&op, 0, sizeof(op));
	memset(&zq, 0, sizeof(zq));
	memset(&scq, 0, sizeof(scq));
	memset(&hdr_op, 0, sizeof(hdr_op));
	memset(&hdr_zcrx, 0, sizeof(hdr_zcrx));
	memset(&hdr_scq, 0, sizeof(hdr_scq));
	hdr_op.query_op = IO_URING_QUERY_OPCODES;
	hdr_op.query_data = uring_ptr_to_u64(&op);
	hdr_op.size = sizeof(op);
	hdr_op.next_entry = uring_ptr_to_u64(&hdr_zcrx);
	hdr_zcrx.query_op = IO_URING_QUERY_ZCRX;
	hdr_zcrx.query_data = uring_ptr_to_u64(&zq);
	hdr_zcrx.size = sizeof(zq);
	hdr_zcrx.next_entry = uring_ptr_to_u64(&hdr_scq);
	hdr_scq.query_op = IO_URING_QUERY_SCQ;
	hdr_scq.query_data = uring_ptr_to_u64(&scq);
	hdr_scq.size = sizeof(scq);

	ret = io_uring_register_query(&hdr_op);
	if (ret) {
		printf("skip: io_uring_register_query: %s\n", strerror(-ret));
		return T_EXIT_SKIP;
	}
	if (hdr_op.result || hdr_zcrx.result) {
		printf("skip: kernel without %s: %s\n",
		       hdr_op.result ? "IO_URING_QUERY_OPCODES" :
		       "IO_URING_QUERY_ZCRX",
		       strerror(-(hdr_op.result ? hdr_op.result :
				  hdr_zcrx.result)));
		return T_EXIT_SKIP;
	}
	/* the chain went on to the last entry, answered or refused there */
	if (hdr_scq.result == 0 ? !scq.hdr_size : hdr_scq.result != -EOPNOTSUPP)
		return fail("IO_URING_QUERY_SCQ: result %d, header size %llu",
			    hdr_scq.result,
			    (unsigned long long)scq.hdr_size);
	if (op.nr_request_opcodes <= IORING_OP_RECV_ZC)
		return fail("query: %u request opcodes, no IORING_OP_RECV_ZC",
			    op.nr_request_opcodes);
	if (op.nr_register_opcodes <= IORING_REGISTER_ZCRX_IFQ)
		return fail("query: %u register opcodes, no IORING_REGISTER_ZCRX_IFQ",
			    op.nr_register_opcodes);
	printf("query: %u request and %u register opcodes; zcrx register_flags %#llx, area_flags %#llx, %u ctrl opcodes, features %#x, refill header %u bytes aligned to %u; SCQ %s\n",
	       op.nr_request_opcodes, op.nr_register_opcodes,
	       (unsigned long long)zq.register_flags,
	       (unsigned long long)zq.area_flags, zq.nr_ctrl_opcodes,
	       zq.features, zq.rq_hdr_size, zq.rq_hdr_alignment,
	       hdr_scq.result ? "not supported" : "answered");
	if (!(zq.register_flags & ZCRX_REG_NODEV)) {
		printf("skip: kernel without ZCRX_REG_NODEV\n");
		return T_EXIT_SKIP;
	}
	if (zq.nr_ctrl_opcodes <= ZCRX_CTRL_FLUSH_RQ)
		return fail("query: no ZCRX_CTRL_FLUSH_RQ (%u ctrl opcodes)",
			    zq.nr_ctrl_opcodes);
	/* get_refill_ring_size() leaves a page for the header */
	if (zq.rq_hdr_size > PAGE_SIZE)
		return fail("refill header of %u bytes", zq.rq_hdr_size);
	return 0;
}

/* liburing's examples/zcrx.c: entries plus a page for the header. */
static size_t get_refill_ring_size(unsigned int rq_entries)
{
	size_t size = rq_entries * sizeof(struct io_uring_zcrx_rqe) + PAGE_SIZE;

	return (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
}

static int setup_zcrx(struct zcrx *z)
{
	struct io_uring_region_desc region_reg;
	struct io_uring_zcrx_area_reg area_reg;
	struct io_uring_zcrx_ifq_reg reg;
	int ret;

	z->area_ptr = mmap(NULL, AREA_SIZE, PROT_READ | PROT_WRITE,
			   MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (z->area_ptr == MAP_FAILED)
		return fail("mmap area: %s", strerror(errno));
	z->ring_size = get_refill_ring_size(RQ_ENTRIES);

	memset(&region_reg, 0, sizeof(region_reg));
	region_reg.size = z->ring_size;
	if (z->rq_alloc == RQ_ALLOC_USER) {
		z->ring_ptr = mmap(NULL, z->ring_size, PROT_READ | PROT_WRITE,
				   MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
		if (z->ring_ptr == MAP_FAILED)
			return fail("mmap refill ring: %s", strerror(errno));
		region_reg.user_addr = uring_ptr_to_u64(z->ring_ptr);
		region_reg.flags = IORING_MEM_REGION_TYPE_USER;
	}

	memset(&area_reg, 0, sizeof(area_reg));
	area_reg.addr = uring_ptr_to_u64(z->area_ptr);
	area_reg.len = AREA_SIZE;

	memset(&reg, 0, sizeof(reg));
	reg.flags = ZCRX_REG_NODEV;
	reg.rq_entries = RQ_ENTRIES;
	reg.area_ptr = uring_ptr_to_u64(&area_reg);
	reg.region_ptr = uring_ptr_to_u64(&region_reg);

	ret = io_uring_register_ifq(&z->ring, &reg);
	if (ret)
		return fail("io_uring_register_ifq: %s", strerror(-ret));
	if (reg.rq_entries != RQ_ENTRIES)
		return fail("rq_entries %u, want %u", reg.rq_entries,
			    RQ_ENTRIES);

	if (z->rq_alloc == RQ_ALLOC_KERNEL) {
		if (!region_reg.mmap_offset)
			return fail("kernel refill region without mmap_offset");
		z->ring_ptr = mmap(NULL, z->ring_size, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_POPULATE, z->ring.ring_fd,
				   (off_t)region_reg.mmap_offset);
		if (z->ring_ptr == MAP_FAILED)
			return fail("mmap kernel refill region at %#llx: %s",
				    (unsigned long long)region_reg.mmap_offset,
				    strerror(errno));
	}

	z->rq_ring.khead = (__u32 *)((char *)z->ring_ptr + reg.offsets.head);
	z->rq_ring.ktail = (__u32 *)((char *)z->ring_ptr + reg.offsets.tail);
	z->rq_ring.rqes = (struct io_uring_zcrx_rqe *)((char *)z->ring_ptr +
						       reg.offsets.rqes);
	z->rq_ring.rq_tail = 0;
	z->rq_ring.ring_entries = reg.rq_entries;
	z->rq_ring.ring_ptr = z->ring_ptr;

	z->area_token = area_reg.rq_area_token;
	z->zcrx_id = reg.zcrx_id;
	printf("%s refill region: zcrx_id %u, area token %#llx, mmap offset %#llx, head @%u tail @%u entries @%u\n",
	       z->rq_alloc == RQ_ALLOC_USER ? "user" : "kernel", z->zcrx_id,
	       (unsigned long long)z->area_token,
	       (unsigned long long)region_reg.mmap_offset, reg.offsets.head,
	       reg.offsets.tail, reg.offsets.rqes);
	return 0;
}

static void add_recvzc(struct zcrx *z, int sockfd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&z->ring);

	io_uring_prep_rw(IORING_OP_RECV_ZC, sqe, sockfd, NULL, 0, 0);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
	sqe->zcrx_ifq_idx = z->zcrx_id;
	sqe->user_data = 1;
}

static int process_recvzc(struct zcrx *z, struct io_uring_cqe *cqe)
{
	unsigned int rq_mask = z->rq_ring.ring_entries - 1;
	struct io_uring_zcrx_cqe *rcqe;
	struct io_uring_zcrx_rqe *rqe;
	uint64_t pos;
	uint8_t *data;
	int i;

	if (cqe->res <= 0) {
		if (cqe->flags & IORING_CQE_F_MORE)
			return failed("res %d with F_MORE", cqe->res);
		if (!cqe->res)
			return ENDED;
		if (cqe->res == -ENOSPC || cqe->res == -ENOMEM) {
			z->rearms++;
			return REARM;
		}
		return failed("RECV_ZC: %s after %llu bytes",
			      strerror(-cqe->res),
			      (unsigned long long)z->received);
	}

	rcqe = (struct io_uring_zcrx_cqe *)(cqe + 1);
	if ((rcqe->off & IORING_ZCRX_AREA_MASK) != z->area_token)
		return failed("CQE offset %#llx: area id, want token %#llx",
			      (unsigned long long)rcqe->off,
			      (unsigned long long)z->area_token);
	pos = rcqe->off & ~IORING_ZCRX_AREA_MASK;
	if (pos + (uint64_t)cqe->res > AREA_SIZE)
		return failed("CQE offset %#llx + %d outside the area",
			      (unsigned long long)rcqe->off, cqe->res);
	data = (uint8_t *)z->area_ptr + pos;
	for (i = 0; i < cqe->res; i++) {
		uint64_t at = z->received + (uint64_t)i;

		if (data[i] != pattern(at))
			return failed("stream byte %llu is %#x, want %#x",
				      (unsigned long long)at, data[i],
				      pattern(at));
	}
	z->received += (uint64_t)cqe->res;
	z->nr_cqes++;

	/* processed, return it to the kernel */
	if (z->rq_ring.rq_tail - io_uring_smp_load_acquire(z->rq_ring.khead) >=
	    z->rq_ring.ring_entries)
		return failed("refill ring full with one entry per buffer");
	rqe = &z->rq_ring.rqes[z->rq_ring.rq_tail & rq_mask];
	rqe->off = (rcqe->off & ~IORING_ZCRX_AREA_MASK) | z->area_token;
	rqe->len = (__u32)cqe->res;
	rqe->__pad = 0;
	io_uring_smp_store_release(z->rq_ring.ktail, ++z->rq_ring.rq_tail);
	return (cqe->flags & IORING_CQE_F_MORE) ? GO_ON : REARM;
}

/* A network namespace of our own with lo up, when we may make one. */
static void private_netns(void)
{
	struct ifreq ifr;
	int fd;

	if (unshare(CLONE_NEWNET))
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
}

static void sender(const struct sockaddr_in *addr)
{
	static uint8_t buf[65536];
	uint64_t off = 0;
	size_t n = 1, i;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		_exit(fail("sender: connect: %s", strerror(errno)));
	while (off < TOTAL) {
		ssize_t ret;

		n = n * 7 % sizeof(buf) + 1;
		if (n > TOTAL - off)
			n = TOTAL - off;
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i);
		for (i = 0; i < n; i += (size_t)ret) {
			ret = send(fd, buf + i, n - i, 0);
			if (ret <= 0)
				_exit(fail("sender: send: %s", strerror(errno)));
		}
		off += n;
	}
	close(fd);
	_exit(T_EXIT_PASS);
}

/* Register an ifq of @rq_alloc, receive a stream into it, flush, tear down. */
static int run(enum rq_alloc rq_alloc)
{
	struct io_uring_params p;
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	struct zcrx_ctrl ctrl;
	struct zcrx z;
	int ret, lfd, fd, status;
	pid_t pid;

	memset(&z, 0, sizeof(z));
	z.rq_alloc = rq_alloc;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  IORING_SETUP_CQE32;
	ret = io_uring_queue_init_params(64, &z.ring, &p);
	if (ret)
		return fail("io_uring_queue_init_params: %s", strerror(-ret));
	ret = setup_zcrx(&z);
	if (ret)
		return ret;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen))
		return fail("listen on loopback: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return fail("fork: %s", strerror(errno));
	if (!pid)
		sender(&addr);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return fail("accept: %s", strerror(errno));

	add_recvzc(&z, fd);
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		bool done = false, rearm = false;

		ret = io_uring_submit_and_wait(&z.ring, 1);
		if (ret < 0 && ret != -EINTR)
			return fail("io_uring_submit_and_wait: %s",
				    strerror(-ret));
		io_uring_for_each_cqe(&z.ring, head, cqe) {
			n += io_uring_cqe_nr(cqe);
			ret = process_recvzc(&z, cqe);
			if (ret == FAILED)
				return T_EXIT_FAIL;
			done |= ret == ENDED;
			rearm |= ret == REARM;
		}
		io_uring_cq_advance(&z.ring, n);
		if (done)
			break;
		if (rearm)
			add_recvzc(&z, fd);
	}
	if (z.received != TOTAL)
		return fail("stream ended after %llu bytes, want %u",
			    (unsigned long long)z.received, TOTAL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("sender failed");

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = z.zcrx_id;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	ret = io_uring_register_zcrx_ctrl(&z.ring, &ctrl);
	if (ret)
		return fail("io_uring_register_zcrx_ctrl(FLUSH_RQ): %s",
			    strerror(-ret));
	if (io_uring_smp_load_acquire(z.rq_ring.khead) != z.rq_ring.rq_tail)
		return fail("FLUSH_RQ left the refill ring at head %u, tail %u",
			    io_uring_smp_load_acquire(z.rq_ring.khead),
			    z.rq_ring.rq_tail);

	printf("%s refill region: %llu bytes verified in %lu CQEs (%lu re-arms), %u buffers returned, refill ring flushed\n",
	       rq_alloc == RQ_ALLOC_USER ? "user" : "kernel",
	       (unsigned long long)z.received, z.nr_cqes, z.rearms,
	       z.rq_ring.rq_tail);
	close(fd);
	close(lfd);
	/* a kernel region's mapping is the ring's: unmap it first */
	munmap(z.ring_ptr, z.ring_size);
	io_uring_queue_exit(&z.ring);
	munmap(z.area_ptr, AREA_SIZE);
	return T_EXIT_PASS;
}

int main(void)
{
	int ret;

	ret = query();
	if (ret)
		return ret;
	private_netns();
	ret = run(RQ_ALLOC_USER);
	if (ret)
		return ret;
	return run(RQ_ALLOC_KERNEL);
}
