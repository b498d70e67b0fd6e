# SPDX-License-Identifier: MIT
#
# bpfemu-gen run by hand, the way a plain Makefile runs it
# (docs/getting-started.md): its input spelled as a user's flags spell it,
# and the mistakes it must explain instead of emitting a broken skeleton.
#
#   cmake -DCC=... -DGEN=... -DROOT=<source dir> -DOUT=<dir> "-DDEFS=a;b" -P gen_cli.cmake

set(src ${ROOT}/tests/progs/syscall_ctx.bpf.c)
set(inc ${ROOT}/include)
set(defs "")
foreach(d ${DEFS})
	list(APPEND defs -D${d})
endforeach()
file(MAKE_DIRECTORY ${OUT})

function(expect_fail what needle)
	execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
	if(rc EQUAL 0)
		message(FATAL_ERROR "${what}: bpfemu-gen succeeded, expected it to refuse")
	endif()
	string(FIND "${err}" "${needle}" at)
	if(at EQUAL -1)
		message(FATAL_ERROR "${what}: the message does not say \"${needle}\":\n${err}")
	endif()
endfunction()

function(run what)
	execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "${what} failed (${rc}):\n${err}")
	endif()
endfunction()

# 1. -I spelled with "..", as pkg-config's relocatable prefix spells it,
#    and INCLUDE_DIR spelled plainly: bpfemu's headers are still headers,
#    so the generated C compiles (it used to declare every forward-declared
#    struct of <linux/bpf.h> as a .bss variable).
run("preprocess" ${CC} -E -DBPFEMU_SCAN ${defs} -I${ROOT}/tests/../include ${src} -o ${OUT}/dotdot.i)
run("bpfemu-gen" ${GEN} syscall_ctx ${OUT}/dotdot.i ${OUT}/dotdot.bpfemu.c ${OUT}/dotdot.skel.h ${inc})
run("compile the generated C" ${CC} -fsyntax-only -Werror ${defs} -I${inc} ${OUT}/dotdot.bpfemu.c)

# 2. Preprocessed without -DBPFEMU_SCAN: no SEC() marker survives.
run("preprocess" ${CC} -E ${defs} -I${inc} ${src} -o ${OUT}/noscan.i)
expect_fail("no -DBPFEMU_SCAN" "-DBPFEMU_SCAN"
	${GEN} syscall_ctx ${OUT}/noscan.i ${OUT}/x.bpfemu.c ${OUT}/x.skel.h ${inc})

# 3. INCLUDE_DIR that the preprocessed text never includes from.
expect_fail("wrong INCLUDE_DIR" "includes no header from INCLUDE_DIR"
	${GEN} syscall_ctx ${OUT}/dotdot.i ${OUT}/x.bpfemu.c ${OUT}/x.skel.h ${OUT}/nonexistent)

# 4. The usage line says how to make its input.
expect_fail("usage" "-DBPFEMU_SCAN" ${GEN})
