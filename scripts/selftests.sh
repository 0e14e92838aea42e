#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run tests/selftests in QEMU guests booting Debian's own kernels, one guest
# per kernel line, with puma.ko built against that kernel's headers.
#
# Usage: scripts/selftests.sh [TEST...]     (default: all, on 6.1 and 6.12)
# Environment: PUMA_KERNELS="6.1 6.12", PUMA_GUEST_MEM=256 (MiB)
# Prints every TAP line prefixed with the kernel line, then
# "selftests: N passed, M failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernels=${PUMA_KERNELS:-6.1 6.12}
mem=${PUMA_GUEST_MEM:-256}
pass=0
fail=0

make -s -C "$top/tools/pumactl" >&2 || exit 1
tests=""
for t in "$@"; do tests="$tests /tests/selftests/$t"; done

for line in $kernels; do
	out=$top/build/$line
	mkdir -p "$out"
	if ! ko=$(bash "$top/scripts/build-module.sh" "$line" | tail -1); then
		echo "not ok - [$line] build puma.ko"
		fail=$((fail + 1))
		continue
	fi
	bash "$top/scripts/mkdisk.sh" "$out/scratch.img" 512 >&2
	tap=$out/selftests.tap
	bash "$top/scripts/vm.sh" run --kernel "$line" --mem "$mem" \
		--name "selftests-$line" --timeout 1200 \
		--disk "$out/scratch.img" \
		--add "$ko:/puma/puma.ko" \
		--add "$top/tools/pumactl/pumactl:/usr/bin/pumactl" \
		--add "$top/tests/selftests:/tests/selftests" \
		-- "sh /tests/selftests/run.sh$tests" >"$tap" 2>"$out/vm.err"
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

	# Two-guest tests: tests/selftests/pair/NAME/{a,b}.sh, linked only
	# by a QEMU socket netdev on 127.0.0.1 (a: 169.254.77.1, b: .2).
	for dir in "$top"/tests/selftests/pair/*/; do
		[ -f "$dir/a.sh" ] || continue
		[ -z "$tests" ] || continue
		name=$(basename "$dir")
		ptap=$out/pair-$name.tap
		bash "$top/scripts/vm.sh" pair --kernel "$line" --mem-a "$mem" \
			--mem-b "$mem" --name "pair-$name-$line" --timeout 300 \
			--add "$ko:/puma/puma.ko" \
			--add "$top/tools/pumactl/pumactl:/usr/bin/pumactl" \
			--add "$top/tests/selftests:/tests/selftests" \
			--job-a "$dir/a.sh" --job-b "$dir/b.sh" >"$ptap" 2>&1
		st=$?
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
