#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install bpfemu from a configured build tree into a scratch prefix, then
# build and run a small consumer three ways: find_package(bpfemu),
# pkg-config, and add_subdirectory() of the source tree.  The CMake
# consumers also build a BPF program of their own with bpfemu_add_object()
# (the installed bpfemu-gen, or the one add_subdirectory builds) and run it
# through its skeleton.
#
#   scripts/check-install.sh [BUILD_DIR]
set -u
cd "$(dirname "$0")/.."
src=$(pwd)
build_dir=${1:-build}
work=$(mktemp -d "${TMPDIR:-/tmp}/bpfemu-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
fail=0

step() { echo "--- $*"; }

[ -f "$build_dir/CMakeCache.txt" ] || cmake -S . -B "$build_dir" >/dev/null || exit 1
cmake --build "$build_dir" -j"${BPFEMU_JOBS:-2}" --target bpfemu bpfemu-gen >/dev/null || exit 1
step "install into $prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null || exit 1

mkdir -p "$work/consumer"
cat >"$work/consumer/main.c" <<'C'
#include <stdio.h>
#include <bpfemu.h>
#include <bpfemu/helpers.h>

int main(void)
{
	__u64 t0 = bpfemu_helper_ktime_get_ns();

	bpfemu_clock_advance(1000);
	if (bpfemu_helper_ktime_get_ns() - t0 != 1000)
		return 1;
	if (bpfemu_helper_trace_printk("consumer %d", 12, (__u64)42) != 11)
		return 1;
	puts(bpfemu_trace_line(0));
	bpfemu_reset();
	return bpfemu_live_objects() != 0;
}
C
# A BPF program in ordinary libbpf style, built natively with
# bpfemu_add_object() from the consumer's own directory, and a user side
# that drives it through its skeleton.
cat >"$work/consumer/counter.bpf.c" <<'C'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

__u64 runs;

SEC("syscall")
int count(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	if (!v)
		return 1;
	__sync_fetch_and_add(v, 10);
	runs++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
C
cat >"$work/consumer/skel_main.c" <<'C'
#include <stdio.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>
#include "counter.skel.h"

int main(void)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct counter *skel = counter__open_and_load();
	__u32 key = 0;
	__u64 v = 0;
	int i, fd, bad = 0;

	if (!skel)
		return 1;
	fd = bpf_program__fd(skel->progs.count);
	for (i = 0; i < 3; i++)
		bad |= bpf_prog_test_run_opts(fd, &opts) != 0 || opts.retval != 0;
	bad |= bpf_map_lookup_elem(bpf_map__fd(skel->maps.counts), &key, &v) != 0;
	bad |= v != 30 || skel->bss->runs != 3;
	printf("counter: runs=%llu value=%llu\n", (unsigned long long)skel->bss->runs,
	       (unsigned long long)v);
	counter__destroy(skel);
	bpfemu_reset();
	return bad || bpfemu_live_objects() != 0;
}
C
cat >"$work/consumer/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.19)
project(consumer C)
if(USE_SUBDIR)
	add_subdirectory(${BPFEMU_SRC} bpfemu)
else()
	find_package(bpfemu REQUIRED)
endif()
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE bpfemu::bpfemu)

# Native BPF object from this (parent) project's directory.
bpfemu_add_object(counter counter.bpf.c OPTIONS -Wall -Wextra -Werror)
add_executable(consumer_skel skel_main.c)
target_compile_options(consumer_skel PRIVATE -Wall -Wextra -Werror)
target_link_libraries(consumer_skel PRIVATE counter bpfemu::bpfemu)
C

step "find_package(bpfemu)"
if cmake -S "$work/consumer" -B "$work/b1" -DCMAKE_PREFIX_PATH="$prefix" >"$work/log" 2>&1 &&
   cmake --build "$work/b1" >>"$work/log" 2>&1 && "$work/b1/consumer" && "$work/b1/consumer_skel"; then
	echo ok
else
	tail -30 "$work/log"; echo "FAILED"; fail=1
fi

step "pkg-config"
pcdir=$(dirname "$(find "$prefix" -name bpfemu.pc | head -1)")
if flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs --static bpfemu) &&
   ${CC:-cc} -o "$work/consumer-pc" "$work/consumer/main.c" $flags && "$work/consumer-pc"; then
	echo ok
else
	echo "FAILED"; fail=1
fi

step "add_subdirectory()"
if cmake -S "$work/consumer" -B "$work/b2" -DUSE_SUBDIR=ON -DBPFEMU_SRC="$src" >"$work/log" 2>&1 &&
   cmake --build "$work/b2" -j"${BPFEMU_JOBS:-2}" >>"$work/log" 2>&1 && "$work/b2/consumer" &&
   "$work/b2/consumer_skel"; then
	echo ok
else
	tail -30 "$work/log"; echo "FAILED"; fail=1
fi
exit $fail
