#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""zcrx-bench-report: the table, CSV files and plots of zcrx-bench's output.

  zcrx-bench-report [LOG [OUTDIR]]

LOG (default: standard input) is what zcrx-bench printed in the guest,
e.g. build/bench/bench.log of ./zcrx-lts bench; OUTDIR (default: the
LOG's directory) gets:

  results.csv     one row per run: the bench-result fields and GiB/s,
                  CPU 1 and task seconds per GiB
  summary.csv     one row per path: medians, min and max, ratios
  cpu.svg/.png    CPU 1 busy and receiving task s/GiB per path (medians,
                  min-max bars)
  rate.svg/.png   GiB/s per path (median, min-max)
  runs.svg/.png   CPU 1 s/GiB of every run, round by round

and the table goes to standard output, followed by the CPU plot on a dumb
terminal. Ratios are taken round by round against the copy recv() path of
the same link measured in the same round (net for netdevsim, lo-net for
loopback; net when that is missing), then their median and range. Needs
python3, and gnuplot for the plots (skipped with a note without it).
"""

import csv
import os
import re
import shutil
import statistics
import subprocess
import sys

GIB = float(1 << 30)
# copy recv() on each link: what ratios are against
REFERENCE = {"nsim": "net", "lo": "lo-net"}
WHAT = {
    "net": "fio net engine, recv() copy",
    "recv": "io_uring multishot recv, provided buffers (copy)",
    "zcrx": "io_uring zcrx, bound queue (zero copy)",
    "trunc": "recv(MSG_TRUNC), no copy: the floor",
    "lo-net": "fio net engine, recv() copy",
    "nodev": "io_uring zcrx nodev (kernel copies)",
}
FIELDS = ["path", "link", "run", "bytes", "wall_s", "span_s", "rx_cpu_s",
          "rx_task_s", "tx_cpu_s", "teardown_cpu_s", "zc_bytes", "copied_bytes"]
FLOATS = ("wall_s", "span_s", "rx_cpu_s", "rx_task_s", "tx_cpu_s", "teardown_cpu_s")


def parse(lines):
    """bench-result rows, header lines (config, setup, placement, caveat)
    and zcrx-summary lines."""
    rows, head, summaries, pending = [], {}, [], []
    for line in lines:
        line = line.rstrip("\r\n")
        m = re.match(r"\s*(bench-(?:result|warmup|config|setup|placement|caveat)|"
                     r"zcrx-summary): (.*)", line)
        if not m:
            continue
        kind, rest = m.groups()
        if kind == "bench-warmup":
            pending = []    # a warm-up run's engine summary: not reported
        elif kind == "bench-result":
            kv = dict(f.split("=", 1) for f in rest.split() if "=" in f)
            row = {k: kv.get(k, "-") for k in FIELDS}
            for k in ("run", "bytes"):
                row[k] = int(row[k])
            for k in FLOATS:
                row[k] = float(row[k]) if row[k] != "-" else 0.0
            gib = row["bytes"] / GIB
            row["gib_s"] = gib / row["wall_s"] if row["wall_s"] > 0 else 0.0
            row["cpu_s_gib"] = row["rx_cpu_s"] / gib
            row["task_s_gib"] = row["rx_task_s"] / gib
            row["tx_cpu_s_gib"] = row["tx_cpu_s"] / gib
            rows.append(row)
            # the engine prints its summary before the run's result line
            summaries += [(row["run"], s) for s in pending]
            pending = []
        elif kind == "zcrx-summary":
            pending.append(rest)
        else:
            head[kind] = rest
    return rows, head, summaries


def spread(vals):
    return statistics.median(vals), min(vals), max(vals)


def summarise(rows):
    """Per path, in the order of first appearance: medians and ranges, and
    the round-by-round ratios against the same link's copy recv()."""
    paths = []
    for r in rows:
        if r["path"] not in paths:
            paths.append(r["path"])
    by = {(r["path"], r["run"]): r for r in rows}
    out = []
    for p in paths:
        runs = [r for r in rows if r["path"] == p]
        link = runs[0]["link"]
        ref = REFERENCE.get(link, "net")
        if not any(r["path"] == ref for r in rows):
            ref = "net"
        s = {"path": p, "link": link, "runs": len(runs), "ref": ref,
             "bytes": runs[0]["bytes"]}
        for k in ("gib_s", "cpu_s_gib", "task_s_gib", "tx_cpu_s_gib",
                  "teardown_cpu_s"):
            s[k] = spread([r[k] for r in runs])
        for k in ("gib_s", "cpu_s_gib", "task_s_gib"):
            ratios = [r[k] / by[(ref, r["run"])][k] for r in runs
                      if (ref, r["run"]) in by and by[(ref, r["run"])][k] > 0]
            s[k + "_ratio"] = spread(ratios) if ratios and p != ref else None
        copied = {r["copied_bytes"] for r in runs}
        s["copied"] = ",".join(sorted(copied))
        out.append(s)
    return out


def fmt(t, digits=3):
    m, lo, hi = t
    return "%.*f [%.*f-%.*f]" % (digits, m, digits, lo, digits, hi)


def fmt_ratio(t):
    return "-" if t is None else "%.2fx [%.2f-%.2f]" % t


def table(summary, head, out):
    cols = ["path", "link", "n", "GiB/s med [min-max]",
            "CPU1 s/GiB med [min-max]", "task s/GiB med [min-max]",
            "CPU1 vs copy", "task vs copy", "GiB/s vs copy", "teardown s",
            "copied B"]
    data = []
    for s in summary:
        data.append([s["path"], s["link"], str(s["runs"]), fmt(s["gib_s"]),
                     fmt(s["cpu_s_gib"]), fmt(s["task_s_gib"]),
                     fmt_ratio(s["cpu_s_gib_ratio"]),
                     fmt_ratio(s["task_s_gib_ratio"]),
                     fmt_ratio(s["gib_s_ratio"]),
                     "%.3f" % s["teardown_cpu_s"][0], s["copied"]])
    width = [max(len(c), *(len(d[i]) for d in data)) for i, c in enumerate(cols)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, width)).rstrip()
    cfg = dict(f.split("=", 1) for f in head.get("bench-config", "").split() if "=" in f)
    print("zcrx-bench: %s, %s CPUs, %s runs of %s MiB per path, interleaved "
          "(round 1 of every path, then round 2, ...)"
          % (cfg.get("kernel", "?"), cfg.get("cpus", "?"), cfg.get("runs", "?"),
             int(cfg.get("bytes", "0")) >> 20), file=out)
    print("MTU: netdevsim %s, loopback %s; sender and receiver I/O size %s; "
          "zcrx/recv area %s (anon), rx queue %s"
          % (cfg.get("nsim_mtu", "?"), cfg.get("lo_mtu", "?"), cfg.get("bs", "?"),
             cfg.get("area", "?"), cfg.get("rxq", "?")), file=out)
    for k in ("bench-setup", "bench-placement"):
        if k in head:
            print(k[6:] + ": " + head[k], file=out)
    print("CAVEAT: " + head.get("bench-caveat", "netdevsim runs the receive "
          "softirq on the sender's CPU (issue 15)"), file=out)
    print("CPU1 = receiver CPU busy time (wall minus idle, /proc/stat) over the "
          "run; task = receiving task's user+system time; GiB/s = bytes / "
          "receiver's time from accept to last byte; 'vs copy' = per-round "
          "ratio to copy recv() on the same link (net, lo-net), median "
          "[min-max]; lower s/GiB is better; teardown s = median CPU 1 time "
          "from the last byte to the receiver's exit (cleanup, fio's "
          "report), not in CPU1", file=out)
    print(file=out)
    print(line(cols), file=out)
    print(line(["-" * w for w in width]), file=out)
    for d in data:
        print(line(d), file=out)
    print(file=out)
    for s in summary:
        print("  %-7s %s" % (s["path"], WHAT.get(s["path"], "")), file=out)


def write_csv(rows, summary, outdir):
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        keys = FIELDS + ["gib_s", "cpu_s_gib", "task_s_gib", "tx_cpu_s_gib"]
        w.writerow(keys)
        for r in rows:
            w.writerow([("%.6f" % r[k]) if isinstance(r[k], float) else r[k]
                        for k in keys])
    with open(os.path.join(outdir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        hdr = ["path", "link", "runs", "bytes"]
        for k in ("gib_s", "cpu_s_gib", "task_s_gib", "tx_cpu_s_gib",
                  "teardown_cpu_s"):
            hdr += [k + "_med", k + "_min", k + "_max"]
        for k in ("gib_s", "cpu_s_gib", "task_s_gib"):
            hdr += [k + "_ratio_med", k + "_ratio_min", k + "_ratio_max"]
        hdr += ["ratio_ref", "copied_bytes"]
        w.writerow(hdr)
        for s in summary:
            row = [s["path"], s["link"], s["runs"], s["bytes"]]
            for k in ("gib_s", "cpu_s_gib", "task_s_gib", "tx_cpu_s_gib",
                      "teardown_cpu_s"):
                row += ["%.6f" % v for v in s[k]]
            for k in ("gib_s", "cpu_s_gib", "task_s_gib"):
                t = s[k + "_ratio"]
                row += ["%.6f" % v for v in t] if t else ["", "", ""]
            row += [s["ref"], s["copied"]]
            w.writerow(row)


def gnuplot_scripts(summary, rows, outdir):
    """(name, gnuplot commands after 'set terminal/output') per plot; the
    data files are written to outdir."""
    dat = os.path.join(outdir, "summary.dat")
    with open(dat, "w") as f:
        f.write("# path cpu_med cpu_min cpu_max task_med task_min task_max "
                "rate_med rate_min rate_max\n")
        for s in summary:
            f.write("%s %s %s %s\n" % (s["path"],
                    " ".join("%.6f" % v for v in s["cpu_s_gib"]),
                    " ".join("%.6f" % v for v in s["task_s_gib"]),
                    " ".join("%.6f" % v for v in s["gib_s"])))
    runs = os.path.join(outdir, "runs.dat")
    paths = [s["path"] for s in summary]
    with open(runs, "w") as f:
        for p in paths:
            f.write("# %s\n" % p)
            for r in rows:
                if r["path"] == p:
                    f.write("%d %.6f\n" % (r["run"], r["cpu_s_gib"]))
            f.write("\n\n")
    common = ("set style data histogram\n"
              "set style histogram errorbars gap 2 lw 1\n"
              "set style fill solid 0.6 border -1\n"
              "set boxwidth 0.9\nset grid ytics\nset yrange [0:*]\n"
              "set key top left\n")
    cpu = (common +
           "set title 'Receiver CPU per GiB (median, min-max); netdevsim: "
           "receive softirq on the sender CPU'\n"
           "set ylabel 's / GiB'\n"
           "plot '%s' using 2:3:4:xtic(1) title 'CPU 1 busy', "
           "'' using 5:6:7 title 'receiving task'\n" % dat)
    rate = (common +
            "set title 'Throughput (median, min-max; the sender is the bottleneck)'\n"
            "set ylabel 'GiB/s'\nset key off\n"
            "plot '%s' using 8:9:10:xtic(1) title 'GiB/s'\n" % dat)
    per_run = ("set title 'CPU 1 s/GiB per run (interleaved rounds)'\n"
               "set xlabel 'round'\nset ylabel 's / GiB'\nset grid\n"
               "set yrange [0:*]\nset xtics 1\nset key outside right\n"
               "plot " + ", ".join("'%s' index %d using 1:2 with linespoints "
                                   "title '%s'" % (runs, i, p)
                                   for i, p in enumerate(paths)) + "\n")
    return [("cpu", cpu), ("rate", rate), ("runs", per_run)]


def plot(summary, rows, outdir, out):
    gp = shutil.which("gnuplot")
    if not gp:
        print("zcrx-bench-report: no gnuplot (Debian's gnuplot-nox): no plots",
              file=sys.stderr)
        return 0
    terms = [("svg", "set terminal svg size 900,500 dynamic font 'sans,11'"),
             ("png", "set terminal pngcairo size 900,500 font 'sans,10'")]
    for name, script in gnuplot_scripts(summary, rows, outdir):
        for ext, term in terms:
            path = os.path.join(outdir, "%s.%s" % (name, ext))
            r = subprocess.run([gp], input="%s\nset output '%s'\n%s" % (term, path, script),
                               text=True, capture_output=True)
            if r.returncode:
                print("zcrx-bench-report: gnuplot %s: %s" % (path, r.stderr.strip()),
                      file=sys.stderr)
                return 1
    print("plots: " + " ".join(os.path.join(outdir, "%s.{svg,png}" % n)
                               for n in ("cpu", "rate", "runs")), file=out)
    # on the terminal CPU 1 busy only: two bar sets do not read in ASCII
    script = dict(gnuplot_scripts(summary, rows, outdir))["cpu"]
    script = script.replace(", '' using 5:6:7 title 'receiving task'", "")
    script = script.replace("Receiver CPU per GiB", "CPU 1 busy s/GiB")
    script = script.replace("set key top left", "set key off")
    r = subprocess.run([gp], input="set terminal dumb size 100,28\n" + script,
                       text=True, capture_output=True)
    out.write(r.stdout)
    return 0


def main():
    args = sys.argv[1:]
    if len(args) > 2 or any(a.startswith("-") and a != "-" for a in args):
        sys.exit(__doc__)
    log = args[0] if args else "-"
    outdir = args[1] if len(args) > 1 else (os.path.dirname(log) or "." if log != "-" else ".")
    with (sys.stdin if log == "-" else open(log, errors="replace")) as f:
        rows, head, summaries = parse(f)
    if not rows:
        print("zcrx-bench-report: no bench-result lines in %s" % log, file=sys.stderr)
        return 1
    os.makedirs(outdir, exist_ok=True)
    summary = summarise(rows)
    table(summary, head, sys.stdout)
    zc = [(r, s) for r, s in summaries if re.search(r"\bjob=zcrx\b", s)]
    if zc:
        print("\nthe zcrx engine's summaries of the zero-copy path, one per run "
              "(zcrx-bench fails a run unless copied_bytes=0):")
        for r, s in zc:
            print("  run %d: zcrx-summary: %s" % (r, s))
    write_csv(rows, summary, outdir)
    print("\nresults: %s, %s" % (os.path.join(outdir, "results.csv"),
                                 os.path.join(outdir, "summary.csv")))
    return plot(summary, rows, outdir, sys.stdout)


if __name__ == "__main__":
    sys.exit(main())
