# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# lib.sh: helpers the benchmarks share (sourced by tests/bench/l4.sh, l7.sh
# and control-plane.sh, on the host and in the guest).  The caller defines
# log and die first; nothing here runs on its own.

# usec T: $EPOCHREALTIME T in microseconds.  since T: seconds since T
# (an $EPOCHREALTIME), as S.UUUUUU.
usec() { local t=${1/./}; echo $((10#$t)); }
since() {
	local t1=$EPOCHREALTIME d
	d=$(($(usec "$t1") - $(usec "$1")))
	printf '%d.%06d' $((d / 1000000)) $((d % 1000000))
}

# settle: wait (up to 60 s) until the guest's CPUs are idle for half a
# second, so that a measurement does not pay for what came before it: the
# kernel finishes a flush, a deleted namespace or a large table's RCU
# frees in the background.  Polls /proc/stat: busy below 10 % of the time.
settle() {
	local deadline=$((SECONDS + 60)) a b
	while :; do
		a=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
		sleep 0.5
		b=$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
		# shellcheck disable=SC2086 # two numbers each
		set -- $a $b
		[ $((($3 - $1) * 10)) -lt $((($3 - $1) + ($4 - $2))) ] && return 0
		if [ $SECONDS -ge $deadline ]; then
			log "still busy after 60 s; measuring anyway"
			return 0
		fi
	done
}

# veth NS_A ADDR_A NS_B ADDR_B: a /24 link between two namespaces.
veth() {
	ip link add "v-$3" netns "$1" type veth peer name "v-$1" netns "$3" &&
		ip -n "$1" addr add "$2/24" dev "v-$3" &&
		ip -n "$3" addr add "$4/24" dev "v-$1" &&
		ip -n "$1" link set "v-$3" up &&
		ip -n "$3" link set "v-$1" up
}

# wait_listen NS PORT: poll until something listens on PORT in NS.
wait_listen() {
	local deadline=$((SECONDS + 20))
	until ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q .; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

# bench_src TOP: the commit the figures are of, for a table's header
# ("+ uncommitted module changes" when kmod/, include/ or Kbuild differ).
bench_src() {
	local src
	src=$(git -C "$1" rev-parse --short HEAD 2>/dev/null || echo "?")
	if [ -n "$(git -C "$1" status --porcelain --untracked-files=all -- kmod include Kbuild 2>/dev/null)" ]; then
		src="$src + uncommitted module changes"
	fi
	echo "$src"
}

# bench_kernels TOP: every kernel with a module under TOP/build/kmod, one a
# line (the host side's default list).
bench_kernels() {
	local ko
	for ko in "$1"/build/kmod/*/kgate.ko; do
		[ -e "$ko" ] && basename "$(dirname "$ko")"
	done
	return 0
}

# bench_vm NAME VER I N: on the host, boot kernel VER (the I-th of N) to run
# tests/bench/NAME.sh, keep its samples as $OUTDIR/NAME-VER-samples.tsv,
# and summarize and plot them with the caller's summarize and plot (which
# see $base).  Status 1 if any of that failed.
bench_vm() {
	local v=$2 what="kernel $3 of $4: $2" raw vrc=0 t0=$SECONDS
	local base=$OUTDIR/$1-$2

	rm -f "$base.txt" "$base.tsv" "$base.dat" "$base.png" "$base-samples.tsv"
	"$TOP/tests/vm/run.sh" "$v" "tests/bench/$1.sh" || vrc=1
	raw=$TOP/build/vm/$v/out/$1.raw.tsv
	for f in "$TOP/build/vm/$v/out/$1-perf-"*.txt; do
		[ -f "$f" ] && cp "$f" "$base-perf-${f##*-perf-}"
	done
	if [ -s "$raw" ]; then
		cp "$raw" "$base-samples.tsv"
		log "$what: summary (the VM ran $((SECONDS - t0)) s)"
		summarize "$base-samples.tsv" "$v" || vrc=1
		plot "$v" || vrc=1
	else
		log "kernel $v: no samples recorded"
		vrc=1
	fi
	[ "$vrc" = 0 ] || log "kernel $v: the benchmark FAILED (see above)"
	return $vrc
}
