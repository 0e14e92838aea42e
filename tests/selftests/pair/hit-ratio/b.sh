#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest b, the borrower: a file twice its page cache, read in 64 KiB
# chunks in a shuffled order, every page checked against the hash taken
# when the file was written.  A warm-up pass fills the lender with what
# b evicts; in the measured pass at least half of the pages that miss
# b's page cache must come from the lender.
#
# Hit ratio here: get_hits / get_pages, pages the lender returned over
# pages readahead was asked for (every page that missed the page cache),
# the stricter of the two ratios; get_hits / get_request_pages (pages
# asked of the lender) is shown too.
T_NAME=hit-ratio/b
. /tests/selftests/lib.sh

L=$PAIR_A:7777
STATS="get_pages get_requests get_request_pages get_hits get_misses
	get_timeouts get_tag_mismatches get_raced get_failed puts_staged
	puts_sent puts_dropped_staging_full puts_dropped_no_lender"

scratch_mount
bigfile 200
puma_load
# shellcheck disable=SC2086
need_stats $STATS staging_pages_used
check "paired with the lender" puma_add_lender $L 120

read_pass "warm-up pass" --seed 1
puma_wait_drained 60
diag "after the warm-up: meta_pages=$(stat_or meta_pages -)" \
	"meta_bits_per_page=$(stat_or meta_bits_per_page -)"
# shellcheck disable=SC2086
stats_snap $STATS
d0=$(disk_read_kib)
read_pass "measured pass" --seed 2
d1=$(disk_read_kib)
missed=$(stats_delta get_pages)
hits=$(stats_delta get_hits)
asked=$(stats_delta get_request_pages)
check_ge "hit ratio: pages from the lender over pages missed, in %" \
	"$(ratio_pct "$hits" "$missed")" 50
diag "measured pass: $missed pages missed the page cache, $asked asked" \
	"of the lender in $(stats_delta get_requests) GETs, $hits hits" \
	"($(ratio_pct "$hits" "$asked")% of those asked), misses" \
	"$(stats_delta get_misses), timeouts $(stats_delta get_timeouts)," \
	"raced $(stats_delta get_raced), failed $(stats_delta get_failed)"
diag "measured pass: $(( (d1 - d0) / 1024 )) MiB read from disk, file" \
	"$BIG_MIB MiB, $PASS_S s; puts sent $(stats_delta puts_sent), dropped" \
	"(staging full) $(stats_delta puts_dropped_staging_full)"
diag "get round trip: ewma $(stat_or get_rtt_ewma_us -) us"
check_eq "no tag mismatch" "$(stat_or get_tag_mismatches 0)" 0
echo "# JSON $(pumactl status --json | tr -d '\n')"

pair_send $PAIR_A 7100 "done"
check "remove-lender" pumactl borrower remove-lender $L
check "rmmod" rmmod puma
check_dmesg_clean "on the borrower"
done_testing
