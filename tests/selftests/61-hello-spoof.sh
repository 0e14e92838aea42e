#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A HELLO must not take over another borrower's session.  In one guest that
# lends to itself over 127.0.0.1, while the real pairing holds pages,
# hello-spoof connects to the lender as an off-path attacker who knows the
# borrower's node id (pumactl peers shows it) and even its session (read
# here off the loopback wire, as no off-path attacker could) but not the
# secret of the session's handshake:
#   (a) the node id and a new session: used to end the real session;
#   (b) the node id and the real session, without proof: used to join its
#       store; (c) the same with a wrong proof; (d) a new session with a
#       made-up proof, as if joining a session that does not exist.
# Each must be refused with a HELLO_ACK status (DENIED, 5) and counted,
# and the real pairing must stay connected, keep its pages and serve them.
# A legitimate re-pair (remove-lender, add-lender) must still work.
. "$(dirname "$0")/lib.sh"

L=127.0.0.1:7777
F=$MNT/spoof8
MIB=8
DENIED=5
STATS="lender_hello_denied_live lender_hello_denied_no_proof
	lender_hello_denied_bad_proof lender_hello_denied_unknown get_hits
	get_tag_mismatches"

scratch_mount
rm -f $F
dd if=/dev/urandom of=$F bs=1M count=$MIB 2>/dev/null
sync
sum=$(md5sum <$F)
drop_caches

puma_load
# shellcheck disable=SC2086
need_stats $STATS lender_pages_held
puma_loopback 7777 64M

# pairing_ok: the borrower's lender and the lender's borrower session are
# both connected, the lender reports exactly one borrower session
pairing_ok() {
	pumactl peers >/tmp/peers 2>&1
	grep -qE "^lender .*$L.* connected( |\$)" /tmp/peers &&
		[ "$(grep -cE '^borrower .* (dis)?connected( |$)' /tmp/peers)" \
			-eq 1 ] &&
		grep -qE '^borrower .* connected( |$)' /tmp/peers
}

# repair: a legitimate re-pair, with the first HELLO read off the wire;
# sets NODE, SESSION, VER and LEN
repair() {
	hello-spoof sniff 7777 20 >/tmp/sniff 2>/tmp/sniff.err &
	_sniffer=$!
	sleep 0.5
	pumactl borrower remove-lender $L >/dev/null
	check "re-pair: add-lender right after remove-lender" \
		pumactl borrower add-lender $L
	wait $_sniffer
	_line=$(cat /tmp/sniff)
	diag "the real borrower's HELLO: $_line"
	NODE=$(kv node "$_line")
	SESSION=$(kv session "$_line")
	VER=$(kv version "$_line")
	LEN=$(kv len "$_line")
	_i=0
	while ! pairing_ok && [ $_i -lt 50 ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
	if pairing_ok; then
		ok "re-pair: connected, one borrower session on the lender"
	else
		not_ok "re-pair: connected, one borrower session on the lender"
		sed 's/^/#   /' /tmp/peers
	fi
}

repair
check "the sniffer saw the HELLO" test -n "$SESSION"
pnode=$(pumactl peers --json | tr -d '\n' |
	sed -n 's/.*"role": *"borrower"[^}]*"node_id": *"\([0-9a-f]*\)".*/\1/p')
check_eq "pumactl peers shows the borrower's node id" "$pnode" "$NODE"

# fill: the file's pages go to the lender; sets HELD
fill() {
	cat $F >/dev/null
	evict $F
	puma_wait_drained
	HELD=$(stat_or lender_pages_held 0)
	check_ge "the lender holds the file's pages" "$HELD" $((MIB * 128))
}

# spoof DESCRIPTION SESSION CHANNEL PROOF: one refused spoofed HELLO, and
# the real pairing unharmed
spoof() {
	out=$(hello-spoof hello $L "$NODE" "$2" "$VER" "$LEN" "$3" "$4")
	diag "$1: hello-spoof said: $out"
	check_eq "$1: refused with DENIED" "$out" "status=$DENIED"
	sleep 1.5
	if pairing_ok; then
		ok "$1: the real pairing stays connected"
	else
		not_ok "$1: the real pairing stays connected"
		sed 's/^/#   /' /tmp/peers
	fi
	check_eq "$1: the lender keeps the pages" \
		"$(stat_or lender_pages_held 0)" "$HELD"
	# On a module that lets the spoof through, pair again for the next.
	if ! pairing_ok; then
		repair
		fill
	fi
}

fill
stats_snap $STATS
newsession=$(printf '%08x%08x' $$ "$(date +%s)")
spoof "(a) known node id, new session" "$newsession" put zero
spoof "(b) known node id and session, no proof" "$SESSION" get zero
if [ "$LEN" -gt 40 ]; then
	spoof "(c) known node id and session, wrong proof" "$SESSION" get random
else
	not_ok "(c) this protocol version has no proof field (HELLO of $LEN bytes)"
fi
if [ "$LEN" -gt 40 ]; then
	spoof "(d) known node id, new session, a made-up proof" "$newsession" \
		get random
fi
check_ge "refusals counted: live session" \
	"$(stats_delta lender_hello_denied_live)" 1
check_ge "refusals counted: no proof" \
	"$(stats_delta lender_hello_denied_no_proof)" 1
check_ge "refusals counted: bad proof" \
	"$(stats_delta lender_hello_denied_bad_proof)" 1
check_ge "refusals counted: proof for no live session" \
	"$(stats_delta lender_hello_denied_unknown)" 1

# The store still serves the real borrower, byte for byte.
stats_snap $STATS
check_eq "read back returns the file" "$(md5sum <$F)" "$sum"
check_ge "read back: pages came from the lender" "$(stats_delta get_hits)" 1
check_eq "read back: no tag mismatch" "$(stats_delta get_tag_mismatches)" 0

pumactl peers | sed 's/^/# /'
stats_diag lender_hello_denied_live lender_hello_denied_no_proof \
	lender_hello_denied_bad_proof lender_hello_denied_unknown \
	lender_hello_denied_channel
check "remove-lender" pumactl borrower remove-lender $L
check "lender stop" pumactl lender stop
rm -f $F
scratch_umount
check "rmmod" rmmod puma
check_dmesg_clean "after hello spoofing"
done_testing
