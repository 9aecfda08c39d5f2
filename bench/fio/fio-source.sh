#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fio-source.sh: the fio source the zcrx ioengine is built against.
#
# Fetches Debian's source package of the fio that is installed (the same
# version, Debian's patches applied) into "$ZCRX_BUILD/fio-src" and runs
# fio's ./configure there for config-host.h, with the options Debian's
# build gives it. Cached: nothing is done when fio-src already holds the
# installed version, configured.
#
# apt-get source needs a deb-src line. When apt knows no source for the
# installed fio, one is added for bookworm and bookworm-security, in
# /etc/apt/sources.list.d/zcrx-lts-deb-src.sources, and the lists are
# updated (as root; a non-root caller is told what to do).
#
#   bench/fio/fio-source.sh          prints the source directory
#
# Needs: fio (the installed binary), apt, dpkg-dev (dpkg-source), a C
# compiler (configure).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${ZCRX_BUILD:-$ROOT/build}
DEST=$BUILD/fio-src
SRC_LIST=/etc/apt/sources.list.d/zcrx-lts-deb-src.sources

die() {
	echo "fio-source.sh: $*" >&2
	exit 1
}

ver=$(dpkg-query -W -f='${Version}' fio 2>/dev/null) ||
	die "Debian's fio is not installed (apt-get install fio)"
[ -n "$ver" ] || die "Debian's fio is not installed (apt-get install fio)"

stamp=$DEST/.zcrx-fio-version
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver" ] &&
   [ -f "$DEST/config-host.h" ] && [ -f "$DEST/ioengines.h" ]; then
	echo "$DEST"
	exit 0
fi

have_source() {
	apt-cache showsrc fio 2>/dev/null | grep -qx "Version: $ver"
}

if ! have_source; then
	[ "$(id -u)" = 0 ] ||
		die "apt knows no source of fio $ver: add a deb-src line for bookworm and bookworm-security and run apt-get update (or run this as root)"
	# deb-src lines already there (in any form) only need fresh lists.
	if ! grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/; then
		echo "fio-source.sh: adding deb-src for bookworm and bookworm-security in $SRC_LIST" >&2
		cat >"$SRC_LIST" <<'EOF'
# Added by zcrx-lts (bench/fio/fio-source.sh): fio's source package, whose
# headers the fio ioengine is built against.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	fi
	apt-get update -q >&2
	have_source || die "apt still knows no source of fio $ver after apt-get update"
fi

mkdir -p "$BUILD"
tmp=$(mktemp -d "$BUILD/fio-src.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# the source of exactly the installed version, Debian's patches applied
(cd "$tmp" && apt-get source -q --only-source "fio=$ver" >&2) ||
	die "apt-get source fio=$ver failed"
dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'fio-*' | head -n1)
[ -n "$dir" ] && [ -f "$dir/ioengines.h" ] ||
	die "apt-get source fio=$ver gave no fio source tree"

# Debian's configure options (debian/rules), so config-host.h describes
# the fio Debian built as far as the machine's libraries allow. Only the
# CONFIG_ symbols the engine's headers depend on matter (see
# CMakeLists.txt); those do not depend on optional libraries.
(cd "$dir" && ./configure --disable-native --prefix=/usr >"$dir/configure.out" 2>&1) || {
	cat "$dir/configure.out" >&2
	die "fio's ./configure failed"
}
[ -f "$dir/config-host.h" ] || die "fio's ./configure wrote no config-host.h"

rm -rf "$DEST"
mv "$dir" "$DEST"
echo "$ver" >"$stamp"
echo "$DEST"
