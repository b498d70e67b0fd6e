# SPDX-License-Identifier: MIT
#
# Build options.  Tests, examples and benchmarks only make sense when bpfemu
# is the project being built, not when it is pulled in with add_subdirectory.

if(CMAKE_SOURCE_DIR STREQUAL PROJECT_SOURCE_DIR)
	set(BPFEMU_TOP_LEVEL ON)
else()
	set(BPFEMU_TOP_LEVEL OFF)
endif()

option(BPFEMU_BUILD_TESTS "Build the cmocka test suite (top level, with BUILD_TESTING)" ${BPFEMU_TOP_LEVEL})
option(BPFEMU_BUILD_EXAMPLES "Build examples/<name>/ and the core demo" ${BPFEMU_TOP_LEVEL})
option(BPFEMU_BUILD_BENCH "Build bench/bench_*.c" OFF)
option(BPFEMU_POSIX_ONLY "Use only POSIX facilities (the macOS code path): no epoll, eventfd, memfd, Linux headers" OFF)
option(BPFEMU_WERROR "Warnings are errors (top level only)" ON)
option(BPFEMU_INSTALL "Generate install rules" ON)
# The run context every helper reads as initial-exec TLS (emu/ctx.h): a
# plain %fs access, ~5% fewer instructions per timer fire.  It puts the
# whole library's thread-locals in static TLS, which a module loaded with
# dlopen() (a shared libbpfemu, or a static one linked into a plugin or a
# Python extension) cannot get: so on by default only for a static library.
if(BUILD_SHARED_LIBS)
	set(BPFEMU_TLS_IE_DEFAULT OFF)
else()
	set(BPFEMU_TLS_IE_DEFAULT ON)
endif()
option(BPFEMU_TLS_INITIAL_EXEC "Initial-exec TLS for the run context (not dlopen-safe)" ${BPFEMU_TLS_IE_DEFAULT})
set(BPFEMU_SANITIZERS "" CACHE STRING
	"Comma-separated -fsanitize= list, e.g. \"address,undefined\" or \"thread\"")
