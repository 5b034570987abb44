/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-pm.elf: ELF32, protected mode with the tool's flat segments and
 * paging off. Checks CR0 (PE set, PG clear), that EIP and data are at their
 * link addresses (loaded at p_paddr, flat CS and DS), prints
 * "hello from protected mode" and passes.
 * Exit values: PASS, E_PM_CR0, E_PM_EIP, E_PM_DATA.
 * Image: hello-pm.elf 32
 */
#include "guest.h"

	ENTRY_START
	mov $stack_top, %esp
	call 1f
1:	pop %eax
	cmp $1b, %eax
	FAIL_IF ne, E_PM_EIP, "EIP is not the link address (loaded elsewhere?)"
	cmpl $0x5a17c0de, magic
	FAIL_IF ne, E_PM_DATA, "data not at its link address (p_paddr or DS base)"
	mov %cr0, %eax
	test $1, %eax
	FAIL_IF z, E_PM_CR0, "CR0.PE clear"
	test $0x80000000, %eax
	FAIL_IF nz, E_PM_CR0, "CR0.PG set"
	PUTS_LIT "hello from protected mode\n"
	PASS_EXIT

	.data
magic:
	.long 0x5a17c0de
