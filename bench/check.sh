#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check / make run: everything the bench tests, on the architectures
# in $ARCHES.  Ends with "N passed, N failed, N skipped"; exits non-zero on
# any failure.
#   check.sh check   checkpatch, then per architecture: build the patched
#                    kernel and selftests; then boot each once per line of
#                    tests/ARCH/boots and run that line's test groups
#                    (KUnit in the default boot).
#                    BASE=1 also runs the regression group on plain 7.3 and
#                    shows both side by side.
#                    Then the debug kernels (DEBUG=0 leaves them out): the
#                    series with config/debug.config, booted once per line
#                    of tests/ARCH/debug-boots.
#                    Then the nosw kernels (NOSW=0 leaves them out): the
#                    series without CONFIG_KVM_SW_PROTECTED_VM, booted once
#                    per line of tests/ARCH/nosw-boots.
#                    Then bench/lint.sh (LINT=0 leaves it out), its
#                    walk from the series' builds.
#   check.sh debug   the debug kernels alone (make check-debug).
#   check.sh nosw    the nosw kernels alone (make check-nosw).
#   check.sh lint    checkpatch and bench/lint.sh alone (make lint).
#   check.sh run     build and boot one architecture ($ARCH) and run the
#                    series' own tests and the demo.
. "$(dirname "$0")/lib.sh"

mode=${1:-check}
T0=$SECONDS
take_lock
export RESULTS=$CACHE/results-$mode.tsv
: >"$RESULTS"

# The summary line ends every run, also one that stops early.
summary() {
	local rc=$? p f s
	trap - EXIT
	read -r p f s < <(awk -F'\t' '$2 != "base" && $6 == "pass" { p++ }
				       $2 != "base" && $6 == "fail" { f++ }
				       $2 != "base" && $6 == "skip" { s++ }
				       END { print p + 0, f + 0, s + 0 }' "$RESULTS")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		row - series - setup "$mode" fail 0 "the run stopped early (exit $rc)"
		f=1
	fi
	if [ "$f" -gt 0 ]; then
		say "failures:"
		awk -F'\t' '$2 != "base" && $6 == "fail" { printf "    %s/%s/%s %s %s: %s\n", $1, $2, $3, $4, $5, $8 }' "$RESULTS"
	fi
	# Chance, where tests/ARCH/flaky allows it (docs/flaky.md): told,
	# never counted as a pass or a failure.
	if grep -q $'\tflaky\t' "$RESULTS"; then
		say "flaky (listed 7.3 flakes; both logs kept):"
		awk -F'\t' '$2 != "base" && $6 == "flaky" { printf "    %s/%s/%s %s %s: %s\n", $1, $2, $3, $4, $5, $8 }' "$RESULTS"
	fi
	if [ "${BASE:-0}" = 1 ]; then
		awk -F'\t' '$2 == "base" { n[$6]++ }
			END { printf "    plain 7.3 (not counted below): %d passed, %d failed, %d skipped\n", n["pass"], n["fail"], n["skip"] }' "$RESULTS"
	fi
	if [ -s "$STAGES" ]; then
		say "time per stage:"
		awk -F'\t' '{ printf "    %-34s %s\n", $1, $2 }' "$STAGES"
	fi
	info "results: $RESULTS; logs: $LOGDIR; total time $(fmt_secs $((SECONDS - T0)))"
	echo "$p passed, $f failed, $s skipped"
	[ "$f" = 0 ] && exit 0
	exit 1
}
trap summary EXIT

# timed NAME CMD...: run CMD and note how long it took, for the summary.
STAGES=$CACHE/stages-$mode.tsv
: >"$STAGES"
timed() {
	local name=$1 t0=$SECONDS rc
	shift
	"$@"
	rc=$?
	printf '%s\t%s\n' "$name" "$(fmt_secs $((SECONDS - t0)))" >>"$STAGES"
	return $rc
}

need_space 5
"$BENCH_ROOT/bench/deps.sh" || exit 1
"$BENCH_ROOT/bench/tree.sh" || exit 1
info "base: $(cat "$CACHE/base-version") ($(git -C "$TREE" rev-parse --short=12 "$BASE_TAG")); series: $(git -C "$TREE" rev-list --count "$BASE_TAG"..HEAD) patch(es)"

# checkpatch --strict on every patch: no error, and no warning or check
# unless tests/lint/checkpatch-allow lists its type and the patch's
# changelog says why (matches the pattern given there).
checkpatch() {
	local p out sum e w c st n=0 t types why unexplained
	say "checkpatch --strict on patches/"
	for p in $(series_patches); do
		n=$((n + 1))
		out=$(cd "$TREE" && ./scripts/checkpatch.pl --strict --no-color --show-types "$p" 2>&1)
		sum=$(printf '%s\n' "$out" | grep -E '^total: ' | tail -n 1)
		read -r e w c < <(printf '%s\n' "$sum" | sed -E 's/total: ([0-9]+) errors, ([0-9]+) warnings, ([0-9]+) checks.*/\1 \2 \3/')
		unexplained=
		types=$(printf '%s\n' "$out" | sed -nE 's/^(WARNING|CHECK):([A-Z0-9_]+):.*/\2/p' | sort -u)
		for t in $types; do
			why=$(awk -v t="$t" '$1 == t { $1 = ""; sub(/^ +/, ""); print; exit }' \
				"$BENCH_ROOT/tests/lint/checkpatch-allow")
			# The changelog: after the mail headers, above "---".
			# (grep reads it all: -q would stop sed with SIGPIPE)
			[ -n "$why" ] && sed -n '/^$/,/^---$/p' "$p" | grep -E "$why" >/dev/null &&
				continue
			unexplained="$unexplained $t"
		done
		[[ $w =~ ^[0-9]+$ ]] && [ $((w + c)) -gt 0 ] && [ -z "$types" ] &&
			unexplained=" (warnings of unknown type)"
		if ! [[ $e =~ ^[0-9]+$ ]]; then st=fail; sum="checkpatch gave no summary"
		elif [ "$e" -gt 0 ]; then st=fail
		elif [ -n "$unexplained" ]; then st=fail; sum="$sum; not explained in the changelog:$unexplained"
		else st=pass; fi
		printf '    %-4s %s: %s\n' "${st^^}" "$(basename "$p")" "${sum:-?}"
		[ "$st" = fail ] && printf '%s\n' "$out" | grep -E '^(ERROR|WARNING|CHECK):' -A2 | grep -v '^total:' | head -30 | sed 's/^/         /'
		row - series - checkpatch "$(basename "$p")" "$st" 0 "$sum"
	done
	[ $n = 0 ] && info "patches/ is empty: nothing to check"
}

# boots ARCH [FILE]: the "name | command line | groups" lines of
# tests/ARCH/boots (or FILE), as "name<TAB>command line<TAB>groups".
boots() {
	grep -vE '^\s*(#|$)' "$BENCH_ROOT/tests/$1/${2:-boots}" |
		awk -F'|' '{ for (i = 1; i <= 3; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i)
			     print $1 "\t" ($2 == "" ? "-" : $2) "\t" $3 }'
}

nonempty_groups() {	# arch group...: the groups whose list names a test
	local a=$1 g
	shift
	for g in "$@"; do
		grep -qvE '^\s*(#|$)' "$BENCH_ROOT/tests/$a/$g.list" 2>/dev/null && echo "$g"
	done
}

build_or_record() {	# variant arch
	if ! "$BENCH_ROOT/bench/kernel.sh" "$1" "$2"; then
		row "$2" "$1" - build kernel+selftests fail 0 "build failed (logs in $LOGDIR)"
		return 1
	fi
}

# Plain 7.3's selftests of the compat groups (bench/compat.sh).
compat_or_record() {	# arch
	if ! "$BENCH_ROOT/bench/compat.sh" "$1"; then
		row "$1" series - build compat-selftests fail 0 "build failed (logs in $LOGDIR)"
		return 1
	fi
}

boot_arch() {	# the boots of tests/ARCH/boots
	local a=$1 name cmdline groups
	while IFS=$'\t' read -r name cmdline groups; do
		timed "$a: boot $name" "$BENCH_ROOT/bench/boot.sh" series "$a" "$name" "$cmdline" $groups </dev/null ||
			row "$a" series "$name" boot "$name" fail 0 "boot.sh failed"
	done < <(boots "$a")
}

# variant_arch VARIANT ARCH: the debug kernel (KASAN, lockdep, kmemleak,
# ...) or the nosw kernel (no software-protected VMs), booted once per line
# of tests/ARCH/VARIANT-boots; both run the series' own selftests, built
# with the series kernel, and plain 7.3's (compat).
variant_arch() {
	local v=$1 a=$2 name cmdline groups
	build_or_record series "$a" || return
	groups=$(boots "$a" "$v-boots" | cut -f3)
	if grep -qwE 'compat|compat_legacy' <<<"$groups"; then
		compat_or_record "$a" || return
	fi
	timed "$a: $v build" build_or_record "$v" "$a" || return
	while IFS=$'\t' read -r name cmdline groups; do
		timed "$a: $v boot $name" "$BENCH_ROOT/bench/boot.sh" "$v" "$a" "$name" "$cmdline" $groups </dev/null ||
			row "$a" "$v" "$name" boot "$name" fail 0 "boot.sh failed"
	done < <(boots "$a" "$v-boots")
}

base_arch() {
	local a=$1
	base_tree || { row "$a" base - build worktree fail 0 "git worktree add failed"; return; }
	build_or_record base "$a" || return
	"$BENCH_ROOT/bench/boot.sh" base "$a" default - regression </dev/null ||
		row "$a" base default boot default fail 0 "boot.sh failed"
}

side_by_side() {
	local a
	for a in $ARCHES; do
		say "regression set on $a: plain 7.3 against the series (default boot)"
		awk -F'\t' -v a="$a" '
			$1 == a && $4 == "regression" && ($3 == "default") {
				if (!($5 in seen)) { seen[$5] = 1; order[n++] = $5 }
				st[$2, $5] = toupper($6) " " $7 "s"
			}
			END {
				printf "    %-44s %-14s %-14s\n", "test", "7.3", "7.3+series"
				for (i = 0; i < n; i++) {
					t = order[i]
					printf "    %-44s %-14s %-14s\n", t, \
						((("base", t) in st) ? st["base", t] : "-"), \
						((("series", t) in st) ? st["series", t] : "-")
				}
			}' "$RESULTS"
	done
}

# bench/lint.sh: form, kernel-doc, rst, and each patch built (bisect.sh).
lint() {
	ARCHES=${ARCHES:-x86_64 arm64} "$BENCH_ROOT/bench/lint.sh" </dev/null
	lint_failed $?
}
lint_failed() {	# exit status of lint.sh: a failure without a row gets one
	[ "$1" = 0 ] && return 0
	awk -F'\t' '$4 == "lint" && $6 == "fail" { f = 1 } END { exit !f }' "$RESULTS" ||
		row - series - lint lint.sh fail 0 "lint.sh failed (logs in $LOGDIR)"
}

case "$mode" in
check)
	ARCHES=${ARCHES:-x86_64 arm64}
	timed checkpatch checkpatch
	# Both kernels, then the boots: a failed build skips its own boots only.
	built= sbuilt=
	for a in $ARCHES; do
		timed "$a: build" build_or_record series "$a" || continue
		sbuilt="$sbuilt $a"
		timed "$a: 7.3's compat selftests" compat_or_record "$a" &&
			built="$built $a"
	done
	for a in $built; do boot_arch "$a"; done
	# (An architecture whose series build failed has its failure row.)
	if [ "${DEBUG:-1}" != 0 ]; then
		for a in $sbuilt; do variant_arch debug "$a"; done
	fi
	if [ "${NOSW:-1}" != 0 ]; then
		for a in $sbuilt; do variant_arch nosw "$a"; done
	fi
	if [ "${BASE:-0}" = 1 ]; then
		for a in $ARCHES; do base_arch "$a"; done
		side_by_side
	fi
	# After the boots, not beside them: in the background beside them it saved
	# no time on 2 CPUs, and an arm64 debug boot's vm_types_test ran past
	# its timeout under its load.
	if [ "${LINT:-1}" != 0 ]; then timed lint lint; fi
	;;
lint)
	checkpatch
	# The series' kernels (no-ops when up to date): the walk takes their config.
	for a in ${ARCHES:-x86_64 arm64}; do build_or_record series "$a" || exit 1; done
	lint
	;;
debug|nosw)
	for a in ${ARCHES:-x86_64 arm64}; do variant_arch "$mode" "$a"; done
	;;
run)
	a=$BENCH_ARCH
	[ "$a" = x86 ] && a=x86_64
	arch_vars "$a"
	build_or_record series "$a" || exit 1
	IFS=$'\t' read -r name cmdline _ < <(boots "$a" | head -n 1)
	groups=$(nonempty_groups "$a" series demo)
	if [ -z "$groups" ]; then
		info "the series has no tests of its own yet: running the regression set"
		groups=regression
	fi
	"$BENCH_ROOT/bench/boot.sh" series "$a" "$name" "$cmdline" $groups </dev/null ||
		row "$a" series "$name" boot "$name" fail 0 "boot.sh failed"
	;;
*)	die "unknown mode '$mode'" ;;
esac
