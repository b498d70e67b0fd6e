// SPDX-License-Identifier: MIT
/* libbpf's map API: opts, names, ids, info, access modes, freeze (syscall.c). */
#include <fcntl.h>
#include <limits.h>

#include "test_map_util.h"

static void test_create_validates_opts_like_libbpf(void **state)
{
	struct {
		struct bpf_map_create_opts o;
		char tail[8];
	} big;
	int fd;

	(void)state;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 4, &big.o);
	assert_true(fd >= 0);		/* a zero tail is fine */
	close(fd);
	big.tail[3] = 1;
	assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 4, &big.o), -EINVAL);
	big.o.sz = 4;
	assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 4, &big.o), -EINVAL);
	/* an older, smaller struct: fields past its size are not read */
	big.o.sz = offsetof(struct bpf_map_create_opts, map_flags);
	big.o.map_flags = BPF_F_RDONLY | BPF_F_WRONLY;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 4, &big.o);
	assert_true(fd >= 0);
	close(fd);
}

static void test_create_generic_checks_in_kernel_order(void **state)
{
	(void)state;
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .btf_key_type_id = 1);

		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_ARRAY, "m", 4, 8, 1, &o), -EINVAL);
	}
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_extra = 1);

		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 1, &o), -EINVAL);
	}
	assert_int_equal(create(BPF_MAP_TYPE_HASH, 4, 8, 1, BPF_F_RDONLY | BPF_F_WRONLY), -EINVAL);
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NUMA_NODE, .numa_node = 1);

		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 1, &o), -EINVAL);
	}
	assert_int_equal(bpf_map_create(1000, "m", 4, 8, 1, NULL), -EINVAL);
	assert_int_equal(bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "m", 4, 8, 1, NULL), -EINVAL);
	/* type errors win over a bad name */
	assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "bad-name", 4, 8, 0, NULL), -EINVAL);
	assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "bad-name", 4, 8, 1, NULL), -EINVAL);
	{
		LIBBPF_OPTS(bpf_map_create_opts, o, .map_ifindex = 1);

		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 1, &o), -EOPNOTSUPP);
		o.map_ifindex = 999;
		assert_int_equal(bpf_map_create(BPF_MAP_TYPE_HASH, "m", 4, 8, 1, &o), -EINVAL);
	}
}

static void test_long_names_are_cut_like_libbpf(void **state)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "a_very_long_map_name_here", 4, 8, 1, NULL);

	(void)state;
	assert_true(fd >= 0);
	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	assert_string_equal(info.name, "a_very_long_map");
	assert_int_equal(len, sizeof(info));
	assert_int_equal(info.type, BPF_MAP_TYPE_HASH);
	assert_int_equal(info.key_size, 4);
	assert_int_equal(info.value_size, 8);
	assert_int_equal(info.max_entries, 1);
	assert_true(info.id > 0);
	close(fd);
}

static void test_get_info_checks_fd_and_tail(void **state)
{
	struct {
		struct bpf_map_info i;
		char tail[8];
	} big;
	__u32 len;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0);

	(void)state;
	len = sizeof(big.i);
	assert_int_equal(bpf_obj_get_info_by_fd(9999, &big, &len), -EBADFD);
	{
		int devnull = open("/dev/null", O_RDONLY);

		assert_int_equal(bpf_obj_get_info_by_fd(devnull, &big, &len), -EINVAL);
		close(devnull);
	}
	memset(&big, 0, sizeof(big));
	big.tail[1] = 1;
	len = sizeof(big);
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &big, &len), -E2BIG);
	len = 8;
	assert_int_equal(bpf_map_get_info_by_fd(fd, &big.i, &len), 0);
	assert_int_equal(len, 8);
	assert_int_equal(big.i.type, BPF_MAP_TYPE_ARRAY);
	assert_int_equal(big.i.key_size, 0);	/* not copied past len */
	close(fd);
}

static void test_ids_find_maps_and_new_fds(void **state)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), id, next;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 2, 0), fd2;
	uint32_t k = 1;
	uint64_t v = 3;

	(void)state;
	assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	id = info.id;
	assert_int_equal(bpf_map_get_next_id(0, &next), 0);
	assert_int_equal(next, id);
	assert_int_equal(bpf_map_get_next_id(id, &next), -ENOENT);
	assert_int_equal(bpf_map_get_next_id(INT_MAX, &next), -EINVAL);
	fd2 = bpf_map_get_fd_by_id(id);
	assert_true(fd2 >= 0);
	assert_int_equal(bpf_map_update_elem(fd2, &k, &v, 0), 0);
	assert_int_equal(atomic_load(&map_of(fd)->usercnt), 2);
	{
		LIBBPF_OPTS(bpf_get_fd_by_id_opts, o, .open_flags = BPF_F_RDONLY | BPF_F_WRONLY);

		assert_int_equal(bpf_map_get_fd_by_id_opts(id, &o), -EINVAL);
		o.open_flags = BPF_F_NO_PREALLOC;
		assert_int_equal(bpf_map_get_fd_by_id_opts(id, &o), -EINVAL);
	}
	close(fd);
	close(fd2);
	emu_fd_reap();
	assert_int_equal(bpf_map_get_fd_by_id(id), -ENOENT);
	assert_int_equal(bpf_map_get_next_id(0, &next), -ENOENT);
}

static void test_rdonly_and_wronly_fds_as_on_6_18(void **state)
{
	uint32_t k = 1;
	uint64_t v = 1;
	int ro = create(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_RDONLY);
	int wo = create(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_WRONLY);

	(void)state;
	assert_int_equal(bpf_map_update_elem(ro, &k, &v, 0), -EPERM);
	assert_int_equal(bpf_map_lookup_elem(ro, &k, &v), -ENOENT);
	assert_int_equal(bpf_map_freeze(ro), -EPERM);
	assert_int_equal(bpf_map_delete_elem(ro, &k), -EPERM);
	assert_int_equal(bpf_map_lookup_and_delete_elem(ro, &k, &v), -EPERM);
	assert_int_equal(bpf_map_lookup_elem(wo, &k, &v), -EPERM);
	assert_int_equal(bpf_map_get_next_key(wo, NULL, &k), -EPERM);
	assert_int_equal(bpf_map_update_elem(wo, &k, &v, 0), 0);
	assert_int_equal(bpf_map_freeze(wo), 0);
	assert_int_equal(bpf_map_freeze(wo), -EPERM);
	assert_int_equal(bpf_map_update_elem(wo, &k, &v, 0), -EPERM);
	close(ro);
	close(wo);
}

static void test_frozen_map_is_readonly_to_user_space_only(void **state)
{
	uint32_t k = 0;
	uint64_t v = 4;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0);

	(void)state;
	assert_int_equal(bpf_map_freeze(fd), 0);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), -EPERM);
	assert_int_equal(bpf_map_delete_elem(fd, &k), -EPERM);
	/* programs may still write (only BPF_F_RDONLY_PROG stops them) */
	assert_int_equal(bpfemu_helper_map_update_elem(def_of(fd), &k, &v, 0), 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0);
	assert_int_equal(v, 4);
	close(fd);
}

static void test_bad_user_pointers_are_efault_after_the_lookup(void **state)
{
	uint32_t k = 1;
	uint64_t v = 1;
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);

	(void)state;
	assert_int_equal(bpf_map_lookup_elem(fd, NULL, &v), -EFAULT);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, NULL), -ENOENT);
	assert_int_equal(bpf_map_update_elem(fd, &k, NULL, 0), -EFAULT);
	assert_int_equal(bpf_map_update_elem(fd, &k, &v, 0), 0);
	assert_int_equal(bpf_map_lookup_elem(fd, &k, NULL), -EFAULT);
	assert_int_equal(bpf_map_delete_elem(fd, NULL), -EFAULT);
	assert_int_equal(bpf_map_delete_elem_flags(fd, &k, 1), -EINVAL);
	assert_int_equal(bpf_map_get_next_key(fd, NULL, NULL), -EFAULT);
	close(fd);
}

/* __bpf_copy_key(): a keyless map (ring buffers) refuses any key pointer
 * with -EINVAL before its op; only a NULL key reaches the op's -ENOTSUPP
 * (observed on 6.18 by the conformance suite). */
static void test_keyless_maps_refuse_key_pointers_before_the_op(void **state)
{
	char key[4] = { 0 }, val[8] = { 0 };
	int fd;

	(void)state;
	fd = bpf_map_create(BPF_MAP_TYPE_USER_RINGBUF, "rb", 0, 0, 4096, NULL);
	assert_true(fd >= 0);
	assert_int_equal(bpf_map_lookup_elem(fd, key, val), -EINVAL);
	assert_int_equal(bpf_map_update_elem(fd, key, val, 0), -EINVAL);
	assert_int_equal(bpf_map_delete_elem(fd, key), -EINVAL);
	assert_int_equal(bpf_map_get_next_key(fd, key, key), -EINVAL);
	assert_int_equal(bpf_map_lookup_elem(fd, NULL, val), -ENOTSUPP);
	assert_int_equal(bpf_map_update_elem(fd, NULL, val, 0), -ENOTSUPP);
	assert_int_equal(bpf_map_delete_elem(fd, NULL), -ENOTSUPP);
	assert_int_equal(bpf_map_get_next_key(fd, NULL, key), -ENOTSUPP);
	close(fd);
}

static void test_opts_reset_macro_zeroes_and_sets_size(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC);

	(void)state;
	LIBBPF_OPTS_RESET(o, .numa_node = 0);
	assert_int_equal(o.sz, sizeof(o));
	assert_int_equal(o.map_flags, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_validates_opts_like_libbpf),
		T(test_create_generic_checks_in_kernel_order),
		T(test_long_names_are_cut_like_libbpf),
		T(test_get_info_checks_fd_and_tail),
		T(test_ids_find_maps_and_new_fds),
		T(test_rdonly_and_wronly_fds_as_on_6_18),
		T(test_frozen_map_is_readonly_to_user_space_only),
		T(test_bad_user_pointers_are_efault_after_the_lookup),
		T(test_keyless_maps_refuse_key_pointers_before_the_op),
		T(test_opts_reset_macro_zeroes_and_sets_size),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
