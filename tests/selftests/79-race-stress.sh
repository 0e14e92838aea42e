#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Readers, writers and evictions of one file at once, against a model of
# its content (pumarace), in one guest that lends to itself with netem
# delay on lo to widen the windows between a get, a put and a write.  Three
# rounds of about 8 s: buffered writes (exclusive mode), buffered and mmap
# writes (non-exclusive), and truncates.  In the first two, half the
# readers read through MADV_RANDOM mappings (the fault path's get).  Its
# variant 79-race-stress.sh@xfs runs the same on xfs (large folios,
# page_cache_ra_order()).  No wrong byte may be read, and an
# honest lender never sends a page that fails its tag check (hardening
# findings 1 and 8).
. "$(dirname "$0")/lib.sh"

F=$MNT/race
PAGES=512
SECS=${PUMA_RACE_SECS:-8}

scratch_mount
puma_load
puma_loopback 7777 64M
echo 1000 >$PUMA_SYS/get_timeout_ms
tc qdisc add dev lo root netem delay 2ms

# race NAME EXCLUSIVE ARGS...
race() {
	_name=$1
	echo "$2" >$PUMA_SYS/exclusive
	shift 2
	stats_snap get_hits get_tag_mismatches get_raced gets_fault
	_out=$(pumarace $F $PAGES $SECS "$@" 2>/tmp/race.err)
	_rc=$?
	diag "$_name: $_out"
	sed 's/^/#   /' /tmp/race.err | head -8
	check_eq "$_name: no wrong byte read" "$_rc" 0
	_h=$(stats_delta get_hits)
	_m=$(stats_delta get_tag_mismatches)
	diag "$_name: get_hits=$_h get_tag_mismatches=$_m get_raced=$(stats_delta get_raced) gets_fault=$(stats_delta gets_fault)"
	check_eq "$_name: no tag mismatch from an honest lender" "$_m" 0
	check_ge "$_name: pages came from the lender" "$_h" 1
}

race "buffered writes, exclusive" 1 --writers 3 --readers 4 --mmap-readers
race "buffered+mmap writes, non-exclusive" 0 --writers 3 --readers 4 --mmap \
	--mmap-readers
race "truncates, exclusive" 1 --readers 4 --truncate

tc qdisc del dev lo root
stats_diag get_requests get_hits get_misses get_raced get_tag_mismatches \
	puts_staged puts_sent puts_dropped_stale
pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null
rm -f $F
scratch_umount
coverage_diag
check "rmmod" rmmod puma
check_dmesg_clean "after the race stress"
done_testing
