// SPDX-License-Identifier: MIT
/* The calling thread's stack bounds (stack.h). */
#if defined(__linux__)
#define _GNU_SOURCE	/* pthread_getattr_np */
#endif
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stack.h"

#if defined(__GLIBC__)
/* Where the kernel left the initial stack pointer (ld.so). */
extern void *__libc_stack_end;

/*
 * The main thread's stack without pthread_getattr_np, which finds it by
 * reading /proc/self/maps (~30 us, most of a first run): it spans from
 * below main's frames up past __libc_stack_end, RLIMIT_STACK deep at most
 * (8 MiB when unlimited).  Locals of any frame lie in it.
 */
static bool main_thread_bounds(uintptr_t *lo, uintptr_t *hi)
{
	struct rlimit rl;
	uintptr_t top, depth = 8u << 20;
	long page = sysconf(_SC_PAGESIZE);

	if (getpid() != (pid_t)syscall(SYS_gettid) || !__libc_stack_end || page <= 0)
		return false;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		depth = (uintptr_t)rl.rlim_cur;
	top = ((uintptr_t)__libc_stack_end + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	*hi = top;
	*lo = top - depth;
	return true;
}
#endif

_Thread_local struct emu_stack_bounds emu_stack EMU_TLS_IE;

void emu_stack_lookup(void)
{
	uintptr_t lo = 0, hi = 1;	/* unknown: an empty range, looked up once */
#if defined(__GLIBC__)
	pthread_attr_t attr;
	void *addr;
	size_t size;

	if (!main_thread_bounds(&lo, &hi) && pthread_getattr_np(pthread_self(), &attr) == 0) {
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
