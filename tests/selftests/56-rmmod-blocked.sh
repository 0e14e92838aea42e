#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rmmod must not wait for filesystems PUMA does not act on.  An ext2
# filesystem (not opted in; only ext4 and xfs can be) sits on a dm-linear
# device over a RAM disk.  Dirty data is written, the device is suspended
# (without freezing the filesystem), an fsync starts writeback that
# cannot complete, and a truncate of the file then waits for that writeback
# inside truncate_inode_pages_range(), one of the functions PUMA hooks.
# rmmod must finish within seconds anyway; once the device is resumed the
# truncate and the fsync finish and the kernel log is clean.
. "$(dirname "$0")/lib.sh"

DM=pumaslow
M=/mnt/dm
RMMOD_S=${RMMOD_S:-10}

puma_load
check "module loads" sh -c "lsmod | grep -q '^puma '"

sectors=$(blockdev --getsz /dev/ram0)
check "dm-linear device over /dev/ram0 ($sectors sectors)" \
	dmsetup create $DM --table "0 $sectors linear /dev/ram0 0"
# No udev in the guest: the node devtmpfs made, /dev/dm-N.
dev=
for d in /sys/block/dm-*; do
	[ "$(cat "$d/dm/name" 2>/dev/null)" = $DM ] && dev=/dev/${d##*/}
done
mke2fs -q "$dev" >/dev/null 2>&1
mkdir -p $M
check "ext2 mounted on $dev" mount -t ext2 "$dev" $M
check_eq "its type is ext2" "$(awk -v m=$M '$2 == m { print $3 }' /proc/mounts)" ext2

dd if=/dev/zero of=$M/f bs=64k count=64 2>/dev/null
check "device suspended, filesystem not frozen" \
	dmsetup suspend --nolockfs $DM
# Writeback of this one file, not sync(2): sync walks every superblock
# and holds a passive reference on the one before the superblock it is
# stuck in, which can be PUMA's store, across the rmmod (a use after free
# on 6.12, reported separately).
dd if=/dev/null of=$M/f conv=notrunc,fsync 2>/dev/null &
syncer=$!
i=0
while [ "$(awk '/^Writeback:/ { print $2 }' /proc/meminfo)" = 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
diag "$(grep ^Writeback: /proc/meminfo)"
truncate -s 0 $M/f &
truncer=$!
sleep 1
check "truncate blocked on the suspended device" kill -0 $truncer
diag "truncate: $(cat /proc/$truncer/wchan 2>/dev/null)"

rm -f /tmp/rmmod.st
(rmmod puma; echo $? >/tmp/rmmod.st) &
rmmoder=$!
i=0
while [ ! -e /tmp/rmmod.st ] && [ $i -lt $((RMMOD_S * 10)) ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -e /tmp/rmmod.st ]; then
	ok "rmmod done in $((i / 10)).$((i % 10)) s while the truncate waits"
else
	not_ok "rmmod done within $RMMOD_S s while the truncate waits"
	diag "rmmod: $(cat "/proc/$(pidof rmmod)/wchan" 2>/dev/null)"
fi
check "the truncate still waits" kill -0 $truncer

check "device resumed" dmsetup resume $DM
wait $truncer
check_eq "truncate finished" $? 0
wait $syncer
wait $rmmoder
check_eq "rmmod succeeded" "$(cat /tmp/rmmod.st)" 0
check "module not left loaded" sh -c "! lsmod | grep -q '^puma '"
check_eq "file truncated" "$(stat -c %s $M/f)" 0
umount $M
dmsetup remove $DM
check_dmesg_clean "after rmmod with a truncate blocked elsewhere"
done_testing
