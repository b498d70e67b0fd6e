/* SPDX-License-Identifier: MIT */
/*
 * A lock for short writer sections that never sleep inside (hash map
 * updates), as the kernel's raw spinlocks: one atomic exchange to take it
 * and one release store to give it back.  pthread_mutex_unlock needs a
 * second atomic operation (to look for sleepers), which on a hash update
 * is a sixth of the whole cost.  A waiter spins a little, then yields the
 * CPU, so a holder that was preempted runs again instead of being spun
 * against (user space has no preempt_disable).
 */
#ifndef BPFEMU_EMU_LOCK_H
#define BPFEMU_EMU_LOCK_H

#include <sched.h>
#include <stdatomic.h>

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

static inline void emu_lock(struct emu_lock *l)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(&l->held, 1, memory_order_acquire)) {
		do {
			if (spins < EMU_LOCK_SPINS) {
				spins++;
				emu_cpu_relax();
			} else {
				sched_yield();
			}
		} while (atomic_load_explicit(&l->held, memory_order_relaxed));
	}
}

static inline void emu_unlock(struct emu_lock *l)
{
	atomic_store_explicit(&l->held, 0, memory_order_release);
}

#endif /* BPFEMU_EMU_LOCK_H */
