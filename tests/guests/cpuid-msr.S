/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpuid-msr.elf: ELF64. What CPUID advertises, the instructions and MSRs
 * honour, and what it does not, they refuse (SDM Vol. 4 Table 2-2 gives
 * the CPUID condition of each MSR):
 *  - IA32_TSC_AUX (0xc0000103) exists with RDTSCP (CPUID.80000001H:EDX[27])
 *    or RDPID (CPUID.(7,0):ECX[22]): WRMSR 0x1234 and RDMSR work, RDTSCP
 *    returns it in ECX, RDPID in RAX, also after an exit to the tool (UART
 *    output). Otherwise RDMSR/WRMSR #GP. RDTSCP not advertised: #UD.
 *  - IA32_SPEC_CTRL (0x48) exists with CPUID.(7,0):EDX IBRS[26], STIBP[27]
 *    or SSBD[31], or CPUID.(7,2):EDX[4:0] (PSFD ... BHI_CTRL): RDMSR and
 *    WRMSR 0 work, else #GP.
 *  - IA32_PRED_CMD (0x49) with EDX[26], IA32_FLUSH_CMD (0x10b) with
 *    EDX[28]: WRMSR 0 works, else #GP. IA32_ARCH_CAPABILITIES (0x10a) with
 *    EDX[29]: RDMSR works, else #GP.
 * Exit values: PASS, E_CM_*, E_EXCEPTION.
 * Image: cpuid-msr.elf 64
 */
#include "guest.h"


#define MSR_SPEC_CTRL	0x48
#define MSR_PRED_CMD	0x49
#define MSR_ARCH_CAP	0x10a
#define MSR_FLUSH_CMD	0x10b
#define MSR_TSC_AUX	0xc0000103
#define AUX		0x1234

	GUEST_START

	/*
	 * R12D = CPUID.80000001H:EDX, R13D = CPUID.(7,0):EDX,
	 * R14D = CPUID.(7,0):ECX, R15D = CPUID.(7,2):EDX; 0 where the leaf
	 * or subleaf is beyond the maximum.
	 */
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	mov $0x80000000, %eax
	xor %ecx, %ecx
	cpuid
	cmp $0x80000001, %eax
	jb 1f
	mov $0x80000001, %eax
	xor %ecx, %ecx
	cpuid
	mov %edx, %r12d
1:	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	cmp $7, %eax
	jb 2f
	mov $7, %eax
	xor %ecx, %ecx
	cpuid
	mov %edx, %r13d
	mov %ecx, %r14d
	cmp $2, %eax
	jb 2f
	mov $7, %eax
	mov $2, %ecx
	cpuid
	mov %edx, %r15d
2:	PUTS_LIT "cpuid-msr: 80000001H:EDX 0x"
	mov %r12d, %ebx
	call put_hex32
	PUTS_LIT " (7,0):ECX 0x"
	mov %r14d, %ebx
	call put_hex32
	PUTS_LIT " EDX 0x"
	mov %r13d, %ebx
	call put_hex32
	PUTS_LIT " (7,2):EDX 0x"
	mov %r15d, %ebx
	call put_hex32
	call newline

	/* 1. IA32_TSC_AUX, RDTSCP, RDPID */
	bt $27, %r12d
	jc 3f
	bt $22, %r14d
	jc 3f
	mov $MSR_TSC_AUX, %ecx
	EXPECT_FAULT GP, E_CM_UNADV, "RDMSR IA32_TSC_AUX did not raise #GP (neither RDTSCP nor RDPID advertised)", rdmsr
	SET_MSR MSR_TSC_AUX, AUX
	EXPECT_FAULT GP, E_CM_UNADV, "WRMSR IA32_TSC_AUX did not raise #GP (neither RDTSCP nor RDPID advertised)", wrmsr
	jmp 4f
3:	SET_MSR MSR_TSC_AUX, AUX
	EXPECT_NO_FAULT E_CM_AUX_WR, "WRMSR IA32_TSC_AUX faulted (RDTSCP or RDPID advertised)", wrmsr
	mov $MSR_TSC_AUX, %ecx
	EXPECT_NO_FAULT E_CM_AUX_RD, "RDMSR IA32_TSC_AUX faulted (RDTSCP or RDPID advertised)", rdmsr
	cmp $AUX, %eax
	FAIL_IF ne, E_CM_AUX_RD, "RDMSR IA32_TSC_AUX: not the 0x1234 written"
	test %edx, %edx
	FAIL_IF nz, E_CM_AUX_RD, "RDMSR IA32_TSC_AUX: bits 63:32 not 0"
4:	bt $27, %r12d
	jc 5f
	EXPECT_FAULT UD, E_CM_UNADV, "RDTSCP did not raise #UD (CPUID.80000001H:EDX.RDTSCP[27] clear)", rdtscp
	jmp 6f
5:	EXPECT_NO_FAULT E_CM_RDTSCP, "RDTSCP faulted (CPUID.80000001H:EDX.RDTSCP[27] set)", rdtscp
	cmp $AUX, %ecx
	FAIL_IF ne, E_CM_RDTSCP, "RDTSCP: ECX is not IA32_TSC_AUX (0x1234)"
6:	bt $27, %r12d
	jc 7f
	bt $22, %r14d
	jnc 9f
7:	PUTS_LIT "cpuid-msr: IA32_TSC_AUX = 0x1234, now an exit to the tool\n"
	mov $MSR_TSC_AUX, %ecx
	rdmsr
	cmp $AUX, %eax
	FAIL_IF ne, E_CM_AUX_EXIT, "IA32_TSC_AUX (RDMSR) changed across an exit to the tool"
	test %edx, %edx
	FAIL_IF nz, E_CM_AUX_EXIT, "IA32_TSC_AUX (RDMSR) changed across an exit to the tool"
	bt $27, %r12d
	jnc 8f
	rdtscp
	cmp $AUX, %ecx
	FAIL_IF ne, E_CM_AUX_EXIT, "RDTSCP: ECX no longer 0x1234 after an exit to the tool"
8:	bt $22, %r14d
	jnc 9f
	xor %eax, %eax
	EXPECT_NO_FAULT E_CM_RDPID, "RDPID faulted (CPUID.(7,0):ECX.RDPID[22] set)", rdpid %rax
	cmp $AUX, %rax
	FAIL_IF ne, E_CM_RDPID, "RDPID: RAX is not IA32_TSC_AUX (0x1234)"
9:

	/* 2. Speculation control. Does IA32_SPEC_CTRL exist? */
	mov %r13d, %eax
	and $0x8c000000, %eax		/* (7,0):EDX[26], [27], [31] */
	mov %r15d, %edx
	and $0x1f, %edx			/* (7,2):EDX[4:0] */
	or %edx, %eax
	jz 1f
	SET_MSR MSR_SPEC_CTRL, 0
	EXPECT_NO_FAULT E_CM_SPEC, "WRMSR IA32_SPEC_CTRL 0 faulted (advertised)", wrmsr
	mov $MSR_SPEC_CTRL, %ecx
	EXPECT_NO_FAULT E_CM_SPEC, "RDMSR IA32_SPEC_CTRL faulted (advertised)", rdmsr
	jmp 2f
1:	mov $MSR_SPEC_CTRL, %ecx
	EXPECT_FAULT GP, E_CM_SPEC, "RDMSR IA32_SPEC_CTRL did not raise #GP (not advertised)", rdmsr
	SET_MSR MSR_SPEC_CTRL, 0
	EXPECT_FAULT GP, E_CM_SPEC, "WRMSR IA32_SPEC_CTRL 0 did not raise #GP (not advertised)", wrmsr
2:	SET_MSR MSR_PRED_CMD, 0
	bt $26, %r13d
	jnc 3f
	EXPECT_NO_FAULT E_CM_SPEC, "WRMSR IA32_PRED_CMD 0 faulted (CPUID.(7,0):EDX[26] set)", wrmsr
	jmp 4f
3:	EXPECT_FAULT GP, E_CM_SPEC, "WRMSR IA32_PRED_CMD 0 did not raise #GP (CPUID.(7,0):EDX[26] clear)", wrmsr
4:	SET_MSR MSR_FLUSH_CMD, 0
	bt $28, %r13d
	jnc 5f
	EXPECT_NO_FAULT E_CM_FLUSH, "WRMSR IA32_FLUSH_CMD 0 faulted (CPUID.(7,0):EDX[28] set)", wrmsr
	jmp 6f
5:	EXPECT_FAULT GP, E_CM_FLUSH, "WRMSR IA32_FLUSH_CMD 0 did not raise #GP (CPUID.(7,0):EDX[28] clear)", wrmsr
6:	mov $MSR_ARCH_CAP, %ecx
	bt $29, %r13d
	jnc 7f
	EXPECT_NO_FAULT E_CM_ARCH_CAP, "RDMSR IA32_ARCH_CAPABILITIES faulted (CPUID.(7,0):EDX[29] set)", rdmsr
	jmp 8f
7:	EXPECT_FAULT GP, E_CM_ARCH_CAP, "RDMSR IA32_ARCH_CAPABILITIES did not raise #GP (CPUID.(7,0):EDX[29] clear)", rdmsr
8:
	PUTS_LIT "cpuid-msr: CPUID and MSRs agree\n"
	PASS_EXIT
