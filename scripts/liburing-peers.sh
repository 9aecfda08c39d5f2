#!/bin/bash
# SPDX-License-Identifier: MIT
#
# liburing-ext against real liburing releases.
#
#   scripts/liburing-peers.sh build   build each liburing, liburing-ext and
#                                     its tests against it; stage the guest
#                                     tests
#   scripts/liburing-peers.sh test    run the host tests against each
#                                     (builds first what is not built)
#
# The liburings: Debian's (the system one, 2.3) and each release tarball
# in ../shared/peers/liburing/ (ZCRX_PEERS_DIR), built from source into
# $ZCRX_BUILD/peers/VERSION/prefix (skipped when already built from the
# same tarball). Against each, with -Werror: liburing-ext on its own
# (cmake -S liburing-ext, installed into .../ext), its examples, and the
# compatibility tests of test/compat/, which use the installed package
# as a program outside the tree would. The tests are named NAME-VERSION;
# "test" prints them in runtests.sh's format and ends with
# "N passed, N failed, N skipped". "build" also installs, for each release,
# zcrx-upstream-api-VERSION.t and zcrx-compat-regring-VERSION.t (linked
# statically with that liburing and liburing-ext) into the staged test
# directory, $ZCRX_BUILD/stage/opt/zcrx-lts/libexec/zcrx-lts/test, so the
# guest suite runs them. Needs: gcc, make, binutils (nm, objdump), cmake,
# pkg-config, tar, gzip and Debian's liburing-dev.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${ZCRX_BUILD:-$ROOT/build}
PEERS_DIR=${ZCRX_PEERS_DIR:-$ROOT/../shared/peers/liburing}
OUT=$BUILD/peers
STAGE_TESTDIR=$BUILD/stage/opt/zcrx-lts/libexec/zcrx-lts/test
# the tests a release's build puts in the guest suite
GUEST_TESTS=(zcrx-upstream-api zcrx-compat-regring)
JOBS=$(nproc)

say() { echo "liburing-peers: $*"; }
die() { say "$*" >&2; exit 1; }

# Run "$@" with its output in LOG; on failure show the end of it and die.
logged() {
	local log=$1 what=$2
	shift 2
	if ! "$@" >> "$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "$what failed (log: $log)"
	fi
}

# The liburings: "system" and the tarballs, as "NAME TARBALL" lines.
have_peers() {
	compgen -G "$PEERS_DIR/liburing-*.tar.gz" >/dev/null
}

peers() {
	local t v
	echo "system -"
	for t in "$PEERS_DIR"/liburing-*.tar.gz; do
		[ -e "$t" ] || continue
		v=${t##*/liburing-}
		echo "${v%.tar.gz} $t"
	done | sort -V
}

# Build liburing from TARBALL into $dir/prefix, unless built from it already.
build_liburing() {
	local dir=$1 tarball=$2 sum src
	sum=$(sha256sum "$tarball" | cut -d' ' -f1)
	if [ -f "$dir/prefix/.built-from" ] &&
	   [ "$(cat "$dir/prefix/.built-from")" = "$sum" ]; then
		echo "liburing (cached)"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir/src"
	: > "$dir/liburing.log"
	tar xzf "$tarball" -C "$dir/src"
	src=$(echo "$dir"/src/liburing-*)
	(
		cd "$src"
		logged "$dir/liburing.log" "liburing configure" \
			./configure --prefix="$dir/prefix"
		logged "$dir/liburing.log" "liburing build" make -C src -j"$JOBS"
		logged "$dir/liburing.log" "liburing install" make -C src install
		logged "$dir/liburing.log" "liburing.pc" make liburing.pc
		install -D -m 644 liburing.pc "$dir/prefix/lib/pkgconfig/liburing.pc"
	)
	rm -rf "$dir/src"
	echo "$sum" > "$dir/prefix/.built-from"
	echo "liburing built"
}

# Build liburing-ext, its examples and the compat tests for peer NAME.
build_one() {
	local name=$1 tarball=$2 dir=$OUT/$1 how pcpath= n provides
	mkdir -p "$dir"
	if [ "$tarball" = - ]; then
		how="system liburing $(pkg-config --modversion liburing)"
	else
		how=$(build_liburing "$dir" "$tarball")
		pcpath=$dir/prefix/lib/pkgconfig
	fi
	: > "$dir/build.log"
	# only this liburing: PKG_CONFIG_PATH replaced, not extended
	export PKG_CONFIG_PATH=$pcpath
	# configured once; cmake --build configures again when it must
	[ -f "$dir/ext-build/CMakeCache.txt" ] ||
		logged "$dir/build.log" "liburing-ext configure" \
			cmake -S "$ROOT/liburing-ext" -B "$dir/ext-build" \
			-DCMAKE_INSTALL_PREFIX="$dir/ext" -DURING_EXT_WERROR=ON
	logged "$dir/build.log" "liburing-ext build" \
		cmake --build "$dir/ext-build" -j"$JOBS"
	logged "$dir/build.log" "liburing-ext install" \
		cmake --install "$dir/ext-build"
	[ -f "$dir/compat/CMakeCache.txt" ] ||
		logged "$dir/build.log" "compat tests configure" \
			cmake -S "$ROOT/test/compat" -B "$dir/compat" \
			-DCMAKE_PREFIX_PATH="$dir/ext" -DZCRX_COMPAT_NAME="$name"
	logged "$dir/build.log" "compat tests build" \
		cmake --build "$dir/compat" -j"$JOBS"
	unset PKG_CONFIG_PATH
	n=$(find "$dir/compat" -maxdepth 1 -name '*.t' | wc -l)
	provides=$(grep -vc '^#' "$dir/ext-build/provides.txt" || true)
	say "$name: $how; liburing-ext (provides $provides definitions), examples and $n tests built with -Werror"
}

stage_one() {
	local name=$1 t
	[ "$name" = system ] && return	# the main build stages those
	[ -d "$STAGE_TESTDIR" ] || return 0
	for t in "${GUEST_TESTS[@]}"; do
		install -m 755 "$OUT/$name/compat/$t-$name.t" "$STAGE_TESTDIR/"
	done
}

cmd_build() {
	local name tarball
	while read -r name tarball; do
		build_one "$name" "$tarball"
		stage_one "$name"
	done < <(peers)
	if [ -d "$STAGE_TESTDIR" ]; then
		say "staged ${GUEST_TESTS[*]} for each release in $STAGE_TESTDIR"
	fi
}

cmd_test() {
	local name tarball dir tests p=0 f=0 s=0 line rc=0
	while read -r name tarball; do
		dir=$OUT/$name
		[ -d "$dir/compat" ] || build_one "$name" "$tarball"
		mapfile -t tests < <(find "$dir/compat" -maxdepth 1 -name '*.t' | sort)
		while IFS= read -r line; do
			case "$line" in
			Running\ * | Tests:* | Failed:*) ;;
			*\ passed,\ *\ failed,\ *\ skipped)
				set -- $line
				p=$((p + $1)) f=$((f + $3)) s=$((s + $5))
				;;
			*) echo "$line" ;;
			esac
		done < <("$ROOT/test/runtests.sh" -t 300 "${tests[@]}" 2>&1 || true)
	done < <(peers)
	if ! have_peers; then
		# Not an error on a user's machine; CI sets ZCRX_PEERS_DIR and
		# fails without them (.ci/run).
		echo "SKIP  liburing-peers: no liburing release tarballs in $PEERS_DIR (set ZCRX_PEERS_DIR): tested against the system liburing only"
		s=$((s + 1))
	fi
	echo "$p passed, $f failed, $s skipped"
	[ $f = 0 ]
}

case "${1:-}" in
build) cmd_build ;;
test) cmd_test ;;
*) sed -n '4,10s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
