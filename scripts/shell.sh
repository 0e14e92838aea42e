#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make shell: an interactive guest to poke around in, with puma.ko at
# /puma/puma.ko, pumactl on PATH, the selftests at /tests/selftests and a
# scratch ext4 disk at /dev/vda.  Exit the guest with `poweroff -f`.
#
# Environment: PUMA_KERNEL=6.1|6.12 (default 6.1), PUMA_GUEST_MEM (MiB)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
line=${PUMA_KERNEL:-6.1}
out=$top/build/$line

make -s -C "$top/tools/pumactl"
ko=$(bash "$top/scripts/build-module.sh" "$line" | tail -1)
[ -f "$out/shell.img" ] || bash "$top/scripts/mkdisk.sh" "$out/shell.img" 512
exec bash "$top/scripts/vm.sh" shell --kernel "$line" \
	--mem "${PUMA_GUEST_MEM:-256}" --disk "$out/shell.img" \
	--add "$ko:/puma/puma.ko" \
	--add "$top/tools/pumactl/pumactl:/usr/bin/pumactl" \
	--add "$top/tests/selftests:/tests/selftests"
