#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch the newest Debian linux-source-7.3 package through the machine's own
# apt archive and turn it into a git tree with one base commit, tagged
# base-7.3.  Idempotent: does nothing when the tree already exists.
. "$(dirname "$0")/lib.sh"
. "$BENCH_ROOT/bench/apt.sh"

PKG=linux-source-7.3
SUITES="trixie-backports experimental sid"
APTDIR=$CACHE/apt
DEBDIR=$CACHE/debs

if [ -d "$TREE/.git" ]; then
	git -C "$TREE" rev-parse -q --verify "$BASE_TAG" >/dev/null && exit 0
	die "$TREE is a git tree without the tag $BASE_TAG: not made by the bench, or broken;
       move it away (it may hold work) and run again"
fi

apt_opts "$APTDIR"

find_deb() {
	local uri s ver v best=
	uri=$(apt_uri | head -n 1)
	[ -n "$uri" ] || die "no Debian archive URI found in /etc/apt/sources.list{,.d}"
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/archives/partial" "$DEBDIR"
	: >"$APTDIR/sources.list"
	for s in $SUITES; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $s main" >>"$APTDIR/sources.list"
	done
	if ! apt-get "${APTOPT[@]}" -q update >"$LOGDIR/apt-base-update.log" 2>&1 ||
	   grep -qE '^(E:|W: Failed to fetch)' "$LOGDIR/apt-base-update.log"; then
		grep -E '^(E|W):' "$LOGDIR/apt-base-update.log" | tail -n 5 >&2
		die "apt-get update of $SUITES from $uri failed (reasons above; log: $LOGDIR/apt-base-update.log)"
	fi
	for v in $(apt-cache "${APTOPT[@]}" madison "$PKG" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }'); do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done
	[ -n "$best" ] || die "package $PKG not found in $SUITES of the machine's archive"
	echo "$best"
}

deb=$(ls "$DEBDIR"/${PKG}_*_all.deb 2>/dev/null | sort -V | tail -n 1)
if [ -z "$deb" ]; then
	say "looking up the newest $PKG in the machine's Debian archive"
	ver=$(find_deb) || exit 1
	info "newest: $PKG $ver"
	need_space 15
	download() { cd "$DEBDIR" && apt-get "${APTOPT[@]}" download "$PKG=$ver"; }
	step "downloading $PKG $ver" "$LOGDIR/apt-base-download.log" download
	deb=$(ls "$DEBDIR"/${PKG}_*_all.deb | sort -V | tail -n 1)
fi
ver=$(dpkg-deb -f "$deb" Version)

extract() {
	local tmp=$CACHE/linux.tmp
	need_space 4
	rm -rf "$tmp" "$BASE_TREE"
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/$PKG.tar.xz | tar -xJ -C "$tmp" || return 1
	mv "$tmp/$PKG" "$TREE" && rmdir "$tmp"
	cd "$TREE" || return 1
	# Debian appends "ignore everything at the top level" to .gitignore for
	# its packaging repository; drop it so the tree behaves like an
	# upstream checkout (new files show up in git status).
	python3 - <<'PY' || return 1
import re
s = open('.gitignore').read()
s2 = re.sub(r'\n#\n# Debian packaging:.*\Z', '\n', s, flags=re.S)
open('.gitignore', 'w').write(s2)
PY
	git init -q -b series . &&
	git config gc.auto 0 &&
	git add -A &&
	# The .gitignore edit above must not have hidden the sources.
	[ "$(git ls-files Makefile virt/kvm/guest_memfd.c | wc -l)" = 2 ] &&
	# Fixed identity and dates: the same package always gives the same
	# base commit id, so base-commit: lines in patches/ stay valid.
	GIT_AUTHOR_NAME="Debian linux-source" GIT_AUTHOR_EMAIL="debian-kernel@lists.debian.org" \
	GIT_COMMITTER_NAME="Debian linux-source" GIT_COMMITTER_EMAIL="debian-kernel@lists.debian.org" \
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z" \
	git commit -q -m "Linux $(make -s kernelversion) from Debian $PKG $ver" \
		-m "Base tree of the series: /usr/src/$PKG.tar.xz of the Debian package
$PKG $ver, with the Debian packaging rule at the end of .gitignore
(ignore everything at the top level) removed." &&
	git tag "$BASE_TAG" &&
	echo "$PKG $ver" >"$CACHE/base-version"
}
step "extracting $PKG $ver into a git tree at $TREE" "$LOGDIR/base-extract.log" extract
info "base: $(cat "$CACHE/base-version"), commit $(git -C "$TREE" rev-parse --short=12 "$BASE_TAG")"
