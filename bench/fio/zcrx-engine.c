// SPDX-License-Identifier: GPL-2.0
/*
 * zcrx: a fio external ioengine that receives a TCP stream with io_uring
 * zero-copy receive (zcrx), or, with rx=recv, with io_uring multishot recv
 * into provided buffers (the copying baseline, in the same harness).
 *
 *   ioengine=external:/opt/zcrx-lts/lib/fio/zcrx.so
 *   fio --enghelp=/opt/zcrx-lts/lib/fio/zcrx.so     the options
 *
 * The receiving side of a stream (rw=read); the sender is fio's net engine
 * (rw=write) or zcrx-send. The connection options are those of fio's net
 * engine: hostname, port, listen, protocol=tcp|tcpv6; with numjobs=N, job
 * n uses port+n (and queue+n), as the net engine does with ports.
 *
 * An io_u of bs bytes completes when bs more bytes of the stream have
 * arrived, so fio's bandwidth, IOPS, completion latency and CPU figures
 * are those of received bytes. The data are never copied into io_u
 * buffers: with rx=zcrx they stay in the area, where the NIC (or, with
 * nodev, the kernel's copy) put them, and go back to the kernel through
 * the refill ring, refill_batch buffers per release store of its tail.
 * With pattern= every byte is checked in place (in the area, or in the
 * provided buffer) against a known pattern:
 *
 *   pattern=offset  what fio's net engine sends with verify=pattern
 *                   verify_pattern=%o do_verify=0: each block of
 *                   pattern_bs bytes (the sender's bs) holds its stream
 *                   offset, a little-endian 64-bit number, over and over
 *   pattern=zcrx    what zcrx-send sends (liburing-ext/examples/zcrx-pattern.h)
 *
 * fio's net engine ends every stream it sends with an 8-byte close
 * message; a job whose size is that of the sender's never reads it (the
 * engine receives exactly size bytes), and at the end of a stream it is
 * recognised and not counted.
 *
 * The ring, the area and the ifq are made in the job's own process
 * (->init) and torn down in ->cleanup, which prints what was received,
 * how much of it was copied (zcrx_stats) and a "zcrx-summary:" line of
 * key=value pairs for scripts.
 *
 * Only symbols the fio executable exports are used (the build checks).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fio.h"
#include "optgroup.h"
#include "verify.h"

#include <liburing-ext.h>

#include "zcrx-pattern.h"

/* protocol= values, the net engine's */
enum {
	ZE_PROTO_TCP = 1,
	ZE_PROTO_UDP,
	ZE_PROTO_UNIX,
	ZE_PROTO_TCP_V6,
	ZE_PROTO_UDP_V6,
};

enum { ZE_RX_ZCRX = 0, ZE_RX_RECV };
enum { ZE_PAT_NONE = 0, ZE_PAT_OFFSET, ZE_PAT_ZCRX };
enum { ZE_AREA_ANON = 0, ZE_AREA_HUGE, ZE_AREA_UDMABUF, ZE_AREA_DMA_HEAP };

#define UD_RECV		1ULL
#define UD_EVENT	2ULL
/* RECV_ZC's length limit is 32 bits: longer jobs re-arm in these */
#define REQ_MAX		(1U << 30)
/* requests ended with ENOMEM in a row, with no data between, before failing */
#define MAX_ENOMEM	1000
/* how long one wait in the kernel lasts before td->terminate is looked at */
#define WAIT_SLICE_MS	100
/* the recv baseline's provided buffer group */
#define RECV_BGID	7

/* fio's net engine's close message: magic "link", command 0x89, LE32 */
static const uint8_t close_msg[8] = { 0x6b, 0x6e, 0x69, 0x6c, 0x89, 0, 0, 0 };

struct ze_options {
	struct thread_data *td;	/* fio's: the first member */
	unsigned int port;
	unsigned int proto;
	unsigned int listen;
	char *ifname;
	unsigned int queue;
	unsigned int queue_set;
	unsigned int nodev;
	unsigned int area;
	char *heap;
	unsigned long long area_size;
	unsigned int rq_entries;
	unsigned int cq_entries;
	unsigned int refill_batch;
	unsigned long long rx_buf_len;
	unsigned int rx;
	unsigned int pattern;
	unsigned long long pattern_bs;
	unsigned int hds;
	unsigned int nodelay;
};

struct ze_data {
	struct ze_options *o;
	const char *job;
	unsigned int port, queue;
	int listen_fd;
	int fd;				/* the stream */
	struct sockaddr_storage peer;	/* where to connect without listen */
	socklen_t peer_len;

	struct io_uring ring;
	bool ring_up;
	struct io_uring_zcrx_area area;
	bool area_up;
	struct io_uring_zcrx_ifq ifq;
	bool ifq_up;
	char ifname[IF_NAMESIZE];
	int ifindex;
	size_t page;
	unsigned int nr_bufs;		/* buffers of the area */
	unsigned int rq_entries;	/* refill ring (zcrx) or buffer ring (recv) */
	unsigned int batch;		/* refill_batch */

	/* rx=zcrx: buffers not yet in the refill ring */
	struct io_uring_zcrx_rqe *backlog;
	unsigned int nr_backlog;
	unsigned int unpublished;	/* added to the ring since the last store */

	/* rx=recv: the provided buffer ring */
	struct io_uring_buf_ring *br;
	size_t br_len;
	unsigned int br_added;		/* added since the last advance */
	unsigned int buf_len;

	/* the request */
	bool armed;
	uint32_t req_len;
	uint64_t req_bytes;
	unsigned int enomem_run;

	/* the stream */
	uint64_t limit;			/* bytes the job wants, 0: no limit */
	uint64_t rx_bytes;		/* stream bytes received and checked */
	uint64_t assigned;		/* of them, given to completed io_us */
	uint64_t excess;		/* bytes past the limit (not counted) */
	bool eof;
	int error;			/* a positive errno that ends the job */
	uint8_t tail[8];		/* the last bytes of the stream */
	unsigned int close_got;		/* bytes of a close message seen */
	bool close_seen;
	char mismatch[256];		/* a pattern mismatch held back */

	/* io_us queued, oldest first, and those just completed */
	struct io_u **fifo;
	unsigned int fifo_cap, fifo_head, fifo_n;
	struct io_u **events;

	/* counters for the summary */
	uint64_t cqes, returned, commits, flushes, requests;
	uint64_t enospc, enomem, enobufs, io_us;
};

static int str_hostname_cb(void *data, const char *input)
{
	struct ze_options *o = data;

	free(o->td->o.filename);
	o->td->o.filename = strdup(input);
	return 0;
}

static int str_queue_cb(void *data, long long *val)
{
	struct ze_options *o = data;

	if (*val < 0 || *val > 65535) {
		log_err("zcrx: queue=%lld: an rx queue number, 0 to 65535\n", *val);
		return 1;
	}
	o->queue = (unsigned int)*val;
	o->queue_set = 1;
	return 0;
}

static struct fio_option options[] = {
	{
		.name	= "hostname",
		.lname	= "zcrx engine hostname",
		.type	= FIO_OPT_STR_STORE,
		.cb	= str_hostname_cb,
		.help	= "Without listen: the sender to connect to; with listen: the local address to listen on (default any)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "port",
		.lname	= "zcrx engine port",
		.type	= FIO_OPT_INT,
		.off1	= offsetof(struct ze_options, port),
		.minval	= 1,
		.maxval	= 65535,
		.help	= "TCP port (job n of numjobs uses port+n)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "listen",
		.lname	= "zcrx engine listen",
		.type	= FIO_OPT_STR_SET,
		.off1	= offsetof(struct ze_options, listen),
		.help	= "Listen for the sender's connection (default: connect to hostname)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "protocol",
		.lname	= "zcrx engine protocol",
		.alias	= "proto",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct ze_options, proto),
		.help	= "Network protocol: a TCP stream over IPv4 or IPv6",
		.def	= "tcp",
		.posval = {
			  { .ival = "tcp",
			    .oval = ZE_PROTO_TCP,
			    .help = "TCP over IPv4",
			  },
			  { .ival = "tcpv6",
			    .oval = ZE_PROTO_TCP_V6,
			    .help = "TCP over IPv6",
			  },
			  /* refused by ->init with a message saying why */
			  { .ival = "udp",
			    .oval = ZE_PROTO_UDP,
			    .help = "refused: zcrx receives TCP streams only",
			  },
			  { .ival = "udpv6",
			    .oval = ZE_PROTO_UDP_V6,
			    .help = "refused: zcrx receives TCP streams only",
			  },
			  { .ival = "unix",
			    .oval = ZE_PROTO_UNIX,
			    .help = "refused: zcrx receives TCP streams only",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "nodelay",
		.lname	= "No Delay",
		.type	= FIO_OPT_BOOL,
		.off1	= offsetof(struct ze_options, nodelay),
		.help	= "Use TCP_NODELAY on the connection",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "rx",
		.lname	= "zcrx engine receive method",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct ze_options, rx),
		.help	= "How the stream is received",
		.def	= "zcrx",
		.posval = {
			  { .ival = "zcrx",
			    .oval = ZE_RX_ZCRX,
			    .help = "io_uring zero-copy receive (RECV_ZC) into the area",
			  },
			  { .ival = "recv",
			    .oval = ZE_RX_RECV,
			    .help = "io_uring multishot recv into provided buffers carved from the area (copies; the baseline)",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "ifname",
		.lname	= "zcrx interface",
		.type	= FIO_OPT_STR_STORE,
		.off1	= offsetof(struct ze_options, ifname),
		.help	= "rx=zcrx: the network interface whose rx queue (queue=) receives the flow",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "queue",
		.lname	= "zcrx rx queue",
		.type	= FIO_OPT_INT,
		.cb	= str_queue_cb,
		.help	= "rx=zcrx: the rx queue of ifname the flow is steered to (job n of numjobs uses queue+n)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "nodev",
		.lname	= "zcrx device-less",
		.type	= FIO_OPT_STR_SET,
		.off1	= offsetof(struct ze_options, nodev),
		.help	= "rx=zcrx: device-less zcrx (ZCRX_REG_NODEV) on any interface, loopback too; every byte copied by the kernel",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "hds",
		.lname	= "zcrx header split",
		.type	= FIO_OPT_BOOL,
		.off1	= offsetof(struct ze_options, hds),
		.help	= "rx=zcrx with ifname: turn header split on (hds-thresh 0) when it is off",
		.def	= "1",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "area",
		.lname	= "zcrx area type",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct ze_options, area),
		.help	= "Memory of the receive area",
		.def	= "anon",
		.posval = {
			  { .ival = "anon",
			    .oval = ZE_AREA_ANON,
			    .help = "anonymous memory",
			  },
			  { .ival = "huge",
			    .oval = ZE_AREA_HUGE,
			    .help = "2 MiB huge pages (reserve them: /proc/sys/vm/nr_hugepages)",
			  },
			  { .ival = "udmabuf",
			    .oval = ZE_AREA_UDMABUF,
			    .help = "dma-buf from /dev/udmabuf (needs a kernel with dma-buf zcrx areas)",
			  },
			  { .ival = "dma-heap",
			    .oval = ZE_AREA_DMA_HEAP,
			    .help = "dma-buf from /dev/dma_heap/HEAP (heap=, default system; needs a kernel with dma-buf zcrx areas)",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "heap",
		.lname	= "zcrx dma-buf heap",
		.type	= FIO_OPT_STR_STORE,
		.off1	= offsetof(struct ze_options, heap),
		.help	= "area=dma-heap: the heap in /dev/dma_heap (default system; device memory, e.g. ivshmem-0000:00:02.0)",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "area_size",
		.lname	= "zcrx area size",
		.type	= FIO_OPT_STR_VAL,
		.off1	= offsetof(struct ze_options, area_size),
		.help	= "Size of the receive area (rounded up to the page or huge page size)",
		.def	= "64m",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "rq_entries",
		.lname	= "zcrx refill ring entries",
		.type	= FIO_OPT_INT,
		.off1	= offsetof(struct ze_options, rq_entries),
		.help	= "Entries of the refill ring (rx=recv: of the provided buffer ring), rounded up to a power of two, at most 32768 and the area's buffers (0: one per buffer)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "cq_entries",
		.lname	= "zcrx CQ entries",
		.type	= FIO_OPT_INT,
		.off1	= offsetof(struct ze_options, cq_entries),
		.help	= "Entries of the io_uring completion queue",
		.def	= "4096",
		.minval	= 1,
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "refill_batch",
		.lname	= "zcrx refill batch",
		.type	= FIO_OPT_INT,
		.off1	= offsetof(struct ze_options, refill_batch),
		.help	= "Buffers given back per release store of the refill ring's tail (the rest before each wait)",
		.def	= "32",
		.minval	= 1,
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "rx_buf_len",
		.lname	= "zcrx buffer size",
		.type	= FIO_OPT_STR_VAL,
		.off1	= offsetof(struct ze_options, rx_buf_len),
		.help	= "rx=zcrx with ifname: size of each area buffer, a power of two from the page size up to the area's contiguous chunks (area=huge: 2 MiB); 0: the page size",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "pattern",
		.lname	= "zcrx pattern check",
		.type	= FIO_OPT_STR,
		.off1	= offsetof(struct ze_options, pattern),
		.help	= "Check every received byte in place against a known pattern",
		.def	= "none",
		.posval = {
			  { .ival = "none",
			    .oval = ZE_PAT_NONE,
			    .help = "no check",
			  },
			  { .ival = "offset",
			    .oval = ZE_PAT_OFFSET,
			    .help = "fio's net engine with verify=pattern verify_pattern=%o do_verify=0: each pattern_bs block holds its stream offset (LE64) repeated",
			  },
			  { .ival = "zcrx",
			    .oval = ZE_PAT_ZCRX,
			    .help = "zcrx-send's pattern: byte at offset o is o^o>>8^o>>16^o>>24",
			  },
		},
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= "pattern_bs",
		.lname	= "zcrx pattern block size",
		.type	= FIO_OPT_STR_VAL,
		.off1	= offsetof(struct ze_options, pattern_bs),
		.help	= "pattern=offset: the sender's block size (0: this job's bs)",
		.def	= "0",
		.category = FIO_OPT_C_ENGINE,
		.group	= FIO_OPT_G_NETIO,
	},
	{
		.name	= NULL,
	},
};

/* End the job's set-up with @fmt, naming the option at fault. */
static int bad(struct thread_data *td, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct thread_data *td, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("zcrx: %s: %s\n", td->o.name ? td->o.name : "job", msg);
	/* what fio prints in the job's err= line */
	snprintf(td->verror, sizeof(td->verror), "zcrx: %.*s",
		 (int)sizeof(td->verror) - 7, msg);
	td->error = err;
	return 1;
}

static bool is_tcp(const struct ze_options *o)
{
	return o->proto == ZE_PROTO_TCP || o->proto == ZE_PROTO_TCP_V6;
}

static const char *proto_name(unsigned int proto)
{
	switch (proto) {
	case ZE_PROTO_TCP: return "tcp";
	case ZE_PROTO_TCP_V6: return "tcpv6";
	case ZE_PROTO_UDP: return "udp";
	case ZE_PROTO_UDP_V6: return "udpv6";
	case ZE_PROTO_UNIX: return "unix";
	}
	return "?";
}

static const char *area_name(unsigned int area)
{
	switch (area) {
	case ZE_AREA_ANON: return "anon";
	case ZE_AREA_HUGE: return "huge";
	case ZE_AREA_UDMABUF: return "udmabuf";
	case ZE_AREA_DMA_HEAP: return "dma-heap";
	}
	return "?";
}

static unsigned int pow2_floor(unsigned int v)
{
	unsigned int p = 1;

	while (p <= v / 2)
		p *= 2;
	return p;
}

static unsigned int pow2_ceil(unsigned int v)
{
	unsigned int p = 1;

	while (p < v && p < (1U << 31))
		p *= 2;
	return p;
}

/* The kernel's IO_URING_QUERY_ZCRX answer: 0, or a negative errno. */
static int query_zcrx(struct io_uring_query_zcrx *qz)
{
	struct io_uring_query_hdr hdr;
	int ret;

	memset(qz, 0, sizeof(*qz));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_data = (__u64)(uintptr_t)qz;
	hdr.query_op = IO_URING_QUERY_ZCRX;
	hdr.size = sizeof(*qz);
	ret = io_uring_register_query(&hdr);
	return ret ? ret : hdr.result;
}

/* The option a reason of io_uring_zcrx_check() is about. */
static const char *reason_option(int reason, const struct ze_options *o)
{
	switch (reason) {
	case IO_URING_ZCRX_NO_NODEV:
		return "nodev";
	case IO_URING_ZCRX_NO_DEVICE:
	case IO_URING_ZCRX_HDS_OFF:
	case IO_URING_ZCRX_HDS_THRESH:
	case IO_URING_ZCRX_NO_QUEUE_MGMT:
		return "ifname";
	case IO_URING_ZCRX_NO_QUEUE:
	case IO_URING_ZCRX_QUEUE_BUSY:
		return "queue";
	}
	return "rx=zcrx";
}

/* Can zcrx be used as asked, and if not why (io_uring_zcrx_check()). */
static int check_zcrx(struct thread_data *td, struct ze_data *zd)
{
	struct ze_options *o = zd->o;
	int ret, ifindex;

	if (o->nodev)
		ret = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	else
		ret = io_uring_zcrx_check(zd->ifname, 0, zd->queue, 0);
	if ((ret == IO_URING_ZCRX_HDS_OFF || ret == IO_URING_ZCRX_HDS_THRESH) &&
	    o->hds) {
		ifindex = io_uring_zcrx_ifindex(zd->ifname);
		if (ifindex >= 0)
			ret = io_uring_zcrx_enable_hds((unsigned int)ifindex);
		else
			ret = ifindex;
		if (ret)
			return bad(td, ret < 0 ? -ret : EINVAL,
				   "ifname=%s: turning header split on: %s",
				   zd->ifname, io_uring_zcrx_strerror(ret));
		log_info("zcrx: %s: header split turned on (hds-thresh 0)\n",
			 zd->ifname);
		ret = io_uring_zcrx_check(zd->ifname, 0, zd->queue, 0);
	}
	if (!ret)
		return 0;
	if (ret < 0)
		return bad(td, -ret, "rx=zcrx: io_uring_zcrx_check() failed: %s",
			   io_uring_zcrx_strerror(ret));
	if (o->nodev)
		return bad(td, EOPNOTSUPP, "%s: %s (io_uring_zcrx_check)",
			   reason_option(ret, o), io_uring_zcrx_strerror(ret));
	if (ret == IO_URING_ZCRX_NO_QUEUE || ret == IO_URING_ZCRX_QUEUE_BUSY)
		return bad(td, ret == IO_URING_ZCRX_NO_QUEUE ? ERANGE : EBUSY,
			   "queue=%u%s: %s (io_uring_zcrx_check on %s)",
			   zd->queue,
			   td->subjob_number ? " (queue+subjob)" : "",
			   io_uring_zcrx_strerror(ret), zd->ifname);
	if (ret == IO_URING_ZCRX_HDS_OFF || ret == IO_URING_ZCRX_HDS_THRESH)
		return bad(td, EINVAL, "ifname=%s: %s (io_uring_zcrx_check; hds=1 turns it on)",
			   zd->ifname, io_uring_zcrx_strerror(ret));
	if (ret == IO_URING_ZCRX_NO_DEVICE)
		return bad(td, ENODEV, "ifname=%s: %s (io_uring_zcrx_check)",
			   zd->ifname, io_uring_zcrx_strerror(ret));
	return bad(td, EOPNOTSUPP, "%s: %s (io_uring_zcrx_check)",
		   reason_option(ret, o), io_uring_zcrx_strerror(ret));
}

static int check_options(struct thread_data *td, struct ze_data *zd)
{
	struct ze_options *o = zd->o;
	unsigned long long bs = td->o.bs[DDIR_READ];

	if (td_write(td) || td_trim(td))
		return bad(td, EINVAL, "rw=%s: this engine receives a stream: use rw=read (the sender is fio's net engine with rw=write, or zcrx-send)",
			   td_rw(td) ? "readwrite" : td_write(td) ? "write" : "trim");
	if (td_random(td))
		return bad(td, EINVAL, "rw=randread: a stream can only be read in order: use rw=read");
	if (!is_tcp(o))
		return bad(td, EPROTONOSUPPORT, "protocol=%s: zcrx receives TCP streams only: use protocol=tcp or protocol=tcpv6",
			   proto_name(o->proto));
	if (!o->port)
		return bad(td, EINVAL, "port: not set (the TCP port of the stream)");
	if (o->port + td->subjob_number > 65535)
		return bad(td, EINVAL, "port=%u: port+%u (numjobs) is past 65535",
			   o->port, td->subjob_number);
	if (!o->listen && !td->o.filename)
		return bad(td, EINVAL, "hostname: not set: give the sender's address, or listen for it with listen");
	if (td->o.verify != VERIFY_NONE)
		return bad(td, EINVAL, "verify=: fio verifies io_u buffers, which this engine never fills (the data stay in the area): use pattern= to check the data in place");
	if (bs < 1 || td->o.min_bs[DDIR_READ] != td->o.max_bs[DDIR_READ])
		return bad(td, EINVAL, "bs: one fixed block size, please");
	if (o->pattern == ZE_PAT_OFFSET && o->pattern_bs && o->pattern_bs % 8)
		return bad(td, EINVAL, "pattern_bs=%llu: a multiple of 8 bytes (fio's %%o is 8 bytes)",
			   o->pattern_bs);
	if (o->pattern == ZE_PAT_OFFSET && !o->pattern_bs) {
		if (bs % 8)
			return bad(td, EINVAL, "pattern=offset: bs=%llu is not a multiple of 8: set pattern_bs to the sender's bs",
				   bs);
		o->pattern_bs = bs;
	}

	if (o->rx_buf_len) {
		if (o->rx != ZE_RX_ZCRX || o->nodev)
			return bad(td, EINVAL, "rx_buf_len=%llu: buffers larger than a page are for rx=zcrx on a device queue (ifname): %s",
				   o->rx_buf_len, o->nodev ?
				   "device-less zcrx copies into page-sized buffers" :
				   "rx=recv uses page-sized provided buffers");
		if (o->rx_buf_len & (o->rx_buf_len - 1) ||
		    o->rx_buf_len < zd->page || o->rx_buf_len > (1ULL << 30))
			return bad(td, EINVAL, "rx_buf_len=%llu: want a power of two from the page size (%zu) up to 1 GiB",
				   o->rx_buf_len, zd->page);
	}
	if (o->heap && *o->heap && o->area != ZE_AREA_DMA_HEAP)
		return bad(td, EINVAL, "heap=%s: a heap is only for area=dma-heap",
			   o->heap);
	if (o->area == ZE_AREA_UDMABUF || o->area == ZE_AREA_DMA_HEAP) {
		struct io_uring_query_zcrx qz;
		int ret;

		if (o->rx == ZE_RX_RECV)
			return bad(td, EINVAL, "area=%s: rx=recv copies into user memory: use area=anon or area=huge",
				   area_name(o->area));
		ret = query_zcrx(&qz);
		if (ret)
			return bad(td, EOPNOTSUPP, "area=%s: this kernel has no dma-buf zcrx areas (IO_URING_QUERY_ZCRX: %s): use area=anon or area=huge",
				   area_name(o->area), strerror(-ret));
		if (!(qz.area_flags & IORING_ZCRX_AREA_DMABUF))
			return bad(td, EOPNOTSUPP, "area=%s: this kernel has no dma-buf zcrx areas (IO_URING_QUERY_ZCRX: area_flags without IORING_ZCRX_AREA_DMABUF): use area=anon or area=huge",
				   area_name(o->area));
		if (o->nodev)
			return bad(td, EINVAL, "area=%s with nodev: device-less zcrx copies every byte, and the CPU cannot copy into a dma-buf: use area=anon or area=huge",
				   area_name(o->area));
	} else if (o->area != ZE_AREA_ANON && o->area != ZE_AREA_HUGE) {
		return bad(td, EINVAL, "area: unknown type %u (anon, huge, udmabuf, dma-heap)",
			   o->area);
	}
	if (!o->area_size)
		return bad(td, EINVAL, "area_size=0: the area needs at least one buffer");

	if (o->rx == ZE_RX_ZCRX) {
		if (o->nodev && o->ifname)
			return bad(td, EINVAL, "ifname=%s and nodev exclude each other: a device queue, or device-less",
				   o->ifname);
		if (!o->nodev && !o->ifname)
			return bad(td, EINVAL, "no ifname and no nodev: set ifname=IFNAME and queue=N (the rx queue the flow is steered to), or nodev for device-less zcrx");
		if (o->ifname && !o->queue_set)
			return bad(td, EINVAL, "ifname=%s without queue: set queue=N, the rx queue the flow is steered to",
				   o->ifname);
		if (o->ifname && strlen(o->ifname) >= IF_NAMESIZE)
			return bad(td, ENODEV, "ifname=%s: no such interface (name too long)",
				   o->ifname);
		if (o->queue_set && o->queue + td->subjob_number > 65535)
			return bad(td, ERANGE, "queue=%u: queue+%u (numjobs) is out of range",
				   o->queue, td->subjob_number);
	}
	return 0;
}

/* Sizes of the area, the ring of buffers and the refill batch. */
static int size_area(struct thread_data *td, struct ze_data *zd)
{
	struct ze_options *o = zd->o;
	size_t unit = o->area == ZE_AREA_HUGE ? 2UL << 20 : zd->page;
	unsigned long long len = (o->area_size + unit - 1) / unit * unit;
	unsigned long long bufs = len / zd->page;
	unsigned int rq;

	if (bufs > (1ULL << 31))
		return bad(td, EINVAL, "area_size=%llu: too large", o->area_size);
	zd->nr_bufs = (unsigned int)bufs;
	if (o->rq_entries) {
		if (o->rq_entries > 32768)
			return bad(td, EINVAL, "rq_entries=%u: at most 32768",
				   o->rq_entries);
		rq = pow2_ceil(o->rq_entries);
		if (rq > zd->nr_bufs)
			return bad(td, EINVAL, "area_size=%llu too small for the ring: it holds %u buffers of %zu bytes, and rq_entries=%u%s needs %u: a larger area_size or a smaller rq_entries",
				   o->area_size, zd->nr_bufs, zd->page,
				   o->rq_entries,
				   rq != o->rq_entries ? " (rounded up to a power of two)" : "",
				   rq);
	} else {
		rq = pow2_floor(zd->nr_bufs < 32768 ? zd->nr_bufs : 32768);
	}
	zd->rq_entries = rq;
	if (o->refill_batch > rq)
		return bad(td, EINVAL, "refill_batch=%u: more than the %u entries of the ring (rq_entries)",
			   o->refill_batch, rq);
	zd->batch = o->refill_batch;
	return 0;
}

static int alloc_area(struct thread_data *td, struct ze_data *zd)
{
	struct ze_options *o = zd->o;
	static const int types[] = {
		[ZE_AREA_ANON] = IO_URING_ZCRX_AREA_ANON,
		[ZE_AREA_HUGE] = IO_URING_ZCRX_AREA_HUGE_2M,
		[ZE_AREA_UDMABUF] = IO_URING_ZCRX_AREA_UDMABUF,
		[ZE_AREA_DMA_HEAP] = IO_URING_ZCRX_AREA_DMA_HEAP,
	};
	int ret;

	if (o->area == ZE_AREA_DMA_HEAP && o->heap && *o->heap)
		ret = io_uring_zcrx_area_alloc_heap(&zd->area, o->heap,
						    (size_t)zd->nr_bufs *
						    zd->page);
	else
		ret = io_uring_zcrx_area_alloc(&zd->area, types[o->area],
					       (size_t)zd->nr_bufs * zd->page);
	if (ret)
		return bad(td, -ret, "area=%s%s%s area_size=%llu: allocating the area: %s%s",
			   area_name(o->area), o->heap ? " heap=" : "",
			   o->heap ? o->heap : "", o->area_size, strerror(-ret),
			   o->area == ZE_AREA_HUGE ?
			   " (reserve huge pages: /proc/sys/vm/nr_hugepages)" : "");
	zd->area_up = true;
	return 0;
}

static int ring_init(struct thread_data *td, struct ze_data *zd)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	/* zcrx needs DEFER_TASKRUN (hence SINGLE_ISSUER) and 32-byte CQEs */
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  IORING_SETUP_CQSIZE;
	if (zd->o->rx == ZE_RX_ZCRX)
		p.flags |= IORING_SETUP_CQE32;
	p.cq_entries = zd->o->cq_entries;
	ret = io_uring_queue_init_params(16, &zd->ring, &p);
	if (ret)
		return bad(td, -ret, "cq_entries=%u: creating the io_uring: %s",
			   zd->o->cq_entries, strerror(-ret));
	zd->ring_up = true;
	return 0;
}

static int setup_zcrx(struct thread_data *td, struct ze_data *zd)
{
	struct ze_options *o = zd->o;
	struct io_uring_zcrx_ifq_opts opts;
	int ret;

	memset(&opts, 0, sizeof(opts));
	opts.if_idx = o->nodev ? 0 : (__u32)zd->ifindex;
	opts.if_rxq = o->nodev ? 0 : zd->queue;
	opts.flags = o->nodev ? ZCRX_REG_NODEV : 0;
	opts.rq_entries = zd->rq_entries;
	opts.rx_buf_len = (__u32)o->rx_buf_len;
	opts.area = &zd->area;
	/* statistics only (event_mask 0: no event CQEs) */
	opts.event_flags = ZCRX_EVENT_DESC_FLAG_STATS;
	opts.event_user_data = UD_EVENT;
	ret = io_uring_zcrx_ifq_setup(&zd->ring, &opts, &zd->ifq);
	if ((ret == -EINVAL || ret == -EOPNOTSUPP) && opts.event_flags) {
		/* a kernel without event descriptors: on without statistics */
		opts.event_flags = 0;
		if (!io_uring_zcrx_ifq_setup(&zd->ring, &opts, &zd->ifq)) {
			log_info("zcrx: no zcrx_stats on this kernel: copies are not counted\n");
			ret = 0;
		}
	}
	if (ret) {
		if (o->nodev)
			return bad(td, -ret, "nodev: registering a device-less ifq: %s",
				   strerror(-ret));
		if (ret == -ERANGE && o->rx_buf_len > zd->page)
			return bad(td, ERANGE, "rx_buf_len=%llu: larger than the area's contiguous chunks (area=anon: a page, area=huge: 2 MiB) or %s queue %u's buffers, or no such queue (registering the ifq: %s)",
				   o->rx_buf_len, zd->ifname, zd->queue,
				   strerror(-ret));
		if (ret == -EOPNOTSUPP && o->rx_buf_len > zd->page)
			return bad(td, EOPNOTSUPP, "rx_buf_len=%llu: %s cannot use buffers larger than a page, or this kernel cannot (registering the ifq: %s)",
				   o->rx_buf_len, zd->ifname, strerror(-ret));
		if (ret == -ERANGE)
			return bad(td, ERANGE, "queue=%u: %s has no such rx queue (registering the ifq: %s)",
				   zd->queue, zd->ifname, strerror(-ret));
		if (ret == -EEXIST || ret == -EBUSY)
			return bad(td, -ret, "queue=%u: %s queue %u is in use (registering the ifq: %s)",
				   zd->queue, zd->ifname, zd->queue, strerror(-ret));
		return bad(td, -ret, "ifname=%s queue=%u: registering the ifq: %s",
			   zd->ifname, zd->queue,
			   ret == -EOPNOTSUPP ?
			   io_uring_zcrx_strerror(IO_URING_ZCRX_NO_QUEUE_MGMT) :
			   strerror(-ret));
	}
	zd->ifq_up = true;
	zd->backlog = calloc(zd->nr_bufs, sizeof(*zd->backlog));
	if (!zd->backlog)
		return bad(td, ENOMEM, "out of memory");
	return 0;
}

static int setup_recv(struct thread_data *td, struct ze_data *zd)
{
	struct io_uring_buf_reg reg;
	unsigned int i, mask;
	int ret;

	zd->buf_len = (unsigned int)zd->page;
	zd->br_len = (sizeof(struct io_uring_buf) * zd->rq_entries + zd->page - 1) /
		     zd->page * zd->page;
	zd->br = mmap(NULL, zd->br_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (zd->br == MAP_FAILED) {
		zd->br = NULL;
		return bad(td, errno, "mapping the buffer ring: %s", strerror(errno));
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (__u64)(uintptr_t)zd->br;
	reg.ring_entries = zd->rq_entries;
	reg.bgid = RECV_BGID;
	ret = io_uring_register_buf_ring(&zd->ring, &reg, 0);
	if (ret)
		return bad(td, -ret, "rx=recv: registering the provided buffer ring: %s",
			   strerror(-ret));
	io_uring_buf_ring_init(zd->br);
	mask = io_uring_buf_ring_mask(zd->rq_entries);
	for (i = 0; i < zd->rq_entries; i++)
		io_uring_buf_ring_add(zd->br, (char *)zd->area.addr +
				      (size_t)i * zd->buf_len, zd->buf_len,
				      (unsigned short)i, mask, (int)i);
	io_uring_buf_ring_advance(zd->br, (int)zd->rq_entries);
	return 0;
}

static int resolve(struct thread_data *td, struct ze_data *zd, bool passive)
{
	struct ze_options *o = zd->o;
	bool v6 = o->proto == ZE_PROTO_TCP_V6;
	struct addrinfo hints, *res = NULL;
	char port[8];
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	snprintf(port, sizeof(port), "%u", zd->port);
	ret = getaddrinfo(td->o.filename, port, &hints, &res);
	if (ret || !res)
		return bad(td, EINVAL, "hostname=%s: %s", td->o.filename ?: "",
			   ret ? gai_strerror(ret) : "no address");
	memcpy(&zd->peer, res->ai_addr, res->ai_addrlen);
	zd->peer_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int listen_socket(struct thread_data *td, struct ze_data *zd)
{
	int fd, one = 1;

	if (resolve(td, zd, true))
		return 1;
	fd = socket(zd->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bad(td, errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&zd->peer, zd->peer_len) ||
	    listen(fd, 1)) {
		int err = errno;

		close(fd);
		return bad(td, err, "port=%u%s: listening: %s", zd->port,
			   td->subjob_number ? " (port+subjob)" : "",
			   strerror(err));
	}
	zd->listen_fd = fd;
	return 0;
}

static void ze_cleanup(struct thread_data *td);

static int ze_init(struct thread_data *td)
{
	struct ze_options *o = td->eo;
	struct ze_data *zd;
	unsigned int depth = td->o.iodepth ? td->o.iodepth : 1;

	zd = calloc(1, sizeof(*zd));
	if (!zd)
		return bad(td, ENOMEM, "out of memory");
	td->io_ops_data = zd;
	zd->o = o;
	zd->job = td->o.name ? td->o.name : "job";
	zd->listen_fd = zd->fd = -1;
	zd->area.dmabuf_fd = zd->area.memfd = -1;
	zd->page = (size_t)sysconf(_SC_PAGESIZE);
	zd->port = o->port + td->subjob_number;
	zd->queue = o->queue + td->subjob_number;
	if (o->ifname)
		snprintf(zd->ifname, sizeof(zd->ifname), "%s", o->ifname);
	zd->fifo_cap = depth;
	zd->fifo = calloc(depth, sizeof(*zd->fifo));
	zd->events = calloc(depth, sizeof(*zd->events));
	if (!zd->fifo || !zd->events)
		return bad(td, ENOMEM, "out of memory");

	if (check_options(td, zd))
		return 1;
	/*
	 * The bytes the job takes: RECV_ZC stops there, so what the sender
	 * sends after (fio's net engine: its close message) is never read.
	 */
	if (!td->o.time_based && !td->o.number_ios)
		zd->limit = (td->o.io_size ? td->o.io_size : td->o.size) *
			    (td->o.loops ? td->o.loops : 1);

	if (size_area(td, zd))
		return 1;
	if (o->rx == ZE_RX_ZCRX) {
		if (check_zcrx(td, zd))
			return 1;
		if (!o->nodev) {
			zd->ifindex = io_uring_zcrx_ifindex(zd->ifname);
			if (zd->ifindex < 0)
				return bad(td, ENODEV, "ifname=%s: %s", zd->ifname,
					   strerror(-zd->ifindex));
		}
	}
	if (ring_init(td, zd) || alloc_area(td, zd))
		return 1;
	if (o->rx == ZE_RX_ZCRX ? setup_zcrx(td, zd) : setup_recv(td, zd))
		return 1;
	if (o->listen ? listen_socket(td, zd) : resolve(td, zd, false))
		return 1;

	if (o->rx == ZE_RX_ZCRX)
		log_info("zcrx: %s: rx=zcrx, %s%s%s queue %u, zcrx_id %u: %s area of %zu KiB (%u buffers of %u bytes), %u refill entries, refill_batch %u, CQ %u, zcrx_stats %s, port %u\n",
			 zd->job, o->nodev ? "device-less" : "",
			 o->nodev ? "" : "ifname ", o->nodev ? "" : zd->ifname,
			 o->nodev ? 0 : zd->queue, zd->ifq.zcrx_id,
			 area_name(o->area), zd->area.len >> 10,
			 (unsigned int)(zd->area.len / zd->ifq.rx_buf_len),
			 zd->ifq.rx_buf_len, zd->ifq.rq.ring_entries, zd->batch,
			 *zd->ring.cq.kring_entries,
			 zd->ifq.stats ? "on" : "off", zd->port);
	else
		log_info("zcrx: %s: rx=recv (multishot, provided buffers): %s area of %zu KiB, %u buffers of %u bytes in the buffer ring, refill_batch %u, CQ %u, port %u\n",
			 zd->job, area_name(o->area), zd->area.len >> 10,
			 zd->rq_entries, zd->buf_len, zd->batch,
			 *zd->ring.cq.kring_entries, zd->port);
	return 0;
}

static int ze_setup(struct thread_data *td)
{
	/* one "file": the stream, named after the host like the net engine */
	if (!td->files_index) {
		add_file(td, td->o.filename ?: "zcrx", 0, 0);
		td->o.nr_files = td->o.nr_files ?: 1;
		td->o.open_files++;
	}
	return 0;
}

/* Wait for @fd to be ready for @events, watching td->terminate. */
static int wait_fd(struct thread_data *td, int fd, short events)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int ret;

	while (!td->terminate) {
		ret = poll(&pfd, 1, WAIT_SLICE_MS);
		if (ret > 0)
			return 0;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
	return -EINTR;
}

static int ze_open_file(struct thread_data *td, struct fio_file *f)
{
	struct ze_data *zd = td->io_ops_data;
	int state, ret, one = 1;

	if (zd->o->listen) {
		state = td->runstate;
		td_set_runstate(td, TD_SETTING_UP);
		log_info("zcrx: %s: waiting for a connection on port %u\n",
			 zd->job, zd->port);
		ret = wait_fd(td, zd->listen_fd, POLLIN);
		if (!ret) {
			f->fd = accept4(zd->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			ret = f->fd < 0 ? -errno : 0;
		}
		td_set_runstate(td, state);
		if (ret)
			return bad(td, -ret, "port=%u: accepting the connection: %s",
				   zd->port, strerror(-ret));
	} else {
		f->fd = socket(zd->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (f->fd < 0)
			return bad(td, errno, "socket: %s", strerror(errno));
		if (connect(f->fd, (struct sockaddr *)&zd->peer, zd->peer_len)) {
			ret = errno;
			close(f->fd);
			f->fd = -1;
			return bad(td, ret, "hostname=%s port=%u: connecting: %s",
				   td->o.filename, zd->port, strerror(ret));
		}
	}
	if (zd->o->nodelay)
		setsockopt(f->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	zd->fd = f->fd;
	/* the wait for the sender is not part of the measurement */
	reset_all_stats(td);
	return 0;
}

static int ze_close_file(struct thread_data *td, struct fio_file *f)
{
	struct ze_data *zd = td->io_ops_data;

	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (zd)
		zd->fd = -1;
	return 0;
}

/* Pattern checks, in place */

/* fio's %o: block @blk (a multiple of the block size) as LE64, repeated. */
static long check_offset(const uint8_t *p, uint64_t off, size_t len,
			 uint64_t pbs)
{
	size_t done = 0;

	while (done < len) {
		uint64_t x = off + done, blk = x - x % pbs;
		size_t n = (size_t)(blk + pbs - x), i = 0;
		uint64_t w = __cpu_to_le64(blk);
		const uint8_t *wb = (const uint8_t *)&w;
		size_t k = (size_t)((x - blk) % 8);

		if (n > len - done)
			n = len - done;
		/* to an 8-byte boundary of the block, then a word at a time */
		for (; i < n && k % 8; i++, k++)
			if (p[done + i] != wb[k % 8])
				return (long)(done + i);
		for (; i + 8 <= n; i += 8) {
			uint64_t v;

			memcpy(&v, p + done + i, 8);
			if (v != w)
				break;
		}
		for (k = 0; i < n; i++, k++)
			if (p[done + i] != wb[k % 8])
				return (long)(done + i);
		done += n;
	}
	return -1;
}

static uint8_t expected_byte(const struct ze_data *zd, uint64_t x)
{
	uint64_t blk, w;

	if (zd->o->pattern == ZE_PAT_ZCRX)
		return zcrx_pattern_byte(x);
	blk = x - x % zd->o->pattern_bs;
	w = __cpu_to_le64(blk);
	return ((const uint8_t *)&w)[(x - blk) % 8];
}

static long check_pattern(const struct ze_data *zd, const uint8_t *p,
			  uint64_t off, size_t len)
{
	if (zd->o->pattern == ZE_PAT_ZCRX)
		return zcrx_pattern_check(p, off, len);
	return check_offset(p, off, len, zd->o->pattern_bs);
}

static void keep_tail(struct ze_data *zd, const uint8_t *p, size_t len)
{
	if (len >= 8) {
		memcpy(zd->tail, p + len - 8, 8);
	} else {
		memmove(zd->tail, zd->tail + len, 8 - len);
		memcpy(zd->tail + 8 - len, p, len);
	}
}

/*
 * @len bytes of the stream arrived at @p (in the area or a provided
 * buffer): check them in place, count them. What lies past the job's
 * limit is not counted. A mismatch whose bytes are the start of fio's
 * net engine close message is held back until the stream shows whether
 * it ends there.
 */
static void consume(struct ze_data *zd, const uint8_t *p, size_t len)
{
	long bad_at;

	if (zd->error)
		return;
	if (zd->limit) {
		uint64_t room = zd->limit - zd->rx_bytes;

		if (len > room) {
			zd->excess += len - room;
			len = (size_t)room;
		}
	}
	if (!len)
		return;
	if (zd->close_got) {
		/* after a held-back mismatch only the close message may come */
		if (zd->close_got + len > 8 ||
		    memcmp(p, close_msg + zd->close_got, len)) {
			log_err("zcrx: %s: %s\n", zd->job, zd->mismatch);
			zd->error = EBADMSG;
			return;
		}
		zd->close_got += (unsigned int)len;
		return;
	}
	if (zd->o->pattern != ZE_PAT_NONE) {
		bad_at = check_pattern(zd, p, zd->rx_bytes, len);
		if (bad_at >= 0) {
			uint64_t x = zd->rx_bytes + (uint64_t)bad_at;
			size_t rest = len - (size_t)bad_at;

			snprintf(zd->mismatch, sizeof(zd->mismatch),
				 "pattern=%s: stream byte %" PRIu64 " is 0x%02x, want 0x%02x (%zu-byte chunk at stream offset %" PRIu64 ")",
				 zd->o->pattern == ZE_PAT_ZCRX ? "zcrx" : "offset",
				 x, p[bad_at], expected_byte(zd, x), len,
				 zd->rx_bytes);
			if (rest <= 8 && !memcmp(p + bad_at, close_msg, rest)) {
				/* maybe the sender's close message: wait */
				zd->close_got = (unsigned int)rest;
				len = (size_t)bad_at;
			} else {
				log_err("zcrx: %s: %s\n", zd->job, zd->mismatch);
				zd->error = EBADMSG;
				return;
			}
		}
	}
	keep_tail(zd, p, len);
	zd->rx_bytes += len;
}

/* The stream ended (EOF): a close message at its end is not data. */
static void stream_end(struct ze_data *zd)
{
	zd->eof = true;
	if (zd->close_got) {
		if (zd->close_got == 8) {
			zd->close_seen = true;
		} else {
			log_err("zcrx: %s: %s\n", zd->job, zd->mismatch);
			zd->error = EBADMSG;
		}
		return;
	}
	if (zd->o->pattern == ZE_PAT_NONE && zd->rx_bytes >= 8 &&
	    zd->rx_bytes - zd->assigned >= 8 && !memcmp(zd->tail, close_msg, 8)) {
		zd->rx_bytes -= 8;
		zd->close_seen = true;
	}
}

/* Giving buffers back */

static void flush_rq(struct ze_data *zd)
{
	struct zcrx_ctrl ctrl;

	memset(&ctrl, 0, sizeof(ctrl));
	ctrl.zcrx_id = zd->ifq.zcrx_id;
	ctrl.op = ZCRX_CTRL_FLUSH_RQ;
	if (!io_uring_register_zcrx_ctrl(&zd->ring, &ctrl))
		zd->flushes++;
}

static void rq_publish(struct ze_data *zd)
{
	if (!zd->unpublished)
		return;
	io_uring_zcrx_rq_commit(&zd->ifq.rq);
	zd->commits++;
	zd->returned += zd->unpublished;
	zd->unpublished = 0;
}

/*
 * Buffers waiting in the backlog into the refill ring, published a batch
 * at a time; with @all the remainder too. A full ring: a device queue's
 * allocator drains it as it needs buffers, a device-less ifq is drained
 * with FLUSH_RQ.
 */
static void rq_drain(struct ze_data *zd, bool all)
{
	struct io_uring_zcrx_rq *rq = &zd->ifq.rq;
	unsigned int i = 0;
	bool flushed = false;

	while (i < zd->nr_backlog) {
		if (io_uring_zcrx_rq_add(rq, zd->backlog[i].off,
					 zd->backlog[i].len)) {
			rq_publish(zd);
			if (!zd->o->nodev || flushed)
				break;
			flush_rq(zd);
			flushed = true;
			continue;
		}
		flushed = false;
		i++;
		if (++zd->unpublished >= zd->batch)
			rq_publish(zd);
	}
	if (all)
		rq_publish(zd);
	memmove(zd->backlog, zd->backlog + i,
		(zd->nr_backlog - i) * sizeof(*zd->backlog));
	zd->nr_backlog -= i;
}

static void rq_give(struct ze_data *zd, __u64 off, __u32 len)
{
	if (zd->nr_backlog < zd->nr_bufs) {
		zd->backlog[zd->nr_backlog].off = off;
		zd->backlog[zd->nr_backlog].len = len;
		zd->backlog[zd->nr_backlog].__pad = 0;
		zd->nr_backlog++;
	}
	if (zd->nr_backlog >= zd->batch)
		rq_drain(zd, false);
}

static void br_publish(struct ze_data *zd)
{
	if (!zd->br_added)
		return;
	io_uring_buf_ring_advance(zd->br, (int)zd->br_added);
	zd->commits++;
	zd->returned += zd->br_added;
	zd->br_added = 0;
}

static void br_give(struct ze_data *zd, unsigned int bid)
{
	io_uring_buf_ring_add(zd->br, (char *)zd->area.addr +
			      (size_t)bid * zd->buf_len, zd->buf_len,
			      (unsigned short)bid,
			      io_uring_buf_ring_mask(zd->rq_entries),
			      (int)zd->br_added);
	if (++zd->br_added >= zd->batch)
		br_publish(zd);
}

/* The request */

static int arm(struct ze_data *zd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&zd->ring);

	if (!sqe)
		return -EBUSY;
	if (zd->o->rx == ZE_RX_ZCRX) {
		uint32_t len = 0;

		if (zd->limit) {
			uint64_t left = zd->limit - zd->rx_bytes - zd->close_got;

			len = left > REQ_MAX ? REQ_MAX : (uint32_t)left;
		}
		io_uring_prep_recv_zc(sqe, zd->fd, zd->ifq.zcrx_id, len, 0);
		zd->req_len = len;
	} else {
		io_uring_prep_recv_multishot(sqe, zd->fd, NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = RECV_BGID;
		zd->req_len = 0;
	}
	io_uring_sqe_set_data64(sqe, UD_RECV);
	zd->armed = true;
	zd->req_bytes = 0;
	zd->requests++;
	return 0;
}

static bool want_more(const struct ze_data *zd)
{
	return !zd->eof && !zd->error &&
	       (!zd->limit || zd->rx_bytes + zd->close_got < zd->limit);
}

static void data_cqe(struct ze_data *zd, const struct io_uring_cqe *cqe)
{
	uint32_t len = (uint32_t)cqe->res;

	zd->cqes++;
	zd->req_bytes += len;
	zd->enomem_run = 0;
	if (zd->o->rx == ZE_RX_ZCRX) {
		void *buf;
		int n = io_uring_zcrx_cqe_buf(&zd->ifq, cqe, &buf);

		if (n < 0) {
			log_err("zcrx: %s: a CQE of %d bytes at area offset %#llx outside the area\n",
				zd->job, cqe->res,
				(unsigned long long)io_uring_zcrx_cqe_off(cqe));
			zd->error = EFAULT;
			return;
		}
		consume(zd, buf, len);
		rq_give(zd, io_uring_zcrx_cqe_off(cqe), len);
	} else {
		unsigned int bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

		if (!(cqe->flags & IORING_CQE_F_BUFFER) || bid >= zd->rq_entries ||
		    len > zd->buf_len) {
			log_err("zcrx: %s: recv CQE of %u bytes with buffer %u (flags %#x)\n",
				zd->job, len, bid, cqe->flags);
			zd->error = EFAULT;
			return;
		}
		consume(zd, (uint8_t *)zd->area.addr + (size_t)bid * zd->buf_len,
			len);
		br_give(zd, bid);
	}
}

/* A CQE that ended the request (no F_MORE) */
static void end_cqe(struct ze_data *zd, const struct io_uring_cqe *cqe)
{
	zd->armed = false;
	if (cqe->res == 0) {
		/* RECV_ZC's length limit, else the end of the stream */
		if (zd->o->rx == ZE_RX_ZCRX && zd->req_len &&
		    zd->req_bytes >= zd->req_len)
			return;
		stream_end(zd);
		return;
	}
	if (cqe->res > 0)	/* recv: the last data of a request */
		return;
	switch (-cqe->res) {
	case ENOSPC:		/* the CQ was full: re-arm */
		zd->enospc++;
		return;
	case ENOBUFS:		/* recv: out of provided buffers */
		zd->enobufs++;
		br_publish(zd);
		return;
	case ENOMEM:		/* zcrx: out of area buffers */
		zd->enomem++;
		rq_drain(zd, true);
		if (++zd->enomem_run < MAX_ENOMEM)
			return;
		log_err("zcrx: %s: %u requests in a row ended with ENOMEM without data (area_size too small?)\n",
			zd->job, MAX_ENOMEM);
		zd->error = ENOMEM;
		return;
	case ECONNRESET:
		log_err("zcrx: %s: the sender reset the connection after %" PRIu64 " bytes\n",
			zd->job, zd->rx_bytes);
		zd->error = ECONNRESET;
		return;
	}
	log_err("zcrx: %s: %s failed after %" PRIu64 " bytes: %s\n", zd->job,
		zd->o->rx == ZE_RX_ZCRX ? "RECV_ZC" : "recv", zd->rx_bytes,
		strerror(-cqe->res));
	zd->error = -cqe->res;
}

static void reap(struct ze_data *zd)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(&zd->ring, head, cqe) {
		n++;
		if (cqe->user_data != UD_RECV)
			continue;	/* zcrx event CQEs: none are asked for */
		if (cqe->res > 0)
			data_cqe(zd, cqe);
		if (!(cqe->flags & IORING_CQE_F_MORE))
			end_cqe(zd, cqe);
	}
	io_uring_cq_advance(&zd->ring, n);
}

/* io_us */

static enum fio_q_status ze_queue(struct thread_data *td, struct io_u *io_u)
{
	struct ze_data *zd = td->io_ops_data;

	fio_ro_check(td, io_u);
	if (io_u->ddir != DDIR_READ) {
		io_u->error = EINVAL;
		return FIO_Q_COMPLETED;
	}
	if (zd->fifo_n == zd->fifo_cap)
		return FIO_Q_BUSY;
	zd->fifo[(zd->fifo_head + zd->fifo_n++) % zd->fifo_cap] = io_u;
	return FIO_Q_QUEUED;
}

static int ze_commit(struct thread_data *td)
{
	struct ze_data *zd = td->io_ops_data;
	int ret;

	if (!zd->armed && want_more(zd) && zd->fd >= 0) {
		ret = arm(zd);
		if (ret)
			return ret;
	}
	ret = io_uring_submit(&zd->ring);
	return ret < 0 ? ret : 0;
}

static struct io_u *fifo_pop(struct ze_data *zd)
{
	struct io_u *io_u = zd->fifo[zd->fifo_head];

	zd->fifo_head = (zd->fifo_head + 1) % zd->fifo_cap;
	zd->fifo_n--;
	return io_u;
}

/* Complete the io_us whose bytes have arrived, up to @max events. */
static unsigned int complete(struct ze_data *zd, unsigned int n,
			     unsigned int max)
{
	while (n < max && zd->fifo_n) {
		struct io_u *io_u = zd->fifo[zd->fifo_head];
		uint64_t have = zd->rx_bytes - zd->assigned;

		if (zd->error) {
			io_u->error = zd->error;
		} else if (have >= io_u->xfer_buflen) {
			io_u->resid = 0;
			io_u->error = 0;
			zd->assigned += io_u->xfer_buflen;
		} else if (!want_more(zd)) {
			/* the stream ended: what there is, short */
			io_u->resid = io_u->xfer_buflen - have;
			io_u->error = 0;
			zd->assigned += have;
			if (!have)
				break;
		} else {
			break;
		}
		zd->events[n++] = fifo_pop(zd);
		zd->io_us++;
	}
	return n;
}

static int ze_getevents(struct thread_data *td, unsigned int min,
			unsigned int max, const struct timespec *t)
{
	struct ze_data *zd = td->io_ops_data;
	struct __kernel_timespec ts = {
		.tv_sec = 0,
		.tv_nsec = WAIT_SLICE_MS * 1000000LL,
	};
	unsigned int n = 0;
	int ret;

	if (t && (t->tv_sec * 1000000000LL + t->tv_nsec) <
		 WAIT_SLICE_MS * 1000000LL) {
		ts.tv_sec = t->tv_sec;
		ts.tv_nsec = t->tv_nsec;
	}
	for (;;) {
		struct io_uring_cqe *cqe;

		/* whatever the kernel has posted already */
		reap(zd);
		n = complete(zd, n, max);
		if (n >= min || !zd->fifo_n)
			break;
		if (!want_more(zd)) {
			/*
			 * The stream ended before the io_us were filled:
			 * nothing more will come. fio cancels the rest.
			 */
			td->done = 1;
			break;
		}
		if (td->terminate)
			break;
		if (!zd->armed && (ret = arm(zd)))
			return ret;
		/* everything held goes back before waiting */
		if (zd->o->rx == ZE_RX_ZCRX)
			rq_drain(zd, true);
		else
			br_publish(zd);
		ret = io_uring_submit_and_wait_timeout(&zd->ring, &cqe, 1, &ts,
						       NULL);
		if (ret < 0 && ret != -ETIME && ret != -EINTR && ret != -EAGAIN &&
		    ret != -EBUSY)
			return ret;
		if (ret == -ETIME && t)
			break;
	}
	if (zd->error && !n && zd->fifo_n == 0)
		td->done = 1;
	return (int)n;
}

static struct io_u *ze_event(struct thread_data *td, int event)
{
	struct ze_data *zd = td->io_ops_data;

	return zd->events[event];
}

static int ze_cancel(struct thread_data *td, struct io_u *io_u)
{
	struct ze_data *zd = td->io_ops_data;
	unsigned int i, j;

	for (i = 0; i < zd->fifo_n; i++) {
		if (zd->fifo[(zd->fifo_head + i) % zd->fifo_cap] != io_u)
			continue;
		for (j = i; j + 1 < zd->fifo_n; j++)
			zd->fifo[(zd->fifo_head + j) % zd->fifo_cap] =
				zd->fifo[(zd->fifo_head + j + 1) % zd->fifo_cap];
		zd->fifo_n--;
		return 0;
	}
	return 1;
}

static void summary(struct ze_data *zd)
{
	struct ze_options *o = zd->o;
	bool stats = o->rx == ZE_RX_ZCRX && zd->ifq.stats;
	uint64_t copied = stats ? zd->ifq.stats->copy_bytes : 0;
	uint64_t copy_cqes = stats ? zd->ifq.stats->copy_count : 0;
	uint64_t total = zd->rx_bytes + zd->close_got + zd->excess;
	uint64_t zc = o->rx == ZE_RX_RECV ? 0 : total > copied ? total - copied : 0;
	const char *pat = o->pattern == ZE_PAT_ZCRX ? "zcrx" :
			  o->pattern == ZE_PAT_OFFSET ? "offset" : "none";

	if (o->rx == ZE_RX_ZCRX)
		log_info("zcrx: %s: received %" PRIu64 " bytes in %" PRIu64 " CQEs; zero-copy %" PRIu64 ", copied %" PRIu64 " in %" PRIu64 " CQEs (%s); %" PRIu64 " buffers returned in %" PRIu64 " refill ring stores, %" PRIu64 " FLUSH_RQ; %" PRIu64 " RECV_ZC requests (%" PRIu64 " ENOSPC, %" PRIu64 " ENOMEM)\n",
			 zd->job, zd->rx_bytes, zd->cqes, zc, copied, copy_cqes,
			 stats ? "zcrx_stats" : "no zcrx_stats: copies unknown",
			 zd->returned, zd->commits, zd->flushes, zd->requests,
			 zd->enospc, zd->enomem);
	else
		log_info("zcrx: %s: received %" PRIu64 " bytes in %" PRIu64 " CQEs, every byte copied by recv; %" PRIu64 " buffers returned in %" PRIu64 " buffer ring stores; %" PRIu64 " recv requests (%" PRIu64 " ENOSPC, %" PRIu64 " ENOBUFS)\n",
			 zd->job, zd->rx_bytes, zd->cqes, zd->returned, zd->commits,
			 zd->requests, zd->enospc, zd->enobufs);
	if (o->pattern != ZE_PAT_NONE)
		log_info("zcrx: %s: pattern=%s: %s %" PRIu64 " bytes checked in place%s\n",
			 zd->job, pat, zd->error == EBADMSG ? "MISMATCH after" : "all",
			 zd->rx_bytes,
			 zd->close_seen ? "; the sender's close message ended the stream" : "");
	log_info("zcrx-summary: job=%s rx=%s bytes=%" PRIu64 " cqes=%" PRIu64 " zc_bytes=%" PRIu64 " copied_bytes=%" PRIu64 " copied_cqes=%" PRIu64 " stats=%d returned=%" PRIu64 " stores=%" PRIu64 " flushes=%" PRIu64 " requests=%" PRIu64 " enospc=%" PRIu64 " enomem=%" PRIu64 " enobufs=%" PRIu64 " io_us=%" PRIu64 " excess=%" PRIu64 " eof=%d close_msg=%d pattern=%s checked=%" PRIu64 " error=%d\n",
		 zd->job, o->rx == ZE_RX_ZCRX ? "zcrx" : "recv", zd->rx_bytes,
		 zd->cqes, zc, copied, copy_cqes, stats, zd->returned,
		 zd->commits, zd->flushes, zd->requests, zd->enospc,
		 zd->enomem, zd->enobufs, zd->io_us, zd->excess, zd->eof,
		 zd->close_seen, pat,
		 o->pattern != ZE_PAT_NONE ? zd->rx_bytes : 0, zd->error);
}

static void ze_cleanup(struct thread_data *td)
{
	struct ze_data *zd = td->io_ops_data;

	if (!zd)
		return;
	if (zd->ring_up && (zd->cqes || zd->requests))
		summary(zd);
	/* the ring first: it holds the ifq, the refill ring and the area */
	if (zd->ring_up)
		io_uring_queue_exit(&zd->ring);
	if (zd->ifq_up)
		io_uring_zcrx_ifq_free(&zd->ifq);
	if (zd->area_up)
		io_uring_zcrx_area_free(&zd->area);
	if (zd->br)
		munmap(zd->br, zd->br_len);
	if (zd->listen_fd >= 0)
		close(zd->listen_fd);
	free(zd->backlog);
	free(zd->fifo);
	free(zd->events);
	free(zd);
	td->io_ops_data = NULL;
}

/* what fio looks up in the module: the only symbol it exports */
__attribute__((visibility("default")))
struct ioengine_ops ioengine = {
	.name			= "zcrx",
	.version		= FIO_IOOPS_VERSION,
	.flags			= FIO_DISKLESSIO | FIO_UNIDIR | FIO_PIPEIO |
				  FIO_NOEXTEND | FIO_BIT_BASED,
	.setup			= ze_setup,
	.init			= ze_init,
	.queue			= ze_queue,
	.commit			= ze_commit,
	.getevents		= ze_getevents,
	.event			= ze_event,
	.cancel			= ze_cancel,
	.cleanup		= ze_cleanup,
	.open_file		= ze_open_file,
	.close_file		= ze_close_file,
	.options		= options,
	.option_struct_size	= sizeof(struct ze_options),
};
