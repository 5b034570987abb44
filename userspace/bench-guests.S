/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guests of `vmxlab bench` (userspace/bench.c), assembled into the
 * tool as data: 32-bit protected-mode code (flat segments, as the tool
 * sets them up for ELF32 images), loaded at 1 MiB and entered there.
 *
 * Each one times EBP iterations of one exiting instruction with RDTSC
 * around it and stores each difference, 32 bits, from SAMPLES on; then it
 * writes 0x10 to the debug-exit port. The instructions between the two
 * RDTSCs are the same in every guest but the measured one, so the "nop"
 * guest is the baseline that bench.c subtracts. ESI holds the first TSC:
 * none of the measured instructions changes it (CPUID writes EAX-EDX, the
 * hypercall RAX only, IN AL).
 */
/* Assembler symbols, not cpp macros: they are used inside quoted macro arguments. */
	.equ SAMPLES, 0x200000		/* bench.c: BENCH_SAMPLES */
	.equ BENCH_PORT, 0x510		/* no device: the tool's bus answers */
	.equ BENCH_MMIO, 0xd0000000	/* above RAM: an MMIO exit to the tool */
	.equ EXIT_PORT, 0xf4
	.equ MSR_APICBASE, 0x1b		/* read in the kernel */
	.equ MSR_SYSENTER_CS, 0x174	/* written in the kernel */

	.section .rodata.bench, "a"
	.code32

/*
 * BENCH name, setup1, setup2, insn: the guest bench_NAME_start ..
 * bench_NAME_end. Two setup instructions in every guest, so that the
 * baseline's window differs from each other's by the measured instruction
 * alone.
 */
.macro BENCH name, setup1, setup2, insn
	.globl bench_\name\()_start, bench_\name\()_end
bench_\name\()_start:
	mov $SAMPLES, %edi
	cld
1:	rdtsc
	mov %eax, %esi
	\setup1
	\setup2
	\insn
	rdtsc
	sub %esi, %eax
	stosl
	dec %ebp
	jnz 1b
	mov $0x10, %al
	out %al, $EXIT_PORT
2:	hlt
	jmp 2b
bench_\name\()_end:
.endm

	BENCH nop, "xor %eax, %eax", "xor %edx, %edx", nop
	BENCH cpuid, "xor %eax, %eax", "xor %edx, %edx", cpuid
	/* EAX = 0: the no-op hypercall (uapi/linux/vmxlab.h VMXLAB_HC_NOP). */
	BENCH vmcall, "xor %eax, %eax", "xor %edx, %edx", vmcall
	BENCH out, "xor %eax, %eax", "mov $BENCH_PORT, %dx", "out %al, %dx"
	BENCH in, "xor %eax, %eax", "mov $BENCH_PORT, %dx", "in %dx, %al"
	BENCH mmio_write, "xor %eax, %eax", "xor %edx, %edx", "movl %eax, BENCH_MMIO"
	BENCH mmio_read, "xor %eax, %eax", "xor %edx, %edx", "movl BENCH_MMIO, %ecx"
	BENCH rdmsr, "mov $MSR_APICBASE, %ecx", "xor %edx, %edx", rdmsr
	BENCH wrmsr, "mov $MSR_SYSENTER_CS, %ecx", "xor %edx, %edx", wrmsr
	/* HLT with IF = 0 goes to the tool, which resumes the guest. */
	BENCH hlt, "xor %eax, %eax", "xor %edx, %edx", hlt

	.code64
	.section .note.GNU-stack, "", @progbits
