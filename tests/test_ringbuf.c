/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_RINGBUF: the bpf_ringbuf_* helpers (programs produce) and
 * libbpf's consumer (ring_buffer__*, ring__*), shared/spec/user_ringbuf.md §7.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpfemu/helpers.h>
#include <bpfemu/libbpf_ringbuf.h>

#include "err.h"
#include "fd.h"
#include "map.h"
#include "prog.h"
#include "ringbuf.h"
#include "test_ringbuf_util.h"

struct kring {
	struct emu_map *map;
	struct emu_ringbuf *rb;
	void *def;
	int fd;
};

static void kring_open_type(struct kring *k, uint32_t type, uint32_t size)
{
	struct emu_map_attr attr = {
		.map_type = type,
		.max_entries = size,
		.inner_map_fd = -1,
	};
	int err = 0;

	memset(k, 0, sizeof(*k));
	k->map = emu_map_create(&attr, &err);
	assert_non_null(k->map);
	k->rb = emu_ringbuf_from_map(k->map);
	k->def = emu_map_def(k->map);
	k->fd = emu_map_new_fd(k->map, 0);
	assert_true(k->fd >= 0);
	emu_map_put(k->map);	/* the fd keeps it */
}

static void kring_open(struct kring *k, uint32_t size)
{
	kring_open_type(k, BPF_MAP_TYPE_RINGBUF, size);
}

static void kring_close(struct kring *k)
{
	close(k->fd);
	emu_fd_reap();
}

static unsigned long wakeups(struct kring *k)
{
	return atomic_load(&k->rb->wakeups);
}

/* Program side: reserve, fill, submit one record. */
static void emit(struct kring *k, uint32_t size, uint8_t tag, uint64_t flags)
{
	uint8_t *p = bpfemu_helper_ringbuf_reserve(k->def, size, 0);

	assert_non_null(p);
	memset(p, tag, size);
	bpfemu_helper_ringbuf_submit(p, flags);
}

struct got {
	int calls;
	int fail_at;		/* return -EIO on this call (1-based) */
	size_t sizes[16];
	uint8_t tags[16];
};

static int got_cb(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	int i = g->calls++;

	if (i < 16) {
		g->sizes[i] = size;
		g->tags[i] = size ? *(uint8_t *)data : 0;
	}
	return g->fail_at && g->calls == g->fail_at ? -EIO : 0;
}

/*
 * Most consumer tests: a ring of @size with libbpf's consumer on it, each
 * record noted in @g by got_cb; consumer_close() frees both.
 */
static struct ring_buffer *consumer_open(struct kring *k, uint32_t size, struct got *g)
{
	struct ring_buffer *rb;

	kring_open(k, size);
	rb = ring_buffer__new(k->fd, got_cb, g, NULL);
	assert_non_null(rb);
	return rb;
}

static void consumer_close(struct kring *k, struct ring_buffer *rb)
{
	ring_buffer__free(rb);
	kring_close(k);
}

/* ------------------------------------------------------------ helpers */

static void test_reserve_with_flags_returns_null(void **state)
{
	struct kring k;

	(void)state;
	kring_open(&k, page);
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, 8, 1));
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, 8, BPF_RB_NO_WAKEUP));
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 0);
	kring_close(&k);
}

static void test_reserve_refuses_oversized_records(void **state)
{
	struct kring k;
	void *p;

	(void)state;
	kring_open(&k, page);
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, (uint64_t)UINT_MAX / 4 + 1, 0));
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, 1ull << 40, 0));
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, page, 0));
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, page - 8, 0));
	kring_close(&k);

	/* In a ring of 2 GiB (address space only), the record limit refuses. */
	if (sizeof(size_t) < 8)
		return;
	kring_open(&k, 1u << 31);
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, (uint64_t)UINT_MAX / 4 + 1, 0));
	p = bpfemu_helper_ringbuf_reserve(k.def, (uint64_t)UINT_MAX / 4, 0);
	assert_non_null(p);
	bpfemu_helper_ringbuf_discard(p, 0);
	kring_close(&k);
}

static void test_ring_is_never_completely_full(void **state)
{
	struct kring k;
	void *a, *b;

	(void)state;
	kring_open(&k, page);
	/* Largest payload: size - 16 (8 bytes always stay free). */
	a = bpfemu_helper_ringbuf_reserve(k.def, page - 16, 0);
	assert_non_null(a);
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, 0, 0));
	bpfemu_helper_ringbuf_discard(a, 0);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_AVAIL_DATA), page - 8);
	kring_close(&k);

	kring_open(&k, page);
	a = bpfemu_helper_ringbuf_reserve(k.def, page - 24, 0);
	assert_non_null(a);
	b = bpfemu_helper_ringbuf_reserve(k.def, 0, 0);
	assert_non_null(b);
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, 0, 0));
	bpfemu_helper_ringbuf_submit(a, 0);
	bpfemu_helper_ringbuf_submit(b, 0);
	kring_close(&k);
}

static void test_record_header_carries_busy_bit_and_page_offset(void **state)
{
	struct kring k;
	uint32_t *hdr;
	uint8_t *p;

	(void)state;
	kring_open(&k, page);
	p = bpfemu_helper_ringbuf_reserve(k.def, 5, 0);
	hdr = (uint32_t *)(p - 8);
	assert_ptr_equal(hdr, k.rb->data);
	assert_int_equal(hdr[0], 5 | BPF_RINGBUF_BUSY_BIT);
	/* Pages from the ring's start: header page, consumer, producer. */
	assert_int_equal(hdr[1], EMU_RINGBUF_PGOFF + EMU_RINGBUF_POS_PAGES);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 16);
	bpfemu_helper_ringbuf_submit(p, 0);
	assert_int_equal(hdr[0], 5);
	p = bpfemu_helper_ringbuf_reserve(k.def, 0, 0);
	bpfemu_helper_ringbuf_discard(p, 0);
	assert_int_equal(((uint32_t *)(p - 8))[0], BPF_RINGBUF_DISCARD_BIT);
	kring_close(&k);
}

static void test_output_checks_flags_then_space(void **state)
{
	struct kring k;
	char buf[64] = "hello";
	const char *rule;

	(void)state;
	kring_open(&k, page);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, 8, 4), -EINVAL);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, 8, 1ull << 40), -EINVAL);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, 0, 0), 0);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, 8, BPF_RB_NO_WAKEUP), 0);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, 8,
						      BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP), 0);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, page, 0), -EAGAIN);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, (uint64_t)UINT_MAX, 0), -EAGAIN);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 8 + 16 + 16);
	assert_memory_equal(k.rb->data + 8 + 8, "hello", 6);
	/* NULL data is refused before the flags, whatever the size (6.18:
	 * "R2 type=scalar expected=fp, ...", -EACCES at load); nothing read */
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, NULL, 8, 4), -EACCES);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, (void *)(uintptr_t)16, 0, 0), -EACCES);
	assert_int_equal(bpfemu_diag_count(), 2);
	assert_int_equal(bpfemu_diag_get(1, &rule, NULL), 0);
	assert_string_equal(rule, "mem_arg_null");
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 8 + 16 + 16);
	bpfemu_diag_clear();
	kring_close(&k);
}

static void test_query_reports_positions_size_and_zero_otherwise(void **state)
{
	struct kring k;
	char buf[16] = { 0 };

	(void)state;
	kring_open(&k, page * 4);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_RING_SIZE), page * 4);
	assert_int_equal(bpfemu_helper_ringbuf_output(k.def, buf, 16, 0), 0);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_AVAIL_DATA), 24);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 24);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_CONS_POS), 0);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_OVERWRITE_POS), 0);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, 99), 0);
	kring_close(&k);
}

static void test_reserve_dynptr_failures_null_the_dynptr(void **state)
{
	struct bpf_dynptr d;
	struct kring k;

	(void)state;
	kring_open(&k, page);
	memset(&d, 0xff, sizeof(d));
	assert_int_equal(bpfemu_helper_ringbuf_reserve_dynptr(k.def, 8, 1, &d), -EINVAL);
	assert_true(bpf_dynptr_is_null(&d));
	memset(&d, 0xff, sizeof(d));
	assert_int_equal(bpfemu_helper_ringbuf_reserve_dynptr(k.def, 1u << 24, 0, &d), -E2BIG);
	assert_true(bpf_dynptr_is_null(&d));
	memset(&d, 0xff, sizeof(d));
	/* No room is -EINVAL here, not -EAGAIN or NULL. */
	assert_int_equal(bpfemu_helper_ringbuf_reserve_dynptr(k.def, page, 0, &d), -EINVAL);
	assert_true(bpf_dynptr_is_null(&d));
	/* Submitting or discarding a NULL dynptr does nothing. */
	bpfemu_helper_ringbuf_discard_dynptr(&d, 0);
	bpfemu_helper_ringbuf_submit_dynptr(&d, 0);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 0);
	kring_close(&k);
}

static void test_reserve_dynptr_gives_a_ringbuf_dynptr(void **state)
{
	struct bpf_dynptr d;
	struct kring k;
	uint32_t v = 0x11223344;

	(void)state;
	kring_open(&k, page);
	assert_int_equal(bpfemu_helper_ringbuf_reserve_dynptr(k.def, 12, 0, &d), 0);
	assert_int_equal(emu_dynptr_type((struct emu_dynptr *)&d), EMU_DYNPTR_TYPE_RINGBUF);
	assert_int_equal(bpf_dynptr_size(&d), 12);
	assert_false(bpf_dynptr_is_rdonly(&d));
	assert_int_equal(bpfemu_helper_dynptr_write(&d, 8, &v, 4, 0), 0);
	assert_int_equal(bpfemu_helper_dynptr_write(&d, 9, &v, 4, 0), -E2BIG);
	bpfemu_helper_ringbuf_submit_dynptr(&d, 0);
	assert_true(bpf_dynptr_is_null(&d));
	assert_int_equal(((uint32_t *)k.rb->data)[0], 12);
	assert_int_equal(((uint32_t *)k.rb->data)[4], 0x11223344);
	assert_int_equal(bpfemu_helper_ringbuf_reserve_dynptr(k.def, 0, 0, &d), 0);
	bpfemu_helper_ringbuf_discard_dynptr(&d, 0);
	assert_true(bpf_dynptr_is_null(&d));
	assert_int_equal(((uint32_t *)k.rb->data)[6], BPF_RINGBUF_DISCARD_BIT);
	kring_close(&k);
}

/*
 * From outside a program nothing is tracked, so a pointer or dynptr that
 * is not a ring's sample is told apart without reading memory around it:
 * refused with the verifier's rule, the ring untouched, no crash.
 */
static void test_commit_of_what_is_no_sample_is_refused(void **state)
{
	uint64_t buf[4] = { 0x4000000000000000ull, 1, 2, 3 };	/* a wild pg_off */
	struct bpf_dynptr d;
	const char *rule;
	struct kring k, u;
	uint8_t *p;

	(void)state;
	kring_open(&k, page);
	kring_open_type(&u, BPF_MAP_TYPE_USER_RINGBUF, page);
	bpfemu_diag_clear();
	bpfemu_helper_ringbuf_submit(&buf[1], 0);
	bpfemu_helper_ringbuf_discard(&buf[1], 0);
	/* inside a ring, but not at a record's sample offset */
	p = bpfemu_helper_ringbuf_reserve(k.def, 16, 0);
	assert_non_null(p);
	bpfemu_helper_ringbuf_submit(p + 4, 0);
	/* a user ring's data is no kernel ring's sample */
	bpfemu_helper_ringbuf_submit(u.rb->data + BPF_RINGBUF_HDR_SZ, 0);
	assert_int_equal(bpfemu_diag_count(), 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(bpfemu_diag_get(i, &rule, NULL), 0);
		assert_string_equal(rule, "ringbuf_bad_sample");
	}
	/* the record is still BUSY: nothing was committed */
	assert_int_equal(((uint32_t *)k.rb->data)[0], 16 | BPF_RINGBUF_BUSY_BIT);
	bpfemu_helper_ringbuf_submit(p, 0);
	assert_int_equal(((uint32_t *)k.rb->data)[0], 16);

	/* a local dynptr submitted or discarded */
	assert_int_equal(bpfemu_helper_dynptr_from_mem(&buf[1], 8, 0, &d), 0);
	bpfemu_helper_ringbuf_submit_dynptr(&d, 0);
	bpfemu_helper_ringbuf_discard_dynptr(&d, 0);
	assert_int_equal(bpfemu_diag_count(), 6);
	assert_int_equal(bpfemu_diag_get(5, &rule, NULL), 0);
	assert_string_equal(rule, "release_unowned");
	assert_int_equal(buf[0], 0x4000000000000000ull);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 24);
	bpfemu_diag_clear();
	kring_close(&u);
	kring_close(&k);
}

static void test_submit_wakes_only_a_caught_up_consumer(void **state)
{
	struct got g = { 0 };
	struct ring_buffer *rb;
	struct kring k;

	(void)state;
	rb = consumer_open(&k, page, &g);
	emit(&k, 8, 1, 0);		/* consumer at this record: wake */
	assert_int_equal(wakeups(&k), 1);
	emit(&k, 8, 2, 0);		/* consumer still behind: no wake */
	assert_int_equal(wakeups(&k), 1);
	emit(&k, 8, 3, BPF_RB_FORCE_WAKEUP);
	assert_int_equal(wakeups(&k), 2);
	assert_int_equal(ring_buffer__consume(rb), 3);
	emit(&k, 8, 4, BPF_RB_NO_WAKEUP);
	assert_int_equal(wakeups(&k), 2);
	assert_int_equal(ring_buffer__consume(rb), 1);
	emit(&k, 8, 5, 0);
	assert_int_equal(wakeups(&k), 3);
	consumer_close(&k, rb);
}

/* ------------------------------------------------------------ inside a program */

/*
 * Inside a program, reserve, submit and discard take a fast path (an
 * allowed call, a process with one thread, a RINGBUF definition, the
 * newest reference) and leave everything else to the full checks: the
 * answers must be those the helpers give outside a program.  A body runs
 * as a program of @prog_type and notes what it saw; the asserts come after
 * the run (a refused call abandons the run).
 */
struct in_prog {
	struct kring *k;
	void *def;		/* what the body passes as the map */
	uint8_t *p[8];
	unsigned long wakes[8];
	long ret[4];
	bool returned;
};

typedef void (*in_prog_fn)(struct in_prog *ip);

struct in_prog_run {
	in_prog_fn body;
	struct in_prog *ip;
};

static long in_prog_entry(void *arg)
{
	struct in_prog_run *r = arg;

	r->body(r->ip);
	r->ip->returned = true;
	return 0;
}

static int run_in(int prog_type, in_prog_fn body, struct in_prog *ip)
{
	struct emu_prog *prog = emu_prog_new_bare("rb", prog_type);
	struct in_prog_run r = { body, ip };
	long ret = -1;
	int err;

	assert_non_null(prog);
	ip->returned = false;
	err = emu_run(prog, EMU_ENTRY_PROG, in_prog_entry, &r, &ret);
	emu_prog_put(prog);
	return err;
}

static void sizes_and_flags(struct in_prog *ip)
{
	void *def = ip->k->def;

	ip->p[0] = bpfemu_helper_ringbuf_reserve(def, (uint64_t)UINT_MAX / 4 + 1, 0);
	ip->p[1] = bpfemu_helper_ringbuf_reserve(def, page - 8, 0);	/* len = size */
	ip->p[2] = bpfemu_helper_ringbuf_reserve(def, 8, BPF_RB_NO_WAKEUP);
	/* the largest record that leaves 8 bytes, then one that fits in them */
	ip->p[3] = bpfemu_helper_ringbuf_reserve(def, page - 24, 0);
	ip->p[4] = bpfemu_helper_ringbuf_reserve(def, 0, 0);
	ip->p[5] = bpfemu_helper_ringbuf_reserve(def, 0, 0);		/* full */
	ip->ret[0] = ((uint32_t *)ip->p[3])[-2];
	ip->ret[1] = ((uint32_t *)ip->p[3])[-1];
	/* newest first, then the older one (newest again by then) */
	bpfemu_helper_ringbuf_discard(ip->p[4], 0);
	bpfemu_helper_ringbuf_submit(ip->p[3], 0);
}

static void record_limit(struct in_prog *ip)
{
	ip->p[0] = bpfemu_helper_ringbuf_reserve(ip->k->def, (uint64_t)UINT_MAX / 4 + 1, 0);
	ip->p[1] = bpfemu_helper_ringbuf_reserve(ip->k->def, (uint64_t)UINT_MAX / 4, 0);
	if (ip->p[1])
		bpfemu_helper_ringbuf_discard(ip->p[1], 0);
}

static void out_of_order(struct in_prog *ip)
{
	void *def = ip->k->def;

	ip->p[0] = bpfemu_helper_ringbuf_reserve(def, 8, 0);
	ip->p[1] = bpfemu_helper_ringbuf_reserve(def, 8, 0);
	memset(ip->p[0], 1, 8);
	memset(ip->p[1], 2, 8);
	/* the older sample first: not the newest reference */
	bpfemu_helper_ringbuf_submit(ip->p[0], 0);
	bpfemu_helper_ringbuf_discard(ip->p[1], 0);
}

static void prog_emit(struct in_prog *ip, int i, uint8_t tag, uint64_t flags, bool discard)
{
	uint8_t *p = bpfemu_helper_ringbuf_reserve(ip->k->def, 8, 0);

	ip->p[i] = p;
	if (!p)
		return;
	memset(p, tag, 8);
	if (discard)
		bpfemu_helper_ringbuf_discard(p, flags);
	else
		bpfemu_helper_ringbuf_submit(p, flags);
	ip->wakes[i] = wakeups(ip->k);
}

static void every_wakeup_rule(struct in_prog *ip)
{
	prog_emit(ip, 0, 1, 0, false);		/* consumer at this record: wake */
	prog_emit(ip, 1, 2, 0, false);		/* consumer behind: no wake */
	prog_emit(ip, 2, 3, BPF_RB_FORCE_WAKEUP, false);
	prog_emit(ip, 3, 4, BPF_RB_NO_WAKEUP, false);
	prog_emit(ip, 4, 5, BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP, false);
	prog_emit(ip, 5, 6, 0, true);		/* discarded, consumer behind */
	prog_emit(ip, 6, 7, BPF_RB_FORCE_WAKEUP, true);
	prog_emit(ip, 7, 8, 1ull << 40, false);	/* unknown bits: ignored */
}

static void output_cases(struct in_prog *ip)
{
	void *def = ip->k->def;

	ip->ret[0] = bpfemu_helper_ringbuf_output(def, "hello", 6, 4);
	ip->ret[1] = bpfemu_helper_ringbuf_output(def, "hello", page, 0);
	ip->ret[2] = bpfemu_helper_ringbuf_output(def, "hello", 6, BPF_RB_NO_WAKEUP);
	ip->ret[3] = bpfemu_helper_ringbuf_output(def, "hello", 0, 0);
}

static void caught_up_wakeup_rule(struct in_prog *ip)
{
	prog_emit(ip, 0, 9, 0, true);		/* a discard at the consumer wakes */
	prog_emit(ip, 1, 10, BPF_RB_NO_WAKEUP, false);
}

static void test_helpers_inside_a_program_answer_as_outside(void **state)
{
	struct in_prog ip;
	struct got g = { 0 };
	struct ring_buffer *rb;
	struct kring k;
	unsigned long w;

	(void)state;
	kring_open(&k, page);
	memset(&ip, 0, sizeof(ip));
	ip.k = &k;
	assert_int_equal(run_in(BPF_PROG_TYPE_SCHED_CLS, sizes_and_flags, &ip), 0);
	assert_true(ip.returned);
	assert_null(ip.p[0]);
	assert_null(ip.p[1]);
	assert_null(ip.p[2]);
	assert_ptr_equal(ip.p[3], k.rb->data + 8);
	assert_ptr_equal(ip.p[4], k.rb->data + page - 16 + 8);
	assert_null(ip.p[5]);
	assert_int_equal(ip.ret[0], (page - 24) | BPF_RINGBUF_BUSY_BIT);
	assert_int_equal(ip.ret[1], EMU_RINGBUF_PGOFF + EMU_RINGBUF_POS_PAGES);
	assert_int_equal(((uint32_t *)k.rb->data)[0], page - 24);
	assert_int_equal(((uint32_t *)k.rb->data)[(page - 16) / 4], BPF_RINGBUF_DISCARD_BIT);
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), page - 8);
	kring_close(&k);

	if (sizeof(size_t) >= 8) {
		kring_open(&k, 1u << 31);
		memset(&ip, 0, sizeof(ip));
		ip.k = &k;
		assert_int_equal(run_in(BPF_PROG_TYPE_SCHED_CLS, record_limit, &ip), 0);
		assert_null(ip.p[0]);
		assert_ptr_equal(ip.p[1], k.rb->data + 8);
		kring_close(&k);
	}

	rb = consumer_open(&k, page, &g);
	memset(&ip, 0, sizeof(ip));
	ip.k = &k;
	assert_int_equal(run_in(BPF_PROG_TYPE_SCHED_CLS, out_of_order, &ip), 0);
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(g.tags[0], 1);

	w = wakeups(&k);
	memset(&ip, 0, sizeof(ip));
	ip.k = &k;
	assert_int_equal(run_in(BPF_PROG_TYPE_SCHED_CLS, every_wakeup_rule, &ip), 0);
	assert_int_equal(ip.wakes[0], w + 1);
	assert_int_equal(ip.wakes[1], w + 1);
	assert_int_equal(ip.wakes[2], w + 2);
	assert_int_equal(ip.wakes[3], w + 2);
	assert_int_equal(ip.wakes[4], w + 3);
	assert_int_equal(ip.wakes[5], w + 3);
	assert_int_equal(ip.wakes[6], w + 4);
	assert_int_equal(ip.wakes[7], w + 4);
	/* 1-5 and 8; the discards are skipped */
	assert_int_equal(ring_buffer__consume(rb), 6);
	assert_int_equal(g.tags[6], 8);

	memset(&ip, 0, sizeof(ip));
	ip.k = &k;
	assert_int_equal(run_in(BPF_PROG_TYPE_SCHED_CLS, caught_up_wakeup_rule, &ip), 0);
	assert_int_equal(ip.wakes[0], w + 5);
	assert_int_equal(ip.wakes[1], w + 5);
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(g.tags[7], 10);

	memset(&ip, 0, sizeof(ip));
	ip.k = &k;
	assert_int_equal(run_in(BPF_PROG_TYPE_SCHED_CLS, output_cases, &ip), 0);
	assert_int_equal(ip.ret[0], -EINVAL);
	assert_int_equal(ip.ret[1], -EAGAIN);
	assert_int_equal(ip.ret[2], 0);
	assert_int_equal(ip.ret[3], 0);
	assert_int_equal(ring_buffer__consume(rb), 2);
	assert_int_equal(g.sizes[8], 6);
	assert_int_equal(g.tags[8], 'h');
	assert_int_equal(g.sizes[9], 0);
	consumer_close(&k, rb);
}

static void reserve_one(struct in_prog *ip)
{
	ip->p[0] = bpfemu_helper_ringbuf_reserve(ip->def, 8, 0);
	if (ip->p[0])
		bpfemu_helper_ringbuf_submit(ip->p[0], 0);
}

static void submit_p0(struct in_prog *ip)
{
	bpfemu_helper_ringbuf_submit(ip->p[0], 0);
}

static void discard_p0(struct in_prog *ip)
{
	bpfemu_helper_ringbuf_discard(ip->p[0], 0);
}

static void output_one(struct in_prog *ip)
{
	ip->ret[0] = bpfemu_helper_ringbuf_output(ip->def, "hello", 6, 0);
}

/*
 * A program type that may not call them (LIRC_MODE2: outside
 * bpf_base_func_proto) is refused before any effect, and so is a map
 * argument that is no RINGBUF: the same diagnostics as always.
 */
static void test_helpers_inside_a_program_refuse_before_any_effect(void **state)
{
	static const in_prog_fn calls[] = { reserve_one, submit_p0, discard_p0, output_one };
	uint64_t odd[4] = { 0 };
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY,
		.key_size = 4,
		.value_size = 8,
		.max_entries = 4,
		.inner_map_fd = -1,
	};
	struct in_prog ip;
	struct kring k, u;
	struct emu_map *array;
	size_t i;
	int err = 0;

	(void)state;
	kring_open(&k, page);
	kring_open_type(&u, BPF_MAP_TYPE_USER_RINGBUF, page);
	array = emu_map_create(&attr, &err);
	assert_non_null(array);

	/* a sample reserved outside a program, for the commits */
	memset(&ip, 0, sizeof(ip));
	ip.k = &k;
	ip.def = k.def;
	ip.p[0] = bpfemu_helper_ringbuf_reserve(k.def, 8, 0);
	assert_non_null(ip.p[0]);
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		bpfemu_diag_clear();
		assert_int_equal(run_in(BPF_PROG_TYPE_LIRC_MODE2, calls[i], &ip), -EINVAL);
		assert_false(ip.returned);
		assert_true(bpfemu_diag_has("helper_not_allowed"));
		assert_int_equal(bpfemu_diag_count(), 1);
		assert_int_equal(ip.ret[0], 0);
		/* only the sample reserved above, still BUSY */
		assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 16);
		assert_int_equal(((uint32_t *)k.rb->data)[0], 8 | BPF_RINGBUF_BUSY_BIT);
	}
	bpfemu_helper_ringbuf_submit(ip.p[0], 0);
	assert_int_equal(((uint32_t *)k.rb->data)[0], 8);

	/* maps that are no RINGBUF, and pointers that are no map */
	struct {
		void *def;
		const char *rule;
	} bad[] = {
		{ emu_map_def(array), "map_func_incompatible" },
		{ u.def, "map_func_incompatible" },
		{ &odd[0], "not_a_map" },
		{ (uint8_t *)&odd[0] + 4, "not_a_map" },
		{ NULL, "not_a_map" },
	};
	for (i = 0; i < 2 * sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&ip, 0, sizeof(ip));
		ip.k = &k;
		ip.def = bad[i / 2].def;
		bpfemu_diag_clear();
		assert_int_equal(run_in(BPF_PROG_TYPE_SCHED_CLS, i % 2 ? output_one : reserve_one, &ip),
				 -EINVAL);
		assert_false(ip.returned);
		assert_true(bpfemu_diag_has(bad[i / 2].rule));
		assert_int_equal(bpfemu_diag_count(), 1);
	}
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_helper_ringbuf_query(k.def, BPF_RB_PROD_POS), 16);
	emu_map_put(array);
	kring_close(&u);
	kring_close(&k);
}

/* ------------------------------------------------------------ consumer */

static void test_ring_buffer_new_validates_opts(void **state)
{
	struct {
		struct ring_buffer_opts o;
		char tail[8];
	} big = { .o.sz = sizeof(big) };
	struct ring_buffer_opts small = { .sz = 4 };
	struct ring_buffer *rb;
	struct kring k;

	(void)state;
	kring_open(&k, page);
	errno = 0;
	assert_null(ring_buffer__new(k.fd, got_cb, NULL, &small));
	assert_int_equal(errno, EINVAL);
	big.tail[3] = 1;
	assert_null(ring_buffer__new(k.fd, got_cb, NULL, &big.o));
	assert_int_equal(errno, EINVAL);
	big.tail[3] = 0;
	rb = ring_buffer__new(k.fd, got_cb, NULL, &big.o);
	assert_non_null(rb);
	ring_buffer__free(rb);
	kring_close(&k);
}

static void test_ring_buffer_new_checks_the_map(void **state)
{
	struct kring u;
	int p[2];

	(void)state;
	kring_open_type(&u, BPF_MAP_TYPE_USER_RINGBUF, page);
	assert_null(ring_buffer__new(u.fd, got_cb, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	kring_close(&u);
	assert_int_equal(pipe(p), 0);
	assert_null(ring_buffer__new(p[0], got_cb, NULL, NULL));
	assert_int_equal(errno, EINVAL);
	close(p[0]);
	close(p[1]);
	/* Observed on 6.18: a closed descriptor gives EBADFD. */
	assert_null(ring_buffer__new(999, got_cb, NULL, NULL));
#ifdef EBADFD
	assert_int_equal(errno, EBADFD);
#else
	assert_int_equal(errno, EBADF);
#endif
	ring_buffer__free(NULL);
}

static void test_ring_buffer_new_fails_cleanly_when_allocation_fails(void **state)
{
	struct ring_buffer *rb;
	struct kring k;
	int n;

	(void)state;
	kring_open(&k, page);
	for (n = 1;; n++) {
		bpfemu_fault_inject_nth(n);
		rb = ring_buffer__new(k.fd, got_cb, NULL, NULL);
		bpfemu_fault_inject_nth(0);
		if (rb)
			break;
		assert_int_equal(errno, ENOMEM);
	}
	assert_true(n > 3);
	ring_buffer__free(rb);
	kring_close(&k);
}

static void test_consume_delivers_in_order_and_skips_discards(void **state)
{
	struct got g = { 0 };
	struct ring_buffer *rb;
	struct kring k;
	void *p;

	(void)state;
	rb = consumer_open(&k, page, &g);
	emit(&k, 3, 1, 0);
	p = bpfemu_helper_ringbuf_reserve(k.def, 8, 0);
	bpfemu_helper_ringbuf_discard(p, 0);
	emit(&k, 0, 0, 0);
	emit(&k, 100, 3, 0);
	assert_int_equal(ring_buffer__consume(rb), 3);
	assert_int_equal(g.sizes[0], 3);
	assert_int_equal(g.tags[0], 1);
	assert_int_equal(g.sizes[1], 0);
	assert_int_equal(g.sizes[2], 100);
	assert_int_equal(g.tags[2], 3);
	assert_int_equal(ring_buffer__consume(rb), 0);
	consumer_close(&k, rb);
}

static void test_busy_record_stops_the_consumer(void **state)
{
	struct got g = { 0 };
	struct ring_buffer *rb;
	struct kring k;
	void *p;

	(void)state;
	rb = consumer_open(&k, page, &g);
	emit(&k, 8, 1, 0);
	p = bpfemu_helper_ringbuf_reserve(k.def, 8, 0);
	emit(&k, 8, 3, 0);
	assert_int_equal(ring_buffer__consume(rb), 1);
	bpfemu_helper_ringbuf_submit(p, 0);
	assert_int_equal(ring_buffer__consume(rb), 2);
	consumer_close(&k, rb);
}

static void test_negative_callback_return_stops_and_consumes_that_record(void **state)
{
	struct got g = { .fail_at = 2 };
	struct ring_buffer *rb;
	struct ring *r;
	struct kring k;

	(void)state;
	rb = consumer_open(&k, page, &g);
	emit(&k, 8, 1, 0);
	emit(&k, 8, 2, 0);
	emit(&k, 8, 3, 0);
	errno = 0;
	assert_int_equal(ring_buffer__consume(rb), -EIO);
	assert_int_equal(errno, EIO);
	r = ring_buffer__ring(rb, 0);
	assert_int_equal(ring__consumer_pos(r), 32);
	g.fail_at = 0;
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(g.tags[2], 3);
	consumer_close(&k, rb);
}

static void test_consume_n_stops_after_n_records(void **state)
{
	struct got g = { 0 };
	struct ring_buffer *rb;
	struct kring k;
	int i;

	(void)state;
	rb = consumer_open(&k, page, &g);
	for (i = 0; i < 5; i++)
		emit(&k, 8, (uint8_t)i, 0);
	assert_int_equal(ring_buffer__consume_n(rb, 2), 2);
	assert_int_equal(ring__consume_n(ring_buffer__ring(rb, 0), 1), 1);
	assert_int_equal(ring__consume(ring_buffer__ring(rb, 0)), 2);
	assert_int_equal(g.tags[4], 4);
	consumer_close(&k, rb);
}

static void test_ring_accessors_report_the_positions(void **state)
{
	struct got g = { 0 };
	struct ring_buffer *rb;
	struct ring *r;
	struct kring k;

	(void)state;
	rb = consumer_open(&k, page * 2, &g);
	r = ring_buffer__ring(rb, 0);
	assert_non_null(r);
	assert_null(ring_buffer__ring(rb, 1));
	assert_int_equal(errno, ERANGE);
	emit(&k, 16, 1, 0);
	assert_int_equal(ring__producer_pos(r), 24);
	assert_int_equal(ring__consumer_pos(r), 0);
	assert_int_equal(ring__avail_data_size(r), 24);
	assert_int_equal(ring__size(r), page * 2);
	assert_int_equal(ring__map_fd(r), k.fd);
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(ring__avail_data_size(r), 0);
	consumer_close(&k, rb);
}

static void test_two_rings_in_one_ring_buffer(void **state)
{
	struct got g1 = { 0 }, g2 = { 0 };
	struct ring_buffer *rb;
	struct kring a, b;

	(void)state;
	kring_open(&a, page);
	kring_open(&b, page);
	rb = ring_buffer__new(a.fd, got_cb, &g1, NULL);
	assert_int_equal(ring_buffer__add(rb, b.fd, got_cb, &g2), 0);
	assert_int_equal(ring_buffer__add(rb, 999, got_cb, &g2), -EBADFD);
	emit(&a, 8, 1, 0);
	emit(&b, 8, 2, 0);
	emit(&b, 8, 3, 0);
	assert_int_equal(ring_buffer__poll(rb, 100), 3);
	assert_int_equal(g1.calls, 1);
	assert_int_equal(g2.calls, 2);
	ring_buffer__free(rb);
	kring_close(&a);
	kring_close(&b);
}

static void test_map_fd_is_readable_after_a_wakeup_until_caught_up(void **state)
{
	struct pollfd pfd = { .events = POLLIN | POLLOUT };
	struct got g = { 0 };
	struct ring_buffer *rb;
	struct kring k;

	(void)state;
	rb = consumer_open(&k, page, &g);
	pfd.fd = k.fd;
	assert_int_equal(poll(&pfd, 1, 0), 0);
	emit(&k, 8, 1, 0);
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(pfd.revents, POLLIN);
	assert_int_equal(ring_buffer__poll(rb, 0), 1);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* No wakeup: a poller is not told (as with the kernel's epoll). */
	emit(&k, 8, 2, BPF_RB_NO_WAKEUP);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(ring_buffer__poll(rb, 50), 0);
	assert_int_equal(ring_buffer__consume(rb), 1);
	consumer_close(&k, rb);
}

/* Counts records whose tag is their number (emit order). */
static int in_order_cb(void *ctx, void *data, size_t size)
{
	int *n = ctx;

	if (size != 8 || *(uint8_t *)data != (uint8_t)*n)
		return -EIO;
	(*n)++;
	return 0;
}

/*
 * A forked child shares the ring's pages: it can consume what the
 * parent's programs produce by polling with ring_buffer__consume.  (Not
 * through epoll on the fd: readiness is kept per process, so the parent's
 * wakeups do not reach it reliably; docs/ringbuf.md.)
 */
static void test_forked_child_consumes_the_parents_records(void **state)
{
	const int nr = 200;
	int res[2], got = -1, status;
	struct kring k;
	pid_t pid;

	(void)state;
	kring_open(&k, 4 * page);
	assert_int_equal(pipe(res), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct ring_buffer *rb;
		int n = 0, idle = 0;

		close(res[0]);
		rb = ring_buffer__new(k.fd, in_order_cb, &n, NULL);
		/* give up after ~5 s without a record */
		while (rb && n < nr && idle < 50000) {
			int r = ring_buffer__consume(rb);

			if (r < 0)
				break;
			idle = r ? 0 : idle + 1;
			if (!r)
				usleep(100);
		}
		if (write(res[1], &n, sizeof(n)) != sizeof(n))
			_exit(1);
		_exit(0);
	}
	close(res[1]);
	for (int i = 0; i < nr; i++) {
		emit(&k, 8, (uint8_t)i, 0);
		if (!(i % 16))
			usleep(200);	/* let the child catch up now and then */
	}
	assert_int_equal(read(res[0], &got, sizeof(got)), sizeof(got));
	close(res[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, nr);
	kring_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserve_with_flags_returns_null),
		cmocka_unit_test(test_reserve_refuses_oversized_records),
		cmocka_unit_test(test_ring_is_never_completely_full),
		cmocka_unit_test(test_record_header_carries_busy_bit_and_page_offset),
		cmocka_unit_test(test_output_checks_flags_then_space),
		cmocka_unit_test(test_commit_of_what_is_no_sample_is_refused),
		cmocka_unit_test(test_query_reports_positions_size_and_zero_otherwise),
		cmocka_unit_test(test_reserve_dynptr_failures_null_the_dynptr),
		cmocka_unit_test(test_reserve_dynptr_gives_a_ringbuf_dynptr),
		cmocka_unit_test(test_submit_wakes_only_a_caught_up_consumer),
		cmocka_unit_test(test_helpers_inside_a_program_answer_as_outside),
		cmocka_unit_test(test_helpers_inside_a_program_refuse_before_any_effect),
		cmocka_unit_test(test_ring_buffer_new_validates_opts),
		cmocka_unit_test(test_ring_buffer_new_checks_the_map),
		cmocka_unit_test(test_ring_buffer_new_fails_cleanly_when_allocation_fails),
		cmocka_unit_test(test_consume_delivers_in_order_and_skips_discards),
		cmocka_unit_test(test_busy_record_stops_the_consumer),
		cmocka_unit_test(test_negative_callback_return_stops_and_consumes_that_record),
		cmocka_unit_test(test_consume_n_stops_after_n_records),
		cmocka_unit_test(test_ring_accessors_report_the_positions),
		cmocka_unit_test(test_two_rings_in_one_ring_buffer),
		cmocka_unit_test(test_map_fd_is_readable_after_a_wakeup_until_caught_up),
		cmocka_unit_test(test_forked_child_consumes_the_parents_records),
	};

	return cmocka_run_group_tests(tests, ringbuf_group_setup, ringbuf_group_teardown);
}
