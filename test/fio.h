/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the tests of the zcrx fio ioengine (bench/fio): finding fio,
 * the engine and zcrx-send, running fio in a network namespace with its
 * output in a file, waiting for a port to listen, and reading what fio
 * and the engine reported (fio's terse line, the engine's
 * "zcrx-summary:" line).
 *
 * Functions returning int give 0 or T_EXIT_FAIL (reported) unless said
 * otherwise.
 */
#ifndef ZCRX_TEST_FIO_H
#define ZCRX_TEST_FIO_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "helpers.h"

struct t_fio {
	char fio[PATH_MAX];		/* the fio program */
	char engine[PATH_MAX];		/* zcrx.so */
	char send[PATH_MAX];		/* zcrx-send */
	char ioengine[PATH_MAX + 32];	/* "--ioengine=external:ENGINE" */
};

/*
 * fio ($FIO, else /usr/bin/fio), the engine ($ZCRX_FIO_ENGINE, else
 * lib/fio/zcrx.so of the prefix this test is installed in, else the build
 * tree) and zcrx-send (bin/ of the prefix, else the build tree). All are
 * part of the project and its declared packages: a missing one fails.
 */
int t_fio_find(struct t_fio *f);

/* Run @argv (NULL-terminated) in netns @ns (NULL: this one), output in @out. */
pid_t t_fio_spawn(const char *ns, const char *out, char *const argv[]);
/*
 * Wait up to @timeout_s for @pid; kill it (SIGKILL) past that. Returns its
 * exit status (0-255), 128+signal when a signal ended it, or -1 when it
 * had to be killed for the timeout.
 */
int t_fio_wait(pid_t pid, int timeout_s);
/* Wait up to @timeout_s for a TCP socket of @pid's netns to listen on @port. */
int t_fio_wait_listen(pid_t pid, unsigned int port, int timeout_s);
/* Whether @pid is still running (not reaped). */
bool t_fio_running(pid_t pid);

/* @path to stdout, framed with @what. */
void t_fio_dump(const char *what, const char *path);
/* Whether the file @path contains @text. */
bool t_fio_grep(const char *path, const char *text);

/*
 * The engine's "zcrx-summary: job=@job ..." line in @path: the value of
 * @key as a number. 0, or -ENOENT (no such line or key), not reported.
 */
int t_fio_summary(const char *path, const char *job, const char *key,
		  uint64_t *val);
/*
 * fio's terse (--output-format=...,terse) line of job @job in @path: its
 * error and the KiB it read. 0 or -ENOENT, not reported.
 */
int t_fio_terse(const char *path, const char *job, int *error,
		uint64_t *read_kib);

/*
 * One stream: the receiving fio (@rx_argv, in netns @rx_ns, the engine
 * listening on @port), then, once the port listens, the sender (@tx_argv
 * in @tx_ns). Both must exit 0 within @timeout_s, fio must report job
 * @job's read of @total bytes without error, and the engine's summary
 * @total bytes, no error, with @checked all of them checked against the
 * pattern, with @zero_copy none of them copied and with @all_copied all
 * of them copied (zcrx_stats). Both outputs
 * are printed.
 */
struct t_fio_stream {
	const char *what;
	const char *job;
	const char *rx_ns, *tx_ns;
	char *const *rx_argv, *const *tx_argv;
	unsigned int port;
	uint64_t total;
	int timeout_s;
	bool checked;
	bool zero_copy;
	bool all_copied;	/* device-less: zcrx_stats counts every byte */
};

int t_fio_stream(const struct t_fio_stream *s);

#endif
