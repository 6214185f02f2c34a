#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: install what is needed, build, run every test, and end with
# one line "N passed, N failed".  Exit status non-zero on any failure.
#
# Each stage prints TAP on stdout, kept in build/results/STAGE.tap (its
# stderr, progress and logs, goes to the terminal and STAGE.err); the
# summary counts every "ok" / "not ok" line there.  "ok ... # SKIP" is
# counted as skipped, never as passed.  tests/tools/tapplan.sh then checks
# every plan of the stage (the convention is in tests/tools/tap.sh): each
# unit whose results differ from its plan, that has none, or that stopped
# early is one more "not ok - STAGE / UNIT: plan 1..N but M results".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
res=build/results
rm -rf "$res"
mkdir -p "$res"

# build: a stage whose TAP is one line per build product.
build() {
	. tests/tools/tap.sh
	local what
	tap_plan 2
	for what in userspace selftests; do
		if out=$(make -s "$what" 2>&1); then
			tap_ok "build $what"
		else
			tap_fail "build $what" "$out"
		fi
	done
}

stages=(build unit fuzz lint dkms install vm)
run_stage() {
	case $1 in
	build)	build ;;
	unit)	make -s unit ;;
	fuzz)	make -s -C tests/fuzz run FUZZ_TIME=30 ;;
	lint)	tests/tools/lint.sh ;;
	dkms)	tests/tools/dkms-check.sh ;;
	install) tests/tools/install-check.sh ;;
	vm)	tests/vm/suites.sh ;;
	esac
}

echo "check: installing dependencies"
if ! tests/tools/deps.sh; then
	echo "check: dependencies could not be installed"
	echo "0 passed, 1 failed"
	exit 1
fi

i=0
for stage in "${stages[@]}"; do
	i=$((i + 1))
	echo "check: stage $i of ${#stages[@]}: $stage"
	run_stage "$stage" 2> >(tee "$res/$stage.err" >&2) | tee "$res/$stage.tap"
	rc=${PIPESTATUS[0]}
	# Every unit of the stage kept its plan.
	tests/tools/tapplan.sh "$stage" "$res/$stage.tap" >"$res/$stage.plan" ||
		tee -a "$res/$stage.tap" <"$res/$stage.plan"
	# A stage that dies without saying why still fails the run.
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$res/$stage.tap"; then
		echo "not ok - stage $stage exited with an error" | tee -a "$res/$stage.tap"
	fi
done

passed=$(cat "$res"/*.tap | grep -E '^ok ' | grep -vc '# SKIP')
skipped=$(cat "$res"/*.tap | grep -E '^ok ' | grep -c '# SKIP')
failed=$(cat "$res"/*.tap | grep -cE '^not ok')
echo
if [ "$failed" -gt 0 ]; then
	echo "check: failed:"
	cat "$res"/*.tap | grep -E '^not ok' | sed 's/^/  /'
fi
[ "$skipped" -eq 0 ] || { echo "check: skipped:"; cat "$res"/*.tap | grep -E '^ok .*# SKIP' | sed 's/^/  /'; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
