#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# No orphan pages on the lender, no dangling records on the borrower
# (hardening finding 7).  One guest lends to itself over 127.0.0.1.
#  - An exclusive GET that times out: the lender dropped the pages it was
#    asked for, so the borrower must forget their records, not ask again
#    (and miss) on the next read.
#  - Many one-page files held by the lender, then an unmount: every page
#    invalidation, inode invalidation and the pool's invalidation must
#    reach the lender (coalesced if the queue is full, never dropped), so
#    that the lender holds nothing for the pool afterwards and, after a
#    remount, a small quota still accepts puts.
#  - An unmount while the queue of invalidations is full: the fake lender
#    stall-lender withholds its PUT_ACKs, so the borrower's sender waits
#    for room while more inode invalidations queue behind it than the
#    queue holds (PUMA_SENDQ_INVALIDATES_MAX, 8192; a real lender refuses
#    that many files of one borrower, 4096).  They are coalesced, and the
#    pool's invalidation still reaches the lender once it acknowledges
#    again: none dropped, the lender never failed.
. "$(dirname "$0")/lib.sh"

F=$MNT/orphan
D=$MNT/many
NFILES=${PUMA_ORPHAN_FILES:-1000}
# More inode invalidations than the send queue holds
NINV=$((8192 + 1024))
HOLD=/tmp/hold-acks
SL_ADDR=127.0.0.1:7791
# The smallest quota a lender takes (16 MiB); the file after the remount
# fits in it, but not beside the many files' pages, were they left behind.
QUOTA_PAGES=4096
LATER_PAGES=$((QUOTA_PAGES - NFILES / 2))

scratch_mount
rm -rf $F $D
head -c $((256 * 1024)) /dev/urandom >$F
sync
puma_load
echo 8192 >$PUMA_SYS/staging_pages
puma_loopback 7777 $((QUOTA_PAGES * 4))K

# --- an exclusive GET that times out ---
echo 1 >$PUMA_SYS/exclusive
echo 20 >$PUMA_SYS/get_timeout_ms
cat $F >/dev/null
evict $F
puma_wait_drained
tc qdisc add dev lo root netem delay 100ms
stats_snap get_timeouts get_misses get_requests
cat $F >/dev/null
tc qdisc del dev lo root
TO=$(stats_delta get_timeouts)
check_ge "exclusive GETs time out behind 200 ms of round trip" "$TO" 1
sleep 1
evict $F
puma_wait_drained
stats_snap get_misses
cat $F >/dev/null
check_eq "no miss on the next read: the timed-out pages were forgotten" \
	"$(stats_delta get_misses)" 0
echo 200 >$PUMA_SYS/get_timeout_ms
rm -f $F
sleep 1

# --- many files, then unmount ---
mkdir -p $D
held0=$(stat_get lender_pages_held)
t0=$(uptime_s)
t0=${t0%.*}
pumaio manyfiles $D $NFILES
puma_wait_drained 60
held=$(stat_get lender_pages_held)
t1=$(uptime_s)
diag "$NFILES files in $(( ${t1%.*} - t0 )) s; lender holds $held pages ($held0 before)"
check_ge "the lender holds the files' pages" $((held - held0)) $((NFILES * 9 / 10))
stats_snap invalidates_sent invalidates_dropped invalidates_coalesced
scratch_umount
i=0
while [ "$(stat_get lender_pages_held)" -gt 0 ] && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
diag "after umount: invalidates_sent=$(stats_delta invalidates_sent) dropped=$(stats_delta invalidates_dropped) coalesced=$(stats_delta invalidates_coalesced)"
check_eq "after umount the lender holds nothing for the pool" \
	"$(stat_get lender_pages_held)" 0

scratch_mount
stats_snap lender_refused_quota puts_refused get_hits
head -c $((LATER_PAGES * 4096)) /dev/urandom >$F
sync
cat $F >/dev/null
evict $F
puma_wait_drained
check_eq "after remount puts are accepted (none refused for quota)" \
	"$(stats_delta lender_refused_quota)" 0
sum=$(md5sum <$F)
drop_caches
check_eq "the new file reads back right" "$(md5sum <$F)" "$sum"
check_ge "from the lender" "$(stats_delta get_hits)" 1

pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null

# --- an unmount behind a lender that withholds its acknowledgments ---
rm -rf $F $D $HOLD
mkdir -p $D
STALL_LENDER_HOLD=$HOLD stall-lender 127.0.0.1 ${SL_ADDR#*:} 0 \
	2>/tmp/stall.err &
SL=$!
sleep 0.5
check "paired with the fake lender" pumactl borrower add-lender $SL_ADDR
check "the fake lender is connected" puma_wait_peer lender $SL_ADDR connected 10
# The files' inodes must stay cached until the unmount: reclaim of the
# inode cache would invalidate them one by one beforehand, and the queue
# would never fill.
cache_pressure=$(cat /proc/sys/vm/vfs_cache_pressure)
echo 0 >/proc/sys/vm/vfs_cache_pressure
pumaio manyfiles $D $NINV
puma_wait_drained 60
head -c $((12 * 1024 * 1024)) /dev/urandom >$F
sync
stats_snap invalidates_coalesced invalidates_dropped
pools0=$(grep -c INVALIDATE_POOL /tmp/stall.err)
# 3072 pages: more than the 64 PUTs of 32 the sender may leave
# unacknowledged, so that it waits for room.
touch $HOLD
evict $F
# 64 PUTs unacknowledged, most of them of 32 pages: the sender waits.
i=0
while [ "$(stat_get puts_unacked)" -lt 1024 ] && [ $i -lt 25 ]; do
	sleep 0.2
	i=$((i + 1))
done
sleep 0.5
check_ge "before the unmount: files with records (meta_inodes)" \
	"$(stat_get meta_inodes)" $((8192 + 1))
check_ge "before the unmount: the sender waits for acks (puts_unacked)" \
	"$(stat_get puts_unacked)" 1024
scratch_umount
rm -f $HOLD
echo "$cache_pressure" >/proc/sys/vm/vfs_cache_pressure
wait_stat puts_unacked 0 10 >/dev/null
i=0
while [ "$(grep -c INVALIDATE_POOL /tmp/stall.err)" -le "$pools0" ] &&
      [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
diag "unmount behind withheld acks: coalesced=$(stats_delta invalidates_coalesced)" \
	"dropped=$(stats_delta invalidates_dropped);" \
	"$(grep -c 'released' /tmp/stall.err) releases of held acks"
check_ge "the full queue coalesced invalidations" \
	"$(stats_delta invalidates_coalesced)" 1
check_eq "no invalidation dropped" "$(stats_delta invalidates_dropped)" 0
check_ge "the pool's invalidation reached the lender" \
	"$(( $(grep -c INVALIDATE_POOL /tmp/stall.err) - pools0 ))" 1
check "the fake lender is still connected" \
	puma_wait_peer lender $SL_ADDR connected 1
pumactl borrower remove-lender $SL_ADDR >/dev/null
kill $SL 2>/dev/null
wait $SL 2>/dev/null

scratch_mount
rm -rf $F $D
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after the orphan checks"
done_testing
