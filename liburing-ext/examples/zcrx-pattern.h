/* SPDX-License-Identifier: MIT */
/*
 * The byte pattern zcrx-send writes and zcrx-recv -v checks.
 *
 * The byte at stream offset off (0 for the first byte of the connection)
 * is the low 8 bits of
 *
 *	off ^ (off >> 8) ^ (off >> 16) ^ (off >> 24)
 *
 * It is not periodic at any power of two below 2^32, so lost, duplicated
 * or reordered chunks of any size show up. Any sender can produce it, e.g.
 * in Python: bytes((o ^ o >> 8 ^ o >> 16 ^ o >> 24) & 255 for o in
 * range(start, end)).
 *
 * Within a 256-byte aligned block the high part is constant, so the
 * block is the identity 0, 1, ..., 255 xor-ed with one byte: the helpers
 * below work a block (8 bytes at a time) at once.
 */
#ifndef ZCRX_PATTERN_H
#define ZCRX_PATTERN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint8_t zcrx_pattern_byte(uint64_t off)
{
	return (uint8_t)(off ^ (off >> 8) ^ (off >> 16) ^ (off >> 24));
}

/* The 256 bytes of the block holding stream offset @off. */
static inline void zcrx_pattern_block(uint8_t blk[256], uint64_t off)
{
	uint64_t x = 0x0101010101010101ULL *
		     (uint8_t)((off >> 8) ^ (off >> 16) ^ (off >> 24));
	uint64_t id = 0x0706050403020100ULL;	/* bytes 0..7, little endian */
	int i;

	for (i = 0; i < 32; i++) {
		uint64_t w = (id + 0x0808080808080808ULL * (uint64_t)i) ^ x;

		memcpy(blk + 8 * i, &w, 8);
	}
}

/* Fill @buf with the @len pattern bytes from stream offset @off. */
static inline void zcrx_pattern_fill(void *buf, uint64_t off, size_t len)
{
	uint8_t *p = buf, blk[256];

	while (len) {
		size_t in = (size_t)(off & 255), n = 256 - in;

		if (n > len)
			n = len;
		zcrx_pattern_block(blk, off);
		memcpy(p, blk + in, n);
		p += n;
		off += n;
		len -= n;
	}
}

/*
 * Check the @len bytes at @buf against the pattern from stream offset
 * @off: the index of the first wrong byte, or -1 when all are right.
 */
static inline long zcrx_pattern_check(const void *buf, uint64_t off,
				      size_t len)
{
	const uint8_t *p = buf;
	uint8_t blk[256];
	size_t done = 0;

	while (done < len) {
		size_t in = (size_t)(off & 255), n = 256 - in, i;

		if (n > len - done)
			n = len - done;
		zcrx_pattern_block(blk, off);
		if (memcmp(p + done, blk + in, n)) {
			for (i = 0; p[done + i] == blk[in + i]; i++)
				;
			return (long)(done + i);
		}
		done += n;
		off += n;
	}
	return -1;
}

#endif
