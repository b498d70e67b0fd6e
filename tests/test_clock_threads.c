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

/*
 * The queue's and the timers' lock (clock.h): a futex mutex on Linux.
 * Threads add to a plain counter under it, so a lost exclusion shows as a
 * wrong sum (and as a race under TSan); and each round one thread waits
 * on the condition for a flag another sets and broadcasts, so a lost
 * wakeup hangs the test.
 */
#define LOCK_ITERS 20000

static struct emu_mutex test_mutex = EMU_MUTEX_INITIALIZER;
static struct emu_cond test_cond = EMU_COND_INITIALIZER;
static long locked_counter;
static int turn;		/* under test_mutex: whose turn, 0..THREADS-1 */

static void *lock_worker(void *arg)
{
	int id = (int)(intptr_t)arg, i;

	for (i = 0; i < LOCK_ITERS; i++) {
		emu_mutex_lock(&test_mutex);
		locked_counter++;
		emu_mutex_unlock(&test_mutex);
	}
	/* pass the turn around the threads a few times */
	for (i = 0; i < 50; i++) {
		emu_mutex_lock(&test_mutex);
		while (turn != id)
			emu_cond_wait(&test_cond, &test_mutex);
		locked_counter++;
		turn = (turn + 1) % THREADS;
		emu_cond_broadcast(&test_cond);
		emu_mutex_unlock(&test_mutex);
	}
	return NULL;
}

static void test_emu_mutex_excludes_and_emu_cond_wakes(void **state)
{
	pthread_t th[THREADS];
	int i;

	(void)state;
	locked_counter = 0;
	turn = 0;
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, lock_worker, (void *)(intptr_t)i), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(locked_counter, (long)THREADS * (LOCK_ITERS + 50));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_threads_arm_and_disarm_while_time_advances, teardown),
		cmocka_unit_test_teardown(test_concurrent_advances_keep_time_monotonic, teardown),
		cmocka_unit_test_teardown(test_emu_mutex_excludes_and_emu_cond_wakes, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
