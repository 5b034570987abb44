/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way into a guest and back: VMLAUNCH/VMRESUME and the VM-exit
 * landing pad (HOST_RIP). Documentation/vm-exit.rst tells the story.
 *
 * The CPU switches RIP, RSP, RFLAGS, CR0/3/4, segments, EFER and PAT itself
 * from the VMCS guest- and host-state areas (SDM Vol. 3C 26.3.2, 27.5). It
 * leaves the other general-purpose registers alone, so this stub loads the
 * guest's from struct vmx_vcpu before the entry and saves them back after
 * the exit. Offsets into that structure come from asm-offsets.c, generated
 * at build time, never typed by hand.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#include "asm-offsets.h"

#define GUEST(r)	VMX_REG_##r(%rax)

.section .noinstr.text, "ax"

/**
 * vmxlab_vmenter - enter the guest of the current VMCS
 * @vcpu:	%rdi, struct vmx_vcpu: guest GPRs in, guest GPRs out
 * @launched:	%sil, 0: VMLAUNCH (the VMCS is clear), 1: VMRESUME
 *
 * Called with interrupts off and the VMCS current; @launched is bit 0 of
 * %esi. Returns 0 after a VM
 * exit (the exit reason is in the VMCS), 1 if VMLAUNCH/VMRESUME failed with
 * VMfailInvalid, 2 with VMfailValid (SDM Vol. 3C 30.2: the error number is
 * in the VM-instruction error field), 3 if they faulted.
 */
SYM_FUNC_START(vmxlab_vmenter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	/* The exit lands with RSP = HOST_RSP: leave @vcpu where it finds it. */
	push %rdi

	/*
	 * HOST_RSP: this stack, now (SDM Vol. 3C 24.5). Only a vmxlab bug
	 * makes VMWRITE fail here, reported as a VMfail of the entry (the
	 * VM-instruction error field then names VMWRITE's error); it faults
	 * if the reboot notifier switched VMX off under us (hw.c).
	 */
	mov  $VMCS_HOST_RSP, %eax
.Lhost_rsp:
	vmwrite %rsp, %rax
	jbe  .Lvmfail
	_ASM_EXTABLE(.Lhost_rsp, .Lfault)

	/* CF for the choice below; MOVs and VERW leave it alone. */
	bt   $0, %esi
	mov  %rdi, %rax

	mov  GUEST(RCX), %rcx
	mov  GUEST(RDX), %rdx
	mov  GUEST(RBX), %rbx
	mov  GUEST(RBP), %rbp
	mov  GUEST(RSI), %rsi
	mov  GUEST(RDI), %rdi
	mov  GUEST(R8),  %r8
	mov  GUEST(R9),  %r9
	mov  GUEST(R10), %r10
	mov  GUEST(R11), %r11
	mov  GUEST(R12), %r12
	mov  GUEST(R13), %r13
	mov  GUEST(R14), %r14
	mov  GUEST(R15), %r15
	/* RAX last: it held @vcpu. */
	mov  GUEST(RAX), %rax

	/*
	 * VERW with a memory operand clears the CPU buffers (MDS, TAA, MMIO
	 * stale data) where the kernel asks for it (X86_FEATURE_CLEAR_CPU_BUF),
	 * last, so that nothing the host does after it refills them. It
	 * clobbers ZF only.
	 */
	CLEAR_CPU_BUFFERS

	jnc  .Llaunch

	/*
	 * A successful VMRESUME/VMLAUNCH does not fall through: the next
	 * instruction the host runs is vmxlab_vmexit, HOST_RIP. Tell objtool
	 * to carry the unwind state there.
	 */
	UNWIND_HINT_SAVE
.Lresume:
	vmresume
	jmp  .Lvmfail
.Llaunch:
	vmlaunch
	jmp  .Lvmfail

	_ASM_EXTABLE(.Lresume, .Lfault)
	_ASM_EXTABLE(.Llaunch, .Lfault)

	/*
	 * VM exit: RSP = HOST_RSP, every other GPR still the guest's. Save
	 * them, then clear them so that no guest value lives on in a host
	 * register, not even speculatively.
	 */
SYM_INNER_LABEL(vmxlab_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push %rax
	mov  8(%rsp), %rax
	pop  GUEST(RAX)
	mov  %rcx, GUEST(RCX)
	mov  %rdx, GUEST(RDX)
	mov  %rbx, GUEST(RBX)
	mov  %rbp, GUEST(RBP)
	mov  %rsi, GUEST(RSI)
	mov  %rdi, GUEST(RDI)
	mov  %r8,  GUEST(R8)
	mov  %r9,  GUEST(R9)
	mov  %r10, GUEST(R10)
	mov  %r11, GUEST(R11)
	mov  %r12, GUEST(R12)
	mov  %r13, GUEST(R13)
	mov  %r14, GUEST(R14)
	mov  %r15, GUEST(R15)
	xor  %eax, %eax

.Lout:
	/* Callee-saved registers come back from the stack; clear the rest. */
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d

	/*
	 * Before the first RET that has no CALL of its own since the exit
	 * (the guest has filled the return stack buffer meanwhile): fill the
	 * RSB (retpoline or IBRS hosts; one entry with eIBRS), write legacy
	 * IBRS again, clear the branch history where the kernel does so on
	 * VM exit. The same as kvm_intel's vmenter.S, under the same CPU
	 * features; mitigations.c says more.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	push %rax
	call vmxlab_spec_ctrl_restore_host
	CLEAR_BRANCH_HISTORY_VMEXIT
	pop  %rax

	add  $8, %rsp
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET

.Lvmfail:
	/*
	 * No entry happened: CF = VMfailInvalid, ZF = VMfailValid. MOV and
	 * the jumps that come here leave the flags alone.
	 */
	mov  $1, %eax
	jc   .Lout
	mov  $2, %eax
	jmp  .Lout

.Lfault:
	mov  $3, %eax
	jmp  .Lout
SYM_FUNC_END(vmxlab_vmenter)

/**
 * vmxlab_do_nmi_irqoff - hand an NMI that caused a VM exit to the kernel
 *
 * With NMI exiting, an NMI in the guest becomes a VM exit and is not
 * delivered to the host (SDM Vol. 3C 25.2). The kernel must still see it:
 * call its NMI entry with the frame the CPU would have pushed (SDM Vol. 3A
 * 6.14.2: 16-byte aligned stack, SS, RSP, RFLAGS, CS, RIP); its IRET comes
 * back here. Called with interrupts off.
 */
SYM_FUNC_START(vmxlab_do_nmi_irqoff)
	push %rbp
	mov  %rsp, %rbp
	and  $~15, %rsp
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	call asm_exc_nmi_noist
	leave
	RET
SYM_FUNC_END(vmxlab_do_nmi_irqoff)
