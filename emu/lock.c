/* SPDX-License-Identifier: MIT */
/* emu_lock's contended path (lock.h). */
#include "lock.h"

void emu_lock_slow(struct emu_lock *l)
{
	unsigned int spins = 0;

	do {
		do {
			if (spins < EMU_LOCK_SPINS) {
				spins++;
				emu_cpu_relax();
			} else {
				sched_yield();
			}
		} while (atomic_load_explicit(&l->held, memory_order_relaxed));
	} while (atomic_exchange_explicit(&l->held, 1, memory_order_acquire));
}
