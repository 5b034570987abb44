# shellcheck shell=sh
# Guest tests of the VMX lane: `vmxlab run` with the images built from
# tests/guests (in /guests of the initramfs). Sourced by lane-vmx.sh after
# lib.sh, with the module loaded; same conventions: each t_NAME prints what
# it checks and returns 0, 1, or 77 after "SKIP: why".
#
# A guest ends by writing V to port 0xf4: status (V << 1) | 1. PASS is
# V = 0x10, status 33; every failing check has its own V (the table is in
# tests/guests/guest.h) and prints "FAIL: what" first.
#
# A run's standard input is /dev/null, or the file $VRUN_STDIN names.
# Every run is bounded twice: the tool's --timeout, and busybox timeout
# (SIGKILL, status 137) 60 s later in case the tool itself hangs.

GUESTS=/guests
# Seconds for one run. Bochs runs 50 to 400 M instructions per second and
# an exit to userspace costs thousands of them (11-17 times that nested).
RUN_TIMEOUT=${VMXLAB_RUN_TIMEOUT:-120}
LONG_TIMEOUT=300
PASS_STATUS=33
# Guest RAM unless a test says otherwise: every guest fits in 2 MiB, and
# less memory to pin makes runs faster (the tool's default is 64 MiB).
GUEST_MEM=16M
# The TSC rate in kHz, for guests that time something by it (pit-irq).
TSC_KHZ=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)

# The guest tests, in the order they run: lane-vmx.sh puts $GUEST_TESTS, the
# names in this table, in its ALL_TESTS. A row
#
#   NAME | IMAGE | OPTIONS | STATUS | NEEDS | LINE | LINE ...
#
# is the test NAME: `vrun IMAGE OPTIONS`, then the tool's exit status must
# be STATUS and the guest's UART output must have each LINE as a whole line.
#   OPTIONS  of `vmxlab run`, as on a shell command line (quotes work); -
#            for none. vrun adds --mem $GUEST_MEM unless they have a --mem.
#   STATUS   the status number; PASS means 33, and for 33 the guest's own
#            "PASS" line must be there too.
#   NEEDS    what the machine must have, else the test is skipped: 2cpu
#            (two CPUs online); several separated by blanks; - for none.
#   LINE     ~RE instead of a line: some line matches RE, a grep basic
#            regular expression (anchor it with ^ and $ as needed); the
#            first such line is printed.
# Blanks around a | do not count (a LINE cannot start or end with one, nor
# contain a |). A line that starts with | continues the row above. Several
# rows with one NAME are one test: they run in order, the first that fails
# fails the test, and an unmet NEEDS in any of them skips it. A NAME alone
# is a test written as a shell function, t_NAME further down, and stands
# here for its place in the order. Comments: lines that start with # (a #
# elsewhere is text). A new guest: its .S (with an "Image:" line, see
# tests/guests/Makefile) and a row here.
guest_table() {
	cat <<'EOF'
# NAME           | IMAGE            | OPTIONS | STATUS | NEEDS | LINE ...
run_hello_real   | hello-real.bin   | -       | PASS   | -     | hello from real mode
run_hello_pm     | hello-pm.elf     | -       | PASS   | -     | hello from protected mode
run_hello_lm     | hello-lm.elf     | -       | PASS   | -     | hello from long mode
# 32 MiB: mem_upper = 32 MiB - 1 MiB = 31744 KiB = 0x7c00.
run_hello_mb     | hello-mb.elf
	| --mem 32M --cmdline "vmxlab-mb test=1 two words" | PASS | -
	| hello from multiboot | cmdline: [vmxlab-mb test=1 two words]
	| mem_upper: 0x00007c00
# --initrd: the udev rule (/etc in every lane's image) as the module.
run_hello_mb_initrd | hello-mb.elf
	| --cmdline "with a module" --initrd /etc/60-vmxlab.rules | PASS | -
	| cmdline: [with a module]
	| module: [# SPDX-License-I] 60-vmxlab.rules
run_string_io
run_mmio
run_mempattern
run_cpuid        | cpuid.elf        | -       | PASS   | -     | cpuid: signature [vmxlabvmxlab]
run_vmcall       | vmcall.elf       | -       | PASS   | -     | vmcall: CPL 3 call refused
run_vmxon_ud     | vmxon-ud.elf     | -       | PASS   | -
	| vmxon-ud: CR4.VMXE refused, 11 VMX instructions raised #UD
run_msr_gp       | msr-gp-pm.elf    | -       | PASS   | -     | msr-gp: values kept
run_msr_gp       | msr-gp-lm.elf    | -       | PASS   | -     | msr-gp: values kept
run_fpu_state    | fpu-state.elf    | -       | PASS   | -     | fpu-state: kept
run_xsetbv       | xsetbv.elf       | -       | PASS   | -     | xsetbv: XCR0 rules hold
	| ~^xsetbv: .*illegal values refused
run_cpuid_msr    | cpuid-msr.elf    | -       | PASS   | -     | cpuid-msr: CPUID and MSRs agree
run_msr_os       | msr-os.elf       | -       | PASS   | -
	| msr-os: MISC_ENABLE, MTRRs, PAT, MCG as SDM Vol. 3A 12.11
	| ~^msr-os: .*TSC
# Hostile guests: what a buggy or malicious kernel does, checked against
# what hardware gives (tests/guests/hostile-*.S).
run_hostile_tf   | hostile-tf.elf   | -       | PASS   | -
	| hostile-tf: single-step and shadows as hardware
	| hostile-tf: OUT with TF set
run_hostile_xsave | hostile-xsave.elf | -     | PASS   | -
	| hostile-xsave: supervisor state out of reach
run_hostile_rep  | hostile-rep.elf  | -       | PASS   | -
	| hostile-rep: string I/O edges as hardware
	| hostile-rep: OUTSB to the end of a page, #PF, then on: all bytes once
run_hostile_remap | hostile-remap.elf | -     | PASS   | -
	| hostile-remap: 10000 remaps, no stale translation
	| ~^hostile-remap: \.\{100\}$
run_hostile_ud   | hostile-ud.elf   | -       | PASS   | -     | hostile-ud: SMX and SGX absent
# #AC given back to the guest at CPL 3, then an endless #AC loop at CPL 3
# (each #AC's frame misaligned): each #AC an exit, --timeout ends it.
run_hostile_ac   | hostile-ac.elf   | --timeout 3 --stats | 4 | -
	| hostile-ac: #AC(0) at CPL 3
	| hostile-ac: into the #AC loop
	| ~^stats: VM exit  0 .* [0-9]\{3,\}$
# An endless #DB loop with IF=0: each #DB an exit (at least 100 in 3 s),
# and --timeout (the later option wins) still ends the run.
run_hostile_dbloop | hostile-dbloop.bin | --timeout 3 --stats | 4 | -
	| hostile-dbloop: into the #DB loop
	| ~^stats: VM exit  0 .* [0-9]\{3,\}$
run_hostile_triple
run_triple_fault | triple-fault.elf | -       | 2      | -     | triple-fault: now
run_halt         | halt.bin         | -       | 0      | -     | halt: cli
run_halt         | halt-sti.bin     | -       | 12     | -     | halt: sti
# IRQ 0 of the tool's 8254 through its 8259A, injected (VMXLAB_INJECT)
# when the guest can take it, waking HLT: 100 Hz by the TSC.
run_pit_irq      | pit-irq.elf      | --cmdline "tsc_khz=$TSC_KHZ" | PASS | -
	| pit-irq: 21 ticks at 100 Hz
run_pit_irq_lint0 | pit-irq-lint0.elf | --lapic --cmdline "tsc_khz=$TSC_KHZ" | PASS | -
	| pit-irq: LINT0 masked held IRQ 0 back | pit-irq: 21 ticks at 100 Hz
run_uart_irq
# The in-kernel local APIC (--lapic): timer modes by the TSC, HLT that
# sleeps in the kernel, self-IPIs, TPR, x2APIC (tests/guests/lapic.S).
run_lapic        | lapic.elf        | --lapic --cmdline "tsc_khz=$TSC_KHZ" | PASS | -
	| lapic: timer one-shot, periodic and TSC-deadline at the right rate
	| lapic: self-IPIs, TPR and x2APIC
	| lapic: single step over HLT: #DB before the timer's interrupt
# Where the APIC's interrupts and NMIs go in: STI and MOV SS shadows with
# and without exits in them, the NMI window, priorities, logical
# destinations (tests/guests/intr-events.S).
run_intr_events  | intr-events.elf  | --lapic | PASS | -
	| intr-events: STI and MOV SS shadows, NMI window, priorities, logical destinations
run_timeout
run_sigint
run_two_vms
run_cpu_hop
run_remap_hop
run_hotplug
run_abi_misuse
# abi_fuzz: not a guest, the ABI fuzzer; t_abi_fuzz is in lane-vmx.sh.
abi_fuzz
run_stats
run_exit_latency
run_tracepoints
run_trace
run_debugfs_latency
run_all_gone
EOF
}

# uptime_cs: time since boot in hundredths of a second.
uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# cs_text CS: "12.34"
cs_text() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

# status_text STATUS: what an exit status of `vmxlab run` means.
status_text() {
	case $1 in
	0) echo "HLT with IF=0" ;;
	2) echo "triple fault" ;;
	4) echo "--timeout expired" ;;
	6) echo "VM-entry failure" ;;
	8) echo "internal error" ;;
	10) echo "VMfail" ;;
	12) echo "HLT with IF=1" ;;
	14) echo "--strict: unclaimed port or MMIO access" ;;
	16) echo "SIGINT/SIGTERM" ;;
	18) echo "--check-pattern mismatch" ;;
	33) echo "guest PASS, 0x10" ;;
	120) echo "setup or usage error" ;;
	137) echo "SIGKILL: the backstop timeout killed the tool" ;;
	*)
		if [ $(($1 % 2)) -eq 1 ] && [ "$1" -lt 256 ]; then
			printf 'guest failure 0x%02x, see tests/guests/guest.h\n' $((($1 - 1) / 2))
		else
			echo "unknown"
		fi
		;;
	esac
}

# show_run OUT ERR: the start of a run's UART output and the tool's messages.
show_run() {
	head -c 800 "$1" | head -n 12 | sed 's/^/  uart| /'
	[ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ] && echo "  (no newline at the end)"
	head -n 12 "$2" | sed 's/^/  tool| /'
}

# vrun IMAGE [OPTION...]: `vmxlab run --timeout T OPTION... /guests/IMAGE`
# in the foreground, T = $VRUN_TIMEOUT or $RUN_TIMEOUT, with --mem $GUEST_MEM
# unless OPTION has a --mem. UART output (stdout) lands in /tmp/run.out, the
# tool's messages (stderr) in /tmp/run.err; sets RUN_STATUS, RUN_CS
# (hundredths of a second taken) and RUN_END (uptime_cs at the end).
vrun() {
	_img=$1
	shift
	case " $* " in *" --mem "*) ;; *) set -- --mem "$GUEST_MEM" "$@" ;; esac
	_to=${VRUN_TIMEOUT:-$RUN_TIMEOUT}
	echo "vmxlab run --timeout $_to $* $_img"
	_t0=$(uptime_cs)
	timeout -s KILL $((_to + 60)) vmxlab run --timeout "$_to" "$@" "$GUESTS/$_img" \
		<"${VRUN_STDIN:-/dev/null}" >/tmp/run.out 2>/tmp/run.err
	RUN_STATUS=$?
	RUN_END=$(uptime_cs)
	RUN_CS=$((RUN_END - _t0))
	echo "  status $RUN_STATUS ($(status_text "$RUN_STATUS")) after $(cs_text $RUN_CS) s"
	show_run /tmp/run.out /tmp/run.err
}

# expect_status WANT
expect_status() {
	[ "$RUN_STATUS" = "$1" ] && return 0
	fail "status $RUN_STATUS ($(status_text "$RUN_STATUS")), expected $1 ($(status_text "$1"))"
}

# has_line TEXT: the UART output has TEXT as a whole line.
has_line() {
	grep -qxF "$1" /tmp/run.out && return 0
	fail "the guest's output has no line '$1'"
}

# pass_with_line IMAGE LINE [OPTION...]: the guest passes and printed LINE.
pass_with_line() {
	_pimg=$1
	_pline=$2
	shift 2
	vrun "$_pimg" "$@"
	expect_status $PASS_STATUS || return 1
	has_line "$_pline" || return 1
	has_line PASS
}

# has_match RE: a line of the UART output matches RE (grep); prints the first.
has_match() {
	_hm=$(grep -e "$1" /tmp/run.out | head -n 1)
	if [ -z "$_hm" ]; then
		fail "the guest's output has no line matching '$1'"
		return 1
	fi
	echo "$_hm"
}

# guest_rows [NAME]: the rows of the table (NAME's only, if given), one a
# line: comments dropped, continuations joined, fields trimmed and joined by
# a bare |.
guest_rows() {
	guest_table | awk -v want="$1" '
	function flush(   n, f, i, out) {
		n = split(row, f, "[|]")
		for (i = 1; i <= n; i++) {
			gsub(/^[ \t]+|[ \t]+$/, "", f[i])
			out = (i == 1) ? f[i] : out "|" f[i]
		}
		if (row != "" && (want == "" || f[1] == want))
			print out
		row = ""
	}
	{ sub(/^[ \t]+/, "") }
	/^#/ || $0 == "" { next }
	/^[|]/ {
		if (row != "")
			row = row $0
		else if (want == "")
			print "guests.sh: table: no row above " $0 | "cat >&2"
		next
	}
	{ flush(); row = $0 }
	END { flush() }'
}

# table_row needs|run ROW: for one row of the table, check its NEEDS
# (0, or 77 after "SKIP: why"), or run it and check the result.
table_row() {
	_tr_mode=$1
	_tr_ifs=$IFS
	set -f
	IFS='|'
	# shellcheck disable=SC2086 # split at the |s, without globbing
	set -- $2
	IFS=$_tr_ifs
	set +f
	if [ $# -lt 4 ]; then
		fail "table row '$*': not NAME | IMAGE | OPTIONS | STATUS | NEEDS | LINE..."
		return 1
	fi
	_tr_img=$2
	_tr_opts=$3
	_tr_status=$4
	_tr_needs=${5:-}
	shift 4
	[ $# -eq 0 ] || shift
	[ "$_tr_opts" != - ] || _tr_opts=
	case $_tr_status in
	PASS) _tr_status=$PASS_STATUS ;;
	'' | *[!0-9]*)
		fail "table: STATUS '$_tr_status' of $_tr_img is not a number or PASS"
		return 1
		;;
	esac
	if [ "$_tr_mode" = needs ]; then
		for _tr_need in $_tr_needs; do
			case $_tr_need in
			-) ;;
			2cpu)
				if [ "$(cpus_online)" -lt 2 ]; then
					echo "SKIP: needs two CPUs ($_tr_img)"
					return 77
				fi
				;;
			*)
				fail "table: unknown NEEDS '$_tr_need' of $_tr_img"
				return 1
				;;
			esac
		done
		return 0
	fi
	eval "vrun \"\$_tr_img\" $_tr_opts"
	expect_status "$_tr_status" || return 1
	for _tr_line in "$@"; do
		case $_tr_line in
		"~"*) has_match "${_tr_line#"~"}" || return 1 ;;
		*) has_line "$_tr_line" || return 1 ;;
		esac
	done
	[ "$_tr_status" != "$PASS_STATUS" ] || has_line PASS
}

# table_test NAME: the test of NAME's rows in the table (see guest_table):
# the NEEDS of every row first, then the runs, row by row.
table_test() {
	_tt_rows=$(guest_rows "$1" | wc -l)
	if [ "$_tt_rows" -eq 0 ]; then
		fail "no row for '$1' in the table"
		return 1
	fi
	for _tt_mode in needs run; do
		_tt_k=1
		while [ "$_tt_k" -le "$_tt_rows" ]; do
			table_row $_tt_mode "$(guest_rows "$1" | sed -n "${_tt_k}p")" || return
			_tt_k=$((_tt_k + 1))
		done
	done
}

# The tests, in table order, for lane-vmx.sh's ALL_TESTS; t_NAME for each
# NAME with a table row (a NAME alone is a shell function of its own).
_tt_all=$(guest_rows)
# shellcheck disable=SC2034 # used by lane-vmx.sh
GUEST_TESTS=$(printf '%s\n' "$_tt_all" | awk -F'[|]' '!seen[$1]++ { print $1 }')
for _tt_name in $(printf '%s\n' "$_tt_all" | awk -F'[|]' 'NF > 1 && !seen[$1]++ { print $1 }'); do
	case $_tt_name in
	*[!A-Za-z0-9_]*) ;; # left undefined: run_tests reports "not ok"
	*) eval "t_$_tt_name() { table_test $_tt_name; }" ;;
	esac
done

# The 16550's interrupts on IRQ 4 (tests/guests/uart-irq.S): THR empty
# once per byte, then received data: the tool reads "vmx" from its
# standard input only after the guest enabled the received-data interrupt,
# and HLT waits for it.
t_run_uart_irq() {
	printf vmx >/tmp/uart.in
	VRUN_STDIN=/tmp/uart.in
	pass_with_line uart-irq.elf "uart-irq: received [vmx]"
	_u=$?
	unset VRUN_STDIN
	[ $_u = 0 ] || return 1
	has_line "uart-irq: THR empty after every byte"
}

# running PID: PID exists and is not a zombie (a background job that has
# ended stays a zombie until `wait`, and kill -0 still finds it).
running() {
	_state=$(sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$_state" ] && [ "$_state" != Z ]
}

# bg_run IMAGE OUT [OPTION...]: start a run in the background (UART output
# in OUT, messages in OUT.err); sets BG_PID.
bg_run() {
	_bimg=$1
	_bout=$2
	shift 2
	set -- --mem "$GUEST_MEM" "$@"
	echo "vmxlab run --timeout $LONG_TIMEOUT $* $_bimg &"
	timeout -s KILL $((LONG_TIMEOUT + 60)) vmxlab run --timeout "$LONG_TIMEOUT" \
		"$@" "$GUESTS/$_bimg" >"$_bout" 2>"$_bout.err" &
	BG_PID=$!
}

# dots FILE: how many '.' the guest printed.
dots() { tr -cd . <"$1" | wc -c; }

# The message string-io prints: 100 lines of 63 times 'A' + line % 26.
string_io_message() {
	awk 'BEGIN { for (i = 0; i < 100; i++) { c = sprintf("%c", 65 + i % 26)
		s = ""; for (j = 0; j < 63; j++) s = s c; print s } }'
}

t_run_string_io() {
	string_io_message >/tmp/msg.want
	for img in string-io-real.bin string-io-lm.elf; do
		vrun "$img"
		expect_status $PASS_STATUS || return 1
		# the lines between "<<<" and ">>>"
		sed -n '/^<<<$/,/^>>>$/p' /tmp/run.out | sed '1d;$d' >/tmp/msg.got
		if ! cmp /tmp/msg.want /tmp/msg.got; then
			fail "$img: REP OUTSB: $(wc -c </tmp/msg.got) bytes arrived, not the 6400 sent"
			return 1
		fi
		echo "$img: all 6400 bytes of the REP OUTSB message arrived in order"
	done
}

t_run_mmio() {
	for img in mmio-pm.elf mmio-lm.elf; do
		pass_with_line "$img" "mmio: writing 0xd0000000" || return 1
		vrun "$img" --strict
		expect_status 14 || return 1
		if ! grep -qi "d0000000" /tmp/run.err /tmp/run.out; then
			fail "--strict: the tool's message does not name address 0xd0000000"
			return 1
		fi
		if grep -q "mmio: writing" /tmp/run.out; then
			fail "--strict: the guest ran on past its first unbacked read"
			return 1
		fi
		echo "$img --strict: stopped at the first read, address named"
	done
}

t_run_mempattern() {
	# 32 MiB, pattern from 4 MiB: 28 MiB = 29360128 bytes.
	pass_with_line mempattern.elf "mempattern: written and read back" \
		--mem 32M --check-pattern 0x400000 || return 1
	if ! cat /tmp/run.out /tmp/run.err | grep -qx "pattern ok: 29360128 bytes checked"; then
		fail "no 'pattern ok: 29360128 bytes checked' from the tool"
		return 1
	fi
	# The check must also be able to fail: hello-pm leaves RAM unpatterned.
	vrun hello-pm.elf --mem 32M --check-pattern 0x400000
	expect_status 18
}

# Five triple faults in a row, each ending its run cleanly (status 2); the
# host runs a guest normally afterwards.
t_run_hostile_triple() {
	for _n in 1 2 3 4 5; do
		echo "triple fault $_n of 5:"
		vrun triple-fault.elf
		expect_status 2 || return 1
		has_line "triple-fault: now" || return 1
	done
	echo "five triple faults in a row, status 2 each; now a guest that passes"
	pass_with_line hello-lm.elf "hello from long mode"
}

t_run_timeout() {
	for img in spin.bin spin-sti.bin; do
		VRUN_TIMEOUT=3
		vrun "$img"
		VRUN_TIMEOUT=
		expect_status 4 || return 1
		case $img in
		spin-sti.bin) has_line "spin: sti" || return 1 ;;
		*) has_line "spin: cli" || return 1 ;;
		esac
		if [ "$RUN_CS" -lt 290 ] || [ "$RUN_CS" -gt 1500 ]; then
			fail "--timeout 3 ended the run after $(cs_text "$RUN_CS") s, not 3 to 15 s"
			return 1
		fi
		echo "$img: --timeout 3 ended it after $(cs_text "$RUN_CS") s"
	done
}

# signal_run IMAGE SIGNAL: run IMAGE in the foreground (as from a terminal:
# a background job of a script would start with SIGINT ignored); 3 s after
# the guest printed, a background shell sends SIGNAL. The tool must end with
# status 16 within 10 s of the signal.
signal_run() {
	rm -f /tmp/run.out /tmp/sig.t0
	(
		wait_for 60 grep -q "^spin:" /tmp/run.out || exit 1
		sleep 3
		_p=$(pidof vmxlab | cut -d" " -f1)
		[ -n "$_p" ] || exit 1
		uptime_cs >/tmp/sig.t0
		kill -"$2" "$_p"
	) &
	_killer=$!
	vrun "$1"
	wait $_killer
	if ! [ -s /tmp/sig.t0 ]; then
		fail "no SIG$2 was sent (the guest printed nothing within 60 s?)"
		return 1
	fi
	expect_status 16 || return 1
	_react=$((RUN_END - $(cat /tmp/sig.t0)))
	if [ $_react -gt 1000 ]; then
		fail "the tool took $(cs_text $_react) s to end after SIG$2"
		return 1
	fi
	echo "$1: SIG$2 ended the run $(cs_text $_react) s after it was sent"
}

t_run_sigint() {
	# IF=0: in Bochs only the VMX-preemption timer takes such a guest out.
	signal_run spin.bin INT || return 1
	signal_run spin-sti.bin TERM
}

t_run_two_vms() {
	bg_run long-run.elf /tmp/a.out
	pa=$BG_PID
	bg_run long-run.elf /tmp/b.out
	pb=$BG_PID
	most=0
	i=0
	while { running $pa || running $pb; } && [ $i -lt $((10 * (LONG_TIMEOUT + 90))) ]; do
		v=$(dbg vms)
		case $v in *[!0-9]* | '') v=0 ;; esac
		[ "$v" -gt "$most" ] && most=$v
		sleep 0.1
		i=$((i + 1))
	done
	wait $pa
	sa=$?
	wait $pb
	sb=$?
	echo "run A: status $sa ($(status_text $sa)), $(dots /tmp/a.out) dots"
	show_run /tmp/a.out /tmp/a.out.err
	echo "run B: status $sb ($(status_text $sb)), $(dots /tmp/b.out) dots"
	show_run /tmp/b.out /tmp/b.out.err
	expect_eq "run A status" $sa $PASS_STATUS || return 1
	expect_eq "run B status" $sb $PASS_STATUS || return 1
	expect_eq "run A dots" "$(dots /tmp/a.out)" 100 || return 1
	expect_eq "run B dots" "$(dots /tmp/b.out)" 100 || return 1
	expect_eq "most VMs seen at once in debugfs" "$most" 2
}

# hop_run IMAGE: IMAGE, a guest that prints 100 dots, passes while
# tests/helpers/cpu-hop moves the tool's thread between CPUs every 5 ms.
hop_run() {
	if [ "$(cpus_online)" -lt 2 ]; then
		echo "SKIP: needs two CPUs to move the vCPU between"
		return 77
	fi
	bg_run "$1" /tmp/a.out
	pa=$BG_PID
	cpu-hop 5 $pa >/tmp/hop.out 2>&1
	hop=$?
	wait $pa
	sa=$?
	cat /tmp/hop.out
	echo "$1: status $sa ($(status_text $sa)), $(dots /tmp/a.out) dots"
	show_run /tmp/a.out /tmp/a.out.err
	expect_eq "cpu-hop status" $hop 0 || return 1
	expect_eq "$1 status" $sa $PASS_STATUS || return 1
	expect_eq "$1 dots" "$(dots /tmp/a.out)" 100 || return 1
	# shellcheck disable=SC2046 # three numbers, split on purpose
	set -- $(sed -n 's/^cpu-hop: \([0-9]*\) moves, a thread seen on \([0-9]*\) CPUs, \([0-9]*\) CPU changes seen$/\1 \2 \3/p' /tmp/hop.out)
	if [ $# -ne 3 ]; then
		fail "cannot read cpu-hop's summary"
		return 1
	fi
	if [ "$1" -lt 10 ] || [ "$2" -lt 2 ] || [ "$3" -lt 10 ]; then
		fail "the vCPU thread was not moved enough (want 10 moves, 2 CPUs, 10 changes)"
		return 1
	fi
	echo "the guest passed while its thread changed CPU $3 times"
}

t_run_cpu_hop() {
	hop_run long-run.elf
}

# A guest that remaps a page and INVLPGs it 10000 times while its vCPU
# moves between CPUs: a CPU it comes back to must not use a translation
# from before an INVLPG it ran elsewhere (vmxlab flushes the VPID when a
# vCPU changes CPU).
t_run_remap_hop() {
	hop_run hostile-remap.elf
}

# CPU1 goes offline and comes back while two guests run (their vCPUs move
# off it, VMX goes off and on there) and, while it is offline, a VM is
# created and closed (VMXON only on the online CPU).
t_run_hotplug() {
	_c=/sys/devices/system/cpu/cpu1/online
	if [ "$(cpus_online)" -lt 2 ] || ! [ -w $_c ]; then
		echo "SKIP: needs a second CPU that can go offline"
		return 77
	fi
	bg_run long-run.elf /tmp/a.out
	pa=$BG_PID
	bg_run long-run.elf /tmp/b.out
	pb=$BG_PID
	_rounds=0
	_bad=
	while [ $_rounds -lt 20 ] && { running $pa || running $pb; }; do
		echo 0 >$_c || { _bad="offline CPU1"; break; }
		vmxlab probe >/dev/null 2>&1 || _bad="a VM while CPU1 is offline"
		sleep 0.2
		echo 1 >$_c || { _bad="online CPU1"; break; }
		sleep 0.2
		_rounds=$((_rounds + 1))
	done
	echo 1 >$_c 2>/dev/null
	wait $pa
	sa=$?
	wait $pb
	sb=$?
	echo "CPU1 went offline and came back $_rounds times while the guests ran"
	show_run /tmp/a.out /tmp/a.out.err
	[ -z "$_bad" ] || { fail "$_bad"; return 1; }
	expect_eq "run A status" $sa $PASS_STATUS || return 1
	expect_eq "run B status" $sb $PASS_STATUS || return 1
	expect_eq "run A dots" "$(dots /tmp/a.out)" 100 || return 1
	expect_eq "run B dots" "$(dots /tmp/b.out)" 100 || return 1
	if [ $_rounds -lt 3 ]; then
		fail "the guests ended before 3 rounds of offline and online"
		return 1
	fi
}

t_run_abi_misuse() {
	timeout -s KILL 600 vmxlab-run-abi-test
}

t_run_stats() {
	vrun hello-real.bin --stats
	expect_status $PASS_STATUS || return 1
	cat /tmp/run.out /tmp/run.err | grep '^stats: ' >/tmp/stats
	if ! [ -s /tmp/stats ]; then
		fail "--stats printed no 'stats: ' line"
		return 1
	fi
	line=$(grep -iE 'i/o.?instruction|io.?instruction' /tmp/stats | head -n 1)
	if [ -z "$line" ]; then
		fail "no 'stats: ' line for I/O-instruction exits"
		return 1
	fi
	echo "$line"
	# The count is the largest number on the line (the other one, if any,
	# is the exit reason, 30). hello-real prints 26 characters, each an IN
	# of LSR and an OUT, and ends with an OUT to 0xf4: 53 I/O exits.
	n=$(echo "$line" | tr -cs '0-9' '\n' | sort -n | tail -n 1)
	if [ -z "$n" ] || [ "$n" -lt 53 ]; then
		fail "I/O-instruction exits: '$n', expected at least 53"
		return 1
	fi
	echo "I/O-instruction exits: $n"
}

# Exit latency (Documentation/exit-latency.rst). exit-count makes 1000
# CPUID and 500 VMCALL exits, which the kernel handles, and 200 OUTs (and
# its UART's I/O) that go to the tool. Every exit but the last is one
# sample, undisturbed or disturbed, as many as the module's exit counter
# has (the last exit ends the run: no entry closes its sample). CPUID and
# VMCALL have no user part, the OUTs have one, and their kernel and user
# parts add up to the round trip exactly; min <= mean <= max and the
# percentiles are in order; the JSON says what the table says.
t_run_exit_latency() {
	vrun exit-count.bin --stats --stats-json /tmp/lat.json
	expect_status $PASS_STATUS || return 1
	grep '^stats: latency ' /tmp/run.out >/tmp/lat
	cat /tmp/lat
	[ -s /tmp/lat ] || { fail "no 'stats: latency' lines"; return 1; }
	_bad=$(awk '{
		for (i = 3; i <= NF; i++) if (split($i, kv, "=") == 2) f[kv[1]] = kv[2] + 0
		if (f["n"] > 0 && !(f["min"] <= f["mean"] && f["mean"] <= f["max"] &&
		    f["min"] <= f["p50"] && f["p50"] <= f["p90"] && f["p90"] <= f["p99"] &&
		    f["p99"] <= f["p99.9"] && f["p99.9"] <= f["max"]))
			print "out of order: " $0
	}' /tmp/lat)
	[ -z "$_bad" ] || { fail "$_bad"; return 1; }
	_exits30=$(sed -n 's/^stats: VM exit 30 .* \([0-9][0-9]*\)$/\1/p' /tmp/run.out)
	_exits10=$(sed -n 's/^stats: VM exit 10 .* \([0-9][0-9]*\)$/\1/p' /tmp/run.out)
	expect_eq "CPUID exits counted" "$_exits10" 1000 || return 1
	[ -n "$_exits30" ] && [ "$_exits30" -gt 200 ] ||
		{ fail "I/O exits counted: '$_exits30', expected over 200"; return 1; }
	for _spec in "10 kernel 1000" "10 round-trip 1000" "18 kernel 500" \
		"18 round-trip 500" "30 kernel $((_exits30 - 1))" \
		"30 user $((_exits30 - 1))" "30 round-trip $((_exits30 - 1))"; do
		set -- $_spec
		_n=$(sed -n "s/^stats: latency reason=$1 kind=$2 n=\([0-9]*\) .* disturbed=\([0-9]*\) .*/\1 \2/p" /tmp/lat)
		[ -n "$_n" ] || { fail "no latency line for reason $1, $2"; return 1; }
		set -- "$1" "$2" "$3" $_n
		echo "reason $1 $2: $4 samples, $5 disturbed"
		expect_eq "reason $1 $2: samples and disturbed" $(($4 + $5)) "$3" || return 1
		[ "$4" -gt 0 ] || { fail "reason $1 $2: every sample disturbed"; return 1; }
	done
	if grep -Eq "reason=(10|18) kind=user" /tmp/lat; then
		fail "CPUID or VMCALL has a user part"
		return 1
	fi
	# The JSON, one exit per line: kind count disturbed sum.
	sed -n 's/.*"reason": 30, .*"kind": "\([a-z-]*\)", "count": \([0-9]*\), "disturbed": \([0-9]*\), "sum": \([0-9]*\),.*/\1 \2 \3 \4/p' \
		/tmp/lat.json >/tmp/lat30
	cat /tmp/lat30
	_sums=$(awk '{ n[$1] = $2; s[$1] = $4 }
		END { if (n["kernel"] != n["user"] || n["user"] != n["round-trip"] || !n["kernel"])
			print "counts differ: " n["kernel"] " " n["user"] " " n["round-trip"]
		      else if (s["kernel"] + s["user"] != s["round-trip"])
			print "kernel " s["kernel"] " + user " s["user"] " != round trip " s["round-trip"] }' /tmp/lat30)
	[ -z "$_sums" ] || { fail "I/O exits in the JSON: $_sums"; return 1; }
	_tn=$(sed -n 's/^stats: latency reason=30 kind=kernel n=\([0-9]*\) .*/\1/p' /tmp/lat)
	expect_eq "JSON and table agree on I/O samples" "$(awk '$1 == "kernel" { print $2 }' /tmp/lat30)" "$_tn"
}

# The tracepoints vmxlab:vmxlab_entry and vmxlab:vmxlab_exit through
# tracefs: exit-count's run gives one vmxlab_exit per VM exit the module
# counted (1000 of them CPUID, with their RIP and reason), one
# vmxlab_entry per VM entry, and no event lost.
t_run_tracepoints() {
	_t=/sys/kernel/tracing
	[ -d $_t/events ] || mount -t tracefs nodev $_t ||
		{ fail "cannot mount tracefs"; return 1; }
	[ -d $_t/events/vmxlab ] || { fail "no events/vmxlab in tracefs"; return 1; }
	_size=$(cat $_t/buffer_size_kb)
	echo 0 >$_t/tracing_on
	echo 4096 >$_t/buffer_size_kb
	: >$_t/trace
	echo 1 >$_t/events/vmxlab/enable
	echo 1 >$_t/tracing_on
	vrun exit-count.bin --stats
	echo 0 >$_t/tracing_on
	echo 0 >$_t/events/vmxlab/enable
	grep 'vmxlab_e' $_t/trace >/tmp/trace.out
	_lost=$(cat $_t/per_cpu/cpu*/stats | awk '/^overrun:/ { n += $2 } END { print n + 0 }')
	# The buffers as they were (later tests count free memory).
	: >$_t/trace
	echo "${_size%% *}" >$_t/buffer_size_kb
	expect_status $PASS_STATUS || return 1
	head -n 3 /tmp/trace.out
	expect_eq "events overwritten" "$_lost" 0 || return 1
	_entries=$(sed -n 's/^stats: VM entries \([0-9]*\)$/\1/p' /tmp/run.out)
	_exits=$(sed -n 's/^stats: VM exit [ 0-9]* .* \([0-9][0-9]*\)$/\1/p' /tmp/run.out |
		awk '{ n += $1 } END { print n + 0 }')
	expect_eq "vmxlab_entry events = VM entries" \
		"$(grep -c 'vmxlab_entry: vcpu 0 rip' /tmp/trace.out)" "$_entries" || return 1
	expect_eq "vmxlab_exit events = VM exits" \
		"$(grep -c 'vmxlab_exit: vcpu 0 reason' /tmp/trace.out)" "$_exits" || return 1
	expect_eq "vmxlab_exit events for CPUID" \
		"$(grep -c 'vmxlab_exit: vcpu 0 reason CPUID (10) rip 0x' /tmp/trace.out)" 1000
}

# The exit trace ring through `vmxlab run --trace` (on stderr): one record per VM exit
# but the last (whose next entry never comes), 1000 of them CPUID, the 200
# OUTs to port 0x510 decoded and marked as gone through userspace, none
# dropped.
t_run_trace() {
	vrun exit-count.bin --trace --stats
	expect_status $PASS_STATUS || return 1
	grep '^trace: tsc ' /tmp/run.err >/tmp/trace.out
	head -n 3 /tmp/trace.out
	_exits=$(sed -n 's/^stats: VM exit [ 0-9]* .* \([0-9][0-9]*\)$/\1/p' /tmp/run.out |
		awk '{ n += $1 } END { print n + 0 }')
	expect_eq "records" "$(wc -l </tmp/trace.out)" $((_exits - 1)) || return 1
	expect_eq "CPUID records" \
		"$(grep -c '^trace: tsc [0-9]* reason 10 (CPUID) rip 0x' /tmp/trace.out)" 1000 || return 1
	expect_eq "OUT to port 0x510 records, via userspace" \
		"$(grep -c ' out port 0x510 size 1, [0-9]* ticks to the entry, via userspace$' /tmp/trace.out)" \
		200 || return 1
	grep -x "trace: $((_exits - 1)) exits traced, 0 dropped" /tmp/run.err ||
		{ fail "no line 'trace: $((_exits - 1)) exits traced, 0 dropped'"; return 1; }
}

# debugfs vmxlab/vm-PID-N/vcpu0-exit-latency while a vCPU runs: spin-sti
# spins with --stats (IF = 1: preemption-timer and external-interrupt
# exits); the file says it is collecting and soon shows preemption-timer
# exits (reason 52) handled in the kernel, with min <= p50 <= p99 <= max;
# the folder goes with the VM.
has_timer_line() {
	cat "$1" >/tmp/lat.dbg 2>/dev/null &&
		awk '$1 == 52 && $2 == "kernel" && $3 > 0 { ok = 1 } END { exit !ok }' /tmp/lat.dbg
}
t_run_debugfs_latency() {
	vmxlab run --mem 16M --stats --timeout 60 "$GUESTS/spin-sti.bin" >/tmp/spin.out 2>&1 &
	_pid=$!
	wait_for 50 sh -c "ls $DBG/vm-$_pid-*/vcpu0-exit-latency" ||
		{ fail "no $DBG/vm-$_pid-*/vcpu0-exit-latency"; kill $_pid; wait $_pid; return 1; }
	_f=$(ls "$DBG"/vm-$_pid-*/vcpu0-exit-latency)
	echo "$_f"
	wait_for 50 has_timer_line "$_f"
	_rc=$?
	kill -INT $_pid
	wait $_pid
	cat /tmp/lat.dbg
	[ $_rc = 0 ] || { fail "no preemption-timer line in $_f"; return 1; }
	grep -q '^# vcpu 0, collecting; TSC ticks, [0-9]* per ms$' /tmp/lat.dbg ||
		{ fail "no '# vcpu 0, collecting' header"; return 1; }
	_bad=$(awk '!/^#/ && $3 > 0 && !($5 <= $6 && $6 <= $7 && $7 <= $8) { print }' /tmp/lat.dbg)
	[ -z "$_bad" ] || { fail "out of order: $_bad"; return 1; }
	if ls -d "$DBG"/vm-$_pid-* 2>/dev/null; then
		fail "the VM's debugfs folder outlived the VM"
		return 1
	fi
	echo "the folder went with the VM"
}

# After every run above: nothing left behind.
t_run_all_gone() {
	expect_eq "debugfs vms" "$(dbg vms)" 0 || return 1
	expect_eq "debugfs vmx_on_cpus" "$(dbg vmx_on_cpus)" 0 || return 1
	expect_eq "vmxlab module references" "$(cat /sys/module/vmxlab/refcnt)" 0 || return 1
	if pidof vmxlab vmxlab-run-abi-test; then
		fail "a vmxlab process is still alive"
		return 1
	fi
	echo "no vmxlab process left"
}
