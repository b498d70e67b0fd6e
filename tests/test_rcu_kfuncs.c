// SPDX-License-Identifier: MIT
/*
 * bpf_rcu_read_lock / _unlock keep 6.18's rules (no nesting, no unmatched
 * unlock, no exit inside a section: all -EINVAL at load there, the run's
 * refusal here), and bpf_task_get_cgroup1 answers as a kernel without
 * cgroup v1 hierarchies: NULL.
 */
/* bpfemu-objects: rcu_kfuncs */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "rcu_kfuncs.skel.h"
#include "test_group.h"

static int run(struct rcu_kfuncs *skel, int op, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	int err;

	skel->bss->op = op;
	bpfemu_diag_clear();
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.rcu_cases), &o);
	*retval = o.retval;
	return err;
}

static void test_rcu_section_rules(void **state)
{
	struct rcu_kfuncs *skel = rcu_kfuncs__open_and_load();
	__u32 retval;

	(void)state;
	assert_non_null(skel);
	assert_int_equal(run(skel, 0, &retval), 0);
	assert_int_equal(bpfemu_diag_count(), 0);
	assert_int_equal(run(skel, 0, &retval), 0);
	assert_int_equal(skel->bss->got, 2);

	assert_int_equal(run(skel, 1, &retval), -EINVAL);
	assert_true(bpfemu_diag_has("rcu_nested"));
	assert_int_equal(run(skel, 2, &retval), -EINVAL);
	assert_true(bpfemu_diag_has("rcu_unmatched_unlock"));
	assert_int_equal(run(skel, 3, &retval), -EINVAL);
	assert_true(bpfemu_diag_has("rcu_lock_held_at_exit"));
	/* a refused run leaves no section behind: the next one is clean */
	assert_int_equal(run(skel, 0, &retval), 0);
	assert_int_equal(bpfemu_diag_count(), 0);
	rcu_kfuncs__destroy(skel);
}

static void test_task_get_cgroup1_finds_no_v1_hierarchy(void **state)
{
	struct rcu_kfuncs *skel = rcu_kfuncs__open_and_load();
	__u32 retval = 0;
	int hid;

	(void)state;
	assert_non_null(skel);
	for (hid = 0; hid < 4; hid++) {
		skel->bss->target_hid = hid;
		assert_int_equal(run(skel, 4, &retval), 0);
		assert_int_equal(retval, 1);
	}
	assert_int_equal(run(skel, 5, &retval), -EINVAL);
	assert_true(bpfemu_diag_has("kfunc_null_arg"));
	rcu_kfuncs__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rcu_section_rules, reset_teardown),
		cmocka_unit_test_teardown(test_task_get_cgroup1_finds_no_v1_hierarchy,
					  reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
