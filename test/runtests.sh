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
#
# In the guest, on the project's own kernel (a release ending in
# -zcrx-debug or -zcrx-perf), everything a test needs is there, so:
#  - a skip fails the test unless skip-allowlist (beside this script)
#    names that test and that reason;
#  - after each test, kmemleak is scanned and a new taint flag checked;
#    either fails the test that caused it;
#  - "zcrx-test: start NAME" and "zcrx-test: end NAME" go to the kernel
#    log, so the VM runner can name the test during which the kernel
#    complained.
# On any other kernel (the host) a skip is a skip.

timeout=900
if [ "$1" = -t ]; then
	timeout=$2
	shift 2
fi
dir=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || set -- "$dir"/*.t

where=host
[ "$(hostname)" = zcrx-guest ] && where=guest
strict=
case "$where $(uname -r)" in
guest\ *-zcrx-debug | guest\ *-zcrx-perf) strict=1 ;;
esac
kmemleak=/sys/kernel/debug/kmemleak
[ -n "$strict" ] && [ -w $kmemleak ] || kmemleak=

names=
for t in "$@"; do
	case "$t" in
	*/*) ;;
	*) t=$dir/$t ;;
	esac
	names="$names $(basename "$t" .t)"
done
echo "Running $# tests on the $where, kernel $(uname -r)${strict:+ (skips must be on skip-allowlist)}"
echo "Tests:$names"

# allowed NAME REASON: is this skip on the allowlist? Lines are
# "NAME REASON-PATTERN" (a shell pattern matched against the whole reason).
allowed() {
	[ -f "$dir/skip-allowlist" ] || return 1
	while read -r a_name a_pat; do
		case "$a_name" in '' | \#*) continue ;; esac
		[ "$a_name" = "$1" ] || continue
		# shellcheck disable=SC2254
		case "$2" in $a_pat) return 0 ;; esac
	done < "$dir/skip-allowlist"
	return 1
}

kmsg() {
	[ -n "$strict" ] && [ -w /dev/kmsg ] && echo "zcrx-test: $*" > /dev/kmsg
}

# Leaks the test left behind: objects are reported once they are 5 s
# old, so let its last allocations age, then scan twice (the second scan
# drops transient references). Prints the report, clears it.
leaks() {
	[ -n "$kmemleak" ] || return 0
	sleep 5
	echo scan > $kmemleak
	echo scan > $kmemleak
	cat $kmemleak
	echo clear > $kmemleak
}

out=$(mktemp)
pass=0 fail=0 skip=0 failed=
taint=$(cat /proc/sys/kernel/tainted)
for t in "$@"; do
	case "$t" in
	*/*) ;;
	*) t=$dir/$t ;;	# a bare name is a test beside this script
	esac
	name=$(basename "$t" .t)
	start=$(date +%s)
	kmsg "start $name"
	if [ -x "$t" ]; then
		timeout "$timeout" "$t" > "$out" 2>&1
		rc=$?
	else
		echo "no such test: $t" > "$out"
		rc=127
	fi
	report=$(leaks)
	kmsg "end $name exit $rc"
	secs=$(( $(date +%s) - start ))
	why= reason=
	if [ -n "$report" ]; then
		# Also on the console, where the VM runner fails the run on it.
		[ -w /dev/kmsg ] && echo "$report" > /dev/kmsg
		why="kmemleak reports leaks after this test"
		echo "$report" >> "$out"
	fi
	now=$(cat /proc/sys/kernel/tainted)
	if [ "$now" != "$taint" ]; then
		why="${why:+$why; }kernel taint went from $taint to $now"
		taint=$now
	fi
	if [ $rc = 77 ]; then
		reason=$(sed -n 's/^skip: //p' "$out" | tail -n 1)
		if [ -n "$strict" ] && ! allowed "$name" "$reason"; then
			why="${why:+$why; }skipped on the project's kernel, reason not on skip-allowlist: ${reason:-no reason given}"
		fi
	fi
	[ -n "$why" ] && [ $rc = 0 -o $rc = 77 ] && rc=1
	case $rc in
	0)
		pass=$((pass + 1))
		echo "PASS  $name (${secs}s)"
		;;
	77)
		skip=$((skip + 1))
		echo "SKIP  $name: ${reason:-no reason given}"
		;;
	*)
		fail=$((fail + 1))
		failed="$failed $name"
		[ $rc = 124 ] && echo "timed out after ${timeout}s" >> "$out"
		[ -n "$why" ] && echo "$why" >> "$out"
		echo "FAIL  $name (exit $rc, ${secs}s)"
		sed 's/^/      /' "$out"
		;;
	esac
done
rm -f "$out"
[ -z "$failed" ] || echo "Failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
