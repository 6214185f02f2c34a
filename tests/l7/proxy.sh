#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What kgate's HTTP proxy does to requests and responses on the way:
# X-Forwarded-* and X-Real-IP, hop-by-hop fields, pipelining, HTTP/1.0,
# chunked uploads with trailers, 100-continue, 10 MB bodies both ways with
# a slow reader on each side (kernel memory bounded), HEAD / 204 / 304
# framing, WebSocket, upstream connection reuse, a backend that is down
# (502, and the retry of an idempotent request), no endpoints (503).
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
plan 41

LISTENER_SPEC="body-bytes unlimited" l7_up 3 || l7_bail $?
trap l7_down EXIT
P1=default/pod1:80 P2=default/pod2:80
kgate route add default/px listener web host p.example rule backend $P1
kgate route add default/qx listener web host q.example rule backend $P2
work=$L7_DIR

# --- X-Forwarded-*, X-Real-IP -------------------------------------------------
fwd=$(echo_field p.example /echo header -H 'X-Forwarded-For: 1.2.3.4' \
	-H 'X-Real-IP: 6.6.6.6' -H 'X-Forwarded-Proto: https' \
	-H 'X-Forwarded-Host: evil.example' -H 'X-Forwarded-Port: 1')
# seen NAME: the fields NAME the backend saw, names in lower case (field
# names are case-insensitive), on one line.
seen() { grep -i "^$1:" <<<"$fwd" | lower_names | paste -sd' '; }
check "X-Forwarded-For is the client's address, its own value dropped" \
	is "x-forwarded-for: 198.18.0.2" seen X-Forwarded-For
check "X-Real-IP is the client's address" is "x-real-ip: 198.18.0.2" seen X-Real-IP
check "X-Forwarded-Proto is http" is "x-forwarded-proto: http" seen X-Forwarded-Proto
check "X-Forwarded-Host is the request's host" \
	is "x-forwarded-host: p.example" seen X-Forwarded-Host
check "X-Forwarded-Port is the listener's port" \
	is "x-forwarded-port: 80" seen X-Forwarded-Port
kgate listener replace web "$NODE:$LPORT" body-bytes unlimited trust-forwarded
fwd=$(echo_field p.example /echo header -H 'X-Forwarded-For: 1.2.3.4' \
	-H 'X-Forwarded-Proto: https')
check "trust-forwarded: the client's X-Forwarded-For is kept and appended to" \
	like '^x-forwarded-for: 1\.2\.3\.4, ?198\.18\.0\.2$' seen X-Forwarded-For
check "trust-forwarded: the client's X-Forwarded-Proto is kept" \
	is "x-forwarded-proto: https" seen X-Forwarded-Proto
kgate listener replace web "$NODE:$LPORT" body-bytes unlimited

# --- hop-by-hop fields ----------------------------------------------------------
fwd=$(echo_field p.example /echo header -H 'Connection: keep-alive, X-Hop' \
	-H 'X-Hop: 1' -H 'Keep-Alive: timeout=5' -H 'TE: trailers' \
	-H 'Proxy-Connection: keep-alive' -H 'X-Stays: 1')
has() { grep -qiE "^($1):" <<<"$fwd"; }
refute "a field named in Connection (X-Hop) is not forwarded" \
	has X-Stays -- has X-Hop
refute "Keep-Alive, TE and Proxy-Connection are not forwarded" \
	has X-Stays -- has 'Keep-Alive|TE|Proxy-Connection'

# --- pipelining -------------------------------------------------------------------
pipe=$(raw -t 5000 's:GET /slow/300 HTTP/1.1\r\nHost: p.example\r\n\r\nGET / HTTP/1.1\r\nHost: q.example\r\n\r\nGET /echo HTTP/1.1\r\nHost: p.example\r\nConnection: close\r\n\r\n' |
	tr -d '\r')
order() { sed -n 's/^x-backend: //Ip' <<<"$pipe" | paste -sd' '; }
check "three pipelined requests are answered in order, a slow first one too" \
	is "pod1 pod2 pod1" order
whole() { echo "$(grep -c '^HTTP/1.1 200' <<<"$pipe") $(sed -n 's/^target: //p' <<<"$pipe")"; }
check "the pipelined responses are whole: 3 status lines, the last body /echo's" \
	is "3 /echo" whole

# --- HTTP/1.0 -------------------------------------------------------------------------
h10_close() {
	local out rc=0
	out=$(raw -t 3000 's:GET / HTTP/1.0\r\nHost: p.example\r\n\r\n') || rc=$?
	[ "$rc" = 0 ] && [ "$(tail -n1 <<<"$out")" = pod1 ] && return 0
	echo "# status $rc (0: closed by kgate), got: ${out//$'\n'/ | }"
	return 1
}
check "HTTP/1.0 without keep-alive: answered, then closed by kgate" h10_close
h10_keep() {
	local out rc=0
	out=$(raw -t 1500 's:GET / HTTP/1.0\r\nHost: p.example\r\nConnection: keep-alive\r\n\r\n' \
		'w:pod1\n' 's:GET / HTTP/1.0\r\nHost: q.example\r\nConnection: keep-alive\r\n\r\n' \
		'w:pod2\n') || rc=$?
	out=$(tr -d '\r' <<<"$out")
	[ "$rc" = 2 ] && [ "$(grep -c '^HTTP/1.. 200' <<<"$out")" = 2 ] &&
		grep -qi '^Connection: keep-alive' <<<"$out" && return 0
	echo "# status $rc (2: still open), got: ${out//$'\n'/ | }"
	return 1
}
check "HTTP/1.0 with keep-alive: two requests on one connection, kept open" h10_keep

# --- chunked upload with trailers, 100-continue ---------------------------------
head -c 300000 /dev/urandom >"$work/up300k"
want=$(sha256sum <"$work/up300k" | cut -d' ' -f1)
up_chunked() { echo_field p.example /echo body-sha256 -H 'Transfer-Encoding: chunked' \
	--data-binary @"$work/up300k"; }
check "a chunked upload of 300 kB arrives whole (SHA-256)" is "$want" up_chunked
trl=$(raw -t 5000 's:POST /echo HTTP/1.1\r\nHost: p.example\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n' \
	'p:100' 's:6\r\n world\r\n0\r\nX-Sum: abc\r\n\r\n' | tr -d '\r')
trailer_seen() { grep -x 'trailer: X-Sum: abc' <<<"$trl"; grep '^body-sha256:' <<<"$trl"; }
check "a chunked upload in two writes with a trailer: body and trailer arrive" \
	is "trailer: X-Sum: abc
body-sha256: $(printf 'hello world' | sha256sum | cut -d' ' -f1)" trailer_seen
cont=$(raw -t 5000 's:POST /echo HTTP/1.1\r\nHost: p.example\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n' \
	'w:100 Continue\r\n\r\n' 's:hello' | tr -d '\r')
cont_seen() { grep -m1 -o '^HTTP/1.1 100' <<<"$cont"; grep '^body-length:' <<<"$cont"; }
check "Expect: 100-continue: 100 comes before the body is sent, then the answer" \
	is "HTTP/1.1 100
body-length: 5" cont_seen

# --- 10 MB both ways ----------------------------------------------------------------
MB10=10485760
head -c $MB10 /dev/urandom >"$work/up10m"
up10=$(sha256sum <"$work/up10m" | cut -d' ' -f1)
down10=$("$HTTPD" --pattern $MB10 | sha256sum | cut -d' ' -f1)
up() { echo_field p.example "$1" body-sha256 --max-time 120 --data-binary @"$work/up10m"; }
down() { ccurl --max-time 120 -H 'Host: p.example' "$@" | sha256sum | cut -d' ' -f1; }
check "a 10 MB upload arrives whole (SHA-256 at the backend)" is "$up10" up /echo
check "a 10 MB download (Content-Length) arrives whole" \
	is "$down10" down "http://$NODE:$LPORT/bytes/$MB10"
check "a 10 MB chunked download arrives whole" \
	is "$down10" down "http://$NODE:$LPORT/chunked/$MB10"

# Slow readers: socket buffers capped at 256 KiB in every namespace, so
# that what the kernel holds is the proxy's doing; kernel memory (slab and
# the TCP buffers' pages, not the test tools' own memory) sampled while
# 10 MB go through at 2 MB/s.
for n in node client pod1; do
	in_ns $n sysctl -qw net.ipv4.tcp_rmem="4096 65536 262144" \
		net.ipv4.tcp_wmem="4096 65536 262144"
done
used_kib() {
	local slab tcp
	slab=$(awk '/^Slab:/ {print $2}' /proc/meminfo)
	tcp=$(awk '$1 == "TCP:" {for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) * 4}' \
		/proc/net/sockstat)
	echo $((slab + ${tcp:-0}))
}
sample() {	# sample FILE: the peak of used_kib until FILE.stop exists
	local peak=0 u
	while [ ! -e "$1.stop" ]; do
		u=$(used_kib)
		[ "$u" -le "$peak" ] || peak=$u
		echo "$peak" >"$1"
		sleep 0.1	# a sampling period, not a wait for an event
	done
}
bounded() {	# bounded CMD...: CMD's output; peak growth under 8 MiB
	local base peak rc=0 out
	base=$(used_kib)
	rm -f "$work/peak" "$work/peak.stop"
	sample "$work/peak" &
	out=$("$@") || rc=$?
	: >"$work/peak.stop"
	wait
	peak=$(cat "$work/peak")
	echo "# kernel memory grew by $(((peak - base) / 1024)) MiB at its peak"
	echo "$out" >"$work/bounded.out"
	[ "$rc" = 0 ] && [ $((peak - base)) -lt 8192 ]
}
check "kernel memory stays bounded (< 8 MiB more) while the backend reads slowly" \
	bounded up '/upload?rate=2000000'
check "that 10 MB upload to a slow reader (the backend, 2 MB/s) arrived whole" \
	is "$up10" cat "$work/bounded.out"
check "kernel memory stays bounded (< 8 MiB more) while the client reads slowly" \
	bounded down --limit-rate 2M "http://$NODE:$LPORT/bytes/$MB10"
check "that 10 MB download by a slow reader (the client, 2 MB/s) arrived whole" \
	is "$down10" cat "$work/bounded.out"

# --- HEAD, 204, 304: no body, and the connection goes on -----------------------
then_get() {	# then_get REQUEST-HEAD-LINE: it, then a GET on the same connection
	local out rc=0
	out=$(raw -t 5000 "s:$1 HTTP/1.1\r\nHost: p.example\r\n\r\n" 'w:\r\n\r\n' \
		's:GET / HTTP/1.1\r\nHost: p.example\r\nConnection: close\r\n\r\n') ||
		rc=$?
	out=$(tr -d '\r' <<<"$out")
	# Two heads, and the bytes after the first are exactly the second response.
	if [ "$rc" = 0 ] && [ "$(grep -c '^HTTP/1.1 ' <<<"$out")" = 2 ] &&
	   [ "$(awk 'BEGIN { RS = "" } NR == 2 { print $1 }' <<<"$out")" = HTTP/1.1 ] &&
	   [ "$(tail -n1 <<<"$out")" = pod1 ]; then
		grep -m1 -iE "${2:-^HTTP}" <<<"$out" | lower_names
		return 0
	fi
	echo "# status $rc, got: ${out//$'\n'/ | }"
	return 1
}
check "HEAD: the head with Content-Length 100, no body; the next answer follows" \
	like '^content-length: 100$' then_get 'HEAD /bytes/100' '^Content-Length:'
check "HEAD of a chunked response: no body; the next answer follows" \
	like '^transfer-encoding: chunked$' then_get 'HEAD /chunked/100' '^Transfer-Encoding:'
check "204: no body; the next answer on the connection follows" \
	like '^http/1.1 204' then_get 'GET /status/204'
check "304: no body; the next answer on the connection follows" \
	like '^http/1.1 304' then_get 'GET /status/304'

# --- WebSocket --------------------------------------------------------------------------
ws=$(raw -t 5000 's:GET /ws HTTP/1.1\r\nHost: p.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n' \
	'w:\r\n\r\n' 's:\x81\x85\x01\x02\x03\x04\x69\x67\x6f\x68\x6e' 'w:hello' \
	's:\x82\x83\x00\x00\x00\x00abc' 'w:abc' 's:\x88\x80\x00\x00\x00\x00' | od -An -c | tr -s ' \n' ' ')
check "WebSocket: 101 through kgate with the backend's accept key" \
	like '1 0 1 S w i t c h.*s 3 p P L M B i T x a Q 9 k Y G z z h Z R b K \+ x O o =' echo "$ws"
check "WebSocket: a masked text and a binary frame come back (the tunnel both ways)" \
	like '201 005 h e l l o 202 003 a b c' echo "$ws"

# --- heads beyond the first buffer (2 kB) and within head-bytes (16 kB) -------------------
pads=()
for i in 1 2 3 4 5 6; do pads+=(-H "X-Pad-$i: $(head -c 2000 /dev/zero | tr '\0' p)"); done
padded() { echo_field p.example /echo header "${pads[@]}" | grep -i '^x-pad-' | tr -cd p | wc -c; }
check "a 12 kB request head reaches the backend whole (its buffer grew)" is 12000 padded
bighead() { head_of p.example /bighead/12000 | grep -i '^x-big-' | cut -d' ' -f2 | tr -cd b | wc -c; }
check "a 12 kB response head reaches the client whole (its buffer grew)" is 12000 bighead

# --- upstream reuse -------------------------------------------------------------------------
c0=$(conns_of 1)
codes=$(each 1000 p.example / | sort | uniq -c | sed 's/^ *//')
check "1000 keep-alive requests through kgate all answer 200" is "1000 200 pod1" echo "$codes"
c1=$(conns_of 1)
echo "# pod1 accepted $((c1 - c0)) connections for those 1000 requests"
check "upstream reuse: pod1 accepted at most 10 connections for 1000 requests" \
	test $((c1 - c0)) -le 10
pooled() { kgate stats | awk '$1 == "upstream_idle" { exit !($2 >= 1) }'; }
check "kgate stats shows the idle upstream connections of the pool" pooled

# --- a backend down, no endpoints ---------------------------------------------------
kgate service add default/pool:80 cluster 10.96.0.50:80/tcp scheduler rr \
	backend 10.244.2.2:8080 backend 10.244.3.2:8080
kgate service add default/dead:80 cluster 10.96.0.51:80/tcp backend 10.244.3.2:8080
kgate service add default/empty:80 cluster 10.96.0.52:80/tcp
kgate route add default/pool listener web host pool.example rule backend default/pool:80
kgate route add default/dead listener web host dead.example rule backend default/dead:80
kgate route add default/empty listener web host empty.example rule backend default/empty:80
pod_stop 3
n_of() {	# n_of METHOD N: "COUNT STATUS BACKEND" lines, one client connection each
	local i
	for ((i = 0; i < $2; i++)); do req pool.example / -X "$1"; done | sort | uniq -c | sed 's/^ *//'
}
check "backend down: a GET to its only backend is answered 502" is "502 -" req dead.example /
check "backend down: 20 GETs are all served by the live backend (retried)" \
	is "20 200 pod2" n_of GET 20
posts=$(n_of POST 20)
echo "# 20 POSTs, round robin over a live and a dead backend:"
sed 's/^/#   /' <<<"$posts"
post_ok() { grep -qE '^[0-9]+ 502 -$' <<<"$posts" &&
	! grep -vqE '^[0-9]+ (502 -|200 pod2)$' <<<"$posts"; }
check "backend down: a POST is not retried: those sent to the dead one get 502" post_ok
check "a service without endpoints answers 503" is "503 -" req empty.example /

# --- the access log -----------------------------------------------------------------
# A listener asked for it sends one record per request on the events group;
# kgate monitor access prints it in the combined log format (-j: JSON).
kgate listener replace web "$NODE:$LPORT" body-bytes unlimited access-log
in_ns node "$KGATE" monitor access >"$work/access.txt" 2>&1 &
mon1=$!
in_ns node "$KGATE" -j monitor access >"$work/access.json" 2>&1 &
mon2=$!
# logged FILE REGEX: a request until FILE has a line matching REGEX (the
# monitors join the group at their own pace; each try is a new request).
logged() {
	req p.example /access-probe >/dev/null
	grep -qE -- "$2" "$1"
}
clf='^198\.18\.0\.2 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000\] "GET /access-probe HTTP/1\.1" 200 [0-9]+ .*host=p\.example.*listener=web.*route=default/px.*upstream=10\.244\.1\.2:8080'
check "kgate monitor access prints the request in the combined log format" \
	wait_for 20 logged "$work/access.txt" "$clf"
check "kgate -j monitor access prints it as JSON, status and route included" \
	wait_for 20 logged "$work/access.json" '"status": ?200.*"route": ?"default/px"|"route": ?"default/px".*"status": ?200'
kill "$mon1" "$mon2" 2>/dev/null
wait "$mon1" "$mon2" 2>/dev/null
nodrop() { kgate -s listener show web | grep -qE 'log-dropped 0( |$)'; }
check "no access-log record was dropped (listener counter log-dropped 0)" nodrop
[ -s "$work/access.txt" ] || echo "# monitor access printed nothing"
sed -n '1,2s/^/# /p' "$work/access.txt" "$work/access.json"

[ "$TAP_FAILED" = 0 ]
