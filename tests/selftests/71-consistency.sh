#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Consistency: every way of changing a file while a lender holds its pages
# must leave PUMA returning the new bytes, never the old ones.  One guest
# lends to itself over 127.0.0.1.  Before each step the file's pages are
# sent to the lender (read, evict, wait for the puts); the step then
# changes the file and, the same way, a model copy of it in tmpfs; after
# the step the file is compared with the model twice: right after its pages
# are evicted (puts of the new content may still be in flight) and once the
# lender holds the new pages (read back through GETs).  Pages are evicted
# with lib.sh's evict (fadvise DONTNEED, the path drop_caches takes), for
# the test's files only.
. "$(dirname "$0")/lib.sh"

D=$MNT/cons
M=/tmp/model
HITS=0

# rand FILE BYTES: BYTES random bytes
rand() {
	head -c "$2" /dev/urandom >"$1"
}

# put_at FILE OFFSET SRC: SRC's bytes over FILE at byte OFFSET
put_at() {
	dd if="$3" of="$1" bs=4096 seek="$2" oflag=seek_bytes conv=notrunc \
		2>/dev/null
}

# zero_at FILE OFFSET LEN: LEN zero bytes over FILE at byte OFFSET
zero_at() {
	head -c "$3" /dev/zero >/tmp/zeros
	put_at "$1" "$2" /tmp/zeros
}

# hold STEP FILE...: the files' pages go to the lender, one check that it
# holds at least as many pages as they have and none is left in the page
# cache
hold() {
	_step=$1
	shift
	cat "$@" >/dev/null
	evict "$@"
	puma_wait_drained || return 1
	_n=0
	_r=0
	for _f in "$@"; do
		_n=$((_n + $(pages_of "$_f")))
		_r=$((_r + $(pumaio resident "$_f")))
	done
	_held=$(stat_or lender_pages_held 0)
	if [ "$_held" -ge $_n ] && [ $_r -eq 0 ]; then
		ok "$_step: before the step the lender holds the file's pages"
	else
		not_ok "$_step: before the step the lender holds the file's pages" \
			"(lender holds $_held, file $_n, $_r still cached)"
	fi
}

# same STEP WHAT FILE MODEL: one check: FILE reads as MODEL
same() {
	if cmp -s "$3" "$4"; then
		ok "$1: $2"
	else
		not_ok "$1: $2 ($(cmp -l "$3" "$4" 2>&1 | wc -l) bytes differ;" \
			"sizes $(stat -c %s "$3") and $(stat -c %s "$4"))"
		cmp -l "$3" "$4" 2>&1 | head -3 | sed 's/^/#   /'
	fi
}

# verify STEP FILE MODEL: after a step, FILE reads as MODEL, with its pages
# evicted and again once the lender holds them
verify() {
	stats_snap get_hits get_tag_mismatches puts_sent
	sync
	evict "$2"
	same "$1" "right bytes after the step" "$2" "$3"
	_h=$(stats_delta get_hits)
	puma_wait_drained
	evict "$2"
	same "$1" "right bytes read back from the lender" "$2" "$3"
	diag "$1: $_h + $(( $(stats_delta get_hits) - _h )) pages from the" \
		"lender, $(stats_delta puts_sent) put, tag mismatches" \
		"$(stats_delta get_tag_mismatches)"
	HITS=$((HITS + $(stats_delta get_hits)))
}

scratch_mount
rm -rf $D $M
mkdir -p $D $M
puma_load
need_stats puts_staged puts_sent get_hits get_tag_mismatches \
	staging_pages_used lender_pages_held
# Room for every page these small files evict at once.
echo 4096 >$PUMA_SYS/staging_pages 2>/dev/null ||
	diag "staging_pages: 4096 refused, keeps $(cat $PUMA_SYS/staging_pages)"
puma_loopback 7777 128M
mm0=$(stat_or get_tag_mismatches 0)

rand $M/f $((2 * 1024 * 1024))
cp $M/f $D/f
sync

s=read-back
hold $s $D/f
verify $s $D/f $M/f

s=partial-page-write
hold $s $D/f
rand /tmp/src 100
put_at $D/f $((3 * PAGE + 1000)) /tmp/src
put_at $M/f $((3 * PAGE + 1000)) /tmp/src
verify $s $D/f $M/f

s=whole-page-write
hold $s $D/f
rand /tmp/src $((8 * PAGE))
put_at $D/f $((16 * PAGE)) /tmp/src
put_at $M/f $((16 * PAGE)) /tmp/src
verify $s $D/f $M/f

# Whole pages rewritten in the page cache (no read, no invalidation) while
# the lender holds their old content, then evicted with a staging pool too
# small to put them all: a dropped put must not leave the old record, or
# the lender's old copy would come back, its tag matching.
s=dropped-put
hold $s $D/f
rand /tmp/src $((256 * PAGE))
put_at $D/f $((64 * PAGE)) /tmp/src
put_at $M/f $((64 * PAGE)) /tmp/src
echo 32 >$PUMA_SYS/staging_pages
stats_snap puts_dropped_staging_full
verify $s $D/f $M/f
diag "$s: $(stats_delta puts_dropped_staging_full) puts dropped (staging full)"
echo 4096 >$PUMA_SYS/staging_pages

s=truncate-down
hold $s $D/f
truncate -s 1000000 $D/f
truncate -s 1000000 $M/f
verify $s $D/f $M/f

s=truncate-extend
hold $s $D/f
truncate -s $((2 * 1024 * 1024)) $D/f
truncate -s $((2 * 1024 * 1024)) $M/f
verify $s $D/f $M/f

s=write-past-eof
hold $s $D/f
rand /tmp/src $((5 * PAGE + 123))
put_at $D/f $((2 * 1024 * 1024 + 3 * PAGE + 7)) /tmp/src
put_at $M/f $((2 * 1024 * 1024 + 3 * PAGE + 7)) /tmp/src
verify $s $D/f $M/f

s=punch-hole
hold $s $D/f
check "$s: fallocate punches holes" sh -c \
	"fallocate --punch-hole -o $((16 * PAGE)) -l $((32 * PAGE)) $D/f &&
	 fallocate --punch-hole -o 300000 -l 10000 $D/f"
zero_at $M/f $((16 * PAGE)) $((32 * PAGE))
zero_at $M/f 300000 10000
verify $s $D/f $M/f

s=direct-write
hold $s $D/f
rand /tmp/src $((4 * PAGE))
check "$s: O_DIRECT write" sh -c \
	"dd if=/tmp/src of=$D/f bs=4096 seek=40 oflag=direct conv=notrunc 2>/dev/null"
put_at $M/f $((40 * PAGE)) /tmp/src
verify $s $D/f $M/f

s=mmap-write
hold $s $D/f
rand /tmp/src 6000
check "$s: write through mmap and msync" \
	pumaio mmapwrite $D/f $((50 * PAGE - 1000)) /tmp/src
put_at $M/f $((50 * PAGE - 1000)) /tmp/src
verify $s $D/f $M/f

# The new file is written with O_DIRECT: none of its pages is ever put,
# so every page read from it is looked up while the lender still holds
# (or just dropped) the old inode's pages under the same inode number.
s=unlink-recreate
hold $s $D/f
ino=$(stat -c %i $D/f)
rm $D/f
sync
rand $M/f $((2 * 1024 * 1024))
dd if=$M/f of=$D/f bs=64k oflag=direct 2>/dev/null
check_eq "$s: the new file reuses the inode number" "$(stat -c %i $D/f)" "$ino"
verify $s $D/f $M/f

s=rename-over
rand $M/g $((1024 * 1024 + 555))
cp $M/g $D/g
sync
hold $s $D/f $D/g
ino=$(stat -c %i $D/f)
mv $D/g $D/f
mv $M/g $M/f
verify $s $D/f $M/f
rand $M/h $((2 * 1024 * 1024))
dd if=$M/h of=$D/h bs=64k oflag=direct 2>/dev/null
diag "$s: a new file got inode $(stat -c %i $D/h), the one renamed over had $ino"
verify $s-new-file $D/h $M/h

s=remount
hold $s $D/f $D/h
held=$(stat_or lender_pages_held 0)
scratch_umount
n=0
while [ "$(stat_or lender_pages_held 0)" -gt 0 ] && [ $n -lt 50 ]; do
	sleep 0.2
	n=$((n + 1))
done
check_eq "$s: the lender drops the unmounted filesystem's pages (held $held)" \
	"$(stat_or lender_pages_held 0)" 0
scratch_mount
verify $s $D/f $M/f
verify $s-h $D/h $M/h

check_ge "pages came from the lender over all steps" $HITS 1
check_eq "no tag mismatch over all steps" \
	$(( $(stat_or get_tag_mismatches 0) - mm0 )) 0
stats_diag puts_staged puts_sent puts_dropped_staging_full \
	puts_dropped_stale get_requests get_hits get_misses get_raced \
	invalidates_sent invalidates_dropped

pumactl borrower remove-lender 127.0.0.1:7777 >/dev/null
pumactl lender stop >/dev/null
rm -rf $D
scratch_umount
coverage_diag
check "rmmod" rmmod puma
check_dmesg_clean "after consistency"
done_testing
