#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Draw the tables of report.py that show a comparison or a trend, as SVG.

Usage: plot.py ARCH SERIES_LOG[,SERIES_LOG...] BASE_LOG[,BASE_LOG...] OUTDIR

Reads the same console logs as report.py (the same medians) and writes,
through gnuplot (Debian's gnuplot-nox), into OUTDIR:
  roundtrip-ARCH.svg  table 1: the time of each phase of a round trip,
                      stacked, and the page cache held at the peak, per
                      conversion mode and kernel
  sparse-ARCH.svg     table 2: the time and the slab of one call
                      converting a sparse range, against the file size
  tracking-ARCH.svg   table 3: the worst case of the tracking (every other
                      page private) next to contiguous pages: time per
                      call and slab held
A plot whose rows were all not measured is not drawn (it says so).  The
data files and the gnuplot script stay in OUTDIR beside the pictures.
"""
import os
import subprocess
import sys

from report import Run

# Colours that stay apart in print and for common colour blindness.
SERIES_COLOUR = "#0072b2"
BASE_COLOUR = "#d55e00"
PHASE_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7"]


def gp_str(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def med(run, table, row, metric):
    m = run.med(table, row, metric)
    return "NaN" if m is None else "%.6g" % m


class Plot:
    """One SVG: the data blocks and gnuplot commands that draw it."""

    def __init__(self, outdir, name, arch, width, height):
        self.base = os.path.join(outdir, "%s-%s" % (name, arch))
        self.svg = self.base + ".svg"
        self.data = []
        self.cmds = ["set terminal svg size %d,%d dynamic noenhanced font 'sans,12' background '#ffffff'"
                     % (width, height),
                     "set output %s" % gp_str(self.svg),
                     "set encoding utf8",
                     "set border 3 lc '#555555'",
                     "set tics nomirror",
                     "set grid ytics lc '#dddddd' lt 1",
                     "set key below noopaque"]

    def block(self, name, header, rows):
        """An inline data block $NAME; rows are lists of fields."""
        lines = ["$%s << EOD" % name, "# " + "\t".join(header)]
        lines += ["\t".join(gp_str(f) if isinstance(f, str) and " " in f else str(f)
                            for f in r) for r in rows]
        lines.append("EOD")
        self.data += lines

    def write(self):
        with open(self.base + ".gp", "w") as f:
            f.write("\n".join(self.data + self.cmds) + "\n")
        r = subprocess.run(["gnuplot", self.base + ".gp"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("gnuplot failed on %s.gp:\n%s" % (self.base, r.stderr))
        print("    %s" % self.svg)


def roundtrip(arch, s, b, outdir):
    t = 1
    no_attr = "vm_attributes=0" in b.info
    # Short labels: the legend under the plot, the tables say the rest.
    modes = [("PRESERVE", s, "inplace-preserve"),
             ("PRESERVE, ZERO", s, "inplace-preserve-zero"),
             ("flags 0", s, "inplace-unspecified"),
             ("7.3 copy", b, "two-backings-copy"),
             ("7.3 copy, discard", b, "two-backings-copy-in"),
             ("7.3 discard", b, "two-backings-discard")]
    rows = [[lab, med(run, t, row, "to_private_ms"), med(run, t, row, "guest_touch_ms"),
             med(run, t, row, "to_shared_ms"), med(run, t, row, "host_touch_ms"),
             med(run, t, row, "peak_mib"), med(run, t, row, "private_mib")]
            for lab, run, row in modes]
    if all(r[1] == "NaN" for r in rows):
        print("    roundtrip-%s: not drawn, table 1 was not measured" % arch)
        return
    p = Plot(outdir, "roundtrip", arch, 1100, 460)
    p.block("RT", ["mode", "to_private", "vcpu_touch", "to_shared", "host_touch",
                   "peak_mib", "private_mib"], rows)
    p.cmds += [
        "set multiplot layout 1,2 title %s" % gp_str(
            "%s: a round trip of allocated memory, in place (series) and through two "
            "backings (7.3)%s; medians" % (arch, ", 7.3 without private memory"
                                           if no_attr else "")),
        "set style data histogram",
        "set style histogram rowstacked",
        "set style fill solid 0.85 border -1",
        "set boxwidth 0.7",
        "set xtics font ',10' rotate by -25",
        "set ylabel 'ms (lower is better)'",
        "set title 'time of each phase'",
        "set yrange [0:*]",
        "plot $RT using 2:xtic(1) title 'to private' lc rgb '%s', "
        "'' using 3 title 'vCPU writes every page' lc rgb '%s', "
        "'' using 4 title 'to shared' lc rgb '%s', "
        "'' using 5 title 'host writes every page' lc rgb '%s'" % tuple(PHASE_COLOURS),
        "set style histogram clustered gap 1",
        "set ylabel 'MiB of page cache (lower is better)'",
        "set title 'memory held'",
        "plot $RT using 6:xtic(1) title 'at the peak' lc rgb '%s', "
        "'' using 7 title 'after the vCPU wrote it' lc rgb '%s'" % (BASE_COLOUR, SERIES_COLOUR),
        "unset multiplot"]
    p.write()


def sparse(arch, s, b, outdir):
    t = 2
    sizes = sorted({int(k[1].rsplit("-", 1)[1][:-1]) for run in (s, b)
                    for k in run.vals if k[0] == "2" and k[1].endswith("G")})
    if not sizes:
        print("    sparse-%s: not drawn, table 2 was not measured" % arch)
        return
    rows = [[g, med(s, t, "inplace-%dG" % g, "to_private_ms"),
             med(b, t, "vm-xarray-%dG" % g, "to_private_ms"),
             med(s, t, "inplace-%dG" % g, "slab_private_kib"),
             med(b, t, "vm-xarray-%dG" % g, "slab_private_kib")] for g in sizes]
    have_base = any(r[2] != "NaN" for r in rows)
    p = Plot(outdir, "sparse", arch, 1100, 420)
    p.block("SP", ["gib", "inplace_ms", "xarray_ms", "inplace_slab_kib",
                   "xarray_slab_kib"], rows)
    base_ms = (", $SP using 1:3 with linespoints pt 5 lw 2 lc rgb '%s' "
               "title '7.3: VM-level xarray'" % BASE_COLOUR) if have_base else ""
    base_kib = (", $SP using 1:(column(5) / 1024) with linespoints pt 5 lw 2 lc rgb '%s' "
                "title '7.3: VM-level xarray'" % BASE_COLOUR) if have_base else ""
    p.cmds += [
        "set multiplot layout 1,2 title %s" % gp_str(
            "%s: one call converting a whole sparse file to private; medians%s" %
            (arch, "" if have_base else " (7.3 has no private memory here)")),
        "set logscale x 2",
        "set xtics (%s)" % ", ".join("'%d' %d" % (g, g) for g in sizes),
        "set xlabel 'file size, GiB'",
        "set logscale y 10",
        "set xrange [%g:%g]" % (sizes[0] / 1.3, sizes[-1] * 1.3),
        "set ylabel 'ms per call (log scale)'",
        "set title 'time'",
        "plot $SP using 1:2 with linespoints pt 7 lw 2 lc rgb '%s' "
        "title 'in place: guest_memfd ranges'%s" % (SERIES_COLOUR, base_ms),
        "unset logscale y",
                "set yrange [0:*]",
        "set ylabel 'MiB of slab while private'",
        "set title 'slab held'",
        "plot $SP using 1:(column(4) / 1024) with linespoints pt 7 lw 2 lc rgb '%s' "
        "title 'in place: guest_memfd ranges'%s" % (SERIES_COLOUR, base_kib),
        "unset multiplot"]
    p.write()


def tracking(arch, s, b, outdir):
    t = 3
    rows = []
    for lab, row in (("every other page", "inplace"),
                     ("contiguous pages", "inplace-contiguous")):
        xrow = row.replace("inplace", "vm-xarray")
        rows.append([lab, med(s, t, row, "to_private_us_per_call"),
                     med(b, t, xrow, "to_private_us_per_call"),
                     med(s, t, row, "slab_kib"), med(b, t, xrow, "slab_kib")])
    if all(r[1] == "NaN" for r in rows):
        print("    tracking-%s: not drawn, table 3 was not measured" % arch)
        return
    have_base = any(r[2] != "NaN" for r in rows)
    p = Plot(outdir, "tracking", arch, 1000, 420)
    p.block("TR", ["layout", "inplace_us", "xarray_us", "inplace_kib", "xarray_kib"], rows)
    base_us = (", '' using 3 title '7.3: VM-level xarray' lc rgb '%s'" % BASE_COLOUR
               if have_base else "")
    base_kib = (", '' using (column(5) / 1024) title '7.3: VM-level xarray' lc rgb '%s'"
                % BASE_COLOUR if have_base else "")
    p.cmds += [
        "set multiplot layout 1,2 title %s" % gp_str(
            "%s: half of the file made private one page per call; medians%s" %
            (arch, "" if have_base else " (7.3 has no private memory here)")),
        "set style data histogram",
        "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1",
        "set yrange [0:*]",
        "set ylabel 'us per call'",
        "set title 'time per call to private'",
        "plot $TR using 2:xtic(1) title 'in place: guest_memfd ranges' lc rgb '%s'%s"
        % (SERIES_COLOUR, base_us),
        "set ylabel 'MiB of slab added'",
        "set title 'slab the tracking holds'",
        "plot $TR using (column(4) / 1024):xtic(1) title 'in place: guest_memfd ranges' "
        "lc rgb '%s'%s" % (SERIES_COLOUR, base_kib),
        "unset multiplot"]
    p.write()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    arch, spath, bpath, outdir = sys.argv[1:]
    s, b = Run("series", spath), Run("7.3", bpath)
    os.makedirs(outdir, exist_ok=True)
    roundtrip(arch, s, b, outdir)
    sparse(arch, s, b, outdir)
    tracking(arch, s, b, outdir)


if __name__ == "__main__":
    main()
