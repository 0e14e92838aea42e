#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A record replaced while a get for its page is in flight (hardening
# finding 1).  One guest lends to itself over 127.0.0.1 with netem delay on
# lo, so that a GET takes about a second.  A one-page file is held by the
# lender (content C1); a reader starts a read of it, and while its GET is
# in flight a writer writes C2 over it, fdatasyncs and evicts it (the put
# replaces the page's record).  The lender answers with C1, whose tag is
# the one the GET carries: PUMA must not let it into the page cache.  The
# next read, without evicting, must return C2.
. "$(dirname "$0")/lib.sh"

F=$MNT/race1
ROUNDS=4

scratch_mount
puma_load
puma_loopback 7777 64M
echo 5000 >$PUMA_SYS/get_timeout_ms
echo 0 >$PUMA_SYS/exclusive

stale=0
served=0
inflight=0
for r in $(seq $ROUNDS); do
	rm -f $F /tmp/c1 /tmp/c2
	head -c 4096 /dev/urandom >/tmp/c1
	head -c 4096 /dev/urandom >/tmp/c2
	cp /tmp/c1 $F
	sync
	cat $F >/dev/null
	evict $F
	puma_wait_drained || break
	tc qdisc add dev lo root netem delay 400ms
	hits0=$(stat_get get_hits)
	reqs0=$(stat_get get_requests)
	cat $F >/dev/null &
	rd=$!
	# The GET is out once get_requests moves; the answer takes ~800 ms.
	i=0
	while [ "$(stat_get get_requests)" = "$reqs0" ] && [ $i -lt 50 ]; do
		sleep 0.02
		i=$((i + 1))
	done
	[ "$(stat_get get_requests)" != "$reqs0" ] && inflight=$((inflight + 1))
	# busybox dd: conv=fsync (it knows no fdatasync); the evict syncs too
	dd if=/tmp/c2 of=$F bs=4096 conv=notrunc,fsync 2>/dev/null ||
		not_ok "round $r: the write"
	evict $F
	wait $rd
	tc qdisc del dev lo root
	[ "$(stat_get get_hits)" != "$hits0" ] && served=$((served + 1))
	if cmp -s $F /tmp/c2; then
		diag "round $r: new bytes"
	else
		cmp -s $F /tmp/c1 && diag "round $r: the OLD bytes were read"
		stale=$((stale + 1))
	fi
done
diag "rounds=$ROUNDS stale=$stale old-page answers used=$served"
check_eq "every round's write ran while its GET was in flight" $inflight $ROUNDS
check_eq "a read after write+fdatasync+evict returns the new bytes" $stale 0
stats_diag get_requests get_hits get_raced get_tag_mismatches

pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null
rm -f $F
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after the replace race"
done_testing
