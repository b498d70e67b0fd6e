/* SPDX-License-Identifier: MIT */
/*
 * Real-time mode: the event queue dispatched by a libev loop, host clock
 * translation, and fd watchers (ring-buffer wakeups).
 *
 * libev is only the dispatcher: one ev_timer follows the queue's earliest
 * deadline and, when it expires, clock.c fires every event due on the
 * host's MONOTONIC clock.  An ev_async is how other threads (an event armed
 * elsewhere, bpfemu_loop_break) wake the loop.
 *
 * Threads: a libev loop must not be touched by two threads at once.  As
 * ev.pod's "thread locking example" does, loop_lock is held whenever the
 * loop is not blocked in the backend (release/acquire callbacks), so other
 * threads can start and stop watchers under it.  It is recursive because
 * callbacks run under it and may add watchers themselves.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <ev.h>

#include <bpfemu/clock.h>

#include "alloc.h"
#include "clock.h"
#include "ctx.h"
#include "err.h"

struct emu_fd_watch {
	ev_io io;
	emu_fd_watch_fn cb;
	void *data;
	struct emu_fd_watch *next;	/* live watchers, for reset */
	struct emu_fd_watch **pprev;
};

static pthread_mutex_t loop_lock;
static pthread_once_t loop_lock_once = PTHREAD_ONCE_INIT;
static struct ev_loop *loop;
static ev_timer deadline_timer;
static ev_timer timeout_timer;
static ev_async wakeup;
static struct emu_fd_watch *watches;
static _Atomic bool loop_running;
static _Atomic bool break_requested;
static _Thread_local bool in_loop;

/* ------------------------------------------------------------ host clocks */

static uint64_t host_read(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * BPFEMU_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t emu_clock_host_now(int kclock)
{
	uint64_t t;

	switch (kclock) {
	case EMU_CLOCK_REALTIME:
		return host_read(CLOCK_REALTIME);
	case EMU_CLOCK_TAI:
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
		return host_read(CLOCK_TAI);
#else
		return host_read(CLOCK_REALTIME) + BPFEMU_CLOCK_TAI_OFFSET_NS;
#endif
	case EMU_CLOCK_BOOTTIME:
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
		return host_read(CLOCK_BOOTTIME);
#else
		/* macOS has no BOOTTIME (and its CLOCK_MONOTONIC has another
		 * number): the best stand-in is MONOTONIC. */
		return host_read(CLOCK_MONOTONIC);
#endif
	case EMU_CLOCK_MONOTONIC_COARSE:
#if defined(__linux__) && !defined(BPFEMU_POSIX_ONLY)
		return host_read(CLOCK_MONOTONIC_COARSE);
#else
		t = host_read(CLOCK_MONOTONIC);
		return t - t % BPFEMU_CLOCK_TICK_NS;
#endif
	default:
		(void)t;
		return host_read(CLOCK_MONOTONIC);
	}
}

/* ------------------------------------------------------------ the loop */

static void loop_lock_init(void)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&loop_lock, &attr);
	pthread_mutexattr_destroy(&attr);
}

static void lock_loop(void)
{
	pthread_once(&loop_lock_once, loop_lock_init);
	pthread_mutex_lock(&loop_lock);
}

static void unlock_loop(void)
{
	pthread_mutex_unlock(&loop_lock);
}

/* libev calls these around its blocking wait. */
static void loop_release(struct ev_loop *l)
{
	(void)l;
	unlock_loop();
}

static void loop_acquire(struct ev_loop *l)
{
	(void)l;
	lock_loop();
}

/* Point deadline_timer at the queue's earliest deadline.  Under loop_lock. */
static void rearm_deadline(void)
{
	uint64_t next = bpfemu_clock_next_deadline(), now;
	double delay = 0.;

	ev_timer_stop(loop, &deadline_timer);
	if (next == BPFEMU_CLOCK_NEVER)
		return;
	now = emu_clock_host_now(EMU_CLOCK_MONOTONIC);
	if (next > now)
		delay = (double)(next - now) / 1e9;
	ev_now_update(loop);
	ev_timer_set(&deadline_timer, delay, 0.);
	ev_timer_start(loop, &deadline_timer);
}

static void deadline_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	if (emu_clock_fire_due(emu_clock_host_now(EMU_CLOCK_MONOTONIC)) == -ELOOP)
		ev_break(l, EVBREAK_ALL);
	rearm_deadline();
}

static void timeout_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(l, EVBREAK_ALL);
}

static void wakeup_cb(struct ev_loop *l, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	if (atomic_exchange(&break_requested, false)) {
		ev_break(l, EVBREAK_ALL);
		return;
	}
	rearm_deadline();
}

/* Create the loop on first use.  Under loop_lock.  0 or -ENOMEM. */
static int ensure_loop(void)
{
	unsigned int backends = EVFLAG_AUTO;

	if (loop)
		return 0;
#if !defined(__linux__) || defined(BPFEMU_POSIX_ONLY)
	/* Only what every POSIX host has (no epoll/kqueue), so the portable
	 * path is the one exercised. */
	backends = EVBACKEND_POLL | EVBACKEND_SELECT;
#endif
	loop = ev_loop_new(backends);
	if (!loop)
		return -ENOMEM;
	ev_set_loop_release_cb(loop, loop_release, loop_acquire);
	ev_timer_init(&deadline_timer, deadline_cb, 0., 0.);
	ev_timer_init(&timeout_timer, timeout_cb, 0., 0.);
	ev_async_init(&wakeup, wakeup_cb);
	ev_async_start(loop, &wakeup);
	/* The async watcher alone must not keep ev_run() alive. */
	ev_unref(loop);
	return 0;
}

int bpfemu_loop_run(int timeout_ms)
{
	int err = 0;

	if (emu_ctx.depth > 0 || in_loop) {
		emu_diag("loop_run_reentered",
			 "bpfemu_loop_run called from inside a BPF program or a loop callback");
		return emu_err(-EDEADLK);
	}
	if (bpfemu_clock_get_mode() != BPFEMU_CLOCK_REAL)
		return emu_err(-EOPNOTSUPP);

	lock_loop();
	err = ensure_loop();
	if (err)
		goto out_unlock;
	in_loop = true;
	atomic_store(&break_requested, false);
	atomic_store(&loop_running, true);

	err = emu_clock_fire_due(emu_clock_host_now(EMU_CLOCK_MONOTONIC));
	if (err || timeout_ms == 0) {
		ev_run(loop, EVRUN_NOWAIT);
		goto out_stop;
	}
	rearm_deadline();
	if (timeout_ms > 0) {
		ev_now_update(loop);
		ev_timer_set(&timeout_timer, timeout_ms / 1000., 0.);
		ev_timer_start(loop, &timeout_timer);
	}
	/* Keep running while nothing is pending but the caller wants to wait
	 * (fd watchers, or events another thread may arm). */
	ev_ref(loop);
	ev_run(loop, 0);
	ev_unref(loop);
	ev_timer_stop(loop, &timeout_timer);
out_stop:
	ev_timer_stop(loop, &deadline_timer);
	atomic_store(&loop_running, false);
	in_loop = false;
out_unlock:
	unlock_loop();
	return err ? emu_err(err) : 0;
}

void bpfemu_loop_break(void)
{
	atomic_store(&break_requested, true);
	if (atomic_load(&loop_running))
		ev_async_send(loop, &wakeup);
}

void emu_loop_kick(void)
{
	if (atomic_load(&loop_running))
		ev_async_send(loop, &wakeup);
}

/* ------------------------------------------------------------ fd watchers */

static void io_cb(struct ev_loop *l, ev_io *io, int revents)
{
	struct emu_fd_watch *w = (struct emu_fd_watch *)io;
	int ev = 0;

	(void)l;
	if (revents & EV_READ)
		ev |= POLLIN;
	if (revents & EV_WRITE)
		ev |= POLLOUT;
	w->cb(w, ev);
}

struct emu_fd_watch *emu_loop_watch_fd(int fd, int events, emu_fd_watch_fn cb, void *data)
{
	struct emu_fd_watch *w;
	int ev = 0, err;

	if (fd < 0 || !cb || !(events & (POLLIN | POLLOUT)))
		return emu_err_ptr(-EINVAL);
	if (events & POLLIN)
		ev |= EV_READ;
	if (events & POLLOUT)
		ev |= EV_WRITE;

	w = emu_calloc(1, sizeof(*w));
	if (!w)
		return emu_err_ptr(-ENOMEM);
	w->cb = cb;
	w->data = data;
	ev_io_init(&w->io, io_cb, fd, ev);

	lock_loop();
	err = ensure_loop();
	if (err) {
		unlock_loop();
		emu_free(w);
		return emu_err_ptr(err);
	}
	ev_io_start(loop, &w->io);
	w->next = watches;
	if (watches)
		watches->pprev = &w->next;
	w->pprev = &watches;
	watches = w;
	unlock_loop();
	/* A loop blocked in poll() must learn about the new fd. */
	emu_loop_kick();
	return w;
}

void *emu_fd_watch_data(struct emu_fd_watch *w)
{
	return w ? w->data : NULL;
}

void emu_loop_unwatch_fd(struct emu_fd_watch *w)
{
	if (!w)
		return;
	lock_loop();
	if (w->pprev) {
		ev_io_stop(loop, &w->io);
		*w->pprev = w->next;
		if (w->next)
			w->next->pprev = w->pprev;
	}
	unlock_loop();
	emu_loop_kick();
	emu_free(w);
}

void emu_loop_reset(void)
{
	struct emu_fd_watch *w;

	lock_loop();
	if (!loop || atomic_load(&loop_running))
		goto out_unlock;
	/* Watchers still registered belong to objects that outlive the reset
	 * (a leak of theirs): detach them so a later unwatch only frees. */
	for (w = watches; w; w = w->next) {
		ev_io_stop(loop, &w->io);
		w->pprev = NULL;
	}
	watches = NULL;
	ev_async_stop(loop, &wakeup);
	ev_loop_destroy(loop);
	loop = NULL;
out_unlock:
	unlock_loop();
}
