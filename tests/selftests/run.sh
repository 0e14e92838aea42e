#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run PUMA's selftests inside a guest: every NN-*.sh next to this file, in
# order, or those named on the command line.  Prints TAP; exits non-zero
# when any test failed.
dir=$(dirname "$0")
fail=0
tests=$*
[ -n "$tests" ] || tests=$(ls "$dir"/[0-9][0-9]-*.sh)
echo "TAP version 13"
up() { cut -d' ' -f1 /proc/uptime; }
for t in $tests; do
	echo "# running $(basename "$t")"
	t0=$(up)
	T_NAME=$(basename "$t" .sh | sed 's/^[0-9]*-//') sh "$t" || fail=1
	echo "# $(basename "$t") took $(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.0f", b - a }') s"
done
exit $fail
