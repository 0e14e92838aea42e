#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build puma.ko for one of the Debian kernel lines the guests boot, in a
# directory of its own (build/<line>/), so builds for several kernels do not
# overwrite each other or the in-tree build.
#
# Usage: scripts/build-module.sh 6.1|6.12 [make arguments...]
# Prints the path of the built module on its last line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
line=${1:?usage: build-module.sh 6.1|6.12 [make args]}
shift
kdir=$(bash "$top/scripts/deps.sh" --print-kdir "$line")
out=$top/build/$line/src

mkdir -p "$out"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod*' --exclude 'modules.order' \
	"$top/Kbuild" "$top/puma" "$top/include" "$out/" >/dev/null
# keep objects between runs: rsync above only refreshes sources
make -s -C "$kdir" M="$out" "$@" modules >&2
echo "$out/puma/puma.ko"
