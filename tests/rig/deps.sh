#!/bin/bash
# Install every Debian 12 package the emulated test rig and the project build
# need. Idempotent: silent and quick when all are installed. Run as root.
#
# usage: tests/rig/deps.sh
set -euo pipefail

pkgs=(
    # project build: out-of-tree module against the stock and the rig kernel
    gcc make libc6-dev linux-libc-dev binutils python3 perl kmod
    linux-image-cloud-amd64 linux-headers-cloud-amd64 linux-kbuild-6.1
    sparse dwarves pahole
    # rig kernel: built from Debian's source tarball
    linux-source-6.1 xz-utils bc flex bison libelf-dev libssl-dev cpio zstd gzip rsync
    # initramfs: static busybox (the dynamic one would need its libraries)
    busybox-static
    # Bochs (VMX): bochs-term for display_library term, BIOS + VGA BIOS, isolinux ISO
    bochs bochs-term bochsbios vgabios xorriso isolinux syslinux-common
    # QEMU TCG (no VMX); seabios and ipxe-qemu are its firmware
    qemu-system-x86 seabios ipxe-qemu
    # script(1) gives Bochs a tty; setpriv/flock guard runaway emulators and builds
    bsdutils util-linux coreutils
    # installation: DKMS builds the module as a user's machine would
    dkms git lintian
)

# One dpkg-query for all ("ii " = installed and configured); a package it does
# not know is simply absent from its output.
installed=" $(dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' "${pkgs[@]}" 2>/dev/null |
    sed -n 's/^ii *//p' | tr '\n' ' ' || true) "
missing=()
for p in "${pkgs[@]}"; do
    case $installed in *" $p "*) ;; *) missing+=("$p") ;; esac
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages: ${missing[*]}; run me as root" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# Recommends are not needed: the rig uses no GUI, no qemu-utils, no ovmf.
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
