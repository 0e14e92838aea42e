#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest a, the lender: lend, wait for the borrower, hold what it evicts,
# and vanish when the borrower says so, in the middle of its read pass
# (the job ends and the guest powers off at once: no FIN, no RST, just
# silence).
T_NAME=lender-death/a
. /tests/selftests/lib.sh

puma_load
check "lender listens" pumactl lender listen $PAIR_A:7777 --max-memory 256M
check "the borrower connects" puma_wait_peer borrower . connected 120
pair_expect 7100 die 300
stats_diag lender_pages_stored lender_get_hits lender_pages_held
check_dmesg_clean "on the lender before it dies"
done_testing
