#!/bin/sh
# The no-VMX lane: runs under QEMU TCG, whose CPU has no VMX. Loading must
# fail cleanly; the KUnit suites (pure logic) run here too.
. /tests/lib.sh

ALL_TESTS="novmx_load_fails novmx_tool kunit dmesg_clean"

t_novmx_load_fails() {
	dmesg_mark
	if modload $MODDIR/vmxlab.ko 2>/tmp/ins.out; then
		fail "vmxlab.ko loaded on a CPU without VMX"
		return 1
	fi
	cat /tmp/ins.out
	grep -q "No such device" /tmp/ins.out ||
		{ fail "insmod did not fail with ENODEV"; return 1; }
	# The kernel's own notices about the first out-of-tree or unsigned
	# module ("loading out-of-tree module taints kernel") are not vmxlab's.
	dmesg_since | grep vmxlab | grep -v "taints kernel\|tainting kernel" >/tmp/log
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
	dmesg_mark
	modload $MODDIR/vmxlab_kunit.ko || { fail "load vmxlab_kunit.ko"; return 1; }
	# KUnit's KTAP as the kernel logged it, timestamps removed. (The
	# debugfs results files keep only the last case of a parameterised
	# test in 6.1, so they cannot be counted.) tests/rig/ktap.py counts
	# every case between these markers.
	dmesg_since | sed 's/^\[[^]]*\] //' >/tmp/kunit.ktap
	echo "VMXLAB-KUNIT-BEGIN"
	cat /tmp/kunit.ktap
	echo "VMXLAB-KUNIT-END"
	grep -q "# Subtest: vmxlab_" /tmp/kunit.ktap ||
		{ fail "no vmxlab KUnit suite ran"; return 1; }
	! grep -q "not ok" /tmp/kunit.ktap || { fail "a KUnit case failed"; return 1; }
	rmmod vmxlab_kunit
}

run_tests "$@"
