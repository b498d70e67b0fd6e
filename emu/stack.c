// SPDX-License-Identifier: MIT
/* The calling thread's stack bounds (stack.h). */
#if defined(__linux__)
#define _GNU_SOURCE	/* pthread_getattr_np */
#endif
#include <pthread.h>
#include <stddef.h>

#include "stack.h"

_Thread_local struct emu_stack_bounds emu_stack EMU_TLS_IE;

void emu_stack_lookup(void)
{
	uintptr_t lo = 0, hi = 1;	/* unknown: an empty range, looked up once */
#if defined(__GLIBC__)
	pthread_attr_t attr;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			lo = (uintptr_t)addr;
			hi = lo + size;
		}
		pthread_attr_destroy(&attr);
	}
#elif defined(__APPLE__)
	/* the address is the stack's top; it grows down */
	hi = (uintptr_t)pthread_get_stackaddr_np(pthread_self());
	lo = hi - pthread_get_stacksize_np(pthread_self());
#endif
	emu_stack.lo = lo;
	emu_stack.hi = hi;
}
