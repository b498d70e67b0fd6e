/* SPDX-License-Identifier: MIT */
/*
 * Local storage: per-object data of BPF maps whose values live in the
 * object itself (cgroup storage; task, inode and socket storage would plug
 * in the same way).  The structure is the kernel's
 * (kernel/bpf/bpf_local_storage.c, cgrp_storage.md §2-§3):
 *
 *   owner (struct cgroup) --> struct bpf_local_storage   (one per owner)
 *                               list:  elements, one per map, newest first
 *                               cache: 16 slots, indexed by the map's slot
 *                               lock
 *   struct emu_ls_map (one per map)
 *                               elems: every element of this map, on any
 *                                      owner (so freeing the map finds them)
 *                               cache_idx: slot given at creation
 *
 * An element is on both lists; it is linked and unlinked under its owner's
 * storage lock, then the map lock (always in that order).  The per-owner
 * storage is allocated with the first element and freed with the last.
 *
 * Readers take no lock: a hit is cache[map->cache_idx], checked to belong
 * to the map; a miss walks the owner's list.  Unlinked elements and
 * storages are freed after a grace period (emu_map_retire), so a reader
 * inside a BPF run (or inside a storage operation, which enters one itself)
 * never touches freed memory, and a pointer a program got stays valid until
 * its run ends -- the kernel's RCU guarantee.
 */
#ifndef BPFEMU_EMU_LOCAL_STORAGE_H
#define BPFEMU_EMU_LOCAL_STORAGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "map.h"

#define EMU_LS_CACHE_SIZE 16	/* BPF_LOCAL_STORAGE_CACHE_SIZE */

/* Slot usage of one storage type (cgroup storage has its own). */
struct emu_ls_cache {
	pthread_mutex_t lock;
	uint64_t idx_usage[EMU_LS_CACHE_SIZE];
};
#define EMU_LS_CACHE_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

struct emu_ls_map;

struct emu_ls_elem {
	/* Owner side, under the storage lock; readers follow snext only. */
	struct emu_ls_elem *_Atomic snext;
	struct emu_ls_elem *sprev;
	/* The map this element belongs to while it is linked to its owner's
	 * storage; NULL once unlinked (what lockless readers check). */
	struct emu_ls_map *_Atomic smap;
	struct bpf_local_storage *storage;	/* owner's storage; set at link */
	/* Map side, under the map lock. */
	struct emu_ls_elem *mnext, *mprev;
	struct emu_ls_map *owner_map;		/* never changes */
	bool map_linked;
	struct emu_rcu_head rcu;
	/* The value: value_size bytes, 8-byte aligned. */
	uint64_t data[];
};

struct bpf_local_storage {
	struct emu_ls_elem *_Atomic cache[EMU_LS_CACHE_SIZE];
	struct emu_ls_elem *_Atomic list;	/* newest first */
	pthread_mutex_t lock;
	/* Where the owner points at us, cleared when the last element goes. */
	struct bpf_local_storage **owner_slot;
	struct emu_rcu_head rcu;
};

struct emu_ls_map {
	struct emu_map map;
	struct emu_ls_cache *cache;
	uint16_t cache_idx;
	pthread_mutex_t lock;			/* elems */
	struct emu_ls_elem *elems;
	long nr_elems;
};

static inline struct emu_ls_map *emu_ls_map_of(struct emu_map *map)
{
	return (struct emu_ls_map *)map;
}

/* The owner's storage, or NULL (a lockless read of the owner's pointer). */
static inline struct bpf_local_storage *emu_ls_storage(struct bpf_local_storage **slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

struct emu_ls_elem *emu_ls_lookup_slow(struct bpf_local_storage *ls, struct emu_ls_map *smap,
				       bool cacheit);

/*
 * bpf_local_storage_lookup: the element of @smap on the owner whose storage
 * is @ls (may be NULL), or NULL.  @cacheit: on a miss in the cache that
 * finds the element in the list, remember it in the cache.
 */
static inline void *emu_ls_lookup(struct bpf_local_storage *ls, struct emu_ls_map *smap,
				  bool cacheit)
{
	struct emu_ls_elem *e;

	if (!ls)
		return NULL;
	e = atomic_load_explicit(&ls->cache[smap->cache_idx], memory_order_acquire);
	if (e && atomic_load_explicit(&e->smap, memory_order_relaxed) == smap)
		return e->data;
	e = emu_ls_lookup_slow(ls, smap, cacheit);
	return e ? e->data : NULL;
}

/* bpf_local_storage_map_alloc_check (cgrp_storage.md §1, in order). */
int emu_ls_map_alloc_check(const struct emu_map_attr *attr);
/* Allocate a map of @attr, taking a cache slot of @cache; NULL and *err. */
struct emu_map *emu_ls_map_alloc(const struct emu_map_attr *attr, struct emu_ls_cache *cache,
				 int *err);
/* Unlink and free every element of the map on every owner, release the slot. */
void emu_ls_map_free(struct emu_map *map);

/*
 * bpf_local_storage_update: create or replace the element of @smap on the
 * owner whose storage pointer is *@slot, with BPF_ANY / BPF_NOEXIST /
 * BPF_EXIST, optionally | BPF_F_LOCK (cgrp_storage.md §6).  @value may be
 * NULL (zeroes).  Returns the element's value, or NULL and *err: -EINVAL,
 * -EEXIST, -ENOENT, -ENOMEM, -EAGAIN (a concurrent first element).
 */
void *emu_ls_update(struct bpf_local_storage **slot, struct emu_ls_map *smap,
		    const void *value, uint64_t map_flags, int *err);

/* Unlink the element of @smap from the owner: 0 or -ENOENT. */
int emu_ls_delete(struct bpf_local_storage **slot, struct emu_ls_map *smap);

/* The owner is being freed: unlink and free all its elements, every map. */
void emu_ls_destroy(struct bpf_local_storage **slot);

/* Slot of @map (tests, benchmarks). */
static inline unsigned int emu_ls_cache_idx(struct emu_map *map)
{
	return emu_ls_map_of(map)->cache_idx;
}

#endif /* BPFEMU_EMU_LOCAL_STORAGE_H */
