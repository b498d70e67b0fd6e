// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c,
 * spec maps.md §2).
 *
 * Every element exists from creation, zero-filled, at a stride of
 * round_up(value_size, 8); per-CPU arrays keep nr_cpus copies of each
 * element side by side.  A lookup is a bounds check and a multiply.
 * Elements are never freed before the map, so pointers stay valid.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "ctx.h"
#include "err.h"
#include "map.h"
#include "object_priv.h"
#include "prog.h"

#define PCPU_MIN_UNIT_SIZE	(32 << 10)
#define NUMA_NO_NODE_U32	((uint32_t)-1)
#define ARRAY_CREATE_FLAG_MASK	(BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_RDONLY | BPF_F_WRONLY | \
				 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG | BPF_F_PRESERVE_ELEMS | \
				 BPF_F_INNER_MAP)

struct emu_array {
	struct emu_map map;
	uint32_t elem_size;		/* round_up(value_size, 8) */
	uint32_t cpu_stride;		/* bytes between two CPUs' copies of one element */
	uint64_t elem_stride;		/* bytes between two elements */
	char *values;
};

static inline struct emu_array *to_array(struct emu_map *map)
{
	return (struct emu_array *)map;
}

static inline bool is_percpu(const struct emu_map *map)
{
	return map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static inline uint32_t round_up8(uint32_t v)
{
	return (v + 7) & ~7u;
}

static inline uint32_t cur_cpu(const struct emu_map *map)
{
	uint32_t cpu = (uint32_t)emu_ctx.cpu;

	return cpu < map->nr_cpus ? cpu : cpu % map->nr_cpus;
}

/* Access flags: at most one of BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG. */
static bool flags_access_ok(uint32_t flags)
{
	return (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !=
	       (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}

static int array_alloc_check(const struct emu_map_attr *attr)
{
	bool percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	uint32_t numa = (attr->map_flags & BPF_F_NUMA_NODE) ? attr->numa_node : NUMA_NO_NODE_U32;

	if (attr->max_entries == 0 || attr->key_size != 4 || attr->value_size == 0 ||
	    (attr->map_flags & ~ARRAY_CREATE_FLAG_MASK) || !flags_access_ok(attr->map_flags) ||
	    (percpu && numa != NUMA_NO_NODE_U32))
		return -EINVAL;
	if (attr->map_type != BPF_MAP_TYPE_ARRAY &&
	    (attr->map_flags & (BPF_F_MMAPABLE | BPF_F_INNER_MAP)))
		return -EINVAL;
	if (attr->map_type != BPF_MAP_TYPE_PERF_EVENT_ARRAY &&
	    (attr->map_flags & BPF_F_PRESERVE_ELEMS))
		return -EINVAL;
	/* avoid overflow on round_up(value_size) */
	if (attr->value_size > INT_MAX)
		return -E2BIG;
	if (percpu && round_up8(attr->value_size) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	return 0;
}

static void array_free(struct emu_map *map)
{
	struct emu_array *a = to_array(map);
	uint64_t i;

	if (a->values && map->nr_fields)
		for (i = 0; i < map->max_entries; i++)
			emu_map_free_fields(map, a->values + i * a->elem_stride);
	emu_free(a->values);
	emu_free(a);
}

/*
 * The inline path skips the helpers' availability check: only sound while
 * every program type may call bpf_map_lookup_elem and bpf_map_update_elem
 * and neither is GPL-only, as in the kernel (bpf_base_func_proto).  Asked
 * of the helper table, so a change there turns the inline path off.
 */
static bool fast_path_sound(void)
{
	int t;

	if (emu_helper_gpl_only(BPF_FUNC_map_lookup_elem) ||
	    emu_helper_gpl_only(BPF_FUNC_map_update_elem))
		return false;
	for (t = BPF_PROG_TYPE_UNSPEC; t <= BPF_PROG_TYPE_NETFILTER; t++)
		if (!emu_helper_type_allowed(BPF_FUNC_map_lookup_elem, t) ||
		    !emu_helper_type_allowed(BPF_FUNC_map_update_elem, t))
			return false;
	return true;
}

static struct emu_map *array_alloc(const struct emu_map_attr *attr, int *err)
{
	struct emu_array *a;
	uint64_t size;

	a = emu_calloc(1, sizeof(*a));
	if (!a) {
		*err = -ENOMEM;
		return NULL;
	}
	emu_map_init_from_attr(&a->map, attr);
	if (!is_percpu(&a->map))
		a->map.nr_cpus = 1;
	a->elem_size = round_up8(attr->value_size);
	a->cpu_stride = a->elem_size;
	a->elem_stride = (uint64_t)a->elem_size * a->map.nr_cpus;
	size = a->elem_stride * attr->max_entries;
	/* the kernel's vmalloc area is bounded too; never ask calloc for more */
	if (size > ((uint64_t)1 << 36))
		goto out_nomem;
	a->values = emu_calloc(1, size);
	if (!a->values)
		goto out_nomem;
	if (attr->map_type == BPF_MAP_TYPE_ARRAY && fast_path_sound()) {
		a->map.fast.max_entries = attr->max_entries;
		a->map.fast.value_size = attr->value_size;
		a->map.fast.stride = a->elem_stride;
		a->map.fast.base = a->values;
		a->map.fast.kind = BPFEMU_MAP_FAST_ARRAY;
	}
	return &a->map;

out_nomem:
	emu_free(a);
	*err = -ENOMEM;
	return NULL;
}

static void *array_lookup(struct emu_map *map, const void *key)
{
	struct emu_array *a = to_array(map);
	uint32_t idx = *(const uint32_t *)key;

	if (__builtin_expect(idx >= map->max_entries, 0))
		return NULL;
	if (is_percpu(map))
		return a->values + idx * a->elem_stride + (uint64_t)cur_cpu(map) * a->cpu_stride;
	return a->values + idx * a->elem_stride;
}

/* arraymap.c array_map_update_elem, in its order. */
static long array_update(struct emu_map *map, const void *key, const void *value, uint64_t flags)
{
	struct emu_array *a = to_array(map);
	uint32_t idx = *(const uint32_t *)key;
	char *val;

	if ((flags & ~BPF_F_LOCK) > BPF_EXIST)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	/* all elements were pre-allocated and cannot be created anew */
	if (flags & BPF_NOEXIST)
		return -EEXIST;
	if ((flags & BPF_F_LOCK) && map->spin_lock_off < 0)
		return -EINVAL;
	if (is_percpu(map)) {
		val = a->values + idx * a->elem_stride + (uint64_t)cur_cpu(map) * a->cpu_stride;
		emu_map_copy_value(map, val, value);
		emu_map_free_fields(map, val);
		return 0;
	}
	val = a->values + idx * a->elem_stride;
	if (flags & BPF_F_LOCK)
		emu_map_copy_value_locked(map, val, value, false);
	else
		emu_map_copy_value(map, val, value);
	/* the old value's timer/wq/kptrs die with it */
	emu_map_free_fields(map, val);
	return 0;
}

static long array_delete(struct emu_map *map, const void *key)
{
	(void)map;
	(void)key;
	return -EINVAL;
}

/* bpf_map_copy_value: lookup (sys_only) then copy, special fields zeroed. */
static int array_lookup_sys(struct emu_map *map, const void *key, void *value, uint64_t flags)
{
	struct emu_array *a = to_array(map);
	uint32_t idx = *(const uint32_t *)key;
	uint32_t cpu;
	char *val;

	if (idx >= map->max_entries)
		return -ENOENT;
	val = a->values + idx * a->elem_stride;
	if (is_percpu(map)) {
		/* bpf_percpu_array_copy: round_up(value_size, 8) per CPU */
		for (cpu = 0; cpu < map->nr_cpus; cpu++) {
			char *dst = (char *)value + (uint64_t)cpu * a->elem_size;

			memcpy(dst, val + (uint64_t)cpu * a->cpu_stride, a->elem_size);
			emu_map_zero_fields(map, dst);
		}
		return 0;
	}
	if (flags & BPF_F_LOCK)
		emu_map_copy_value_locked(map, value, val, true);
	else
		emu_map_copy_value(map, value, val);
	emu_map_zero_fields(map, value);
	return 0;
}

static int array_update_sys(struct emu_map *map, const void *key, const void *value, uint64_t flags)
{
	struct emu_array *a = to_array(map);
	uint32_t idx = *(const uint32_t *)key;
	uint32_t cpu;
	char *val;

	if (!is_percpu(map))
		return (int)array_update(map, key, value, flags);
	/* bpf_percpu_array_update */
	if (flags > BPF_EXIST)		/* unknown flags, BPF_F_LOCK included */
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST;
	val = a->values + idx * a->elem_stride;
	for (cpu = 0; cpu < map->nr_cpus; cpu++) {
		char *dst = val + (uint64_t)cpu * a->cpu_stride;

		emu_map_copy_value_long(map, dst, (const char *)value + (uint64_t)cpu * a->elem_size);
		emu_map_free_fields(map, dst);
	}
	return 0;
}

static int array_delete_sys(struct emu_map *map, const void *key)
{
	return (int)array_delete(map, key);
}

static int array_get_next_key(struct emu_map *map, const void *key, void *next_key)
{
	uint32_t idx = key ? *(const uint32_t *)key : UINT32_MAX;

	if (idx >= map->max_entries) {
		*(uint32_t *)next_key = 0;
		return 0;
	}
	if (idx == map->max_entries - 1)
		return -ENOENT;
	*(uint32_t *)next_key = idx + 1;
	return 0;
}

typedef int (*for_each_cb_t)(void *map, const void *key, void *value, void *ctx);

/* One callback (inside the helper's entry, see bpf_for_each_map_elem):
 * 0 continue, 1 stop, <0 a return the verifier would refuse. */
long emu_map_for_each_call(void *callback_fn, void *map_def, const void *key, void *value, void *ctx)
{
	long ret = ((for_each_cb_t)callback_fn)(map_def, key, value, ctx);
	int err;

	/* the verifier's callback return range is [0, 1] */
	err = emu_callback_check_ret(BPF_FUNC_for_each_map_elem, ret);
	return err ? err : (int)ret;
}

/* bpf_for_each_array_elem: every index, the key a temporary u32. */
static long array_for_each(struct emu_map *map, void *callback_fn, void *ctx, uint64_t flags)
{
	struct emu_array *a = to_array(map);
	uint32_t i, key;
	long num = 0, ret;
	void *val;

	if (flags)
		return -EINVAL;
	for (i = 0; i < map->max_entries; i++) {
		key = i;
		val = a->values + i * a->elem_stride;
		if (is_percpu(map))
			val = (char *)val + (uint64_t)cur_cpu(map) * a->cpu_stride;
		num++;
		ret = emu_map_for_each_call(callback_fn, emu_map_def(map), &key, val, ctx);
		if (ret < 0)
			return ret;
		if (ret)
			break;
	}
	return num;
}

/* array_map_free_timers_wq */
static void array_release_uref(struct emu_map *map)
{
	struct emu_array *a = to_array(map);
	uint32_t i;

	if (!(map->field_mask & ((1u << EMU_FIELD_TIMER) | (1u << EMU_FIELD_WQ))))
		return;
	for (i = 0; i < map->max_entries; i++)
		emu_map_free_timers_wq(map, a->values + i * a->elem_stride);
}

static const void *array_elem_key(struct emu_map *map, const void *value, uint32_t *idx_buf)
{
	struct emu_array *a = to_array(map);
	uintptr_t v = (uintptr_t)value, base = (uintptr_t)a->values;
	uint64_t off;

	if (v < base || v >= base + a->elem_stride * map->max_entries)
		return NULL;
	off = v - base;
	if (off % a->elem_stride)
		return NULL;
	*idx_buf = (uint32_t)(off / a->elem_stride);
	return idx_buf;
}

static const struct emu_map_ops array_ops = {
	.alloc_check = array_alloc_check,
	.alloc = array_alloc,
	.free = array_free,
	.lookup = array_lookup,
	.update = array_update,
	.delete = array_delete,
	.lookup_sys = array_lookup_sys,
	.update_sys = array_update_sys,
	.delete_sys = array_delete_sys,
	.get_next_key = array_get_next_key,
	.for_each = array_for_each,
	.release_uref = array_release_uref,
	.elem_key = array_elem_key,
	/* array_map_ops: generic lookup and update batches; no delete */
	.batch_cmds = EMU_BATCH_LOOKUP | EMU_BATCH_UPDATE,
};

void emu_array_register(void)
{
	emu_map_register_type(BPF_MAP_TYPE_ARRAY, &array_ops);
	emu_map_register_type(BPF_MAP_TYPE_PERCPU_ARRAY, &array_ops);
}
