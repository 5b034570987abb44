/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extended page tables: the guest-physical to host-physical map of a VM.
 *
 * SDM Vol. 3C 28.2. Four levels (PML4, PDPT, PD, PT), 4 KiB and 2 MiB
 * leaves, write-back memory type. The builder is plain memory
 * manipulation and needs no VMX, so KUnit tests it anywhere; the caller
 * owns INVEPT (see ept_unmap()).
 */
#ifndef VMXLAB_ARCH_X86_EPT_H
#define VMXLAB_ARCH_X86_EPT_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/types.h>

/* Permission bits of a leaf, as in the entry (SDM Vol. 3C table 28-6). */
#define EPT_R		BIT_ULL(0)
#define EPT_W		BIT_ULL(1)
#define EPT_X		BIT_ULL(2)
#define EPT_RWX		(EPT_R | EPT_W | EPT_X)

/* 4-level EPT translates 48 bits of guest-physical address (28.2.2). */
#define EPT_GPA_BITS	48

#define EPT_SIZE_4K	BIT_ULL(12)
#define EPT_SIZE_2M	BIT_ULL(21)

/**
 * struct ept - one VM's extended page tables
 * @root: the PML4 table (a zeroed page).
 * @nr_tables: paging-structure pages allocated, including @root and
 *             those on @detached.
 * @detached: tables ept_unmap() emptied and unlinked; the CPU may still
 *            cache entries pointing to them until the caller's INVEPT,
 *            after which ept_free_detached() frees them.
 */
struct ept {
	u64 *root;
	unsigned long nr_tables;
	struct list_head detached;
};

/* ept_map() flags */
#define EPT_MAP_ALLOW_2M	BIT(0)	/* use 2 MiB leaves where possible */

int ept_init(struct ept *ept);
void ept_destroy(struct ept *ept);
int ept_map(struct ept *ept, u64 gpa, u64 hpa, u64 size, u64 prot,
	    unsigned int flags);
int ept_unmap(struct ept *ept, u64 gpa, u64 size);
void ept_free_detached(struct ept *ept);
int ept_walk(const struct ept *ept, u64 gpa, u64 *hpa, u64 *prot,
	     int *level);
u64 ept_pointer(const struct ept *ept, bool ad);

#endif /* VMXLAB_ARCH_X86_EPT_H */
