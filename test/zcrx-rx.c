/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring zero-copy receive end to end on netdevsim. The
 * receiving port has header split on and hds-thresh 0, an ntuple rule
 * (ethtool -N) steers the flow to queue 1, and a 64 MiB area is bound to rx
 * queue 1 with an ifq whose event descriptor keeps a zcrx_stats block in
 * the refill region. A 256 MiB stream (sends of 1 byte to 1 MiB) is
 * received with a multishot RECV_ZC: every byte of every CQE is checked
 * against the stream pattern at its offset in the area, every buffer goes
 * back through the refill ring, and the stream ends with a res 0 CQE
 * without F_MORE. Every byte must have arrived zero-copy: the statistics
 * block counts no copy, and the kernel's own zero-copy count (apart from
 * the statistics) has every CQE and byte. Then, on a new ifq, messages of
 * 1 byte to 1 MiB one at a time (the receiver acknowledges each): each
 * arrives complete and alone, checked the same way, all zero-copy too.
 * Skips without netdevsim, header split, or zcrx with statistics (fails
 * on the project's kernel, which has them).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "devmem.h"
#include "zcrx.h"

#define AREA_LEN	(64UL << 20)
#define TOTAL		(256ULL << 20)
#define MAX_MSG		(1UL << 20)

static int setup_ifq(struct t_zcrx *z, const struct t_zcrx_nsim *n,
		     size_t area_len)
{
	const struct t_zcrx_opts o = {
		.ns = n->ns, .ifindex = (unsigned int)n->ifindex,
		.rxq = n->rxq, .area_len = area_len,
	};
	char what[96];

	snprintf(what, sizeof(what), "a %zu MiB area on %s queue %u",
		 area_len >> 20, n->pair.ifname[1], n->rxq);
	return t_zcrx_setup_checked(z, &o, what);
}

static int bulk(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int ret;

	ret = setup_ifq(&z, n, AREA_LEN);
	if (ret)
		return ret;
	printf("zcrx_id %u on %s queue %u: %lu MiB area, %u refill entries, %u-byte buffers\n",
	       z.ifq.zcrx_id, n->pair.ifname[1], n->rxq, AREA_LEN >> 20,
	       z.ifq.rq.ring_entries, z.ifq.rx_buf_len);
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_stream_start(&s, &n->pair, 5401, TOTAL);
	if (ret)
		goto out;
	rx.fd = s.fd;
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	if (!rx.eof || rx.off != TOTAL) {
		ret = t_fail("stream ended after %llu bytes (eof %d), sent %llu",
			     (unsigned long long)rx.off, rx.eof, TOTAL);
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (ret)
		goto out;
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC, "256 MiB stream");
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

/* Message sizes: 1 to 16, then 2^k - 1, 2^k, 2^k + 1 up to 1 MiB. */
static size_t msg_sizes(size_t *sz)
{
	size_t n = 0, k;

	for (k = 1; k <= 16; k++)
		sz[n++] = k;
	for (k = 5; k <= 20; k++) {
		sz[n++] = ((size_t)1 << k) - 1;
		sz[n++] = (size_t)1 << k;
		if (((size_t)1 << k) + 1 <= MAX_MSG)
			sz[n++] = ((size_t)1 << k) + 1;
	}
	return n;
}

/* Sender: each message, then wait for the receiver's one-byte ack. */
static int msg_sender(int fd, void *arg)
{
	size_t sz[64], n = msg_sizes(sz), i;
	uint8_t *buf = malloc(MAX_MSG);
	uint64_t off = 0;

	(void)arg;
	if (!buf)
		return t_fail("sender: out of memory");
	for (i = 0; i < n; i++) {
		size_t done = 0;
		char ack;

		t_pattern_fill(buf, off, sz[i]);
		while (done < sz[i]) {
			ssize_t ret = send(fd, buf + done, sz[i] - done, 0);

			if (ret <= 0)
				return t_fail("sender: send of message %zu: %s",
					      sz[i], strerror(errno));
			done += (size_t)ret;
		}
		off += sz[i];
		if (recv(fd, &ack, 1, MSG_WAITALL) != 1 || ack != 'a')
			return t_fail("sender: no ack for message %zu", sz[i]);
	}
	close(fd);
	free(buf);
	return T_EXIT_PASS;
}

static int messages(const struct t_zcrx_nsim *n)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	size_t sz[64], nr = msg_sizes(sz), i;
	struct t_zcrx_rx rx;
	struct t_zcrx z;
	int ret;

	ret = setup_ifq(&z, n, 16UL << 20);
	if (ret)
		return ret;
	t_zcrx_rx_init(&rx, &z, -1);
	ret = t_zcrx_stream_start(&s, &n->pair, 5402, msg_sender, NULL);
	if (ret)
		goto out;
	rx.fd = s.fd;
	for (i = 0; i < nr; i++) {
		uint64_t want = rx.off + sz[i], cqes = rx.cqes;

		ret = t_zcrx_recv(&rx, want);
		if (ret)
			goto out;
		if (rx.off != want) {
			ret = t_fail("message of %zu bytes: received up to %llu, want %llu (eof %d)",
				     sz[i], (unsigned long long)rx.off,
				     (unsigned long long)want, rx.eof);
			goto out;
		}
		if (sz[i] == 1 && rx.cqes != cqes + 1) {
			ret = t_fail("1-byte message in %llu CQEs",
				     (unsigned long long)(rx.cqes - cqes));
			goto out;
		}
		if (send(s.fd, "a", 1, 0) != 1) {
			ret = t_fail("ack: %s", strerror(errno));
			goto out;
		}
	}
	ret = t_zcrx_recv(&rx, UINT64_MAX);
	if (ret)
		goto out;
	if (!rx.eof) {
		ret = t_fail("no EOF after the last message");
		goto out;
	}
	ret = t_stream_finish(&s);
	s.sender = 0;
	if (ret)
		goto out;
	printf("%zu messages\n", nr);
	ret = t_zcrx_rx_check(&rx, T_ZCRX_ALL_ZC,
			      "messages of 1 byte to 1 MiB");
out:
	return t_zcrx_case_end(ret, n, &s, &rx, &z);
}

int main(void)
{
	static const t_zcrx_nsim_case cases[] = { bulk, messages, NULL };

	return t_zcrx_nsim_run(cases);
}
