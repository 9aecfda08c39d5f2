/* SPDX-License-Identifier: MIT */
/*
 * Internal to liburing-ext: a minimal generic netlink client on a raw
 * socket (no libmnl), enough for one request and its reply at a time.
 */
#ifndef LIBURING_EXT_NETLINK_H
#define LIBURING_EXT_NETLINK_H

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "lib.h"

/* A request being built: header, generic header, attributes. */
struct __io_uring_ext_nlmsg {
	union {
		struct nlmsghdr nh;
		char buf[512];
	};
};

/* Open a NETLINK_GENERIC socket: an fd or a negative errno. */
int __io_uring_ext_nl_open(void) __hidden;

/* The id of generic netlink family @name: > 0, or -ENOENT when absent. */
int __io_uring_ext_nl_family(int fd, const char *name) __hidden;

/* Start a request of @family, command @cmd, version @version. */
void __io_uring_ext_nl_init(struct __io_uring_ext_nlmsg *m, __u16 family,
			    __u8 cmd, __u8 version) __hidden;

/* Append an attribute; returns it (for nests) or NULL when full. */
struct nlattr *__io_uring_ext_nl_put(struct __io_uring_ext_nlmsg *m,
				     __u16 type, const void *data,
				     __u16 len) __hidden;
/* Close a nest opened with __io_uring_ext_nl_put(m, type, NULL, 0). */
void __io_uring_ext_nl_nest_end(struct __io_uring_ext_nlmsg *m,
				struct nlattr *nest) __hidden;

/*
 * Called for each top-level attribute of each reply of the request's
 * family; a non-zero return stops the parse and is returned.
 */
typedef int (*__io_uring_ext_nl_attr_cb)(const struct nlattr *attr,
					 void *arg);

/*
 * Send @m (acknowledged) and read until the acknowledgement. Returns 0,
 * the kernel's negative errno, a callback's non-zero return, or -EIO for
 * a malformed or truncated reply.
 */
int __io_uring_ext_nl_talk(int fd, struct __io_uring_ext_nlmsg *m,
			   __io_uring_ext_nl_attr_cb cb, void *arg) __hidden;

static inline const void *__io_uring_ext_nla_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline int __io_uring_ext_nla_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static inline int __io_uring_ext_nla_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

#endif
