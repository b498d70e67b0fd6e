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

/* A key shorter than an ARRAY's 4 bytes is never read as one (ASan: the
 * inline path reads the key only once the map is known to be an ARRAY). */
static void test_fast_path_reads_no_more_of_a_short_key(void **state)
{
	int h = create(BPF_MAP_TYPE_HASH, 2, 8, 4, 0);
	uint16_t k = 3;
	uint64_t v = 9;

	(void)state;
	assert_true(h >= 0);
	assert_int_equal(bpfemu_map_fast_update(def_of(h), &k, &v, BPF_ANY), 0);
	assert_int_equal(*(uint64_t *)bpfemu_map_fast_lookup(def_of(h), &k), 9);
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

/* Value sizes: 4 (stride 8) copies 4 bytes, a multiple of 8 the stride,
 * anything else goes to the helper -- which copies value_size bytes too. */
static void test_fast_update_copies_value_size_bytes(void **state)
{
	static const struct { uint32_t vs; uintptr_t bits; } cases[] = {
		{ 4, BPFEMU_MAP_DEF_UPD_4 },
		{ 8, BPFEMU_MAP_DEF_UPD_STRIDE },
		{ 16, BPFEMU_MAP_DEF_STRIDE_N | BPFEMU_MAP_DEF_UPD_STRIDE },
		{ 12, BPFEMU_MAP_DEF_STRIDE_N },
		{ 24, BPFEMU_MAP_DEF_STRIDE_N | BPFEMU_MAP_DEF_UPD_STRIDE },
	};
	unsigned char src[24], *elem;
	uint32_t i, k = 1, stride;

	(void)state;
	memset(src, 0xab, sizeof(src));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = create(BPF_MAP_TYPE_ARRAY, 4, cases[i].vs, 4, 0);
		uintptr_t *def;

		assert_true(fd >= 0);
		def = def_of(fd);
		stride = (cases[i].vs + 7) & ~7u;
		assert_int_equal(def[1] & 7, cases[i].bits);
		assert_true(bpfemu_map_fast_is_array(def));
		elem = bpfemu_map_fast_lookup(def, &k);
		assert_ptr_equal(elem, bpfemu_helper_map_lookup_elem(def, &k));
		assert_int_equal((uint32_t)(def[3] >> 32), stride);
		memset(elem, 0x11, stride);	/* the padding is the map's: a program
						 * may write it through its pointer */
		assert_int_equal(bpfemu_map_fast_update(def, &k, src, BPF_ANY), 0);
		assert_memory_equal(elem, src, cases[i].vs);
		if (stride > cases[i].vs)
			assert_int_equal(elem[cases[i].vs], 0x11);
		close(fd);
	}
}

/* Only a definition of four words or more gets the inline words; a smaller
 * one is a plain binding the helpers resolve, with the same results. */
static void test_fast_path_needs_a_four_word_definition(void **state)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	uintptr_t small[2], big[4];
	uint64_t v = 5;
	uint32_t k = 3;

	(void)state;
	assert_true(fd >= 0);
	emu_map_bind_def(small, sizeof(small), map_of(fd));
	emu_map_bind_def(big, sizeof(big), map_of(fd));
	assert_false(bpfemu_map_fast_is_array(small));
	assert_true(bpfemu_map_fast_is_array(big));
	assert_int_equal(big[3], 4 | (uint64_t)8 << 32);
	assert_ptr_equal(bpfemu_map_fast_lookup(small, &k), bpfemu_map_fast_lookup(big, &k));
	assert_int_equal(bpfemu_map_fast_update(small, &k, &v, BPF_ANY), 0);
	assert_int_equal(*(uint64_t *)bpfemu_map_fast_lookup(big, &k), 5);
	assert_ptr_equal(emu_map_from_def(small), map_of(fd));
	assert_ptr_equal(emu_map_from_def(big), map_of(fd));
	emu_map_unbind_def(big);
	assert_false(bpfemu_map_fast_is_array(big));
	assert_null(emu_map_from_def(big));
	emu_map_unbind_def(small);
	assert_null(emu_map_from_def(small));
	close(fd);
}

/*
 * A NULL-ish key or value (NULL, or NULL plus an offset: a lookup's result
 * before its NULL check) is never read: both inline paths send it to the
 * helper, which refuses it -- outside a run, NULL or -EACCES and the
 * diagnostic (tests/test_verifier_args.c runs the same in a program).
 * Every inline update path: 8-byte values, 4, a stride of 16, and 12 (the
 * helper's).  The pointers are opaque to the compiler, so the inline test
 * itself is what runs, not a constant folded into a call.
 */
static void test_fast_path_sends_a_null_ish_key_or_value_to_the_helper(void **state)
{
	static const uint32_t sizes[] = { 8, 4, 16, 12 };
	const void *volatile nul = NULL;
	const void *volatile off = (const void *)(uintptr_t)8;
	unsigned char v[16], out[16], zero[16] = { 0 };
	const char *rule;
	uint32_t i, k = 1;
	int fd, d;

	(void)state;
	memset(v, 0xab, sizeof(v));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *def;

		fd = create(BPF_MAP_TYPE_ARRAY, 4, sizes[i], 4, 0);
		assert_true(fd >= 0);
		def = def_of(fd);
		assert_true(bpfemu_map_fast_is_array(def));
		bpfemu_diag_clear();
		assert_null(bpfemu_map_fast_lookup(def, nul));
		assert_null(bpfemu_map_fast_lookup(def, off));
		assert_int_equal(bpfemu_map_fast_update(def, nul, v, BPF_ANY), -EACCES);
		assert_int_equal(bpfemu_map_fast_update(def, off, v, BPF_EXIST), -EACCES);
		assert_int_equal(bpfemu_map_fast_update(def, &k, nul, BPF_ANY), -EACCES);
		assert_int_equal(bpfemu_map_fast_update(def, &k, off, BPF_EXIST), -EACCES);
		assert_int_equal(bpfemu_diag_count(), 6);
		for (d = 0; d < 6; d++) {
			assert_int_equal(bpfemu_diag_get(d, &rule, NULL), 0);
			assert_string_equal(rule, "mem_arg_null");
		}
		assert_int_equal(bpf_map_lookup_elem(fd, &k, out), 0);
		assert_memory_equal(out, zero, sizes[i]);
		/* valid pointers: as before */
		assert_int_equal(bpfemu_map_fast_update(def, &k, v, BPF_ANY), 0);
		assert_memory_equal(bpfemu_map_fast_lookup(def, &k), v, sizes[i]);
		assert_int_equal(bpfemu_diag_count(), 6);
		close(fd);
	}

	/* the other map helpers, and maps the inline paths leave alone */
	fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	assert_true(fd >= 0);
	bpfemu_diag_clear();
	assert_null(bpfemu_map_fast_lookup(def_of(fd), nul));
	assert_int_equal(bpfemu_map_fast_update(def_of(fd), &k, off, BPF_ANY), -EACCES);
	assert_int_equal(bpfemu_helper_map_delete_elem(def_of(fd), nul), -EACCES);
	assert_int_equal(bpfemu_helper_map_delete_elem(def_of(fd), off), -EACCES);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, out), -ENOENT);
	close(fd);
	fd = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0);
	assert_true(fd >= 0);
	assert_null(bpfemu_helper_map_lookup_percpu_elem(def_of(fd), nul, 0));
	assert_null(bpfemu_helper_map_lookup_percpu_elem(def_of(fd), off, 0));
	assert_int_equal(bpfemu_diag_count(), 6);
	for (d = 0; d < 6; d++) {
		assert_int_equal(bpfemu_diag_get(d, &rule, NULL), 0);
		assert_string_equal(rule, "mem_arg_null");
	}
	close(fd);
	bpfemu_diag_clear();
}

/*
 * The inline paths hand the helper copies of keys and values whose size the
 * compiler knows exactly (map_fast.h; at -O0 it knows none, so this test
 * means most in the optimised CI build).  Whatever the object -- a short
 * key, a field, a value with bytes beyond value_size, an element at a
 * run-time index -- the map gets the program's bytes, value_size of them.
 */
static void test_fast_path_gives_the_helper_the_programs_bytes(void **state)
{
	struct {
		uint32_t pad;
		uint16_t key;
		unsigned char val[20];
	} s;
	unsigned char big[100], buf[4][16], out[24];
	volatile int i = 2;
	uint16_t k2;
	uint32_t k4 = 1;
	int h, a12, a16, j;

	(void)state;
	h = create(BPF_MAP_TYPE_HASH, 2, 16, 8, 0);
	a12 = create(BPF_MAP_TYPE_ARRAY, 4, 12, 4, 0);	/* the helper's */
	a16 = create(BPF_MAP_TYPE_ARRAY, 4, 16, 4, 0);	/* inline, stride 16 */
	assert_true(h >= 0 && a12 >= 0 && a16 >= 0);
	for (j = 0; j < (int)sizeof(s.val); j++)
		s.val[j] = (unsigned char)(0x40 + j);
	for (j = 0; j < (int)sizeof(big); j++)
		big[j] = (unsigned char)(0x80 + j);
	memset(buf, 0, sizeof(buf));
	memcpy(buf[i], "\x07\x00", 2);

	/* HASH: a key that is a field, a value 4 bytes longer than needed */
	s.key = 5;
	assert_int_equal(bpfemu_map_fast_update(def_of(h), &s.key, s.val, BPF_ANY), 0);
	k2 = 5;
	assert_int_equal(bpf_map_lookup_elem(h, &k2, out), 0);
	assert_memory_equal(out, s.val, 16);
	assert_memory_equal(bpfemu_map_fast_lookup(def_of(h), &s.key), s.val, 16);
	/* a key at a run-time index, a value inside a larger object */
	assert_int_equal(bpfemu_map_fast_update(def_of(h), buf[i], big + 50, BPF_ANY), 0);
	k2 = 7;
	assert_int_equal(bpf_map_lookup_elem(h, &k2, out), 0);
	assert_memory_equal(out, big + 50, 16);
	assert_memory_equal(bpfemu_map_fast_lookup(def_of(h), buf[i]), big + 50, 16);
	assert_memory_equal(bpfemu_map_fast_lookup(def_of(h), &k2), big + 50, 16);
	assert_int_equal(bpfemu_helper_map_delete_elem(def_of(h), buf[i]), 0);
	assert_null(bpfemu_map_fast_lookup(def_of(h), &k2));

	/* ARRAY, value_size 12 (the helper) and 16 (inline): 12 / 16 of the
	 * value's 20 bytes, the rest of the element untouched */
	assert_int_equal(bpfemu_map_fast_update(def_of(a12), &k4, s.val, BPF_ANY), 0);
	assert_int_equal(bpf_map_lookup_elem(a12, &k4, out), 0);
	assert_memory_equal(out, s.val, 12);
	assert_int_equal(bpfemu_map_fast_update(def_of(a16), &k4, s.val, BPF_ANY), 0);
	assert_int_equal(bpf_map_lookup_elem(a16, &k4, out), 0);
	assert_memory_equal(out, s.val, 16);
	assert_int_equal(bpfemu_map_fast_update(def_of(a16), &k4, &big[i * 10], BPF_ANY), 0);
	assert_memory_equal(bpfemu_map_fast_lookup(def_of(a16), &k4), &big[20], 16);
	close(h);
	close(a12);
	close(a16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fast_array_lookup_matches_the_helper),
		T(test_fast_array_update_matches_the_helper),
		T(test_fast_path_leaves_other_maps_to_the_helper),
		T(test_fast_path_reads_no_more_of_a_short_key),
		T(test_fast_path_gives_the_helper_the_programs_bytes),
		T(test_fast_path_refuses_what_is_not_a_loaded_map),
		T(test_fast_update_not_for_rdonly_prog_or_special_fields),
		T(test_fast_update_copies_value_size_bytes),
		T(test_fast_path_needs_a_four_word_definition),
		T(test_fast_path_sends_a_null_ish_key_or_value_to_the_helper),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
