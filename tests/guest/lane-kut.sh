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
# TICKS" for the figures the vmexit entries print. The host side makes the table of them.
. /tests/lib.sh

dmesg -n 1
echo "=== kvm-unit-tests under vmxlab: $(uname -r), $(cpus_online) CPU"
if ! load_vmxlab; then
	echo "kut: cannot load vmxlab.ko"
	echo "=== end of kvm-unit-tests"
	exit 1
fi

# The status of `vmxlab run` as the suite reads QEMU's: the guest's exit(V)
# is (V << 1) | 1, report_summary() gives 0 (PASS), 77 >> 1 (all skipped)
# or 1 (failures), abort() 63; even statuses are vmxlab's own (vmxlab.1).
verdict() {
	case $1 in
	1) echo PASS ;;
	77) echo SKIP ;;
	127) echo ABORT ;;
	4) echo TIMEOUT ;;
	*) echo FAIL ;;
	esac
}

# More options for every run (make check-kut KUT_OPTS=...).
opts=$(cat /kut/options 2>/dev/null)
while IFS='|' read -r name file mem timeout args; do
	[ -n "$name" ] || continue
	printf 'NR_CPUS=1\nMEMSIZE=%s\nTEST_DEVICE=0\n' "$mem" >/tmp/kut.env
	echo "--- $name: vmxlab run --lapic --mem ${mem}M --timeout $timeout $opts" \
		"--cmdline \"/kut/$file $args\" /kut/$file"
	start=$(cut -d' ' -f1 /proc/uptime)
	# Besides vmxlab's own --timeout, a guard for a tool that does not end.
	# shellcheck disable=SC2086
	timeout -s KILL $((timeout + 60)) vmxlab run --lapic --mem "${mem}M" \
		--timeout "$timeout" --initrd /tmp/kut.env $opts \
		--cmdline "/kut/$file $args" "/kut/$file" \
		</dev/null >/tmp/kut.out 2>&1
	status=$?
	end=$(cut -d' ' -f1 /proc/uptime)
	result=$(verdict $status)
	summary=$(tr -d '\r' </tmp/kut.out | sed -n 's/^SUMMARY: //p' | tail -n 1)
	why=$(grep '^vmxlab: ' /tmp/kut.out | tail -n 1)
	# The vmexit entries' figures ("cpuid 1234": ticks per exit).
	tr -d '\r' </tmp/kut.out | sed -n 's/^\([a-z_0-9]* [0-9][0-9]*\)$/kut-vmexit: \1/p'
	case $result in
	PASS | SKIP) ;;
	*)
		grep -E '^(FAIL|ABORT|.*[Uu]nhandled|.*[Ee]xception)' /tmp/kut.out | head -n 20
		tail -n 15 /tmp/kut.out
		;;
	esac
	echo "kut-result: $name|$result|$status|$summary|$why|$(awk "BEGIN { printf \"%.1f\", $end - $start }")"
done </kut/entries

if dmesg | grep -E "$SPLAT_RE"; then
	echo "kut: the kernel log has the splats above"
else
	echo "kut: no splats in $(dmesg | wc -l) kernel log lines"
fi
echo "=== end of kvm-unit-tests"
