#!/bin/sh
# `make demo`: what vmxlab does today, shown on the serial console.
. /tests/lib.sh

show() {
	echo
	echo "\$ $*"
	"$@" 2>&1
}

# Kernel messages go to the log only, and are shown where they matter, so
# that they do not cut through the tool's output on the console.
dmesg -n 1
echo "=== vmxlab demo: $(uname -r), $(cpus_online) CPUs with VMX (emulated by Bochs)"
show vmxlab version
show insmod $MODDIR/vmxlab.ko
show sh -c "dmesg | grep vmxlab:"
show vmxlab caps
show vmxlab probe --vms 2
echo
echo "# guests run: real mode, long mode (with exit statistics), Multiboot:"
show vmxlab run /guests/hello-real.bin
echo "status $?"
show vmxlab run --stats /guests/hello-lm.elf
show vmxlab run --cmdline "console=uart demo=1" /guests/hello-mb.elf
echo
echo "# a guest spinning with interrupts off is stopped by --timeout (status 4):"
show vmxlab run --timeout 2 /guests/spin.bin
echo "status $?"
echo "# and a triple fault ends the run with status 2:"
show vmxlab run /guests/triple-fault.elf
echo "status $?"
echo
echo "# while kvm_intel holds VMX, vmxlab steps aside (and the reverse):"
for m in irqbypass kvm kvm-intel; do
	[ -f /lib/kvm/$m.ko ] && insmod /lib/kvm/$m.ko
done
kvm-hold 3600 >/tmp/kvm.out 2>&1 &
pid=$!
wait_for 60 grep -q holding /tmp/kvm.out
show cat /tmp/kvm.out
show vmxlab probe
show sh -c "dmesg | grep vmxlab: | tail -n 1"
kill $pid
wait $pid 2>/dev/null
show vmxlab probe
vmxlab probe --hold 3600 >/tmp/hold.out 2>&1 &
pid=$!
wait_for 60 grep -q holding /tmp/hold.out
echo
echo "# and while vmxlab holds a VM, KVM cannot create one (status 3: EBUSY):"
show kvm-hold 0
echo "status $?"
show sh -c "dmesg | grep kvm: | tail -n 2"
kill $pid
wait $pid 2>/dev/null
show kvm-hold 0
show rmmod vmxlab
echo "=== end of demo"
