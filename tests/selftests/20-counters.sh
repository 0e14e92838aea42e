#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The hook layer sees what the page cache does: a scripted read, drop,
# read, direct write, truncate, unlink and umount on ext4, with the counts
# each step must produce.
. "$(dirname "$0")/lib.sh"

F=$MNT/f16
PAGES=4096	# 16 MiB

scratch_mount
dd if=/dev/urandom of=$F bs=1M count=16 2>/dev/null
sync
sum=$(md5sum <$F)
drop_caches

# Loaded after the mount: the pool must come from the mounted-fs scan.
puma_load
check_ge "pool created for the mounted ext4" "$(stat_get pools_created)" 1
check "pumactl lists the pool" sh -c "pumactl status | grep -q '^pool .*fstype ext4'"

# delta NAME: change of counter NAME since the last snapshot
snap() {
	for s in puts puts_ineligible gets get_pages invalidate_pages \
		 invalidate_inodes invalidate_fs pools_created; do
		eval "S_$s=$(stat_get $s)"
	done
}
delta() {
	eval "echo \$(( \$(stat_get $1) - S_$1 ))"
}

snap
check_eq "first read returns the file" "$(md5sum <$F)" "$sum"
check_ge "first read: readahead calls" "$(delta gets)" 1
check_ge "first read: pages asked of readahead" "$(delta get_pages)" $PAGES

snap
drop_caches
check_ge "drop_caches: puts" "$(delta puts)" $PAGES
check_eq "drop_caches: no invalidation" "$(delta invalidate_pages)" 0

snap
check_eq "second read returns the file" "$(md5sum <$F)" "$sum"
check_ge "second read: readahead calls" "$(delta gets)" 1
check_eq "second read: no puts" "$(delta puts)" 0

snap
dd if=/dev/zero of=$F bs=4096 count=1 seek=3 oflag=direct conv=notrunc \
	2>/dev/null
check_ge "direct write: inode invalidated" "$(delta invalidate_inodes)" 2
check_ge "direct write: cached page invalidated" \
	"$(delta invalidate_pages)" 1
check_eq "direct write: no puts" "$(delta puts)" 0

snap
truncate -s 4M $F
check_ge "truncate: inode invalidated" "$(delta invalidate_inodes)" 2
check_eq "truncate: no puts" "$(delta puts)" 0

snap
rm $F
sync
check_ge "unlink: inode invalidated" "$(delta invalidate_inodes)" 1
check_eq "unlink: no puts" "$(delta puts)" 0

snap
scratch_umount
check_eq "umount: filesystem invalidated" "$(delta invalidate_fs)" 1
check "umount: pool gone" sh -c "! pumactl status | grep -q '^pool .*fstype ext4'"

snap
scratch_mount
check_eq "mount: pool created" "$(delta pools_created)" 1

# Filesystems not opted in and a disabled PUMA see nothing.
dd if=/dev/urandom of=$F bs=1M count=4 2>/dev/null
sync
snap
echo xfs >$PUMA_SYS/filesystems
cat $F >/dev/null
drop_caches
check_eq "ext4 opted out: filesystem invalidated" "$(delta invalidate_fs)" 1
check_eq "ext4 opted out: no puts" "$(delta puts)" 0
check_eq "ext4 opted out: no gets" "$(delta gets)" 0
echo "ext4 xfs" >$PUMA_SYS/filesystems
check_eq "ext4 opted in again: pool created" "$(delta pools_created)" 1

echo 0 >$PUMA_SYS/enabled
snap
cat $F >/dev/null
drop_caches
check_eq "disabled: no puts" "$(delta puts)" 0
check_eq "disabled: no gets" "$(delta gets)" 0
echo 1 >$PUMA_SYS/enabled

snap
mkdir -p /tmp/t && dd if=/dev/zero of=/tmp/t/f bs=1M count=4 2>/dev/null
cat /tmp/t/f >/dev/null
drop_caches
check_eq "tmpfs (not opted in): no puts" "$(delta puts)" 0
rm -rf /tmp/t

rm $F
scratch_umount
puma_unload
check_dmesg_clean "after counters"
done_testing
