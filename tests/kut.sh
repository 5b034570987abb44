#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-kut KUT=DIR [KUT_ENTRIES=a,b,...] [KUT_OPTS="--stats ..."]
# [KUT_TIMEOUT=SECONDS] [KUT_VERBOSE=1] [KUT_KVM=all|a,b,...]`:
# kvm-unit-tests under
# vmxlab. DIR is the suite's built x86 directory (its unittests.cfg and
# *.flat files); the suite is not part of vmxlab and is built outside this
# tree (Documentation/testing.rst, "kvm-unit-tests"). Every single-vCPU
# x86_64 entry of unittests.cfg (or the ones KUT_ENTRIES names) runs in the
# rig (Bochs, 1 CPU, Debian's stock cloud kernel) under `vmxlab run --lapic`
# as tests/guest/lane-kut.sh describes (with KUT_OPTS added to each
# `vmxlab run`, e.g. --stats or --trace to see what an entry does; with
# KUT_VERBOSE all of each run's output goes to the serial log; with KUT_KVM
# those entries run again under KVM, started by QEMU, in the same boot: a
# KVM column, and KVM's vmexit figures beside vmxlab's); the result is a table of PASS,
# FAIL, SKIP, ABORT and TIMEOUT with the suite's check counts, also kept in
# results-kut/table.txt with the whole serial log in results-kut/kut.serial.
#
# Exit status 0 when every entry ran and the host kernel logged no splat,
# whatever the entries' results; 1 otherwise. Without KUT it says what it
# needs and exits 0 without running anything.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
results=$root/results-kut

if [ -z "${KUT:-}" ]; then
	cat <<EOF
check-kut: nothing run. It needs kvm-unit-tests (https://gitlab.com/kvm-unit-tests/kvm-unit-tests,
mirrored at https://github.com/kvm-unit-tests/kvm-unit-tests) built for x86_64 outside this
tree, then: make check-kut KUT=<the suite's x86 directory>. Documentation/testing.rst says how.
EOF
	exit 0
fi
KUT=$(cd "$KUT" && pwd)
[ -f "$KUT/unittests.cfg" ] || {
	echo "check-kut: $KUT/unittests.cfg missing: KUT names the suite's built x86 directory" >&2
	exit 1
}

# shellcheck source=tests/host-lib.sh
. "$root/tests/host-lib.sh"
rm -rf "$results"
mkdir -p "$results/build" "$results/extra/kut"

# The entries: those for x86_64 (no arch, or arch = x86_64) with one vCPU
# (no smp, or smp = 1). The memory is QEMU's default (128 MiB) unless the
# entry's qemu_params say -m, and at most 1536 MiB: the rig has 2048 MB
# (Bochs's limit; above it Bochs pages guest memory to a file and the
# rig crawls), and vmxlab pins all of a guest's memory. The time-out is the suite's default (90 s)
# unless the entry sets one; KUT_TIMEOUT, like the suite's TIMEOUT, sets
# them all. Other qemu_params (-cpu ...) have no
# equivalent: a vmxlab guest sees the CPUID vmxlab gives it.
python3 - "$KUT/unittests.cfg" "${KUT_ENTRIES:-}" >"$results/extra/kut/entries" <<'EOF'
import os, re, sys
MEM_MAX = 1536
cfg, wanted = open(sys.argv[1]).read(), sys.argv[2].split(',') if sys.argv[2] else None
parts = re.split(r'^\[([^\]]+)\]\s*$', cfg, flags=re.M)
for name, body in zip(parts[1::2], parts[2::2]):
    e = {}
    for line in body.splitlines():
        line = line.strip()
        if line and not line.startswith('#') and '=' in line:
            k, v = line.split('=', 1)
            e[k.strip()] = v.strip()
    if e.get('arch', 'x86_64') != 'x86_64' or e.get('smp', '1') != '1':
        continue
    if wanted is not None and name not in wanted:
        continue
    mem = 128
    m = re.search(r'-m\s+(\d+)([gGmM]?)\b', e.get('qemu_params', ''))
    if m:
        mem = min(int(m.group(1)) * (1024 if m.group(2) in ('g', 'G') else 1), MEM_MAX)
    timeout = int(re.sub(r'[^0-9]', '', e.get('timeout', '90')) or 90)
    if os.environ.get('KUT_TIMEOUT'):
        timeout = int(os.environ['KUT_TIMEOUT'])
    args = e.get('test_args', '')
    if len(args) >= 2 and args[0] == args[-1] and args[0] in '\'"':
        args = args[1:-1]
    print(f"{name}|{e['file']}|{mem}|{timeout}|{args}")
EOF
n=$(wc -l <"$results/extra/kut/entries")
[ "$n" -gt 0 ] || {
	echo "check-kut: no single-vCPU x86_64 entry in $KUT/unittests.cfg${KUT_ENTRIES:+ named by KUT_ENTRIES}" >&2
	exit 1
}
printf '%s\n' "${KUT_OPTS:-}" >"$results/extra/kut/options"
[ -z "${KUT_VERBOSE:-}" ] || : >"$results/extra/kut/verbose"
cut -d'|' -f2 "$results/extra/kut/entries" | sort -u | while read -r f; do
	cp "$KUT/$f" "$results/extra/kut/" || exit 1
done
total=$(awk -F'|' '{ t += $4 } END { print t }' "$results/extra/kut/entries")

# KUT_KVM: the same entries (all, or those named) under KVM in the same
# boot, started by QEMU; the image then holds QEMU, its libraries and the
# firmware it loads (SeaBIOS, the Multiboot option ROM).
kvm_modules=
if [ -n "${KUT_KVM:-}" ]; then
	if [ "$KUT_KVM" = all ]; then
		cp "$results/extra/kut/entries" "$results/extra/kut/kvm-entries"
	else
		grep -E "^($(echo "$KUT_KVM" | tr , '|'))\|" "$results/extra/kut/entries" \
			>"$results/extra/kut/kvm-entries" || true
	fi
	qemu=$(command -v qemu-system-x86_64) || {
		echo "check-kut: KUT_KVM needs qemu-system-x86_64 (apt-get install qemu-system-x86)" >&2
		exit 1
	}
	install -D "$qemu" "$results/extra/usr/bin/qemu-system-x86_64"
	ldd "$qemu" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }' | while read -r lib; do
		install -D "$lib" "$results/extra$lib"
	done
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/multiboot_dma.bin \
		/usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/kvmvapic.bin; do
		install -D "$f" "$results/extra$f"
	done
	kvm_modules=yes
fi

stock_rig_build check-kut
# shellcheck disable=SC2046
EXTRA_ROOT=$results/extra mk_initramfs stock ${kvm_modules:+$(stock_kvm_modules)} >/dev/null

megs=2048
echo "booting Bochs (emulated VMX, 1 CPU, ${megs} MB) for $n entries ..."
"$root/tests/rig/boot-bochs.sh" --kernel "$STOCK_VMLINUZ" \
	--initrd "$results/stock.cpio.zst" --log "$results/kut" --cpus 1 \
	--megs "$megs" --append "vmxlab_lane=kut cryptomgr.notests" \
	--timeout $((total * 4 + 600)) >"$results/boot.log" 2>&1 &
boot=$!
touch "$results/kut.serial"
tail -n +1 -f --pid=$boot "$results/kut.serial" 2>/dev/null | tr -d '\r' |
	grep --line-buffered -E '^(=== |kut-result: |kut-vmexit: |kut-kvm-[a-z]*: |kut: )' || true
wait $boot || true

status=0
tr -d '\r' <"$results/kut.serial" | python3 -c '
import sys
lines = sys.stdin.readlines()
def tagged(tag):
    return [l.split(tag, 1)[1].rstrip("\n") for l in lines if l.startswith(tag)]
rows = [r.split("|") for r in tagged("kut-result: ")]
kvm = {r.split("|")[0]: r.split("|")[1] for r in tagged("kut-kvm-result: ")}
vmexit = [r.split() for r in tagged("kut-vmexit: ")]
kvm_vmexit = dict(r.split() for r in tagged("kut-kvm-vmexit: "))
expected = [l.split("|")[0] for l in open(sys.argv[1]) if l.strip()]
seen = {r[0] for r in rows}
for name in expected:
    if name not in seen:
        rows.append([name, "NOT RUN", "-", "", "the rig ended first", ""])
fmt = "%-45s %-8s %6s %7s  %s"
kfmt = "%-45s %-8s %-8s %6s %7s  %s"
if kvm:
    print(kfmt % ("entry", "vmxlab", "KVM", "status", "time/s", "checks / why"))
else:
    print(fmt % ("entry", "result", "status", "time/s", "checks / why"))
for r in rows:
    name, result, status, summary, why, secs = (r + [""] * 6)[:6]
    if kvm:
        print(kfmt % (name, result, kvm.get(name, "-"), status, secs, summary or why))
    else:
        print(fmt % (name, result, status, secs, summary or why))
counts = {}
for r in rows:
    counts[r[1]] = counts.get(r[1], 0) + 1
print(f"{len(rows)} entries: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
if kvm:
    counts = {}
    for r in kvm.values():
        counts[r] = counts.get(r, 0) + 1
    print(f"under KVM, {len(kvm)} entries: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
if vmexit:
    print("vmexit entries, ticks per exit (one tick is one instruction in the rig):")
    print("  %-30s %8s %8s" % ("", "vmxlab", "KVM" if kvm_vmexit else ""))
    for name, ticks in vmexit:
        print("  %-30s %8s %8s" % (name, ticks, kvm_vmexit.get(name, "")))
sys.exit(0 if len(seen) == len(expected) else 1)
' "$results/extra/kut/entries" >"$results/table.txt" || status=1
cat "$results/table.txt"
if ! tr -d '\r' <"$results/kut.serial" | grep -q '^kut: no splats'; then
	echo "check-kut: the rig's kernel log has splats, or the lane did not end (results-kut/kut.serial)"
	exit 1
fi
exit "$status"
