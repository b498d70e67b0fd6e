/* SPDX-License-Identifier: MIT */
/*
 * bpf_user_ringbuf_drain (helper 209): a program consumes the samples user
 * space produced into a BPF_MAP_TYPE_USER_RINGBUF (spec user_ringbuf.md §5).
 *
 * The kernel trusts nothing user space wrote: every header is validated
 * before its sample is handed out, in this order (__bpf_user_ringbuf_peek):
 *   producer position not 8-aligned            -> -EINVAL (even if empty)
 *   consumer caught up with the producer       -> no data
 *   record longer than what was published      -> -EINVAL
 *   record longer than the ring                -> -E2BIG
 *   payload longer than a dynptr can describe  -> -E2BIG
 *   DISCARD bit                                -> skip it (even if BUSY)
 *   BUSY bit                                   -> no data (strict FIFO)
 * A bad header is never skipped: the ring stays "poisoned" until user space
 * repairs it.  The producer position is trusted otherwise: a producer far
 * ahead makes the drain walk stale bytes of the ring as records, as the
 * kernel does; every read stays inside the (double-mapped) data area.
 *
 * Only one drain runs at a time per ring (an atomic busy flag, -EBUSY to
 * anyone else, including a drain nested in the callback); the callback runs
 * with the flag held and gets a LOCAL, writable dynptr on the helper's stack.
 */
#include <errno.h>
#include <setjmp.h>
#include <stddef.h>

#include <bpfemu/helpers.h>

#include "ctx.h"
#include "err.h"
#include "prog.h"
#include "ringbuf.h"

/* BPF C declares the callback returning long or int; reading an int is
 * right for both. */
typedef int (*drain_cb_t)(const struct bpf_dynptr *dynptr, void *ctx);

enum peek_result {
	PEEK_SAMPLE,
	PEEK_NO_DATA,
	PEEK_DISCARDED,
};

struct drain_call {
	drain_cb_t cb;
	void *ctx;
	struct emu_prog *prog;	/* the calling program, NULL outside one */
	struct emu_ringbuf *rb;
	long *samples;		/* drain_loop's *samples_out */
	long ret;		/* drain_loop's result */
};

/*
 * The ring's kernel view, read once per drain.  These fields are set when
 * the map is created and never change, but the compiler must assume the
 * callback might change them, and would load them again after each call.
 * The positions they point to are still read with their atomics for every
 * record, as the kernel does.
 */
struct urb_view {
	struct emu_ringbuf *rb;		/* the TSan sync points */
	unsigned long *consumer_pos;
	unsigned long *producer_pos;
	uint8_t *data;
	uint64_t mask;
};

/* Returns a peek_result, or -EINVAL / -E2BIG for a bad header. */
static int user_ringbuf_peek(const struct urb_view *v, void **sample, uint32_t *size)
{
	uint32_t hdr_len, sample_len, total_len;
	unsigned long cons_pos, prod_pos;
	uint32_t *hdr;

	/* Pairs with the producer's release of producer_pos. */
	prod_pos = emu_ringbuf_load(v->producer_pos);
	if (prod_pos % 8)
		return -EINVAL;
	cons_pos = emu_ringbuf_load(v->consumer_pos);
	if (cons_pos >= prod_pos)
		return PEEK_NO_DATA;

	hdr = (uint32_t *)(v->data + (cons_pos & v->mask));
	/* Pairs with the producer's exchange in user_ring_buffer__submit. */
	hdr_len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
	emu_ringbuf_tsan_acquire(&v->rb->tsan_data);
	sample_len = hdr_len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
	total_len = emu_ringbuf_total(sample_len);

	/* The record must lie within what the producer published... */
	if (total_len > prod_pos - cons_pos)
		return -EINVAL;
	/* ...within the ring... */
	if (total_len > v->mask + 1)
		return -E2BIG;
	/* ...and fit in a dynptr.  All three hold for discarded records too. */
	if (sample_len > EMU_DYNPTR_MAX_SIZE)
		return -E2BIG;

	if (hdr_len & BPF_RINGBUF_DISCARD_BIT) {
		emu_ringbuf_tsan_release(&v->rb->tsan_space);
		emu_ringbuf_store(v->consumer_pos, cons_pos + total_len);
		return PEEK_DISCARDED;
	}
	if (hdr_len & BPF_RINGBUF_BUSY_BIT)
		return PEEK_NO_DATA;

	*sample = v->data + ((cons_pos + BPF_RINGBUF_HDR_SZ) & v->mask);
	*size = sample_len;
	return PEEK_SAMPLE;
}

static void user_ringbuf_release(const struct urb_view *v, uint32_t size)
{
	/* Only the busy holder writes consumer_pos: a plain read is enough. */
	unsigned long cons_pos = __atomic_load_n(v->consumer_pos, __ATOMIC_RELAXED);

	/* Pairs with the producer's acquire of consumer_pos. */
	emu_ringbuf_tsan_release(&v->rb->tsan_space);
	emu_ringbuf_store(v->consumer_pos, cons_pos + emu_ringbuf_total(size));
}

/*
 * The verifier's checks in its order (6.18): R1 a map, R2 a function
 * (a NULL callback: "R2 type=scalar expected=func", -EACCES), then the
 * map's type.
 */
static struct emu_ringbuf *user_ringbuf_of(void *map, void *callback_fn, long *err)
{
	struct emu_map *m = emu_map_from_def(map);
	struct emu_ringbuf *rb = emu_ringbuf_from_map(m);

	*err = -EINVAL;
	if (!m) {
		emu_verifier_reject(-EINVAL, "not_a_map",
				    "bpf_user_ringbuf_drain: argument 1 is not a map");
		return NULL;
	}
	if (!callback_fn) {
		emu_verifier_reject(-EACCES, "drain_cb_missing",
				    "bpf_user_ringbuf_drain: R2 type=scalar expected=func");
		*err = -EACCES;
		return NULL;
	}
	if (!rb || m->map_type != BPF_MAP_TYPE_USER_RINGBUF) {
		emu_verifier_reject(-EINVAL, "map_func_incompatible",
				    "cannot pass map_type %u into func bpf_user_ringbuf_drain",
				    m->map_type);
		return NULL;
	}
	return rb;
}

/*
 * The drain loop proper (spec §5.3).  Returns the number of samples handed
 * to the callback, or the error of a bad header; *@samples counts every
 * record consumed, discarded ones included (for the wakeup).
 */
static long drain_loop(struct emu_ringbuf *rb, struct drain_call *call, long *samples_out)
{
	const struct urb_view v = {
		.rb = rb,
		.consumer_pos = rb->consumer_pos,
		.producer_pos = rb->producer_pos,
		.data = rb->data,
		.mask = rb->mask,
	};
	const drain_cb_t cb = call->cb;
	void *const ctx = call->ctx;
	long samples, discarded = 0;

	for (samples = 0; samples < EMU_MAX_USER_RINGBUF_SAMPLES; samples++) {
		struct emu_dynptr dynptr;
		void *sample;
		uint32_t size;
		int err, ret;

		err = user_ringbuf_peek(&v, &sample, &size);
		if (err == PEEK_NO_DATA)
			break;
		if (err == PEEK_DISCARDED) {
			discarded++;
			continue;
		}
		if (err < 0) {
			/* Earlier samples stay consumed; the bad header stays. */
			*samples_out = samples;
			return err;
		}

		emu_dynptr_init(&dynptr, sample, EMU_DYNPTR_TYPE_LOCAL, 0, size);
		ret = cb((const struct bpf_dynptr *)&dynptr, ctx);
		/* Consumed even when the callback stops the drain with 1. */
		user_ringbuf_release(&v, size);
		if (ret == 0)
			continue;
		/* 0 and 1 are the verifier's range: only others need the check. */
		if ((unsigned int)ret > 1 &&
		    emu_callback_check_ret(BPF_FUNC_user_ringbuf_drain, ret)) {
			/* Only reached outside a program; inside, the run is gone. */
			*samples_out = samples + 1;
			return -EINVAL;
		}
		/* 1: this sample counts, and the drain stops. */
		samples++;
		break;
	}
	*samples_out = samples;
	return samples - discarded;
}

static long drain_entry(void *arg)
{
	struct drain_call *call = arg;

	call->ret = drain_loop(call->rb, call, call->samples);
	return 0;
}

/*
 * The callbacks run as callbacks of the calling program (emu_run,
 * EMU_ENTRY_CALLBACK).  One entry holds the whole loop instead of one per
 * record: a nested entry only sets the program's context for what runs
 * inside it, and the loop's own work between two callbacks (reading
 * headers, moving consumer_pos) does not depend on that context, so each
 * callback sees exactly what an entry of its own would give it.  A
 * rejection leaves through the guard below either way.  That is a nested
 * entry's cost (~90 instructions) once per drain, not once per record.
 * Outside any program (a test calling the helper) the callbacks are
 * called directly.
 */
static long drain_run(struct emu_ringbuf *rb, struct drain_call *call, long *samples)
{
	long unused;

	if (!call->prog)
		return drain_loop(rb, call, samples);
	call->rb = rb;
	call->samples = samples;
	call->ret = 0;
	emu_run(call->prog, EMU_ENTRY_CALLBACK, drain_entry, call, &unused);
	return call->ret;
}

/*
 * A verifier-rule rejection inside the callback (a bad return value, a
 * helper the program may not call) abandons the whole run with a longjmp to
 * its outermost entry.  Catch it on the way to release the ring, or every
 * later drain would see -EBUSY.
 */
static long drain_guarded(struct emu_ringbuf *rb, struct drain_call *call, long *samples)
{
	jmp_buf jb, *outer_jb = emu_ctx.reject_jb;
	long ret;

	if (!outer_jb)
		return drain_run(rb, call, samples);
	emu_ctx.reject_jb = &jb;
	if (setjmp(jb)) {
		emu_ctx.reject_jb = outer_jb;
		atomic_store(&rb->busy, 0);
		longjmp(*outer_jb, 1);
	}
	ret = drain_run(rb, call, samples);
	emu_ctx.reject_jb = outer_jb;
	return ret;
}

long bpfemu_helper_user_ringbuf_drain(void *map, void *callback_fn, void *ctx, __u64 flags)
{
	const __u64 wakeup_flags = BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP;
	struct drain_call call = {
		.cb = (drain_cb_t)callback_fn,
		.ctx = ctx,
		.prog = emu_ctx.prog,
	};
	struct emu_ringbuf *rb;
	long samples = 0, ret;
	int busy = 0;

	EMU_HELPER_CHECK(BPF_FUNC_user_ringbuf_drain, -EINVAL);
	rb = user_ringbuf_of(map, callback_fn, &ret);
	if (!rb)
		return ret;

	if (flags & ~wakeup_flags)
		return -EINVAL;
	/* No waiting: a nested or concurrent drain fails at once. */
	if (!atomic_compare_exchange_strong(&rb->busy, &busy, 1))
		return -EBUSY;

	ret = drain_guarded(rb, &call, &samples);

	/* The positions must be visible before the ring is free again. */
	atomic_thread_fence(memory_order_seq_cst);
	atomic_store(&rb->busy, 0);

	/* Discarded samples and samples before an error count for the wakeup. */
	if (flags & BPF_RB_FORCE_WAKEUP)
		emu_ringbuf_wakeup(rb);
	else if (!(flags & BPF_RB_NO_WAKEUP) && samples > 0)
		emu_ringbuf_wakeup(rb);
	return ret;
}
