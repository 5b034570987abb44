#!/bin/bash
# Boot a kernel + initramfs in QEMU TCG, a CPU *without* VMX.
#
# usage: tests/rig/boot-qemu.sh --kernel BZIMAGE --initrd CPIO --log PREFIX
#            [--cpus N] [--megs 512] [--append "EXTRA CMDLINE"] [--timeout SECONDS]
#
# Writes PREFIX.serial (the guest's ttyS0). Exit status: 0 when QEMU ended by
# itself (guest poweroff, or a panic: -no-reboot with panic=-1), 124 on time-out
# (QEMU is then killed), 2 on bad usage, 1 if QEMU could not start.
# Default time-out 120 s; "panic=-1" is on the command line so a panic ends the run.
set -euo pipefail

die() { printf 'boot-qemu.sh: ERROR: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
# The wait loops poll without forking (forks are slow on these VMs and would
# steal CPU from the emulator): time from $EPOCHREALTIME, sleeps as read -t
# on a FIFO nobody writes to.
now_ms() { # sets NOW (ms)
    local t=${EPOCHREALTIME/[.,]/}
    NOW=$((t / 1000))
}
nap() { read -r -t "$1" -u "$napfd" _ || true; }

kernel='' initrd='' prefix='' cpus=1 megs=512 append='' timeout=120
while [ $# -gt 0 ]; do
    case $1 in -h | --help) usage ;; esac
    [ $# -ge 2 ] || die "$1 needs a value"
    case $1 in
    --kernel) kernel=$2 ;;
    --initrd) initrd=$2 ;;
    --log) prefix=$2 ;;
    --cpus) cpus=$2 ;;
    --megs) megs=$2 ;;
    --append) append=$2 ;;
    --timeout) timeout=$2 ;;
    *) die "unknown option $1" ;;
    esac
    shift 2
done
if [ -z "$kernel" ] || [ -z "$initrd" ] || [ -z "$prefix" ]; then usage; fi
[ -r "$kernel" ] || die "cannot read kernel $kernel"
[ -r "$initrd" ] || die "cannot read initrd $initrd"
case $cpus$megs$timeout in *[!0-9]*) die "--cpus, --megs and --timeout take numbers" ;; esac
[ "$cpus" -ge 1 ] || die "--cpus must be at least 1"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (tests/rig/deps.sh)"

mkdir -p "$(dirname "$prefix")"
prefix=$(cd "$(dirname "$prefix")" && pwd)/$(basename "$prefix")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmxlab-qemu.XXXXXX")
mkfifo "$tmp/nap"
exec {napfd}<>"$tmp/nap"
qpid=''
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    # QEMU must never outlive this script.
    if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
        kill -TERM "$qpid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$qpid" 2>/dev/null || break
            nap 0.1
        done
        kill -KILL "$qpid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "boot-qemu.sh: interrupted, stopping QEMU" >&2; exit 130' INT TERM HUP

: >"$prefix.serial"
# A fixed name in the temp dir: -serial file: splits nothing there.
ln -s "$prefix.serial" "$tmp/serial"

# -cpu max,-vmx: all TCG features but no VMX (TCG has none anyway; be explicit).
# --pdeathsig: QEMU dies with this script even if the script is SIGKILLed.
now_ms
start=$NOW
setpriv --pdeathsig KILL \
    qemu-system-x86_64 -accel tcg -cpu max,-vmx -m "$megs" -smp "$cpus" \
    -nodefaults -no-user-config -display none -monitor none \
    -serial "file:$tmp/serial" -no-reboot \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0,115200 panic=-1 $append" \
    </dev/null >"$tmp/qemu.out" 2>&1 &
qpid=$!

rc=0
deadline=$((start + timeout * 1000))
while kill -0 "$qpid" 2>/dev/null; do
    now_ms
    if [ "$NOW" -ge "$deadline" ]; then
        printf 'boot-qemu.sh: time-out after %s s, killing QEMU\n' "$timeout" >&2
        rc=124
        cleanup
        qpid=''
        break
    fi
    nap 0.2
done
if [ "$rc" -eq 0 ]; then
    qrc=0
    wait "$qpid" || qrc=$?
    qpid=
    if [ "$qrc" -ne 0 ]; then
        printf 'boot-qemu.sh: QEMU failed (exit %s):\n' "$qrc" >&2
        cat "$tmp/qemu.out" >&2
        rc=1
    fi
fi
now_ms
elapsed=$((NOW - start))
printf 'boot-qemu.sh: %d.%03d s host time, %s CPU(s) (%s)\n' \
    $((elapsed / 1000)) $((elapsed % 1000)) "$cpus" "$prefix.serial" >&2
exit "$rc"
