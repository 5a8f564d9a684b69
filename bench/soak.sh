#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make soak: boot the patched kernel over and over as make check does (the
# same lines of tests/ARCH/boots, the same rules for listed flakes), and
# count per boot what passed, failed, was skipped or was flaky: does make
# check still fail by chance?
#   BOOTS=20         how many rounds
#   NAMES="default"  which lines of tests/ARCH/boots (all when empty)
#   ARCH=arm64       x86_64 or arm64;  LOAD=1 keeps every host CPU busy
# Rows of every boot go to $CACHE/soak/ARCH.tsv, one line per boot to
# stdout and a total at the end.
. "$(dirname "$0")/lib.sh"

arch=$BENCH_ARCH
[ "$arch" = x86 ] && arch=x86_64
arch_vars "$arch"
rounds=${BOOTS:-20}
take_lock
"$BENCH_ROOT/bench/deps.sh" || exit 1
"$BENCH_ROOT/bench/tree.sh" || exit 1
"$BENCH_ROOT/bench/kernel.sh" series "$arch" || exit 1

dir=$CACHE/soak
mkdir -p "$dir"
all=$dir/$arch.tsv
: >"$all"
[ "${LOAD:-0}" = 1 ] && load_host

t0=$SECONDS
for r in $(seq "$rounds"); do
	while IFS='|' read -r name cmdline groups; do
		name=$(echo $name) cmdline=$(echo $cmdline)
		[ -n "$NAMES" ] && ! [[ " $NAMES " == *" $name "* ]] && continue
		res=$(mktemp)
		RESULTS=$res "$BENCH_ROOT/bench/boot.sh" series "$arch" "$name" "${cmdline:--}" $groups \
			</dev/null >"$LOGDIR/soak-$arch-$name.out" 2>&1 ||
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arch" series "$name" boot "$name" fail 0 \
				"boot.sh failed" >>"$res"
		# Keep the logs of a boot that had anything but passes and skips.
		if grep -qE $'\t(fail|flaky)\t' "$res"; then
			for f in "$LOGDIR/console-series-$arch-$name".*; do
				cp "$f" "$dir/round$r-$(basename "$f")"
			done
			cp "$LOGDIR/soak-$arch-$name.out" "$dir/round$r-$name.out"
		fi
		sed "s/^/$r\t/" "$res" >>"$all"
		awk -F'\t' -v r="$r" -v n="$name" -v t="$((SECONDS - t0))" '
			{ c[$6]++ } $6 == "fail" || $6 == "flaky" { w = w "\n        " $6 ": " $5 " " $8 }
			END { printf "    round %d %-10s %4d passed, %d failed, %d skipped, %d flaky (%ds)%s\n",
				r, n, c["pass"], c["fail"], c["skip"], c["flaky"], t, w }' "$res"
		rm -f "$res"
	done < <(grep -vE '^\s*(#|$)' "$BENCH_ROOT/tests/$arch/boots")
done
say "soak of $rounds round(s) on $arch: rows in $all"
awk -F'\t' '{ c[$7]++ } END { printf "%d passed, %d failed, %d skipped, %d flaky\n", c["pass"], c["fail"], c["skip"], c["flaky"] }' "$all"
