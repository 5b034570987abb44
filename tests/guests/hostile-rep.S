/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostile-rep.elf: ELF64. REP INS/OUTS at their edges, where the kernel
 * emulates the memory side (an I/O exit comes before any memory access,
 * SDM Vol. 3C 26.1.1). The 2 MiB at SCRATCH_VA are remapped with 4 KiB
 * pages (scratch_pt, cpu.S) onto frames of this image, entries created
 * with A = D = 0; the guest has a #PF handler of its own.
 *
 * What hardware does (SDM Vol. 2B "INS", "OUTS", "REP"; Vol. 3A 4.7
 * page-fault error code, 4.8 accessed and dirty flags; Vol. 1 3.4.1.1):
 * a REP string instruction works element by element; a fault on one
 * element leaves RSI/RDI and RCX at that element, with every earlier
 * element done (and its port access made), RIP at the instruction, CR2 the
 * faulting linear address; a read or write through a PTE sets its A flag, a
 * write its D flag; with a 0x67 prefix the instruction uses ECX, ESI/EDI
 * and writes them as 32-bit registers (bits 63:32 cleared, as any 32-bit
 * register write in 64-bit mode; Bochs, QEMU and KVM's emulator all do so).
 *
 *  (a) 67 REP INSB from port 0x510 with RCX = 0x1_00000005 and RDI =
 *      0xabcd0000_00000000 | buf: 5 bytes of 0xff at buf (nothing around
 *      it), EDI = buf + 5, ECX = 0; then RDI = buf + 5 and RCX = 0 in full.
 *  (c) DF=1: REP INSB of 32 bytes from the first byte of a page down into
 *      the page below (another frame): RDI 32 lower, RCX 0, the bytes
 *      0xff and nothing else touched; the PTEs of both pages then have A
 *      and D set. REP INSD of 2 from 2 bytes below that page boundary (the
 *      first doubleword split over the two frames): RDI + 8, the bytes.
 *  (b) REP OUTSB of a line to the UART from 41 bytes below a not-present
 *      page: #PF, error code 0 (not present, read, CPL 0), CR2 the first
 *      byte of that page, RIP the REP OUTSB, RSI = that page, RCX = the 29
 *      bytes not yet sent. The handler maps the page and returns: the rest
 *      goes out, and the line "hostile-rep: OUTSB to the end of a page,
 *      #PF, then on: all bytes once" arrives whole, once (the guests.sh row
 *      checks it). RSI, RCX after; the A flag of both PTEs set.
 *  (b2) REP INSB of 32 bytes from 16 bytes below a not-present page: #PF,
 *      error code 2 (not present, write), CR2 that page, RDI = that page,
 *      RCX = 16, the 16 bytes below it 0xff.
 *  (e) CR0.WP set: REP INSB of 8 bytes from 4 bytes below a read-only
 *      page: #PF, error code 3 (present, write), CR2 that page, RDI = it,
 *      RCX = 4, the 4 bytes below it written, the page not.
 * Prints "hostile-rep: string I/O edges as hardware".
 * Exit values: PASS, E_HOSTILE_REP (FAIL lines name the checks),
 * E_EXCEPTION.
 * Image: hostile-rep.elf 64
 */
#include "guest.h"

#define GUARD		0x5a
#define PTE_P		0x01
#define PTE_RW		0x02
#define PTE_A		0x20
#define PTE_D		0x40
#define CR0_WP		(1 << 16)
/* scratch pages: index into pt, and the linear address */
#define VA(i)		(SCRATCH_VA + 0x1000 * (i))
#define P0		0	/* f0: the first part of the line */
#define P1		1	/* a hole; f1, the rest of the line */
#define P2		3	/* f3 */
#define P3		4	/* f2: below it, P2 in another frame */
#define P4		5	/* f4, read-only in (e) */

/* PTE i, frame, flags: map scratch page i to frame, INVLPG it. */
.macro PTE i, frame, flags
	lea \frame(%rip), %rax
	or $\flags, %rax
	mov %rax, pt + 8 * \i(%rip)
	mov $VA(\i), %eax
	invlpg (%rax)
.endm

/* NOPTE i: scratch page i not present. */
.macro NOPTE i
	movq $0, pt + 8 * \i(%rip)
	mov $VA(\i), %eax
	invlpg (%rax)
.endm

/* FILL addr, count, byte */
.macro FILL addr, count, byte
	lea \addr(%rip), %rdi
	mov $\count, %ecx
	mov $\byte, %al
	call fill
.endm

/* BYTES addr, count, byte, "what": CHECK that the bytes all are byte. */
.macro BYTES addr, count, byte, what
	lea \addr(%rip), %rdi
	mov $\count, %ecx
	mov $\byte, %al
	call same
	CHECK ne, "\what"
.endm

/*
 * PF_SEEN rip, error, cr2, "what", skip: one #PF at rip, error code, CR2;
 * without exactly one #PF, jump to skip instead.
 */
.macro PF_SEEN rip, error, cr2, what, skip
	cmpl $1, pf_n(%rip)
	CHECK ne, "\what: not one #PF"
	cmpl $1, pf_n(%rip)
	jne \skip
	lea \rip(%rip), %rax
	cmp pf_rip(%rip), %rax
	CHECK ne, "\what: #PF RIP not the REP instruction"
	cmpl $\error, pf_err(%rip)
	CHECK ne, "\what: #PF error code not \error"
	mov $\cr2, %eax
	cmp pf_cr2(%rip), %rax
	CHECK ne, "\what: CR2 not the first byte of the page"
.endm

	GUEST_START
	SET_GATE PF, pf_handler
	lea pt(%rip), %rdi
	call scratch_pt
	cld

	/* (a) 0x67: ECX and EDI, written as 32-bit registers */
	FILL buf-16, 64, GUARD
	movabs $0xabcd000000000000, %rax
	lea buf(%rip), %rdi
	or %rax, %rdi
	movabs $0x100000005, %rcx
	mov $UNCLAIMED_PORT, %dx
	.byte 0x67
	rep insb
	mov %rdi, %r12
	mov %rcx, %r13
	lea buf + 5(%rip), %rax
	cmp %eax, %r12d
	CHECK ne, "67 REP INSB: EDI not buf + 5"
	test %r13d, %r13d
	CHECK nz, "67 REP INSB: ECX not 0"
	BYTES buf, 5, 0xff, "67 REP INSB: a byte of buf .. buf + 4 not 0xff"
	BYTES buf-16, 16, GUARD, "67 REP INSB: wrote below buf"
	BYTES buf+5, 16, GUARD, "67 REP INSB: wrote past 5 bytes (RCX bits 63:32 used?)"
	lea buf + 5(%rip), %rax
	cmp %rax, %r12
	CHECK ne, "67 REP INSB: RDI bits 63:32 not cleared"
	test %r13, %r13
	CHECK nz, "67 REP INSB: RCX bits 63:32 not cleared"

	/* (c) DF=1 from the first byte of P3 down into P2 */
	PTE P2, f3, PTE_P|PTE_RW
	PTE P3, f2, PTE_P|PTE_RW
	FILL f2, 4096, GUARD
	FILL f3, 4096, GUARD
	call reset_pf
	lea c_after(%rip), %rax
	mov %rax, pf_resume(%rip)
	mov $VA(P3), %edi
	mov $32, %ecx
	mov $UNCLAIMED_PORT, %dx
	std
	rep insb
c_after:
	cld
	mov %rdi, %r12
	mov %rcx, %r13
	cmpl $0, pf_n(%rip)
	CHECK ne, "REP INSB with DF=1 over two present pages: #PF"
	/* before anything else reads the pages through these PTEs */
	mov pt + 8 * P3(%rip), %rax
	and $PTE_A | PTE_D, %eax
	cmp $PTE_A | PTE_D, %eax
	CHECK ne, "REP INSB with DF=1: PTE of the first page lacks A or D"
	mov pt + 8 * P2(%rip), %rax
	and $PTE_A | PTE_D, %eax
	cmp $PTE_A | PTE_D, %eax
	CHECK ne, "REP INSB with DF=1: PTE of the page below lacks A or D"
	cmp $VA(P3) - 32, %r12
	CHECK ne, "REP INSB with DF=1: RDI not 32 lower"
	test %r13, %r13
	CHECK nz, "REP INSB with DF=1: RCX not 0"
	BYTES f2, 1, 0xff, "REP INSB with DF=1: first byte not 0xff"
	BYTES f2+1, 16, GUARD, "REP INSB with DF=1: wrote above its first byte"
	BYTES f3+4096-31, 31, 0xff, "REP INSB with DF=1: a byte in the page below not 0xff"
	BYTES f3+4096-48, 17, GUARD, "REP INSB with DF=1: wrote below its range"

	/* (c) REP INSD, the first doubleword across the page boundary */
	FILL f2, 4096, GUARD
	FILL f3, 4096, GUARD
	call reset_pf
	lea c2_after(%rip), %rax
	mov %rax, pf_resume(%rip)
	mov $VA(P3) - 2, %edi
	mov $2, %ecx
	mov $UNCLAIMED_PORT, %dx
	rep insl
c2_after:
	cmpl $0, pf_n(%rip)
	CHECK ne, "REP INSD across a page boundary: #PF"
	cmp $VA(P3) + 6, %rdi
	CHECK ne, "REP INSD across a page boundary: RDI not + 8"
	test %rcx, %rcx
	CHECK nz, "REP INSD across a page boundary: RCX not 0"
	BYTES f3+4096-2, 2, 0xff, "REP INSD across a page boundary: bytes below it not 0xff"
	BYTES f2, 6, 0xff, "REP INSD across a page boundary: bytes above it not 0xff"
	BYTES f3+4096-18, 16, GUARD, "REP INSD across a page boundary: wrote below its range"
	BYTES f2+6, 16, GUARD, "REP INSD across a page boundary: wrote above its range"

	/* (b) REP OUTSB to the UART up to a hole; the #PF handler fills it */
	lea part1(%rip), %rsi
	lea f0 + 4096 - PART1_LEN(%rip), %rdi
	mov $PART1_LEN, %ecx
	rep movsb
	lea part2(%rip), %rsi
	lea f1(%rip), %rdi
	mov $PART2_LEN, %ecx
	rep movsb
	PTE P0, f0, PTE_P|PTE_RW
	NOPTE P1
	call reset_pf
	lea f1 + (PTE_P | PTE_RW)(%rip), %rax
	mov %rax, pf_map(%rip)
	lea b_after(%rip), %rax
	mov %rax, pf_resume(%rip)	/* should the fixed page fault again */
	mov $VA(P1) - PART1_LEN, %esi
	mov $PART1_LEN + PART2_LEN, %ecx
	mov $UART_THR, %dx
b_outsb:
	rep outsb
b_after:
	mov %rsi, %r12
	mov %rcx, %r13
	mov pt + 8 * P0(%rip), %rax
	test $PTE_A, %eax
	CHECK z, "REP OUTSB: PTE of the page it read lacks A"
	mov pt + 8 * P1(%rip), %rax
	test $PTE_A, %eax
	CHECK z, "REP OUTSB: PTE of the page mapped by the #PF handler lacks A"
	PF_SEEN b_outsb, 0, VA(P1), "REP OUTSB into a not-present page", 1f
	cmpq $VA(P1), pf_rsi(%rip)
	CHECK ne, "REP OUTSB into a not-present page: RSI at the #PF not that page (bytes before it not sent first?)"
	cmpq $PART2_LEN, pf_rcx(%rip)
	CHECK ne, "REP OUTSB into a not-present page: RCX at the #PF not the bytes left"
1:
	cmp $VA(P1) + PART2_LEN, %r12
	CHECK ne, "REP OUTSB resumed after #PF: RSI not past the line"
	test %r13, %r13
	CHECK nz, "REP OUTSB resumed after #PF: RCX not 0"

	/* (b2) REP INSB into a hole */
	NOPTE P1
	FILL f0+4096-32, 32, GUARD
	call reset_pf
	lea b2_after(%rip), %rax
	mov %rax, pf_resume(%rip)
	mov $VA(P1) - 16, %edi
	mov $32, %ecx
	mov $UNCLAIMED_PORT, %dx
b2_insb:
	rep insb
b2_after:
	PF_SEEN b2_insb, 2, VA(P1), "REP INSB into a not-present page", 1f
	cmpq $VA(P1), pf_rdi(%rip)
	CHECK ne, "REP INSB into a not-present page: RDI at the #PF not that page"
	cmpq $16, pf_rcx(%rip)
	CHECK ne, "REP INSB into a not-present page: RCX at the #PF not 16"
1:
	BYTES f0+4096-16, 16, 0xff, "REP INSB into a not-present page: the 16 bytes before it not 0xff"
	BYTES f0+4096-32, 16, GUARD, "REP INSB into a not-present page: wrote below its range"

	/* (e) CR0.WP: REP INSB into a read-only page */
	mov %cr0, %rax
	or $CR0_WP, %eax
	mov %rax, %cr0
	PTE P3, f2, PTE_P|PTE_RW
	PTE P4, f4, PTE_P
	FILL f2+4096-16, 16, GUARD
	FILL f4, 16, GUARD
	call reset_pf
	lea e_after(%rip), %rax
	mov %rax, pf_resume(%rip)
	mov $VA(P4) - 4, %edi
	mov $8, %ecx
	mov $UNCLAIMED_PORT, %dx
e_insb:
	rep insb
e_after:
	PF_SEEN e_insb, 3, VA(P4), "REP INSB into a read-only page (CR0.WP)", 1f
	cmpq $VA(P4), pf_rdi(%rip)
	CHECK ne, "REP INSB into a read-only page: RDI at the #PF not that page"
	cmpq $4, pf_rcx(%rip)
	CHECK ne, "REP INSB into a read-only page: RCX at the #PF not 4"
1:
	BYTES f2+4096-4, 4, 0xff, "REP INSB into a read-only page: the 4 bytes before it not 0xff"
	BYTES f4, 16, GUARD, "REP INSB into a read-only page: the read-only page was written"

	CHECKS_PASSED E_HOSTILE_REP
	PUTS_LIT "hostile-rep: string I/O edges as hardware\n"
	PASS_EXIT

/* fill: RCX bytes of AL at RDI. */
fill:
	cld
	rep stosb
	ret

/* same: ZF set if the RCX bytes at RDI are all AL. */
same:
	cld
	repe scasb
	ret

reset_pf:
	movl $0, pf_n(%rip)
	movl $-1, pf_err(%rip)
	movq $0, pf_map(%rip)
	movq $0, pf_resume(%rip)
	ret

/*
 * #PF: log error code, RIP, CR2, RSI, RDI, RCX. If pf_map is set, map the
 * faulting scratch page to it and return to the instruction (once);
 * else resume at pf_resume (once). [rsp] error code, RIP, CS, RFLAGS...
 */
pf_handler:
	push %rax
	push %rbx
	incl pf_n(%rip)
	mov 16(%rsp), %rax
	mov %eax, pf_err(%rip)
	mov 24(%rsp), %rax
	mov %rax, pf_rip(%rip)
	mov %cr2, %rax
	mov %rax, pf_cr2(%rip)
	mov %rsi, pf_rsi(%rip)
	mov %rdi, pf_rdi(%rip)
	mov %rcx, pf_rcx(%rip)
	mov pf_map(%rip), %rbx
	test %rbx, %rbx
	jz 1f
	movq $0, pf_map(%rip)
	sub $SCRATCH_VA, %rax
	shr $12, %rax
	cmp $512, %rax
	jae 1f
	push %rcx
	lea pt(%rip), %rcx
	mov %rbx, (%rcx, %rax, 8)
	pop %rcx
	mov pf_cr2(%rip), %rax
	invlpg (%rax)
	jmp 2f
1:	mov pf_resume(%rip), %rax
	test %rax, %rax
	jz 3f
	movq $0, pf_resume(%rip)
	mov %rax, 24(%rsp)
2:	pop %rbx
	pop %rax
	add $8, %rsp
	iretq
3:	PUTS_LIT "unexpected exception 0000000e error "
	mov pf_err(%rip), %ebx
	call put_hex32
	PUTS_LIT " at "
	mov pf_rip(%rip), %rbx
	call put_hex64
	PUTS_LIT " CR2 "
	mov pf_cr2(%rip), %rbx
	call put_hex64
	call newline
	EXIT E_EXCEPTION

	.section .rodata
part1:
	.ascii "hostile-rep: OUTSB to the end of a page, "
part1_end:
part2:
	.ascii "#PF, then on: all bytes once\n"
part2_end:
	.set PART1_LEN, part1_end - part1
	.set PART2_LEN, part2_end - part2

	.data
	.balign 8
pf_n:
	.long 0
pf_err:
	.long 0
pf_rip:
	.quad 0
pf_cr2:
	.quad 0
pf_rsi:
	.quad 0
pf_rdi:
	.quad 0
pf_rcx:
	.quad 0
pf_map:
	.quad 0
pf_resume:
	.quad 0
	.skip 16
buf:
	.skip 64

	.bss
	.balign 4096
pt:
	.skip 4096
f0:
	.skip 4096
f1:
	.skip 4096
f2:
	.skip 4096
f3:
	.skip 4096
f4:
	.skip 4096
