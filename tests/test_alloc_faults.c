// SPDX-License-Identifier: MIT
/*
 * Every allocation site of map creation and update fails in turn
 * (bpfemu_fault_inject_nth(n), n = 1, 2, ... until the call succeeds):
 * each failure is -ENOMEM and leaves nothing allocated.
 */
#include "test_map_util.h"

#include <bpfemu/cgroup.h>

typedef int (*op_fn)(void);

static int do_create_array(void)
{
	return create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
}

static int do_create_hash(void)
{
	return create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
}

static int do_create_hash_noprealloc(void)
{
	return create(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_PREALLOC);
}

static int do_create_lru(void)
{
	return create(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 4, 0);
}

/* Cgroup storage needs BTF key and value types (ids are enough here). */
static int create_cgrp_storage(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_NO_PREALLOC,
		    .btf_key_type_id = 1, .btf_value_type_id = 2);

	return bpf_map_create(BPF_MAP_TYPE_CGRP_STORAGE, "m", 4, 8, 0, &o);
}

static void fail_each_site(op_fn op)
{
	long n, base = bpfemu_live_objects();
	int ret;

	for (n = 1; n < 100; n++) {
		bpfemu_fault_inject_nth(n);
		ret = op();
		bpfemu_fault_inject_nth(0);
		if (ret >= 0) {
			close(ret);
			emu_fd_reap();
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(errno, ENOMEM);
		emu_fd_reap();
		assert_int_equal(bpfemu_live_objects(), base);
	}
	assert_true(n > 1);		/* at least one site was exercised */
	assert_true(n < 100);
	assert_int_equal(bpfemu_live_objects(), base);
}

static void test_create_fails_cleanly_at_every_allocation(void **state)
{
	(void)state;
	fail_each_site(do_create_array);
	fail_each_site(do_create_hash);
	fail_each_site(do_create_hash_noprealloc);
	fail_each_site(do_create_lru);
	/* the map, then its id (the pool's first bitmap) */
	fail_each_site(create_cgrp_storage);
}

static int upd_fd;

static int do_update_noprealloc(void)
{
	static uint32_t k = 100;
	uint64_t v = 1;

	k++;
	return bpf_map_update_elem(upd_fd, &k, &v, BPF_NOEXIST);
}

static int do_lookup(void)
{
	uint32_t k = 1;
	uint64_t v;
	int ret = bpf_map_lookup_elem(upd_fd, &k, &v);

	/* a success must look like an fd for fail_each_site: dup one */
	return ret ? ret : dup(upd_fd);
}

static void test_update_fails_cleanly_at_every_allocation(void **state)
{
	uint32_t k = 1;
	uint64_t v = 1;

	(void)state;
	upd_fd = create(BPF_MAP_TYPE_HASH, 4, 8, 64, BPF_F_NO_PREALLOC);
	assert_int_equal(bpf_map_update_elem(upd_fd, &k, &v, 0), 0);
	{
		long n, base = bpfemu_live_objects();
		int ret;

		for (n = 1; n < 10; n++) {
			bpfemu_fault_inject_nth(n);
			ret = do_update_noprealloc();
			bpfemu_fault_inject_nth(0);
			if (ret == 0)
				break;
			assert_int_equal(ret, -ENOMEM);
			assert_int_equal(bpfemu_live_objects(), base);
		}
		assert_true(n > 1);
	}
	fail_each_site(do_lookup);
	close(upd_fd);
}

/* bpf_map_update_elem(@map_fd, &@cg_fd) failing at each allocation in
 * turn until it succeeds: -ENOMEM, nothing created, nothing leaked. */
static void cgrp_update_fails_cleanly(int map_fd, int cg_fd, long sites)
{
	long n, base;
	uint64_t v = 7;
	int ret;

	for (n = 1; n < 10; n++) {
		base = bpfemu_live_objects();
		bpfemu_fault_inject_nth(n);
		ret = bpf_map_update_elem(map_fd, &cg_fd, &v, BPF_NOEXIST);
		bpfemu_fault_inject_nth(0);
		if (ret == 0)
			break;
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(bpfemu_live_objects(), base);
		assert_int_equal(bpf_map_lookup_elem(map_fd, &cg_fd, &v), -ENOENT);
	}
	assert_int_equal(n, sites + 1);
	assert_int_equal(bpf_map_lookup_elem(map_fd, &cg_fd, &v), 0);
	assert_int_equal(v, 7);
}

static void test_cgrp_storage_update_fails_cleanly_at_every_allocation(void **state)
{
	int fd[17], cg_fd, i;

	(void)state;
	assert_true(bpfemu_cgroup_create("/a") > 0);
	cg_fd = bpfemu_cgroup_open("/a");
	assert_true(cg_fd >= 0);
	for (i = 0; i < 17; i++) {
		fd[i] = create_cgrp_storage();
		assert_true(fd[i] >= 0);
	}
	/* the cgroup's first element: the element, the storage (with its
	 * first index, sized for the 17 maps) */
	cgrp_update_fails_cleanly(fd[0], cg_fd, 2);
	/* a later one: the element only */
	cgrp_update_fails_cleanly(fd[1], cg_fd, 1);
	for (i = 0; i < 17; i++)
		close(fd[i]);
	emu_fd_reap();

	/* 16 maps give the cgroup a 16-slot index, the 17th map's element
	 * needs a larger one: the element, then the index */
	for (i = 0; i < 17; i++) {
		fd[i] = create_cgrp_storage();
		assert_true(fd[i] >= 0);
		if (i < 16)
			cgrp_update_fails_cleanly(fd[i], cg_fd, i ? 1 : 2);
	}
	cgrp_update_fails_cleanly(fd[16], cg_fd, 2);
	for (i = 0; i < 17; i++)
		close(fd[i]);
	close(cg_fd);
}

static void test_fd_creation_fails_without_a_reference(void **state)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	struct emu_map *m = map_of(fd);
	long n;
	int ret;

	(void)state;
	for (n = 1; n < 20; n++) {
		bpfemu_fault_inject_nth(n);
		ret = emu_map_new_fd(m, 0);
		bpfemu_fault_inject_nth(0);
		if (ret >= 0) {
			close(ret);
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(atomic_load(&m->usercnt), 1);
	}
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_fails_cleanly_at_every_allocation),
		T(test_update_fails_cleanly_at_every_allocation),
		T(test_cgrp_storage_update_fails_cleanly_at_every_allocation),
		T(test_fd_creation_fails_without_a_reference),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
