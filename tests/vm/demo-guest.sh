#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, in the guest: load kgate, build a small node out of network
# namespaces (tests/l4/lib.sh: a client, the node, three pods answering
# "podN ADDRESS-IT-SEES"), make services with the CLI and send traffic
# through them: connections landing on the pods, a backend added, a weight
# changed, a backend turning terminating, ClientIP affinity, a Local
# LoadBalancer with a source range; an HTTP listener and a route sending
# requests by host and path to two services; then show, stats, a refusal,
# unload.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/l4/lib.sh
HTTPD=${HTTPD:-$PWD/build/selftests/httpd}
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }
note() { printf '\n\033[1;34m# %s\033[0m\n' "$*"; }

# ask NS ADDR PORT [tcp|udp]: one request, shown as "NS -> ADDR:PORT: answer".
ask() {
	local ans host=$2
	case $host in *:*) host="[$host]" ;; esac
	if [ "${4:-tcp}" = udp ]; then
		ans=$(udp_get "$1" "$2" "$3") || true
	else
		ans=$(tcp_get "$1" "$2" "$3") || true
	fi
	printf '  %-7s -> %-22s %s\n' "$1" "$host:$3${4:+/$4}" \
		"${ans:-(no answer)}"
}
# spread NS ADDR PORT N: N connections, as a bar per pod.
spread() {
	count "$@" | while read -r n who; do
		printf '  %-5s %4d %s\n' "$who" "$n" \
			"$(printf '%*s' $((n * 60 / $4)) '' | tr ' ' '#')"
	done
}

for dep in $(modinfo -F depends "$KGATE_KO" | tr , ' '); do modprobe "$dep"; done
run insmod "$KGATE_KO"

note "namespaces: client 198.18.0.2 -- node 198.18.0.1 (kgate) -- pod1..3 10.244.N.2 / fd00:244:N::2"
topo_up 3
trap topo_down EXIT
echo "  every pod answers TCP and UDP 8080 with its name and the source address it sees"
note "the kgate commands below run in the node's namespace"

run kgate service add default/web:http \
	cluster 10.96.0.10:80/tcp cluster '[fd00:96::10]:80/tcp' nodeport 30080/tcp \
	backend 10.244.1.2:8080 backend 10.244.2.2:8080 \
	backend '[fd00:244:1::2]:8080' backend '[fd00:244:2::2]:8080'
note "a few connections to the ClusterIP, from pod3: each lands on pod1 or pod2"
for _ in 1 2 3 4 5 6; do ask pod3 10.96.0.10 80; done
note "IPv6 ClusterIP, from pod3"
for _ in 1 2 3; do ask pod3 fd00:96::10 80; done
note "NodePort from the outside client: masqueraded, the pod sees the node"
for _ in 1 2 3; do ask client 198.18.0.1 30080; done

run kgate backend add default/web:http 10.244.3.2:8080
note "300 connections from the client: three pods, about a third each"
spread client 10.96.0.10 80 300

run kgate backend set default/web:http 10.244.1.2:8080 weight 4
note "300 connections: pod1 (weight 4) takes about 4/6"
spread client 10.96.0.10 80 300

run kgate backend set default/web:http 10.244.2.2:8080 state terminating
note "300 connections: terminating pod2 takes no new connection"
spread client 10.96.0.10 80 300
run kgate service show default/web:http

run kgate service add default/dns:udp cluster 10.96.0.53:53/udp \
	backend 10.244.1.2:8080 backend 10.244.2.2:8080 backend 10.244.3.2:8080 \
	affinity clientip timeout 600
note "ClientIP affinity: each client's datagrams (new source port each time) stay on one pod"
for c in client client client pod3 pod3 pod3; do ask "$c" 10.96.0.53 53 udp; done

in_ns client ip addr add 192.0.2.9/32 dev v-client-node
run kgate service add shop/api:https loadbalancer 203.0.113.7:443/tcp \
	external-policy local source-range 198.18.0.0/24 \
	backend 10.244.1.2:8080 weight 2 local backend 10.244.3.2:8080
note "externalTrafficPolicy Local: only the node-local pod1, which sees the client's own address"
for _ in 1 2 3; do ask client 203.0.113.7 443; done
note "from 192.0.2.9, outside the source range: refused"
say "socat -u TCP:203.0.113.7:443,bind=192.0.2.9 -   # in the client"
in_ns client socat -T 3 -u TCP:203.0.113.7:443,bind=192.0.2.9,connect-timeout=3 - 2>&1 |
	sed 's/^.*socat[^ ]* E /  /' || true

note "Ingress: an HTTP listener in the kernel, routing by host and path to services"
for i in 1 2 3; do
	in_ns "pod$i" "$HTTPD" --name "pod$i" --listen "10.244.$i.2:8090" &
	disown
	wait_for 10 sh -c "ip netns exec $(ns "pod$i") ss -ltn | grep ':8090 ' >/dev/null"
done
echo "  every pod also answers HTTP on 8090 with its name (X-Backend: podN)"
run kgate service add shop/api:http cluster 10.96.0.20:80/tcp \
	backend 10.244.1.2:8090 backend 10.244.2.2:8090
run kgate service add shop/web:http cluster 10.96.0.21:80/tcp backend 10.244.3.2:8090
run kgate listener add web 198.18.0.1:80
run kgate route add shop/shop listener web host shop.example.com \
	rule match prefix /api backend shop/api:http \
	rule match exact / backend shop/web:http
# get HOST PATH: one request from the client, as "status, pod".
get() {
	printf '  %-28s %s\n' "$1$2" "$(in_ns client curl -s -o /dev/null \
		-w '%{http_code} %header{x-backend}' -H "Host: $1" "http://198.18.0.1$2")"
}
say "curl -H 'Host: HOST' http://198.18.0.1PATH   # in the client"
for p in /api/cart /api/items /api/ / /apiary /about; do get shop.example.com "$p"; done
get other.example.com /
echo "  /api/... goes to the api pods, / to the web pod; /apiary and /about match no"
echo "  rule (Prefix is element-wise, Exact is exact): 404, as for an unknown host"
run kgate route show
run kgate -s listener show web

run kgate service show
run kgate -j service show default/dns:udp
run kgate -j -p service show shop/api:https
run kgate stats

say "kgate service add default/web:http cluster 10.96.0.10:80/tcp   # taken: refused"
kgate service add default/web:http cluster 10.96.0.10:80/tcp || echo "(exit status $?)"

note "removing the namespaces, then the module"
topo_down
trap - EXIT
run rmmod kgate
say "lsmod | grep kgate"
if lsmod | grep '^kgate '; then exit 1; fi
echo "(kgate is unloaded)"
