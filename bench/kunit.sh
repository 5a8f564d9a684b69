#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the series' KUnit suites with tools/testing/kunit/kunit.py under QEMU.
# Usage: kunit.sh ARCH.  tests/ARCH/kunit lists one kunit.py run per line:
# the directory of a .kunitconfig in the kernel tree, then extra kunit.py
# arguments.  Appends a row per test case to $RESULTS.
. "$(dirname "$0")/lib.sh"

arch=$1
arch_vars "$arch"
list=$BENCH_ROOT/tests/$arch/kunit
RESULTS=${RESULTS:-$CACHE/results.tsv}
[ -f "$list" ] || exit 0

n=0
while read -r dir args; do
	case "$dir" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	name=${dir//\//_}
	log=$LOGDIR/kunit-$arch-$name.log
	build=$CACHE/build/kunit-$arch-$name
	# shellcheck disable=SC2086
	# kunit.py asks QEMU for KVM first; this host's /dev/kvm takes the
	# x86 guest but never runs it.  Hide it (in a mount namespace of
	# the run's own) so that QEMU falls back to TCG, as the boots use.
	run() {
		cd "$TREE" && unshare --mount --propagation private \
			sh -c '[ -e /dev/kvm ] && mount --bind /dev/null /dev/kvm; exec "$@"' sh \
			python3 tools/testing/kunit/kunit.py run --arch "$KARCH" \
			${CROSS:+--cross_compile "$CROSS"} --kunitconfig "$dir" \
			--build_dir "$build" --jobs "$JOBS" --timeout 300 $args </dev/null
	}
	t0=$SECONDS
	printf '%s==>%s [%s] KUnit %s (kunit.py, build and boot) ... ' "$B" "$N" "$arch" "$dir"
	run >"$log" 2>&1
	rc=$?
	printf 'exit %d after %s\n' $rc "$(fmt_secs $((SECONDS - t0)))"
	# kunit.py prints "[PASSED] case" (and the parameters of a case above
	# it, indented); count the cases of each suite.
	rows=$(sed 's/\x1b\[[0-9;]*m//g' "$log" |
	       awk -v a="$arch" '
		/^\[[0-9:]+\] =+ \[(PASSED|FAILED|SKIPPED)\] / { next }	# suite lines
		/^\[[0-9:]+\] \[(PASSED|FAILED|SKIPPED)\] / {
			st = $2; gsub(/[][]/, "", st); $1 = ""; $2 = ""
			sub(/^ +/, "")
			s = (st == "PASSED") ? "pass" : (st == "SKIPPED") ? "skip" : "fail"
			printf "%s\tseries\tkunit\tkunit\t%s\t%s\t0\t\n", a, $0, s
		}')
	# No result at all, or kunit.py failed with no failing case to show
	# for it (a build error, a crash): a failure of its own.
	if [ -z "$rows" ] || { [ $rc -ne 0 ] && ! printf '%s\n' "$rows" | grep -q $'\tfail\t'; }; then
		printf '%s\tseries\tkunit\tkunit\t%s\tfail\t0\tkunit.py exit %d, no result (log: %s)\n' \
			"$arch" "$dir" $rc "$log" >>"$RESULTS"
		echo "---- last lines of $log ----"
		tail -n 20 "$log"
	fi
	if [ -n "$rows" ]; then
		printf '%s\n' "$rows" >>"$RESULTS"
		printf '%s\n' "$rows" | awk -F'\t' '{ printf "    %-4s %s\n", toupper($6), $5 }'
	fi
	sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'Testing complete|Ran [0-9]+ tests' | sed 's/^/    /'
done <"$list"
[ $n -gt 0 ] || info "[$arch] no KUnit suites listed"
