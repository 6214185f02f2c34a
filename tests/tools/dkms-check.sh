#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `dkms build` of the tree as a user would install it (/usr/src/kgate-VERSION),
# for every kernel the VM tests boot, in a private dkms tree, as TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/tools/tap.sh"
cd "$top"

kvers=$(tests/vm/kernels.sh list) || { tap_plan 1; tap_fail "pick kernels"; exit 1; }
# dkms add, then one build per kernel.
tap_plan $((1 + $(wc -w <<<"$kvers")))
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
work=$top/build/dkms
rm -rf "$work"
mkdir -p "$work/src/kgate-$ver" "$work/tree"
cp -r Kbuild Makefile dkms.conf kmod include "$work/src/kgate-$ver/"
dkms=(dkms --sourcetree "$work/src" --dkmstree "$work/tree")
if ! out=$("${dkms[@]}" add -m kgate -v "$ver" 2>&1); then
	tap_fail "dkms add" "$out"
	exit 0
fi
tap_ok "dkms add"
for kver in $kvers; do
	tests/vm/kernels.sh headers "$kver" >&2
	echo "dkms: build for $kver" >&2
	if out=$("${dkms[@]}" build -m kgate -v "$ver" -k "$kver" 2>&1) &&
	   compgen -G "$work/tree/kgate/$ver/$kver/x86_64/module/kgate.ko*" >/dev/null; then
		tap_ok "dkms build on $kver"
	else
		tap_fail "dkms build on $kver" "$out"
	fi
done
