#!/bin/sh
# `make bench` (tests/bench.sh): vmxlab bench twice in the rig, where one
# tick is one instruction, with the module's vmentry_l1d_flush=never (the
# setting of the rig's KVM reference figures, Documentation/testing.rst).
# The two runs' medians must be the same: a path length does not vary.
# Then vmxlab bench --compare: the same guests on KVM in the same boot,
# kvm_intel's L1D flush off as well.
. /tests/lib.sh

dmesg -n 1
echo "=== vmxlab bench: $(uname -r), $(cpus_online) CPU"
if ! load_vmxlab vmentry_l1d_flush=never; then
	echo "bench: cannot load vmxlab.ko"
	echo "=== end of bench"
	exit 1
fi
for i in 1 2; do
	echo "--- run $i"
	vmxlab bench --iterations 1000 --json /tmp/bench$i.json || echo "bench: run $i failed"
	sed -n 's/.*"name": "\([a-z_-]*\)", .*"p50": \([0-9]*\),.*/\1 \2/p' /tmp/bench$i.json \
		>/tmp/p50.$i
done
if [ -s /tmp/p50.1 ] && cmp -s /tmp/p50.1 /tmp/p50.2; then
	echo "bench: the medians of both runs are the same"
else
	echo "bench: the medians differ between the runs:"
	diff /tmp/p50.1 /tmp/p50.2
fi
# The same guests on KVM in this boot, its L1D flush off too.
echo "--- vmxlab and KVM"
if { [ -d /sys/module/irqbypass ] || [ ! -f /lib/kvm/irqbypass.ko ] ||
     insmod /lib/kvm/irqbypass.ko; } &&
   insmod /lib/kvm/kvm.ko && insmod /lib/kvm/kvm-intel.ko vmentry_l1d_flush=never; then
	vmxlab bench --compare --iterations 1000 || echo "bench: the comparison failed"
else
	echo "bench: cannot load kvm_intel: no comparison"
fi
echo "=== end of bench"
