#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of a qemu-system-aarch64 whose TCG models FEAT_NV2 (QEMU
# 9.0 and later), for the arm64 boot with kvm-arm.mode=nested: without it
# KVM in the guest offers no vEL2, and the refusal of vEL2 vCPUs in
# software-protected VMs cannot be tested.  The machine's own QEMU if it is
# recent enough (Debian 13's 10.0 is); else (Debian 12's is 7.2)
# qemu-system-arm of the machine's backports suite, fetched once and
# unpacked into the cache, not installed: every other boot keeps the
# machine's QEMU.  The unpacked one uses the libraries of the installed
# qemu-system-arm (bench/deps.sh).
. "$(dirname "$0")/lib.sh"
. "$BENCH_ROOT/bench/apt.sh"

# recent PATH: is PATH a QEMU of version 9 or later?
recent() {
	local v
	[ -x "$1" ] || return 1
	v=$("$1" --version 2>/dev/null | sed -nE '1s/.*version ([0-9]+)\..*/\1/p')
	[ "${v:-0}" -ge 9 ]
}

bin=$(command -v qemu-system-aarch64 || true)
recent "$bin" && { echo "$bin"; exit 0; }
dir=$CACHE/apt-qemu
out=$CACHE/debs/qemu-nv
bin=$out/usr/bin/qemu-system-aarch64
recent "$bin" && { echo "$bin"; exit 0; }

code=$(. /etc/os-release 2>/dev/null && echo "$VERSION_CODENAME")
uri=$(apt_uri | head -n 1)
[ -n "$code" ] && [ -n "$uri" ] ||
	die "cannot tell the machine's Debian release or archive from /etc/os-release and its apt sources"
mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$CACHE/debs" "$LOGDIR"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $code-backports main" >"$dir/sources.list"
apt_opts "$dir"
log=$LOGDIR/qemu-nv.log
info "fetching qemu-system-arm of $code-backports (FEAT_NV2, for the nested boot; log: $log)" >&2
{ apt-get "${APTOPT[@]}" -q update &&
  (cd "$dir" && rm -f qemu-system-arm_*.deb &&
   apt-get "${APTOPT[@]}" download "qemu-system-arm/$code-backports") &&
  rm -rf "$out" && dpkg -x "$dir"/qemu-system-arm_*.deb "$out"; } >"$log" 2>&1 ||
	die "could not fetch qemu-system-arm from $uri $code-backports (last lines of $log:
$(tail -n 5 "$log"))"
missing=$(ldd "$bin" 2>/dev/null | awk '/not found/ { print $1 }' | tr '\n' ' ')
[ -z "$missing" ] || die "$bin lacks libraries: $missing(install them, or qemu-system-arm from $code-backports)"
recent "$bin" || die "$bin is not QEMU 9.0 or later: $("$bin" --version 2>&1 | head -n 1)"
echo "$bin"
