/* SPDX-License-Identifier: MIT */
/*
 * The one allocator: accounting for leak checks, and fault injection so each
 * allocation site's -ENOMEM path can be exercised by tests.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpfemu/core.h>

#include "alloc.h"

static atomic_long live_objects;
/* Allocations left before the injected failure; 0 = injection off. */
static atomic_long fail_countdown;
static atomic_long failures_injected;

/* True if this allocation must fail (the Nth after bpfemu_fault_inject_nth(N)). */
static int inject_failure(void)
{
	long left = atomic_load(&fail_countdown);

	while (left > 0) {
		if (atomic_compare_exchange_weak(&fail_countdown, &left, left - 1)) {
			if (left == 1) {
				atomic_fetch_add(&failures_injected, 1);
				return 1;
			}
			return 0;
		}
	}
	return 0;
}

void *emu_malloc(size_t size)
{
	void *p;

	if (inject_failure())
		return NULL;
	p = malloc(size ? size : 1);
	if (p)
		atomic_fetch_add(&live_objects, 1);
	return p;
}

void *emu_calloc(size_t n, size_t size)
{
	void *p;

	if (inject_failure())
		return NULL;
	p = calloc(n ? n : 1, size ? size : 1);
	if (p)
		atomic_fetch_add(&live_objects, 1);
	return p;
}

void *emu_realloc(void *ptr, size_t size)
{
	void *p;

	if (!ptr)
		return emu_malloc(size);
	if (inject_failure())
		return NULL;
	p = realloc(ptr, size ? size : 1);
	return p;
}

void *emu_malloc_aligned(size_t align, size_t size)
{
	void *p;

	if (inject_failure())
		return NULL;
	if (posix_memalign(&p, align, size ? size : 1))
		return NULL;
	atomic_fetch_add(&live_objects, 1);
	return p;
}

char *emu_strdup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = emu_malloc(len);

	if (p)
		memcpy(p, s, len);
	return p;
}

void emu_free(void *ptr)
{
	if (!ptr)
		return;
	atomic_fetch_sub(&live_objects, 1);
	free(ptr);
}

void *emu_alloc_pages(size_t size)
{
	void *p;

	if (inject_failure())
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	atomic_fetch_add(&live_objects, 1);
	return p;
}

void emu_free_pages(void *ptr, size_t size)
{
	if (!ptr)
		return;
	atomic_fetch_sub(&live_objects, 1);
	munmap(ptr, size);
}

long bpfemu_live_objects(void)
{
	return atomic_load(&live_objects);
}

void bpfemu_fault_inject_nth(long n)
{
	atomic_store(&fail_countdown, n > 0 ? n : 0);
}

long bpfemu_fault_injected(void)
{
	return atomic_load(&failures_injected);
}
