// SPDX-License-Identifier: MIT
/*
 * vmlinux.h carries the tracepoint records (trace_entry,
 * trace_event_raw_sys_enter/_exit, the scheduler's process events) with the
 * kernel's layouts, struct filename, task_struct's exit_code and the packet
 * headers, so programs written against vmlinux.h (libbpf-bootstrap's among
 * them) compile unmodified and can be fired with bpfemu_prog_run().  The
 * test builds records with <bpfemu/tp_records.h>, the same header.
 */
/* bpfemu-objects: vmlinux_tp vmlinux_types */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpfemu.h>

#include <bpfemu/tp_records.h>

#include "progs/vmlinux_types.h"
#include "vmlinux_tp.skel.h"
#include "vmlinux_types.skel.h"
#include "test_group.h"

static void test_tracepoint_records_from_vmlinux_h_reach_the_program(void **state)
{
	struct trace_event_raw_sys_enter enter = { .ent.pid = 4242, .id = 257, .args = { 0, 0, 0x241 } };
	struct trace_event_raw_sys_exit ex = { .ent.pid = 4242, .id = 257, .ret = -2 };
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
	assert_int_equal(sizeof(struct trace_entry), 8);
	assert_int_equal(offsetof(struct trace_event_raw_sys_enter, id), 8);
	assert_int_equal(offsetof(struct trace_event_raw_sys_enter, args), 16);
	assert_int_equal(sizeof(struct trace_event_raw_sys_enter), 64);
	assert_int_equal(offsetof(struct trace_event_raw_sys_exit, ret), 16);
	assert_int_equal(sizeof(struct trace_event_raw_sched_process_exec), 20);
	assert_int_equal(sizeof(struct trace_event_raw_sched_switch), 64);
	assert_int_equal(bpfemu_tp_data_loc(20, 11), 11u << 16 | 20u);
}


static int on_exec_event(void *ctx, void *data, size_t size)
{
	struct exec_event *e = data;

	assert_int_equal(size, sizeof(*e));
	memcpy(ctx, e, sizeof(*e));
	return 0;
}

/* An exec record with its path in the tail, located by __data_loc. */
static void test_exec_record_with_data_loc_filename(void **state)
{
	static const char path[] = "/usr/bin/true";
	struct {
		struct trace_event_raw_sched_process_exec rec;
		char tail[sizeof(path)];
	} r = { .rec = { .ent.pid = 77, .pid = 77, .old_pid = 77 } };
	struct vmlinux_types *skel = vmlinux_types__open_and_load();
	struct exec_event got = { .pid = -1 };
	struct ring_buffer *rb;

	(void)state;
	assert_non_null(skel);
	bpfemu_task_set_pid(4000, 4001);
	bpfemu_task_set_comm("true");
	memcpy(r.tail, path, sizeof(path));
	r.rec.__data_loc_filename =
		bpfemu_tp_data_loc(offsetof(struct trace_event_raw_sched_process_exec, __data),
				   sizeof(path));
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_exec_event, &got, NULL);
	assert_non_null(rb);
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &r, .ctx_size = sizeof(r));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.on_exec), &o), 0);
	}
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(got.pid, 77);
	/* the emulated task is its own parent, with the identity
	 * bpf_get_current_pid_tgid and bpf_get_current_comm report */
	assert_int_equal(got.ppid, 4000);
	assert_int_equal(got.exit_code, 0);
	assert_string_equal(got.comm, "true");
	assert_string_equal(got.filename, path);
	ring_buffer__free(rb);
	vmlinux_types__destroy(skel);
	bpfemu_task_set_comm(NULL);
}

static void test_sched_switch_record(void **state)
{
	struct trace_event_raw_sched_switch rec = { .prev_pid = 1, .next_pid = 2 };
	struct vmlinux_types *skel = vmlinux_types__open_and_load();

	(void)state;
	assert_non_null(skel);
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &rec, .ctx_size = sizeof(rec));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.on_switch), &o), 0);
	}
	assert_int_equal(skel->bss->switches, 1);
	assert_int_equal(skel->bss->last_next_pid, 2);
	vmlinux_types__destroy(skel);
}

/* struct filename behind a kprobe's and an fentry's second argument. */
static void test_filename_argument(void **state)
{
	struct vmlinux_types *skel = vmlinux_types__open_and_load();
	/* struct filename's first member is the kernel copy of the path */
	const char *name[4] = { "/tmp/gone" };
	uint64_t args[2] = { (uint64_t)-100, (uint64_t)(uintptr_t)name };
	uint64_t ret = 1;

	(void)state;
	assert_non_null(skel);
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.on_unlink), args, 2,
					      &ret), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(skel->bss->unlink_dfd, -100);
	assert_string_equal(skel->bss->unlinked, "/tmp/gone");
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.on_unlink_fentry), args,
					      2, &ret), 0);
	assert_string_equal(skel->bss->unlinked_fentry, "/tmp/gone");
	vmlinux_types__destroy(skel);
}

/* The packet headers' fields, bit-fields included, where the wire puts them. */
static void test_packet_headers(void **state)
{
	static const unsigned char pkt[54] = {
		[12] = 0x08, [13] = 0x00,		/* h_proto: IPv4 */
		[14] = 0x45,				/* version 4, ihl 5 */
		[22] = 64,				/* ttl */
		[23] = 6,				/* protocol: TCP */
		[36] = 0x01, [37] = 0xbb,		/* dest port 443 */
		[46] = 0x50, [47] = 0x02,		/* doff 5, SYN */
	};
	struct vmlinux_types *skel = vmlinux_types__open_and_load();
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	(void)state;
	assert_non_null(skel);
	memcpy(skel->bss->packet_buf + 2, pkt, sizeof(pkt));
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.parse_packet), &topts),
			 0);
	assert_int_equal(topts.retval, 0);
	assert_int_equal(skel->bss->ip_version, 4);
	assert_int_equal(skel->bss->ip_ihl, 5);
	assert_int_equal(skel->bss->ip_ttl, 64);
	assert_int_equal(skel->bss->tcp_doff, 5);
	assert_int_equal(skel->bss->tcp_syn, 1);
	assert_int_equal(skel->bss->dport, 443);
	vmlinux_types__destroy(skel);
}

/* bpf_get_ns_current_pid_tgid: the process's own pid namespace (Linux),
 * and any other (-EINVAL, the result cleared). */
static void test_ns_current_pid_tgid(void **state)
{
	struct vmlinux_types *skel = vmlinux_types__open_and_load();
	struct trace_event_raw_sys_enter rec = { .id = 1 };
	struct stat st;

	(void)state;
	assert_non_null(skel);
	bpfemu_task_set_pid(300, 301);
	skel->bss->ns_dev = 12345;
	skel->bss->ns_ino = 1;
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &rec, .ctx_size = sizeof(rec));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.ns_ids), &o), 0);
	}
	assert_int_equal(skel->bss->ns_ret, -EINVAL);
	assert_int_equal(skel->bss->ns_info.pid, 0);
	if (stat("/proc/self/ns/pid", &st) == 0) {
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &rec, .ctx_size = sizeof(rec));

		skel->bss->ns_dev = (uint64_t)st.st_dev;
		skel->bss->ns_ino = (uint64_t)st.st_ino;
		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.ns_ids), &o), 0);
		assert_int_equal(skel->bss->ns_ret, 0);
		assert_int_equal(skel->bss->ns_info.tgid, 300);
		assert_int_equal(skel->bss->ns_info.pid, 301);
	}
	vmlinux_types__destroy(skel);
}

/* An LSM hook taking union bpf_attr *, as SEC("lsm/bpf") does. */
static void test_lsm_hook_with_bpf_attr(void **state)
{
	struct vmlinux_types *skel = vmlinux_types__open_and_load();
	uint64_t args[4] = { 5 /* BPF_PROG_LOAD */, 0, 128, 0 };
	uint64_t ret = 0;

	(void)state;
	assert_non_null(skel);
	assert_int_equal(bpfemu_prog_run_args(bpf_program__fd(skel->progs.lsm_bpf), args, 4, &ret),
			 0);
	assert_int_equal((int)ret, -1);
	assert_int_equal(skel->data->lsm_cmd, 5);
	vmlinux_types__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracepoint_records_from_vmlinux_h_reach_the_program),
		cmocka_unit_test(test_record_layouts_are_the_kernels),
		cmocka_unit_test_teardown(test_exec_record_with_data_loc_filename, reset_teardown),
		cmocka_unit_test_teardown(test_sched_switch_record, reset_teardown),
		cmocka_unit_test_teardown(test_filename_argument, reset_teardown),
		cmocka_unit_test_teardown(test_packet_headers, reset_teardown),
		cmocka_unit_test_teardown(test_lsm_hook_with_bpf_attr, reset_teardown),
		cmocka_unit_test_teardown(test_ns_current_pid_tgid, reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
