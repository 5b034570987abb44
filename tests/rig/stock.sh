#!/bin/bash
# Locate Debian's stock cloud kernel (linux-image-cloud-amd64 + headers).
#
# usage: eval "$(tests/rig/stock.sh)"
#
# Prints shell assignments for the newest installed *-cloud-amd64 version that
# has both its image and its headers:
#   STOCK_VER      e.g. 6.1.0-56-cloud-amd64 (uname -r)
#   STOCK_VMLINUZ  /boot/vmlinuz-$STOCK_VER
#   STOCK_KDIR     /usr/src/linux-headers-$STOCK_VER (for make -C $STOCK_KDIR M=...)
#   STOCK_MODDIR   /lib/modules/$STOCK_VER (kvm.ko etc. under kernel/)
set -euo pipefail

best=
# sort -V: 6.1.0-100 is newer than 6.1.0-56.
for vmlinuz in $(find /boot -maxdepth 1 -name 'vmlinuz-*-cloud-amd64' -printf '%f\n' | sort -V); do
    ver=${vmlinuz#vmlinuz-}
    # The headers package's Makefile and the image's module dir must both exist.
    if [ -f "/usr/src/linux-headers-$ver/Makefile" ] && [ -d "/lib/modules/$ver/kernel" ] &&
        [ -r "/boot/$vmlinuz" ]; then
        best=$ver
    fi
done
if [ -z "$best" ]; then
    echo "stock.sh: no *-cloud-amd64 kernel with both image and headers (tests/rig/deps.sh installs them)" >&2
    exit 1
fi
printf 'STOCK_VER=%q\nSTOCK_VMLINUZ=%q\nSTOCK_KDIR=%q\nSTOCK_MODDIR=%q\n' \
    "$best" "/boot/vmlinuz-$best" "/usr/src/linux-headers-$best" "/lib/modules/$best"
