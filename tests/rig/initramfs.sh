#!/bin/bash
# Pack a directory tree plus static busybox into an initramfs.
#
# usage: tests/rig/initramfs.sh [--gzip|--zstd] OUT.cpio.{gz,zst} SRCDIR
#
# SRCDIR (prepared by the caller) must hold an executable /init; its files win
# over anything added here. Added: /bin/busybox (busybox-static) with every
# applet linked to it, the usual empty directories and a /dev/console node, so
# the kernel can give /init a console before any devtmpfs is mounted.
# Compression: --gzip/--zstd, else from OUT's extension (.zst/.zstd -> zstd,
# otherwise gzip). Both Debian's cloud kernel and the rig's kernel take either;
# the rig notes found zstd faster to unpack in Bochs.
set -euo pipefail

die() { printf 'initramfs.sh: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }

comp=
while [ $# -gt 0 ]; do
    case $1 in
    --gzip) comp=gzip; shift ;;
    --zstd) comp=zstd; shift ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) die "unknown option $1" ;;
    *) break ;;
    esac
done
[ $# -eq 2 ] || usage
out=$1
srcdir=$2
[ -d "$srcdir" ] || die "no directory $srcdir"
if [ ! -f "$srcdir/init" ] || [ ! -x "$srcdir/init" ]; then
    die "$srcdir/init missing or not executable"
fi
if [ -z "$comp" ]; then
    case $out in
    *.zst | *.zstd) comp=zstd ;;
    *) comp=gzip ;;
    esac
fi
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing (apt-get install busybox-static)"
# A dynamic busybox (package busybox) would need its libraries in the image.
if ldd "$busybox" >/dev/null 2>&1; then
    die "$busybox is dynamically linked; install busybox-static"
fi
command -v cpio >/dev/null || die "cpio missing"
command -v "$comp" >/dev/null || die "$comp missing"

stage=$(mktemp -d "${TMPDIR:-/tmp}/vmxlab-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,root,mnt}
cp -a "$srcdir"/. "$stage"/
if [ ! -e "$stage/bin/busybox" ]; then
    cp "$busybox" "$stage/bin/busybox"
fi
# Applet links made now, so "#!/bin/sh" works in /init from the first line.
# (python3: one process instead of ~400 forks of ln.)
"$busybox" --list-full | python3 -c '
import os, sys
stage = sys.argv[1]
for applet in sys.stdin.read().split():
    path = os.path.join(stage, applet)
    if not os.path.lexists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink("/bin/busybox", path)
' "$stage"

# newc header for one entry: printf-made, so that a /dev/console character
# device goes in without root rights (mknod) on the packing machine.
newc_entry() { # name inode mode(octal) rdevmajor rdevminor
    local name=$1 namesize=$((${#1} + 1)) pad
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        "$2" "$((8#$3))" 0 0 1 0 0 0 0 "$4" "$5" "$namesize" 0
    printf '%s\0' "$name"
    # header (110 bytes) + name is padded to a multiple of 4
    pad=$(((4 - (110 + namesize) % 4) % 4))
    head -c "$pad" /dev/zero
}

trap 'rm -rf "$stage" "$stage.cpio"' EXIT
find "$stage" -exec touch -h -d @0 {} +
{
    # Sorted, owned by root, fixed mtimes: the same tree packs to the same bytes.
    (cd "$stage" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible)
    # A second archive appended: the kernel unpacks concatenated archives.
    newc_entry dev/console 1 020600 5 1
    newc_entry TRAILER!!! 0 0 0 0
} >"$stage.cpio"

mkdir -p "$(dirname "$out")"
case $comp in
gzip) gzip -n -9 -c "$stage.cpio" >"$out.tmp.$$" ;;
# -T0: both cores; the kernel's decompressor copes with zstd's default window.
zstd) zstd -q -T0 -c "$stage.cpio" >"$out.tmp.$$" ;;
esac
mv -f "$out.tmp.$$" "$out"
