# SPDX-License-Identifier: GPL-2.0
# Sourced by the scripts that fetch Debian packages into the cache.

# The Debian archive this machine uses, read from its own apt sources: the
# URI of the entry for the machine's codename (not -security) with "main".
apt_uri() {
	local code f
	code=$(. /etc/os-release 2>/dev/null && echo "$VERSION_CODENAME")
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v code="$code" 'BEGIN { RS = ""; FS = "\n" }
		     { uri = ""; ok = 0; main = 0
		       for (i = 1; i <= NF; i++) {
			 if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
			 if ($i ~ /^Suites:/ && $i ~ ("[ \t]" code "([ \t]|$)")) ok = 1
			 if ($i ~ /^Components:.*[ \t]main([ \t]|$)/) main = 1 }
		       if (uri != "" && ok && main) { print uri; exit } }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v code="$code" '$1 == "deb" {
			sub(/\[[^]]*\][ \t]*/, "")
			if ($3 == code && $0 ~ /[ \t]main([ \t]|$)/) { print $2; exit } }' "$f"
	done
}

# apt_opts DIR: apt-get options, in APTOPT, for a private apt configuration
# under DIR (DIR/sources.list, its lists and downloaded archives), which
# leaves the machine's own apt state alone.
apt_opts() {
	APTOPT=(-o Dir::Etc::SourceList="$1/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$1/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
		-o Dir::Cache::Archives="$1/archives" -o APT::Get::List-Cleanup=0)
}
