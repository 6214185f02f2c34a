#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kgated following an API server, through real traffic.  The stand-in
# server (tests/k8s/apiserver.py) runs on 127.0.0.1 in the node namespace,
# preloaded with the seed's objects (tests/l7/manifests/api/seed.json and a
# TLS Secret made here); one kgated with api.server pointing at it serves
# them, and the manifests directory it is also given is not read.  Watch
# events of every kind change traffic: a Service and its EndpointSlice
# added, a slice modified, a Service deleted, an Ingress path added, an
# IngressClass taking an Ingress, HTTPRoutes and then their Gateway, legacy
# Endpoints, a TLS Secret valid and broken.  A burst of 20 puts is two
# batches at most (the leading edge, the rest; a generation step each).
# Watches cut with the history compacted (410 as an event, then as a
# status) make kgated list again; cut without, one resumes from its
# resourceVersion.  The server away for 4 s: traffic goes on, the retries
# back off, a change made after it applies.  Status written back: the
# Ingress's address, the Gateway's and the HTTPRoutes' conditions.  A
# SIGKILL and a restart under load lose no request and send nothing (same
# kernel generation).
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
KGATED=${KGATED:-$PWD/build/userspace/kgated}
APISERVER=$PWD/tests/k8s/apiserver.py
A=tests/l7/manifests/api
plan 50

L7_DIR=$(mktemp -d /tmp/kgl7.XXXXXX)
if ! command -v python3 >/dev/null; then
	L7_WHY="no python3 for the stand-in API server"
	l7_bail 77
fi
topo_up 4 || l7_bail 1
KPID=
stop_kgated() { [ -z "$KPID" ] || kill -KILL "$KPID" 2>/dev/null; }
# (topo_down ends the API server: it runs in the node namespace)
trap 'stop_kgated; l7_down' EXIT
LOG=$L7_DIR/kgated.log
APIS=				# the API server's HOST:PORT

# --- the API server and how to drive it ---------------------------------------

# api URL-PATH [CURL ARGS...]: a request to the API server, from the node.
api() {
	local p=$1
	shift
	in_ns node curl -sf --max-time 10 "$@" "http://$APIS$p"
}
# ctl NAME [JSON]: POST JSON to /_control/NAME.
ctl() { api "/_control/$1" -X POST --data-binary "${2:-{\}}" >/dev/null; }
# put JSON... : each object JSON added or modified, one request in all.
put() {
	local IFS=,
	ctl put "{\"objects\": [$*]}"
}
put_file() { ctl put "{\"objects\": $(cat "$1")}"; }
put_synced_file() {
	local n
	n=$(syncs)
	put_file "$1" && wait_for 20 synced "$n"
}
# put_synced JSON...: put, then wait for kgated's next sync.
put_synced() {
	local n
	n=$(syncs)
	put "$@" && wait_for 20 synced "$n"
}
# del KIND NAME [APIVERSION]: the object deleted.
del() {
	ctl delete "$(printf '{"apiVersion": "%s", "kind": "%s",
		"namespace": "default", "name": "%s"}' "${3:-v1}" "$1" "$2")"
}

# q CONTROL EXPR: EXPR (Python, the JSON of /_control/CONTROL as d) true
# (status 0) or false (1); other values printed.  last(SUFFIX) is the
# body of the last status patch to a path ending in SUFFIX ({} if none),
# cond(OBJECT, TYPE) the (status, reason) of a condition of OBJECT.
Q='
import json, sys
d = json.load(sys.stdin)
def last(suffix):
    b = [p["body"] for p in d if p["path"].endswith(suffix)]
    return b[-1] if b else {}
def cond(o, t):
    c = [(x.get("status"), x.get("reason"))
         for x in (o or {}).get("conditions", []) if x.get("type") == t]
    return c[0] if c else None
r = eval("(%s)" % sys.argv[1])	# (): it may span lines
if isinstance(r, bool):
    sys.exit(not r)
print(r if isinstance(r, (str, int, float)) else json.dumps(r))
'
q() { api "/_control/$1" | python3 -c "$Q" "$2"; }
qshow() { q "$@" | cut -c1-2000 | sed 's/^/# /'; }
nreq() { q requests 'len(d)'; }
PLURALS="('services', 'endpoints', 'endpointslices', 'ingresses',
	 'ingressclasses', 'gatewayclasses', 'gateways', 'httproutes',
	 'secrets')"
# lists_since N: a LIST (a GET of a kind without watch) after request N.
lists_since() {
	q requests "any('watch' not in x['query'] and x['method'] == 'GET' and
		     x['path'].split('/')[-1] in $PLURALS for x in d[$1:])"
}
# resumed_since N PLURAL: a WATCH of PLURAL with a resourceVersion after N.
resumed_since() {
	q requests "any(x['path'].endswith('/$2') and
		     x['query'].get('watch') in ('1', 'true') and
		     x['query'].get('resourceVersion', '0') != '0'
		     for x in d[$1:])"
}
# show_since N: the requests after N, as TAP comments.
show_since() {
	q requests "'\n'.join('# %s %s %s' % (x['method'], x['path'],
			 x['query']) for x in d[$1:][-12:])"
}

svc_json() {	# svc_json NAME CLUSTERIP
	printf '{"apiVersion": "v1", "kind": "Service",
		"metadata": {"name": "%s", "namespace": "default"},
		"spec": {"clusterIP": "%s",
			 "ports": [{"port": 80, "targetPort": 8080}]}}' "$1" "$2"
}
slice_json() {	# slice_json NAME SERVICE POD-ADDRESS [PORT-NAME]
	printf '{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
		"metadata": {"name": "%s", "namespace": "default",
			"labels": {"kubernetes.io/service-name": "%s"}},
		"addressType": "IPv4", "ports": [{%s"port": 8080}],
		"endpoints": [{"addresses": ["%s"],
			       "conditions": {"ready": true}}]}' \
		"$1" "$2" "${4:+\"name\": \"$4\", }" "$3"
}
# secret_json CRT-FILE KEY-FILE: the Secret tls-secret.
secret_json() {
	printf '{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata": {"name": "tls-secret", "namespace": "default"},
		"data": {"tls.crt": "%s", "tls.key": "%s"}}' \
		"$(base64 -w0 "$1")" "$(base64 -w0 "$2")"
}
# ingress_json NAME CLASS HOST PATH SERVICE [PATH SERVICE]...
ingress_json() {
	local name=$1 class=$2 host=$3 paths=() sep=
	shift 3
	while [ $# -ge 2 ]; do
		paths+=("$sep$(printf '{"path": "%s", "pathType": "Prefix",
			"backend": {"service": {"name": "%s",
					    "port": {"number": 80}}}}' "$1" "$2")")
		sep=,
		shift 2
	done
	printf '{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
		"metadata": {"name": "%s", "namespace": "default"},
		"spec": {"ingressClassName": "%s",
			 "rules": [{"host": "%s", "http": {"paths": [%s]}}]}}' \
		"$name" "$class" "$host" "${paths[*]}"
}

# --- kgated and what it says -----------------------------------------------------

start() {
	ip netns exec "$(ns node)" "$KGATED" -c "$L7_DIR/kgated.yaml" >>"$LOG" 2>&1 &
	KPID=$!
}
syncs() { grep -c 'sync: ' "$LOG"; }
synced() { [ "$(syncs)" -gt "$1" ]; }
# changing_syncs: the sync lines that changed something.
changing_syncs() { grep 'sync: ' "$LOG" | grep -v 'sync: 0 added, 0 replaced, 0 deleted'; }
generation() { kgate -j stats | sed -n 's/.*"generation": *\([0-9]*\).*/\1/p'; }
vip() {
	in_ns client curl -s --max-time "${VIP_WAIT:-10}" -o /dev/null \
		-w '%{http_code} %header{x-backend}' "http://$1/"
}
reaches() { [ "$(req "$1" "$2")" = "$3" ]; }
vip_reaches() { [ "$(vip "$1")" = "$2" ]; }
logtail() { tail -n 8 "$LOG" | sed 's/^/# kgated: /'; }
# --- start ----------------------------------------------------------------------
ip netns exec "$(ns node)" python3 "$APISERVER" --host 127.0.0.1 \
	>"$L7_DIR/apiserver.out" 2>&1 &
wait_for 20 grep -q '^listening on ' "$L7_DIR/apiserver.out"
APIS=$(sed -n 's/^listening on //p' "$L7_DIR/apiserver.out")
check "the stand-in API server listens in the node namespace ($APIS)" \
	test -n "$APIS" || { cat "$L7_DIR/apiserver.out"; exit 1; }

d=$L7_DIR/tls
mkdir -p "$d" "$L7_DIR/m"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=api.example.com \
	-keyout "$d/key.pem" -out "$d/crt.pem" >/dev/null 2>&1
put_file $A/seed.json && put "$(secret_json "$d/crt.pem" "$d/key.pem")"
check "the seed's objects and a valid TLS Secret are loaded into it" \
	q state 'int(d["resourceVersion"]) >= 111'

# A manifest kgated must not read: with api.server set, manifests are not.
cat >"$L7_DIR/m/extra.yaml" <<-EOF
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
cat >"$L7_DIR/kgated.yaml" <<-EOF
nodeName: node
manifests: [$L7_DIR/m]
api: {server: 'http://$APIS', statusAddresses: [198.18.0.1]}
reload: {debounceMs: 300}
log: stderr
EOF

start
check "kgated lists the API server's objects and syncs them" \
	wait_for 30 synced 0 || logtail
wait_for 10 in_ns client bash -c "exec 3<>/dev/tcp/$NODE/80"
check "by host and path: api.example.com/v1 reaches pod1" is "200 pod1" req api.example.com /v1/users
check "by host: dashboard.example.com reaches pod3" is "200 pod3" req dashboard.example.com /x
check "by VIP: 10.96.1.3 reaches pod3" is "200 pod3" vip 10.96.1.3
check "the valid TLS Secret: no error logged" \
	test -z "$(grep -E 'error' "$LOG")" || grep -E 'error' "$LOG" | head -5 | sed 's/^/# /'
# (a VIP nobody serves only times out: 3 s is enough to say so)
VIP_WAIT=3 refute "with api.server set, the manifests directory is not read" \
	vip_reaches 10.96.1.4 "200 pod4" -- vip_reaches 10.96.1.9 "200 pod4"

# --- watch events, each kind -------------------------------------------------------
put "$(svc_json new 10.96.2.1)" "$(slice_json new-a new 10.244.4.2)"
check "ADDED: a new Service and its EndpointSlice: 10.96.2.1 reaches pod4" \
	wait_for 20 vip_reaches 10.96.2.1 "200 pod4" || logtail

check "before the change, api.example.com/v2 reaches pod2 (the probe works)" \
	is "200 pod2" req api.example.com /v2
put "$(slice_json api-v2-abc api-v2 10.244.4.2)"
check "MODIFIED: api-v2's slice now names pod4, and /v2 reaches it" \
	wait_for 20 reaches api.example.com /v2 "200 pod4" || logtail
check "and the slice event took the EndpointSlice path: one Service translated again" \
	grep -q "endpoints changed: 1 Service translated again" "$LOG" || logtail
check "and its sync says how long after the event the kernel had it" \
	wait_for 10 grep -qE "sync: 0 added, 1 replaced, 0 deleted, [0-9]+ unchanged, [0-9]+\.[0-9] ms after the change$" \
	"$LOG" || logtail

del Service new
wait_for 20 sh -c "! ip netns exec $(ns node) $KGATE service show default/new:80"
VIP_WAIT=3 refute "DELETED: the Service new is gone: 10.96.2.1 answers no more" \
	vip_reaches 10.96.1.3 "200 pod3" -- vip_reaches 10.96.2.1 "200 pod4"

refute "api.example.com/dash is not routed yet" \
	reaches api.example.com /v1 "200 pod1" -- reaches api.example.com /dash "200 pod3"
ing=$(api /apis/networking.k8s.io/v1/namespaces/default/ingresses | python3 -c '
import json, sys
o = [o for o in json.load(sys.stdin)["items"]
     if o["metadata"]["name"] == "app-ingress"][0]
o.update(apiVersion="networking.k8s.io/v1", kind="Ingress")
o["spec"]["rules"][0]["http"]["paths"].append({"path": "/dash",
    "pathType": "Prefix", "backend": {"service": {"name": "dashboard",
    "port": {"number": 80}}}})
print(json.dumps(o))')
put "$ing"
check "an Ingress path added (/dash): it reaches dashboard's pod3" \
	wait_for 20 reaches api.example.com /dash "200 pod3" || logtail

put_synced "$(ingress_json late late late.example.com / web-api)"
refute "an Ingress of class late, an IngressClass nobody made: not served" \
	reaches api.example.com /v1 "200 pod1" -- reaches late.example.com / "200 pod4"
put '{"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
      "metadata": {"name": "late"},
      "spec": {"controller": "kgate.io/ingress-controller"}}'
check "the IngressClass late of kgate's controller: late.example.com reaches pod4" \
	wait_for 20 reaches late.example.com / "200 pod4" || logtail

# Watches bring kinds in any order: the routes first, then their Gateway.
put_synced_file $A/httproutes.json
check "HTTPRoutes before their Gateway: skipped, no Gateway of kgate's" \
	wait_for 20 grep -q "HTTPRoute default/gw-route: no parentRef names a Gateway of kgate's" \
	"$LOG" || logtail
put_file $A/gateway.json
check "GatewayClass, Gateway and HTTPRoute: gw.example.com reaches pod1" \
	wait_for 20 reaches gw.example.com / "200 pod1" || logtail
check "an HTTPRoute to a Service that does not exist is answered 503" \
	is "503 -" req ghost.example.com /

put "$(svc_json legacy 10.96.2.2)" '{"apiVersion": "v1", "kind": "Endpoints",
	"metadata": {"name": "legacy", "namespace": "default"},
	"subsets": [{"addresses": [{"ip": "10.244.2.2"}],
		     "ports": [{"port": 8080}]}]}'
check "legacy Endpoints for a Service without slices: 10.96.2.2 reaches pod2" \
	wait_for 20 vip_reaches 10.96.2.2 "200 pod2" || logtail

n=$(syncs)
printf 'not a certificate\n' >"$d/bad.pem"
put "$(secret_json "$d/bad.pem" "$d/key.pem")"
check "a broken TLS Secret: an error naming default/tls-secret is logged" \
	wait_for 20 grep -qE 'error.*tls-secret|tls-secret.*error' "$LOG" || logtail
put "$(secret_json "$d/crt.pem" "$d/key.pem")" "$(slice_json web-api-abc web-api 10.244.3.2)"
check "the Secret mended, the next change applies: late.example.com reaches pod3" \
	wait_for 20 reaches late.example.com / "200 pod3" || logtail

# --- a burst: coalesced -------------------------------------------------------------
# The first change after a quiet period is taken at once (the leading
# edge), the rest of the burst in one batch: two syncs at most.
gen=$(generation) nchg=$(changing_syncs | wc -l)
# burst_syncs: "COUNT ADDED" of the syncs that changed something since.
burst_syncs() {
	changing_syncs | tail -n +$((nchg + 1)) |
		awk '{ n++; a += $4 } END { print n + 0, a + 0 }'
}
args=() sep=()
for i in $(seq 1 10); do
	args+=("${sep[@]}" -s -X POST "http://$APIS/_control/put"
	       --data-binary "{\"object\": $(svc_json "burst-$i" "10.96.3.$i")}")
	sep=(--next)
	args+=(--next -s -X POST "http://$APIS/_control/put" --data-binary
	       "{\"object\": $(slice_json "burst-$i-a" "burst-$i" 10.244.1.2)}")
done
in_ns node curl --max-time 30 "${args[@]}" >/dev/null
wait_for 20 kgate service show default/burst-10:80
read -r bn ba <<<"$(burst_syncs)"
check "20 puts in a burst: $bn syncs changed anything (2 at most), adding $ba services (10)" \
	test "$bn" -ge 1 -a "$bn" -le 2 -a "$ba" = 10 || logtail
gen2=$(generation)
check "as many generation steps in the kernel ($gen to $gen2)" \
	test "$((gen2 - gen))" = "$bn"
check "and 10.96.3.10 reaches pod1" is "200 pod1" vip 10.96.3.10

# --- 410: relist ----------------------------------------------------------------------
n=$(nreq)
ctl drop "{\"compact\": \"event\", \"then\": [$(slice_json api-v1-abc api-v1 10.244.2.2)]}"
check "watches cut, history compacted (410 ERROR event): kgated lists again" \
	wait_for 20 lists_since "$n" || show_since "$n"
check "and the change made meanwhile arrives: /v1 reaches pod2" \
	wait_for 20 reaches api.example.com /v1 "200 pod2" || logtail
n=$(nreq)
ctl drop "{\"compact\": \"status\", \"then\": [$(slice_json api-v1-abc api-v1 10.244.1.2)]}"
check "the same with an HTTP 410 Status: kgated lists again" \
	wait_for 20 lists_since "$n" || show_since "$n"
check "and the change arrives: /v1 back on pod1" \
	wait_for 20 reaches api.example.com /v1 "200 pod1" || logtail

# --- a cut watch resumes --------------------------------------------------------------
n=$(nreq)
ctl drop "{\"then\": [$(slice_json dashboard-abc dashboard 10.244.2.2 http)]}"
check "watches cut, no compaction: the change made meanwhile arrives (dashboard on pod2)" \
	wait_for 20 reaches dashboard.example.com / "200 pod2" || logtail
check "the slices' watch resumed from its resourceVersion" \
	resumed_since "$n" endpointslices || show_since "$n"
lists_since "$n"
rc=$?
check "and nothing was listed again" test "$rc" = 1 || show_since "$n"

# --- the API server away -----------------------------------------------------------------
n=$(nreq)
loaders_start
ctl away '{"seconds": 4, "reset": true}'
wait_for 5 sh -c "! ip netns exec $(ns node) curl -sf --max-time 2 http://$APIS/_control/state"
t0=$SECONDS
wait_for 20 api /_control/state
echo "# the API server was away for about $((SECONDS - t0)) s"
put "$(slice_json web-api-abc web-api 10.244.4.2)"
loaders_stop
check "requests through the VIP and the Ingress during the outage: $total, none failed" \
	test "$total" -gt 4 -a "$lost" = 0
# spaced N: kgated's attempts during the outage (after request N), per
# path: never more than 8 in 4 s (a fixed 250 ms would make 16), never
# closer than 0.15 s (but the first gap: a cut watch may resume at once),
# each gap at least 1.2 times the one before (the delay doubles; its
# jitter of +-20 % and the time a request takes leave 1.3 at least).
spaced() {
	api /_control/requests | python3 -c '
import json, sys
t = {}
for x in json.load(sys.stdin)[int(sys.argv[1]):]:
    if x.get("away") and x["path"].startswith("/ap"):
        t.setdefault(x["path"], []).append(x["time"])
good = any(len(v) >= 3 for v in t.values())
for p, v in sorted(t.items()):
    g = [b - a for a, b in zip(v, v[1:])]
    print("# %s: %d attempts, gaps %s" %
          (p, len(v), " ".join("%.2f" % x for x in g)))
    if g and g[0] < 0.15:
        g = g[1:]
    if len(v) > 8 or (g and min(g) < 0.15) or \
       any(b < 1.2 * a for a, b in zip(g, g[1:])):
        good = False
sys.exit(not good)' "$1"
}
check "kgated's retries back off (gaps 1.2 times the last at least, 8 at most a kind)" \
	spaced "$n"
check "a change made once it is back applies: late.example.com reaches pod4" \
	wait_for 30 reaches late.example.com / "200 pod4" || logtail

# --- status written back ---------------------------------------------------------------------
check "status: the Ingress's loadBalancer.ingress is [198.18.0.1] (merge patch)" \
	wait_for 20 q patches "
		last('/ingresses/app-ingress/status').get('status', {})
		.get('loadBalancer') == {'ingress': [{'ip': '198.18.0.1'}]} and
		all(p['contentType'] == 'application/merge-patch+json' for p in d)" ||
	qshow patches 'd[-3:]'
check "status: the Gateway is Accepted and Programmed" \
	wait_for 20 q patches "
		(lambda s: cond(s, 'Accepted') == ('True', 'Accepted') and
			   cond(s, 'Programmed') == ('True', 'Programmed'))(
		last('/gateways/my-gateway/status').get('status'))" ||
	qshow patches "last('/gateways/my-gateway/status')"
# parent ROUTE RESOLVEDREFS: the route's parent my-gateway, ours, Accepted,
# with ResolvedRefs RESOLVEDREFS (status, reason).
parent() {
	q patches "any(p.get('parentRef', {}).get('name') == 'my-gateway' and
		     p.get('controllerName') == 'kgate.io/gateway-controller' and
		     cond(p, 'Accepted') == ('True', 'Accepted') and
		     cond(p, 'ResolvedRefs') == $2
		     for p in last('/httproutes/$1/status').get('status', {}).get('parents', []))"
}
check "status: gw-route's parent my-gateway, Accepted, ResolvedRefs True" \
	wait_for 20 parent gw-route "('True', 'ResolvedRefs')" ||
	qshow patches "last('/httproutes/gw-route/status')"
check "status: ghost-route, whose Service does not exist: ResolvedRefs False, BackendNotFound" \
	wait_for 20 parent ghost-route "('False', 'BackendNotFound')" ||
	qshow patches "last('/httproutes/ghost-route/status')"

# --- an object with errors is left out, the rest applied --------------------------------------
BAD='{"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
	"metadata": {"name": "bad-route", "namespace": "default"},
	"spec": {"parentRefs": [{"name": "my-gateway"}], "rules": [{"matches":
	[{"path": {"type": "RegularExpression", "value": "/(a"}}],
	"backendRefs": [{"name": "api-v1", "port": 80}]}]}}'
put "$BAD" "$(svc_json beside 10.96.2.9)" "$(slice_json beside-a beside 10.244.4.2)"
check "an HTTPRoute with an error does not hold back a Service put with it (10.96.2.9 reaches pod4)" \
	wait_for 20 vip_reaches 10.96.2.9 "200 pod4" || logtail
check "kgated says it left one object out, and logs its error" \
	sh -c "grep -q '1 object with errors left out' '$LOG' &&
	       grep -q 'HTTPRoute default/bad-route: .*regular expression' '$LOG'" ||
	logtail
check "status: bad-route's parent my-gateway is not Accepted: UnsupportedValue" \
	wait_for 20 q patches "any(cond(p, 'Accepted') == ('False', 'UnsupportedValue')
		for p in last('/httproutes/bad-route/status').get('status', {}).get('parents', []))" ||
	qshow patches "last('/httproutes/bad-route/status')"
del HTTPRoute bad-route gateway.networking.k8s.io/v1

# --- SIGKILL and a restart under load ----------------------------------------------------------
loaders_start
gen=$(generation) n=$(syncs)
kill -KILL "$KPID"
wait "$KPID" 2>/dev/null
start
check "restarted after SIGKILL, kgated lists and syncs again" \
	wait_for 30 synced "$n" || logtail
check "and sends nothing: 0 added, 0 replaced, 0 deleted" \
	like "sync: 0 added, 0 replaced, 0 deleted" sh -c "grep 'sync: ' '$LOG' | sed -n '$((n + 1))p'"
check "the kernel's generation is unchanged by the restart" is "$gen" generation
check "requests go on after the restart (4 more results)" \
	wait_for 30 more_lines $(($(lines) + 4))
loaders_stop
check "requests through the VIP and the Ingress meanwhile: $total, none failed" \
	test "$total" -gt 10 -a "$lost" = 0
kill -TERM "$KPID"
check "SIGTERM: kgated stops" wait_for 10 sh -c "! kill -0 $KPID 2>/dev/null"
KPID=

[ "$TAP_FAILED" = 0 ]
