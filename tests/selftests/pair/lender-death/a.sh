#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest a, the lender: lend, wait for the borrower, then vanish (the job
# ends and the guest powers off at once: no FIN, no RST, just silence).
T_NAME=lender-death/a
. /tests/selftests/lib.sh

puma_load
check "lender listens" pumactl lender listen 169.254.77.1:7777
n=0
for i in $(seq 40); do
	n=$(pumactl peers | grep -c '^borrower .* connected')
	[ "$n" -ge 2 ] && break
	sleep 0.5
done
check_eq "the borrower's two connections arrived" "$n" 2
sleep 2
done_testing
