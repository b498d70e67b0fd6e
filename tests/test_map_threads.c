// SPDX-License-Identifier: MIT
/*
 * Several threads update, look up and delete in one hash map at once: the
 * program side without locks (inside emu_map_rcu_enter/exit, as emu_run
 * brackets a run), user space through the fd.  Run under TSan in CI.
 */
#include <pthread.h>

#include "test_map_util.h"

#define NTHREADS 4
#define ITERS 20000
#define NKEYS 64

struct worker {
	int fd;
	void *def;
	int id;
	long found;
};

struct tval {
	uint64_t key;
	uint64_t check;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	unsigned int seed = (unsigned int)w->id * 7919u + 1;
	int i;

	emu_ctx.cpu = w->id;
	for (i = 0; i < ITERS; i++) {
		uint32_t k = (seed = seed * 1103515245u + 12345u) % NKEYS;
		struct tval v = { k, k * 3 + 1 }, *p;

		switch ((seed >> 16) % 4) {
		case 0:
			bpfemu_helper_map_update_elem(w->def, &k, &v, BPF_ANY);
			break;
		case 1:
			bpfemu_helper_map_delete_elem(w->def, &k);
			break;
		case 2:
			emu_map_rcu_enter();
			p = bpfemu_helper_map_lookup_elem(w->def, &k);
			if (p) {
				/* the element we found stays whole until we leave */
				assert_int_equal(p->key, k);
				assert_int_equal(p->check, k * 3 + 1);
				w->found++;
			}
			emu_map_rcu_exit();
			break;
		default:
			if (bpf_map_lookup_elem(w->fd, &k, &v) == 0)
				assert_int_equal(v.check, k * 3 + 1);
			else
				bpf_map_update_elem(w->fd, &k, &v, BPF_NOEXIST);
			break;
		}
	}
	return NULL;
}

static void run_threads(enum bpf_map_type type, uint32_t max, uint32_t flags)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	int fd = create(type, 4, sizeof(struct tval), max, flags), i;
	long found = 0;

	assert_true(fd >= 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ .fd = fd, .def = def_of(fd), .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		found += w[i].found;
	}
	assert_true(found > 0);
	close(fd);
	emu_fd_reap();
	assert_int_equal(bpfemu_live_objects(), 0);
}

static void test_concurrent_hash_updates_lookups_and_deletes(void **state)
{
	(void)state;
	run_threads(BPF_MAP_TYPE_HASH, NKEYS, 0);
}

static void test_concurrent_hash_without_prealloc(void **state)
{
	(void)state;
	run_threads(BPF_MAP_TYPE_HASH, NKEYS / 2, BPF_F_NO_PREALLOC);
}

static void test_concurrent_lru_hash_with_eviction(void **state)
{
	(void)state;
	run_threads(BPF_MAP_TYPE_LRU_HASH, NKEYS / 4, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_concurrent_hash_updates_lookups_and_deletes),
		T(test_concurrent_hash_without_prealloc),
		T(test_concurrent_lru_hash_with_eviction),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
