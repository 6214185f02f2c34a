#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# L4 data-plane benchmark: kgate beside IPVS, an iptables layout as
# kube-proxy's iptables mode writes it, and an nftables verdict map, in the
# test VM, at 10 / 1k / 10k / 100k services.
#
#   tests/bench/l4.sh [VER...]
#   tests/bench/l4.sh --report VER
#       (the second form only summarises build/bench/l4-VER-samples.tsv
#       again, without a VM run)
#       On the host: one VM boot per kernel VER (default: every kernel with a
#       module under build/kmod) runs the measurements below, then the
#       samples are summarised into build/bench/ (files below) and the table
#       is printed.  Needs build/kmod/VER/kgate.ko and build/userspace/kgate:
#       tests/bench/run.sh (make bench) builds them and is the usual way in.
#   In the VM (KGATE_KO set and the running kernel KGATE_KVER, as
#       tests/vm/run.sh arranges): measure, write the samples to
#       $KGATE_OUT/l4.raw.tsv.  (It calls itself with --phase CONTENDER
#       SIZE ROUND inside the node namespace for each contender's turn.)
#
# Topology (network namespaces in the guest, private ranges that exist only
# there, as in tests/l4/lib.sh):
#   client 198.18.0.2 --- 198.18.0.1 node 10.244.N.1 --- 10.244.N.2 podN
# for N = 1, 2.  Each pod runs nginx (generated minimal config, access_log
# off) answering "podN" on :8080.  The node routes; the VIPs are routed
# towards the client side and DNATed in the node on the way in.  Load: wrk
# in the client namespace against http://VIP:80/.
#
# Workload: S services (each size of KGATE_BENCH_SIZES), service i a TCP
# VIP 10.96.0.0 + i + 1, port 80, with 2 backends.  Services 0 .. S-2 point
# at backends that do not exist (10.128.0.0 + i + 1, :8080 and :8081; they
# get no traffic); the LAST service loaded (S-1) points at the two pods,
# and all traffic goes through it: the worst case for a linear chain.
#
# Contenders, each in the node namespace, one at a time, its table emptied
# (and checked empty) before the next:
#   kgate     insmod once; `kgate batch -f FILE`: one transaction of S
#             `service add` (Maglev, the default scheduler).
#   ipvs      `ipvsadm -R <FILE`: S virtual services (-s mh -b mh-port, or
#             -s rr if the kernel has no ip_vs_mh), 2 masquerading real
#             servers each, net.ipv4.vs.conntrack=1 (as kube-proxy sets it).
#             IPVS only takes packets for local addresses: one route
#             `local 10.96.0.0/12 dev lo` is added before and removed after
#             its turn (not timed; kube-proxy puts every VIP on a dummy
#             device instead).
#   iptables  `iptables-restore <FILE`, nat table as kube-proxy's iptables
#             mode lays it out: PREROUTING and OUTPUT jump to KUBE-SERVICES,
#             one rule per service there (-d VIP/32 -p tcp --dport 80, with
#             kube-proxy's comment) jumping to its KUBE-SVC-X chain, which
#             has `-m statistic --mode random --probability 0.5 -j
#             KUBE-SEP-A` then `-j KUBE-SEP-B`, each KUBE-SEP a DNAT rule.
#             Left out: KUBE-MARK-MASQ / KUBE-POSTROUTING (masquerade
#             marking), KUBE-NODEPORTS, KUBE-FW / KUBE-EXT chains; none of
#             them is on the path of this traffic except the mark rules,
#             which would add 1-2 rules per connection to iptables' cost.
#             The iptables variant is Debian's default (iptables -V, in the
#             table header).
#   nft       `nft -f FILE`: table ip kgbench, a map services { type
#             ipv4_addr . inet_service : verdict } of `VIP . 80 : goto
#             svc-N`, one lookup `ip daddr . tcp dport vmap @services` in a
#             nat prerouting and a nat output chain, per service a chain
#             svc-N with `numgen random mod 2 0 ... dnat ip to A` then
#             `... dnat ip to B`.  Not `dnat to numgen random mod 2 map {
#             0 : A, 1 : B }`: each such inline map is an anonymous set,
#             and the kernel's name allocation for those walks every set of
#             the table, so loading is quadratic (measured on 6.12 under
#             TCG: 5k services 20-50 s, 10k 130 s; 100k would take hours).
#   direct    the baseline: no service table, wrk straight to pod1's
#             address (routing, no NAT, no conntrack in the node): the
#             fixed cost of the path.
#   kgate-nocnt  kgate as above with its per-packet counting hook off:
#             the module reloaded with `insmod kgate.ko counters=0` for
#             its turn (and reloaded without the parameter, counters=1,
#             the default, before kgate's next turn), then apply, traffic
#             and clear as kgate's (no changes).  A kgate.ko without the
#             counters parameter (modinfo lists none, or the kernel logs
#             "unknown parameter 'counters' ignored": 6.12 loads a module
#             with an unknown parameter, it does not refuse it) skips this
#             contender: a SKIP line, and its rows read n/a.
#
# Foreign DNAT flow (KGATE_BENCH_FOREIGN=1, the default), after the rounds
# of the largest size S of KGATE_BENCH_SIZES: a DNAT that is not kgate's,
# as Docker's would be, in the node namespace: nft `table ip foreign`, a
# nat prerouting chain with `ip daddr 10.95.0.1 tcp dport 80 dnat to
# 10.244.1.2:8080` (pod1).  10.95.0.1 lies outside the VIPs (10.96.0.0/12:
# service 65536's VIP is 10.97.0.1).  wrk against http://10.95.0.1:80/ in
# two states, ROUNDS rounds of their own, fresh namespaces for each state,
# the order alternated (odd rounds start with kgate's services loaded):
#   foreign-kgate  kgate loaded (counters=1) and holding S services (the
#                  same batch as kgate's turn at that size)
#   foreign-bare   kgate loaded, no service in the (fresh) node namespace
#                  ever, so no hook of kgate's is there.  (How many of
#                  kgate's hooks `nft list hooks ip` lists in the node
#                  namespace is recorded for both states, figure "hooks",
#                  and printed with the table: it lists the counting hooks
#                  only; kgate's NAT functions hang off the NAT core's
#                  hooks, which it shows as the core's.)
# Their ratio, with / without, is what kgate costs flows it did not make
# (goal ~1.0).
#
# Figures, per size, contender and round:
#   conns   new connections/s: wrk -H "Connection: close", so every
#           request is a new connection through the NAT lookup
#   reqs    requests/s on keep-alive connections (wrk's default)
#   apply   wall time of the load command, from an empty table (a process,
#           timed around it with bash's $EPOCHREALTIME)
#   change  time to replace one backend of one service (the first backend
#           moves to a new address, 10.129.x.y, and back), a process per
#           change, CHANGES per round on services spread over the table,
#           never the measured one; the last change is read back:
#             kgate     `kgate service replace NAME cluster VIP backend ...`
#                       (one transaction)
#             ipvs      `ipvsadm -R` fed `-a` new + `-d` old (one process,
#                       two requests: IPVS has no transactions)
#             iptables  `iptables -t nat -R KUBE-SEP-X 1 ... --to-destination
#                       NEW` (replaces the DNAT rule of that endpoint chain)
#             nft       `nft 'flush chain ...; add rule ...; add rule ...'`
#                       (one transaction rewriting the service's chain)
#   calib   (every turn, before its traffic) the time of a fixed CPU loop
#           in the guest (awk, a million iterations): a TCG guest slows down
#           when the host is busy, and the table prints how many turns ran
#           slower than 1.5x the median: their figures are suspect
#   packets (kgate and kgate-nocnt) the measured service's packet counter
#           after the two wrk runs (`kgate -s service show`): above 0 with
#           counters on, 0 with them off (a warning otherwise)
#   clear   wall time to empty the table again: `kgate flush`, `ipvsadm
#           -C`, iptables-restore of an empty nat table, `nft delete
#           table`.  (Then, untimed, `nft flush ruleset`: iptables-nft's
#           nat table keeps its hooks otherwise.)
# Before measuring, curls through the VIP must reach both pods (distinct
# answers "pod1", "pod2") or the run fails.  Every contender's turn runs
# in freshly made namespaces (IPVS keeps deleted real servers in a
# per-namespace trash list for minutes and searches it linearly on every
# add; conntrack starts empty; and kgate keeps its NAT hooks in a
# namespace after its last service goes for as long as conntrack holds
# flows it made, up to minutes: the next contender must not pay for them;
# the number of kgate's counting hooks `nft list hooks ip` lists at the
# start of each turn is recorded, figure "hooks0", and must be 0), with the
# contenders in a rotated order per round (round r starts at the r-th
# one).  Before the first round, a warm-up pass loads every contender
# at 10 services, untimed (module autoload, binaries over 9p).  Before
# each timed step the guest waits until its CPUs are idle (settle: up to
# 60 s), so a step does not pay for the background work of the last one.
# Guest kernel: the VM runner's debug options (slub_debug, KFENCE) are
# switched off for this benchmark unless KGATE_VM_APPEND is set: they add
# to every allocation and would skew the figures.
#
# Summary: a round's figure is its value (conns, reqs, apply, clear) or the
# median of its changes; the table gives the median of the rounds and their
# spread (min..max), and kgate/X, the ratio of kgate's median to X's (rates:
# above 1 kgate is faster; times: below 1 kgate is faster).  Goals (from the
# issue; reported, never failed on): kgate's new conns/s flat from 10 to
# 100k services (ratio largest / smallest size >= 0.8: the spread of
# single runs in this TCG guest is 20 % and more); no worse than IPVS
# (kgate/ipvs >= 0.9 at every size); at 10k services at least 2x the
# iptables layout; the foreign DNAT flow as fast with kgate's services as
# without (with / without ~1.0: read as met from 0.9).  Counters on / off
# (kgate / kgate-nocnt, the same paired ratios) has no goal: it is the
# cost of counting.  A TCG guest is slow and noisy: compare ratios, not
# absolute figures.  Missing figures read "n/a (reason)".
#
# Files, for kernel VER, under build/bench/:
#   l4-VER.txt          the table
#   l4-VER.tsv          the summary, one row per size, figure and contender
#                       (kgate-nocnt: kgate_over_this is counters on / off;
#                       foreign-bare: it is foreign-kgate / foreign-bare,
#                       the foreign flow with / without kgate's services)
#   l4-VER-samples.tsv  every sample: size, figure, contender, round, value,
#                       wrk errors (plus "#meta" and "#skip" lines)
#   l4-VER.dat          the plot's data
#   l4-VER.png          conns/s, req/s, apply and change time against the
#                       number of services, kgate's counters on vs off, and
#                       the foreign DNAT flow with vs without kgate's
#                       services (tests/bench/l4.gp; gnuplot)
#
# Environment:
#   KGATE_BENCH_SIZES     service counts (default "10 1000 10000 100000";
#                         each 2 .. 1000000)
#   KGATE_BENCH_ROUNDS    rounds per size (default 3)
#   KGATE_BENCH_DURATION  seconds per wrk run (default 5)
#   KGATE_BENCH_CONNS     wrk connections (default 8; one wrk thread)
#   KGATE_BENCH_CHANGES   backend changes per contender and round (default 5)
#   KGATE_BENCH_CONTENDERS  which ones, in order (default
#                         "direct kgate kgate-nocnt ipvs iptables nft")
#   KGATE_BENCH_FOREIGN   1 (default): the foreign DNAT flow rounds; 0: not
#   KGATE_BENCH_IPT_ONCE  from this many services on, iptables runs in
#                         round 1 only (its load takes minutes under TCG);
#                         default 100000, 0 for every round
#   KGATE_VM_MEM, KGATE_VM_TIMEOUT  passed to tests/vm/run.sh; defaults
#                         here 4096 (MiB: iptables-restore of 100k services
#                         needs more than the runner's 2048) and 150m
# A quick run: KGATE_BENCH_SIZES="10 1000" KGATE_BENCH_ROUNDS=1 (about 5
# minutes under TCG; the foreign DNAT flow then runs at 1000 services).
# Exit status: 0, or 1 if something was refused or failed (never because
# of a goal).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIZES=${KGATE_BENCH_SIZES:-10 1000 10000 100000}
ROUNDS=${KGATE_BENCH_ROUNDS:-3}
DURATION=${KGATE_BENCH_DURATION:-5}
CONNS=${KGATE_BENCH_CONNS:-8}
CHANGES=${KGATE_BENCH_CHANGES:-5}
CONTENDERS=${KGATE_BENCH_CONTENDERS:-direct kgate kgate-nocnt ipvs iptables nft}
FOREIGN=${KGATE_BENCH_FOREIGN:-1}
IPT_ONCE=${KGATE_BENCH_IPT_ONCE:-100000}
CLI=${L4_CLI:-$TOP/build/userspace/kgate}	# L4_CLI: the guest's copy
OUTDIR=$TOP/build/bench

log() { echo "bench l4: $*" >&2; }
die() { log "error: $*"; exit 1; }

# usec, since, settle, veth, wait_listen, bench_src, bench_kernels
# shellcheck source=tests/bench/lib.sh
. "$TOP/tests/bench/lib.sh" || { echo "bench l4: cannot read tests/bench/lib.sh" >&2; exit 1; }

for v in ROUNDS DURATION CONNS CHANGES; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "KGATE_BENCH_$v must be a positive number"
done
[[ $IPT_ONCE =~ ^[0-9]+$ ]] || die "KGATE_BENCH_IPT_ONCE must be a number"
[[ $FOREIGN =~ ^[01]$ ]] || die "KGATE_BENCH_FOREIGN must be 0 or 1"
read -r -a SIZE_LIST <<<"$SIZES"
[ ${#SIZE_LIST[@]} -gt 0 ] || die "KGATE_BENCH_SIZES is empty"
for s in "${SIZE_LIST[@]}"; do
	if ! [[ $s =~ ^[1-9][0-9]*$ ]] || [ "$s" -lt 2 ] || [ "$s" -gt 1000000 ]; then
		die "KGATE_BENCH_SIZES: '$s' is not a number in 2..1000000"
	fi
done
# The largest size: the foreign DNAT flow's.
NMAX=$(printf '%s\n' "${SIZE_LIST[@]}" | sort -n | tail -n 1)
read -r -a CONT_LIST <<<"$CONTENDERS"
for c in "${CONT_LIST[@]}"; do
	case $c in direct | kgate | kgate-nocnt | ipvs | iptables | nft) ;;
	*) die "KGATE_BENCH_CONTENDERS: unknown contender '$c'" ;;
	esac
done

# --- host side: summary ---------------------------------------------------

# summarize RAW VER: write the summary TSV, the table and the plot data of
# kernel VER from the samples in RAW; print the table.
summarize() {
	local raw=$1 ver=$2 base=$OUTDIR/l4-$2 src
	src=$(bench_src "$TOP")
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
	function rate(f) { return f == "conns" || f == "reqs" }
	function pstr(k) {	# the per-round ratios of k, for the goal lines
		return (k in pmed) ? sprintf(" (per round: median %.3f, %.3f..%.3f)", pmed[k], plo[k], phi[k]) : ""
	}
	# v in the unit of figure f (rates: 1/s; times: ms below 1 s of
	# median m, else s), without the unit
	function show(f, v, m) {
		if (rate(f))
			return sprintf("%.0f", v)
		if (m < 1)
			return sprintf("%.1f", v * 1000)
		return sprintf("%.2f", v)
	}
	function unit(f, m) { return rate(f) ? "" : (m < 1 ? " ms" : " s") }
	# the contender whose median a ratio of c divides: kgate for the
	# others and for kgate-nocnt (counters on / off), foreign-kgate for
	# foreign-bare (the foreign flow with / without kgate); none for the
	# numerators themselves
	function refof(c) {
		if (c == "kgate" || c == "foreign-kgate")
			return ""
		return c == "foreign-bare" ? "foreign-kgate" : "kgate"
	}
	# ratio_of(s, f, c): "median of refof(c) / median of c" ("" if none)
	function ratio_of(s, f, c,    k, kk) {
		k = s SUBSEP f SUBSEP c; kk = s SUBSEP f SUBSEP refof(c)
		if (refof(c) == "" || !(k in med) || !(kk in med) || med[k] <= 0)
			return ""
		return sprintf("%.3f", med[kk] / med[k])
	}
	function prstr(k) {
		return (k in pmed) ? sprintf("%.3f (%.3f..%.3f)", pmed[k], plo[k], phi[k]) : ""
	}
	# one row of the summary TSV; rnum: the ratio column
	function tsvrow(s, f, c, rnum,    k) {
		k = s SUBSEP f SUBSEP c
		if (k in med)
			printf "%d\t%s\t%s\t%d\t%.6g\t%.6g\t%.6g\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s, f, c, nr[k],
				med[k], lo[k], hi[k], rate(f) ? "1/s" : "s", rnum,
				(k in pmed) ? sprintf("%.4g", pmed[k]) : "", (k in pmed) ? sprintf("%.4g", plo[k]) : "",
				(k in pmed) ? sprintf("%.4g", phi[k]) : "", (k in errs) ? errs[k] : 0, rtxt[k] > tsv
	}
	# a block of the plot data: rows size, median min max of conns,
	# reqs, apply (s), change (ms) of contender c
	function datblock(c, first,    si, s, line, fi, k, m) {
		printf "%s# %s\n", (first ? "" : "\n\n"), c > dat
		for (si = 1; si <= nsize; si++) {
			s = sizes[si]
			line = s
			for (fi = 1; fi <= 4; fi++) {
				k = s SUBSEP fs[fi] SUBSEP c
				m = fs[fi] == "change" ? 1000 : 1
				if (k in med)
					line = line sprintf(" %.6g %.6g %.6g", med[k] * m, lo[k] * m, hi[k] * m)
				else
					line = line " NaN NaN NaN"
			}
			print line > dat
		}
	}
	function cell(s, f, c,    k, m) {
		k = s SUBSEP f SUBSEP c
		if (k in med) {
			m = med[k]
			return sprintf("%s%s (%s..%s)%s", show(f, m, m), unit(f, m),
				show(f, lo[k], m), show(f, hi[k], m),
				nr[k] < meta["rounds"] ? sprintf(" [%d round%s]", nr[k], nr[k] > 1 ? "s" : "") : "")
		}
		if (k in why)
			return "n/a (" why[k] ")"
		return "n/a (not measured)"
	}
	$1 == "#meta" { meta[$2] = $3; next }
	$1 == "#skip" { why[$2 SUBSEP $3 SUBSEP $4] = $5; next }
	/^#/ || NF < 5 { next }
	$2 == "calib" { cal[++ncal] = $5; calwho[ncal] = $1 " " $3 " round " $4 }
	{
		k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
		if (!(k in cnt))
			order[++nk] = k
		smp[k, ++cnt[k]] = $5
		if ($6 != "" && $6 > 0)
			errs[$1 SUBSEP $2 SUBSEP $3] += $6
		if ($3 ~ /^foreign-/)	# the foreign flow: its own section
			fsize = $1
		else if (!($1 in seen_size)) {
			seen_size[$1] = 1
			sizes[++nsize] = $1
		}
	}
	END {
		for (i = 1; i <= nk; i++) {	# one figure per round
			split(order[i], p, SUBSEP)
			for (j = 1; j <= cnt[order[i]]; j++)
				a[j] = smp[order[i], j]
			sort(a, cnt[order[i]])
			k = p[1] SUBSEP p[2] SUBSEP p[3]
			rv[k, ++nr[k]] = median(a, cnt[order[i]])
			byround[k, p[4]] = rv[k, nr[k]]
			rounds_of[p[1], p[4]] = 1
			rtxt[k] = rtxt[k] (nr[k] > 1 ? "," : "") sprintf("%.6g", rv[k, nr[k]])
		}
		for (k in nr) {
			for (j = 1; j <= nr[k]; j++)
				a[j] = rv[k, j]
			sort(a, nr[k])
			med[k] = median(a, nr[k]); lo[k] = a[1]; hi[k] = a[nr[k]]
		}
		# Paired ratios: kgate / X within each round that has both (the load
		# of this shared machine drifts between rounds more than between the
		# contenders of one round); their median and min..max.  (Likewise
		# foreign-kgate / foreign-bare.)
		for (k in nr) {
			split(k, p, SUBSEP)
			kk = p[1] SUBSEP p[2] SUBSEP refof(p[3])
			if (refof(p[3]) == "" || !(kk in nr))
				continue
			n = 0
			for (rk in rounds_of) {
				split(rk, q, SUBSEP)
				if (q[1] != p[1] || !((k, q[2]) in byround) || !((kk, q[2]) in byround) || byround[k, q[2]] <= 0)
					continue
				a[++n] = byround[kk, q[2]] / byround[k, q[2]]
			}
			if (n == 0)
				continue
			sort(a, n)
			pmed[k] = median(a, n); plo[k] = a[1]; phi[k] = a[n]; pn[k] = n
		}
		sort(sizes, nsize)
		nc = split("kgate ipvs iptables nft direct", cs, " ")
		nf = split("conns reqs apply change clear", fs, " ")
		fl["conns"] = "new conns/s"; fl["reqs"] = "req/s keep-alive"
		fl["apply"] = "apply all"; fl["change"] = "change 1 backend"
		fl["clear"] = "clear all"

		printf "kgate L4 data plane vs IPVS, iptables, nftables; kernel %s (TCG guest: compare ratios, not absolute figures)\n", ver > txt
		printf "traffic through ONE VIP, the LAST service loaded (worst case for a linear chain); every service 2 backends;\n" > txt
		printf "wrk -t1 -c%s -d%ss (conns: -H \"Connection: close\", a new connection per request); %s rounds, fresh namespaces per turn, contender order rotated;\n", meta["conns"], meta["duration"], meta["rounds"] > txt
		printf "shown: median (min..max) of the rounds; change: median of %s per round; kgate/X: kgate median / X median (rates: >1 kgate faster;\n", meta["changes"] > txt
		printf "times: <1 kgate faster); per round: median (min..max) of kgate/X taken within each round (load drifts between rounds)\n" > txt
		printf "ipvs: -s %s, masquerading, vs.conntrack=1; iptables: %s, kube-proxy iptables-mode layout without KUBE-MARK-MASQ; nft: vmap + 2-rule numgen chain per service\n", meta["ipvs_sched"], meta["iptables"] > txt
		printf "change: kgate service replace | ipvsadm -R (-a new, -d old) | iptables -t nat -R (DNAT rule) | nft (flush chain + 2 add rule); iptables from %s services: round 1 only\n", meta["ipt_once"] > txt
		printf "kgate: commit %s; kgate.ko sha256 %s...; guest: %s\n", src, meta["kgate_ko_sha256"], meta["guest"] > txt
		if (ncal > 0) {	# the load of the host: a fixed CPU loop per turn
			for (j = 1; j <= ncal; j++)
				a[j] = cal[j]
			sort(a, ncal)
			cm = median(a, ncal); slow = ""; nslow = 0
			for (j = 1; j <= ncal; j++)
				if (cal[j] > 1.5 * cm) {
					nslow++
					slow = slow sprintf("%s%s (%.2fx)", nslow > 1 ? ", " : "", calwho[j], cal[j] / cm)
				}
			printf "host load check: a fixed CPU loop before the traffic of each turn took %.0f ms median (%.0f..%.0f) over %d turns; %d slower than 1.5x the median%s\n",
				cm * 1000, a[1] * 1000, a[ncal] * 1000, ncal, nslow, nslow ? " (figures suspect): " slow : "" > txt
		}
		print "size\tfigure\tcontender\trounds\tmedian\tmin\tmax\tunit\tkgate_over_this\tper_round_ratio_median\tper_round_ratio_min\tper_round_ratio_max\twrk_errors\tround_values" > tsv
		for (si = 1; si <= nsize; si++) {
			s = sizes[si]
			printf "\n=== %d services ===\n", s > txt
			printf "%-17s %-9s %-34s %-8s %s\n", "figure", "contender", "median (min..max)", "kgate/X", "per round" > txt
			for (fi = 1; fi <= nf; fi++) {
				f = fs[fi]
				first = 1
				for (ci = 1; ci <= nc; ci++) {
					c = cs[ci]
					if (c == "direct" && !rate(f))
						continue
					k = s SUBSEP f SUBSEP c
					kk = s SUBSEP f SUBSEP "kgate"
					ratio = "-"; rnum = ""
					if (c != "kgate" && (k in med) && (kk in med) && med[k] > 0) {
						rnum = sprintf("%.3f", med[kk] / med[k])
						ratio = rnum "x"
					} else if (c != "kgate" && (kk in med))
						ratio = "n/a"
					e = (k in errs) ? sprintf(" [wrk errors %d]", errs[k]) : ""
					printf "%-17s %-9s %-34s %-8s %s%s\n", first ? fl[f] : "", c, cell(s, f, c), ratio, prstr(k), e > txt
					first = 0
					tsvrow(s, f, c, rnum)
				}
			}
		}

		# kgate with its counting hook (counters=1, the rows "kgate"
		# above) and without (counters=0)
		printf "\n=== kgate counters on vs off (on: counters=1, the default, the kgate rows above; off: insmod kgate.ko counters=0;\n" > txt
		printf "    the module reloaded between them, their order alternated over rounds; on/off: on median / off median) ===\n" > txt
		printf "%-9s %-17s %-9s %-34s %-8s %s\n", "size", "figure", "counters", "median (min..max)", "on/off", "per round" > txt
		for (si = 1; si <= nsize; si++) {
			s = sizes[si]
			for (fi = 1; fi <= 2; fi++) {
				f = fs[fi]
				k = s SUBSEP f SUBSEP "kgate-nocnt"
				rnum = ratio_of(s, f, "kgate-nocnt")
				e = (k in errs) ? sprintf(" [wrk errors %d]", errs[k]) : ""
				e0 = ((s SUBSEP f SUBSEP "kgate") in errs) ? sprintf(" [wrk errors %d]", errs[s SUBSEP f SUBSEP "kgate"]) : ""
				printf "%-9s %-17s %-9s %-34s %-8s %s%s\n", fi == 1 ? s : "", fl[f], "on", cell(s, f, "kgate"), "-", "", e0 > txt
				printf "%-9s %-17s %-9s %-34s %-8s %s%s\n", "", "", "off", cell(s, f, "kgate-nocnt"),
					rnum != "" ? rnum "x" : "n/a", prstr(k), e > txt
				tsvrow(s, f, "kgate-nocnt", rnum)
			}
			kp = s SUBSEP "packets" SUBSEP "kgate"; kq = s SUBSEP "packets" SUBSEP "kgate-nocnt"
			if ((kp in med) || (kq in med))
				printf "%-9s %-17s packets the service counted over its wrk runs, median of the rounds: on %s, off %s (expected: >0, 0)\n", "", "",
					(kp in med) ? sprintf("%.0f", med[kp]) : "n/a", (kq in med) ? sprintf("%.0f", med[kq]) : "n/a" > txt
			kp = s SUBSEP "hooks" SUBSEP "kgate"; kq = s SUBSEP "hooks" SUBSEP "kgate-nocnt"
			if ((kp in med) || (kq in med))
				printf "%-9s %-17s kgate counting hooks in the node namespace with the services loaded (nft list hooks ip), median: on %s, off %s\n", "", "",
					(kp in med) ? sprintf("%.0f", med[kp]) : "n/a", (kq in med) ? sprintf("%.0f", med[kq]) : "n/a" > txt
		}

		# the foreign DNAT flow, with and without the kgate services
		if (fsize != "") {
			s = fsize
			printf "\n=== foreign DNAT flow, a DNAT not made by kgate (nft table ip foreign: ip daddr %s tcp dport 80 dnat to pod1 %s) ===\n", meta["foreign_vip"], meta["foreign_to"] > txt
			printf "with: kgate loaded (counters=1) holding %d services; without: kgate loaded, never a service in the (fresh) namespace, so no kgate hook;\n", s > txt
			printf "kgate counting hooks in the node namespace (nft list hooks ip; NAT functions are not listed), median of the rounds: with %s, without %s;\n",
				((s SUBSEP "hooks" SUBSEP "foreign-kgate") in med) ? sprintf("%d", med[s SUBSEP "hooks" SUBSEP "foreign-kgate"]) : "n/a",
				((s SUBSEP "hooks" SUBSEP "foreign-bare") in med) ? sprintf("%d", med[s SUBSEP "hooks" SUBSEP "foreign-bare"]) : "n/a" > txt
			printf "the two states alternated over %s rounds, fresh namespaces for each; with/without: with median / without median (goal ~1.0)\n", meta["rounds"] > txt
			printf "%-17s %-25s %-34s %-12s %s\n", "figure", "kgate", "median (min..max)", "with/without", "per round" > txt
			for (fi = 1; fi <= 2; fi++) {
				f = fs[fi]
				k = s SUBSEP f SUBSEP "foreign-bare"; kk = s SUBSEP f SUBSEP "foreign-kgate"
				rnum = ratio_of(s, f, "foreign-bare")
				e = (k in errs) ? sprintf(" [wrk errors %d]", errs[k]) : ""
				e0 = (kk in errs) ? sprintf(" [wrk errors %d]", errs[kk]) : ""
				printf "%-17s %-25s %-34s %-12s %s%s\n", fl[f], sprintf("with %d services", s), cell(s, f, "foreign-kgate"), "-", "", e0 > txt
				printf "%-17s %-25s %-34s %-12s %s%s\n", "", "without (no service)", cell(s, f, "foreign-bare"),
					rnum != "" ? rnum "x" : "n/a", prstr(k), e > txt
				tsvrow(s, f, "foreign-kgate", "")
				tsvrow(s, f, "foreign-bare", rnum)
			}
		}
		# goals
		print "\ngoals (reported, never failed on):" > txt
		smin = sizes[1]; smax = sizes[nsize]
		a1 = smin SUBSEP "conns" SUBSEP "kgate"; a2 = smax SUBSEP "conns" SUBSEP "kgate"
		if (nsize > 1 && (a1 in med) && (a2 in med) && med[a1] > 0) {
			r = med[a2] / med[a1]
			printf "  flat: kgate new conns/s at %d / at %d services = %.3f (goal >= 0.8, TCG noise tolerance): %s\n", smax, smin, r, (r >= 0.8 ? "met" : "NOT met") > txt
		} else
			printf "  flat: n/a (needs kgate conns/s at two sizes)\n" > txt
		for (si = 1; si <= nsize; si++) {
			s = sizes[si]
			a1 = s SUBSEP "conns" SUBSEP "kgate"; a2 = s SUBSEP "conns" SUBSEP "ipvs"
			if ((a1 in med) && (a2 in med) && med[a2] > 0) {
				r = med[a1] / med[a2]
				printf "  kgate vs IPVS at %d services: new conns/s kgate/ipvs = %.3f%s (goal >= 0.9, no worse within TCG noise): %s\n", s, r, pstr(a2), (r >= 0.9 ? "met" : "NOT met") > txt
			} else
				printf "  kgate vs IPVS at %d services: n/a (no figure)\n", s > txt
		}
		a1 = 10000 SUBSEP "conns" SUBSEP "kgate"; a2 = 10000 SUBSEP "conns" SUBSEP "iptables"
		if ((a1 in med) && (a2 in med) && med[a2] > 0) {
			r = med[a1] / med[a2]
			printf "  kgate vs iptables at 10000 services: new conns/s kgate/iptables = %.3f%s (goal >= 2): %s\n", r, pstr(a2), (r >= 2 ? "met" : "NOT met") > txt
		} else
			printf "  kgate vs iptables at 10000 services: n/a (no figure at 10000)\n" > txt
		for (fi = 1; fi <= 2; fi++) {
			f = fs[fi]
			a2 = fsize SUBSEP f SUBSEP "foreign-bare"
			if (fsize != "" && ratio_of(fsize, f, "foreign-bare") != "") {
				r = ratio_of(fsize, f, "foreign-bare") + 0
				printf "  foreign DNAT flow, %s: with %d kgate services / without = %.3f%s (goal ~1.0, met from 0.9): %s\n", fl[f], fsize, r, pstr(a2), (r >= 0.9 ? "met" : "NOT met") > txt
			} else
				printf "  foreign DNAT flow, %s: n/a (not measured)\n", fl[f] > txt
		}

		# Plot data: one block per contender (kgate ipvs iptables nft
		# direct, then kgate-nocnt); rows: size, then median min max of
		# conns, reqs, apply (s), change (ms); NaN where there is none.
		# Block 6, the foreign flow: rows X "LABEL" median min max
		# (median of without): conns with, without, then reqs (X 1 2, 4 5).
		for (ci = 1; ci <= nc; ci++)
			datblock(cs[ci], ci == 1)
		datblock("kgate-nocnt", 0)
		printf "\n\n# foreign %s\n", fsize > dat
		x = 0
		for (fi = 1; fi <= 2; fi++) {
			f = fs[fi]
			kb = fsize SUBSEP f SUBSEP "foreign-bare"
			for (j = 1; j <= 2; j++) {
				c = j == 1 ? "foreign-kgate" : "foreign-bare"
				k = fsize SUBSEP f SUBSEP c
				x++
				if (fsize != "" && (k in med) && (kb in med))
					printf "%d \"%s\" %.6g %.6g %.6g %.6g\n", x, j == 1 ? "with " fsize : "without",
						med[k], lo[k], hi[k], med[kb] > dat
				else
					printf "%d \"%s\" NaN NaN NaN NaN\n", x, f > dat
			}
			x++
		}
	}' "$raw" || return 1
	cat "$base.txt"
}

# plot VER: the PNG of kernel VER (a missing gnuplot is not an error).
plot() {
	local ver=$1 base=$OUTDIR/l4-$1 rounds sched nocnt foreign
	if ! command -v gnuplot >/dev/null; then
		log "gnuplot missing: no plot (tests/tools/deps.sh installs gnuplot-nox)"
		return 0
	fi
	if [ "$(wc -l <"$base.tsv")" -lt 2 ]; then
		log "no figures: no plot"
		return 0
	fi
	rounds=$(awk -F '\t' '$1 == "#meta" && $2 == "rounds" { print $3 }' "$base-samples.tsv")
	sched=$(awk -F '\t' '$1 == "#meta" && $2 == "ipvs_sched" { print $3 }' "$base-samples.tsv")
	# rows of the counters-off and foreign panels (none: "n/a" panels)
	nocnt=$(awk -F '\t' '$3 == "kgate-nocnt" && ($2 == "conns" || $2 == "reqs")' "$base.tsv" | wc -l)
	foreign=$(awk -F '\t' '$3 == "foreign-bare" && $9 != "" { print $1; exit }' "$base.tsv")
	gnuplot -e "dat='$base.dat'; out='$base.png'; kver='$ver'; rounds=${rounds:-0}; sched='${sched:-?}'; nocnt=$nocnt; foreign=${foreign:-0}" \
		"$TOP/tests/bench/l4.gp" || { log "gnuplot failed"; return 1; }
}

if [ "${1-}" = --report ]; then
	[ $# = 2 ] || die "usage: $0 --report VER"
	[ -s "$OUTDIR/l4-$2-samples.tsv" ] || die "no $OUTDIR/l4-$2-samples.tsv"
	summarize "$OUTDIR/l4-$2-samples.tsv" "$2" || exit 1
	plot "$2" || exit 1
	exit 0
fi

if [ -z "${KGATE_KO-}" ] || [ "${KGATE_KVER-}" != "$(uname -r)" ]; then
	vers=("$@")
	[ ${#vers[@]} -gt 0 ] || mapfile -t vers < <(bench_kernels "$TOP")
	[ ${#vers[@]} -gt 0 ] || die "no module built (make module KVER=...)"
	[ -x "$CLI" ] || die "$CLI not built (make userspace, or make bench)"
	for t in wrk nginx curl ipvsadm iptables-restore nft; do
		command -v "$t" >/dev/null || die "$t missing (tests/bench/run.sh installs it)"
	done
	# This benchmark's VM: more memory (iptables-restore of 100k services),
	# more time, and no allocator debugging (see the header).
	export KGATE_VM_MEM=${KGATE_VM_MEM:-4096}
	export KGATE_VM_TIMEOUT=${KGATE_VM_TIMEOUT:-150m}
	export KGATE_VM_APPEND=${KGATE_VM_APPEND-slub_debug=- kfence.sample_interval=0}
	mkdir -p "$OUTDIR"
	rc=0
	i=0
	for v in "${vers[@]}"; do
		i=$((i + 1))
		[ -f "$TOP/build/kmod/$v/kgate.ko" ] || die "build/kmod/$v/kgate.ko not built (make module KVER=$v)"
		if [[ " $CONTENDERS " == *" kgate-nocnt "* ]] &&
			! modinfo -F parm "$TOP/build/kmod/$v/kgate.ko" | grep -q '^counters:'; then
			log "kernel $i of ${#vers[@]}: $v: SKIP kgate counters off (kgate-nocnt): kgate.ko has no counters parameter; its rows will read n/a"
		fi
		log "kernel $i of ${#vers[@]}: $v: booting the VM (sizes $SIZES, $ROUNDS rounds, contenders $CONTENDERS)"
		bench_vm l4 "$v" "$i" "${#vers[@]}" || rc=1
	done
	exit $rc
fi

# --- guest side -------------------------------------------------------------

RAW=${RAW:-$KGATE_OUT/l4.raw.tsv}
NSP=kgbl4		# namespace prefix
NODE=$NSP-node
CLIENT=$NSP-client
VIPNET=10.96.0.0/12	# every VIP; IPVS's local route
RULES=kgbench		# nft table
FOREIGN_VIP=10.95.0.1	# the foreign DNAT's address (outside VIPNET)

meta() { printf '#meta\t%s\t%s\n' "$1" "$2" >>"$RAW"; }
# record SIZE FIGURE CONTENDER ROUND VALUE [WRK_ERRORS]
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6-}" >>"$RAW"; }
client() { ip netns exec "$CLIENT" "$@"; }

# The addresses of service I (0-based): its VIP, its first backend (the
# one the changes move) and that backend's moved address.  The last
# service's backends are the pods.
ip_of() { # ip_of BASE_SECOND_OCTET N: 10.(B + N/65536).(N/256%256).(N%256)
	echo "10.$(($1 + $2 / 65536)).$((($2 / 256) % 256)).$(($2 % 256))"
}
vip() { ip_of 96 $(($1 + 1)); }
be_addr() { ip_of 128 $(($1 + 1)); }
be_moved() { ip_of 129 $(($1 + 1)); }
# Chain names as kube-proxy's (a prefix and 16 characters), unique per
# service / endpoint; the same formula as in gen_files.
svc_chain() { printf 'KUBE-SVC-%08X%08X' $((($1 * 7919) % 2147483647)) "$1"; }
sep_chain() { printf 'KUBE-SEP-%08X%08X' $((($1 * 7919) % 2147483647)) "$1"; }

# gen_files N DIR: the four contenders' load files for N services, and
# iptables' empty nat table.
gen_files() {
	awk -v n="$1" -v d="$2" -v sched="$SCHED" -v sflags="$SFLAGS" '
	function ip(b, v) {
		return sprintf("10.%d.%d.%d", b + int(v / 65536), int(v / 256) % 256, v % 256)
	}
	function chain(p, x) { return sprintf("%s%08X%08X", p, (x * 7919) % 2147483647, x) }
	BEGIN {
		kf = d "/kgate.batch"; vf = d "/ipvs.rules"; tf = d "/iptables.rules"
		nf = d "/nft.rules"; cf = d "/iptables.clear"
		print "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]" > tf
		print ":KUBE-SERVICES - [0:0]" > tf
		for (i = 0; i < n; i++) {
			va[i] = ip(96, i + 1)
			if (i == n - 1) {
				a[i] = "10.244.1.2:8080"; b[i] = "10.244.2.2:8080"
			} else {
				a[i] = ip(128, i + 1) ":8080"; b[i] = ip(128, i + 1) ":8081"
			}
			printf ":%s - [0:0]\n:%s - [0:0]\n:%s - [0:0]\n", chain("KUBE-SVC-", i),
				chain("KUBE-SEP-", 2 * i), chain("KUBE-SEP-", 2 * i + 1) > tf
		}
		print "-A PREROUTING -j KUBE-SERVICES\n-A OUTPUT -j KUBE-SERVICES" > tf
		print "table ip kgbench {" > nf
		for (i = 0; i < n; i++) {
			printf "service add bench/svc-%d:80 cluster %s:80 backend %s backend %s\n",
				i, va[i], a[i], b[i] > kf
			printf "-A -t %s:80 -s %s%s\n-a -t %s:80 -r %s -m -w 1\n-a -t %s:80 -r %s -m -w 1\n",
				va[i], sched, sflags, va[i], a[i], va[i], b[i] > vf
			s = chain("KUBE-SVC-", i); e1 = chain("KUBE-SEP-", 2 * i); e2 = chain("KUBE-SEP-", 2 * i + 1)
			printf "-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment \"bench/svc-%d:80 cluster IP\" -m tcp --dport 80 -j %s\n",
				va[i], i, s > tf
			printf "-A %s -m statistic --mode random --probability 0.50000000000 -j %s\n-A %s -j %s\n",
				s, e1, s, e2 > tf
			printf "-A %s -p tcp -m tcp -j DNAT --to-destination %s\n-A %s -p tcp -m tcp -j DNAT --to-destination %s\n",
				e1, a[i], e2, b[i] > tf
			printf "\tchain svc-%d {\n\t\tnumgen random mod 2 0 meta l4proto tcp dnat ip to %s\n\t\tmeta l4proto tcp dnat ip to %s\n\t}\n",
				i, a[i], b[i] > nf
		}
		print "COMMIT" > tf
		print "\tmap services {\n\t\ttype ipv4_addr . inet_service : verdict" > nf
		printf "\t\telements = { " > nf
		for (i = 0; i < n; i++)
			printf "%s%s . 80 : goto svc-%d", i ? ",\n\t\t\t" : "", va[i], i > nf
		print " }\n\t}" > nf
		print "\tchain prerouting {\n\t\ttype nat hook prerouting priority -100; policy accept;\n\t\tip daddr . tcp dport vmap @services\n\t}" > nf
		print "\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tip daddr . tcp dport vmap @services\n\t}\n}" > nf
		print "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT" > cf
	}'
}

# --- one contender's turn, run inside the node namespace ---------------------

# wrk_run URL ROUND MODE: print "RATE ERRORS" of one wrk run from the client
# (MODE close: a new connection per request; keep: keep-alive).
wrk_run() {
	local out hdr=() rate n errs
	[ "$2" = close ] && hdr=(-H "Connection: close")
	out=$(client wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 10s "${hdr[@]}" "$1" 2>&1) ||
		die "wrk failed: $out"
	rate=$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")
	n=$(awk '/ requests in / { print $1 }' <<<"$out")
	errs=$(awk '/Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx/ { e += $NF } END { print e + 0 }' <<<"$out")
	if [ -z "$rate" ] || [ "${n:-0}" -le 0 ]; then
		die "wrk $1 ($2): no requests done: $out"
	fi
	echo "$rate $errs"
}

# check_both URL: curls through URL must reach both pods, or the run fails.
check_both() {
	local i got seen1=0 seen2=0 all=""
	for ((i = 0; i < 40 && (seen1 == 0 || seen2 == 0); i++)); do
		got=$(client curl -s --max-time 15 -H "Connection: close" "$1") || got="(curl failed)"
		all="$all $got"
		case $got in pod1) seen1=1 ;; pod2) seen2=1 ;; esac
	done
	if [ $seen1 = 0 ] || [ $seen2 = 0 ]; then
		die "$1 does not reach both pods through the table; answers:$all"
	fi
}

# check_one URL WANT...: one curl through URL answers one of WANT.
check_one() {
	local got url=$1 w
	shift
	got=$(client curl -s --max-time 15 "$url") || got="(curl failed)"
	for w in "$@"; do
		[ "$got" = "$w" ] && return 0
	done
	die "$url answers '$got', not $*"
}

# contender_apply C SIZE: load SIZE services.  contender_clear C: empty.
contender_apply() {
	case $1 in
	kgate) "$CLI" batch -f "$TMP/kgate.batch" >/dev/null ;;
	ipvs) ipvsadm -R <"$TMP/ipvs.rules" ;;
	iptables) iptables-restore <"$TMP/iptables.rules" ;;
	nft) nft -f "$TMP/nft.rules" ;;
	esac
}
contender_clear() {
	case $1 in
	kgate) "$CLI" flush >/dev/null ;;
	ipvs) ipvsadm -C ;;
	iptables) iptables-restore <"$TMP/iptables.clear" ;;
	nft) nft delete table ip "$RULES" ;;
	esac
}
# contender_count C SIZE: check that C holds SIZE services (cheaply: the
# load commands are all-or-nothing, except ipvsadm -R).
contender_count() {
	local got
	case $1 in
	kgate) got=$("$CLI" stats | awk '$1 == "services" { print $2 }') ;;
	ipvs) got=$(grep -c '^TCP ' /proc/net/ip_vs) ;;
	iptables)
		got=$(iptables -t nat -S "$(svc_chain $(($2 - 1)))" 2>/dev/null | grep -c '^-A')
		[ "$got" = 2 ] && got=$2
		[ "$2" = 0 ] && got=$(iptables -t nat -S | grep -c '^-[AN]') ;;
	nft)
		if [ "$2" = 0 ]; then
			got=$(nft list tables | grep -c .)
		else
			got=$(nft list chain ip "$RULES" "svc-$(($2 - 1))" 2>/dev/null | grep -c dnat)
			[ "$got" = 2 ] && got=$2
		fi ;;
	esac
	[ "$got" = "$2" ] || die "$1: expected $2 services, found '$got'"
}
# contender_change C I MOVED: one process that moves service I's first
# backend to its moved address (MOVED 1) or back (0).
contender_change() {
	local v a b
	v=$(vip "$2")
	a=$(be_addr "$2"); [ "$3" = 1 ] && a=$(be_moved "$2")
	b=$(be_addr "$2")
	case $1 in
	kgate)
		"$CLI" service replace "bench/svc-$2:80" cluster "$v:80" \
			backend "$a:8080" backend "$b:8081" >/dev/null ;;
	ipvs)
		local old; old=$(be_addr "$2"); [ "$3" = 0 ] && old=$(be_moved "$2")
		printf -- '-a -t %s:80 -r %s:8080 -m -w 1\n-d -t %s:80 -r %s:8080\n' \
			"$v" "$a" "$v" "$old" | ipvsadm -R ;;
	iptables)
		iptables -t nat -R "$(sep_chain $((2 * $2)))" 1 -p tcp -m tcp -j DNAT \
			--to-destination "$a:8080" ;;
	nft)
		nft "flush chain ip $RULES svc-$2; add rule ip $RULES svc-$2 numgen random mod 2 0 meta l4proto tcp dnat ip to $a:8080; add rule ip $RULES svc-$2 meta l4proto tcp dnat ip to $b:8081" ;;
	esac
}
# contender_shows C I ADDR: C shows ADDR:8080 as service I's first backend.
contender_shows() {
	local re=${3//./\\.}:8080
	case $1 in
	kgate) "$CLI" service show "bench/svc-$2:80" | grep -q "$re\b" ;;
	ipvs) ipvsadm -Ln -t "$(vip "$2"):80" | grep -q -- "-> $re " ;;
	iptables) iptables -t nat -S "$(sep_chain $((2 * $2)))" | grep -q -- "--to-destination $re\$" ;;
	nft) nft list chain ip "$RULES" "svc-$2" | grep -Eq "dnat (ip )?to $re\$" ;;
	esac
}

# kgate_module COUNTERS AT: kgate.ko loaded with its counting hook on
# (COUNTERS 1: loaded without the parameter, the default) or off (0:
# `counters=0`); reloaded if it is loaded the other way (AT: the progress
# line's prefix).  Its state:
# $TMP/kgate.counters.  (Global: the module is the same in every
# namespace.)
kgate_module() {
	local have
	have=$(cat "$TMP/kgate.counters" 2>/dev/null)
	[ -d /sys/module/kgate ] && [ "$have" = "$1" ] && return 0
	log "$2: reloading kgate with counters=$1"
	rm -f "$TMP/kgate.counters"
	if [ -d /sys/module/kgate ]; then
		rmmod kgate || return 1
	fi
	if [ "$1" = 0 ]; then
		insmod "$KGATE_KO" counters=0 || return 1
	else
		insmod "$KGATE_KO" || return 1
	fi
	echo "$1" >"$TMP/kgate.counters"
}

# svc_packets I: the packet counter of kgate's service I ("" if none shows).
svc_packets() {
	"$CLI" -s service show "bench/svc-$1:80" 2>/dev/null | awk '$1 == "conns" { print $4; exit }'
}

# calib SIZE CONTENDER ROUND: record the time of a fixed CPU loop.
calib() {
	local t0=$EPOCHREALTIME
	awk 'BEGIN { for (i = 0; i < 1000000; i++) s += i * i; exit s < 0 }' || return 1
	record "$1" calib "$2" "$3" "$(since "$t0")"
}

# kgate_hooks: how many hooks of kgate's `nft list hooks ip` lists in this
# namespace ("" if it lists none at all: no hook listing in this kernel).
kgate_hooks() {
	local out
	out=$(nft list hooks ip 2>/dev/null) || return 0
	[ -n "$out" ] || return 0
	grep -c 'kgate' <<<"$out"
}

# phase C SIZE ROUND: contender C's turn (in the node namespace).
phase() {
	local c=$1 n=$2 r=$3 at t0 url out k idx mv last=-1 lastmv=0 tool=$1 pk
	at="size $SI of ${#SIZE_LIST[@]} ($n services): round $r of $ROUNDS: $c"
	[ "$SI" = 0 ] && at="warm-up: $c"
	local -A moved=()
	pk=$(kgate_hooks)
	[ -n "$pk" ] && record "$n" hooks0 "$c" "$r" "$pk"
	[ "${pk:-0}" = 0 ] || die "$at: $pk kgate counting hooks in the fresh node namespace"
	case $c in
	kgate) kgate_module 1 "$at" || die "$at: cannot load kgate" ;;
	kgate-nocnt)
		tool=kgate
		kgate_module 0 "$at" || die "$at: cannot load kgate with counters=0" ;;
	esac
	if [ "$c" = direct ]; then
		url=http://10.244.1.2:8080/
		log "$at: check"
		check_one "$url" pod1
	else
		url=http://$(vip $((n - 1))):80/
		if [ "$c" = ipvs ]; then
			ip route add local "$VIPNET" dev lo || die "ip route add local $VIPNET"
		fi
		log "$at: apply"
		settle
		t0=$EPOCHREALTIME
		contender_apply "$tool" || die "$c: loading $n services refused"
		record "$n" apply "$c" "$r" "$(since "$t0")"
		contender_count "$tool" "$n"
		if [ "$tool" = kgate ]; then
			pk=$(kgate_hooks)
			[ -n "$pk" ] && record "$n" hooks "$c" "$r" "$pk"
		fi
		log "$at: check that $url reaches both pods"
		check_both "$url"
	fi
	log "$at: new connections (wrk ${DURATION}s, Connection: close)"
	settle
	calib "$n" "$c" "$r"
	read -r rate errs <<<"$(wrk_run "$url" close)" || exit 1
	[ -n "$rate" ] || exit 1
	record "$n" conns "$c" "$r" "$rate" "$errs"
	log "$at: keep-alive requests (wrk ${DURATION}s)"
	settle
	read -r rate errs <<<"$(wrk_run "$url" keep)" || exit 1
	[ -n "$rate" ] || exit 1
	record "$n" reqs "$c" "$r" "$rate" "$errs"
	[ "$c" = direct ] && return 0
	if [ "$tool" = kgate ]; then
		pk=$(svc_packets $((n - 1)))
		[ -n "$pk" ] && record "$n" packets "$c" "$r" "$pk"
		if [ "$c" = kgate ] && [ "${pk:-0}" = 0 ]; then
			log "$at: warning: the service counted '${pk}' packets with counters on"
		elif [ "$c" = kgate-nocnt ] && [ "${pk:-0}" != 0 ]; then
			log "$at: warning: the service counted $pk packets with counters=0"
		fi
	fi

	# kgate-nocnt: traffic only (its changes would be kgate's)
	if [ "$c" != kgate-nocnt ]; then
		log "$at: change one backend x $CHANGES"
		settle
		for ((k = 1; k <= CHANGES; k++)); do
			idx=$(((((r - 1) * CHANGES + k) * 7919) % (n - 1)))
			mv=$((1 - ${moved[$idx]:-0}))
			t0=$EPOCHREALTIME
			contender_change "$c" "$idx" "$mv" || die "$c: change of service $idx refused"
			record "$n" change "$c" "$r" "$(since "$t0")"
			moved[$idx]=$mv
			last=$idx lastmv=$mv
		done
		if [ "$lastmv" = 1 ]; then
			out=$(be_moved "$last")
		else
			out=$(be_addr "$last")
		fi
		contender_shows "$c" "$last" "$out" || die "$c: the last change (service $last to $out) does not show"
	fi
	check_one "$url" pod1 pod2

	log "$at: clear"
	settle
	t0=$EPOCHREALTIME
	contender_clear "$tool" || die "$c: clear refused"
	record "$n" clear "$c" "$r" "$(since "$t0")"
	contender_count "$tool" 0
	# iptables-nft leaves an empty nat table whose base chains keep NAT
	# hooked in: the next contender must not pay for it.
	nft flush ruleset || die "nft flush ruleset"
	if [ "$c" = ipvs ]; then
		ip route del local "$VIPNET" dev lo || die "ip route del local $VIPNET"
	fi
}

# foreign_phase STATE SIZE ROUND: the foreign DNAT flow's turn (in the
# node namespace), STATE foreign-kgate (kgate holding SIZE services) or
# foreign-bare (kgate's table empty).
foreign_phase() {
	local st=$1 n=$2 r=$3 at url=http://$FOREIGN_VIP:80/ hooks rate errs
	at="foreign DNAT flow: round $r of $ROUNDS: "
	if [ "$st" = foreign-kgate ]; then
		at+="with kgate holding $n services"
	else
		at+="without kgate services"
	fi
	kgate_module 1 "$at" || die "$at: cannot load kgate"
	contender_count kgate 0
	if [ "$st" = foreign-kgate ]; then
		log "$at: apply kgate's services"
		settle
		contender_apply kgate || die "kgate: loading $n services refused"
		contender_count kgate "$n"
		check_one "http://$(vip $((n - 1))):80/" pod1 pod2
	fi
	nft -f "$TMP/foreign.rules" || die "$at: nft -f foreign.rules refused"
	hooks=$(kgate_hooks)
	[ -n "$hooks" ] && record "$n" hooks "$st" "$r" "$hooks"
	log "$at: check that $url reaches pod1 (kgate counting hooks listed: ${hooks:-n/a})"
	if [ "$st" = foreign-bare ] && [ "${hooks:-0}" != 0 ]; then
		log "$at: warning: $hooks kgate counting hooks in a namespace that never had a kgate service"
	fi
	check_one "$url" pod1
	log "$at: new connections (wrk ${DURATION}s, Connection: close)"
	settle
	calib "$n" "$st" "$r"
	read -r rate errs <<<"$(wrk_run "$url" close)" || exit 1
	[ -n "$rate" ] || exit 1
	record "$n" conns "$st" "$r" "$rate" "$errs"
	log "$at: keep-alive requests (wrk ${DURATION}s)"
	settle
	read -r rate errs <<<"$(wrk_run "$url" keep)" || exit 1
	[ -n "$rate" ] || exit 1
	record "$n" reqs "$st" "$r" "$rate" "$errs"
	log "$at: clear"
	if [ "$st" = foreign-kgate ]; then
		contender_clear kgate || die "kgate: clear refused"
		contender_count kgate 0
	fi
	nft delete table ip foreign || die "nft delete table ip foreign"
	nft flush ruleset || die "nft flush ruleset"
}

if [ "${1-}" = --phase ]; then
	[ $# = 4 ] || die "usage: $0 --phase CONTENDER SIZE ROUND"
	case $2 in
	foreign-kgate | foreign-bare) foreign_phase "$2" "$3" "$4" ;;
	*) phase "$2" "$3" "$4" ;;
	esac
	exit 0
fi

# --- the topology ------------------------------------------------------------

topo_down() {
	local n
	for n in $(ip netns list | awk '{ print $1 }' | grep "^$NSP-"); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n"
	done
}

# nginx_up N: pod N's nginx, answering "podN" on 10.244.N.2:8080.
nginx_up() {
	local d=$TMP/pod$1
	mkdir -p "$d/logs" || return 1
	cat >"$d/nginx.conf" <<-EOF
	worker_processes 1;
	pid $d/nginx.pid;
	error_log $d/logs/error.log warn;
	events { worker_connections 4096; }
	http {
		access_log off;
		client_body_temp_path $d/body;
		proxy_temp_path $d/proxy;
		fastcgi_temp_path $d/fastcgi;
		uwsgi_temp_path $d/uwsgi;
		scgi_temp_path $d/scgi;
		keepalive_requests 100000000;
		server {
			listen 10.244.$1.2:8080 backlog=4096;
			location / { return 200 "pod$1\n"; }
		}
	}
	EOF
	ip netns exec "$NSP-pod$1" nginx -p "$d" -c "$d/nginx.conf" || return 1
	wait_listen "$NSP-pod$1" 8080
}

topo_up() {
	local n i
	topo_down
	for n in node client pod1 pod2; do
		ip netns add "$NSP-$n" && ip -n "$NSP-$n" link set lo up || return 1
	done
	ip netns exec "$NODE" sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip netns exec "$CLIENT" sysctl -qw net.ipv4.ip_local_port_range="1024 65535" || return 1
	veth "$NODE" 198.18.0.1 "$CLIENT" 198.18.0.2 || return 1
	ip -n "$CLIENT" route add default via 198.18.0.1 || return 1
	# The node's way out: VIPs are routed towards the client, then DNATed.
	ip -n "$NODE" route add default via 198.18.0.2 || return 1
	for i in 1 2; do
		veth "$NODE" "10.244.$i.1" "$NSP-pod$i" "10.244.$i.2" || return 1
		ip -n "$NSP-pod$i" route add default via "10.244.$i.1" || return 1
		nginx_up "$i" || return 1
	done
	# IPVS's setting, as kube-proxy makes it: its NAT through conntrack.
	ip netns exec "$NODE" sysctl -qw net.ipv4.vs.conntrack=1 || return 1
}

# --- guest main --------------------------------------------------------------

: >"$RAW" || die "cannot write $RAW"
[ -x "$CLI" ] || die "$CLI not built"
for t in wrk nginx curl ipvsadm iptables iptables-restore nft ss; do
	command -v "$t" >/dev/null || die "$t missing"
done

for d in $(modinfo -F depends "$KGATE_KO" | tr ',' ' '); do
	modprobe "$d" || die "modprobe $d"
done
# nginx: a descriptor per connection.
ulimit -n 65536 || die "ulimit -n 65536"
TMP=$(mktemp -d) || die "mktemp"
trap 'topo_down; rm -rf "$TMP"' EXIT
# The module is loaded again and again (kgate-nocnt), the CLI run in every
# turn: from copies, so that a rebuild on the host during the run changes
# neither.
cp "$KGATE_KO" "$TMP/kgate.ko" || die "cannot copy $KGATE_KO"
cp "$CLI" "$TMP/kgate" || die "cannot copy $CLI"
KGATE_KO=$TMP/kgate.ko
if "$TMP/kgate" -V >/dev/null 2>&1; then
	L4_CLI=$TMP/kgate CLI=$TMP/kgate
	export L4_CLI
else
	log "cannot run a copy of the CLI in $TMP: running $CLI"
fi
export KGATE_KO
[ ! -d /sys/module/kgate ] || rmmod kgate
# Can kgate.ko turn its counting hook off?  6.12 loads a module with an
# unknown parameter (it logs "unknown parameter 'counters' ignored"), so
# insmod succeeding is not enough: modinfo must list it and the kernel
# must not have ignored it.
COUNTERS_PARAM=1
NOCNT_WHY=
nign=$(dmesg | grep -c "unknown parameter 'counters'")
if ! modinfo -F parm "$KGATE_KO" | grep -q '^counters:'; then
	COUNTERS_PARAM=0 NOCNT_WHY="SKIP: kgate.ko has no counters parameter"
elif ! out=$(insmod "$KGATE_KO" counters=0 2>&1); then
	if grep -qi "unknown parameter" <<<"$out$(dmesg | tail -n 5)"; then
		COUNTERS_PARAM=0 NOCNT_WHY="SKIP: insmod counters=0: unknown parameter"
	else
		die "insmod $KGATE_KO counters=0: $out"
	fi
else
	if [ "$(dmesg | grep -c "unknown parameter 'counters'")" != "$nign" ]; then
		COUNTERS_PARAM=0 NOCNT_WHY="SKIP: the kernel ignored counters=0 (unknown parameter)"
	fi
	rmmod kgate || die "rmmod kgate"
fi
insmod "$KGATE_KO" || die "insmod $KGATE_KO"
echo 1 >"$TMP/kgate.counters"
modprobe ip_vs || die "modprobe ip_vs"
SCHED=mh SFLAGS=" -b mh-port"
if ! modprobe ip_vs_mh; then
	SCHED=rr SFLAGS=
	log "ip_vs_mh missing in $(uname -r): IPVS uses the rr scheduler"
	modprobe ip_vs_rr || die "modprobe ip_vs_rr"
fi
# Connections in TIME_WAIT pile up over a run: room for all of them.
modprobe nf_conntrack || die "modprobe nf_conntrack"
sysctl -qw net.netfilter.nf_conntrack_max=1048576 || die "nf_conntrack_max"
echo 262144 >/sys/module/nf_conntrack/parameters/hashsize || die "conntrack hashsize"

IPTV=$(iptables -V)
log "$(uname -r): sizes $SIZES, $ROUNDS rounds, contenders $CONTENDERS; IPVS -s $SCHED$SFLAGS; $IPTV"
meta kernel "$(uname -r)"
meta rounds "$ROUNDS"
meta duration "$DURATION"
meta conns "$CONNS"
meta changes "$CHANGES"
meta ipvs_sched "$SCHED$SFLAGS"
meta iptables "$IPTV"
meta ipt_once "$IPT_ONCE"
meta guest "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), cmdline: $(tr -d '\n' </proc/cmdline | sed 's/.*panic=-1 *//')"
meta kgate_ko_sha256 "$(sha256sum "$KGATE_KO" | cut -c1-16)"

meta foreign_vip "$FOREIGN_VIP"
meta foreign_to 10.244.1.2:8080
meta counters_param "$COUNTERS_PARAM"
export TMP RAW SCHED SFLAGS
printf 'table ip foreign {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tip daddr %s tcp dport 80 dnat to 10.244.1.2:8080\n\t}\n}\n' \
	"$FOREIGN_VIP" >"$TMP/foreign.rules" || die "cannot write foreign.rules"
# A contender that cannot run: one SKIP line now, one per turn, and its
# rows read n/a (skip SIZE CONTENDER WHY: the #skip lines of its figures).
skip() {
	local f
	for f in conns reqs apply clear packets; do
		printf '#skip\t%s\t%s\t%s\t%s\n' "$1" "$f" "$2" "$3" >>"$RAW"
	done
}
if [ "$COUNTERS_PARAM" = 0 ] && [[ " ${CONT_LIST[*]} " == *" kgate-nocnt "* ]]; then
	log "SKIP kgate counters off (kgate-nocnt): ${NOCNT_WHY#SKIP: }; its rows read n/a"
fi

# Warm-up, untimed: every contender once at 10 services (modules load on
# first use, binaries and libraries come over 9p).
log "warm-up: every contender at 10 services (not measured)"
gen_files 10 "$TMP" || die "cannot write the load files"
warm=(kgate ipvs iptables nft)
[ "$COUNTERS_PARAM" = 1 ] && warm+=(kgate-nocnt)
for c in "${warm[@]}"; do
	topo_up || die "cannot set up the namespaces"
	RAW=/dev/null SI=0 ip netns exec "$NODE" "$TOP/tests/bench/l4.sh" --phase "$c" 10 1 ||
		die "warm-up of $c failed"
done
RAW=$KGATE_OUT/l4.raw.tsv

SI=0
for n in "${SIZE_LIST[@]}"; do
	SI=$((SI + 1))
	export SI
	log "size $SI of ${#SIZE_LIST[@]} ($n services): writing the load files"
	gen_files "$n" "$TMP" || die "cannot write the load files"
	for ((r = 1; r <= ROUNDS; r++)); do
		nc=${#CONT_LIST[@]}
		for ((j = 0; j < nc; j++)); do
			c=${CONT_LIST[$(((j + r - 1) % nc))]}
			if [ "$c" = iptables ] && [ "$IPT_ONCE" -gt 0 ] && [ "$n" -ge "$IPT_ONCE" ] && [ "$r" -gt 1 ]; then
				log "size $SI of ${#SIZE_LIST[@]} ($n services): round $r of $ROUNDS: iptables: skipped (KGATE_BENCH_IPT_ONCE=$IPT_ONCE: round 1 only)"
				continue
			fi
			if [ "$c" = kgate-nocnt ] && [ "$COUNTERS_PARAM" = 0 ]; then
				log "size $SI of ${#SIZE_LIST[@]} ($n services): round $r of $ROUNDS: kgate-nocnt: $NOCNT_WHY"
				[ "$r" = 1 ] && skip "$n" kgate-nocnt "$NOCNT_WHY"
				continue
			fi
			log "size $SI of ${#SIZE_LIST[@]} ($n services): round $r of $ROUNDS: $c: fresh namespaces"
			topo_up || die "cannot set up the namespaces"
			ip netns exec "$NODE" "$TOP/tests/bench/l4.sh" --phase "$c" "$n" "$r" ||
				die "size $n, round $r: $c failed"
		done
	done
	# The foreign DNAT flow, at the largest size, with its load files.
	if [ "$FOREIGN" = 1 ] && [ "$n" = "$NMAX" ]; then
		for ((r = 1; r <= ROUNDS; r++)); do
			states=(foreign-kgate foreign-bare)
			[ $((r % 2)) = 0 ] && states=(foreign-bare foreign-kgate)
			for st in "${states[@]}"; do
				log "foreign DNAT flow: round $r of $ROUNDS: $st: fresh namespaces"
				topo_up || die "cannot set up the namespaces"
				ip netns exec "$NODE" "$TOP/tests/bench/l4.sh" --phase "$st" "$n" "$r" ||
					die "foreign DNAT flow, round $r: $st failed"
			done
		done
	fi
	rm -f "$TMP"/kgate.batch "$TMP"/ipvs.rules "$TMP"/iptables.rules "$TMP"/nft.rules
done

log "done; unloading kgate"
topo_down
rmmod kgate || die "rmmod kgate"
exit 0
