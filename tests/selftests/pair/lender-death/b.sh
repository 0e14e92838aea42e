#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest b, the borrower: pair with a, fill it with evicted pages, then have
# it vanish in the middle of a read pass while a second reader reads on.
# Both readers finish with every page right, no chunk read blocks longer
# than a few get timeouts, the lender is marked disconnected after a few
# unanswered pings, its pages are forgotten (no GET goes to it any more),
# nothing blocks, and the module unloads cleanly.
T_NAME=lender-death/b
. /tests/selftests/lib.sh

L=$PAIR_A:7777
STATS="get_requests get_request_pages get_hits get_timeouts get_failed
	get_tag_mismatches puts_sent puts_dropped_lender_gone"
MAX_MS=5000

scratch_mount
bigfile 200
puma_load
# shellcheck disable=SC2086
need_stats $STATS staging_pages_used meta_pages
paired=1
puma_add_lender $L 120 && paired=0
check_eq "paired with the lender" $paired 0
check "the lender shows as connected" puma_wait_peer lender $L connected 5
sleep 2
diag "ping round trip over the guests' link:" \
	"$(pumactl peers | awk '/^lender/ && NF >= 6 { print $5, $6; exit }')"

read_pass "warm-up pass" --seed 1
puma_wait_drained 60
check_ge "the lender holds pages before it dies (meta_pages)" \
	"$(stat_or meta_pages 0)" 1

# At a third of the pass the reader stops, tells a to die and waits until
# a answers no ping: the rest of the pass runs with a dead lender that is
# still believed alive for a while.  Meanwhile a second reader never
# stops, so GETs are in flight when a dies.
cat >/tmp/kill-lender.sh <<KILL
. /tests/selftests/lib.sh
uptime_s >/tmp/die-sent
pair_send $PAIR_A 7100 die 120 || exit 1
i=0
while ping -c 1 -W 1 $PAIR_A >/dev/null 2>&1; do
	[ \$i -lt 150 ] || { echo "the lender still answers pings"; exit 1; }
	sleep 0.2
	i=\$((i + 1))
done
uptime_s >/tmp/lender-gone
# when b sees it disconnected (in the background: the reader goes on)
(
	i=0
	until pumactl peers | grep -qE '^lender .* disconnected'; do
		[ \$i -lt 300 ] || exit 0
		sleep 0.2
		i=\$((i + 1))
	done
	uptime_s >/tmp/seen-disconnected
) </dev/null >/dev/null 2>&1 &
KILL
rm -f /tmp/stop /tmp/die-sent /tmp/lender-gone /tmp/seen-disconnected
pumaio pass "$BIG" "$BIG_TAB" --seed 100 --until /tmp/stop \
	>/tmp/bg.out 2>/tmp/bg.err &
bg=$!
# shellcheck disable=SC2086
stats_snap $STATS
read_pass "pass during which the lender dies" --seed 2 \
	--at-wait "$((BIG_CHUNKS / 3)):sh /tmp/kill-lender.sh >/tmp/kill.log 2>&1"
check "the lender powered off during the pass" test -s /tmp/lender-gone
sed 's/^/#   /' /tmp/kill.log
check_ms_lt "no chunk read blocked long" "$PASS_MAX_MS" $MAX_MS
touch /tmp/stop
wait $bg
bgline=$(cat /tmp/bg.out)
check_pass_ok "the other reader" "$bgline"
check_ms_lt "the other reader: no chunk read blocked long" \
	"$(kv max_chunk_ms "$bgline")" $MAX_MS
diag "around the death: GETs $(stats_delta get_requests)," \
	"hits $(stats_delta get_hits), timeouts $(stats_delta get_timeouts)," \
	"failed $(stats_delta get_failed), puts dropped (lender gone)" \
	"$(stats_delta puts_dropped_lender_gone)"
diag "die sent at $(cat /tmp/die-sent 2>/dev/null) s, no ping answer from" \
	"$(cat /tmp/lender-gone 2>/dev/null) s, passes:" \
	"$(kv seconds "$PASS") s and $(kv seconds "$bgline") s"

check "the vanished lender shows as disconnected" \
	puma_wait_peer lender $L disconnected 30
if [ -s /tmp/seen-disconnected ]; then
	diag "seen disconnected $(awk -v a="$(cat /tmp/lender-gone)" \
		-v b="$(cat /tmp/seen-disconnected)" 'BEGIN { printf "%.1f", b - a }')" \
		"s after its last ping answer"
fi
check_eq "its pages are forgotten (meta_pages)" "$(wait_stat meta_pages 0 5)" 0
stats_snap get_requests
read_pass "a pass after the death"  --seed 3
check_eq "no GET goes to the dead lender" "$(stats_delta get_requests)" 0
check_eq "no tag mismatch" "$(stat_or get_tag_mismatches 0)" 0

check "removing the dead lender does not block" \
	timeout 5 pumactl borrower remove-lender $L
check "rmmod" rmmod puma
check_dmesg_clean "after the lender died"
done_testing
