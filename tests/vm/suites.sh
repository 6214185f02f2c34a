#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM suites, on every kernel from kernels.sh: build the module for the
# kernel, boot it once per suite, print the suite's TAP.  A guest that does
# not finish, or a kernel splat, is one more "not ok".
#
# Plans (tests/tools/tap.sh): this script's own results are, per kernel,
# one for the kernel and module and one per suite; each suite's output is
# a block "KVER SUITE" with the suite's own plan, and blocks inside it.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
. tests/tools/tap.sh

suites=(netlink l4 l7)
kvers=$(tests/vm/kernels.sh list) || { tap_plan 1; echo "not ok - pick kernels"; exit 1; }
nk=$(wc -w <<<"$kvers")
tap_plan $((nk * (1 + ${#suites[@]})))

# prepare K VER: the kernel and the module for it (one kernel at a time:
# these may call apt).
prepare() {
	local k=$1 kver=$2 out
	echo "vm: kernel $k of $nk: $kver: kernel and module" >&2
	if ! tests/vm/kernels.sh fetch "$kver" >&2; then
		echo "not ok - $kver: kernel and module: fetch $kver"
		return 1
	fi
	if ! out=$(make -s module KVER="$kver" 2>&1); then
		echo "not ok - $kver: kernel and module: build module for $kver"
		printf '%s\n' "$out" | sed 's/^/# /'
		return 1
	fi
	echo "ok - $kver: kernel and module"
}

# kernel_suites VER: every suite on one kernel, TAP on stdout.
kernel_suites() {
	local kver=$1 s=0 suite rc
	for suite in "${suites[@]}"; do
		s=$((s + 1))
		echo "vm: $kver: suite $s of ${#suites[@]}: $suite" >&2
		tap_block "$kver $suite"
		tests/vm/run.sh "$kver" "tests/vm/suite-$suite.sh" | tap_lines
		rc=${PIPESTATUS[0]}
		tap_end "$kver $suite"
		if [ "$rc" = 0 ]; then
			echo "ok - $kver: suite $suite finished, kernel log clean"
		else
			echo "not ok - $kver: suite $suite finished, kernel log clean (see build/vm/$kver/console.log)"
		fi
	done
}

ready=()
k=0
for kver in $kvers; do
	k=$((k + 1))
	if prepare $k "$kver"; then
		ready+=("$kver")
	else
		for suite in "${suites[@]}"; do
			echo "ok - $kver: suite $suite # SKIP no kernel or module"
		done
	fi
done
[ ${#ready[@]} -gt 0 ] || exit 0

# A TCG guest keeps one host CPU busy: the kernels after the first run at
# the same time, each in a guest of its own, their TAP kept aside and
# printed after the first kernel's (progress still goes to stderr).
pids=()
logs=()
for kver in "${ready[@]:1}"; do
	mkdir -p "build/vm/$kver"
	logs+=("build/vm/$kver/suites.tap")
	echo "vm: $kver runs alongside ${ready[0]}; its TAP: ${logs[-1]}" >&2
	kernel_suites "$kver" >"${logs[-1]}" &
	pids+=($!)
done
kernel_suites "${ready[0]}"
for i in "${!pids[@]}"; do
	wait "${pids[$i]}"
	cat "${logs[$i]}"
done
