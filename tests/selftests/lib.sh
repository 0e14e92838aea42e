# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers for PUMA's selftests.  Sourced by each test, which runs inside
# a guest (/bin/sh is bash in POSIX mode, busybox provides the tools) with the module at $PUMA_KO, pumactl on PATH, and
# a scratch ext4 disk at $PUMA_DISK.  Results are TAP 13 lines with a plan
# at the end; a test exits non-zero when any check failed.

PUMA_KO=${PUMA_KO:-/puma/puma.ko}
PUMA_DISK=${PUMA_DISK:-/dev/vda}
PUMA_SYS=/sys/kernel/puma
MNT=${MNT:-/mnt/t}

T_NAME=${T_NAME:-$(basename "$0" .sh)}
T_NUM=0
T_FAIL=0

ok() {
	T_NUM=$((T_NUM + 1))
	echo "ok $T_NUM - $T_NAME: $*"
}

not_ok() {
	T_NUM=$((T_NUM + 1))
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_NUM - $T_NAME: $*"
}

diag() {
	echo "# $T_NAME: $*"
}

# check DESCRIPTION COMMAND...: one TAP line for the command's status
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_ge DESCRIPTION VALUE MIN
check_ge() {
	if [ "$2" -ge "$3" ]; then
		ok "$1 ($2 >= $3)"
	else
		not_ok "$1 ($2 < $3)"
	fi
}

# check_eq DESCRIPTION VALUE EXPECTED
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1 ($2)"
	else
		not_ok "$1 (got '$2', expected '$3')"
	fi
}

done_testing() {
	echo "1..$T_NUM"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

stat_get() {
	cat "$PUMA_SYS/stats/$1"
}

puma_load() {
	lsmod | grep -q '^puma ' || insmod "$PUMA_KO" "$@"
}

puma_unload() {
	if lsmod | grep -q '^puma '; then rmmod puma; fi
}

drop_caches() {
	sync
	echo 1 >/proc/sys/vm/drop_caches
}

# Mount the scratch disk, making the filesystem on first use.
scratch_mount() {
	mkdir -p "$MNT"
	mountpoint -q "$MNT" && return 0
	mount -t ext4 "$PUMA_DISK" "$MNT"
}

scratch_umount() {
	if mountpoint -q "$MNT"; then umount "$MNT"; fi
}

# The kernel log must hold no sign of a kernel bug.
DMESG_BAD='BUG:|WARNING:|Oops|general protection|Call Trace|lockdep|possible circular|possible recursive|INFO: task .* blocked|rcu_sched self-detected|RCU stall|kernel panic|list_add corruption|list_del corruption|refcount_t:|KASAN|UBSAN'

check_dmesg_clean() {
	bad=$(dmesg | grep -E "$DMESG_BAD" | head -5)
	if [ -z "$bad" ]; then
		ok "kernel log clean $1"
	else
		not_ok "kernel log clean $1"
		echo "$bad" | sed 's/^/#   /'
	fi
}
