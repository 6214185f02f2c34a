#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Manifests benchmark: Kubernetes YAML to kernel state with `kgate apply`
# (and kgated's paths when it is built: files, and the API server's watch),
# in the test VM.
#
#   tests/bench/apply.sh [VER...]
#       On the host: one VM boot per kernel VER (default: every kernel with a
#       module under build/kmod) runs the measurements below, then the
#       results are summarised into build/bench/ (files below) and the table
#       is printed.  Needs build/kmod/VER/kgate.ko and build/userspace/kgate
#       (build/userspace/kgated too for its rows): tests/bench/run.sh
#       (make bench) builds them and is the usual way in.
#   In the VM (KGATE_KO set and the running kernel KGATE_KVER, as
#       tests/vm/run.sh arranges): measure, write the samples to
#       $KGATE_OUT/apply.raw.tsv.  (It calls itself with --round R TMP and
#       --kgated R TMP for each round, each in a new network namespace.)
#
# Input (tests/bench/genmanifests.py, made in the guest): N Services
# (default 10000) of one port each, one EndpointSlice per Service with 5
# ready endpoints (5 x N endpoints), and N / 10 Ingress rules: 100
# Ingresses x 10 hosts of one path each at N = 10000, so 1000 hosts, 1000
# kgate routes on one listener; files of 100 objects each.
#
# Figures, per round (ROUNDS rounds, default 3), in this order, each round
# in a new network namespace (an empty kernel table):
#   diff     `kgate apply --diff -f DIR >/dev/null` into the empty table:
#            load, translate, read the kernel, diff; nothing sent
#   first    `kgate apply -f DIR` into the empty table, end to end
#   send     first - diff of the round: the netlink transaction
#   second   the same apply again: nothing to send (checked: "0 added, 0
#            replaced, 0 deleted" and the same generation)
#   change   `kgate apply -f DIR` after one EndpointSlice file changed (one
#            endpoint moved; the file replaced by a rename), REPS times
#            (default 3) on slices spread over the input; each checked with
#            `kgate service show`
#   rss      peak RSS of a first apply (a run of its own after a flush, so
#            that the timed one is not wrapped): GNU time's %M, or VmHWM
#            polled from /proc when GNU time is missing
# With build/userspace/kgated, in a second new namespace per round:
#   kgated-start   `kgated -c FILE` (manifests: [DIR], debounce DEBOUNCE
#                  ms) started to its first COMMIT, as `kgate monitor` sees
#   kgated-change  a slice file renamed into DIR to the COMMIT that carries
#                  it (`kgate monitor`, its lines timestamped as they
#                  arrive), REPS times, with the shipped debounce (200 ms;
#                  nothing subtracted: kgated applies a change after a
#                  quiet period at once)
#   kgated-change-nodebounce  the same after SIGHUP to debounceMs 0
#   kgated-rss     kgated's VmHWM after those changes (VmRSS kept too)
# And in a third new namespace per round, kgated following the Kubernetes
# API server (api: {server: URL}): tests/k8s/apiserver.py, the tests'
# STAND-IN for it (Python, in the guest, on 127.0.0.1), loaded with the same
# objects as JSON (genmanifests.py json and load: one put of them all, then
# a compaction), a client that holds its connection for the puts
# (genmanifests.py put -, a coprocess) and a second watcher of the
# EndpointSlices (genmanifests.py watch), both Python:
#   kgated-api-load   that load (part of no other figure)
#   kgated-api-start  `kgated -c FILE` started to its first COMMIT;
#                     kgated-api-lists: its LIST requests, the first to the
#                     last (the stand-in's request log)
#   kgated-api-change one EndpointSlice MODIFIED by /_control/put, from just
#                     before the put is sent to the COMMIT that carries it
#                     (kgate monitor, as above): the stand-in's answer and
#                     its watch event are in it; REPS times with the shipped
#                     debounce, then REPS after SIGHUP to debounceMs 0
#                     (kgated-api-change-nodebounce); of each, -put: until
#                     the put was answered, -event: from when the second
#                     watcher read the event (about when the stand-in wrote
#                     it to kgated's watch too) to the COMMIT; then REPS
#                     after SIGHUP back to the shipped debounce
#                     (kgated-api-change-reloaded: what a reload changes)
#   kgated-api-rss    kgated's VmHWM after those changes (VmRSS kept too)
# Processes are timed with bash's $EPOCHREALTIME around the command
# (process start and exit included), after one untimed --diff that warms
# the caches; the guest settles (lib.sh) before each.  Goals (from issue 9; reported, never failed on): all of it
# applied in under 3 s; one EndpointSlice change in the kernel in under
# 10 ms.  Beside them, kube-proxy's published figures for the same work
# (not measured here).  A TCG guest is slow and noisy.
#
# Files, for kernel VER, under build/bench/:
#   apply-VER.txt          the table
#   apply-VER.tsv          the summary, one row per figure (seconds; KiB
#                          for memory), with a header line
#   apply-VER-samples.tsv  every sample: figure, contender, round, value
#                          (plus "#meta" lines)
#   apply-VER.dat          the plot's data
#   apply-VER.png          medians as bars, min..max error bars, goal lines,
#                          the published figures in grey
#                          (tests/bench/apply.gp; gnuplot)
#   apply-VER-perf-api-change.txt  with KGATE_BENCH_APPLY_API_PERF=1
#   apply-VER-perf-files-change.txt  with KGATE_BENCH_APPLY_FILES_PERF=1
# (and kgated's log of the last API round in build/vm/VER/out/
# apply-kgated-api.log).
#
# Guest kernel: the VM runner's debug options (slub_debug, KFENCE) are off
# unless KGATE_VM_APPEND is set, as for the L4 and L7 benchmarks: they add
# to every allocation of the kernel's staging and commit.
#
# Environment: KGATE_BENCH_APPLY_N (10000, at most 65536),
# KGATE_BENCH_APPLY_REPS (3), KGATE_BENCH_APPLY_DEBOUNCE (kgated's
# debounce, ms, 200: the shipped default), KGATE_BENCH_ROUNDS (3),
# KGATE_BENCH_APPLY_PERF (1: after round 1, a first and a second apply
# each under perf record -a -g in the guest, untimed; reports by symbol,
# task and object in apply-VER-perf-first.txt and
# apply-VER-perf-second.txt), KGATE_BENCH_APPLY_API (1; 0: no API
# rounds), KGATE_BENCH_APPLY_API_PERF (1: after round 1's API figures, 20
# more puts back to back under perf record -a -g in the guest, untimed;
# the report by process, then kgated and the stand-in by symbol),
# KGATE_BENCH_APPLY_FILES_PERF (1: the same for 20 more renames of
# slice files, after round 1's kgated figures); perf is
# Debian's linux-perf.  Exit status: 0, or 1 if something was refused or
# failed (never because of a goal).

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
N=${KGATE_BENCH_APPLY_N:-10000}
REPS=${KGATE_BENCH_APPLY_REPS:-3}
DEBOUNCE=${KGATE_BENCH_APPLY_DEBOUNCE:-200}
ROUNDS=${KGATE_BENCH_ROUNDS:-3}
PERF=${KGATE_BENCH_APPLY_PERF:-0}
API=${KGATE_BENCH_APPLY_API:-1}
API_PERF=${KGATE_BENCH_APPLY_API_PERF:-0}
FILES_PERF=${KGATE_BENCH_APPLY_FILES_PERF:-0}
PERF_CHANGES=20
CLI=$TOP/build/userspace/kgate
KGATED=$TOP/build/userspace/kgated
GEN=$TOP/tests/bench/genmanifests.py
PY=/usr/bin/python3
GNUTIME=/usr/bin/time
OUTDIR=$TOP/build/bench

log() { echo "bench apply: $*" >&2; }
die() { log "error: $*"; exit 1; }

# usec, since, settle, bench_src, bench_kernels, bench_vm
# shellcheck source=tests/bench/lib.sh
. "$TOP/tests/bench/lib.sh" || { echo "bench apply: cannot read tests/bench/lib.sh" >&2; exit 1; }

for v in N REPS ROUNDS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "KGATE_BENCH_${v/N/APPLY_N} must be a positive number"
done
[[ $DEBOUNCE =~ ^[0-9]+$ ]] || die "KGATE_BENCH_APPLY_DEBOUNCE must be a number of ms"
[[ $API$API_PERF$FILES_PERF =~ ^[01][01][01]$ ]] ||
	die "KGATE_BENCH_APPLY_API, _API_PERF and _FILES_PERF are 0 or 1"
[ "$N" -le 65536 ] || die "KGATE_BENCH_APPLY_N is at most 65536"

# --- host side: summary ---------------------------------------------------

# summarize RAW VER: write the summary TSV, the table and the plot data of
# kernel VER from the samples in RAW; print the table.
summarize() {
	local raw=$1 ver=$2 base=$OUTDIR/apply-$2

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
	# v (seconds; KiB for memory) in the unit of row r, with and without it
	function num(r, v) {
		if (unit[r] == "ms")
			return sprintf("%.3f", v * 1000)
		if (unit[r] == "MiB")
			return sprintf("%.1f", v / 1024)
		return sprintf("%.3f", v)
	}
	function show(r, v) { return num(r, v) " " unit[r] }
	# row r: figure f of contender c, shown in unit u, after subtracting
	# off (seconds: the debounce)
	function row(r, f, c, u, l1, l2, off) {
		rows[++nrow] = r; fk[r] = f SUBSEP c; unit[r] = u
		lab1[r] = l1; lab2[r] = l2; offs[r] = off
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
		}
		for (fc in nr) {
			for (j = 1; j <= nr[fc]; j++)
				a[j] = rv[fc, j]
			sort(a, nr[fc])
			med[fc] = median(a, nr[fc]); lo[fc] = a[1]; hi[fc] = a[nr[fc]]
			rt = ""
			for (j = 1; j <= nr[fc]; j++)
				rt = rt (j > 1 ? "," : "") rv[fc, j]
			rounds_txt[fc] = rt
		}
		n = meta["services"]; deb = meta["debounce_ms"] / 1000
		kd = meta["kgated"] == "yes"
		row("first", "first", "kgate-apply", "s", \
			sprintf("1. apply all, empty kernel"), "kgate apply -f DIR, end to end")
		row("diff", "diff", "kgate-apply", "s", \
			"   part: load+translate+diff", "kgate apply --diff -f DIR, nothing sent")
		row("send", "send", "kgate-apply", "s", \
			"   part: netlink transaction", "the difference of the two")
		row("second", "second", "kgate-apply", "s", \
			"2. second apply, same input", "kgate apply -f DIR, nothing to send")
		row("change", "change", "kgate-apply", "ms", \
			"3. one EndpointSlice change", "kgate apply -f DIR, whole process")
		row("kd-change", "kgated-change", "kgated", "ms", "", \
			sprintf("kgated: rename -> COMMIT, debounce %d ms", meta["debounce_ms"]))
		row("kd-change-own", "kgated-change-own", "kgated", "ms", "", \
			"   part: in kgated: read -> acked")
		row("kd-change0", "kgated-change-nodebounce", "kgated", "ms", "", \
			"kgated: rename -> COMMIT, debounce 0 ms")
		row("kd-change0-own", "kgated-change-nodebounce-own", "kgated", "ms", "", \
			"   part: in kgated: read -> acked")
		row("kd-api-change", "kgated-api-change", "kgated", "ms", "", \
			sprintf("kgated api: put sent -> COMMIT, debounce %d", meta["debounce_ms"]))
		row("kd-api-put", "kgated-api-change-put", "kgated", "ms", "", \
			"   part: the put sent -> answered")
		row("kd-api-ev", "kgated-api-change-event", "kgated", "ms", "", \
			"   part: watch event read -> COMMIT")
		row("kd-api-own", "kgated-api-change-own", "kgated", "ms", "", \
			"   part: in kgated: read -> acked")
		row("kd-api-change0", "kgated-api-change-nodebounce", "kgated", "ms", "", \
			"kgated api: put sent -> COMMIT, debounce 0")
		row("kd-api-put0", "kgated-api-change-nodebounce-put", "kgated", "ms", "", \
			"   part: the put sent -> answered")
		row("kd-api-ev0", "kgated-api-change-nodebounce-event", "kgated", "ms", "", \
			"   part: watch event read -> COMMIT")
		row("kd-api-own0", "kgated-api-change-nodebounce-own", "kgated", "ms", "", \
			"   part: in kgated: read -> acked")
		row("kd-api-change1", "kgated-api-change-reloaded", "kgated", "ms", "", \
			sprintf("   again, debounce %d after SIGHUP", meta["debounce_ms"]))
		row("kd-start", "kgated-start", "kgated", "s", \
			"   kgated start", "kgated -c FILE to its first COMMIT")
		row("kd-api-start", "kgated-api-start", "kgated", "s", "", \
			"kgated api.server to its first COMMIT")
		row("kd-api-lists", "kgated-api-lists", "kgated", "s", "", \
			"   part: its LISTs, first to last asked")
		row("kd-api-load", "kgated-api-load", "kgated", "s", "", \
			"   not in it: loading the stand-in")
		row("rss", "rss", "kgate-apply", "MiB", \
			"4. peak RSS", sprintf("kgate apply -f DIR (%s)", meta["rss_tool"]))
		row("kd-rss", "kgated-rss", "kgated", "MiB", "", \
			"kgated: VmHWM after the changes")
		row("kd-rss-now", "kgated-rss-now", "kgated", "MiB", "", \
			"kgated: VmRSS after the changes")
		row("kd-api-rss", "kgated-api-rss", "kgated", "MiB", "", \
			"kgated api: VmHWM after the changes")
		row("kd-api-rss-now", "kgated-api-rss-now", "kgated", "MiB", "", \
			"kgated api: VmRSS after the changes")
		goal["first"] = 3; goal["change"] = 0.01; goal["kd-change"] = 0.01
		goal["kd-change0"] = goal["kd-api-change"] = goal["kd-api-change0"] = 0.01
		gtxt["first"] = "< 3 s"; gtxt["change"] = gtxt["kd-change"] = "< 10 ms"
		gtxt["kd-change0"] = gtxt["kd-api-change"] = gtxt["kd-api-change0"] = "< 10 ms"
		goal["kd-change-own"] = goal["kd-change0-own"] = 0.01
		goal["kd-api-own"] = goal["kd-api-own0"] = 0.01
		gtxt["kd-change-own"] = gtxt["kd-change0-own"] = "< 10 ms"
		gtxt["kd-api-own"] = gtxt["kd-api-own0"] = "< 10 ms"
		api = meta["api"] == "1"
		scaled = n != 10000 ? sprintf(" (at %d; the goal is at 10000)", n) : ""

		printf "kgate apply: Kubernetes manifests to the kernel, kernel %s (TCG guest: slow and noisy)\n", ver > txt
		printf "input: %d Services, %d EndpointSlices x 5 ready endpoints (%d), %d Ingress rules (%d Ingresses\n", \
			n, n, 5 * n, meta["rules"], meta["ingresses"] > txt
		printf "x up to 10 hosts, one path each: %d routes on one listener); %d files, %.1f MB of YAML\n", \
			meta["rules"], meta["files"], meta["bytes"] / 1e6 > txt
		printf "%d rounds, each in a new netns; change: median of %d per round; shown: median and min..max of the rounds\n", \
			meta["rounds"], meta["reps"] > txt
		printf "kgate: commit %s; kgate.ko sha256 %s...\n\n", src, meta["kgate_ko_sha256"] > txt
		printf "%-30s %-46s %12s  %-22s %s\n", "figure", "how", "median", "min..max", "goal" > txt
		print "figure\tcontender\tlabel\trounds\tmedian\tmin\tmax\tunit\tgoal\tgoal_met\tround_values\tsource" > tsv
		for (i = 1; i <= nrow; i++) {
			r = rows[i]; fc = fk[r]; split(fc, p, SUBSEP)
			if (fc in med) {
				m = med[fc] - offs[r]; l = lo[fc] - offs[r]; h = hi[fc] - offs[r]
				ms = show(r, m); range = num(r, l) ".." show(r, h)
			} else if (p[2] == "kgated") {
				ms = "n/a"
				range = !kd ? "kgated not built" : \
					(p[1] ~ /^kgated-api-/ && !api) ? "not run (see below)" : \
					"no data (see the log)"
			} else {
				ms = "-"; range = "no data"
			}
			g = ""; gm = ""
			if ((r in goal) && (fc in med)) {
				gm = m < goal[r] ? "met" : "NOT met"
				g = gtxt[r] ": " gm scaled
			} else if (r in goal) {
				g = gtxt[r] ": not measured"
			}
			printf "%-30s %-46s %12s  %-22s %s\n", lab1[r], lab2[r], ms, range, g > txt
			if (fc in med) {
				printf "%s\t%s\t%s\t%d\t%.6f\t%.6f\t%.6f\t%s\t%s\t%s\t%s\tmeasured\n", \
					p[1], p[2], lab2[r], nr[fc], m, l, h, \
					unit[r] == "MiB" ? "KiB" : "s", \
					(r in goal) ? goal[r] : "", gm, rounds_txt[fc] > tsv
				pv[r] = num(r, m); pl[r] = num(r, l); ph[r] = num(r, h)
			} else {
				pv[r] = pl[r] = ph[r] = "NaN"
			}
		}
		# kube-proxy: published figures, fixed
		print "" > txt
		print "5. kube-proxy, PUBLISHED figures (not measured here), for the same work:" > txt
		np = split("nftables: add 1 Service, 10k present|0.141|PR 126013 (partial sync)|" \
			"nftables: create 10k Services|540|PR 126013|" \
			"NetworkProgrammingLatency p50, 100 nodes|1.5|PR 124272", pub, "|")
		for (i = 1; i <= np; i += 3) {
			v = pub[i + 1]
			if (v < 1)
				vs = sprintf("%d ms", v * 1000)
			else if (v >= 60)
				vs = sprintf("%d min", v / 60)
			else
				vs = sprintf("%.1f s", v)
			printf "   %-50s %12s  %s\n", pub[i], vs, "Kubernetes " pub[i + 2] > txt
			printf "kube-proxy\tpublished\t%s\t0\t%s\t%s\t%s\ts\t\t\t\t%s\n", pub[i], v, v, v, \
				"published: Kubernetes " pub[i + 2] > tsv
		}
		print "" > txt
		print "send = first - diff of the same round (the part of the apply that talks to the kernel)." > txt
		if (!kd)
			print "kgated rows: n/a: kgated not built (build/userspace/kgated missing)." > txt
		if (kd && !api)
			print "kgated api rows: not run (KGATE_BENCH_APPLY_API=0)." > txt
		if (kd && api) {
			print "kgated api: kgated with api.server following tests/k8s/apiserver.py, a STAND-IN for the API" > txt
			print "server (Python, in the guest), loaded with the same objects as JSON (the load not timed in" > txt
			print "the start; the stand-in compacted after it). A change: one EndpointSlice put (/_control/put)" > txt
			print "by a client holding its connection; timed from just before the request is sent to the COMMIT" > txt
			print "that carries it (kgate monitor), so the stand-in (answering the put, writing the watch event)" > txt
			print "is in it. Parts: until the put was answered; and from when a second watcher (Python, in the" > txt
			print "guest) read the MODIFIED event, near when the stand-in wrote it to the watch of kgated, to the" > txt
			print "COMMIT (the two overlap: the stand-in writes the event and answers the put at about one time)." > txt
		}
		if (kd && meta["pinned"] != "")
			print "kgated rounds: " meta["pinned"] "." > txt
		if (kd) {
			print "\"in kgated\": from the log of kgated itself, from the wake-up (poll) that read the change to the" > txt
			print "acknowledgement of the commit by the kernel (\"sync: ..., N ms after the change\")." > txt
		}

		# Plot data: block 0 seconds, block 1 milliseconds, block 2 MiB;
		# each row: label, median, min, max, 0 measured / 1 published.
		printf "# seconds\n" > dat
		printf "\"first\\napply\" %s %s %s 0\n", pv["first"], pl["first"], ph["first"] > dat
		printf "\"load +\\ntranslate\\n+ diff\" %s %s %s 0\n", pv["diff"], pl["diff"], ph["diff"] > dat
		printf "\"netlink\\ntxn\" %s %s %s 0\n", pv["send"], pl["send"], ph["send"] > dat
		printf "\"second\\napply\" %s %s %s 0\n", pv["second"], pl["second"], ph["second"] > dat
		printf "\"kgated\\nstart\" %s %s %s 0\n", pv["kd-start"], pl["kd-start"], ph["kd-start"] > dat
		printf "\"kgated api\\nstart\" %s %s %s 0\n", pv["kd-api-start"], pl["kd-api-start"], ph["kd-api-start"] > dat
		printf "\"kube-proxy\\nnft, 10k\\n(published)\" 540 540 540 1\n" > dat
		printf "\n\n# milliseconds\n" > dat
		printf "\"kgate\\napply\" %s %s %s 0\n", pv["change"], pl["change"], ph["change"] > dat
		printf "\"kgated\\n(%d ms\\ndebounce)\" %s %s %s 0\n", meta["debounce_ms"], pv["kd-change"], pl["kd-change"], ph["kd-change"] > dat
		printf "\"kgated\\n(0 ms\\ndebounce)\" %s %s %s 0\n", pv["kd-change0"], pl["kd-change0"], ph["kd-change0"] > dat
		printf "\"kgated api\\nput (%d ms\\ndebounce)\" %s %s %s 0\n", meta["debounce_ms"], pv["kd-api-change"], pl["kd-api-change"], ph["kd-api-change"] > dat
		printf "\"kgated api\\nput (0 ms\\ndebounce)\" %s %s %s 0\n", pv["kd-api-change0"], pl["kd-api-change0"], ph["kd-api-change0"] > dat
		printf "\"kube-proxy\\nnft, 1 svc\\n(published)\" 141 141 141 1\n" > dat
		printf "\"kube-proxy\\nNPL p50\\n(published)\" 1500 1500 1500 1\n" > dat
		printf "\n\n# MiB\n" > dat
		printf "\"kgate apply\\npeak RSS\" %s %s %s 0\n", pv["rss"], pl["rss"], ph["rss"] > dat
		printf "\"kgated\\nVmHWM\" %s %s %s 0\n", pv["kd-rss"], pl["kd-rss"], ph["kd-rss"] > dat
		printf "\"kgated\\nVmRSS\" %s %s %s 0\n", pv["kd-rss-now"], pl["kd-rss-now"], ph["kd-rss-now"] > dat
		printf "\"kgated api\\nVmHWM\" %s %s %s 0\n", pv["kd-api-rss"], pl["kd-api-rss"], ph["kd-api-rss"] > dat
		printf "\"kgated api\\nVmRSS\" %s %s %s 0\n", pv["kd-api-rss-now"], pl["kd-api-rss-now"], ph["kd-api-rss-now"] > dat
	}' "$raw" || return 1
	cat "$base.txt"
}

# plot VER: the PNG of kernel VER (a missing gnuplot is not an error).
plot() {
	local ver=$1 base=$OUTDIR/apply-$1 n rounds kd
	if ! command -v gnuplot >/dev/null; then
		log "gnuplot missing: no plot (tests/tools/deps.sh installs gnuplot-nox)"
		return 0
	fi
	n=$(awk -F '\t' '$1 == "#meta" && $2 == "services" { print $3 }' "$base-samples.tsv")
	rounds=$(awk -F '\t' '$1 == "#meta" && $2 == "rounds" { print $3 }' "$base-samples.tsv")
	kd=$(awk -F '\t' '$1 == "#meta" && $2 == "kgated" { print $3 == "yes" }' "$base-samples.tsv")
	gnuplot -e "dat='$base.dat'; out='$base.png'; kver='$ver'; n=${n:-0}; rounds=${rounds:-0}; kgated=${kd:-0}" \
		"$TOP/tests/bench/apply.gp" || { log "gnuplot failed"; return 1; }
}

if [ -z "${KGATE_KO-}" ] || [ "${KGATE_KVER-}" != "$(uname -r)" ]; then
	vers=("$@")
	if [ ${#vers[@]} = 0 ]; then
		mapfile -t vers < <(bench_kernels "$TOP")
	fi
	[ ${#vers[@]} -gt 0 ] || die "no module built (make module KVER=...)"
	[ -x "$CLI" ] || die "$CLI not built (make userspace, or make bench)"
	[ -x "$PY" ] || die "$PY missing (Debian's python3; tests/tools/deps.sh installs it)"
	if [ ! -x "$KGATED" ]; then
		log "build/userspace/kgated not built: its rows will be n/a"
	fi
	# No allocator debugging in the guest (see the header).
	export KGATE_VM_APPEND=${KGATE_VM_APPEND-slub_debug=- kfence.sample_interval=0}
	mkdir -p "$OUTDIR"
	rc=0
	i=0
	for v in "${vers[@]}"; do
		i=$((i + 1))
		[ -f "$TOP/build/kmod/$v/kgate.ko" ] || die "build/kmod/$v/kgate.ko not built (make module KVER=$v)"
		log "kernel $i of ${#vers[@]}: $v: booting the VM ($ROUNDS rounds, $N services)"
		bench_vm apply "$v" "$i" "${#vers[@]}" || rc=1
	done
	exit $rc
fi

# --- guest side -------------------------------------------------------------

RAW=$KGATE_OUT/apply.raw.tsv

meta() { printf '#meta\t%s\t%s\n' "$1" "$2" >>"$RAW"; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }
# stat_of NAME: one figure of `kgate stats`.
stat_of() { "$CLI" stats | awk -v k="$1" '$1 == k { print $2 }'; }
# kgate_count: "SERVICES BACKENDS LISTENERS ROUTES" as kgate reports them.
kgate_count() {
	"$CLI" stats | awk '$1 == "services" { s = $2 } $1 == "backends" { b = $2 }
		$1 == "listeners" { l = $2 } $1 == "routes" { r = $2 }
		END { print s + 0, b + 0, l + 0, r + 0 }'
}
expect() { # expect WHAT GOT WANT
	[ "$2" = "$3" ] || die "$1: expected $3 (services backends listeners routes), found $2"
}
# diff_s A B: A - B, both S.UUUUUU, as S.UUUUUU (never below 0).
diff_s() {
	local d=$(($(usec "$1") - $(usec "$2")))
	[ $d -ge 0 ] || d=0
	printf '%d.%06d' $((d / 1000000)) $((d % 1000000))
}
# change_idx K: the slice that change K touches (spread over the input).
change_idx() { echo $((($1 * 7919 + 17) % N)); }
# stage K V: slice svc-K-a's last endpoint moved to variant V (0: back),
# its file renamed into the input; prints "TIME ADDRESS".
stage() { "$PY" "$GEN" change "$M" "$N" "$1" "$2" "$TMP/stage"; }
# shows K ADDR: kgate shows ADDR as a backend of svc-K.
shows() { "$CLI" service show "bench/svc-$1:80" | grep -q "backend ${2//./\\.}:8080"; }

# peak_rss OUT CMD...: run CMD (output to OUT), print its peak RSS in KiB.
peak_rss() {
	local out=$1 pid hwm=0 h st
	shift
	if [ -x "$GNUTIME" ]; then
		"$GNUTIME" -f %M -o "$TMP/rss" "$@" >"$out" || return 1
		tail -n1 "$TMP/rss"
		return 0
	fi
	# No GNU time: VmHWM, a high-water mark, read until the process ends.
	"$@" >"$out" &
	pid=$!
	while h=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$pid/status" 2>/dev/null) && [ -n "$h" ]; do
		hwm=$h
		sleep 0.01
	done
	wait "$pid"
	st=$?
	echo "$hwm"
	return $st
}

# profile NAME CMD...: CMD under perf record -a -g (cpu-clock), its report
# in $KGATE_OUT/apply-perf-NAME.txt (by symbol, by task, by object).
profile() {
	local name=$1 data=$TMP/perf-$1.data
	shift
	perf record -q -a -g -F 999 -o "$data" -- "$@" >/dev/null || return 1
	{
		perf report -i "$data" --stdio --no-children --sort sym \
			--percent-limit 0.3 -g none
		echo "# by task"
		perf report -i "$data" --stdio --no-children --sort comm \
			--percent-limit 0.5 -g none
		echo "# by task and object (kernel, kgate.ko, programs)"
		perf report -i "$data" --stdio --no-children --sort comm,dso \
			--percent-limit 0.3 -g none
		echo "# kgate by symbol, with callers"
		perf report -i "$data" --stdio --no-children --comm kgate \
			--sort sym --percent-limit 2 -g graph,1,callee
	} >"$KGATE_OUT/apply-perf-$name.txt" 2>&1
	rm -f "$data"
}

# apply_round R: the kgate apply figures of round R (an empty kernel).
apply_round() {
	local r=$1 at="round $1 of $ROUNDS" t0 t1 td out gen k v i addr
	local k0=$((($1 - 1) * REPS)) want="$N $((5 * N)) 1 $RULES"

	settle
	log "$at: apply --diff into the empty kernel (nothing sent)"
	t0=$EPOCHREALTIME
	"$CLI" apply --diff -f "$M" >/dev/null || die "kgate apply --diff refused"
	td=$(since "$t0")
	record diff kgate-apply "$r" "$td"
	expect "kgate after apply --diff" "$(kgate_count)" "0 0 0 0"

	settle
	log "$at: first apply ($N services, $((5 * N)) endpoints, $RULES Ingress rules)"
	t0=$EPOCHREALTIME
	"$CLI" apply -f "$M" >"$TMP/apply.out" || die "kgate apply refused"
	t1=$(since "$t0")
	record first kgate-apply "$r" "$t1"
	record send kgate-apply "$r" "$(diff_s "$t1" "$td")"
	expect "kgate after the first apply" "$(kgate_count)" "$want"
	tail -n1 "$TMP/apply.out" | grep -qE "^$((N + RULES + 1)) added, 0 replaced, 0 deleted, 0 unchanged$" ||
		die "first apply: $(tail -n1 "$TMP/apply.out")"
	gen=$(stat_of generation)

	settle
	log "$at: second apply (nothing to send)"
	t0=$EPOCHREALTIME
	"$CLI" apply -f "$M" >"$TMP/apply.out" || die "second kgate apply refused"
	record second kgate-apply "$r" "$(since "$t0")"
	tail -n1 "$TMP/apply.out" | grep -qE "^0 added, 0 replaced, 0 deleted, $((N + RULES + 1)) unchanged$" ||
		die "second apply: $(tail -n1 "$TMP/apply.out")"
	[ "$(stat_of generation)" = "$gen" ] || die "second apply: the generation moved"

	for ((i = 0; i < REPS; i++)); do
		k=$(change_idx $((k0 + i))); v=$((k0 + i + 1))
		out=$(stage "$k" "$v") || die "genmanifests.py change"
		addr=${out#* }
		settle
		log "$at: one EndpointSlice change, $((i + 1)) of $REPS (svc-$k-a)"
		t0=$EPOCHREALTIME
		"$CLI" apply -f "$M" >"$TMP/apply.out" || die "kgate apply after a change refused"
		record change kgate-apply "$r" "$(since "$t0")"
		if ! grep -q "^service bench/svc-$k:80 replaced$" "$TMP/apply.out" ||
			! tail -n1 "$TMP/apply.out" | grep -q "^0 added, 1 replaced, 0 deleted, "; then
			die "apply after a change: $(tr '\n' ' ' <"$TMP/apply.out")"
		fi
		shows "$k" "$addr" || die "kgate does not show $addr in svc-$k after the change"
	done
	log "$at: the changed slices back as they were"
	for ((i = 0; i < REPS; i++)); do
		stage "$(change_idx $((k0 + i)))" 0 >/dev/null || die "genmanifests.py change"
	done
	"$CLI" apply -f "$M" >/dev/null || die "kgate apply of the original input refused"

	"$CLI" flush >/dev/null || die "kgate flush"
	settle
	log "$at: peak RSS of a first apply"
	out=$(peak_rss "$TMP/apply.out" "$CLI" apply -f "$M") || die "kgate apply (RSS) refused"
	[[ $out =~ ^[0-9]+$ ]] || die "no peak RSS: '$out'"
	record rss kgate-apply "$r" "$out"
	expect "kgate after the apply (RSS)" "$(kgate_count)" "$want"
	"$CLI" flush >/dev/null || die "kgate flush"

	[ "$PERF" = 1 ] && [ "$r" = 1 ] || return 0
	settle
	log "$at: a first apply under perf record (untimed)"
	profile first "$CLI" apply -f "$M" || die "kgate apply (perf) refused"
	expect "kgate after the apply (perf)" "$(kgate_count)" "$want"
	settle
	log "$at: a second apply under perf record (untimed)"
	profile second "$CLI" apply -f "$M" || die "kgate apply (perf) refused"
	"$CLI" flush >/dev/null || die "kgate flush"
}

# has_socket PID: the process holds a socket.
has_socket() {
	local f
	for f in /proc/"$1"/fd/*; do
		[[ $(readlink "$f" 2>/dev/null) == socket:* ]] && return 0
	done
	return 1
}
# mon_start: `kgate monitor`'s COMMIT lines, each prefixed with the
# $EPOCHREALTIME it arrived at, appended to $TMP/mon.log.
mon_start() {
	local deadline=$((SECONDS + 20))
	: >"$TMP/mon.log"
	rm -f "$TMP/mon1" "$TMP/mon2"
	mkfifo "$TMP/mon1" "$TMP/mon2" || return 1
	"$CLI" monitor >"$TMP/mon1" &
	MON_PID=$!
	grep --line-buffered '^commit ' <"$TMP/mon1" >"$TMP/mon2" &
	while IFS= read -r l; do
		echo "$EPOCHREALTIME $l"
	done <"$TMP/mon2" >>"$TMP/mon.log" &
	MON_READER=$!
	# for nap: a FIFO that nobody writes, held open for reading
	rm -f "$TMP/nap"
	mkfifo "$TMP/nap" && exec {NAP_FD}<>"$TMP/nap" || return 1
	# subscribed once it holds its netlink socket (then a little more)
	until has_socket "$MON_PID"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
	sleep 0.5
}
mon_stop() {
	kill "$MON_PID" 2>/dev/null
	wait "$MON_PID" "$MON_READER" 2>/dev/null
}
# nap: 50 ms, without a process: what waits for a COMMIT runs beside what
# makes it, on the guest's two CPUs, and in a TCG guest starting a process
# (sleep, awk) costs tens of ms of CPU.
nap() { read -r -t 0.05 -u "$NAP_FD" _; }
# commit_after T SECONDS: the arrival time of the first COMMIT after T,
# waiting up to SECONDS for it (by bash's builtins only: see nap).
commit_after() {
	local deadline=$((SECONDS + $2)) after=$((10#${1/./})) t l
	while :; do
		while read -r t l; do
			[[ $t =~ ^[0-9]+\.[0-9]{6}$ ]] || continue
			((10#${t/./} > after)) && { echo "$t"; return 0; }
		done <"$TMP/mon.log"
		[ $SECONDS -lt $deadline ] || return 1
		nap
	done
}
# until_full T WANT: wait (up to 600 s) until kgate_count is WANT; print
# when the last COMMIT before that arrived (after T), or the time of the
# poll that saw it (events lost: the monitor's buffer overran).
until_full() {
	local deadline=$((SECONDS + 600)) t
	while :; do
		t=$EPOCHREALTIME
		[ "$(kgate_count)" = "$2" ] && break
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
	awk -v t0="$1" -v t="$t" '$1 > t0 { c = $1 } END { print c != "" ? c : t }' "$TMP/mon.log"
}
kgated_fail() {
	log "round $R of $ROUNDS: kgated: $*"
	[ -s "$TMP/kgated.log" ] && tail -n 20 "$TMP/kgated.log" | sed 's/^/  kgated: /' >&2
	kill "$KD_PID" 2>/dev/null
	wait "$KD_PID" 2>/dev/null
	mon_stop
	exit 1
}

# pin_round: in a kgated round with 2 CPUs or more, the round (the
# shell, the stand-in, the watcher, the putter, the monitor) on CPU 0;
# kgated then runs under "${KD_PIN[@]}" on CPU 1.  Without it, the
# Python stand-in answering a put and writing the event to two watches
# shares kgated's CPU, and a change's time in kgated is mostly waiting.
KD_PIN=()
pin_round() {
	[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null || return 0
	taskset -pc 0 $$ >/dev/null || return 0
	KD_PIN=(taskset -c 1)
}

# syncs: the sync lines kgated logged so far
syncs() { grep -c 'info: sync: ' "$TMP/kgated.log"; }
# own_after N: seconds from kgated's first sync line after its first N
# that sent something: kgated's own clock from the wake-up that read the
# change to the commit's acknowledgement ("..., 4.2 ms after the change").
# It is logged just after the commit the monitor saw: waited for, 10 s.
own_after() {
	local deadline=$((SECONDS + 10)) v
	while :; do
		v=$(grep 'info: sync: ' "$TMP/kgated.log" | tail -n +$(($1 + 1)) |
			grep -v 'sync: 0 added, 0 replaced, 0 deleted' |
			sed -n 's/.*, \([0-9.]*\) ms after the change$/\1/p' | head -n 1)
		[ -n "$v" ] && { awk -v v="$v" 'BEGIN { printf "%.6f\n", v / 1000 }'; return 0; }
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

# kgated_nodebounce R K0: SIGHUP to debounceMs 0, then REPS changes again
# (other addresses), each timed rename -> COMMIT.
kgated_nodebounce() {
	local r=$1 k0=$2 at="round $1 of $ROUNDS" n deadline=$((SECONDS + 300)) i k out tr addr t1 own
	n=$(syncs)
	printf 'manifests: [%s]\nreload: {debounceMs: 0}\nlog: stderr\n' "$M" >"$TMP/kgated.yaml"
	kill -HUP "$KD_PID"
	until [ "$(syncs)" -gt "$n" ]; do
		[ $SECONDS -lt $deadline ] || kgated_fail "no sync within 300 s of SIGHUP"
		sleep 0.1
	done
	for ((i = 0; i < REPS; i++)); do
		k=$(change_idx $((k0 + i)))
		settle
		log "$at: kgated (debounce 0): one EndpointSlice file renamed, $((i + 1)) of $REPS (svc-$k-a)"
		n=$(syncs)
		out=$(stage "$k" $((k0 + i + 1 + 30000))) || kgated_fail "genmanifests.py change"
		tr=${out%% *}; addr=${out#* }
		t1=$(commit_after "$tr" 60) || kgated_fail "no COMMIT within 60 s of the rename"
		record kgated-change-nodebounce kgated "$r" "$(diff_s "$t1" "$tr")"
		own=$(own_after "$n") || kgated_fail "no sync line after the rename says how long it took"
		record kgated-change-nodebounce-own kgated "$r" "$own"
		shows "$k" "$addr" || kgated_fail "kgate does not show $addr in svc-$k after the COMMIT"
	done
	log "$at: kgated: $(grep -c 'translated again' "$TMP/kgated.log") syncs took the EndpointSlice path"
}

# files_profile K0: PERF_CHANGES more file renames (debounce 0, untimed)
# under perf record -a -g, each once the last COMMIT came; the report in
# $KGATE_OUT/apply-perf-files-change.txt (perf_kgated's, dir_load
# annotated).  The slices beyond the timed series' are put back after it.
files_profile() {
	local k0=$1 data=$TMP/perf-files.data i k out
	local rep=$KGATE_OUT/apply-perf-files-change.txt
	settle
	perf_start "$data" || kgated_fail "perf record did not start: $(cat "$TMP/perf.log")"
	settle
	log "round 1: kgated: $PERF_CHANGES EndpointSlice files renamed under perf record"
	for ((i = 0; i < PERF_CHANGES; i++)); do
		k=$(change_idx $((k0 + i)))
		out=$(stage "$k" $((k0 + i + 1 + 40000))) || kgated_fail "genmanifests.py change"
		commit_after "${out%% *}" 60 >/dev/null || kgated_fail "no COMMIT within 60 s of the rename"
	done
	kill -INT "$PERF_PID"
	wait "$PERF_PID"
	{
		echo "# $PERF_CHANGES EndpointSlice files renamed (debounce 0) back to back under perf record -a -g -F 999"
		echo "# pids: kgated $KD_PID (each rename also runs genmanifests.py: python3)"
		perf_kgated "$data" dir_load
	} >"$rep" 2>&1
	rm -f "$data"
	# the first REPS are the timed series': kgated_round puts them back
	for ((i = REPS; i < PERF_CHANGES; i++)); do
		k=$(change_idx $((k0 + i)))
		out=$(stage "$k" 0) || kgated_fail "genmanifests.py change"
		commit_after "${out%% *}" 60 >/dev/null || kgated_fail "no COMMIT after restoring svc-$k-a"
	done
	log "round 1: kgated: profile in apply-perf-files-change.txt"
}

# kgated_round R: kgated's figures of round R (an empty kernel).
kgated_round() {
	local r=$1 at="round $1 of $ROUNDS" t0 t1 out k v i addr tr n own
	local k0=$((($1 - 1) * REPS)) want="$N $((5 * N)) 1 $RULES"

	printf 'manifests: [%s]\nreload: {debounceMs: %d}\nlog: stderr\n' "$M" "$DEBOUNCE" >"$TMP/kgated.yaml"
	mon_start || kgated_fail "kgate monitor did not start"
	settle
	log "$at: kgated start (debounce $DEBOUNCE ms)"
	t0=$EPOCHREALTIME
	"${KD_PIN[@]}" "$KGATED" -c "$TMP/kgated.yaml" 2>"$TMP/kgated.log" &
	KD_PID=$!
	t1=$(until_full "$t0" "$want") || kgated_fail "not all in the kernel 600 s after its start: $(kgate_count), want $want"
	record kgated-start kgated "$r" "$(diff_s "$t1" "$t0")"

	for ((i = 0; i < REPS; i++)); do
		k=$(change_idx $((k0 + i))); v=$((k0 + i + 1))
		settle
		log "$at: kgated: one EndpointSlice file renamed, $((i + 1)) of $REPS (svc-$k-a)"
		n=$(syncs)
		out=$(stage "$k" "$v") || kgated_fail "genmanifests.py change"
		tr=${out%% *}; addr=${out#* }
		t1=$(commit_after "$tr" 60) || kgated_fail "no COMMIT within 60 s of the rename"
		record kgated-change kgated "$r" "$(diff_s "$t1" "$tr")"
		own=$(own_after "$n") || kgated_fail "no sync line after the rename says how long it took"
		record kgated-change-own kgated "$r" "$own"
		shows "$k" "$addr" || kgated_fail "kgate does not show $addr in svc-$k after the COMMIT"
	done
	kgated_nodebounce "$r" "$k0"
	[ "$FILES_PERF" = 1 ] && [ "$r" = 1 ] && files_profile "$k0"
	out=$(awk '$1 == "VmHWM:" { h = $2 } $1 == "VmRSS:" { s = $2 } END { print h, s }' "/proc/$KD_PID/status")
	[[ $out =~ ^[0-9]+\ [0-9]+$ ]] || kgated_fail "no VmHWM / VmRSS (did it exit?)"
	record kgated-rss kgated "$r" "${out% *}"
	record kgated-rss-now kgated "$r" "${out#* }"

	log "$at: kgated: the changed slices back as they were"
	for ((i = 0; i < REPS; i++)); do
		k=$(change_idx $((k0 + i)))
		out=$(stage "$k" 0) || kgated_fail "genmanifests.py change"
		t1=$(commit_after "${out%% *}" 60) || kgated_fail "no COMMIT after restoring svc-$k-a"
	done
	kill "$KD_PID"
	wait "$KD_PID" 2>/dev/null
	mon_stop
}

# --- kgated following the API server (the stand-in) ------------------------

# api_fail WHY: kgated_fail, the stand-in, the watcher and the putter
# stopped too (the stand-in's last words logged).
api_fail() {
	[ -s "$TMP/apiserver.log" ] && tail -n 5 "$TMP/apiserver.log" | sed 's/^/  apiserver.py: /' >&2
	local p
	for p in "$PUT_PID" "$WATCH_PID" "$AS_PID"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null
	done
	[ -s "$TMP/kgated.log" ] && cp "$TMP/kgated.log" "$KGATE_OUT/apply-kgated-api.log"
	kgated_fail "api: $*"
}
# wait_for FILE REGEX SECONDS PID: poll until a line of FILE matches REGEX,
# while PID lives.
wait_for() {
	local deadline=$((SECONDS + $3))
	until grep -qE "$2" "$1" 2>/dev/null; do
		kill -0 "$4" 2>/dev/null || return 1
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}
# api_server: tests/k8s/apiserver.py on a free port of 127.0.0.1; URL.
api_server() {
	"$PY" "$TOP/tests/k8s/apiserver.py" >"$TMP/apiserver.out" 2>"$TMP/apiserver.log" &
	AS_PID=$!
	wait_for "$TMP/apiserver.out" '^listening on ' 30 "$AS_PID" || return 1
	URL=http://$(awk '$1 == "listening" { print $3; exit }' "$TMP/apiserver.out")
}
# api_config DEBOUNCE: kgated's configuration, following the stand-in.
api_config() {
	printf 'api: {server: "%s"}\nreload: {debounceMs: %d}\nlog: stderr\n' "$URL" "$1" >"$TMP/kgated-api.yaml"
}
# quiet: wait (up to 300 s) until kgated has logged nothing for 2 s and
# then nothing while the guest settles.  After its start kgated made
# several more whole syncs with nothing to send (its status writes coming
# back as Ingress events, most likely); each takes seconds at 10k and logs
# only at its end, hence the settle.
quiet() {
	local deadline=$((SECONDS + 300)) n m t
	n=$(wc -c <"$TMP/kgated.log")
	while :; do
		t=$(usec "$EPOCHREALTIME")
		while [ $(($(usec "$EPOCHREALTIME") - t)) -lt 2000000 ]; do
			kill -0 "$KD_PID" 2>/dev/null || return 1
			[ $SECONDS -lt $deadline ] || return 1
			sleep 0.1
			m=$(wc -c <"$TMP/kgated.log")
			[ "$m" = "$n" ] || { n=$m; t=$(usec "$EPOCHREALTIME"); }
		done
		settle
		[ "$(wc -c <"$TMP/kgated.log")" = "$n" ] && return 0
		n=$(wc -c <"$TMP/kgated.log")
	done
}
# event_at RV: when the watcher read the event of resourceVersion RV.
event_at() {
	local deadline=$((SECONDS + 30)) t
	while :; do
		t=$(awk -v rv="$1" '$4 == rv { print $1; exit }' "$TMP/watch.log")
		[ -n "$t" ] && { echo "$t"; return 0; }
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}
# api_change FIGURE R K V: slice svc-K-a's last endpoint moved to variant V
# by one put; records FIGURE (just before the put was sent -> the COMMIT),
# FIGURE-put (the put's round trip) and FIGURE-event (the watcher read the
# event -> the COMMIT).
api_change() {
	local f=$1 r=$2 k=$3 addr out t0 t1 rv te tc n own
	addr=$("$PY" "$GEN" json-change "$N" "$k" "$4" "$TMP/put.json") || api_fail "genmanifests.py json-change"
	! shows "$k" "$addr" || api_fail "kgate shows $addr in svc-$k before the put"
	settle
	n=$(syncs)
	# the putter (a coprocess) puts it: "SENT ANSWERED RV"
	echo "$TMP/put.json" >&"${PUTTER[1]}" || api_fail "the putter is gone"
	read -r -t 60 t0 t1 rv <&"${PUTTER[0]}" || api_fail "the put of svc-$k-a was not answered"
	tc=$(commit_after "$t0" 60) || api_fail "no COMMIT within 60 s of the put of svc-$k-a"
	te=$(event_at "$rv") || api_fail "the watcher saw no event of resourceVersion $rv"
	record "$f" kgated "$r" "$(diff_s "$tc" "$t0")"
	record "$f-put" kgated "$r" "$(diff_s "$t1" "$t0")"
	record "$f-event" kgated "$r" "$(diff_s "$tc" "$te")"
	own=$(own_after "$n") || api_fail "no sync line after the put says how long it took"
	record "$f-own" kgated "$r" "$own"
	shows "$k" "$addr" || api_fail "kgate does not show $addr in svc-$k after the COMMIT"
}
# perf_start DATA: perf record -a -g in the background, once it writes.
perf_start() {
	perf record -q -a -g -F 999 -o "$1" 2>"$TMP/perf.log" &
	PERF_PID=$!
	until [ -s "$1" ]; do
		kill -0 "$PERF_PID" 2>/dev/null || return 1
		sleep 0.05
	done
}
# perf_kgated DATA FUNC: the report of a run under perf_start, after it is
# stopped: by process, by object, kgated by object and symbol (relative
# to its own total) and kgated's FUNC annotated (its static functions are
# inlined there: the lines say which).
perf_kgated() {
	local opt=(--stdio --no-children -n -g none)
	echo "# by process (0:swapper is idle)"
	perf report -i "$1" "${opt[@]}" --sort pid --percent-limit 0.2
	echo "# by process and object"
	perf report -i "$1" "${opt[@]}" --sort pid,dso --percent-limit 0.2
	echo "# kgated by object and symbol (of its own samples)"
	perf report -i "$1" "${opt[@]}" --comm kgated --percentage relative \
		--sort dso,sym --percent-limit 0.5
	echo "# kgated, inclusive (a function with all it calls), by symbol"
	perf report -i "$1" --stdio --children -n -g none --comm kgated \
		--percentage relative --sort sym --percent-limit 2
	echo "# $2 annotated (its hottest source lines first)"
	timeout 600 perf annotate -i "$1" --stdio -l --dsos kgated "$2" | head -n 80
}
# api_profile K0: PERF_CHANGES more changes (debounce 0, untimed) under
# perf record -a -g, back to back (each put once the last COMMIT came, the
# bodies made before); the report in $KGATE_OUT/apply-perf-api-change.txt:
# perf_kgated's, then the stand-in by object and symbol.
api_profile() {
	local k0=$1 data=$TMP/perf-api.data i k t0 t1 rv tc
	local rep=$KGATE_OUT/apply-perf-api-change.txt
	for ((i = 0; i < PERF_CHANGES; i++)); do
		"$PY" "$GEN" json-change "$N" "$(change_idx $((k0 + i)))" \
			$((k0 + i + 1 + 60000)) "$TMP/perf-$i.json" >/dev/null ||
			api_fail "genmanifests.py json-change"
	done
	settle
	perf_start "$data" || api_fail "perf record did not start: $(cat "$TMP/perf.log")"
	settle
	log "round 1: api: $PERF_CHANGES EndpointSlice puts under perf record"
	for ((i = 0; i < PERF_CHANGES; i++)); do
		k=$(change_idx $((k0 + i)))
		echo "$TMP/perf-$i.json" >&"${PUTTER[1]}" || api_fail "the putter is gone"
		read -r -t 60 t0 t1 rv <&"${PUTTER[0]}" || api_fail "the put of svc-$k-a was not answered"
		tc=$(commit_after "$t0" 60) || api_fail "no COMMIT within 60 s of the put of svc-$k-a"
	done
	kill -INT "$PERF_PID"
	wait "$PERF_PID"
	{
		echo "# $PERF_CHANGES EndpointSlice puts (debounce 0) back to back under perf record -a -g -F 999"
		echo "# pids: kgated $KD_PID, apiserver.py $AS_PID, the putter $PUT_PID, the watcher $WATCH_PID"
		perf_kgated "$data" api_load
		echo "# apiserver.py by object and symbol (of its own samples)"
		perf report -i "$data" --stdio --no-children -n -g none --pid "$AS_PID" \
			--percentage relative --sort dso,sym --percent-limit 1
	} >"$rep" 2>&1
	rm -f "$data" "$TMP"/perf-*.json
	log "round 1: api: profile in apply-perf-api-change.txt"
}

# api_reload DEBOUNCE: SIGHUP to kgated with debounceMs DEBOUNCE, then wait
# for its sync (it lists everything again) and the quiet after it.
api_reload() {
	local n deadline=$((SECONDS + 300))
	n=$(syncs)
	api_config "$1"
	kill -HUP "$KD_PID"
	until [ "$(syncs)" -gt "$n" ]; do
		[ $SECONDS -lt $deadline ] || api_fail "no sync within 300 s of SIGHUP"
		sleep 0.1
	done
	quiet || api_fail "still busy (or gone) 300 s after SIGHUP"
}

# api_round R: kgated with api.server, round R (an empty kernel): the
# stand-in started and loaded (the load timed on its own), kgated to its
# first COMMIT, REPS changes by put with the shipped debounce, REPS with
# none and REPS with the shipped one again (each after SIGHUP), then its
# memory.
api_round() {
	local r=$1 at="round $1 of $ROUNDS: api" t0 t1 out k i
	local k0=$((($1 - 1) * REPS)) want="$N $((5 * N)) 1 $RULES"

	KD_PID='' MON_PID='' MON_READER='' AS_PID='' WATCH_PID='' PUT_PID=''
	api_server || api_fail "apiserver.py did not start"
	settle
	log "$at: loading the stand-in at $URL"
	out=$("$PY" "$GEN" load "$URL" "$TMP/objects.json") || api_fail "genmanifests.py load"
	record kgated-api-load kgated "$r" "${out% *}"
	"$PY" "$GEN" watch "$URL" >"$TMP/watch.log" 2>&1 &
	WATCH_PID=$!
	wait_for "$TMP/watch.log" '^watching$' 30 "$WATCH_PID" || api_fail "the watcher did not start"
	coproc PUTTER { exec "$PY" "$GEN" put "$URL" -; }
	PUT_PID=$PUTTER_PID
	mon_start || api_fail "kgate monitor did not start"
	api_config "$DEBOUNCE"
	settle
	log "$at: kgated start (debounce $DEBOUNCE ms)"
	t0=$EPOCHREALTIME
	"${KD_PIN[@]}" "$KGATED" -c "$TMP/kgated-api.yaml" 2>"$TMP/kgated.log" &
	KD_PID=$!
	t1=$(until_full "$t0" "$want") || api_fail "not all in the kernel 600 s after its start: $(kgate_count), want $want"
	record kgated-api-start kgated "$r" "$(diff_s "$t1" "$t0")"
	out=$("$PY" "$GEN" lists "$URL") || api_fail "genmanifests.py lists"
	record kgated-api-lists kgated "$r" "${out% *}"
	log "$at: kgated listed with ${out#* } requests"
	quiet || api_fail "still busy (or gone) 300 s after its start"

	for ((i = 0; i < REPS; i++)); do
		k=$(change_idx $((k0 + i)))
		log "$at: one EndpointSlice put, $((i + 1)) of $REPS (svc-$k-a)"
		api_change kgated-api-change "$r" "$k" $((k0 + i + 1 + 40000))
	done
	api_reload 0
	for ((i = 0; i < REPS; i++)); do
		k=$(change_idx $((k0 + i)))
		log "$at: (debounce 0) one EndpointSlice put, $((i + 1)) of $REPS (svc-$k-a)"
		api_change kgated-api-change-nodebounce "$r" "$k" $((k0 + i + 1 + 50000))
	done
	# Back to the shipped debounce, to tell what SIGHUP changed from what
	# the debounce did.
	api_reload "$DEBOUNCE"
	for ((i = 0; i < REPS; i++)); do
		k=$(change_idx $((k0 + i)))
		log "$at: (debounce $DEBOUNCE again) one EndpointSlice put, $((i + 1)) of $REPS (svc-$k-a)"
		api_change kgated-api-change-reloaded "$r" "$k" $((k0 + i + 1 + 55000))
	done
	log "$at: $(grep -c 'translated again' "$TMP/kgated.log") syncs took the EndpointSlice path"
	out=$(awk '$1 == "VmHWM:" { h = $2 } $1 == "VmRSS:" { s = $2 } END { print h, s }' "/proc/$KD_PID/status")
	[[ $out =~ ^[0-9]+\ [0-9]+$ ]] || api_fail "no VmHWM / VmRSS (did it exit?)"
	record kgated-api-rss kgated "$r" "${out% *}"
	record kgated-api-rss-now kgated "$r" "${out#* }"
	[ "$API_PERF" = 1 ] && [ "$r" = 1 ] && api_profile "$k0"
	cp "$TMP/kgated.log" "$KGATE_OUT/apply-kgated-api.log"

	kill "$KD_PID" "$PUT_PID" "$WATCH_PID"
	wait "$KD_PID" "$PUT_PID" "$WATCH_PID" 2>/dev/null
	mon_stop
	kill "$AS_PID"
	wait "$AS_PID" 2>/dev/null
}

# One round, in the fresh network namespace that the caller made for it.
if [ "${1-}" = --round ] || [ "${1-}" = --kgated ] || [ "${1-}" = --api ]; then
	[ $# = 3 ] || die "usage: $0 --round|--kgated|--api R TMPDIR"
	R=$2 TMP=$3 M=$3/m
	RULES=$(awk -F '\t' '$1 == "#meta" && $2 == "rules" { print $3 }' "$RAW")
	ip link set lo up || die "ip link set lo up"
	case $1 in
	--round) apply_round "$R" ;;
	--kgated) pin_round; kgated_round "$R" ;;
	*) pin_round; api_round "$R" ;;
	esac
	exit 0
fi

: >"$RAW" || die "cannot write $RAW"
[ -x "$CLI" ] || die "$CLI not built"
[ -x "$PY" ] || die "$PY missing"
[ "$PERF" = 0 ] || command -v perf >/dev/null || die "KGATE_BENCH_APPLY_PERF: perf missing (Debian: linux-perf)"
command -v unshare >/dev/null || die "unshare (util-linux) missing"
[ "$API_PERF" = 0 ] || [ "$API" = 0 ] || command -v perf >/dev/null ||
	die "KGATE_BENCH_APPLY_API_PERF: perf missing (Debian: linux-perf)"
[ "$FILES_PERF" = 0 ] || command -v perf >/dev/null ||
	die "KGATE_BENCH_APPLY_FILES_PERF: perf missing (Debian: linux-perf)"

for d in $(modinfo -F depends "$KGATE_KO" | tr ',' ' '); do
	modprobe "$d" || die "modprobe $d"
done
[ ! -d /sys/module/kgate ] || rmmod kgate
insmod "$KGATE_KO" || die "insmod $KGATE_KO"

TMP=$(mktemp -d) || die "mktemp"
trap 'rm -rf "$TMP"' EXIT
M=$TMP/m
mkdir -p "$TMP/stage" || die "mkdir"
log "generating $N services"
"$PY" "$GEN" gen "$M" "$N" || die "genmanifests.py gen"
RULES=$(cat "$M"/ing-*.yaml | grep -c '^  - host: ')
if [ "$API" = 1 ]; then
	"$PY" "$GEN" json "$N" "$TMP/objects.json" || die "genmanifests.py json"
fi
KD=no
[ -x "$KGATED" ] && KD=yes
[ "$KD" = yes ] || API=0
[ -x "$GNUTIME" ] && RSS_TOOL="GNU time %M" || RSS_TOOL="VmHWM polled"
log "$(uname -r): $N services x 5 endpoints, $RULES Ingress rules, $ROUNDS rounds, $REPS changes per series, kgated: $KD"
meta kernel "$(uname -r)"
meta services "$N"
meta rules "$RULES"
meta ingresses "$(cat "$M"/ing-*.yaml | grep -c '^kind: Ingress$')"
meta files "$(find "$M" -type f | wc -l)"
meta bytes "$(cat "$M"/* | wc -c)"
meta reps "$REPS"
meta rounds "$ROUNDS"
meta debounce_ms "$DEBOUNCE"
meta kgated "$KD"
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	meta pinned "kgated on CPU 1, the rest of each round (stand-in, watcher, putter, monitor) on CPU 0"
else
	meta pinned ""
fi
meta api "$API"
meta rss_tool "$RSS_TOOL"
meta kgate_ko_sha256 "$(sha256sum "$KGATE_KO" | cut -c1-16)"

# Warm the caches (binaries and libraries come over 9p) outside the timing.
"$CLI" stats >/dev/null || die "kgate stats"
cat "$CLI" "$PY" "$M"/* >/dev/null
[ "$KD" = yes ] && cat "$KGATED" >/dev/null
# ...and QEMU's: TCG translates guest code the first time it runs, which
# made the first timed apply (the --diff) seconds slower than the rest.
log "warming up: kgate apply --diff (untimed)"
"$CLI" apply --diff -f "$M" >/dev/null || die "kgate apply --diff refused"

rc=0
for r in $(seq 1 "$ROUNDS"); do
	log "round $r of $ROUNDS: kgate apply, in a new network namespace"
	unshare --net -- "$TOP/tests/bench/apply.sh" --round "$r" "$TMP" || die "round $r failed"
	if [ "$KD" = yes ]; then
		log "round $r of $ROUNDS: kgated, in a new network namespace"
		unshare --net -- "$TOP/tests/bench/apply.sh" --kgated "$r" "$TMP" ||
			{ log "round $r: kgated FAILED"; rc=1; }
		if [ "$API" = 1 ]; then
			log "round $r of $ROUNDS: kgated following the API server (the stand-in), in a new network namespace"
			unshare --net -- "$TOP/tests/bench/apply.sh" --api "$r" "$TMP" ||
				{ log "round $r: kgated (api) FAILED"; rc=1; }
		fi
	else
		log "round $r of $ROUNDS: kgated: n/a: kgated not built"
	fi
done

log "done; unloading kgate"
rmmod kgate || die "rmmod kgate"
exit $rc
