/* SPDX-License-Identifier: MIT */
/*
 * Fixtures of the tests of verifier rules bpfemu checks at run time
 * (docs/verifier-rules.md): a test run of one program, the diagnostic it
 * left.
 */
#ifndef BPFEMU_TEST_VERIFIER_H
#define BPFEMU_TEST_VERIFIER_H

#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfemu.h>

#include "test_group.h"

/* Each test starts with no diagnostic. */
static inline int diag_clear_setup(void **state)
{
	(void)state;
	bpfemu_diag_clear();
	return 0;
}

/* bpf_prog_test_run_opts of @prog: its result, and in *@retval (if not
 * NULL) the program's return value, 0xdead if it did not run. */
static inline int test_run(struct bpf_program *prog, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	opts.retval = 0xdead;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (retval)
		*retval = opts.retval;
	return err;
}

/* The last diagnostic is @rule and its message mentions @w1 and @w2 (each
 * unless NULL). */
static inline void assert_last_diag(const char *rule, const char *w1, const char *w2)
{
	const char *r, *msg;

	assert_true(bpfemu_diag_count() > 0);
	assert_int_equal(bpfemu_diag_get(bpfemu_diag_count() - 1, &r, &msg), 0);
	assert_string_equal(r, rule);
	if (w1)
		assert_non_null(strstr(msg, w1));
	if (w2)
		assert_non_null(strstr(msg, w2));
}

#endif /* BPFEMU_TEST_VERIFIER_H */
