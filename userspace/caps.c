// SPDX-License-Identifier: GPL-2.0
/*
 * vmxlab caps: the VMX capability report, every field named as in the
 * Intel SDM (Vol. 3D Appendix A and Vol. 3C 24.6 to 24.8).
 */
#include <stdio.h>
#include <string.h>

#include "vmxlab.h"

struct bit_name {
	int bit;
	const char *name;
};

/* SDM Vol. 3C 24.6.1, table 24-5 */
static const struct bit_name pin_bits[] = {
	{ 0, "external-interrupt exiting" },
	{ 3, "NMI exiting" },
	{ 5, "virtual NMIs" },
	{ 6, "activate VMX-preemption timer" },
	{ 7, "process posted interrupts" },
	{ -1, NULL },
};

/* 24.6.2, table 24-6 */
static const struct bit_name proc_bits[] = {
	{ 2, "interrupt-window exiting" },
	{ 3, "use TSC offsetting" },
	{ 7, "HLT exiting" },
	{ 9, "INVLPG exiting" },
	{ 10, "MWAIT exiting" },
	{ 11, "RDPMC exiting" },
	{ 12, "RDTSC exiting" },
	{ 15, "CR3-load exiting" },
	{ 16, "CR3-store exiting" },
	{ 17, "activate tertiary controls" },
	{ 19, "CR8-load exiting" },
	{ 20, "CR8-store exiting" },
	{ 21, "use TPR shadow" },
	{ 22, "NMI-window exiting" },
	{ 23, "MOV-DR exiting" },
	{ 24, "unconditional I/O exiting" },
	{ 25, "use I/O bitmaps" },
	{ 27, "monitor trap flag" },
	{ 28, "use MSR bitmaps" },
	{ 29, "MONITOR exiting" },
	{ 30, "PAUSE exiting" },
	{ 31, "activate secondary controls" },
	{ -1, NULL },
};

/* 24.6.2, table 24-7 */
static const struct bit_name proc2_bits[] = {
	{ 0, "virtualize APIC accesses" },
	{ 1, "enable EPT" },
	{ 2, "descriptor-table exiting" },
	{ 3, "enable RDTSCP" },
	{ 4, "virtualize x2APIC mode" },
	{ 5, "enable VPID" },
	{ 6, "WBINVD exiting" },
	{ 7, "unrestricted guest" },
	{ 8, "APIC-register virtualization" },
	{ 9, "virtual-interrupt delivery" },
	{ 10, "PAUSE-loop exiting" },
	{ 11, "RDRAND exiting" },
	{ 12, "enable INVPCID" },
	{ 13, "enable VM functions" },
	{ 14, "VMCS shadowing" },
	{ 15, "enable ENCLS exiting" },
	{ 16, "RDSEED exiting" },
	{ 17, "enable PML" },
	{ 18, "EPT-violation #VE" },
	{ 19, "conceal VMX from PT" },
	{ 20, "enable XSAVES/XRSTORS" },
	{ 22, "mode-based execute control for EPT" },
	{ 23, "sub-page write permissions for EPT" },
	{ 24, "Intel PT uses guest physical addresses" },
	{ 25, "use TSC scaling" },
	{ 26, "enable user wait and pause" },
	{ 27, "enable PCONFIG" },
	{ 28, "enable ENCLV exiting" },
	{ 30, "VMM bus-lock detection" },
	{ 31, "instruction timeout" },
	{ -1, NULL },
};

/* 24.7.1, table 24-13 */
static const struct bit_name exit_bits[] = {
	{ 2, "save debug controls" },
	{ 9, "host address-space size" },
	{ 12, "load IA32_PERF_GLOBAL_CTRL" },
	{ 15, "acknowledge interrupt on exit" },
	{ 18, "save IA32_PAT" },
	{ 19, "load IA32_PAT" },
	{ 20, "save IA32_EFER" },
	{ 21, "load IA32_EFER" },
	{ 22, "save VMX-preemption timer value" },
	{ 23, "clear IA32_BNDCFGS" },
	{ 24, "conceal VMX from PT" },
	{ 25, "clear IA32_RTIT_CTL" },
	{ 26, "clear IA32_LBR_CTL" },
	{ 28, "load CET state" },
	{ 29, "load PKRS" },
	{ 30, "save IA32_PERF_GLOBAL_CTL" },
	{ 31, "activate secondary controls" },
	{ -1, NULL },
};

/* 24.8.1, table 24-15 */
static const struct bit_name entry_bits[] = {
	{ 2, "load debug controls" },
	{ 9, "IA-32e mode guest" },
	{ 10, "entry to SMM" },
	{ 11, "deactivate dual-monitor treatment" },
	{ 13, "load IA32_PERF_GLOBAL_CTRL" },
	{ 14, "load IA32_PAT" },
	{ 15, "load IA32_EFER" },
	{ 16, "load IA32_BNDCFGS" },
	{ 17, "conceal VMX from PT" },
	{ 18, "load IA32_RTIT_CTL" },
	{ 20, "load CET state" },
	{ 21, "load guest IA32_LBR_CTL" },
	{ 22, "load PKRS" },
	{ -1, NULL },
};

/* Vol. 3D A.10 */
static const struct bit_name ept_vpid_bits[] = {
	{ 0, "execute-only EPT translations" },
	{ 6, "page-walk length 4" },
	{ 7, "page-walk length 5" },
	{ 8, "uncacheable (UC) EPT memory type" },
	{ 14, "write-back (WB) EPT memory type" },
	{ 16, "2-MByte EPT pages" },
	{ 17, "1-GByte EPT pages" },
	{ 20, "INVEPT" },
	{ 21, "accessed and dirty flags for EPT" },
	{ 22, "advanced VM-exit information for EPT violations" },
	{ 23, "supervisor shadow-stack control" },
	{ 25, "single-context INVEPT" },
	{ 26, "all-context INVEPT" },
	{ 32, "INVVPID" },
	{ 40, "individual-address INVVPID" },
	{ 41, "single-context INVVPID" },
	{ 42, "all-context INVVPID" },
	{ 43, "single-context-retaining-globals INVVPID" },
	{ -1, NULL },
};

static const struct bit_name feature_bits[] = {
	{ 0, "EPT" },
	{ 1, "unrestricted guest" },
	{ 2, "VPID" },
	{ 3, "VMX-preemption timer" },
	{ 4, "EPT 2-MByte pages" },
	{ 5, "EPT accessed/dirty flags" },
	{ 6, "single-context INVEPT" },
	{ 7, "all-context INVEPT" },
	{ 8, "single-context INVVPID" },
	{ 9, "all-context INVVPID" },
	{ 10, "PAUSE-loop exiting" },
	{ 11, "UC EPT memory type" },
	{ -1, NULL },
};

/* VMXLAB_MITIG_*: what vmxlab does around each entry and exit here. */
static const struct bit_name mitigation_bits[] = {
	{ 0, "RSB filled after VM exit" },
	{ 1, "RSB: one entry after VM exit (eIBRS)" },
	{ 2, "IBRS written again after VM exit" },
	{ 3, "branch history cleared after VM exit" },
	{ 4, "VERW clears CPU buffers before VM entry" },
	{ 5, "L1D flushed before VM entry when needed (cond)" },
	{ 6, "L1D flushed before every VM entry (always)" },
	{ 7, "L1D flush by IA32_FLUSH_CMD (else 64 KiB read)" },
	{ 8, "IBPB when a CPU switches VMCS" },
	{ -1, NULL },
};

/* Names of MSRs 0x480 + i, Vol. 3D Appendix A */
static const char *const msr_names[VMXLAB_CAP_MSR_COUNT] = {
	"IA32_VMX_BASIC", "IA32_VMX_PINBASED_CTLS", "IA32_VMX_PROCBASED_CTLS",
	"IA32_VMX_EXIT_CTLS", "IA32_VMX_ENTRY_CTLS", "IA32_VMX_MISC",
	"IA32_VMX_CR0_FIXED0", "IA32_VMX_CR0_FIXED1", "IA32_VMX_CR4_FIXED0",
	"IA32_VMX_CR4_FIXED1", "IA32_VMX_VMCS_ENUM",
	"IA32_VMX_PROCBASED_CTLS2", "IA32_VMX_EPT_VPID_CAP",
	"IA32_VMX_TRUE_PINBASED_CTLS", "IA32_VMX_TRUE_PROCBASED_CTLS",
	"IA32_VMX_TRUE_EXIT_CTLS", "IA32_VMX_TRUE_ENTRY_CTLS",
	"IA32_VMX_VMFUNC", "IA32_VMX_PROCBASED_CTLS3",
};

struct ctl_set {
	const char *key;	/* JSON key */
	const char *title;	/* SDM title */
	const struct vmxlab_ctls *ctls;
	const struct bit_name *bits;
};

static const char *memtype_name(unsigned int t)
{
	switch (t) {
	case 0:
		return "uncacheable (UC)";
	case 6:
		return "write-back (WB)";
	default:
		return "reserved";
	}
}

static void print_ctls(const struct ctl_set *s)
{
	const struct vmxlab_ctls *c = s->ctls;
	const struct bit_name *b;
	unsigned int m;

	printf("\n%s\n  allowed-0 0x%08x  allowed-1 0x%08x  used 0x%08x\n",
	       s->title, c->allowed0, c->allowed1, c->used);
	for (b = s->bits; b->name; b++) {
		m = 1u << b->bit;
		printf("  %2d  %-42s %-10s %s\n", b->bit, b->name,
		       (c->allowed0 & m) ? "fixed 1" :
		       (c->allowed1 & m) ? "may be 1" : "fixed 0",
		       (c->used & m) ? "used" : "");
	}
}

static void print_bits64(unsigned long long v, const struct bit_name *bits)
{
	const struct bit_name *b;

	for (b = bits; b->name; b++)
		printf("  %2d  %-48s %s\n", b->bit, b->name,
		       (v >> b->bit) & 1 ? "yes" : "no");
}

static void json_bits(const char *key, unsigned long long v,
		      const struct bit_name *bits)
{
	const struct bit_name *b;
	int first = 1;

	printf("  \"%s\": [", key);
	for (b = bits; b->name; b++) {
		if (!((v >> b->bit) & 1))
			continue;
		printf("%s\"%s\"", first ? "" : ", ", b->name);
		first = 0;
	}
	printf("]");
}

static void print_json(const struct vmxlab_caps *c, int api,
		       const struct ctl_set *sets, int nsets)
{
	int i;

	printf("{\n  \"api_version\": %d,\n", api);
	printf("  \"vmcs_revision_id\": \"%#x\",\n", c->vmcs_revision_id);
	printf("  \"vmcs_size\": %u,\n", c->vmcs_size);
	printf("  \"vmcs_memory_type\": %u,\n", c->vmcs_memory_type);
	printf("  \"preemption_timer_shift\": %u,\n", c->preemption_timer_shift);
	printf("  \"cr3_target_count\": %u,\n", c->cr3_target_count);
	printf("  \"max_msr_list\": %u,\n", c->max_msr_list);
	printf("  \"activity_states\": {\"hlt\": %s, \"shutdown\": %s, \"wait_for_sipi\": %s},\n",
	       c->activity_states & VMXLAB_ACTIVITY_HLT ? "true" : "false",
	       c->activity_states & VMXLAB_ACTIVITY_SHUTDOWN ? "true" : "false",
	       c->activity_states & VMXLAB_ACTIVITY_WAIT_SIPI ? "true" : "false");
	printf("  \"max_vmcs_index\": \"%#x\",\n", c->max_vmcs_index);
	printf("  \"controls\": {\n");
	for (i = 0; i < nsets; i++) {
		printf("    \"%s\": {\"allowed0\": \"%#x\", ", sets[i].key,
		       sets[i].ctls->allowed0);
		printf("\"allowed1\": \"%#x\", \"used\": \"%#x\"}%s\n",
		       sets[i].ctls->allowed1, sets[i].ctls->used,
		       i + 1 < nsets ? "," : "");
	}
	printf("  },\n");
	printf("  \"proc3_allowed1\": \"%#llx\",\n",
	       (unsigned long long)c->proc3_allowed1);
	printf("  \"ept_vpid_cap\": \"%#llx\",\n",
	       (unsigned long long)c->ept_vpid_cap);
	printf("  \"vmfunc\": \"%#llx\",\n", (unsigned long long)c->vmfunc);
	printf("  \"cr0_fixed0\": \"%#llx\", \"cr0_fixed1\": \"%#llx\",\n",
	       (unsigned long long)c->cr0_fixed0,
	       (unsigned long long)c->cr0_fixed1);
	printf("  \"cr4_fixed0\": \"%#llx\", \"cr4_fixed1\": \"%#llx\",\n",
	       (unsigned long long)c->cr4_fixed0,
	       (unsigned long long)c->cr4_fixed1);
	json_bits("ept_vpid", c->ept_vpid_cap, ept_vpid_bits);
	printf(",\n");
	json_bits("features", c->features, feature_bits);
	printf(",\n");
	json_bits("mitigations", c->mitigations, mitigation_bits);
	printf(",\n  \"msrs\": {");
	for (i = 0; i < VMXLAB_CAP_MSR_COUNT; i++) {
		if (!(c->msrs_valid & (1ULL << i)))
			continue;
		printf("%s\n    \"%s\": \"%#llx\"", i ? "," : "", msr_names[i],
		       (unsigned long long)c->msrs[i]);
	}
	printf("\n  }\n}\n");
}

/* vmxlab caps [--json] */
int cmd_caps(int argc, char **argv)
{
	struct vmxlab_caps c;
	int json = 0, fd, api, r, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else
			return usage_error("caps: unknown option '%s'", argv[i]);
	}
	fd = open_dev(&api);
	if (fd < 0)
		return EXIT_ERROR;
	memset(&c, 0, sizeof(c));
	r = vmxlab_get_caps(fd, &c);
	if (r < 0)
		return fail("get capabilities", r);

	const struct ctl_set sets[] = {
		{ "pin", "Pin-based VM-execution controls (SDM Vol. 3C 24.6.1)",
		  &c.pin, pin_bits },
		{ "proc", "Primary processor-based VM-execution controls (24.6.2)",
		  &c.proc, proc_bits },
		{ "proc2", "Secondary processor-based VM-execution controls (24.6.2)",
		  &c.proc2, proc2_bits },
		{ "exit", "VM-exit controls (24.7.1)", &c.exit, exit_bits },
		{ "entry", "VM-entry controls (24.8.1)", &c.entry, entry_bits },
	};
	const int nsets = ARRAY_SIZE(sets);

	if (json) {
		print_json(&c, api, sets, nsets);
		return 0;
	}

	printf("VMX capabilities (Intel SDM Vol. 3D Appendix A), vmxlab API %d\n\n", api);
	printf("  VMCS revision identifier       %#x\n", c.vmcs_revision_id);
	printf("  VMCS region size               %u bytes\n", c.vmcs_size);
	printf("  VMCS memory type               %u, %s\n", c.vmcs_memory_type,
	       memtype_name(c.vmcs_memory_type));
	printf("  VMX-preemption timer rate      TSC >> %u\n", c.preemption_timer_shift);
	printf("  CR3-target values              %u\n", c.cr3_target_count);
	printf("  MSR-list entries (max)         %u\n", c.max_msr_list);
	printf("  activity states                %s%s%s\n",
	       c.activity_states & VMXLAB_ACTIVITY_HLT ? "HLT " : "",
	       c.activity_states & VMXLAB_ACTIVITY_SHUTDOWN ? "shutdown " : "",
	       c.activity_states & VMXLAB_ACTIVITY_WAIT_SIPI ? "wait-for-SIPI" : "");
	printf("  highest VMCS field index       %#x\n", c.max_vmcs_index);
	printf("  CR0 fixed-0 / fixed-1          %#llx / %#llx\n",
	       (unsigned long long)c.cr0_fixed0, (unsigned long long)c.cr0_fixed1);
	printf("  CR4 fixed-0 / fixed-1          %#llx / %#llx\n",
	       (unsigned long long)c.cr4_fixed0, (unsigned long long)c.cr4_fixed1);
	for (i = 0; i < nsets; i++)
		print_ctls(&sets[i]);
	printf("\nTertiary processor-based controls allowed-1: %#llx\n",
	       (unsigned long long)c.proc3_allowed1);
	printf("\nEPT and VPID capabilities (A.10): %#llx\n",
	       (unsigned long long)c.ept_vpid_cap);
	print_bits64(c.ept_vpid_cap, ept_vpid_bits);
	printf("\nVM functions (A.11): %#llx\n", (unsigned long long)c.vmfunc);
	printf("\nWhat vmxlab uses on this machine:\n");
	print_bits64(c.features, feature_bits);
	printf("\nSpeculative-execution mitigations on entry and exit (as kvm_intel's):\n");
	print_bits64(c.mitigations, mitigation_bits);
	printf("\nRaw capability MSRs:\n");
	for (i = 0; i < VMXLAB_CAP_MSR_COUNT; i++) {
		printf("  %#x  %-30s ", VMXLAB_CAP_MSR_FIRST + i, msr_names[i]);
		if (c.msrs_valid & (1ULL << i))
			printf("0x%016llx\n", (unsigned long long)c.msrs[i]);
		else
			printf("(not enumerated, not read)\n");
	}
	return 0;
}
