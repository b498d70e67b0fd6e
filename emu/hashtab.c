// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH
 * (kernel/bpf/hashtab.c, spec maps.md §3).
 *
 * Layout as the kernel's: element header, key padded to 8, value (per-CPU
 * maps: nr_cpus values of round_up(value_size, 8)).  The value pointer is
 * key + round_up(key_size, 8).
 *
 * Concurrency: writers (update, delete, eviction) take the map's lock
 * (emu/lock.h, a spinlock as the kernel's bucket locks: its sections never
 * sleep), which also guards the free list; program-side lookups take
 * nothing.  Bucket chains are singly linked with atomic next pointers and
 * end in a "nulls" marker naming their bucket, so a reader that followed
 * an element which moved to another bucket notices and restarts, as with
 * the kernel's hlist_nulls.  An unlinked element's
 * memory is recycled (prealloc) or freed only after a grace period
 * (emu_map_retire), so a running program's pointers stay readable; old
 * pointers are nevertheless stale, since an update of a key always links
 * a new element (except BPF_F_LOCK and per-CPU updates, in place as in the
 * kernel).  An element is written only before it is published (release
 * store of the bucket link) and after its grace period: while reachable its
 * header and key bytes never change, so a lookup never compares a key
 * being written.  The one exception is value bytes, which BPF does not make
 * atomic: BPF_F_LOCK and per-CPU updates copy into a live value, programs
 * write into values through their pointers, user-space lookups copy values
 * out -- a program reading meanwhile may see a mix, as on the kernel.
 * Those races are the program's (TSan reports them in the program's code);
 * the map's own accesses do not race with each other.
 *
 * LRU: approximate policy, second chance.  Elements sit on one list, newest
 * first; a program lookup sets the element's referenced bit; eviction
 * scans from the oldest end, giving referenced elements another round.  It
 * happens when an update needs a node and all max_entries are in use --
 * before the flags are checked, as in the kernel, so a failing update may
 * still have evicted another key.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "alloc.h"
#include "ctx.h"
#include "err.h"
#include "lock.h"
#include "map.h"
#include "nofault.h"

#define PCPU_MIN_UNIT_SIZE	(32 << 10)
#define KMALLOC_MAX_SIZE	(4u << 20)	/* x86-64, SLUB: 1 << (PAGE_SHIFT + MAX_PAGE_ORDER) */
#define KERNEL_HTAB_ELEM_SIZE	48		/* sizeof(struct htab_elem) on 64-bit */
#define NUMA_NO_NODE_U32	((uint32_t)-1)
#define HTAB_CREATE_FLAG_MASK	(BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | \
				 BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | \
				 BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED)
#define ELEM_MAGIC		0x68746162656c656dULL	/* "htabelem" */
#define MAX_AREA		((uint64_t)1 << 36)
/* Bounds of the cache of extra (non-pool) elements, see elem_put_locked. */
#define EXTRA_CACHE_MIN		256u
#define EXTRA_CACHE_MAX		4096u

struct emu_htab;

/*
 * 48 bytes before the key, so a 4- or 8-byte key with an 8-byte value is
 * one 64-byte line (the pool is line-aligned): a lookup walking a chain
 * reads next, hash, key and value from one line.  Readers touch only
 * next, hash, ref, key and value.  The union holds what an element needs
 * in each of its states, which never overlap: linked (LRU list links),
 * retired (grace-period callback), free (free list).
 */
struct htab_elem {
	_Atomic uintptr_t next;		/* next element, or NULLS(bucket) */
	uint32_t hash;
	uint8_t in_pool;
	atomic_uchar ref;			/* LRU referenced bit */
	uint8_t holds_ref;		/* retired: holds the map reference of its batch */
	uint64_t magic;
	struct emu_htab *owner;
	union {
		struct {
			struct htab_elem *lru_prev, *lru_next;	/* linked; under htab->lock */
		};
		struct emu_rcu_head rcu;	/* retired, until its grace period ends */
		struct htab_elem *free_next;	/* on the free list; under htab->lock */
	};
	char key[] __attribute__((aligned(8)));
};

_Static_assert(offsetof(struct htab_elem, key) == 48, "htab_elem header is 48 bytes");
_Static_assert(offsetof(struct htab_elem, owner) == offsetof(struct htab_elem, magic) + 8,
	       "htab_elem_key copies magic and owner in one read");

#define POOL_ALIGN	64

struct emu_htab {
	struct emu_map map;
	struct emu_lock lock;		/* writers: buckets, count, LRU list */
	_Atomic uintptr_t *buckets;
	uint32_t n_buckets;
	uint32_t count;			/* live elements */
	uint32_t key_stride;		/* round_up(key_size, 8) */
	uint32_t value_stride;		/* round_up(value_size, 8) */
	size_t elem_size;
	bool percpu, lru, prealloc;
	char *pool;			/* prealloc: pool_n elements, POOL_ALIGN-aligned */
	void *pool_mem;			/* what was allocated for the pool */
	size_t pool_n;
	struct htab_elem *free_list;	/* pool elements and cached extras; under lock */
	uint32_t nr_extra_cached;	/* extras on free_list */
	uint32_t extra_cache_max;
	struct htab_elem *lru_head, *lru_tail;	/* newest first */
};

#define NULLS(b)	(((uintptr_t)(b) << 1) | 1)
#define IS_NULLS(p)	((p) & 1)

static inline struct emu_htab *to_htab(struct emu_map *map)
{
	return (struct emu_htab *)map;
}

static inline uint32_t round_up8(uint32_t v)
{
	return (v + 7) & ~7u;
}

static inline void *elem_value(const struct emu_htab *h, struct htab_elem *l)
{
	return l->key + h->key_stride;
}

static inline uint32_t cur_cpu(const struct emu_map *map)
{
	uint32_t cpu = (uint32_t)emu_ctx.cpu;

	return cpu < map->nr_cpus ? cpu : cpu % map->nr_cpus;
}

/* 64-bit multiply-xorshift over the key, folded to 32 bits. */
static inline uint32_t hash_final(uint64_t h)
{
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

static uint32_t htab_hash_any(const void *key, uint32_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	return hash_final(h);
}

/* The common key sizes unrolled (same values as htab_hash_any: bucket
 * order, hence get_next_key and for_each order, must not depend on it). */
static inline uint32_t htab_hash(const void *key, uint32_t len)
{
	uint64_t h, w = 0;

	switch (len) {
	case 4:
		memcpy(&w, key, 4);	/* the generic tail's bytes, on any endianness */
		return hash_final(((0x9e3779b97f4a7c15ULL ^ 4) ^ w) * 0xc4ceb9fe1a85ec53ULL);
	case 8:
		memcpy(&w, key, 8);
		h = ((0x9e3779b97f4a7c15ULL ^ 8) ^ w) * 0xff51afd7ed558ccdULL;
		return hash_final(h ^ (h >> 32));
	default:
		return htab_hash_any(key, len);
	}
}

/* Key compare with the common sizes inlined (no libc call per probe). */
static inline bool key_eq(const void *a, const void *b, uint32_t len)
{
	uint64_t x, y;
	uint32_t x4, y4;

	switch (len) {
	case 4:
		memcpy(&x4, a, 4);
		memcpy(&y4, b, 4);
		return x4 == y4;
	case 8:
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	default:
		return !memcmp(a, b, len);
	}
}

/* ---------------------------------------------------------------- create */

/*
 * Ask for transparent huge pages over the 2 MB-aligned middle of a large
 * table (THP is often in "madvise" mode).  A lookup in a big map is a
 * bucket and an element at random addresses; with 4 KB pages each is also a
 * TLB miss and a page walk.  Only a hint: no effect on any result.
 */
static void advise_huge(void *p, size_t len)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t start = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(huge - 1);

	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

static bool flags_access_ok(uint32_t flags)
{
	return (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !=
	       (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG);
}

/* htab_map_alloc_check, in its order. */
static int htab_alloc_check(const struct emu_map_attr *attr)
{
	bool percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_HASH ||
		      attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool lru = attr->map_type == BPF_MAP_TYPE_LRU_HASH ||
		   attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	bool prealloc = !(attr->map_flags & BPF_F_NO_PREALLOC);
	bool percpu_lru = attr->map_flags & BPF_F_NO_COMMON_LRU;
	uint32_t numa = (attr->map_flags & BPF_F_NUMA_NODE) ? attr->numa_node : NUMA_NO_NODE_U32;

	/* BPF_F_ZERO_SEED needs CAP_SYS_ADMIN: the emulator has it. */
	if ((attr->map_flags & ~HTAB_CREATE_FLAG_MASK) || !flags_access_ok(attr->map_flags))
		return -EINVAL;
	if (!lru && percpu_lru)
		return -EINVAL;
	if (lru && !prealloc)
		return -ENOTSUPP;
	if (numa != NUMA_NO_NODE_U32 && (percpu || percpu_lru))
		return -EINVAL;
	if (attr->max_entries == 0 || attr->key_size == 0 || attr->value_size == 0)
		return -EINVAL;
	if ((uint64_t)attr->key_size + attr->value_size >= KMALLOC_MAX_SIZE - KERNEL_HTAB_ELEM_SIZE)
		return -E2BIG;
	if (percpu && round_up8(attr->value_size) > PCPU_MIN_UNIT_SIZE)
		return -E2BIG;
	return 0;
}

static void htab_free(struct emu_map *map)
{
	struct emu_htab *h = to_htab(map);
	uint32_t b;

	if (h->buckets) {
		for (b = 0; b < h->n_buckets; b++) {
			uintptr_t p = atomic_load(&h->buckets[b]);

			while (!IS_NULLS(p)) {
				struct htab_elem *l = (struct htab_elem *)p;

				p = atomic_load(&l->next);
				emu_map_free_fields(map, elem_value(h, l));
				if (!l->in_pool)
					emu_free(l);
			}
		}
	}
	while (h->free_list) {
		struct htab_elem *l = h->free_list;

		h->free_list = l->free_next;
		if (!l->in_pool)
			emu_free(l);
	}
	emu_free((void *)h->buckets);
	emu_free(h->pool_mem);
	emu_free(h);
}

static struct emu_map *htab_alloc(const struct emu_map_attr *attr, int *err)
{
	struct emu_htab *h;
	uint64_t n_buckets, area;
	uint32_t b, cpus;
	size_t i;

	h = emu_calloc(1, sizeof(*h));
	if (!h) {
		*err = -ENOMEM;
		return NULL;
	}
	emu_map_init_from_attr(&h->map, attr);
	emu_lock_init(&h->lock);
	h->percpu = attr->map_type == BPF_MAP_TYPE_PERCPU_HASH ||
		    attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	h->lru = attr->map_type == BPF_MAP_TYPE_LRU_HASH ||
		 attr->map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	h->prealloc = !(attr->map_flags & BPF_F_NO_PREALLOC);
	if (!h->percpu)
		h->map.nr_cpus = 1;
	cpus = (uint32_t)emu_nr_cpus();
	h->extra_cache_max = attr->max_entries < EXTRA_CACHE_MIN ? EXTRA_CACHE_MIN :
			     attr->max_entries > EXTRA_CACHE_MAX ? EXTRA_CACHE_MAX : attr->max_entries;

	*err = -E2BIG;
	if (attr->map_flags & BPF_F_NO_COMMON_LRU) {
		/* each CPU's LRU list gets at least one element (visible in info) */
		uint64_t rounded = ((uint64_t)attr->max_entries + cpus - 1) / cpus * cpus;

		if (rounded > UINT32_MAX)
			goto out_free;
		h->map.max_entries = (uint32_t)rounded;
	}
	if (h->map.max_entries > (1UL << 31))
		goto out_free;
	n_buckets = 1;
	while (n_buckets < h->map.max_entries)
		n_buckets <<= 1;
	h->n_buckets = (uint32_t)n_buckets;
	h->key_stride = round_up8(attr->key_size);
	h->value_stride = round_up8(attr->value_size);
	h->elem_size = sizeof(struct htab_elem) + h->key_stride +
		       (size_t)h->value_stride * h->map.nr_cpus;

	/* plain HASH keeps one spare per CPU, so replacing a key never fails */
	h->pool_n = h->prealloc ? (size_t)h->map.max_entries + (h->lru ? 0 : cpus) : 0;
	area = n_buckets * sizeof(uintptr_t) + (uint64_t)h->pool_n * h->elem_size;
	*err = -ENOMEM;
	if (area > MAX_AREA)
		goto out_free;
	h->buckets = emu_malloc(n_buckets * sizeof(uintptr_t));
	if (!h->buckets)
		goto out_free;
	advise_huge((void *)h->buckets, n_buckets * sizeof(uintptr_t));
	for (b = 0; b < h->n_buckets; b++)
		atomic_init(&h->buckets[b], NULLS(b));
	if (h->prealloc) {
		h->pool_mem = emu_calloc(1, h->pool_n * h->elem_size + POOL_ALIGN);
		if (!h->pool_mem)
			goto out_free;
		h->pool = (char *)(((uintptr_t)h->pool_mem + POOL_ALIGN - 1) &
				   ~(uintptr_t)(POOL_ALIGN - 1));
		advise_huge(h->pool_mem, h->pool_n * h->elem_size + POOL_ALIGN);
		/* free list in pool order, so the first inserts use the first elements */
		for (i = h->pool_n; i-- > 0;) {
			struct htab_elem *l = (struct htab_elem *)(h->pool + i * h->elem_size);

			l->in_pool = 1;
			l->owner = h;
			l->free_next = h->free_list;
			h->free_list = l;
		}
	}
	return &h->map;

out_free:
	htab_free(&h->map);
	return NULL;
}

/* ---------------------------------------------------------------- lookup */

static struct htab_elem *lookup_nulls(struct emu_htab *h, const void *key, uint32_t hash)
{
	uint32_t b = hash & (h->n_buckets - 1);
	uintptr_t p;

again:
	p = atomic_load_explicit(&h->buckets[b], memory_order_acquire);
	while (!IS_NULLS(p)) {
		struct htab_elem *l = (struct htab_elem *)p;

		if (l->hash == hash && key_eq(l->key, key, h->map.key_size))
			return l;
		p = atomic_load_explicit(&l->next, memory_order_acquire);
	}
	/* the chain we walked ended in another bucket: an element moved */
	if (p != NULLS(b))
		goto again;
	return NULL;
}

static void *htab_lookup(struct emu_map *map, const void *key)
{
	struct emu_htab *h = to_htab(map);
	struct htab_elem *l;

	l = lookup_nulls(h, key, htab_hash(key, map->key_size));
	if (!l)
		return NULL;
	if (h->lru && !atomic_load_explicit(&l->ref, memory_order_relaxed))
		atomic_store_explicit(&l->ref, 1, memory_order_relaxed);
	if (h->percpu)
		return (char *)elem_value(h, l) + (size_t)cur_cpu(map) * h->value_stride;
	return elem_value(h, l);
}

/* -------------------------------------------------- elements and the LRU */

static void lru_link_head(struct emu_htab *h, struct htab_elem *l)
{
	l->lru_prev = NULL;
	l->lru_next = h->lru_head;
	if (h->lru_head)
		h->lru_head->lru_prev = l;
	h->lru_head = l;
	if (!h->lru_tail)
		h->lru_tail = l;
}

static void lru_unlink(struct emu_htab *h, struct htab_elem *l)
{
	if (l->lru_prev)
		l->lru_prev->lru_next = l->lru_next;
	else
		h->lru_head = l->lru_next;
	if (l->lru_next)
		l->lru_next->lru_prev = l->lru_prev;
	else
		h->lru_tail = l->lru_prev;
	l->lru_prev = l->lru_next = NULL;
}

/* Link @l at the head of its bucket (readers see it before an old one). */
static void bucket_link(struct emu_htab *h, struct htab_elem *l)
{
	uint32_t b = l->hash & (h->n_buckets - 1);

	atomic_store_explicit(&l->next, atomic_load_explicit(&h->buckets[b], memory_order_relaxed),
			      memory_order_relaxed);
	atomic_store_explicit(&h->buckets[b], (uintptr_t)l, memory_order_release);
	if (h->lru)
		lru_link_head(h, l);
}

/* Unlink @l; its own next pointer stays, for readers standing on it. */
static void bucket_unlink(struct emu_htab *h, struct htab_elem *l)
{
	uint32_t b = l->hash & (h->n_buckets - 1);
	_Atomic uintptr_t *pp = &h->buckets[b];
	uintptr_t p;

	while (!IS_NULLS(p = atomic_load_explicit(pp, memory_order_relaxed))) {
		if ((struct htab_elem *)p == l) {
			atomic_store_explicit(pp, atomic_load_explicit(&l->next, memory_order_relaxed),
					      memory_order_release);
			break;
		}
		pp = &((struct htab_elem *)p)->next;
	}
	if (h->lru)
		lru_unlink(h, l);
}

/* Under htab->lock: the element of @key, and in *@pprev the link that
 * points to it (bucket head or the previous element's next). */
static struct htab_elem *find_locked_link(struct emu_htab *h, const void *key, uint32_t hash,
					  _Atomic uintptr_t **pprev)
{
	_Atomic uintptr_t *pp = &h->buckets[hash & (h->n_buckets - 1)];
	uintptr_t p;

	while (!IS_NULLS(p = atomic_load_explicit(pp, memory_order_relaxed))) {
		struct htab_elem *l = (struct htab_elem *)p;

		if (l->hash == hash && key_eq(l->key, key, h->map.key_size)) {
			*pprev = pp;
			return l;
		}
		pp = &l->next;
	}
	return NULL;
}

static struct htab_elem *find_locked(struct emu_htab *h, const void *key, uint32_t hash)
{
	_Atomic uintptr_t *pp;

	return find_locked_link(h, key, hash, &pp);
}

/* A node for a new element: free list, else (pool memory still waiting for
 * a grace period, or no prealloc) fresh zeroed memory.  NULL: -ENOMEM.
 * htab->lock held (the free list is under it: every update takes that lock
 * anyway, so a node costs no second lock). */
static struct htab_elem *elem_get_locked(struct emu_htab *h)
{
	struct htab_elem *l;

	l = h->free_list;
	if (l) {
		h->free_list = l->free_next;
		if (!l->in_pool)
			h->nr_extra_cached--;
		return l;
	}
	l = emu_calloc(1, h->elem_size);
	if (l)
		l->owner = h;
	return l;
}

/*
 * Back to the free list or the allocator; no reader can see @l.  Extra
 * elements (no prealloc, or replacements while the pool's retired elements
 * wait for their grace period: a program updating the same keys in one run
 * retires one element per update) are cached up to extra_cache_max, so the
 * steady state of such a program allocates nothing -- what the kernel's
 * per-CPU extra element and bpf_mem_alloc caches achieve.  Whether memory
 * comes from the cache or from the allocator changes no result.
 * htab->lock held; returns false if @l is to be freed (after the unlock).
 */
static bool elem_put_locked(struct emu_htab *h, struct htab_elem *l)
{
	l->magic = 0;
	if (!l->in_pool) {
		if (h->nr_extra_cached >= h->extra_cache_max)
			return false;
		h->nr_extra_cached++;
	}
	l->free_next = h->free_list;
	h->free_list = l;
	return true;
}

static void elem_free_fields(struct emu_htab *h, struct htab_elem *l)
{
	uint32_t cpu;

	if (!h->map.nr_fields)
		return;
	if (h->percpu)
		for (cpu = 0; cpu < h->map.nr_cpus; cpu++)
			emu_map_free_fields(&h->map, (char *)elem_value(h, l) +
					   (size_t)cpu * h->value_stride);
	else
		emu_map_free_fields(&h->map, elem_value(h, l));
}

/*
 * Whether a field that owns something (timer, wq, kptr: not a spin lock) has
 * non-zero bytes: a freed or never initialised field is all zero.  Only
 * after the grace period, when every writer of those bytes has left.
 */
static bool elem_fields_in_use(struct emu_htab *h, struct htab_elem *l)
{
	const char *val = elem_value(h, l);
	uint32_t i, j, cpu;

	for (cpu = 0; cpu < (h->percpu ? h->map.nr_cpus : 1); cpu++) {
		for (i = 0; i < h->map.nr_fields; i++) {
			const struct emu_field *f = &h->map.fields[i];
			const char *b = val + (size_t)cpu * h->value_stride + f->offset;

			if (f->kind == EMU_FIELD_SPIN_LOCK)
				continue;
			for (j = 0; j < f->size; j++)
				if (b[j])
					return true;
		}
	}
	return false;
}

/*
 * Retired elements hold the map alive until their grace period ends:
 * deferred frees may run on several threads at once, so without a
 * reference the map (and its pool) could be freed under a late
 * elem_rcu_free.  One reference per *batch*, not per element: inside a
 * read-side section (a program run) a retire only appends to this
 * thread's list, which joins the shared queue whole at the section's end
 * and is run in order by one thread.  So the elements one section retires
 * from one map, one after another, share the reference of the last of
 * them (holds_ref): the earlier ones, run first, only collect on the
 * running thread's put chain, and the last one gives the whole chain back
 * under one hold of the map lock, then drops the reference.  Outside a
 * section (user space) each element holds its own reference.
 * (emu_map_rcu_section() in map.h tells which list is current.)
 */

static _Thread_local struct htab_elem *retire_last;	/* holds_ref, in retire_section */
static _Thread_local unsigned long retire_section;
static _Thread_local struct emu_htab *put_owner;	/* the put chain's map */
static _Thread_local struct htab_elem *put_chain;	/* via free_next */

/* Give @chain (via free_next) back to @h's free list under one lock. */
static void elem_put_chain(struct emu_htab *h, struct htab_elem *chain)
{
	struct htab_elem *l, *next, *dead = NULL;

	emu_lock(&h->lock);
	for (l = chain; l; l = next) {
		next = l->free_next;
		if (!elem_put_locked(h, l)) {
			l->free_next = dead;
			dead = l;
		}
	}
	emu_unlock(&h->lock);
	for (; dead; dead = next) {
		next = dead->free_next;
		emu_free(dead);
	}
}

static void put_chain_flush(void)
{
	struct htab_elem *chain = put_chain;

	put_chain = NULL;
	if (chain)
		elem_put_chain(put_owner, chain);
	put_owner = NULL;
}

/*
 * The grace period is over: no program can reach @l any more.  A program
 * that found it before the unlink may have initialised a timer in it after
 * elem_retire freed the fields (as in the kernel, nothing stops that); free
 * the fields once more, or that timer would outlive the memory it points
 * into -- and the next user of the memory would zero a live timer's words.
 * Then the memory goes back, and (the batch's last) the map reference.
 */
static void elem_rcu_free(struct emu_rcu_head *head)
{
	struct htab_elem *l = (struct htab_elem *)((char *)head - offsetof(struct htab_elem, rcu));
	struct emu_htab *h = l->owner;

	if (h->map.nr_fields && elem_fields_in_use(h, l))
		elem_free_fields(h, l);
	if (put_owner != h)
		put_chain_flush();	/* not expected: a chain ends with its holder */
	put_owner = h;
	l->free_next = put_chain;
	put_chain = l;
	if (!l->holds_ref)
		return;		/* a later element of this list holds the map */
	put_chain_flush();
	emu_map_put(&h->map);
}

/*
 * An unlinked element dies: its special fields now, its memory after the
 * grace period.  Never called with htab->lock held.
 */
static void elem_retire(struct emu_htab *h, struct htab_elem *l)
{
	unsigned long section = emu_map_rcu_section();

	elem_free_fields(h, l);
	if (section && section == retire_section && retire_last && retire_last->owner == h) {
		/* the previous element of this list hands its reference on */
		retire_last->holds_ref = 0;
	} else {
		emu_map_get(&h->map);
	}
	l->holds_ref = 1;
	retire_last = section ? l : NULL;
	retire_section = section;
	emu_map_retire(&l->rcu, elem_rcu_free);
}

/* Fill a node: key, hash, value with special fields zero (uninitialized).
 * The common key sizes without a libc call: the key and its padding to 8
 * in one or two stores. */
static inline void elem_init(struct emu_htab *h, struct htab_elem *l, const void *key,
			     uint32_t hash)
{
	uint32_t k4;
	uint64_t k8;

	l->hash = hash;
	l->magic = ELEM_MAGIC;
	atomic_store_explicit(&l->ref, 0, memory_order_relaxed);
	switch (h->map.key_size) {
	case 4:
		memcpy(&k4, key, 4);
		k8 = 0;
		memcpy(&k8, &k4, 4);	/* the key's bytes first, then zeros */
		memcpy(l->key, &k8, 8);
		break;
	case 8:
		memcpy(&k8, key, 8);
		memcpy(l->key, &k8, 8);
		break;
	default:
		memcpy(l->key, key, h->map.key_size);
		memset(l->key + h->map.key_size, 0, h->key_stride - h->map.key_size);
		break;
	}
}

static inline void value_set(struct emu_htab *h, struct htab_elem *l, const void *value)
{
	void *val = elem_value(h, l);

	if (!h->map.nr_fields) {
		/* no special field: a plain copy (small values without a call) */
		switch (h->map.value_size) {
		case 4:
			memcpy(val, value, 4);
			return;
		case 8:
			memcpy(val, value, 8);
			return;
		case 16:
			memcpy(val, value, 16);
			return;
		default:
			memcpy(val, value, h->map.value_size);
			return;
		}
	}
	emu_map_copy_value(&h->map, val, value);
	emu_map_zero_fields(&h->map, val);
}

/* Per-CPU values: from a program (@onallcpus false) this CPU's copy, the
 * others zeroed on a new element; from user space one value per CPU. */
static void pcpu_value_set(struct emu_htab *h, struct htab_elem *l, const void *value,
			   bool onallcpus, bool is_new)
{
	uint32_t cpu, me = cur_cpu(&h->map);

	for (cpu = 0; cpu < h->map.nr_cpus; cpu++) {
		char *dst = (char *)elem_value(h, l) + (size_t)cpu * h->value_stride;

		if (onallcpus) {
			emu_map_copy_value_long(&h->map, dst,
						(const char *)value + (size_t)cpu * h->value_stride);
		} else if (cpu == me) {
			emu_map_copy_value(&h->map, dst, value);
		} else if (is_new) {
			memset(dst, 0, h->map.value_size);
			continue;
		} else {
			continue;
		}
		if (is_new)
			emu_map_zero_fields(&h->map, dst);
	}
}

/* check_flags: -EEXIST for BPF_NOEXIST on a present key, -ENOENT for
 * BPF_EXIST on a missing one. */
static int check_flags(const struct htab_elem *l_old, uint64_t flags)
{
	if (l_old && (flags & ~BPF_F_LOCK) == BPF_NOEXIST)
		return -EEXIST;
	if (!l_old && (flags & ~BPF_F_LOCK) == BPF_EXIST)
		return -ENOENT;
	return 0;
}

/* Evict one element (second chance from the oldest end); htab->lock held. */
static struct htab_elem *lru_evict_locked(struct emu_htab *h)
{
	struct htab_elem *l;

	while ((l = h->lru_tail)) {
		if (atomic_load_explicit(&l->ref, memory_order_relaxed)) {
			atomic_store_explicit(&l->ref, 0, memory_order_relaxed);
			lru_unlink(h, l);
			lru_link_head(h, l);
			continue;
		}
		bucket_unlink(h, l);
		h->count--;
		return l;
	}
	return NULL;
}

/* prealloc_lru_pop: a node, evicting when every element is in use. */
static struct htab_elem *lru_pop_locked(struct emu_htab *h, struct htab_elem **victim)
{
	*victim = NULL;
	if (h->count >= h->map.max_entries)
		*victim = lru_evict_locked(h);
	return elem_get_locked(h);
}

/* ---------------------------------------------------------------- update */

static long htab_update_common(struct emu_map *map, const void *key, const void *value,
			       uint64_t flags, bool onallcpus)
{
	struct emu_htab *h = to_htab(map);
	struct htab_elem *l_old, *l_new = NULL, *victim = NULL, *dead = NULL;
	uint32_t hash = htab_hash(key, map->key_size);
	_Atomic uintptr_t *old_link = NULL;
	long ret;

	if (h->lru || h->percpu) {
		if (flags > BPF_EXIST)
			return -EINVAL;
	} else {
		if ((flags & ~BPF_F_LOCK) > BPF_EXIST)
			return -EINVAL;
	}

	if (flags & BPF_F_LOCK) {
		if (map->spin_lock_off < 0)
			return -EINVAL;
		/* lockless lookup; an existing value is updated in place */
		emu_map_rcu_enter();
		l_old = lookup_nulls(h, key, hash);
		ret = check_flags(l_old, flags);
		if (!ret && l_old)
			emu_map_copy_value_locked(map, elem_value(h, l_old), value, false);
		emu_map_rcu_exit();
		if (ret || l_old)
			return ret;
		/* fall through: insert a new element */
	}

	emu_lock(&h->lock);
	if (h->lru && !(h->percpu && flags == BPF_EXIST)) {
		/* the node is taken (and maybe someone evicted) before the checks */
		l_new = lru_pop_locked(h, &victim);
		if (!l_new) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		elem_init(h, l_new, key, hash);
	}
	l_old = find_locked_link(h, key, hash, &old_link);
	ret = check_flags(l_old, flags);
	if (ret)
		goto out_unlock;

	if (l_old && (flags & BPF_F_LOCK)) {
		/* raced with another insert: in place, like the first try */
		emu_map_copy_value_locked(map, elem_value(h, l_old), value, false);
		goto out_unlock;
	}
	if (h->percpu && l_old) {
		/* per-CPU values are updated in place */
		pcpu_value_set(h, l_old, value, onallcpus, false);
		if (h->lru)
			atomic_store_explicit(&l_old->ref, 1, memory_order_relaxed);
		goto out_unlock;
	}
	if (!l_new) {
		/* alloc_htab_elem: a full map refuses new keys (never a replace) */
		if (!l_old && h->count >= map->max_entries) {
			ret = -E2BIG;
			goto out_unlock;
		}
		l_new = elem_get_locked(h);
		if (!l_new) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		elem_init(h, l_new, key, hash);
	}
	if (h->percpu)
		pcpu_value_set(h, l_new, value, onallcpus, true);
	else
		value_set(h, l_new, value);
	bucket_link(h, l_new);
	if (l_old) {
		if (h->lru)
			atomic_store_explicit(&l_new->ref, 1, memory_order_relaxed);
		/* unlink through the link found above (no second walk); if that
		 * was the bucket head, the new element now stands before it */
		if (old_link == &h->buckets[hash & (h->n_buckets - 1)])
			old_link = &l_new->next;
		atomic_store_explicit(old_link, atomic_load_explicit(&l_old->next, memory_order_relaxed),
				      memory_order_release);
		if (h->lru)
			lru_unlink(h, l_old);
		dead = l_old;
	} else {
		h->count++;
	}
	l_new = NULL;

out_unlock:
	/* an unused LRU node goes back; its fields are zero, nothing to free */
	if (l_new && elem_put_locked(h, l_new))
		l_new = NULL;
	emu_unlock(&h->lock);
	if (l_new)
		emu_free(l_new);
	if (victim)
		elem_retire(h, victim);
	if (dead)
		elem_retire(h, dead);
	return ret;
}

static long htab_update(struct emu_map *map, const void *key, const void *value, uint64_t flags)
{
	return htab_update_common(map, key, value, flags, false);
}

static int htab_update_sys(struct emu_map *map, const void *key, const void *value, uint64_t flags)
{
	return (int)htab_update_common(map, key, value, flags, to_htab(map)->percpu);
}

static long htab_delete(struct emu_map *map, const void *key)
{
	struct emu_htab *h = to_htab(map);
	uint32_t hash = htab_hash(key, map->key_size);
	struct htab_elem *l;

	emu_lock(&h->lock);
	l = find_locked(h, key, hash);
	if (l) {
		bucket_unlink(h, l);
		h->count--;
	}
	emu_unlock(&h->lock);
	if (!l)
		return -ENOENT;
	elem_retire(h, l);
	return 0;
}

static int htab_delete_sys(struct emu_map *map, const void *key)
{
	return (int)htab_delete(map, key);
}

/* ------------------------------------------------------ user-space copies */

/* Copy an element's value out for user space: special fields zeroed. */
static void copy_out(struct emu_htab *h, struct htab_elem *l, void *value, uint64_t flags)
{
	uint32_t cpu;

	if (h->percpu) {
		for (cpu = 0; cpu < h->map.nr_cpus; cpu++) {
			char *dst = (char *)value + (size_t)cpu * h->value_stride;

			memcpy(dst, (char *)elem_value(h, l) + (size_t)cpu * h->value_stride,
			       h->value_stride);
			emu_map_zero_fields(&h->map, dst);
		}
		return;
	}
	if (flags & BPF_F_LOCK)
		emu_map_copy_value_locked(&h->map, value, elem_value(h, l), true);
	else
		emu_map_copy_value(&h->map, value, elem_value(h, l));
	emu_map_zero_fields(&h->map, value);
}

/* map_lookup_elem_sys_only: no LRU referenced bit. */
static int htab_lookup_sys(struct emu_map *map, const void *key, void *value, uint64_t flags)
{
	struct emu_htab *h = to_htab(map);
	uint32_t hash = htab_hash(key, map->key_size);
	struct htab_elem *l;

	emu_lock(&h->lock);
	l = find_locked(h, key, hash);
	if (l)
		copy_out(h, l, value, flags);
	emu_unlock(&h->lock);
	return l ? 0 : -ENOENT;
}

static int htab_lookup_and_delete_sys(struct emu_map *map, const void *key, void *value,
				      uint64_t flags)
{
	struct emu_htab *h = to_htab(map);
	uint32_t hash = htab_hash(key, map->key_size);
	struct htab_elem *l;

	emu_lock(&h->lock);
	l = find_locked(h, key, hash);
	if (l) {
		copy_out(h, l, value, flags);
		bucket_unlink(h, l);
		h->count--;
	}
	emu_unlock(&h->lock);
	if (!l)
		return -ENOENT;
	elem_retire(h, l);
	return 0;
}

/* htab_map_get_next_key: the next element in bucket order; an unknown or
 * NULL key restarts from the first. */
static int htab_get_next_key(struct emu_map *map, const void *key, void *next_key)
{
	struct emu_htab *h = to_htab(map);
	struct htab_elem *l = NULL;
	uint32_t b = 0;
	uintptr_t p;
	int ret = 0;

	emu_lock(&h->lock);
	if (key) {
		uint32_t hash = htab_hash(key, map->key_size);

		l = find_locked(h, key, hash);
		if (l) {
			p = atomic_load_explicit(&l->next, memory_order_relaxed);
			if (!IS_NULLS(p)) {
				l = (struct htab_elem *)p;
				goto out_copy;
			}
			b = (hash & (h->n_buckets - 1)) + 1;
		}
	}
	for (; b < h->n_buckets; b++) {
		p = atomic_load_explicit(&h->buckets[b], memory_order_relaxed);
		if (!IS_NULLS(p)) {
			l = (struct htab_elem *)p;
			goto out_copy;
		}
	}
	ret = -ENOENT;
	goto out_unlock;
out_copy:
	memcpy(next_key, l->key, map->key_size);
out_unlock:
	emu_unlock(&h->lock);
	return ret;
}

/* --------------------------------------------------------------- batches */

static uint32_t htab_batch_n_buckets(struct emu_map *map)
{
	return to_htab(map)->n_buckets;
}

/*
 * One bucket of a lookup (and delete) batch, under the map's lock as the
 * kernel's bucket lock: count, then copy and unlink only if all fit.
 * Unlinked elements die after the unlock (elem_retire must not run under
 * the lock); until then they are chained through free_next, which no
 * reader uses.
 */
static uint32_t htab_batch_bucket(struct emu_map *map, uint32_t b, void *keys, void *values,
				  uint32_t cap, uint64_t elem_flags, bool do_delete)
{
	struct emu_htab *h = to_htab(map);
	size_t vsize = h->percpu ? (size_t)h->value_stride * map->nr_cpus : map->value_size;
	struct htab_elem *l, *dead = NULL;
	uint32_t n = 0, i = 0;
	uintptr_t p;

	emu_lock(&h->lock);
	for (p = atomic_load_explicit(&h->buckets[b], memory_order_relaxed); !IS_NULLS(p);
	     p = atomic_load_explicit(&l->next, memory_order_relaxed)) {
		l = (struct htab_elem *)p;
		n++;
	}
	if (n > cap)
		goto out_unlock;
	p = atomic_load_explicit(&h->buckets[b], memory_order_relaxed);
	while (!IS_NULLS(p)) {
		l = (struct htab_elem *)p;
		p = atomic_load_explicit(&l->next, memory_order_relaxed);
		memcpy((char *)keys + (size_t)i * map->key_size, l->key, map->key_size);
		copy_out(h, l, (char *)values + (size_t)i * vsize, elem_flags);
		i++;
		if (do_delete) {
			bucket_unlink(h, l);
			h->count--;
			l->free_next = dead;
			dead = l;
		}
	}
out_unlock:
	emu_unlock(&h->lock);
	while (dead) {
		l = dead;
		dead = l->free_next;
		elem_retire(h, l);
	}
	return n;
}

/* ---------------------------------------------------------------- walks */

/*
 * bpf_for_each_hash_elem: bucket by bucket, newest first; the callback may
 * delete or update, so the next pointer is read before calling it.  Inside
 * a run, the run's read-side section covers the walk; a section of our own
 * would stay open forever on this thread if a callback's rejection
 * longjmp'ed past its exit, and no grace period would ever end again.
 */
static long htab_for_each(struct emu_map *map, void *callback_fn, void *ctx, uint64_t flags)
{
	struct emu_htab *h = to_htab(map);
	bool rcu = !emu_in_bpf();
	long num = 0, ret = 0;
	uint32_t b;
	uintptr_t p;

	if (flags)
		return -EINVAL;
	if (rcu)
		emu_map_rcu_enter();
	for (b = 0; b < h->n_buckets && !ret; b++) {
		p = atomic_load_explicit(&h->buckets[b], memory_order_acquire);
		while (!IS_NULLS(p)) {
			struct htab_elem *l = (struct htab_elem *)p;
			void *val = elem_value(h, l);

			p = atomic_load_explicit(&l->next, memory_order_acquire);
			if (h->percpu)
				val = (char *)val + (size_t)cur_cpu(map) * h->value_stride;
			num++;
			ret = emu_map_for_each_call(callback_fn, emu_map_def(map), l->key, val, ctx);
			if (ret)
				break;
		}
	}
	if (rcu)
		emu_map_rcu_exit();
	return ret < 0 ? ret : num;
}

/* htab_map_free_timers_and_wq: every element's timers and wqs, no lock
 * held (a timer's free hook may wait for its callback, which may update
 * this very map); elements stay. */
static void htab_release_uref(struct emu_map *map)
{
	struct emu_htab *h = to_htab(map);
	uint32_t b;
	uintptr_t p;

	if (!(map->field_mask & ((1u << EMU_FIELD_TIMER) | (1u << EMU_FIELD_WQ))))
		return;
	emu_map_rcu_enter();
	for (b = 0; b < h->n_buckets; b++) {
		p = atomic_load_explicit(&h->buckets[b], memory_order_acquire);
		while (!IS_NULLS(p)) {
			struct htab_elem *l = (struct htab_elem *)p;

			p = atomic_load_explicit(&l->next, memory_order_acquire);
			emu_map_free_timers_wq(map, elem_value(h, l));
		}
	}
	emu_map_rcu_exit();
}

/*
 * Element identity for the timer family.  The value may be any pointer a
 * program handed over, so the header read in front of it must not be
 * instrumented; the magic and the owner decide.
 */
__attribute__((no_sanitize_address))
/*
 * @value comes from a program (bpf_timer_init's timer, less its offset),
 * and may be anything: a stack slot, its context, another map's value.
 * The header it would have lies before it, where nothing says memory is
 * mapped: inside the preallocated pool an element's place is known, so its
 * header is read as it is; anywhere else (extra elements, no prealloc) the
 * header is copied by emu_copy_nofault first, so that a pointer at the
 * start of a mapping is refused rather than followed into the page below
 * (SIGSEGV).  That costs a system call, once per bpf_timer_init of such an
 * element.
 */
static const void *htab_elem_key(struct emu_map *map, const void *value, uint32_t *idx_buf)
{
	struct emu_htab *h = to_htab(map);
	const struct htab_elem *l;
	uintptr_t v = (uintptr_t)value;
	struct {
		uint64_t magic;
		struct emu_htab *owner;
	} hdr;

	(void)idx_buf;
	if (h->percpu || v < h->key_stride + offsetof(struct htab_elem, key) || (v & 7))
		return NULL;
	l = (const struct htab_elem *)(v - h->key_stride - offsetof(struct htab_elem, key));
	if (h->prealloc && (char *)l >= h->pool && (char *)l < h->pool + h->pool_n * h->elem_size) {
		if (((char *)l - h->pool) % h->elem_size)
			return NULL;
		hdr.magic = *(const volatile uint64_t *)&l->magic;
		hdr.owner = *(struct emu_htab *const volatile *)&l->owner;
	} else if (emu_copy_nofault(&hdr, &l->magic, sizeof(hdr))) {
		return NULL;
	}
	if (hdr.magic != ELEM_MAGIC || hdr.owner != h)
		return NULL;
	return l->key;
}

static const struct emu_map_ops htab_ops = {
	.alloc_check = htab_alloc_check,
	.alloc = htab_alloc,
	.free = htab_free,
	.lookup = htab_lookup,
	.update = htab_update,
	.delete = htab_delete,
	.lookup_sys = htab_lookup_sys,
	.update_sys = htab_update_sys,
	.delete_sys = htab_delete_sys,
	.get_next_key = htab_get_next_key,
	.lookup_and_delete_sys = htab_lookup_and_delete_sys,
	.for_each = htab_for_each,
	.release_uref = htab_release_uref,
	.elem_key = htab_elem_key,
	/* BATCH_OPS(htab): bucket-wise lookups, generic update and delete */
	.batch_cmds = EMU_BATCH_LOOKUP | EMU_BATCH_LOOKUP_AND_DELETE | EMU_BATCH_UPDATE |
		      EMU_BATCH_DELETE,
	.batch_n_buckets = htab_batch_n_buckets,
	.batch_bucket = htab_batch_bucket,
};

void emu_htab_register(void)
{
	emu_map_register_type(BPF_MAP_TYPE_HASH, &htab_ops);
	emu_map_register_type(BPF_MAP_TYPE_PERCPU_HASH, &htab_ops);
	emu_map_register_type(BPF_MAP_TYPE_LRU_HASH, &htab_ops);
	emu_map_register_type(BPF_MAP_TYPE_LRU_PERCPU_HASH, &htab_ops);
}
