#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Malformed traffic at both ends of PUMA, in one guest that lends to itself
# over 127.0.0.1 (helpers/puma-fuzz.c says what it sends):
#  - posing as borrowers, puma-fuzz sends the lender bad HELLOs, batches
#    with bad counts and lengths, unknown types, messages from the wrong
#    end or channel, byte-by-byte sends and 64 connections at once: the
#    lender must close each offending connection and keep answering; a
#    session's second HELLO without the proof of its secret, or with a
#    wrong one, is denied;
#  - posing as a lender on 127.0.0.1:7778, it makes the module pair with
#    it, breaks the HELLO_ACK or sends malformed and unsolicited GET_RESPs,
#    PUT_ACKs and PONGs, answers real PUTs (it evicts and reads a file)
#    with wrong or replayed PUT_ACKs and real GETs with wrong counts,
#    statuses, ids and bytes: the borrower must count a violation (wrong
#    bytes: fail a tag check), disconnect, and the reader still get the
#    file's bytes.
# Meanwhile the real loopback pairing keeps working: a file read back
# through it afterwards comes from the lender, byte for byte.
. "$(dirname "$0")/lib.sh"

F=$MNT/fuzz
M=/tmp/fuzz.model
FUZZ_SECS=6

# fuzz_run NAME ARGS...: run puma-fuzz, one check for its status; its
# summary in FUZZ, its complaints on diag lines
fuzz_run() {
	_n=$1
	shift
	_t0=$(uptime_s)
	FUZZ=$(timeout 90 puma-fuzz "$@" 2>/tmp/fuzz.err)
	_st=$?
	diag "$_n: took $(awk -v a="$_t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }') s"
	if [ $_st -eq 0 ] && [ -n "$FUZZ" ]; then
		ok "$_n: every case saw a correct peer"
	else
		not_ok "$_n: every case saw a correct peer (status $_st)"
	fi
	diag "$_n: $FUZZ"
	grep -v '^puma-fuzz: ok ' /tmp/fuzz.err | head -20 | sed 's/^/#   /'
}

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
scratch_mount
head -c $((512 * 1024)) /dev/urandom >$M
cp $M $F
sync
puma_load
need_stats get_hits get_tag_mismatches get_requests staging_pages_used
echo 4096 >$PUMA_SYS/staging_pages 2>/dev/null || true
puma_loopback 7777 128M
check "puma-fuzz runs" sh -c 'puma-fuzz --help >/dev/null'
warn0=$(dmesg | grep -c 'broke the protocol\|sent an unexpected message')

# peer_rows ROLE: rows of the peers table for ROLE
peer_rows() {
	pumactl peers | grep -cE "^$1 +[0-9.]+:[0-9]+ "
}

# --- at the lender -----------------------------------------------------
fuzz_run "lender fuzz" lender 127.0.0.1:7777 -t $FUZZ_SECS -s 1
check_ge "lender fuzz: cases run (each at least once)" "$(kv cases "$FUZZ")" 59
check_ge "lender fuzz: connections closed on violations" \
	"$(kv closed "$FUZZ")" 50
check_ge "lender fuzz: PUTs acknowledged by a PUT_ACK" \
	"$(kv put_acks "$FUZZ")" 1
check_ge "lender fuzz: HELLOs that did not prove their session denied" \
	"$(kv denied "$FUZZ")" 4
check_ge "lender fuzz: page bytes verified in GET_RESPs" \
	"$(kv bytes_verified "$FUZZ")" $((8 * PAGE))
check_eq "lender fuzz: no wrong byte" "$(kv bad_bytes "$FUZZ")" 0
warn1=$(dmesg | grep -c 'broke the protocol\|sent an unexpected message')
check_ge "lender fuzz: the kernel logged violations (rate-limited)" \
	$((warn1 - warn0)) 1
# Every fuzz connection is reaped: one borrower session is left, the real one.
_i=0
while [ "$(peer_rows borrower)" != 1 ] && [ $_i -lt 50 ]; do
	sleep 0.2
	_i=$((_i + 1))
done
check_eq "lender fuzz: every fuzz connection reaped" \
	"$(peer_rows borrower)" 1
check_eq "lender fuzz: the real pairing is still connected" \
	"$(puma_count_peers lender connected)" 1

# --- at the borrower ---------------------------------------------------
stats_snap get_tag_mismatches get_requests
fuzz_run "borrower fuzz" borrower 7778 -t 1 -s 2 -f $F
check_ge "borrower fuzz: cases run" "$(kv cases "$FUZZ")" 37
check_ge "borrower fuzz: violations counted by the module" \
	"$(kv violations "$FUZZ")" 22
check_ge "borrower fuzz: handshakes refused" "$(kv refused "$FUZZ")" 10
check_ge "borrower fuzz: real PUTs acknowledged by the fuzzer" \
	"$(kv put_acks "$FUZZ")" 8
check_ge "borrower fuzz: real GETs answered by the fuzzer" \
	"$(kv gets "$FUZZ")" 8
check_ge "borrower fuzz: pages it served right" "$(kv hits_sent "$FUZZ")" 1
check_ge "borrower fuzz: bytes the reader checked" \
	"$(kv bytes_verified "$FUZZ")" $((8 * 512 * 1024))
check_eq "borrower fuzz: no wrong byte read" "$(kv bad_bytes "$FUZZ")" 0
check_ge "borrower fuzz: wrong bytes caught by the tags" \
	"$(stats_delta get_tag_mismatches)" 1
check_eq "borrower fuzz: no fuzz lender left paired" \
	"$(peer_rows lender)" 1
check_eq "borrower fuzz: the real pairing is still connected" \
	"$(puma_count_peers lender connected)" 1

# --- the real pairing still carries pages -------------------------------
cat $F >/dev/null
evict $F
puma_wait_drained
stats_snap get_hits get_tag_mismatches
check "after the fuzzing: the file reads back right" cmp -s $F $M
check_ge "after the fuzzing: pages came from the loopback lender" \
	"$(stats_delta get_hits)" 1
check_eq "after the fuzzing: no tag mismatch" \
	"$(stats_delta get_tag_mismatches)" 0
diag "protocol warnings in the kernel log:" \
	"$(( $(dmesg | grep -c 'broke the protocol\|sent an unexpected message') - warn0 ))"
pumactl peers | sed 's/^/# /'

check "remove-lender" pumactl borrower remove-lender 127.0.0.1:7777
check "lender stop" pumactl lender stop
rm -f $F $M
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after the wire fuzzing"
done_testing
