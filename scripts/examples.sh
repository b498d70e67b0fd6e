#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install dependencies, build, and run every example (examples/<name>/);
# while there is none, run the core demo (scripts/demo/core_demo.c).
set -u
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build}
jobs=${BPFEMU_JOBS:-2}

bash scripts/deps.sh || exit 1
# The build is quiet: the examples' own output is what this command is for.
# Its log is shown only when something fails.
mkdir -p "$build_dir"
log="$build_dir/examples-build.log"
echo "building bpfemu and the examples (log: $log)..."
if ! { cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DBPFEMU_BUILD_EXAMPLES=ON &&
       cmake --build "$build_dir" -j"$jobs"; } >"$log" 2>&1; then
	cat "$log"
	echo "build failed"
	exit 1
fi

list="$build_dir/examples/examples.list"
failed=0
ran=0
# Every examples/<name>/ with a user side must have been built and listed:
# an example the build left out is a failure, not a silent skip.
for dir in examples/*/; do
	name=$(basename "$dir")
	ls "$dir"*.c "$dir"CMakeLists.txt 2>/dev/null | grep -qv '\.bpf\.c$' || continue
	if ! grep -q "/example_${name}\$" "$list" 2>/dev/null; then
		echo "=== example_$name was not built"
		failed=$((failed + 1))
		ran=$((ran + 1))
	fi
done
if [ -s "$list" ]; then
	while read -r exe; do
		[ -n "$exe" ] || continue
		echo
		echo "=== $(basename "$exe")"
		if ! "$exe" </dev/null; then
			echo "=== $(basename "$exe") FAILED"
			failed=$((failed + 1))
		fi
		ran=$((ran + 1))
	done <"$list"
else
	echo "=== no examples yet: the core demo"
	"$build_dir/examples/bpfemu_core_demo" </dev/null || failed=1
	ran=1
fi
echo "$((ran - failed)) examples passed, $failed failed"
[ "$failed" = 0 ]
