/* SPDX-License-Identifier: MIT */
/*
 * The VM runner's host service (test/vm/vm): with --devmem-bar the guest's
 * /dev/ttyS2 reaches the host, which answers questions about the file
 * behind the device memory BAR. Tests use it to check what a device
 * wrote into device memory against the host's copy of that memory, not
 * through the guest's own mapping of it.
 */
#ifndef ZCRX_TEST_HOST_H
#define ZCRX_TEST_HOST_H

#include <stddef.h>
#include <stdint.h>

/* zlib's CRC-32 (the one Python's zlib.crc32 computes): crc of 0 to start. */
uint32_t t_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * The CRC-32 of each of @n chunks of @chunk bytes of the BAR's host
 * file, from BAR offset @off, in @crc. 0; -ENODEV without the service
 * (no --devmem-bar); -ETIMEDOUT when it does not answer within 60 s;
 * -EIO, with the host's message printed, when it refused the request.
 */
int t_host_devmem_crc32(uint64_t off, uint32_t chunk, unsigned int n,
			uint32_t *crc);

#endif
