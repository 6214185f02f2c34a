#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tapplan.sh NAME [FILE]: check the plans of a TAP stream (FILE or stdin)
# as tests/tools/tap.sh describes them.  NAME names the outermost unit (a
# stage of `make check`).  Every unit, the outermost one and each
# "# block: X" ... "# end: X" inside it, must have exactly one plan "1..N"
# and exactly N results of its own ("ok" / "not ok" lines outside its
# blocks); a block the stream stops inside fails too.  Prints one line
#   not ok - NAME / BLOCK / ...: WHAT
# per unit that breaks this, and exits 1 if there was any; lines that are
# neither plans, results nor block markers are ignored (so a result glued
# to the end of another line is not counted, and its unit fails).
set -uo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: tapplan.sh NAME [FILE]" >&2; exit 2; }
awk -v top="$1" '
function open_unit(name) {
	d++
	path[d] = d == 1 ? name : path[d - 1] " / " name
	base[d] = name
	plan[d] = -1
	res[d] = 0
	extra[d] = ""
}
function results(n) {
	return n == 1 ? "1 result" : n " results"
}
function violation(what) {
	print "not ok - " what
	bad = 1
}
# close_unit(WHY): check the innermost unit and leave it; WHY is "" for a
# normal end, else why it ended badly.
function close_unit(why,	msg) {
	msg = ""
	if (plan[d] < 0)
		msg = "no plan, " results(res[d])
	else if (res[d] != plan[d])
		msg = "plan 1.." plan[d] " but " results(res[d])
	if (extra[d] != "")
		msg = msg (msg == "" ? "" : "; ") extra[d]
	if (why != "")
		msg = msg (msg == "" ? "" : "; ") why
	if (msg != "")
		violation(path[d] ": " msg)
	d--
}
BEGIN { d = 0; bad = 0; open_unit(top) }
{ sub(/\r$/, "") }
/^# block: / {
	open_unit(substr($0, 10))
	next
}
/^# end: / {
	name = substr($0, 8)
	for (k = d; k > 1 && base[k] != name; k--)
		;
	if (k == 1) {
		extra[d] = extra[d] (extra[d] == "" ? "" : "; ") \
			"an end of \"" name "\" that no block opened"
		next
	}
	while (d > k)
		close_unit("no end before the end of \"" name "\"")
	close_unit("")
	next
}
/^1\.\.[0-9]+[ \t]*(#.*)?$/ {
	n = $0
	sub(/^1\.\./, "", n)
	sub(/[^0-9].*$/, "", n)
	if (plan[d] >= 0)
		extra[d] = extra[d] (extra[d] == "" ? "" : "; ") \
			"a second plan 1.." n " after " results(res[d])
	else
		plan[d] = n + 0
	next
}
/^(not )?ok([ \t]|$)/ {
	res[d]++
	next
}
END {
	while (d > 1)
		close_unit("the stream stopped inside it")
	close_unit("")
	exit bad
}' "${2:--}"
