// SPDX-License-Identifier: MIT
/*
 * Map-in-map: BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS
 * (the kernel's kernel/bpf/map_in_map.c and the of-maps parts of
 * arraymap.c and hashtab.c; spec maps.md §6).
 *
 * An outer map holds references to other maps.  Its value as user space
 * sees it is a u32: an fd on update, the inner map's id on lookup.  A
 * program's bpf_map_lookup_elem() returns the inner map itself -- natively
 * its self-definition, emu_map_def(inner), which every helper taking a
 * `void *map` resolves -- or NULL for an empty slot.  Programs cannot update
 * or delete (the verifier's check_map_func_compatibility).
 *
 * Creation takes inner_map_fd, a template: its type, key_size, value_size,
 * map_flags and special-field layout (the kernel's btf_record) are what
 * every inserted map must have (bpf_map_meta_equal); array templates also
 * fix max_entries unless they carry BPF_F_INNER_MAP (array_map_meta_equal).
 * The template map itself is not kept, only its description.
 *
 * A slot holds a refcnt reference on its inner map, never a usercnt one:
 * closing the inner map's last fd still runs its release_uref (timers
 * cancelled and freed) while it sits in the outer map (timers.md §8).
 * Replacing or deleting drops the reference after a grace period, so a
 * program that looked the inner map up can keep using it to the end of its
 * run; freeing the outer map drops them all.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "fd.h"
#include "map.h"

#define NUMA_NO_NODE_U32	((uint32_t)-1)
#define ARRAY_FLAG_MASK		(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | \
				 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
#define HASH_FLAG_MASK		(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | \
				 BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
				 BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED)
#define ACCESS_PROG		(BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
#define MAX_HASH_ENTRIES	(1u << 31)

/* What bpf_map_meta_alloc keeps of the template. */
struct mim_meta {
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t map_flags;
	uint32_t max_entries;
	uint32_t nr_fields;
	struct emu_field fields[EMU_MAX_FIELDS];
};

struct mim_elem {
	struct mim_elem *next;
	struct emu_map *inner;
	uint32_t hash;
	unsigned char key[];
};

struct emu_mim {
	struct emu_map map;
	struct mim_meta meta;
	/* ARRAY_OF_MAPS */
	_Atomic(struct emu_map *) *slots;
	/* HASH_OF_MAPS: chained buckets under one lock (programs read-lock) */
	pthread_rwlock_t lock;
	struct mim_elem **buckets;
	uint32_t n_buckets;
	uint32_t count;
};

/* A reference dropped after the grace period of programs in flight. */
struct mim_put {
	struct emu_rcu_head rcu;
	struct emu_map *inner;
};

static inline struct emu_mim *to_mim(struct emu_map *map)
{
	return (struct emu_mim *)map;
}

static inline bool is_array(const struct emu_map *map)
{
	return map->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS;
}

static void mim_put_rcu(struct emu_rcu_head *head)
{
	struct mim_put *p = (struct mim_put *)head;

	emu_map_put(p->inner);
	emu_free(p);
}

static void inner_put_deferred(struct emu_map *inner)
{
	struct mim_put *p;

	if (!inner)
		return;
	p = emu_malloc(sizeof(*p));
	if (!p) {
		/* the map itself is still freed after a grace period */
		emu_map_put(inner);
		return;
	}
	p->inner = inner;
	emu_map_retire(&p->rcu, mim_put_rcu);
}

/* ------------------------------------------------------------- template */

static void meta_from_map(struct mim_meta *meta, const struct emu_map *m)
{
	memset(meta, 0, sizeof(*meta));
	meta->map_type = m->map_type;
	meta->key_size = m->key_size;
	meta->value_size = m->value_size;
	meta->map_flags = m->map_flags;
	meta->max_entries = m->max_entries;
	meta->nr_fields = m->nr_fields;
	memcpy(meta->fields, m->fields, m->nr_fields * sizeof(m->fields[0]));
}

/* Types whose ops have map_meta_equal in the kernel (others: -ENOTSUPP). */
static bool type_can_be_inner(uint32_t t)
{
	switch (t) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
		return true;
	default:
		return false;	/* CGRP_STORAGE: no map_meta_equal on 6.18 */
	}
}

/* bpf_map_meta_alloc: -EBADF / -EINVAL for the fd, -EINVAL for a map of
 * maps (one level only), -ENOTSUPP for a type that cannot be inner. */
static int meta_alloc(struct mim_meta *meta, int inner_map_fd)
{
	struct emu_map *inner;
	int err = 0;

	inner = emu_fd_get(inner_map_fd, EMU_OBJ_MAP, &err);
	if (!inner)
		return err;
	if (inner->map_type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    inner->map_type == BPF_MAP_TYPE_HASH_OF_MAPS)
		return -EINVAL;
	if (!type_can_be_inner(inner->map_type))
		return -ENOTSUPP;
	meta_from_map(meta, inner);
	return 0;
}

/* bpf_map_meta_equal (btf_record_equal on the special fields), and for
 * array templates array_map_meta_equal's max_entries rule. */
static bool meta_equal(const struct mim_meta *meta, const struct emu_map *m)
{
	uint32_t i;

	if (meta->map_type != m->map_type || meta->key_size != m->key_size ||
	    meta->value_size != m->value_size || meta->map_flags != m->map_flags ||
	    meta->nr_fields != m->nr_fields)
		return false;
	for (i = 0; i < meta->nr_fields; i++)
		if (meta->fields[i].kind != m->fields[i].kind ||
		    meta->fields[i].offset != m->fields[i].offset)
			return false;
	if ((meta->map_type == BPF_MAP_TYPE_ARRAY || meta->map_type == BPF_MAP_TYPE_PERCPU_ARRAY) &&
	    !(meta->map_flags & BPF_F_INNER_MAP))
		return meta->max_entries == m->max_entries;
	return true;
}

/* bpf_map_fd_get_ptr: the map behind @ufd with a new refcnt, or NULL. */
static struct emu_map *fd_get_ptr(struct emu_mim *o, uint32_t ufd, int *err)
{
	struct emu_map *inner;
	unsigned int fmode;

	inner = emu_fd_hold((int)ufd, EMU_OBJ_MAP, &fmode, err);
	if (!inner)
		return NULL;
	if (!meta_equal(&o->meta, inner)) {
		emu_fd_release(EMU_OBJ_MAP, inner);
		*err = -EINVAL;
		return NULL;
	}
	return inner;	/* the hold is the slot's refcnt */
}

/* ---------------------------------------------------------------- create */

/* fd_array_map_alloc_check, then array_map_alloc_check, in their order. */
static int mim_array_alloc_check(const struct emu_map_attr *attr)
{
	if (attr->value_size != sizeof(uint32_t) || (attr->map_flags & ACCESS_PROG))
		return -EINVAL;
	if (attr->max_entries == 0 || attr->key_size != 4 || (attr->map_flags & ~ARRAY_FLAG_MASK))
		return -EINVAL;
	return 0;
}

/* fd_htab_map_alloc_check, then htab_map_alloc_check. */
static int mim_hash_alloc_check(const struct emu_map_attr *attr)
{
	if (attr->value_size != sizeof(uint32_t))
		return -EINVAL;
	if ((attr->map_flags & ~HASH_FLAG_MASK) || (attr->map_flags & ACCESS_PROG) == ACCESS_PROG)
		return -EINVAL;
	if (attr->map_flags & BPF_F_NO_COMMON_LRU)
		return -EINVAL;		/* only for LRU hashes */
	if (attr->max_entries == 0 || attr->key_size == 0)
		return -EINVAL;
	return 0;
}

static void mim_free(struct emu_map *map)
{
	struct emu_mim *o = to_mim(map);
	uint32_t i;

	/* past the outer map's grace period: drop every inner reference now */
	if (o->slots) {
		for (i = 0; i < map->max_entries; i++) {
			struct emu_map *inner = atomic_load(&o->slots[i]);

			if (inner)
				emu_map_put(inner);
		}
		emu_free((void *)o->slots);
	}
	if (o->buckets) {
		for (i = 0; i < o->n_buckets; i++) {
			struct mim_elem *e = o->buckets[i];

			while (e) {
				struct mim_elem *next = e->next;

				emu_map_put(e->inner);
				emu_free(e);
				e = next;
			}
		}
		emu_free(o->buckets);
	}
	if (!is_array(map))
		pthread_rwlock_destroy(&o->lock);
	emu_free(o);
}

static struct emu_map *mim_alloc(const struct emu_map_attr *attr, int *err)
{
	struct emu_mim *o;
	uint64_t n;

	o = emu_calloc(1, sizeof(*o));
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	emu_map_init_from_attr(&o->map, attr);
	/* array_of_map_alloc / htab_of_map_alloc: the template first */
	*err = meta_alloc(&o->meta, attr->inner_map_fd);
	if (*err) {
		emu_free(o);
		return NULL;
	}
	if (is_array(&o->map)) {
		o->slots = emu_calloc(attr->max_entries, sizeof(*o->slots));
		if (!o->slots)
			goto out_nomem;
		return &o->map;
	}
	pthread_rwlock_init(&o->lock, NULL);
	if (attr->max_entries > MAX_HASH_ENTRIES) {
		*err = -E2BIG;
		mim_free(&o->map);
		return NULL;
	}
	for (n = 1; n < attr->max_entries; n <<= 1)
		;
	o->n_buckets = (uint32_t)n;
	o->buckets = emu_calloc(o->n_buckets, sizeof(*o->buckets));
	if (!o->buckets)
		goto out_nomem;
	return &o->map;

out_nomem:
	*err = -ENOMEM;
	mim_free(&o->map);
	return NULL;
}

/* -------------------------------------------------------- program side */

static void *mim_array_lookup(struct emu_map *map, const void *key)
{
	uint32_t idx = *(const uint32_t *)key;
	struct emu_map *inner;

	if (idx >= map->max_entries)
		return NULL;
	inner = atomic_load_explicit(&to_mim(map)->slots[idx], memory_order_acquire);
	return inner ? emu_map_def(inner) : NULL;
}

static uint32_t key_hash(const void *key, uint32_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;
	uint32_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

static struct mim_elem *find_locked(struct emu_mim *o, const void *key, uint32_t hash,
				    struct mim_elem ***link)
{
	struct mim_elem **pp = &o->buckets[hash & (o->n_buckets - 1)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->hash == hash && !memcmp((*pp)->key, key, o->map.key_size))
			break;
	if (link)
		*link = pp;
	return *pp;
}

static void *mim_hash_lookup(struct emu_map *map, const void *key)
{
	struct emu_mim *o = to_mim(map);
	struct mim_elem *e;
	void *def = NULL;

	pthread_rwlock_rdlock(&o->lock);
	e = find_locked(o, key, key_hash(key, map->key_size), NULL);
	if (e)
		def = emu_map_def(e->inner);
	pthread_rwlock_unlock(&o->lock);
	return def;
}

/* check_map_func_compatibility: of-maps reach bpf_map_lookup_elem only.
 * (No for_each: the verifier refuses a callback for them, -ENOTSUPP,
 * which bpf_for_each_map_elem says for any map without one.) */
static long mim_prog_update(struct emu_map *map, const void *key, const void *value, uint64_t flags)
{
	(void)key, (void)value, (void)flags;
	emu_verifier_reject(-EINVAL, "map_func_incompatible",
			    "cannot pass map_type %u into func bpf_map_update_elem", map->map_type);
	return -EINVAL;
}

static long mim_prog_delete(struct emu_map *map, const void *key)
{
	(void)key;
	emu_verifier_reject(-EINVAL, "map_func_incompatible",
			    "cannot pass map_type %u into func bpf_map_delete_elem", map->map_type);
	return -EINVAL;
}

/* ---------------------------------------------------- ARRAY_OF_MAPS, sys */

/* bpf_fd_array_map_lookup_elem: an empty or out-of-range slot is -ENOENT. */
static int mim_array_lookup_sys(struct emu_map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t idx = *(const uint32_t *)key;
	struct emu_map *inner;
	uint32_t id;

	(void)flags;
	if (idx >= map->max_entries)
		return -ENOENT;
	emu_map_rcu_enter();
	inner = atomic_load_explicit(&to_mim(map)->slots[idx], memory_order_acquire);
	id = inner ? inner->id : 0;
	emu_map_rcu_exit();
	if (!inner)
		return -ENOENT;
	memcpy(value, &id, sizeof(id));
	return 0;
}

/* bpf_fd_array_map_update_elem: BPF_ANY only, then the index, then the fd. */
static int mim_array_update_sys(struct emu_map *map, const void *key, const void *value,
				uint64_t flags)
{
	uint32_t idx = *(const uint32_t *)key, ufd;
	struct emu_map *inner, *old;
	int err = 0;

	if (flags != BPF_ANY)
		return -EINVAL;
	if (idx >= map->max_entries)
		return -E2BIG;
	memcpy(&ufd, value, sizeof(ufd));
	inner = fd_get_ptr(to_mim(map), ufd, &err);
	if (!inner)
		return err;
	old = atomic_exchange(&to_mim(map)->slots[idx], inner);
	inner_put_deferred(old);
	return 0;
}

/* fd_array_map_delete_elem */
static int mim_array_delete_sys(struct emu_map *map, const void *key)
{
	uint32_t idx = *(const uint32_t *)key;
	struct emu_map *old;

	if (idx >= map->max_entries)
		return -E2BIG;
	old = atomic_exchange(&to_mim(map)->slots[idx], NULL);
	if (!old)
		return -ENOENT;
	inner_put_deferred(old);
	return 0;
}

/* array_map_get_next_key */
static int mim_array_get_next_key(struct emu_map *map, const void *key, void *next_key)
{
	uint32_t idx = key ? *(const uint32_t *)key : UINT32_MAX;
	uint32_t next;

	if (idx >= map->max_entries) {
		next = 0;
	} else {
		if (idx == map->max_entries - 1)
			return -ENOENT;
		next = idx + 1;
	}
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

/* ----------------------------------------------------- HASH_OF_MAPS, sys */

/* bpf_fd_htab_map_lookup_elem */
static int mim_hash_lookup_sys(struct emu_map *map, const void *key, void *value, uint64_t flags)
{
	struct emu_mim *o = to_mim(map);
	struct mim_elem *e;
	uint32_t id = 0;

	(void)flags;
	pthread_rwlock_rdlock(&o->lock);
	e = find_locked(o, key, key_hash(key, map->key_size), NULL);
	if (e)
		id = e->inner->id;
	pthread_rwlock_unlock(&o->lock);
	if (!e)
		return -ENOENT;
	memcpy(value, &id, sizeof(id));
	return 0;
}

/* bpf_fd_htab_map_update_elem: the fd first, then htab_map_update_elem's
 * flag checks (-EINVAL, -EEXIST, -ENOENT) and a full map (-E2BIG). */
static int mim_hash_update_sys(struct emu_map *map, const void *key, const void *value,
			       uint64_t flags)
{
	struct emu_mim *o = to_mim(map);
	uint32_t hash = key_hash(key, map->key_size), ufd;
	struct mim_elem *e, **link, *fresh = NULL;
	struct emu_map *inner, *old = NULL;
	int err = 0;

	memcpy(&ufd, value, sizeof(ufd));
	inner = fd_get_ptr(o, ufd, &err);
	if (!inner)
		return err;
	if (flags > BPF_EXIST) {
		err = -EINVAL;
		goto out_put;
	}
	pthread_rwlock_wrlock(&o->lock);
	e = find_locked(o, key, hash, &link);
	if (e && flags == BPF_NOEXIST)
		err = -EEXIST;
	else if (!e && flags == BPF_EXIST)
		err = -ENOENT;
	else if (!e && o->count >= map->max_entries)
		err = -E2BIG;
	if (err)
		goto out_unlock;
	if (e) {
		old = e->inner;
		e->inner = inner;
	} else {
		fresh = emu_malloc(sizeof(*fresh) + map->key_size);
		if (!fresh) {
			err = -ENOMEM;
			goto out_unlock;
		}
		fresh->next = NULL;
		fresh->inner = inner;
		fresh->hash = hash;
		memcpy(fresh->key, key, map->key_size);
		*link = fresh;
		o->count++;
	}
	inner = NULL;
out_unlock:
	pthread_rwlock_unlock(&o->lock);
	inner_put_deferred(old);
out_put:
	if (inner)
		emu_map_put(inner);
	return err;
}

static int mim_hash_delete_sys(struct emu_map *map, const void *key)
{
	struct emu_mim *o = to_mim(map);
	struct mim_elem *e, **link;

	pthread_rwlock_wrlock(&o->lock);
	e = find_locked(o, key, key_hash(key, map->key_size), &link);
	if (e) {
		*link = e->next;
		o->count--;
	}
	pthread_rwlock_unlock(&o->lock);
	if (!e)
		return -ENOENT;
	inner_put_deferred(e->inner);
	emu_free(e);
	return 0;
}

/* htab_map_get_next_key: the next element in the key's bucket, else the
 * first of the following buckets; an unknown or NULL key starts over. */
static int mim_hash_get_next_key(struct emu_map *map, const void *key, void *next_key)
{
	struct emu_mim *o = to_mim(map);
	struct mim_elem *e = NULL;
	uint32_t b = 0;
	int err = 0;

	pthread_rwlock_rdlock(&o->lock);
	if (key) {
		uint32_t hash = key_hash(key, map->key_size);

		e = find_locked(o, key, hash, NULL);
		if (e) {
			b = (hash & (o->n_buckets - 1)) + 1;
			e = e->next;
		}
	}
	for (; !e && b < o->n_buckets; b++)
		e = o->buckets[b];
	if (e)
		memcpy(next_key, e->key, map->key_size);
	else
		err = -ENOENT;
	pthread_rwlock_unlock(&o->lock);
	return err;
}

static uint32_t mim_hash_batch_n_buckets(struct emu_map *map)
{
	return to_mim(map)->n_buckets;
}

/* One bucket of a lookup (and delete) batch: values are the inner maps'
 * ids, as for a lookup.  Deleted slots drop their reference after the
 * unlock, as mim_hash_delete_sys does. */
static uint32_t mim_hash_batch_bucket(struct emu_map *map, uint32_t b, void *keys, void *values,
				      uint32_t cap, uint64_t elem_flags, bool do_delete)
{
	struct emu_mim *o = to_mim(map);
	struct mim_elem *e, *dead = NULL, **link;
	uint32_t n = 0, i = 0;

	(void)elem_flags;	/* BPF_F_LOCK was refused: no spin lock in a u32 */
	if (do_delete)
		pthread_rwlock_wrlock(&o->lock);
	else
		pthread_rwlock_rdlock(&o->lock);
	for (e = o->buckets[b]; e; e = e->next)
		n++;
	if (n > cap)
		goto out_unlock;
	for (e = o->buckets[b]; e; e = e->next, i++) {
		memcpy((char *)keys + (size_t)i * map->key_size, e->key, map->key_size);
		memcpy((char *)values + (size_t)i * sizeof(uint32_t), &e->inner->id,
		       sizeof(uint32_t));
	}
	if (do_delete) {
		link = &o->buckets[b];
		dead = *link;
		*link = NULL;
		o->count -= n;
	}
out_unlock:
	pthread_rwlock_unlock(&o->lock);
	while (dead) {
		e = dead;
		dead = e->next;
		inner_put_deferred(e->inner);
		emu_free(e);
	}
	return n;
}

/* ------------------------------------------------------------------- ops */

static const struct emu_map_ops mim_array_ops = {
	.alloc_check = mim_array_alloc_check,
	.alloc = mim_alloc,
	.free = mim_free,
	.lookup = mim_array_lookup,
	.update = mim_prog_update,
	.delete = mim_prog_delete,
	.lookup_sys = mim_array_lookup_sys,
	.update_sys = mim_array_update_sys,
	.delete_sys = mim_array_delete_sys,
	.get_next_key = mim_array_get_next_key,
	/* array_of_maps_map_ops: generic lookup (empty slots skipped) and update */
	.batch_cmds = EMU_BATCH_LOOKUP | EMU_BATCH_UPDATE,
};

static const struct emu_map_ops mim_hash_ops = {
	.alloc_check = mim_hash_alloc_check,
	.alloc = mim_alloc,
	.free = mim_free,
	.lookup = mim_hash_lookup,
	.update = mim_prog_update,
	.delete = mim_prog_delete,
	.lookup_sys = mim_hash_lookup_sys,
	.update_sys = mim_hash_update_sys,
	.delete_sys = mim_hash_delete_sys,
	.get_next_key = mim_hash_get_next_key,
	/* htab_of_maps_map_ops: BATCH_OPS(htab) */
	.batch_cmds = EMU_BATCH_LOOKUP | EMU_BATCH_LOOKUP_AND_DELETE | EMU_BATCH_UPDATE |
		      EMU_BATCH_DELETE,
	.batch_n_buckets = mim_hash_batch_n_buckets,
	.batch_bucket = mim_hash_batch_bucket,
};

void emu_map_in_map_register(void)
{
	emu_map_register_type(BPF_MAP_TYPE_ARRAY_OF_MAPS, &mim_array_ops);
	emu_map_register_type(BPF_MAP_TYPE_HASH_OF_MAPS, &mim_hash_ops);
}
