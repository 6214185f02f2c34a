#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian kernels that the VM tests boot.
#
#   kernels.sh list          print the newest 6.12 and the newest 6.1 kernel release,
#                            in that order, on one line ("6.12.N+deb12-amd64 6.1.0-N-amd64")
#   kernels.sh fetch VER     download linux-image-VER into $KGATE_CACHE/debs, unpack it into
#                            $KGATE_CACHE/kernels/VER, run depmod on that tree, and install
#                            linux-headers-VER if /lib/modules/VER/build is missing
#   kernels.sh headers VER   only install linux-headers-VER (if missing)
#
# Versions are chosen from apt at run time, never hard-coded. Every step is
# idempotent: a second fetch of the same kernel does nothing. Progress goes to
# stderr; stdout carries only the answer of `list`.

set -euo pipefail

CACHE=${KGATE_CACHE:-/var/cache/kgate}
export DEBIAN_FRONTEND=noninteractive

log() { printf 'kernels: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

APT_UPDATED=0
apt_update() {
	[ "$APT_UPDATED" = 1 ] && return 0
	log "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
	APT_UPDATED=1
}

check_ver() {
	[[ ${1-} =~ ^[0-9]+\.[0-9]+[0-9A-Za-z.+~-]*$ ]] || die "bad kernel version '${1-}'"
}

# newest REGEX: the highest release among the linux-image packages matching REGEX.
newest() {
	apt-cache search --names-only "$1" | awk '{ print $1 }' |
		sed 's/^linux-image-//' | sort -V | tail -n 1
}

cmd_list() {
	local re612='^linux-image-6\.12\.[0-9]+\+deb12-amd64$'
	local re61='^linux-image-6\.1\.0-[0-9]+-amd64$'
	local a b
	a=$(newest "$re612")
	b=$(newest "$re61")
	if [ -z "$a" ] || [ -z "$b" ]; then
		apt_update
		a=$(newest "$re612")
		b=$(newest "$re61")
	fi
	[ -n "$a" ] || die "apt knows no linux-image-6.12.N+deb12-amd64 (is bookworm-security enabled?)"
	[ -n "$b" ] || die "apt knows no linux-image-6.1.0-N-amd64"
	echo "$a $b"
}

# The linux-image-VER deb, if we already have it.
cached_deb() {
	local f best=
	for f in "$CACHE/debs/linux-image-$1"_*_amd64.deb; do
		[ -f "$f" ] && best=$f
	done
	echo "$best"
}

# cmd_headers VER: apt-get install linux-headers-VER unless /lib/modules/VER/build
# exists. The 6.12 headers depend on the matching linux-image, so apt installs that image
# too; nothing else kernel-related may come along (no meta packages, no other images), and
# INITRD=No keeps the kernel's postinst hook from building an initramfs nobody boots.
cmd_headers() {
	local ver=$1 pkg plan inst bad
	check_ver "$ver"
	if [ -e "/lib/modules/$ver/build" ]; then
		log "$ver: headers present (/lib/modules/$ver/build)"
		return 0
	fi
	pkg=linux-headers-$ver
	if ! plan=$(apt-get -s install --no-install-recommends "$pkg" 2>&1); then
		apt_update
		plan=$(apt-get -s install --no-install-recommends "$pkg" 2>&1) ||
			{ printf '%s\n' "$plan" >&2; die "apt cannot install $pkg"; }
	fi
	inst=$(printf '%s\n' "$plan" | awk '$1 == "Inst" { print $2 }')
	bad=$(printf '%s\n' "$inst" | grep -E '^linux-(image|headers)-' |
		grep -vxF -e "linux-image-$ver" -e "linux-image-$ver-unsigned" \
			-e "linux-headers-$ver" -e "linux-headers-${ver%-amd64}-common" || true)
	if [ -n "$bad" ]; then
		die "installing $pkg would also pull in: $(paste -sd' ' <<<"$bad"); refusing"
	fi
	log "$ver: installing $pkg; apt adds: $(paste -sd' ' <<<"$inst")"
	if ! INITRD=No apt-get install -y -q --no-install-recommends "$pkg" >&2; then
		# Stale package lists name files the mirror no longer has.
		[ "$APT_UPDATED" = 0 ] || die "apt-get install $pkg failed"
		apt_update
		INITRD=No apt-get install -y -q --no-install-recommends "$pkg" >&2 ||
			die "apt-get install $pkg failed"
	fi
	[ -e "/lib/modules/$ver/build" ] || die "$pkg installed but /lib/modules/$ver/build is missing"
}

# download_deb VER: put linux-image-VER's .deb into $CACHE/debs (atomically).
download_deb() {
	local ver=$1 pkg=linux-image-$1 tmp f
	mkdir -p "$CACHE/debs"
	# Installing the 6.12 headers pulled this very package into apt's cache: reuse it.
	for f in /var/cache/apt/archives/"$pkg"_*_amd64.deb; do
		if [ -f "$f" ] && dpkg-deb -f "$f" Package 2>/dev/null | grep -xF "$pkg" >/dev/null; then
			log "$ver: taking $(basename "$f") from apt's cache"
			cp "$f" "$CACHE/debs/.$(basename "$f").$$"
			mv "$CACHE/debs/.$(basename "$f").$$" "$CACHE/debs/$(basename "$f")"
			return 0
		fi
	done
	tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
	log "$ver: apt-get download $pkg"
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
		apt_update
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
			{ rm -rf "$tmp"; die "apt-get download $pkg failed"; }
	fi
	for f in "$tmp"/*.deb; do
		mv "$f" "$CACHE/debs/"
	done
	rmdir "$tmp"
}

# u32 OFFSET FILE: the little-endian 32-bit number at OFFSET in FILE.
u32() { od -An -tu4 -j "$1" -N4 "$2" | tr -d ' '; }

# unpack_vmlinux TREE VER: put the uncompressed kernel (ELF, with its PVH entry note)
# next to the bzImage as boot/vmlinux-VER. QEMU boots it directly, which skips the
# decompression that costs seconds under TCG (Debian's 6.1 is xz-compressed). The payload
# is located with the boot protocol's payload_offset / payload_length fields. Nothing is
# left behind if the image is not as expected; run.sh then boots the bzImage.
unpack_vmlinux() {
	local tree=$1 ver=$2 bz out sects pm off len magic
	bz=$tree/boot/vmlinuz-$ver
	out=$tree/boot/vmlinux-$ver
	[ -f "$out" ] || [ -f "$out.none" ] && return 0
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
	[ "$sects" = 0 ] && sects=4
	pm=$(((sects + 1) * 512))
	off=$(u32 $((0x248)) "$bz")
	len=$(u32 $((0x24c)) "$bz")
	magic=$(od -An -tx1 -j $((pm + off)) -N4 "$bz" | tr -d ' ')
	log "$ver: unpacking vmlinux (payload $magic, $len bytes)"
	case $magic in
	# The build appends the uncompressed size (4 bytes) to the compressed stream.
	fd377a58) tail -c +$((pm + off + 1)) "$bz" | head -c "$len" | xz -dc --single-stream ;;
	28b52ffd) tail -c +$((pm + off + 1)) "$bz" | head -c $((len - 4)) | zstd -qdc ;;
	*) false ;;
	esac >"$out.tmp.$$" 2>/dev/null || true
	if readelf -n "$out.tmp.$$" 2>/dev/null | grep 'Xen.*(0x00000012)' >/dev/null; then
		mv "$out.tmp.$$" "$out"
	else
		log "$ver: no PVH-bootable vmlinux in the bzImage; the VM boots the bzImage"
		rm -f "$out.tmp.$$"
		: >"$out.none"
	fi
}

cmd_fetch() {
	local ver=$1 dest deb tmp mods
	check_ver "$ver"
	dest=$CACHE/kernels/$ver

	cmd_headers "$ver"

	deb=$(cached_deb "$ver")
	if [ -f "$dest/.kgate-complete" ] && [ -n "$deb" ] &&
		[ "$(cat "$dest/.kgate-complete")" = "$(basename "$deb")" ]; then
		unpack_vmlinux "$dest" "$ver"
		log "$ver: kernel ready in $dest"
		return 0
	fi
	if [ -z "$deb" ]; then
		download_deb "$ver"
		deb=$(cached_deb "$ver")
		[ -n "$deb" ] || die "no linux-image-$ver deb after download"
	fi

	log "$ver: unpacking $(basename "$deb")"
	mkdir -p "$CACHE/kernels"
	tmp=$(mktemp -d "$CACHE/kernels/.$ver.XXXXXX")
	dpkg-deb -x "$deb" "$tmp" || { rm -rf "$tmp"; die "dpkg-deb -x $deb failed"; }
	# depmod -b looks for BASE/lib/modules; follow the package if it ships usr/lib/modules.
	if [ ! -d "$tmp/lib/modules/$ver" ] && [ -d "$tmp/usr/lib/modules/$ver" ]; then
		ln -s usr/lib "$tmp/lib"
	fi
	mods=$tmp/lib/modules/$ver
	[ -d "$mods/kernel" ] || { rm -rf "$tmp"; die "$deb has no lib/modules/$ver/kernel"; }
	[ -f "$tmp/boot/vmlinuz-$ver" ] || { rm -rf "$tmp"; die "$deb has no boot/vmlinuz-$ver"; }
	log "$ver: depmod"
	depmod -b "$tmp" "$ver" || { rm -rf "$tmp"; die "depmod failed"; }
	unpack_vmlinux "$tmp" "$ver"
	basename "$deb" >"$tmp/.kgate-complete"
	chmod 755 "$tmp"
	if cmp -s "$tmp/.kgate-complete" "$dest/.kgate-complete"; then
		rm -rf "$tmp" # another fetch of the same kernel finished first
	else
		rm -rf "$dest"
		mv -T "$tmp" "$dest"
	fi
	log "$ver: kernel ready in $dest"
}

usage() {
	sed -n '4,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

case ${1-} in
list) [ $# -eq 1 ] || usage; cmd_list ;;
fetch) [ $# -eq 2 ] || usage; cmd_fetch "$2" ;;
headers) [ $# -eq 2 ] || usage; cmd_headers "$2" ;;
*) usage ;;
esac
