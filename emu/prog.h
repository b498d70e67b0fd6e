/* SPDX-License-Identifier: MIT */
/*
 * Programs as the runtime sees them, and the one way native BPF code is
 * entered.  The loader (object.c, fed by the generator's tables) creates
 * programs; helper families only need what is below.
 *
 * A program is reference-counted like the kernel's bpf_prog: its fd, links,
 * and every timer whose callback it installed hold a reference
 * (bpf_timer_set_callback takes one; cancel/free drops it), so a pending
 * timer keeps its program -- and through it the program's maps and its
 * object's globals -- alive after the skeleton is destroyed.
 */
#ifndef BPFEMU_EMU_PROG_H
#define BPFEMU_EMU_PROG_H

#include <stdbool.h>
#include <stdint.h>

#include "ctx.h"

struct emu_prog;
struct emu_object;

/*
 * A program without an object (tests of helper families drive helpers
 * directly through one: emu_run(prog, EMU_ENTRY_PROG, fn, arg, &ret)).
 * Returned with one reference; NULL on -ENOMEM.
 */
struct emu_prog *emu_prog_new_bare(const char *name, int prog_type);

void emu_prog_get(struct emu_prog *prog);
void emu_prog_put(struct emu_prog *prog);

/* An fd that keeps run statistics on while open (bpf_enable_stats), or a
 * negative errno. */
int emu_prog_stats_enable(void);
int emu_prog_type(const struct emu_prog *prog);		/* enum bpf_prog_type */
const char *emu_prog_name(const struct emu_prog *prog);

/*
 * Run native BPF code of @prog on this thread: @fn(@arg) is called as an
 * entry of @kind (program, timer callback, synchronous callback).
 * The outermost entry reaps closed fds, enters the maps. RCU read side
 * (emu_map_rcu_enter/exit), syncs the object's globals in and
 * out, and catches emu_verifier_reject(); nested entries only push/pop the
 * context (callbacks inherit the program type of @prog).
 * Returns 0 and stores @fn's result in *ret, or the negative errno a
 * verifier-rule rejection left (the run is then abandoned).
 */
typedef long (*emu_run_fn)(void *arg);
int emu_run(struct emu_prog *prog, enum emu_entry_kind kind,
	    emu_run_fn fn, void *arg, long *ret);

/*
 * One verifier-rule guard for a series of outermost entries on this thread
 * (the clock's fire loop), instead of a setjmp in each: the caller arms one
 * jmp_buf, and each emu_run_guarded() entry runs inside it.  A rejection
 * longjmps to the caller's setjmp, which calls emu_run_guard_recover(): the
 * abandoned entry is left as emu_run() would have left it (context,
 * references, globals), then its @abort_fn runs -- the work its caller
 * would have done after it, whose frame is gone -- and the series goes on
 * (the jmp_buf stays valid: its frame is the caller's).
 *
 *	struct emu_run_guard g;
 *
 *	emu_run_guard_begin(&g);
 *	if (setjmp(g.jb))
 *		emu_run_guard_recover(&g);
 *	... emu_run_guarded() entries, from any depth of calls ...
 *	emu_run_guard_end(&g);
 *
 * Only at depth 0, not nestable.  Entries made with emu_run() while a
 * guard is open (a test's plain callback running a program) keep their
 * own setjmp and return their error as usual.
 */
struct emu_run_guard {
	jmp_buf jb;
	/* private */
	jmp_buf *saved_jb;
	struct emu_prog *prog;		/* the entry in progress, or NULL */
	enum emu_entry_kind kind;
	bool sync;
	bool stats;
	uint64_t t0;
	struct emu_timer *timer;	/* running_timer before the entry */
	void (*abort_fn)(void *arg);
	void *abort_arg;
	/* helper bitmap of the last entry's (type, gpl), which is all it
	 * depends on: a series mostly runs one program */
	int allowed_type;
	bool allowed_gpl;
	const uint64_t *allowed;
};

void emu_run_guard_begin(struct emu_run_guard *g);
int emu_run_guard_recover(struct emu_run_guard *g);	/* the entry's errno */
void emu_run_guard_end(struct emu_run_guard *g);

/*
 * emu_run() inside the thread's open guard, if there is one (otherwise
 * plain emu_run(), and @abort_fn is not used): no setjmp of its own.  If
 * the entry is rejected, this call never returns: emu_run_guard_recover()
 * calls @abort_fn(@abort_arg) instead, which must finish what the caller
 * would have done after the entry.  Its state must not live in the
 * caller's frame.
 */
int emu_run_guarded(struct emu_prog *prog, enum emu_entry_kind kind, emu_run_fn fn, void *arg,
		    long *ret, void (*abort_fn)(void *arg), void *abort_arg);

/*
 * @n runs of @fn(@arg) as program entries of @prog, one after the other,
 * stopping at the first that fails (test_run's repeat loop): the same as
 * calling emu_run() @n times, with a grace period let through between two
 * runs as emu_run_batch_next() does.  Inside a batch (emu_run_batch_begin)
 * the runs share one guard (no setjmp per run).  Returns 0 or the failing
 * run's errno; *@ret gets the last run's result (0 if it failed).
 */
int emu_run_repeat(struct emu_prog *prog, emu_run_fn fn, void *arg, uint32_t n, long *ret);

/* A native program's entry and the context it gets: what emu_run() or
 * emu_run_repeat() runs for a program run (emu_prog_call_fn(&call)). */
struct emu_prog_call {
	void *func;		/* int prog(void *ctx) */
	void *ctx;
};
long emu_prog_call_fn(void *arg);

/*
 * Helper availability (the kernel's per-program-type func_proto): called at
 * the top of each helper with its BPF_FUNC_* id.  Returns true if the
 * current program's type may call it; otherwise rejects the run through
 * emu_verifier_reject(-EINVAL, "helper_not_allowed", ...) -- which does not
 * return when a program is running -- and returns false.
 */
bool emu_helper_allowed(int func_id);

/*
 * The verifier's return-range rule for synchronous callbacks
 * (bpf_for_each_map_elem, bpf_loop, bpf_user_ringbuf_drain: 0 or 1), called
 * by the helper family with its BPF_FUNC_* id and the callback's result.
 * Returns 0, or rejects the run ("drain_cb_bad_return",
 * "for_each_cb_bad_return", "loop_cb_bad_return") and returns -EINVAL if
 * no program is running.  Timer callbacks (must return 0,
 * "timer_cb_nonzero_return") are checked by emu_run itself.
 */
int emu_callback_check_ret(int func_id, long ret);

/* The program's helper bitmap for emu_ctx.helpers_allowed (helper_table.c):
 * NULL when every call must take emu_helper_allowed()'s full check. */
const uint64_t *emu_helper_allowed_bitmap(const struct emu_prog *prog);

/* The program's bitmap allows @func_id: true for an allowed call inside a
 * GPL program, the common case; false means emu_helper_allowed() decides. */
static inline bool emu_helper_bit_allowed(int func_id)
{
	const uint64_t *allowed = emu_ctx.helpers_allowed;

	return __builtin_expect(allowed && (allowed[func_id >> 6] >> (func_id & 63)) & 1, 1);
}

/* Helpers are called millions of times: an allowed call costs one bit
 * test; anything else (outside BPF, a refusal with its diagnostic, a
 * non-GPL program) goes through emu_helper_allowed(). */
static inline bool emu_helper_check(int func_id)
{
	if (emu_helper_bit_allowed(func_id))
		return true;
	return emu_helper_allowed(func_id);
}

#define EMU_HELPER_CHECK(func_id, fail_ret)		\
	do {						\
		if (!emu_helper_check(func_id))		\
			return fail_ret;		\
	} while (0)

/*
 * The same check in a small, hot helper.  After EMU_HELPER_CHECK's call to
 * emu_helper_allowed() the body goes on with the arguments, so the compiler
 * keeps them in callee-saved registers, and every call pushes and pops
 * those (five in bpf_dynptr_read) for a call that almost never happens.
 * Such a helper keeps its body in a static inline function and leaves the
 * slow check to a noinline copy, reached by a tail call:
 *
 *	static __attribute__((noinline)) long name_slow(args)
 *	{
 *		if (!emu_helper_allowed(ID))
 *			return fail_ret;
 *		return name_body(args);
 *	}
 *
 *	long bpfemu_helper_name(args)
 *	{
 *		if (!emu_helper_bit_allowed(ID))
 *			return name_slow(args);
 *		return name_body(args);
 *	}
 *
 * Same check, same order: a refused call returns before any effect.
 */

#endif /* BPFEMU_EMU_PROG_H */
