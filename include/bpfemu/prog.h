/* SPDX-License-Identifier: MIT */
/*
 * Firing a program as if its hook ran.
 *
 * bpf_prog_test_run_opts() answers as the kernel does: -ENOTSUPP (524) for
 * the program types the kernel cannot test-run (kprobe, uprobe,
 * tracepoint, perf_event, LSM...).  On a kernel those programs run when
 * their hook fires; in user space nothing fires them.  bpfemu_prog_run()
 * is that hook: it runs any loaded program on the context it is given,
 * with the program type's helper availability and the verifier-rule
 * diagnostics unchanged, and leaves test_run's answers alone.
 *
 * The context is handed to the program as it is, the pointer the program
 * receives, laid out as that program type reads it:
 *   kprobe/uprobe/ksyscall  a u64 array, slot i = argument i+1 (our
 *                           <bpf/bpf_tracing.h>'s pt_regs: BPF_KPROBE,
 *                           PT_REGS_PARMn; slot 0 is also PT_REGS_RC)
 *   tracepoint (tp/...)     the raw record, e.g. struct
 *                           trace_event_raw_sys_enter for sys_enter_*
 *   raw_tp, tp_btf, fentry, fexit, fmod_ret, LSM
 *                           a u64 array of the arguments (BPF_PROG's ctx[])
 *   others                  the type's context struct (__sk_buff, xdp_md...)
 * It is not copied: what the program writes to it is in the caller's
 * buffer afterwards, and a context shorter than what the program reads is
 * the caller's out-of-bounds read (ASan reports it).
 */
#ifndef BPFEMU_PROG_H
#define BPFEMU_PROG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bpfemu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Declare and zero-initialise a bpfemu opts struct, padding included, with
 * .sz set (LIBBPF_OPTS for bpfemu's own opts).
 */
#define BPFEMU_OPTS(TYPE, NAME, ...)					\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) {						\
			.sz = sizeof(struct TYPE),			\
			__VA_ARGS__					\
		};							\
	})

struct bpfemu_prog_run_opts {
	size_t sz;		/* sizeof(struct bpfemu_prog_run_opts) */
	void *ctx;		/* the program's context (above); may be NULL */
	size_t ctx_size;	/* bytes at @ctx: 0 exactly when @ctx is NULL */
	int cpu;		/* emulated CPU of the run, bpf_get_smp_processor_id() */
	uint64_t retval;	/* out: the program's return value (its int, sign-extended) */
	size_t :0;
};
#define bpfemu_prog_run_opts__last_field retval

/*
 * Run the program behind @prog_fd once, as its hook would, on @opts->ctx.
 * Returns 0 and stores the program's return value in @opts->retval;
 * otherwise a negative errno (errno set):
 *   -EINVAL  @opts NULL or invalid (sz, unknown non-zero tail), @ctx and
 *            @ctx_size not given together, a u64-array context (kprobe,
 *            raw_tp, tracing, LSM) whose size is not a multiple of 8, or
 *            (raw_tp, tracing, LSM) longer than 12 arguments
 *            (MAX_BPF_FUNC_ARGS)
 *   -ENXIO   @cpu not below bpfemu_nr_cpus()
 *   -EBADF   @prog_fd is not open; -EINVAL an fd that is not a program
 *   -ENOTSUPP a program with no native code
 *   -EDEADLK called from inside a BPF program or callback (diagnostic
 *            "prog_run_in_bpf"); nothing runs
 * A verifier-rule rejection returns the rule's errno (e.g. -EINVAL with
 * "helper_not_allowed"), as bpf_prog_test_run_opts does.
 */
BPFEMU_API int bpfemu_prog_run(int prog_fd, struct bpfemu_prog_run_opts *opts);

/*
 * The common case of BPF_PROG and BPF_KPROBE programs: @nr_args u64
 * arguments as the context, on CPU 0; the program's return value in
 * *@retval (may be NULL).  An array rather than varargs so that an int or
 * a pointer argument cannot be read back as a u64 with garbage in its
 * upper half: write (uint64_t)(uintptr_t)ptr for pointers.
 * Errors as bpfemu_prog_run(); @args NULL with @nr_args 0 is no context.
 */
BPFEMU_API int bpfemu_prog_run_args(int prog_fd, const uint64_t *args, uint32_t nr_args,
				    uint64_t *retval);

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_PROG_H */
