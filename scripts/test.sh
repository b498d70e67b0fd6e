#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install dependencies, configure, build and run the whole test suite, then
# print one closing line: "N passed, N failed".
#
#   scripts/test.sh [--build-dir DIR] [--cc COMPILER] [--sanitizers LIST]
#                   [--posix-only] [--label LABEL] [--release] [--valgrind]
#                   [-- cmake args]
#
# --valgrind: every test under valgrind's memcheck (ctest -T memcheck); any
# error or leak fails the test -- not memory still reachable at exit (libev's
# loop lives until exit, as libev means it to).
#
# Used as is by the README; .ci/run adds the variants (ASan+UBSan, clang,
# POSIX-only, TSan on the "threaded" tests, valgrind).
set -u
cd "$(dirname "$0")/.."

build_dir=build
cc=
sanitizers=
posix_only=OFF
label=
valgrind=0
build_type=Debug
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--build-dir) build_dir=$2; shift ;;
	--cc) cc=$2; shift ;;
	--sanitizers) sanitizers=$2; shift ;;
	--posix-only) posix_only=ON ;;
	--label) label=$2; shift ;;
	--release) build_type=RelWithDebInfo ;;
	--valgrind) valgrind=1 ;;
	--) shift; extra=("$@"); break ;;
	*) echo "usage: $0 [--build-dir DIR] [--cc CC] [--sanitizers LIST] [--posix-only] [--label L] [--release] [--valgrind] [-- cmake args]" >&2
	   exit 2 ;;
	esac
	shift
done

jobs=${BPFEMU_JOBS:-2}

bash scripts/deps.sh || { echo "0 passed, 1 failed"; exit 1; }

cfg=(-S . -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" -DBPFEMU_POSIX_ONLY="$posix_only"
     -DBPFEMU_SANITIZERS="$sanitizers" -DBPFEMU_BUILD_TESTS=ON -DBPFEMU_BUILD_EXAMPLES=ON)
[ -n "$cc" ] && cfg+=(-DCMAKE_C_COMPILER="$cc")
if ! cmake "${cfg[@]}" ${extra[@]+"${extra[@]}"}; then
	echo "configure failed"
	echo "0 passed, 1 failed"
	exit 1
fi
# (bpfemu-gen runs during the build, sanitized too; it tells LeakSanitizer
# itself that it leaves freeing to exit.)
if ! cmake --build "$build_dir" -j"$jobs"; then
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

ctest_args=(--output-on-failure -j"$jobs" --timeout 600)
[ -n "$label" ] && ctest_args+=(-L "$label")
if [ $valgrind = 1 ]; then
	if ! command -v valgrind >/dev/null; then
		echo "valgrind not found"
		echo "0 passed, 1 failed"
		exit 1
	fi
	# test_cgrp_storage_threads is left to ASan and TSan: valgrind runs
	# one thread at a time, and that test's rounds spin for measured times
	# against the other thread (minutes here, and no race is met).
	ctest_args+=(-T memcheck --overwrite MemoryCheckCommand="$(command -v valgrind)"
		--overwrite "MemoryCheckCommandOptions=-q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible"
		-E '^test_cgrp_storage_threads$')
fi
run=()
case ",$sanitizers," in
*,thread,*)
	# TSan needs the address layout it expects: newer kernels randomise
	# mmap more than older TSan runtimes handle.
	if command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then
		run=(setarch "$(uname -m)" -R)
	fi
	export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}
	;;
esac
case ",$sanitizers," in
*,address,*|*,undefined,*)
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	;;
esac

log="$build_dir/ctest.log"
(cd "$build_dir" && ${run[@]+"${run[@]}"} ctest "${ctest_args[@]}") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# memcheck writes its reports beside the tests' output: show the failed
# tests' (others may hold a forked child's expected crash).
if [ $valgrind = 1 ]; then
	for n in $(cut -d: -f1 "$build_dir"/Testing/Temporary/LastTestsFailed*.log 2>/dev/null); do
		f=$build_dir/Testing/Temporary/MemoryChecker.$n.log
		[ -s "$f" ] && { echo "==== memcheck, test $n"; cat "$f"; }
	done
fi

# "100% tests passed, 0 tests failed out of 12"
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
if [ -z "$total" ]; then
	if grep -q "No tests were found" "$log"; then
		total=0
		failed=0
	else
		total=0
		failed=1
	fi
fi
passed=$((total - failed))
echo "$passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ]
