// SPDX-License-Identifier: MIT
/*
 * Cgroup storage end to end: an unmodified libbpf-style BPF program
 * (tests/progs/cgrp_count.bpf.c) loaded through its skeleton, run with
 * bpf_prog_test_run_opts, and its map read and written from user space
 * with a cgroup fd as the key through the libbpf API.
 */
/* bpfemu-objects: cgrp_count */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfemu.h>
#include <bpfemu/kernel_types.h>

#include "cgrp_count.skel.h"
#include "test_group.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

struct cg_val {
	long count;
	__u64 id;
};

static int run(int prog_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	return err ? err : (int)opts.retval;
}

static void test_program_counts_per_current_cgroup_and_user_space_reads_it(void **state)
{
	struct cgrp_count *skel;
	struct cg_val v;
	int64_t a, ab;
	int fd_ab, fd_a, map_fd;

	(void)state;
	skel = cgrp_count__open_and_load();
	assert_non_null(skel);
	a = bpfemu_cgroup_create("/a");
	ab = bpfemu_cgroup_create("/a/b");
	assert_int_equal(bpfemu_task_set_cgroup("/a/b"), 0);

	assert_int_equal(run(bpf_program__fd(skel->progs.count_current)), 0);
	assert_int_equal(run(bpf_program__fd(skel->progs.count_current)), 0);
	assert_int_equal(skel->bss->seen_count, 2);
	assert_int_equal(skel->bss->cur_id, (uint64_t)ab);
	assert_int_equal(skel->bss->anc1_id, (uint64_t)a);
	assert_int_equal(skel->bss->parent_id, (uint64_t)a);

	map_fd = bpf_map__fd(skel->maps.cg_count);
	fd_ab = bpfemu_cgroup_open("/a/b");
	fd_a = bpfemu_cgroup_open("/a");
	assert_int_equal(bpf_map_lookup_elem(map_fd, &fd_ab, &v), 0);
	assert_int_equal(v.count, 2);
	assert_int_equal(v.id, (uint64_t)ab);
	assert_int_equal(bpf_map_lookup_elem(map_fd, &fd_a, &v), -ENOENT);
	assert_int_equal(errno, ENOENT);

	/* user space replaces the value; the program continues from it */
	v.count = 40;
	assert_int_equal(bpf_map_update_elem(map_fd, &fd_ab, &v, BPF_EXIST), 0);
	assert_int_equal(run(bpf_program__fd(skel->progs.count_current)), 0);
	assert_int_equal(skel->bss->seen_count, 41);
	assert_int_equal(bpf_map_update_elem(map_fd, &fd_ab, &v, BPF_NOEXIST), -EEXIST);
	assert_int_equal(bpf_map_get_next_key(map_fd, NULL, &fd_a), -ENOTSUPP);
	assert_int_equal(bpf_map_get_next_key(map_fd, &fd_ab, &fd_a), -ENOTSUPP);

	assert_int_equal(bpfemu_task_follow_default(), 0);
	close(fd_a);
	close(fd_ab);
	cgrp_count__destroy(skel);
}

static void test_program_helpers_return_the_kernels_errors(void **state)
{
	struct cgrp_count *skel;
	struct cg_val v = { 5, 0 };
	int64_t id;
	int fd;

	(void)state;
	skel = cgrp_count__open_and_load();
	assert_non_null(skel);
	id = bpfemu_cgroup_create("/x");
	fd = bpfemu_cgroup_open("/x");
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.cg_count), &fd, &v, BPF_ANY), 0);
	skel->bss->target_id = (uint64_t)id;
	assert_int_equal(run(bpf_program__fd(skel->progs.poke_by_id)), 0);
	assert_int_equal(skel->bss->bad_flags_found, 0);
	assert_int_equal(skel->bss->null_cg_found, 0);
	assert_int_equal(skel->bss->del_null, -EINVAL);
	assert_int_equal(skel->bss->del_ret, 0);
	assert_int_equal(skel->bss->del_again, -ENOENT);
	assert_int_equal(skel->bss->get_after_del, 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.cg_count), &fd, &v), -ENOENT);
	/* a removed cgroup: the kfunc finds nothing, the fd is -ENOENT */
	assert_int_equal(bpfemu_cgroup_remove("/x"), 0);
	assert_int_equal(run(bpf_program__fd(skel->progs.poke_by_id)), 1);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.cg_count), &fd, &v, BPF_ANY), -ENOENT);
	close(fd);
	cgrp_count__destroy(skel);
}

static void test_destroying_the_skeleton_frees_storage_on_every_cgroup(void **state)
{
	struct cgrp_count *skel;
	struct cgroup *cg;
	int64_t id;

	(void)state;
	skel = cgrp_count__open_and_load();
	assert_non_null(skel);
	id = bpfemu_cgroup_create("/k");
	assert_int_equal(bpfemu_task_set_cgroup("/k"), 0);
	assert_int_equal(run(bpf_program__fd(skel->progs.count_current)), 0);
	assert_int_equal(bpfemu_task_follow_default(), 0);
	cg = bpfemu_cgroup_get((uint64_t)id);
	assert_non_null(cg->bpf_cgrp_storage);
	cgrp_count__destroy(skel);
	/* the map's last reference went with the program and the fd */
	assert_null(cg->bpf_cgrp_storage);
	bpfemu_cgroup_put(cg);
}

static void test_program_reaches_the_cgroup_through_the_current_task(void **state)
{
	struct cgrp_count *skel;
	struct cg_val v;
	int64_t id;
	int fd;

	(void)state;
	skel = cgrp_count__open_and_load();
	assert_non_null(skel);
	id = bpfemu_cgroup_create("/t");
	assert_int_equal(bpfemu_task_set_cgroup("/t"), 0);
	bpfemu_diag_clear();
	run(bpf_program__fd(skel->progs.count_task));
	if (bpfemu_diag_has("helper_not_emulated")) {
		/* <bpf/bpf_helper_defs.h> does not point at our helper yet */
		bpfemu_task_follow_default();
		cgrp_count__destroy(skel);
		skip();
	}
	assert_int_equal(skel->bss->task_cg_id, (uint64_t)id);
	assert_int_equal(skel->bss->seen_count, 1);
	fd = bpfemu_cgroup_open("/t");
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.cg_count), &fd, &v), 0);
	assert_int_equal(v.count, 1);
	close(fd);
	assert_int_equal(bpfemu_task_follow_default(), 0);
	cgrp_count__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_program_counts_per_current_cgroup_and_user_space_reads_it, reset_teardown),
		cmocka_unit_test_teardown(test_program_helpers_return_the_kernels_errors, reset_teardown),
		cmocka_unit_test_teardown(test_destroying_the_skeleton_frees_storage_on_every_cgroup, reset_teardown),
		cmocka_unit_test_teardown(test_program_reaches_the_cgroup_through_the_current_task, reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
