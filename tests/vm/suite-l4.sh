#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# L4 suite, run inside the VM guest:
#   tests/vm/run.sh VER tests/vm/suite-l4.sh
#
# Loads $KGATE_KO with its dependencies, runs every tests/l4/*.sh (each
# builds its own namespaces and prints TAP, one line per case), unloads
# the module.  A script that fails without a failing case adds one
# "not ok".  Exit status 0 only if everything passed.
set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
ko=${KGATE_KO:?KGATE_KO must name the kgate.ko to test}
failed=0

for dep in $(modinfo -F depends "$ko" | tr , ' '); do
	modprobe "$dep" || { echo "not ok - modprobe $dep"; exit 1; }
done
insmod "$ko" || { echo "not ok - insmod $ko"; exit 1; }

scripts=(tests/l4/*.sh)
scripts=("${scripts[@]/tests\/l4\/lib.sh}")
i=0
for s in "${scripts[@]}"; do
	[ -n "$s" ] || continue
	i=$((i + 1))
	echo "# suite l4: test $i: $(basename "$s" .sh)" >&2
	log=${KGATE_OUT:-/tmp}/l4-$(basename "$s" .sh).log
	timeout 900 bash "$s" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$log"; then
		echo "not ok - $(basename "$s") exited with status $rc"
	fi
	[ "$rc" -eq 0 ] || failed=1
done

if rmmod kgate; then
	echo "ok - rmmod kgate after the L4 tests"
else
	echo "not ok - rmmod kgate after the L4 tests"
	failed=1
fi
exit $failed
