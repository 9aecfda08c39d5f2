/* SPDX-License-Identifier: MIT */
/*
 * zcrx-recv: receive one TCP connection with io_uring zero-copy receive
 * (zcrx), written with liburing-ext's helpers. Like liburing's
 * examples/zcrx.c, with the set-up done by the library:
 *
 *   io_uring_zcrx_check()      can zcrx be used on this queue, and if not why
 *   io_uring_zcrx_enable_hds() header split on, hds-thresh 0, where needed
 *   io_uring_zcrx_area_alloc() the receive area
 *   io_uring_zcrx_ifq_setup()  area, refill ring and the queue in one call,
 *                              with a zcrx_stats block that counts copies
 *   io_uring_prep_recv_zc()    the multishot RECV_ZC request
 *   io_uring_zcrx_cqe_buf()    a CQE to the data, in place in the area
 *   io_uring_zcrx_rq_return_many()  the buffers of a batch of CQEs back to
 *                              the kernel with one release store
 *
 * Either on rx queue QUEUE of interface IFNAME (-i IFNAME -q QUEUE): the
 * NIC writes payload straight into the area, and the flow must be steered
 * to that queue (ethtool -N IFNAME flow-type tcp4 dst-port PORT action
 * QUEUE, as the tests do), or
 * device-less (-n, ZCRX_REG_NODEV; any interface, loopback included, and
 * every byte is copied into the area by the kernel).
 *
 * With -v every byte is checked against the pattern of zcrx-pattern.h,
 * which zcrx-send writes. At the end a summary: bytes, CQEs, how many of
 * the bytes were copied (from the kernel's zcrx_stats block) and so
 * arrived zero-copy, buffers returned, requests; and one "summary:" line
 * of key=value pairs for scripts.
 *
 *   zcrx-recv -i eth0 -q 1 -p 9999 -v &  zcrx-send -a 192.0.2.2 -p 9999
 *   zcrx-recv -n -p 9999 -v &             zcrx-send -a 127.0.0.1 -p 9999
 *
 * Needs CAP_NET_ADMIN (and, for big areas, CAP_IPC_LOCK or a large enough
 * RLIMIT_MEMLOCK). Build: cc zcrx-recv.c $(pkg-config --cflags --libs
 * liburing-ext).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <liburing-ext.h>

#include "zcrx-pattern.h"

#define UD_RECV		1ULL
#define UD_EVENT	2ULL
/* RECV_ZC's len is 32 bits: a longer -s is received in requests of this */
#define REQ_MAX		(1U << 30)
/* ENOMEM ends in a row, with no data in between, before giving up */
#define MAX_ENOMEM	1000

static struct {
	const char *ifname;
	unsigned int queue;
	bool nodev;
	unsigned short port;
	bool ipv6;
	int area_type;
	const char *heap;	/* -A heap:NAME */
	const char *area_name;
	size_t area_size;
	unsigned int rq_entries;
	int rq_mem;
	unsigned int cq_entries;
	uint64_t size;		/* 0: until EOF */
	unsigned int req_max;	/* length limit of one request, 0: none */
	bool verify;
	int timeout;		/* seconds, 0: none */
	bool no_hds;
	bool no_stats;
} cfg = {
	.port = 9999,
	.area_type = IO_URING_ZCRX_AREA_ANON,
	.area_name = "anon",
	.area_size = 64UL << 20,
	.cq_entries = 4096,
	.rq_mem = IO_URING_ZCRX_RQ_USER,
};

static struct io_uring ring;
static struct io_uring_zcrx_area area;
static struct io_uring_zcrx_ifq ifq;
static int sock_fd = -1;

/* the request armed now */
static bool armed;
static unsigned int req_len;
static uint64_t req_bytes;

/* received buffers not yet back in the refill ring */
static struct io_uring_zcrx_rqe *pending;
static size_t nr_pending, pending_cap;

/* what the summary reports */
static struct {
	uint64_t bytes, cqes, returned, flushes, requests;
	uint64_t enospc, enomem, len_ends, event_cqes;
	bool eof, interrupted;
} st;

static volatile sig_atomic_t stop;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						    noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("zcrx-recv: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(const char *prog, int code) __attribute__((noreturn));
static void usage(const char *prog, int code)
{
	fprintf(code ? stderr : stdout,
		"Usage: %s (-i IFNAME -q QUEUE | -n) [options]\n"
		"\n"
		"  -i IFNAME   interface whose rx queue receives the flow\n"
		"  -q QUEUE    that rx queue (steer the flow to it)\n"
		"  -n          device-less mode (ZCRX_REG_NODEV): any interface,\n"
		"              every byte copied by the kernel\n"
		"  -p PORT     TCP port to listen on (default 9999)\n"
		"  -6          listen on IPv6 (default IPv4), any address\n"
		"  -A TYPE     area type: anon (default), huge (2 MiB huge pages),\n"
		"              udmabuf, dma-heap (the system heap) or heap:NAME\n"
		"              (/dev/dma_heap/NAME, device memory for instance);\n"
		"              dma-buf areas are zero-copy only and read through\n"
		"              the dma-buf's mmap\n"
		"  -S SIZE     area size (default 64M; K, M, G suffixes)\n"
		"  -r ENTRIES  refill ring entries (default one per area buffer,\n"
		"              at most 32768)\n"
		"  -R          refill ring in kernel memory (default: user memory)\n"
		"  -c ENTRIES  CQ entries (default 4096)\n"
		"  -s SIZE     receive SIZE bytes, then stop (RECV_ZC length\n"
		"              limit); default: until the sender closes\n"
		"  -l SIZE     end each RECV_ZC request after SIZE bytes and\n"
		"              arm a new one (default: one request for all)\n"
		"  -v          verify every byte against zcrx-send's pattern\n"
		"  -t SECONDS  fail when nothing arrives for SECONDS (default: wait)\n"
		"  -H          leave header split alone (default: turn it on, with\n"
		"              hds-thresh 0, when the check finds it off)\n"
		"  -X          no zcrx_stats block (copies are then not counted)\n"
		"  -h          this help\n", prog);
	exit(code);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad size '%s'", s);
	switch (*end) {
	case 'k': case 'K':
		v <<= 10; end++; break;
	case 'm': case 'M':
		v <<= 20; end++; break;
	case 'g': case 'G':
		v <<= 30; end++; break;
	}
	if (*end)
		die("bad size '%s'", s);
	return v;
}

static const struct {
	const char *name;
	int type;
} area_types[] = {
	{ "anon", IO_URING_ZCRX_AREA_ANON },
	{ "huge", IO_URING_ZCRX_AREA_HUGE_2M },
	{ "udmabuf", IO_URING_ZCRX_AREA_UDMABUF },
	{ "dma-heap", IO_URING_ZCRX_AREA_DMA_HEAP },
};

static void parse_args(int argc, char **argv)
{
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "i:q:np:6A:S:r:Rc:s:l:vt:HXh")) != -1) {
		switch (opt) {
		case 'i':
			cfg.ifname = optarg;
			break;
		case 'q':
			cfg.queue = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			cfg.nodev = true;
			break;
		case 'p':
			cfg.port = (unsigned short)strtoul(optarg, NULL, 0);
			break;
		case '6':
			cfg.ipv6 = true;
			break;
		case 'A':
			if (!strncmp(optarg, "heap:", 5)) {
				cfg.heap = optarg + 5;
				cfg.area_type = IO_URING_ZCRX_AREA_DMA_HEAP;
				cfg.area_name = optarg;
				break;
			}
			for (i = 0; i < sizeof(area_types) / sizeof(area_types[0]); i++)
				if (!strcmp(optarg, area_types[i].name))
					break;
			if (i == sizeof(area_types) / sizeof(area_types[0]))
				die("unknown area type '%s' (anon, huge, udmabuf, dma-heap, heap:NAME)",
				    optarg);
			cfg.area_type = area_types[i].type;
			cfg.area_name = area_types[i].name;
			break;
		case 'S':
			cfg.area_size = (size_t)parse_size(optarg);
			break;
		case 'r':
			cfg.rq_entries = (unsigned int)parse_size(optarg);
			break;
		case 'R':
			cfg.rq_mem = IO_URING_ZCRX_RQ_KERNEL;
			break;
		case 'c':
			cfg.cq_entries = (unsigned int)parse_size(optarg);
			break;
		case 's':
			cfg.size = parse_size(optarg);
			break;
		case 'l':
			cfg.req_max = (unsigned int)parse_size(optarg);
			if (!cfg.req_max || cfg.req_max > REQ_MAX)
				die("-l: 1 to %u bytes", REQ_MAX);
			break;
		case 'v':
			cfg.verify = true;
			break;
		case 't':
			cfg.timeout = atoi(optarg);
			break;
		case 'H':
			cfg.no_hds = true;
			break;
		case 'X':
			cfg.no_stats = true;
			break;
		case 'h':
			usage(argv[0], 0);
		default:
			usage(argv[0], 2);
		}
	}
	if (optind != argc || cfg.nodev == !!cfg.ifname)
		usage(argv[0], 2);
	if (!cfg.area_size || !cfg.cq_entries)
		die("area size and CQ entries must not be 0");
}

/*
 * The kernel's message for liburing-ext's last failed netlink request
 * (why it refused, e.g. to turn tcp-data-split on) as " (kernel: ...)",
 * or "" when it gave none.
 */
static const char *nl_why(char *buf, size_t len)
{
	const char *msg = io_uring_zcrx_last_error();

	if (!msg)
		return "";
	snprintf(buf, len, " (kernel: %s)", msg);
	return buf;
}

/* Can zcrx be used, and if not, why; turns header split on if need be. */
static void check(void)
{
	char why[300];
	int ret, ifindex;

	if (cfg.nodev) {
		ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
		if (ret)
			die("device-less zcrx: %s", io_uring_zcrx_strerror(ret));
		return;
	}
	ret = io_uring_zcrx_check(cfg.ifname, 0, cfg.queue, 0);
	if ((ret == IO_URING_ZCRX_HDS_OFF || ret == IO_URING_ZCRX_HDS_THRESH) &&
	    !cfg.no_hds) {
		ifindex = io_uring_zcrx_ifindex(cfg.ifname);
		if (ifindex < 0)
			die("%s: %s", cfg.ifname, strerror(-ifindex));
		printf("%s queue %u: %s\nturning header split on, with hds-thresh 0\n",
		       cfg.ifname, cfg.queue, io_uring_zcrx_strerror(ret));
		ret = io_uring_zcrx_enable_hds((unsigned int)ifindex);
		if (ret)
			die("enabling header split on %s: %s%s", cfg.ifname,
			    io_uring_zcrx_strerror(ret), nl_why(why, sizeof(why)));
		ret = io_uring_zcrx_check(cfg.ifname, 0, cfg.queue, 0);
	}
	if (ret)
		die("%s queue %u: %s%s", cfg.ifname, cfg.queue,
		    io_uring_zcrx_strerror(ret),
		    ret < 0 ? nl_why(why, sizeof(why)) : "");
}

static int listen_socket(void)
{
	struct sockaddr_in6 a6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(cfg.port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sockaddr_in a4 = {
		.sin_family = AF_INET,
		.sin_port = htons(cfg.port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd, one = 1;

	fd = socket(cfg.ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (cfg.ipv6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
		       bind(fd, (struct sockaddr *)&a4, sizeof(a4)))
		die("bind to port %u: %s", cfg.port, strerror(errno));
	if (listen(fd, 1))
		die("listen: %s", strerror(errno));
	return fd;
}

static int accept_one(int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	int ret, fd;

	ret = poll(&pfd, 1, cfg.timeout ? cfg.timeout * 1000 : -1);
	if (ret < 0)
		die("waiting for a connection: %s", strerror(errno));
	if (!ret)
		die("no connection within %d s", cfg.timeout);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept: %s", strerror(errno));
	return fd;
}

/* The ring, the area and the ifq (with a zcrx_stats block if it can). */
static void setup(void)
{
	struct io_uring_params p;
	struct io_uring_zcrx_ifq_opts opts;
	size_t nr_bufs;
	int ret, ifindex = 0;

	memset(&p, 0, sizeof(p));
	/* zcrx wants DEFER_TASKRUN (so SINGLE_ISSUER) and 32-byte CQEs */
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  IORING_SETUP_CQE32 | IORING_SETUP_CQSIZE;
	p.cq_entries = cfg.cq_entries;
	ret = io_uring_queue_init_params(16, &ring, &p);
	if (ret)
		die("io_uring_queue_init: %s", strerror(-ret));

	if (cfg.heap)
		ret = io_uring_zcrx_area_alloc_heap(&area, cfg.heap,
						    cfg.area_size);
	else
		ret = io_uring_zcrx_area_alloc(&area, cfg.area_type,
					       cfg.area_size);
	if (ret)
		die("allocating a %zu-byte %s area: %s%s", cfg.area_size,
		    cfg.area_name, strerror(-ret),
		    cfg.area_type == IO_URING_ZCRX_AREA_HUGE_2M ?
		    " (reserve huge pages: /proc/sys/vm/nr_hugepages)" : "");

	if (!cfg.nodev) {
		ifindex = io_uring_zcrx_ifindex(cfg.ifname);
		if (ifindex < 0)
			die("%s: %s", cfg.ifname, strerror(-ifindex));
	}
	/* one refill entry per buffer: returning never finds the ring full */
	nr_bufs = area.len / (size_t)sysconf(_SC_PAGESIZE);
	memset(&opts, 0, sizeof(opts));
	opts.if_idx = (__u32)ifindex;
	opts.if_rxq = cfg.nodev ? 0 : cfg.queue;
	opts.flags = cfg.nodev ? ZCRX_REG_NODEV : 0;
	opts.rq_entries = cfg.rq_entries ? cfg.rq_entries :
			  nr_bufs > 32768 ? 32768 : (__u32)nr_bufs;
	opts.rq_mem = (__u32)cfg.rq_mem;
	opts.area = &area;
	if (!cfg.no_stats) {
		/* statistics only: no event CQEs (event_mask 0) */
		opts.event_flags = ZCRX_EVENT_DESC_FLAG_STATS;
		opts.event_user_data = UD_EVENT;
	}
	ret = io_uring_zcrx_ifq_setup(&ring, &opts, &ifq);
	if ((ret == -EINVAL || ret == -EOPNOTSUPP) && opts.event_flags) {
		/* a kernel without event descriptors: go on without */
		opts.event_flags = 0;
		if (!io_uring_zcrx_ifq_setup(&ring, &opts, &ifq)) {
			printf("note: no zcrx_stats on this kernel (%s with one): copies are not counted\n",
			       strerror(-ret));
			ret = 0;
		}
	}
	if (ret) {
		if (cfg.nodev)
			die("registering a device-less ifq: %s", strerror(-ret));
		die("registering %s queue %u: %s", cfg.ifname, cfg.queue,
		    ret == -EOPNOTSUPP ?
		    io_uring_zcrx_strerror(IO_URING_ZCRX_NO_QUEUE_MGMT) :
		    strerror(-ret));
	}

	pending_cap = area.len / ifq.rx_buf_len + 64;
	pending = malloc(pending_cap * sizeof(*pending));
	if (!pending)
		die("out of memory");

	if (cfg.nodev)
		printf("zcrx_id %u, device-less", ifq.zcrx_id);
	else
		printf("zcrx_id %u on %s (ifindex %d) queue %u", ifq.zcrx_id,
		       cfg.ifname, ifindex, cfg.queue);
	printf(": %s area of %zu MiB (%zu buffers of %u bytes), %u refill entries in %s memory, CQ of %u, stats %s\n",
	       cfg.area_name, area.len >> 20, area.len / ifq.rx_buf_len,
	       ifq.rx_buf_len, ifq.rq.ring_entries,
	       cfg.rq_mem == IO_URING_ZCRX_RQ_KERNEL ? "kernel" : "user",
	       *ring.cq.kring_entries, ifq.stats ? "on" : "off");
}

static void arm(void)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	uint64_t left;

	if (!sqe)
		die("no SQE");
	req_len = cfg.req_max;
	if (cfg.size) {
		unsigned int max = cfg.req_max ? cfg.req_max : REQ_MAX;

		left = cfg.size - st.bytes;
		req_len = left > max ? max : (unsigned int)left;
	}
	io_uring_prep_recv_zc(sqe, sock_fd, ifq.zcrx_id, req_len, 0);
	io_uring_sqe_set_data64(sqe, UD_RECV);
	armed = true;
	req_bytes = 0;
	st.requests++;
}

static void flush_rq(void)
{
	struct zcrx_ctrl ctrl;
	int ret;

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = ifq.zcrx_id;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	ret = io_uring_register_zcrx_ctrl(&ring, &ctrl);
	if (ret)
		die("ZCRX_CTRL_FLUSH_RQ: %s", strerror(-ret));
	st.flushes++;
}

/*
 * Give the buffers of the CQEs just handled back: one release store of
 * the refill ring's tail for all. A full ring keeps the rest for later:
 * a device queue's allocator drains the ring as it needs buffers; a
 * device-less ifq is drained here with FLUSH_RQ.
 */
static void give_back(void)
{
	unsigned int n;

	if (!nr_pending)
		return;
	n = io_uring_zcrx_rq_return_many(&ifq.rq, pending,
					 (unsigned int)nr_pending);
	if (n < nr_pending && cfg.nodev) {
		flush_rq();
		n += io_uring_zcrx_rq_return_many(&ifq.rq, pending + n,
						  (unsigned int)(nr_pending - n));
	}
	st.returned += n;
	nr_pending -= n;
	memmove(pending, pending + n, nr_pending * sizeof(*pending));
}

static void data(const struct io_uring_cqe *cqe)
{
	void *buf;
	int len = io_uring_zcrx_cqe_buf(&ifq, cqe, &buf);
	long bad;

	if (len < 0)
		die("CQE of %d bytes at area offset %#llx, outside the area",
		    cqe->res, (unsigned long long)io_uring_zcrx_cqe_off(cqe));
	if (cfg.verify) {
		bad = zcrx_pattern_check(buf, st.bytes, (size_t)len);
		if (bad >= 0)
			die("stream byte %" PRIu64 " (area offset %#llx + %ld) is %#x, want %#x",
			    st.bytes + (uint64_t)bad,
			    (unsigned long long)io_uring_zcrx_cqe_off(cqe), bad,
			    ((uint8_t *)buf)[bad],
			    zcrx_pattern_byte(st.bytes + (uint64_t)bad));
	}
	st.bytes += (uint64_t)len;
	st.cqes++;
	req_bytes += (uint64_t)len;
	if (nr_pending == pending_cap) {
		pending_cap *= 2;
		pending = realloc(pending, pending_cap * sizeof(*pending));
		if (!pending)
			die("out of memory");
	}
	pending[nr_pending].off = io_uring_zcrx_cqe_off(cqe);
	pending[nr_pending].len = (__u32)len;
	pending[nr_pending].__pad = 0;
	nr_pending++;
}

/* One CQE; returns true when receiving is over. */
static bool handle(const struct io_uring_cqe *cqe, unsigned int *enomem_run)
{
	if (cqe->user_data == UD_EVENT) {
		st.event_cqes++;
		return false;
	}
	if (cqe->res > 0) {
		data(cqe);
		*enomem_run = 0;
	}
	if (cqe->flags & IORING_CQE_F_MORE)
		return false;

	/* the request ended: re-arm it unless the stream is done */
	armed = false;
	if (cqe->res >= 0) {
		if (cfg.size && st.bytes >= cfg.size)
			return true;
		if (req_len && req_bytes >= req_len) {
			st.len_ends++;
			return false;
		}
		if (!cqe->res) {
			st.eof = true;
			return true;
		}
		return false;
	}
	switch (cqe->res) {
	case -ENOSPC:	/* the CQ was full */
		st.enospc++;
		return false;
	case -ENOMEM:	/* out of free buffers: they come back below */
		st.enomem++;
		if (++*enomem_run == MAX_ENOMEM)
			die("%u ENOMEM ends in a row without data (%zu buffers held)",
			    MAX_ENOMEM, nr_pending);
		return false;
	}
	die("RECV_ZC failed after %" PRIu64 " bytes: %s", st.bytes,
	    strerror(-cqe->res));
}

static void receive(void)
{
	struct __kernel_timespec ts = { .tv_sec = cfg.timeout };
	unsigned int enomem_run = 0;
	bool done = false;

	while (!done && !stop) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		int ret;

		if (!armed)
			arm();
		ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1,
						       cfg.timeout ? &ts : NULL,
						       NULL);
		if (ret == -EINTR)
			continue;
		if (ret == -ETIME)
			die("nothing received for %d s, after %" PRIu64 " bytes",
			    cfg.timeout, st.bytes);
		if (ret < 0)
			die("io_uring_submit_and_wait: %s", strerror(-ret));

		io_uring_for_each_cqe(&ring, head, cqe) {
			n++;
			if (handle(cqe, &enomem_run))
				done = true;
		}
		io_uring_cq_advance(&ring, n);
		give_back();
	}
	st.interrupted = !done;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void summary(double secs)
{
	uint64_t copied = 0, copy_cqes = 0, zc;
	bool stats = ifq.stats != NULL;

	if (stats) {
		copied = ifq.stats->copy_bytes;
		copy_cqes = ifq.stats->copy_count;
	}
	zc = st.bytes > copied ? st.bytes - copied : 0;
	printf("received %" PRIu64 " bytes in %" PRIu64 " CQEs, %.2f s, %.1f MiB/s, %s, %s\n",
	       st.bytes, st.cqes, secs,
	       secs > 0 ? (double)st.bytes / secs / (1 << 20) : 0.0,
	       st.eof ? "to EOF" : st.interrupted ? "interrupted" :
	       "to the length limit",
	       cfg.verify ? "every byte verified" : "not verified");
	if (stats)
		printf("zero-copy %" PRIu64 " bytes (%.2f%%), copied %" PRIu64 " bytes in %" PRIu64 " CQEs (zcrx_stats)\n",
		       zc, st.bytes ? 100.0 * (double)zc / (double)st.bytes : 0.0,
		       copied, copy_cqes);
	else
		printf("zero-copy and copied bytes unknown: no zcrx_stats\n");
	printf("%" PRIu64 " buffers returned through the refill ring, %" PRIu64 " FLUSH_RQ; %" PRIu64 " RECV_ZC requests (re-armed after %" PRIu64 " ENOSPC, %" PRIu64 " ENOMEM, %" PRIu64 " length ends)\n",
	       st.returned, st.flushes, st.requests, st.enospc, st.enomem,
	       st.len_ends);
	printf("summary: bytes=%" PRIu64 " cqes=%" PRIu64 " zc_bytes=%" PRIu64 " copied_bytes=%" PRIu64 " copied_cqes=%" PRIu64 " stats=%d returned=%" PRIu64 " held=%zu flushes=%" PRIu64 " requests=%" PRIu64 " enospc=%" PRIu64 " enomem=%" PRIu64 " len_ends=%" PRIu64 " eof=%d verified=%d\n",
	       st.bytes, st.cqes, stats ? zc : 0, copied, copy_cqes, stats,
	       st.returned, nr_pending, st.flushes, st.requests, st.enospc,
	       st.enomem, st.len_ends, st.eof, cfg.verify);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	int lfd;

	parse_args(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	check();
	lfd = listen_socket();
	setup();
	printf("listening on port %u%s\n", cfg.port, cfg.ipv6 ? " (IPv6)" : "");
	sock_fd = accept_one(lfd);
	close(lfd);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	receive();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	summary((double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* the ring first: it holds the ifq, the refill ring and the area */
	close(sock_fd);
	io_uring_queue_exit(&ring);
	io_uring_zcrx_ifq_free(&ifq);
	io_uring_zcrx_area_free(&area);
	free(pending);
	return 0;
}
