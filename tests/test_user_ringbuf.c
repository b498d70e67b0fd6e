/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_USER_RINGBUF: creation rules and bpf_user_ringbuf_drain,
 * path by path (shared/spec/user_ringbuf.md §1, §2, §5).  The producer
 * here writes through a user-space view of the ring the way libbpf does, or
 * pokes raw positions and headers as a buggy producer would.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "err.h"
#include "map.h"
#include "prog.h"
#include "ringbuf.h"
#include "test_ringbuf_util.h"

#define HDR BPF_RINGBUF_HDR_SZ

struct ring {
	struct emu_map *map;
	struct emu_ringbuf *rb;
	void *def;			/* what a program passes as `map` */
	struct emu_ringbuf_view v;	/* producer's view */
};

static int ring_create_attr(uint32_t type, uint32_t key, uint32_t value, uint32_t max,
			    uint32_t flags, struct emu_map **out)
{
	struct emu_map_attr attr = {
		.map_type = type,
		.key_size = key,
		.value_size = value,
		.max_entries = max,
		.map_flags = flags,
		.inner_map_fd = -1,
	};
	int err = 0;

	*out = emu_map_create(&attr, &err);
	return *out ? 0 : err;
}

static void ring_open(struct ring *r, uint32_t size)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(ring_create_attr(BPF_MAP_TYPE_USER_RINGBUF, 0, 0, size, 0, &r->map), 0);
	r->rb = emu_ringbuf_from_map(r->map);
	assert_non_null(r->rb);
	r->def = emu_map_def(r->map);
	assert_int_equal(emu_ringbuf_view_map(r->rb, PROT_READ, PROT_READ | PROT_WRITE, &r->v), 0);
}

static void ring_close(struct ring *r)
{
	emu_ringbuf_view_unmap(&r->v);
	emu_map_put(r->map);
}

/* libbpf's user_ring_buffer__reserve, through the producer's view. */
static void *produce_reserve(struct ring *r, uint32_t size)
{
	unsigned long cons = __atomic_load_n(r->v.consumer_pos, __ATOMIC_ACQUIRE);
	unsigned long prod = __atomic_load_n(r->v.producer_pos, __ATOMIC_ACQUIRE);
	uint32_t max = (uint32_t)emu_ringbuf_size(r->rb);
	uint32_t total = (size + HDR + 7) / 8 * 8;
	uint32_t *hdr;

	if (total > max || max - (prod - cons) < total)
		return NULL;
	hdr = (uint32_t *)(r->v.data + (prod & r->rb->mask));
	hdr[0] = size | BPF_RINGBUF_BUSY_BIT;
	hdr[1] = 0;
	__atomic_store_n(r->v.producer_pos, prod + total, __ATOMIC_RELEASE);
	return r->v.data + ((prod + HDR) & r->rb->mask);
}

static void produce_commit(struct ring *r, void *sample, bool discard)
{
	uint64_t off = (r->rb->mask + 1 + ((uint8_t *)sample - r->v.data) - HDR) & r->rb->mask;
	uint32_t *hdr = (uint32_t *)(r->v.data + off);
	uint32_t len = *hdr & ~BPF_RINGBUF_BUSY_BIT;

	if (discard)
		len |= BPF_RINGBUF_DISCARD_BIT;
	__atomic_exchange_n(hdr, len, __ATOMIC_ACQ_REL);
}

/* Reserve, fill with @tag and submit a sample of @size bytes. */
static void produce(struct ring *r, uint32_t size, uint8_t tag)
{
	void *s = produce_reserve(r, size);

	assert_non_null(s);
	memset(s, tag, size);
	produce_commit(r, s, false);
}

static void produce_discarded(struct ring *r, uint32_t size)
{
	void *s = produce_reserve(r, size);

	assert_non_null(s);
	produce_commit(r, s, true);
}

static unsigned long cons_pos(struct ring *r)
{
	return __atomic_load_n(r->v.consumer_pos, __ATOMIC_ACQUIRE);
}

static void set_prod_pos(struct ring *r, unsigned long pos)
{
	__atomic_store_n(r->v.producer_pos, pos, __ATOMIC_RELEASE);
}

static uint32_t *hdr_at(struct ring *r, unsigned long pos)
{
	return (uint32_t *)(r->v.data + (pos & r->rb->mask));
}

/* ------------------------------------------------------------ callbacks */

struct seen {
	int calls;
	int stop_at;		/* return 1 on this call (1-based), 0 = never */
	int ret_other;		/* if non-zero, return this instead of 0 */
	uint32_t sizes[8];
	uint8_t first[8];
	uint32_t types[8];
	bool rdonly[8];
	struct ring *nested;	/* drain this ring from inside the callback */
	long nested_ret;
};

static int count_cb(const struct bpf_dynptr *d, void *ctx)
{
	struct seen *s = ctx;
	const struct emu_dynptr *p = (const void *)d;
	int i = s->calls++;

	if (i < 8) {
		s->sizes[i] = bpf_dynptr_size(d);
		s->types[i] = emu_dynptr_type(p);
		s->rdonly[i] = bpf_dynptr_is_rdonly(d);
		s->first[i] = 0;
		if (s->sizes[i])
			bpfemu_helper_dynptr_read(&s->first[i], 1, d, 0, 0);
	}
	if (s->nested)
		s->nested_ret = bpfemu_helper_user_ringbuf_drain(s->nested->def, count_cb, s, 0);
	if (s->ret_other)
		return s->ret_other;
	return s->stop_at && s->calls == s->stop_at ? 1 : 0;
}

static long drain(struct ring *r, struct seen *s, uint64_t flags)
{
	return bpfemu_helper_user_ringbuf_drain(r->def, count_cb, s, flags);
}

static unsigned long wakeups(struct ring *r)
{
	return atomic_load(&r->rb->wakeups);
}

/* ------------------------------------------------------------ creation */

static void test_create_accepts_a_page_sized_power_of_two(void **state)
{
	struct emu_map *m;

	(void)state;
	assert_int_equal(ring_create_attr(BPF_MAP_TYPE_USER_RINGBUF, 0, 0, page, 0, &m), 0);
	assert_int_equal(m->max_entries, page);
	emu_map_put(m);
	assert_int_equal(ring_create_attr(BPF_MAP_TYPE_USER_RINGBUF, 0, 0, page * 4,
					  BPF_F_NUMA_NODE, &m), 0);
	emu_map_put(m);
}

static void test_create_rejects_bad_sizes_with_einval(void **state)
{
	struct emu_map *m;
	uint32_t bad[] = { 0, (uint32_t)page / 2, (uint32_t)page - 1, (uint32_t)page * 3 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ring_create_attr(BPF_MAP_TYPE_USER_RINGBUF, 0, 0, bad[i], 0, &m), -EINVAL);
		assert_int_equal(ring_create_attr(BPF_MAP_TYPE_RINGBUF, 0, 0, bad[i], 0, &m), -EINVAL);
	}
}

static void test_create_rejects_key_value_and_flags_with_einval(void **state)
{
	struct emu_map *m;
	uint32_t type;

	(void)state;
	for (type = BPF_MAP_TYPE_RINGBUF; type <= BPF_MAP_TYPE_USER_RINGBUF;
	     type += BPF_MAP_TYPE_USER_RINGBUF - BPF_MAP_TYPE_RINGBUF) {
		assert_int_equal(ring_create_attr(type, 4, 0, page, 0, &m), -EINVAL);
		assert_int_equal(ring_create_attr(type, 0, 4, page, 0, &m), -EINVAL);
		assert_int_equal(ring_create_attr(type, 0, 0, page, BPF_F_NO_PREALLOC, &m), -EINVAL);
		assert_int_equal(ring_create_attr(type, 0, 0, page, BPF_F_RDONLY_PROG, &m), -EINVAL);
		/* Observed on 6.18: overwrite mode is refused for both types. */
		assert_int_equal(ring_create_attr(type, 0, 0, page, BPF_F_RB_OVERWRITE, &m), -EINVAL);
	}
}

static void test_create_fails_with_enomem_at_every_allocation(void **state)
{
	struct emu_map *m;
	int n, err;

	(void)state;
	for (n = 1;; n++) {
		bpfemu_fault_inject_nth(n);
		err = ring_create_attr(BPF_MAP_TYPE_USER_RINGBUF, 0, 0, page, 0, &m);
		bpfemu_fault_inject_nth(0);
		if (!err)
			break;
		assert_int_equal(err, -ENOMEM);
		assert_int_equal(bpfemu_live_objects(), 0);
	}
	assert_true(n > 2);	/* the struct and the pages both failed once */
	emu_map_put(m);
}

static void test_element_commands_return_enotsupp(void **state)
{
	struct ring r;
	char buf[8];

	(void)state;
	ring_open(&r, page);
	assert_int_equal(r.map->ops->lookup_sys(r.map, NULL, buf, 0), -ENOTSUPP);
	assert_int_equal(r.map->ops->update_sys(r.map, NULL, buf, 0), -ENOTSUPP);
	assert_int_equal(r.map->ops->delete_sys(r.map, NULL), -ENOTSUPP);
	assert_int_equal(r.map->ops->get_next_key(r.map, NULL, buf), -ENOTSUPP);
	assert_int_equal(-ENOTSUPP, -524);
	ring_close(&r);
}

/* ------------------------------------------------------------ layout */

static void test_data_pages_are_zeroed_and_mapped_twice(void **state)
{
	struct ring r;
	size_t i;

	(void)state;
	ring_open(&r, page);
	for (i = 0; i < page; i++)
		assert_int_equal(r.rb->data[i], 0);
	r.v.data[5] = 0x5a;
	assert_int_equal(r.rb->data[page + 5], 0x5a);
	assert_int_equal(r.v.data[page + 5], 0x5a);
	assert_int_equal(r.rb->data[5], 0x5a);
	/* Positions sit at the start of their own pages. */
	assert_int_equal((uint8_t *)r.rb->producer_pos - (uint8_t *)r.rb->consumer_pos, page);
	assert_int_equal(r.rb->data - (uint8_t *)r.rb->producer_pos, page);
	ring_close(&r);
}

static void test_poll_reports_pollout_until_exactly_full(void **state)
{
	struct ring r;

	(void)state;
	ring_open(&r, page);
	assert_int_equal(emu_ringbuf_poll_state(r.rb), POLLOUT);
	assert_non_null(produce_reserve(&r, (uint32_t)page - 16 - HDR));
	/* 16 bytes free: too little for a 16-byte sample, still writable. */
	assert_int_equal(emu_ringbuf_poll_state(r.rb), POLLOUT);
	assert_null(produce_reserve(&r, 16));
	assert_non_null(produce_reserve(&r, 8));
	assert_int_equal(emu_ringbuf_poll_state(r.rb), 0);
	ring_close(&r);
}

/* ------------------------------------------------------------ entry */

static void test_drain_rejects_unknown_flags_before_anything(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 16, 1);
	assert_int_equal(drain(&r, &s, 4), -EINVAL);
	assert_int_equal(drain(&r, &s, 1ull << 32), -EINVAL);
	assert_int_equal(s.calls, 0);
	assert_int_equal(cons_pos(&r), 0);
	assert_int_equal(wakeups(&r), 0);
	assert_int_equal(drain(&r, &s, 0), 1);
	ring_close(&r);
}

static void test_drain_accepts_both_wakeup_flags(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	assert_int_equal(drain(&r, &s, BPF_RB_NO_WAKEUP), 1);
	produce(&r, 8, 1);
	assert_int_equal(drain(&r, &s, BPF_RB_FORCE_WAKEUP), 1);
	produce(&r, 8, 1);
	assert_int_equal(drain(&r, &s, BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP), 1);
	assert_int_equal(drain(&r, &s, BPF_RB_FORCE_WAKEUP), 0);
	ring_close(&r);
}

static void test_drain_of_empty_ring_returns_zero(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	assert_int_equal(drain(&r, &s, 0), 0);
	assert_int_equal(s.calls, 0);
	assert_int_equal(wakeups(&r), 0);
	ring_close(&r);
}

static void test_nested_drain_returns_ebusy_and_outer_delivers_all(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	produce(&r, 8, 2);
	produce(&r, 8, 3);
	s.nested = &r;
	assert_int_equal(drain(&r, &s, 0), 3);
	assert_int_equal(s.nested_ret, -EBUSY);
	assert_int_equal(s.calls, 3);
	s.nested = NULL;
	assert_int_equal(drain(&r, &s, 0), 0);
	ring_close(&r);
}

static void test_busy_ring_returns_ebusy_without_wakeup(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	atomic_store(&r.rb->busy, 1);	/* another CPU is draining */
	assert_int_equal(drain(&r, &s, BPF_RB_FORCE_WAKEUP), -EBUSY);
	assert_int_equal(wakeups(&r), 0);
	atomic_store(&r.rb->busy, 0);
	assert_int_equal(drain(&r, &s, 0), 1);
	ring_close(&r);
}

/* ------------------------------------------------------------ peek order */

static void test_misaligned_producer_returns_einval_until_restored(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 16, 1);
	set_prod_pos(&r, 28);
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	assert_int_equal(s.calls, 0);
	assert_int_equal(cons_pos(&r), 0);
	set_prod_pos(&r, 24);
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(s.sizes[0], 16);
	ring_close(&r);
}

static void test_misaligned_producer_is_einval_even_when_empty(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	set_prod_pos(&r, 4);
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	ring_close(&r);
}

static void test_producer_behind_consumer_reads_as_empty(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 16, 1);
	assert_int_equal(drain(&r, &s, 0), 1);
	set_prod_pos(&r, 8);
	assert_int_equal(drain(&r, &s, 0), 0);
	assert_int_equal(cons_pos(&r), 24);
	ring_close(&r);
}

static void test_length_past_producer_is_einval_and_consumes_nothing(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 16, 1);
	*hdr_at(&r, 0) = 64;
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	assert_int_equal(cons_pos(&r), 0);
	*hdr_at(&r, 0) = 16;
	assert_int_equal(drain(&r, &s, 0), 1);
	ring_close(&r);
}

static void test_length_of_whole_ring_is_einval_unless_producer_far_ahead(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 16, 1);
	*hdr_at(&r, 0) = (uint32_t)page;
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	set_prod_pos(&r, 2 * page);
	assert_int_equal(drain(&r, &s, 0), -E2BIG);
	assert_int_equal(s.calls, 0);
	assert_int_equal(cons_pos(&r), 0);
	ring_close(&r);
}

static void test_busy_header_with_bad_length_is_einval(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 16, 1);
	*hdr_at(&r, 0) = 64 | BPF_RINGBUF_BUSY_BIT;
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	ring_close(&r);
}

static void test_sample_beyond_dynptr_max_is_e2big(void **state)
{
	struct seen s = { 0 };
	struct ring r;
	uint32_t max = EMU_DYNPTR_MAX_SIZE;

	(void)state;
	ring_open(&r, 32u << 20);
	assert_non_null(produce_reserve(&r, max + 1));
	*hdr_at(&r, 0) = max + 1;	/* submitted */
	assert_int_equal(drain(&r, &s, 0), -E2BIG);
	assert_int_equal(cons_pos(&r), 0);
	ring_close(&r);

	ring_open(&r, 32u << 20);
	produce(&r, max, 7);
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(s.sizes[0], max);
	assert_int_equal(s.first[0], 7);
	ring_close(&r);
}

static void test_discard_wins_over_busy(void **state)
{
	struct seen s = { 0 };
	struct ring r;
	void *a;

	(void)state;
	ring_open(&r, page);
	a = produce_reserve(&r, 16);
	produce(&r, 8, 9);
	(void)a;
	*hdr_at(&r, 0) = 16 | BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT;
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(s.sizes[0], 8);
	assert_int_equal(s.first[0], 9);
	ring_close(&r);
}

static void test_busy_sample_at_head_stops_the_drain(void **state)
{
	struct seen s = { 0 };
	struct ring r;
	void *a;

	(void)state;
	ring_open(&r, page);
	a = produce_reserve(&r, 16);
	produce(&r, 8, 2);
	assert_int_equal(drain(&r, &s, 0), 0);
	assert_int_equal(cons_pos(&r), 0);
	produce_commit(&r, a, false);
	assert_int_equal(drain(&r, &s, 0), 2);
	ring_close(&r);
}

static void test_busy_sample_in_the_middle_lets_earlier_ones_through(void **state)
{
	struct seen s = { 0 };
	struct ring r;
	void *b;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	b = produce_reserve(&r, 8);
	produce(&r, 8, 3);
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(s.first[0], 1);
	memset(b, 2, 8);
	produce_commit(&r, b, false);
	assert_int_equal(drain(&r, &s, 0), 2);
	assert_int_equal(s.first[1], 2);
	assert_int_equal(s.first[2], 3);
	ring_close(&r);
}

static void test_wrapping_sample_is_delivered_intact(void **state)
{
	struct seen s = { 0 };
	struct ring r;
	uint8_t *p;
	uint32_t i;

	(void)state;
	ring_open(&r, page);
	produce(&r, (uint32_t)page - 64 - HDR, 0);	/* leaves the head 64 bytes from the end */
	assert_int_equal(drain(&r, &s, 0), 1);
	p = produce_reserve(&r, 200);
	assert_non_null(p);
	for (i = 0; i < 200; i++)
		p[i] = (uint8_t)i;
	produce_commit(&r, p, false);
	memset(&s, 0, sizeof(s));
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(s.sizes[0], 200);
	/* The tail landed at the start of the ring, through the second mapping. */
	assert_int_equal(r.rb->data[200 - 64 + HDR - 1], 199);
	ring_close(&r);
}

static void test_producer_far_ahead_walks_stale_bytes(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 16, 1);
	set_prod_pos(&r, 3 * page);
	/* Each lap: the real sample, then zero bytes read as empty records. */
	assert_int_equal(drain(&r, &s, 0), 3 * (1 + (page - 24) / 8));
	assert_int_equal(cons_pos(&r), 3 * page);
	ring_close(&r);
}

/* ------------------------------------------------------------ accounting */

static void test_callback_returning_one_stops_after_counting_that_sample(void **state)
{
	struct seen s = { .stop_at = 2 };
	struct ring r;
	int i;

	(void)state;
	ring_open(&r, page);
	for (i = 0; i < 5; i++)
		produce(&r, 8, (uint8_t)i);
	assert_int_equal(drain(&r, &s, 0), 2);
	assert_int_equal(cons_pos(&r), 2 * 16);
	s.stop_at = 0;
	assert_int_equal(drain(&r, &s, 0), 3);
	ring_close(&r);
}

static void test_discarded_samples_are_skipped_and_not_counted(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	produce_discarded(&r, 8);
	produce(&r, 8, 3);
	assert_int_equal(drain(&r, &s, BPF_RB_NO_WAKEUP), 2);
	assert_int_equal(s.first[1], 3);

	produce_discarded(&r, 8);
	produce_discarded(&r, 16);
	produce_discarded(&r, 0);
	assert_int_equal(drain(&r, &s, 0), 0);
	assert_int_equal(cons_pos(&r), *r.v.producer_pos);
	/* Discards alone still wake the producer. */
	assert_int_equal(wakeups(&r), 1);
	ring_close(&r);
}

static void test_error_keeps_earlier_samples_consumed(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	produce(&r, 8, 2);
	produce(&r, 8, 3);
	*hdr_at(&r, 32) = 100;
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	assert_int_equal(s.calls, 2);
	assert_int_equal(cons_pos(&r), 32);
	assert_int_equal(wakeups(&r), 1);
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	*hdr_at(&r, 32) = 8;
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(s.first[2], 3);
	ring_close(&r);
}

static void test_drain_stops_after_131072_samples(void **state)
{
	struct seen s = { 0 };
	struct ring r;
	int i;

	(void)state;
	ring_open(&r, 2u << 20);
	for (i = 0; i < 140000; i++)
		produce(&r, 0, 0);
	assert_int_equal(drain(&r, &s, 0), 131072);
	assert_int_equal(drain(&r, &s, 0), 140000 - 131072);
	assert_int_equal(drain(&r, &s, 0), 0);
	ring_close(&r);
}

static void test_discards_use_up_the_budget(void **state)
{
	struct seen s = { 0 };
	struct ring r;
	int i;

	(void)state;
	ring_open(&r, 2u << 20);
	for (i = 0; i < 131072; i++)
		produce_discarded(&r, 0);
	for (i = 0; i < 5; i++)
		produce(&r, 0, 0);
	assert_int_equal(drain(&r, &s, 0), 0);
	assert_int_equal(drain(&r, &s, 0), 5);
	ring_close(&r);
}

static void test_zero_length_sample_gives_empty_dynptr(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 0, 0);
	assert_int_equal(*r.v.producer_pos, 8);
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(s.sizes[0], 0);
	ring_close(&r);
}

/* ------------------------------------------------------------ wakeups */

static void test_wakeup_rules(void **state)
{
	struct seen s = { 0 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	assert_int_equal(drain(&r, &s, BPF_RB_NO_WAKEUP), 1);
	assert_int_equal(wakeups(&r), 0);
	assert_int_equal(drain(&r, &s, 0), 0);
	assert_int_equal(wakeups(&r), 0);
	assert_int_equal(drain(&r, &s, BPF_RB_FORCE_WAKEUP), 0);
	assert_int_equal(wakeups(&r), 1);
	produce(&r, 8, 1);
	assert_int_equal(drain(&r, &s, 0), 1);
	assert_int_equal(wakeups(&r), 2);
	set_prod_pos(&r, 33);
	assert_int_equal(drain(&r, &s, BPF_RB_FORCE_WAKEUP), -EINVAL);
	assert_int_equal(wakeups(&r), 3);
	ring_close(&r);
}

/* ------------------------------------------------------------ the dynptr */

static int write_cb(const struct bpf_dynptr *d, void *ctx)
{
	uint32_t v = 0xabcd;
	uint32_t *p;

	(void)ctx;
	assert_int_equal(emu_dynptr_type((const void *)d), EMU_DYNPTR_TYPE_LOCAL);
	assert_false(bpf_dynptr_is_rdonly(d));
	assert_false(bpf_dynptr_is_null(d));
	assert_int_equal(bpfemu_helper_dynptr_write(d, 0, &v, 4, 0), 0);
	p = bpfemu_helper_dynptr_data(d, 4, 4);
	assert_non_null(p);
	*p = 0x1234;	/* observed on 6.18: the verifier allows this store */
	return 0;
}

static void test_callback_dynptr_is_local_and_writes_reach_the_ring(void **state)
{
	struct ring r;
	uint32_t *p;

	(void)state;
	ring_open(&r, page);
	p = produce_reserve(&r, 8);
	p[0] = 1;
	p[1] = 2;
	produce_commit(&r, p, false);
	assert_int_equal(bpfemu_helper_user_ringbuf_drain(r.def, write_cb, NULL, 0), 1);
	assert_int_equal(p[0], 0xabcd);
	assert_int_equal(p[1], 0x1234);
	ring_close(&r);
}

/*
 * Every length and offset an 80-byte sample allows, through bpf_dynptr_read
 * and bpf_dynptr_write (copies up to 64 bytes take their own paths), and
 * writes whose source is the sample itself, shifted either way: memmove's
 * result.
 */
#define MOVE_SZ 80

static void fill_pattern(uint8_t *p)
{
	for (int i = 0; i < MOVE_SZ; i++)
		p[i] = (uint8_t)(i * 7 + 1);
}

static int move_cb(const struct bpf_dynptr *d, void *ctx)
{
	uint8_t *sample = bpfemu_helper_dynptr_data(d, 0, MOVE_SZ);
	uint8_t ref[MOVE_SZ], buf[MOVE_SZ + 2];
	uint32_t off, len;

	(void)ctx;
	assert_non_null(sample);
	for (len = 0; len <= MOVE_SZ; len++) {
		for (off = 0; off + len <= MOVE_SZ; off++) {
			/* read: exactly len bytes, nothing around them */
			fill_pattern(sample);
			memset(buf, 0xee, sizeof(buf));
			assert_int_equal(bpfemu_helper_dynptr_read(buf + 1, len, d, off, 0), 0);
			assert_memory_equal(buf + 1, sample + off, len);
			assert_int_equal(buf[0], 0xee);
			assert_int_equal(buf[len + 1], 0xee);

			/* overlapping write, source ahead of and behind the target */
			for (int shift = -3; shift <= 3; shift++) {
				int src = (int)off + shift;

				if (src < 0 || src + (int)len > MOVE_SZ)
					continue;
				fill_pattern(sample);
				fill_pattern(ref);
				memmove(ref + off, ref + src, len);
				assert_int_equal(bpfemu_helper_dynptr_write(d, off, sample + src,
									    len, 0), 0);
				assert_memory_equal(sample, ref, MOVE_SZ);
			}
		}
	}
	/* one past the end still fails, for every length */
	for (len = 1; len <= MOVE_SZ; len++)
		assert_int_equal(bpfemu_helper_dynptr_read(buf, len, d, MOVE_SZ - len + 1, 0),
				 -E2BIG);
	return 0;
}

static void test_dynptr_read_and_write_move_every_length_and_offset(void **state)
{
	struct ring r;
	void *p;

	(void)state;
	ring_open(&r, page);
	p = produce_reserve(&r, MOVE_SZ);
	assert_non_null(p);
	produce_commit(&r, p, false);
	assert_int_equal(bpfemu_helper_user_ringbuf_drain(r.def, move_cb, NULL, 0), 1);
	ring_close(&r);
}

/* ------------------------------------------------------------ verifier rules */

static void test_callback_returning_two_is_rejected(void **state)
{
	struct seen s = { .ret_other = 2 };
	struct ring r;

	(void)state;
	ring_open(&r, page);
	produce(&r, 8, 1);
	produce(&r, 8, 2);
	bpfemu_diag_clear();
	assert_int_equal(drain(&r, &s, 0), -EINVAL);
	assert_true(bpfemu_diag_has("drain_cb_bad_return"));
	/* The ring is not left busy. */
	s.ret_other = 0;
	assert_int_equal(drain(&r, &s, 0), 1);
	ring_close(&r);
}

struct prog_arg {
	struct ring *r;
	struct seen *s;
	long ret;
};

static long prog_drain(void *arg)
{
	struct prog_arg *a = arg;

	a->ret = drain(a->r, a->s, 0);
	return 0;
}

static void test_callback_returning_two_abandons_the_program_run(void **state)
{
	struct seen s = { .ret_other = 2 };
	struct prog_arg a = { .s = &s, .ret = 12345 };
	struct emu_prog *prog;
	struct ring r;
	long ret = 0;

	(void)state;
	ring_open(&r, page);
	a.r = &r;
	produce(&r, 8, 1);
	prog = emu_prog_new_bare("drainer", BPF_PROG_TYPE_SYSCALL);
	assert_non_null(prog);
	bpfemu_diag_clear();
	assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, prog_drain, &a, &ret), -EINVAL);
	assert_int_equal(a.ret, 12345);
	assert_true(bpfemu_diag_has("drain_cb_bad_return"));
	assert_int_equal(atomic_load(&r.rb->busy), 0);

	/* A well-behaved program drains normally afterwards. */
	s.ret_other = 0;
	produce(&r, 8, 2);
	assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, prog_drain, &a, &ret), 0);
	assert_int_equal(a.ret, 1);
	emu_prog_put(prog);
	ring_close(&r);
}

/* What each callback saw of the run context, and what the program sees
 * after the drain. */
struct ctx_seen {
	struct ring *r;
	int calls;
	int bad;		/* callbacks that did not run as one */
	struct emu_prog *prog;
	long ret;
	bool prog_ok_after;
};

static int ctx_cb(const struct bpf_dynptr *d, void *ctx)
{
	struct ctx_seen *c = ctx;

	(void)d;
	c->calls++;
	if (emu_ctx.prog != c->prog || emu_ctx.kind != EMU_ENTRY_CALLBACK ||
	    emu_ctx.depth != 2 || emu_ctx.prog_type != BPF_PROG_TYPE_SYSCALL ||
	    emu_ctx.helpers_allowed != emu_helper_allowed_bitmap(c->prog))
		c->bad++;
	return 0;
}

static long prog_ctx_drain(void *arg)
{
	struct ctx_seen *c = arg;

	c->ret = bpfemu_helper_user_ringbuf_drain(c->r->def, ctx_cb, c, 0);
	c->prog_ok_after = emu_ctx.prog == c->prog && emu_ctx.kind == EMU_ENTRY_PROG &&
			   emu_ctx.depth == 1;
	return 0;
}

static void test_callbacks_run_as_callbacks_of_the_program(void **state)
{
	struct ctx_seen c = { 0 };
	struct ring r;
	long ret = 0;

	(void)state;
	ring_open(&r, page);
	c.r = &r;
	for (int i = 0; i < 5; i++)
		produce(&r, 8, (uint8_t)i);
	c.prog = emu_prog_new_bare("drainer", BPF_PROG_TYPE_SYSCALL);
	assert_non_null(c.prog);
	assert_int_equal(emu_run(c.prog, EMU_ENTRY_PROG, prog_ctx_drain, &c, &ret), 0);
	assert_int_equal(c.ret, 5);
	assert_int_equal(c.calls, 5);
	assert_int_equal(c.bad, 0);
	assert_true(c.prog_ok_after);
	emu_prog_put(c.prog);
	ring_close(&r);
}

static void test_drain_of_a_kernel_ringbuf_is_rejected(void **state)
{
	struct seen s = { 0 };
	struct emu_map *m;

	(void)state;
	assert_int_equal(ring_create_attr(BPF_MAP_TYPE_RINGBUF, 0, 0, page, 0, &m), 0);
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_helper_user_ringbuf_drain(emu_map_def(m), count_cb, &s, 0), -EINVAL);
	assert_true(bpfemu_diag_has("map_func_incompatible"));
	emu_map_put(m);
}

/* No map fds in this file (maps are made with emu_map_create): unlike
 * ringbuf_group_teardown there is nothing to reap first. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_accepts_a_page_sized_power_of_two),
		cmocka_unit_test(test_create_rejects_bad_sizes_with_einval),
		cmocka_unit_test(test_create_rejects_key_value_and_flags_with_einval),
		cmocka_unit_test(test_create_fails_with_enomem_at_every_allocation),
		cmocka_unit_test(test_element_commands_return_enotsupp),
		cmocka_unit_test(test_data_pages_are_zeroed_and_mapped_twice),
		cmocka_unit_test(test_poll_reports_pollout_until_exactly_full),
		cmocka_unit_test(test_drain_rejects_unknown_flags_before_anything),
		cmocka_unit_test(test_drain_accepts_both_wakeup_flags),
		cmocka_unit_test(test_drain_of_empty_ring_returns_zero),
		cmocka_unit_test(test_nested_drain_returns_ebusy_and_outer_delivers_all),
		cmocka_unit_test(test_busy_ring_returns_ebusy_without_wakeup),
		cmocka_unit_test(test_misaligned_producer_returns_einval_until_restored),
		cmocka_unit_test(test_misaligned_producer_is_einval_even_when_empty),
		cmocka_unit_test(test_producer_behind_consumer_reads_as_empty),
		cmocka_unit_test(test_length_past_producer_is_einval_and_consumes_nothing),
		cmocka_unit_test(test_length_of_whole_ring_is_einval_unless_producer_far_ahead),
		cmocka_unit_test(test_busy_header_with_bad_length_is_einval),
		cmocka_unit_test(test_sample_beyond_dynptr_max_is_e2big),
		cmocka_unit_test(test_discard_wins_over_busy),
		cmocka_unit_test(test_busy_sample_at_head_stops_the_drain),
		cmocka_unit_test(test_busy_sample_in_the_middle_lets_earlier_ones_through),
		cmocka_unit_test(test_wrapping_sample_is_delivered_intact),
		cmocka_unit_test(test_producer_far_ahead_walks_stale_bytes),
		cmocka_unit_test(test_callback_returning_one_stops_after_counting_that_sample),
		cmocka_unit_test(test_discarded_samples_are_skipped_and_not_counted),
		cmocka_unit_test(test_error_keeps_earlier_samples_consumed),
		cmocka_unit_test(test_drain_stops_after_131072_samples),
		cmocka_unit_test(test_discards_use_up_the_budget),
		cmocka_unit_test(test_zero_length_sample_gives_empty_dynptr),
		cmocka_unit_test(test_wakeup_rules),
		cmocka_unit_test(test_callback_dynptr_is_local_and_writes_reach_the_ring),
		cmocka_unit_test(test_dynptr_read_and_write_move_every_length_and_offset),
		cmocka_unit_test(test_callback_returning_two_is_rejected),
		cmocka_unit_test(test_callback_returning_two_abandons_the_program_run),
		cmocka_unit_test(test_callbacks_run_as_callbacks_of_the_program),
		cmocka_unit_test(test_drain_of_a_kernel_ringbuf_is_rejected),
	};

	return cmocka_run_group_tests(tests, ringbuf_group_setup, teardown);
}
