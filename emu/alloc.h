/* SPDX-License-Identifier: MIT */
/*
 * The one allocator of bpfemu.  Everything the runtime allocates (uthash
 * included, see hash.h) goes through here, so that tests can
 *   - make the Nth allocation fail (bpfemu_fault_inject_nth) and check the
 *     -ENOMEM path of every allocation site, and
 *   - assert that nothing leaked (bpfemu_live_objects() == 0 at teardown).
 * Thread-safe: counters are atomics.
 */
#ifndef BPFEMU_EMU_ALLOC_H
#define BPFEMU_EMU_ALLOC_H

#include <stddef.h>

void *emu_malloc(size_t size);
void *emu_calloc(size_t n, size_t size);
void *emu_realloc(void *ptr, size_t size);	/* realloc(NULL, n) counts as a new object */
char *emu_strdup(const char *s);
void emu_free(void *ptr);			/* NULL-safe */
/* @size bytes aligned to @align (a power of two, a multiple of
 * sizeof(void *)); freed with emu_free.  Hot objects laid out by cache line. */
void *emu_malloc_aligned(size_t align, size_t size);

/* Page-aligned allocations (ring buffers); same accounting and fault injection. */
void *emu_alloc_pages(size_t size);
void emu_free_pages(void *ptr, size_t size);

#endif /* BPFEMU_EMU_ALLOC_H */
