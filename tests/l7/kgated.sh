#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kgated, the daemon, through real traffic.  Started in the node namespace
# with the seed's manifests (tests/l7/manifests/seed and a TLS Secret made
# here), it serves them; /metrics answers; an editor-style change (a
# temporary file renamed over one) reaches the kernel; a truncated file is
# an error that changes nothing, and the completed file then applies; a
# service added by hand survives; an owned object deleted by hand comes
# back, also when a slice changes at the same moment (kgated's cache of
# what it applied must not hide the hand's change); a slice change is in
# the kernel and took the EndpointSlice path; SIGHUP takes a new
# configuration; a SIGKILL and a restart under
# load lose no request and send nothing (same kernel generation); a
# LoadBalancer IP inside addresses.own goes on kgate0 and comes off it on
# SIGTERM, while the kernel's objects stay.
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
KGATED=${KGATED:-$PWD/build/userspace/kgated}
M=tests/l7/manifests
plan 33

L7_DIR=$(mktemp -d /tmp/kgl7.XXXXXX)
topo_up 4 || l7_bail 1
KPID=
stop_kgated() { [ -z "$KPID" ] || kill -KILL "$KPID" 2>/dev/null; }
trap 'stop_kgated; in_ns node ip link del kgate0 2>/dev/null; l7_down' EXIT
LPORT=80
MD=$L7_DIR/m			# the manifests kgated follows
LOG=$L7_DIR/kgated.log


# config [EXTRA PATH]: kgated's configuration, following $MD (and PATH).
config() {
	cat >"$L7_DIR/kgated.yaml" <<-EOF
	nodeName: node
	manifests: [$MD${1:+, $1}]
	addresses: {link: kgate0, own: [198.18.100.0/24]}
	metrics: {address: '127.0.0.1:9788'}
	reload: {debounceMs: 100}
	log: stderr
	EOF
}

# start: kgated in the node namespace ($KPID is kgated itself: ip netns
# exec execs it), logging to $LOG.
start() {
	ip netns exec "$(ns node)" "$KGATED" -c "$L7_DIR/kgated.yaml" >>"$LOG" 2>&1 &
	KPID=$!
}
# syncs: how many syncs kgated logged; synced N: more than N now.
syncs() { grep -c 'sync: ' "$LOG"; }
synced() { [ "$(syncs)" -gt "$1" ]; }
refusals() { grep -c 'error in the manifests: nothing applied' "$LOG"; }
refused_more() { [ "$(refusals)" -gt "$1" ]; }
state() { kgate service save; kgate listener save; kgate route save; }
generation() { kgate -j stats | sed -n 's/.*"generation": *\([0-9]*\).*/\1/p'; }
vip() { in_ns client curl -s --max-time "${VIP_WAIT:-10}" -o /dev/null -w '%{http_code} %header{x-backend}' "http://$1/"; }
reaches() { [ "$(req "$1" "$2")" = "$3" ]; }
vip_reaches() { [ "$(vip "$1")" = "$2" ]; }
# on_link ADDR: ADDR/32 is on kgate0 (0), is not (1), no kgate0 (2).
on_link() {
	local out
	out=$(in_ns node ip -o addr show dev kgate0) || return 2
	grep -q " $1/32 " <<<"$out"
}
# replace NAME: $L7_DIR/NAME.new renamed over $MD/NAME, as editors do.
replace() { cp "$L7_DIR/$1.new" "$MD/.$1.swp" && mv "$MD/.$1.swp" "$MD/$1"; }
logtail() { tail -n 8 "$LOG" | sed 's/^/# kgated: /'; }

mkdir -p "$MD" "$L7_DIR/m2"
cp $M/seed/*.yaml "$MD/"
if ! tls_secret "$MD/20-secret.yaml"; then
	fail "a certificate for the seed's Secret (openssl)"
	exit 1
fi
config

# --- --check ------------------------------------------------------------------
out=$(in_ns node "$KGATED" -c "$L7_DIR/kgated.yaml" --check 2>&1)
check "kgated --check takes the seed's manifests and says what they make" \
	like 'kgated: manifests: [0-9]+ services, 1 listeners, [0-9]+ routes' echo "$out"
printf 'ingress: {prot: 81}\n' >"$L7_DIR/bad.yaml"
out=$(in_ns node "$KGATED" -c "$L7_DIR/bad.yaml" --check 2>&1); rc=$?
check "kgated --check refuses a configuration's unknown key, with its position" \
	test "$rc" = 1 -a -n "$(grep -F "bad.yaml:1:11: error: ingress.prot: unknown key" <<<"$out")"

# --- start: the seed served ---------------------------------------------------
start
check "kgated starts and syncs the seed" wait_for 30 synced 0 || logtail
wait_for 10 in_ns client bash -c "exec 3<>/dev/tcp/$NODE/80"
check "by host and path: api.example.com/v1 reaches pod1" is "200 pod1" req api.example.com /v1/users
check "by host: dashboard.example.com reaches pod3" is "200 pod3" req dashboard.example.com /x
check "by VIP: 10.96.1.3 reaches pod3" is "200 pod3" vip 10.96.1.3
metrics() { in_ns node curl -s --max-time 10 http://127.0.0.1:9788/metrics; }
up_and_api() { metrics | grep -qx 'kgate_up 1' && metrics | grep -q 'service="api-v1"'; }
check "GET /metrics from kgated: kgate_up 1, and api-v1's series" up_and_api

# --- an editor's change -------------------------------------------------------
sed 's/10.244.2.2/10.244.4.2/' $M/seed/10-cluster.yaml >"$L7_DIR/10-cluster.yaml.new"
check "before the change, api.example.com/v2 reaches pod2 (the probe works)" \
	is "200 pod2" req api.example.com /v2
replace 10-cluster.yaml
check "a file renamed over 10-cluster.yaml: /v2 now reaches pod4" \
	wait_for 15 reaches api.example.com /v2 "200 pod4" || logtail
check "the slice change is in the kernel: api-v2's backend is 10.244.4.2" \
	like "^service replace default/api-v2:[0-9]+ .*backend 10\.244\.4\.2:" kgate service save
check "and took the EndpointSlice path: one Service translated again" \
	like "endpoints changed: 1 Service translated again" cat "$LOG"
check "and its sync says how long after the change the kernel had it" \
	wait_for 10 grep -qE "sync: 0 added, 1 replaced, 0 deleted, [0-9]+ unchanged, [0-9]+\.[0-9] ms after the change$" "$LOG"

# --- a partial write, then the whole file -------------------------------------
before=$(state) gen=$(generation) n=$(refusals)
head -c 700 $M/seed/10-cluster.yaml >"$MD/10-cluster.yaml"
check "a truncated file: kgated logs the error and applies nothing" \
	wait_for 15 refused_more "$n" || logtail
check "the error names the file, line and column" \
	like "10-cluster.yaml:[0-9]+:[0-9]+: error: " cat "$LOG"
check "and the kernel is as it was (same state, same generation)" \
	test "$(state)" = "$before" -a "$(generation)" = "$gen"
cp $M/seed/10-cluster.yaml "$MD/10-cluster.yaml"
check "the completed file applies: /v2 back on pod2" \
	wait_for 15 reaches api.example.com /v2 "200 pod2" || logtail

# --- hands on the kernel ------------------------------------------------------
n=$(syncs)
kgate service add hand/made:80 cluster 10.96.9.9:80 backend 10.244.1.2:8080
kgate service del default/api-v1:80
check "an owned service deleted by hand: kgated puts it back" \
	wait_for 15 vip_reaches 10.96.1.1 "200 pod1" || logtail
check "a service added by hand survives kgated's syncs" \
	like "^service hand/made:80 " kgate service show hand/made:80
# a hand's deletion and a slice change at once: the sync reads the kernel
both() { reaches api.example.com /v2 "200 pod4" && vip_reaches 10.96.1.1 "200 pod1"; }
kgate service del default/api-v1:80
replace 10-cluster.yaml
check "deleted by hand as a slice changes: api-v1 back, and /v2 on pod4" \
	wait_for 15 both || logtail
cp $M/seed/10-cluster.yaml "$MD/10-cluster.yaml"
check "the slice back as it was: /v2 on pod2" \
	wait_for 15 reaches api.example.com /v2 "200 pod2" || logtail

# --- SIGHUP: a new configuration ----------------------------------------------
cat >"$L7_DIR/m2/extra.yaml" <<-EOF
apiVersion: v1
kind: Service
metadata: {name: extra}
spec: {clusterIP: 10.96.1.9, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: extra-a, labels: {kubernetes.io/service-name: extra}}
addressType: IPv4
ports: [{port: 8080}]
endpoints: [{addresses: [10.244.4.2]}]
EOF
# (a VIP nobody serves only times out: 3 s is enough to say so)
VIP_WAIT=3 refute "a directory not in the configuration is not followed" \
	vip_reaches 10.96.1.3 "200 pod3" -- vip_reaches 10.96.1.9 "200 pod4"
config "$L7_DIR/m2"
kill -HUP "$KPID"
check "SIGHUP: the configuration's new directory is followed (10.96.1.9 reaches pod4)" \
	wait_for 15 vip_reaches 10.96.1.9 "200 pod4" || logtail

# --- addresses ----------------------------------------------------------------
cat >"$MD/30-lb.yaml" <<-EOF
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  clusterIP: 10.96.1.7
  ports: [{port: 80, targetPort: 8080}]
status:
  loadBalancer:
    ingress: [{ip: 198.18.100.7}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: lb-a, labels: {kubernetes.io/service-name: lb}}
addressType: IPv4
ports: [{port: 8080}]
endpoints: [{addresses: [10.244.1.2]}]
EOF
check "the LoadBalancer IP 198.18.100.7 goes on kgate0" \
	wait_for 15 on_link 198.18.100.7 || logtail
check "and reaches the Service's Pod" is "200 pod1" vip 198.18.100.7

# --- SIGKILL and a restart under load -----------------------------------------
loaders_start
gen=$(generation) n=$(syncs)
kill -KILL "$KPID"
wait "$KPID" 2>/dev/null
start
check "restarted after SIGKILL, kgated syncs again" wait_for 30 synced "$n" || logtail
check "and sends nothing: 0 added, 0 replaced, 0 deleted" \
	like "sync: 0 added, 0 replaced, 0 deleted" sh -c "grep 'sync: ' '$LOG' | sed -n '$((n + 1))p'"
check "the kernel's generation is unchanged by the restart" test "$(generation)" = "$gen"
check "requests go on after the restart (4 more results)" \
	wait_for 30 more_lines $(($(lines) + 4))
loaders_stop
check "requests through the VIP and the Ingress meanwhile: $total, none failed" \
	test "$total" -gt 10 -a "$lost" = 0

# --- SIGTERM ------------------------------------------------------------------
check "the address survived the restart (adopted)" on_link 198.18.100.7
kill -TERM "$KPID"
check "SIGTERM: kgated stops" wait_for 10 sh -c "! kill -0 $KPID 2>/dev/null"
KPID=
refute "and takes 198.18.100.7 off kgate0 (left in place: not its making)" \
	in_ns node ip link show kgate0 -- on_link 198.18.100.7
check "the kernel's objects stay and serve: /v1 reaches pod1" is "200 pod1" req api.example.com /v1

[ "$TAP_FAILED" = 0 ]
