#!/bin/bash
# Build (or reuse) the small x86_64 debug test kernel for the rig.
#
# usage: tests/rig/kernel.sh [FRAGMENT]      (default: tests/rig/kernel.fragment)
#
# Last stdout line: the cache directory, holding
#   bzImage    the kernel
#   build/     the O= build directory, usable as KDIR (make -C build M=DIR modules)
#   modules/   kvm.ko, kvm-intel.ko (and irqbypass.ko), flat
#   config     the final .config;  build.log  the full build log
# Everything else goes to stderr. Cache root: ${VMXLAB_CACHE:-$HOME/.cache/vmxlab}.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"
fragment=$(readlink -f "${1:-$here/kernel.fragment}")
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=2 # the machines have 2 cores

log() { printf 'kernel.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -r "$fragment" ] || die "no fragment $fragment"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
    die "linux-source-6.1 is not installed (run tests/rig/deps.sh)"
[ -r "$tarball" ] || die "missing $tarball"

# The cache key covers everything that changes the result.
hash=$({ cat "$fragment"; echo "linux-source-6.1=$srcver"; cat "$self"; } |
    sha256sum | cut -c1-16)
cache=${VMXLAB_CACHE:-$HOME/.cache/vmxlab}
out="$cache/kernel-$hash"

# A finished build is only ever visible under its final name (see the rename
# below), so an existing directory is complete.
if [ -f "$out/bzImage" ]; then
    log "cached: $out"
    echo "$out"
    exit 0
fi

mkdir -p "$cache"
# One kernel build at a time on this machine (2 cores), and no two builders
# racing for the same cache entry.
exec 9>"$cache/kernel.lock"
if ! flock -n 9; then
    log "another kernel build holds $cache/kernel.lock; waiting"
    flock 9
fi
if [ -f "$out/bzImage" ]; then # built by whoever held the lock
    log "cached: $out"
    echo "$out"
    exit 0
fi
# Leftovers of interrupted builds (nobody else can be building: we hold the lock).
rm -rf "$cache"/kernel-*.tmp.*

tmp=$(mktemp -d "$cache/kernel-$hash.tmp.XXXXXX")
chmod 755 "$tmp" # mktemp's 0700 would hide the finished kernel from other users
buildlog="$tmp/build.log"
makepid=''
# shellcheck disable=SC2317 # called from the EXIT trap
failed() {
    local rc=$?
    trap - EXIT
    if [ -n "$makepid" ] && kill -0 "$makepid" 2>/dev/null; then
        kill -TERM "$makepid" 2>/dev/null || true
        wait "$makepid" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ]; then
        if [ -f "$buildlog" ]; then
            cp "$buildlog" "$cache/kernel-$hash.failed.log" || true
            log "build failed; last lines of the log (full log: $cache/kernel-$hash.failed.log):"
            tail -n 60 "$buildlog" >&2 || true
        fi
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap failed EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
log "building in $tmp (log: $buildlog)"
mkdir "$tmp/src"
tar -xf "$tarball" -C "$tmp/src" --strip-components=1

# The O= directory sits directly inside the source tree: kbuild then refers to
# the source as "..", so the whole tree still works after the final rename.
src="$tmp/src"
obj="$src/obj"
mkdir "$obj"
# make runs in the background so that a signal to this script is acted on at
# once (bash defers traps while a foreground command runs).
kmake() {
    make -C "$src" O=obj "$@" >>"$buildlog" 2>&1 &
    makepid=$!
    wait "$makepid"
    makepid=''
}

log "configuring (tinyconfig + $(basename "$fragment"))"
kmake tinyconfig
(cd "$obj" && ../scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$buildlog" 2>&1
kmake olddefconfig

# merge_config.sh and olddefconfig silently drop options whose dependencies are
# missing: check every line of the fragment against the final .config.
dropped=()
while IFS= read -r line; do
    case $line in
    CONFIG_*=*)
        if ! grep -qxF -- "$line" "$obj/.config"; then
            sym=${line%%=*}
            have=$(grep -E "^$sym=|^# $sym is not set" "$obj/.config" || true)
            dropped+=("$line (final: ${have:-absent})")
        fi
        ;;
    "# CONFIG_"*" is not set")
        sym=${line#\# }
        sym=${sym%% *}
        if grep -q "^$sym=" "$obj/.config"; then
            dropped+=("$line (final: $(grep "^$sym=" "$obj/.config"))")
        fi
        ;;
    esac
done <"$fragment"
if [ "${#dropped[@]}" -gt 0 ]; then
    log "these fragment options did not survive olddefconfig (unmet dependencies?):"
    printf '  %s\n' "${dropped[@]}" >&2
    die "kernel config is not what $(basename "$fragment") asks for"
fi

log "compiling bzImage and modules (make -j$jobs)"
kmake -j"$jobs" bzImage modules
# KDIR users need the prepared tree; a no-op after a full build, cheap otherwise.
kmake modules_prepare

cp "$obj/arch/x86/boot/bzImage" "$tmp/bzImage.new"
cp "$obj/.config" "$tmp/config"
mkdir "$tmp/modules"
for m in arch/x86/kvm/kvm.ko arch/x86/kvm/kvm-intel.ko virt/lib/irqbypass.ko; do
    if [ -f "$obj/$m" ]; then cp "$obj/$m" "$tmp/modules/"; fi
done
if [ ! -f "$tmp/modules/kvm.ko" ] || [ ! -f "$tmp/modules/kvm-intel.ko" ]; then
    die "KVM modules were not built"
fi
ln -s src/obj "$tmp/build"
mv "$tmp/bzImage.new" "$tmp/bzImage"
log "built in $(($(date +%s) - start)) s"

# The atomic step: only now does the cache entry exist.
mv -T "$tmp" "$out"
trap - EXIT
log "done: $out"
echo "$out"
