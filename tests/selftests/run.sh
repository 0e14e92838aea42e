#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run PUMA's selftests inside a guest: every NN-*.sh next to this file, in
# order, then the variants PUMA_VARIANTS names, or the tests named on the
# command line.  A test named NN-name.sh@FS is a variant: it runs with
# PUMA_TEST_FS=FS (lib.sh mounts FS's scratch disk at $MNT) as name-FS.
# Prints TAP; exits non-zero when any test failed.
dir=$(dirname "$0")
fail=0
tests=$*
if [ -z "$tests" ]; then
	tests=$(ls "$dir"/[0-9][0-9]-*.sh)
	for v in ${PUMA_VARIANTS:-}; do
		tests="$tests $dir/$v"
	done
fi
echo "TAP version 13"
up() { cut -d' ' -f1 /proc/uptime; }
for t in $tests; do
	fs=ext4
	case "$t" in
	*@*) fs=${t##*@} t=${t%@*} ;;
	esac
	name=$(basename "$t" .sh | sed 's/^[0-9]*-//')
	label=$(basename "$t")
	if [ "$fs" != ext4 ]; then
		name=$name-$fs
		label=$label@$fs
	fi
	echo "# running $label"
	t0=$(up)
	PUMA_TEST_FS=$fs T_NAME=$name sh "$t" || fail=1
	echo "# $label took $(awk -v a="$t0" -v b="$(up)" 'BEGIN { printf "%.0f", b - a }') s"
done
exit $fail
