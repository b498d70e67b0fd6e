#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Twin benchmarks (bench/twin/twin.h): runs each twin_<name>_bench that
# CMake built in --bindir (bpfemu) and, when this machine can load programs
# (root, clang -target bpf, bpftool, libbpf), the same driver and program
# built for the running kernel; prints each figure of both sides and their
# ratio, then "BENCH <figure> <ns> ns" / "BENCH <figure>_kernel <ns> ns"
# lines for bench/run.sh.
#
#   run.sh [--quick] [--bindir DIR] [--kbuild DIR] [NAME...]
#
# --quick: a smoke run (each driver's --quick); the figures mean nothing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
conf=$here/../../tests/conformance
bindir=""
kbuild=${TMPDIR:-/tmp}/bpfemu-twin-kernel
quick=""
names=""

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=--quick ;;
	--bindir) bindir=$2; shift ;;
	--kbuild) kbuild=$2; shift ;;
	-h|--help) sed -n '3,14p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) names="$names $1" ;;
	esac
	shift
done
if [ -z "$names" ]; then
	for p in "$here"/progs/*.bpf.c; do
		n=$(basename "$p" .bpf.c)
		[ -r "$here/drivers/$n.c" ] && names="$names $n"
	done
fi

note() { echo "twin: $*" >&2; }
. "$conf/kernel_side.sh"

mkdir -p "$kbuild"
emu=$kbuild/emu.txt
kern=$kbuild/kernel.txt
: > "$emu"
: > "$kern"
status=0

kernel_ok=0
kside_usable && kernel_ok=1

for n in $names; do
	bin=${bindir:+$bindir/twin_${n}_bench}
	if [ -n "$bin" ] && [ -x "$bin" ]; then
		"$bin" $quick >> "$emu" || { note "$n: bpfemu driver failed"; status=1; }
	else
		note "$n: no bpfemu binary (build with -DBPFEMU_BUILD_BENCH=ON, pass --bindir)"
		status=1
	fi
	[ $kernel_ok = 1 ] || continue
	if kside_build "$kbuild" "twin_$n" "$here/progs/$n.bpf.c" "$here/drivers/$n.c" CONF_KERNEL \
		"$here" "$here/progs" "$conf" > "$kbuild/$n.build.log" 2>&1; then
		"$kbuild/twin_$n.kernel" $quick >> "$kern" || { note "$n: kernel driver failed"; status=1; }
	else
		note "$n: kernel build failed (see $kbuild/$n.build.log)"
		tail -5 "$kbuild/$n.build.log" >&2
		status=1
	fi
done

printf '%-32s %12s %12s %9s\n' figure bpfemu kernel emu/kern
awk '
	FILENAME == ARGV[1] && $1 == "TWIN" { emu[$2] = $3; order[++n] = $2; next }
	FILENAME == ARGV[2] && $1 == "TWIN" { kern[$2] = $3; if (!($2 in emu)) order[++n] = $2 }
	END {
		for (i = 1; i <= n; i++) {
			f = order[i]
			e = (f in emu) ? sprintf("%9.1f ns", emu[f]) : "-"
			k = (f in kern) ? sprintf("%9.1f ns", kern[f]) : "-"
			r = (f in emu && f in kern && kern[f] > 0) ? sprintf("%8.2fx", emu[f] / kern[f]) : "-"
			printf "%-32s %12s %12s %9s\n", f, e, k, r
		}
		for (i = 1; i <= n; i++) {
			f = order[i]
			if (f in emu) printf "BENCH %s %s ns\n", f, emu[f]
			if (f in kern) printf "BENCH %s_kernel %s ns\n", f, kern[f]
		}
	}' "$emu" "$kern"
[ $kernel_ok = 1 ] || echo "kernel: not measured (see the note above)"
exit $status
