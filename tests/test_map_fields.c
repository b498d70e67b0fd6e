// SPDX-License-Identifier: MIT
/*
 * Special fields (bpf_timer, bpf_spin_lock, ...) in map values: creation
 * rules (timers.md §1.1), copies that skip them, user copies that zero
 * them, and the free hook on every way an element dies (maps.md §7).
 * The timer family's hook is replaced here by a counting one.
 */
#include "test_map_util.h"

struct val {
	uint64_t a;
	struct bpf_timer t;	/* offset 8 */
	struct bpf_spin_lock l;	/* offset 24 */
	uint32_t b;
};

static int timer_frees;
static int uref_zero_calls;
static struct emu_map *uref_zero_last;

static void count_timer_free(struct emu_map *map, void *field)
{
	(void)map;
	timer_frees++;
	memset(field, 0, 16);
}

static void count_uref_zero(struct emu_map *map)
{
	uref_zero_calls++;
	uref_zero_last = map;
}

static int fields_setup(void **state)
{
	map_group_setup(state);
	emu_map_register_field_free(EMU_FIELD_TIMER, count_timer_free);
	emu_map_on_uref_zero(count_uref_zero);
	emu_map_on_uref_zero(count_uref_zero);	/* twice: still one call */
	return 0;
}

static const struct bpfemu_map_field timer_and_lock[] = {
	{ BPFEMU_FIELD_TIMER, offsetof(struct val, t) },
	{ BPFEMU_FIELD_SPIN_LOCK, offsetof(struct val, l) },
};
static const struct bpfemu_map_field timer_only[] = {
	{ BPFEMU_FIELD_TIMER, offsetof(struct val, t) },
};

static int create_fields(enum bpf_map_type t, uint32_t flags, const struct bpfemu_map_field *f, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = flags);

	return bpfemu_map_create_fields(t, "f", 4, sizeof(struct val), 4, &o, f, n);
}

static void test_timer_is_refused_outside_hash_lru_and_array(void **state)
{
	(void)state;
	assert_int_equal(create_fields(BPF_MAP_TYPE_PERCPU_HASH, 0, timer_only, 1), -EOPNOTSUPP);
	assert_int_equal(create_fields(BPF_MAP_TYPE_PERCPU_ARRAY, 0, timer_only, 1), -EOPNOTSUPP);
	assert_int_equal(create_fields(BPF_MAP_TYPE_LRU_PERCPU_HASH, 0, timer_only, 1), -EOPNOTSUPP);
	/* spin locks are not allowed in LRU maps */
	assert_int_equal(create_fields(BPF_MAP_TYPE_LRU_HASH, 0, timer_and_lock, 2), -EOPNOTSUPP);
	assert_int_equal(create_fields(BPF_MAP_TYPE_LRU_HASH, 0, timer_only, 1) >= 0, 1);
}

static void test_special_fields_with_prog_access_flags_are_eacces(void **state)
{
	(void)state;
	assert_int_equal(create_fields(BPF_MAP_TYPE_HASH, BPF_F_RDONLY_PROG, timer_only, 1), -EACCES);
	assert_int_equal(create_fields(BPF_MAP_TYPE_ARRAY, BPF_F_WRONLY_PROG, timer_only, 1), -EACCES);
	/* -EACCES comes before the map type rule */
	assert_int_equal(create_fields(BPF_MAP_TYPE_PERCPU_HASH, BPF_F_RDONLY_PROG, timer_only, 1), -EACCES);
}

static void test_fields_without_btf_do_not_exist(void **state)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_PERCPU_HASH, .key_size = 4,
		.value_size = sizeof(struct val), .max_entries = 4,
		.nr_fields = 1, .fields = { { EMU_FIELD_TIMER, 8, 16 } },
	};
	struct emu_map *m;
	int err = 0;

	(void)state;
	m = emu_map_create(&attr, &err);
	assert_non_null(m);
	assert_int_equal(m->timer_off, -1);
	assert_int_equal(m->nr_fields, 0);
	emu_map_put(m);
}

static void test_two_timers_leave_the_map_without_fields(void **state)
{
	static const struct bpfemu_map_field two[] = {
		{ BPFEMU_FIELD_TIMER, 0 }, { BPFEMU_FIELD_TIMER, 16 },
	};
	int fd;

	(void)state;
	/* observed on 6.18: creation succeeds, the map has no record at all
	 * (it can be frozen), even in a type that cannot hold timers */
	fd = bpfemu_map_create_fields(BPF_MAP_TYPE_HASH, "two", 4, 32, 4, NULL, two, 2);
	assert_true(fd >= 0);
	assert_int_equal(map_of(fd)->timer_off, -1);
	assert_int_equal(bpf_map_freeze(fd), 0);
	close(fd);
	fd = bpfemu_map_create_fields(BPF_MAP_TYPE_PERCPU_ARRAY, "two", 4, 32, 4, NULL, two, 2);
	assert_true(fd >= 0);
	close(fd);
}

static void test_misplaced_fields_are_einval(void **state)
{
	static const struct bpfemu_map_field past_end[] = { { BPFEMU_FIELD_TIMER, 24 } };
	static const struct bpfemu_map_field misaligned[] = { { BPFEMU_FIELD_TIMER, 4 } };

	(void)state;
	assert_int_equal(bpfemu_map_create_fields(BPF_MAP_TYPE_HASH, "x", 4, 32, 4, NULL, past_end, 1), -EINVAL);
	assert_int_equal(bpfemu_map_create_fields(BPF_MAP_TYPE_HASH, "x", 4, 32, 4, NULL, misaligned, 1), -EINVAL);
}

static void test_updates_skip_fields_and_user_lookups_zero_them(void **state)
{
	struct val v, out;
	uint32_t k = 1;
	struct val *p;
	int fd = create_fields(BPF_MAP_TYPE_ARRAY, 0, timer_and_lock, 2);

	(void)state;
	p = bpfemu_helper_map_lookup_elem(def_of(fd), &k);
	memset(&p->t, 0xab, sizeof(p->t));	/* what an initialized timer leaves */
	memset(&v, 0x11, sizeof(v));
	timer_frees = 0;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	/* the old value's timer was freed (our hook zeroes it), not copied over */
	assert_int_equal(timer_frees, 1);
	assert_int_equal(p->a, 0x1111111111111111ULL);
	assert_int_equal(p->l.val, 0);
	memset(&p->t, 0xab, sizeof(p->t));
	memset(&out, 0x55, sizeof(out));
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &out), 0);
	assert_int_equal(out.t.__opaque[0], 0);
	assert_int_equal(out.t.__opaque[1], 0);
	assert_int_equal(out.l.val, 0);
	assert_int_equal(out.b, 0x11111111);
	/* the lookup does not disturb the element */
	assert_int_equal(p->t.__opaque[0], 0xababababababababULL);
	close(fd);
}

static void test_f_lock_copies_under_the_spin_lock(void **state)
{
	struct val v = { .a = 5, .b = 6 }, out;
	uint32_t k = 0;
	struct val *p;
	int fd = create_fields(BPF_MAP_TYPE_HASH, 0, timer_and_lock, 2);

	(void)state;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_F_LOCK | BPF_EXIST), -ENOENT);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_F_LOCK), 0);
	p = bpfemu_helper_map_lookup_elem(def_of(fd), &k);
	memset(&p->t, 0xcd, sizeof(p->t));
	timer_frees = 0;
	v.a = 50;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_F_LOCK | BPF_NOEXIST), -EEXIST);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_F_LOCK), 0);
	/* in place: same memory, the timer keeps running */
	assert_ptr_equal(bpfemu_helper_map_lookup_elem(def_of(fd), &k), p);
	assert_int_equal(timer_frees, 0);
	assert_int_equal(p->a, 50);
	assert_int_equal(p->l.val, 0);		/* unlocked again */
	assert_int_equal(bpf_map_lookup_elem_flags(fd, &k, &out, BPF_F_LOCK), 0);
	assert_int_equal(out.a, 50);
	assert_int_equal(bpfemu_helper_spin_lock(&p->l), 0);
	assert_int_equal(p->l.val, 1);
	assert_int_equal(bpfemu_helper_spin_unlock(&p->l), 0);
	/* without BPF_F_LOCK the key gets a new element and the timer dies */
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	assert_int_equal(timer_frees, 1);
	close(fd);
}

static void test_hash_frees_fields_on_delete_replace_and_map_free(void **state)
{
	struct val v = { 0 };
	uint32_t k;
	int fd = create_fields(BPF_MAP_TYPE_HASH, 0, timer_only, 1);

	(void)state;
	for (k = 0; k < 3; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	timer_frees = 0;
	k = 0;
	assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
	assert_int_equal(timer_frees, 1);
	k = 1;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
	assert_int_equal(timer_frees, 2);
	assert_int_equal(bpf_map_lookup_and_delete_elem(fd, &k, &v), 0);
	assert_int_equal(timer_frees, 3);
	timer_frees = 0;
	close(fd);
	emu_fd_reap();
	/* key 2 remains: release_uref frees its timer, then the map free does */
	assert_int_equal(timer_frees, 2);
}

static void test_lru_eviction_frees_the_victims_fields(void **state)
{
	struct val v = { 0 };
	uint32_t k;
	int fd = create_fields(BPF_MAP_TYPE_LRU_HASH, 0, timer_only, 1);

	(void)state;
	for (k = 0; k < 4; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	timer_frees = 0;
	k = 10;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	assert_int_equal(timer_frees, 1);
	close(fd);
}

static void test_release_uref_frees_timers_once_and_runs_hooks_once(void **state)
{
	struct val v = { 0 };
	uint32_t k = 0;
	struct emu_map *m;
	int fd = create_fields(BPF_MAP_TYPE_ARRAY, 0, timer_only, 1);
	int fd2;

	(void)state;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	m = map_of(fd);
	emu_map_get(m);			/* a program's reference: refcnt only */
	fd2 = dup(fd);
	uref_zero_calls = 0;
	timer_frees = 0;
	close(fd);
	emu_fd_reap();
	assert_int_equal(uref_zero_calls, 0);	/* the dup keeps the file */
	close(fd2);
	emu_fd_reap();
	assert_int_equal(uref_zero_calls, 1);
	assert_ptr_equal(uref_zero_last, m);
	assert_int_equal(timer_frees, 4);	/* every element, elements stay */
	assert_int_equal(atomic_load(&m->usercnt), 0);
	assert_int_equal(atomic_load(&m->refcnt), 1);
	timer_frees = 0;
	emu_map_put(m);
	assert_int_equal(timer_frees, 4);	/* the map free frees all fields */
	assert_int_equal(uref_zero_calls, 1);
}

static void test_freezing_a_map_with_fields_is_enotsupp(void **state)
{
	int fd = create_fields(BPF_MAP_TYPE_ARRAY, 0, timer_only, 1);

	(void)state;
	assert_int_equal(bpf_map_freeze(fd), -ENOTSUPP);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_timer_is_refused_outside_hash_lru_and_array),
		T(test_special_fields_with_prog_access_flags_are_eacces),
		T(test_fields_without_btf_do_not_exist),
		T(test_two_timers_leave_the_map_without_fields),
		T(test_misplaced_fields_are_einval),
		T(test_updates_skip_fields_and_user_lookups_zero_them),
		T(test_f_lock_copies_under_the_spin_lock),
		T(test_hash_frees_fields_on_delete_replace_and_map_free),
		T(test_lru_eviction_frees_the_victims_fields),
		T(test_release_uref_frees_timers_once_and_runs_hooks_once),
		T(test_freezing_a_map_with_fields_is_enotsupp),
	};

	return cmocka_run_group_tests(tests, fields_setup, map_group_teardown);
}
