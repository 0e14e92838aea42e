#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every way a page-cache miss reaches the disk, on ext4 (and on xfs as the
# variant 83-read-paths.sh@xfs, PUMA_TEST_FS=xfs): a
# buffered read (readahead: page_cache_ra_unbounded() on ext4,
# page_cache_ra_order() and large folios on xfs), mmap readers with the
# default read-around, MADV_SEQUENTIAL and MADV_RANDOM (a fault that
# reads no window: filemap_fault() reads its page with ->read_folio()),
# and, on xfs, FIDEDUPERANGE, which reads both files through
# read_mapping_folio(), a path no get sees.  One guest lends to itself.
#
# For each reader: every byte right, and the coverage counters account for
# every page read: misses_seen counts the misses a get looked up, and
# misses_unseen the pages read from disk that none did.  Readers a get
# covers must have hits and no unseen page; the dedupe must have every
# page it read counted unseen, and the held ones as hits lost.
. "$(dirname "$0")/lib.sh"

MIB=2
PAGES=$((MIB * 256))

puma_load
puma_loopback 7777 64M
# Room for a whole file's puts at once, whatever the pool's auto size.
echo 4096 >$PUMA_SYS/staging_pages
need_stats misses_seen misses_unseen misses_unseen_held gets_fault \
	puts_dropped_large

# put_all FILE: evict FILE's clean pages so that the lender holds them
put_all() {
	cat "$1" >/dev/null
	evict "$1"
	puma_wait_drained
}

# reader FS NAME CMD...: run CMD against a file whose pages the lender
# holds; checks its bytes, hits and coverage
reader() {
	_fs=$1 _name=$2
	shift 2
	stats_snap get_hits misses_seen misses_unseen gets_fault \
		get_tag_mismatches
	if "$@" >/tmp/reader.out 2>&1; then
		ok "$_fs $_name: every page right"
	else
		not_ok "$_fs $_name: every page right"
		sed 's/^/#   /' /tmp/reader.out
	fi
	R_HITS=$(stats_delta get_hits)
	R_SEEN=$(stats_delta misses_seen)
	R_UNSEEN=$(stats_delta misses_unseen)
	R_FAULT=$(stats_delta gets_fault)
	diag "$_fs $_name: $R_HITS hits, $R_SEEN misses seen, $R_UNSEEN" \
		"unseen, $R_FAULT fault gets"
	check_eq "$_fs $_name: no tag mismatch" \
		"$(stats_delta get_tag_mismatches)" 0
}

# covered FS NAME: the reader's misses were all seen, and came back
covered() {
	check_ge "$1 $2: pages from the lender" "$R_HITS" $((PAGES * 9 / 10))
	check_ge "$1 $2: every page missed was seen" "$R_SEEN" "$PAGES"
	check_eq "$1 $2: no page read unseen" "$R_UNSEEN" 0
}

paths() {
	fs=$1 dir=$2
	F=$dir/paths
	pumaio mkfile $F $MIB /tmp/paths.tab
	sync
	# Out of the page cache with nothing put, then read from disk by
	# readahead: on xfs, in large folios, which are put page by page.
	echo 0 >$PUMA_SYS/enabled
	evict $F
	echo 1 >$PUMA_SYS/enabled
	stats_snap puts_staged puts_dropped_unsupported puts_dropped_large \
		puts_large_pages
	put_all $F
	check_ge "$fs: the file's pages were put" \
		"$(stats_delta puts_staged)" $((PAGES * 9 / 10))
	check_eq "$fs: none refused for its folio size" \
		"$(( $(stats_delta puts_dropped_unsupported) + \
		     $(stats_delta puts_dropped_large) ))" 0
	diag "$fs: $(stats_delta puts_large_pages) pages put from large folios"
	if [ $fs = xfs ]; then
		check_ge "xfs: pages put from large folios" \
			"$(stats_delta puts_large_pages)" $((PAGES / 2))
	fi

	reader $fs "buffered read" pumaio pass $F /tmp/paths.tab --seed 0
	covered $fs "buffered read"
	put_all $F
	reader $fs "mmap read-around" pumaio mmapread $F /tmp/paths.tab normal 0
	covered $fs "mmap read-around"
	put_all $F
	reader $fs "mmap sequential" pumaio mmapread $F /tmp/paths.tab \
		sequential 0
	covered $fs "mmap sequential"
	put_all $F
	reader $fs "mmap random" pumaio mmapread $F /tmp/paths.tab random 7
	covered $fs "mmap random"
	check_eq "$fs mmap random: one fault get per page" "$R_FAULT" "$PAGES"
	rm -f $F
}

scratch_mount
paths $PUMA_TEST_FS $MNT

# The read_folio path: FIDEDUPERANGE compares two files page by page
# through read_mapping_folio().  No get sees those reads: they must be
# counted, and those of pages a lender held as hits lost.  (ext4 has no
# FIDEDUPERANGE.)
dedupe() {
	A=$MNT/dedupe.a
	B=$MNT/dedupe.b
	pumaio mkfile $A $MIB /tmp/dedupe.tab
	cp $A $B
	sync
	put_all $A
	put_all $B
	stats_snap misses_unseen misses_unseen_held misses_seen
	if out=$(pumaio dedupe $A $B); then
		ok "xfs dedupe ran ($out)"
	else
		not_ok "xfs dedupe ran ($out)"
	fi
	diag "xfs dedupe: $(stats_delta misses_unseen) unseen," \
		"$(stats_delta misses_unseen_held) of them held," \
		"$(stats_delta misses_seen) seen"
	check_ge "xfs dedupe: every page read counted unseen" \
		"$(stats_delta misses_unseen)" $((2 * PAGES))
	check_ge "xfs dedupe: the held ones counted as hits lost" \
		"$(stats_delta misses_unseen_held)" $((PAGES * 9 / 10))
	evict $A $B
	check "xfs dedupe: the first file reads back right" \
		sh -c "pumaio pass $A /tmp/dedupe.tab --seed 0 >/dev/null"
	check "xfs dedupe: the second file too" \
		sh -c "pumaio pass $B /tmp/dedupe.tab --seed 0 >/dev/null"
	rm -f $A $B
}
[ "$PUMA_TEST_FS" != xfs ] || dedupe

pumactl status >/tmp/status.out
check "pumactl status shows the coverage" grep -q '^coverage: .*% of' \
	/tmp/status.out
coverage_diag
scratch_umount

echo auto >$PUMA_SYS/staging_pages
pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null
check "rmmod" rmmod puma
check_dmesg_clean "after the read paths"
done_testing
