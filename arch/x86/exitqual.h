/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding exit qualifications (SDM Vol. 3C 27.2.1). Each decoder turns the
 * 64-bit field into named parts; the exit handlers use the parts, and
 * KUnit checks the decoders bit by bit against the SDM's tables.
 */
#ifndef VMXLAB_ARCH_X86_EXITQUAL_H
#define VMXLAB_ARCH_X86_EXITQUAL_H

#include <linux/bits.h>
#include <linux/types.h>

/* I/O instructions, SDM Vol. 3C table 27-5. */
struct vmx_io_qual {
	u16 port;	/* bits 31:16 */
	u8 size;	/* bytes: 1, 2 or 4 (bits 2:0 hold size - 1) */
	bool in;	/* bit 3: IN/INS (else OUT/OUTS) */
	bool string;	/* bit 4: INS/OUTS */
	bool rep;	/* bit 5: REP prefix */
	bool imm;	/* bit 6: port in an immediate (else DX) */
};

static inline struct vmx_io_qual vmx_decode_io(u64 q)
{
	return (struct vmx_io_qual) {
		.port = (q >> 16) & 0xffff,
		.size = (q & 7) + 1,
		.in = q & BIT(3),
		.string = q & BIT(4),
		.rep = q & BIT(5),
		.imm = q & BIT(6),
	};
}

/* Control-register accesses, SDM Vol. 3C table 27-3. */
enum vmx_cr_access {
	VMX_CR_MOV_TO = 0,
	VMX_CR_MOV_FROM = 1,
	VMX_CR_CLTS = 2,
	VMX_CR_LMSW = 3,
};

struct vmx_cr_qual {
	u8 cr;			/* bits 3:0 */
	enum vmx_cr_access type; /* bits 5:4 */
	bool lmsw_mem;		/* bit 6: LMSW operand in memory */
	u8 gpr;			/* bits 11:8: 0 = RAX ... 15 = R15 */
	u16 lmsw_data;		/* bits 31:16 */
};

static inline struct vmx_cr_qual vmx_decode_cr(u64 q)
{
	return (struct vmx_cr_qual) {
		.cr = q & 0xf,
		.type = (q >> 4) & 3,
		.lmsw_mem = q & BIT(6),
		.gpr = (q >> 8) & 0xf,
		.lmsw_data = (q >> 16) & 0xffff,
	};
}

/* MOV DR, SDM Vol. 3C table 27-4. */
struct vmx_dr_qual {
	u8 dr;			/* bits 2:0: DR0 ... DR7 */
	bool from;		/* bit 4: MOV from DR (else to DR) */
	u8 gpr;			/* bits 11:8: 0 = RAX ... 15 = R15 */
};

static inline struct vmx_dr_qual vmx_decode_dr(u64 q)
{
	return (struct vmx_dr_qual) {
		.dr = q & 7,
		.from = q & BIT(4),
		.gpr = (q >> 8) & 0xf,
	};
}

/* EPT violations, SDM Vol. 3C table 27-7. */
struct vmx_ept_qual {
	bool read;		/* bit 0: the access was a data read */
	bool write;		/* bit 1: a data write */
	bool fetch;		/* bit 2: an instruction fetch */
	u8 allowed;		/* bits 5:3: R, W, X the translation allowed */
	bool gla_valid;		/* bit 7: guest linear address field valid */
	bool gla_translated;	/* bit 8: access to the translated address,
				 * not to a guest paging structure
				 */
	bool nmi_unblocked;	/* bit 12: NMI unblocking due to IRET */
};

static inline struct vmx_ept_qual vmx_decode_ept(u64 q)
{
	return (struct vmx_ept_qual) {
		.read = q & BIT(0),
		.write = q & BIT(1),
		.fetch = q & BIT(2),
		.allowed = (q >> 3) & 7,
		.gla_valid = q & BIT(7),
		.gla_translated = q & BIT(8),
		.nmi_unblocked = q & BIT(12),
	};
}

#endif /* VMXLAB_ARCH_X86_EXITQUAL_H */
