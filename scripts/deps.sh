#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what PUMA's build and tests need, and fetch the Debian kernels the
# guests boot.  Idempotent: a second run does nothing but check.
#
# Kernels are never installed on this machine: the image and header packages
# are downloaded and unpacked with dpkg-deb -x into $PUMA_CACHE.
#
# Usage: scripts/deps.sh          everything the tests need (default)
#        scripts/deps.sh build    only what building the module and pumactl
#                                 against existing headers needs
#        scripts/deps.sh --print-kdir|--print-kernel|--print-abi 6.1|6.12
set -euo pipefail

PUMA_CACHE=${PUMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/puma}
export DEBIAN_FRONTEND=noninteractive

BUILD_PKGS=(build-essential gcc-12 make bc flex bison kmod libelf-dev
	    libssl-dev dwarves libnl-genl-3-dev libnl-3-dev pkg-config rsync)
TEST_PKGS=(cpio xz-utils zstd qemu-system-x86 busybox-static linux-source-6.1
	   fio sparse e2fsprogs iproute2 python3 iputils-ping util-linux perl
	   coreutils gzip dmsetup xfsprogs)

log() { echo "deps: $*" >&2; }

install_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The metapackage names the ABI package it depends on: resolve it from the
# candidate version only, so headers and image always match.
meta_dep() {
	apt-cache show --no-all-versions "$1" | sed -n 's/^Depends: \([^ ,]*\).*/\1/p' | head -1
}

# abi_of <line>: the ABI string (e.g. 6.1.0-56 or 6.12.117+deb12)
abi_of() {
	local img
	case "$1" in
	6.1)  img=$(meta_dep linux-image-amd64) ;;
	6.12) img=$(meta_dep linux-image-6.12-amd64) ;;
	*) log "unknown kernel line $1"; exit 2 ;;
	esac
	img=${img#linux-image-}
	echo "${img%-amd64}"
}

fetch_unpack() { # dest pkg...
	local dest=$1 tmp p
	shift
	tmp=$(mktemp -d)
	chmod 755 "$tmp"	# apt's _apt user downloads into it
	chown _apt "$tmp" 2>/dev/null || true
	(cd "$tmp" && apt-get download -qq "$@" >/dev/null)
	mkdir -p "$dest.part"
	for p in "$tmp"/*.deb; do dpkg-deb -x "$p" "$dest.part"; done
	rm -rf "$tmp"
}

fetch_kernel() { # line
	local line=$1 abi dir
	abi=$(cached_abi "$line")
	dir=$PUMA_CACHE/kernels/$abi
	if [ ! -f "$dir/.done" ]; then
		log "fetching kernel image $abi"
		rm -rf "$dir" "$dir.part"
		fetch_unpack "$dir" "linux-image-$abi-amd64"
		mv "$dir.part" "$dir"
		touch "$dir/.done"
	fi
	dir=$PUMA_CACHE/headers/$abi
	if [ ! -f "$dir/.done" ]; then
		log "fetching kernel headers $abi"
		rm -rf "$dir" "$dir.part"
		local deps
		# linux-headers-<abi>-common and linux-kbuild-* as the headers
		# package names them (6.1: linux-kbuild-6.1; 6.12:
		# linux-kbuild-<abi>).
		deps=$(apt-cache show --no-all-versions "linux-headers-$abi-amd64" |
			sed -n 's/^Depends: //p' | tr ',' '\n' |
			grep -oE 'linux-(headers-[^ ]*-common|kbuild-[^ ]*)' | sort -u)
		fetch_unpack "$dir" "linux-headers-$abi-amd64" $deps
		# The arch package's Makefile includes the common tree by an
		# absolute /usr/src path: point it at our copy.
		sed -i "s|/usr/src/|$dir/usr/src/|g" \
			"$dir.part/usr/src/linux-headers-$abi-amd64/Makefile"
		# Kbuild scripts are symlinks into /usr/lib/linux-kbuild-*.
		find "$dir.part/usr/src" -maxdepth 2 -type l | while read -r l; do
			t=$(readlink "$l")
			case "$t" in
			/*) ln -sfn "$dir${t}" "$l" ;;
			esac
		done
		mv "$dir.part" "$dir"
		sed -i "s|$dir.part|$dir|g" "$dir/usr/src/linux-headers-$abi-amd64/Makefile"
		find "$dir/usr/src" -maxdepth 2 -type l | while read -r l; do
			t=$(readlink "$l")
			case "$t" in
			"$dir.part"*) ln -sfn "$dir${t#"$dir.part"}" "$l" ;;
			esac
		done
		touch "$dir/.done"
	fi
}

# Resolve the ABI once per day and remember it, so repeated make runs do not
# hit apt-cache every time and an offline rerun still works.
cached_abi() {
	local f=$PUMA_CACHE/abi-$1
	mkdir -p "$PUMA_CACHE"
	if [ ! -s "$f" ] || [ -n "$(find "$f" -mmin +1440 2>/dev/null)" ]; then
		local abi
		abi=$(abi_of "$1" 2>/dev/null || true)
		if [ -z "$abi" ]; then
			apt-get update -qq
			abi=$(abi_of "$1")
		fi
		[ -n "$abi" ] && echo "$abi" >"$f"
	fi
	cat "$f"
}

case "${1:-}" in
--print-kdir)
	abi=$(cached_abi "$2")
	echo "$PUMA_CACHE/headers/$abi/usr/src/linux-headers-$abi-amd64"
	exit 0 ;;
--print-kernel)
	abi=$(cached_abi "$2")
	echo "$PUMA_CACHE/kernels/$abi"
	exit 0 ;;
--print-abi)
	cached_abi "$2"
	exit 0 ;;

build)
	install_packages "${BUILD_PKGS[@]}"
	exit 0 ;;
"") ;;
*)
	echo "usage: deps.sh [build | --print-kdir|--print-kernel|--print-abi LINE]" >&2
	exit 2 ;;
esac

install_packages "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
fetch_kernel 6.1
fetch_kernel 6.12
