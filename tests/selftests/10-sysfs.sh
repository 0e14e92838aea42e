#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /sys/kernel/puma: files, defaults, and bad writes rejected with EINVAL
# without changing anything.
. "$(dirname "$0")/lib.sh"

puma_load
check "module loads" sh -c "lsmod | grep -q '^puma '"

for f in enabled filesystems version stats/puts stats/gets \
	 stats/invalidate_inodes stats/invalidate_fs; do
	check "$f exists" test -e "$PUMA_SYS/$f"
done
check_eq "enabled defaults to 1" "$(cat $PUMA_SYS/enabled)" 1
check_eq "filesystems defaults to ext4 xfs" "$(cat $PUMA_SYS/filesystems)" \
	"ext4 xfs"

# write_fails FILE VALUE: the write must fail with EINVAL, value unchanged
write_fails() {
	before=$(cat "$PUMA_SYS/$1")
	err=$(printf '%s' "$2" 2>&1 >"$PUMA_SYS/$1")
	st=$?
	after=$(cat "$PUMA_SYS/$1")
	shown=$(printf '%s' "$2" | awk 1 ORS='\\n')
	if [ $st -ne 0 ] && echo "$err" | grep -q 'Invalid argument' &&
	   [ "$before" = "$after" ]; then
		ok "$1 rejects '$shown'"
	else
		not_ok "$1 rejects '$shown' (status $st, '$err', '$before' -> '$after')"
	fi
}

# (An empty write never reaches the kernel: nothing to test there.)
for v in 2 -1 yes on 01 abc ' 1' '1 1' '1

'; do
	write_fails enabled "$v"
done
long=abcdefghijklmnopqrstuvwxyz012345
nine="a b c d e f g h i"
# (a 31-character name parses but is no supported type: 55-fstypes; the
# lengths the parser takes are tested by KUnit)
for v in EXT4 'ext4 x/y' 'ext4;xfs' "$long" "${long%?}" "$nine" 'ext4 é'; do
	write_fails filesystems "$v"
done

check "enabled accepts 0" sh -c "echo 0 > $PUMA_SYS/enabled"
check_eq "enabled reads 0" "$(cat $PUMA_SYS/enabled)" 0
check "enabled accepts 1" sh -c "echo 1 > $PUMA_SYS/enabled"
check_eq "enabled reads 1" "$(cat $PUMA_SYS/enabled)" 1

check "filesystems accepts a comma list" \
	sh -c "echo 'xfs,ext4,xfs' > $PUMA_SYS/filesystems"
check_eq "filesystems collapses duplicates" "$(cat $PUMA_SYS/filesystems)" \
	"xfs ext4"
check "filesystems accepts the empty list" \
	sh -c "echo > $PUMA_SYS/filesystems"
check_eq "filesystems reads empty" "$(cat $PUMA_SYS/filesystems)" ""
echo "ext4 xfs" >$PUMA_SYS/filesystems

check_eq "the staging pool follows the link by default" \
	"$(cat $PUMA_SYS/staging_auto)" 1
for v in Auto autox 'auto auto' 0x400 -1; do
	write_fails staging_pages "$v"
done
check "staging_pages accepts a number" sh -c "echo 2048 > $PUMA_SYS/staging_pages"
check_eq "which fixes the size" \
	"$(cat $PUMA_SYS/staging_pages) $(cat $PUMA_SYS/staging_auto)" "2048 0"
check "staging_pages accepts auto" sh -c "echo auto > $PUMA_SYS/staging_pages"
check_eq "auto again, from the size it had" \
	"$(cat $PUMA_SYS/staging_pages) $(cat $PUMA_SYS/staging_auto)" "2048 1"

if sh -c "echo 5 > $PUMA_SYS/stats/puts" 2>/dev/null; then
	not_ok "stats are read-only"
else
	ok "stats are read-only"
fi
check "version is set" grep -q '^[0-9]*\.[0-9]*\.[0-9]*$' $PUMA_SYS/version

check "module unloads" rmmod puma
check "sysfs directory gone" test ! -e $PUMA_SYS
check_dmesg_clean "after sysfs"
done_testing
