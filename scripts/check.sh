#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: lint, KUnit on UML, the selftests in 6.1 and 6.12 guests and
# the benchmarks' smoke test on 6.1.  make check-full (PUMA_CHECK_FULL=1)
# runs the variants on both kernel lines.
# Every stage runs even when an earlier one failed; the last line is
# "puma: N passed, M failed" and the exit status is non-zero on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
pass=0
fail=0
logdir=$top/build/check
mkdir -p "$logdir"

stage() { # name script
	local name=$1 log=$logdir/$1.log start summary p f
	shift
	start=$(date +%s)
	echo "=== $name"
	bash "$@" 2>"$log.err" | tee "$log"
	summary=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
	if [ -z "$summary" ]; then
		echo "not ok - $name did not finish (see $log.err)"
		tail -20 "$log.err" | sed 's/^/    /'
		fail=$((fail + 1))
		return
	fi
	p=$(echo "$summary" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$summary" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	pass=$((pass + p))
	fail=$((fail + f))
	echo "=== $name: $p passed, $f failed in $(( $(date +%s) - start )) s"
}

stage lint "$top/scripts/lint.sh"
stage kunit "$top/scripts/kunit.sh"
stage selftests "$top/scripts/selftests.sh"
stage bench-smoke "$top/scripts/bench-smoke.sh"

# CI shows only the tail of this output: name the failed checks here, last,
# each with the first diagnostic line under it
if [ "$fail" -gt 0 ]; then
	echo "=== failed checks"
	cat "$logdir"/lint.log "$logdir"/kunit.log "$logdir"/selftests.log \
	    "$logdir"/bench-smoke.log 2>/dev/null |
		awk '/^(\[[^]]*\] | )*not ok( |$)/ { print; want = 1; next }
		     want && /^(\[[^]]*\] )*# / { print; want = 0; next }
		     { want = 0 }' | cut -c1-200 | tail -16
fi
echo "puma: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
