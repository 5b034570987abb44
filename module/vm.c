// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: creation, the VM file descriptor, and destruction.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "../uapi/linux/vmxlab.h"
#include "arch.h"
#include "vmxlab.h"

atomic_t vmxlab_nr_vms = ATOMIC_INIT(0);

static void vmxlab_vm_free(struct kref *kref)
{
	struct vmxlab_vm *vm = container_of(kref, struct vmxlab_vm, refs);

	mutex_destroy(&vm->lock);
	kfree(vm);
	atomic_dec(&vmxlab_nr_vms);
	vmxlab_arch_hw_put();
}

static void vmxlab_vm_put(struct vmxlab_vm *vm)
{
	kref_put(&vm->refs, vmxlab_vm_free);
}

static int vmxlab_vm_release(struct inode *inode, struct file *file)
{
	vmxlab_vm_put(file->private_data);
	return 0;
}

static long vmxlab_vm_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	/* No VM ioctls yet: every command is unknown. */
	return -ENOTTY;
}

static const struct file_operations vmxlab_vm_fops = {
	.owner = THIS_MODULE,
	.release = vmxlab_vm_release,
	.unlocked_ioctl = vmxlab_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * vmxlab_vm_create() - VMXLAB_CREATE_VM
 * @flags: the ioctl argument; no flag is defined, so it must be 0.
 *
 * Return: a new VM file descriptor, or -EINVAL, -ENOMEM, -EMFILE, or an
 * error of vmxlab_arch_hw_get().
 */
long vmxlab_vm_create(unsigned long flags)
{
	struct vmxlab_vm *vm;
	int r, fd;

	if (flags)
		return -EINVAL;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->refs);
	mutex_init(&vm->lock);

	r = vmxlab_arch_hw_get();
	if (r) {
		mutex_destroy(&vm->lock);
		kfree(vm);
		return r;
	}
	atomic_inc(&vmxlab_nr_vms);

	/* From here on, the release path frees the VM and drops VMX. */
	fd = anon_inode_getfd("vmxlab-vm", &vmxlab_vm_fops, vm,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vmxlab_vm_put(vm);
	return fd;
}
