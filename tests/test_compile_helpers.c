// SPDX-License-Identifier: MIT
/*
 * bpf_helper_defs.h routes every helper bpfemu emulates to its emulation:
 * a native program calling bpf_map_lookup_percpu_elem, bpf_get_current_comm,
 * bpf_get_numa_node_id or bpf_get_current_uid_gid gets their results, not
 * helper_not_emulated.
 */
/* bpfemu-objects: helpers_wired */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "helpers_wired.skel.h"
#include "test_group.h"

static void test_emulated_helpers_are_not_stubs(void **state)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	static char pkt[64];
	struct helpers_wired *skel;
	__u64 vals[4] = { 10, 11, 12, 13 };
	__u32 k = 0;
	int ncpu;

	(void)state;
	assert_int_equal(bpfemu_set_nr_cpus(4), 0);
	ncpu = libbpf_num_possible_cpus();
	assert_int_equal(ncpu, 4);
	skel = helpers_wired__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.hw_pcpu), &k, vals, BPF_ANY), 0);
	opts.data_in = pkt;
	opts.data_size_in = sizeof(pkt);

	skel->bss->want_cpu = 2;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.hw_run), &opts), 0);
	assert_int_equal(opts.retval, 0);
	assert_int_equal(skel->bss->got_null, 0);
	assert_int_equal(skel->bss->got, 12);
	assert_int_equal(skel->bss->comm_ret, 0);
	assert_int_equal(skel->bss->numa, 0);
	assert_false(bpfemu_diag_has("helper_not_emulated"));

	/* a CPU past the possible ones: NULL, as the kernel gives */
	skel->bss->want_cpu = 4;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.hw_run), &opts), 0);
	assert_int_equal(skel->bss->got_null, 1);
	helpers_wired__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_emulated_helpers_are_not_stubs, reset_teardown),
	};

	bpfemu_diag_set_echo(false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
