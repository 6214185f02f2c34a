#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Routing through kgate's HTTP listener, each rule through a real request:
# Ingress path types, hosts and precedence, the default backend; HTTPRoute
# header, query and method matches and their precedence, weights, filters
# (header modifiers, redirects, URL rewrites and the spec's
# ReplacePrefixMatch table), rewrite-target; one keep-alive connection
# across services; a route to a service that comes later.
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
plan 64

l7_up 4 || l7_bail $?
trap l7_down EXIT
P1=default/pod1:80 P2=default/pod2:80 P3=default/pod3:80 P4=default/pod4:80

# --- Ingress: path types and precedence (one host) -------------------------
kgate route add default/paths listener web host a.example \
	rule match exact /foo backend $P1 \
	rule match prefix /foo backend $P2 \
	rule match prefix /foo/bar backend $P3 \
	rule match impl /impl backend $P1 \
	rule match exact /x/ backend $P4 \
	rule match prefix /y/ backend $P4
check "Ingress Exact /foo takes /foo, before Prefix /foo of equal length" \
	is "200 pod1" req a.example /foo
check "Ingress Exact /foo takes /foo?q=1 (the query is not the path)" \
	is "200 pod1" req a.example '/foo?q=1'
check "Ingress Prefix /foo takes /foo/ (element-wise), Exact /foo does not" \
	is "200 pod2" req a.example /foo/
check "Ingress Prefix /foo takes /foo/baz" is "200 pod2" req a.example /foo/baz
check "Ingress Prefix /foo does not take /foobar: 404 from kgate" \
	is "404 -" req a.example /foobar
check "the longest path wins: Prefix /foo/bar takes /foo/bar/x" \
	is "200 pod3" req a.example /foo/bar/x
check "Prefix /foo/bar takes /foo/bar itself" is "200 pod3" req a.example /foo/bar
check "Prefix /foo/bar does not take /foo/barn: Prefix /foo does" \
	is "200 pod2" req a.example /foo/barn
check "ImplementationSpecific /impl is a prefix: it takes /impl/x" \
	is "200 pod1" req a.example /impl/x
check "Exact /x/ does not take /x" is "404 -" req a.example /x
check "Prefix /y/ (trailing slash) takes /y" is "200 pod4" req a.example /y
check "paths are case-sensitive: /FOO matches nothing" \
	is "404 -" req a.example /FOO

# --- Ingress: hosts ---------------------------------------------------------
kgate route add default/wild listener web host '*.w.example' \
	rule match prefix / backend $P2
kgate route add default/exact listener web host x.w.example \
	rule match prefix / backend $P3
check "Ingress *.w.example takes a.w.example" is "200 pod2" req a.w.example /
check "Ingress *.w.example does not take b.a.w.example (one label only)" \
	is "404 -" req b.a.w.example /
check "Ingress *.w.example does not take w.example itself" \
	is "404 -" req w.example /
check "an exact host beats a wildcard: x.w.example" is "200 pod3" req x.w.example /
check "hosts compare without case and without the port: X.W.Example:80" \
	is "200 pod3" req X.W.Example:80 /
check "an unknown host without a default backend: 404" \
	is "404 -" req nowhere.example /
kgate listener replace web "$NODE:$LPORT" default-backend $P4
check "an unknown host goes to the listener's default backend" \
	is "200 pod4" req nowhere.example /
check "a known host whose paths do not match goes to the default backend" \
	is "200 pod4" req a.example /foobar
check "replacing the listener kept its routes" is "200 pod1" req a.example /foo
kgate listener replace web "$NODE:$LPORT"

# --- HTTPRoute: matches and precedence --------------------------------------
kgate route add default/hr listener web kind httproute host h.example \
	rule match prefix /m method POST backend $P1 \
	rule match prefix /m header X-Ver=2 backend $P2 \
	rule match prefix /m query v=3 backend $P3 \
	rule match prefix /m backend $P4
check "HTTPRoute: GET /m with nothing else takes the plain rule" \
	is "200 pod4" req h.example /m
check "HTTPRoute: method POST matches" is "200 pod1" req h.example /m -X POST
check "HTTPRoute: header X-Ver=2 matches" is "200 pod2" req h.example /m -H 'X-Ver: 2'
check "HTTPRoute: header names match without case (x-ver)" \
	is "200 pod2" req h.example /m -H 'x-ver: 2'
check "HTTPRoute: header values match exactly (X-Ver: 22 does not)" \
	is "200 pod4" req h.example /m -H 'X-Ver: 22'
check "HTTPRoute: query v=3 matches" is "200 pod3" req h.example '/m?a=1&v=3'
check "HTTPRoute precedence: a header match before a query match" \
	is "200 pod2" req h.example '/m?v=3' -H 'X-Ver: 2'
check "HTTPRoute precedence: a method match before a header match" \
	is "200 pod1" req h.example /m -X POST -H 'X-Ver: 2'
kgate route add default/hrw listener web kind httproute host '*.hr.example' \
	rule backend $P3
check "HTTPRoute *.hr.example takes a.b.hr.example (one or more labels)" \
	is "200 pod3" req a.b.hr.example /
kgate route add default/hr-old listener web kind httproute host o.example \
	rule match prefix /p backend $P1
kgate route add default/hr-new listener web kind httproute host o.example \
	rule match prefix /p backend $P2
check "HTTPRoute precedence: of two equal matches the older route wins" \
	is "200 pod1" req o.example /p

# --- weights ---------------------------------------------------------------
kgate route add default/wt listener web kind httproute host wt.example \
	rule match prefix /three backend $P1@3 backend $P2@1 \
	rule match prefix /zero backend $P1@1 backend $P2@0 \
	rule match prefix /none backend $P1@0 backend $P2@0
dist=$(each 200 wt.example /three | sort | uniq -c)
echo "# weights 3:1 over 200 requests:"
sed 's/^/#   /' <<<"$dist"
share_ok() {	# 3:1 within 15 points: pod1 in 120..180 of 200
	local n1
	n1=$(awk '$2 == 200 && $3 == "pod1" { print $1 }' <<<"$dist")
	[ "${n1:-0}" -ge 120 ] && [ "${n1:-0}" -le 180 ] &&
		[ "$(awk '{ t += $1 } END { print t }' <<<"$dist")" = 200 ]
}
check "weights 3:1 split 200 requests about 3:1 (pod1 120..180)" share_ok
zero_dist() { each 100 wt.example /zero | sort | uniq -c | sed 's/^ *//'; }
check "a weight 0 backend gets none of 100 requests" \
	is "100 200 pod1" zero_dist
check "all weights 0: 500 from kgate" is "500 -" req wt.example /none

# --- filters: header modifiers ----------------------------------------------
kgate route add default/flt listener web kind httproute host f.example \
	rule match prefix /hdr backend $P1 \
		request-header set X-Set=1 request-header add X-Add=2 \
		request-header remove X-Gone \
		response-header set X-Resp=r response-header add X-Added=a \
		response-header remove X-Conn \
	rule match prefix /r1 redirect scheme https status 301 \
	rule match prefix /r2 redirect hostname other.example port 8080 \
	rule match prefix /r3 redirect path full /new status 308 \
	rule match prefix /r4 redirect path prefix /p4 \
	rule match prefix /rwf rewrite path full /replaced backend $P1 \
	rule match prefix /rwh rewrite hostname backend.example backend $P1
hdrs=$(echo_field f.example /hdr header -H 'X-Set: 0' -H 'X-Add: 0' -H 'X-Gone: 1')
rhead=$(head_of f.example /hdr)
# Field names compare in lower case: they are case-insensitive.
seen() { grep -i "^$1:" <<<"$hdrs" | lower_names | paste -sd' '; }	# at the backend
has_seen() { grep -qi "^$1:" <<<"$hdrs"; }
answered() { grep -i "^$1:" <<<"$rhead" | lower_names | paste -sd' '; }	# at the client
has_answered() { grep -qi "^$1:" <<<"$rhead"; }
check "RequestHeaderModifier set replaces the client's value" \
	is "x-set: 1" seen X-Set
check "RequestHeaderModifier add keeps the client's value and adds one" \
	like '^x-add: 0, ?2$|^x-add: 0 x-add: 2$' seen X-Add
refute "RequestHeaderModifier remove drops X-Gone" \
	has_seen X-Set -- has_seen X-Gone
check "ResponseHeaderModifier set adds X-Resp: r" is "x-resp: r" answered X-Resp
check "ResponseHeaderModifier add adds X-Added: a" is "x-added: a" answered X-Added
refute "ResponseHeaderModifier remove drops the backend's X-Conn" \
	has_answered X-Backend -- has_answered X-Conn

# --- filters: RequestRedirect -----------------------------------------------
redir() { ccurl -o /dev/null -w '%{http_code} %header{location}' -H "Host: $1" "http://$NODE:$LPORT$2"; }
check "RequestRedirect scheme https, 301: Location https://f.example/r1/x" \
	is "301 https://f.example/r1/x" redir f.example /r1/x
check "RequestRedirect hostname and port, default 302" \
	is "302 http://other.example:8080/r2" redir f.example /r2
check "RequestRedirect ReplaceFullPath, 308" \
	is "308 http://f.example/new" redir f.example /r3/a/b
check "RequestRedirect ReplacePrefixMatch: /r4/x to /p4/x" \
	is "302 http://f.example/p4/x" redir f.example /r4/x

# --- filters: URLRewrite ------------------------------------------------------
check "URLRewrite ReplaceFullPath: the backend sees /replaced" \
	is "/replaced" echo_field f.example /rwf/x/y target
host_seen() { echo_field f.example /rwh header | grep -i '^Host:' | lower_names; }
check "URLRewrite hostname: the backend sees Host: backend.example" \
	is "host: backend.example" host_seen

# The Gateway API's ReplacePrefixMatch table: (matched prefix, replacement)
# per host, then (request path, path the backend must see).
rpm_prefix=(- /foo /foo /foo/ /foo/ /foo /foo)
rpm_repl=(- /xyz /xyz/ /xyz /xyz/ "" /)
for i in 1 2 3 4 5 6; do
	kgate route add "default/rpm$i" listener web kind httproute \
		host "rpm$i.example" rule match prefix "${rpm_prefix[i]}" \
		rewrite path prefix "${rpm_repl[i]}" backend $P1
done
rpm() {	# rpm ROUTE PATH WANT
	check "ReplacePrefixMatch: prefix ${rpm_prefix[$1]} replaced by '${rpm_repl[$1]}': $2 becomes $3" \
		is "$3" echo_field "rpm$1.example" "$2" target
}
rpm 1 /foo/bar /xyz/bar
rpm 2 /foo/bar /xyz/bar
rpm 3 /foo/bar /xyz/bar
rpm 4 /foo/bar /xyz/bar
rpm 1 /foo /xyz
rpm 1 /foo/ /xyz/
rpm 5 /foo/bar /bar
rpm 5 /foo/ /
rpm 5 /foo /
rpm 6 /foo/ /
rpm 6 /foo /

# --- Ingress rewrite-target -------------------------------------------------
kgate route add default/rt listener web host rt.example rewrite-target /target \
	rule match prefix /app backend $P1
check "rewrite-target replaces the whole path and keeps the query" \
	is "/target?y=1" echo_field rt.example '/app/x?y=1' target
if kgate route add default/rt1 listener web host rt1.example \
	rewrite-target '/$1' rule match prefix /app backend $P1 2>/dev/null; then
	fail "rewrite-target with a capture group (\$1) is refused" "it was accepted"
else
	ok "rewrite-target with a capture group (\$1) is refused"
fi

# --- one keep-alive connection, successive requests to different services --
ka=$(raw -t 5000 's:GET /foo HTTP/1.1\r\nHost: a.example\r\n\r\n' 'w:pod1\n' \
	's:GET / HTTP/1.1\r\nHost: a.w.example\r\n\r\n' 'w:pod2\n' \
	's:GET / HTTP/1.1\r\nHost: x.w.example\r\nConnection: close\r\n\r\n' |
	tr -d '\r' | sed -n 's/^x-backend: //Ip' | paste -sd' ')
check "one keep-alive connection: its requests go to pod1, pod2, pod3 by route" \
	is "pod1 pod2 pod3" echo "$ka"

# --- a route to a service that does not exist yet ----------------------------
kgate route add default/late listener web host late.example \
	rule match prefix / backend default/late:80
check "a route to a service that does not exist yet answers 503" \
	is "503 -" req late.example /
kgate service add default/late:80 cluster 10.96.0.99:80/tcp backend 10.244.1.2:8080
check "once the service is added, the same route answers 200 from its pod" \
	is "200 pod1" req late.example /
kgate route del default/late
check "a deleted route's host goes back to 404" is "404 -" req late.example /

# --- the route as listed ------------------------------------------------------
check "route show lists the route with its rules" \
	like '^route default/paths ingress listeners web hosts a.example' kgate route show default/paths

[ "$TAP_FAILED" = 0 ]
