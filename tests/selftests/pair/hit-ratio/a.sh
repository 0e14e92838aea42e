#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest a, the lender: lend, keep what the borrower evicts, send it back,
# until the borrower says it is done.  Meanwhile the borrower may ask how
# many pages a holds ("held"): the answer goes to its port 7101.
T_NAME=hit-ratio/a
. /tests/selftests/lib.sh

puma_load
check "lender listens" pumactl lender listen $PAIR_A:7777 --max-memory 320M
check "the borrower connects" puma_wait_peer borrower . connected 120
while m=$(pair_recv 7100 560) && [ "$m" = held ]; do
	pair_send $PAIR_B 7101 "$(stat_get lender_pages_held)" 30
done
check_eq "the borrower says 'done'" "$m" done
stats_diag lender_pages_stored lender_pages_reclaimed lender_pages_dropped \
	lender_refused_quota lender_refused_nomem lender_get_hits \
	lender_get_misses lender_pages_held
check_ge "pages stored" "$(stat_or lender_pages_stored 0)" 1
check_ge "pages sent back" "$(stat_or lender_get_hits 0)" 1
check "lender stops" pumactl lender stop
check "rmmod" rmmod puma
check_dmesg_clean "on the lender"
done_testing
