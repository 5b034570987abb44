/* SPDX-License-Identifier: GPL-2.0 */
/*
 * string-io-real.bin (BITS=16) and string-io-lm.elf (BITS=64): string port
 * I/O that the kernel has to split and complete.
 *
 * 1. "<<<\n", then REP OUTSB of a 6400-byte message to the UART: 100 lines
 *    of 63 times the letter 'A' + line % 26 and a newline. It starts 0xf00
 *    into a page, so it crosses two page boundaries (and the 2 KiB of port
 *    data a run page holds). Then a REP OUTSB with count 0, which must
 *    print nothing, then ">>>\n". t_run_string_io compares the lines.
 * 2. REP OUTSW of 3000 words to unclaimed port 0x510 (ignored).
 * 3. REP INSB (5000 bytes), REP INSW (2500), REP INSD (1250) from port
 *    0x510 into a buffer starting 0x800 into a page; every byte must be
 *    0xff and the 16 guard bytes on either side untouched.
 * 4. REP INSB of 300 bytes with DF=1, downwards across a page boundary.
 * 5. (64-bit) REP INSB with an address-size prefix (ECX, EDI).
 * After each, SI/DI and CX must have moved exactly as the CPU would.
 * Exit values: PASS, E_SIO_*, E_EXCEPTION (64-bit).
 * Image: string-io-real.bin 16
 * Image: string-io-lm.elf 64
 */
#include "guest.h"

#define MSG_LEN		6400
#define BUF_LEN		5000
#define STD_LEN		300
#define GUARD_BYTE	0x5a

#if BITS == 64
	GUEST_START
#else
	ENTRY_START
#endif
	cld
	PUTS_LIT "<<<\n"
	mov $msg, XSI
	mov $MSG_LEN, XCX
	mov $UART_THR, %dx
	rep outsb
	cmp $msg_end, XSI
	FAIL_IF ne, E_SIO_OUTSB, "REP OUTSB: SI not past the message"
	test XCX, XCX
	FAIL_IF nz, E_SIO_OUTSB, "REP OUTSB: CX not 0"
	/* count 0: nothing happens */
	mov $msg, XSI
	xor %ecx, %ecx
	rep outsb
	cmp $msg, XSI
	FAIL_IF ne, E_SIO_REP0, "REP OUTSB with CX = 0 moved SI"
	PUTS_LIT ">>>\n"

	/* REP OUTSW to a port nobody claims: ignored, but completed. */
	mov $msg, XSI
	mov $3000, XCX
	mov $UNCLAIMED_PORT, %dx
	rep outsw
	cmp $msg + 6000, XSI
	FAIL_IF ne, E_SIO_OUTSW, "REP OUTSW: SI not advanced by 6000"
	test XCX, XCX
	FAIL_IF nz, E_SIO_OUTSW, "REP OUTSW: CX not 0"

	/* REP INSB */
	call fill_guarded
	mov $buf, XDI
	mov $BUF_LEN, XCX
	mov $UNCLAIMED_PORT, %dx
	rep insb
	cmp $buf + BUF_LEN, XDI
	FAIL_IF ne, E_SIO_INSB_REGS, "REP INSB: DI not advanced by 5000"
	test XCX, XCX
	FAIL_IF nz, E_SIO_INSB_REGS, "REP INSB: CX not 0"
	mov $BUF_LEN, XCX
	call all_ff
	FAIL_IF ne, E_SIO_INSB_DATA, "REP INSB: a byte is not 0xff"
	call check_guards

	/* REP INSW */
	call fill_guarded
	mov $buf, XDI
	mov $BUF_LEN / 2, XCX
	mov $UNCLAIMED_PORT, %dx
	rep insw
	cmp $buf + BUF_LEN, XDI
	FAIL_IF ne, E_SIO_INSW_REGS, "REP INSW: DI not advanced by 5000"
	test XCX, XCX
	FAIL_IF nz, E_SIO_INSW_REGS, "REP INSW: CX not 0"
	mov $BUF_LEN, XCX
	call all_ff
	FAIL_IF ne, E_SIO_INSW_DATA, "REP INSW: a byte is not 0xff"
	call check_guards

	/* REP INSD */
	call fill_guarded
	mov $buf, XDI
	mov $BUF_LEN / 4, XCX
	mov $UNCLAIMED_PORT, %dx
	rep insl
	cmp $buf + BUF_LEN, XDI
	FAIL_IF ne, E_SIO_INSL_REGS, "REP INSD: DI not advanced by 5000"
	test XCX, XCX
	FAIL_IF nz, E_SIO_INSL_REGS, "REP INSD: CX not 0"
	mov $BUF_LEN, XCX
	call all_ff
	FAIL_IF ne, E_SIO_INSL_DATA, "REP INSD: a byte is not 0xff"
	call check_guards

	/* REP INSB with DF=1: from std_last down across a page boundary. */
	call fill_guarded
	std
	mov $std_last, XDI
	mov $STD_LEN, XCX
	mov $UNCLAIMED_PORT, %dx
	rep insb
	cld
	cmp $std_last - STD_LEN, XDI
	FAIL_IF ne, E_SIO_STD_REGS, "REP INSB with DF=1: DI not lowered by 300"
	test XCX, XCX
	FAIL_IF nz, E_SIO_STD_REGS, "REP INSB with DF=1: CX not 0"
	mov $std_last - STD_LEN + 1, XDI
	mov $STD_LEN, XCX
	mov $0xff, %al
	repe scasb
	FAIL_IF ne, E_SIO_STD_DATA, "REP INSB with DF=1: a byte is not 0xff"
	mov $std_last - STD_LEN, XDI
	cmpb $GUARD_BYTE, (XDI)
	FAIL_IF ne, E_SIO_STD_DATA, "REP INSB with DF=1: wrote below its range"
	cmpb $GUARD_BYTE, std_last + 1
	FAIL_IF ne, E_SIO_STD_DATA, "REP INSB with DF=1: wrote above its range"

#if BITS == 64
	/* 0x67: 32-bit address size, ECX and EDI; bits 63:32 are set to show
	 * that they are not used as part of the address or count. */
	call fill_guarded
	movabs $0xabcd000000000000, %rax
	mov $buf, %edi
	or %rax, %rdi
	mov $BUF_LEN, %ecx
	or %rax, %rcx
	mov $UNCLAIMED_PORT, %dx
	.byte 0x67
	rep insb
	cmp $buf + BUF_LEN, %edi
	FAIL_IF ne, E_SIO_ADDR32, "REP INSB (addr32): EDI not advanced by 5000"
	test %ecx, %ecx
	FAIL_IF nz, E_SIO_ADDR32, "REP INSB (addr32): ECX not 0"
	mov $BUF_LEN, %ecx
	call all_ff
	FAIL_IF ne, E_SIO_ADDR32, "REP INSB (addr32): a byte is not 0xff"
	call check_guards
#endif
	PASS_EXIT

/* fill_guarded: guard_lo .. guard_hi + 16 = GUARD_BYTE. */
fill_guarded:
	mov $guard_lo, XDI
	mov $guard_end - guard_lo, XCX
	mov $GUARD_BYTE, %al
	rep stosb
	ret

/* all_ff: ZF set if the XCX bytes at buf are all 0xff. */
all_ff:
	mov $buf, XDI
	mov $0xff, %al
	repe scasb
	ret

check_guards:
	mov $guard_lo, XDI
	mov $16, XCX
	mov $GUARD_BYTE, %al
	repe scasb
	FAIL_IF ne, E_SIO_GUARD, "a byte below the buffer changed"
	mov $guard_hi, XDI
	mov $16, XCX
	repe scasb
	FAIL_IF ne, E_SIO_GUARD, "a byte above the buffer changed"
	ret

	.section .rodata.msg, "a"
	.balign 4096
	.skip 0xf00
msg:
	.set line, 0
	.rept 100
	.fill 63, 1, 0x41 + (line % 26)
	.byte 0x0a
	.set line, line + 1
	.endr
msg_end:

	.bss
	.balign 4096
	.skip 0x800 - 16
guard_lo:
	.skip 16
buf:
	.skip BUF_LEN
guard_hi:
	.skip 16
	/* the DF=1 run: std_last is 0x40 into a page, 300 bytes go down */
	.balign 4096
	.skip 0x40
std_last:
	.skip 1
	.skip 15
guard_end:
