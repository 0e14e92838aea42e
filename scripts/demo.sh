#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: PUMA between two guests.  The borrower has little memory and a
# slow, HDD-like disk; the lender has memory to spare.  On the borrower, a
# file of random bytes twice the size of its page cache is read in 64 KiB
# chunks in a shuffled order (seeded, so both runs read the same order):
#   baseline: PUMA loaded but disabled and not paired: a warm-up pass, then
#             the measured pass;
#   PUMA:     paired with the lender: a warm-up pass (its evictions fill the
#             lender), then the measured pass.
# The page cache is emptied before each warm-up.  Every page of every pass
# is checked against a hash taken when the file was written.  Prints a
# table, and last one JSON line:
#   {"hit_ratio":..., "gets":..., "hits":..., "mismatches":0,
#    "verified":true, "baseline_s":..., "puma_s":..., "speedup":...,
#    "disk":"<profile>"}
# gets: pages of the readahead windows PUMA was asked for in the measured
# pass (those that missed the borrower's page cache, and the cached pages
# the windows spanned); misses: the windows' pages that were missing;
# hits: pages that came from the lender; hit_ratio = hits / gets, the
# stricter ratio; hit_ratio_missing = hits / misses; baseline_s and
# puma_s: the measured passes.
# Exits non-zero when a page was wrong or the run failed.
#
# Environment: PUMA_KERNEL=6.1|6.12, PUMA_GUEST_MEM (borrower MiB, 192),
# PUMA_LENDER_MEM (MiB, 1024), PUMA_DEMO_IOPS (100: a 7200 rpm disk's random reads), PUMA_DEMO_BPS
# (bytes/s, 120000000), PUMA_DEMO_SIZE_PCT (file size in % of the
# borrower's page cache, 200), PUMA_DEMO_EXCLUSIVE (1: exclusive caching,
# 0: non-exclusive, the lender keeps what it sends back), PUMA_DEMO_CPUS
# (CPUs of each guest, 1: two guests share the host's cores), PUMA_DEMO_FS
# (the borrower's filesystem: ext4, or xfs, whose readahead reads large
# folios)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
line=${PUMA_KERNEL:-6.1}
mem=${PUMA_GUEST_MEM:-192}
lmem=${PUMA_LENDER_MEM:-1024}
iops=${PUMA_DEMO_IOPS:-100}
bps=${PUMA_DEMO_BPS:-120000000}
pct=${PUMA_DEMO_SIZE_PCT:-200}
excl=${PUMA_DEMO_EXCLUSIVE:-1}
cpus=${PUMA_DEMO_CPUS:-1}
fs=${PUMA_DEMO_FS:-ext4}
[[ $fs =~ ^(ext4|xfs)$ ]] || { echo "demo: PUMA_DEMO_FS is ext4 or xfs" >&2; exit 2; }
[[ $excl =~ ^[01]$ ]] || { echo "demo: PUMA_DEMO_EXCLUSIVE is 0 or 1" >&2; exit 2; }
for v in "$mem" "$lmem" "$iops" "$bps" "$pct" "$cpus"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "demo: bad number $v" >&2; exit 2; }
done
profile="HDD-like: $iops IOPS, $((bps / 1000000)) MB/s"
out=$top/build/$line
log=$out/demo.log
mkdir -p "$out"

. "$top/scripts/guest-files.sh"
# mkfs.xfs makes nothing under 300 MiB
img=$((mem * pct / 100 + 256))
[ "$fs" = ext4 ] || [ "$img" -ge 320 ] || img=320
guest_setup "$line" "$out/demo.img" "$img" "$fs"
ko=$KO jobs=$JOBS

# --- the lender (guest a) ------------------------------------------------
cat >"$jobs/lender.sh" <<'JOB'
T_NAME=demo-lender
. /tests/selftests/lib.sh
say() { echo "demo: lender: $*"; }
insmod /puma/puma.ko
max=$(( $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) * 3 / 4 ))
if pumactl lender listen $PAIR_A:7777 --max-memory ${max}M; then
	say "Linux $(uname -r), lends up to $max MiB at $PAIR_A:7777"
else
	say "cannot listen"
fi
pair_recv 7100 1000 >/dev/null
say "stored $(stat_or lender_pages_stored ?) pages, sent back" \
    "$(stat_or lender_get_hits ?), reclaimed $(stat_or lender_pages_reclaimed ?)," \
    "refused $(( $(stat_or lender_refused_quota 0) + $(stat_or lender_refused_nomem 0) ))," \
    "holds $(stat_or lender_pages_held ?)"
pumactl lender stop >/dev/null 2>&1
rmmod puma
JOB

# --- the borrower (guest b) ----------------------------------------------
{
	echo "PROFILE='$profile' PCT=$pct LMEM=$lmem GMEM=$mem EXCL=$excl FS=$fs"
	cat <<'JOB'
T_NAME=demo
. /tests/selftests/lib.sh
L=$PAIR_A:7777
F=/mnt/demo/data
TAB=/tmp/data.tab
say() { echo "demo: $*"; }
row() { printf 'table: %-34s %14s %14s\n' "$@"; }
fmt() { awk -v x="$1" 'BEGIN { printf "%.2f", x }'; }
VERIFIED=true
PAGES_OK=0
PAGES_ALL=0

# pass NAME SEED: read every chunk once in the order SEED gives, check
# every page; sets S (seconds) and DISK (MiB read from disk)
pass() {
	_d0=$(disk_read_kib)
	_l=$(pumaio pass $F $TAB --seed "$2" 2>/tmp/pass.err)
	_st=$?
	S=$(kv seconds "$_l")
	DISK=$(( ($(disk_read_kib) - _d0) / 1024 ))
	_p=$(kv pages "$_l")
	_b=$(kv bad_pages "$_l")
	PAGES_ALL=$((PAGES_ALL + ${_p:-0}))
	if [ $_st -eq 0 ] && [ -n "$_l" ]; then
		PAGES_OK=$((PAGES_OK + _p))
		say "$1: ${S} s, $DISK MiB from disk, all $_p pages right"
	else
		VERIFIED=false
		S=${S:-0}
		say "$1: WRONG BYTES: ${_b:-?} bad pages (status $_st)"
		sed 's/^/demo:   /' /tmp/pass.err | head -5
	fi
}

mkdir -p /mnt/demo
mount -t $FS /dev/vda /mnt/demo
insmod /puma/puma.ko
echo 0 >$PUMA_SYS/enabled
total=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
avail=$(mem_avail_mib)
size=$((avail * PCT / 100))
say "borrower: Linux $(uname -r), $GMEM MiB guest, MemTotal $total MiB," \
    "$avail MiB available to the page cache"
say "borrower disk: $PROFILE (QEMU throttling)"
say "writing a $size MiB file of random bytes ($((size * 16)) chunks of 64 KiB)"
rm -f $F
pumaio mkfile $F $size $TAB || VERIFIED=false
sync
echo 3 >/proc/sys/vm/drop_caches

say "baseline: PUMA loaded, disabled, not paired"
pass "baseline warm-up pass" 1
BW=$S
pass "baseline measured pass" 2
BS=$S
BD=$DISK

echo 3 >/proc/sys/vm/drop_caches
echo 1 >$PUMA_SYS/enabled
echo "$EXCL" >$PUMA_SYS/exclusive
MODE=exclusive
[ "$EXCL" = 1 ] || MODE=non-exclusive
if puma_add_lender $L 180; then
	say "PUMA: paired with the lender at $L"
else
	say "PUMA: cannot pair with $L"
fi
sleep 2
rtt=$(pumactl peers | awk '/^lender/ && NF >= 6 { print $5, $6; exit }')
icmp=$(ping -c 5 -q $PAIR_A 2>/dev/null | awk -F/ '/min\/avg/ { print $4 " ms" }')
pass "PUMA warm-up pass" 1
PW=$S
puma_wait_drained 120 >/dev/null || say "PUMA: puts still in flight after 120 s"
stats_snap get_pages get_request_pages get_hits get_tag_mismatches \
	get_timeouts get_misses puts_sent misses_seen misses_unseen \
	get_requests gets get_timeouts puts_dropped_staging_full
mm0=$(stat_or get_tag_mismatches 0)
pass "PUMA measured pass" 2
PS=$S
PD=$DISK
# before the lender is told to stop: its records go with it
mpages=$(stat_or meta_pages -)
mbytes=$(stat_or meta_bytes -)
mbits=$(stat_or meta_bits_per_page -)
rtt_us=$(stat_or get_rtt_ewma_us -)
seen=$(stats_delta misses_seen)
unseen=$(stats_delta misses_unseen)
coverage=$(ratio_frac "$seen" $((seen + unseen)))
gets=$(stats_delta get_pages)
hits=$(stats_delta get_hits)
asked=$(stats_delta get_request_pages)
mism=$(( $(stat_or get_tag_mismatches 0) - mm0 ))
ratio=$(ratio_frac "$hits" "$gets")
ratio_missing=$(ratio_frac "$hits" "$seen")
speedup=$(ratio_frac "$BS" "$PS" 2)

pair_send $PAIR_A 7100 "done" 30 >/dev/null
sleep 1
echo "table:"
echo "table: PUMA demo: Linux $(uname -r)"
echo "table:   borrower: $GMEM MiB guest, $avail MiB of page cache, disk $PROFILE"
echo "table:   lender:   $LMEM MiB guest; round trip: ICMP ping ${icmp:-?} (idle), PUMA ping ${rtt:-?}"
echo "table:   caching:  $MODE"
echo "table:   file:     $size MiB of random bytes on $FS, read in $((size * 16)) chunks of 64 KiB, shuffled"
echo "table:"
row "" "baseline" "PUMA"
row "warm-up pass (s)" "$(fmt "$BW")" "$(fmt "$PW")"
row "measured pass (s)" "$(fmt "$BS")" "$(fmt "$PS")"
row "measured pass: MiB read from disk" "$BD" "$PD"
row "pages in readahead windows (gets)" "-" "$gets"
row "  missing from the page cache" "-" "$seen"
row "pages asked of the lender" "-" "$asked"
row "  in GET requests (readahead calls)" "-" "$(stats_delta get_requests) ($(stats_delta gets))"
row "  timed out" "-" "$(stats_delta get_timeouts)"
row "puts dropped (staging full)" "-" "$(stats_delta puts_dropped_staging_full)"
row "pages from the lender (hits)" "-" "$hits"
row "hit ratio (hits / gets)" "-" "$ratio"
row "hit ratio (hits / pages missing)" "-" "$ratio_missing"
row "coverage (misses a get saw)" "-" "$coverage"
row "tag mismatches" "-" "$mism"
row "get round trip, EWMA (us)" "-" "$rtt_us"
row "remote pages with a record" "-" "$mpages"
row "metadata (bytes)" "-" "$mbytes"
row "metadata (bits per remote page)" "-" "$mbits"
row "pages verified, all four passes" "" "$PAGES_OK / $PAGES_ALL"
echo "table:"
echo "table: speedup of the measured pass: ${speedup}x; every byte verified: $VERIFIED"
echo "JSON: {\"hit_ratio\":$ratio, \"gets\":$gets, \"hits\":$hits, \"mismatches\":$mism, \"verified\":$VERIFIED, \"baseline_s\":$(fmt "$BS"), \"puma_s\":$(fmt "$PS"), \"speedup\":$speedup, \"disk\":\"$PROFILE\", \"mode\":\"$MODE\", \"fs\":\"$FS\", \"coverage\":$coverage, \"misses\":$seen, \"hit_ratio_missing\":$ratio_missing}"

pumactl borrower remove-lender $L >/dev/null 2>&1
umount /mnt/demo
rmmod puma
[ "$VERIFIED" = true ]
JOB
} >"$jobs/borrower.sh"

echo "demo: borrower guest $mem MiB with a disk throttled to $profile;" \
	"lender guest $lmem MiB; Debian $line kernel"
echo "demo: full output in $log"
set +e
bash "$top/scripts/vm.sh" pair --kernel "$line" --name demo --timeout 1200 \
	--cpus "$cpus" \
	--mem-a "$lmem" --mem-b "$mem" \
	--disk-b "$out/demo.img,iops=$iops,bps=$bps" \
	--add "$ko:/puma/puma.ko" \
	"${GUEST_ADDS[@]}" \
	--job-a "$jobs/lender.sh" --job-b "$jobs/borrower.sh" 2>&1 |
	tee "$log" | sed -un -e 's/^\[[ab]\] \(demo: .*\)/\1/p' \
		-e 's/^\(\[[ab]\] \)\{0,1\}\(vm: .*\)/\2/p'
st=$?	# vm.sh's, with pipefail
set -e

guest_result "$log" "$st" demo && exit 0
st=$?
# No result at all: a JSON line all the same, for the callers that parse it
grep -q '^\[b\] JSON: ' "$log" ||
	echo "{\"hit_ratio\":0, \"gets\":0, \"hits\":0, \"mismatches\":0, \"verified\":false, \"baseline_s\":0, \"puma_s\":0, \"speedup\":0, \"disk\":\"$profile\"}"
exit "$st"
