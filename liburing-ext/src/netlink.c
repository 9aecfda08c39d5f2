/* SPDX-License-Identifier: MIT */
/*
 * Generic netlink on a raw socket: family lookup (CTRL_CMD_GETFAMILY),
 * building a request, reading its replies up to the acknowledgement (or a
 * dump's NLMSG_DONE), and the message of an extended acknowledgement
 * (io_uring_zcrx_last_error()).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"

#define GENL_HDRLEN_ALIGNED	NLMSG_ALIGN(sizeof(struct genlmsghdr))

__thread char __io_uring_ext_nl_error[256];

const char *io_uring_zcrx_last_error(void)
{
	return __io_uring_ext_nl_error[0] ? __io_uring_ext_nl_error : NULL;
}

/* Keep the NLMSGERR_ATTR_MSG among the attributes in [@p, @end), if any. */
static void keep_msg(const char *p, const char *end)
{
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		int len;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			return;
		len = __io_uring_ext_nla_len(a);
		if (__io_uring_ext_nla_type(a) == NLMSGERR_ATTR_MSG &&
		    len > 0) {
			if ((size_t)len >= sizeof(__io_uring_ext_nl_error))
				len = sizeof(__io_uring_ext_nl_error) - 1;
			memcpy(__io_uring_ext_nl_error,
			       __io_uring_ext_nla_data(a), (size_t)len);
			__io_uring_ext_nl_error[len] = '\0';
			return;
		}
		p += NLA_ALIGN(a->nla_len);
	}
}

/*
 * Keep the message of error acknowledgement @nh, if it has one: with
 * NETLINK_EXT_ACK the kernel appends attributes (NLM_F_ACK_TLVS) after
 * struct nlmsgerr and the request it echoes (only its header with
 * NLM_F_CAPPED).
 */
static void keep_ext_ack(const struct nlmsghdr *nh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nh);
	const char *p = (const char *)e + sizeof(*e);
	const char *end = (const char *)nh + nh->nlmsg_len;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
		    e->msg.nlmsg_len - NLMSG_HDRLEN > (size_t)(end - p))
			return;
		p += e->msg.nlmsg_len - NLMSG_HDRLEN;
	}
	keep_msg((const char *)e + NLMSG_ALIGN(p - (const char *)e), end);
}

/*
 * The errno NLMSG_DONE @nh carries (0 when the dump went well; older
 * kernels send no payload); a failed dump's extended ack attributes
 * follow it (NLM_F_ACK_TLVS).
 */
static int done_error(const struct nlmsghdr *nh)
{
	int err = 0;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(err)))
		return 0;
	memcpy(&err, NLMSG_DATA(nh), sizeof(err));
	if (err >= 0)
		return 0;
	if (nh->nlmsg_flags & NLM_F_ACK_TLVS)
		keep_msg((const char *)NLMSG_DATA(nh) +
			 NLMSG_ALIGN(sizeof(err)),
			 (const char *)nh + nh->nlmsg_len);
	return err;
}

int __io_uring_ext_nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	/* extended acks make errors precise; harmless where unsupported */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

void __io_uring_ext_nl_init(struct __io_uring_ext_nlmsg *m, __u16 family,
			    __u8 cmd, __u8 version)
{
	struct genlmsghdr *gh;

	memset(m, 0, sizeof(*m));
	m->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN_ALIGNED);
	m->nh.nlmsg_type = family;
	m->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	gh = NLMSG_DATA(&m->nh);
	gh->cmd = cmd;
	gh->version = version;
}

struct nlattr *__io_uring_ext_nl_put(struct __io_uring_ext_nlmsg *m,
				     __u16 type, const void *data,
				     __u16 len)
{
	unsigned int off = NLMSG_ALIGN(m->nh.nlmsg_len);
	struct nlattr *a;

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return NULL;
	a = (struct nlattr *)(m->buf + off);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->nh.nlmsg_len = off + NLA_ALIGN(a->nla_len);
	return a;
}

void __io_uring_ext_nl_nest_end(struct __io_uring_ext_nlmsg *m,
				struct nlattr *nest)
{
	nest->nla_type |= NLA_F_NESTED;
	nest->nla_len = (__u16)(m->buf + m->nh.nlmsg_len - (char *)nest);
}

int __io_uring_ext_nl_attrs(const struct nlmsghdr *nh,
			    __io_uring_ext_nl_attr_cb cb, void *arg)
{
	const char *p = (const char *)NLMSG_DATA(nh) + GENL_HDRLEN_ALIGNED;
	const char *end = (const char *)nh + nh->nlmsg_len;
	int ret;

	if (nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN_ALIGNED))
		return -EIO;
	while (end - p >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - p)
			return -EIO;
		if (cb) {
			ret = cb(a, arg);
			if (ret)
				return ret;
		}
		p += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/*
 * Send @m and read up to its acknowledgement or NLMSG_DONE; each reply of
 * the request's family goes to @msg_cb, or without one its attributes to
 * @cb. After a callback's non-zero return the replies are read, unparsed.
 */
static int exchange(int fd, struct __io_uring_ext_nlmsg *m,
		    __io_uring_ext_nl_msg_cb msg_cb,
		    __io_uring_ext_nl_attr_cb cb, void *arg)
{
	static __thread __u32 seq;
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int ret = 0;
	ssize_t n;

	__io_uring_ext_nl_error[0] = '\0';
	m->nh.nlmsg_seq = ++seq;
	if (sendto(fd, m->buf, m->nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;

	for (;;) {
		const struct nlmsghdr *nh;
		int len;

		n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n > sizeof(buf))
			return -EIO;
		len = (int)n;
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != m->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);

				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EIO;
				if (e->error)
					keep_ext_ack(nh);
				/* the ack ends the exchange */
				return ret ? ret : e->error;
			}
			if (nh->nlmsg_type == NLMSG_DONE) {
				int err = done_error(nh);

				return ret ? ret : err;
			}
			if (nh->nlmsg_type != m->nh.nlmsg_type || ret)
				continue;
			if (msg_cb)
				ret = msg_cb(nh, arg);
			else
				ret = __io_uring_ext_nl_attrs(nh, cb, arg);
		}
	}
}

int __io_uring_ext_nla_fields(const struct nlattr *a, void *obj,
			      const struct __io_uring_ext_nla_field *fields,
			      size_t n)
{
	const struct __io_uring_ext_nla_field *f;
	const bool yes = true;
	char *o = obj;
	__u64 v64;
	__u32 v32;
	__u8 v8;

	for (f = fields; f < fields + n; f++) {
		if (f->type != __io_uring_ext_nla_type(a))
			continue;
		if (__io_uring_ext_nla_len(a) < (f->size < 4 ? f->size : 4))
			return -EIO;
		if (f->has >= 0)
			memcpy(o + f->has, &yes, sizeof(yes));
		v64 = __io_uring_ext_nla_uint(a);
		switch (f->size) {
		case 1:
			memcpy(&v8, __io_uring_ext_nla_data(a), 1);
			memcpy(o + f->off, &v8, 1);
			break;
		case 4:
			v32 = (__u32)v64;
			memcpy(o + f->off, &v32, 4);
			break;
		case 8:
			memcpy(o + f->off, &v64, 8);
			break;
		}
	}
	return 0;
}

int __io_uring_ext_nl_talk(int fd, struct __io_uring_ext_nlmsg *m,
			   __io_uring_ext_nl_attr_cb cb, void *arg)
{
	return exchange(fd, m, NULL, cb, arg);
}

int __io_uring_ext_nl_dump(int fd, struct __io_uring_ext_nlmsg *m,
			   __io_uring_ext_nl_msg_cb cb, void *arg)
{
	m->nh.nlmsg_flags |= NLM_F_DUMP;
	return exchange(fd, m, cb, NULL, arg);
}

struct family_arg {
	__u16 id;
};

static int family_cb(const struct nlattr *a, void *arg)
{
	struct family_arg *f = arg;

	if (__io_uring_ext_nla_type(a) == CTRL_ATTR_FAMILY_ID &&
	    __io_uring_ext_nla_len(a) >= 2)
		memcpy(&f->id, __io_uring_ext_nla_data(a), sizeof(f->id));
	return 0;
}

int __io_uring_ext_nl_family(int fd, const char *name)
{
	struct __io_uring_ext_nlmsg m;
	struct family_arg f = { 0 };
	int ret;

	__io_uring_ext_nl_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	if (!__io_uring_ext_nl_put(&m, CTRL_ATTR_FAMILY_NAME, name,
				   (__u16)(strlen(name) + 1)))
		return -ENAMETOOLONG;
	ret = __io_uring_ext_nl_talk(fd, &m, family_cb, &f);
	if (ret)
		return ret;
	return f.id > 0 ? f.id : -ENOENT;
}

int __io_uring_ext_nl_open_family(const char *name, int *family)
{
	int fd = __io_uring_ext_nl_open();

	if (fd < 0)
		return fd;
	*family = __io_uring_ext_nl_family(fd, name);
	if (*family < 0) {
		int ret = *family;

		close(fd);
		return ret;
	}
	return fd;
}
