#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build every bench/bench_*.c in a Release tree and run it, then the twin
# benchmarks (bench/twin/: the same BPF program and driver on bpfemu and on
# the running kernel); print a table of the "BENCH <name> <value> <unit>"
# lines each writes (its other output is shown after it ends), then each
# figure beside its baselines and the kernel's figure, as ratios
# (bench/summary.awk).
#
#   bench/run.sh [--quick] [BUILD_DIR] [-- args passed to every benchmark]
#
# --quick: a smoke test (CI), not a measurement: each benchmark runs a few
# thousand operations (its own --quick, or a small count argument), so the
# whole run takes seconds; the figures mean nothing.
set -u
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = "--quick" ]; then
	quick=1
	shift
fi
build_dir=${1:-build-bench}
shift $(( $# > 0 ? 1 : 0 ))
[ "${1:-}" = "--" ] && shift

# Arguments that make one benchmark brief (--quick only).
quick_args() {
	case $1 in
	bench_map|bench_startup) echo --quick ;;
	bench_clock|bench_timer) echo 20000 ;;
	bench_ringbuf) echo 20000 ;;
	*) ;;
	esac
}

bash scripts/deps.sh || exit 1
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DBPFEMU_BUILD_BENCH=ON \
	-DBPFEMU_BUILD_TESTS=OFF -DBPFEMU_BUILD_EXAMPLES=OFF -DBPFEMU_WERROR=OFF >/dev/null || exit 1
cmake --build "$build_dir" -j"${BPFEMU_JOBS:-2}" || exit 1

rows=$(mktemp)
one=$(mktemp)
trap 'rm -f "$rows" "$one"' EXIT
status=0
for exe in "$build_dir"/bench/bench_*; do
	[ -x "$exe" ] || continue
	name=$(basename "$exe")
	echo "=== $name"
	args=("$@")
	if [ $quick = 1 ]; then
		read -r -a args <<<"$(quick_args "$name")"
	fi
	# Through a file, not tee /dev/stderr: reopening stderr truncates it
	# when it is a log file.
	"$exe" ${args[@]+"${args[@]}"} >"$one" 2>&1
	rc=$?
	cat "$one"
	awk -v b="$name" '$1 == "BENCH" { print b, $2, $3, $4 }' "$one" >>"$rows"
	if [ "$rc" != 0 ]; then
		echo "=== $name FAILED (exit $rc)"
		status=1
	fi
done

# The twin benchmarks: the same program and driver on bpfemu and on the
# running kernel (bench/twin/run.sh; its kernel side needs root).
echo "=== twin"
twin_args=(--bindir "$build_dir/bench/twin" --kbuild "$build_dir/twin-kernel")
[ $quick = 1 ] && twin_args+=(--quick)
sh bench/twin/run.sh "${twin_args[@]}" >"$one" 2>&1
rc=$?
cat "$one"
awk '$1 == "BENCH" { print "twin", $2, $3, $4 }' "$one" >>"$rows"
if [ "$rc" != 0 ]; then
	echo "=== twin FAILED (exit $rc)"
	status=1
fi

echo
printf '%-18s %-34s %14s %s\n' benchmark measure value unit
awk '{ printf "%-18s %-34s %14s %s\n", $1, $2, $3, $4 }' "$rows"
# Last, each figure beside its baselines and the kernel's, as ratios.
awk -f bench/summary.awk "$rows"
exit $status
