/* SPDX-License-Identifier: MIT */
/*
 * Programs and the one way native BPF code is entered (emu_run).
 *
 * The outermost entry on a thread is where the kernel's world becomes
 * consistent again: closed user fds are reaped (so usercnt is current, as
 * the kernel's synchronous fput would have made it), the object's globals
 * are copied in from the buffers user space writes through skel->bss, and a
 * jmp_buf is set up so that emu_verifier_reject() can abandon the run from
 * any depth.  Nested entries (callbacks inside a program) only push and pop
 * the context.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <linux/bpf.h>

#include "alloc.h"
#include "cgroup.h"
#include "clock.h"
#include "ctx.h"
#include "err.h"
#include "fd.h"
#include "map.h"
#include "object_priv.h"
#include "prog.h"
#include "ringbuf.h"

static atomic_uint prog_next_id = 1;

struct emu_prog *emu_prog_new(const char *name, int prog_type, struct emu_globals *globals,
			      struct emu_map **maps, uint32_t nr_maps, void *func)
{
	struct emu_prog *prog;
	uint32_t i;

	prog = emu_calloc(1, sizeof(*prog));
	if (!prog)
		return NULL;
	prog->name = emu_strdup(name ? name : "");
	if (!prog->name)
		goto out_free_prog;
	if (nr_maps) {
		prog->maps = emu_calloc(nr_maps, sizeof(*prog->maps));
		if (!prog->maps)
			goto out_free_name;
	}
	atomic_init(&prog->refcnt, 1);
	prog->type = prog_type;
	prog->id = atomic_fetch_add(&prog_next_id, 1);
	prog->gpl = true;
	prog->func = func;
	/* A program holds its maps and its object's globals (prog.h). */
	for (i = 0; i < nr_maps; i++) {
		prog->maps[i] = maps[i];
		emu_map_get(maps[i]);
	}
	prog->nr_maps = nr_maps;
	if (globals) {
		emu_globals_get(globals);
		prog->globals = globals;
	}
	return prog;

out_free_name:
	emu_free(prog->name);
out_free_prog:
	emu_free(prog);
	return NULL;
}

struct emu_prog *emu_prog_new_bare(const char *name, int prog_type)
{
	return emu_prog_new(name, prog_type, NULL, NULL, 0, NULL);
}

void emu_prog_get(struct emu_prog *prog)
{
	if (prog)
		atomic_fetch_add(&prog->refcnt, 1);
}

static void prog_free_rcu(struct emu_rcu_head *head)
{
	struct emu_prog *prog = (struct emu_prog *)((char *)head - offsetof(struct emu_prog, free_rcu));
	uint32_t i;

	for (i = 0; i < prog->nr_maps; i++)
		emu_map_put(prog->maps[i]);
	emu_free(prog->maps);
	emu_globals_put(prog->globals);
	emu_free(prog->name);
	emu_free(prog);
}

/*
 * The last reference gone, the program is freed after a grace period, as
 * the kernel's bpf_prog_put: every run is a read-side section, so a run
 * that drops the last reference to its own program (deleting the element
 * of the timer that held it) or to a program running on another thread
 * keeps using it safely, and runs need no reference of their own.  Outside
 * any run the free happens at once.
 */
void emu_prog_put(struct emu_prog *prog)
{
	if (!prog || atomic_fetch_sub(&prog->refcnt, 1) != 1)
		return;
	emu_map_retire(&prog->free_rcu, prog_free_rcu);
}

int emu_prog_type(const struct emu_prog *prog)
{
	return prog ? prog->type : BPF_PROG_TYPE_UNSPEC;
}

const char *emu_prog_name(const struct emu_prog *prog)
{
	return prog ? prog->name : "";
}

/* ------------------------------------------------ acquired references */

static const char *const ref_kind_name[EMU_REF_NR_KINDS] = {
	[EMU_REF_RINGBUF_SAMPLE] = "ring buffer sample (bpf_ringbuf_reserve)",
	[EMU_REF_RINGBUF_DYNPTR] = "ring buffer dynptr (bpf_ringbuf_reserve_dynptr)",
	[EMU_REF_CGROUP] = "struct cgroup * (bpf_cgroup_from_id/_acquire/_ancestor)",
	[EMU_REF_SPIN_LOCK] = "bpf_spin_lock",
	[EMU_REF_RCU_LOCK] = "bpf_rcu_read_lock",
};

/* Give back what a program leaked, as a well-behaved one would have. */
static void ref_drop(enum emu_ref_kind kind, void *ptr, void *obj)
{
	switch (kind) {
	case EMU_REF_RINGBUF_SAMPLE:
		/* discard (default wakeup) so the ring is not stuck BUSY */
		emu_ringbuf_commit(ptr, 0, true);
		break;
	case EMU_REF_RINGBUF_DYNPTR:
		if (obj)
			emu_ringbuf_commit(obj, 0, true);
		break;
	case EMU_REF_CGROUP:
		emu_cgroup_put(ptr);
		break;
	case EMU_REF_SPIN_LOCK:
		/* left held, every later taker (a thread, a BPF_F_LOCK copy)
		 * would spin for ever */
		emu_map_spin_unlock(ptr);
		break;
	default:
		break;
	}
}

/* A second ring sample held at once (the first is in emu_ctx). */
void emu_ref_acquire_sample_table(void *sample, void *ring)
{
	emu_ref_acquire(EMU_REF_RINGBUF_SAMPLE, sample, ring);
}

void emu_ref_overflow(enum emu_ref_kind kind, void *ptr, void *obj)
{
	ref_drop(kind, ptr, obj);
	emu_verifier_reject(-E2BIG, "too_many_references",
			    "program '%s' holds more than %d acquired references at once",
			    emu_prog_name(emu_ctx.prog), EMU_REFS_MAX);
}

static bool ref_matches(const struct emu_ref *r, enum emu_ref_kind kind, void *ptr, void *obj)
{
	if (r->kind != kind)
		return false;
	/* A dynptr's clones share its reference: match by the sample. */
	if (kind == EMU_REF_RINGBUF_DYNPTR && obj)
		return r->obj == obj;
	if (kind == EMU_REF_RINGBUF_DYNPTR)
		return !r->obj && r->ptr == ptr;
	return r->ptr == ptr;
}

bool emu_ref_release_slow(enum emu_ref_kind kind, void *ptr, void *obj, const char *helper,
			  const char *kernel_msg)
{
	uint32_t i;

	if (!emu_in_bpf())
		return true;
	/* Newest first: releases usually mirror acquisitions. */
	for (i = emu_ctx.nr_refs; i-- > 0;) {
		if (!ref_matches(&emu_refs.refs[i], kind, ptr, obj))
			continue;
		emu_refs.refs[i] = emu_refs.refs[--emu_ctx.nr_refs];
		emu_refs.count[kind]--;
		return true;
	}
	/* The verifier's errno: a released sample is a scalar to
	 * check_reg_type (-EACCES); dynptrs and kfunc args are -EINVAL. */
	emu_verifier_reject(kind == EMU_REF_RINGBUF_SAMPLE ? -EACCES : -EINVAL, "release_unowned",
			    "program '%s': %s releases a %s it does not hold (released twice, or never acquired): %s",
			    emu_prog_name(emu_ctx.prog), helper, ref_kind_name[kind], kernel_msg);
	return false;
}

/*
 * End of an outermost entry with references outstanding: the verifier's
 * check_reference_leak.  A run that completed fails with -EINVAL (one
 * diagnostic per kind); a run already rejected keeps its error.  Either
 * way everything left is released and the table emptied.
 */
static int __attribute__((noinline)) refs_leaked(const struct emu_prog *prog, int err)
{
	void *sample = emu_ctx.rb_sample;
	uint32_t i;
	int k;

	/* the sample kept apart from the table counts as one of its kind */
	if (sample) {
		emu_ctx.rb_sample = NULL;
		emu_refs.count[EMU_REF_RINGBUF_SAMPLE]++;
	}
	if (!err) {
		for (k = 0; k < EMU_REF_NR_KINDS; k++) {
			if (!emu_refs.count[k])
				continue;
			if (k == EMU_REF_SPIN_LOCK) {
				emu_diag("spin_lock_held_at_exit",
					 "program '%s' exits holding a bpf_spin_lock: BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region",
					 prog->name);
				continue;
			}
			if (k == EMU_REF_RCU_LOCK) {
				emu_diag("rcu_lock_held_at_exit",
					 "program '%s' exits inside bpf_rcu_read_lock: BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region",
					 prog->name);
				continue;
			}
			emu_diag("unreleased_reference",
				 "program '%s' exits holding %u %s: Unreleased reference; BPF_EXIT instruction in main prog would lead to reference leak",
				 prog->name, emu_refs.count[k], ref_kind_name[k]);
		}
		err = -EINVAL;
	}
	if (sample)
		ref_drop(EMU_REF_RINGBUF_SAMPLE, sample, emu_ctx.rb_ring);
	for (i = 0; i < emu_ctx.nr_refs; i++)
		ref_drop(emu_refs.refs[i].kind, emu_refs.refs[i].ptr, emu_refs.refs[i].obj);
	emu_ctx.nr_refs = 0;
	memset(emu_refs.count, 0, sizeof(emu_refs.count));
	return err;
}

/*
 * Call @fn with the jmp_buf emu_verifier_reject() returns to.  Kept apart so
 * that no local of the caller lives across setjmp/longjmp (gcc -O2 would
 * rightly warn that such a variable may be clobbered).
 */
static int run_guarded(emu_run_fn fn, void *arg, long *r)
{
	jmp_buf jb;

	emu_ctx.reject_jb = &jb;
	emu_ctx.reject_err = 0;
	if (setjmp(jb))
		return emu_ctx.reject_err ? emu_ctx.reject_err : -EINVAL;
	*r = fn(arg);
	return 0;
}

/*
 * Run statistics, as the kernel's bpf_stats_enabled_key: off unless some
 * fd of bpf_enable_stats() is open, then every outermost run counts in
 * run_cnt and its time in run_time_ns (__bpf_prog_run).  Off, a run pays
 * one relaxed load for them.
 */
static atomic_int stats_users;

static void stats_get(void *obj)
{
	(void)obj;
	atomic_fetch_add(&stats_users, 1);
}

static void stats_put(void *obj)
{
	(void)obj;
	atomic_fetch_sub(&stats_users, 1);
}

/* Closing the switch stops the counting of the very next run. */
static bool stats_run_visible(const void *obj)
{
	(void)obj;
	return true;
}

static const struct emu_obj_ref_ops stats_ref_ops = {
	.get = stats_get,
	.put = stats_put,
	.run_visible = stats_run_visible,
};

int emu_prog_stats_enable(void)
{
	static char stats_obj;	/* the fds' object: the switch itself */
	static atomic_bool registered;

	if (!atomic_exchange(&registered, true))
		emu_fd_register_kind(EMU_OBJ_STATS, &stats_ref_ops);
	return emu_fd_new(EMU_OBJ_STATS, &stats_obj, 0);
}

/* What an outermost entry puts back when it leaves (run_enter/run_leave). */
struct run_saved {
	struct emu_timer *timer;
	jmp_buf *jb;
	int reject_err;
	bool batch;
	bool sync;
	bool stats;
	uint64_t t0;
};

/*
 * The outermost entry on a thread.  Only what a run changes is saved and
 * put back: at depth 0 the program fields are those of no program (NULL,
 * UNSPEC, no bitmap, EMU_ENTRY_PROG), the CPU stays what the run left
 * (its caller chose it), and running_timer and the guard are the caller's.
 */
static inline __attribute__((always_inline)) void
run_enter(struct emu_prog *prog, enum emu_entry_kind kind, struct run_saved *sv)
{
	struct emu_run_ctx *c = &emu_ctx;

	sv->timer = c->running_timer;
	sv->jb = c->reject_jb;
	sv->reject_err = c->reject_err;
	sv->batch = c->batch;
	/*
	 * Inside a batch (emu_run_batch_begin) fds were reaped and the read
	 * side entered once for all of its callbacks.  Otherwise: element
	 * memory a lookup hands out stays valid until we leave.
	 */
	if (!sv->batch) {
		emu_fd_reap_for_run();
		emu_map_rcu_enter();
	}
	/* The run may drop the last outside reference (a program run deleting
	 * the element of a timer whose callback it installed): the program is
	 * then freed after the grace period, once we have left (emu_prog_put). */
	sv->sync = prog->globals && prog->globals->nr_sync_vars;
	if (sv->sync)
		emu_globals_sync_in(prog->globals);

	c->prog = prog;
	c->prog_type = prog->type;
	c->helpers_allowed = emu_helper_allowed_bitmap(prog);
	c->depth = 1;
	c->kind = kind;
	sv->stats = atomic_load_explicit(&stats_users, memory_order_relaxed) > 0;
	if (__builtin_expect(sv->stats, 0))
		sv->t0 = emu_clock_host_now(EMU_CLOCK_MONOTONIC);
}

/*
 * The end of an outermost entry, plain (run_leave) or guarded
 * (guard_leave): statistics, the context back to no program (a rejection
 * may have left nested entries' fields), leaked references, globals out,
 * and the timer callback's return rule.
 */
static inline __attribute__((always_inline)) int
outermost_leave(struct emu_prog *prog, enum emu_entry_kind kind, bool stats, uint64_t t0, bool sync,
		struct emu_timer *timer, jmp_buf *jb, int err, long r)
{
	struct emu_run_ctx *c = &emu_ctx;

	if (__builtin_expect(stats, 0)) {
		atomic_fetch_add_explicit(&prog->run_time_ns, emu_clock_host_now(EMU_CLOCK_MONOTONIC) - t0, memory_order_relaxed);
		atomic_fetch_add_explicit(&prog->run_cnt, 1, memory_order_relaxed);
	}
	c->prog = NULL;
	c->prog_type = BPF_PROG_TYPE_UNSPEC;
	c->helpers_allowed = NULL;
	c->depth = 0;
	c->kind = EMU_ENTRY_PROG;
	c->running_timer = timer;
	c->reject_jb = jb;

	/* Every acquired reference must be released by now (ctx.h). */
	if (__builtin_expect(c->nr_refs != 0 || c->rb_sample, 0))
		err = refs_leaked(prog, err);
	if (sync)
		emu_globals_sync_out(prog->globals);
	if (kind == EMU_ENTRY_TIMER_CB && !err && (int)r != 0) {
		/* The verifier only accepts timer callbacks that return 0. */
		emu_diag("timer_cb_nonzero_return",
			 "timer callback of program '%s' returned %d; the verifier requires 0",
			 prog->name, (int)r);
		err = -EINVAL;
	}
	return err;
}

static inline __attribute__((always_inline)) int
run_leave(struct emu_prog *prog, enum emu_entry_kind kind, const struct run_saved *sv, int err, long r)
{
	emu_ctx.reject_err = sv->reject_err;
	err = outermost_leave(prog, kind, sv->stats, sv->t0, sv->sync, sv->timer, sv->jb, err, r);
	if (!sv->batch)
		emu_map_rcu_exit();
	return err;
}

static int run_outermost(struct emu_prog *prog, enum emu_entry_kind kind,
			 emu_run_fn fn, void *arg, long *ret)
{
	struct run_saved sv;
	long r = 0;
	int err;

	if (!prog || !fn)
		return -EINVAL;
	run_enter(prog, kind, &sv);
	err = run_guarded(fn, arg, &r);
	err = run_leave(prog, kind, &sv, err, r);
	if (ret)
		*ret = r;
	return err;
}

void emu_run_guard_begin(struct emu_run_guard *g)
{
	g->prog = NULL;
	g->abort_fn = NULL;
	g->allowed_type = -1;
	g->saved_jb = emu_ctx.reject_jb;
	emu_ctx.reject_jb = &g->jb;
	emu_ctx.guard = g;
}

void emu_run_guard_end(struct emu_run_guard *g)
{
	emu_ctx.guard = NULL;
	emu_ctx.reject_jb = g->saved_jb;
}

/* The end of a guarded entry, returned or abandoned. */
static int guard_leave(struct emu_run_guard *g, int err, long r)
{
	struct emu_prog *prog = g->prog;

	g->prog = NULL;
	return outermost_leave(prog, g->kind, g->stats, g->t0, g->sync, g->timer, &g->jb, err, r);
}

int emu_run_guard_recover(struct emu_run_guard *g)
{
	void (*abort_fn)(void *) = g->abort_fn;
	int err = emu_ctx.reject_err ? emu_ctx.reject_err : -EINVAL;

	g->abort_fn = NULL;
	if (g->prog)
		err = guard_leave(g, err, 0);
	if (abort_fn)
		abort_fn(g->abort_arg);
	return err;
}

/* One entry inside @g, @allowed being @prog's helper bitmap. */
static inline __attribute__((always_inline)) int
guard_run(struct emu_run_guard *g, struct emu_prog *prog, enum emu_entry_kind kind,
	  const uint64_t *allowed, emu_run_fn fn, void *arg, long *r,
	  void (*abort_fn)(void *arg), void *abort_arg)
{
	struct emu_run_ctx *c = &emu_ctx;

	g->prog = prog;
	g->kind = kind;
	g->timer = c->running_timer;
	g->sync = prog->globals && prog->globals->nr_sync_vars;
	if (g->sync)
		emu_globals_sync_in(prog->globals);
	c->prog = prog;
	c->prog_type = prog->type;
	c->helpers_allowed = allowed;
	c->depth = 1;
	c->kind = kind;
	c->reject_err = 0;
	g->stats = atomic_load_explicit(&stats_users, memory_order_relaxed) > 0;
	if (__builtin_expect(g->stats, 0))
		g->t0 = emu_clock_host_now(EMU_CLOCK_MONOTONIC);
	/* Set last: a rejection before the call finds nothing to abort. */
	g->abort_fn = abort_fn;
	g->abort_arg = abort_arg;
	*r = fn(arg);
	g->abort_fn = NULL;
	return guard_leave(g, 0, *r);
}

int emu_run_guarded(struct emu_prog *prog, enum emu_entry_kind kind, emu_run_fn fn, void *arg,
		    long *ret, void (*abort_fn)(void *arg), void *abort_arg)
{
	struct emu_run_ctx *c = &emu_ctx;
	struct emu_run_guard *g = c->guard;
	long r;
	int err;

	/* Outside a batch the entry reaps fds and enters the read side
	 * itself: that is emu_run's. */
	if (!g || c->depth || !c->batch || !prog || !fn)
		return emu_run(prog, kind, fn, arg, ret);
	if (prog->type != g->allowed_type || prog->gpl != g->allowed_gpl) {
		g->allowed = emu_helper_allowed_bitmap(prog);
		g->allowed_type = prog->type;
		g->allowed_gpl = prog->gpl;
	}
	err = guard_run(g, prog, kind, g->allowed, fn, arg, &r, abort_fn, abort_arg);
	if (ret)
		*ret = r;
	return err;
}

/* emu_run_repeat's loop, its state in memory (it survives a longjmp). */
struct repeat_state {
	struct emu_prog *prog;
	emu_run_fn fn;
	void *arg;
	uint32_t n;
	long r;
};

static int __attribute__((noinline)) repeat_loop(struct emu_run_guard *g, struct repeat_state *rs)
{
	const uint64_t *allowed = emu_helper_allowed_bitmap(rs->prog);
	uint32_t i;
	int err = 0;

	for (i = 0; i < rs->n; i++) {
		if (i)
			emu_map_rcu_quiesce();
		err = guard_run(g, rs->prog, EMU_ENTRY_PROG, allowed, rs->fn, rs->arg, &rs->r,
				NULL, NULL);
		if (err)
			break;
	}
	return err;
}

long emu_prog_call_fn(void *arg)
{
	struct emu_prog_call *c = arg;

	return ((int (*)(void *))c->func)(c->ctx);
}

int emu_run_repeat(struct emu_prog *prog, emu_run_fn fn, void *arg, uint32_t n, long *ret)
{
	struct repeat_state rs = { .prog = prog, .fn = fn, .arg = arg, .n = n };
	struct emu_run_guard g;
	uint32_t i;
	int err = 0;

	if (!prog || !fn)
		return -EINVAL;
	if (!emu_ctx.batch || emu_ctx.depth || emu_ctx.guard) {
		/* Not a batch (or not the outermost level): run by run. */
		for (i = 0; i < n && !err; i++)
			err = emu_run(prog, EMU_ENTRY_PROG, fn, arg, &rs.r);
		goto out;
	}
	emu_run_guard_begin(&g);
	if (setjmp(g.jb)) {
		err = emu_run_guard_recover(&g);
		rs.r = 0;	/* as emu_run leaves it for a rejected run */
	} else
		err = repeat_loop(&g, &rs);
	emu_run_guard_end(&g);
out:
	if (ret)
		*ret = rs.r;
	return err;
}

void emu_run_batch_begin(void)
{
	emu_fd_reap();
	emu_map_rcu_enter();
	emu_ctx.batch = true;
}

void emu_run_batch_next(void)
{
	emu_map_rcu_quiesce();
}

void emu_run_batch_end(void)
{
	emu_ctx.batch = false;
	emu_map_rcu_exit();
}

/*
 * Nested: a callback inside a running program.  A rejection longjmps
 * straight to the outermost entry, which restores the whole context, so
 * nothing here needs unwinding.  Apart from emu_run, so that the outermost
 * path (every program run) pays none of its register saves.
 */
static int __attribute__((noinline)) run_nested(struct emu_prog *prog, enum emu_entry_kind kind,
						emu_run_fn fn, void *arg, long *ret)
{
	struct emu_prog *saved_prog;
	enum emu_entry_kind saved_kind;
	const uint64_t *saved_allowed;
	int saved_type;
	long r;

	if (!prog || !fn)
		return -EINVAL;
	saved_prog = emu_ctx.prog;
	saved_type = emu_ctx.prog_type;
	saved_allowed = emu_ctx.helpers_allowed;
	saved_kind = emu_ctx.kind;
	emu_ctx.prog = prog;
	emu_ctx.prog_type = prog->type;
	emu_ctx.helpers_allowed = emu_helper_allowed_bitmap(prog);
	emu_ctx.kind = kind;
	emu_ctx.depth++;
	r = fn(arg);
	emu_ctx.depth--;
	emu_ctx.prog = saved_prog;
	emu_ctx.prog_type = saved_type;
	emu_ctx.helpers_allowed = saved_allowed;
	emu_ctx.kind = saved_kind;
	if (kind == EMU_ENTRY_TIMER_CB && (int)r != 0) {
		emu_verifier_reject(-EINVAL, "timer_cb_nonzero_return",
				    "timer callback of program '%s' returned %d; the verifier requires 0",
				    prog->name, (int)r);
		return -EINVAL;
	}
	if (ret)
		*ret = r;
	return 0;
}

int emu_run(struct emu_prog *prog, enum emu_entry_kind kind,
	    emu_run_fn fn, void *arg, long *ret)
{
	/* Both check prog and fn: this stays a plain jump to either. */
	if (emu_ctx.depth == 0)
		return run_outermost(prog, kind, fn, arg, ret);
	return run_nested(prog, kind, fn, arg, ret);
}

int emu_callback_check_ret(int func_id, long ret)
{
	int r = (int)ret;
	const char *rule;

	/* Every synchronous callback's return range is [0, 1] (the verifier's
	 * default callback_ret_range); timers are checked in emu_run. */
	if (r == 0 || r == 1)
		return 0;
	switch (func_id) {
	case BPF_FUNC_user_ringbuf_drain:
		rule = "drain_cb_bad_return";
		break;
	case BPF_FUNC_for_each_map_elem:
		rule = "for_each_cb_bad_return";
		break;
	case BPF_FUNC_loop:
		rule = "loop_cb_bad_return";
		break;
	default:
		rule = "callback_bad_return";
		break;
	}
	emu_verifier_reject(-EINVAL, rule,
			    "callback of %s returned %d; the verifier requires 0 or 1",
			    emu_helper_name(func_id), r);
	return -EINVAL;
}

bool emu_helper_allowed(int func_id)
{
	struct emu_prog *prog = emu_ctx.prog;

	/* Outside any program (a test calling a helper) everything goes. */
	if (emu_ctx.depth == 0)
		return true;
	if (!emu_helper_type_allowed(func_id, emu_ctx.prog_type)) {
		emu_verifier_reject(-EINVAL, "helper_not_allowed",
				    "program '%s' of type %s calls %s, which that program type may not use (unknown func)",
				    emu_prog_name(prog), emu_prog_type_name(emu_ctx.prog_type),
				    emu_helper_name(func_id));
		return false;
	}
	if (prog && !prog->gpl && emu_helper_gpl_only(func_id)) {
		emu_verifier_reject(-EINVAL, "helper_gpl_only",
				    "cannot call GPL-restricted function %s from non-GPL compatible program '%s'",
				    emu_helper_name(func_id), emu_prog_name(prog));
		return false;
	}
	return true;
}
