#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the tree after each patch of the series, on every architecture in
# $ARCHES, so that bisection never hits a broken build: the kernel image
# (the series' config, with the guest_memfd KUnit tests built in) and, for
# patches that touch them, the KVM selftests.  Names the first patch that
# breaks a build.
#
# Incremental, and from the builds make check already has: a worktree of
# its own, and per architecture a copy of the series' build directory
# (build/series-ARCH), walked from the tip back to plain 7.3 (or to the
# states an earlier walk built, below).  The copy's
# objects name their sources by the kernel tree's path, so every make of
# the walk runs in a mount namespace where the worktree is mounted over
# that path; at the tip, the worktree's files that the series' build
# compiled are dated before every object, so that nothing is compiled
# again for them.  A step builds what differs from the step before it.
#
# On the tip and on plain 7.3 it also builds the kernel objects that the
# series changes with W=1 and sparse (C=1, Debian's sparse through
# bench/sparse.sh), and fails on any warning the tip has that 7.3 has not.
#
# A walk that passed is remembered, by the hash of the patches, the config,
# the compilers and sparse, and the bench scripts: a run with the same
# inputs reports it without building again (BISECT_FORCE=1 walks all).
# Each state that built on every architecture is remembered too, by its
# commit and the same other inputs (a state that fails is forgotten):
# the walk goes from the tip down to the lowest state that is not
# remembered, not to 7.3, if plain 7.3's W=1 and sparse warnings are
# remembered for the same changed files.  A commit names its whole
# history, so an unchanged patch below a changed one keeps its commit,
# and its state was built as it is.  BISECT_FORCE=1 forgets them all.
#
# BISECT_BREAK=N walks a copy of the series whose patch N is broken on
# purpose (a line that does not compile, at the top of a kernel C file the
# patch changes, virt/ first): it passes if the walk names that patch as
# the first that breaks.
. "$(dirname "$0")/lib.sh"

ARCHES=${ARCHES:-x86_64 arm64}
WT=$CACHE/linux-bisect
BREAK=${BISECT_BREAK:-}
take_lock
"$BENCH_ROOT/bench/tree.sh" || exit 1
if [ ! -f "$WT/Makefile" ]; then
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$WT" "$BASE_TAG" || die "git worktree add failed"
fi
# Whatever an interrupted run left in the worktree goes.
git -C "$WT" cherry-pick --abort >/dev/null 2>&1
git -C "$WT" reset -q --hard && git -C "$WT" clean -fdq &&
	git -C "$WT" checkout -q --detach || die "cannot clean $WT"
git -C "$TREE" branch -q -D bisect-break >/dev/null 2>&1

for a in $ARCHES; do
	[ -f "$CACHE/build/series-$a/.config" ] ||
		die "no config for $a yet: run 'make check' (or kernel.sh series $a) first"
done
stamp=$CACHE/build/bisect-passed
# What a build of a state depends on besides the state itself: the
# config, the tools and the libraries the selftests link statically, what
# make takes from the environment, and the scripts.
arches=${ARCHES// /+}
envkey=$( { for a in $ARCHES; do cat "$CACHE/build/series-$a/.config"; done
	    make --version; gcc --version; aarch64-linux-gnu-gcc --version
	    ld --version; aarch64-linux-gnu-ld --version; sparse --version
	    dpkg-query -W gcc binutils libc6-dev libc6-dev-arm64-cross libelf-dev \
		libssl-dev sparse gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
	    env | grep -E '^(KCFLAGS|KCPPFLAGS|KAFLAGS|HOSTCFLAGS|HOSTLDFLAGS|CC|LLVM|CROSS_COMPILE)=' | sort
	    cat "$BENCH_ROOT"/bench/{bisect,lib,sparse}.sh; } 2>&1 | sha256sum | cut -c1-16)-$arches
inputs=$(echo "$(git -C "$TREE" rev-parse series) $envkey" | sha256sum | cut -c1-16)-$arches
# The states built before with the same $envkey: an empty file per commit,
# and plain 7.3's W=1 and sparse warnings per architecture, for one set of
# changed C files (w1base).  The other keys of the same $ARCHES go.
memo=$CACHE/build/bisect-memo/$envkey
mkdir -p "$memo" && find "$CACHE/build/bisect-memo" -mindepth 1 -maxdepth 1 \
	-name "*-$arches" ! -name "$envkey" -exec rm -rf {} + || die "cannot make $memo"
[ "${BISECT_FORCE:-0}" = 0 ] || rm -f "$memo"/* || die "cannot empty $memo"
if [ -z "$BREAK" ] && [ "${BISECT_FORCE:-0}" = 0 ] && [ -f "$stamp" ] &&
   [ "$(head -n 1 "$stamp")" = "$inputs" ]; then
	say "every patch builds on: $ARCHES (the walk of $(sed -n 2p "$stamp") with the same patches, config and script; BISECT_FORCE=1 walks again)"
	tail -n +3 "$stamp" >>"${RESULTS:-/dev/null}"
	exit 0
fi
[ -z "$BREAK" ] && rm -f "$stamp"

branch=series
if [ -n "$BREAK" ]; then
	# A copy of the series with patch $BREAK broken, on a branch of its own.
	mapfile -t orig < <(git -C "$TREE" rev-list --reverse "$BASE_TAG"..series)
	[[ $BREAK =~ ^[0-9]+$ ]] && [ "$BREAK" -ge 1 ] && [ "$BREAK" -le ${#orig[@]} ] ||
		die "BISECT_BREAK=$BREAK: give a patch number from 1 to ${#orig[@]}"
	c=${orig[$((BREAK - 1))]}
	# A kernel C file, virt/ (built on every architecture) before arch/.
	f=$(git -C "$TREE" diff-tree --no-commit-id --name-only --diff-filter=AM -r "$c" |
		grep -E '^(virt|arch|mm|lib|include)/.*\.c$' | sort -r | head -n 1)
	[ -n "$f" ] || die "patch $BREAK changes no C file to break"
	git -C "$WT" checkout -q -B bisect-break "$c" &&
		sed -i '1a int bisect_break = ;' "$WT/$f" &&
		git -C "$WT" -c user.name=bench -c user.email=bench@localhost commit -q -a --amend --no-edit &&
		{ [ "$BREAK" = ${#orig[@]} ] ||
		  git -C "$WT" -c user.name=bench -c user.email=bench@localhost \
			cherry-pick "$c..series" >/dev/null; } ||
		die "cannot make the broken copy of the series"
	git -C "$WT" checkout -q --detach
	branch=bisect-break
	info "patch $BREAK broken on purpose in $f (branch bisect-break)"
fi
mapfile -t commits < <(git -C "$TREE" rev-list --reverse "$BASE_TAG".."$branch")
n=${#commits[@]}
[ "$n" -gt 0 ] || { info "no patches: nothing to bisect"; exit 0; }
state() {	# I: the commit after patch I (0: plain 7.3)
	if [ "$1" = 0 ]; then echo "$BASE_TAG"; else echo "${commits[$(($1 - 1))]}"; fi
}
base_commit=$(git -C "$TREE" rev-parse "$BASE_TAG^{commit}") || die "no commit for $BASE_TAG"
memo_of() {	# I: the memo file of state I
	if [ "$1" = 0 ]; then echo "$memo/$base_commit"; else echo "$memo/${commits[$(($1 - 1))]}"; fi
}
# Plain 7.3's W=1 and sparse warnings hold for the changed C files they
# were taken on: the memo of them names those files and 7.3's commit.
w1base=$( { echo "$base_commit"
	    git -C "$TREE" diff --name-only --diff-filter=AMR "$BASE_TAG" "$branch" -- '*.c'; } |
	  sha256sum | cut -c1-16)

# ns CMD...: CMD in a mount namespace of its own, where the kernel tree's
# path shows the worktree (the copied objects and their .cmd files name
# their sources by that path).  Only make runs there: git stays outside.
ns() {
	unshare --mount --propagation private \
		sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' ns "$WT" "$TREE" "$@"
}

ns true || die "cannot mount the worktree over $TREE in a mount namespace (unshare --mount needs root)"

# The worktree at the tip.  Its files that are what the series' build
# compiled, the kernel tree's files as they are now, get a date before
# every object; the others (a change not committed in the tree, the
# broken patch) keep the time of their checkout and are built again.
tip=$(state "$n")
git -C "$WT" checkout -q --detach "$tip" || die "cannot check out $tip"
(cd "$WT" && git ls-files -z | xargs -0 touch -h -d @946684800 --) ||
	die "cannot date the worktree's files"
git -C "$TREE" diff --name-only "$tip" -- | while read -r f; do
	[ -e "$WT/$f" ] && touch -h -- "$WT/$f"
done

for a in $ARCHES; do
	arch_vars "$a"
	obj=$CACHE/build/bisect-$a
	# The series' build, if it succeeded from the tree as it is now (a
	# boot may be writing its initramfs meanwhile).  Else (it failed, or
	# the series changed since) a walk from nothing: the tip is built whole.
	if [ "$(cat "$CACHE/build/series-$a/.bench-built" 2>/dev/null)" != \
	     "$(src_state "$TREE") $(cat "$CACHE/build/series-$a/.bench-config" 2>/dev/null)" ]; then
		info "[$a] the series' build is not of the tree as it is: the walk builds the tip from nothing"
		rm -rf "$obj"
		mkdir -p "$obj"
		cp "$CACHE/build/series-$a/.config" "$obj/.config.want"
		continue
	fi
	copy_build "$CACHE/build/series-$a" "$obj" ||
		die "cannot copy $CACHE/build/series-$a to $obj"
	# The series' config (config/series.config builds the KUnit tests in).
	cp "$CACHE/build/series-$a/.config" "$obj/.config.want"
done

# The objects of the kernel C files the series changes that this build
# compiled (those with a .cmd file: a file #included into another, like
# guest_memfd_kunit.c, is checked within it).
changed_objects() {
	local f o
	git -C "$TREE" diff --name-only --diff-filter=AMR "$BASE_TAG" series -- '*.c' |
		grep -v '^tools/' | while read -r f; do
			case $f in
			virt/kvm/*) o=arch/${KARCH%_64}/kvm/../../../${f%.c}.o ;;
			arch/${KARCH%_64}/*) o=${f%.c}.o ;;
			arch/*) continue ;;
			lib/*|mm/*|kernel/*) o=${f%.c}.o ;;
			*) echo "the series changes $f, which bisect.sh does not know" >&2
			   echo "unknown:$f"; continue ;;
			esac
			[ -f "$obj/$(dirname "$o")/.$(basename "$o").cmd" ] && echo "$o"
		done
}

# w1_sparse NAME: build the changed objects again, with W=1 C=1; their
# warnings and sparse's errors, without line numbers, in $obj/w1-NAME.txt.
w1_sparse() {
	local o objs=()
	for o in $(changed_objects); do
		[ "${o#unknown:}" = "$o" ] || return 1
		objs+=("$o")
		rm -f "$obj/$o"
	done
	[ ${#objs[@]} -gt 0 ] || { echo "no changed object was built"; return 1; }
	printf 'objects: %s\n' "${objs[*]}"
	"${K[@]}" -j"$JOBS" W=1 C=1 CHECK="$BENCH_ROOT/bench/sparse.sh" "${objs[@]}" \
		>"$obj/w1-$1.log" 2>&1 || { cat "$obj/w1-$1.log"; return 1; }
	cat "$obj/w1-$1.log"
	{ grep -E '^[^ ]+:[0-9]+(:[0-9]+)?: (warning|error):' "$obj/w1-$1.log" || true; } |
		sed -E "s#^$TREE/##; s#:[0-9]+(:[0-9]+)?: #: #" | sort >"$obj/w1-$1.txt"
}

w1_compare() {	# arch: the warnings of the tip that plain 7.3 has not
	local new n
	new=$(new_lines "$obj/w1-base.txt" "$obj/w1-series.txt") || {
		row "$1" series - lint "w1-sparse" fail 0 "cannot compare the W=1/sparse warnings with 7.3's"
		return 1
	}
	n=$(wc -l <"$obj/w1-series.txt")
	if [ -n "$new" ]; then
		echo "${R}new W=1/sparse warnings on $1:${N}" >&2
		printf '%s\n' "$new" | sed 's/^/    /' >&2
		row "$1" series - lint "w1-sparse" fail 0 "$(printf '%s; ' "$new")"
		return 1
	fi
	info "$1: W=1 and sparse: no warning that 7.3 has not ($n at the tip, in $(changed_objects | wc -l) objects)"
	prow "$1" series - lint "w1-sparse" pass 0 "no new warning in $(changed_objects | wc -l) objects ($n at the tip, all as on 7.3)"
}

# A passing row, kept for the stamp too.
rows=$(mktemp)
prow() {
	row "$@"
	local IFS=$'\t'
	echo "$*" >>"$rows"
}

trap 'rm -f "$rows"; [ "$branch" = bisect-break ] && git -C "$TREE" branch -q -D bisect-break 2>/dev/null' EXIT

# The walk's lowest state: every state below it was built before (memo),
# and plain 7.3's W=1 and sparse warnings taken; 0 walks down to 7.3.
low=0
if [ -z "$BREAK" ]; then
	k=-1
	while [ $k -lt "$n" ] && [ -f "$(memo_of $((k + 1)))" ]; do
		k=$((k + 1))
	done
	for a in $ARCHES; do [ -f "$memo/w1-base-$a-$w1base.txt" ] || k=-1; done
	# The tip is always built: its W=1 and sparse are compared below.
	[ $k -ge "$n" ] && k=$((n - 1))
	if [ $k -ge 0 ]; then
		low=$((k + 1))
		case $k in
		0) below="plain 7.3" ;;
		1) below="plain 7.3 and patch 1" ;;
		*) below="plain 7.3 and patches 1-$k" ;;
		esac
		if [ $low = "$n" ]; then above="patch $n"; else above="patches $n-$low"; fi
		info "$below built before with the same config, tools and scripts: walking $above"
		for a in $ARCHES; do
			cp "$memo/w1-base-$a-$w1base.txt" "$CACHE/build/bisect-$a/w1-base.txt" ||
				die "cannot copy the remembered W=1 warnings of 7.3"
		done
	fi
fi

# touches I PATHSPEC...: does going from state I+1 back to state I change
# any of these files?  (The tip changes everything: it is checked whole.)
touches() {
	local i=$1
	shift
	[ "$i" = "$n" ] || ! git -C "$WT" diff --quiet "$(state "$i")" "$(state $((i + 1)))" -- "$@"
}
KERNEL_SRC=(. ':!tools' ':!Documentation' ':!MAINTAINERS')
SELFTEST_SRC=(tools/testing/selftests/kvm include/uapi)

build_kernel() {
	# From the wanted config each time: an option a patch adds is
	# dropped by olddefconfig before it.
	cp "$obj/.config.want" "$obj/.config" &&
		"${K[@]}" olddefconfig && "${K[@]}" -j"$JOBS" vmlinux
}
build_selftests() {
	"${K[@]}" -s headers_install &&
	ns make -C "$TREE/tools/testing/selftests/kvm" OUTPUT="$obj/kselftest/kvm" \
		KHDR_INCLUDES="-isystem $obj/usr/include" EXTRA_CFLAGS=-static \
		ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS} -j"$JOBS"
}

# From the tip back to plain 7.3 (or to state $low), every state on every
# architecture: its kernel and its selftests, each built again where it
# differs from the state after it (built by the step before), else as it
# was there, with the result it had there.  A state that fails is noted and the walk goes
# on: the first patch that breaks a build is the lowest state that fails.
declare -A kst sst	# per architecture: "" (built) or what failed
fails=()
t0=$SECONDS
for ((i = n; i >= low; i--)); do
	c=$(state "$i")
	git -C "$WT" checkout -q --detach "$c" || die "cannot check out $c"
	for a in $ARCHES; do
		arch_vars "$a"
		obj=$CACHE/build/bisect-$a
		K=(ns make -C "$TREE" O="$obj" ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS})
		log=$LOGDIR/bisect-$a-$(printf '%04d' "$i").log
		if [ "$i" = 0 ]; then what="plain 7.3"
		else what="patch $i/$n: $(git -C "$TREE" log -1 --format=%s "$c")"; fi
		printf '%s==>%s [%s] %s ... ' "$B" "$N" "$a" "$what"
		s0=$SECONDS
		: >"$log"
		if touches "$i" "${KERNEL_SRC[@]}"; then
			if build_kernel >>"$log" 2>&1; then kst[$a]=; else kst[$a]=kernel; fi
		else
			echo "no kernel source differs from the step before: the kernel as built there${kst[$a]:+ (failed)}" >>"$log"
		fi
		if git -C "$WT" diff --quiet "$BASE_TAG" "$c" -- "${SELFTEST_SRC[@]}"; then
			sst[$a]=	# the selftests of plain 7.3 are 7.3's business
		elif touches "$i" "${SELFTEST_SRC[@]}"; then
			if build_selftests >>"$log" 2>&1; then sst[$a]=; else sst[$a]=selftests; fi
		else
			echo "no selftest source differs from the step before: the selftests as built there${sst[$a]:+ (failed)}" >>"$log"
		fi
		bad="${kst[$a]}${kst[$a]:+${sst[$a]:+ and }}${sst[$a]}"
		if [ -z "$bad" ]; then
			printf 'done in %s\n' "$(fmt_secs $((SECONDS - s0)))"
		else
			fails[$i]="${fails[$i]:-}$a "
			printf '%sFAILED%s (%s) after %s (log: %s)\n' "$R" "$N" "$bad" \
				"$(fmt_secs $((SECONDS - s0)))" "$log"
		fi
		[ -n "$BREAK" ] && continue
		if { [ "$i" = 0 ] || [ "$i" = "$n" ]; } && [ -z "$bad" ]; then
			name=series
			[ "$i" = 0 ] && name=base
			step "[$a] W=1 and sparse on the objects the series changes ($name)" \
				"$LOGDIR/w1-$name-$a.log" w1_sparse "$name"
			if [ "$i" = 0 ]; then
				cp "$obj/w1-base.txt" "$memo/.w1-base-$a.tmp" &&
					mv "$memo/.w1-base-$a.tmp" "$memo/w1-base-$a-$w1base.txt" ||
					die "cannot remember the W=1 warnings of 7.3"
			fi
		fi
	done
	# Remembered once it built on every architecture, forgotten if not.
	if [ -z "$BREAK" ]; then
		if [ -z "${fails[$i]:-}" ]; then : >"$(memo_of "$i")"; else rm -f "$(memo_of "$i")"; fi
	fi
done

# The first patch that breaks a build: the lowest state that failed.
first=
for ((i = 0; i <= n; i++)); do
	[ -n "${fails[$i]:-}" ] && { first=$i; break; }
done
if [ "$first" = 0 ]; then
	die "plain 7.3 does not build on ${fails[0]}(logs: $LOGDIR/bisect-*-0000.log)"
fi
if [ -n "$first" ]; then
	subj=$(git -C "$TREE" log -1 --format=%s "$(state "$first")")
	for a in ${fails[$first]}; do
		echo "---- last lines of $LOGDIR/bisect-$a-$(printf '%04d' "$first").log ----"
		tail -n 25 "$LOGDIR/bisect-$a-$(printf '%04d' "$first").log"
	done
fi
if [ -n "$BREAK" ]; then
	if [ "$first" = "$BREAK" ]; then
		say "caught: the build broken on purpose by patch $(printf '%04d' "$first") ($subj, ${fails[$first]% })"
		row - series - lint bisect-break pass 0 "patch $first, broken on purpose, named: $subj"
		exit 0
	elif [ -n "$first" ]; then
		row - series - lint bisect-break fail 0 "patch $BREAK broken on purpose, but patch $first broke first"
	else
		echo "${R}patch $BREAK was broken on purpose, yet every patch built${N}" >&2
		row - series - lint bisect-break fail 0 "patch $BREAK broken on purpose, yet every patch built"
	fi
	exit 1
fi
if [ -n "$first" ]; then
	echo "${R}build broken by patch $(printf '%04d' "$first"):${N} $subj (${fails[$first]% })" >&2
	for a in ${fails[$first]}; do
		row "$a" series - lint bisect fail 0 "build broken by patch $(printf '%04d' "$first"): $subj (log: $LOGDIR/bisect-$a-$(printf '%04d' "$first").log)"
	done
	exit 1
fi
for a in $ARCHES; do
	arch_vars "$a"
	obj=$CACHE/build/bisect-$a
	prow "$a" series - lint bisect pass 0 "plain 7.3 and all $n patches build (kernel with KUnit, selftests)"
	w1_compare "$a" || fail=1
done
[ -n "${fail:-}" ] && exit 1
{ echo "$inputs"; date -u '+%Y-%m-%d %H:%M UTC'
  sed "s/\$/ (not rebuilt: same inputs as the walk of $(date -u '+%Y-%m-%d %H:%M UTC'))/" "$rows"; } >"$stamp"
say "every patch builds on: $ARCHES ($(fmt_secs $((SECONDS - t0))))"
