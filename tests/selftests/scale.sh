#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scale: run in the VM guest as root (tests/vm/suite-netlink.sh runs it).
#
#  1. load the module, add 10000 services (2 backends each) in one batch
#     through the CLI (build/userspace/kgate batch -f; through the selftest
#     helper build/selftests/fill when the CLI is not built), check the
#     count, and rmmod with all of them present: rmmod must succeed.
#  2. 50 cycles of insmod / add 100 services / rmmod, then compare with
#     before the cycles:
#       - slab objects of kgate's own caches (grep kgate /proc/slabinfo):
#         none may be left once the module is gone;
#       - active objects of the kmalloc caches (kgate allocates with
#         kmalloc), and SUnreclaim of /proc/meminfo.
#     The growth allowed is 3 times what one cycle's 100 services take
#     (measured in the first cycle, with the module loaded): leaking all of
#     it each cycle would grow 50 times that, a 6 % leak 3 times.  Growth
#     is polled for up to 60 s (RCU and workqueue frees are deferred).
#     kmemleak is used as well when the kernel has it.
#
# Environment: KGATE_KO (required), KGATE_SCALE_N (default 10000),
#   KGATE_SCALE_CYCLES (default 50).
# Prints TAP; exit status 0 when every check passed.

set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KO=${KGATE_KO:?KGATE_KO must name kgate.ko}
N=${KGATE_SCALE_N:-10000}
CYCLES=${KGATE_SCALE_CYCLES:-50}
CLI=$TOP/build/userspace/kgate
FILL=${KGATE_SELFTESTS:-$TOP/build/selftests}/fill
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

t=0
fails=0
ok() { t=$((t + 1)); echo "ok $t $1"; }
not_ok() { t=$((t + 1)); fails=$((fails + 1)); echo "not ok $t $1"; }
skip() { t=$((t + 1)); echo "ok $t $1 # SKIP $2"; }
note() { echo "# $*"; }

load() {
	local d
	for d in $(modinfo -F depends "$KO" | tr ',' ' '); do
		modprobe "$d" || return 1
	done
	insmod "$KO"
}
unload() { rmmod kgate && [ ! -d /sys/module/kgate ]; }

# Sum of active objects of the slab caches whose name matches $1 (ERE).
slab_objs() {
	awk -v re="$1" 'NR > 2 && $1 ~ re { s += $2 } END { print s + 0 }' /proc/slabinfo
}
sunreclaim() { awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo; }
kgate_caches() { grep -E '^kgate' /proc/slabinfo || true; }
# Services in the namespace.
count() { "$FILL" stats | awk '{ print $2 }'; }

# Add $1 services named $2/svc-I:80 in one batch.
add_services() {
	local n=$1 prefix=$2
	if [ -x "$CLI" ] && [ "${KGATE_SCALE_VIA:-cli}" = cli ]; then
		awk -v n="$n" -v p="$prefix" 'BEGIN {
			for (i = 0; i < n; i++)
				printf "service add %s/svc-%d:80 cluster 198.18.%d.%d:80 backend 198.19.%d.%d:8080 backend 198.19.%d.%d:8081\n",
					p, i, int(i / 256) % 256, i % 256,
					int(i / 256) % 256, i % 256,
					int(i / 256) % 256, i % 256
		}' >"$TMP/batch"
		"$CLI" batch -f "$TMP/batch" >/dev/null
	else
		"$FILL" add "$n" "$prefix"
	fi
}

echo "TAP version 13"
echo "1..4"
if [ -x "$CLI" ]; then via="CLI $CLI batch -f"; else via="helper $FILL (CLI not built)"; fi
[ "${KGATE_SCALE_VIA:-cli}" = cli ] || via="helper $FILL"
note "scale: $N services via $via, then $CYCLES insmod/add/rmmod cycles"
[ -x "$FILL" ] || { echo "Bail out! $FILL not built"; exit 1; }
[ ! -d /sys/module/kgate ] || rmmod kgate

# --- 1. 10k services in one batch, rmmod with them present
if ! load; then
	echo "Bail out! cannot load $KO"
	exit 1
fi
start=$(date +%s.%N)
if add_services "$N" scale; then
	end=$(date +%s.%N)
	c=$(count)
	if [ "$c" = "$N" ]; then
		ok "$N services in one batch ($(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s)"
	else
		not_ok "$N services in one batch: the kernel has $c"
	fi
else
	not_ok "$N services in one batch: refused"
fi
if out=$(unload 2>&1); then
	ok "rmmod with $N services"
else
	not_ok "rmmod with $N services: $out"
	echo "Bail out! module stuck"
	exit 1
fi

# --- 2. load / add / unload cycles
kmemleak=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -w "$kmemleak" ]; then
	echo clear >"$kmemleak"
fi
base_k=$(slab_objs '^kmalloc-')
base_s=$(sunreclaim)
note "before the cycles: kmalloc objects $base_k, SUnreclaim $base_s kB"
cost_k=0
cost_s=0
cycle_fail=
for i in $(seq 1 "$CYCLES"); do
	[ $((i % 10)) = 1 ] && echo "# scale: cycle $i of $CYCLES" >&2
	load || { cycle_fail="insmod failed in cycle $i"; break; }
	if ! "$FILL" add 100 "cycle$i" >/dev/null || [ "$(count)" != 100 ]; then
		cycle_fail="adding 100 services failed in cycle $i"
		break
	fi
	if [ "$i" = 1 ]; then
		cost_k=$(( $(slab_objs '^kmalloc-') - base_k ))
		cost_s=$(( $(sunreclaim) - base_s ))
		note "cycle 1 with the module and 100 services: +$cost_k kmalloc objects, +$cost_s kB SUnreclaim"
	fi
	unload || { cycle_fail="rmmod failed in cycle $i"; break; }
done
if [ -n "$cycle_fail" ]; then
	not_ok "$CYCLES insmod / add 100 / rmmod cycles: $cycle_fail"
else
	ok "$CYCLES insmod / add 100 / rmmod cycles"
fi

# Poll for the growth to come under the limit (deferred frees).
lim_k=$((cost_k * 3))
lim_s=$((cost_s * 3))
[ "$lim_s" -ge 256 ] || lim_s=256
deadline=$(( $(date +%s) + 60 ))
while :; do
	grow_k=$(( $(slab_objs '^kmalloc-') - base_k ))
	grow_s=$(( $(sunreclaim) - base_s ))
	caches=$(kgate_caches)
	if [ "$grow_k" -le "$lim_k" ] && [ "$grow_s" -le "$lim_s" ] && [ -z "$caches" ]; then
		break
	fi
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.5	# polling interval
done
note "after $CYCLES cycles: kmalloc objects $((base_k + grow_k)) (${grow_k:+$grow_k} vs limit $lim_k), SUnreclaim $((base_s + grow_s)) kB ($grow_s vs limit $lim_s)"
leak=
[ -z "$caches" ] || leak="kgate slab caches left: $caches"
if [ "$cost_k" -le 0 ]; then
	note "100 services showed no kmalloc growth: the object count is not a usable measure"
elif [ "$grow_k" -gt "$lim_k" ]; then
	leak="${leak:+$leak; }kmalloc objects grew by $grow_k after $CYCLES cycles (one cycle's services: $cost_k)"
fi
if [ "$grow_s" -gt "$lim_s" ]; then
	leak="${leak:+$leak; }SUnreclaim grew by $grow_s kB (one cycle: $cost_s kB)"
fi
if [ -w "$kmemleak" ]; then
	echo scan >"$kmemleak"
	echo scan >"$kmemleak"
	if grep -q kgate "$kmemleak"; then
		leak="${leak:+$leak; }kmemleak reports kgate objects"
		sed 's/^/# kmemleak: /' "$kmemleak" | head -40
	fi
else
	note "kmemleak not available in this kernel"
fi
if [ -n "$leak" ]; then
	not_ok "no leak after $CYCLES cycles: $leak"
else
	ok "no leak after $CYCLES cycles"
fi
[ "$fails" = 0 ]
