// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab-abi-test: the /dev/vmxlab ABI used wrongly and rightly, checked
 * against the errors Documentation/abi.rst promises. Prints one line per
 * check ("ok"/"not ok ..."); exits 0 only if every check passed. Needs
 * debugfs mounted: a missing counter fails its check rather than pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/libvmxlab.h"
#include "helpers.h"

static int failures;

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failures++;
}

int main(void)
{
	struct vmxlab_caps caps;
	int dev, vm, vms[64], i, ok;
	unsigned int j;

	dev = vmxlab_open();
	check(dev >= 0, "open /dev/vmxlab");
	if (dev < 0)
		return 1;

	check(xioctl(dev, VMXLAB_GET_API_VERSION, 0) == VMXLAB_API_VERSION,
	      "GET_API_VERSION returns VMXLAB_API_VERSION");
	check(xioctl(dev, VMXLAB_GET_API_VERSION, 1) == -EINVAL,
	      "GET_API_VERSION with a non-zero argument: EINVAL");
	check(xioctl(dev, _IO(VMXLAB_IO, 0x7f), 0) == -ENOTTY,
	      "unknown command number: ENOTTY");
	check(xioctl(dev, _IO(0xAE, 0x01), 0) == -ENOTTY,
	      "another driver's ioctl (KVM's magic): ENOTTY");
	check(xioctl(dev, _IOR(VMXLAB_IO, 0x01, int), 0) == -ENOTTY,
	      "GET_CAPS number with a wrong size: ENOTTY");
	check(xioctl(dev, VMXLAB_GET_CAPS, 0) == -EFAULT,
	      "GET_CAPS to NULL: EFAULT");
	check(xioctl(dev, VMXLAB_GET_CAPS, 8) == -EFAULT,
	      "GET_CAPS to an unmapped address: EFAULT");

	memset(&caps, 0xa5, sizeof(caps));
	check(vmxlab_get_caps(dev, &caps) == 0, "GET_CAPS");
	ok = 1;
	for (j = 0; j < ARRAY_SIZE(caps.reserved); j++)
		ok &= caps.reserved[j] == 0;
	ok &= caps.pin.pad == 0 && caps.proc.pad == 0 && caps.proc2.pad == 0 &&
	      caps.exit.pad == 0 && caps.entry.pad == 0;
	check(ok, "GET_CAPS zeroes reserved fields and padding");
	check(caps.vmcs_size > 0 && caps.vmcs_size <= 4096,
	      "GET_CAPS: VMCS size within (0, 4096]");
	check(caps.msrs_valid & 1, "GET_CAPS: IA32_VMX_BASIC was read");
	check((caps.msrs[0] & 0x7fffffff) == caps.vmcs_revision_id,
	      "GET_CAPS: revision id matches raw IA32_VMX_BASIC");
	check((caps.pin.used & caps.pin.allowed0) == caps.pin.allowed0 &&
	      !(caps.pin.used & ~caps.pin.allowed1),
	      "GET_CAPS: pin-based controls in use fit the allowed settings");

	check(vmxlab_create_vm(dev, 2) == -EINVAL, "CREATE_VM with flag bit 1: EINVAL");
	check(vmxlab_create_vm(dev, 1ULL << 31) == -EINVAL,
	      "CREATE_VM with flag bit 31: EINVAL");
	vm = vmxlab_create_vm(dev, VMXLAB_VM_LAPIC);
	check(vm >= 0, "CREATE_VM with VMXLAB_VM_LAPIC");
	if (vm >= 0)
		close(vm);
	vm = vmxlab_create_vm(dev, 0);
	check(vm >= 0, "CREATE_VM");
	if (vm >= 0) {
		check(fcntl(vm, F_GETFD) == FD_CLOEXEC, "VM fd is close-on-exec");
		check(xioctl(vm, _IO(VMXLAB_IO, 0x40), 0) == -ENOTTY,
		      "unknown VM ioctl: ENOTTY");
		check(xioctl(vm, VMXLAB_GET_CAPS, (unsigned long)&caps) == -ENOTTY,
		      "a /dev/vmxlab ioctl on a VM fd: ENOTTY");
		check(xioctl(vm, VMXLAB_CREATE_VM, 0) == -ENOTTY,
		      "CREATE_VM on a VM fd: ENOTTY");
		check(read_debugfs("vms") == 1, "debugfs: one VM alive");
		close(vm);
	}

	for (i = 0; i < 64; i++)
		vms[i] = vmxlab_create_vm(dev, 0);
	ok = 1;
	for (i = 0; i < 64; i++) {
		ok &= vms[i] >= 0;
		if (vms[i] >= 0)
			close(vms[i]);
	}
	check(ok, "64 VMs at once");
	check(read_debugfs("vms") == 0,
	      "debugfs: no VM left after closing every VM fd");
	check(read_debugfs("vmx_on_cpus") == 0,
	      "debugfs: VMX off after the last VM");
	close(dev);

	printf("%d check%s failed\n", failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
