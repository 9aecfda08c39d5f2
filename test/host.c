/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "host.h"

#define HOST_TTY	"/dev/ttyS2"
#define HOST_TIMEOUT_MS	60000

uint32_t t_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;
	size_t i;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = (uint32_t)i;
			int k;

			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* One line from @fd into @buf (NUL-terminated, without the newline). */
static int read_line(int fd, char *buf, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	for (;;) {
		ssize_t r;
		int ret = poll(&pfd, 1, HOST_TIMEOUT_MS);

		if (ret < 0)
			return -errno;
		if (!ret)
			return -ETIMEDOUT;
		r = read(fd, buf + n, size - 1 - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		n += (size_t)r;
		buf[n] = '\0';
		if (memchr(buf + n - r, '\n', (size_t)r)) {
			*strchr(buf, '\n') = '\0';
			return 0;
		}
		if (n == size - 1)
			return -EOVERFLOW;
	}
}

static int host_open(void)
{
	struct termios t;
	int fd;

	/* non-blocking: a serial port's open would wait for carrier */
	fd = open(HOST_TTY, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == EIO || errno == ENXIO ?
		       -ENODEV : -errno;
	if (tcgetattr(fd, &t)) {
		close(fd);
		return -ENODEV;
	}
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	cfsetspeed(&t, B115200);
	if (tcsetattr(fd, TCSANOW, &t) || tcflush(fd, TCIOFLUSH)) {
		close(fd);
		return -errno;
	}
	return fd;
}

int t_host_devmem_crc32(uint64_t off, uint32_t chunk, unsigned int n,
			uint32_t *crc)
{
	size_t size = 16 + (size_t)n * 9;
	char req[96], *line, *p, *end;
	unsigned int i;
	int fd, len, ret;

	fd = host_open();
	if (fd < 0)
		return fd;
	line = malloc(size);
	if (!line) {
		close(fd);
		return -ENOMEM;
	}
	len = snprintf(req, sizeof(req), "crc32 %" PRIu64 " %u %u\n", off,
		       chunk, n);
	/* the UART's buffer takes a short line whole */
	ret = write(fd, req, (size_t)len) == len ? 0 : -EIO;
	if (!ret)
		ret = read_line(fd, line, size);
	if (!ret && strncmp(line, "ok ", 3)) {
		fprintf(stderr, "host service: %s\n", line);
		ret = -EIO;
	}
	for (i = 0, p = line + 3; !ret && i < n; i++, p = end) {
		unsigned long v = strtoul(p, &end, 16);

		if (end == p || v > UINT32_MAX) {
			fprintf(stderr, "host service: %u CRCs in its answer, want %u\n",
				i, n);
			ret = -EIO;
		}
		crc[i] = (uint32_t)v;
	}
	free(line);
	close(fd);
	return ret;
}
