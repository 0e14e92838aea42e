#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A lender that returns wrong bytes is caught by the integrity tag: with the
# test-only debugfs knob corrupt_puts the lender flips a byte in each of the
# next N pages it stores.  The borrower must count such a page as a tag
# mismatch, read it from disk instead, and the reader see only right bytes.
# Since an honest lender never sends a page that fails its tag, the lender
# is then disconnected, and stays so until the operator pairs again.
# One guest lends to itself over 127.0.0.1; pages are evicted with lib.sh's
# evict (fadvise DONTNEED, the path drop_caches takes), for the file only.
. "$(dirname "$0")/lib.sh"

F=$MNT/corrupt
M=/tmp/corrupt.model
KNOB=$PUMA_DBG/corrupt_puts
N=8

# round WHAT: put F's pages on the lender, read F back, compare with M
round() {
	cat $F >/dev/null
	stats_snap get_hits get_request_pages get_tag_mismatches \
		lender_pages_stored
	evict $F
	puma_wait_drained
	if cmp -s $F $M; then
		ok "$1: the reader gets the right bytes"
	else
		not_ok "$1: the reader gets the right bytes" \
			"($(cmp -l $F $M 2>&1 | wc -l) bytes differ)"
	fi
	MM=$(stats_delta get_tag_mismatches)
	HITS=$(stats_delta get_hits)
	ASKED=$(stats_delta get_request_pages)
	diag "$1: stored $(stats_delta lender_pages_stored), asked for" \
		"$(stats_delta get_request_pages), hits $HITS, tag mismatches $MM"
}

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
scratch_mount
head -c $((2 * 1024 * 1024)) /dev/urandom >$M
cp $M $F
sync
PAGES=$(pages_of $F)
puma_load
need_stats get_hits get_request_pages get_tag_mismatches \
	lender_pages_stored staging_pages_used
echo 4096 >$PUMA_SYS/staging_pages 2>/dev/null || true
puma_loopback 7777 128M
check "debugfs has $KNOB" test -w $KNOB

# repair WHAT: the lender that lied is disconnected and stays so until the
# operator pairs again
repair() {
	if puma_wait_peer lender 127.0.0.1:7777 disconnected 10; then
		ok "$1: the lender is disconnected"
	else
		not_ok "$1: the lender is disconnected"
		pumactl peers | sed 's/^/#   /'
	fi
	sleep 3
	check "$1: it is not reconnected by itself" \
		puma_wait_peer lender 127.0.0.1:7777 disconnected 1
	pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
	pumactl borrower add-lender 127.0.0.1:7777 >/dev/null
	check "$1: paired again" \
		puma_wait_peer lender 127.0.0.1:7777 connected 10
}

echo $N >$KNOB
check_eq "corrupt_puts reads back $N" "$(cat $KNOB 2>/dev/null)" $N
round "$N corrupted pages"
check_eq "the lender corrupted $N pages" "$(cat $KNOB 2>/dev/null)" 0
check_ge "corrupted pages are caught (tag mismatches)" "$MM" 1
repair "$N corrupted pages"

round "after the corruption"
check_eq "no mismatch once the lender stores pages intact" "$MM" 0
check_ge "pages come from the lender again" "$HITS" 1

echo $((PAGES * 4)) >$KNOB
round "every page corrupted"
check_ge "corrupted pages are caught" "$MM" 1
check_eq "every page asked for is caught" "$MM" "$ASKED"
check_eq "no corrupted page is used" "$HITS" 0
echo 0 >$KNOB 2>/dev/null
check_eq "corrupt_puts can be reset" "$(cat $KNOB 2>/dev/null)" 0
repair "every page corrupted"

pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null
rm -f $F $M
scratch_umount
coverage_diag
check "rmmod" rmmod puma
check_dmesg_clean "after corrupted pages"
done_testing
