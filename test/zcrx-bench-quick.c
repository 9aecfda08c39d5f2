/* SPDX-License-Identifier: MIT */
/*
 * Description: the quick benchmark and its report, as ./zcrx-lts bench
 * --quick runs them: the installed zcrx-bench with -n 1 -w 0 -s 16m -c 4m
 * (one run of 16 MiB of each path, no warm-up, then one of 4 MiB under
 * strace counting syscalls) into a log, then the installed
 * zcrx-bench-report on that log into a directory. Both must exit 0 and
 * the outputs parse, with the paths of the log's bench-config line in
 * order:
 *
 *  - results.csv and summary.csv: the columns zcrx-bench-report writes
 *    first, then a row per path with as many fields, each of round (runs)
 *    1 and 16 MiB;
 *  - results.jsonl: every line a JSON object (python3's json, NaN and
 *    Infinity refused) with every key, one per path, of round 1, 16 MiB,
 *    this kernel and its CPU placement, a positive syscalls_per_gib; the
 *    zcrx path none copied;
 *  - summary.md: the kernel in its metadata, a table row per path.
 *
 * The paths are every kind zcrx-bench has, with one of its large-buffer
 * paths (zcrx-64k) for the four, to stay within the suite's time limit.
 * No timed figure is looked at: a smoke test, not a benchmark
 * (../shared/spec/measuring.md). zcrx-bench is bash and the report
 * python3: the guest image of ./zcrx-lts test carries the host's. Runs
 * on the project's kernel only (zcrx-bench wants netdevsim, zcrx, root).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "fio.h"

#define BYTES		"16777216"	/* -s 16m */
#define PATHS		"net recv zcrx zcrx-64k zcrx-devmem devmem-bar trunc lo-net nodev"
#define MAX_PATHS	16

#define RESULTS_CSV	"path,link,run,bytes,wall_s,span_s,rx_cpu_s,rx_task_s," \
			"tx_cpu_s,teardown_cpu_s,zc_bytes,copied_bytes,gib_s,"  \
			"cpu_s_gib,task_s_gib,tx_cpu_s_gib"
#define SUMMARY_CSV	"path,link,runs,bytes,"

/* every key of a results.jsonl record */
#define JSON_KEYS	"path,link,round,seq,what,kernel,kernel_flavour,cpus,"	\
			"date,bytes,send_size,recv_size,mtu,area_size,"	\
			"rx_queue,tx_cpu,rx_cpu,softirq_cpu,dma_cpu,wall_s,"	\
			"span_s,rx_cpu_s,rx_task_s,tx_cpu_s,teardown_cpu_s,"	\
			"gib_s,rx_cpu_s_per_gib,task_s_per_gib,"		\
			"tx_cpu_s_per_gib,syscalls_per_gib,cqes,cqes_per_gib,"	\
			"zc_bytes,copied_bytes"

/* argv: results.jsonl, the keys, the paths (both comma-separated) */
static const char json_check[] =
	"import json, os, sys\n"
	"def bad(c):\n"
	"    raise ValueError('not JSON: ' + c)\n"
	"keys, paths = sys.argv[2].split(','), sys.argv[3].split(',')\n"
	"recs = [json.loads(l, parse_constant=bad) for l in open(sys.argv[1])]\n"
	"got = [r.get('path') for r in recs if isinstance(r, dict)]\n"
	"if got != paths:\n"
	"    sys.exit('paths %s, want %s' % (got, paths))\n"
	"for r in recs:\n"
	"    want = {'round': 1, 'bytes': " BYTES ", 'kernel': os.uname().release}\n"
	"    if r['path'] == 'zcrx':\n"
	"        want['copied_bytes'] = 0\n"
	"    miss = [k for k in keys if k not in r]\n"
	"    wrong = [k for k in want if r.get(k) != want[k]]\n"
	"    wrong += [k for k in ('tx_cpu', 'rx_cpu', 'softirq_cpu', 'mtu')\n"
	"              if not isinstance(r.get(k), int)]\n"
	"    s = r.get('syscalls_per_gib')\n"
	"    if not isinstance(s, (int, float)) or s <= 0:\n"
	"        wrong.append('syscalls_per_gib')\n"
	"    if miss or wrong:\n"
	"        sys.exit('%s: no %s; wrong %s' % (r['path'], miss,\n"
	"                 {k: r.get(k) for k in wrong}))\n"
	"print('results.jsonl: %d records, every key' % len(recs))\n";

static char dir[] = "/tmp/zcrx-bench-quick.XXXXXX";

/*
 * The paths of the log's bench-config line ("paths=a,b,..."): as they
 * stand in @list, and one by one in @p (@n of them).
 */
static int log_paths(const char *log, char *list, size_t len,
		     char p[][32], int *n)
{
	char line[4096], *s, *tok;
	FILE *f = fopen(log, "r");

	*n = 0;
	list[0] = 0;
	while (f && !list[0] && fgets(line, sizeof(line), f)) {
		s = strstr(line, " paths=");
		if (strncmp(line, "bench-config: ", 14) || !s)
			continue;
		snprintf(list, len, "%s", s + 7);
		list[strcspn(list, " \r\n")] = 0;
	}
	if (f)
		fclose(f);
	snprintf(line, sizeof(line), "%s", list);
	for (s = line; (tok = strsep(&s, ",")) && *n < MAX_PATHS; )
		snprintf(p[(*n)++], sizeof(p[0]), "%s", tok);
	return *n ? 0 : t_fail("no paths= in the bench-config line of %s", log);
}

/* The comma-separated fields of @line into @f; their number. */
static int fields(char *line, char **f, int max)
{
	int n = 0;

	while (line && n < max)
		f[n++] = strsep(&line, ",");
	return n;
}

/*
 * A CSV file of zcrx-bench-report's: its header begins with @head, then a
 * row per path of @p, as many fields, the third 1 (round, runs) and the
 * fourth the bytes of a run.
 */
static int check_csv(const char *name, const char *head, char p[][32], int n)
{
	char path[PATH_MAX], line[4096], *f[128];
	int cols = 0, rows = 0, ret = 0, k;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/out/%s", dir, name);
	fp = fopen(path, "r");
	if (!fp)
		return t_fail("no %s", path);
	while (!ret && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!cols) {
			if (strncmp(line, head, strlen(head)))
				ret = t_fail("%s: header %s, want %s...", name,
					     line, head);
			cols = fields(line, f, 128);
			continue;
		}
		k = fields(line, f, 128);
		if (rows >= n)
			ret = t_fail("%s: more rows than the %d paths", name, n);
		else if (k != cols || strcmp(f[0], p[rows]) ||
			 strcmp(f[2], "1") || strcmp(f[3], BYTES))
			ret = t_fail("%s: row %d: %d fields (want %d), path %s (want %s), %s run(s) of %s bytes (want 1 of " BYTES ")",
				     name, rows + 1, k, cols, f[0], p[rows],
				     k > 2 ? f[2] : "?", k > 3 ? f[3] : "?");
		rows++;
	}
	fclose(fp);
	if (!ret && rows != n)
		ret = t_fail("%s: %d rows, want one per path (%d)", name, rows, n);
	return ret;
}

/* summary.md: the kernel in the metadata, a table row per path. */
static int check_md(const char *release, char p[][32], int n)
{
	char path[PATH_MAX], line[4096], want[128];
	bool row[MAX_PATHS] = { false }, kernel = false;
	size_t len;
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "%s/out/summary.md", dir);
	fp = fopen(path, "r");
	if (!fp)
		return t_fail("no %s", path);
	snprintf(want, sizeof(want), "- kernel: %s ", release);
	while (fgets(line, sizeof(line), fp)) {
		kernel |= !strncmp(line, want, strlen(want));
		for (i = 0; i < n; i++) {
			/* "| PATH   | ..." */
			len = strlen(p[i]);
			if (!strncmp(line, "| ", 2) &&
			    !strncmp(line + 2, p[i], len) &&
			    line[2 + len] == ' ' &&
			    line[2 + len + strspn(line + 2 + len, " ")] == '|')
				row[i] = true;
		}
	}
	fclose(fp);
	if (!kernel)
		return t_fail("summary.md: no line '%s...'", want);
	for (i = 0; i < n; i++)
		if (!row[i])
			return t_fail("summary.md: no table row of path %s", p[i]);
	return 0;
}

int main(void)
{
	char bench[PATH_MAX], report[PATH_MAX], log[PATH_MAX + 16];
	char out[PATH_MAX + 16], jsonl[PATH_MAX + 16], check[PATH_MAX + 16];
	char list[512], p[MAX_PATHS][32];
	char *argv[] = { "/usr/bin/python3", "-c", (char *)json_check, jsonl,
			 JSON_KEYS, list, NULL };
	struct utsname u;
	pid_t pid;
	int ret, n = 0;

	if (!t_project_kernel())
		return t_skip("zcrx-bench runs on the project's kernel (netdevsim, zcrx, root)");
	if (t_find_file(bench, sizeof(bench), NULL, "bin/zcrx-bench", NULL,
			X_OK) ||
	    t_find_file(report, sizeof(report), NULL, "bin/zcrx-bench-report",
			NULL, X_OK))
		return t_fail("no zcrx-bench or zcrx-bench-report in bin/ of the prefix (%s, %s)",
			      bench, report);
	if (access("/bin/bash", X_OK) || access(argv[0], X_OK))
		return t_fail("no /bin/bash or %s: the guest image must carry the host's (./zcrx-lts test adds them)",
			      argv[0]);
	if (uname(&u) || !mkdtemp(dir))
		return t_fail("uname, mkdtemp: %s", strerror(errno));
	snprintf(log, sizeof(log), "%s/bench.log", dir);
	snprintf(out, sizeof(out), "%s/report.txt", dir);
	snprintf(jsonl, sizeof(jsonl), "%s/out/results.jsonl", dir);
	snprintf(check, sizeof(check), "%s/check.txt", dir);

	/* ./zcrx-lts bench --quick, on fewer paths and a smaller count run */
	ret = t_run("%s -n 1 -w 0 -s 16m -c 4m -p '%s' > %s 2>&1", bench,
		    PATHS, log);
	if (ret) {
		ret = t_fail("zcrx-bench -n 1 -w 0 -s 16m -c 4m -p '%s': exit %d",
			     PATHS, ret);
		goto out;
	}
	ret = t_run("%s %s %s/out > %s 2>&1", report, log, dir, out);
	if (ret) {
		ret = t_fail("zcrx-bench-report: exit %d", ret);
		goto out;
	}
	ret = log_paths(log, list, sizeof(list), p, &n);
	if (!ret)
		ret = check_csv("results.csv", RESULTS_CSV, p, n);
	if (!ret)
		ret = check_csv("summary.csv", SUMMARY_CSV, p, n);
	if (!ret)
		ret = check_md(u.release, p, n);
	if (ret)
		goto out;
	pid = t_fio_spawn(NULL, check, argv);
	ret = pid < 0 ? -1 : t_fio_wait(pid, 120);
	t_fio_dump("python3's check of results.jsonl", check);
	if (ret)
		ret = t_fail("results.jsonl: python3's check: exit %d", ret);
out:
	if (ret) {
		t_fio_dump("zcrx-bench's log", log);
		t_fio_dump("the report", out);
	}
	t_run("rm -rf %s", dir);
	if (!ret)
		printf("zcrx-bench's quick run of %d paths (%s): its report's outputs parse, a record per path\n",
		       n, list);
	return ret;
}
