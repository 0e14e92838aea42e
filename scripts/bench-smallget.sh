#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-smallget: one-page gets between two guests.  A point-lookup
# workload: one reader issues random 4 KiB reads, one at a time, over a
# file about twice the borrower's page cache, on a disk of 100 IOPS.
#   baseline: the module not loaded: a warm-up pass of random 64 KiB reads
#             over the whole file, then the measured reads;
#   PUMA:     paired with a lender: the same warm-up (its evictions fill the
#             lender; random chunks, not a stream), then the same reads.
# The measured reads run twice, with no think time and with 1 ms between
# reads.  Every page read is checked against a hash taken when the file
# was written.  Per-get samples come from the puma_get_done tracepoint on
# the borrower and puma_lender_get on the lender; the ICMP round trip
# between the guests is measured in the same run, idle (0.2 s apart) for a
# small packet and for one the size of a one-page answer, and for small
# packets 2 ms apart (TCG guests answer faster while they are busy).
# Prints a table and one JSON line:
#   {"reads_per_s_base":..., "reads_per_s_puma":..., "ratio":...,
#    "reads_per_s_base_think":..., "reads_per_s_puma_think":...,
#    "ratio_think":..., "get_p50_us":..., "get_p99_us":...,
#    "ping_us":..., "get_p50_per_ping":..., "put_drop_pct":...,
#    "verified":true}
#
# Environment: PUMA_KERNEL=6.1|6.12, PUMA_GUEST_MEM (borrower MiB, 192),
# PUMA_LENDER_MEM (MiB, 1024), PUMA_BENCH_IOPS (100), PUMA_BENCH_READS
# (measured reads per run, 3000), PUMA_BENCH_SIZE_PCT (file size in % of
# the borrower's page cache, 200), PUMA_BENCH_NAME (bench-smallget).
# A small run is the smoke test of make check: it checks bytes and that
# the figures were produced, never how fast.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
line=${PUMA_KERNEL:-6.1}
mem=${PUMA_GUEST_MEM:-192}
lmem=${PUMA_LENDER_MEM:-1024}
iops=${PUMA_BENCH_IOPS:-100}
reads=${PUMA_BENCH_READS:-3000}
pct=${PUMA_BENCH_SIZE_PCT:-200}
name=${PUMA_BENCH_NAME:-bench-smallget}
for v in "$mem" "$lmem" "$iops" "$reads" "$pct"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || { echo "bench: bad number $v" >&2; exit 2; }
done
out=$top/build/$line
log=$out/$name.log
mkdir -p "$out"

. "$top/scripts/guest-files.sh"
guest_setup "$line" "$out/$name.img" $((mem * pct / 100 + 256))
ko=$KO jobs=$JOBS

# Shared by both guests: the tracing directory, percentiles of a field.
cat >"$jobs/common.sh" <<'JOB'
. /tests/selftests/lib.sh
TR=/sys/kernel/tracing
[ -d $TR/events ] || mount -t tracefs tracefs $TR 2>/dev/null ||
	TR=/sys/kernel/debug/tracing
# trace_on EVENT: clear the buffer, record EVENT only
trace_on() {
	echo 0 >$TR/tracing_on
	echo >$TR/set_event
	echo 4096 >$TR/buffer_size_kb
	echo "puma:$1" >>$TR/set_event
	echo >$TR/trace
	echo 1 >$TR/tracing_on
}
# trace_pct FIELD P [FILTER]: the P-th percentile of FIELD=N over the
# events in the buffer whose line matches FILTER
trace_pct() {
	grep -o " ${3:-}.*" $TR/trace | grep -o " $1=[0-9]*" | cut -d= -f2 |
		sort -n | awk -v p="$2" '{ v[NR] = $1 }
			END { if (NR) print v[int((NR - 1) * p / 100) + 1]; else print "-" }'
}
trace_count() { grep -c " ${1:-}" $TR/trace || true; }
JOB

# --- the lender (guest a) ------------------------------------------------
{
	cat "$jobs/common.sh"
	cat <<'JOB'
T_NAME=bench-lender
say() { echo "bench: lender: $*"; }
insmod /puma/puma.ko
max=$(( $(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo) * 3 / 4 ))
pumactl lender listen $PAIR_A:7777 --max-memory ${max}M || say "cannot listen"
pair_recv 7100 1800 >/dev/null	# the borrower starts its measured reads
trace_on puma_lender_get
pair_recv 7100 1800 >/dev/null	# done
echo "table: lender, one-page GETs: $(trace_count 'pages=1 ') answered," \
	"store p50 $(trace_pct store_us 50 'pages=1 ') us," \
	"send p50 $(trace_pct send_us 50 'pages=1 ') us," \
	"p99 $(trace_pct send_us 99 'pages=1 ') us"
pumactl lender stop >/dev/null 2>&1
rmmod puma
JOB
} >"$jobs/lender.sh"

# --- the borrower (guest b) ----------------------------------------------
{
	cat "$jobs/common.sh"
	echo "PCT=$pct READS=$reads IOPS=$iops GMEM=$mem LMEM=$lmem"
	cat <<'JOB'
T_NAME=bench
L=$PAIR_A:7777
F=/mnt/bench/data
TAB=/tmp/data.tab
say() { echo "bench: $*"; }
row() { printf 'table: %-40s %12s %12s %8s\n' "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
VERIFIED=true

# reads SEED THINK_US: the measured random 4 KiB reads; sets RPS, P50, P99
reads() {
	_l=$(pumaio pass $F $TAB --chunk 4 --seed "$1" --reads $READS \
		--think-us "$2" 2>/tmp/pass.err) || VERIFIED=false
	[ "$(kv bad_pages "$_l")" = 0 ] || VERIFIED=false
	RPS=$(awk -v n="$(kv chunks "$_l")" -v s="$(kv seconds "$_l")" \
		'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')
	P50=$(kv read_p50_us "$_l")
	P99=$(kv read_p99_us "$_l")
	say "  reads (seed $1, think $2 us): $RPS reads/s, p50 $P50 us, p99 $P99 us, bad pages $(kv bad_pages "$_l")"
}
warm() {
	_l=$(pumaio pass $F $TAB --seed 1 2>/tmp/pass.err) || VERIFIED=false
	say "  warm-up: $(kv seconds "$_l") s, bad pages $(kv bad_pages "$_l")"
}

mkdir -p /mnt/bench
mount -t ext4 /dev/vda /mnt/bench
avail=$(mem_avail_mib)
size=$((avail * PCT / 100))
say "borrower: Linux $(uname -r), $GMEM MiB, $avail MiB for the page cache; file $size MiB; disk $IOPS IOPS"
pumaio mkfile $F $size $TAB || VERIFIED=false
sync
echo 3 >/proc/sys/vm/drop_caches
say "baseline: module not loaded"
warm
reads 11 0
B0=$RPS BP50=$P50 BP99=$P99
reads 12 1000
B1=$RPS

echo 3 >/proc/sys/vm/drop_caches
insmod /puma/puma.ko
puma_add_lender $L 180 || say "cannot pair with $L"
sleep 1
ping1=$(ping -c 20 -i 0.2 -q $PAIR_A 2>/dev/null | awk -F/ '/min\/avg/ { printf "%.0f", $4 * 1000 }')
ping2=$(ping -c 20 -i 0.2 -s 4200 -q $PAIR_A 2>/dev/null | awk -F/ '/min\/avg/ { printf "%.0f", $4 * 1000 }')
ping3=$(ping -c 200 -i 0.002 -q $PAIR_A 2>/dev/null | awk -F/ '/min\/avg/ { printf "%.0f", $4 * 1000 }')
say "PUMA: paired; ICMP ping avg ${ping1:-?} us (56 B), ${ping2:-?} us (4200 B), ${ping3:-?} us (56 B, 2 ms apart)"
stats_snap puts puts_dropped_staging_full puts_dropped_nomem
warm
puma_wait_drained 120 >/dev/null || say "puts still in flight after 120 s"
puts=$(stats_delta puts)
drop=$(( $(stats_delta puts_dropped_staging_full) + $(stats_delta puts_dropped_nomem) ))
droppct=$(awk -v d="$drop" -v p="$puts" 'BEGIN { printf "%.1f", (p > 0 ? 100 * d / p : 0) }')
pair_send $PAIR_A 7100 go 30 >/dev/null
stats_snap get_pages get_hits get_requests get_tag_mismatches
trace_on puma_get_done
reads 11 0
P0=$RPS PP50=$P50 PP99=$P99
g50=$(trace_pct rtt_us 50 'pages=1 ')
g99=$(trace_pct rtt_us 99 'pages=1 ')
a50=$(trace_pct answer_us 50 'pages=1 ')
s50=$(trace_pct send_us 50 'pages=1 ')
n1=$(trace_count 'pages=1 ')
nall=$(trace_count 'pages=')
gall50=$(trace_pct rtt_us 50)
reads 12 1000
P1=$RPS
gets=$(stats_delta get_pages)
hits=$(stats_delta get_hits)
mism=$(stats_delta get_tag_mismatches)
pair_send $PAIR_A 7100 done 30 >/dev/null
sleep 1

echo "table:"
echo "table: PUMA small gets: Linux $(uname -r); borrower $GMEM MiB, lender $LMEM MiB; disk $IOPS IOPS"
echo "table:   file $size MiB, $READS random 4 KiB reads per run, one at a time"
echo "table:"
row "" baseline PUMA ratio
row "reads per second, no think time" "$B0" "$P0" "$(ratio "$P0" "$B0")"
row "reads per second, 1 ms between reads" "$B1" "$P1" "$(ratio "$P1" "$B1")"
row "read time p50 / p99, no think (us)" "$BP50/$BP99" "$PP50/$PP99" ""
row "ICMP ping, 56 B / 4200 B, 0.2 s apart (us)" "" "${ping1:-?}/${ping2:-?}" ""
row "ICMP ping, 56 B, 2 ms apart (us)" "" "${ping3:-?}" ""
row "one-page GETs, no think (of all GETs)" "" "$n1/$nall" ""
row "one-page GET round trip p50 / p99 (us)" "" "$g50/$g99" ""
row "  of it: send p50, answer arrived p50 (us)" "" "$s50/$a50" ""
row "GET round trip p50, all GETs (us)" "" "$gall50" ""
row "page-cache misses (gets), hits" "" "$gets/$hits" ""
row "tag mismatches" "" "$mism" ""
row "warm-up puts dropped (%)" "" "$droppct" ""
echo "table:"
per=$(ratio "${g50:-0}" "${ping1:-0}")
echo "JSON: {\"reads_per_s_base\":$B0, \"reads_per_s_puma\":$P0, \"ratio\":$(ratio "$P0" "$B0"), \"reads_per_s_base_think\":$B1, \"reads_per_s_puma_think\":$P1, \"ratio_think\":$(ratio "$P1" "$B1"), \"get_p50_us\":${g50:-0}, \"get_p99_us\":${g99:-0}, \"ping_us\":${ping1:-0}, \"get_p50_per_ping\":$per, \"put_drop_pct\":$droppct, \"hits\":$hits, \"verified\":$VERIFIED}"
pumactl borrower remove-lender $L >/dev/null 2>&1
umount /mnt/bench
rmmod puma
[ "$VERIFIED" = true ]
JOB
} >"$jobs/borrower.sh"

echo "bench: $name, Debian $line kernel; full output in $log"
set +e
bash "$top/scripts/vm.sh" pair --kernel "$line" --name "$name" --timeout 1800 \
	--mem-a "$lmem" --mem-b "$mem" \
	--disk-b "$out/$name.img,iops=$iops" \
	--add "$ko:/puma/puma.ko" "${GUEST_ADDS[@]}" \
	--job-a "$jobs/lender.sh" --job-b "$jobs/borrower.sh" 2>&1 |
	tee "$log" | sed -un -e 's/^\[[ab]\] \(bench: .*\)/\1/p' \
		-e 's/^\(\[[ab]\] \)\{0,1\}\(vm: .*\)/\2/p'
st=$?
set -e
guest_result "$log" "$st" bench
