// SPDX-License-Identifier: GPL-2.0
/*
 * libvmxlab: thin wrappers around the /dev/vmxlab ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvmxlab.h"

static int ret(int r)
{
	return r < 0 ? -errno : r;
}

int vmxlab_open(void)
{
	return ret(open(VMXLAB_DEV, O_RDWR | O_CLOEXEC));
}

int vmxlab_api_version(int devfd)
{
	return ret(ioctl(devfd, VMXLAB_GET_API_VERSION, 0));
}

int vmxlab_get_caps(int devfd, struct vmxlab_caps *caps)
{
	return ret(ioctl(devfd, VMXLAB_GET_CAPS, caps));
}

int vmxlab_create_vm(int devfd, uint64_t flags)
{
	return ret(ioctl(devfd, VMXLAB_CREATE_VM, (unsigned long)flags));
}

int vmxlab_get_run_size(int devfd)
{
	return ret(ioctl(devfd, VMXLAB_GET_RUN_SIZE, 0));
}

int vmxlab_set_memory_region(int vmfd, const struct vmxlab_memory_region *r)
{
	return ret(ioctl(vmfd, VMXLAB_SET_MEMORY_REGION, r));
}

int vmxlab_create_vcpu(int vmfd, unsigned int id)
{
	return ret(ioctl(vmfd, VMXLAB_CREATE_VCPU, (unsigned long)id));
}

int vmxlab_get_regs(int vcpufd, struct vmxlab_regs *regs)
{
	return ret(ioctl(vcpufd, VMXLAB_GET_REGS, regs));
}

int vmxlab_set_regs(int vcpufd, const struct vmxlab_regs *regs)
{
	return ret(ioctl(vcpufd, VMXLAB_SET_REGS, regs));
}

int vmxlab_get_sregs(int vcpufd, struct vmxlab_sregs *sregs)
{
	return ret(ioctl(vcpufd, VMXLAB_GET_SREGS, sregs));
}

int vmxlab_set_sregs(int vcpufd, const struct vmxlab_sregs *sregs)
{
	return ret(ioctl(vcpufd, VMXLAB_SET_SREGS, sregs));
}

int vmxlab_run(int vcpufd)
{
	return ret(ioctl(vcpufd, VMXLAB_RUN, 0));
}

int vmxlab_inject(int vcpufd, uint8_t type, uint8_t vector, bool has_error,
		  uint32_t error)
{
	struct vmxlab_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.vector = vector;
	ev.has_error_code = has_error;
	ev.error_code = error;
	return ret(ioctl(vcpufd, VMXLAB_INJECT, &ev));
}

int vmxlab_get_vcpu_stats(int vcpufd, struct vmxlab_vcpu_stats *stats)
{
	return ret(ioctl(vcpufd, VMXLAB_GET_VCPU_STATS, stats));
}

int vmxlab_set_exit_stats(int vcpufd, unsigned int flags)
{
	return ret(ioctl(vcpufd, VMXLAB_SET_EXIT_STATS, (unsigned long)flags));
}

int vmxlab_get_exit_stats(int vcpufd, struct vmxlab_exit_stats *st,
			  struct vmxlab_exit_lat *lat, size_t size)
{
	memset(st, 0, sizeof(*st));
	st->size = size;
	st->data = (uintptr_t)lat;
	return ret(ioctl(vcpufd, VMXLAB_GET_EXIT_STATS, st));
}

int vmxlab_set_trace(int vcpufd, const struct vmxlab_trace_setup *ts)
{
	return ret(ioctl(vcpufd, VMXLAB_SET_TRACE, ts));
}

uint64_t vmxlab_lat_bucket_low(unsigned int i)
{
	unsigned int shift;

	if (i < (2U << VMXLAB_LAT_SUB_BITS))
		return i;
	shift = (i >> VMXLAB_LAT_SUB_BITS) - 1;
	return (uint64_t)((i & ((1U << VMXLAB_LAT_SUB_BITS) - 1)) +
			  (1U << VMXLAB_LAT_SUB_BITS)) << shift;
}

uint64_t vmxlab_lat_percentile(const struct vmxlab_exit_lat *l, double p)
{
	uint64_t rank, seen = 0, lo, hi, v;
	unsigned int i;

	if (!l->count)
		return 0;
	/* The sample of rank ceil(p * count), 1-based. */
	rank = (uint64_t)(p * l->count);
	if (rank < p * l->count || !rank)
		rank++;
	for (i = 0; i < VMXLAB_LAT_BUCKETS; i++) {
		seen += l->buckets[i];
		if (seen >= rank)
			break;
	}
	if (i >= VMXLAB_LAT_BUCKETS)
		return l->max;
	lo = vmxlab_lat_bucket_low(i);
	hi = i + 1 < VMXLAB_LAT_BUCKETS ? vmxlab_lat_bucket_low(i + 1) - 1 : l->max;
	/* The middle of the bucket, within what was really seen. */
	v = lo + (hi - lo) / 2;
	if (v < l->min)
		v = l->min;
	if (v > l->max)
		v = l->max;
	return v;
}

struct vmxlab_run *vmxlab_map_run(int vcpufd, int size)
{
	void *p;

	if (size < (int)sizeof(struct vmxlab_run)) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpufd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static const char *table_name(const char *const *table, size_t size,
			      unsigned int n)
{
	return n < size && table[n] ? table[n] : "unknown";
}

#define NAME(table, n) table_name(table, sizeof(table) / sizeof((table)[0]), n)

static const char *const exit_names[] = {
	[VMXLAB_EXIT_NONE] = "NONE",
	[VMXLAB_EXIT_IO] = "IO",
	[VMXLAB_EXIT_MMIO] = "MMIO",
	[VMXLAB_EXIT_HLT] = "HLT",
	[VMXLAB_EXIT_SHUTDOWN] = "SHUTDOWN",
	[VMXLAB_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[VMXLAB_EXIT_VMFAIL] = "VMFAIL",
	[VMXLAB_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[VMXLAB_EXIT_TRACE_FULL] = "TRACE_FULL",
	[VMXLAB_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
};

const char *vmxlab_exit_name(unsigned int reason)
{
	return NAME(exit_names, reason);
}

/* SDM Vol. 3D Appendix C, table C-1 "Basic Exit Reasons". */
static const char *const vmx_exit_names[VMXLAB_NR_EXIT_REASONS] = {
	"Exception or non-maskable interrupt (NMI)", "External interrupt",
	"Triple fault", "INIT signal", "Start-up IPI (SIPI)",
	"I/O system-management interrupt (SMI)", "Other SMI",
	"Interrupt window", "NMI window", "Task switch", "CPUID", "GETSEC",
	"HLT", "INVD", "INVLPG", "RDPMC", "RDTSC", "RSM", "VMCALL",
	"VMCLEAR", "VMLAUNCH", "VMPTRLD", "VMPTRST", "VMREAD", "VMRESUME",
	"VMWRITE", "VMXOFF", "VMXON", "Control-register accesses", "MOV DR",
	"I/O instruction", "RDMSR", "WRMSR",
	"VM-entry failure due to invalid guest state",
	"VM-entry failure due to MSR loading", "reserved", "MWAIT",
	"Monitor trap flag", "reserved", "MONITOR", "PAUSE",
	"VM-entry failure due to machine-check event", "reserved",
	"TPR below threshold", "APIC access", "Virtualized EOI",
	"Access to GDTR or IDTR", "Access to LDTR or TR", "EPT violation",
	"EPT misconfiguration", "INVEPT", "RDTSCP",
	"VMX-preemption timer expired", "INVVPID", "WBINVD or WBNOINVD",
	"XSETBV", "APIC write", "RDRAND", "INVPCID", "VMFUNC", "ENCLS",
	"RDSEED", "Page-modification log full", "XSAVES", "XRSTORS",
	"PCONFIG", "SPP-related event", "UMWAIT", "TPAUSE", "LOADIWKEY",
	"ENCLV", "reserved", "ENQCMD PASID translation failure",
	"ENQCMDS PASID translation failure", "Bus lock",
	"Instruction timeout", "SEAMCALL", "TDCALL", "RDMSRLIST",
	"WRMSRLIST",
};

const char *vmxlab_vmx_exit_reason_name(unsigned int reason)
{
	return NAME(vmx_exit_names, reason);
}

static const char *const check_names[] = {
	[VMXLAB_CHECK_UNKNOWN] = "none of vmxlab's own guest-state checks failed",
	[VMXLAB_CHECK_CR0] = "CR0: a fixed bit, or PG set without PE",
	[VMXLAB_CHECK_CR4] = "CR4: a fixed bit",
	[VMXLAB_CHECK_EFER] =
		"IA32_EFER: LMA disagrees with LME, CR0.PG or the IA-32e mode guest control",
	[VMXLAB_CHECK_RFLAGS] = "RFLAGS: a reserved bit, or VM set in long mode",
	[VMXLAB_CHECK_CS] = "CS: type, DPL, L/D or limit against G",
	[VMXLAB_CHECK_SS] = "SS: type or DPL",
	[VMXLAB_CHECK_DATA_SEG] = "DS, ES, FS or GS: type, or limit against G",
	[VMXLAB_CHECK_TR] = "TR: not a busy TSS",
	[VMXLAB_CHECK_LDTR] = "LDTR: type",
	[VMXLAB_CHECK_DTABLE] = "GDTR or IDTR: limit or base",
	[VMXLAB_CHECK_RIP] = "RIP: not canonical, or above 4 GiB outside 64-bit mode",
	[VMXLAB_CHECK_PDPTE] = "PAE paging: a reserved bit set in a PDPTE",
	[VMXLAB_CHECK_CR3] = "CR3: bits set beyond MAXPHYADDR",
};

const char *vmxlab_check_name(unsigned int check)
{
	return NAME(check_names, check);
}

/* SDM Vol. 3C 30.4, table 30-1 "VM-Instruction Error Numbers". */
static const char *const vm_insn_errors[] = {
	"VMfailInvalid: no current VMCS, no error number",
	"VMCALL executed in VMX root operation",
	"VMCLEAR with invalid physical address",
	"VMCLEAR with VMXON pointer",
	"VMLAUNCH with non-clear VMCS",
	"VMRESUME with non-launched VMCS",
	"VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)",
	"VM entry with invalid control field(s)",
	"VM entry with invalid host-state field(s)",
	"VMPTRLD with invalid physical address",
	"VMPTRLD with VMXON pointer",
	"VMPTRLD with incorrect VMCS revision identifier",
	"VMREAD/VMWRITE from/to unsupported VMCS component",
	"VMWRITE to read-only VMCS component",
	"reserved",
	"VMXON executed in VMX root operation",
	"VM entry with invalid executive-VMCS pointer",
	"VM entry with non-launched executive VMCS",
	"VM entry with executive-VMCS pointer not VMXON pointer",
	"VMCALL with non-clear VMCS",
	"VMCALL with invalid VM-exit control fields",
	"reserved",
	"VMCALL with incorrect MSEG revision identifier",
	"VMXOFF under dual-monitor treatment of SMIs and SMM",
	"VMCALL with invalid SMM-monitor features",
	"VM entry with invalid VM-execution control fields in executive VMCS",
	"VM entry with events blocked by MOV SS",
	"reserved",
	"Invalid operand to INVEPT/INVVPID",
};

const char *vmxlab_vmfail_insn_name(unsigned int insn)
{
	switch (insn) {
	case VMXLAB_VMFAIL_INSN_ENTRY:
		return "VMLAUNCH/VMRESUME";
	case VMXLAB_VMFAIL_INSN_VMPTRLD:
		return "VMPTRLD";
	case VMXLAB_VMFAIL_INSN_VMCS_ACCESS:
		return "VMREAD/VMWRITE";
	}
	return "a VMX instruction";
}

const char *vmxlab_vmfail_status_name(unsigned int status)
{
	switch (status) {
	case VMXLAB_VMFAIL_VALID:
		return "failed (VMfailValid)";
	case VMXLAB_VMFAIL_INVALID:
		return "failed (VMfailInvalid: no current VMCS)";
	case VMXLAB_VMFAIL_FAULT:
		return "faulted (VMX is off)";
	}
	return "failed";
}

const char *vmxlab_vm_instruction_error_name(unsigned int error)
{
	return NAME(vm_insn_errors, error);
}

static const char *const internal_names[] = {
	[VMXLAB_INTERNAL_UNKNOWN_EXIT] = "an exit reason vmxlab has no handler for",
	[VMXLAB_INTERNAL_EMULATION] = "MMIO by an instruction vmxlab cannot decode",
	[VMXLAB_INTERNAL_STRING_IO] = "INS/OUTS whose memory operand is not RAM",
	[VMXLAB_INTERNAL_DELIVERY] = "delivering an event needed memory that is not RAM",
	[VMXLAB_INTERNAL_PAGE_WALK] = "the guest's page tables are not in its RAM",
};

const char *vmxlab_internal_name(unsigned int suberror)
{
	return NAME(internal_names, suberror);
}

/* Hypervisors known to take VMX; /sys/module/NAME exists while loaded. */
static const char *const vmx_holders[] = {
	"kvm_intel", "vboxdrv", "vmmon", NULL,
};

/*
 * NAME: the name of group GID from /etc/group, or "" (read by hand: the
 * static tool cannot use getgrgid(), which needs NSS's shared libraries).
 */
static void group_name(gid_t gid, char *name, size_t size)
{
	char line[512], *colon;
	unsigned long g;
	FILE *f;

	name[0] = 0;
	f = fopen("/etc/group", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* name:password:GID:members */
		colon = strchr(line, ':');
		if (colon)
			colon = strchr(colon + 1, ':');
		if (!colon)
			continue;
		g = strtoul(colon + 1, NULL, 10);
		if (g != gid)
			continue;
		*strchr(line, ':') = 0;
		if (strlen(line) < size)
			memcpy(name, line, strlen(line) + 1);
		break;
	}
	fclose(f);
}

/* Why open() of the device was refused: whom it belongs to, what to do. */
static const char *explain_access(void)
{
	static char buf[320];
	char group[64];
	struct stat st;

	if (stat(VMXLAB_DEV, &st) || !(st.st_mode & 0060) || !st.st_gid) {
		snprintf(buf, sizeof(buf),
			 "%s: permission denied: it is root's only (the udev rule that gives it to group vmxlab is not installed: Documentation/install.rst)",
			 VMXLAB_DEV);
		return buf;
	}
	group_name(st.st_gid, group, sizeof(group));
	if (group[0])
		snprintf(buf, sizeof(buf),
			 "%s: permission denied: it belongs to group %s (mode %04o); join the group (usermod -aG %s USER) and log in again",
			 VMXLAB_DEV, group, st.st_mode & 07777, group);
	else
		snprintf(buf, sizeof(buf),
			 "%s: permission denied: it belongs to group %u (mode %04o); join that group",
			 VMXLAB_DEV, (unsigned int)st.st_gid, st.st_mode & 07777);
	return buf;
}

static const char *loaded_holder(void)
{
	static char path[64];
	int i;

	for (i = 0; vmx_holders[i]; i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", vmx_holders[i]);
		if (access(path, F_OK) == 0)
			return vmx_holders[i];
	}
	return NULL;
}

/* The errors of VMXLAB_SET_MEMORY_REGION, uapi/linux/vmxlab.h. */
static const char *explain_memory_region(int err)
{
	switch (err) {
	case EINVAL:
		return "bad slot, flags, alignment or reserved field";
	case EEXIST:
		return "the region overlaps another memory slot";
	case E2BIG:
		return "the region reaches beyond guest-physical address 2^48";
	case EFAULT:
		return "the memory cannot be pinned";
	case ENOMEM:
		return "over the locked-memory limit (ulimit -l, RLIMIT_MEMLOCK) or out of memory";
	case EBUSY:
		return "the slot is in use (delete it first)";
	}
	return NULL;
}

/* The errors of the vCPU ioctls and of mapping the run page. */
static const char *explain_vcpu(const char *op, int err)
{
	if (!strcmp(op, "create vCPU")) {
		if (err == EINVAL)
			return "vCPU id out of range";
		if (err == EEXIST)
			return "a vCPU with this id exists";
	} else if (!strcmp(op, "run")) {
		if (err == ENOEXEC)
			return "registers and special registers were not set (SET_SREGS, SET_REGS)";
		if (err == EBUSY)
			return "another thread is running this vCPU";
		if (err == EFAULT)
			return "the run page is not mapped";
	} else if (!strncmp(op, "set ", 4) && strstr(op, "registers")) {
		if (err == EINVAL)
			return "a reserved or pad field is not zero, or a value the kernel refuses";
	} else if (!strcmp(op, "map run page")) {
		if (err == EINVAL)
			return "bad size or offset for the run page";
	}
	return NULL;
}

const char *vmxlab_explain(const char *op, int err)
{
	static const char not_loaded[] =
		VMXLAB_DEV " not found: the vmxlab module is not loaded (modprobe vmxlab)";
	static char buf[256];
	const char *who, *why;

	why = !strcmp(op, "set memory region") ? explain_memory_region(err) :
	      explain_vcpu(op, err);
	if (why)
		return why;
	switch (err) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		if (!strcmp(op, "open"))
			return not_loaded;
		break;
	case EACCES:
	case EPERM:
		if (!strcmp(op, "open"))
			return explain_access();
		break;
	case EBUSY:
		if (!strcmp(op, "create VM")) {
			who = loaded_holder();
			if (who)
				snprintf(buf, sizeof(buf),
					 "VMX is held by another hypervisor: %s is loaded and has a VM running; stop its VMs or unload it (rmmod %s)",
					 who, who);
			else
				snprintf(buf, sizeof(buf),
					 "VMX is held by another hypervisor (CR4.VMXE is set on some CPU); see the kernel log");
			return buf;
		}
		break;
	case EIO:
		if (!strcmp(op, "create VM"))
			return "VMXON failed on some CPU; the kernel log says why";
		break;
	case ESHUTDOWN:
		return "the machine is shutting down";
	case ENOTTY:
		return "the kernel does not know this ioctl (module too old?)";
	}
	snprintf(buf, sizeof(buf), "%s", strerror(err));
	return buf;
}
