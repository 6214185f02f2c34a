#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SCTP through a ClusterIP and a NodePort, IPv4 and IPv6: associations
# reach the backends (socat in the pods answers "podN PEER"), spread over
# two of them, and a removed backend gets no new association.  Every case
# is skipped when the guest kernel has no sctp module.  TAP; in the VM
# guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh

CASES=(
	"SCTP IPv4 ClusterIP from a pod reaches a backend and keeps the pod's address"
	"SCTP IPv6 ClusterIP from a pod reaches a backend and keeps the pod's address"
	"SCTP IPv4 NodePort from an outside client reaches a backend, masqueraded"
	"SCTP IPv6 NodePort from an outside client reaches a backend, masqueraded"
	"SCTP IPv4: 16 associations, all answered, by both backends"
	"SCTP IPv6: 16 associations, all answered, by both backends"
	"SCTP: the VIP's TCP port of the same number is not taken"
	"SCTP IPv4: a removed backend gets no new association (8)"
	"SCTP IPv6: a removed backend gets no new association (8)"
	"SCTP: a backend added back takes associations again"
)
plan ${#CASES[@]}
if ! modprobe sctp 2>/dev/null; then
	for c in "${CASES[@]}"; do
		skip "$c" "no sctp module in the guest kernel"
	done
	exit 0
fi

topo_up 3
trap topo_down EXIT
sctp_serve 2 9090
sctp_serve 3 9090
# podserve on TCP 9090 too: a TCP connection wrongly sent there would be
# answered.
for i in 2 3; do
	in_ns "pod$i" "$PODSERVE" "pod$i" 9090 &
	disown
	wait_for 10 sh -c "ip netns exec $(ns "pod$i") ss -ltn | grep -q ':9090 '"
done

one_of() {	# one_of "WANT1|WANT2..." CMD...: CMD prints one of them
	local want=$1 got
	shift
	got=$("$@")
	case "|$want|" in *"|$got|"*) [ -n "$got" ] && return 0 ;; esac
	echo "# want one of \"$want\", got \"$got\""
	return 1
}
# sctp_count NS ADDR PORT N: N associations, as "COUNT podX" lines
# ("COUNT none" for those nobody answered).
sctp_count() {
	local i who
	for ((i = 0; i < $4; i++)); do
		who=$(sctp_get "$1" "$2" "$3" | awk '{print $1}')
		echo "${who:-none}"
	done | sort | uniq -c
}
spread_is() {	# spread_is SPREAD TOTAL PODS...: as in dualstack.sh
	local spread=$1 total=$2 got
	shift 2
	got=$(awk '{ printf "%s ", $2; t += $1 } END { printf "(%d)", t }' \
		<<<"$spread")
	[ "$got" = "$* ($total)" ] && return 0
	echo "# want \"$* ($total)\", got \"$got\""
	return 1
}

SVC=default/signal:sctp
kgate service add $SVC \
	cluster 10.96.0.80:90/sctp cluster '[fd00:96::80]:90/sctp' \
	nodeport 30090/sctp nodeport '[::]:30090/sctp' \
	backend 10.244.2.2:9090 backend 10.244.3.2:9090 \
	backend '[fd00:244:2::2]:9090' backend '[fd00:244:3::2]:9090'

check "${CASES[0]}" \
	one_of "pod2 10.244.1.2|pod3 10.244.1.2" sctp_get pod1 10.96.0.80 90
check "${CASES[1]}" \
	one_of "pod2 fd00:244:1::2|pod3 fd00:244:1::2" sctp_get pod1 fd00:96::80 90
check "${CASES[2]}" \
	one_of "pod2 10.244.2.1|pod3 10.244.3.1" sctp_get client 198.18.0.1 30090
check "${CASES[3]}" \
	one_of "pod2 fd00:244:2::1|pod3 fd00:244:3::1" \
	sctp_get client fd00:18::1 30090

v4=$(sctp_count pod1 10.96.0.80 90 16)
v6=$(sctp_count client fd00:18::1 30090 16)
sed 's/^/#   IPv4 ClusterIP: /' <<<"$v4"
sed 's/^/#   IPv6 NodePort: /' <<<"$v6"
check "${CASES[4]}" spread_is "$v4" 16 pod2 pod3
check "${CASES[5]}" spread_is "$v6" 16 pod2 pod3

# The control: pod2's TCP 9090 answers pod1 when asked directly.
refute "${CASES[6]}" answers tcp_get pod1 10.244.2.2 9090 -- \
	answers tcp_get pod1 10.96.0.80 90

kgate backend del $SVC 10.244.2.2:9090
kgate backend del $SVC '[fd00:244:2::2]:9090'
v4=$(sctp_count client 198.18.0.1 30090 8)
v6=$(sctp_count pod1 fd00:96::80 90 8)
sed 's/^/#   pod2 removed, IPv4 NodePort: /' <<<"$v4"
sed 's/^/#   pod2 removed, IPv6 ClusterIP: /' <<<"$v6"
check "${CASES[7]}" spread_is "$v4" 8 pod3
check "${CASES[8]}" spread_is "$v6" 8 pod3

kgate backend add $SVC 10.244.2.2:9090
v4=$(sctp_count pod1 10.96.0.80 90 16)
sed 's/^/#   pod2 back, IPv4 ClusterIP: /' <<<"$v4"
check "${CASES[9]}" spread_is "$v4" 16 pod2 pod3

[ "$TAP_FAILED" = 0 ]
