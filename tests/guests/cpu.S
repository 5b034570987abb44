/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU setup shared by the 32- and 64-bit test guests (-DBITS=32 or 64):
 * a stack, a GDT of the guest's own (selectors in guest.h), an IDT whose
 * vectors 0-31 all go to one handler, and (64-bit) a TSS and page tables of
 * the guest's own that identity-map the whole 4 GiB with 2 MiB pages.
 *
 * (64-bit) scratch_pt remaps the 2 MiB at SCRATCH_VA with 4 KiB pages of a
 * page table the guest supplies.
 *
 * The exception handler stores the vector and error code in fault_vector
 * and fault_error. If fixup_ip is set (EXPECT_FAULT in guest.h) it resumes
 * there; otherwise it prints "unexpected exception V error E at IP" and
 * exits with E_EXCEPTION.
 */
#include "guest.h"

	.globl stack_top, fault_vector, fault_error, fixup_ip, set_gate
	.globl idt

	.bss
	.balign 16
	.skip 16384
stack_top:
	.balign 4096
idt:
	.skip 256 * BITS / 4	/* 8-byte gates in 32-bit mode, 16 in 64 */
idt_end:

	.data
	.balign 8
fault_vector:
	.long -1
fault_error:
	.long 0
#if BITS == 64
fixup_ip:
	.quad 0
#else
fixup_ip:
	.long 0
#endif

#if BITS == 32
	.globl init32, find_tsc_khz
	.balign 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, flat, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data, flat */
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.long gdt
idtr:
	.word idt_end - idt - 1
	.long idt

	.text
/* init32: own GDT and segments, IDT for vectors 0-31. Keeps every GPR. */
init32:
	pusha
	lgdt gdtr
	ljmp $KCODE, $1f
1:	mov $KDATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	mov %ax, %ss
	mov $idt, %edi
	mov $(idt_end - idt) / 4, %ecx
	xor %eax, %eax
	cld
	rep stosl
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $4, %eax
	add $exc_stubs, %eax
	xor %edx, %edx
	call set_gate
	inc %ecx
	cmp $32, %ecx
	jb 2b
	lidt idtr
	popa
	ret

/* set_gate: vector ECX -> handler EAX, interrupt gate, DPL EDX. Keeps GPRs. */
set_gate:
	push %eax
	push %ebx
	push %edx
	mov %eax, %ebx
	and $0xffff, %ebx
	or $(KCODE << 16), %ebx
	mov %ebx, idt(, %ecx, 8)
	and $0xffff0000, %eax
	shl $13, %edx
	or %edx, %eax
	or $0x8e00, %eax
	mov %eax, idt + 4(, %ecx, 8)
	pop %edx
	pop %ebx
	pop %eax
	ret

/* [esp] vector, error code, EIP, CS, EFLAGS */
exc_common:
	push %eax
	mov 4(%esp), %eax
	mov %eax, fault_vector
	mov 8(%esp), %eax
	mov %eax, fault_error
	mov fixup_ip, %eax
	test %eax, %eax
	jz 1f
	movl $0, fixup_ip
	mov %eax, 12(%esp)
	pop %eax
	add $8, %esp
	iret
1:	PUTS_LIT "unexpected exception "
	mov fault_vector, %ebx
	call put_hex32
	PUTS_LIT " error "
	mov fault_error, %ebx
	call put_hex32
	PUTS_LIT " at "
	mov 12(%esp), %ebx
	call put_hex32
	call newline
	EXIT E_EXCEPTION

/*
 * find_tsc_khz: EBP = N of the first "tsc_khz=N" (decimal) in the string
 * at ESI, 0 if there is none: the TSC rate the lane passes to guests that
 * time something by it (pit-irq, lapic). Clobbers EAX, ESI.
 */
find_tsc_khz:
	xor %ebp, %ebp
1:	cmpb $0, (%esi)
	je 9f
	cmpl $0x5f637374, (%esi)	/* "tsc_" */
	jne 8f
	cmpl $0x3d7a686b, 4(%esi)	/* "khz=" */
	jne 8f
	add $8, %esi
2:	movzbl (%esi), %eax
	sub $'0', %eax
	cmp $9, %eax
	ja 9f
	imul $10, %ebp, %ebp
	add %eax, %ebp
	inc %esi
	jmp 2b
8:	inc %esi
	jmp 1b
9:	ret

#else /* BITS == 64 */
	.globl init64, paging64, scratch_pt
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: code, 64-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00cff2000000ffff	/* 0x18: data, DPL 3 */
	.quad 0x00affa000000ffff	/* 0x20: code, 64-bit, DPL 3 */
gdt_tss:
	.quad 0, 0			/* 0x28: TSS, filled by init64 */
gdt_end:
	.balign 8
gdtr:
	.word gdt_end - gdt - 1
	.quad gdt
	.balign 8
idtr:
	.word idt_end - idt - 1
	.quad idt
	.balign 16
tss:
	.long 0
	.quad stack_top			/* RSP0 */
	.skip 104 - 12 - 2
	.word 104			/* no I/O permission bitmap */
tss_end:

	.bss
	.balign 4096
pml4:
	.skip 4096
pdpt:
	.skip 4096
pd:
	.skip 4 * 4096

	.text
/* init64: own GDT, segments, TSS and IDT for vectors 0-31. Keeps GPRs. */
init64:
	push %rax
	push %rcx
	push %rdx
	push %rdi
	/* TSS descriptor: limit 103, type 9 (available 64-bit TSS), P */
	lea tss(%rip), %rax
	mov %rax, %rdx
	and $0xffffff, %edx
	shl $16, %rdx
	or $(tss_end - tss - 1), %rdx
	mov %rax, %rcx
	shr $24, %rcx
	and $0xff, %ecx
	shl $56, %rcx
	or %rcx, %rdx
	movabs $0x0000890000000000, %rcx
	or %rcx, %rdx
	mov %rdx, gdt_tss(%rip)
	shr $32, %rax
	mov %rax, gdt_tss + 8(%rip)
	lgdt gdtr(%rip)
	pushq $KCODE
	lea 1f(%rip), %rax
	pushq %rax
	lretq
1:	mov $KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov $TSS_SEL, %eax
	ltr %ax
	lea idt(%rip), %rdi
	mov $(idt_end - idt) / 8, %ecx
	xor %eax, %eax
	cld
	rep stosq
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $4, %eax
	lea exc_stubs(%rip), %rdx
	add %rdx, %rax
	xor %edx, %edx
	call set_gate
	inc %ecx
	cmp $32, %ecx
	jb 2b
	lidt idtr(%rip)
	pop %rdi
	pop %rdx
	pop %rcx
	pop %rax
	ret

/* set_gate: vector ECX -> handler RAX, interrupt gate, DPL EDX. Keeps GPRs. */
set_gate:
	push %rax
	push %rbx
	push %rdx
	push %rcx
	shl $4, %ecx
	lea idt(%rip), %rbx
	add %rcx, %rbx
	mov %eax, %ecx
	and $0xffff, %ecx
	or $(KCODE << 16), %ecx
	mov %ecx, (%rbx)
	mov %eax, %ecx
	and $0xffff0000, %ecx
	shl $13, %edx
	or %edx, %ecx
	or $0x8e00, %ecx
	mov %ecx, 4(%rbx)
	shr $32, %rax
	mov %eax, 8(%rbx)
	movl $0, 12(%rbx)
	pop %rcx
	pop %rdx
	pop %rbx
	pop %rax
	ret

/*
 * paging64: load page tables of our own that identity-map 0-4 GiB with
 * 2 MiB pages, user-accessible (U/S set), so that a guest does not depend
 * on how much the tool mapped. Clears CR4.SMEP/SMAP if set. Keeps GPRs.
 */
paging64:
	push %rax
	push %rcx
	push %rdx
	push %rdi
	lea pml4(%rip), %rdi
	mov $(6 * 4096) / 8, %ecx
	xor %eax, %eax
	cld
	rep stosq
	lea pdpt + 7(%rip), %rax	/* P, RW, US */
	mov %rax, pml4(%rip)
	lea pd + 7(%rip), %rax
	lea pdpt(%rip), %rdi
	mov $4, %ecx
1:	mov %rax, (%rdi)
	add $4096, %rax
	add $8, %rdi
	dec %ecx
	jnz 1b
	mov $0x87, %eax			/* P, RW, US, PS (2 MiB) */
	lea pd(%rip), %rdi
	mov $2048, %ecx
2:	mov %rax, (%rdi)
	add $0x200000, %rax
	add $8, %rdi
	dec %ecx
	jnz 2b
	mov %cr4, %rax
	mov %rax, %rdx
	and $~0x300000, %rax		/* SMEP, SMAP */
	cmp %rax, %rdx
	je 3f
	mov %rax, %cr4
3:	lea pml4(%rip), %rax
	mov %rax, %cr3
	pop %rdi
	pop %rdx
	pop %rcx
	pop %rax
	ret

/*
 * scratch_pt: after paging64, map the 2 MiB at SCRATCH_VA through the
 * 4 KiB page table at RDI (4 KiB aligned, its entries the caller's) instead
 * of the 2 MiB page there, and flush the TLB (MOV to CR3). Keeps GPRs.
 */
scratch_pt:
	push %rax
	lea 7(%rdi), %rax		/* P, RW, US */
	mov %rax, pd + (SCRATCH_VA >> 21) * 8(%rip)
	mov %cr3, %rax
	mov %rax, %cr3
	pop %rax
	ret

/* [rsp] vector, error code, RIP, CS, RFLAGS, RSP, SS */
exc_common:
	push %rax
	mov 8(%rsp), %rax
	mov %eax, fault_vector(%rip)
	mov 16(%rsp), %rax
	mov %eax, fault_error(%rip)
	mov fixup_ip(%rip), %rax
	test %rax, %rax
	jz 1f
	movq $0, fixup_ip(%rip)
	mov %rax, 24(%rsp)
	pop %rax
	add $16, %rsp
	iretq
1:	PUTS_LIT "unexpected exception "
	mov fault_vector(%rip), %ebx
	call put_hex32
	PUTS_LIT " error "
	mov fault_error(%rip), %ebx
	call put_hex32
	PUTS_LIT " at "
	mov 24(%rsp), %rbx
	call put_hex64
	call newline
	EXIT E_EXCEPTION
#endif

/* One 16-byte stub per vector 0-31: push a dummy error code where the CPU
 * pushes none, then the vector. */
	.text
	.balign 16
exc_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.balign 16
	.if (\v == 8) || (\v == 10) || (\v == 11) || (\v == 12) || (\v == 13) || (\v == 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	push $0
	.endif
	push $\v
	jmp exc_common
	.endr
