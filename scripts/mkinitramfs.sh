#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs PUMA's test guests boot: busybox, and from the host
# bash (as /bin/sh), ip, tc, mountpoint, fallocate (util-linux: busybox's
# cannot punch holes), dmsetup (a device to suspend under a filesystem:
# 56-rmmod-blocked) and, on request, fio, with the
# libraries ldd names; the kernel modules the guest needs; and
# scripts/guest-init.sh as /init.
#
# /bin/sh is bash, not busybox: busybox sh runs its own applets before
# searching $PATH, so a script's `tc` would be busybox's (no netem) and its
# `ip` too.  Bash in POSIX mode honours $PATH, accepts the bashisms busybox
# sh accepts, and its error messages name the errno (dash's do not).
#
# The output is several gzip'd newc cpio archives concatenated, which the
# kernel unpacks in order:
#   base   busybox, bash, ip, tc, modules, /init  (cached per kernel ABI)
#   fio    fio and its ~80 MiB of libraries        (cached; only with --fio)
#   extra  the --add files, rebuilt on every call (small: puma.ko, tests...)
# Caches live in $PUMA_CACHE/vm/initramfs/.
#
# The guest tree is merged-/usr like Debian's: /bin, /sbin, /lib and /lib64
# are symlinks into /usr, and every path this script writes is normalised
# to its /usr form so that later archives never replace those symlinks.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PUMA_CACHE=${PUMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/puma}
CACHE=$PUMA_CACHE/vm/initramfs
MODDIR=/usr/lib/modules/puma-guest

# Modules wanted in the guest, their dependencies resolved with modinfo.
# crc32c_generic first: ext4, jbd2 and libcrc32c ask the crypto API for
# "crc32c", and the guest has no modprobe to load it on demand.
# brd (RAM disks, /dev/ram0..15, allocated as written) and dm_mod give a
# block device that dmsetup can suspend.
WANT_MODULES=(crc32c_generic virtio_pci virtio_blk virtio_net ext4 xfs
	      sch_netem virtio_console brd dm_mod)
HOST_BINS=(/usr/bin/bash /usr/sbin/ip /usr/sbin/tc /usr/bin/mountpoint
	   /usr/bin/fallocate /usr/sbin/dmsetup)

usage() {
	cat <<EOF
Usage: ${0##*/} 6.1|6.12 OUT.cpio.gz [--fio] [--add SRC:DEST]...

Build a guest initramfs for the Debian kernel line given.
  --add SRC:DEST  copy SRC (file or directory) to DEST in the guest;
                  executables get the libraries ldd names
  --fio           add fio: it costs ~85 MiB of guest RAM, and the rootfs
                  only gets half the RAM, so give the guest 512 MiB or more
EOF
}

log() { echo "mkinitramfs: $*" >&2; }
die() { log "$*"; exit 2; }

# norm PATH: the merged-/usr form of an absolute guest path
norm() {
	case "$1" in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	/bin | /sbin | /lib | /lib64) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# pack DIR OUT: DIR's contents as a gzip'd newc cpio owned by root
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -n >"$2"
}

ldd_libs() {
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
				    $1 ~ /^\// { print $1 }' || true
}

# add_file ROOT SRC DEST: copy SRC to DEST, and its libraries if it has any
add_file() {
	local root=$1 src=$2 dest lib
	dest=$(norm "$3")
	mkdir -p "$root$(dirname "$dest")"
	cp -L --preserve=mode "$src" "$root$dest"
	[ -x "$src" ] || return 0
	for lib in $(ldd_libs "$src"); do
		dest=$(norm "$lib")
		[ -e "$root$dest" ] && continue
		mkdir -p "$root$(dirname "$dest")"
		cp -L "$lib" "$root$dest"
	done
}

# add_tree ROOT SRC DEST: add_file for every file under SRC
add_tree() {
	local root=$1 src=$2 dest=$3 f
	if [ ! -d "$src" ]; then
		add_file "$root" "$src" "$dest"
		return
	fi
	mkdir -p "$root$(norm "$dest")"
	while IFS= read -r -d '' f; do
		add_file "$root" "$src/$f" "$dest/$f"
	done < <(cd "$src" && find . -type f -printf '%P\0')
}

# --- modules ---------------------------------------------------------------

declare -A KO_PATH=() KO_SEEN=()
KO_ORDER=()

index_modules() {
	local f n
	while IFS= read -r f; do
		n=${f##*/}
		n=${n%%.ko*}
		KO_PATH[${n//-/_}]=$f
	done < <(find "$1" -name '*.ko*')
}

# resolve NAME: append NAME to KO_ORDER after its dependencies; names
# without a .ko are built into the kernel and skipped
resolve() {
	local name=${1//-/_} f dep
	[ -n "${KO_SEEN[$name]:-}" ] && return 0
	KO_SEEN[$name]=1
	f=${KO_PATH[$name]:-}
	[ -n "$f" ] || return 0
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		resolve "$dep"
	done
	KO_ORDER+=("$name")
}

add_modules() {
	local root=$1 kdir=$2 abi=$3 m f
	index_modules "$kdir/lib/modules/$abi-amd64/kernel"
	for m in "${WANT_MODULES[@]}"; do resolve "$m"; done
	mkdir -p "$root$MODDIR"
	for m in "${KO_ORDER[@]}"; do
		f=${KO_PATH[$m]}
		case "$f" in
		*.xz) xz -dc "$f" ;;
		*.zst) zstd -qdc "$f" ;;
		*.gz) gzip -dc "$f" ;;
		*) cat "$f" ;;
		esac >"$root$MODDIR/$m.ko"
		echo "$m" >>"$root$MODDIR/order"
	done
}

# --- layers ----------------------------------------------------------------

make_skeleton() {
	local root=$1 d
	for d in usr/bin usr/sbin usr/lib usr/lib64 dev proc sys tmp mnt \
		 root etc run var/tmp; do
		mkdir -p "$root/$d"
	done
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
	echo 'root::0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	echo '127.0.0.1 localhost' >"$root/etc/hosts"
}

# busybox applets as symlinks, except names a host binary provides
add_busybox() {
	local root=$1 a
	cp /bin/busybox "$root/usr/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] ||
			ln -s busybox "$root/usr/bin/$a"
	done
}

build_base() { # OUT LINE
	local out=$1 kdir abi root b
	kdir=$(bash "$HERE/deps.sh" --print-kernel "$2")
	abi=$(bash "$HERE/deps.sh" --print-abi "$2")
	[ -d "$kdir/lib/modules/$abi-amd64" ] || die "no kernel $abi in $kdir (run scripts/deps.sh)"
	log "building base initramfs for $abi"
	root=$(mktemp -d "$CACHE/root.XXXXXX")
	make_skeleton "$root"
	for b in "${HOST_BINS[@]}"; do add_file "$root" "$b" "$b"; done
	ln -s bash "$root/usr/bin/sh"
	# netem's delay distribution tables; terminal types for the shell
	cp -r /usr/lib/x86_64-linux-gnu/tc "$root/usr/lib/x86_64-linux-gnu/" 2>/dev/null || true
	cp -r /lib/terminfo "$root/usr/lib/" 2>/dev/null || true
	add_busybox "$root"
	add_modules "$root" "$kdir" "$abi"
	install -m 755 "$HERE/guest-init.sh" "$root/init"
	pack "$root" "$out.$$"
	mv "$out.$$" "$out"
	rm -rf "$root"
}

build_fio() { # OUT
	local root
	log "building fio layer"
	root=$(mktemp -d "$CACHE/fio.XXXXXX")
	add_file "$root" /usr/bin/fio /usr/bin/fio
	pack "$root" "$1.$$"
	mv "$1.$$" "$1"
	rm -rf "$root"
}

# cached LAYER KEYTEXT BUILDER ARGS...: path of the layer, built if missing
cached() {
	local name=$1 key f
	key=$(echo "$2" | cat - "${BASH_SOURCE[0]}" "$HERE/guest-init.sh" |
		sha256sum | cut -c1-12)
	f=$CACHE/$name-$key.cpio.gz
	if [ ! -s "$f" ]; then
		rm -f "$CACHE/$name"-*.cpio.gz
		"$3" "$f" "${@:4}"
	fi
	echo "$f"
}

EXTRA=''
main() {
	local line out fio=0 adds=() a parts=()
	[ $# -ge 1 ] && [[ $1 == -h || $1 == --help ]] && { usage; exit 0; }
	[ $# -ge 2 ] || { usage >&2; exit 2; }
	line=$1 out=$2
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--add) [ $# -ge 2 ] || die "--add needs SRC:DEST"; adds+=("$2"); shift 2 ;;
		--fio) fio=1; shift ;;
		-h | --help) usage; exit 0 ;;
		*) die "unknown argument $1" ;;
		esac
	done
	case "$line" in 6.1 | 6.12) ;; *) die "kernel line must be 6.1 or 6.12" ;; esac
	mkdir -p "$CACHE"
	parts+=("$(cached "base-$(bash "$HERE/deps.sh" --print-abi "$line")" \
		"$(ls -lL /bin/busybox "${HOST_BINS[@]}")" build_base "$line")")
	[ $fio = 1 ] && parts+=("$(cached fio "$(ls -lL /usr/bin/fio)" build_fio)")
	EXTRA=$(mktemp -d)
	trap 'rm -rf "$EXTRA"' EXIT
	mkdir "$EXTRA/root"
	for a in "${adds[@]}"; do
		[[ $a == *:/* ]] || die "--add $a: want SRC:/ABSOLUTE/DEST"
		[ -e "${a%:*}" ] || die "--add $a: ${a%:*} does not exist"
		add_tree "$EXTRA/root" "${a%:*}" "${a##*:}"
	done
	pack "$EXTRA/root" "$EXTRA/extra.cpio.gz"
	cat "${parts[@]}" "$EXTRA/extra.cpio.gz" >"$out.part"
	mv "$out.part" "$out"
}

main "$@"
