#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: build the patched kernel and plain 7.3 for $ARCH, boot each
# twice (BENCH_BOOTS), in turns, under QEMU with benchmarks/gmem_bench (one
# static binary, built against the series' uapi headers, which measures
# what the running kernel offers), then each once more for tables 3-5
# with a clock that counts the guest's instructions (QEMU -icount), and
# print the tables of benchmarks/report.py.  The tables are also kept in
# $CACHE/bench-ARCH.txt, and benchmarks/plot.py draws tables 1-3 as SVG
# in $CACHE/plots-ARCH/.  Fails only if something did not build or run; no
# number is judged.
. "$(dirname "$0")/lib.sh"

a=$BENCH_ARCH
[ "$a" = x86 ] && a=x86_64
arch_vars "$a"
T0=$SECONDS
take_lock
need_space 5
"$BENCH_ROOT/bench/deps.sh" || exit 1
"$BENCH_ROOT/bench/tree.sh" || exit 1
base_tree || die "cannot add the plain 7.3 worktree $BASE_TREE"

"$BENCH_ROOT/bench/kernel.sh" series "$a" || exit 1
"$BENCH_ROOT/bench/kernel.sh" base "$a" || exit 1

# One binary for both kernels, so both run the same code.
bin=$CACHE/build/series-$a/bench-bin/gmem-bench
mkdir -p "$(dirname "$bin")" "$CACHE/build/base-$a/bench-bin"
step "[$a] building gmem_bench" "$LOGDIR/gmem-bench-$a.log" \
	"${CROSS}gcc" -static -O2 -Wall -Wextra -Werror -isystem "$CACHE/build/series-$a/usr/include" \
	-o "$bin" "$BENCH_ROOT/benchmarks/gmem_bench.c"
cp "$bin" "$CACHE/build/base-$a/bench-bin/gmem-bench"

export RESULTS=$CACHE/results-bench-$a.tsv
: >"$RESULTS"
# Table 1's 7.3 path holds the range twice plus a copy buffer.
export MEM=${MEM:-3G}
# Each kernel boots twice, in turns, so that the spread also covers what
# differs from one boot to the next (and a slow spell of the host does not
# fall on one kernel only).
BOOTS=${BENCH_BOOTS:-2}
slogs= blogs=
for i in $(seq "$BOOTS"); do
	for v in series base; do
		"$BENCH_ROOT/bench/boot.sh" "$v" "$a" "bench$i" - bench </dev/null || exit 1
	done
	slogs="$slogs${slogs:+,}$LOGDIR/console-series-$a-bench$i.log"
	blogs="$blogs${blogs:+,}$LOGDIR/console-base-$a-bench$i.log"
done
# Tables 3, 4 and 5 once more per kernel, in a boot whose clock counts
# the guest's instructions (bench.icount): their calls and faults cost a
# few thousand instructions each, and on a loaded host the wall-clock
# figures spread by more than the kernels or backings differ.
for v in series base; do
	"$BENCH_ROOT/bench/boot.sh" "$v" "$a" icount bench.icount bench-icount </dev/null || exit 1
done
if awk -F'\t' '$6 == "fail" { bad = 1 } END { exit !bad }' "$RESULTS"; then
	awk -F'\t' '$6 == "fail" { printf "    %s/%s %s: %s\n", $2, $3, $5, $8 }' "$RESULTS"
	die "a benchmark run failed (console logs in $LOGDIR)"
fi

out=$CACHE/bench-$a.txt
python3 "$BENCH_ROOT/benchmarks/report.py" "$a" "$slogs" "$blogs" \
	"$LOGDIR/console-series-$a-icount.log" "$LOGDIR/console-base-$a-icount.log" >"$out" ||
	die "report.py failed"
{
	echo "make bench ARCH=$a, $(date -u '+%Y-%m-%d %H:%M UTC'), host: $(nproc) CPUs," \
	     "$(awk '/MemTotal/ { printf "%d GiB", $2 / 1048576 }' /proc/meminfo)," \
	     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')," \
	     "QEMU $($QEMU --version | head -n 1 | awk '{ print $4 }') (TCG)"
	cat "$out"
} >"$out.tmp" && mv "$out.tmp" "$out"
say "benchmark tables ($out, total time $(fmt_secs $((SECONDS - T0)))):"
cat "$out"
# The tables with a comparison or a trend, drawn (docs/plots/ holds copies
# of the latest ones that docs/benchmarks.md shows).
say "plots of tables 1-3 ($CACHE/plots-$a):"
python3 "$BENCH_ROOT/benchmarks/plot.py" "$a" "$slogs" "$blogs" "$CACHE/plots-$a" ||
	die "plot.py failed"
