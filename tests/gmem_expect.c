// SPDX-License-Identifier: GPL-2.0
/*
 * gmem_expect: checks that a boot offers what it must, not what the kernel
 * happens to report.  The series' selftests skip a case where the kernel
 * reports that a feature is missing; in a boot where the feature must exist
 * such a skip would hide a broken kernel.  This program takes what must be
 * from the boot's definition (bench.expect= on the kernel command line,
 * written in tests/ARCH/boots) and fails when the kernel differs:
 *
 *   in-place  software-protected VMs exist, and their guest_memfd converts
 *             in place with both content modes; no VM-level PRIVATE
 *             attribute; on x86 this is kvm.gmem_in_place_conversion's
 *             default, so the command line must not set it
 *   legacy    x86 with kvm.gmem_in_place_conversion=0: software-protected
 *             VMs keep 7.3's VM-level attributes, guest_memfd converts
 *             nothing (KVM_SET_MEMORY_ATTRIBUTES2 is ENOTTY)
 *   refused   arm64 under pKVM: the software-protected type is neither
 *             reported nor accepted (EINVAL), while pKVM's protected VMs
 *             are, and the series' capabilities report nothing
 *   absent    a kernel built without CONFIG_KVM_SW_PROTECTED_VM: the type is
 *             neither reported nor accepted, every capability of the series
 *             reports nothing, a default VM's guest_memfd is mapped and
 *             used as in 7.3, and KVM_SET_MEMORY_ATTRIBUTES2 on it is
 *             EINVAL (no private memory), as upstream
 * On arm64, KVM_CAP_VM_TYPES is 0 in every mode, as in 7.3; and where the
 * command line has kvm-arm.mode=nested the host must offer vEL2
 * (KVM_CAP_ARM_EL2), so that the series' check that software-protected VMs
 * refuse vEL2 vCPUs (vm_types_test) cannot skip there; where it has
 * bench.cpu= (a QEMU CPU model without FWB, tests/arm64/boots) a vCPU must
 * see no FWB, so that the series' check that conversions unmap there
 * (guest_memfd_conversions_test's kept_contents_keep_guest_mappings) does
 * not take the FWB branch.
 *
 * Output: TAP, one line per check.  Exit status 0 when every check passed,
 * 1 otherwise (also without bench.expect=: nothing was checked).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <linux/kvm.h>

#ifdef __x86_64__
#define SW_TYPE		KVM_X86_SW_PROTECTED_VM
#define TYPE_CAP	KVM_CAP_VM_TYPES
#define TYPE_BIT	(1UL << KVM_X86_SW_PROTECTED_VM)
#else
#define SW_TYPE		KVM_VM_TYPE_ARM_SW_PROTECTED
#define TYPE_CAP	KVM_CAP_ARM_VM_TYPE_FLAGS
#define TYPE_BIT	KVM_VM_TYPE_ARM_SW_PROTECTED
#endif
#define MODES	(KVM_SET_MEMORY_ATTRIBUTES2_ZERO | KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)
#define PARAM	"/sys/module/kvm/parameters/gmem_in_place_conversion"

static int kvm_fd, nr_checks, nr_failed;

/* A "# " line of KTAP: what a check saw, so that case names stay fixed. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void check(bool ok, const char *name)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++nr_checks, name);
	fflush(stdout);
	nr_failed += !ok;
}

/* A capability's value at system scope (fd = kvm_fd) or for a VM. */
static int cap(int fd, long nr)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, nr);

	return r < 0 ? -errno : r;
}

/* A capability's value, noted with its name, for a check of it. */
static int cap_noted(int fd, long nr, const char *name)
{
	int r = cap(fd, nr);

	note("%s scope: %s = %d", fd == kvm_fd ? "system" : "VM", name, r);
	return r;
}
#define CAP(fd, nr)	cap_noted(fd, nr, #nr)

/* A new VM's fd, or -errno. */
static int create_vm(unsigned long type)
{
	int fd = ioctl(kvm_fd, KVM_CREATE_VM, type);

	return fd < 0 ? -errno : fd;
}

static int create_gmem(int vm_fd, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd gmem = { .size = size, .flags = flags };
	int fd = ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &gmem);

	return fd < 0 ? -errno : fd;
}

/* KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd: 0 or the errno. */
static int convert(int gmem_fd, uint64_t size, uint64_t attributes, uint64_t flags)
{
	struct kvm_memory_attributes2 attrs = {
		.offset = 0,
		.size = size,
		.attributes = attributes,
		.flags = flags,
	};

	return ioctl(gmem_fd, KVM_SET_MEMORY_ATTRIBUTES2, &attrs) ? errno : 0;
}

/*
 * The value of the last "@name=" on the kernel command line (the one the
 * kernel takes), or NULL.
 */
static const char *cmdline_value(const char *name)
{
	static char line[4096];
	size_t n = strlen(name);
	const char *value = NULL;
	char *p;
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f) {
		perror("/proc/cmdline");
		exit(1);
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	for (p = strtok(line, " \n"); p; p = strtok(NULL, " \n"))
		if (!strncmp(p, name, n) && p[n] == '=')
			value = p + n + 1;
	return value;
}

#ifdef __x86_64__
/*
 * The command line sets x86's kvm.gmem_in_place_conversion (module
 * parameters take '-' for '_').
 */
static bool in_place_param_set(void)
{
	return cmdline_value("kvm.gmem_in_place_conversion") ||
	       cmdline_value("kvm.gmem-in-place-conversion");
}

/* kvm.gmem_in_place_conversion: 'Y', 'N', or '-' when there is none. */
static int in_place_param(void)
{
	FILE *f = fopen(PARAM, "r");
	int c;

	if (!f)
		return '-';
	c = fgetc(f);
	fclose(f);
	return c;
}
#endif

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig __attribute__((unused)))
{
	siglongjmp(sigbus_jmp, 1);
}

/*
 * Whether a read of the byte at @p gets SIGBUS (the page is private), else
 * the byte in *@byte.  The page stays mapped in this process if it was: the
 * read shows whether a conversion tore that mapping down.
 */
static bool read_sigbus(volatile const char *p, char *byte)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile bool sigbus = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		sigbus = true;
	else
		*byte = *p;
	sigaction(SIGBUS, &old, NULL);
	return sigbus;
}

/* The same from a child, which has no mapping of the page yet. */
static bool child_read_sigbus(volatile const char *p)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!pid) {
		(void)*p;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		exit(1);
	}
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS;
}

/* The type is reported and created, or neither: @offered says which. */
static int check_type(bool offered)
{
	long reported = CAP(kvm_fd, TYPE_CAP);
	int vm_fd = create_vm(SW_TYPE);

	note("KVM_CREATE_VM(software-protected): %s", vm_fd < 0 ? strerror(-vm_fd) : "created");
	if (offered) {
		check(reported > 0 && (reported & TYPE_BIT),
		      "the software-protected type is reported");
		check(vm_fd >= 0, "KVM_CREATE_VM takes the software-protected type");
		return vm_fd;
	}
	check(reported >= 0 && !(reported & TYPE_BIT),
	      "the software-protected type is not reported");
	check(vm_fd == -EINVAL, "KVM_CREATE_VM refuses the software-protected type with EINVAL");
	if (vm_fd >= 0)
		close(vm_fd);
	return -1;
}

static void expect_in_place(void)
{
	const size_t size = getpagesize();
	int vm_fd, gmem_fd, r;
	bool sigbus, child_sigbus;
	char *mem, byte = 0;

	vm_fd = check_type(true);
#ifdef __x86_64__
	note("%s: %c, %s on the command line", PARAM, in_place_param(),
	     in_place_param_set() ? "set" : "not set");
	check(in_place_param() == 'Y' && !in_place_param_set(),
	      "in-place conversion is x86's default");
#endif
	/* No SNP or TDX under QEMU's emulation: no VM-level PRIVATE at all. */
	check(CAP(kvm_fd, KVM_CAP_MEMORY_ATTRIBUTES) == 0,
	      "no VM-level PRIVATE attribute at system scope");
	check(CAP(kvm_fd, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) == KVM_MEMORY_ATTRIBUTE_PRIVATE &&
	      CAP(kvm_fd, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS) == MODES,
	      "guest_memfd takes PRIVATE with ZERO and PRESERVE at system scope");
	if (vm_fd < 0)
		return;
	check(CAP(vm_fd, KVM_CAP_MEMORY_ATTRIBUTES) == 0,
	      "a software-protected VM has no VM-level attributes");
	check(CAP(vm_fd, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) == KVM_MEMORY_ATTRIBUTE_PRIVATE &&
	      CAP(vm_fd, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS) == MODES,
	      "its guest_memfd takes PRIVATE with ZERO and PRESERVE");

	gmem_fd = create_gmem(vm_fd, size, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	note("KVM_CREATE_GUEST_MEMFD(MMAP | INIT_SHARED): %s",
	     gmem_fd < 0 ? strerror(-gmem_fd) : "created");
	check(gmem_fd >= 0, "its guest_memfd can be created shared and mappable");
	if (gmem_fd < 0)
		goto out;
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, gmem_fd, 0);
	if (mem == MAP_FAILED) {
		note("mmap: %s", strerror(errno));
		check(false, "a page converts to private in place");
		goto out_gmem;
	}
	/* Mapped in this process before the conversion: it must be torn down. */
	mem[0] = 'x';
	r = convert(gmem_fd, size, KVM_MEMORY_ATTRIBUTE_PRIVATE,
		    KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
	sigbus = read_sigbus(mem, &byte);
	child_sigbus = child_read_sigbus(mem);
	note("to private: %s; the host's read: %s, in a child: %s", strerror(r),
	     sigbus ? "SIGBUS" : "readable", child_sigbus ? "SIGBUS" : "readable");
	check(!r && sigbus && child_sigbus,
	      "a page converts to private in place, and the host gets SIGBUS");
	r = convert(gmem_fd, size, 0, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
	sigbus = read_sigbus(mem, &byte);
	note("to shared: %s; the host's read: %s ('%c')", strerror(r),
	     sigbus ? "SIGBUS" : "readable", byte ?: '0');
	check(!r && !sigbus && byte == 'x', "and back to shared with its contents");
	munmap(mem, size);
out_gmem:
	close(gmem_fd);
out:
	close(vm_fd);
}

static void expect_legacy(void)
{
#ifdef __x86_64__
	const size_t size = getpagesize();
	int vm_fd, gmem_fd, r;

	vm_fd = check_type(true);
	note("%s: %c, %s on the command line", PARAM, in_place_param(),
	     in_place_param_set() ? "set" : "not set");
	check(in_place_param() == 'N' && in_place_param_set(),
	      "in-place conversion is off by the command line");
	check(CAP(kvm_fd, KVM_CAP_MEMORY_ATTRIBUTES) == KVM_MEMORY_ATTRIBUTE_PRIVATE,
	      "7.3's VM-level PRIVATE attribute at system scope");
	check(!CAP(kvm_fd, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) &&
	      !CAP(kvm_fd, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
	      "guest_memfd takes no attributes and no content modes at system scope");
	if (vm_fd < 0)
		return;
	check(CAP(vm_fd, KVM_CAP_MEMORY_ATTRIBUTES) == KVM_MEMORY_ATTRIBUTE_PRIVATE,
	      "a software-protected VM has 7.3's VM-level PRIVATE attribute");
	check(!CAP(vm_fd, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) &&
	      !CAP(vm_fd, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
	      "its guest_memfd takes no attributes and no content modes");
	gmem_fd = create_gmem(vm_fd, size, 0);
	note("KVM_CREATE_GUEST_MEMFD: %s", gmem_fd < 0 ? strerror(-gmem_fd) : "created");
	check(gmem_fd >= 0, "its guest_memfd can be created");
	if (gmem_fd >= 0) {
		r = convert(gmem_fd, size, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0);
		note("KVM_SET_MEMORY_ATTRIBUTES2: %s", strerror(r));
		check(r == ENOTTY, "KVM_SET_MEMORY_ATTRIBUTES2 on it is ENOTTY");
		close(gmem_fd);
	}
	close(vm_fd);
#else
	check(false, "only x86 has kvm.gmem_in_place_conversion=0");
#endif
}

/* No capability of the series reports anything, at system scope or for @fd. */
static void check_silent(int fd, const char *name)
{
	int gmem_attrs = CAP(fd, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES);
	int modes = CAP(fd, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS);
	int attrs = CAP(fd, KVM_CAP_MEMORY_ATTRIBUTES);

	check(!gmem_attrs && !modes && !attrs, name);
}

/* arm64 under pKVM: no software-protected VMs, though pKVM's own exist. */
static void expect_refused(void)
{
#ifdef __aarch64__
	int vm_fd;

	check_type(false);
	vm_fd = create_vm(KVM_VM_TYPE_ARM_PROTECTED);
	note("KVM_CREATE_VM(KVM_VM_TYPE_ARM_PROTECTED): %s",
	     vm_fd < 0 ? strerror(-vm_fd) : "created");
	check(vm_fd >= 0, "pKVM is on: its protected VMs can be created");
	if (vm_fd >= 0) {
		check_silent(vm_fd, "a protected VM: no guest_memfd attributes, content modes or memory attributes");
		close(vm_fd);
	}
	check_silent(kvm_fd, "system scope: no guest_memfd attributes, content modes or memory attributes");
#else
	check(false, "only arm64 has pKVM");
#endif
}

/*
 * A kernel without CONFIG_KVM_SW_PROTECTED_VM: no such VMs, the series'
 * capabilities silent, and a default VM's guest_memfd as in 7.3.
 */
static void expect_absent(void)
{
	const size_t size = getpagesize();
	int vm_fd, gmem_fd, r;
	char *mem, byte = 0;
	bool sigbus;

	check_type(false);
	check_silent(kvm_fd, "system scope: no guest_memfd attributes, content modes or memory attributes");
	vm_fd = create_vm(0);
	if (vm_fd < 0) {
		note("KVM_CREATE_VM(0): %s", strerror(-vm_fd));
		check(false, "a default VM can be created");
		return;
	}
	check_silent(vm_fd, "a default VM: the same");
	gmem_fd = create_gmem(vm_fd, size, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	note("KVM_CREATE_GUEST_MEMFD(MMAP | INIT_SHARED): %s",
	     gmem_fd < 0 ? strerror(-gmem_fd) : "created");
	check(gmem_fd >= 0, "its guest_memfd can be created shared and mappable, as in 7.3");
	if (gmem_fd >= 0) {
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, gmem_fd, 0);
		if (mem != MAP_FAILED) {
			mem[0] = 'x';
			sigbus = read_sigbus(mem, &byte) || child_read_sigbus(mem);
			check(!sigbus && byte == 'x', "the host uses it through mmap");
			munmap(mem, size);
		} else {
			note("mmap: %s", strerror(errno));
			check(false, "the host uses it through mmap");
		}
		r = convert(gmem_fd, size, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0);
		note("KVM_SET_MEMORY_ATTRIBUTES2: %s", strerror(r));
		check(r == EINVAL,
		      "KVM_SET_MEMORY_ATTRIBUTES2 on it is EINVAL: the VM has no private memory");
		close(gmem_fd);
	}
	close(vm_fd);
}

#ifdef __aarch64__
/*
 * The FWB field of ID_AA64MMFR2_EL1 as a vCPU of a default VM sees it (KVM
 * gives its guests the host's), or -errno.
 */
static long vcpu_fwb(void)
{
	struct kvm_vcpu_init init;
	uint64_t mmfr2 = 0;
	struct kvm_one_reg reg = {
		/* ID_AA64MMFR2_EL1: op0 3, op1 0, CRn 0, CRm 7, op2 2 */
		.id = ARM64_SYS_REG(3, 0, 0, 7, 2),
		.addr = (uint64_t)(unsigned long)&mmfr2,
	};
	int vm_fd = create_vm(0), vcpu_fd;
	long r = 0;

	if (vm_fd < 0)
		return vm_fd;
	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0 ||
	    ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &init) ||
	    ioctl(vcpu_fd, KVM_ARM_VCPU_INIT, &init) ||
	    ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg))
		r = -errno;
	if (vcpu_fd >= 0)
		close(vcpu_fd);
	close(vm_fd);
	/* FWB: bits 43:40 */
	return r ? r : (long)((mmfr2 >> 40) & 0xf);
}
#endif

int main(void)
{
	const char *value = cmdline_value("bench.expect");
	/* cmdline_value() reuses its buffer. */
	char *want = value ? strdup(value) : NULL;

	printf("TAP version 13\n");
	if (!want) {
		printf("1..1\nnot ok 1 no bench.expect= on the kernel command line: nothing to check\n");
		return 1;
	}
	kvm_fd = open("/dev/kvm", O_RDWR);
	if (kvm_fd < 0) {
		printf("1..1\nnot ok 1 /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	printf("# bench.expect=%s\n", want);
#ifdef __aarch64__
	check(CAP(kvm_fd, KVM_CAP_VM_TYPES) == 0, "KVM_CAP_VM_TYPES is 0, as in 7.3");
	value = cmdline_value("kvm-arm.mode");
	if (value && !strcmp(value, "nested"))
		check(CAP(kvm_fd, KVM_CAP_ARM_EL2) > 0,
		      "the host offers vEL2 (kvm-arm.mode=nested)");
	value = cmdline_value("bench.cpu");
	if (value) {
		long fwb = vcpu_fwb();

		note("QEMU CPU %s: a vCPU's ID_AA64MMFR2_EL1.FWB = %ld", value, fwb);
		check(fwb == 0, "a vCPU sees no FWB (bench.cpu=)");
	}
#endif
	if (!strcmp(want, "in-place"))
		expect_in_place();
	else if (!strcmp(want, "legacy"))
		expect_legacy();
	else if (!strcmp(want, "refused"))
		expect_refused();
	else if (!strcmp(want, "absent"))
		expect_absent();
	else
		check(false, "bench.expect= is one of in-place, legacy, refused, absent");
	printf("1..%d\n", nr_checks);
	return nr_failed ? 1 : 0;
}
