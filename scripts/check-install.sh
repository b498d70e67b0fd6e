#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install bpfemu from a configured build tree into a scratch prefix, then
# build and run a small consumer three ways: find_package(bpfemu),
# pkg-config, and add_subdirectory() of the source tree.
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
cmake --build "$build_dir" -j"${BPFEMU_JOBS:-2}" --target bpfemu >/dev/null || exit 1
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
cat >"$work/consumer/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.16)
project(consumer C)
if(USE_SUBDIR)
	add_subdirectory(${BPFEMU_SRC} bpfemu)
else()
	find_package(bpfemu REQUIRED)
endif()
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE bpfemu::bpfemu)
C

step "find_package(bpfemu)"
if cmake -S "$work/consumer" -B "$work/b1" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null &&
   cmake --build "$work/b1" >/dev/null && "$work/b1/consumer"; then
	echo ok
else
	echo "FAILED"; fail=1
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
if cmake -S "$work/consumer" -B "$work/b2" -DUSE_SUBDIR=ON -DBPFEMU_SRC="$src" >/dev/null &&
   cmake --build "$work/b2" -j"${BPFEMU_JOBS:-2}" >/dev/null && "$work/b2/consumer"; then
	echo ok
else
	echo "FAILED"; fail=1
fi
exit $fail
