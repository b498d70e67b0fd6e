/* SPDX-License-Identifier: MIT */
/*
 * bpfemu_prog_run: a program's hook, fired by the test (include/bpfemu/prog.h).
 *
 * bpf_prog_test_run_opts (libbpf_object.c) stays the kernel's: it builds
 * contexts only for the types the kernel can test-run and gives -ENOTSUPP
 * for the others.  This entry runs any loaded program on the caller's
 * context pointer, through emu_run like every native entry, so the program
 * type's helper availability, reference tracking and verifier-rule
 * diagnostics apply exactly as they do under test_run.
 */
#include <errno.h>
#include <string.h>

#include <linux/bpf.h>
#include <bpfemu/core.h>
#include <bpfemu/prog.h>

#include "ctx.h"
#include "err.h"
#include "fd.h"
#include "object_priv.h"
#include "opts.h"
#include "prog.h"

/* MAX_BPF_FUNC_ARGS: what BPF_PROG's ctx[] can hold. */
#define PROG_RUN_MAX_ARGS 12

/* Types whose context is an array of u64 (pt_regs as bpf_tracing.h reads
 * it, or BPF_PROG's arguments). */
static bool ctx_is_u64_array(int type)
{
	switch (type) {
	case BPF_PROG_TYPE_KPROBE:
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE:
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_LSM:
		return true;
	default:
		return false;
	}
}

/* pt_regs has more slots than arguments; BPF_PROG's ctx[] does not. */
static bool ctx_size_ok(int type, size_t size)
{
	if (!ctx_is_u64_array(type))
		return true;
	if (size % sizeof(uint64_t))
		return false;
	return type == BPF_PROG_TYPE_KPROBE || size <= PROG_RUN_MAX_ARGS * sizeof(uint64_t);
}

int bpfemu_prog_run(int prog_fd, struct bpfemu_prog_run_opts *opts)
{
	struct emu_prog_call call;
	struct emu_prog *prog;
	size_t ctx_size;
	int err = 0, cpu, saved_cpu;
	long ret = 0;
	void *ctx;

	if (emu_in_bpf()) {
		emu_diag("prog_run_in_bpf",
			 "bpfemu_prog_run() called from inside a BPF program or callback; programs do not run other programs");
		return emu_err(-EDEADLK);
	}
	if (!opts || !OPTS_VALID(opts, bpfemu_prog_run_opts))
		return emu_err(-EINVAL);
	ctx = OPTS_GET(opts, ctx, NULL);
	ctx_size = OPTS_GET(opts, ctx_size, 0);
	cpu = OPTS_GET(opts, cpu, 0);
	/* As test_run: a context and its size come together. */
	if (!ctx != !ctx_size)
		return emu_err(-EINVAL);
	if (cpu < 0 || cpu >= bpfemu_nr_cpus())
		return emu_err(-ENXIO);
	emu_fd_reap();
	prog = emu_fd_get(prog_fd, EMU_OBJ_PROG, &err);
	if (!prog)
		return emu_err(err);
	if (!prog->func)
		return emu_err(-ENOTSUPP);
	if (!ctx_size_ok(prog->type, ctx_size))
		return emu_err(-EINVAL);

	call.func = prog->func;
	call.ctx = ctx;
	/* The CPU is this run's only: the thread's stays the caller's. */
	saved_cpu = emu_ctx.cpu;
	emu_ctx.cpu = cpu;
	err = emu_run(prog, EMU_ENTRY_PROG, emu_prog_call_fn, &call, &ret);
	emu_ctx.cpu = saved_cpu;
	if (err)
		return emu_err(err);
	if (OPTS_HAS(opts, retval))
		opts->retval = (uint64_t)ret;
	return 0;
}

int bpfemu_prog_run_args(int prog_fd, const uint64_t *args, uint32_t nr_args, uint64_t *retval)
{
	/* A copy: the program gets a writable ctx[], and slots past
	 * @nr_args read as 0 rather than past the caller's array. */
	uint64_t ctx[PROG_RUN_MAX_ARGS] = { 0 };
	BPFEMU_OPTS(bpfemu_prog_run_opts, opts);
	int err;

	if (nr_args > PROG_RUN_MAX_ARGS || (nr_args && !args))
		return emu_err(-EINVAL);
	if (nr_args)
		memcpy(ctx, args, nr_args * sizeof(*args));
	opts.ctx = ctx;
	opts.ctx_size = sizeof(ctx);
	err = bpfemu_prog_run(prog_fd, &opts);
	if (!err && retval)
		*retval = opts.retval;
	return err;
}
