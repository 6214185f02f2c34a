#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: the benchmarks (make bench).
#
#   tests/bench/run.sh [--all | VER...]
#
# Kernels: the newest 6.12 of `tests/vm/kernels.sh list` by default, both
# kernels of that list with --all (or KGATE_BENCH_ALL=1, for make bench), or
# the VERs given.  Installs what is missing (tests/tools/deps.sh, only when
# a tool is absent), builds the CLI, the benchmark helper and the module
# for each kernel, then runs the control-plane benchmark
# (tests/bench/control-plane.sh: kgate vs IPVS, one VM boot per kernel) and
# prints where its table, TSV and PNG are.  Its environment knobs
# (KGATE_BENCH_N, _REPS, _ROUNDS) pass through.  Under TCG one kernel takes
# several minutes.
#
# Exit status: 0, or 1 if a build or a benchmark failed (goals never fail).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

all=${KGATE_BENCH_ALL:-0}
vers=()
for a in "$@"; do
	case $a in
	--all) all=1 ;;
	-h | --help) sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $a (see --help)" ;;
	*) vers+=("$a") ;;
	esac
done

missing=0
for t in qemu-system-x86_64 ipvsadm gnuplot pkg-config; do
	command -v "$t" >/dev/null || { log "$t missing"; missing=1; }
done
if [ "$missing" = 1 ]; then
	log "installing the missing tools (tests/tools/deps.sh)"
	"$TOP/tests/tools/deps.sh" || die "tests/tools/deps.sh failed"
fi

if [ ${#vers[@]} = 0 ]; then
	list=$("$TOP/tests/vm/kernels.sh" list) || die "tests/vm/kernels.sh list failed"
	read -r -a known <<<"$list"
	if [ "$all" = 1 ]; then
		vers=("${known[@]}")
	else
		vers=("${known[0]}")
	fi
fi
[ ${#vers[@]} -gt 0 ] || die "no kernel to run on"

log "building the CLI and the benchmark helper"
make -s -C "$TOP" userspace selftests || die "build failed"
i=0
for v in "${vers[@]}"; do
	i=$((i + 1))
	log "kernel $i of ${#vers[@]}: $v: headers and module"
	"$TOP/tests/vm/kernels.sh" headers "$v" || die "no headers for $v"
	make -s -C "$TOP" module KVER="$v" || die "module build for $v failed"
done

rc=0
log "control-plane benchmark on ${#vers[@]} kernel(s): ${vers[*]}"
"$TOP/tests/bench/control-plane.sh" "${vers[@]}" || rc=1

for v in "${vers[@]}"; do
	base=$TOP/build/bench/control-plane-$v
	[ -f "$base.txt" ] || continue
	log "$v: table  $base.txt"
	log "$v: data   $base.tsv (samples: $base-samples.tsv)"
	[ -f "$base.png" ] && log "$v: plot   $base.png"
done
[ "$rc" = 0 ] || log "FAILED (see above)"
exit $rc
