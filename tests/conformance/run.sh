#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Conformance suite runner (docs/conformance.md).
#
#   run.sh [--update-golden] [--kernel-only | --bpfemu-only]
#          [--bpfemu-bindir DIR] [--kbuild DIR] [FAMILY...]
#
# Kernel side (when possible: root, clang -target bpf, bpftool, libbpf,
# /sys/kernel/btf/vmlinux): builds progs/<f>.bpf.c with clang -target bpf
# against a vmlinux.h dumped from the running kernel, skeletons with
# bpftool, drivers/<f>.c against the system libbpf; runs them; compares the
# records with golden/<f>.txt (or rewrites it with --update-golden).
# bpfemu side: runs the conf_<f> binaries CMake built in --bpfemu-bindir
# and compares them with the kernel's records of this run, or with the
# golden records when the kernel side could not run.
#
# Prints per-family counts and a final "conformance: N passed, N failed";
# exits non-zero on any difference.
set -u

here=$(cd "$(dirname "$0")" && pwd)
families_all="timers maps user_ringbuf ringbuf cgrp_storage packets mapcompat"
update=0
do_kernel=1
do_bpfemu=1
bindir=${BPFEMU_CONF_BINDIR:-}
kbuild=${BPFEMU_CONF_KBUILD:-${TMPDIR:-/tmp}/bpfemu-conformance-kernel}
families=""

while [ $# -gt 0 ]; do
	case $1 in
	--update-golden) update=1 ;;
	--kernel-only) do_bpfemu=0 ;;
	--bpfemu-only) do_kernel=0 ;;
	--bpfemu-bindir) bindir=$2; shift ;;
	--kbuild) kbuild=$2; shift ;;
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) families="$families $1" ;;
	esac
	shift
done
[ -n "$families" ] || families=$families_all

mkdir -p "$kbuild/records" || exit 2
kbuild=$(cd "$kbuild" && pwd)	# the kernel-side build may change directory
out=$kbuild/records

note() { echo "conformance: $*" >&2; }
. "$here/kernel_side.sh"

# Remove cgroups and bpffs pin directories a crashed driver may have left
# (only our own prefix).
kernel_cleanup() {
	for d in /sys/fs/bpf/bpfemu-conf-*; do
		[ -d "$d" ] && rm -rf "$d" 2>/dev/null && note "removed leftover pins $d"
	done
	cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$cg2" ] || return 0
	for d in "$cg2"/bpfemu-conf-*; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null && note "removed leftover cgroup $d"
	done
	return 0
}

# kernel_build FAMILY -> $kbuild/<f>.kernel
kernel_build() {
	kside_build "$kbuild" "$1" "$here/progs/$1.bpf.c" "$here/drivers/$1.c" CONF_KERNEL \
		"$here" "$here/progs"
}

# compare REF OTHER REFNAME OTHERNAME -> prints differences, sets eq/ne
compare() {
	awk -v refname="$3" -v othname="$4" '
	function key(line) { sub(/:.*/, "", line); return line }
	function val(line) { sub(/^[^:]*: ?/, "", line); return line }
	/^#/ || NF == 0 { next }
	FNR == NR { k = key($0); ref[k] = val($0); order[++n] = k; next }
	{ k = key($0); oth[k] = val($0); if (!(k in ref)) extra[++m] = k }
	END {
		eq = 0; ne = 0
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (!(k in oth)) {
				printf("DIFF %s: %s: %s | %s: (missing)\n", k, refname, ref[k], othname); ne++
			} else if (ref[k] != oth[k]) {
				printf("DIFF %s: %s: %s | %s: %s\n", k, refname, ref[k], othname, oth[k]); ne++
			} else eq++
		}
		for (i = 1; i <= m; i++) {
			printf("DIFF %s: %s: (missing) | %s: %s\n", extra[i], refname, othname, oth[extra[i]]); ne++
		}
		printf("%d %d\n", eq, ne) > "/dev/stderr"
	}' "$1" "$2" 2> "$out/.counts"
	read eq ne < "$out/.counts"
}

kernel_ok=0
if [ $do_kernel = 1 ] && kside_usable; then
	kernel_ok=1
fi

total_pass=0
total_fail=0
summary=""

for f in $families; do
	golden=$here/golden/$f.txt
	ref=""
	refname=""
	fam_note=""

	if [ $kernel_ok = 1 ]; then
		if kernel_build "$f" > "$out/$f.kbuild.log" 2>&1; then
			krel=$(uname -r)
			kstatus=0
			{
				echo "# kernel $krel"
				"$kbuild/$f.kernel"
			} > "$out/$f.kernel.txt" 2> "$out/$f.kernel.err" || kstatus=1
			kernel_cleanup
			ref=$out/$f.kernel.txt
			refname="kernel-$krel"
			if [ $kstatus != 0 ]; then
				note "$f: kernel driver failed (see $out/$f.kernel.err and driver_error records)"
				total_fail=$((total_fail + 1))
				fam_note="$fam_note kernel-driver-failed"
			elif [ $update = 1 ]; then
				cp "$ref" "$golden"
				note "$f: golden updated from kernel $krel"
			elif [ -r "$golden" ]; then
				compare "$golden" "$ref" "golden($(sed -n '1s/^# kernel //p' "$golden"))" "$refname"
				if [ "$ne" != 0 ]; then
					note "$f: running kernel differs from golden in $ne case(s)"
					total_fail=$((total_fail + ne))
					fam_note="$fam_note kernel-vs-golden:$ne-differ"
				fi
			fi
		else
			note "$f: kernel build failed (see $out/$f.kbuild.log)"
			tail -5 "$out/$f.kbuild.log" >&2
		fi
	fi
	if [ -z "$ref" ] && [ -r "$golden" ]; then
		ref=$golden
		refname="golden($(sed -n '1s/^# kernel //p' "$golden"))"
	fi
	if [ -z "$ref" ]; then
		note "$f: no kernel records and no golden file"
		total_fail=$((total_fail + 1))
		summary="$summary
  $f: no reference records"
		continue
	fi
	ncases=$(grep -c '^[^#]' "$ref")

	if [ $do_bpfemu = 1 ]; then
		bin=${bindir:+$bindir/conf_$f}
		if [ -n "$bin" ] && [ -x "$bin" ]; then
			"$bin" > "$out/$f.bpfemu.txt" 2> "$out/$f.bpfemu.err"
			rc=$?
			[ $rc = 0 ] || note "$f: bpfemu driver exited with $rc (see $out/$f.bpfemu.err)"
		else
			: > "$out/$f.bpfemu.txt"
			fam_note="$fam_note bpfemu-driver-not-built"
		fi
		compare "$ref" "$out/$f.bpfemu.txt" "$refname" bpfemu
		total_pass=$((total_pass + eq))
		total_fail=$((total_fail + ne))
		summary="$summary
  $f: $ncases cases, $eq equal, $ne differ$fam_note"
	else
		total_pass=$((total_pass + ncases))
		summary="$summary
  $f: $ncases cases (kernel only)$fam_note"
	fi
done

echo "conformance families:$summary"
echo "conformance: $total_pass passed, $total_fail failed"
[ $total_fail = 0 ]
