# SPDX-License-Identifier: GPL-2.0
# Small TAP writer for the shell stages of `make check`.  Source it, then:
#   tap_plan N | tap_ok NAME | tap_fail NAME [DETAIL] | tap_skip NAME REASON |
#   tap_run NAME CMD...
# Lines go to stdout; the numbering is per stage.
#
# The plan convention, which tests/tools/tapplan.sh enforces for `make check`:
# - Every unit of TAP (a stage, a test program, a script, a wrapper) prints
#   its plan "1..N": N is the number of "ok" / "not ok" lines it prints
#   itself, not counting those of the units it runs.  Print it first
#   (tap_plan N before any result: a unit that stops early is then caught);
#   C programs whose count is known only at the end may print it last
#   (tests/unit/tap.h does).  A unit without a plan fails.
# - A unit that runs other units wraps the output of each in
#       # block: NAME
#       ... the child's plan, results, and its own blocks ...
#       # end: NAME
#   (tap_block NAME / tap_end NAME) and then prints one result of its own
#   for the child (its exit status), which its own plan counts.  Each
#   block's plan is checked against its own results only.
# - Results and plans go to stdout, one whole line per write (echo/printf
#   of a full line; C programs flush after every line); progress goes to
#   stderr, whole lines too, or to stdout as "# " comment lines.
TAP_N=0
tap_plan() { echo "1..$1"; }
tap_block() { echo "# block: $1"; }
tap_end() { echo "# end: $1"; }
# tap_lines: a child's output as whole lines (a last line without its end,
# from a child that was killed, gets one: the end marker after it stays a
# line of its own), without CRs.
tap_lines() { awk '{ sub(/\r$/, ""); print; fflush() }'; }
tap_ok()   { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
tap_fail() { TAP_N=$((TAP_N + 1)); echo "not ok $TAP_N - $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/# /'; }
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
# tap_run NAME CMD...: ok if CMD succeeds and prints nothing, else not ok with its output.
tap_run() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1) && [ -z "$out" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "$out"
	fi
}
