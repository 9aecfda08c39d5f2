/* SPDX-License-Identifier: MIT */
/*
 * Description: IORING_OP_RECV_ZC fails each bad request with the errno of
 * behaviour.md, as the CQE's res and without IORING_CQE_F_MORE, one bad
 * input per case, everything else valid:
 *   - prep: addr, addr2 or addr3 set, msg_flags set, a zcrx_ifq_idx no
 *     ifq of the ring has, ioprio bits other than POLL_FIRST | MULTISHOT,
 *     MULTISHOT missing: EINVAL
 *   - issue: fd not a socket (pipe, memfd): ENOTSOCK; a socket that is
 *     not TCP (UDP, AF_UNIX stream): EPROTONOSUPPORT; no such fd: EBADF
 * and, as a control, the same request with nothing wrong (with and
 * without POLL_FIRST) stays armed until data comes, then delivers it
 * (res = bytes, F_MORE) and ends with res 0 and no F_MORE at EOF.
 * A device-less ifq (ZCRX_REG_NODEV) on loopback serves all of it; skips
 * on a kernel without device-less zcrx (fails on the project's kernel).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <liburing-ext.h>

#include "devmem.h"

enum fd_kind {
	FD_TCP = 0,	/* a connected TCP socket (no data) */
	FD_UDP,		/* a bound UDP socket with a datagram queued */
	FD_UNIX,	/* an AF_UNIX stream socket with a byte queued */
	FD_PIPE,	/* the read end of a pipe with a byte queued */
	FD_MEMFD,	/* a memfd */
	FD_NONE,	/* -1 */
	FD_NR,
};

/* Marks an explicit value in a field whose 0 means "the valid one". */
#define EXPLICIT	(1ULL << 32)
#define IOPRIO(v)	(EXPLICIT | (__u16)(v))
#define IDX(v)		(EXPLICIT | (__u32)(v))

struct recv_case {
	const char *name;
	enum fd_kind fd;
	__u64 addr, addr2, addr3;
	__u32 msg_flags;
	__u64 ioprio;		/* 0: IORING_RECV_MULTISHOT */
	__u64 idx;		/* 0: the ifq's zcrx_id */
	__u64 idx_add;		/* added to the ifq's zcrx_id */
	int want;
};

#define MS	IORING_RECV_MULTISHOT
#define PF	IORING_RECVSEND_POLL_FIRST

static const struct recv_case cases[] = {
	/* prep */
	{ "addr set", .addr = 4096, .want = -EINVAL },
	{ "addr2 set", .addr2 = 1, .want = -EINVAL },
	{ "addr3 set", .addr3 = 1, .want = -EINVAL },
	{ "msg_flags MSG_WAITALL", .msg_flags = MSG_WAITALL, .want = -EINVAL },
	{ "msg_flags 1 << 31", .msg_flags = 1U << 31, .want = -EINVAL },
	{ "zcrx_ifq_idx: the next id (unregistered)", .idx_add = 1,
	  .want = -EINVAL },
	{ "zcrx_ifq_idx 0x7fffffff", .idx = IDX(0x7fffffff), .want = -EINVAL },
	{ "zcrx_ifq_idx 0xffffffff", .idx = IDX(0xffffffff), .want = -EINVAL },
	{ "ioprio 0 (no MULTISHOT)", .ioprio = IOPRIO(0), .want = -EINVAL },
	{ "ioprio POLL_FIRST (no MULTISHOT)", .ioprio = IOPRIO(PF),
	  .want = -EINVAL },
	{ "ioprio MULTISHOT | 1 << 2 (FIXED_BUF)", .ioprio = IOPRIO(MS | 4),
	  .want = -EINVAL },
	{ "ioprio MULTISHOT | 1 << 3", .ioprio = IOPRIO(MS | 8),
	  .want = -EINVAL },
	{ "ioprio MULTISHOT | 1 << 4 (BUNDLE)", .ioprio = IOPRIO(MS | 16),
	  .want = -EINVAL },
	{ "ioprio MULTISHOT | 1 << 15", .ioprio = IOPRIO(MS | 0x8000),
	  .want = -EINVAL },
	{ "ioprio 0xffff", .ioprio = IOPRIO(0xffff), .want = -EINVAL },
	/* issue */
	{ "fd: a pipe", .fd = FD_PIPE, .want = -ENOTSOCK },
	{ "fd: a pipe, POLL_FIRST", .fd = FD_PIPE, .ioprio = IOPRIO(MS | PF),
	  .want = -ENOTSOCK },
	{ "fd: a memfd", .fd = FD_MEMFD, .want = -ENOTSOCK },
	{ "fd: UDP socket", .fd = FD_UDP, .want = -EPROTONOSUPPORT },
	{ "fd: UDP socket, POLL_FIRST", .fd = FD_UDP,
	  .ioprio = IOPRIO(MS | PF), .want = -EPROTONOSUPPORT },
	{ "fd: AF_UNIX stream socket", .fd = FD_UNIX,
	  .want = -EPROTONOSUPPORT },
	{ "fd -1", .fd = FD_NONE, .want = -EBADF },
};

static struct io_uring ring;
static struct io_uring_zcrx_ifq ifq;
static int fds[FD_NR];
static int peer_fds[FD_NR];

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

static void fds_init(void)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sa);
	int p[2], u, ret;

	memset(peer_fds, -1, sizeof(peer_fds));
	ret = tcp_pair(&peer_fds[FD_TCP], &fds[FD_TCP]);
	t_check(!ret, "TCP pair over loopback: %s", strerror(-ret));

	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	t_check(u >= 0 && !bind(u, (struct sockaddr *)&sa, sizeof(sa)) &&
		!getsockname(u, (struct sockaddr *)&sa, &len), "UDP socket");
	fds[FD_UDP] = u;
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	t_check(u >= 0 && sendto(u, "x", 1, 0, (struct sockaddr *)&sa,
				 sizeof(sa)) == 1, "UDP datagram");
	peer_fds[FD_UDP] = u;

	t_check(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) &&
		write(p[1], "x", 1) == 1, "AF_UNIX pair");
	fds[FD_UNIX] = p[0];
	peer_fds[FD_UNIX] = p[1];

	t_check(!pipe2(p, O_CLOEXEC) && write(p[1], "x", 1) == 1, "pipe");
	fds[FD_PIPE] = p[0];
	peer_fds[FD_PIPE] = p[1];

	fds[FD_MEMFD] = memfd_create("zcrx-recv-errors", MFD_CLOEXEC);
	t_check(fds[FD_MEMFD] >= 0 && write(fds[FD_MEMFD], "x", 1) == 1,
		"memfd");
	fds[FD_NONE] = -1;
}

/* Submit @sqe's request and wait for its first CQE (up to 2 s). */
static int submit_and_wait(struct io_uring_cqe **cqe, int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L,
	};
	int ret = io_uring_submit(&ring);

	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	return io_uring_wait_cqe_timeout(&ring, cqe, &ts);
}

static int run_case(unsigned int i)
{
	const struct recv_case *tc = &cases[i];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	struct io_uring_cqe *cqe;
	int ret, res;
	unsigned int flags;

	t_check(sqe, "no SQE");
	io_uring_prep_recv_zc(sqe, fds[tc->fd], ifq.zcrx_id, 0, 0);
	sqe->addr = tc->addr;
	sqe->off = tc->addr2;
	sqe->addr3 = tc->addr3;
	sqe->msg_flags = tc->msg_flags;
	if (tc->ioprio & EXPLICIT)
		sqe->ioprio = (__u16)tc->ioprio;
	if (tc->idx & EXPLICIT)
		sqe->file_index = (__u32)tc->idx;
	sqe->file_index += (__u32)tc->idx_add;
	sqe->user_data = i + 1;

	ret = submit_and_wait(&cqe, 2000);
	if (ret == -ETIME)
		return t_fail("case \"%s\": no CQE in 2 s (request armed), want %s",
			      tc->name, t_errname(tc->want));
	if (ret)
		return t_fail("case \"%s\": submit/wait: %s", tc->name,
			      t_errname(ret));
	res = cqe->res;
	flags = cqe->flags;
	if (cqe->user_data != i + 1) {
		ret = t_fail("case \"%s\": CQE of user_data %llu", tc->name,
			     (unsigned long long)cqe->user_data);
	} else if (res != tc->want) {
		ret = t_fail("case \"%s\": res %s, want %s", tc->name,
			     t_errname(res), t_errname(tc->want));
	} else if (flags & IORING_CQE_F_MORE) {
		ret = t_fail("case \"%s\": res %s with IORING_CQE_F_MORE",
			     tc->name, t_errname(res));
	}
	io_uring_cqe_seen(&ring, cqe);
	if (!ret)
		printf("%-44s %s\n", tc->name, t_errname(res));
	return ret;
}

/*
 * The control: a valid request stays armed, gets the bytes the peer
 * sends, and ends at EOF with res 0 and no F_MORE.
 */
static int control(__u16 extra_flags)
{
	static const char msg[] = "zcrx control";
	const char *what = extra_flags ? "valid, POLL_FIRST" : "valid";
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int a, b, ret, got = 0;
	bool eof = false;
	char buf[sizeof(msg)];

	ret = tcp_pair(&a, &b);
	t_check(!ret, "TCP pair: %s", strerror(-ret));
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_recv_zc(sqe, b, ifq.zcrx_id, 0, extra_flags);
	sqe->user_data = 1000;
	ret = submit_and_wait(&cqe, 200);
	if (ret != -ETIME) {
		ret = t_fail("%s request, no data yet: %s (res %d), want it armed",
			     what, t_errname(ret), ret ? 0 : cqe->res);
		goto out;
	}
	if (write(a, msg, sizeof(msg)) != sizeof(msg) || shutdown(a, SHUT_WR)) {
		ret = t_fail("write to the peer: %s", strerror(errno));
		goto out;
	}
	while (!eof) {
		struct __kernel_timespec ts = { .tv_sec = 5 };
		void *data;
		int len;

		ret = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
		if (ret) {
			ret = t_fail("%s request after %d bytes: %s", what, got,
				     t_errname(ret));
			goto out;
		}
		len = io_uring_zcrx_cqe_buf(&ifq, cqe, &data);
		if (len > 0 && got + len <= (int)sizeof(msg)) {
			memcpy(buf + got, data, (size_t)len);
			got += len;
			io_uring_zcrx_rq_return(&ifq.rq, io_uring_zcrx_cqe_off(cqe),
						(__u32)len);
		} else if (len == 0) {
			eof = true;
		}
		if (len < 0 || (len > 0 && !(cqe->flags & IORING_CQE_F_MORE)) ||
		    (len == 0 && (cqe->flags & IORING_CQE_F_MORE))) {
			ret = t_fail("%s request: CQE res %d (%s) flags %#x after %d bytes",
				     what, cqe->res, t_errname(len), cqe->flags,
				     got);
			io_uring_cqe_seen(&ring, cqe);
			goto out;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	if (got != (int)sizeof(msg) || memcmp(buf, msg, sizeof(msg))) {
		ret = t_fail("%s request: %d bytes, want the %zu sent", what,
			     got, sizeof(msg));
		goto out;
	}
	printf("%-44s %d bytes, then EOF: res 0, no F_MORE\n", what, got);
	ret = 0;
out:
	close(a);
	close(b);
	return ret;
}

int main(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
	};
	struct io_uring_zcrx_area area;
	struct io_uring_zcrx_ifq_opts o = {
		.rq_entries = 64, .flags = ZCRX_REG_NODEV, .area = &area,
	};
	unsigned int i;
	int ret, failed = 0;

	/* failures (stderr) stay in order with the case lines */
	setlinebuf(stdout);
	ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (ret)
		return t_lacks("device-less zcrx: %s",
			       io_uring_zcrx_strerror(ret));
	t_check(!io_uring_queue_init_params(16, &ring, &p), "ring");
	t_check(!io_uring_zcrx_area_alloc(&area, IO_URING_ZCRX_AREA_ANON,
					  1 << 20), "area");
	ret = io_uring_zcrx_ifq_setup(&ring, &o, &ifq);
	if (ret)
		return t_fail("device-less ifq: %s", t_errname(ret));
	printf("device-less ifq: zcrx_id %u\n", ifq.zcrx_id);
	fds_init();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (run_case(i))
			failed++;
	if (control(0) || control(IORING_RECVSEND_POLL_FIRST))
		failed++;

	for (i = 0; i < FD_NR; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (peer_fds[i] >= 0)
			close(peer_fds[i]);
	}
	io_uring_zcrx_ifq_free(&ifq);
	io_uring_queue_exit(&ring);
	io_uring_zcrx_area_free(&area);
	if (failed) {
		fprintf(stderr, "%d case(s) failed\n", failed);
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}
