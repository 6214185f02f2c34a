# SPDX-License-Identifier: GPL-2.0
#
# l7.gp: the PNG of the L7 benchmark (tests/bench/l7.sh writes the data and
# calls this):
#
#   gnuplot -e "dat='D.dat'; out='P.png'; kver='VER'; rounds=3; idle=N; \
#       kgate=K" tests/bench/l7.gp
#
# (kgate: 1 if kgate's row has figures; 0 labels every panel "kgate: n/a")
#
# dat: one row per contender, in this order: direct, nginx, haproxy, kgate;
# each the name, then median, min and max of requests/s of keep-0k,
# keep-64k, close-0k, close-64k (columns 2-13), of p99 in ms of the same
# tests (14-25), and of the idle kernel memory in KiB per connection
# (26-28, the whole guest), then the node side of it (29: a proxy's
# figure less half of direct's; direct's: half of its own, the backend's
# share); NaN where there is no figure (kgate until it has L7).  Drawn as
# bars per contender, grouped by test, the medians as bars and min..max of
# the rounds as error bars; the idle memory as two bars per contender,
# whole guest and node side, beside the goal of 8 KiB.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
	set terminal pngcairo size 1400,1000 font "Sans,10"
} else {
	set terminal png size 1400,1000 font ",9"
}
set output out

set datafile missing "NaN"
set grid ytics
set border 3
set xtics nomirror scale 0
set ytics nomirror
set key top right samplen 2
set style fill solid 0.85 border -1
set boxwidth 0.8 absolute
set yrange [0:*]
set offsets 0, 0, graph 0.25, 0

names = "direct nginx haproxy kgate"
colr(i) = word("#7f7f7f #2ca02c #ff7f0e #1f77b4", i)
# the bars of test T (0-based column group G of a panel, at x = G*5 + c)
x(g, c) = g * 5 + c
if (!kgate) {
	set label 1 "kgate: n/a (no L7 yet)" at graph 0.98, graph 0.75 right front tc rgb "#1f77b4"
}

set multiplot layout 2,2 margins 0.07, 0.97, 0.06, 0.90 spacing 0.08, 0.10 \
	title sprintf("kgate L7 vs nginx and HAProxy (reverse proxies) vs direct; kernel %s\nmedians of %d rounds, bars min..max; kgate: no figures until its HTTP proxy exists (TCG guest: compare ratios)", kver, rounds)

set title "requests/s on keep-alive connections"
set ylabel "requests/s"
set xtics ("0 KB response" 1.5, "64 KB response" 6.5)
set xrange [-1:9]
plot for [c=0:3] dat every ::c::c using (x(0, c)):2:3:4:(0.4) with boxerrorbars lc rgb colr(c + 1) title word(names, c + 1), \
     for [c=0:3] dat every ::c::c using (x(1, c)):5:6:7:(0.4) with boxerrorbars lc rgb colr(c + 1) notitle

set title "requests/s, a new client connection per request (Connection: close)"
plot for [c=0:3] dat every ::c::c using (x(0, c)):8:9:10:(0.4) with boxerrorbars lc rgb colr(c + 1) title word(names, c + 1), \
     for [c=0:3] dat every ::c::c using (x(1, c)):11:12:13:(0.4) with boxerrorbars lc rgb colr(c + 1) notitle

set title "p99 latency (wrk --latency)"
set ylabel "ms"
set xtics ("keep-alive\n0 KB" 1.5, "keep-alive\n64 KB" 6.5, "new conn.\n0 KB" 11.5, "new conn.\n64 KB" 16.5)
set xrange [-1:19]
plot for [c=0:3] dat every ::c::c using (x(0, c)):14:15:16:(0.4) with boxerrorbars lc rgb colr(c + 1) title word(names, c + 1), \
     for [c=0:3] dat every ::c::c using (x(1, c)):17:18:19:(0.4) with boxerrorbars lc rgb colr(c + 1) notitle, \
     for [c=0:3] dat every ::c::c using (x(2, c)):20:21:22:(0.4) with boxerrorbars lc rgb colr(c + 1) notitle, \
     for [c=0:3] dat every ::c::c using (x(3, c)):23:24:25:(0.4) with boxerrorbars lc rgb colr(c + 1) notitle

set title sprintf("kernel memory per idle keep-alive connection, %d open", idle)
set ylabel "KiB per connection"
set xtics ("direct" 0.5, "nginx" 3.5, "haproxy" 6.5, "kgate" 9.5)
set xrange [-1:11]
set key top left
plot for [c=0:3] dat every ::c::c using (3 * c):26:27:28:(0.4) with boxerrorbars lc rgb colr(c + 1) fs solid 0.35 \
         title (c == 0 ? "whole guest (client socket included)" : ""), \
     for [c=0:3] dat every ::c::c using (3 * c + 1):29:(0.4) with boxes lc rgb colr(c + 1) \
         title (c == 0 ? "node side (proxy; direct: backend)" : ""), \
     8 with lines dt 2 lw 1.5 lc rgb "#d62728" title "goal: 8 KiB, node side"

unset multiplot
