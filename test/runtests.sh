#!/bin/sh
# SPDX-License-Identifier: MIT
#
# runtests.sh [-t SECONDS] [TEST...]
#
# Run zcrx-lts tests (liburing conventions: exit 0 pass, 77 skip, else
# fail), one line each, then "N passed, N failed, N skipped". Without
# arguments, runs every *.t beside this script; a TEST without a slash is
# the one of that name beside it. Exits 1 if any test failed.
# POSIX sh: it runs under bash on the host and busybox in the guest.

timeout=900
if [ "$1" = -t ]; then
	timeout=$2
	shift 2
fi
dir=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$dir"/*.t

where=host
[ "$(hostname)" = zcrx-guest ] && where=guest
echo "Running $# tests on the $where, kernel $(uname -r)"
out=$(mktemp)
pass=0 fail=0 skip=0 failed=
for t in "$@"; do
	case "$t" in
	*/*) ;;
	*) t=$dir/$t ;;	# a bare name is a test beside this script
	esac
	name=$(basename "$t" .t)
	start=$(date +%s)
	timeout "$timeout" "$t" > "$out" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0)
		pass=$((pass + 1))
		echo "PASS  $name (${secs}s)"
		;;
	77)
		skip=$((skip + 1))
		why=$(sed -n 's/^skip: //p' "$out" | tail -n 1)
		echo "SKIP  $name: ${why:-no reason given}"
		;;
	*)
		fail=$((fail + 1))
		failed="$failed $name"
		[ $rc = 124 ] && echo "timed out after ${timeout}s" >> "$out"
		echo "FAIL  $name (exit $rc, ${secs}s)"
		sed 's/^/      /' "$out"
		;;
	esac
done
rm -f "$out"
[ -z "$failed" ] || echo "Failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
