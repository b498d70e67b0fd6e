/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_CGRP_STORAGE and the cgroup helpers and kfuncs
 * (shared/spec/cgrp_storage.md), thin over emu/local_storage.c and
 * emu/cgroup.c -- the kernel's kernel/bpf/bpf_cgrp_storage.c.
 *
 * Lifetime: an element belongs to (cgroup, map).  It goes when the program
 * or user space deletes it, when a non-BPF_F_LOCK update replaces it (new
 * memory), when the cgroup is freed (after rmdir and its last reference),
 * or when the map is freed (its last reference, not its last fd).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include <bpfemu/export.h>
#include <bpfemu/helpers.h>
#include <bpfemu/kernel_types.h>

#include "cgroup.h"
#include "ctx.h"
#include "err.h"
#include "local_storage.h"
#include "map.h"
#include "prog.h"

/* Ids of the cgroup storage maps: their slots in each cgroup's index. */
static struct emu_ls_idpool cgroup_ids = EMU_LS_IDPOOL_INIT;

/* ------------------------------------------------------- busy counter */

static _Thread_local int cgrp_storage_busy;
static void (*_Atomic busy_hook)(void *arg);
static void *_Atomic busy_hook_arg;

void emu_cgrp_storage_set_busy_hook(void (*fn)(void *arg), void *arg)
{
	atomic_store(&busy_hook_arg, arg);
	atomic_store(&busy_hook, fn);
}

int emu_cgrp_storage_busy(void)
{
	return cgrp_storage_busy;
}

/* Inside the critical section: what a tracing program on the storage code
 * would do.  One shot, so the hook's own nested calls do not re-enter it. */
static inline void busy_hook_run(void)
{
	void (*fn)(void *arg);

	if (__builtin_expect(!atomic_load_explicit(&busy_hook, memory_order_relaxed), 1))
		return;
	fn = atomic_exchange(&busy_hook, NULL);
	if (fn)
		fn(atomic_load(&busy_hook_arg));
}

static inline void cgrp_storage_lock(void)
{
	cgrp_storage_busy++;
}

static inline void cgrp_storage_unlock(void)
{
	cgrp_storage_busy--;
}

static inline bool cgrp_storage_trylock(void)
{
	if (__builtin_expect(++cgrp_storage_busy != 1, 0)) {
		cgrp_storage_busy--;
		return false;
	}
	return true;
}

/* Storage code may run outside any BPF run (tests, user space): it then
 * opens its own read-side section so concurrent frees wait for it. */
static inline bool rcu_enter_if_needed(void)
{
	if (emu_in_bpf())
		return false;
	emu_map_rcu_enter();
	return true;
}

static inline void rcu_exit_if(bool entered)
{
	if (entered)
		emu_map_rcu_exit();
}

/* ------------------------------------------------------------ map type */

static struct emu_map *cgrp_storage_map_alloc(const struct emu_map_attr *attr, int *err)
{
	return emu_ls_map_alloc(attr, &cgroup_ids, err);
}

static int cgrp_storage_lookup_sys(struct emu_map *map, const void *key, void *value,
				   uint64_t flags)
{
	struct cgroup *cgrp;
	void *data;
	bool rcu;
	int err = 0;

	/* map_lookup_elem's generic checks come before the key. */
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL;
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	cgrp = emu_cgroup_from_fd(*(const int *)key, &err);
	if (!cgrp)
		return err;
	rcu = rcu_enter_if_needed();
	cgrp_storage_lock();
	busy_hook_run();
	data = emu_ls_lookup(emu_ls_storage(&cgrp->bpf_cgrp_storage), emu_ls_map_of(map));
	cgrp_storage_unlock();
	if (!data) {
		err = -ENOENT;
		goto out;
	}
	if (flags & BPF_F_LOCK)
		emu_map_copy_value_locked(map, value, data, true);
	else
		emu_map_copy_value(map, value, data);
	/* User space never sees special fields. */
	emu_map_zero_fields(map, value);
out:
	rcu_exit_if(rcu);
	emu_cgroup_put(cgrp);
	return err;
}

static int cgrp_storage_update_sys(struct emu_map *map, const void *key, const void *value,
				   uint64_t flags)
{
	struct cgroup *cgrp;
	bool rcu;
	int err = 0;

	/* bpf_map_update_value: BPF_F_LOCK needs a lock, before the key. */
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	cgrp = emu_cgroup_from_fd(*(const int *)key, &err);
	if (!cgrp)
		return err;
	rcu = rcu_enter_if_needed();
	cgrp_storage_lock();
	busy_hook_run();
	if (!emu_ls_update(&cgrp->bpf_cgrp_storage, emu_ls_map_of(map), value, flags, &err))
		goto out_unlock;
	err = 0;
out_unlock:
	cgrp_storage_unlock();
	rcu_exit_if(rcu);
	emu_cgroup_put(cgrp);
	return err;
}

static int cgrp_storage_delete_sys(struct emu_map *map, const void *key)
{
	struct cgroup *cgrp;
	bool rcu;
	int err = 0;

	cgrp = emu_cgroup_from_fd(*(const int *)key, &err);
	if (!cgrp)
		return err;
	rcu = rcu_enter_if_needed();
	cgrp_storage_lock();
	busy_hook_run();
	err = emu_ls_delete(&cgrp->bpf_cgrp_storage, emu_ls_map_of(map));
	cgrp_storage_unlock();
	rcu_exit_if(rcu);
	emu_cgroup_put(cgrp);
	return err;
}

/* Storage cannot be iterated by key (notsupp_get_next_key). */
static int cgrp_storage_get_next_key(struct emu_map *map, const void *key, void *next_key)
{
	(void)map;
	(void)key;
	(void)next_key;
	return -ENOTSUPP;
}

static const struct emu_map_ops cgrp_storage_map_ops = {
	.alloc_check = emu_ls_map_alloc_check,
	.alloc = cgrp_storage_map_alloc,
	.free = emu_ls_map_free,
	.lookup_sys = cgrp_storage_lookup_sys,
	.update_sys = cgrp_storage_update_sys,
	.delete_sys = cgrp_storage_delete_sys,
	.get_next_key = cgrp_storage_get_next_key,
};

void emu_cgrp_storage_register(void)
{
	emu_map_register_type(BPF_MAP_TYPE_CGRP_STORAGE, &cgrp_storage_map_ops);
}

static void __attribute__((constructor)) cgrp_storage_ctor(void)
{
	emu_cgrp_storage_register();
}

/* -------------------------------------------------------------- helpers */

/* The verifier's refusal of a map argument that is not a CGRP_STORAGE map
 * (cold: kept out of the helpers' inlined path). */
static __attribute__((noinline, cold)) struct emu_ls_map *
cgrp_storage_map_reject(const struct emu_map *map, const char *helper)
{
	if (!map)
		emu_verifier_reject(-EINVAL, "not_a_map", "%s: R1 is not a map", helper);
	else
		emu_verifier_reject(-EINVAL, "map_helper_mismatch",
				    "%s: cannot pass map_type %u into func %s", helper,
				    map->map_type, helper);
	return NULL;
}

/* The map argument: the verifier only lets a CGRP_STORAGE map through. */
static inline struct emu_ls_map *cgrp_storage_map(void *map_def, const char *helper)
{
	struct emu_map *map = emu_map_from_def(map_def);

	if (__builtin_expect(!map || map->map_type != BPF_MAP_TYPE_CGRP_STORAGE, 0))
		return cgrp_storage_map_reject(map, helper);
	return emu_ls_map_of(map);
}

/*
 * A struct cgroup * argument that is no cgroup (a context, a stack buffer,
 * a map value): its storage pointer would be read and followed, and
 * F_CREATE would write one into it.  6.18 refuses it at load: "R2
 * type=ctx expected=ptr_, trusted_ptr_, rcu_ptr_" (-EACCES) for the
 * storage helpers, "arg#0 pointer type STRUCT cgroup must point to scalar,
 * or struct with scalar" (-EINVAL) for the kfuncs.  Cold.
 */
static __attribute__((noinline, cold)) void cgroup_reject(const struct cgroup *cgrp, int err,
							   const char *func, const char *kernel_msg)
{
	emu_verifier_reject(err, "not_a_cgroup", "%s: %p is not a struct cgroup (%s)", func,
			    (const void *)cgrp, kernel_msg);
}

#define CGRP_STORAGE_ARG_MSG	"R2 type=... expected=ptr_, trusted_ptr_, rcu_ptr_"

/* Everything past an indexed hit inside a run: busy, creation. */
static __attribute__((noinline)) void *cgrp_storage_get_slow(struct emu_ls_map *smap,
							      struct cgroup *cgroup, void *value,
							      __u64 flags)
{
	bool nobusy, rcu;
	void *data;
	int err;

	rcu = rcu_enter_if_needed();
	/* 6.15+: busy still looks up (the kernel without caching; our index
	 * is no cache), only creation is refused. */
	nobusy = cgrp_storage_trylock();
	busy_hook_run();
	data = emu_ls_lookup(emu_ls_storage(&cgroup->bpf_cgrp_storage), smap);
	if (data)
		goto out_unlock;
	/* Only a cgroup that is still referenced by its directory gets new
	 * storage: a dying one would never free it before its final put. */
	if (!emu_cgroup_is_dying(cgroup) && (flags & BPF_LOCAL_STORAGE_GET_F_CREATE) && nobusy)
		data = emu_ls_update(&cgroup->bpf_cgrp_storage, smap, value, BPF_NOEXIST, &err);
out_unlock:
	if (nobusy)
		cgrp_storage_unlock();
	rcu_exit_if(rcu);
	return data;
}

/* The whole get, every check in the kernel's order. */
static __attribute__((noinline)) void *cgrp_storage_get(void *map, struct cgroup *cgroup,
							void *value, __u64 flags)
{
	struct emu_ls_map *smap;

	EMU_HELPER_CHECK(BPF_FUNC_cgrp_storage_get, NULL);
	smap = cgrp_storage_map(map, "bpf_cgrp_storage_get");
	if (!smap)
		return NULL;
	/* Unknown flags fail before the lookup, even when storage exists. */
	if (flags & ~(__u64)BPF_LOCAL_STORAGE_GET_F_CREATE)
		return NULL;
	if (!cgroup)
		return NULL;
	if (!emu_cgroup_is_cgroup(cgroup)) {
		cgroup_reject(cgroup, -EACCES, "bpf_cgrp_storage_get", CGRP_STORAGE_ARG_MSG);
		return NULL;
	}
	return cgrp_storage_get_slow(smap, cgroup, value, flags);
}

void *bpfemu_helper_cgrp_storage_get(void *map, struct cgroup *cgroup, void *value, __u64 flags)
{
	const uint64_t *allowed = emu_ctx.helpers_allowed;
	struct emu_map *m;
	struct emu_ls_elem *e;

	/*
	 * The common case, existing storage found through the cgroup's index
	 * inside a run with nothing else on this thread's storage: a read that
	 * changes nothing, so the busy count and the read-side section the
	 * full path takes would be taken and given back with nothing
	 * observable in between.  The index never misses (local_storage.h).
	 * Taken only when every check of the full path passes (the helper
	 * allowed: emu_helper_check's bit; a CGRP_STORAGE map; known flags; a
	 * cgroup, emu_cgroup_is_cgroup), and calling nothing before its
	 * answer, so that it saves no
	 * registers; anything else -- creation, busy, calls outside a run, a
	 * refusal -- is the full path, from the first check.
	 */
	if (__builtin_expect(allowed &&
			     ((allowed[BPF_FUNC_cgrp_storage_get >> 6] >>
			       (BPF_FUNC_cgrp_storage_get & 63)) & 1) &&
			     !(flags & ~(__u64)BPF_LOCAL_STORAGE_GET_F_CREATE) &&
			     emu_cgroup_is_cgroup(cgroup) &&
			     emu_in_bpf() && !cgrp_storage_busy &&
			     !atomic_load_explicit(&busy_hook, memory_order_relaxed), 1)) {
		m = emu_map_from_def(map);
		if (__builtin_expect(m && m->map_type == BPF_MAP_TYPE_CGRP_STORAGE, 1)) {
			e = emu_ls_lookup_elem(emu_ls_storage(&cgroup->bpf_cgrp_storage),
					       emu_ls_map_of(m));
			if (e)
				return e->data;
		}
	}
	return cgrp_storage_get(map, cgroup, value, flags);
}

long bpfemu_helper_cgrp_storage_delete(void *map, struct cgroup *cgroup)
{
	struct emu_ls_map *smap;
	bool rcu;
	long ret;

	EMU_HELPER_CHECK(BPF_FUNC_cgrp_storage_delete, -EINVAL);
	smap = cgrp_storage_map(map, "bpf_cgrp_storage_delete");
	if (!smap)
		return -EINVAL;
	if (!cgroup)
		return -EINVAL;
	if (!emu_cgroup_is_cgroup(cgroup)) {
		cgroup_reject(cgroup, -EACCES, "bpf_cgrp_storage_delete", CGRP_STORAGE_ARG_MSG);
		return -EACCES;
	}
	if (!cgrp_storage_trylock())
		return -EBUSY;
	rcu = rcu_enter_if_needed();
	busy_hook_run();
	ret = emu_ls_delete(&cgroup->bpf_cgrp_storage, smap);
	rcu_exit_if(rcu);
	cgrp_storage_unlock();
	return ret;
}

/* The current task's cgroup on the default hierarchy (task_dfl_cgroup). */
__u64 bpfemu_helper_get_current_cgroup_id(void)
{
	bool rcu;
	__u64 id;

	EMU_HELPER_CHECK(BPF_FUNC_get_current_cgroup_id, 0);
	rcu = rcu_enter_if_needed();
	id = emu_cgroup_id(emu_task_dfl_cgroup(emu_task_current()));
	rcu_exit_if(rcu);
	return id;
}

__u64 bpfemu_helper_get_current_ancestor_cgroup_id(int ancestor_level)
{
	struct cgroup *cgrp;
	__u64 id = 0;
	bool rcu;

	EMU_HELPER_CHECK(BPF_FUNC_get_current_ancestor_cgroup_id, 0);
	rcu = rcu_enter_if_needed();
	cgrp = emu_task_dfl_cgroup(emu_task_current());
	/* cgroup_ancestor(): no such level is 0, not an error. */
	if (ancestor_level >= 0 && ancestor_level <= cgrp->level)
		id = emu_cgroup_id(cgrp->ancestors[ancestor_level]);
	rcu_exit_if(rcu);
	return id;
}

struct task_struct *bpfemu_helper_get_current_task_btf(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_get_current_task_btf, NULL);
	return emu_task_current();
}

__u64 bpfemu_helper_get_current_task(void)
{
	EMU_HELPER_CHECK(BPF_FUNC_get_current_task, 0);
	return (__u64)(uintptr_t)emu_task_current();
}

/* --------------------------------------------------------------- kfuncs */

/*
 * The generic kfunc set's program types (kfunc_init: the TRACING, TC, XDP,
 * STRUCT_OPS, SYSCALL and CGROUP hooks).  Observed on 6.18: tracepoint,
 * perf_event, cgroup/sock, tc and xdp programs load with
 * bpf_cgroup_from_id; kprobe, raw_tp and socket filters are refused.
 * Outside any program (tests calling kfuncs directly) everything goes.
 */
static bool kfunc_allowed(const char *kfunc)
{
	if (!emu_in_bpf())
		return true;
	switch (emu_ctx.prog_type) {
	case BPF_PROG_TYPE_TRACING:
	case BPF_PROG_TYPE_TRACEPOINT:
	case BPF_PROG_TYPE_PERF_EVENT:
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_STRUCT_OPS:
	case BPF_PROG_TYPE_SYSCALL:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_CGROUP_SOCK:
	case BPF_PROG_TYPE_CGROUP_DEVICE:
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
	case BPF_PROG_TYPE_CGROUP_SYSCTL:
		return true;
	default:
		emu_verifier_reject(-EINVAL, "kfunc_not_allowed",
				    "calling kernel function %s is not allowed", kfunc);
		return false;
	}
}

/* KF_TRUSTED_ARGS: the verifier refuses a possibly-NULL cgroup, and any
 * pointer that is no cgroup (whose count and ancestors would be read). */
static bool kfunc_arg_ok(const struct cgroup *cgrp, const char *kfunc)
{
	if (!kfunc_allowed(kfunc))
		return false;
	if (!cgrp) {
		emu_verifier_reject(-EINVAL, "kfunc_null_arg",
				    "%s: Possibly NULL pointer passed to trusted arg0", kfunc);
		return false;
	}
	if (emu_cgroup_is_cgroup(cgrp))
		return true;
	cgroup_reject(cgrp, -EINVAL, kfunc,
		      "arg#0 pointer type STRUCT cgroup must point to scalar, or struct with scalar");
	return false;
}

/*
 * KF_ACQUIRE | KF_RET_NULL: a non-NULL result is a reference the program
 * must release with bpf_cgroup_release before it exits (ctx.h; kptr
 * stashing, bpf_kptr_xchg, is not emulated).
 */
static struct cgroup *cgroup_acquired(struct cgroup *cgrp)
{
	if (cgrp)
		emu_ref_acquire(EMU_REF_CGROUP, cgrp, NULL);
	return cgrp;
}

BPFEMU_API struct cgroup *bpf_cgroup_from_id(__u64 cgid)
{
	struct cgroup *cgrp;

	if (!kfunc_allowed("bpf_cgroup_from_id"))
		return NULL;
	cgrp = emu_cgroup_from_id(cgid);
	return cgroup_acquired(cgrp);
}

BPFEMU_API struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp)
{
	if (!kfunc_arg_ok(cgrp, "bpf_cgroup_acquire"))
		return NULL;
	/* cgroup_tryget: a dying cgroup can still be acquired (observed on
	 * 6.18), only one whose count already reached zero cannot. */
	return cgroup_acquired(emu_cgroup_tryget(cgrp) ? cgrp : NULL);
}

BPFEMU_API void bpf_cgroup_release(struct cgroup *cgrp)
{
	if (!kfunc_arg_ok(cgrp, "bpf_cgroup_release"))
		return;
	/* Released twice, or never acquired (a trusted pointer read from a
	 * task): the verifier refuses it; we must not drop a count we do not
	 * own. */
	if (!emu_ref_release(EMU_REF_CGROUP, cgrp, NULL, "bpf_cgroup_release",
			     "arg#0 pointer type STRUCT cgroup must point to scalar, or struct with scalar"))
		return;
	emu_cgroup_put(cgrp);
}

BPFEMU_API struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level)
{
	struct cgroup *ancestor;

	if (!kfunc_arg_ok(cgrp, "bpf_cgroup_ancestor"))
		return NULL;
	if (level > cgrp->level || level < 0)
		return NULL;
	ancestor = cgrp->ancestors[level];
	return cgroup_acquired(emu_cgroup_tryget(ancestor) ? ancestor : NULL);
}

/*
 * bpf_task_get_cgroup1 (KF_ACQUIRE | KF_RET_NULL | KF_TRUSTED_ARGS): the
 * task's cgroup in cgroup v1 hierarchy @hierarchy_id.  bpfemu models the
 * default (cgroup2) hierarchy alone, so it answers as a kernel with no v1
 * hierarchy mounted: NULL for every id, which is no reference.  The task
 * must be one (a possibly-NULL one is refused at load).
 */
BPFEMU_API struct cgroup *bpf_task_get_cgroup1(struct task_struct *task, int hierarchy_id)
{
	(void)hierarchy_id;
	if (!kfunc_allowed("bpf_task_get_cgroup1"))
		return NULL;
	if (!task) {
		emu_verifier_reject(-EINVAL, "kfunc_null_arg",
				    "bpf_task_get_cgroup1: Possibly NULL pointer passed to trusted arg0");
		return NULL;
	}
	return NULL;
}
