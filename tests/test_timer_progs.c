// SPDX-License-Identifier: MIT
/*
 * bpf_timer from real BPF C (tests/progs/timer_progs.bpf.c), built natively,
 * loaded through its skeleton and run with bpf_prog_test_run_opts, in
 * virtual time and on the libev loop in real time.
 */
/* bpfemu-objects: timer_progs */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "timer_progs.skel.h"
#include "test_group.h"

#define MS 1000000ULL

static int run(struct bpf_program *prog)
{
	char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));

	return bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
}

static void test_timer_progs_periodic_callback_rearms_itself_in_virtual_time(void **state)
{
	struct timer_progs *skel;
	uint64_t t0;

	(void)state;
	skel = timer_progs__open_and_load();
	assert_non_null(skel);
	skel->bss->rearm = 3;
	skel->bss->key_in = 2;
	t0 = bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC);
	assert_int_equal(run(skel->progs.arm_array), 0);
	assert_int_equal(skel->data->init_ret, 0);
	assert_int_equal(skel->data->cb_ret, 0);
	assert_int_equal(skel->data->start_ret, 0);
	assert_int_equal(bpfemu_clock_advance(MS - 1), 0);
	assert_int_equal(skel->bss->cb_runs, 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(skel->bss->cb_runs, 4);
	assert_int_equal(skel->bss->last_key, 2);
	assert_int_equal(skel->bss->last_fire_ns, t0 + 4 * MS);
	assert_int_equal(skel->data->self_cancel_ret, -EDEADLK);
	/* second run: init is -EBUSY, the rest works */
	assert_int_equal(run(skel->progs.arm_array), 0);
	assert_int_equal(skel->data->init_ret, -EBUSY);
	assert_int_equal(skel->data->start_ret, 0);
	assert_int_equal(run(skel->progs.cancel_array), 0);
	assert_int_equal(skel->data->cancel_ret, 1);
	assert_int_equal(run(skel->progs.cancel_array), 0);
	assert_int_equal(skel->data->cancel_ret, 0);
	timer_progs__destroy(skel);
}

static void test_timer_progs_callback_deleting_its_hash_element_stops_it(void **state)
{
	struct timer_progs *skel;
	struct {
		uint64_t runs;
		uint64_t t[2];
	} v;
	int key = 1;

	(void)state;
	skel = timer_progs__open_and_load();
	assert_non_null(skel);
	skel->bss->key_in = key;
	assert_int_equal(run(skel->progs.arm_hash), 0);
	assert_int_equal(skel->data->start_ret, 0);
	assert_int_equal(bpfemu_clock_advance(100 * MS), 0);
	assert_int_equal(skel->bss->hash_runs, 1);
	assert_int_equal(skel->data->delete_ret, 0);
	assert_int_equal(skel->data->restart_after_delete, -EINVAL);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.hmap), &key, &v), -ENOENT);
	timer_progs__destroy(skel);
}

static void test_timer_progs_destroying_the_skeleton_cancels_pending_timers(void **state)
{
	struct timer_progs *skel;

	(void)state;
	skel = timer_progs__open_and_load();
	assert_non_null(skel);
	skel->data->delay_ns = 50 * MS;
	assert_int_equal(run(skel->progs.arm_array), 0);
	assert_int_equal(skel->data->start_ret, 0);
	/* the maps lose their last user reference: every timer is freed */
	timer_progs__destroy(skel);
	assert_int_equal(bpfemu_clock_advance(100 * MS), 0);
	assert_int_equal(bpfemu_clock_pending(), 0);
}

static void test_timer_progs_user_lookup_of_an_armed_element_shows_zero_timer_bytes(void **state)
{
	struct timer_progs *skel;
	struct {
		uint64_t runs;
		uint64_t t[2];
	} v;
	int key = 0;

	(void)state;
	skel = timer_progs__open_and_load();
	assert_non_null(skel);
	skel->data->delay_ns = 50 * MS;
	assert_int_equal(run(skel->progs.arm_array), 0);
	memset(&v, 0xff, sizeof(v));
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.arr), &key, &v), 0);
	assert_int_equal(v.runs, 0);
	assert_int_equal(v.t[0], 0);
	assert_int_equal(v.t[1], 0);
	assert_int_equal(run(skel->progs.cancel_array), 0);
	assert_int_equal(skel->data->cancel_ret, 1);
	timer_progs__destroy(skel);
}

static void test_timer_progs_periodic_timer_fires_on_the_libev_loop_in_real_time(void **state)
{
	struct timer_progs *skel;
	int i;

	(void)state;
	assert_int_equal(bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL), 0);
	skel = timer_progs__open_and_load();
	assert_non_null(skel);
	skel->bss->rearm = 2;
	skel->data->delay_ns = MS;
	assert_int_equal(run(skel->progs.arm_array), 0);
	assert_int_equal(skel->data->start_ret, 0);
	/* real time: a few 1 ms periods, bounded by a generous timeout */
	for (i = 0; i < 200 && skel->bss->cb_runs < 3; i++)
		assert_int_equal(bpfemu_loop_run(10), 0);
	assert_int_equal(skel->bss->cb_runs, 3);
	timer_progs__destroy(skel);
	assert_int_equal(bpfemu_clock_set_mode(BPFEMU_CLOCK_VIRTUAL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_timer_progs_periodic_callback_rearms_itself_in_virtual_time, reset_teardown),
		cmocka_unit_test_teardown(test_timer_progs_callback_deleting_its_hash_element_stops_it, reset_teardown),
		cmocka_unit_test_teardown(test_timer_progs_destroying_the_skeleton_cancels_pending_timers, reset_teardown),
		cmocka_unit_test_teardown(test_timer_progs_user_lookup_of_an_armed_element_shows_zero_timer_bytes, reset_teardown),
		cmocka_unit_test_teardown(test_timer_progs_periodic_timer_fires_on_the_libev_loop_in_real_time, reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
