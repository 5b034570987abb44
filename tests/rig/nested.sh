#!/bin/bash
# Build the nested lane's L0 initramfs: KVM's nested VMX as a second VMX
# implementation under vmxlab.
#
# usage: tests/rig/nested.sh RESULTS_DIR
#
# Reads RESULTS_DIR/stock.cpio.zst (the stock lane's image, made by
# mk_initramfs in tests/host-lib.sh; it becomes L1's initramfs unchanged) and
# writes RESULTS_DIR/nested-l0.cpio.zst, for Debian's stock cloud kernel (L0)
# booted in Bochs. It holds /init (tests/guest/l0-init), the stock kernel's
# irqbypass, kvm and kvm-intel modules (/lib/kvm), qemu-system-x86_64 with
# every shared library ldd lists, QEMU's firmware (/qemu: bios-256k.bin,
# linuxboot_dma.bin, kvmvapic.bin, qboot.rom) and L1's kernel and initramfs
# (/l1/vmlinuz, the same stock kernel, and /l1/initrd.cpio.zst).
# Everything but L1's initramfs is cached in
# ${VMXLAB_CACHE:-$HOME/.cache/vmxlab}/nested-HASH, keyed by the package
# versions, the files themselves (path, size, mtime) and this script.
# Recipe and figures: Documentation/testing.rst ("The nested lane", "Rig
# facts").
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
root=$(cd "$here/../.." && pwd)

log() { printf 'nested.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ $# -eq 1 ] || { sed -n '2,19s/^# \{0,1\}//p' "$0" >&2; exit 2; }
results=$(realpath -m "$1")
l1_initrd=$results/stock.cpio.zst
[ -r "$l1_initrd" ] || die "no $l1_initrd (check.sh builds it: mk_initramfs stock)"
l0_init=$root/tests/guest/l0-init
[ -r "$l0_init" ] || die "no $l0_init"

eval "$("$here/stock.sh")"
qemu=$(command -v qemu-system-x86_64) || die "qemu-system-x86_64 missing (tests/rig/deps.sh)"

# Shared libraries as ldd names them, the dynamic loader included (it is the
# line without "=>"); vdso has no file.
mapfile -t libs < <(ldd "$qemu" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\// { print $1 }')
[ "${#libs[@]}" -gt 0 ] || die "ldd $qemu listed no libraries"

firmware_names="bios-256k.bin linuxboot_dma.bin kvmvapic.bin qboot.rom"
firmware=()
for name in $firmware_names; do
    f=
    for d in /usr/share/qemu /usr/share/seabios; do
        if [ -r "$d/$name" ]; then f=$d/$name; break; fi
    done
    [ -n "$f" ] || die "no $name in /usr/share/qemu or /usr/share/seabios (packages qemu-system-data, seabios)"
    firmware+=("$f")
done

kmods="$STOCK_MODDIR/kernel/virt/lib/irqbypass.ko $STOCK_MODDIR/kernel/arch/x86/kvm/kvm.ko
$STOCK_MODDIR/kernel/arch/x86/kvm/kvm-intel.ko"
for m in $kmods; do [ -r "$m" ] || die "missing $m"; done

# The cache key: package versions, every file copied (a library upgraded by a
# package not listed here changes its size or mtime) and this script.
pkgs="qemu-system-x86 qemu-system-data seabios linux-image-$STOCK_VER busybox-static"
# shellcheck disable=SC2086
versions=$(dpkg-query -W -f='${Package}=${Version}\n' $pkgs 2>&1) ||
    die "dpkg-query: $versions"
# shellcheck disable=SC2086
hash=$({
    echo "$versions"
    stat -L -c '%n %s %Y' "$qemu" "${libs[@]}" "${firmware[@]}" $kmods "$STOCK_VMLINUZ"
    cat "$self"
} | sha256sum | cut -c1-16)
cache=${VMXLAB_CACHE:-$HOME/.cache/vmxlab}
base=$cache/nested-$hash

# The tree is only ever visible under its final name (rename below), so an
# existing directory is complete. Builders hold nested.lock exclusively,
# readers (the copy below) shared: a builder may then remove stale trees.
mkdir -p "$cache"
exec 9>"$cache/nested.lock"
if [ -d "$base" ]; then
    flock -s 9
fi
if [ -d "$base" ]; then
    log "cached: $base"
else
    flock -x 9
fi
if ! [ -d "$base" ]; then
    # Leftovers of interrupted builds (nobody else is building: we hold the lock),
    # and trees of other package versions or an older script.
    for old in "$cache"/nested-*; do
        [ -d "$old" ] && rm -rf "$old"
    done
    tmp=$(mktemp -d "$base.tmp.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/usr/bin" "$tmp/qemu" "$tmp/lib/kvm" "$tmp/l1"
    cp -L "$qemu" "$tmp/usr/bin/qemu-system-x86_64"
    for lib in "${libs[@]}"; do
        mkdir -p "$tmp$(dirname "$lib")"
        cp -L "$lib" "$tmp$lib"
    done
    cp -L "${firmware[@]}" "$tmp/qemu/"
    # shellcheck disable=SC2086
    cp $kmods "$tmp/lib/kvm/"
    cp -L "$STOCK_VMLINUZ" "$tmp/l1/vmlinuz"
    chmod 755 "$tmp" # mktemp's 0700 would hide the tree from other users
    mv -T "$tmp" "$base"
    trap - EXIT
    log "built: $base"
    flock -s 9 # the copy below needs no more than a reader's lock
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/vmxlab-nested.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# Hard links where possible: initramfs.sh copies the tree anyway.
cp -al "$base"/. "$stage"/ 2>/dev/null || cp -a "$base"/. "$stage"/
exec 9>&-
cp "$l0_init" "$stage/init"
chmod 755 "$stage/init"
cp "$l1_initrd" "$stage/l1/initrd.cpio.zst"
"$here/initramfs.sh" --zstd "$results/nested-l0.cpio.zst" "$stage"
log "wrote $results/nested-l0.cpio.zst ($(du -h "$results/nested-l0.cpio.zst" | cut -f1))"
