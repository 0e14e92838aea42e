# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers for PUMA's selftests.  Sourced by each test, which runs inside
# a guest (/bin/sh is bash in POSIX mode, busybox provides the tools) with the module at $PUMA_KO, pumactl on PATH, and
# a scratch ext4 disk at $PUMA_DISK and an xfs one at $PUMA_XFS_DISK.  Results are TAP 13 lines with a plan
# at the end; a test exits non-zero when any check failed.

PUMA_KO=${PUMA_KO:-/puma/puma.ko}
PUMA_DISK=${PUMA_DISK:-/dev/vda}
PUMA_XFS_DISK=${PUMA_XFS_DISK:-/dev/vdb}
MNT_XFS=${MNT_XFS:-/mnt/x}
PUMA_SYS=/sys/kernel/puma
MNT=${MNT:-/mnt/t}

T_NAME=${T_NAME:-$(basename "$0" .sh)}
T_NUM=0
T_FAIL=0

ok() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $T_NAME: $*"
}

not_ok() {
	T_NUM=$((T_NUM + 1))
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_NUM - $T_NAME: $*"
}

diag() {
	echo "# $T_NAME: $*"
}

# check DESCRIPTION COMMAND...: one TAP line for the command's status
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_ge DESCRIPTION VALUE MIN
check_ge() {
	if [ "$2" -ge "$3" ]; then
		ok "$1 ($2 >= $3)"
	else
		not_ok "$1 ($2 < $3)"
	fi
}

# check_eq DESCRIPTION VALUE EXPECTED
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1 ($2)"
	else
		not_ok "$1 (got '$2', expected '$3')"
	fi
}

done_testing() {
	echo "1..$T_NUM"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

stat_get() {
	cat "$PUMA_SYS/stats/$1"
}

puma_load() {
	lsmod | grep -q '^puma ' || insmod "$PUMA_KO" "$@"
}

puma_unload() {
	if lsmod | grep -q '^puma '; then rmmod puma; fi
}

drop_caches() {
	sync
	echo 1 >/proc/sys/vm/drop_caches
}

# disk_mount TYPE DEV DIR / disk_umount DIR: mount once, unmount if mounted
disk_mount() {
	mkdir -p "$3"
	mountpoint -q "$3" && return 0
	mount -t "$1" "$2" "$3"
}

disk_umount() {
	if mountpoint -q "$1"; then umount "$1"; fi
}

# The scratch disks: ext4 at $MNT, xfs at $MNT_XFS.  A test's variant on
# xfs (PUMA_TEST_FS=xfs, run.sh's NN-name.sh@xfs) finds the xfs disk at
# $MNT instead.
PUMA_TEST_FS=${PUMA_TEST_FS:-ext4}
scratch_mount() {
	if [ "$PUMA_TEST_FS" = xfs ]; then
		disk_mount xfs "$PUMA_XFS_DISK" "$MNT"
	else
		disk_mount ext4 "$PUMA_DISK" "$MNT"
	fi
}
scratch_umount() { disk_umount "$MNT"; }
xfs_mount() { disk_mount xfs "$PUMA_XFS_DISK" "$MNT_XFS"; }
xfs_umount() { disk_umount "$MNT_XFS"; }

# The kernel log must hold no sign of a kernel bug.
DMESG_BAD='BUG:|WARNING:|Oops|general protection|Call Trace|lockdep|possible circular|possible recursive|INFO: task .* blocked|rcu_sched self-detected|RCU stall|kernel panic|list_add corruption|list_del corruption|refcount_t:|KASAN|UBSAN'

check_dmesg_clean() {
	bad=$(dmesg | grep -E "$DMESG_BAD" | head -5)
	if [ -z "$bad" ]; then
		ok "kernel log clean $1"
	else
		not_ok "kernel log clean $1"
		echo "$bad" | sed 's/^/#   /'
	fi
}

# --- the data path: puts, gets, lenders ------------------------------------

# shellcheck disable=SC2034 # for the tests that source this file
PUMA_DBG=/sys/kernel/debug/puma
PAGE=4096
# The two guests of a pair test (scripts/vm.sh pair): a lends, b borrows.
# shellcheck disable=SC2034
PAIR_A=169.254.77.1
# shellcheck disable=SC2034
PAIR_B=169.254.77.2

# stat_or NAME DEFAULT: the counter, or DEFAULT when the module lacks it
stat_or() {
	cat "$PUMA_SYS/stats/$1" 2>/dev/null || echo "$2"
}

# need_stats NAME...: one check that the module has these counters (the
# helpers below read a missing one as 0)
need_stats() {
	_miss=
	for _s in "$@"; do
		[ -r "$PUMA_SYS/stats/$_s" ] || _miss="$_miss $_s"
	done
	if [ -z "$_miss" ]; then
		ok "the module has the counters this test reads"
	else
		not_ok "the module has the counters this test reads (missing:$_miss)"
	fi
}

# stats_snap NAME...: remember counters for stats_delta
stats_snap() {
	for _s in "$@"; do
		eval "SNAP_$_s=$(stat_or "$_s" 0)"
	done
}

# stats_delta NAME: change of counter NAME since stats_snap
stats_delta() {
	eval "echo \$(( \$(stat_or $1 0) - \${SNAP_$1:-0} ))"
}

# stats_diag NAME...: the counters on one diagnostic line
stats_diag() {
	_l=
	for _s in "$@"; do _l="$_l $_s=$(stat_or "$_s" -)"; done
	diag "${_l# }"
}

# coverage_diag: pumactl status's coverage line (the page-cache misses of
# opted-in files since the module was loaded: those a get saw, and those
# that reached the disk unseen) as a diagnostic, for the notes
coverage_diag() {
	diag "coverage: $(pumactl status | sed -n 's/^coverage: *//p')"
}

# wait_stat NAME VALUE [SECONDS]: until counter NAME reads VALUE (5 s);
# prints its last value
wait_stat() {
	_i=0
	while [ "$(stat_or "$1" x)" != "$2" ] && [ $_i -lt $(( ${3:-5} * 5 )) ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
	stat_or "$1" x
}

# pages_of FILE: the number of pages FILE spans
pages_of() {
	echo $(( ($(stat -c %s "$1") + PAGE - 1) / PAGE ))
}

# evict FILE...: drop the files' pages from the page cache the way
# drop_caches does (fadvise DONTNEED: mapping_evict_folio, so they are
# put), but only theirs, so that the counters see those files alone.
evict() {
	pumaio evict "$@"
}

# puma_puts_state: the counters puma_wait_drained watches, on one line
puma_puts_state() {
	_d=0
	for _f in "$PUMA_SYS"/stats/puts_dropped_*; do
		[ -e "$_f" ] && _d=$((_d + $(cat "$_f")))
	done
	echo "used=$(( $(stat_or staging_pages_used 0) + $(stat_or puts_unacked 0) ))" \
	     "staged=$(stat_or puts_staged x) sent=$(stat_or puts_sent x)" \
	     "held=$(stat_or puts_already_held x) dropped=$_d"
}

# puma_wait_drained [SECONDS]: puts are asynchronous.  Wait until the
# staging pool is empty, every staged put is accounted for (sent, already
# held or dropped) and these counters stay still for 0.3 s, then give the
# lender 0.5 s to store what it received.  Gives up after SECONDS
# (default $PUMA_DRAIN_TIMEOUT, or 30) with a failed check that shows the
# counters; once that happened in a test, later calls wait 3 s at most,
# so that a broken data path fails a test quickly.
puma_wait_drained() {
	_limit=$(( ${1:-${PUMA_DRAIN_TIMEOUT:-30}} * 10 ))
	[ -z "${PUMA_DRAIN_FAILED:-}" ] || _limit=30
	_prev=
	_i=0
	while [ $_i -lt $_limit ]; do
		_st=$(puma_puts_state)
		# shellcheck disable=SC2046 # words on purpose
		set -- $(echo "$_st" | tr '=' ' ')
		# $2 used, $4 staged, $6 sent, $8 held, $10 dropped
		if [ "$2" = 0 ] && [ "$4" != x ] && [ "$6" != x ] &&
		   [ "$4" -le $(( $6 + ${8#x} + ${10} )) ] 2>/dev/null &&
		   [ "$_st" = "$_prev" ]; then
			sleep 0.5
			return 0
		fi
		_prev=$_st
		sleep 0.3
		_i=$((_i + 3))
	done
	not_ok "puts drained within $((_limit / 10)) s ($_st)"
	PUMA_DRAIN_FAILED=1
	return 1
}

# puma_wait_peer ROLE ADDR STATE [SECONDS]: until pumactl peers shows a
# ROLE (lender|borrower) peer at ADDR (a regex; "." for any) in STATE
# (connected|disconnected); default 10 s
puma_wait_peer() {
	_i=0
	while [ $_i -lt $(( ${4:-10} * 5 )) ]; do
		pumactl peers 2>/dev/null |
			grep -qE "^$1 .*$2.* $3( |\$)" && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# puma_count_peers ROLE STATE: how many peers of ROLE are in STATE
puma_count_peers() {
	pumactl peers 2>/dev/null | grep -cE "^$1 .* $2( |\$)"
}

# puma_loopback [PORT] [MAX_MEMORY]: this node lends to itself over
# 127.0.0.1, one check for the pairing
puma_loopback() {
	_a=127.0.0.1:${1:-7777}
	ip link set lo up
	if pumactl lender listen "$_a" --max-memory "${2:-128M}" >/dev/null &&
	   pumactl borrower add-lender "$_a" >/dev/null &&
	   puma_wait_peer lender "$_a" connected 10; then
		ok "loopback pairing on $_a"
	else
		not_ok "loopback pairing on $_a"
		pumactl peers | sed 's/^/#   /'
		return 1
	fi
}

# puma_add_lender ADDR [SECONDS]: pair with a lender that may not listen
# yet (the other guest boots at its own pace); default 60 s
puma_add_lender() {
	_i=0
	while [ $_i -lt $(( ${2:-60} * 2 )) ]; do
		pumactl borrower add-lender "$1" 2>/dev/null && return 0
		sleep 0.5
		_i=$((_i + 1))
	done
	return 1
}

# --- two guests: messages on the private link, outside PUMA ----------------
# The guests of a pair test boot and run at their own pace; when one must
# act at a given point of the other's run it waits for a message, one TCP
# connection (busybox nc) carrying one line.

# pair_send HOST PORT MESSAGE [SECONDS]: deliver MESSAGE, retrying while
# nobody listens; default 60 s
pair_send() {
	_i=0
	while [ $_i -lt $(( ${4:-60} * 4 )) ]; do
		echo "$3" | timeout 10 nc -w 3 "$1" "$2" 2>/dev/null && return 0
		sleep 0.25
		_i=$((_i + 1))
	done
	diag "could not tell $1:$2 '$3'"
	return 1
}

# pair_recv PORT [SECONDS]: print the next message sent to PORT; fails
# after SECONDS (default 120) without one
pair_recv() {
	timeout "${2:-120}" nc -l -p "$1" </dev/null 2>/dev/null
}

# pair_expect PORT MESSAGE [SECONDS]: one check: MESSAGE arrives on PORT
pair_expect() {
	_m=$(pair_recv "$1" "${3:-120}")
	check_eq "the other guest says '$2'" "$_m" "$2"
}

# --- a file larger than the page cache, read in shuffled 64 KiB chunks -----
# pumaio (tests/selftests/helpers/pumaio.c) writes random bytes and keeps
# a hash of every page in tmpfs; a pass reads every chunk once in an order
# shuffled from a seed and checks every page against its hash.

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

mem_avail_mib() {
	awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo
}

# disk_read_kib [DEV]: KiB read from the disk (vda) since boot
disk_read_kib() {
	awk '{ print int($3 / 2) }' "/sys/block/${1:-vda}/stat"
}

# kv KEY LINE: the value of KEY=VALUE in LINE
kv() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# bigfile PERCENT: $BIG, random, PERCENT % of the memory available to the
# page cache now; its page hashes in $BIG_TAB.  Sets BIG_MIB, BIG_CHUNKS
# and leaves the page cache empty.
BIG=$MNT/chunks
BIG_TAB=/tmp/chunks.tab
bigfile() {
	_avail=$(mem_avail_mib)
	BIG_MIB=$((_avail * $1 / 100))
	# shellcheck disable=SC2034 # for the tests
	BIG_CHUNKS=$((BIG_MIB * 16))
	_t0=$(uptime_s)
	rm -f "$BIG"
	if pumaio mkfile "$BIG" "$BIG_MIB" "$BIG_TAB"; then
		ok "a $BIG_MIB MiB file of random bytes ($1% of $_avail MiB available)"
	else
		not_ok "a $BIG_MIB MiB file of random bytes"
	fi
	sync
	echo 3 >/proc/sys/vm/drop_caches
	diag "made in $(awk -v a="$_t0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }') s"
}

# read_pass NAME PUMAIO_PASS_OPTIONS...: read $BIG once, one check that
# every page was right.  Sets PASS (pumaio's line), PASS_S, PASS_MAX_MS.
read_pass() {
	_name=$1
	shift
	PASS=$(pumaio pass "$BIG" "$BIG_TAB" "$@" 2>/tmp/pass.err)
	_st=$?
	PASS_S=$(kv seconds "$PASS")
	# shellcheck disable=SC2034 # for the tests
	PASS_MAX_MS=$(kv max_chunk_ms "$PASS")
	if [ $_st -eq 0 ] && [ -n "$PASS" ]; then
		ok "$_name: every page right ($(kv pages "$PASS") pages in ${PASS_S} s)"
	else
		not_ok "$_name: every page right (status $_st: ${PASS:-no summary})"
		head -5 /tmp/pass.err | sed 's/^/#   /'
	fi
}

# check_pass_ok NAME LINE: one check that a pumaio line saw right bytes only
check_pass_ok() {
	if [ -n "$2" ] && [ "$(kv bad_pages "$2")" = 0 ] &&
	   [ "$(kv errors "$2")" = 0 ]; then
		ok "$1: every page right ($(kv pages "$2") pages)"
	else
		not_ok "$1: every page right (${2:-no summary})"
	fi
}

# check_ms_lt DESCRIPTION MS LIMIT: MS (a decimal) below LIMIT
check_ms_lt() {
	if [ -n "$2" ] && [ "${2%.*}" -lt "$3" ]; then
		ok "$1 ($2 ms < $3 ms)"
	else
		not_ok "$1 (${2:-?} ms, limit $3 ms)"
	fi
}

# ratio_pct PART WHOLE: PART / WHOLE in whole percent, 0 when WHOLE is 0
ratio_pct() {
	if [ "$2" -gt 0 ]; then echo $(($1 * 100 / $2)); else echo 0; fi
}

# ratio_frac PART WHOLE [DIGITS]: PART / WHOLE (decimals allowed) with
# DIGITS (3) after the point, 0 when WHOLE is 0
ratio_frac() {
	awk -v p="$1" -v w="$2" -v d="${3:-3}" \
		'BEGIN { printf("%." d "f", w > 0 ? p / w : 0) }'
}
