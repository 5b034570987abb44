/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared definitions of the vmxlab test guests (GNU as, through cpp).
 *
 * Every guest ends by writing one byte V to the debug-exit port 0xF4;
 * `vmxlab run` then exits with status (V << 1) | 1. V = PASS (0x10, status
 * 33) means every check passed; every failing check has its own V, listed
 * below, and prints "FAIL: what" on the UART first. README in this folder
 * has the table per guest.
 *
 * Sources are built with -DBITS=16, 32 or 64; BITS selects the code size
 * and the register names XAX ... XSP (AX, EAX or RAX) and VAR(x) (x or
 * x(%rip)) for mode-neutral code.
 */
#ifndef VMXLAB_GUEST_H
#define VMXLAB_GUEST_H

/* Devices of `vmxlab run`. */
#define UART_THR	0x3f8
#define UART_LSR	0x3fd
#define LSR_THRE	0x20
#define EXIT_PORT	0xf4
#define UNCLAIMED_PORT	0x510	/* no device: reads all ones */
#define UNBACKED_GPA	0xd0000000	/* above RAM, below 4 GiB */
#define SCRATCH_VA	0x40000000	/* 2 MiB that scratch_pt (cpu.S) remaps */

/* What the guest sees of vmxlab (uapi/linux/vmxlab.h). */
#define HC_NOP		0
#define HC_ECHO		1
#define HC_VCPU_ID	2
#define HC_ENOSYS	(-38)
#define HC_EPERM	(-1)
#define SIG_EBX		0x6c786d76	/* "vmxl" */
#define SIG_ECX		0x6d766261	/* "abvm" */
#define SIG_EDX		0x62616c78	/* "xlab" */

/* Multiboot v1 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000002	/* bit 1: memory information wanted */
#define MB_BOOT_MAGIC	0x2badb002

/* mempattern: pattern from here to the top of RAM (--check-pattern START) */
#define PATTERN_START	0x400000
#define PATTERN_XOR	0xa5a5a5a5

/* GDT selectors set up by init32 / init64 (cpu.S) */
#define KCODE		0x08
#define KDATA		0x10
#define UDATA		0x1b	/* 64-bit only, DPL 3 */
#define UCODE		0x23	/* 64-bit only, DPL 3 */
#define TSS_SEL		0x28	/* 64-bit only */

/* Exception vectors (SDM Vol. 3A 6.3.1) the guests test for */
#define DB		1
#define UD		6
#define GP		13
#define PF		14

/* ---- exit values: (V << 1) | 1 is the status of `vmxlab run` ---- */
#define PASS			0x10
/* hello-real, hello-pm, hello-lm */
#define E_REAL_SEGS		0x11	/* CS/DS/ES/SS not 0x1000 */
#define E_REAL_SP		0x12	/* SP not 0xfff0 */
#define E_PM_CR0		0x13	/* CR0.PE clear or CR0.PG set */
#define E_PM_DATA		0x14	/* data not at its link address */
#define E_PM_EIP		0x15	/* EIP not the link address */
#define E_LM_CR			0x16	/* CR0.PG/PE or CR4.PAE clear */
#define E_LM_64BIT		0x17	/* not running 64-bit code, or data wrong */
/* hello-mb */
#define E_MB_MAGIC		0x18	/* EAX != 0x2badb002 */
#define E_MB_CMDLINE		0x19	/* info flags: no cmdline (bit 2) */
#define E_MB_MEM		0x1a	/* info flags: no mem_lower/upper (bit 0) */
#define E_MB_MMAP		0x1b	/* info flags: no memory map (bit 6) */
#define E_MB_MMAP_RAM		0x1c	/* no type-1 entry covers 1 MiB..top */
#define E_MB_MEM_LOWER		0x1d	/* mem_lower > 640 */
#define E_MB_MODS		0x61	/* a module, but not one, page-aligned, named */
/* string-io */
#define E_SIO_OUTSB		0x20	/* REP OUTSB: SI/CX after */
#define E_SIO_INSB_REGS		0x21	/* REP INSB: DI/CX after */
#define E_SIO_INSB_DATA		0x22	/* REP INSB: a byte not 0xff */
#define E_SIO_GUARD		0x23	/* bytes around a buffer changed */
#define E_SIO_INSW_REGS		0x24
#define E_SIO_INSW_DATA		0x25
#define E_SIO_INSL_REGS		0x26
#define E_SIO_INSL_DATA		0x27
#define E_SIO_OUTSW		0x28	/* REP OUTSW to an unclaimed port: SI/CX */
#define E_SIO_STD_REGS		0x29	/* REP INSB with DF=1: DI/CX after */
#define E_SIO_STD_DATA		0x2a
#define E_SIO_ADDR32		0x2b	/* 64-bit: REP INSB with 0x67 prefix */
#define E_SIO_REP0		0x2c	/* REP OUTSB with count 0 moved SI/CX */
/* mmio */
#define E_MMIO_R8		0x30	/* 8A into AL: upper bits must stay */
#define E_MMIO_R8H		0x31	/* 8A into AH */
#define E_MMIO_R16		0x32	/* 66 8B */
#define E_MMIO_R32		0x33	/* 8B */
#define E_MMIO_MOVZB		0x34	/* 0F B6, SIB addressing */
#define E_MMIO_MOVZW		0x35	/* 0F B7 */
#define E_MMIO_SEG		0x36	/* ES: prefix */
#define E_MMIO_DISP32		0x37	/* 8B with a 32-bit absolute address */
#define E_MMIO_WRITE		0x38	/* a write changed what reads return */
#define E_MMIO_R64		0x39	/* REX.W 8B */
#define E_MMIO_REXR		0x3a	/* 8B into R9 */
#define E_MMIO_ZEXT		0x3b	/* 8B into R11D must clear bits 63:32 */
#define E_MMIO_R8_REX		0x3c	/* 8A into R12B */
#define E_MMIO_SIL		0x3d	/* 8A into SIL (REX 40) */
#define E_MMIO_MOVZBQ		0x3e	/* REX.W 0F B6 */
#define E_MMIO_ADDR32		0x3f	/* 67 REX.W 8B */
/* mempattern */
#define E_PAT_MAGIC		0x40
#define E_PAT_NOMEM		0x41	/* no mem_upper in the info block */
#define E_PAT_SMALL		0x42	/* RAM top not above PATTERN_START */
#define E_PAT_VERIFY		0x43	/* read back differs */
/* cpuid */
#define E_CPUID_VMX		0x48	/* CPUID.1:ECX.VMX[5] set */
#define E_CPUID_HV		0x49	/* CPUID.1:ECX.hypervisor[31] clear */
#define E_CPUID_MAX		0x4a	/* 0x40000000 EAX < 0x40000001 */
#define E_CPUID_EBX		0x4b
#define E_CPUID_ECX		0x4c
#define E_CPUID_EDX		0x4d
#define E_CPUID_LEAF1		0x4e	/* 0x40000001 not all zero */
/* vmcall */
#define E_HC_NOP		0x50
#define E_HC_ECHO		0x51
#define E_HC_VCPU_ID		0x52
#define E_HC_ENOSYS		0x53
#define E_HC_HIGH		0x54	/* number with bits 63:32 set aliased */
#define E_HC_REGS		0x55	/* a register other than RAX changed */
#define E_HC_EPERM		0x56	/* from CPL 3: not VMXLAB_HC_EPERM */
/* vmxon-ud: 0x58 + n for the n-th VMX instruction, see vmxon-ud.S */
#define E_UD_BASE		0x58
#define E_UD_CR4_SET		0x63	/* setting CR4.VMXE did not #GP */
#define E_UD_CR4_SEEN		0x64	/* CR4.VMXE reads as 1 */
/* msr-gp */
#define E_MSR_RD_FC		0x68	/* RDMSR 0x3a did not #GP */
#define E_MSR_WR_FC		0x69	/* WRMSR 0x3a did not #GP */
#define E_MSR_RD_VMX		0x6a	/* RDMSR 0x480 did not #GP */
#define E_MSR_RT1		0x6b	/* roundtrip: SYSENTER_CS / LSTAR */
#define E_MSR_RT2		0x6c	/* SYSENTER_ESP / STAR */
#define E_MSR_RT3		0x6d	/* SYSENTER_EIP / SFMASK */
#define E_MSR_RT4		0x6e	/* - / KERNEL_GS_BASE */
#define E_MSR_EFER		0x6f	/* EFER lacks LME or LMA */
/* long-run */
#define E_LR_SUM		0x70	/* memory checksum changed */
#define E_LR_CPUID		0x71	/* CPUID signature changed */
#define E_LR_REGS		0x72	/* R8-R10, R12-R15 changed */
#define E_LR_ECHO		0x73	/* HC_ECHO wrong */
/* fpu-state */
#define E_FPU_XMM		0x78	/* XMM0-15 changed across exits */
#define E_FPU_MXCSR		0x79
#define E_FPU_X87		0x7a	/* x87 register stack changed */
#define E_FPU_FCW		0x7b	/* x87 control word changed */
/* xsetbv (values from the gaps above) */
#define E_XS_UD			0x1e	/* CR4.OSXSAVE clear: XSETBV/XGETBV no #UD */
#define E_XS_OSXSAVE		0x1f	/* CR4.OSXSAVE set: CPUID.1:ECX[27] reads 0 */
#define E_XS_RESET		0x2d	/* XCR0 not 1 before the first XSETBV */
#define E_XS_SUPPORTED		0x2e	/* no XSAVE, or CPUID.(0xD,0) lacks x87/SSE */
#define E_XS_SET		0x2f	/* XSETBV of a legal value faulted or did not take */
#define E_XS_EXIT		0x44	/* XCR0 changed across an exit to the tool */
#define E_XS_ILLEGAL		0x45	/* an illegal XSETBV did not raise #GP(0) */
#define E_XS_KEPT		0x46	/* a refused XSETBV changed XCR0 */
#define E_XS_CPL3		0x47	/* XSETBV at CPL 3 did not raise #GP(0) */
#define E_XS_OSXSAVE_CLR	0x4f	/* CR4.OSXSAVE clear: CPUID.1:ECX[27] reads 1 */
/* cpuid-msr (values from the gaps above) */
#define E_CM_AUX_WR		0x57	/* WRMSR IA32_TSC_AUX faulted though advertised */
#define E_CM_AUX_RD		0x65	/* RDMSR IA32_TSC_AUX: not what was written */
#define E_CM_RDTSCP		0x66	/* RDTSCP advertised: faulted or ECX != TSC_AUX */
#define E_CM_AUX_EXIT		0x67	/* TSC_AUX changed across an exit to the tool */
#define E_CM_RDPID		0x74	/* RDPID advertised: faulted or != TSC_AUX */
#define E_CM_UNADV		0x75	/* not advertised: RDTSCP no #UD, TSC_AUX no #GP */
#define E_CM_SPEC		0x76	/* IA32_SPEC_CTRL/PRED_CMD vs CPUID.(7,0):EDX */
#define E_CM_FLUSH		0x77	/* IA32_FLUSH_CMD vs CPUID.(7,0):EDX[28] */
#define E_CM_ARCH_CAP		0x7c	/* IA32_ARCH_CAPABILITIES vs CPUID.(7,0):EDX[29] */
/*
 * hostile-* (values from the gap below PASS): one per guest; its FAIL
 * lines (CHECK below) say which checks failed.
 */
#define E_HOSTILE_TF		0x0a	/* single-step, STI/MOV SS shadows */
#define E_HOSTILE_XSAVE		0x0b	/* XSAVES/XRSTORS, XRSTOR header checks */
#define E_HOSTILE_REP		0x0c	/* REP INS/OUTS edge cases */
#define E_HOSTILE_REMAP		0x0d	/* a stale translation after INVLPG */
#define E_HOSTILE_UD		0x0e	/* SMX, SGX, VMFUNC...: #UD, CPUID */
#define E_HOSTILE_AC		0x0f	/* #AC at CPL 3, the #AC delivery loop */
/* pit-irq */
#define E_PIT_CMDLINE		0x59	/* no tsc_khz=N on the command line */
#define E_PIT_RATE		0x5a	/* IRQ 0 not at 100 Hz by the TSC */
#define E_PIT_ISR		0x5b	/* the EOI left IR0 in service */
#define E_PIT_LINT0		0x62	/* LVT LINT0 reset value, or masking it */
/* uart-irq */
#define E_UIRQ_ENABLE		0x5c	/* no THR-empty interrupt when enabled */
#define E_UIRQ_THRE		0x5d	/* not one THR-empty interrupt per byte */
#define E_UIRQ_OTHER		0x5e	/* an interrupt IIR did not explain */
/* lapic: one value, the FAIL lines (CHECK) say which checks failed */
#define E_APIC			0x5f
/* msr-os.S */
#define E_MSR_OS		0x60	/* MISC_ENABLE, MTRRs, PAT, MCG, TSC_ADJUST */
/* intr-events: one value, the FAIL lines (CHECK) say which checks failed */
#define E_EVENTS		0x7f
/* any guest */
#define E_RETURNED		0x7d	/* HLT or a fault returned */
#define E_EXCEPTION		0x7e	/* unexpected exception */

#ifdef __ASSEMBLER__

#if BITS == 16
	.code16
#define XAX %ax
#define XBX %bx
#define XCX %cx
#define XDX %dx
#define XSI %si
#define XDI %di
#define XSP %sp
#define VAR(x) x
#elif BITS == 32
	.code32
#define XAX %eax
#define XBX %ebx
#define XCX %ecx
#define XDX %edx
#define XSI %esi
#define XDI %edi
#define XSP %esp
#define VAR(x) x
#elif BITS == 64
	.code64
#define XAX %rax
#define XBX %rbx
#define XCX %rcx
#define XDX %rdx
#define XSI %rsi
#define XDI %rdi
#define XSP %rsp
#define VAR(x) x(%rip)
#else
#error "BITS must be 16, 32 or 64"
#endif

/*
 * ENTRY_START: begin _start, the entry point, in .text.start (which the
 * linker scripts place first in .text). Guests that set up more than
 * GUEST_START does begin with it.
 */
.macro ENTRY_START
	.section .text.start, "ax"
	.globl _start
_start:
.endm

/*
 * PUTS_LIT "text": print a string literal (clobbers AX, DX, SI). The
 * functions behind it (uart.S) poll LSR.THRE before every byte.
 */
.macro PUTS_LIT str
	.pushsection .rodata
.Lstr\@:
	.asciz "\str"
	.popsection
	mov $.Lstr\@, %esi
	call puts
.endm

/* PUTS label: print the NUL-terminated string at label. */
.macro PUTS label
	mov $\label, %esi
	call puts
.endm

/* EXIT value: end the run through the debug-exit port. */
.macro EXIT value
	mov $\value, %al
	out %al, $EXIT_PORT
	/* Not reached if port 0xf4 works; HLT with IF=0 gives status 0. */
	cli
.Lhalt\@:
	hlt
	jmp .Lhalt\@
.endm

.macro PASS_EXIT
	PUTS_LIT "PASS\n"
	EXIT PASS
.endm

/*
 * FAIL_IF cc, value, "what": if condition cc holds (after a cmp/test),
 * print "FAIL: what" and exit with value.
 */
.macro FAIL_IF cc, value, msg
	.pushsection .rodata
.Lmsg\@:
	.asciz "\msg"
	.popsection
	.pushsection .text.fail, "ax"
.Lfail\@:
	mov $\value, %edi
	mov $.Lmsg\@, %esi
	jmp fail
	.popsection
	j\cc .Lfail\@
.endm

#if BITS != 16
/*
 * GUEST_START: ENTRY_START, then what every guest with cpu.S does first:
 * RSP/ESP at stack_top, init32 (32-bit) or init64 and paging64 (64-bit).
 */
.macro GUEST_START
	ENTRY_START
#if BITS == 64
	lea stack_top(%rip), %rsp
	call init64
	call paging64
#else
	mov $stack_top, %esp
	call init32
#endif
.endm

/*
 * PIC_INIT master_mask: the tool's 8259A pair as Linux sets it up (ICW1:
 * edge, cascade, ICW4; ICW2: vectors 0x20 and 0x28; ICW3: the slave on
 * IR2; ICW4: 8086 mode), then OCW1: master_mask on the master, the slave
 * all masked. Clobbers AL.
 */
.macro PIC_INIT master_mask
	mov $0x11, %al
	out %al, $0x20
	out %al, $0xa0
	mov $0x20, %al
	out %al, $0x21
	mov $0x28, %al
	out %al, $0xa1
	mov $0x04, %al
	out %al, $0x21
	mov $0x02, %al
	out %al, $0xa1
	mov $0x01, %al
	out %al, $0x21
	out %al, $0xa1
	mov $\master_mask, %al
	out %al, $0x21
	mov $0xff, %al
	out %al, $0xa1
.endm

/* SET_MSR msr, value: ECX = msr, EDX:EAX = value (32 bits), for WRMSR. */
.macro SET_MSR msr, value
	mov $\msr, %ecx
	mov $\value, %eax
	xor %edx, %edx
.endm

/*
 * TRY_INSN instruction...: run the instruction with the handler of cpu.S
 * armed: fault_vector is -1 afterwards if it raised no exception, else
 * the vector (and fault_error the error code); either way execution goes
 * on after it. The body of EXPECT_FAULT and CHECK_FAULT.
 */
.macro TRY_INSN insn:vararg
	movl $-1, VAR(fault_vector)
#if BITS == 64
	movq $.Lafter\@, VAR(fixup_ip)
#else
	movl $.Lafter\@, VAR(fixup_ip)
#endif
	\insn
.Lafter\@:
#if BITS == 64
	movq $0, VAR(fixup_ip)
#else
	movl $0, VAR(fixup_ip)
#endif
.endm

/*
 * EXPECT_FAULT vector, value, "what", instruction...: run the instruction
 * and require that it raises exception vector (the handler of cpu.S
 * resumes after it); exit with value otherwise. Needs init32/init64.
 */
.macro EXPECT_FAULT vec, value, msg, insn:vararg
	TRY_INSN \insn
	cmpl $\vec, VAR(fault_vector)
	FAIL_IF ne, \value, "\msg"
.endm

/*
 * EXPECT_NO_FAULT value, "what", instruction...: run the instruction with
 * the handler of cpu.S armed; if it raises an exception, exit with value
 * (not E_EXCEPTION). Needs init32/init64.
 */
.macro EXPECT_NO_FAULT value, msg, insn:vararg
	EXPECT_FAULT -1, \value, "\msg", \insn
.endm

/*
 * CHECK cc, "what": like FAIL_IF, but the guest goes on, so that one run
 * reports every check that fails: if condition cc holds, print
 * "FAIL: what" and count it in checks_failed (check_failed, uart.S). Keeps
 * every register but the flags.
 */
.macro CHECK cc, msg
	.pushsection .rodata
.Lcmsg\@:
	.asciz "\msg"
	.popsection
	.pushsection .text.fail, "ax"
.Lcfail\@:
	push XSI
	mov $.Lcmsg\@, %esi
	call check_failed
	pop XSI
	jmp .Lcback\@
	.popsection
	j\cc .Lcfail\@
.Lcback\@:
.endm

/*
 * CHECK_FAULT vector, "what", instruction...: EXPECT_FAULT as a CHECK (the
 * guest goes on); fault_error holds the error code afterwards.
 */
.macro CHECK_FAULT vec, msg, insn:vararg
	TRY_INSN \insn
	cmpl $\vec, VAR(fault_vector)
	CHECK ne, "\msg"
.endm

/* CHECK_NO_FAULT "what", instruction...: EXPECT_NO_FAULT as a CHECK. */
.macro CHECK_NO_FAULT msg, insn:vararg
	CHECK_FAULT -1, "\msg", \insn
.endm

/* CHECKS_PASSED value: exit with value if a CHECK failed. */
.macro CHECKS_PASSED value
	cmpl $0, VAR(checks_failed)
	FAIL_IF ne, \value, "a check above failed"
.endm

#if BITS == 64
/*
 * SET_GATE vector, handler[, dpl]: point IDT entry vector at handler
 * (set_gate, cpu.S), with DPL dpl (default 0). Clobbers RAX, ECX, EDX.
 */
.macro SET_GATE vec, handler, dpl=0
	mov $\vec, %ecx
	lea \handler(%rip), %rax
.if \dpl
	mov $\dpl, %edx
.else
	xor %edx, %edx
.endif
	call set_gate
.endm

/*
 * TO_USER code[, resume]: prepare an IRETQ to code at CPL 3, IF = 0, on
 * the stack of USER_STACK; the guest then loads what code needs and runs
 * iretq. code comes back with int $0x80 (a DPL 3 gate to the guest's
 * from_user, which reloads RSP from saved_rsp, a .quad of the guest).
 * With resume, the handler of cpu.S is armed for one exception, which
 * resumes at resume (at CPL 3). Clobbers RAX, ECX, EDX.
 */
.macro TO_USER code, resume
	SET_GATE 0x80, from_user, 3
	mov %rsp, saved_rsp(%rip)
.ifnb \resume
	movl $-1, fault_vector(%rip)
	lea \resume(%rip), %rax
	mov %rax, fixup_ip(%rip)	/* cpu.S resumes at CPL 3 there */
.endif
	pushq $UDATA
	lea user_stack_top(%rip), %rax
	pushq %rax
	pushq $0x2			/* RFLAGS: IF = 0 */
	pushq $UCODE
	lea \code(%rip), %rax
	pushq %rax
.endm

/* USER_STACK: the 4 KiB stack of TO_USER (in .bss), user_stack_top. */
.macro USER_STACK
	.bss
	.balign 16
	.skip 4096
user_stack_top:
.endm
#endif
#endif

#endif /* __ASSEMBLER__ */
#endif /* VMXLAB_GUEST_H */
