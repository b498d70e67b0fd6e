// SPDX-License-Identifier: MIT
/* HASH / PERCPU_HASH / LRU_HASH / LRU_PERCPU_HASH (maps.md §3). */
#include "test_map_util.h"

static void test_hash_create_errors_in_kernel_order(void **state)
{
	(void)state;
	/* unknown flags, then both _PROG flags */
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, 8, 1, BPF_F_MMAPABLE), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, 8, 1, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, 8, 1, BPF_F_NO_COMMON_LRU), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_LRU_HASH, 4, 8, 1, BPF_F_NO_PREALLOC), -ENOTSUPP);
	/* -ENOTSUPP comes before the zero sizes */
	assert_int_equal(create(BPF_MAP_TYPE_LRU_HASH, 0, 0, 0, BPF_F_NO_PREALLOC), -ENOTSUPP);
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, 8, 0, 0), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 0, 8, 1, 0), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, 0, 1, 0), -EINVAL);
	/* key + value >= KMALLOC_MAX_SIZE - sizeof(htab_elem) (observed on 6.18) */
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, (4 << 20) - 48 - 4, 1, BPF_F_NO_PREALLOC), -E2BIG);
	assert_int_equal(create(BPF_MAP_TYPE_PERCPU_HASH, 4, (32 << 10) + 1, 1, 0), -E2BIG);
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, 8, 0x80000001u, 0), -E2BIG);
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NUMA_NODE, .numa_node = 0);

		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "m", 4, 8, 1, &o), -EINVAL);
		o.map_flags = BPF_F_NUMA_NODE | BPF_F_NO_COMMON_LRU;
		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "m", 4, 8, 1, &o), -EINVAL);
	}
}

static void test_lru_no_common_lru_rounds_max_entries_to_cpus(void **state)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = create(BPF_MAP_TYPE_LRU_HASH, 4, 8, 5, BPF_F_NO_COMMON_LRU);

	(void)state;
	assert_true(fd >= 0);
	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_map_get_info_by_fd(fd, &info, &len), 0);
	assert_int_equal(info.max_entries, 8);	/* 4 emulated CPUs */
	close(fd);
}

static void test_hash_update_flags_in_kernel_order(void **state)
{
	uint32_t k = 1;
	uint64_t v = 10, out = 0;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 2, 0);

	(void)state;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST | BPF_EXIST), -EINVAL);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), -ENOENT);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST);
	v = 11;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &out), 0);
	assert_int_equal(out, 11);
	assert_int_equal(bpf_map_lookup_elem_flags(fd, &k, &out, 8), -EINVAL);
	assert_int_equal(bpf_map_lookup_elem_flags(fd, &k, &out, BPF_F_LOCK), -EINVAL);
	close(fd);
}

static void test_full_hash_refuses_new_keys_with_e2big_but_replaces(void **state)
{
	uint32_t k;
	uint64_t v = 1;
	int fd, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fd = create(BPF_MAP_TYPE_HASH, 4, 8, 3, i ? BPF_F_NO_PREALLOC : 0);
		for (k = 0; k < 3; k++)
			assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
		k = 3;
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), -E2BIG);
		assert_int_equal(bpfemu_helper_map_update_elem(def_of(fd), &k, &v, BPF_ANY), -E2BIG);
		/* replacing never fails, even many times (per-CPU spares) */
		for (k = 0; k < 20; k++)
			assert_int_equal(bpf_map_update_elem(fd, &(uint32_t){ k % 3 }, &v, BPF_EXIST), 0);
		k = 1;
		assert_int_equal(bpf_map_delete_elem(fd, &k), 0);
		assert_int_equal(bpf_map_delete_elem(fd, &k), -ENOENT);
		k = 3;
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
		close(fd);
	}
}

static void test_hash_replacement_gives_the_key_new_memory(void **state)
{
	uint32_t k = 7;
	uint64_t v = 1, *p1, *p2;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	void *def = def_of(fd);

	(void)state;
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, BPF_ANY), 0);
	p1 = bpfemu_helper_map_lookup_elem(def, &k);
	v = 2;
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, BPF_ANY), 0);
	p2 = bpfemu_helper_map_lookup_elem(def, &k);
	assert_ptr_not_equal(p1, p2);
	assert_int_equal(*p2, 2);
	assert_int_equal((uintptr_t)p2 % 8, 0);
	/* the value sits round_up(key_size, 8) after the key */
	assert_memory_equal((char *)p2 - 8, &k, 4);
	assert_ptr_equal(emu_map_elem_key(map_of(fd), p2, NULL), (char *)p2 - 8);
	assert_int_equal(bpfemu_helper_map_delete_elem(def, &k), 0);
	assert_null(bpfemu_helper_map_lookup_elem(def, &k));
	assert_int_equal(bpfemu_helper_map_delete_elem(def, &k), -ENOENT);
	close(fd);
}

static void test_hash_get_next_key_visits_every_key_once(void **state)
{
	uint32_t k, next, seen = 0, n = 0;
	uint64_t v = 0;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);

	(void)state;
	assert_int_equal(bpf_map_get_next_key(fd, NULL, &next), -ENOENT);
	for (k = 0; k < 10; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	assert_int_equal(bpf_map_get_next_key(fd, NULL, &next), 0);
	do {
		seen |= 1u << next;
		n++;
		k = next;
	} while (bpf_map_get_next_key(fd, &k, &next) == 0);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(n, 10);
	assert_int_equal(seen, 0x3ff);
	/* an unknown key restarts from the first */
	k = 1000;
	assert_int_equal(bpf_map_get_next_key(fd, &k, &next), 0);
	assert_true(next < 10);
	close(fd);
}

static void test_hash_lookup_and_delete_returns_and_removes(void **state)
{
	uint32_t k = 3;
	uint64_t v = 33, out = 0;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpf_map_lookup_and_delete_elem(fd, &k, &out), -ENOENT);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	assert_int_equal(bpf_map_lookup_and_delete_elem_flags(fd, &k, &out, 8), -EINVAL);
	assert_int_equal(bpf_map_lookup_and_delete_elem_flags(fd, &k, &out, BPF_F_LOCK), -EINVAL);
	assert_int_equal(bpf_map_lookup_and_delete_elem(fd, &k, &out), 0);
	assert_int_equal(out, 33);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &out), -ENOENT);
	close(fd);
}

static void test_lru_rejects_f_lock_with_einval(void **state)
{
	uint32_t k = 1;
	uint64_t v = 1;
	int fd = create(BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpfemu_helper_map_update_elem(def_of(fd), &k, &v, BPF_F_LOCK), -EINVAL);
	assert_int_equal(bpfemu_helper_map_update_elem(def_of(fd), &k, &v, 3), -EINVAL);
	close(fd);
}

static void test_full_lru_evicts_instead_of_failing(void **state)
{
	uint32_t k, present = 0;
	uint64_t v = 1, out;
	int fd = create(BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, 0);
	void *def = def_of(fd);

	(void)state;
	for (k = 0; k < 4; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	/* keys 1..3 are used by a program; key 0 is the natural victim */
	for (k = 1; k < 4; k++)
		assert_non_null(bpfemu_helper_map_lookup_elem(def, &k));
	k = 4;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	for (k = 0; k < 5; k++)
		present += bpf_map_lookup_elem(fd, &k, &out) == 0;
	assert_int_equal(present, 4);
	k = 0;
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &out), -ENOENT);
	close(fd);
}

static void test_failed_lru_update_may_still_evict(void **state)
{
	uint32_t k, present = 0;
	uint64_t v = 1, out;
	int fd = create(BPF_MAP_TYPE_LRU_HASH, 4, 8, 2, 0);

	(void)state;
	for (k = 0; k < 2; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	k = 9;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), -ENOENT);
	for (k = 0; k < 2; k++)
		present += bpf_map_lookup_elem(fd, &k, &out) == 0;
	assert_int_equal(present, 1);
	close(fd);
}

static void test_percpu_hash_program_update_writes_this_cpu_only(void **state)
{
	uint32_t k = 5;
	uint64_t v = 9, out[4];
	int fd = create(BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4, 0);
	void *def = def_of(fd);

	(void)state;
	emu_ctx.cpu = 2;
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, BPF_ANY), 0);
	emu_ctx.cpu = 0;
	assert_int_equal(bpf_map_lookup_elem(fd, &k, out), 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[2], 9);
	/* in place: the pointer stays */
	{
		uint64_t *p = bpfemu_helper_map_lookup_percpu_elem(def, &k, 2);

		v = 10;
		emu_ctx.cpu = 2;
		assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, BPF_EXIST), 0);
		emu_ctx.cpu = 0;
		assert_ptr_equal(bpfemu_helper_map_lookup_percpu_elem(def, &k, 2), p);
		assert_int_equal(*p, 10);
	}
	out[0] = 1, out[1] = 2, out[2] = 3, out[3] = 4;
	assert_int_equal(bpf_map_update_elem(fd, &k, out, BPF_F_LOCK), -EINVAL);
	assert_int_equal(bpf_map_update_elem(fd, &k, out, 0), 0);
	emu_ctx.cpu = 3;
	assert_int_equal(*(uint64_t *)bpfemu_helper_map_lookup_elem(def, &k), 4);
	emu_ctx.cpu = 0;
	close(fd);
}

static void test_lru_percpu_hash_works_like_percpu(void **state)
{
	uint32_t k;
	uint64_t v[4] = { 1, 2, 3, 4 }, out[4];
	int fd = create(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 2, 0);

	(void)state;
	k = 1;
	assert_int_equal(bpf_map_update_elem(fd, &k, v, BPF_EXIST), -ENOENT);
	for (k = 0; k < 3; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, v, 0), 0);
	k = 2;
	assert_int_equal(bpf_map_lookup_elem(fd, &k, out), 0);
	assert_memory_equal(out, v, sizeof(v));
	close(fd);
}

struct del_ctx {
	void *def;
	int calls;
};

static int delete_cb(void *map, const void *key, void *value, void *ctx)
{
	struct del_ctx *c = ctx;

	(void)value;
	assert_ptr_equal(emu_map_from_def(map), emu_map_from_def(c->def));
	c->calls++;
	assert_int_equal(bpfemu_helper_map_delete_elem(map, key), 0);
	return 0;
}

static void test_hash_for_each_allows_deleting_the_visited_element(void **state)
{
	struct del_ctx c = { 0 };
	uint32_t k, next;
	uint64_t v = 0;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 8, BPF_F_NO_PREALLOC);

	(void)state;
	c.def = def_of(fd);
	for (k = 0; k < 6; k++)
		assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	assert_int_equal(bpfemu_helper_for_each_map_elem(c.def, (void *)delete_cb, &c, 0), 6);
	assert_int_equal(c.calls, 6);
	assert_int_equal(bpf_map_get_next_key(fd, NULL, &next), -ENOENT);
	assert_int_equal(bpfemu_helper_for_each_map_elem(c.def, (void *)delete_cb, &c, 2), -EINVAL);
	close(fd);
}

static int bad_ret_cb(void *map, const void *key, void *value, void *ctx)
{
	(void)map, (void)key, (void)value, (void)ctx;
	return 7;
}

static void test_for_each_callback_outside_0_1_is_a_diagnostic(void **state)
{
	uint32_t k = 0;
	uint64_t v = 0;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 8, 0);

	(void)state;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_helper_for_each_map_elem(def_of(fd), (void *)bad_ret_cb, NULL, 0), -EINVAL);
	assert_true(bpfemu_diag_has("for_each_cb_bad_return"));
	close(fd);
}

static void test_rdonly_prog_map_refuses_program_writes(void **state)
{
	uint32_t k = 0;
	uint64_t v = 0;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 8, BPF_F_RDONLY_PROG);

	(void)state;
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_helper_map_update_elem(def_of(fd), &k, &v, 0), -EACCES);
	assert_true(bpfemu_diag_has("map_rdonly_prog"));
	/* user space may still write */
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hash_create_errors_in_kernel_order),
		T(test_lru_no_common_lru_rounds_max_entries_to_cpus),
		T(test_hash_update_flags_in_kernel_order),
		T(test_full_hash_refuses_new_keys_with_e2big_but_replaces),
		T(test_hash_replacement_gives_the_key_new_memory),
		T(test_hash_get_next_key_visits_every_key_once),
		T(test_hash_lookup_and_delete_returns_and_removes),
		T(test_lru_rejects_f_lock_with_einval),
		T(test_full_lru_evicts_instead_of_failing),
		T(test_failed_lru_update_may_still_evict),
		T(test_percpu_hash_program_update_writes_this_cpu_only),
		T(test_lru_percpu_hash_works_like_percpu),
		T(test_hash_for_each_allows_deleting_the_visited_element),
		T(test_for_each_callback_outside_0_1_is_a_diagnostic),
		T(test_rdonly_prog_map_refuses_program_writes),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
