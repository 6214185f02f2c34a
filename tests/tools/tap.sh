# SPDX-License-Identifier: GPL-2.0
# Small TAP writer for the shell stages of `make check`.  Source it, then:
#   tap_ok NAME | tap_fail NAME [DETAIL] | tap_skip NAME REASON | tap_run NAME CMD...
# Lines go to stdout; the numbering is per stage.
TAP_N=0
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
