#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every limit of a listener, each at its edge (just within it answers,
# beyond it kgate answers the limit's status and closes): head bytes,
# header count, URI length, body size, the head, idle, connect and
# response timeouts, max-conns; and the per-route rate limit and source
# allow-list.  `listener show` prints every limit.
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
plan 34

LISTENER_SPEC="head-bytes 2048 headers 20 uri-bytes 256 body-bytes 1k
	head-timeout 1s idle-timeout 2s connect-timeout 1s response-timeout 2s
	max-conns 500" l7_up 3 || l7_bail $?
trap l7_down EXIT
kgate route add default/lim listener web host l.example rule backend default/pod1:80
work=$L7_DIR

# --- listener show -----------------------------------------------------------------
shown=$(kgate listener show web | tr -s ' \n' ' ')
echo "# listener show web: $shown"
for want in "head-bytes 2048" "headers 20" "uri-bytes 256" "body-bytes 1024" \
	"head-timeout (1s|1000ms)" "idle-timeout (2s|2000ms)" \
	"connect-timeout (1s|1000ms)" "response-timeout (2s|2000ms)" "max-conns 500"; do
	check "listener show prints ${want%% *} as set" like " ${want}( |$)" echo "$shown"
done
kgate listener add plain 198.18.0.1:8000
check "listener show prints the kernel's defaults of a listener given none" \
	like 'max-conns 65536 .*head-bytes 16384 headers 100 uri-bytes 8192 body-bytes 1048576 head-timeout 60s idle-timeout 75s connect-timeout 5s response-timeout 60s' \
	kshow listener show plain
kgate listener del plain

# answer MIN_MS MAX_MS STATUS ACTION...: rawreq's ACTIONs get a response
# of STATUS, the connection is then closed by kgate, between MIN_MS and
# MAX_MS after the start.
answer() {
	local min=$1 max=$2 want=$3 t0 ms out rc=0 st
	shift 3
	t0=$(date +%s%N)
	out=$(raw -t 8000 "$@") || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	st=$(status_of <<<"$out")
	[ "$st" = "$want" ] && [ "$rc" = 0 ] && [ "$ms" -ge "$min" ] &&
		[ "$ms" -le "$max" ] && return 0
	echo "# expected $want and a close after $min..$max ms"
	echo "# got status '${st}', rawreq status $rc (0: closed), after $ms ms:"
	head -c 600 <<<"$out" | tr -d '\r' | sed 's/^/#   /'
	return 1
}
GET='GET / HTTP/1.1\r\nHost: l.example\r\n'
CLOSE='Connection: close\r\n\r\n'

# --- head bytes, header count, URI length: 431, 431, 414 --------------------------------
pad() { head -c "$1" /dev/zero | tr '\0' a; }
check "a 1500-byte head is within head-bytes 2048: 200" \
	answer 0 8000 200 "s:${GET}X-Pad: $(pad 1400)\r\n$CLOSE"
check "a 3000-byte head is beyond head-bytes 2048: 431 and closed" \
	answer 0 8000 431 "s:${GET}X-Pad: $(pad 2900)\r\n\r\n"
many_fields() { local i; for ((i = 0; i < $1; i++)); do printf 'X-F%d: %d\\r\\n' "$i" "$i"; done; }
check "15 header fields are within headers 20: 200" \
	answer 0 8000 200 "s:${GET}$(many_fields 15)$CLOSE"
check "25 header fields are beyond headers 20: 431 and closed" \
	answer 0 8000 431 "s:${GET}$(many_fields 25)\r\n"
check "a 200-byte target is within uri-bytes 256: 200" \
	answer 0 8000 200 "s:GET /$(pad 199) HTTP/1.1\r\nHost: l.example\r\n$CLOSE"
check "a 300-byte target is beyond uri-bytes 256: 414 and closed" \
	answer 0 8000 414 "s:GET /$(pad 299) HTTP/1.1\r\nHost: l.example\r\n\r\n"

# --- body size: 413 ------------------------------------------------------------------------
check "a 1000-byte body is within body-bytes 1k: 200" \
	answer 0 8000 200 "s:POST /echo HTTP/1.1\r\nHost: l.example\r\nContent-Length: 1000\r\n$CLOSE$(pad 1000)"
check "a 2000-byte Content-Length is beyond body-bytes 1k: 413 and closed" \
	answer 0 8000 413 "s:POST /echo HTTP/1.1\r\nHost: l.example\r\nContent-Length: 2000\r\n\r\n$(pad 2000)"
check "a chunked body growing beyond body-bytes 1k: 413 and closed" \
	answer 0 8000 413 "s:POST /echo HTTP/1.1\r\nHost: l.example\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n$(pad 1024)\r\n" \
	"s:400\r\n$(pad 1024)\r\n0\r\n\r\n"

# --- timeouts -----------------------------------------------------------------------------------
check "a head not complete within head-timeout 1s: 408 and closed after ~1 s" \
	answer 900 4000 408 "s:${GET}X-Slow: 1\r\n"
idle_close() {	# one answer, then nothing but the close, 2..6 s later
	local t0 ms out rc=0
	t0=$(date +%s%N)
	out=$(raw -t 8000 "s:$GET\r\n" 'w:pod1\n') || rc=$?
	out=$(tr -d '\r' <<<"$out")
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$rc" = 0 ] && [ "$ms" -ge 1800 ] && [ "$ms" -le 6000 ] &&
		[ "$(grep -c '^HTTP/' <<<"$out")" = 1 ] && [ "$(tail -n1 <<<"$out")" = pod1 ] &&
		return 0
	echo "# expected one answer and a close 2..6 s later, got status $rc (0: closed) after $ms ms:"
	echo "#   ${out//$'\n'/ | }"
	return 1
}
check "a keep-alive connection idle for idle-timeout 2s is closed, without an answer" \
	idle_close

# A backend whose SYNs are dropped: pod3 port 8081.
in_ns pod3 nft -f - <<'EOF'
table inet kgl7 {
	chain in {
		type filter hook input priority 0;
		tcp dport 8081 drop
	}
}
EOF
kgate service add default/hole:80 cluster 10.96.0.60:80/tcp backend 10.244.3.2:8081
kgate route add default/hole listener web host hole.example rule backend default/hole:80
timed_req() {	# timed_req MIN_MS MAX_MS WANT HOST PATH
	local t0 ms got
	t0=$(date +%s%N)
	got=$(req "$4" "$5")
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$got" = "$3" ] && [ "$ms" -ge "$1" ] && [ "$ms" -le "$2" ] && return 0
	echo "# expected '$3' after $1..$2 ms, got '$got' after $ms ms"
	return 1
}
check "a backend that drops SYNs: 504 after connect-timeout 1s" \
	timed_req 900 4500 "504 -" hole.example /
check "a backend answering within response-timeout 2s (0.5 s): 200" \
	timed_req 400 4000 "200 pod1" l.example /slow/500
check "a backend silent beyond response-timeout 2s: 504 after ~2 s" \
	timed_req 1800 5000 "504 -" l.example /slow/4000

# --- max-conns ---------------------------------------------------------------------------------
kgate listener add lim 198.18.0.1:81 max-conns 2
kgate route add default/lim2 listener lim rule backend default/pod1:80
for i in 1 2; do
	in_ns client "$RAWREQ" -t 100 198.18.0.1 81 's:GET / HTTP/1.1\r\nHost: x\r\n\r\n' \
		'w:pod1\n' 'p:8000' >"$work/held$i" 2>&1 &
done
held() { grep -q pod1 "$work/held1" && grep -q pod1 "$work/held2"; }
wait_for 10 held
third() { in_ns client "$RAWREQ" -t 4000 198.18.0.1 81 's:GET / HTTP/1.1\r\nHost: x\r\n\r\n' | tr -d '\r'; }
third_out=$(third)
third_ok() {
	[ "$(status_of <<<"$third_out")" = 503 ] && grep -qi '^Connection: close' <<<"$third_out" &&
		return 0
	echo "# got: ${third_out//$'\n'/ | }"
	return 1
}
check "with max-conns 2 and two open, a third connection gets 503 and Connection: close" third_ok
check "listener show -s counts it as refused" \
	like 'refused 1( |$)' kshow -s listener show lim
wait
lim_free() { [ "$(in_ns client "$RAWREQ" -t 2000 198.18.0.1 81 \
	's:GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | tail -n1)" = pod1 ]; }
check "once those two closed, a new connection is served again" wait_for 10 lim_free

# --- rate limit, allow-list ------------------------------------------------------------------
kgate route add default/rl listener web host rl.example rate 2 burst 2 \
	rule backend default/pod1:80
rl=$(each 10 rl.example / | awk '{ print $1 }' | sort | uniq -c)
echo "# 10 requests at once, rate 2 burst 2:"
sed 's/^/#   /' <<<"$rl"
rl_ok() {
	local n200 n429
	n200=$(awk '$2 == 200 { print $1 }' <<<"$rl")
	n429=$(awk '$2 == 429 { print $1 }' <<<"$rl")
	[ "${n200:-0}" -ge 2 ] && [ "${n200:-0}" -le 6 ] && [ "${n429:-0}" -ge 4 ] &&
		[ $((${n200:-0} + ${n429:-0})) = 10 ]
}
check "rate 2 burst 2: of 10 requests at once, 2..6 pass and the rest get 429" rl_ok
# six_heads: six requests on one connection (no handshakes between them, so
# the bucket cannot refill in between), every response head.
six_heads() {
	local i urls=()
	for i in 1 2 3 4 5 6; do urls+=(-o /dev/null "http://$NODE:$LPORT/"); done
	ccurl -D - -H 'Host: rl.example' "${urls[@]}" | tr -d '\r'
}
check "a 429 carries Retry-After" like '^[Rr]etry-[Aa]fter: [0-9]+$' six_heads
# A replace with the same rate keeps the buckets.  rate 1 burst 3: three
# requests empty the client's bucket, which then refills one token a
# second; four right after the replace see at most two refilled tokens
# (so at least two 429s) if the bucket was kept, and a fresh bucket's
# three tokens (one 429) if not.
kgate route add default/rk listener web host rk.example rate 1 burst 3 \
	rule backend default/pod1:80
codes() {	# codes HOST N: the statuses of N requests on one connection
	local i urls=()
	for ((i = 0; i < $2; i++)); do urls+=(-o /dev/null "http://$NODE:$LPORT/"); done
	ccurl -w '%{http_code} ' -H "Host: $1" "${urls[@]}"
}
first=$(codes rk.example 3)
replaced=$(kgate route replace default/rk listener web host rk.example rate 1 \
	burst 3 rule backend default/pod1:80 rule match prefix /x backend default/pod2:80 2>&1 &&
	echo replaced)
after=$(codes rk.example 4)
echo "# rate 1 burst 3: $first; after the replace: $after"
check "rate 1 burst 3: three requests on one connection pass" is "200 200 200" echo $first
check "the route is replaced with one more rule, the same rate" is replaced echo "$replaced"
check "a route replaced with the same rate keeps its clients' buckets (2+ of 4 get 429)" \
	test "$(grep -o 429 <<<"$after" | wc -l)" -ge 2
kgate route add default/al listener web host al.example allow 10.0.0.0/8 \
	rule backend default/pod1:80
kgate route add default/al2 listener web host al2.example allow 198.18.0.0/24 \
	allow fd00::/8 rule backend default/pod1:80
check "a client outside the route's allow-list gets 403" is "403 -" req al.example /
check "a client inside the route's allow-list is served" is "200 pod1" req al2.example /

[ "$TAP_FAILED" = 0 ]
