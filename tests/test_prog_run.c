// SPDX-License-Identifier: MIT
/*
 * bpfemu_prog_run / bpfemu_prog_run_args: firing programs the kernel
 * cannot test-run (tp, kprobe) or runs only from their hook (fentry,
 * raw_tp) on a context shaped as their type reads it, while
 * bpf_prog_test_run_opts keeps the kernel's -ENOTSUPP for them.
 */
/* bpfemu-objects: prog_run_hooks prog_run_bad */
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
#include <bpfemu.h>

#include <bpfemu/helpers.h>

#include "ctx.h"
#include "prog.h"
#include "prog_run_hooks.skel.h"
#include "prog_run_bad.skel.h"
#include "test_group.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* The sys_enter_openat record the tp program takes (its own declaration
 * of the same layout). */
#include <bpfemu/tp_records.h>

static struct prog_run_hooks *hooks_load(void)
{
	struct prog_run_hooks *skel = prog_run_hooks__open_and_load();

	assert_non_null(skel);
	return skel;
}

static void test_tracepoint_program_reads_its_record_and_counts_per_tgid(void **state)
{
	struct prog_run_hooks *skel = hooks_load();
	struct trace_event_raw_sys_enter rec = {
		.ent = { .type = 612, .pid = 4321 },
		.id = 257,				/* __NR_openat */
		.args = { (unsigned long)-100, 0x1000, 0x80241, 0 },
	};
	BPFEMU_OPTS(bpfemu_prog_run_opts, opts, .ctx = &rec, .ctx_size = sizeof(rec), .retval = 99);
	int fd = bpf_program__fd(skel->progs.on_openat);
	uint32_t tgid = 77;
	uint64_t n = 0;

	(void)state;
	bpfemu_task_set_pid(tgid, 78);
	assert_int_equal(bpfemu_prog_run(fd, &opts), 0);
	assert_int_equal(opts.retval, 0);
	assert_int_equal(bpfemu_prog_run(fd, &opts), 0);
	assert_int_equal(skel->bss->tp_syscall_nr, 257);
	assert_int_equal(skel->bss->tp_common_pid, 4321);
	assert_int_equal(skel->bss->tp_dfd, -100);
	assert_int_equal(skel->bss->tp_flags, 0x80241);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.opens), &tgid, &n), 0);
	assert_int_equal(n, 2);
	prog_run_hooks__destroy(skel);
}

static void test_kprobe_program_reads_bpf_kprobe_arguments(void **state)
{
	struct prog_run_hooks *skel = hooks_load();
	/* pt_regs as bpfemu's bpf_tracing.h reads it: slot i = argument i+1 */
	uint64_t regs[8] = { 5, 0xdeadbeef };
	BPFEMU_OPTS(bpfemu_prog_run_opts, opts, .ctx = regs, .ctx_size = sizeof(regs));
	int fd = bpf_program__fd(skel->progs.on_unlinkat);
	uint64_t ret = 0;

	(void)state;
	assert_int_equal(bpfemu_prog_run(fd, &opts), 0);
	assert_int_equal(opts.retval, 6);
	assert_int_equal(skel->bss->kp_dfd, 5);
	assert_int_equal(skel->bss->kp_name, 0xdeadbeef);
	/* the same with the array form; a negative int comes back sign-extended */
	assert_int_equal(bpfemu_prog_run_args(fd, (const uint64_t[]){ (uint64_t)-3, 1 }, 2, &ret), 0);
	assert_int_equal((int)ret, -2);
	assert_int_equal(ret, (uint64_t)-2);
	assert_int_equal(skel->bss->kp_dfd, -3);
	assert_int_equal(skel->bss->kp_hits, 2);
	prog_run_hooks__destroy(skel);
}

static void test_fentry_program_reads_bpf_prog_arguments(void **state)
{
	struct prog_run_hooks *skel = hooks_load();
	char path[] = "/etc/passwd";
	uint64_t args[3] = { 7, (uint64_t)(uintptr_t)path, 0x1234 };
	uint64_t ret = 1;

	(void)state;
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.on_openat2), args, 3, &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(skel->bss->fentry_dfd, 7);
	assert_int_equal(skel->bss->fentry_how, 0x1234);
	prog_run_hooks__destroy(skel);
}

static void test_raw_tp_program_runs_on_the_chosen_cpu(void **state)
{
	struct prog_run_hooks *skel = hooks_load();
	uint64_t args[3] = { 1, 0x1000, 0x2000 };
	BPFEMU_OPTS(bpfemu_prog_run_opts, opts, .ctx = args, .ctx_size = sizeof(args), .cpu = 2);
	int fd = bpf_program__fd(skel->progs.on_switch);
	uint64_t per_cpu[BPFEMU_MAX_CPUS];
	uint32_t zero = 0;
	int ncpu = bpfemu_nr_cpus();

	(void)state;
	assert_true(ncpu > 2);
	assert_int_equal(bpfemu_prog_run(fd, &opts), 0);
	assert_int_equal(opts.retval, 2);
	assert_int_equal(skel->bss->rawtp_cpu, 2);
	assert_int_equal(skel->bss->rawtp_prev, 0x1000);
	assert_int_equal(skel->bss->rawtp_next, 0x2000);
	memset(per_cpu, 0, sizeof(per_cpu));
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.switches), &zero, per_cpu), 0);
	assert_int_equal(per_cpu[0], 0);
	assert_int_equal(per_cpu[2], 1);
	/* out of range: the kernel's test_run gives -ENXIO for such a cpu */
	opts.cpu = ncpu;
	assert_int_equal(bpfemu_prog_run(fd, &opts), -ENXIO);
	assert_int_equal(errno, ENXIO);
	prog_run_hooks__destroy(skel);
}

static void test_test_run_keeps_the_kernels_answers_on_the_same_fds(void **state)
{
	struct prog_run_hooks *skel = hooks_load();
	struct trace_event_raw_sys_enter rec = { .id = 257 };
	uint64_t args[3] = { 0, 0x1000, 0x2000 };
	LIBBPF_OPTS(bpf_test_run_opts, tp_opts, .ctx_in = &rec, .ctx_size_in = sizeof(rec));
	LIBBPF_OPTS(bpf_test_run_opts, kp_opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	LIBBPF_OPTS(bpf_test_run_opts, raw_opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	(void)state;
	/* tracepoint and kprobe programs have no test_run on a kernel */
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.on_openat), &tp_opts),
			 -ENOTSUPP);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.on_unlinkat), &kp_opts),
			 -ENOTSUPP);
	assert_int_equal(skel->bss->tp_syscall_nr, 0);
	assert_int_equal(skel->bss->kp_hits, 0);
	/* raw_tp has one (bpf_prog_test_run_raw_tp), the same as before */
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.on_switch), &raw_opts), 0);
	assert_int_equal(raw_opts.retval, 1);
	assert_int_equal(skel->bss->rawtp_next, 0x2000);
	prog_run_hooks__destroy(skel);
}

static void test_bad_fds_and_bad_opts_are_refused(void **state)
{
	struct prog_run_hooks *skel = hooks_load();
	uint64_t regs[2] = { 1, 2 };
	BPFEMU_OPTS(bpfemu_prog_run_opts, opts);
	int fd = bpf_program__fd(skel->progs.on_unlinkat);
	int map_fd = bpf_map__fd(skel->maps.opens);
	uint64_t ret;

	(void)state;
	assert_int_equal(bpfemu_prog_run(-1, &opts), -EBADF);
	assert_int_equal(errno, EBADF);
	assert_int_equal(bpfemu_prog_run(1000000, &opts), -EBADF);
	/* an fd that is not a program: a map, and an ordinary open fd */
	assert_int_equal(bpfemu_prog_run(map_fd, &opts), -EINVAL);
	assert_int_equal(bpfemu_prog_run(STDIN_FILENO, &opts), -EINVAL);
	assert_int_equal(bpfemu_prog_run_args(map_fd, regs, 2, &ret), -EINVAL);
	/* opts */
	assert_int_equal(bpfemu_prog_run(fd, NULL), -EINVAL);
	opts.ctx = regs;	/* a context without its size */
	assert_int_equal(bpfemu_prog_run(fd, &opts), -EINVAL);
	opts.ctx_size = 12;	/* not a whole number of u64 slots */
	assert_int_equal(bpfemu_prog_run(fd, &opts), -EINVAL);
	opts.ctx_size = sizeof(regs);
	opts.cpu = -1;
	assert_int_equal(bpfemu_prog_run(fd, &opts), -ENXIO);
	assert_int_equal(bpfemu_prog_run_args(fd, NULL, 1, &ret), -EINVAL);
	assert_int_equal(bpfemu_prog_run_args(fd, regs, 13, &ret), -EINVAL);
	assert_int_equal(skel->bss->kp_hits, 0);
	prog_run_hooks__destroy(skel);
	/* closed with its object */
	assert_int_equal(bpfemu_prog_run_args(fd, regs, 2, &ret), -EBADF);
}

static void test_opts_from_a_newer_caller_need_a_zero_tail(void **state)
{
	struct prog_run_hooks *skel = hooks_load();
	struct {
		struct bpfemu_prog_run_opts o;
		uint64_t future;
	} big;
	uint64_t regs[2] = { 4, 0 };

	(void)state;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.ctx = regs;
	big.o.ctx_size = sizeof(regs);
	assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.on_unlinkat), &big.o), 0);
	assert_int_equal(big.o.retval, 5);
	big.future = 1;
	assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.on_unlinkat), &big.o), -EINVAL);
	assert_int_equal(skel->bss->kp_hits, 1);
	prog_run_hooks__destroy(skel);
}

static void test_helper_not_allowed_for_the_type_is_still_rejected(void **state)
{
	struct prog_run_bad *skel;
	uint64_t ret = 42;

	(void)state;
	skel = prog_run_bad__open_and_load();
	assert_non_null(skel);	/* the loader's scan does not see the call */
	bpfemu_diag_clear();
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.sneaky), NULL, 0, &ret),
			 -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_true(bpfemu_diag_has("helper_not_allowed"));
	assert_int_equal(ret, 42);
	assert_int_equal(skel->bss->reached, 0);
	prog_run_bad__destroy(skel);
}

/* ---------------------------------------- emu_run_repeat (test_run's loop) */

static int repeat_runs, repeat_reject_at;

static long repeat_fn(void *arg)
{
	(void)arg;
	repeat_runs++;
	assert_true(emu_in_bpf());
	if (repeat_runs == repeat_reject_at)
		bpfemu_helper_timer_start(NULL, 0, 0);	/* timer_not_map_value */
	return repeat_runs * 10;
}

static void repeat_expect(uint32_t n, int reject_at, int err, int runs, long r)
{
	struct emu_prog *prog = emu_prog_new_bare("repeat", BPF_PROG_TYPE_XDP);
	long ret = -1;

	assert_non_null(prog);
	repeat_runs = 0;
	repeat_reject_at = reject_at;
	assert_int_equal(emu_run_repeat(prog, repeat_fn, NULL, n, &ret), err);
	assert_int_equal(repeat_runs, runs);
	assert_int_equal(ret, r);
	/* the context is the caller's again */
	assert_false(emu_in_bpf());
	assert_null(emu_ctx.prog);
	assert_null(emu_ctx.helpers_allowed);
	emu_prog_put(prog);
}

static void test_repeat_runs_n_times_and_stops_at_the_first_rejection(void **state)
{
	(void)state;
	bpfemu_diag_clear();
	/* alone, and as the runs of a batch (test_run's repeat) */
	repeat_expect(5, 0, 0, 5, 50);
	emu_run_batch_begin();
	repeat_expect(5, 0, 0, 5, 50);
	repeat_expect(1000, 0, 0, 1000, 10000);
	assert_false(bpfemu_diag_has("timer_not_map_value"));
	/* the third run is rejected: no fourth, its errno, and no result
	 * (as emu_run leaves it) */
	repeat_expect(5, 3, -EACCES, 3, 0);
	assert_true(bpfemu_diag_has("timer_not_map_value"));
	repeat_expect(5, 1, -EACCES, 1, 0);
	/* after a rejection the next series works */
	repeat_expect(3, 0, 0, 3, 30);
	emu_run_batch_end();
	assert_null(emu_ctx.reject_jb);
	repeat_expect(5, 2, -EACCES, 2, 0);
	assert_null(emu_ctx.reject_jb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tracepoint_program_reads_its_record_and_counts_per_tgid,
					  reset_teardown),
		cmocka_unit_test_teardown(test_kprobe_program_reads_bpf_kprobe_arguments, reset_teardown),
		cmocka_unit_test_teardown(test_fentry_program_reads_bpf_prog_arguments, reset_teardown),
		cmocka_unit_test_teardown(test_raw_tp_program_runs_on_the_chosen_cpu, reset_teardown),
		cmocka_unit_test_teardown(test_test_run_keeps_the_kernels_answers_on_the_same_fds,
					  reset_teardown),
		cmocka_unit_test_teardown(test_bad_fds_and_bad_opts_are_refused, reset_teardown),
		cmocka_unit_test_teardown(test_opts_from_a_newer_caller_need_a_zero_tail, reset_teardown),
		cmocka_unit_test_teardown(test_helper_not_allowed_for_the_type_is_still_rejected,
					  reset_teardown),
		cmocka_unit_test_teardown(test_repeat_runs_n_times_and_stops_at_the_first_rejection,
					  reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, NULL);
}
