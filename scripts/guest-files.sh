# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts that boot guests (selftests.sh, demo.sh,
# bench-smallget.sh): builds pumactl and the test helpers on the host and
# sets GUEST_ADDS, the vm.sh --add options that put them, and the tests'
# shell library, in a guest.  Needs $top, the source tree.

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
