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

	(void)state;
	kring_open(&k, page);
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, (uint64_t)UINT_MAX / 4 + 1, 0));
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, 1ull << 40, 0));
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, page, 0));
	assert_null(bpfemu_helper_ringbuf_reserve(k.def, page - 8, 0));
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
