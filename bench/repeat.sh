#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make repeat: run one test many times per boot, over several boots, with
# no retry and no list of known flakes, and count each outcome: the
# evidence behind tests/ARCH/flaky (docs/flaky.md).
#   TEST=name     a test of the KVM selftests (required), as in the lists
#   RUNS=50       runs per boot;  BOOTS=1  boots
#   VARIANT=series (or base: plain 7.3);  ARCH=x86_64 or arm64
#   CMDLINE=...   extra kernel command line (kvm-arm.mode=nvhe, ...)
#   TIMEOUT=120   per run;  LOAD=1  keep every host CPU busy meanwhile
# Two runs of different variants may go side by side (no lock is taken);
# the counts go to $CACHE/repeat/<label>.tsv and a summary to stdout.
. "$(dirname "$0")/lib.sh"

arch=$BENCH_ARCH
[ "$arch" = x86 ] && arch=x86_64
arch_vars "$arch"
test=${TEST:?TEST=name of the test to repeat}
n=${RUNS:-50} boots=${BOOTS:-1} variant=${VARIANT:-series} cmdline=${CMDLINE:--}
[[ $n =~ ^[0-9]+$ && $boots =~ ^[0-9]+$ ]] || die "RUNS and BOOTS must be numbers"

[ "$variant" = base ] && { base_tree || die "cannot make the plain 7.3 worktree"; }
"$BENCH_ROOT/bench/deps.sh" || exit 1
"$BENCH_ROOT/bench/kernel.sh" "$variant" "$arch" || exit 1

# One label per kernel, command line and load: runs of different labels
# may go side by side.
mode=default
[ "$cmdline" != - ] && mode=$(printf '%s' "$cmdline" | sed -E 's/kvm-arm\.mode=//g; s/[^A-Za-z0-9]+/_/g')
label=$(printf '%s-%s-%s-%s%s' "$variant" "$arch" "$mode" "${test//\//_}" \
	"$([ "${LOAD:-0}" = 1 ] && echo -loaded)")
dir=$CACHE/repeat
mkdir -p "$dir"
list=$dir/$label.list
for i in $(seq "$n"); do echo "$test ${TIMEOUT:-120}"; done >"$list"
tsv=$dir/$label.tsv	# boot, run, outcome
: >"$tsv"

load=
[ "${LOAD:-0}" = 1 ] && load_host && load=1

say "repeating $test $n times per boot, $boots boot(s), on $variant/$arch ($cmdline)${load:+, host loaded}"
for b in $(seq "$boots"); do
	res=$(mktemp)
	RETRY=0 RESULTS=$res "$BENCH_ROOT/bench/boot.sh" "$variant" "$arch" "rep$b-$label" "$cmdline" "$list" </dev/null |
		grep -vE '^    (PASS|SKIP) '
	log=$LOGDIR/console-$variant-$arch-rep$b-$label.log
	# One line per run: its outcome, a kernel warning's place, a hang.
	awk -F'\t' -v b="$b" '$4 != "kernel" {
		st = $6; if (st == "fail") st = st " (" $8 ")"
		print b "\t" $5 "\t" st }' "$res" >>"$tsv"
	grep -aoE 'WARNING: [^ ]+:[0-9]+' "$log" | sed "s/^/$b\twarning\t/" >>"$tsv"
	# Keep the logs of a boot with anything but passes.
	[ -f "${log%.log}.hang.txt" ] && cp "${log%.log}.hang.txt" "$dir/$label-boot$b.hang.txt"
	if grep -q $'\tfail' "$res" || grep -q 'WARNING:' "$log"; then
		cp "$log" "$dir/$label-boot$b.console.log"
	fi
	rm -f "$res"
done

say "outcomes of $test on $variant/$arch ($cmdline), all runs in $tsv:"
cut -f3 "$tsv" | sed -E 's/\(exit ([0-9]+)\)/(exit \1)/; s/not finished.*/not finished/' |
	sort | uniq -c | sort -rn | sed 's/^/    /'
