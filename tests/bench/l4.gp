# SPDX-License-Identifier: GPL-2.0
#
# l4.gp: the PNG of the L4 data-plane benchmark (tests/bench/l4.sh writes
# the data and calls this):
#
#   gnuplot -e "dat='D.dat'; out='P.png'; kver='VER'; rounds=3; sched='mh'" \
#       tests/bench/l4.gp
#
# dat holds one block per contender, in this order: kgate, ipvs, iptables,
# nft, direct (the baseline without a service table).  Each row: the number
# of services, then median, min and max of new conns/s, req/s keep-alive,
# apply time (s) and change time (ms); NaN where there is no figure.
# Drawn against the number of services (log x): one line per contender,
# the medians as points, min..max of the rounds as error bars; the
# baseline as a dashed line in the two traffic panels.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1400,1000 font "Sans,10"
} else {
	set terminal png size 1400,1000 font ",9"
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

set multiplot layout 2,2 margins 0.07, 0.98, 0.07, 0.9 spacing 0.09, 0.11 \
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

unset multiplot
