// SPDX-License-Identifier: MIT
/*
 * Several threads update, look up and delete in one hash map at once: the
 * program side without locks (inside emu_map_rcu_enter/exit, as emu_run
 * brackets a run), user space through the fd; churn on shared keys through
 * emu_run entries; a timer armed in an element another CPU deleted.  Run
 * under TSan in CI.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include <bpfemu/clock.h>

#include "lock.h"
#include "prog.h"
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

/*
 * The writer lock taken while the process has one thread (a plain store,
 * lock.h), then a second thread started while it is held: the newcomer
 * must wait for the unlock, and see what was written under the lock.
 * First in this file, so that (outside TSan, whose runtime has threads of
 * its own) the lock really is taken single-threaded.
 */
static struct emu_lock st_lock = EMU_LOCK_INIT;
static int st_data;
static atomic_int st_waiting;

static void *st_contender(void *arg)
{
	int seen;

	(void)arg;
	atomic_store(&st_waiting, 1);
	emu_lock(&st_lock);
	seen = st_data;
	emu_unlock(&st_lock);
	return (void *)(intptr_t)seen;
}

static void test_lock_taken_single_threaded_holds_against_a_later_thread(void **state)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pthread_t t;
	void *seen;

	(void)state;
	emu_lock(&st_lock);
	assert_int_equal(pthread_create(&t, NULL, st_contender, NULL), 0);
	while (!atomic_load(&st_waiting))
		sched_yield();
	nanosleep(&ts, NULL);	/* the contender is spinning or yielding */
	st_data = 42;
	emu_unlock(&st_lock);
	assert_int_equal(pthread_join(t, &seen), 0);
	assert_int_equal((intptr_t)seen, 42);
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	unsigned int seed = (unsigned int)w->id * 7919u + 1;
	int i;

	emu_ctx.cpu = w->id;
	for (i = 0; i < ITERS; i++) {
		/* high bits: the low bits of this generator cycle through all
		 * NKEYS keys in order, so a thread running alone never looked
		 * up a key an LRU of NKEYS / 4 still held (found stayed 0 when
		 * a loaded machine ran the threads one after another) */
		uint32_t k = ((seed = seed * 1103515245u + 12345u) >> 8) % NKEYS;
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

/*
 * Churn on shared keys: every thread looks up, replaces (BPF_ANY), deletes
 * and looks up-and-deletes the same few keys, through program-side helpers
 * inside emu_run() entries and through the user-space API.  Keys and values
 * are written with all their bytes equal (the key's number in the value's
 * low bits), so a torn key or value, or an element recycled for another key
 * under a reader, shows as unequal bytes.  A program holding a value
 * pointer re-reads it for the rest of its run: nobody writes a published
 * element in place here, so the bytes must not change (the element's memory
 * is not recycled before the run has left).  Bounded by iterations and by
 * time; TSan-clean is the other half of the assertion.
 */
#define CHURN_THREADS	4
#define CHURN_ITERS	30000
#define CHURN_NSEC	1500000000LL
#define CHURN_KEYS	24		/* key numbers 1..24: below 32 */
#define CHURN_KSZ	12		/* not a multiple of 8: the padding too */
#define CHURN_VSZ	60
#define CHURN_REREADS	8

struct churn {
	int fd;
	void *def;
	bool lru;
	struct emu_prog *prog;
	struct timespec deadline;
	atomic_long bad_key, bad_value, bad_ret, changed, found, runs;
};

struct churn_worker {
	struct churn *c;
	int id;
	unsigned int seed;
};

struct churn_op {
	struct churn_worker *w;
	int op;
	uint8_t k;
	uint8_t gen;
};

static uint8_t churn_rand(struct churn_worker *w)
{
	w->seed = w->seed * 1103515245u + 12345u;
	return (uint8_t)(w->seed >> 16);
}

static void churn_key(uint8_t *key, uint8_t k)
{
	memset(key, k, CHURN_KSZ);
}

/* Every byte the same; that byte names the key in its low 5 bits. */
static void churn_value(uint8_t *val, uint8_t k, uint8_t gen)
{
	memset(val, (uint8_t)(k | (gen << 5)), CHURN_VSZ);
}

static bool churn_key_ok(const uint8_t *key)
{
	int i;

	if (key[0] < 1 || key[0] > CHURN_KEYS)
		return false;
	for (i = 1; i < CHURN_KSZ; i++)
		if (key[i] != key[0])
			return false;
	return true;
}

static bool churn_value_ok(const uint8_t *val, uint8_t k)
{
	int i;

	if ((val[0] & 31) != k)
		return false;
	for (i = 1; i < CHURN_VSZ; i++)
		if (val[i] != val[0])
			return false;
	return true;
}

static bool churn_timed_out(const struct churn *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > c->deadline.tv_sec ||
	       (now.tv_sec == c->deadline.tv_sec && now.tv_nsec >= c->deadline.tv_nsec);
}

static long churn_for_each_cb(void *map, const void *key, void *value, void *ctx)
{
	struct churn *c = ctx;
	const uint8_t *k = key;

	(void)map;
	if (!churn_key_ok(k))
		atomic_fetch_add(&c->bad_key, 1);
	else if (!churn_value_ok(value, k[0]))
		atomic_fetch_add(&c->bad_value, 1);
	return 0;
}

/* One program run: a helper call or two on the shared keys. */
static long churn_prog(void *arg)
{
	struct churn_op *o = arg;
	struct churn *c = o->w->c;
	uint8_t key[CHURN_KSZ], val[CHURN_VSZ];
	volatile uint8_t *p;
	uint8_t first;
	long r;
	int i;

	/* The run's read-side section.  emu_run() is to open it itself
	 * (map.h); until that lands in emu/prog.c, the program says it. */
	emu_map_rcu_enter();
	churn_key(key, o->k);
	switch (o->op) {
	case 0:
	case 1:
		p = bpfemu_helper_map_lookup_elem(c->def, key);
		if (!p)
			break;
		atomic_fetch_add(&c->found, 1);
		if (!churn_value_ok((const uint8_t *)p, o->k)) {
			atomic_fetch_add(&c->bad_value, 1);
			break;
		}
		/* others replace and delete this key meanwhile: the element
		 * we hold stays as it was until the run is over */
		first = p[0];
		for (i = 0; i < CHURN_REREADS; i++) {
			if (p[i * (CHURN_VSZ - 1) / CHURN_REREADS] != first)
				atomic_fetch_add(&c->changed, 1);
			sched_yield();
		}
		if (p[CHURN_VSZ - 1] != first)
			atomic_fetch_add(&c->changed, 1);
		break;
	case 2:
		churn_value(val, o->k, o->gen);
		r = bpfemu_helper_map_update_elem(c->def, key, val, BPF_ANY);
		if (r && !(c->lru && r == -ENOMEM))
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	case 3:
		r = bpfemu_helper_map_delete_elem(c->def, key);
		if (r && r != -ENOENT)
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	default:
		r = bpfemu_helper_for_each_map_elem(c->def, (void *)churn_for_each_cb, c, 0);
		if (r < 0)
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	}
	emu_map_rcu_exit();
	return 0;
}

/* The same through the user-space API. */
static void churn_user(struct churn_worker *w, int op, uint8_t k, uint8_t gen)
{
	struct churn *c = w->c;
	uint8_t key[CHURN_KSZ], next[CHURN_KSZ], val[CHURN_VSZ];
	int r;

	churn_key(key, k);
	switch (op) {
	case 0:
		r = bpf_map_lookup_elem(c->fd, key, val);
		if (r == 0 && !churn_value_ok(val, k))
			atomic_fetch_add(&c->bad_value, 1);
		else if (r && r != -ENOENT)
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	case 1:
		churn_value(val, k, gen);
		r = bpf_map_update_elem(c->fd, key, val, BPF_ANY);
		if (r && !(c->lru && r == -ENOMEM))
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	case 2:
		r = bpf_map_delete_elem(c->fd, key);
		if (r && r != -ENOENT)
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	case 3:
		r = bpf_map_lookup_and_delete_elem(c->fd, key, val);
		if (r == 0 && !churn_value_ok(val, k))
			atomic_fetch_add(&c->bad_value, 1);
		else if (r && r != -ENOENT)
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	default:
		r = bpf_map_get_next_key(c->fd, key, next);
		if (r == 0 && !churn_key_ok(next))
			atomic_fetch_add(&c->bad_key, 1);
		else if (r && r != -ENOENT)
			atomic_fetch_add(&c->bad_ret, 1);
		break;
	}
}

static void *churn_worker_fn(void *arg)
{
	struct churn_worker *w = arg;
	struct churn *c = w->c;
	struct churn_op o = { .w = w };
	long ret;
	int i;

	emu_ctx.cpu = w->id;
	for (i = 0; i < CHURN_ITERS; i++) {
		uint8_t r = churn_rand(w);

		if ((i & 63) == 0 && churn_timed_out(c))
			break;
		o.k = (uint8_t)(churn_rand(w) % CHURN_KEYS + 1);
		o.gen = churn_rand(w) & 7;
		if (r & 1) {
			/* for_each rarely: it walks every bucket */
			o.op = (r >> 1) % 16 == 0 ? 4 : (r >> 1) % 4;
			if (emu_run(c->prog, EMU_ENTRY_PROG, churn_prog, &o, &ret))
				atomic_fetch_add(&c->bad_ret, 1);
			atomic_fetch_add(&c->runs, 1);
		} else {
			churn_user(w, (r >> 1) % 5, o.k, o.gen);
		}
	}
	return NULL;
}

static void churn_run(enum bpf_map_type type, uint32_t max, uint32_t flags)
{
	struct churn_worker w[CHURN_THREADS];
	pthread_t t[CHURN_THREADS];
	struct churn c = { .lru = type == BPF_MAP_TYPE_LRU_HASH };
	int i;

	c.fd = create(type, CHURN_KSZ, CHURN_VSZ, max, flags);
	assert_true(c.fd >= 0);
	c.def = def_of(c.fd);
	c.prog = emu_prog_new_bare("churn", BPF_PROG_TYPE_TRACING);
	assert_non_null(c.prog);
	clock_gettime(CLOCK_MONOTONIC, &c.deadline);
	c.deadline.tv_sec += CHURN_NSEC / 1000000000LL;
	c.deadline.tv_nsec += CHURN_NSEC % 1000000000LL;
	if (c.deadline.tv_nsec >= 1000000000L) {
		c.deadline.tv_sec++;
		c.deadline.tv_nsec -= 1000000000L;
	}
	for (i = 0; i < CHURN_THREADS; i++) {
		w[i] = (struct churn_worker){ .c = &c, .id = i, .seed = 2654435761u * (i + 1) };
		assert_int_equal(pthread_create(&t[i], NULL, churn_worker_fn, &w[i]), 0);
	}
	for (i = 0; i < CHURN_THREADS; i++)
		pthread_join(t[i], NULL);
	emu_prog_put(c.prog);
	close(c.fd);
	emu_fd_reap();

	assert_int_equal(atomic_load(&c.bad_key), 0);
	assert_int_equal(atomic_load(&c.bad_value), 0);
	assert_int_equal(atomic_load(&c.changed), 0);
	assert_int_equal(atomic_load(&c.bad_ret), 0);
	assert_true(atomic_load(&c.runs) > 0);
	assert_true(atomic_load(&c.found) > 0);
	assert_int_equal(bpfemu_live_objects(), 0);
}

static void test_churn_hash_shared_keys(void **state)
{
	(void)state;
	churn_run(BPF_MAP_TYPE_HASH, CHURN_KEYS, 0);
}

static void test_churn_hash_without_prealloc(void **state)
{
	(void)state;
	churn_run(BPF_MAP_TYPE_HASH, CHURN_KEYS, BPF_F_NO_PREALLOC);
}

static void test_churn_lru_hash_with_eviction(void **state)
{
	(void)state;
	churn_run(BPF_MAP_TYPE_LRU_HASH, CHURN_KEYS / 3, 0);
}

static void test_churn_lru_hash_per_cpu_lists(void **state)
{
	(void)state;
	churn_run(BPF_MAP_TYPE_LRU_HASH, CHURN_KEYS / 2, BPF_F_NO_COMMON_LRU);
}

/*
 * A reader holds an element while another thread pushes every other element
 * out of the map: LRU evictions of new keys (user space, and programs whose
 * retirees wait on their own thread until the run ends), or, for HASH,
 * deletes and inserts.  Deterministic: the reader's read-side section stays
 * open across the whole churn (the writer is joined inside it), so every
 * node unlinked meanwhile -- the held element first -- is still waiting for
 * its grace period, and each insert needs a node no reader can hold: a
 * temporary extra one.  The updates must all succeed as on the kernel (an
 * LRU insert evicts, never -E2BIG), the held value must keep its bytes,
 * and once the section is left the map holds max_entries keys again and
 * the nodes go back.
 */
#define HOLD_MAX	8
#define HOLD_NEW	(HOLD_MAX * 40)

struct hold {
	int fd;
	void *def;
	bool lru, in_prog;
	struct emu_prog *prog;
	long bad_ret;
};

static long hold_update_prog(void *arg)
{
	struct hold *hd = arg;
	struct tval v0 = { 0, 1 };
	uint32_t k = 0;
	long r;

	if (!hd->lru && bpfemu_helper_map_update_elem(hd->def, &k, &v0, BPF_EXIST))
		hd->bad_ret++;
	for (k = 1000; k < 1000 + HOLD_NEW; k++) {
		struct tval v = { k, k * 3 + 1 };

		r = bpfemu_helper_map_update_elem(hd->def, &k, &v, BPF_NOEXIST);
		if (r)
			hd->bad_ret++;
		if (!hd->lru && bpfemu_helper_map_delete_elem(hd->def, &k))
			hd->bad_ret++;
	}
	return 0;
}

static void *hold_writer(void *arg)
{
	struct hold *hd = arg;
	long ret;
	uint32_t k;

	emu_ctx.cpu = 1;
	if (hd->in_prog) {
		if (emu_run(hd->prog, EMU_ENTRY_PROG, hold_update_prog, hd, &ret))
			hd->bad_ret++;
		return NULL;
	}
	/* HASH: the held key is replaced first, its node retired */
	k = 0;
	if (!hd->lru && bpf_map_update_elem(hd->fd, &k, &(struct tval){ 0, 1 }, BPF_EXIST))
		hd->bad_ret++;
	for (k = 1000; k < 1000 + HOLD_NEW; k++) {
		struct tval v = { k, k * 3 + 1 };

		if (bpf_map_update_elem(hd->fd, &k, &v, BPF_NOEXIST))
			hd->bad_ret++;
		if (!hd->lru && bpf_map_delete_elem(hd->fd, &k))
			hd->bad_ret++;
	}
	return NULL;
}

static void hold_run(enum bpf_map_type type, uint32_t flags, bool in_prog)
{
	struct hold hd = { .lru = type == BPF_MAP_TYPE_LRU_HASH, .in_prog = in_prog };
	struct tval v, out, held = { 99, 99 };
	volatile struct tval *p;
	uint32_t k, n, key, next;
	int gone = 1;
	pthread_t t;

	hd.fd = create(type, 4, sizeof(struct tval), HOLD_MAX, flags);
	assert_true(hd.fd >= 0);
	hd.def = def_of(hd.fd);
	hd.prog = emu_prog_new_bare("hold", BPF_PROG_TYPE_TRACING);
	assert_non_null(hd.prog);
	/* HASH: one key, so the churn below never meets a full map */
	for (k = 0; k < (hd.lru ? HOLD_MAX : 1u); k++) {
		v = (struct tval){ k, k * 3 + 1 };
		assert_int_equal(bpf_map_update_elem(hd.fd, &k, &v, BPF_NOEXIST), 0);
	}

	/* no assert inside: a failure must not leave the section open */
	emu_map_rcu_enter();
	key = 0;
	p = bpfemu_helper_map_lookup_elem(hd.def, &key);
	if (p && pthread_create(&t, NULL, hold_writer, &hd) == 0) {
		pthread_join(t, NULL);
		held = *p;
		gone = bpf_map_lookup_elem(hd.fd, &key, &out);
	}
	emu_map_rcu_exit();

	assert_non_null((void *)p);
	/* evicted (HASH: replaced), yet its memory was untouched */
	assert_int_equal(held.key, 0);
	assert_int_equal(held.check, 1);
	assert_int_equal(gone, hd.lru ? -ENOENT : 0);
	assert_int_equal(hd.bad_ret, 0);
	/* the map is as full as the kernel's would be */
	n = 0;
	for (key = UINT32_MAX; bpf_map_get_next_key(hd.fd, n ? &key : NULL, &next) == 0; key = next)
		n++;
	assert_int_equal(n, hd.lru ? HOLD_MAX : 1u);

	emu_prog_put(hd.prog);
	close(hd.fd);
	emu_fd_reap();
	assert_int_equal(bpfemu_live_objects(), 0);
}

static void test_lru_eviction_never_reuses_a_held_node(void **state)
{
	(void)state;
	hold_run(BPF_MAP_TYPE_LRU_HASH, 0, false);
}

static void test_lru_eviction_never_reuses_a_held_node_per_cpu_lists(void **state)
{
	(void)state;
	hold_run(BPF_MAP_TYPE_LRU_HASH, BPF_F_NO_COMMON_LRU, false);
}

static void test_lru_eviction_in_a_program_never_reuses_a_held_node(void **state)
{
	(void)state;
	hold_run(BPF_MAP_TYPE_LRU_HASH, 0, true);
}

static void test_hash_replaced_node_not_reused_while_held(void **state)
{
	(void)state;
	hold_run(BPF_MAP_TYPE_HASH, 0, false);
}

static void test_hash_replaced_node_not_reused_while_held_in_a_program(void **state)
{
	(void)state;
	hold_run(BPF_MAP_TYPE_HASH, 0, true);
}

/*
 * A program found an element, another CPU deleted it (its timer freed with
 * it), and the program -- still allowed to use the value until its run ends
 * -- initialises and arms a timer in it.  Once the grace period is over the
 * element's memory is reused; that timer must die with the element, never
 * fire into the memory's next life nor leak.
 */
struct telem {
	long counter;
	struct bpf_timer t;
	long tail;
};

struct stale {
	struct emu_map *map;
	uint32_t key;
	struct telem *value;
	long init, setcb, start, del;
};

static atomic_int stale_fired;

static int stale_cb(void *map, void *key, void *value)
{
	(void)map;
	(void)key;
	(void)value;
	atomic_fetch_add(&stale_fired, 1);
	return 0;
}

static long stale_prog(void *arg)
{
	struct stale *s = arg;
	void *def = emu_map_def(s->map);
	struct telem *e;

	/* the run's own read-side section (emu_run opens one; say it here
	 * too, so this test does not depend on it) */
	emu_map_rcu_enter();
	e = bpfemu_helper_map_lookup_elem(def, &s->key);
	if (e) {
		s->value = e;
		s->del = bpfemu_helper_map_delete_elem(def, &s->key);
		s->init = bpfemu_helper_timer_init(&e->t, def, CLOCK_MONOTONIC);
		s->setcb = bpfemu_helper_timer_set_callback(&e->t, (void *)stale_cb);
		s->start = bpfemu_helper_timer_start(&e->t, 1000000, 0);
	}
	emu_map_rcu_exit();
	return 0;
}

static void stale_timer_run(uint32_t flags)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_HASH,
		.key_size = sizeof(uint32_t),
		.value_size = sizeof(struct telem),
		.max_entries = 4,
		.map_flags = flags,
		.has_btf = true,
		.btf_key_type_id = 1,
		.btf_value_type_id = 2,
		.inner_map_fd = -1,
		.nr_fields = 1,
		.fields = { { EMU_FIELD_TIMER, offsetof(struct telem, t), sizeof(struct bpf_timer) } },
	};
	struct telem v = { .counter = 7, .tail = 7 };
	struct stale s = { .key = 1, .init = 1, .setcb = 1, .start = 1, .del = 1 };
	struct emu_prog *prog;
	uint32_t k;
	int err = 0, i;

	atomic_store(&stale_fired, 0);
	strcpy(attr.name, "stale");
	s.map = emu_map_create(&attr, &err);
	assert_non_null(s.map);
	emu_map_get_uref(s.map);		/* as if user space held an fd */
	emu_map_put(s.map);
	prog = emu_prog_new_bare("stale", BPF_PROG_TYPE_TRACING);
	assert_non_null(prog);

	assert_int_equal(s.map->ops->update(s.map, &s.key, &v, BPF_ANY), 0);
	assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, stale_prog, &s, NULL), 0);
	assert_int_equal(s.del, 0);
	assert_int_equal(s.init, 0);
	assert_int_equal(s.setcb, 0);
	assert_int_equal(s.start, 0);

	/* the grace period is over: the timer is gone from the element (a
	 * pool element's memory is still there to look at) */
	if (!(flags & BPF_F_NO_PREALLOC)) {
		struct bpf_timer zero = { 0 };

		assert_memory_equal(&s.value->t, &zero, sizeof(zero));
	}

	/* the memory's next lives, while the timer would be due */
	for (i = 0; i < 8; i++) {
		k = (uint32_t)i % 4 + 1;
		assert_int_equal(s.map->ops->update(s.map, &k, &v, BPF_ANY), 0);
	}
	assert_int_equal(bpfemu_clock_advance(10000000), 0);
	assert_int_equal(atomic_load(&stale_fired), 0);

	emu_prog_put(prog);
	emu_map_put_uref(s.map);
}

static void test_timer_armed_in_deleted_element_dies_with_it(void **state)
{
	(void)state;
	stale_timer_run(0);
}

static void test_timer_armed_in_deleted_element_dies_without_prealloc(void **state)
{
	(void)state;
	stale_timer_run(BPF_F_NO_PREALLOC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lock_taken_single_threaded_holds_against_a_later_thread),
		T(test_concurrent_hash_updates_lookups_and_deletes),
		T(test_concurrent_hash_without_prealloc),
		T(test_concurrent_lru_hash_with_eviction),
		T(test_churn_hash_shared_keys),
		T(test_churn_hash_without_prealloc),
		T(test_churn_lru_hash_with_eviction),
		T(test_churn_lru_hash_per_cpu_lists),
		T(test_lru_eviction_never_reuses_a_held_node),
		T(test_lru_eviction_never_reuses_a_held_node_per_cpu_lists),
		T(test_lru_eviction_in_a_program_never_reuses_a_held_node),
		T(test_hash_replaced_node_not_reused_while_held),
		T(test_hash_replaced_node_not_reused_while_held_in_a_program),
		T(test_timer_armed_in_deleted_element_dies_with_it),
		T(test_timer_armed_in_deleted_element_dies_without_prealloc),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
