// SPDX-License-Identifier: MIT
/*
 * bpf_timer lifetime (timers.md §8, maps.md §2.2, §3.2, §6, §7): every way
 * a timer is cancelled and freed, user-space copies of timer bytes, the
 * program reference a timer holds, and the map types that may hold timers.
 */
#include "test_timer.h"
#include "fd.h"

static int usr_update(struct tmap *m, uint32_t key, const struct elem *v, uint64_t flags)
{
	return m->map->ops->update_sys(m->map, &key, v, flags);
}

static int usr_delete(struct tmap *m, uint32_t key)
{
	return m->map->ops->delete_sys(m->map, &key);
}

static int usr_lookup(struct tmap *m, uint32_t key, struct elem *out)
{
	return m->map->ops->lookup_sys(m->map, &key, out, 0);
}

/* Program-side map operations, inside a run of the test program. */
struct mcall {
	struct tmap *m;
	uint32_t key;
	const struct elem *v;
	uint64_t flags;
	long ret;
};

static long prog_update_fn(void *arg)
{
	struct mcall *c = arg;

	c->ret = c->m->map->ops->update(c->m->map, &c->key, c->v, c->flags);
	return 0;
}

static long prog_delete_fn(void *arg)
{
	struct mcall *c = arg;

	c->ret = c->m->map->ops->delete(c->m->map, &c->key);
	return 0;
}

static long prog_update(struct tmap *m, uint32_t key, const struct elem *v, uint64_t flags)
{
	struct mcall c = { m, key, v, flags, -9999 };

	assert_int_equal(emu_run(test_prog, EMU_ENTRY_PROG, prog_update_fn, &c, NULL), 0);
	return c.ret;
}

static long prog_delete(struct tmap *m, uint32_t key)
{
	struct mcall c = { m, key, NULL, 0, -9999 };

	assert_int_equal(emu_run(test_prog, EMU_ENTRY_PROG, prog_delete_fn, &c, NULL), 0);
	return c.ret;
}

/* Element @key with a READY timer armed @delay ahead. */
static struct elem *armed(struct tmap *m, uint32_t key, uint64_t delay)
{
	struct elem *e = tmap_elem(m, key);

	assert_non_null(e);
	timer_ready(m, e, cb_record);
	assert_int_equal(t_start(&e->t, delay, 0), 0);
	return e;
}

/* ------------------------------------------------------------- ARRAY update */

static void test_timer_array_update_from_user_space_frees_a_pending_timer(void **state)
{
	struct elem v = { .counter = 7 }, *e;
	struct tmap m;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	e = armed(&m, 0, 10 * MS);
	assert_int_equal(usr_update(&m, 0, &v, BPF_ANY), 0);
	assert_int_equal(bpfemu_clock_advance(20 * MS), 0);
	assert_int_equal(nr_fires, 0);
	assert_int_equal(e->counter, 7);
	assert_int_equal(t_cancel(&e->t), -EINVAL);
	assert_int_equal(t_start(&e->t, MS, 0), -EINVAL);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_array_update_from_a_program_frees_an_idle_timer(void **state)
{
	struct elem v = { .counter = 8 }, *e;
	struct tmap m;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	e = tmap_elem(&m, 0);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	assert_int_equal(prog_update(&m, 0, &v, BPF_EXIST), 0);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_array_delete_returns_einval_and_keeps_the_timer(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	e = armed(&m, 0, 10 * MS);
	assert_int_equal(usr_delete(&m, 0), -EINVAL);
	assert_int_equal(prog_delete(&m, 0), -EINVAL);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(t_cancel(&e->t), 0);
	tmap_close(&m);
}

static void test_timer_user_update_never_copies_timer_bytes(void **state)
{
	struct elem v, *a, *b, zero = { 0 };
	struct tmap m;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	a = armed(&m, 0, 10 * MS);
	b = tmap_elem(&m, 1);
	memcpy(&v, a, sizeof(v));
	v.counter = 99;
	assert_int_equal(usr_update(&m, 1, &v, BPF_ANY), 0);
	assert_int_equal(b->counter, 99);
	assert_memory_equal(&b->t, &zero.t, sizeof(b->t));
	assert_int_equal(t_cancel(&b->t), -EINVAL);
	assert_int_equal(t_cancel(&a->t), 1);
	tmap_close(&m);
}

static void test_timer_user_lookup_sees_zero_timer_bytes_and_leaves_the_timer_armed(void **state)
{
	struct elem out, zero = { 0 }, *e;
	struct tmap m;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_HASH, 4), 0);
	e = armed(&m, 3, 10 * MS);
	e->counter = 5;
	e->tail = 6;
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(usr_lookup(&m, 3, &out), 0);
	assert_int_equal(out.counter, 5);
	assert_int_equal(out.tail, 6);
	assert_memory_equal(&out.t, &zero.t, sizeof(out.t));
	assert_int_equal(t_cancel(&e->t), 1);
	tmap_close(&m);
}

/* ----------------------------------------------------- HASH and LRU_HASH */

static void hash_delete_stops_pending_timer(uint32_t type, bool from_prog)
{
	struct tmap m;
	struct elem *e;

	assert_int_equal(tmap_open(&m, type, 4), 0);
	armed(&m, 1, 10 * MS);
	if (from_prog)
		assert_int_equal(prog_delete(&m, 1), 0);
	else
		assert_int_equal(usr_delete(&m, 1), 0);
	assert_int_equal(bpfemu_clock_advance(20 * MS), 0);
	assert_int_equal(nr_fires, 0);
	/* re-inserting the key gives an UNINIT timer */
	e = tmap_elem(&m, 1);
	assert_int_equal(t_cancel(&e->t), -EINVAL);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_hash_delete_from_user_space_stops_a_pending_timer(void **state)
{
	(void)state;
	hash_delete_stops_pending_timer(BPF_MAP_TYPE_HASH, false);
}

static void test_timer_hash_delete_from_a_program_stops_a_pending_timer(void **state)
{
	(void)state;
	hash_delete_stops_pending_timer(BPF_MAP_TYPE_HASH, true);
}

static void test_timer_lru_delete_from_user_space_stops_a_pending_timer(void **state)
{
	(void)state;
	hash_delete_stops_pending_timer(BPF_MAP_TYPE_LRU_HASH, false);
}

static void test_timer_lru_delete_from_a_program_stops_a_pending_timer(void **state)
{
	(void)state;
	hash_delete_stops_pending_timer(BPF_MAP_TYPE_LRU_HASH, true);
}

static void hash_replace_frees_old_timer(uint32_t type, bool from_prog)
{
	struct elem v = { .counter = 11 }, *e;
	struct tmap m;

	assert_int_equal(tmap_open(&m, type, 4), 0);
	armed(&m, 2, 10 * MS);
	if (from_prog)
		assert_int_equal(prog_update(&m, 2, &v, BPF_EXIST), 0);
	else
		assert_int_equal(usr_update(&m, 2, &v, BPF_EXIST), 0);
	assert_int_equal(bpfemu_clock_advance(20 * MS), 0);
	assert_int_equal(nr_fires, 0);
	e = tmap_elem(&m, 2);
	assert_int_equal(e->counter, 11);
	assert_int_equal(t_cancel(&e->t), -EINVAL);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_hash_replace_from_user_space_frees_the_old_timer(void **state)
{
	(void)state;
	hash_replace_frees_old_timer(BPF_MAP_TYPE_HASH, false);
}

static void test_timer_hash_replace_from_a_program_frees_the_old_timer(void **state)
{
	(void)state;
	hash_replace_frees_old_timer(BPF_MAP_TYPE_HASH, true);
}

static void test_timer_lru_replace_frees_the_old_timer(void **state)
{
	(void)state;
	hash_replace_frees_old_timer(BPF_MAP_TYPE_LRU_HASH, false);
}

/* A value with a spin lock too, for BPF_F_LOCK. */
struct lelem {
	long counter;			/* where fire_record reads it */
	struct bpf_spin_lock lock;
	int pad;
	struct bpf_timer t;
};

static void test_timer_hash_update_with_f_lock_keeps_the_timer_running(void **state)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_HASH,
		.key_size = 4,
		.value_size = sizeof(struct lelem),
		.max_entries = 4,
		.has_btf = true,
		.btf_key_type_id = 1,
		.btf_value_type_id = 2,
		.inner_map_fd = -1,
		.nr_fields = 2,
		.fields = {
			{ EMU_FIELD_SPIN_LOCK, offsetof(struct lelem, lock), 4 },
			{ EMU_FIELD_TIMER, offsetof(struct lelem, t), sizeof(struct bpf_timer) },
		},
	};
	struct lelem v = { .counter = 0 }, *e;
	struct tmap m;
	uint32_t key = 1;
	int err = 0;

	(void)state;
	m.map = emu_map_create(&attr, &err);
	assert_non_null(m.map);
	emu_map_get_uref(m.map);
	emu_map_put(m.map);
	emu_map_bind_def(m.def, sizeof(m.def), m.map);
	assert_int_equal(m.map->ops->update_sys(m.map, &key, &v, BPF_ANY), 0);
	e = m.map->ops->lookup(m.map, &key);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	assert_int_equal(t_setcb(&e->t, cb_record), 0);
	assert_int_equal(t_start(&e->t, 10 * MS, 0), 0);
	v.counter = 1;
	/* in place, special fields untouched: the timer keeps running */
	assert_int_equal(m.map->ops->update_sys(m.map, &key, &v, BPF_F_LOCK | BPF_EXIST), 0);
	assert_ptr_equal(m.map->ops->lookup(m.map, &key), e);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(fires[0].counter, 1);
	/* without BPF_F_LOCK the element is replaced and the timer freed */
	assert_int_equal(t_start(&e->t, 10 * MS, 0), 0);
	assert_int_equal(m.map->ops->update_sys(m.map, &key, &v, BPF_EXIST), 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	tmap_close(&m);
}

static void test_timer_lru_eviction_frees_the_evicted_element_timer(void **state)
{
	struct elem out;
	struct tmap m;
	uint32_t k, present = 0;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_LRU_HASH, 8), 0);
	for (k = 0; k < 8; k++)
		armed(&m, k, 10 * MS);
	/* push new keys in until the LRU has to reuse nodes */
	for (k = 100; k < 164; k++)
		assert_non_null(tmap_elem(&m, k));
	for (k = 0; k < 8; k++)
		present += usr_lookup(&m, k, &out) == 0;
	assert_true(present < 8);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	/* only the survivors' timers ran */
	assert_int_equal(nr_fires, (int)present);
	tmap_close(&m);
}

/* ------------------------------------------------------------ user refs */

static void uref_drop_frees_every_timer(uint32_t type)
{
	struct elem out, *e0, *e1;
	struct tmap m;

	assert_int_equal(tmap_open(&m, type, 4), 0);
	e0 = armed(&m, 0, 100 * MS);
	e0->counter = 42;
	e1 = tmap_elem(&m, 1);
	assert_int_equal(t_init(&e1->t, &m, 1), 0);
	/* a program still holds the map; the last fd is closed */
	emu_map_get(m.map);
	emu_map_put_uref(m.map);
	assert_int_equal(bpfemu_clock_advance(200 * MS), 0);
	assert_int_equal(nr_fires, 0);
	/* elements and their other bytes stay */
	assert_int_equal(usr_lookup(&m, 0, &out), 0);
	assert_int_equal(out.counter, 42);
	assert_int_equal(t_init(&e0->t, &m, 1), -EPERM);
	assert_int_equal(t_init(&tmap_elem(&m, 2)->t, &m, 1), -EPERM);
	assert_int_equal(t_setcb(&e0->t, cb_record), -EINVAL);
	assert_int_equal(t_setcb(&e1->t, cb_record), -EINVAL);
	assert_int_equal(t_start(&e0->t, MS, 0), -EINVAL);
	assert_int_equal(t_cancel(&e0->t), -EINVAL);
	/* a new user reference (GET_FD_BY_ID) and timers work again */
	emu_map_get_uref(m.map);
	emu_map_put(m.map);
	assert_int_equal(t_init(&e0->t, &m, 1), 0);
	tmap_close(&m);
}

static void test_timer_last_user_reference_frees_every_array_timer(void **state)
{
	(void)state;
	uref_drop_frees_every_timer(BPF_MAP_TYPE_ARRAY);
}

static void test_timer_last_user_reference_frees_every_hash_timer(void **state)
{
	(void)state;
	uref_drop_frees_every_timer(BPF_MAP_TYPE_HASH);
}

static void test_timer_last_user_reference_frees_every_lru_timer(void **state)
{
	(void)state;
	uref_drop_frees_every_timer(BPF_MAP_TYPE_LRU_HASH);
}

static void test_timer_pinned_map_keeps_its_timers_until_unpinned(void **state)
{
	const char *path = "/sys/fs/bpf/test_timer_pin";
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	e = armed(&m, 0, 10 * MS);
	assert_int_equal(emu_bpffs_pin(path, EMU_OBJ_MAP, m.map), 0);
	/* the fd goes; the pin is a user reference */
	emu_map_get(m.map);
	emu_map_put_uref(m.map);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(t_start(&e->t, 10 * MS, 0), 0);
	assert_int_equal(emu_bpffs_unpin(path), 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(t_cancel(&e->t), -EINVAL);
	emu_map_unbind_def(m.def);
	emu_map_put(m.map);
}

static void test_timer_map_closed_with_pending_timers_fires_nothing_and_leaks_nothing(void **state)
{
	struct tmap a, h;
	uint32_t k;

	(void)state;
	assert_int_equal(tmap_open(&a, BPF_MAP_TYPE_ARRAY, 16), 0);
	assert_int_equal(tmap_open(&h, BPF_MAP_TYPE_HASH, 16), 0);
	for (k = 0; k < 16; k++) {
		armed(&a, k, (k + 1) * MS);
		armed(&h, k, (k + 1) * MS);
	}
	tmap_close(&a);
	tmap_close(&h);
	assert_int_equal(bpfemu_clock_advance(100 * MS), 0);
	assert_int_equal(nr_fires, 0);
	assert_int_equal(bpfemu_clock_pending(), 0);
}

/* ------------------------------------------------------ program reference */

static struct emu_prog *cb_prog;

static int cb_note_prog(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	cb_prog = emu_ctx.prog;
	return 0;
}

static void test_timer_pending_timer_keeps_its_program_alive(void **state)
{
	struct emu_prog *prog = emu_prog_new_bare("owner", BPF_PROG_TYPE_XDP);
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_non_null(prog);
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	e = tmap_elem(&m, 0);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	assert_int_equal(prog_call(prog, OP_SETCB, &e->t, (void *)cb_note_prog, 0, 0), 0);
	assert_int_equal(prog_call(prog, OP_START, &e->t, NULL, 5 * MS, 0), 0);
	/* the skeleton is destroyed: only the timer's reference is left */
	emu_prog_put(prog);
	assert_int_equal(bpfemu_clock_advance(5 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_ptr_equal(cb_prog, prog);
	/* kept after firing: a second start works without set_callback */
	assert_int_equal(t_start(&e->t, 5 * MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(5 * MS), 0);
	assert_int_equal(nr_fires, 2);
	/* cancel drops it: teardown's leak check sees the program freed */
	assert_int_equal(t_cancel(&e->t), 0);
	tmap_close(&m);
}

static void test_timer_set_callback_from_another_program_moves_the_reference(void **state)
{
	struct emu_prog *p2 = emu_prog_new_bare("second", BPF_PROG_TYPE_XDP);
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_non_null(p2);
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	e = tmap_elem(&m, 0);
	timer_ready(&m, e, cb_note_prog);
	assert_int_equal(prog_call(p2, OP_SETCB, &e->t, (void *)cb_note_prog, 0, 0), 0);
	assert_int_equal(prog_call(p2, OP_SETCB, &e->t, (void *)cb_note_prog, 0, 0), 0);
	emu_prog_put(p2);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(MS), 0);
	assert_ptr_equal(cb_prog, p2);
	tmap_close(&m);
}

/* ----------------------------------------- callbacks freeing their timers */

static long cb_ret[2];

static int cb_delete_own(void *map, int *key, struct elem *value)
{
	struct emu_map *m = emu_map_from_def(map);

	fire_record(map, key, value);
	/* re-armed first: the delete must take the pending expiry away too */
	assert_int_equal(bpfemu_helper_timer_start(&value->t, MS, 0), 0);
	cb_ret[0] = m->ops->delete(m, key);
	cb_ret[1] = bpfemu_helper_timer_start(&value->t, MS, 0);
	return 0;
}

static void test_timer_callback_deleting_its_own_hash_element_frees_its_timer(void **state)
{
	struct elem out;
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_HASH, 4), 0);
	e = tmap_elem(&m, 9);
	timer_ready(&m, e, cb_delete_own);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(cb_ret[0], 0);
	assert_int_equal(cb_ret[1], -EINVAL);
	assert_int_equal(usr_lookup(&m, 9, &out), -ENOENT);
	assert_int_equal(bpfemu_clock_pending(), 0);
	tmap_close(&m);
}

static int cb_update_own(void *map, int *key, struct elem *value)
{
	struct emu_map *m = emu_map_from_def(map);
	struct elem v = { .counter = 77 };

	fire_record(map, key, value);
	cb_ret[0] = m->ops->update(m, key, &v, BPF_ANY);
	cb_ret[1] = bpfemu_helper_timer_start(&value->t, MS, 0);
	return 0;
}

static void test_timer_callback_updating_its_own_array_element_frees_its_timer(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	e = tmap_elem(&m, 1);
	timer_ready(&m, e, cb_update_own);
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(cb_ret[0], 0);
	assert_int_equal(cb_ret[1], -EINVAL);
	assert_int_equal(e->counter, 77);
	assert_int_equal(t_init(&e->t, &m, 1), 0);
	tmap_close(&m);
}

static struct tmap *close_me;

static int cb_close_map(void *map, int *key, struct elem *value)
{
	fire_record(map, key, value);
	assert_int_equal(bpfemu_helper_timer_start(&value->t, MS, 0), 0);
	/* the last user reference goes while this callback runs */
	emu_map_get(close_me->map);
	emu_map_put_uref(close_me->map);
	cb_ret[1] = bpfemu_helper_timer_start(&value->t, MS, 0);
	return 0;
}

static void test_timer_last_user_reference_dropped_inside_its_callback_frees_it_afterwards(void **state)
{
	struct tmap m;
	struct elem *e;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 1), 0);
	e = tmap_elem(&m, 0);
	timer_ready(&m, e, cb_close_map);
	close_me = &m;
	assert_int_equal(t_start(&e->t, MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(cb_ret[1], -EINVAL);
	assert_int_equal(bpfemu_clock_pending(), 0);
	emu_map_unbind_def(m.def);
	emu_map_put(m.map);
}

/* ------------------------------------------------------------- map types */

static void test_timer_percpu_maps_reject_timers_with_eopnotsupp(void **state)
{
	uint32_t types[] = { BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH,
			     BPF_MAP_TYPE_LRU_PERCPU_HASH };
	struct emu_map_attr attr = {
		.key_size = 4,
		.value_size = sizeof(struct elem),
		.max_entries = 4,
		.has_btf = true,
		.btf_key_type_id = 1,
		.btf_value_type_id = 2,
		.inner_map_fd = -1,
		.nr_fields = 1,
		.fields = { { EMU_FIELD_TIMER, offsetof(struct elem, t), sizeof(struct bpf_timer) } },
	};
	unsigned int i;
	int err;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		attr.map_type = types[i];
		err = 0;
		assert_null(emu_map_create(&attr, &err));
		assert_int_equal(err, -EOPNOTSUPP);
	}
}

/* ------------------------------------- absolute expiries >= 2^63 (6.18) */

static void test_timer_absolute_start_beyond_s64_fires_with_the_next_timer_of_its_clock_and_cpu(void **state)
{
	uint64_t vals[] = { 1ULL << 63, UINT64_MAX };
	struct elem *stale, *other, *elsewhere;
	struct tmap m;
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fires_clear();
		three_ready_timers(&m, &stale, cb_record, &other, cb_record, &elsewhere, cb_record);
		assert_int_equal(t_start(&stale->t, vals[i], BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN), 0);
		/* alone it never comes due */
		assert_int_equal(bpfemu_clock_advance(100 * MS), 0);
		assert_int_equal(nr_fires, 0);
		/* a timer of the same clock on another CPU does not take it along */
		emu_ctx.cpu = 1;
		assert_int_equal(t_start(&elsewhere->t, 5 * MS, BPF_F_TIMER_CPU_PIN), 0);
		emu_ctx.cpu = 0;
		assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
		assert_int_equal(nr_fires, 1);
		/* one on its CPU does: it runs right after it */
		assert_int_equal(t_start(&other->t, 10 * MS, BPF_F_TIMER_CPU_PIN), 0);
		assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
		assert_int_equal(nr_fires, 3);
		assert_int_equal(fires[1].key_val, 1);
		assert_int_equal(fires[2].key_val, 0);
		assert_int_equal(fires[2].now, fires[1].now);
		assert_int_equal(t_cancel(&stale->t), 0);
		tmap_close(&m);
	}
}

static void test_timer_absolute_start_of_s64_max_never_fires(void **state)
{
	struct elem *e, *other;
	struct tmap m;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	e = tmap_elem(&m, 0);
	other = tmap_elem(&m, 1);
	timer_ready(&m, e, cb_record);
	timer_ready(&m, other, cb_record);
	assert_int_equal(t_start(&e->t, (uint64_t)INT64_MAX, BPF_F_TIMER_ABS), 0);
	assert_int_equal(t_start(&other->t, MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(100 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(t_cancel(&e->t), 1);
	tmap_close(&m);
}

static void test_timer_cancelled_stale_timer_is_not_taken_along(void **state)
{
	struct elem *stale, *other;
	struct tmap m;

	(void)state;
	assert_int_equal(tmap_open(&m, BPF_MAP_TYPE_ARRAY, 2), 0);
	stale = tmap_elem(&m, 0);
	other = tmap_elem(&m, 1);
	timer_ready(&m, stale, cb_record);
	timer_ready(&m, other, cb_record);
	assert_int_equal(t_start(&stale->t, 1ULL << 63, BPF_F_TIMER_ABS), 0);
	assert_int_equal(t_cancel(&stale->t), 1);
	assert_int_equal(t_start(&other->t, MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 1);
	assert_int_equal(fires[0].key_val, 1);
	/* a normal start replaces the stale expiry */
	assert_int_equal(t_setcb(&stale->t, cb_record), 0);
	assert_int_equal(t_start(&stale->t, 1ULL << 63, BPF_F_TIMER_ABS), 0);
	assert_int_equal(t_start(&stale->t, 50 * MS, 0), 0);
	assert_int_equal(t_start(&other->t, MS, 0), 0);
	assert_int_equal(bpfemu_clock_advance(10 * MS), 0);
	assert_int_equal(nr_fires, 2);
	assert_int_equal(t_cancel(&stale->t), 1);
	tmap_close(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TT(test_timer_array_update_from_user_space_frees_a_pending_timer),
		TT(test_timer_array_update_from_a_program_frees_an_idle_timer),
		TT(test_timer_array_delete_returns_einval_and_keeps_the_timer),
		TT(test_timer_user_update_never_copies_timer_bytes),
		TT(test_timer_user_lookup_sees_zero_timer_bytes_and_leaves_the_timer_armed),
		TT(test_timer_hash_delete_from_user_space_stops_a_pending_timer),
		TT(test_timer_hash_delete_from_a_program_stops_a_pending_timer),
		TT(test_timer_lru_delete_from_user_space_stops_a_pending_timer),
		TT(test_timer_lru_delete_from_a_program_stops_a_pending_timer),
		TT(test_timer_hash_replace_from_user_space_frees_the_old_timer),
		TT(test_timer_hash_replace_from_a_program_frees_the_old_timer),
		TT(test_timer_lru_replace_frees_the_old_timer),
		TT(test_timer_hash_update_with_f_lock_keeps_the_timer_running),
		TT(test_timer_lru_eviction_frees_the_evicted_element_timer),
		TT(test_timer_last_user_reference_frees_every_array_timer),
		TT(test_timer_last_user_reference_frees_every_hash_timer),
		TT(test_timer_last_user_reference_frees_every_lru_timer),
		TT(test_timer_pinned_map_keeps_its_timers_until_unpinned),
		TT(test_timer_map_closed_with_pending_timers_fires_nothing_and_leaks_nothing),
		TT(test_timer_pending_timer_keeps_its_program_alive),
		TT(test_timer_set_callback_from_another_program_moves_the_reference),
		TT(test_timer_callback_deleting_its_own_hash_element_frees_its_timer),
		TT(test_timer_callback_updating_its_own_array_element_frees_its_timer),
		TT(test_timer_last_user_reference_dropped_inside_its_callback_frees_it_afterwards),
		TT(test_timer_percpu_maps_reject_timers_with_eopnotsupp),
		TT(test_timer_absolute_start_beyond_s64_fires_with_the_next_timer_of_its_clock_and_cpu),
		TT(test_timer_absolute_start_of_s64_max_never_fires),
		TT(test_timer_cancelled_stale_timer_is_not_taken_along),
	};

	return cmocka_run_group_tests(tests, timer_group_setup, timer_group_teardown);
}
