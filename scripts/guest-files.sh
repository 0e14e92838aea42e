# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts that boot guests (selftests.sh, demo.sh,
# bench-smallget.sh): builds pumactl and the test helpers on the host and
# sets GUEST_ADDS, the vm.sh --add options that put them, and the tests'
# shell library, in a guest.  Needs $top, the source tree.  The two-guest
# benchmarks (demo.sh, bench-smallget.sh) also share guest_setup and
# guest_result.

# guest_files: build; set GUEST_ADDS; non-zero when a build failed
guest_files() {
	local helpers=$top/build/helpers h

	make -s -C "$top/tools/pumactl" >&2 || return 1
	make -s -C "$top/tests/selftests/helpers" O="$helpers" >&2 || return 1
	GUEST_ADDS=(--add "$top/tools/pumactl/pumactl:/usr/bin/pumactl"
		    --add "$top/tests/selftests:/tests/selftests")
	for h in "$top"/tests/selftests/helpers/*.c; do
		h=$(basename "$h" .c)
		GUEST_ADDS+=(--add "$helpers/$h:/usr/bin/$h")
	done
}

# guest_setup LINE IMAGE MIB [FS]: guest_files, the module for LINE (KO)
# and a fresh IMAGE of MIB MiB holding FS (default ext4); JOBS, a
# directory for the guests' jobs, removed on exit
guest_setup() {
	guest_files
	KO=$(bash "$top/scripts/build-module.sh" "$1" | tail -1)
	bash "$top/scripts/mkdisk.sh" "$2" "$3" --fs "${4:-ext4}"
	JOBS=$(mktemp -d)
	trap 'rm -rf "$JOBS"' EXIT
}

# guest_result LOG STATUS WHO: print the borrower's table and its JSON
# line from LOG; the exit status: 1 without a JSON line or when it says
# a byte was wrong, else STATUS (vm.sh's)
guest_result() {
	local json

	sed -n 's/^\[[ab]\] table: \{0,1\}//p' "$1"
	json=$(sed -n 's/^\[b\] JSON: //p' "$1" | tail -1)
	if [ -z "$json" ]; then
		echo "$3: the borrower gave no result (status $2); see $1" >&2
		return 1
	fi
	echo "$json"
	case "$json" in *'"verified":true'*) ;; *) return 1 ;; esac
	return "$2"
}
