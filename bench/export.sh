#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the commits of the kernel tree (base-7.3..series) back into patches/
# with git format-patch, cover letter included.
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no kernel tree yet: run 'make tree' first"
cd "$TREE" || exit 1
[ -d .git/rebase-apply ] && die "git am is in progress in $TREE: finish or abort it first"
read -r state _ 2>/dev/null <.git/bench-series
[ "$state" = applying ] && [ "$(git rev-list --count "$BASE_TAG"..HEAD)" = 0 ] &&
	die "the last apply of patches/ stopped half-way and the tree holds no commits: nothing to export"
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	die "the kernel tree has uncommitted changes: commit them first"
n=$(git rev-list --count "$BASE_TAG"..HEAD)

out=$BENCH_ROOT/patches
cover=$out/0000-cover-letter.patch
keep=$(mktemp)
[ -f "$cover" ] && cp "$cover" "$keep"
rm -f "$out"/*.patch
if [ "$n" -gt 0 ]; then
	# The cover letter is from the series' author (format-patch would take
	# whoever runs the export).
	GIT_COMMITTER_NAME=$(git log -1 --format=%an) GIT_COMMITTER_EMAIL=$(git log -1 --format=%ae) \
	git format-patch -q --cover-letter --base="$BASE_TAG" -o "$out" "$BASE_TAG"..HEAD ||
		die "git format-patch failed"
	# Keep the hand-written part of an existing cover letter: its subject
	# and the text above the generated shortlog.
	if [ -s "$keep" ] && ! grep -q '\*\*\* SUBJECT HERE \*\*\*' "$keep"; then
		python3 "$BENCH_ROOT/bench/cover.py" "$keep" "$cover" || die "cannot merge the cover letter"
	fi
	# The recipients, from scripts/get_maintainer.pl over all patches.
	rcpt=$(mktemp)
	"$BENCH_ROOT/bench/recipients.sh" $(series_patches) >"$rcpt" &&
		python3 "$BENCH_ROOT/bench/cover_recipients.py" "$cover" "$rcpt" ||
		{ rm -f "$rcpt"; die "cannot put the recipients into the cover letter"; }
	rm -f "$rcpt"
fi
rm -f "$keep"
echo "$(hash_files $(series_patches)) $(git rev-parse HEAD)" >"$TREE/.git/bench-series"
say "exported $n patch(es) to patches/ (commit them in the repository)"
