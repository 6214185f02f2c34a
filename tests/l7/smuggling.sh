#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Request smuggling and path confusion (RFC 9112 sections 3 and 6): each
# vector as raw bytes over one client connection gets 400 (501 for an
# unknown transfer coding) and the close, and the backend's log shows it
# never arrived.  Dot-segments are normalised: the backend sees the
# normalised path, and a route cannot be dodged with one.  A response
# that smuggles (Content-Length with Transfer-Encoding, two lengths) is
# refused with 502.
# TAP; in the VM guest, with kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
plan 44

l7_up 2 || l7_bail $?
trap l7_down EXIT
kgate route add default/s listener web host s.example rule backend default/pod1:80
kgate route add default/split listener web host s2.example \
	rule match prefix /public backend default/pod1:80 \
	rule match prefix /admin backend default/pod2:80

H='Host: s.example\r\n'
# name | status | bytes (rawreq escapes); each target holds its marker.
vectors=(
"Content-Length with Transfer-Encoding|400|POST /smug1 HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
"two differing Content-Length fields|400|POST /smug2 HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
"an invalid Content-Length (5x)|400|POST /smug3 HTTP/1.1\r\n${H}Content-Length: 5x\r\n\r\nhello"
"a Transfer-Encoding whose last coding is not chunked|400|POST /smug4 HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"
"Transfer-Encoding in an HTTP/1.0 request|400|POST /smug5 HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
"an unknown transfer coding (501)|501|POST /smug6 HTTP/1.1\r\n${H}Transfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n"
"an invalid chunk size (zz)|400|POST /smug7 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
"an overflowing chunk size|400|POST /smug8 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n"
"a bare CR in a field line|400|GET /smug9 HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n"
"a bare LF ending a field line|400|GET /smug10 HTTP/1.1\r\n${H}X-A: a\n\r\n"
"an obs-fold continuation line|400|GET /smug11 HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n"
"whitespace between a field name and its colon|400|GET /smug12 HTTP/1.1\r\n${H}X-A : a\r\n\r\n"
"a NUL in a field value|400|GET /smug13 HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n"
"a control character (0x01) in a field value|400|GET /smug14 HTTP/1.1\r\n${H}X-A: a\x01b\r\n\r\n"
"an HTTP/1.1 request without Host|400|GET /smug15 HTTP/1.1\r\nX-A: a\r\n\r\n"
"two Host fields|400|GET /smug16 HTTP/1.1\r\n${H}${H}\r\n"
"an invalid Host (s.example@evil)|400|GET /smug17 HTTP/1.1\r\nHost: s.example@evil\r\n\r\n"
"an absolute-form target whose host is not Host's|400|GET http://other.example/smug18 HTTP/1.1\r\n${H}\r\n"
"a percent-encoded slash (%2F) in the path|400|GET /smug19%2F..%2Fadmin HTTP/1.1\r\n${H}\r\n"
)

# A valid request first: it must show up in the log, else a quiet log
# proves nothing (the control of every refute below).
raw -t 5000 "s:GET /smug-control HTTP/1.1\r\n${H}Connection: close\r\n\r\n" >/dev/null
control() { wait_for 5 arrived 1 '/smug-control '; }
check "a valid request through the same route reaches the backend's log" control

refused() {	# refused STATUS BYTES: that status, then the connection closed
	local out rc=0 st
	out=$(raw -t 5000 "s:$2") || rc=$?	# rawreq's status, not a pipe's
	out=$(tr -d '\r' <<<"$out")
	st=$(status_of <<<"$out")
	[ "$st" = "$1" ] && [ "$rc" = 0 ] && return 0
	echo "# expected $1 and the connection closed; got status '$st', rawreq status $rc (0: closed):"
	head -c 400 <<<"$out" | sed 's/^/#   /'
	return 1
}
for v in "${vectors[@]}"; do
	IFS='|' read -r name want bytes <<<"$v"
	check "$name: $want and closed" refused "$want" "$bytes"
done
# A barrier: a valid request on a new connection, logged after any of the
# above that might have got through.
raw -t 5000 "s:GET /smug-barrier HTTP/1.1\r\n${H}Connection: close\r\n\r\n" >/dev/null
wait_for 5 arrived 1 '/smug-barrier '
i=0
for v in "${vectors[@]}"; do
	i=$((i + 1))
	IFS='|' read -r name _ _ <<<"$v"
	refute "$name: never reached the backend" \
		arrived 1 '/smug-control ' -- arrived 1 "/smug$i( |%)"
done

# --- dot-segments: normalised before matching, forwarded normalised ---------
target_of() { raw -t 5000 "s:GET $1 HTTP/1.1\r\n${H}Connection: close\r\n\r\n" |
	tr -d '\r' | sed -n 's/^target: //p'; }
check "dot-segments are removed: /a/b/../../echo reaches the backend as /echo" \
	is /echo target_of /a/b/../../echo
check "encoded dots are decoded first: /a/%2e%2e/echo reaches it as /echo" \
	is /echo target_of /a/%2e%2e/echo
backend_of() { raw -t 5000 "s:GET $1 HTTP/1.1\r\nHost: s2.example\r\nConnection: close\r\n\r\n" |
	tr -d '\r' | sed -n 's/^x-backend: //Ip'; }
check "a route cannot be dodged: /public/../admin/x goes where /admin goes" \
	is pod2 backend_of /public/../admin/x

# --- smuggled responses ------------------------------------------------------------------
check "a response with Content-Length and Transfer-Encoding: 502" \
	is "502 -" req s.example /smuggle/cl-te
check "a response with two differing Content-Length fields: 502" \
	is "502 -" req s.example /smuggle/cl-cl

[ "$TAP_FAILED" = 0 ]
