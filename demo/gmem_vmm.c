// SPDX-License-Identifier: GPL-2.0
/*
 * gmem_vmm: a minimal VMM that runs a guest on guest_memfd-only memory and
 * converts it in place with KVM_SET_MEMORY_ATTRIBUTES2, on x86_64 and arm64.
 *
 * The VMM creates a software-protected VM (the type x86 reports in
 * KVM_CAP_VM_TYPES, the flag arm64 reports in KVM_CAP_ARM_VM_TYPE_FLAGS), one
 * guest_memfd that host userspace can map,
 * and one memslot backed by that guest_memfd only.  It loads the guest code
 * through the shared mapping and makes the guest's memory private with
 * PRESERVE, so that the code it wrote is what the guest runs.
 *
 * The guest asks for conversions through a doorbell, one write of the value
 * (request << 8 | page) that KVM hands to the VMM: on arm64 a 32-bit store to
 * DOORBELL_GPA, outside every memslot (KVM_EXIT_MMIO), on x86 a 16-bit OUT to
 * DOORBELL_PORT (KVM_EXIT_IO).  Both are decoded from what the hardware
 * reports about the exit (arm64's syndrome, x86's I/O exit information,
 * given NRIPS on AMD), so KVM does not read the instruction, which lives in
 * private memory.  An x86 MMIO store would need KVM's instruction emulator
 * to fetch it (unless AMD's decode assists supply the bytes), which fails
 * from private memory.  x86's KVM_HC_MAP_GPA_RANGE hypercall is made for
 * such requests, but a fixed real-mode blob cannot pick VMCALL or VMMCALL
 * without probing CPUID, and arm64 has no counterpart without forwarding
 * SMCCC calls to userspace.  The memory-fault exit would only say that the
 * guest touched a page, not what it wants.
 *
 * The guest, all from private memory:
 *   1. writes a secret into page SECRET and a message into page BUF;
 *   2. asks to share BUF: the VMM converts it with PRESERVE, reads the
 *      message, and writes its reply;
 *   3. asks to take BUF back: the VMM converts it with PRESERVE, and the
 *      guest finds the reply in its private memory;
 *   4. gives SECRET back: the VMM converts it with ZERO, and reads zeros
 *      where the secret was;
 *   5. reports success or failure.
 * The VMM checks at each step what the host can touch: a private page raises
 * SIGBUS through the mapping.
 *
 * Exit status: 0 when every step worked, 1 when a step failed, 2 when the
 * host lacks what the VMM needs (the series, the VM type, a content mode).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/kvm.h>

#define NR_PAGES	4
#define PAGE		4096UL
/* Guest pages: 0 stack (x86), 1 code, 2 the secret, 3 the buffer. */
#define CODE_PAGE	1
#define SECRET_PAGE	2
#define BUF_PAGE	3

/* Doorbell requests: the value the guest writes is (request << 8) | page. */
#define REQ_SHARE	1	/* make the page shared, keep its contents */
#define REQ_ACCEPT	2	/* make the page private, keep its contents */
#define REQ_RELEASE	3	/* the guest gives the page back: clear it */
#define REQ_DONE	4	/* the page number is the guest's status */

#define STR(x)		#x
#define XSTR(x)		STR(x)

#if defined(__x86_64__)
/*
 * x86: the guest runs in real mode, code segment based at the code page,
 * data at physical addresses (DS = ES = 0).  The doorbell is an I/O port.
 */
#define SLOT_GPA	0x0UL
#define DOORBELL_PORT	0x10

asm(".pushsection .rodata.guest, \"a\"\n"
    ".macro ring val\n"
    "	movw $\\val, %ax\n"
    "	outw %ax, $" XSTR(DOORBELL_PORT) "\n"
    ".endm\n"
    ".globl guest_code, guest_code_end\n"
    "guest_code:\n"
    ".code16\n"
    "	xorw %ax, %ax\n"
    "	movw %ax, %ds\n"
    "	movw %ax, %es\n"
    /* The secret: 0xc0de over the first 16 bytes of SECRET. */
    "	movw $0x2000, %di\n"
    "	movw $8, %cx\n"
    "	movw $0xc0de, %ax\n"
    "	cld\n"
    "	rep stosw\n"
    /* The message, "ping", at the start of BUF. */
    "	movw $0x6970, 0x3000\n"
    "	movw $0x676e, 0x3002\n"
    "	ring (" XSTR(REQ_SHARE) " << 8 | 3)\n"
    /* The host's reply must be "pong". */
    "	cmpw $0x6f70, 0x3000\n"
    "	jne 1f\n"
    "	cmpw $0x676e, 0x3002\n"
    "	jne 1f\n"
    "	ring (" XSTR(REQ_ACCEPT) " << 8 | 3)\n"
    /* Private again, with the reply still in it. */
    "	cmpw $0x6f70, 0x3000\n"
    "	jne 1f\n"
    "	cmpw $0x676e, 0x3002\n"
    "	jne 1f\n"
    "	ring (" XSTR(REQ_RELEASE) " << 8 | 2)\n"
    "	ring (" XSTR(REQ_DONE) " << 8 | 0)\n"
    "	hlt\n"
    "1:	ring (" XSTR(REQ_DONE) " << 8 | 1)\n"
    "	hlt\n"
    ".code64\n"
    "guest_code_end:\n"
    ".popsection\n");

#elif defined(__aarch64__)
/*
 * arm64: the guest runs at EL1 with its MMU off, so addresses are physical.
 * The doorbell is a 32-bit store to an address outside the memslot.
 */
#define SLOT_GPA	0x10000000UL
#define DOORBELL_GPA	0x20000000UL

asm(".pushsection .rodata.guest, \"a\"\n"
    ".macro ring val\n"
    "	movz w1, #(\\val)\n"
    "	str w1, [x11]\n"
    ".endm\n"
    ".balign 4\n"
    ".globl guest_code, guest_code_end\n"
    "guest_code:\n"
    "	movz x10, #0x1000, lsl #16\n"		/* SLOT_GPA */
    "	movz x11, #0x2000, lsl #16\n"		/* DOORBELL_GPA */
    /* The secret: 0xc0de over the first 16 bytes of SECRET. */
    "	add x1, x10, #0x2000\n"
    "	movz w2, #0xc0de\n"
    "	movk w2, #0xc0de, lsl #16\n"
    "	stp w2, w2, [x1]\n"
    "	stp w2, w2, [x1, #8]\n"
    /* The message, "ping", at the start of BUF. */
    "	add x3, x10, #0x3000\n"
    "	movz w2, #0x6970\n"
    "	movk w2, #0x676e, lsl #16\n"
    "	str w2, [x3]\n"
    "	ring (" XSTR(REQ_SHARE) " << 8 | 3)\n"
    /* The host's reply must be "pong". */
    "	movz w2, #0x6f70\n"
    "	movk w2, #0x676e, lsl #16\n"
    "	ldr w4, [x3]\n"
    "	cmp w4, w2\n"
    "	b.ne 1f\n"
    "	ring (" XSTR(REQ_ACCEPT) " << 8 | 3)\n"
    /* Private again, with the reply still in it. */
    "	ldr w4, [x3]\n"
    "	cmp w4, w2\n"
    "	b.ne 1f\n"
    "	ring (" XSTR(REQ_RELEASE) " << 8 | 2)\n"
    "	ring (" XSTR(REQ_DONE) " << 8 | 0)\n"
    "2:	b 2b\n"
    "1:	ring (" XSTR(REQ_DONE) " << 8 | 1)\n"
    "3:	b 3b\n"
    "guest_code_end:\n"
    ".popsection\n");

#else
#error "gmem_vmm runs on x86_64 and arm64"
#endif

extern const unsigned char guest_code[], guest_code_end[];

struct vmm {
	int kvm, vm, vcpu, gmem;
	unsigned char *mem;	/* the guest_memfd, mapped */
	struct kvm_run *run;
	int step;
};

static void say(struct vmm *v, const char *fmt, ...)
{
	va_list ap;

	printf("[vmm %2d] ", ++v->step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Print why, and exit with @status. */
static void __attribute__((noreturn)) stop(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "gmem_vmm: %s: ", status == 2 ? "not supported here" : "FAILED");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

/* "EINVAL (Invalid argument)", for the log. */
static const char *err_name(int err)
{
	static char buf[96];
	const char *name = strerrorname_np(err);

	snprintf(buf, sizeof(buf), "%s (%s)", name ? name : "?", strerror(err));
	return buf;
}

static sigjmp_buf probe_env;

static void probe_sigbus(int sig)
{
	(void)sig;
	siglongjmp(probe_env, 1);
}

/* Returns true if the host can read page @page of the guest_memfd. */
static bool host_can_read(struct vmm *v, int page)
{
	struct sigaction sa = { .sa_handler = probe_sigbus }, old;
	volatile unsigned char *p = v->mem + page * PAGE;
	volatile bool ok = false;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(probe_env, 1)) {
		(void)*p;
		ok = true;
	}
	sigaction(SIGBUS, &old, NULL);
	return ok;
}

static const char *mode_name(uint64_t mode)
{
	switch (mode) {
	case KVM_SET_MEMORY_ATTRIBUTES2_ZERO:
		return "ZERO";
	case KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE:
		return "PRESERVE";
	default:
		return "unspecified";
	}
}

/*
 * Convert @nr pages from @page to private or shared with content mode @mode;
 * returns 0 or an errno (and error_offset in *@error_offset).
 */
static int convert(struct vmm *v, int page, int nr, bool private, uint64_t mode,
		   uint64_t *error_offset)
{
	struct kvm_memory_attributes2 attr = {
		.offset = page * PAGE,
		.size = nr * PAGE,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = mode,
	};
	int r = ioctl(v->gmem, KVM_SET_MEMORY_ATTRIBUTES2, &attr);

	if (error_offset)
		*error_offset = attr.error_offset;
	return r ? errno : 0;
}

/* Convert, or stop the VMM with the errno of the refusal. */
static void must_convert(struct vmm *v, int page, int nr, bool private, uint64_t mode)
{
	uint64_t error_offset = 0;
	int err, tries;
	char pages[32];

	if (nr == 1)
		snprintf(pages, sizeof(pages), "page %d", page);
	else
		snprintf(pages, sizeof(pages), "pages %d-%d", page, page + nr - 1);

	/* EAGAIN can be a fault in flight holding a page for a moment. */
	for (tries = 0; tries < 10; tries++) {
		err = convert(v, page, nr, private, mode, &error_offset);
		if (err != EAGAIN)
			break;
		usleep(1000);
	}
	if (err == EAGAIN || err == EOPNOTSUPP)
		stop(1, "converting %s to %s with %s: %s, error_offset %#llx", pages,
		     private ? "private" : "shared", mode_name(mode), err_name(err),
		     (unsigned long long)error_offset);
	if (err)
		stop(1, "converting %s to %s with %s: %s", pages,
		     private ? "private" : "shared", mode_name(mode), err_name(err));
	say(v, "%s converted to %s with %s", pages, private ? "private" : "shared",
	    mode_name(mode));
}

static void expect_private(struct vmm *v, int page)
{
	if (host_can_read(v, page))
		stop(1, "page %d is private, yet the host could read it", page);
	say(v, "host access to page %d: SIGBUS, as it is private", page);
}

/* The host is about to touch page @page, which must be shared. */
static void expect_shared(struct vmm *v, int page)
{
	if (!host_can_read(v, page))
		stop(1, "page %d should be shared, yet the host gets SIGBUS", page);
}

static int check_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

/* Find the software-protected VM type of this architecture. */
static unsigned long sw_protected_type(struct vmm *v)
{
#if defined(__x86_64__)
	int types = check_cap(v->kvm, KVM_CAP_VM_TYPES);

	if (!(types & (1u << KVM_X86_SW_PROTECTED_VM)))
		stop(2, "KVM_CAP_VM_TYPES (%#x) lacks KVM_X86_SW_PROTECTED_VM: "
		     "the host needs CONFIG_KVM_SW_PROTECTED_VM", types);
	return KVM_X86_SW_PROTECTED_VM;
#else
	/* arm64 types are flags; KVM_CAP_VM_TYPES is x86's (0 on arm64). */
	int flags = check_cap(v->kvm, KVM_CAP_ARM_VM_TYPE_FLAGS);

	if (!(flags & KVM_VM_TYPE_ARM_SW_PROTECTED))
		stop(2, "KVM_CAP_ARM_VM_TYPE_FLAGS (%#x) lacks KVM_VM_TYPE_ARM_SW_PROTECTED: "
		     "the host needs the in-place conversion series and "
		     "CONFIG_KVM_SW_PROTECTED_VM, and no pKVM", flags);
	return KVM_VM_TYPE_ARM_SW_PROTECTED;
#endif
}

static void create_vm(struct vmm *v)
{
	uint64_t want = KVM_SET_MEMORY_ATTRIBUTES2_ZERO | KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	uint64_t gmem_flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	struct kvm_create_guest_memfd gmem = {
		.size = NR_PAGES * PAGE,
		.flags = gmem_flags,
	};
	struct kvm_userspace_memory_region2 slot = {
		.slot = 0,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = SLOT_GPA,
		.memory_size = NR_PAGES * PAGE,
	};
	unsigned long type;
	int modes;

	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		stop(2, "/dev/kvm: %s", err_name(errno));
	if (getpagesize() != PAGE)
		stop(2, "host pages are %d bytes; this demo lays out 4 KiB pages",
		     getpagesize());

	type = sw_protected_type(v);
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, type);
	if (v->vm < 0)
		stop(2, "KVM_CREATE_VM(%#lx): %s", type, err_name(errno));
	say(v, "software-protected VM created (type %#lx)", type);

	if (!(check_cap(v->vm, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) &
	      KVM_MEMORY_ATTRIBUTE_PRIVATE))
		stop(2, "this VM's guest_memfd cannot convert in place "
		     "(KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES lacks PRIVATE: a kernel "
		     "without the series, or kvm.gmem_in_place_conversion=0)");
	modes = check_cap(v->vm, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS);
	if ((modes & want) != want)
		stop(2, "KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS is %#x: ZERO and PRESERVE needed",
		     modes);
	if ((check_cap(v->vm, KVM_CAP_GUEST_MEMFD_FLAGS) & gmem_flags) != gmem_flags)
		stop(2, "guest_memfd cannot be created with MMAP | INIT_SHARED");
	say(v, "content modes supported: ZERO and PRESERVE (KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS %#x)",
	    modes);

	v->gmem = ioctl(v->vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (v->gmem < 0)
		stop(1, "KVM_CREATE_GUEST_MEMFD: %s", err_name(errno));
	v->mem = mmap(NULL, NR_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->gmem, 0);
	if (v->mem == MAP_FAILED)
		stop(1, "mmap of the guest_memfd: %s", err_name(errno));

	slot.userspace_addr = (uintptr_t)v->mem;
	slot.guest_memfd = v->gmem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION2, &slot))
		stop(1, "KVM_SET_USER_MEMORY_REGION2: %s", err_name(errno));
	say(v, "guest_memfd of %lu KiB, mapped by the host, is the guest's only "
	    "memory (GPA %#lx)", NR_PAGES * PAGE / 1024, SLOT_GPA);
}

static void create_vcpu(struct vmm *v)
{
	int size;

	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		stop(1, "KVM_CREATE_VCPU: %s", err_name(errno));
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		stop(1, "KVM_GET_VCPU_MMAP_SIZE: %s", err_name(errno));
	if (size < (int)sizeof(*v->run))
		stop(1, "KVM_GET_VCPU_MMAP_SIZE: %d bytes, less than struct kvm_run", size);
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED)
		stop(1, "mmap of kvm_run: %s", err_name(errno));

#if defined(__x86_64__)
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = 0,
		.rsp = CODE_PAGE * PAGE,	/* the stack page, below the code */
		.rflags = 0x2,
	};

	/*
	 * VMX without unrestricted guest runs real mode as vm86 and needs a
	 * TSS out of the guest's way (QEMU's address); SVM ignores it.
	 */
	if (check_cap(v->kvm, KVM_CAP_SET_TSS_ADDR) &&
	    ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000UL))
		stop(1, "KVM_SET_TSS_ADDR: %s", err_name(errno));
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		stop(1, "KVM_GET_SREGS: %s", err_name(errno));
	sregs.cs.base = SLOT_GPA + CODE_PAGE * PAGE;
	sregs.cs.selector = sregs.cs.base >> 4;
	sregs.ds.base = sregs.es.base = sregs.ss.base = 0;
	sregs.ds.selector = sregs.es.selector = sregs.ss.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) || ioctl(v->vcpu, KVM_SET_REGS, &regs))
		stop(1, "setting the vCPU's registers: %s", err_name(errno));
	say(v, "vCPU in real mode, starting at %#lx", SLOT_GPA + CODE_PAGE * PAGE);
#else
	struct kvm_vcpu_init init = { 0 };
	uint64_t pc = SLOT_GPA + CODE_PAGE * PAGE;
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		      KVM_REG_ARM_CORE_REG(regs.pc),
		.addr = (uintptr_t)&pc,
	};

	if (ioctl(v->vm, KVM_ARM_PREFERRED_TARGET, &init) ||
	    ioctl(v->vcpu, KVM_ARM_VCPU_INIT, &init))
		stop(1, "initializing the vCPU: %s", err_name(errno));
	if (ioctl(v->vcpu, KVM_SET_ONE_REG, &reg))
		stop(1, "setting the vCPU's PC: %s", err_name(errno));
	say(v, "vCPU at EL1 with its MMU off, starting at %#lx", pc);
#endif
}

/* Load the guest code through the shared mapping, then make it all private. */
static void load_guest(struct vmm *v)
{
	size_t len = guest_code_end - guest_code;
	uint64_t error_offset = 0;
	int err;

	if (len > PAGE)
		stop(1, "the guest code does not fit in a page");
	expect_shared(v, CODE_PAGE);
	memcpy(v->mem + CODE_PAGE * PAGE, guest_code, len);
	say(v, "guest code (%zu bytes) written to page %d through the shared mapping",
	    len, CODE_PAGE);

	must_convert(v, 0, NR_PAGES, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
	expect_private(v, CODE_PAGE);

	/* KVM cannot promise the guest zeros in memory only the guest trusts. */
	err = convert(v, BUF_PAGE, 1, true, KVM_SET_MEMORY_ATTRIBUTES2_ZERO, &error_offset);
	if (err != EOPNOTSUPP)
		stop(1, "ZERO on a conversion to private: %s, expected EOPNOTSUPP",
		     err ? err_name(err) : "accepted");
	if (error_offset != BUF_PAGE * PAGE)
		stop(1, "EOPNOTSUPP with error_offset %#llx, expected the range's start %#lx",
		     (unsigned long long)error_offset, BUF_PAGE * PAGE);
	say(v, "ZERO on a conversion to private refused: %s, error_offset %#llx",
	    err_name(err), (unsigned long long)error_offset);
}

/* Handle one doorbell request; returns true when the guest is done. */
static bool doorbell(struct vmm *v, uint32_t val)
{
	int req = val >> 8, page = val & 0xff;
	unsigned char *p;
	size_t i;

	/* The guest may hand over its secret and buffer pages, not its code. */
	if (req != REQ_DONE && page != SECRET_PAGE && page != BUF_PAGE)
		stop(1, "guest request %d for page %d, which it may not convert", req, page);
	p = v->mem + page * PAGE;

	switch (req) {
	case REQ_SHARE:
		say(v, "guest: share page %d, keeping its contents", page);
		must_convert(v, page, 1, false, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
		expect_shared(v, page);
		if (memcmp(p, "ping", 4))
			stop(1, "page %d holds \"%.4s\", not the guest's \"ping\"", page, p);
		say(v, "host reads the guest's message: \"%.4s\"; writes \"pong\"", p);
		memcpy(p, "pong", 4);
		expect_private(v, page == BUF_PAGE ? SECRET_PAGE : BUF_PAGE);
		return false;
	case REQ_ACCEPT:
		say(v, "guest: take page %d back, keeping the host's reply", page);
		must_convert(v, page, 1, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
		expect_private(v, page);
		return false;
	case REQ_RELEASE:
		say(v, "guest: page %d is given back, its secret must not reach the host",
		    page);
		expect_private(v, page);
		must_convert(v, page, 1, false, KVM_SET_MEMORY_ATTRIBUTES2_ZERO);
		expect_shared(v, page);
		for (i = 0; i < PAGE; i++)
			if (p[i])
				stop(1, "byte %zu of the released page is %#x, not 0", i, p[i]);
		say(v, "host reads %lu zero bytes in the page the guest wrote its secret to",
		    PAGE);
		return false;
	case REQ_DONE:
		if (page)
			stop(1, "the guest reports a failed check (status %d)", page);
		say(v, "guest: done, all its checks passed");
		return true;
	default:
		stop(1, "unknown guest request %#x", val);
	}
}

static void run_guest(struct vmm *v)
{
	for (;;) {
		struct kvm_run *run = v->run;
		uint32_t val = 0;

		if (ioctl(v->vcpu, KVM_RUN, 0)) {
			int err = errno;

			if (err == EINTR)
				continue;
			/*
			 * A guest access that guest_memfd cannot serve.  After
			 * a conversion racing with the access, running again
			 * would do; this VMM converts only while the vCPU is
			 * stopped, so there is no such race here.
			 */
			if ((err == EFAULT || err == EHWPOISON) &&
			    run->exit_reason == KVM_EXIT_MEMORY_FAULT)
				stop(1, "KVM_RUN: %s: memory fault exit at %#llx, %llu bytes, %s access",
				     err_name(err), (unsigned long long)run->memory_fault.gpa,
				     (unsigned long long)run->memory_fault.size,
				     run->memory_fault.flags & KVM_MEMORY_EXIT_FLAG_PRIVATE ?
				     "private" : "shared");
#if defined(__aarch64__)
			if (err == ENOSYS)
				stop(1, "KVM_RUN: %s: a guest access KVM could not decode "
				     "(no valid syndrome)", err_name(err));
#endif
			stop(1, "KVM_RUN: %s", err_name(err));
		}

		switch (run->exit_reason) {
#if defined(__x86_64__)
		case KVM_EXIT_IO:
			if (run->io.port != DOORBELL_PORT ||
			    run->io.direction != KVM_EXIT_IO_OUT ||
			    run->io.size != 2 || run->io.count != 1)
				stop(1, "guest I/O at port %#x (size %u, count %u)",
				     run->io.port, run->io.size, run->io.count);
			memcpy(&val, (char *)run + run->io.data_offset, 2);
			if (doorbell(v, val))
				return;
			break;
#else
		case KVM_EXIT_MMIO:
			if (run->mmio.phys_addr != DOORBELL_GPA || !run->mmio.is_write ||
			    run->mmio.len != sizeof(val))
				stop(1, "guest %s of %u bytes at %#llx",
				     run->mmio.is_write ? "write" : "read", run->mmio.len,
				     (unsigned long long)run->mmio.phys_addr);
			memcpy(&val, run->mmio.data, run->mmio.len);
			if (doorbell(v, val))
				return;
			break;
#endif
		case KVM_EXIT_INTERNAL_ERROR:
			stop(1, "KVM internal error, suberror %u, %u data words, first %#llx",
			     run->internal.suberror, run->internal.ndata,
			     run->internal.ndata ? (unsigned long long)run->internal.data[0] : 0ULL);
		case KVM_EXIT_FAIL_ENTRY:
			stop(1, "the vCPU could not enter the guest, reason %#llx",
			     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_SHUTDOWN:
			stop(1, "the guest shut down (x86 triple fault)");
		case KVM_EXIT_SYSTEM_EVENT:
			stop(1, "the guest asked for system event %u", run->system_event.type);
		default:
			stop(1, "unexpected exit reason %u", run->exit_reason);
		}
	}
}

int main(void)
{
	struct vmm v = { .step = 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	create_vm(&v);
	create_vcpu(&v);
	load_guest(&v);
	run_guest(&v);
	say(&v, "success: the guest ran on private memory and shared, took back "
	    "and gave back pages in place");
	return 0;
}
