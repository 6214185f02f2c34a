#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Service VIPs with real traffic between network namespaces: ClusterIP
# from a pod and from the node, NodePort from an outside client, IPv6,
# UDP, endpoint states, weights, and refusal when no endpoint is left.
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 15

topo_up 3
trap topo_down EXIT

kgate service add default/web:http \
	cluster 10.96.0.10:80/tcp cluster '[fd00:96::10]:80/tcp' \
	cluster 10.96.0.10:80/udp nodeport 30080/tcp \
	backend 10.244.2.2:8080 backend 10.244.3.2:8080 \
	backend '[fd00:244:2::2]:8080' backend '[fd00:244:3::2]:8080'

served_by_backend() { case $("$@") in "pod2 "* | "pod3 "*) return 0 ;; esac; return 1; }
check "ClusterIP TCP from a pod reaches a backend" \
	served_by_backend tcp_get pod1 10.96.0.10 80
check "ClusterIP TCP from the node itself reaches a backend" \
	served_by_backend tcp_get node 10.96.0.10 80
check "NodePort from an outside client reaches a backend" \
	served_by_backend tcp_get client 198.18.0.1 30080
check "IPv6 ClusterIP from a pod reaches a backend" \
	served_by_backend tcp_get pod1 fd00:96::10 80
check "ClusterIP UDP from a pod reaches a backend" \
	served_by_backend udp_get pod1 10.96.0.10 80
refute "the VIP's other port is not taken" \
	answers tcp_get pod1 10.96.0.10 80 -- answers tcp_get pod1 10.96.0.10 81

spread=$(count pod1 10.96.0.10 80 200)
both_ready() {
	[ "$(wc -l <<<"$spread")" = 2 ] && return 0
	sed 's/^/# /' <<<"$spread"
	return 1
}
check "200 connections use both ready backends" both_ready

kgate backend set default/web:http 10.244.2.2:8080 state terminating
only3() { [ "$(count pod1 10.96.0.10 80 50 | awk '{print $2}')" = pod3 ]; }
check "a terminating backend takes no new connection" only3

kgate backend set default/web:http 10.244.3.2:8080 state serving
only3_serving() { [ "$(count pod1 10.96.0.10 80 50 | awk '{print $2}')" = pod3 ]; }
check "with no ready backend, a serving (terminating) one takes them" \
	only3_serving

kgate backend set default/web:http 10.244.3.2:8080 state terminating
refused() {
	local out
	out=$(in_ns pod1 socat -T 5 -u TCP:10.96.0.10:80,connect-timeout=5 - 2>&1)
	grep -q "Connection refused" <<<"$out"
}
check "with no usable backend TCP is refused at once (RST), not black-holed" \
	refused
udp_refused() {
	local out
	out=$(echo hi | in_ns pod1 socat -T 3 - UDP:10.96.0.10:80 2>&1)
	grep -q "Connection refused" <<<"$out"
}
check "with no usable backend UDP gets port unreachable" udp_refused

# Round robin: consecutive connections take turns.
kgate service add default/rr:http cluster 10.96.0.11:80/tcp scheduler rr \
	backend 10.244.2.2:8080 backend 10.244.3.2:8080
turns=$(in_ns pod1 bash -c '
	for i in 1 2 3 4 5 6 7 8; do
		exec 3<>/dev/tcp/10.96.0.11/80 || continue
		read -r who _ <&3 && printf "%s " "$who"
		exec 3<&-
	done')
echo "# round robin: $turns"
alternate() { [ "$turns" = "pod2 pod3 pod2 pod3 pod2 pod3 pod2 pod3 " ] ||
	      [ "$turns" = "pod3 pod2 pod3 pod2 pod3 pod2 pod3 pod2 " ]; }
check "scheduler rr: consecutive connections alternate between 2 backends" \
	alternate

# Weights 1:2:3 over three ready backends: shares within 15 %.
kgate service replace default/web:http cluster 10.96.0.10:80/tcp \
	backend 10.244.1.2:8080 weight 1 backend 10.244.2.2:8080 weight 2 \
	backend 10.244.3.2:8080 weight 3
dist=$(count client 10.96.0.10 80 3000)
echo "# weights 1:2:3 over 3000 connections:"
sed 's/^/#   /' <<<"$dist"
within() {	# within POD SHARE: pod's count within 15 % of SHARE x total
	awk -v p="$1" -v s="$2" '
		{ n[$2] = $1; t += $1 }
		END { want = s * t; exit !(t > 0 && n[p] >= 0.85 * want && n[p] <= 1.15 * want) }' <<<"$dist"
}
check "weight 1 gets 1/6 of 3000 connections (+-15%)" within pod1 0.1667
check "weight 2 gets 2/6 of 3000 connections (+-15%)" within pod2 0.3333
check "weight 3 gets 3/6 of 3000 connections (+-15%)" within pod3 0.5

[ "$TAP_FAILED" = 0 ]
