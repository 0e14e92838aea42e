#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init of PUMA's test guests (see scripts/vm.sh).  Mounts the usual file
# systems, loads the modules listed in /lib/modules/puma-guest/order, sets
# up the network from the kernel command line, then runs /job.sh with its
# output on the results channel /dev/ttyS1 and a last line
# "PUMA-EXIT <status>" (after any kernel BUG/WARNING lines of dmesg, as
# "# dmesg: ..." comments), and powers off.  /dev/ttyS0 stays the console for
# kernel messages and for this script's own.
#
# Kernel command line:
#   pumavm.ip=ADDR/PREFIX  address of eth0
#   pumavm.mtu=N           its MTU (65000)
#   pumavm.name=NAME       host name
#   pumavm.shell=1         interactive shell on the console instead of a job
#
# This runs under busybox sh, where applets win over $PATH: host binaries
# (ip, tc, fio) are only reached by full path or from /bin/sh, which is
# bash.  The job and the interactive shell run under /bin/sh.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
MODDIR=/lib/modules/puma-guest
RESULTS=/dev/ttyS1

mount_all() {
	mount -t devtmpfs dev /dev
	exec </dev/console >/dev/console 2>&1
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /dev/shm
	mount -t tmpfs tmpfs /run
}

load_modules() {
	while read -r m; do
		insmod "$MODDIR/$m.ko" || echo "init: insmod $m failed"
	done <"$MODDIR/order"
}

# arg NAME: the value of NAME=... on the kernel command line
arg() {
	# shellcheck disable=SC2013 # words, not lines
	for w in $(cat /proc/cmdline); do
		case "$w" in "$1="*) echo "${w#*=}"; return 0 ;; esac
	done
	return 1
}

setup_net() {
	hostname "$(arg pumavm.name || echo puma)"
	ip link set lo up
	addr=$(arg pumavm.ip) || return 0
	# The socket netdev has no offloads (no TSO, no GRO): a 64 KiB MTU
	# gives the link the large frames a tap backend's offloads would.
	mtu=$(arg pumavm.mtu || echo 65000)
	ip link set eth0 mtu "$mtu" 2>/dev/null ||
		echo "init: cannot set eth0's MTU to $mtu"
	ip link set eth0 up && ip addr add "$addr" dev eth0 ||
		echo "init: cannot configure eth0 with $addr"
}

uptime_s() { cut -d' ' -f1 /proc/uptime; }

run_shell() {
	echo "init: booted in $(uptime_s) s; exit the shell to power off"
	echo 'PS1="\h:\w# "' >/etc/profile
	setsid cttyhack /bin/bash -l
}

run_job() {
	if [ ! -f /job.sh ]; then
		{
			echo "init: no /job.sh"
			dmesg | grep 'Initramfs unpacking failed' &&
				echo "init: the initramfs needs more than half the guest's RAM"
			echo "PUMA-EXIT 127"
		} >"$RESULTS"
		return
	fi
	stty -F "$RESULTS" raw -echo
	exec 3>"$RESULTS"
	echo "init: job starts at $(uptime_s) s"
	(cd / && /bin/sh /job.sh) </dev/null >&3 2>&3
	rc=$?
	echo "init: job ended with $rc at $(uptime_s) s"
	dmesg_check >&3
	echo "PUMA-EXIT $rc" >&3
	exec 3>&-
}

# dmesg_check: kernel complaints during the run, as TAP comments
dmesg_check() {
	dmesg | grep -E 'BUG:|WARNING:|Oops|general protection|RIP:' | head -40 |
		sed 's/^/# dmesg: /'
}

# Disks the job left mounted are unmounted, or at least made read-only,
# so that the next boot finds clean file systems.
unmount_disks() {
	umount -a -r -t ext2,ext3,ext4,xfs 2>/dev/null
	sync
}

mount_all
load_modules
setup_net
if [ "$(arg pumavm.shell)" = 1 ]; then
	run_shell
else
	run_job
fi
unmount_disks
poweroff -f
