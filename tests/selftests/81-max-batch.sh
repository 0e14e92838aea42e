#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The borrower honours the batch limit its lender negotiated (hardening
# finding 9).  The fake lender stall-lender, silent (it acknowledges PUTs
# but never answers a GET), announces max_batch 4 and reports the largest
# key count it receives in a PUT and in a GET: neither may exceed 4.
# Reads whose GETs time out come from disk, byte for byte.
. "$(dirname "$0")/lib.sh"

F=$MNT/maxbatch
PORT=7795
ADDR=127.0.0.1:$PORT
LIMIT=4

scratch_mount
rm -f $F
head -c $((1024 * 1024)) /dev/urandom >$F
sync
sum=$(md5sum <$F)
puma_load
echo 50 >$PUMA_SYS/get_timeout_ms
ip link set lo up
stall-lender 127.0.0.1 $PORT 0 $LIMIT 2>/tmp/maxbatch.err &
SL=$!
sleep 0.5
if pumactl borrower add-lender $ADDR >/dev/null &&
   puma_wait_peer lender $ADDR connected 10; then
	ok "paired with a lender that takes $LIMIT pages a message"
else
	not_ok "paired with a lender that takes $LIMIT pages a message"
	sed 's/^/#   /' /tmp/maxbatch.err
fi

cat $F >/dev/null
evict $F
puma_wait_drained
stats_snap get_requests
check_eq "the file reads back right (GETs unanswered: from disk)" \
	"$(md5sum <$F)" "$sum"
check_ge "GETs were sent" "$(stats_delta get_requests)" 1

# max COUNT_TYPE: the largest count the fake saw, 0 if none
max() {
	sed -n "s/^stall-lender: max $1 count //p" /tmp/maxbatch.err | tail -1
}
put=$(max PUT)
get=$(max GET)
diag "largest PUT ${put:-none}, largest GET ${get:-none} (limit $LIMIT)"
check "PUTs carried pages" [ "${put:-0}" -ge 1 ]
check "no PUT above the negotiated $LIMIT" [ "${put:-99}" -le $LIMIT ]
check "GETs carried keys" [ "${get:-0}" -ge 1 ]
check "no GET above the negotiated $LIMIT" [ "${get:-99}" -le $LIMIT ]

pumactl borrower remove-lender $ADDR >/dev/null 2>&1
kill $SL 2>/dev/null
wait $SL 2>/dev/null
echo 200 >$PUMA_SYS/get_timeout_ms
rm -f $F
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after a lender with a small batch limit"
done_testing
