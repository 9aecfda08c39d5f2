/* SPDX-License-Identifier: MIT */
/*
 * Description: a netdevsim port deleted while an ifq is being registered
 * on it. IORING_REGISTER_ZCRX_IFQ looks the device up without RTNL, then
 * pins the area (slow for a large one) and only then binds the queue,
 * under RTNL. A port deleted in that window must make the registration
 * fail with ENODEV; if the registration won, it returns 0 and the ifq lets
 * go of the device when the port goes. The kernel must never bind a queue
 * of a device that is unregistering: that device's providers were already
 * uninstalled, so the ifq would keep it, and its deletion would hang until
 * the ring exits.
 * In each of N rounds (default 20) a thread makes a ring and registers an
 * ifq with a 64 MiB area (not populated: pinning faults every page in) on
 * rx queue 1 of a netdevsim port with header split, while the main thread
 * deletes the port after a delay that grows across the rounds from 0 to
 * 1.25 times the duration of an undisturbed registration (at least to
 * 5 ms), so that rounds delete before the lookup, while the area is being
 * pinned and after the bind. Every registration must return 0 or ENODEV,
 * and the port's deletion must succeed and finish within 20 s of the
 * registration's return while the ring is still open (a bound ifq lets go
 * of the device when it goes); then the ring exits and the port is made
 * again. An undisturbed registration before the rounds, and one on the
 * last fresh port after them, on the same queue, must succeed. The rounds
 * that ended each way are counted and printed (either count may be 0).
 *
 * Usage: zcrx-reg-race.t [-n ROUNDS]
 * Skips without zcrx or netdevsim with header split (fails on the
 * project's kernel, which has both).
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "devmem.h"
#include "zcrx.h"

#define AREA_LEN	(64UL << 20)
#define REGION_LEN	(2 * 4096UL)	/* header + 64 entries, with room */
#define RQ_ENTRIES	64
#define MIN_SPAN_US	5000
#define DEL_WAIT_S	20

/* One registration: the ring is made and used by one thread. */
struct attempt {
	const char *ns;
	unsigned int ifindex, rxq;
	struct io_uring ring;
	bool ring_up;
	void *area;
	int res;		/* the registration's result */
	double reg_ms;		/* how long it took */
	int fail;		/* T_EXIT_FAIL: reported */
	/* racing with the deletion */
	pthread_barrier_t go;
	sem_t deleted;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void attempt_init(struct attempt *a, const struct t_zcrx_nsim *n)
{
	memset(a, 0, sizeof(*a));
	a->ns = n->ns;
	a->ifindex = (unsigned int)n->ifindex;
	a->rxq = n->rxq;
	a->res = 1;		/* neither 0 nor -errno: not registered yet */
}

/* The ring and the area, not populated: 0 or T_EXIT_FAIL. */
static int attempt_prepare(struct attempt *a)
{
	int ret = t_zcrx_ring_init(&a->ring, 8, 0);

	if (ret)
		return t_fail("ring: %s", t_errname(ret));
	a->ring_up = true;
	a->area = mmap(NULL, AREA_LEN, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->area == MAP_FAILED) {
		a->area = NULL;
		return t_fail("mmap of %lu MiB: %s", AREA_LEN >> 20,
			      strerror(errno));
	}
	return 0;
}

/* Register on the port (in its namespace): 0 or T_EXIT_FAIL. */
static int attempt_register(struct attempt *a)
{
	struct io_uring_zcrx_area_reg ar;
	struct io_uring_region_desc rd;
	struct io_uring_zcrx_ifq_reg reg;
	double t0;
	int self;

	memset(&ar, 0, sizeof(ar));
	memset(&rd, 0, sizeof(rd));
	memset(&reg, 0, sizeof(reg));
	ar.addr = (__u64)(uintptr_t)a->area;
	ar.len = AREA_LEN;
	rd.size = REGION_LEN;		/* kernel memory */
	reg.if_idx = a->ifindex;
	reg.if_rxq = a->rxq;
	reg.rq_entries = RQ_ENTRIES;
	reg.area_ptr = (__u64)(uintptr_t)&ar;
	reg.region_ptr = (__u64)(uintptr_t)&rd;
	self = t_netns_visit(a->ns);
	if (self < 0)
		return t_fail("entering %s: %s", a->ns, t_errname(self));
	t0 = now_ms();
	a->res = io_uring_register_ifq(&a->ring, &reg);
	a->reg_ms = now_ms() - t0;
	t_netns_leave(self);
	return 0;
}

static void attempt_end(struct attempt *a)
{
	if (a->ring_up)
		io_uring_queue_exit(&a->ring);
	a->ring_up = false;
	if (a->area)
		munmap(a->area, AREA_LEN);
	a->area = NULL;
}

/* A registration nothing disturbs, which must work: 0 or T_EXIT_FAIL. */
static int undisturbed(const struct t_zcrx_nsim *n, const char *what,
		       double *ms)
{
	struct attempt a;
	int ret;

	attempt_init(&a, n);
	ret = attempt_prepare(&a) ?: attempt_register(&a);
	attempt_end(&a);
	if (ret)
		return ret;
	if (a.res)
		return t_fail("%s: registering %s queue %u with a %lu MiB area: %s, want success",
			      what, n->pair.ifname[1], n->rxq, AREA_LEN >> 20,
			      t_errname(a.res));
	printf("%s: %s queue %u registered with a %lu MiB area in %.1f ms\n",
	       what, n->pair.ifname[1], n->rxq, AREA_LEN >> 20, a.reg_ms);
	*ms = a.reg_ms;
	return 0;
}

/* The racing registration: register, then wait for the deletion. */
static void *racer(void *arg)
{
	struct attempt *a = arg;
	struct timespec until;

	a->fail = attempt_prepare(a);
	pthread_barrier_wait(&a->go);
	if (!a->fail)
		a->fail = attempt_register(a);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += DEL_WAIT_S;
	while (sem_timedwait(&a->deleted, &until)) {
		if (errno == EINTR)
			continue;
		/* the ring exit below may be what lets the deletion finish */
		a->fail = t_fail("the registration returned %s, and %d s later the port's deletion still has not finished (%s)",
				 t_errname(a->res), DEL_WAIT_S,
				 a->res ? "a failed registration kept a reference to the device" :
				 "the ifq keeps the device: was a queue of an unregistering device bound?");
		break;
	}
	attempt_end(a);
	return NULL;
}

/*
 * One round: the port deleted @delay_us after the registration started.
 * The registration's result in *res; 0 or T_EXIT_FAIL.
 */
static int race_round(struct t_zcrx_nsim *n, unsigned int round,
		      unsigned int delay_us, int *res)
{
	struct attempt a;
	pthread_t th;
	double t0, del_ms;
	int del;

	attempt_init(&a, n);
	if (pthread_barrier_init(&a.go, NULL, 2) || sem_init(&a.deleted, 0, 0))
		return t_fail("barrier or semaphore: %s", strerror(errno));
	if (pthread_create(&th, NULL, racer, &a))
		return t_fail("pthread_create");
	pthread_barrier_wait(&a.go);
	if (delay_us)
		usleep(delay_us);
	t0 = now_ms();
	del = t_nsim_del_side(&n->pair, 1);
	del_ms = now_ms() - t0;
	sem_post(&a.deleted);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&a.go);
	sem_destroy(&a.deleted);
	if (a.res != 1)
		printf("round %2u: port deleted %5u us after the start: registration %s after %.1f ms, deletion took %.1f ms\n",
		       round + 1, delay_us, t_errname(a.res), a.reg_ms,
		       del_ms);
	if (a.fail)
		return T_EXIT_FAIL;
	if (del)
		return t_fail("deleting %s during a registration: %s",
			      n->pair.ifname[1], t_errname(del));
	if (a.res && a.res != -ENODEV)
		return t_fail("registering %s queue %u while the port was deleted: %s, want success or %s",
			      n->pair.ifname[1], n->rxq, t_errname(a.res),
			      t_errname(-ENODEV));
	*res = a.res;
	return 0;
}

/* The deleted port again, with header split: 0 or T_EXIT_FAIL. */
static int port_again(struct t_zcrx_nsim *n)
{
	int ret;

	if (t_nsim_side_again(&n->pair, 1))
		return t_fail("making the deleted port again in %s", n->ns);
	n->ifindex = n->pair.ifindex[1];
	ret = t_hds_enable(n->ns, n->ifindex);
	if (ret)
		return t_fail("header split on the new port %s: %s",
			      n->pair.ifname[1], t_errname(ret));
	return 0;
}

int main(int argc, char *argv[])
{
	unsigned int rounds = 20, i, won = 0, lost = 0, delay, span;
	struct t_zcrx_nsim n;
	double ms, t0;
	int opt, ret, res = 0;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n') {
			fprintf(stderr, "usage: %s [-n ROUNDS]\n", argv[0]);
			return T_EXIT_FAIL;
		}
		rounds = (unsigned int)atoi(optarg);
	}
	if (!rounds)
		return t_fail("-n %u: at least one round", rounds);
	/* failures (stderr) stay in order with the round lines */
	setlinebuf(stdout);
	ret = t_zcrx_require(false);
	if (ret)
		return ret;
	ret = t_zcrx_nsim_setup(&n);
	if (ret)
		return ret;
	t0 = now_ms();
	ret = undisturbed(&n, "before the rounds", &ms);
	if (ret)
		goto out;
	span = (unsigned int)(ms * 1250.0);
	if (span < MIN_SPAN_US)
		span = MIN_SPAN_US;
	printf("%u rounds, the port deleted 0 to %u us after each registration starts\n",
	       rounds, span);
	for (i = 0; i < rounds; i++) {
		delay = rounds > 1 ? (unsigned int)((uint64_t)span * i /
						    (rounds - 1)) : 0;
		ret = race_round(&n, i, delay, &res);
		if (ret)
			goto out;
		if (res)
			lost++;
		else
			won++;
		ret = port_again(&n);
		if (ret)
			goto out;
	}
	printf("%u rounds: %u registrations won (0, torn down with the port), %u refused with %s\n",
	       rounds, won, lost, t_errname(-ENODEV));
	ret = undisturbed(&n, "a fresh port after the rounds", &ms);
	if (!ret)
		printf("all in %.1f s\n", (now_ms() - t0) / 1e3);
out:
	t_zcrx_nsim_cleanup(&n);
	return ret;
}
