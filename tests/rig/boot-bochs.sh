#!/bin/bash
# Boot a kernel + initramfs in Bochs, an emulated CPU *with* VMX.
#
# usage: tests/rig/boot-bochs.sh --kernel BZIMAGE --initrd CPIO --log PREFIX
#            [--cpus 1|2] [--megs 512] [--append "EXTRA CMDLINE"] [--timeout SECONDS]
#            [--ips N]
#
# Writes PREFIX.serial (the guest's ttyS0) and PREFIX.bochs.log. Exit status:
# 0 when Bochs ended by itself (guest poweroff, reboot or panic), 124 on
# time-out (Bochs is then killed), 2 on bad usage, 1 if Bochs failed (ended
# before any guest output on the serial line).
# Default time-out 300 s. The command line starts with "console=ttyS0,115200
# panic=-1 reboot=t": a panic reboots at once, by triple fault, which Bochs
# (reset_on_triple_fault=0) turns into its own exit instead of a new boot.
# Recipe and figures: Documentation/testing.rst ("Bochs facts the rig
# depends on", "Rig facts").
set -euo pipefail

die() { printf 'boot-bochs.sh: ERROR: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,15s/^# \{0,1\}//p' "$0" >&2; exit 2; }
# The wait loops poll without forking (forks are slow on these VMs and would
# steal CPU from the emulator): time from $EPOCHREALTIME, sleeps as read -t
# on a FIFO nobody writes to.
now_ms() { # sets NOW (ms)
    local t=${EPOCHREALTIME/[.,]/}
    NOW=$((t / 1000))
}
nap() { read -r -t "$1" -u "$napfd" _ || true; }

kernel='' initrd='' prefix='' cpus=1 megs=512 append='' timeout=300 ips=
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
    --ips) ips=$2 ;;
    *) die "unknown option $1" ;;
    esac
    shift 2
done
if [ -z "$kernel" ] || [ -z "$initrd" ] || [ -z "$prefix" ]; then usage; fi
[ -r "$kernel" ] || die "cannot read kernel $kernel"
[ -r "$initrd" ] || die "cannot read initrd $initrd"
case $cpus$megs$timeout$ips in *[!0-9]*) die "--cpus, --megs, --timeout, --ips take numbers" ;; esac
case $cpus in 1 | 2) ;; *) die "--cpus is 1 or 2" ;; esac
# The notes: with 2 CPUs a lower ips boots faster (~28 s at 50M vs ~40 s at 400M).
if [ -z "$ips" ]; then
    if [ "$cpus" -eq 1 ]; then ips=400000000; else ips=50000000; fi
fi
for f in /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
    /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin; do
    [ -r "$f" ] || die "missing $f (tests/rig/deps.sh)"
done
for c in bochs xorriso python3 setpriv; do
    command -v "$c" >/dev/null || die "$c missing (tests/rig/deps.sh)"
done

mkdir -p "$(dirname "$prefix")"
prefix=$(cd "$(dirname "$prefix")" && pwd)/$(basename "$prefix")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vmxlab-bochs.XXXXXX")
mkfifo "$tmp/nap"
exec {napfd}<>"$tmp/nap"
bpid='' spid=''
# shellcheck disable=SC2317 # called from traps
kill_bochs() {
    # Bochs runs in its own session (ptyrun.py's pty): kill its process group.
    if [ -n "$bpid" ] && kill -0 "$bpid" 2>/dev/null; then
        kill -TERM -- "-$bpid" 2>/dev/null || kill -TERM "$bpid" 2>/dev/null || true
        wait_gone "$bpid" || true
        kill -KILL -- "-$bpid" 2>/dev/null || kill -KILL "$bpid" 2>/dev/null || true
    fi
    # ptyrun.py ends by itself once Bochs is gone; force it only if it lingers.
    if [ -n "$spid" ]; then
        wait_gone "$spid" || true
        kill -KILL "$spid" 2>/dev/null || true
    fi
}
# dump_bochs: stop the simulation as Ctrl-C would; the debugger then runs
# dbg.rc's state commands and quits. What it printed goes to PREFIX.dump.
dump_bochs() {
    local size
    [ -n "$bpid" ] && kill -0 "$bpid" 2>/dev/null || return 0
    size=$(stat -c %s "$tmp/term.out" 2>/dev/null || echo 0)
    kill -INT "$bpid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$bpid" 2>/dev/null || break
        nap 0.1
    done
    tail -c +$((size + 1)) "$tmp/term.out" | tr -d '\r' |
        sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' >"$prefix.dump" || true
    printf 'boot-bochs.sh: CPU state at the time-out in %s\n' "$prefix.dump" >&2
}
wait_gone() { # pid: up to 1 s
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$1" 2>/dev/null || return 0
        nap 0.1
    done
    return 1
}
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    kill_bochs
    # What Bochs printed on its terminal, for post-mortems.
    tr -c '[:print:]\n' ' ' <"$tmp/term.out" >"$prefix.term" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "boot-bochs.sh: interrupted, stopping Bochs" >&2; exit 130' INT TERM HUP

# Boot ISO: isolinux loads kernel and initramfs (Bochs has no -kernel).
# idle=halt: idle CPUs wait in HLT and are woken by IPIs, not in MWAIT
# woken by a store to a monitored line (Documentation/testing.rst: a CPU
# of a 2-CPU lane once slept through a wakeup for 75 s).
mkdir -p "$tmp/iso/isolinux" "$tmp/iso/boot"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$tmp/iso/isolinux/"
cp "$kernel" "$tmp/iso/boot/linux"
cp "$initrd" "$tmp/iso/boot/initrd"
cat >"$tmp/iso/isolinux/isolinux.cfg" <<EOF
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /boot/linux
  APPEND initrd=/boot/initrd console=ttyS0,115200 panic=-1 reboot=t idle=halt $append
EOF
xorriso -as mkisofs -quiet -o "$tmp/boot.iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table "$tmp/iso" >"$tmp/xorriso.out" 2>&1 ||
    { cat "$tmp/xorriso.out" >&2; die "xorriso failed"; }
rm -rf "$tmp/iso"

# Bochs opens the plain names in the temp dir; they lead to the caller's files
# (bochsrc values must not contain commas or spaces).
: >"$prefix.serial"
: >"$prefix.bochs.log"
ln -s "$prefix.serial" "$tmp/serial.txt"
ln -s "$prefix.bochs.log" "$tmp/bochs.log"
# Bochs allocates at most 2048 MB of host memory for the guest; above that
# the rest of guest RAM lives in a swap file of its own (memory: host=).
host_megs=$megs
[ "$host_megs" -le 2048 ] || host_megs=2048
cat >"$tmp/bochsrc" <<EOF
memory: guest=$megs, host=$host_megs
cpu: model=corei7_haswell_4770, count=$cpus, ips=$ips, reset_on_triple_fault=0
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
display_library: term
ata0-master: type=cdrom, path=boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=serial.txt
log: bochs.log
panic: action=fatal
error: action=ignore
info: action=ignore
debug: action=ignore
clock: sync=none, time0=local
sound: driver=dummy
EOF
# Debian's Bochs starts in its debugger: continue, then quit when the
# simulation stops. On a time-out the simulation is stopped with SIGINT
# (the debugger's Ctrl-C): the commands between continue and quit then show
# where each CPU was (PREFIX.dump): registers, control registers, the code,
# and then 40 steps traced, each instruction and each exception (this is
# how a guest's endless #DB loop was found: Documentation/testing.rst).
{
    printf 'c\n'
    for c in $(seq 0 $((cpus - 1))); do
        # shellcheck disable=SC2016 # $cpu is the debugger's, not ours
        printf 'set $cpu = %d\nr\nsreg\ncreg\nu /12\n' "$c"
    done
    printf 'trace on\ns 40\ntrace off\nquit\n'
} >"$tmp/dbg.rc"

now_ms
start=$NOW
# ptyrun.py gives Bochs the tty its term display needs and drains both that
# tty and the screen pty the display opens (testing.rst); it
# records Bochs's pid, so $bpid is Bochs, leader of its own session.
# --pdeathsig: if this script (or ptyrun.py) is SIGKILLed, Bochs dies too.
(
    cd "$tmp"
    TERM=xterm exec setpriv --pdeathsig KILL "$here/ptyrun.py" bochs.pid term.out \
        setpriv --pdeathsig KILL bochs -q -f bochsrc -rc dbg.rc \
        </dev/null >"$tmp/ptyrun.out" 2>&1
) &
spid=$!
for _ in $(seq 50); do
    [ -s "$tmp/bochs.pid" ] && break
    nap 0.1
done
bpid=$(cat "$tmp/bochs.pid" 2>/dev/null || true)
[ -n "$bpid" ] || { printf 'boot-bochs.sh: Bochs did not start\n' >&2; exit 1; }

rc=0
deadline=$((start + timeout * 1000))
while kill -0 "$spid" 2>/dev/null; do
    now_ms
    if [ "$NOW" -ge "$deadline" ]; then
        printf 'boot-bochs.sh: time-out after %s s, killing Bochs\n' "$timeout" >&2
        rc=124
        dump_bochs
        kill_bochs
        break
    fi
    nap 0.2
done
wait "$spid" 2>/dev/null || true
spid=''
if [ "$rc" -eq 0 ] && [ ! -s "$prefix.serial" ]; then
    # Ended by itself before the guest said a word: Bochs itself failed
    # (its messages went to the pty).
    printf 'boot-bochs.sh: Bochs ended without guest output; its terminal said:\n' >&2
    tr -c '[:print:]\n' ' ' <"$tmp/term.out" | grep -v '^ *$' | tail -n 15 >&2 || true
    rc=1
fi
now_ms
elapsed=$((NOW - start))
printf 'boot-bochs.sh: %d.%03d s host time, %s CPU(s) (%s)\n' \
    $((elapsed / 1000)) $((elapsed % 1000)) "$cpus" "$prefix.serial" >&2
exit "$rc"
