// SPDX-License-Identifier: MIT
/*
 * bpf_probe_read_user/_kernel, their _str forms and the legacy
 * bpf_probe_read/_str (helpers/probe_read.c): a raw_tp program reads the
 * memory its argument points at; return values and what dst holds
 * afterwards are the kernel's (Linux 6.18, x86-64).
 */
/* bpfemu-objects: probe_read probe_read_tc */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "probe_read.skel.h"
#include "probe_read_tc.skel.h"
#include "test_group.h"

enum { PR_USER, PR_KERNEL, PR_USER_STR, PR_KERNEL_STR, PR_COMPAT, PR_COMPAT_STR };

static const unsigned char fill[8] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
static const unsigned char zero[8];

/* Fire read_arg with helper @which on @src; returns the skeleton to inspect. */
static void run(struct probe_read *skel, int which, const void *src)
{
	uint64_t args[1] = { (uint64_t)(uintptr_t)src };
	uint64_t ret = 1;

	skel->bss->which = which;
	memcpy(skel->bss->out, fill, 8);
	memcpy(skel->bss->out_zero, fill, 8);
	memset(skel->bss->small, 0xaa, 4);
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.read_arg), args, 1, &ret),
			 0);
	assert_int_equal(ret, 0);
}

/* A page followed by an unmapped one; the caller munmaps 2 pages. */
static char *page_before_hole(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(m != MAP_FAILED);
	assert_int_equal(munmap(m + pg, pg), 0);
	return m;
}

static void test_valid_reads_copy_and_return_zero(void **state)
{
	struct probe_read *skel = probe_read__open_and_load();
	uint64_t word = 0x1122334455667788ULL;
	int which[] = { PR_USER, PR_KERNEL, PR_COMPAT };
	size_t i;

	(void)state;
	assert_non_null(skel);
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		run(skel, which[i], &word);
		assert_int_equal(skel->bss->ret, 0);
		assert_memory_equal(skel->bss->out, &word, 8);
		/* size 0: 0, dst untouched */
		assert_int_equal(skel->bss->ret_zero, 0);
		assert_memory_equal(skel->bss->out_zero, fill, 8);
	}
	probe_read__destroy(skel);
}

static void test_null_source_faults_and_zeroes_dst(void **state)
{
	struct probe_read *skel = probe_read__open_and_load();

	(void)state;
	assert_non_null(skel);
	run(skel, PR_USER, NULL);
	assert_int_equal(skel->bss->ret, -EFAULT);
	assert_memory_equal(skel->bss->out, zero, 8);
	assert_int_equal(skel->bss->ret_zero, 0);
	run(skel, PR_COMPAT, NULL);
	assert_int_equal(skel->bss->ret, -EFAULT);
	assert_memory_equal(skel->bss->out, zero, 8);
	/* x86-64 refuses a user-half address for the _kernel reads, size 0 too */
	run(skel, PR_KERNEL, NULL);
	assert_int_equal(skel->bss->ret, -ERANGE);
	assert_memory_equal(skel->bss->out, zero, 8);
	assert_int_equal(skel->bss->ret_zero, -ERANGE);
	assert_memory_equal(skel->bss->out_zero, fill, 8);
	run(skel, PR_KERNEL_STR, (void *)16);
	assert_int_equal(skel->bss->ret, -ERANGE);
	assert_memory_equal(skel->bss->out, zero, 8);
	assert_int_equal(skel->bss->ret_zero, 0);
	run(skel, PR_USER_STR, NULL);
	assert_int_equal(skel->bss->ret, -EFAULT);
	assert_memory_equal(skel->bss->out, zero, 8);
	assert_int_equal(skel->bss->ret_zero, 0);
	assert_memory_equal(skel->bss->out_zero, fill, 8);
	probe_read__destroy(skel);
}

static void test_unmapped_source_faults_without_crashing(void **state)
{
	struct probe_read *skel = probe_read__open_and_load();
	long pg = sysconf(_SC_PAGESIZE);
	char *m = page_before_hole();
	int which[] = { PR_USER, PR_KERNEL, PR_COMPAT, PR_USER_STR, PR_KERNEL_STR, PR_COMPAT_STR };
	size_t i;

	(void)state;
	assert_non_null(skel);
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		/* wholly unmapped */
		run(skel, which[i], m + pg);
		assert_int_equal(skel->bss->ret, -EFAULT);
		assert_memory_equal(skel->bss->out, zero, 8);
		/* straddling the hole: nothing partial is left in dst */
		memcpy(m + pg - 3, "abc", 3);
		run(skel, which[i], m + pg - 3);
		assert_int_equal(skel->bss->ret, -EFAULT);
		assert_memory_equal(skel->bss->out, zero, 8);
	}
	/* "abc" then the hole, read into 4 bytes: the 4th source byte faults */
	run(skel, PR_USER_STR, m + pg - 3);
	assert_int_equal(skel->bss->ret_small, -EFAULT);
	assert_memory_equal(skel->bss->small, zero, 4);
	munmap(m, pg);
	probe_read__destroy(skel);
}

static void test_str_reads_count_the_nul_and_truncate(void **state)
{
	struct probe_read *skel = probe_read__open_and_load();
	static const char hello[] = "hello";
	static const char longer[] = "0123456789";
	int which[] = { PR_USER_STR, PR_KERNEL_STR, PR_COMPAT_STR };
	size_t i;

	(void)state;
	assert_non_null(skel);
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		run(skel, which[i], hello);
		assert_int_equal(skel->bss->ret, 6);
		assert_memory_equal(skel->bss->out, "hello\0\xaa\xaa", 8);
		assert_int_equal(skel->bss->ret_small, 4);
		assert_memory_equal(skel->bss->small, "hel", 4);
		assert_int_equal(skel->bss->ret_zero, 0);
		assert_memory_equal(skel->bss->out_zero, fill, 8);

		run(skel, which[i], longer);
		assert_int_equal(skel->bss->ret, 8);
		assert_memory_equal(skel->bss->out, "0123456", 8);

		run(skel, which[i], "");
		assert_int_equal(skel->bss->ret, 1);
		assert_int_equal(skel->bss->out[0], 0);
		assert_int_equal(skel->bss->out[1], 0xaa);
	}
	probe_read__destroy(skel);
}

static void test_str_read_stops_at_the_nul_before_a_hole(void **state)
{
	struct probe_read *skel = probe_read__open_and_load();
	long pg = sysconf(_SC_PAGESIZE);
	char *m = page_before_hole();

	(void)state;
	assert_non_null(skel);
	memcpy(m + pg - 3, "ab", 3);
	run(skel, PR_USER_STR, m + pg - 3);
	assert_int_equal(skel->bss->ret, 3);
	assert_memory_equal(skel->bss->out, "ab\0\xaa", 4);
	/* the same string with more before it */
	memcpy(m + pg - 6, "xyz", 3);
	run(skel, PR_KERNEL_STR, m + pg - 6);
	assert_int_equal(skel->bss->ret, 6);
	assert_memory_equal(skel->bss->out, "xyzab\0\xaa\xaa", 8);
	munmap(m, pg);
	probe_read__destroy(skel);
}

static void test_legacy_probe_read_is_not_allowed_in_tc(void **state)
{
	struct probe_read_tc *skel;
	char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt));

	(void)state;
	skel = probe_read_tc__open_and_load();
	assert_non_null(skel);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.kernel_in_tc), &opts), 0);
	assert_int_equal(skel->bss->ret, 0);
	assert_true(skel->bss->copy == 0x1122334455667788ULL);
	probe_read_tc__destroy(skel);

	skel = probe_read_tc__open();
	assert_non_null(skel);
	assert_int_equal(bpf_program__set_autoload(skel->progs.legacy_in_tc, true), 0);
	bpfemu_diag_clear();
	assert_int_equal(probe_read_tc__load(skel), -EINVAL);
	assert_true(bpfemu_diag_has("helper_not_allowed"));
	probe_read_tc__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_valid_reads_copy_and_return_zero, reset_teardown),
		cmocka_unit_test_teardown(test_null_source_faults_and_zeroes_dst, reset_teardown),
		cmocka_unit_test_teardown(test_unmapped_source_faults_without_crashing, reset_teardown),
		cmocka_unit_test_teardown(test_str_reads_count_the_nul_and_truncate, reset_teardown),
		cmocka_unit_test_teardown(test_str_read_stops_at_the_nul_before_a_hole, reset_teardown),
		cmocka_unit_test_teardown(test_legacy_probe_read_is_not_allowed_in_tc, reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, NULL);
}
