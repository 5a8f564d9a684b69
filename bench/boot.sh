#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a built kernel under QEMU and run test groups in it.
# Usage: boot.sh VARIANT ARCH BOOT CMDLINE GROUP...
#   BOOT: a label for this boot ("default", "legacy", "nvhe", ...)
#   CMDLINE: extra kernel command line, "-" for none
#   GROUP: a list tests/ARCH/GROUP.list of "name [timeout] [args]" lines
#          (or the path of such a list, for bench/repeat.sh), or "kunit":
#          the KUnit suites built into the kernel (config/series.config)
#          run at boot (kunit.enable=1), one result per case.  The tests of
#          the groups "compat" and "compat_legacy" are plain 7.3's
#          binaries (bench/compat.sh), run unchanged on this kernel.
# Appends one row per test to $RESULTS (arch variant boot group test status
# seconds detail) and prints each result as it comes.
#
# Chance is kept out of the answer (docs/flaky.md), and only as far as
# tests/ARCH/flaky allows:
# - a guest that stops making progress (no heartbeat from its /init for
#   $HANG_SECS) is killed at once, its vCPU state is dumped through the QEMU
#   monitor, and the tests it had not finished run again in a second boot;
#   the hang fails the run unless the flaky list names it for this boot;
# - a test that fails and is listed there runs once more in a boot of its
#   own; if it passes then, it is reported "flaky" with both logs kept;
# - a kernel log warning is a failure unless listed there, where it is
#   reported "flaky" with its log.
# RETRY=0 turns all three off (bench/repeat.sh counts raw outcomes).
. "$(dirname "$0")/lib.sh"

variant=$1 arch=$2 boot=$3 cmdline=$4
shift 4
groups=("$@")
arch_vars "$arch"
variant_vars "$variant" "$arch"
RESULTS=${RESULTS:-$CACHE/results.tsv}
VERBOSE=${VERBOSE:-0}
RETRY=${RETRY:-1}
DEFAULT_TIMEOUT=180
# /init prints a heartbeat every 20 s; before it runs (kernel boot) the
# console may be silent for longer, on the debug kernels most of all.
HANG_SECS=${HANG_SECS:-150}
BOOT_SILENCE=${BOOT_SILENCE:-420}
GRACE=${GRACE:-60}
ATTEMPT=0	# GRACE_FIRST: the grace of the first boot alone (make check-bench)
KST=$TESTOBJ/kselftest/kvm
# Plain 7.3's selftests, for the compat groups; in the guest under t/7.3/.
KST73=$CACHE/build/compat-$arch/kselftest/kvm
tag="$arch/$variant/$boot"
FLAKY=${FLAKY:-$BENCH_ROOT/tests/$arch/flaky}

# The plan: one "group id timeout command" line per test.  A test named
# twice in a group gets "#2", "#3", ... after its id.
plan=$(mktemp)
declare -A times
KUNIT=
for g in "${groups[@]}"; do
	case "$g" in
	kunit) KUNIT=1; continue ;;
	*/*) list=$g; g=$(basename "$g" .list) ;;
	*)   list=$BENCH_ROOT/tests/$arch/$g.list ;;
	esac
	[ -f "$list" ] || die "no test list $list"
	while read -r name tmo args; do
		case "$name" in ''|'#'*) continue ;; esac
		[ -n "$tmo" ] || tmo=$DEFAULT_TIMEOUT
		[[ $tmo =~ ^[0-9]+$ ]] || die "$list: '$name': the second field must be a timeout in seconds, not '$tmo'"
		case "$g:$name" in
		compat*:*)				# plain 7.3's binary
		    bin=7.3/$name
		    [ -x "$KST73/$name" ] || die "$tag: plain 7.3's $name is not built ($KST73; bench/compat.sh $arch)" ;;
		*:/*) bin=${name#/} ;;			# bench's own program (demo)
		*:*\|*)				# a test the series moved: new|old
		    bin=
		    for alt in ${name//|/ }; do
			[ -x "$KST/$alt" ] && { bin=$alt; break; }
		    done
		    [ -n "$bin" ] || die "$tag: none of $name is built (in $KST)"
		    name=${name%%|*} ;;		# one name on both sides of BASE=1
		*)  bin=$name
		    [ -x "$KST/$name" ] || die "$tag: test $name is not built ($KST/$name)" ;;
		esac
		id=$name${args:+[$args]}
		id=${id// /_}
		times[$g $id]=$((${times[$g $id]:-0} + 1))
		[ "${times[$g $id]}" -gt 1 ] && id="$id#${times[$g $id]}"
		echo "$g $id $tmo ./$bin $args" >>"$plan"
	done <"$list"
done
ntests=$(wc -l <"$plan")
[ "$ntests" -gt 0 ] || [ -n "$KUNIT" ] || { rm -f "$plan"; info "$tag: no tests in ${groups[*]}"; exit 0; }

bb=/bin/busybox
if [ "$arch" = arm64 ]; then
	"$BENCH_ROOT/bench/busybox-arm64.sh" || exit 1
	bb=$CACHE/debs/busybox-arm64/bin/busybox
fi

# make_initramfs PLAN CPIO: busybox, /init, the plan and the test binaries
# it names.
make_initramfs() {
	local root=$OBJ/initramfs-$boot bin
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,t,plans}
	cp "$bb" "$root/bin/busybox"
	for l in sh mount umount cat cut dmesg timeout sync reboot poweroff sleep uname mkdir ls echo; do
		ln -s busybox "$root/bin/$l"
	done
	cp "$BENCH_ROOT/bench/init.sh" "$root/init"
	chmod +x "$root/init"
	cp "$1" "$root/plans/$boot"
	while read -r _ _ _ bin _; do
		bin=${bin#./}
		mkdir -p "$root/t/$(dirname "$bin")"
		if [ "${bin#7.3/}" != "$bin" ]; then cp "$KST73/${bin#7.3/}" "$root/t/$bin"
		elif [ -x "$KST/$bin" ]; then cp "$KST/$bin" "$root/t/$bin"
		elif [ -x "$TESTOBJ/bench-bin/$bin" ]; then cp "$TESTOBJ/bench-bin/$bin" "$root/t/$bin"
		else die "$tag: no binary for $bin"; fi
	done <"$1"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$2" ||
		die "cannot write the initramfs"
	rm -rf "$root"
}

# The host's TSC frequency in kHz (its kernel log, else the CPU clock),
# 2 GHz if neither says.
host_tsc_khz() {
	local mhz
	mhz=$(dmesg 2>/dev/null | sed -nE 's/.*tsc: (Refined TSC clocksource calibration|Detected): ([0-9]+)(\.[0-9]+)? MHz.*/\2\3/p' | tail -n 1)
	[ -n "$mhz" ] || mhz=$(awk -F: '/^cpu MHz/ { print $2 + 0; exit }' /proc/cpuinfo 2>/dev/null)
	awk -v m="${mhz:-0}" 'BEGIN { k = int(m * 1000); print (k > 100000 ? k : 2000000) }'
}

# bench.icount on a boot's line: QEMU's virtual clock counts the guest's
# instructions, one nanosecond each (-icount shift=0); it does not follow
# the host's clock, and while every vCPU idles it jumps to the next timer
# (sleep=off), so a stretch the guest sleeps through counts as the time
# slept.  The count is one for all vCPUs, which QEMU runs in one thread
# (it refuses a thread per vCPU with -icount).  Times the guest measures
# over busy stretches are then instruction counts that the host's load
# hardly changes: make bench's boots for tables 3-5.  Such a guest's
# clock runs at about a third of the wall clock here, and its heartbeat
# comes as much less often.
icount=
case " $cmdline " in
*" bench.icount "*)
	icount=1
	TCG_THREAD=single
	HANG_SECS=$((HANG_SECS * 3)) ;;
esac

case "$arch" in
x86_64)	# The guest (no ACPI) finds its CPUs in SeaBIOS's MP table, which
	# lists the first CPU of each socket only: with -smp 2 it brings up
	# one CPU, with sockets=2 both.  Both only where the boot asks for them
	# (bench.smp=2): with two CPUs in every boot, guest_memfd_stress_test
	# once did not return from its flip race (docs/flaky.md).
	smp=2
	case " $cmdline " in *" bench.smp=2 "*) smp=2,sockets=2 ;; esac
	case " $cmdline " in *" bench.cpu="*)
		die "bench.cpu= is for arm64 boots: x86_64 guests run QEMU's \"max\" CPU" ;;
	esac
	qemu=(qemu-system-x86_64 -M q35 -cpu max -smp "$smp" -m "${MEM:-2G}"
	      ${TCG_THREAD:+-accel tcg,thread=$TCG_THREAD})
	# Under TCG on a loaded host the TSC calibration against the PIT can
	# fail (tinyconfig has no HPET or ACPI PM timer to fall back on); the
	# guest then marks the TSC unstable and KVM has no TSC frequency.  So
	# the guest is told the frequency: under TCG its TSC is the host's,
	# and with a wrong one every time the guest measures is off.
	tsc_khz=$(host_tsc_khz)
	# Under -icount (bench.icount) the TSC counts the virtual clock's
	# nanoseconds: 1 GHz.
	[ -n "$icount" ] && tsc_khz=1000000
	console="ttyS0 tsc_early_khz=$tsc_khz" ;;
arm64)	# One host thread runs both vCPUs (TCG_THREAD=multi: one each).  With
	# a thread per vCPU, QEMU 7.2 on this 2-CPU host ran the bench's boots
	# 2.5 times slower, and in VHE mode a vCPU of the guest would spin at
	# EL2 with interrupts masked (docs/flaky.md).
	# Nested virtualization needs a QEMU that models FEAT_NV2, which the
	# machine's may not (bench/qemu-nv.sh).
	qemu_bin=qemu-system-aarch64
	case " $cmdline " in
	*" kvm-arm.mode=nested "*)
		qemu_bin=$("$BENCH_ROOT/bench/qemu-nv.sh") || exit 1 ;;
	esac
	# bench.cpu=NAME on a boot's line picks another QEMU CPU model than
	# "max": "nofwb" boots a Cortex-A72, which has neither FWB nor VHE.
	cpu=max
	read -ra words <<<"$cmdline"
	for w in "${words[@]}"; do
		case $w in bench.cpu=*) cpu=${w#bench.cpu=} ;; esac
	done
	qemu=("$qemu_bin" -M virt,virtualization=on,gic-version=3 -cpu "$cpu"
	      -smp 2 -m "${MEM:-2G}" -accel "tcg,thread=${TCG_THREAD:-single}")
	console=ttyAMA0 ;;
esac
[ -n "$icount" ] && qemu+=(-icount shift=0,sleep=off)
# quiet, but warnings (level 4) still reach the console: a guest that
# hangs never prints its kernel log at the end.
append="console=$console panic=-1 quiet loglevel=5 bench.plan=$boot"
[ "$cmdline" != - ] && append="$append $cmdline"
# Only the series' suites, whatever else CONFIG_KUNIT brought along.
[ -n "$KUNIT" ] && append="$append kunit.enable=1 kunit.filter_glob=kvm_guest_memfd_*"

# flaky_listed KIND WHAT [DETAIL]: is it listed in tests/ARCH/flaky as KIND
# for this boot?  Lines are "kind | boots | what | detail | evidence":
#   test     WHAT is the test's id ("#N" and "[args]" are dropped to match
#            the name), DETAIL the failure's detail ("exit 139", ...),
#            which must match the line's detail, an extended regular
#            expression;
#   warning  WHAT is a kernel log line, which must match the line's "what";
#   hang     WHAT is the symbols of the PCs of the hung guest's vCPUs, one
#            of which must match the line's "what".
# An empty or "-" pattern matches nothing.
flaky_listed() {
	local kind=$1 what=$2 detail=${3:-}
	[ "$RETRY" = 1 ] && [ -f "$FLAKY" ] || return 1
	awk -F'|' -v kind="$kind" -v what="$what" -v detail="$detail" -v boot="$boot" -v variant="$variant" '
		/^[ \t]*(#|$)/ { next }
		{ for (i = 1; i <= 5; i++) gsub(/^[ \t]+|[ \t]+$/, "", $i) }
		$1 != kind { next }
		{ n = split($2, b, /[ \t]+/); ok = 0
		  for (i = 1; i <= n; i++) if (b[i] == "*" || b[i] == boot || b[i] == variant "/" boot) ok = 1
		  if (!ok) next }
		kind == "test" { t = what; sub(/#[0-9]+$/, "", t); sub(/\[.*/, "", t)
				 if (t == $3 && $4 != "" && $4 != "-" && detail ~ $4) f = 1; next }
		$3 == "" || $3 == "-" { next }
		kind == "warning" { if (what ~ $3) f = 1; next }
		kind == "hang" { n = split(what, w, /[ \t]+/); for (i = 1; i <= n; i++) if (w[i] ~ $3) f = 1 }
		END { exit !f }' "$FLAKY"
}

# The symbols of the PCs in a hung guest's vCPU dump (dump_vcpus).
hang_symbols() {
	sed -n '/^---- symbols of the PCs above/,$p' "$1" 2>/dev/null | awk 'NR > 1 { print $2 }' | tr '\n' ' '
}

# Per attempt: $ROWS (the rows it reported), $SEEN (the ids that ended),
# $HUNG (1 if the guest stopped making progress), $DONE (1 if /init ran to
# its end), $LOG (the console log).
#
# run_attempt PLAN LOG
run_attempt() {
	local planf=$1 cpio limit total=0 max_tmo=0 tmo qpid qrc t0 elapsed line rc
	local silence why mon last deadline current g id st pending hang_secs grace
	LOG=$2 ROWS=$(mktemp) SEEN=$(mktemp) HUNG= DONE=
	ATTEMPT=$((ATTEMPT + 1))
	grace=$GRACE
	[ $ATTEMPT = 1 ] && grace=${GRACE_FIRST:-$GRACE}
	TMPS+=("$ROWS" "$SEEN")
	cpio=$OBJ/initramfs-$boot.cpio
	make_initramfs "$planf" "$cpio"
	while read -r _ _ tmo _; do
		total=$((total + tmo))
		[ "$tmo" -gt "$max_tmo" ] && max_tmo=$tmo
	done <"$planf"
	limit=${BOOT_TIMEOUT:-$((total + 120))}
	# The tests' timeouts are in guest seconds, slower than the host's
	# under -icount.
	[ -n "$icount" ] && [ -z "$BOOT_TIMEOUT" ] && limit=$((limit * 3))
	mon=$OBJ/monitor-$boot.sock
	rm -f "$mon"

	say "[$tag] booting; $(wc -l <"$planf") test(s), guest killed after $(fmt_secs $limit) or when silent for $(fmt_secs $HANG_SECS)"
	info "kernel command line: $append"
	t0=$SECONDS
	: >"$LOG"
	timeout -k 10 "$limit" "${qemu[@]}" -display none -serial stdio -no-reboot \
		-monitor none -qmp "unix:$mon,server=on,wait=off" \
		-kernel "$OBJ/$KIMAGE" -initrd "$cpio" -append "$append" \
		</dev/null >"$LOG" 2>&1 9>&- &
	qpid=$!
	# timeout(1) runs in its own process group: an interrupt of ours must
	# reach it explicitly.
	trap 'kill $qpid 2>/dev/null; finish' EXIT
	trap 'kill $qpid 2>/dev/null; exit 130' INT TERM

	# /init prints "@@BENCH ALIVE" every 20 s while the guest kernel
	# schedules, so a console silent for $HANG_SECS (or, before /init
	# started, $BOOT_SILENCE) means the guest stopped making progress; so
	# does a test still running $GRACE s after its timeout, which /init's
	# SIGKILL could not end (seen: a vCPU looping in KVM's guest entry with
	# interrupts masked, the other CPU still alive).  Either way, dump the
	# vCPUs and kill the guest now rather than at the boot's time limit.
	declare -A tmo_of
	while read -r g id tmo _; do tmo_of["$g $id"]=$tmo; done <"$planf"
	silence=$BOOT_SILENCE last=$SECONDS deadline= current= pending=
	hang_secs=$HANG_SECS
	# Without the heartbeat, only a silence longer than any test can be.
	[[ " $append " == *" bench.heartbeat=0 "* ]] && hang_secs=$((max_tmo + 120))
	while :; do
		IFS= read -r -t 10 line
		rc=$?
		# A timed-out read keeps the start of a line: put it back.
		line=$pending$line pending=
		if [ $rc -gt 128 ]; then
			pending=$line
		elif [ $rc = 0 ]; then
			last=$SECONDS
			line=${line%$'\r'}
			case "$line" in
			"@@BENCH BOOTED"*) silence=$hang_secs ;;
			# The guest is done: nothing comes after this but its power-off.
			"@@BENCH DONE"*) break ;;
			*"@@BENCH START "*)
				read -r _ _ g id _ <<<"@@BENCH START ${line#*@@BENCH START }"
				current=$id deadline=$((SECONDS + ${tmo_of["$g $id"]:-$DEFAULT_TIMEOUT} + grace)) ;;
			*"@@BENCH END "*) deadline= ;;
			esac
			case "$line" in *"@@BENCH END demo "*)
				read -r _ _ g id _ <<<"@@BENCH END ${line#*@@BENCH END }"; demo_output "$g $id" ;;
			esac
			parse_line "$line"
			case "$line" in *"@@BENCH END "*)
				read -r _ _ g id _ <<<"@@BENCH END ${line#*@@BENCH END }"; report_subs "$id" "$g" ;;
			esac
		else
			break
		fi
		# Checked after every line too: a guest that keeps printing (a
		# heartbeat, stall reports) may still have a test stuck.
		if [ $((SECONDS - last)) -ge "$silence" ]; then
			HUNG="no console output for $(fmt_secs "$silence")"
		elif [ -n "$deadline" ] && [ "$SECONDS" -ge "$deadline" ]; then
			HUNG="$current still running $grace s after its timeout"
		else
			continue
		fi
		# timeout(1) may have ended and only wait to be reaped (Z).
		st=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$qpid/stat" 2>/dev/null)
		if [ -z "$st" ] || [ "$st" = Z ]; then HUNG=; break; fi
		dump_vcpus "$mon" "${LOG%.log}.hang.txt"
		kill $qpid 2>/dev/null
		break
	done < <(tail -n +1 -f --pid=$qpid "$LOG" 2>/dev/null)
	wait $qpid
	qrc=$?
	rm -f "$mon"

	trap finish EXIT
	trap - INT TERM
	elapsed=$((SECONDS - t0))
	if grep -q '^@@BENCH DONE' "$LOG"; then
		DONE=1
		why="no result line on the console"
	else
		if [ -n "$HUNG" ]; then
			why="guest stopped making progress ($HUNG), killed after $(fmt_secs $elapsed); vCPU state: ${LOG%.log}.hang.txt"
		elif [ $qrc = 124 ] || [ $qrc = 137 ]; then
			why="guest hung: killed at the boot's time limit, after $(fmt_secs $elapsed)"
		else
			why="guest stopped early (qemu exit $qrc)"
		fi
		printf '%sboot failed%s [%s]: %s; last console lines:\n' "$R" "$N" "$tag" "$why"
		grep -v '^@@BENCH ALIVE' "$LOG" | tail -n 30 | sed 's/\r$//; s/^/    | /'
		echo "    full console log: $LOG"
	fi
	ATTEMPT_WHY=$why
	check_klog
	info "[$tag] boot finished in $(fmt_secs $elapsed); console log: $LOG"
}

# dump_vcpus SOCKET FILE: the registers of every vCPU of a hung guest,
# twice a second apart (a PC that moves: a loop; one that stays: a wait),
# through QEMU's QMP socket.
dump_vcpus() {
	python3 - "$1" >"$2" 2>&1 <<-'EOF'
		import json, socket, sys, time
		s = socket.socket(socket.AF_UNIX)
		s.settimeout(10)
		s.connect(sys.argv[1])
		f = s.makefile("r")
		def answer():
		    while True:
		        m = json.loads(f.readline())
		        if "return" in m or "error" in m:
		            return m
		def hmp(c):
		    s.sendall(json.dumps({"execute": "human-monitor-command",
		                          "arguments": {"command-line": c}}).encode())
		    m = answer()
		    return m.get("return", m.get("error"))
		f.readline()
		s.sendall(b'{"execute": "qmp_capabilities"}')
		answer()
		for i in range(2):
		    print("==== dump %d" % (i + 1))
		    for c in ("info status", "info cpus", "info registers -a"):
		        print("---- " + c)
		        print(hmp(c))
		    time.sleep(1)
		EOF
	# Where each PC sampled above is, in the guest kernel.
	{
		echo "---- symbols of the PCs above"
		grep -oE 'PC=[0-9a-f]+' "$2" | sort -u | while read -r pc; do
			printf '%s %s\n' "${pc#PC=}" "$("${CROSS}addr2line" -f -e "$OBJ/vmlinux" "0x${pc#PC=}" 2>/dev/null | head -n 1)"
		done
	} >>"$2"
	info "[$tag] vCPU state of the hung guest: $2"
}

# Report each test as its end marker appears on the console.
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
		echo "$g $id" >>"$SEEN"
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
		}' "$LOG")
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
			"$id:$cname" "$cst" 0 "" >>"$ROWS"
	done <<<"$cases"
	if [ "$st" = fail ] && [ "$nf" = 0 ]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arch" "$variant" "$boot" "$g" \
			"$id" fail "$secs" "$detail" >>"$ROWS"
	fi
}
report() {	# group id status secs detail
	local c
	case "$3" in pass) c=$G ;; skip|flaky) c=$Y ;; *) c=$R ;; esac
	printf '    %s%-4s%s %-48s %6ss %s\n' "$c" "${3^^}" "$N" "$2" "$4" "$5" |
		sed 's/  *$//'
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$arch" "$variant" "$boot" "$1" "$2" "$3" "$4" "$5" >>"$ROWS"
}
# Show the subtests of a test from its TAP output: all of them for the
# series' own tests (or V=1), only the failing ones otherwise.
subtests() {
	awk -v want="$1" -v all="$2" '
		{ sub(/\r$/, "") }
		/^@@BENCH START / { on = ($3 " " $4 == want); next }
		/@@BENCH END / { on = 0; next }
		on && /^(not )?ok [0-9]+ / { if (all || /^not ok/ && !/# SKIP/) print "         " $0 }' "$LOG"
}
report_subs() {
	local id=$1 g=$2
	subtests "$g $id" $([ "$g" != regression ] || [ "$VERBOSE" = 1 ] && echo 1 || echo 0)
}
# The demo's output is what it is run for: print it before its result.
demo_output() {
	awk -v want="$1" '
		{ sub(/\r$/, "") }
		/^@@BENCH ALIVE/ { next }
		/^@@BENCH START / { on = ($3 " " $4 == want); next }
		/@@BENCH END / { on = 0; next }
		on && NF { print "      | " $0 }' "$LOG"
}

# The KUnit suites the kernel ran before /init (init.sh prints its log
# between KUNIT markers), through kunit.py's own parser: a row per case
# (group "kunit"), and a failure of its own for no result or a parser that
# failed without a failing case to show.
kunit_results() {
	local ktap out rc rows
	ktap=$(mktemp)
	TMPS+=("$ktap")
	sed -n '/^@@BENCH KUNIT-BEGIN/,/^@@BENCH KUNIT-END/{ /^@@BENCH /d; s/\r$//; p; }' "$LOG" >"$ktap"
	out=$(cd "$TREE" && python3 tools/testing/kunit/kunit.py parse "$ktap" 2>&1)
	rc=$?
	# "[PASSED] case" under "=== suite (N subtests) ===", and a
	# parameterised case's parameters under "=== case ===": each named
	# "suite.case" or "case.parameter".  The summary lines
	# ("=== [PASSED] name ===") are not cases.
	rows=$(printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' | awk '
		{ sub(/^\[[0-9:]+\] /, "") }
		/^=+ \[(PASSED|FAILED|SKIPPED|CRASHED)\] / { h = suite; next }
		/^=+ [^ =].* =+$/ { h = $0; sub(/^=+ /, "", h); sub(/ +=+$/, "", h)
				   if (sub(/ \([0-9]+ subtests?\)$/, "", h)) suite = h
				   next }
		/^\[(PASSED|FAILED|SKIPPED|CRASHED)\] / {
			st = $1; gsub(/[][]/, "", st); $1 = ""
			sub(/^ +/, ""); gsub(/[ \t]+/, "_")
			print (st == "PASSED" ? "pass" : st == "SKIPPED" ? "skip" : "fail") "\t" h "." $0
		}')
	if [ -z "$rows" ] || { [ $rc -ne 0 ] && ! grep -q '^fail' <<<"$rows"; }; then
		report kunit kunit fail 0 "no KUnit result (kunit.py parse exit $rc; log: $LOG)"
		printf '%s\n' "$out" | tail -n 10 | sed 's/^/    | /'
		return
	fi
	while IFS=$'\t' read -r st name; do
		report kunit "kunit:$name" "$st" 0 ""
	done <<<"$rows"
}

# A kernel that warned, oopsed, found a bug, a leak (kmemleak's report,
# debug kernels), a lockup or a stall fails the boot.  Read the kernel log
# the guest printed, or the whole console if it never got there.  A
# warning listed in tests/ARCH/flaky (the lines from it to the end of its
# trace) is reported "flaky" instead.
check_klog() {
	local klog bad known line
	if grep -q '^@@BENCH DMESG-END' "$LOG"; then
		klog=$(sed -n '/^@@BENCH KMEMLEAK-BEGIN/,/^@@BENCH KMEMLEAK-END/p; /^@@BENCH DMESG-BEGIN/,/^@@BENCH DMESG-END/p' "$LOG")
	else
		klog=$(cat "$LOG")
	fi
	klog=$(printf '%s\n' "$klog" | sed 's/\r$//')
	# A hung guest's RCU stall reports are the hang's own symptom: when
	# the hang is listed, they are reported with it, not on their own.
	if [ -n "$HUNG" ] && flaky_listed hang "$(hang_symbols "${LOG%.log}.hang.txt")"; then
		klog=$(printf '%s\n' "$klog" | grep -vE '^rcu: |rcu_(sched|preempt) detected stalls')
	fi
	known=
	while IFS= read -r line; do
		flaky_listed warning "$line" && known="$known${known:+; }${line#*WARNING: }"
	done < <(printf '%s\n' "$klog" | grep -E 'WARNING:')
	if [ -n "$known" ]; then
		# Drop each listed warning's block, up to its end of trace.
		klog=$(printf '%s\n' "$klog" | awk -v flaky="$FLAKY" -v boot="$boot" -v variant="$variant" '
			BEGIN { while ((getline l < flaky) > 0) {
				if (l ~ /^[ \t]*(#|$)/) continue
				n = split(l, f, "|"); for (i = 1; i <= n; i++) gsub(/^[ \t]+|[ \t]+$/, "", f[i])
				if (f[1] != "warning" || f[3] == "" || f[3] == "-") continue
				m = split(f[2], b, /[ \t]+/)
				for (i = 1; i <= m; i++)
					if (b[i] == "*" || b[i] == boot || b[i] == variant "/" boot) pat[f[3]] = 1 } }
			/WARNING:|BUG:|Oops|Kernel panic/ {
				listed = 0; for (p in pat) if ($0 ~ p) listed = 1
				if (listed) { skip = 1; next }
				skip = 0	# another problem, printed in between: keep it
			}
			skip { if (/---\[ end trace/) skip = 0; next }
			{ print }')
	fi
	bad=$(printf '%s\n' "$klog" | grep -E 'WARNING:|BUG:|Oops|KASAN|UBSAN|possible circular locking|possible recursive locking|INFO: task .* blocked|INFO: rcu|detected stalls|hard LOCKUP|workqueue lockup|unreferenced object|Kernel panic|Call trace:|Call Trace:' | head -5)
	if [ -n "$bad" ]; then
		report kernel "kernel-log:$boot" fail 0 "the kernel log reports a problem (see $LOG)"
		printf '%s\n' "$bad" | sed 's/^/    | /'
	fi
	if [ -n "$known" ]; then
		report kernel "kernel-log:$boot:listed" flaky 0 "listed in tests/$arch/flaky: $known (see $LOG)"
	fi
}

TMPS=()
rows=$(mktemp)
again=$(mktemp)
# Whatever happens, the rows found so far reach $RESULTS and the temporary
# files go (a run interrupted midway is still reported).
FLUSHED=
finish() {
	[ -n "$FLUSHED" ] && return
	FLUSHED=1
	cat "$rows" >>"$RESULTS"
	rm -f "$plan" "$rows" "$again" "${TMPS[@]}"
}
trap finish EXIT

# Attempt 1: the whole plan.
log=$LOGDIR/console-$variant-$arch-$boot.log
rm -f "${log%.log}".*.log "${log%.log}".*.txt "${log%.log}.hang.txt"
run_attempt "$plan" "$log"
[ -n "$KUNIT" ] && kunit_results
cat "$ROWS" >>"$rows"
seen=$SEEN

# A guest that stopped making progress: the tests it did not finish run
# again, once, in a new boot.  The hang is "flaky" only when the list
# names it (by where the vCPUs were) and the new boot finished.
if [ -z "$DONE" ]; then
	hung=$HUNG why=$ATTEMPT_WHY
	symbols=$(hang_symbols "${log%.log}.hang.txt")
	rest=$(mktemp)
	TMPS+=("$rest")
	awk 'NR == FNR { s[$1 " " $2] = 1; next } !(($1 " " $2) in s)' "$seen" "$plan" >"$rest"
	st=fail
	if [ -n "$hung" ] && [ "$RETRY" = 1 ] && [ -s "$rest" ]; then
		info "[$tag] running the $(wc -l <"$rest") test(s) it did not finish in a new boot"
		run_attempt "$rest" "${log%.log}.retry.log"
		cat "$ROWS" >>"$rows"
		cat "$SEEN" >>"$seen"
		if [ -n "$DONE" ]; then
			flaky_listed hang "$symbols" && st=flaky
		else
			why="$why; the new boot too: $ATTEMPT_WHY"
		fi
	fi
	[ "$st" = flaky ] && why="$why (listed in tests/$arch/flaky: vCPUs in $symbols)"
	ROWS=$rows report boot "boot:$boot" "$st" 0 "$why"
fi
# Every test of the plan that did not report is a failure.
while read -r g id _; do
	grep -qxF "$g $id" "$seen" && continue
	ROWS=$rows report "$g" "$id" fail 0 "not finished"
done <"$plan"

# Listed tests that failed as listed (by detail): once more each, in a
# boot of their own.
rowsof() {	# group id file: the rows of that test (the program and its cases)
	awk -F'\t' -v g="$1" -v id="$2" '$4 == g && ($5 == id || index($5, id ":") == 1)' "$3"
}
awk -F'\t' '$6 == "fail" && $4 != "kernel" && $4 != "boot" { id = $5; sub(/:.*/, "", id); print $4 "\t" id }' "$rows" |
	sort -u | while IFS=$'\t' read -r g id; do
		# Every failing row of the test must be of the listed kind.
		listed=1
		while IFS= read -r detail; do
			flaky_listed test "$id" "$detail" || listed=
		done < <(rowsof "$g" "$id" "$rows" | awk -F'\t' '$6 == "fail" { print $8 }')
		[ -n "$listed" ] && awk -v g="$g" -v id="$id" '$1 == g && $2 == id' "$plan"
	done >"$again"
if [ -s "$again" ]; then
	info "[$tag] $(wc -l <"$again") listed flaky test(s) failed: running them once more"
	run_attempt "$again" "${log%.log}.again.log"
	while read -r g id _; do
		# Passed the second time: at least one pass, no failure.
		if grep -qxF "$g $id" "$SEEN" &&
		   rowsof "$g" "$id" "$ROWS" | awk -F'\t' '$6 == "pass" { p = 1 } $6 == "fail" { f = 1 } END { exit !(p && !f) }'; then
			# The first run's rows of it give way to the second's, and
			# one "flaky" row tells.
			first=$(rowsof "$g" "$id" "$rows" | awk -F'\t' '$6 == "fail" { print $8; exit }')
			awk -F'\t' -v g="$g" -v id="$id" '!($4 == g && ($5 == id || index($5, id ":") == 1))' "$rows" >"$rows.new"
			rowsof "$g" "$id" "$ROWS" >>"$rows.new"
			mv "$rows.new" "$rows"
			ROWS=$rows report "$g" "$id:first-run" flaky 0 "failed (${first:-see log}), passed when run again; logs: $log, ${log%.log}.again.log"
		else
			# Failed again: its failure stands, counted once.
			awk -F'\t' -v OFS='\t' -v g="$g" -v id="$id" -v more="failed again when run once more (listed flaky); logs: $log, ${log%.log}.again.log" '
				$4 == g && ($5 == id || index($5, id ":") == 1) && $6 == "fail" { $8 = $8 ($8 == "" ? "" : "; ") more }
				{ print }' "$rows" >"$rows.new"
			mv "$rows.new" "$rows"
			printf '    %sFAIL%s %s failed again when run once more\n' "$R" "$N" "$id"
		fi
	done <"$again"
	# The second boot's kernel log counts as well, and so does its end.
	awk -F'\t' '$4 == "kernel"' "$ROWS" >>"$rows"
	[ -n "$DONE" ] || ROWS=$rows report boot "boot:$boot:again" fail 0 "$ATTEMPT_WHY"
fi
finish
