#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The recipients of the series, from the kernel's scripts/get_maintainer.pl
# run over all its patches: "To: " for maintainers, "Cc: " for reviewers
# and lists, one address a line, in get_maintainer.pl's order.
# Usage: recipients.sh PATCH...
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || die "usage: recipients.sh PATCH..."
out=$(cd "$TREE" && ./scripts/get_maintainer.pl --no-git --no-git-fallback --rolestats "$@") ||
	die "scripts/get_maintainer.pl failed"
printf '%s\n' "$out" | awk '
	/\(maintainer:/ && !/@(vger\.kernel\.org|lists\.)/ { sub(/ \(.*$/, ""); print "To: " $0; next }
	{ sub(/ \(.*$/, ""); if ($0 != "") print "Cc: " $0 }'
