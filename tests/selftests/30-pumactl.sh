#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# pumactl against the module: version, status, --json, and the exit code
# that says the module is not loaded.
. "$(dirname "$0")/lib.sh"

puma_unload
pumactl status >/tmp/out 2>&1
check_eq "status without the module exits 3" $? 3
check "and says the module is not loaded" grep -q 'not loaded' /tmp/out

puma_load
check "version" sh -c "pumactl version > /tmp/out"
check "version names the module version" \
	grep -q "$(cat $PUMA_SYS/version)" /tmp/out
check "version names the kernel" grep -q "$(uname -r)" /tmp/out

scratch_mount
check "status" sh -c "pumactl status > /tmp/out"
check "status shows enabled" grep -qi 'enabled' /tmp/out
check "status shows puts" grep -q 'puts' /tmp/out
check "status shows the ext4 pool" grep -q 'ext4' /tmp/out

check "status --json" sh -c "pumactl status --json > /tmp/out"
check "json is one object" sh -c \
	"head -c1 /tmp/out | grep -q '{' && tail -c2 /tmp/out | grep -q '}'"
check "json has enabled" grep -q '"enabled": *true' /tmp/out
check "json has filesystems" grep -q '"filesystems": *\["ext4", *"xfs"\]' \
	/tmp/out
check "json has puts" grep -q '"puts": *[0-9]' /tmp/out
check "json has pools" grep -q '"pools": *\[' /tmp/out
# The host checks this JSON with a real parser (scripts/selftests.sh).
echo "# JSON $(tr -d '\n' </tmp/out)"
check "--json before the command" sh -c "pumactl --json status >/dev/null"

pumactl bogus >/dev/null 2>&1
check_eq "unknown command exits 2" $? 2
check "help" sh -c "pumactl --help | grep -q status"

scratch_umount
puma_unload
check_dmesg_clean "after pumactl"
done_testing
