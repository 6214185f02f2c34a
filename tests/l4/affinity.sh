#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ClientIP session affinity: a client sticks to one backend, through
# changes to the others; the binding ends with its backend turning
# terminating, and after the timeout.  TAP; in the VM guest, kgate loaded.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l4/lib.sh
plan 9

topo_up 10
trap topo_down EXIT

first_of() { awk '{print $1; exit}'; }
# served NS VIP N: the pods that served N connections, one per line.
served() { count "$1" "$2" 80 "$3" | awk '{print $2}'; }

# --- the timeout.  Round robin would alternate: only the binding keeps
# the client on one backend, and once it expires, the next turn is the
# other backend.
kgate service add default/short:http cluster 10.96.0.40:80/tcp \
	scheduler rr affinity clientip timeout 2 \
	backend 10.244.1.2:8080 backend 10.244.2.2:8080
bound=$(tcp_get pod9 10.96.0.40 80 | first_of)
sticky=$(served pod9 10.96.0.40 20)
echo "# bound to $bound; 20 more connections: ${sticky//$'\n'/ }"
check "affinity: a client's connections stick to one backend (rr would alternate)" \
	test -n "$bound" -a "$sticky" = "$bound"
shows() { kgate service show "$1" | grep -q "$2"; }
check "affinity: the timeout is shown" \
	shows default/short:http "affinity clientip timeout 2 "
# Idle time is the scenario here: nothing to poll, the binding has to age.
sleep 3
after=$(tcp_get pod9 10.96.0.40 80 | first_of)
echo "# after 3 s idle: $after"
check "affinity: after the timeout the client may move (rr: to the next turn)" \
	test -n "$after" -a "$after" != "$bound"

# --- bindings across changes, with Maglev: 100 clients
for i in $(seq 10 109); do
	in_ns client ip addr add "198.18.0.$i/24" dev v-client-node
done
backends() { for i in $(seq 1 "$1"); do echo backend "10.244.$i.2:8080"; done; }
# who_serves: "ADDR POD" for each of the 100 client addresses.
who_serves() {
	local i
	for i in $(seq 10 109); do
		echo "198.18.0.$i $(in_ns client socat -T 2 -u \
			"TCP:10.96.0.41:80,bind=198.18.0.$i" - 2>/dev/null | first_of)"
	done
}
# shellcheck disable=SC2046
kgate service add default/sticky:http cluster 10.96.0.41:80/tcp \
	affinity clientip $(backends 8)
check "affinity: the default timeout is 10800 s" \
	shows default/sticky:http "timeout 10800 "
round1=$(who_serves)
round1b=$(who_serves)
check "affinity: each of 100 clients sticks to one backend" \
	test "$round1" = "$round1b"
check "affinity: the 100 clients spread over the backends" \
	test "$(awk '{print $2}' <<<"$round1" | sort -u | grep -c pod)" -ge 4

kgate backend add default/sticky:http 10.244.9.2:8080
kgate backend add default/sticky:http 10.244.10.2:8080
kgate backend del default/sticky:http 10.244.8.2:8080
round2=$(who_serves)
moved=$(paste <(echo "$round1") <(echo "$round2") |
	awk '$2 != "pod8" { n++; if ($2 != $4) m++ } END { printf "%d %d", m, n }')
echo "# adding 2 backends and removing 1 moved $moved (moved, total) other clients"
none_moved() { set -- $moved; [ "$2" -gt 0 ] && [ "$1" = 0 ]; }
check "affinity: backends coming and going move no bound client" none_moved
rebound() {
	[ "$(awk '$2 ~ /^pod/ && $2 != "pod8"' <<<"$round2" | wc -l)" = 100 ]
}
check "affinity: the clients of a removed backend are served elsewhere" \
	rebound

# A client bound to a backend that turns terminating moves, and stays.
c=198.18.0.10
was=$(awk -v c=$c '$1 == c {print $2}' <<<"$round2")
kgate backend set default/sticky:http "10.244.${was#pod}.2:8080" \
	state terminating
now=$(who_serves | awk -v c=$c '$1 == c {print $2}')
kgate backend set default/sticky:http "10.244.${was#pod}.2:8080" state ready
still=$(who_serves | awk -v c=$c '$1 == c {print $2}')
echo "# client $c: $was, then $now while $was is terminating, then $still"
check "affinity: a binding to a terminating backend ends; the new one holds" \
	test -n "$now" -a "$now" != "$was" -a "$still" = "$now"

[ "$TAP_FAILED" = 0 ]
