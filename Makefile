# SPDX-License-Identifier: GPL-2.0
# Bench for the guest_memfd in-place conversion series on Linux 7.3.
# Everything runs through bench/*.sh; the cache lives outside the repository
# (CACHE=, default ~/.cache/kvm-gmem-bench).
#
#   make run      build the patched kernel, boot it under QEMU, run the
#                 series' own tests and the demo (ARCH=x86_64 or arm64)
#   make check    every test on both architectures, also on debug kernels
#                 (KASAN, lockdep, kmemleak, ...; DEBUG=0 leaves them out)
#                 and on kernels without CONFIG_KVM_SW_PROTECTED_VM (NOSW=0
#                 leaves them out), then make lint's checks (LINT=0 leaves
#                 them out);
#                 "N passed, N failed, N skipped" at the end (BASE=1: plain
#                 7.3 side by side)
#   make check-debug  the debug kernels' runs alone
#   make check-nosw   the runs without CONFIG_KVM_SW_PROTECTED_VM alone
#   make lint     what a maintainer runs before taking the series:
#                 checkpatch, patch and cover letter form, kernel-doc, rst,
#                 a build after every patch, W=1 and sparse
#   make bench    benchmarks/gmem_bench on the patched kernel and on plain
#                 7.3, one table per measurement (ARCH=x86_64 or arm64)
#   make tree     the kernel git tree with patches/ applied as commits
#   make export   write the tree's commits back into patches/
#   make bisect   build the tree after each patch, on x86_64 and arm64
#                 (BISECT_BREAK=N: with patch N broken on purpose)
#   make repeat   run one test RUNS times per boot over BOOTS boots and count
#                 each outcome (TEST=, RUNS=, BOOTS=, VARIANT=base|series,
#                 CMDLINE=, LOAD=1): evidence for tests/ARCH/flaky
#   make soak     the boots of make check BOOTS=20 times over (ARCH=,
#                 NAMES="default nvhe", LOAD=1): does it fail by chance?
#   make check-bench  prove that the bench's hang and retry guards fire
#   make mutate   replay the one-line kernel bugs of tests/kernel-mutations,
#                 one at a time: each must make its test fail (MUTATIONS="N
#                 ..." for some); not part of make check (minutes each)
#   make kunit    the series' KUnit suites through tools/testing/kunit/kunit.py
#                 (make check runs them built into its kernels, at boot)
#
# Variables: ARCH (run, bench), ARCHES (check, lint), BASE=1, DEBUG=0, NOSW=0, LINT=0,
# BISECT_FORCE=1, CACHE, JOBS, VERBOSE=1.

SHELL := /bin/bash
ARCH ?= x86_64
export BENCH_ARCH := $(ARCH)

.PHONY: run check check-debug check-nosw check-bench kunit lint bench tree export bisect repeat soak mutate deps clean distclean help

run:
	@bench/check.sh run

check:
	@bench/check.sh check

check-debug:
	@bench/check.sh debug

check-nosw:
	@bench/check.sh nosw

lint:
	@bench/check.sh lint

bench:
	@bench/bench.sh

tree:
	@bench/deps.sh && bench/tree.sh && . bench/lib.sh && echo "kernel tree: $$TREE (branch series, base tag $$BASE_TAG)"

export:
	@bench/export.sh

bisect:
	@bench/bisect.sh

repeat:
	@bench/repeat.sh

soak:
	@bench/soak.sh

check-bench:
	@bench/selftest.sh

mutate:
	@bench/deps.sh && bench/tree.sh && bench/mutate.sh

kunit:
	@bench/deps.sh && bench/tree.sh && bench/kunit.sh $(if $(filter x86,$(ARCH)),x86_64,$(ARCH))

deps:
	@bench/deps.sh

# Drop build products, keep the downloaded packages and the kernel tree.
clean:
	@. bench/lib.sh && rm -rf "$$CACHE/build" "$$CACHE/logs" "$$CACHE"/results-*.tsv

# Drop the whole cache, kernel tree included (commits not exported are lost).
distclean:
	@. bench/lib.sh && rm -rf "$$CACHE"

help:
	@sed -n '2,32s/^# \{0,1\}//p' Makefile
