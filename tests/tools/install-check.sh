#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make install` and `make uninstall` on the host, as TAP, never outside a
# staging root: the DESTDIR layout is exactly the expected files with
# their modes, a second install keeps a changed configuration, other
# prefixes reach the unit, uninstall leaves nothing behind, the recipes
# without DESTDIR call dkms as they should (make -n: nothing runs), the
# unit passes systemd-analyze verify and stays hardened, and the man
# pages render without a warning.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/tools/tap.sh"
cd "$top" || exit 1

tap_plan 16
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
work=$(mktemp -d /tmp/kgate-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
# The highest exposure systemd-analyze security may give the unit.
max_exposure=2.5

# inst ROOT [VAR=VALUE...]: make install into ROOT; its output in $OUT.
inst() {
	local r=$1
	shift
	OUT=$(make -s install DESTDIR="$r" "$@" 2>&1)
}
uninst() {
	local r=$1
	shift
	OUT=$(make -s uninstall DESTDIR="$r" "$@" 2>&1)
}

# expected: "MODE PATH" of every file a default install lays out.
expected() {
	local f
	printf '%s\n' "755 /usr/sbin/kgate" "755 /usr/sbin/kgated" \
		"644 /lib/systemd/system/kgated.service" \
		"644 /etc/kgate/kgated.yaml" \
		"644 /usr/share/man/man8/kgate.8" \
		"644 /usr/share/man/man8/kgated.8"
	while IFS= read -r f; do
		echo "$(stat -c %a "$f") /usr/src/kgate-$ver/$f"
	done < <(find Kbuild Makefile dkms.conf kmod include -type f)
}
# laid_out ROOT: "MODE PATH" of every file and link under ROOT, and every
# directory that is not on the way to one (so an empty one shows).
laid_out() {
	(cd "$1" && find . -mindepth 1 \( -type f -o -type l -o -type d -empty \) \
		-printf '%m /%P\n')
}
# differ WANT GOT: the lines only one of them has.
differ() {
	diff <(sort <<<"$1") <(sort <<<"$2") | grep '^[<>]'
}

if inst "$root"; then
	tap_ok "make install DESTDIR=... succeeds"
else
	tap_fail "make install DESTDIR=... succeeds" "$OUT"
fi
want=$(expected; echo "755 /etc/kgate/manifests")
got=$(laid_out "$root")
if d=$(differ "$want" "$got"); then
	tap_fail "DESTDIR holds exactly the expected files and modes" "$d"
else
	tap_ok "DESTDIR holds exactly the expected files and modes ($(wc -l <<<"$got") entries)"
fi
unit=$root/lib/systemd/system/kgated.service
if grep -qx 'ExecStart=/usr/sbin/kgated -c /etc/kgate/kgated.yaml' "$unit" &&
   grep -qx 'ExecStartPre=+/sbin/modprobe kgate' "$unit"; then
	tap_ok "the installed unit starts /usr/sbin/kgated with /etc/kgate/kgated.yaml"
else
	tap_fail "the installed unit starts /usr/sbin/kgated with /etc/kgate/kgated.yaml" \
		"$(grep '^Exec' "$unit")"
fi
if cmp -s userspace/kgated/kgated.yaml "$root/etc/kgate/kgated.yaml"; then
	tap_ok "the default configuration is installed as it is"
else
	tap_fail "the default configuration is installed as it is"
fi

# --- a second install keeps the administrator's configuration -------------
echo "# changed by the administrator" >>"$root/etc/kgate/kgated.yaml"
mine=$(cat "$root/etc/kgate/kgated.yaml")
if inst "$root" && [ "$(cat "$root/etc/kgate/kgated.yaml")" = "$mine" ] &&
   grep -q "keeping .*kgated.yaml" <<<"$OUT"; then
	tap_ok "a second install keeps a changed kgated.yaml, and says so"
else
	tap_fail "a second install keeps a changed kgated.yaml, and says so" "$OUT"
fi

# --- the unit: verify, security ---------------------------------------------
# verify checks that the commands exist and that man finds the pages of
# Documentation=: a copy of the unit names the staged kgated, MANPATH the
# staged pages.
mkdir -p "$work/verify"
sed "s|/usr/sbin/kgated|$root/usr/sbin/kgated|" "$unit" >"$work/verify/kgated.service"
if out=$(MANPATH=$root/usr/share/man systemd-analyze verify \
		"$work/verify/kgated.service" 2>&1) && [ -z "$out" ]; then
	tap_ok "systemd-analyze verify: the unit is clean"
else
	tap_fail "systemd-analyze verify: the unit is clean" "$out"
fi
score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null |
	sed -n 's/.*Overall exposure level for kgated.service: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'; then
	tap_ok "systemd-analyze security: exposure $score, at most $max_exposure"
else
	tap_fail "systemd-analyze security: exposure ${score:-unknown}, at most $max_exposure"
fi

# --- the man pages ----------------------------------------------------------
for page in kgate kgated; do
	f=$root/usr/share/man/man8/$page.8
	# Piped, man overstrikes for bold: col -b takes that out.
	if out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l -Tutf8 "$f" 2>&1 >"$work/$page.raw") &&
	   [ -z "$out" ] && col -b <"$work/$page.raw" >"$work/$page.txt" && grep -q "^NAME" "$work/$page.txt" &&
	   grep -q "^SYNOPSIS" "$work/$page.txt" && grep -q "^SEE ALSO" "$work/$page.txt"; then
		tap_ok "man -l $page.8 renders, with no warning"
	else
		tap_fail "man -l $page.8 renders, with no warning" "$out"
	fi
done

# --- uninstall ----------------------------------------------------------------
if uninst "$root" && [ -z "$(ls -A "$root")" ]; then
	tap_ok "make uninstall DESTDIR=... leaves nothing behind"
else
	tap_fail "make uninstall DESTDIR=... leaves nothing behind" \
		"$OUT" "$(cd "$root" && find . -mindepth 1 | head -20)"
fi

# A manifest someone put in the staged manifest directory is theirs.
inst "$root"
echo "kind: Service" >"$root/etc/kgate/manifests/mine.yaml"
chmod 0644 "$root/etc/kgate/manifests/mine.yaml"
uninst "$root"
got=$(laid_out "$root")
if [ "$got" = "644 /etc/kgate/manifests/mine.yaml" ]; then
	tap_ok "uninstall keeps a manifest it did not put down, and nothing else"
else
	tap_fail "uninstall keeps a manifest it did not put down, and nothing else" "$got"
fi
rm -rf "$root"

# --- other directories ----------------------------------------------------------
dirs=(prefix=/opt/kg sysconfdir=/opt/kg/etc unitdir=/opt/kg/unit mandir=/opt/kg/man)
inst "$root" "${dirs[@]}"
unit=$root/opt/kg/unit/kgated.service
if [ -f "$root/opt/kg/sbin/kgated" ] && [ -f "$root/opt/kg/man/man8/kgated.8" ] &&
   grep -qx 'ExecStart=/opt/kg/sbin/kgated -c /opt/kg/etc/kgate/kgated.yaml' "$unit"; then
	tap_ok "prefix, sysconfdir, unitdir and mandir place the files, and the unit names them"
else
	tap_fail "prefix, sysconfdir, unitdir and mandir place the files, and the unit names them" \
		"$OUT" "$(laid_out "$root" | grep -v /usr/src/ | head -20)"
fi
uninst "$root" "${dirs[@]}"
if [ -z "$(ls -A "$root" 2>/dev/null)" ]; then
	tap_ok "and uninstall with the same directories leaves nothing"
else
	tap_fail "and uninstall with the same directories leaves nothing" \
		"$(laid_out "$root" | head -20)"
fi

# --- without DESTDIR: what would run (make -n runs nothing) ------------------------
out=$(make -n install KVER=9.9.9-test 2>&1)
want="dkms add -m kgate -v $ver --sourcetree /usr/src
dkms build -m kgate -v $ver -k 9.9.9-test --sourcetree /usr/src
dkms install -m kgate -v $ver -k 9.9.9-test --sourcetree /usr/src"
if [ "$(grep -E '^dkms (add|build|install) ' <<<"$out")" = "$want" ]; then
	tap_ok "make install without DESTDIR: dkms add, build, install of kgate/$ver for KVER"
else
	tap_fail "make install without DESTDIR: dkms add, build, install of kgate/$ver for KVER" \
		"$(grep dkms <<<"$out")"
fi
out=$(make -n uninstall 2>&1)
if grep -q "dkms remove -m kgate -v $ver --all" <<<"$out" &&
   grep -q "systemctl disable --now kgated.service" <<<"$out"; then
	tap_ok "make uninstall without DESTDIR: stops kgated, dkms remove --all"
else
	tap_fail "make uninstall without DESTDIR: stops kgated, dkms remove --all" "$out"
fi
out=$( (make -n install DESTDIR="$root"; make -n uninstall DESTDIR="$root") 2>&1)
if ! grep -qE '(^|[ ;(])(dkms|systemctl) ' <<<"$out"; then
	tap_ok "with DESTDIR, neither install nor uninstall calls dkms or systemctl"
else
	tap_fail "with DESTDIR, neither install nor uninstall calls dkms or systemctl" \
		"$(grep -E 'dkms|systemctl' <<<"$out")"
fi
