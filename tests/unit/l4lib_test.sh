#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The result helpers of tests/l4/lib.sh, on the host: check returns its
# command's status, and refute fails when its control fails, when the
# probe gets through and when the probe itself breaks, and passes only
# when the control answered and the probe saw nothing.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/tools/tap.sh"

tap_plan 9

# l4 SNIPPET: SNIPPET run after sourcing lib.sh, in a shell of its own;
# prints its TAP lines and "status N" of its last command.
l4() {
	(cd "$top" && bash -c '. tests/l4/lib.sh; '"$1"'; echo "status $?"' 2>&1)
}
# expect NAME SNIPPET WANT: the snippet's output, without "#" lines, is WANT.
expect() {
	local got
	got=$(l4 "$2" | grep -v '^#')
	if [ "$got" = "$3" ]; then
		tap_ok "l4 lib: $1"
	else
		tap_fail "l4 lib: $1" "$(printf 'want:\n%s\ngot:\n%s' "$3" "$got")"
	fi
}

expect "plan prints the plan" "plan 3" "1..3
status 0"
expect "check passes and returns 0" "check a true" "ok 1 - a
status 0"
expect "check fails and returns the command's status" \
	"check a sh -c 'exit 3'" "not ok 1 - a
status 3"
expect "check ... || runs its fallback on a failure" \
	"check a false || echo fallback" "not ok 1 - a
fallback
status 0"
expect "refute passes: the control answers, the probe sees nothing" \
	"refute a answers echo pod2 -- answers echo -n ''" "ok 1 - a
status 0"
expect "refute fails when the control fails (a broken probe proves nothing)" \
	"refute a answers false -- answers false" "not ok 1 - a
status 1"
expect "refute fails when the probe gets through" \
	"refute a true -- answers echo pod2" "not ok 1 - a
status 1"
expect "refute fails when the probe breaks (status other than 0 or 1)" \
	"refute a true -- sh -c 'exit 2'" "not ok 1 - a
status 1"
expect "refute without -- is a failure, not a pass" \
	"refute a true false" "not ok 1 - a
status 2"
