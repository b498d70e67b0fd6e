#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Install what bpfemu needs to build and test, when it is missing:
#   required: a C compiler, cmake, pkg-config, libev, uthash, cmocka
#   best effort (conformance suite, fuzzing, memcheck): clang, llvm,
#     libbpf-dev, bpftool, libclang-rt-dev for the installed clang; valgrind
#     (Linux)
# Debian/Ubuntu: apt-get (as root, or through sudo).  macOS: Homebrew.
# Nothing is vendored.  Safe to run again: it does nothing when all is there.
set -u

log() { printf 'deps: %s\n' "$*" >&2; }

have_header() {
	local h
	for h in "$@"; do
		printf '#include <%s>\n' "$h" | ${CC:-cc} -E -x c - \
			-I/opt/homebrew/include -I/usr/local/include >/dev/null 2>&1 || return 1
	done
}

have_required() {
	command -v cmake >/dev/null && command -v pkg-config >/dev/null &&
		command -v "${CC:-cc}" >/dev/null && have_header ev.h uthash.h stdarg.h setjmp.h cmocka.h
}

have_extras() {
	command -v clang >/dev/null && command -v llvm-strip >/dev/null &&
		command -v bpftool >/dev/null && have_header bpf/libbpf.h
}

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo -n "$@" || sudo "$@"
	else
		log "need root (or sudo) to run: $*"
		return 1
	fi
}

apt_install() {
	# Install each package on its own so one missing name does not stop
	# the rest (package names differ between releases).
	local p rc=0
	for p in "$@"; do
		DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "$p" \
			>/dev/null 2>&1 || { log "could not install $p"; rc=1; }
	done
	return $rc
}

debian() {
	local updated=0 clang_ver
	if ! have_required; then
		log "installing build dependencies with apt-get"
		as_root apt-get update -q >/dev/null 2>&1 || log "apt-get update failed"
		updated=1
		apt_install build-essential cmake pkg-config libev-dev uthash-dev libcmocka-dev
	fi
	if ! have_extras; then
		log "installing conformance/fuzzing tools with apt-get (best effort)"
		[ $updated = 1 ] || as_root apt-get update -q >/dev/null 2>&1
		apt_install clang llvm libbpf-dev bpftool linux-libc-dev
	fi
	if ! command -v valgrind >/dev/null; then
		log "installing valgrind with apt-get (best effort)"
		[ $updated = 1 ] || as_root apt-get update -q >/dev/null 2>&1
		updated=1
		apt_install valgrind
	fi
	# The fuzzers need clang's runtime (libFuzzer) for the clang in use.
	if command -v clang >/dev/null; then
		clang_ver=$(clang -dumpversion 2>/dev/null | cut -d. -f1)
		if [ -n "$clang_ver" ] && ! ls /usr/lib/llvm-"$clang_ver"/lib/clang/*/lib/linux/libclang_rt.fuzzer*.a \
				>/dev/null 2>&1; then
			apt_install "libclang-rt-$clang_ver-dev" || apt_install libclang-rt-dev || true
		fi
	fi
}

macos() {
	if ! command -v brew >/dev/null; then
		log "Homebrew is needed on macOS (https://brew.sh)"
		return 1
	fi
	have_required || brew install cmake pkg-config libev uthash cmocka
	have_extras || brew install llvm libbpf bpftool 2>/dev/null || log "optional tools not installed"
	return 0
}

case "$(uname -s)" in
Linux)
	if command -v apt-get >/dev/null; then
		debian
	elif ! have_required; then
		log "not a Debian/Ubuntu system: install cmake, pkg-config, libev, uthash and cmocka yourself"
	fi
	;;
Darwin)
	macos
	;;
*)
	have_required || log "unknown system: install cmake, pkg-config, libev, uthash and cmocka yourself"
	;;
esac

if have_required; then
	exit 0
fi
log "required dependencies are still missing"
exit 1
