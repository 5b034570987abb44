/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmio-pm.elf (BITS=32, paging off) and mmio-lm.elf (BITS=64, the page
 * tables of cpu.S map 0-4 GiB): reads of guest-physical 0xd0000000, which
 * no memory backs, return all ones; writes there are ignored. Uses only the
 * MOV forms the kernel decodes (88/89/8A/8B/C6/C7, MOVZX 0F B6/B7) with
 * 66/67/REX/segment prefixes, and checks the exact register result: a
 * 1- or 2-byte MOV keeps the rest of its register, a 4-byte MOV in 64-bit
 * mode clears bits 63:32.
 * With --strict the first read ends the run (status 14).
 * Exit values: PASS, E_MMIO_*, E_EXCEPTION.
 * Image: mmio-pm.elf 32
 * Image: mmio-lm.elf 64
 */
#include "guest.h"

	GUEST_START
	PUTS_LIT "mmio: reading 0xd0000000\n"
	mov $UNBACKED_GPA, %ebx		/* RBX: bits 63:32 are 0 */

	mov $0x12345678, %eax
	mov (XBX), %al			/* 8A /r */
	cmp $0x123456ff, %eax
	FAIL_IF ne, E_MMIO_R8, "1-byte read into AL: not 0x123456ff"
	mov $0x12345678, %eax
	mov (XBX), %ah			/* 8A /r, AH */
	cmp $0x1234ff78, %eax
	FAIL_IF ne, E_MMIO_R8H, "1-byte read into AH: not 0x1234ff78"
	mov $0x12345678, %eax
	mov 2(XBX), %ax			/* 66 8B /r, disp8 */
	cmp $0x1234ffff, %eax
	FAIL_IF ne, E_MMIO_R16, "2-byte read into AX: not 0x1234ffff"
	xor %ecx, %ecx
	mov 4(XBX), %ecx		/* 8B /r */
	cmp $0xffffffff, %ecx
	FAIL_IF ne, E_MMIO_R32, "4-byte read: not 0xffffffff"
	mov $1, %esi
	mov $0x5555aaaa, %edx
	movzbl 0x10(XBX, XSI, 4), %edx	/* 0F B6 /r, SIB */
	cmp $0xff, %edx
	FAIL_IF ne, E_MMIO_MOVZB, "MOVZX byte read: not 0xff"
	mov $0x5555aaaa, %edx
	movzwl 0x20(XBX), %edx		/* 0F B7 /r */
	cmp $0xffff, %edx
	FAIL_IF ne, E_MMIO_MOVZW, "MOVZX word read: not 0xffff"
	xor %edi, %edi
	mov %es:0x100(XBX), %edi	/* 26 8B /r */
	cmp $0xffffffff, %edi
	FAIL_IF ne, E_MMIO_SEG, "read with an ES: prefix: not 0xffffffff"
	xor %esi, %esi
#if BITS == 64
	addr32 mov UNBACKED_GPA + 8, %esi /* 67 8B /r, SIB [disp32] */
#else
	mov UNBACKED_GPA + 8, %esi	/* 8B /r, [disp32] */
#endif
	cmp $0xffffffff, %esi
	FAIL_IF ne, E_MMIO_DISP32, "read of an absolute address: not 0xffffffff"

#if BITS == 64
	movabs $0x1122334455667788, %rax
	mov (%rbx), %rax		/* 48 8B /r */
	cmp $-1, %rax
	FAIL_IF ne, E_MMIO_R64, "8-byte read: not all ones"
	xor %r9d, %r9d
	mov 8(%rbx), %r9		/* 4C 8B /r */
	cmp $-1, %r9
	FAIL_IF ne, E_MMIO_REXR, "8-byte read into R9: not all ones"
	mov $UNBACKED_GPA, %r10d
	movabs $0x1122334455667788, %r11
	mov (%r10), %r11d		/* 45 8B /r */
	mov $0xffffffff, %eax
	cmp %rax, %r11
	FAIL_IF ne, E_MMIO_ZEXT, "4-byte read into R11D: not 0x00000000ffffffff"
	movabs $0x1122334455667788, %r12
	mov (%r10), %r12b		/* 45 8A /r */
	movabs $0x11223344556677ff, %rax
	cmp %rax, %r12
	FAIL_IF ne, E_MMIO_R8_REX, "1-byte read into R12B: upper bytes changed"
	movabs $0x1122334455667788, %rsi
	mov (%rbx), %sil		/* 40 8A /r */
	movabs $0x11223344556677ff, %rax
	cmp %rax, %rsi
	FAIL_IF ne, E_MMIO_SIL, "1-byte read into SIL: wrong"
	mov $-1, %rax
	movzbq 3(%rbx), %rax		/* 48 0F B6 /r */
	cmp $0xff, %rax
	FAIL_IF ne, E_MMIO_MOVZBQ, "MOVZX byte into RAX: not 0xff"
	xor %eax, %eax
	mov (%ebx), %rax		/* 67 48 8B /r */
	cmp $-1, %rax
	FAIL_IF ne, E_MMIO_ADDR32, "8-byte read with a 0x67 prefix: not all ones"
#endif

	PUTS_LIT "mmio: writing 0xd0000000\n"
	movb $0x12, (XBX)		/* C6 /0 */
	movw $0x1234, 2(XBX)		/* 66 C7 /0 */
	movl $0x12345678, 4(XBX)	/* C7 /0 */
	mov $0x9abcdef0, %eax
	mov %eax, 8(XBX)		/* 89 /r */
	mov %al, 12(XBX)		/* 88 /r */
	mov %ax, 14(XBX)		/* 66 89 /r */
#if BITS == 64
	movq $0x12345678, 16(%rbx)	/* 48 C7 /0 */
	mov %r11, 24(%rbx)		/* 4C 89 /r */
#endif
	mov (XBX), %eax
	cmp $0xffffffff, %eax
	FAIL_IF ne, E_MMIO_WRITE, "read after writes: not 0xffffffff"
	mov 8(XBX), %eax
	cmp $0xffffffff, %eax
	FAIL_IF ne, E_MMIO_WRITE, "read after writes (+8): not 0xffffffff"
#if BITS == 64
	mov 16(%rbx), %rax
	cmp $-1, %rax
	FAIL_IF ne, E_MMIO_WRITE, "read after writes (+16): not all ones"
#endif
	PASS_EXIT
