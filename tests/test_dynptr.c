/* SPDX-License-Identifier: MIT */
/*
 * Dynptr helpers and kfuncs (shared/spec/user_ringbuf.md §6): the layout,
 * the order of checks of each helper, and the values observed on 6.18
 * inside a drain callback on samples of 16, 12 and 0 bytes (here on LOCAL
 * dynptrs over the same sizes, which is what the drain hands out).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "prog.h"
#include "ringbuf.h"

static uint8_t mem[64];

static struct bpf_dynptr local(uint32_t size)
{
	struct bpf_dynptr d;

	assert_int_equal(bpfemu_helper_dynptr_from_mem(mem, size, 0, &d), 0);
	return d;
}

/* The kernel's view of @d, copied: the object is a struct bpf_dynptr, and
 * reading it through another struct type breaks strict aliasing (-O2). */
static struct emu_dynptr kview(const struct bpf_dynptr *d)
{
	struct emu_dynptr k;

	memcpy(&k, d, sizeof(k));
	return k;
}

static void set_rdonly(struct bpf_dynptr *d)
{
	struct emu_dynptr k = kview(d);

	k.size |= EMU_DYNPTR_RDONLY_BIT;
	memcpy(d, &k, sizeof(k));
}

static void test_layout_is_data_offset_and_size_word(void **state)
{
	struct bpf_dynptr d = local(12);
	struct emu_dynptr k = kview(&d);

	(void)state;
	assert_int_equal(sizeof(d), 16);
	assert_ptr_equal(k.data, mem);
	assert_int_equal(k.offset, 0);
	assert_int_equal(k.size, 12 | EMU_DYNPTR_TYPE_LOCAL << 28);
	assert_int_equal(emu_dynptr_type(&k), EMU_DYNPTR_TYPE_LOCAL);
}

static void test_from_mem_checks_size_before_flags_and_nulls_on_error(void **state)
{
	struct bpf_dynptr d;

	(void)state;
	memset(&d, 0xaa, sizeof(d));
	assert_int_equal(bpfemu_helper_dynptr_from_mem(mem, 1u << 24, 1, &d), -E2BIG);
	assert_true(bpf_dynptr_is_null(&d));
	memset(&d, 0xaa, sizeof(d));
	assert_int_equal(bpfemu_helper_dynptr_from_mem(mem, 8, 1, &d), -EINVAL);
	assert_true(bpf_dynptr_is_null(&d));
	assert_int_equal(kview(&d).size, 0);
	assert_int_equal(bpfemu_helper_dynptr_from_mem(mem, (1u << 24) - 1, 0, &d), 0);
	assert_int_equal(bpf_dynptr_size(&d), (1u << 24) - 1);
	assert_int_equal(bpfemu_helper_dynptr_from_mem(mem, 0, 0, &d), 0);
	assert_false(bpf_dynptr_is_null(&d));
}

static void test_size_of_null_dynptr_is_minus_einval(void **state)
{
	struct bpf_dynptr d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_int_equal(bpf_dynptr_size(&d), 0xFFFFFFEAu);
	assert_true(bpf_dynptr_is_null(&d));
	assert_false(bpf_dynptr_is_rdonly(&d));
	d = local(16);
	assert_int_equal(bpf_dynptr_size(&d), 16);
}

static void test_read_bounds_as_observed(void **state)
{
	uint32_t sizes[] = { 16, 12, 0 };
	uint8_t dst[32];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct bpf_dynptr d = local(sizes[i]);
		uint32_t sz = sizes[i];

		if (sz >= 8) {
			assert_int_equal(bpfemu_helper_dynptr_read(dst, 8, &d, 0, 0), 0);
			assert_int_equal(bpfemu_helper_dynptr_read(dst, 8, &d, sz - 8, 0), 0);
			assert_int_equal(bpfemu_helper_dynptr_read(dst, 8, &d, sz - 7, 0), -E2BIG);
		}
		assert_int_equal(bpfemu_helper_dynptr_read(dst, 1, &d, sz, 0), -E2BIG);
		assert_int_equal(bpfemu_helper_dynptr_read(dst, 0, &d, sz + 1, 0), -E2BIG);
		assert_int_equal(bpfemu_helper_dynptr_read(dst, 8, &d, 0xffffffff, 0), -E2BIG);
		assert_int_equal(bpfemu_helper_dynptr_read(dst, 32, &d, 0, 0), -E2BIG);
		assert_int_equal(bpfemu_helper_dynptr_read(dst, 0, &d, sz, 0), 0);
	}
}

static void test_read_checks_flags_before_bounds(void **state)
{
	struct bpf_dynptr d = local(0);
	struct bpf_dynptr null;
	uint8_t dst[8];

	(void)state;
	assert_int_equal(bpfemu_helper_dynptr_read(dst, 8, &d, 0, 1), -EINVAL);
	memset(&null, 0, sizeof(null));
	assert_int_equal(bpfemu_helper_dynptr_read(dst, 0, &null, 0, 0), -EINVAL);
}

static void test_read_copies_and_leaves_dst_alone_on_error(void **state)
{
	struct bpf_dynptr d = local(16);
	uint8_t dst[8];

	(void)state;
	memcpy(mem, "0123456789abcdef", 16);
	memset(dst, 'x', sizeof(dst));
	assert_int_equal(bpfemu_helper_dynptr_read(dst, 8, &d, 9, 0), -E2BIG);
	assert_memory_equal(dst, "xxxxxxxx", 8);
	assert_int_equal(bpfemu_helper_dynptr_read(dst, 8, &d, 8, 0), 0);
	assert_memory_equal(dst, "89abcdef", 8);
}

static void test_offsets_and_lengths_are_truncated_to_32_bits(void **state)
{
	struct bpf_dynptr d = local(16);
	uint8_t buf[8] = { 0 };

	(void)state;
	/* Observed on 6.18: the kernel reads the registers as u32. */
	assert_int_equal(bpfemu_helper_dynptr_read(buf, 8, &d, 1ull << 32, 0), 0);
	assert_int_equal(bpfemu_helper_dynptr_read(buf, 8, &d, (1ull << 32) + 12, 0), -E2BIG);
	assert_int_equal(bpfemu_helper_dynptr_write(&d, 1ull << 32, buf, 8, 0), 0);
	assert_ptr_equal(bpfemu_helper_dynptr_data(&d, 1ull << 32, 8), mem);
}

static void test_write_checks_bounds_before_flags(void **state)
{
	uint8_t src[8] = { 1, 2, 3, 4 };
	struct bpf_dynptr d0 = local(0), d12 = local(12), d16 = local(16);

	(void)state;
	assert_int_equal(bpfemu_helper_dynptr_write(&d0, 0, src, 4, 1), -E2BIG);
	assert_int_equal(bpfemu_helper_dynptr_write(&d12, 0, src, 4, 1), -EINVAL);
	assert_int_equal(bpfemu_helper_dynptr_write(&d16, 0, src, 4, 1), -EINVAL);
	assert_int_equal(bpfemu_helper_dynptr_write(&d12, 10, src, 4, 0), -E2BIG);
	assert_int_equal(bpfemu_helper_dynptr_write(&d16, 14, src, 4, 0), -E2BIG);
	assert_int_equal(bpfemu_helper_dynptr_write(&d16, 12, src, 4, 0), 0);
	assert_memory_equal(mem + 12, src, 4);
}

static void test_write_to_null_or_read_only_is_einval(void **state)
{
	struct bpf_dynptr d = local(16), null;
	uint8_t src[4] = { 0 };

	(void)state;
	memset(&null, 0, sizeof(null));
	assert_int_equal(bpfemu_helper_dynptr_write(&null, 0, src, 4, 0), -EINVAL);
	set_rdonly(&d);
	assert_true(bpf_dynptr_is_rdonly(&d));
	/* Read-only wins over the bounds. */
	assert_int_equal(bpfemu_helper_dynptr_write(&d, 100, src, 4, 0), -EINVAL);
	assert_int_equal(bpf_dynptr_size(&d), 16);
}

static void test_data_as_observed(void **state)
{
	uint32_t sizes[] = { 16, 12, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct bpf_dynptr d = local(sizes[i]);
		uint32_t sz = sizes[i];

		if (sz >= 8) {
			assert_ptr_equal(bpfemu_helper_dynptr_data(&d, 0, 8), mem);
			assert_ptr_equal(bpfemu_helper_dynptr_data(&d, sz - 8, 8), mem + sz - 8);
		}
		assert_null(bpfemu_helper_dynptr_data(&d, sz - 4, 8));
		assert_null(bpfemu_helper_dynptr_data(&d, 0xffffffff, 8));
		assert_null(bpfemu_helper_dynptr_data(&d, 0, 32));
	}
}

static void test_data_of_read_only_dynptr_is_null_but_slice_is_not(void **state)
{
	struct bpf_dynptr d = local(16);

	(void)state;
	set_rdonly(&d);
	assert_null(bpfemu_helper_dynptr_data(&d, 0, 8));
	assert_ptr_equal(bpf_dynptr_slice(&d, 4, NULL, 8), mem + 4);
	assert_null(bpf_dynptr_slice_rdwr(&d, 4, NULL, 8));
	assert_null(bpf_dynptr_slice(&d, 12, NULL, 8));
}

static void test_adjust_checks_order_and_keeps_type(void **state)
{
	struct bpf_dynptr d = local(16), null;
	uint8_t b;

	(void)state;
	memset(&null, 0, sizeof(null));
	assert_int_equal(bpf_dynptr_adjust(&null, 0, 0), -EINVAL);
	assert_int_equal(bpf_dynptr_adjust(&d, 5, 4), -EINVAL);
	assert_int_equal(bpf_dynptr_adjust(&d, 4, 17), -ERANGE);
	assert_int_equal(bpf_dynptr_adjust(&d, 17, 17), -ERANGE);
	memcpy(mem, "0123456789abcdef", 16);
	assert_int_equal(bpf_dynptr_adjust(&d, 4, 10), 0);
	assert_int_equal(bpf_dynptr_size(&d), 6);
	assert_int_equal(emu_dynptr_type((const struct emu_dynptr[]){ kview(&d) }), EMU_DYNPTR_TYPE_LOCAL);
	assert_int_equal(bpfemu_helper_dynptr_read(&b, 1, &d, 0, 0), 0);
	assert_int_equal(b, '4');
	assert_int_equal(bpfemu_helper_dynptr_read(&b, 1, &d, 6, 0), -E2BIG);
	assert_ptr_equal(bpfemu_helper_dynptr_data(&d, 1, 1), mem + 5);
}

static void test_clone_copies_or_nulls(void **state)
{
	struct bpf_dynptr d = local(16), c, null;

	(void)state;
	assert_int_equal(bpf_dynptr_clone(&d, &c), 0);
	assert_memory_equal(&c, &d, sizeof(d));
	memset(&null, 0, sizeof(null));
	memset(&c, 0xaa, sizeof(c));
	assert_int_equal(bpf_dynptr_clone(&null, &c), -EINVAL);
	assert_true(bpf_dynptr_is_null(&c));
}

/* ------------------------------------- inside a program: the helper check */

enum call_op { CALL_FROM_MEM, CALL_READ, CALL_WRITE, CALL_DATA, NR_CALL_OPS };

struct call_args {
	enum call_op op;
	struct bpf_dynptr d;		/* LOCAL over mem[0..16) */
	struct bpf_dynptr made;		/* CALL_FROM_MEM's output */
	uint8_t buf[16];		/* CALL_READ's destination, CALL_WRITE's source */
	long ret;
	void *data;
	bool returned;
};

static long call_body(void *arg)
{
	struct call_args *a = arg;

	switch (a->op) {
	case CALL_FROM_MEM:
		a->ret = bpfemu_helper_dynptr_from_mem(mem + 4, 8, 0, &a->made);
		break;
	case CALL_READ:
		a->ret = bpfemu_helper_dynptr_read(a->buf, 16, &a->d, 0, 0);
		break;
	case CALL_WRITE:
		a->ret = bpfemu_helper_dynptr_write(&a->d, 0, a->buf, 16, 0);
		break;
	case CALL_DATA:
		a->data = bpfemu_helper_dynptr_data(&a->d, 4, 8);
		break;
	default:
		break;
	}
	a->returned = true;
	return 0;
}

static void call_in(int prog_type, enum call_op op, struct call_args *a, int *run_err)
{
	struct emu_prog *prog = emu_prog_new_bare("dynptr", prog_type);
	long ret = -1;

	assert_non_null(prog);
	memcpy(mem, "0123456789abcdef", 16);
	memset(a, 0, sizeof(*a));
	a->op = op;
	a->d = local(16);
	memset(&a->made, 0xaa, sizeof(a->made));
	memset(a->buf, 'x', sizeof(a->buf));
	a->ret = 42;
	a->data = &a->ret;
	*run_err = emu_run(prog, EMU_ENTRY_PROG, call_body, a, &ret);
	emu_prog_put(prog);
}

/*
 * The dynptr helpers take their helper check apart from their body (an
 * allowed call from the program's bitmap, anything else through the full
 * check): a program type that may call them gets the body, one that may
 * not (LIRC_MODE2, outside bpf_base_func_proto) is refused before any of
 * its effects.
 */
static void test_helpers_inside_a_program_are_checked_before_any_effect(void **state)
{
	struct call_args a;
	int op, err;

	(void)state;
	bpfemu_diag_set_echo(false);
	for (op = 0; op < NR_CALL_OPS; op++) {
		call_in(BPF_PROG_TYPE_SCHED_CLS, op, &a, &err);
		assert_int_equal(err, 0);
		assert_true(a.returned);
		switch (op) {
		case CALL_FROM_MEM:
			assert_int_equal(a.ret, 0);
			assert_ptr_equal(kview(&a.made).data, mem + 4);
			assert_int_equal(bpf_dynptr_size(&a.made), 8);
			break;
		case CALL_READ:
			assert_int_equal(a.ret, 0);
			assert_memory_equal(a.buf, "0123456789abcdef", 16);
			break;
		case CALL_WRITE:
			assert_int_equal(a.ret, 0);
			assert_memory_equal(mem, "xxxxxxxxxxxxxxxx", 16);
			break;
		case CALL_DATA:
			assert_ptr_equal(a.data, mem + 4);
			break;
		}

		bpfemu_diag_clear();
		call_in(BPF_PROG_TYPE_LIRC_MODE2, op, &a, &err);
		assert_int_equal(err, -EINVAL);
		assert_true(bpfemu_diag_has("helper_not_allowed"));
		/* The run was abandoned inside the call, which changed nothing. */
		assert_false(a.returned);
		assert_int_equal(a.ret, 42);
		assert_ptr_equal(a.data, &a.ret);
		assert_memory_equal(a.buf, "xxxxxxxxxxxxxxxx", 16);
		assert_memory_equal(mem, "0123456789abcdef", 16);
		assert_int_equal(kview(&a.made).offset, 0xaaaaaaaa);
	}
	bpfemu_diag_clear();
	bpfemu_diag_set_echo(true);
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_is_data_offset_and_size_word),
		cmocka_unit_test(test_from_mem_checks_size_before_flags_and_nulls_on_error),
		cmocka_unit_test(test_size_of_null_dynptr_is_minus_einval),
		cmocka_unit_test(test_read_bounds_as_observed),
		cmocka_unit_test(test_read_checks_flags_before_bounds),
		cmocka_unit_test(test_read_copies_and_leaves_dst_alone_on_error),
		cmocka_unit_test(test_offsets_and_lengths_are_truncated_to_32_bits),
		cmocka_unit_test(test_write_checks_bounds_before_flags),
		cmocka_unit_test(test_write_to_null_or_read_only_is_einval),
		cmocka_unit_test(test_data_as_observed),
		cmocka_unit_test(test_data_of_read_only_dynptr_is_null_but_slice_is_not),
		cmocka_unit_test(test_adjust_checks_order_and_keeps_type),
		cmocka_unit_test(test_clone_copies_or_nulls),
		cmocka_unit_test(test_helpers_inside_a_program_are_checked_before_any_effect),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
