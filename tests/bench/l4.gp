# SPDX-License-Identifier: GPL-2.0
#
# l4.gp: the PNG of the L4 data-plane benchmark (tests/bench/l4.sh writes
# the data and calls this):
#
#   gnuplot -e "dat='D.dat'; out='P.png'; kver='VER'; rounds=3; sched='mh'; \
#       nocnt=N; foreign=S" tests/bench/l4.gp
#
# dat holds one block per contender, in this order: kgate, ipvs, iptables,
# nft, direct (the baseline without a service table), kgate-nocnt (kgate
# loaded with counters=0).  Each row: the number of services, then median,
# min and max of new conns/s, req/s keep-alive, apply time (s) and change
# time (ms); NaN where there is no figure.  Drawn against the number of
# services (log x): one line per contender, the medians as points, min..max
# of the rounds as error bars; the baseline as a dashed line in the two
# traffic panels.  Then kgate with counters on vs off (nocnt: how many
# figures kgate-nocnt has; 0 draws only "on").
# The last block, the foreign DNAT flow measured with kgate holding S
# services (foreign; 0: not measured, an empty panel): rows X "LABEL"
# median min max, and the median without kgate's services; drawn as bars
# relative to that median (1.0: kgate costs the flow nothing), labelled
# with the absolute medians.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1400,1450 font "Sans,10"
} else {
	set terminal png size 1400,1450 font ",9"
}
set output out

set datafile missing "NaN"
set logscale x
set grid xtics ytics
set xlabel "services in the table (log); traffic through the last one"
set key top right samplen 2
set border 3
set xtics nomirror
set ytics nomirror
set offsets graph 0.05, graph 0.05, 0, 0

# block, colour and name of each contender
names = "kgate ipvs iptables nft"
colr(i) = word("#1f77b4 #d62728 #ff7f0e #2ca02c", i)
pt(i) = word("7 5 9 11", i) + 0

set multiplot layout 3,2 margins 0.07, 0.93, 0.05, 0.93 spacing 0.09, 0.08 \
	title sprintf("kgate L4 data plane vs IPVS (-s %s), iptables (kube-proxy layout), nftables vmap; kernel %s\nmedians of %d rounds, bars min..max (TCG guest: compare ratios, not absolute figures)", sched, kver, rounds)

set title "new connections/s (Connection: close)"
set ylabel "connections/s"
set yrange [0:*]
plot for [i=1:4] dat index (i - 1) using 1:2:3:4 with yerrorlines lw 2 pt pt(i) lc rgb colr(i) title word(names, i), \
     dat index 4 using 1:2 with lines dt 2 lw 1.5 lc rgb "gray40" title "direct (no table)"

set title "requests/s on keep-alive connections"
set ylabel "requests/s"
plot for [i=1:4] dat index (i - 1) using 1:5:6:7 with yerrorlines lw 2 pt pt(i) lc rgb colr(i) title word(names, i), \
     dat index 4 using 1:5 with lines dt 2 lw 1.5 lc rgb "gray40" title "direct (no table)"

set title "apply all services to an empty table"
set ylabel "seconds (log)"
set logscale y
set yrange [*:*]
set key top left
plot for [i=1:4] dat index (i - 1) using 1:8:9:10 with yerrorlines lw 2 pt pt(i) lc rgb colr(i) title word(names, i)

set title "change one backend of one service (a process per change)"
set ylabel "milliseconds (log)"
plot for [i=1:4] dat index (i - 1) using 1:11:12:13 with yerrorlines lw 2 pt pt(i) lc rgb colr(i) title word(names, i)

set title "kgate counters on (default) vs off (insmod counters=0), module reloaded between"
set ylabel "new connections/s (left axis), requests/s (right axis)"
unset logscale y
set yrange [0:*]
set y2range [0:*]
set y2tics nomirror
set border 11
set key bottom left
if (nocnt > 0) {
	plot dat index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb colr(1) title "new conns/s, counters on", \
	     dat index 5 using 1:2:3:4 with yerrorlines lw 2 dt 2 pt 6 lc rgb colr(1) title "new conns/s, counters off", \
	     dat index 0 using 1:5:6:7 axes x1y2 with yerrorlines lw 2 pt 5 lc rgb "#9467bd" title "req/s, counters on (right axis)", \
	     dat index 5 using 1:5:6:7 axes x1y2 with yerrorlines lw 2 dt 2 pt 4 lc rgb "#9467bd" title "req/s, counters off (right axis)"
} else {
	set label 1 "counters off: n/a (this kgate.ko has no counters parameter)" at graph 0.5, 0.55 center
	plot dat index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb colr(1) title "new conns/s, counters on", \
	     dat index 0 using 1:5:6:7 axes x1y2 with yerrorlines lw 2 pt 5 lc rgb "#9467bd" title "req/s, counters on (right axis)"
	unset label 1
}
unset y2tics
set border 3

set title sprintf("foreign DNAT flow (nft dnat, not kgate's): with kgate holding %d services vs without", foreign)
set ylabel "relative to the median without kgate's services"
unset logscale x
unset xlabel
set xrange [0:6]
set yrange [0:1.3]
set offsets 0, 0, 0, 0
set xtics scale 0
set style fill solid 0.6 border -1
set boxwidth 0.8
set key off
set arrow 1 from 0, 1 to 6, 1 nohead dt 2 lc rgb "gray40"
set label 2 "new connections/s" at first 1.5, graph 0.96 center
set label 3 "requests/s keep-alive" at first 4.5, graph 0.96 center
if (foreign > 0) {
	plot dat index 6 using 1:($3 / $6):xtic(2) with boxes lc rgb colr(1), \
	     dat index 6 using 1:($3 / $6):($4 / $6):($5 / $6) with yerrorbars lc rgb "black" pt 0, \
	     dat index 6 using 1:($5 / $6):(sprintf("%.0f/s", $3)) with labels offset 0, 0.8
} else {
	set label 1 "not measured" at graph 0.5, 0.5 center
	plot 1 / 0 notitle
	unset label 1
}
unset arrow 1
unset label 2
unset label 3

unset multiplot
