// SPDX-License-Identifier: MIT
/*
 * Verifier rules bpfemu mirrors: each bad program fails its load or run with
 * the kernel's errno and leaves a diagnostic naming the rule; nothing
 * crashes.
 */
/* bpfemu-objects: bad_kprobe_timer bad_helper_type bad_license bad_sec bad_map_attr bad_runtime bad_too_many_maps */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpfemu/clock.h>
#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "bad_helper_type.skel.h"
#include "bad_kprobe_timer.skel.h"
#include "bad_license.skel.h"
#include "bad_map_attr.skel.h"
#include "bad_runtime.skel.h"
#include "bad_sec.skel.h"
#include "bad_too_many_maps.skel.h"
#include "err.h"
#include "prog.h"
#include "test_group.h"

static int each_setup(void **state)
{
	(void)state;
	bpfemu_diag_clear();
	return 0;
}

static void test_kprobe_referencing_a_timer_map_fails_load_with_einval(void **state)
{
	struct bad_kprobe_timer *skel;

	(void)state;
	skel = bad_kprobe_timer__open();
	assert_non_null(skel);
	assert_int_equal(bad_kprobe_timer__load(skel), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_true(bpfemu_diag_has("tracing_prog_timer_map"));
	bad_kprobe_timer__destroy(skel);
}

static void test_helper_not_allowed_for_type_fails_load_with_einval(void **state)
{
	struct bad_helper_type *skel;

	(void)state;
	skel = bad_helper_type__open();
	assert_non_null(skel);
	assert_int_equal(bad_helper_type__load(skel), -EINVAL);
	assert_true(bpfemu_diag_has("helper_not_allowed"));
	bad_helper_type__destroy(skel);
}

static void test_same_helper_is_allowed_in_tc_through_a_static_function(void **state)
{
	struct bad_helper_type *skel;

	(void)state;
	skel = bad_helper_type__open();
	assert_non_null(skel);
	assert_int_equal(bpf_program__set_autoload(skel->progs.probe, false), 0);
	assert_int_equal(bpf_program__set_autoload(skel->progs.classify, true), 0);
	assert_int_equal(bad_helper_type__load(skel), 0);
	bad_helper_type__destroy(skel);
}

static void test_non_gpl_program_calling_timer_helper_fails_load(void **state)
{
	struct bad_license *skel;

	(void)state;
	skel = bad_license__open();
	assert_non_null(skel);
	assert_int_equal(bad_license__load(skel), -EINVAL);
	assert_true(bpfemu_diag_has("helper_gpl_only"));
	bad_license__destroy(skel);
}

static void test_unknown_sec_fails_load_with_einval(void **state)
{
	struct bad_sec *skel;

	(void)state;
	skel = bad_sec__open();
	assert_non_null(skel);
	assert_int_equal(bpf_program__type(skel->progs.prog), BPF_PROG_TYPE_UNSPEC);
	assert_int_equal(bad_sec__load(skel), -EINVAL);
	assert_true(bpfemu_diag_has("unknown_sec"));
	bad_sec__destroy(skel);
}

static void test_unknown_map_attribute_fails_open_with_eopnotsupp(void **state)
{
	struct bad_map_attr *skel;

	(void)state;
	skel = bad_map_attr__open();
	assert_null(skel);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_true(bpfemu_diag_has("unknown_map_attr"));
}

static void test_timer_callback_returning_nonzero_is_diagnosed(void **state)
{
	struct bad_runtime *skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	(void)state;
	skel = bad_runtime__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.arm_bad_callback), &opts), 0);
	assert_int_equal(opts.retval, 0);
	bpfemu_clock_advance(1000);
	assert_true(bpfemu_diag_has("timer_cb_nonzero_return"));
	bad_runtime__destroy(skel);
}

static void test_pointer_that_is_not_a_map_rejects_the_run(void **state)
{
	struct bad_runtime *skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	(void)state;
	skel = bad_runtime__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.lookup_non_map), &opts), -EINVAL);
	assert_true(bpfemu_diag_has("not_a_map"));
	bad_runtime__destroy(skel);
}

static void test_unemulated_helper_rejects_the_run_naming_it(void **state)
{
	struct bad_runtime *skel;
	char pkt[20] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));
	const char *rule, *msg;

	(void)state;
	skel = bad_runtime__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.unemulated), &opts), -EOPNOTSUPP);
	assert_true(bpfemu_diag_has("helper_not_emulated"));
	assert_int_equal(bpfemu_diag_get(bpfemu_diag_count() - 1, &rule, &msg), 0);
	assert_non_null(strstr(msg, "bpf_clone_redirect"));
	bad_runtime__destroy(skel);
}

struct cb_arg {
	int func_id;
	long cb_ret;
};

static long call_helper_in_kprobe(void *arg)
{
	(void)arg;
	/* a timer helper from a kprobe: rejected at run time too */
	bpfemu_helper_timer_cancel(NULL);
	return 0;
}

static void test_runtime_check_rejects_helper_not_allowed_for_type(void **state)
{
	struct emu_prog *prog = emu_prog_new_bare("kp", BPF_PROG_TYPE_KPROBE);
	long ret = 0;

	(void)state;
	assert_non_null(prog);
	assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, call_helper_in_kprobe, NULL, &ret), -EINVAL);
	assert_true(bpfemu_diag_has("helper_not_allowed"));
	/* outside any program every helper is allowed */
	assert_true(emu_helper_allowed(BPF_FUNC_timer_init));
	emu_prog_put(prog);
}

static long callback_returns(void *arg)
{
	struct cb_arg *a = arg;

	return emu_callback_check_ret(a->func_id, a->cb_ret);
}

static void test_drain_callback_returning_two_is_rejected(void **state)
{
	struct emu_prog *prog = emu_prog_new_bare("p", BPF_PROG_TYPE_SYSCALL);
	struct cb_arg a = { BPF_FUNC_user_ringbuf_drain, 2 };
	long ret = 0;

	(void)state;
	assert_non_null(prog);
	assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, callback_returns, &a, &ret), -EINVAL);
	assert_true(bpfemu_diag_has("drain_cb_bad_return"));
	a.cb_ret = 1;
	assert_int_equal(emu_run(prog, EMU_ENTRY_PROG, callback_returns, &a, &ret), 0);
	assert_int_equal(ret, 0);
	emu_prog_put(prog);
}

static long timer_cb_returns_one(void *arg)
{
	(void)arg;
	return 1;
}

static void test_timer_callback_entry_returning_nonzero_fails(void **state)
{
	struct emu_prog *prog = emu_prog_new_bare("p", BPF_PROG_TYPE_SCHED_CLS);
	long ret = 0;

	(void)state;
	assert_non_null(prog);
	assert_int_equal(emu_run(prog, EMU_ENTRY_TIMER_CB, timer_cb_returns_one, NULL, &ret), -EINVAL);
	assert_true(bpfemu_diag_has("timer_cb_nonzero_return"));
	emu_prog_put(prog);
}

static void test_emu_run_rejects_missing_program_or_function(void **state)
{
	long ret;

	(void)state;
	assert_int_equal(emu_run(NULL, EMU_ENTRY_PROG, timer_cb_returns_one, NULL, &ret), -EINVAL);
}

static void test_more_than_64_maps_per_program_fails_load_with_e2big(void **state)
{
	struct bad_too_many_maps *skel;

	(void)state;
	/* 64 maps: the limit itself loads and runs */
	skel = bad_too_many_maps__open();
	assert_non_null(skel);
	assert_int_equal(bpf_program__set_autoload(skel->progs.all_64_and_a_global, false), 0);
	assert_int_equal(bad_too_many_maps__load(skel), 0);
	assert_false(bpfemu_diag_has("too_many_maps"));
	{
		unsigned char pkt[64] = { 0 };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));

		assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.all_64), &opts), 0);
		assert_int_equal(opts.retval, 64);
	}
	bad_too_many_maps__destroy(skel);

	/* the same 64 and the .bss map: 65 */
	skel = bad_too_many_maps__open();
	assert_non_null(skel);
	assert_int_equal(bpf_program__set_autoload(skel->progs.all_64, false), 0);
	assert_int_equal(bad_too_many_maps__load(skel), -E2BIG);
	assert_int_equal(errno, E2BIG);
	assert_true(bpfemu_diag_has("too_many_maps"));
	bad_too_many_maps__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup(f, each_setup)
		T(test_kprobe_referencing_a_timer_map_fails_load_with_einval),
		T(test_helper_not_allowed_for_type_fails_load_with_einval),
		T(test_same_helper_is_allowed_in_tc_through_a_static_function),
		T(test_non_gpl_program_calling_timer_helper_fails_load),
		T(test_unknown_sec_fails_load_with_einval),
		T(test_unknown_map_attribute_fails_open_with_eopnotsupp),
		T(test_timer_callback_returning_nonzero_is_diagnosed),
		T(test_pointer_that_is_not_a_map_rejects_the_run),
		T(test_unemulated_helper_rejects_the_run_naming_it),
		T(test_runtime_check_rejects_helper_not_allowed_for_type),
		T(test_drain_callback_returning_two_is_rejected),
		T(test_timer_callback_entry_returning_nonzero_fails),
		T(test_emu_run_rejects_missing_program_or_function),
		T(test_more_than_64_maps_per_program_fails_load_with_e2big),
#undef T
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
