#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest b, the borrower: a reader loops over a file larger than the page
# cache (puts and hits flowing) and PUMA is unloaded under it.  The
# reader carries on with right bytes; then PUMA is loaded again and pairs
# with the same lender.
T_NAME=rmmod-borrower/b
. /tests/selftests/lib.sh

L=$PAIR_A:7777
MAX_MS=5000

scratch_mount
bigfile 150
puma_load
need_stats get_hits get_tag_mismatches
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
check_eq "no tag mismatch" "$(stat_or get_tag_mismatches 0)" 0
pair_send $PAIR_A 7100 traffic
pair_expect 7101 go 60
check "rmmod under traffic" timeout 60 rmmod puma
check "module gone" sh -c "! lsmod | grep -q '^puma '"
sleep 2
touch /tmp/stop
wait $reader
line=$(cat /tmp/reader.out)
diag "reader: $line"
check_pass_ok "the reader" "$line"
check_ms_lt "the reader: no chunk read blocked long" \
	"$(kv max_chunk_ms "$line")" $MAX_MS
check_dmesg_clean "after rmmod under traffic"
pair_send $PAIR_A 7100 unloaded

pair_expect 7101 again 60
puma_load
check "pairs again with the same lender" puma_add_lender $L 30
check "the lender shows as connected" puma_wait_peer lender $L connected 10
pair_send $PAIR_A 7100 "done"
check "remove-lender" timeout 5 pumactl borrower remove-lender $L
check "rmmod" rmmod puma
check_dmesg_clean "at the end"
done_testing
