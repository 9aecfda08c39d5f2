/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the zcrx-lts tests, in the spirit of liburing's
 * test/helpers.h: exit codes, failure reporting, a byte pattern for
 * end-to-end verification, and netdevsim ports in network namespaces.
 */
#ifndef ZCRX_TEST_HELPERS_H
#define ZCRX_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>

enum t_test_result {
	T_EXIT_PASS = 0,
	T_EXIT_FAIL = 1,
	T_EXIT_SKIP = 77,
};

/* Print where and why a test failed; returns T_EXIT_FAIL. */
#define t_fail(fmt, ...) t_fail_at(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
int t_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print why a test is skipped ("skip: ..."); returns T_EXIT_SKIP. */
int t_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Whether this is the project's own kernel (a release ending in
 * "-zcrx-debug" or "-zcrx-perf"). There, everything the tests need is
 * present (zcrx with ZCRX_REG_NODEV, netdevsim with header split, devmem,
 * udmabuf, the system dma-buf heap, reserved huge pages, root), so a
 * missing feature is a failure, never a skip.
 */
bool t_project_kernel(void);

/*
 * The kernel (or machine) lacks something the test needs: on the
 * project's kernel a failure (t_fail(), T_EXIT_FAIL), elsewhere a skip
 * (t_skip(), T_EXIT_SKIP), with the reason printed either way.
 */
#define t_lacks(fmt, ...) t_lacks_at(__FILE__, __LINE__, fmt, ##__VA_ARGS__)
int t_lacks_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Abort the test on an unexpected error in set-up code. */
#define t_check(cond, fmt, ...)						\
	do {								\
		if (!(cond)) {						\
			t_fail(fmt, ##__VA_ARGS__);			\
			exit(T_EXIT_FAIL);				\
		}							\
	} while (0)

/*
 * The stream pattern: byte at stream offset @off. It is not periodic at
 * any power of two below 2^32, so lost, duplicated or reordered chunks of
 * any size are caught.
 */
static inline uint8_t t_pattern_byte(uint64_t off)
{
	return (uint8_t)(off ^ (off >> 8) ^ (off >> 16) ^ (off >> 24));
}

void t_pattern_fill(void *buf, uint64_t off, size_t len);
/* Returns the index of the first wrong byte, or -1 when all match. */
long t_pattern_check(const void *buf, uint64_t off, size_t len);

/* Two netdevsim ports linked back to back, each in its own netns. */
struct t_nsim_pair {
	int dev_id[2];			/* netdevsim bus device ids */
	char netns[2][32];		/* names under /run/netns */
	char ifname[2][IF_NAMESIZE];
	int ifindex[2];			/* in its own namespace */
	char addr[2][16];		/* IPv4 address of each side */
	int nr_queues;
};

/*
 * Create the pair with @nr_queues rx/tx queues per port, addresses
 * 192.0.2.1 (side 0) and 192.0.2.2 (side 1), links up.
 * Returns 0, T_EXIT_SKIP when the kernel has no netdevsim (T_EXIT_FAIL on
 * the project's kernel), or T_EXIT_FAIL; on failure everything created
 * is removed again.
 */
int t_nsim_pair_create(struct t_nsim_pair *p, int nr_queues);
void t_nsim_pair_destroy(struct t_nsim_pair *p);
/*
 * After side @i's netdevsim device was deleted (t_nsim_del_side()), make
 * it again in the side's namespace, with its address, up, and linked to
 * the other side, which forgets the old port's MAC address: the new
 * port's name and ifindex in @p. Much cheaper than a new pair (no
 * commands run). 0 or T_EXIT_FAIL.
 */
int t_nsim_side_again(struct t_nsim_pair *p, int i);
/*
 * The number in debugfs file @file of side @i's netdevsim bus device
 * (netdevsimN/iommu_mappings, say): 0 or T_EXIT_FAIL (reported).
 */
int t_nsim_debugfs_u64(const struct t_nsim_pair *p, int i, const char *file,
		       uint64_t *v);

/* Move the calling thread into network namespace @name. */
int t_netns_enter(const char *name);

/*
 * PREFIX/@rel in @out, PREFIX being the prefix this test is installed in
 * (PREFIX/libexec/zcrx-lts/test); "" when this test's path is unknown.
 */
void t_prefix_path(char *out, size_t len, const char *rel);

/*
 * A file of the project a test uses: $@env (when @env names a variable
 * that is set), else PREFIX/@rel (t_prefix_path()), else @build (the
 * build tree's, when not NULL), in @out. 0 when access(@mode) allows
 * it, else -1 (not reported; @out says what was tried).
 */
int t_find_file(char *out, size_t len, const char *env, const char *rel,
		const char *build, int mode);

/* Run a command through the shell; returns its exit status or -1. */
int t_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A TCP stream from side 0 to side 1 of @p: returns a listening socket in
 * side 1's namespace, and after t_stream_start() a connected, accepted
 * socket there. The sender runs in a child process in side 0's namespace
 * and writes @total bytes of the pattern in chunks of varying size.
 */
struct t_stream {
	int listen_fd;
	int fd;
	pid_t sender;
	uint64_t total;
};

int t_stream_start(struct t_stream *s, const struct t_nsim_pair *p,
		   uint16_t port, uint64_t total);
/* Close the sockets (set to -1), wait for the sender; 0 when it sent all. */
int t_stream_finish(struct t_stream *s);

/*
 * Jumbo frames from side 0 to side 1 of @p: MTU @mtu on both ports, and
 * gso_max_segs 1 on the sender's. That, not ethtool -K, makes each frame
 * a real one no larger than the MTU: netdevsim's TSO is fixed on (not in
 * its hw_features, so "ethtool -K tso off" cannot change it) and its
 * transmit hands a TSO skb to the peer's device whole, one frame of up to
 * 64 KiB whatever the MTU, and a TCP socket has GSO whatever
 * "ethtool -K gso" says (sk_setup_caps()). With one segment per skb TCP
 * sends no skb larger than one MSS. 0 or T_EXIT_FAIL (reported).
 */
int t_nsim_pair_jumbo(const struct t_nsim_pair *p, int mtu);

/*
 * The receive counters of side @i's port (/proc/net/dev in its netns):
 * frames, their bytes with the Ethernet header (netdevsim counts
 * whole frames) and the frames dropped. 0 or -errno.
 */
struct t_rx_counters {
	uint64_t bytes, packets, dropped;	/* rx_dropped + rx_missed */
};

int t_nsim_rx_counters(const struct t_nsim_pair *p, int i,
		       struct t_rx_counters *c);

/*
 * Showing that a stream over t_nsim_pair_jumbo() went in jumbo frames:
 * t_jumbo_begin() before t_stream_start() notes the receiver's (side 1)
 * counters, t_jumbo_mss() checks the accepted socket's MSS, and
 * t_jumbo_check() after the stream of @total bytes checks the frames the
 * receiver counted meanwhile. Each returns 0 or T_EXIT_FAIL (reported).
 */
struct t_jumbo {
	const struct t_nsim_pair *p;
	int mtu;
	struct t_rx_counters start;	/* side 1's at the start */
};

int t_jumbo_begin(struct t_jumbo *j, const struct t_nsim_pair *p, int mtu);
int t_jumbo_mss(const struct t_jumbo *j, int fd);
int t_jumbo_check(const struct t_jumbo *j, uint64_t total);

#endif
