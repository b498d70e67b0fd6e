#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build the libFuzzer targets with clang (ASan + UBSan on the library too)
# and run each for N seconds (default 60).  The whole library is built with
# libFuzzer coverage (-fsanitize=fuzzer-no-link), so the drain path guides it.
#   fuzz/run.sh [seconds] [build-dir]
set -eu

secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
build=${2:-$src/build-fuzz}

cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DBPFEMU_BUILD_FUZZ=ON -DBPFEMU_BUILD_TESTS=OFF -DBPFEMU_BUILD_EXAMPLES=OFF \
	-DBPFEMU_SANITIZERS=address,undefined \
	-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
cmake --build "$build" -j2 --target fuzz_user_ringbuf_drain fuzz_packet_test_run

# The drain path gets the time; the packet layer a third of it.
corpus="$build/corpus/user_ringbuf_drain"
mkdir -p "$corpus"
"$build/fuzz/fuzz_user_ringbuf_drain" -max_total_time="$secs" -max_len=4096 \
	-rss_limit_mb=4096 "$corpus"
corpus="$build/corpus/packet_test_run"
mkdir -p "$corpus"
"$build/fuzz/fuzz_packet_test_run" -max_total_time="$(( secs / 3 + 1 ))" -max_len=4096 \
	-rss_limit_mb=4096 "$corpus"
