/* SPDX-License-Identifier: MIT */
/*
 * The build surface: public headers stand alone and agree with the
 * private ones, and the numbers they promise are the kernel's.
 */
#include <bpfemu.h>		/* first: must compile on its own */
#include <bpfemu/helpers.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "trace.h"

_Static_assert(BPFEMU_CLOCK_REALTIME == EMU_CLOCK_REALTIME, "kernel clock id 0");
_Static_assert(BPFEMU_CLOCK_MONOTONIC == EMU_CLOCK_MONOTONIC, "kernel clock id 1");
_Static_assert(BPFEMU_CLOCK_MONOTONIC_COARSE == EMU_CLOCK_MONOTONIC_COARSE, "kernel clock id 6");
_Static_assert(BPFEMU_CLOCK_BOOTTIME == EMU_CLOCK_BOOTTIME, "kernel clock id 7");
_Static_assert(BPFEMU_CLOCK_TAI == EMU_CLOCK_TAI, "kernel clock id 11");
_Static_assert(BPFEMU_TRACE_LINE_MAX == EMU_BPRINTF_BUF, "trace lines hold MAX_BPRINTF_BUF");

static void test_kernel_clock_ids_have_the_kernel_numbers(void **state)
{
	(void)state;
	assert_int_equal(BPFEMU_CLOCK_REALTIME, 0);
	assert_int_equal(BPFEMU_CLOCK_MONOTONIC, 1);
	assert_int_equal(BPFEMU_CLOCK_MONOTONIC_COARSE, 6);
	assert_int_equal(BPFEMU_CLOCK_BOOTTIME, 7);
	assert_int_equal(BPFEMU_CLOCK_TAI, 11);
}

static void test_posix_only_builds_see_no_linux_types_header(void **state)
{
	(void)state;
#if defined(BPFEMU_POSIX_ONLY)
	/* bpfemu/types.h defines the kernel's type names itself. */
#ifdef BPFEMU_HAVE_LINUX_TYPES
	fail_msg("BPFEMU_POSIX_ONLY build included <linux/types.h>");
#endif
#endif
	assert_int_equal(sizeof(__u64), 8);
	assert_int_equal(sizeof(__u32), 4);
}

static void test_the_default_start_values_are_documented_constants(void **state)
{
	(void)state;
	assert_int_equal(BPFEMU_CLOCK_START_NS, 1000000000000ULL);
	assert_int_equal(BPFEMU_CLOCK_REALTIME_START_NS, 1704067200000000000ULL);
	assert_int_equal(BPFEMU_CLOCK_TICK_NS, 4000000);
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
		cmocka_unit_test(test_kernel_clock_ids_have_the_kernel_numbers),
		cmocka_unit_test(test_posix_only_builds_see_no_linux_types_header),
		cmocka_unit_test(test_the_default_start_values_are_documented_constants),
	};

	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
