/* SPDX-License-Identifier: MIT */
/*
 * Description: zcrx-nic as installed (bin/ of the prefix this test is
 * installed in, else the build tree, or $ZCRX_NIC), run as a user runs it:
 *   - words it does not understand (an unknown command or ring parameter,
 *     a missing device or value, a bad tcp-data-split or hds-thresh, a
 *     parameter given twice): exit 2 with a message naming the word, and
 *     no request made (on lo, which has no ring parameters, a request
 *     would exit 1); -h and --help: the usage, exit 0;
 *   - a device that does not exist: exit 1, "zcrx-nic: DEV: No such
 *     device" (rings, rings set, queues);
 * and on a netdevsim port with two queues, in its namespace:
 *   - rings shows the ring sizes, tcp-data-split and hds-thresh as a rings
 *     get of liburing-ext reports them, hds-thresh-max among them;
 *   - rings DEV tcp-data-split on hds-thresh 0 sets both, silently (the
 *     rings get and Debian's ethtool -g then say so); the keys in the
 *     other order, tcp-data-split off and auto (netdevsim: off) set them
 *     too; hds-thresh-max itself is accepted;
 *   - hds-thresh above hds-thresh-max, and 4294967295, with or without
 *     tcp-data-split: exit 1, ERANGE and the kernel's message, nothing
 *     changed;
 *   - queues: each rx queue with its NAPI id, provider none, and the
 *     page pools of its NAPI under it, none of them io-uring;
 *   - with an io_uring zcrx ifq on rx queue 1: provider io-uring on queue
 *     1, with an io-uring page pool under it, and none on queue 0;
 *     tcp-data-split off or auto and hds-thresh 1: exit 1, EINVAL and the
 *     kernel's message (kernel-patches/0004), nothing changed;
 *     tcp-data-split on hds-thresh 0, as they are: exit 0;
 *   - once the ring is closed: provider none at once, the io-uring page
 *     pool gone within 10 s, and tcp-data-split off accepted again;
 *   - with the port down: queues says netdev netlink lists no rx queues,
 *     exit 0.
 * Skips without netdevsim, and its provider part without zcrx (fails on
 * the project's kernel, which has both).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool_netlink.h>

#include "devmem.h"
#include "helpers.h"
#include "zcrx.h"
/* liburing-ext's internal ethtool query: the tests link the static library */
#include "../liburing-ext/src/lib.h"

#ifndef ZCRX_NIC_BUILD
#define ZCRX_NIC_BUILD	NULL
#endif

#define RXQ		1	/* the queue the ifq is registered on */
#define NO_DEV		"zcrxnic-none0"

static char nic[PATH_MAX];
static char out[] = "/tmp/zcrx-nic-XXXXXX";
static const char *dev;
static unsigned int ifindex;

/*
 * "zcrx-nic @args" (in this thread's network namespace) must exit
 * @status, and its output (standard output and error) have a line that
 * matches the extended regular expression @want ("": no output at all;
 * NULL: anything; no single quotes, it goes to grep in them). 0, or T_EXIT_FAIL with the output shown.
 */
static int expect(const char *args, int status, const char *want)
{
	int ret = t_run("%s %s >%s 2>&1", nic, args, out);
	bool ok = ret == status;

	if (ok && want && *want)
		ok = !t_run("grep -qE -- '%s' %s", want, out);
	else if (ok && want)
		ok = t_run("test -s %s", out);
	if (!ok) {
		fflush(stdout);
		t_run("sed 's/^/| /' %s >&2", out);
		return t_fail("zcrx-nic %s: exit %d, want %d and %s%s", args,
			      ret, status, !want ? "any output" :
			      *want ? "a line matching " : "no output",
			      want ? want : "");
	}
	printf("zcrx-nic %s: exit %d\n", args, ret);
	return 0;
}

/* Whether rx queue @q's part of the last output has a pool matching @pat. */
static bool queue_has_pool(unsigned int q, const char *pat)
{
	return !t_run("sed -n '/^rx-queue %u:/,/^[^[:space:]]/p' %s | grep -qE -- '^[[:space:]]page-pool [0-9]+: .*%s'",
		      q, out, pat);
}

/* The rings get of liburing-ext: 0 or T_EXIT_FAIL. */
static int rings(struct __io_uring_ext_rings *r, const char *when)
{
	int ret = __io_uring_ext_rings_get(ifindex, r);

	if (ret)
		return t_fail("%s: rings get of %s: %s", when, dev,
			      t_errname(ret));
	return 0;
}

/* tcp-data-split must be @split and hds-thresh @thresh. */
static int want_rings(uint8_t split, uint32_t thresh, const char *when)
{
	struct __io_uring_ext_rings r;

	if (rings(&r, when))
		return T_EXIT_FAIL;
	if (r.split == split && r.has_thresh && r.thresh == thresh)
		return 0;
	return t_fail("%s: %s has tcp-data-split %u, hds-thresh %u; want %u and %u",
		      when, dev, r.split, r.thresh, split, thresh);
}

/* "zcrx-nic rings DEV" shows the ring parameters of @r, as it must. */
static int expect_show(const struct __io_uring_ext_rings *r,
		       const char *split)
{
	/* a ring and its maximum are reported when there is one */
	const struct {
		const char *name;
		uint32_t val;
		bool there;
	} lines[] = {
		{ "rx", r->rx, r->rx_max }, { "rx-max", r->rx_max, r->rx_max },
		{ "tx", r->tx, r->tx_max }, { "tx-max", r->tx_max, r->tx_max },
		{ "hds-thresh", r->thresh, true },
		{ "hds-thresh-max", r->thresh_max, true },
	};
	char args[64], want[96];
	size_t i;

	snprintf(args, sizeof(args), "rings %s", dev);
	snprintf(want, sizeof(want), "^tcp-data-split: +%s$", split);
	if (expect(args, 0, want))
		return T_EXIT_FAIL;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(want, sizeof(want), "^%s: +%u$", lines[i].name,
			 lines[i].val);
		if (lines[i].there && t_run("grep -qE -- '%s' %s", want, out)) {
			t_run("sed 's/^/| /' %s >&2", out);
			return t_fail("zcrx-nic %s: no line matching %s",
				      args, want);
		}
	}
	printf("zcrx-nic %s: rx %u/%u, tx %u/%u, tcp-data-split %s, hds-thresh %u/%u\n",
	       args, r->rx, r->rx_max, r->tx, r->tx_max, split, r->thresh,
	       r->thresh_max);
	return 0;
}

/* What any device, or none, gets: the command line and a missing device. */
static int words(void)
{
	static const char *const bad[] = {
		"", "frobnicate lo", "rings", "queues", "queues lo extra",
		"-x", "rings lo mtu 9000", "rings lo hds-thresh",
		"rings lo tcp-data-split", "rings lo tcp-data-split yes",
		"rings lo tcp-data-split ON", "rings lo hds-thresh 12x",
		"rings lo hds-thresh -1", "rings lo hds-thresh +1",
		"rings lo hds-thresh ''", "rings lo hds-thresh 0x10",
		"rings lo hds-thresh 4294967296",
		"rings lo hds-thresh 1 hds-thresh 2",
		"rings lo tcp-data-split on hds-thresh 0 tcp-data-split off",
		"rings " NO_DEV " tcp-data-split maybe",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (expect(bad[i], 2, "^(Try .zcrx-nic --help..$|Usage: zcrx-nic )"))
			return T_EXIT_FAIL;
	if (expect("rings lo mtu 9000", 2, "^zcrx-nic: unknown ring parameter .mtu.$") ||
	    expect("rings lo hds-thresh 1 hds-thresh 2", 2,
		   "^zcrx-nic: ring parameter given twice: .hds-thresh.$") ||
	    expect("-h", 0, "^Usage: zcrx-nic rings DEV$") ||
	    expect("--help", 0, "^Usage: zcrx-nic rings DEV$") ||
	    expect("rings lo --help", 0, "^Usage: zcrx-nic rings DEV$"))
		return T_EXIT_FAIL;
	if (expect("rings " NO_DEV, 1, "^zcrx-nic: " NO_DEV ": No such device$") ||
	    expect("rings " NO_DEV " tcp-data-split on hds-thresh 0", 1,
		   "^zcrx-nic: " NO_DEV ": No such device$") ||
	    expect("queues " NO_DEV, 1, "^zcrx-nic: " NO_DEV ": No such device$") ||
	    expect("queues a-name-too-long-for-linux", 1,
		   "^zcrx-nic: a-name-too-long-for-linux: No such device$"))
		return T_EXIT_FAIL;
	return 0;
}

/* Setting, showing, and the values the kernel refuses. */
static int set_rings(void)
{
	struct __io_uring_ext_rings r;
	char args[128], erange[160];
	uint32_t max;

	if (rings(&r, "at first"))
		return T_EXIT_FAIL;
	if (!r.has_thresh || !r.has_thresh_max)
		return t_lacks("kernel without the ethtool hds-thresh ring parameters");
	max = r.thresh_max;
	if (expect_show(&r, r.split == ETHTOOL_TCP_DATA_SPLIT_ENABLED ? "on" :
			r.split ? "off" : "unknown"))
		return T_EXIT_FAIL;

	snprintf(args, sizeof(args), "rings %s tcp-data-split on hds-thresh 0",
		 dev);
	if (expect(args, 0, "") ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0, args))
		return T_EXIT_FAIL;
	if (t_run("ethtool -g %s | grep -q 'TCP data split:[[:space:]]*on'",
		  dev)) {
		t_run("ethtool -g %s", dev);
		return t_fail("after %s ethtool -g does not show header split on",
			      args);
	}
	snprintf(args, sizeof(args), "rings %s hds-thresh 100 tcp-data-split off",
		 dev);
	if (expect(args, 0, "") ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_DISABLED, 100, args))
		return T_EXIT_FAIL;
	snprintf(args, sizeof(args), "rings %s tcp-data-split auto", dev);
	if (expect(args, 0, "") ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_DISABLED, 100, args))
		return T_EXIT_FAIL;
	snprintf(args, sizeof(args), "rings %s hds-thresh %u", dev, max);
	if (expect(args, 0, "") ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_DISABLED, max, args))
		return T_EXIT_FAIL;
	snprintf(args, sizeof(args), "rings %s hds-thresh 0 tcp-data-split on",
		 dev);
	if (expect(args, 0, "") ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0, args) ||
	    rings(&r, args) || expect_show(&r, "on"))
		return T_EXIT_FAIL;

	snprintf(erange, sizeof(erange),
		 "^zcrx-nic: %s: ethtool rings set: %s: hds-thresh exceeds the maximum of %u$",
		 dev, strerror(ERANGE), max);
	snprintf(args, sizeof(args), "rings %s hds-thresh %u", dev, max + 1);
	if (expect(args, 1, erange) ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0, args))
		return T_EXIT_FAIL;
	snprintf(args, sizeof(args), "rings %s hds-thresh 4294967295", dev);
	if (expect(args, 1, erange) ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0, args))
		return T_EXIT_FAIL;
	snprintf(args, sizeof(args),
		 "rings %s tcp-data-split off hds-thresh %u", dev, max + 1);
	if (expect(args, 1, erange) ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0, args))
		return T_EXIT_FAIL;
	return 0;
}

/* "zcrx-nic queues DEV": rx queue @q with @provider and its pools. */
static int expect_queue(unsigned int q, const char *provider,
			bool io_uring_pool, const char *when)
{
	char args[64], want[96];

	snprintf(args, sizeof(args), "queues %s", dev);
	snprintf(want, sizeof(want), "^rx-queue %u: napi-id [0-9]+, provider %s$",
		 q, provider);
	if (expect(args, 0, want))
		return T_EXIT_FAIL;
	if (!queue_has_pool(q, "inflight [0-9]+, inflight-mem [0-9]+"))
		return t_fail("%s: zcrx-nic %s shows no page pool under rx queue %u",
			      when, args, q);
	if (queue_has_pool(q, ", io-uring") != io_uring_pool)
		return t_fail("%s: zcrx-nic %s shows %san io-uring page pool under rx queue %u",
			      when, args, io_uring_pool ? "no " : "", q);
	printf("%s: rx queue %u: provider %s, %s io-uring page pool\n", when,
	       q, provider, io_uring_pool ? "an" : "no");
	return 0;
}

/* A refused change while the provider is bound: EINVAL, nothing changed. */
static int refused_while_bound(const char *change, const char *msg)
{
	char args[96], want[192];

	snprintf(args, sizeof(args), "rings %s %s", dev, change);
	snprintf(want, sizeof(want),
		 "^zcrx-nic: %s: ethtool rings set: %s: %s while a memory provider is bound$",
		 dev, strerror(EINVAL), msg);
	if (expect(args, 1, want))
		return T_EXIT_FAIL;
	return want_rings(ETHTOOL_TCP_DATA_SPLIT_ENABLED, 0, args);
}

static int provider(void)
{
	const struct t_zcrx_opts o = {
		.ifindex = ifindex, .rxq = RXQ, .area_len = 4UL << 20,
		.no_stats = true,
	};
	char args[96], want[96];
	struct t_zcrx z;
	int ret, ms;

	if (expect_queue(0, "none", false, "no provider") ||
	    expect_queue(RXQ, "none", false, "no provider"))
		return T_EXIT_FAIL;
	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = t_zcrx_setup_checked(&z, &o, "a 4 MiB area on rx queue 1");
	if (ret)
		return ret;
	if (expect_queue(RXQ, "io-uring", true, "ifq registered") ||
	    expect_queue(0, "none", false, "ifq registered, other queue") ||
	    refused_while_bound("tcp-data-split off",
				"can.t disable tcp-data-split") ||
	    refused_while_bound("tcp-data-split auto",
				"can.t disable tcp-data-split") ||
	    refused_while_bound("hds-thresh 1",
				"can.t set non-zero hds-thresh")) {
		t_zcrx_cleanup(&z);
		return T_EXIT_FAIL;
	}
	snprintf(args, sizeof(args), "rings %s tcp-data-split on hds-thresh 0",
		 dev);
	ret = expect(args, 0, "");
	t_zcrx_cleanup(&z);
	if (ret)
		return ret;

	/*
	 * Closing the ring unbinds the queue at once; its io-uring page pool
	 * goes when its buffers are back.
	 */
	snprintf(args, sizeof(args), "queues %s", dev);
	snprintf(want, sizeof(want),
		 "^rx-queue %u: napi-id [0-9]+, provider none$", RXQ);
	for (ms = 0;; ms += 100) {
		if (expect(args, 0, want))
			return T_EXIT_FAIL;
		if (!queue_has_pool(RXQ, ", io-uring"))
			break;
		if (ms >= 10000)
			return t_fail("ring closed: an io-uring page pool under rx queue %u after %d ms",
				      RXQ, ms);
		usleep(100 * 1000);
	}
	printf("ring closed: the io-uring page pool gone in %d ms\n", ms);
	if (expect_queue(RXQ, "none", false, "ring closed"))
		return T_EXIT_FAIL;
	snprintf(args, sizeof(args), "rings %s tcp-data-split off", dev);
	if (expect(args, 0, "") ||
	    want_rings(ETHTOOL_TCP_DATA_SPLIT_DISABLED, 0, args))
		return T_EXIT_FAIL;
	return 0;
}

static int port_down(void)
{
	char args[64], want[128];

	if (t_run("ip link set %s down", dev))
		return t_fail("ip link set %s down", dev);
	snprintf(args, sizeof(args), "queues %s", dev);
	snprintf(want, sizeof(want),
		 "^no rx queues \\(netdev netlink lists none while %s is down\\)$",
		 dev);
	return expect(args, 0, want);
}

int main(void)
{
	struct t_nsim_pair pair;
	int fd, ret;

	if (t_find_file(nic, sizeof(nic), "ZCRX_NIC", "bin/zcrx-nic",
			ZCRX_NIC_BUILD, X_OK))
		return t_fail("no zcrx-nic (bin/ of the prefix, the build tree or $ZCRX_NIC): %s",
			      nic);
	fd = mkstemp(out);
	if (fd < 0)
		return t_fail("mkstemp %s: %s", out, strerror(errno));
	close(fd);
	printf("zcrx-nic: %s\n", nic);

	ret = words();
	if (ret)
		goto out;
	ret = t_nsim_pair_create(&pair, 2);
	if (ret)
		goto out;
	dev = pair.ifname[1];
	ifindex = (unsigned int)pair.ifindex[1];
	ret = t_netns_enter(pair.netns[1]);
	if (ret)
		ret = t_fail("entering %s: %s", pair.netns[1], strerror(-ret));
	if (!ret)
		ret = set_rings();
	if (!ret)
		ret = provider();
	if (!ret)
		ret = port_down();
	t_nsim_pair_destroy(&pair);
out:
	unlink(out);
	return ret;
}
