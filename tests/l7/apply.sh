#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kgate apply: Kubernetes manifests to kernel state, through real traffic.
# The seed document's Service and Ingress (tests/l7/manifests/seed, with
# EndpointSlices of our Pods) reach the right Pods by VIP, by host and by
# path; the seed's HTTPRoute likewise (manifests/gateway); a second apply
# sends nothing; --dry-run changes nothing; --diff prints exactly what
# apply then does; --prune deletes only what apply made; every manifest of
# the broken corpus (manifests/broken) is refused with its file, line,
# column and field, and the kernel keeps its state; re-applies under load
# lose no request.
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
M=tests/l7/manifests
BROKEN=$(ls $M/broken/*.yaml | wc -l)
plan $((30 + BROKEN))

L7_DIR=$(mktemp -d /tmp/kgl7.XXXXXX)
topo_up 4 || l7_bail 1
trap l7_down EXIT
LPORT=80

# apply ARGS...: kgate apply, output (both streams) in $OUT, status in $RC;
# its standard output alone in $L7_DIR/apply.out.
apply() {
	kgate apply "$@" >"$L7_DIR/apply.out" 2>"$L7_DIR/apply.err"
	RC=$?
	OUT=$(cat "$L7_DIR/apply.out" "$L7_DIR/apply.err")
	printf '%s\n' "$OUT" | sed 's/^/# apply: /' | head -40
}
NOTHING='^0 added, 0 replaced, 0 deleted, [0-9]+ unchanged'

# state: everything the kernel holds, as batch lines.
state() { kgate service save; kgate listener save; kgate route save; }
generation() { kgate -j stats | sed -n 's/.*"generation": *\([0-9]*\).*/\1/p'; }
vip() { in_ns client curl -s --max-time 10 -o /dev/null -w '%{http_code} %header{x-backend}' "http://$1/"; }

SEED=(-f $M/seed -f "$L7_DIR/20-secret.yaml")
if ! tls_secret "$L7_DIR/20-secret.yaml"; then
	fail "a certificate for the seed's Secret (openssl)"
	exit 1
fi

# --- the seed's Service and Ingress -----------------------------------------
apply "${SEED[@]}"
check "kgate apply takes the seed's manifests" test "$RC" = 0
check "apply says what it added: the Ingress's routes, one per host" \
	like "^route default/app-ingress/api.example.com added" echo "$OUT"
check "apply says it serves the Ingress on listener http-80" \
	like "^listener http-80 added" echo "$OUT"
wait_for 10 in_ns client bash -c "exec 3<>/dev/tcp/$NODE/80"
check "by host and path: api.example.com/v1 reaches api-v1's Pod (pod1)" \
	is "200 pod1" req api.example.com /v1/users
check "by host and path: api.example.com/v2 reaches api-v2's Pod (pod2)" \
	is "200 pod2" req api.example.com /v2
check "by host: dashboard.example.com reaches dashboard's Pod (pod3, named targetPort)" \
	is "200 pod3" req dashboard.example.com /anything
check "rewrite-target / : the Pod sees the path rewritten to /" \
	is "/" echo_field api.example.com /v1/users target
check "a host the Ingress does not name: 404 from kgate" \
	is "404 -" req other.example.com /v1
check "by VIP: api-v1's clusterIP 10.96.1.1:80 reaches pod1" \
	is "200 pod1" vip 10.96.1.1
check "by VIP: dashboard's clusterIP 10.96.1.3:80 reaches pod3" \
	is "200 pod3" vip 10.96.1.3

# --- kgate get: the same state in Kubernetes terms --------------------------
check "kgate get services: api-v1 with its clusterIP and port" \
	like "^default +api-v1 +ClusterIP +10.96.1.1 +<none> +80/TCP" kgate get services
check "kgate get services: web-api without a clusterIP" \
	like "^default +web-api +ClusterIP +None +<none> +80/TCP" kgate get services
check "kgate get ingresses: app-ingress with both its hosts" \
	like "^default +app-ingress +kgate +(api.example.com,dashboard.example.com|dashboard.example.com,api.example.com)" \
	kgate get ingresses
kgate get services -o yaml >"$L7_DIR/get-svc.yaml"
kgate get endpointslices -o yaml >"$L7_DIR/get-eps.yaml"
apply --dry-run -f "$L7_DIR/get-svc.yaml" -f "$L7_DIR/get-eps.yaml"
check "kgate get -o yaml of services and slices reads back as the same services" \
	like "$NOTHING \(dry run\)\$" tail -n1 "$L7_DIR/apply.out"
check "kgate get -o json is a List of the objects" \
	like '"kind": "List"' kgate get services -o json

# --- a second apply, --dry-run, --diff --------------------------------------
gen=$(generation)
apply "${SEED[@]}"
check "a second apply of the same input sends nothing (0 changes, same generation)" \
	test "$RC" = 0 -a "$(generation)" = "$gen" -a -n "$gen"
check "and says so" like "$NOTHING\$" tail -n1 "$L7_DIR/apply.out"
sed 's/10.244.2.2/10.244.4.2/' $M/seed/10-cluster.yaml >"$L7_DIR/changed.yaml"
CHANGED=(-f $M/seed/00-seed.yaml -f "$L7_DIR/changed.yaml" -f "$L7_DIR/20-secret.yaml")
apply --dry-run "${CHANGED[@]}"
check "--dry-run says what would change" \
	like "^service default/api-v2:80 replaced \(dry run\)" echo "$OUT"
check "--dry-run changes nothing: same generation, api-v2 still on pod2" \
	test "$(generation)" = "$gen" -a "$(req api.example.com /v2)" = "200 pod2"
apply --diff "${CHANGED[@]}"
check "--diff prints the one command apply would send" \
	like "^service replace default/api-v2:80 .*backend 10.244.4.2:8080" echo "$OUT"
cp "$L7_DIR/apply.out" "$L7_DIR/plan.batch"
check "--diff changes nothing" test "$(generation)" = "$gen"
kgate batch -f "$L7_DIR/plan.batch" >/dev/null 2>&1
apply --dry-run "${CHANGED[@]}"
check "--diff's commands, run by kgate batch, are what apply would do: nothing left" \
	like "$NOTHING \(dry run\)\$" tail -n1 "$L7_DIR/apply.out"
check "and api-v2 now reaches pod4" is "200 pod4" req api.example.com /v2

# --- the broken corpus: each refused, whole, with file, line and field -------
before=$(state)
for f in $M/broken/*.yaml; do
	want=$(sed -n 's/^# expect: //p' "$f")
	apply "${SEED[@]}" -f "$f"
	if [ "$RC" = 1 ] && grep -qE -- "$want" <<<"$OUT" &&
		grep -q "nothing applied" <<<"$OUT" && [ "$(state)" = "$before" ]; then
		ok "broken $(basename "$f"): refused, naming $want"
	else
		fail "broken $(basename "$f"): refused, naming $want" \
			"status $RC" "${OUT//$'\n'/ | }"
	fi
done

# --- --prune: only what apply made -------------------------------------------
kgate service add hand/made:80 cluster 10.96.9.9:80 backend 10.244.1.2:8080
apply -f $M/gateway -f $M/seed/10-cluster.yaml
check "without --prune, objects the input no longer has stay (the Ingress's routes)" \
	like "^route default/app-ingress/dashboard.example.com" kgate route show
apply --prune -f $M/gateway -f $M/seed/10-cluster.yaml
check "--prune deletes what apply made and the input lacks" \
	like "^route default/app-ingress/dashboard.example.com deleted" echo "$OUT"
check "--prune leaves a service added by hand" \
	like "^service hand/made:80 " kgate service show hand/made:80

# --- the seed's HTTPRoute -----------------------------------------------------
check "the seed's HTTPRoute: api.example.com/v1 reaches api-v1's Pod (pod1)" \
	is "200 pod1" req api.example.com /v1
check "the HTTPRoute alone now: /v2 (only the Ingress had it) is 404" \
	is "404 -" req api.example.com /v2

# --- re-applies under load: no request lost ----------------------------------
# Requests through the VIP and the HTTPRoute from two loaders for as long
# as the configuration changes (a backend more, then less) every second,
# 30 times: more than 30 s.
loaders_start
sed 's/- addresses: \[10.244.1.2\]/- addresses: [10.244.1.2]\n- addresses: [10.244.4.2]/' \
	$M/seed/10-cluster.yaml >"$L7_DIR/grown.yaml"
applies=0 bad=0
for i in $(seq 1 30); do
	if [ $((i % 2)) = 1 ]; then
		apply -f $M/gateway -f "$L7_DIR/grown.yaml"
	else
		apply -f $M/gateway -f $M/seed/10-cluster.yaml
	fi
	[ "$RC" = 0 ] && applies=$((applies + 1)) || bad=$((bad + 1))
	sleep 1		# the pace of the changes, not a wait for one
done
loaders_stop '^200 pod[14] 200 pod[14]$'
check "30 re-applies, one a second, under load all took effect" test "$applies" = 30
check "requests through the VIP and the HTTPRoute during them: $total, none failed" \
	test "$total" -gt 30 -a "$lost" = 0

[ "$TAP_FAILED" = 0 ]
