#!/bin/sh
# SPDX-License-Identifier: MIT
#
# abi-check.sh NM OBJDUMP LIBURING_EXT_SO LIBURING_SO SYMBOLS INCLUDEDIR LIBDIR VERSION
#
# zcrx-compat-abi (a test: exit 0 pass, else fail): liburing-ext's ABI has
# not changed by accident.
#  - The SONAME and the dynamic symbols liburing-ext.so exports (nm -D
#    --defined-only: type, name and version) are those SYMBOLS
#    (liburing-ext/liburing-ext.symbols) lists. Lines starting "compat" are
#    liburing's functions liburing-ext defines only for a liburing without
#    them: expected exactly when LIBURING_SO does not export the name.
#  - No symbol is exported by both liburing-ext.so and LIBURING_SO.
#  - VERSION (CMake's, the one place for it) is what the installed
#    <liburing-ext/config.h>, liburing-ext.pc and the man pages say.
set -u
nm=$1 objdump=$2 ext=$3 uring=$4 symbols=$5 incdir=$6 libdir=$7 version=$8

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0
problem() {
	echo "$*"
	bad=1
}

defined() { # SO: "TYPE NAME@@VERSION" of each exported symbol
	"$nm" -D --defined-only "$1" | awk 'NF == 3 { print $2, $3 }' | sort
}

# liburing's exported function names, without versions
defined "$uring" | awk '{ sub(/@.*/, "", $2); print $2 }' | sort -u > "$tmp/uring"

# What SYMBOLS expects of this build
: > "$tmp/want"
compat_node=
while read -r a b c; do
	case "$a" in
	'' | \#*) ;;
	SONAME) want_soname=$b ;;
	compat)
		if [ "$b" = A ]; then
			compat_node=$c
			continue
		fi
		name=${c%%@*}
		grep -qx "$name" "$tmp/uring" || echo "$b $c" >> "$tmp/want"
		;;
	*) echo "$a $b" >> "$tmp/want" ;;
	esac
done < "$symbols"
if [ -n "$compat_node" ] && grep -q "@@$compat_node\$" "$tmp/want"; then
	echo "A $compat_node" >> "$tmp/want"
fi
sort -o "$tmp/want" "$tmp/want"

defined "$ext" > "$tmp/have"
if ! cmp -s "$tmp/want" "$tmp/have"; then
	problem "exported symbols of $ext differ from $symbols (- listed, + exported):"
	diff -u "$tmp/want" "$tmp/have" | sed -n 's/^\([-+][^-+]\)/  \1/p'
fi

soname=$("$objdump" -p "$ext" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "${want_soname:-}" ] ||
	problem "SONAME is $soname, $symbols says ${want_soname:-nothing}"

awk '$1 != "A" { sub(/@.*/, "", $2); print $2 }' "$tmp/have" | sort -u > "$tmp/ext"
both=$(comm -12 "$tmp/ext" "$tmp/uring" | tr '\n' ' ')
[ -z "$both" ] || problem "exported by liburing too: $both"

# The version, wherever it is written
grep -q "^#define LIBURING_EXT_VERSION[[:space:]]*\"$version\"\$" \
	"$incdir/liburing-ext/config.h" ||
	problem "$incdir/liburing-ext/config.h does not say version $version"
grep -qx "Version: $version" "$libdir/pkgconfig/liburing-ext.pc" ||
	problem "$libdir/pkgconfig/liburing-ext.pc does not say version $version"
man=$(dirname "$incdir")/share/man/man3
n=0
for page in "$man"/io_uring_*.3; do
	[ -L "$page" ] && continue
	n=$((n + 1))
	grep -q "^\.TH .*\"liburing-ext-$version\"" "$page" ||
		problem "$page: .TH does not say liburing-ext-$version"
done
[ $n -gt 0 ] || problem "no man pages in $man"

[ $bad = 0 ] || exit 1
echo "$(wc -l < "$tmp/have") exported symbols as listed ($(grep -c "^T .*@@LIBURING_EXT_COMPAT" "$tmp/have") of liburing's names), SONAME $soname, version $version in the header, pkg-config file and $n man pages"
