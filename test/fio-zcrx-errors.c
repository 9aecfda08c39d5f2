/* SPDX-License-Identifier: MIT */
/*
 * Description: bad input to the zcrx fio ioengine ends the job with a
 * message naming the option and a non-zero exit of fio, never a crash
 * (fio killed by a signal) or a hang (a time limit): no ifname and no
 * nodev, ifname with nodev, ifname without queue, a queue out of range
 * (netdevsim, 2 queues), an area too small for the ring, refill_batch
 * larger than the ring, rx_buf_len not a power of two, below the page
 * size, with nodev or rx=recv, and (netdevsim) beyond the area's 2 MiB
 * chunks (the kernel's ERANGE), an unknown area type, heap= without
 * area=dma-heap, dma-buf area types while
 * the kernel has no dma-buf zcrx areas (and, where it has them, as the
 * project's kernel must, a dma-buf area with nodev, which copies every
 * byte), UDP, rw=write, rw=randread,
 * verify=, a missing port, and a kernel without (device-less) zcrx: on a
 * kernel that lacks it, the reason io_uring_zcrx_check() gives; on the
 * project's kernel, where zcrx is there, with io_uring disabled
 * (kernel.io_uring_disabled=2, restored after). Then a stream whose bytes
 * are not the pattern asked for: the job fails with the mismatch.
 *
 * The checks that need no zcrx kernel also run on the host; the guest
 * (the project's kernel) runs them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fio.h"
#include "zcrx.h"

#define PORT	5351

static struct t_fio f;
static int nr_cases;

/*
 * fio with the engine, listening on @port, plus @args (NULL-terminated),
 * in netns @ns: it must fail (exit 1..127) within 120 s with @want (and
 * @want2, if given) in its output.
 */
static int expect_fail(const char *what, const char *ns, const char *want,
		       const char *want2, const char *const *args)
{
	char out[64], port[32], *argv[40];
	int n = 0, rc, i;
	pid_t pid;

	snprintf(out, sizeof(out), "/tmp/fio-%d-err.out", getpid());
	snprintf(port, sizeof(port), "--port=%d", PORT);
	argv[n++] = f.fio;
	argv[n++] = "--name=bad";
	argv[n++] = f.ioengine;
	/* listening, unless the case connects to a hostname */
	for (i = 0; args[i]; i++)
		if (!strncmp(args[i], "--hostname=", 11))
			break;
	if (!args[i])
		argv[n++] = "--listen";
	argv[n++] = port;
	argv[n++] = "--bs=64k";
	argv[n++] = "--size=1m";
	for (i = 0; args[i] && n < 38; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	/* rw=read unless the case sets rw */
	for (i = 0; argv[i]; i++)
		if (!strncmp(argv[i], "--rw=", 5))
			break;
	if (!argv[i] && n < 39) {
		argv[n++] = "--rw=read";
		argv[n] = NULL;
	}

	nr_cases++;
	pid = t_fio_spawn(ns, out, argv);
	rc = t_fio_wait(pid, 120);
	if (rc == -1 || rc == 0 || rc >= 128 ||
	    !t_fio_grep(out, want) || (want2 && !t_fio_grep(out, want2))) {
		t_fio_dump(what, out);
		unlink(out);
		if (rc == -1)
			return t_fail("%s: fio hung (killed after 120 s)", what);
		if (rc >= 128)
			return t_fail("%s: fio died of signal %d", what, rc - 128);
		if (rc == 0)
			return t_fail("%s: fio exited 0, want a failure", what);
		return t_fail("%s: fio exited %d without '%s'%s%s%s in its output",
			      what, rc, want, want2 ? " and '" : "",
			      want2 ? want2 : "", want2 ? "'" : "");
	}
	printf("ok: %s: exit %d, \"%s\"\n", what, rc, want);
	unlink(out);
	return 0;
}

#define FAILS(what, ns, want, want2, ...)				\
	do {								\
		const char *_a[] = { __VA_ARGS__, NULL };		\
		int _r = expect_fail(what, ns, want, want2, _a);	\
		if (_r)							\
			return _r;					\
	} while (0)

/* Cases that are settled before the kernel is asked anything. */
static int option_cases(const char *ns)
{
	FAILS("no ifname and no nodev", ns, "no ifname and no nodev", NULL,
	      "--area_size=1m");
	FAILS("heap without area=dma-heap", ns,
	      "heap=system: a heap is only for area=dma-heap", NULL,
	      "--nodev", "--heap=system");
	FAILS("ifname and nodev", ns, "ifname=lo and nodev exclude each other",
	      NULL, "--ifname=lo", "--nodev");
	FAILS("ifname without queue", ns, "ifname=lo without queue", NULL,
	      "--ifname=lo");
	FAILS("area too small for the ring", ns,
	      "area_size=65536 too small for the ring", "rq_entries=32",
	      "--nodev", "--area_size=64k", "--rq_entries=32");
	FAILS("rq_entries above 32768", ns, "rq_entries=40000: at most 32768",
	      NULL, "--nodev", "--area_size=256m", "--rq_entries=40000");
	FAILS("refill_batch above the ring", ns,
	      "refill_batch=64: more than the 16 entries", NULL, "--nodev",
	      "--area_size=64k", "--refill_batch=64");
	FAILS("unknown area type", ns, "failed parsing area=foo", NULL,
	      "--nodev", "--area=foo");
	FAILS("area_size 0", ns, "area_size=0", NULL, "--nodev",
	      "--area_size=0");
	FAILS("UDP", ns, "protocol=udp: zcrx receives TCP streams only", NULL,
	      "--nodev", "--protocol=udp");
	FAILS("UDP over IPv6", ns, "protocol=udpv6: zcrx receives TCP streams only",
	      NULL, "--nodev", "--protocol=udpv6");
	FAILS("rw=write", ns, "rw=write: this engine receives a stream", NULL,
	      "--nodev", "--rw=write");
	FAILS("rw=randread", ns, "rw=randread: a stream can only be read in order",
	      NULL, "--nodev", "--rw=randread");
	FAILS("verify=", ns, "verify=: fio verifies io_u buffers", NULL,
	      "--nodev", "--verify=md5");
	FAILS("rx=recv with a dma-buf area", ns,
	      "area=udmabuf: rx=recv copies into user memory", NULL,
	      "--rx=recv", "--area=udmabuf");
	FAILS("unknown rx", ns, "failed parsing rx=copy", NULL, "--rx=copy");
	FAILS("rx_buf_len not a power of two", ns,
	      "rx_buf_len=12288: want a power of two", NULL, "--ifname=lo",
	      "--queue=0", "--rx_buf_len=12k");
	FAILS("rx_buf_len below the page size", ns,
	      "rx_buf_len=2048: want a power of two", NULL, "--ifname=lo",
	      "--queue=0", "--rx_buf_len=2k");
	FAILS("rx_buf_len with nodev", ns,
	      "rx_buf_len=16384: buffers larger than a page are for rx=zcrx on a device queue",
	      "device-less zcrx copies", "--nodev", "--rx_buf_len=16k");
	FAILS("rx_buf_len with rx=recv", ns,
	      "rx_buf_len=16384: buffers larger than a page are for rx=zcrx on a device queue",
	      "rx=recv uses page-sized", "--rx=recv", "--rx_buf_len=16k");
	{
		/* no port: the base arguments always give one */
		char out[64];
		char *argv[] = { f.fio, "--name=bad", f.ioengine, "--listen",
			"--rw=read", "--bs=64k", "--size=1m", "--nodev", NULL };
		int rc;

		snprintf(out, sizeof(out), "/tmp/fio-%d-err.out", getpid());
		nr_cases++;
		rc = t_fio_wait(t_fio_spawn(ns, out, argv), 120);
		if (rc <= 0 || rc >= 128 || !t_fio_grep(out, "port: not set")) {
			t_fio_dump("no port", out);
			return t_fail("no port: fio exit %d, want a failure with 'port: not set'",
				      rc);
		}
		printf("ok: no port: exit %d, \"port: not set\"\n", rc);
		unlink(out);
	}
	return 0;
}

static bool project_kernel(void)
{
	struct utsname u;

	return !uname(&u) && (strstr(u.release, "-zcrx-debug") ||
			      strstr(u.release, "-zcrx-perf"));
}

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/* Without zcrx: the reason io_uring_zcrx_check() gives, in the message. */
static int kernel_cases(const char *ns, bool zcrx, bool nodev)
{
	static const char sysctl[] = "/proc/sys/kernel/io_uring_disabled";
	char old[16] = "0", want[256];
	int reason, ret, fd;
	ssize_t n;

	reason = io_uring_zcrx_check(NULL, 0, 0, ZCRX_REG_NODEV);
	if (reason > 0) {
		/* this kernel lacks (device-less) zcrx: it must say why */
		snprintf(want, sizeof(want), "nodev: %s (io_uring_zcrx_check)",
			 io_uring_zcrx_strerror(reason));
		if (reason != IO_URING_ZCRX_NO_NODEV)
			snprintf(want, sizeof(want), "%s (io_uring_zcrx_check)",
				 io_uring_zcrx_strerror(reason));
		FAILS("kernel without device-less zcrx", ns, want, NULL,
		      "--nodev");
		reason = io_uring_zcrx_check("lo", 0, 0, 0);
		if ((reason == IO_URING_ZCRX_NO_KERNEL_SUPPORT ||
		     reason == IO_URING_ZCRX_NO_IO_URING) && !zcrx) {
			snprintf(want, sizeof(want), "rx=zcrx: %s (io_uring_zcrx_check)",
				 io_uring_zcrx_strerror(reason));
			FAILS("kernel without zcrx", ns, want, NULL,
			      "--ifname=lo", "--queue=0");
		}
	}
	if (!project_kernel() || !nodev)
		return 0;

	/* The project's kernel has zcrx: take io_uring away for a moment. */
	fd = open(sysctl, O_RDONLY);
	if (fd < 0)
		return t_fail("%s: %s", sysctl, strerror(errno));
	n = read(fd, old, sizeof(old) - 1);
	close(fd);
	old[n > 0 ? n : 0] = 0;
	ret = write_sysctl(sysctl, "2");
	if (ret)
		return t_fail("writing 2 to %s: %s", sysctl, strerror(-ret));
	snprintf(want, sizeof(want), "rx=zcrx: %s (io_uring_zcrx_check)",
		 io_uring_zcrx_strerror(IO_URING_ZCRX_NO_IO_URING));
	{
		const char *a[] = { "--nodev", NULL };

		ret = expect_fail("io_uring disabled (kernel.io_uring_disabled=2)",
				  ns, want, NULL, a);
	}
	if (write_sysctl(sysctl, old))
		return t_fail("restoring %s to %s", sysctl, old);
	return ret;
}

/* Kernel-dependent cases on the project's kernel */
static int zcrx_cases(const char *ns)
{
	struct io_uring_query_zcrx qz;
	struct io_uring_query_hdr hdr;
	struct t_zcrx_nsim n;
	char ifname[64], want[256];
	int ret;

	memset(&qz, 0, sizeof(qz));
	memset(&hdr, 0, sizeof(hdr));
	hdr.query_data = (__u64)(uintptr_t)&qz;
	hdr.query_op = IO_URING_QUERY_ZCRX;
	hdr.size = sizeof(qz);
	if (io_uring_register_query(&hdr) || hdr.result ||
	    !(qz.area_flags & IORING_ZCRX_AREA_DMABUF)) {
		if (t_project_kernel())
			return t_fail("the project's kernel reports no dma-buf zcrx areas");
		FAILS("area=udmabuf without dma-buf zcrx areas", ns,
		      "area=udmabuf: this kernel has no dma-buf zcrx areas", NULL,
		      "--nodev", "--area=udmabuf");
		FAILS("area=dma-heap without dma-buf zcrx areas", ns,
		      "area=dma-heap: this kernel has no dma-buf zcrx areas", NULL,
		      "--nodev", "--area=dma-heap");
	} else {
		FAILS("area=udmabuf with nodev", ns,
		      "area=udmabuf with nodev: device-less zcrx copies every byte", NULL,
		      "--nodev", "--area=udmabuf");
		FAILS("area=dma-heap with nodev", ns,
		      "area=dma-heap with nodev: device-less zcrx copies every byte", NULL,
		      "--nodev", "--area=dma-heap");
	}

	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	snprintf(ifname, sizeof(ifname), "--ifname=%s", n.pair.ifname[1]);
	snprintf(want, sizeof(want), "queue=7: %s (io_uring_zcrx_check on %s)",
		 io_uring_zcrx_strerror(IO_URING_ZCRX_NO_QUEUE),
		 n.pair.ifname[1]);
	{
		const char *a[] = { ifname, "--queue=7", NULL };

		ret = expect_fail("queue out of range", n.ns, want, NULL, a);
	}
	if (!ret) {
		/*
		 * numjobs=2 from queue 1: the second job wants queue 2. The
		 * first, set up, connects to a port where nobody listens, so
		 * that it ends too (fio does not end the other jobs of a job
		 * whose set-up failed).
		 */
		const char *a[] = { ifname, "--queue=1", "--numjobs=2",
			"--area_size=4m", "--hostname=127.0.0.1", NULL };

		snprintf(want, sizeof(want), "queue=2 (queue+subjob): %s",
			 io_uring_zcrx_strerror(IO_URING_ZCRX_NO_QUEUE));
		ret = expect_fail("queue+numjobs out of range", n.ns, want,
				  NULL, a);
	}
	if (!ret) {
		/* 6 MiB of 2 MiB pages: no chunk holds a 4 MiB buffer */
		const char *a[] = { ifname, "--queue=1", "--area=huge",
			"--area_size=6m", "--rx_buf_len=4m", NULL };

		ret = expect_fail("rx_buf_len beyond the area's chunks", n.ns,
				  "rx_buf_len=4194304: larger than the area's contiguous chunks",
				  NULL, a);
	}
	if (!ret) {
		const char *a[] = { "--ifname=zcrx-nonesuch", "--queue=0", NULL };

		snprintf(want, sizeof(want), "ifname=zcrx-nonesuch: %s",
			 io_uring_zcrx_strerror(IO_URING_ZCRX_NO_DEVICE));
		ret = expect_fail("no such interface", n.ns, want, NULL, a);
	}
	t_zcrx_nsim_cleanup(&n);
	return ret;
}

/* A stream that is not the pattern asked for: the job must fail. */
static int mismatch_case(const char *ns, const char *rx)
{
	char out[64], port[32], sport[16], what[64];
	char *argv[] = { f.fio, "--name=mismatch", f.ioengine, "--listen",
		"--hostname=127.0.0.1", port, "--rw=read", "--bs=64k",
		"--size=8m", (char *)rx, "--area_size=4m", "--pattern=offset",
		"--pattern_bs=4k", NULL };
	char *send[] = { f.send, "-a", "127.0.0.1", "-p", sport, "-s", "8M",
		NULL };
	pid_t pid, tx;
	int rc;

	snprintf(what, sizeof(what), "zcrx-send's pattern checked as %s's (%s)",
		 "fio's net engine", rx);
	snprintf(out, sizeof(out), "/tmp/fio-%d-mismatch.out", getpid());
	snprintf(port, sizeof(port), "--port=%d", PORT + 1);
	snprintf(sport, sizeof(sport), "%d", PORT + 1);
	nr_cases++;
	pid = t_fio_spawn(ns, out, argv);
	if (t_fio_wait_listen(pid, PORT + 1, 120)) {
		t_fio_wait(pid, 1);
		t_fio_dump(what, out);
		return T_EXIT_FAIL;
	}
	tx = t_fio_spawn(ns, "/dev/null", send);
	rc = t_fio_wait(pid, 120);
	t_fio_wait(tx, 30);
	/* byte 1 of zcrx-send's stream is 0x01; offset 0's %o block has 0 */
	if (rc <= 0 || rc >= 128 ||
	    !t_fio_grep(out, "pattern=offset: stream byte 1 is 0x01, want 0x00") ||
	    !t_fio_grep(out, "Bad message")) {
		t_fio_dump(what, out);
		return t_fail("%s: fio exit %d, want a failure naming stream byte 1",
			      what, rc);
	}
	printf("ok: %s: exit %d, the mismatch at stream byte 1 named\n", what, rc);
	unlink(out);
	return 0;
}

int main(void)
{
	struct t_nsim_pair lo;
	bool zcrx, nodev;
	int ret;

	ret = t_fio_find(&f);
	if (ret)
		return ret;
	/* loopback in a netns of its own: nothing here touches the host's */
	ret = t_zcrx_lo_pair(&lo);
	if (ret)
		return ret;
	ret = option_cases(lo.netns[1]);
	if (ret)
		goto out;

	{
		/* what the kernel has, asked quietly (t_zcrx_require() skips) */
		struct io_uring_query_zcrx qz;
		struct io_uring_query_hdr hdr;

		memset(&qz, 0, sizeof(qz));
		memset(&hdr, 0, sizeof(hdr));
		hdr.query_data = (__u64)(uintptr_t)&qz;
		hdr.query_op = IO_URING_QUERY_ZCRX;
		hdr.size = sizeof(qz);
		zcrx = !io_uring_register_query(&hdr) && !hdr.result;
		nodev = zcrx && (qz.register_flags & ZCRX_REG_NODEV);
	}
	ret = kernel_cases(lo.netns[1], zcrx, nodev);
	if (ret)
		goto out;
	ret = mismatch_case(lo.netns[1], "--rx=recv");
	if (ret)
		goto out;
	if (!project_kernel() || !nodev) {
		printf("%d cases; the rest need the project's kernel (zcrx with ZCRX_REG_NODEV, netdevsim)\n",
		       nr_cases);
		goto out;
	}
	ret = mismatch_case(lo.netns[1], "--nodev");
	if (!ret)
		ret = zcrx_cases(lo.netns[1]);
	if (!ret)
		printf("all %d cases gave their message and a non-zero exit\n",
		       nr_cases);
out:
	t_nsim_pair_destroy(&lo);
	return ret;
}
