// SPDX-License-Identifier: MIT
/*
 * bpf_prog_test_run_opts for SEC("syscall") programs, as 6.18 with libbpf
 * does it (bpf_prog_test_run_syscall, net/bpf/test_run.c): the context is
 * copied back into ctx_in; ctx_out, repeat and flags are refused; a
 * context buffer and its size come together; ctx_size_out,
 * data_size_out are left as the caller set them and duration is 0.
 * Each expectation was checked with the same program on 6.18 (not
 * emulated: -EINVAL for a context shorter than what the program reads).
 * Also test_run's repeat loop (a tc program): every repetition runs and
 * counts in the run statistics, the last one's return value is retval, and
 * a run bpfemu refuses (a verifier rule the kernel checks at load) ends
 * the loop.
 */
/* bpfemu-objects: syscall_ctx test_run_repeat */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu/core.h>

#include "syscall_ctx.skel.h"
#include "test_run_repeat.skel.h"
#include "test_group.h"

struct syscall_args {
	int a;
	int b;
};

static int prog_fd(struct syscall_ctx *skel)
{
	return bpf_program__fd(skel->progs.add_one);
}

static void test_syscall_program_context_is_copied_back_into_ctx_in(void **state)
{
	struct syscall_ctx *skel;
	struct syscall_args args = { .a = 41, .b = 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args),
		    .data_size_out = 5);

	(void)state;
	skel = syscall_ctx__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &opts), 0);
	assert_int_equal(opts.retval, 7);
	assert_int_equal(args.a, 41);
	assert_int_equal(args.b, 42);
	assert_int_equal(opts.ctx_size_out, 0);
	assert_int_equal(opts.data_size_out, 5);
	assert_int_equal(opts.duration, 0);
	assert_int_equal(skel->bss->runs, 1);
	syscall_ctx__destroy(skel);
}

static void test_syscall_program_runs_without_a_context(void **state)
{
	struct syscall_ctx *skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	(void)state;
	skel = syscall_ctx__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.no_ctx), &opts), 0);
	assert_int_equal(opts.retval, 3);
	assert_int_equal(opts.duration, 0);
	syscall_ctx__destroy(skel);
}

static void test_syscall_program_refuses_ctx_out_repeat_and_flags(void **state)
{
	struct syscall_ctx *skel;
	struct syscall_args args = { .a = 1, .b = 0 }, out = { 0, 0 };
	LIBBPF_OPTS(bpf_test_run_opts, with_out, .ctx_in = &args, .ctx_size_in = sizeof(args),
		    .ctx_out = &out, .ctx_size_out = sizeof(out));
	LIBBPF_OPTS(bpf_test_run_opts, repeat, .ctx_in = &args, .ctx_size_in = sizeof(args),
		    .repeat = 1);
	LIBBPF_OPTS(bpf_test_run_opts, flags, .ctx_in = &args, .ctx_size_in = sizeof(args),
		    .flags = BPF_F_TEST_RUN_ON_CPU);
	LIBBPF_OPTS(bpf_test_run_opts, data_size_in, .ctx_in = &args,
		    .ctx_size_in = sizeof(args), .data_size_in = 10);

	(void)state;
	skel = syscall_ctx__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &with_out), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &repeat), -EINVAL);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &flags), -EINVAL);
	/* nothing ran, nothing was written */
	assert_int_equal(args.b, 0);
	assert_int_equal(out.b, 0);
	assert_int_equal(skel->bss->runs, 0);
	/* data_size_in alone is not checked for this type */
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &data_size_in), 0);
	assert_int_equal(args.b, 2);
	syscall_ctx__destroy(skel);
}

static void test_context_buffer_and_size_come_together(void **state)
{
	struct syscall_ctx *skel;
	struct syscall_args args = { .a = 1, .b = 0 };
	static char big[65536];
	LIBBPF_OPTS(bpf_test_run_opts, no_buf, .ctx_size_in = sizeof(args));
	LIBBPF_OPTS(bpf_test_run_opts, no_size, .ctx_in = &args);
	LIBBPF_OPTS(bpf_test_run_opts, out_size_only, .ctx_in = &args,
		    .ctx_size_in = sizeof(args), .ctx_size_out = 123);
	LIBBPF_OPTS(bpf_test_run_opts, too_big, .ctx_in = big, .ctx_size_in = sizeof(big));

	(void)state;
	skel = syscall_ctx__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &no_buf), -EINVAL);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &no_size), -EINVAL);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &out_size_only), -EINVAL);
	assert_int_equal(out_size_only.ctx_size_out, 123);
	assert_int_equal(bpf_prog_test_run_opts(prog_fd(skel), &too_big), -EINVAL);
	/* the pairing is checked before the descriptor */
	assert_int_equal(bpf_prog_test_run_opts(-1, &no_buf), -EINVAL);
	assert_int_equal(skel->bss->runs, 0);
	syscall_ctx__destroy(skel);
}

/* Run statistics are the kernel's: counted only while an fd of
 * bpf_enable_stats() is open (bpf_stats_enabled_key), else run_cnt stays 0. */
static uint64_t run_cnt(int fd, uint64_t *run_time_ns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_prog_get_info_by_fd(fd, &info, &len), 0);
	*run_time_ns = info.run_time_ns;
	return info.run_cnt;
}

static void test_run_statistics_only_while_enabled(void **state)
{
	struct syscall_ctx *skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	uint64_t ns;
	int stats, fd, i;

	(void)state;
	skel = syscall_ctx__open_and_load();
	assert_non_null(skel);
	fd = bpf_program__fd(skel->progs.no_ctx);
	assert_int_equal(bpf_prog_test_run_opts(fd, &opts), 0);
	assert_int_equal(run_cnt(fd, &ns), 0);
	assert_int_equal(ns, 0);

	errno = 0;
	assert_int_equal(bpf_enable_stats((enum bpf_stats_type)1), -EINVAL);
	assert_int_equal(errno, EINVAL);
	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	assert_true(stats >= 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(bpf_prog_test_run_opts(fd, &opts), 0);
	assert_int_equal(run_cnt(fd, &ns), 100);
	assert_true(ns > 0);
	/* a second switch, then both closed: counting stops with the last */
	i = bpf_enable_stats(BPF_STATS_RUN_TIME);
	assert_true(i >= 0);
	close(stats);
	assert_int_equal(bpf_prog_test_run_opts(fd, &opts), 0);
	assert_int_equal(run_cnt(fd, &ns), 101);
	close(i);
	assert_int_equal(bpf_prog_test_run_opts(fd, &opts), 0);
	assert_int_equal(run_cnt(fd, &ns), 101);
	syscall_ctx__destroy(skel);
}

/* ------------------------------------------------ repeat (a tc program) */

static int run_repeat(struct bpf_program *prog, int repeat, __u32 *retval)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = repeat);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	*retval = opts.retval;
	return err;
}

static void test_repeat_runs_every_repetition_and_returns_the_last(void **state)
{
	struct test_run_repeat *skel;
	uint64_t ns;
	__u32 retval;
	int stats;

	(void)state;
	skel = test_run_repeat__open_and_load();
	assert_non_null(skel);
	assert_int_equal(run_repeat(skel->progs.count_runs, 5, &retval), 0);
	assert_int_equal(skel->bss->runs, 5);
	assert_int_equal(retval, 50);
	/* repeat 0 is one run */
	assert_int_equal(run_repeat(skel->progs.count_runs, 0, &retval), 0);
	assert_int_equal(skel->bss->runs, 6);
	assert_int_equal(retval, 60);
	/* each repetition is a run for the statistics, as in the kernel */
	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	assert_true(stats >= 0);
	assert_int_equal(run_repeat(skel->progs.count_runs, 1000, &retval), 0);
	assert_int_equal(skel->bss->runs, 1006);
	assert_int_equal(run_cnt(bpf_program__fd(skel->progs.count_runs), &ns), 1000);
	close(stats);
	test_run_repeat__destroy(skel);
}

static void test_repeat_stops_at_a_refused_run(void **state)
{
	struct test_run_repeat *skel;
	__u32 retval = 99;

	(void)state;
	skel = test_run_repeat__open_and_load();
	assert_non_null(skel);
	skel->bss->leak_at = 3;
	assert_int_equal(run_repeat(skel->progs.leak_once, 10, &retval), -EINVAL);
	assert_int_equal(skel->bss->runs, 3);
	assert_true(bpfemu_diag_has("unreleased_reference"));
	/* what leaked was released: the ring is usable, the next loop whole */
	assert_int_equal(run_repeat(skel->progs.leak_once, 10, &retval), 0);
	assert_int_equal(skel->bss->runs, 13);
	assert_int_equal(retval, 0);
	test_run_repeat__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_program_context_is_copied_back_into_ctx_in),
		cmocka_unit_test(test_syscall_program_runs_without_a_context),
		cmocka_unit_test(test_syscall_program_refuses_ctx_out_repeat_and_flags),
		cmocka_unit_test(test_context_buffer_and_size_come_together),
		cmocka_unit_test(test_run_statistics_only_while_enabled),
		cmocka_unit_test(test_repeat_runs_every_repetition_and_returns_the_last),
		cmocka_unit_test(test_repeat_stops_at_a_refused_run),
	};

	bpfemu_diag_set_echo(false);
	return cmocka_run_group_tests(tests, NULL, reset_teardown);
}
