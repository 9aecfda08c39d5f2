/* SPDX-License-Identifier: MIT */
/* Stand-in for liburing 2.10's io_uring_version.h: see ../liburing.h. */
#ifndef LIBURING_VERSION_H
#define LIBURING_VERSION_H

#define IO_URING_VERSION_MAJOR 2
#define IO_URING_VERSION_MINOR 10

#endif
