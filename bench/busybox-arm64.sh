#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's arm64 busybox-static for the arm64 initramfs (once).
. "$(dirname "$0")/lib.sh"

out=$CACHE/debs/busybox-arm64
[ -x "$out/bin/busybox" ] && exit 0
dir=$CACHE/apt-arm64
mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$CACHE/debs"
opt=(-o APT::Architecture=arm64 -o APT::Architectures=arm64 -o Dir::State::Lists="$dir/lists"
     -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Dir::Cache::Archives="$dir/archives")
get() {
	apt-get "${opt[@]}" -q update &&
	(cd "$CACHE/debs" && rm -f busybox-static_*_arm64.deb && apt-get "${opt[@]}" download busybox-static:arm64) &&
	rm -rf "$out" && dpkg -x "$CACHE"/debs/busybox-static_*_arm64.deb "$out"
}
step "fetching Debian's arm64 busybox-static" "$LOGDIR/busybox-arm64.log" get
[ -x "$out/bin/busybox" ] || die "no busybox in the arm64 busybox-static package"
