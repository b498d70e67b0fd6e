// SPDX-License-Identifier: MIT
/*
 * Cgroup storage under concurrency (TSan job: label "threaded").  Programs
 * on several threads get, create and delete storage of two maps on shared
 * cgroups while user space updates and deletes through fds and a thread
 * churns a cgroup that carries storage; and programs reading many maps
 * while another thread makes the cgroup's index grow again and again
 * (elements of new maps with larger ids) and frees those maps; and an
 * owner's storage destroyed on one CPU while its maps are freed on another.
 * Nothing may crash, leak or race; every value a program reads belongs to
 * the (cgroup, map) it asked for.
 */
#define _GNU_SOURCE	/* pthread_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "test_cgrp_storage.h"

enum {
	NR_CG = 4,
	NR_PROG_THREADS = 3,
	RUNS = 200,
	OPS_PER_RUN = 50,
};

struct tval {
	long owner;		/* cgroup id * 16 + map index, set at creation */
	long hits;
};

struct shared {
	struct smap m[2];
	struct cgroup *cg[NR_CG];
	int fd[NR_CG];
	struct emu_prog *prog;
	atomic_long mismatches;
	atomic_long creates_failed;
};

struct worker {
	struct shared *sh;
	unsigned int seed;
};

static long owner_of(struct cgroup *cg, int mi)
{
	return (long)(emu_cgroup_id(cg) * 16 + (uint64_t)mi);
}

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

/* One program run: a batch of helper calls. */
static long prog_body(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct tval init, *p;
	int i, ci, mi;

	for (i = 0; i < OPS_PER_RUN; i++) {
		ci = (int)(rnd(&w->seed) % NR_CG);
		mi = (int)(rnd(&w->seed) % 2);
		init.owner = owner_of(sh->cg[ci], mi);
		init.hits = 0;
		if (rnd(&w->seed) % 8 == 0) {
			bpfemu_helper_cgrp_storage_delete(sh->m[mi].def, sh->cg[ci]);
			continue;
		}
		p = bpfemu_helper_cgrp_storage_get(sh->m[mi].def, sh->cg[ci], &init, F_CREATE);
		if (!p) {
			/* -EAGAIN: a concurrent first element won the race */
			atomic_fetch_add(&sh->creates_failed, 1);
			continue;
		}
		if (__atomic_load_n(&p->owner, __ATOMIC_RELAXED) != init.owner)
			atomic_fetch_add(&sh->mismatches, 1);
		/* Programs write map 1 only: user space copies map 0 values
		 * without the lock, which would race as in the kernel. */
		if (mi == 1)
			__atomic_fetch_add(&p->hits, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static void *prog_thread(void *arg)
{
	struct worker *w = arg;
	long ret;
	int r;

	for (r = 0; r < RUNS; r++) {
		/* emu_run() opens the read-side section itself (map.h); nesting
		 * one here keeps this test meaningful whichever lands first. */
		emu_map_rcu_enter();
		emu_run(w->sh->prog, EMU_ENTRY_PROG, prog_body, w, &ret);
		emu_map_rcu_exit();
	}
	return NULL;
}

/* User space: updates (which replace elements) and deletes through fds. */
static void *user_thread(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct tval v, out;
	int i, ci, mi;

	for (i = 0; i < RUNS * 10; i++) {
		ci = (int)(rnd(&w->seed) % NR_CG);
		mi = (int)(rnd(&w->seed) % 2);
		v.owner = owner_of(sh->cg[ci], mi);
		v.hits = 0;
		switch (rnd(&w->seed) % 3) {
		case 0:
			us_update(&sh->m[mi], sh->fd[ci], &v, BPF_ANY);
			break;
		case 1:
			us_delete(&sh->m[mi], sh->fd[ci]);
			break;
		default:
			if (!us_lookup(&sh->m[0], sh->fd[ci], &out, 0) &&
			    out.owner != owner_of(sh->cg[ci], 0))
				atomic_fetch_add(&sh->mismatches, 1);
			break;
		}
	}
	return NULL;
}

/* A cgroup with storage created and removed again and again. */
static void *churn_thread(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct cgroup *cg;
	int64_t id;
	int i;

	for (i = 0; i < RUNS; i++) {
		id = bpfemu_cgroup_create("/churn");
		if (id < 0)
			continue;
		cg = bpfemu_cgroup_get((uint64_t)id);
		if (cg) {
			bpfemu_helper_cgrp_storage_get(sh->m[0].def, cg, NULL, F_CREATE);
			bpfemu_helper_cgrp_storage_get(sh->m[1].def, cg, NULL, F_CREATE);
		}
		bpfemu_cgroup_remove("/churn");
		bpfemu_cgroup_put(cg);
	}
	return NULL;
}

static void test_programs_on_threads_share_cgroup_storage_safely(void **state)
{
	struct worker w[NR_PROG_THREADS + 2];
	pthread_t th[NR_PROG_THREADS + 2];
	struct shared sh;
	char path[16];
	int i;

	(void)state;
	memset(&sh, 0, sizeof(sh));
	assert_int_equal(smap_open_attr(&sh.m[0], &(struct emu_map_attr){
		.map_type = BPF_MAP_TYPE_CGRP_STORAGE, .key_size = 4,
		.value_size = sizeof(struct tval), .map_flags = BPF_F_NO_PREALLOC,
		.has_btf = true, .btf_key_type_id = 1, .btf_value_type_id = 2,
		.inner_map_fd = -1 }), 0);
	assert_int_equal(smap_open_attr(&sh.m[1], &(struct emu_map_attr){
		.map_type = BPF_MAP_TYPE_CGRP_STORAGE, .key_size = 4,
		.value_size = sizeof(struct tval), .map_flags = BPF_F_NO_PREALLOC,
		.has_btf = true, .btf_key_type_id = 1, .btf_value_type_id = 2,
		.inner_map_fd = -1 }), 0);
	for (i = 0; i < NR_CG; i++) {
		snprintf(path, sizeof(path), "/w%d", i);
		sh.cg[i] = cg_make(path, NULL);
		assert_non_null(sh.cg[i]);
		sh.fd[i] = bpfemu_cgroup_open(path);
		assert_true(sh.fd[i] >= 0);
	}
	sh.prog = emu_prog_new_bare("cgrp_threads", BPF_PROG_TYPE_TRACING);
	assert_non_null(sh.prog);

	for (i = 0; i < NR_PROG_THREADS + 2; i++) {
		w[i].sh = &sh;
		w[i].seed = 1234u + (unsigned int)i * 77u;
	}
	for (i = 0; i < NR_PROG_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, prog_thread, &w[i]), 0);
	assert_int_equal(pthread_create(&th[i], NULL, user_thread, &w[i]), 0);
	i++;
	assert_int_equal(pthread_create(&th[i], NULL, churn_thread, &w[i]), 0);
	for (i = 0; i < NR_PROG_THREADS + 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);

	assert_int_equal(atomic_load(&sh.mismatches), 0);
	/* the churned cgroup's storage went with it */
	assert_int_equal(bpfemu_cgroup_id("/churn"), -ENOENT);
	for (i = 0; i < NR_CG; i++) {
		close(sh.fd[i]);
		bpfemu_cgroup_put(sh.cg[i]);
	}
	emu_prog_put(sh.prog);
	smap_close(&sh.m[0]);
	smap_close(&sh.m[1]);
}

/* ------------------------------------------------ index growth under readers */

enum {
	NR_READ_MAPS = 16,	/* ids 0..15: the first index's 16 slots */
	NR_GROW_MAPS = 64,	/* ids 16..79: the index grows to 32, 64, 128 */
	GROW_ROUNDS = 25,
	NR_READERS = 2,
};

struct growth {
	struct smap r[NR_READ_MAPS];
	struct cgroup *_Atomic cur;	/* the cgroup being grown */
	struct emu_prog *prog;
	atomic_bool done;
	atomic_long mismatches;
	atomic_long found;
	atomic_long runs;
};

struct greader {
	struct growth *g;
	unsigned int seed;
};

static long grow_owner(struct cgroup *cg, int mi)
{
	return (long)(emu_cgroup_id(cg) * 128 + (uint64_t)mi);
}

static long greader_body(void *arg)
{
	struct greader *w = arg;
	struct growth *g = w->g;
	struct cgroup *cg;
	struct tval init, *p;
	unsigned int op;
	int i, mi;

	/* Inside the run: the cgroup cannot be freed under us. */
	cg = atomic_load_explicit(&g->cur, memory_order_acquire);
	if (!cg)
		return 0;
	for (i = 0; i < OPS_PER_RUN; i++) {
		mi = (int)(rnd(&w->seed) % NR_READ_MAPS);
		op = rnd(&w->seed) % 16;
		if (op == 0) {
			bpfemu_helper_cgrp_storage_delete(g->r[mi].def, cg);
			continue;
		}
		init.owner = grow_owner(cg, mi);
		init.hits = 0;
		p = bpfemu_helper_cgrp_storage_get(g->r[mi].def, cg, &init,
						   op < 4 ? F_CREATE : 0);
		if (!p)
			continue;
		atomic_fetch_add(&g->found, 1);
		if (__atomic_load_n(&p->owner, __ATOMIC_RELAXED) != init.owner)
			atomic_fetch_add(&g->mismatches, 1);
	}
	return 0;
}

static void *greader_thread(void *arg)
{
	struct greader *w = arg;
	long ret;

	while (!atomic_load(&w->g->done)) {
		emu_run(w->g->prog, EMU_ENTRY_PROG, greader_body, w, &ret);
		atomic_fetch_add(&w->g->runs, 1);
	}
	return NULL;
}

/* Every map of the last round freed (their frees wait for a grace period,
 * which the readers' runs let pass): the ids are the read maps' only. */
static void grow_maps_freed(struct growth *g)
{
	struct emu_ls_idpool *ids = emu_ls_map_of(g->r[0].map)->ids;

	while (atomic_load(&ids->limit) != NR_READ_MAPS)
		sched_yield();
}

/* Let the readers run a few times over what the writer just did. */
static void readers_catch_up(struct growth *g)
{
	long runs = atomic_load(&g->runs);

	while (atomic_load(&g->runs) < runs + NR_READERS)
		sched_yield();
}

/*
 * Each round: a new cgroup with storage in the read maps, published to the
 * readers; 64 new maps (ids 16..79, once the previous round's are given
 * back) each create an element on it, growing its index from 16 slots to
 * 32, 64 and 128, then half are deleted and all the maps freed; the
 * previous cgroup is removed and put (its storage destroyed under the
 * readers).
 */
static void grow_rounds(struct growth *g)
{
	struct smap m[NR_GROW_MAPS];
	struct cgroup *cg, *old;
	struct tval init;
	char path[16];
	int r, i;

	for (r = 0; r < GROW_ROUNDS; r++) {
		grow_maps_freed(g);
		snprintf(path, sizeof(path), "/grow%d", r);
		cg = cg_make(path, NULL);
		assert_non_null(cg);
		for (i = 0; i < NR_READ_MAPS; i++) {
			init.owner = grow_owner(cg, i);
			init.hits = 0;
			assert_non_null(bpfemu_helper_cgrp_storage_get(g->r[i].def, cg, &init,
								       F_CREATE));
		}
		assert_int_equal(ls_index_nr(cg), 16);
		old = atomic_exchange(&g->cur, cg);
		readers_catch_up(g);
		if (old) {
			snprintf(path, sizeof(path), "/grow%d", r - 1);
			assert_int_equal(bpfemu_cgroup_remove(path), 0);
			bpfemu_cgroup_put(old);
		}
		for (i = 0; i < NR_GROW_MAPS; i++) {
			assert_int_equal(smap_open(&m[i]), 0);
			assert_int_equal(emu_ls_map_id(m[i].map), NR_READ_MAPS + i);
			init.owner = -1;
			assert_non_null(bpfemu_helper_cgrp_storage_get(m[i].def, cg, &init,
								       F_CREATE));
			if (i % 8 == 7)
				readers_catch_up(g);
		}
		assert_int_equal(ls_index_nr(cg), 128);
		for (i = 0; i < NR_GROW_MAPS; i += 2)
			assert_int_equal(bpfemu_helper_cgrp_storage_delete(m[i].def, cg), 0);
		for (i = 0; i < NR_GROW_MAPS; i++)
			smap_close(&m[i]);
	}
	old = atomic_exchange(&g->cur, NULL);
	snprintf(path, sizeof(path), "/grow%d", r - 1);
	assert_int_equal(bpfemu_cgroup_remove(path), 0);
	bpfemu_cgroup_put(old);
}

static void test_gets_on_many_maps_while_other_maps_grow_the_index(void **state)
{
	struct greader w[NR_READERS];
	pthread_t th[NR_READERS];
	struct growth g;
	int i;

	(void)state;
	memset(&g, 0, sizeof(g));
	for (i = 0; i < NR_READ_MAPS; i++) {
		assert_int_equal(smap_open_attr(&g.r[i], &(struct emu_map_attr){
			.map_type = BPF_MAP_TYPE_CGRP_STORAGE, .key_size = 4,
			.value_size = sizeof(struct tval), .map_flags = BPF_F_NO_PREALLOC,
			.has_btf = true, .btf_key_type_id = 1, .btf_value_type_id = 2,
			.inner_map_fd = -1 }), 0);
		assert_int_equal(emu_ls_map_id(g.r[i].map), i);
	}
	g.prog = emu_prog_new_bare("cgrp_growth", BPF_PROG_TYPE_TRACING);
	assert_non_null(g.prog);
	for (i = 0; i < NR_READERS; i++) {
		w[i].g = &g;
		w[i].seed = 99u + (unsigned int)i * 31u;
		assert_int_equal(pthread_create(&th[i], NULL, greader_thread, &w[i]), 0);
	}
	grow_rounds(&g);
	atomic_store(&g.done, true);
	for (i = 0; i < NR_READERS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);

	assert_int_equal(atomic_load(&g.mismatches), 0);
	assert_true(atomic_load(&g.found) > 0);
	emu_prog_put(g.prog);
	for (i = 0; i < NR_READ_MAPS; i++)
		smap_close(&g.r[i]);
}

/* ------------------------------------- a cgroup freed while its maps are freed */

enum {
	NR_RACE_MAPS = 16,	/* elements on the owner, maps freed on the other thread */
	RACE_ROUNDS = 300,	/* cgroup owner; a bare owner, 4 times as many */
	SPIN_BEFORE_SLEEP = 2000,
};

/*
 * The two sides of the race on two CPUs.  Left to the scheduler, with
 * another test process running, they often shared one and took turns:
 * the race showed in a third to a half of the runs before the fix, in
 * every run once pinned.  The test thread's own CPUs are given back.
 */
struct cpu_pair {
#ifdef __linux__
	cpu_set_t saved;
#endif
	int cpu[2];		/* test thread's, map thread's; -1: not pinned */
};

static void cpu_pair_get(struct cpu_pair *cp)
{
	int n = 0;
#ifdef __linux__
	int c;

	if (!sched_getaffinity(0, sizeof(cp->saved), &cp->saved))
		for (c = 0; c < CPU_SETSIZE && n < 2; c++)
			if (CPU_ISSET(c, &cp->saved))
				cp->cpu[n++] = c;
#endif
	if (n < 2)
		cp->cpu[0] = cp->cpu[1] = -1;
}

static void pin_to_cpu(int cpu)
{
#ifdef __linux__
	cpu_set_t one;

	if (cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
#else
	(void)cpu;
#endif
}

static void cpu_pair_put(struct cpu_pair *cp)
{
#ifdef __linux__
	if (cp->cpu[0] >= 0)
		pthread_setaffinity_np(pthread_self(), sizeof(cp->saved), &cp->saved);
#else
	(void)cp;
#endif
}

/*
 * Until *@v is @r, for the two threads to meet: spin, the other side is on
 * its CPU and answers within a microsecond; then sleep, should it not be
 * running (another process on its CPU, or valgrind, which runs one thread
 * at a time).
 */
static void wait_round(atomic_uint *v, unsigned int r)
{
	const struct timespec ts = { .tv_nsec = 20000 };
	unsigned long n;

	for (n = 0; atomic_load_explicit(v, memory_order_acquire) != r; n++)
		if (n > SPIN_BEFORE_SLEEP)
			nanosleep(&ts, NULL);
}

/* Where one thread waits for the other's longer work (set-up, frees):
 * blocked, not spinning -- valgrind would give the spinner whole slices. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int round;
};

static void gate_open(struct gate *g, unsigned int r)
{
	pthread_mutex_lock(&g->lock);
	g->round = r;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void gate_wait(struct gate *g, unsigned int r)
{
	pthread_mutex_lock(&g->lock);
	while (g->round != r)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void spin_ns(uint64_t ns)
{
	uint64_t t0 = now_ns();

	while (now_ns() - t0 < ns)
		;
}

struct free_race {
	struct smap m[NR_RACE_MAPS];
	unsigned int rounds;
	int nr;			/* maps this round */
	uint64_t map_wait_ns;	/* how long the map thread waits first */
	uint64_t frees_ns;	/* how long its frees took (set before done) */
	struct cpu_pair cpus;
	struct gate ready;	/* round set up by the test thread */
	atomic_uint started;	/* round the map thread waits to free */
	atomic_uint putting;	/* round whose owner the test thread frees now */
	struct gate done;	/* round whose maps the map thread freed */
};

/*
 * The other side of each round: free every map (the last reference goes:
 * emu_ls_map_free runs here) while the test thread frees the owner
 * (emu_ls_destroy).  Both answer each other first, so both are on a CPU
 * when the round starts; then one of them waits a varying time (see
 * free_race_rounds), so that the two meet at every point of each other.
 */
static void *map_freer_thread(void *arg)
{
	struct free_race *fr = arg;
	unsigned int r;
	uint64_t t0;
	int i;

	pin_to_cpu(fr->cpus.cpu[1]);
	for (r = 1; r <= fr->rounds; r++) {
		gate_wait(&fr->ready, r);
		atomic_store_explicit(&fr->started, r, memory_order_release);
		wait_round(&fr->putting, r);
		spin_ns(fr->map_wait_ns);
		t0 = now_ns();
		/* Newest element first: the destroy unlinks it first and
		 * releases it last. */
		for (i = fr->nr - 1; i >= 0; i--)
			smap_close(&fr->m[i]);
		fr->frees_ns = now_ns() - t0;
		gate_open(&fr->done, r);
	}
	return NULL;
}

/*
 * Rounds of: an owner with an element of each of fr->nr new maps, then the
 * owner freed on this thread while the maps are freed on the other.  The
 * owner is a cgroup (freed with its last reference), or, with
 * @cgroup_owner false, a bare storage pointer destroyed directly: no
 * cgroup code and no grace period before the destroy, so it can also start
 * while a map's free holds the storage lock (and empties the storage).
 */
static void free_race_rounds(bool cgroup_owner)
{
	struct bpf_local_storage *slot;
	struct free_race fr;
	struct cgroup *cg = NULL;
	struct val v = { 1, 2 };
	/* The last durations of each side, with one map and with more. */
	uint64_t destroy_ns[2] = { 0, 0 }, frees_ns[2] = { 0, 0 }, wait_ns, t0;
	unsigned int r, x, seed = 4321u;
	pthread_t th;
	int i, err, one;

	memset(&fr, 0, sizeof(fr));
	pthread_mutex_init(&fr.ready.lock, NULL);
	pthread_cond_init(&fr.ready.cond, NULL);
	pthread_mutex_init(&fr.done.lock, NULL);
	pthread_cond_init(&fr.done.cond, NULL);
	fr.rounds = cgroup_owner ? RACE_ROUNDS : 4 * RACE_ROUNDS;
	cpu_pair_get(&fr.cpus);
	pin_to_cpu(fr.cpus.cpu[0]);
	assert_int_equal(pthread_create(&th, NULL, map_freer_thread, &fr), 0);
	for (r = 1; r <= fr.rounds; r++) {
		/* A bare owner: one map three rounds in four, where the
		 * storage is most often emptied under the destroy. */
		fr.nr = cgroup_owner || r % 4 == 0 ? NR_RACE_MAPS : 1;
		one = fr.nr == 1;
		if (cgroup_owner) {
			cg = cg_make("/race", NULL);
			assert_non_null(cg);
		}
		slot = NULL;
		for (i = 0; i < fr.nr; i++) {
			assert_int_equal(smap_open(&fr.m[i]), 0);
			if (cgroup_owner)
				assert_non_null(s_get(&fr.m[i], cg, &v, F_CREATE));
			else
				assert_non_null(emu_ls_update(&slot, emu_ls_map_of(fr.m[i].map),
							      &v, BPF_NOEXIST, &err));
		}
		if (cgroup_owner) {
			assert_int_equal(ls_list_len(cg), fr.nr);
			assert_int_equal(bpfemu_cgroup_remove("/race"), 0);
		}
		/*
		 * One side waits first, for a random part of how long the
		 * other side took last time: the map thread (its frees land
		 * anywhere inside the destroy) or this one (the destroy starts
		 * anywhere inside the frees: one may hold the storage lock,
		 * or have emptied the storage).  Measured, so as to fit any
		 * machine and any sanitizer.
		 */
		x = rnd(&seed);
		fr.map_wait_ns = x & 1 ? destroy_ns[one] * (x / 2 % 1024) / 1024 : 0;
		wait_ns = x & 1 ? 0 : frees_ns[one] * (x / 2 % 1024) / 1024;
		gate_open(&fr.ready, r);
		wait_round(&fr.started, r);
		atomic_store_explicit(&fr.putting, r, memory_order_release);
		spin_ns(wait_ns);
		t0 = now_ns();
		/* The cgroup's last reference: its storage is destroyed here. */
		if (cgroup_owner)
			bpfemu_cgroup_put(cg);
		else
			emu_ls_destroy(&slot);
		destroy_ns[one] = now_ns() - t0;
		gate_wait(&fr.done, r);
		frees_ns[one] = fr.frees_ns;
		if (!cgroup_owner)
			assert_null(slot);
	}
	assert_int_equal(pthread_join(th, NULL), 0);
	cpu_pair_put(&fr.cpus);
	pthread_cond_destroy(&fr.done.cond);
	pthread_mutex_destroy(&fr.done.lock);
	pthread_cond_destroy(&fr.ready.cond);
	pthread_mutex_destroy(&fr.ready.lock);
}

/*
 * The kernel's bpf_local_storage_destroy against bpf_local_storage_map_free
 * on another CPU: the destroy unlinks the cgroup's elements from their maps
 * under the locks, then releases each element, which reads its map.  A map
 * whose free found its list empty meanwhile must not be freed before that
 * (a heap-use-after-free under ASan within a few rounds, before the fix).
 */
static void test_cgroup_freed_while_its_maps_are_freed(void **state)
{
	(void)state;
	free_race_rounds(true);
}

/*
 * The same on a bare owner, and the destroy may also find the storage
 * emptied by the maps' frees after it read the owner's pointer: the free
 * that took the last element retired the storage, which the destroy must
 * neither use after its grace period nor retire again.
 */
static void test_storage_destroyed_while_its_maps_are_freed(void **state)
{
	(void)state;
	free_race_rounds(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_programs_on_threads_share_cgroup_storage_safely,
					  cg_teardown),
		cmocka_unit_test_teardown(test_gets_on_many_maps_while_other_maps_grow_the_index,
					  cg_teardown),
		cmocka_unit_test_teardown(test_cgroup_freed_while_its_maps_are_freed,
					  cg_teardown),
		cmocka_unit_test_teardown(test_storage_destroyed_while_its_maps_are_freed,
					  cg_teardown),
	};

	return cmocka_run_group_tests(tests, cg_setup, cg_teardown);
}
