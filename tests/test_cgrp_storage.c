// SPDX-License-Identifier: MIT
/*
 * BPF_MAP_TYPE_CGRP_STORAGE: creation rules (cgrp_storage.md §1), the map
 * ids and per-cgroup indexes that replace the kernel's cache (§3),
 * bpf_cgrp_storage_get (§4) and _delete (§5) in the kernel's order, the
 * 6.15-6.19 busy semantics (§8), user-space access with a cgroup fd as the
 * key (§6) and lifetime (§7).
 */
#include "test_cgrp_storage.h"

/* ------------------------------------------------------------ creation */

static int create_err(struct emu_map_attr *attr)
{
	struct smap m;
	int err = smap_open_attr(&m, attr);

	if (!err)
		smap_close(&m);
	return err;
}

static void test_create_with_flags_beyond_no_prealloc_and_clone_returns_einval(void **state)
{
	struct emu_map_attr attr = smap_attr(16);

	(void)state;
	attr.map_flags = BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG;
	assert_int_equal(create_err(&attr), -EINVAL);
	attr.map_flags = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE;
	assert_int_equal(create_err(&attr), -EINVAL);
	attr.map_flags = BPF_F_NO_PREALLOC | BPF_F_CLONE;
	assert_int_equal(create_err(&attr), 0);
}

static void test_create_without_no_prealloc_returns_einval(void **state)
{
	struct emu_map_attr attr = smap_attr(16);

	(void)state;
	attr.map_flags = 0;
	assert_int_equal(create_err(&attr), -EINVAL);
	attr.map_flags = BPF_F_CLONE;
	assert_int_equal(create_err(&attr), -EINVAL);
}

static void test_create_with_max_entries_key_size_or_zero_value_returns_einval(void **state)
{
	struct emu_map_attr attr;

	(void)state;
	attr = smap_attr(16);
	attr.max_entries = 1;
	assert_int_equal(create_err(&attr), -EINVAL);
	attr = smap_attr(16);
	attr.key_size = 8;
	assert_int_equal(create_err(&attr), -EINVAL);
	attr = smap_attr(16);
	attr.key_size = 0;
	assert_int_equal(create_err(&attr), -EINVAL);
	attr = smap_attr(0);
	assert_int_equal(create_err(&attr), -EINVAL);
}

static void test_create_without_btf_returns_einval_before_e2big(void **state)
{
	struct emu_map_attr attr = smap_attr(16);

	(void)state;
	attr.has_btf = false;
	attr.btf_key_type_id = 0;
	attr.btf_value_type_id = 0;
	assert_int_equal(create_err(&attr), -EINVAL);
	attr.value_size = 65408;
	assert_int_equal(create_err(&attr), -EINVAL);
	/* a value type without a key type (__uint(key_size, 4)) */
	attr.value_size = 16;
	attr.has_btf = true;
	attr.btf_value_type_id = 2;
	assert_int_equal(create_err(&attr), -EINVAL);
}

static void test_create_value_size_limit_is_65407(void **state)
{
	struct emu_map_attr attr = smap_attr(65407);

	(void)state;
	/* observed on 6.18: 65407 created, 65408 and 65536 -E2BIG */
	assert_int_equal(create_err(&attr), 0);
	attr.value_size = 65408;
	assert_int_equal(create_err(&attr), -E2BIG);
	attr.value_size = 65536;
	assert_int_equal(create_err(&attr), -E2BIG);
}

static void test_create_with_timer_or_wq_in_value_returns_eopnotsupp(void **state)
{
	struct emu_map_attr attr = smap_attr(32);

	(void)state;
	attr.nr_fields = 1;
	attr.fields[0].kind = EMU_FIELD_TIMER;
	attr.fields[0].offset = 8;
	attr.fields[0].size = sizeof(struct bpf_timer);
	assert_int_equal(create_err(&attr), -EOPNOTSUPP);
	attr.fields[0].kind = EMU_FIELD_WQ;
	assert_int_equal(create_err(&attr), -EOPNOTSUPP);
	attr.fields[0].kind = EMU_FIELD_SPIN_LOCK;
	attr.fields[0].size = sizeof(struct bpf_spin_lock);
	assert_int_equal(create_err(&attr), 0);
}

static void test_map_ids_are_dense_lowest_free_first_and_go_with_the_last_map(void **state)
{
	struct smap m[70];
	int i;

	(void)state;
	for (i = 0; i < 70; i++) {
		assert_int_equal(smap_open(&m[i]), 0);
		assert_int_equal(emu_ls_map_id(m[i].map), i);
	}
	/* a freed id is the lowest free one again */
	smap_close(&m[5]);
	smap_close(&m[66]);
	assert_int_equal(smap_open(&m[5]), 0);
	assert_int_equal(emu_ls_map_id(m[5].map), 5);
	assert_int_equal(smap_open(&m[66]), 0);
	assert_int_equal(emu_ls_map_id(m[66].map), 66);
	for (i = 0; i < 70; i++)
		smap_close(&m[i]);
	/* nothing left of the pool (the teardown counts live objects) */
	assert_int_equal(smap_open(&m[0]), 0);
	assert_int_equal(emu_ls_map_id(m[0].map), 0);
	smap_close(&m[0]);
}

/*
 * The set-up most tests below share: a map (opened by @open: smap_open or
 * smap_open_locked), the cgroup /a with a test reference (cg_make) and, when
 * @fd is not NULL, an fd on /a for the user-space commands.  A set-up step
 * that fails, fails here under the test's name.  fixture_close() undoes it
 * in the order the tests always did: the fd (-1: none), the cgroup
 * reference, the map.
 */
static struct cgroup *fixture_open(struct smap *m, int (*open)(struct smap *), int *fd)
{
	struct cgroup *cg;

	assert_int_equal(open(m), 0);
	cg = cg_make("/a", NULL);
	assert_non_null(cg);
	if (fd) {
		*fd = bpfemu_cgroup_open("/a");
		assert_true(*fd >= 0);
	}
	return cg;
}

static void fixture_close(struct smap *m, struct cgroup *cg, int fd)
{
	if (fd >= 0)
		close(fd);
	bpfemu_cgroup_put(cg);
	smap_close(m);
}

/* ------------------------------------------------------------------ get */

static void test_get_without_create_on_empty_cgroup_returns_null_and_creates_nothing(void **state)
{
	struct smap m;
	struct cgroup *cg;
	struct val v;
	int fd;

	(void)state;
	cg = fixture_open(&m, smap_open, &fd);
	assert_null(s_get(&m, cg, NULL, 0));
	assert_null(cg->bpf_cgrp_storage);
	assert_int_equal(us_lookup(&m, fd, &v, 0), -ENOENT);
	fixture_close(&m, cg, fd);
}

static void test_get_create_without_value_gives_zeroed_storage(void **state)
{
	struct smap m;
	struct cgroup *cg;
	struct val *p;

	(void)state;
	cg = fixture_open(&m, smap_open, NULL);
	p = s_get(&m, cg, NULL, F_CREATE);
	assert_non_null(p);
	assert_int_equal(p->a, 0);
	assert_int_equal(p->b, 0);
	assert_ptr_equal((uintptr_t)p % 8, 0);
	fixture_close(&m, cg, -1);
}

static void test_get_create_with_value_copies_it_and_user_space_reads_it(void **state)
{
	struct val init = { 7, 8 }, out;
	struct smap m;
	struct cgroup *cg;
	struct val *p;
	int fd;

	(void)state;
	cg = fixture_open(&m, smap_open, &fd);
	p = s_get(&m, cg, &init, F_CREATE);
	assert_non_null(p);
	assert_int_equal(p->a, 7);
	assert_int_equal(p->b, 8);
	assert_int_equal(us_lookup(&m, fd, &out, 0), 0);
	assert_int_equal(out.a, 7);
	assert_int_equal(out.b, 8);
	fixture_close(&m, cg, fd);
}

static void test_get_create_does_not_copy_the_spin_lock(void **state)
{
	struct lval init = { .a = 1, .lock = { 0x5a5a }, .b = 2 };
	struct smap m;
	struct cgroup *cg;
	struct lval *p;

	(void)state;
	cg = fixture_open(&m, smap_open_locked, NULL);
	p = s_get(&m, cg, &init, F_CREATE);
	assert_non_null(p);
	assert_int_equal(p->a, 1);
	assert_int_equal(p->b, 2);
	assert_int_equal(p->lock.val, 0);
	fixture_close(&m, cg, -1);
}

static void test_second_get_returns_the_same_storage_unchanged(void **state)
{
	struct val one = { 1, 1 }, two = { 2, 2 };
	struct smap m;
	struct cgroup *cg;
	struct val *p, *q;

	(void)state;
	cg = fixture_open(&m, smap_open, NULL);
	p = s_get(&m, cg, &one, F_CREATE);
	q = s_get(&m, cg, &two, F_CREATE);
	assert_ptr_equal(p, q);
	assert_int_equal(q->a, 1);
	assert_ptr_equal(s_get(&m, cg, NULL, 0), p);
	p->b = 42;
	assert_int_equal(((struct val *)s_get(&m, cg, NULL, 0))->b, 42);
	fixture_close(&m, cg, -1);
}

static void test_get_with_unknown_flags_returns_null_even_with_storage(void **state)
{
	struct smap m;
	struct cgroup *cg;
	struct val *p;

	(void)state;
	cg = fixture_open(&m, smap_open, NULL);
	assert_null(s_get(&m, cg, NULL, F_CREATE | 2));
	assert_null(cg->bpf_cgrp_storage);		/* nothing created */
	p = s_get(&m, cg, NULL, F_CREATE);
	assert_non_null(p);
	p->a = 5;
	assert_null(s_get(&m, cg, NULL, 2));
	assert_null(s_get(&m, cg, NULL, ~0ULL));
	assert_ptr_equal(s_get(&m, cg, NULL, 0), p);
	assert_int_equal(p->a, 5);
	fixture_close(&m, cg, -1);
}

static void test_get_with_null_cgroup_returns_null(void **state)
{
	struct smap m;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	assert_null(s_get(&m, NULL, NULL, F_CREATE));
	assert_null(s_get(&m, NULL, NULL, 0));
	smap_close(&m);
}

static void test_get_on_a_dying_cgroup_finds_storage_but_creates_none(void **state)
{
	struct smap m1, m2;
	struct cgroup *cg;
	struct val *p;

	(void)state;
	cg = fixture_open(&m1, smap_open, NULL);
	assert_int_equal(smap_open(&m2), 0);
	p = s_get(&m1, cg, NULL, F_CREATE);
	p->a = 42;
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	/* observed on 6.18 from tp_btf/cgroup_rmdir */
	assert_true(emu_cgroup_is_dying(cg));
	assert_null(s_get(&m2, cg, NULL, F_CREATE));
	assert_ptr_equal(s_get(&m1, cg, NULL, F_CREATE), p);
	assert_int_equal(s_del(&m1, cg), 0);
	assert_int_equal(s_del(&m1, cg), -ENOENT);
	assert_null(s_get(&m1, cg, NULL, F_CREATE));
	fixture_close(&m1, cg, -1);
	smap_close(&m2);
}

static void test_get_with_something_else_than_a_cgrp_storage_map_is_rejected(void **state)
{
	struct emu_map_attr attr = {
		.map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 8,
		.max_entries = 1, .inner_map_fd = -1,
	};
	struct smap arr;
	long junk[2] = { 0, 0 };
	struct cgroup *cg = emu_cgroup_root();

	(void)state;
	strcpy(attr.name, "arr");
	assert_int_equal(smap_open_attr(&arr, &attr), 0);
	bpfemu_diag_clear();
	assert_null(bpfemu_helper_cgrp_storage_get(arr.def, cg, NULL, F_CREATE));
	assert_true(bpfemu_diag_has("map_helper_mismatch"));
	assert_int_equal(bpfemu_helper_cgrp_storage_delete(arr.def, cg), -EINVAL);
	bpfemu_diag_clear();
	assert_null(bpfemu_helper_cgrp_storage_get(junk, cg, NULL, F_CREATE));
	assert_true(bpfemu_diag_has("not_a_map"));
	smap_close(&arr);
}

static void test_get_create_out_of_memory_returns_null_and_leaks_nothing(void **state)
{
	struct smap m1, m2;
	struct cgroup *cg;
	long before;
	int n;

	(void)state;
	cg = fixture_open(&m1, smap_open, NULL);
	assert_int_equal(smap_open(&m2), 0);
	/* first element: the element, then the per-cgroup storage */
	for (n = 1; n <= 2; n++) {
		before = bpfemu_live_objects();
		bpfemu_fault_inject_nth(n);
		assert_null(s_get(&m1, cg, NULL, F_CREATE));
		bpfemu_fault_inject_nth(0);
		assert_null(cg->bpf_cgrp_storage);
		assert_int_equal(bpfemu_live_objects(), before);
	}
	assert_non_null(s_get(&m1, cg, NULL, F_CREATE));
	/* a later element of another map: only the element */
	before = bpfemu_live_objects();
	bpfemu_fault_inject_nth(1);
	assert_null(s_get(&m2, cg, NULL, F_CREATE));
	bpfemu_fault_inject_nth(0);
	assert_int_equal(bpfemu_live_objects(), before);
	assert_null(s_get(&m2, cg, NULL, 0));
	assert_non_null(s_get(&m1, cg, NULL, 0));
	fixture_close(&m1, cg, -1);
	smap_close(&m2);
}

/* --------------------------------------------------------------- delete */

static void test_delete_with_null_cgroup_returns_einval(void **state)
{
	struct smap m;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	assert_int_equal(s_del(&m, NULL), -EINVAL);
	smap_close(&m);
}

static void test_delete_of_missing_storage_returns_enoent(void **state)
{
	struct smap m1, m2;
	struct cgroup *cg;

	(void)state;
	cg = fixture_open(&m1, smap_open, NULL);
	assert_int_equal(smap_open(&m2), 0);
	/* no storage at all on the cgroup */
	assert_int_equal(s_del(&m1, cg), -ENOENT);
	/* storage of another map only */
	assert_non_null(s_get(&m2, cg, NULL, F_CREATE));
	assert_int_equal(s_del(&m1, cg), -ENOENT);
	fixture_close(&m1, cg, -1);
	smap_close(&m2);
}

static void test_delete_removes_storage_then_get_is_null_and_user_lookup_enoent(void **state)
{
	struct smap m;
	struct cgroup *cg;
	struct val v;
	int fd;

	(void)state;
	cg = fixture_open(&m, smap_open, &fd);
	assert_non_null(s_get(&m, cg, NULL, F_CREATE));
	assert_int_equal(s_del(&m, cg), 0);
	assert_null(s_get(&m, cg, NULL, 0));
	assert_int_equal(s_del(&m, cg), -ENOENT);
	assert_int_equal(us_lookup(&m, fd, &v, 0), -ENOENT);
	/* the last element took the per-cgroup storage with it */
	assert_null(cg->bpf_cgrp_storage);
	fixture_close(&m, cg, fd);
}

/* ----------------------------------------------------------------- busy */

struct nest {
	struct smap *m;
	struct cgroup *cg;
	void *got;
	void *got_create;
	long del;
	int busy;
};

static void nest_hook(void *arg)
{
	struct nest *n = arg;

	n->busy = emu_cgrp_storage_busy();
	n->got = s_get(n->m, n->cg, NULL, 0);
	n->got_create = s_get(n->m, n->cg, NULL, F_CREATE);
	n->del = s_del(n->m, n->cg);
}

static void test_nested_get_while_busy_finds_existing_storage(void **state)
{
	struct smap m, other;
	struct cgroup *cg;
	struct nest n = { 0 };
	void *p;

	(void)state;
	cg = fixture_open(&m, smap_open, NULL);
	assert_int_equal(smap_open(&other), 0);
	p = s_get(&m, cg, NULL, F_CREATE);
	/* indexed from its creation on: no cache to fill, nothing for busy
	 * to skip (the kernel's busy lookup does not cache) */
	assert_ptr_equal(ls_indexed(cg, &m), ls_elem_of(p));
	n.m = &m;
	n.cg = cg;
	emu_cgrp_storage_set_busy_hook(nest_hook, &n);
	assert_null(s_get(&other, cg, NULL, 0));
	assert_int_equal(n.busy, 1);
	assert_ptr_equal(n.got, p);
	assert_ptr_equal(n.got_create, p);
	assert_int_equal(n.del, -EBUSY);
	/* not busy any more: found, deletable */
	assert_int_equal(emu_cgrp_storage_busy(), 0);
	assert_ptr_equal(s_get(&m, cg, NULL, 0), p);
	assert_ptr_equal(ls_indexed(cg, &m), ls_elem_of(p));
	assert_int_equal(s_del(&m, cg), 0);
	fixture_close(&m, cg, -1);
	smap_close(&other);
}

static void test_nested_get_create_while_busy_returns_null_and_creates_nothing(void **state)
{
	struct smap m;
	struct cgroup *cg;
	struct nest n = { 0 };
	int fd;

	(void)state;
	cg = fixture_open(&m, smap_open, &fd);
	n.m = &m;
	n.cg = cg;
	emu_cgrp_storage_set_busy_hook(nest_hook, &n);
	/* a user-space delete takes the counter unconditionally */
	assert_int_equal(us_delete(&m, fd), -ENOENT);
	assert_int_equal(n.busy, 1);
	assert_null(n.got);
	assert_null(n.got_create);
	assert_int_equal(n.del, -EBUSY);
	assert_null(cg->bpf_cgrp_storage);
	fixture_close(&m, cg, fd);
}

static void test_nested_delete_inside_a_user_update_returns_ebusy(void **state)
{
	struct val v = { 3, 4 }, out;
	struct smap m;
	struct cgroup *cg;
	struct nest n = { 0 };
	int fd;

	(void)state;
	cg = fixture_open(&m, smap_open, &fd);
	assert_int_equal(us_update(&m, fd, &v, BPF_ANY), 0);
	n.m = &m;
	n.cg = cg;
	emu_cgrp_storage_set_busy_hook(nest_hook, &n);
	v.a = 9;
	assert_int_equal(us_update(&m, fd, &v, BPF_EXIST), 0);
	assert_int_equal(n.del, -EBUSY);
	assert_non_null(n.got);
	assert_int_equal(us_lookup(&m, fd, &out, 0), 0);
	assert_int_equal(out.a, 9);
	fixture_close(&m, cg, fd);
}

/* ----------------------------------------------------------- user space */

static void test_user_update_modes_create_replace_and_refuse(void **state)
{
	struct val v = { 1, 2 }, out;
	struct smap m;
	struct cgroup *cg;
	struct val *p, *q;
	int fd;

	(void)state;
	cg = fixture_open(&m, smap_open, &fd);
	assert_int_equal(us_update(&m, fd, &v, BPF_EXIST), -ENOENT);
	assert_int_equal(us_lookup(&m, fd, &out, 0), -ENOENT);
	assert_int_equal(us_update(&m, fd, &v, BPF_NOEXIST), 0);
	v.a = 100;
	assert_int_equal(us_update(&m, fd, &v, BPF_NOEXIST), -EEXIST);
	assert_int_equal(us_lookup(&m, fd, &out, 0), 0);
	assert_int_equal(out.a, 1);
	/* BPF_ANY replaces with new memory: a program must get it again */
	p = s_get(&m, cg, NULL, 0);
	assert_int_equal(us_update(&m, fd, &v, BPF_ANY), 0);
	q = s_get(&m, cg, NULL, 0);
	assert_ptr_not_equal(p, q);
	assert_int_equal(q->a, 100);
	v.a = 200;
	assert_int_equal(us_update(&m, fd, &v, BPF_EXIST), 0);
	assert_int_equal(((struct val *)s_get(&m, cg, NULL, 0))->a, 200);
	fixture_close(&m, cg, fd);
}

static void test_user_update_with_bad_flags_returns_einval_and_creates_nothing(void **state)
{
	struct val v = { 1, 2 }, out;
	struct smap m;
	int fd;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	assert_true(bpfemu_cgroup_create("/a") > 0);
	fd = bpfemu_cgroup_open("/a");
	assert_int_equal(us_update(&m, fd, &v, BPF_NOEXIST | BPF_EXIST), -EINVAL);
	assert_int_equal(us_update(&m, fd, &v, 8), -EINVAL);
	assert_int_equal(us_update(&m, fd, &v, BPF_F_LOCK), -EINVAL);
	assert_int_equal(us_lookup(&m, fd, &out, 0), -ENOENT);
	/* BPF_F_LOCK without a lock is refused before the key is looked at */
	assert_int_equal(us_update(&m, -1, &v, BPF_F_LOCK), -EINVAL);
	assert_int_equal(us_lookup(&m, fd, &out, BPF_F_LOCK), -EINVAL);
	assert_int_equal(us_lookup(&m, fd, &out, 2), -EINVAL);
	close(fd);
	smap_close(&m);
}

static void test_user_f_lock_update_is_in_place_and_lookup_zeroes_the_lock(void **state)
{
	struct lval v = { .a = 1, .lock = { 77 }, .b = 2 }, out;
	struct smap m;
	struct cgroup *cg;
	struct lval *p;
	int fd;

	(void)state;
	cg = fixture_open(&m, smap_open_locked, &fd);
	/* BPF_F_LOCK | BPF_EXIST on nothing: -ENOENT */
	assert_int_equal(us_update(&m, fd, &v, BPF_F_LOCK | BPF_EXIST), -ENOENT);
	assert_int_equal(us_update(&m, fd, &v, BPF_F_LOCK), 0);
	p = s_get(&m, cg, NULL, 0);
	assert_int_equal(p->lock.val, 0);
	v.a = 10;
	assert_int_equal(us_update(&m, fd, &v, BPF_F_LOCK | BPF_EXIST), 0);
	assert_ptr_equal(s_get(&m, cg, NULL, 0), p);		/* same element */
	assert_int_equal(p->a, 10);
	assert_int_equal(p->lock.val, 0);
	v.a = 11;
	assert_int_equal(us_update(&m, fd, &v, BPF_F_LOCK | BPF_NOEXIST), -EEXIST);
	assert_int_equal(us_update(&m, fd, &v, BPF_F_LOCK | BPF_ANY), 0);
	assert_ptr_equal(s_get(&m, cg, NULL, 0), p);
	p->lock.val = 0;
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(us_lookup(&m, fd, &out, BPF_F_LOCK), 0);
	assert_int_equal(out.a, 11);
	assert_int_equal(out.lock.val, 0);
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(us_lookup(&m, fd, &out, 0), 0);
	assert_int_equal(out.lock.val, 0);
	assert_int_equal(out.b, 2);
	fixture_close(&m, cg, fd);
}

static void test_user_key_that_is_not_an_open_cgroup_fd_returns_ebadf(void **state)
{
	struct val v = { 1, 2 };
	struct smap m;
	int devnull, unused;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	devnull = open("/dev/null", O_RDONLY);
	assert_true(devnull >= 0);
	unused = dup(devnull);
	close(unused);				/* a number that is not open */
	assert_int_equal(us_lookup(&m, -1, &v, 0), -EBADF);
	assert_int_equal(us_update(&m, -1, &v, 0), -EBADF);
	assert_int_equal(us_delete(&m, -1), -EBADF);
	assert_int_equal(us_lookup(&m, unused, &v, 0), -EBADF);
	assert_int_equal(us_lookup(&m, devnull, &v, 0), -EBADF);
	assert_int_equal(us_update(&m, devnull, &v, 0), -EBADF);
	assert_int_equal(us_delete(&m, devnull), -EBADF);
	close(devnull);
	smap_close(&m);
}

static void test_user_key_of_a_removed_cgroup_returns_enoent(void **state)
{
	struct val v = { 1, 2 };
	struct smap m;
	int fd;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	assert_true(bpfemu_cgroup_create("/a") > 0);
	fd = bpfemu_cgroup_open("/a");
	assert_int_equal(us_update(&m, fd, &v, BPF_ANY), 0);
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	assert_int_equal(us_lookup(&m, fd, &v, 0), -ENOENT);
	assert_int_equal(us_update(&m, fd, &v, BPF_ANY), -ENOENT);
	assert_int_equal(us_delete(&m, fd), -ENOENT);
	close(fd);
	smap_close(&m);
}

static void test_user_root_cgroup_is_a_valid_key(void **state)
{
	struct val v = { 5, 6 }, out;
	struct smap m;
	int fd;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	fd = bpfemu_cgroup_open("/");
	assert_true(fd >= 0);
	assert_int_equal(us_update(&m, fd, &v, BPF_ANY), 0);
	assert_int_equal(((struct val *)s_get(&m, emu_cgroup_root(), NULL, 0))->b, 6);
	assert_int_equal(us_lookup(&m, fd, &out, 0), 0);
	assert_int_equal(us_delete(&m, fd), 0);
	assert_int_equal(us_delete(&m, fd), -ENOENT);
	close(fd);
	smap_close(&m);
}

static void test_user_get_next_key_returns_enotsupp(void **state)
{
	struct smap m;
	int fd, next;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	fd = bpfemu_cgroup_open("/");
	assert_int_equal(m.map->ops->get_next_key(m.map, NULL, &next), -ENOTSUPP);
	assert_int_equal(m.map->ops->get_next_key(m.map, &fd, &next), -ENOTSUPP);
	close(fd);
	smap_close(&m);
}

/* -------------------------------------------------------------- lifetime */

static void test_storage_lives_until_the_removed_cgroup_is_freed(void **state)
{
	struct val v = { 1, 2 };
	struct smap m;
	long with_storage;
	uint64_t old_id;
	struct cgroup *cg;
	int fd;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	cg = cg_make("/a", &old_id);
	fd = bpfemu_cgroup_open("/a");
	assert_int_equal(us_update(&m, fd, &v, BPF_ANY), 0);
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	/* the fd and our reference keep the cgroup and its storage */
	assert_non_null(cg->bpf_cgrp_storage);
	assert_non_null(s_get(&m, cg, NULL, 0));
	assert_null(bpf_cgroup_from_id(old_id));
	close(fd);
	emu_fd_reap();
	with_storage = bpfemu_live_objects();
	bpfemu_cgroup_put(cg);
	/* cgroup, per-cgroup storage and element are gone */
	assert_int_equal(bpfemu_live_objects(), with_storage - 3);
	/* the same path again: a new cgroup, a new id, no storage */
	cg = cg_make("/a", NULL);
	assert_true(emu_cgroup_id(cg) > old_id);
	assert_null(s_get(&m, cg, NULL, 0));
	fd = bpfemu_cgroup_open("/a");
	assert_int_equal(us_lookup(&m, fd, &v, 0), -ENOENT);
	fixture_close(&m, cg, fd);
}

static void test_freeing_the_map_frees_its_storage_on_every_cgroup_only(void **state)
{
	struct smap m1, m2;
	struct cgroup *cg[3];
	char path[16];
	long before;
	int i;

	(void)state;
	assert_int_equal(smap_open(&m2), 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/c%d", i);
		cg[i] = cg_make(path, NULL);
		assert_non_null(s_get(&m2, cg[i], NULL, F_CREATE));
	}
	before = bpfemu_live_objects();
	assert_int_equal(smap_open(&m1), 0);
	for (i = 0; i < 3; i++)
		((struct val *)s_get(&m1, cg[i], NULL, F_CREATE))->a = i + 1;
	smap_close(&m1);
	assert_int_equal(bpfemu_live_objects(), before);
	for (i = 0; i < 3; i++) {
		assert_non_null(s_get(&m2, cg[i], NULL, 0));
		bpfemu_cgroup_put(cg[i]);
	}
	smap_close(&m2);
	for (i = 0; i < 3; i++)
		assert_null(cg[i]->bpf_cgrp_storage);
}

static void test_closing_the_last_map_fd_keeps_storage_while_a_program_holds_the_map(void **state)
{
	struct smap m;
	struct cgroup *cg;
	struct emu_map *map;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	map = m.map;
	cg = cg_make("/a", NULL);
	((struct val *)s_get(&m, cg, NULL, F_CREATE))->a = 31;
	emu_map_get(map);			/* a loaded program's reference */
	emu_map_put_uref(map);			/* usercnt 0: no release_uref */
	assert_int_equal(atomic_load(&map->usercnt), 0);
	assert_int_equal(((struct val *)s_get(&m, cg, NULL, 0))->a, 31);
	emu_map_unbind_def(m.def);
	emu_map_put(map);
	assert_null(cg->bpf_cgrp_storage);
	bpfemu_cgroup_put(cg);
}

static void test_many_maps_on_one_cgroup_are_independent(void **state)
{
	enum { N = 40 };
	struct smap m[N];
	struct cgroup *cg, *other;
	struct val *p;
	int i;

	(void)state;
	cg = cg_make("/a", NULL);
	other = cg_make("/b", NULL);
	for (i = 0; i < N; i++) {
		assert_int_equal(smap_open(&m[i]), 0);
		p = s_get(&m[i], cg, NULL, F_CREATE);
		p->a = i;
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(((struct val *)s_get(&m[i], cg, NULL, 0))->a, i);
		/* twice: the first left nothing behind (no cache) */
		assert_int_equal(((struct val *)s_get(&m[i], cg, NULL, 0))->a, i);
		assert_null(s_get(&m[i], other, NULL, 0));
	}
	for (i = 0; i < N; i += 2)
		assert_int_equal(s_del(&m[i], cg), 0);
	for (i = 0; i < N; i++) {
		p = s_get(&m[i], cg, NULL, 0);
		if (i % 2)
			assert_int_equal(p->a, i);
		else
			assert_null(p);
	}
	for (i = 0; i < N; i++)
		smap_close(&m[i]);
	assert_null(cg->bpf_cgrp_storage);
	bpfemu_cgroup_put(cg);
	bpfemu_cgroup_put(other);
}

static void test_many_cgroups_on_one_map_are_independent(void **state)
{
	enum { N = 100 };
	struct cgroup *cg[N];
	struct smap m;
	char path[16];
	int i;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/g%d", i);
		cg[i] = cg_make(path, NULL);
		((struct val *)s_get(&m, cg[i], NULL, F_CREATE))->a = i * 3;
	}
	for (i = 0; i < N; i++)
		assert_int_equal(((struct val *)s_get(&m, cg[i], NULL, 0))->a, i * 3);
	for (i = 0; i < N; i++) {
		bpfemu_cgroup_put(cg[i]);
		snprintf(path, sizeof(path), "/g%d", i);
		if (i % 2)
			assert_int_equal(bpfemu_cgroup_remove(path), 0);
	}
	assert_int_equal(emu_ls_map_of(m.map)->nr_elems, N / 2);
	smap_close(&m);
}

/* More maps than the kernel's 16 cache slots, created after the cgroup got
 * its storage: its index grows (16, 32, 64, 128 slots) as elements of
 * larger ids come, with gets and deletes in between. */
static void test_seventy_maps_on_one_cgroup_grow_its_index_through_gets_and_deletes(void **state)
{
	enum { N = 70 };
	struct smap m[N];
	struct cgroup *cg;
	struct val *p;
	int i, j;

	(void)state;
	cg = cg_make("/a", NULL);
	for (i = 0; i < N; i++) {
		assert_int_equal(smap_open(&m[i]), 0);
		p = s_get(&m[i], cg, NULL, F_CREATE);
		assert_non_null(p);
		p->a = i;
		assert_int_equal(ls_index_nr(cg), i < 16 ? 16 : i < 32 ? 32 : i < 64 ? 64 : 128);
		/* every map so far still finds its own element; every third
		 * one is deleted and created again on the way */
		for (j = 0; j <= i; j++) {
			p = s_get(&m[j], cg, NULL, 0);
			assert_non_null(p);
			assert_int_equal(p->a, j);
		}
		if (i % 3 == 0 && i) {
			assert_int_equal(s_del(&m[i / 2], cg), 0);
			assert_null(s_get(&m[i / 2], cg, NULL, 0));
			assert_null(ls_indexed(cg, &m[i / 2]));
			p = s_get(&m[i / 2], cg, NULL, F_CREATE);
			assert_int_equal(p->a, 0);
			p->a = i / 2;
		}
	}
	assert_int_equal(ls_list_len(cg), N);
	for (i = 0; i < N; i += 2)
		assert_int_equal(s_del(&m[i], cg), 0);
	for (i = 0; i < N; i++) {
		p = s_get(&m[i], cg, NULL, 0);
		if (i % 2) {
			assert_int_equal(p->a, i);
			assert_ptr_equal(ls_indexed(cg, &m[i]), ls_elem_of(p));
		} else {
			assert_null(p);
			assert_null(ls_indexed(cg, &m[i]));
			assert_int_equal(s_del(&m[i], cg), -ENOENT);
		}
	}
	assert_int_equal(ls_list_len(cg), N / 2);
	/* the last element takes the storage and its index */
	for (i = 1; i < N; i += 2)
		assert_int_equal(s_del(&m[i], cg), 0);
	assert_null(cg->bpf_cgrp_storage);
	for (i = 0; i < N; i++)
		smap_close(&m[i]);
	bpfemu_cgroup_put(cg);
}

/* A new cgroup's index has room for every id in use: no growth. */
static void test_a_new_cgroups_index_is_sized_for_the_maps_in_use(void **state)
{
	enum { N = 40 };
	struct smap m[N];
	struct cgroup *cg;
	int i;

	(void)state;
	for (i = 0; i < N; i++)
		assert_int_equal(smap_open(&m[i]), 0);
	cg = cg_make("/a", NULL);
	assert_non_null(s_get(&m[0], cg, NULL, F_CREATE));
	assert_int_equal(ls_index_nr(cg), N);
	for (i = 1; i < N; i++)
		assert_non_null(s_get(&m[i], cg, NULL, F_CREATE));
	assert_int_equal(ls_index_nr(cg), N);
	for (i = 0; i < N; i++)
		smap_close(&m[i]);
	bpfemu_cgroup_put(cg);
}

/* A freed map's id goes to the next map; the old map's elements went with
 * it, so nothing of theirs is found through the same slot. */
static void test_a_freed_maps_id_goes_to_a_new_map_that_sees_none_of_its_storage(void **state)
{
	enum { N = 20 };
	struct smap m[N], fresh;
	struct cgroup *cg, *cg2;
	struct val *p;
	unsigned int id;
	int fd, i;

	(void)state;
	cg = cg_make("/a", NULL);
	cg2 = cg_make("/b", NULL);
	fd = bpfemu_cgroup_open("/a");
	assert_true(fd >= 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(smap_open(&m[i]), 0);
		((struct val *)s_get(&m[i], cg, NULL, F_CREATE))->a = 100 + i;
		((struct val *)s_get(&m[i], cg2, NULL, F_CREATE))->a = 200 + i;
	}
	id = emu_ls_map_id(m[17].map);
	smap_close(&m[17]);
	/* its slot was emptied with its elements */
	assert_null(atomic_load(&atomic_load(&cg->bpf_cgrp_storage->index)->slot[id]));
	assert_int_equal(smap_open(&fresh), 0);
	assert_int_equal(emu_ls_map_id(fresh.map), id);
	assert_null(s_get(&fresh, cg, NULL, 0));
	assert_null(s_get(&fresh, cg2, NULL, 0));
	assert_null(ls_indexed(cg, &fresh));
	assert_int_equal(us_lookup(&fresh, fd, &(struct val){ 0 }, 0), -ENOENT);
	assert_int_equal(s_del(&fresh, cg), -ENOENT);
	p = s_get(&fresh, cg, NULL, F_CREATE);
	assert_non_null(p);
	assert_int_equal(p->a, 0);
	assert_ptr_equal(ls_indexed(cg, &fresh), ls_elem_of(p));
	assert_null(s_get(&fresh, cg2, NULL, 0));
	for (i = 0; i < N; i++) {
		if (i == 17)
			continue;
		assert_int_equal(((struct val *)s_get(&m[i], cg, NULL, 0))->a, 100 + i);
		assert_int_equal(((struct val *)s_get(&m[i], cg2, NULL, 0))->a, 200 + i);
	}
	assert_int_equal(ls_list_len(cg), N);
	assert_int_equal(ls_list_len(cg2), N - 1);
	close(fd);
	smap_close(&fresh);
	for (i = 0; i < N; i++)
		smap_close(&m[i]);
	bpfemu_cgroup_put(cg);
	bpfemu_cgroup_put(cg2);
}

/* Growing the index is the one allocation after the element's: each
 * failing leaves the cgroup as it was and gives the kernel's NULL (a
 * helper) or -ENOMEM (user space). */
static void test_index_growth_out_of_memory_returns_null_and_leaks_nothing(void **state)
{
	struct smap m[17];
	struct emu_ls_index *idx;
	struct cgroup *cg;
	struct val v = { 5, 6 }, out;
	long before;
	int fd, i, n;

	(void)state;
	cg = cg_make("/a", NULL);
	fd = bpfemu_cgroup_open("/a");
	assert_true(fd >= 0);
	for (i = 0; i < 16; i++) {
		assert_int_equal(smap_open(&m[i]), 0);
		assert_non_null(s_get(&m[i], cg, NULL, F_CREATE));
	}
	/* id 16: one past the first index */
	assert_int_equal(smap_open(&m[16]), 0);
	idx = atomic_load(&cg->bpf_cgrp_storage->index);
	assert_int_equal(idx->nr, 16);
	/* 1: the element, 2: the larger index */
	for (n = 1; n <= 2; n++) {
		before = bpfemu_live_objects();
		bpfemu_fault_inject_nth(n);
		assert_null(s_get(&m[16], cg, NULL, F_CREATE));
		bpfemu_fault_inject_nth(0);
		assert_int_equal(bpfemu_live_objects(), before);
		assert_ptr_equal(atomic_load(&cg->bpf_cgrp_storage->index), idx);
		assert_int_equal(ls_list_len(cg), 16);
		assert_null(s_get(&m[16], cg, NULL, 0));

		bpfemu_fault_inject_nth(n);
		assert_int_equal(us_update(&m[16], fd, &v, BPF_ANY), -ENOMEM);
		bpfemu_fault_inject_nth(0);
		assert_int_equal(bpfemu_live_objects(), before);
		assert_ptr_equal(atomic_load(&cg->bpf_cgrp_storage->index), idx);
		assert_int_equal(us_lookup(&m[16], fd, &out, 0), -ENOENT);
	}
	/* the third try succeeds: a new index, the old one retired */
	bpfemu_fault_inject_nth(3);
	assert_int_equal(us_update(&m[16], fd, &v, BPF_NOEXIST), 0);
	bpfemu_fault_inject_nth(0);
	assert_int_equal(ls_index_nr(cg), 32);
	assert_int_equal(us_lookup(&m[16], fd, &out, 0), 0);
	assert_int_equal(out.a, 5);
	assert_int_equal(ls_list_len(cg), 17);
	for (i = 0; i < 17; i++)
		assert_non_null(s_get(&m[i], cg, NULL, 0));
	close(fd);
	for (i = 0; i < 17; i++)
		smap_close(&m[i]);
	bpfemu_cgroup_put(cg);
}

static void test_helpers_inside_a_program_run(void **state);

#define T(f) cmocka_unit_test_teardown(f, cg_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_with_flags_beyond_no_prealloc_and_clone_returns_einval),
		T(test_create_without_no_prealloc_returns_einval),
		T(test_create_with_max_entries_key_size_or_zero_value_returns_einval),
		T(test_create_without_btf_returns_einval_before_e2big),
		T(test_create_value_size_limit_is_65407),
		T(test_create_with_timer_or_wq_in_value_returns_eopnotsupp),
		T(test_map_ids_are_dense_lowest_free_first_and_go_with_the_last_map),
		T(test_get_without_create_on_empty_cgroup_returns_null_and_creates_nothing),
		T(test_get_create_without_value_gives_zeroed_storage),
		T(test_get_create_with_value_copies_it_and_user_space_reads_it),
		T(test_get_create_does_not_copy_the_spin_lock),
		T(test_second_get_returns_the_same_storage_unchanged),
		T(test_get_with_unknown_flags_returns_null_even_with_storage),
		T(test_get_with_null_cgroup_returns_null),
		T(test_get_on_a_dying_cgroup_finds_storage_but_creates_none),
		T(test_get_with_something_else_than_a_cgrp_storage_map_is_rejected),
		T(test_get_create_out_of_memory_returns_null_and_leaks_nothing),
		T(test_delete_with_null_cgroup_returns_einval),
		T(test_delete_of_missing_storage_returns_enoent),
		T(test_delete_removes_storage_then_get_is_null_and_user_lookup_enoent),
		T(test_nested_get_while_busy_finds_existing_storage),
		T(test_nested_get_create_while_busy_returns_null_and_creates_nothing),
		T(test_nested_delete_inside_a_user_update_returns_ebusy),
		T(test_user_update_modes_create_replace_and_refuse),
		T(test_user_update_with_bad_flags_returns_einval_and_creates_nothing),
		T(test_user_f_lock_update_is_in_place_and_lookup_zeroes_the_lock),
		T(test_user_key_that_is_not_an_open_cgroup_fd_returns_ebadf),
		T(test_user_key_of_a_removed_cgroup_returns_enoent),
		T(test_user_root_cgroup_is_a_valid_key),
		T(test_user_get_next_key_returns_enotsupp),
		T(test_storage_lives_until_the_removed_cgroup_is_freed),
		T(test_freeing_the_map_frees_its_storage_on_every_cgroup_only),
		T(test_closing_the_last_map_fd_keeps_storage_while_a_program_holds_the_map),
		T(test_many_maps_on_one_cgroup_are_independent),
		T(test_many_cgroups_on_one_map_are_independent),
		T(test_seventy_maps_on_one_cgroup_grow_its_index_through_gets_and_deletes),
		T(test_a_new_cgroups_index_is_sized_for_the_maps_in_use),
		T(test_a_freed_maps_id_goes_to_a_new_map_that_sees_none_of_its_storage),
		T(test_index_growth_out_of_memory_returns_null_and_leaks_nothing),
		T(test_helpers_inside_a_program_run),
	};

	return cmocka_run_group_tests(tests, cg_setup, cg_teardown);
}

/* ------------------------------------------------------ inside a program */

struct run_arg {
	struct smap *m;
	struct cgroup *cg;
	void *p1, *p2;
	long del;
	uint64_t cgid;
};

static long run_body(void *arg)
{
	struct run_arg *a = arg;

	a->cgid = bpfemu_helper_get_current_cgroup_id();
	a->cg = bpf_cgroup_from_id(a->cgid);
	a->p1 = bpfemu_helper_cgrp_storage_get(a->m->def, a->cg, NULL, F_CREATE);
	a->p2 = bpfemu_helper_cgrp_storage_get(a->m->def, a->cg, NULL, 0);
	a->del = bpfemu_helper_cgrp_storage_delete(a->m->def, a->cg);
	bpf_cgroup_release(a->cg);
	return 0;
}

static void test_helpers_inside_a_program_run(void **state)
{
	struct run_arg a = { 0 };
	struct emu_prog *prog;
	struct smap m;
	int64_t id;
	long ret = -1;

	(void)state;
	assert_int_equal(smap_open(&m), 0);
	id = bpfemu_cgroup_create("/a");
	assert_int_equal(bpfemu_task_set_cgroup("/a"), 0);
	prog = emu_prog_new_bare("cgrp", BPF_PROG_TYPE_TRACING);
	assert_non_null(prog);
	a.m = &m;
	assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, run_body, &a, &ret), 0);
	assert_int_equal(a.cgid, (uint64_t)id);
	assert_non_null(a.p1);
	assert_ptr_equal(a.p1, a.p2);
	assert_int_equal(a.del, 0);
	emu_prog_put(prog);
	assert_int_equal(bpfemu_task_follow_default(), 0);
	smap_close(&m);
}
