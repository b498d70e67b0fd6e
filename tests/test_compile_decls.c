// SPDX-License-Identifier: MIT
/*
 * File-scope declarations with several declarators (tests/progs/decls.bpf.c):
 * `long a = -1, b = -1;`, `__u64 x, y;`, `static int p, *q;`,
 * `const volatile int r1 = 1, r2 = 2;`.  Each non-static global is its own
 * member of its section's skeleton struct, as bpftool emits them, with its
 * initial value; .rodata ones are writable before load; static ones are
 * left out of the skeleton.
 */
/* bpfemu-objects: decls */
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

#include "decls.skel.h"
#include "test_group.h"

static void test_each_declarator_is_its_own_member_with_its_initial_value(void **state)
{
	struct decls *skel;

	(void)state;
	skel = decls__open();
	assert_non_null(skel);
	/* long a = -1, b = -1; */
	assert_int_equal(sizeof(skel->data->a), sizeof(long));
	assert_int_equal(skel->data->a, -1);
	assert_int_equal(skel->data->b, -1);
	assert_ptr_not_equal(&skel->data->a, &skel->data->b);
	/* __u64 x, y; */
	assert_int_equal(sizeof(skel->bss->x), 8);
	assert_int_equal(skel->bss->x, 0);
	assert_int_equal(skel->bss->y, 0);
	/* const volatile int r1 = 1, r2 = 2; */
	assert_int_equal(skel->rodata->r1, 1);
	assert_int_equal(skel->rodata->r2, 2);
	/* int zero = 0, seven = 7, *none;  -- .bss, .data, .bss */
	assert_int_equal(skel->bss->zero, 0);
	assert_int_equal(skel->data->seven, 7);
	assert_null(skel->bss->none);
	/* const volatile __u32 lim[2] = { 10, 20 }, cnt = 3; */
	assert_int_equal(sizeof(skel->rodata->lim), 2 * sizeof(__u32));
	assert_int_equal(skel->rodata->lim[0], 10);
	assert_int_equal(skel->rodata->lim[1], 20);
	assert_int_equal(skel->rodata->cnt, 3);
	/* char msg[8] = "hi", *nil, ch = 'c'; */
	assert_int_equal(sizeof(skel->data->msg), 8);
	assert_string_equal(skel->data->msg, "hi");
	assert_int_equal(sizeof(skel->bss->nil), sizeof(char *));
	assert_null(skel->bss->nil);
	assert_int_equal(skel->data->ch, 'c');
	/* struct { int lo, hi; } span = { 1, 2 }, span2; */
	assert_int_equal(sizeof(skel->data->span), 2 * sizeof(int));
	assert_int_equal(skel->data->span.lo, 1);
	assert_int_equal(skel->data->span.hi, 2);
	assert_int_equal(skel->bss->span2.lo, 0);
	decls__destroy(skel);
}

static void test_static_declarators_stay_out_of_the_skeleton(void **state)
{
	(void)state;
	/* bss: x, y, zero, none, nil -- no p or q (static int p, *q) between
	 * y and zero */
	assert_int_equal(offsetof(struct decls__bss, y), 8);
	assert_int_equal(offsetof(struct decls__bss, zero), 16);
	assert_int_equal(offsetof(struct decls__bss, none), 24);
	assert_int_equal(offsetof(struct decls__bss, nil), 32);
	assert_int_equal(offsetof(struct decls__bss, span2), 40);
	assert_int_equal(sizeof(struct decls__bss), 48);
	/* rodata: r1, r2, lim, cnt -- no hidden_ro, hidden_ro2 */
	assert_int_equal(offsetof(struct decls__rodata, r2), 4);
	assert_int_equal(offsetof(struct decls__rodata, lim), 8);
	assert_int_equal(offsetof(struct decls__rodata, cnt), 16);
	assert_int_equal(sizeof(struct decls__rodata), 20);
	/* data: a, b, seven, msg, ch, span */
	assert_int_equal(offsetof(struct decls__data, b), 8);
	assert_int_equal(offsetof(struct decls__data, seven), 16);
	assert_int_equal(offsetof(struct decls__data, msg), 20);
	assert_int_equal(offsetof(struct decls__data, ch), 28);
	assert_int_equal(offsetof(struct decls__data, span), 32);
}

static void test_rodata_declarators_are_set_before_load_and_all_sync(void **state)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct decls *skel;

	(void)state;
	skel = decls__open();
	assert_non_null(skel);
	skel->rodata->r1 = 5;
	skel->rodata->r2 = 6;
	skel->rodata->lim[0] = 1;
	skel->rodata->lim[1] = 2;
	skel->rodata->cnt = 4;
	skel->data->b = -3;
	assert_int_equal(decls__load(skel), 0);

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.run), &opts), 0);
	assert_int_equal(opts.retval, 0);
	assert_int_equal((long long)skel->bss->x, -4);		/* a + b */
	assert_int_equal(skel->bss->y, 11);			/* r1 + r2 */
	assert_int_equal(skel->data->seven, 11);		/* 7 + p */
	assert_non_null(skel->bss->none);
	assert_int_equal(skel->bss->zero, 1 + 2 + 4 + 5 + 6);	/* lim, cnt, statics */
	assert_int_equal(skel->data->ch, 'h');
	assert_int_equal(skel->bss->span2.lo, 2);
	assert_int_equal(skel->bss->span2.hi, 1);
	/* the rest kept their values */
	assert_int_equal(skel->data->a, -1);
	assert_int_equal(skel->data->b, -3);
	assert_int_equal(skel->rodata->r1, 5);
	assert_int_equal(skel->rodata->r2, 6);
	assert_null(skel->bss->nil);

	/* user space writes one declarator; its neighbours do not move */
	skel->data->a = 10;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.run), &opts), 0);
	assert_int_equal((long long)skel->bss->x, 7);
	assert_int_equal(skel->data->seven, 15);
	decls__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_declarator_is_its_own_member_with_its_initial_value),
		cmocka_unit_test(test_static_declarators_stay_out_of_the_skeleton),
		cmocka_unit_test(test_rodata_declarators_are_set_before_load_and_all_sync),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
