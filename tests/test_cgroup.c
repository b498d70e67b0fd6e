// SPDX-License-Identifier: MIT
/*
 * The cgroup model: paths, ids, removal, the dying state and freeing,
 * fds, the native struct cgroup view, the current task and its helpers,
 * and the cgroup kfuncs (cgrp_storage.md §7, §9).
 */
#include <pthread.h>

#include "test_cgrp_storage.h"

/* ---------------------------------------------------------------- paths */

static void test_root_is_id_1_at_level_0(void **state)
{
	struct cgroup *root = emu_cgroup_root();

	(void)state;
	assert_int_equal(bpfemu_cgroup_id("/"), 1);
	assert_int_equal(root->kn->id, 1);
	assert_int_equal(root->level, 0);
	assert_ptr_equal(root->ancestors[0], root);
	assert_ptr_equal(root->self.cgroup, root);
	assert_true(root->self.flags & CSS_ONLINE);
	assert_false(emu_cgroup_is_dying(root));
}

static void test_create_gives_increasing_ids_and_nests(void **state)
{
	int64_t a, b, c;

	(void)state;
	a = bpfemu_cgroup_create("/a");
	b = bpfemu_cgroup_create("/a/b");
	c = bpfemu_cgroup_create("/c/");
	assert_true(a > 1);
	assert_true(b > a);
	assert_true(c > b);
	assert_int_equal(bpfemu_cgroup_id("/a/b"), b);
	assert_int_equal(bpfemu_cgroup_id("//a///b/"), b);
	assert_int_equal(bpfemu_cgroup_id("/c"), c);
}

static void test_create_of_an_existing_path_returns_eexist(void **state)
{
	(void)state;
	assert_true(bpfemu_cgroup_create("/a") > 0);
	assert_int_equal(bpfemu_cgroup_create("/a"), -EEXIST);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(bpfemu_cgroup_create("/"), -EEXIST);
}

static void test_create_under_a_missing_parent_returns_enoent(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_cgroup_create("/x/y"), -ENOENT);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(bpfemu_cgroup_create("/x/y/z"), -ENOENT);
	assert_int_equal(bpfemu_cgroup_id("/x"), -ENOENT);
}

static void test_bad_paths_return_einval_or_enametoolong(void **state)
{
	char longname[300];

	(void)state;
	assert_int_equal(bpfemu_cgroup_create(NULL), -EINVAL);
	assert_int_equal(bpfemu_cgroup_create("a"), -EINVAL);
	assert_int_equal(bpfemu_cgroup_create(""), -EINVAL);
	assert_int_equal(bpfemu_cgroup_create("/."), -EINVAL);
	assert_int_equal(bpfemu_cgroup_create("/a/.."), -EINVAL);
	longname[0] = '/';
	memset(longname + 1, 'n', 256);
	longname[257] = '\0';
	assert_int_equal(bpfemu_cgroup_create(longname), -ENAMETOOLONG);
	longname[256] = '\0';			/* 255 bytes: fine */
	assert_true(bpfemu_cgroup_create(longname) > 0);
	assert_int_equal(bpfemu_cgroup_remove("a"), -EINVAL);
	assert_int_equal(bpfemu_cgroup_open(NULL), -EINVAL);
}

/* --------------------------------------------------------------- remove */

static void test_remove_of_a_missing_cgroup_returns_enoent(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_cgroup_remove("/nope"), -ENOENT);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(bpfemu_cgroup_remove("/nope/deeper"), -ENOENT);
}

static void test_remove_with_children_or_of_the_root_returns_ebusy(void **state)
{
	(void)state;
	assert_true(bpfemu_cgroup_create("/a") > 0);
	assert_true(bpfemu_cgroup_create("/a/b") > 0);
	assert_int_equal(bpfemu_cgroup_remove("/a"), -EBUSY);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(bpfemu_cgroup_remove("/"), -EBUSY);
	assert_int_equal(bpfemu_cgroup_remove("/a/b"), 0);
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
}

static void test_remove_with_a_task_inside_returns_ebusy(void **state)
{
	(void)state;
	assert_true(bpfemu_cgroup_create("/a") > 0);
	assert_int_equal(bpfemu_task_set_cgroup("/a"), 0);
	assert_int_equal(bpfemu_cgroup_remove("/a"), -EBUSY);
	assert_int_equal(bpfemu_task_set_cgroup("/"), 0);
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
}

static void test_a_dying_child_does_not_keep_its_parent_from_removal(void **state)
{
	struct cgroup *b, *a;
	int64_t id;

	(void)state;
	assert_true(bpfemu_cgroup_create("/a") > 0);
	id = bpfemu_cgroup_create("/a/b");
	b = bpfemu_cgroup_get((uint64_t)id);
	a = b->ancestors[1];
	assert_int_equal(a->nr_descendants, 1);
	assert_int_equal(bpfemu_cgroup_remove("/a/b"), 0);
	assert_int_equal(a->nr_descendants, 0);
	assert_int_equal(a->nr_dying_descendants, 1);
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	/* b still holds a: its ancestors stay readable */
	assert_int_equal(b->ancestors[1]->level, 1);
	bpfemu_cgroup_put(b);
}

static void test_a_recreated_path_is_a_new_cgroup_with_a_new_id(void **state)
{
	int64_t first, second;

	(void)state;
	first = bpfemu_cgroup_create("/a");
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	assert_int_equal(bpfemu_cgroup_id("/a"), -ENOENT);
	second = bpfemu_cgroup_create("/a");
	assert_true(second > first);
	assert_null(bpf_cgroup_from_id((uint64_t)first));
}

/* ------------------------------------------------------- the struct view */

static void test_struct_cgroup_shows_level_id_ancestors_and_online_state(void **state)
{
	struct cgroup *c;
	int64_t a, b, cc;

	(void)state;
	a = bpfemu_cgroup_create("/a");
	b = bpfemu_cgroup_create("/a/b");
	cc = bpfemu_cgroup_create("/a/b/c");
	c = bpfemu_cgroup_get((uint64_t)cc);
	assert_non_null(c);
	assert_int_equal(c->level, 3);
	assert_int_equal(c->kn->id, (uint64_t)cc);
	assert_string_equal(c->kn->name, "c");
	assert_int_equal(c->kn->parent->id, (uint64_t)b);
	assert_ptr_equal(c->ancestors[0], emu_cgroup_root());
	assert_int_equal(c->ancestors[1]->kn->id, (uint64_t)a);
	assert_int_equal(c->ancestors[2]->kn->id, (uint64_t)b);
	assert_ptr_equal(c->ancestors[3], c);
	assert_ptr_equal(c->self.parent, &c->ancestors[2]->self);
	assert_int_equal(c->self.flags, CSS_ONLINE);
	assert_int_equal(c->ancestors[1]->nr_descendants, 2);
	assert_int_equal(bpfemu_cgroup_remove("/a/b/c"), 0);
	/* observed on 6.18: a removed cgroup's self.flags reads 0 */
	assert_int_equal(c->self.flags, 0);
	assert_true(emu_cgroup_is_dying(c));
	bpfemu_cgroup_put(c);
}

static void test_cgroup_get_of_an_unknown_id_returns_null_enoent(void **state)
{
	(void)state;
	assert_null(bpfemu_cgroup_get(12345));
	assert_int_equal(errno, ENOENT);
	assert_ptr_equal(bpfemu_cgroup_get(1), emu_cgroup_root());
	bpfemu_cgroup_put(emu_cgroup_root());
}

/* ------------------------------------------------------------------ fds */

static void test_cgroup_fd_resolves_until_removed_then_enoent(void **state)
{
	struct cgroup *cg;
	int fd, err = 0;

	(void)state;
	assert_int_equal(bpfemu_cgroup_open("/nope"), -ENOENT);
	assert_true(bpfemu_cgroup_create("/a") > 0);
	fd = bpfemu_cgroup_open("/a");
	assert_true(fd >= 0);
	cg = emu_cgroup_from_fd(fd, &err);
	assert_non_null(cg);
	assert_int_equal(cg->kn->id, bpfemu_cgroup_id("/a"));
	emu_cgroup_put(cg);
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	assert_null(emu_cgroup_from_fd(fd, &err));
	assert_int_equal(err, -ENOENT);
	close(fd);
	assert_null(emu_cgroup_from_fd(fd, &err));
	assert_int_equal(err, -EBADF);
}

static void test_a_file_that_is_not_a_cgroup_is_ebadf(void **state)
{
	int fd, err = 0;

	(void)state;
	fd = open("/dev/null", O_RDONLY);
	assert_null(emu_cgroup_from_fd(fd, &err));
	assert_int_equal(err, -EBADF);
	close(fd);
	assert_null(emu_cgroup_from_fd(-1, &err));
	assert_int_equal(err, -EBADF);
}

static void test_an_open_fd_keeps_a_removed_cgroup_until_closed(void **state)
{
	long held;
	int fd;

	(void)state;
	assert_true(bpfemu_cgroup_create("/a") > 0);
	fd = bpfemu_cgroup_open("/a");
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	held = bpfemu_live_objects();
	close(fd);
	emu_fd_reap();
	/* the cgroup went, with the fd's own bookkeeping */
	assert_true(bpfemu_live_objects() < held);
	assert_int_equal(emu_cgroup_root()->nr_dying_descendants, 0);
}

/* --------------------------------------------------------------- kfuncs */

static void test_cgroup_from_id_finds_live_cgroups_and_the_root_only(void **state)
{
	struct cgroup *cg;
	int64_t id;

	(void)state;
	id = bpfemu_cgroup_create("/a");
	cg = bpf_cgroup_from_id((uint64_t)id);
	assert_non_null(cg);
	assert_int_equal(cg->kn->id, (uint64_t)id);
	bpf_cgroup_release(cg);
	assert_ptr_equal(bpf_cgroup_from_id(1), emu_cgroup_root());
	assert_null(bpf_cgroup_from_id(0));
	assert_null(bpf_cgroup_from_id((uint64_t)id + 1000));
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	assert_null(bpf_cgroup_from_id((uint64_t)id));
}

static void test_acquire_works_on_a_dying_cgroup_held_by_someone(void **state)
{
	struct cgroup *cg, *again;

	(void)state;
	cg = cg_make("/a", NULL);
	assert_int_equal(bpfemu_cgroup_remove("/a"), 0);
	/* observed on 6.18: bpf_cgroup_acquire in tp_btf/cgroup_rmdir succeeds */
	again = bpf_cgroup_acquire(cg);
	assert_ptr_equal(again, cg);
	bpf_cgroup_release(again);
	bpfemu_cgroup_put(cg);
}

static void test_ancestor_returns_null_outside_0_to_level(void **state)
{
	struct cgroup *cg, *a;
	int64_t top;

	(void)state;
	top = bpfemu_cgroup_create("/a");
	assert_true(bpfemu_cgroup_create("/a/b") > 0);
	cg = bpfemu_cgroup_get((uint64_t)bpfemu_cgroup_id("/a/b"));
	assert_null(bpf_cgroup_ancestor(cg, -1));
	assert_null(bpf_cgroup_ancestor(cg, 3));
	assert_ptr_equal(bpf_cgroup_ancestor(cg, 0), emu_cgroup_root());
	a = bpf_cgroup_ancestor(cg, 1);
	assert_int_equal(a->kn->id, (uint64_t)top);
	bpf_cgroup_release(a);
	a = bpf_cgroup_ancestor(cg, 2);
	assert_ptr_equal(a, cg);
	bpf_cgroup_release(a);
	bpfemu_cgroup_put(cg);
}

static void test_kfuncs_with_a_null_cgroup_are_rejected(void **state)
{
	(void)state;
	bpfemu_diag_clear();
	assert_null(bpf_cgroup_acquire(NULL));
	assert_true(bpfemu_diag_has("kfunc_null_arg"));
	assert_null(bpf_cgroup_ancestor(NULL, 0));
	bpf_cgroup_release(NULL);
}

static long from_id_body(void *arg)
{
	struct cgroup *cg = bpf_cgroup_from_id(1);

	*(struct cgroup **)arg = cg;
	if (cg)
		bpf_cgroup_release(cg);
	return 0;
}

static void test_kfuncs_are_refused_to_kprobe_and_socket_filter_programs(void **state)
{
	static const int refused[] = { BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_SOCKET_FILTER,
				       BPF_PROG_TYPE_RAW_TRACEPOINT };
	static const int allowed[] = { BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_TRACEPOINT,
				       BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_XDP,
				       BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_CGROUP_SOCK };
	struct emu_prog *prog;
	struct cgroup *got;
	unsigned int i;
	long ret;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		prog = emu_prog_new_bare("kf", refused[i]);
		bpfemu_diag_clear();
		assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, from_id_body, &got, &ret), -EINVAL);
		assert_true(bpfemu_diag_has("kfunc_not_allowed"));
		emu_prog_put(prog);
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		prog = emu_prog_new_bare("kf", allowed[i]);
		got = NULL;
		assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, from_id_body, &got, &ret), 0);
		assert_ptr_equal(got, emu_cgroup_root());
		emu_prog_put(prog);
	}
}

/* ---------------------------------------------------------- current task */

static void test_current_task_starts_in_the_root(void **state)
{
	struct task_struct *t;

	(void)state;
	assert_int_equal(bpfemu_helper_get_current_cgroup_id(), 1);
	assert_int_equal(bpfemu_task_cgroup_id(), 1);
	t = bpfemu_helper_get_current_task_btf();
	assert_ptr_equal(t->cgroups->dfl_cgrp, emu_cgroup_root());
	assert_int_equal(bpfemu_helper_get_current_task(), (uint64_t)(uintptr_t)t);
	assert_int_equal(t->tgid, getpid());
}

static void test_moved_task_sees_its_cgroup_and_ancestors(void **state)
{
	struct task_struct *t;
	int64_t a, b;

	(void)state;
	a = bpfemu_cgroup_create("/a");
	b = bpfemu_cgroup_create("/a/b");
	assert_int_equal(bpfemu_task_set_cgroup("/a/b"), 0);
	assert_int_equal(bpfemu_helper_get_current_cgroup_id(), (uint64_t)b);
	assert_int_equal(bpfemu_helper_get_current_ancestor_cgroup_id(0), 1);
	assert_int_equal(bpfemu_helper_get_current_ancestor_cgroup_id(1), (uint64_t)a);
	assert_int_equal(bpfemu_helper_get_current_ancestor_cgroup_id(2), (uint64_t)b);
	assert_int_equal(bpfemu_helper_get_current_ancestor_cgroup_id(3), 0);
	assert_int_equal(bpfemu_helper_get_current_ancestor_cgroup_id(-1), 0);
	t = bpfemu_helper_get_current_task_btf();
	assert_int_equal(t->cgroups->dfl_cgrp->kn->id, (uint64_t)b);
	assert_int_equal(t->cgroups->dfl_cgrp->ancestors[1]->kn->id, (uint64_t)a);
	assert_int_equal(bpfemu_task_set_cgroup("/missing"), -ENOENT);
	assert_int_equal(bpfemu_helper_get_current_cgroup_id(), (uint64_t)b);
	assert_int_equal(bpfemu_task_follow_default(), 0);
	assert_int_equal(bpfemu_helper_get_current_cgroup_id(), 1);
}

struct thread_seen {
	uint64_t id_before, id_after;
};

static void *thread_fn(void *arg)
{
	struct thread_seen *s = arg;

	s->id_before = bpfemu_helper_get_current_cgroup_id();
	bpfemu_task_set_cgroup("/t");
	s->id_after = bpfemu_helper_get_current_cgroup_id();
	return NULL;
}

static void test_threads_follow_the_default_until_they_move(void **state)
{
	struct thread_seen s = { 0 };
	pthread_t th;
	int64_t d, t;

	(void)state;
	d = bpfemu_cgroup_create("/d");
	t = bpfemu_cgroup_create("/t");
	assert_int_equal(bpfemu_task_set_default_cgroup("/d"), 0);
	assert_int_equal(bpfemu_helper_get_current_cgroup_id(), (uint64_t)d);
	assert_int_equal(bpfemu_cgroup_remove("/d"), -EBUSY);
	assert_int_equal(pthread_create(&th, NULL, thread_fn, &s), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(s.id_before, (uint64_t)d);
	assert_int_equal(s.id_after, (uint64_t)t);
	/* this thread did not move; the exited thread left /t */
	assert_int_equal(bpfemu_helper_get_current_cgroup_id(), (uint64_t)d);
	assert_int_equal(bpfemu_cgroup_remove("/t"), 0);
	assert_int_equal(bpfemu_task_set_default_cgroup("/"), 0);
	assert_int_equal(bpfemu_cgroup_remove("/d"), 0);
}

static void test_reset_puts_tasks_back_in_the_root_and_removes_every_cgroup(void **state)
{
	(void)state;
	assert_true(bpfemu_cgroup_create("/a") > 0);
	assert_true(bpfemu_cgroup_create("/a/b") > 0);
	assert_true(bpfemu_cgroup_create("/c") > 0);
	assert_int_equal(bpfemu_task_set_cgroup("/a/b"), 0);
	assert_int_equal(bpfemu_task_set_default_cgroup("/c"), 0);
	assert_int_equal(bpfemu_reset(), 0);
	assert_int_equal(bpfemu_helper_get_current_cgroup_id(), 1);
	assert_int_equal(bpfemu_cgroup_id("/a"), -ENOENT);
	assert_int_equal(bpfemu_cgroup_id("/c"), -ENOENT);
	assert_int_equal(emu_cgroup_root()->nr_descendants, 0);
	/* ids start over */
	assert_int_equal(bpfemu_cgroup_create("/a"), 2);
}

#define T(f) cmocka_unit_test_teardown(f, cg_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_root_is_id_1_at_level_0),
		T(test_create_gives_increasing_ids_and_nests),
		T(test_create_of_an_existing_path_returns_eexist),
		T(test_create_under_a_missing_parent_returns_enoent),
		T(test_bad_paths_return_einval_or_enametoolong),
		T(test_remove_of_a_missing_cgroup_returns_enoent),
		T(test_remove_with_children_or_of_the_root_returns_ebusy),
		T(test_remove_with_a_task_inside_returns_ebusy),
		T(test_a_dying_child_does_not_keep_its_parent_from_removal),
		T(test_a_recreated_path_is_a_new_cgroup_with_a_new_id),
		T(test_struct_cgroup_shows_level_id_ancestors_and_online_state),
		T(test_cgroup_get_of_an_unknown_id_returns_null_enoent),
		T(test_cgroup_fd_resolves_until_removed_then_enoent),
		T(test_a_file_that_is_not_a_cgroup_is_ebadf),
		T(test_an_open_fd_keeps_a_removed_cgroup_until_closed),
		T(test_cgroup_from_id_finds_live_cgroups_and_the_root_only),
		T(test_acquire_works_on_a_dying_cgroup_held_by_someone),
		T(test_ancestor_returns_null_outside_0_to_level),
		T(test_kfuncs_with_a_null_cgroup_are_rejected),
		T(test_kfuncs_are_refused_to_kprobe_and_socket_filter_programs),
		T(test_current_task_starts_in_the_root),
		T(test_moved_task_sees_its_cgroup_and_ancestors),
		T(test_threads_follow_the_default_until_they_move),
		T(test_reset_puts_tasks_back_in_the_root_and_removes_every_cgroup),
	};

	return cmocka_run_group_tests(tests, cg_setup, cg_teardown);
}
