/* SPDX-License-Identifier: MIT */
/*
 * helpers/misc.c: time, CPU, current task, prandom, NUMA node, bpf_loop.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpfemu.h>
#include <bpfemu/helpers.h>

#include "ctx.h"
#include "prog.h"

/* Not in <bpfemu/helpers.h> yet (helpers outside spec constants.md §1.1). */
__u64 bpfemu_helper_get_current_uid_gid(void);
long bpfemu_helper_get_current_comm(void *buf, __u32 size_of_buf);
long bpfemu_helper_get_numa_node_id(void);

#define MS 1000000ULL

static int test_setup(void **state)
{
	(void)state;
	bpfemu_diag_set_echo(false);
	return 0;
}

static int test_teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_reset(), 0);
	return 0;
}

static void test_time_helpers_read_the_virtual_clocks(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_helper_ktime_get_ns(), BPFEMU_CLOCK_START_NS);
	bpfemu_clock_advance(6 * MS + 1);
	bpfemu_clock_suspend(MS);
	assert_int_equal(bpfemu_helper_ktime_get_ns(), BPFEMU_CLOCK_START_NS + 6 * MS + 1);
	assert_int_equal(bpfemu_helper_ktime_get_boot_ns(), BPFEMU_CLOCK_START_NS + 7 * MS + 1);
	assert_int_equal(bpfemu_helper_ktime_get_coarse_ns(), BPFEMU_CLOCK_START_NS + 4 * MS);
	assert_int_equal(bpfemu_helper_ktime_get_tai_ns(),
			 BPFEMU_CLOCK_REALTIME_START_NS + 7 * MS + 1 + BPFEMU_CLOCK_TAI_OFFSET_NS);
}

static void test_jiffies_count_ticks_from_initial_jiffies(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_helper_jiffies64(),
			 BPFEMU_INITIAL_JIFFIES + BPFEMU_CLOCK_START_NS / BPFEMU_CLOCK_TICK_NS);
	bpfemu_clock_advance(BPFEMU_CLOCK_TICK_NS - 1);
	assert_int_equal(bpfemu_helper_jiffies64(),
			 BPFEMU_INITIAL_JIFFIES + BPFEMU_CLOCK_START_NS / BPFEMU_CLOCK_TICK_NS);
	bpfemu_clock_advance(1);
	assert_int_equal(bpfemu_helper_jiffies64(),
			 BPFEMU_INITIAL_JIFFIES + BPFEMU_CLOCK_START_NS / BPFEMU_CLOCK_TICK_NS + 1);
	assert_int_equal(BPFEMU_INITIAL_JIFFIES, 4294892296ULL);
}

static void test_smp_processor_id_is_the_emulated_cpu(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_helper_get_smp_processor_id(), 0);
	emu_ctx.cpu = 3;
	assert_int_equal(bpfemu_helper_get_smp_processor_id(), 3);
	emu_ctx.cpu = 0;
}

static void test_prandom_is_deterministic_per_seed_and_reset(void **state)
{
	uint32_t a[4], b[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++)
		a[i] = bpfemu_helper_get_prandom_u32();
	assert_true(a[0] != a[1] || a[1] != a[2]);
	bpfemu_reset();
	for (i = 0; i < 4; i++)
		b[i] = bpfemu_helper_get_prandom_u32();
	assert_memory_equal(a, b, sizeof(a));
	bpfemu_prandom_seed(42);
	a[0] = bpfemu_helper_get_prandom_u32();
	bpfemu_prandom_seed(42);
	assert_int_equal(bpfemu_helper_get_prandom_u32(), a[0]);
	bpfemu_prandom_seed(43);
	assert_int_not_equal(bpfemu_helper_get_prandom_u32(), a[0]);
}

static void test_current_task_defaults_to_the_real_process(void **state)
{
	char comm[16];

	(void)state;
	assert_int_equal(bpfemu_helper_get_current_pid_tgid(),
			 (uint64_t)getpid() << 32 | (uint64_t)getpid());
	assert_int_equal(bpfemu_helper_get_current_uid_gid(),
			 (uint64_t)getgid() << 32 | (uint64_t)getuid());
	assert_int_equal(bpfemu_helper_get_current_comm(comm, sizeof(comm)), 0);
	assert_string_equal(comm, "test_misc");
}

static void test_current_task_fields_can_be_set_and_reset(void **state)
{
	char comm[16], small[4];

	(void)state;
	bpfemu_task_set_pid(100, 101);
	bpfemu_task_set_ids(1000, 2000);
	bpfemu_task_set_comm("a-very-long-command-name");
	assert_int_equal(bpfemu_helper_get_current_pid_tgid(), (100ULL << 32) | 101);
	assert_int_equal(bpfemu_helper_get_current_uid_gid(), (2000ULL << 32) | 1000);
	memset(comm, 'x', sizeof(comm));
	assert_int_equal(bpfemu_helper_get_current_comm(comm, sizeof(comm)), 0);
	/* TASK_COMM_LEN is 16: 15 characters and a NUL. */
	assert_string_equal(comm, "a-very-long-com");
	/* strscpy_pad: cut to the buffer, terminated. */
	assert_int_equal(bpfemu_helper_get_current_comm(small, sizeof(small)), 0);
	assert_string_equal(small, "a-v");
	bpfemu_reset();
	assert_int_equal(bpfemu_helper_get_current_pid_tgid() >> 32, (uint64_t)getpid());
}

static void test_comm_into_a_zero_sized_buffer_is_refused(void **state)
{
	char c;

	(void)state;
	assert_int_equal(bpfemu_helper_get_current_comm(&c, 0), -EINVAL);
	assert_true(bpfemu_diag_has("zero_size_buffer"));
}

static void test_numa_node_is_zero_unless_configured(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_helper_get_numa_node_id(), 0);
	bpfemu_task_set_numa_node(1);
	assert_int_equal(bpfemu_helper_get_numa_node_id(), 1);
}

static int loop_stop_at;
static int loop_calls;
static int loop_bad_return;

static int loop_cb(__u64 index, void *ctx)
{
	int *sum = ctx;

	loop_calls++;
	*sum += (int)index;
	if (loop_bad_return)
		return 2;
	return (int)index == loop_stop_at;
}

static void test_loop_runs_nr_loops_times_and_returns_the_count(void **state)
{
	int sum = 0;

	(void)state;
	loop_stop_at = -1;
	loop_calls = 0;
	assert_int_equal(bpfemu_helper_loop(5, loop_cb, &sum, 0), 5);
	assert_int_equal(loop_calls, 5);
	assert_int_equal(sum, 0 + 1 + 2 + 3 + 4);
	assert_int_equal(bpfemu_helper_loop(0, loop_cb, &sum, 0), 0);
}

static void test_loop_stops_when_the_callback_returns_1_counting_that_call(void **state)
{
	int sum = 0;

	(void)state;
	loop_stop_at = 2;
	loop_calls = 0;
	assert_int_equal(bpfemu_helper_loop(10, loop_cb, &sum, 0), 3);
	assert_int_equal(loop_calls, 3);
}

static void test_loop_with_flags_is_einval_and_too_many_loops_is_e2big(void **state)
{
	int sum = 0;

	(void)state;
	loop_calls = 0;
	assert_int_equal(bpfemu_helper_loop(1, loop_cb, &sum, 1), -EINVAL);
	/* flags are checked before the count */
	assert_int_equal(bpfemu_helper_loop(1u << 24, loop_cb, &sum, 1), -EINVAL);
	assert_int_equal(bpfemu_helper_loop((8u << 20) + 1, loop_cb, &sum, 0), -E2BIG);
	assert_int_equal(loop_calls, 0);
}

static void test_loop_callback_returning_other_than_0_or_1_is_reported(void **state)
{
	int sum = 0;

	(void)state;
	loop_bad_return = 1;
	assert_int_equal(bpfemu_helper_loop(3, loop_cb, &sum, 0), -EINVAL);
	loop_bad_return = 0;
	assert_true(bpfemu_diag_has("loop_cb_bad_return"));
}

/* Inside a program: every iteration runs as the program's callback. */
static struct emu_prog *loop_prog;
static int loop_ctx_ok;

static int loop_cb_in_prog(__u64 index, void *ctx)
{
	(void)ctx;
	loop_calls++;
	loop_ctx_ok += emu_ctx.prog == loop_prog && emu_ctx.depth == 2 &&
		       emu_ctx.kind == EMU_ENTRY_CALLBACK && emu_ctx.prog_type == BPF_PROG_TYPE_XDP;
	if (loop_bad_return)
		return 2;
	return (int)index == loop_stop_at;
}

static long loop_prog_body(void *arg)
{
	long n = bpfemu_helper_loop(*(__u32 *)arg, loop_cb_in_prog, NULL, 0);

	/* back in the program's own entry */
	if (emu_ctx.depth != 1 || emu_ctx.kind != EMU_ENTRY_PROG)
		return -1000;
	return n;
}

static void test_loop_inside_a_program_runs_its_callbacks_as_the_programs(void **state)
{
	__u32 n = 100;
	long ret;

	(void)state;
	loop_prog = emu_prog_new_bare("loop", BPF_PROG_TYPE_XDP);
	assert_non_null(loop_prog);
	loop_stop_at = -1;
	loop_calls = loop_ctx_ok = 0;
	assert_int_equal(emu_run(loop_prog, EMU_ENTRY_PROG, loop_prog_body, &n, &ret), 0);
	assert_int_equal(ret, 100);
	assert_int_equal(loop_calls, 100);
	assert_int_equal(loop_ctx_ok, 100);

	loop_stop_at = 6;
	loop_calls = loop_ctx_ok = 0;
	assert_int_equal(emu_run(loop_prog, EMU_ENTRY_PROG, loop_prog_body, &n, &ret), 0);
	assert_int_equal(ret, 7);
	assert_int_equal(loop_ctx_ok, 7);

	/* a return the verifier refuses ends the run at the first one */
	loop_bad_return = 1;
	loop_calls = 0;
	assert_int_equal(emu_run(loop_prog, EMU_ENTRY_PROG, loop_prog_body, &n, &ret), -EINVAL);
	loop_bad_return = 0;
	assert_int_equal(loop_calls, 1);
	assert_true(bpfemu_diag_has("loop_cb_bad_return"));
	assert_int_equal(emu_ctx.depth, 0);
	assert_null(emu_ctx.prog);
	emu_prog_put(loop_prog);
}

static int group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_time_helpers_read_the_virtual_clocks),
		T(test_jiffies_count_ticks_from_initial_jiffies),
		T(test_smp_processor_id_is_the_emulated_cpu),
		T(test_prandom_is_deterministic_per_seed_and_reset),
		T(test_current_task_defaults_to_the_real_process),
		T(test_current_task_fields_can_be_set_and_reset),
		T(test_comm_into_a_zero_sized_buffer_is_refused),
		T(test_numa_node_is_zero_unless_configured),
		T(test_loop_runs_nr_loops_times_and_returns_the_count),
		T(test_loop_stops_when_the_callback_returns_1_counting_that_call),
		T(test_loop_with_flags_is_einval_and_too_many_loops_is_e2big),
		T(test_loop_callback_returning_other_than_0_or_1_is_reported),
		T(test_loop_inside_a_program_runs_its_callbacks_as_the_programs),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
