#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: the benchmarks (make bench).
#
#   tests/bench/run.sh [--all] [--only NAME] [VER...]
#
# Kernels: the newest 6.12 of `tests/vm/kernels.sh list` by default, both
# kernels of that list with --all (or KGATE_BENCH_ALL=1, for make bench), or
# the VERs given.  Installs what is missing (tests/tools/deps.sh, and
# nginx-light and wrk for the L4 and L7 benchmarks, haproxy for L7, only
# when a tool is absent), builds the CLI, the benchmark helpers and the
# module for each kernel, then
# runs the benchmarks, each with one VM boot per kernel, and prints where
# their tables, TSVs and PNGs are:
#   control-plane  tests/bench/control-plane.sh: kgate vs IPVS applying and
#                  changing services (knobs KGATE_BENCH_N, _REPS, _ROUNDS);
#                  several minutes per kernel under TCG
#   l4             tests/bench/l4.sh: kgate vs IPVS, iptables, nftables
#                  carrying traffic at 10 to 100k services (knobs
#                  KGATE_BENCH_SIZES, _ROUNDS, _DURATION, ... see its
#                  header); about an hour per kernel under TCG
#   l7             tests/bench/l7.sh: HTTP through kgate vs nginx, HAProxy
#                  and direct, and kernel memory per idle connection
#                  (knobs KGATE_BENCH_ROUNDS, _DURATION, _L7_IDLE, ... see
#                  its header); about 20 minutes per kernel under TCG
#   apply          tests/bench/apply.sh: `kgate apply` of 10k Services, 50k
#                  endpoints and 1k Ingress rules from YAML, a second apply,
#                  one EndpointSlice change, peak RSS, kgated's watch path
#                  when it is built (knobs KGATE_BENCH_APPLY_N, _REPS,
#                  _DEBOUNCE, _ROUNDS); about 15 minutes per kernel under TCG
# --only NAME (or KGATE_BENCH_ONLY=NAME) runs one of them.  The knobs pass
# through; KGATE_BENCH_ROUNDS applies to all.
#
# Exit status: 0, or 1 if a build or a benchmark failed (goals never fail).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

all=${KGATE_BENCH_ALL:-0}
only=${KGATE_BENCH_ONLY:-}
only_next=0
vers=()
for a in "$@"; do
	if [ "$only_next" = 1 ]; then
		only=$a
		only_next=0
		continue
	fi
	case $a in
	--all) all=1 ;;
	-h | --help) sed -n '4,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--only) only_next=1 ;;
	-*) die "unknown option $a (see --help)" ;;
	*) vers+=("$a") ;;
	esac
done
[ "$only_next" = 0 ] || die "--only needs a name: control-plane, l4, l7 or apply"
case $only in
"") benches=(control-plane l4 l7 apply) ;;
control-plane | l4 | l7 | apply) benches=("$only") ;;
*) die "unknown benchmark '$only' (control-plane, l4, l7 or apply)" ;;
esac

missing=0
for t in qemu-system-x86_64 ipvsadm gnuplot pkg-config; do
	command -v "$t" >/dev/null || { log "$t missing"; missing=1; }
done
if [ "$missing" = 1 ]; then
	log "installing the missing tools (tests/tools/deps.sh)"
	"$TOP/tests/tools/deps.sh" || die "tests/tools/deps.sh failed"
fi
# The L4 and L7 benchmarks' backends, proxies and load generator (Debian 12
# packages).
if [[ " ${benches[*]} " == *" l4 "* ]] || [[ " ${benches[*]} " == *" l7 "* ]]; then
	pkgs=()
	command -v nginx >/dev/null || pkgs+=(nginx-light)
	command -v wrk >/dev/null || pkgs+=(wrk)
	if [[ " ${benches[*]} " == *" l7 "* ]] && ! command -v haproxy >/dev/null; then
		pkgs+=(haproxy)
	fi
	for t in curl nft iptables-restore; do
		command -v "$t" >/dev/null || { log "$t missing"; pkgs+=(curl nftables iptables); break; }
	done
	if [ ${#pkgs[@]} -gt 0 ]; then
		log "installing ${pkgs[*]}"
		{ DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"; } ||
			die "apt-get install ${pkgs[*]} failed"
		# The benchmarks run their own nginx and HAProxy in the VM: none
		# on the host.
		for p in nginx haproxy; do
			if [[ " ${pkgs[*]} " == *" $p"[-\ ]* ]] && command -v systemctl >/dev/null &&
				systemctl is-enabled -q "$p" 2>/dev/null; then
				systemctl disable --now "$p" >/dev/null 2>&1 || log "could not stop the host's $p service"
			fi
		done
	fi
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

log "building the CLI and the benchmark helpers"
make -s -C "$TOP" userspace selftests benchtools || die "build failed"
i=0
for v in "${vers[@]}"; do
	i=$((i + 1))
	log "kernel $i of ${#vers[@]}: $v: headers and module"
	"$TOP/tests/vm/kernels.sh" headers "$v" || die "no headers for $v"
	make -s -C "$TOP" module KVER="$v" || die "module build for $v failed"
done

rc=0
b=0
for bench in "${benches[@]}"; do
	b=$((b + 1))
	log "benchmark $b of ${#benches[@]}: $bench, on ${#vers[@]} kernel(s): ${vers[*]}"
	"$TOP/tests/bench/$bench.sh" "${vers[@]}" || rc=1
done

for bench in "${benches[@]}"; do
	for v in "${vers[@]}"; do
		base=$TOP/build/bench/$bench-$v
		[ -f "$base.txt" ] || continue
		log "$bench $v: table  $base.txt"
		log "$bench $v: data   $base.tsv (samples: $base-samples.tsv)"
		[ -f "$base.png" ] && log "$bench $v: plot   $base.png"
	done
done
[ "$rc" = 0 ] || log "FAILED (see above)"
exit $rc
