#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Evicting a large folio invalidates exactly its range on the lender
# (hardening finding 9), on xfs, whose readahead makes large folios.  One
# guest lends to itself over 127.0.0.1.  A file written 4 KiB at a time
# (order-0 folios) is evicted, so that the lender holds all of it; its
# first half is then read from disk by readahead (page_cache_ra_order():
# large folios, which PUMA neither puts nor fetches) and evicted again.
# Those evictions must drop the first half's copies on the lender and
# leave the second half's: the second half then reads back from the
# lender, byte for byte, and the whole file reads back right.
. "$(dirname "$0")/lib.sh"

F=$MNT_XFS/range
PAGES=512
HALF=$((PAGES / 2))

if ! xfs_mount; then
	not_ok "mount the xfs disk $PUMA_XFS_DISK"
	done_testing
fi
rm -f $F
puma_load
puma_loopback 7777 64M
check "xfs is opted in" grep -qw xfs $PUMA_SYS/filesystems

dd if=/dev/urandom of=$F bs=4096 count=$PAGES 2>/dev/null
sync
sum=$(md5sum <$F)
stats_snap puts_staged lender_pages_stored
evict $F
puma_wait_drained
held0=$(stat_get lender_pages_held)
check_ge "the file's order-0 pages went to the lender" \
	"$(stats_delta lender_pages_stored)" $((PAGES * 9 / 10))

# The first half, from disk, in large folios; then evicted.
stats_snap puts_dropped_unsupported invalidates_sent get_requests
dd if=$F of=/dev/null bs=64k count=$((HALF / 16)) 2>/dev/null
check_eq "the first half's read asked the lender nothing (ra_order)" \
	"$(stats_delta get_requests)" 0
evict $F
puma_wait_drained
large=$(stats_delta puts_dropped_unsupported)
check_ge "the first half left in large folios (not put)" "$large" 1
sleep 0.5
held=$(stat_get lender_pages_held)
diag "lender held $held0 pages, now $held; $large pages left in large folios," \
	"$(stats_delta invalidates_sent) invalidations sent"
check_ge "the lender keeps the second half" "$held" $((held0 - large))
check_ge "  and dropped what the large folios covered" $((held0 - held)) 1

# The second half back from the lender: 4 KiB reads, one page each, go
# through page_cache_ra_unbounded(), which PUMA sees.
stats_snap get_hits get_tag_mismatches
i=$HALF
while [ $i -lt $PAGES ]; do
	dd if=$F of=/dev/null bs=4096 skip=$i count=1 2>/dev/null
	i=$((i + 7))
done
check_ge "second-half pages came from the lender" "$(stats_delta get_hits)" 1
check_eq "no tag mismatch" "$(stats_delta get_tag_mismatches)" 0
check_eq "the file reads back right" "$(md5sum <$F)" "$sum"

pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null
rm -f $F
xfs_umount
check "rmmod" rmmod puma
check_dmesg_clean "after the large-folio range checks"
done_testing
