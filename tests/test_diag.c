// SPDX-License-Identifier: MIT
/* The diagnostics log tests read verifier-rule reports from (emu/err.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include <bpfemu/core.h>

#include "err.h"

static void test_diag_records_rule_and_message_in_order(void **state)
{
	const char *rule, *msg;

	(void)state;
	emu_diag("first_rule", "one %d", 1);
	emu_diag("second_rule", "two");
	assert_int_equal(bpfemu_diag_count(), 2);
	assert_int_equal(bpfemu_diag_get(0, &rule, &msg), 0);
	assert_string_equal(rule, "first_rule");
	assert_string_equal(msg, "one 1");
	assert_int_equal(bpfemu_diag_get(1, &rule, NULL), 0);
	assert_string_equal(rule, "second_rule");
	assert_true(bpfemu_diag_has("second_rule"));
	assert_false(bpfemu_diag_has("third_rule"));
}

static void test_diag_get_out_of_range_is_einval_with_errno(void **state)
{
	const char *rule = NULL;

	(void)state;
	emu_diag("only_rule", "x");
	errno = 0;
	assert_int_equal(bpfemu_diag_get(1, &rule, NULL), -EINVAL);
	assert_int_equal(errno, EINVAL);
	assert_null(rule);
	assert_int_equal(bpfemu_diag_get(-1, &rule, NULL), -EINVAL);
}

static void test_diag_keeps_the_newest_64(void **state)
{
	const char *msg;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		emu_diag("flood", "%d", i);
	assert_int_equal(bpfemu_diag_count(), 64);
	assert_int_equal(bpfemu_diag_get(0, NULL, &msg), 0);
	assert_string_equal(msg, "36");		/* 100 - 64: the oldest kept */
	assert_int_equal(bpfemu_diag_get(63, NULL, &msg), 0);
	assert_string_equal(msg, "99");
}

static void test_verifier_reject_outside_a_program_only_records(void **state)
{
	(void)state;
	emu_verifier_reject(-EINVAL, "some_rule", "no program runs");
	assert_true(bpfemu_diag_has("some_rule"));
}

static int test_setup(void **state)
{
	(void)state;
	bpfemu_diag_set_echo(false);
	bpfemu_diag_clear();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_diag_records_rule_and_message_in_order, test_setup),
		cmocka_unit_test_setup(test_diag_get_out_of_range_is_einval_with_errno, test_setup),
		cmocka_unit_test_setup(test_diag_keeps_the_newest_64, test_setup),
		cmocka_unit_test_setup(test_verifier_reject_outside_a_program_only_records, test_setup),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
