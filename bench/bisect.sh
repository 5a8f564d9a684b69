#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the tree after each patch of the series, on every architecture in
# $ARCHES, so that bisection never hits a broken build: the kernel image
# (with the bench's config) and, for patches that touch them, the KVM
# selftests.  Incremental: a worktree of its own and one build directory
# per architecture.  Names the first patch that breaks a build.
. "$(dirname "$0")/lib.sh"

ARCHES=${ARCHES:-x86_64 arm64}
WT=$CACHE/linux-bisect
"$BENCH_ROOT/bench/tree.sh" || exit 1
if [ ! -f "$WT/Makefile" ]; then
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$WT" "$BASE_TAG" || die "git worktree add failed"
fi
mapfile -t commits < <(git -C "$TREE" rev-list --reverse "$BASE_TAG"..series)
[ ${#commits[@]} -gt 0 ] || { info "no patches: nothing to bisect"; exit 0; }

for a in $ARCHES; do
	arch_vars "$a"
	obj=$CACHE/build/bisect-$a
	mkdir -p "$obj"
	[ -f "$CACHE/build/series-$a/.config" ] ||
		die "no config for $a yet: run 'make check' (or kernel.sh series $a) first"
	cmp -s "$CACHE/build/series-$a/.config" "$obj/.config" ||
		cp "$CACHE/build/series-$a/.config" "$obj/.config"
done

i=0
for c in "${commits[@]}"; do
	i=$((i + 1))
	subj=$(git -C "$TREE" log -1 --format=%s "$c")
	git -C "$WT" checkout -q --detach "$c" || die "cannot check out $c"
	for a in $ARCHES; do
		arch_vars "$a"
		obj=$CACHE/build/bisect-$a
		K=(make -C "$WT" O="$obj" ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS})
		build() {
			"${K[@]}" olddefconfig && "${K[@]}" -j"$JOBS" "$(basename "$KIMAGE")" || return 1
			git -C "$WT" diff --quiet "$c~1" "$c" -- tools/testing/selftests/kvm include/uapi && return 0
			"${K[@]}" -s headers_install &&
			make -C "$WT/tools/testing/selftests/kvm" OUTPUT="$obj/kselftest/kvm" \
				KHDR_INCLUDES="-isystem $obj/usr/include" EXTRA_CFLAGS=-static \
				ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS} -j"$JOBS"
		}
		log=$LOGDIR/bisect-$a-$(printf '%04d' $i).log
		if ! ( step "[$a] patch $i/${#commits[@]}: $subj" "$log" build ); then
			echo "${R}build broken by patch $(printf '%04d' $i):${N} $subj ($a)" >&2
			exit 1
		fi
	done
done
say "every patch builds on: $ARCHES"
