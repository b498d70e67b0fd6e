// SPDX-License-Identifier: MIT
/*
 * Constructs found porting the kernel's BPF selftests (timer, ringbuf,
 * user_ringbuf, cgrp_ls_*) that first failed natively, checked here on a
 * program of our own (tests/progs/port_constructs.bpf.c):
 *   - BPF_PROG/BPF_KPROBE/BPF_KRETPROBE(name) with no argument did not
 *     compile (a dangling comma in the inner call);
 *   - BPF_PROG2 did not exist;
 *   - __attribute__((preserve_access_index)) warned (an error with -Werror);
 *   - a map definition of `type` alone (a ring sized before load) was
 *     bound in two words it did not have: the helpers said not_a_map and
 *     the second word landed on whatever followed the definition;
 *   - bpf_map__set_inner_map_fd was missing, and a template that cannot be
 *     created failed the load with no message;
 *   - an fentry program test-run without ctx_in read a NULL context.
 */
/* bpfemu-objects: port_constructs */
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

#include "port_constructs.skel.h"
#include "test_group.h"

/* Opened, its rings sized (events, commands, ring_a) and the array's
 * template given, as a port of ringbuf_multi does. */
static struct port_constructs *open_sized(void)
{
	struct port_constructs *skel = port_constructs__open();
	long page = sysconf(_SC_PAGESIZE);
	int proto;

	assert_non_null(skel);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.events, page), 0);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.commands, page), 0);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.ring_a, page), 0);
	proto = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, page, NULL);
	assert_true(proto >= 0);
	assert_int_equal(bpf_map__set_inner_map_fd(skel->maps.rings, proto), 0);
	close(proto);		/* the skeleton keeps its own */
	return skel;
}

static struct port_constructs *load_sized(void)
{
	struct port_constructs *skel = open_sized();

	assert_int_equal(port_constructs__load(skel), 0);
	return skel;
}

static void test_programs_without_arguments(void **state)
{
	struct port_constructs *skel = load_sized();
	uint64_t slot = 0, ret = 1;
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	(void)state;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.no_args), &topts), 0);
	assert_int_equal(skel->bss->noarg_runs, 1);
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.kprobe_no_args),
					      &slot, 1, &ret), 0);
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.kretprobe_no_args),
					      &slot, 1, &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(skel->bss->kprobe_runs, 1);
	assert_int_equal(skel->bss->kretprobe_runs, 1);
	/* the preserve_access_index structs are plain structs */
	assert_int_equal(skel->bss->view_pid, 7);
	assert_int_equal(skel->bss->view_state, 3);
	port_constructs__destroy(skel);
}

static void test_prog2_arguments_follow_their_slots(void **state)
{
	struct port_constructs *skel = load_sized();
	/* int, a 16-byte struct in two slots, a char (the slot's low byte), a u64 */
	unsigned long long ctx[5] = { 0xffffffff00000005ull, 0x1111, 0x2222, 0xab78, 1ull << 40 };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = ctx, .ctx_size_in = sizeof(ctx));

	(void)state;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.by_value), &topts), 0);
	assert_int_equal(skel->bss->p2_a, 5);
	assert_int_equal(skel->bss->p2_lo, 0x1111);
	assert_int_equal(skel->bss->p2_hi, 0x2222);
	assert_int_equal(skel->bss->p2_c, 0x78);
	assert_true(skel->bss->p2_last == 1ull << 40);
	port_constructs__destroy(skel);
}

static int count_record(void *ctx, void *data, size_t len)
{
	(void)data;
	(void)len;
	++*(int *)ctx;
	return 0;
}

static void test_rings_defined_by_type_alone(void **state)
{
	struct port_constructs *skel = load_sized();
	struct user_ring_buffer *urb;
	struct ring_buffer *rb;
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	void *cmd;
	int i, records = 0;

	(void)state;
	urb = user_ring_buffer__new(bpf_map__fd(skel->maps.commands), NULL);
	assert_non_null(urb);
	for (i = 0; i < 2; i++) {
		cmd = user_ring_buffer__reserve(urb, 8);
		assert_non_null(cmd);
		user_ring_buffer__submit(urb, cmd);
	}
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.send_and_drain),
						&topts), 0);
	assert_false(bpfemu_diag_has("not_a_map"));
	assert_int_equal(skel->bss->drained, 2);
	assert_int_equal(skel->bss->sent, 2);	/* one in events, one in ring_a */

	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), count_record, &records, NULL);
	assert_non_null(rb);
	assert_int_equal(ring_buffer__add(rb, bpf_map__fd(skel->maps.ring_a), count_record,
					  &records), 0);
	assert_int_equal(ring_buffer__consume(rb), 2);
	assert_int_equal(records, 2);
	ring_buffer__free(rb);
	user_ring_buffer__free(urb);
	port_constructs__destroy(skel);
}

static void test_unsized_rings_fail_the_load_with_a_message(void **state)
{
	struct port_constructs *skel = port_constructs__open();

	(void)state;
	assert_non_null(skel);
	assert_int_equal(port_constructs__load(skel), -EINVAL);
	assert_true(bpfemu_diag_has("map_create_failed"));
	port_constructs__destroy(skel);

	/* sized, but the array's template still has no size */
	bpfemu_diag_clear();
	skel = port_constructs__open();
	assert_non_null(skel);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.events, sysconf(_SC_PAGESIZE)), 0);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.commands, sysconf(_SC_PAGESIZE)), 0);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.ring_a, sysconf(_SC_PAGESIZE)), 0);
	assert_int_equal(port_constructs__load(skel), -EINVAL);
	assert_true(bpfemu_diag_has("map_create_failed"));
	port_constructs__destroy(skel);
}

static void test_set_inner_map_fd_rules(void **state)
{
	struct port_constructs *skel = open_sized();
	int proto = bpf_map_create(BPF_MAP_TYPE_RINGBUF, NULL, 0, 0, sysconf(_SC_PAGESIZE), NULL);

	(void)state;
	assert_true(proto >= 0);
	/* once per map, on a map-in-map only, an fd that is a map */
	assert_int_equal(bpf_map__set_inner_map_fd(skel->maps.rings, proto), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(bpf_map__set_inner_map_fd(skel->maps.events, proto), -EINVAL);
	assert_true(bpfemu_diag_has("bad_inner_map"));
	close(proto);
	port_constructs__destroy(skel);

	skel = port_constructs__open();
	assert_non_null(skel);
	assert_int_equal(bpf_map__set_inner_map_fd(skel->maps.rings, -1), -EBADF);
	port_constructs__destroy(skel);
}

static void test_fentry_without_ctx_in_reads_zeros(void **state)
{
	struct port_constructs *skel = load_sized();
	int fd = bpf_program__fd(skel->progs.reads_arg);
	unsigned long long arg = 9;
	LIBBPF_OPTS(bpf_test_run_opts, none);
	LIBBPF_OPTS(bpf_test_run_opts, with, .ctx_in = &arg, .ctx_size_in = sizeof(arg));

	(void)state;
	assert_int_equal(bpf_prog_test_run_opts(fd, &none), 0);
	assert_int_equal(none.retval, 0);
	assert_int_equal(skel->data->first_arg, 0);
	assert_int_equal(bpf_prog_test_run_opts(fd, &with), 0);
	assert_int_equal(skel->data->first_arg, 9);
	port_constructs__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_programs_without_arguments, reset_teardown),
		cmocka_unit_test_teardown(test_prog2_arguments_follow_their_slots, reset_teardown),
		cmocka_unit_test_teardown(test_rings_defined_by_type_alone, reset_teardown),
		cmocka_unit_test_teardown(test_unsized_rings_fail_the_load_with_a_message,
					  reset_teardown),
		cmocka_unit_test_teardown(test_set_inner_map_fd_rules, reset_teardown),
		cmocka_unit_test_teardown(test_fentry_without_ctx_in_reads_zeros, reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, NULL);
}
