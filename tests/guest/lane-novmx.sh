#!/bin/sh
# The no-VMX lane: runs under QEMU TCG, whose CPU has no VMX. Loading must
# fail cleanly; the KUnit suites (pure logic) run here too.
. /tests/lib.sh

ALL_TESTS="novmx_load_fails novmx_tool kunit dmesg_clean"

t_novmx_load_fails() {
	dmesg_mark
	if insmod $MODDIR/vmxlab.ko 2>/tmp/ins.out; then
		fail "vmxlab.ko loaded on a CPU without VMX"
		return 1
	fi
	cat /tmp/ins.out
	grep -q "No such device" /tmp/ins.out ||
		{ fail "insmod did not fail with ENODEV"; return 1; }
	dmesg_since | grep vmxlab >/tmp/log
	cat /tmp/log
	expect_eq "vmxlab kernel log lines" "$(wc -l </tmp/log)" 1 || return 1
	grep -q "vmxlab: no VMX on this CPU" /tmp/log ||
		{ fail "the line does not say there is no VMX"; return 1; }
	[ -e /dev/vmxlab ] && { fail "/dev/vmxlab exists"; return 1; }
	[ -d /sys/module/vmxlab ] && { fail "module is loaded"; return 1; }
	return 0
}

t_novmx_tool() {
	vmxlab caps >/tmp/out.txt 2>&1
	rc=$?
	cat /tmp/out.txt
	expect_eq "vmxlab caps status" $rc 1 || return 1
	grep -q "module is not loaded" /tmp/out.txt ||
		{ fail "the tool does not say the module is not loaded"; return 1; }
}

t_kunit() {
	if ! [ -f $MODDIR/vmxlab_kunit.ko ]; then
		echo "SKIP: this kernel has no KUnit"
		return 77
	fi
	insmod $MODDIR/vmxlab_kunit.ko || { fail "insmod vmxlab_kunit.ko"; return 1; }
	found=0
	for r in /sys/kernel/debug/kunit/vmxlab_*/results; do
		[ -f "$r" ] || continue
		found=1
		# tests/rig/ktap.py counts every case between these markers.
		echo "VMXLAB-KUNIT-BEGIN"
		cat "$r"
		echo "VMXLAB-KUNIT-END"
		grep -q "not ok" "$r" && { fail "a KUnit case failed"; return 1; }
	done
	[ $found = 1 ] || { fail "no vmxlab KUnit results in debugfs"; return 1; }
	rmmod vmxlab_kunit
}

run_tests "$@"
