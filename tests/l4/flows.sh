#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Flows over time: an open TCP connection survives its backend turning
# terminating; UDP flows leave a backend that left its service at once,
# and none is stuck from a period without endpoints (kubernetes#48370);
# and Maglev moves few flows when one backend of ten goes.  TAP; in the
# VM guest, kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 5

topo_up 10
trap topo_down EXIT

# --- draining: a long-lived TCP connection (podserve's port 8081)
kgate service add default/chat:tcp cluster 10.96.0.30:81/tcp \
	backend 10.244.2.2:8081 backend 10.244.3.2:8081
drain() {
	local first again next
	in_ns pod1 bash -c '
		exec 3<>/dev/tcp/10.96.0.30/81 || exit 1
		echo hello >&3; read -r first _ <&3
		echo "$first" >"$1"
		# The test flips that backend to terminating meanwhile.
		while [ ! -e "$1.go" ]; do sleep 0.05; done
		echo again >&3; read -r again _ <&3
		echo "$again" >>"$1"' _ "$TMPDIR_L4/conn" &
	wait_for 20 test -s "$TMPDIR_L4/conn" || return 1
	first=$(head -n1 "$TMPDIR_L4/conn")
	kgate backend set default/chat:tcp "10.244.${first#pod}.2:8081" \
		state terminating
	: >"$TMPDIR_L4/conn.go"
	wait
	again=$(sed -n 2p "$TMPDIR_L4/conn")
	next=$(in_ns pod1 bash -c '
		for i in 1 2 3 4 5 6 7 8 9 10; do
			exec 3<>/dev/tcp/10.96.0.30/81 || continue
			echo x >&3; read -r who _ <&3 && echo "$who"
			exec 3<&-
		done' | sort -u)
	echo "# open connection on $first, then $again; new ones on $next"
	[ "$again" = "$first" ] && [ -n "$next" ] && [ "$next" != "$first" ]
}
TMPDIR_L4=$(mktemp -d)
check "an open connection keeps working after its backend turns terminating, new ones go elsewhere" \
	drain

# --- stale UDP: one flow (fixed source port) across a backend change
udp_from() {	# udp_from PORT: who answers the flow from that source port
	echo hi | in_ns pod1 socat -T 2 - \
		"UDP:10.96.0.31:53,sourceport=$1,reuseaddr" 2>/dev/null | awk '{print $1}'
}
kgate service add default/dns:udp cluster 10.96.0.31:53/udp \
	backend 10.244.2.2:8080
before=$(udp_from 40001)
kgate service replace default/dns:udp cluster 10.96.0.31:53/udp \
	backend 10.244.3.2:8080
after=$(udp_from 40001)
echo "# UDP flow answered by $before, then by $after"
check "a UDP flow leaves a removed backend at once" \
	test "$before" = pod2 -a "$after" = pod3

kgate service replace default/dns:udp cluster 10.96.0.31:53/udp
empty=$(udp_from 40002)
kgate backend add default/dns:udp 10.244.4.2:8080
filled=$(udp_from 40002)
echo "# UDP flow without endpoints: \"$empty\", then \"$filled\""
check "a UDP flow from a period without endpoints is not stuck" \
	test -z "$empty" -a "$filled" = pod4

# --- Maglev disruption: one UDP flow per client address, fixed source port
for i in $(seq 10 109); do
	in_ns client ip addr add "198.18.0.$i/24" dev v-client-node
done
backends() { for i in $(seq 1 "$1"); do echo backend "10.244.$i.2:8080"; done; }
# who_serves: "ADDR POD" for the flow from each of the 100 client addresses.
who_serves() {
	local i
	for i in $(seq 10 109); do
		echo "198.18.0.$i $(echo hi | in_ns client socat -T 2 - \
			"UDP:10.96.0.32:53,bind=198.18.0.$i:40000" 2>/dev/null |
			awk '{print $1}')"
	done
}
# shellcheck disable=SC2046
kgate service add default/spread:dns cluster 10.96.0.32:53/udp $(backends 10)
round1=$(who_serves)
check "Maglev: every one of 100 flows is served" \
	test "$(awk '$2 ~ /^pod/' <<<"$round1" | wc -l)" = 100
# Deleting the service deletes its UDP flows: round 2 picks all of them
# again, from the table over 9 backends.
kgate service del default/spread:dns
# shellcheck disable=SC2046
kgate service add default/spread:dns cluster 10.96.0.32:53/udp $(backends 9)
round2=$(who_serves)
moved=$(paste <(echo "$round1") <(echo "$round2") |
	awk '$2 != "pod10" { n++; if ($2 != $4) m++ } END { printf "%d %d", m, n }')
echo "# removing 1 of 10 backends moved $moved (moved, total) other flows"
disrupt() { set -- $moved; [ "$2" -gt 0 ] && [ $(($1 * 100)) -le $((15 * $2)) ]; }
check "Maglev: removing 1 of 10 backends moves at most 15% of the other backends' flows" \
	disrupt

rm -rf "$TMPDIR_L4"
[ "$TAP_FAILED" = 0 ]
