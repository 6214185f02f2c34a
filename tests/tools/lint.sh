#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel code standards, as TAP: checkpatch --strict, and W=1 / sparse (C=1)
# builds that must print nothing, on every kernel the VM tests boot; and one
# check of the scripts (pipelines under pipefail).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/tools/tap.sh"
cd "$top"

kvers=$(tests/vm/kernels.sh list) || { tap_plan 1; tap_fail "pick kernels"; exit 1; }
# checkpatch, the scripts' pipelines, then one W=1 C=1 build per kernel.
tap_plan $((2 + $(wc -w <<<"$kvers")))
checkpatch=$(tests/tools/kselftest.sh checkpatch) || { tap_fail "checkpatch found"; exit 1; }
echo "lint: checkpatch --strict" >&2
# --terse still prints a total per file: only the findings count.
tap_run "checkpatch --strict kmod/ include/" \
	sh -c "perl '$checkpatch' --strict --no-tree --terse --show-types -f \
		kmod/*.c kmod/*.h kmod/core/*.c kmod/core/*.h include/uapi/linux/kgate.h |
		grep -v '^total: 0 errors, 0 warnings, 0 checks'; true"

# Under pipefail, "cmd | grep -q" is false when grep exits at its first match
# and cmd, still writing, dies of SIGPIPE (141): a check that is true now and
# then says no (a CI run once died of "busybox lacks switch_root").  In the
# scripts that set pipefail, grep reads all its input instead (>/dev/null).
early_readers() {
	local f
	for f in $(git ls-files '*.sh' .ci/run); do
		grep -q pipefail "$f" || continue
		grep -nE '\|[[:space:]]*grep[[:space:]]+(-[[:alnum:]]*[qm]|--quiet|--max-count)' "$f" |
			grep -vE '^[0-9]+:[[:space:]]*#' | sed "s|^|$f:|"
	done
	true
}
tap_run "scripts with pipefail: grep reads a pipe to its end" early_readers

# Only kgate's own diagnostics count: the headers' 'Skipping BTF' notes do not.
filter() { grep -v -e '^module: building' -e 'Skipping BTF generation' || true; }
for kver in $kvers; do
	tests/vm/kernels.sh headers "$kver" >&2 || { tap_fail "headers $kver"; continue; }
	echo "lint: W=1 C=1 build for $kver" >&2
	rm -rf "$top/build/lint/$kver"
	out=$(tests/tools/build-module.sh "/lib/modules/$kver/build" "$top/build/lint/$kver" W=1 C=1 2>&1)
	status=$?
	out=$(printf '%s\n' "$out" | filter)
	if [ $status -eq 0 ] && [ -z "$out" ]; then
		tap_ok "W=1 C=1 build clean on $kver"
	else
		tap_fail "W=1 C=1 build clean on $kver" "$out"
	fi
done
