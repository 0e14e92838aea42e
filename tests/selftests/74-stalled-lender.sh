#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A lender that stalls must cost a read no more than get_timeout_ms, and
# not even that for long.  The fake lender stall-lender
# (tests/selftests/helpers/stall-lender.c) pairs like a real one over
# 127.0.0.1, accepts the file's pages on the put channel, answers pings,
# but never answers a GET and reads its get channel a few bytes a second
# through a tiny receive buffer, so that the borrower's sends on that
# channel block once its send buffer is full.  Then 16 readers read the
# file at once in shuffled 64 KiB chunks:
#
# - every read completes with the right bytes;
# - no readahead window waited two get timeouts from its first send, by
#   the module's own clock (get_wait_max_us): the send and the wait share
#   one deadline, so a window ends one timeout after it started, plus the
#   wakeup of 16 readers on one TCG vCPU (240 ms here, 313 ms once in CI,
#   for a 200 ms timeout).  A wait that restarted the timeout after a
#   send blocked to the deadline would take two; before the deadline was
#   shared, 46 s;
# - the borrower backed off from the lender (get_skipped_backoff);
# - the whole read ends in bounded time.
#
# Then the same with a silent lender, which reads its get channel but
# never answers: it stays connected and gets only the back-off's probes.
. "$(dirname "$0")/lib.sh"

F=$MNT/stall
TAB=/tmp/stall.tab
MIB=8
READERS=16
PORT=7790
ADDR=127.0.0.1:$PORT
LIMIT_S=60
STATS="get_requests get_timeouts get_failed get_hits get_skipped_backoff
	puts_sent gets"

scratch_mount
rm -f $F
check "a $MIB MiB file" pumaio mkfile $F $MIB $TAB
sum=$(md5sum <$F)

# A small send buffer, so that the stalled lender fills it within a second
# or two of gets, as a slow link would; sockets made from now on use it.
echo "4096 16384 65536" >/proc/sys/net/ipv4/tcp_wmem

puma_load
# shellcheck disable=SC2086
need_stats $STATS get_wait_max_us meta_pages
timeout_ms=$(cat $PUMA_SYS/get_timeout_ms)
bound_us=$(( 2 * timeout_ms * 1000 ))

ip link set lo up
stall-lender 127.0.0.1 $PORT 16 2>/tmp/stall.err &
SL=$!
sleep 0.5
if pumactl borrower add-lender $ADDR >/dev/null &&
   puma_wait_peer lender $ADDR connected 10; then
	ok "paired with the stalled lender on $ADDR"
else
	not_ok "paired with the stalled lender on $ADDR"
	sed 's/^/#   /' /tmp/stall.err
fi

# Its pages go to the fake lender, which keeps (discards) them.
cat $F >/dev/null
evict $F
puma_wait_drained
check_eq "no page of the file left in the page cache" "$(pumaio resident $F)" 0
check_ge "records point at the fake lender (meta_pages)" \
	"$(stat_or meta_pages 0)" $((MIB * 256 / 2))

# readers SEED: $READERS readers at once, seeds SEED.., each a whole pass
# of the file in shuffled chunks; sets BAD (readers that failed) and SECS
readers() {
	_t0=$(uptime_s)
	_pids=
	_i=1
	while [ $_i -le $READERS ]; do
		timeout $LIMIT_S pumaio pass $F $TAB --seed $(($1 + _i)) \
			>/tmp/r$_i.out 2>/tmp/r$_i.err &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	BAD=0
	for _p in $_pids; do
		wait "$_p" || BAD=$((BAD + 1))
	done
	SECS=$(awk -v a="$_t0" -v b="$(uptime_s)" \
		'BEGIN { printf "%d", b - a + 0.999 }')
	for _i in $(seq 1 $READERS); do
		grep -q 'bad_pages=0 errors=0' /tmp/r$_i.out ||
			diag "reader $_i: $(cat /tmp/r$_i.out) $(head -2 /tmp/r$_i.err)"
	done
}

stats_snap $STATS
readers 0
secs=$SECS
check_eq "$READERS readers: every read completed, every page right" "$BAD" 0
check_eq "the file reads back right afterwards (md5)" "$(md5sum <$F)" "$sum"
if [ "$secs" -lt $LIMIT_S ]; then
	ok "the readers ended in bounded time ($secs s < $LIMIT_S s)"
else
	not_ok "the readers ended in bounded time ($secs s, limit $LIMIT_S s)"
fi
diag "first round: $secs s; get_requests $(stats_delta get_requests)," \
	"get_timeouts $(stats_delta get_timeouts)," \
	"get_skipped_backoff $(stats_delta get_skipped_backoff)"

# A silent lender: it reads its get channel as it comes, so TCP has no
# reason to give up on it, and still never answers.  It stays connected;
# after the first round has engaged the back-off, three more rounds, the
# pages put again before each, send it nothing but the probes (one per
# interval: 1 s, 2 s, 4 s...), and no window exceeds the bound.
pumactl borrower remove-lender $ADDR >/dev/null 2>&1
kill $SL 2>/dev/null
wait $SL 2>/dev/null
ADDR=127.0.0.1:$((PORT + 1))
stall-lender 127.0.0.1 $((PORT + 1)) 0 2>/tmp/silent.err &
SL=$!
sleep 0.5
if pumactl borrower add-lender $ADDR >/dev/null &&
   puma_wait_peer lender $ADDR connected 10; then
	ok "paired with the silent lender on $ADDR"
else
	not_ok "paired with the silent lender on $ADDR"
	sed 's/^/#   /' /tmp/silent.err
fi
n=0
for round in 1 2 3 4; do
	[ $round = 2 ] && stats_snap $STATS
	evict $F
	puma_wait_drained 10
	[ $round = 1 ] && check_ge "records point at the silent lender" \
		"$(stat_or meta_pages 0)" $((MIB * 256 / 2))
	readers $((round * 100))
	n=$((n + BAD))
	sleep 1
done
check_eq "silent lender: every read completed, every page right" "$n" 0
check_eq "the file still reads back right (md5)" "$(md5sum <$F)" "$sum"
req2=$(stats_delta get_requests)
if [ "$req2" -le 6 ]; then
	ok "silent lender, rounds 2-4: only probes went to it ($req2 GETs <= 6)"
else
	not_ok "silent lender, rounds 2-4: only probes went to it ($req2 GETs > 6)"
fi
check_ge "silent lender, rounds 2-4: GETs skipped" \
	"$(stats_delta get_skipped_backoff)" 1
check "the silent lender is still connected" \
	puma_wait_peer lender $ADDR connected 1
diag "silent lender, rounds 2-4: get_requests $req2," \
	"get_timeouts $(stats_delta get_timeouts)," \
	"get_failed $(stats_delta get_failed)," \
	"get_skipped_backoff $(stats_delta get_skipped_backoff)"
wait_max=$(stat_or get_wait_max_us 999999999)
if [ "$wait_max" -lt $bound_us ]; then
	ok "no window waited two get timeouts ($wait_max us < $bound_us us)"
else
	not_ok "no window waited two get timeouts ($wait_max us >= $bound_us us)"
fi
check_ge "the borrower backed off from the lender (get_skipped_backoff)" \
	"$(stat_or get_skipped_backoff 0)" 1
check_ge "GETs were sent to it at first" "$(stat_or get_requests 0)" 1
stats_diag get_requests get_timeouts get_failed get_skipped_backoff \
	get_hits gets sends_cut_short get_wait_max_us
pumactl peers | sed 's/^/# /'
dmesg | grep -i 'puma' | tail -5 | sed 's/^/# dmesg: /'

pumactl borrower remove-lender $ADDR >/dev/null 2>&1
kill $SL 2>/dev/null
wait $SL 2>/dev/null
rm -f $F
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after a stalled lender"
done_testing
