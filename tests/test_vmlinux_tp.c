// SPDX-License-Identifier: MIT
/*
 * vmlinux.h carries the syscall tracepoint records (trace_entry,
 * trace_event_raw_sys_enter/_exit) with the kernel's layouts, so
 * tracepoint programs written against vmlinux.h compile unmodified and can
 * be fired with bpfemu_prog_run().
 */
/* bpfemu-objects: vmlinux_tp */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include "vmlinux_tp.skel.h"
#include "test_group.h"

/* The same records as user space writes them (the format files' layout). */
struct rec_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct rec_sys_enter {
	struct rec_entry ent;
	long id;
	unsigned long args[6];
};

struct rec_sys_exit {
	struct rec_entry ent;
	long id;
	long ret;
};

static void test_tracepoint_records_from_vmlinux_h_reach_the_program(void **state)
{
	struct rec_sys_enter enter = { .ent.pid = 4242, .id = 257, .args = { 0, 0, 0x241 } };
	struct rec_sys_exit ex = { .ent.pid = 4242, .id = 257, .ret = -2 };
	struct vmlinux_tp *skel = vmlinux_tp__open_and_load();

	(void)state;
	assert_non_null(skel);
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &enter, .ctx_size = sizeof(enter));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.on_enter), &o), 0);
		assert_int_equal((int)o.retval, 0);
	}
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &ex, .ctx_size = sizeof(ex));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.on_exit), &o), 0);
	}
	assert_int_equal(skel->bss->last_pid, 4242);
	assert_int_equal(skel->bss->last_flags, 0x241);
	assert_int_equal(skel->bss->last_ret, -2);
	vmlinux_tp__destroy(skel);
}

/* The layouts the kernel's format files give (x86-64). */
static void test_record_layouts_are_the_kernels(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct rec_entry), 8);
	assert_int_equal(offsetof(struct rec_sys_enter, id), 8);
	assert_int_equal(offsetof(struct rec_sys_enter, args), 16);
	assert_int_equal(sizeof(struct rec_sys_enter), 64);
	assert_int_equal(offsetof(struct rec_sys_exit, ret), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracepoint_records_from_vmlinux_h_reach_the_program),
		cmocka_unit_test(test_record_layouts_are_the_kernels),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
