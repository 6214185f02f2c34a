#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh VER
#
# Build the initramfs that boots Debian kernel VER for the VM tests and print its path
# (build/vm/VER/initramfs.cpio). It holds a static busybox, tests/vm/init as /init, and
# the modules needed to mount the host's root over virtio-9p with an overlay on tmpfs
# (9p, 9pnet_virtio, virtio_pci, overlay, virtio_console and whatever they depend on,
# found with `modinfo -F depends`), decompressed so that busybox insmod can load them.
# The kernel must have been fetched (tests/vm/kernels.sh fetch VER). The image is
# rebuilt only when one of its inputs changed.

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=${KGATE_CACHE:-/var/cache/kgate}
BUSYBOX=${KGATE_BUSYBOX:-/bin/busybox}
# What the guest's /init loads, before their dependencies are added.
WANTED="virtio_pci virtio_console 9pnet_virtio 9p overlay"

log() { printf 'initramfs[%s]: %s\n' "$VER" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 VER" >&2; exit 2; }
VER=$1
[[ $VER =~ ^[0-9]+\.[0-9]+[0-9A-Za-z.+~-]*$ ]] || die "bad kernel version '$VER'"

TREE=$CACHE/kernels/$VER
[ -f "$TREE/.kgate-complete" ] || die "kernel not fetched: run tests/vm/kernels.sh fetch $VER"
OUTDIR=$TOP/build/vm/$VER
OUT=$OUTDIR/initramfs.cpio

[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
if ! "$BUSYBOX" --list | grep -x switch_root >/dev/null; then
	die "$BUSYBOX lacks switch_root"
fi
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "$BUSYBOX is dynamically linked; install busybox-static"
fi

# Resolve WANTED into load order (dependencies first); builtins drop out.
declare -A SEEN=()
ORDER=()
visit() {
	local m=$1 file deps d
	[ -n "${SEEN[$m]-}" ] && return 0
	SEEN[$m]=1
	file=$(modinfo -b "$TREE" -k "$VER" -F filename "$m" 2>/dev/null) ||
		die "module $m not found in $TREE"
	[ "$file" = "(builtin)" ] && return 0
	deps=$(modinfo -b "$TREE" -k "$VER" -F depends "$m")
	for d in ${deps//,/ }; do
		visit "$d"
	done
	ORDER+=("$m=$file")
}
for m in $WANTED; do
	visit "$m"
done

# The cache key: everything that ends up in the image.
key=$({
	echo "format 1 $VER"
	sha256sum "$HERE/init" "$HERE/initramfs.sh" "$BUSYBOX"
	for e in "${ORDER[@]}"; do
		echo "${e%%=*} $(sha256sum <"${e#*=}")"
	done
} | sha256sum | cut -d' ' -f1)

if [ -f "$OUT" ] && [ "$(cat "$OUT.key" 2>/dev/null)" = "$key" ]; then
	log "up to date ($OUT)"
	echo "$OUT"
	exit 0
fi

log "building: busybox + ${#ORDER[@]} modules (${ORDER[*]%%=*})"
mkdir -p "$OUTDIR"
stage=$(mktemp -d "$OUTDIR/.initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules,lower,rw,vm,newroot,etc}
cp "$BUSYBOX" "$stage/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
done
ln -s bin "$stage/sbin"
install -m 0755 "$HERE/init" "$stage/init"
# The kernel opens /dev/console before it runs /init.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$stage/dev/null" c 1 3 2>/dev/null || true

: >"$stage/etc/modules"
for e in "${ORDER[@]}"; do
	m=${e%%=*}
	f=${e#*=}
	case $f in
	*.ko.xz) xz -dc "$f" >"$stage/lib/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$stage/lib/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$stage/lib/modules/$m.ko" ;;
	*.ko) cp "$f" "$stage/lib/modules/$m.ko" ;;
	*) die "unknown module format: $f" ;;
	esac
	echo "$m" >>"$stage/etc/modules"
done

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) >"$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
echo "$key" >"$OUT.key"
log "built $OUT ($(du -k "$OUT" | cut -f1) KiB)"
echo "$OUT"
