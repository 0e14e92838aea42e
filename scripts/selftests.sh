#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run tests/selftests in QEMU guests booting Debian's own kernels, one guest
# per kernel line, with puma.ko built against that kernel's headers.
#
# Usage: scripts/selftests.sh [TEST...]     (default: all, on 6.1 and 6.12)
#   TEST is a one-guest test (70-loopback.sh), its variant on another
#   filesystem (70-loopback.sh@xfs), "pair/NAME" for the two-guest test
#   tests/selftests/pair/NAME, or "pair" for every two-guest test.
#   Naming only one-guest tests runs no pair test, and the other way round.
#   With no TEST, the xfs variants (below) run on the kernel lines of
#   PUMA_XFS_KERNELS (default 6.1; every line with PUMA_CHECK_FULL=1).
# Environment: PUMA_KERNELS="6.1 6.12", PUMA_GUEST_MEM=256 (MiB),
# PUMA_GUEST_CPUS=1 (the one-guest tests' vCPUs)
# Prints every TAP line prefixed with the kernel line, then
# "selftests: N passed, M failed".
#
# A pair test may have a vm.conf next to its a.sh and b.sh, KEY=VALUE lines:
#   mem-a=MIB mem-b=MIB      guest memory (default PUMA_GUEST_MEM)
#   disk-a=MIB[,iops=N][,bps=N], disk-b=...
#                            a fresh ext4 scratch disk of MIB MiB as the
#                            guest's /dev/vda, optionally throttled
#   xfs-disk-b=MIB[,iops=N][,bps=N]
#                            a fresh xfs disk as b's /dev/vdb, on the
#                            kernel lines that run the xfs variants only
#   timeout=SEC              per guest (default 300)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=${PUMA_KERNELS:-6.1 6.12}
mem=${PUMA_GUEST_MEM:-256}
# vCPUs of the one-guest tests.  The hang once seen in 50-loadunload with
# two was multi-threaded TCG's, not the module's (a vCPU trapping forever
# on an int3 ftrace had already removed; scripts/vm.sh runs guests of more
# than one vCPU single-threaded since).  One by default, for make check's
# time: two make 50-loadunload half as slow again (76 s to 115 s on 6.1).
cpus=${PUMA_GUEST_CPUS:-1}
# The data-path tests that run on xfs too (large folios, ra_order), as
# variants: on one kernel line in make check, on both in make check-full.
xfs_variants="70-loopback.sh@xfs 71-consistency.sh@xfs 72-corruption.sh@xfs
	79-race-stress.sh@xfs 83-read-paths.sh@xfs"
xfs_kernels=${PUMA_XFS_KERNELS:-6.1}
[ "${PUMA_CHECK_FULL:-0}" = 0 ] || xfs_kernels=$kernels
pass=0
fail=0

# pumactl, every helper and the tests' library go in every guest.
. "$top/scripts/guest-files.sh"
guest_files || exit 1
tests=""
pairs=()
run_single=1
run_pairs=1
if [ $# -gt 0 ]; then
	run_single=0
	run_pairs=0
fi
for t in "$@"; do
	case "$t" in
	pair | pair/)
		run_pairs=1
		for d in "$top"/tests/selftests/pair/*/; do
			[ -f "$d/a.sh" ] && pairs+=("$(basename "$d")")
		done ;;
	pair/*)
		t=${t#pair/}
		t=${t%/}
		[ -f "$top/tests/selftests/pair/$t/a.sh" ] || {
			echo "selftests: no pair test $t" >&2
			exit 2
		}
		run_pairs=1
		pairs+=("$t") ;;
	*)
		run_single=1
		tests="$tests /tests/selftests/$t" ;;
	esac
done
if [ $# -eq 0 ]; then
	for d in "$top"/tests/selftests/pair/*/; do
		[ -f "$d/a.sh" ] && pairs+=("$(basename "$d")")
	done
fi

# pair_conf DIR: P_MEM_A, P_MEM_B, P_DISK_A, P_DISK_B, P_TIMEOUT from
# DIR/vm.conf, defaults otherwise
pair_conf() {
	local k v
	P_MEM_A=$mem P_MEM_B=$mem P_DISK_A='' P_DISK_B='' P_XFS_DISK_B=''
	P_TIMEOUT=300
	[ -f "$1/vm.conf" ] || return 0
	while IFS='=' read -r k v || [ -n "$k" ]; do
		v=${v%%#*}
		k=${k//[[:space:]]/} v=${v//[[:space:]]/}
		case "$k" in
		'' | '#'*) ;;
		mem-a) P_MEM_A=$v ;;
		mem-b) P_MEM_B=$v ;;
		disk-a) P_DISK_A=$v ;;
		disk-b) P_DISK_B=$v ;;
		xfs-disk-b) P_XFS_DISK_B=$v ;;
		timeout) P_TIMEOUT=$v ;;
		*) echo "selftests: $1/vm.conf: unknown key $k" >&2 ;;
		esac
	done <"$1/vm.conf"
}

# pair_disk SPEC IMAGE [MKDISK_OPTS...]: make IMAGE as SPEC (MIB[,opts])
# says, print the --disk value for it
pair_disk() {
	local size=${1%%,*} opts= img=$2
	[ "$size" = "$1" ] || opts=,${1#*,}
	shift 2
	bash "$top/scripts/mkdisk.sh" "$img" "$size" "$@" >&2 || return 1
	echo "$img$opts"
}

for line in $kernels; do
	out=$top/build/$line
	mkdir -p "$out"
	if ! ko=$(bash "$top/scripts/build-module.sh" "$line" | tail -1); then
		echo "not ok - [$line] build puma.ko"
		fail=$((fail + 1))
		continue
	fi
	if [ "$run_single" = 1 ]; then
		bash "$top/scripts/mkdisk.sh" "$out/scratch.img" 512 >&2
		# mkfs.xfs makes nothing under 300 MiB
		bash "$top/scripts/mkdisk.sh" "$out/scratch-xfs.img" 320 --fs xfs >&2
		tap=$out/selftests.tap
		variants=
		if [ $# -eq 0 ] && [[ " $xfs_kernels " == *" $line "* ]]; then
			variants="PUMA_VARIANTS='$xfs_variants' "
		fi
		bash "$top/scripts/vm.sh" run --kernel "$line" --mem "$mem" \
			--cpus "$cpus" \
			--name "selftests-$line" --timeout 1200 \
			--disk "$out/scratch.img" --disk "$out/scratch-xfs.img" \
			--add "$ko:/puma/puma.ko" \
			"${GUEST_ADDS[@]}" \
			-- "${variants}sh /tests/selftests/run.sh$tests" \
			>"$tap" 2>"$out/vm.err"
		st=$?
		sed "s/^/[$line] /" "$tap"
		n_ok=$(grep -c '^ok ' "$tap")
		n_bad=$(grep -c '^not ok ' "$tap")
		# pumactl's JSON, printed by 30-pumactl.sh, checked with a real parser.
		while read -r json; do
			if python3 -c 'import json,sys; json.loads(sys.argv[1])' "$json"; then
				echo "ok - [$line] pumactl status --json parses as JSON"
				n_ok=$((n_ok + 1))
			else
				echo "not ok - [$line] pumactl status --json parses as JSON"
				n_bad=$((n_bad + 1))
			fi
		done < <(sed -n 's/^# JSON //p' "$tap")
		if [ $st -ne 0 ] && [ "$n_bad" -eq 0 ]; then
			echo "not ok - [$line] guest run ended with status $st"
			sed "s/^/[$line] # /" "$out/vm.err" | tail -40
			n_bad=$((n_bad + 1))
		fi
		if [ "$n_ok" -eq 0 ]; then
			echo "not ok - [$line] no test ran"
			n_bad=$((n_bad + 1))
		fi
		pass=$((pass + n_ok))
		fail=$((fail + n_bad))
	fi

	# Two-guest tests: tests/selftests/pair/NAME/{a,b}.sh, linked only
	# by a QEMU socket netdev on 127.0.0.1 (a: 169.254.77.1, b: .2).
	[ "$run_pairs" = 1 ] || continue
	for name in "${pairs[@]}"; do
		dir=$top/tests/selftests/pair/$name
		ptap=$out/pair-$name.tap
		pair_conf "$dir"
		disks=()
		if [ -n "$P_DISK_A" ]; then
			d=$(pair_disk "$P_DISK_A" "$out/pair-$name-a.img") &&
				disks+=(--disk-a "$d")
		fi
		if [ -n "$P_DISK_B" ]; then
			d=$(pair_disk "$P_DISK_B" "$out/pair-$name-b.img") &&
				disks+=(--disk-b "$d")
		fi
		if [ -n "$P_XFS_DISK_B" ] &&
		   [[ " $xfs_kernels " == *" $line "* ]]; then
			d=$(pair_disk "$P_XFS_DISK_B" \
				"$out/pair-$name-b-xfs.img" --fs xfs) &&
				disks+=(--disk-b "$d")
		fi
		start=$SECONDS
		bash "$top/scripts/vm.sh" pair --kernel "$line" --mem-a "$P_MEM_A" \
			--mem-b "$P_MEM_B" --name "pair-$name-$line" \
			--timeout "$P_TIMEOUT" "${disks[@]}" \
			--add "$ko:/puma/puma.ko" \
			"${GUEST_ADDS[@]}" \
			--job-a "$dir/a.sh" --job-b "$dir/b.sh" >"$ptap" 2>&1
		st=$?
		echo "# [$line] pair $name took $((SECONDS - start)) s" >>"$ptap"
		sed "s/^/[$line] /" "$ptap"
		n_ok=$(grep -cE '^\[[ab]\] ok ' "$ptap")
		n_bad=$(grep -cE '^\[[ab]\] not ok ' "$ptap")
		if [ $st -ne 0 ] && [ "$n_bad" -eq 0 ]; then
			echo "not ok - [$line] pair $name ended with status $st"
			n_bad=1
		fi
		if [ "$n_ok" -eq 0 ]; then
			echo "not ok - [$line] pair $name ran no test"
			n_bad=$((n_bad + 1))
		fi
		pass=$((pass + n_ok))
		fail=$((fail + n_bad))
	done
done

echo "selftests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
