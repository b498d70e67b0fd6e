/* SPDX-License-Identifier: MIT */
/*
 * A lock for short writer sections that never sleep inside (hash map
 * updates, ring producers, bpf_spin_lock), as the kernel's raw spinlocks:
 * one atomic exchange to take it (none while single-threaded, below) and
 * one release store to give it back.  pthread_mutex_unlock needs a
 * second atomic operation (to look for sleepers), which on a hash update
 * is a sixth of the whole cost.  A waiter spins a little, then yields the
 * CPU, so a holder that was preempted runs again instead of being spun
 * against (user space has no preempt_disable).
 */
#ifndef BPFEMU_EMU_LOCK_H
#define BPFEMU_EMU_LOCK_H

#include <sched.h>
#include <stdatomic.h>

/*
 * True while the process has only ever had one thread (glibc 2.32+'s
 * __libc_single_threaded; elsewhere never).  The flag turns false before a
 * second thread can run and does not turn back while threads exist, so a
 * lock taken without an atomic operation under it is still seen by any
 * thread created later (thread creation orders the stores).  glibc's own
 * mutexes skip their atomic operations the same way.  A locked instruction
 * waits for every earlier store to reach the cache: ~7 ns here, more than
 * a whole hash lookup, and more still behind stores to cold memory.
 */
#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define EMU_SINGLE_THREADED()	__builtin_expect(__libc_single_threaded, 1)
#endif
#endif
#ifndef EMU_SINGLE_THREADED
#define EMU_SINGLE_THREADED()	0
#endif

struct emu_lock {
	atomic_uint held;
};

#define EMU_LOCK_INIT	{ 0 }
#define EMU_LOCK_SPINS	128	/* then sched_yield() between looks */

static inline void emu_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static inline void emu_lock_init(struct emu_lock *l)
{
	atomic_init(&l->held, 0);
}

/* Contended: spin a little, then yield, until the exchange takes it.  Out
 * of line, so that the callers' fast path keeps its registers. */
void emu_lock_slow(struct emu_lock *l);

static inline void emu_lock(struct emu_lock *l)
{
	if (EMU_SINGLE_THREADED()) {
		atomic_store_explicit(&l->held, 1, memory_order_relaxed);
		return;
	}
	if (__builtin_expect(atomic_exchange_explicit(&l->held, 1, memory_order_acquire), 0))
		emu_lock_slow(l);
}

static inline void emu_unlock(struct emu_lock *l)
{
	atomic_store_explicit(&l->held, 0, memory_order_release);
}

#endif /* BPFEMU_EMU_LOCK_H */
