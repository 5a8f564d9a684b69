#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debian's sparse (0.6.4) for Linux 7.3, which needs two things sparse
# learned later: __typeof_unqual__ (used under __CHECKER__) and
# __builtin_strlen() of a literal as a constant (MODULE_INFO()'s check for
# embedded NULs; otherwise every module_param() line is an error, and
# sparse says nothing more about the file after its first error).  Both are
# mapped to what 0.6.4 knows, at the price of a few false warnings, alike
# in 7.3 and in the series.  The kernel's make runs it as CHECK=.
exec sparse -D__typeof_unqual__=__typeof__ '-D__builtin_strlen(s)=(sizeof(s) - 1)' \
	-fmax-warnings=unlimited "$@"
