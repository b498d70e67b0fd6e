/* SPDX-License-Identifier: MIT */
/*
 * The event queue from several threads at once (run under TSan by CI):
 * threads arm, re-arm and disarm their own events while the main thread
 * advances time and callbacks re-arm themselves.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <bpfemu.h>
#include <bpfemu/helpers.h>

#include "clock.h"

#define THREADS 4
#define EVENTS 64
#define ROUNDS 2000

struct tev {
	struct emu_event ev;
	atomic_int fired;
};

static struct tev evs[THREADS][EVENTS];
static atomic_int done;
static atomic_long total_fired;

static void tev_fire(struct emu_event *ev)
{
	struct tev *t = (struct tev *)ev;

	atomic_fetch_add(&t->fired, 1);
	atomic_fetch_add(&total_fired, 1);
}

static void *worker(void *arg)
{
	struct tev *mine = arg;
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		struct tev *t = &mine[rand_r(&seed) % EVENTS];
		uint64_t now = bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC);

		if (rand_r(&seed) % 3)
			assert_int_equal(emu_event_arm(&t->ev, now + rand_r(&seed) % 1000), 0);
		else
			emu_event_disarm(&t->ev);
		/* Helpers read the clock concurrently with advances. */
		(void)bpfemu_helper_ktime_get_ns();
		bpfemu_helper_trace_printk("t%d", 4, (uint64_t)r);
	}
	atomic_fetch_add(&done, 1);
	return NULL;
}

static void test_threads_arm_and_disarm_while_time_advances(void **state)
{
	pthread_t th[THREADS];
	int i, j;

	(void)state;
	for (i = 0; i < THREADS; i++)
		for (j = 0; j < EVENTS; j++)
			evs[i][j].ev.fire = tev_fire;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, evs[i]), 0);
	while (atomic_load(&done) < THREADS)
		assert_int_equal(bpfemu_clock_advance(50), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	/* Whatever is left fires in one last advance. */
	assert_int_equal(bpfemu_clock_advance(10000), 0);
	assert_int_equal(bpfemu_clock_pending(), 0);
	assert_true(atomic_load(&total_fired) > 0);
}

static void *advancer(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 500; i++)
		bpfemu_clock_advance(10);
	return NULL;
}

static void test_concurrent_advances_keep_time_monotonic(void **state)
{
	pthread_t a, b;

	(void)state;
	assert_int_equal(pthread_create(&a, NULL, advancer, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, advancer, NULL), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	/* Each advance moves "ns from when it was called": between 500*10
	 * (fully overlapped) and 1000*10 (fully serial). */
	assert_true(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC) >= BPFEMU_CLOCK_START_NS + 5000);
	assert_true(bpfemu_clock_now(BPFEMU_CLOCK_MONOTONIC) <= BPFEMU_CLOCK_START_NS + 10000);
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_reset(), 0);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_threads_arm_and_disarm_while_time_advances, teardown),
		cmocka_unit_test_teardown(test_concurrent_advances_keep_time_monotonic, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
