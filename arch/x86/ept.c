// SPDX-License-Identifier: GPL-2.0
/*
 * Building extended page tables (SDM Vol. 3C 28.2).
 *
 * Level 4 is the PML4, 3 the PDPT, 2 the page directory, 1 the page table.
 * A leaf at level 1 maps 4 KiB; a leaf at level 2 (bit 7 set) maps 2 MiB.
 * Non-leaf entries grant R, W and X, so the leaf alone decides what the
 * guest may do (an access is allowed only if every level allows it,
 * 28.2.3.2). Every leaf has memory type WB and IPAT ("ignore PAT") set,
 * so guest memory is write-back whatever the guest's PAT says (28.2.6.2):
 * the host maps the same pages write-back, and mapping one page with two
 * memory types invites incoherence (SDM Vol. 3A 12.12.4). Guest RAM is
 * ordinary host memory with no device doing non-coherent DMA into it, so
 * nothing needs UC or WC there; KVM makes the same choice in that case.
 *
 * Changing a present entry while a guest may use it needs an INVEPT
 * afterwards (28.3.3.4); making a not-present entry present does not,
 * because the CPU caches no not-present translations (28.3.2). ept_map()
 * only fills not-present entries; ept_unmap() (and the 2 MiB split it may
 * do) changes present ones, and the caller follows it with INVEPT.
 *
 * ept_unmap() also unlinks the tables it leaves empty, so that adding and
 * removing memory at ever new addresses does not grow the tables without
 * bound. An unlinked table is not freed at once: the CPU may cache
 * paging-structure entries that point to it (28.3.1) until the INVEPT, and
 * a page freed and reused before that could be walked as a page table. It
 * waits on ept->detached until the caller's INVEPT and ept_free_detached().
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/vmx.h>

#include "ept.h"

#define EPT_ENTRIES	512
#define EPT_LEAF	BIT_ULL(7)	/* "maps a page" at levels 2, 3 */
#define EPT_ADDR	GENMASK_ULL(51, 12)
#define EPT_MT_WB	((VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT) | \
			 VMX_EPT_IPAT_BIT)

static unsigned int level_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static unsigned int ept_index(u64 gpa, int level)
{
	return (gpa >> level_shift(level)) & (EPT_ENTRIES - 1);
}

static bool present(u64 entry)
{
	return entry & EPT_RWX;
}

static u64 *table_of(u64 entry)
{
	return __va(entry & EPT_ADDR);
}

static u64 *alloc_table(struct ept *ept)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table)
		ept->nr_tables++;
	return table;
}

/* Every entry of @table is not present. */
static bool table_empty(const u64 *table)
{
	int i;

	for (i = 0; i < EPT_ENTRIES; i++)
		if (present(table[i]))
			return false;
	return true;
}

static void free_table(struct ept *ept, u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < EPT_ENTRIES; i++)
			if (present(table[i]) && !(table[i] & EPT_LEAF))
				free_table(ept, table_of(table[i]), level - 1);
	}
	free_page((unsigned long)table);
	ept->nr_tables--;
}

/**
 * ept_init() - allocate the empty tables of a VM
 * @ept: the tables.
 *
 * Return: 0 or -ENOMEM.
 */
int ept_init(struct ept *ept)
{
	ept->nr_tables = 0;
	INIT_LIST_HEAD(&ept->detached);
	ept->root = alloc_table(ept);
	return ept->root ? 0 : -ENOMEM;
}

/**
 * ept_destroy() - free every paging-structure page
 * @ept: the tables; no guest may use them any more.
 */
void ept_destroy(struct ept *ept)
{
	ept_free_detached(ept);
	if (ept->root)
		free_table(ept, ept->root, 4);
	ept->root = NULL;
}

/**
 * ept_free_detached() - free the tables ept_unmap() unlinked
 * @ept: the tables; the caller has invalidated every CPU's cached EPT
 *       translations since the ept_unmap() (INVEPT, 28.3.3.4).
 */
void ept_free_detached(struct ept *ept)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &ept->detached, lru) {
		list_del(&page->lru);
		__free_page(page);
		ept->nr_tables--;
	}
}

/*
 * Unlinks the tables under @table (at @level) that no longer map anything
 * in [@lo, @hi), deepest first, onto ept->detached.
 */
static void prune(struct ept *ept, u64 *table, int level, u64 lo, u64 hi)
{
	u64 span = BIT_ULL(level_shift(level)), g, next;
	u64 *e, *child;

	for (g = lo; g < hi; g = next) {
		next = min((g | (span - 1)) + 1, hi);
		e = &table[ept_index(g, level)];
		if (level == 1 || !present(*e) || (*e & EPT_LEAF))
			continue;
		child = table_of(*e);
		prune(ept, child, level - 1, g, next);
		if (table_empty(child)) {
			WRITE_ONCE(*e, 0);
			list_add(&virt_to_page(child)->lru, &ept->detached);
		}
	}
}

/*
 * Replaces the 2 MiB leaf @pde by a page table of 512 4 KiB leaves that
 * map the same memory with the same permissions.
 */
static int split_2m(struct ept *ept, u64 *pde)
{
	u64 *pt = alloc_table(ept);
	u64 base = *pde & EPT_ADDR & ~(EPT_SIZE_2M - 1);
	u64 attrs = *pde & ~EPT_ADDR & ~EPT_LEAF;
	int i;

	if (!pt)
		return -ENOMEM;
	for (i = 0; i < EPT_ENTRIES; i++)
		pt[i] = (base + i * EPT_SIZE_4K) | attrs;
	WRITE_ONCE(*pde, __pa(pt) | EPT_RWX);
	return 0;
}

/*
 * Finds the entry for @gpa at @level, creating missing tables. A leaf met
 * on the way means the range is already mapped: -EEXIST.
 */
static u64 *walk_create(struct ept *ept, u64 gpa, int level, int *err)
{
	u64 *table = ept->root, *e;
	int l;

	for (l = 4; l > level; l--) {
		e = &table[ept_index(gpa, l)];
		if (!present(*e)) {
			u64 *next = alloc_table(ept);

			if (!next) {
				*err = -ENOMEM;
				return NULL;
			}
			WRITE_ONCE(*e, __pa(next) | EPT_RWX);
		} else if (*e & EPT_LEAF) {
			*err = -EEXIST;
			return NULL;
		}
		table = table_of(*e);
	}
	return &table[ept_index(gpa, level)];
}

static bool range_ok(u64 gpa, u64 size)
{
	return size && !((gpa | size) & (EPT_SIZE_4K - 1)) &&
	       gpa + size > gpa && gpa + size <= BIT_ULL(EPT_GPA_BITS);
}

/**
 * ept_map() - map guest-physical memory to host-physical memory
 * @ept: the tables.
 * @gpa: first guest-physical address, 4 KiB aligned.
 * @hpa: first host-physical address, 4 KiB aligned; @size bytes from here
 *       are contiguous.
 * @size: bytes, a multiple of 4 KiB.
 * @prot: EPT_R, EPT_W, EPT_X; EPT_W without EPT_R is a misconfiguration
 *        (28.2.3.1) and refused.
 * @flags: EPT_MAP_ALLOW_2M: use a 2 MiB leaf wherever @gpa and @hpa are
 *         both 2 MiB aligned and 2 MiB remain and no table is there yet.
 *
 * Only fills not-present entries, so no INVEPT is needed afterwards. On
 * failure nothing of the range stays mapped.
 *
 * Return: 0; -EINVAL for a bad range or @prot; -EEXIST if part of the
 * range is mapped already; -ENOMEM.
 */
int ept_map(struct ept *ept, u64 gpa, u64 hpa, u64 size, u64 prot,
	    unsigned int flags)
{
	u64 done = 0, chunk;
	int err = 0;
	u64 *e;

	if (!range_ok(gpa, size) || (hpa & (EPT_SIZE_4K - 1)) ||
	    !prot || (prot & ~EPT_RWX) || ((prot & EPT_W) && !(prot & EPT_R)))
		return -EINVAL;

	while (done < size) {
		u64 g = gpa + done, h = hpa + done;
		int level = 1;

		if ((flags & EPT_MAP_ALLOW_2M) && size - done >= EPT_SIZE_2M &&
		    !((g | h) & (EPT_SIZE_2M - 1))) {
			e = walk_create(ept, g, 2, &err);
			if (e && !present(*e))
				level = 2;
			else if (!e)
				break;
		}
		if (level == 1) {
			e = walk_create(ept, g, 1, &err);
			if (!e)
				break;
		}
		if (present(*e)) {
			err = -EEXIST;
			break;
		}
		chunk = level == 2 ? EPT_SIZE_2M : EPT_SIZE_4K;
		WRITE_ONCE(*e, h | prot | EPT_MT_WB | (level == 2 ? EPT_LEAF : 0));
		done += chunk;
	}
	if (err && done)
		ept_unmap(ept, gpa, done);
	return err;
}

/**
 * ept_unmap() - remove guest-physical memory from the map
 * @ept: the tables.
 * @gpa: first address, 4 KiB aligned.
 * @size: bytes, a multiple of 4 KiB. Holes in the range are fine.
 *
 * A 2 MiB leaf only partly inside the range is split first. Tables left
 * empty are unlinked onto ept->detached. The caller must INVEPT before the
 * memory may be reused (28.3.3.4), then call ept_free_detached().
 *
 * Return: 0; -EINVAL for a bad range; -ENOMEM if a split failed: the whole
 * 2 MiB leaf is then unmapped, more than asked but never less, so that no
 * page of the range stays reachable once its caller unpins it.
 */
int ept_unmap(struct ept *ept, u64 gpa, u64 size)
{
	u64 end = gpa + size, g = gpa;
	int err = 0;

	if (!range_ok(gpa, size))
		return -EINVAL;

	while (g < end) {
		u64 *table = ept->root, *e = NULL;
		int l;

		/* Find the leaf (or hole) covering g without creating tables. */
		for (l = 4; l >= 1; l--) {
			e = &table[ept_index(g, l)];
			if (!present(*e) || (*e & EPT_LEAF) || l == 1)
				break;
			table = table_of(*e);
		}
		if (!present(*e)) {
			/* A hole of this level's size: skip to its end. */
			g = (g | (BIT_ULL(level_shift(l)) - 1)) + 1;
			continue;
		}
		if (l == 2 && (*e & EPT_LEAF)) {
			if (!(g & (EPT_SIZE_2M - 1)) && end - g >= EPT_SIZE_2M) {
				WRITE_ONCE(*e, 0);
				g += EPT_SIZE_2M;
				continue;
			}
			if (split_2m(ept, e)) {
				WRITE_ONCE(*e, 0);
				g = (g | (EPT_SIZE_2M - 1)) + 1;
				err = -ENOMEM;
			}
			continue;	/* look again, now at level 1 */
		}
		WRITE_ONCE(*e, 0);
		g += EPT_SIZE_4K;
	}
	prune(ept, ept->root, 4, gpa, end);
	return err;
}

/**
 * ept_walk() - translate a guest-physical address
 * @ept: the tables.
 * @gpa: the address.
 * @hpa: set to the host-physical address.
 * @prot: set to the leaf's EPT_R/W/X.
 * @level: set to the leaf's level (1: 4 KiB, 2: 2 MiB).
 *
 * Return: 0, or -ENOENT if @gpa is not mapped.
 */
int ept_walk(const struct ept *ept, u64 gpa, u64 *hpa, u64 *prot,
	     int *level)
{
	u64 *table = ept->root, e;
	int l;

	if (gpa >= BIT_ULL(EPT_GPA_BITS))
		return -ENOENT;
	for (l = 4; l >= 1; l--) {
		e = READ_ONCE(table[ept_index(gpa, l)]);
		if (!present(e))
			return -ENOENT;
		if (l == 1 || (e & EPT_LEAF)) {
			u64 mask = BIT_ULL(level_shift(l)) - 1;

			*hpa = (e & EPT_ADDR & ~mask) | (gpa & mask);
			*prot = e & EPT_RWX;
			*level = l;
			return 0;
		}
		table = table_of(e);
	}
	return -ENOENT;
}

/**
 * ept_pointer() - the EPTP VM-execution control field (SDM Vol. 3C 24.6.11)
 * @ept: the tables.
 * @ad: enable accessed and dirty flags (only if the CPU supports them).
 *
 * Return: root address | WB paging-structure memory type | walk length 4-1.
 */
u64 ept_pointer(const struct ept *ept, bool ad)
{
	return __pa(ept->root) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4 |
	       (ad ? VMX_EPTP_AD_ENABLE_BIT : 0);
}
