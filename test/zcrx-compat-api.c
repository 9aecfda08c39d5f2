/* SPDX-License-Identifier: MIT */
/*
 * Description: a program written for liburing >= 2.10's zcrx API, as
 * liburing's own examples/zcrx.c is written, compiles unchanged against
 * liburing-ext on Debian's liburing 2.3 and runs. It includes only
 * <liburing.h> and <liburing-ext.h> (besides libc and socket headers) and
 * uses only upstream names: io_uring_register_query() with a chain of
 * IO_URING_QUERY_OPCODES and IO_URING_QUERY_ZCRX, io_uring_register_ifq()
 * with struct io_uring_zcrx_ifq_reg, io_uring_zcrx_area_reg and
 * io_uring_region_desc built by hand, a struct io_uring_zcrx_rq filled by
 * hand from the returned offsets, a RECV_ZC prepared with
 * io_uring_prep_rw() and sqe->zcrx_ifq_idx, CQEs decoded through struct
 * io_uring_zcrx_cqe and IORING_ZCRX_AREA_MASK, buffers returned with
 * io_uring_smp_store_release() of the tail, and
 * io_uring_register_zcrx_ctrl() with ZCRX_CTRL_FLUSH_RQ. It registers a
 * device-less ifq (ZCRX_REG_NODEV), receives 4 MiB over loopback (in a
 * network namespace of its own when it can make one) and checks every
 * byte. No helper of liburing-ext and none of the tests' helpers is used.
 * Built a second time as zcrx-compat-native against a stand-in for
 * liburing 2.10's header (test/compat/), where liburing-ext steps aside.
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
_Static_assert(sizeof(struct io_uring_zcrx_cqe) == 16, "zcrx_cqe");

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

static struct io_uring ring;
static void *area_ptr, *ring_ptr;
static size_t ring_size;
static struct io_uring_zcrx_rq rq_ring;
static __u64 area_token;
static __u32 zcrx_id;

/* Both queries in one chain; 0, or T_EXIT_SKIP with the reason. */
static int query(void)
{
	struct io_uring_query_opcode op;
	struct io_uring_query_zcrx zq;
	struct io_uring_query_hdr hdr_op, hdr_zcrx;
	int ret;

	memset(&op, 0, sizeof(op));
	memset(&zq, 0, sizeof(zq));
	memset(&hdr_op, 0, sizeof(hdr_op));
	memset(&hdr_zcrx, 0, sizeof(hdr_zcrx));
	hdr_op.query_op = IO_URING_QUERY_OPCODES;
	hdr_op.query_data = (__u64)(uintptr_t)&op;
	hdr_op.size = sizeof(op);
	hdr_op.next_entry = (__u64)(uintptr_t)&hdr_zcrx;
	hdr_zcrx.query_op = IO_URING_QUERY_ZCRX;
	hdr_zcrx.query_data = (__u64)(uintptr_t)&zq;
	hdr_zcrx.size = sizeof(zq);

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
	if (op.nr_request_opcodes <= IORING_OP_RECV_ZC)
		return fail("query: %u request opcodes, no IORING_OP_RECV_ZC",
			    op.nr_request_opcodes);
	printf("query: %u request and %u register opcodes; zcrx register_flags %#llx, area_flags %#llx, %u ctrl opcodes, features %#x, refill header %u bytes aligned to %u\n",
	       op.nr_request_opcodes, op.nr_register_opcodes,
	       (unsigned long long)zq.register_flags,
	       (unsigned long long)zq.area_flags, zq.nr_ctrl_opcodes,
	       zq.features, zq.rq_hdr_size, zq.rq_hdr_alignment);
	if (!(zq.register_flags & ZCRX_REG_NODEV)) {
		printf("skip: kernel without ZCRX_REG_NODEV\n");
		return T_EXIT_SKIP;
	}
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

static int setup_zcrx(void)
{
	struct io_uring_region_desc region_reg;
	struct io_uring_zcrx_area_reg area_reg;
	struct io_uring_zcrx_ifq_reg reg;
	int ret;

	area_ptr = mmap(NULL, AREA_SIZE, PROT_READ | PROT_WRITE,
			MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	ring_size = get_refill_ring_size(RQ_ENTRIES);
	ring_ptr = mmap(NULL, ring_size, PROT_READ | PROT_WRITE,
			MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (area_ptr == MAP_FAILED || ring_ptr == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));

	memset(&region_reg, 0, sizeof(region_reg));
	region_reg.size = ring_size;
	region_reg.user_addr = (__u64)(uintptr_t)ring_ptr;
	region_reg.flags = IORING_MEM_REGION_TYPE_USER;

	memset(&area_reg, 0, sizeof(area_reg));
	area_reg.addr = (__u64)(uintptr_t)area_ptr;
	area_reg.len = AREA_SIZE;

	memset(&reg, 0, sizeof(reg));
	reg.flags = ZCRX_REG_NODEV;
	reg.rq_entries = RQ_ENTRIES;
	reg.area_ptr = (__u64)(uintptr_t)&area_reg;
	reg.region_ptr = (__u64)(uintptr_t)&region_reg;

	ret = io_uring_register_ifq(&ring, &reg);
	if (ret)
		return fail("io_uring_register_ifq: %s", strerror(-ret));
	if (reg.rq_entries != RQ_ENTRIES)
		return fail("rq_entries %u, want %u", reg.rq_entries,
			    RQ_ENTRIES);

	rq_ring.khead = (__u32 *)((char *)ring_ptr + reg.offsets.head);
	rq_ring.ktail = (__u32 *)((char *)ring_ptr + reg.offsets.tail);
	rq_ring.rqes = (struct io_uring_zcrx_rqe *)((char *)ring_ptr +
						    reg.offsets.rqes);
	rq_ring.rq_tail = 0;
	rq_ring.ring_entries = reg.rq_entries;
	rq_ring.ring_ptr = ring_ptr;

	area_token = area_reg.rq_area_token;
	zcrx_id = reg.zcrx_id;
	printf("zcrx_id %u, area token %#llx, refill ring: head @%u tail @%u entries @%u\n",
	       zcrx_id, (unsigned long long)area_token, reg.offsets.head,
	       reg.offsets.tail, reg.offsets.rqes);
	return 0;
}

static void add_recvzc(int sockfd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

	io_uring_prep_rw(IORING_OP_RECV_ZC, sqe, sockfd, NULL, 0, 0);
	sqe->ioprio |= IORING_RECV_MULTISHOT;
	sqe->zcrx_ifq_idx = zcrx_id;
	sqe->user_data = 1;
}

static uint64_t received;
static unsigned long nr_cqes, rearms;

static int process_recvzc(struct io_uring_cqe *cqe)
{
	unsigned int rq_mask = rq_ring.ring_entries - 1;
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
			rearms++;
			return REARM;
		}
		return failed("RECV_ZC: %s after %llu bytes", strerror(-cqe->res),
			    (unsigned long long)received);
	}

	rcqe = (struct io_uring_zcrx_cqe *)(cqe + 1);
	if ((rcqe->off & IORING_ZCRX_AREA_MASK) != area_token)
		return failed("CQE offset %#llx: area id, want token %#llx",
			    (unsigned long long)rcqe->off,
			    (unsigned long long)area_token);
	pos = rcqe->off & ~IORING_ZCRX_AREA_MASK;
	if (pos + (uint64_t)cqe->res > AREA_SIZE)
		return failed("CQE offset %#llx + %d outside the area",
			    (unsigned long long)rcqe->off, cqe->res);
	data = (uint8_t *)area_ptr + pos;
	for (i = 0; i < cqe->res; i++)
		if (data[i] != pattern(received + (uint64_t)i))
			return failed("stream byte %llu is %#x, want %#x",
				    (unsigned long long)(received + (uint64_t)i),
				    data[i], pattern(received + (uint64_t)i));
	received += (uint64_t)cqe->res;
	nr_cqes++;

	/* processed, return it to the kernel */
	if (rq_ring.rq_tail - io_uring_smp_load_acquire(rq_ring.khead) >=
	    rq_ring.ring_entries)
		return failed("refill ring full with one entry per buffer");
	rqe = &rq_ring.rqes[rq_ring.rq_tail & rq_mask];
	rqe->off = (rcqe->off & ~IORING_ZCRX_AREA_MASK) | area_token;
	rqe->len = (__u32)cqe->res;
	rqe->__pad = 0;
	io_uring_smp_store_release(rq_ring.ktail, ++rq_ring.rq_tail);
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

int main(void)
{
	struct io_uring_params p;
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	struct zcrx_ctrl ctrl;
	int ret, lfd, fd, status;
	pid_t pid;

	ret = query();
	if (ret)
		return ret;

	private_netns();
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

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  IORING_SETUP_CQE32;
	ret = io_uring_queue_init_params(64, &ring, &p);
	if (ret)
		return fail("io_uring_queue_init_params: %s", strerror(-ret));
	ret = setup_zcrx();
	if (ret)
		return ret;
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return fail("accept: %s", strerror(errno));

	add_recvzc(fd);
	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		bool done = false, rearm = false;

		ret = io_uring_submit_and_wait(&ring, 1);
		if (ret < 0 && ret != -EINTR)
			return fail("io_uring_submit_and_wait: %s",
				    strerror(-ret));
		io_uring_for_each_cqe(&ring, head, cqe) {
			n++;
			ret = process_recvzc(cqe);
			if (ret == FAILED)
				return T_EXIT_FAIL;
			done |= ret == ENDED;
			rearm |= ret == REARM;
		}
		io_uring_cq_advance(&ring, n);
		if (done)
			break;
		if (rearm)
			add_recvzc(fd);
	}
	if (received != TOTAL)
		return fail("stream ended after %llu bytes, want %u",
			    (unsigned long long)received, TOTAL);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("sender failed");

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = zcrx_id;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	ret = io_uring_register_zcrx_ctrl(&ring, &ctrl);
	if (ret)
		return fail("io_uring_register_zcrx_ctrl(FLUSH_RQ): %s",
			    strerror(-ret));
	if (io_uring_smp_load_acquire(rq_ring.khead) != rq_ring.rq_tail)
		return fail("FLUSH_RQ left the refill ring at head %u, tail %u",
			    io_uring_smp_load_acquire(rq_ring.khead),
			    rq_ring.rq_tail);

	printf("%llu bytes verified in %lu CQEs (%lu re-arms), %u buffers returned, refill ring flushed\n",
	       (unsigned long long)received, nr_cqes, rearms, rq_ring.rq_tail);
	close(fd);
	close(lfd);
	io_uring_queue_exit(&ring);
	munmap(ring_ptr, ring_size);
	munmap(area_ptr, AREA_SIZE);
	return T_EXIT_PASS;
}
