// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab run: the initial machine state for each mode, and what the tool
 * writes into guest memory for it (GDT, stack, page tables, multiboot
 * information). Segment registers are given as VMX sees them (SDM Vol. 3C
 * 24.4.1, access rights), checked at VM entry against SDM Vol. 3C 26.3.1.2.
 * The layout is in run.h and Documentation/vmxlab.1.
 */
#include <stdio.h>
#include <string.h>

#include "run.h"

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define RFLAGS_FIXED	(1ULL << 1)

#define SEG_DATA_RW_A	0x3	/* read/write data, accessed */
#define SEG_CODE_RX_A	0xb	/* execute/read code, accessed */
#define SEG_TSS_BUSY	0xb	/* busy 32-bit (or 64-bit) TSS */

/*
 * IA32_APIC_BASE: default base, BSP, disabled; with --lapic enabled, as
 * the BSP's after reset (SDM Vol. 3A 11.4.4: 0xfee00900).
 */
#define APIC_BASE_VALUE		0xfee00100ULL
#define APIC_BASE_LAPIC		0xfee00900ULL

/* Page-table entry bits (SDM Vol. 3A 4.5). */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)

/* Multiboot information (Multiboot Specification 0.6.96, 3.3). */
#define MB_BOOT_MAGIC	0x2BADB002
#define MBI_FLAG_MEM	(1u << 0)
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MODS	(1u << 3)
#define MBI_FLAG_MMAP	(1u << 6)
#define MBI_FLAG_NAME	(1u << 9)
#define MBI_SIZE	0x78	/* through the framebuffer fields */
#define MBI_MMAP	(MBI_ADDR + 0x100)
#define MBI_MODS	(MBI_ADDR + 0x140)	/* one module: 16 bytes */
#define MBI_NAME	(MBI_ADDR + 0x180)
#define MBI_MOD_NAME	(MBI_ADDR + 0x190)
#define MBI_MOD_NAME_MAX (0x200 - 0x190 - 1)
#define MBI_CMDLINE	(MBI_ADDR + 0x200)
#define MBI_CMDLINE_MAX	(0x1000 - 0x200 - 1)	/* bytes before the NUL */

/* GDT descriptors (SDM Vol. 3A 3.4.5): base 0, limit 0xfffff, G = 1. */
static const uint64_t gdt[] = {
	0,			/* null */
	0x00cf9b000000ffffULL,	/* 0x08: code, 32-bit (D = 1) */
	0x00cf93000000ffffULL,	/* 0x10: data */
	0x00af9b000000ffffULL,	/* 0x18: code, 64-bit (L = 1, D = 0) */
};

static void put32(struct guest_mem *m, uint64_t gpa, uint32_t v)
{
	memcpy(m->host + gpa, &v, sizeof(v));
}

static void put64(struct guest_mem *m, uint64_t gpa, uint64_t v)
{
	memcpy(m->host + gpa, &v, sizeof(v));
}

static void add_tool_range(struct boot *b, uint64_t start, uint64_t end,
			   const char *what)
{
	struct range *r = &b->tool[b->ntool++];

	*r = (struct range){ .start = start, .end = end };
	snprintf(r->what, sizeof(r->what), "%s", what);
}

/* The tool's own structures must fit in RAM and miss every image range. */
static int check_tool_ranges(const struct run_opts *o, const struct guest_mem *m,
			     const struct boot *b)
{
	const struct range *t, *i;

	for (t = b->tool; t < b->tool + b->ntool; t++) {
		if (t->end > m->size)
			return run_error("the %s at 0x%llx-0x%llx does not fit in guest RAM",
					 t->what, (unsigned long long)t->start,
					 (unsigned long long)t->end - 1);
		for (i = b->image; i < b->image + b->nimage; i++)
			if (t->start < i->end && i->start < t->end)
				return run_file_error(o->image,
						      "%s (0x%llx-0x%llx) overlaps the %s the tool puts at 0x%llx-0x%llx; link or load it elsewhere",
						      i->what,
						      (unsigned long long)i->start,
						      (unsigned long long)i->end - 1,
						      t->what,
						      (unsigned long long)t->start,
						      (unsigned long long)t->end - 1);
	}
	return 0;
}

static struct vmxlab_segment seg_real(uint64_t base, uint8_t type)
{
	return (struct vmxlab_segment){
		.base = base, .limit = 0xffff, .selector = base >> 4,
		.type = type, .s = 1, .present = 1,
	};
}

/* A flat 4 GiB segment; @l: 64-bit code (D must then be 0). */
static struct vmxlab_segment seg_flat(uint16_t sel, uint8_t type, bool l)
{
	return (struct vmxlab_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.s = 1, .present = 1, .l = l, .db = !l, .g = 1,
	};
}

static void set_data_segs(struct vmxlab_sregs *s, struct vmxlab_segment d)
{
	s->ds = d;
	s->es = d;
	s->fs = d;
	s->gs = d;
	s->ss = d;
}

/* TR must be a usable busy TSS even if the guest never switches tasks. */
static struct vmxlab_segment seg_tr(uint32_t limit)
{
	return (struct vmxlab_segment){
		.limit = limit, .type = SEG_TSS_BUSY, .present = 1,
	};
}

/*
 * Real mode (unrestricted guest): every segment base is the entry point
 * rounded down to 64 KiB, IP the rest, so a flat image at 0x10000 starts at
 * 1000:0000 and one at 0x7c00 at 0000:7c00.
 */
static int setup_real(const struct guest_mem *m, struct boot *b)
{
	struct vmxlab_sregs *s = &b->sregs;
	uint64_t base = b->entry & ~0xffffULL;

	if (b->entry >= 0x100000 || b->entry >= m->size)
		return run_error("real mode needs an entry point in RAM below 1 MiB, not 0x%llx",
				 (unsigned long long)b->entry);
	s->cs = seg_real(base, SEG_CODE_RX_A);
	set_data_segs(s, seg_real(base, SEG_DATA_RW_A));
	s->tr = seg_tr(0xffff);
	s->gdt.limit = 0xffff;
	s->idt.limit = 0xffff;
	s->cr0 = CR0_ET;
	b->regs.rip = b->entry & 0xffff;
	b->regs.rsp = 0xfff0;
	return 0;
}

/* mem_lower/mem_upper, one region below 640 KiB and one from 1 MiB (3.3). */
static void write_mbi_memory(const struct run_opts *o, struct guest_mem *m)
{
	static const uint64_t base[2] = { 0, 0x100000 };
	uint64_t len[2] = { 0xa0000, o->mem - 0x100000 };
	int i;

	put32(m, MBI_ADDR + 4, 640);
	put32(m, MBI_ADDR + 8, (o->mem - 0x100000) >> 10);
	for (i = 0; i < 2; i++) {
		put32(m, MBI_MMAP + 24 * i, 20);	/* size, excluding itself */
		put64(m, MBI_MMAP + 24 * i + 4, base[i]);
		put64(m, MBI_MMAP + 24 * i + 12, len[i]);
		put32(m, MBI_MMAP + 24 * i + 20, 1);	/* available RAM */
	}
	put32(m, MBI_ADDR + 44, 2 * 24);
	put32(m, MBI_ADDR + 48, MBI_MMAP);
}

static int write_mbi(const struct run_opts *o, struct guest_mem *m,
		     struct boot *b)
{
	uint32_t flags = MBI_FLAG_MEM | MBI_FLAG_MMAP | MBI_FLAG_NAME;

	if (o->cmdline && strlen(o->cmdline) > MBI_CMDLINE_MAX)
		return run_error("--cmdline is longer than %d bytes", MBI_CMDLINE_MAX);
	memset(m->host + MBI_ADDR, 0, 0x1000);
	write_mbi_memory(o, m);
	strcpy((char *)m->host + MBI_NAME, "vmxlab");
	put32(m, MBI_ADDR + 64, MBI_NAME);
	if (o->cmdline) {
		strcpy((char *)m->host + MBI_CMDLINE, o->cmdline);
		put32(m, MBI_ADDR + 16, MBI_CMDLINE);
		flags |= MBI_FLAG_CMDLINE;
	}
	if (o->initrd) {
		const char *base = strrchr(o->initrd, '/');

		snprintf((char *)m->host + MBI_MOD_NAME, MBI_MOD_NAME_MAX + 1,
			 "%s", base ? base + 1 : o->initrd);
		put32(m, MBI_MODS, b->initrd_start);
		put32(m, MBI_MODS + 4, b->initrd_end);
		put32(m, MBI_MODS + 8, MBI_MOD_NAME);
		put32(m, MBI_ADDR + 20, 1);		/* mods_count */
		put32(m, MBI_ADDR + 24, MBI_MODS);	/* mods_addr */
		flags |= MBI_FLAG_MODS;
	}
	put32(m, MBI_ADDR, flags);
	b->regs.rax = MB_BOOT_MAGIC;
	b->regs.rbx = MBI_ADDR;
	return 0;
}

/* What protected and long mode share: GDT, TR, stack. */
static void setup_flat_common(struct guest_mem *m, struct boot *b)
{
	struct vmxlab_sregs *s = &b->sregs;

	memcpy(m->host + GDT_ADDR, gdt, sizeof(gdt));
	s->gdt.base = GDT_ADDR;
	s->gdt.limit = GDT_LIMIT;
	/* IDTR limit 0: any exception becomes a triple fault, exit status 2. */
	s->idt.limit = 0;
	set_data_segs(s, seg_flat(SEL_DATA, SEG_DATA_RW_A, false));
	s->tr = seg_tr(0x67);
	b->regs.rsp = STACK_TOP;
}

static int setup_protected(const struct run_opts *o, struct guest_mem *m,
			   struct boot *b)
{
	bool mb = b->multiboot;

	if (b->entry >= m->size)
		return run_error("entry point 0x%llx is outside guest RAM",
				 (unsigned long long)b->entry);
	add_tool_range(b, GDT_ADDR, GDT_ADDR + sizeof(gdt), "GDT");
	if (mb)
		add_tool_range(b, MBI_ADDR, MBI_ADDR + 0x1000, "multiboot information");
	add_tool_range(b, STACK_BOTTOM, STACK_TOP, "stack");
	if (check_tool_ranges(o, m, b))
		return -1;
	setup_flat_common(m, b);
	b->sregs.cs = seg_flat(SEL_CODE32, SEG_CODE_RX_A, false);
	b->sregs.cr0 = CR0_PE | CR0_ET;
	b->regs.rip = b->entry;
	return mb ? write_mbi(o, m, b) : 0;
}

/* Page directories: one per GiB of RAM, at least 4 to map all 4 GiB. */
static uint64_t nr_pds(uint64_t mem)
{
	uint64_t n = (mem + (1ULL << 30) - 1) >> 30;

	return n < 4 ? 4 : n;
}

/* Identity map with 2 MiB pages: PML4[0] -> PDPT -> nr_pds() PDs. */
static void write_page_tables(struct guest_mem *m)
{
	uint64_t i, npd = nr_pds(m->size);

	memset(m->host + PML4_ADDR, 0, PD_ADDR + npd * 0x1000 - PML4_ADDR);
	put64(m, PML4_ADDR, PDPT_ADDR | PTE_P | PTE_RW);
	for (i = 0; i < npd; i++)
		put64(m, PDPT_ADDR + 8 * i, (PD_ADDR + 0x1000 * i) | PTE_P | PTE_RW);
	for (i = 0; i < npd * 512; i++)
		put64(m, PD_ADDR + 8 * i, (i << 21) | PTE_P | PTE_RW | PTE_PS);
}

/*
 * Long mode, as after a 64-bit boot loader: paging with the identity map,
 * and SSE usable (CR4.OSFXSR), since compiled x86-64 code assumes it.
 */
static int setup_long(const struct run_opts *o, struct guest_mem *m,
		      struct boot *b)
{
	struct vmxlab_sregs *s = &b->sregs;
	uint64_t npd = nr_pds(m->size);
	char what[48];

	if (b->entry >= m->size)
		return run_error("entry point 0x%llx is outside guest RAM",
				 (unsigned long long)b->entry);
	add_tool_range(b, GDT_ADDR, GDT_ADDR + sizeof(gdt), "GDT");
	add_tool_range(b, STACK_BOTTOM, STACK_TOP, "stack");
	snprintf(what, sizeof(what), "page tables (PML4, PDPT, %llu PDs)",
		 (unsigned long long)npd);
	add_tool_range(b, PML4_ADDR, PD_ADDR + npd * 0x1000, what);
	if (check_tool_ranges(o, m, b))
		return -1;
	setup_flat_common(m, b);
	write_page_tables(m);
	s->cs = seg_flat(SEL_CODE64, SEG_CODE_RX_A, true);
	s->cr0 = CR0_PG | CR0_NE | CR0_ET | CR0_MP | CR0_PE;
	s->cr3 = PML4_ADDR;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->efer = EFER_LME | EFER_LMA;
	b->regs.rip = b->entry;
	return 0;
}

int boot_setup(const struct run_opts *o, struct guest_mem *m, struct boot *b)
{
	memset(&b->regs, 0, sizeof(b->regs));
	memset(&b->sregs, 0, sizeof(b->sregs));
	b->regs.rflags = RFLAGS_FIXED;
	b->sregs.ldt.unusable = 1;
	b->sregs.apic_base = o->lapic ? APIC_BASE_LAPIC : APIC_BASE_VALUE;
	switch (b->mode) {
	case MODE_REAL:
		return setup_real(m, b);
	case MODE_PROTECTED:
		return setup_protected(o, m, b);
	case MODE_LONG:
		return setup_long(o, m, b);
	default:
		return run_error("no mode chosen");
	}
}

/* --dry-run output: stable "key: value" lines for tests to compare. */
static void print_ranges(const char *tag, const struct range *r, int n)
{
	for (; n--; r++) {
		printf("%s: 0x%llx-0x%llx %s", tag, (unsigned long long)r->start,
		       (unsigned long long)r->end - 1, r->what);
		if (!strcmp(tag, "load"))
			printf(" (0x%llx bytes from file offset 0x%llx, 0x%llx zeroed)",
			       (unsigned long long)r->file_bytes,
			       (unsigned long long)r->file_off,
			       (unsigned long long)(r->end - r->start - r->file_bytes));
		printf("\n");
	}
}

static void print_seg(const char *name, const struct vmxlab_segment *g)
{
	printf("%-4s selector=0x%x base=0x%llx limit=0x%x type=0x%x ", name,
	       g->selector, (unsigned long long)g->base, g->limit, g->type);
	printf("s=%u dpl=%u p=%u avl=%u l=%u db=%u g=%u unusable=%u\n", g->s,
	       g->dpl, g->present, g->avl, g->l, g->db, g->g, g->unusable);
}

static void print_regs(const struct vmxlab_regs *r)
{
	printf("rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx\n",
	       (unsigned long long)r->rax, (unsigned long long)r->rbx,
	       (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	printf("rsi=0x%llx rdi=0x%llx rsp=0x%llx rbp=0x%llx\n",
	       (unsigned long long)r->rsi, (unsigned long long)r->rdi,
	       (unsigned long long)r->rsp, (unsigned long long)r->rbp);
	printf("rip=0x%llx rflags=0x%llx\n", (unsigned long long)r->rip,
	       (unsigned long long)r->rflags);
}

static void print_sregs(const struct vmxlab_sregs *s)
{
	print_seg("cs", &s->cs);
	print_seg("ds", &s->ds);
	print_seg("es", &s->es);
	print_seg("fs", &s->fs);
	print_seg("gs", &s->gs);
	print_seg("ss", &s->ss);
	print_seg("tr", &s->tr);
	print_seg("ldt", &s->ldt);
	printf("gdt  base=0x%llx limit=0x%x\n", (unsigned long long)s->gdt.base,
	       s->gdt.limit);
	printf("idt  base=0x%llx limit=0x%x\n", (unsigned long long)s->idt.base,
	       s->idt.limit);
	printf("cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx cr8=0x%llx\n",
	       (unsigned long long)s->cr0, (unsigned long long)s->cr2,
	       (unsigned long long)s->cr3, (unsigned long long)s->cr4,
	       (unsigned long long)s->cr8);
	printf("efer=0x%llx apic_base=0x%llx\n", (unsigned long long)s->efer,
	       (unsigned long long)s->apic_base);
}

static uint32_t get32(const struct guest_mem *m, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, m->host + gpa, sizeof(v));
	return v;
}

/* The multiboot information as written, read back from guest memory. */
static void print_mbi(const struct guest_mem *m)
{
	uint32_t flags = get32(m, MBI_ADDR);

	printf("multiboot info: 0x%x flags=0x%x mem_lower=%u mem_upper=%u mmap=0x%x+%u",
	       MBI_ADDR, flags, get32(m, MBI_ADDR + 4), get32(m, MBI_ADDR + 8),
	       get32(m, MBI_ADDR + 48), get32(m, MBI_ADDR + 44));
	if (flags & MBI_FLAG_CMDLINE)
		printf(" cmdline=0x%x \"%s\"", get32(m, MBI_ADDR + 16),
		       (const char *)m->host + get32(m, MBI_ADDR + 16));
	if (flags & MBI_FLAG_MODS)
		printf(" mods=%u module=0x%x-0x%x \"%s\"", get32(m, MBI_ADDR + 20),
		       get32(m, MBI_MODS), get32(m, MBI_MODS + 4),
		       (const char *)m->host + get32(m, MBI_MODS + 8));
	printf("\n");
}

void boot_print(const struct guest_mem *m, const struct boot *b)
{
	static const char *const fmt[] = { "flat", "ELF32", "ELF64" };

	printf("format: %s%s\n", fmt[b->format],
	       b->multiboot ? (b->mb_aout ? ", multiboot (address fields)" :
			       ", multiboot") : "");
	printf("mode: %s\n", mode_name(b->mode));
	printf("entry: 0x%llx\n", (unsigned long long)b->entry);
	print_ranges("load", b->image, b->nimage);
	print_ranges("tool", b->tool, b->ntool);
	if (b->regs.rbx == MBI_ADDR && b->regs.rax == MB_BOOT_MAGIC)
		print_mbi(m);
	print_regs(&b->regs);
	print_sregs(&b->sregs);
}
