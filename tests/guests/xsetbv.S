/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsetbv.elf: ELF64. XCR0 (SDM Vol. 1 13.3, Vol. 2C "XSETBV", "XGETBV"),
 * and that the hypervisor sees the guest's real CR4: CR4.OSXSAVE is a bit
 * the guest owns, set and cleared without a VM exit. In order:
 *  - CR4.OSXSAVE clear: XSETBV and XGETBV raise #UD;
 *  - CR4.OSXSAVE set: CPUID.1:ECX.OSXSAVE[27] reads 1, XCR0 reads 1 (its
 *    reset value);
 *  - "valid" = CPUID.(0xD,0) EDX:EAX & 7 (x87, SSE, AVX; x87 and SSE must
 *    be there): XSETBV(valid) takes, and XCR0 keeps it across an exit to
 *    the tool (UART output);
 *  - XSETBV raises #GP(0) and leaves XCR0 alone for: ECX = 1; 0 (no x87);
 *    0x5 (AVX without SSE); bit 32; 0x27 (AVX-512 bit 5 alone); 0xb
 *    (BNDREGS without BNDCSR); 0x20003 (XTILECFG without XTILEDATA); and
 *    3 | 1 << b for every bit b of 2-63 that CPUID.(0xD,0) does not list;
 *    prints "xsetbv: N illegal values refused";
 *  - XSETBV at CPL 3 raises #GP(0) (a privilege check, done before the VM
 *    exit, SDM Vol. 3C 25.1.1);
 *  - CR4.OSXSAVE clear again: CPUID.1:ECX.OSXSAVE reads 0, XGETBV and
 *    XSETBV raise #UD.
 * Exit values: PASS, E_XS_*, E_EXCEPTION.
 * Image: xsetbv.elf 64
 */
#include "guest.h"

#define CR4_OSXSAVE	(1 << 18)

/* try_illegal xcr, value: XSETBV XCR xcr = value must be refused (try). */
.macro try_illegal xcr, value
	mov $\xcr, %r9d
	movabs $\value, %r8
	call try
.endm

	GUEST_START

	/* Without XSAVE, CR4.OSXSAVE cannot be set: nothing to test. */
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	test $(1 << 26), %ecx
	FAIL_IF z, E_XS_SUPPORTED, "CPUID.1:ECX.XSAVE[26] clear"

	/* 1. CR4.OSXSAVE clear: both instructions are undefined. */
	mov %cr4, %rax
	and $~CR4_OSXSAVE, %rax
	mov %rax, %cr4
	xor %ecx, %ecx
	xor %edx, %edx
	mov $1, %eax
	EXPECT_FAULT UD, E_XS_UD, "XSETBV with CR4.OSXSAVE clear did not raise #UD", xsetbv
	xor %ecx, %ecx
	EXPECT_FAULT UD, E_XS_UD, "XGETBV with CR4.OSXSAVE clear did not raise #UD", xgetbv

	/* 2. CR4.OSXSAVE set (no VM exit): CPUID must reflect it. */
	mov %cr4, %rax
	or $CR4_OSXSAVE, %rax
	mov %rax, %cr4
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	test $(1 << 27), %ecx
	FAIL_IF z, E_XS_OSXSAVE, "CR4.OSXSAVE set, but CPUID.1:ECX.OSXSAVE[27] reads 0"

	/* 3. Nothing set yet: XCR0 has its reset value, x87 only. */
	call xcr0
	cmp $1, %rax
	FAIL_IF ne, E_XS_RESET, "XGETBV: XCR0 is not 1 before the first XSETBV"

	/* 4. R13 = supported, R14 = valid. */
	mov $0xd, %eax
	xor %ecx, %ecx
	cpuid
	shl $32, %rdx
	mov %eax, %eax
	or %rdx, %rax
	mov %rax, %r13
	and $3, %eax
	cmp $3, %eax
	FAIL_IF ne, E_XS_SUPPORTED, "CPUID.(0xD,0) EAX lacks x87 or SSE"
	mov %r13, %r14
	and $7, %r14
	mov %r14d, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	EXPECT_NO_FAULT E_XS_SET, "XSETBV of the supported x87/SSE/AVX bits faulted", xsetbv
	call xcr0
	cmp %r14, %rax
	FAIL_IF ne, E_XS_SET, "XGETBV does not return what XSETBV set"
	PUTS_LIT "xsetbv: XCR0 = 0x"
	mov %r14, %rbx
	call put_hex64
	PUTS_LIT " of supported 0x"
	mov %r13, %rbx
	call put_hex64
	call newline
	call xcr0
	cmp %r14, %rax
	FAIL_IF ne, E_XS_EXIT, "XCR0 changed across an exit to the tool"

	/* 5. Illegal values: #GP(0), XCR0 unchanged. R9D = ECX, R8 = value. */
	try_illegal 1, 1			/* XCR1 is not writable */
	try_illegal 0, 0			/* x87 clear */
	try_illegal 0, 0x5			/* AVX without SSE */
	try_illegal 0, 0x100000003		/* bit 32, reserved */
	try_illegal 0, 0x27			/* opmask without ZMM_Hi256, Hi16_ZMM */
	try_illegal 0, 0xb			/* BNDREGS without BNDCSR */
	try_illegal 0, 0x20003			/* XTILECFG without XTILEDATA */
	/* Every bit the CPU does not support, one at a time. R12 = b. */
	mov $2, %r12d
1:	bt %r12, %r13
	jc 2f
	mov $3, %r8d
	bts %r12, %r8
	xor %r9d, %r9d
	call try
2:	inc %r12d
	cmp $64, %r12d
	jb 1b
	PUTS_LIT "xsetbv: "
	mov refused(%rip), %rax
	call put_dec
	PUTS_LIT " illegal values refused\n"

	/* 6. CPL 3: iretq to user_xsetbv; it comes back through int $0x80. */
	TO_USER user_xsetbv, user_back
	mov %r14d, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	iretq
user_xsetbv:
	xsetbv
user_back:
	int $0x80
from_user:
	mov saved_rsp(%rip), %rsp
	movq $0, fixup_ip(%rip)
	cmpl $GP, fault_vector(%rip)
	FAIL_IF ne, E_XS_CPL3, "XSETBV at CPL 3 did not raise #GP"
	cmpl $0, fault_error(%rip)
	FAIL_IF ne, E_XS_CPL3, "XSETBV at CPL 3: #GP error code not 0"
	call xcr0
	cmp %r14, %rax
	FAIL_IF ne, E_XS_KEPT, "XSETBV at CPL 3 changed XCR0"
	PUTS_LIT "xsetbv: XSETBV at CPL 3 refused\n"

	/* 7. CR4.OSXSAVE clear again. */
	mov %cr4, %rax
	and $~CR4_OSXSAVE, %rax
	mov %rax, %cr4
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	test $(1 << 27), %ecx
	FAIL_IF nz, E_XS_OSXSAVE_CLR, "CR4.OSXSAVE clear, but CPUID.1:ECX.OSXSAVE[27] reads 1"
	xor %ecx, %ecx
	EXPECT_FAULT UD, E_XS_UD, "XGETBV after clearing CR4.OSXSAVE did not raise #UD", xgetbv
	mov %r14d, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	EXPECT_FAULT UD, E_XS_UD, "XSETBV after clearing CR4.OSXSAVE did not raise #UD", xsetbv

	PUTS_LIT "xsetbv: XCR0 rules hold\n"
	PASS_EXIT

/*
 * try: XSETBV XCR R9D = R8 must raise #GP(0) and leave XCR0 = R14; counts
 * it in refused. Clobbers RAX, RCX, RDX.
 */
try:
	mov %r8d, %eax
	mov %r8, %rdx
	shr $32, %rdx
	mov %r9d, %ecx
	movl $-1, fault_vector(%rip)
	movq $1f, fixup_ip(%rip)
	xsetbv
1:	movq $0, fixup_ip(%rip)
	call xcr0
	mov %rax, xcr0_after(%rip)
	cmpl $GP, fault_vector(%rip)
	jne 8f
	cmpl $0, fault_error(%rip)
	jne 8f
	cmp %r14, %rax
	jne 9f
	incq refused(%rip)
	ret
8:	call show_try
	mov $E_XS_ILLEGAL, %edi
	mov $msg_illegal, %esi
	jmp fail
9:	call show_try
	mov $E_XS_KEPT, %edi
	mov $msg_kept, %esi
	jmp fail

/*
 * show_try: print what try did and saw (vector 0xffffffff: no exception).
 * Clobbers RAX-RDX, RSI.
 */
show_try:
	PUTS_LIT "xsetbv: XSETBV ECX=0x"
	mov %r9d, %ebx
	call put_hex32
	PUTS_LIT " EDX:EAX=0x"
	mov %r8, %rbx
	call put_hex64
	PUTS_LIT ": vector 0x"
	mov fault_vector(%rip), %ebx
	call put_hex32
	PUTS_LIT " error 0x"
	mov fault_error(%rip), %ebx
	call put_hex32
	PUTS_LIT ", XCR0 then 0x"
	mov xcr0_after(%rip), %rbx
	call put_hex64
	jmp newline

/* xcr0: RAX = XCR0 (XGETBV with ECX = 0). Clobbers RCX, RDX. */
xcr0:
	xor %ecx, %ecx
	xgetbv
	shl $32, %rdx
	mov %eax, %eax
	or %rdx, %rax
	ret

/* put_dec: print RAX in decimal. Clobbers RAX, RCX, RDX, RSI, RDI. */
put_dec:
	lea dec_end(%rip), %rdi
	mov $10, %ecx
1:	xor %edx, %edx
	div %rcx
	add $0x30, %dl			/* '0' */
	dec %rdi
	mov %dl, (%rdi)
	test %rax, %rax
	jnz 1b
	mov %rdi, %rsi
	jmp puts

	.section .rodata
msg_illegal:
	.asciz "an illegal XSETBV (above) did not raise #GP(0)"
msg_kept:
	.asciz "a refused XSETBV (above) changed XCR0"

	.data
	.balign 8
xcr0_after:
	.quad 0
saved_rsp:
	.quad 0
refused:
	.quad 0
dec_buf:
	.skip 20
dec_end:
	.byte 0

	USER_STACK
