#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the bench needs, once.  Usage: deps.sh
. "$(dirname "$0")/lib.sh"

PKGS="make gcc libc6-dev git flex bison bc libelf-dev libssl-dev cpio xz-utils
      rsync perl python3 busybox-static qemu-system-x86 qemu-system-arm
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross util-linux coreutils
      sparse python3-docutils gnuplot-nox"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

[ "$(id -u)" = 0 ] ||
	die "missing Debian packages:$missing; run as root (the bench installs them with apt-get)"
command -v apt-get >/dev/null || die "apt-get not found: the bench needs a Debian machine"

log=$LOGDIR/apt-install.log
say "installing Debian packages:$missing (log: $log)"
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -q && apt-get install -y -q -o DPkg::Lock::Timeout=600 \
	--no-install-recommends $missing; } >"$log" 2>&1 || {
	grep -E '^(E|W):' "$log" | tail -n 5 >&2
	die "apt-get could not install:$missing (reasons above; full log: $log)"
}
