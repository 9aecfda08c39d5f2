/* SPDX-License-Identifier: MIT */
/*
 * Description: the example programs liburing-ext/examples/zcrx-recv and
 * zcrx-send, as installed (bin/ of the staged prefix, found from this
 * test's own path, or $ZCRX_EXAMPLES_DIR), run as a user would run them.
 * Each run forks the receiver (-v: every byte checked against the
 * pattern) and, once it is listening (its ifq registered), the sender,
 * each in its network namespace, and wants
 * both to exit 0 and the receiver's "summary:" line to show the whole
 * stream verified:
 *   - netdevsim: rx queue 1 of the receiving port, with header split
 *     turned off first so that zcrx-recv turns it on itself
 *     (io_uring_zcrx_check() then io_uring_zcrx_enable_hds()); 256 MiB to
 *     EOF, no byte and no CQE copied by the zcrx_stats block (the flow is
 *     on the bound queue, header split: the device writes every byte);
 *     then 128 MiB into a 32 MiB area of device memory (-A heap:NAME, the
 *     ivshmem heap), verified through the dma-buf's mmap, likewise;
 *   - device-less (-n) over loopback: 256 MiB with a length limit (-s),
 *     the refill ring in kernel memory (-R), every byte copied;
 *   - device-less, 1 MiB area, 64 refill entries, a 64-entry CQ: 32 MiB
 *     to EOF, through full refill rings (FLUSH_RQ), ENOMEM and ENOSPC
 *     re-arms;
 *   - device-less with a 32 MiB area of 2 MiB huge pages (-A huge), 64
 *     MiB, in RECV_ZC requests of 1 MiB each (-l): at least 63 end at
 *     their length and are re-armed. The huge pages come from those
 *     reserved (the guest reserves 64 at boot), else are reserved here.
 * Device-less runs must count every byte and CQE as copied. Each run
 * needs the zcrx_stats block. Skips on kernels without zcrx (the host),
 * and when a part's feature (netdevsim, NODEV, huge pages, statistics,
 * device memory) is missing, after the other parts ran; on the project's kernel, which has
 * all of them, a missing one fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ethtool_netlink.h>

#include "devmem.h"
#include "zcrx.h"

#define MIB		(1ULL << 20)

static char recv_path[PATH_MAX], send_path[PATH_MAX];

static bool find_in(const char *dir)
{
	snprintf(recv_path, sizeof(recv_path), "%s/zcrx-recv", dir);
	snprintf(send_path, sizeof(send_path), "%s/zcrx-send", dir);
	return !access(recv_path, X_OK) && !access(send_path, X_OK);
}

/*
 * $ZCRX_EXAMPLES_DIR, else bin/ of the prefix this test is installed in
 * (PREFIX/libexec/zcrx-lts/test), else the build tree.
 */
static int find_examples(void)
{
	const char *env = getenv("ZCRX_EXAMPLES_DIR");
	char dir[PATH_MAX];

	if (env && *env)
		return find_in(env) ? 0 :
		       t_fail("no zcrx-recv and zcrx-send in $ZCRX_EXAMPLES_DIR %s",
			      env);
	t_prefix_path(dir, sizeof(dir), "bin");
	if (dir[0] && find_in(dir))
		return 0;
#ifdef ZCRX_EXAMPLES_BUILD_DIR
	if (find_in(ZCRX_EXAMPLES_BUILD_DIR))
		return 0;
#endif
	return t_fail("zcrx-recv and zcrx-send not found (installed bin/ or the build tree)");
}

/* Fork and exec @argv in netns @ns, output to @out. The child's pid. */
static pid_t spawn(const char *ns, const char *out, char *const argv[])
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	if (t_netns_enter(ns))
		_exit(t_fail("enter netns %s", ns));
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(t_fail("output to %s: %s", out, strerror(errno)));
	execv(argv[0], argv);
	_exit(t_fail("exec %s: %s", argv[0], strerror(errno)));
}

/*
 * Wait until the receiver printed "listening" (to @path), which it does
 * once its ifq is registered: a sender started earlier finds the socket
 * listening before the queue is bound, and what it sends meanwhile lands
 * in ordinary pages and is copied. 0, or -1 when the receiver exited or
 * 60 s went by.
 */
static int wait_listening(pid_t rx, const char *path)
{
	char line[1024];
	int i, status;

	for (i = 0; i < 6000; i++) {
		FILE *f = fopen(path, "r");
		bool found = false;

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "listening on port", 17))
				found = true;
		if (f)
			fclose(f);
		if (found)
			return 0;
		if (waitpid(rx, &status, WNOHANG) == rx)
			return -1;
		usleep(10000);
	}
	return -1;
}

static int wait_exit(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void print_file(const char *what, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("  %s| %s", what, line);
	fclose(f);
}

/* The "summary:" line of the receiver's output, or an empty string. */
static void read_summary(const char *path, char *buf, size_t len)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "summary:", 8))
			snprintf(buf, len, "%s", line + 8);
	fclose(f);
}

/* Value of key @key in a summary line; UINT64_MAX when missing. */
static uint64_t summary_get(const char *sum, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(sum, pat);
	if (!p)
		return UINT64_MAX;
	return strtoull(p + strlen(pat), NULL, 10);
}

struct run {
	const char *what;
	const char *rx_ns, *tx_ns, *tx_addr;
	const char *port;
	char *const *rx_args;	/* options after the program, NULL-ended */
	uint64_t total;		/* bytes the sender sends */
	bool want_eof;		/* else the receive ends at -s */
	uint64_t min_len_ends;	/* requests ended at their -l length */
	enum { ZC_ALL, ZC_NONE } zc;
};

static int run(const struct run *r)
{
	char rx_out[] = "/tmp/zcrx-example-rx-XXXXXX";
	char tx_out[] = "/tmp/zcrx-example-tx-XXXXXX";
	char total[32], sum[1024];
	char *argv[32];
	char *tx_argv[] = {
		send_path, "-a", (char *)r->tx_addr, "-p", (char *)r->port,
		"-s", total, "-w", "60", NULL,
	};
	uint64_t bytes, zc, copied, stats;
	int rx_rc, tx_rc, fd, i, n = 0, ret = T_EXIT_FAIL;
	pid_t rx, tx;

	fd = mkstemp(rx_out);
	if (fd >= 0)
		close(fd);
	fd = mkstemp(tx_out);
	if (fd >= 0)
		close(fd);
	snprintf(total, sizeof(total), "%llu", (unsigned long long)r->total);
	argv[n++] = recv_path;
	for (i = 0; r->rx_args[i]; i++)
		argv[n++] = r->rx_args[i];
	argv[n++] = "-p";
	argv[n++] = (char *)r->port;
	argv[n++] = "-v";
	argv[n++] = "-t";
	argv[n++] = "60";
	argv[n] = NULL;

	printf("%s:", r->what);
	for (i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf(" | zcrx-send -a %s -p %s -s %s\n", r->tx_addr, r->port, total);
	fflush(stdout);

	rx = spawn(r->rx_ns, rx_out, argv);
	if (wait_listening(rx, rx_out)) {
		kill(rx, SIGKILL);
		waitpid(rx, NULL, 0);
		print_file("zcrx-recv", rx_out);
		t_fail("%s: zcrx-recv did not get to \"listening\"", r->what);
		goto out;
	}
	tx = spawn(r->tx_ns, tx_out, tx_argv);
	tx_rc = wait_exit(tx);
	rx_rc = wait_exit(rx);
	print_file("zcrx-recv", rx_out);
	print_file("zcrx-send", tx_out);
	read_summary(rx_out, sum, sizeof(sum));

	if (rx_rc || tx_rc) {
		t_fail("%s: zcrx-recv exited %d, zcrx-send %d", r->what, rx_rc,
		       tx_rc);
		goto out;
	}
	bytes = summary_get(sum, "bytes");
	zc = summary_get(sum, "zc_bytes");
	copied = summary_get(sum, "copied_bytes");
	stats = summary_get(sum, "stats");
	if (!sum[0] || bytes != r->total ||
	    summary_get(sum, "verified") != 1 ||
	    summary_get(sum, "eof") != (r->want_eof ? 1 : 0)) {
		t_fail("%s: summary '%s', want bytes=%llu verified=1 eof=%d",
		       r->what, sum, (unsigned long long)r->total, r->want_eof);
		goto out;
	}
	if (summary_get(sum, "returned") + summary_get(sum, "held") !=
	    summary_get(sum, "cqes")) {
		t_fail("%s: buffers returned + held != CQEs in '%s'", r->what,
		       sum);
		goto out;
	}
	if (summary_get(sum, "len_ends") < r->min_len_ends) {
		t_fail("%s: %llu requests ended at their length, want >= %llu",
		       r->what,
		       (unsigned long long)summary_get(sum, "len_ends"),
		       (unsigned long long)r->min_len_ends);
		goto out;
	}
	if (stats != 1) {
		ret = t_lacks("%s: zcrx-recv got no zcrx_stats block from the kernel: copies cannot be counted",
			      r->what);
		goto out;
	}
	/*
	 * The summary's zc_bytes is bytes minus copied_bytes, not a count
	 * of its own: only the copy count and the CQEs are checked.
	 */
	if (r->zc == ZC_NONE ? copied != bytes ||
			       summary_get(sum, "copied_cqes") !=
			       summary_get(sum, "cqes") :
			       copied || summary_get(sum, "copied_cqes")) {
		t_fail("%s: %llu of %llu bytes and %llu of %llu CQEs counted as copied, want %s",
		       r->what, (unsigned long long)copied,
		       (unsigned long long)bytes,
		       (unsigned long long)summary_get(sum, "copied_cqes"),
		       (unsigned long long)summary_get(sum, "cqes"),
		       r->zc == ZC_NONE ? "all (device-less)" :
		       "none (the device wrote every byte)");
		goto out;
	}
	printf("%s: bytes total %llu, copied %llu (zcrx-recv's zero-copy: %llu)\n",
	       r->what, (unsigned long long)bytes,
	       (unsigned long long)copied, (unsigned long long)zc);
	ret = T_EXIT_PASS;
out:
	unlink(rx_out);
	unlink(tx_out);
	return ret;
}

static int nsim_part(void)
{
	struct t_zcrx_nsim n;
	struct t_rings rings = { 0 };
	char *args[] = { "-i", NULL, "-q", "1", NULL };
	char heap[80] = "heap:";
	char *dm_args[] = { "-i", NULL, "-q", "1", "-A", heap, "-S", "32M",
			    NULL };
	struct run r = {
		.what = "netdevsim", .port = "5431", .rx_args = args,
		.total = 256 * MIB, .want_eof = true, .zc = ZC_ALL,
	};
	int ret;

	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	args[1] = n.pair.ifname[1];
	r.rx_ns = n.ns;
	r.tx_ns = n.pair.netns[0];
	r.tx_addr = n.pair.addr[1];
	/* header split off: the example must see it and turn it on */
	ret = t_rings_set(n.ns, n.ifindex, ETHTOOL_TCP_DATA_SPLIT_DISABLED, -1);
	if (ret) {
		ret = t_fail("turning header split off on %s: %s",
			     n.pair.ifname[1], strerror(-ret));
		goto out;
	}
	ret = run(&r);
	if (ret)
		goto out;
	ret = t_rings_get(n.ns, n.ifindex, &rings);
	if (ret || rings.split != ETHTOOL_TCP_DATA_SPLIT_ENABLED ||
	    (rings.has_thresh && rings.thresh)) {
		ret = t_fail("after zcrx-recv: tcp-data-split %u, hds-thresh %u (%s), want enabled and 0",
			     rings.split, rings.thresh, strerror(-ret));
		goto out;
	}
	/* device memory, read through the dma-buf's own mapping */
	ret = t_devmem_heap(heap + 5, sizeof(heap) - 5);
	if (ret)
		goto out;
	r.what = "netdevsim, device memory";
	r.port = "5432";
	r.rx_args = dm_args;
	r.total = 128 * MIB;
	dm_args[1] = n.pair.ifname[1];
	ret = run(&r);
out:
	t_zcrx_nsim_cleanup(&n);
	return ret;
}

static void huge_restore(long old)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");

	if (f) {
		fprintf(f, "%ld\n", old);
		fclose(f);
	}
}

/* HugePages_Free of /proc/meminfo, or -1. */
static long huge_free(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "HugePages_Free:", 15))
			v = strtol(line + 15, NULL, 10);
	fclose(f);
	return v;
}

/*
 * Have @nr free 2 MiB huge pages: those reserved when enough are free
 * (the old count is returned, nothing to restore), else reserve the rest.
 * The old count, or -1.
 */
static long huge_reserve(long nr)
{
	const char *path = "/proc/sys/vm/nr_hugepages";
	long old = -1, now = -1, free = huge_free();
	FILE *f;

	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &old) != 1)
		old = -1;
	if (f)
		fclose(f);
	if (old < 0)
		return -1;
	if (free >= nr)
		return old;
	nr -= free > 0 ? free : 0;
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "%ld\n", old + nr);
	fclose(f);
	f = fopen(path, "r");
	if (f && fscanf(f, "%ld", &now) != 1)
		now = -1;
	if (f)
		fclose(f);
	if (now < old + nr) {
		huge_restore(old);	/* give back what was had */
		return -1;
	}
	return old;
}

static int nodev_part(void)
{
	struct t_nsim_pair p;
	char *bulk_args[] = { "-n", "-s", "268435456", "-R", NULL };
	char *small_args[] = { "-n", "-S", "1M", "-r", "64", "-c", "64", NULL };
	char *huge_args[] = { "-n", "-A", "huge", "-S", "32M", "-l", "1M", NULL };
	struct run r = { .zc = ZC_NONE };
	long huge_old;
	int ret;

	ret = t_zcrx_lo_pair(&p);
	if (ret)
		return ret;
	r.rx_ns = r.tx_ns = p.netns[0];
	r.tx_addr = "127.0.0.1";

	r.what = "device-less, loopback";
	r.port = "5432";
	r.rx_args = bulk_args;
	r.total = 256 * MIB;
	r.want_eof = false;
	ret = run(&r);
	if (ret)
		goto out;

	r.what = "device-less, 1 MiB area";
	r.port = "5433";
	r.rx_args = small_args;
	r.total = 32 * MIB;
	r.want_eof = true;
	ret = run(&r);
	if (ret)
		goto out;

	huge_old = huge_reserve(16);
	if (huge_old < 0) {
		ret = t_lacks("device-less, huge pages: %ld free, and 16 cannot be reserved",
			      huge_free());
		goto out;
	}
	r.what = "device-less, huge page area";
	r.port = "5434";
	r.rx_args = huge_args;
	r.total = 64 * MIB;
	r.min_len_ends = 63;
	ret = run(&r);
	huge_restore(huge_old);
out:
	t_nsim_pair_destroy(&p);
	return ret;
}

int main(void)
{
	int ret, nsim, nodev;

	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = find_examples();
	if (ret)
		return ret;
	printf("examples: %s, %s\n", recv_path, send_path);

	nsim = nsim_part();
	if (nsim == T_EXIT_FAIL)
		return nsim;
	nodev = t_zcrx_require(true);
	if (!nodev)
		nodev = nodev_part();
	if (nodev == T_EXIT_FAIL)
		return nodev;
	/* a part skipped (its reason printed): the test did not all run */
	if (nsim == T_EXIT_SKIP || nodev == T_EXIT_SKIP)
		return T_EXIT_SKIP;
	return T_EXIT_PASS;
}
