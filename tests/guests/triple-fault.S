/* SPDX-License-Identifier: GPL-2.0 */
/*
 * triple-fault.elf: ELF32. Prints "triple-fault: now", loads an IDT with
 * limit 0 and executes UD2: #UD cannot be delivered (#GP), nor can #GP
 * (#DF), nor #DF: a triple fault, which ends the run with status 2.
 * Exit values: E_RETURNED if execution goes on after UD2.
 * Image: triple-fault.elf 32
 */
#include "guest.h"

	ENTRY_START
	mov $stack_top, %esp
	PUTS_LIT "triple-fault: now\n"
	lidt empty_idtr
	ud2
	PUTS_LIT "triple-fault: still running after UD2\n"
	EXIT E_RETURNED

	.data
empty_idtr:
	.word 0
	.long 0
