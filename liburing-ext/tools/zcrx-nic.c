/* SPDX-License-Identifier: MIT */
/*
 * zcrx-nic: what a NIC needs for zero-copy receive, shown and set where
 * Debian 12's ethtool (6.1) cannot: header split (tcp-data-split and
 * hds-thresh, ethtool netlink), and which rx queues have a memory
 * provider bound and which page pools serve them (netdev netlink).
 *
 *   zcrx-nic rings DEV
 *   zcrx-nic rings DEV [tcp-data-split on|off|auto] [hds-thresh N]
 *   zcrx-nic queues DEV
 *
 * Exit status: 0, 1 when the kernel (or the system) refused, with
 * "zcrx-nic: WHAT: ERROR" and the kernel's extended ack message where it
 * gave one, 2 for words it does not understand. The netlink requests are
 * liburing-ext's own (src/netlink.c, interface.c and netdev.c), linked
 * from its static library, so this is one client of that code, not a
 * second copy of it. Setting needs CAP_NET_ADMIN.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liburing-ext.h>

/* liburing-ext's internal netlink queries (hidden; in the static library) */
#include "lib.h"

/* ETHTOOL_TCP_DATA_SPLIT_*: linux/ethtool_netlink.h, 6.0 and later */
static const char *const split_names[] = { "auto", "off", "on" };

static void usage(FILE *out, int code) __attribute__((noreturn));
static void usage(FILE *out, int code)
{
	fputs("Usage: zcrx-nic rings DEV\n"
	      "       zcrx-nic rings DEV [tcp-data-split on|off|auto] [hds-thresh N]\n"
	      "       zcrx-nic queues DEV\n"
	      "       zcrx-nic -h|--help\n"
	      "\n"
	      "  rings DEV   ring sizes and header split of DEV (ethtool -g)\n"
	      "  rings DEV tcp-data-split on|off|auto hds-thresh N\n"
	      "              set either or both, in any order (ethtool -G)\n"
	      "  queues DEV  each rx queue of DEV: its NAPI id, the memory\n"
	      "              provider bound to it (io-uring, dmabuf or none)\n"
	      "              and the page pools that serve it\n"
	      "\n"
	      "Exit status: 0 success, 1 refused by the kernel, 2 usage.\n",
	      out);
	exit(code);
}

static void bad_usage(const char *what, const char *word)
	__attribute__((noreturn));
static void bad_usage(const char *what, const char *word)
{
	fprintf(stderr, "zcrx-nic: %s '%s'\n", what, word);
	fputs("Try 'zcrx-nic --help'.\n", stderr);
	exit(2);
}

/* Print why @what failed (@err, and the kernel's message); returns 1. */
static int refused(const char *dev, const char *what, int err)
{
	const char *why = io_uring_zcrx_last_error();

	fprintf(stderr, "zcrx-nic: %s%s%s: %s%s%s\n", dev, what ? ": " : "",
		what ? what : "", strerror(-err), why ? ": " : "",
		why ? why : "");
	return 1;
}

/* A decimal number that fits in 32 bits, or -1. */
static long long parse_u32(const char *s)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	return (long long)v;
}

/* tcp-data-split: ETHTOOL_TCP_DATA_SPLIT_* of @s, or -1. */
static int parse_split(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, split_names[i]))
			return i;
	return -1;
}

/* The words after "rings DEV": KEY VALUE pairs, each key at most once. */
static void parse_rings(int argc, char **argv, int *split, long long *thresh)
{
	int i;

	for (i = 0; i < argc; i += 2) {
		const char *key = argv[i], *val = argv[i + 1];
		bool is_split = !strcmp(key, "tcp-data-split");

		if (!is_split && strcmp(key, "hds-thresh"))
			bad_usage("unknown ring parameter", key);
		if (is_split ? *split >= 0 : *thresh >= 0)
			bad_usage("ring parameter given twice:", key);
		if (!val)
			bad_usage("no value for", key);
		if (is_split) {
			*split = parse_split(val);
			if (*split < 0)
				bad_usage("tcp-data-split is on, off or auto, not",
					  val);
		} else {
			*thresh = parse_u32(val);
			if (*thresh < 0)
				bad_usage("hds-thresh is a number from 0 to 4294967295, not",
					  val);
		}
	}
}

static void show_u32(const char *name, __u32 val)
{
	printf("%s:%*s%u\n", name, (int)(16 - strlen(name)), "", val);
}

static int show_rings(const char *dev, unsigned int ifindex)
{
	struct __io_uring_ext_rings r;
	int ret = __io_uring_ext_rings_get(ifindex, &r);

	if (ret)
		return refused(dev, "ethtool rings get", ret);
	/* the kernel reports a ring and its maximum only when there is one */
	if (r.rx_max) {
		show_u32("rx", r.rx);
		show_u32("rx-max", r.rx_max);
	}
	if (r.tx_max) {
		show_u32("tx", r.tx);
		show_u32("tx-max", r.tx_max);
	}
	/* not reported (or 0): the driver does not say, "unknown" */
	if (r.split == 1 || r.split == 2)
		printf("tcp-data-split:  %s\n", split_names[r.split]);
	else if (!r.split)
		printf("tcp-data-split:  unknown\n");
	else
		show_u32("tcp-data-split", r.split);
	if (r.has_thresh)
		show_u32("hds-thresh", r.thresh);
	if (r.has_thresh_max)
		show_u32("hds-thresh-max", r.thresh_max);
	return 0;
}

/* The page pools of one device, and which of them a queue claimed. */
struct pools {
	unsigned int ifindex;
	struct __io_uring_ext_page_pool *p;
	bool *shown;
	size_t n, cap;
	unsigned int rx_queues;
};

static int keep_pool(const struct __io_uring_ext_page_pool *p, void *arg)
{
	struct pools *d = arg;

	if (p->ifindex != d->ifindex)
		return 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		void *np = realloc(d->p, cap * sizeof(*d->p));

		if (!np)
			return -ENOMEM;
		d->p = np;
		d->cap = cap;
	}
	d->p[d->n++] = *p;
	return 0;
}

static void show_pool(const struct __io_uring_ext_page_pool *p)
{
	printf("\tpage-pool %llu: ifindex %u", (unsigned long long)p->id,
	       p->ifindex);
	if (p->napi_id)
		printf(", napi-id %llu", (unsigned long long)p->napi_id);
	printf(", inflight %llu, inflight-mem %llu",
	       (unsigned long long)p->inflight,
	       (unsigned long long)p->inflight_mem);
	if (p->has_dmabuf)
		printf(", dmabuf %u", p->dmabuf);
	if (p->io_uring)
		printf(", io-uring");
	if (p->detach_time)
		printf(", detach-time %llu",
		       (unsigned long long)p->detach_time);
	putchar('\n');
}

/* An rx queue, and the pools of its NAPI instance under it. */
static int show_queue(const struct __io_uring_ext_queue *q, void *arg)
{
	struct pools *d = arg;
	size_t i;

	if (q->type != 0)	/* NETDEV_QUEUE_TYPE_RX */
		return 0;
	d->rx_queues++;
	printf("rx-queue %u: napi-id ", q->id);
	if (q->napi_id)
		printf("%u", q->napi_id);
	else
		printf("none");
	if (q->io_uring)
		printf(", provider io-uring\n");
	else if (q->has_dmabuf)
		printf(", provider dmabuf %u\n", q->dmabuf);
	else
		printf(", provider none\n");
	for (i = 0; q->napi_id && i < d->n; i++) {
		if (d->p[i].napi_id != q->napi_id)
			continue;
		show_pool(&d->p[i]);
		d->shown[i] = true;
	}
	return 0;
}

static int show_queues(const char *dev, unsigned int ifindex)
{
	struct pools d = { .ifindex = ifindex };
	bool header = false;
	size_t i;
	int ret;

	ret = __io_uring_ext_page_pool_dump(keep_pool, &d);
	if (ret) {
		ret = refused(dev, "netdev page-pool-get dump", ret);
		goto out;
	}
	d.shown = calloc(d.n + 1, sizeof(*d.shown));
	if (!d.shown) {
		ret = refused(dev, NULL, -ENOMEM);
		goto out;
	}
	ret = __io_uring_ext_queue_dump(ifindex, show_queue, &d);
	if (ret) {
		ret = refused(dev, "netdev queue-get dump", ret);
		goto out;
	}
	if (!d.rx_queues)
		printf("no rx queues (netdev netlink lists none while %s is down)\n",
		       dev);
	for (i = 0; i < d.n; i++) {
		if (d.shown[i])
			continue;
		if (!header)
			printf("page pools of %s on no rx queue's NAPI:\n",
			       dev);
		header = true;
		show_pool(&d.p[i]);
	}
out:
	free(d.shown);
	free(d.p);
	return ret;
}

int main(int argc, char *argv[])
{
	long long thresh = -1;
	int i, ifindex, split = -1, ret;
	const char *dev;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			usage(stdout, 0);
	if (argc < 2)
		usage(stderr, 2);
	if (strcmp(argv[1], "rings") && strcmp(argv[1], "queues"))
		bad_usage("unknown command", argv[1]);
	if (argc < 3)
		bad_usage("no device after", argv[1]);
	if (!strcmp(argv[1], "rings"))
		parse_rings(argc - 3, argv + 3, &split, &thresh);
	else if (argc > 3)
		bad_usage("queues takes a device only, not", argv[3]);

	dev = argv[2];
	ifindex = io_uring_zcrx_ifindex(dev);
	if (ifindex < 0)
		return refused(dev, NULL, ifindex);
	if (!strcmp(argv[1], "queues"))
		return show_queues(dev, (unsigned int)ifindex);
	if (split < 0 && thresh < 0)
		return show_rings(dev, (unsigned int)ifindex);
	ret = __io_uring_ext_rings_set((unsigned int)ifindex, split, thresh);
	return ret ? refused(dev, "ethtool rings set", ret) : 0;
}
