#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main paths over IPv6: ClusterIP TCP and UDP, NodePort from an
# outside client on the node's IPv6 address, hairpin, the Local external
# traffic policy, loadBalancerSourceRanges with IPv6 prefixes, refusal
# when no endpoint is left, and stale UDP flows.  Every answer says which
# pod served it and the source address it saw.  TAP; in the VM guest,
# with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 24

topo_up 3
trap topo_down EXIT

is() {	# is WANT CMD...: CMD prints exactly WANT
	local want=$1 got
	shift
	got=$("$@")
	[ "$got" = "$want" ] || { echo "# want \"$want\", got \"$got\""; return 1; }
}
one_of() {	# one_of "WANT1|WANT2..." CMD...: CMD prints one of them
	local want=$1 got
	shift
	got=$("$@")
	case "|$want|" in *"|$got|"*) [ -n "$got" ] && return 0 ;; esac
	echo "# want one of \"$want\", got \"$got\""
	return 1
}
# tcp_from NS SRC ADDR PORT: tcp_get from the source address SRC.
tcp_from() {
	in_ns "$1" socat -T 2 -u "TCP:[$3]:$4,bind=[$2],connect-timeout=2" - \
		2>/dev/null
}

# --- ClusterIP and NodePort
kgate service add default/web6:http \
	cluster '[fd00:96::60]:80/tcp' cluster '[fd00:96::60]:80/udp' \
	nodeport '[::]:30060/tcp' nodeport '[::]:30060/udp' \
	backend '[fd00:244:2::2]:8080' backend '[fd00:244:3::2]:8080'

check "IPv6 ClusterIP TCP from a pod reaches a backend and keeps the pod's address" \
	one_of "pod2 fd00:244:1::2|pod3 fd00:244:1::2" tcp_get pod1 fd00:96::60 80
served_by() {	# served_by "PODA|PODB" CMD...: the answer comes from one of them
	local want=$1 got
	shift
	got=$("$@")
	case "|$want|" in *"|${got%% *}|"*) [ -n "$got" ] && return 0 ;; esac
	echo "# want an answer from one of \"$want\", got \"$got\""
	return 1
}
check "IPv6 ClusterIP TCP from the node itself reaches a backend" \
	served_by "pod2|pod3" tcp_get node fd00:96::60 80
spread=$(count pod1 fd00:96::60 80 200)
echo "# IPv6 ClusterIP, 200 connections:"
sed 's/^/#   /' <<<"$spread"
both() {	# both SPREAD TOTAL: exactly pod2 and pod3 served, TOTAL in all
	[ "$(awk '{print $2}' <<<"$1" | tr '\n' ' ')" = "pod2 pod3 " ] &&
		[ "$(awk '{ t += $1 } END { print t }' <<<"$1")" = "$2" ]
}
check "IPv6 ClusterIP TCP: 200 connections, all answered, by both backends" \
	both "$spread" 200
check "IPv6 ClusterIP UDP from a pod reaches a backend and keeps the pod's address" \
	one_of "pod2 fd00:244:1::2|pod3 fd00:244:1::2" udp_get pod1 fd00:96::60 80
check "IPv6 NodePort from an outside client on fd00:18::1 reaches a backend, masqueraded" \
	one_of "pod2 fd00:244:2::1|pod3 fd00:244:3::1" tcp_get client fd00:18::1 30060
check "IPv6 NodePort UDP from an outside client reaches a backend, masqueraded" \
	one_of "pod2 fd00:244:2::1|pod3 fd00:244:3::1" udp_get client fd00:18::1 30060
check "IPv6 NodePort from the node itself, on its own address, reaches a backend" \
	served_by "pod2|pod3" tcp_get node fd00:18::1 30060

# --- hairpin: pod2 reaches itself through its own service
kgate service add default/self6:http \
	cluster '[fd00:96::61]:80/tcp' cluster '[fd00:96::61]:80/udp' \
	backend '[fd00:244:2::2]:8080'
check "IPv6 a pod reaching another through a ClusterIP keeps its own address" \
	is "pod2 fd00:244:1::2" tcp_get pod1 fd00:96::61 80
check "IPv6 hairpin TCP: a pod reaching itself through its ClusterIP is answered, from the node's address" \
	is "pod2 fd00:244:2::1" tcp_get pod2 fd00:96::61 80
check "IPv6 hairpin UDP: answered too, from the node's address" \
	is "pod2 fd00:244:2::1" udp_get pod2 fd00:96::61 80

# --- ClientIP affinity: every datagram (a new source port each) to one pod
kgate service add default/sticky6:udp cluster '[fd00:96::64]:53/udp' \
	affinity clientip backend '[fd00:244:1::2]:8080' \
	backend '[fd00:244:2::2]:8080' backend '[fd00:244:3::2]:8080'
sticky=$(for _ in 1 2 3 4 5 6 7 8; do
	udp_get client fd00:96::64 53; done | sort | uniq -c)
sed 's/^/#   ClientIP affinity: /' <<<"$sticky"
sticks() { [ "$(wc -l <<<"$sticky")" = 1 ] && [ "$(awk '{print $1}' <<<"$sticky")" = 8 ]; }
check "IPv6 ClientIP affinity: 8 datagrams from one client, all answered by one backend" \
	sticks

# --- externalTrafficPolicy=Local: pod2 runs on this node, pod3 elsewhere
kgate service add default/np6:http nodeport '[::]:30061/tcp' \
	backend '[fd00:244:2::2]:8080' local backend '[fd00:244:3::2]:8080' \
	external-policy local
local_only() { [ "$(count client fd00:18::1 30061 30 | awk '{print $2}')" = pod2 ]; }
check "IPv6 externalTrafficPolicy=Local: 30 connections, only the node-local backend" \
	local_only
check "IPv6 externalTrafficPolicy=Local: the client's address is kept" \
	is "pod2 fd00:18::2" tcp_get client fd00:18::1 30061
kgate service replace default/np6:http nodeport '[::]:30061/tcp' \
	backend '[fd00:244:3::2]:8080' external-policy local
kgate service add default/np6b:http nodeport '[::]:30062/tcp' \
	backend '[fd00:244:2::2]:8080' local external-policy local
# As kube-proxy: dropped, so that a load balancer moves the client.
refute "IPv6 externalTrafficPolicy=Local without a local backend: dropped, not refused" \
	reached client fd00:18::1 30062 -- reached client fd00:18::1 30061
kgate service del default/np6b:http

# --- loadBalancerSourceRanges: fd00:18::2 inside, fd00:19::2 outside
in_ns client ip -6 addr add fd00:19::2/128 dev v-client-node nodad
kgate service add default/lb6:https loadbalancer '[2001:db8:7::7]:443/tcp' \
	source-range fd00:18::/64 source-range 192.0.2.0/24 \
	backend '[fd00:244:2::2]:8080'
check "IPv6 loadBalancerSourceRanges: a source inside an IPv6 prefix is served" \
	is "pod2 fd00:244:2::1" tcp_from client fd00:18::2 2001:db8:7::7 443
check "IPv6 loadBalancerSourceRanges: a source outside is refused at once" \
	refused_quickly in_ns client socat -T 5 -u \
	'TCP:[2001:db8:7::7]:443,bind=[fd00:19::2],connect-timeout=5' -
kgate service replace default/lb6:https loadbalancer '[2001:db8:7::7]:443/tcp' \
	source-range fd00:19::2/128 backend '[fd00:244:2::2]:8080'
check "IPv6 loadBalancerSourceRanges: after a change, the other source is served" \
	is "pod2 fd00:244:2::1" tcp_from client fd00:19::2 2001:db8:7::7 443
check "IPv6 loadBalancerSourceRanges: ... and the first one refused" \
	refused_quickly in_ns client socat -T 5 -u \
	'TCP:[2001:db8:7::7]:443,bind=[fd00:18::2],connect-timeout=5' -

# --- no endpoint: refuse at once rather than black-hole
kgate service add default/none6:http \
	cluster '[fd00:96::62]:80/tcp' cluster '[fd00:96::62]:80/udp' \
	nodeport '[::]:30062/tcp'
check "IPv6 ClusterIP TCP without endpoints: refused at once (RST)" \
	refused_quickly in_ns pod1 socat -T 5 -u \
	'TCP:[fd00:96::62]:80,connect-timeout=5' -
udp_refused() {
	echo hi | refused_quickly in_ns pod1 socat -T 5 - 'UDP:[fd00:96::62]:80'
}
check "IPv6 ClusterIP UDP without endpoints: port unreachable at once" \
	udp_refused
check "IPv6 NodePort without endpoints: refused at once (RST)" \
	refused_quickly in_ns client socat -T 5 -u \
	'TCP:[fd00:18::1]:30062,connect-timeout=5' -
kgate service replace default/none6:http \
	cluster '[fd00:96::62]:80/tcp' cluster '[fd00:96::62]:80/udp' \
	nodeport '[::]:30062/tcp' backend '[fd00:244:3::2]:8080' state terminating
check "IPv6 ClusterIP TCP with only a terminating endpoint: refused at once" \
	refused_quickly in_ns pod1 socat -T 5 -u \
	'TCP:[fd00:96::62]:80,connect-timeout=5' -

# --- stale UDP: one flow (fixed source port) across backend changes
udp_from() {	# udp_from PORT: who answers the flow from that source port
	echo hi | in_ns pod1 socat -T 2 - \
		"UDP:[fd00:96::63]:53,sourceport=$1,reuseaddr" 2>/dev/null |
		awk '{print $1}'
}
kgate service add default/dns6:udp cluster '[fd00:96::63]:53/udp' \
	backend '[fd00:244:2::2]:8080'
before=$(udp_from 40001)
kgate service replace default/dns6:udp cluster '[fd00:96::63]:53/udp' \
	backend '[fd00:244:3::2]:8080'
after=$(udp_from 40001)
echo "# IPv6 UDP flow answered by \"$before\", then by \"$after\""
check "IPv6 a UDP flow leaves a removed backend at once" \
	test "$before" = pod2 -a "$after" = pod3
kgate service replace default/dns6:udp cluster '[fd00:96::63]:53/udp'
empty=$(udp_from 40002)
kgate backend add default/dns6:udp '[fd00:244:1::2]:8080'
filled=$(udp_from 40002)
echo "# IPv6 UDP flow without endpoints: \"$empty\", then \"$filled\""
check "IPv6 a UDP flow from a period without endpoints is not stuck" \
	test -z "$empty" -a "$filled" = pod1

[ "$TAP_FAILED" = 0 ]
