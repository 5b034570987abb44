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
 * DEFINE_VMX_INSN(name, (params), "insn operands", asm inputs...) defines
 * name(params), which executes the instruction once and tells which of the
 * four outcomes it had: the flags after it (CF: VMfailInvalid, ZF:
 * VMfailValid) or the exception-table fixup that a #UD or #GP lands on
 * (VMX off under us after an emergency VMXOFF, SDM Vol. 3C 23.7). Every
 * VMX instruction with a memory or register operand and no output is
 * generated here, so that none can forget an outcome.
 */
#define DEFINE_VMX_INSN(name, params, insn, ...)			\
static inline enum vmx_insn_status name params				\
{									\
	asm goto("1: " insn "\n\t"					\
		 "jc %l[fail_invalid]\n\t"				\
		 "jz %l[fail_valid]\n\t"				\
		 _ASM_EXTABLE(1b, %l[fault])				\
		 : : __VA_ARGS__ : "cc", "memory"			\
		 : fail_invalid, fail_valid, fault);			\
	return VMX_OK;							\
fail_invalid:								\
	return VMX_FAIL_INVALID;					\
fail_valid:								\
	return VMX_FAIL_VALID;						\
fault:									\
	return VMX_FAULT;						\
}

/*
 * VMXON (SDM Vol. 3C 30.3): @pa is the physical address of a 4 KiB aligned
 * VMXON region whose first word holds the VMCS revision identifier.
 */
DEFINE_VMX_INSN(vmx_vmxon, (u64 pa), "vmxon %[pa]", [pa] "m" (pa))

/* VMXOFF (SDM Vol. 3C 30.3): leave VMX operation. */
DEFINE_VMX_INSN(vmx_vmxoff, (void), "vmxoff")

/* VMCLEAR and VMPTRLD (SDM Vol. 3C 30.3) of the VMCS at physical @pa. */
DEFINE_VMX_INSN(vmx_vmclear, (u64 pa), "vmclear %[pa]", [pa] "m" (pa))
DEFINE_VMX_INSN(vmx_vmptrld, (u64 pa), "vmptrld %[pa]", [pa] "m" (pa))

/* A 128-bit INVEPT or INVVPID descriptor (SDM Vol. 3C 30.3). */
struct vmx_inv_desc {
	u64 lo, hi;
};

DEFINE_VMX_INSN(__vmx_invept, (unsigned long type, struct vmx_inv_desc *d),
		"invept %[desc], %[type]", [desc] "m" (*d), [type] "r" (type))
DEFINE_VMX_INSN(__vmx_invvpid, (unsigned long type, struct vmx_inv_desc *d),
		"invvpid %[desc], %[type]", [desc] "m" (*d), [type] "r" (type))

/*
 * INVEPT and INVVPID: @type is VMX_EPT_EXTENT_* or VMX_VPID_EXTENT_*; the
 * descriptor holds the EPTP or the VPID, and a zero address.
 */
static inline enum vmx_insn_status vmx_invept(unsigned long type, u64 eptp)
{
	struct vmx_inv_desc d = { eptp, 0 };

	return __vmx_invept(type, &d);
}

static inline enum vmx_insn_status vmx_invvpid(unsigned long type, u16 vpid)
{
	struct vmx_inv_desc d = { vpid, 0 };

	return __vmx_invvpid(type, &d);
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
 * VMREAD/VMWRITE of the current VMCS. Only a bug in vmxlab, or VMX switched
 * off under a running vCPU by an emergency VMXOFF (reboot), makes them
 * fail. The failure goes to a cold reporter that never executes another
 * VMREAD through these accessors (so it cannot recurse when there is no
 * current VMCS at all), and marks this CPU's VMCS as in doubt: the vCPU
 * stops with VMXLAB_EXIT_VMFAIL at vmx_vcpu_put() (vmcs.c).
 */
void vmread_error(unsigned long field, enum vmx_insn_status status);
void vmwrite_error(unsigned long field, unsigned long value,
		   enum vmx_insn_status status);

/* VMREAD without any reporting: for the reporters themselves. */
static __always_inline enum vmx_insn_status
vmx_vmread_raw(unsigned long field, unsigned long *value)
{
	unsigned long v;

	asm goto("1: vmread %[field], %[value]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : [value] "=rm" (v) : [field] "r" (field) : "cc"
		 : fail_invalid, fail_valid, fault);
	*value = v;
	return VMX_OK;
fail_invalid:
	return VMX_FAIL_INVALID;
fail_valid:
	return VMX_FAIL_VALID;
fault:
	return VMX_FAULT;
}

static __always_inline unsigned long __vmcs_read(unsigned long field)
{
	unsigned long value;
	enum vmx_insn_status st = vmx_vmread_raw(field, &value);

	if (likely(st == VMX_OK))
		return value;
	vmread_error(field, st);
	return 0;
}

static __always_inline void __vmcs_write(unsigned long field,
					 unsigned long value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jc %l[fail_invalid]\n\t"
		 "jz %l[fail_valid]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [field] "r" (field), [value] "rm" (value) : "cc"
		 : fail_invalid, fail_valid, fault);
	return;
fail_invalid:
	vmwrite_error(field, value, VMX_FAIL_INVALID);
	return;
fail_valid:
	vmwrite_error(field, value, VMX_FAIL_VALID);
	return;
fault:
	vmwrite_error(field, value, VMX_FAULT);
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

#endif /* VMXLAB_ARCH_X86_VMX_OPS_H */
