// SPDX-License-Identifier: MIT
/*
 * Every allocation site of map creation and update fails in turn
 * (bpfemu_fault_inject_nth(n), n = 1, 2, ... until the call succeeds):
 * each failure is -ENOMEM and leaves nothing allocated.
 */
#include "test_map_util.h"

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
		T(test_fd_creation_fails_without_a_reference),
	};

	return cmocka_run_group_tests(tests, map_group_setup, map_group_teardown);
}
