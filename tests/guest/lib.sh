# shellcheck shell=sh
# Test runner for the lane scripts (busybox sh).
#
# A lane script defines t_NAME functions, lists them in ALL_TESTS and calls
# run_tests "$@". Each test prints what it does; the runner prefixes that
# with "# " and reports the test as a KTAP line. tests/rig/ktap.py picks the
# lines marked with $KTAP_MARK out of the serial log, whatever the kernel
# printed in between. A test returns 0 (ok), 77 after printing "SKIP: why"
# (ok # SKIP), anything else: not ok.

KTAP_MARK=VMXLAB-KTAP
DBG=/sys/kernel/debug/vmxlab
MODDIR=/lib/vmxlab

say() { echo "$KTAP_MARK: $*"; }

run_tests() {
	# The runner's own variables have names no test uses: sh variables
	# are global, and a test's "n=..." must not renumber the results.
	[ $# -gt 0 ] || set -- $ALL_TESTS
	say "KTAP version 1"
	say "1..$#"
	_ktap_num=0
	for _ktap_test in "$@"; do
		_ktap_num=$((_ktap_num + 1))
		echo "=== $_ktap_test"
		t_"$_ktap_test" >/tmp/out 2>&1
		_ktap_rc=$?
		sed 's/^/# /' /tmp/out
		case $_ktap_rc in
		0) say "ok $_ktap_num $_ktap_test" ;;
		77) say "ok $_ktap_num $_ktap_test # SKIP $(sed -n 's/^SKIP: //p' /tmp/out | head -n 1)" ;;
		*) say "not ok $_ktap_num $_ktap_test" ;;
		esac
	done
}

# fail MSG: print why and return 1 (use as: cond || { fail "..."; return 1; })
fail() { echo "FAIL: $*"; return 1; }

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		echo "$1 = $2"
		return 0
	fi
	echo "FAIL: $1 is '$2', expected '$3'"
	return 1
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

dbg() { cat "$DBG/$1" 2>/dev/null || echo "?"; }

cpus_online() { grep -c ^processor /proc/cpuinfo; }

vmx_on_is() { [ "$(dbg vmx_on_cpus)" = "$1" ]; }

# Kernel log lines that mean a kernel bug, wherever they came from (keep in
# step with SPLAT in tests/rig/ktap.py).
SPLAT_RE='WARNING:|BUG:|Oops|Call Trace|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|INFO: lockdep|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|unreferenced object|general protection fault|Kernel panic|sleeping function called from invalid context|list_add corruption|list_del corruption|rcu_sched detected stall|soft lockup|blocked for more than'

# dmesg_mark / dmesg_since: kernel log lines printed after the mark.
dmesg_mark() { DMESG_MARK=$(dmesg | wc -l); }
dmesg_since() { dmesg | tail -n +$((DMESG_MARK + 1)); }

# modload, not busybox insmod: see tests/helpers/modload.c.
load_vmxlab() { modload "$MODDIR/vmxlab.ko" "$@"; }
unload_vmxlab() { ! [ -d /sys/module/vmxlab ] || rmmod vmxlab; }

# Shared last test of every lane: the kernel log has no splat.
t_dmesg_clean() {
	if dmesg | grep -E "$SPLAT_RE"; then
		fail "the kernel log has the splats above"
		return 1
	fi
	echo "no splats in $(dmesg | wc -l) kernel log lines"
}
