/* SPDX-License-Identifier: GPL-2.0 */
/* Multiboot v1 header and information block offsets (Multiboot 0.6.96). */
#ifndef VMXLAB_MULTIBOOT_H
#define VMXLAB_MULTIBOOT_H

#define MBI_FLAGS	0
#define MBI_MEM_LOWER	4
#define MBI_MEM_UPPER	8
#define MBI_CMDLINE	16
#define MBI_MODS_COUNT	20
#define MBI_MODS_ADDR	24
#define MBI_MMAP_LENGTH	44
#define MBI_MMAP_ADDR	48

#define MBI_F_MEM	(1 << 0)
#define MBI_F_CMDLINE	(1 << 2)
#define MBI_F_MODS	(1 << 3)
#define MBI_F_MMAP	(1 << 6)

/* A memory map entry: size (of the rest), base, length, type (1 = RAM). */
#define MMAP_SIZE	0
#define MMAP_BASE	4
#define MMAP_LENGTH	12
#define MMAP_TYPE	20

#ifdef __ASSEMBLER__
/* The header, first in the image (elf32.ld puts .multiboot first). */
.macro MULTIBOOT_HEADER
	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
.endm

/*
 * TSC_KHZ_ARG value: EBP = N of "tsc_khz=N" on the Multiboot command line
 * (EBX: the information block), the TSC rate the lane passes; exit with
 * value if there is none. Clobbers EAX, ESI.
 */
.macro TSC_KHZ_ARG value
	testl $MBI_F_CMDLINE, MBI_FLAGS(%ebx)
	FAIL_IF z, \value, "no command line"
	mov MBI_CMDLINE(%ebx), %esi
	call find_tsc_khz
	test %ebp, %ebp
	FAIL_IF z, \value, "no tsc_khz=N on the command line"
.endm
#endif

#endif /* VMXLAB_MULTIBOOT_H */
