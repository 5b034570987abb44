// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to guest-physical memory that no slot maps (or a
 * write to a read-only one) is an EPT violation (exit reason 48, SDM Vol.
 * 3C 28.3.3.2). The MOV at RIP is decoded (emulate.c) and the access goes
 * to userspace in the run page, or to the in-kernel APIC if it is its
 * xAPIC page; a load is finished at the next VMXLAB_RUN with the data
 * userspace supplied (vmx_complete_mmio()).
 */
#include <linux/string.h>

#include "../../module/arch.h"
#include "emulate.h"
#include "exitqual.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"

/* Reads up to 15 instruction bytes at CS:RIP. Return: bytes read. */
static unsigned int fetch_insn(struct vmx_vcpu *v, u8 *buf)
{
	u64 la = vmcs_readl(GUEST_CS_BASE) + vmcs_readl(GUEST_RIP);
	unsigned int n;

	/* In 64-bit mode the CS base is 0 whatever the VMCS holds (3.2.4). */
	if (vmx_long_mode())
		la = vmcs_readl(GUEST_RIP);
	else
		la = (u32)la;
	/* Stop at the first byte that cannot be read (end of RAM). */
	for (n = 15; n; n--) {
		if (!vmx_copy_linear(v, la, buf, n, GWALK_PF_FETCH, false))
			return n;
	}
	return 0;
}

/* The xAPIC page is the kernel's: the MOV is carried out here (apic.c). */
static enum vmx_exit_action apic_mmio(struct vmx_vcpu *v, u64 gpa,
				      const struct mmio_insn *insn)
{
	u64 val = 0;

	if (insn->write) {
		val = insn->has_imm ? insn->imm : vmx_get_gpr(v, insn->reg);
		if (insn->high_byte)
			val >>= 8;
	}
	vmx_apic_mmio_access(v, gpa, insn->size, insn->write, &val);
	if (!insn->write)
		vmx_write_gpr_sized(v, insn->reg, insn->high_byte,
				    insn->dst_size, val);
	vmx_complete_instruction(insn->len);
	return VMX_RESUME;
}

/*
 * EPT violation: an access to guest-physical memory that no slot maps with
 * the needed rights, i.e. MMIO (or a write to a read-only slot). Decode the
 * MOV and hand the access to userspace (SDM Vol. 3C 28.3.3.2), or to the
 * in-kernel APIC if it is its xAPIC page.
 */
enum vmx_exit_action vmx_handle_ept_violation(struct vmx_vcpu *v)
{
	struct vmx_ept_qual q = vmx_decode_ept(vmcs_readl(EXIT_QUALIFICATION));
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	struct vmxlab_run *run = vmx_run_of(v);
	struct mmio_insn insn;
	u8 code[15];
	unsigned int n;

	/*
	 * The CPU was reading or updating one of the guest's own paging
	 * structures, not the address the instruction named (table 27-7,
	 * bits 7 and 8): the instruction at RIP has nothing to do with this
	 * address. vmxlab does not emulate page walks through MMIO.
	 */
	if (q.gla_valid && !q.gla_translated)
		return vmx_internal_error(v, VMXLAB_INTERNAL_PAGE_WALK,
					  EXIT_REASON_EPT_VIOLATION);
	if (q.fetch)
		return vmx_internal_error(v, VMXLAB_INTERNAL_EMULATION,
					  EXIT_REASON_EPT_VIOLATION);
	n = fetch_insn(v, code);
	if (mmio_decode(code, n, vmx_code_size(), &insn) ||
	    insn.write != q.write)
		return vmx_internal_error(v, VMXLAB_INTERNAL_EMULATION,
					  EXIT_REASON_EPT_VIOLATION);

	v->mmio = (struct vmx_mmio_op) {
		.write = insn.write, .len = insn.size, .reg = insn.reg,
		.dst_size = insn.dst_size, .high_byte = insn.high_byte,
		.insn_len = insn.len,
	};
	if (v->apic && vmx_apic_mmio(v, gpa))
		return apic_mmio(v, gpa, &insn);
	run->exit_reason = VMXLAB_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.size;
	run->mmio.is_write = insn.write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (insn.write) {
		u64 val = insn.has_imm ? insn.imm : vmx_get_gpr(v, insn.reg);

		if (insn.high_byte)
			val >>= 8;
		memcpy(run->mmio.data, &val, insn.size);
	}
	v->pending = VMX_PENDING_MMIO;
	return VMX_TO_USER;
}

void vmx_complete_mmio(struct vmx_vcpu *v)
{
	struct vmx_mmio_op *m = &v->mmio;
	u64 val = 0;

	if (!m->write) {
		memcpy(&val, v->core->run->mmio.data, m->len);
		vmx_write_gpr_sized(v, m->reg, m->high_byte, m->dst_size, val);
	}
	vmx_complete_instruction(m->insn_len);
}
