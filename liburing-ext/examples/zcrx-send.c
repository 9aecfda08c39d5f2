/* SPDX-License-Identifier: MIT */
/*
 * zcrx-send: the sender for zcrx-recv. Connects to ADDR:PORT (retrying
 * while nobody listens yet), writes SIZE bytes of the pattern of
 * zcrx-pattern.h (byte at stream offset off: the low 8 bits of
 * off ^ off >> 8 ^ off >> 16 ^ off >> 24) in sends of varying size, from
 * 1 byte up to CHUNK, and closes the connection.
 *
 *   zcrx-send -a 127.0.0.1 -p 9999 -s 256M
 *
 * Plain send(2): what is shown off is the receiving side.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "zcrx-pattern.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						    noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("zcrx-send: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(const char *prog, int code) __attribute__((noreturn));
static void usage(const char *prog, int code)
{
	fprintf(code ? stderr : stdout,
		"Usage: %s -a ADDR [-p PORT] [-s SIZE] [-c CHUNK] [-f] [-w SECONDS]\n"
		"\n"
		"  -a ADDR     IPv4 or IPv6 address of the receiver\n"
		"  -p PORT     its TCP port (default 9999)\n"
		"  -s SIZE     bytes to send (default 256M; K, M, G suffixes)\n"
		"  -c CHUNK    largest send (default 1M)\n"
		"  -f          every send CHUNK bytes (default: 1 byte to CHUNK,\n"
		"              sizes spread evenly on a log scale)\n"
		"  -w SECONDS  keep trying to connect this long (default 10)\n"
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

static int connect_to(const char *addr, unsigned short port, int wait_s)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, tries;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		len = sizeof(*a6);
	} else {
		die("bad address '%s'", addr);
	}
	for (tries = 0;; tries++) {
		fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (!connect(fd, (struct sockaddr *)&ss, len))
			return fd;
		if (errno != ECONNREFUSED || tries >= wait_s * 10)
			die("connect to %s port %u: %s", addr, port,
			    strerror(errno));
		close(fd);
		usleep(100000);
	}
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	unsigned short port = 9999;
	uint64_t size = 256ULL << 20, off = 0, rnd = 0x9e3779b97f4a7c15ULL;
	size_t chunk = 1UL << 20;
	bool fixed = false;
	int opt, fd, wait_s = 10, max_log;
	struct timespec t0, t1;
	uint8_t *buf;
	double secs;

	while ((opt = getopt(argc, argv, "a:p:s:c:fw:h")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = (unsigned short)strtoul(optarg, NULL, 0);
			break;
		case 's':
			size = parse_size(optarg);
			break;
		case 'c':
			chunk = (size_t)parse_size(optarg);
			break;
		case 'f':
			fixed = true;
			break;
		case 'w':
			wait_s = atoi(optarg);
			break;
		case 'h':
			usage(argv[0], 0);
		default:
			usage(argv[0], 2);
		}
	}
	if (!addr || optind != argc || !chunk)
		usage(argv[0], 2);
	/* the pattern is made for each send, a 256-byte block at a time */
	buf = malloc(chunk);
	if (!buf)
		die("out of memory");
	for (max_log = 0; ((size_t)1 << (max_log + 1)) <= chunk; max_log++)
		;

	fd = connect_to(addr, port, wait_s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (off < size) {
		size_t n = chunk, done = 0;

		if (!fixed) {
			/* xorshift: a size 2^k .. 2^(k+1)-1, k uniform */
			rnd ^= rnd << 13;
			rnd ^= rnd >> 7;
			rnd ^= rnd << 17;
			n = (size_t)1 << (rnd % (uint64_t)(max_log + 1));
			n += (size_t)((rnd >> 32) & (n - 1));
			if (n > chunk)
				n = chunk;
		}
		if (n > size - off)
			n = (size_t)(size - off);
		zcrx_pattern_fill(buf, off, n);
		while (done < n) {
			ssize_t ret = send(fd, buf + done, n - done,
					   MSG_NOSIGNAL);

			if (ret < 0 && errno == EINTR)
				continue;
			if (ret <= 0)
				die("send after %" PRIu64 " bytes: %s",
				    off + done, strerror(errno));
			done += (size_t)ret;
		}
		off += n;
	}
	if (close(fd))
		die("close: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sent %" PRIu64 " bytes in %.2f s, %.1f MiB/s\n", off, secs,
	       secs > 0 ? (double)off / secs / (1 << 20) : 0.0);
	free(buf);
	return 0;
}
