/* SPDX-License-Identifier: GPL-2.0 */
/*
 * halt.bin: flat, real mode: prints "halt: cli" and executes HLT with IF=0,
 * which ends the run with status 0. halt-sti.bin (-DSTI): HLT with IF=1,
 * status 12.
 * Exit values: E_RETURNED if execution goes on after HLT.
 * Image: halt.bin 16
 * Image: halt-sti.bin 16 -DSTI
 */
#include "guest.h"

	ENTRY_START
#ifdef STI
	PUTS_LIT "halt: sti\n"
	sti
#else
	PUTS_LIT "halt: cli\n"
	cli
#endif
	hlt
	PUTS_LIT "halt: HLT returned\n"
	EXIT E_RETURNED
