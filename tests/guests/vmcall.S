/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcall.elf: ELF64. The hypercalls of uapi/linux/vmxlab.h: HC_NOP returns
 * 0, HC_ECHO returns RBX, HC_VCPU_ID returns 0 (the tool's only vCPU), an
 * unknown number returns HC_ENOSYS (-38), also one that is HC_NOP in its
 * low 32 bits; no register but RAX changes. From CPL 3 a call returns
 * HC_EPERM (-1) and does not fault.
 * Exit values: PASS, E_HC_*, E_EXCEPTION.
 * Image: vmcall.elf 64
 */
#include "guest.h"

/* hc NUMBER: VMCALL with RAX = NUMBER, RBX/RCX/RDX/RSI/RDI/R8-R15 set to
 * known values, which must survive. */
.macro hc number
	movabs $\number, %rax
	call do_vmcall
.endm

	GUEST_START

	hc HC_NOP
	test %rax, %rax
	FAIL_IF nz, E_HC_NOP, "HC_NOP did not return 0"
	hc HC_ECHO
	movabs $0x1122334455667788, %rbx	/* what do_vmcall puts in RBX */
	cmp %rbx, %rax
	FAIL_IF ne, E_HC_ECHO, "HC_ECHO did not return RBX"
	hc HC_VCPU_ID
	test %rax, %rax
	FAIL_IF nz, E_HC_VCPU_ID, "HC_VCPU_ID did not return 0"
	hc 0x12345
	cmp $HC_ENOSYS, %rax
	FAIL_IF ne, E_HC_ENOSYS, "unknown hypercall 0x12345 did not return -38"
	hc 0x100000000
	cmp $HC_ENOSYS, %rax
	FAIL_IF ne, E_HC_HIGH, "hypercall 0x100000000 did not return -38 (RAX truncated?)"
	PUTS_LIT "vmcall: CPL 0 calls ok\n"

	/* CPL 3: iretq to user_code; it comes back through int $0x80. */
	TO_USER user_code
	iretq
user_code:
	mov $HC_NOP, %eax
	vmcall
	int $0x80
from_user:
	mov saved_rsp(%rip), %rsp
	cmp $HC_EPERM, %rax
	FAIL_IF ne, E_HC_EPERM, "a hypercall from CPL 3 did not return -1"
	PUTS_LIT "vmcall: CPL 3 call refused\n"
	PASS_EXIT

/* do_vmcall: RAX = number; fills the other registers, VMCALL, checks them. */
do_vmcall:
	movabs $0x1122334455667788, %rbx
	movabs $0x2122232425262728, %rcx
	movabs $0x3132333435363738, %rdx
	movabs $0x4142434445464748, %rsi
	movabs $0x5152535455565758, %rdi
	movabs $0x8182838485868788, %r8
	movabs $0x9192939495969798, %r9
	movabs $0xa1a2a3a4a5a6a7a8, %r10
	movabs $0xb1b2b3b4b5b6b7b8, %r11
	movabs $0xc1c2c3c4c5c6c7c8, %r12
	movabs $0xd1d2d3d4d5d6d7d8, %r13
	movabs $0xe1e2e3e4e5e6e7e8, %r14
	movabs $0xf1f2f3f4f5f6f7f8, %r15
	mov %rsp, %rbp
	vmcall
	cmp %rsp, %rbp
	jne 1f
	movabs $0x1122334455667788, %rbp
	cmp %rbp, %rbx
	jne 1f
	movabs $0x2122232425262728, %rbp
	cmp %rbp, %rcx
	jne 1f
	movabs $0x3132333435363738, %rbp
	cmp %rbp, %rdx
	jne 1f
	movabs $0x4142434445464748, %rbp
	cmp %rbp, %rsi
	jne 1f
	movabs $0x5152535455565758, %rbp
	cmp %rbp, %rdi
	jne 1f
	movabs $0x8182838485868788, %rbp
	cmp %rbp, %r8
	jne 1f
	movabs $0x9192939495969798, %rbp
	cmp %rbp, %r9
	jne 1f
	movabs $0xa1a2a3a4a5a6a7a8, %rbp
	cmp %rbp, %r10
	jne 1f
	movabs $0xb1b2b3b4b5b6b7b8, %rbp
	cmp %rbp, %r11
	jne 1f
	movabs $0xc1c2c3c4c5c6c7c8, %rbp
	cmp %rbp, %r12
	jne 1f
	movabs $0xd1d2d3d4d5d6d7d8, %rbp
	cmp %rbp, %r13
	jne 1f
	movabs $0xe1e2e3e4e5e6e7e8, %rbp
	cmp %rbp, %r14
	jne 1f
	movabs $0xf1f2f3f4f5f6f7f8, %rbp
	cmp %rbp, %r15
1:	FAIL_IF ne, E_HC_REGS, "VMCALL changed a register other than RAX"
	ret

	.data
	.balign 8
saved_rsp:
	.quad 0

	USER_STACK
