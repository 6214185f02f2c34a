#!/bin/bash
# Build kgate.ko against a kernel tree, in a private copy of the sources.
#   build-module.sh KDIR OUTDIR [extra make args, e.g. W=1 C=1]
set -euo pipefail
kdir=$1 out=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$kdir" ] || { echo "build-module: no kernel tree at $kdir" >&2; exit 1; }
mkdir -p "$out"
# Copy only what Kbuild needs; rsync keeps timestamps so rebuilds are incremental.
for f in Kbuild Makefile; do cp -p "$top/$f" "$out/$f"; done
mkdir -p "$out/kmod" "$out/include"
cp -rpu "$top/kmod/." "$out/kmod/"
cp -rpu "$top/include/." "$out/include/"
echo "module: building for $(basename "$(dirname "$kdir")") $*"
make -s -C "$kdir" M="$out" "$@" modules
