#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Pairing over in-kernel TCP, borrower and lender in one guest over
# 127.0.0.1: handshake, peers on both sides, liveness pings, clear errors
# for bad input, duplicate pairing and unreachable lenders, and a lender
# that goes away is seen as disconnected.
. "$(dirname "$0")/lib.sh"

ip link set lo up
puma_load
L=127.0.0.1:7777

# expect_exit STATUS DESCRIPTION COMMAND...: exit status and a message
expect_exit() {
	want=$1
	desc=$2
	shift 2
	out=$("$@" 2>&1)
	st=$?
	if [ $st -eq "$want" ]; then
		ok "$desc (exit $st)"
	else
		not_ok "$desc (exit $st, expected $want: $out)"
	fi
	echo "$out" | sed 's/^/#   /' | head -3
}

expect_exit 2 "listen rejects a bad address" pumactl lender listen 300.1.2.3:7777
expect_exit 2 "listen rejects a missing port" pumactl lender listen 127.0.0.1
expect_exit 2 "listen rejects a tiny max-memory" \
	pumactl lender listen $L --max-memory 1K
expect_exit 1 "listen rejects max-memory beyond this node's memory" \
	pumactl lender listen $L --max-memory 64T
expect_exit 0 "lender listens" pumactl lender listen $L --max-memory 64M
expect_exit 1 "a second listen says already lending" pumactl lender listen $L
check "status shows the listener" sh -c "pumactl status | grep -q '127.0.0.1:7777'"

expect_exit 1 "an unreachable lender is refused" \
	pumactl borrower add-lender 127.0.0.1:7778
expect_exit 0 "borrower pairs with the lender" pumactl borrower add-lender $L
expect_exit 1 "duplicate pairing is refused" pumactl borrower add-lender $L
expect_exit 1 "removing an unknown lender fails" \
	pumactl borrower remove-lender 127.0.0.1:7779

sleep 3
pumactl peers >/tmp/peers
sed 's/^/# /' /tmp/peers
check "peers shows the lender" grep -q 'lender .*127.0.0.1:7777 .* connected' /tmp/peers
check "peers shows the borrower once (its two connections are one session)" \
	sh -c "[ \$(grep -c '^borrower .* connected' /tmp/peers) -eq 1 ]"
check "peers shows what the lender keeps for the borrower" \
	grep -q 'store_pages_held' /tmp/peers
pumactl peers --json >/tmp/peers.json
echo "# JSON $(tr -d '\n' </tmp/peers.json)"
check "peers --json has an rtt" grep -q '"rtt_us": *[0-9]' /tmp/peers.json
check "peers --json counts pongs" grep -q '"pongs": *[1-9]' /tmp/peers.json

expect_exit 0 "lender stops" pumactl lender stop
expect_exit 1 "a second stop says not lending" pumactl lender stop
sleep 2
pumactl peers >/tmp/peers
check "the borrower sees the lender disconnected" \
	grep -q 'lender .*127.0.0.1:7777 .*disconnected' /tmp/peers
expect_exit 0 "the borrower forgets the lender" \
	pumactl borrower remove-lender $L
check "no peers left" sh -c "pumactl peers | grep -q 'no peers'"

# Pair again and unload with connections open.
pumactl lender listen $L >/dev/null
pumactl borrower add-lender $L >/dev/null
sleep 1
check "rmmod with open connections" rmmod puma
check_dmesg_clean "after pairing"
done_testing
