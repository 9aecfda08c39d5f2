/* SPDX-License-Identifier: MIT */
/*
 * Description: a devmem binding ends cleanly whichever way it ends, and
 * the queue can be bound again right afterwards. Ten times in a row:
 *   1. close: bind, receive a verified devmem stream, close the netlink
 *      socket; QUEUE_GET then shows no dmabuf and a plain recv() stream
 *      works on the queue again;
 *   2. delete: bind (right after 1), receive while holding every token,
 *      delete the receiver's netdevsim device, read what is still queued,
 *      close the TCP socket with the tokens unreturned, then the netlink
 *      socket; binding to the gone device gives ENODEV; the pair is made
 *      again;
 *   3. kill: a child process binds (right after 2, on the new device) and
 *      receives mid-stream, holding tokens; it is SIGKILLed, after which
 *      the queue shows no dmabuf, and step 1 of the next round binds again.
 * At the end no page pool of the device reports a dma-buf. Skips when the
 * kernel cannot do devmem TCP on netdevsim.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devmem.h"

#define BUF_SIZE	(8UL << 20)
#define ROUNDS		3
#define DEVMEM_STREAM	(8ULL << 20)
#define PLAIN_STREAM	(4ULL << 20)
#define ENDLESS		(64ULL << 30)	/* cut short by the test */
#define HOLD_BYTES	(2ULL << 20)
#define HOLD_FRAGS	256

static struct t_devmem d;

static int expect_queue(uint32_t want, const char *when)
{
	return t_expect_queue_dmabuf(d.ns, d.ifindex, 0, want, when);
}

static int bind_now(struct t_binding *b, const char *after)
{
	int ret = t_devmem_bind(d.ns, d.ifindex, 0, d.buf.fd, b);

	if (ret)
		return t_fail("BIND_RX to %s queue 0 right after %s: %s, want success",
			      d.pair.ifname[1], after, t_errname(ret));
	return 0;
}

/* Receive until @rx holds at least HOLD_FRAGS tokens and HOLD_BYTES. */
static int receive_holding(int fd, struct t_devmem_rx *rx)
{
	uint64_t limit = rx->off + (32ULL << 20);
	int ret;

	rx->hold = true;
	while (rx->off < HOLD_BYTES || rx->held < HOLD_FRAGS) {
		if (rx->off >= limit)
			return t_fail("%llu tokens held after %llu bytes (%llu in the dma-buf), want %d",
				      (unsigned long long)rx->held,
				      (unsigned long long)rx->off,
				      (unsigned long long)rx->dmabuf_bytes,
				      HOLD_FRAGS);
		ret = t_devmem_recv(fd, rx, rx->off + (1 << 20));
		if (ret)
			return ret;
		if (rx->eof)
			return t_fail("EOF after %llu bytes",
				      (unsigned long long)rx->off);
	}
	return 0;
}

/* 1: close the netlink socket, then plain TCP on the queue. */
static int round_close(const char *after)
{
	struct t_binding b = { .fd = -1 };
	int ret;

	ret = bind_now(&b, after);
	if (ret)
		return ret;
	if (expect_queue(b.id, "bound") ||
	    t_devmem_stream(&d, b.id, 5601, DEVMEM_STREAM))
		goto fail;

	t_devmem_unbind(&b);
	if (expect_queue(0, "after closing the netlink socket") ||
	    t_devmem_stream(&d, 0, 5602, PLAIN_STREAM))
		goto fail;
	return 0;
fail:
	t_devmem_unbind(&b);
	return T_EXIT_FAIL;
}

/* 2: delete the device under a binding and held tokens; make a new pair. */
static int round_delete(void)
{
	struct t_binding b = { .fd = -1 }, gone = { .fd = -1 };
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct t_devmem_rx rx = { 0 };
	uint64_t before;
	int ret, old = d.ifindex;

	ret = bind_now(&b, "closing the netlink socket");
	if (ret)
		return ret;
	if (t_devmem_rx_init(&rx, &d.buf, b.id) ||
	    t_stream_start(&s, &d.pair, 5603, ENDLESS) ||
	    receive_holding(s.fd, &rx) ||
	    expect_queue(b.id, "before deleting the device"))
		goto fail;
	ret = t_nsim_del_side(&d.pair, 1);
	if (ret) {
		t_fail("deleting netdevsim%d (%s) while bound: %s",
		       d.pair.dev_id[1], d.pair.ifname[1], t_errname(ret));
		goto fail;
	}
	/* what the socket still has, from the gone device's pool */
	before = rx.off;
	rx.dontwait = true;
	if (t_devmem_recv(s.fd, &rx, rx.off + (4 << 20)))
		goto fail;
	printf("deleted %s while bound, holding %llu tokens; %llu queued bytes read after\n",
	       d.pair.ifname[1], (unsigned long long)rx.held,
	       (unsigned long long)(rx.off - before));
	close(s.fd);
	s.fd = -1;
	t_devmem_unbind(&b);
	t_stream_abort(&s);
	t_devmem_rx_free(&rx);

	ret = t_devmem_bind(d.ns, old, 0, d.buf.fd, &gone);
	t_devmem_unbind(&gone);
	if (ret != -ENODEV) {
		t_fail("BIND_RX to the deleted ifindex %d: %s, want %s", old,
		       t_errname(ret), t_errname(-ENODEV));
		goto fail;
	}
	t_nsim_pair_destroy(&d.pair);
	ret = t_devmem_pair_up(&d);
	if (ret) {
		t_fail("making the netdevsim pair again (%d)", ret);
		return T_EXIT_FAIL;
	}
	return 0;
fail:
	if (s.sender > 0)
		t_stream_abort(&s);
	t_devmem_rx_free(&rx);
	t_devmem_unbind(&b);
	return T_EXIT_FAIL;
}

/* The child of round_kill(): bind, receive, report, receive until killed. */
static void receiver(int fd, int report)
{
	struct t_binding b = { .fd = -1 };
	struct t_devmem_rx rx;

	if (bind_now(&b, "the device was made again"))
		_exit(T_EXIT_FAIL);
	if (t_devmem_rx_init(&rx, &d.buf, b.id) || receive_holding(fd, &rx))
		_exit(T_EXIT_FAIL);
	if (write(report, &b.id, sizeof(b.id)) != sizeof(b.id))
		_exit(t_fail("child: reporting: %s", strerror(errno)));
	t_devmem_recv(fd, &rx, UINT64_MAX);
	_exit(t_fail("child: still alive at stream offset %llu",
		     (unsigned long long)rx.off));
}

/* 3: a receiving process that holds the binding and tokens is killed. */
static int round_kill(void)
{
	struct t_stream s = { .fd = -1, .listen_fd = -1 };
	struct pollfd pfd;
	int p[2], status = 0;
	uint32_t id;
	pid_t child;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return t_fail("pipe: %s", strerror(errno));
	if (t_stream_start(&s, &d.pair, 5604, ENDLESS))
		goto fail_stream;
	child = fork();
	if (child < 0) {
		t_fail("fork: %s", strerror(errno));
		goto fail_stream;
	}
	if (!child) {
		close(p[0]);
		close(s.listen_fd);
		receiver(s.fd, p[1]);
	}
	close(p[1]);
	p[1] = -1;
	close(s.fd);
	s.fd = -1;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	n = poll(&pfd, 1, 300 * 1000) == 1 ? read(p[0], &id, sizeof(id)) : -1;
	close(p[0]);
	p[0] = -1;
	if (n != sizeof(id)) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		t_stream_abort(&s);
		return t_fail("the receiving child failed or hung (status %#x)",
			      status);
	}
	if (expect_queue(id, "while the child receives")) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		goto fail_stream;
	}
	usleep(100 * 1000);
	kill(child, SIGKILL);
	if (waitpid(child, &status, 0) != child) {
		t_fail("waitpid: %s", strerror(errno));
		goto fail_stream;
	}
	t_stream_abort(&s);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return t_fail("the receiving child ended by itself (status %#x)",
			      status);
	printf("killed the receiver (binding %u) mid-stream\n", id);
	return expect_queue(0, "after the receiver was killed");
fail_stream:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	t_stream_abort(&s);
	return T_EXIT_FAIL;
}

int main(void)
{
	struct t_binding b = { .fd = -1 };
	struct t_page_pool pool;
	int ret, i;

	ret = t_devmem_setup(&d, BUF_SIZE);
	if (ret)
		return ret;
	for (i = 0; i < ROUNDS; i++) {
		printf("round %d\n", i + 1);
		ret = round_close(i ? "killing the receiver" : "the probe");
		if (!ret)
			ret = round_delete();
		if (!ret)
			ret = round_kill();
		if (ret) {
			t_fail("round %d failed", i + 1);
			goto out;
		}
	}
	ret = bind_now(&b, "killing the receiver");
	t_devmem_unbind(&b);
	if (ret)
		goto out;
	ret = t_wait_dmabuf_pools_gone(d.ns, d.ifindex, 5000, &pool);
	if (ret) {
		ret = ret < 0 ? t_fail("PAGE_POOL_GET dump: %s", t_errname(ret)) :
		      t_fail("page pool %llu of %s still reports dmabuf %u (inflight %llu) 5 s after the last unbind",
			     (unsigned long long)pool.id, d.pair.ifname[1],
			     pool.dmabuf, (unsigned long long)pool.inflight);
		goto out;
	}
	printf("%d rounds of close, delete and kill\n", ROUNDS);
	ret = T_EXIT_PASS;
out:
	t_devmem_cleanup(&d);
	return ret;
}
