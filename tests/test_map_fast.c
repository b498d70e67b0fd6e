// SPDX-License-Identifier: MIT
/*
 * The inline ARRAY path of <bpf/bpf_helper_defs.h> (include/bpfemu/map_fast.h):
 * for every case it takes, the same result as the exported helper; every
 * other case (other map types, unbound definitions, out-of-range indices,
 * flags, special fields, BPF_F_RDONLY_PROG) goes to the helper.  Called
 * here by the names bpf_helper_defs.h wraps (this file also uses libbpf's
 * user-space bpf_map_lookup_elem).
 */
#include "test_map_util.h"

#include <bpfemu/map_fast.h>

static void test_fast_array_lookup_matches_the_helper(void **state)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 12, 5, 0);
	void *def;
	uint32_t k;

	(void)state;
	assert_true(fd >= 0);
	def = def_of(fd);
	assert_int_equal(map_of(fd)->fast.kind, BPFEMU_MAP_FAST_ARRAY);
	for (k = 0; k < 8; k++)
		assert_ptr_equal(bpfemu_map_fast_lookup(def, &k),
				 bpfemu_helper_map_lookup_elem(def, &k));
	k = 4;
	assert_non_null(bpfemu_map_fast_lookup(def, &k));
	k = 5;
	assert_null(bpfemu_map_fast_lookup(def, &k));
	k = UINT32_MAX;
	assert_null(bpfemu_map_fast_lookup(def, &k));
	close(fd);
}

static void test_fast_array_update_matches_the_helper(void **state)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	uint64_t v = 42, out = 0;
	void *def;
	uint32_t k = 1;

	(void)state;
	assert_true(fd >= 0);
	def = def_of(fd);
	assert_true(map_of(fd)->fast.flags & BPFEMU_MAP_FAST_F_UPDATE);
	assert_int_equal(bpfemu_map_fast_update(def, &k, &v, BPF_ANY), 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &out), 0);
	assert_int_equal(out, 42);
	v = 43;
	assert_int_equal(bpfemu_map_fast_update(def, &k, &v, BPF_EXIST), 0);
	assert_int_equal(*(uint64_t *)bpfemu_map_fast_lookup(def, &k), 43);
	/* the errors, in the kernel's order, come from the helper */
	assert_int_equal(bpfemu_map_fast_update(def, &k, &v, BPF_NOEXIST | BPF_EXIST), -EINVAL);
	k = 4;
	assert_int_equal(bpfemu_map_fast_update(def, &k, &v, BPF_NOEXIST), -E2BIG);
	assert_int_equal(bpfemu_map_fast_update(def, &k, &v, BPF_ANY), -E2BIG);
	k = 1;
	assert_int_equal(bpfemu_map_fast_update(def, &k, &v, BPF_NOEXIST), -EEXIST);
	assert_int_equal(bpfemu_map_fast_update(def, &k, &v, BPF_F_LOCK), -EINVAL);
	close(fd);
}

static void test_fast_path_leaves_other_maps_to_the_helper(void **state)
{
	int pa = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0);
	int h = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	uint64_t v = 7;
	uint32_t k = 2;

	(void)state;
	assert_true(pa >= 0 && h >= 0);
	assert_int_equal(map_of(pa)->fast.kind, BPFEMU_MAP_FAST_NONE);
	assert_int_equal(map_of(h)->fast.kind, BPFEMU_MAP_FAST_NONE);
	assert_ptr_equal(bpfemu_map_fast_lookup(def_of(pa), &k),
			 bpfemu_helper_map_lookup_elem(def_of(pa), &k));
	assert_null(bpfemu_map_fast_lookup(def_of(h), &k));
	assert_int_equal(bpfemu_map_fast_update(def_of(h), &k, &v, BPF_ANY), 0);
	assert_int_equal(*(uint64_t *)bpfemu_map_fast_lookup(def_of(h), &k), 7);
	assert_int_equal(bpfemu_map_fast_update(def_of(h), &k, &v, BPF_NOEXIST), -EEXIST);
	close(pa);
	close(h);
}

static void test_fast_path_refuses_what_is_not_a_loaded_map(void **state)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	uintptr_t fake[2];
	uint64_t v = 1;
	uint32_t k = 0;

	(void)state;
	assert_true(fd >= 0);
	/* the right map but a forged check word */
	fake[0] = (uintptr_t)map_of(fd);
	fake[1] = 0;
	assert_null(bpfemu_map_fast_lookup(fake, &k));
	assert_int_equal(bpfemu_map_fast_update(fake, &k, &v, BPF_ANY), -EINVAL);
	/* an unbound definition */
	fake[0] = fake[1] = 0;
	assert_null(bpfemu_map_fast_lookup(fake, &k));
	assert_null(bpfemu_map_fast_lookup(NULL, &k));
	assert_null(bpfemu_map_fast_lookup((char *)fake + 1, &k));
	close(fd);
}

static void test_fast_update_not_for_rdonly_prog_or_special_fields(void **state)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 24,
		.max_entries = 2, .has_btf = true, .inner_map_fd = -1,
		.nr_fields = 1, .fields = { { EMU_FIELD_TIMER, 8, 16 } },
	};
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY_PROG);
	struct emu_map *m;
	uint64_t v = 1;
	uint32_t k = 0;
	int err = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(map_of(fd)->fast.kind, BPFEMU_MAP_FAST_ARRAY);
	assert_false(map_of(fd)->fast.flags & BPFEMU_MAP_FAST_F_UPDATE);
	/* the helper refuses the write (outside a run: -EACCES, diagnosed) */
	assert_int_equal(bpfemu_map_fast_update(def_of(fd), &k, &v, BPF_ANY), -EACCES);
	assert_non_null(bpfemu_map_fast_lookup(def_of(fd), &k));
	close(fd);

	strcpy(attr.name, "t");
	m = emu_map_create(&attr, &err);
	assert_non_null(m);
	assert_int_equal(m->nr_fields, 1);
	assert_int_equal(m->fast.kind, BPFEMU_MAP_FAST_ARRAY);
	assert_false(m->fast.flags & BPFEMU_MAP_FAST_F_UPDATE);
	emu_map_put(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fast_array_lookup_matches_the_helper),
		T(test_fast_array_update_matches_the_helper),
		T(test_fast_path_leaves_other_maps_to_the_helper),
		T(test_fast_path_refuses_what_is_not_a_loaded_map),
		T(test_fast_update_not_for_rdonly_prog_or_special_fields),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
