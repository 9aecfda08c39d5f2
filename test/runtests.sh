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
#    either fails the test that caused it (a leak is reported by the scan
#    after the next test, see leaks());
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
	*) t=$dir/${t%.t}.t ;;
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

# kmemleak reports an object only when a scan finds it unreferenced and
# unchanged since the scan before, and at least 5 s old. So one scan after
# each test (about 8 s under TCG with KASAN) is enough: the scan after test
# N first sees the objects N leaked; the scan after test N+1 reports them,
# and nothing else: whatever it reports was there at the scan after N, so
# it was allocated during N (earlier leaks were reported earlier). Prints
# the report and clears it.
leaks() {
	[ -n "$kmemleak" ] || return 0
	echo scan > $kmemleak
	cat $kmemleak
	echo clear > $kmemleak
}

# Fail the test before this one for the leaks the last scan reported.
blame_leaks() { # REPORT
	echo "FAIL  $prev (kmemleak: the scan after $name reports leaks allocated during $prev)"
	echo "$1" | sed 's/^/      /'
	case "$prev_rc" in
	boot) ;;
	0) pass=$((pass - 1)) ;;
	77) skip=$((skip - 1)) ;;
	*) fail=$((fail - 1)) ;;
	esac
	fail=$((fail + 1))
	case " $failed " in *" $prev "*) ;; *) failed="$failed $prev" ;; esac
	# Also on the console, where the VM runner fails the run on it.
	[ -w /dev/kmsg ] && echo "$1" > /dev/kmsg
}

out=$(mktemp)
pass=0 fail=0 skip=0 failed=
# What boot leaked is reported by the scan after the first test.
prev=boot prev_rc=boot
leaks > /dev/null
taint=$(cat /proc/sys/kernel/tainted)
for t in "$@"; do
	case "$t" in
	*/*) ;;
	*) t=$dir/${t%.t}.t ;;	# a bare name is a test beside this script
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
	kmsg "end $name exit $rc"
	report=$(leaks)
	[ -z "$report" ] || blame_leaks "$report"
	secs=$(( $(date +%s) - start ))
	why= reason=
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
	prev=$name prev_rc=$rc
done
if [ -n "$kmemleak" ]; then
	# The last test's leaks: age them, then the two scans.
	sleep 5
	leaks > /dev/null
	name="the end of the suite"
	report=$(leaks)
	[ -z "$report" ] || blame_leaks "$report"
fi
rm -f "$out"
[ -z "$failed" ] || echo "Failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
