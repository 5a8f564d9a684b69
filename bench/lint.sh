#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What a maintainer runs on a series before taking it, each check a result
# row of group "lint" (check.sh runs this after checkpatch: make lint, and
# at the end of make check unless LINT=0):
#   form        every patch and the cover letter (bench/patchform.py):
#               subsystem prefix and imperative shortlog, changelog lines,
#               Signed-off-by of the author; the cover letter's recipients
#               as scripts/get_maintainer.pl gives them, its shortlog,
#               diffstat and base-commit
#   kernel-doc  scripts/kernel-doc -none -Wall on the kernel C files and
#               headers the series changes: no warning that 7.3 has not
#   rst         the .rst files the series changes, through docutils
#               (bench/rstcheck.py): no message that 7.3 has not
#   bisect      on each architecture, the tree built after every patch,
#   w1-sparse   and the changed objects with W=1 and sparse (bench/bisect.sh)
. "$(dirname "$0")/lib.sh"

"$BENCH_ROOT/bench/tree.sh" || exit 1
base_tree || die "git worktree add of the base failed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0

changed() {	# the files the series adds or changes, of the given patterns
	git -C "$TREE" diff --name-only --diff-filter=AMR "$BASE_TAG" series -- "$@"
}

say "lint: the form of the patches and of the cover letter"
mapfile -t patches < <(series_patches)
if [ ${#patches[@]} -gt 0 ]; then
	"$BENCH_ROOT/bench/recipients.sh" "${patches[@]}" >"$tmp/recipients" ||
		die "scripts/get_maintainer.pl failed"
	python3 "$BENCH_ROOT/bench/patchform.py" "$(git -C "$TREE" rev-parse "$BASE_TAG^{commit}")" \
		"$BENCH_ROOT/patches/0000-cover-letter.patch" "$tmp/recipients" "${patches[@]}" \
		>"$tmp/form"
	st=$?
	if [ $st -gt 1 ] || [ "$(wc -l <"$tmp/form")" != $((${#patches[@]} + 1)) ]; then
		echo "patchform.py failed (exit $st)" >&2
		row - series - lint form fail 0 "patchform.py failed (exit $st)"
		rc=1
	fi
	while IFS=$'\t' read -r st name detail; do
		printf '    %-4s %s: %s\n' "${st^^}" "$name" "$detail"
		row - series - lint "form $name" "$st" 0 "$detail"
		[ "$st" = pass ] || rc=1
	done <"$tmp/form"
fi

say "lint: kernel-doc on the changed kernel sources, against 7.3"
mapfile -t srcs < <(changed '*.c' '*.h' | grep -v '^tools/')
: >"$tmp/kd-base"
: >"$tmp/kd-series"
for f in "${srcs[@]}"; do
	(cd "$TREE" && ./scripts/kernel-doc -none -Wall "$f") >>"$tmp/kd-series" 2>&1 ||
		echo "kernel-doc failed on $f" >>"$tmp/kd-series"
	if [ -f "$BASE_TREE/$f" ]; then
		(cd "$BASE_TREE" && ./scripts/kernel-doc -none -Wall "$f") >>"$tmp/kd-base" 2>&1 ||
			echo "kernel-doc failed on $f" >>"$tmp/kd-base"
	fi
done
# A crash is no finding that 7.3 shares.
grep -q '^Traceback' "$tmp/kd-series" && echo "kernel-doc crashed" >>"$tmp/kd-series"
for s in base series; do
	sed -Ei 's/:[0-9]+ / /; s/ line [0-9]+//' "$tmp/kd-$s"
done
new=$(new_lines "$tmp/kd-base" "$tmp/kd-series")
if [ -n "$new" ]; then
	printf '    FAIL kernel-doc: new warnings:\n'
	printf '%s\n' "$new" | sed 's/^/         /'
	row - series - lint kernel-doc fail 0 "$(printf '%s; ' "$new")"
	rc=1
else
	info "PASS kernel-doc: ${#srcs[@]} files, $(wc -l <"$tmp/kd-series") warnings, all as on 7.3"
	row - series - lint kernel-doc pass 0 "${#srcs[@]} files, no warning that 7.3 has not"
fi

say "lint: reStructuredText of the changed documents, against 7.3"
mapfile -t docs < <(changed '*.rst')
# Debian's python3-docutils, or whatever python3 comes first if it has it.
py=python3
$py -c 'import docutils' 2>/dev/null || py=/usr/bin/python3
$py -c 'import docutils' 2>/dev/null || die "no python3 with docutils (Debian: python3-docutils)"
: >"$tmp/rst-base"
: >"$tmp/rst-series"
for f in "${docs[@]}"; do
	(cd "$TREE" && $py "$BENCH_ROOT/bench/rstcheck.py" "$f") >>"$tmp/rst-series" 2>&1 ||
		echo "rstcheck.py failed on $f" >>"$tmp/rst-series"
	if [ -f "$BASE_TREE/$f" ]; then
		(cd "$BASE_TREE" && $py "$BENCH_ROOT/bench/rstcheck.py" "$f") >>"$tmp/rst-base" 2>&1 ||
			echo "rstcheck.py failed on $f (7.3)" >>"$tmp/rst-base"
	fi
done
sed -Ei 's/:[0-9?]+: /: /' "$tmp/rst-base" "$tmp/rst-series"
new=$(new_lines "$tmp/rst-base" "$tmp/rst-series")
if [ -n "$new" ]; then
	printf '    FAIL rst: new messages:\n'
	printf '%s\n' "$new" | sed 's/^/         /'
	row - series - lint rst fail 0 "$(printf '%s; ' "$new")"
	rc=1
else
	info "PASS rst: ${docs[*]:-no .rst changed}: no message that 7.3 has not"
	row - series - lint rst pass 0 "${#docs[@]} file(s), no message that 7.3 has not"
fi

say "lint: every patch builds; W=1 and sparse on the changed objects"
"$BENCH_ROOT/bench/bisect.sh" || rc=1
exit $rc
