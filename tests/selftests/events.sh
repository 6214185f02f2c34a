#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Events as `kgate monitor` prints them, for sequences of commands on one
# object in one commit (`kgate batch -f FILE`).  The ABI (Events in
# include/uapi/linux/kgate.h): at most one event per name and commit, its
# net effect -- ADD (did not exist before), REPLACE (did), DEL (existed,
# is gone); a commit with a FLUSH says FLUSH first, no DEL for what it
# removed, then ADD / REPLACE for what exists after it; NODE_SET when the
# node's settings changed; then one BATCH_COMMIT.
#
# Each case starts from an empty namespace (plus its setup, a commit of its
# own), applies one batch and compares the lines the monitor printed for
# that commit.  Waits are polls of the monitor's output for its COMMIT
# line.  TAP; needs the module loaded, in the guest.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kgate=${KGATE_CLI:-$top/build/userspace/kgate}
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - events: $1"; }
fail() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - events: $1"
	[ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/# /'
}

CASES=13
echo "1..$((1 + CASES))"

work=$(mktemp -d)
mon=$work/monitor.out
"$kgate" monitor >"$mon" 2>"$work/monitor.err" &
monpid=$!
cleanup() {
	kill "$monpid" 2>/dev/null
	wait "$monpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

commits() { grep -c '^commit generation' "$mon"; }

# wait_commits N [TRIES]: poll (every 50 ms, 10 s by default) until the
# monitor printed N commit lines.
wait_commits() {
	local i tries=${2:-200}
	for ((i = 0; i < tries; i++)); do
		[ "$(commits)" -ge "$1" ] && return 0
		kill -0 "$monpid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# The monitor has joined the group once a commit shows: flush an empty
# namespace until one does.
ready=0
for ((try = 0; try < 30; try++)); do
	"$kgate" flush >/dev/null 2>&1 || break
	if wait_commits 1 40; then
		ready=1
		break
	fi
done
seen=$(commits)
if [ "$ready" = 1 ]; then
	ok "kgate monitor prints the commits"
else
	fail "kgate monitor prints the commits" \
		"$(cat "$work/monitor.err" "$mon" 2>/dev/null)"
fi

# The lines of commit number $1 (1-based) of the monitor, its commit line
# excluded.
commit_lines() {
	awk -v k="$1" '/^commit generation/ { c++; if (c == k) exit; next }
		       c == k - 1 { print }' "$mon"
}

# commit CMD...: run one kgate command that commits once, wait for its
# commit line.  Sets $lines to what the monitor printed for it.
commit() {
	local out
	lines=
	if ! out=$("$kgate" "$@" 2>&1); then
		why="kgate $*: $out"
		return 1
	fi
	seen=$((seen + 1))
	if ! wait_commits "$seen"; then
		why="no commit line from the monitor after kgate $*"
		seen=$(commits)
		return 1
	fi
	lines=$(commit_lines "$seen")
}

svc_a="service add ev/a:80 cluster 10.96.0.1:80/tcp backend 10.244.1.1:8080"
svc_a2="service replace ev/a:80 cluster 10.96.0.1:80/tcp backend 10.244.1.2:8080 weight 3"
svc_a3="service add ev/a:80 cluster 10.96.0.1:80/tcp backend 10.244.1.3:8080"
svc_b="service add ev/b:80 cluster 10.96.0.2:80/tcp backend 10.244.2.1:8080"
svc_c="service add ev/c:80 cluster 10.96.0.3:80/tcp"

# check DESC SETUP EXPECTED LINE...: from an empty namespace plus SETUP
# (batch lines, "|"-separated; empty: none), one batch of the LINEs; the
# monitor prints EXPECTED ("|"-separated lines) before the commit line.
check() {
	local desc=$1 setup=$2 want=$3 f=$work/batch got
	shift 3
	why=
	if [ "$ready" != 1 ]; then
		fail "$desc" "the monitor is not ready"
		return
	fi
	if ! commit flush; then
		fail "$desc" "$why"
		return
	fi
	if [ -n "$setup" ]; then
		tr '|' '\n' <<<"$setup" >"$f"
		if ! commit batch -f "$f"; then
			fail "$desc" "setup: $why"
			return
		fi
	fi
	printf '%s\n' "$@" >"$f"
	if ! commit batch -f "$f"; then
		fail "$desc" "$why"
		return
	fi
	got=$(tr '\n' '|' <<<"$lines")
	got=${got%|}
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		fail "$desc" "batch: $(tr '\n' ';' <"$f")
expected: ${want:-(nothing)}
got:      ${got:-(nothing)}"
	fi
}

check "ADD; DEL of a new service: nothing" "" "" \
	"$svc_a" "service del ev/a:80"
check "ADD; REPLACE of a new service: ADD" "" "service add ev/a:80" \
	"$svc_a" "$svc_a2"
check "existing: REPLACE; DEL: DEL" "$svc_a" "service del ev/a:80" \
	"$svc_a2" "service del ev/a:80"
check "existing: BACKEND_ADD; DEL: DEL" "$svc_a" "service del ev/a:80" \
	"backend add ev/a:80 10.244.1.9:8080" "service del ev/a:80"
check "existing: DEL; ADD: REPLACE" "$svc_a" "service replace ev/a:80" \
	"service del ev/a:80" "$svc_a3"
check "existing: DEL; ADD; DEL: one DEL" "$svc_a" "service del ev/a:80" \
	"service del ev/a:80" "$svc_a3" "service del ev/a:80"
check "existing: BACKEND_ADD; BACKEND_DEL: REPLACE" "$svc_a" \
	"service replace ev/a:80" \
	"backend add ev/a:80 10.244.1.9:8080" \
	"backend del ev/a:80 10.244.1.9:8080"
check "existing: FLUSH; ADD of the same name: FLUSH, REPLACE" \
	"$svc_a|$svc_b" "flush|service replace ev/a:80" \
	"flush" "$svc_a3"
check "ADD of a new service; FLUSH: FLUSH only" "$svc_a" "flush" \
	"$svc_c" "flush"
check "existing: FLUSH; FLUSH: one FLUSH" "$svc_a" "flush" \
	"flush" "flush"
check "two names in one commit: one event each, in order" \
	"$svc_a" "service add ev/c:80|service del ev/a:80" \
	"$svc_c" "backend add ev/a:80 10.244.1.9:8080" "service del ev/a:80"

# NODE_SET, its own commit (batch files carry services): the monitor
# prints the node's settings, whole.
node_case() {
	local desc=$1 want=$2
	shift 2
	why=
	if [ "$ready" = 1 ] && commit node set "$@"; then
		if [ "$lines" = "$want" ]; then
			ok "$desc"
		else
			fail "$desc" "expected: $want
got:      ${lines:-(nothing)}"
		fi
	else
		fail "$desc" "${why:-the monitor is not ready}"
	fi
}
node_case "NODE_SET: one NODE_SET event, whole" \
	"node set local-range 10.244.0.0/16 local-range fd00:244::/48" \
	local-range 10.244.0.0/16 local-range fd00:244::/48
node_case "NODE_SET clearing the ranges: one NODE_SET event" "node set"

"$kgate" flush >/dev/null 2>&1
if [ "$n" -ne "$((1 + CASES))" ]; then
	echo "# events.sh: $n results for a plan of $((1 + CASES))" >&2
	failed=$((failed + 1))
fi
[ "$failed" -eq 0 ]
