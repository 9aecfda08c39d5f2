/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the zcrx fio ioengine tests (see fio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fio.h"

static bool usable(const char *path, int mode)
{
	return path[0] && !access(path, mode);
}

/* The build tree's engine and zcrx-send, where the build says */
#ifndef ZCRX_FIO_ENGINE_BUILD
#define ZCRX_FIO_ENGINE_BUILD	NULL
#endif
#ifndef ZCRX_SEND_BUILD
#define ZCRX_SEND_BUILD		NULL
#endif

int t_fio_find(struct t_fio *f)
{
	const char *env;

	memset(f, 0, sizeof(*f));
	env = getenv("FIO");
	snprintf(f->fio, sizeof(f->fio), "%s", env && *env ? env : "/usr/bin/fio");
	if (!usable(f->fio, X_OK))
		return t_fail("no fio at %s (Debian's fio: a declared package, and the guest image must carry /usr/bin/fio)",
			      f->fio);

	if (t_find_file(f->engine, sizeof(f->engine), "ZCRX_FIO_ENGINE",
			"lib/fio/zcrx.so", ZCRX_FIO_ENGINE_BUILD, R_OK))
		return t_fail("no zcrx fio engine (lib/fio/zcrx.so of the prefix, the build tree, or $ZCRX_FIO_ENGINE): %s",
			      f->engine);
	snprintf(f->ioengine, sizeof(f->ioengine), "--ioengine=external:%s",
		 f->engine);

	if (t_find_file(f->send, sizeof(f->send), NULL, "bin/zcrx-send",
			ZCRX_SEND_BUILD, X_OK))
		return t_fail("no zcrx-send (bin/ of the prefix or the build tree): %s",
			      f->send);
	return 0;
}

pid_t t_fio_spawn(const char *ns, const char *out, char *const argv[])
{
	pid_t pid;
	int fd;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid)
		return pid;
	if (ns && t_netns_enter(ns))
		_exit(t_fail("enter netns %s", ns));
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(t_fail("output to %s: %s", out, strerror(errno)));
	execv(argv[0], argv);
	_exit(t_fail("exec %s: %s", argv[0], strerror(errno)));
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int t_fio_wait(pid_t pid, int timeout_s)
{
	struct timespec t0;
	int status;
	pid_t r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (ms_since(&t0) > (long)timeout_s * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(50000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

bool t_fio_running(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

/* Whether /proc/@pid/net/@file has a socket listening on @port. */
static bool listening_in(pid_t pid, const char *file, unsigned int port)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, file);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char local[128];
		unsigned int st, p;
		char *colon;

		if (sscanf(line, "%*d: %127s %*s %x", local, &st) != 2)
			continue;
		colon = strrchr(local, ':');
		if (colon && sscanf(colon + 1, "%x", &p) == 1 && p == port &&
		    st == 0x0a)		/* TCP_LISTEN */
			found = true;
	}
	fclose(f);
	return found;
}

int t_fio_wait_listen(pid_t pid, unsigned int port, int timeout_s)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!listening_in(pid, "tcp", port) &&
	       !listening_in(pid, "tcp6", port)) {
		if (!t_fio_running(pid))
			return t_fail("fio (pid %d) ended before listening on port %u",
				      (int)pid, port);
		if (ms_since(&t0) > (long)timeout_s * 1000)
			return t_fail("nothing listens on port %u after %d s",
				      port, timeout_s);
		usleep(50000);
	}
	return 0;
}

void t_fio_dump(const char *what, const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	printf("---- %s (%s)\n", what, path);
	if (f) {
		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		fclose(f);
	}
	printf("---- end of %s\n", what);
	fflush(stdout);
}

bool t_fio_grep(const char *path, const char *text)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	fclose(f);
	return found;
}

int t_fio_summary(const char *path, const char *job, const char *key,
		  uint64_t *val)
{
	char line[4096], head[256], pat[128];
	int ret = -ENOENT;
	FILE *f = fopen(path, "r");

	if (!f)
		return -ENOENT;
	snprintf(head, sizeof(head), "zcrx-summary: job=%s ", job);
	snprintf(pat, sizeof(pat), " %s=", key);
	while (ret && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, head), *k;

		if (!p)
			continue;
		k = strstr(p, pat);
		if (k && sscanf(k + strlen(pat), "%" SCNu64, val) == 1)
			ret = 0;
	}
	fclose(f);
	return ret;
}

int t_fio_terse(const char *path, const char *job, int *error,
		uint64_t *read_kib)
{
	char line[8192], head[256];
	int ret = -ENOENT;
	FILE *f = fopen(path, "r");

	if (!f)
		return -ENOENT;
	while (ret && fgets(line, sizeof(line), f)) {
		char *p;
		int n;

		/* 3;fio-VERSION;JOB;GROUPID;ERROR;READ_KIB;... */
		if (strncmp(line, "3;fio-", 6))
			continue;
		p = strchr(line + 2, ';');
		if (!p)
			continue;
		snprintf(head, sizeof(head), ";%s;", job);
		if (strncmp(p, head, strlen(head)))
			continue;
		p += strlen(head);
		if (sscanf(p, "%*u;%d;%" SCNu64 ";%n", error, read_kib, &n) >= 2)
			ret = 0;
	}
	fclose(f);
	return ret;
}

int t_fio_stream(const struct t_fio_stream *s)
{
	char rx_out[64], tx_out[64];
	uint64_t kib = 0, v;
	pid_t rx, tx;
	int rx_rc, tx_rc, err = -1, ret;

	snprintf(rx_out, sizeof(rx_out), "/tmp/fio-%d-%s.rx", getpid(), s->job);
	snprintf(tx_out, sizeof(tx_out), "/tmp/fio-%d-%s.tx", getpid(), s->job);
	printf("%s: %llu bytes\n", s->what, (unsigned long long)s->total);
	rx = t_fio_spawn(s->rx_ns, rx_out, s->rx_argv);
	if (rx < 0)
		return t_fail("fork: %s", strerror(errno));
	ret = t_fio_wait_listen(rx, s->port, 120);
	if (ret) {
		kill(rx, SIGKILL);
		t_fio_wait(rx, 10);
		t_fio_dump("receiver", rx_out);
		return ret;
	}
	tx = t_fio_spawn(s->tx_ns, tx_out, s->tx_argv);
	if (tx < 0) {
		kill(rx, SIGKILL);
		t_fio_wait(rx, 10);
		return t_fail("fork: %s", strerror(errno));
	}
	rx_rc = t_fio_wait(rx, s->timeout_s);
	tx_rc = t_fio_wait(tx, rx_rc < 0 ? 5 : 60);
	t_fio_dump("receiver", rx_out);
	t_fio_dump("sender", tx_out);
	if (rx_rc)
		return t_fail("%s: the receiving fio %s %d", s->what,
			      rx_rc < 0 ? "timed out after" : "exited with",
			      rx_rc < 0 ? s->timeout_s : rx_rc);
	if (tx_rc)
		return t_fail("%s: the sender %s %d", s->what,
			      tx_rc < 0 ? "timed out, status" : "exited with", tx_rc);
	if (t_fio_terse(rx_out, s->job, &err, &kib))
		return t_fail("%s: no terse line of job %s in the receiver's output",
			      s->what, s->job);
	if (err || kib != s->total >> 10)
		return t_fail("%s: fio says job %s read %" PRIu64 " KiB with error %d, want %llu KiB and 0",
			      s->what, s->job, kib, err,
			      (unsigned long long)(s->total >> 10));
	if (t_fio_summary(rx_out, s->job, "bytes", &v) || v != s->total)
		return t_fail("%s: the engine's summary says bytes=%" PRIu64 ", want %llu",
			      s->what, v, (unsigned long long)s->total);
	if (t_fio_summary(rx_out, s->job, "error", &v) || v)
		return t_fail("%s: the engine's summary says error=%" PRIu64,
			      s->what, v);
	if (s->checked &&
	    (t_fio_summary(rx_out, s->job, "checked", &v) || v != s->total))
		return t_fail("%s: the engine checked %" PRIu64 " bytes against the pattern, want all %llu",
			      s->what, v, (unsigned long long)s->total);
	if (s->zero_copy) {
		uint64_t stats = 0, copied = 1, zc = 0;

		t_fio_summary(rx_out, s->job, "stats", &stats);
		t_fio_summary(rx_out, s->job, "copied_bytes", &copied);
		t_fio_summary(rx_out, s->job, "zc_bytes", &zc);
		if (stats != 1)
			return t_fail("%s: no zcrx_stats block: copies cannot be counted",
				      s->what);
		if (copied || zc != s->total)
			return t_fail("%s: zcrx_stats: %" PRIu64 " bytes copied, %" PRIu64 " zero-copy; want 0 and %llu",
				      s->what, copied, zc,
				      (unsigned long long)s->total);
	}
	if (s->all_copied) {
		uint64_t stats = 0, copied = 0;

		t_fio_summary(rx_out, s->job, "stats", &stats);
		t_fio_summary(rx_out, s->job, "copied_bytes", &copied);
		if (stats != 1 || copied != s->total)
			return t_fail("%s: zcrx_stats (%s): %" PRIu64 " bytes copied, want all %llu",
				      s->what, stats ? "on" : "off", copied,
				      (unsigned long long)s->total);
	}
	unlink(rx_out);
	unlink(tx_out);
	return 0;
}
