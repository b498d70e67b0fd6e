// SPDX-License-Identifier: MIT
/*
 * bpf_timer: helpers 169-172 (bpf_timer_init, bpf_timer_set_callback,
 * bpf_timer_start, bpf_timer_cancel) with the kernel's 6.4-6.19 semantics
 * (shared/spec/timers.md).  docs/timers.md is the user-facing version of
 * this block.
 *
 * Lifetime.  The map element owns its timer.  bpf_timer_init allocates a
 * struct emu_timer and publishes it in the element's struct bpf_timer; it
 * lives until one cancel-and-free (timer_free_field, the EMU_FIELD_TIMER
 * hook of the maps core) runs because the element was deleted, overwritten
 * (ARRAY update, HASH/LRU replace), evicted, the map's last user reference
 * went away (release_uref) or the map was freed.  Cancel-and-free zeroes
 * the bpf_timer bytes (the timer is UNINIT again), drops the program
 * reference and guarantees the callback never starts afterwards; if the
 * callback is running right now the object is freed by whoever leaves last
 * (the running callback, or the canceller waiting for it).
 * bpf_timer_set_callback takes one reference on the calling program per
 * timer; it is dropped by bpf_timer_cancel and by cancel-and-free, never by
 * an expiry, so a pending or fired timer keeps its program (and through it
 * the program's maps) alive.
 *
 * States (legal calls, anything else returns the errno shown):
 *   UNINIT  init -> INIT (-EINVAL bad flags, -ENOMEM, -EPERM usercnt 0);
 *           set_callback/start/cancel -> -EINVAL
 *   INIT    set_callback -> READY; start -> -EINVAL; cancel -> 0;
 *           init -> -EBUSY
 *   READY   start -> ARMED; set_callback -> READY; cancel -> 0, INIT
 *   ARMED   expiry -> READY (callback runs); start -> ARMED (re-armed);
 *           cancel -> 1, INIT (-EDEADLK from its own callback, unchanged)
 *   any     cancel-and-free -> UNINIT
 *
 * The 16 bytes of struct bpf_timer: word 0 points to the emu_timer, word 1
 * is a check word derived from the object and the bpf_timer's own address,
 * so bytes copied from another element never pass for a live timer.  Both
 * words, and all of the object's state, are guarded by the timer's lock:
 * one of TIMER_LOCKS lock stripes picked by the bpf_timer's address.  It
 * stands where the kernel keeps its bpf_spin_lock (in the bpf_timer's
 * second word): a lock that exists before the object does, so init races
 * are decided under it, and that costs nothing per timer.
 *
 * Firing: the clock calls timer_fire with no lock held; the callback runs
 * through emu_run(prog, EMU_ENTRY_TIMER_CB, ...) with no timer lock held,
 * emu_ctx.running_timer naming the timer (for -EDEADLK) and emu_ctx.cpu the
 * CPU that started it.  Counting who may still touch the object:
 *   inflight - queue entries not yet matched by a disarm or a fire
 *   running  - the callback is executing (on some thread)
 *   waiters  - threads sleeping in a cancel until the callback is done
 * The object is freed when it is dead and all three are zero.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <bpfemu/helpers.h>

#include "alloc.h"
#include "clock.h"
#include "ctx.h"
#include "err.h"
#include "map.h"
#include "prog.h"
#include "stack.h"

/* bpf_timer_init: flags are a clock id below MAX_CLOCKS, nothing else. */
#define TIMER_MAX_CLOCKS	16
#define TIMER_CLOCK_MASK	0xfULL
#define TIMER_START_FLAGS	(BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN)
#define NSEC_PER_SEC		1000000000LL
/* What hrtimer's ktime_add_safe() puts in place of an overflowing expiry:
 * KTIME_SEC_MAX whole seconds. */
#define TIMER_EXPIRES_MAX	((INT64_MAX / NSEC_PER_SEC) * NSEC_PER_SEC)
#define TIMER_CHECK_SALT	0x9e3779b97f4a7c15ULL

#define TIMER_LOCK_BITS		10
#define TIMER_LOCKS		(1u << TIMER_LOCK_BITS)

typedef int (*timer_cb_fn)(void *map, void *key, void *value);

/*
 * Laid out by cache line (the object is 64-byte aligned).  Line 0 is all a
 * heap compare touches (ev's deadline, seq, heap_idx) plus what a fire
 * checks first; line 1 the rest of a fire and a start; line 2 is cold
 * (init, set_callback, cancel, the stale list).
 */
struct emu_timer {
	/* line 0 */
	struct emu_event ev;		/* queued while ARMED */
	struct bpf_timer *slot;		/* the bytes that point here; picks the lock */
	void *callback_fn;		/* NULL = no callback (INIT); see timer_set_cb_locked */
	struct emu_prog *prog;		/* reference taken by set_callback */
	/* line 1 */
	struct emu_prog *run_prog;	/* the program the running callback was entered with */
	void *map_def;			/* what init was given: the callback's map */
	void *value;			/* slot - map->timer_off */
	const void *key;		/* HASH/LRU: the element's stored key */
	uint32_t index;			/* ARRAY: the element's index */
	uint32_t inflight;
	uint32_t waiters;
	int clock;			/* kernel clock id from init */
	int cpu;			/* emulated CPU of the last start */
	atomic_uint gen;		/* bumped by every start, cancel, free */
	bool is_array;
	bool dead;			/* cancel-and-free ran; words are zero */
	bool running;			/* callback executing */
	bool run_put;			/* that fire owes run_prog a put (timer_prog_drop_locked) */
	/* line 2 */
	struct emu_map *map;		/* owner; not referenced (it owns us) */
	atomic_int cancelling;		/* other callbacks cancelling us (§6 step 4) */
	/* Absolute start >= 2^63 (see timer_stale_*): */
	atomic_uint pins;		/* promotions on their way to the lock */
	struct emu_timer *stale_next, **stale_pprev;	/* stale_lock */
	struct emu_timer *promote_next;	/* the promoting thread's */
	unsigned int promote_gen;
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct emu_timer, run_prog) == 64 || sizeof(void *) != 8,
	       "struct emu_timer: line 0 is the event and the fire's first checks");

static void timer_fire(struct emu_event *ev);

/* The runtime's view of struct bpf_timer's 16 bytes. */
struct timer_words {
	uintptr_t obj;
	uint64_t check;
};

_Static_assert(sizeof(struct timer_words) == sizeof(struct bpf_timer),
	       "the timer words must fill struct bpf_timer exactly");
_Static_assert(_Alignof(struct timer_words) <= _Alignof(struct bpf_timer),
	       "struct bpf_timer's alignment must be enough for the timer words");
_Static_assert(sizeof(uintptr_t) <= sizeof(uint64_t), "a pointer fits a word");

/* emu_mutex and emu_cond: clock.h (a futex mutex inlined on Linux). */
struct timer_lock {
	struct emu_mutex lock;
	struct emu_cond idle;		/* a callback finished or a fire left */
} __attribute__((aligned(128)));

static struct timer_lock timer_locks[TIMER_LOCKS] = {
	[0 ... TIMER_LOCKS - 1] = {
		.lock = EMU_MUTEX_INITIALIZER,
		.idle = EMU_COND_INITIALIZER,
	},
};

static struct timer_lock *timer_lock_of(const struct bpf_timer *slot)
{
	uint64_t h = ((uintptr_t)slot >> 3) * TIMER_CHECK_SALT;

	return &timer_locks[h >> (64 - TIMER_LOCK_BITS)];
}

static uint64_t timer_check_word(const struct bpf_timer *slot, const struct emu_timer *t)
{
	return ((uint64_t)(uintptr_t)slot * TIMER_CHECK_SALT) ^ (uintptr_t)t ^ TIMER_CHECK_SALT;
}

/* The live timer published in @slot, or NULL (UNINIT).  Lock held. */
static struct emu_timer *timer_get_locked(struct bpf_timer *slot)
{
	struct timer_words *w = (struct timer_words *)slot;
	struct emu_timer *t = (struct emu_timer *)w->obj;

	if (!t || w->check != timer_check_word(slot, t))
		return NULL;
	return t;
}

static void timer_publish_locked(struct bpf_timer *slot, struct emu_timer *t)
{
	struct timer_words *w = (struct timer_words *)slot;

	w->obj = (uintptr_t)t;
	w->check = t ? timer_check_word(slot, t) : 0;
}

/*
 * The callback pointer is written under the lock but read without it once,
 * by the entry that is about to run it (timer_run_callback): relaxed atomics
 * on both sides.
 */
static void timer_set_cb_locked(struct emu_timer *t, void *cb)
{
	__atomic_store_n(&t->callback_fn, cb, __ATOMIC_RELAXED);
}

/*
 * The timer's program reference is going away (cancel, cancel-and-free,
 * set_callback from another program).  A fire takes no reference of its
 * own: the timer's keeps the program alive while its callback runs.  So if
 * the callback running right now was entered with @old, the put is handed
 * to that fire, which drops it when the callback is over; once it owes one
 * put it holds a reference, and any further one can go at once.  Returns
 * what the caller puts after unlocking (NULL if nothing).
 */
static struct emu_prog *timer_prog_drop_locked(struct emu_timer *t, struct emu_prog *old)
{
	if (old && t->running && old == t->run_prog && !t->run_put) {
		t->run_put = true;
		return NULL;
	}
	return old;
}

/* True when nothing can reach @t any more: the caller frees it. */
static bool timer_unused_locked(const struct emu_timer *t)
{
	return t->dead && !t->inflight && !t->running && !t->waiters &&
	       !atomic_load(&t->pins);
}

/*
 * Absolute expiries >= 2^63 (observed on 6.18).  hrtimer keeps two times:
 * the queue key, which ktime_add_safe() saturates to KTIME_SEC_MAX, and the
 * soft expiry, which stays negative, i.e. in the past.  Such a timer never
 * comes due by itself (cancel returns 1 a minute later), but the next time
 * another timer of the same clock base on the same CPU expires, the expiry
 * loop walks on to it, finds it expired, and runs it right after.  These
 * timers are kept on the "stale" list, and timer_fire promotes the ones of
 * its own (clock, CPU) to "due now" after each callback.
 *
 * List membership is guarded by stale_lock, nested inside the timer locks.
 * A promotion unlinks under stale_lock and holds a pin until it has the
 * timer's lock; gen tells whether a start/cancel/free came in between.
 */
static pthread_mutex_t stale_lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu_timer *stale_head;
static atomic_int stale_count;

static void timer_stale_add_locked(struct emu_timer *t)
{
	pthread_mutex_lock(&stale_lock);
	t->stale_next = stale_head;
	if (stale_head)
		stale_head->stale_pprev = &t->stale_next;
	stale_head = t;
	t->stale_pprev = &stale_head;
	atomic_fetch_add(&stale_count, 1);
	pthread_mutex_unlock(&stale_lock);
}

static void timer_stale_unlink(struct emu_timer *t)
{
	*t->stale_pprev = t->stale_next;
	if (t->stale_next)
		t->stale_next->stale_pprev = t->stale_pprev;
	t->stale_pprev = NULL;
	t->stale_next = NULL;
	atomic_fetch_sub(&stale_count, 1);
}

/* Any start, cancel or free: the timer is no longer a stale one. */
static void timer_stale_del_locked(struct emu_timer *t)
{
	/* Every writer holds the timer's lock: no read-modify-write needed;
	 * a promotion reads it under stale_lock, then again under ours. */
	atomic_store_explicit(&t->gen, atomic_load_explicit(&t->gen, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	if (!atomic_load(&stale_count))
		return;
	pthread_mutex_lock(&stale_lock);
	if (t->stale_pprev)
		timer_stale_unlink(t);
	pthread_mutex_unlock(&stale_lock);
}

static void timer_wait_locked(struct timer_lock *l, struct emu_timer *t)
{
	t->waiters++;
	emu_cond_wait(&l->idle, &l->lock);
	t->waiters--;
}

/*
 * hrtimer_cancel(): take a pending expiry out of the queue, and wait for a
 * callback running on another thread (or an expiry already taken from the
 * queue) to finish.  Returns 1 if an expiry was pending, else 0.
 */
static int timer_cancel_sync_locked(struct timer_lock *l, struct emu_timer *t)
{
	for (;;) {
		if (t->inflight && emu_event_disarm(&t->ev)) {
			t->inflight--;
			return 1;
		}
		if (!t->inflight && !t->running)
			return 0;
		timer_wait_locked(l, t);
	}
}

/*
 * A timer argument that is no map value's: NULL or NULL plus the timer's
 * offset (a lookup's result used before its NULL check), or a local
 * (stack.h).  Each helper tests it first, before it reads the timer's
 * words, which natively would fault or would work on a dead frame.  6.18
 * refuses it at load with -EACCES: "R1 type=scalar expected=map_value",
 * "R1 type=map_value_or_null expected=map_value", "R1 pointer arithmetic
 * on map_value_or_null prohibited, null-check it first", or for a local
 * "R1 type=fp expected=map_value".
 */
static inline bool timer_arg_bad(const struct bpf_timer *timer)
{
	return emu_ptr_nullish(timer) || emu_ptr_on_stack(timer);
}

static __attribute__((noinline, cold)) long timer_reject_null(const struct bpf_timer *timer,
							       const char *helper)
{
	if (emu_ptr_on_stack(timer))
		emu_verifier_reject(-EACCES, "timer_not_map_value",
				    "%s: R1 (%p) is a local, not a map value's struct bpf_timer (R1 type=fp expected=map_value)",
				    helper, (const void *)timer);
	else
		emu_verifier_reject(-EACCES, "timer_not_map_value",
				    "%s: R1 (%p) is not a pointer to a map value's struct bpf_timer (R1 type=map_value_or_null expected=map_value)",
				    helper, (const void *)timer);
	return -EACCES;
}

/*
 * The verifier's checks on bpf_timer_init's arguments (process_timer_func,
 * check_func_arg): @map is a map with a bpf_timer in its value, and @timer
 * is that bpf_timer inside one of @map's elements.  Fills @t's owner fields.
 */
static struct emu_map *timer_owner(struct bpf_timer *timer, void *map, struct emu_timer *t)
{
	struct emu_map *m = emu_map_from_def(map);
	uint32_t idx = 0;
	const void *key;
	void *value;

	if (!m) {
		emu_verifier_reject(-EINVAL, "not_a_map",
				    "bpf_timer_init: R2 is not a pointer to a map");
		return NULL;
	}
	if (m->timer_off < 0) {
		emu_verifier_reject(-EINVAL, "timer_map_no_timer",
				    "bpf_timer_init: map '%s' has no valid bpf_timer in its value",
				    m->name);
		return NULL;
	}
	value = (char *)timer - m->timer_off;
	key = emu_map_elem_key(m, value, &idx);
	if (!key) {
		emu_verifier_reject(-EINVAL, "timer_map_mismatch",
				    "bpf_timer_init: timer pointer in R1 is not in map '%s' given in R2",
				    m->name);
		return NULL;
	}
	t->map = m;
	t->map_def = map;
	t->value = value;
	t->is_array = key == (const void *)&idx;
	t->key = t->is_array ? NULL : key;
	t->index = idx;
	return m;
}

long bpfemu_helper_timer_init(struct bpf_timer *timer, void *map, __u64 flags)
{
	struct emu_timer proto = { 0 }, *t;
	struct timer_lock *l;
	long ret = 0;
	int clock;

	EMU_HELPER_CHECK(BPF_FUNC_timer_init, -EINVAL);
	if (timer_arg_bad(timer))
		return timer_reject_null(timer, "bpf_timer_init");
	if (!timer_owner(timer, map, &proto))
		return -EINVAL;

	if (flags >= TIMER_MAX_CLOCKS)
		return -EINVAL;
	clock = flags & TIMER_CLOCK_MASK;
	if (clock != EMU_CLOCK_MONOTONIC && clock != EMU_CLOCK_REALTIME &&
	    clock != EMU_CLOCK_BOOTTIME)
		return -EINVAL;

	l = timer_lock_of(timer);
	emu_mutex_lock(&l->lock);
	if (timer_get_locked(timer)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	t = emu_malloc_aligned(_Alignof(struct emu_timer), sizeof(*t));
	if (!t) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	*t = proto;
	t->ev.fire = timer_fire;
	t->slot = timer;
	t->clock = clock;
	t->cpu = emu_ctx.cpu;
	atomic_init(&t->cancelling, 0);
	atomic_init(&t->gen, 0);
	atomic_init(&t->pins, 0);

	/*
	 * Publish first, then look at usercnt (seq_cst on both sides): either
	 * release_uref, which drops usercnt before it frees every timer, sees
	 * this one, or we see usercnt 0 and take it back.  A timer must never
	 * outlive the last user reference unnoticed.
	 */
	timer_publish_locked(timer, t);
	if (!atomic_load(&t->map->usercnt)) {
		timer_publish_locked(timer, NULL);
		emu_free(t);
		ret = -EPERM;
	}
out_unlock:
	emu_mutex_unlock(&l->lock);
	return ret;
}

long bpfemu_helper_timer_set_callback(struct bpf_timer *timer, void *callback_fn)
{
	struct emu_prog *prog = emu_ctx.prog, *old = NULL;
	struct emu_timer *t;
	struct timer_lock *l;
	long ret = 0;

	EMU_HELPER_CHECK(BPF_FUNC_timer_set_callback, -EINVAL);
	if (timer_arg_bad(timer))
		return timer_reject_null(timer, "bpf_timer_set_callback");
	if (!callback_fn) {
		emu_verifier_reject(-EINVAL, "timer_callback_not_func",
				    "bpf_timer_set_callback: R2 is not a static subprogram");
		return -EINVAL;
	}

	l = timer_lock_of(timer);
	emu_mutex_lock(&l->lock);
	t = timer_get_locked(timer);
	if (!t) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (!atomic_load(&t->map->usercnt)) {
		ret = -EPERM;
		goto out_unlock;
	}
	/* One reference per timer, whatever the number of calls. */
	if (t->prog != prog) {
		if (prog)
			emu_prog_get(prog);
		old = timer_prog_drop_locked(t, t->prog);
		t->prog = prog;
	}
	timer_set_cb_locked(t, callback_fn);
out_unlock:
	emu_mutex_unlock(&l->lock);
	/* Never under the lock: the last put frees maps, whose timers lock. */
	emu_prog_put(old);
	return ret;
}

/*
 * Expiry on the timer's own clock, the way hrtimer computes it.  The event
 * then follows that clock (emu_event_arm_on): BOOTTIME and REALTIME
 * expiries pass during a simulated suspend, REALTIME ones move with the
 * wall clock.
 */
static uint64_t timer_expires(int clock, uint64_t nsecs, bool abs)
{
	int64_t expires, now;

	if (abs) {
		expires = (int64_t)nsecs;
		/* A negative ktime_t absolute expiry: the queue key saturates
		 * (ktime_add_safe), the timer never comes due. */
		if (expires < 0)
			expires = TIMER_EXPIRES_MAX;
	} else {
		/* ktime_add_safe(now, nsecs): a negative delay or an
		 * overflowing sum becomes KTIME_SEC_MAX seconds. */
		now = (int64_t)emu_clock_now(clock);
		if ((int64_t)nsecs < 0 ||
		    __builtin_add_overflow(now, (int64_t)nsecs, &expires) || expires < 0)
			expires = TIMER_EXPIRES_MAX;
	}
	return (uint64_t)expires;
}

long bpfemu_helper_timer_start(struct bpf_timer *timer, __u64 nsecs, __u64 flags)
{
	struct emu_timer *t;
	struct timer_lock *l;
	uint64_t expires;
	bool was_queued;
	long ret = 0;

	EMU_HELPER_CHECK(BPF_FUNC_timer_start, -EINVAL);
	if (timer_arg_bad(timer))
		return timer_reject_null(timer, "bpf_timer_start");
	if (flags & ~(uint64_t)TIMER_START_FLAGS)
		return -EINVAL;

	l = timer_lock_of(timer);
	emu_mutex_lock(&l->lock);
	t = timer_get_locked(timer);
	/* The kernel tests the program reference; it is set with the callback. */
	if (!t || !t->callback_fn) {
		ret = -EINVAL;
		goto out_unlock;
	}
	timer_stale_del_locked(t);
	expires = timer_expires(t->clock, nsecs, flags & BPF_F_TIMER_ABS);
	/* Pinned or not, the expiry runs where it was started (hrtimer's
	 * per-CPU bases), which is what CPU_PIN guarantees. */
	t->cpu = emu_ctx.cpu;
	/* A pending expiry moves (no new queue entry); otherwise one is
	 * added, and counted in flight. */
	ret = emu_event_rearm_on(&t->ev, t->clock, expires, &was_queued);
	if (ret)
		goto out_unlock;
	if (!was_queued)
		t->inflight++;
	if ((flags & BPF_F_TIMER_ABS) && (int64_t)nsecs < 0)
		timer_stale_add_locked(t);
out_unlock:
	emu_mutex_unlock(&l->lock);
	return ret;
}

long bpfemu_helper_timer_cancel(struct bpf_timer *timer)
{
	struct emu_timer *t, *cur = emu_ctx.running_timer;
	struct emu_prog *old = NULL;
	struct timer_lock *l;
	bool counted = false, release = false;
	long ret;

	EMU_HELPER_CHECK(BPF_FUNC_timer_cancel, -EINVAL);
	if (timer_arg_bad(timer))
		return timer_reject_null(timer, "bpf_timer_cancel");

	l = timer_lock_of(timer);
	emu_mutex_lock(&l->lock);
	t = timer_get_locked(timer);
	if (!t) {
		ret = -EINVAL;
		goto out_unlock;
	}
	/* Waiting for our own callback to finish would never end. */
	if (cur == t) {
		ret = -EDEADLK;
		goto out_unlock;
	}
	/*
	 * From another timer's callback: if someone is at the same time
	 * cancelling the timer whose callback we run, both sides could wait
	 * for each other's callback; one of them sees the other's count
	 * (seq_cst) and backs off.
	 */
	if (cur) {
		atomic_fetch_add(&t->cancelling, 1);
		counted = true;
		if (atomic_load(&cur->cancelling)) {
			ret = -EDEADLK;
			goto out_unlock;
		}
	}
	old = timer_prog_drop_locked(t, t->prog);
	t->prog = NULL;
	timer_set_cb_locked(t, NULL);
	timer_stale_del_locked(t);
	ret = timer_cancel_sync_locked(l, t);
	/* A cancel-and-free may have come while we waited; we may be last. */
	release = timer_unused_locked(t);
out_unlock:
	if (counted)
		atomic_fetch_sub(&t->cancelling, 1);
	emu_mutex_unlock(&l->lock);
	if (release)
		emu_free(t);
	emu_prog_put(old);
	return ret;
}

/*
 * The EMU_FIELD_TIMER hook: the element died, was overwritten, or the map
 * lost its last user reference.  bpf_timer_cancel_and_free().
 */
static void timer_free_field(struct emu_map *map, void *field)
{
	struct bpf_timer *slot = field;
	struct emu_prog *old = NULL;
	struct timer_lock *l;
	struct emu_timer *t;
	bool release = false;

	(void)map;
	l = timer_lock_of(slot);
	emu_mutex_lock(&l->lock);
	t = timer_get_locked(slot);
	if (!t)
		goto out_unlock;
	timer_publish_locked(slot, NULL);
	t->dead = true;
	old = timer_prog_drop_locked(t, t->prog);
	t->prog = NULL;
	timer_set_cb_locked(t, NULL);
	timer_stale_del_locked(t);
	if (t->inflight && emu_event_disarm(&t->ev))
		t->inflight--;
	/*
	 * Inside a timer callback (this one's or another's), waiting could
	 * deadlock: the kernel defers to a workqueue, we leave the free to
	 * whoever finishes last.  Elsewhere, wait as hrtimer_cancel() does.
	 */
	if (!emu_ctx.running_timer)
		while (t->inflight || t->running)
			timer_wait_locked(l, t);
	release = timer_unused_locked(t);
out_unlock:
	emu_mutex_unlock(&l->lock);
	if (release)
		emu_free(t);
	emu_prog_put(old);
}

/* What timer_fire hands to the program entry. */
struct timer_run {
	struct emu_timer *t;
	int cpu;
};

/* Runs inside emu_run: the callback, if the timer still has one. */
static long timer_run_callback(void *arg)
{
	struct timer_run *run = arg;
	struct emu_timer *t = run->t;
	uint32_t index = t->index;
	timer_cb_fn cb;

	/*
	 * emu_run's entry reaps closed fds first; that may have dropped the
	 * map's last user reference and freed this timer on this thread (the
	 * callback pointer is then NULL): the kernel would never have run it.
	 * The object itself stays until this run is over (running is set).
	 */
	cb = (timer_cb_fn)__atomic_load_n(&t->callback_fn, __ATOMIC_RELAXED);
	emu_ctx.cpu = run->cpu;
	if (!cb)
		return 0;
	emu_ctx.running_timer = t;
	/* BPF C declares callbacks returning int or long: read the int. */
	return cb(t->map_def, t->is_array ? (void *)&index : (void *)t->key, t->value);
}

/* A timer of (@clock, @cpu) expired: its stale companions are due now. */
static void timer_stale_promote(int clock, int cpu)
{
	struct emu_timer *t, *next, *batch = NULL;
	struct timer_lock *l;
	bool was_queued, release;

	pthread_mutex_lock(&stale_lock);
	for (t = stale_head; t; t = next) {
		next = t->stale_next;
		if (t->clock != clock || t->cpu != cpu)
			continue;
		timer_stale_unlink(t);
		atomic_fetch_add(&t->pins, 1);
		t->promote_gen = atomic_load(&t->gen);
		t->promote_next = batch;
		batch = t;
	}
	pthread_mutex_unlock(&stale_lock);

	for (t = batch; t; t = next) {
		next = t->promote_next;
		l = timer_lock_of(t->slot);
		emu_mutex_lock(&l->lock);
		atomic_fetch_sub(&t->pins, 1);
		if (!t->dead && atomic_load(&t->gen) == t->promote_gen) {
			was_queued = emu_event_disarm(&t->ev);
			if (!emu_event_arm_on(&t->ev, t->clock, emu_clock_now(t->clock))) {
				if (!was_queued)
					t->inflight++;
			} else if (was_queued) {
				t->inflight--;
			}
		}
		release = timer_unused_locked(t);
		emu_mutex_unlock(&l->lock);
		if (release)
			emu_free(t);
	}
}

/* Wake whoever waits for @t's callback or fire to be over.  Lock held. */
static void timer_wake_locked(struct timer_lock *l, const struct emu_timer *t)
{
	/* Only @t's waiters care: each waits for a change of @t. */
	if (t->waiters)
		emu_cond_broadcast(&l->idle);
}

/*
 * What the end of a fire needs, kept per thread rather than in timer_fire's
 * frame: a callback rejected by a verifier rule does not come back to that
 * frame, and timer_fire_done() is then called from the clock's guard
 * (emu_run_guarded).  A thread fires one timer at a time.
 */
struct timer_firing {
	struct emu_timer *t;
	int saved_cpu;			/* the firing thread's CPU */
	int cpu;			/* the CPU the callback ran on */
};

static _Thread_local struct timer_firing timer_firing EMU_TLS_IE;

/* The callback is over (returned or abandoned): undo the fire's marks. */
static void timer_fire_done(void *arg)
{
	struct timer_firing *f = arg;
	struct emu_timer *t = f->t;
	struct timer_lock *l = timer_lock_of(t->slot);
	struct emu_prog *put;
	bool release;

	/* The clock fires outside any callback: no timer was running. */
	emu_ctx.running_timer = NULL;
	emu_ctx.cpu = f->saved_cpu;
	f->t = NULL;
	if (atomic_load(&stale_count))
		timer_stale_promote(t->clock, f->cpu);

	emu_mutex_lock(&l->lock);
	t->running = false;
	put = t->run_put ? t->run_prog : NULL;
	t->run_prog = NULL;
	t->run_put = false;
	release = timer_unused_locked(t);
	timer_wake_locked(l, t);
	emu_mutex_unlock(&l->lock);
	if (release)
		emu_free(t);
	emu_prog_put(put);
}

static void timer_fire(struct emu_event *ev)
{
	struct emu_timer *t = (struct emu_timer *)((char *)ev - offsetof(struct emu_timer, ev));
	struct timer_lock *l = timer_lock_of(t->slot);
	struct timer_firing *f = &timer_firing;
	struct emu_prog *prog;
	struct timer_run run;
	bool release;

	/*
	 * The callback reads its element (and whatever it looks up) with no
	 * lock: it must be on the maps' read side from before the checks
	 * below until it is over.  The clock fires inside its batch's
	 * section (emu_run_batch_begin), which is one.
	 */
	emu_mutex_lock(&l->lock);
	t->inflight--;
	/* hrtimer never runs one timer's callback twice at once. */
	while (t->running && !t->dead)
		timer_wait_locked(l, t);
	if (t->dead || !t->callback_fn)
		goto out_release;
	/* No reference of our own: the timer's keeps the program alive, and
	 * a cancel while the callback runs hands its put to us. */
	prog = t->prog;
	t->run_prog = prog;
	t->run_put = false;
	t->running = true;
	f->t = t;
	f->cpu = t->cpu;
	emu_mutex_unlock(&l->lock);

	/* Set before the entry: a cancel-and-free during its fd reap must
	 * see that this timer's callback is (about to be) running. */
	f->saved_cpu = emu_ctx.cpu;
	emu_ctx.running_timer = t;
	run.t = t;
	run.cpu = f->cpu;
	if (prog) {
		/* Inside the clock's guard: no setjmp here.  A rejection
		 * ends the fire through timer_fire_done from the guard. */
		emu_run_guarded(prog, EMU_ENTRY_TIMER_CB, timer_run_callback, &run, NULL,
				timer_fire_done, f);
	} else {
		/* Callback set outside any program (a test calling helpers
		 * directly): run it as plain code. */
		timer_run_callback(&run);
	}
	timer_fire_done(f);
	return;

out_release:
	release = timer_unused_locked(t);
	timer_wake_locked(l, t);
	emu_mutex_unlock(&l->lock);
	if (release)
		emu_free(t);
}

__attribute__((constructor)) static void timer_register(void)
{
	emu_map_register_field_free(EMU_FIELD_TIMER, timer_free_field);
}
