/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring_zcrx_check() refuses bad arguments, agrees with
 * the kernel's opcode probe about zcrx, and, where zcrx can be registered,
 * names a missing interface, a missing queue and the loopback device's
 * lack of header split; the interface helpers give negative errnos. On
 * the project's kernel, run as root, there is one answer: zcrx with
 * ZCRX_REG_NODEV and CAP_NET_ADMIN, so the device-less check says OK.
 * Elsewhere the one answer expected follows from what the kernel does
 * when asked directly: the opcode probe for RECV_ZC, and an actual
 * device-less registration for NODEV and the capability (success: OK,
 * EPERM: NO_CAP_NET_ADMIN, EINVAL: NO_NODEV); the test skips past what
 * the kernel lacks.
 * Queue 1000 of the loopback device: NO_QUEUE while it is up, HDS_OFF
 * while it is down (netdev netlink shows no queues of a device that is
 * down), in a network namespace of its own where the test sets the state.
 */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <liburing-ext.h>

#include "helpers.h"

#define NO_SUCH_IF	"zcrx-nosuch0"

static int expect_at(int line, const char *what, int got, int want)
{
	if (got == want)
		return 0;
	return t_fail_at(__FILE__, line, "%s: %d (%s), want %d (%s)", what,
			 got, io_uring_zcrx_strerror(got), want,
			 io_uring_zcrx_strerror(want));
}

#define expect(what, got, want)						\
	do {								\
		if (expect_at(__LINE__, what, got, want))		\
			return T_EXIT_FAIL;				\
	} while (0)

/* Does the kernel have IORING_OP_RECV_ZC? -1: no io_uring at all. */
static int probe_recv_zc(void)
{
	struct io_uring_probe *p = io_uring_get_probe();
	int ret;

	if (!p)
		return -1;
	ret = io_uring_opcode_supported(p, IORING_OP_RECV_ZC);
	io_uring_free_probe(p);
	return ret;
}

/* Whether IORING_REGISTER_QUERY's ZCRX answer has ZCRX_REG_NODEV. */
static bool query_nodev(void)
{
	struct io_uring_query_zcrx qz;
	struct io_uring_query_hdr hdr;

	memset(&qz, 0, sizeof(qz));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_data = (__u64)(uintptr_t)&qz;
	hdr.query_op = IO_URING_QUERY_ZCRX;
	hdr.size = sizeof(qz);
	return !io_uring_register_query(&hdr) && !hdr.result &&
	       (qz.register_flags & ZCRX_REG_NODEV);
}

/*
 * What a real device-less registration says: the reason
 * io_uring_zcrx_check() must give for NODEV, or -1 (reported).
 */
static int nodev_registration(void)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_DEFER_TASKRUN |
			 IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_CQE32,
	};
	struct io_uring_zcrx_ifq_opts o = {
		.rq_entries = 64, .flags = ZCRX_REG_NODEV,
	};
	struct io_uring_zcrx_area area;
	struct io_uring_zcrx_ifq ifq;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init_params(8, &ring, &p);
	if (ret)
		return t_fail("ring with DEFER_TASKRUN|CQE32: %s",
			      strerror(-ret)), -1;
	ret = io_uring_zcrx_area_alloc(&area, IO_URING_ZCRX_AREA_ANON,
				       64 << 10);
	if (ret) {
		io_uring_queue_exit(&ring);
		return t_fail("area: %s", strerror(-ret)), -1;
	}
	o.area = &area;
	ret = io_uring_zcrx_ifq_setup(&ring, &o, &ifq);
	io_uring_zcrx_ifq_free(&ifq);
	io_uring_queue_exit(&ring);
	io_uring_zcrx_area_free(&area);
	printf("device-less registration: %s\n", ret ? strerror(-ret) : "success");
	switch (ret) {
	case 0: return IO_URING_ZCRX_OK;
	case -EPERM:
		/*
		 * The capability is checked before the flags; the check
		 * names a missing NODEV (from the ZCRX query) first.
		 */
		return query_nodev() ? IO_URING_ZCRX_NO_CAP_NET_ADMIN :
				       IO_URING_ZCRX_NO_NODEV;
	case -EINVAL: return IO_URING_ZCRX_NO_NODEV;
	}
	return t_fail("device-less registration: %s, want success, EPERM or EINVAL",
		      strerror(-ret)), -1;
}

/* Set the loopback device of the current netns up or down: 0 or -errno. */
static int lo_set(bool up)
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ret = -errno;
	} else {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* Queue 1000 of lo, down then up, in a netns of its own. */
static int lo_queue_1000(void)
{
	int self, ret;

	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || unshare(CLONE_NEWNET))
		return t_fail("a network namespace of its own: %s",
			      strerror(errno));
	ret = lo_set(false);
	if (ret) {
		ret = t_fail("lo down: %s", strerror(-ret));
		goto out;
	}
	ret = expect_at(__LINE__, "lo queue 1000 (lo down)",
			io_uring_zcrx_check("lo", 0, 1000, 0),
			IO_URING_ZCRX_HDS_OFF);
	if (ret)
		goto out;
	ret = lo_set(true);
	if (ret) {
		ret = t_fail("lo up: %s", strerror(-ret));
		goto out;
	}
	ret = expect_at(__LINE__, "lo queue 1000 (lo up)",
			io_uring_zcrx_check("lo", 0, 1000, 0),
			IO_URING_ZCRX_NO_QUEUE);
	if (!ret)
		printf("lo queue 1000: %s while down, %s while up\n",
		       io_uring_zcrx_strerror(IO_URING_ZCRX_HDS_OFF),
		       io_uring_zcrx_strerror(IO_URING_ZCRX_NO_QUEUE));
out:
	if (setns(self, CLONE_NEWNET))
		ret = t_fail("back to the own netns: %s", strerror(errno));
	close(self);
	return ret;
}

int main(void)
{
	int kernel, has_op, ret, lo;

	expect("no interface", io_uring_zcrx_check(NULL, 0, 0, 0), -EINVAL);
	expect("NODEV with a name",
	       io_uring_zcrx_check("lo", 0, 0, ZCRX_REG_NODEV), -EINVAL);
	expect("NODEV with an index",
	       io_uring_zcrx_check(NULL, 1, 0, ZCRX_REG_NODEV), -EINVAL);
	expect("NODEV with a queue",
	       io_uring_zcrx_check(NULL, 0, 1, ZCRX_REG_NODEV), -EINVAL);
	expect("unknown flag", io_uring_zcrx_check("lo", 0, 0, 0x80), -EINVAL);

	expect("ifindex(NULL)", io_uring_zcrx_ifindex(NULL), -EINVAL);
	expect("ifindex(\"\")", io_uring_zcrx_ifindex(""), -EINVAL);
	expect("ifindex(missing)", io_uring_zcrx_ifindex(NO_SUCH_IF), -ENODEV);
	expect("ifindex(long name)",
	       io_uring_zcrx_ifindex("a-name-longer-than-ifnamsiz"), -ENODEV);
	lo = io_uring_zcrx_ifindex("lo");
	expect("ifindex(lo)", lo, (int)if_nametoindex("lo"));
	expect("enable_hds(0)", io_uring_zcrx_enable_hds(0), -EINVAL);
	expect("enable_hds(missing)", io_uring_zcrx_enable_hds(0x7fffffff),
	       -ENODEV);
	expect("enable_hds(lo)", io_uring_zcrx_enable_hds((unsigned int)lo),
	       -EOPNOTSUPP);

	kernel = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	printf("device-less: %d (%s)\n", kernel, io_uring_zcrx_strerror(kernel));
	if (kernel < 0 || kernel >= IO_URING_ZCRX_REASON_MAX)
		return t_fail("device-less check: %d", kernel);
	has_op = probe_recv_zc();
	if (t_project_kernel()) {
		/* the project's kernel, as root: everything is there */
		expect("RECV_ZC in the opcode probe", has_op, 1);
		expect("device-less check", kernel, IO_URING_ZCRX_OK);
	}
	if (has_op < 0) {
		expect("device-less, no io_uring", kernel,
		       IO_URING_ZCRX_NO_IO_URING);
		return t_lacks("no io_uring");
	}
	if (!has_op) {
		expect("device-less, no RECV_ZC", kernel,
		       IO_URING_ZCRX_NO_KERNEL_SUPPORT);
		expect("lo, no RECV_ZC", io_uring_zcrx_check("lo", 0, 0, 0),
		       IO_URING_ZCRX_NO_KERNEL_SUPPORT);
		return t_lacks("zcrx not supported: kernel lacks IORING_OP_RECV_ZC");
	}
	/* what the kernel says when asked to register one */
	ret = nodev_registration();
	if (ret < 0)
		return T_EXIT_FAIL;
	expect("device-less check, as a registration tells", kernel, ret);
	/* device checks come after the kernel's and the capability's */
	ret = io_uring_zcrx_check(NO_SUCH_IF, 0, 0, 0);
	if (ret == IO_URING_ZCRX_NO_CAP_NET_ADMIN) {
		expect("lo without CAP_NET_ADMIN",
		       io_uring_zcrx_check("lo", 0, 0, 0), ret);
		if (kernel != IO_URING_ZCRX_NO_NODEV)
			expect("device-less without CAP_NET_ADMIN", kernel,
			       ret);
		return t_lacks("zcrx supported, but CAP_NET_ADMIN is missing");
	}
	expect("missing interface", ret, IO_URING_ZCRX_NO_DEVICE);
	expect("missing index", io_uring_zcrx_check(NULL, 0x7fffffff, 0, 0),
	       IO_URING_ZCRX_NO_DEVICE);
	/* the loopback device has one rx queue and no header split */
	expect("lo", io_uring_zcrx_check("lo", 0, 0, 0),
	       IO_URING_ZCRX_HDS_OFF);
	expect("lo by index", io_uring_zcrx_check(NULL, (unsigned int)lo, 0, 0),
	       IO_URING_ZCRX_HDS_OFF);
	if (lo_queue_1000())
		return T_EXIT_FAIL;
	return T_EXIT_PASS;
}
