/* SPDX-License-Identifier: MIT */
/*
 * Ring buffers end to end: unmodified BPF C (tests/progs/ringbuf_*.bpf.c)
 * through its generated skeleton, user space through libbpf's API.
 */
/* bpfemu-objects: ringbuf_progs ringbuf_bad_cb */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "ringbuf_bad_cb.skel.h"
#include "ringbuf_progs.skel.h"

struct cmd {
	__u32 op;
	__u32 arg;
};

struct result {
	__u32 seq;
	__u32 value;
};

struct got {
	int n;
	struct result r[16];
};

static int on_result(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;

	if (size != sizeof(struct result) || g->n >= 16)
		return -EINVAL;
	memcpy(&g->r[g->n++], data, size);
	return 0;
}

static int run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	return bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
}

static void send_cmds(struct user_ring_buffer *urb, int n, __u32 base)
{
	int i;

	for (i = 0; i < n; i++) {
		struct cmd *c = user_ring_buffer__reserve(urb, sizeof(*c));

		assert_non_null(c);
		c->op = 1;
		c->arg = base + (__u32)i;
		user_ring_buffer__submit(urb, c);
	}
}

struct fixture {
	struct ringbuf_progs *skel;
	struct user_ring_buffer *urb;
	struct ring_buffer *rb;
	struct got got;
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->skel = ringbuf_progs__open_and_load();
	assert_non_null(f->skel);
	f->urb = user_ring_buffer__new(bpf_map__fd(f->skel->maps.cmds), NULL);
	assert_non_null(f->urb);
	f->rb = ring_buffer__new(bpf_map__fd(f->skel->maps.results), on_result, &f->got, NULL);
	assert_non_null(f->rb);
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	ring_buffer__free(f->rb);
	user_ring_buffer__free(f->urb);
	ringbuf_progs__destroy(f->skel);
	free(f);
	return 0;
}

static void test_program_drains_commands_and_answers_through_ringbuf(void **state)
{
	struct fixture *f = *state;
	int i;

	send_cmds(f->urb, 5, 10);
	assert_int_equal(run(f->skel->progs.drain_cmds), 0);
	assert_int_equal(f->skel->bss->drain_ret, 5);
	assert_int_equal(f->skel->bss->sum, 10 + 11 + 12 + 13 + 14);
	assert_int_equal(f->skel->bss->bad_sizes, 0);
	assert_int_equal(ring_buffer__poll(f->rb, 0), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(f->got.r[i].seq, i + 1);
		assert_int_equal(f->got.r[i].value, 2 * (10 + i));
	}
}

static void test_callback_returning_one_stops_the_drain(void **state)
{
	struct fixture *f = *state;

	send_cmds(f->urb, 4, 0);
	f->skel->bss->stop_after = 2;
	assert_int_equal(run(f->skel->progs.drain_cmds), 0);
	assert_int_equal(f->skel->bss->drain_ret, 2);
	f->skel->bss->stop_after = 0;
	assert_int_equal(run(f->skel->progs.drain_cmds), 0);
	assert_int_equal(f->skel->bss->drain_ret, 2);
	assert_int_equal(ring_buffer__consume(f->rb), 4);
}

static void test_unknown_drain_flags_return_einval(void **state)
{
	struct fixture *f = *state;

	send_cmds(f->urb, 1, 0);
	f->skel->bss->drain_flags = 4;
	assert_int_equal(run(f->skel->progs.drain_cmds), 0);
	assert_int_equal(f->skel->bss->drain_ret, -EINVAL);
	f->skel->bss->drain_flags = BPF_RB_NO_WAKEUP;
	assert_int_equal(run(f->skel->progs.drain_cmds), 0);
	assert_int_equal(f->skel->bss->drain_ret, 1);
}

static void test_nested_drain_in_a_program_returns_ebusy(void **state)
{
	struct fixture *f = *state;

	send_cmds(f->urb, 2, 0);
	assert_int_equal(run(f->skel->progs.drain_nested), 0);
	assert_int_equal(f->skel->bss->drain_ret, 2);
	assert_int_equal(f->skel->bss->nested_ret, -EBUSY);
}

static void test_reserve_dynptr_from_a_program(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run(f->skel->progs.emit_dynptr), 0);
	assert_int_equal(run(f->skel->progs.query), 0);
	assert_int_equal(f->skel->bss->avail, 16);
	assert_int_equal(f->skel->bss->ring_size, 64 * 1024);
	assert_int_equal(f->skel->bss->prod_pos, 16);
	assert_int_equal(f->skel->bss->cons_pos, 0);
	assert_int_equal(ring_buffer__consume(f->rb), 1);
	assert_int_equal(f->got.r[0].value, 42);
}

static void test_drain_callback_returning_two_is_refused(void **state)
{
	struct ringbuf_bad_cb *skel;
	struct user_ring_buffer *urb;
	void *p;

	(void)state;
	bpfemu_diag_set_echo(false);
	bpfemu_diag_clear();
	skel = ringbuf_bad_cb__open_and_load();
	assert_non_null(skel);
	urb = user_ring_buffer__new(bpf_map__fd(skel->maps.bad_cmds), NULL);
	p = user_ring_buffer__reserve(urb, 8);
	user_ring_buffer__submit(urb, p);
	assert_int_not_equal(run(skel->progs.drain_bad), 0);
	assert_true(bpfemu_diag_has("drain_cb_bad_return"));
	assert_int_equal(skel->data->bad_ret, 12345);
	user_ring_buffer__free(urb);
	ringbuf_bad_cb__destroy(skel);
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_program_drains_commands_and_answers_through_ringbuf,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_callback_returning_one_stops_the_drain,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_drain_flags_return_einval,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_nested_drain_in_a_program_returns_ebusy,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reserve_dynptr_from_a_program,
						fixture_setup, fixture_teardown),
		cmocka_unit_test(test_drain_callback_returning_two_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
