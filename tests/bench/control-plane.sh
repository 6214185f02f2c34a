#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane benchmark: kgate side by side with IPVS, in the test VM.
#
#   tests/bench/control-plane.sh [VER...]
#       On the host: one VM boot per kernel VER (default: every kernel with a
#       module under build/kmod) runs the measurements below, then the
#       results are summarised into build/bench/ (files below) and the table
#       is printed.  Needs build/kmod/VER/kgate.ko, build/userspace/kgate and
#       build/selftests/control-plane: tests/bench/run.sh (make bench) builds
#       them and is the usual way in.
#   In the VM (KGATE_KO set and the running kernel KGATE_KVER, as
#       tests/vm/run.sh arranges): measure, write the samples to
#       $KGATE_OUT/control-plane.raw.tsv.  (It calls itself with --round R
#       DIR for each round, in a new network namespace.)
#
# Workload: N services (default 10000), each one TCP frontend 198.18.X.Y:80
# and 2 backends 198.19.X.Y:8080 and :8081; in IPVS the same as N virtual
# services (-s mh, or -s rr if the kernel lacks ip_vs_mh) with 2 masquerading
# real servers each.
#
# Figures, each measured once per round (ROUNDS rounds, default 3; the
# order is below):
#   apply   load the N services into an empty table:
#             kgate-c    C helper (build/selftests/control-plane apply): one
#                        transaction, the SERVICE_ADDs pipelined without
#                        acks, only COMMIT acked; timed in the process
#             kgate-cli  `kgate batch -f FILE` (one transaction), a process
#             ipvs       `ipvsadm -R <FILE` (3 x N requests: IPVS has no
#                        transactions), a process
#   clear   empty the table again: C helper FLUSH, `kgate flush`,
#           `ipvsadm -C`
#   change-proc   change one backend's weight with N services present, a
#                 process per change: `kgate backend set S A:P weight W`
#                 vs `ipvsadm -e -t VIP -r RIP -m -w W`; REPS (default 100)
#                 changes per round, on services spread over the table
#   change-req    the same as one request from a process already running:
#                 C helper BACKEND_SET, REPS per round.  IPVS has no tool
#                 that keeps running between changes (ipvsadm is a process
#                 per change), so there is no IPVS figure here: the table
#                 says so and gives no ratio.
# Every round runs in a network namespace of its own (unshare --net; kgate
# and IPVS keep their state per namespace) and has a kgate half and an IPVS
# half, one after the other, each leaving its table empty; the halves swap
# places from one round to the next (kgate first in odd rounds).  kgate
# half: C helper apply, C helper clear, CLI apply, C helper changes (the
# :8080 backends), CLI changes (the :8081 ones), CLI clear.  IPVS half:
# apply, changes, clear.  Why a new namespace per round: every round then
# starts from the same state, an IPVS that never held anything (IPVS keeps
# deleted real servers in a per-namespace "trash" list for 1 to 3 minutes
# and searches it linearly for every real server it adds).  Processes are
# timed with bash's $EPOCHREALTIME around the command (process start and
# exit included); the last change of each series is read back.
#
# Summary: a round's figure is its value (apply, clear) or the median of its
# REPS changes; the table gives the median of the rounds and their spread
# (min..max), and the ratio kgate / IPVS of the medians (below 1: kgate
# took less time).  Goals (from the issue; reported, never failed on):
# kgate apply of 10000 x 2 under 1 s, one backend change under 1 ms.
# A TCG guest is slow and noisy: compare ratios, not absolute figures.
#
# Files, for kernel VER, under build/bench/:
#   control-plane-VER.txt          the table
#   control-plane-VER.tsv          the summary, one row per figure and
#                                  contender (seconds), with a header line
#   control-plane-VER-samples.tsv  every sample: figure, contender, round,
#                                  seconds (plus "#meta" lines)
#   control-plane-VER.dat          the plot's data
#   control-plane-VER.png          bar chart of the medians, min..max error
#                                  bars, goal lines (tests/bench/plot.gp;
#                                  gnuplot)
#
# Environment: KGATE_BENCH_N (10000, at most 65536), KGATE_BENCH_REPS
# (100), KGATE_BENCH_ROUNDS (3, at least 1).  Exit status: 0, or 1 if
# something was refused or failed (never because of a goal).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${KGATE_BENCH_N:-10000}
REPS=${KGATE_BENCH_REPS:-100}
ROUNDS=${KGATE_BENCH_ROUNDS:-3}
BIN=$TOP/build/selftests/control-plane
CLI=$TOP/build/userspace/kgate
OUTDIR=$TOP/build/bench

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# usec, since, bench_vm
# shellcheck source=tests/bench/lib.sh
. "$TOP/tests/bench/lib.sh" || { echo "bench: cannot read tests/bench/lib.sh" >&2; exit 1; }

for v in N REPS ROUNDS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "KGATE_BENCH_$v must be a positive number"
done
[ "$N" -le 65536 ] || die "KGATE_BENCH_N is at most 65536 (IPv4 addresses only)"

# --- host side: summary ---------------------------------------------------

# summarize RAW VER: write the summary TSV, the table and the plot data of
# kernel VER from the samples in RAW; print the table.
summarize() {
	local raw=$1 ver=$2 base=$OUTDIR/control-plane-$2 src
	# What was measured: the checkout's commit, and whether the module's
	# sources differed from it (at summary time: close enough).
	src=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo "?")
	if [ -n "$(git -C "$TOP" status --porcelain --untracked-files=all -- kmod include Kbuild 2>/dev/null)" ]; then
		src="$src + uncommitted module changes"
	fi
	awk -F '\t' -v ver="$ver" -v tsv="$base.tsv" -v txt="$base.txt" \
		-v dat="$base.dat" -v src="$src" '
	function sort(a, n,    i, j, t) {	# insertion sort of a[1..n]
		for (i = 2; i <= n; i++) {
			t = a[i]
			for (j = i - 1; j >= 1 && a[j] > t; j--)
				a[j + 1] = a[j]
			a[j + 1] = t
		}
	}
	function median(a, n) {		# of a sorted a[1..n]
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	# v in seconds, shown in the unit of figure f
	function show(f, v) {
		if (v == "")
			return "-"
		return f ~ /^change/ ? sprintf("%.3f ms", v * 1000) : sprintf("%.3f s", v)
	}
	function num(f, v) {
		return f ~ /^change/ ? sprintf("%.3f", v * 1000) : sprintf("%.3f", v)
	}
	$1 == "#meta" { meta[$2] = $3; next }
	/^#/ || NF < 4 { next }
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in cnt))
			order[++nk] = k
		s[k, ++cnt[k]] = $4
	}
	END {
		# one figure per round: the median of its samples
		for (i = 1; i <= nk; i++) {
			k = order[i]
			split(k, p, SUBSEP)
			for (j = 1; j <= cnt[k]; j++)
				a[j] = s[k, j]
			sort(a, cnt[k])
			fc = p[1] SUBSEP p[2]
			rv[fc, ++nr[fc]] = median(a, cnt[k])
			rounds_txt[fc] = rounds_txt[fc] (nr[fc] > 1 ? "," : "") \
				sprintf("%.6f", median(a, cnt[k]))
		}
		for (fc in nr) {
			for (j = 1; j <= nr[fc]; j++)
				a[j] = rv[fc, j]
			sort(a, nr[fc])
			med[fc] = median(a, nr[fc]); lo[fc] = a[1]; hi[fc] = a[nr[fc]]
		}
		n = meta["services"]; sched = meta["ipvs_sched"]
		nrow = split("apply kgate-c|apply kgate-cli|apply ipvs|" \
			"clear kgate-c|clear kgate-cli|clear ipvs|" \
			"change-proc kgate-cli|change-proc ipvs|" \
			"change-req kgate-c|change-req ipvs", rows, "|")
		fig["apply"] = sprintf("apply %d x 2", n)
		fig["clear"] = "clear"
		fig["change-proc"] = "change 1 weight, process"
		fig["change-req"] = "change 1 weight, request"
		lab["apply", "kgate-c"] = "kgate C helper, 1 txn, COMMIT acked"
		lab["apply", "kgate-cli"] = "kgate batch -f, 1 txn"
		lab["apply", "ipvs"] = sprintf("ipvsadm -R (%d requests, -s %s)", 3 * n, sched)
		lab["clear", "kgate-c"] = "kgate C helper, FLUSH"
		lab["clear", "kgate-cli"] = "kgate flush"
		lab["clear", "ipvs"] = "ipvsadm -C"
		lab["change-proc", "kgate-cli"] = "kgate backend set"
		lab["change-proc", "ipvs"] = "ipvsadm -e"
		lab["change-req", "kgate-c"] = "kgate C helper, BACKEND_SET"
		lab["change-req", "ipvs"] = "IPVS: no tool (1)"
		goal["apply"] = 1; goal["change-proc"] = 0.001; goal["change-req"] = 0.001

		hdr = sprintf("%-26s %-38s %11s  %-21s %10s  %s", "figure", "contender",
			"median", "min..max", "kgate/IPVS", "goal")
		printf "kgate control plane vs IPVS, kernel %s (TCG guest: compare ratios, not absolute figures)\n", ver > txt
		printf "%d services x 2 backends; %d rounds, each in a new netns, kgate and IPVS in turns (order swapped every round);\nchange: median of %d per round; shown: median and min..max of the rounds\n", n, meta["rounds"], meta["reps"] > txt
		printf "kgate: commit %s; kgate.ko sha256 %s...\n\n", src, meta["kgate_ko_sha256"] > txt
		print hdr > txt
		print "figure\tcontender\tlabel\trounds\tmedian_s\tmin_s\tmax_s\tratio_to_ipvs\tgoal_s\tgoal_met\tround_values_s" > tsv
		for (i = 1; i <= nrow; i++) {
			split(rows[i], p, " ")
			f = p[1]; c = p[2]; fc = f SUBSEP c; ic = f SUBSEP "ipvs"
			ratio = "-"; rnum = ""
			if (c != "ipvs" && (fc in med) && (ic in med) && med[ic] > 0) {
				rnum = sprintf("%.3f", med[fc] / med[ic])
				ratio = sprintf("%.3fx", med[fc] / med[ic])
			} else if (c != "ipvs" && f == "change-req") {
				ratio = "n/a (1)"
			}
			g = ""; gm = ""
			if (c != "ipvs" && (f in goal) && (fc in med)) {
				gm = med[fc] < goal[f] ? "met" : "NOT met"
				g = sprintf("< %s: %s", f == "apply" ? "1 s" : "1 ms", gm)
			}
			if (fc in med) {
				m = show(f, med[fc])
				range = sprintf("%s..%s", num(f, lo[fc]), show(f, hi[fc]))
			} else {
				m = "-"
				range = c == "ipvs" && f == "change-req" ? "not measured" : "no data"
			}
			printf "%-26s %-38s %11s  %-21s %10s  %s\n", \
				(i == 1 || f != prevf) ? fig[f] : "", lab[f, c], m, range, ratio, g > txt
			prevf = f
			if (fc in med)
				printf "%s\t%s\t%s\t%d\t%.6f\t%.6f\t%.6f\t%s\t%s\t%s\t%s\n", f, c,
					lab[f, c], nr[fc], med[fc], lo[fc], hi[fc], rnum,
					(f in goal) && c != "ipvs" ? goal[f] : "", gm, rounds_txt[fc] > tsv
		}
		print "" > txt
		print "(1) ipvsadm is a process per change; IPVS has no tool that stays running and" > txt
		print "    sends one request, so no IPVS figure and no ratio for that row." > txt
		print "kgate/IPVS: kgate median / IPVS median of the same figure (below 1: kgate faster)." > txt

		# Plot data: block 0 apply and clear (s), block 1 changes (ms);
		# columns: median min max of kgate-c, kgate-cli, ipvs (NaN: none).
		split("apply clear|change-proc change-req", blocks, "|")
		split("kgate-c kgate-cli ipvs", cs, " ")
		for (b = 1; b <= 2; b++) {
			if (b == 2)
				printf "\n\n" > dat
			printf "# %s\n", b == 1 ? "seconds" : "milliseconds" > dat
			nf = split(blocks[b], fs, " ")
			for (x = 1; x <= nf; x++) {
				line = fs[x]
				for (y = 1; y <= 3; y++) {
					fc = fs[x] SUBSEP cs[y]
					if (fc in med)
						line = line " " num(fs[x], med[fc]) " " num(fs[x], lo[fc]) " " num(fs[x], hi[fc])
					else
						line = line " NaN NaN NaN"
				}
				print line > dat
			}
		}
	}' "$raw" || return 1
	cat "$base.txt"
}

# plot VER: the PNG of kernel VER (a missing gnuplot is not an error).
plot() {
	local ver=$1 base=$OUTDIR/control-plane-$1 n sched rounds
	if ! command -v gnuplot >/dev/null; then
		log "gnuplot missing: no plot (tests/tools/deps.sh installs gnuplot-nox)"
		return 0
	fi
	n=$(awk -F '\t' '$1 == "#meta" && $2 == "services" { print $3 }' "$base-samples.tsv")
	sched=$(awk -F '\t' '$1 == "#meta" && $2 == "ipvs_sched" { print $3 }' "$base-samples.tsv")
	rounds=$(awk -F '\t' '$1 == "#meta" && $2 == "rounds" { print $3 }' "$base-samples.tsv")
	gnuplot -e "dat='$base.dat'; out='$base.png'; kver='$ver'; n=${n:-0}; sched='${sched:-?}'; rounds=${rounds:-0}" \
		"$TOP/tests/bench/plot.gp" || { log "gnuplot failed"; return 1; }
}

if [ -z "${KGATE_KO-}" ] || [ "${KGATE_KVER-}" != "$(uname -r)" ]; then
	vers=("$@")
	if [ ${#vers[@]} = 0 ]; then
		for ko in "$TOP"/build/kmod/*/kgate.ko; do
			[ -e "$ko" ] && vers+=("$(basename "$(dirname "$ko")")")
		done
	fi
	[ ${#vers[@]} -gt 0 ] || die "no module built (make module KVER=...)"
	for f in "$BIN" "$CLI"; do
		[ -x "$f" ] || die "$f not built (make userspace selftests, or make bench)"
	done
	mkdir -p "$OUTDIR"
	rc=0
	i=0
	for v in "${vers[@]}"; do
		i=$((i + 1))
		[ -f "$TOP/build/kmod/$v/kgate.ko" ] || die "build/kmod/$v/kgate.ko not built (make module KVER=$v)"
		log "kernel $i of ${#vers[@]}: $v: booting the VM ($ROUNDS rounds, $N services)"
		bench_vm control-plane "$v" "$i" "${#vers[@]}" || rc=1
	done
	exit $rc
fi

# --- guest side -------------------------------------------------------------

RAW=$KGATE_OUT/control-plane.raw.tsv

meta() { printf '#meta\t%s\t%s\n' "$1" "$2" >>"$RAW"; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }
# kgate_count: "SERVICES BACKENDS" as kgate reports them.
kgate_count() {
	"$CLI" stats | awk '$1 == "services" { s = $2 } $1 == "backends" { b = $2 }
		END { print s + 0, b + 0 }'
}
# ipvs_count: "SERVICES DESTS" in the IPVS table.
ipvs_count() {
	awk '/^(TCP|UDP|SCTP|FWM) / { s++ } /^  -> [0-9A-F]/ { d++ }
		END { print s + 0, d + 0 }' /proc/net/ip_vs
}
expect() { # expect WHAT GOT WANT
	[ "$2" = "$3" ] || die "$1: expected $3 (services backends), found $2"
}
# change_idx K: the service number that change K touches.
change_idx() { echo $((($1 * 7919) % N)); }

# kgate_round R: kgate's figures of round R.
kgate_round() {
	local r=$1 at="round $1 of $ROUNDS" out t0 k idx w i
	local k0=$((($1 - 1) * REPS))

	log "$at: kgate (C helper) apply $N x 2"
	out=$("$BIN" apply -n "$N") || die "C helper apply"
	record apply kgate-c "$r" "${out#apply }"
	log "$at: kgate (C helper) clear"
	out=$("$BIN" flush -n "$N") || die "C helper flush"
	record clear kgate-c "$r" "${out#flush }"

	log "$at: kgate (CLI) apply $N x 2"
	t0=$EPOCHREALTIME
	"$CLI" batch -f "$TMP/kgate.batch" >/dev/null || die "kgate batch -f refused"
	record apply kgate-cli "$r" "$(since "$t0")"
	expect "kgate after batch -f" "$(kgate_count)" "$N $((2 * N))"

	log "$at: kgate (C helper) change one weight x $REPS, one request each"
	"$BIN" set -n "$N" -r "$REPS" -k "$k0" -p 8080 >"$TMP/set.out" || die "C helper set"
	[ "$(wc -l <"$TMP/set.out")" = "$REPS" ] || die "C helper set: not $REPS figures"
	while read -r _ v; do
		record change-req kgate-c "$r" "$v"
	done <"$TMP/set.out"

	# The C helper changed the :8080 backends, the CLI changes the :8081 ones.
	log "$at: kgate (CLI) change one weight x $REPS, a process each"
	for ((i = 0; i < REPS; i++)); do
		k=$((k0 + i)); idx=$(change_idx "$k"); w=$((2 + k % 100))
		t0=$EPOCHREALTIME
		"$CLI" backend set "bench/svc-$idx:80" "198.19.$((idx / 256)).$((idx % 256)):8081" \
			weight "$w" >/dev/null || die "kgate backend set refused"
		record change-proc kgate-cli "$r" "$(since "$t0")"
	done
	"$CLI" service show "bench/svc-$idx:80" |
		grep -q "198\.19\.$((idx / 256))\.$((idx % 256)):8081 weight $w\b" ||
		die "kgate does not show weight $w for the last change"

	log "$at: kgate (CLI) clear"
	t0=$EPOCHREALTIME
	"$CLI" flush >/dev/null || die "kgate flush"
	record clear kgate-cli "$r" "$(since "$t0")"
	expect "kgate after flush" "$(kgate_count)" "0 0"
}

# ipvs_round R: IPVS's figures of round R.
ipvs_round() {
	local r=$1 at="round $1 of $ROUNDS" t0 k idx w i vip rip
	local k0=$((($1 - 1) * REPS))

	log "$at: ipvs apply $N x 2"
	t0=$EPOCHREALTIME
	ipvsadm -R <"$TMP/ipvs.rules" || die "ipvsadm -R refused"
	record apply ipvs "$r" "$(since "$t0")"
	expect "IPVS after ipvsadm -R" "$(ipvs_count)" "$N $((2 * N))"

	log "$at: ipvs change one weight x $REPS, a process each"
	for ((i = 0; i < REPS; i++)); do
		k=$((k0 + i)); idx=$(change_idx "$k"); w=$((2 + k % 100))
		vip=198.18.$((idx / 256)).$((idx % 256)):80
		rip=198.19.$((idx / 256)).$((idx % 256)):8080
		t0=$EPOCHREALTIME
		ipvsadm -e -t "$vip" -r "$rip" -m -w "$w" || die "ipvsadm -e refused"
		record change-proc ipvs "$r" "$(since "$t0")"
	done
	ipvsadm -Ln -t "$vip" | grep -q -- "-> ${rip//./\\.} *Masq *$w " ||
		die "IPVS does not show weight $w for the last change"

	log "$at: ipvs clear"
	t0=$EPOCHREALTIME
	ipvsadm -C || die "ipvsadm -C"
	record clear ipvs "$r" "$(since "$t0")"
	expect "IPVS after ipvsadm -C" "$(ipvs_count)" "0 0"
}

# One round, in the fresh network namespace that the caller made for it.
if [ "${1-}" = --round ]; then
	[ $# = 3 ] || die "usage: $0 --round R TMPDIR"
	TMP=$3
	# IPVS refuses real servers while the namespace has no local table.
	ip link set lo up || die "ip link set lo up"
	if [ $(($2 % 2)) = 1 ]; then
		kgate_round "$2"
		ipvs_round "$2"
	else
		ipvs_round "$2"
		kgate_round "$2"
	fi
	exit 0
fi

: >"$RAW" || die "cannot write $RAW"
[ -x "$BIN" ] || die "$BIN not built"
[ -x "$CLI" ] || die "$CLI not built"
command -v ipvsadm >/dev/null || die "ipvsadm missing (tests/tools/deps.sh installs it)"
command -v unshare >/dev/null || die "unshare (util-linux) missing"

for d in $(modinfo -F depends "$KGATE_KO" | tr ',' ' '); do
	modprobe "$d" || die "modprobe $d"
done
[ ! -d /sys/module/kgate ] || rmmod kgate
insmod "$KGATE_KO" || die "insmod $KGATE_KO"
modprobe ip_vs || die "modprobe ip_vs"
SCHED=mh
if ! modprobe ip_vs_mh; then
	SCHED=rr
	log "ip_vs_mh missing in $(uname -r): IPVS uses the rr scheduler"
	modprobe ip_vs_rr || die "modprobe ip_vs_rr"
fi

log "$(uname -r): $N services x 2 backends, $ROUNDS rounds, $REPS changes per series, IPVS -s $SCHED"
meta kernel "$(uname -r)"
meta services "$N"
meta reps "$REPS"
meta rounds "$ROUNDS"
meta ipvs_sched "$SCHED"
meta kgate_ko_sha256 "$(sha256sum "$KGATE_KO" | cut -c1-16)"

TMP=$(mktemp -d) || die "mktemp"
trap 'rm -rf "$TMP"' EXIT
log "writing the kgate batch file and the ipvsadm restore file"
awk -v n="$N" -v sched="$SCHED" -v kf="$TMP/kgate.batch" -v vf="$TMP/ipvs.rules" 'BEGIN {
	for (i = 0; i < n; i++) {
		x = int(i / 256); y = i % 256
		printf "service add bench/svc-%d:80 cluster 198.18.%d.%d:80 backend 198.19.%d.%d:8080 backend 198.19.%d.%d:8081\n",
			i, x, y, x, y, x, y > kf
		printf "-A -t 198.18.%d.%d:80 -s %s\n", x, y, sched > vf
		printf "-a -t 198.18.%d.%d:80 -r 198.19.%d.%d:8080 -m -w 1\n", x, y, x, y > vf
		printf "-a -t 198.18.%d.%d:80 -r 198.19.%d.%d:8081 -m -w 1\n", x, y, x, y > vf
	}
}' || die "cannot write the input files"

# Warm the caches (binaries and libraries come over 9p) outside the timing.
"$CLI" stats >/dev/null || die "kgate stats"
ipvsadm -Ln >/dev/null || die "ipvsadm -Ln"
cat "$BIN" "$CLI" "$(command -v ipvsadm)" "$TMP/kgate.batch" "$TMP/ipvs.rules" >/dev/null

for r in $(seq 1 "$ROUNDS"); do
	log "round $r of $ROUNDS: in a new network namespace"
	unshare --net -- "$TOP/tests/bench/control-plane.sh" --round "$r" "$TMP" || die "round $r failed"
done

log "done; unloading kgate"
rmmod kgate || die "rmmod kgate"
exit 0
