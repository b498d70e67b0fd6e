/* SPDX-License-Identifier: MIT */
/*
 * Time, as BPF programs see it (docs/time.md).
 *
 * Virtual time (the default, deterministic): "now" moves only when a test
 * says so, and events (bpf_timer callbacks...) fire during the advance, in
 * order of (deadline, arm order).  Tests never sleep.
 *
 *   MONOTONIC  starts at BPFEMU_CLOCK_START_NS (1000 s of "uptime").
 *   BOOTTIME   = MONOTONIC + time spent in bpfemu_clock_suspend().
 *   REALTIME   = BOOTTIME + an epoch offset: BPFEMU_CLOCK_REALTIME_START_NS
 *              (2024-01-01T00:00:00Z) at start; bpfemu_clock_set_realtime()
 *              moves it like settimeofday(2).
 *   TAI        = REALTIME + 37 s.
 *   MONOTONIC_COARSE = MONOTONIC rounded down to a tick (BPFEMU_CLOCK_TICK_NS,
 *              HZ = 250 as in Debian's kernels); jiffies64 = INITIAL_JIFFIES
 *              + MONOTONIC / tick.
 *
 * Real time (opt-in): the host's clocks; events fire from bpfemu_loop_run(),
 * a libev loop.
 *
 * Clock ids are the kernel's (0 REALTIME, 1 MONOTONIC, 6 MONOTONIC_COARSE,
 * 7 BOOTTIME, 11 TAI) on every host.  All functions return 0 or a negative
 * errno and set errno.
 */
#ifndef BPFEMU_CLOCK_H
#define BPFEMU_CLOCK_H

#include <stdint.h>

#include <bpfemu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BPFEMU_CLOCK_REALTIME		0
#define BPFEMU_CLOCK_MONOTONIC		1
#define BPFEMU_CLOCK_MONOTONIC_COARSE	6
#define BPFEMU_CLOCK_BOOTTIME		7
#define BPFEMU_CLOCK_TAI		11

#define BPFEMU_NSEC_PER_SEC		1000000000ULL
#define BPFEMU_CLOCK_START_NS		(1000ULL * BPFEMU_NSEC_PER_SEC)
#define BPFEMU_CLOCK_REALTIME_START_NS	(1704067200ULL * BPFEMU_NSEC_PER_SEC)
#define BPFEMU_CLOCK_TAI_OFFSET_NS	(37ULL * BPFEMU_NSEC_PER_SEC)
#define BPFEMU_CLOCK_HZ			250
#define BPFEMU_CLOCK_TICK_NS		(BPFEMU_NSEC_PER_SEC / BPFEMU_CLOCK_HZ)
/* The kernel's INITIAL_JIFFIES: 32-bit jiffies wrap 5 minutes after boot. */
#define BPFEMU_INITIAL_JIFFIES		((uint64_t)(uint32_t)(-300 * BPFEMU_CLOCK_HZ))

/* bpfemu_clock_next_deadline() when nothing is pending. */
#define BPFEMU_CLOCK_NEVER		UINT64_MAX

enum bpfemu_clock_mode {
	BPFEMU_CLOCK_VIRTUAL = 0,
	BPFEMU_CLOCK_REAL = 1,
};

/*
 * Move virtual time forward by @ns, firing every event due at or before the
 * new time, in (deadline, arm order) order -- including events that
 * callbacks arm inside the window.  While an event fires, now equals its
 * deadline (never earlier than the time it was armed at); afterwards now is
 * the target.
 *
 * Errors: -EDEADLK when called from inside a BPF program or callback, or
 * from an event callback of this advance (a test-author mistake, reported
 * as a "bpfemu: clock_advance_reentered" diagnostic; nothing happens);
 * -EOPNOTSUPP in real-time mode; -ELOOP when more than the runaway cap
 * (bpfemu_clock_set_runaway_cap) events fired without time moving forward,
 * e.g. a callback re-arming itself with zero delay: firing stops at that
 * instant with a "clock_runaway" diagnostic and now stays there.
 */
BPFEMU_API int bpfemu_clock_advance(uint64_t ns);

/* Same, to an absolute MONOTONIC time; -EINVAL if @mono_ns is in the past. */
BPFEMU_API int bpfemu_clock_advance_to(uint64_t mono_ns);

/* Now on a kernel clock id, in ns (unknown ids read MONOTONIC). */
BPFEMU_API uint64_t bpfemu_clock_now(int kclock);

/*
 * Simulate a suspend of @ns: BOOTTIME, REALTIME and TAI jump by @ns while
 * MONOTONIC stands still.  BOOTTIME and REALTIME events whose time passed
 * during the suspend become due now; they fire at the next advance (even
 * bpfemu_clock_advance(0)), as after a resume.  -EOPNOTSUPP in real time.
 */
BPFEMU_API int bpfemu_clock_suspend(uint64_t ns);

/*
 * Set REALTIME (and so TAI) to @ns, like settimeofday(2): MONOTONIC and
 * BOOTTIME do not move; pending REALTIME events follow the wall clock, as
 * the kernel's hrtimers do.  -EOPNOTSUPP in real time.
 */
BPFEMU_API int bpfemu_clock_set_realtime(uint64_t ns);

/*
 * Switch between virtual and real time.  Pending events keep their
 * remaining delay.  -EINVAL for an unknown mode.
 */
BPFEMU_API int bpfemu_clock_set_mode(enum bpfemu_clock_mode mode);
BPFEMU_API enum bpfemu_clock_mode bpfemu_clock_get_mode(void);

/* Earliest pending deadline (MONOTONIC ns), or BPFEMU_CLOCK_NEVER. */
BPFEMU_API uint64_t bpfemu_clock_next_deadline(void);

/* Number of pending events. */
BPFEMU_API uint64_t bpfemu_clock_pending(void);

/*
 * Events one advance may fire at a single instant before it reports a
 * runaway (-ELOOP).  0 restores the default, BPFEMU_CLOCK_RUNAWAY_CAP.
 */
#define BPFEMU_CLOCK_RUNAWAY_CAP 100000
BPFEMU_API void bpfemu_clock_set_runaway_cap(uint64_t cap);

/*
 * Real-time mode: run the libev loop, firing events when their deadline
 * passes on the host's clock and serving fd watchers (ring buffer
 * wakeups), until bpfemu_loop_break() or until @timeout_ms elapsed
 * (-1: no timeout; 0: run what is due and return).  Returns 0, -EDEADLK
 * from inside BPF or a callback of this loop, -EOPNOTSUPP in virtual mode,
 * -ENOMEM if the loop cannot be created.
 */
BPFEMU_API int bpfemu_loop_run(int timeout_ms);
/* Make bpfemu_loop_run() return (from a callback or another thread). */
BPFEMU_API void bpfemu_loop_break(void);

#ifdef __cplusplus
}
#endif

#endif /* BPFEMU_CLOCK_H */
