#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Connections at scale and across changes: 1000 concurrent client
# connections; routes and services changed while requests flow (zero
# failed requests); a listener deleted, the module unloaded and the node's
# namespace deleted with connections open (no kernel splat, connections
# closed).  TAP; in the VM guest, with kgate loaded; leaves it loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
plan 18
ko=${KGATE_KO:?KGATE_KO must name kgate.ko}
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

l7_up 3 || l7_bail $?
trap l7_down EXIT
work=$L7_DIR
routes() {
	kgate route add default/lc listener web host lc.example rule backend default/pod1:80 &&
	kgate service add default/chg:80 cluster 10.96.0.70:80/tcp backend 10.244.1.2:8080 &&
	kgate route add default/chg listener web host chg.example rule backend default/chg:80
}
routes

# wrk_sum FILE: "N requests" from wrk's output FILE, and its errors if any.
wrk_sum() {
	local f=$1 n sock non2xx
	n=$(awk '/requests in/ { print $1 }' "$f")
	sock=$(grep 'Socket errors' "$f" | sed 's/^ *//')
	non2xx=$(grep 'Non-2xx' "$f" | sed 's/^ *//')
	echo "${n:-0} requests${sock:+; $sock}${non2xx:+; $non2xx}"
}
no_errors() {	# no_errors FILE: wrk ran, made requests, none failed
	local s
	s=$(wrk_sum "$1")
	echo "# wrk: $s"
	[ "${s%% *}" -gt 0 ] && [ "$s" = "${s%% *} requests" ]
}
open_now() { kgate -s listener show web | tr -s ' \n' ' ' |
	awk '{ for (i = 1; i < NF; i++) if ($i == "open") { print $(i + 1); exit } }'; }

# --- 1000 concurrent client connections -----------------------------------------------------
in_ns client bash -c 'ulimit -n 65536; exec wrk -t2 -c1000 -d10s --timeout 10s \
	-H "Host: lc.example" http://198.18.0.1/' >"$work/wrk1000" 2>&1 &
wrkpid=$!
peak=0
while kill -0 $wrkpid 2>/dev/null; do
	o=$(open_now)
	[ "${o:-0}" -le "$peak" ] || peak=$o
	sleep 0.2	# a sampling period, not a wait for an event
done
wait $wrkpid
echo "# at most $peak client connections open at once"
check "1000 concurrent client connections (wrk, 10 s): zero failed requests" \
	no_errors "$work/wrk1000"
check "listener show -s saw the 1000 connections open at once" test "$peak" -ge 1000

# --- routes and services changed while requests flow ---------------------------------
c2=$(grep -c '^req ' "$L7_DIR/pod2.log")
c3=$(grep -c '^req ' "$L7_DIR/pod3.log")
in_ns client wrk -t1 -c20 -d15s --timeout 10s -H "Host: chg.example" \
	http://198.18.0.1/ >"$work/wrkchg" 2>&1 &
wrkpid=$!
changes=0
while kill -0 $wrkpid 2>/dev/null; do
	kgate route replace default/chg listener web host chg.example \
		rule backend default/pod2:80
	kgate service replace default/chg:80 cluster 10.96.0.70:80/tcp \
		backend 10.244.3.2:8080
	kgate route replace default/chg listener web host chg.example \
		rule backend default/chg:80 backend default/pod2:80
	kgate service replace default/chg:80 cluster 10.96.0.70:80/tcp \
		backend 10.244.1.2:8080 backend 10.244.3.2:8080
	kgate route replace default/chg listener web host chg.example \
		rule backend default/chg:80
	kgate service replace default/chg:80 cluster 10.96.0.70:80/tcp \
		backend 10.244.1.2:8080
	changes=$((changes + 6))
	sleep 0.2	# pacing the changes, not a wait for an event
done
wait $wrkpid
echo "# $changes route and service changes during the run"
check "routes and services changed $changes times while wrk ran: zero failed requests" \
	no_errors "$work/wrkchg"
check "the route changes took effect: pod2 served some of those requests" \
	test "$(grep -c '^req ' "$L7_DIR/pod2.log")" -gt "$c2"
check "the service changes took effect: pod3 served some of those requests" \
	test "$(grep -c '^req ' "$L7_DIR/pod3.log")" -gt "$c3"

# --- listeners and L4 frontends do not share a port ----------------------------------
# fails CMD...: CMD fails; its output (the error) is printed for like.
fails() { if "$@" 2>&1; then echo "# it succeeded"; return 1; fi; }
check "a TCP frontend on the listener's address and port is refused, naming the listener" \
	like "frontend 0: port $LPORT is listener web's" fails \
	kgate service add default/steal:80 cluster "$NODE:$LPORT/tcp" backend 10.244.1.2:8080
kgate service add default/np:80 nodeport 30080/tcp backend 10.244.1.2:8080
check "a listener on a NodePort's port is refused, naming the service" \
	like "port 30080 is taken by service default/np:80: listener np" fails \
	kgate listener add np "$NODE:30080"
kgate service del default/np:80
check "a UDP frontend on the listener's port is accepted (only TCP clashes)" \
	kgate service add default/udp:80 cluster "$NODE:$LPORT/udp" backend 10.244.1.2:8080
kgate service del default/udp:80 2>/dev/null

# --- connections open across a listener delete, rmmod, netns delete ------------------
# hold N: N client connections, each past one answer, waiting (20 s at most)
# for kgate to close them, plus one whose request is still at the backend
# (/slow/15000); each leaves its rawreq status in $work/held.I.rc.
hold() {
	local i
	rm -f "$work"/held.*
	for ((i = 1; i <= $1; i++)); do
		( in_ns client "$RAWREQ" -t 20000 "$NODE" "$LPORT" \
			's:GET / HTTP/1.1\r\nHost: lc.example\r\n\r\n' 'w:pod1\n' \
			>"$work/held.$i.out" 2>&1
		  echo $? >"$work/held.$i.rc" ) &
	done
	( in_ns client "$RAWREQ" -t 20000 "$NODE" "$LPORT" \
		's:GET /slow/15000 HTTP/1.1\r\nHost: lc.example\r\n\r\n' \
		>"$work/held.0.out" 2>&1
	  echo $? >"$work/held.0.rc" ) &
	all_answered() { [ "$(cat "$work"/held.*.out 2>/dev/null | grep -c '^pod1')" = "$1" ] &&
		arrived 1 '/slow/15000 '; }
	wait_for 20 all_answered "$1"
}
all_closed() {	# every held connection ended, closed by kgate (status 0)
	local n=$(($1 + 1)) bad
	wait_for 20 sh -c "[ \$(ls $work/held.*.rc 2>/dev/null | wc -l) = $n ]"
	bad=$(grep -vlx 0 "$work"/held.*.rc 2>/dev/null | wc -l)
	wait
	[ "$(ls "$work"/held.*.rc | wc -l)" = "$n" ] && [ "$bad" = 0 ] && return 0
	echo "# of $n connections, $(ls "$work"/held.*.rc | wc -l) ended, $bad not closed by kgate"
	return 1
}
nosplat() {
	local s
	s=$(splats)
	[ -z "$s" ] && return 0
	printf '# %s\n' "$s" | head -n 20
	return 1
}

hold 20
kgate listener del web
check "listener delete with 21 connections open (one request in flight) closes them all" \
	all_closed 20
refused_now() { ! in_ns client bash -c "exec 3<>/dev/tcp/$NODE/$LPORT" 2>/dev/null; }
check "after the delete, connecting to its address is refused" refused_now
check "no kernel splat after the listener delete" nosplat

kgate listener add web "$NODE:$LPORT"
wait_for 10 in_ns client bash -c "exec 3<>/dev/tcp/$NODE/$LPORT"
hold 20
check "rmmod with 21 connections open succeeds" rmmod kgate
check "rmmod closed all 21 connections" all_closed 20
check "no kernel splat after rmmod" nosplat
check "insmod again" insmod "$ko"

for i in 1 2 3; do
	kgate service add "default/pod$i:80" cluster "10.96.0.$i:80/tcp" \
		backend "10.244.$i.2:8080"
done
kgate listener add web "$NODE:$LPORT"
routes
wait_for 10 in_ns client bash -c "exec 3<>/dev/tcp/$NODE/$LPORT"
hold 20
ip netns del "$(ns node)"
wait_for 10 sh -c "! ip netns list | grep -q '^$(ns node) '"
# The namespace's cleanup runs in a workqueue after the delete: unloading
# the module waits for it (and fails if the namespace leaked something).
unload() {	# rmmod, retried while the namespace's teardown still runs
	local deadline=$((SECONDS + 30))
	until rmmod kgate 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || { rmmod kgate; return 1; }
		sleep 0.2
	done
}
check "the module unloads after the node's namespace went with 21 connections open" unload
check "no kernel splat after deleting the node's namespace with connections open" nosplat
check "and loads again" insmod "$ko"
# The held clients lost their peer with the namespace: stop them.
for p in $(jobs -p); do kill "$p" 2>/dev/null; done
wait

[ "$TAP_FAILED" = 0 ]
