/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mempattern.elf: Multiboot v1 ELF32, paging off. Writes every 8-byte word
 * at GPA a, PATTERN_START (0x400000) <= a < top of RAM, with
 * a ^ 0xa5a5a5a5a5a5a5a5, reads it all back, then passes; run with
 * --check-pattern 0x400000 the tool checks the same words once the guest
 * has stopped. The top of RAM is 1 MiB + mem_upper KiB from the Multiboot
 * information block (read before anything is overwritten).
 * Exit values: PASS, E_PAT_MAGIC, E_PAT_NOMEM, E_PAT_SMALL, E_PAT_VERIFY,
 * E_EXCEPTION.
 * Image: mempattern.elf 32
 */
#include "guest.h"
#include "multiboot.h"

	MULTIBOOT_HEADER

	GUEST_START
	cmp $MB_BOOT_MAGIC, %eax
	FAIL_IF ne, E_PAT_MAGIC, "EAX is not 0x2badb002"
	testl $MBI_F_MEM, MBI_FLAGS(%ebx)
	FAIL_IF z, E_PAT_NOMEM, "no mem_upper in the Multiboot information"
	mov MBI_MEM_UPPER(%ebx), %ebp
	shl $10, %ebp
	add $0x100000, %ebp		/* EBP: top of RAM */
	cmp $PATTERN_START + 0x100000, %ebp
	FAIL_IF b, E_PAT_SMALL, "RAM ends below PATTERN_START + 1 MiB"
	PUTS_LIT "mempattern: 0x00400000 .. 0x"
	mov %ebp, %ebx
	call put_hex32
	call newline

	mov $PATTERN_START, %edi
	mov $PATTERN_XOR, %edx
1:	mov %edi, %eax
	xor %edx, %eax
	mov %eax, (%edi)
	mov %edx, 4(%edi)		/* bits 63:32 of a are 0 */
	add $8, %edi
	cmp %ebp, %edi
	jb 1b

	mov $PATTERN_START, %edi
2:	mov %edi, %eax
	xor %edx, %eax
	cmp %eax, (%edi)
	jne 3f
	cmp %edx, 4(%edi)
	jne 3f
	add $8, %edi
	cmp %ebp, %edi
	jb 2b
	PUTS_LIT "mempattern: written and read back\n"
	PASS_EXIT

3:	PUTS_LIT "mempattern: mismatch at 0x"
	mov %edi, %ebx
	call put_hex32
	call newline
	mov $1, %eax			/* ZF clear for FAIL_IF */
	test %eax, %eax
	FAIL_IF nz, E_PAT_VERIFY, "memory does not hold what was written"
