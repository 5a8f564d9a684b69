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
# Everything is written beside patches/ first: patches/ changes only once
# the whole export went through.
new=$(mktemp -d)
trap 'rm -rf "$new"' EXIT
if [ "$n" -gt 0 ]; then
	# The cover letter is from the series' author (format-patch would take
	# whoever runs the export).
	GIT_COMMITTER_NAME=$(git log -1 --format=%an) GIT_COMMITTER_EMAIL=$(git log -1 --format=%ae) \
	git format-patch -q --cover-letter --base="$BASE_TAG" -o "$new" "$BASE_TAG"..HEAD ||
		die "git format-patch failed"
	# Keep the hand-written part of an existing cover letter: its subject
	# and the text above the generated shortlog.
	if [ -s "$cover" ] && ! grep -q '\*\*\* SUBJECT HERE \*\*\*' "$cover"; then
		python3 "$BENCH_ROOT/bench/cover.py" "$cover" "$new/0000-cover-letter.patch" ||
			die "cannot merge the cover letter"
	fi
	# The recipients, from scripts/get_maintainer.pl over all patches.
	"$BENCH_ROOT/bench/recipients.sh" $(find "$new" -name '*.patch' ! -name '0000-*' | sort) \
		>"$new/recipients" &&
		python3 "$BENCH_ROOT/bench/cover_recipients.py" "$new/0000-cover-letter.patch" \
			"$new/recipients" ||
		die "cannot put the recipients into the cover letter"
	rm -f "$new/recipients"
fi
mkdir -p "$out"
rm -f "$out"/*.patch
mv "$new"/*.patch "$out"/ 2>/dev/null
echo "$(hash_files $(series_patches)) $(git rev-parse HEAD)" >"$TREE/.git/bench-series"
say "exported $n patch(es) to patches/ (commit them in the repository)"
