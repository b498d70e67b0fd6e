/* SPDX-License-Identifier: MIT */
/*
 * The only way bpfemu includes uthash: pointed at emu_malloc/emu_free and
 * switched to its non-fatal out-of-memory mode, so a failed HASH_ADD rolls
 * back and the caller returns -ENOMEM instead of uthash calling exit(-1).
 *
 * Usage:
 *	emu_hash_oom = 0;
 *	HASH_ADD_KEYPTR(hh, head, key, len, elem);
 *	if (emu_hash_oom) { ... elem was not added, free it, -ENOMEM ... }
 */
#ifndef BPFEMU_EMU_HASH_H
#define BPFEMU_EMU_HASH_H

#include "alloc.h"

/* Set by uthash_nonfatal_oom(); thread-local so concurrent maps don't mix. */
extern _Thread_local int emu_hash_oom;

#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) emu_malloc(sz)
#define uthash_free(ptr, sz) emu_free(ptr)
#define uthash_nonfatal_oom(elt) (emu_hash_oom = 1)

#include <uthash.h>
#include <utlist.h>

#endif /* BPFEMU_EMU_HASH_H */
