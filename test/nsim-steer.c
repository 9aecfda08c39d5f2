/* SPDX-License-Identifier: MIT */
/*
 * Description: netdevsim steers received flows with the standard ethtool
 * interfaces, as tools written for real NICs expect: an ntuple rule
 * (ethtool -N ... action Q) sends a flow to its queue, whichever queue
 * the sender used; an RSS indirection table (ethtool -X) sends each flow
 * to the queue its Toeplitz hash picks, computed here with the key set;
 * per-queue counters come from ethtool -S, and netdev netlink QSTATS_GET
 * agrees with them. Bad rules, weights, locations and channel counts get
 * the errno a driver returns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devmem.h"

#define TOTAL	(4ULL << 20)
#define NR_Q	2

/* The key of Microsoft's RSS verification suite. */
static const uint8_t key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static uint32_t toeplitz(const uint8_t *in, unsigned int len)
{
	uint32_t hash = 0, v = (uint32_t)key[0] << 24 | key[1] << 16 |
			       key[2] << 8 | key[3];
	unsigned int i, b;

	for (i = 0; i < len; i++)
		for (b = 0; b < 8; b++) {
			if (in[i] & (0x80 >> b))
				hash ^= v;
			v = v << 1 | ((key[i + 4] >> (7 - b)) & 1);
		}
	return hash;
}

/* The hash of a TCP/IPv4 flow as the NIC sees it, from its sender. */
static uint32_t flow_hash(const char *src, uint16_t sport, const char *dst,
			  uint16_t dport)
{
	uint8_t in[12];

	inet_pton(AF_INET, src, in);
	inet_pton(AF_INET, dst, in + 4);
	in[8] = sport >> 8;
	in[9] = sport;
	in[10] = dport >> 8;
	in[11] = dport;
	return toeplitz(in, sizeof(in));
}

/* Counter @what of queue @q of side 1, from ethtool -S. */
static unsigned long long qstat(const struct t_nsim_pair *p, int q,
				const char *what)
{
	char name[64];
	uint64_t v;
	int ret;

	snprintf(name, sizeof(name), "rx_queue_%d_%s", q, what);
	ret = t_ethtool_stat(p->netns[1], p->ifname[1], name, &v);
	t_check(!ret, "ethtool -S %s: %s: %s", p->ifname[1], name,
		t_errname(ret));
	return v;
}

/* Bytes received so far on queue @q of side 1, from ethtool -S. */
static unsigned long long qbytes(const struct t_nsim_pair *p, int q)
{
	return qstat(p, q, "bytes");
}

/*
 * Netdev netlink QSTATS_GET of side 1's queues says what ethtool -S
 * does: its packets and bytes lie between two netlink reads around the
 * ethtool one, and equal them once no frame arrives between the reads.
 */
static int qstats_agree(const struct t_nsim_pair *p)
{
	struct t_qstats_rx a[NR_Q], b[NR_Q];
	unsigned long long pk[NR_Q], by[NR_Q];
	int tries, q, n, m;
	bool quiet;

	for (tries = 0; tries < 50; tries++) {
		if (tries)
			usleep(100000);
		n = t_qstats_rx_all(p->netns[1], p->ifindex[1], a, NR_Q);
		for (q = 0; q < NR_Q && n == NR_Q; q++) {
			pk[q] = qstat(p, q, "packets");
			by[q] = qstat(p, q, "bytes");
		}
		m = t_qstats_rx_all(p->netns[1], p->ifindex[1], b, NR_Q);
		if (n == -EOPNOTSUPP)
			return t_lacks("netdev netlink QSTATS_GET of %s: EOPNOTSUPP",
				       p->ifname[1]);
		if (n != NR_Q || m != NR_Q)
			return t_fail("QSTATS_GET of %s: %s and %s, want %d rx queues",
				      p->ifname[1], t_errname(n), t_errname(m),
				      NR_Q);
		quiet = true;
		for (q = 0; q < NR_Q; q++) {
			if (!a[q].has_packets || !a[q].has_bytes ||
			    pk[q] < a[q].packets || pk[q] > b[q].packets ||
			    by[q] < a[q].bytes || by[q] > b[q].bytes)
				return t_fail("queue %d: ethtool -S %llu packets, %llu bytes; QSTATS_GET %llu then %llu packets, %llu then %llu bytes (reported %d %d)",
					      q, pk[q], by[q],
					      (unsigned long long)a[q].packets,
					      (unsigned long long)b[q].packets,
					      (unsigned long long)a[q].bytes,
					      (unsigned long long)b[q].bytes,
					      a[q].has_packets, a[q].has_bytes);
			quiet &= a[q].packets == b[q].packets &&
				 a[q].bytes == b[q].bytes;
		}
		if (quiet)
			return 0;
	}
	return t_fail("the rx counters of %s still moving after 5 s",
		      p->ifname[1]);
}

/* Run ethtool on side 1: its exit status; its output must hold @expect. */
static int ethtool(const struct t_nsim_pair *p, const char *expect,
		   const char *args)
{
	if (!expect)
		return t_run("ip netns exec %s ethtool %s >/dev/null 2>&1",
			     p->netns[1], args);
	return t_run("ip netns exec %s ethtool %s 2>&1 | grep -q '%s'",
		     p->netns[1], args, expect);
}

/*
 * Stream @TOTAL bytes to @port; *@sport gets the sender's port. Fails
 * unless queue @q of side 1 received them all and the other none.
 */
static int stream_to(struct t_nsim_pair *p, uint16_t port, int q,
		     uint16_t *sport)
{
	static char buf[256 << 10];
	unsigned long long before[NR_Q], d[NR_Q];
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	struct t_stream s;
	uint64_t off = 0;
	int ret, i;

	for (i = 0; i < NR_Q; i++)
		before[i] = qbytes(p, i);
	ret = t_stream_start(&s, p, port, TOTAL);
	if (ret)
		return ret;
	if (getpeername(s.fd, (struct sockaddr *)&peer, &len))
		ret = t_fail("getpeername: %s", strerror(errno));
	*sport = ntohs(peer.sin_port);
	while (!ret) {
		ssize_t n = recv(s.fd, buf, sizeof(buf), 0);

		if (n < 0)
			ret = t_fail("recv: %s", strerror(errno));
		if (n <= 0)
			break;
		if (t_pattern_check(buf, off, n) >= 0)
			ret = t_fail("wrong bytes near %llu",
				     (unsigned long long)off);
		off += n;
	}
	if (t_stream_finish(&s) && !ret)
		ret = t_fail("the sender failed");
	if (!ret && off != TOTAL)
		ret = t_fail("received %llu of %llu bytes",
			     (unsigned long long)off, TOTAL);
	if (ret)
		return ret;
	for (i = 0; i < NR_Q; i++)
		d[i] = qbytes(p, i) - before[i];
	/* The other queue may see the handshake's ACK, not the payload. */
	if (d[q] < TOTAL || d[!q] >= 4096)
		return t_fail("port %u, want queue %d: queue 0 got %llu, queue 1 %llu bytes",
			      port, q, d[0], d[1]);
	printf("port %u from %u: queue %d, %llu bytes\n", port, *sport, q,
	       d[q]);
	return qstats_agree(p);
}

int main(void)
{
	static const uint8_t v_in[12] = { 66, 9, 149, 187, 161, 142, 100, 80,
					  0x0a, 0xea, 0x06, 0xe6 };
	struct t_nsim_pair pair;
	char args[512], hkey[160];
	uint16_t sport;
	int ret, i, q;

	/* The test's own Toeplitz, against the suite's first IPv4 vector. */
	if (toeplitz(v_in, sizeof(v_in)) != 0x51ccc178)
		return t_fail("toeplitz: %#x, want 0x51ccc178",
			      toeplitz(v_in, sizeof(v_in)));

	ret = t_nsim_pair_create(&pair, NR_Q);
	if (ret)
		return ret;

	/* ntuple rules, each way, whatever queue the sender transmits on */
	for (q = 0; q < NR_Q && !ret; q++) {
		snprintf(args, sizeof(args),
			 "-N %s flow-type tcp4 dst-ip %s dst-port %d action %d loc 1",
			 pair.ifname[1], pair.addr[1], 5401 + q, q);
		if (ethtool(&pair, NULL, args)) {
			ret = t_fail("ethtool %s failed", args);
			break;
		}
		snprintf(args, sizeof(args), "-n %s rule 1", pair.ifname[1]);
		if (ethtool(&pair, q ? "Action: Direct to queue 1" :
				       "Action: Direct to queue 0", args)) {
			ret = t_fail("ethtool %s: not the rule inserted", args);
			break;
		}
		ret = stream_to(&pair, 5401 + q, q, &sport);
	}
	if (ret)
		goto out;

	/* Bad input: the errno a driver gives, nothing changed. */
	{
		static const struct {
			const char *args, *expect;
		} bad[] = {
			{ "-N %s flow-type tcp4 dst-port 1 action 2 loc 2",
			  "Invalid argument" },		/* no queue 2 */
			{ "-N %s flow-type tcp4 dst-port 1 action 0 loc 64",
			  "Invalid argument" },		/* past the table */
			{ "-N %s flow-type ether proto 0x800 action 0 loc 2",
			  "Operation not supported" },
			{ "-N %s flow-type tcp4 tos 4 action 0 loc 2",
			  "Operation not supported" },
			{ "-N %s delete 7", "No such file or directory" },
			{ "-X %s weight 1 1 1", "Invalid argument" },
			{ "-L %s combined 1", "Invalid argument" }, /* rule on 1 */
		};

		for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
			snprintf(args, sizeof(args), bad[i].args,
				 pair.ifname[1]);
			if (ethtool(&pair, bad[i].expect, args)) {
				ret = t_fail("ethtool %s: want \"%s\"", args,
					     bad[i].expect);
				goto out;
			}
		}
		snprintf(args, sizeof(args), "-n %s", pair.ifname[1]);
		if (ethtool(&pair, "Total 1 rules", args)) {
			ret = t_fail("refused rules changed the table");
			goto out;
		}
	}
	snprintf(args, sizeof(args), "-N %s delete 1", pair.ifname[1]);
	if (ethtool(&pair, NULL, args)) {
		ret = t_fail("ethtool %s failed", args);
		goto out;
	}

	/* RSS: all to one queue by weights, then by the hash with our key */
	for (q = 0; q < NR_Q && !ret; q++) {
		snprintf(args, sizeof(args), "-X %s weight %d %d",
			 pair.ifname[1], !q, q);
		if (ethtool(&pair, NULL, args))
			ret = t_fail("ethtool %s failed", args);
		else
			ret = stream_to(&pair, 5411 + q, q, &sport);
	}
	if (ret)
		goto out;
	for (i = 0, q = 0; i < 40; i++)
		q += snprintf(hkey + q, sizeof(hkey) - q, "%s%02x",
			      i ? ":" : "", key[i]);
	snprintf(args, sizeof(args), "-X %s equal %d hkey %s", pair.ifname[1],
		 NR_Q, hkey);
	if (ethtool(&pair, NULL, args)) {
		ret = t_fail("ethtool %s failed", args);
		goto out;
	}
	for (i = 0; i < 4 && !ret; i++) {
		static char peek[256 << 10];
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		unsigned long long before[NR_Q], d[NR_Q];
		uint16_t port = 5421 + i;
		struct t_stream s;
		uint64_t off = 0;
		uint32_t h;

		/* The queue is known only once the sender's port is. */
		for (q = 0; q < NR_Q; q++)
			before[q] = qbytes(&pair, q);
		ret = t_stream_start(&s, &pair, port, TOTAL);
		if (ret)
			goto out;
		getpeername(s.fd, (struct sockaddr *)&peer, &len);
		for (;;) {
			ssize_t n = recv(s.fd, peek, sizeof(peek), 0);

			if (n <= 0)
				break;
			off += n;
		}
		if (t_stream_finish(&s) || off != TOTAL) {
			ret = t_fail("stream to %u: %llu bytes", port,
				     (unsigned long long)off);
			goto out;
		}
		h = flow_hash(pair.addr[0], ntohs(peer.sin_port),
			      pair.addr[1], port);
		/* equal N: entry e of the table is queue e % N */
		q = (h % 128) % NR_Q;
		d[0] = qbytes(&pair, 0) - before[0];
		d[1] = qbytes(&pair, 1) - before[1];
		if (d[q] < TOTAL || d[!q] >= 4096)
			ret = t_fail("hash %#x wants queue %d: queue 0 got %llu, queue 1 %llu bytes",
				     h, q, d[0], d[1]);
		else
			printf("RSS: port %u from %u, hash %#x: queue %d\n",
			       port, ntohs(peer.sin_port), h, q);
	}
out:
	t_nsim_pair_destroy(&pair);
	return ret;
}
