#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Lint: checkpatch.pl --strict (from Debian's linux-source-6.1) on every C
# source and header, sparse (C=2) and W=1 builds against both kernel lines.
# Prints one line per check and "lint: N passed, M failed" last.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${PUMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/puma}
cp_dir=$cache/checkpatch
pass=0
fail=0

result() { # name status logfile
	if [ "$2" -eq 0 ]; then
		echo "ok - lint: $1"
		pass=$((pass + 1))
	else
		echo "not ok - lint: $1"
		sed 's/^/    /' "$3" | head -40
		fail=$((fail + 1))
	fi
}

if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	tar -C "$cp_dir" --strip-components=1 -xJf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
fi

cd "$top"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^build/')
# shellcheck disable=SC2086
perl "$cp_dir/scripts/checkpatch.pl" --no-tree --strict --terse --show-types \
	--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES \
	-f $files >"$log" 2>&1
st=0
grep -qE '(ERROR|WARNING|CHECK):' "$log" && st=1
result "checkpatch --strict ($(echo "$files" | wc -l) files)" $st "$log"

for line in 6.1 6.12; do
	kdir=$(bash scripts/deps.sh --print-kdir "$line")
	build=$top/build/lint-$line
	mkdir -p "$build"
	rsync -a --delete "$top/Kbuild" "$top/puma" "$top/include" "$build/"
	make -C "$kdir" M="$build" W=1 C=2 modules >"$log" 2>&1
	st=$?
	# Any compiler or sparse diagnostic about our sources fails the check.
	if [ $st -eq 0 ] && grep -E "(warning|error):" "$log" |
	   grep -q "$build"; then
		st=1
	fi
	result "W=1 and sparse build for $line" $st "$log"
done

echo "lint: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
