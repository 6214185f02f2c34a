# SPDX-License-Identifier: GPL-2.0
#
# apply.gp: the PNG of the manifests benchmark (tests/bench/apply.sh writes
# the data and calls this):
#
#   gnuplot -e "dat='D.dat'; out='P.png'; kver='VER'; n=10000; rounds=3; \
#       kgated=1" tests/bench/apply.gp
#
# (kgated: 0 labels its bars "n/a: kgated not built")
#
# dat holds three blocks: 0, whole applies and their parts, and kgated's
# starts (seconds); 1, one EndpointSlice change: kgate apply, kgated by a
# file, kgated by a put to the stand-in API server (milliseconds); 2,
# memory (MiB).  Each row: a
# quoted label, then median, min and max, then 0 for a figure measured here
# or 1 for kube-proxy's published figure; NaN where there is no figure.
# Drawn: the medians as bars (measured blue, published grey), min..max of
# the rounds as error bars, the value over each bar, the goals as dashed
# red lines; log scale where the figures span decades.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1800,650 font "Sans,10"
} else {
	set terminal png size 1800,650 font ",9"
}
set output out

set datafile missing "NaN"
set style fill solid 0.85 border -1
set boxwidth 0.7
set grid ytics
set xtics nomirror scale 0
set ytics nomirror
set border 3
set key off
set xtics font ",8"
set offsets 0.5, 0.5, graph 0.15, 0

colr(k) = k > 0 ? 0xaaaaaa : 0x1f77b4
tag(v) = v < 0.1 ? sprintf("%.3f", v) : (v < 10 ? sprintf("%.2f", v) : sprintf("%.0f", v))
na = kgated ? "" : "n/a: kgated\nnot built"

set multiplot layout 1,3 margins 0.05, 0.98, 0.16, 0.82 spacing 0.06 title sprintf("kgate apply: Kubernetes manifests to the kernel, kernel %s: %d Services, %d endpoints, %d Ingress rules\nmedians of %d rounds, bars min..max; grey: kube-proxy, published (not measured here); TCG guest", kver, n, 5 * n, n / 10, rounds)

set title "whole applies and their parts"
set ylabel "seconds (log)"
set logscale y
set xrange [-0.6:6.6]
set yrange [0.01:*]
set label 1 "goal: < 3 s" at graph 0.99, first 3 * 1.25 right front tc rgb "red" font ",8"
set label 2 na at 4.5, graph 0.1 center font ",8"
plot dat index 0 using 0:2:3:4:(0.7):(colr($5)):xtic(1) with boxerrorbars lc rgb variable, \
     '' index 0 using 0:($4 * 1.3):(tag($2)) with labels font ",8", \
     3 with lines dt 2 lw 2 lc rgb "red"

set title "one EndpointSlice change reaching the kernel"
set ylabel "milliseconds (log)"
unset label 1
set xrange [-0.6:6.6]
set yrange [1:*]
set label 1 "goal: < 10 ms" at graph 0.99, first 10 * 1.25 right front tc rgb "red" font ",8"
set label 2 na at 2.5, graph 0.1 center font ",8"
plot dat index 1 using 0:2:3:4:(0.7):(colr($5)):xtic(1) with boxerrorbars lc rgb variable, \
     '' index 1 using 0:($4 * 1.3):(tag($2)) with labels font ",8", \
     10 with lines dt 2 lw 2 lc rgb "red"

set title "memory"
set ylabel "MiB"
unset logscale y
unset label 1
unset label 2
set xrange [-0.6:4.6]
set yrange [0:*]
set label 2 na at 2.5, graph 0.5 center font ",8"
plot dat index 2 using 0:2:3:4:(0.7):(colr($5)):xtic(1) with boxerrorbars lc rgb variable, \
     '' index 2 using 0:($4 * 1.05):(tag($2)) with labels font ",8"

unset multiplot
