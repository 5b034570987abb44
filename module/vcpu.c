// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU objects: creation, the vCPU file descriptor and its run page.
 *
 * The run page is one zeroed page, mapped shared into userspace by mmap()
 * on the vCPU fd; exits are described there (struct vmxlab_run). The vCPU
 * holds a reference on its VM, so closing the VM fd first is harmless.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "abi_check.h"
#include "arch.h"
#include "vmxlab.h"

atomic_t vmxlab_nr_vcpus = ATOMIC_INIT(0);

static void vcpu_free(struct vmxlab_vcpu *vcpu)
{
	struct vmxlab_vm *vm = vcpu->vm;

	/* Waits for readers of the file: nothing reads the vCPU after this. */
	debugfs_remove(vcpu->debugfs);
	mutex_lock(&vm->lock);
	vm->vcpus[vcpu->id] = NULL;
	mutex_unlock(&vm->lock);
	vmxlab_arch_vcpu_destroy(vcpu);
	vmxlab_stats_free(vcpu);
	free_page((unsigned long)vcpu->run);
	mutex_destroy(&vcpu->mutex);
	kfree(vcpu);
	atomic_dec(&vmxlab_nr_vcpus);
	vmxlab_vm_put(vm);
}

static int vmxlab_vcpu_release(struct inode *inode, struct file *file)
{
	vcpu_free(file->private_data);
	return 0;
}

static long vcpu_set_regs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_regs regs;
	long r;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	if (!vmxlab_regs_reserved_zero(&regs))
		return -EINVAL;
	r = vmxlab_arch_set_regs(vcpu, &regs);
	if (!r)
		vcpu->regs_set = true;
	return r;
}

static long vcpu_get_regs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_regs regs = {};
	long r = vmxlab_arch_get_regs(vcpu, &regs);

	if (!r && copy_to_user(argp, &regs, sizeof(regs)))
		r = -EFAULT;
	return r;
}

static long vcpu_set_sregs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_sregs sregs;
	long r;

	if (copy_from_user(&sregs, argp, sizeof(sregs)))
		return -EFAULT;
	if (!vmxlab_sregs_pads_zero(&sregs))
		return -EINVAL;
	r = vmxlab_arch_set_sregs(vcpu, &sregs);
	if (!r)
		vcpu->sregs_set = true;
	return r;
}

static long vcpu_get_sregs(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_sregs sregs = {};
	long r = vmxlab_arch_get_sregs(vcpu, &sregs);

	if (!r && copy_to_user(argp, &sregs, sizeof(sregs)))
		r = -EFAULT;
	return r;
}

static long vcpu_run(struct vmxlab_vcpu *vcpu, unsigned long arg)
{
	if (arg)
		return -EINVAL;
	if (!vcpu->regs_set || !vcpu->sregs_set)
		return -ENOEXEC;
	if (READ_ONCE(vcpu->run->immediate_exit))
		return -EINTR;
	return vmxlab_arch_run(vcpu);
}

static long vcpu_get_stats(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_vcpu_stats *st;
	long r = 0;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	vmxlab_arch_vcpu_stats(vcpu, st);
	st->nr_reasons = VMXLAB_NR_EXIT_REASONS;
	if (copy_to_user(argp, st, sizeof(*st)))
		r = -EFAULT;
	kfree(st);
	return r;
}

static long vcpu_inject(struct vmxlab_vcpu *vcpu, void __user *argp)
{
	struct vmxlab_event ev;
	long r;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	r = vmxlab_event_check(&ev);
	if (r)
		return r;
	return vmxlab_arch_inject(vcpu, &ev);
}

/*
 * Every vCPU ioctl but RUN, with the vCPU's mutex held. Kept out of line:
 * inlined, its cases' stack buffers would give RUN's path a bigger frame
 * and a stack-protector check (8 more instructions per exit to userspace,
 * measured by the path-length gate).
 */
static noinline long vcpu_ioctl_locked(struct vmxlab_vcpu *vcpu,
				       unsigned int cmd, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VMXLAB_GET_REGS:
		return vcpu_get_regs(vcpu, argp);
	case VMXLAB_SET_REGS:
		return vcpu_set_regs(vcpu, argp);
	case VMXLAB_GET_SREGS:
		return vcpu_get_sregs(vcpu, argp);
	case VMXLAB_SET_SREGS:
		return vcpu_set_sregs(vcpu, argp);
	case VMXLAB_GET_VCPU_STATS:
		return vcpu_get_stats(vcpu, argp);
	case VMXLAB_SET_EXIT_STATS:
		return vmxlab_stats_set(vcpu, arg);
	case VMXLAB_GET_EXIT_STATS:
		return vmxlab_stats_get(vcpu, argp);
	case VMXLAB_SET_TRACE:
		return vmxlab_trace_set(vcpu, argp);
	case VMXLAB_INJECT:
		return vcpu_inject(vcpu, argp);
	}
	return -ENOTTY;
}

static long vmxlab_vcpu_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct vmxlab_vcpu *vcpu = file->private_data;
	long r;

	/* Only the VM's creator runs it (vm.c, vmxlab_vm_ioctl()). */
	if (current->mm != vcpu->vm->mm)
		return -EPERM;
	/*
	 * A running vCPU holds the mutex for as long as the guest runs (a
	 * second RUN gets -EBUSY, anything else waits). RUN, the ioctl of
	 * every exit to userspace, is the fast path.
	 */
	if (cmd == VMXLAB_RUN) {
		if (!mutex_trylock(&vcpu->mutex))
			return -EBUSY;
		r = vcpu_run(vcpu, arg);
	} else {
		if (mutex_lock_killable(&vcpu->mutex))
			return -EINTR;
		r = vcpu_ioctl_locked(vcpu, cmd, arg);
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t vmxlab_vcpu_fault(struct vm_fault *vmf)
{
	struct vmxlab_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(vcpu->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vmxlab_vcpu_vm_ops = {
	.fault = vmxlab_vcpu_fault,
};

static int vmxlab_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff == VMXLAB_TRACE_MMAP_OFFSET >> PAGE_SHIFT)
		return vmxlab_trace_mmap(file->private_data, vma);
	if (vma->vm_pgoff != 0 || vma_pages(vma) != 1)
		return -EINVAL;
	vma->vm_ops = &vmxlab_vcpu_vm_ops;
	return 0;
}

static const struct file_operations vmxlab_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = vmxlab_vcpu_release,
	.unlocked_ioctl = vmxlab_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vmxlab_vcpu_mmap,
	.llseek = noop_llseek,
};

/**
 * vmxlab_vcpu_create() - VMXLAB_CREATE_VCPU
 * @vm: the VM.
 * @id: the ioctl argument, the vCPU id.
 *
 * Return: a vCPU fd; -EINVAL for a bad id, -EEXIST if it exists, -ENOMEM,
 * -EMFILE.
 */
long vmxlab_vcpu_create(struct vmxlab_vm *vm, unsigned long id)
{
	struct vmxlab_vcpu *vcpu;
	int r, fd;

	if (id >= VMXLAB_MAX_VCPUS)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->id = id;
	vcpu->vm = vm;
	vcpu->stats.reason = VMXLAB_STATS_NO_SAMPLE;
	mutex_init(&vcpu->mutex);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	r = -ENOMEM;
	if (!vcpu->run)
		goto free;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->vcpus[id])
		goto unlock;
	r = vmxlab_arch_vcpu_init(vcpu);
	if (r)
		goto unlock;
	vm->vcpus[id] = vcpu;
	kref_get(&vm->refs);
	mutex_unlock(&vm->lock);
	atomic_inc(&vmxlab_nr_vcpus);
	vmxlab_stats_debugfs(vcpu);

	/* From here on, the release path frees the vCPU. */
	fd = anon_inode_getfd("vmxlab-vcpu", &vmxlab_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vcpu_free(vcpu);
	return fd;

unlock:
	mutex_unlock(&vm->lock);
	free_page((unsigned long)vcpu->run);
free:
	mutex_destroy(&vcpu->mutex);
	kfree(vcpu);
	return r;
}
