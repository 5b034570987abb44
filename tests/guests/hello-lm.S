/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-lm.elf: ELF64, long mode exactly as the tool sets it up (its GDT,
 * its identity-mapped page tables: nothing of cpu.S is used). Checks CR0.PG
 * and PE, CR4.PAE, 64-bit arithmetic and data at its link address (in the
 * data segment, after the 4 KiB-aligned text), prints
 * "hello from long mode" and passes. The stack is in .bss, so the tool's
 * page tables must map the whole image including .bss.
 * Exit values: PASS, E_LM_CR, E_LM_64BIT.
 * Image: hello-lm.elf 64
 */
#include "guest.h"

	ENTRY_START
	lea stack_top(%rip), %rsp
	mov %cr0, %rax
	mov $0x80000001, %ecx
	and %rcx, %rax
	cmp %rcx, %rax
	FAIL_IF ne, E_LM_CR, "CR0.PG or CR0.PE clear"
	mov %cr4, %rax
	test $0x20, %eax
	FAIL_IF z, E_LM_CR, "CR4.PAE clear"
	movabs $0x123456789, %rax
	shr $32, %rax
	cmp $1, %rax
	FAIL_IF ne, E_LM_64BIT, "64-bit arithmetic wrong: not in 64-bit mode?"
	movabs $0xfeedc0de5a17c0de, %rax
	cmp magic(%rip), %rax
	FAIL_IF ne, E_LM_64BIT, "data not at its link address"
	/* Absolute addressing too: the image is identity-mapped. */
	mov $magic, %ebx
	cmp (%rbx), %rax
	FAIL_IF ne, E_LM_64BIT, "data not identity-mapped"
	PUTS_LIT "hello from long mode\n"
	PASS_EXIT

	.data
magic:
	.quad 0xfeedc0de5a17c0de
