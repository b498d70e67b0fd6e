/* SPDX-License-Identifier: MIT */
/*
 * Local storage core, generic over the owner (see local_storage.h for the
 * data structure and the locking rules).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "local_storage.h"

/*
 * BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX - sizeof(struct
 * bpf_local_storage_elem), whose data part is cache-line aligned (128 bytes
 * on x86-64).  Observed on 6.18: 65407 is created, 65408 gives -E2BIG.
 */
#define EMU_LS_MAX_VALUE_SIZE 65407

#define LS_CREATE_FLAG_MASK (BPF_F_NO_PREALLOC | BPF_F_CLONE)

int emu_ls_map_alloc_check(const struct emu_map_attr *attr)
{
	/* One -EINVAL for all of these in the kernel, in this order. */
	if (attr->map_flags & ~LS_CREATE_FLAG_MASK)
		return -EINVAL;
	if (!(attr->map_flags & BPF_F_NO_PREALLOC))
		return -EINVAL;
	if (attr->max_entries)
		return -EINVAL;
	if (attr->key_size != sizeof(int))
		return -EINVAL;
	if (!attr->value_size)
		return -EINVAL;
	/* BTF is mandatory (for sk storage dumping, kept for every type): the
	 * loader gives type ids to maps defined with __type(key) and
	 * __type(value), as libbpf does; __uint(key_size, 4) has none. */
	if (!attr->btf_key_type_id || !attr->btf_value_type_id)
		return -EINVAL;
	if (attr->value_size > EMU_LS_MAX_VALUE_SIZE)
		return -E2BIG;
	return 0;
}

/* The least used slot, lowest index on ties (bpf_local_storage_cache_idx_get). */
static uint16_t cache_idx_get(struct emu_ls_cache *cache)
{
	uint64_t min_usage = UINT64_MAX;
	uint16_t i, res = 0;

	pthread_mutex_lock(&cache->lock);
	for (i = 0; i < EMU_LS_CACHE_SIZE; i++) {
		if (cache->idx_usage[i] < min_usage) {
			min_usage = cache->idx_usage[i];
			res = i;
			if (!min_usage)
				break;
		}
	}
	cache->idx_usage[res]++;
	pthread_mutex_unlock(&cache->lock);
	return res;
}

static void cache_idx_free(struct emu_ls_cache *cache, uint16_t idx)
{
	pthread_mutex_lock(&cache->lock);
	cache->idx_usage[idx]--;
	pthread_mutex_unlock(&cache->lock);
}

struct emu_map *emu_ls_map_alloc(const struct emu_map_attr *attr, struct emu_ls_cache *cache,
				 int *err)
{
	struct emu_ls_map *smap;

	smap = emu_calloc(1, sizeof(*smap));
	if (!smap) {
		*err = -ENOMEM;
		return NULL;
	}
	emu_map_init_from_attr(&smap->map, attr);
	pthread_mutex_init(&smap->lock, NULL);
	smap->cache = cache;
	smap->cache_idx = cache_idx_get(cache);
	return &smap->map;
}

/* ------------------------------------------------------------ elements */

static void elem_free_rcu(struct emu_rcu_head *head)
{
	emu_free((char *)head - offsetof(struct emu_ls_elem, rcu));
}

static void storage_free_rcu(struct emu_rcu_head *head)
{
	struct bpf_local_storage *ls = (void *)((char *)head - offsetof(struct bpf_local_storage, rcu));

	pthread_mutex_destroy(&ls->lock);
	emu_free(ls);
}

/* An unlinked element: release its special fields now (as the kernel's
 * bpf_selem_free does), its memory after the grace period. */
static void elem_retire(struct emu_ls_elem *e)
{
	emu_map_free_fields(&e->owner_map->map, e->data);
	emu_map_retire(&e->rcu, elem_free_rcu);
}

/* bpf_selem_alloc: zeroed, then @value copied without its special fields. */
static struct emu_ls_elem *elem_alloc(struct emu_ls_map *smap, const void *value)
{
	size_t vsize = ((size_t)smap->map.value_size + 7) & ~(size_t)7;
	struct emu_ls_elem *e;

	e = emu_calloc(1, sizeof(*e) + vsize);
	if (!e)
		return NULL;
	e->owner_map = smap;
	if (value)
		emu_map_copy_value(&smap->map, e->data, value);
	return e;
}

/* Never linked: free at once. */
static void elem_free_now(struct emu_ls_elem *e)
{
	if (!e)
		return;
	emu_map_free_fields(&e->owner_map->map, e->data);
	emu_free(e);
}

static void link_map(struct emu_ls_elem *e)
{
	struct emu_ls_map *smap = e->owner_map;

	pthread_mutex_lock(&smap->lock);
	e->mprev = NULL;
	e->mnext = smap->elems;
	if (smap->elems)
		smap->elems->mprev = e;
	smap->elems = e;
	e->map_linked = true;
	smap->nr_elems++;
	pthread_mutex_unlock(&smap->lock);
}

static void unlink_map(struct emu_ls_elem *e)
{
	struct emu_ls_map *smap = e->owner_map;

	pthread_mutex_lock(&smap->lock);
	if (e->map_linked) {
		if (e->mprev)
			e->mprev->mnext = e->mnext;
		else
			smap->elems = e->mnext;
		if (e->mnext)
			e->mnext->mprev = e->mprev;
		e->map_linked = false;
		smap->nr_elems--;
	}
	pthread_mutex_unlock(&smap->lock);
}

/* Link at the head of the owner's list (publishes the element).
 * Called with ls->lock held. */
static void link_storage(struct bpf_local_storage *ls, struct emu_ls_elem *e)
{
	struct emu_ls_elem *first = atomic_load_explicit(&ls->list, memory_order_relaxed);

	e->storage = ls;
	e->sprev = NULL;
	atomic_store_explicit(&e->snext, first, memory_order_relaxed);
	atomic_store_explicit(&e->smap, e->owner_map, memory_order_relaxed);
	if (first)
		first->sprev = e;
	atomic_store_explicit(&ls->list, e, memory_order_release);
}

/*
 * Unlink from the owner's list and its cache slot.  The element keeps its
 * snext, so a lockless reader standing on it walks on.  Returns true if the
 * list is now empty.  Called with ls->lock held.
 */
static bool unlink_storage(struct bpf_local_storage *ls, struct emu_ls_elem *e)
{
	struct emu_ls_elem *next = atomic_load_explicit(&e->snext, memory_order_relaxed);
	uint16_t idx = e->owner_map->cache_idx;

	if (e->sprev)
		atomic_store_explicit(&e->sprev->snext, next, memory_order_release);
	else
		atomic_store_explicit(&ls->list, next, memory_order_release);
	if (next)
		next->sprev = e->sprev;
	if (atomic_load_explicit(&ls->cache[idx], memory_order_relaxed) == e)
		atomic_store_explicit(&ls->cache[idx], NULL, memory_order_release);
	atomic_store_explicit(&e->smap, NULL, memory_order_relaxed);
	return !atomic_load_explicit(&ls->list, memory_order_relaxed);
}

/* The last element went: the owner no longer points at the storage.
 * Called with ls->lock held; the caller retires @ls after unlocking. */
static void storage_detach(struct bpf_local_storage *ls)
{
	__atomic_store_n(ls->owner_slot, NULL, __ATOMIC_RELEASE);
}

/* bpf_selem_unlink: both sides, if still linked; frees the storage with
 * its last element. */
static void selem_unlink(struct emu_ls_elem *e)
{
	struct bpf_local_storage *ls = e->storage;
	bool linked, empty = false;

	pthread_mutex_lock(&ls->lock);
	linked = atomic_load_explicit(&e->smap, memory_order_relaxed) != NULL;
	if (linked) {
		empty = unlink_storage(ls, e);
		if (empty)
			storage_detach(ls);
	}
	unlink_map(e);
	pthread_mutex_unlock(&ls->lock);
	if (!linked)
		return;
	elem_retire(e);
	if (empty)
		emu_map_retire(&ls->rcu, storage_free_rcu);
}

struct emu_ls_elem *emu_ls_lookup_slow(struct bpf_local_storage *ls, struct emu_ls_map *smap,
				       bool cacheit)
{
	struct emu_ls_elem *e;

	for (e = atomic_load_explicit(&ls->list, memory_order_acquire); e;
	     e = atomic_load_explicit(&e->snext, memory_order_acquire))
		if (atomic_load_explicit(&e->smap, memory_order_relaxed) == smap)
			break;
	if (!e || !cacheit)
		return e;
	/* Only an element still linked may enter the cache, else a deleted
	 * one could be found again through it. */
	pthread_mutex_lock(&ls->lock);
	if (atomic_load_explicit(&e->smap, memory_order_relaxed) == smap)
		atomic_store_explicit(&ls->cache[smap->cache_idx], e, memory_order_release);
	pthread_mutex_unlock(&ls->lock);
	return e;
}

static struct emu_ls_elem *elem_of(void *data)
{
	return data ? (struct emu_ls_elem *)((char *)data - offsetof(struct emu_ls_elem, data)) : NULL;
}

/* check_flags: the mode against what exists. */
static int check_flags(const void *old, uint64_t map_flags)
{
	/* The element exists: BPF_NOEXIST refuses to replace it. */
	if (old && (map_flags & ~BPF_F_LOCK) == BPF_NOEXIST)
		return -EEXIST;
	/* It does not: BPF_EXIST refuses to create it. */
	if (!old && (map_flags & ~BPF_F_LOCK) == BPF_EXIST)
		return -ENOENT;
	return 0;
}

/*
 * bpf_local_storage_alloc: the owner's first element.  Publishing the new
 * storage races with another first element: the loser gets -EAGAIN, as in
 * the kernel (cmpxchg on the owner's pointer).
 */
static int storage_alloc(struct bpf_local_storage **slot, struct emu_ls_elem *first)
{
	struct bpf_local_storage *ls, *expected = NULL;

	ls = emu_calloc(1, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	pthread_mutex_init(&ls->lock, NULL);
	ls->owner_slot = slot;
	/* Not yet visible: no reader, but the map side is shared. */
	first->storage = ls;
	link_map(first);
	link_storage(ls, first);
	if (!__atomic_compare_exchange_n(slot, &expected, ls, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		unlink_map(first);
		pthread_mutex_destroy(&ls->lock);
		emu_free(ls);
		return -EAGAIN;
	}
	return 0;
}

void *emu_ls_update(struct bpf_local_storage **slot, struct emu_ls_map *smap,
		    const void *value, uint64_t map_flags, int *err)
{
	struct emu_ls_elem *e = NULL, *old_e, *result;
	struct bpf_local_storage *ls;
	void *old;
	int ret;

	if ((map_flags & ~BPF_F_LOCK) > BPF_EXIST ||
	    ((map_flags & BPF_F_LOCK) && smap->map.spin_lock_off < 0)) {
		ret = -EINVAL;
		goto out_err;
	}

	ls = emu_ls_storage(slot);
	if (!ls || !atomic_load_explicit(&ls->list, memory_order_acquire)) {
		/* Very first element of the owner. */
		ret = check_flags(NULL, map_flags);
		if (ret)
			goto out_err;
		e = elem_alloc(smap, value);
		if (!e) {
			ret = -ENOMEM;
			goto out_err;
		}
		ret = storage_alloc(slot, e);
		if (ret)
			goto out_free_elem;
		return e->data;
	}

	if ((map_flags & BPF_F_LOCK) && !(map_flags & BPF_NOEXIST)) {
		/* Hoping for an in-place update that needs neither a new element
		 * nor the storage lock. */
		old = emu_ls_lookup(ls, smap, false);
		ret = check_flags(old, map_flags);
		if (ret)
			goto out_err;
		if (old && atomic_load_explicit(&elem_of(old)->smap, memory_order_relaxed)) {
			emu_map_copy_value_locked(&smap->map, old, value, false);
			return old;
		}
	}

	/* A lookup just said a new element is needed: allocate it first,
	 * outside the lock. */
	e = elem_alloc(smap, value);
	if (!e) {
		ret = -ENOMEM;
		goto out_err;
	}

	pthread_mutex_lock(&ls->lock);
	if (!atomic_load_explicit(&ls->list, memory_order_relaxed)) {
		/* The last element went meanwhile and the storage is being
		 * freed: the kernel does not retry either. */
		ret = -EAGAIN;
		goto out_unlock;
	}
	old_e = emu_ls_lookup_slow(ls, smap, false);
	ret = check_flags(old_e, map_flags);
	if (ret)
		goto out_unlock;
	if (old_e && (map_flags & BPF_F_LOCK)) {
		emu_map_copy_value_locked(&smap->map, old_e->data, value, false);
		result = old_e;
		pthread_mutex_unlock(&ls->lock);
		elem_free_now(e);
		return result->data;
	}
	/* Link the new element (map, then owner), then drop the old one:
	 * a replacement is new memory; pointers to the old value go stale. */
	e->storage = ls;
	link_map(e);
	link_storage(ls, e);
	if (old_e) {
		unlink_storage(ls, old_e);
		unlink_map(old_e);
	}
	pthread_mutex_unlock(&ls->lock);
	if (old_e)
		elem_retire(old_e);
	return e->data;

out_unlock:
	pthread_mutex_unlock(&ls->lock);
out_free_elem:
	elem_free_now(e);
out_err:
	*err = ret;
	return NULL;
}

int emu_ls_delete(struct bpf_local_storage **slot, struct emu_ls_map *smap)
{
	struct bpf_local_storage *ls = emu_ls_storage(slot);
	struct emu_ls_elem *e;

	e = ls ? emu_ls_lookup_slow(ls, smap, false) : NULL;
	if (!e)
		return -ENOENT;
	selem_unlink(e);
	return 0;
}

void emu_ls_destroy(struct bpf_local_storage **slot)
{
	struct bpf_local_storage *ls = emu_ls_storage(slot);
	struct emu_ls_elem *e, *dead = NULL;

	if (!ls)
		return;
	pthread_mutex_lock(&ls->lock);
	while ((e = atomic_load_explicit(&ls->list, memory_order_relaxed))) {
		unlink_storage(ls, e);
		unlink_map(e);
		/* Off the map list now: mnext is ours to chain the dead. */
		e->mnext = dead;
		dead = e;
	}
	storage_detach(ls);
	pthread_mutex_unlock(&ls->lock);
	while ((e = dead)) {
		dead = e->mnext;
		elem_retire(e);
	}
	emu_map_retire(&ls->rcu, storage_free_rcu);
}

void emu_ls_map_free(struct emu_map *map)
{
	struct emu_ls_map *smap = emu_ls_map_of(map);
	struct emu_ls_elem *e;

	if (!smap)
		return;
	/*
	 * An owner being freed on another thread unlinks its elements from
	 * our list before it retires its storage; inside a read-side section
	 * an element still on our list therefore has a storage that cannot be
	 * freed under us.
	 */
	emu_map_rcu_enter();
	for (;;) {
		pthread_mutex_lock(&smap->lock);
		e = smap->elems;
		pthread_mutex_unlock(&smap->lock);
		if (!e)
			break;
		selem_unlink(e);
	}
	emu_map_rcu_exit();
	cache_idx_free(smap->cache, smap->cache_idx);
	pthread_mutex_destroy(&smap->lock);
	emu_free(smap);
}
