/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello-real.bin: flat binary, real mode. Checks the documented start state
 * (CS = DS = ES = SS = 0x1000, SP = 0xfff0; IP = 0 is implied by the image
 * being linked at offset 0), prints "hello from real mode" and passes.
 * Exit values: PASS, E_REAL_SEGS, E_REAL_SP.
 * Image: hello-real.bin 16
 */
#include "guest.h"

	ENTRY_START
	cmp $0xfff0, %sp
	FAIL_IF ne, E_REAL_SP, "SP is not 0xfff0"
	mov %cs, %ax
	cmp $0x1000, %ax
	FAIL_IF ne, E_REAL_SEGS, "CS is not 0x1000"
	mov %ds, %ax
	cmp $0x1000, %ax
	FAIL_IF ne, E_REAL_SEGS, "DS is not 0x1000"
	mov %es, %ax
	cmp $0x1000, %ax
	FAIL_IF ne, E_REAL_SEGS, "ES is not 0x1000"
	mov %ss, %ax
	cmp $0x1000, %ax
	FAIL_IF ne, E_REAL_SEGS, "SS is not 0x1000"
	PUTS_LIT "hello from real mode\n"
	PASS_EXIT
