# SPDX-License-Identifier: GPL-2.0
# Shared by the L7 tests (tests/l7/*.sh), run in the VM guest as root,
# with kgate loaded.  TAP, namespaces and waits are tests/l4/lib.sh's
# (sourced: plan, check, refute, ok, fail, skip, wait_for, in_ns, kgate,
# topo_up, topo_down); this file swaps the pods' server for httpd and adds
# HTTP helpers.
#
# The topology is L4's, in namespaces of our own prefix:
#   client (198.18.0.2, fd00:18::2) --- node (198.18.0.1, fd00:18::1)
#   node (10.244.N.1) --- podN (10.244.N.2, fd00:244:N::2)
# Each pod runs httpd (tests/l7/httpd.c) named "podN" on [::]:8080 (IPv4
# and IPv6), logging to $L7_DIR/podN.log.  l7_up N makes the topology,
# the services default/podN:80 (cluster 10.96.0.N:80, backend podN) and
# the listener "web" on 198.18.0.1:80 (LISTENER_SPEC adds to it).  The
# client reaches it at http://198.18.0.1/ (curl in the client namespace);
# requests name their host in a Host field.

# shellcheck source=tests/l4/lib.sh
. tests/l4/lib.sh
NS_PREFIX=kgl7
HTTPD=${HTTPD:-$PWD/build/selftests/httpd}
RAWREQ=${RAWREQ:-$PWD/build/selftests/rawreq}
NODE=198.18.0.1
LPORT=80
L7_DIR=
L7_PLAN=0
plan() { L7_PLAN=$1; echo "1..$1"; }

# pod_serve N (called by topo_up): httpd "podN" on [::]:8080.
pod_serve() {
	local log=$L7_DIR/pod$1.log
	: >"$log"
	ip netns exec "$(ns "pod$1")" "$HTTPD" --name "pod$1" \
		--listen '[::]:8080' --log "$log" &
	echo $! >"$L7_DIR/pod$1.pid"
	disown
	wait_for 10 sh -c "ip netns exec $(ns "pod$1") ss -ltn | grep -q ':8080 '"
}

# pod_stop N: podN's httpd is gone (its port closed: connections refused).
pod_stop() {
	kill "$(cat "$L7_DIR/pod$1.pid")" 2>/dev/null
	wait_for 10 sh -c "! ip netns exec $(ns "pod$1") ss -ltn | grep -q ':8080 '"
}

# l7_up NPODS: namespaces, pods, services, listener "web"; l7_down undoes it.
l7_up() {
	local i out
	L7_DIR=$(mktemp -d /tmp/kgl7.XXXXXX)
	topo_up "$1"
	for i in $(seq 1 "$1"); do
		kgate service add "default/pod$i:80" cluster "10.96.0.$i:80/tcp" \
			backend "10.244.$i.2:8080" || return 1
	done
	# shellcheck disable=SC2086	# LISTENER_SPEC is words
	if ! out=$(kgate listener add web "$NODE:$LPORT" ${LISTENER_SPEC-} 2>&1); then
		echo "# kgate listener add web: $out"
		# A CLI or module without L7 cannot run these tests at all.
		case $out in
		*"not supported"* | *EOPNOTSUPP* | *"unknown command"* | *"unknown object"*)
			L7_WHY="kgate has no HTTP listener yet: ${out//$'\n'/ }"
			return 77 ;;
		esac
		return 1
	fi
	wait_for 10 in_ns client bash -c "exec 3<>/dev/tcp/$NODE/$LPORT"
}

# l7_bail STATUS: l7_up failed: every result of the plan a SKIP with the
# reason if it cannot run here (77), else give up (exit 1: the plan check
# reports the missing results).
l7_bail() {
	local i
	l7_down
	if [ "$1" = 77 ]; then
		for ((i = TAP_N; i < L7_PLAN; i++)); do skip "L7 test" "$L7_WHY"; done
		exit 0
	fi
	echo "# setup failed (status $1)"
	exit 1
}
l7_down() {
	kgate flush >/dev/null 2>&1
	topo_down
	[ -z "$L7_DIR" ] || rm -rf "$L7_DIR"
}

# is WANT CMD...: CMD's output is WANT; if not, both as TAP comments.
is() {
	local want=$1 got
	shift
	got=$("$@" 2>&1)
	[ "$got" = "$want" ] && return 0
	printf '# expected: %s\n' "${want//$'\n'/ | }"
	printf '# got:      %s\n' "${got//$'\n'/ | }"
	return 1
}

# like REGEX CMD...: CMD's output matches the extended REGEX (grep -E,
# any line); if not, the output as TAP comments.
like() {
	local re=$1 got
	shift
	got=$("$@" 2>&1)
	grep -qE -- "$re" <<<"$got" && return 0
	printf '# expected a match of: %s\n' "$re"
	printf '# got: %s\n' "${got//$'\n'/ | }" | cut -c1-2000
	return 1
}

# ccurl ARGS...: curl in the client namespace, quiet, bounded in time.
ccurl() { in_ns client curl -s --max-time 15 "$@"; }

# req HOST PATH [CURL ARGS...]: "STATUS BACKEND" of one request through the
# listener ("-" for no X-Backend: kgate answered itself).
req() {
	local host=$1 path=$2 out
	shift 2
	out=$(ccurl -o /dev/null -H "Host: $host" \
		-w '%{http_code} %header{x-backend}' "$@" \
		"http://$NODE:$LPORT$path")
	set -- $out
	echo "${1:-000} ${2:--}"
}

# body HOST PATH [CURL ARGS...]: the response body.
body() {
	local host=$1 path=$2
	shift 2
	ccurl -H "Host: $host" "$@" "http://$NODE:$LPORT$path"
}

# head_of HOST PATH [CURL ARGS...]: the response head, CRs removed.
head_of() {
	local host=$1 path=$2
	shift 2
	ccurl -o /dev/null -D - -H "Host: $host" "$@" "http://$NODE:$LPORT$path" |
		tr -d '\r'
}

# echo_field HOST PATH FIELD [CURL ARGS...]: a line's value of /echo's
# body ("target", "header: X-Forwarded-For" ...), each one on a line.
echo_field() {
	local host=$1 path=$2 field=$3
	shift 3
	body "$host" "$path" -H 'X-Echo: 1' "$@" | sed -n "s/^$field: //p"
}

# raw [-t MS] ACTION...: rawreq from the client to the listener.
raw() {
	local t=()
	if [ "${1-}" = -t ]; then
		t=(-t "$2")
		shift 2
	fi
	in_ns client "$RAWREQ" "${t[@]}" "$NODE" "$LPORT" "$@"
}

# status_of: the status code of the first response on stdin.
status_of() { head -n1 | tr -d '\r' | awk '{print $2}'; }

# podlog N: podN's httpd log.
podlog() { cat "$L7_DIR/pod$1.log"; }

# arrived N REGEX: a request line of podN's log matches REGEX (status 0),
# none does (1).  The probe of refute for "never reached the backend".
arrived() { grep -E '^req ' "$L7_DIR/pod$1.log" | grep -qE -- "$2"; }

# conns_of N: connections podN's httpd accepted so far.
conns_of() { grep -c '^conn ' "$L7_DIR/pod$1.log"; }

# splats: kernel splat lines in dmesg since the given mark (dmesg -c is not
# ours to call: other scripts read it too).
splats() { dmesg | grep -E 'BUG|WARNING|KFENCE|KASAN|general protection|refcount_t' ; }

# kshow ARGS...: kgate's output on one line (spaces and lines squeezed).
kshow() { kgate "$@" | tr -s ' \n' ' '; }

# each N HOST PATH [CURL ARGS...]: N requests on one keep-alive connection
# (one curl), "STATUS BACKEND" for each, one per line.
each() {
	local n=$1 host=$2 path=$3 args=() i
	shift 3
	for ((i = 0; i < n; i++)); do args+=(-o /dev/null "http://$NODE:$LPORT$path"); done
	ccurl --max-time $((10 + n / 5)) -w '%{http_code} %header{x-backend}\n' -H "Host: $host" \
		"$@" "${args[@]}"
}

# lower_names: "Name: value" lines of stdin with the names in lower case.
lower_names() { sed -E 's/^([^:]*)/\L\1/'; }

# tls_secret FILE: the seed document's TLS Secret "tls-secret" (the seed
# has placeholders) into FILE, with a certificate and key made here.
tls_secret() {
	local d=$L7_DIR/tls
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=api.example.com \
		-keyout "$d/key.pem" -out "$d/crt.pem" >/dev/null 2>&1 || return 1
	cat >"$1" <<-EOF
	apiVersion: v1
	kind: Secret
	metadata:
	  name: tls-secret
	type: kubernetes.io/tls
	data:
	  tls.crt: $(base64 -w0 "$d/crt.pem")
	  tls.key: $(base64 -w0 "$d/key.pem")
	EOF
}

# loaders_start / loaders_stop [GOOD]: two clients in a loop through the
# VIP 10.96.1.1 and api.example.com/v1 (vip and req of the calling
# script), one result line each, in $L7_DIR/load[12].out; loaders_stop
# counts them into $total and those not matching GOOD (an ERE, default
# both answered by pod1) into $lost, and shows the first few of those.
loaders_start() {
	local l
	rm -f "$L7_DIR/stop" "$L7_DIR"/load[12].out
	loaders=()
	for l in 1 2; do
		(
			while [ ! -e "$L7_DIR/stop" ]; do
				echo "$(vip 10.96.1.1) $(req api.example.com /v1)"
			done >"$L7_DIR/load$l.out"
		) &
		loaders+=($!)
	done
	wait_for 10 test -s "$L7_DIR/load1.out"
}
# lines: the loaders' results so far; more_lines N: more than N.
lines() { cat "$L7_DIR"/load[12].out 2>/dev/null | wc -l; }
more_lines() { [ "$(lines)" -gt "$1" ]; }
loaders_stop() {
	local good=${1:-'^200 pod1 200 pod1$'}
	touch "$L7_DIR/stop"
	wait "${loaders[@]}"
	cat "$L7_DIR"/load[12].out >"$L7_DIR/load.out"
	total=$(wc -l <"$L7_DIR/load.out")
	lost=$(grep -cvE "$good" "$L7_DIR/load.out")
	grep -vE "$good" "$L7_DIR/load.out" | head -5 | sed 's/^/# failed: /'
}
