/* SPDX-License-Identifier: MIT */
/*
 * The virtual clock and its event queue (emu/clock.c), the reset registry
 * (emu/core.c) and the real-time loop (emu/loop.c).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpfemu.h>

#include "clock.h"
#include "core.h"
#include "ctx.h"

#define MS 1000000ULL

/* A recording event: fire order goes into a shared log. */
struct rec_event {
	struct emu_event ev;
	int id;
	uint64_t seen_now;	/* MONOTONIC when it fired */
	uint64_t rearm;		/* re-arm after this many ns (0 = don't) */
	int rearms_left;
	struct rec_event *arm_other;	/* arm this one from the callback */
	uint64_t other_delay;
	int advance_ret;	/* result of an advance tried from the callback */
	bool try_advance;
};

static int fired[64];
static int nr_fired;

static void rec_fire(struct emu_event *ev)
{
	struct rec_event *r = (struct rec_event *)ev;

	r->seen_now = emu_clock_now(EMU_CLOCK_MONOTONIC);
	if (nr_fired < 64)
		fired[nr_fired] = r->id;
	nr_fired++;
	if (r->rearm && r->rearms_left-- > 0)
		emu_event_arm(&r->ev, r->seen_now + r->rearm);
	if (r->arm_other)
		emu_event_arm(&r->arm_other->ev, r->seen_now + r->other_delay);
	if (r->try_advance)
		r->advance_ret = bpfemu_clock_advance(1);
}

static void rec_init(struct rec_event *r, int id)
{
	memset(r, 0, sizeof(*r));
	r->ev.fire = rec_fire;
	r->id = id;
}

static int test_setup(void **state)
{
	(void)state;
	nr_fired = 0;
	bpfemu_diag_set_echo(false);
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_reset(), 0);
	return 0;
}

static void test_clocks_start_at_documented_values(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_BOOTTIME), BPFEMU_CLOCK_START_NS);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_REALTIME), BPFEMU_CLOCK_REALTIME_START_NS);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_TAI),
			 BPFEMU_CLOCK_REALTIME_START_NS + 37 * BPFEMU_NSEC_PER_SEC);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC_COARSE), BPFEMU_CLOCK_START_NS);
	/* Unknown ids read MONOTONIC. */
	assert_int_equal(bpfemu_clock_now(42), BPFEMU_CLOCK_START_NS);
	assert_int_equal(bpfemu_clock_get_mode(), BPFEMU_CLOCK_VIRTUAL);
}

static void test_advance_moves_every_clock_and_coarse_truncates_to_a_tick(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_clock_advance(5 * MS + 7), 0);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS + 5 * MS + 7);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_BOOTTIME), BPFEMU_CLOCK_START_NS + 5 * MS + 7);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_REALTIME),
			 BPFEMU_CLOCK_REALTIME_START_NS + 5 * MS + 7);
	/* 4 ms ticks (HZ=250): 5.000007 ms in rounds down to 4 ms. */
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC_COARSE), BPFEMU_CLOCK_START_NS + 4 * MS);
}

static void test_equal_deadlines_fire_in_arm_order(void **state)
{
	struct rec_event e[4];
	uint64_t t = BPFEMU_CLOCK_START_NS + 10;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		rec_init(&e[i], i);
		assert_int_equal(emu_event_arm(&e[i].ev, t), 0);
	}
	assert_int_equal(bpfemu_clock_advance(10), 0);
	assert_int_equal(nr_fired, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(fired[i], i);
}

static void test_distinct_deadlines_fire_in_deadline_order_not_arm_order(void **state)
{
	struct rec_event a, b, c;
	uint64_t t = BPFEMU_CLOCK_START_NS;

	(void)state;
	rec_init(&a, 60);
	rec_init(&b, 20);
	rec_init(&c, 40);
	emu_event_arm(&a.ev, t + 60 * MS);
	emu_event_arm(&b.ev, t + 20 * MS);
	emu_event_arm(&c.ev, t + 40 * MS);
	assert_int_equal(bpfemu_clock_advance(100 * MS), 0);
	assert_int_equal(nr_fired, 3);
	assert_int_equal(fired[0], 20);
	assert_int_equal(fired[1], 40);
	assert_int_equal(fired[2], 60);
}

static void test_now_is_the_deadline_while_an_event_fires_then_the_target(void **state)
{
	struct rec_event a;

	(void)state;
	rec_init(&a, 1);
	emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + 3 * MS);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(a.seen_now, BPFEMU_CLOCK_START_NS + 3 * MS);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS + 10 * MS);
}

static void test_an_event_armed_in_the_past_fires_at_the_current_time(void **state)
{
	struct rec_event a;

	(void)state;
	bpfemu_clock_advance(MS);
	rec_init(&a, 1);
	emu_event_arm(&a.ev, 0);
	assert_int_equal(bpfemu_clock_advance(0), 0);
	assert_int_equal(nr_fired, 1);
	assert_int_equal(a.seen_now, BPFEMU_CLOCK_START_NS + MS);
}

static void test_events_armed_by_callbacks_inside_the_window_fire_in_the_same_advance(void **state)
{
	struct rec_event a, inside, outside, tie;
	uint64_t t = BPFEMU_CLOCK_START_NS;

	(void)state;
	rec_init(&a, 1);
	rec_init(&inside, 2);
	rec_init(&outside, 3);
	rec_init(&tie, 4);
	a.arm_other = &inside;
	a.other_delay = 2 * MS;		/* fires at 3 ms, inside the 5 ms window */
	inside.arm_other = &outside;
	inside.other_delay = 10 * MS;	/* 13 ms: outside */
	emu_event_arm(&a.ev, t + MS);
	emu_event_arm(&tie.ev, t + 3 * MS);	/* armed before `inside`: fires first */
	assert_int_equal(bpfemu_clock_advance(5 * MS), 0);
	assert_int_equal(nr_fired, 3);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 4);
	assert_int_equal(fired[2], 2);
	assert_true(emu_event_pending(&outside.ev));
	assert_int_equal(bpfemu_clock_next_deadline(), t + 13 * MS);
	assert_int_equal(bpfemu_clock_pending(), 1);
	/* Owners disarm before their events go away (here: off the stack). */
	emu_event_disarm(&outside.ev);
}

static void test_disarm_removes_a_pending_event_and_reports_whether_it_was(void **state)
{
	struct rec_event a, b;

	(void)state;
	rec_init(&a, 1);
	rec_init(&b, 2);
	emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + MS);
	emu_event_arm(&b.ev, BPFEMU_CLOCK_START_NS + MS);
	assert_true(emu_event_disarm(&a.ev));
	assert_false(emu_event_disarm(&a.ev));
	assert_false(emu_event_pending(&a.ev));
	assert_int_equal(emu_event_count(), 1);
	bpfemu_clock_advance(MS);
	assert_int_equal(nr_fired, 1);
	assert_int_equal(fired[0], 2);
	assert_false(emu_event_disarm(&b.ev));
}

static void test_rearming_a_pending_event_moves_it_behind_equal_deadlines(void **state)
{
	struct rec_event a, b;
	uint64_t t = BPFEMU_CLOCK_START_NS + MS;

	(void)state;
	rec_init(&a, 1);
	rec_init(&b, 2);
	emu_event_arm(&a.ev, t + MS);
	emu_event_arm(&b.ev, t);
	emu_event_arm(&a.ev, t);	/* new sequence number: after b */
	assert_int_equal(emu_event_count(), 2);
	bpfemu_clock_advance(10 * MS);
	assert_int_equal(nr_fired, 2);
	assert_int_equal(fired[0], 2);
	assert_int_equal(fired[1], 1);
}

static void test_an_event_rearming_itself_fires_once_per_period(void **state)
{
	struct rec_event a;

	(void)state;
	rec_init(&a, 1);
	a.rearm = MS;
	a.rearms_left = 100;
	emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + MS);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fired, 10);
	assert_int_equal(bpfemu_clock_next_deadline(), BPFEMU_CLOCK_START_NS + 11 * MS);
	emu_event_disarm(&a.ev);
}

static void test_zero_delay_rearming_is_stopped_as_a_runaway_with_eloop(void **state)
{
	struct rec_event a;

	(void)state;
	rec_init(&a, 1);
	a.rearm = 0;
	a.arm_other = &a;	/* re-arm at now + 0, forever */
	a.other_delay = 0;
	bpfemu_clock_set_runaway_cap(50);
	emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + MS);
	errno = 0;
	assert_int_equal(bpfemu_clock_advance(10 * MS), -ELOOP);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(nr_fired, 50);
	assert_true(bpfemu_diag_has("clock_runaway"));
	/* Time stopped at the runaway instant; the event is still pending. */
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS + MS);
	assert_true(emu_event_disarm(&a.ev));
}

static void test_advancing_from_an_event_callback_is_edeadlk(void **state)
{
	struct rec_event a;

	(void)state;
	rec_init(&a, 1);
	a.try_advance = true;
	emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + MS);
	assert_int_equal(bpfemu_clock_advance(2 * MS), 0);
	assert_int_equal(a.advance_ret, -EDEADLK);
	assert_true(bpfemu_diag_has("clock_advance_reentered"));
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS + 2 * MS);
}

static void test_advancing_from_inside_bpf_is_edeadlk_and_moves_nothing(void **state)
{
	(void)state;
	emu_ctx.depth = 1;
	errno = 0;
	assert_int_equal(bpfemu_clock_advance(MS), -EDEADLK);
	assert_int_equal(errno, EDEADLK);
	assert_int_equal(bpfemu_clock_advance_to(BPFEMU_CLOCK_START_NS + MS), -EDEADLK);
	assert_int_equal(bpfemu_reset(), -EDEADLK);
	emu_ctx.depth = 0;
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS);
}

static void test_advance_to_the_past_is_einval(void **state)
{
	(void)state;
	bpfemu_clock_advance(MS);
	errno = 0;
	assert_int_equal(bpfemu_clock_advance_to(BPFEMU_CLOCK_START_NS), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bpfemu_clock_advance_to(BPFEMU_CLOCK_START_NS + MS), 0);
	assert_int_equal(bpfemu_clock_advance_to(BPFEMU_CLOCK_START_NS + 2 * MS), 0);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS + 2 * MS);
}

static void test_advance_saturates_instead_of_wrapping(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_clock_advance(UINT64_MAX), 0);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), UINT64_MAX);
}

static void test_suspend_moves_boottime_and_realtime_but_not_monotonic(void **state)
{
	struct rec_event mono, boot, real;
	uint64_t t = BPFEMU_CLOCK_START_NS;

	(void)state;
	rec_init(&mono, 1);
	rec_init(&boot, 2);
	rec_init(&real, 3);
	emu_event_arm_on(&mono.ev, EMU_CLOCK_MONOTONIC, t + 10 * MS);
	emu_event_arm_on(&boot.ev, EMU_CLOCK_BOOTTIME, t + 10 * MS);
	emu_event_arm_on(&real.ev, EMU_CLOCK_REALTIME, BPFEMU_CLOCK_REALTIME_START_NS + 10 * MS);
	assert_int_equal(bpfemu_clock_suspend(20 * MS), 0);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), t);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_BOOTTIME), t + 20 * MS);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_REALTIME), BPFEMU_CLOCK_REALTIME_START_NS + 20 * MS);
	/* After the "resume", the BOOTTIME and REALTIME events are overdue. */
	assert_int_equal(bpfemu_clock_advance(0), 0);
	assert_int_equal(nr_fired, 2);
	assert_int_equal(fired[0], 2);
	assert_int_equal(fired[1], 3);
	assert_true(emu_event_pending(&mono.ev));
	/* The BOOTTIME <-> MONOTONIC conversion follows the suspend. */
	assert_int_equal(emu_clock_to_mono(EMU_CLOCK_BOOTTIME, t + 30 * MS), t + 10 * MS);
	emu_event_disarm(&mono.ev);
}

static void test_setting_realtime_moves_wall_clock_events_only(void **state)
{
	struct rec_event mono, real;
	uint64_t t = BPFEMU_CLOCK_START_NS, wall = BPFEMU_CLOCK_REALTIME_START_NS;

	(void)state;
	rec_init(&mono, 1);
	rec_init(&real, 2);
	emu_event_arm_on(&mono.ev, EMU_CLOCK_MONOTONIC, t + 100 * MS);
	emu_event_arm_on(&real.ev, EMU_CLOCK_REALTIME, wall + 100 * MS);
	/* Jump the wall clock 90 ms ahead: the REALTIME event is 10 ms away. */
	assert_int_equal(bpfemu_clock_set_realtime(wall + 90 * MS), 0);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_REALTIME), wall + 90 * MS);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_TAI), wall + 90 * MS + BPFEMU_CLOCK_TAI_OFFSET_NS);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), t);
	bpfemu_clock_advance(10 * MS);
	assert_int_equal(nr_fired, 1);
	assert_int_equal(fired[0], 2);
	assert_int_equal(real.seen_now, t + 10 * MS);
	assert_true(emu_event_pending(&mono.ev));
	/* Setting it before MONOTONIC's origin works (offsets are signed). */
	assert_int_equal(bpfemu_clock_set_realtime(5), 0);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_REALTIME), 5);
	assert_int_equal(emu_clock_to_mono(EMU_CLOCK_REALTIME, 5), t + 10 * MS);
	assert_int_equal(emu_clock_to_mono(EMU_CLOCK_REALTIME, 0), t + 10 * MS - 5);
	emu_event_disarm(&mono.ev);
}

static void test_many_events_fire_sorted_by_deadline_then_arm_order(void **state)
{
	enum { N = 20000 };
	struct rec_event *e = calloc(N, sizeof(*e));
	int i;

	(void)state;
	assert_non_null(e);
	srand(7);
	for (i = 0; i < N; i++) {
		rec_init(&e[i], i);
		assert_int_equal(emu_event_arm(&e[i].ev, BPFEMU_CLOCK_START_NS + (uint64_t)(rand() % 1000)), 0);
	}
	/* Disarm every third, re-arm every seventh. */
	for (i = 0; i < N; i += 3)
		assert_true(emu_event_disarm(&e[i].ev));
	for (i = 1; i < N; i += 7)
		if (i % 3)
			emu_event_arm(&e[i].ev, BPFEMU_CLOCK_START_NS + (uint64_t)(rand() % 1000));
	nr_fired = 0;
	assert_int_equal(bpfemu_clock_advance(1000), 0);
	assert_int_equal(nr_fired, N - (N + 2) / 3);
	for (i = 0; i < N; i++) {
		if (i % 3 == 0)
			continue;
		assert_int_equal(e[i].seen_now, e[i].ev.deadline);
	}
	assert_int_equal(emu_event_count(), 0);
	free(e);
}

static uint64_t order_log[8];
static int order_n;

static void order_fire(struct emu_event *ev)
{
	order_log[order_n++] = ev->seq;
}

static void test_firing_order_is_deadline_then_sequence(void **state)
{
	struct emu_event ev[6];
	uint64_t d[6] = { 5, 3, 5, 1, 3, 5 };
	int i;

	(void)state;
	memset(ev, 0, sizeof(ev));
	order_n = 0;
	for (i = 0; i < 6; i++) {
		ev[i].fire = order_fire;
		emu_event_arm(&ev[i], BPFEMU_CLOCK_START_NS + d[i]);
	}
	bpfemu_clock_advance(10);
	assert_int_equal(order_n, 6);
	/* seqs 0..5 in arm order; sorted by (d, seq): 3,1,4,0,2,5 */
	assert_int_equal(order_log[0], 3);
	assert_int_equal(order_log[1], 1);
	assert_int_equal(order_log[2], 4);
	assert_int_equal(order_log[3], 0);
	assert_int_equal(order_log[4], 2);
	assert_int_equal(order_log[5], 5);
}

static void test_arming_when_the_queue_cannot_grow_is_enomem(void **state)
{
	struct rec_event a;

	(void)state;
	rec_init(&a, 1);
	bpfemu_fault_inject_nth(1);
	assert_int_equal(emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + 1), -ENOMEM);
	assert_false(emu_event_pending(&a.ev));
	bpfemu_fault_inject_nth(0);
	assert_int_equal(emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + 1), 0);
	assert_true(emu_event_pending(&a.ev));
	emu_event_disarm(&a.ev);
}

static void test_next_deadline_is_never_when_nothing_is_pending(void **state)
{
	(void)state;
	assert_true(bpfemu_clock_next_deadline() == BPFEMU_CLOCK_NEVER);
	assert_int_equal(bpfemu_clock_pending(), 0);
}

static void test_virtual_only_operations_are_eopnotsupp_in_real_time(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(bpfemu_clock_set_mode((enum bpfemu_clock_mode)7), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bpfemu_loop_run(0), -EOPNOTSUPP);
	assert_int_equal(bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL), 0);
	assert_int_equal(bpfemu_clock_get_mode(), BPFEMU_CLOCK_REAL);
	assert_int_equal(bpfemu_clock_advance(1), -EOPNOTSUPP);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(bpfemu_clock_suspend(1), -EOPNOTSUPP);
	assert_int_equal(bpfemu_clock_set_realtime(1), -EOPNOTSUPP);
	/* Real time reads the host: MONOTONIC is no longer the constant. */
	assert_true(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC) > 0);
	assert_true(bpfemu_clock_now(BPFEMU_CLOCK_REALTIME) > BPFEMU_CLOCK_REALTIME_START_NS);
	assert_int_equal(bpfemu_clock_set_mode(BPFEMU_CLOCK_VIRTUAL), 0);
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC), BPFEMU_CLOCK_START_NS);
}

static void break_fire(struct emu_event *ev)
{
	(void)ev;
	nr_fired++;
	bpfemu_loop_break();
}

static void test_real_time_loop_fires_due_events_and_keeps_remaining_delays(void **state)
{
	struct emu_event due = { .fire = break_fire }, later = { .fire = break_fire };

	(void)state;
	/* Armed in virtual time: 0 ns and one hour from now. */
	emu_event_arm(&due, BPFEMU_CLOCK_START_NS);
	emu_event_arm(&later, BPFEMU_CLOCK_START_NS + 3600 * BPFEMU_NSEC_PER_SEC);
	assert_int_equal(bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL), 0);
	assert_int_equal(bpfemu_loop_run(0), 0);
	assert_int_equal(nr_fired, 1);
	assert_true(emu_event_pending(&later));
	/* The hour-long delay moved onto the host timeline. */
	assert_true(later.deadline > emu_clock_host_now(EMU_CLOCK_MONOTONIC) + 3500 * BPFEMU_NSEC_PER_SEC);
	emu_event_disarm(&later);
}

static int watch_events;

static void watch_cb(struct emu_fd_watch *w, int revents)
{
	(void)w;
	watch_events = revents;
}

static void test_fd_watchers_report_readiness_from_the_loop(void **state)
{
	struct emu_fd_watch *w;
	int p[2];
	char c = 'x';

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_null(emu_loop_watch_fd(p[0], 0, watch_cb, NULL));
	assert_int_equal(errno, EINVAL);
	w = emu_loop_watch_fd(p[0], POLLIN, watch_cb, &c);
	assert_non_null(w);
	assert_ptr_equal(emu_fd_watch_data(w), &c);
	assert_int_equal(write(p[1], &c, 1), 1);
	assert_int_equal(bpfemu_clock_set_mode(BPFEMU_CLOCK_REAL), 0);
	watch_events = 0;
	assert_int_equal(bpfemu_loop_run(0), 0);
	assert_int_equal(watch_events, POLLIN);
	emu_loop_unwatch_fd(w);
	close(p[0]);
	close(p[1]);
}

static int hook_log[4];
static int hook_n;

static void hook_a(void)
{
	if (hook_n < 4)
		hook_log[hook_n++] = 'a';
}

static void hook_b(void)
{
	if (hook_n < 4)
		hook_log[hook_n++] = 'b';
}

static void test_reset_runs_hooks_in_order_and_restores_the_clock(void **state)
{
	struct rec_event a;

	(void)state;
	/* Registered in the opposite order of their rank. */
	assert_int_equal(emu_reset_register(hook_b, EMU_RESET_FAULT + 2), 0);
	assert_int_equal(emu_reset_register(hook_a, EMU_RESET_FAULT + 1), 0);
	assert_int_equal(emu_reset_register(NULL, 0), -EINVAL);
	rec_init(&a, 1);
	emu_event_arm(&a.ev, BPFEMU_CLOCK_START_NS + 5);
	bpfemu_clock_advance(2);
	bpfemu_clock_suspend(3);
	hook_n = 0;
	assert_int_equal(bpfemu_reset(), 0);
	assert_int_equal(hook_n, 2);
	assert_int_equal(hook_log[0], 'a');
	assert_int_equal(hook_log[1], 'b');
	assert_false(emu_event_pending(&a.ev));
	assert_int_equal(bpfemu_clock_now(BPFEMU_CLOCK_BOOTTIME), BPFEMU_CLOCK_START_NS);
	assert_int_equal(bpfemu_live_objects(), 0);
	/* Registering again only changes the rank (no duplicate run). */
	assert_int_equal(emu_reset_register(hook_a, EMU_RESET_FAULT + 3), 0);
	hook_n = 0;
	bpfemu_reset();
	assert_int_equal(hook_n, 2);
	assert_int_equal(hook_log[0], 'b');
	assert_int_equal(hook_log[1], 'a');
}

static int group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

/*
 * The queue against a model: events armed in order (which the in-order
 * lane takes), out of order (the heap), re-armed while pending, disarmed,
 * re-arming themselves from their callbacks with one period or another,
 * all mixed at random; every advance must fire exactly what a plain
 * sorted list by (deadline, arm order) says, in that order, and the
 * pending count and next deadline must agree between advances.  With
 * @ties, out-of-order deadlines are coarse (multiples of 8 ns from now)
 * and bursts put two events at one deadline below the lane's last, so
 * the heap holds many equal deadlines with different arm orders (the
 * heap compares cached deadlines and must read seq on every tie).
 */
#define MODEL_EVENTS	48
#define MODEL_STEPS	6000

struct model_event {
	struct emu_event ev;
	int id;
	uint64_t period;	/* the callback re-arms at now + period (0: no) */
	struct model_event *buddy;	/* then arms this one at the same deadline */
	/* the model's view */
	bool pending;
	uint64_t deadline;
	uint64_t seq;
};

static struct model_event mev[MODEL_EVENTS];
static uint64_t model_seq;
static int model_log[4096], nr_model_log;

static void model_fire(struct emu_event *ev)
{
	struct model_event *m = (struct model_event *)ev;

	if (nr_model_log < 4096)
		model_log[nr_model_log] = m->id;
	nr_model_log++;
	if (m->period) {
		uint64_t d = emu_clock_now(EMU_CLOCK_MONOTONIC) + m->period;

		assert_int_equal(emu_event_arm(&m->ev, d), 0);
		/* armed after the re-arm, same deadline: fires after it */
		if (m->buddy)
			assert_int_equal(emu_event_arm(&m->buddy->ev, d), 0);
	}
}

static void model_arm(struct model_event *m, uint64_t deadline)
{
	assert_int_equal(emu_event_arm(&m->ev, deadline), 0);
	m->pending = true;
	m->deadline = deadline;
	m->seq = model_seq++;
}

static struct model_event *model_next(void)
{
	struct model_event *best = NULL;
	int i;

	for (i = 0; i < MODEL_EVENTS; i++) {
		struct model_event *m = &mev[i];

		if (!m->pending)
			continue;
		if (!best || m->deadline < best->deadline ||
		    (m->deadline == best->deadline && m->seq < best->seq))
			best = m;
	}
	return best;
}

static uint32_t model_rand_state = 12345;

static uint32_t model_rand(void)
{
	model_rand_state = model_rand_state * 1103515245u + 12345u;
	return model_rand_state >> 8;
}

static void model_run(bool ties)
{
	uint64_t now = BPFEMU_CLOCK_START_NS, inorder = now;
	int expect[4096], nr_expect, step, i;

	model_seq = 0;
	for (i = 0; i < MODEL_EVENTS; i++) {
		memset(&mev[i], 0, sizeof(mev[i]));
		mev[i].ev.fire = model_fire;
		mev[i].id = i;
		/* a third re-arm themselves: two periods, so the lane sees
		 * both in-order runs and out-of-order re-arms */
		if (i % 3 == 0)
			mev[i].period = i % 2 ? 40 : 25;
		if (i % 6 == 0)
			mev[i].buddy = &mev[i + 1];
	}
	for (step = 0; step < MODEL_STEPS; step++) {
		struct model_event *m = &mev[model_rand() % MODEL_EVENTS];
		uint32_t op = model_rand() % (ties ? 9 : 8);
		uint64_t target, d;

		switch (op) {
		case 0: case 1: case 2:
			/* in order: never earlier than the last such arm */
			inorder = (inorder < now ? now : inorder) + model_rand() % 3;
			model_arm(m, inorder);
			break;
		case 3: case 4:
			model_arm(m, now + (ties ? 8 * (model_rand() % 8) : model_rand() % 60));
			break;
		case 8:
			/* one late arm (the lane's last, if the lane takes it),
			 * then two at one earlier deadline: both in the heap */
			d = now + 8 * (model_rand() % 8);
			model_arm(m, now + 64 + model_rand() % 8);
			model_arm(&mev[model_rand() % MODEL_EVENTS], d);
			model_arm(&mev[model_rand() % MODEL_EVENTS], d);
			break;
		case 5:
			assert_int_equal(emu_event_disarm(&m->ev), m->pending);
			m->pending = false;
			break;
		default:
			target = now + model_rand() % 30;
			/* what the model fires, mirroring the periodic re-arms */
			nr_expect = 0;
			for (;;) {
				struct model_event *n = model_next();

				if (!n || n->deadline > target)
					break;
				expect[nr_expect++] = n->id;
				n->pending = false;
				if (n->period) {
					n->pending = true;
					n->deadline = (n->deadline > now ? n->deadline : now) + n->period;
					n->seq = model_seq++;
					if (n->buddy) {
						n->buddy->pending = true;
						n->buddy->deadline = n->deadline;
						n->buddy->seq = model_seq++;
					}
				}
				assert_true(nr_expect < 4096);
			}
			nr_model_log = 0;
			assert_int_equal(bpfemu_clock_advance_to(target), 0);
			now = target;
			assert_int_equal(nr_model_log, nr_expect);
			for (i = 0; i < nr_expect; i++)
				assert_int_equal(model_log[i], expect[i]);
			break;
		}
		{
			struct model_event *n = model_next();
			uint64_t pending = 0;

			for (i = 0; i < MODEL_EVENTS; i++)
				pending += mev[i].pending;
			assert_int_equal(bpfemu_clock_pending(), pending);
			assert_int_equal(bpfemu_clock_next_deadline(),
					 n ? n->deadline : BPFEMU_CLOCK_NEVER);
		}
	}
	for (i = 0; i < MODEL_EVENTS; i++)
		emu_event_disarm(&mev[i].ev);
	assert_int_equal(bpfemu_clock_pending(), 0);
}

static void test_queue_fires_as_a_sorted_list_would(void **state)
{
	(void)state;
	model_run(false);
}

static void test_queue_with_many_equal_deadlines_fires_as_a_sorted_list_would(void **state)
{
	(void)state;
	model_run(true);
}

/*
 * A watchdog pushed back again and again while an earlier event waits at
 * the lane's head: every push leaves a hole the head cannot pass, and the
 * ring must stay bounded (compacted, not doubled) and the order right.
 */
static void test_lane_stays_bounded_when_an_event_is_pushed_back_repeatedly(void **state)
{
	struct rec_event early, dog;
	uint64_t t0 = BPFEMU_CLOCK_START_NS;
	int i;

	(void)state;
	rec_init(&early, 1);
	rec_init(&dog, 2);
	assert_int_equal(emu_event_arm(&early.ev, t0 + 10), 0);
	for (i = 0; i < 200000; i++)
		assert_int_equal(emu_event_arm(&dog.ev, t0 + 20 + (uint64_t)i), 0);
	assert_true(emu_clock_lane_capacity() <= 256);
	assert_int_equal(bpfemu_clock_pending(), 2);
	assert_int_equal(bpfemu_clock_next_deadline(), t0 + 10);
	assert_int_equal(bpfemu_clock_advance(200100), 0);
	assert_int_equal(nr_fired, 2);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 2);
	assert_int_equal(dog.seen_now, t0 + 20 + 199999);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_clocks_start_at_documented_values),
		T(test_advance_moves_every_clock_and_coarse_truncates_to_a_tick),
		T(test_equal_deadlines_fire_in_arm_order),
		T(test_distinct_deadlines_fire_in_deadline_order_not_arm_order),
		T(test_now_is_the_deadline_while_an_event_fires_then_the_target),
		T(test_an_event_armed_in_the_past_fires_at_the_current_time),
		T(test_events_armed_by_callbacks_inside_the_window_fire_in_the_same_advance),
		T(test_disarm_removes_a_pending_event_and_reports_whether_it_was),
		T(test_rearming_a_pending_event_moves_it_behind_equal_deadlines),
		T(test_an_event_rearming_itself_fires_once_per_period),
		T(test_zero_delay_rearming_is_stopped_as_a_runaway_with_eloop),
		T(test_advancing_from_an_event_callback_is_edeadlk),
		T(test_advancing_from_inside_bpf_is_edeadlk_and_moves_nothing),
		T(test_advance_to_the_past_is_einval),
		T(test_advance_saturates_instead_of_wrapping),
		T(test_suspend_moves_boottime_and_realtime_but_not_monotonic),
		T(test_setting_realtime_moves_wall_clock_events_only),
		T(test_many_events_fire_sorted_by_deadline_then_arm_order),
		T(test_firing_order_is_deadline_then_sequence),
		T(test_arming_when_the_queue_cannot_grow_is_enomem),
		T(test_next_deadline_is_never_when_nothing_is_pending),
		T(test_virtual_only_operations_are_eopnotsupp_in_real_time),
		T(test_real_time_loop_fires_due_events_and_keeps_remaining_delays),
		T(test_fd_watchers_report_readiness_from_the_loop),
		T(test_reset_runs_hooks_in_order_and_restores_the_clock),
		T(test_queue_fires_as_a_sorted_list_would),
		T(test_queue_with_many_equal_deadlines_fires_as_a_sorted_list_would),
		T(test_lane_stays_bounded_when_an_event_is_pushed_back_repeatedly),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
