#!/bin/sh
# The VMX lane: runs in an emulated machine that has VMX (Bochs; later also
# KVM's nested VMX). Usage: lane-vmx.sh [TEST...] (default: all, in order;
# later tests expect the module state earlier ones leave behind, so run one
# by hand after module_load).
. /tests/lib.sh
# The run_* tests: guests under `vmxlab run` (tests/guests).
. /tests/guests.sh

# The run_* tests need the module as module_load leaves it and leave it so
# (no VM, VMX off: run_all_gone checks), before vmx_on_off counts VMXONs.
# GUEST_TESTS: the run_* tests in the order of the table in guests.sh, and
# abi_fuzz (after run_abi_misuse) among them.
ALL_TESTS="module_load api_version caps_report abi group_access modprobe_dkms
$GUEST_TESTS
path_gate
vmx_on_off multi_vm cpu_hotplug always_on kvm_blocks_vmxlab vmxlab_blocks_kvm
bench_compare mitigations
unload_busy load_cycles no_leaks dmesg_clean poweroff_under_guest"

# Number of load/create/destroy/unload cycles in load_cycles.
CYCLES=${VMXLAB_CYCLES:-200}
# Steps and time limit of abi_fuzz (vmxlab_fuzz=N, vmxlab_fuzz_seconds=S on
# the kernel command line; `make soak` sets both).
FUZZ_ITERATIONS=${VMXLAB_FUZZ_ITERATIONS:-10000}
FUZZ_SECONDS=${VMXLAB_FUZZ_SECONDS:-120}
# Its seed (vmxlab_fuzz_seed=N): a new one each run unless given;
# vmxlab_fuzz_trace=1: it prints every step.
FUZZ_SEED=${VMXLAB_FUZZ_SEED:-}
FUZZ_TRACE=${VMXLAB_FUZZ_TRACE:-0}

t_module_load() {
	dmesg_mark
	load_vmxlab || { fail "insmod vmxlab.ko failed"; return 1; }
	dmesg_since | grep vmxlab
	[ -c /dev/vmxlab ] || { fail "no /dev/vmxlab"; return 1; }
	dmesg_since | grep -q "vmxlab: ready" || { fail "no 'ready' line"; return 1; }
	expect_eq "vmx_on_cpus after load" "$(dbg vmx_on_cpus)" 0
}

t_api_version() {
	vmxlab version | tee /tmp/v.out || return 1
	grep -q "kernel module: ABI version 1" /tmp/v.out ||
		{ fail "kernel ABI version not reported"; return 1; }
}

t_caps_report() {
	vmxlab caps >/tmp/caps.txt || { fail "vmxlab caps failed"; return 1; }
	cat /tmp/caps.txt
	for f in "EPT" "unrestricted guest" "VPID" "VMX-preemption timer"; do
		grep -Eq "^ +[0-9]+  $f +yes$" /tmp/caps.txt ||
			{ fail "caps: vmxlab does not use '$f'"; return 1; }
	done
	grep -Eq "VMCS revision identifier +0x[0-9a-f]+" /tmp/caps.txt ||
		{ fail "no VMCS revision"; return 1; }
	vmxlab caps --json >/tmp/caps.json || { fail "caps --json failed"; return 1; }
	# tests/rig/ktap.py saves what stands between these markers.
	echo "VMXLAB-CAPS-JSON-BEGIN"
	cat /tmp/caps.json
	echo "VMXLAB-CAPS-JSON-END"
	grep -q '"features": \[.*"EPT", "unrestricted guest", "VPID"' /tmp/caps.json ||
		{ fail "JSON features lack EPT, unrestricted guest, VPID"; return 1; }
}

t_abi() {
	vmxlab-abi-test
}

# /dev/vmxlab as installed (Documentation/install.rst): root's only as the
# module makes it, then with the group and mode of the udev rule (this image
# has no udev): a user outside the group gets EACCES and a message naming
# the group, a member runs a guest. User u1000 (uid 1000) through busybox su.
# The stock image holds what dpkg installed from the .deb into a scratch
# root (/pkg: the packaged tool, its udev rule, and /etc/group with the
# group its postinst made); the test runs that tool with that group. Other
# images: the rule from the tree, the test build, gid 990.
t_group_access() {
	if [ -x /pkg/usr/bin/vmxlab ]; then
		_rules=/pkg/lib/udev/rules.d/60-vmxlab.rules _tool=/pkg/usr/bin/vmxlab
		echo "the package as dpkg installed it: $_tool"
	else
		_rules=/etc/60-vmxlab.rules _tool=vmxlab
		echo "no package in this image: the rule from the tree, the test build"
	fi
	_grp=$(sed -n 's/.*GROUP="\([^"]*\)".*/\1/p' $_rules)
	_mode=$(sed -n 's/.*MODE="\([0-7]*\)".*/\1/p' $_rules)
	[ -n "$_grp" ] && [ -n "$_mode" ] || { fail "no GROUP and MODE in $_rules"; return 1; }
	_gid=990
	if [ -x /pkg/usr/bin/vmxlab ]; then
		_gid=$(awk -F: -v g="$_grp" '$1 == g { print $3 }' /pkg/etc/group)
		[ -n "$_gid" ] || { fail "the package's postinst made no group $_grp"; return 1; }
	fi
	echo "rule: group $_grp (gid $_gid), mode $_mode"
	echo "u1000:x:1000:1000::/tmp:/bin/sh" >/etc/passwd
	printf 'root:x:0:\nu1000:x:1000:\n%s:x:%s:\n' "$_grp" "$_gid" >/etc/group
	expect_eq "device mode as loaded" "$(stat -c %a /dev/vmxlab)" 600 || { _ga_undo; return 1; }
	su -s /bin/sh u1000 -c "$_tool caps" >/tmp/ga.out 2>&1 &&
		{ fail "u1000 opened a root-only device"; _ga_undo; return 1; }
	cat /tmp/ga.out
	grep -q "permission denied: it is root's only" /tmp/ga.out ||
		{ fail "no 'root's only' message"; _ga_undo; return 1; }
	chgrp "$_gid" /dev/vmxlab && chmod "$_mode" /dev/vmxlab
	su -s /bin/sh u1000 -c "$_tool caps" >/tmp/ga.out 2>&1 &&
		{ fail "a user outside group $_grp opened it"; _ga_undo; return 1; }
	cat /tmp/ga.out
	grep -q "permission denied: it belongs to group $_grp (mode 0${_mode#0})" /tmp/ga.out ||
		{ fail "the message does not name group $_grp"; _ga_undo; return 1; }
	# A member; RLIMIT_MEMLOCK raised for the guest's 4 MiB (root may).
	printf 'root:x:0:\nu1000:x:1000:\n%s:x:%s:u1000\n' "$_grp" "$_gid" >/etc/group
	(ulimit -l 16384 && su -s /bin/sh u1000 -c \
		"id; $_tool run --mem 4M --timeout 60 /guests/hello-real.bin") >/tmp/ga.out 2>&1
	_rc=$?
	cat /tmp/ga.out
	_ga_undo
	expect_eq "a member's guest run, status" "$_rc" 33 || return 1
	grep -qx "hello from real mode" /tmp/ga.out || { fail "no guest output"; return 1; }
}
# The module DKMS built from the package's sources (tests/check-install.sh;
# stock images only), loaded as an installed one is: modprobe, by name. It
# runs a guest; then the test build is loaded again for the tests after.
t_modprobe_dkms() {
	_ko=/lib/modules/$(uname -r)/updates/dkms/vmxlab.ko
	if ! [ -f "$_ko" ]; then
		echo "SKIP: no module built by DKMS for $(uname -r) in this image"
		return 77
	fi
	unload_vmxlab || { fail "rmmod vmxlab"; return 1; }
	modprobe vmxlab || { fail "modprobe vmxlab"; load_vmxlab; return 1; }
	echo "modprobe vmxlab: version $(cat /sys/module/vmxlab/version)"
	vmxlab run --mem 4M --timeout 60 /guests/hello-real.bin >/tmp/mp.out 2>&1
	_rc=$?
	cat /tmp/mp.out
	rmmod vmxlab && load_vmxlab || { fail "back to the test build"; return 1; }
	expect_eq "guest run with the DKMS module, status" "$_rc" 33 || return 1
	grep -qx "hello from real mode" /tmp/mp.out || { fail "no guest output"; return 1; }
}

_ga_undo() { chgrp 0 /dev/vmxlab; chmod 600 /dev/vmxlab; rm -f /etc/group /etc/passwd; }

# The exact path-length gate (Documentation/exit-latency.rst, "The
# path-length gate"). In Bochs one tick is one instruction, so the median
# of each `vmxlab bench` round trip is the length of a path. Compared with
# /tests/bench-baseline.txt (tests/bench-baseline.txt) for this kernel
# release: above the baseline by more than 1 % or 5 ticks, whichever is
# more, fails; below it is reported, for the baseline to follow. For a
# release the file does not know, the lines to add are printed and the
# test is skipped. Only in Bochs (no hypervisor bit: nested VMX is no
# instruction counter) with one CPU.
t_path_gate() {
	if grep -qw hypervisor /proc/cpuinfo || [ "$(cpus_online)" != 1 ]; then
		echo "SKIP: path lengths are exact only in Bochs with one CPU"
		return 77
	fi
	_rel=$(uname -r)
	vmxlab bench --iterations 200 --json /tmp/bench.json >/tmp/bench.out 2>&1 ||
		{ cat /tmp/bench.out; fail "vmxlab bench failed"; return 1; }
	cat /tmp/bench.out
	sed -n 's/.*"name": "\([a-z_-]*\)", .*"p50": \([0-9]*\),.*/\1 \2/p' /tmp/bench.json \
		>/tmp/bench.p50
	[ -s /tmp/bench.p50 ] || { fail "no p50 in vmxlab bench's JSON"; return 1; }
	if ! grep -q "^$_rel " /tests/bench-baseline.txt; then
		echo "no baseline for kernel $_rel; the lines for tests/bench-baseline.txt:"
		sed "s/^/$_rel /" /tmp/bench.p50
		echo "SKIP: no baseline for kernel $_rel"
		return 77
	fi
	awk -v rel="$_rel" 'NR == FNR { if ($1 == rel) base[$2] = $3; next }
		{
			b = base[$1]
			if (b == "") { print "FAIL " $1 ": not in the baseline"; next }
			slack = b / 100 > 5 ? b / 100 : 5
			if ($2 > b + slack)
				print "FAIL " $1 ": " $2 " ticks, baseline " b
			else if ($2 != b)
				print "note " $1 ": " $2 " ticks, baseline " b " (within " int(slack) ")"
			else
				print "same " $1 ": " $2 " ticks"
		}' /tests/bench-baseline.txt /tmp/bench.p50 >/tmp/gate.out
	cat /tmp/gate.out
	if grep -q '^FAIL' /tmp/gate.out; then
		fail "path lengths above tests/bench-baseline.txt: $(grep -c '^FAIL' /tmp/gate.out) benchmarks (a commit that lengthens a path updates the baseline and says why)"
		return 1
	fi
}

# The ABI fuzzer (tests/helpers/abi-fuzz.c): random ioctls, arguments,
# guest states and run-page scribbles from a seeded generator, every result
# checked against Documentation/abi.rst; it leaves no VM behind. It stops
# after FUZZ_ITERATIONS steps or 120 s, whichever comes first; SIGKILL
# (status 137) at 300 s in case it hangs despite its own 30 s watchdog
# (status 3). A failure prints its seed: vmxlab-abi-fuzz --seed N replays it.
# Its output goes straight to the console: the runner shows a test's output
# only once the test ends, and a run that hangs must still have said its
# seed and how far it got.
t_abi_fuzz() {
	echo "abi_fuzz: output on the console, lines 'abi-fuzz: ...'"
	timeout -s KILL $((FUZZ_SECONDS + 180)) vmxlab-abi-fuzz \
		${FUZZ_SEED:+--seed "$FUZZ_SEED"} --trace "$FUZZ_TRACE" \
		--iterations "$FUZZ_ITERATIONS" --seconds "$FUZZ_SECONDS" >/dev/console 2>&1
}

# hold_vms N: start `vmxlab probe` holding N VMs; sets HOLD_PID.
hold_vms() {
	rm -f /tmp/hold.out
	vmxlab probe --vms "$1" --hold 3600 >/tmp/hold.out 2>&1 &
	HOLD_PID=$!
	wait_for 60 grep -q holding /tmp/hold.out ||
		{ cat /tmp/hold.out; fail "vmxlab probe did not create $1 VMs"; return 1; }
}

release_vms() {
	kill "$HOLD_PID"
	wait "$HOLD_PID" 2>/dev/null
	cat /tmp/hold.out
}

t_vmx_on_off() {
	n=$(cpus_online)
	expect_eq "vmx_on_cpus before" "$(dbg vmx_on_cpus)" 0 || return 1
	on0=$(dbg vmxon_total)
	off0=$(dbg vmxoff_total)
	hold_vms 1 || return 1
	expect_eq "vmx_on_cpus with a VM" "$(dbg vmx_on_cpus)" "$n" || return 1
	expect_eq "vms" "$(dbg vms)" 1 || return 1
	release_vms
	expect_eq "vmx_on_cpus after" "$(dbg vmx_on_cpus)" 0 || return 1
	expect_eq "VMXONs" $(($(dbg vmxon_total) - on0)) "$n" || return 1
	expect_eq "VMXOFFs" $(($(dbg vmxoff_total) - off0)) "$n" || return 1
	# The tool's own view of the same (what `make demo` shows).
	vmxlab probe | tee /tmp/p.out || return 1
	grep -q "while VMs exist: *VMX on in $n of $n" /tmp/p.out ||
		{ fail "probe did not see VMX on in all CPUs"; return 1; }
}

t_multi_vm() {
	n=$(cpus_online)
	hold_vms 16 || return 1
	expect_eq "vms" "$(dbg vms)" 16 || return 1
	expect_eq "vmx_users" "$(dbg vmx_users)" 16 || return 1
	expect_eq "vmx_on_cpus" "$(dbg vmx_on_cpus)" "$n" || return 1
	release_vms
	expect_eq "vms after" "$(dbg vms)" 0 || return 1
	expect_eq "vmx_users after" "$(dbg vmx_users)" 0 || return 1
	expect_eq "vmx_on_cpus after" "$(dbg vmx_on_cpus)" 0
}

t_cpu_hotplug() {
	n=$(cpus_online)
	c=/sys/devices/system/cpu/cpu1/online
	if [ "$n" -lt 2 ] || ! [ -w $c ]; then
		echo "SKIP: needs a second CPU that can go offline"
		return 77
	fi
	# No VM: CPU1 goes and comes back with VMX off.
	echo 0 >$c || { fail "offline CPU1"; return 1; }
	echo 1 >$c || { fail "online CPU1"; return 1; }
	expect_eq "vmx_on_cpus, no VM" "$(dbg vmx_on_cpus)" 0 || return 1
	# With a VM: CPU1 leaves VMX when it goes, re-enters when it comes.
	hold_vms 1 || return 1
	expect_eq "vmx_on_cpus" "$(dbg vmx_on_cpus)" "$n" || return 1
	echo 0 >$c || { fail "offline CPU1 with a VM"; return 1; }
	expect_eq "vmx_on_cpus, CPU1 offline" "$(dbg vmx_on_cpus)" $((n - 1)) || return 1
	echo 1 >$c || { fail "online CPU1 with a VM"; return 1; }
	expect_eq "vmx_on_cpus, CPU1 back" "$(dbg vmx_on_cpus)" "$n" || return 1
	release_vms
	expect_eq "vmx_on_cpus after" "$(dbg vmx_on_cpus)" 0
}

t_always_on() {
	n=$(cpus_online)
	unload_vmxlab || { fail "rmmod"; return 1; }
	load_vmxlab vmx_always_on=1 || { fail "insmod vmx_always_on=1"; return 1; }
	expect_eq "vmx_on_cpus, no VM" "$(dbg vmx_on_cpus)" "$n" || return 1
	expect_eq "vmx_users" "$(dbg vmx_users)" 1 || return 1
	vmxlab probe >/dev/null || { fail "probe with VMX always on"; return 1; }
	expect_eq "vmx_on_cpus after a VM" "$(dbg vmx_on_cpus)" "$n" || return 1
	rmmod vmxlab || { fail "rmmod with VMX on"; return 1; }
	load_vmxlab || { fail "insmod"; return 1; }
	expect_eq "vmx_on_cpus after reload" "$(dbg vmx_on_cpus)" 0
}

load_kvm() {
	[ -d /sys/module/kvm_intel ] && return 0
	if [ -f /lib/kvm/irqbypass.ko ] && ! [ -d /sys/module/irqbypass ]; then
		insmod /lib/kvm/irqbypass.ko || return 1
	fi
	insmod /lib/kvm/kvm.ko && insmod /lib/kvm/kvm-intel.ko
}

t_kvm_blocks_vmxlab() {
	load_kvm || { fail "cannot load kvm_intel"; return 1; }
	kvm-hold 3600 >/tmp/kvm.out 2>&1 &
	pid=$!
	wait_for 60 grep -q holding /tmp/kvm.out ||
		{ cat /tmp/kvm.out; fail "KVM did not create a VM"; return 1; }
	dmesg_mark
	vmxlab probe >/tmp/p.out 2>&1
	rc=$?
	cat /tmp/p.out
	dmesg_since | grep vmxlab
	expect_eq "vmxlab probe status while KVM holds VMX" $rc 1 || return 1
	grep -q "kvm_intel is loaded" /tmp/p.out ||
		{ fail "the tool did not name kvm_intel"; return 1; }
	dmesg_since | grep -q "vmxlab: VMX is in use by another hypervisor" ||
		{ fail "no kernel message naming the conflict"; return 1; }
	expect_eq "vms" "$(dbg vms)" 0 || return 1
	expect_eq "vmx_users" "$(dbg vmx_users)" 0 || return 1
	expect_eq "vmx_on_cpus" "$(dbg vmx_on_cpus)" 0 || return 1
	kill $pid
	wait $pid 2>/dev/null
	vmxlab probe >/dev/null || { fail "vmxlab after KVM's VM is gone"; return 1; }
	echo "vmxlab works again once KVM's VM is gone"
}

# vmxlab bench --compare: the same bench guests on vmxlab and then on KVM
# (/dev/kvm) in one command. Each side must have run every iteration of
# each guest to its end, and the comparison must name both medians.
t_bench_compare() {
	load_kvm || { fail "cannot load kvm_intel"; return 1; }
	vmxlab bench --compare --iterations 50 --json /tmp/cmp.json cpuid out run-ioctl \
		>/tmp/cmp.out 2>&1
	rc=$?
	cat /tmp/cmp.out
	rmmod kvm_intel && rmmod kvm
	[ -d /sys/module/irqbypass ] && rmmod irqbypass
	expect_eq "vmxlab bench --compare status" $rc 0 || return 1
	for b in cpuid out run-ioctl; do
		line=$(grep -E "^$b +[0-9]+ +[0-9]+ +[0-9.]+$" /tmp/cmp.out) ||
			{ fail "no comparison line for $b"; return 1; }
		set -- $line
		[ "$2" -gt 0 ] && [ "$3" -gt 0 ] ||
			{ fail "$b: a median of 0 ticks: $line"; return 1; }
	done
	expect_eq "backends in the JSON" \
		"$(grep -o '"backend": "[a-z]*"' /tmp/cmp.json | tr '\n' ' ')" \
		'"backend": "vmxlab" "backend": "kvm" ' || return 1
	expect_eq "benchmarks of 50 samples in the JSON" \
		"$(grep -c '"n": 50,' /tmp/cmp.json)" 6
}

# caps_line NAME: "yes" or "no" from vmxlab caps' line for NAME.
caps_line() {
	grep -E "^ +[0-9]+  $1 +(yes|no)$" /tmp/caps.txt | awk '{ print $NF }'
}

# The mitigations vmxlab applies around entry and exit are those kvm_intel
# applies on this kernel (Documentation/vm-exit.rst, "Mitigations"): its
# L1D flush policy is kvm_intel's vmentry_l1d_flush, VERW runs where the
# kernel clears CPU buffers, the RSB is filled where it fills it.
t_mitigations() {
	load_kvm || { fail "cannot load kvm_intel"; return 1; }
	vmxlab caps >/tmp/caps.txt || { fail "vmxlab caps failed"; return 1; }
	grep -A9 "^Speculative-execution mitigations" /tmp/caps.txt
	v=/sys/devices/system/cpu/vulnerabilities
	for f in mds spectre_v2 l1tf; do
		echo "kernel $f: $(cat $v/$f 2>/dev/null)"
	done
	kvm_l1d=$(cat /sys/module/kvm_intel/parameters/vmentry_l1d_flush)
	echo "kvm_intel vmentry_l1d_flush: $kvm_l1d"
	cond=$(caps_line "L1D flushed before VM entry when needed \\(cond\\)")
	always=$(caps_line "L1D flushed before every VM entry \\(always\\)")
	case $kvm_l1d in
	cond) want="yes no" ;;
	always) want="no yes" ;;
	*) want="no no" ;;
	esac
	expect_eq "L1D flush (cond, always) as kvm_intel's" "$cond $always" "$want" || return 1
	verw=$(caps_line "VERW clears CPU buffers before VM entry")
	case $(cat $v/mds 2>/dev/null) in
	*"Clear CPU buffers"*) want=yes ;;
	*) want=$verw; echo "(MDS: no VERW expected or required)" ;;
	esac
	expect_eq "VERW before entry where the kernel clears CPU buffers" "$verw" "$want" || return 1
	rsb=$(caps_line "RSB filled after VM exit")
	lite=$(caps_line "RSB: one entry after VM exit \\(eIBRS\\)")
	case $(cat $v/spectre_v2 2>/dev/null) in
	*"RSB filling"*)
		[ "$rsb" = yes ] || [ "$lite" = yes ] ||
			{ fail "the kernel fills the RSB, vmxlab does not after VM exit"; return 1; }
		echo "RSB filled after VM exit, as the kernel does"
		;;
	esac
	rmmod kvm_intel && rmmod kvm
	[ -d /sys/module/irqbypass ] && rmmod irqbypass
	return 0
}

t_vmxlab_blocks_kvm() {
	load_kvm || { fail "cannot load kvm_intel"; return 1; }
	hold_vms 1 || return 1
	kvm-hold 0 >/tmp/kvm.out 2>&1
	rc=$?
	cat /tmp/kvm.out
	expect_eq "kvm-hold status while vmxlab holds VMX (3: EBUSY)" $rc 3 || return 1
	# The host is unharmed: processes run, files work.
	echo alive >/tmp/alive && [ "$(cat /tmp/alive)" = alive ] ||
		{ fail "host not working"; return 1; }
	expect_eq "vmx_on_cpus" "$(dbg vmx_on_cpus)" "$(cpus_online)" || return 1
	release_vms
	kvm-hold 0 || { fail "KVM after vmxlab's VM is gone"; return 1; }
	echo "KVM works again once vmxlab's VM is gone"
	rmmod kvm_intel && rmmod kvm || { fail "rmmod kvm"; return 1; }
	[ -d /sys/module/irqbypass ] && rmmod irqbypass
	return 0
}

t_unload_busy() {
	hold_vms 1 || return 1
	if rmmod vmxlab 2>/tmp/rm.out; then
		fail "rmmod succeeded with a VM open"
		return 1
	fi
	cat /tmp/rm.out
	release_vms
	rmmod vmxlab || { fail "rmmod after the VM closed"; return 1; }
	[ -e /dev/vmxlab ] && { fail "/dev/vmxlab still there"; return 1; }
	load_vmxlab || { fail "insmod"; return 1; }
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# Free memory in kB: MemFree plus the pages parked on the per-CPU free lists
# (/proc/zoneinfo "count:"), which MemFree leaves out. Without them a page
# freed on another CPU looks like a leak (seen: 1.8 MB with 2 CPUs).
free_kb() {
	mf=$(sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo)
	pcp=$(awk '/^ +count:/ { s += $2 } END { print s + 0 }' /proc/zoneinfo)
	echo $((mf + pcp * 4))
}

# What the kernel's memory looked like (meminfo, slabs by active objects
# times object size, vmalloc bytes by caller) into file $1: load_cycles
# prints what changed between two, so that a drop says where the memory
# went.
mem_snapshot() {
	{
		awk '{ print "meminfo", $1, $2 }' /proc/meminfo
		awk 'NR > 2 { print "slab", $1, $2 * $4 / 1024 }' /proc/slabinfo
		awk '{ c = $3; sub(/\+.*/, "", c); v[c] += $2 / 1024 }
			END { for (k in v) print "vmalloc", k, v[k] }' /proc/vmallocinfo
	} 2>/dev/null | sort >"$1"
}

# Lines of snapshots $1 and $2 whose value (kB) changed by 64 or more.
mem_changes() {
	awk 'NR == FNR { a[$1 " " $2] = $3; next }
		{ k = $1 " " $2; d = $3 - a[k]; delete a[k]
		  if (d >= 64 || d <= -64) printf "  %s: %+d kB\n", k, d }
		END { for (k in a) if (a[k] >= 64) printf "  %s: gone (%d kB)\n", k, a[k] }' "$1" "$2"
}

# One batch of $CYCLES cycles of load, 2 VMs created and destroyed, unload;
# prints the change of free memory and what else changed, and sets
# $dropped to the drop of free memory in kB.
load_cycles_batch() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	mem_snapshot /tmp/mem0
	free0=$(free_kb)
	i=0
	while [ $i -lt $CYCLES ]; do
		load_vmxlab || { fail "cycle $i: insmod"; return 1; }
		vmxlab probe --vms 2 >/tmp/p.out 2>&1 ||
			{ cat /tmp/p.out; fail "cycle $i: VM create/destroy"; return 1; }
		rmmod vmxlab || { fail "cycle $i: rmmod"; return 1; }
		i=$((i + 1))
	done
	echo "$CYCLES cycles of load, 2 VMs created and destroyed, unload"
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
	free1=$(free_kb)
	mem_snapshot /tmp/mem1
	dropped=$((free0 - free1))
	echo "free memory (MemFree + per-CPU lists) before $free0 kB, after $free1 kB"
	echo "what changed by 64 kB or more:"
	mem_changes /tmp/mem0 /tmp/mem1
}

# A leak grows with the cycles; the rest of the kernel allocates now and
# then for its own reasons (a direct-map split, a cache refill, a worker:
# one CI run saw 2.9 MB go once, and not again in the next batch). So a
# batch that loses 512 kB or more is followed by a second one, and only a
# second loss fails. A leaked VMXON region per cycle would cost 200 pages
# (800 kB) in every batch.
t_load_cycles() {
	unload_vmxlab || { fail "rmmod"; return 1; }
	[ -w $KMEMLEAK ] && echo clear >$KMEMLEAK
	load_cycles_batch || return 1
	if [ $dropped -ge 512 ]; then
		echo "free memory dropped by $dropped kB: a second batch"
		load_cycles_batch || return 1
		[ $dropped -lt 512 ] ||
			{ fail "free memory dropped by $dropped kB in the second batch too"; return 1; }
	fi
	load_vmxlab || { fail "insmod"; return 1; }
}

t_no_leaks() {
	if ! [ -w $KMEMLEAK ]; then
		echo "SKIP: no kmemleak in this kernel (load_cycles checked MemFree)"
		return 77
	fi
	# kmemleak does not report objects younger than 5 s.
	sleep 6
	# A kmemleak that disabled itself refuses scans and reports nothing:
	# that must fail, not pass.
	echo scan >$KMEMLEAK && echo scan >$KMEMLEAK ||
		{ fail "kmemleak refused to scan (disabled?)"; return 1; }
	cat $KMEMLEAK >/tmp/leaks
	if [ -s /tmp/leaks ]; then
		cat /tmp/leaks
		fail "kmemleak reports leaks since load_cycles began"
		return 1
	fi
	echo "kmemleak: no leaks"
}

# Last, because it leaves a guest running: the lane's power-off (init's
# poweroff -f) happens while a vCPU spins with IF=0, so the reboot notifier
# switches VMX off on every CPU under a running vCPU. The vCPU must stop
# cleanly (RUN returns ESHUTDOWN) and the machine power off: ktap.py checks
# that "reboot: Power down" follows the marker line below and that the
# log has no splat (a VMX instruction faulting after the VMXOFF without
# its fixup, or reporting it recursively, would oops here).
t_poweroff_under_guest() {
	[ -d /sys/module/vmxlab ] || load_vmxlab ||
		{ fail "insmod vmxlab.ko failed"; return 1; }
	vmxlab run --mem "$GUEST_MEM" --timeout 600 /guests/spin.bin \
		>/tmp/poff.out 2>/dev/console &
	wait_for 60 grep -q "^spin:" /tmp/poff.out ||
		{ fail "the guest did not start"; return 1; }
	expect_eq "debugfs vms" "$(dbg vms)" 1 || return 1
	echo "VMXLAB-POWEROFF-GUEST: a guest spins with IF=0 (pid $!) while the lane powers off"
}

run_tests "$@"
