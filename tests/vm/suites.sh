#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM suites, on every kernel from kernels.sh: build the module for the
# kernel, boot it once per suite, print the suite's TAP.  A guest that does
# not finish, or a kernel splat, is one more "not ok".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

suites=(netlink l4)
kvers=$(tests/vm/kernels.sh list) || { echo "not ok - pick kernels"; exit 1; }
nk=$(wc -w <<<"$kvers")
k=0
for kver in $kvers; do
	k=$((k + 1))
	echo "vm: kernel $k of $nk: $kver" >&2
	tests/vm/kernels.sh fetch "$kver" >&2 || { echo "not ok - fetch $kver"; continue; }
	if ! out=$(make -s module KVER="$kver" 2>&1); then
		echo "not ok - build module for $kver"
		printf '%s\n' "$out" | sed 's/^/# /'
		continue
	fi
	s=0
	for suite in "${suites[@]}"; do
		s=$((s + 1))
		echo "vm: $kver: suite $s of ${#suites[@]}: $suite" >&2
		if tests/vm/run.sh "$kver" "tests/vm/suite-$suite.sh"; then
			echo "ok - $kver: suite $suite finished, kernel log clean"
		else
			echo "not ok - $kver: suite $suite finished, kernel log clean (see build/vm/$kver/console.log)"
		fi
	done
done
