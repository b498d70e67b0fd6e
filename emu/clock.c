/* SPDX-License-Identifier: MIT */
/*
 * The clocks and the one queue of due events (emu/clock.h, bpfemu/clock.h).
 *
 * The queue is a 4-ary min-heap in an array (as libev's timers: fewer
 * levels than a binary heap and children on one cache line), ordered by
 * (deadline, seq), beside an in-order lane for events armed in that order
 * (see `lane` below: periodic timers never touch the heap).  A heap entry
 * is the event's deadline and pointer (16 bytes, as libev keeps its
 * timers' due times in the heap): a sift compares the entries it reads and
 * touches an event only to read its seq on a tie and to record its slot.
 * Each event records its slot (heap_idx = slot + 1, 0 = not queued), so
 * disarm and re-arm are O(log n) with no search.  The array grows by
 * doubling and never shrinks until reset: once grown, arming does not
 * allocate.  It starts HEAP_PAD slots into a 256-byte aligned block, so
 * every group of four siblings fills one cache line and every group of
 * sixteen grandchildren four consecutive lines: a removal prefetches the
 * grandchildren while it compares the children.
 *
 * Every deadline is on the MONOTONIC timeline.  An event armed on another
 * clock (emu_event_arm_on) remembers which clock it follows, so a simulated
 * suspend or a wall-clock jump can move it the way the kernel's hrtimer
 * bases move.
 *
 * The event being fired is out of the heap while its callback runs.  If it
 * is armed again meanwhile (a periodic timer re-arming itself: the common
 * case), it is only marked (heap_idx == IDX_FIRING, firing_armed) and goes
 * back in when its fire returns, together with the next removal: the root
 * is replaced by it in one bottom-up sift instead of a removal and an
 * insertion, and a 0-delay re-arm that is due first again is fired without
 * touching the heap.  It counts as pending all along (pending, disarm,
 * count, next deadline, clock shifts see it), and a slot stays reserved for
 * it, so its return cannot fail.
 *
 * Locking: q_lock protects the heap and the offsets; callbacks run with it
 * released.  (A spinlock here and for the timers' locks measured 25%
 * slower at 1M pending timers, ~5% faster at 1K: kept a mutex.)  advance_lock serialises advances (and real-time dispatches), so
 * "now" only moves forward and events fire in order even with several
 * threads calling in.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpfemu/clock.h>
#include <bpfemu/core.h>

#include "alloc.h"
#include "clock.h"
#include "core.h"
#include "ctx.h"
#include "err.h"
#include "prog.h"

/* What an event's deadline follows (struct emu_event.base). */
enum event_base {
	BASE_MONO = 0,		/* MONOTONIC (and MONOTONIC_COARSE) */
	BASE_BOOT,		/* BOOTTIME: moves with suspend */
	BASE_REAL,		/* REALTIME, TAI: moves with suspend and wall-clock sets */
};

#define HEAP_ARITY	4
#define HEAP_MIN_CAP	64
/* heap = block + HEAP_PAD (16-byte entries): children of i (4i+1..4i+4)
 * fill one 64-byte line, grandchildren (16i+5..16i+20) four lines from a
 * 256-byte boundary. */
#define HEAP_ALIGN	256
#define HEAP_PAD	11

static struct emu_mutex q_lock = EMU_MUTEX_INITIALIZER;
static pthread_mutex_t advance_lock = PTHREAD_MUTEX_INITIALIZER;
/* heap_idx of the event being fired once it was armed again (not a slot). */
#define IDX_FIRING	UINT32_MAX
/* heap_idx of an event in the in-order lane: IDX_LANE | its ring slot.  Heap
 * slots + 1 stay below it (heap_reserve stops at 2^30). */
#define IDX_LANE	0x80000000u
#define LANE_MIN_CAP	64

/*
 * A heap entry keeps its event's deadline beside the pointer: a sift
 * compares the entries it reads and dereferences an event only on a tie
 * (for its seq) and to record its slot.
 */
struct heap_ent {
	uint64_t deadline;	/* == ev->deadline */
	struct emu_event *ev;
};

static struct heap_ent *heap_block;
static struct heap_ent *heap;		/* heap_block + HEAP_PAD */
static uint32_t heap_len;
static uint32_t heap_cap;
static uint64_t next_seq;
/*
 * The in-order lane: a ring of events armed in (deadline, seq) order, each
 * no earlier than the one armed before it -- what timers of one period
 * re-arming themselves produce.  Its head is its earliest, so taking one
 * out and putting one in are O(1) and walk memory in order; anything armed
 * out of order goes to the heap, and the next event due is the earlier of
 * the two heads (and of the fired event armed again), so the order is the
 * one heap's.  A removal from the middle leaves a NULL hole the head skips.
 */
static struct emu_event **lane;
static uint32_t lane_cap;		/* a power of two, or 0 */
static uint32_t lane_head, lane_tail;	/* positions; slot = position & (cap - 1) */
static uint32_t lane_live;		/* events in the lane */
static uint64_t lane_last, lane_last_seq;	/* (deadline, seq) of the last put in */
/* The event fire_due took out and is firing (q_lock), and whether it was
 * armed again since: it then holds a reserved slot (heap_reserve). */
static struct emu_event *firing;
static bool firing_armed;

/* Virtual time.  Atomics: helpers read them from any thread without q_lock. */
static _Atomic uint64_t mono_now = BPFEMU_CLOCK_START_NS;
static _Atomic uint64_t suspended_ns;
/* REALTIME - BOOTTIME, modulo 2^64 (a wall clock set before "boot" wraps). */
static _Atomic uint64_t real_offset = BPFEMU_CLOCK_REALTIME_START_NS - BPFEMU_CLOCK_START_NS;
static _Atomic int clock_mode = BPFEMU_CLOCK_VIRTUAL;
static _Atomic uint64_t runaway_cap = BPFEMU_CLOCK_RUNAWAY_CAP;

/* Set while this thread fires events: advancing again from a callback is a bug. */
static _Thread_local bool advancing;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* @t shifted by @delta, clamped to [0, UINT64_MAX]. */
static uint64_t shift_clamped(uint64_t t, __int128 delta)
{
	__int128 v = (__int128)t + delta;

	if (v < 0)
		return 0;
	if (v > (__int128)UINT64_MAX)
		return UINT64_MAX;
	return (uint64_t)v;
}

static bool is_virtual(void)
{
	return atomic_load(&clock_mode) == BPFEMU_CLOCK_VIRTUAL;
}

static uint64_t virtual_now(int kclock)
{
	uint64_t mono = atomic_load(&mono_now);
	uint64_t boot = mono + atomic_load(&suspended_ns);

	switch (kclock) {
	case EMU_CLOCK_REALTIME:
		return boot + atomic_load(&real_offset);
	case EMU_CLOCK_TAI:
		return boot + atomic_load(&real_offset) + BPFEMU_CLOCK_TAI_OFFSET_NS;
	case EMU_CLOCK_BOOTTIME:
		return boot;
	case EMU_CLOCK_MONOTONIC_COARSE:
		return mono - mono % BPFEMU_CLOCK_TICK_NS;
	default:
		return mono;
	}
}

uint64_t emu_clock_now(int kclock)
{
	if (is_virtual())
		return virtual_now(kclock);
	return emu_clock_host_now(kclock);
}

uint64_t bpfemu_clock_now(int kclock)
{
	return emu_clock_now(kclock);
}

uint64_t emu_clock_to_mono(int kclock, uint64_t t)
{
	uint64_t mono, other;

	if (kclock == EMU_CLOCK_MONOTONIC || kclock == EMU_CLOCK_MONOTONIC_COARSE)
		return t;
	mono = emu_clock_now(EMU_CLOCK_MONOTONIC);
	other = emu_clock_now(kclock);
	/* The offset between two clocks, read as signed: REALTIME may be set
	 * before MONOTONIC's origin. */
	return shift_clamped(t, -(__int128)(int64_t)(other - mono));
}

static enum event_base clock_base(int kclock)
{
	switch (kclock) {
	case EMU_CLOCK_BOOTTIME:
		return BASE_BOOT;
	case EMU_CLOCK_REALTIME:
	case EMU_CLOCK_TAI:
		return BASE_REAL;
	default:
		return BASE_MONO;
	}
}

/* ---------------------------------------------------------------- locks */

#ifdef EMU_LOCK_FUTEX
#include <limits.h>
#include <sys/syscall.h>
#include <unistd.h>

/* <linux/futex.h>'s, which a POSIX-only build does not include. */
#define EMU_FUTEX_WAIT_PRIVATE	128
#define EMU_FUTEX_WAKE_PRIVATE	129

static void futex_wait(void *addr, unsigned int val)
{
	syscall(SYS_futex, addr, EMU_FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(void *addr, int n)
{
	syscall(SYS_futex, addr, EMU_FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Contended: mark it so (2), and sleep until the holder leaves. */
void emu_mutex_lock_slow(struct emu_mutex *m)
{
	int c = atomic_exchange_explicit(&m->v, 2, memory_order_acquire);

	while (c) {
		futex_wait(&m->v, 2);
		c = atomic_exchange_explicit(&m->v, 2, memory_order_acquire);
	}
}

void emu_mutex_wake(struct emu_mutex *m)
{
	futex_wake(&m->v, 1);
}

void emu_cond_wait(struct emu_cond *c, struct emu_mutex *m)
{
	/* Read under @m: a broadcast after this changes it, so the wait
	 * below cannot miss one made after the caller's check. */
	unsigned int seq = atomic_load_explicit(&c->seq, memory_order_relaxed);

	emu_mutex_unlock(m);
	futex_wait(&c->seq, seq);
	emu_mutex_lock(m);
}

void emu_cond_broadcast(struct emu_cond *c)
{
	atomic_fetch_add_explicit(&c->seq, 1, memory_order_relaxed);
	futex_wake(&c->seq, INT_MAX);
}
#else
void emu_cond_wait(struct emu_cond *c, struct emu_mutex *m)
{
	pthread_cond_wait(&c->c, &m->m);
}

void emu_cond_broadcast(struct emu_cond *c)
{
	pthread_cond_broadcast(&c->c);
}
#endif

/* ---------------------------------------------------------------- heap */

static bool ev_before(const struct emu_event *a, const struct emu_event *b)
{
	return a->deadline < b->deadline ||
	       (a->deadline == b->deadline && a->seq < b->seq);
}

/* (deadline, seq) order of two entries: seq is read only on a tie. */
static inline bool ent_before(struct heap_ent a, struct heap_ent b)
{
	return a.deadline < b.deadline ||
	       (a.deadline == b.deadline && a.ev->seq < b.ev->seq);
}

static inline struct heap_ent ent_of(struct emu_event *ev)
{
	return (struct heap_ent){ .deadline = ev->deadline, .ev = ev };
}

static inline void heap_set(uint32_t i, struct heap_ent e)
{
	heap[i] = e;
	e.ev->heap_idx = i + 1;
}

static void sift_up(uint32_t i)
{
	struct heap_ent e = heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / HEAP_ARITY;

		if (!ent_before(e, heap[parent]))
			break;
		heap_set(i, heap[parent]);
		i = parent;
	}
	heap_set(i, e);
}

/*
 * The slot of the earliest of the children first..end-1 of a node.  The
 * grandchildren's entries (four lines) are prefetched for the next level
 * while the children, one line, are compared.
 */
static inline __attribute__((always_inline)) uint32_t min_child(uint32_t first, uint32_t end)
{
	const struct heap_ent *h = &heap[first];
	uint64_t md = h[0].deadline;
	uint32_t b = 0, c;

	if (first * HEAP_ARITY + 1 < heap_len) {
		const struct heap_ent *g = &heap[first * HEAP_ARITY + 1];

		__builtin_prefetch(g);
		__builtin_prefetch(g + 4);
		__builtin_prefetch(g + 8);
		__builtin_prefetch(g + 12);
	}
	if (__builtin_expect(end - first == HEAP_ARITY, 1)) {
		/* A full node (all but one per level), unrolled. */
		for (c = 1; c < HEAP_ARITY; c++) {
			uint64_t xd = h[c].deadline;

			if (xd < md || (xd == md && h[c].ev->seq < h[b].ev->seq)) {
				md = xd;
				b = c;
			}
		}
		return first + b;
	}
	for (c = 1; c < end - first; c++) {
		uint64_t xd = h[c].deadline;

		if (xd < md || (xd == md && h[c].ev->seq < h[b].ev->seq)) {
			md = xd;
			b = c;
		}
	}
	return first + b;
}

static void sift_down(uint32_t i)
{
	struct heap_ent e = heap[i];

	for (;;) {
		uint32_t first = i * HEAP_ARITY + 1, best, end;

		if (first >= heap_len)
			break;
		end = first + HEAP_ARITY < heap_len ? first + HEAP_ARITY : heap_len;
		best = min_child(first, end);
		if (!ent_before(heap[best], e))
			break;
		heap_set(i, heap[best]);
		i = best;
	}
	heap_set(i, e);
}

/* Restore order after @i's key changed in either direction. */
static void heap_fix(uint32_t i)
{
	if (i > 0 && ent_before(heap[i], heap[(i - 1) / HEAP_ARITY]))
		sift_up(i);
	else
		sift_down(i);
}

/*
 * Slot @i's element is gone: fill the hole with @fill.  Bottom-up (Floyd):
 * the hole goes down the path of earliest children to a leaf without
 * comparing against @fill, which then goes into it and sifts up.  @fill is
 * usually one of the latest deadlines (the last element, or a re-armed
 * periodic event), so that sift is short.
 */
static void heap_refill(uint32_t i, struct heap_ent fill)
{
	for (;;) {
		uint32_t first = i * HEAP_ARITY + 1, best, end;

		if (first >= heap_len)
			break;
		end = first + HEAP_ARITY < heap_len ? first + HEAP_ARITY : heap_len;
		best = min_child(first, end);
		heap_set(i, heap[best]);
		i = best;
	}
	heap_set(i, fill);
	sift_up(i);
}

/* Take slot @i out. */
static void heap_remove(uint32_t i)
{
	struct emu_event *ev = heap[i].ev;

	heap_len--;
	if (i != heap_len)
		heap_refill(i, heap[heap_len]);
	ev->heap_idx = 0;
}

/* Put @ev, not queued, in the heap (its slot reserved). */
static inline void heap_insert(struct emu_event *ev)
{
	heap_set(heap_len++, ent_of(ev));
	sift_up(heap_len - 1);
}

static void heapify(void)
{
	uint32_t i;

	if (heap_len < 2)
		return;
	for (i = (heap_len - 2) / HEAP_ARITY + 1; i-- > 0;)
		sift_down(i);
}

/*
 * A heap slot for every queued event, wherever it is: the fired event armed
 * again and the lane's events can then always move into the heap.
 */
static int heap_reserve(void)
{
	struct heap_ent *grown;
	uint32_t cap;

	if (heap_len + lane_live + firing_armed < heap_cap)
		return 0;
	if (heap_cap >= UINT32_MAX / 2)
		return -ENOMEM;
	cap = heap_cap ? heap_cap * 2 : HEAP_MIN_CAP;
	grown = emu_malloc_aligned(HEAP_ALIGN, ((size_t)cap + HEAP_PAD) * sizeof(*heap));
	if (!grown)
		return -ENOMEM;
	if (heap_len)
		memcpy(grown + HEAP_PAD, heap, (size_t)heap_len * sizeof(*heap));
	emu_free(heap_block);
	heap_block = grown;
	heap = grown + HEAP_PAD;
	heap_cap = cap;
	return 0;
}

/* ---------------------------------------------------------------- lane */

static void lane_reset_positions(void)
{
	lane_head = lane_tail = 0;
}

/* The lane's earliest event (its holes skipped), or NULL. */
static inline struct emu_event *lane_peek(void)
{
	struct emu_event *ev;

	if (!lane_live)
		return NULL;
	while (!(ev = lane[lane_head & (lane_cap - 1)]))
		lane_head++;
	return ev;
}

/*
 * The ring is full: copy its events, without the holes, into a new one,
 * twice the size only if they fill half of it.  Re-arming a lane event
 * (a watchdog pushed back again and again) leaves a hole each time, and
 * the head cannot pass them while an earlier event waits there: only the
 * compaction bounds the ring (~2x its events, amortised O(1) per put).
 * false if there is no memory.
 */
static bool lane_grow(void)
{
	uint32_t cap = !lane_cap ? LANE_MIN_CAP :
		       lane_live < lane_cap / 2 ? lane_cap : lane_cap * 2, n = 0, p;
	struct emu_event **grown;

	if (cap > (1u << 30))
		return false;
	grown = emu_calloc(cap, sizeof(*grown));
	if (!grown)
		return false;
	for (p = lane_head; p != lane_tail; p++) {
		struct emu_event *ev = lane[p & (lane_cap - 1)];

		if (!ev)
			continue;
		grown[n] = ev;
		ev->heap_idx = IDX_LANE | n;
		n++;
	}
	emu_free(lane);
	lane = grown;
	lane_cap = cap;
	lane_head = 0;
	lane_tail = n;
	return true;
}

/* Put @ev at the lane's tail if that keeps it in order.  false: the heap's. */
static inline bool lane_push(struct emu_event *ev)
{
	/* A fired event armed again may be older than what its callback
	 * armed after it: (deadline, seq), not the deadline alone. */
	if (lane_live && (ev->deadline < lane_last ||
			  (ev->deadline == lane_last && ev->seq < lane_last_seq)))
		return false;
	if (lane_tail - lane_head == lane_cap && !lane_grow())
		return false;
	lane[lane_tail & (lane_cap - 1)] = ev;
	ev->heap_idx = IDX_LANE | (lane_tail & (lane_cap - 1));
	lane_tail++;
	lane_live++;
	lane_last = ev->deadline;
	lane_last_seq = ev->seq;
	return true;
}

/* Take @ev (in the lane) out. */
static void lane_remove(struct emu_event *ev)
{
	lane[ev->heap_idx & ~IDX_LANE] = NULL;
	ev->heap_idx = 0;
	if (!--lane_live)
		lane_reset_positions();
}

/* Every lane event into the heap (before deadlines move out of order). */
static void lane_flush_locked(void)
{
	uint32_t p;

	for (p = lane_head; lane_live && p != lane_tail; p++) {
		struct emu_event *ev = lane[p & (lane_cap - 1)];

		if (!ev)
			continue;
		lane[p & (lane_cap - 1)] = NULL;
		lane_live--;
		heap_insert(ev);	/* reserved (heap_reserve) */
	}
	lane_live = 0;
	lane_reset_positions();
}

/* @ev, not queued, into the lane or the heap (its slot reserved). */
static inline void queue_insert_locked(struct emu_event *ev)
{
	if (lane_push(ev))
		return;
	heap_insert(ev);
}

/* The earliest queued event, fired one aside, or NULL. */
static inline struct emu_event *queue_min_locked(void)
{
	struct emu_event *l = lane_peek();

	if (!heap_len)
		return l;
	if (l && ent_before(ent_of(l), heap[0]))
		return l;
	return heap[0].ev;
}

/* Queue @ev at @deadline under q_lock.  Returns 0 or -ENOMEM. */
static int queue_locked(struct emu_event *ev, uint64_t deadline, enum event_base base)
{
	int err;

	if (ev->heap_idx & IDX_LANE) {
		/* Out of the lane, in again where it now belongs (its heap
		 * slot is reserved: this cannot fail). */
		lane_remove(ev);
		ev->deadline = deadline;
		ev->seq = next_seq++;
		ev->base = base;
		queue_insert_locked(ev);
		return 0;
	}
	if (ev->heap_idx) {
		ev->deadline = deadline;
		ev->seq = next_seq++;
		ev->base = base;
		heap[ev->heap_idx - 1].deadline = deadline;
		heap_fix(ev->heap_idx - 1);
		return 0;
	}
	err = heap_reserve();
	if (err)
		return err;
	ev->deadline = deadline;
	ev->seq = next_seq++;
	ev->base = base;
	queue_insert_locked(ev);
	return 0;
}

static int arm(struct emu_event *ev, uint64_t deadline, enum event_base base, bool *was_queued)
{
	bool first;
	int err = 0;

	emu_mutex_lock(&q_lock);
	if (was_queued)
		*was_queued = ev->heap_idx != 0;
	if (ev == firing) {
		/* The event being fired (a periodic timer re-arming itself):
		 * only marked; it goes back in the heap when its fire returns
		 * (fire_due), and the loop, which is firing, looks at the
		 * earliest deadline after that: no kick. */
		if (!firing_armed && heap_len + lane_live >= heap_cap)
			err = heap_reserve();
		if (!err) {
			ev->deadline = deadline;
			ev->seq = next_seq++;
			ev->base = base;
			ev->heap_idx = IDX_FIRING;
			firing_armed = true;
		}
		emu_mutex_unlock(&q_lock);
		return err;
	}
	err = queue_locked(ev, deadline, base);
	first = queue_min_locked() == ev;
	emu_mutex_unlock(&q_lock);
	if (!err && first && !is_virtual())
		emu_loop_kick();
	return err;
}

int emu_event_arm(struct emu_event *ev, uint64_t deadline)
{
	return arm(ev, deadline, BASE_MONO, NULL);
}

int emu_event_arm_on(struct emu_event *ev, int kclock, uint64_t t)
{
	return arm(ev, emu_clock_to_mono(kclock, t), clock_base(kclock), NULL);
}

int emu_event_rearm_on(struct emu_event *ev, int kclock, uint64_t t, bool *was_queued)
{
	return arm(ev, emu_clock_to_mono(kclock, t), clock_base(kclock), was_queued);
}

bool emu_event_disarm(struct emu_event *ev)
{
	bool was_pending = false;

	emu_mutex_lock(&q_lock);
	if (ev->heap_idx == IDX_FIRING) {
		ev->heap_idx = 0;
		firing_armed = false;
		was_pending = true;
	} else if (ev->heap_idx & IDX_LANE) {
		lane_remove(ev);
		was_pending = true;
	} else if (ev->heap_idx) {
		heap_remove(ev->heap_idx - 1);
		was_pending = true;
	}
	emu_mutex_unlock(&q_lock);
	return was_pending;
}

bool emu_event_pending(const struct emu_event *ev)
{
	bool pending;

	emu_mutex_lock(&q_lock);
	pending = ev->heap_idx != 0;
	emu_mutex_unlock(&q_lock);
	return pending;
}

uint64_t emu_event_count(void)
{
	uint64_t n;

	emu_mutex_lock(&q_lock);
	n = heap_len + lane_live + firing_armed;
	emu_mutex_unlock(&q_lock);
	return n;
}

uint32_t emu_clock_lane_capacity(void)
{
	uint32_t cap;

	emu_mutex_lock(&q_lock);
	cap = lane_cap;
	emu_mutex_unlock(&q_lock);
	return cap;
}

uint64_t bpfemu_clock_pending(void)
{
	return emu_event_count();
}

uint64_t bpfemu_clock_next_deadline(void)
{
	uint64_t d = BPFEMU_CLOCK_NEVER;
	struct emu_event *ev;

	emu_mutex_lock(&q_lock);
	ev = queue_min_locked();
	if (ev)
		d = ev->deadline;
	if (firing_armed && firing->deadline < d)
		d = firing->deadline;
	emu_mutex_unlock(&q_lock);
	return d;
}

static void shift_event(struct emu_event *ev, enum event_base base, __int128 delta)
{
	if (ev->base == BASE_MONO)
		return;
	if (base == BASE_REAL && ev->base != BASE_REAL)
		return;
	ev->deadline = shift_clamped(ev->deadline, delta);
}

/* Move every event that follows @base by @delta ns (then reorder). */
static void shift_base_locked(enum event_base base, __int128 delta)
{
	uint32_t i;

	lane_flush_locked();
	for (i = 0; i < heap_len; i++) {
		shift_event(heap[i].ev, base, delta);
		heap[i].deadline = heap[i].ev->deadline;
	}
	if (firing_armed)
		shift_event(firing, base, delta);
	heapify();
}

/* ---------------------------------------------------------------- firing */

/* The event fired last was armed again: into the queue, in its reserved slot. */
static void firing_settle_locked(void)
{
	if (firing_armed)
		queue_insert_locked(firing);
	firing = NULL;
	firing_armed = false;
}

/*
 * The next event to fire: the earliest of the heap's root, the lane's head
 * and the event fired last if it was armed again (a re-arm with no delay
 * can come first).  q_lock held.
 */
static struct emu_event *next_due_locked(void)
{
	struct emu_event *ev = queue_min_locked();

	if (firing_armed && (!ev || ev_before(firing, ev)))
		return firing;
	return ev;
}

/*
 * Take @ev (next_due_locked's) out to fire it.  The event fired last, if it
 * was armed again, goes back in at the same time: at the lane's tail (a
 * periodic timer), or replacing the heap's root in one sift instead of a
 * removal and an insertion; being @ev itself, it is never put in at all.
 * q_lock held.
 */
static void take_locked(struct emu_event *ev)
{
	if (ev == firing) {
		ev->heap_idx = 0;
	} else if (ev->heap_idx & IDX_LANE) {
		lane_remove(ev);
		if (firing_armed)
			queue_insert_locked(firing);
	} else if (firing_armed && !lane_push(firing)) {
		heap_refill(0, ent_of(firing));
	} else {
		heap_remove(0);
	}
	ev->heap_idx = 0;
	firing = ev;
	firing_armed = false;
}

/* The fire loop's state: in memory, so that it survives a longjmp. */
struct fire_state {
	uint64_t until;
	uint64_t cap;
	uint64_t instant;
	uint64_t at_instant;
	bool virt;
};

static int fire_loop(struct fire_state *fs)
{
	emu_mutex_lock(&q_lock);
	for (;;) {
		struct emu_event *ev = next_due_locked();
		uint64_t at;

		if (!ev || ev->deadline > fs->until) {
			firing_settle_locked();
			emu_mutex_unlock(&q_lock);
			return 0;
		}
		at = fs->virt ? atomic_load(&mono_now) : ev->deadline;
		if (ev->deadline > at)
			at = ev->deadline;
		/* Events keep arriving at one instant only if something re-arms
		 * with no delay: stop before that spins forever. */
		if (at == fs->instant && fs->at_instant >= fs->cap) {
			firing_settle_locked();
			emu_mutex_unlock(&q_lock);
			emu_diag("clock_runaway",
				 "%llu events fired at %llu ns without time moving; an event callback probably re-arms itself with zero delay (raise the cap with bpfemu_clock_set_runaway_cap)",
				 (unsigned long long)fs->at_instant, (unsigned long long)at);
			return -ELOOP;
		}
		if (at != fs->instant) {
			fs->instant = at;
			fs->at_instant = 0;
		}
		fs->at_instant++;
		take_locked(ev);
		/* A release store, not seq_cst: on x86 that would be an xchg
		 * per fire, a locked instruction that waits for the fire's
		 * stores into cold events (readers only need the value). */
		if (fs->virt)
			atomic_store_explicit(&mono_now, at, memory_order_release);
		emu_mutex_unlock(&q_lock);

		ev->fire(ev);
		emu_run_batch_next();
		emu_mutex_lock(&q_lock);
	}
}

/*
 * Fire, in order, every event due at or before @until.  Caller holds
 * advance_lock and has set `advancing`.  In virtual time "now" follows each
 * event's deadline (never backwards).
 *
 * The callbacks' program entries share one verifier-rule guard (prog.h):
 * no setjmp per fire.  A callback rejected by a rule lands here, its entry
 * and its fire are finished by emu_run_guard_recover(), and the loop goes
 * on with the next event due.
 */
static int fire_due(uint64_t until)
{
	struct fire_state fs = {
		.until = until,
		.cap = atomic_load(&runaway_cap),
		.virt = is_virtual(),
	};
	struct emu_run_guard g;
	int err;

	emu_run_guard_begin(&g);
	if (setjmp(g.jb)) {
		emu_run_guard_recover(&g);
		emu_run_batch_next();
	}
	err = fire_loop(&fs);
	emu_run_guard_end(&g);
	return err;
}

static int enter_firing(const char *what)
{
	if (emu_ctx.depth > 0 || advancing) {
		emu_diag("clock_advance_reentered",
			 "%s called from inside a BPF program or an event callback; time can only be moved by the test itself",
			 what);
		return -EDEADLK;
	}
	pthread_mutex_lock(&advance_lock);
	advancing = true;
	/* Closed user fds drop their references before anything fires, as a
	 * kernel's synchronous fput would have (fd.h); the callbacks of the
	 * batch share one reap and one RCU read-side section (ctx.h). */
	emu_run_batch_begin();
	return 0;
}

static void leave_firing(void)
{
	emu_run_batch_end();
	advancing = false;
	pthread_mutex_unlock(&advance_lock);
}

int emu_clock_fire_due(uint64_t until)
{
	int err = enter_firing("bpfemu_loop_run");

	if (err)
		return err;
	err = fire_due(until);
	leave_firing();
	return err;
}

int bpfemu_clock_advance_to(uint64_t target)
{
	int err;

	if (!is_virtual())
		return emu_err(-EOPNOTSUPP);
	err = enter_firing("bpfemu_clock_advance");
	if (err)
		return emu_err(err);
	if (target < atomic_load(&mono_now)) {
		err = -EINVAL;
		goto out_leave;
	}
	err = fire_due(target);
	if (!err)
		atomic_store(&mono_now, target);
out_leave:
	leave_firing();
	return emu_err(err);
}

int bpfemu_clock_advance(uint64_t ns)
{
	/* Read under no lock: a concurrent advance is serialised inside, and
	 * "ns from the time this call was made" is what the caller means. */
	return bpfemu_clock_advance_to(sat_add(atomic_load(&mono_now), ns));
}

int bpfemu_clock_suspend(uint64_t ns)
{
	if (!is_virtual())
		return emu_err(-EOPNOTSUPP);
	emu_mutex_lock(&q_lock);
	atomic_store(&suspended_ns, atomic_load(&suspended_ns) + ns);
	/* BOOTTIME and REALTIME ran on while MONOTONIC stood still: their
	 * events are now ns closer on the MONOTONIC timeline. */
	shift_base_locked(BASE_BOOT, -(__int128)ns);
	emu_mutex_unlock(&q_lock);
	return 0;
}

int bpfemu_clock_set_realtime(uint64_t ns)
{
	uint64_t old, boot;

	if (!is_virtual())
		return emu_err(-EOPNOTSUPP);
	emu_mutex_lock(&q_lock);
	boot = atomic_load(&mono_now) + atomic_load(&suspended_ns);
	old = atomic_load(&real_offset);
	atomic_store(&real_offset, ns - boot);
	/* Wall-clock events keep their wall-clock time (clock_was_set). */
	shift_base_locked(BASE_REAL, -(__int128)(int64_t)((ns - boot) - old));
	emu_mutex_unlock(&q_lock);
	return 0;
}

int bpfemu_clock_set_mode(enum bpfemu_clock_mode mode)
{
	uint64_t from, to;
	uint32_t i;

	if (mode != BPFEMU_CLOCK_VIRTUAL && mode != BPFEMU_CLOCK_REAL)
		return emu_err(-EINVAL);
	if (emu_ctx.depth > 0 || advancing)
		return emu_err(-EDEADLK);

	pthread_mutex_lock(&advance_lock);
	emu_mutex_lock(&q_lock);
	if ((int)mode == atomic_load(&clock_mode))
		goto out_unlock;
	/* Pending events keep their remaining delay on the new timeline. */
	from = is_virtual() ? atomic_load(&mono_now) : emu_clock_host_now(EMU_CLOCK_MONOTONIC);
	to = mode == BPFEMU_CLOCK_VIRTUAL ? atomic_load(&mono_now) :
					    emu_clock_host_now(EMU_CLOCK_MONOTONIC);
	/* Clamping can tie deadlines the lane kept apart: all in the heap. */
	lane_flush_locked();
	for (i = 0; i < heap_len; i++) {
		heap[i].ev->deadline = shift_clamped(heap[i].ev->deadline,
						     (__int128)to - (__int128)from);
		heap[i].deadline = heap[i].ev->deadline;
	}
	heapify();
	atomic_store(&clock_mode, mode);
out_unlock:
	emu_mutex_unlock(&q_lock);
	pthread_mutex_unlock(&advance_lock);
	if (mode == BPFEMU_CLOCK_REAL)
		emu_loop_kick();
	return 0;
}

enum bpfemu_clock_mode bpfemu_clock_get_mode(void)
{
	return (enum bpfemu_clock_mode)atomic_load(&clock_mode);
}

void bpfemu_clock_set_runaway_cap(uint64_t cap)
{
	atomic_store(&runaway_cap, cap ? cap : BPFEMU_CLOCK_RUNAWAY_CAP);
}

void emu_clock_reset(void)
{
	uint32_t i;

	emu_loop_reset();
	emu_mutex_lock(&q_lock);
	/* Owners must have disarmed before freeing; what is left is still
	 * theirs, so only unlink it. */
	for (i = 0; i < heap_len; i++)
		heap[i].ev->heap_idx = 0;
	for (i = lane_head; lane_live && i != lane_tail; i++)
		if (lane[i & (lane_cap - 1)])
			lane[i & (lane_cap - 1)]->heap_idx = 0;
	emu_free(lane);
	lane = NULL;
	lane_cap = 0;
	lane_live = 0;
	lane_reset_positions();
	if (firing_armed)
		firing->heap_idx = 0;
	firing = NULL;
	firing_armed = false;
	emu_free(heap_block);
	heap_block = NULL;
	heap = NULL;
	heap_len = 0;
	heap_cap = 0;
	next_seq = 0;
	atomic_store(&mono_now, BPFEMU_CLOCK_START_NS);
	atomic_store(&suspended_ns, 0);
	atomic_store(&real_offset, BPFEMU_CLOCK_REALTIME_START_NS - BPFEMU_CLOCK_START_NS);
	atomic_store(&clock_mode, BPFEMU_CLOCK_VIRTUAL);
	atomic_store(&runaway_cap, BPFEMU_CLOCK_RUNAWAY_CAP);
	emu_mutex_unlock(&q_lock);
}

static void __attribute__((constructor)) clock_register_reset(void)
{
	emu_reset_register(emu_clock_reset, EMU_RESET_CLOCK);
}
