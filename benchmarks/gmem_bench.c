// SPDX-License-Identifier: GPL-2.0
/*
 * gmem_bench: measures in-place conversion of guest_memfd memory against
 * the two-backing path Linux 7.3 offers, on x86_64 and arm64.
 *
 * The same static binary runs on the patched kernel and on plain 7.3 and
 * measures whatever the kernel it runs on offers:
 *   - in place: a guest_memfd made with MMAP | INIT_SHARED is the only
 *     backing, and KVM_SET_MEMORY_ATTRIBUTES2 on it converts ranges
 *     (KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES);
 *   - the 7.3 path: KVM_SET_MEMORY_ATTRIBUTES on the VM tracks private gfns
 *     in an xarray (KVM_CAP_MEMORY_ATTRIBUTES), private memory comes from a
 *     guest_memfd, shared memory from a memfd at userspace_addr, and a
 *     conversion discards the backing being left (and copies, where the
 *     data must survive).
 *
 * Tables (the number is the first word of every result line):
 *   1  N MiB of allocated memory, a round trip a VM makes: the host writes
 *      it while shared, it becomes private, a vCPU writes every page, it
 *      becomes shared, the host writes every page again.  Time of each step,
 *      the memory held while private and at the peak, and a check of the
 *      contents the mode promises.
 *   2  one call converting a sparse range of 1 GiB up to 64 GiB of file:
 *      time, and the kernel memory the tracking holds while private.
 *   3  half of 1 GiB private, one call per page, every other page (each
 *      call adds a range) or contiguous pages (each call extends one): time
 *      per call, the same calls again (which change nothing), the slab the
 *      tracking uses, and converting back.
 *   4  host mmap of shared memory: guest_memfd against a memfd of the same
 *      size, first-touch faults per second and read bandwidth.
 *   5  a vCPU writing one byte to each of N pages: time per guest fault, for
 *      private memory, for shared guest_memfd memory (in a software-protected
 *      VM, where KVM asks guest_memfd for the state of each page, and in a
 *      default VM, where it does not), and for anonymous memory.
 *
 * Every row runs one repetition first whose figures are not reported (a
 * warm-up: the first of a kind pays for caches and slabs), except the
 * largest sizes of table 2, whose single calls take seconds.
 *
 * Output, one line per measurement and repetition, for bench/report.py:
 *   @@M table row metric value
 * and "@@N table row why" for a row this kernel cannot run.  The program
 * never judges a number; it exits non-zero only if an operation that the
 * kernel claims to support fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include <linux/falloc.h>
#include <linux/kvm.h>

#define PAGE		4096UL
#define MIB		(1UL << 20)
#define GIB		(1UL << 30)

/* Guest physical layout, the same on both architectures. */
#define CODE_GPA	0x0UL		/* the guest code, a plain memslot */
#define CODE_SIZE	(64 * 1024UL)
#define DATA_GPA	0x10000000UL	/* the memory being measured */
#define SPARSE_GPA	(1UL << 32)	/* table 2's large memslots */
#define DOORBELL_GPA	0x40000000UL	/* arm64: the guest's "done" store */
#define DOORBELL_PORT	0x10		/* x86: the guest's "done" OUT */

static int kvm_fd;
static int reps = 5;
static unsigned long conv_mib = 128, alt_mib = 1024, mmap_mib = 128, fault_mib = 32;
static unsigned long sparse_max_gib = 64;
static bool warming_up;		/* the repetition whose figures are dropped */

/* ------------------------------------------------------------------ */

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fflush(stdout);
	fprintf(stderr, "gmem_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void result(int table, const char *row, const char *metric, double value)
{
	if (warming_up)
		return;
	printf("@@M %d %s %s %.3f\n", table, row, metric, value);
	fflush(stdout);
}

static void not_here(int table, const char *row, const char *why)
{
	printf("@@N %d %s %s\n", table, row, why);
	fflush(stdout);
}

/* A field of /proc/meminfo, in KiB. */
static long meminfo(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	if (v < 0)
		die("no %s in /proc/meminfo", field);
	return v;
}

/*
 * Slab in KiB once freed objects have reached the slabs: RCU-freed nodes
 * (maple tree, xarray) would otherwise still count.  Read until two reads
 * 20 ms apart agree (for at most a second).  The figure counts whole slab
 * pages: differences of a few pages are noise.
 */
static long slab_kib(void)
{
	long prev = -1, cur = meminfo("Slab");
	int i;

	for (i = 0; i < 50 && cur != prev; i++) {
		usleep(20 * 1000);
		prev = cur;
		cur = meminfo("Slab");
	}
	return cur;
}

static int check_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

/* ------------------------------------------------------------------ */
/* VMs and memory                                                      */

/* The software-protected VM type, or -1 if this kernel has none. */
static long sw_protected_type(void)
{
#if defined(__x86_64__)
	int types = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);

	if (types < 0)
		return -1;
	return types & (1u << KVM_X86_SW_PROTECTED_VM) ? KVM_X86_SW_PROTECTED_VM : -1;
#else
	/*
	 * arm64 keeps KVM_CAP_VM_TYPES at 0, as 7.3 does; the type flags it
	 * accepts come from KVM_CAP_ARM_VM_TYPE_FLAGS (never negative).
	 */
	int flags = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_TYPE_FLAGS);

	if (flags < 0)
		return -1;
	return flags & KVM_VM_TYPE_ARM_SW_PROTECTED ? (long)KVM_VM_TYPE_ARM_SW_PROTECTED : -1;
#endif
}

static int create_vm(long type)
{
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, type);

	if (vm < 0)
		die("KVM_CREATE_VM(%#lx)", type);
	return vm;
}

static int create_gmem(int vm, unsigned long size, uint64_t flags)
{
	struct kvm_create_guest_memfd g = { .size = size, .flags = flags };
	int fd = ioctl(vm, KVM_CREATE_GUEST_MEMFD, &g);

	if (fd < 0)
		die("KVM_CREATE_GUEST_MEMFD(%lu MiB, flags %#llx)", size / MIB,
		    (unsigned long long)flags);
	return fd;
}

static void set_slot(int vm, int slot, uint32_t flags, unsigned long gpa, unsigned long size,
		     void *uaddr, int gmem)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)uaddr,
		.guest_memfd = gmem,
	};

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r))
		die("KVM_SET_USER_MEMORY_REGION2(slot %d, %lu MiB at %#lx)", slot,
		    size / MIB, gpa);
}

static void *map_fd(int fd, unsigned long size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap of %lu MiB", size / MIB);
	return p;
}

static int create_memfd(unsigned long size)
{
	int fd = memfd_create("gmem_bench", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, size))
		die("memfd of %lu MiB", size / MIB);
	return fd;
}

/* In place: convert [offset, offset + size) of a guest_memfd. */
static void convert_gmem(int gmem, unsigned long offset, unsigned long size, bool private,
			 uint64_t mode)
{
	struct kvm_memory_attributes2 a = {
		.offset = offset,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = mode,
	};
	int tries = 0;

	/*
	 * EAGAIN: a transient reference on a page (e.g. a fault in flight).
	 * error_offset came back set, and must be 0 going in.
	 */
	while (ioctl(gmem, KVM_SET_MEMORY_ATTRIBUTES2, &a)) {
		if (errno != EAGAIN || ++tries > 100)
			die("KVM_SET_MEMORY_ATTRIBUTES2(%#lx + %#lx, %s, mode %#llx)",
			    offset, size, private ? "private" : "shared",
			    (unsigned long long)mode);
		a.error_offset = 0;
		usleep(1000);
	}
}

/* The 7.3 path: convert guest physical [gpa, gpa + size) of the VM. */
static void convert_vm(int vm, unsigned long gpa, unsigned long size, bool private)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	if (ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a))
		die("KVM_SET_MEMORY_ATTRIBUTES(%#lx + %#lx, %s)", gpa, size,
		    private ? "private" : "shared");
}

static void punch(int fd, unsigned long size)
{
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, size))
		die("punching %lu MiB", size / MIB);
}

static void allocate(int fd, unsigned long size)
{
	if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, size))
		die("allocating %lu MiB", size / MIB);
}

/* Write one byte to each page: a first touch faults every page in. */
static void touch(volatile unsigned char *p, unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i += PAGE)
		p[i] = (unsigned char)(i >> 12) | 1;
}

/* What fill() writes at byte @i (a multiple of 8), for check_contents(). */
static uint64_t pattern(unsigned long i)
{
	return i * 0x9e3779b97f4a7c15ULL;
}

static void fill(unsigned char *p, unsigned long size)
{
	unsigned long i;

	for (i = 0; i < size; i += sizeof(uint64_t))
		*(uint64_t *)(p + i) = pattern(i);
}

static uint64_t sum(const unsigned char *p, unsigned long size)
{
	uint64_t s = 0;
	unsigned long i;

	for (i = 0; i < size; i += sizeof(uint64_t))
		s += *(const volatile uint64_t *)(p + i);
	return s;
}

/* What this kernel offers for the software-protected VM type. */
static struct {
	long sw_type;		/* -1: none */
	bool in_place;		/* KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd */
	bool vm_attributes;	/* KVM_SET_MEMORY_ATTRIBUTES on the VM */
	uint64_t modes;		/* KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS */
	bool gmem_mmap_default;	/* MMAP | INIT_SHARED for a default VM */
} k;

static void probe(void)
{
	uint64_t want = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	struct utsname u;
	int vm;

	k.sw_type = sw_protected_type();
	if (k.sw_type >= 0) {
		vm = create_vm(k.sw_type);
		k.in_place = check_cap(vm, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES) &
			     KVM_MEMORY_ATTRIBUTE_PRIVATE;
		k.vm_attributes = check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES) &
				  KVM_MEMORY_ATTRIBUTE_PRIVATE;
		k.modes = check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS);
		if (k.in_place && (check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS) & want) != want)
			k.in_place = false;
		close(vm);
	}
	vm = create_vm(0);
	k.gmem_mmap_default = (check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS) & want) == want;
	close(vm);

	uname(&u);
	printf("@@I kernel %s %s sw_protected_type=%ld in_place=%d vm_attributes=%d "
	       "modes=%#llx gmem_mmap_default_vm=%d reps=%d\n", u.release, u.machine,
	       k.sw_type, k.in_place, k.vm_attributes, (unsigned long long)k.modes,
	       k.gmem_mmap_default, reps);
}

/* ------------------------------------------------------------------ */
/* The guest                                                           */

/*
 * The guest writes one byte (1) at the start of each of @pages pages from
 * @gpa, then says it is done.  x86: 32-bit protected mode, flat segments,
 * no paging; EDI = gpa, ECX = pages.  arm64: EL1 with the MMU off; X0 = gpa,
 * X1 = pages, X3 = DOORBELL_GPA.
 */
#if defined(__x86_64__)
asm(".pushsection .rodata.guest, \"a\"\n"
    ".globl guest_touch, guest_touch_end\n"
    "guest_touch:\n"
    ".code32\n"
    "1:	movb $1, (%edi)\n"
    "	addl $4096, %edi\n"
    "	decl %ecx\n"
    "	jnz 1b\n"
    "	outb %al, $0x10\n"
    "	hlt\n"
    ".code64\n"
    "guest_touch_end:\n"
    ".popsection\n");
#elif defined(__aarch64__)
asm(".pushsection .rodata.guest, \"a\"\n"
    ".balign 4\n"
    ".globl guest_touch, guest_touch_end\n"
    "guest_touch:\n"
    "	mov w2, #1\n"
    "1:	strb w2, [x0]\n"
    "	add x0, x0, #1, lsl #12\n"
    "	subs x1, x1, #1\n"
    "	b.ne 1b\n"
    "	str w2, [x3]\n"
    "2:	b 2b\n"
    "guest_touch_end:\n"
    ".popsection\n");
#else
#error "gmem_bench runs on x86_64 and arm64"
#endif
extern const unsigned char guest_touch[], guest_touch_end[];

#if defined(__aarch64__)
static void set_core_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = {
		.id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | id,
		.addr = (uintptr_t)&val,
	};

	if (ioctl(vcpu, KVM_SET_ONE_REG, &reg))
		die("KVM_SET_ONE_REG");
}
#endif

static void setup_vcpu(int vm, int vcpu, unsigned long gpa, unsigned long pages)
{
#if defined(__x86_64__)
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 0xb,
		.present = 1, .db = 1, .s = 1, .g = 1,
	};
	struct kvm_segment data = code;
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = CODE_GPA, .rdi = gpa, .rcx = pages, .rflags = 0x2,
	};

	(void)vm;
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	data.selector = 0x10;
	data.type = 0x3;
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.ss = sregs.fs = sregs.gs = data;
	sregs.cr0 = 0x31;	/* PE | ET | NE: protected mode, caches on, no paging */
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		die("setting the vCPU's registers");
#else
	struct kvm_vcpu_init init = { 0 };

	if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) || ioctl(vcpu, KVM_ARM_VCPU_INIT, &init))
		die("initializing the vCPU");
	set_core_reg(vcpu, KVM_REG_ARM_CORE_REG(regs.pc), CODE_GPA);
	set_core_reg(vcpu, KVM_REG_ARM_CORE_REG(regs.regs[0]), gpa);
	set_core_reg(vcpu, KVM_REG_ARM_CORE_REG(regs.regs[1]), pages);
	set_core_reg(vcpu, KVM_REG_ARM_CORE_REG(regs.regs[3]), DOORBELL_GPA);
#endif
}

/* Run until the guest says it is done. */
static void run_until_done(int vcpu, struct kvm_run *run)
{
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (run->exit_reason == KVM_EXIT_MEMORY_FAULT)
				die("KVM_RUN: memory fault exit at %#llx (%s)",
				    (unsigned long long)run->memory_fault.gpa,
				    run->memory_fault.flags & KVM_MEMORY_EXIT_FLAG_PRIVATE ?
				    "private" : "shared");
			die("KVM_RUN");
		}
#if defined(__x86_64__)
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == DOORBELL_PORT)
			return;
#else
		if (run->exit_reason == KVM_EXIT_MMIO && run->mmio.phys_addr == DOORBELL_GPA)
			return;
#endif
		errno = 0;
		die("unexpected exit reason %u", run->exit_reason);
	}
}

/*
 * The guest faults KVM handles for a vCPU, from its binary statistics: x86
 * counts them (pf_taken); arm64 does not, so take its exits, less the
 * guest's one exit to say it is done (the rare interrupt exit is counted
 * as a fault).
 */
#if defined(__x86_64__)
#define FAULT_STAT	"pf_taken"
#define DONE_EXITS	0
#else
#define FAULT_STAT	"exits"
#define DONE_EXITS	1
#endif

/* Where statistic @name of the binary statistics file @fd is. */
static off_t stat_offset(int fd, const char *name)
{
	struct kvm_stats_header h;
	size_t dsize, len;
	char *descs;
	off_t off = -1;
	uint32_t i;

	if (pread(fd, &h, sizeof(h), 0) != sizeof(h))
		die("reading the vCPU's statistics header");
	dsize = sizeof(struct kvm_stats_desc) + h.name_size;
	len = dsize * h.num_desc;
	descs = malloc(len);
	if (!descs || pread(fd, descs, len, h.desc_offset) != (ssize_t)len)
		die("reading the vCPU's statistics descriptors");
	for (i = 0; i < h.num_desc && off < 0; i++) {
		struct kvm_stats_desc *d = (struct kvm_stats_desc *)(descs + i * dsize);

		if (!strncmp(d->name, name, h.name_size))
			off = h.data_offset + d->offset;
	}
	free(descs);
	if (off < 0) {
		errno = 0;
		die("the vCPU has no statistic %s", name);
	}
	return off;
}

/* A vCPU and its code, in memslot @slot of @vm. */
struct guest {
	int vcpu, run_size;
	struct kvm_run *run;
	unsigned char *code;
	int stats;		/* the vCPU's binary statistics */
	off_t faults_at;	/* where FAULT_STAT is in them */
};

static uint64_t guest_fault_count(struct guest *g)
{
	uint64_t v;

	if (pread(g->stats, &v, sizeof(v), g->faults_at) != sizeof(v))
		die("reading the vCPU's " FAULT_STAT);
	return v;
}

static void guest_create(struct guest *g, int vm, int slot)
{
	g->code = mmap(NULL, CODE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->code == MAP_FAILED)
		die("guest code buffer");
	memcpy(g->code, guest_touch, guest_touch_end - guest_touch);
	set_slot(vm, slot, 0, CODE_GPA, CODE_SIZE, g->code, -1);

	g->run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (g->run_size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	g->vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (g->vcpu < 0)
		die("KVM_CREATE_VCPU");
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
	if (g->run == MAP_FAILED)
		die("mmap of kvm_run");
	g->stats = ioctl(g->vcpu, KVM_GET_STATS_FD, NULL);
	if (g->stats < 0)
		die("KVM_GET_STATS_FD");
	g->faults_at = stat_offset(g->stats, FAULT_STAT);
}

/*
 * The guest writes to @pages pages from @gpa; returns when it is done, with
 * the guest faults that took.
 */
static uint64_t guest_touch_pages(struct guest *g, int vm, unsigned long gpa,
				  unsigned long pages)
{
	uint64_t faults = guest_fault_count(g);

	setup_vcpu(vm, g->vcpu, gpa, pages);
	run_until_done(g->vcpu, g->run);
	return guest_fault_count(g) - faults - DONE_EXITS;
}

static void guest_destroy(struct guest *g)
{
	close(g->stats);
	munmap(g->run, g->run_size);
	close(g->vcpu);
	munmap(g->code, CODE_SIZE);
}

/* ------------------------------------------------------------------ */
/* Table 1: a round trip of N MiB of allocated memory                   */

/*
 * The memory a round trip uses: the page cache pages of the memfd and of
 * the guest_memfd ("Cached" counts both as they are added and removed),
 * above what was there before the range was filled.  Reading it costs
 * time, which is kept out of the steps' times (@spent).
 */
struct round {
	long base;		/* Cached before any page of the range existed */
	long peak;		/* the highest Cached seen since */
	long now;		/* the last one */
	double spent;		/* time spent reading /proc/meminfo */
};

static void sample(struct round *s)
{
	double t = now_us();

	s->now = meminfo("Cached");
	if (s->now > s->peak)
		s->peak = s->now;
	s->spent += now_us() - t;
}

static void round_start(struct round *s)
{
	s->spent = 0;
	sample(s);
	s->base = s->peak = s->now;
}

/* A time stamp without the time spent sampling. */
static double mark(struct round *s)
{
	return now_us() - s->spent;
}

/*
 * A round trip is made twice in each repetition, in the same VM, and only
 * the second is reported: the first maps every page for the guest and the
 * host, as in a VM that has run for a while, so that the second shows what
 * a conversion costs the mappings that are there (the guest's faults after
 * it are counted).
 */
#define ROUND_PASSES	2

/*
 * The contents after the round trip, outside every timed step: bytes 8 to
 * the end of each page (the vCPU and the host wrote byte 0) must hold what
 * fill() wrote (@kept) or zeros.
 */
static void check_contents(const char *row, const unsigned char *p, unsigned long size,
			   bool kept)
{
	unsigned long i;

	for (i = 0; i < size; i += sizeof(uint64_t)) {
		uint64_t want = kept ? pattern(i) : 0;

		if (i % PAGE == 0)
			continue;
		if (*(const uint64_t *)(p + i) != want) {
			errno = 0;
			die("%s: byte %lu holds %#llx, not the %s", row, i,
			    (unsigned long long)*(const uint64_t *)(p + i),
			    kept ? "data written before the round trip" : "zeros promised");
		}
	}
}

/*
 * The round trip's vCPU step: the vCPU writes every page (t[1] to t[2]);
 * the memory held then is the private memory.  Returns the guest's faults.
 */
static uint64_t round_guest_touch(struct guest *g, int vm, unsigned long size,
				  struct round *s, double *t, long *private_kib)
{
	uint64_t faults;

	t[1] = mark(s);
	faults = guest_touch_pages(g, vm, DATA_GPA, size / PAGE);
	sample(s);
	*private_kib = s->now - s->base;
	t[2] = mark(s);
	return faults;
}

static void report_round(const char *row, const double *t, struct round *s,
			 long private_kib, uint64_t faults, unsigned long pages)
{
	result(1, row, "to_private_ms", (t[1] - t[0]) / 1e3);
	result(1, row, "guest_touch_ms", (t[2] - t[1]) / 1e3);
	result(1, row, "to_shared_ms", (t[3] - t[2]) / 1e3);
	result(1, row, "host_touch_ms", (t[4] - t[3]) / 1e3);
	result(1, row, "total_ms", (t[4] - t[0]) / 1e3);
	result(1, row, "private_mib", private_kib / 1024.0);
	result(1, row, "peak_mib", (s->peak - s->base) / 1024.0);
	result(1, row, "vcpu_faults_per_page", (double)faults / pages);
}

/*
 * In place: one guest_memfd, mapped by the host, the memslot's only
 * backing.  Converted to private with @to_private, and back with @to_shared.
 */
static void round_in_place(const char *row, uint64_t to_private, uint64_t to_shared,
			   bool kept, bool zeroed)
{
	unsigned long size = conv_mib * MIB;
	int r;

	if (!k.in_place) {
		not_here(1, row, "no in-place conversion on this kernel");
		return;
	}
	if ((to_private | to_shared) & ~k.modes) {
		not_here(1, row, "content mode not supported");
		return;
	}
	for (r = -1; r < reps; r++) {
		int vm = create_vm(k.sw_type);
		int gmem = create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP |
				       GUEST_MEMFD_FLAG_INIT_SHARED);
		unsigned char *mem = map_fd(gmem, size);
		struct guest g;
		struct round s;
		double t[5];
		long private_kib;
		uint64_t faults;
		int pass;

		warming_up = r < 0;
		set_slot(vm, 0, KVM_MEM_GUEST_MEMFD, DATA_GPA, size, mem, gmem);
		guest_create(&g, vm, 1);
		round_start(&s);
		for (pass = 0; pass < ROUND_PASSES; pass++) {
			fill(mem, size);
			sample(&s);

			t[0] = mark(&s);
			convert_gmem(gmem, 0, size, true, to_private);
			sample(&s);
			faults = round_guest_touch(&g, vm, size, &s, t, &private_kib);
			convert_gmem(gmem, 0, size, false, to_shared);
			sample(&s);
			t[3] = mark(&s);
			touch(mem, size);
			t[4] = mark(&s);
			sample(&s);
			if (kept || zeroed)
				check_contents(row, mem, size, kept);
		}
		report_round(row, t, &s, private_kib, faults, size / PAGE);

		guest_destroy(&g);
		munmap(mem, size);
		close(gmem);
		close(vm);
	}
	warming_up = false;
}

/*
 * The 7.3 path: private memory in a guest_memfd, shared memory in a memfd,
 * both bound to one memslot, the state in the VM's attributes.  To private:
 * set the attribute, discard the shared copy.  To shared: set the
 * attribute, discard the private copy.  Where the data must survive
 * (@copy_in, @copy_out), it is copied into the backing being entered
 * first.  The host cannot write private memory, so the copy into private
 * memory is timed as allocating the private pages and a host memcpy into a
 * buffer of the same size: a lower bound of what the guest or firmware
 * pays for it.  Without attributes (arm64 7.3 has no private memory), only
 * the backings are handled, only the memfd is bound to the memslot, and
 * the pages the vCPU writes in the memfd stand for the private memory: they
 * are discarded on the way back (which zaps the vCPU's mappings of them).
 */
static void round_two_backings(const char *row, bool copy_in, bool copy_out)
{
	unsigned long size = conv_mib * MIB;
	bool attrs = k.vm_attributes && !k.in_place;
	int r;

	for (r = -1; r < reps; r++) {
		int vm = create_vm(attrs ? k.sw_type : 0);
		int gmem = create_gmem(vm, size, 0);
		int memfd = create_memfd(size);
		unsigned char *shared = map_fd(memfd, size);
		unsigned char *scratch;
		struct guest g;
		struct round s;
		double t[5];
		long private_kib;
		uint64_t faults;
		int pass;

		warming_up = r < 0;
		scratch = mmap(NULL, size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (scratch == MAP_FAILED)
			die("scratch buffer");
		/* arm64 7.3 binds a guest_memfd only as a memslot's sole backing. */
		if (attrs)
			set_slot(vm, 0, KVM_MEM_GUEST_MEMFD, DATA_GPA, size, shared, gmem);
		else
			set_slot(vm, 0, 0, DATA_GPA, size, shared, -1);
		guest_create(&g, vm, 1);
		round_start(&s);
		for (pass = 0; pass < ROUND_PASSES; pass++) {
			fill(shared, size);
			sample(&s);

			t[0] = mark(&s);
			if (attrs)
				convert_vm(vm, DATA_GPA, size, true);
			if (copy_in) {
				allocate(gmem, size);
				memcpy(scratch, shared, size);
				sample(&s);
			}
			punch(memfd, size);
			sample(&s);
			faults = round_guest_touch(&g, vm, size, &s, t, &private_kib);
			if (attrs)
				convert_vm(vm, DATA_GPA, size, false);
			else
				punch(memfd, size);	/* what the vCPU wrote stands for private memory */
			if (copy_out) {
				memcpy(shared, scratch, size);
				sample(&s);
			}
			punch(gmem, size);
			sample(&s);
			t[3] = mark(&s);
			touch(shared, size);
			t[4] = mark(&s);
			sample(&s);
			check_contents(row, shared, size, copy_out);
		}
		report_round(row, t, &s, private_kib, faults, size / PAGE);

		guest_destroy(&g);
		munmap(scratch, size);
		munmap(shared, size);
		close(memfd);
		close(gmem);
		close(vm);
	}
	warming_up = false;
}

static void table1(void)
{
	printf("@@T 1 %lu MiB round trip\n", conv_mib);
	round_in_place("inplace-preserve", KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
		       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE, true, false);
	round_in_place("inplace-preserve-zero", KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
		       KVM_SET_MEMORY_ATTRIBUTES2_ZERO, false, true);
	round_in_place("inplace-unspecified", KVM_SET_MEMORY_ATTRIBUTES2_MODE_UNSPECIFIED,
		       KVM_SET_MEMORY_ATTRIBUTES2_MODE_UNSPECIFIED, false, false);
	if (k.in_place) {
		not_here(1, "two-backings-copy", "measured on plain 7.3");
		not_here(1, "two-backings-copy-in", "measured on plain 7.3");
		not_here(1, "two-backings-discard", "measured on plain 7.3");
		return;
	}
	round_two_backings("two-backings-copy", true, true);
	round_two_backings("two-backings-copy-in", true, false);
	round_two_backings("two-backings-discard", false, false);
}

/* ------------------------------------------------------------------ */
/* Tables 2 and 3: a range tracked in place or in the VM's xarray       */

/*
 * A VM and its guest_memfd of @size, bound to a memslot at @gpa: in place,
 * the guest_memfd is shared and mapped by the host (untouched), as a VMM
 * has it; for the VM-level attributes, a reserved anonymous range stands
 * for the shared backing.
 */
struct tracked {
	bool in_place;
	int vm, gmem;
	unsigned long gpa, size;
	void *va;
};

static void tracked_open(struct tracked *t, bool in_place, unsigned long gpa,
			 unsigned long size)
{
	t->in_place = in_place;
	t->gpa = gpa;
	t->size = size;
	t->vm = create_vm(k.sw_type);
	t->gmem = create_gmem(t->vm, size, in_place ? GUEST_MEMFD_FLAG_MMAP |
			      GUEST_MEMFD_FLAG_INIT_SHARED : 0);
	if (in_place)
		t->va = map_fd(t->gmem, size);
	else
		t->va = mmap(NULL, size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->va == MAP_FAILED)
		die("reserving %lu MiB of address space", size / MIB);
	set_slot(t->vm, 0, KVM_MEM_GUEST_MEMFD, gpa, size, t->va, t->gmem);
}

/* Convert [@offset, @offset + @len) of the range, with PRESERVE in place. */
static void tracked_convert(struct tracked *t, unsigned long offset, unsigned long len,
			    bool private)
{
	if (t->in_place)
		convert_gmem(t->gmem, offset, len, private, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
	else
		convert_vm(t->vm, t->gpa + offset, len, private);
}

static void tracked_close(struct tracked *t)
{
	munmap(t->va, t->size);
	close(t->gmem);
	close(t->vm);
}

/* ------------------------------------------------------------------ */
/* Table 2: one call over a large, sparse range                         */

static void sparse_one(unsigned long gib, bool in_place)
{
	unsigned long size = gib * GIB;
	char row[48];
	int r;

	snprintf(row, sizeof(row), "%s-%luG", in_place ? "inplace" : "vm-xarray", gib);
	if (in_place ? !k.in_place : !k.vm_attributes) {
		not_here(2, row, in_place ? "no in-place conversion on this kernel" :
			 "no VM-level attributes on this kernel");
		return;
	}
	/*
	 * The biggest sizes take seconds per call on the per-gfn xarray:
	 * fewer rounds, no warm-up.
	 */
	for (r = gib >= 16 ? 0 : -1; r < (gib >= 16 && reps > 3 ? 3 : reps); r++) {
		struct tracked t;
		double t0, t1, t2;
		long s0, s1;

		warming_up = r < 0;
		tracked_open(&t, in_place, SPARSE_GPA, size);
		s0 = slab_kib();
		t0 = now_us();
		tracked_convert(&t, 0, size, true);
		t1 = now_us();
		s1 = slab_kib();
		t2 = now_us();
		tracked_convert(&t, 0, size, false);
		t2 = now_us() - t2;
		result(2, row, "to_private_ms", (t1 - t0) / 1e3);
		result(2, row, "to_shared_ms", t2 / 1e3);
		result(2, row, "slab_private_kib", s1 - s0);
		tracked_close(&t);
	}
	warming_up = false;
}

static void table2(void)
{
	unsigned long gib;

	printf("@@T 2 sparse range, one call\n");
	for (gib = 1; gib <= sparse_max_gib; gib *= 4) {
		sparse_one(gib, true);
		sparse_one(gib, false);
	}
}

/* ------------------------------------------------------------------ */
/* Table 3: every other page private                                    */

/*
 * @stride 2: every other page, each call adds a range; @stride 1: the first
 * half of the file page by page, each call extends the range before it.
 */
static void per_page(bool in_place, unsigned long stride)
{
	char row[48];
	unsigned long size = alt_mib * MIB, n = size / PAGE / 2, i;
	int r;

	snprintf(row, sizeof(row), "%s%s", in_place ? "inplace" : "vm-xarray",
		 stride == 1 ? "-contiguous" : "");

	if (in_place ? !k.in_place : !k.vm_attributes) {
		not_here(3, row, in_place ? "no in-place conversion on this kernel" :
			 "no VM-level attributes on this kernel");
		return;
	}
	for (r = -1; r < reps; r++) {
		struct tracked t;
		double t0, t1;
		long s0, s1, s2;
		int pass;

		warming_up = r < 0;
		tracked_open(&t, in_place, DATA_GPA, size);
		s0 = slab_kib();

		/*
		 * Pass 0 converts to private, pass 1 does the same again (no
		 * change), pass 2 converts back to shared.
		 */
		for (pass = 0; pass < 3; pass++) {
			t0 = now_us();
			for (i = 0; i < n; i++)
				tracked_convert(&t, (stride * i + stride - 1) * PAGE, PAGE,
						pass < 2);
			t1 = now_us();
			switch (pass) {
			case 0:
				s1 = slab_kib();
				result(3, row, "to_private_us_per_call", (t1 - t0) / n);
				result(3, row, "slab_before_kib", s0);
				result(3, row, "slab_kib", s1 - s0);
				break;
			case 1:
				result(3, row, "noop_us_per_call", (t1 - t0) / n);
				break;
			default:
				s2 = slab_kib();
				result(3, row, "to_shared_us_per_call", (t1 - t0) / n);
				result(3, row, "slab_kib_after_back", s2 - s0);
			}
		}

		tracked_close(&t);
	}
	warming_up = false;
}

static void table3(void)
{
	printf("@@T 3 every other page of %lu MiB private, one call per page\n", alt_mib);
	per_page(true, 2);
	per_page(false, 2);
	per_page(true, 1);
	per_page(false, 1);
}

/* ------------------------------------------------------------------ */
/* Table 4: host access through mmap                                    */

enum backing { MEMFD, GMEM_SW, GMEM_DEFAULT };

static const char * const backing_rows[] = { "memfd", "gmem-sw-protected", "gmem-default-vm" };

/* Whether this kernel can run the row, else says why not (once). */
static bool host_access_possible(enum backing b)
{
	if (b == GMEM_SW && !k.in_place) {
		not_here(4, backing_rows[b], "no shared guest_memfd memory in software-protected VMs");
		return false;
	}
	if (b == GMEM_DEFAULT && !k.gmem_mmap_default) {
		not_here(4, backing_rows[b], "guest_memfd cannot be mapped");
		return false;
	}
	return true;
}

/* One repetition of a row: fault every page in, then read it all. */
static void host_access(enum backing b)
{
	unsigned long size = mmap_mib * MIB;
	int vm = -1, fd;
	unsigned char *mem;
	double t0, t1, t2;

	if (b == MEMFD) {
		fd = create_memfd(size);
	} else {
		vm = create_vm(b == GMEM_SW ? k.sw_type : 0);
		fd = create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP |
				 GUEST_MEMFD_FLAG_INIT_SHARED);
	}
	mem = map_fd(fd, size);
	/*
	 * Let the work the last row left behind (freeing its file's pages and
	 * its VM, RCU callbacks) run now rather than on this row's time: the
	 * guest's CPUs share one host thread.
	 */
	usleep(50 * 1000);
	t0 = now_us();
	touch(mem, size);
	t1 = now_us();
	sum(mem, size);
	t2 = now_us();
	result(4, backing_rows[b], "first_touch_kfaults_per_s", size / PAGE / (t1 - t0) * 1e3);
	result(4, backing_rows[b], "read_mib_per_s", size / MIB / ((t2 - t1) / 1e6));

	munmap(mem, size);
	close(fd);
	if (vm >= 0)
		close(vm);
}

static void table4(void)
{
	/*
	 * The rows both kernels run first, in the same order, then the
	 * series' own.  The rows take turns within each repetition: the
	 * speed of an emulated guest drifts by tens of percent over tens of
	 * seconds, and a row run in one block after another would take the
	 * drift for a difference between backings.  "@@R 4 r" starts
	 * repetition r, for report.py to pair each row with memfd's figure of
	 * the same repetition.  From the second repetition on, memfd follows
	 * the last row the kernel has (the software-protected VM's on the
	 * series, the default VM's on 7.3): the wait before each timed touch
	 * is what keeps that from counting.
	 */
	static const enum backing order[] = { MEMFD, GMEM_DEFAULT, GMEM_SW };
	bool possible[sizeof(order) / sizeof(order[0])];
	unsigned int i;
	int r;

	printf("@@T 4 host mmap of %lu MiB\n", mmap_mib);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		possible[i] = host_access_possible(order[i]);
	/* Cheap and noisy under emulation: three times the repetitions. */
	for (r = -1; r < 3 * reps; r++) {
		warming_up = r < 0;
		if (!warming_up)
			printf("@@R 4 %d\n", r);
		for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
			if (possible[i])
				host_access(order[i]);
	}
	warming_up = false;
}

/* ------------------------------------------------------------------ */
/* Table 5: guest faults                                                */

enum guest_mem {
	PRIVATE_IN_PLACE, PRIVATE_VM_ATTRS, SHARED_GMEM_SW, SHARED_GMEM_DEFAULT, ANON_DEFAULT,
};

static void guest_faults(enum guest_mem m)
{
	static const char * const rows[] = {
		"private-inplace", "private-vm-attributes", "shared-gmem-sw-protected",
		"shared-gmem-default-vm", "anon-default-vm",
	};
	unsigned long size = fault_mib * MIB, pages = size / PAGE;
	int r;

	if (((m == PRIVATE_IN_PLACE || m == SHARED_GMEM_SW) && !k.in_place) ||
	    (m == PRIVATE_VM_ATTRS && (!k.vm_attributes || k.in_place))) {
		not_here(5, rows[m], m == PRIVATE_VM_ATTRS ? "no VM-level attributes on this kernel" :
			 "no in-place conversion on this kernel");
		return;
	}
	if (m == SHARED_GMEM_DEFAULT && !k.gmem_mmap_default) {
		not_here(5, rows[m], "no guest_memfd-only memslots");
		return;
	}

	for (r = -1; r < reps; r++) {
		bool default_vm = m == SHARED_GMEM_DEFAULT || m == ANON_DEFAULT;
		int vm = create_vm(default_vm ? 0 : k.sw_type);
		int gmem = -1, memfd = -1;
		unsigned char *mem;
		struct guest g;
		double t0, t1;

		warming_up = r < 0;
		switch (m) {
		case PRIVATE_IN_PLACE:		/* private from creation */
			gmem = create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP);
			mem = map_fd(gmem, size);
			break;
		case PRIVATE_VM_ATTRS:
			gmem = create_gmem(vm, size, 0);
			memfd = create_memfd(size);
			mem = map_fd(memfd, size);
			break;
		case ANON_DEFAULT:		/* the classic: anonymous memory */
			mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (mem == MAP_FAILED)
				die("anonymous memory");
			break;
		default:			/* shared from creation */
			gmem = create_gmem(vm, size, GUEST_MEMFD_FLAG_MMAP |
					   GUEST_MEMFD_FLAG_INIT_SHARED);
			mem = map_fd(gmem, size);
			break;
		}
		set_slot(vm, 0, gmem >= 0 ? KVM_MEM_GUEST_MEMFD : 0, DATA_GPA, size, mem, gmem);
		if (m == PRIVATE_VM_ATTRS)
			convert_vm(vm, DATA_GPA, size, true);
		guest_create(&g, vm, 1);

		t0 = now_us();
		guest_touch_pages(&g, vm, DATA_GPA, pages);
		t1 = now_us();
		result(5, rows[m], "us_per_page", (t1 - t0) / pages);

		guest_destroy(&g);
		munmap(mem, size);
		if (memfd >= 0)
			close(memfd);
		if (gmem >= 0)
			close(gmem);
		close(vm);
	}
	warming_up = false;
}

static void table5(void)
{
	printf("@@T 5 a vCPU touching %lu MiB\n", fault_mib);
	/*
	 * Each kernel's private memory first, then the rows both kernels
	 * run, then the series' own, so that what ran before a row compared
	 * across kernels is the same.
	 */
	guest_faults(PRIVATE_IN_PLACE);
	guest_faults(PRIVATE_VM_ATTRS);
	guest_faults(SHARED_GMEM_DEFAULT);
	guest_faults(ANON_DEFAULT);
	guest_faults(SHARED_GMEM_SW);
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: gmem_bench [-r reps] [-c conversion_mib] [-s sparse_max_gib (<= 256)]\n"
		"                  [-a alternating_mib] [-m mmap_mib] [-f fault_mib] [-t tables]\n"
		"  -t: the tables to run, e.g. 125 (default 12345)\n");
	exit(2);
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || !v)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	const char *tables = "12345";
	int c;

	while ((c = getopt(argc, argv, "r:c:s:a:m:f:t:")) != -1) {
		switch (c) {
		case 'r': reps = number(optarg); break;
		case 'c': conv_mib = number(optarg); break;
		case 's': sparse_max_gib = number(optarg); break;
		case 'a': alt_mib = number(optarg); break;
		case 'm': mmap_mib = number(optarg); break;
		case 'f': fault_mib = number(optarg); break;
		case 't': tables = optarg; break;
		default: usage();
		}
	}
	/* The guest's memory must stay below the doorbell, the sparse slots in 40 bits. */
	if (optind != argc || getpagesize() != (int)PAGE || sparse_max_gib > 256 ||
	    fault_mib * MIB > DOORBELL_GPA - DATA_GPA || conv_mib * MIB > DOORBELL_GPA - DATA_GPA)
		usage();

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("/dev/kvm");
	probe();
	if (strchr(tables, '1'))
		table1();
	if (strchr(tables, '2'))
		table2();
	if (strchr(tables, '3'))
		table3();
	if (strchr(tables, '4'))
		table4();
	if (strchr(tables, '5'))
		table5();
	printf("@@E done\n");
	return 0;
}
