# SPDX-License-Identifier: GPL-2.0
# Shared by the L4 tests (tests/l4/*.sh), run in the VM guest as root.
#
# The topology: network namespaces on private test ranges that exist only
# inside the VM.
#
#   client (198.18.0.2, fd00:18::2) --- node (198.18.0.1, fd00:18::1)
#   node (10.244.N.1, fd00:244:N::1) --- podN (10.244.N.2, fd00:244:N::2)
#
# kgate runs in "node", which routes between the client and the pods.
# Each pod answers with its name on TCP and UDP port 8080 (podserve), so
# a client sees which pod served it, and from which source address
# ("pod2 10.244.1.2").  sctp_serve adds the same answer over SCTP (socat).

KGATE=${KGATE:-$PWD/build/userspace/kgate}
PODSERVE=${PODSERVE:-$PWD/build/selftests/podserve}
NS_PREFIX=kgl4
TAP_N=0
TAP_FAILED=0


# TAP.  A script's first output is its plan: it calls `plan N` right after
# sourcing this file, N being the number of check / refute / ok / fail /
# skip calls it makes (each prints one result line), and keeps N in step
# when it adds or removes cases.  `make check` fails a script whose count
# of results is not its plan (stopped early, a case lost or added) and one
# without a plan (tests/tools/tap.sh has the whole convention).
#   plan N
#   check NAME CMD...          ok if CMD succeeds; returns CMD's status
#   refute NAME CONTROL... -- PROBE...
#                              a negative check: see refute below
#   ok NAME | fail NAME [DETAIL...] | skip NAME REASON
plan() { echo "1..$1"; }
ok()   { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
fail() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $1"; shift; [ $# -eq 0 ] || printf '# %s\n' "$@"; }
check() {
	local name=$1 rc=0
	shift
	"$@" || rc=$?
	if [ "$rc" = 0 ]; then ok "$name"; else fail "$name"; fi
	return "$rc"
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }

# refute NAME CONTROL... -- PROBE...: a negative check ("this traffic must
# not arrive").  A probe that sees nothing proves nothing if the probe
# itself is broken (socat missing, a namespace missing, a wrong address):
# so CONTROL, the same probe from the same namespace to a target that must
# answer (a pod directly, the VIP on a port it serves, the VIP before the
# change), must succeed first.  Then PROBE must report that nothing got
# through: exit status 0 means it got through (not ok), 1 that nothing
# did (ok), anything else that the probe failed (not ok).  `answers CMD`
# is the usual probe and control.
refute() {
	local name=$1 ctl=() out rc=0
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		ctl+=("$1")
		shift
	done
	if [ $# -eq 0 ] || [ ${#ctl[@]} -eq 0 ]; then
		fail "$name" "refute: usage: refute NAME CONTROL... -- PROBE..."
		return 2
	fi
	shift
	if ! out=$("${ctl[@]}" 2>&1); then
		fail "$name" "control failed, so the probe proves nothing: ${ctl[*]}" \
			${out:+"control said: $out"}
		return 1
	fi
	out=$("$@" 2>&1) || rc=$?
	case $rc in
	0) fail "$name" "it got through: $*" ${out:+"probe said: $out"}; return 1 ;;
	1) ok "$name" ;;
	*) fail "$name" "the probe failed with status $rc: $*" ${out:+"probe said: $out"}
	   return 1 ;;
	esac
}

# answers CMD...: CMD (tcp_get, udp_get, sctp_get ...) printed an answer;
# status 0 if so, 1 if it printed nothing.
answers() {
	local out
	out=$("$@")
	[ -n "$out" ] || return 1
	echo "$out"
}

ns() { echo "$NS_PREFIX-$1"; }
in_ns() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }
kgate() { in_ns node "$KGATE" "$@"; }

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

link() {	# link NS_A ADDR_A NS_B ADDR_B ADDR6_A ADDR6_B PLEN PLEN6
	local a=$1 b=$3 ia=v-$1-$3 ib=v-$3-$1
	ip link add "$ia" netns "$(ns "$a")" type veth peer name "$ib" \
		netns "$(ns "$b")"
	in_ns "$a" ip addr add "$2/$7" dev "$ia"
	in_ns "$b" ip addr add "$4/$7" dev "$ib"
	in_ns "$a" ip -6 addr add "$5/$8" dev "$ia" nodad
	in_ns "$b" ip -6 addr add "$6/$8" dev "$ib" nodad
	in_ns "$a" ip link set "$ia" up
	in_ns "$b" ip link set "$ib" up
}

# topo_up NPODS: the namespaces, links, routes and pod servers.
topo_up() {
	local i
	topo_down
	for n in node client $(seq -f pod%g 1 "$1"); do
		ip netns add "$(ns "$n")"
		in_ns "$n" ip link set lo up
	done
	in_ns node sysctl -qw net.ipv4.ip_forward=1
	in_ns node sysctl -qw net.ipv6.conf.all.forwarding=1
	link node 198.18.0.1 client 198.18.0.2 fd00:18::1 fd00:18::2 24 64
	in_ns client ip route add default via 198.18.0.1
	in_ns client ip -6 route add default via fd00:18::1
	# The node's way out, as on a real node: VIPs are routed, then DNATed.
	in_ns node ip route add default via 198.18.0.2
	in_ns node ip -6 route add default via fd00:18::2
	for i in $(seq 1 "$1"); do
		link node "10.244.$i.1" "pod$i" "10.244.$i.2" \
			"fd00:244:$i::1" "fd00:244:$i::2" 24 64
		in_ns "pod$i" ip route add default via "10.244.$i.1"
		in_ns "pod$i" ip -6 route add default via "fd00:244:$i::1"
		pod_serve "$i"
	done
}

pod_serve() {	# pod_serve N: "podN" on TCP and UDP 8080, IPv4 and IPv6
	ip netns exec "$(ns "pod$1")" "$PODSERVE" "pod$1" 8080 &
	disown	# topo_down kills it: no job report
	wait_for 10 sh -c "ip netns exec $(ns "pod$1") ss -ltn | grep -q ':8080 '"
}

topo_down() {
	local n
	for n in $(ip netns list | awk '{print $1}' | grep "^$NS_PREFIX-"); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n"
	done
}

# count NS ADDR PORT N: N connections from one bash (no process per
# connection), as "COUNT podX" lines, one per pod that served.
count() {
	in_ns "$1" bash -c '
		for ((i = 0; i < $3; i++)); do
			exec 3<>"/dev/tcp/$1/$2" || continue
			read -r who _ <&3 && echo "$who"
			exec 3<&-
		done' _ "$2" "$3" "$4" | sort | uniq -c
}

# tcp_get NS ADDR PORT: what the server says over TCP ("" if nothing).
tcp_get() {
	local host=$2
	case $host in *:*) host="[$host]" ;; esac
	in_ns "$1" socat -T 2 -u "TCP:$host:$3,connect-timeout=2" - 2>/dev/null
}

# udp_get NS ADDR PORT: what the server answers to one datagram.
udp_get() {
	local host=$2
	case $host in *:*) host="[$host]" ;; esac
	echo hi | in_ns "$1" socat -T 2 - "UDP:$host:$3" 2>/dev/null
}

# reached NS ADDR PORT: a TCP connection attempt got something back (an
# answer or a refusal): status 0; it timed out in silence (the packet was
# dropped): status 1.  The probe of refute for "dropped, not refused".
reached() {
	local host=$2 out
	case $host in *:*) host="[$host]" ;; esac
	out=$(in_ns "$1" socat -T 3 -u "TCP:$host:$3,connect-timeout=3" - 2>&1)
	case $out in
	*"timed out"*) return 1 ;;
	*) echo "${out:-(closed)}"; return 0 ;;
	esac
}

# refused_quickly CMD...: CMD (a socat client) reports "Connection
# refused", and within 3 s: a RST or an ICMP port unreachable, not a
# timeout.  CMD's own timeout must be longer than that.
refused_quickly() {
	local t0 ms out
	t0=$(date +%s%N)
	out=$("$@" 2>&1)
	ms=$((($(date +%s%N) - t0) / 1000000))
	if grep -q "Connection refused" <<<"$out" && [ "$ms" -lt 3000 ]; then
		return 0
	fi
	echo "# after $ms ms: ${out:-no output}"
	return 1
}

# canon_addr: the lines "NAME PEER" of stdin with PEER in the usual short
# form: socat writes IPv6 peers in full and in brackets.
canon_addr() {
	local name peer g i best bstart run start out
	while read -r name peer; do
		peer=${peer#[}
		peer=${peer%]}
		IFS=: read -ra g <<<"$peer"
		if [ "${#g[@]}" = 8 ]; then
			best=0 bstart=-1 run=0
			for i in 0 1 2 3 4 5 6 7; do
				g[i]=$(printf '%x' "$((16#${g[i]}))")
				if [ "${g[i]}" = 0 ]; then
					[ "$run" -gt 0 ] || start=$i
					run=$((run + 1))
					if [ "$run" -gt "$best" ]; then
						best=$run bstart=$start
					fi
				else
					run=0
				fi
			done
			out=
			for i in 0 1 2 3 4 5 6 7; do
				if [ "$best" -ge 2 ] && [ "$i" -ge "$bstart" ] &&
				   [ "$i" -lt $((bstart + best)) ]; then
					[ "$i" != "$bstart" ] || out="$out::"
					continue
				fi
				case $out in "" | *:) ;; *) out="$out:" ;; esac
				out="$out${g[i]}"
			done
			peer=$out
		fi
		echo "$name $peer"
	done
}

# sctp_serve N PORT: "podN PEER" on SCTP PORT, IPv4 and IPv6, from socat
# (a process per association: for tens of associations, not thousands).
sctp_serve() {
	local n=$1 port=$2
	# shellcheck disable=SC2016	# the answer expands in socat's child
	in_ns "pod$n" socat "SCTP4-LISTEN:$port,fork,reuseaddr" \
		SYSTEM:"echo pod$n \$SOCAT_PEERADDR" &
	disown
	# shellcheck disable=SC2016
	in_ns "pod$n" socat "SCTP6-LISTEN:$port,fork,reuseaddr,ipv6only=1" \
		SYSTEM:"echo pod$n \$SOCAT_PEERADDR" &
	disown
	wait_for 10 sh -c "ip netns exec $(ns "pod$n") ss -Sln |
		grep -c ':$port ' | grep -qx 2"
}

# sctp_get NS ADDR PORT: what the server says over an SCTP association
# ("" if nothing).
sctp_get() {
	local host=$2
	case $host in *:*) host="[$host]" ;; esac
	in_ns "$1" socat -T 5 -u "SCTP-CONNECT:$host:$3,connect-timeout=5" - \
		2>/dev/null | canon_addr
}
