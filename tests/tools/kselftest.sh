#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own test and lint tools, taken from Debian's linux-source-6.12.
#
#   kselftest.sh             print the directory holding kselftest_harness.h and kselftest.h
#                            (for -I): $KGATE_CACHE/src/kselftest
#   kselftest.sh checkpatch  print the path of checkpatch.pl (spelling.txt and
#                            const_structs.checkpatch sit beside it)
#   kselftest.sh ynl         print the path of the kernel's YNL cli.py (tools/net/ynl),
#                            which drives a genetlink family from its YAML spec
#
# The files come out of /usr/src/linux-source-6.12.tar.xz in one tar pass and are kept
# in $KGATE_CACHE/src until the tarball changes; the package is installed if the tarball
# is missing. Progress goes to stderr; stdout carries only the path.

set -euo pipefail

CACHE=${KGATE_CACHE:-/var/cache/kgate}
PKG=linux-source-6.12
TARBALL=/usr/src/$PKG.tar.xz
SRC=$CACHE/src
STAMP=$SRC/.kgate-stamp
# tarball member (below its top directory) -> place in $SRC
FILES=(
	tools/testing/selftests/kselftest_harness.h:kselftest/kselftest_harness.h
	tools/testing/selftests/kselftest.h:kselftest/kselftest.h
	scripts/checkpatch.pl:scripts/checkpatch.pl
	scripts/spelling.txt:scripts/spelling.txt
	scripts/const_structs.checkpatch:scripts/const_structs.checkpatch
	tools/net/ynl/cli.py:ynl/cli.py
	tools/net/ynl/lib/__init__.py:ynl/lib/__init__.py
	tools/net/ynl/lib/nlspec.py:ynl/lib/nlspec.py
	tools/net/ynl/lib/ynl.py:ynl/lib/ynl.py
)

log() { printf 'kselftest: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

install_source() {
	export DEBIAN_FRONTEND=noninteractive
	log "$TARBALL missing: installing $PKG"
	if ! apt-get install -y -q --no-install-recommends "$PKG" >&2; then
		apt-get update -qq >&2 || die "apt-get update failed"
		apt-get install -y -q --no-install-recommends "$PKG" >&2 ||
			die "apt-get install $PKG failed"
	fi
	[ -f "$TARBALL" ] || die "$PKG installed but $TARBALL is missing"
}

# Identity of the tarball: a new package version changes size or mtime.
tarball_id() { stat -c '%s %Y' "$TARBALL"; }

up_to_date() {
	local f
	[ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(tarball_id)" ] || return 1
	for f in "${FILES[@]}"; do
		[ -f "$SRC/${f#*:}" ] || return 1
	done
}

extract() {
	local tmp top f members=()
	top=$(tar -tJf "$TARBALL" 2>/dev/null | head -n 1 | cut -d/ -f1) || true
	[ -n "$top" ] || die "cannot read $TARBALL"
	for f in "${FILES[@]}"; do
		members+=("$top/${f%%:*}")
	done
	mkdir -p "$SRC"
	tmp=$(mktemp -d "$SRC/.extract.XXXXXX")
	log "extracting ${#FILES[@]} files from $TARBALL (one pass over 150 MB, ~15 s)"
	if ! tar -xJf "$TARBALL" -C "$tmp" "${members[@]}"; then
		rm -rf "$tmp"
		die "tar failed on $TARBALL"
	fi
	for f in "${FILES[@]}"; do
		mkdir -p "$(dirname "$SRC/${f#*:}")"
		mv -f "$tmp/$top/${f%%:*}" "$SRC/${f#*:}"
	done
	chmod 755 "$SRC/scripts/checkpatch.pl"
	rm -rf "$tmp"
	tarball_id >"$STAMP"
}

[ -f "$TARBALL" ] || install_source
up_to_date || extract

case ${1-} in
"") echo "$SRC/kselftest" ;;
checkpatch) echo "$SRC/scripts/checkpatch.pl" ;;
ynl) echo "$SRC/ynl/cli.py" ;;
*)
	sed -n '4,11p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
