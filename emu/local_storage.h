/* SPDX-License-Identifier: MIT */
/*
 * Local storage: per-object data of BPF maps whose values live in the
 * object itself (cgroup storage; task, inode and socket storage would plug
 * in the same way).  The structure is the kernel's
 * (kernel/bpf/bpf_local_storage.c, cgrp_storage.md §2-§3), but for its
 * cache:
 *
 *   owner (struct cgroup) --> struct bpf_local_storage   (one per owner)
 *                               list:  elements, one per map, newest first
 *                               index: slot[map id], every linked element
 *                               lock
 *   struct emu_ls_map (one per map)
 *                               elems: every element of this map, on any
 *                                      owner (so freeing the map finds them)
 *                               id:    small and dense, given at creation
 *
 * The kernel keeps a 16-slot cache per owner, shared by all maps (a map's
 * slot is bpf_local_storage_cache_idx_get's least used one): with more
 * than 16 maps, maps evict each other and a get walks the owner's list,
 * then re-caches under the storage lock -- with 64 maps round robin some
 * 15 times the cost of a hit (57 against 3.7 ns on Linux 6.18 here).
 * Nothing a program can observe depends on that cache (a get returns the
 * element whether it hits or not), so bpfemu replaces it by an index that
 * never misses, for speed: each map of a storage type gets the lowest free
 * id of the type's pool (struct emu_ls_idpool), and each owner's storage an
 * array of element pointers indexed by map id.  An element is on its
 * owner's list iff it is in the owner's index; both change together, under
 * the storage lock.  The list stays for what walks all of an owner's
 * elements (destroying the owner) and for the kernel's order.
 *
 * An element is on both lists; it is linked and unlinked under its owner's
 * storage lock, then the map lock (always in that order).  The per-owner
 * storage is allocated with the first element and freed with the last; its
 * first index is part of the same allocation, sized for the ids in use.
 * An index too small for a new element's map id is replaced by a copy at
 * least twice as large before the element is linked (so a failed
 * allocation leaves nothing half done); the old index is retired.
 *
 * Readers take no lock: a get loads the index, bounds-checks the id, loads
 * the slot and checks the element still belongs to the map (an element
 * read through an index that was replaced, or just unlinked, has smap NULL;
 * a freed map's id is given to a new map only once its elements are all
 * unlinked).  Unlinked elements, storages and replaced indexes are freed
 * after a grace period (emu_map_retire), so a reader inside a BPF run (or
 * inside a storage operation, which enters one itself) never touches freed
 * memory, and a pointer a program got stays valid until its run ends --
 * the kernel's RCU guarantee.
 *
 * An owner's destroy and a map's free may run at once on two threads (the
 * owner's last reference and the map's go together).  As in the kernel,
 * the destroy runs inside a read-side section and the map's memory goes a
 * grace period after its last element was unlinked: a destroy that took
 * an element off the map's list may still release it (reading the map)
 * after the map's free found the list empty.  Whichever unlinks an
 * owner's last element retires the storage, and only that one.
 */
#ifndef BPFEMU_EMU_LOCAL_STORAGE_H
#define BPFEMU_EMU_LOCAL_STORAGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "map.h"

/*
 * Map ids of one storage type (cgroup storage has its own), in place of the
 * kernel's cache slot usage counts: the lowest free id first, so ids stay
 * dense and indexes small; an id is given back when its map is freed.
 */
struct emu_ls_idpool {
	pthread_mutex_t lock;
	uint64_t *used;			/* bitmap of nr_words words */
	uint32_t nr_words;
	uint32_t nr_used;
	/* Highest id in use + 1: how large a new owner's index starts. */
	_Atomic uint32_t limit;
};
#define EMU_LS_IDPOOL_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* A new owner's index has at least this many slots (the kernel's cache
 * size, BPF_LOCAL_STORAGE_CACHE_SIZE, so as small as its cache). */
#define EMU_LS_INDEX_MIN 16

struct emu_ls_map;

struct emu_ls_elem {
	/* Owner side, under the storage lock.  Lockless readers find
	 * elements through the index; the list is published with release
	 * stores all the same, so a walk without the lock stays possible. */
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

/* An owner's elements by map id; immutable but for its slots, which change
 * under the storage lock.  Replaced whole when too small. */
struct emu_ls_index {
	uint32_t nr;
	struct emu_rcu_head rcu;		/* retired once replaced */
	struct emu_ls_elem *_Atomic slot[];
};

struct bpf_local_storage {
	struct emu_ls_index *_Atomic index;	/* never NULL */
	struct emu_ls_elem *_Atomic list;	/* newest first */
	pthread_mutex_t lock;
	/* Where the owner points at us, cleared when the last element goes. */
	struct bpf_local_storage **owner_slot;
	struct emu_rcu_head rcu;
	/* Followed by the first index (the same allocation). */
};

struct emu_ls_map {
	struct emu_map map;
	struct emu_ls_idpool *ids;
	uint32_t id;				/* index slot on every owner */
	pthread_mutex_t lock;			/* elems */
	struct emu_ls_elem *elems;
	long nr_elems;
	struct emu_rcu_head rcu;		/* freed after its elements */
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

/*
 * bpf_local_storage_lookup: the element of @smap on the owner whose storage
 * is @ls (may be NULL), or NULL.  Lockless, inside a read-side section (or
 * under the storage lock); the kernel's cache update on a miss has no
 * equivalent, there is no miss.
 */
static inline struct emu_ls_elem *emu_ls_lookup_elem(struct bpf_local_storage *ls,
						     struct emu_ls_map *smap)
{
	struct emu_ls_index *idx;
	struct emu_ls_elem *e;

	if (!ls)
		return NULL;
	idx = atomic_load_explicit(&ls->index, memory_order_acquire);
	if (__builtin_expect(smap->id >= idx->nr, 0))
		return NULL;
	e = atomic_load_explicit(&idx->slot[smap->id], memory_order_acquire);
	if (e && atomic_load_explicit(&e->smap, memory_order_relaxed) == smap)
		return e;
	return NULL;
}

/* The same, its value. */
static inline void *emu_ls_lookup(struct bpf_local_storage *ls, struct emu_ls_map *smap)
{
	struct emu_ls_elem *e = emu_ls_lookup_elem(ls, smap);

	return e ? e->data : NULL;
}

/* bpf_local_storage_map_alloc_check (cgrp_storage.md §1, in order). */
int emu_ls_map_alloc_check(const struct emu_map_attr *attr);
/* Allocate a map of @attr, taking an id of @ids; NULL and *err (-ENOMEM). */
struct emu_map *emu_ls_map_alloc(const struct emu_map_attr *attr, struct emu_ls_idpool *ids,
				 int *err);
/* Unlink and free every element of the map on every owner, release the id;
 * the map's memory goes after a grace period. */
void emu_ls_map_free(struct emu_map *map);

/*
 * bpf_local_storage_update: create or replace the element of @smap on the
 * owner whose storage pointer is *@slot, with BPF_ANY / BPF_NOEXIST /
 * BPF_EXIST, optionally | BPF_F_LOCK (cgrp_storage.md §6).  @value may be
 * NULL (zeroes).  Returns the element's value, or NULL and *err: -EINVAL,
 * -EEXIST, -ENOENT, -ENOMEM (the element, the storage, or a larger index),
 * -EAGAIN (a concurrent first element).
 */
void *emu_ls_update(struct bpf_local_storage **slot, struct emu_ls_map *smap,
		    const void *value, uint64_t map_flags, int *err);

/* Unlink the element of @smap from the owner: 0 or -ENOENT. */
int emu_ls_delete(struct bpf_local_storage **slot, struct emu_ls_map *smap);

/* The owner is being freed: unlink and free all its elements, every map.
 * Opens its own read-side section (maps may be freed concurrently). */
void emu_ls_destroy(struct bpf_local_storage **slot);

/* Id of @map: its slot in every owner's index (tests, benchmarks). */
static inline unsigned int emu_ls_map_id(struct emu_map *map)
{
	return emu_ls_map_of(map)->id;
}

#endif /* BPFEMU_EMU_LOCAL_STORAGE_H */
