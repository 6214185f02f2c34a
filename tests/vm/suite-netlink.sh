#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink suite, run inside the VM guest:
#   tests/vm/run.sh VER tests/vm/suite-netlink.sh
#
# Loads $KGATE_KO (after modprobing the modules it depends on), runs every
# selftest binary of build/selftests (kselftest harness) and
# tests/selftests/scale.sh, and prints TAP: one line per program, with the
# program's own TAP indented as comments.  Writes the same summary to
# $KGATE_OUT/netlink.tap and each program's output to
# $KGATE_OUT/netlink-NAME.log.  Unloads the module at the end and checks that
# rmmod succeeded.  Exit status 0 only if everything passed.
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
mkdir -p "$OUT"
: >"$TAPFILE"

PROGRAMS="roundtrip invalid perm netns batch scale"
[ -z "${KGATE_SUITE_ONLY-}" ] || PROGRAMS=$KGATE_SUITE_ONLY
# Each program, then the unload check, then scale.sh (loads / unloads itself).
STEPS=()
for p in $PROGRAMS; do
	[ "$p" = scale ] || STEPS+=("$p")
done
STEPS+=(rmmod)
case " $PROGRAMS " in *" scale "*) STEPS+=(scale) ;; esac
M=${#STEPS[@]}

n=0
passed=0
failed=0
cases_pass=0
cases_fail=0
cases_skip=0

emit() { printf '%s\n' "$*"; printf '%s\n' "$*" >>"$TAPFILE"; }
progress() { echo "# suite netlink: test $1 of $M: $2" >&2; }
result() {	# result OK|FAIL NAME [DIRECTIVE]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		passed=$((passed + 1))
		emit "ok $n $2${3:+ # $3}"
	else
		failed=$((failed + 1))
		emit "not ok $n $2${3:+ # $3}"
	fi
}

# Count the cases of a kselftest program from its "# Totals:" line.
count_cases() {
	local line
	line=$(grep -a '^# Totals:' "$1" | tail -n1)
	[ -n "$line" ] || return 0
	local p f s
	p=$(tr ' ' '\n' <<<"$line" | sed -n 's/^pass://p')
	f=$(tr ' ' '\n' <<<"$line" | sed -n 's/^fail://p')
	s=$(tr ' ' '\n' <<<"$line" | sed -n 's/^skip://p')
	cases_pass=$((cases_pass + ${p:-0}))
	cases_fail=$((cases_fail + ${f:-0}))
	cases_skip=$((cases_skip + ${s:-0}))
	emit "# $2: $line"
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

emit "TAP version 13"
emit "1..$M"
emit "# kernel $(uname -r), module $KO"

if ! load_module; then
	emit "Bail out! cannot load $KO"
	emit "# netlink: 0 passed, 1 failed"
	exit 1
fi

step=0
for name in "${STEPS[@]}"; do
	step=$((step + 1))
	progress "$step" "$name"
	log=$OUT/netlink-$name.log
	case $name in
	rmmod)
		if [ ! -d /sys/module/kgate ]; then
			result FAIL "rmmod kgate after the selftests" \
				"module not loaded any more"
		elif out=$(rmmod kgate 2>&1) && [ ! -d /sys/module/kgate ]; then
			result OK "rmmod kgate after the selftests"
		else
			emit "# rmmod: $out"
			emit "# refcnt: $(cat /sys/module/kgate/refcnt 2>/dev/null)"
			result FAIL "rmmod kgate after the selftests"
		fi
		;;
	scale)
		KGATE_KO=$KO timeout 1500 bash "$TOP/tests/selftests/scale.sh" \
			2>&1 | tee "$log" | sed 's/^/# /'
		rc=${PIPESTATUS[0]}
		sp=$(grep -a -c -E '^ok ' "$log" || true)
		ss=$(grep -a -c -E '^ok .*# SKIP' "$log" || true)
		sf=$(grep -a -c -E '^not ok ' "$log" || true)
		cases_pass=$((cases_pass + sp - ss))
		cases_skip=$((cases_skip + ss))
		cases_fail=$((cases_fail + sf))
		emit "# scale: pass:$((sp - ss)) fail:$sf skip:$ss"
		if [ "$rc" = 0 ]; then result OK scale; else result FAIL scale "exit $rc"; fi
		;;
	*)
		if [ ! -x "$BIN/$name" ]; then
			result FAIL "$name" "$BIN/$name not built"
			continue
		fi
		if [ ! -d /sys/module/kgate ] && ! load_module; then
			result FAIL "$name" "module not loaded"
			continue
		fi
		timeout 1200 "$BIN/$name" 2>&1 | tee "$log" | sed 's/^/# /'
		rc=${PIPESTATUS[0]}
		count_cases "$log" "$name"
		case $rc in
		0) result OK "$name" ;;
		4) result OK "$name" "SKIP every case skipped" ;;
		*) result FAIL "$name" "exit $rc" ;;
		esac
		;;
	esac
done

if [ -d /sys/module/kgate ]; then
	rmmod kgate || emit "# warning: kgate still loaded at the end"
fi

emit "# netlink cases: $cases_pass passed, $cases_fail failed, $cases_skip skipped"
emit "# netlink: $passed passed, $failed failed"
[ "$failed" = 0 ]
