/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX instructions, each returning how it ended.
 *
 * SDM Vol. 3C 30.2: a VMX instruction either succeeds (CF = ZF = 0), fails
 * with VMfailInvalid (CF = 1: there is no current VMCS to hold an error
 * number), or fails with VMfailValid (ZF = 1: the error number is in the
 * VM-instruction error field of the current VMCS). It can also fault (#UD
 * outside VMX operation, #GP for bad CR0/CR4 or CPL). Every wrapper here
 * reports all four outcomes; none is ignored.
 */
#ifndef VMXLAB_ARCH_X86_VMX_OPS_H
#define VMXLAB_ARCH_X86_VMX_OPS_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/asm.h>

enum vmx_insn_status {
	VMX_OK = 0,
	VMX_FAIL_INVALID,	/* CF = 1 */
	VMX_FAIL_VALID,		/* ZF = 1 */
	VMX_FAULT,		/* #UD or #GP, caught by the exception table */
};

static inline const char *vmx_insn_status_name(enum vmx_insn_status s)
{
	switch (s) {
	case VMX_OK:
		return "success";
	case VMX_FAIL_INVALID:
		return "VMfailInvalid";
	case VMX_FAIL_VALID:
		return "VMfailValid";
	case VMX_FAULT:
		return "fault";
	}
	return "?";
}

/*
 * VMXON (SDM Vol. 3C 30.3): @pa is the physical address of a 4 KiB aligned
 * VMXON region whose first word holds the VMCS revision identifier.
 */
static inline enum vmx_insn_status vmx_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

/* VMXOFF (SDM Vol. 3C 30.3): leave VMX operation. */
static inline enum vmx_insn_status vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

/*
 * VMCS accessors.
 *
 * A field's encoding carries its width in bits 14:13 (SDM Vol. 3D B.1: 0 is
 * 16-bit, 1 is 64-bit, 2 is 32-bit, 3 is natural width), and bit 0 selects
 * the high half of a 64-bit field. The typed accessors below refuse, at
 * build time, a constant encoding of another width, so that a 32-bit value
 * is never written into a natural-width field by mistake.
 */
#define VMCS_FIELD_WIDTH(f)	(((f) >> 13) & 3)
#define VMCS_WIDTH_16		0
#define VMCS_WIDTH_64		1
#define VMCS_WIDTH_32		2
#define VMCS_WIDTH_NATURAL	3

static __always_inline void vmcs_check_width(unsigned long field, int width)
{
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&
			 (VMCS_FIELD_WIDTH(field) != width || (field & 1)),
			 "VMCS field accessed with the wrong width");
}

/*
 * VMREAD/VMWRITE of the current VMCS. Only a bug in vmxlab makes them fail
 * (no current VMCS, an unsupported field, a read-only field): each failure
 * is counted and reported once per field with the VM-instruction error
 * (see vmx_insn_failed() in vmcs.c), never ignored silently.
 */
void vmx_insn_failed(const char *insn, unsigned long field,
		     enum vmx_insn_status status);

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;

	asm goto("1: vmread %[field], %[value]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : [value] "=rm" (value) : [field] "r" (field) : "cc"
		 : fail, fault);
	return value;
fail:
	vmx_insn_failed("vmread", field, VMX_FAIL_VALID);
	return 0;
fault:
	vmx_insn_failed("vmread", field, VMX_FAULT);
	return 0;
}

static __always_inline void __vmcs_write(unsigned long field,
					 unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [field] "r" (field), [value] "rm" (value) : "cc"
		 : fail, fault);
	return;
fail:
	vmx_insn_failed("vmwrite", field, VMX_FAIL_VALID);
	return;
fault:
	vmx_insn_failed("vmwrite", field, VMX_FAULT);
}

static __always_inline u16 vmcs_read16(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_16);
	return __vmcs_read(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_32);
	return __vmcs_read(field);
}

static __always_inline u64 vmcs_read64(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_64);
	return __vmcs_read(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	vmcs_check_width(field, VMCS_WIDTH_NATURAL);
	return __vmcs_read(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	vmcs_check_width(field, VMCS_WIDTH_16);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	vmcs_check_width(field, VMCS_WIDTH_32);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	vmcs_check_width(field, VMCS_WIDTH_64);
	__vmcs_write(field, value);
}

static __always_inline void vmcs_writel(unsigned long field,
					unsigned long value)
{
	vmcs_check_width(field, VMCS_WIDTH_NATURAL);
	__vmcs_write(field, value);
}

/* VMCLEAR and VMPTRLD (SDM Vol. 3C 30.3) of the VMCS at physical @pa. */
static inline enum vmx_insn_status vmx_vmclear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

static inline enum vmx_insn_status vmx_vmptrld(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

/*
 * INVEPT and INVVPID (SDM Vol. 3C 30.3) with a 128-bit descriptor: @type is
 * VMX_EPT_EXTENT_* or VMX_VPID_EXTENT_*.
 */
static inline enum vmx_insn_status vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, gpa; } desc = { eptp, 0 };

	asm goto("1: invept %[desc], %[type]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [desc] "m" (desc), [type] "r" (type) : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

static inline enum vmx_insn_status vmx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gva; } desc = { vpid, 0 };

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [desc] "m" (desc), [type] "r" (type) : "cc", "memory"
		 : fail_invalid, fail_valid, fault);
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

#endif /* VMXLAB_ARCH_X86_VMX_OPS_H */
