/* SPDX-License-Identifier: GPL-2.0 */
/*
 * spin.bin: flat, real mode: prints "spin: cli" and loops with IF=0
 * forever (for --timeout and signal tests; in Bochs only the VMX-preemption
 * timer gets such a guest out). spin-sti.bin (-DSTI): the same with IF=1.
 * No exit value: the run must be ended from outside.
 * Image: spin.bin 16
 * Image: spin-sti.bin 16 -DSTI
 */
#include "guest.h"

	ENTRY_START
#ifdef STI
	PUTS_LIT "spin: sti\n"
	sti
#else
	PUTS_LIT "spin: cli\n"
	cli
#endif
1:	jmp 1b
