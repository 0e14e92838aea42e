#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rmmod must be safe at any moment: load and unload 20 times while a reader
# streams a file through the page cache (readahead, eviction) and another
# truncates and rewrites one, then the kernel log must be clean.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-20}
F=$MNT/stream
G=$MNT/churn

scratch_mount
dd if=/dev/urandom of=$F bs=1M count=32 2>/dev/null
sync
sum=$(md5sum <$F)

: >/tmp/reader.bad
(
	while [ ! -e /tmp/stop ]; do
		[ "$(md5sum <$F)" = "$sum" ] || echo bad >>/tmp/reader.bad
		echo 1 >/proc/sys/vm/drop_caches
	done
) &
reader=$!
(
	while [ ! -e /tmp/stop ]; do
		dd if=/dev/zero of=$G bs=64k count=16 2>/dev/null
		truncate -s 100k $G
		rm -f $G
	done
) &
churn=$!

loaded=0
for i in $(seq "$ROUNDS"); do
	insmod "$PUMA_KO" && loaded=$((loaded + 1))
	sleep 0.$((i % 4))
	rmmod puma || break
done
touch /tmp/stop
wait $reader $churn
rm -f /tmp/stop

check_eq "loaded and unloaded $ROUNDS times" $loaded "$ROUNDS"
check "module not left loaded" sh -c "! lsmod | grep -q '^puma '"
check "reader always saw the right bytes" test ! -s /tmp/reader.bad
rm -f $F $G
scratch_umount
check_dmesg_clean "after $ROUNDS load/unload rounds under I/O"
done_testing
