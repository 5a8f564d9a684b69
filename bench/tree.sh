#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bring the kernel tree to base-7.3 + patches/*.patch, applied with git am as
# commits on branch "series".  Does nothing when the tree already holds
# exactly the committed series.  Never throws away work: a tree with
# uncommitted changes or with commits that are not in patches/ is refused.
. "$(dirname "$0")/lib.sh"

"$BENCH_ROOT/bench/base.sh" || exit 1
cd "$TREE" || exit 1

MARK=$TREE/.git/bench-series	# "<hash of patches> <HEAD after applying>"
want=$(hash_files $(series_patches))
mapfile -t patches < <(series_patches)

if [ -d .git/rebase-apply ]; then
	info "aborting the git am left over from an earlier failed apply"
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

if [ -n "$dirty" ]; then
	die "the kernel tree $TREE has uncommitted changes and patches/ changed:
       commit them and run 'make export', or discard them (git -C $TREE stash)"
fi
# "applying": an earlier apply of ours stopped half-way; its commits are
# ours to replace.
if [ "$have_hash" != applying ] && [ -n "$have_head" ] && [ "$head" != "$have_head" ] &&
   [ "$head" != "$(git rev-parse "$BASE_TAG")" ] && [ "${FORCE:-0}" != 1 ]; then
	die "the kernel tree $TREE has commits that are not in patches/:
       run 'make export' to keep them, or FORCE=1 to replace them by patches/"
fi

t0=$SECONDS
say "applying ${#patches[@]} patch(es) from patches/ onto $BASE_TAG"
# Only files the series touches change, so builds stay incremental.
echo "applying -" >"$MARK"
git checkout -q -B series "$BASE_TAG" || die "cannot reset $TREE to $BASE_TAG"
log=$LOGDIR/git-am.log
: >"$log"
for p in "${patches[@]}"; do
	if ! git am -3 --keep-cr --committer-date-is-author-date "$p" >>"$log" 2>&1; then
		echo "${R}patch does not apply:${N} patches/$(basename "$p")" >&2
		files=$( { git diff --name-only --diff-filter=U
			   sed -n 's/^error: patch failed: \(.*\):[0-9]*$/\1/p;
				   s/^error: \(.*\): does not exist in index$/\1/p;
				   s/^error: \(.*\): already exists in index$/\1/p' "$log"; } | sort -u)
		[ -n "$files" ] && { echo "files in conflict:"; printf '    %s\n' $files; } >&2
		echo "git am output: $log" >&2
		echo "the tree is left as git am left it, for inspection: $TREE" >&2
		echo "(git -C $TREE am --show-current-patch=diff; the next run aborts it)" >&2
		exit 1
	fi
done
echo "$want $(git rev-parse HEAD)" >"$MARK"
info "series applied: $(git rev-list --count "$BASE_TAG"..HEAD) commit(s) on $BASE_TAG in $(fmt_secs $((SECONDS - t0)))"
