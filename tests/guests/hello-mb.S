/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-mb.elf: Multiboot v1 ELF32. Checks EAX = 0x2badb002 and the
 * information block at EBX: flags with mem (bit 0), cmdline (2) and mmap
 * (6); mem_lower <= 640; a RAM (type 1) entry of the map covering
 * 1 MiB .. 1 MiB + mem_upper KiB; with a module (flag 3, --initrd): one,
 * page-aligned. Prints
 *   hello from multiboot
 *   cmdline: [the command line]
 *   mem_upper: 0x0000HHHH
 *   module: [its first 16 bytes] name
 * (tests run_hello_mb and run_hello_mb_initrd compare them with --cmdline,
 * --mem and --initrd) and passes.
 * Exit values: PASS, E_MB_MAGIC, E_MB_MEM, E_MB_CMDLINE, E_MB_MMAP,
 * E_MB_MMAP_RAM, E_MB_MEM_LOWER, E_MB_MODS, E_EXCEPTION.
 * Image: hello-mb.elf 32
 */
#include "guest.h"
#include "multiboot.h"

	MULTIBOOT_HEADER

	GUEST_START
	cmp $MB_BOOT_MAGIC, %eax
	FAIL_IF ne, E_MB_MAGIC, "EAX is not 0x2badb002"
	mov %ebx, %ebp			/* the information block */
	PUTS_LIT "hello from multiboot\n"
	testl $MBI_F_MEM, MBI_FLAGS(%ebp)
	FAIL_IF z, E_MB_MEM, "info flags: no mem_lower/mem_upper (bit 0)"
	testl $MBI_F_CMDLINE, MBI_FLAGS(%ebp)
	FAIL_IF z, E_MB_CMDLINE, "info flags: no cmdline (bit 2)"
	testl $MBI_F_MMAP, MBI_FLAGS(%ebp)
	FAIL_IF z, E_MB_MMAP, "info flags: no memory map (bit 6)"
	cmpl $640, MBI_MEM_LOWER(%ebp)
	FAIL_IF a, E_MB_MEM_LOWER, "mem_lower above 640 KiB"

	PUTS_LIT "cmdline: ["
	mov MBI_CMDLINE(%ebp), %esi
	call puts
	PUTS_LIT "]\nmem_upper: 0x"
	mov MBI_MEM_UPPER(%ebp), %ebx
	call put_hex32
	call newline

	/* the module: its first 16 bytes (fewer if shorter) and its name */
	testl $MBI_F_MODS, MBI_FLAGS(%ebp)
	jz 5f
	cmpl $1, MBI_MODS_COUNT(%ebp)
	FAIL_IF ne, E_MB_MODS, "mods_count is not 1"
	mov MBI_MODS_ADDR(%ebp), %edi
	testl $0xfff, (%edi)		/* mod_start */
	FAIL_IF nz, E_MB_MODS, "the module does not start at a 4 KiB boundary"
	mov 4(%edi), %ecx		/* mod_end */
	sub (%edi), %ecx
	FAIL_IF be, E_MB_MODS, "the module is empty or ends before it starts"
	cmp $16, %ecx
	jbe 4f
	mov $16, %ecx
4:	PUTS_LIT "module: ["
	mov (%edi), %esi
6:	lodsb
	call putc
	loop 6b
	PUTS_LIT "] "
	mov 8(%edi), %esi		/* its string */
	call puts
	call newline
5:

	/* top of upper memory */
	mov MBI_MEM_UPPER(%ebp), %edi
	shl $10, %edi
	add $0x100000, %edi
	/* walk the map: a type 1 entry with base <= 1 MiB and end >= top */
	mov MBI_MMAP_ADDR(%ebp), %esi
	mov %esi, %ecx
	add MBI_MMAP_LENGTH(%ebp), %ecx
1:	cmp %ecx, %esi
	FAIL_IF ae, E_MB_MMAP_RAM, "no RAM entry in the memory map covers 1 MiB to the top of mem_upper"
	cmpl $1, MMAP_TYPE(%esi)
	jne 2f
	cmpl $0, MMAP_BASE + 4(%esi)
	jne 2f
	cmpl $0, MMAP_LENGTH + 4(%esi)
	jne 2f
	mov MMAP_BASE(%esi), %eax
	cmp $0x100000, %eax
	ja 2f
	add MMAP_LENGTH(%esi), %eax
	jc 2f
	cmp %edi, %eax
	jae 3f
2:	mov MMAP_SIZE(%esi), %eax
	lea 4(%esi, %eax), %esi
	jmp 1b
3:	PASS_EXIT
