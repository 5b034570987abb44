/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-exits.elf: ELF32. A benchmark, not a test: times 10,000 CPUID
 * round trips with RDTSC, three times, then 10,000 VMCALLs (HC_NOP) three
 * times, and prints each total in hex, one per line (ticks for the exit
 * and the three instructions of the loop; divide by 10,000). In the Bochs
 * rig a tick is an instruction (Documentation/exit-latency.rst, "What
 * collecting costs"). The counters are in ESI and EDI, which neither CPUID
 * nor the hypercall touches.
 * Exit values: PASS.
 * Image: bench-exits.elf 32
 */
#include "guest.h"

#define ROUNDS	10000

/*
 * TIME setup, insn: print the ticks of ROUNDS times "setup; insn" in a
 * loop, 3 times.
 */
.macro TIME setup, insn
	mov $3, %edi
.Lrepeat\@:
	rdtsc
	mov %eax, %ebp
	mov $ROUNDS, %esi
.Lloop\@:
	\setup
	\insn
	dec %esi
	jnz .Lloop\@
	rdtsc
	sub %ebp, %eax
	mov %eax, %ebx
	call put_hex32
	call newline
	dec %edi
	jnz .Lrepeat\@
.endm

	GUEST_START
	TIME "xor %eax, %eax", cpuid
	/* EAX = HC_NOP, which is 0 (the quotes keep cpp from expanding it). */
	.if HC_NOP
	.error "HC_NOP is not 0"
	.endif
	TIME "xor %eax, %eax", vmcall
	PASS_EXIT
