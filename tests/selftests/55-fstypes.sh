#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Only filesystem types whose keys PUMA knows to be unique may be opted in:
# ext4 and xfs.  btrfs subvolumes and snapshots share one superblock and
# snapshots copy inode numbers and generations; nfs, tmpfs and the others
# are untested.  Writing such a type to filesystems, alone or in a list,
# fails with EINVAL, leaves the list as it was and says why in the kernel
# log; the module parameter with such a type makes the load fail.
. "$(dirname "$0")/lib.sh"

puma_load
check "module loads" sh -c "lsmod | grep -q '^puma '"

# write_fails VALUE: EINVAL, the list unchanged
write_fails() {
	before=$(cat $PUMA_SYS/filesystems)
	err=$(printf '%s' "$1" 2>&1 >$PUMA_SYS/filesystems)
	st=$?
	after=$(cat $PUMA_SYS/filesystems)
	if [ $st -ne 0 ] && echo "$err" | grep -q 'Invalid argument' &&
	   [ "$before" = "$after" ]; then
		ok "filesystems refuses '$1'"
	else
		not_ok "filesystems refuses '$1' (status $st, '$err', '$before' -> '$after')"
	fi
}

echo ext4 >$PUMA_SYS/filesystems
for v in btrfs nfs tmpfs ext2 'ext4 btrfs' 'xfs,nfs4' 'ext4 xfs fuse'; do
	write_fails "$v"
done
check "the refusal names the type in the kernel log" \
	sh -c "dmesg | grep -q 'puma: filesystems: btrfs refused'"

check "filesystems accepts xfs" sh -c "echo xfs >$PUMA_SYS/filesystems"
check_eq "filesystems reads xfs" "$(cat $PUMA_SYS/filesystems)" xfs
check "filesystems accepts 'ext4,xfs'" \
	sh -c "echo ext4,xfs >$PUMA_SYS/filesystems"
check_eq "filesystems reads 'ext4 xfs'" "$(cat $PUMA_SYS/filesystems)" \
	"ext4 xfs"
check "filesystems accepts the empty list" \
	sh -c "echo >$PUMA_SYS/filesystems"
echo "ext4 xfs" >$PUMA_SYS/filesystems
check "module unloads" rmmod puma

# The module parameter: a bad type fails the load, a good one is used.
if insmod "$PUMA_KO" filesystems=btrfs 2>/dev/null; then
	not_ok "filesystems=btrfs at load fails"
	rmmod puma
else
	ok "filesystems=btrfs at load fails"
fi
check "the load-time refusal names the type in the kernel log" \
	sh -c "dmesg | tail -20 | grep -q 'puma: filesystems: btrfs refused'"
check "filesystems=ext4 at load succeeds" insmod "$PUMA_KO" filesystems=ext4
check_eq "filesystems reads ext4 after that load" \
	"$(cat $PUMA_SYS/filesystems 2>&1)" ext4
puma_unload
check "filesystems='ext4,xfs' at load succeeds" \
	insmod "$PUMA_KO" filesystems=ext4,xfs
check_eq "filesystems reads 'ext4 xfs' after that load" \
	"$(cat $PUMA_SYS/filesystems 2>&1)" "ext4 xfs"
puma_unload
check_dmesg_clean "after refused filesystem types"
done_testing
