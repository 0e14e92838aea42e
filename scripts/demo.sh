#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot a Debian 6.1 guest with little memory, load PUMA, read a
# file larger than the guest's page cache twice, and show what PUMA saw:
# pages evicted by reclaim (puts), readahead batches it could serve (gets),
# invalidations.  Pages do not travel to a lender yet.
#
# Environment: PUMA_KERNEL=6.1|6.12, PUMA_GUEST_MEM (MiB, default 192)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
line=${PUMA_KERNEL:-6.1}
mem=${PUMA_GUEST_MEM:-192}
out=$top/build/$line
mkdir -p "$out"

make -s -C "$top/tools/pumactl"
ko=$(bash "$top/scripts/build-module.sh" "$line" | tail -1)
bash "$top/scripts/mkdisk.sh" "$out/demo.img" 768

job=$(mktemp)
trap 'rm -f "$job"' EXIT
cat >"$job" <<JOB
set -e
mem=\$(awk '/MemTotal/ { print int(\$2 / 1024) }' /proc/meminfo)
size=\$((mem * 2))
mkdir -p /mnt/demo
mount -t ext4 /dev/vda /mnt/demo
echo "guest: Linux \$(uname -r), \${mem} MiB of memory"
echo "writing a \${size} MiB file of random bytes (twice the page cache)"
dd if=/dev/urandom of=/mnt/demo/data bs=1M count=\$size 2>/dev/null
sync; echo 3 >/proc/sys/vm/drop_caches
insmod /puma/puma.ko
now() { awk '{ print \$1 }' /proc/uptime; }
for pass in 1 2; do
	t0=\$(now)
	cat /mnt/demo/data >/dev/null
	echo "read pass \$pass: \$(awk -v a=\$t0 -v b=\$(now) 'BEGIN { printf "%.2f", b - a }') s"
done
echo
echo "what PUMA saw (pumactl status):"
pumactl status
echo
echo "as JSON:"
pumactl status --json
umount /mnt/demo
rmmod puma
JOB
echo "demo: booting a $line guest with $mem MiB (TCG unless KVM works)"
bash "$top/scripts/vm.sh" run --kernel "$line" --mem "$mem" --name demo \
	--timeout 600 --disk "$out/demo.img" \
	--add "$ko:/puma/puma.ko" \
	--add "$top/tools/pumactl/pumactl:/usr/bin/pumactl" \
	-- "$job"
