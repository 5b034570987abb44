/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile-dbloop.bin: flat binary, real mode. A guest that tries to keep
 * the CPU: with IF=0 it sets an instruction breakpoint (DR0, DR7.L0, R/W0
 * and LEN0 zero) on the first instruction of its own #DB handler and jumps
 * there. Each #DB is delivered to the handler, whose first instruction
 * raises the next #DB before it executes (SDM Vol. 3A 17.3.1.1: a fault;
 * real mode's FLAGS image has no RF to break the loop), so no instruction
 * ever completes. Only an event of higher priority gets the CPU back, or
 * an exit on the #DB itself: vmxlab intercepts #DB, each one is an exit,
 * and --timeout ends the run. (Bochs checks code breakpoints before the
 * VMX-preemption timer: there, without the intercept, this guest froze the
 * host for good.) Prints "hostile-dbloop: into the #DB loop" and never
 * ends by itself.
 * Exit values: none.
 * Image: hostile-dbloop.bin 16
 */
#include "guest.h"

	ENTRY_START
	cli
	PUTS_LIT "hostile-dbloop: into the #DB loop\n"
	/* IVT entry 1 (0000:0004): #DB goes to 1000:handler. */
	xor %ax, %ax
	mov %ax, %es
	movw $handler, %es:4
	movw %cs, %es:6
	/* DR0: the handler's linear address, 0x10000 + its offset. */
	movl $handler, %eax
	addl $0x10000, %eax
	mov %eax, %dr0
	/* DR7: L0, an instruction breakpoint (R/W0 = LEN0 = 0), bit 10. */
	movl $0x401, %eax
	mov %eax, %dr7
	jmp handler

handler:
	nop
	jmp handler
