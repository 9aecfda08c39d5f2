/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring zero-copy receive of TCP over IPv6 with an
 * extension header on netdevsim. The receiving port (header split on,
 * hds-thresh 0) has 2001:db8::2/64, the sender's 2001:db8::1/64, and an
 * ntuple rule of flow-type tcp6 to [2001:db8::2]:PORT steers the stream
 * to rx queue 1, which a 16 MiB zcrx area is bound to; RSS (ethtool -X
 * weight 1 0) sends whatever no rule matches to queue 0. The sender sets an
 * 8-byte destination options header (IPV6_DSTOPTS, one PadN option) on
 * its socket before connect(), so that every frame it sends is
 * Ethernet + IPv6 + destination options + TCP. The device must parse
 * through the extension header as a NIC parser does: the tcp6 rule must
 * match the frames, and header split must put Ethernet, IPv6, the
 * extension header and TCP header in the header buffer and the payload
 * in the area's buffers, which the CPU may not read (a frame not split
 * would be dropped and the stream stall). A 16 MiB stream is received
 * with a multishot RECV_ZC, every byte checked against the stream
 * pattern; exactly 16 MiB then EOF, and all of it zero-copy (no copy in
 * the zcrx statistics, every CQE and byte in the kernel's zero-copy
 * count). The sender reads its destination options back: the very
 * header it set. Skips without netdevsim, header split, or zcrx with
 * statistics (fails on the project's kernel, which has them).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devmem.h"
#include "zcrx.h"

#define AREA_LEN	(16UL << 20)
#define TOTAL		(16ULL << 20)
#define CHUNK		(1UL << 20)
#define PORT		5461
#define ADDR_SEND	"2001:db8::1"
#define ADDR_RECV	"2001:db8::2"
#define ACCEPT_MS	30000

/*
 * The destination options header: next header (the kernel puts the
 * right one in each packet), hdrlen 0 (8 bytes in all), then 6 bytes of
 * padding as one PadN option: type 1, option length 4, 4 zero bytes
 * (the receiver drops a PadN with non-zero data).
 */
static const uint8_t dstopts[8] = {
	IPPROTO_TCP, 0,		/* struct ip6_dest: ip6d_nxt, ip6d_len */
	IP6OPT_PADN, 4,		/* PadN, 4 bytes of data */
	0, 0, 0, 0,
};

static void addr6(struct sockaddr_in6 *a, const char *ip)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(PORT);
	t_check(inet_pton(AF_INET6, ip, &a->sin6_addr) == 1, "address %s",
		ip);
}

/*
 * IPv6 addresses on both ports (nodad: usable at once), the receiver's
 * tcp6 ntuple rule, as t_zcrx_nsim_setup() adds its tcp4 one, and RSS
 * sending every frame no rule matches to queue 0. Without the table a
 * frame no rule matches keeps the queue the sender transmitted it on,
 * which is queue 1 for half the flows; with it only the tcp6 rule
 * brings the stream to the bound queue, and a stream on queue 0 would
 * be copied (t_zcrx_rx_check() fails), so that all of it arriving
 * zero-copy shows that the rule matched the frames.
 */
static int setup_ipv6(const struct t_zcrx_nsim *n)
{
	const struct t_nsim_pair *p = &n->pair;

	if (t_run("ip -n %s -6 addr add %s/64 dev %s nodad", p->netns[0],
		  ADDR_SEND, p->ifname[0]) ||
	    t_run("ip -n %s -6 addr add %s/64 dev %s nodad", p->netns[1],
		  ADDR_RECV, p->ifname[1]))
		return t_fail("IPv6 addresses %s on %s and %s on %s", ADDR_SEND,
			      p->ifname[0], ADDR_RECV, p->ifname[1]);
	if (t_run("ip netns exec %s ethtool -N %s flow-type tcp6 dst-ip %s dst-port %d action %d",
		  n->ns, p->ifname[1], ADDR_RECV, PORT, T_ZCRX_NSIM_RXQ))
		return t_fail("steering TCP to [%s]:%d to queue %d with ethtool -N flow-type tcp6",
			      ADDR_RECV, PORT, T_ZCRX_NSIM_RXQ);
	if (t_run("ip netns exec %s ethtool -X %s weight 1 0", n->ns,
		  p->ifname[1]))
		return t_fail("RSS of %s to queue 0 alone with ethtool -X weight 1 0",
			      p->ifname[1]);
	printf("%s has %s, %s has %s; TCP to [%s]:%d steered to queue %d (flow-type tcp6), RSS to queue 0 alone\n",
	       p->ifname[0], ADDR_SEND, p->ifname[1], ADDR_RECV, ADDR_RECV,
	       PORT, T_ZCRX_NSIM_RXQ);
	return 0;
}

static int listen6(const struct t_zcrx_nsim *n)
{
	struct sockaddr_in6 a;
	int self, fd, one = 1, err = 0;

	addr6(&a, ADDR_RECV);
	self = t_netns_visit(n->ns);
	if (self < 0) {
		t_fail("enter %s: %s", n->ns, strerror(-self));
		return -1;
	}
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (void *)&a, sizeof(a)) || listen(fd, 1))
		err = errno;
	t_netns_leave(self);
	if (err) {
		if (fd >= 0)
			close(fd);
		t_fail("listen on [%s]:%d in %s: %s", ADDR_RECV, PORT, n->ns,
		       strerror(err));
		return -1;
	}
	return fd;
}

/* The sender, in a child in side 0's namespace: never returns. */
static void sender(const struct t_zcrx_nsim *n)
{
	uint8_t back[64] = { 0 };
	socklen_t blen = sizeof(back);
	struct sockaddr_in6 a;
	uint64_t off = 0;
	uint8_t *buf;
	int fd, tries;

	addr6(&a, ADDR_RECV);
	if (t_netns_enter(n->pair.netns[0]))
		_exit(t_fail("sender: enter %s", n->pair.netns[0]));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	buf = malloc(CHUNK);
	if (fd < 0 || !buf)
		_exit(t_fail("sender: socket: %s", strerror(errno)));
	/* Before connect(): the SYN and every segment after carry it. */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_DSTOPTS, dstopts,
		       sizeof(dstopts)))
		_exit(t_fail("sender: setsockopt IPV6_DSTOPTS of %zu bytes: %s, want success (root, on this kernel)",
			     sizeof(dstopts), strerror(errno)));
	/* nodad: no tentative address; retries only for a slow moment */
	for (tries = 0; connect(fd, (void *)&a, sizeof(a)); tries++) {
		if (tries == 20)
			_exit(t_fail("sender: connect to [%s]:%d: %s",
				     ADDR_RECV, PORT, strerror(errno)));
		usleep(100000);
	}
	/*
	 * That the frames carried the extension header: the connected
	 * socket's destination options, read back, are exactly the 8 bytes
	 * set. TCP over IPv6 sends every segment of the socket (SYN and
	 * data alike, inet6_csk_xmit() -> ip6_xmit()) with the socket's
	 * sticky options, which ip6_xmit() pushes into each packet between
	 * the IPv6 and the TCP header; so every frame of the stream was
	 * Ethernet + IPv6 + destination options + TCP.
	 */
	if (getsockopt(fd, IPPROTO_IPV6, IPV6_DSTOPTS, back, &blen))
		_exit(t_fail("sender: getsockopt IPV6_DSTOPTS: %s",
			     strerror(errno)));
	if (blen != sizeof(dstopts) || memcmp(back, dstopts, blen))
		_exit(t_fail("sender: getsockopt IPV6_DSTOPTS gave %u bytes (first %02x %02x %02x %02x), want the %zu bytes set (%02x %02x %02x %02x ...)",
			     (unsigned int)blen, back[0], back[1], back[2],
			     back[3], sizeof(dstopts), dstopts[0], dstopts[1],
			     dstopts[2], dstopts[3]));
	while (off < TOTAL) {
		size_t len = TOTAL - off < CHUNK ? (size_t)(TOTAL - off) : CHUNK;
		size_t done = 0;

		t_pattern_fill(buf, off, len);
		while (done < len) {
			ssize_t ret = send(fd, buf + done, len - done, 0);

			if (ret <= 0)
				_exit(t_fail("sender: send at %llu: %s",
					     (unsigned long long)(off + done),
					     strerror(errno)));
			done += (size_t)ret;
		}
		off += len;
	}
	if (close(fd))
		_exit(t_fail("sender: close: %s", strerror(errno)));
	free(buf);
	_exit(T_EXIT_PASS);
}

/* For failures: the helpers' dump, plus IPv6 TCP state and queue counters. */
/* For failures, besides t_zcrx_nsim_dump(): the IPv6 side of things. */
static void dump_tcp6(const struct t_zcrx_nsim *n, pid_t pid)
{
	fprintf(stderr, "--- receiver's ethtool -S and /proc/net/tcp6\n");
	t_run("ip netns exec %s ethtool -S %s >&2", n->ns, n->pair.ifname[1]);
	t_run("ip netns exec %s cat /proc/net/tcp6 >&2", n->ns);
	if (pid > 0) {
		fprintf(stderr, "--- sender's /proc/net/tcp6\n");
		t_run("cat /proc/%d/net/tcp6 >&2", (int)pid);
	}
}

static int run(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = AREA_LEN,
	};
	struct pollfd pfd;
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	char what[96];
	int ret, waited;

	snprintf(what, sizeof(what), "a %lu MiB area on %s queue %u",
		 AREA_LEN >> 20, n->pair.ifname[1], n->rxq);
	ret = t_zcrx_setup_checked(&z, &o, what);
	if (ret)
		return ret;
	printf("zcrx_id %u on %s queue %u: %lu MiB area, %u refill entries, %u-byte buffers\n",
	       z.ifq.zcrx_id, n->pair.ifname[1], n->rxq, AREA_LEN >> 20,
	       z.ifq.rq.ring_entries, z.ifq.rx_buf_len);
	t_zcrx_rx_init(&rx, &z, -1);
	s.total = TOTAL;
	s.listen_fd = listen6(n);
	if (s.listen_fd < 0) {
		ret = T_EXIT_FAIL;
		goto out;
	}
	fflush(stdout);	/* a child's exit() must not print it again */
	s.sender = fork();
	if (s.sender < 0) {
		s.sender = 0;
		ret = t_fail("fork: %s", strerror(errno));
		goto out;
	}
	if (!s.sender)
		sender(n);
	/*
	 * A SYN the device drops must not hang the test, nor a sender that
	 * gave up before connecting (its FAIL line says why).
	 */
	pfd.fd = s.listen_fd;
	pfd.events = POLLIN;
	for (waited = 0;; waited += 100) {
		int status;

		ret = poll(&pfd, 1, 100);
		if (ret > 0)
			break;
		if (ret < 0 && errno != EINTR) {
			ret = t_fail("poll of the listening socket: %s",
				     strerror(errno));
			goto out;
		}
		if (waitpid(s.sender, &status, WNOHANG) == s.sender) {
			s.sender = 0;
			ret = t_fail("sender ended (status %#x) before connecting to [%s]:%d",
				     status, ADDR_RECV, PORT);
			goto out;
		}
		if (waited >= ACCEPT_MS) {
			ret = t_fail("no connection to [%s]:%d within %d ms",
				     ADDR_RECV, PORT, ACCEPT_MS);
			goto out;
		}
	}
	s.fd = accept4(s.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (s.fd < 0) {
		ret = t_fail("accept: %s", strerror(errno));
		goto out;
	}
	rx.fd = s.fd;
	/* A stalled stream fails after rx.timeout_ms without a CQE. */
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	if (!rx.eof || rx.off != TOTAL) {
		ret = t_fail("stream ended after %llu bytes (eof %d), sent %llu",
			     (unsigned long long)rx.off, rx.eof, TOTAL);
		goto out;
	}
	/* The sender's exit status: its setsockopt, connect, read-back. */
	ret = t_stream_finish(&s);
	if (ret)
		goto out;
	s.sender = 0;
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC,
			      "16 MiB stream over IPv6 with destination options");
out:
	if (ret == T_EXIT_FAIL)
		dump_tcp6(n, s.sender);
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = { setup_ipv6, run, NULL };

	return t_zcrx_nsim_run(cases);
}
