#!/bin/sh
# `make check-kut` (tests/kut.sh): each kvm-unit-tests entry listed in
# /kut/entries under `vmxlab run --lapic`, the way the suite's own runner
# (x86/run) runs it under QEMU: the image as a Multiboot kernel whose command
# line starts with its path (argv[0]) and goes on with the entry's
# test_args, the environment as the one Multiboot module (NR_CPUS=1 and the
# memory, which QEMU's fw_cfg would otherwise give, and TEST_DEVICE=0: there
# is no QEMU test device), the memory the entry
# asks for, its time-out in the rig's own (virtual) time.
#
# /kut/entries: one entry per line, fields separated by '|':
# NAME|FILE|MEMORY_MB|TIMEOUT_S|TEST_ARGS
# For each entry the lane prints one line
# "kut-result: NAME|RESULT|STATUS|SUMMARY|WHY|SECONDS" (RESULT PASS, FAIL,
# SKIP, ABORT or TIMEOUT, STATUS the tool's exit status, SUMMARY the suite's
# own "SUMMARY:" line, SECONDS the run's time in the rig) and, for an entry
# that did not pass or skip, the lines that say why; "kut-vmexit: NAME
# TICKS" for the figures the vmexit entries print. With /kut/kvm-entries
# (make check-kut KUT_KVM=...), those entries run again under KVM and QEMU
# in the same boot, reported as "kut-kvm-result:" and "kut-kvm-vmexit:". The host side makes the table of them.
. /tests/lib.sh

dmesg -n 1
echo "=== kvm-unit-tests under vmxlab: $(uname -r), $(cpus_online) CPU"
# The L1D flush off on both sides, as in make bench (the rig's CPU has no
# flush MSR, and a software flush would swamp the vmexit figures).
if ! load_vmxlab vmentry_l1d_flush=never; then
	echo "kut: cannot load vmxlab.ko"
	echo "=== end of kvm-unit-tests"
	exit 1
fi

# The status of `vmxlab run` as the suite reads QEMU's: the guest's exit(V)
# is (V << 1) | 1, report_summary() gives 0 (PASS), 77 >> 1 (all skipped)
# or 1 (failures), abort() 63; even statuses are vmxlab's own (vmxlab.1),
# 124 is timeout(1)'s (QEMU has no time-out of its own).
verdict() {
	case $1 in
	1) echo PASS ;;
	77) echo SKIP ;;
	127) echo ABORT ;;
	4 | 124) echo TIMEOUT ;;
	*) echo FAIL ;;
	esac
}

# run_vmxlab NAME FILE MEM TIMEOUT ARGS: one entry under vmxlab, output in
# /tmp/kut.out, its exit status returned.
run_vmxlab() {
	echo "--- $1: vmxlab run --lapic --mem ${3}M --timeout $4 $opts" \
		"--cmdline \"/kut/$2 $5\" /kut/$2"
	# Besides vmxlab's own --timeout, a guard for a tool that does not end.
	# shellcheck disable=SC2086
	timeout -s KILL $(($4 + 60)) vmxlab run --lapic --mem "${3}M" \
		--timeout "$4" --initrd /tmp/kut.env $opts \
		--cmdline "/kut/$2 $5" "/kut/$2" </dev/null >/tmp/kut.out 2>&1
}

# run_kvm NAME FILE MEM TIMEOUT ARGS: the same entry under KVM, with QEMU
# as the suite's own runner starts it, but as close to vmxlab's machine as
# QEMU goes: the host's CPUID, the local APIC in KVM and the rest of the
# interrupt controllers in QEMU (kernel-irqchip=split), no test devices,
# the same environment.
run_kvm() {
	echo "--- $1: qemu-system-x86_64 -accel kvm -m $3 -append \"$5\" /kut/$2"
	timeout "$4" qemu-system-x86_64 -nodefaults -no-reboot -display none \
		-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
		-machine pc,accel=kvm,kernel-irqchip=split -cpu host -smp 1 \
		-m "$3" -kernel "/kut/$2" -append "$5" -initrd /tmp/kut.env \
		</dev/null >/tmp/kut.out 2>&1
}

# run_all HYPERVISOR: every entry, one "kut-result:" line each (with
# HYPERVISOR kvm, "kut-kvm-result:" and "kut-kvm-vmexit:").
run_all() {
	tag=kut
	[ "$1" = vmxlab ] || tag=kut-$1
	while IFS='|' read -r name file mem timeout args; do
		[ -n "$name" ] || continue
		printf 'NR_CPUS=1\nMEMSIZE=%s\nTEST_DEVICE=0\n' "$mem" >/tmp/kut.env
		start=$(cut -d' ' -f1 /proc/uptime)
		run_"$1" "$name" "$file" "$mem" "$timeout" "$args"
		status=$?
		end=$(cut -d' ' -f1 /proc/uptime)
		result=$(verdict $status)
		summary=$(tr -d '\r' </tmp/kut.out | sed -n 's/^SUMMARY: //p' | tail -n 1)
		why=$(grep -E '^(vmxlab|qemu-system-x86_64): ' /tmp/kut.out | tail -n 1)
		# The vmexit entries' figures ("cpuid 1234": ticks per exit).
		tr -d '\r' </tmp/kut.out |
			sed -n "s/^\([a-z_0-9]* [0-9][0-9]*\)\$/$tag-vmexit: \1/p"
		if [ -e /kut/verbose ]; then
			tr -d '\r' </tmp/kut.out
		fi
		case $result in
		PASS | SKIP) ;;
		*)
			grep -E '^(FAIL|ABORT|.*[Uu]nhandled|.*[Ee]xception)' /tmp/kut.out | head -n 20
			tail -n 15 /tmp/kut.out
			;;
		esac
		echo "$tag-result: $name|$result|$status|$summary|$why|$(awk "BEGIN { printf \"%.1f\", $end - $start }")"
	done <"$2"
}

# More options for every vmxlab run (make check-kut KUT_OPTS=...).
opts=$(cat /kut/options 2>/dev/null)
run_all vmxlab /kut/entries

# make check-kut KUT_KVM=...: the entries it names again under KVM.
if [ -s /kut/kvm-entries ]; then
	unload_vmxlab
	echo "=== the same entries under KVM"
	for m in irqbypass kvm; do
		insmod /lib/kvm/$m.ko || echo "kut: cannot load $m.ko"
	done
	insmod /lib/kvm/kvm-intel.ko vmentry_l1d_flush=never ||
		echo "kut: cannot load kvm-intel.ko"
	run_all kvm /kut/kvm-entries
	rmmod kvm_intel kvm irqbypass
fi

if dmesg | grep -E "$SPLAT_RE"; then
	echo "kut: the kernel log has the splats above"
else
	echo "kut: no splats in $(dmesg | wc -l) kernel log lines"
fi
echo "=== end of kvm-unit-tests"
