// SPDX-License-Identifier: MIT
/*
 * Map helpers (kernel/bpf/helpers.c bpf_map_lookup_elem & co., spec
 * maps.md §1, §4, §7): thin over the map types' ops.
 *
 * The `void *map` a program passes is its map definition (or the pointer a
 * callback received); emu_map_from_def resolves it without a lock.  A
 * pointer that is no loaded map is a program the verifier would never
 * have accepted: the run is rejected ("not_a_map"); so is a NULL-ish key
 * or value ("mem_arg_null", mem_arg_ok below).
 */
#include <errno.h>
#include <stdint.h>

#include <bpfemu/helpers.h>
#include <bpfemu/map_fast.h>

#include "ctx.h"
#include "err.h"
#include "map.h"
#include "object_priv.h"
#include "prog.h"
#include "stack.h"

static struct emu_map *resolve(void *map_def, const char *helper)
{
	struct emu_map *map = emu_map_from_def(map_def);

	if (__builtin_expect(!map, 0))
		emu_verifier_reject(-EINVAL, "not_a_map",
				    "%s: R1 is not a pointer to a loaded map (%p)", helper, map_def);
	return map;
}

/* BPF_F_RDONLY_PROG: the verifier refuses every write from a program. */
static bool prog_may_write(struct emu_map *map, const char *helper)
{
	if (!(map->map_flags & BPF_F_RDONLY_PROG))
		return true;
	emu_verifier_reject(-EACCES, "map_rdonly_prog",
			    "%s: write into map '%s' forbidden (BPF_F_RDONLY_PROG)", helper, map->name);
	return false;
}

/*
 * A key or value argument (R2, R3) must point to memory the program may
 * read, as many bytes as the map's key or value, whatever the map type --
 * even QUEUE, STACK, BLOOM_FILTER and RINGBUF, whose keys have no bytes.
 * A NULL-ish one (a lookup's result before its NULL check, NULL plus an
 * offset, a NULL constant) would be read at once natively; 6.18 refuses it
 * at load with -EACCES, after R1 and before any check of the map's type or
 * flags ("R2 type=scalar expected=fp, pkt, ..." for a constant,
 * "R2 type=map_value_or_null expected=..." for a lookup's result, "R0
 * pointer arithmetic on map_value_or_null prohibited, null-check it first"
 * for one plus an offset).  The same rule as bpf_ringbuf_output's data,
 * and the same message: mem_arg_null.
 */
/*
 * Then as many bytes as the key or value has, and a map whose key or
 * value has none (RINGBUF, USER_RINGBUF) fails there: "invalid zero-sized
 * read", -EACCES -- before the map's type is looked at, so before the
 * map_func_incompatible those maps would otherwise get (6.18).
 */
static __attribute__((noinline, cold)) void zero_size_refuse(const char *helper, int regno)
{
	emu_verifier_reject(-EACCES, "map_arg_zero_size",
			    "%s: R%d invalid zero-sized read (the map's %s has no bytes)", helper, regno,
			    regno == 2 ? "key" : "value");
}

static inline bool mem_arg_ok(const void *p, uint32_t size, const char *helper, int regno)
{
	if (__builtin_expect(!emu_ptr_nullish(p) && size, 1))
		return true;
	if (emu_ptr_nullish(p))
		emu_reject_mem_arg(helper, regno);
	else
		zero_size_refuse(helper, regno);
	return false;
}

/* An update's key and value: one test of the lower of the two, and the
 * key reported first, as 6.18 checks R2 before R3. */
static inline bool mem_args_ok(const struct emu_map *map, const void *key, const void *value,
			       const char *helper)
{
	if (__builtin_expect(!emu_ptr_nullish((uintptr_t)key < (uintptr_t)value ? key : value) &&
			     map->key_size && map->value_size, 1))
		return true;
	return mem_arg_ok(key, map->key_size, helper, 2) &&
	       mem_arg_ok(value, map->value_size, helper, 3);
}

/* check_map_func_compatibility: a map type the helper does not take
 * (CGRP_STORAGE to the generic element helpers; no emulated type to the
 * QUEUE/STACK helpers). */
static __attribute__((noinline, cold)) long map_func_refuse(const struct emu_map *map,
							      const char *helper)
{
	emu_verifier_reject(-EINVAL, "map_func_incompatible",
			    "cannot pass map_type %u into func %s", map->map_type, helper);
	return -EINVAL;
}

/* <bpfemu/map_fast.h> sends the same pointers here as the library refuses */
_Static_assert(BPFEMU_MAP_FAST_NULL_GUARD == EMU_NULL_GUARD, "map_fast.h's NULL guard");

void *bpfemu_helper_map_lookup_elem(void *map_def, const void *key)
{
	struct emu_map *map;

	EMU_HELPER_CHECK(BPF_FUNC_map_lookup_elem, NULL);
	map = resolve(map_def, "bpf_map_lookup_elem");
	if (!map || !mem_arg_ok(key, map->key_size, "bpf_map_lookup_elem", 2))
		return NULL;
	if (!map->ops->lookup) {
		map_func_refuse(map, "bpf_map_lookup_elem");
		return NULL;
	}
	return map->ops->lookup(map, key);
}

long bpfemu_helper_map_update_elem(void *map_def, const void *key, const void *value, __u64 flags)
{
	struct emu_map *map;

	EMU_HELPER_CHECK(BPF_FUNC_map_update_elem, -EINVAL);
	map = resolve(map_def, "bpf_map_update_elem");
	if (!map)
		return -EINVAL;
	if (!mem_args_ok(map, key, value, "bpf_map_update_elem"))
		return -EACCES;
	if (!prog_may_write(map, "bpf_map_update_elem"))
		return -EACCES;
	if (!map->ops->update)
		return map_func_refuse(map, "bpf_map_update_elem");
	return map->ops->update(map, key, value, flags);
}

long bpfemu_helper_map_delete_elem(void *map_def, const void *key)
{
	struct emu_map *map;

	EMU_HELPER_CHECK(BPF_FUNC_map_delete_elem, -EINVAL);
	map = resolve(map_def, "bpf_map_delete_elem");
	if (!map)
		return -EINVAL;
	if (!mem_arg_ok(key, map->key_size, "bpf_map_delete_elem", 2))
		return -EACCES;
	if (!prog_may_write(map, "bpf_map_delete_elem"))
		return -EACCES;
	if (!map->ops->delete)
		return map_func_refuse(map, "bpf_map_delete_elem");
	return map->ops->delete(map, key);
}

/* The per-CPU lookup of another CPU's copy: cpu >= nr_cpu_ids is NULL. */
void *bpfemu_helper_map_lookup_percpu_elem(void *map_def, const void *key, __u32 cpu)
{
	struct emu_map *map;
	void *val;
	int saved;

	EMU_HELPER_CHECK(BPF_FUNC_map_lookup_percpu_elem, NULL);
	map = resolve(map_def, "bpf_map_lookup_percpu_elem");
	if (!map || !mem_arg_ok(key, map->key_size, "bpf_map_lookup_percpu_elem", 2))
		return NULL;
	if (map->map_type != BPF_MAP_TYPE_PERCPU_ARRAY && map->map_type != BPF_MAP_TYPE_PERCPU_HASH &&
	    map->map_type != BPF_MAP_TYPE_LRU_PERCPU_HASH) {
		emu_verifier_reject(-EINVAL, "map_type_mismatch",
				    "bpf_map_lookup_percpu_elem: map '%s' is not a per-CPU map",
				    map->name);
		return NULL;
	}
	if (cpu >= map->nr_cpus)
		return NULL;
	/* the per-CPU types look up the copy of emu_ctx.cpu */
	saved = emu_ctx.cpu;
	emu_ctx.cpu = (int)cpu;
	val = map->ops->lookup(map, key);
	emu_ctx.cpu = saved;
	return val;
}

struct for_each_call {
	struct emu_map *map;
	void *callback_fn;
	void *ctx;
	uint64_t flags;
};

static long for_each_entry(void *arg)
{
	struct for_each_call *c = arg;

	return c->map->ops->for_each(c->map, c->callback_fn, c->ctx, c->flags);
}

long bpfemu_helper_for_each_map_elem(void *map_def, void *callback_fn, void *callback_ctx, __u64 flags)
{
	struct for_each_call call;
	long ret = 0;
	int err;

	struct emu_map *map;

	EMU_HELPER_CHECK(BPF_FUNC_for_each_map_elem, -EINVAL);
	map = resolve(map_def, "bpf_for_each_map_elem");
	if (!map)
		return -EINVAL;
	/* R2 at load, then the map (set_map_elem_callback_state, 6.18) */
	if (!callback_fn) {
		emu_verifier_reject(-EACCES, "for_each_no_callback",
				    "bpf_for_each_map_elem: R2 type=scalar expected=func");
		return -EACCES;
	}
	if (!map->ops->for_each) {
		emu_verifier_reject(-ENOTSUPP, "for_each_map_not_supported",
				    "bpf_for_each_map_elem: callback function not allowed for map '%s'",
				    map->name);
		return -ENOTSUPP;
	}
	/*
	 * Inside a program the callbacks run as its callbacks: one nested
	 * entry (EMU_ENTRY_CALLBACK) holds the whole walk rather than one per
	 * element, since the walk's own work between two callbacks does not
	 * depend on the entry's context; each callback sees what an entry of
	 * its own would give it, for ~90 instructions once per walk.
	 */
	if (!emu_ctx.prog)
		return map->ops->for_each(map, callback_fn, callback_ctx, flags);
	call = (struct for_each_call){ map, callback_fn, callback_ctx, flags };
	err = emu_run(emu_ctx.prog, EMU_ENTRY_CALLBACK, for_each_entry, &call, &ret);
	return err ? err : ret;
}

/*
 * bpf_spin_lock's verifier rules, those that would otherwise fault or spin
 * for ever natively.  The lock is a NULL-ish pointer (a lookup's result
 * before its NULL check: the lock word would be written there): 6.18 says
 * "R1 type=map_value_or_null expected=map_value, ptr_" (or "pointer
 * arithmetic on map_value_or_null prohibited"), -EACCES.  Inside a program
 * the held lock is one of its references (ctx.h, as 6.18 keeps it): a
 * second lock while holding one would wait for itself ("function calls are
 * not allowed while holding a lock"), an unlock of a lock not held would
 * free another taker's ("bpf_spin_unlock without taking a lock", "... of
 * different lock"), and an exit holding it ("BPF_EXIT instruction in main
 * prog cannot be used inside bpf_spin_lock-ed region", spin_lock_held_at_exit
 * in prog.c) would leave it held for ever; all -EINVAL, and the lock is
 * given back.  Other helper calls under the lock are not looked for.
 */
static bool spin_lock_ptr_ok(const struct bpf_spin_lock *lock, const char *helper)
{
	if (__builtin_expect(!emu_ptr_nullish(lock) && !emu_ptr_on_stack(lock), 1))
		return true;
	if (emu_ptr_on_stack(lock))
		emu_verifier_reject(-EACCES, "spin_lock_not_map_value",
				    "%s: R1 (%p) is a local, not a map value's struct bpf_spin_lock (R1 type=fp expected=map_value, ptr_)",
				    helper, (const void *)lock);
	else
		emu_verifier_reject(-EACCES, "spin_lock_not_map_value",
				    "%s: R1 (%p) is not a pointer to a map value's struct bpf_spin_lock (R1 type=map_value_or_null expected=map_value, ptr_)",
				    helper, (const void *)lock);
	return false;
}

long bpfemu_helper_spin_lock(struct bpf_spin_lock *lock)
{
	EMU_HELPER_CHECK(BPF_FUNC_spin_lock, 0);
	if (!spin_lock_ptr_ok(lock, "bpf_spin_lock"))
		return 0;
	if (emu_refs.count[EMU_REF_SPIN_LOCK] && emu_in_bpf()) {
		emu_verifier_reject(-EINVAL, "call_holding_spin_lock",
				    "bpf_spin_lock: function calls are not allowed while holding a lock");
		return 0;
	}
	emu_map_spin_lock(lock);
	/* Taken first: a full table gives the lock back (emu_ref_overflow). */
	emu_ref_acquire(EMU_REF_SPIN_LOCK, lock, NULL);
	return 0;
}

long bpfemu_helper_spin_unlock(struct bpf_spin_lock *lock)
{
	EMU_HELPER_CHECK(BPF_FUNC_spin_unlock, 0);
	if (!spin_lock_ptr_ok(lock, "bpf_spin_unlock"))
		return 0;
	if (!emu_ref_release(EMU_REF_SPIN_LOCK, lock, NULL, "bpf_spin_unlock",
			     emu_refs.count[EMU_REF_SPIN_LOCK] ?
			     "bpf_spin_unlock of different lock" :
			     "bpf_spin_unlock without taking a lock"))
		return 0;
	emu_map_spin_unlock(lock);
	return 0;
}

/*
 * The QUEUE and STACK helpers.  bpfemu has neither map type (nor
 * BLOOM_FILTER, which takes push and peek), so every map a program can
 * pass is one the verifier refuses: its value argument first (NULL-ish,
 * or no bytes), then the map's type.
 */
static long queue_helper_refuse(void *map_def, const void *value, const char *helper)
{
	struct emu_map *map = resolve(map_def, helper);

	if (!map)
		return -EINVAL;
	if (!mem_arg_ok(value, map->value_size, helper, 2))
		return -EACCES;
	return map_func_refuse(map, helper);
}

long bpfemu_helper_map_push_elem(void *map_def, const void *value, __u64 flags)
{
	(void)flags;
	EMU_HELPER_CHECK(BPF_FUNC_map_push_elem, -EINVAL);
	return queue_helper_refuse(map_def, value, "bpf_map_push_elem");
}

long bpfemu_helper_map_pop_elem(void *map_def, void *value)
{
	EMU_HELPER_CHECK(BPF_FUNC_map_pop_elem, -EINVAL);
	return queue_helper_refuse(map_def, value, "bpf_map_pop_elem");
}

long bpfemu_helper_map_peek_elem(void *map_def, void *value)
{
	EMU_HELPER_CHECK(BPF_FUNC_map_peek_elem, -EINVAL);
	return queue_helper_refuse(map_def, value, "bpf_map_peek_elem");
}
