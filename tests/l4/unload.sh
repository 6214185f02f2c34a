#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod while connections through a VIP are open: no splat (the runner
# checks the kernel log), and traffic to the VIP simply stops, for the
# open connection too.  Loads kgate back for whoever comes next.  TAP; in
# the VM guest, with kgate loaded; runs last of tests/l4.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 4
ko=${KGATE_KO:?KGATE_KO must name kgate.ko}

topo_up 2
trap topo_down EXIT
kgate service add default/chat:tcp cluster 10.96.0.40:81/tcp \
	backend 10.244.2.2:8081
dir=$(mktemp -d)

# A long-lived connection: answers before and after the unload, if any.
in_ns pod1 bash -c '
	exec 3<>/dev/tcp/10.96.0.40/81 || exit 1
	echo one >&3; read -r who _ <&3; echo "$who" >"$1/before"
	while [ ! -e "$1/go" ]; do sleep 0.05; done
	echo two >&3; read -t 3 -r who _ <&3; echo "${who:-nothing}" >"$1/after"' \
	_ "$dir" &
wait_for 20 test -s "$dir/before"
check "a connection through the VIP is open" \
	test "$(cat "$dir/before")" = pod2

check "rmmod kgate with the connection open" rmmod kgate
: >"$dir/go"
wait
echo "# after rmmod the open connection got: $(cat "$dir/after")"
# got_after: the open connection got an answer after the unload (status
# 2: its client never wrote what it got).
got_after() {
	local after
	after=$(cat "$dir/after") || return 2
	[ "$after" != nothing ]
}
# The controls: the same connection answered before the unload; pod1
# reaches a pod directly with the same client.
refute "the open connection no longer reaches the backend" \
	test "$(cat "$dir/before")" = pod2 -- got_after
refute "a new connection to the VIP reaches nothing" \
	answers tcp_get pod1 10.244.2.2 8080 -- answers tcp_get pod1 10.96.0.40 81

insmod "$ko"
rm -rf "$dir"
[ "$TAP_FAILED" = 0 ]
