#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build plain 7.3's KVM selftests that tests/ARCH/compat*.list name, from
# the plain 7.3 worktree with 7.3's own uAPI headers, into
# $CACHE/build/compat-ARCH/kselftest/kvm.  A boot whose groups include
# "compat" or "compat_legacy" runs these binaries, unchanged, on the
# series' kernel: what a VMM or a test suite built against 7.3 meets once
# the series is in (docs/bench.md).
# Usage: compat.sh ARCH
. "$(dirname "$0")/lib.sh"

arch=$1
arch_vars "$arch"
base_tree || die "cannot add the plain 7.3 worktree $BASE_TREE"
OBJ=$CACHE/build/compat-$arch
KST=$OBJ/kselftest/kvm

mapfile -t tests < <(cat "$BENCH_ROOT"/tests/"$arch"/compat*.list 2>/dev/null |
	awk '!/^[[:space:]]*(#|$)/ { print $1 }' | sort -u)
[ ${#tests[@]} -gt 0 ] || { info "[$arch] no compat tests listed"; exit 0; }

# The same sources and compiler build the same binaries.
stamp="$(git -C "$BASE_TREE" rev-parse HEAD) $("${CROSS}gcc" --version | head -n 1) ${tests[*]}"
if [ "$(cat "$OBJ/.bench-built" 2>/dev/null)" = "$stamp" ]; then
	info "[$arch] plain 7.3's selftests for the compat groups are built"
	exit 0
fi
rm -f "$OBJ/.bench-built"
mkdir -p "$OBJ"
step "[$arch/compat] installing plain 7.3's uapi headers" "$LOGDIR/headers-compat-$arch.log" \
	make -C "$BASE_TREE" O="$OBJ" ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS} -s headers_install
step "[$arch/compat] building ${#tests[@]} of plain 7.3's KVM selftests" "$LOGDIR/selftests-compat-$arch.log" \
	make -C "$BASE_TREE/tools/testing/selftests/kvm" OUTPUT="$KST" \
	KHDR_INCLUDES="-isystem $OBJ/usr/include" EXTRA_CFLAGS=-static \
	ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS} -j"$JOBS" "${tests[@]/#/$KST/}"
echo "$stamp" >"$OBJ/.bench-built"
