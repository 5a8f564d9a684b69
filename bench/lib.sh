# SPDX-License-Identifier: GPL-2.0
# Common helpers for the bench scripts.  Sourced, never run.

set -o pipefail

# The kernel's own make reads these from the environment: keep the
# bench's choices (ARCH= of "make run") and hide them from kernel builds.
BENCH_ARCH=${BENCH_ARCH:-${ARCH:-x86_64}}
unset ARCH CROSS_COMPILE O V W C KBUILD_OUTPUT LLVM
# Nor variables given to the bench's own make (make lint W=1).
unset MAKEFLAGS MFLAGS MAKELEVEL

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${CACHE:-${HOME:-/root}/.cache/kvm-gmem-bench}
# One spelling of every path in it, the one make and the tools resolve to:
# build products name each other by path (dependency files, .cmd files),
# and a symlink in $CACHE would give them two names.
CACHE=$(realpath -m -- "$CACHE")
JOBS=${JOBS:-$(nproc)}
LOGDIR=$CACHE/logs
TREE=$CACHE/linux		# kernel tree with the series applied (branch "series")
BASE_TREE=$CACHE/linux-base	# worktree of the same repo at the base commit
BASE_TAG=base-7.3

mkdir -p "$CACHE" "$LOGDIR" 2>/dev/null && [ -w "$CACHE" ] || {
	echo "error: cannot create or write the cache directory $CACHE (set CACHE=...)" >&2
	exit 1
}

# Colours only on a terminal.
if [ -t 1 ]; then B=$'\e[1m'; R=$'\e[31m'; G=$'\e[32m'; Y=$'\e[33m'; N=$'\e[0m'
else B= R= G= Y= N=; fi

say()  { printf '%s==>%s %s\n' "$B" "$N" "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%swarning:%s %s\n' "$Y" "$N" "$*" >&2; }
die()  { printf '%serror:%s %s\n' "$R" "$N" "$*" >&2; exit 1; }

fmt_secs() {
	local s=$1
	if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60))
	else printf '%ds' "$s"; fi
}

# step NAME LOGFILE CMD...: run CMD with its output in LOGFILE, print what is
# being done and how long it took; on failure show the end of the log and its
# path, and exit.
step() {
	local name=$1 log=$2 t0 rc
	shift 2
	t0=$SECONDS
	printf '%s==>%s %s ... ' "$B" "$N" "$name"
	mkdir -p "$(dirname "$log")"
	"$@" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		printf '%sFAILED%s after %s (exit %d)\n' "$R" "$N" "$(fmt_secs $((SECONDS - t0)))" $rc
		echo "---- last lines of $log ----"
		tail -n 25 "$log"
		echo "---- full log: $log ----"
		exit 1
	fi
	printf 'done in %s\n' "$(fmt_secs $((SECONDS - t0)))"
}

# Kernel ARCH, cross compiler and image per architecture.
arch_vars() {
	case "$1" in
	x86_64)
		KARCH=x86_64; CROSS=; KIMAGE=arch/x86/boot/bzImage
		QEMU=qemu-system-x86_64; BUSYBOX_ARCH=amd64 ;;
	arm64)
		KARCH=arm64; CROSS=aarch64-linux-gnu-; KIMAGE=arch/arm64/boot/Image
		QEMU=qemu-system-aarch64; BUSYBOX_ARCH=arm64 ;;
	*)	die "unknown architecture '$1' (x86_64 or arm64)" ;;
	esac
}

# Source tree and build directory of a variant: "series", "base" (plain
# 7.3), "debug" (the series with config/debug.config) or "nosw" (the series
# without CONFIG_KVM_SW_PROTECTED_VM, config/nosw.config).  TESTOBJ is the
# build whose selftests and bench programs a boot runs: the debug and nosw
# kernels run the series' own.
variant_vars() {
	case "$1" in
	series|debug|nosw) SRC=$TREE ;;
	base)   SRC=$BASE_TREE ;;
	*)	die "unknown variant '$1'" ;;
	esac
	OBJ=$CACHE/build/$1-$2
	TESTOBJ=$OBJ
	case "$1" in debug|nosw) TESTOBJ=$CACHE/build/series-$2 ;; esac
}

# copy_build FROM TO [RSYNC_OPTION...]: a copy of the build directory FROM
# in TO that make takes as up to date, so that a build in TO of a slightly
# different tree or config recompiles only what differs.  Files that name
# the build directory itself (the objtree's Makefile, the selftests' and
# objtool's dependency files) name the copy, their dates kept, and their
# directories' (objtool's archives depend on those).  ($CACHE is resolved
# once above: one spelling of the path.)  Boots' files are not copied.
copy_build() {
	local from=$1 to=$2 st f t td
	shift 2
	mkdir -p "$to"
	rsync -a --delete --exclude='/initramfs-*' --exclude='*.cpio' --exclude='*.sock' \
		"$@" "$from/" "$to/"
	st=$?
	[ $st = 0 ] || [ $st = 24 ] || { echo "cannot copy $from to $to (rsync exit $st)" >&2; return 1; }
	grep -rlIZ --exclude='*.o' -F "$from" "$to" 2>/dev/null |
		while IFS= read -r -d '' f; do
			t=$(stat -c %Y "$f") && td=$(stat -c %Y "$(dirname "$f")") &&
			sed -Ei "s#$from([^-A-Za-z0-9_]|\$)#$to\1#g" "$f" &&
			touch -h -d "@$t" "$f" && touch -h -d "@$td" "$(dirname "$f")"
		done
	return 0	# a file that vanished meanwhile is not the copy's failure
}

# The plain 7.3 sources: a worktree of the kernel tree at the base tag.
base_tree() {
	[ -f "$BASE_TREE/Makefile" ] && return 0
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$BASE_TREE" "$BASE_TAG"
}

# src_state TREE: what a build of the tree compiled: its HEAD and a hash of
# its uncommitted changes (kernel.sh notes it in $OBJ/.bench-built once a
# build succeeded; bisect.sh reuses only a build that matches its tree).
src_state() {
	echo "$(git -C "$1" rev-parse HEAD) $(git -C "$1" diff HEAD | sha256sum | cut -c1-16)"
}

# A result row of $RESULTS (nothing without it): arch variant boot group id
# status secs detail, tab-separated.
row() {
	[ -n "${RESULTS:-}" ] || return 0
	local IFS=$'\t'
	echo "$*" >>"$RESULTS"
}

# new_lines BASE TIP: the lines of TIP that BASE has not (as multisets).
new_lines() {
	python3 - "$1" "$2" <<-'EOF'
		import collections, sys
		base = collections.Counter(open(sys.argv[1]).read().splitlines())
		for line, n in (collections.Counter(open(sys.argv[2]).read().splitlines()) - base).items():
		    print('%s (x%d)' % (line, n) if n > 1 else line)
		EOF
}

hash_files() { cat /dev/null "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# The patches git am applies, in order (the cover letter carries no diff).
series_patches() {
	find "$BENCH_ROOT/patches" -maxdepth 1 -name '*.patch' ! -name '0000-*' 2>/dev/null | sort
}

# Free space under the cache, in GiB; die below $1 GiB.
need_space() {
	local avail
	avail=$(df --output=avail -BG "$CACHE" | tail -n 1 | tr -dc 0-9)
	[ "${avail:-0}" -ge "$1" ] ||
		die "only ${avail:-0} GiB free under $CACHE; this step needs about $1 GiB (free some space or set CACHE=...)"
}

# Serialise runs that share one cache.  Child processes that outlive us
# (qemu) must not inherit fd 9: start them with 9>&-.
take_lock() {
	[ -n "${BENCH_LOCKED:-}" ] && return 0	# a script of the run that holds it
	exec 9>"$CACHE/lock"
	flock -n 9 || { info "another bench run holds $CACHE/lock; waiting"; flock 9; }
	export BENCH_LOCKED=1
}

# load_host: keep every host CPU busy (at the lowest priority) until this
# script exits, for runs that measure a loaded host (make repeat, soak LOAD=1).
load_host() {
	local pids= _
	for _ in $(seq "$(nproc)"); do
		(exec nice -n 19 sh -c 'while :; do :; done') &
		pids="$pids $!"
	done
	trap "kill$pids 2>/dev/null" EXIT
}
