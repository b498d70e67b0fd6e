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

#include <stdbool.h>
#include <stdint.h>

#define EMU_CLOCK_REALTIME		0
#define EMU_CLOCK_MONOTONIC		1
#define EMU_CLOCK_MONOTONIC_COARSE	6
#define EMU_CLOCK_BOOTTIME		7
#define EMU_CLOCK_TAI			11

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
