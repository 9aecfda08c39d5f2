/* SPDX-License-Identifier: MIT */
/*
 * Internal to liburing-ext: a minimal generic netlink client on a raw
 * socket (no libmnl), enough for one request and its replies at a time: a
 * request with its answer, or a dump.
 */
#ifndef LIBURING_EXT_NETLINK_H
#define LIBURING_EXT_NETLINK_H

#include <errno.h>
#include <stddef.h>
#include <string.h>

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

/*
 * Both: a socket (in the calling thread's network namespace) and in
 * *@family the id of family @name. Returns the socket or a negative errno.
 */
int __io_uring_ext_nl_open_family(const char *name, int *family) __hidden;

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

/* Append a u32 attribute: 0 or -EMSGSIZE. */
static inline int __io_uring_ext_nl_put_u32(struct __io_uring_ext_nlmsg *m,
					    __u16 type, __u32 v)
{
	return __io_uring_ext_nl_put(m, type, &v, sizeof(v)) ? 0 : -EMSGSIZE;
}

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

/* Called for each reply of a dump; a non-zero return stops the parse. */
typedef int (*__io_uring_ext_nl_msg_cb)(const struct nlmsghdr *nh, void *arg);

/*
 * Send @m as a dump (NLM_F_DUMP) and read its replies up to NLMSG_DONE,
 * @cb called for each reply of the request's family, one object each.
 * Returns 0, the kernel's negative errno (of the acknowledgement, or the
 * one NLMSG_DONE carries when the dump failed), a callback's non-zero
 * return, or -EIO for a malformed or truncated reply. The kernel's
 * extended ack message is kept as for __io_uring_ext_nl_talk().
 */
int __io_uring_ext_nl_dump(int fd, struct __io_uring_ext_nlmsg *m,
			   __io_uring_ext_nl_msg_cb cb, void *arg) __hidden;

/* @cb for each top-level attribute of reply @nh: 0, its return, or -EIO. */
int __io_uring_ext_nl_attrs(const struct nlmsghdr *nh,
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

/* An unsigned attribute of 4 or 8 bytes (NLA_UINT), 0 when shorter. */
static inline __u64 __io_uring_ext_nla_uint(const struct nlattr *a)
{
	__u64 v64 = 0;
	__u32 v32 = 0;

	if (__io_uring_ext_nla_len(a) >= 8) {
		memcpy(&v64, __io_uring_ext_nla_data(a), 8);
		return v64;
	}
	if (__io_uring_ext_nla_len(a) >= 4)
		memcpy(&v32, __io_uring_ext_nla_data(a), 4);
	return v32;
}

/*
 * Where attribute @type of a reply goes in a struct: its value in the
 * member at @off (of @size bytes: 1, 4 or 8; 0 for none), and true in the
 * bool at @has (-1 for none) when the attribute is there.
 */
struct __io_uring_ext_nla_field {
	__u16 type;
	__u16 size;
	__u16 off;
	__s16 has;
};

/* Attribute @attr into @member of struct @st, and whether into bool @has. */
#define __IO_URING_EXT_NLA_FIELD(attr, st, member)			\
	{ attr, sizeof(((st *)0)->member), offsetof(st, member), -1 }
#define __IO_URING_EXT_NLA_FIELD_HAS(attr, st, member, has)		\
	{ attr, sizeof(((st *)0)->member), offsetof(st, member),	\
	  offsetof(st, has) }
#define __IO_URING_EXT_NLA_FLAG(attr, st, has)				\
	{ attr, 0, 0, offsetof(st, has) }

/* The number of entries of array @a. */
#define __IO_URING_EXT_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Store attribute @a in @obj as the first @n entries of @fields say (an
 * attribute none of them names is left alone): 0, or -EIO when it is
 * shorter than its member.
 */
int __io_uring_ext_nla_fields(const struct nlattr *a, void *obj,
			      const struct __io_uring_ext_nla_field *fields,
			      size_t n) __hidden;

#endif
