#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: install what is needed, build, boot the newest 6.12 kernel in
# a VM, and run tests/vm/demo-guest.sh there.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
echo "demo: installing dependencies"
tests/tools/deps.sh
kver=$(tests/vm/kernels.sh list | awk '{print $1}')
echo "demo: fetching kernel $kver"
tests/vm/kernels.sh fetch "$kver"
echo "demo: building the module, the CLI and the test pods' servers"
make -s module KVER="$kver"
make -s userspace
make -s -C tests/selftests O="$top/build/selftests" "$top/build/selftests/podserve" \
	"$top/build/selftests/httpd"
echo "demo: booting $kver in QEMU"
tests/vm/run.sh "$kver" tests/vm/demo-guest.sh
