/* SPDX-License-Identifier: MIT */
/*
 * Per-thread execution context: which program (or callback of which
 * program) is running on this thread, as which emulated CPU.
 *
 * Every native entry into BPF code goes through emu_run_enter/leave:
 * bpf_prog_test_run_opts, timer callbacks, bpf_for_each_map_elem / drain /
 * bpf_loop callbacks (nested entries).  The outermost entry on a thread
 *   - reaps closed user fds (emu_fd_reap) so usercnt is current,
 *   - syncs the object's .bss/.data/.rodata (see prog.h),
 *   - owns the jmp_buf that emu_verifier_reject() longjmps to.
 */
#ifndef BPFEMU_EMU_CTX_H
#define BPFEMU_EMU_CTX_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

struct emu_prog;
struct emu_timer;

enum emu_entry_kind {
	EMU_ENTRY_PROG,		/* a program run (test_run, attach point) */
	EMU_ENTRY_TIMER_CB,	/* a bpf_timer callback, run by the clock */
	EMU_ENTRY_CALLBACK,	/* a synchronous callback inside a program */
};

struct emu_run_ctx {
	struct emu_prog *prog;		/* program whose code runs; NULL outside BPF */
	int prog_type;			/* enum bpf_prog_type of @prog (callbacks inherit) */
	int cpu;			/* emulated CPU id, bpf_get_smp_processor_id() */
	int depth;			/* nesting of entries; 0 = not in BPF */
	enum emu_entry_kind kind;	/* kind of the innermost entry */
	struct emu_timer *running_timer; /* timer whose callback runs here, for -EDEADLK */
	jmp_buf *reject_jb;		/* set by the outermost entry */
	int reject_err;			/* errno emu_verifier_reject() left for the entry */
};

extern _Thread_local struct emu_run_ctx emu_ctx;

static inline bool emu_in_bpf(void)
{
	return emu_ctx.depth > 0;
}

#endif /* BPFEMU_EMU_CTX_H */
