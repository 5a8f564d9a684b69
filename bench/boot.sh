#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a built kernel under QEMU and run test groups in it.
# Usage: boot.sh VARIANT ARCH BOOT CMDLINE GROUP...
#   BOOT: a label for this boot ("default", "legacy", "nvhe", ...)
#   CMDLINE: extra kernel command line, "-" for none
#   GROUP: a list tests/ARCH/GROUP.list of "name [timeout] [args]" lines
# Appends one row per test to $RESULTS (arch variant boot group test status
# seconds detail) and prints each result as it comes.  A guest that does not
# finish in time is killed and its last console lines are shown.
. "$(dirname "$0")/lib.sh"

variant=$1 arch=$2 boot=$3 cmdline=$4
shift 4
groups=("$@")
arch_vars "$arch"
variant_vars "$variant" "$arch"
RESULTS=${RESULTS:-$CACHE/results.tsv}
VERBOSE=${VERBOSE:-0}
DEFAULT_TIMEOUT=180
KST=$TESTOBJ/kselftest/kvm
tag="$arch/$variant/$boot"

# The plan: one "group id timeout command" line per test.
plan=$(mktemp)
total=0 max_tmo=0
for g in "${groups[@]}"; do
	list=$BENCH_ROOT/tests/$arch/$g.list
	[ -f "$list" ] || die "no test list $list"
	while read -r name tmo args; do
		case "$name" in ''|'#'*) continue ;; esac
		[ -n "$tmo" ] || tmo=$DEFAULT_TIMEOUT
		[[ $tmo =~ ^[0-9]+$ ]] || die "$list: '$name': the second field must be a timeout in seconds, not '$tmo'"
		case "$name" in
		/*) bin=${name#/} ;;			# bench's own program (demo)
		*\|*)					# a test the series moved: new|old
		    bin=
		    for alt in ${name//|/ }; do
			[ -x "$KST/$alt" ] && { bin=$alt; break; }
		    done
		    [ -n "$bin" ] || die "$tag: none of $name is built (in $KST)"
		    name=${name%%|*} ;;		# one name on both sides of BASE=1
		*)  bin=$name
		    [ -x "$KST/$name" ] || die "$tag: test $name is not built ($KST/$name)" ;;
		esac
		[ "$tmo" -gt "$max_tmo" ] && max_tmo=$tmo
		id=$name${args:+[$args]}
		id=${id// /_}
		echo "$g $id $tmo ./$bin $args" >>"$plan"
		total=$((total + tmo))
	done <"$list"
done
ntests=$(wc -l <"$plan")
[ "$ntests" -gt 0 ] || { rm -f "$plan"; info "$tag: no tests in ${groups[*]}"; exit 0; }

# initramfs: busybox, /init, the plan and the test binaries it names.
bb=/bin/busybox
if [ "$arch" = arm64 ]; then
	"$BENCH_ROOT/bench/busybox-arm64.sh" || exit 1
	bb=$CACHE/debs/busybox-arm64/bin/busybox
fi
root=$OBJ/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,t,plans}
cp "$bb" "$root/bin/busybox"
for l in sh mount umount cat cut dmesg timeout sync reboot poweroff sleep uname mkdir ls echo; do
	ln -s busybox "$root/bin/$l"
done
cp "$BENCH_ROOT/bench/init.sh" "$root/init"
chmod +x "$root/init"
cp "$plan" "$root/plans/$boot"
rm -f "$plan"
while read -r _ _ _ bin _; do
	bin=${bin#./}
	mkdir -p "$root/t/$(dirname "$bin")"
	if [ -x "$KST/$bin" ]; then cp "$KST/$bin" "$root/t/$bin"
	elif [ -x "$TESTOBJ/bench-bin/$bin" ]; then cp "$TESTOBJ/bench-bin/$bin" "$root/t/$bin"
	else die "$tag: no binary for $bin"; fi
done <"$root/plans/$boot"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$OBJ/initramfs-$boot.cpio" ||
	die "cannot write the initramfs"

# The host's TSC frequency in kHz (its kernel log, else the CPU clock),
# 2 GHz if neither says.
host_tsc_khz() {
	local mhz
	mhz=$(dmesg 2>/dev/null | sed -nE 's/.*tsc: (Refined TSC clocksource calibration|Detected): ([0-9]+)(\.[0-9]+)? MHz.*/\2\3/p' | tail -n 1)
	[ -n "$mhz" ] || mhz=$(awk -F: '/^cpu MHz/ { print $2 + 0; exit }' /proc/cpuinfo 2>/dev/null)
	awk -v m="${mhz:-0}" 'BEGIN { k = int(m * 1000); print (k > 100000 ? k : 2000000) }'
}

case "$arch" in
x86_64)	qemu=(qemu-system-x86_64 -M q35 -cpu max -smp 2 -m "${MEM:-2G}")
	# Under TCG on a loaded host the TSC calibration against the PIT can
	# fail (tinyconfig has no HPET or ACPI PM timer to fall back on); the
	# guest then marks the TSC unstable and KVM has no TSC frequency.  So
	# the guest is told the frequency: under TCG its TSC is the host's,
	# and with a wrong one every time the guest measures is off.
	console="ttyS0 tsc_early_khz=$(host_tsc_khz)" ;;
arm64)	qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max
	      -smp 2 -m "${MEM:-2G}")
	console=ttyAMA0 ;;
esac
append="console=$console panic=-1 quiet bench.plan=$boot"
[ "$cmdline" != - ] && append="$append $cmdline"
limit=${BOOT_TIMEOUT:-$((total + 120))}
log=$LOGDIR/console-$variant-$arch-$boot.log

say "[$tag] booting; $ntests test(s), guest killed after $(fmt_secs $limit)"
info "kernel command line: $append"
t0=$SECONDS
: >"$log"
timeout -k 10 "$limit" "${qemu[@]}" -display none -monitor none -serial stdio -no-reboot \
	-kernel "$OBJ/$KIMAGE" -initrd "$OBJ/initramfs-$boot.cpio" -append "$append" \
	</dev/null >"$log" 2>&1 9>&- &
qpid=$!
# timeout(1) runs in its own process group: an interrupt of ours must
# reach it explicitly.
trap 'kill $qpid 2>/dev/null' EXIT
trap 'kill $qpid 2>/dev/null; exit 130' INT TERM

# Report each test as its end marker appears on the console.
declare -A seen
parse_line() {
	local line=$1 g id rc st detail t0 t1 secs
	case "$line" in
	*"@@BENCH END "*)
		read -r _ _ g id rc t0 t1 <<<"@@BENCH END ${line#*@@BENCH END }"
		rc=${rc#rc=}; t0=${t0#t0=}; t1=${t1#t1=}
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
		detail=
		case "$rc" in
		0) st=pass ;;
		4) st=skip ;;
		137) st=fail; detail="killed after the ${secs}s timeout" ;;
		*) st=fail; detail="exit $rc" ;;
		esac
		seen["$g $id"]=1
		report_program "$g" "$id" "$st" "$secs" "$detail"
		;;
	esac
}

# A program that reports TAP results ("ok N name", "not ok N name",
# "ok N name # SKIP why") counts one result per case, so that a skipped case
# is a skip even when the program exits 0; the program itself counts only
# when it failed without a failing case to show for it (a crash, a timeout)
# or reported no case at all.
report_program() {	# group id status secs detail
	local g=$1 id=$2 st=$3 secs=$4 detail=$5 cases np nf ns label
	cases=$(awk -v want="$g $id" '
		{ sub(/\r$/, "") }
		/^@@BENCH START / { on = ($3 " " $4 == want); next }
		/@@BENCH END / { on = 0; next }
		on && /^(not )?ok [0-9]+ / {
			st = /^not ok/ ? "fail" : "pass"
			num = $0; sub(/^(not )?ok /, "", num); sub(/ .*/, "", num)
			line = $0; sub(/^(not )?ok [0-9]+ /, "", line)
			if (line ~ /# *[Ss][Kk][Ii][Pp]/) st = "skip"
			sub(/ *#.*/, "", line); gsub(/[ \t]+/, "_", line)
			if (line == "") line = "case" num
			print st "\t" line
		}' "$log")
	if [ -z "$cases" ]; then
		report "$g" "$id" "$st" "$secs" "$detail"
		return
	fi
	np=$(grep -c '^pass' <<<"$cases"); nf=$(grep -c '^fail' <<<"$cases")
	ns=$(grep -c '^skip' <<<"$cases")
	if [ "$st" = fail ] || [ "$nf" -gt 0 ]; then label="${R}FAIL${N}"
	elif [ "$np" = 0 ]; then label="${Y}SKIP${N}"
	else label="${G}PASS${N}"; fi
	printf '    %s %-48s %6ss %d cases: %d passed, %d failed, %d skipped%s\n' "$label" \
		"$id" "$secs" $((np + nf + ns)) "$np" "$nf" "$ns" "${detail:+ ($detail)}"
	while IFS=$'\t' read -r cst cname; do
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arch" "$variant" "$boot" "$g" \
			"$id:$cname" "$cst" 0 "" >>"$RESULTS"
	done <<<"$cases"
	if [ "$st" = fail ] && [ "$nf" = 0 ]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arch" "$variant" "$boot" "$g" \
			"$id" fail "$secs" "$detail" >>"$RESULTS"
	fi
}
report() {	# group id status secs detail
	local c
	case "$3" in pass) c=$G ;; skip) c=$Y ;; *) c=$R ;; esac
	printf '    %s%-4s%s %-48s %6ss %s\n' "$c" "${3^^}" "$N" "$2" "$4" "$5" |
		sed 's/  *$//'
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arch" "$variant" "$boot" "$1" "$2" "$3" "$4" "$5" >>"$RESULTS"
}
# Show the subtests of a test from its TAP output: all of them for the
# series' own tests (or V=1), only the failing ones otherwise.
subtests() {
	awk -v want="$1" -v all="$2" '
		{ sub(/\r$/, "") }
		/^@@BENCH START / { on = ($3 " " $4 == want); next }
		/@@BENCH END / { on = 0; next }
		on && /^(not )?ok [0-9]+ / { if (all || /^not ok/ && !/# SKIP/) print "         " $0 }' "$log"
}
report_subs() {
	local id=$1 g=$2
	subtests "$g $id" $([ "$g" != regression ] || [ "$VERBOSE" = 1 ] && echo 1 || echo 0)
}
# The demo's output is what it is run for: print it before its result.
demo_output() {
	awk -v want="$1" '
		{ sub(/\r$/, "") }
		/^@@BENCH START / { on = ($3 " " $4 == want); next }
		/@@BENCH END / { on = 0; next }
		on && NF { print "      | " $0 }' "$log"
}

# Every test prints its end marker within its timeout (the guest kills it
# then), so a console silent for longer than the longest timeout means the
# guest kernel hangs: kill it now rather than at the boot's time limit.
silence=$((max_tmo + 120))
hung=
while :; do
	IFS= read -r -t "$silence" line
	rc=$?
	if [ $rc -gt 128 ]; then
		# timeout(1) may have ended and only wait to be reaped (Z).
		st=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$qpid/stat" 2>/dev/null)
		if [ -n "$st" ] && [ "$st" != Z ]; then
			hung=1
			kill $qpid 2>/dev/null
		fi
		break
	fi
	[ $rc = 0 ] || break
	line=${line%$'\r'}
	# The guest is done: nothing comes after this but its power-off.
	case "$line" in "@@BENCH DONE"*) break ;; esac
	case "$line" in *"@@BENCH END demo "*)
		read -r _ _ g id _ <<<"@@BENCH END ${line#*@@BENCH END }"; demo_output "$g $id" ;;
	esac
	parse_line "$line"
	case "$line" in *"@@BENCH END "*)
		read -r _ _ g id _ <<<"@@BENCH END ${line#*@@BENCH END }"; report_subs "$id" "$g" ;;
	esac
done < <(tail -n +1 -f --pid=$qpid "$log" 2>/dev/null)
wait $qpid
qrc=$?

trap - EXIT INT TERM
elapsed=$((SECONDS - t0))
if ! grep -q '^@@BENCH DONE' "$log"; then
	if [ -n "$hung" ]; then
		why="guest hung: no console output for $(fmt_secs $silence), killed after $(fmt_secs $elapsed)"
	elif [ $qrc = 124 ] || [ $qrc = 137 ]; then
		why="guest hung: killed after $(fmt_secs $elapsed)"
	else
		why="guest stopped early (qemu exit $qrc)"
	fi
	printf '%sboot failed%s [%s]: %s; last console lines:\n' "$R" "$N" "$tag" "$why"
	tail -n 30 "$log" | sed 's/\r$//; s/^/    | /'
	echo "    full console log: $log"
	report boot "boot:$boot" fail "$elapsed" "$why"
else
	why="no result line on the console"
fi
# Every test of the plan that did not report is a failure.
while read -r g id _; do
	[ -n "${seen["$g $id"]}" ] && continue
	report "$g" "$id" fail 0 "not finished: $why"
done <"$root/plans/$boot"

# A kernel that warned, oopsed, found a bug, a leak (kmemleak's report,
# debug kernels), a lockup or a stall fails the boot.  Read the kernel log
# the guest printed, or the whole console if it never got there.
if grep -q '^@@BENCH DMESG-END' "$log"; then
	klog=$(sed -n '/^@@BENCH KMEMLEAK-BEGIN/,/^@@BENCH KMEMLEAK-END/p; /^@@BENCH DMESG-BEGIN/,/^@@BENCH DMESG-END/p' "$log")
else
	klog=$(cat "$log")
fi
bad=$(printf '%s\n' "$klog" | grep -E 'WARNING:|BUG:|Oops|KASAN|UBSAN|possible circular locking|possible recursive locking|INFO: task .* blocked|INFO: rcu|detected stalls|hard LOCKUP|workqueue lockup|unreferenced object|Kernel panic|Call trace:|Call Trace:' | head -5)
if [ -n "$bad" ]; then
	report kernel "kernel-log:$boot" fail 0 "the kernel log reports a problem (see $log)"
	printf '%s\n' "$bad" | sed 's/\r$//; s/^/    | /'
fi
info "[$tag] boot finished in $(fmt_secs $elapsed); console log: $log"
