#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""zcrx-bench-report: the table, CSV files and plots of zcrx-bench's output.

  zcrx-bench-report [LOG [OUTDIR]]

LOG (default: standard input) is what zcrx-bench printed in the guest,
e.g. build/bench/bench.log of ./zcrx-lts bench; OUTDIR (default: the
LOG's directory) gets:

  results.csv     one row per run: the bench-result fields and GiB/s,
                  CPU 1 and task seconds per GiB
  results.jsonl   one JSON object per run: every parameter of the run
                  (path, round, sizes, MTU, CPUs, kernel) and its metrics
  summary.csv     one row per path: medians, min and max, ratios
  summary.md      the table: per path the median and min-max of every
                  metric, the ratios to copy recv() and to the MSG_TRUNC
                  floor, under the run's metadata
  cpu.svg/.png    CPU 1 busy and receiving task s/GiB per path (medians,
                  min-max bars)
  rate.svg/.png   GiB/s per path (median, min-max)
  runs.svg/.png   CPU 1 s/GiB of every run, round by round

and prints the CPU plot on a dumb terminal, then the table of summary.md
and the paths of everything written. Ratios are taken round by round
against the copy recv() path of the same link measured in the same round
(net for netdevsim, lo-net for loopback; net when that is missing), and
against the MSG_TRUNC floor (trunc, netdevsim only), then their median
and range. Needs python3, and gnuplot for the plots (skipped with a note
without it).
"""

import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

GIB = float(1 << 30)
# copy recv() on each link: what ratios are against
REFERENCE = {"nsim": "net", "lo": "lo-net"}
# the no-copy floor, recv(MSG_TRUNC): netdevsim only
FLOOR = {"nsim": "trunc"}
WHAT = {
    "net": "fio net engine, recv() copy",
    "recv": "io_uring multishot recv, provided buffers (copy)",
    "zcrx": "io_uring zcrx, bound queue (zero copy)",
    "zcrx-huge": "io_uring zcrx, huge-page area, 4 KiB buffers",
    "zcrx-16k": "io_uring zcrx, huge-page area, 16 KiB buffers",
    "zcrx-32k": "io_uring zcrx, huge-page area, 32 KiB buffers",
    "zcrx-64k": "io_uring zcrx, huge-page area, 64 KiB buffers",
    "zcrx-devmem": "io_uring zcrx into device memory (zero copy)",
    "devmem-bar": "devmem TCP into device memory, tokens returned",
    "trunc": "recv(MSG_TRUNC), no copy: the floor",
    "lo-net": "fio net engine, recv() copy",
    "nodev": "io_uring zcrx nodev (kernel copies)",
}
FIELDS = ["path", "link", "run", "bytes", "wall_s", "span_s", "rx_cpu_s",
          "rx_task_s", "tx_cpu_s", "teardown_cpu_s", "zc_bytes", "copied_bytes"]
FLOATS = ("wall_s", "span_s", "rx_cpu_s", "rx_task_s", "tx_cpu_s", "teardown_cpu_s")
# per path: median and range of these, and of the ratios of RATIOS
SPREADS = ("gib_s", "cpu_s_gib", "task_s_gib", "tx_cpu_s_gib", "teardown_cpu_s")
RATIOS = ("gib_s", "cpu_s_gib", "task_s_gib")


def kvs(text):
    return dict(f.split("=", 1) for f in text.split() if "=" in f)


def result(kv, engine):
    """A bench-result line's fields (and its engine's zcrx-summary fields)
    as a row with its per-GiB figures; None for a line that lacks a field,
    as the last line of a log cut short may."""
    try:
        row = {k: kv[k] for k in FIELDS}
        for k in ("run", "bytes"):
            row[k] = int(row[k])
        for k in FLOATS:
            row[k] = float(row[k]) if row[k] != "-" else 0.0
    except (KeyError, ValueError):
        return None
    if row["bytes"] <= 0:
        return None
    gib = row["bytes"] / GIB
    row["gib_s"] = gib / row["wall_s"] if row["wall_s"] > 0 else 0.0
    row["cpu_s_gib"] = row["rx_cpu_s"] / gib
    row["task_s_gib"] = row["rx_task_s"] / gib
    row["tx_cpu_s_gib"] = row["tx_cpu_s"] / gib
    # counted by the engine: CQEs, and the bytes zcrx_stats counted as
    # copied (rx=recv has no zcrx_stats: its copied_bytes=0 counts nothing)
    row["cqes"] = int(engine["cqes"]) if engine.get("cqes", "").isdigit() else None
    row["cqes_gib"] = row["cqes"] / gib if row["cqes"] is not None else None
    row["copied"] = (int(row["copied_bytes"]) if engine.get("stats") == "1" and
                     row["copied_bytes"].isdigit() else None)
    return row


def parse(lines):
    """bench-result rows (with their engine's zcrx-summary line, if any),
    the header lines (config, setup, placement, caveat) and, as "done",
    whether the log has zcrx-bench's last line."""
    rows, head, pending = [], {"done": False}, None
    for n, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        m = re.match(r"\s*(bench-(?:result|warmup|config|setup|placement|caveat|"
                     r"count-config|syscalls)|zcrx-summary|zcrx-bench): (.*)", line)
        if not m:
            continue
        kind, rest = m.groups()
        if kind == "zcrx-summary":
            # the engine prints its summary before the run's result line
            pending = rest
        elif kind == "bench-result":
            row = result(kvs(rest), kvs(pending or ""))
            if row:
                row["summary"] = pending
                rows.append(row)
            else:
                print("zcrx-bench-report: line %d: an incomplete bench-result "
                      "line, left out" % n, file=sys.stderr)
            pending = None
        elif kind == "bench-syscalls":
            kv = kvs(rest)
            try:
                calls = {}
                for c in kv.get("calls", "").split(","):
                    if ":" in c:
                        name, cnt = c.rsplit(":", 1)
                        calls[name] = int(cnt)
                head.setdefault("syscalls", {})[kv["path"]] = {
                    "bytes": int(kv["bytes"]), "syscalls": int(kv["syscalls"]),
                    "calls": calls}
            except (KeyError, ValueError):
                print("zcrx-bench-report: line %d: an incomplete bench-syscalls "
                      "line, left out" % n, file=sys.stderr)
        elif kind == "bench-warmup":
            pending = None  # a warm-up run's engine summary: not reported
        elif kind == "zcrx-bench":
            head["done"] = rest.startswith("done")
        else:
            head[kind] = rest
    return rows, head


def spread(vals):
    return statistics.median(vals), min(vals), max(vals)


def ratios(rows, runs, ref, k):
    """@k of each of @runs over @k of path @ref in the same round: median,
    min and max; None without such rounds."""
    of_ref = {r["run"]: r[k] for r in rows if r["path"] == ref}
    v = [r[k] / of_ref[r["run"]] for r in runs if of_ref.get(r["run"], 0) > 0]
    return spread(v) if v else None


def summarise(rows):
    """Per path, in the order of first appearance: medians and ranges, and
    the round-by-round ratios against the same link's copy recv() and
    MSG_TRUNC floor."""
    paths = []
    for r in rows:
        if r["path"] not in paths:
            paths.append(r["path"])
    out = []
    for p in paths:
        runs = [r for r in rows if r["path"] == p]
        link = runs[0]["link"]
        ref = REFERENCE.get(link, "net")
        if not any(r["path"] == ref for r in rows):
            ref = "net"
        floor = FLOOR.get(link)
        s = {"path": p, "link": link, "runs": len(runs), "ref": ref,
             "floor": floor, "bytes": runs[0]["bytes"]}
        for k in SPREADS + ("cqes_gib", "copied"):
            v = [r[k] for r in runs if r[k] is not None]
            s[k] = spread(v) if v else None
        for k in RATIOS:
            s[k + "_ratio"] = ratios(rows, runs, ref, k) if p != ref else None
            s[k + "_floor"] = ratios(rows, runs, floor, k) if p != floor else None
        copied = {r["copied_bytes"] for r in runs}
        s["copied_bytes"] = ",".join(sorted(copied))
        out.append(s)
    return out


def size(text):
    """Bytes of a size such as 64k, 32m or 4096; None if it is none."""
    m = re.fullmatch(r"(\d+)([kmg]?)", (text or "").lower())
    return int(m.group(1)) << "_kmg".index(m.group(2) or "_") * 10 if m else None


def number(text):
    return int(text) if text and text.isdigit() else None


def meta(head, date):
    """What every run of the log shares: kernel, CPUs, sizes, placement."""
    cfg = kvs(head.get("bench-config", ""))
    kernel = cfg.get("kernel")
    m = re.search(r"-zcrx-(\w+)$", kernel or "")
    # older logs say where netdevsim's DMA and softirq ran in the caveat only
    c = re.search(r"receive softirq run on CPU (\d+)", head.get("bench-caveat", ""))
    cpu = lambda k: number(cfg.get(k, c and c.group(1)))
    return {"kernel": kernel, "kernel_flavour": m.group(1) if m else None,
            "cpus": number(cfg.get("cpus")), "date": date,
            "runs": number(cfg.get("runs")), "warmup_rounds": number(cfg.get("warmup")),
            "send_size": size(cfg.get("bs")), "recv_size": size(cfg.get("bs")),
            "area_size": size(cfg.get("area")), "rx_queue": number(cfg.get("rxq")),
            "nsim_mtu": number(cfg.get("nsim_mtu")), "lo_mtu": number(cfg.get("lo_mtu")),
            "tx_cpu": number(cfg.get("tx_cpu")), "rx_cpu": number(cfg.get("rx_cpu")),
            "nsim_dma_cpu": cpu("nsim_dma_cpu"),
            "nsim_softirq_cpu": cpu("nsim_softirq_cpu"),
            "lo_softirq_cpu": cpu("lo_softirq_cpu")}


def syscalls_gib(head, path):
    """The path's syscalls per GiB from its count run, or None."""
    c = head.get("syscalls", {}).get(path)
    return c["syscalls"] / (c["bytes"] / GIB) if c and c["bytes"] > 0 else None


def records(rows, info, head):
    """One JSON-able object per run: its parameters, then its metrics
    (None: not measured on this path)."""
    out = []
    for seq, r in enumerate(rows, 1):
        nsim = r["link"] == "nsim"
        engine = r["summary"] is not None
        out.append({
            "path": r["path"], "link": r["link"], "round": r["run"], "seq": seq,
            "what": WHAT.get(r["path"]), "kernel": info["kernel"],
            "kernel_flavour": info["kernel_flavour"], "cpus": info["cpus"],
            "date": info["date"], "bytes": r["bytes"],
            "send_size": info["send_size"], "recv_size": info["recv_size"],
            "mtu": info["nsim_mtu" if nsim else "lo_mtu"],
            "area_size": info["area_size"] if engine else None,
            "rx_queue": info["rx_queue"] if nsim else None,
            "tx_cpu": info["tx_cpu"], "rx_cpu": info["rx_cpu"],
            # where the receive softirq ran, and netdevsim's DMA copy
            "softirq_cpu": info["nsim_softirq_cpu" if nsim else "lo_softirq_cpu"],
            "dma_cpu": info["nsim_dma_cpu"] if nsim else None,
            "wall_s": r["wall_s"], "span_s": r["span_s"],
            "rx_cpu_s": r["rx_cpu_s"], "rx_task_s": r["rx_task_s"],
            "tx_cpu_s": r["tx_cpu_s"], "teardown_cpu_s": r["teardown_cpu_s"],
            "gib_s": round(r["gib_s"], 6),
            "rx_cpu_s_per_gib": round(r["cpu_s_gib"], 6),
            "task_s_per_gib": round(r["task_s_gib"], 6),
            "tx_cpu_s_per_gib": round(r["tx_cpu_s_gib"], 6),
            # the path's count run (under strace), the same for its runs
            "syscalls_per_gib": (round(syscalls_gib(head, r["path"]), 1)
                                 if syscalls_gib(head, r["path"]) is not None else None),
            "cqes": r["cqes"],
            "cqes_per_gib": round(r["cqes_gib"], 3) if r["cqes"] is not None else None,
            "zc_bytes": number(r["zc_bytes"]) if engine else None,
            "copied_bytes": r["copied"]})
    return out


def cell(t, digits=3, unit=""):
    """median (min-max), or the one value when they are the same"""
    if t is None:
        return "-"
    m, lo, hi = ("%.*f" % (digits, v) for v in t)
    return m + unit if lo == hi else "%s%s (%s-%s)" % (m, unit, lo, hi)


def cell_ratio(t):
    return cell(t, 2, "x")


def human(n):
    """bytes in KiB or MiB, the unit they are whole in"""
    if n is None:
        return "?"
    for shift, unit in ((20, "MiB"), (10, "KiB")):
        if n and not n % (1 << shift):
            return "%d %s" % (n >> shift, unit)
    return "%d B" % n


def markdown(summary, info, head, log):
    """summary.md: the run's metadata, the caveat, the table, the legend."""
    q = lambda k: "?" if info[k] is None else info[k]
    lines = [
        "# zcrx-bench: receive paths side by side", "",
        "- kernel: %s (flavour %s)" % (q("kernel"), q("kernel_flavour")),
        "- CPUs: %s; sender on CPU %s, receiver on CPU %s; netdevsim's "
        "simulated DMA copy on CPU %s, its receive softirq on CPU %s; "
        "loopback's softirq on CPU %s" % (q("cpus"), q("tx_cpu"), q("rx_cpu"),
                                          q("nsim_dma_cpu"), q("nsim_softirq_cpu"),
                                          q("lo_softirq_cpu")),
        "- sizes: %s per run; sender writes and receiver I/O of %s; engine "
        "area %s (anon)" % (human(summary[0]["bytes"]), human(info["send_size"]),
                           human(info["area_size"])),
        "- MTU: netdevsim %s, loopback %s; the flow steered to rx queue %s"
        % (q("nsim_mtu"), q("lo_mtu"), q("rx_queue")),
        "- runs: %s per path, interleaved (round 1 of every path, then round "
        "2, ...); warm-up rounds before them, not counted: %s"
        % (q("runs"), q("warmup_rounds")),
        "- date: %s" % info["date"],
        "- log: %s%s" % (log, "" if head["done"] else
                          " (INCOMPLETE: it ends before zcrx-bench's last line)")]
    lines += ["- %s: %s" % (k[6:], head[k]) for k in ("bench-setup", "bench-placement")
              if k in head]
    lines += ["", "Placement: " + head.get("bench-caveat", "not stated in the log"), ""]
    cols = ["path", "link", "n", "CPU1 s/GiB", "task s/GiB", "GiB/s",
            "CPU0 s/GiB", "teardown s", "CQEs/GiB", "syscalls/GiB", "copied B",
            "CPU1 vs copy", "task vs copy", "GiB/s vs copy",
            "CPU1 vs trunc", "task vs trunc"]
    data = [[s["path"], s["link"], str(s["runs"]), cell(s["cpu_s_gib"]),
             cell(s["task_s_gib"]), cell(s["gib_s"]), cell(s["tx_cpu_s_gib"]),
             cell(s["teardown_cpu_s"]), cell(s["cqes_gib"], 0),
             "-" if syscalls_gib(head, s["path"]) is None else
             "%.0f" % syscalls_gib(head, s["path"]),
             cell(s["copied"], 0), cell_ratio(s["cpu_s_gib_ratio"]),
             cell_ratio(s["task_s_gib_ratio"]), cell_ratio(s["gib_s_ratio"]),
             cell_ratio(s["cpu_s_gib_floor"]), cell_ratio(s["task_s_gib_floor"])]
            for s in summary]
    width = [max(len(c), *(len(d[i]) for d in data)) for i, c in enumerate(cols)]
    row = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, width)) + " |"
    lines += [row(cols), row(["-" * w for w in width])] + [row(d) for d in data]
    lines += [
        "", "Each cell: median (min-max) over the path's runs. CPU1 = the "
        "receiver CPU's busy time (wall minus idle, /proc/stat) from the "
        "sender's start to the last byte; task = the receiving task's user "
        "and system time; CPU0 = the sender CPU's busy time (sender, "
        "netdevsim's DMA copy, the receive softirq); GiB/s = bytes / the "
        "receiver's time from accept to last byte (the sender's limit); "
        "teardown s = CPU 1's time from the last byte to the receiver's exit, "
        "not in CPU1; lower s/GiB is better. 'vs copy', 'vs trunc': ratio to "
        "copy recv() on the same link (net, lo-net) and to the MSG_TRUNC "
        "floor (trunc, netdevsim only) in the same round, median (min-max). "
        "copied B: what zcrx_stats counted (-: nothing counts them; copy "
        "recv() and rx=recv copy every byte, MSG_TRUNC none). syscalls/GiB: "
        "the receiving thread's syscalls from its accept on, counted with "
        "strace in one more run per path of %s after the timed ones (-: no "
        "count run); strace slows the receiver, so an event-driven path may "
        "batch more per syscall there than in the timed runs."
        % human(kvs(head.get("bench-count-config", "")).get("bytes") and
                int(kvs(head["bench-count-config"])["bytes"])), ""]
    lines += ["- `%s`: %s" % (s["path"], WHAT.get(s["path"], "")) for s in summary]
    counts = head.get("syscalls", {})
    if counts:
        lines += ["", "The receivers' syscalls in the count runs, commonest first:", ""]
        for p, c in counts.items():
            top = sorted(c["calls"].items(), key=lambda kv: (-kv[1], kv[0]))
            lines.append("- `%s`: %d in %s: %s" % (
                p, c["syscalls"], human(c["bytes"]),
                ", ".join("%s %d" % kv for kv in top[:6])))
    return "\n".join(lines) + "\n"


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
        for k in SPREADS:
            hdr += [k + "_med", k + "_min", k + "_max"]
        for k in RATIOS:
            hdr += [k + "_ratio_med", k + "_ratio_min", k + "_ratio_max"]
        hdr += ["ratio_ref", "copied_bytes"]
        # after the first columns, compatibly: the ratios to the floor
        for k in RATIOS:
            hdr += [k + "_floor_med", k + "_floor_min", k + "_floor_max"]
        hdr += ["floor_ref"]
        w.writerow(hdr)
        three = lambda t: ["%.6f" % v for v in t] if t else ["", "", ""]
        for s in summary:
            row = [s["path"], s["link"], s["runs"], s["bytes"]]
            for k in SPREADS:
                row += three(s[k])
            for k in RATIOS:
                row += three(s[k + "_ratio"])
            row += [s["ref"], s["copied_bytes"]]
            for k in RATIOS:
                row += three(s[k + "_floor"])
            row += [s["floor"] or ""]
            w.writerow(row)


def write_json_md(rows, summary, info, head, log, outdir):
    """results.jsonl and summary.md; returns summary.md's text."""
    with open(os.path.join(outdir, "results.jsonl"), "w") as f:
        for rec in records(rows, info, head):
            f.write(json.dumps(rec, allow_nan=False) + "\n")
    md = markdown(summary, info, head, log)
    with open(os.path.join(outdir, "summary.md"), "w") as f:
        f.write(md)
    return md


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
           "set title 'Receiver CPU per GiB (median, min-max)'\n"
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
    """The plots, and the CPU plot on the terminal: the files written, or
    None when gnuplot failed."""
    gp = shutil.which("gnuplot")
    if not gp:
        print("zcrx-bench-report: no gnuplot (Debian's gnuplot-nox): no plots",
              file=sys.stderr)
        return []
    terms = [("svg", "set terminal svg size 900,500 dynamic font 'sans,11'"),
             ("png", "set terminal pngcairo size 900,500 font 'sans,10'")]
    files = []
    for name, script in gnuplot_scripts(summary, rows, outdir):
        for ext, term in terms:
            path = os.path.join(outdir, "%s.%s" % (name, ext))
            r = subprocess.run([gp], input="%s\nset output '%s'\n%s" % (term, path, script),
                               text=True, capture_output=True)
            if r.returncode:
                print("zcrx-bench-report: gnuplot %s: %s" % (path, r.stderr.strip()),
                      file=sys.stderr)
                return None
            files.append(path)
    # on the terminal CPU 1 busy only: two bar sets do not read in ASCII
    script = dict(gnuplot_scripts(summary, rows, outdir))["cpu"]
    script = script.replace(", '' using 5:6:7 title 'receiving task'", "")
    script = script.replace("Receiver CPU per GiB", "CPU 1 busy s/GiB")
    script = script.replace("set key top left", "set key off")
    r = subprocess.run([gp], input="set terminal dumb size 100,28\n" + script,
                       text=True, capture_output=True)
    out.write(r.stdout)
    return files


def main():
    args = sys.argv[1:]
    if len(args) > 2 or any(a.startswith("-") and a != "-" for a in args):
        sys.exit(__doc__)
    log = args[0] if args else "-"
    outdir = args[1] if len(args) > 1 else (os.path.dirname(log) or "." if log != "-" else ".")
    with (sys.stdin if log == "-" else open(log, errors="replace")) as f:
        rows, head = parse(f)
        # the run's date: when the log was last written (or now, for a pipe)
        date = time.strftime("%Y-%m-%d %H:%M:%S UTC",
                             time.gmtime(os.fstat(f.fileno()).st_mtime
                                         if log != "-" else None))
    if not rows:
        print("zcrx-bench-report: no bench-result lines in %s" % log, file=sys.stderr)
        return 1
    os.makedirs(outdir, exist_ok=True)
    summary = summarise(rows)
    zc = [r for r in rows if re.search(r"\bjob=zcrx\b", r["summary"] or "")]
    if zc:
        print("the zcrx engine's summaries of the zero-copy path, one per run "
              "(zcrx-bench fails a run unless copied_bytes=0):")
        for r in zc:
            print("  run %d: zcrx-summary: %s" % (r["run"], r["summary"]))
    write_csv(rows, summary, outdir)
    md = write_json_md(rows, summary, meta(head, date), head, log, outdir)
    plots = plot(summary, rows, outdir, sys.stdout)
    print()
    print(md)
    print("outputs:")
    if log != "-":
        print("  %s  (zcrx-bench's output)" % log)
    for name, what in (("results.csv", "one row per run"),
                       ("results.jsonl", "one JSON object per run, every parameter"),
                       ("summary.csv", "one row per path"),
                       ("summary.md", "the table above")):
        print("  %s  (%s)" % (os.path.join(outdir, name), what))
    for path in plots or []:
        print("  %s" % path)
    return 0 if plots is not None else 1


if __name__ == "__main__":
    sys.exit(main())
