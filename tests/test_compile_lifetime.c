// SPDX-License-Identifier: MIT
/*
 * A program's lifetime after its skeleton is destroyed, as the kernel has
 * it: a dup(2) of its fd, a link or a pending timer keeps the program, and
 * through it its maps, definitions and globals; X__destroy still closes the
 * user fds, so the maps' usercnt drops.  Also the libbpf user-space compat
 * calls (libbpf_set_print, libbpf_num_possible_cpus), and that <bpfemu.h>
 * and a skeleton can be included together.
 */
/* bpfemu-objects: lifetime */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpfemu.h>		/* the whole control API, beside a skeleton */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lifetime.skel.h"
#include "test_group.h"

struct lt_val_user {
	__u64 t[2];		/* struct bpf_timer */
	__u64 hits;
};

static char pkt[64];

static int run_fd(int fd, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));
	int err = bpf_prog_test_run_opts(fd, &opts);

	*retval = (int)opts.retval;
	return err;
}

/* Every map freed: no program, definition or instance holds one. */
static void assert_no_live_map(void)
{
	__u32 id = 0;

	assert_int_equal(bpf_map_get_next_id(0, &id), -ENOENT);
}

static void test_field_kinds_are_one_enum(void **state)
{
	(void)state;
	assert_int_equal(BPFEMU_GEN_FIELD_TIMER, BPFEMU_FIELD_TIMER);
	assert_int_equal(BPFEMU_GEN_FIELD_SPIN_LOCK, BPFEMU_FIELD_SPIN_LOCK);
	assert_int_equal(BPFEMU_FIELD_TIMER, 1);
	assert_int_equal(BPFEMU_FIELD_KPTR, 3);
}

static void test_dup_prog_fd_runs_after_destroy_with_usercnt_zero(void **state)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	struct lifetime *skel;
	int fd, ret = 99;

	(void)state;
	skel = lifetime__open_and_load();
	assert_non_null(skel);
	fd = dup(bpf_program__fd(skel->progs.lt_probe));
	assert_true(fd >= 0);
	lifetime__destroy(skel);

	/* The program runs; the map lost its last user fd: init is -EPERM. */
	assert_int_equal(run_fd(fd, &ret), 0);
	assert_int_equal(ret, -EPERM);
	memset(&info, 0, sizeof(info));
	assert_int_equal(bpf_prog_get_info_by_fd(fd, &info, &len), 0);
	assert_string_equal(info.name, "lt_probe");
	assert_int_equal(info.type, BPF_PROG_TYPE_SCHED_CLS);

	/* Its native code is still this instance's: a second one waits. */
	assert_null(lifetime__open_and_load());
	assert_int_equal(errno, EBUSY);

	close(fd);
	assert_int_equal(run_fd(fd, &ret), -EBADF);	/* reaps the closed fd */
	assert_int_equal(bpfemu_live_objects(), 0);
	skel = lifetime__open_and_load();
	assert_non_null(skel);
	assert_int_equal(run_fd(bpf_program__fd(skel->progs.lt_probe), &ret), 0);
	assert_int_equal(ret, 0);
	lifetime__destroy(skel);
}

static void test_pending_timer_after_destroy_resolves_its_map(void **state)
{
	struct lt_val_user v;
	struct lifetime *skel;
	__u32 k;
	int mfd, ret = 99;

	(void)state;
	skel = lifetime__open_and_load();
	assert_non_null(skel);
	skel->bss->delay_ns = 1000000;
	/* A user reference on the map keeps its timers (usercnt > 0). */
	mfd = dup(bpf_map__fd(skel->maps.lt_map));
	assert_true(mfd >= 0);
	assert_int_equal(run_fd(bpf_program__fd(skel->progs.lt_arm), &ret), 0);
	assert_int_equal(ret, 0);
	lifetime__destroy(skel);

	assert_int_equal(bpfemu_clock_advance(2000000), 0);
	k = 0;
	assert_int_equal(bpf_map_lookup_elem(mfd, &k, &v), 0);
	assert_int_equal(v.hits, 1);
	k = 1;
	assert_int_equal(bpf_map_lookup_elem(mfd, &k, &v), 0);
	assert_int_equal(v.hits, 100);	/* written through &lt_map */
	assert_false(bpfemu_diag_has("not_a_map"));

	close(mfd);
	k = 0;
	assert_int_equal(bpf_map_lookup_elem(mfd, &k, &v), -EBADF);
	assert_no_live_map();
}

static void test_destroy_without_user_fd_cancels_the_timer(void **state)
{
	struct lifetime *skel;
	int ret = 99;

	(void)state;
	skel = lifetime__open_and_load();
	assert_non_null(skel);
	skel->bss->delay_ns = 1000000;
	assert_int_equal(run_fd(bpf_program__fd(skel->progs.lt_arm), &ret), 0);
	assert_int_equal(ret, 0);
	lifetime__destroy(skel);
	/* usercnt 0 cancelled the timer, which dropped the last program ref */
	assert_no_live_map();
	assert_int_equal(bpfemu_clock_advance(2000000), 0);
	skel = lifetime__open_and_load();
	assert_non_null(skel);
	lifetime__destroy(skel);
}

static void test_link_keeps_program_after_close(void **state)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_link *link;

	(void)state;
	/* tc programs are not auto-attachable: make it a tracing program */
	obj = bpf_object__open("lifetime.bpf.o");
	assert_non_null(obj);
	p = bpf_object__find_program_by_name(obj, "lt_probe");
	assert_int_equal(bpf_program__set_type(p, BPF_PROG_TYPE_TRACING), 0);
	assert_int_equal(bpf_object__load(obj), 0);
	link = bpf_program__attach(p);
	assert_non_null(link);
	bpf_object__close(obj);
	/* the link holds the program, the program the instance */
	assert_null(lifetime__open_and_load());
	assert_int_equal(errno, EBUSY);
	assert_int_equal(bpf_link__destroy(link), 0);
	assert_int_equal(bpfemu_live_objects(), 0);
}

static int print_calls;
static char print_buf[256];

static int count_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		print_calls++;
	vsnprintf(print_buf, sizeof(print_buf), fmt, ap);
	return 0;
}

static void test_libbpf_set_print_and_num_possible_cpus(void **state)
{
	struct bpf_object *obj;
	struct bpf_program *p;

	(void)state;
	assert_int_equal(bpfemu_set_nr_cpus(3), 0);
	assert_int_equal(libbpf_num_possible_cpus(), 3);

	assert_null(libbpf_set_print(count_print));
	obj = bpf_object__open("lifetime.bpf.o");
	assert_non_null(obj);
	p = bpf_object__find_program_by_name(obj, "lt_arm");
	/* a kprobe may not use a map holding a bpf_timer */
	assert_int_equal(bpf_program__set_type(p, BPF_PROG_TYPE_KPROBE), 0);
	assert_int_equal(bpf_object__load(obj), -EINVAL);
	assert_int_equal(print_calls, 1);
	assert_non_null(strstr(print_buf, "libbpf: prog 'lt_arm'"));
	assert_true(bpfemu_diag_has("tracing_prog_timer_map"));
	bpf_object__close(obj);
	assert_ptr_equal(libbpf_set_print(NULL), count_print);
	assert_null(libbpf_set_print(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_field_kinds_are_one_enum, quiet_setup, reset_teardown),
		cmocka_unit_test_setup_teardown(test_dup_prog_fd_runs_after_destroy_with_usercnt_zero,
						quiet_setup, reset_teardown),
		cmocka_unit_test_setup_teardown(test_pending_timer_after_destroy_resolves_its_map,
						quiet_setup, reset_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_without_user_fd_cancels_the_timer,
						quiet_setup, reset_teardown),
		cmocka_unit_test_setup_teardown(test_link_keeps_program_after_close, quiet_setup, reset_teardown),
		cmocka_unit_test_setup_teardown(test_libbpf_set_print_and_num_possible_cpus,
						quiet_setup, reset_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
