// SPDX-License-Identifier: MIT
/*
 * Fault injection at every allocation of X__open_and_load: each one fails
 * the whole call with -ENOMEM (errno ENOMEM), leaves nothing allocated and
 * leaves the object loadable; past the last allocation site the load
 * succeeds.
 */
/* bpfemu-objects: seedlike lifetime */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "seedlike.skel.h"
#include "lifetime.skel.h"

#define FAULT_SITES_MAX 500

/* Returns the number of allocation sites that were failed. */
#define FAIL_EACH_SITE(X)							\
	({									\
		struct X *skel;							\
		long base, n;							\
										\
		/* warm up the runtime's own tables (fd table, registries) */	\
		skel = X##__open_and_load();					\
		assert_non_null(skel);						\
		X##__destroy(skel);						\
		base = bpfemu_live_objects();					\
		for (n = 1; n < FAULT_SITES_MAX; n++) {				\
			long injected = bpfemu_fault_injected();		\
										\
			bpfemu_fault_inject_nth(n);				\
			errno = 0;						\
			skel = X##__open_and_load();				\
			bpfemu_fault_inject_nth(0);				\
			if (skel) {						\
				assert_int_equal(bpfemu_fault_injected(), injected); \
				X##__destroy(skel);				\
				break;						\
			}							\
			assert_int_equal(bpfemu_fault_injected(), injected + 1); \
			assert_int_equal(errno, ENOMEM);			\
			assert_int_equal(bpfemu_live_objects(), base);		\
		}								\
		assert_int_equal(bpfemu_live_objects(), base);			\
		n - 1;								\
	})

static void test_seedlike_every_allocation_fails_cleanly(void **state)
{
	long sites;

	(void)state;
	sites = FAIL_EACH_SITE(seedlike);
	assert_true(sites >= 10);
	assert_true(sites < FAULT_SITES_MAX - 1);
}

static void test_lifetime_every_allocation_fails_cleanly(void **state)
{
	long sites;

	(void)state;
	sites = FAIL_EACH_SITE(lifetime);
	assert_true(sites >= 10);
	assert_true(sites < FAULT_SITES_MAX - 1);
}

static int teardown(void **state)
{
	(void)state;
	bpfemu_fault_inject_nth(0);
	bpfemu_reset();
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_seedlike_every_allocation_fails_cleanly, teardown),
		cmocka_unit_test_teardown(test_lifetime_every_allocation_fails_cleanly, teardown),
	};

	bpfemu_diag_set_echo(false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
