/* SPDX-License-Identifier: MIT */
/*
 * Description: the message of the kernel's netlink extended ack reaches
 * the caller through io_uring_zcrx_last_error(). io_uring_zcrx_enable_hds()
 * on an interface index that does not exist fails with -ENODEV, and the
 * ethtool family says why ("no device matches ifindex"); the next request
 * (on lo, which has no ring parameters: -EOPNOTSUPP without a message)
 * replaces it, so no stale message is left; and the message is the
 * calling thread's own. Built like zcrx-upstream-api, against liburing
 * and liburing-ext only. Runs on the host and in the guest; skips where
 * there is no ethtool netlink.
 */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <liburing.h>
#include <liburing-ext.h>

#define T_EXIT_PASS	0
#define T_EXIT_FAIL	1
#define T_EXIT_SKIP	77

static const char *show(const char *msg)
{
	return msg ? msg : "(none)";
}

/* In another thread: the main thread's message is not seen here. */
static void *other_thread(void *arg)
{
	return (void *)io_uring_zcrx_last_error();
}

int main(void)
{
	char name[IF_NAMESIZE];
	const char *msg;
	unsigned int idx;
	pthread_t thr;
	void *seen;
	int ret, lo;

	/* an interface index no device has */
	for (idx = 0x7ffffff0; if_indextoname(idx, name); idx++)
		;

	if (io_uring_zcrx_last_error()) {
		fprintf(stderr, "a message before any request: %s\n",
			io_uring_zcrx_last_error());
		return T_EXIT_FAIL;
	}
	ret = io_uring_zcrx_enable_hds(idx);
	if (ret == -ENOENT || ret == -EPROTONOSUPPORT) {
		printf("skip: no ethtool netlink family: %s\n", strerror(-ret));
		return T_EXIT_SKIP;
	}
	msg = io_uring_zcrx_last_error();
	printf("ifindex %u: %s, kernel says: %s\n", idx,
	       io_uring_zcrx_strerror(ret), show(msg));
	if (ret != -ENODEV) {
		fprintf(stderr, "io_uring_zcrx_enable_hds(%u): %d, want -ENODEV\n",
			idx, ret);
		return T_EXIT_FAIL;
	}
	if (!msg || !strstr(msg, "ifindex")) {
		fprintf(stderr, "extack message %s, want one about the ifindex\n",
			show(msg));
		return T_EXIT_FAIL;
	}

	if (pthread_create(&thr, NULL, other_thread, NULL) ||
	    pthread_join(thr, &seen)) {
		fprintf(stderr, "pthread: %s\n", strerror(errno));
		return T_EXIT_FAIL;
	}
	if (seen) {
		fprintf(stderr, "another thread sees a message: %s\n",
			(const char *)seen);
		return T_EXIT_FAIL;
	}

	lo = io_uring_zcrx_ifindex("lo");
	if (lo < 0) {
		printf("skip: no lo: %s\n", strerror(-lo));
		return T_EXIT_SKIP;
	}
	ret = io_uring_zcrx_enable_hds((unsigned int)lo);
	msg = io_uring_zcrx_last_error();
	printf("lo: %s, kernel says: %s\n",
	       ret ? io_uring_zcrx_strerror(ret) : "header split on", show(msg));
	if (msg && strstr(msg, "ifindex")) {
		fprintf(stderr, "the message of the earlier request is left\n");
		return T_EXIT_FAIL;
	}
	return T_EXIT_PASS;
}
