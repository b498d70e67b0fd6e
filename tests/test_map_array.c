// SPDX-License-Identifier: MIT
/* BPF_MAP_TYPE_ARRAY / PERCPU_ARRAY: every errno in the kernel's order (maps.md §2). */
#include "test_map_util.h"

static void test_array_create_errors_in_kernel_order(void **state)
{
	(void)state;
	assert_int_equal(create(BPF_MAP_TYPE_ARRAY, 4, 8, 0, 0), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_ARRAY, 8, 8, 1, 0), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_ARRAY, 4, 0, 1, 0), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_NO_PREALLOC), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, BPF_F_MMAPABLE), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_PRESERVE_ELEMS), -EINVAL);
	assert_int_equal(create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, (32 << 10) + 1, 1, 0), -E2BIG);
	/* attribute errors come before the per-CPU size check */
	assert_int_equal(create(BPF_MAP_TYPE_PERCPU_ARRAY, 8, (32 << 10) + 1, 1, 0), -EINVAL);
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NUMA_NODE, .numa_node = 0);

		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "m", 4, 8, 1, &o), -EINVAL);
	}
}

static void test_array_elements_exist_zeroed_from_creation(void **state)
{
	uint64_t v = 7;
	uint32_t k = 3;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0);
	assert_int_equal(v, 0);
	k = 4;
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	close(fd);
}

static void test_array_update_errors_in_kernel_order(void **state)
{
	uint64_t v = 42;
	uint32_t k = 4;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST | BPF_EXIST), -EINVAL);
	/* out of range wins over NOEXIST */
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), -E2BIG);
	k = 1;
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), -EEXIST);
	/* BPF_F_LOCK without a spin lock: refused before the map op */
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_F_LOCK), -EINVAL);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
	v = 0;
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0);
	assert_int_equal(v, 42);
	close(fd);
}

static void test_array_delete_is_einval_from_user_and_program(void **state)
{
	uint32_t k = 0;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpf_map_delete_elem(fd, &k), -EINVAL);
	assert_int_equal(bpfemu_helper_map_delete_elem(def_of(fd), &k), -EINVAL);
	close(fd);
}

static void test_array_get_next_key_walks_indices(void **state)
{
	uint32_t k, next = 99;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 3, 0);

	(void)state;
	assert_int_equal(bpf_map_get_next_key(fd, NULL, &next), 0);
	assert_int_equal(next, 0);
	k = 0;
	assert_int_equal(bpf_map_get_next_key(fd, &k, &next), 0);
	assert_int_equal(next, 1);
	k = 2;
	assert_int_equal(bpf_map_get_next_key(fd, &k, &next), -ENOENT);
	k = 77;
	assert_int_equal(bpf_map_get_next_key(fd, &k, &next), 0);
	assert_int_equal(next, 0);
	close(fd);
}

static void test_array_lookup_and_delete_is_enotsupp(void **state)
{
	uint64_t v;
	uint32_t k = 0;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 3, 0);

	(void)state;
	assert_int_equal(bpf_map_lookup_and_delete_elem(fd, &k, &v), -ENOTSUPP);
	assert_int_equal(errno, ENOTSUPP);
	close(fd);
}

static void test_array_helper_lookup_is_bounds_check_and_stride(void **state)
{
	uint32_t k = 0;
	char *p0, *p1;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 12, 3, 0);
	void *def = def_of(fd);

	(void)state;
	p0 = bpfemu_helper_map_lookup_elem(def, &k);
	k = 1;
	p1 = bpfemu_helper_map_lookup_elem(def, &k);
	assert_non_null(p0);
	assert_int_equal(p1 - p0, 16);		/* round_up(12, 8) */
	assert_int_equal((uintptr_t)p0 % 8, 0);
	k = 3;
	assert_null(bpfemu_helper_map_lookup_elem(def, &k));
	/* a program's write is what user space reads */
	memcpy(p1, "hello world", 12);
	{
		char buf[12];

		k = 1;
		assert_int_equal(bpf_map_lookup_elem(fd, &k, buf), 0);
		assert_memory_equal(buf, "hello world", 12);
	}
	close(fd);
}

static void test_array_helper_update_checks_like_the_syscall(void **state)
{
	uint64_t v = 5;
	uint32_t k = 9;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 3, 0);
	void *def = def_of(fd);

	(void)state;
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, 3), -EINVAL);
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, 0), -E2BIG);
	k = 0;
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, BPF_NOEXIST), -EEXIST);
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, BPF_F_LOCK), -EINVAL);
	assert_int_equal(bpfemu_helper_map_update_elem(def, &k, &v, BPF_ANY), 0);
	assert_int_equal(*(uint64_t *)bpfemu_helper_map_lookup_elem(def, &k), 5);
	close(fd);
}

static void test_percpu_array_transfers_one_value_per_cpu(void **state)
{
	uint64_t vals[4] = { 1, 2, 3, 4 }, out[4];
	uint32_t k = 1, i;
	int fd;

	(void)state;
	assert_int_equal(bpfemu_nr_cpus(), 4);
	fd = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, 0);
	assert_true(fd >= 0);
	assert_int_equal(bpf_map_update_elem(fd, &k, vals, 0), 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, out), 0);
	assert_memory_equal(out, vals, sizeof(vals));
	/* a program sees the copy of its CPU */
	for (i = 0; i < 4; i++) {
		emu_ctx.cpu = (int)i;
		assert_int_equal(*(uint64_t *)bpfemu_helper_map_lookup_elem(def_of(fd), &k), i + 1);
	}
	emu_ctx.cpu = 0;
	assert_int_equal(*(uint64_t *)bpfemu_helper_map_lookup_percpu_elem(def_of(fd), &k, 3), 4);
	assert_null(bpfemu_helper_map_lookup_percpu_elem(def_of(fd), &k, 4));
	/* per-CPU user updates: BPF_ANY / BPF_EXIST only */
	assert_int_equal(bpf_map_update_elem(fd, &k, vals, BPF_NOEXIST), -EEXIST);
	assert_int_equal(bpf_map_update_elem(fd, &k, vals, BPF_F_LOCK), -EINVAL);
	close(fd);
}

static void test_percpu_array_value_size_rounds_to_eight(void **state)
{
	uint32_t vals[8] = { 1, 0, 2, 0, 3, 0, 4, 0 }, out[8];
	uint32_t k = 0;
	int fd;

	(void)state;
	bpfemu_set_nr_cpus(4);
	fd = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0);
	assert_int_equal(bpf_map_update_elem(fd, &k, vals, 0), 0);
	memset(out, 0xff, sizeof(out));
	assert_int_equal(bpf_map_lookup_elem(fd, &k, out), 0);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[2], 2);
	assert_int_equal(out[6], 4);
	close(fd);
}

/*
 * User space writes each CPU's copy through its padding (copy_map_value_long)
 * and reads it back the same way: the caller's padding bytes survive the
 * round trip, per-CPU arrays and hashes alike (checked on 6.18).
 */
static void test_percpu_update_keeps_the_callers_padding(void **state)
{
	static const enum bpf_map_type types[] = {
		BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
	};
	unsigned char in[4 * 8], out[4 * 8];
	uint32_t k = 1, i;
	int fd;

	(void)state;
	bpfemu_set_nr_cpus(4);
	memset(in, 0xab, sizeof(in));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fd = create(types[i], 4, 4, 4, 0);
		assert_true(fd >= 0);
		assert_int_equal(bpf_map_update_elem(fd, &k, in, 0), 0);
		memset(out, 0, sizeof(out));
		assert_int_equal(bpf_map_lookup_elem(fd, &k, out), 0);
		assert_memory_equal(out, in, sizeof(in));
		close(fd);
	}
}

static int count_cb(void *map, const void *key, void *value, void *ctx)
{
	int *seen = ctx;

	(void)map;
	(void)value;
	seen[*(const uint32_t *)key]++;
	return *(const uint32_t *)key == 2;	/* stop at index 2 */
}

static void test_array_for_each_counts_the_stopping_element(void **state)
{
	int seen[5] = { 0 };
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 5, 0);

	(void)state;
	assert_int_equal(bpfemu_helper_for_each_map_elem(def_of(fd), (void *)count_cb, seen, 0), 3);
	assert_int_equal(seen[0] + seen[1] + seen[2], 3);
	assert_int_equal(seen[3], 0);
	assert_int_equal(bpfemu_helper_for_each_map_elem(def_of(fd), (void *)count_cb, seen, 1), -EINVAL);
	close(fd);
}

static void test_helper_on_a_non_map_is_a_diagnostic(void **state)
{
	uint64_t not_a_map[2] = { 1, 2 };
	uint32_t k = 0;

	(void)state;
	bpfemu_diag_clear();
	assert_null(bpfemu_helper_map_lookup_elem(not_a_map, &k));
	assert_true(bpfemu_diag_has("not_a_map"));
	assert_null(bpfemu_helper_map_lookup_elem(NULL, &k));
}

static void test_array_elem_key_gives_the_index(void **state)
{
	uint32_t k = 2, idx = 0;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 24, 4, 0);
	struct emu_map *m = map_of(fd);
	char *v = bpfemu_helper_map_lookup_elem(emu_map_def(m), &k);

	(void)state;
	assert_ptr_equal(emu_map_elem_key(m, v, &idx), &idx);
	assert_int_equal(idx, 2);
	assert_null(emu_map_elem_key(m, v + 8, &idx));
	assert_null(emu_map_elem_key(m, &k, &idx));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_array_create_errors_in_kernel_order),
		T(test_array_elements_exist_zeroed_from_creation),
		T(test_array_update_errors_in_kernel_order),
		T(test_array_delete_is_einval_from_user_and_program),
		T(test_array_get_next_key_walks_indices),
		T(test_array_lookup_and_delete_is_enotsupp),
		T(test_array_helper_lookup_is_bounds_check_and_stride),
		T(test_array_helper_update_checks_like_the_syscall),
		T(test_percpu_array_transfers_one_value_per_cpu),
		T(test_percpu_array_value_size_rounds_to_eight),
		T(test_percpu_update_keeps_the_callers_padding),
		T(test_array_for_each_counts_the_stopping_element),
		T(test_helper_on_a_non_map_is_a_diagnostic),
		T(test_array_elem_key_gives_the_index),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
