/* SPDX-License-Identifier: MIT */
/*
 * Description: liburing-ext's registration goes through liburing's own
 * register path, so a ring whose fd was registered and then closed
 * (io_uring_register_ring_fd(), io_uring_close_ring_fd()) still works:
 * with only the registered index left, io_uring_zcrx_ifq_setup() registers
 * a device-less ifq with a user refill region, io_uring_register_ifq()
 * another one, io_uring_register_zcrx_ctrl() flushes and reports an
 * unknown zcrx_id as the kernel does (-ENXIO, not -EBADF), and a 1 MiB
 * stream is received and checked. A kernel refill region, which is mapped
 * through the ring fd, is refused with -EBADF before anything is
 * registered. On a liburing without io_uring_close_ring_fd() (2.3) the
 * test closes the fd the way that call does.
 * Skips on kernels without device-less zcrx.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <liburing.h>
#include <liburing-ext.h>

#define T_EXIT_PASS	0
#define T_EXIT_FAIL	1
#define T_EXIT_SKIP	77

#define TOTAL		(1U << 20)

#ifndef IORING_FEAT_REG_REG_RING	/* liburing 2.3's io_uring.h */
#define IORING_FEAT_REG_REG_RING	(1U << 13)
#endif

#define fail(fmt, ...)							\
	(fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__,	\
		 ##__VA_ARGS__), T_EXIT_FAIL)

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 12));
}

static int close_ring_fd(struct io_uring *ring)
{
#ifdef IO_URING_VERSION_MAJOR	/* 2.4 and later */
	return io_uring_close_ring_fd(ring);
#else
	/* what liburing's io_uring_close_ring_fd() does */
	if (!(ring->features & IORING_FEAT_REG_REG_RING))
		return -EOPNOTSUPP;
	close(ring->ring_fd);
	ring->ring_fd = -1;
	return 1;
#endif
}

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
	static uint8_t buf[TOTAL];
	size_t i, done;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	for (i = 0; i < TOTAL; i++)
		buf[i] = pattern(i);
	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		_exit(fail("sender: connect: %s", strerror(errno)));
	for (done = 0; done < TOTAL;) {
		ssize_t ret = send(fd, buf + done, TOTAL - done, 0);

		if (ret <= 0)
			_exit(fail("sender: send: %s", strerror(errno)));
		done += (size_t)ret;
	}
	close(fd);
	_exit(T_EXIT_PASS);
}

/* Receive the sender's stream into @ifq and check it. */
static int receive(struct io_uring *ring, struct io_uring_zcrx_ifq *ifq)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t alen = sizeof(addr);
	uint64_t received = 0;
	int lfd, fd, status, ret;
	bool more = false;
	pid_t pid;

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

	for (;;) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		bool ended = false;

		if (!more) {
			io_uring_prep_recv_zc(io_uring_get_sqe(ring), fd,
					      ifq->zcrx_id, 0, 0);
			more = true;
		}
		ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0 && ret != -EINTR)
			return fail("io_uring_submit_and_wait on the registered ring: %s",
				    strerror(-ret));
		io_uring_for_each_cqe(ring, head, cqe) {
			void *buf;
			int i, len = io_uring_zcrx_cqe_buf(ifq, cqe, &buf);

			n++;
			if (!(cqe->flags & IORING_CQE_F_MORE))
				more = false;
			if (len == -ENOSPC || len == -ENOMEM)
				continue;	/* re-armed above */
			if (len < 0)
				return fail("RECV_ZC: %s", strerror(-len));
			if (!len) {
				ended = true;
				continue;
			}
			for (i = 0; i < len; i++) {
				uint64_t at = received + (uint64_t)i;

				if (((uint8_t *)buf)[i] != pattern(at))
					return fail("stream byte %llu wrong",
						    (unsigned long long)at);
			}
			received += (uint64_t)len;
			if (io_uring_zcrx_rq_return(&ifq->rq,
						    io_uring_zcrx_cqe_off(cqe),
						    (__u32)len))
				return fail("refill ring full");
		}
		io_uring_cq_advance(ring, n);
		if (ended)
			break;
	}
	close(fd);
	close(lfd);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return fail("sender failed");
	if (received != TOTAL)
		return fail("%llu bytes received, want %u",
			    (unsigned long long)received, TOTAL);
	printf("%u bytes received and checked on the registered ring\n", TOTAL);
	return 0;
}

int main(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SINGLE_ISSUER |
			 IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQE32,
	};
	struct io_uring_zcrx_ifq_opts opts;
	struct io_uring_zcrx_area area, area2;
	struct io_uring_zcrx_ifq ifq;
	struct io_uring_zcrx_area_reg area_reg;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq_reg reg;
	struct zcrx_ctrl ctrl;
	struct io_uring ring;
	void *region;
	int ret;

	ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (ret) {
		printf("skip: %s\n", io_uring_zcrx_strerror(ret));
		return T_EXIT_SKIP;
	}
	private_netns();
	ret = io_uring_queue_init_params(64, &ring, &p);
	if (ret)
		return fail("io_uring_queue_init_params: %s", strerror(-ret));
	ret = io_uring_register_ring_fd(&ring);
	if (ret != 1)
		return fail("io_uring_register_ring_fd: %d", ret);
	ret = close_ring_fd(&ring);
	if (ret == -EOPNOTSUPP) {
		printf("skip: kernel cannot register through a registered ring (no IORING_FEAT_REG_REG_RING)\n");
		return T_EXIT_SKIP;
	}
	if (ret != 1 || ring.ring_fd != -1)
		return fail("closing the ring fd: %d, ring_fd %d", ret,
			    ring.ring_fd);

	if (io_uring_zcrx_area_alloc(&area, IO_URING_ZCRX_AREA_ANON, 1 << 20) ||
	    io_uring_zcrx_area_alloc(&area2, IO_URING_ZCRX_AREA_ANON, 1 << 16))
		return fail("areas");
	memset(&opts, 0, sizeof(opts));
	opts.flags = ZCRX_REG_NODEV;
	opts.rq_entries = 256;
	opts.area = &area;

	/* a kernel refill region needs the fd for its mmap */
	opts.rq_mem = IO_URING_ZCRX_RQ_KERNEL;
	ret = io_uring_zcrx_ifq_setup(&ring, &opts, &ifq);
	if (ret != -EBADF)
		return fail("kernel refill region without a ring fd: %d, want -EBADF",
			    ret);

	opts.rq_mem = IO_URING_ZCRX_RQ_USER;
	ret = io_uring_zcrx_ifq_setup(&ring, &opts, &ifq);
	if (ret)
		return fail("io_uring_zcrx_ifq_setup on the registered ring: %s",
			    strerror(-ret));
	printf("io_uring_zcrx_ifq_setup: zcrx_id %u through registered ring %d\n",
	       ifq.zcrx_id, ring.enter_ring_fd);

	/* liburing's call, by hand: a second ifq */
	region = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return fail("mmap: %s", strerror(errno));
	memset(&rd, 0, sizeof(rd));
	rd.user_addr = uring_ptr_to_u64(region);
	rd.size = 2 * 4096;
	rd.flags = IORING_MEM_REGION_TYPE_USER;
	memset(&area_reg, 0, sizeof(area_reg));
	area_reg.addr = uring_ptr_to_u64(area2.addr);
	area_reg.len = area2.len;
	memset(&reg, 0, sizeof(reg));
	reg.flags = ZCRX_REG_NODEV;
	reg.rq_entries = 16;
	reg.area_ptr = uring_ptr_to_u64(&area_reg);
	reg.region_ptr = uring_ptr_to_u64(&rd);
	ret = io_uring_register_ifq(&ring, &reg);
	if (ret)
		return fail("io_uring_register_ifq on the registered ring: %s",
			    strerror(-ret));
	if (reg.zcrx_id == ifq.zcrx_id)
		return fail("two ifqs with zcrx_id %u", reg.zcrx_id);

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = reg.zcrx_id + ifq.zcrx_id + 100;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	ret = io_uring_register_zcrx_ctrl(&ring, &ctrl);
	if (ret != -ENXIO)
		return fail("ZCRX_CTRL for an unknown zcrx_id: %d, want -ENXIO",
			    ret);

	ret = receive(&ring, &ifq);
	if (ret)
		return ret;

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = ifq.zcrx_id;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	ret = io_uring_register_zcrx_ctrl(&ring, &ctrl);
	if (ret)
		return fail("ZCRX_CTRL_FLUSH_RQ on the registered ring: %s",
			    strerror(-ret));
	if (io_uring_smp_load_acquire(ifq.rq.khead) != ifq.rq.rq_tail)
		return fail("FLUSH_RQ left head %u, tail %u",
			    io_uring_smp_load_acquire(ifq.rq.khead),
			    ifq.rq.rq_tail);
	printf("ZCRX_CTRL_FLUSH_RQ through the registered ring: refill ring empty\n");

	io_uring_zcrx_ifq_free(&ifq);
	io_uring_queue_exit(&ring);
	munmap(region, 2 * 4096);
	io_uring_zcrx_area_free(&area);
	io_uring_zcrx_area_free(&area2);
	return T_EXIT_PASS;
}
