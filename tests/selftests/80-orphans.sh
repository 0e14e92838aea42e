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
. "$(dirname "$0")/lib.sh"

F=$MNT/orphan
D=$MNT/many
NFILES=${PUMA_ORPHAN_FILES:-3000}
QUOTA_PAGES=$((NFILES + 2048))

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
head -c $((4 * 1024 * 1024)) /dev/urandom >$F
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
rm -rf $F $D
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after the orphan checks"
done_testing
