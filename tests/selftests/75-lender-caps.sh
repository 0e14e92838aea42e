#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A lender's memory is bounded, whatever its borrowers do.  In one guest
# that lends to itself over 127.0.0.1 (the real borrower), puma-flood
# plays a hostile borrower: more sessions than the lender takes, each
# PUTting pages, one of them filling the store with empty files (a PUT
# and an INVALIDATE per inode), then connections that never say HELLO,
# then silence everywhere.  The lender must keep lender_pages_held under
# its max-memory (all borrowers together), its sessions and connections
# under their caps, its files per store under theirs, close the silent
# sessions after the idle timeout, count every refusal, and go on
# serving the real borrower, which is idle too but pings.
. "$(dirname "$0")/lib.sh"

PORT=7777
MAXMEM=16M
CAP_PAGES=4096		# 16 MiB of 4 KiB pages
SESSIONS=8		# lender_max_sessions for this test
PENDING_CAP=16		# handshakes pending at most (PUMA_LENDER_MAX_PENDING)
FILES_CAP=4096		# files per store (PUMA_STORE_MAX_FILES)
IDLE=5			# lender_idle_timeout_s for this test
F=$MNT/caps8
STATS="lender_pages_stored lender_refused_quota lender_refused_nomem
	lender_refused_memory lender_refused_files lender_sessions_refused
	lender_conns_refused lender_idle_closed get_hits get_tag_mismatches"

# Established connections to the lender's port.
lender_conns() {
	awk -v p=":$(printf %04X $PORT)" \
		'$2 ~ p"$" && $4 == "01"' /proc/net/tcp | wc -l
}

# Borrower sessions the lender reports (rows with a node id).
lender_sessions() {
	pumactl peers 2>/dev/null |
		awk '$1 == "borrower" && NF >= 4 && $3 != "-"' | wc -l
}

# Inodes in the slab (store files are anonymous inodes of inode_cache).
slab_inodes() {
	awk '$1 == "inode_cache" { print $2 }' /proc/slabinfo 2>/dev/null
}

scratch_mount
rm -f $F
dd if=/dev/urandom of=$F bs=1M count=8 2>/dev/null
sync
sum=$(md5sum <$F)

puma_load
# shellcheck disable=SC2086
need_stats $STATS lender_pages_held lender_files
for f in lender_max_sessions lender_idle_timeout_s; do
	check "$f exists" test -w "$PUMA_SYS/$f"
done
diag "defaults: lender_max_sessions=$(cat $PUMA_SYS/lender_max_sessions 2>/dev/null)" \
	"lender_idle_timeout_s=$(cat $PUMA_SYS/lender_idle_timeout_s 2>/dev/null)"
{ echo $SESSIONS >$PUMA_SYS/lender_max_sessions; } 2>/dev/null
{ echo $IDLE >$PUMA_SYS/lender_idle_timeout_s; } 2>/dev/null
puma_loopback $PORT $MAXMEM || { done_testing; }

# The real borrower puts its file before the flood.
evict $F
puma_wait_drained
stats_snap $STATS
inodes0=$(slab_inodes)
diag "before the flood: lender_pages_held=$(stat_get lender_pages_held)" \
	"inode_cache=$inodes0 conns=$(lender_conns) sessions=$(lender_sessions)"

true >/tmp/flood.log
puma-flood 127.0.0.1:$PORT -s 12 -p 1024 -i 6000 -n 24 -H 120 \
	>/tmp/flood.log 2>&1 &
flood=$!
i=0
while ! grep -q '^flooded' /tmp/flood.log && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
sed 's/^/# flood: /' /tmp/flood.log
check "the flooder got through its flood" grep -q '^flooded' /tmp/flood.log
sleep 0.5

held=$(stat_get lender_pages_held)
conns=$(lender_conns)
sessions=$(lender_sessions)
inodes=$(slab_inodes)
diag "after the flood: lender_pages_held=$held conns=$conns" \
	"sessions=$sessions inode_cache=$inodes lender_files=$(stat_or lender_files -)"
check "lender_pages_held ($held) <= max-memory ($CAP_PAGES pages)" \
	[ "$held" -le $CAP_PAGES ]
check "borrower sessions ($sessions) <= lender_max_sessions ($SESSIONS)" \
	[ "$sessions" -le $SESSIONS ]
check "connections ($conns) <= 2 per session + $PENDING_CAP pending" \
	[ "$conns" -le $((2 * SESSIONS + PENDING_CAP)) ]
if [ -n "$inodes0" ]; then
	# One flooding store spreads its pages over many files, the others
	# over 32 each, the real borrower's over one.
	lim=$((FILES_CAP + 12 * 32 + 256))
	check "new inodes ($((inodes - inodes0))) <= $lim (files per store capped)" \
		[ $((inodes - inodes0)) -le $lim ]
else
	diag "no /proc/slabinfo: lender_files alone checks the file cap"
fi
# Even with the session's proof: a session has one connection per channel
# (PUMA_HELLO_DENIED, 5).
check_eq "a third connection of one session is refused" \
	"$(sed -n 's/^third connection status //p' /tmp/flood.log)" 5
check "lender_files ($(stat_or lender_files -)) <= $FILES_CAP + 12 * 32 + 8" \
	[ "$(stat_or lender_files 999999)" -le $((FILES_CAP + 12 * 32 + 8)) ]
check_ge "sessions beyond the cap refused (lender_sessions_refused)" \
	"$(stats_delta lender_sessions_refused)" 1
check_ge "connections beyond the cap refused (lender_conns_refused)" \
	"$(stats_delta lender_conns_refused)" 1
check_ge "pages beyond max-memory refused (lender_refused_memory)" \
	"$(stats_delta lender_refused_memory)" 1

# Silence: the flooder's sessions go after the idle timeout; the real
# borrower pings on its get channel and stays, idle puts channel and all.
# (Timed by the clock: each pumactl takes a while in a TCG guest.)
t0=$(date +%s)
while [ "$(lender_sessions)" -gt 1 ] && [ $(($(date +%s) - t0)) -lt $((IDLE + 10)) ]; do
	sleep 0.5
done
sessions=$(lender_sessions)
diag "$(($(date +%s) - t0)) s after the flood: sessions=$sessions" \
	"conns=$(lender_conns) lender_pages_held=$(stat_get lender_pages_held)"
check_eq "silent sessions closed after ${IDLE} s idle, the real one kept" \
	"$sessions" 1
check_ge "idle closes counted (lender_idle_closed)" \
	"$(stats_delta lender_idle_closed)" 1
check "the real borrower is still paired" \
	puma_wait_peer lender "127.0.0.1:$PORT" connected 2
check_ge "the flooder saw its sessions closed by the lender" \
	"$(grep -c '^closed session' /tmp/flood.log)" 1
grep '^closed session' /tmp/flood.log | tail -1 | sed 's/^/# flood: last /'
kill $flood 2>/dev/null
wait $flood

# The real borrower still works: its pages travel and come back right.
evict $F
puma_wait_drained
stats_snap $STATS
check_eq "the real borrower reads its file back right" "$(md5sum <$F)" "$sum"
check_ge "the real borrower gets hits" "$(stats_delta get_hits)" 1
check_eq "no tag mismatch" "$(stats_delta get_tag_mismatches)" 0
stats_diag $STATS

check "remove-lender" pumactl borrower remove-lender 127.0.0.1:$PORT
check "lender stop" pumactl lender stop
rm -f $F
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after the flood"
done_testing
