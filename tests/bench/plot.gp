# SPDX-License-Identifier: GPL-2.0
#
# plot.gp: the PNG of the control-plane benchmark (tests/bench/control-plane.sh
# writes the data and calls this):
#
#   gnuplot -e "dat='D.dat'; out='P.png'; kver='VER'; n=10000; sched='mh'; rounds=3" \
#       tests/bench/plot.gp
#
# dat holds two blocks: 0, apply and clear (seconds); 1, the weight changes
# (milliseconds).  Each row: a name, then median, min and max of the kgate C
# helper, the kgate CLI and IPVS; NaN where there is no figure.  Drawn: the
# medians as bars, min..max of the rounds as error bars, the value over each
# bar, the goals as dashed red lines; log scale, the figures span decades.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1400,700 font "Sans,10"
} else {
	set terminal png size 1400,700 font ",9"
}
set output out

set datafile missing "NaN"
set style data histogram
set style histogram errorbars gap 1 lw 1.5
set style fill solid 0.85 border -1
set boxwidth 0.95
set logscale y
set grid ytics
set key at graph 0, graph 1.2 left top horizontal maxrows 2 Left reverse samplen 2 width 1
set xtics nomirror scale 0
set ytics nomirror
set border 3
# room over the tallest error bar for its value, and under the shortest
# bar (log scale: the bars start at the bottom)
set autoscale yfix
set offsets 0, 0, graph 0.08, graph 0.2

# Bar i (0, 1, 2) of a cluster of 3 with gap 1 sits at x + (i - 1) / 4.
bx(i) = column(0) + (i - 1) / 4.0
tag(v) = v < 0.1 ? sprintf("%.3f", v) : (v < 10 ? sprintf("%.2f", v) : sprintf("%.0f", v))

set multiplot layout 1,2 margins 0.06, 0.98, 0.12, 0.76 spacing 0.08 title sprintf("kgate control plane vs IPVS, kernel %s: %d services x 2 backends, medians of %d rounds, bars min..max\n(TCG guest: compare ratios, not absolute figures)", kver, n, rounds)

set title sprintf("apply (one transaction for kgate; IPVS -s %s) and clear", sched)
set ylabel "seconds (log)"
set xtics (sprintf("apply %d x 2", n) 0, "clear" 1)
set xrange [-0.6:1.6]
$goal0 << EOD
-0.45 1
0.45 1
EOD
plot dat index 0 using 2:3:4 title "kgate, C helper (in-process)" lc rgb "#1f77b4", \
     '' index 0 using 5:6:7 title "kgate CLI (a process)" lc rgb "#6baed6", \
     '' index 0 using 8:9:10 title "IPVS, ipvsadm (a process)" lc rgb "#d62728", \
     $goal0 using 1:2 with lines dt 2 lw 2 lc rgb "red" title "goal: apply < 1 s", \
     dat index 0 using (bx(0)):($4 * 1.15):(tag($2)) with labels font ",8" notitle, \
     dat index 0 using (bx(1)):($7 * 1.15):(tag($5)) with labels font ",8" notitle, \
     dat index 0 using (bx(2)):($10 * 1.15):(tag($8)) with labels font ",8" notitle

set title "change one backend's weight with all services present"
set ylabel "milliseconds (log)"
set xtics ("a process per change\n(kgate backend set | ipvsadm -e)" 0, \
	   "one request from a running process\n(C helper; IPVS: no such tool)" 1)
set label 1 "IPVS:\nnot measured" at 1.25, graph 0.06 center font ",8"
$goal1 << EOD
-0.6 1
1.6 1
EOD
plot dat index 1 using 2:3:4 title "kgate, C helper (in-process)" lc rgb "#1f77b4", \
     '' index 1 using 5:6:7 title "kgate CLI (a process)" lc rgb "#6baed6", \
     '' index 1 using 8:9:10 title "IPVS, ipvsadm (a process)" lc rgb "#d62728", \
     $goal1 using 1:2 with lines dt 2 lw 2 lc rgb "red" title "goal: < 1 ms", \
     dat index 1 using (bx(0)):($4 * 1.15):(tag($2)) with labels font ",8" notitle, \
     dat index 1 using (bx(1)):($7 * 1.15):(tag($5)) with labels font ",8" notitle, \
     dat index 1 using (bx(2)):($10 * 1.15):(tag($8)) with labels font ",8" notitle

unset multiplot
unset label 1
