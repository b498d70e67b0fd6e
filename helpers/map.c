// SPDX-License-Identifier: MIT
/*
 * Map helpers (kernel/bpf/helpers.c bpf_map_lookup_elem & co., spec
 * maps.md §1, §4, §7): thin over the map types' ops.
 *
 * The `void *map` a program passes is its map definition (or the pointer a
 * callback received); emu_map_from_def resolves it without a lock.  A
 * pointer that is no loaded map is a program the verifier would never
 * have accepted: the run is rejected ("not_a_map").
 */
#include <errno.h>
#include <stdint.h>

#include <bpfemu/helpers.h>

#include "ctx.h"
#include "err.h"
#include "map.h"
#include "object_priv.h"
#include "prog.h"

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

void *bpfemu_helper_map_lookup_elem(void *map_def, const void *key)
{
	struct emu_map *map;

	EMU_HELPER_CHECK(BPF_FUNC_map_lookup_elem, NULL);
	map = resolve(map_def, "bpf_map_lookup_elem");
	if (!map || !map->ops->lookup)
		return NULL;
	return map->ops->lookup(map, key);
}

long bpfemu_helper_map_update_elem(void *map_def, const void *key, const void *value, __u64 flags)
{
	struct emu_map *map;

	EMU_HELPER_CHECK(BPF_FUNC_map_update_elem, -EINVAL);
	map = resolve(map_def, "bpf_map_update_elem");
	if (!map)
		return -EINVAL;
	if (!prog_may_write(map, "bpf_map_update_elem"))
		return -EACCES;
	if (!map->ops->update)
		return -ENOTSUPP;
	return map->ops->update(map, key, value, flags);
}

long bpfemu_helper_map_delete_elem(void *map_def, const void *key)
{
	struct emu_map *map;

	EMU_HELPER_CHECK(BPF_FUNC_map_delete_elem, -EINVAL);
	map = resolve(map_def, "bpf_map_delete_elem");
	if (!map)
		return -EINVAL;
	if (!prog_may_write(map, "bpf_map_delete_elem"))
		return -EACCES;
	if (!map->ops->delete)
		return -ENOTSUPP;
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
	if (!map)
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
	if (!map->ops->for_each) {
		emu_verifier_reject(-EINVAL, "for_each_map_not_supported",
				    "bpf_for_each_map_elem: callback function not allowed for map '%s'",
				    map->name);
		return -EINVAL;
	}
	if (!callback_fn) {
		emu_verifier_reject(-EINVAL, "for_each_no_callback",
				    "bpf_for_each_map_elem: R2 is not a callback function");
		return -EINVAL;
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

long bpfemu_helper_spin_lock(struct bpf_spin_lock *lock)
{
	EMU_HELPER_CHECK(BPF_FUNC_spin_lock, 0);
	emu_map_spin_lock(lock);
	return 0;
}

long bpfemu_helper_spin_unlock(struct bpf_spin_lock *lock)
{
	EMU_HELPER_CHECK(BPF_FUNC_spin_unlock, 0);
	emu_map_spin_unlock(lock);
	return 0;
}
