# SPDX-License-Identifier: MIT
#
# bpfemu_settings: an INTERFACE target carrying the flags bpfemu imposes on
# its own targets (library, tests, examples, benchmarks) but never on a
# project that consumes it.  Warnings are errors only when bpfemu is the top
# level project, so a newer compiler's new warning cannot break someone
# else's build.

add_library(bpfemu_settings INTERFACE)

if(BPFEMU_TOP_LEVEL)
	target_compile_options(bpfemu_settings INTERFACE -Wall -Wextra)
	if(BPFEMU_WERROR)
		target_compile_options(bpfemu_settings INTERFACE -Werror)
	endif()
endif()

if(BPFEMU_SANITIZERS)
	# Keep frames so sanitizer reports name the caller.
	target_compile_options(bpfemu_settings INTERFACE
		-fsanitize=${BPFEMU_SANITIZERS} -fno-omit-frame-pointer -fno-sanitize-recover=all)
	target_link_options(bpfemu_settings INTERFACE -fsanitize=${BPFEMU_SANITIZERS})
endif()
