#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install, kgated.service and make uninstall, in the VM guest.
#
# A real make install: the guest's root is an overlay whose writes go to a
# tmpfs (the host's root below it is read-only 9p), and /lib/modules/KVER
# gets a tmpfs overlay of its own, so nothing reaches the host.  The tree
# is built already (make -o userspace: nothing is rebuilt), and what the
# staged layout proves (every file and mode, DESTDIR, the directories'
# variables, uninstall leaving nothing) is tests/tools/install-check.sh's,
# on the host.  dkms is a stand-in (DKMS=...) that records its calls and,
# for "install", puts $KGATE_KO where dkms puts modules and runs depmod
# on it and its dependencies alone: compiling the module under TCG would
# take minutes, depmod -a over every module of the kernel one or two (and
# tests/tools/dkms-check.sh builds the module with the real dkms on the
# host).
#
# The guest has no systemd: the unit's own lines are run as it says.
# ExecStartPre= (full privileges) loads the module; ExecStart= runs in the
# node's namespace with the capability bounding set and no_new_privs of
# CapabilityBoundingSet= and NoNewPrivileges= (setpriv), NOTIFY_SOCKET
# on a datagram socket of ours; ExecReload= with $MAINPID; SIGTERM as
# systemctl stop sends it.  A manifest dropped in /etc/kgate/manifests
# must reach a Pod through its VIP, and its removal delete the service.
# TAP; in the VM guest, with kgate loaded (suite-traffic.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/l7/lib.sh
plan 11

KVER=${KGATE_KVER:-$(uname -r)}
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
UNIT=/lib/systemd/system/kgated.service
MANIFESTS=/etc/kgate/manifests
# The directories a real install writes to, listed before and after.
TOUCHED=(/usr/sbin /usr/src /usr/share/man/man8 /lib/systemd/system /etc)
W=
KGATED=
NOTIFY_PID=
MODDIR_MOUNTED=
INSTALLED=

# A real install only where it cannot reach the host: the guest's
# overlay root, set up by tests/vm/init.
if [ "$(findmnt -n -o FSTYPE /)" != overlay ] || [ ! -f /run/kgate/init ]; then
	for ((i = 0; i < 11; i++)); do
		skip "install in the VM guest" "not the VM guest's overlay root"
	done
	exit 0
fi

cleanup() {
	[ -z "$KGATED" ] || kill "$KGATED" 2>/dev/null
	[ -z "$NOTIFY_PID" ] || kill "$NOTIFY_PID" 2>/dev/null
	[ -z "$INSTALLED" ] || make -s uninstall DKMS="$W/dkms" >/dev/null 2>&1
	l7_down
	[ -z "$MODDIR_MOUNTED" ] || umount "/lib/modules/$KVER"
	[ -z "$W" ] || { umount "$W" && rmdir "$W"; }
	# The suite unloads the module after the last test: it must be there.
	[ -d /sys/module/kgate ] || insmod "$KGATE_KO"
}
trap cleanup EXIT

listing() {
	local d
	for d in "${TOUCHED[@]}"; do
		echo "$d: $(ls -A "$d" 2>/dev/null | tr '\n' ' ')"
	done
}

# unit_line KEY: the command of the unit's KEY= line, without the
# prefixes systemd reads ("+", "-", "@", ":", "!").
unit_line() {
	sed -n "s/^$1=[-+@:!]*//p" "$UNIT" | head -n1
}

# The dkms stand-in: one line per call in dkms.log.  depmod runs on
# kgate.ko and the modules it depends on (modprobe --show-depends lists
# them): modprobe then loads it, as after a whole depmod -a, but finds no
# other module until cleanup() takes the overlay away.
make_dkms() {
	cat >"$W/dkms" <<-EOF
	#!/bin/bash
	echo "\$*" >>"$W/dkms.log"
	dest=/lib/modules/$KVER/updates/dkms
	deps() {
		modprobe -a -S "$KVER" --show-depends \\
			\$(modinfo -F depends "$KGATE_KO" | tr , ' ') |
			awk '\$1 == "insmod" { print \$2 }' | sort -u
	}
	case \$1 in
	add)	test -f /usr/src/kgate-$VER/dkms.conf ;;
	status)	test -f "$W/added" && echo "kgate/$VER: added" ;;
	install) mkdir -p "\$dest" && cp "$KGATE_KO" "\$dest/" &&
		depmod "$KVER" "\$dest/kgate.ko" \$(deps) && touch "$W/added" ;;
	remove)	rm -f "\$dest/kgate.ko" "$W/added" && depmod "$KVER" \$(deps) ;;
	esac
	EOF
	chmod +x "$W/dkms"
}

# notify_listen SOCKET LOG: every datagram on SOCKET, one line each.
notify_listen() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        d = s.recv(65536).decode(errors="replace")
        f.write(d.replace("\n", " ") + "\n")
        f.flush()
' "$1" "$2" &
	NOTIFY_PID=$!
	wait_for 5 test -S "$1"
}

kgated_log() { sed 's/^/kgated: /' "$W/kgated.log" | tail -n 20; }
# alive: kgated runs (a zombie, not waited for yet, does not count).
alive() { grep -qE '^State:[[:space:]]+[^Z]' "/proc/$KGATED/status" 2>/dev/null; }
vip() {
	in_ns client curl -s --max-time 5 -o /dev/null \
		-w '%{http_code} %header{x-backend}' "http://$1/"
}

W=$(mktemp -d /tmp/kgate-inst.XXXXXX)
mount -t tmpfs tmpfs "$W"

# The namespaces first: the stand-in's depmod indexes kgate and its
# dependencies alone, so what they need (veth) must be loaded before.
L7_DIR=$(mktemp -d /tmp/kgl7.XXXXXX)
topo_up 1 || l7_bail 1

# --- a real install into the guest's root ----------------------------------
before=$(listing)
mkdir -p "$W/mod/upper" "$W/mod/work"
mount -t overlay -o "lowerdir=/lib/modules/$KVER,upperdir=$W/mod/upper,workdir=$W/mod/work" \
	overlay "/lib/modules/$KVER" && MODDIR_MOUNTED=1
make_dkms
INSTALLED=1
t0=$SECONDS
out=$(make -s -o userspace install DKMS="$W/dkms" 2>&1)
rc=$?
want="add -m kgate -v $VER --sourcetree /usr/src
build -m kgate -v $VER -k $KVER --sourcetree /usr/src
install -m kgate -v $VER -k $KVER --sourcetree /usr/src"
calls=$(grep -v '^status' "$W/dkms.log" 2>/dev/null)
if [ "$rc" = 0 ] && [ "$calls" = "$want" ]; then
	ok "make install: dkms add, build and install of kgate/$VER for $KVER"
else
	fail "make install: dkms add, build and install of kgate/$VER for $KVER" \
		"status $rc" "$out" "dkms calls: ${calls//$'\n'/ | }"
fi
echo "# make install took $((SECONDS - t0)) s"
check "the files are in place: /usr/sbin/kgated, the unit, the config, $MANIFESTS" \
	test -x /usr/sbin/kgated -a -x /usr/sbin/kgate -a -f "$UNIT" \
	-a -f /etc/kgate/kgated.yaml -a -d "$MANIFESTS" -a -f /usr/share/man/man8/kgated.8

# --- the unit's lines --------------------------------------------------------
rmmod kgate
unloaded=$?
read -r -a pre <<<"$(unit_line ExecStartPre)"
echo "# ExecStartPre: ${pre[*]}"
"${pre[@]}"
if [ "$unloaded" = 0 ] && [ -d /sys/module/kgate ] &&
   [[ $(modinfo -n kgate 2>/dev/null) == */updates/dkms/kgate.ko ]]; then
	ok "ExecStartPre (${pre[*]}) loads the module dkms installed"
else
	fail "ExecStartPre (${pre[*]}) loads the module dkms installed" \
		"modinfo -n: $(modinfo -n kgate 2>&1)"
	[ -d /sys/module/kgate ] || insmod "$KGATE_KO"
fi

notify_listen "$W/notify" "$W/notify.log"
read -r -a start <<<"$(unit_line ExecStart)"
echo "# ExecStart: ${start[*]}"
NOTIFY_SOCKET=$W/notify ip netns exec "$(ns node)" \
	setpriv --bounding-set -all,+net_admin --inh-caps -all --no-new-privs -- \
	"${start[@]}" >"$W/kgated.log" 2>&1 &
KGATED=$!
if wait_for 30 grep -q 'READY=1' "$W/notify.log"; then
	echo "# pid $KGATED is $(cat "/proc/$KGATED/comm" 2>/dev/null)"
	ok "kgated (ExecStart=${start[*]}) says READY=1 on NOTIFY_SOCKET"
else
	fail "kgated (ExecStart=${start[*]}) says READY=1 on NOTIFY_SOCKET" \
		"notify: $(tr '\n' '|' <"$W/notify.log")" "$(kgated_log)"
fi
caps=$(grep -E '^(CapEff|CapBnd|NoNewPrivs):' "/proc/$KGATED/status" 2>/dev/null | tr -s '\t\n' '  ')
check "and runs with CAP_NET_ADMIN alone, no_new_privs set" \
	test "$caps" = "CapEff: 0000000000001000 CapBnd: 0000000000001000 NoNewPrivs: 1 " ||
	echo "# $caps"

cat >"$W/web.yaml" <<-EOF
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  clusterIP: 10.96.5.1
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-1
  namespace: default
  labels:
    kubernetes.io/service-name: web
addressType: IPv4
ports:
- port: 8080
endpoints:
- addresses: [10.244.1.2]
  conditions: {ready: true}
EOF
# As an administrator would: written beside it, renamed in.
cp "$W/web.yaml" "$MANIFESTS/.web.yaml.tmp" && mv "$MANIFESTS/.web.yaml.tmp" "$MANIFESTS/web.yaml"
check "a manifest dropped in $MANIFESTS becomes service default/web:80" \
	wait_for 20 kgate service show default/web:80 || kgated_log
check "its VIP 10.96.5.1:80 reaches the Pod (pod1)" is "200 pod1" vip 10.96.5.1

read -r -a reload <<<"$(unit_line ExecReload)"
reload=("${reload[@]//\$MAINPID/$KGATED}")
echo "# ExecReload: ${reload[*]}"
"${reload[@]}"
# reloaded: RELOADING=1, then READY=1 again after it.
reloaded() {
	awk '/RELOADING=1/ { r = 1 } r && /READY=1/ { f = 1 } END { exit !f }' \
		"$W/notify.log"
}
if wait_for 20 reloaded && alive; then
	ok "ExecReload (${reload[*]}): RELOADING=1, READY=1, kgated still runs"
else
	fail "ExecReload (${reload[*]}): RELOADING=1, READY=1, kgated still runs" \
		"notify: $(tr '\n' '|' <"$W/notify.log")" "$(kgated_log)"
fi
rm "$MANIFESTS/web.yaml"
check "the manifest removed: kgated deletes the service it made" \
	wait_for 20 sh -c "! ip netns exec $(ns node) $KGATE service show default/web:80" ||
	kgated_log

# As systemctl stop: SIGTERM, SIGKILL after a while (10 s here).
kill -TERM "$KGATED"
(sleep 10; kill -KILL "$KGATED" 2>/dev/null) &
watchdog=$!
wait "$KGATED"
rc=$?
kill "$watchdog" 2>/dev/null
if [ "$rc" = 0 ]; then
	ok "SIGTERM (systemctl stop): kgated exits with status 0"
else
	fail "SIGTERM (systemctl stop): kgated exits with status 0" "status $rc" "$(kgated_log)"
fi
KGATED=
kill "$NOTIFY_PID"
NOTIFY_PID=

# --- uninstall ----------------------------------------------------------------
out=$(make -s uninstall DKMS="$W/dkms" 2>&1)
INSTALLED=
after=$(listing)
if grep -qx "remove -m kgate -v $VER --all" "$W/dkms.log" && [ "$after" = "$before" ]; then
	ok "make uninstall: dkms remove --all, and every directory install wrote is as before"
else
	fail "make uninstall: dkms remove --all, and every directory install wrote is as before" \
		"$out" "$(diff <(echo "$before") <(echo "$after") | grep '^[<>]')"
fi

[ "$TAP_FAILED" = 0 ]
