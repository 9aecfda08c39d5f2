#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zcrx-bench: the receive paths of a TCP stream side by side, in the guest
# on the perf kernel (./zcrx-lts bench runs it; bin/zcrx-bench-report turns
# its output into a table, a CSV file and plots).
#
#   zcrx-bench [-n RUNS] [-s SIZE] [-w ROUNDS] [-c SIZE] [-p 'PATH...']
#
#   -n RUNS   runs per path (default 5, or $ZCRX_BENCH_RUNS)
#   -w ROUNDS warm-up rounds first, not counted (default 1: the first
#             streams after boot run slower under TCG, translating code)
#   -s SIZE   bytes per run: a number of MiB, or with a k/m/g suffix
#             (default 256m, or $ZCRX_BENCH_SIZE)
#   -c SIZE   after the runs, one more of SIZE bytes per path under strace,
#             counting the receiver's syscalls (default 32m, or
#             $ZCRX_BENCH_COUNT_SIZE; 0: none)
#   -p PATHS  the receive paths, in this order in every round (default
#             all, or $ZCRX_BENCH_PATHS):
#     net     netdevsim, fio's net engine receiving: recv() into its buffers
#     recv    netdevsim, the zcrx fio engine rx=recv: io_uring multishot recv
#             into provided buffers (copying)
#     zcrx    netdevsim, the zcrx fio engine rx=zcrx on the bound rx queue 1:
#             zero-copy (the run fails unless zcrx_stats counts 0 bytes copied)
#     zcrx-huge, zcrx-16k, zcrx-32k, zcrx-64k  the same into an area of
#             2 MiB huge pages, with 4, 16, 32 and 64 KiB buffers
#             (rx_buf_len): what larger buffers save per byte
#     zcrx-devmem  the same into an area of device memory (area=dma-heap
#             from the ivshmem heap, a PCI BAR without struct pages: the
#             guest needs vm run --devmem-bar)
#     devmem-bar  netdevsim, devmem TCP into the same device memory
#             (zcrx-bench-helper devmem: BIND_RX of a 32 MiB dma-buf of the
#             ivshmem heap to rx queue 1, tokens returned): devmem's tokens
#             against zcrx's refill ring, on one memory
#     trunc   netdevsim, recv(MSG_TRUNC) (zcrx-bench-helper trunc): nothing
#             copied, the floor
#     lo-net  loopback, fio's net engine receiving (copy recv() on loopback)
#     nodev   loopback, the zcrx fio engine rx=zcrx nodev (ZCRX_REG_NODEV:
#             the kernel copies every byte into the area)
#
# Set-up: a netdevsim pair with two queues in two network namespaces,
# side 0 (zb-tx, 192.0.2.1) sends, side 1 (zb-rx, 192.0.2.2) receives with
# header split on (tcp-data-split on, hds-thresh 0, set by
# zcrx-bench-helper hds, as Debian's ethtool 6.1 cannot; the zcrx path
# checks again with hds=0); an ntuple rule on the receiver (ethtool -N)
# steers the flow to rx queue 1, where the zcrx path binds its ifq, and
# each port's rx interrupts go to its own side's CPU (netdevsim's
# rx_queues/Q/irq_cpu in debugfs). The loopback paths run in a third namespace (zb-lo).
#
# Runs are interleaved: round 1 runs every path once, then round 2, ... The
# sender is always fio's net engine (rw=write, bs=64k) on CPU 0; the
# receiver runs on CPU 1 (taskset; fio's parent process too); this script
# itself stays on CPU 0 and sleeps in wait while a run goes.
#
# For each run one line for the report:
#
#   bench-result: path=P link=nsim|lo run=R bytes=B wall_s=W span_s=S
#     rx_cpu_s=C rx_task_s=T tx_cpu_s=X teardown_cpu_s=D zc_bytes=Z
#     copied_bytes=Y
#
#   bytes      the stream's bytes: what the sender wrote (fio's count), and
#              for the engine and trunc also what the receiver counted
#   wall_s     the receiver's own time from the accepted connection to the
#              last byte (fio's job_runtime; trunc's own clock), no set-up
#              or teardown: throughput is bytes / wall_s
#   span_s     from just before the sender starts to the end of the
#              receiver's I/O (a bench-stat line of zcrx-bench-helper: fio
#              runs it as exec_postrun, before the engine's cleanup; trunc
#              takes it at its last byte): what the CPU times are taken over
#   rx_cpu_s   CPU 1 busy time over span_s: span_s minus CPU 1's idle and
#              iowait time in /proc/stat (NO_HZ idle accounting: measured,
#              not tick-sampled, unlike the busy fields). Everything on the
#              receiver's CPU: the receiving task, its syscalls, the ACKs it
#              sends and whatever softirq lands there, fio's parent process
#              (it wakes every 10 ms) and the postrun's fork and exec. The
#              primary figure (../shared/spec/measuring.md).
#   rx_task_s  the receiving task's own user+system time: fio's usr_cpu and
#              sys_cpu (getrusage from the connection to the end of I/O,
#              times job_runtime), trunc's getrusage
#   tx_cpu_s   CPU 0 busy time over span_s: sender, netdevsim's simulated
#              DMA and the ACKs' receive softirq (see the caveat)
#   teardown_cpu_s  CPU 1 busy time from the end of the I/O until the
#              receiver exited: the engine's cleanup (ring, ifq, area) and
#              fio's report; not in rx_cpu_s
#   zc_bytes, copied_bytes  the zcrx engine's zcrx_stats (- elsewhere)
#
# and the engine's own zcrx-summary line after each engine run.
set -euo pipefail
shopt -s inherit_errexit

PREFIX=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
FIO=${FIO:-/usr/bin/fio}
ENGINE=${ZCRX_FIO_ENGINE:-$PREFIX/lib/fio/zcrx.so}
HELPER=$PREFIX/libexec/zcrx-lts/bench/zcrx-bench-helper
RUNS=${ZCRX_BENCH_RUNS:-5}
WARMUP=${ZCRX_BENCH_WARMUP:-1}
SIZE=${ZCRX_BENCH_SIZE:-256m}
COUNT_SIZE=${ZCRX_BENCH_COUNT_SIZE:-32m}
COUNT_TO=		# one_run: the strace output of a count run
PATHS=${ZCRX_BENCH_PATHS:-net recv zcrx zcrx-huge zcrx-16k zcrx-32k zcrx-64k zcrx-devmem devmem-bar trunc lo-net nodev}
TX_CPU=0
RX_CPU=1
# where netdevsim's simulated DMA copy runs (in the sender's transmit, on
# its CPU) and its receive softirq (where the rx queue's interrupt is
# affine: set below); loopback's softirq runs in the sender's context
NSIM_DMA_CPU=$TX_CPU NSIM_SOFTIRQ_CPU=$RX_CPU LO_SOFTIRQ_CPU=$TX_CPU
RXQ=1			# the rx queue the flow is steered to and zcrx binds
AREA=32m		# area of the engine paths (rx=recv carves its buffers from one too)
BS=64k			# sender's writes, receivers' io_u size
NSIM=/sys/bus/netdevsim
NSIM_DFS=/sys/kernel/debug/netdevsim
NS_TX=zb-tx NS_RX=zb-rx NS_LO=zb-lo
ADDR_TX=192.0.2.1 ADDR_RX=192.0.2.2
IDS=(9100 9101)		# netdevsim bus device ids of side 0 and 1
OUT=${TMPDIR:-/tmp}/zcrx-bench.$$

die() { echo "zcrx-bench: $*" >&2; exit 1; }

while getopts n:s:w:c:p: opt; do
	case $opt in
	n) RUNS=$OPTARG ;;
	c) COUNT_SIZE=$OPTARG ;;
	w) WARMUP=$OPTARG ;;
	s) SIZE=$OPTARG ;;
	p) PATHS=$OPTARG ;;
	*) sed -n '8,30s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
bytes_of() { # SIZE
	case ${1,,} in
	*k) echo $(( ${1%?} << 10 )) ;;
	*m) echo $(( ${1%?} << 20 )) ;;
	*g) echo $(( ${1%?} << 30 )) ;;
	*) echo $(( $1 << 20 )) ;;
	esac
}
BYTES=$(bytes_of "$SIZE")
COUNT_BYTES=$(bytes_of "$COUNT_SIZE")
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "-n $RUNS: want a number of runs"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "-w $WARMUP: want a number of rounds"
(( BYTES > 0 )) || die "-s $SIZE: want a size"
(( COUNT_BYTES == 0 )) || command -v strace >/dev/null ||
	die "-c $COUNT_SIZE: counting syscalls needs strace (Debian's strace; -c 0: no count)"
for p in $PATHS; do
	case $p in
	net|recv|zcrx|zcrx-huge|zcrx-16k|zcrx-32k|zcrx-64k|trunc|lo-net|nodev) ;;
	zcrx-devmem|devmem-bar)
		# the device memory heap, one per ivshmem device
		HEAP=$(cd /dev/dma_heap 2>/dev/null && ls -d ivshmem-* 2>/dev/null | head -n1) ||
			true
		[ -n "$HEAP" ] || die "-p $p: no device memory heap (/dev/dma_heap/ivshmem-*: boot the guest with vm run --devmem-bar)" ;;
	*) die "-p: no path '$p' (net recv zcrx zcrx-huge zcrx-16k zcrx-32k zcrx-64k zcrx-devmem devmem-bar trunc lo-net nodev)" ;;
	esac
done
for f in "$FIO" "$HELPER"; do [ -x "$f" ] || die "$f missing"; done
[ -r "$ENGINE" ] || die "no zcrx fio engine at $ENGINE"
[ -w $NSIM/new_device ] || die "no netdevsim ($NSIM)"
NCPUS=$(grep -c '^cpu[0-9]' /proc/stat)
[ "$NCPUS" -ge 2 ] || die "needs two CPUs"

# This script on the sender's CPU, out of the receiver's way.
taskset -p -c $TX_CPU $$ >/dev/null

cleanup() {
	local id
	for id in "${IDS[@]}"; do
		[ -e "$NSIM/devices/netdevsim$id" ] && echo "$id" > $NSIM/del_device
	done
	for ns in $NS_TX $NS_RX $NS_LO; do
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$OUT"
}
trap cleanup EXIT
mkdir -p "$OUT"

# --- set-up

# side I of the netdevsim pair: device IDS[I] (2 queues), into netns NS
# with address ADDR, up; prints its interface name
nsim_side() { # I NS ADDR
	local id=${IDS[$1]} ifname
	echo "$id 1 2" > $NSIM/new_device
	ifname=$(ls "$NSIM/devices/netdevsim$id/net/")
	ip netns add "$2"
	ip link set dev "$ifname" netns "$2"
	ip -n "$2" addr add "$3/24" dev "$ifname"
	ip -n "$2" link set dev "$ifname" up
	echo "$ifname"
}

IF_TX=$(nsim_side 0 $NS_TX $ADDR_TX)
IF_RX=$(nsim_side 1 $NS_RX $ADDR_RX)
# link_device takes "NETNS_FD:IFINDEX NETNS_FD:IFINDEX", fds of the writer
exec {fd_tx}</run/netns/$NS_TX {fd_rx}</run/netns/$NS_RX
echo "$fd_tx:$(ip -n $NS_TX -o link show dev "$IF_TX" | cut -d: -f1)" \
	"$fd_rx:$(ip -n $NS_RX -o link show dev "$IF_RX" | cut -d: -f1)" \
	> $NSIM/link_device
exec {fd_tx}<&- {fd_rx}<&-
nsenter --net=/run/netns/$NS_RX "$HELPER" hds "$IF_RX" $RXQ
# the receiver steers the flow to rx queue RXQ, as with a real NIC
ip netns exec $NS_RX ethtool -N "$IF_RX" flow-type tcp4 dst-ip $ADDR_RX action $RXQ >/dev/null
# each side's rx interrupts on its own CPU: the receive stack of the data
# on the receiver's, that of the ACKs on the sender's
for q in 0 1; do
	echo $NSIM_SOFTIRQ_CPU > "$NSIM_DFS/netdevsim${IDS[1]}/ports/0/rx_queues/$q/irq_cpu"
	echo $TX_CPU > "$NSIM_DFS/netdevsim${IDS[0]}/ports/0/rx_queues/$q/irq_cpu"
done
ip netns add $NS_LO
ip -n $NS_LO link set dev lo up
MTU=$(ip -n $NS_RX -o link show dev "$IF_RX" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
LO_MTU=$(ip -n $NS_LO -o link show dev lo | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')

# --- measuring

# "T_US IDLE_TX_US IDLE_RX_US" from a bench-stat line (zcrx-bench-helper
# stat: the time, and the CPUs' idle plus iowait time in /proc/stat)
stat_of() { # LINE
	local a
	read -r -a a <<< "${1#bench-stat: }"
	echo "${a[0]} ${a[1 + TX_CPU]} ${a[1 + RX_CPU]}"
}
snap() { stat_of "$("$HELPER" stat)"; }

# Wait until a socket in PID's netns listens on PORT (the engine makes its
# ring, area and ifq before it listens: set-up is over then).
wait_listen() { # PID PORT
	local pid=$1 hex i
	hex=$(printf ':%04X$' "$2")
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		# local address (field 2) ends in :PORT, state (4) TCP_LISTEN
		{ cat /proc/"$pid"/net/tcp /proc/"$pid"/net/tcp6 2>/dev/null || :; } |
			awk -v p="$hex" '$2 ~ p && $4 == "0A" { f = 1 } END { exit !f }' &&
			return 0
		sleep 0.1
	done
	return 1
}

# KEY from a "zcrx-summary:"/"trunc-recv:" line of FILE, or -
kv() { # FILE PREFIX KEY
	sed -n "s/^$2:.* $3=\([^ ]*\).*/\1/p" "$1" | head -n1 | grep . || echo -
}

# fio's JSON output of one job: the value of the first KEY (read before write)
fio_json() { # FILE KEY [NTH]
	awk -v k="\"$2\"" -v nth="${3:-1}" '$1 == k && ++n == nth {
		v = $3; sub(/,$/, "", v); print v; exit }' "$1"
}

show() { # FILE...: the outputs of a failed run
	local f
	for f; do echo "---- $f"; cat "$f"; done >&2
}

# One run of PATH in round RUN: prints its bench-result line (bench-warmup
# for a warm-up round, RUN 0 or less).
one_run() { # PATH RUN PORT
	local path=$1 run=$2 port=$3 tag=bench-result ns=$NS_RX addr=$ADDR_RX txns=$NS_TX link=nsim
	local rx=$OUT/$path.$run.rx tx=$OUT/$path.$run.tx rxpid txpid rc=0 txrc=0
	local rxcmd s0 se s1 bytes wall task zc=- copied=- post=$OUT/$path.postrun.txt
	((run > 0)) || tag=bench-warmup
	[ -z "$COUNT_TO" ] || tag=bench-count
	case $path in
	lo-*|nodev) ns=$NS_LO txns=$NS_LO addr=127.0.0.1 link=lo ;;
	esac
	case $path in
	net|lo-net)
		# fio 3.33's net engine miscounts short recv()s against size
		# (README, "The fio engine"): an upper bound, the stream's end
		# (the sender's close message) ends the job
		rxcmd=("$FIO" --name="$path" --ioengine=net --listen
		       --port="$port" --rw=read --bs="$BS" --size="$((BYTES * 4))") ;;
	trunc)
		rxcmd=("$HELPER" trunc "$port" "$BYTES") ;;
	devmem-bar)
		rxcmd=("$HELPER" devmem "$port" "$BYTES" "$IF_RX" "$RXQ") ;;
	*)
		# the zcrx engine: the same area, refill batch and CQ for all
		rxcmd=("$FIO" --name="$path" --ioengine=external:"$ENGINE"
		       --listen --port="$port" --rw=read --bs="$BS" --size="$BYTES"
		       --area=anon --area_size="$AREA" --refill_batch=32
		       --cq_entries=4096 --pattern=none) ;;
	esac
	# fio runs exec_postrun when the I/O is over, before the engine's
	# cleanup: the end of the measured span (PATH.postrun.txt in $OUT)
	case $path in trunc|devmem-bar) ;; *) rxcmd+=(--exec_postrun="exec $HELPER stat") ;; esac
	case $path in
	recv) rxcmd+=(--rx=recv) ;;
	# hds=0: refuse, rather than fix, a queue without header split
	zcrx) rxcmd+=(--rx=zcrx --ifname="$IF_RX" --queue="$RXQ" --hds=0) ;;
	zcrx-huge|zcrx-16k|zcrx-32k|zcrx-64k)
		rxcmd+=(--rx=zcrx --ifname="$IF_RX" --queue="$RXQ" --hds=0
			--area=huge)
		case $path in
		zcrx-huge) ;;
		*) rxcmd+=(--rx_buf_len="${path#zcrx-}") ;;
		esac ;;
	zcrx-devmem)
		rxcmd+=(--rx=zcrx --ifname="$IF_RX" --queue="$RXQ" --hds=0
			--area=dma-heap --heap="$HEAP") ;;
	nodev) rxcmd+=(--rx=zcrx --nodev) ;;
	esac
	case $path in trunc|devmem-bar) ;; *) rxcmd+=(--output-format=json --eta=never) ;; esac
	# -f: fio's job is a child of its main process
	[ -z "$COUNT_TO" ] || rxcmd=(strace -f -qq -o "$COUNT_TO" "${rxcmd[@]}")

	(cd "$OUT" && exec taskset -c $RX_CPU nsenter --net=/run/netns/$ns "${rxcmd[@]}") > "$rx" 2>&1 &
	rxpid=$!
	wait_listen $rxpid "$port" || { wait $rxpid || true; show "$rx"; die "$path run $run: the receiver never listened on port $port"; }
	s0=$(snap)
	taskset -c $TX_CPU nsenter --net=/run/netns/$txns "$FIO" --name=tx \
		--ioengine=net --hostname=$addr --port="$port" --rw=write \
		--bs="$BS" --size="$BYTES" --output-format=json --eta=never \
		> "$tx" 2>&1 &
	txpid=$!
	wait $rxpid || rc=$?
	s1=$(snap)
	wait $txpid || txrc=$?
	((rc == 0 && txrc == 0)) || { show "$rx" "$tx"; die "$path run $run: receiver exit $rc, sender exit $txrc"; }

	# the end of the I/O: trunc's own bench-stat line, or fio's postrun's
	case $path in trunc|devmem-bar) post=$rx ;; esac
	se=$(grep -m1 '^bench-stat:' "$post") ||
		{ show "$rx"; die "$path run $run: no bench-stat line at the end of the I/O"; }
	se=$(stat_of "$se")
	rm -f "$OUT/$path.postrun.txt"
	bytes=$(fio_json "$tx" io_bytes 2)	# the write side's
	[ "$bytes" = "$BYTES" ] || { show "$tx"; die "$path run $run: the sender wrote $bytes bytes, want $BYTES"; }
	if [ "$path" = trunc ]; then
		wall=$(kv "$rx" trunc-recv wall_s)
		task=$(kv "$rx" trunc-recv task_s)
		[ "$(kv "$rx" trunc-recv bytes)" = "$BYTES" ] || { show "$rx"; die "trunc run $run: short"; }
	elif [ "$path" = devmem-bar ]; then
		wall=$(kv "$rx" devmem-recv wall_s)
		task=$(kv "$rx" devmem-recv task_s)
		zc=$(kv "$rx" devmem-recv dmabuf_bytes)
		copied=$(kv "$rx" devmem-recv copied_bytes)
		[ "$(kv "$rx" devmem-recv bytes)" = "$BYTES" ] && [ "$copied" = 0 ] ||
			{ show "$rx"; die "devmem-bar run $run: short, or bytes outside the dma-buf (copied_bytes=$copied)"; }
	else
		[ "$(fio_json "$rx" error)" = 0 ] || { show "$rx"; die "$path run $run: fio error"; }
		# (no process substitution: the guest has no /dev/fd)
		read -r wall task <<< "$(awk -v r="$(fio_json "$rx" job_runtime)" \
			-v u="$(fio_json "$rx" usr_cpu)" -v s="$(fio_json "$rx" sys_cpu)" \
			'BEGIN { printf "%.3f %.6f\n", r / 1e3, (u + s) / 100 * r / 1e3 }')"
	fi
	case $path in
	recv|zcrx|zcrx-*|nodev)
		grep '^zcrx-summary:' "$rx"
		[ "$(kv "$rx" zcrx-summary bytes)" = "$BYTES" ] &&
			[ "$(kv "$rx" zcrx-summary error)" = 0 ] ||
			{ show "$rx"; die "$path run $run: the engine did not receive $BYTES bytes cleanly"; }
		zc=$(kv "$rx" zcrx-summary zc_bytes)
		copied=$(kv "$rx" zcrx-summary copied_bytes)
		if [ "$path" != recv ] && [ "$path" != nodev ]; then
			[ "$(kv "$rx" zcrx-summary stats)" = 1 ] && [ "$copied" = 0 ] ||
				{ show "$rx"; die "$path run $run: zcrx_stats: copied_bytes=$copied (want 0 on the bound queue)"; }
		fi ;;
	esac
	# the span to the end of the I/O and the CPUs' busy time over it; and
	# CPU 1's busy time from there to the receiver's exit (its teardown)
	read -r t0 i00 i10 <<< "$s0"
	read -r te i0e i1e <<< "$se"
	read -r t1 _ i11 <<< "$s1"
	awk -v tag=$tag -v p="$path" -v l=$link -v r="$run" -v b="$bytes" -v w="$wall" \
		-v task="$task" -v span=$((te - t0)) -v i0=$((i0e - i00)) \
		-v i1=$((i1e - i10)) -v down=$(( (t1 - te) - (i11 - i1e) )) \
		-v zc="$zc" -v cp="$copied" -v c=$RX_CPU 'BEGIN {
		printf "%s: path=%s link=%s run=%d bytes=%s wall_s=%.3f span_s=%.6f rx_cpu_s=%.3f rx_task_s=%.3f tx_cpu_s=%.3f teardown_cpu_s=%.3f zc_bytes=%s copied_bytes=%s\n",
			tag, p, l, r, b, w, span / 1e6, (span - i1) / 1e6, task,
			(span - i0) / 1e6, down / 1e6, zc, cp
		gib = b / 1073741824
		printf "  %s %d %-6s %7.3f GiB/s  CPU%d %6.3f s/GiB  task %6.3f s/GiB  (span %.2f s)\n",
			tag == "bench-result" ? "run" : tag == "bench-count" ? "count" : "warm-up", r, p, gib / w, c, (span - i1) / 1e6 / gib, task / gib,
			span / 1e6 }'
	rm -f "$rx" "$tx"
}

# The syscalls of a count run's receiver (strace -f -o FILE): those of
# the thread that accepted the connection, from the accept on (its receive
# loop, the end of the I/O and its teardown; not fio's main process or
# the set-up before the stream). Each call is counted where it starts
# ("<... resumed>" lines continue one). One line:
#   bench-syscalls: path=P bytes=B syscalls=N calls=NAME:N,...
syscalls_of() { # PATH BYTES FILE
	awk -v p="$1" -v b="$2" '
	{ pid = $1; sub(/^[0-9]+ +/, "") }
	/^(\+\+\+|---)/ { next }
	!rx && /^(<\.\.\. )?accept4?[( ]/ && /= [0-9]+$/ {
		rx = pid; n = 1; calls["accept"]++; next }
	rx && pid == rx && !/^<\.\.\./ {
		name = $0; sub(/\(.*/, "", name); calls[name]++; n++ }
	END {
		if (!rx)
			exit 1
		list = ""
		for (c in calls)
			list = list (list == "" ? "" : ",") c ":" calls[c]
		printf "bench-syscalls: path=%s bytes=%s syscalls=%d calls=%s\n", p, b, n, list
	}' "$3"
}

# --- the runs

echo "bench-config: kernel=$(uname -r) cpus=$NCPUS runs=$RUNS warmup=$WARMUP bytes=$BYTES paths=${PATHS// /,} tx_cpu=$TX_CPU rx_cpu=$RX_CPU nsim_dma_cpu=$NSIM_DMA_CPU nsim_softirq_cpu=$NSIM_SOFTIRQ_CPU lo_softirq_cpu=$LO_SOFTIRQ_CPU nsim_mtu=$MTU lo_mtu=$LO_MTU bs=$BS area=$AREA rxq=$RXQ"
echo "bench-setup: netdevsim $IF_TX in $NS_TX ($ADDR_TX, sender) -> $IF_RX in $NS_RX ($ADDR_RX, receiver), tcp-data-split on, hds-thresh 0, flow steered to rx queue $RXQ by an ntuple rule, rx interrupts on CPU $NSIM_SOFTIRQ_CPU; loopback in $NS_LO"
echo "bench-placement: sender fio (net engine, rw=write, bs=$BS) on CPU $TX_CPU; receiver (fio and its job, or zcrx-bench-helper trunc or devmem) on CPU $RX_CPU; this script on CPU $TX_CPU"
echo "bench-caveat: netdevsim's simulated DMA copy runs in the sender's transmit on CPU $NSIM_DMA_CPU (the device's work, which costs a real receiver nothing); the rx queue's interrupt is affine to CPU $NSIM_SOFTIRQ_CPU, so the receive softirq (IP, TCP, the provider's refill) runs there and is in CPU $RX_CPU's busy time; the ACKs are received on CPU $TX_CPU; on loopback the receive softirq runs in the sender's context, on CPU $LO_SOFTIRQ_CPU"
port=5400
for ((run = 1 - WARMUP; run <= RUNS; run++)); do
	for path in $PATHS; do
		one_run "$path" $run $port
		port=$((port + 1))
	done
done
if ((COUNT_BYTES > 0)); then
	echo "bench-count-config: bytes=$COUNT_BYTES tool=strace placement=as-the-runs"
	for path in $PATHS; do
		COUNT_TO=$OUT/$path.strace BYTES=$COUNT_BYTES one_run "$path" 0 $port
		port=$((port + 1))
		syscalls_of "$path" "$COUNT_BYTES" "$OUT/$path.strace" ||
			die "$path: no accepted connection in the receiver's strace output"
		rm -f "$OUT/$path.strace"
	done
fi
echo "zcrx-bench: done, $RUNS runs of $BYTES bytes per path"
