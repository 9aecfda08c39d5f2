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
# without a number is the rest of the program at exit.
n=1
while [ -f "$out/callgrind.out.$n" ]; do
	f=$out/callgrind.out.$n
	awk -v nr="$nr_bufs" '
		/^desc: Trigger: Client Request: / {
			sub(/^desc: Trigger: Client Request: /, ""); name = $0
		}
		/^(summary|totals): / { ir = $2 }
		END {
			split(name, w, " ")
			mode = (w[1] == "add+commit") ? "" : " (" w[1] ")"
			printf "batch %s%s: %.1f instructions per buffer\n",
				w[3], mode, ir / nr
		}' "$f"
	n=$((n + 1))
done
[ "$n" -gt 1 ] || { echo "no callgrind dumps in $out" >&2; exit 1; }
