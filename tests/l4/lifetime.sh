#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What outlives what: the module reloaded under a flood; flows that
# outlive their service, the NAT hooks kept for them; UDP flows whose
# VIP or NodePort left; the conntrack walks that costs; masqueraded
# flows that lose their address.  TAP; in the VM guest, with kgate loaded;
# leaves it loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 14
ko=${KGATE_KO:?KGATE_KO must name kgate.ko}
params=/sys/module/kgate/parameters

topo_up 3
dir=$(mktemp -d)
trap ': >"$dir/stop"; wait; topo_down; rm -rf "$dir"' EXIT

stat_of() { kgate stats | awk -v k="$1" '$1 == k { print $2 }'; }
hooks_are() { [ "$(stat_of nat_hooks)" = "$1" ]; }

# --- 1. rmmod and insmod under a TCP and UDP flood through VIPs and a
# NodePort: CPUs are inside the hooks when they go.
flood_services() {
	kgate service add default/web:http cluster 10.96.0.60:80/tcp \
		nodeport 30062/tcp backend 10.244.1.2:8080 \
		backend 10.244.2.2:8080
	kgate service add default/dns:udp cluster 10.96.0.61:53/udp \
		nodeport 30061/udp backend 10.244.3.2:8080
}
flood() {	# flood NS: until $dir/stop, TCP and UDP through every frontend
	in_ns "$1" bash -c '
		while [ ! -e "$1/stop" ]; do
			timeout 1 bash -c "exec 3<>/dev/tcp/10.96.0.60/80 &&
				read -r -t 1 _ <&3" 2>/dev/null
			timeout 1 bash -c "exec 3<>/dev/tcp/198.18.0.1/30062 &&
				read -r -t 1 _ <&3" 2>/dev/null
			for p in 1 2 3 4 5 6 7 8; do
				echo x >/dev/udp/10.96.0.61/53
				echo x >/dev/udp/198.18.0.1/30061
			done 2>/dev/null
		done' _ "$dir" &
}
flood_services
flood client
flood pod1
cycles=0
for i in $(seq 1 20); do
	rmmod kgate || break
	insmod "$ko" || break
	flood_services || break
	wait_for 20 answers tcp_get client 10.96.0.60 80 || break
	wait_for 20 answers udp_get client 198.18.0.1 30061 || break
	cycles=$i
done
: >"$dir/stop"
wait
echo "# $cycles of 20 reload cycles, traffic back after each"
check "rmmod and insmod 20 times under a TCP and UDP flood" test "$cycles" = 20
splats=$(dmesg | grep -E 'BUG|WARNING|KFENCE|general protection|refcount_t' || true)
check "no kernel splat after the reloads" test -z "$splats"
kgate flush

# --- 2. Deleting the last service keeps its flows alive (KEP-1669).
kgate service add default/chat:tcp cluster 10.96.0.62:81/tcp \
	backend 10.244.1.2:8081
in_ns client bash -c '
	exec 3<>/dev/tcp/10.96.0.62/81 || exit 1
	echo one >&3; read -r who _ <&3; echo "$who" >"$1/before"
	while [ ! -e "$1/go" ]; do sleep 0.05; done
	echo two >&3; read -t 5 -r who _ <&3; echo "${who:-nothing}" >"$1/after"' \
	_ "$dir" &
wait_for 20 test -s "$dir/before"
kgate service del default/chat:tcp
: >"$dir/go"
wait
echo "# the open connection: $(cat "$dir/before") before, $(cat "$dir/after") after the delete"
check "an open connection survives the deletion of the only service" \
	test "$(cat "$dir/before")" = pod1 -a "$(cat "$dir/after")" = pod1
check "the NAT hooks stay while kgate's flows exist" \
	test "$(stat_of nat_hooks)" = 1
refute "a new connection to the deleted service reaches nothing" \
	answers tcp_get client 10.244.1.2 8080 -- \
	answers tcp_get client 10.96.0.62 81

# With only a UDP flow left, its deletion forgets it, and the hooks go.
# (The TCP flows above linger in TIME_WAIT: a reload forgets them.)
rmmod kgate && insmod "$ko"
echo 1 >"$params/nat_idle_secs"
kgate service add default/only:udp cluster 10.96.0.63:53/udp \
	backend 10.244.2.2:8080
answers udp_get client 10.96.0.63 53 >/dev/null
kgate service del default/only:udp
check "the NAT hooks go once kgate's flows are gone" wait_for 30 hooks_are 0
echo 60 >"$params/nat_idle_secs"
kgate service add default/back:udp cluster 10.96.0.63:53/udp \
	backend 10.244.2.2:8080
check "a service added after them hooks in again" \
	wait_for 10 answers udp_get client 10.96.0.63 53
kgate flush

# --- 3. A UDP flow to a VIP or NodePort that left is not translated any
# more, though the backend stays.
udp_from() {	# udp_from ADDR PORT SPORT: the answer to that flow
	echo hi | in_ns client socat -T 2 - \
		"UDP:$1:$2,sourceport=$3,reuseaddr" 2>/dev/null
}
kgate service add default/two:udp cluster 10.96.0.64:53/udp \
	cluster 10.96.0.65:53/udp nodeport 30064/udp backend 10.244.3.2:8080
both_answer() {
	answers udp_from 10.96.0.64 53 41001 && answers udp_from 198.18.0.1 30064 41002
}
check "a UDP flow to each frontend" both_answer
kgate service replace default/two:udp cluster 10.96.0.65:53/udp \
	backend 10.244.3.2:8080
refute "a UDP flow to a VIP the service no longer has goes nowhere" \
	answers udp_from 10.96.0.65 53 41003 -- \
	answers udp_from 10.96.0.64 53 41001
refute "a UDP flow to a NodePort the service no longer has goes nowhere" \
	answers udp_from 10.96.0.65 53 41004 -- \
	answers udp_from 198.18.0.1 30064 41002

# --- 4. The conntrack walk runs only for commits that remove a UDP pair.
kgate service add default/w:udp cluster 10.96.0.66:53/udp \
	backend 10.244.1.2:8080 backend 10.244.2.2:8080
kgate service add default/w:tcp cluster 10.96.0.66:80/tcp \
	backend 10.244.1.2:8080 backend 10.244.2.2:8080
answers udp_get client 10.96.0.66 53 >/dev/null
w0=$(stat_of flow_walks)
kgate backend set default/w:udp 10.244.1.2:8080 weight 3
kgate backend set default/w:udp 10.244.2.2:8080 state serving
kgate backend del default/w:tcp 10.244.2.2:8080
w1=$(stat_of flow_walks)
kgate backend del default/w:udp 10.244.2.2:8080
w2=$(stat_of flow_walks)
echo "# flow walks: $w0, after weight, state and TCP changes $w1, after a UDP backend left $w2"
check "no conntrack walk for weight, state or TCP changes" \
	test -n "$w0" -a "$w1" = "$w0"
check "one walk when a UDP backend leaves" test "$w2" = $((w0 + 1))
kgate flush

# --- 5. Masqueraded flows go with the address they were given.
kgate service add default/m:udp nodeport 30065/udp backend 10.244.3.2:8080
ct_masq() {	# the conntrack entry of the flow, masqueraded to 10.244.3.1
	in_ns node grep -E 'dport=30065 .*dst=10\.244\.3\.1 ' /proc/net/nf_conntrack
}
answers udp_from 198.18.0.1 30065 41005 >/dev/null
check "a NodePort flow is masqueraded to the node's address on the pod's side" \
	ct_masq
in_ns node ip addr del 10.244.3.1/24 dev v-node-pod3
no_ct_masq() { ! ct_masq >/dev/null; }
check "the masqueraded flow goes when that address goes" \
	wait_for 10 no_ct_masq
in_ns node ip addr add 10.244.3.1/24 dev v-node-pod3
kgate flush

[ "$TAP_FAILED" = 0 ]
