#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a QEMU whose TCG models FEAT_NV2 (QEMU 9.0 and later), for the arm64
# boot with kvm-arm.mode=nested: Debian 12's QEMU 7.2 has no nested
# virtualization, so KVM in its guest offers no vEL2 and the refusal of vEL2
# vCPUs in software-protected VMs could not be tested.  qemu-system-arm of
# the machine's own backports suite is unpacked into the cache, not
# installed: every other boot keeps the machine's QEMU.  It uses the
# libraries of the installed qemu-system-arm (bench/deps.sh).  Prints the
# path of its qemu-system-aarch64.
. "$(dirname "$0")/lib.sh"
. "$BENCH_ROOT/bench/apt.sh"

dir=$CACHE/apt-qemu
out=$CACHE/debs/qemu-nv
bin=$out/usr/bin/qemu-system-aarch64
ok() {
	local v
	[ -x "$bin" ] || return 1
	v=$("$bin" --version | sed -nE '1s/.*version ([0-9]+)\..*/\1/p')
	[ "${v:-0}" -ge 9 ]
}
ok && { echo "$bin"; exit 0; }

code=$(. /etc/os-release 2>/dev/null && echo "$VERSION_CODENAME")
uri=$(apt_uri | head -n 1)
[ -n "$code" ] && [ -n "$uri" ] || die "cannot tell the machine's Debian release or archive from /etc/os-release and its apt sources"
mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$CACHE/debs"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $code-backports main" >"$dir/sources.list"
opt=(-o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o Dir::State::Lists="$dir/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
     -o Dir::Cache::Archives="$dir/archives" -o APT::Get::List-Cleanup=0)
get() {
	apt-get "${opt[@]}" -q update &&
	(cd "$dir" && rm -f qemu-system-arm_*.deb &&
	 apt-get "${opt[@]}" download "qemu-system-arm/$code-backports") &&
	rm -rf "$out" && dpkg -x "$dir"/qemu-system-arm_*.deb "$out"
}
step "fetching qemu-system-arm of $code-backports (FEAT_NV2 for the nested boot)" \
	"$LOGDIR/qemu-nv.log" get >&2 ||
	die "could not fetch qemu-system-arm from $uri $code-backports (log: $LOGDIR/qemu-nv.log)"
missing=$(ldd "$bin" 2>/dev/null | awk '/not found/ { print $1 }' | tr '\n' ' ')
[ -z "$missing" ] || die "$bin lacks libraries: $missing(install them, or qemu-system-arm from $code-backports)"
ok || die "$bin is not QEMU 9.0 or later: $("$bin" --version | head -n 1)"
echo "$bin"
