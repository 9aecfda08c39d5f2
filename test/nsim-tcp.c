/* SPDX-License-Identifier: MIT */
/*
 * Description: a TCP stream of 64 MiB crosses two netdevsim ports linked
 * across two network namespaces, and every byte arrives in order.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "helpers.h"

#define TOTAL	(64ULL << 20)

int main(void)
{
	static char buf[256 << 10];
	struct t_nsim_pair pair;
	struct t_stream s;
	uint64_t off = 0;
	size_t want = 1;
	int ret;

	ret = t_nsim_pair_create(&pair, 1);
	if (ret)
		return ret;
	ret = t_stream_start(&s, &pair, 5201, TOTAL);
	if (ret)
		goto out;
	for (;;) {
		ssize_t n = recv(s.fd, buf, want, 0);
		long bad;

		if (n < 0) {
			ret = t_fail("recv at %llu: %s",
				     (unsigned long long)off, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		bad = t_pattern_check(buf, off, n);
		if (bad >= 0) {
			ret = t_fail("byte %llu is wrong",
				     (unsigned long long)(off + bad));
			goto out;
		}
		off += n;
		/* Read sizes cycle from 1 byte up to the buffer size. */
		want = want >= sizeof(buf) ? 1 : want * 4;
	}
	if (off != TOTAL) {
		ret = t_fail("received %llu bytes, sent %llu",
			     (unsigned long long)off, TOTAL);
		goto out;
	}
	ret = t_stream_finish(&s);
	if (!ret)
		printf("%llu bytes verified over %s -> %s\n", TOTAL,
		       pair.ifname[0], pair.ifname[1]);
out:
	if (ret)
		t_stream_finish(&s);
	t_nsim_pair_destroy(&pair);
	return ret;
}
