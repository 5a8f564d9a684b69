#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a kernel and the KVM selftests.  Usage: kernel.sh VARIANT ARCH
#   VARIANT: series (the tree with patches/ applied), base (plain 7.3) or
#   debug (the series with debug options; its tests are the series' build's)
#   or nosw (the series without CONFIG_KVM_SW_PROTECTED_VM, likewise)
# Config: tinyconfig + config/common.config + config/ARCH.config
# (+ config/series.config and config/series-ARCH.config, when they exist,
# for the series, debug and nosw variants, + config/VARIANT.config for the
# debug and nosw variants; a later fragment's value of an option wins).
# The first nosw build starts from a copy of the series' build: only what
# the option changes is compiled.
# Builds are incremental; the config is only regenerated when a fragment
# or the tree changed, and only replaced when its contents changed.
. "$(dirname "$0")/lib.sh"

variant=$1 arch=$2
arch_vars "$arch"
variant_vars "$variant" "$arch"
[ -f "$SRC/Makefile" ] || die "no source tree at $SRC"
mkdir -p "$OBJ"
K=(make -C "$SRC" O="$OBJ" ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS})

frags=("$BENCH_ROOT/config/common.config" "$BENCH_ROOT/config/$arch.config")
for f in series series-$arch; do
	[ "$variant" != base ] && [ -f "$BENCH_ROOT/config/$f.config" ] &&
		frags+=("$BENCH_ROOT/config/$f.config")
done
case "$variant" in debug|nosw) frags+=("$BENCH_ROOT/config/$variant.config") ;; esac
[ -n "$EXTRA_CONFIG" ] && frags+=($EXTRA_CONFIG)
stamp="$(hash_files "${frags[@]}") $(git -C "$SRC" rev-parse HEAD)"

make_config() {
	# A config step that fails leaves a .config of its own: forget the
	# stamp first, so that the next run makes it again, never builds it.
	rm -f "$OBJ/.bench-config"
	[ -f "$OBJ/.config" ] && cp -p "$OBJ/.config" "$OBJ/.config.prev"
	"${K[@]}" tinyconfig &&
	"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "${frags[@]}" &&
	"${K[@]}" olddefconfig || return 1
	# Every option a fragment asks for must have survived olddefconfig.
	local want bad=0
	while read -r want; do
		grep -qxF "$want" "$OBJ/.config" && continue
		echo "config: asked for '$want' but got '$(grep -E "^(# )?${want%%=*}[= ]" "$OBJ/.config" || echo unset)'"
		bad=1
	done < <(grep -hE '^CONFIG_[A-Za-z0-9_]+=|^# CONFIG_[A-Za-z0-9_]+ is not set' "${frags[@]}" |
		 awk '{ o = $0; sub(/^# /, "", o); sub(/[= ].*/, "", o)
			if (!(o in want)) order[n++] = o
			want[o] = $0 }
		      END { for (i = 0; i < n; i++) print want[order[i]] }')
	[ $bad = 0 ] || { echo "a dependency of the options above is missing in the fragments"; return 1; }
	# Unchanged contents: keep the old file and its time stamp, so nothing
	# is rebuilt for it.
	if [ -f "$OBJ/.config.prev" ] && cmp -s "$OBJ/.config" "$OBJ/.config.prev"; then
		mv "$OBJ/.config.prev" "$OBJ/.config"
	fi
	echo "$stamp" >"$OBJ/.bench-config"
}

# (.bench-seeded: the copy finished; a copy cut short is made again.)
if [ "$variant" = nosw ] && [ ! -f "$OBJ/.bench-seeded" ] &&
   [ -f "$CACHE/build/series-$arch/$KIMAGE" ]; then
	rm -rf "$OBJ"
	step "[$arch/$variant] copying the series' build" "$LOGDIR/copy-$variant-$arch.log" \
		copy_build "$CACHE/build/series-$arch" "$OBJ" --exclude=/kselftest \
		--exclude=/bench-bin --exclude=/usr --exclude=/.bench-built
	touch "$OBJ/.bench-seeded"
fi
if [ "$(cat "$OBJ/.bench-config" 2>/dev/null)" != "$stamp" ] || [ ! -f "$OBJ/.config" ]; then
	step "[$arch/$variant] kernel config" "$LOGDIR/config-$variant-$arch.log" make_config
fi
# Gone until this build has succeeded (kernel and selftests): see src_state.
rm -f "$OBJ/.bench-built"
step "[$arch/$variant] building the kernel (-j$JOBS)" "$LOGDIR/build-$variant-$arch.log" \
	"${K[@]}" -j"$JOBS" "$(basename "$KIMAGE")"
# The debug and nosw kernels run the series' selftests (kernel.sh series ARCH).
[ "$variant" = nosw ] && touch "$OBJ/.bench-seeded"	# a whole build will do
case "$variant" in debug|nosw) exit 0 ;; esac

step "[$arch/$variant] installing uapi headers" "$LOGDIR/headers-$variant-$arch.log" \
	"${K[@]}" -s headers_install

# The KVM selftests, static so the initramfs needs no libraries.
ST=(make -C "$SRC/tools/testing/selftests/kvm" OUTPUT="$OBJ/kselftest/kvm"
    KHDR_INCLUDES="-isystem $OBJ/usr/include" EXTRA_CFLAGS=-static
    ARCH="$KARCH" ${CROSS:+CROSS_COMPILE=$CROSS})
step "[$arch/$variant] building the KVM selftests" "$LOGDIR/selftests-$variant-$arch.log" \
	"${ST[@]}" -j"$JOBS"
echo "$(src_state "$SRC") $stamp" >"$OBJ/.bench-built"

# The demo VMM (demo/), a program of the bench built against the series'
# uapi headers; -Werror keeps it free of warnings.
if [ "$variant" = series ]; then
	mkdir -p "$OBJ/bench-bin"
	step "[$arch/$variant] building the demo VMM" "$LOGDIR/demo-$variant-$arch.log" \
		"${CROSS}gcc" -static -O2 -Wall -Wextra -Werror -isystem "$OBJ/usr/include" \
		-o "$OBJ/bench-bin/gmem-vmm" "$BENCH_ROOT/demo/gmem_vmm.c"
	# What each boot must offer (bench.expect= in tests/ARCH/boots).
	step "[$arch/$variant] building gmem-expect" "$LOGDIR/expect-$variant-$arch.log" \
		"${CROSS}gcc" -static -O2 -Wall -Wextra -Werror -isystem "$OBJ/usr/include" \
		-o "$OBJ/bench-bin/gmem-expect" "$BENCH_ROOT/tests/gmem_expect.c"
fi
