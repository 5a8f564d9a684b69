#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bring the kernel tree to base-7.3 + patches/*.patch, applied with git am as
# commits on branch "series".  Does nothing when the tree already holds
# exactly the committed series.  Never throws away work: a tree with
# uncommitted changes, a git am in progress, or commits that are not in
# patches/ is refused (FORCE=1 replaces them by patches/).
. "$(dirname "$0")/lib.sh"

"$BENCH_ROOT/bench/base.sh" || exit 1
cd "$TREE" || exit 1

MARK=$TREE/.git/bench-series	# "<hash of patches> <HEAD after applying>"
mapfile -t patches < <(series_patches)
want=$(hash_files "${patches[@]}")
force=${FORCE:-0}

if [ -d .git/rebase-apply ]; then
	[ "$force" = 1 ] || die "a git am is in progress in $TREE (a patch did not apply).
       Resolve it there (git am --continue, then 'make export'), or drop it
       (git -C $TREE am --abort), or run again with FORCE=1"
	git am --abort >/dev/null 2>&1 || rm -rf .git/rebase-apply
fi

read -r have_hash have_head 2>/dev/null <"$MARK"
head=$(git rev-parse HEAD)
dirty=$(git status --porcelain --untracked-files=no)

if [ "$have_hash" = "$want" ] && [ "$have_head" = "$head" ]; then
	[ -z "$dirty" ] && exit 0
	warn "the kernel tree has uncommitted changes; they are built as they are:"
	printf '%s\n' "$dirty" | sed 's/^/      /' >&2
	exit 0
fi

if [ "$force" != 1 ]; then
	# No patches at all while the tree holds some: a bench without its
	# patches/ (a copy of bench/ alone), not a series to drop.
	[ ${#patches[@]} -gt 0 ] || [ "$head" = "$(git rev-parse "$BASE_TAG")" ] ||
		die "$BENCH_ROOT/patches holds no patch but the kernel tree $TREE holds a series:
       refusing to drop it (FORCE=1 does)"
	[ -z "$dirty" ] || die "the kernel tree $TREE has uncommitted changes and patches/ changed:
       commit them and run 'make export', or discard them (git -C $TREE stash), or FORCE=1"
	[ "$head" = "$have_head" ] || [ "$head" = "$(git rev-parse "$BASE_TAG")" ] ||
		die "the kernel tree $TREE has commits that are not in patches/:
       run 'make export' to keep them, or FORCE=1 to replace them by patches/"
fi

t0=$SECONDS
say "applying ${#patches[@]} patch(es) from patches/ onto $BASE_TAG"
# Remember the files the old series touched, with their blob and time
# stamp: a file that comes out of the new series with the same contents
# gets its old time stamp back, so only what really changed is rebuilt.
keep=$(mktemp)
git diff --name-only "$BASE_TAG" HEAD 2>/dev/null | while read -r f; do
	[ -f "$f" ] && printf '%s\t%s\t%s\n' "$(git rev-parse -q "HEAD:$f")" "$(stat -c %y "$f")" "$f"
done >"$keep"

echo "applying -" >"$MARK"
git checkout -q -f -B series "$BASE_TAG" || die "cannot reset $TREE to $BASE_TAG"
log=$LOGDIR/git-am.log
# A fixed committer (and date) makes the same patches give the same
# commit ids; the authors come from the patches.
if [ ${#patches[@]} -gt 0 ] &&
   ! GIT_COMMITTER_NAME="KVM gmem bench" GIT_COMMITTER_EMAIL="bench@localhost" \
     git am -3 --keep-cr --committer-date-is-author-date "${patches[@]}" >"$log" 2>&1; then
	failed=$(sed -n 's/^Patch failed at \([0-9]*\) .*/\1/p' "$log" | tail -n 1)
	name=${patches[$((10#${failed:-1} - 1))]}
	echo "${R}patch does not apply:${N} patches/$(basename "$name")" >&2
	# Only what git said about the failing patch (after its "Applying:").
	files=$( { git diff --name-only --diff-filter=U
		   awk '/^Applying: /{ buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }' "$log" |
		   sed -n 's/^error: patch failed: \(.*\):[0-9]*$/\1/p;
			   s/^error: \(.*\): does not exist in index$/\1/p;
			   s/^error: \(.*\): already exists in index$/\1/p;
			   s/^CONFLICT ([^)]*): .* in \(.*\)$/\1/p'; } | sort -u)
	[ -n "$files" ] && { echo "files in conflict:"; printf '    %s\n' $files; } >&2
	echo "git am output: $log" >&2
	echo "the tree is left as git am left it, for inspection: $TREE" >&2
	echo "(git -C $TREE am --show-current-patch=diff; git -C $TREE am --abort to drop it)" >&2
	rm -f "$keep"
	exit 1
fi
while IFS=$'\t' read -r blob stamp f; do
	[ "$(git rev-parse -q "HEAD:$f" 2>/dev/null)" = "$blob" ] && touch -d "$stamp" "$f"
done <"$keep"
rm -f "$keep"
echo "$want $(git rev-parse HEAD)" >"$MARK"
info "series applied: $(git rev-list --count "$BASE_TAG"..HEAD) commit(s) on $BASE_TAG in $(fmt_secs $((SECONDS - t0)))"
