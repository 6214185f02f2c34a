#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Who the backend sees, and which backends a policy allows: masquerade
# for hairpin and for external traffic under externalTrafficPolicy=Cluster,
# the client's own address and node-local backends only under Local, the
# node's own traffic and its Pods' short-circuited to every backend as
# kube-proxy does, and loadBalancerSourceRanges.  TAP; in the VM guest,
# with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 14

topo_up 3
trap topo_down EXIT

# seen NS ADDR PORT: "podX SOURCE" as the backend answered.
seen() { tcp_get "$@"; }
is() {	# is WANT CMD...: CMD prints exactly WANT
	local want=$1 got
	shift
	got=$("$@")
	[ "$got" = "$want" ] || { echo "# want \"$want\", got \"$got\""; return 1; }
}

kgate service add default/pod:http cluster 10.96.0.20:80/tcp \
	backend 10.244.2.2:8080
check "a pod reaching another through a ClusterIP keeps its own address" \
	is "pod2 10.244.1.2" seen pod1 10.96.0.20 80
check "a pod reaching itself through its ClusterIP is masqueraded (hairpin)" \
	is "pod2 10.244.2.1" seen pod2 10.96.0.20 80

# pod2 runs on this node, pod3 elsewhere (as far as kgate knows).
kgate service add default/np:http nodeport 30081/tcp \
	backend 10.244.2.2:8080 local backend 10.244.3.2:8080
masq_np() {
	case $(seen client 198.18.0.1 30081) in
	"pod2 10.244.2.1" | "pod3 10.244.3.1") return 0 ;;
	esac
	return 1
}
check "externalTrafficPolicy=Cluster: NodePort traffic is masqueraded" masq_np

kgate service replace default/np:http nodeport 30081/tcp \
	backend 10.244.2.2:8080 local backend 10.244.3.2:8080 \
	external-policy local
local_np() { [ "$(count client 198.18.0.1 30081 30 | awk '{print $2}')" = pod2 ]; }
check "externalTrafficPolicy=Local: only node-local backends" local_np
check "externalTrafficPolicy=Local: the client's address is kept" \
	is "pod2 198.18.0.2" seen client 198.18.0.1 30081

# Local, and the only backend elsewhere: kube-proxy drops what comes from
# outside (a load balancer's health check moves the client to a node with
# an endpoint; a refusal would end the client's attempt).
kgate service replace default/np:http nodeport 30081/tcp \
	loadbalancer 203.0.113.8:80/tcp backend 10.244.3.2:8080 \
	external-policy local
kgate service add default/np2:http nodeport 30082/tcp \
	backend 10.244.2.2:8080 local external-policy local
refute "externalTrafficPolicy=Local without a local backend drops outside traffic, no refusal" \
	reached client 198.18.0.1 30082 -- reached client 198.18.0.1 30081
check "... from the node itself it goes to the backends elsewhere, masqueraded" \
	is "pod3 10.244.3.1" seen node 198.18.0.1 30081
refute "... from a Pod of the node without local ranges it is dropped" \
	reached pod1 198.18.0.1 30082 -- reached pod1 203.0.113.8 80
kgate node set local-range 10.244.0.0/16 local-range fd00:244::/32
check "kgate node show prints the local ranges back" \
	is "node set local-range 10.244.0.0/16 local-range fd00:244::/32" \
	kgate node show
check "... from a Pod of the local ranges it goes to the backends elsewhere, unmasqueraded" \
	is "pod3 10.244.1.2" seen pod1 203.0.113.8 80
refute "... and from outside it is still dropped" \
	reached client 198.18.0.1 30082 -- reached client 203.0.113.8 80
kgate node set

kgate service add default/itp:http cluster 10.96.0.21:80/tcp \
	backend 10.244.2.2:8080 local backend 10.244.3.2:8080 \
	internal-policy local
local_itp() { [ "$(count pod1 10.96.0.21 80 30 | awk '{print $2}')" = pod2 ]; }
check "internalTrafficPolicy=Local: a ClusterIP uses node-local backends" \
	local_itp

kgate service add default/lb:https loadbalancer 203.0.113.7:443/tcp \
	source-range 198.18.0.0/24 backend 10.244.2.2:8080
check "loadBalancerSourceRanges: a source inside is served" \
	is "pod2 10.244.2.1" seen client 203.0.113.7 443
kgate service replace default/lb:https loadbalancer 203.0.113.7:443/tcp \
	source-range 192.0.2.0/24 backend 10.244.2.2:8080
lb_refused() {
	in_ns client socat -T 5 -u TCP:203.0.113.7:443,connect-timeout=5 - 2>&1 |
		grep -q "Connection refused"
}
check "loadBalancerSourceRanges: a source outside is refused" lb_refused

[ "$TAP_FAILED" = 0 ]
