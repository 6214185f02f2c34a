#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One dual-stack service: an IPv4 and an IPv6 ClusterIP and NodePort,
# IPv4 backends on pod1 and pod2, IPv6 backends on pod3 and pod4.  Each
# family of clients reaches only the backends of its family, both at the
# same time; without IPv6 backends IPv6 is refused and IPv4 goes on; the
# CLI shows both families.  TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 13

topo_up 4
trap topo_down EXIT
dir=$(mktemp -d)

SVC=default/dual:http
kgate service add $SVC \
	cluster 10.96.0.70:80/tcp cluster '[fd00:96::70]:80/tcp' \
	nodeport 30070/tcp nodeport '[::]:30070/tcp' \
	backend 10.244.1.2:8080 backend 10.244.2.2:8080 \
	backend '[fd00:244:3::2]:8080' backend '[fd00:244:4::2]:8080'

# spread_is SPREAD TOTAL PODS...: "COUNT podX" lines (from count) show
# exactly PODS, and TOTAL answers in all.
spread_is() {
	local spread=$1 total=$2 got
	shift 2
	got=$(awk '{ printf "%s ", $2; t += $1 } END { printf "(%d)", t }' \
		<<<"$spread")
	[ "$got" = "$* ($total)" ] && return 0
	echo "# want \"$* ($total)\", got \"$got\""
	return 1
}
one_of() {	# one_of "WANT1|WANT2..." CMD...: CMD prints one of them
	local want=$1 got
	shift
	got=$("$@")
	case "|$want|" in *"|$got|"*) [ -n "$got" ] && return 0 ;; esac
	echo "# want one of \"$want\", got \"$got\""
	return 1
}

v4=$(count client 10.96.0.70 80 100)
v6=$(count client fd00:96::70 80 100)
echo "# 100 connections to each ClusterIP:"
sed 's/^/#   IPv4: /' <<<"$v4"
sed 's/^/#   IPv6: /' <<<"$v6"
check "IPv4 ClusterIP: 100 connections, all answered, by both IPv4 backends only" \
	spread_is "$v4" 100 pod1 pod2
check "IPv6 ClusterIP: 100 connections, all answered, by both IPv6 backends only" \
	spread_is "$v6" 100 pod3 pod4
check "IPv4 NodePort reaches an IPv4 backend (masqueraded)" \
	one_of "pod1 10.244.1.1|pod2 10.244.2.1" tcp_get client 198.18.0.1 30070
check "IPv6 NodePort reaches an IPv6 backend (masqueraded)" \
	one_of "pod3 fd00:244:3::1|pod4 fd00:244:4::1" \
	tcp_get client fd00:18::1 30070

# Both families at once: two clients connecting side by side.
count client 10.96.0.70 80 150 >"$dir/v4" &
count client fd00:96::70 80 150 >"$dir/v6" &
wait
sed 's/^/#   side by side, IPv4: /' "$dir/v4"
sed 's/^/#   side by side, IPv6: /' "$dir/v6"
side_by_side() {
	spread_is "$(cat "$dir/v4")" 150 pod1 pod2 &&
		spread_is "$(cat "$dir/v6")" 150 pod3 pod4
}
check "IPv4 and IPv6 clients at the same time: 150 + 150 answered, each by its family's backends" \
	side_by_side

show=$(kgate service show $SVC)
sed 's/^/#   /' <<<"$show"
shows_all() {
	local l
	for l in "cluster 10.96.0.70:80/tcp" "cluster [fd00:96::70]:80/tcp" \
		 "nodeport 0.0.0.0:30070/tcp" "nodeport [::]:30070/tcp" \
		 "backend 10.244.1.2:8080 " "backend 10.244.2.2:8080 " \
		 "backend [fd00:244:3::2]:8080 " "backend [fd00:244:4::2]:8080 "; do
		grep -qF -- "$l" <<<"$show" || { echo "# missing: $l"; return 1; }
	done
}
check "kgate service show lists the frontends and backends of both families" \
	shows_all

# json_is WANT: `kgate -j service show` of the service, summed up as
# "frontends: ADDR ... backends: ADDR ...", is WANT.
json_is() {
	local got
	got=$(kgate -j service show $SVC | /usr/bin/python3 -c '
import json, sys
svcs = json.load(sys.stdin)
svc = svcs[0] if isinstance(svcs, list) else svcs
fe = sorted("%s/%s/%s" % (f["kind"], f["addr"], f["port"]) for f in svc["frontends"])
be = sorted("%s/%s" % (b["addr"], b["port"]) for b in svc["backends"])
print("frontends:", *fe, "backends:", *be)')
	[ "$got" = "$1" ] && return 0
	echo "# want \"$1\""
	echo "# got  \"$got\""
	return 1
}
FES="frontends: cluster/10.96.0.70/80 cluster/fd00:96::70/80 nodeport/0.0.0.0/30070 nodeport/::/30070"
check "kgate -j service show lists the frontends and backends of both families" \
	json_is "$FES backends: 10.244.1.2/8080 10.244.2.2/8080 fd00:244:3::2/8080 fd00:244:4::2/8080"

# --- without IPv6 backends
kgate backend del $SVC '[fd00:244:3::2]:8080'
kgate backend del $SVC '[fd00:244:4::2]:8080'
check "without IPv6 backends: IPv6 ClusterIP refused at once" \
	refused_quickly in_ns client socat -T 5 -u \
	'TCP:[fd00:96::70]:80,connect-timeout=5' -
check "without IPv6 backends: IPv6 NodePort refused at once" \
	refused_quickly in_ns client socat -T 5 -u \
	'TCP:[fd00:18::1]:30070,connect-timeout=5' -
v4=$(count client 10.96.0.70 80 50)
check "without IPv6 backends: IPv4 ClusterIP goes on, 50 connections, both IPv4 backends" \
	spread_is "$v4" 50 pod1 pod2
check "without IPv6 backends: IPv4 NodePort goes on" \
	one_of "pod1 10.244.1.1|pod2 10.244.2.1" tcp_get client 198.18.0.1 30070
check "kgate -j service show: IPv6 frontends kept, IPv4 backends only" \
	json_is "$FES backends: 10.244.1.2/8080 10.244.2.2/8080"

kgate backend add $SVC '[fd00:244:4::2]:8080'
v6=$(count client fd00:96::70 80 20)
check "an IPv6 backend added back serves IPv6 again (20 connections, all by it)" \
	spread_is "$v6" 20 pod4

rm -rf "$dir"
[ "$TAP_FAILED" = 0 ]
