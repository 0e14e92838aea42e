#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Memory pressure: reading a file larger than the guest's memory makes
# reclaim evict page cache, and those evictions are puts, not invalidations.
. "$(dirname "$0")/lib.sh"

F=$MNT/big
mem_mb=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
size_mb=$((mem_mb * 3 / 2))

scratch_mount
dd if=/dev/zero of=$F bs=1M count=$size_mb 2>/dev/null
sync
drop_caches
puma_load
p0=$(stat_get puts)
i0=$(stat_get invalidate_pages)
cat $F >/dev/null
puts=$(( $(stat_get puts) - p0 ))
diag "read ${size_mb} MiB with ${mem_mb} MiB of memory: $puts puts"
check_ge "reclaim evictions are puts" $puts $((size_mb * 256 / 4))
check_eq "reclaim evictions are not invalidations" \
	$(( $(stat_get invalidate_pages) - i0 )) 0
rm $F
scratch_umount
puma_unload
check_dmesg_clean "after reclaim"
done_testing
