#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Smoke test of the VM runner, run inside the guest:
#   tests/vm/run.sh VER tests/vm/selftest-smoke.sh
# Checks what every kgate VM suite relies on and prints TAP.

set -u

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

echo "TAP version 13"
echo "1..7"
echo "# uname -r: $(uname -r)"
echo "# cwd: $(pwd)"
echo "# lsmod:"
lsmod | sed 's/^/#   /'

check "running the requested kernel (KGATE_KVER=${KGATE_KVER-unset})" \
	test "$(uname -r)" = "${KGATE_KVER-}"
check "/lib/modules/$(uname -r)/kernel exists" test -d "/lib/modules/$(uname -r)/kernel"
check "modprobe nf_conntrack" modprobe nf_conntrack
check "nf_conntrack is loaded" grep -q '^nf_conntrack ' /proc/modules
if ip netns add kgate-smoke; then
	ok "ip netns add"
	check "ip netns exec runs in the new netns" \
		test "$(ip netns exec kgate-smoke ip -o link show | wc -l)" = 1
	ip netns del kgate-smoke
else
	not_ok "ip netns add"
	not_ok "ip netns exec runs in the new netns # no netns"
fi
echo smoke >"${KGATE_OUT:-/nonexistent}/smoke.txt" 2>/dev/null
check "KGATE_OUT is writable" test -s "${KGATE_OUT:-/nonexistent}/smoke.txt"

echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
