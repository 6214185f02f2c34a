#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The plan checker of `make check` (tests/tools/tapplan.sh) on sample TAP:
# it passes a good stream and fails, naming the unit, a stream missing a
# result, one without a plan, one where garbage ate a result line, and the
# other ways a unit can break its plan.  TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
checker=$top/tests/tools/tapplan.sh
. "$top/tests/tools/tap.sh"

tap_plan 14

# expect NAME WANT_STATUS WANT_OUTPUT STREAM: the checker, given STREAM as
# stage "s", exits WANT_STATUS and prints exactly WANT_OUTPUT.
expect() {
	local name=$1 want_rc=$2 want=$3 got rc
	got=$(printf '%s' "$4" | "$checker" s)
	rc=$?
	if [ "$rc" = "$want_rc" ] && [ "$got" = "$want" ]; then
		tap_ok "tapplan: $name"
	else
		tap_fail "tapplan: $name" "$(printf 'want status %s, output:\n%s\ngot status %s, output:\n%s' \
			"$want_rc" "$want" "$rc" "$got")"
	fi
}

good='1..3
ok 1 - build
# block: roundtrip
TAP version 13
1..2
# Starting 2 tests
ok 1 rt.a
ok 2 rt.b # SKIP no reason
# end: roundtrip
ok 2 - roundtrip exited 0
# block: core
ok 1 - core: a
not ok 2 - core: b
# a comment
1..2
# end: core
not ok 3 - core exited with status 1
'
expect "a good stream passes (plans first and last, nested blocks)" 0 "" "$good"

expect "a stream missing a result fails, naming the unit" 1 \
	"not ok - s: plan 1..3 but 2 results" \
	'1..3
ok 1 - a
not ok 2 - b
'
expect "a block missing a result fails, naming the block" 1 \
	"not ok - s / 6.12 l4 / basic.sh: plan 1..3 but 2 results" \
	'1..1
# block: 6.12 l4
1..1
# block: basic.sh
1..3
ok 1 - a
ok 2 - b
# end: basic.sh
ok - basic.sh exited 0
# end: 6.12 l4
ok - 6.12: suite l4 finished
'
expect "a stream with no plan fails" 1 "not ok - s: no plan, 2 results" \
	'ok 1 - a
ok 2 - b
'
expect "an empty stream fails" 1 "not ok - s: no plan, 0 results" ''
expect "a block with no plan fails" 1 "not ok - s / x: no plan, 1 result" \
	'1..1
# block: x
ok 1 - a
# end: x
ok - x exited 0
'
expect "garbage glued before a result line hides it, and the count fails" 1 \
	"not ok - s: plan 1..3 but 2 results" \
	'1..3
ok 1 - maglev: m=1000003 n=1000, weights 1..10000: built
maglev: building m=1000003 n=1000ok 2 - maglev: weights 10000:1
ok 3 - maglev: the rest
'
expect "a result line cut by garbage is not a result" 1 \
	"not ok - s: plan 1..2 but 1 result" \
	'1..2
ok 1 - a
o# progress
k 2 - b
'
expect "an extra result fails" 1 "not ok - s: plan 1..1 but 2 results" \
	'1..1
ok 1 - a
ok 2 - b
'
expect "a stream stopped inside a block fails, the block and its parent" 1 \
	"not ok - s / x: plan 1..2 but 1 result; the stream stopped inside it
not ok - s: plan 1..1 but 0 results" \
	'1..1
# block: x
1..2
ok 1 - a
'
expect "two programs in one block without markers: a second plan" 1 \
	"not ok - s: plan 1..2 but 4 results; a second plan 1..2 after 2 results" \
	'1..2
ok 1 - a
ok 2 - b
1..2
ok 1 - c
ok 2 - d
'
expect "a block left without its end is closed by its parent's end" 1 \
	"not ok - s / p / c: no end before the end of \"p\"
not ok - s / p: plan 1..1 but 0 results" \
	'1..1
# block: p
1..1
# block: c
1..1
ok 1 - c1
# end: p
ok - p exited 0
'
expect "an end no block opened fails" 1 \
	"not ok - s: an end of \"x\" that no block opened" \
	'1..1
ok 1 - a
# end: x
'
expect "CR line ends and a plan with a SKIP reason are understood" 0 "" \
	"$(printf '1..0 # SKIP nothing here\r\n# block: y\r\n1..1\r\nok 1 - y\r\n# end: y\r\n')"
