#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install everything kgate needs to build, test and benchmark, from Debian 12's
# apt (bookworm and bookworm-security), plus the headers of the two kernels the VM tests
# boot (tests/vm/kernels.sh list). Only missing packages are installed (checked with
# dpkg-query); `apt-get update` runs at most once, and only when something is missing.
# Running it again on a complete machine installs nothing.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KERNELS=$HERE/../vm/kernels.sh
export DEBIAN_FRONTEND=noninteractive

PKGS=(
	# build
	build-essential pkg-config kmod dkms sparse perl python3 python3-yaml bc
	# the fuzzers (tests/fuzz): clang's libFuzzer runtime is a separate package
	clang libclang-rt-14-dev
	# userspace libraries
	libmnl-dev libnl-route-3-dev libyaml-dev libjansson-dev libcurl4-gnutls-dev
	libgnutls28-dev
	libsystemd-dev
	# the kernel's kselftest harness and checkpatch (tests/tools/kselftest.sh)
	linux-source-6.12 xz-utils
	# the VM runner (tests/vm)
	qemu-system-x86 busybox-static cpio zstd binutils
	# make install's checks (tests/tools/install-check.sh): systemd-analyze, man, col
	systemd man-db groff-base bsdextrautils
	# tools the tests and benchmarks drive inside the VM
	iproute2 socat curl nftables iptables ipvsadm gnuplot-nox openssl
	# GNU time: the peak RSS of kgate apply (tests/bench/apply.sh)
	time
	# the L4 and L7 benchmarks' backends, proxies and load generator (tests/bench)
	nginx-light haproxy wrk
)

log() { printf 'deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

missing=()
for p in "${PKGS[@]}"; do
	installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${#missing[@]} of ${#PKGS[@]} packages: ${missing[*]}"
	log "apt-get update"
	apt-get update -qq || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install failed"
	# The benchmarks start their own nginx and HAProxy in the VM: the
	# services these packages enable on the host are not wanted.
	for p in nginx haproxy; do
		if [[ " ${missing[*]} " == *" $p"[-\ ]* ]] && command -v systemctl >/dev/null &&
			systemctl is-enabled -q "$p" 2>/dev/null; then
			systemctl disable --now "$p" >/dev/null 2>&1 || log "could not stop the host's $p service"
		fi
	done
else
	log "all ${#PKGS[@]} packages present"
fi

# The headers of the kernels the VM tests boot (kernels.sh refuses to drag in
# meta packages and keeps apt from building an initramfs for them).
read -r -a vers <<<"$("$KERNELS" list)"
[ ${#vers[@]} -eq 2 ] || die "kernels.sh list gave '${vers[*]}'"
i=0
for v in "${vers[@]}"; do
	i=$((i + 1))
	log "kernel headers $i of ${#vers[@]}: $v"
	"$KERNELS" headers "$v"
done
log "done"
