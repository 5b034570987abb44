/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile-xsave.elf: ELF64. The supervisor side of XSAVE stays out of the
 * guest's reach, and XRSTOR checks its header against the guest's own XCR0
 * (which vmxlab must have loaded: with the host's XCR0 in force, a header
 * naming PKRU or AVX would restore instead of faulting). CR4.OSXSAVE set,
 * XCR0 = 3 (x87, SSE) by XSETBV; then, in order:
 *  (a) CPUID.(EAX=0xD,ECX=1):EAX[3] (XSAVES/XRSTORS, IA32_XSS) reads 0 and
 *      ECX, EDX (the IA32_XSS bits) read 0 (SDM Vol. 1 13.2); RDMSR and
 *      WRMSR of IA32_XSS (0xda0) raise #GP; XSAVES, XSAVES64 (0F C7 /5),
 *      XRSTORS, XRSTORS64 (0F C7 /3) raise #UD (Vol. 2D "XSAVES" and
 *      "XRSTORS": #UD if CPUID.(0xD,1):EAX.XSS[3] = 0; in VMX non-root
 *      operation they are #UD while "enable XSAVES/XRSTORS" is 0, Vol. 3C
 *      26.3).
 *  XSAVE of x87|SSE into a 64-byte aligned area, header bytes 63:8 cleared:
 *      XRSTOR (0F AE /5) of it must not fault. Then, one change at a time,
 *      XRSTOR raises #GP(0) (Vol. 1 13.8, Vol. 2D "XRSTOR" exceptions):
 *  (b) standard form: XSTATE_BV with bit 9 (PKRU) set, EDX:EAX all ones;
 *      the same with EDX:EAX = 3 (the check is against XCR0, not the
 *      mask); XSTATE_BV bit 2 (AVX); XSTATE_BV bit 63; a non-zero byte 16
 *      of the header (bytes 23:8 must be 0);
 *  (c) XCOMP_BV[63] set: XCOMP_BV = bit 63 | bit 9 (a component XCR0 lacks:
 *      #GP in the compacted form, and #GP anyway where
 *      CPUID.(0xD,1):EAX.XSAVEC[1] = 0); XCOMP_BV = bit 63 | 3 with
 *      XSTATE_BV bit 9 (not in XCOMP_BV); and XCOMP_BV = bit 63 | 3 with
 *      XSTATE_BV 0: no fault if CPUID.(0xD,1):EAX[1] offers the compacted
 *      form, #GP(0) if not.
 * Prints "hostile-xsave: supervisor state out of reach".
 * Exit values: PASS, E_HOSTILE_XSAVE (FAIL lines name the checks),
 * E_EXCEPTION.
 * Image: hostile-xsave.elf 64
 */
#include "guest.h"

#define CR4_OSXSAVE	(1 << 18)
#define MSR_IA32_XSS	0xda0
#define XSTATE_BV	512
#define XCOMP_BV	520

/* GP0 "what", instruction...: the instruction raises #GP with error code 0. */
.macro GP0 msg, insn:vararg
	CHECK_FAULT GP, "\msg: no #GP", \insn
	cmpl $GP, fault_vector(%rip)
	jne .Lgp0\@
	cmpl $0, fault_error(%rip)
	CHECK ne, "\msg: #GP error code not 0"
.Lgp0\@:
.endm

/* XRSTOR_GP "what": header changed, XRSTOR (EDX:EAX all ones) #GP(0). */
.macro XRSTOR_GP msg
	mov $-1, %eax
	mov $-1, %edx
	GP0 "\msg", xrstor (%rdi)
	call restore_header
.endm

	GUEST_START

	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	test $(1 << 26), %ecx
	FAIL_IF z, E_HOSTILE_XSAVE, "CPUID.1:ECX.XSAVE[26] clear: nothing to test"
	mov %cr4, %rax
	or $CR4_OSXSAVE, %rax
	mov %rax, %cr4
	xor %ecx, %ecx
	xor %edx, %edx
	mov $3, %eax
	EXPECT_NO_FAULT E_HOSTILE_XSAVE, "XSETBV of XCR0 = 3 (x87, SSE) faulted", xsetbv
	xor %ecx, %ecx
	xgetbv
	cmp $3, %eax
	FAIL_IF ne, E_HOSTILE_XSAVE, "XGETBV: XCR0 not 3 after XSETBV"

	/* (a) XSAVES and XRSTORS: not offered, #UD */
	mov $0xd, %eax
	mov $1, %ecx
	cpuid
	mov %eax, %r15d			/* XSAVEC is bit 1 */
	test $(1 << 3), %eax
	CHECK nz, "CPUID.(0xD,1):EAX[3] (XSAVES/XRSTORS) reads 1"
	or %edx, %ecx
	CHECK nz, "CPUID.(0xD,1):ECX/EDX (IA32_XSS bits) not 0"
	mov $MSR_IA32_XSS, %ecx
	GP0 "RDMSR IA32_XSS", rdmsr
	mov $MSR_IA32_XSS, %ecx
	xor %eax, %eax
	xor %edx, %edx
	GP0 "WRMSR IA32_XSS of 0", wrmsr
	lea area(%rip), %rdi
	mov $3, %eax
	xor %edx, %edx
	CHECK_FAULT UD, "XSAVES did not raise #UD", xsaves (%rdi)
	CHECK_FAULT UD, "XSAVES64 did not raise #UD", xsaves64 (%rdi)
	call clear_area
	mov $3, %eax
	xor %edx, %edx
	CHECK_FAULT UD, "XRSTORS did not raise #UD", xrstors (%rdi)
	CHECK_FAULT UD, "XRSTORS64 did not raise #UD", xrstors64 (%rdi)

	/* A good standard-form area: XSAVE, header bytes 63:8 cleared. */
	call clear_area
	mov $-1, %eax
	mov $-1, %edx
	EXPECT_NO_FAULT E_HOSTILE_XSAVE, "XSAVE with XCR0 = 3 faulted", xsave (%rdi)
	xor %eax, %eax
	mov $1, %ecx
1:	mov %rax, XSTATE_BV(%rdi, %rcx, 8)	/* qwords 1-7 of the header */
	inc %ecx
	cmp $7, %ecx
	jbe 1b
	mov XSTATE_BV(%rdi), %rax
	mov %rax, good_bv(%rip)
	mov $-1, %eax
	mov $-1, %edx
	CHECK_NO_FAULT "XRSTOR of the area XSAVE wrote faulted", xrstor (%rdi)

	/* (b) standard form */
	btsq $9, XSTATE_BV(%rdi)
	XRSTOR_GP "XRSTOR, XSTATE_BV bit 9 (PKRU) not in XCR0"
	btsq $9, XSTATE_BV(%rdi)
	mov $3, %eax
	xor %edx, %edx
	GP0 "XRSTOR, EDX:EAX = 3, XSTATE_BV bit 9 (PKRU) not in XCR0", xrstor (%rdi)
	call restore_header
	btsq $2, XSTATE_BV(%rdi)
	XRSTOR_GP "XRSTOR, XSTATE_BV bit 2 (AVX) not in XCR0"
	btsq $63, XSTATE_BV(%rdi)
	XRSTOR_GP "XRSTOR, XSTATE_BV bit 63 set"
	movb $1, XSTATE_BV + 16(%rdi)
	XRSTOR_GP "XRSTOR, header byte 16 not 0"

	/* (c) XCOMP_BV[63]: the compacted form */
	movabs $0x8000000000000200, %rax
	mov %rax, XCOMP_BV(%rdi)
	XRSTOR_GP "XRSTOR, XCOMP_BV = bit 63 | bit 9 (not in XCR0)"
	movabs $0x8000000000000003, %rax
	mov %rax, XCOMP_BV(%rdi)
	movq $0x200, XSTATE_BV(%rdi)
	XRSTOR_GP "XRSTOR, XCOMP_BV = bit 63 | 3, XSTATE_BV bit 9"
	movabs $0x8000000000000003, %rax
	mov %rax, XCOMP_BV(%rdi)
	movq $0, XSTATE_BV(%rdi)
	mov $-1, %eax
	mov $-1, %edx
	test $(1 << 1), %r15d
	jz 2f
	CHECK_NO_FAULT "XRSTOR of a valid compacted area (XSAVEC offered) faulted", xrstor (%rdi)
	jmp 3f
2:	GP0 "XRSTOR with XCOMP_BV[63] set, XSAVEC not offered", xrstor (%rdi)
3:	call restore_header

	CHECKS_PASSED E_HOSTILE_XSAVE
	PUTS_LIT "hostile-xsave: supervisor state out of reach\n"
	PASS_EXIT

/* clear_area: zero the 4 KiB at RDI = area. Keeps RDI. Clobbers RAX, RCX. */
clear_area:
	push %rdi
	xor %eax, %eax
	mov $4096 / 8, %ecx
	cld
	rep stosq
	pop %rdi
	ret

/* restore_header: the header as XSAVE left it (XSTATE_BV, zeros). */
restore_header:
	mov good_bv(%rip), %rax
	mov %rax, XSTATE_BV(%rdi)
	movq $0, XCOMP_BV(%rdi)
	movq $0, XSTATE_BV + 16(%rdi)
	ret

	.data
	.balign 8
good_bv:
	.quad 0

	.bss
	.balign 4096
area:
	.skip 4096
