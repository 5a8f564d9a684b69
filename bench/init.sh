#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the bench initramfs (busybox).  Runs the plan named by
# bench.plan= on the kernel command line and reports each test between
# @@BENCH markers on the console, then the kernel log, then powers off.
export PATH=/bin:/sbin PATH_BENCH=/t
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null
exec </dev/console >/dev/console 2>&1

plan=default
for a in $(cat /proc/cmdline); do
	case "$a" in bench.plan=*) plan=${a#bench.plan=} ;; esac
done
now() { cut -d' ' -f1 /proc/uptime; }

# A heartbeat for bench/boot.sh: while the guest kernel still schedules a
# shell, the console hears from it every 20 s, whatever the tests do
# (bench.heartbeat=0 on the command line: none).
heartbeat=
case " $(cat /proc/cmdline) " in
*" bench.heartbeat=0 "*) ;;
*) ( while sleep 20; do echo "@@BENCH ALIVE $(now)"; done ) & heartbeat=$! ;;
esac

echo "@@BENCH BOOTED plan=$plan kernel=$(uname -r) cmdline=$(cat /proc/cmdline)"
# Built-in KUnit suites ran before /init (kunit.enable=1): their KTAP
# output, from the kernel log before the tests can push it out.
case " $(cat /proc/cmdline) " in
*" kunit.enable=1 "*)
	echo "@@BENCH KUNIT-BEGIN"
	dmesg
	echo "@@BENCH KUNIT-END" ;;
esac
cd /t
while read -r group id tmo cmd; do
	case "$group" in ''|'#'*) continue ;; esac
	echo "@@BENCH START $group $id"
	t0=$(now)
	timeout -s KILL "$tmo" $cmd </dev/null
	rc=$?
	# A newline first: the test's last line may lack one.
	printf '\n@@BENCH END %s %s rc=%s t0=%s t1=%s\n' "$group" "$id" "$rc" "$t0" "$(now)"
done <"/plans/$plan"
# Debug kernels (CONFIG_DEBUG_KMEMLEAK): a leak scan once the tests are done;
# kmemleak reports objects unreferenced for 5 seconds, so scan after that.
if [ -w /sys/kernel/debug/kmemleak ]; then
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo "@@BENCH KMEMLEAK-BEGIN"
	cat /sys/kernel/debug/kmemleak
	echo "@@BENCH KMEMLEAK-END"
fi
[ -n "$heartbeat" ] && kill $heartbeat
echo "@@BENCH DMESG-BEGIN"
dmesg
echo "@@BENCH DMESG-END"
echo "@@BENCH DONE"
sync
case "$(uname -m)" in x86_64) reboot -f ;; *) poweroff -f ;; esac
sleep 60
