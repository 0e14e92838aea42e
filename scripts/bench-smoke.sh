#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks' smoke test, a stage of make check: each benchmark runs
# once, small, on one kernel line (both under make check-full).  It checks
# that every byte read was right and that the figures were produced; it
# never checks how fast anything was (that is the benchmarks' own run, on
# a quiet machine).  Prints TAP lines, then "bench-smoke: N passed, M
# failed".
#
# Environment: PUMA_SMOKE_KERNELS (default 6.1; "6.1 6.12" under
# PUMA_CHECK_FULL=1).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=${PUMA_SMOKE_KERNELS:-6.1}
[ "${PUMA_CHECK_FULL:-0}" = 0 ] || kernels=${PUMA_SMOKE_KERNELS:-6.1 6.12}
pass=0
fail=0

# check NAME COND...: one TAP line
check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "not ok - $name"
		fail=$((fail + 1))
	fi
}

# num KEY JSON: the number KEY has in JSON, empty when absent
num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }
positive() { awk -v x="$1" 'BEGIN { exit !(x + 0 > 0) }'; }

for line in $kernels; do
	out=$top/build/$line
	mkdir -p "$out"
	start=$SECONDS
	json=$(PUMA_KERNEL=$line PUMA_GUEST_MEM=160 PUMA_LENDER_MEM=384 \
		PUMA_BENCH_READS=300 PUMA_BENCH_SIZE_PCT=150 \
		PUMA_BENCH_NAME=smoke-smallget \
		bash "$top/scripts/bench-smallget.sh" 2>&1 | tee "$out/smoke-smallget.out" |
		sed -n 's/^{\(.*\)}$/{\1}/p' | tail -1)
	echo "# [$line] bench-smallget: ${json:-no result} ($((SECONDS - start)) s)"
	check "[$line] bench-smallget: every byte right" \
		grep -q '"verified":true' <<<"$json"
	check "[$line] bench-smallget: reads per second, baseline and PUMA" \
		eval 'positive "$(num reads_per_s_base "$json")" &&
		      positive "$(num reads_per_s_puma "$json")"'
	check "[$line] bench-smallget: one-page GET samples and a ping" \
		eval 'positive "$(num get_p50_us "$json")" &&
		      positive "$(num ping_us "$json")" &&
		      positive "$(num hits "$json")"'
done
echo "bench-smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
