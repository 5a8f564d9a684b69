#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console logs of gmem_bench runs into one table per measurement.

Usage: report.py ARCH SERIES_LOG[,SERIES_LOG...] BASE_LOG[,BASE_LOG...]
                 [SERIES_ICOUNT_LOG BASE_ICOUNT_LOG]

Each console log holds the "@@M table row metric value" lines of one boot
of the patched kernel ("series") or of plain 7.3 ("7.3"); the boots of a
kernel are pooled.  Every cell shows the median over all repetitions of
all boots and the spread, "median [min-max]"; the ratio columns divide
medians measured in the same make bench run, except table 4's, which
divide each row's figure by memfd's of the same repetition ("@@R table r"
lines) and show the median and spread of those ratios.  The optional
ICOUNT logs are of boots under QEMU -icount that ran tables 3, 4 and 5
alone: their clock counts the guest's instructions, one nanosecond each,
and they give those tables again in instructions per call, per fault and
per page.  Nothing here judges a
number.
"""
import statistics
import sys


def parse(path):
    """{(table, row, metric): [values]}, {(table, row): why}, info line,
    {(table, row, metric): {repetition: value}} for tables with @@R lines."""
    vals, notes, info, reps, cur = {}, {}, "", {}, {}
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "@@R" and len(w) == 3:
                cur[w[1]] = w[2]
            elif w[0] == "@@M" and len(w) == 5:
                vals.setdefault((w[1], w[2], w[3]), []).append(float(w[4]))
                if w[1] in cur:
                    reps.setdefault((w[1], w[2], w[3]), {})[cur[w[1]]] = float(w[4])
            elif w[0] == "@@N" and len(w) >= 4:
                notes[(w[1], w[2])] = " ".join(w[3:])
            elif w[0] == "@@I":
                info = " ".join(w[2:])
    return vals, notes, info, reps


def fmt(x):
    if x is None:
        return "-"
    a = abs(x)
    if a >= 1000:
        return "%.0f" % x
    if a >= 100:
        return "%.1f" % x
    if a >= 10:
        return "%.2f" % x
    return "%.3f" % x


class Run:
    def __init__(self, name, paths):
        self.name = name
        self.vals, self.notes, self.info, self.boots = {}, {}, "", []
        self.boot_reps = []
        for path in paths.split(","):
            vals, notes, info, reps = parse(path)
            self.boots.append(vals)
            self.boot_reps.append(reps)
            for key, v in vals.items():
                self.vals.setdefault(key, []).extend(v)
            self.notes.update(notes)
            self.info = self.info or info

    def boot_medians(self, table, row, metric):
        """The median of each boot, for the reader to see boot-to-boot noise."""
        return [statistics.median(b[(str(table), row, metric)]) for b in self.boots
                if b.get((str(table), row, metric))]

    def get(self, table, row, metric):
        return self.vals.get((str(table), row, metric))

    def paired(self, table, row, ref, metric):
        """The ratios of @row to @ref repetition by repetition, over the
        repetitions of each boot that have both (the rows take turns within
        each repetition), or None."""
        ratios = []
        for reps in self.boot_reps:
            a, r = reps.get((str(table), row, metric)), reps.get((str(table), ref, metric))
            if not a or not r:
                continue
            ratios += [a[k] / r[k] for k in a if r.get(k)]
        return ratios or None

    def med(self, table, row, metric):
        v = self.get(table, row, metric)
        return statistics.median(v) if v else None

    def cell(self, table, row, metric):
        v = self.get(table, row, metric)
        if not v:
            return "n/a"
        return "%s [%s-%s]" % (fmt(statistics.median(v)), fmt(min(v)), fmt(max(v)))

    def why(self, table, row):
        return self.notes.get((str(table), row), "not measured")


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    r = a / b
    return "%.0fx" % r if r >= 100 else "%.2fx" % r


def paired_cell(run, table, row, metric):
    """The paired ratios of @row to memfd as median [min-max]."""
    v = run.paired(table, row, "memfd", metric)
    if not v:
        return "n/a"
    return "%s [%.2f-%.2f]" % (ratio(statistics.median(v), 1), min(v), max(v))


def print_table(title, head, rows, note=None):
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    print()
    print(title)
    line = "  ".join(str(h).ljust(w) for h, w in zip(head, widths))
    print("  " + line.rstrip())
    print("  " + "  ".join("-" * w for w in widths))
    for r in rows:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
    for n in note or []:
        print("  " + n)


def table3_rows(s, b):
    """Table 3's rows: label, the run that measures it, gmem_bench's row."""
    return (("every other page, in place", s, "inplace"),
            ("every other page, 7.3 VM xarray", b, "vm-xarray"),
            ("contiguous pages, in place", s, "inplace-contiguous"),
            ("contiguous pages, 7.3 VM xarray", b, "vm-xarray-contiguous"))


def icount_cell(run, table, row, metric, scale):
    """A cell of an -icount table: the row's figures times @scale (from the
    virtual clock's microseconds, or from faults per second, to
    instructions) as median [min-max], or "n/a"."""
    v = run.get(table, row, metric)
    if not v:
        return "n/a"
    v = sorted(scale(x) for x in v)
    return "%.0f [%.0f-%.0f]" % (statistics.median(v), v[0], v[-1])


def us_to_insns(us):
    """A microsecond of the virtual clock under -icount shift=0."""
    return us * 1e3


ICOUNT_NOTE = ("Under QEMU -icount (bench.icount), one boot per kernel: the virtual "
               "clock counts guest instructions, one per nanosecond, of all vCPUs "
               "together.  Not counted: what caches, TLBs and lock contention cost; an "
               "exception, a VM exit or entry or a TLB flush counts as one instruction, "
               "and on x86 each iteration of REP STOS as one (clearing a 4 KiB page: "
               "4096).")


def table3_icount(s, b):
    """Table 3 from the -icount boots, in guest instructions per call."""
    t = 3
    rows = []
    for label, run, row in table3_rows(s, b):
        if not run.get(t, row, "to_private_us_per_call"):
            rows.append([label, "n/a: " + run.why(t, row), "", "", ""])
            continue
        vs = ""
        if run is s:
            vs = ratio(s.med(t, row, "to_private_us_per_call"),
                       b.med(t, row.replace("inplace", "vm-xarray"), "to_private_us_per_call"))
        rows.append([label] + [icount_cell(run, t, row, m, us_to_insns) for m in
                               ("to_private_us_per_call", "noop_us_per_call",
                                "to_shared_us_per_call")] + [vs])
    print_table("3i. Table 3 under QEMU -icount: guest instructions per call",
                ["pages, tracking", "to private", "same again", "back to shared",
                 "in place vs 7.3"], rows,
                [ICOUNT_NOTE, "The call's instructions, the guest's side of the ioctl "
                 "included."])


def table5_rows(s, b):
    """Table 5's rows: label, the run that measures it, gmem_bench's row,
    and 7.3's row of the same memory, if the row is the series'."""
    return (("private, in place", s, "private-inplace", "private-vm-attributes"),
            ("private, VM attributes", b, "private-vm-attributes", None),
            ("shared guest_memfd, software-protected VM", s, "shared-gmem-sw-protected", None),
            ("shared guest_memfd, default VM", s, "shared-gmem-default-vm",
             "shared-gmem-default-vm"),
            ("shared guest_memfd, default VM", b, "shared-gmem-default-vm", None),
            ("anonymous memory, default VM", s, "anon-default-vm", "anon-default-vm"),
            ("anonymous memory, default VM", b, "anon-default-vm", None))


def table5_icount(s, b):
    """Table 5 from the -icount boots, in guest instructions per page."""
    t = 5
    m = "us_per_page"
    rows = []
    for label, run, row, vs in table5_rows(s, b):
        if not run.get(t, row, m):
            rows.append([run.name, label, "n/a: " + run.why(t, row), "", ""])
            continue
        mine = run.med(t, row, m)
        rows.append([run.name, label, icount_cell(run, t, row, m, us_to_insns),
                     ratio(mine, b.med(t, vs, m)) if vs else "",
                     ratio(mine, run.med(t, "shared-gmem-default-vm", m))])
    print_table("5i. Table 5 under QEMU -icount: instructions per page, the guest's "
                "(L2) and its host's (L1: KVM, the page allocator)",
                ["kernel", "memory", "instructions per page", "vs 7.3 (same memory)",
                 "vs shared guest_memfd (same kernel)"], rows,
                [ICOUNT_NOTE, "Anonymous memory: a transparent huge page cleared per 2 MiB "
                 "is most of its figure on x86."])


def table4_rows():
    """Table 4's rows: label, gmem_bench's row."""
    return (("memfd", "memfd"),
            ("guest_memfd, software-protected VM (shared)", "gmem-sw-protected"),
            ("guest_memfd, default VM", "gmem-default-vm"))


def table4_icount(s, b):
    """Table 4 from the -icount boots: a first-touch fault per virtual
    second is one per 10^9 guest instructions."""
    t = 4
    m = "first_touch_kfaults_per_s"
    rows = []
    for run in (s, b):
        for label, row in table4_rows():
            if not run.get(t, row, m):
                rows.append([run.name, label, "n/a: " + run.why(t, row), "", ""])
                continue
            rows.append([run.name, label, icount_cell(run, t, row, m, lambda x: 1e6 / x),
                         ratio(run.med(t, "memfd", m), run.med(t, row, m)),
                         paired_cell(run, t, row, m)])
    print_table("4i. Host mmap under QEMU -icount: guest instructions per first-touch "
                "fault", ["kernel", "backing", "instructions per fault",
                          "instructions vs memfd", "fault rate vs memfd"], rows,
                [ICOUNT_NOTE,
                 "instructions vs memfd: the medians' ratio (below 1.00x: fewer); fault "
                 "rate vs memfd: as in table 4, per repetition (above 1.00x: faster)."])


def main():
    if len(sys.argv) not in (4, 6):
        sys.exit(__doc__)
    arch, spath, bpath = sys.argv[1:4]
    s, b = Run("series", spath), Run("7.3", bpath)
    print("gmem_bench on %s; each cell: median [min-max] over the repetitions of "
          "%d boot(s) per kernel" % (arch, len(s.boots)))
    print("  Under QEMU's emulation (TCG) absolute times mean little, and even relative "
          "costs differ from hardware;")
    print("  what counts are the ratios between rows measured in the same run.")
    print("  series: %s" % (s.info or "no result"))
    print("  7.3:    %s" % (b.info or "no result"))

    # 1: a round trip of allocated memory
    t = 1
    rows = []
    spec = [
        ("in place, PRESERVE both ways", s, "inplace-preserve", "two-backings-copy"),
        ("in place, PRESERVE, then ZERO to shared", s, "inplace-preserve-zero",
         "two-backings-copy-in"),
        ("in place, unspecified (flags 0)", s, "inplace-unspecified",
         "two-backings-discard"),
        ("7.3: copy both ways", b, "two-backings-copy", None),
        ("7.3: copy to private, discard back", b, "two-backings-copy-in", None),
        ("7.3: discard both ways", b, "two-backings-discard", None),
    ]
    if "vm_attributes=0" in b.info:
        spec = [(lab + " [no attributes]" if run is b else lab, run, row, vs)
                for lab, run, row, vs in spec]
    for label, run, row, vs in spec:
        if not run.get(t, row, "total_ms"):
            rows.append([label, run.name, "n/a: " + run.why(t, row)] + [""] * 8)
            continue
        r = [label, run.name] + [run.cell(t, row, m) for m in
                                 ("to_private_ms", "guest_touch_ms", "vcpu_faults_per_page",
                                  "to_shared_ms", "host_touch_ms", "total_ms", "private_mib",
                                  "peak_mib")]
        r.append(ratio(run.med(t, row, "total_ms"), b.med(t, vs, "total_ms")) if vs else "")
        rows.append(r)
    print_table("1. A round trip of allocated memory, in steady state (the second of two in "
                "one VM): the host wrote it while shared; to private; a vCPU writes every "
                "page; to shared; the host writes every page (ms; MiB)",
                ["conversion", "kernel", "to private", "vCPU touch", "faults/page",
                 "to shared", "host touch", "total", "MiB private", "MiB peak",
                 "total vs 7.3"], rows,
                ["Each in-place row is compared with the 7.3 row that keeps the same data "
                 "(the one below it in the same order).",
                 "7.3: VM-level attributes, private pages in a guest_memfd, shared pages in a "
                 "memfd; the copy into private memory is timed as allocating the private "
                 "pages",
                 "and a host memcpy (a lower bound of the guest's or firmware's copy).  "
                 "Where 7.3 copies back, the host's faults on the new shared pages fall in "
                 "\"to shared\";",
                 "in place (and where 7.3 discards) they fall in \"host touch\": compare "
                 "totals.  MiB: page cache of both files above the start, after the vCPU's "
                 "touch and at the peak.",
                 "Contents are checked after each round trip (PRESERVE: the data; ZERO and "
                 "discard: zeros).  faults/page: the guest faults KVM handled in the vCPU's "
                 "touch, per page",
                 "(x86: pf_taken; arm64: its exits, less the one that ends the touch).  The "
                 "first round trip of each VM, which maps every page, is not reported."] +
                (["[no attributes]: plain 7.3 has no private memory on this architecture; "
                  "the row times the two backings alone, the vCPU writing to the memfd."]
                 if "vm_attributes=0" in b.info else []))

    # 2: sparse range, one call
    t = 2
    sizes = sorted({int(k[1].rsplit("-", 1)[1][:-1]) for run in (s, b)
                    for k in list(run.vals) + list(run.notes)
                    if k[0] == "2" and k[1].endswith("G")})
    rows = []
    first = {}
    for g in sizes:
        for label, run, row in (("in place", s, "inplace-%dG" % g),
                                ("7.3 VM xarray", b, "vm-xarray-%dG" % g)):
            m = run.med(t, row, "to_private_ms")
            if m is None:
                rows.append(["%d GiB" % g, label, "n/a: " + run.why(t, row), "", "", "", ""])
                continue
            first.setdefault(label, m)
            rows.append(["%d GiB" % g, label, run.cell(t, row, "to_private_ms"),
                         run.cell(t, row, "to_shared_ms"),
                         run.cell(t, row, "slab_private_kib"),
                         ratio(m, first[label]),
                         ratio(b.med(t, "vm-xarray-%dG" % g, "to_private_ms"), m)
                         if run is s else ""])
    print_table("2. One call converting a sparse range (nothing allocated): ms, and "
                "the slab held while private (KiB)",
                ["file size", "tracking", "to private", "to shared", "slab KiB",
                 "growth vs smallest", "7.3 / in place"], rows,
                ["In place with PRESERVE, the guest_memfd mapped by the host (untouched).  "
                 "Slab counts whole slab pages: a few pages either way are noise."])

    # 3: every other page
    t = 3
    rows = []
    for label, run, row in table3_rows(s, b):
        if not run.get(t, row, "slab_kib"):
            rows.append([label, "n/a: " + run.why(t, row), "", "", "", "", "", ""])
            continue
        rows.append([label, run.cell(t, row, "to_private_us_per_call"),
                     fmt(run.med(t, row, "slab_before_kib")),
                     run.cell(t, row, "slab_kib"),
                     run.cell(t, row, "noop_us_per_call"),
                     run.cell(t, row, "to_shared_us_per_call"),
                     run.cell(t, row, "slab_kib_after_back"),
                     ratio(run.med(t, row, "to_private_us_per_call"),
                           b.med(t, row.replace("inplace", "vm-xarray"),
                                 "to_private_us_per_call"))
                     if run is s else ""])
    print_table("3. Half of the file private, one call per page: us per call, and the "
                "slab the tracking holds (KiB)",
                ["pages, tracking", "to private us/call", "Slab before", "slab KiB added",
                 "same again us/call",
                 "back to shared us/call",
                 "added, once back", "in place vs 7.3"], rows,
                ["Slab: /proc/meminfo, KiB; \"added\" is after minus before, with the "
                 "file and VM still open."])

    # 4: host mmap
    t = 4
    rows = []
    for run in (s, b):
        for label, row in table4_rows():
            if not run.get(t, row, "read_mib_per_s"):
                rows.append([run.name, label, "n/a: " + run.why(t, row), "", "", ""])
                continue
            rows.append([run.name, label,
                         run.cell(t, row, "first_touch_kfaults_per_s"),
                         run.cell(t, row, "read_mib_per_s"),
                         paired_cell(run, t, row, "first_touch_kfaults_per_s"),
                         paired_cell(run, t, row, "read_mib_per_s")])
    print_table("4. Host mmap: first-touch faults (thousands per second) and read "
                "bandwidth (MiB/s)",
                ["kernel", "backing", "k faults/s", "read MiB/s", "faults vs memfd",
                 "read vs memfd"], rows,
                ["vs memfd: the median [min-max] of the row's figure over memfd's in the same "
                 "repetition (the rows take turns in each repetition, so that a drift of "
                 "the guest's speed cancels out).",
                 "memfd is the same code on both kernels: its rows show how comparable "
                 "the boots ran; medians per boot, k faults/s: series %s, 7.3 %s." %
                 (", ".join(fmt(x) for x in s.boot_medians(t, "memfd",
                                                            "first_touch_kfaults_per_s")),
                  ", ".join(fmt(x) for x in b.boot_medians(t, "memfd",
                                                            "first_touch_kfaults_per_s")))])

    si = bi = None
    if len(sys.argv) == 6:
        si, bi = Run("series", sys.argv[4]), Run("7.3", sys.argv[5])
        table3_icount(si, bi)
        table4_icount(si, bi)

    # 5: guest faults
    t = 5
    rows = []
    m5 = "us_per_page"
    for label, run, row, vs in table5_rows(s, b):
        if not run.get(t, row, m5):
            rows.append([run.name, label, "n/a: " + run.why(t, row), "", ""])
            continue
        m = run.med(t, row, m5)
        rows.append([run.name, label, run.cell(t, row, m5),
                     ratio(m, b.med(t, vs, m5)) if vs else "",
                     ratio(m, run.med(t, "shared-gmem-default-vm", m5))])
    print_table("5. A vCPU writing one byte per page, each page new to it: us per page",
                ["kernel", "memory", "us per page", "vs 7.3 (same memory)",
                 "vs shared guest_memfd (same kernel)"], rows,
                ["arm64 7.3 has no private memory: there, the series' private faults "
                 "compare with shared guest_memfd faults.",
                 "Shared faults of a software-protected VM ask guest_memfd for the page's "
                 "state as private ones do; a default VM's do not.",
                 "guest_memfd maps 4 KiB pages (7.3 and the series); anonymous memory may "
                 "get transparent huge pages, one fault per 2 MiB."])

    if si:
        table5_icount(si, bi)


if __name__ == "__main__":
    main()
