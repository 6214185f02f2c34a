#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The traffic suites, L4 and L7, run inside the VM guest:
#   tests/vm/run.sh VER 'bash tests/vm/suite-traffic.sh l4|l7'
# (tests/vm/suite-l4.sh and suite-l7.sh say it for suites.sh).
#
# Loads $KGATE_KO with its dependencies, runs every tests/LAYER/*.sh (each
# builds its own namespaces and prints TAP, one line per case, after its
# plan), unloads the module.  Each script's output is a block of its own
# (tests/tools/tap.sh), followed by one result of ours for its exit
# status; our plan is those results and the rmmod.  Exit status 0 only if
# everything passed.
#
# Environment: KGATE_KO (required), KGATE_OUT (logs, default /tmp),
#   KGATE_L4_ONLY / KGATE_L7_ONLY (space-separated script names to run,
#   with or without .sh, default all).
set -u
layer=${1:?which suite: l4 or l7}
case $layer in l4 | l7) ;; *) echo "suite-traffic: no suite $layer" >&2; exit 2 ;; esac
only_var=KGATE_${layer^^}_ONLY
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 1
. tests/tools/tap.sh
ko=${KGATE_KO:?KGATE_KO must name the kgate.ko to test}
failed=0

scripts=()
for s in tests/"$layer"/*.sh; do
	name=$(basename "$s" .sh)
	[ "$name" != lib ] || continue
	only=${!only_var:-$name}
	case " ${only//.sh/} " in *" $name "*) scripts+=("$s") ;; esac
done
tap_plan $((${#scripts[@]} + 1))

for dep in $(modinfo -F depends "$ko" | tr , ' '); do
	modprobe "$dep" || { echo "not ok - modprobe $dep"; exit 1; }
done
insmod "$ko" || { echo "not ok - insmod $ko"; exit 1; }

i=0
for s in "${scripts[@]}"; do
	i=$((i + 1))
	name=$(basename "$s")
	echo "# suite $layer: test $i of ${#scripts[@]}: $name" >&2
	log=${KGATE_OUT:-/tmp}/$layer-$(basename "$s" .sh).log
	tap_block "$name"
	timeout 900 bash "$s" 2>&1 | tap_lines | tee "$log"
	rc=${PIPESTATUS[0]}
	tap_end "$name"
	if [ "$rc" -eq 0 ]; then
		echo "ok - $name exited with status 0"
	else
		echo "not ok - $name exited with status $rc"
		failed=1
	fi
done

if rmmod kgate; then
	echo "ok - rmmod kgate after the ${layer^^} tests"
else
	echo "not ok - rmmod kgate after the ${layer^^} tests"
	failed=1
fi
exit $failed
