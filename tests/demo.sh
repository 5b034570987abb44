#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: boot an emulated Intel machine with VMX (Bochs, 2 CPUs,
# Debian's stock cloud kernel), load vmxlab and show what it does. Installs
# what it needs; takes about a minute. The whole serial log is kept in
# results-demo/demo.serial.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results=$root/results-demo
# shellcheck source=tests/host-lib.sh
. "$root/tests/host-lib.sh"

rm -rf "$results"
mkdir -p "$results/build"
stock_rig_build demo
# shellcheck disable=SC2046
mk_initramfs stock $(stock_kvm_modules) >/dev/null

echo "booting Bochs (emulated VMX, 2 CPUs); the kernel boot takes ~30 s ..."
"$root/tests/rig/boot-bochs.sh" --kernel "$STOCK_VMLINUZ" \
	--initrd "$results/stock.cpio.zst" --log "$results/demo" --cpus 2 \
	--append "vmxlab_lane=demo cryptomgr.notests" --timeout 600 \
	>"$results/boot.log" 2>&1 &
boot=$!
# Show the demo part of the serial console as it comes.
touch "$results/demo.serial"
tail -n +1 -f --pid=$boot "$results/demo.serial" 2>/dev/null |
	tr -d '\r' | sed -n '/^=== vmxlab demo/,/^=== end of demo/p'
wait $boot
