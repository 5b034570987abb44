// SPDX-License-Identifier: GPL-2.0
/*
 * libvmxlab: thin wrappers around the /dev/vmxlab ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libvmxlab.h"

static int ret(int r)
{
	return r < 0 ? -errno : r;
}

int vmxlab_open(void)
{
	return ret(open(VMXLAB_DEV, O_RDWR | O_CLOEXEC));
}

int vmxlab_api_version(int devfd)
{
	return ret(ioctl(devfd, VMXLAB_GET_API_VERSION, 0));
}

int vmxlab_get_caps(int devfd, struct vmxlab_caps *caps)
{
	return ret(ioctl(devfd, VMXLAB_GET_CAPS, caps));
}

int vmxlab_create_vm(int devfd, uint64_t flags)
{
	return ret(ioctl(devfd, VMXLAB_CREATE_VM, (unsigned long)flags));
}

/* Hypervisors known to take VMX; /sys/module/NAME exists while loaded. */
static const char *const vmx_holders[] = {
	"kvm_intel", "vboxdrv", "vmmon", NULL,
};

static const char *loaded_holder(void)
{
	static char path[64];
	int i;

	for (i = 0; vmx_holders[i]; i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", vmx_holders[i]);
		if (access(path, F_OK) == 0)
			return vmx_holders[i];
	}
	return NULL;
}

const char *vmxlab_explain(const char *op, int err)
{
	static const char not_loaded[] =
		VMXLAB_DEV " not found: the vmxlab module is not loaded (insmod vmxlab.ko)";
	static char buf[256];
	const char *who;

	switch (err) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		if (!strcmp(op, "open"))
			return not_loaded;
		break;
	case EACCES:
	case EPERM:
		if (!strcmp(op, "open"))
			return VMXLAB_DEV ": permission denied (root only)";
		break;
	case EBUSY:
		if (!strcmp(op, "create VM")) {
			who = loaded_holder();
			if (who)
				snprintf(buf, sizeof(buf),
					 "VMX is held by another hypervisor: %s is loaded and has a VM running; stop its VMs or unload it (rmmod %s)",
					 who, who);
			else
				snprintf(buf, sizeof(buf),
					 "VMX is held by another hypervisor (CR4.VMXE is set on some CPU); see the kernel log");
			return buf;
		}
		break;
	case EIO:
		if (!strcmp(op, "create VM"))
			return "VMXON failed on some CPU; the kernel log says why";
		break;
	case ESHUTDOWN:
		return "the machine is shutting down";
	case ENOTTY:
		return "the kernel does not know this ioctl (module too old?)";
	}
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	return buf;
}
