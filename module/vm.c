// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: creation, the VM file descriptor, guest memory, destruction.
 *
 * Guest memory is the caller's own memory. A slot pins it for as long as
 * the slot exists (a long-term pin: the pages cannot move or be swapped
 * while a guest may reach them through EPT), charges it to the caller's
 * locked memory (RLIMIT_MEMLOCK, unless CAP_IPC_LOCK) and hands the pages
 * to the backend to map. Documentation/abi.rst has the rules.
 */
#define pr_fmt(fmt) "vmxlab: " fmt

#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/magic.h>

#include "abi_check.h"
#include "arch.h"
#include "vmxlab.h"

atomic_t vmxlab_nr_vms = ATOMIC_INIT(0);

static void slot_release(struct vmxlab_vm *vm, struct vmxlab_slot *slot)
{
	unsigned long npages = slot->size >> PAGE_SHIFT;

	vmxlab_arch_unmap(vm, slot->gpa, slot->size);
	unpin_user_pages(slot->pages, npages);
	account_locked_vm(vm->mm, npages, false);
	kvfree(slot->pages);
}

static void vmxlab_vm_free(struct kref *kref)
{
	struct vmxlab_vm *vm = container_of(kref, struct vmxlab_vm, refs);
	int i;

	debugfs_remove_recursive(vm->debugfs);
	for (i = 0; i < VMXLAB_MAX_MEM_SLOTS; i++)
		if (vm->slots[i].size)
			slot_release(vm, &vm->slots[i]);
	vmxlab_arch_vm_destroy(vm);
	mmdrop(vm->mm);
	mutex_destroy(&vm->lock);
	kfree(vm);
	atomic_dec(&vmxlab_nr_vms);
	vmxlab_arch_hw_put();
}

void vmxlab_vm_put(struct vmxlab_vm *vm)
{
	kref_put(&vm->refs, vmxlab_vm_free);
}

static int vmxlab_vm_release(struct inode *inode, struct file *file)
{
	vmxlab_vm_put(file->private_data);
	return 0;
}

/* The pure rules (abi_check.h), then: is the range the caller's? */
static int mem_region_check(const struct vmxlab_memory_region *r)
{
	int err = vmxlab_mem_region_check(r);

	if (!err && r->memory_size &&
	    !access_ok((void __user *)(unsigned long)r->userspace_addr,
		       r->memory_size))
		err = -EFAULT;
	return err;
}

/*
 * What memory a slot may be made of (Documentation/abi.rst): anonymous or
 * private memory, shared memory that lives in tmpfs (memfd, shmem, SysV
 * shm) or hugetlbfs. Not a shared mapping of any other file: its page
 * cache pages belong to a filesystem that writes them back and may
 * truncate them, and a long-term writable pin would keep them from it (and
 * the guest's writes from being marked dirty). Later kernels refuse such
 * pins themselves (FOLL_LONGTERM on a file that needs dirty tracking).
 */
static bool vma_pinnable(struct vm_area_struct *vma)
{
	unsigned long magic;

	if (!(vma->vm_flags & VM_SHARED) || !vma->vm_file ||
	    is_vm_hugetlb_page(vma))
		return true;
	magic = file_inode(vma->vm_file)->i_sb->s_magic;
	return magic == TMPFS_MAGIC || magic == HUGETLBFS_MAGIC;
}

/* Every page of the range is mapped, by mappings a slot may use. */
static int region_kind_check(struct mm_struct *mm, u64 uaddr, u64 size)
{
	struct vm_area_struct *vma;
	u64 addr = uaddr;

	while (addr < uaddr + size) {
		vma = vma_lookup(mm, addr);
		if (!vma)
			return -EFAULT;
		if (!vma_pinnable(vma))
			return -EINVAL;
		addr = vma->vm_end;
	}
	return 0;
}

/* Pins @npages pages at @uaddr, all or none. */
static int pin_region(u64 uaddr, unsigned long npages, struct page **pages)
{
	unsigned long done = 0;
	long n = 0;
	int err;

	mmap_read_lock(current->mm);
	err = region_kind_check(current->mm, uaddr, (u64)npages << PAGE_SHIFT);
	if (err) {
		mmap_read_unlock(current->mm);
		return err;
	}
	while (done < npages) {
		n = pin_user_pages(uaddr + (done << PAGE_SHIFT), npages - done,
				   FOLL_WRITE | FOLL_LONGTERM, pages + done,
				   NULL);
		if (n <= 0)
			break;
		done += n;
	}
	mmap_read_unlock(current->mm);
	if (done == npages)
		return 0;
	unpin_user_pages(pages, done);
	return n < 0 && n != -EFAULT ? (int)n : -EFAULT;
}

static int slot_add(struct vmxlab_vm *vm, const struct vmxlab_memory_region *r)
{
	unsigned long npages = r->memory_size >> PAGE_SHIFT;
	struct vmxlab_slot *slot = &vm->slots[r->slot];
	struct page **pages;
	int i, err;

	if (slot->size)
		return -EBUSY;
	for (i = 0; i < VMXLAB_MAX_MEM_SLOTS; i++) {
		const struct vmxlab_slot *s = &vm->slots[i];

		if (s->size && r->guest_phys_addr < s->gpa + s->size &&
		    s->gpa < r->guest_phys_addr + r->memory_size)
			return -EEXIST;
	}
	/* More than the machine has could never be pinned; say so early. */
	if (npages > totalram_pages())
		return -ENOMEM;

	/*
	 * The locked-memory limit first: an unprivileged caller over its
	 * RLIMIT_MEMLOCK must not make the kernel allocate the page array
	 * (8 bytes per guest page) before it is refused.
	 */
	err = account_locked_vm(vm->mm, npages, true);
	if (err)
		return err;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		err = -ENOMEM;
		goto unaccount;
	}
	err = pin_region(r->userspace_addr, npages, pages);
	if (err)
		goto free;
	err = vmxlab_arch_map(vm, r->guest_phys_addr, pages, npages,
			      !(r->flags & VMXLAB_MEM_READONLY));
	if (err)
		goto unpin;

	write_lock(&vm->slots_lock);
	slot->gpa = r->guest_phys_addr;
	slot->uaddr = r->userspace_addr;
	slot->flags = r->flags;
	slot->pages = pages;
	slot->size = r->memory_size;
	write_unlock(&vm->slots_lock);
	return 0;

unpin:
	unpin_user_pages(pages, npages);
free:
	kvfree(pages);
unaccount:
	account_locked_vm(vm->mm, npages, false);
	return err;
}

static int slot_delete(struct vmxlab_vm *vm, u32 id)
{
	struct vmxlab_slot old;

	if (!vm->slots[id].size)
		return 0;
	write_lock(&vm->slots_lock);
	old = vm->slots[id];
	memset(&vm->slots[id], 0, sizeof(vm->slots[id]));
	write_unlock(&vm->slots_lock);
	slot_release(vm, &old);
	return 0;
}

static int vmxlab_set_memory_region(struct vmxlab_vm *vm, void __user *argp)
{
	struct vmxlab_memory_region r;
	int err;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	err = mem_region_check(&r);
	if (err)
		return err;

	mutex_lock(&vm->lock);
	if (r.memory_size)
		err = slot_add(vm, &r);
	else
		err = slot_delete(vm, r.slot);
	mutex_unlock(&vm->lock);
	return err;
}

/*
 * Copies between @buf and guest-physical memory, page by page; -EFAULT at
 * the first page no slot backs (or a read-only one, for @write).
 */
static int guest_copy(struct vmxlab_vm *vm, u64 gpa, void *buf, size_t len,
		      bool write)
{
	int err = 0;

	read_lock(&vm->slots_lock);
	while (len) {
		size_t off = offset_in_page(gpa);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		struct vmxlab_slot *s = NULL;
		void *p;
		int i;

		for (i = 0; i < VMXLAB_MAX_MEM_SLOTS; i++) {
			s = &vm->slots[i];
			if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
				break;
		}
		if (i == VMXLAB_MAX_MEM_SLOTS ||
		    (write && (s->flags & VMXLAB_MEM_READONLY))) {
			err = -EFAULT;
			break;
		}
		p = kmap_local_page(s->pages[(gpa - s->gpa) >> PAGE_SHIFT]);
		if (write)
			memcpy(p + off, buf, n);
		else
			memcpy(buf, p + off, n);
		kunmap_local(p);
		gpa += n;
		buf += n;
		len -= n;
	}
	read_unlock(&vm->slots_lock);
	return err;
}

/**
 * vmxlab_cmpxchg_guest() - compare and exchange guest memory atomically
 * @vm: the VM.
 * @gpa: guest-physical address, aligned to @len.
 * @old: the value expected there.
 * @new: the value to store.
 * @len: 4 or 8 bytes.
 *
 * For the accessed and dirty bits of the guest's paging structures, which
 * other vCPUs (and the guest's own CPU, SDM Vol. 3A 4.8) update atomically
 * too.
 *
 * Return: 0; -EAGAIN if the memory no longer held @old; -EFAULT if no
 * writable slot backs @gpa, or for a bad @len or alignment.
 */
int vmxlab_cmpxchg_guest(struct vmxlab_vm *vm, u64 gpa, u64 old, u64 new,
			 unsigned int len)
{
	struct vmxlab_slot *s = NULL;
	bool done = false;
	int i, err = -EFAULT;
	void *p;

	if ((len != 4 && len != 8) || (gpa & (len - 1)))
		return -EFAULT;
	read_lock(&vm->slots_lock);
	for (i = 0; i < VMXLAB_MAX_MEM_SLOTS; i++) {
		s = &vm->slots[i];
		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
			break;
	}
	if (i < VMXLAB_MAX_MEM_SLOTS && !(s->flags & VMXLAB_MEM_READONLY)) {
		p = kmap_local_page(s->pages[(gpa - s->gpa) >> PAGE_SHIFT]);
		p += offset_in_page(gpa);
		if (len == 8)
			done = try_cmpxchg64((u64 *)p, &old, new);
		else
			done = cmpxchg((u32 *)p, (u32)old, (u32)new) == (u32)old;
		kunmap_local(p);
		err = done ? 0 : -EAGAIN;
	}
	read_unlock(&vm->slots_lock);
	return err;
}

int vmxlab_read_guest(struct vmxlab_vm *vm, u64 gpa, void *buf, size_t len)
{
	return guest_copy(vm, gpa, buf, len, false);
}

int vmxlab_write_guest(struct vmxlab_vm *vm, u64 gpa, const void *buf,
		       size_t len)
{
	return guest_copy(vm, gpa, (void *)buf, len, true);
}

static long vmxlab_vm_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct vmxlab_vm *vm = file->private_data;

	/*
	 * Guest memory is the creator's address space: another process
	 * (after fork, or one the fd was passed to) cannot add to it or run
	 * in it (KVM refuses the same, with -EIO).
	 */
	if (current->mm != vm->mm)
		return -EPERM;
	switch (cmd) {
	case VMXLAB_SET_MEMORY_REGION:
		return vmxlab_set_memory_region(vm, (void __user *)arg);
	case VMXLAB_CREATE_VCPU:
		return vmxlab_vcpu_create(vm, arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmxlab_vm_fops = {
	.owner = THIS_MODULE,
	.release = vmxlab_vm_release,
	.unlocked_ioctl = vmxlab_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * The VM's folder in debugfs, vm-PID-N: the creator's pid and a count of
 * VMs since the module was loaded (a pid may hold several VMs). Without
 * debugfs, an error pointer that the debugfs calls ignore.
 */
static void vm_debugfs(struct vmxlab_vm *vm)
{
	static atomic_t serial = ATOMIC_INIT(0);
	char name[32];

	snprintf(name, sizeof(name), "vm-%d-%d", task_pid_nr(current),
		 atomic_inc_return(&serial));
	vm->debugfs = debugfs_create_dir(name, vmxlab_debugfs);
}

/**
 * vmxlab_vm_create() - VMXLAB_CREATE_VM
 * @flags: the ioctl argument, VMXLAB_VM_* bits.
 *
 * Return: a new VM file descriptor, or -EINVAL, -ENOMEM, -EMFILE, or an
 * error of vmxlab_arch_hw_get().
 */
long vmxlab_vm_create(unsigned long flags)
{
	struct vmxlab_vm *vm;
	int r, fd;

	if (flags & ~(unsigned long)VMXLAB_VM_LAPIC)
		return -EINVAL;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	vm->flags = flags;
	kref_init(&vm->refs);
	mutex_init(&vm->lock);
	rwlock_init(&vm->slots_lock);
	vm->mm = current->mm;
	mmgrab(vm->mm);

	r = vmxlab_arch_hw_get();
	if (r)
		goto free;
	r = vmxlab_arch_vm_init(vm);
	if (r) {
		vmxlab_arch_hw_put();
		goto free;
	}
	atomic_inc(&vmxlab_nr_vms);
	vm_debugfs(vm);

	/* From here on, the release path frees the VM and drops VMX. */
	fd = anon_inode_getfd("vmxlab-vm", &vmxlab_vm_fops, vm,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vmxlab_vm_put(vm);
	return fd;

free:
	mmdrop(vm->mm);
	mutex_destroy(&vm->lock);
	kfree(vm);
	return r;
}
