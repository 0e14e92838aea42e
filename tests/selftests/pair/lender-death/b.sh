#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest b, the borrower: pair with a, then see it vanish.  The lender is
# marked disconnected after a few unanswered pings, nothing blocks, and
# the module unloads cleanly.
T_NAME=lender-death/b
. /tests/selftests/lib.sh

L=169.254.77.1:7777
puma_load
paired=1
for i in $(seq 40); do
	pumactl borrower add-lender $L 2>/dev/null && { paired=0; break; }
	sleep 0.5
done
check_eq "paired with the lender" $paired 0
check "the lender shows as connected" \
	sh -c "pumactl peers | grep -q '^lender .*$L .* connected'"
sleep 2
diag "ping round trip over the guests' link: $(pumactl peers | grep '^lender' | awk '{ print $5, $6 }')"

t0=$(awk '{ print int($1) }' /proc/uptime)
gone=1
for i in $(seq 60); do
	if pumactl peers | grep -q "^lender .*$L .*disconnected"; then
		gone=0
		break
	fi
	sleep 0.5
done
t1=$(awk '{ print int($1) }' /proc/uptime)
check_eq "the vanished lender shows as disconnected" $gone 0
diag "seen disconnected after about $((t1 - t0)) s of the lender's silence"
check "removing the dead lender does not block" \
	timeout 5 pumactl borrower remove-lender $L
check "rmmod" rmmod puma
check_dmesg_clean "after the lender died"
done_testing
