/* SPDX-License-Identifier: MIT */
/*
 * Map objects: the generic core every map type plugs into through a
 * struct emu_map_ops (one table per type, like the kernel's bpf_map_ops).
 *
 * References, as the kernel keeps them (spec maps.md §6):
 *   refcnt  - keeps the object alive: programs (used maps), inner-map slots,
 *             and every user reference below.
 *   usercnt - user space: fds (each open file description), pins, iterators.
 *             Reaching 0 runs ops->release_uref (timers: cancel and free all),
 *             then the hooks registered with emu_map_on_uref_zero().
 * emu_map_get/put move refcnt; emu_map_get_uref/put_uref move both.
 * The last put frees the map (ops->free frees every element's special fields).
 *
 * Special fields (bpf_timer, bpf_wq, bpf_spin_lock, ...) live at fixed offsets
 * in the value, known at creation (from the generator's reading of the value
 * type, the equivalent of BTF).  The core never copies them on update, zeroes
 * them in copies handed to user space, and calls the owning family's
 * free hook when an element dies or is overwritten (emu_map_free_fields).
 */
#ifndef BPFEMU_EMU_MAP_H
#define BPFEMU_EMU_MAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <bpfemu/map_fast.h>

#include "fd.h"

struct emu_map;

/* Deferred free past a grace period (emu_map_retire). */
struct emu_rcu_head {
	struct emu_rcu_head *next;
	void (*fn)(struct emu_rcu_head *head);
};

/* Kinds of special field; bit i of emu_map.field_mask = kind i present. */
enum emu_field_kind {
	EMU_FIELD_SPIN_LOCK,
	EMU_FIELD_TIMER,
	EMU_FIELD_WQ,
	EMU_FIELD_KPTR,
	EMU_FIELD_NR,
};

struct emu_field {
	enum emu_field_kind kind;
	uint32_t offset;
	uint32_t size;
};

#define EMU_MAX_FIELDS 8

/* Everything BPF_MAP_CREATE can say, plus the special-field layout. */
struct emu_map_attr {
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	char name[BPF_OBJ_NAME_LEN];
	bool has_btf;			/* btf key/value type ids were given */
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
	int inner_map_fd;		/* map-in-map template, -1 if none */
	uint32_t map_ifindex;		/* offload: no emulated device, -EINVAL */
	uint32_t nr_fields;
	struct emu_field fields[EMU_MAX_FIELDS];
};

/* emu_map_ops.batch_cmds */
#define EMU_BATCH_LOOKUP		0x1
#define EMU_BATCH_LOOKUP_AND_DELETE	0x2
#define EMU_BATCH_UPDATE		0x4
#define EMU_BATCH_DELETE		0x8

struct emu_map_ops {
	/* Type checks of the attributes, in the kernel's order; 0 or -errno. */
	int (*alloc_check)(const struct emu_map_attr *attr);
	/* Allocate the type's object (embedding struct emu_map); *err on NULL. */
	struct emu_map *(*alloc)(const struct emu_map_attr *attr, int *err);
	/* Free everything, including every element's special fields. */
	void (*free)(struct emu_map *map);

	/* Program-side (helpers 1-3).  lookup returns a pointer into the map. */
	void *(*lookup)(struct emu_map *map, const void *key);
	long (*update)(struct emu_map *map, const void *key, const void *value, uint64_t flags);
	long (*delete)(struct emu_map *map, const void *key);

	/* User-space side (bpf(2) element commands); NULL op = -ENOTSUPP/-EINVAL
	 * as the kernel gives for that command.  Values are copied; per-CPU maps
	 * transfer round_up(value_size, 8) * nr_cpus bytes. */
	int (*lookup_sys)(struct emu_map *map, const void *key, void *value, uint64_t flags);
	int (*update_sys)(struct emu_map *map, const void *key, const void *value, uint64_t flags);
	int (*delete_sys)(struct emu_map *map, const void *key);
	int (*get_next_key)(struct emu_map *map, const void *key, void *next_key);
	int (*lookup_and_delete_sys)(struct emu_map *map, const void *key, void *value, uint64_t flags);

	/*
	 * BPF_MAP_*_BATCH (emu/map_batch.c): which of the four commands the
	 * type has (EMU_BATCH_* bits, the kernel's map_*_batch ops); the others
	 * are -ENOTSUPP.  Update and delete batches run update_sys/delete_sys
	 * per element; a lookup batch walks get_next_key + lookup_sys unless
	 * the type is bucket-wise (hash types: batch_bucket set), which is
	 * also what a lookup-and-delete batch needs.
	 * batch_n_buckets: the number of buckets.
	 * batch_bucket: under the type's lock, how many elements bucket @b
	 * holds; only if they all fit in @cap, their keys and values (user
	 * layout, special fields zeroed, BPF_F_LOCK copies under the value's
	 * lock) copied to @keys/@values and, with @do_delete, unlinked.
	 */
	unsigned int batch_cmds;
	uint32_t (*batch_n_buckets)(struct emu_map *map);
	uint32_t (*batch_bucket)(struct emu_map *map, uint32_t b, void *keys, void *values,
				 uint32_t cap, uint64_t elem_flags, bool do_delete);

	/* bpf_for_each_map_elem (helper 164); NULL = not supported. */
	long (*for_each)(struct emu_map *map, void *callback_fn, void *ctx, uint64_t flags);

	/* usercnt reached 0 (ARRAY/HASH/LRU: cancel and free timers and wqs). */
	void (*release_uref)(struct emu_map *map);

	/* Readiness for poll(2) on the map fd, as POLLIN/POLLOUT bits (ring buffers). */
	int (*poll)(struct emu_map *map);

	/* Element identity (emu_map_elem_key); NULL = no elements. */
	const void *(*elem_key)(struct emu_map *map, const void *value, uint32_t *idx_buf);

	/* EMU_FD_POLLIN / EMU_FD_POLLOUT (fd.h) for the type's fds, 0 otherwise:
	 * which readiness the user's descriptor reports (ring buffers). */
	unsigned int fd_flags;
};

struct emu_map {
	/* What inline ARRAY bindings of a definition are filled from
	 * (include/bpfemu/map_fast.h); kind NONE unless the type fills it. */
	struct bpfemu_map_fast fast;
	const struct emu_map_ops *ops;
	uint32_t map_type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint64_t map_extra;
	uint32_t id;			/* like the kernel's map id; never reused */
	char name[BPF_OBJ_NAME_LEN];
	bool has_btf;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;

	atomic_long refcnt;
	atomic_long usercnt;

	uint32_t nr_fields;
	uint32_t field_mask;		/* 1u << enum emu_field_kind */
	struct emu_field fields[EMU_MAX_FIELDS];
	int32_t timer_off;		/* offset of the bpf_timer, -1 if none */
	int32_t spin_lock_off;		/* offset of the bpf_spin_lock, -1 if none */
	int32_t wq_off;			/* offset of the bpf_wq, -1 if none */

	/* Private to the timer family: its per-map state (live timers list). */
	void *timer_state;

	/* Private to the core. */
	void *core_priv;

	/* Per-CPU maps: number of per-CPU copies (emu_nr_cpus() at creation). */
	uint32_t nr_cpus;
	uint32_t numa_node;
	atomic_bool frozen;		/* BPF_MAP_FREEZE: no more syscall writes */
	/* A definition bound to this map itself (emu_map_def): what callbacks
	 * receive as their `map` argument when no definition is at hand. */
	void *self_def[4];
	struct emu_rcu_head free_rcu;	/* the last emu_map_put's deferred free */
};

/* bpf_map_value_size: what one value is in user space (lookup, update,
 * batches); per-CPU maps transfer one 8-aligned value per CPU. */
static inline size_t emu_map_sys_value_size(const struct emu_map *map)
{
	switch (map->map_type) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
		return (size_t)((map->value_size + 7) & ~7u) * map->nr_cpus;
	default:
		return map->value_size;
	}
}

/* First thing a type's ops->alloc does: copy the generic attributes into
 * @map, refcnt 1, usercnt 0, no special fields, nr_cpus = emu_nr_cpus(). */
void emu_map_init_from_attr(struct emu_map *map, const struct emu_map_attr *attr);

/* Create a map from @attr: generic checks, then ops->alloc_check, alloc.
 * Returns the map with refcnt 1, usercnt 0 (caller adds user refs), or NULL
 * and *err.  Does not create an fd (see fd.h). */
struct emu_map *emu_map_create(const struct emu_map_attr *attr, int *err);

void emu_map_get(struct emu_map *map);
void emu_map_put(struct emu_map *map);
void emu_map_get_uref(struct emu_map *map);
void emu_map_put_uref(struct emu_map *map);

/* Hooks run (after ops->release_uref) whenever a map's usercnt reaches 0. */
typedef void (*emu_map_uref_fn)(struct emu_map *map);
void emu_map_on_uref_zero(emu_map_uref_fn fn);

/* Register the ops table of a map type (each type file does this from a
 * constructor, or emu/map.c lists them statically). */
void emu_map_register_type(uint32_t map_type, const struct emu_map_ops *ops);

/*
 * Special-field plumbing, used by every map type:
 *  emu_map_copy_value   - copy value_size bytes skipping special fields
 *  emu_map_zero_fields  - zero the special fields of a buffer (user copies)
 *  emu_map_free_fields  - an element died or was overwritten: call each
 *                         present field kind's free hook (timer: cancel+free)
 *  emu_map_register_field_free - the family that owns a kind installs its hook
 */
void emu_map_copy_value(const struct emu_map *map, void *dst, const void *src);
/* copy_map_value_long: the same, through the value's padding to 8 bytes --
 * how user space writes each CPU's copy of a per-CPU value (the kernel
 * keeps the caller's padding bytes; a lookup gives them back). */
void emu_map_copy_value_long(const struct emu_map *map, void *dst, const void *src);
void emu_map_zero_fields(const struct emu_map *map, void *value);
void emu_map_free_fields(struct emu_map *map, void *value);
/* release_uref: the timer and wq fields only (other fields stay). */
void emu_map_free_timers_wq(struct emu_map *map, void *value);
typedef void (*emu_field_free_fn)(struct emu_map *map, void *field);
void emu_map_register_field_free(enum emu_field_kind kind, emu_field_free_fn fn);

/*
 * Resolve the `void *map` a BPF program passes to a helper (the address of
 * its map definition, or the pointer a callback received).  Fast path: the
 * loader stores the map in the definition's first pointer slot and a check
 * word in the second (see prog.h).  Returns NULL for anything that is not a
 * loaded map definition; callers then emu_verifier_reject(-EINVAL, "not_a_map",..).
 * It reads two words at @map_def, which may be any pointer a program passed
 * (a small object that is not a map definition at all): the reads must not
 * be instrumented, so that this becomes a "not_a_map" diagnostic, not an
 * ASan report.  Inline: every map helper resolves its argument with it.
 */
static inline __attribute__((no_sanitize_address, no_sanitize("thread")))
struct emu_map *emu_map_from_def(const void *map_def)
{
	const volatile uintptr_t *slot = (const volatile uintptr_t *)map_def;
	uintptr_t map, check;

	if (!map_def || ((uintptr_t)map_def & (sizeof(uintptr_t) - 1)))
		return NULL;
	check = slot[1];
	atomic_thread_fence(memory_order_acquire);
	map = slot[0];
	if (!map)
		return NULL;
	/* an inline ARRAY binding vouches for its words by its own address; any
	 * other binding's word is derived from the map too */
	if ((check & ~(uintptr_t)7) == BPFEMU_MAP_DEF_ARRAY_CHECK(map_def))
		return (struct emu_map *)map;
	if (check != ((uintptr_t)map_def ^ map ^ BPFEMU_MAP_DEF_MAGIC))
		return NULL;
	return (struct emu_map *)map;
}

/* Bind / unbind a map definition (loader).  @def must hold >= 2 pointers;
 * an ARRAY bound to one of >= 4 (@def_size bytes) takes the inline path of
 * <bpf/bpf_helper_defs.h> (map_fast.h). */
void emu_map_bind_def(void *def, size_t def_size, struct emu_map *map);
void emu_map_unbind_def(void *def);

/* Emulated CPU count for per-CPU maps (bpfemu_set_nr_cpus, default 4). */
int emu_nr_cpus(void);

/* A `void *map` that emu_map_from_def() resolves to @map (for callbacks). */
void *emu_map_def(struct emu_map *map);

/* Map by id with a new refcnt (inc_not_zero), or NULL (-ENOENT). */
struct emu_map *emu_map_get_by_id(uint32_t id);
/* Smallest live map id > @start_id, 0 if none. */
uint32_t emu_map_next_id(uint32_t start_id);

/*
 * Element identity, for the timer family (callback key argument, timer/map
 * mismatch diagnostics): if @value is the value address of an element of
 * @map, returns its key -- a pointer into the element for hash maps, or, for
 * arrays, @idx_buf filled with the index -- else NULL.
 */
const void *emu_map_elem_key(struct emu_map *map, const void *value, uint32_t *idx_buf);

/* Locked copies for BPF_F_LOCK: take the bpf_spin_lock of the destination
 * (or, with @lock_src, of the source) and copy skipping special fields. */
void emu_map_copy_value_locked(const struct emu_map *map, void *dst, const void *src, bool lock_src);
void emu_map_spin_lock(void *lock);		/* struct bpf_spin_lock * */
void emu_map_spin_unlock(void *lock);

/*
 * RCU-like protection of element memory against concurrent deletes.
 * Program-side lookups return pointers into elements without any lock; a
 * deleted or replaced element's memory is only freed (or, for preallocated
 * maps, recycled) once every BPF run that was in progress has left.
 * emu_run() calls emu_map_rcu_enter() at each outermost entry on a thread and
 * emu_map_rcu_exit() when it leaves (they nest safely).
 * emu_map_retire() defers @fn(@ptr) past such a grace period (immediately if
 * no run is in progress).  Must not be called with a map lock held.
 */
void emu_map_rcu_enter(void);
void emu_map_rcu_exit(void);
/* Between two independent runs inside one long section (a batch of timer
 * callbacks): let a grace period that waits on this thread pass (map.c). */
void emu_map_rcu_quiesce(void);
/* 0 outside a read-side section; inside, an id of this thread's current
 * retire list, which changes whenever the list is handed over (section end,
 * quiesce, barrier): objects retired under one id join the shared queue
 * together, in order, and are freed in that order by one thread. */
unsigned long emu_map_rcu_section(void);
void emu_map_retire(struct emu_rcu_head *head, void (*fn)(struct emu_rcu_head *head));
/* Run every deferred free now (no run may be in progress: reset, tests). */
void emu_map_rcu_barrier(void);

/*
 * One bpf_for_each_map_elem callback, long cb(map, key, value, ctx), called
 * through an int-returning pointer; a program's walk runs inside one nested
 * BPF entry (EMU_ENTRY_CALLBACK) of the helper's.  Returns 0 (continue),
 * 1 (stop), or -EINVAL for a return outside [0, 1].
 */
long emu_map_for_each_call(void *callback_fn, void *map_def, const void *key, void *value, void *ctx);

/* map_get_sys_perms: what a descriptor of @map may do from user space
 * (EMU_FD_RDONLY/WRONLY of its open file; a frozen map is read-only to
 * every descriptor). */
static inline bool emu_map_fd_can_read(unsigned int fmode)
{
	return !(fmode & EMU_FD_WRONLY);
}

static inline bool emu_map_fd_can_write(const struct emu_map *map, unsigned int fmode)
{
	return !(fmode & EMU_FD_RDONLY) && !atomic_load(&map->frozen);
}

/* New user fd for @map (usercnt+refcnt), @fmode: EMU_FD_RDONLY/WRONLY/0. */
int emu_map_new_fd(struct emu_map *map, unsigned int fmode);

/*
 * Every map type, registered by map.c on first use -- the kernel's
 * bpf_types.h list.  Naming them here (not only from constructors in their
 * own files) matters: in a static library an object file nobody references
 * is never linked, so a test that only calls bpf_map_create() for a ring
 * buffer or cgroup storage would otherwise find the type unknown.
 */
void emu_array_register(void);
void emu_htab_register(void);
void emu_ringbuf_register(void);	/* RINGBUF, USER_RINGBUF (ringbuf.c) */
void emu_cgrp_storage_register(void);	/* CGRP_STORAGE (local_storage users) */
void emu_map_in_map_register(void);	/* ARRAY_OF_MAPS, HASH_OF_MAPS (map_in_map.c) */

#endif /* BPFEMU_EMU_MAP_H */
