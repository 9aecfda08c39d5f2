/* SPDX-License-Identifier: MIT */
/*
 * Description: io_uring_zcrx_check() refuses bad arguments, agrees with
 * the kernel's opcode probe about zcrx, and, where zcrx can be registered,
 * names a missing interface, a missing queue and the loopback device's
 * lack of header split; the interface helpers give negative errnos. Runs
 * on any kernel: the answers it expects depend on what the kernel has.
 */
#include <net/if.h>
#include <string.h>

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
	if (has_op < 0) {
		expect("device-less, no io_uring", kernel,
		       IO_URING_ZCRX_NO_IO_URING);
		return t_skip("no io_uring");
	}
	if (!has_op) {
		expect("device-less, no RECV_ZC", kernel,
		       IO_URING_ZCRX_NO_KERNEL_SUPPORT);
		expect("lo, no RECV_ZC", io_uring_zcrx_check("lo", 0, 0, 0),
		       IO_URING_ZCRX_NO_KERNEL_SUPPORT);
		return t_skip("zcrx not supported: kernel lacks IORING_OP_RECV_ZC");
	}
	if (kernel != IO_URING_ZCRX_OK && kernel != IO_URING_ZCRX_NO_NODEV &&
	    kernel != IO_URING_ZCRX_NO_CAP_NET_ADMIN)
		return t_fail("RECV_ZC supported, but device-less check says %d",
			      kernel);
	/* device checks come after the kernel's and the capability's */
	ret = io_uring_zcrx_check(NO_SUCH_IF, 0, 0, 0);
	if (ret == IO_URING_ZCRX_NO_CAP_NET_ADMIN) {
		expect("lo without CAP_NET_ADMIN",
		       io_uring_zcrx_check("lo", 0, 0, 0), ret);
		if (kernel != IO_URING_ZCRX_NO_NODEV)
			expect("device-less without CAP_NET_ADMIN", kernel,
			       ret);
		return t_skip("zcrx supported, but CAP_NET_ADMIN is missing");
	}
	expect("missing interface", ret, IO_URING_ZCRX_NO_DEVICE);
	expect("missing index", io_uring_zcrx_check(NULL, 0x7fffffff, 0, 0),
	       IO_URING_ZCRX_NO_DEVICE);
	/* the loopback device has one rx queue and no header split */
	expect("lo", io_uring_zcrx_check("lo", 0, 0, 0),
	       IO_URING_ZCRX_HDS_OFF);
	expect("lo by index", io_uring_zcrx_check(NULL, (unsigned int)lo, 0, 0),
	       IO_URING_ZCRX_HDS_OFF);
	ret = io_uring_zcrx_check("lo", 0, 1000, 0);
	/* netdev netlink does not show the queues of a device that is down */
	if (ret != IO_URING_ZCRX_NO_QUEUE)
		expect("lo queue 1000 (lo down)", ret, IO_URING_ZCRX_HDS_OFF);
	printf("lo queue 1000: %s\n", io_uring_zcrx_strerror(ret));
	return T_EXIT_PASS;
}
