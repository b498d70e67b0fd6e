// SPDX-License-Identifier: MIT
/*
 * The generic map core: type registry, BPF_MAP_CREATE's generic checks in
 * the kernel's order (kernel/bpf/syscall.c map_create, map_check_btf), map
 * ids, refcnt/usercnt, special-field plumbing, definition binding, and the
 * RCU-like grace periods that keep element memory valid for programs.
 *
 * Lifetime (spec maps.md §6):
 *   refcnt  - the object; the last emu_map_put frees it (after a grace
 *             period if a BPF run is in progress somewhere).
 *   usercnt - user space (fds, pins); reaching 0 runs ops->release_uref
 *             (timers and wqs cancelled and freed) and then every hook
 *             registered with emu_map_on_uref_zero, exactly once per drop
 *             to zero.  A user reference always comes with a refcnt.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bpfemu/core.h>

#include "alloc.h"
#include "core.h"
#include "err.h"
#include "fd.h"
#include "lock.h"
#include "map.h"

/*
 * gcc >= 12 warns (-Wtsan, an error with -Werror) that TSan does not model
 * atomic_thread_fence; it says so wherever it inlines one (since
 * emu_map_rcu_quiesce inlines emu_map_rcu_enter, in every optimised TSan
 * build).  The fences of the grace periods are for weakly ordered CPUs and
 * stay in the code; the happens-before TSan needs -- a reader's exit before
 * the free of what it read -- comes from the seq_cst RMWs on the reader
 * counters and from rcu_lock, which it does model.
 */
#if defined(__SANITIZE_THREAD__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wtsan"
#endif

#define MAP_TYPE_MAX		64
#define UREF_HOOKS_MAX		16
#define DEF_MAGIC		BPFEMU_MAP_DEF_MAGIC	/* "bpfmapDF", map_fast.h */

#define NUMA_NO_NODE_U32	((uint32_t)-1)

static _Atomic(const struct emu_map_ops *) map_types[MAP_TYPE_MAX];
static _Atomic(emu_field_free_fn) field_free_fns[EMU_FIELD_NR];

static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(emu_map_uref_fn) uref_hooks[UREF_HOOKS_MAX];
static atomic_int nr_uref_hooks;

static atomic_int nr_cpus = 4;

/* Live maps sorted by id (ids only grow, so appending keeps the order). */
static pthread_mutex_t ids_lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu_map **id_table;
static size_t id_count, id_cap;
static uint32_t id_next = 1;

static pthread_once_t core_once = PTHREAD_ONCE_INIT;

/* ---------------------------------------------------------------- CPUs */

int emu_nr_cpus(void)
{
	return atomic_load_explicit(&nr_cpus, memory_order_relaxed);
}

int bpfemu_set_nr_cpus(int n)
{
	if (n < 1 || n > BPFEMU_MAX_CPUS)
		return emu_err(-EINVAL);
	atomic_store(&nr_cpus, n);
	return 0;
}

int bpfemu_nr_cpus(void)
{
	return emu_nr_cpus();
}

/* ------------------------------------------------------------ registry */

static void map_ref_get(void *obj)
{
	emu_map_get_uref(obj);
}

static void map_ref_put(void *obj)
{
	emu_map_put_uref(obj);
}

static void map_ref_hold(void *obj)
{
	emu_map_get(obj);
}

static void map_ref_release(void *obj)
{
	emu_map_put(obj);
}

/* BPF_OBJ_GET_INFO_BY_FD for maps (syscall.c bpf_map_get_info_by_fd). */
static int map_get_info(void *obj, void *buf, uint32_t info_len)
{
	struct emu_map *map = obj;
	struct bpf_map_info info;

	memset(&info, 0, sizeof(info));
	info.type = map->map_type;
	info.id = map->id;
	info.key_size = map->key_size;
	info.value_size = map->value_size;
	info.max_entries = map->max_entries;
	info.map_flags = map->map_flags;
	info.map_extra = map->map_extra;
	memcpy(info.name, map->name, sizeof(info.name));
	info.btf_key_type_id = map->btf_key_type_id;
	info.btf_value_type_id = map->btf_value_type_id;
	memcpy(buf, &info, info_len < sizeof(info) ? info_len : sizeof(info));
	return 0;
}

/* A map's last fd closed cancels and frees its timers and wqs
 * (ops->release_uref), which a running program sees; nothing else a close
 * does is visible to one (programs hold their own references). */
static bool map_ref_run_visible(const void *obj)
{
	const struct emu_map *map = obj;

	return map->ops->release_uref &&
	       (map->field_mask & (1u << EMU_FIELD_TIMER | 1u << EMU_FIELD_WQ));
}

static const struct emu_obj_ref_ops map_ref_ops = {
	.get = map_ref_get,
	.put = map_ref_put,
	.hold = map_ref_hold,
	.release = map_ref_release,
	.get_info = map_get_info,
	.info_size = sizeof(struct bpf_map_info),
	.run_visible = map_ref_run_visible,
};

/*
 * Every type is registered here rather than only from constructors in its
 * own file: in a static library an object file nobody references is never
 * linked, and its constructor never runs (see map.h).
 */
static void core_init(void)
{
	emu_array_register();
	emu_htab_register();
	emu_ringbuf_register();
	emu_cgrp_storage_register();
	emu_map_in_map_register();
	emu_fd_register_kind(EMU_OBJ_MAP, &map_ref_ops);
}

void emu_map_register_type(uint32_t map_type, const struct emu_map_ops *ops)
{
	if (map_type >= MAP_TYPE_MAX)
		return;
	atomic_store(&map_types[map_type], ops);
}

void emu_map_register_field_free(enum emu_field_kind kind, emu_field_free_fn fn)
{
	if ((unsigned int)kind >= EMU_FIELD_NR)
		return;
	atomic_store(&field_free_fns[kind], fn);
}

void emu_map_on_uref_zero(emu_map_uref_fn fn)
{
	int i, n;

	pthread_mutex_lock(&hooks_lock);
	n = atomic_load(&nr_uref_hooks);
	for (i = 0; i < n; i++)
		if (atomic_load(&uref_hooks[i]) == fn)
			goto out_unlock;	/* registering twice must not run it twice */
	if (n < UREF_HOOKS_MAX) {
		atomic_store(&uref_hooks[n], fn);
		atomic_store(&nr_uref_hooks, n + 1);
	}
out_unlock:
	pthread_mutex_unlock(&hooks_lock);
}

/* ------------------------------------------------------------------ ids */

static int id_alloc(struct emu_map *map)
{
	pthread_mutex_lock(&ids_lock);
	if (id_count == id_cap) {
		size_t cap = id_cap ? id_cap * 2 : 16;
		struct emu_map **t = emu_realloc(id_table, cap * sizeof(*t));

		if (!t) {
			pthread_mutex_unlock(&ids_lock);
			return -ENOMEM;
		}
		id_table = t;
		id_cap = cap;
	}
	/* Like idr_alloc_cyclic(1, INT_MAX): never reused until wrap-around. */
	if (id_next >= INT_MAX)
		id_next = 1;
	map->id = id_next++;
	id_table[id_count++] = map;
	pthread_mutex_unlock(&ids_lock);
	return 0;
}

/* Index of the first entry with id >= @id (binary search; ids are sorted
 * except after a wrap-around, which a process never reaches in practice). */
static size_t id_lower_bound(uint32_t id)
{
	size_t lo = 0, hi = id_count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (id_table[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void id_free(struct emu_map *map)
{
	size_t i;

	if (!map->id)
		return;
	pthread_mutex_lock(&ids_lock);
	i = id_lower_bound(map->id);
	if (i < id_count && id_table[i] == map) {
		memmove(&id_table[i], &id_table[i + 1], (id_count - i - 1) * sizeof(*id_table));
		id_count--;
	}
	if (!id_count) {
		/* Let the leak check see an empty process after the last map. */
		emu_free(id_table);
		id_table = NULL;
		id_cap = 0;
	}
	pthread_mutex_unlock(&ids_lock);
}

struct emu_map *emu_map_get_by_id(uint32_t id)
{
	struct emu_map *map = NULL;
	long cnt;
	size_t i;

	pthread_mutex_lock(&ids_lock);
	i = id_lower_bound(id);
	if (i < id_count && id_table[i]->id == id) {
		map = id_table[i];
		/* __bpf_map_inc_not_zero: a map on its way out is not found */
		cnt = atomic_load(&map->refcnt);
		do {
			if (cnt == 0) {
				map = NULL;
				break;
			}
		} while (!atomic_compare_exchange_weak(&map->refcnt, &cnt, cnt + 1));
		if (map)
			atomic_fetch_add(&map->usercnt, 1);
	}
	pthread_mutex_unlock(&ids_lock);
	/* the caller got refcnt+usercnt; a usercnt that rose from 0 is fine */
	return map;
}

uint32_t emu_map_next_id(uint32_t start_id)
{
	uint32_t id = 0;
	size_t i;

	pthread_mutex_lock(&ids_lock);
	i = id_lower_bound(start_id + 1);
	if (i < id_count)
		id = id_table[i]->id;
	pthread_mutex_unlock(&ids_lock);
	return id;
}

/* --------------------------------------------------------------- create */

void emu_map_init_from_attr(struct emu_map *map, const struct emu_map_attr *attr)
{
	memset(&map->fast, 0, sizeof(map->fast));
	map->map_type = attr->map_type;
	map->key_size = attr->key_size;
	map->value_size = attr->value_size;
	map->max_entries = attr->max_entries;
	map->map_flags = attr->map_flags;
	map->map_extra = attr->map_extra;
	map->has_btf = attr->has_btf;
	map->btf_key_type_id = attr->btf_key_type_id;
	map->btf_value_type_id = attr->btf_value_type_id;
	map->numa_node = attr->numa_node;
	map->nr_cpus = (uint32_t)emu_nr_cpus();
	atomic_init(&map->refcnt, 1);
	atomic_init(&map->usercnt, 0);
	atomic_init(&map->frozen, false);
	map->timer_off = -1;
	map->spin_lock_off = -1;
	map->wq_off = -1;
}

/* bpf_obj_name_cpy: [A-Za-z0-9_.]*, NUL within BPF_OBJ_NAME_LEN. */
static int map_name_check(const char *name)
{
	size_t i;

	for (i = 0; i < BPF_OBJ_NAME_LEN; i++) {
		unsigned char c = (unsigned char)name[i];

		if (!c)
			return 0;
		if (!isalnum(c) && c != '_' && c != '.')
			return -EINVAL;
	}
	return -EINVAL;
}

static uint32_t field_size(enum emu_field_kind kind)
{
	switch (kind) {
	case EMU_FIELD_SPIN_LOCK:
		return 4;
	case EMU_FIELD_TIMER:
	case EMU_FIELD_WQ:
		return 16;
	case EMU_FIELD_KPTR:
		return 8;
	default:
		return 0;
	}
}

static bool type_in(uint32_t t, const uint32_t *types, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (types[i] == t)
			return true;
	return false;
}

/*
 * map_check_btf's special-field part (timers.md §1.1).  Returns 0 with the
 * fields installed in @map, or -errno.  A layout the kernel's BTF parser
 * would refuse (a second timer, wq or spin lock: btf_parse_fields -E2BIG)
 * leaves the map without any special field, as the kernel does: creation
 * succeeds and the verifier later refuses the timer helpers.
 */
static int map_check_fields(struct emu_map *map, const struct emu_map_attr *attr)
{
	static const uint32_t lock_types[] = {
		BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_CGROUP_STORAGE,
		BPF_MAP_TYPE_SK_STORAGE, BPF_MAP_TYPE_INODE_STORAGE,
		BPF_MAP_TYPE_TASK_STORAGE, BPF_MAP_TYPE_CGRP_STORAGE,
	};
	static const uint32_t timer_types[] = {
		BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_ARRAY,
	};
	static const uint32_t kptr_types[] = {
		BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_HASH,
		BPF_MAP_TYPE_LRU_PERCPU_HASH, BPF_MAP_TYPE_ARRAY,
		BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_SK_STORAGE,
		BPF_MAP_TYPE_INODE_STORAGE, BPF_MAP_TYPE_TASK_STORAGE,
		BPF_MAP_TYPE_CGRP_STORAGE,
	};
	uint32_t mask = 0, i, j;

	/* Without BTF the kernel knows no special field at all. */
	if (!attr->has_btf || !attr->nr_fields)
		return 0;
	if (attr->nr_fields > EMU_MAX_FIELDS)
		return -E2BIG;
	for (i = 0; i < attr->nr_fields; i++) {
		const struct emu_field *f = &attr->fields[i];
		uint32_t sz = field_size(f->kind);

		/* A layout BTF cannot describe: the generator's tables are wrong. */
		if (!sz || (f->size && f->size != sz) || (uint64_t)f->offset + sz > attr->value_size ||
		    f->offset % (sz >= 8 ? 8 : sz))
			return -EINVAL;
		for (j = 0; j < i; j++) {
			const struct emu_field *g = &attr->fields[j];

			if (f->offset < g->offset + field_size(g->kind) && g->offset < f->offset + sz)
				return -EINVAL;
		}
		if (f->kind != EMU_FIELD_KPTR && (mask & (1u << f->kind)))
			return 0;	/* btf_parse_fields failed: no record */
		mask |= 1u << f->kind;
	}

	/* CAP_BPF (-EPERM) holds: the emulator runs as a privileged loader. */
	if (attr->map_flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG))
		return -EACCES;
	for (i = 0; i < EMU_FIELD_NR; i++) {
		if (!(mask & (1u << i)))
			continue;
		switch (i) {
		case EMU_FIELD_SPIN_LOCK:
			if (!type_in(map->map_type, lock_types, sizeof(lock_types) / sizeof(lock_types[0])))
				return -EOPNOTSUPP;
			break;
		case EMU_FIELD_TIMER:
		case EMU_FIELD_WQ:
			if (!type_in(map->map_type, timer_types, sizeof(timer_types) / sizeof(timer_types[0])))
				return -EOPNOTSUPP;
			break;
		case EMU_FIELD_KPTR:
			if (!type_in(map->map_type, kptr_types, sizeof(kptr_types) / sizeof(kptr_types[0])))
				return -EOPNOTSUPP;
			break;
		}
	}

	/* Install, sorted by offset so copies can walk them in one pass. */
	map->nr_fields = attr->nr_fields;
	memcpy(map->fields, attr->fields, attr->nr_fields * sizeof(map->fields[0]));
	for (i = 1; i < map->nr_fields; i++)
		for (j = i; j > 0 && map->fields[j - 1].offset > map->fields[j].offset; j--) {
			struct emu_field t = map->fields[j];

			map->fields[j] = map->fields[j - 1];
			map->fields[j - 1] = t;
		}
	for (i = 0; i < map->nr_fields; i++) {
		struct emu_field *f = &map->fields[i];

		f->size = field_size(f->kind);
		if (f->kind == EMU_FIELD_TIMER)
			map->timer_off = (int32_t)f->offset;
		else if (f->kind == EMU_FIELD_SPIN_LOCK)
			map->spin_lock_off = (int32_t)f->offset;
		else if (f->kind == EMU_FIELD_WQ)
			map->wq_off = (int32_t)f->offset;
	}
	map->field_mask = mask;
	return 0;
}

static void self_bind(struct emu_map *map);

/* The map is fully built but may not be published: free it right away. */
static void map_free_now(struct emu_map *map)
{
	map->ops->free(map);
}

struct emu_map *emu_map_create(const struct emu_map_attr *attr, int *err)
{
	const struct emu_map_ops *ops;
	struct emu_map *map;
	int ret;

	pthread_once(&core_once, core_init);
	if (!attr) {
		*err = -EINVAL;
		return NULL;
	}
	/* map_create's generic checks, in the kernel's order. */
	if (attr->btf_key_type_id && !attr->btf_value_type_id)
		goto out_inval;
	if (attr->map_extra && attr->map_type != BPF_MAP_TYPE_BLOOM_FILTER &&
	    attr->map_type != BPF_MAP_TYPE_ARENA)
		goto out_inval;
	if ((attr->map_flags & BPF_F_RDONLY) && (attr->map_flags & BPF_F_WRONLY))
		goto out_inval;
	/* One emulated NUMA node, node 0. */
	if ((attr->map_flags & BPF_F_NUMA_NODE) && attr->numa_node != NUMA_NO_NODE_U32 &&
	    attr->numa_node != 0)
		goto out_inval;
	if (attr->map_type >= MAP_TYPE_MAX)
		goto out_inval;
	ops = atomic_load(&map_types[attr->map_type]);
	if (!ops)
		goto out_inval;
	if (ops->alloc_check) {
		ret = ops->alloc_check(attr);
		if (ret) {
			*err = ret;
			return NULL;
		}
	}
	/* bpf_map_offload_map_alloc: the emulated host has only "lo"
	 * (ifindex 1, no BPF offload: -EOPNOTSUPP, observed on 6.18) */
	if (attr->map_ifindex) {
		if (attr->map_type != BPF_MAP_TYPE_ARRAY && attr->map_type != BPF_MAP_TYPE_HASH)
			goto out_inval;
		*err = attr->map_ifindex == 1 ? -EOPNOTSUPP : -EINVAL;
		return NULL;
	}
	/* Capability checks (-EPERM) pass: we act as a CAP_BPF loader. */
	ret = -ENOMEM;
	map = ops->alloc(attr, &ret);
	if (!map) {
		*err = ret ? ret : -ENOMEM;
		return NULL;
	}
	map->ops = ops;
	map->map_type = attr->map_type;
	/* only array.c fills the inline path's view; never trust another
	 * type's allocation to have zeroed it */
	if (attr->map_type != BPF_MAP_TYPE_ARRAY)
		memset(&map->fast, 0, sizeof(map->fast));
	ret = map_name_check(attr->name);
	if (ret)
		goto out_free;
	memcpy(map->name, attr->name, BPF_OBJ_NAME_LEN);
	ret = map_check_fields(map, attr);
	if (ret)
		goto out_free;
	/* The inline update is a plain copy: only without special fields to
	 * skip or free, and when programs may write at all. */
	if (map->fast.kind != BPFEMU_MAP_FAST_NONE && !map->nr_fields &&
	    !(map->map_flags & BPF_F_RDONLY_PROG))
		map->fast.flags |= BPFEMU_MAP_FAST_F_UPDATE;
	self_bind(map);		/* after what the binding's words are made of */
	ret = id_alloc(map);
	if (ret)
		goto out_free;
	return map;

out_free:
	map_free_now(map);
	*err = ret;
	return NULL;
out_inval:
	*err = -EINVAL;
	return NULL;
}

/* ----------------------------------------------------------- references */

void emu_map_get(struct emu_map *map)
{
	atomic_fetch_add_explicit(&map->refcnt, 1, memory_order_relaxed);
}

static void map_free_deferred(struct emu_rcu_head *head)
{
	struct emu_map *map = (struct emu_map *)((char *)head - offsetof(struct emu_map, free_rcu));

	map->ops->free(map);
}

void emu_map_put(struct emu_map *map)
{
	if (atomic_fetch_sub_explicit(&map->refcnt, 1, memory_order_acq_rel) != 1)
		return;
	/* The id goes first so that GET_FD_BY_ID cannot find a dying map. */
	id_free(map);
	emu_map_unbind_def(map->self_def);
	/* A program on another thread may still be reading its elements: the
	 * memory goes after the grace period, like the kernel's RCU free. */
	emu_map_retire(&map->free_rcu, map_free_deferred);
}

void emu_map_get_uref(struct emu_map *map)
{
	atomic_fetch_add_explicit(&map->refcnt, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&map->usercnt, 1, memory_order_relaxed);
}

void emu_map_put_uref(struct emu_map *map)
{
	int i, n;

	if (atomic_fetch_sub_explicit(&map->usercnt, 1, memory_order_acq_rel) == 1) {
		if (map->ops->release_uref)
			map->ops->release_uref(map);
		n = atomic_load(&nr_uref_hooks);
		for (i = 0; i < n; i++) {
			emu_map_uref_fn fn = atomic_load(&uref_hooks[i]);

			if (fn)
				fn(map);
		}
	}
	emu_map_put(map);
}

/* -------------------------------------------------------- special fields */

void emu_map_copy_value(const struct emu_map *map, void *dst, const void *src)
{
	uint32_t i, off = 0;

	for (i = 0; i < map->nr_fields; i++) {
		const struct emu_field *f = &map->fields[i];

		memcpy((char *)dst + off, (const char *)src + off, f->offset - off);
		off = f->offset + f->size;
	}
	memcpy((char *)dst + off, (const char *)src + off, map->value_size - off);
}

void emu_map_copy_value_long(const struct emu_map *map, void *dst, const void *src)
{
	uint32_t i, off = 0, end = (map->value_size + 7) & ~7u;

	for (i = 0; i < map->nr_fields; i++) {
		const struct emu_field *f = &map->fields[i];

		memcpy((char *)dst + off, (const char *)src + off, f->offset - off);
		off = f->offset + f->size;
	}
	memcpy((char *)dst + off, (const char *)src + off, end - off);
}

void emu_map_zero_fields(const struct emu_map *map, void *value)
{
	uint32_t i;

	for (i = 0; i < map->nr_fields; i++)
		memset((char *)value + map->fields[i].offset, 0, map->fields[i].size);
}

void emu_map_free_fields(struct emu_map *map, void *value)
{
	uint32_t i;

	for (i = 0; i < map->nr_fields; i++) {
		const struct emu_field *f = &map->fields[i];
		emu_field_free_fn fn;

		/* spin locks have nothing to release */
		if (f->kind == EMU_FIELD_SPIN_LOCK)
			continue;
		fn = atomic_load(&field_free_fns[f->kind]);
		if (fn)
			fn(map, (char *)value + f->offset);
		else if (f->kind == EMU_FIELD_KPTR)
			memset((char *)value + f->offset, 0, f->size);
	}
}

/* Timers and wqs only (release_uref): other fields stay as they are. */
void emu_map_free_timers_wq(struct emu_map *map, void *value)
{
	uint32_t i;

	for (i = 0; i < map->nr_fields; i++) {
		const struct emu_field *f = &map->fields[i];
		emu_field_free_fn fn;

		if (f->kind != EMU_FIELD_TIMER && f->kind != EMU_FIELD_WQ)
			continue;
		fn = atomic_load(&field_free_fns[f->kind]);
		if (fn)
			fn(map, (char *)value + f->offset);
	}
}

/* A real spin lock on the 4-byte bpf_spin_lock word (emu/lock.h: the word
 * is its `held`). */
_Static_assert(sizeof(struct emu_lock) == sizeof(struct bpf_spin_lock), "bpf_spin_lock is one word");

void emu_map_spin_lock(void *lock)
{
	emu_lock(lock);
}

void emu_map_spin_unlock(void *lock)
{
	emu_unlock(lock);
}

void emu_map_copy_value_locked(const struct emu_map *map, void *dst, const void *src, bool lock_src)
{
	void *lock;

	lock = (char *)(lock_src ? (void *)src : dst) + map->spin_lock_off;
	emu_map_spin_lock(lock);
	emu_map_copy_value(map, dst, src);
	emu_map_spin_unlock(lock);
}

/* ----------------------------------------------------- definition binding */

/* An inline ARRAY binding's low check bits (map_fast.h): which plain copy
 * an inline update may make, and whether elements are other than 8 bytes
 * apart. */
static uintptr_t def_check_bits(const struct emu_map *map)
{
	uintptr_t bits = map->fast.stride == 8 ? 0 : BPFEMU_MAP_DEF_STRIDE_N;

	if (!(map->fast.flags & BPFEMU_MAP_FAST_F_UPDATE))
		return bits;
	if (map->fast.value_size == map->fast.stride)
		return bits | BPFEMU_MAP_DEF_UPD_STRIDE;
	return map->fast.value_size == 4 ? bits | BPFEMU_MAP_DEF_UPD_4 : bits;
}

/* Whether a binding of @map at a definition of @def_size bytes is an inline
 * ARRAY binding: the kind is fixed at creation, before any bind. */
static bool def_inline(const struct emu_map *map, size_t def_size)
{
	return map->fast.kind == BPFEMU_MAP_FAST_ARRAY && def_size >= 4 * sizeof(uintptr_t);
}

void emu_map_bind_def(void *def, size_t def_size, struct emu_map *map)
{
	_Atomic uintptr_t *slot = def;
	uintptr_t check = (uintptr_t)def ^ (uintptr_t)map ^ DEF_MAGIC;

	if (def_inline(map, def_size)) {
		atomic_store_explicit(&slot[2], (uintptr_t)map->fast.base, memory_order_relaxed);
		atomic_store_explicit(&slot[3], map->fast.max_entries | map->fast.stride << 32,
				      memory_order_relaxed);
		check = BPFEMU_MAP_DEF_ARRAY_CHECK(def) | def_check_bits(map);
	}
	/* the other words first, the check word last: a reader that sees the
	 * check word also sees what it vouches for */
	atomic_store_explicit(&slot[0], (uintptr_t)map, memory_order_relaxed);
	atomic_store_explicit(&slot[1], check, memory_order_release);
}

void emu_map_unbind_def(void *def)
{
	_Atomic uintptr_t *slot = def;

	if (!def)
		return;
	atomic_store_explicit(&slot[1], 0, memory_order_release);
	atomic_store_explicit(&slot[0], 0, memory_order_relaxed);
}

static void self_bind(struct emu_map *map)
{
	emu_map_bind_def(map->self_def, sizeof(map->self_def), map);
}

void *emu_map_def(struct emu_map *map)
{
	return map->self_def;
}

/* ------------------------------------------------------ element identity */

const void *emu_map_elem_key(struct emu_map *map, const void *value, uint32_t *idx_buf)
{
	if (!map || !value || !map->ops->elem_key)
		return NULL;
	return map->ops->elem_key(map, value, idx_buf);
}

/* ------------------------------------------------------------ grace periods */

/*
 * Two reader counters, as in SRCU: runs count themselves in the counter of
 * the current phase.  Retired objects collect in `cur`; to free them we
 * close the batch (it becomes `old`), flip the phase and wait -- without
 * blocking: we look again at every run exit and every retire -- until the
 * old phase's counter is 0.  A run that entered after the flip cannot have
 * seen the old batch's objects: they were unlinked before it.
 */
/* A full fence right after a seq_cst RMW: nothing more on x86 (the
 * lock prefix orders every later load), a fence instruction elsewhere. */
#if defined(__x86_64__) || defined(__i386__)
#define RMW_THEN_FULL_FENCE()	atomic_signal_fence(memory_order_seq_cst)
#else
#define RMW_THEN_FULL_FENCE()	atomic_thread_fence(memory_order_seq_cst)
#endif

static atomic_long rcu_readers[2];
static atomic_uint rcu_phase;
static atomic_bool rcu_pending;
static pthread_mutex_t rcu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct emu_rcu_head *rcu_cur, **rcu_cur_tail = &rcu_cur;
static struct emu_rcu_head *rcu_old, **rcu_old_tail = &rcu_old;
static unsigned int rcu_old_phase;
static _Thread_local unsigned int rcu_tls_depth;
static _Thread_local unsigned int rcu_tls_phase;
/* Retired inside this thread's read-side section: queued at its end. */
static _Thread_local struct emu_rcu_head *rcu_tls_head, **rcu_tls_tail;
/* Changes whenever this thread's list is handed over (emu_map_rcu_section). */
static _Thread_local unsigned long rcu_tls_gen;

/* See map.h; hashtab.c shares one map reference among the elements retired
 * under one id. */
unsigned long emu_map_rcu_section(void)
{
	return rcu_tls_depth ? (rcu_tls_gen << 1) | 1 : 0;
}

static void rcu_run_list(struct emu_rcu_head *h)
{
	while (h) {
		struct emu_rcu_head *next = h->next;

		h->fn(h);
		h = next;
	}
}

/* Advance as far as possible; returns the list whose grace period ended.
 * Called with rcu_lock held. */
static struct emu_rcu_head *rcu_advance_locked(void)
{
	struct emu_rcu_head *done = NULL, **done_tail = &done;

	/* Unlinks (release stores) before the reader counts are read. */
	atomic_thread_fence(memory_order_seq_cst);
	for (;;) {
		if (rcu_old) {
			if (atomic_load(&rcu_readers[rcu_old_phase]))
				break;
			*done_tail = rcu_old;
			done_tail = rcu_old_tail;
			rcu_old = NULL;
			rcu_old_tail = &rcu_old;
		}
		if (!rcu_cur)
			break;
		rcu_old = rcu_cur;
		rcu_old_tail = rcu_cur_tail;
		rcu_cur = NULL;
		rcu_cur_tail = &rcu_cur;
		rcu_old_phase = atomic_load(&rcu_phase) & 1;
		atomic_fetch_add(&rcu_phase, 1);
	}
	atomic_store(&rcu_pending, rcu_old || rcu_cur);
	return done;
}

static void rcu_advance(void)
{
	struct emu_rcu_head *done;

	pthread_mutex_lock(&rcu_lock);
	done = rcu_advance_locked();
	pthread_mutex_unlock(&rcu_lock);
	rcu_run_list(done);
}

void emu_map_rcu_enter(void)
{
	unsigned int phase;

	unsigned int seen;

	if (rcu_tls_depth++)
		return;
	/*
	 * Count ourselves in the current phase's counter, and make sure it is
	 * still the current one: a reader that read the phase, then saw a
	 * flip (whose batch was released before our increment landed) and a
	 * second retire before incrementing, would sit in a counter the next
	 * flip does not wait for -- and the element it then finds could be
	 * freed under it.  Re-reading the phase after the increment closes
	 * that: either the flipping writer sees our count (seq_cst RMW then
	 * load on both sides) or we see its flip and count again.
	 */
	for (;;) {
		seen = atomic_load(&rcu_phase);
		phase = seen & 1;
		atomic_fetch_add(&rcu_readers[phase], 1);
		/* Pairs with the fence in rcu_advance_locked(): either the writer
		 * sees this reader, or this reader's lookups see the writer's
		 * unlink.  The RMW alone does not order later plain/acquire loads
		 * on weakly ordered CPUs (arm64 Macs); on x86 a locked RMW is a
		 * full barrier already, and only the compiler needs telling. */
		RMW_THEN_FULL_FENCE();
		if (atomic_load(&rcu_phase) == seen)
			break;
		/* a batch may wait on this counter: the next retire or run exit
		 * advances it (our exit decrements the counter we end up in) */
		atomic_fetch_sub(&rcu_readers[phase], 1);
	}
	rcu_tls_phase = phase;
}

void emu_map_rcu_exit(void)
{
	struct emu_rcu_head *head, **tail, *done;

	if (!rcu_tls_depth || --rcu_tls_depth)
		return;
	rcu_tls_gen++;
	if (!rcu_tls_head) {
		if (atomic_fetch_sub(&rcu_readers[rcu_tls_phase], 1) == 1 &&
		    atomic_load(&rcu_pending))
			rcu_advance();
		return;
	}
	/* Leave first: our own retirees need not wait for us. */
	head = rcu_tls_head;
	tail = rcu_tls_tail;
	rcu_tls_head = NULL;
	atomic_fetch_sub(&rcu_readers[rcu_tls_phase], 1);
	pthread_mutex_lock(&rcu_lock);
	*rcu_cur_tail = head;
	rcu_cur_tail = tail;
	done = rcu_advance_locked();
	pthread_mutex_unlock(&rcu_lock);
	rcu_run_list(done);
}

/*
 * A quiescent point inside a long outermost section (the clock holds one
 * around a batch of timer callbacks, emu_run_batch_begin): between two
 * callbacks no pointer found by the first is used by the second, so leave
 * and enter again -- but only when something waits for that: this thread's
 * own retirees, or a flip since we entered (the batch being released waits
 * on our counter; at most one flip can happen while we are counted).
 * Otherwise nothing, and no atomic RMW.  Inside a nested section, nothing.
 */
void emu_map_rcu_quiesce(void)
{
	if (rcu_tls_depth != 1)
		return;
	if (!rcu_tls_head &&
	    (atomic_load_explicit(&rcu_phase, memory_order_relaxed) & 1) == rcu_tls_phase)
		return;
	emu_map_rcu_exit();
	emu_map_rcu_enter();
}

/*
 * Inside a read-side section (a program run: one retire per hash update or
 * delete) the object waits on this thread's list, without a lock, and
 * joins the shared queue when the section ends.  That only starts its grace
 * period later than necessary, never earlier: every reader that could see
 * it is still waited for.  Outside a section, queue and advance under one
 * hold of the lock.
 */
void emu_map_retire(struct emu_rcu_head *head, void (*fn)(struct emu_rcu_head *head))
{
	struct emu_rcu_head *done;

	head->fn = fn;
	head->next = NULL;
	if (rcu_tls_depth) {
		if (!rcu_tls_head)
			rcu_tls_tail = &rcu_tls_head;
		*rcu_tls_tail = head;
		rcu_tls_tail = &head->next;
		return;
	}
	pthread_mutex_lock(&rcu_lock);
	*rcu_cur_tail = head;
	rcu_cur_tail = &head->next;
	done = rcu_advance_locked();
	pthread_mutex_unlock(&rcu_lock);
	rcu_run_list(done);
}

void emu_map_rcu_barrier(void)
{
	struct emu_rcu_head *a, *b;

	pthread_mutex_lock(&rcu_lock);
	/* this thread's own retirees too, should a section still be open */
	rcu_tls_gen++;
	if (rcu_tls_head) {
		*rcu_cur_tail = rcu_tls_head;
		rcu_cur_tail = rcu_tls_tail;
		rcu_tls_head = NULL;
	}
	a = rcu_old;
	b = rcu_cur;
	if (rcu_old)
		*rcu_old_tail = rcu_cur;
	rcu_old = rcu_cur = NULL;
	rcu_old_tail = &rcu_old;
	rcu_cur_tail = &rcu_cur;
	atomic_store(&rcu_pending, false);
	pthread_mutex_unlock(&rcu_lock);
	rcu_run_list(a ? a : b);
}

/* ------------------------------------------------------------------ fds */

int emu_map_new_fd(struct emu_map *map, unsigned int fmode)
{
	return emu_fd_new(EMU_OBJ_MAP, map, fmode | map->ops->fd_flags);
}

/* ---------------------------------------------------------------- reset */

/* After fds, pins and objects went: run deferred frees, default CPUs, and
 * ids from 1 again when no map is left (deterministic ids per test). */
static void map_reset(void)
{
	emu_map_rcu_barrier();
	atomic_store(&nr_cpus, 4);
	pthread_mutex_lock(&ids_lock);
	if (!id_count)
		id_next = 1;
	pthread_mutex_unlock(&ids_lock);
}

static void __attribute__((constructor)) map_register_reset(void)
{
	emu_reset_register(map_reset, EMU_RESET_MAP);
}
