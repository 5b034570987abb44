/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Argument checks of the ioctls, as pure functions: the ioctl handlers
 * call them, and tests/kunit/abi_test.c feeds them every kind of bad
 * argument. Documentation/abi.rst lists the rules they enforce.
 */
#ifndef VMXLAB_MODULE_ABI_CHECK_H
#define VMXLAB_MODULE_ABI_CHECK_H

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "../uapi/linux/vmxlab.h"

/* A slot must end within 4-level EPT's reach (SDM Vol. 3C 28.2.2). */
#define VMXLAB_GPA_LIMIT	BIT_ULL(48)

/**
 * vmxlab_mem_region_check() - VMXLAB_SET_MEMORY_REGION's argument rules
 * @r: the argument.
 *
 * Return: 0; -EINVAL for a bad slot, flag, reserved field or alignment;
 * -E2BIG for a range beyond 2^48; -EFAULT for a userspace range that wraps.
 */
static inline int vmxlab_mem_region_check(const struct vmxlab_memory_region *r)
{
	if (r->slot >= VMXLAB_MAX_MEM_SLOTS ||
	    (r->flags & ~(u32)VMXLAB_MEM_READONLY) ||
	    memchr_inv(r->reserved, 0, sizeof(r->reserved)))
		return -EINVAL;
	if (!r->memory_size)
		return 0;
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (r->guest_phys_addr >= VMXLAB_GPA_LIMIT ||
	    r->memory_size > VMXLAB_GPA_LIMIT - r->guest_phys_addr)
		return -E2BIG;
	if (r->userspace_addr + r->memory_size < r->userspace_addr)
		return -EFAULT;
	return 0;
}

/**
 * vmxlab_sregs_pads_zero() - every pad and reserved byte of @s is zero
 * @s: a VMXLAB_SET_SREGS argument.
 *
 * Return: true if so (else the ioctl fails with -EINVAL).
 */
static inline bool vmxlab_sregs_pads_zero(const struct vmxlab_sregs *s)
{
	const struct vmxlab_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (segs[i]->pad)
			return false;
	return !memchr_inv(s->gdt.pad, 0, sizeof(s->gdt.pad)) &&
	       !memchr_inv(s->idt.pad, 0, sizeof(s->idt.pad)) &&
	       !memchr_inv(s->reserved, 0, sizeof(s->reserved));
}

/**
 * vmxlab_regs_reserved_zero() - the reserved words of @r are zero
 * @r: a VMXLAB_SET_REGS argument.
 *
 * Return: true if so (else the ioctl fails with -EINVAL).
 */
static inline bool vmxlab_regs_reserved_zero(const struct vmxlab_regs *r)
{
	return !memchr_inv(r->reserved, 0, sizeof(r->reserved));
}

/*
 * The exceptions that push an error code (SDM Vol. 3A Table 6-1): #DF,
 * #TS, #NP, #SS, #GP, #PF, #AC, #CP. VM entry insists that an injected
 * exception delivers one exactly for these (SDM Vol. 3C 26.2.1.3).
 */
#define VMXLAB_EXC_ERROR_CODE_VECTORS	(BIT(8) | BIT(10) | BIT(11) |	\
					 BIT(12) | BIT(13) | BIT(14) |	\
					 BIT(17) | BIT(21))

/**
 * vmxlab_event_check() - VMXLAB_INJECT's argument rules
 * @e: the argument.
 *
 * Return: 0, or -EINVAL for a bad type, vector or error code, or a pad or
 * reserved field that is not zero.
 */
static inline int vmxlab_event_check(const struct vmxlab_event *e)
{
	if (e->pad || memchr_inv(e->reserved, 0, sizeof(e->reserved)) ||
	    e->has_error_code > 1 || (!e->has_error_code && e->error_code))
		return -EINVAL;
	switch (e->type) {
	case VMXLAB_EVENT_INTR:
		return e->has_error_code ? -EINVAL : 0;
	case VMXLAB_EVENT_NMI:
		return e->vector || e->has_error_code ? -EINVAL : 0;
	case VMXLAB_EVENT_EXCEPTION:
		/* Vector 2 is the NMI, injected as one (26.2.1.3). */
		if (e->vector > 31 || e->vector == 2)
			return -EINVAL;
		if (e->has_error_code !=
		    !!(BIT(e->vector) & VMXLAB_EXC_ERROR_CODE_VECTORS))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

#endif /* VMXLAB_MODULE_ABI_CHECK_H */
