#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Counters per service and per backend (new connections, packets, bytes)
# in `kgate -s service show` and its JSON, checked against the traffic
# sent: UDP exchanges, whose packets and bytes are known exactly, and TCP
# connections.  TAP; in the VM guest, kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 21

topo_up 3
trap topo_down EXIT

SVC=default/count:dns
# counter SELECTOR FIELD: one counter from the JSON ("svc" or a backend
# "ADDR:PORT").
counter() {
	kgate -j -s service show "$SVC" | python3 -c '
import json, sys
svc = json.load(sys.stdin)[0]
sel, field = sys.argv[1], sys.argv[2]
if sel == "svc":
    print(svc["counters"][field])
else:
    for be in svc["backends"]:
        if "%s:%d" % (be["addr"], be["port"]) == sel:
            print(be["counters"][field])' "$1" "$2"
}

kgate service add "$SVC" cluster 10.96.0.50:53/udp nodeport 30053/udp \
	cluster 10.96.0.50:53/tcp scheduler rr \
	backend 10.244.1.2:8080 backend 10.244.2.2:8080
check "a new service counts nothing" \
	test "$(counter svc conns) $(counter svc packets) $(counter svc bytes)" = "0 0 0"

# Ten UDP exchanges from the client, each a new flow (socat takes a new
# source port): a request "hi\n" and one answer each.  IP + UDP headers
# are 28 bytes.
bytes=0
answered=0
for _ in $(seq 1 10); do
	reply=$(udp_get client 10.96.0.50 53)
	[ -n "$reply" ] || continue
	answered=$((answered + 1))
	bytes=$((bytes + 28 + 3 + 28 + ${#reply} + 1))
done
check "ten UDP exchanges are answered" test "$answered" = 10
check "service: 10 new connections" test "$(counter svc conns)" = 10
check "service: 20 packets, both directions" test "$(counter svc packets)" = 20
echo "# expected $bytes bytes, counted $(counter svc bytes)"
check "service: bytes are those of the 20 IP packets" \
	test "$(counter svc bytes)" = "$bytes"
check "round robin: 5 connections per backend" \
	test "$(counter 10.244.1.2:8080 conns) $(counter 10.244.2.2:8080 conns)" = "5 5"
check "backends: 10 packets each" \
	test "$(counter 10.244.1.2:8080 packets) $(counter 10.244.2.2:8080 packets)" = "10 10"
sum_bytes=$(($(counter 10.244.1.2:8080 bytes) + $(counter 10.244.2.2:8080 bytes)))
check "backends' bytes add up to the service's" test "$sum_bytes" = "$bytes"

# NodePort traffic is the same service's.
check "NodePort UDP from the client is answered" \
	test -n "$(udp_get client 198.18.0.1 30053)"
check "NodePort flows count in the service" test "$(counter svc conns)" = 11

# TCP: 20 connections, each at least SYN, SYN-ACK, ACK, data, FINs.
count client 10.96.0.50 53 20 >/dev/null
check "TCP: 20 more connections" test "$(counter svc conns)" = 31
tcp_packets() { [ "$(counter svc packets)" -ge $((22 + 20 * 5)) ]; }
check "TCP: at least 5 packets per connection" tcp_packets

# A change to the service keeps its counters; a backend that leaves and
# comes back starts from zero.
before=$(counter svc conns)/$(counter 10.244.1.2:8080 conns)
kgate backend set "$SVC" 10.244.2.2:8080 weight 3
kgate backend add "$SVC" 10.244.3.2:8080
check "a backend change keeps the counters" \
	test "$(counter svc conns)/$(counter 10.244.1.2:8080 conns)" = "$before"
check "a new backend starts from zero" \
	test "$(counter 10.244.3.2:8080 conns)" = 0
kgate backend del "$SVC" 10.244.1.2:8080
kgate backend add "$SVC" 10.244.1.2:8080
check "a backend that left and came back starts from zero" \
	test "$(counter 10.244.1.2:8080 conns)" = 0

text=$(kgate -s service show "$SVC")
echo "$text" | sed 's/^/# /'
check "text: the service's counters under its header" \
	grep -qE "^    conns $(counter svc conns) packets [0-9]+ bytes [0-9]+$" <<<"$text"
check "text: a line of counters under each backend" \
	test "$(grep -cE '^        conns [0-9]+ packets' <<<"$text")" = 3
# mentions WORD CMD...: CMD's output has WORD (status 0) or not (1); 2 if
# CMD failed.  With -s the same command shows them: the control.
mentions() {
	local word=$1 out
	shift
	out=$("$@") || return 2
	grep -q -- "$word" <<<"$out"
}
refute "without -s no counters are shown" \
	mentions conns kgate -s service show "$SVC" -- \
	mentions conns kgate service show "$SVC"
refute "without -s the JSON has no counters" \
	mentions counters kgate -j -s service show "$SVC" -- \
	mentions counters kgate -j service show "$SVC"

# A service with 1000 backends and their counters does not fit one
# netlink reply: the CLI reads it by a dump of that service.
big=$(for i in $(seq 0 999); do
	echo "backend 198.51.$((100 + i / 250)).$((1 + i % 250)):80"
done)
# shellcheck disable=SC2086
kgate service add default/big:80 cluster 10.96.0.99:80/tcp $big
check "a service too large for one reply is shown whole, with counters" \
	test "$(kgate -s service show default/big:80 | grep -c '^        conns 0 ')" = 1000

kgate service del "$SVC"
kgate service add "$SVC" cluster 10.96.0.50:53/udp backend 10.244.1.2:8080
check "a service deleted and added again starts from zero" \
	test "$(counter svc conns)" = 0

[ "$TAP_FAILED" = 0 ]
