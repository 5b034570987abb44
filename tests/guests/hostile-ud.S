/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile-ud.elf: ELF64. Features vmxlab does not give a guest must be
 * absent both ways: CPUID does not offer them and their instructions raise
 * #UD, as on a processor without them, whatever the host has (in VMX
 * non-root operation several of them run on the host's hardware unless a
 * VM-execution control makes them exit or fault, SDM Vol. 3C 26.1-26.3).
 *  - SMX: CPUID.1:ECX[6] reads 0; CR4.SMXE reads 0 and setting it raises
 *    #GP (a reserved bit without SMX, Vol. 3A 2.5); GETSEC (0F 37) raises
 *    #UD (CR4.SMXE = 0, Vol. 2B "GETSEC[CAPABILITIES]"; Vol. 3C 26.1.2).
 *  - SGX: CPUID.(7,0):EBX[2] reads 0, and so do (7,0):ECX[30] (SGX launch
 *    control) and, if the basic leaves reach 0x12, CPUID.(0x12,0):EAX[1:0]
 *    (SGX1, SGX2) and CPUID.(0x12,2):EAX[3:0] (an EPC section) (Vol. 3D
 *    36.7); RDMSR IA32_SGXLEPUBKEYHASH0 (0x8c) raises #GP; ENCLS (0F 01 CF)
 *    at CPL 0 and ENCLU (0F 01 D7) at CPL 3, both with leaf 0x7fffffff,
 *    raise #UD (Vol. 3D 38 "ENCLS", "ENCLU": #UD if CPUID.SGX = 0; a leaf
 *    no CPU has would give #GP, which is what runs of them on the host's
 *    SGX would show).
 *  - VMFUNC (0F 01 D4), EAX = 0: #UD ("enable VM functions" is 0,
 *    Vol. 3C 26.3).
 *  - PCONFIG (0F 01 C5), EAX = 0x7fffffff: #UD, and CPUID.(7,0):EDX[18]
 *    reads 0 (in VMX non-root operation PCONFIG is #UD unless "enable
 *    PCONFIG" is 1, Vol. 3C 26.3).
 *  - WAITPKG: TPAUSE, UMONITOR, UMWAIT raise #UD, and CPUID.(7,0):ECX[5]
 *    reads 0 ("enable user wait and pause" is 0, Vol. 3C 26.3).
 *  - RDPID (F3 0F C7 /7) if CPUID.(7,0):ECX[22] is 0, INVPCID if
 *    CPUID.(7,0):EBX[10] is 0: #UD.
 * MONITOR/MWAIT (vmxon-ud, cpuid) and XSAVES (hostile-xsave) are tested
 * elsewhere. Prints "hostile-ud: SMX and SGX absent".
 * Exit values: PASS, E_HOSTILE_UD (FAIL lines name the checks),
 * E_EXCEPTION.
 * Image: hostile-ud.elf 64
 */
#include "guest.h"

#define CR4_SMXE	(1 << 14)
#define BAD_LEAF	0x7fffffff

	GUEST_START

	/* CPUID: R15D max basic leaf; leaf 7: R12D EBX, R13D ECX, R14D EDX */
	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	mov %eax, %r15d
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	test $(1 << 6), %ecx
	CHECK nz, "CPUID.1:ECX[6] (SMX) reads 1"
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	cmp $7, %r15d
	jb 1f
	mov $7, %eax
	xor %ecx, %ecx
	cpuid
	mov %ebx, %r12d
	mov %ecx, %r13d
	mov %edx, %r14d
1:	test $(1 << 2), %r12d
	CHECK nz, "CPUID.(7,0):EBX[2] (SGX) reads 1"
	test $(1 << 30), %r13d
	CHECK nz, "CPUID.(7,0):ECX[30] (SGX launch control) reads 1, SGX hidden"
	test $(1 << 5), %r13d
	CHECK nz, "CPUID.(7,0):ECX[5] (WAITPKG) reads 1"
	test $(1 << 18), %r14d
	CHECK nz, "CPUID.(7,0):EDX[18] (PCONFIG) reads 1"
	cmp $0x12, %r15d
	jb 2f
	mov $0x12, %eax
	xor %ecx, %ecx
	cpuid
	test $3, %eax
	CHECK nz, "CPUID.(0x12,0):EAX (SGX1/SGX2) not 0, SGX hidden"
	mov $0x12, %eax
	mov $2, %ecx
	cpuid
	test $0xf, %eax
	CHECK nz, "CPUID.(0x12,2) describes an EPC section, SGX hidden"
2:
	/* SMX */
	mov %cr4, %rax
	test $CR4_SMXE, %eax
	CHECK nz, "CR4.SMXE reads 1"
	or $CR4_SMXE, %rax
	CHECK_FAULT GP, "setting CR4.SMXE did not raise #GP", mov %rax, %cr4
	mov %cr4, %rax
	test $CR4_SMXE, %eax
	CHECK nz, "CR4.SMXE reads 1 after the attempt to set it"
	xor %eax, %eax			/* GETSEC[CAPABILITIES] */
	xor %ebx, %ebx
	CHECK_FAULT UD, "GETSEC did not raise #UD", getsec

	/* SGX */
	mov $0x8c, %ecx
	CHECK_FAULT GP, "RDMSR IA32_SGXLEPUBKEYHASH0 (0x8c) did not raise #GP", rdmsr
	mov $BAD_LEAF, %eax
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	CHECK_FAULT UD, "ENCLS did not raise #UD", encls

	/* VM functions, PCONFIG */
	xor %eax, %eax
	xor %ecx, %ecx
	CHECK_FAULT UD, "VMFUNC did not raise #UD", vmfunc
	mov $BAD_LEAF, %eax
	CHECK_FAULT UD, "PCONFIG did not raise #UD", pconfig

	/* WAITPKG */
	xor %eax, %eax
	xor %edx, %edx
	xor %ecx, %ecx
	CHECK_FAULT UD, "TPAUSE did not raise #UD", tpause %ecx
	lea scratch(%rip), %rax
	CHECK_FAULT UD, "UMONITOR did not raise #UD", umonitor %rax
	xor %eax, %eax
	CHECK_FAULT UD, "UMWAIT did not raise #UD", umwait %ecx

	/* RDPID, INVPCID where CPUID does not offer them */
	test $(1 << 22), %r13d
	jnz 3f
	CHECK_FAULT UD, "RDPID not offered (CPUID.(7,0):ECX[22]), but no #UD", rdpid %rax
3:	test $(1 << 10), %r12d
	jnz 4f
	lea scratch(%rip), %rsi
	mov $2, %eax			/* all contexts, globals included */
	CHECK_FAULT UD, "INVPCID not offered (CPUID.(7,0):EBX[10]), but no #UD", invpcid (%rsi), %rax
4:
	/* ENCLU at CPL 3: iretq to user_enclu; back through int $0x80. */
	TO_USER user_enclu, user_back
	mov $BAD_LEAF, %eax
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	iretq
user_enclu:
	enclu
user_back:
	int $0x80
from_user:
	mov saved_rsp(%rip), %rsp
	movq $0, fixup_ip(%rip)
	cmpl $UD, fault_vector(%rip)
	CHECK ne, "ENCLU at CPL 3 did not raise #UD"

	CHECKS_PASSED E_HOSTILE_UD
	PUTS_LIT "hostile-ud: SMX and SGX absent\n"
	PASS_EXIT

	.data
	.balign 8
saved_rsp:
	.quad 0
	.balign 64
scratch:
	.skip 64

	USER_STACK
