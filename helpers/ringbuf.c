/* SPDX-License-Identifier: MIT */
/*
 * Kernel -> user ring buffer helpers (BPF_MAP_TYPE_RINGBUF, helpers 130-134
 * and 198-200; spec user_ringbuf.md §7).
 *
 * Lifetime of a record: reserve (BUSY, producer position already moved past
 * it) -> submit or discard (BUSY cleared with an atomic exchange, or a
 * release store under BPF_RB_NO_WAKEUP or in a single-threaded process;
 * DISCARD set for discard) -> the
 * consumer skips or delivers it in order.  The
 * verifier makes every reserved record be submitted or discarded before
 * the program exits.
 *
 * Failure signalling differs per helper, as in the kernel:
 *   bpf_ringbuf_reserve         bad flags or no room -> NULL
 *   bpf_ringbuf_output          bad flags -> -EINVAL, no room -> -EAGAIN
 *   bpf_ringbuf_reserve_dynptr  bad flags -> -EINVAL, size > 2^24-1 -> -E2BIG,
 *                               no room -> -EINVAL (dynptr set to NULL each time)
 * Submit/discard ignore unknown flag bits.
 *
 * References (ctx.h): a reserved sample and every ring dynptr, even one a
 * failed reserve left NULL, must be submitted or discarded before the run
 * ends ("unreleased_reference"); committing one that is not outstanding is
 * "release_unowned".  Wakeup: FORCE always, NO_WAKEUP
 * never, otherwise only when the consumer had caught up with the record.
 */
#include <errno.h>
#include <string.h>

#include <bpfemu/helpers.h>

#include "err.h"
#include "prog.h"
#include "ringbuf.h"

/*
 * The common case of ringbuf_of() below, without its diagnostics: @map is
 * a definition bound to a RINGBUF map.  The same two words read in the
 * same order as emu_map_from_def(), but only a non-ARRAY binding's check
 * (def ^ map ^ MAGIC) is tried: an ARRAY binding is no ring.  Its ops are
 * the RINGBUF ones, registered for that map type alone (ringbuf.c), so the
 * map type needs no look.  NULL: ringbuf_of() decides, and explains.
 */
static inline __attribute__((no_sanitize_address, no_sanitize("thread")))
struct emu_ringbuf *ringbuf_of_fast(void *map)
{
	const volatile uintptr_t *slot = map;
	uintptr_t m, check;

	if (!map || ((uintptr_t)map & (sizeof(uintptr_t) - 1)))
		return NULL;
	check = slot[1];
	atomic_thread_fence(memory_order_acquire);
	m = slot[0];
	if (!m || check != ((uintptr_t)map ^ m ^ BPFEMU_MAP_DEF_MAGIC))
		return NULL;
	if (((struct emu_map *)m)->ops != &emu_ringbuf_kern_ops)
		return NULL;
	return (struct emu_ringbuf *)m;
}

static struct emu_ringbuf *ringbuf_of(void *map, const char *helper)
{
	struct emu_map *m = emu_map_from_def(map);
	struct emu_ringbuf *rb = emu_ringbuf_from_map(m);

	if (!m) {
		emu_verifier_reject(-EINVAL, "not_a_map", "%s: argument 1 is not a map", helper);
		return NULL;
	}
	if (!rb || m->map_type != BPF_MAP_TYPE_RINGBUF) {
		emu_verifier_reject(-EINVAL, "map_func_incompatible",
				    "cannot pass map_type %u into func %s", m->map_type, helper);
		return NULL;
	}
	return rb;
}

/*
 * The ring of @data, a sample about to be submitted or discarded, its
 * reference released.  Its header names its ring, but is read only once
 * @data is known to be a sample: a pointer that is none (a stack buffer, a
 * map value) would send that lookup to arbitrary memory.  Inside a program
 * the usual case is the newest reference it holds (reserve, then submit);
 * anything else is first looked for among the rings' data areas.
 * Refused as the verifier refuses them (6.18, -EACCES): a pointer into no
 * ring, "R1 type=fp expected=ringbuf_mem" ("ringbuf_bad_sample"); a sample
 * already committed, "R1 type=scalar expected=ringbuf_mem"
 * ("release_unowned").
 */
static struct emu_ringbuf *ringbuf_sample_release_slow(void *data, const char *helper)
{
	struct emu_ringbuf *rb = data ? emu_ringbuf_find(data) : NULL;

	if (!rb || rb->map.map_type != BPF_MAP_TYPE_RINGBUF) {
		emu_verifier_reject(-EACCES, "ringbuf_bad_sample",
				    "%s: R1 is not a pointer returned by bpf_ringbuf_reserve (R1 type=... expected=ringbuf_mem)",
				    helper);
		return NULL;
	}
	if (!emu_ref_release(EMU_REF_RINGBUF_SAMPLE, data, NULL, helper,
			     "R1 type=scalar expected=ringbuf_mem"))
		return NULL;
	return rb;
}

/* A held sample's reference names its ring (reserve puts it there): the
 * one in emu_ctx, else the newest of the table's. */
static inline struct emu_ringbuf *ringbuf_sample_release(void *data, const char *helper)
{
	struct emu_ringbuf *rb = emu_ref_take_sample(data);
	const struct emu_ref *r;

	if (rb)
		return rb;
	r = emu_ref_pop_newest_entry(EMU_REF_RINGBUF_SAMPLE, data);
	if (r)
		return r->obj;
	return ringbuf_sample_release_slow(data, helper);
}

/*
 * The ring of a ring dynptr's @sample, its reference already released.
 * Inside a program only a held ring dynptr gets here.  Outside one nothing
 * is tracked: a dynptr that is not a ring's (a local one) is refused as
 * the verifier would ("arg 1 is an unacquired reference").
 */
static struct emu_ringbuf *ringbuf_dynptr_ring(void *sample, const char *helper)
{
	struct emu_ringbuf *rb;

	if (emu_in_bpf())
		return emu_ringbuf_of_sample(sample);
	rb = emu_ringbuf_find(sample);
	if (!rb || rb->map.map_type != BPF_MAP_TYPE_RINGBUF) {
		emu_verifier_reject(-EINVAL, "release_unowned",
				    "%s: arg 1 is an unacquired reference", helper);
		return NULL;
	}
	return rb;
}

long bpfemu_helper_ringbuf_output(void *ringbuf, void *data, __u64 size, __u64 flags)
{
	struct emu_ringbuf *rb;
	void *rec;

	EMU_HELPER_CHECK(BPF_FUNC_ringbuf_output, -EINVAL);
	/* the usual RINGBUF definition without a call, as reserve's */
	rb = ringbuf_of_fast(ringbuf);
	if (!rb)
		rb = ringbuf_of(ringbuf, "bpf_ringbuf_output");
	if (!rb)
		return -EINVAL;
	/* R2 must point to memory, even with size 0 (6.18); it would be
	 * read below (memcpy) */
	if (!emu_mem_arg_ok(data, "bpf_ringbuf_output", 2))
		return -EACCES;

	if (flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
		return -EINVAL;
	if (EMU_SINGLE_THREADED())
		rec = emu_ringbuf_reserve_body(rb, size, false);
	else
		rec = emu_ringbuf_reserve(rb, size);
	if (!rec)
		return -EAGAIN;
	if (size)
		memcpy(rec, data, size);
	emu_ringbuf_commit_body(rb, rec, flags, false);
	return 0;
}

/*
 * Reserve and submit (or discard) run once per record a program sends.
 * Each is split as prog.h describes after EMU_HELPER_CHECK: the fast path
 * below takes the common case -- an allowed call, a RINGBUF definition;
 * for a commit, the newest reference the program holds -- with no call
 * that returns to it, so it needs no callee-saved register.  Anything else
 * goes to the slow path, the whole helper as it always was, which repeats
 * the cheap tests it passes (none has an effect) and makes every check in
 * the same order.  A process with threads takes the producer lock out of
 * line too.
 */
static __attribute__((noinline)) void *ringbuf_reserve_slow(void *ringbuf, __u64 size, __u64 flags)
{
	struct emu_ringbuf *rb;
	void *sample;

	EMU_HELPER_CHECK(BPF_FUNC_ringbuf_reserve, NULL);
	rb = ringbuf_of(ringbuf, "bpf_ringbuf_reserve");
	if (!rb)
		return NULL;

	if (flags)
		return NULL;
	sample = emu_ringbuf_reserve(rb, size);
	/* KF_RET_NULL-like: only a non-NULL sample is a reference. */
	if (sample)
		emu_ref_acquire_sample(sample, rb);
	return sample;
}

/* A second sample held at once: the table (ctx.h). */
static __attribute__((noinline)) void *ringbuf_acquire_second(void *sample, struct emu_ringbuf *rb)
{
	emu_ref_acquire_sample_table(sample, rb);
	/* Hide that the result is the argument: clang would otherwise call
	 * this and return @sample itself, kept in a callee-saved register
	 * across the call, instead of a tail call. */
	__asm__("" : "+r"(sample));
	return sample;
}

/* Threads: the producer lock, whose contended wait is a call. */
static __attribute__((noinline)) void *ringbuf_reserve_locked(struct emu_ringbuf *rb, __u64 size)
{
	void *sample = emu_ringbuf_reserve_body(rb, size, true);

	if (sample)
		emu_ref_acquire_sample(sample, rb);
	return sample;
}

void *bpfemu_helper_ringbuf_reserve(void *ringbuf, __u64 size, __u64 flags)
{
	struct emu_ringbuf *rb;
	void *sample;

	if (!emu_helper_bit_allowed(BPF_FUNC_ringbuf_reserve))
		return ringbuf_reserve_slow(ringbuf, size, flags);
	rb = ringbuf_of_fast(ringbuf);
	if (!rb)
		return ringbuf_reserve_slow(ringbuf, size, flags);

	if (flags)
		return NULL;
	if (!EMU_SINGLE_THREADED())
		return ringbuf_reserve_locked(rb, size);
	/* one thread: no producer lock (ringbuf.h) */
	sample = emu_ringbuf_reserve_body(rb, size, false);
	if (!sample)
		return NULL;
	/* The reference (ctx.h): in emu_ctx, or a second one at once in
	 * the table, left to a tail call so that the sample need not outlive
	 * a call here.  (The bit check passed: a program runs.) */
	if (__builtin_expect(emu_ctx.rb_sample != NULL, 0))
		return ringbuf_acquire_second(sample, rb);
	emu_ctx.rb_sample = sample;
	emu_ctx.rb_ring = rb;
	return sample;
}

static __attribute__((noinline)) void
ringbuf_commit_slow(int func_id, void *data, __u64 flags, bool discard, const char *helper)
{
	struct emu_ringbuf *rb;

	if (!emu_helper_check(func_id))
		return;
	rb = ringbuf_sample_release(data, helper);
	if (!rb)
		return;
	emu_ringbuf_commit_rb(rb, data, flags, discard);
}

/* The reference is popped only once the helper is known to be allowed. */
static inline __attribute__((always_inline)) void
ringbuf_commit(int func_id, void *data, __u64 flags, bool discard, const char *helper)
{
	struct emu_ringbuf *rb;

	if (!emu_helper_bit_allowed(func_id) || !(rb = emu_ref_take_sample(data)))
		return ringbuf_commit_slow(func_id, data, flags, discard, helper);
	/* the ring the sample was reserved from: no header read to find it */
	emu_ringbuf_commit_body(rb, data, flags, discard);
}

void bpfemu_helper_ringbuf_submit(void *data, __u64 flags)
{
	ringbuf_commit(BPF_FUNC_ringbuf_submit, data, flags, false, "bpf_ringbuf_submit");
}

void bpfemu_helper_ringbuf_discard(void *data, __u64 flags)
{
	ringbuf_commit(BPF_FUNC_ringbuf_discard, data, flags, true, "bpf_ringbuf_discard");
}

__u64 bpfemu_helper_ringbuf_query(void *ringbuf, __u64 flags)
{
	struct emu_ringbuf *rb;

	EMU_HELPER_CHECK(BPF_FUNC_ringbuf_query, 0);
	rb = ringbuf_of(ringbuf, "bpf_ringbuf_query");
	if (!rb)
		return 0;

	switch (flags) {
	case BPF_RB_AVAIL_DATA:
		return emu_ringbuf_load(rb->producer_pos) - emu_ringbuf_load(rb->consumer_pos);
	case BPF_RB_RING_SIZE:
		return emu_ringbuf_size(rb);
	case BPF_RB_CONS_POS:
		return emu_ringbuf_load(rb->consumer_pos);
	case BPF_RB_PROD_POS:
		return emu_ringbuf_load(rb->producer_pos);
	default:
		/* Unknown selectors (and BPF_RB_OVERWRITE_POS: no overwrite
		 * mode here) read as 0. */
		return 0;
	}
}

long bpfemu_helper_ringbuf_reserve_dynptr(void *ringbuf, __u32 size, __u64 flags,
					  struct bpf_dynptr *ptr)
{
	struct emu_dynptr *p = (struct emu_dynptr *)ptr;
	struct emu_ringbuf *rb;
	void *sample;

	EMU_HELPER_CHECK(BPF_FUNC_ringbuf_reserve_dynptr, -EINVAL);
	rb = ringbuf_of(ringbuf, "bpf_ringbuf_reserve_dynptr");
	if (!rb)
		return -EINVAL;

	/* On every failure the dynptr is NULL, and the program must still
	 * discard it (a verifier rule): every call acquires a reference. */
	if (flags) {
		emu_ref_acquire(EMU_REF_RINGBUF_DYNPTR, p, NULL);
		emu_dynptr_set_null(p);
		return -EINVAL;
	}
	if (size > EMU_DYNPTR_MAX_SIZE) {
		emu_ref_acquire(EMU_REF_RINGBUF_DYNPTR, p, NULL);
		emu_dynptr_set_null(p);
		return -E2BIG;
	}
	sample = emu_ringbuf_reserve(rb, size);
	emu_ref_acquire(EMU_REF_RINGBUF_DYNPTR, p, sample);
	if (!sample) {
		emu_dynptr_set_null(p);
		return -EINVAL;
	}
	emu_dynptr_init(p, sample, EMU_DYNPTR_TYPE_RINGBUF, 0, size);
	return 0;
}

void bpfemu_helper_ringbuf_submit_dynptr(struct bpf_dynptr *ptr, __u64 flags)
{
	struct emu_dynptr *p = (struct emu_dynptr *)ptr;
	struct emu_ringbuf *rb;

	EMU_HELPER_CHECK(BPF_FUNC_ringbuf_submit_dynptr, );
	if (!emu_ref_release(EMU_REF_RINGBUF_DYNPTR, p, p->data, "bpf_ringbuf_submit_dynptr",
			     "arg 1 is an unacquired reference"))
		return;
	if (!p->data)
		return;
	rb = ringbuf_dynptr_ring(p->data, "bpf_ringbuf_submit_dynptr");
	if (!rb)
		return;
	emu_ringbuf_commit_rb(rb, p->data, flags, false);
	emu_dynptr_set_null(p);
}

void bpfemu_helper_ringbuf_discard_dynptr(struct bpf_dynptr *ptr, __u64 flags)
{
	struct emu_dynptr *p = (struct emu_dynptr *)ptr;
	struct emu_ringbuf *rb;

	EMU_HELPER_CHECK(BPF_FUNC_ringbuf_discard_dynptr, );
	if (!emu_ref_release(EMU_REF_RINGBUF_DYNPTR, p, p->data, "bpf_ringbuf_discard_dynptr",
			     "arg 1 is an unacquired reference"))
		return;
	if (!p->data)
		return;
	rb = ringbuf_dynptr_ring(p->data, "bpf_ringbuf_discard_dynptr");
	if (!rb)
		return;
	emu_ringbuf_commit_rb(rb, p->data, flags, true);
	emu_dynptr_set_null(p);
}
