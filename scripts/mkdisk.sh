#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make a raw disk image for a test guest, filled from a host directory
# without a loop mount (mkfs.ext4 -d), so no root privilege is needed.
# The guest sees it as /dev/vdX when given to scripts/vm.sh --disk.
set -euo pipefail

usage() {
	cat <<EOF
Usage: ${0##*/} OUT.img SIZE_MIB [SRC_DIR] [--fs ext4|xfs]

Create OUT.img (sparse, SIZE_MIB MiB) holding a fresh file system, with
SRC_DIR's contents copied in when given (ext4 only).  Inode tables and the
journal are initialised now, so no lazy-init writes disturb a benchmark.
EOF
}

die() { echo "mkdisk: $*" >&2; exit 2; }

main() {
	local args=() fs=ext4 out size src=
	while [ $# -gt 0 ]; do
		case "$1" in
		--fs) [ $# -ge 2 ] || die "--fs needs a value"; fs=$2; shift 2 ;;
		-h | --help) usage; exit 0 ;;
		-*) die "unknown option $1" ;;
		*) args+=("$1"); shift ;;
		esac
	done
	if [ ${#args[@]} -lt 2 ] || [ ${#args[@]} -gt 3 ]; then
		usage >&2
		exit 2
	fi
	out=${args[0]} size=${args[1]} src=${args[2]:-}
	[[ $size =~ ^[1-9][0-9]*$ ]] || die "bad size $size"
	[ -z "$src" ] || [ -d "$src" ] || die "$src is not a directory"
	rm -f "$out"
	truncate -s "${size}M" "$out"
	case "$fs" in
	ext4)
		mkfs.ext4 -F -q -E lazy_itable_init=0,lazy_journal_init=0,root_owner=0:0 \
			${src:+-d "$src"} "$out" ;;
	xfs)
		[ -z "$src" ] || die "xfs images can only be made empty"
		command -v mkfs.xfs >/dev/null || die "mkfs.xfs missing (xfsprogs)"
		mkfs.xfs -f -q "$out" ;;
	*) die "unknown file system $fs" ;;
	esac
}

main "$@"
