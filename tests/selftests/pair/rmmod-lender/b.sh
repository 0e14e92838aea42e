#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest b, the borrower: a reader loops over a file larger than the page
# cache (puts and hits flowing) while the lender unloads PUMA.  The reader
# carries on with right bytes and no long stall, the lender shows as
# disconnected, its pages are forgotten and no GET goes to it any more.
T_NAME=rmmod-lender/b
. /tests/selftests/lib.sh

L=$PAIR_A:7777
MAX_MS=5000

scratch_mount
bigfile 150
puma_load
need_stats get_hits get_requests get_tag_mismatches meta_pages
check "paired with the lender" puma_add_lender $L 120

rm -f /tmp/stop
pumaio pass "$BIG" "$BIG_TAB" --seed 1 --until /tmp/stop \
	>/tmp/reader.out 2>/tmp/reader.err &
reader=$!
n=0
while [ "$(stat_or get_hits 0)" -lt 256 ] && [ $n -lt 300 ]; do
	sleep 0.2
	n=$((n + 1))
done
check_ge "traffic flows: pages come back from the lender" \
	"$(stat_or get_hits 0)" 256
pair_send $PAIR_A 7100 traffic
pair_expect 7101 unloaded 120
check "the lender shows as disconnected" \
	puma_wait_peer lender $L disconnected 15
check_eq "its pages are forgotten (meta_pages)" "$(wait_stat meta_pages 0 5)" 0
stats_snap get_requests
sleep 3
check_eq "the reader goes on without GETs to it" \
	"$(stats_delta get_requests)" 0
touch /tmp/stop
wait $reader
line=$(cat /tmp/reader.out)
diag "reader: $line"
check_pass_ok "the reader" "$line"
check_ms_lt "the reader: no chunk read blocked long" \
	"$(kv max_chunk_ms "$line")" $MAX_MS
check_eq "no tag mismatch" "$(stat_or get_tag_mismatches 0)" 0
pair_send $PAIR_A 7100 "done"

check "remove-lender" timeout 5 pumactl borrower remove-lender $L
check "rmmod" rmmod puma
check_dmesg_clean "on the borrower"
done_testing
