#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink suite, run inside the VM guest:
#   tests/vm/run.sh VER tests/vm/suite-netlink.sh
#
# Loads $KGATE_KO (after modprobing the modules it depends on), runs every
# selftest binary of build/selftests (kselftest harness), the events check
# through the CLI (tests/selftests/events.sh), the YNL check and
# tests/selftests/scale.sh.  Their TAP lines go to stdout as they come, one
# per test case, so that `make check` counts cases, each program's in a
# block of its own with its own plan (tests/tools/tap.sh), followed by one
# result of ours for its exit status.  Then the module is unloaded and
# that rmmod is one more case.  Our plan: the load, one result per program
# and the rmmod.  Everything also goes to
# $KGATE_OUT/netlink.tap, each program's output to $KGATE_OUT/netlink-NAME.log.
# Exit status 0 only if everything passed.
#
# Environment: KGATE_KO (required), KGATE_OUT (default /tmp/kgate-out),
#   KGATE_SELFTESTS (binaries, default build/selftests),
#   KGATE_SUITE_ONLY (space-separated program names to run, default all).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${KGATE_SELFTESTS:-$TOP/build/selftests}
OUT=${KGATE_OUT:-/tmp/kgate-out}
KO=${KGATE_KO:?KGATE_KO must name the kgate.ko to test}
TAPFILE=$OUT/netlink.tap
. "$TOP/tests/tools/tap.sh"
mkdir -p "$OUT"
: >"$TAPFILE"

PROGRAMS="roundtrip invalid perm netns batch edges libkgate events ynl scale"
[ -z "${KGATE_SUITE_ONLY-}" ] || PROGRAMS=$KGATE_SUITE_ONLY
# Each program, then the unload check, then scale.sh (loads / unloads itself).
STEPS=()
for p in $PROGRAMS; do
	[ "$p" = scale ] || STEPS+=("$p")
done
STEPS+=(rmmod)
case " $PROGRAMS " in *" scale "*) STEPS+=(scale) ;; esac
M=${#STEPS[@]}

passed=0
failed=0

emit() { printf '%s\n' "$*"; printf '%s\n' "$*" >>"$TAPFILE"; }
progress() { echo "# suite netlink: test $1 of $M: $2" >&2; }

# Line buffered: a program's results and its log lines (stderr) stay whole.
linebuf=()
if command -v stdbuf >/dev/null; then linebuf=(stdbuf -oL -eL); fi

# run_program NAME CMD...: its TAP as it comes, in a block; counts; then
# one result for its exit status.
run_program() {
	local name=$1 log=$OUT/netlink-$1.log rc p f
	shift
	emit "# block: $name"
	"${linebuf[@]}" "$@" 2>&1 | tap_lines | tee "$log" | tee -a "$TAPFILE"
	rc=${PIPESTATUS[0]}
	emit "# end: $name"
	p=$(grep -a -c -E '^ok ' "$log")
	f=$(grep -a -c -E '^not ok ' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	# kselftest: 4 means every case skipped, which the SKIP lines say.
	if [ "$rc" = 0 ] || [ "$rc" = 4 ]; then
		emit "ok - $name exited with status $rc"
		passed=$((passed + 1))
	else
		emit "not ok - $name exited with status $rc"
		failed=$((failed + 1))
	fi
}

load_module() {
	local deps d
	deps=$(modinfo -F depends "$KO" 2>/dev/null | tr ',' ' ')
	for d in $deps; do
		modprobe "$d" || { echo "# modprobe $d failed" >&2; return 1; }
	done
	if [ -d /sys/module/kgate ]; then
		rmmod kgate || return 1
	fi
	insmod "$KO"
}

emit "# kernel $(uname -r), module $KO"
emit "1..$((1 + M))"

if ! load_module; then
	emit "not ok - load $KO"
	exit 1
fi
emit "ok - load $KO"
passed=$((passed + 1))

step=0
for name in "${STEPS[@]}"; do
	step=$((step + 1))
	progress "$step" "$name"
	case $name in
	rmmod)
		if out=$(rmmod kgate 2>&1) && [ ! -d /sys/module/kgate ]; then
			emit "ok - rmmod kgate after the selftests"
			passed=$((passed + 1))
		else
			emit "not ok - rmmod kgate after the selftests: $out"
			emit "# refcnt: $(cat /sys/module/kgate/refcnt 2>/dev/null)"
			failed=$((failed + 1))
		fi
		;;
	scale)
		run_program scale timeout 1500 env KGATE_KO="$KO" \
			bash "$TOP/tests/selftests/scale.sh"
		;;
	ynl)
		run_program ynl timeout 600 bash "$TOP/tests/selftests/ynl.sh"
		;;
	events)
		run_program events timeout 600 bash "$TOP/tests/selftests/events.sh"
		;;
	*)
		if [ ! -d /sys/module/kgate ] && ! load_module; then
			emit "not ok - $name: module not loaded"
			failed=$((failed + 1))
			continue
		fi
		run_program "$name" timeout 1200 "$BIN/$name"
		;;
	esac
done

if [ -d /sys/module/kgate ]; then
	rmmod kgate || emit "# warning: kgate still loaded at the end"
fi

emit "# netlink: $passed passed, $failed failed"
[ "$failed" = 0 ]
