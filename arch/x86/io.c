// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O (exit reason 30, SDM Vol. 3C 27.2.1 Table 28-5): IN and OUT,
 * and the string forms INS and OUTS with or without REP, go to userspace
 * in the run page, and are finished at the next VMXLAB_RUN with the data
 * userspace supplied (vmx_complete_io()).
 */
#include <linux/minmax.h>
#include <linux/string.h>
#include <asm/processor-flags.h>

#include "../../module/arch.h"
#include "emulate.h"
#include "exitqual.h"
#include "exits.h"
#include "vmx.h"
#include "vmx_ops.h"

static u64 addr_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : BIT_ULL(8 * size) - 1;
}

/*
 * The linear address of element @i of a string I/O instruction: the
 * offset in RSI/RDI counts up or down and wraps at the address size, the
 * segment base stays (SDM Vol. 2B "INS", "OUTS").
 */
static u64 string_elem(const struct vmx_io_op *io, u64 i)
{
	u64 off = io->down ? io->first - i * io->size :
		  io->first + i * io->size;

	return io->base + (off & addr_mask(io->addr_size));
}

/*
 * Every byte of @len (at most a page) at @la translates for the access;
 * the first that does not gets its #PF queued if @inject.
 */
static int probe_linear(struct vmx_vcpu *v, u64 la, size_t len, bool write,
			bool inject)
{
	u32 access = write ? GWALK_PF_WRITE : 0;
	u64 gpa;

	return vmx_translate(v, la, access, inject, &gpa) ?:
	       vmx_translate(v, la + len - 1, access, inject, &gpa);
}

/* Address size of INS/OUTS: instruction information if the CPU gives it. */
static unsigned int string_addr_size(void)
{
	const struct vmxlab_caps *caps = vmxlab_arch_caps();

	/* IA32_VMX_BASIC[54] (SDM Vol. 3D A.1), field bits 9:7 (27.2.5). */
	if (caps->msrs[0] & BIT_ULL(54))
		return 2 << ((vmcs_read32(VMX_INSTRUCTION_INFO) >> 7) & 3);
	return vmx_code_size();
}

/*
 * INS/OUTS: at most as many elements as fit in the run page per exit. OUTS
 * reads them from guest memory now; INS writes them when userspace has
 * supplied them. A REP prefix repeats the instruction (RIP stays) until
 * RCX reaches 0 (SDM Vol. 2B "INS", "OUTS", "REP").
 */
static enum vmx_exit_action string_io(struct vmx_vcpu *v, struct vmx_io_op *io)
{
	struct vmxlab_run *run = vmx_run_of(v);
	u8 *data = (u8 *)run + VMXLAB_RUN_IO_DATA_OFFSET;
	u64 count = 1, i;
	int err = 0;

	io->addr_size = string_addr_size();
	io->down = vmcs_readl(GUEST_RFLAGS) & X86_EFLAGS_DF;
	io->first = v->regs[io->in ? VMX_RDI : VMX_RSI] &
		    addr_mask(io->addr_size);
	io->base = vmcs_readl(GUEST_LINEAR_ADDRESS) - io->first;
	if (io->rep) {
		count = v->regs[VMX_RCX] & addr_mask(io->addr_size);
		if (!count) {
			vmx_skip_instruction(v);
			return VMX_RESUME;
		}
	}
	io->count = min_t(u64, count, VMXLAB_RUN_IO_DATA_MAX / io->size);
	/*
	 * As many elements as can be done before one faults: OUTS reads them
	 * now, INS makes sure that they will have somewhere to go before a
	 * port is read for them. The element that faults is not part of this
	 * exit: the instruction is re-executed after the others (RIP stays,
	 * RSI/RDI and RCX have moved) and faults then, as on hardware, where
	 * the iterations before a fault complete (SDM Vol. 2B "REP").
	 */
	for (i = 0; i < io->count; i++) {
		u64 la = string_elem(io, i);

		if (io->in)
			err = probe_linear(v, la, io->size, true, false);
		else
			err = vmx_copy_linear(v, la, data + i * io->size,
					      io->size, 0, false);
		/* INS data for memory that is not RAM is dropped later. */
		if (err == -ENOENT || (err && !io->in))
			break;
	}
	if (i == 0 && err == -ENOENT) {
		/* The first element faults: the guest takes its #PF now. */
		probe_linear(v, string_elem(io, 0), io->size, io->in, true);
		return VMX_RESUME;
	}
	if (i == 0)
		return vmx_internal_error(v, VMXLAB_INTERNAL_STRING_IO,
					  EXIT_REASON_IO_INSTRUCTION);
	io->count = i;
	return VMX_TO_USER;
}

enum vmx_exit_action vmx_handle_io(struct vmx_vcpu *v)
{
	struct vmx_io_qual q = vmx_decode_io(vmcs_readl(EXIT_QUALIFICATION));
	struct vmxlab_run *run = vmx_run_of(v);
	struct vmx_io_op *io = &v->io;
	enum vmx_exit_action action = VMX_TO_USER;

	*io = (struct vmx_io_op) {
		.in = q.in, .string = q.string, .rep = q.rep, .size = q.size,
		.port = q.port, .count = 1,
	};
	if (q.string) {
		action = string_io(v, io);
		if (action != VMX_TO_USER)
			return action;
	} else if (!q.in) {
		memcpy((u8 *)run + VMXLAB_RUN_IO_DATA_OFFSET, &v->regs[VMX_RAX],
		       q.size);
	}
	run->exit_reason = VMXLAB_EXIT_IO;
	run->io.direction = q.in ? VMXLAB_IO_IN : VMXLAB_IO_OUT;
	run->io.size = q.size;
	run->io.port = q.port;
	run->io.count = io->count;
	run->io.data_offset = VMXLAB_RUN_IO_DATA_OFFSET;
	v->pending = VMX_PENDING_IO;
	return VMX_TO_USER;
}

/* Finishes an I/O instruction once userspace has served it. */
void vmx_complete_io(struct vmx_vcpu *v)
{
	struct vmx_io_op *io = &v->io;
	u8 *data = (u8 *)v->core->run + VMXLAB_RUN_IO_DATA_OFFSET;
	unsigned int reg = io->in ? VMX_RDI : VMX_RSI;
	u64 mask, keep, delta, i, val = 0;

	if (!io->string) {
		if (io->in) {
			memcpy(&val, data, io->size);
			vmx_write_gpr_sized(v, VMX_RAX, false, io->size, val);
		}
		vmx_skip_instruction(v);
		return;
	}
	for (i = 0; io->in && i < io->count; i++) {
		int err = vmx_copy_linear(v, string_elem(io, i), data + i * io->size,
					  io->size, GWALK_PF_WRITE, true);

		/*
		 * A not-present page: the guest takes its #PF and executes the
		 * INS again. Memory that is not writable RAM (a read-only slot,
		 * no slot): the data is dropped, as a ROM drops it, and the
		 * instruction completes (else it would exit forever).
		 */
		if (err == -ENOENT)
			return;
	}
	/*
	 * RSI/RDI and RCX as the instruction leaves them: with a 16-bit
	 * address size only their low 16 bits change; a 32-bit one writes
	 * ESI/EDI and ECX, which clears bits 63:32 (SDM Vol. 1 3.4.1.1).
	 */
	mask = addr_mask(io->addr_size);
	keep = io->addr_size == 2 ? ~mask : 0;
	delta = (u64)io->count * io->size;
	val = v->regs[reg];
	val = io->down ? val - delta : val + delta;
	v->regs[reg] = (v->regs[reg] & keep) | (val & mask);
	if (io->rep) {
		val = (v->regs[VMX_RCX] & mask) - io->count;
		v->regs[VMX_RCX] = (v->regs[VMX_RCX] & keep) | (val & mask);
		if (val & mask)
			return;	/* RIP stays: the REP instruction goes on */
	}
	vmx_skip_instruction(v);
}
