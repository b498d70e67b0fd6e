/* SPDX-License-Identifier: MIT */
/*
 * Clocks and the one ordered queue of due events.
 *
 * Kernel clock ids (0 REALTIME, 1 MONOTONIC, 6 MONOTONIC_COARSE, 7 BOOTTIME,
 * 11 TAI) are bpfemu's currency everywhere; they are translated to the
 * host's only in real-time mode (macOS numbers differ, has no BOOTTIME).
 *
 * Virtual time (the default): "now" moves only by bpfemu_clock_advance().
 *   MONOTONIC starts at BPFEMU_CLOCK_START_NS, BOOTTIME = MONOTONIC +
 *   suspended time (bpfemu_clock_suspend), REALTIME = BOOTTIME + a fixed
 *   epoch offset, TAI = REALTIME + 37 s.
 * Real time (opt-in, bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL)): now reads
 *   the host clocks and a libev loop (bpfemu_loop_run) dispatches events.
 *
 * Events are kept in one queue ordered by (deadline on the MONOTONIC
 * timeline, arm sequence number): equal deadlines fire in the order they
 * were armed.  Advancing to T fires, in order, every event due at or before
 * T, including events armed by callbacks that fall inside the window; while
 * an event fires, "now" equals its deadline.  Thread-safe; callbacks run
 * without the queue lock held.
 */
#ifndef BPFEMU_EMU_CLOCK_H
#define BPFEMU_EMU_CLOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define EMU_CLOCK_REALTIME		0
#define EMU_CLOCK_MONOTONIC		1
#define EMU_CLOCK_MONOTONIC_COARSE	6
#define EMU_CLOCK_BOOTTIME		7
#define EMU_CLOCK_TAI			11

/*
 * The event queue's lock, and the timers' (helpers/timer.c): taken several
 * times per timer fire.  On Linux a futex mutex inlined at the call (three
 * states: free, held, held with sleepers): the same two atomic operations
 * per lock and unlock as glibc's, without its ~50 instructions of type
 * dispatch and owner bookkeeping around them.  emu_cond is a futex
 * sequence: a waiter sleeps until the next broadcast after it read the
 * sequence under the mutex; callers re-check their condition in a loop.
 * Elsewhere (macOS, BPFEMU_POSIX_ONLY) both are the pthread ones.
 */
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
#define EMU_LOCK_FUTEX	1

/*
 * While the process has only ever had one thread (EMU_SINGLE_THREADED,
 * lock.h), glibc's mutexes take no atomic operation at all, and neither
 * does this one: at 1M pending timers (a fire stores into cold events) a
 * locked instruction cost ~60 ns per fire.
 */
#include "lock.h"

struct emu_mutex {
	atomic_int v;			/* 0 free, 1 held, 2 held and contended */
};

struct emu_cond {
	atomic_uint seq;
};

#define EMU_MUTEX_INITIALIZER	{ 0 }
#define EMU_COND_INITIALIZER	{ 0 }

void emu_mutex_lock_slow(struct emu_mutex *m);
void emu_mutex_wake(struct emu_mutex *m);

static inline void emu_mutex_lock(struct emu_mutex *m)
{
	int c = 0;

	if (EMU_SINGLE_THREADED()) {
		atomic_store_explicit(&m->v, 1, memory_order_relaxed);
		return;
	}
	if (__builtin_expect(!atomic_compare_exchange_strong_explicit(&m->v, &c, 1,
								      memory_order_acquire,
								      memory_order_relaxed), 0))
		emu_mutex_lock_slow(m);
}

static inline void emu_mutex_unlock(struct emu_mutex *m)
{
	/* Held with sleepers (2) only once there are threads. */
	if (EMU_SINGLE_THREADED()) {
		atomic_store_explicit(&m->v, 0, memory_order_relaxed);
		return;
	}
	if (__builtin_expect(atomic_exchange_explicit(&m->v, 0, memory_order_release) == 2, 0))
		emu_mutex_wake(m);
}
#else
struct emu_mutex {
	pthread_mutex_t m;
};

struct emu_cond {
	pthread_cond_t c;
};

#define EMU_MUTEX_INITIALIZER	{ PTHREAD_MUTEX_INITIALIZER }
#define EMU_COND_INITIALIZER	{ PTHREAD_COND_INITIALIZER }

static inline void emu_mutex_lock(struct emu_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

static inline void emu_mutex_unlock(struct emu_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}
#endif

/* Release @m, sleep until a broadcast of @c, take @m again. */
void emu_cond_wait(struct emu_cond *c, struct emu_mutex *m);
/* Wake every waiter of @c; called with their mutex held. */
void emu_cond_broadcast(struct emu_cond *c);

/* Current time of a kernel clock id, in ns.  Unknown ids read MONOTONIC. */
uint64_t emu_clock_now(int kclock);

/*
 * Convert an absolute time on @kclock to the MONOTONIC timeline used by the
 * event queue (saturating; never wraps).
 */
uint64_t emu_clock_to_mono(int kclock, uint64_t t);

struct emu_event;
typedef void (*emu_event_fn)(struct emu_event *ev);

/*
 * An event is embedded in its owner (libev style: the queue never allocates
 * one).  Zero-initialise, set ->fire, then arm/disarm.  ->fire is called
 * with the queue lock released; the event is no longer pending when it
 * runs, so it may re-arm itself.
 */
struct emu_event {
	uint64_t deadline;	/* MONOTONIC ns; ro while pending */
	uint64_t seq;		/* arm order; ro */
	uint32_t heap_idx;	/* private: 0 = not queued */
	emu_event_fn fire;
	uint8_t base;		/* private: clock the deadline follows (emu_event_arm_on) */
};

/*
 * (Re)arm @ev for @deadline (MONOTONIC ns).  Re-arming a pending event moves
 * it and gives it a new sequence number.  Returns 0 or -ENOMEM (queue growth).
 */
int emu_event_arm(struct emu_event *ev, uint64_t deadline);

/*
 * (Re)arm @ev for the absolute time @t on kernel clock @kclock.  Unlike
 * emu_event_arm() of the converted time, the event keeps following its
 * clock: a BOOTTIME or REALTIME event becomes due when a simulated suspend
 * passes its time, and a REALTIME/TAI event moves when the wall clock is set
 * (bpfemu_clock_set_realtime), as the kernel's hrtimers do.  Returns 0 or
 * -ENOMEM.
 */
int emu_event_arm_on(struct emu_event *ev, int kclock, uint64_t t);

/*
 * emu_event_arm_on() that says in *@was_queued whether @ev was pending: a
 * pending event is moved in place (one sift), the same order and result as
 * emu_event_disarm() then emu_event_arm_on(), which sift twice.  Moving
 * cannot fail; only a new queue entry can (-ENOMEM).
 */
int emu_event_rearm_on(struct emu_event *ev, int kclock, uint64_t t, bool *was_queued);

/* Remove @ev from the queue.  Returns true if it was pending. */
bool emu_event_disarm(struct emu_event *ev);

bool emu_event_pending(const struct emu_event *ev);

/* Number of pending events (tests, benchmarks). */
uint64_t emu_event_count(void);

/* Slots of the in-order lane's ring (tests: it stays bounded). */
uint32_t emu_clock_lane_capacity(void);

/*
 * Real-time mode: wait on a file descriptor from the loop (ring-buffer
 * wakeups).  Opaque watcher owned by the caller's object.
 */
struct emu_fd_watch;
typedef void (*emu_fd_watch_fn)(struct emu_fd_watch *w, int revents);
struct emu_fd_watch *emu_loop_watch_fd(int fd, int events, emu_fd_watch_fn cb, void *data);
void *emu_fd_watch_data(struct emu_fd_watch *w);
void emu_loop_unwatch_fd(struct emu_fd_watch *w);

/* Reset all clock state (bpfemu_reset).  Pending events are dropped. */
void emu_clock_reset(void);

/*
 * Between the queue (clock.c) and the real-time loop (loop.c):
 *  emu_clock_fire_due   - fire every event due at or before @until (MONOTONIC
 *                         ns), as an advance does; 0, -EDEADLK or -ELOOP
 *  emu_clock_host_now   - a kernel clock id read from the host's clocks
 *                         (CLOCK_BOOTTIME falls back to MONOTONIC where the
 *                         host has none, e.g. macOS)
 *  emu_loop_kick        - the earliest deadline changed: the loop re-arms its
 *                         timer (safe from any thread; no-op when idle)
 *  emu_loop_reset       - stop and free the loop and its fd watchers
 */
int emu_clock_fire_due(uint64_t until);
uint64_t emu_clock_host_now(int kclock);
void emu_loop_kick(void);
void emu_loop_reset(void);

#endif /* BPFEMU_EMU_CLOCK_H */
