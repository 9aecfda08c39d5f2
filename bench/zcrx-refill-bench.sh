#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Instructions per buffer of liburing-ext's receive-and-return path:
# runs zcrx-refill-bench under callgrind and prints one line per batch
# size and refill mode, from the instruction total (Ir) of each dump the
# program requests.
#
#   zcrx-refill-bench.sh [PROG]   (default: build/cmake/bench/zcrx-refill-bench)
#
# Set KEEP=DIR to keep callgrind's output files in DIR (for
# callgrind_annotate --auto=yes DIR/callgrind.out.N).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=${1:-${ZCRX_BUILD:-$here/../build}/cmake/bench/zcrx-refill-bench}
nr_bufs=65536

[ -x "$prog" ] || { echo "no program $prog (build it first)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 1; }

if [ -n "${KEEP:-}" ]; then
	out=$KEEP
	mkdir -p "$out"
	rm -f "$out"/callgrind.out.*
else
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi

valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
	--dump-instr=no "$prog" >"$out/log" 2>&1 || {
	cat "$out/log" >&2
	exit 1
}

# Each client-request dump is callgrind.out.N, N in dump order; the file
# without a number is the rest of the program at exit. One "MODE BATCH IR"
# line per dump first, then the table: total instructions per buffer, and
# the helpers' share, the total less the baseline of the same batch size
# (a receiver's own loop: res check, pointer, one-byte read, no helper).
n=1
while [ -f "$out/callgrind.out.$n" ]; do
	awk '
		/^desc: Trigger: Client Request: / {
			sub(/^desc: Trigger: Client Request: /, ""); name = $0
		}
		/^(summary|totals): / { ir = $2 }
		END {
			split(name, w, " ")
			print w[1], w[3], ir
		}' "$out/callgrind.out.$n"
	n=$((n + 1))
done > "$out/ir"
[ "$n" -gt 1 ] || { echo "no callgrind dumps in $out" >&2; exit 1; }

awk -v nr="$nr_bufs" '
	{ mode[NR] = $1; batch[NR] = $2; ir[NR] = $3 }
	$1 == "baseline" { base[$2] = $3 }
	END {
		for (i = 1; i <= NR; i++) {
			m = (mode[i] == "add+commit") ? "" : " (" mode[i] ")"
			line = sprintf("batch %s%s: %.1f instructions per buffer",
				       batch[i], m, ir[i] / nr)
			if (mode[i] != "baseline" && batch[i] in base)
				line = line sprintf(", helpers %.1f",
					(ir[i] - base[batch[i]]) / nr)
			print line
		}
	}' "$out/ir"
