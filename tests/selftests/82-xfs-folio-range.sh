#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Evicting a large folio that is not put drops exactly its range on the
# lender (hardening finding 9), on xfs, whose readahead makes large
# folios.  One guest lends to itself over 127.0.0.1.
#
# Large folios are put page by page, up to 64 pages (readpath.h); one
# larger is not put, and the records of its range must go.  A file
# written 4 KiB at a time (order-0 folios) is evicted, so that the lender
# holds all of it.  Its first half is then read from disk while those
# puts wait for their acknowledgements (netem delays the loopback link):
# a get skips pending records, so readahead reads them itself, in large
# folios that grow to 256 pages with a 1 MiB readahead window.  Once the
# acks are in, the first half is evicted: its largest folios are not put,
# and must drop the lender's copies of their pages and no other.  The
# second half then reads back from the lender, and the whole file reads
# back right.
. "$(dirname "$0")/lib.sh"

F=$MNT_XFS/range
PAGES=2048
HALF=$((PAGES / 2))
RA=/sys/block/$(basename "$PUMA_XFS_DISK")/queue/read_ahead_kb

if ! xfs_mount; then
	not_ok "mount the xfs disk $PUMA_XFS_DISK"
	done_testing
fi
rm -f $F
puma_load
puma_loopback 7777 64M
check "xfs is opted in" grep -qw xfs $PUMA_SYS/filesystems
need_stats puts_dropped_large puts_large_pages get_pages_pending
ra0=$(cat "$RA")
echo 1024 >"$RA"
# Room for the whole file at once, and gets that outwait the slow link.
echo 4096 >$PUMA_SYS/staging_pages
echo 2000 >$PUMA_SYS/get_timeout_ms

dd if=/dev/urandom of=$F bs=4096 count=$PAGES 2>/dev/null
sync
sum=$(md5sum <$F)
stats_snap puts_staged lender_pages_stored
evict $F
puma_wait_drained
check_ge "the file's order-0 pages went to the lender" \
	"$(stats_delta lender_pages_stored)" $((PAGES * 9 / 10))

# Evicted again, with the acks held back (0.6 s round trip); the first half read
# meanwhile, from disk.
cat $F >/dev/null
tc qdisc add dev lo root netem delay 300ms
evict $F
stats_snap get_pages_pending get_hits
dd if=$F of=/dev/null bs=1M count=$((HALF / 256)) 2>/dev/null
pending=$(stats_delta get_pages_pending)
early_hits=$(stats_delta get_hits)
# The slow link only had to outlast the read: 64 PUTs in flight per
# 0.6 s round trip would take half a minute to drain the file.
tc qdisc del dev lo root
puma_wait_drained 30
check_ge "the first half's gets skipped the pending records" "$pending" 1
check_eq "  and fetched nothing" "$early_hits" 0
sleep 0.5
held0=$(stat_get lender_pages_held)
diag "after the delayed puts: $pending pages pending at a get, lender holds" \
	"$held0, records $(stat_get meta_pages)"
if [ "$held0" -lt "$HALF" ]; then
	pumactl peers | sed 's/^/#   /'
	dmesg | grep puma | tail -8 | sed 's/^/#   /'
fi

stats_snap puts_dropped_large puts_large_pages invalidates_sent
evict $F
puma_wait_drained
large=$(stats_delta puts_dropped_large)
check_ge "folios over 64 pages were not put" "$large" 128
sleep 0.5
held=$(stat_get lender_pages_held)
diag "lender held $held0 pages, now $held; $large pages left in folios" \
	"too large to put, $(stats_delta puts_large_pages) put from large" \
	"folios, $(stats_delta invalidates_sent) invalidations sent"
check_ge "the lender keeps the rest" "$held" $((held0 - large))
check_ge "  and dropped what the large folios covered" $((held0 - held)) \
	"$large"

# The second half back from the lender: 4 KiB reads, one page each.
stats_snap get_hits get_tag_mismatches
i=$HALF
while [ $i -lt $PAGES ]; do
	dd if=$F of=/dev/null bs=4096 skip=$i count=1 2>/dev/null
	i=$((i + 29))
done
check_ge "second-half pages came from the lender" "$(stats_delta get_hits)" 1
check_eq "no tag mismatch" "$(stats_delta get_tag_mismatches)" 0
check_eq "the file reads back right" "$(md5sum <$F)" "$sum"

echo "$ra0" >"$RA"
echo auto >$PUMA_SYS/staging_pages
echo 200 >$PUMA_SYS/get_timeout_ms
pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null
rm -f $F
xfs_umount
check "rmmod" rmmod puma
check_dmesg_clean "after the large-folio range checks"
done_testing
