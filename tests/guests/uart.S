/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UART output for the test guests, assembled once per code size
 * (-DBITS=16, 32, 64). The 16550 of `vmxlab run` sits at 0x3f8; every byte
 * waits for LSR.THRE as on a real UART, so each one costs an IN and an OUT.
 */
#include "guest.h"

	.text
	.globl putc, puts, put_hex32, newline, fail
#if BITS == 64
	.globl put_hex64
#endif
#if BITS != 16
	.globl check_failed, checks_failed
#endif

/* putc: print AL. Clobbers AH, DX. */
putc:
	mov %al, %ah
	mov $UART_LSR, %dx
1:	in %dx, %al
	test $LSR_THRE, %al
	jz 1b
	mov %ah, %al
	mov $UART_THR, %dx
	out %al, %dx
	ret

/* puts: print the NUL-terminated string at SI/ESI/RSI. Clobbers AX, DX, SI. */
puts:
	cld
1:	lodsb
	test %al, %al
	jz 2f
	call putc
	jmp 1b
2:	ret

newline:
	mov $0x0a, %al
	jmp putc

/* hex_digit: print the low four bits of BL as a hex digit. Clobbers AX, DX. */
hex_digit:
	mov %bl, %al
	and $0x0f, %al
	add $0x30, %al
	cmp $0x39, %al
	jbe 1f
	add $0x27, %al		/* 0x3a -> 0x61, 'a' */
1:	jmp putc

/* put_hex32: print EBX as eight hex digits. Clobbers EAX, EBX, ECX, EDX. */
put_hex32:
	mov $8, %ecx
1:	rol $4, %ebx
	call hex_digit
	dec %ecx
	jnz 1b
	ret

#if BITS == 64
/* put_hex64: print RBX as sixteen hex digits. Clobbers RAX, RBX, RCX, RDX. */
put_hex64:
	mov $16, %ecx
1:	rol $4, %rbx
	call hex_digit
	dec %ecx
	jnz 1b
	ret
#endif

#if BITS != 16
/*
 * check_failed: print "FAIL: " and the string at ESI/RSI, count it in
 * checks_failed and return (CHECK in guest.h). Keeps every register but
 * the flags.
 */
check_failed:
	push XAX
	push XDX
	push XSI
	push XSI
	PUTS_LIT "FAIL: "
	pop XSI
	call puts
	call newline
	incl VAR(checks_failed)
	pop XSI
	pop XDX
	pop XAX
	ret

	.data
	.balign 4
checks_failed:
	.long 0
	.text
#endif

/* fail: print "FAIL: " and the string at SI, then exit with DI's low byte. */
fail:
	mov %esi, %ebp
	PUTS_LIT "FAIL: "
	mov %ebp, %esi
	call puts
	call newline
	mov %edi, %eax
	out %al, $EXIT_PORT
	cli
1:	hlt
	jmp 1b
