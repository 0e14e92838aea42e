#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest a, the lender: hold the borrower's pages until it unloads PUMA
# under traffic, then carry on: the borrower's connections are gone, its
# pages are dropped, the listener still listens and takes a new pairing.
T_NAME=rmmod-borrower/a
. /tests/selftests/lib.sh

puma_load
check "lender listens" pumactl lender listen $PAIR_A:7777 --max-memory 256M
check "the borrower connects" puma_wait_peer borrower . connected 120
pair_expect 7100 traffic 200
stats_diag lender_pages_stored lender_get_hits lender_pages_held
check_ge "the lender holds pages" "$(stat_or lender_pages_held 0)" 1
pair_send $PAIR_B 7101 go
pair_expect 7100 unloaded 120
n=0
while [ "$(puma_count_peers borrower connected)" -gt 0 ] && [ $n -lt 75 ]; do
	sleep 0.2
	n=$((n + 1))
done
check_eq "the borrower's connections are gone" \
	"$(puma_count_peers borrower connected)" 0
n=0
while [ "$(stat_or lender_pages_held 1)" -gt 0 ] && [ $n -lt 75 ]; do
	sleep 0.2
	n=$((n + 1))
done
check_eq "its pages are dropped (lender_pages_held)" \
	"$(stat_or lender_pages_held x)" 0
check "still listening" sh -c "pumactl status | grep -q '$PAIR_A:7777'"
pair_send $PAIR_B 7101 again
check "the borrower pairs again" puma_wait_peer borrower . connected 60
pair_expect 7100 "done" 60
check "lender stops" pumactl lender stop
check "rmmod" rmmod puma
check_dmesg_clean "on the lender"
done_testing
