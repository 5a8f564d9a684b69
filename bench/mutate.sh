#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Replay one kernel mutation of tests/kernel-mutations: apply it to the
# kernel tree, rebuild the series kernel of its architecture, boot it with
# its test group, and report "caught" if the named test failed, "survived"
# if it passed.  The tree is restored (git checkout of the file) and the
# kernel rebuilt whatever happens.
# Usage: mutate.sh N       one entry
#        mutate.sh         every entry (make mutate; MUTATIONS="N ..." for
#                          some), then a table of the outcomes and the time
. "$(dirname "$0")/lib.sh"

if [ $# = 0 ]; then
	entries=$(grep -cvE '^\s*(#|$)' "$BENCH_ROOT/tests/kernel-mutations")
	t0=$SECONDS
	out=$(mktemp)
	survived=0
	# Each entry restores the tree; the next one's build starts from it,
	# so the unmutated kernels are rebuilt once, at the end.
	export MUTATE_NO_REBUILD=1
	for n in ${MUTATIONS:-$(seq 1 "$entries")}; do
		t=$SECONDS
		"$0" "$n" | tee "$out.$n"
		st=${PIPESTATUS[0]}
		last=$(grep "^==> mutation $n: " "$out.$n" | tail -n 1 | sed "s/^==> mutation $n: //")
		[ "$st" = 0 ] || survived=$((survived + 1))
		printf '%s\t%s\t%s\n' "$n" "$(fmt_secs $((SECONDS - t)))" "${last:-no result (exit $st)}" >>"$out"
		rm -f "$out.$n"
	done
	for a in x86_64 arm64; do
		"$BENCH_ROOT/bench/kernel.sh" series "$a" >/dev/null ||
			echo "warning: rebuilding the unmutated $a kernel failed" >&2
	done
	say "kernel mutations (tests/kernel-mutations), $(fmt_secs $((SECONDS - t0))) in all:"
	awk -F'\t' '{ printf "    %3s  %-7s %s\n", $1, $2, $3 }' "$out"
	rm -f "$out"
	[ "$survived" = 0 ] || { say "$survived mutation(s) not caught"; exit 1; }
	exit 0
fi

n=$1
[[ $n =~ ^[0-9]+$ ]] || die "usage: mutate.sh N (an entry of tests/kernel-mutations)"
line=$(grep -vE '^\s*(#|$)' "$BENCH_ROOT/tests/kernel-mutations" | sed -n "${n}p")
[ -n "$line" ] || die "no mutation $n in tests/kernel-mutations"
# The fields are split at " ~ " only: an expression may hold a "~" (C's
# complement) of its own.
sep=$'\x1f'
IFS=$sep read -r file arch boot group test expr what extra <<<"${line// ~ /$sep}"
[ -n "$what" ] && [ -z "$extra" ] ||
	die "mutation $n: not 7 fields separated by \" ~ \": $line"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "the kernel tree has uncommitted changes: commit or stash them first"

restore() {
	git -C "$TREE" checkout -q -- "$file"
	[ -n "${MUTATE_NO_REBUILD:-}" ] ||
		"$BENCH_ROOT/bench/kernel.sh" series "$arch" >/dev/null ||
		echo "warning: rebuilding the unmutated $arch kernel failed" >&2
}
trap restore EXIT

sed -i -e "$expr" "$TREE/$file"
git -C "$TREE" diff --quiet -- "$file" && die "mutation $n changes nothing in $file (stale expression?)"
say "mutation $n: $what"
git -C "$TREE" diff -U0 -- "$file" | grep '^[-+][^-+]' | sed 's/^/    /'
"$BENCH_ROOT/bench/kernel.sh" series "$arch" || die "the mutated kernel does not build"
cmdline=$(awk -F'|' -v b="$boot" '{ gsub(/^ +| +$/, "", $1); gsub(/^ +| +$/, "", $2) }
	$1 == b { print ($2 == "" ? "-" : $2) }' "$BENCH_ROOT/tests/$arch/boots")
[ -n "$cmdline" ] || die "no boot '$boot' in tests/$arch/boots"
RESULTS=$(mktemp)
export RESULTS
RETRY=0 "$BENCH_ROOT/bench/boot.sh" series "$arch" "$boot" "$cmdline" "$group" >/dev/null
# The test's own row, or one per case ("test:case") for TAP programs; a
# test run with arguments is "test[args]".
mine='$5 == t || index($5, t ":") == 1 || index($5, t "[") == 1'
failed=$(awk -F'\t' -v t="$test" "($mine) && \$6 == \"fail\" { print \$5 }" "$RESULTS")
seen=$(awk -F'\t' -v t="$test" "$mine" "$RESULTS" | wc -l)
rm -f "$RESULTS"
if [ -n "$failed" ]; then
	say "mutation $n: caught by $(echo $failed)"
elif [ "$seen" -gt 0 ]; then
	say "mutation $n: SURVIVED ($test passed or skipped)"; exit 1
else
	say "mutation $n: no result for $test"; exit 1
fi
