# SPDX-License-Identifier: MIT
#
# Building a program and its libbpf driver for the running kernel, shared
# by the conformance suite (tests/conformance/run.sh) and the twin
# benchmarks (bench/twin/run.sh).  Sourced, not run; uses a note() function
# of the caller.  The tools can be overridden from the environment.

CC=${CC:-cc}
CLANG=${CLANG:-clang}
BPFTOOL=${BPFTOOL:-bpftool}

# Whether this machine can build and load programs: prints why not.
kside_usable() {
	[ "$(id -u)" = 0 ] || { note "kernel side skipped: not root"; return 1; }
	[ -r /sys/kernel/btf/vmlinux ] || { note "kernel side skipped: no /sys/kernel/btf/vmlinux"; return 1; }
	command -v "$BPFTOOL" >/dev/null 2>&1 || { note "kernel side skipped: no bpftool"; return 1; }
	[ -r /usr/include/bpf/libbpf.h ] || { note "kernel side skipped: no libbpf headers"; return 1; }
	echo 'int x;' | "$CLANG" -target bpf -x c -c -o /dev/null - 2>/dev/null ||
		{ note "kernel side skipped: clang has no bpf target"; return 1; }
	return 0
}

# kside_build OUTDIR NAME PROG.bpf.c DRIVER.c DEFINE INCDIR... -> OUTDIR/NAME.kernel
# The object and skeleton are called NAME (struct NAME, NAME__open...).
kside_build() {
	d=$1 name=$2 prog=$3 driver=$4 define=$5
	shift 5
	incs=""
	for i in "$@"; do
		incs="$incs -I$i"
	done
	if [ ! -s "$d/vmlinux.h" ] || [ /sys/kernel/btf/vmlinux -nt "$d/vmlinux.h" ]; then
		"$BPFTOOL" btf dump file /sys/kernel/btf/vmlinux format c > "$d/vmlinux.h.tmp" &&
			mv "$d/vmlinux.h.tmp" "$d/vmlinux.h" || return 1
	fi
	# shellcheck disable=SC2086
	"$CLANG" -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall \
		-I"$d" $incs -c "$prog" -o "$d/$name.bpf.o" || return 1
	"$BPFTOOL" gen skeleton "$d/$name.bpf.o" name "$name" > "$d/$name.skel.h" || return 1
	# shellcheck disable=SC2086
	"$CC" -O2 -g -Wall -D"$define" -I"$d" $incs \
		"$driver" -o "$d/$name.kernel" -lbpf -lelf -lz || return 1
}
