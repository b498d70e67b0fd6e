// SPDX-License-Identifier: MIT
/*
 * bpf_timer from several threads (emulated CPUs) at once, while another
 * thread moves the clock: helpers, callbacks that re-arm and cancel, and
 * cancel-and-free from element deletes and updates.  Run under TSan in CI
 * (ctest label "threaded"): the assertion is as much "no report" as the
 * values below.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "test_timer.h"

#define WORKERS		3
#define ITERS		1500
#define NKEYS		32

static struct tmap arr, hash;
static atomic_int workers_left;
static atomic_long nr_cb, nr_bad, nr_started, last_bad;

static long check_in(long v, long a, long b, long c)
{
	if (v != a && v != b && v != c) {
		atomic_fetch_add(&nr_bad, 1);
		atomic_store(&last_bad, v);
	}
	return v;
}

static int cb_threads(void *map, int *key, struct elem *value)
{
	struct emu_map *m = emu_map_from_def(map);
	uint32_t k = (uint32_t)*key;
	long r;

	atomic_fetch_add(&nr_cb, 1);
	/* some re-arm themselves, some cancel a neighbour */
	if (k % 3 == 0) {
		/* -EINVAL: a worker cancelled or freed it while we ran */
		r = bpfemu_helper_timer_start(&value->t, 200000, 0);
		check_in(r, 0, -EINVAL, -EINVAL);
	} else if (k % 3 == 1) {
		uint32_t nk = (k + 1) % NKEYS;
		void *v = m->ops->lookup(m, &nk);

		if (v) {
			r = bpfemu_helper_timer_cancel(&((struct elem *)v)->t);
			check_in(r, 0, 1, -EINVAL);
		}
	}
	return 0;
}

struct work {
	struct tmap *m;
	uint32_t key;
	int op;
};

/* One random operation on one element, inside a program run. */
static long work_fn(void *arg)
{
	struct work *w = arg;
	struct emu_map *map = w->m->map;
	struct elem *e = map->ops->lookup(map, &w->key);
	long r;

	if (!e)
		return 0;
	switch (w->op) {
	case 0:
		check_in(bpfemu_helper_timer_init(&e->t, w->m->def, 1), 0, -EBUSY, -EBUSY);
		break;
	case 1:
		check_in(bpfemu_helper_timer_set_callback(&e->t, (void *)cb_threads), 0, -EINVAL, -EINVAL);
		break;
	case 2:
	case 3:
		r = bpfemu_helper_timer_start(&e->t, (w->key % 4) * 100000, BPF_F_TIMER_CPU_PIN);
		if (!check_in(r, 0, -EINVAL, -EINVAL))
			atomic_fetch_add(&nr_started, 1);
		break;
	case 4:
		check_in(bpfemu_helper_timer_cancel(&e->t), 0, 1, -EINVAL);
		break;
	}
	return 0;
}

static void *worker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg * 7919u + 1;
	struct elem zero = { 0 };
	struct work w;
	int i;

	emu_ctx.cpu = (int)(uintptr_t)arg;
	for (i = 0; i < ITERS; i++) {
		w.m = (rand_r(&seed) & 1) ? &arr : &hash;
		w.key = (uint32_t)rand_r(&seed) % NKEYS;
		w.op = rand_r(&seed) % 7;
		if (w.op >= 5) {
			/*
			 * User space overwrites an ARRAY element: cancel-and-free
			 * racing with the helpers and the callbacks.  Plain array
			 * updates of one element from two threads race on the
			 * value bytes (in the kernel too), so each worker only
			 * overwrites its own elements.  (HASH deletes and
			 * replacements recycle element memory under concurrent
			 * lookups; their TSan story belongs to the maps tests.)
			 */
			w.key = w.key - w.key % WORKERS + ((uint32_t)(uintptr_t)arg - 1);
			if (w.key < NKEYS)
				arr.map->ops->update_sys(arr.map, &w.key, &zero, BPF_ANY);
		} else {
			emu_run(test_prog, EMU_ENTRY_PROG, work_fn, &w, NULL);
		}
	}
	atomic_fetch_sub(&workers_left, 1);
	return NULL;
}

static void test_timer_threads_program_helpers_race_with_the_advancing_clock(void **state)
{
	struct elem zero = { 0 };
	pthread_t th[WORKERS];
	uint32_t k;
	int i;

	(void)state;
	assert_int_equal(tmap_open(&arr, BPF_MAP_TYPE_ARRAY, NKEYS), 0);
	assert_int_equal(tmap_open(&hash, BPF_MAP_TYPE_HASH, NKEYS), 0);
	for (k = 0; k < NKEYS; k++)
		assert_int_equal(hash.map->ops->update_sys(hash.map, &k, &zero, BPF_ANY), 0);
	atomic_store(&workers_left, WORKERS);
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1)), 0);
	while (atomic_load(&workers_left))
		assert_int_equal(bpfemu_clock_advance(50000), 0);
	for (i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(atomic_load(&last_bad), 0);
	assert_int_equal(atomic_load(&nr_bad), 0);
	assert_true(atomic_load(&nr_started) > 0);
	assert_true(atomic_load(&nr_cb) > 0);
	/* closing the maps frees whatever is still armed (the re-armers) */
	tmap_close(&arr);
	tmap_close(&hash);
	assert_int_equal(bpfemu_clock_pending(), 0);
}

/*
 * A user-space delete on one thread while the element's callback runs on
 * the advancing thread: the delete waits for the callback (hrtimer_cancel),
 * and the callback never runs again.
 */
static atomic_int cb_entered, cb_release;
static atomic_long slow_runs;

static int cb_slow(void *map, int *key, struct elem *value)
{
	(void)map;
	(void)key;
	atomic_fetch_add(&slow_runs, 1);
	atomic_store(&cb_entered, 1);
	while (!atomic_load(&cb_release))
		sched_yield();
	bpfemu_helper_timer_start(&value->t, MS, 0);
	return 0;
}

static void *deleter(void *arg)
{
	uint32_t key = 5;

	(void)arg;
	while (!atomic_load(&cb_entered))
		sched_yield();
	/* let the callback go once we are (about to be) waiting for it */
	atomic_store(&cb_release, 1);
	hash.map->ops->delete_sys(hash.map, &key);
	return NULL;
}

static void test_timer_threads_delete_waits_for_a_running_callback(void **state)
{
	pthread_t th;
	struct elem *e;

	(void)state;
	assert_int_equal(tmap_open(&hash, BPF_MAP_TYPE_HASH, 8), 0);
	e = tmap_elem(&hash, 5);
	timer_ready(&hash, e, cb_slow);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, deleter, NULL), 0);
	assert_int_equal(bpfemu_clock_advance(MS), 0);
	pthread_join(th, NULL);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(atomic_load(&slow_runs), 1);
	assert_int_equal(bpfemu_clock_pending(), 0);
	tmap_close(&hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TT(test_timer_threads_program_helpers_race_with_the_advancing_clock),
		TT(test_timer_threads_delete_waits_for_a_running_callback),
	};

	return cmocka_run_group_tests(tests, timer_group_setup, timer_group_teardown);
}
