#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the zcrx-lts kernel from Debian's linux-source-6.12.
#
#   scripts/kernel.sh export                 write the git-am-able series
#   scripts/kernel.sh build [--flavour F]    export, apply, build bzImage
#   scripts/kernel.sh check-series [--flavour F]
#                                            build the tree at every patch
#   scripts/kernel.sh check-configs          build what the series touches
#                                            without NET, and without busy
#                                            polling
#   scripts/kernel.sh dev                    a work tree to change the series in
#   scripts/kernel.sh import                 write its commits back as the series
#   scripts/kernel.sh checkpatch             checkpatch.pl --strict on every patch
#   scripts/kernel.sh info                   print paths and versions
#
# Flow: Debian's tarball is committed once as a baseline in a cache repo
# ($ZCRX_CACHE, default ~/.cache/zcrx-lts). The series in kernel-patches/
# (plus the new files from io_uring/ named in kernel-patches/series) is
# applied there with "git am" and exported with format-patch into
# $ZCRX_BUILD/kernel/series/. The build then applies that exported series,
# again with "git am", to a fresh baseline, so what users get is exactly
# what is built and tested. The resulting tree is copied into the build's
# source directory file by file, touching only files whose content
# changed, so that an edit to one patch rebuilds only what it affects.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${ZCRX_BUILD:-$ROOT/build}
CACHE=${ZCRX_CACHE:-$HOME/.cache/zcrx-lts}
KDIR=$BUILD/kernel
WT=$KDIR/git
SRC=$KDIR/src
DEV=$KDIR/dev
DEV_BRANCH=zcrx-dev
EXPORT=$KDIR/series
TARBALL=${ZCRX_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
PKG=linux-source-6.12
JOBS=${JOBS:-$(nproc)}
IDENT=(-c "user.name=zcrx-lts developers"
       -c "user.email=zcrx-lts@users.noreply.invalid")

die() { echo "kernel.sh: $*" >&2; exit 1; }
note() { echo "kernel.sh: $*" >&2; }
g() { git "${IDENT[@]}" -C "$WT" "$@"; }

pkg_version() {
	dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null ||
		die "$PKG is not installed (run ./zcrx-lts deps)"
}

baseline_tag() {
	# '~' and ':' may not appear in git ref names.
	echo "baseline/$(pkg_version | tr '~:' '__')"
}

check_tested_version() {
	local have tested
	have=$(pkg_version)
	tested=$(grep -v '^#' "$ROOT/kernel-patches/TESTED-ON" | head -n1)
	if dpkg --compare-versions "$have" gt "$tested"; then
		note "WARNING: $PKG $have is newer than $tested, the version this series was last tested on"
	elif [ "$have" != "$tested" ]; then
		note "WARNING: $PKG $have differs from $tested, the version this series was last tested on"
	fi
}

# The cache repository holds one commit per Debian package version.
ensure_baseline() {
	local repo=$CACHE/linux.git tag tmp
	tag=$(baseline_tag)
	[ -f "$TARBALL" ] || die "$TARBALL missing (run ./zcrx-lts deps)"
	mkdir -p "$CACHE"
	if [ ! -d "$repo" ]; then
		git init -q --bare "$repo"
		git -C "$repo" config gc.auto 0
	fi
	if ! git -C "$repo" rev-parse -q --verify "refs/tags/$tag" >/dev/null; then
		note "committing $(basename "$TARBALL") ($(pkg_version)) as $tag"
		tmp=$(mktemp -d "$CACHE/extract.XXXXXX")
		# shellcheck disable=SC2064
		trap "rm -rf '$tmp'" EXIT
		tar -xf "$TARBALL" -C "$tmp"
		# -f: Debian's top-level .gitignore ignores everything.
		(cd "$tmp/$PKG" && GIT_DIR=$repo GIT_WORK_TREE=. \
			 GIT_INDEX_FILE=$tmp/index git add -A -f)
		local tree commit
		tree=$(GIT_DIR=$repo GIT_INDEX_FILE=$tmp/index git write-tree)
		commit=$(GIT_DIR=$repo GIT_AUTHOR_DATE="2024-11-17T00:00:00Z" \
			GIT_COMMITTER_DATE="2024-11-17T00:00:00Z" \
			git "${IDENT[@]}" commit-tree "$tree" \
			-m "Debian $PKG $(pkg_version)")
		git -C "$repo" tag "$tag" "$commit"
		rm -rf "$tmp"
		trap - EXIT
	fi
	if [ ! -d "$WT/.git" ]; then
		rm -rf "$WT"
		git clone -q --shared --no-checkout "$repo" "$WT"
		# Commits made in the dev work tree carry the project's name.
		git -C "$WT" config user.name "zcrx-lts developers"
		git -C "$WT" config user.email "zcrx-lts@users.noreply.invalid"
	fi
	g fetch -q origin "+refs/tags/*:refs/tags/*"
}

# Put the apply worktree back to the pristine baseline.
reset_worktree() {
	[ -d "$WT/.git/rebase-apply" ] && g am --abort >/dev/null 2>&1 || true
	g checkout -q -f --detach "$(baseline_tag)"
	g clean -q -fdx
}

# Parse kernel-patches/series: "PATCH [NEWFILE...]" per line.
series_lines() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$ROOT/kernel-patches/series"
}

# Apply kernel-patches/ and the io_uring/ overlay; one commit per patch.
apply_source_series() {
	local patch files f claimed=()
	while read -r patch files; do
		[ -f "$ROOT/kernel-patches/$patch" ] ||
			die "series names missing patch $patch"
		g am -q "$ROOT/kernel-patches/$patch" ||
			die "$patch does not apply (see $WT)"
		[ -n "$files" ] || continue
		for f in $files; do
			[ -f "$ROOT/$f" ] || die "$patch: new file $f missing"
			mkdir -p "$WT/$(dirname "$f")"
			cp "$ROOT/$f" "$WT/$f"
			g add -f -- "$f"
			claimed+=("$f")
		done
		g commit -q --amend --no-edit
	done < <(series_lines)
	# Every new source file must belong to exactly one patch.
	while read -r f; do
		printf '%s\n' "${claimed[@]}" | grep -qxF "$f" ||
			die "$f is not named by any line of kernel-patches/series"
	done < <(cd "$ROOT" && git ls-files -co --exclude-standard io_uring |
		 grep -v '/\.')
}

cmd_export() {
	ensure_baseline
	check_tested_version
	reset_worktree
	apply_source_series
	rm -rf "$EXPORT"
	mkdir -p "$EXPORT"
	g format-patch -q --no-signature --zero-commit -o "$EXPORT" \
		"$(baseline_tag)..HEAD"
	(cd "$EXPORT" && ls -1 -- *.patch 2>/dev/null || true) > "$EXPORT/series"
	g rev-parse 'HEAD^{tree}' > "$KDIR/export.tree"
	note "exported $(wc -l < "$EXPORT/series") patches to $EXPORT"
}

# Apply the exported series to a pristine baseline; prints the commits.
apply_export() {
	local p
	reset_worktree
	while read -r p; do
		g am -q "$EXPORT/$p" >&2 || die "exported $p does not apply"
		g rev-parse HEAD
	done < "$EXPORT/series"
	[ "$(g rev-parse 'HEAD^{tree}')" = "$(cat "$KDIR/export.tree")" ] ||
		die "exported series does not reproduce the source series"
}

# Make $SRC hold commit $1, rewriting only files whose content changed.
sync_src() {
	local to=$1 from=
	[ -f "$KDIR/src.commit" ] && from=$(cat "$KDIR/src.commit")
	if [ -z "$from" ] || [ ! -d "$SRC" ] ||
	   ! g cat-file -e "$from^{commit}" 2>/dev/null; then
		rm -rf "$SRC" "$KDIR/src.commit"
		mkdir -p "$SRC"
		g archive "$to" | tar -x -m -C "$SRC"
	elif [ "$from" != "$to" ]; then
		local st path changed=()
		while IFS= read -r -d '' st && IFS= read -r -d '' path; do
			rm -f -- "$SRC/$path"
			[ "$st" = D ] || changed+=("$path")
		done < <(g diff --no-renames --name-status -z "$from" "$to")
		if [ ${#changed[@]} -gt 0 ]; then
			g archive "$to" -- "${changed[@]}" | tar -x -m -C "$SRC"
		fi
	fi
	echo "$to" > "$KDIR/src.commit"
}

# Generate .config for flavour $1 when its inputs (the fragments, the
# Kconfig files of the tree in $SRC) changed, then verify it. With $2
# "partial" (a tree at a patch before the end of the series) an option
# whose symbol the tree does not define yet is let go: the patch that
# adds it comes later.
configure() {
	local flavour=$1 partial=${2:-} obj=$KDIR/obj-$1 frag stamp known=
	mkdir -p "$obj"
	frag=$obj/zcrx.fragment
	cat "$ROOT/kernel-patches/config/base.config" \
	    "$ROOT/kernel-patches/config/$flavour.config" > "$frag.new"
	stamp=$( (cat "$frag.new"; g ls-tree -r "$(cat "$KDIR/src.commit")" |
		  grep '/Kconfig') |
		 sha256sum | cut -d' ' -f1)
	if [ -f "$obj/.config" ] && [ "$(cat "$obj/config.stamp" 2>/dev/null)" = "$stamp" ]; then
		rm -f "$frag.new"
		return
	fi
	mv "$frag.new" "$frag"
	make -s -C "$SRC" O="$obj" ARCH=x86_64 KCONFIG_ALLCONFIG="$frag" \
		allnoconfig >/dev/null
	local line sym val bad=0
	[ -z "$partial" ] ||
		known=$(find "$SRC" -name 'Kconfig*' -exec grep -hoE '^(menu)?config [A-Za-z0-9_]+' {} + |
			awk '{ print "CONFIG_" $2 }' | sort -u)
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*}
		val=${line#*=}
		if [ -n "$partial" ] && ! grep -qxF "$sym" <<< "$known"; then
			continue
		fi
		if [ "$val" = n ]; then
			grep -q "^$sym=" "$obj/.config" && { note "$sym is set, wanted n"; bad=1; }
		elif ! grep -qxF "$line" "$obj/.config"; then
			note "$line requested but config has: $(grep "^$sym=\|^# $sym " "$obj/.config" || echo unset)"
			bad=1
		fi
	done < "$frag"
	[ $bad = 0 ] || { rm -f "$obj/.config"; die "$flavour config does not match its fragments"; }
	echo "$stamp" > "$obj/config.stamp"
}

kmake() {
	local obj=$1
	shift
	local cc=gcc
	if command -v ccache >/dev/null; then
		cc="ccache gcc"
		export CCACHE_BASEDIR=$KDIR
		export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
		export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
		export CCACHE_NOHASHDIR=1
	fi
	KBUILD_BUILD_TIMESTAMP=@0 KBUILD_BUILD_USER=zcrx KBUILD_BUILD_HOST=lts \
	make -s -C "$SRC" O="$obj" ARCH=x86_64 CC="$cc" -j"$JOBS" "$@"
}

parse_flavour() {
	FLAVOUR=debug
	while [ $# -gt 0 ]; do
		case "$1" in
		--flavour) FLAVOUR=${2:?}; shift 2 ;;
		--flavour=*) FLAVOUR=${1#*=}; shift ;;
		*) die "unknown argument $1" ;;
		esac
	done
	[ -f "$ROOT/kernel-patches/config/$FLAVOUR.config" ] ||
		die "unknown flavour $FLAVOUR"
}

exec_locked() {
	mkdir -p "$KDIR"
	exec 9>"$KDIR/.lock"
	flock 9
}

cmd_build() {
	parse_flavour "$@"
	exec_locked
	local t0=$SECONDS
	cmd_export
	apply_export >/dev/null
	sync_src "$(g rev-parse HEAD)"
	configure "$FLAVOUR"
	note "building $FLAVOUR kernel"
	kmake "$KDIR/obj-$FLAVOUR" bzImage
	cp "$KDIR/obj-$FLAVOUR/arch/x86/boot/bzImage" "$KDIR/bzImage-$FLAVOUR"
	check_uapi "$KDIR/obj-$FLAVOUR"
	note "$KDIR/bzImage-$FLAVOUR ready ($((SECONDS - t0)) s)"
}

# The series' UAPI headers, installed, must match uapi.md: the host test
# test/uapi-layout.c built against them instead of liburing-ext's.
check_uapi() {
	local obj=$1 hdr=$1/usr-headers
	kmake "$obj" headers_install INSTALL_HDR_PATH="$hdr" >/dev/null
	cc -O2 -Wall -Werror -D_GNU_SOURCE -DZCRX_UAPI_KERNEL -isystem "$hdr/include" \
		-o "$obj/uapi-layout-kernel" \
		"$ROOT/test/uapi-layout.c" "$ROOT/test/helpers.c" ||
		die "test/uapi-layout.c does not build against the series' UAPI"
	"$obj/uapi-layout-kernel" >/dev/null ||
		die "the series' UAPI headers differ from uapi.md (run $obj/uapi-layout-kernel)"
	note "UAPI headers match uapi.md (test/uapi-layout.c)"
}

cmd_check_series() {
	parse_flavour "$@"
	exec_locked
	cmd_export
	local commits c n=0
	commits=$(apply_export)
	for c in $commits; do
		n=$((n + 1))
		note "building patch $n: $(g log -1 --format=%s "$c")"
		sync_src "$c"
		configure "$FLAVOUR" partial
		kmake "$KDIR/obj-$FLAVOUR" bzImage ||
			die "the tree does not build at patch $n"
	done
	note "all $n patches build ($FLAVOUR)"
}

# Configurations the series must build in besides the flavours, which
# both have networking with busy polling: io_uring without networking
# (NET=n: no zcrx, the query and regions still there), and networking
# without NET_RX_BUSY_POLL, which is on unless PREEMPT_RT and NETCONSOLE
# are both set. Only the directories the series changes are compiled.
cmd_check_configs() {
	exec_locked
	cmd_export
	apply_export >/dev/null
	sync_src "$(g rev-parse HEAD)"
	local name obj frag dirs
	for name in no-net no-busy-poll; do
		obj=$KDIR/obj-check-$name
		frag=$obj/zcrx.fragment
		mkdir -p "$obj"
		case $name in
		no-net)
			printf '%s\n' CONFIG_64BIT=y CONFIG_IO_URING=y \
				'# CONFIG_NET is not set' > "$frag"
			dirs="io_uring/" ;;
		no-busy-poll)
			{ cat "$ROOT/kernel-patches/config/base.config"
			  printf '%s\n' CONFIG_EXPERT=y CONFIG_PREEMPT_RT=y \
				CONFIG_NETCONSOLE=y; } > "$frag"
			dirs="io_uring/ net/core/ drivers/net/netdevsim/" ;;
		esac
		make -s -C "$SRC" O="$obj" ARCH=x86_64 KCONFIG_ALLCONFIG="$frag" \
			allnoconfig >/dev/null
		case $name in
		no-net)
			! grep -q '^CONFIG_NET=y' "$obj/.config" &&
			grep -q '^CONFIG_IO_URING=y' "$obj/.config" ;;
		no-busy-poll)
			! grep -q '^CONFIG_NET_RX_BUSY_POLL=y' "$obj/.config" &&
			grep -q '^CONFIG_IO_URING_ZCRX=y' "$obj/.config" ;;
		esac || die "$name: the config is not what it is meant to test"
		note "building $dirs ($name)"
		# shellcheck disable=SC2086 # several directory targets
		kmake "$obj" $dirs || die "the series does not build with $name"
	done
	note "the series builds without NET and without busy polling"
}

# A work tree (branch zcrx-dev) with the series applied, for developers to
# edit and commit in; builds never reset it.
cmd_dev() {
	cmd_export
	if [ -d "$DEV" ]; then
		note "$DEV exists (branch $DEV_BRANCH); remove it to start afresh"
	else
		g worktree prune
		g worktree add -q -B "$DEV_BRANCH" "$DEV" HEAD
		note "$DEV: the series on branch $DEV_BRANCH; commit there, then run import"
	fi
}

# Write baseline..zcrx-dev back to kernel-patches/ and io_uring/: one patch
# per commit; files a commit adds under io_uring/ are taken out of its
# patch, copied to io_uring/ and named on its series line. Such a file
# belongs to that one commit: later commits may not change it.
cmd_import() {
	local base commits c n=0 f files owned=() name series
	[ -d "$DEV" ] || die "no $DEV: run dev first"
	base=$(baseline_tag)
	commits=$(g rev-list --reverse "$base..$DEV_BRANCH")
	series=$(mktemp)
	rm -f "$ROOT"/kernel-patches/*.patch
	find "$ROOT/io_uring" -type f ! -name '.*' -delete
	for c in $commits; do
		n=$((n + 1))
		files=$(g diff-tree --no-commit-id --name-only --diff-filter=A -r "$c" -- io_uring/)
		for f in $(g diff-tree --no-commit-id --name-only -r "$c" -- io_uring/); do
			if printf '%s\n' "${owned[@]}" | grep -qxF "$f"; then
				die "$(g log -1 --format=%s "$c") changes $f, added by an earlier commit: squash it there"
			fi
		done
		local excl=()
		for f in $files; do
			excl+=(":(exclude)$f")
			owned+=("$f")
			mkdir -p "$ROOT/$(dirname "$f")"
			g show "$c:$f" > "$ROOT/$f"
		done
		name=$(g format-patch -1 --no-signature --zero-commit --start-number "$n" \
			-o "$ROOT/kernel-patches" "$c" -- . "${excl[@]}")
		echo "$(basename "$name") $(echo $files)" | sed 's/ *$//' >> "$series"
	done
	{ sed -n '/^#/p' "$ROOT/kernel-patches/series"; cat "$series"; } > "$series.new"
	mv "$series.new" "$ROOT/kernel-patches/series"
	rm -f "$series"
	note "imported $n patches into kernel-patches/"
}

# checkpatch --no-tree asks of any patch that adds a file without touching
# MAINTAINERS whether MAINTAINERS needs updating. Answer it: true when every
# file patch $1 adds is already covered by a section of the tree's
# MAINTAINERS (not only THE REST).
maintained() {
	local f
	grep -q '^+++ b/MAINTAINERS' "$1" && return 1
	while read -r f; do
		(cd "$WT" && scripts/get_maintainer.pl --nogit --nogit-fallback \
			--sections -f "$f" 2>/dev/null) | grep -v '^THE REST' |
			grep -q '^[A-Z]' || return 1
	done < <(awk '/^--- \/dev\/null/ { getline; sub(/^\+\+\+ b\//, ""); print }' "$1")
}

cmd_checkpatch() {
	local p bad=0 ignore
	cmd_export
	while read -r p; do
		ignore=()
		maintained "$EXPORT/$p" && ignore=(--ignore FILE_PATH_CHANGES)
		"$WT/scripts/checkpatch.pl" --strict --no-tree -q "${ignore[@]}" \
			"$EXPORT/$p" || bad=1
	done < "$EXPORT/series"
	[ $bad = 0 ] || die "checkpatch found problems"
	note "checkpatch --strict: $(wc -l < "$EXPORT/series") patches clean"
}

cmd_info() {
	echo "package:  $PKG $(pkg_version) (tested on $(grep -v '^#' "$ROOT/kernel-patches/TESTED-ON"))"
	echo "cache:    $CACHE"
	echo "series:   $EXPORT"
	echo "source:   $SRC"
	echo "kernels:  $KDIR/bzImage-{debug,perf}"
}

case "${1:-}" in
export) shift; exec_locked; cmd_export ;;
build) shift; cmd_build "$@" ;;
check-series) shift; cmd_check_series "$@" ;;
check-configs) shift; cmd_check_configs ;;
dev) shift; exec_locked; cmd_dev ;;
import) shift; exec_locked; cmd_import ;;
checkpatch) shift; exec_locked; cmd_checkpatch ;;
info) cmd_info ;;
*) sed -n '4,16s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
