#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane benchmark.
#
#   tests/bench/control-plane.sh [VER...]
#       on the host: build the benchmark and run this script in the VM for
#       each kernel VER (default: every kernel with a built module under
#       build/kmod)
#   inside the VM (KGATE_KO set, as tests/vm/run.sh does): load the
#       module and measure, then unload it
#
# Measures (figures printed, goals reported, never failed on):
#   - 10000 services x 2 backends in one batch: through the C helper with
#     pipelined sends, with and without an ack per message
#     (build/selftests/control-plane), and through the CLI
#     (`kgate batch -f FILE`, when build/userspace/kgate exists); goal < 1 s
#   - one BACKEND_SET weight change with 10000 services present, median of
#     100 (C helper; the CLI figure, a process per change, is shown too);
#     goal < 1 ms
# Environment: KGATE_BENCH_N (default 10000), KGATE_BENCH_REPS (default 100).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${KGATE_BENCH_N:-10000}
REPS=${KGATE_BENCH_REPS:-100}
BIN=$TOP/build/selftests/control-plane
CLI=$TOP/build/userspace/kgate

if [ -z "${KGATE_KO-}" ] || [ "${KGATE_KVER-}" != "$(uname -r)" ]; then
	# Host side.
	make -s -C "$TOP/tests/selftests" O="$TOP/build/selftests" || exit 1
	vers=("$@")
	if [ ${#vers[@]} = 0 ]; then
		for ko in "$TOP"/build/kmod/*/kgate.ko; do
			[ -e "$ko" ] && vers+=("$(basename "$(dirname "$ko")")")
		done
	fi
	[ ${#vers[@]} -gt 0 ] || { echo "control-plane: no module built (make module KVER=...)" >&2; exit 1; }
	rc=0
	i=0
	for v in "${vers[@]}"; do
		i=$((i + 1))
		echo "# control-plane: kernel $i of ${#vers[@]}: $v" >&2
		"$TOP/tests/vm/run.sh" "$v" tests/bench/control-plane.sh || rc=1
	done
	exit $rc
fi

# Guest side.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

for d in $(modinfo -F depends "$KGATE_KO" | tr ',' ' '); do
	modprobe "$d" || exit 1
done
[ ! -d /sys/module/kgate ] || rmmod kgate
insmod "$KGATE_KO" || exit 1
echo "# control-plane on $(uname -r) (TCG guest: compare ratios, not absolute figures)"

rc=0
ROUNDS=${KGATE_BENCH_ROUNDS:-3}
cli_batch_file() {
	awk -v n="$N" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "service add bench/svc-%d:80 cluster 198.18.%d.%d:80 backend 198.19.%d.%d:8080 backend 198.19.%d.%d:8081\n",
				i, int(i / 256) % 256, i % 256, int(i / 256) % 256,
				i % 256, int(i / 256) % 256, i % 256
	}'
}
f=$(mktemp)
[ -x "$CLI" ] && cli_batch_file >"$f"

# Step 1, alternating the two clients (C, CLI, C, CLI, ...): the guest is
# noisy, so each figure is the median of the rounds.
c_times=()
c_noack_times=()
cli_times=()
for r in $(seq 1 "$ROUNDS"); do
	echo "# control-plane: round $r of $ROUNDS" >&2
	out=$("$BIN" -a -n "$N") || { rc=1; break; }
	printf '%s\n' "$out" | sed 's/^/# /'
	c_times+=("$(sed -n 's/.*an ack per message: \([0-9.]*\) s.*/\1/p' <<<"$out")")
	c_noack_times+=("$(sed -n 's/.*no acks but COMMIT.s: \([0-9.]*\) s.*/\1/p' <<<"$out")")
	if [ -x "$CLI" ]; then
		"$CLI" flush || rc=1
		t0=$(now)
		"$CLI" batch -f "$f" >/dev/null || { rc=1; echo "control-plane: CLI batch refused"; break; }
		t1=$(now)
		cli_times+=("$(elapsed "$t0" "$t1")")
		echo "# CLI round $r: ${cli_times[-1]} s"
	fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%.3f", a[int((NR + 1) / 2)] }'; }
spread() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.3f-%.3f", lo, hi }'; }
goal() { awk -v s="$1" 'BEGIN { print (s != "" && s < 1) ? "met" : "NOT met" }'; }
if [ ${#c_times[@]} -gt 0 ]; then
	m=$(median "${c_times[@]}")
	echo "control-plane: add $N services x 2 backends in one batch, C library pipelined, an ack per message: median $m s over ${#c_times[@]} rounds (range $(spread "${c_times[@]}")) (goal < 1 s: $(goal "$m"))"
	m=$(median "${c_noack_times[@]}")
	echo "control-plane: add $N services x 2 backends in one batch, C library pipelined, no acks but COMMIT's: median $m s over ${#c_noack_times[@]} rounds (range $(spread "${c_noack_times[@]}")) (goal < 1 s: $(goal "$m"))"
fi
if [ ${#cli_times[@]} -gt 0 ]; then
	m=$(median "${cli_times[@]}")
	echo "control-plane: add $N services x 2 backends in one batch, CLI kgate batch -f: median $m s over ${#cli_times[@]} rounds (range $(spread "${cli_times[@]}")) (goal < 1 s: $(goal "$m"))"
elif [ ! -x "$CLI" ]; then
	echo "# control-plane: CLI $CLI not built: CLI figures skipped"
fi

# Step 2: one backend change with N services present (C; the full run
# adds the services again itself).
"$BIN" -n "$N" -r "$REPS" | grep -v 'pipelined' || rc=1
if [ -x "$CLI" ]; then
	"$CLI" flush >/dev/null
	"$CLI" batch -f "$f" >/dev/null || rc=1
	times=()
	for i in $(seq 1 "$REPS"); do
		idx=$(( (i * 7919) % N ))
		t0=$(now)
		"$CLI" backend set "bench/svc-$idx:80" \
			"198.19.$((idx / 256 % 256)).$((idx % 256)):8080" \
			weight $((2 + i % 100)) >/dev/null || { rc=1; break; }
		t1=$(now)
		times+=("$(elapsed "$t0" "$t1")")
	done
	med=$(median "${times[@]}")
	echo "control-plane: change one backend weight with $N services, CLI (a process per change): median $(awk -v s="$med" 'BEGIN { printf "%.1f", s * 1000 }') ms (n=${#times[@]})"
	"$CLI" flush >/dev/null
fi
rm -f "$f"
rmmod kgate || rc=1
exit $rc
