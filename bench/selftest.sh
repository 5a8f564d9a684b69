#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-bench: prove that bench/boot.sh's guards fire, on arm64 boots
# of the patched kernel with a flaky list of its own:
#   - a test still running after its timeout is a hung guest: its vCPUs are
#     dumped (PCs resolved), the guest is killed, and the tests it did not
#     finish run in a second boot; the hang, listed, is then "flaky";
#   - a listed test that fails as listed runs once more, and failing again
#     it fails, counted once;
#   - a test that passes is not touched.
# The hang is made by a negative grace in the first boot only
# (GRACE_FIRST=-22: "hung" 8 s into a 30-second timeout) on a test that
# runs for 20 s.
. "$(dirname "$0")/lib.sh"

arch=arm64
"$BENCH_ROOT/bench/deps.sh" && "$BENCH_ROOT/bench/tree.sh" &&
	"$BENCH_ROOT/bench/kernel.sh" series "$arch" >/dev/null || exit 1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/flaky" <<-'EOF'
	test | bench-selftest | kvm_page_table_test | ^killed after | the bench's own check
	hang | bench-selftest | . | - | the bench's own check
	EOF
printf '%s\n' "guest_print_test 30" "guest_memfd_stress_test 30 -s 20" \
	"kvm_page_table_test 1" >"$dir/bench-selftest.list"

# MUTATE=1: once per line of tests/bench-mutations, on a copy of the bench
# with that one line changed; each mutation must make a check fail.
if [ "${MUTATE:-0}" = 1 ]; then
	caught=0 survived=0
	MUTATE=0 "$0" >"$dir/out" 2>&1 ||
		die "the bench fails make check-bench unmutated (see below): fix that first
$(tail -n 12 "$dir/out")"
	while IFS='|' read -r expr what; do
		case "$expr" in ''|'#'*) continue ;; esac
		expr=$(printf '%s' "$expr" | sed 's/^[ \t]*//; s/[ \t]*$//')
		what=$(printf '%s' "$what" | sed 's/^[ \t]*//; s/[ \t]*$//')
		# Only boot.sh changes: a copy of bench/ (boot.sh finds init.sh
		# and lib.sh beside it) run by this very script.
		copy=$dir/copy
		rm -rf "$copy"
		mkdir -p "$copy" && cp -r "$BENCH_ROOT/bench" "$copy/"
		sed -i "$expr" "$copy/bench/boot.sh"
		if cmp -s "$copy/bench/boot.sh" "$BENCH_ROOT/bench/boot.sh"; then
			printf '    %sUNUSED%s %s (the expression matches nothing)\n' "$R" "$N" "$what"
			survived=$((survived + 1)); continue
		fi
		if MUTATE=0 BOOT_SH=$copy/bench/boot.sh "$0" >"$dir/out" 2>&1; then
			printf '    %sSURVIVED%s %s\n' "$R" "$N" "$what"; survived=$((survived + 1))
		else
			printf '    %sCAUGHT%s %s, by: %s\n' "$G" "$N" "$what" \
				"$(grep -E '^    (.\[[0-9;]*m)?FAIL' "$dir/out" | sed -E 's/^ *(.\[[0-9;]*m)?FAIL(.\[[0-9;]*m)? //' | paste -sd';')"
			caught=$((caught + 1))
		fi
	done <"$BENCH_ROOT/tests/bench-mutations"
	echo "$caught passed, $survived failed"
	[ "$survived" = 0 ]
	exit
fi

say "bench/boot.sh's guards, on arm64 boots (about 2 minutes)"
GRACE_FIRST=-22 FLAKY=$dir/flaky RESULTS=$dir/rows.tsv "${BOOT_SH:-$BENCH_ROOT/bench/boot.sh}" series "$arch" \
	bench-selftest - "$dir/bench-selftest.list" </dev/null >"$LOGDIR/bench-selftest.out" 2>&1
log=$LOGDIR/console-series-$arch-bench-selftest

p=0 f=0
expect() {	# what command...
	local what=$1
	shift
	if "$@"; then p=$((p + 1)); printf '    %sPASS%s %s\n' "$G" "$N" "$what"
	else f=$((f + 1)); printf '    %sFAIL%s %s\n' "$R" "$N" "$what"; fi
}
row_is() {	# id status [detail pattern]
	awk -F'\t' -v id="$1" -v st="$2" -v pat="${3:-}" \
		'$5 == id && $6 == st && $8 ~ pat { f = 1 } END { exit !f }' "$dir/rows.tsv"
}
rows_of() {	# id status: how many rows of that test (or its cases) have it
	awk -F'\t' -v id="$1" -v st="$2" '($5 == id || index($5, id ":") == 1) && $6 == st { n++ } END { print n + 0 }' "$dir/rows.tsv"
}
expect "a passing test is reported passed" row_is guest_print_test pass
expect "the stuck test makes the guest a hung one, listed: flaky" \
	row_is "boot:bench-selftest" flaky "still running"
expect "the hung guest's vCPUs are dumped with their symbols" \
	grep -q '^---- symbols of the PCs above' "$log.hang.txt"
expect "its unfinished tests run in a second boot" test -s "$log.retry.log"
expect "which finished" sh -c "! test -e '$log.retry.hang.txt'"
expect "where the stuck test passed" \
	sh -c "[ \$(awk -F'\t' '\$5 ~ /^guest_memfd_stress_test/ && \$6 == \"pass\"' '$dir/rows.tsv' | wc -l) -gt 0 ] && ! awk -F'\t' '\$5 ~ /^guest_memfd_stress_test/ && \$6 == \"fail\" { f = 1 } END { exit !f }' '$dir/rows.tsv'"
expect "a listed test that fails is run once more in a boot of its own" test -s "$log.again.log"
expect "and failing again, fails once" \
	sh -c "[ \$(awk -F'\t' '\$5 == \"kvm_page_table_test\" && \$6 == \"fail\" && \$8 ~ /failed again when run once more/' '$dir/rows.tsv' | wc -l) = 1 ] && [ \$(awk -F'\t' '\$5 ~ /^kvm_page_table_test/ && \$6 != \"fail\"' '$dir/rows.tsv' | wc -l) = 0 ]"
expect "one row says flaky: the hang" sh -c "[ \$(awk -F'\t' '\$6 == \"flaky\"' '$dir/rows.tsv' | wc -l) = 1 ]"
info "boot.sh's output: $LOGDIR/bench-selftest.out"
echo "$p passed, $f failed"
[ "$f" = 0 ]
