#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Pages travel, in one guest that lends to itself over 127.0.0.1: a file's
# pages evicted from the page cache are put on the lender, and the next
# read gets them back, byte for byte.  In exclusive mode (the default) a
# hit leaves the lender; in non-exclusive mode it stays there.
# drop_caches must leave the lender's store alone although it lives in
# this same guest's page cache.
. "$(dirname "$0")/lib.sh"

F=$MNT/loop24
MIB=24
PAGES=$((MIB * 256))
STATS="puts puts_staged puts_sent puts_already_held puts_dropped_staging_full
	puts_dropped_no_lender gets get_pages get_requests get_request_pages
	get_hits get_misses get_timeouts get_tag_mismatches get_raced
	get_failed bytes_sent bytes_received lender_pages_stored
	lender_get_hits lender_get_misses"

scratch_mount
rm -f $F
dd if=/dev/urandom of=$F bs=1M count=$MIB 2>/dev/null
sync
sum=$(md5sum <$F)
drop_caches

puma_load
# shellcheck disable=SC2086
need_stats $STATS staging_pages_used lender_pages_held
for f in staging_pages get_timeout_ms exclusive; do
	check "$f exists" test -e "$PUMA_SYS/$f"
done
check_eq "get_timeout_ms defaults to 200" "$(cat $PUMA_SYS/get_timeout_ms)" 200
check_eq "exclusive defaults to 1" "$(cat $PUMA_SYS/exclusive)" 1
diag "staging_pages=$(cat $PUMA_SYS/staging_pages 2>/dev/null)"
puma_loopback 7777 128M

# A page the lender does not hold costs no request.
stats_snap $STATS
check_eq "first read returns the file" "$(md5sum <$F)" "$sum"
check_eq "first read: no GET sent (nothing is remote)" \
	"$(stats_delta get_requests)" 0

stats_snap $STATS
drop_caches
puma_wait_drained
check_eq "drop_caches: no page left in the page cache" "$(pumaio resident $F)" 0
check_ge "drop_caches: pages staged" "$(stats_delta puts_staged)" 1
check_ge "drop_caches: pages sent to the lender" "$(stats_delta puts_sent)" 1
check_ge "the lender stored pages" "$(stats_delta lender_pages_stored)" 1
diag "of $PAGES pages: staged $(stats_delta puts_staged)," \
	"sent $(stats_delta puts_sent), stored $(stats_delta lender_pages_stored)," \
	"dropped (staging full) $(stats_delta puts_dropped_staging_full)"
# Puts dropped for a full pool make it grow (auto mode, stage_auto.c).
if [ "$(stat_get puts_dropped_staging_full)" -gt 0 ]; then
	i=0
	while [ "$(stat_get staging_pages_capacity)" -le 1024 ] && [ $i -lt 15 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	check_ge "puts dropped for a full pool: the pool grew" \
		"$(stat_get staging_pages_capacity)" 1025
	diag "senders' drain rate $(stat_or staging_drain_pages_per_s -) pages/s"
else
	ok "no put dropped for a full pool: nothing to grow for"
fi
held0=$(stat_or lender_pages_held 0)
diag "lender_pages_held=$held0 meta_pages=$(stat_or meta_pages -)" \
	"meta_bits_per_page=$(stat_or meta_bits_per_page -)"

drop_caches
check_eq "drop_caches leaves the lender's pages alone" \
	"$(stat_or lender_pages_held 0)" "$held0"
stats_snap $STATS
check_eq "read back through PUMA returns the file" "$(md5sum <$F)" "$sum"
hits=$(stats_delta get_hits)
check_ge "read back: GETs sent" "$(stats_delta get_requests)" 1
check_ge "read back: pages came from the lender (get_hits)" "$hits" 1
check_eq "read back: no tag mismatch" "$(stats_delta get_tag_mismatches)" 0
check_ge "read back: bytes received" "$(stats_delta bytes_received)" \
	$((hits * PAGE))
diag "read back: $hits of $(stats_delta get_pages) readahead pages from the" \
	"lender, $(stats_delta get_request_pages) asked in" \
	"$(stats_delta get_requests) GETs; misses $(stats_delta get_misses)," \
	"timeouts $(stats_delta get_timeouts)," \
	"rtt ewma $(stat_or get_rtt_ewma_us -) us"
sleep 0.5
check_eq "exclusive: each hit left the lender" \
	"$(stat_or lender_pages_held 0)" $((held0 - hits))

# Non-exclusive: the lender keeps what it sends back.  From here on only
# the file's pages are evicted (fadvise DONTNEED, the path drop_caches
# takes), so that the counters see this file alone.
check "exclusive accepts 0" sh -c "echo 0 > $PUMA_SYS/exclusive"
evict $F
puma_wait_drained
held1=$(stat_or lender_pages_held 0)
stats_snap $STATS
check_eq "non-exclusive read returns the file" "$(md5sum <$F)" "$sum"
hits=$(stats_delta get_hits)
check_ge "non-exclusive read: pages came from the lender" "$hits" 1
sleep 0.5
check_ge "non-exclusive: the lender kept them" \
	"$(stat_or lender_pages_held 0)" "$held1"
stats_snap $STATS
evict $F
puma_wait_drained
diag "non-exclusive: evicting $hits unchanged pages again: sent" \
	"$(stats_delta puts_sent), already held $(stats_delta puts_already_held)"
echo 1 >$PUMA_SYS/exclusive
check_eq "still no tag mismatch" "$(stat_get get_tag_mismatches)" 0

echo "# JSON $(pumactl status --json | tr -d '\n')"
pumactl peers | sed 's/^/# /'

check "remove-lender" pumactl borrower remove-lender 127.0.0.1:7777
check "lender stop" pumactl lender stop
rm -f $F
scratch_umount
coverage_diag
check "rmmod" rmmod puma
check_dmesg_clean "after loopback"
done_testing
