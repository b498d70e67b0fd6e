// SPDX-License-Identifier: MIT
/*
 * Helper arguments whose type the verifier checks (a map value holding a
 * bpf_timer, ...), given something else: each run fails with the errno
 * Linux 6.18 gives at load, a diagnostic names the rule, and nothing the
 * pointer points at is read or followed, so nothing crashes.
 */
/* bpfemu-objects: bad_ptr_args bad_ptr_cgroup bad_ptr_maps */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfemu.h>
#include <bpfemu/kernel_types.h>

#include "bad_ptr_args.skel.h"
#include "bad_ptr_cgroup.skel.h"
#include "bad_ptr_maps.skel.h"
#include "test_verifier.h"

/* ------------------------------------------------------------ timers */

/*
 * &v->t of a NULL lookup result is 8, not NULL: the timer words would have
 * been read at address 8 (SIGSEGV) by set_callback, start and cancel.
 */
static void test_timer_of_a_lookup_before_its_null_check_is_refused(void **state)
{
	/* op: init, set_callback, start, cancel (bad_ptr_args.bpf.c) */
	static const char *const helpers[] = {
		"bpf_timer_init", "bpf_timer_set_callback", "bpf_timer_start", "bpf_timer_cancel",
	};
	static const int order[] = { 2, 3, 1, 0 };
	struct bad_ptr_args *skel = bad_ptr_args__open_and_load();
	int i, op;

	(void)state;
	assert_non_null(skel);
	for (i = 0; i < 4; i++) {
		op = order[i];
		bpfemu_diag_clear();
		skel->bss->op = op;
		assert_int_equal(test_run(skel->progs.timer_before_null_check, NULL), -EACCES);
		assert_int_equal(errno, EACCES);
		assert_last_diag("timer_not_map_value", helpers[op], "map_value_or_null");
	}
	bad_ptr_args__destroy(skel);
}

/* A local bpf_timer / bpf_spin_lock (locals in bad_ptr_args.bpf.c). */
static void test_timer_or_lock_on_the_stack_is_refused(void **state)
{
	static const char *const helpers[] = {
		"bpf_timer_init", "bpf_timer_set_callback", "bpf_timer_start", "bpf_timer_cancel",
		"bpf_spin_lock",
	};
	struct bad_ptr_args *skel = bad_ptr_args__open_and_load();
	int op;

	(void)state;
	assert_non_null(skel);
	for (op = 0; op < 5; op++) {
		bpfemu_diag_clear();
		skel->bss->op = op;
		assert_int_equal(test_run(skel->progs.locals, NULL), -EACCES);
		assert_last_diag(op < 4 ? "timer_not_map_value" : "spin_lock_not_map_value",
				 helpers[op], "R1 type=fp expected=map_value");
	}
	bad_ptr_args__destroy(skel);
}

/* ------------------------------------------------------------ bpf_spin_lock */

static void *nothing(void *arg)
{
	return arg;
}

/*
 * While the process has one thread a lock is a plain store (emu/lock.h):
 * one thread more, and a lock left held makes its next taker spin for
 * ever, as a lock taken twice does at once.
 */
static void go_multithreaded(void)
{
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, nothing, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* The well-behaved program gets the lock: nobody left it held. */
static void assert_lock_free(struct bad_ptr_args *skel)
{
	int diags = bpfemu_diag_count();
	__u32 retval;

	assert_int_equal(test_run(skel->progs.spin_lock_count, &retval), 0);
	assert_int_equal(retval, 0);
	assert_int_equal(bpfemu_diag_count(), diags);
}

/* The count, read under the lock (BPF_F_LOCK) as user space reads it. */
static long locked_count(struct bad_ptr_args *skel)
{
	struct {
		long pad;
		struct bpf_spin_lock lock;
		long count;
	} v;
	int key = 0;

	assert_int_equal(bpf_map_lookup_elem_flags(bpf_map__fd(skel->maps.locks), &key, &v,
						   BPF_F_LOCK), 0);
	return v.count;
}

static void test_spin_lock_of_a_lookup_before_its_null_check_is_refused(void **state)
{
	struct bad_ptr_args *skel = bad_ptr_args__open_and_load();

	(void)state;
	assert_non_null(skel);
	/* the lock word would have been written at address 8 */
	assert_int_equal(test_run(skel->progs.spin_lock_before_null_check, NULL), -EACCES);
	assert_last_diag("spin_lock_not_map_value", "bpf_spin_lock", "map_value_or_null");
	bad_ptr_args__destroy(skel);
}

static void test_spin_lock_taken_twice_is_refused_and_given_back(void **state)
{
	struct bad_ptr_args *skel = bad_ptr_args__open_and_load();

	(void)state;
	assert_non_null(skel);
	go_multithreaded();
	/* the second lock waited for the first: for ever */
	assert_int_equal(test_run(skel->progs.spin_lock_twice, NULL), -EINVAL);
	assert_last_diag("call_holding_spin_lock", "bpf_spin_lock",
			 "function calls are not allowed while holding a lock");
	assert_lock_free(skel);
	assert_int_equal(locked_count(skel), 1);
	bad_ptr_args__destroy(skel);
}

static void test_exit_holding_a_spin_lock_fails_the_run_and_gives_it_back(void **state)
{
	struct bad_ptr_args *skel = bad_ptr_args__open_and_load();

	(void)state;
	assert_non_null(skel);
	go_multithreaded();
	assert_int_equal(test_run(skel->progs.spin_lock_exit_held, NULL), -EINVAL);
	assert_last_diag("spin_lock_held_at_exit", "spin_lock_exit_held",
			 "cannot be used inside bpf_spin_lock-ed region");
	/* left held, the next program and a BPF_F_LOCK copy would spin */
	assert_lock_free(skel);
	assert_int_equal(locked_count(skel), 2);
	bad_ptr_args__destroy(skel);
}

static void test_spin_unlock_of_a_lock_not_held_is_refused(void **state)
{
	struct bad_ptr_args *skel = bad_ptr_args__open_and_load();

	(void)state;
	assert_non_null(skel);
	go_multithreaded();
	assert_int_equal(test_run(skel->progs.spin_unlock_unheld, NULL), -EINVAL);
	assert_last_diag("release_unowned", "bpf_spin_unlock", "without taking a lock");
	bpfemu_diag_clear();
	/* another lock than the one held: that one is given back at exit */
	assert_int_equal(test_run(skel->progs.spin_unlock_other_lock, NULL), -EINVAL);
	assert_last_diag("release_unowned", "bpf_spin_unlock", "of different lock");
	bpfemu_diag_clear();
	assert_int_equal(test_run(skel->progs.spin_lock_count, NULL), 0);
	assert_int_equal(bpfemu_diag_count(), 0);
	assert_int_equal(locked_count(skel), 1);
	bad_ptr_args__destroy(skel);
}

/* ------------------------------------------------------------ map keys and values */

/*
 * A lookup's result before its NULL check (or that plus an offset) as a
 * map helper's key or value: it was read at once, by the helper or by the
 * inline ARRAY path of <bpf/bpf_helper_defs.h> (SIGSEGV).  6.18 refuses
 * each at load, -EACCES ("R2 type=map_value_or_null expected=fp, pkt,
 * ...", bad_ptr_maps.bpf.c), before anything about the map's type or
 * flags: the one diagnostic is mem_arg_null, never map_type_mismatch,
 * map_func_incompatible or map_rdonly_prog.
 */
static void test_map_helpers_refuse_a_null_ish_key_or_value(void **state)
{
	/* op order of bad_ptr_maps.bpf.c */
	static const struct {
		const char *func, *reg;
	} cases[] = {
		{ "bpf_map_lookup_elem", "R2 type=" },		/* ARRAY, inline */
		{ "bpf_map_lookup_elem", "R2 type=" },		/* ARRAY, NULL + 4 */
		{ "bpf_map_lookup_elem", "R2 type=" },		/* HASH */
		{ "bpf_map_update_elem", "R2 type=" },		/* ARRAY key, inline */
		{ "bpf_map_update_elem", "R3 type=" },		/* ARRAY value, inline */
		{ "bpf_map_update_elem", "R3 type=" },		/* 4-byte value, inline */
		{ "bpf_map_update_elem", "R2 type=" },		/* HASH key */
		{ "bpf_map_update_elem", "R3 type=" },		/* HASH value, NULL + 8 */
		{ "bpf_map_update_elem", "R2 type=" },		/* both: R2 first */
		{ "bpf_map_delete_elem", "R2 type=" },
		{ "bpf_map_delete_elem", "R2 type=" },		/* NULL constant */
		{ "bpf_map_lookup_percpu_elem", "R2 type=" },
		{ "bpf_map_lookup_percpu_elem", "R2 type=" },	/* not a per-CPU map */
		{ "bpf_map_lookup_elem", "R2 type=" },		/* RINGBUF, no key bytes */
		{ "bpf_map_update_elem", "R3 type=" },		/* BPF_F_RDONLY_PROG */
	};
	struct bad_ptr_maps *skel = bad_ptr_maps__open_and_load();
	long val = 0;
	__u32 retval;
	int i, k = 1;

	(void)state;
	assert_non_null(skel);
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		bpfemu_diag_clear();
		skel->bss->op = i;
		assert_int_equal(test_run(skel->progs.null_key_or_value, &retval), -EACCES);
		assert_int_equal(errno, EACCES);
		assert_int_equal(retval, 0xdead);
		assert_int_equal(bpfemu_diag_count(), 1);
		assert_last_diag("mem_arg_null", cases[i].func, cases[i].reg);
		assert_last_diag("mem_arg_null", "expected=fp, pkt, pkt_meta, map_key, map_value",
				 NULL);
	}
	/* nothing was written */
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.arr), &k, &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.hash), &k, &val), -ENOENT);
	/* valid pointers: every call as before */
	bpfemu_diag_clear();
	skel->bss->op = i;
	assert_int_equal(test_run(skel->progs.null_key_or_value, &retval), 0);
	assert_int_equal(retval, 0);
	assert_int_equal(bpfemu_diag_count(), 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.arr), &k, &val), 0);
	assert_int_equal(val, 7);
	bad_ptr_maps__destroy(skel);
}

/* null_callback in bad_ptr_maps.bpf.c, case by case */
static void test_null_callbacks_and_keyless_maps_are_refused_first(void **state)
{
	static const struct {
		int err;
		const char *rule, *text;
	} cases[] = {
		{ -EACCES, "loop_cb_null", "R2 type=scalar expected=func" },
		{ -EACCES, "for_each_no_callback", "R2 type=scalar expected=func" },
		{ -EACCES, "drain_cb_missing", "R2 type=scalar expected=func" },
		{ -EACCES, "map_arg_zero_size", "R2 invalid zero-sized read" },
		{ -EACCES, "map_arg_zero_size", "R2 invalid zero-sized read" },
		{ -EINVAL, "map_func_incompatible", "into func bpf_map_push_elem" },
	};
	struct bad_ptr_maps *skel = bad_ptr_maps__open_and_load();
	__u32 retval;
	int i;

	(void)state;
	assert_non_null(skel);
	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		bpfemu_diag_clear();
		skel->bss->cb_op = i;
		assert_int_equal(test_run(skel->progs.null_callback, &retval), cases[i].err);
		assert_int_equal(bpfemu_diag_count(), 1);
		assert_last_diag(cases[i].rule, cases[i].text, NULL);
	}
	bad_ptr_maps__destroy(skel);
}

/* ------------------------------------------------------------ struct cgroup * */

/* The kfuncs, as tests call them (cgrp_storage.c). */
struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp);
void bpf_cgroup_release(struct cgroup *cgrp);

/*
 * A stack buffer of 0x41 bytes as a cgroup: its "storage" and "ancestors"
 * were followed (SIGSEGV), F_CREATE would have stored into it, and the
 * kfuncs would have counted a reference in the bytes before it.
 */
static void test_a_stack_buffer_as_a_cgroup_is_refused(void **state)
{
	/* op: storage get, get F_CREATE, delete, ancestor (bad_ptr_cgroup.bpf.c) */
	static const struct {
		int op, err;
		const char *func;
	} cases[] = {
		{ 0, -EACCES, "bpf_cgrp_storage_get" },
		{ 3, -EINVAL, "bpf_cgroup_ancestor" },
		{ 1, -EACCES, "bpf_cgrp_storage_get" },
		{ 2, -EACCES, "bpf_cgrp_storage_delete" },
	};
	struct bad_ptr_cgroup *skel = bad_ptr_cgroup__open_and_load();
	unsigned int i;

	(void)state;
	assert_non_null(skel);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bpfemu_diag_clear();
		skel->bss->op = cases[i].op;
		assert_int_equal(test_run(skel->progs.stack_buffer_as_cgroup, NULL), cases[i].err);
		assert_last_diag("not_a_cgroup", cases[i].func, "is not a struct cgroup");
	}
	bad_ptr_cgroup__destroy(skel);
}

/* From outside a program nothing is tracked: the kfuncs still tell a
 * cgroup from anything else before they count a reference. */
static void test_kfuncs_outside_a_program_refuse_what_is_no_cgroup(void **state)
{
	long buf[64];
	unsigned int i;

	(void)state;
	memset(buf, 0x41, sizeof(buf));
	assert_null(bpf_cgroup_acquire((struct cgroup *)&buf[40]));
	bpf_cgroup_release((struct cgroup *)&buf[40]);
	/* misaligned, or NULL plus an offset: refused before any read */
	assert_null(bpf_cgroup_acquire((struct cgroup *)((char *)&buf[40] + 4)));
	assert_null(bpf_cgroup_acquire((struct cgroup *)(uintptr_t)16));
	assert_int_equal(bpfemu_diag_count(), 4);
	for (i = 0; i < 4; i++) {
		const char *rule;

		assert_int_equal(bpfemu_diag_get(i, &rule, NULL), 0);
		assert_string_equal(rule, "not_a_cgroup");
	}
	/* nothing was counted in the bytes before it, where a cgroup's
	 * count would be */
	for (i = 0; i < 64; i++)
		assert_int_equal(buf[i], 0x4141414141414141L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, diag_clear_setup)
		T(test_timer_of_a_lookup_before_its_null_check_is_refused),
		T(test_timer_or_lock_on_the_stack_is_refused),
		T(test_spin_lock_of_a_lookup_before_its_null_check_is_refused),
		T(test_null_callbacks_and_keyless_maps_are_refused_first),
		T(test_map_helpers_refuse_a_null_ish_key_or_value),
		T(test_a_stack_buffer_as_a_cgroup_is_refused),
		T(test_kfuncs_outside_a_program_refuse_what_is_no_cgroup),
		T(test_spin_lock_taken_twice_is_refused_and_given_back),
		T(test_exit_holding_a_spin_lock_fails_the_run_and_gives_it_back),
		T(test_spin_unlock_of_a_lock_not_held_is_refused),
#undef T
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
