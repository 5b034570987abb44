#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test of vmxlab, on a fresh Debian 12 machine or this one.
#
#   tests/check.sh [--lanes "LANE ..."] [--results DIR] [--fuzz N]
#
# 1. installs what it needs (tests/rig/deps.sh), builds or reuses the debug
#    test kernel (tests/rig/kernel.sh) and finds Debian's stock cloud kernel;
# 2. host checks: the module built with W=1 against both kernels, sparse,
#    checkpatch --strict, kernel-doc, the uapi header alone as C90 and
#    without holes, the tool and helpers as static binaries, the tool's
#    device models' unit test (tests/tool-unit); installation
#    (tests/check-install.sh: versions, make install, DKMS, a clean tree);
# 3. boots each lane's initramfs: Bochs (VMX) with 1 and 2 CPUs on both
#    kernels, QEMU TCG (no VMX, KUnit) on both kernels, and "nested": the
#    stock lane's tests in a KVM guest inside Bochs, on KVM's nested VMX;
# 4. tests/rig/ktap.py turns the serial logs into one KTAP report ending in
#    "N passed, N failed"; any failure, splat, missing result or time-out
#    makes the exit status non-zero.
#
# --fuzz N: the VMX lanes' abi_fuzz test runs N steps instead of 10000, for
# at most 40 minutes instead of 120 s (vmxlab_fuzz=N vmxlab_fuzz_seconds=2400
# on each lane's kernel command line; the nested lane's L0 passes them on to
# L1), and the lanes get 45 more minutes. `make soak` uses it.
#
# Results, serial logs and `vmxlab caps --json` of each lane end up in
# results/ (or --results DIR). Documentation/testing.rst explains it all.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
results=$root/results
# Longest first, so that two run side by side until the end.
all_lanes="bochs-debug-1cpu bochs-debug-2cpu nested bochs-stock-2cpu bochs-stock-1cpu qemu-debug qemu-stock"
lanes=$all_lanes
fuzz=
usage() {
	echo "usage: $0 [--lanes \"LANE ...\"] [--results DIR] [--fuzz N] (lanes: $all_lanes)" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--lanes) lanes=$2; shift 2 ;;
	--results) results=$(realpath -m "$2"); shift 2 ;;
	--fuzz)
		case ${2:-} in '' | *[!0-9]*) usage ;; esac
		fuzz=$2
		shift 2
		;;
	*) usage ;;
	esac
done

start=$(date +%s)
step() { printf '\n=== [%4ds] %s\n' $(($(date +%s) - start)) "$*"; }

rm -rf "$results"
mkdir -p "$results/bin" "$results/build"
host_ktap=$results/host.ktap
: >"$host_ktap"
host_n=0
# host_result ok|fail NAME [WHY]: record a host-side test.
host_result() {
	host_n=$((host_n + 1))
	if [ "$1" = ok ]; then
		echo "ok $host_n $2" >>"$host_ktap"
		echo "ok: $2"
	else
		echo "not ok $host_n $2${3:+ # $3}" >>"$host_ktap"
		echo "NOT OK: $2${3:+ ($3)}"
	fi
}

# shellcheck source=tests/host-lib.sh
. "$root/tests/host-lib.sh"

step "dependencies (Debian packages)"
tests/rig/deps.sh

step "kernels"
# A kernel that cannot be had fails its lanes (no serial log), not the run.
if kdebug=$(tests/rig/kernel.sh | tail -n 1) && [ -f "$kdebug/bzImage" ]; then
	host_result ok "debug test kernel built or cached"
else
	host_result fail "debug test kernel built or cached" "tests/rig/kernel.sh failed"
	kdebug=/nonexistent
fi
if stock=$(tests/rig/stock.sh); then
	eval "$stock"
	host_result ok "stock kernel and headers present"
else
	host_result fail "stock kernel and headers present"
	STOCK_VER=none STOCK_KDIR=/nonexistent STOCK_MODDIR=/nonexistent STOCK_VMLINUZ=/nonexistent
fi
echo "debug kernel: $kdebug"
echo "stock kernel: $STOCK_VER"
# checkpatch.pl ships only in the kernel source (kept by kernel.sh).
checkpatch=$kdebug/src/scripts/checkpatch.pl
kerneldoc=/usr/lib/linux-kbuild-6.1/scripts/kernel-doc

step "host checks"
if build_module stock "$STOCK_KDIR"; then
	host_result ok "build: module, stock $STOCK_VER, W=1, no warnings"
else
	host_result fail "build: module, stock $STOCK_VER, W=1, no warnings" "see build-stock.log"
fi
if build_module debug "$kdebug/build"; then
	host_result ok "build: module + KUnit, debug kernel, W=1, no warnings"
else
	host_result fail "build: module + KUnit, debug kernel, W=1, no warnings" "see build-debug.log"
fi
if [ -f "$results/build/debug/vmxlab_kunit.ko" ]; then
	host_result ok "build: vmxlab_kunit.ko for the KUnit kernel"
else
	host_result fail "build: vmxlab_kunit.ko for the KUnit kernel"
fi
# sparse (C=2: check every file, not only rebuilt ones); only our files count.
sparse_log=$results/build-sparse.log
if make -C "$kdebug/build" M="$results/build/debug" C=2 modules >"$sparse_log" 2>&1 &&
	! grep -E "^$results/build/debug/.*: (warning|error):" "$sparse_log"; then
	host_result ok "sparse (C=2) clean"
else
	host_result fail "sparse (C=2) clean" "see build-sparse.log"
fi

mapfile -t kfiles < <(find module arch uapi tests/kunit -name '*.[ch]' | sort)
mapfile -t ufiles < <(find userspace tests/helpers tests/tool-unit -name '*.[ch]' | sort)
# checkpatch: kernel style everywhere, with documented exceptions.
# vmx_ops.h's asm-goto label operands (%l[fault]) read to checkpatch as a
# modulo operator (SPACING), and its DEFINE_VMX_INSN() defines whole
# functions, whose own return statements checkpatch takes for flow control
# hidden in a macro (MACRO_WITH_FLOW_CONTROL). msr.c names the MTRRs by
# the kernel's own macros (MSR_MTRRfix64K_00000, MTRRphysBase_MSR()), which
# are CamelCase; in a kernel tree checkpatch knows them, with --no-tree it
# does not (CAMELCASE). Userspace is not kernel code: it has no
# __printf() for __attribute__((format)) (PREFER_DEFINED_ATTRIBUTE_MACRO),
# no BIT() (BIT_MACRO) and no u8/u64 but stdint.h (PREFER_KERNEL_TYPES);
# libc's Elf32_Ehdr and the like are CamelCase (CAMELCASE); and a signal
# handler's flag is volatile sig_atomic_t by the C standard (VOLATILE).
cp_run() { "$checkpatch" --no-tree --strict --terse --show-types "$@" >>"$results/checkpatch.log" 2>&1; }
: >"$results/checkpatch.log"
cp_ok=ok
cp_run -f $(printf '%s\n' "${kfiles[@]}" | grep -v -e vmx_ops.h -e msr.c) || cp_ok=fail
cp_run --ignore SPACING,MACRO_WITH_FLOW_CONTROL -f arch/x86/vmx_ops.h || cp_ok=fail
cp_run --ignore CAMELCASE -f arch/x86/msr.c || cp_ok=fail
cp_run --ignore PREFER_DEFINED_ATTRIBUTE_MACRO,BIT_MACRO,PREFER_KERNEL_TYPES,CAMELCASE,VOLATILE -f "${ufiles[@]}" || cp_ok=fail
if [ $cp_ok = ok ]; then
	host_result ok "checkpatch.pl --strict clean"
else
	grep -vE "^total:" "$results/checkpatch.log" | head -n 30
	host_result fail "checkpatch.pl --strict clean" "see checkpatch.log"
fi
if "$kerneldoc" -none "${kfiles[@]}" >"$results/kernel-doc.log" 2>&1 &&
	! [ -s "$results/kernel-doc.log" ]; then
	host_result ok "kernel-doc -none clean"
else
	head -n 30 "$results/kernel-doc.log"
	host_result fail "kernel-doc -none clean" "see kernel-doc.log"
fi
if tests/check-uapi.sh "$results/uapi" >"$results/uapi.log" 2>&1; then
	host_result ok "uapi header: alone as C90, no holes (pahole)"
else
	cat "$results/uapi.log"
	host_result fail "uapi header: alone as C90, no holes (pahole)" "see uapi.log"
fi
if build_tools; then
	host_result ok "build: tool and test helpers, static, no warnings"
else
	host_result fail "build: tool and test helpers, static, no warnings"
fi
# The PIC and PIT models of `vmxlab run`, on the host (KTAP in the log).
if make -s -C tests/tool-unit O="$results/build" >"$results/tool-unit.log" 2>&1; then
	host_result ok "tool device models (PIC, PIT) unit test"
else
	grep -E "^not ok|^ *#|error|warning" "$results/tool-unit.log" | head -n 30
	host_result fail "tool device models (PIC, PIT) unit test" "see tool-unit.log"
fi

step "installation"
# On a copy of the tree (kbuild's clean of the real one would delete the
# modules in results/). The module DKMS built goes into the stock image,
# for modprobe_dkms, and so do the files dpkg installed, for group_access.
if [ "$STOCK_VER" != none ] &&
	tests/check-install.sh "$results/install" "$STOCK_KDIR" >"$results/install.log" 2>&1; then
	host_result ok "install: one version, make install/uninstall, completion, clean tree, dkms build, dpkg --root"
else
	grep -E "^FAIL" "$results/install.log" | head -n 20
	host_result fail "install: one version, make install/uninstall, completion, clean tree, dkms build, dpkg --root" \
		"see install.log"
fi

dkms_ko=$results/install/dkms/tree/vmxlab/$(cat VERSION)/$STOCK_VER/x86_64/module/vmxlab.ko

step "initramfs images"
# shellcheck disable=SC2046
[ "$STOCK_VER" = none ] || DKMS_KO=$dkms_ko DKMS_KVER=$STOCK_VER PKG_ROOT=$results/install/pkgroot \
	mk_initramfs stock $(stock_kvm_modules)
[ -d "$kdebug" ] && mk_initramfs debug "$kdebug"/modules/*.ko

step "lanes: $lanes"
# run_lane NAME: boot one lane; its serial log and exit status go to results/.
run_lane() {
	local name=$1 emu kernel initrd cpus=1 megs='' script timeout append
	local t0 rc=0
	t0=$(date +%s)
	case $name in
	*-stock*) kernel=$STOCK_VMLINUZ initrd=$results/stock.cpio.zst ;;
	*-debug*) kernel=$kdebug/bzImage initrd=$results/debug.cpio.zst ;;
	esac
	case $name in
	# Time-outs: twice the longest lane measured here (bochs-debug-2cpu
	# took up to 1,276 s with other emulators alongside), as CI machines
	# may be slower; a frozen lane leaves results/LANE.dump.
	bochs-debug-*) emu=bochs script=vmx timeout=2400 ;;
	bochs-*) emu=bochs script=vmx timeout=1500 ;;
	qemu-*) emu=qemu script=novmx timeout=300 ;;
	esac
	append="vmxlab_lane=${script:-} cryptomgr.notests"
	case $name in *-2cpu) cpus=2 ;; esac
	# The full 200 load/unload cycles run on both 1-CPU lanes (the debug
	# one under kmemleak) and on bochs-stock-2cpu. The debug kernel on two
	# emulated CPUs needs ~20 s of host time per cycle (measured), so that
	# lane runs 10.
	[ "$name" = bochs-debug-2cpu ] && append="$append vmxlab_cycles=10"
	if [ "$name" = nested ]; then
		# L0: the stock kernel in Bochs runs KVM; L1, the stock lane's
		# image, runs lane-vmx.sh in QEMU on KVM's nested VMX. L0's /init
		# (tests/guest/l0-init) sets L1's command line.
		emu=bochs cpus=1 megs=1024 timeout=1500
		kernel=$STOCK_VMLINUZ initrd=$results/nested-l0.cpio.zst
		append="loglevel=5 cryptomgr.notests"
		if ! [ -r "$results/stock.cpio.zst" ] ||
			! tests/rig/nested.sh "$results" >"$results/nested.build.log" 2>&1; then
			echo "lane $name: tests/rig/nested.sh failed (see nested.build.log), not booted"
			return
		fi
	fi
	# abi_fuzz's steps (tests/guest/init; nested: l0-init passes it on).
	if [ -n "$fuzz" ]; then
		append="$append vmxlab_fuzz=$fuzz vmxlab_fuzz_seconds=2400"
		timeout=$((timeout + 2700))
	fi
	if ! [ -r "$kernel" ] || ! [ -r "$initrd" ]; then
		echo "lane $name: no kernel or initramfs, not booted"
		return
	fi
	tests/rig/boot-$emu.sh --kernel "$kernel" --initrd "$initrd" \
		--log "$results/$name" --cpus $cpus ${megs:+--megs $megs} --append "$append" \
		--timeout $timeout >"$results/$name.boot.log" 2>&1 || rc=$?
	echo $rc >"$results/$name.status"
	echo "lane $name: exit $rc, $(($(date +%s) - t0)) s"
}
# Two at a time: the machines have two cores and each emulator uses one.
running=0
for lane in $lanes; do
	if [ $running -ge 2 ]; then
		wait -n || true
		running=$((running - 1))
	fi
	run_lane "$lane" &
	running=$((running + 1))
done
wait

step "results"
# shellcheck disable=SC2086
if tests/rig/ktap.py "$results" $lanes; then
	rc=0
else
	rc=1
fi
echo "make check took $(($(date +%s) - start)) s; logs in $results"
exit $rc
