/* SPDX-License-Identifier: MIT */
/*
 * The cgroup model: a cgroup2 hierarchy without a cgroup filesystem.
 *
 * Every cgroup is a native struct cgroup (<bpfemu/kernel_types.h>) inside a
 * private struct emu_cgroup.  Ids are kernfs node ids: the root is 1, new
 * cgroups get increasing ids that are never reused (until bpfemu_reset()).
 *
 * Lifetime, as the kernel's (cgrp_storage.md §7):
 *   online  - between create and remove; reachable by path and by id
 *             (bpf_cgroup_from_id), CSS_ONLINE set, holds the base reference.
 *   dying   - after remove (rmdir): unlinked from its parent and the id
 *             table, CSS_ONLINE cleared, base reference dropped.  Whoever
 *             still holds a reference (an open fd, a kfunc reference, a
 *             task) keeps the object; programs holding it can still read
 *             its storage but get(F_CREATE) creates nothing.
 *   freed   - when the last reference goes: its local storage is destroyed
 *             (every map's element), the parent reference it held dropped.
 * The root is never freed.
 *
 * References: emu_cgroup_get/put; emu_cgroup_tryget fails only once the
 * count reached zero (css_tryget: a dying cgroup can still be acquired).
 */
#ifndef BPFEMU_EMU_CGROUP_H
#define BPFEMU_EMU_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include <bpfemu/kernel_types.h>

#include "err.h"

struct cgroup *emu_cgroup_root(void);

/*
 * Whether @cgrp, a pointer a program passed as a struct cgroup *, is one of
 * the model's cgroups, before anything else is read through it: every one
 * points to itself at offset 0 (self.cgroup) from creation until it is
 * freed.  Only the 8 aligned bytes at @cgrp are read, which lie in the page
 * of @cgrp's first byte: any pointer to memory (a stack slot, a context, a
 * map value) is told apart without a fault, and no cgroup is ever refused.
 * The verifier would have refused the others at load: a struct cgroup *
 * argument must be a trusted or RCU pointer to a cgroup.
 */
static inline bool emu_cgroup_is_cgroup(const struct cgroup *cgrp)
{
	uintptr_t p = (uintptr_t)cgrp;

	return p >= EMU_NULL_GUARD && !(p & (_Alignof(struct cgroup) - 1)) &&
	       cgrp->self.cgroup == cgrp;
}

void emu_cgroup_get(struct cgroup *cgrp);
bool emu_cgroup_tryget(struct cgroup *cgrp);
void emu_cgroup_put(struct cgroup *cgrp);

/* percpu_ref_is_dying(&cgrp->self.refcnt): removed (rmdir), not yet freed. */
bool emu_cgroup_is_dying(const struct cgroup *cgrp);

static inline uint64_t emu_cgroup_id(const struct cgroup *cgrp)
{
	return cgrp->kn->id;
}

/* Online cgroup by id, with a reference; NULL if none (cgroup_get_from_id). */
struct cgroup *emu_cgroup_from_id(uint64_t id);

/*
 * The cgroup behind a user fd (a cgroup's directory, bpfemu_cgroup_open),
 * with a reference (drop with emu_cgroup_put), as cgroup_v1v2_get_from_fd:
 * -EBADF if @fd is not open or not a cgroup, -ENOENT if the cgroup was
 * removed.  NULL and *err on failure.
 */
struct cgroup *emu_cgroup_from_fd(int fd, int *err);

/*
 * The task programs on this thread see as `current`: the thread's own task
 * once bpfemu_task_set_cgroup() was called on it, else the process default
 * task.  Its cgroups->dfl_cgrp is the current cgroup.
 */
struct task_struct *emu_task_current(void);
struct cgroup *emu_task_dfl_cgroup(const struct task_struct *task);

/*
 * BPF_MAP_TYPE_CGRP_STORAGE (helpers/cgrp_storage.c).
 *
 * The 6.15-6.19 per-CPU "busy" counter, shared by every cgrp-storage map:
 * helpers try it (get: still looks up, but neither caches nor creates;
 * delete: -EBUSY), user-space operations take it unconditionally.  An
 * emulated CPU is a thread here.  It is only ever busy when something runs
 * inside a storage operation: the kernel's case is a tracing program on
 * bpf_local_storage_lookup; ours is the hook below.
 *
 * emu_cgrp_storage_set_busy_hook: @fn(@arg) runs once, inside the next
 * cgrp-storage operation on any thread (helper or user space), while the
 * counter is held -- a nested helper call from @fn sees the storage busy.
 */
void emu_cgrp_storage_set_busy_hook(void (*fn)(void *arg), void *arg);
int emu_cgrp_storage_busy(void);	/* this thread's counter */
void emu_cgrp_storage_register(void);	/* the map type (cgroup.c calls it) */

/* Kfuncs, exported under their kernel names (BPF C declares them itself
 * with __ksym); declared here for tests that call them directly. */
struct cgroup *bpf_cgroup_from_id(__u64 cgid);
struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp);
void bpf_cgroup_release(struct cgroup *cgrp);
struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level);

#endif /* BPFEMU_EMU_CGROUP_H */
