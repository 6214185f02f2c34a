#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# L7 benchmark: HTTP/1.1 through kgate's in-kernel proxy beside nginx and
# HAProxy as reverse proxies and beside the client talking to the backend
# directly, in the test VM; and the kernel memory each idle keep-alive
# client connection costs.
#
#   tests/bench/l7.sh [VER...]
#   tests/bench/l7.sh --report VER
#       (the second form only summarises build/bench/l7-VER-samples.tsv
#       again, without a VM run)
#       On the host: one VM boot per kernel VER (default: every kernel with a
#       module under build/kmod) runs the measurements below, then the
#       samples are summarised into build/bench/ (files below) and the table
#       is printed.  Needs build/kmod/VER/kgate.ko, build/userspace/kgate
#       and build/benchtools/idleconns (tests/bench/idleconns.c):
#       tests/bench/run.sh --only l7 (make bench) builds them and is the
#       usual way in.
#   In the VM (KGATE_KO set and the running kernel KGATE_KVER, as
#       tests/vm/run.sh arranges): measure, write the samples to
#       $KGATE_OUT/l7.raw.tsv.
#
# Topology (network namespaces in the guest, private ranges, as l4.sh's):
#   client 198.18.0.2 --- 198.18.0.1 node 10.244.N.1 --- 10.244.N.2 podN
# for N = 1, 2.  Each pod runs nginx (one worker, access_log off, sendfile)
# serving two static files on :8080: /0 (0 bytes) and /64k (65536 bytes),
# with a header "X-Pod: podN".  The proxies run in the node namespace and
# listen on 198.18.0.1:80, balancing round robin over the two pods.  Load:
# wrk in the client namespace.
#
# Contenders, one at a time, each in freshly made namespaces (no TIME_WAIT
# or pooled connection of the last turn is left), in an order rotated per
# round (round r starts at the r-th one):
#   direct   the ceiling: wrk straight to pod1 (http://10.244.1.2:8080,
#            routed by the node, no proxy)
#   nginx    nginx as a reverse proxy: `proxy_pass http://pods` to an
#            upstream block of the two pods with `keepalive 64`,
#            proxy_http_version 1.1 and an empty Connection header (HTTP/1.1
#            keep-alive to the upstream), access_log off,
#            proxy_max_temp_file_size 0 (a 64 KB response is relayed
#            through the buffers, not spooled to a temporary file), one
#            worker per guest CPU
#   haproxy  HAProxy, mode http, option http-keep-alive, http-reuse always,
#            no log, one thread per guest CPU
#   kgate    kgate's in-kernel HTTP proxy: a listener on 198.18.0.1:80
#            with a route (any host, prefix /) to a service whose backends
#            are the pods (kgate_setup below); upstream connections are
#            pooled, Maglev picks a pod per request.  Run with a kgate CLI
#            or module without L7, its turns print a SKIP line with the
#            reason and its rows read n/a.
# Before measuring a contender, curls must get both files at their sizes,
# and (proxies) reach both pods, or the run fails.
#
# Figures, per contender and round (wrk -t1 -cCONNS -dDURATION --latency):
#   keep-0k, keep-64k    keep-alive connections (wrk's default), GET /0
#                        and GET /64k
#   close-0k, close-64k  -H "Connection: close": a new client connection
#                        per request (the proxies keep their upstream
#                        connections)
#   each: rps (requests/s), p50 and p99 (latency, from wrk's "Latency
#   Distribution"), and wrk's errors (socket errors, non-2xx answers)
#   idle   kernel memory per idle keep-alive client connection: IDLE
#          connections opened through the contender by idleconns in the
#          client namespace (each past one GET /0, so the proxy holds it as
#          an idle keep-alive connection; the proxies' idle timeouts are
#          600 s), /proc/meminfo and /proc/net/sockstat read before (after
#          the proxy started) and after they are open, each after
#          `echo 2 > drop_caches` and settle.  Figures, bytes per
#          connection: slab (Slab: SUnreclaim + SReclaimable, the socket
#          inodes and dentries being reclaimable), sunreclaim, sockmem
#          (sockstat TCP "mem", pages), kernel (slab + sockmem), rss (the
#          VmRSS of the contender's processes: userspace, for reference);
#          and closed (connections the other side closed while they were
#          held: should be 0).  The guest is one kernel: its figures
#          include the client's own sockets (one per connection) and
#          direct's the backend's; the table also gives "node side", the
#          contender's kernel figure less half of direct's (direct is one
#          client and one server socket per connection), an estimate of
#          what the proxy's kernel holds per connection.
#          The idle turn runs first in each turn, before any wrk traffic
#          (TIME_WAIT sockets expiring meanwhile would skew the slab).
# Also per turn: calib, a fixed CPU loop's time (as in l4.sh): turns slower
# than 1.5x the median are listed (a busy host slows a TCG guest down).
# Before each timed step the guest waits until its CPUs are idle (settle).
# Guest kernel: the VM runner's debug options (slub_debug, KFENCE) are off
# unless KGATE_VM_APPEND is set.
#
# Summary: a figure is the median of the rounds with their spread
# (min..max); X/direct is a proxy's requests/s over direct's (medians);
# kgate/nginx is kgate's over nginx's (requests/s: above 1 kgate is faster;
# latency and memory: below 1 kgate is better).  Goals (from issue 8;
# reported, never failed on): kgate keep-alive requests/s >= 1.5x nginx's
# and >= 75 % of direct's; kgate's p99 no worse than nginx's; <= 8 KiB of
# kernel memory per idle connection (node side, socket included).  They
# read "n/a: kgate has no L7 yet" until kgate's rows have figures.
# A TCG guest is slow and noisy: compare ratios, not absolute figures.
#
# Files, for kernel VER, under build/bench/:
#   l7-VER.txt          the table
#   l7-VER.tsv          the summary, one row per test, figure and contender
#   l7-VER-samples.tsv  every sample: test, figure, contender, round,
#                       value, wrk errors (plus "#meta" and "#skip" lines)
#   l7-VER.dat          the plot's data
#   l7-VER.png          requests/s, p99 and idle memory per contender
#                       (tests/bench/l7.gp; gnuplot)
#
# Environment:
#   KGATE_BENCH_ROUNDS    rounds (default 3)
#   KGATE_BENCH_DURATION  seconds per wrk run (default 5)
#   KGATE_BENCH_CONNS     wrk connections (default 8; one wrk thread)
#   KGATE_BENCH_L7_IDLE   idle connections for the memory figure (default
#                         10000; 0 leaves the idle turn out)
#   KGATE_BENCH_L7_CONTENDERS  which ones, in order (default
#                         "direct nginx haproxy kgate")
#   KGATE_BENCH_L7_PERF   1: profile each contender's keep-alive 0 KB run of
#                         round 1 with perf record -a -g (cpu-clock): where
#                         the CPU went, by symbol, task and object, in
#                         l7-VER-perf-C.txt
#                         (that run's own figures suffer)
#   KGATE_VM_MEM, KGATE_VM_TIMEOUT  passed to tests/vm/run.sh; defaults
#                         here 3072 (MiB) and 90m
# A quick run: KGATE_BENCH_ROUNDS=1 KGATE_BENCH_DURATION=2
# KGATE_BENCH_L7_IDLE=500 (a few minutes under TCG).
# Exit status: 0, or 1 if something was refused or failed (never because
# of a goal).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${KGATE_BENCH_ROUNDS:-3}
DURATION=${KGATE_BENCH_DURATION:-5}
CONNS=${KGATE_BENCH_CONNS:-8}
IDLE=${KGATE_BENCH_L7_IDLE:-10000}
PERF=${KGATE_BENCH_L7_PERF:-0}
CONTENDERS=${KGATE_BENCH_L7_CONTENDERS:-direct nginx haproxy kgate}
CLI=${L7_CLI:-$TOP/build/userspace/kgate}	# L7_CLI: the guest's copy
IDLECONNS=$TOP/build/benchtools/idleconns
OUTDIR=$TOP/build/bench
TESTS="keep-0k keep-64k close-0k close-64k"

log() { echo "bench l7: $*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=tests/bench/lib.sh
. "$TOP/tests/bench/lib.sh" || { echo "bench l7: cannot read tests/bench/lib.sh" >&2; exit 1; }

for v in ROUNDS DURATION CONNS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "KGATE_BENCH_$v must be a positive number"
done
if ! [[ $IDLE =~ ^[0-9]+$ ]] || [ "$IDLE" -gt 100000 ]; then
	die "KGATE_BENCH_L7_IDLE must be a number in 0..100000"
fi
read -r -a CONT_LIST <<<"$CONTENDERS"
[ ${#CONT_LIST[@]} -gt 0 ] || die "KGATE_BENCH_L7_CONTENDERS is empty"
for c in "${CONT_LIST[@]}"; do
	case $c in direct | nginx | haproxy | kgate) ;;
	*) die "KGATE_BENCH_L7_CONTENDERS: unknown contender '$c'" ;;
	esac
done

# cli_why CLI: why CLI cannot drive an L7 listener ("" if it can).
cli_why() {
	if ! "$1" help 2>&1 | grep -Eq '^ *kgate listener '; then
		echo "the CLI has no 'kgate listener' command (kgate's HTTP proxy, issue 8, is not built yet)"
	fi
}

# --- host side: summary ---------------------------------------------------

# summarize RAW VER: write the summary TSV, the table and the plot data of
# kernel VER from the samples in RAW; print the table.
summarize() {
	local raw=$1 ver=$2 base=$OUTDIR/l7-$2
	awk -F '\t' -v ver="$ver" -v tsv="$base.tsv" -v txt="$base.txt" \
		-v dat="$base.dat" -v src="$(bench_src "$TOP")" '
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
	function has(t, f, c) { return (t SUBSEP f SUBSEP c) in med }
	function m(t, f, c) { return med[t SUBSEP f SUBSEP c] }
	# "A/B" of the medians of figure f of test t, "" if either is missing
	function ratio(t, f, a, b) {
		if (!has(t, f, a) || !has(t, f, b) || m(t, f, b) <= 0)
			return ""
		return sprintf("%.3f", m(t, f, a) / m(t, f, b))
	}
	# value v of figure f shown in its unit (rates 1/s, latencies ms,
	# memory bytes)
	function show(f, v) {
		if (f == "rps")
			return sprintf("%.0f", v)
		if (f == "p50" || f == "p99")
			return sprintf("%.2f", v * 1000)
		return sprintf("%.0f", v)
	}
	function cell(t, f, c,    k) {
		k = t SUBSEP f SUBSEP c
		if (k in med)
			return sprintf("%s (%s..%s)%s", show(f, med[k]), show(f, lo[k]), show(f, hi[k]),
				nr[k] < meta["rounds"] ? sprintf(" [%d round%s]", nr[k], nr[k] > 1 ? "s" : "") : "")
		if (c in why)
			return "n/a"
		return "n/a (not measured)"
	}
	function tsvrow(t, f, c, unit, rdirect, rnginx,    k) {
		k = t SUBSEP f SUBSEP c
		if (k in med)
			printf "%s\t%s\t%s\t%d\t%.6g\t%.6g\t%.6g\t%s\t%s\t%s\t%d\t%s\n", t, f, c, nr[k], med[k],
				lo[k], hi[k], unit, rdirect, rnginx, (k in errs) ? errs[k] : 0, rtxt[k] > tsv
		else
			printf "%s\t%s\t%s\t0\t\t\t\t%s\t\t\t0\t%s\n", t, f, c, unit, (c in why) ? "n/a: " why[c] : "n/a" > tsv
	}
	$1 == "#meta" { meta[$2] = $3; next }
	$1 == "#skip" { why[$3] = $4; next }
	/^#/ || NF < 5 { next }
	$2 == "calib" { cal[++ncal] = $5; calwho[ncal] = $3 " round " $4; next }
	{
		k = $1 SUBSEP $2 SUBSEP $3
		if (!(k in nr))
			order[++nk] = k
		v[k, ++nr[k]] = $5
		rtxt[k] = rtxt[k] (nr[k] > 1 ? "," : "") $5
		if ($6 != "" && $6 > 0)
			errs[k] += $6
	}
	END {
		for (i = 1; i <= nk; i++) {
			k = order[i]
			for (j = 1; j <= nr[k]; j++)
				a[j] = v[k, j]
			sort(a, nr[k])
			med[k] = median(a, nr[k]); lo[k] = a[1]; hi[k] = a[nr[k]]
		}
		nc = split("direct nginx haproxy kgate", cs, " ")
		nt = split("keep-0k keep-64k close-0k close-64k", ts, " ")
		tl["keep-0k"] = "keep-alive, 0 KB response"
		tl["keep-64k"] = "keep-alive, 64 KB response"
		tl["close-0k"] = "new client connection per request (Connection: close), 0 KB response"
		tl["close-64k"] = "new client connection per request (Connection: close), 64 KB response"

		printf "kgate L7 (HTTP/1.1 proxy) vs nginx, HAProxy and direct; kernel %s (TCG guest: compare ratios, not absolute figures)\n", ver > txt
		printf "client -> 198.18.0.1:80 on the node -> 2 nginx pods (round robin; direct: pod1 itself, no proxy); GET /0 (0 bytes) and /64k (65536 bytes)\n" > txt
		printf "wrk -t1 -c%s -d%ss --latency; %s rounds, fresh namespaces per turn, contender order rotated; shown: median (min..max) of the rounds\n", meta["conns"], meta["duration"], meta["rounds"] > txt
		printf "nginx %s: proxy_pass to an upstream with keepalive 64, HTTP/1.1 upstream, access_log off, no temp file, %s workers; HAProxy %s: mode http, http-reuse always, option http-keep-alive, %s threads\n",
			meta["nginx"], meta["workers"], meta["haproxy"], meta["workers"] > txt
		printf "X/direct: X req/s / direct req/s; kgate/nginx: kgate median / nginx median (req/s: >1 kgate faster; latency, memory: <1 kgate better)\n" > txt
		printf "kgate: commit %s; kgate.ko sha256 %s...; guest: %s\n", src, meta["kgate_ko_sha256"], meta["guest"] > txt
		for (ci = 1; ci <= nc; ci++)
			if (cs[ci] in why)
				printf "SKIP %s: %s\n", cs[ci], why[cs[ci]] > txt
		if (ncal > 0) {
			for (j = 1; j <= ncal; j++)
				a[j] = cal[j]
			sort(a, ncal)
			cm = median(a, ncal); slow = ""; nslow = 0
			for (j = 1; j <= ncal; j++)
				if (cal[j] > 1.5 * cm) {
					nslow++
					slow = slow sprintf("%s%s (%.2fx)", nslow > 1 ? ", " : "", calwho[j], cal[j] / cm)
				}
			printf "host load check: a fixed CPU loop before each turn took %.0f ms median (%.0f..%.0f) over %d turns; %d slower than 1.5x the median%s\n",
				cm * 1000, a[1] * 1000, a[ncal] * 1000, ncal, nslow, nslow ? " (figures suspect): " slow : "" > txt
		}

		print "test\tfigure\tcontender\trounds\tmedian\tmin\tmax\tunit\tover_direct\tkgate_over_nginx\twrk_errors\tround_values" > tsv
		for (ti = 1; ti <= nt; ti++) {
			t = ts[ti]
			printf "\n=== %s ===\n", tl[t] > txt
			printf "%-9s %-26s %-22s %-22s %-9s %s\n", "contender", "req/s", "p50 ms", "p99 ms", "X/direct", "kgate/nginx (req/s, p99)" > txt
			for (ci = 1; ci <= nc; ci++) {
				c = cs[ci]
				rd = c == "direct" ? "" : ratio(t, "rps", c, "direct")
				rn = ""; rn99 = ""
				if (c == "kgate") {
					rn = ratio(t, "rps", "kgate", "nginx"); rn99 = ratio(t, "p99", "kgate", "nginx")
					kn = (rn == "" && rn99 == "") ? "n/a" (("kgate" in why) ? ": kgate has no L7 yet" : "") : sprintf("%s, %s", rn == "" ? "n/a" : rn "x", rn99 == "" ? "n/a" : rn99 "x")
				} else
					kn = "-"
				e = ((t SUBSEP "rps" SUBSEP c) in errs) ? sprintf(" [wrk errors %d]", errs[t SUBSEP "rps" SUBSEP c]) : ""
				printf "%-9s %-26s %-22s %-22s %-9s %s%s\n", c, cell(t, "rps", c), cell(t, "p50", c), cell(t, "p99", c),
					c == "direct" ? "-" : (rd == "" ? "n/a" : rd "x"), kn, e > txt
				tsvrow(t, "rps", c, "1/s", rd, rn)
				tsvrow(t, "p50", c, "s", "", c == "kgate" ? ratio(t, "p50", "kgate", "nginx") : "")
				tsvrow(t, "p99", c, "s", "", rn99)
			}
		}

		# idle keep-alive connections
		printf "\n=== kernel memory per idle keep-alive client connection (%s open, each past one GET /0; bytes per connection) ===\n", meta["idle"] > txt
		printf "whole guest, so the client'"'"'s own socket is in every row (and direct'"'"'s has the backend'"'"'s); kernel = Slab + sockstat TCP mem;\n" > txt
		printf "node side = X kernel - direct kernel / 2, an estimate of the proxy'"'"'s kernel memory per connection; rss: the contender'"'"'s processes (userspace)\n" > txt
		printf "%-9s %-22s %-10s %-20s %-20s %-16s %-20s %-8s %s\n", "contender", "kernel", "node side", "slab", "SUnreclaim", "sockmem", "rss", "closed", "kgate/nginx" > txt
		for (ci = 1; ci <= nc; ci++) {
			c = cs[ci]
			ns = ""
			if (c != "direct" && has("idle", "kernel", c) && has("idle", "kernel", "direct"))
				ns = sprintf("%.0f", m("idle", "kernel", c) - m("idle", "kernel", "direct") / 2)
			nodeside[c] = ns
			kn = "-"
			if (c == "kgate") {
				rn = ratio("idle", "kernel", "kgate", "nginx")
				kn = rn != "" ? rn "x" : "n/a" (("kgate" in why) ? ": kgate has no L7 yet" : "")
			}
			printf "%-9s %-22s %-10s %-20s %-20s %-16s %-20s %-8s %s\n", c, cell("idle", "kernel", c),
				ns == "" ? (c == "direct" ? "-" : "n/a") : ns, cell("idle", "slab", c), cell("idle", "sunreclaim", c),
				cell("idle", "sockmem", c), cell("idle", "rss", c),
				has("idle", "closed", c) ? sprintf("%.0f", m("idle", "closed", c)) : "n/a", kn > txt
			nf = split("kernel slab sunreclaim sockmem rss closed", fsi, " ")
			for (fi = 1; fi <= nf; fi++)
				tsvrow("idle", fsi[fi], c, fsi[fi] == "closed" ? "conns" : "B/conn", "",
					c == "kgate" ? ratio("idle", fsi[fi], "kgate", "nginx") : "")
			if (ns != "")
				printf "idle\tnode_side\t%s\t%d\t%s\t\t\tB/conn\t\t\t0\t\n", c, nr["idle" SUBSEP "kernel" SUBSEP c], ns > tsv
		}

		# goals
		print "\ngoals (issue 8; reported, never failed on):" > txt
		nokg = ("kgate" in why) ? "n/a: kgate has no L7 yet" : "n/a (no kgate figure)"
		for (ti = 1; ti <= 2; ti++) {
			t = ts[ti]
			r = ratio(t, "rps", "kgate", "nginx")
			printf "  kgate >= 1.5x nginx, %s req/s: %s\n", tl[t],
				r == "" ? nokg : sprintf("kgate/nginx = %s: %s", r, r >= 1.5 ? "met" : "NOT met") > txt
		}
		for (ti = 1; ti <= 2; ti++) {
			t = ts[ti]
			r = ratio(t, "rps", "kgate", "direct")
			printf "  kgate >= 75%% of direct, %s req/s: %s\n", tl[t],
				r == "" ? nokg : sprintf("kgate/direct = %s: %s", r, r >= 0.75 ? "met" : "NOT met") > txt
		}
		for (ti = 1; ti <= nt; ti++) {
			t = ts[ti]
			r = ratio(t, "p99", "kgate", "nginx")
			printf "  kgate p99 no worse than nginx, %s: %s\n", tl[t],
				r == "" ? nokg : sprintf("kgate %.2f ms, nginx %.2f ms: %s", m(t, "p99", "kgate") * 1000,
					m(t, "p99", "nginx") * 1000, r <= 1 ? "met" : "NOT met") > txt
		}
		ns = nodeside["kgate"]
		printf "  kgate <= 8 KiB kernel memory per idle connection (node side, socket included): %s\n",
			ns == "" ? nokg : sprintf("%s B: %s", ns, ns <= 8192 ? "met" : "NOT met") > txt

		# Plot data: one row per contender (direct nginx haproxy kgate):
		# name, then median min max of rps of the 4 tests, of p99 (ms) of
		# the 4 tests, of the idle kernel figure (KiB); then the node side
		# (KiB: what the proxy holds, X - direct / 2; for direct, direct
		# / 2, what the backend holds); NaN where none.
		print "# contender rps[keep-0k keep-64k close-0k close-64k] p99_ms[same] idle_kernel_KiB (each median min max) node_side_KiB" > dat
		for (ci = 1; ci <= nc; ci++) {
			c = cs[ci]
			line = c
			for (ti = 1; ti <= nt; ti++)
				line = line trip(ts[ti], "rps", c, 1)
			for (ti = 1; ti <= nt; ti++)
				line = line trip(ts[ti], "p99", c, 1000)
			line = line trip("idle", "kernel", c, 1 / 1024)
			if (c == "direct" && has("idle", "kernel", c))
				line = line sprintf(" %.6g", m("idle", "kernel", c) / 2 / 1024)
			else
				line = line (nodeside[c] != "" ? sprintf(" %.6g", nodeside[c] / 1024) : " NaN")
			print line > dat
		}
	}
	function trip(t, f, c, s,    k) {
		k = t SUBSEP f SUBSEP c
		return (k in med) ? sprintf(" %.6g %.6g %.6g", med[k] * s, lo[k] * s, hi[k] * s) : " NaN NaN NaN"
	}' "$raw" || return 1
	cat "$base.txt"
}

# plot VER: the PNG of kernel VER (a missing gnuplot is not an error).
plot() {
	local ver=$1 base=$OUTDIR/l7-$1 rounds idle kg
	if ! command -v gnuplot >/dev/null; then
		log "gnuplot missing: no plot (tests/tools/deps.sh installs gnuplot-nox)"
		return 0
	fi
	rounds=$(awk -F '\t' '$1 == "#meta" && $2 == "rounds" { print $3 }' "$base-samples.tsv")
	idle=$(awk -F '\t' '$1 == "#meta" && $2 == "idle" { print $3 }' "$base-samples.tsv")
	if ! awk '!/^#/ { for (i = 2; i <= NF; i++) if ($i != "NaN") f = 1 } END { exit !f }' "$base.dat"; then
		log "no figures: no plot"
		return 0
	fi
	kg=$(awk '$1 == "kgate" && $2 != "NaN" { print 1; exit }' "$base.dat")
	# (a contender without figures draws nothing, which gnuplot warns of)
	gnuplot -e "dat='$base.dat'; out='$base.png'; kver='$ver'; rounds=${rounds:-0}; idle=${idle:-0}; kgate=${kg:-0}" \
		"$TOP/tests/bench/l7.gp" 2>&1 | grep -v 'no valid points' >&2
	[ "${PIPESTATUS[0]}" = 0 ] || { log "gnuplot failed"; return 1; }
}

if [ "${1-}" = --report ]; then
	[ $# = 2 ] || die "usage: $0 --report VER"
	[ -s "$OUTDIR/l7-$2-samples.tsv" ] || die "no $OUTDIR/l7-$2-samples.tsv"
	summarize "$OUTDIR/l7-$2-samples.tsv" "$2" || exit 1
	plot "$2" || exit 1
	exit 0
fi

# --- host side: the VM runs --------------------------------------------------

if [ -z "${KGATE_KO-}" ] || [ "${KGATE_KVER-}" != "$(uname -r)" ]; then
	vers=("$@")
	[ ${#vers[@]} -gt 0 ] || mapfile -t vers < <(bench_kernels "$TOP")
	[ ${#vers[@]} -gt 0 ] || die "no module built (make module KVER=...)"
	[ -x "$CLI" ] || die "$CLI not built (make userspace, or make bench)"
	[ -x "$IDLECONNS" ] || [ "$IDLE" = 0 ] || die "$IDLECONNS not built (make benchtools, or make bench)"
	for t in wrk nginx haproxy curl; do
		command -v "$t" >/dev/null || die "$t missing (tests/bench/run.sh installs it)"
	done
	why=$(cli_why "$CLI")
	[[ " $CONTENDERS " == *" kgate "* ]] && [ -n "$why" ] &&
		log "SKIP kgate: $why; its rows will read n/a"
	export KGATE_VM_MEM=${KGATE_VM_MEM:-3072}
	export KGATE_VM_TIMEOUT=${KGATE_VM_TIMEOUT:-90m}
	export KGATE_VM_APPEND=${KGATE_VM_APPEND-slub_debug=- kfence.sample_interval=0}
	mkdir -p "$OUTDIR"
	rc=0
	i=0
	for v in "${vers[@]}"; do
		i=$((i + 1))
		[ -f "$TOP/build/kmod/$v/kgate.ko" ] || die "build/kmod/$v/kgate.ko not built (make module KVER=$v)"
		log "kernel $i of ${#vers[@]}: $v: booting the VM ($ROUNDS rounds, contenders $CONTENDERS, $IDLE idle connections)"
		bench_vm l7 "$v" "$i" "${#vers[@]}" || rc=1
	done
	exit $rc
fi

# --- guest side -------------------------------------------------------------

RAW=$KGATE_OUT/l7.raw.tsv
NSP=kgbl7		# namespace prefix
NODE=$NSP-node
CLIENT=$NSP-client
NODE_IP=198.18.0.1	# where the proxies listen (port 80)
POD1=10.244.1.2 POD2=10.244.2.2	# the backends (port 8080)

meta() { printf '#meta\t%s\t%s\n' "$1" "$2" >>"$RAW"; }
# record TEST FIGURE CONTENDER ROUND VALUE [WRK_ERRORS]
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6-}" >>"$RAW"; }
client() { ip netns exec "$CLIENT" "$@"; }
node() { ip netns exec "$NODE" "$@"; }

# --- kgate (fill in when kgate has its HTTP proxy, issue 8) -----------------

# kgate_setup: make kgate proxy HTTP in the node namespace, as the other
# contenders do: a listener on $NODE_IP port 80 (mode http) with a route
# (any host, path prefix /) to a kgate service whose backends are the two
# pods, $POD1:8080 and $POD2:8080 (round robin or Maglev: both pods must
# get requests, which phase checks through their X-Pod header); idle
# keep-alive client connections kept for at least 600 s (the idle turn
# holds them, as the other proxies are configured to); upstream keep-alive
# on.  Run in the root namespace: use `"$CLI" -n "$NODE" ...`.  kgate.ko is
# loaded (the main part insmods it).  Return 0 when the listener listens,
# 1 on a failure (the run fails), 2 while this is not written (kgate's
# turns are then skipped with that reason).
kgate_setup() {
	"$CLI" -n "$NODE" service add l7/pods:8080 cluster 10.96.0.80:8080/tcp \
		backend "$POD1:8080" backend "$POD2:8080" &&
	"$CLI" -n "$NODE" listener add l7 "$NODE_IP:80" idle-timeout 600s \
		head-timeout 600s max-conns $((IDLE + 4096)) &&
	"$CLI" -n "$NODE" route add l7/all listener l7 \
		rule match prefix / backend l7/pods:8080 || return 1
}

# kgate_teardown: undo kgate_setup (delete the route, the listener and the
# service, so that the module holds nothing of this turn; the namespaces
# are deleted after it).  Return 0, or 1 on a failure.
kgate_teardown() {
	"$CLI" -n "$NODE" route del l7/all &&
	"$CLI" -n "$NODE" listener del l7 &&
	"$CLI" -n "$NODE" service del l7/pods:8080
}

# --- the topology ------------------------------------------------------------

topo_down() {
	local n
	for n in $(ip netns list | awk '{ print $1 }' | grep "^$NSP-"); do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n"
	done
}

# pod_up N: pod N's nginx on 10.244.N.2:8080, the two files of $TMP/www.
pod_up() {
	local d=$TMP/pod$1
	mkdir -p "$d/logs" || return 1
	cat >"$d/nginx.conf" <<-EOF
	worker_processes 1;
	worker_rlimit_nofile $((IDLE + 8192));
	pid $d/nginx.pid;
	error_log $d/logs/error.log warn;
	events { worker_connections $((IDLE + 4096)); }
	http {
		access_log off;
		client_body_temp_path $d/body;
		proxy_temp_path $d/proxy;
		fastcgi_temp_path $d/fastcgi;
		uwsgi_temp_path $d/uwsgi;
		scgi_temp_path $d/scgi;
		default_type application/octet-stream;
		sendfile on;
		keepalive_requests 100000000;
		keepalive_timeout 600s;
		server {
			listen 10.244.$1.2:8080 backlog=4096;
			root $TMP/www;
			add_header X-Pod pod$1;
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
	node sysctl -qw net.ipv4.ip_forward=1 || return 1
	client sysctl -qw net.ipv4.ip_local_port_range="1024 65535" || return 1
	node sysctl -qw net.core.somaxconn=4096 || return 1
	veth "$NODE" "$NODE_IP" "$CLIENT" 198.18.0.2 || return 1
	ip -n "$CLIENT" route add default via "$NODE_IP" || return 1
	for i in 1 2; do
		ip netns exec "$NSP-pod$i" sysctl -qw net.core.somaxconn=4096 || return 1
		veth "$NODE" "10.244.$i.1" "$NSP-pod$i" "10.244.$i.2" || return 1
		ip -n "$NSP-pod$i" route add default via "10.244.$i.1" || return 1
		pod_up "$i" || return 1
	done
}

# write_confs: the proxies' configurations, in $TMP/nginx and $TMP/haproxy.
write_confs() {
	local d=$TMP/nginx
	mkdir -p "$d/logs" "$TMP/haproxy" || return 1
	cat >"$d/nginx.conf" <<-EOF
	worker_processes $WORKERS;
	worker_rlimit_nofile $((2 * IDLE + 8192));
	pid $d/nginx.pid;
	error_log $d/logs/error.log warn;
	events { worker_connections $((2 * IDLE + 4096)); }
	http {
		access_log off;
		client_body_temp_path $d/body;
		proxy_temp_path $d/proxy;
		fastcgi_temp_path $d/fastcgi;
		uwsgi_temp_path $d/uwsgi;
		scgi_temp_path $d/scgi;
		keepalive_requests 100000000;
		keepalive_timeout 600s;
		upstream pods {
			server $POD1:8080;
			server $POD2:8080;
			keepalive 64;
			keepalive_requests 100000000;
			keepalive_timeout 600s;
		}
		server {
			listen $NODE_IP:80 backlog=4096;
			location / {
				proxy_pass http://pods;
				proxy_http_version 1.1;
				proxy_set_header Connection "";
				# a response beyond the buffers (64 KB: 8 x 4 KB
				# by default) is relayed, not spooled to a file
				proxy_max_temp_file_size 0;
			}
		}
	}
	EOF
	cat >"$TMP/haproxy/haproxy.cfg" <<-EOF
	global
		maxconn $((2 * IDLE + 4096))
		nbthread $WORKERS
		pidfile $TMP/haproxy/haproxy.pid
	defaults
		mode http
		option http-keep-alive
		http-reuse always
		maxconn $((IDLE + 4096))
		timeout connect 5s
		timeout client 600s
		timeout server 600s
		timeout http-keep-alive 600s
		timeout http-request 600s
	frontend fe
		bind $NODE_IP:80
		default_backend pods
	backend pods
		balance roundrobin
		server pod1 $POD1:8080
		server pod2 $POD2:8080
	EOF
}

# --- one contender's turn ----------------------------------------------------

# tosec V: a wrk duration (1.23ms, 456.00us, 1.01s, 2.00m) in seconds.
tosec() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		s = u == "us" ? 1e-6 : u == "ms" ? 1e-3 : u == "s" ? 1 : u == "m" ? 60 : u == "h" ? 3600 : -1
		if (s < 0) exit 1
		printf "%.9f\n", n * s
	}'
}

# wrk_run URL MODE [PROFILE]: print "RATE P50 P99 ERRORS" of one wrk run
# from the client (MODE close: a new connection per request; keep:
# keep-alive); with PROFILE, under perf record into PROFILE.data.
wrk_run() {
	local out hdr=() rate n errs p50 p99 perf=()
	[ "$2" = close ] && hdr=(-H "Connection: close")
	[ -n "${3-}" ] && perf=(perf record -q -a -g -F 1999 -o "$3.data" --)
	out=$("${perf[@]}" ip netns exec "$CLIENT" wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency "${hdr[@]}" "$1" 2>&1) ||
		die "wrk failed: $out"
	rate=$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")
	n=$(awk '/ requests in / { print $1 }' <<<"$out")
	p50=$(awk '$1 == "50%" { print $2; exit }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2; exit }' <<<"$out")
	errs=$(awk '/Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx/ { e += $NF } END { print e + 0 }' <<<"$out")
	if [ -z "$rate" ] || [ "${n:-0}" -le 0 ] || [ -z "$p50" ] || [ -z "$p99" ]; then
		die "wrk $1 ($2): no requests done, or no latency distribution: $out"
	fi
	if ! p50=$(tosec "$p50") || ! p99=$(tosec "$p99"); then
		die "wrk $1: latency units not understood: $out"
	fi
	echo "$rate $p50 $p99 $errs"
}

# check_files BASE: both files through BASE at their sizes.
check_files() {
	local got f want
	for f in 0 64k; do
		want=0
		[ "$f" = 64k ] && want=65536
		got=$(client curl -s --max-time 15 -o /dev/null -w '%{http_code} %{size_download}' "$1/$f") ||
			got="(curl failed: $got)"
		[ "$got" = "200 $want" ] || die "$1/$f answers '$got', not '200 $want'"
	done
}

# check_pods BASE WANT...: curls through BASE reach every pod of WANT (by
# their X-Pod header).
check_pods() {
	local base=$1 i got all="" w need
	shift
	local -A seen=()
	for ((i = 0; i < 20; i++)); do
		got=$(client curl -s --max-time 15 -o /dev/null -D - "$base/0" | tr -d '\r' |
			awk -F ': ' 'tolower($1) == "x-pod" { print $2 }')
		all="$all ${got:-?}"
		[ -n "$got" ] && seen[$got]=1
		need=0
		for w in "$@"; do
			[ -n "${seen[$w]-}" ] || need=1
		done
		[ "$need" = 0 ] && return 0
	done
	die "$base does not reach $*; X-Pod of the answers:$all"
}

# calib CONTENDER ROUND: record the time of a fixed CPU loop.
calib() {
	local t0=$EPOCHREALTIME
	awk 'BEGIN { for (i = 0; i < 1000000; i++) s += i * i; exit s < 0 }' || return 1
	record - calib "$1" "$2" "$(since "$t0")"
}

# memsnap: "SLAB_KB SUNRECLAIM_KB TCPMEM_PAGES" of the whole guest, after
# the reclaimable caches were dropped.
memsnap() {
	sync
	echo 2 >/proc/sys/vm/drop_caches || return 1
	settle
	echo "$(awk '$1 == "Slab:" { s = $2 } $1 == "SUnreclaim:" { u = $2 } END { print s, u }' /proc/meminfo)" \
		"$(awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) }' /proc/net/sockstat)"
}

# rss_of NS...: the VmRSS (KiB) of every process of the namespaces NS.
rss_of() {
	local ns p t=0 r
	for ns in "$@"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			r=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null)
			t=$((t + ${r:-0}))
		done
	done
	echo $t
}

# idle_turn C ROUND HOST PORT NS: the idle figures of contender C, whose
# server side (processes) lives in namespace NS, through HOST:PORT.
idle_turn() {
	local c=$1 r=$2 at="round $2 of $ROUNDS: $1" b a rb ra line fifo out pid n closed k
	fifo=$TMP/idle.in out=$TMP/idle.out
	rm -f "$fifo" "$out"
	mkfifo "$fifo" || die "mkfifo"
	log "$at: $IDLE idle keep-alive connections: memory before"
	b=$(memsnap) || die "cannot read the memory counters"
	rb=$(rss_of "$5")
	client "$IDLECONNS" "$3" "$4" "$IDLE" /0 <"$fifo" >"$out" &
	pid=$!
	exec {k}>"$fifo"
	local deadline=$((SECONDS + 600))
	until grep -q '^open ' "$out" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; die "$at: idleconns failed: $(cat "$out")"; }
		[ $SECONDS -lt $deadline ] || die "$at: idleconns did not open $IDLE connections in 600 s"
		sleep 0.2
	done
	log "$at: $IDLE connections open: memory after"
	a=$(memsnap) || die "cannot read the memory counters"
	ra=$(rss_of "$5")
	n=$(client ss -Htn state established "dport = :$4" | wc -l)
	exec {k}>&-
	wait "$pid" || die "$at: idleconns failed: $(cat "$out")"
	closed=$(awk '$1 == "closed" { print $2 }' "$out")
	[ -n "$closed" ] || die "$at: idleconns said no 'closed': $(cat "$out")"
	[ "$closed" = 0 ] || log "$at: warning: $closed of $IDLE idle connections were closed by the other side"
	[ "$n" -ge "$IDLE" ] || log "$at: warning: ss shows $n established client connections, not $IDLE"
	# shellcheck disable=SC2086 # three numbers each
	line=$(awk -v n="$IDLE" -v b="$b" -v a="$a" -v rb="$rb" -v ra="$ra" 'BEGIN {
		split(b, x, " "); split(a, y, " ")
		slab = (y[1] - x[1]) * 1024 / n; su = (y[2] - x[2]) * 1024 / n
		sm = (y[3] - x[3]) * 4096 / n
		printf "%.1f %.1f %.1f %.1f %.1f\n", slab + sm, slab, su, sm, (ra - rb) * 1024 / n
	}')
	read -r kern slab su sm rss <<<"$line"
	record idle kernel "$c" "$r" "$kern"
	record idle slab "$c" "$r" "$slab"
	record idle sunreclaim "$c" "$r" "$su"
	record idle sockmem "$c" "$r" "$sm"
	record idle rss "$c" "$r" "$rss"
	record idle closed "$c" "$r" "$closed"
	log "$at: idle: $kern B/conn kernel (slab $slab, SUnreclaim $su, sockmem $sm), userspace $rss B/conn"
	rm -f "$fifo" "$out"
}

# contender_up C: start contender C in the node namespace (0), or 2 if it
# cannot run (kgate_setup not written).
contender_up() {
	case $1 in
	direct) return 0 ;;
	nginx) node "$NGINX_PROXY" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" || return 1 ;;
	haproxy) node haproxy -D -f "$TMP/haproxy/haproxy.cfg" || return 1 ;;
	kgate)
		kgate_setup
		local rc=$?
		[ $rc = 0 ] || return $rc ;;
	esac
	wait_listen "$NODE" 80
}

contender_down() {
	case $1 in
	kgate) kgate_teardown || return 1 ;;
	direct) ;;
	*) ip netns pids "$NODE" | xargs -r kill ;;
	esac
	return 0
}

# phase C ROUND: contender C's turn, in fresh namespaces.
phase() {
	local c=$1 r=$2 at="round $2 of $ROUNDS: $1" base ns port host t rate p50 p99 errs mode path rc prof
	if [ "$c" = direct ]; then
		host=$POD1 port=8080 ns=$NSP-pod1
	else
		host=$NODE_IP port=80 ns=$NODE
	fi
	base=http://$host:$port
	contender_up "$c"
	rc=$?
	if [ "$c" = kgate ] && [ $rc = 2 ]; then
		KGATE_WHY="kgate_setup in tests/bench/l7.sh is not written yet"
		return 2
	fi
	[ $rc = 0 ] || die "$at: cannot start $c"
	log "$at: check the files and the pods through $base"
	check_files "$base"
	if [ "$c" = direct ]; then
		check_pods "$base" pod1
	else
		check_pods "$base" pod1 pod2
	fi
	settle
	calib "$c" "$r"
	[ "$IDLE" -gt 0 ] && idle_turn "$c" "$r" "$host" "$port" "$ns"
	for t in $TESTS; do
		mode=${t%-*} path=/${t#*-}
		[ "$path" = /0k ] && path=/0
		if [ "$mode" = close ]; then
			log "$at: $t (wrk ${DURATION}s, GET $path, Connection: close)"
		else
			log "$at: $t (wrk ${DURATION}s, GET $path, keep-alive)"
		fi
		settle
		prof=
		if [ "$PERF" = 1 ] && [ "$r" = 1 ] && [ "$t" = keep-0k ]; then
			prof=$KGATE_OUT/l7-perf-$c
		fi
		read -r rate p50 p99 errs <<<"$(wrk_run "$base$path" "$mode" "$prof")" || exit 1
		if [ -n "$prof" ]; then
			log "$at: $t: profile in $prof.txt"
			{
				perf report -i "$prof.data" --stdio --no-children \
					--sort sym --percent-limit 0.3 -g none
				echo "# by task"
				perf report -i "$prof.data" --stdio --no-children \
					--sort comm --percent-limit 0.5 -g none
				echo "# by object (kernel, kgate.ko, programs)"
				perf report -i "$prof.data" --stdio --no-children \
					--sort dso --percent-limit 0.1 -g none
				echo "# by task and object"
				perf report -i "$prof.data" --stdio --no-children \
					--sort comm,dso --percent-limit 0.3 -g none
			} >"$prof.txt" 2>&1
		fi
		[ -n "$rate" ] || exit 1
		record "$t" rps "$c" "$r" "$rate" "$errs"
		record "$t" p50 "$c" "$r" "$p50"
		record "$t" p99 "$c" "$r" "$p99"
	done
	contender_down "$c" || die "$at: cannot stop $c"
	return 0
}

# skip C WHY: contender C's #skip line (its rows read n/a with WHY).
skip() {
	printf '#skip\t-\t%s\t%s\n' "$1" "$2" >>"$RAW"
}

# --- guest main --------------------------------------------------------------

: >"$RAW" || die "cannot write $RAW"
[ -x "$CLI" ] || die "$CLI not built"
[ "$IDLE" = 0 ] || [ -x "$IDLECONNS" ] || die "$IDLECONNS not built"
for t in wrk nginx haproxy curl ss; do
	command -v "$t" >/dev/null || die "$t missing"
done
[ "$PERF" = 0 ] || command -v perf >/dev/null || die "KGATE_BENCH_L7_PERF: perf missing (Debian: linux-perf)"
ulimit -n $((2 * IDLE + 65536)) || die "ulimit -n"
TMP=$(mktemp -d) || die "mktemp"
trap 'topo_down; rm -rf "$TMP"' EXIT
cp "$CLI" "$TMP/kgate" && "$TMP/kgate" -V >/dev/null 2>&1 && CLI=$TMP/kgate
cp "$IDLECONNS" "$TMP/idleconns" 2>/dev/null && IDLECONNS=$TMP/idleconns
# The proxy runs from a copy of its own name, so that a profile by task
# tells it from the pods' nginx.
NGINX_PROXY=$TMP/nginx-proxy
cp "$(command -v nginx)" "$NGINX_PROXY" || die "cannot copy nginx"
# nginx's workers run as nobody: they read the files and write their
# temporary directories under $TMP.
chmod 755 "$TMP" || die "chmod $TMP"
mkdir -p "$TMP/www" || die "mkdir"
: >"$TMP/www/0" || die "cannot write the files"
head -c 65536 /dev/zero | tr '\0' 'k' >"$TMP/www/64k" || die "cannot write the files"
WORKERS=$(nproc)

# kgate: the module loaded once; can it carry HTTP?
for d in $(modinfo -F depends "$KGATE_KO" | tr ',' ' '); do
	modprobe "$d" || die "modprobe $d"
done
[ ! -d /sys/module/kgate ] || rmmod kgate
insmod "$KGATE_KO" || die "insmod $KGATE_KO"
KGATE_WHY=$(cli_why "$CLI")
if [ -z "$KGATE_WHY" ] && ! out=$("$CLI" listener show 2>&1); then
	KGATE_WHY="the module refuses 'kgate listener show': $(head -n 1 <<<"$out")"
fi

write_confs || die "cannot write the proxies' configurations"
NGINXV=$(nginx -v 2>&1 | sed 's/.*nginx\///')
HAPV=$(haproxy -v 2>&1 | awk 'NR == 1 { print $3 }')
log "$(uname -r): $ROUNDS rounds, contenders $CONTENDERS; wrk -c$CONNS -d${DURATION}s; $IDLE idle connections; nginx $NGINXV, HAProxy $HAPV, $WORKERS workers"
meta kernel "$(uname -r)"
meta rounds "$ROUNDS"
meta duration "$DURATION"
meta conns "$CONNS"
meta idle "$IDLE"
meta workers "$WORKERS"
meta nginx "$NGINXV"
meta haproxy "$HAPV"
meta guest "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo), cmdline: $(tr -d '\n' </proc/cmdline | sed 's/.*panic=-1 *//')"
meta kgate_ko_sha256 "$(sha256sum "$KGATE_KO" | cut -c1-16)"
if [ -n "$KGATE_WHY" ] && [[ " $CONTENDERS " == *" kgate "* ]]; then
	log "SKIP kgate: $KGATE_WHY; its rows read n/a"
	skip kgate "$KGATE_WHY"
fi

# Warm-up, untimed: each proxy once (binaries and libraries come over 9p).
log "warm-up: nginx and HAProxy once each (not measured)"
topo_up || die "cannot set up the namespaces"
for c in "${CONT_LIST[@]}"; do
	case $c in nginx | haproxy) ;; *) continue ;; esac
	contender_up "$c" || die "warm-up: cannot start $c"
	check_files "http://$NODE_IP:80"
	client wrk -t1 -c2 -d1s "http://$NODE_IP:80/0" >/dev/null 2>&1
	contender_down "$c"
	sleep 0.5
done

nc=${#CONT_LIST[@]}
for ((r = 1; r <= ROUNDS; r++)); do
	for ((j = 0; j < nc; j++)); do
		c=${CONT_LIST[$(((j + r - 1) % nc))]}
		if [ "$c" = kgate ] && [ -n "$KGATE_WHY" ]; then
			log "round $r of $ROUNDS: kgate: SKIP: $KGATE_WHY"
			continue
		fi
		log "round $r of $ROUNDS: $c: fresh namespaces"
		topo_up || die "cannot set up the namespaces"
		phase "$c" "$r"
		if [ $? = 2 ]; then
			log "round $r of $ROUNDS: kgate: SKIP: $KGATE_WHY"
			skip kgate "$KGATE_WHY"
		fi
	done
done

log "done; unloading kgate"
topo_down
rmmod kgate || die "rmmod kgate"
exit 0
