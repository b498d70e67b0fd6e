// SPDX-License-Identifier: MIT
/*
 * Native compilation end to end: BPF C written for libbpf, built by
 * bpfemu_add_object, loaded through its skeleton and run with
 * bpf_prog_test_run_opts.  Several objects, and two objects built from one
 * source, share this binary.
 */
/* bpfemu-objects: seedlike globals globals_copy=globals */
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

#include "seedlike.skel.h"
#include "globals.skel.h"
#include "globals_copy.skel.h"
#include "test_group.h"

static char pkt[64];

static int run_skb(int fd, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));
	int err = bpf_prog_test_run_opts(fd, &opts);

	*retval = opts.retval;
	return err;
}

static void test_seedlike_program_runs_twice_and_second_init_is_ebusy(void **state)
{
	struct seedlike *skel;
	__u32 retval = 99;

	(void)state;
	skel = seedlike__open_and_load();
	assert_non_null(skel);
	assert_int_equal(run_skb(bpf_program__fd(skel->progs.egress), &retval), 0);
	assert_int_equal(retval, 0);
	assert_int_equal(skel->bss->init_err, 0);
	assert_int_equal(run_skb(bpf_program__fd(skel->progs.egress), &retval), 0);
	assert_int_equal(retval, 0);
	/* The update in the program cancelled and freed the old timer
	 * (array_map_update_elem frees special fields), so init succeeds again. */
	assert_int_equal(skel->bss->init_err, 0);
	seedlike__destroy(skel);
}

static void test_skeleton_exposes_maps_programs_and_map_attributes(void **state)
{
	struct seedlike *skel;

	(void)state;
	skel = seedlike__open();
	assert_non_null(skel);
	assert_string_equal(bpf_map__name(skel->maps.tmap), "tmap");
	assert_int_equal(bpf_map__type(skel->maps.tmap), BPF_MAP_TYPE_ARRAY);
	assert_int_equal(bpf_map__key_size(skel->maps.tmap), 4);
	assert_int_equal(bpf_map__value_size(skel->maps.tmap), sizeof(struct bpf_timer));
	assert_int_equal(bpf_map__max_entries(skel->maps.tmap), 1);
	assert_int_equal(bpf_program__type(skel->progs.egress), BPF_PROG_TYPE_CGROUP_SKB);
	assert_int_equal(bpf_program__expected_attach_type(skel->progs.egress), BPF_CGROUP_INET_EGRESS);
	assert_ptr_equal(bpf_object__find_map_by_name(skel->obj, "tmap"), skel->maps.tmap);
	assert_ptr_equal(bpf_object__find_program_by_name(skel->obj, "egress"), skel->progs.egress);
	assert_null(bpf_object__find_map_by_name(skel->obj, "nope"));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.tmap, 8), 0);
	assert_int_equal(seedlike__load(skel), 0);
	assert_int_equal(bpf_map__max_entries(skel->maps.tmap), 8);
	assert_int_equal(bpf_map__set_max_entries(skel->maps.tmap, 2), -EBUSY);
	assert_true(bpf_map__fd(skel->maps.tmap) >= 0);
	seedlike__destroy(skel);
}

static void test_globals_sync_through_skeleton_sections(void **state)
{
	struct globals *skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u32 k = 1;
	__u64 v = 0;

	(void)state;
	skel = globals__open();
	assert_non_null(skel);
	assert_int_equal(skel->data->step, 3);
	assert_int_equal(skel->rodata->scale, 1);
	assert_string_equal((const char *)skel->rodata->tag, "abc");
	skel->rodata->scale = 10;
	skel->bss->hits = 100;
	assert_int_equal(globals__load(skel), 0);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.count), &opts), 0);
	assert_int_equal(opts.retval, 130);
	assert_int_equal(skel->bss->hits, 130);
	skel->data->step = 1;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.count), &opts), 0);
	assert_int_equal(skel->bss->hits, 140);
	assert_int_equal(skel->bss->sum_seen, 4);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.counts), &k, &v), 0);
	assert_int_equal(v, 2);
	/* "?syscall" is not loaded */
	assert_false(bpf_program__autoload(skel->progs.not_loaded));
	assert_true(bpf_program__fd(skel->progs.not_loaded) < 0);
	globals__destroy(skel);
}

static void test_bpf_prog_runs_with_typed_arguments(void **state)
{
	struct globals *skel;
	unsigned long long args[2] = { 40, 2 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));

	(void)state;
	skel = globals__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_program__type(skel->progs.traced), BPF_PROG_TYPE_TRACING);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.traced), &opts), 0);
	assert_int_equal(opts.retval, 42);
	globals__destroy(skel);
}

static void test_two_objects_from_one_source_are_independent(void **state)
{
	struct globals *a;
	struct globals_copy *b;
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	(void)state;
	a = globals__open_and_load();
	assert_non_null(a);
	b = globals_copy__open_and_load();
	assert_non_null(b);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(a->progs.count), &opts), 0);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(a->progs.count), &opts), 0);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(b->progs.count), &opts), 0);
	assert_int_equal(a->bss->hits, 6);
	assert_int_equal(b->bss->hits, 3);
	globals_copy__destroy(b);
	globals__destroy(a);
}

static void test_pinned_map_is_shared_between_objects(void **state)
{
	struct globals *a;
	struct globals_copy *b;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	__u32 k = 0;
	__u64 v = 0;

	(void)state;
	/* earlier tests left the pin behind, as the kernel's bpffs would */
	bpfemu_bpffs_unlink("/sys/fs/bpf/shared");
	a = globals__open_and_load();
	assert_non_null(a);
	b = globals_copy__open_and_load();
	assert_non_null(b);
	assert_true(bpf_map__is_pinned(a->maps.shared));
	assert_string_equal(bpf_map__pin_path(a->maps.shared), "/sys/fs/bpf/shared");
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(a->progs.count), &opts), 0);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(b->progs.count), &opts), 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(b->maps.shared), &k, &v), 0);
	assert_int_equal(v, 20);
	assert_int_equal(bpf_map__unpin(a->maps.shared, NULL), 0);
	globals_copy__destroy(b);
	globals__destroy(a);
}

static void test_same_object_cannot_be_loaded_twice_at_once(void **state)
{
	struct globals *a, *b;

	(void)state;
	a = globals__open_and_load();
	assert_non_null(a);
	b = globals__open();
	assert_non_null(b);
	assert_int_equal(globals__load(b), -EBUSY);
	assert_true(bpfemu_diag_has("object_loaded_twice"));
	globals__destroy(b);
	assert_int_equal(bpf_map__unpin(a->maps.shared, NULL), 0);
	globals__destroy(a);
}

static void test_object_opens_by_file_name(void **state)
{
	struct bpf_object *obj;

	(void)state;
	obj = bpf_object__open("some/dir/seedlike.bpf.o");
	assert_non_null(obj);
	assert_string_equal(bpf_object__name(obj), "seedlike");
	assert_int_equal(bpf_object__load(obj), 0);
	assert_int_equal(bpf_object__load(obj), -EINVAL);
	bpf_object__close(obj);
	assert_null(bpf_object__open("missing.bpf.o"));
	assert_int_equal(errno, ENOENT);
}

static void test_skb_test_run_needs_an_ethernet_header(void **state)
{
	struct seedlike *skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = 13);

	(void)state;
	skel = seedlike__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.egress), &opts), -EINVAL);
	assert_int_equal(bpf_prog_test_run_opts(-1, &opts), -EBADF);
	seedlike__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seedlike_program_runs_twice_and_second_init_is_ebusy),
		cmocka_unit_test(test_skeleton_exposes_maps_programs_and_map_attributes),
		cmocka_unit_test(test_globals_sync_through_skeleton_sections),
		cmocka_unit_test(test_bpf_prog_runs_with_typed_arguments),
		cmocka_unit_test(test_two_objects_from_one_source_are_independent),
		cmocka_unit_test(test_pinned_map_is_shared_between_objects),
		cmocka_unit_test(test_same_object_cannot_be_loaded_twice_at_once),
		cmocka_unit_test(test_object_opens_by_file_name),
		cmocka_unit_test(test_skb_test_run_needs_an_ethernet_header),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
