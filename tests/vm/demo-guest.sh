#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, in the guest: load kgate, make a few services with the CLI,
# show them, change one, remove the module.
set -euo pipefail
kgate=$PWD/build/userspace/kgate
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

for dep in $(modinfo -F depends "$KGATE_KO" | tr , ' '); do modprobe "$dep"; done
run insmod "$KGATE_KO"
kgate() { "$kgate" "$@"; }

run kgate service add default/web:http \
	cluster 10.96.0.10:80/tcp cluster '[fd00:96::10]:80/tcp' nodeport 30080/tcp \
	backend 10.244.1.5:8080 backend 10.244.2.7:8080 \
	backend '[fd00:244::5]:8080'
run kgate service add default/dns:udp cluster 10.96.0.53:53/udp \
	backend 10.244.1.9:53 backend 10.244.2.9:53 affinity clientip timeout 600
run kgate service add shop/api:https loadbalancer 203.0.113.7:443/tcp \
	external-policy local source-range 198.51.100.0/24 \
	backend 10.244.1.20:8443 weight 2 local backend 10.244.2.20:8443
run kgate service show
run kgate backend set default/web:http 10.244.2.7:8080 state terminating
run kgate backend add default/web:http 10.244.3.4:8080
run kgate -j service show default/dns:udp
run kgate -j -p service show default/web:http
run kgate stats

say "kgate service add default/web:http cluster 10.96.0.10:80/tcp   # taken: refused"
kgate service add default/web:http cluster 10.96.0.10:80/tcp || echo "(exit status $?)"

run rmmod kgate
say "lsmod | grep kgate"
if lsmod | grep '^kgate '; then exit 1; fi
echo "(kgate is unloaded)"
