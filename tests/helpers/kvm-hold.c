// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-hold SECONDS: create a KVM VM (which makes kvm_intel switch VMX on),
 * print "holding", keep it SECONDS seconds (0: release at once), exit.
 * Exit status: 0 done, 3 KVM_CREATE_VM failed with EBUSY (VMX held by
 * someone else), 1 any other failure. Used by tests/guest/lane-vmx.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kvm, vm;
	unsigned int secs;

	if (argc != 2) {
		fprintf(stderr, "usage: kvm-hold SECONDS\n");
		return 1;
	}
	secs = strtoul(argv[1], NULL, 0);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvm-hold: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		int e = errno;

		fprintf(stderr, "kvm-hold: KVM_CREATE_VM: %s\n", strerror(e));
		return e == EBUSY ? 3 : 1;
	}
	printf("kvm-hold: holding a KVM VM for %u s\n", secs);
	fflush(stdout);
	if (secs)
		sleep(secs);
	close(vm);
	close(kvm);
	return 0;
}
