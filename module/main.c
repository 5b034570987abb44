// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab: module entry points and /dev/vmxlab.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/build_bug.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "../uapi/linux/vmxlab.h"
#include "arch.h"
#include "vmxlab.h"

/*
 * The ABI's structures have one layout on every architecture and in 32-bit
 * compat tasks: tests/check-uapi.sh checks for holes, this checks sizes.
 */
static_assert(sizeof(struct vmxlab_ctls) == 16);
static_assert(sizeof(struct vmxlab_caps) == 112 + 9 * 8 + 8 * VMXLAB_CAP_MSR_COUNT + 64);
static_assert(sizeof(struct vmxlab_memory_region) == 64);
static_assert(sizeof(struct vmxlab_regs) == 20 * 8);
static_assert(sizeof(struct vmxlab_segment) == 24);
static_assert(sizeof(struct vmxlab_dtable) == 16);
static_assert(sizeof(struct vmxlab_sregs) == 8 * 24 + 2 * 16 + 15 * 8);
static_assert(sizeof(struct vmxlab_run) == 40 + 256);
static_assert(sizeof(struct vmxlab_run) <= VMXLAB_RUN_IO_DATA_OFFSET);
static_assert(VMXLAB_RUN_IO_DATA_OFFSET + VMXLAB_RUN_IO_DATA_MAX <= PAGE_SIZE);
static_assert(sizeof(struct vmxlab_vcpu_stats) == 64 + 8 * VMXLAB_NR_EXIT_REASONS);
static_assert(sizeof(struct vmxlab_exit_lat) == 5 * 8 + 4 * VMXLAB_LAT_BUCKETS);
static_assert(sizeof(struct vmxlab_exit_stats) == 8 * 4 + 8 + 4 * 8);
static_assert(sizeof(struct vmxlab_trace_rec) == 40);
static_assert(sizeof(struct vmxlab_trace_ring) <= VMXLAB_TRACE_RECS_OFFSET);
static_assert(sizeof(struct vmxlab_trace_setup) == 32);

static bool vmx_always_on;
module_param(vmx_always_on, bool, 0444);
MODULE_PARM_DESC(vmx_always_on,
		 "Switch VMX on at load and keep it on until unload (default: only while VMs exist)");

struct dentry *vmxlab_debugfs;

static long vmxlab_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VMXLAB_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return VMXLAB_API_VERSION;
	case VMXLAB_GET_CAPS:
		if (copy_to_user(argp, vmxlab_arch_caps(),
				 sizeof(struct vmxlab_caps)))
			return -EFAULT;
		return 0;
	case VMXLAB_CREATE_VM:
		return vmxlab_vm_create(arg);
	case VMXLAB_GET_RUN_SIZE:
		if (arg)
			return -EINVAL;
		return PAGE_SIZE;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmxlab_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vmxlab_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Root only: a VM can pin memory and occupy CPUs. */
static struct miscdevice vmxlab_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmxlab",
	.fops = &vmxlab_dev_fops,
	.mode = 0600,
};

static int vmxlab_vms_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%d\n", atomic_read(&vmxlab_nr_vms));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmxlab_vms);

static int vmxlab_vcpus_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%d\n", atomic_read(&vmxlab_nr_vcpus));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmxlab_vcpus);

static int __init vmxlab_init(void)
{
	const struct vmxlab_caps *caps;
	int r;

	r = vmxlab_arch_init(vmx_always_on);
	if (r)
		return r;

	vmxlab_debugfs = debugfs_create_dir("vmxlab", NULL);
	debugfs_create_file("vms", 0444, vmxlab_debugfs, NULL, &vmxlab_vms_fops);
	debugfs_create_file("vcpus", 0444, vmxlab_debugfs, NULL,
			    &vmxlab_vcpus_fops);
	vmxlab_arch_debugfs(vmxlab_debugfs);

	r = misc_register(&vmxlab_dev);
	if (r) {
		pr_err("cannot register /dev/vmxlab: %d\n", r);
		debugfs_remove_recursive(vmxlab_debugfs);
		vmxlab_arch_exit();
		return r;
	}

	caps = vmxlab_arch_caps();
	pr_info("ready: API %d, VMCS revision %#x, features %#llx%s\n",
		VMXLAB_API_VERSION, caps->vmcs_revision_id, caps->features,
		vmx_always_on ? ", VMX kept on" : "");
	return 0;
}

static void __exit vmxlab_exit(void)
{
	misc_deregister(&vmxlab_dev);
	debugfs_remove_recursive(vmxlab_debugfs);
	vmxlab_arch_exit();
}

module_init(vmxlab_init);
module_exit(vmxlab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vmxlab: a small Intel VMX hypervisor for learning and measuring");
MODULE_VERSION(VMXLAB_VERSION);
