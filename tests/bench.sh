#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot the rig (Bochs, 1 CPU, Debian's stock cloud kernel,
# one tick per instruction) and run `vmxlab bench` twice there with the L1D
# flush off (tests/guest/lane-bench.sh), then `vmxlab bench --compare`
# against KVM in the same boot; prints the tables, and fails if the two
# runs' medians differ or a run failed. Installs what it needs. The
# serial log is kept in results-bench/bench.serial, the runs' JSON is
# printed there too.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results=$root/results-bench
# shellcheck source=tests/host-lib.sh
. "$root/tests/host-lib.sh"

rm -rf "$results"
mkdir -p "$results/build"
stock_rig_build bench
mk_initramfs stock $(stock_kvm_modules) >/dev/null

echo "booting Bochs (emulated VMX, 1 CPU); the kernel boot takes ~20 s ..."
"$root/tests/rig/boot-bochs.sh" --kernel "$STOCK_VMLINUZ" \
	--initrd "$results/stock.cpio.zst" --log "$results/bench" --cpus 1 \
	--append "vmxlab_lane=bench cryptomgr.notests" --timeout 900 \
	>"$results/boot.log" 2>&1 &
boot=$!
touch "$results/bench.serial"
tail -n +1 -f --pid=$boot "$results/bench.serial" 2>/dev/null |
	tr -d '\r' | sed -n '/^=== vmxlab bench/,/^=== end of bench/p'
wait $boot || true
tr -d '\r' <"$results/bench.serial" | grep -qx "bench: the medians of both runs are the same"
