#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Pull the compiled examples out of the documentation.
#
#   tests/docs/extract.sh DOCS_DIR OUT_DIR
#
# A ```c block whose first line is
#	/* docs-test: NAME.bpf.c */	BPF side, built with bpfemu_add_object(NAME)
#	/* docs-test: NAME.c */		user side / cmocka test, built and run,
#					linked with object NAME if NAME.bpf.c exists
# is written to OUT_DIR/NAME.bpf.c or OUT_DIR/NAME.c; a NAME.c starts with
# a #line so that compiler errors point into the .md file (not a .bpf.c:
# bpfemu-gen reads the line markers to tell the program from headers).  Blocks marked
#	/* docs-fragment */
# are excerpts of those files and are not compiled.  Every written file
# name is printed, one per line.  Plain POSIX sh + awk: usable from a
# Makefile as well as from tests/docs/CMakeLists.txt.
set -eu
docs=$1
out=$2
mkdir -p "$out"
for md in "$docs"/*.md; do
	awk -v out="$out" -v md="$md" '
	/^```c[ \t]*$/ { inblock = 1; first = 1; file = ""; next }
	/^```/ && inblock {
		if (file != "") { close(file); print name }
		inblock = 0; file = ""; next
	}
	inblock && first {
		first = 0
		if (match($0, /^\/\* docs-test: [A-Za-z0-9_]+(\.bpf)?\.c \*\/$/)) {
			name = $3
			file = out "/" name
			if (seen[name]++) {
				printf "%s:%d: docs-test %s defined twice\n", md, NR, name > "/dev/stderr"
				exit 1
			}
			if (name ~ /\.bpf\.c$/)
				printf "" > file
			else
				printf "#line %d \"%s\"\n", NR + 1, md > file
			next
		}
	}
	inblock && file != "" { print > file }
	' "$md"
done
