#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build every bench/bench_*.c in a Release tree and run it; print a table of
# the "BENCH <name> <value> <unit>" lines each benchmark writes (its other
# output is shown as it runs).
#
#   bench/run.sh [BUILD_DIR] [-- args passed to every benchmark]
set -u
cd "$(dirname "$0")/.."
build_dir=${1:-build-bench}
shift $(( $# > 0 ? 1 : 0 ))
[ "${1:-}" = "--" ] && shift

bash scripts/deps.sh || exit 1
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DBPFEMU_BUILD_BENCH=ON \
	-DBPFEMU_BUILD_TESTS=OFF -DBPFEMU_BUILD_EXAMPLES=OFF -DBPFEMU_WERROR=OFF >/dev/null || exit 1
cmake --build "$build_dir" -j"${BPFEMU_JOBS:-2}" || exit 1

rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
status=0
for exe in "$build_dir"/bench/bench_*; do
	[ -x "$exe" ] || continue
	name=$(basename "$exe")
	echo "=== $name"
	if ! "$exe" "$@" | tee /dev/stderr | awk -v b="$name" '$1 == "BENCH" { print b, $2, $3, $4 }' >>"$rows"; then
		status=1
	fi
done 2>&1

echo
printf '%-16s %-32s %14s %s\n' benchmark measure value unit
awk '{ printf "%-16s %-32s %14s %s\n", $1, $2, $3, $4 }' "$rows"
exit $status
