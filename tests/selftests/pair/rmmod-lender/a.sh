#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest a, the lender: lend until pages flow both ways, then rmmod puma
# under that traffic.  The guest stays up until the borrower is done, so
# the borrower sees an unloaded module, not a vanished guest.
T_NAME=rmmod-lender/a
. /tests/selftests/lib.sh

puma_load
check "lender listens" pumactl lender listen $PAIR_A:7777 --max-memory 256M
check "the borrower connects" puma_wait_peer borrower . connected 120
pair_expect 7100 traffic 200
stats_diag lender_pages_stored lender_get_hits lender_pages_held
check_ge "the lender holds pages" "$(stat_or lender_pages_held 0)" 1
check "rmmod under traffic" timeout 60 rmmod puma
check "module gone" sh -c "! lsmod | grep -q '^puma '"
check_dmesg_clean "after rmmod under traffic"
pair_send $PAIR_B 7101 unloaded
pair_expect 7100 "done" 120
done_testing
