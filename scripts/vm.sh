#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot PUMA's test guests under QEMU.  Each guest boots a Debian kernel with
# the initramfs of scripts/mkinitramfs.sh, runs one job script and powers
# off.  The job's output travels on its own serial line (ttyS1) and is
# streamed to our stdout; kernel messages go to a console log.  Every guest
# runs under a hard timeout.  The only network a guest may have is a
# point-to-point link to another guest through a socket on 127.0.0.1: a
# TCP socket netdev, its QEMU sockets set TCP_NODELAY by qemu-nodelay.so
# (QEMU's own leaves Nagle on, and replies that span several frames wait
# about 40 ms in the host stream for a delayed ACK: ICMP ping -s 60000
# between two 6.1 guests, 43.4 ms on average without, 8.5 ms with), or a
# UDP socket netdev, one datagram per frame.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PUMA_CACHE=${PUMA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/puma}
VMDIR=$PUMA_CACHE/vm
SELF=$HERE/${BASH_SOURCE[0]##*/}

usage() {
	cat <<EOF
Usage: ${0##*/} run --kernel 6.1|6.12 [options] -- SCRIPT_FILE|COMMAND...
       ${0##*/} pair --kernel 6.1|6.12 --job-a FILE --job-b FILE [options]
       ${0##*/} shell --kernel 6.1|6.12 [--mem MIB] [--disk ...] [--add ...]

run: boot one guest, run the job, stream its output to stdout and exit
with its status (124: timed out, 125: guest died without an exit status).
  --mem MIB              guest memory (256)
  --cpus N               guest CPUs (1)
  --disk FILE[,iops=N][,bps=N]
                         raw image as the next /dev/vdX, optionally throttled
  --net listen:PORT|connect:PORT|udp:PORT:PEER_PORT --ip ADDR/PREFIX
                         virtio-net link to another guest via 127.0.0.1: a
                         TCP socket netdev on PORT, or a UDP one sending
                         from PORT to PEER_PORT
  --add SRC:DEST         extra file or directory in the guest
  --fio                  put fio in the guest (needs --mem 512 or more)
  --timeout SEC          kill the guest after SEC seconds (120)
  --log FILE             console log (\$PUMA_CACHE/vm/NAME.console.log)
  --name NAME            guest name (guest)

pair: two guests on one link, a at 169.254.77.1/24, b at 169.254.77.2/24,
over a TCP socket netdev, a listening, with TCP_NODELAY (PUMA_VM_NET=udp:
a UDP socket netdev); outputs
prefixed "[a] " and "[b] "; exits with a's status, or b's if a succeeded.  Options --mem-a/--mem-b, --disk-a/--disk-b, --add,
--cpus, --fio, --timeout, --name (prefix, default pair).

shell: boot with an interactive shell on this terminal (Ctrl-A x quits).

PUMA_VM_LOGLEVEL (4): the guests' console loglevel; 8 shows the
backtraces of soft lockups and stalls.  PUMA_VM_CMDLINE: kernel parameters
added to the guests' command line (softlockup_all_cpu_backtrace=1).
PUMA_VM_TCG_THREAD (single with --cpus > 1): TCG's thread=single|multi.
EOF
}

say() { echo "vm: $*" >&2; }
die() { say "$*"; exit 2; }

# --- options ---------------------------------------------------------------

KLINE='' MEM=256 CPUS=1 NET='' IP='' MTU='' TIMEOUT=120 LOG='' NAME=guest FIO=0
DISKS=() ADDS=() JOB=()

parse_run_opts() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--) shift; JOB=("$@"); return ;;
		--fio) FIO=1; shift; continue ;;
		-h | --help) usage; exit 0 ;;
		esac
		[ $# -ge 2 ] || die "$1 needs a value"
		case "$1" in
		--kernel) KLINE=$2 ;;
		--mem) MEM=$2 ;;
		--cpus) CPUS=$2 ;;
		--disk) DISKS+=("$2") ;;
		--net) NET=$2 ;;
		--ip) IP=$2 ;;
		--add) ADDS+=("$2") ;;
		--timeout) TIMEOUT=$2 ;;
		--log) LOG=$2 ;;
		--name) NAME=$2 ;;
		*) die "unknown option $1" ;;
		esac
		shift 2
	done
}

check_opts() {
	case "$KLINE" in 6.1 | 6.12) ;; *) die "--kernel 6.1|6.12 is required" ;; esac
	[[ $MEM =~ ^[0-9]+$ && $CPUS =~ ^[0-9]+$ && $TIMEOUT =~ ^[0-9]+$ ]] ||
		die "--mem, --cpus and --timeout take numbers"
	[[ $NAME =~ ^[A-Za-z0-9._-]+$ ]] || die "bad --name $NAME"
	[ -z "$NET" ] || [[ $NET =~ ^((listen|connect):[0-9]+|udp:[0-9]+:[0-9]+)$ ]] ||
		die "--net wants listen:PORT, connect:PORT or udp:PORT:PEER_PORT"
	[ -z "$NET" ] || [[ $IP =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$ ]] ||
		die "--net needs --ip ADDR/PREFIX"
	[ -n "$NET" ] || [ -z "$IP" ] || die "--ip needs --net"
	# A UDP datagram carries at most 65507 bytes, and a loopback socket's
	# default receive buffer only a few of them: 9000 over UDP.
	MTU=${PUMA_VM_MTU:-65000}
	[ "${NET%%:*}" != udp ] || MTU=${PUMA_VM_MTU:-9000}
	[[ $MTU =~ ^[0-9]+$ ]] && [ "$MTU" -ge 576 ] && [ "$MTU" -le 65493 ] ||
		die "PUMA_VM_MTU wants 576 to 65493"
	[ "$FIO" = 0 ] || [ "$MEM" -ge 512 ] || say "--fio needs --mem 512 or more"
	LOG=${LOG:-$VMDIR/$NAME.console.log}
}

# --- qemu arguments --------------------------------------------------------

accel_args() {
	local a="tcg (no usable kvm)"
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		a=kvm
		QEMU+=(-cpu host)
	fi
	# Multi-threaded TCG (one host thread per vCPU, QEMU 7.2) can leave a
	# vCPU executing an old translation of code another vCPU patched: an
	# int3 that ftrace wrote and removed traps forever at the function's
	# entry while the patching CPU waits for it in text_poke_sync().
	# Seen with the kernel's own function tracer and no module loaded
	# (toggled on __filemap_remove_folio under drop_caches: hung at round
	# 6 of 60; single-threaded, all 60 rounds in 88 s).  So guests of more
	# than one vCPU run their vCPUs on one host thread.
	local thread=${PUMA_VM_TCG_THREAD:-}
	if [ "$a" = kvm ]; then
		QEMU+=(-accel kvm)
	else
		[ -n "$thread" ] || [ "$CPUS" -le 1 ] || thread=single
		QEMU+=(-accel "tcg${thread:+,thread=$thread}")
	fi
	[ -n "${PUMA_VM_ACCEL_SAID:-}" ] || say "accelerator: $a"
}

disk_args() {
	local i=0 spec file opt drive
	for spec in "${DISKS[@]}"; do
		file=${spec%%,*}
		[ -f "$file" ] || die "no disk image $file"
		drive="file=${file//,/,,},if=none,id=d$i,format=raw,cache=writeback"
		IFS=, read -ra opts <<<"${spec#"$file"}"
		for opt in "${opts[@]}"; do
			case "$opt" in
			'') ;;
			iops=[0-9]*) drive+=",throttling.iops-total=${opt#iops=}" ;;
			bps=[0-9]*) drive+=",throttling.bps-total=${opt#bps=}" ;;
			*) die "unknown disk option $opt" ;;
			esac
		done
		QEMU+=(-drive "$drive" -device "virtio-blk-pci,drive=d$i")
		i=$((i + 1))
	done
}

# wait_listen PORT: until something listens on 127.0.0.1:PORT (30 s)
wait_listen() {
	local i
	for ((i = 0; i < 300; i++)); do
		ss -Hltn "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	die "nobody listens on 127.0.0.1:$1 after 30 s"
}

# nodelay_lib: qemu-nodelay.so (scripts/qemu-nodelay.c), built once into
# $VMDIR; a TCP socket netdev without it stalls replies of several frames
nodelay_lib() {
	local so=$VMDIR/qemu-nodelay.so src=$HERE/qemu-nodelay.c

	# PUMA_VM_NODELAY=0: QEMU's own sockets, as they are
	[ "${PUMA_VM_NODELAY:-1}" != 0 ] || return 0
	mkdir -p "$VMDIR"
	if [ ! -s "$so" ] || [ "$src" -nt "$so" ]; then
		gcc -shared -fPIC -O2 -o "$so.$$" "$src" -ldl &&
			mv -f "$so.$$" "$so" || die "cannot build $so"
	fi
	echo "$so"
}

net_args() {
	local mode=${NET%%:*} port=${NET#*:} o1 o2 o3 o4
	if [ -z "$NET" ]; then
		QEMU+=(-nic none)
		return
	fi
	IFS=./ read -r o1 o2 o3 o4 _ <<<"$IP"
	case "$mode" in
	udp) QEMU+=(-netdev "socket,id=n0,udp=127.0.0.1:${port#*:},localaddr=127.0.0.1:${port%%:*}") ;;
	listen) QEMU=(env "LD_PRELOAD=$(nodelay_lib)" "${QEMU[@]}"
		      -netdev "socket,id=n0,listen=127.0.0.1:$port") ;;
	*) wait_listen "$port"
	   QEMU=(env "LD_PRELOAD=$(nodelay_lib)" "${QEMU[@]}"
		 -netdev "socket,id=n0,connect=127.0.0.1:$port") ;;
	esac
	QEMU+=(
	       -device "virtio-net-pci,netdev=n0,mac=$(printf '52:54:%02x:%02x:%02x:%02x' "$o1" "$o2" "$o3" "$o4")")
	CMDLINE+=" pumavm.ip=$IP pumavm.mtu=$MTU"
}

# kernel_image: the kernel to boot.  QEMU boots an uncompressed vmlinux
# through its PVH entry point, which skips the kernel's self-decompression
# (2.5 s of a TCG boot for 6.1's xz).  Extracted once into $VMDIR.
kernel_image() {
	local z out
	z=$(echo "$(bash "$HERE/deps.sh" --print-kernel "$KLINE")"/boot/vmlinuz-*)
	out=$VMDIR/vmlinux-${z##*/vmlinuz-}
	[ -s "$out" ] || extract_vmlinux "$z" "$out" || out=$z
	echo "$out"
}

# extract_vmlinux VMLINUZ OUT: unpack the xz or zstd payload, if an ELF
extract_vmlinux() {
	local m off
	for m in '\xfd7zXZ\x00 xz' '\x28\xb5\x2f\xfd zstd'; do
		off=$(LC_ALL=C grep -obUaP "${m% *}" "$1" | head -1 | cut -d: -f1 || true)
		[ -n "$off" ] || continue
		tail -c +$((off + 1)) "$1" | ${m#* } -dcq >"$2.$$" 2>/dev/null || true
		if [ "$(head -c 4 "$2.$$" | od -An -c | tr -d ' ')" = 177ELF ]; then
			mv "$2.$$" "$2"
			return 0
		fi
	done
	rm -f "$2.$$"
	return 1
}

# base_args INITRD: QEMU and CMDLINE common to run and shell
base_args() {
	QEMU=(qemu-system-x86_64 -nodefaults -no-user-config -display none
	      -no-reboot -m "$MEM" -smp "$CPUS"
	      -kernel "$(kernel_image)" -initrd "$1")
	CMDLINE="console=ttyS0 panic=-1 quiet loglevel=${PUMA_VM_LOGLEVEL:-4} pumavm.name=$NAME"
	# Extra kernel parameters, for debugging (softlockup_all_cpu_backtrace=1)
	CMDLINE+=${PUMA_VM_CMDLINE:+ $PUMA_VM_CMDLINE}
	accel_args
	disk_args
}

# build_initrd OUT [DIR/job.sh]: the initramfs, with /job.sh appended
build_initrd() {
	local a args=()
	for a in "${ADDS[@]}"; do args+=(--add "$a"); done
	[ "$FIO" = 0 ] || args+=(--fio)
	bash "$HERE/mkinitramfs.sh" "$KLINE" "$1" "${args[@]}"
	[ $# -ge 2 ] || return 0
	(cd "$(dirname "$2")" && echo job.sh | cpio -o -H newc -R 0:0 --quiet) |
		gzip -n >>"$1"
}

# --- run -------------------------------------------------------------------

TMP='' QPID='' RFD=''
SIDES=()
cleanup() {
	local p
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	for p in "${SIDES[@]}"; do kill -- "-$p" 2>/dev/null || true; done
	[ -z "$RFD" ] || exec {RFD}>&-
	wait 2>/dev/null || true
	[ -z "$TMP" ] || rm -rf "$TMP"
}

make_tmp() {
	mkdir -p "$VMDIR"
	TMP=$(mktemp -d "$VMDIR/tmp.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

# filter_results STATUS_FILE: copy the results channel to stdout, keeping
# the PUMA-EXIT line's status for us
filter_results() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		if [[ $line =~ ^(.*)PUMA-EXIT\ ([0-9]+)$ ]]; then
			[ -z "${BASH_REMATCH[1]}" ] || printf '%s\n' "${BASH_REMATCH[1]}"
			echo "${BASH_REMATCH[2]}" >"$1"
		else
			printf '%s\n' "$line"
		fi
	done
}

job_file() {
	[ ${#JOB[@]} -gt 0 ] || die "no job given after --"
	if [ ${#JOB[@]} -eq 1 ] && [ -f "${JOB[0]}" ]; then
		cp "${JOB[0]}" "$TMP/job.sh"
	else
		printf '%s\n' "${JOB[*]}" >"$TMP/job.sh"
	fi
}

cmd_run() {
	local rc=0
	parse_run_opts "$@"
	check_opts
	make_tmp
	job_file
	build_initrd "$TMP/initrd" "$TMP/job.sh"
	base_args "$TMP/initrd"
	net_args
	mkdir -p "$(dirname "$LOG")"
	mkfifo "$TMP/results"
	exec {RFD}<>"$TMP/results"	# keeps the fifo open for qemu and reader
	filter_results "$TMP/status" <"$TMP/results" {RFD}>&- &
	timeout --kill-after=5 "$TIMEOUT" "${QEMU[@]}" -append "$CMDLINE" \
		-serial "file:$LOG" -serial "file:$TMP/results" \
		</dev/null {RFD}>&- &
	QPID=$!
	SECONDS=0
	wait "$QPID" || rc=$?
	QPID=
	exec {RFD}>&-
	RFD=
	wait
	# 137: qemu ignored timeout's TERM and got its KILL
	if [ $rc = 124 ] || { [ $rc = 137 ] && [ $SECONDS -ge "$TIMEOUT" ]; }; then
		say "guest $NAME timed out after $TIMEOUT s"
		exit 124
	fi
	if [ ! -s "$TMP/status" ]; then
		say "guest $NAME ended without PUMA-EXIT (qemu status $rc); console tail:"
		tail -n 40 "$LOG" >&2
		exit 125
	fi
	exit "$(cat "$TMP/status")"
}

# --- pair ------------------------------------------------------------------

free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 20001))
		ss -Hltun "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	die "no free port in 20000-40000"
}

# side a|b ARGS...: one guest of the pair, prefixed, status in $TMP/rc-X
side() {
	local s=$1
	shift
	{ "$SELF" run "$@" 2>&1 || echo $? >"$TMP/rc-$s"; } | sed -u "s/^/[$s] /"
}

cmd_pair() {
	local common=() a=() b=() mema=256 memb=256 joba='' jobb='' port port2 neta netb name=pair rca rcb
	while [ $# -gt 0 ]; do
		case "$1" in
		--fio) common+=("$1"); shift; continue ;;
		-h | --help) usage; exit 0 ;;
		esac
		[ $# -ge 2 ] || die "$1 needs a value"
		case "$1" in
		--kernel | --add | --timeout | --cpus) common+=("$1" "$2") ;;
		--mem-a) mema=$2 ;;
		--mem-b) memb=$2 ;;
		--disk-a) a+=(--disk "$2") ;;
		--disk-b) b+=(--disk "$2") ;;
		--job-a) joba=$2 ;;
		--job-b) jobb=$2 ;;
		--name) name=$2 ;;
		*) die "unknown option $1" ;;
		esac
		shift 2
	done
	[ -f "$joba" ] || die "--job-a needs a file"
	[ -f "$jobb" ] || die "--job-b needs a file"
	make_tmp
	port=$(free_port)
	neta="listen:$port" netb="connect:$port"
	if [ "${PUMA_VM_NET:-tcp}" = udp ]; then
		port2=$(free_port)
		while [ "$port2" = "$port" ]; do port2=$(free_port); done
		neta="udp:$port:$port2" netb="udp:$port2:$port"
	fi
	accel_args >/dev/null
	nodelay_lib >/dev/null
	export PUMA_VM_ACCEL_SAID=1
	set -m	# each side in its own process group, for cleanup to kill
	side a "${common[@]}" "${a[@]}" --mem "$mema" --name "$name-a" \
		--net "$neta" --ip 169.254.77.1/24 -- "$joba" &
	SIDES+=($!)
	side b "${common[@]}" "${b[@]}" --mem "$memb" --name "$name-b" \
		--net "$netb" --ip 169.254.77.2/24 -- "$jobb" &
	SIDES+=($!)
	wait
	SIDES=()
	rca=$(cat "$TMP/rc-a" 2>/dev/null || echo 0)
	rcb=$(cat "$TMP/rc-b" 2>/dev/null || echo 0)
	[ "$rca" != 0 ] && exit "$rca"
	exit "$rcb"
}

# --- shell -----------------------------------------------------------------

cmd_shell() {
	parse_run_opts "$@"
	check_opts
	make_tmp
	build_initrd "$TMP/initrd"
	base_args "$TMP/initrd"
	CMDLINE+=" pumavm.shell=1"
	# the kernel hands TERM=... to init; keep ours if the guest knows it
	local t=${TERM:-}
	if [ -n "$t" ] && [ -e "/lib/terminfo/${t:0:1}/$t" ]; then
		CMDLINE+=" TERM=$t"
	fi
	"${QEMU[@]}" -nic none -append "$CMDLINE" -serial mon:stdio || true
}

main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case "$cmd" in
	run) cmd_run "$@" ;;
	pair) cmd_pair "$@" ;;
	shell) cmd_shell "$@" ;;
	-h | --help | help) usage ;;
	*) usage >&2; exit 2 ;;
	esac
}

main "$@"
