/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by the tests that load objects (skeletons, the verifier,
 * native compilation), for a group or for one test: diagnostics are not
 * echoed, and at the end bpfemu_reset() leaves no live object behind.
 */
#ifndef BPFEMU_TEST_GROUP_H
#define BPFEMU_TEST_GROUP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <bpfemu/core.h>

static inline int quiet_setup(void **state)
{
	(void)state;
	bpfemu_diag_set_echo(false);
	return 0;
}

static inline int reset_teardown(void **state)
{
	(void)state;
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

#endif /* BPFEMU_TEST_GROUP_H */
