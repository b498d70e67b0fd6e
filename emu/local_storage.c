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

/* ------------------------------------------------------------- map ids */

/*
 * The lowest free id of @ids (bpf_local_storage_cache_idx_get's place: the
 * kernel hands out cache slots, shared; ids are each map's own).  The
 * bitmap grows by doubling and goes with the last id, so nothing stays
 * allocated once every map is freed.
 */
static int idpool_get(struct emu_ls_idpool *ids, uint32_t *id)
{
	uint32_t w, nr_words, limit;
	uint64_t *used;

	pthread_mutex_lock(&ids->lock);
	for (w = 0; w < ids->nr_words; w++)
		if (~ids->used[w])
			break;
	if (w == ids->nr_words) {
		nr_words = ids->nr_words ? ids->nr_words * 2 : 1;
		used = emu_calloc(nr_words, sizeof(*used));
		if (!used) {
			pthread_mutex_unlock(&ids->lock);
			return -ENOMEM;
		}
		if (ids->nr_words)
			memcpy(used, ids->used, ids->nr_words * sizeof(*used));
		emu_free(ids->used);
		ids->used = used;
		ids->nr_words = nr_words;
	}
	*id = w * 64 + (uint32_t)__builtin_ctzll(~ids->used[w]);
	ids->used[w] |= 1ull << (*id % 64);
	ids->nr_used++;
	limit = atomic_load_explicit(&ids->limit, memory_order_relaxed);
	if (*id >= limit)
		atomic_store_explicit(&ids->limit, *id + 1, memory_order_relaxed);
	pthread_mutex_unlock(&ids->lock);
	return 0;
}

static void idpool_put(struct emu_ls_idpool *ids, uint32_t id)
{
	uint32_t limit;

	pthread_mutex_lock(&ids->lock);
	ids->used[id / 64] &= ~(1ull << (id % 64));
	if (!--ids->nr_used) {
		emu_free(ids->used);
		ids->used = NULL;
		ids->nr_words = 0;
		limit = 0;
	} else {
		limit = atomic_load_explicit(&ids->limit, memory_order_relaxed);
		while (limit && !(ids->used[(limit - 1) / 64] & (1ull << ((limit - 1) % 64))))
			limit--;
	}
	atomic_store_explicit(&ids->limit, limit, memory_order_relaxed);
	pthread_mutex_unlock(&ids->lock);
}

struct emu_map *emu_ls_map_alloc(const struct emu_map_attr *attr, struct emu_ls_idpool *ids,
				 int *err)
{
	struct emu_ls_map *smap;

	smap = emu_calloc(1, sizeof(*smap));
	if (!smap || idpool_get(ids, &smap->id)) {
		emu_free(smap);
		*err = -ENOMEM;
		return NULL;
	}
	emu_map_init_from_attr(&smap->map, attr);
	pthread_mutex_init(&smap->lock, NULL);
	smap->ids = ids;
	return &smap->map;
}

/* ------------------------------------------------------------- indexes */

static size_t index_size(uint32_t nr)
{
	return sizeof(struct emu_ls_index) + (size_t)nr * sizeof(struct emu_ls_elem *);
}

/* The first index, in the storage's own allocation: not freed apart. */
static struct emu_ls_index *storage_first_index(struct bpf_local_storage *ls)
{
	return (struct emu_ls_index *)(ls + 1);
}

static void index_free_rcu(struct emu_rcu_head *head)
{
	emu_free((char *)head - offsetof(struct emu_ls_index, rcu));
}

/*
 * Make the index of @ls hold @id: if it is too small, publish a copy at
 * least twice as large and return the old one in *@old, which the caller
 * retires once it has dropped the lock.  Called with ls->lock held, before
 * the element is linked: a failure (-ENOMEM) leaves everything as it was.
 */
static int index_reserve(struct bpf_local_storage *ls, uint32_t id, struct emu_ls_index **old)
{
	struct emu_ls_index *idx = atomic_load_explicit(&ls->index, memory_order_relaxed), *nidx;
	uint32_t i, nr;

	*old = NULL;
	if (id < idx->nr)
		return 0;
	nr = idx->nr * 2 > id + 1 ? idx->nr * 2 : id + 1;
	nidx = emu_calloc(1, index_size(nr));
	if (!nidx)
		return -ENOMEM;
	nidx->nr = nr;
	for (i = 0; i < idx->nr; i++)
		atomic_init(&nidx->slot[i],
			    atomic_load_explicit(&idx->slot[i], memory_order_relaxed));
	atomic_store_explicit(&ls->index, nidx, memory_order_release);
	/* The first index goes with the storage; later ones on their own. */
	if (idx != storage_first_index(ls))
		*old = idx;
	return 0;
}

static void index_retire(struct emu_ls_index *idx)
{
	if (idx)
		emu_map_retire(&idx->rcu, index_free_rcu);
}

/* ------------------------------------------------------------ elements */

static void elem_free_rcu(struct emu_rcu_head *head)
{
	emu_free((char *)head - offsetof(struct emu_ls_elem, rcu));
}

static void storage_free_rcu(struct emu_rcu_head *head)
{
	struct bpf_local_storage *ls = (void *)((char *)head - offsetof(struct bpf_local_storage, rcu));
	struct emu_ls_index *idx = atomic_load_explicit(&ls->index, memory_order_relaxed);

	if (idx != storage_first_index(ls))
		emu_free(idx);
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

/* Link at the head of the owner's list and into its index (publishes the
 * element; the index holds its map's id: index_reserve).  Called with
 * ls->lock held. */
static void link_storage(struct bpf_local_storage *ls, struct emu_ls_elem *e)
{
	struct emu_ls_elem *first = atomic_load_explicit(&ls->list, memory_order_relaxed);
	struct emu_ls_index *idx = atomic_load_explicit(&ls->index, memory_order_relaxed);

	e->storage = ls;
	e->sprev = NULL;
	atomic_store_explicit(&e->snext, first, memory_order_relaxed);
	atomic_store_explicit(&e->smap, e->owner_map, memory_order_relaxed);
	if (first)
		first->sprev = e;
	atomic_store_explicit(&ls->list, e, memory_order_release);
	/* A replaced element of the same map leaves the slot to us. */
	atomic_store_explicit(&idx->slot[e->owner_map->id], e, memory_order_release);
}

/*
 * Unlink from the owner's list and its index.  The element keeps its
 * snext, so a walker standing on it walks on; a reader that reaches it
 * through the index (or an index since replaced) sees smap NULL.  Returns
 * true if the list is now empty.  Called with ls->lock held.
 */
static bool unlink_storage(struct bpf_local_storage *ls, struct emu_ls_elem *e)
{
	struct emu_ls_elem *next = atomic_load_explicit(&e->snext, memory_order_relaxed);
	struct emu_ls_index *idx = atomic_load_explicit(&ls->index, memory_order_relaxed);
	uint32_t id = e->owner_map->id;

	if (e->sprev)
		atomic_store_explicit(&e->sprev->snext, next, memory_order_release);
	else
		atomic_store_explicit(&ls->list, next, memory_order_release);
	if (next)
		next->sprev = e->sprev;
	/* Linked means indexed; the slot may hold the element replacing us. */
	if (atomic_load_explicit(&idx->slot[id], memory_order_relaxed) == e)
		atomic_store_explicit(&idx->slot[id], NULL, memory_order_relaxed);
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
	struct emu_ls_idpool *ids = first->owner_map->ids;
	struct bpf_local_storage *ls, *expected = NULL;
	struct emu_ls_index *idx;
	uint32_t nr;

	/* Room for every id in use now: maps are usually all created before
	 * the owners get storage, so the index rarely grows. */
	nr = atomic_load_explicit(&ids->limit, memory_order_relaxed);
	if (nr <= first->owner_map->id)
		nr = first->owner_map->id + 1;
	if (nr < EMU_LS_INDEX_MIN)
		nr = EMU_LS_INDEX_MIN;
	ls = emu_calloc(1, sizeof(*ls) + index_size(nr));
	if (!ls)
		return -ENOMEM;
	idx = storage_first_index(ls);
	idx->nr = nr;
	atomic_init(&ls->index, idx);
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
	struct emu_ls_index *old_idx = NULL;
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
		old = emu_ls_lookup(ls, smap);
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
	old_e = emu_ls_lookup_elem(ls, smap);
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
	/* A replaced element holds the slot already; a new one may need a
	 * larger index, made before anything is linked. */
	if (!old_e) {
		ret = index_reserve(ls, smap->id, &old_idx);
		if (ret)
			goto out_unlock;
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
	index_retire(old_idx);
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

	e = emu_ls_lookup_elem(ls, smap);
	if (!e)
		return -ENOENT;
	selem_unlink(e);
	return 0;
}

void emu_ls_destroy(struct bpf_local_storage **slot)
{
	struct bpf_local_storage *ls;
	struct emu_ls_elem *e, *dead = NULL;

	/*
	 * A read-side section around all of it, as bpf_cgrp_storage_free's
	 * rcu_read_lock around bpf_local_storage_destroy.  Maps being freed
	 * on other threads may unlink our elements meanwhile: the one that
	 * takes the last retires the storage, which must not be freed before
	 * we are done with its lock.  And once our elements are off their
	 * maps' lists, a map's free may find its list empty: it frees the map
	 * only after a grace period (emu_ls_map_free), which waits for us to
	 * have released every element -- elem_retire reads its map.
	 */
	emu_map_rcu_enter();
	ls = emu_ls_storage(slot);
	if (!ls)
		goto out;
	pthread_mutex_lock(&ls->lock);
	if (!atomic_load_explicit(&ls->list, memory_order_relaxed)) {
		/* Emptied meanwhile by the frees of its maps: whoever took
		 * the last element detached and retired the storage. */
		pthread_mutex_unlock(&ls->lock);
		goto out;
	}
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
out:
	emu_map_rcu_exit();
}

static void map_free_rcu(struct emu_rcu_head *head)
{
	struct emu_ls_map *smap = (void *)((char *)head - offsetof(struct emu_ls_map, rcu));

	pthread_mutex_destroy(&smap->lock);
	emu_free(smap);
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
	/* Every element is unlinked: no index holds one of ours for a new
	 * map with our id to find. */
	idpool_put(smap->ids, smap->id);
	/*
	 * But an owner's destroy may have unlinked the last of them, and
	 * still be about to release it, reading us (emu_ls_destroy): the map
	 * goes after a grace period, which waits for that destroy's section
	 * -- bpf_local_storage_map_free's second synchronize_rcu.
	 */
	emu_map_retire(&smap->rcu, map_free_rcu);
}
