/* SPDX-License-Identifier: MIT */
/*
 * Ring buffers: the shared core of BPF_MAP_TYPE_RINGBUF (programs produce,
 * user space consumes) and BPF_MAP_TYPE_USER_RINGBUF (user space produces,
 * bpf_user_ringbuf_drain consumes), with the kernel's memory layout
 * (shared/spec/user_ringbuf.md §2-§3).
 *
 * Memory.  One shared-memory file holds, page by page, what the kernel lets
 * user space mmap: the consumer page (file offset 0), the producer page
 * (offset 1 page) and the data pages.  The runtime's own view of it -- the
 * "kernel" view every helper uses -- is laid out exactly like the kernel's
 * vmap of struct bpf_ringbuf:
 *
 *   [ header page ][ consumer ][ producer ][ data 0..N-1 ][ data 0..N-1 ][ guard ]
 *     private         file 0      file 1      file 2..        same pages    PROT_NONE
 *
 * The header page is the kernel's non-mmappable part (RINGBUF_PGOFF = 1):
 * it holds a pointer back to the struct emu_ringbuf, so that a record's
 * pg_off (page offset of its header from the start of this view) finds the
 * ring from a bare sample pointer, as bpf_ringbuf_submit() does.  The data
 * pages are mapped twice in a row, so a record that wraps is contiguous;
 * the guard page after them turns any read past the ring into a fault.
 * User-space views (libbpf's ring_buffer / user_ring_buffer) are separate
 * mappings of the same file with the kernel's permissions
 * (emu_ringbuf_view_map).
 *
 * Positions are free-running unsigned long counters at the start of their
 * pages, read and written with acquire/release atomics as the kernel does.
 *
 * Wakeups.  The user's map fd reports readiness the way the kernel's
 * epoll does: it becomes ready only when the kernel would have queued a
 * wakeup (emu_ringbuf_wakeup), and stops being ready as soon as the state
 * says so (emu_ringbuf_sync_ready).  So a producer or consumer asleep in
 * epoll on the fd is woken exactly when the kernel would wake it.
 */
#ifndef BPFEMU_EMU_RINGBUF_H
#define BPFEMU_EMU_RINGBUF_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include <linux/bpf.h>

#include "lock.h"
#include "map.h"

/* Kernel-internal constants (shared/spec/constants.md §8). */
#define EMU_RINGBUF_PGOFF		1	/* non-mmappable header pages */
#define EMU_RINGBUF_POS_PAGES		2	/* consumer + producer page */
#define EMU_RINGBUF_MAX_RECORD_SZ	(UINT32_MAX / 4)
#define EMU_MAX_USER_RINGBUF_SAMPLES	(128 * 1024)

struct emu_ringbuf {
	struct emu_map map;		/* first: container_of from the core */

	/* Kernel view (see the top of this file). */
	unsigned long *consumer_pos;
	unsigned long *producer_pos;
	uint8_t *data;
	uint64_t mask;			/* max_entries - 1 */
	/* The largest sample a reserve may ask for: min(MAX_RECORD_SZ,
	 * max_entries - 8), one compare for the kernel's two size checks. */
	uint64_t max_sample;
	size_t page_size;
	unsigned int page_shift;	/* log2(page_size): pg_off without a division */
	uint8_t *area;			/* header page: start of the view */
	size_t area_size;
	int shm_fd;			/* backing file for user-space views */
	int shm_ro_fd;			/* the same file, opened read-only */

	/* Kernel producers serialise on this spinlock (the kernel's
	 * rb->spinlock): held for a few stores, never across a call out. */
	struct emu_lock prod_lock;
	/* bpf_user_ringbuf_drain: one consumer at a time (-EBUSY otherwise). */
	atomic_int busy;

	/* Readiness last given to emu_fd_set_ready (POLLIN/POLLOUT bits). */
	pthread_mutex_t ready_lock;
	int ready;
	/* Wakeups queued so far (tests, benchmarks). */
	atomic_ulong wakeups;

	/* ThreadSanitizer sync points (see emu_ringbuf_tsan_*). */
	char tsan_data;		/* producers published records */
	char tsan_space;	/* the consumer freed space */

	struct emu_ringbuf *next_live;	/* every live ring (emu_ringbuf_find) */
};

/*
 * Producer and consumer reach the same memory through different mappings
 * (the runtime's view, each libbpf object's view), so ThreadSanitizer,
 * which tracks addresses, cannot see that a release of a position through
 * one mapping is acquired through another.  Every position/header release
 * and acquire is mirrored on one address per direction of the ring:
 * tsan_data (producer -> consumer) and tsan_space (consumer -> producer).
 */
#if defined(__SANITIZE_THREAD__)
#define EMU_RINGBUF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EMU_RINGBUF_TSAN 1
#endif
#endif

#ifdef EMU_RINGBUF_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define emu_ringbuf_tsan_acquire(addr) __tsan_acquire((void *)(addr))
#define emu_ringbuf_tsan_release(addr) __tsan_release((void *)(addr))
/* The commit's exchange on a header word is itself the synchronisation:
 * hide it, or a later record's payload written over that word looks racy. */
#define emu_ringbuf_tsan_ignore_writes_begin() AnnotateIgnoreWritesBegin(__FILE__, __LINE__)
#define emu_ringbuf_tsan_ignore_writes_end() AnnotateIgnoreWritesEnd(__FILE__, __LINE__)
#else
#define emu_ringbuf_tsan_acquire(addr) ((void)(addr))
#define emu_ringbuf_tsan_release(addr) ((void)(addr))
#define emu_ringbuf_tsan_ignore_writes_begin() ((void)0)
#define emu_ringbuf_tsan_ignore_writes_end() ((void)0)
#endif

/*
 * The private header page holds the magic and a pointer back to the ring;
 * each record starts with its header (the kernel's struct bpf_ringbuf_hdr):
 * length with the BUSY/DISCARD bits, and the page offset of the header
 * from the start of the view.
 */
#define EMU_RINGBUF_MAGIC 0x62706672696e6762ull	/* "bpfringb" */

struct emu_ringbuf_hdr_page {
	uint64_t magic;
	struct emu_ringbuf *rb;
};

struct emu_ringbuf_rec_hdr {
	uint32_t len;
	uint32_t pg_off;
};

/*
 * log2 of the host page size, what a record's pg_off counts in.  Stored
 * by every ring creation before the ring can be reached (always the same
 * value, so a relaxed atomic: later creations race with nobody), read by
 * emu_ringbuf_of_sample(): one load, where a lazily initialised static
 * costs a test.
 */
extern unsigned int emu_ringbuf_page_shift __attribute__((visibility("hidden")));

/* Register both map types with the map core (idempotent; also done by a
 * constructor, which a static link may drop). */
void emu_ringbuf_register(void);

/* The two types' ops (ringbuf.c), for the inline emu_ringbuf_from_map. */
extern const struct emu_map_ops emu_ringbuf_kern_ops;
extern const struct emu_map_ops emu_ringbuf_user_ops;

/* The ring behind a map of either ring buffer type, NULL for other types.
 * Inline: every helper call on a ring asks. */
static inline struct emu_ringbuf *emu_ringbuf_from_map(struct emu_map *map)
{
	if (!map || (map->ops != &emu_ringbuf_kern_ops && map->ops != &emu_ringbuf_user_ops))
		return NULL;
	return (struct emu_ringbuf *)map;
}

/* Ring size in bytes (max_entries). */
/* The backing file to map a user view with @prot through: a read-only
 * view goes through a read-only descriptor, so it cannot be made
 * writable later (the kernel clears VM_MAYWRITE). */
static inline int emu_ringbuf_shm_fd(const struct emu_ringbuf *rb, int prot)
{
	return (prot & PROT_WRITE) ? rb->shm_fd : rb->shm_ro_fd;
}

static inline uint64_t emu_ringbuf_size(const struct emu_ringbuf *rb)
{
	return rb->mask + 1;
}

static inline unsigned long emu_ringbuf_load(const unsigned long *pos)
{
	return __atomic_load_n(pos, __ATOMIC_ACQUIRE);
}

static inline void emu_ringbuf_store(unsigned long *pos, unsigned long val)
{
	__atomic_store_n(pos, val, __ATOMIC_RELEASE);
}

/* round_up(len + BPF_RINGBUF_HDR_SZ, 8) of a header's length bits. */
static inline uint32_t emu_ringbuf_total(uint32_t len)
{
	return (len + BPF_RINGBUF_HDR_SZ + 7) & ~7u;
}

/*
 * Kernel producer (__bpf_ringbuf_reserve, spec §7.1): a BUSY record of
 * @size bytes, or NULL if @size is too big or the ring has no room (one
 * byte short of full counts as full: 8 bytes always stay free).
 */
void *emu_ringbuf_reserve(struct emu_ringbuf *rb, uint64_t size);

/*
 * emu_ringbuf_reserve's body, inline for bpf_ringbuf_reserve's fast path.
 * @locked: take the producer lock.  A caller may leave it only while
 * EMU_SINGLE_THREADED() (lock.h) holds: then no other thread can hold the
 * lock or wait for it, and the two plain stores emu_lock()/emu_unlock()
 * would make change nothing anyone can see (a thread created later finds
 * the lock free either way).  The positions are read and written with the
 * same atomics either way.
 */
static inline __attribute__((always_inline)) void *
emu_ringbuf_reserve_body(struct emu_ringbuf *rb, uint64_t size, bool locked)
{
	unsigned long cons_pos, prod_pos, new_prod_pos;
	/* read once: the atomics below would make the compiler read again */
	unsigned long *producer_pos = rb->producer_pos;
	uint64_t mask = rb->mask;
	struct emu_ringbuf_rec_hdr *hdr;
	uint32_t len;

	/* size > EMU_RINGBUF_MAX_RECORD_SZ, or a record longer than the
	 * ring: round_up(size + 8, 8) > mask + 1, a multiple of 8, is
	 * size > mask + 1 - 8 */
	if (size > rb->max_sample)
		return NULL;
	len = emu_ringbuf_total((uint32_t)size);

	cons_pos = emu_ringbuf_load(rb->consumer_pos);
	emu_ringbuf_tsan_acquire(&rb->tsan_space);
	if (locked)
		emu_lock(&rb->prod_lock);
	prod_pos = __atomic_load_n(producer_pos, __ATOMIC_RELAXED);
	new_prod_pos = prod_pos + len;
	/* Never let the producer get a whole ring ahead: at most size - 1
	 * bytes in use, so the ring is never completely full. */
	if (new_prod_pos - cons_pos > mask) {
		if (locked)
			emu_unlock(&rb->prod_lock);
		return NULL;
	}
	hdr = (struct emu_ringbuf_rec_hdr *)(rb->data + (prod_pos & mask));
	__atomic_store_n(&hdr->len, (uint32_t)size | BPF_RINGBUF_BUSY_BIT, __ATOMIC_RELAXED);
	hdr->pg_off = (uint32_t)(((uint8_t *)hdr - rb->area) >> rb->page_shift);
	emu_ringbuf_tsan_release(&rb->tsan_data);
	emu_ringbuf_store(producer_pos, new_prod_pos);
	if (locked)
		emu_unlock(&rb->prod_lock);
	return (uint8_t *)hdr + BPF_RINGBUF_HDR_SZ;
}

/* Commit a record from emu_ringbuf_reserve (bpf_ringbuf_commit): clear BUSY
 * (and set DISCARD), then wake the consumer per @flags (spec §7.2). */
void emu_ringbuf_commit(void *sample, uint64_t flags, bool discard);
/* The same, for a caller that already found the sample's ring. */
void emu_ringbuf_commit_rb(struct emu_ringbuf *rb, void *sample, uint64_t flags, bool discard);

/* The ring a reserved sample belongs to (through its header's pg_off).
 * Reads the header: only for a pointer known to be a reserved sample. */
struct emu_ringbuf *emu_ringbuf_of_sample(const void *sample);

/*
 * The live ring whose data area holds @p at a record's sample offset
 * (8-aligned, past a header), or NULL, found without reading @p's memory:
 * what tells a pointer that is no sample at all (a stack buffer, a map
 * value) from one that may be.  Takes a process-wide lock: for refusals
 * and calls from outside a program, not for every submit.
 */
struct emu_ringbuf *emu_ringbuf_find(const void *p);

/*
 * The kernel queued a wakeup (irq_work -> wake_up_all): the user's fd takes
 * the level the state gives now, waking anyone in poll/epoll on it.
 */
void emu_ringbuf_wakeup(struct emu_ringbuf *rb);

/* The state may have stopped being ready (consumer caught up, producer
 * filled the ring): drop the fd's level if so.  Never raises it. */
void emu_ringbuf_sync_ready(struct emu_ringbuf *rb);

/*
 * Publish a committed header @new_len where a wakeup is then decided.  The
 * exchange publishes the payload and is a full barrier: the consumer
 * position read after it cannot be taken before the header is visible, or
 * a consumer that found this record still BUSY and went to sleep could be
 * missed (a lost wakeup).  While the process has one thread, the only
 * consumer that can sleep on a wakeup is this very thread, not running now
 * (a forked child sees the records but not the wakeups: fd readiness is
 * per process): the release store is enough, and the locked exchange
 * (~7 ns here, waiting for every earlier store) is a third of a 64-byte
 * record's cost.
 */
static inline void emu_ringbuf_publish(struct emu_ringbuf_rec_hdr *hdr, uint32_t new_len)
{
	if (EMU_SINGLE_THREADED())
		__atomic_store_n(&hdr->len, new_len, __ATOMIC_RELEASE);
	else
		__atomic_exchange_n(&hdr->len, new_len, __ATOMIC_ACQ_REL);
}

/*
 * emu_ringbuf_commit_rb's body, inline for bpf_ringbuf_submit/_discard.
 * The kernel's one sequence (publish; read the consumer position; FORCE
 * wakes, NO_WAKEUP does not, otherwise wake a consumer that caught up with
 * this very record) is split by flags, so that the usual 0 costs one test.
 */
static inline __attribute__((always_inline)) void
emu_ringbuf_commit_body(struct emu_ringbuf *rb, void *sample, uint64_t flags, bool discard)
{
	struct emu_ringbuf_rec_hdr *hdr = (void *)((uint8_t *)sample - BPF_RINGBUF_HDR_SZ);
	unsigned long rec_pos, cons_pos;
	uint32_t new_len;

	new_len = __atomic_load_n(&hdr->len, __ATOMIC_RELAXED) ^ BPF_RINGBUF_BUSY_BIT;
	if (discard)
		new_len |= BPF_RINGBUF_DISCARD_BIT;
	emu_ringbuf_tsan_release(&rb->tsan_data);
	emu_ringbuf_tsan_ignore_writes_begin();
	if (__builtin_expect(!(flags & (BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)), 1)) {
		emu_ringbuf_publish(hdr, new_len);
		emu_ringbuf_tsan_ignore_writes_end();
		/* Wake the consumer only if it caught up with this very
		 * record: it may be asleep waiting for it. */
		rec_pos = (unsigned long)((uint8_t *)hdr - rb->data);
		cons_pos = emu_ringbuf_load(rb->consumer_pos) & rb->mask;
		if (cons_pos == rec_pos)
			emu_ringbuf_wakeup(rb);
		return;
	}
	if (!(flags & BPF_RB_FORCE_WAKEUP)) {
		/*
		 * NO_WAKEUP: no wakeup to decide, so a release store
		 * publishes the payload to the consumer's acquire of the
		 * header just as well, and costs far less than the locked
		 * exchange.  Nothing else ever writes this header while it
		 * is BUSY.
		 */
		__atomic_store_n(&hdr->len, new_len, __ATOMIC_RELEASE);
		emu_ringbuf_tsan_ignore_writes_end();
		return;
	}
	/* FORCE (NO_WAKEUP or not): always woken, wherever the consumer is. */
	emu_ringbuf_publish(hdr, new_len);
	emu_ringbuf_tsan_ignore_writes_end();
	emu_ringbuf_wakeup(rb);
}

/* Readiness the kernel's map_poll reports now (POLLIN / POLLOUT bits). */
int emu_ringbuf_poll_state(struct emu_ringbuf *rb);

/*
 * A user-space mapping of the ring, as libbpf makes with mmap(map_fd):
 * the consumer page alone, and the producer page followed by the data pages
 * twice.  @cons_prot / @prod_prot: PROT_READ or PROT_READ|PROT_WRITE.
 * Returns 0 or -errno (-ENOMEM, -E2BIG when the size overflows size_t).
 */
struct emu_ringbuf_view {
	unsigned long *consumer_pos;
	unsigned long *producer_pos;
	uint8_t *data;
	void *cons_map;		/* private: the mappings */
	size_t cons_len;
	void *prod_map;
	size_t prod_len;
};
int emu_ringbuf_view_map(struct emu_ringbuf *rb, int cons_prot, int prod_prot,
			 struct emu_ringbuf_view *view);
void emu_ringbuf_view_unmap(struct emu_ringbuf_view *view);

/*
 * struct bpf_dynptr as the kernel lays it out (struct bpf_dynptr_kern):
 * size_and_flags = size (bits 0-23) | type << 28 | rdonly << 31.
 * A NULL dynptr has data == NULL.
 */
struct emu_dynptr {
	void *data;
	uint32_t offset;
	uint32_t size;
} __attribute__((aligned(8)));

_Static_assert(sizeof(struct emu_dynptr) == sizeof(struct bpf_dynptr),
	       "struct emu_dynptr must fill struct bpf_dynptr");
_Static_assert(_Alignof(struct emu_dynptr) == _Alignof(struct bpf_dynptr),
	       "struct emu_dynptr must have bpf_dynptr's alignment");

enum emu_dynptr_type {
	EMU_DYNPTR_TYPE_INVALID,
	EMU_DYNPTR_TYPE_LOCAL,
	EMU_DYNPTR_TYPE_RINGBUF,
	EMU_DYNPTR_TYPE_SKB,
	EMU_DYNPTR_TYPE_XDP,
};

#define EMU_DYNPTR_MAX_SIZE	((1u << 24) - 1)
#define EMU_DYNPTR_TYPE_SHIFT	28
#define EMU_DYNPTR_SIZE_MASK	0xFFFFFFu
#define EMU_DYNPTR_RDONLY_BIT	(1u << 31)

static inline void emu_dynptr_init(struct emu_dynptr *p, void *data,
				   enum emu_dynptr_type type, uint32_t offset, uint32_t size)
{
	p->data = data;
	p->offset = offset;
	p->size = size | (uint32_t)type << EMU_DYNPTR_TYPE_SHIFT;
}

static inline void emu_dynptr_set_null(struct emu_dynptr *p)
{
	p->data = NULL;
	p->offset = 0;
	p->size = 0;
}

static inline uint32_t emu_dynptr_size(const struct emu_dynptr *p)
{
	return p->size & EMU_DYNPTR_SIZE_MASK;
}

static inline enum emu_dynptr_type emu_dynptr_type(const struct emu_dynptr *p)
{
	return (enum emu_dynptr_type)((p->size & ~EMU_DYNPTR_RDONLY_BIT) >> EMU_DYNPTR_TYPE_SHIFT);
}

static inline bool emu_dynptr_rdonly(const struct emu_dynptr *p)
{
	return p->size & EMU_DYNPTR_RDONLY_BIT;
}

/* Dynptr kfuncs, exported under their kernel names (helpers/dynptr.c);
 * BPF C declares them itself with __ksym. */
__u32 bpf_dynptr_size(const struct bpf_dynptr *ptr);
bool bpf_dynptr_is_null(const struct bpf_dynptr *ptr);
bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *ptr);
int bpf_dynptr_adjust(const struct bpf_dynptr *ptr, __u32 start, __u32 end);
int bpf_dynptr_clone(const struct bpf_dynptr *ptr, struct bpf_dynptr *clone__uninit);
void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt,
		       __u32 buffer__szk);
void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt,
			    __u32 buffer__szk);

#endif /* BPFEMU_EMU_RINGBUF_H */
