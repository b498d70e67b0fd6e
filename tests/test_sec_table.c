// SPDX-License-Identifier: MIT
/* SEC() names resolve to libbpf's program and attach types (constants.md §14). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <linux/bpf.h>
#include <bpfemu/core.h>

#include "object_priv.h"

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(bpfemu_live_objects(), 0);
	return 0;
}

static void expect(const char *sec, int type, int attach, bool sleepable, bool autoload)
{
	struct emu_sec_def d;

	assert_int_equal(emu_sec_resolve(sec, &d), 0);
	assert_int_equal(d.prog_type, type);
	assert_int_equal(d.attach_type, attach);
	assert_int_equal(d.sleepable, sleepable);
	assert_int_equal(d.autoload, autoload);
}

static void test_exact_sections_resolve(void **state)
{
	(void)state;
	expect("cgroup_skb/egress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, false, true);
	expect("cgroup_skb/ingress", BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, false, true);
	expect("xdp", BPF_PROG_TYPE_XDP, BPF_XDP, false, true);
	expect("tc", BPF_PROG_TYPE_SCHED_CLS, 0, false, true);
	expect("syscall", BPF_PROG_TYPE_SYSCALL, 0, true, true);
	expect("socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, false, true);
	expect("raw_tp.w/x", BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, false, true);
}

static void test_prefix_sections_take_slash_extras(void **state)
{
	(void)state;
	expect("kprobe/do_sys_open", BPF_PROG_TYPE_KPROBE, 0, false, true);
	expect("kprobe", BPF_PROG_TYPE_KPROBE, 0, false, true);
	expect("kprobe.multi/x*", BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, false, true);
	expect("fentry/tcp_connect", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, false, true);
	expect("fentry.s/x", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, true, true);
	expect("tp/sched/sched_switch", BPF_PROG_TYPE_TRACEPOINT, 0, false, true);
	expect("perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, false, true);
}

static void test_question_mark_turns_autoload_off(void **state)
{
	(void)state;
	expect("?raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false, false);
	expect("?tc", BPF_PROG_TYPE_SCHED_CLS, 0, false, false);
}

static void test_unknown_or_malformed_sections_fail(void **state)
{
	struct emu_sec_def d;

	(void)state;
	assert_int_equal(emu_sec_resolve("nonsense", &d), -ESRCH);
	/* "kprobe+" needs a '/' after the prefix */
	assert_int_equal(emu_sec_resolve("kprobex", &d), -ESRCH);
	/* exact entries take no extras */
	assert_int_equal(emu_sec_resolve("xdp/foo", &d), -ESRCH);
	assert_int_equal(emu_sec_resolve("socket/x", &d), -ESRCH);
	assert_int_equal(emu_sec_resolve(NULL, &d), -EINVAL);
}

static void test_helper_table_matches_the_seed_pages(void **state)
{
	(void)state;
	/* bpf_timer_init: not in the old tracing types (seed 000) */
	assert_true(emu_helper_type_allowed(BPF_FUNC_timer_init, BPF_PROG_TYPE_CGROUP_SKB));
	assert_true(emu_helper_type_allowed(BPF_FUNC_timer_init, BPF_PROG_TYPE_TRACING));
	assert_false(emu_helper_type_allowed(BPF_FUNC_timer_init, BPF_PROG_TYPE_KPROBE));
	assert_false(emu_helper_type_allowed(BPF_FUNC_timer_start, BPF_PROG_TYPE_PERF_EVENT));
	/* drain and cgrp_storage: every base type including kprobe (seeds 003, 004) */
	assert_true(emu_helper_type_allowed(BPF_FUNC_user_ringbuf_drain, BPF_PROG_TYPE_KPROBE));
	assert_true(emu_helper_type_allowed(BPF_FUNC_cgrp_storage_get, BPF_PROG_TYPE_TRACEPOINT));
	assert_false(emu_helper_type_allowed(BPF_FUNC_cgrp_storage_get, BPF_PROG_TYPE_LIRC_MODE2));
	/* map ops and time: every type */
	assert_true(emu_helper_type_allowed(BPF_FUNC_map_lookup_elem, BPF_PROG_TYPE_LIRC_MODE2));
	assert_false(emu_helper_type_allowed(BPF_FUNC_ktime_get_coarse_ns, BPF_PROG_TYPE_RAW_TRACEPOINT));
	assert_true(emu_helper_type_allowed(BPF_FUNC_ktime_get_coarse_ns, BPF_PROG_TYPE_XDP));
	assert_true(emu_helper_gpl_only(BPF_FUNC_timer_init));
	assert_false(emu_helper_gpl_only(BPF_FUNC_map_lookup_elem));
	assert_string_equal(emu_helper_name(BPF_FUNC_timer_init), "bpf_timer_init");
	assert_false(emu_helper_type_allowed(0, BPF_PROG_TYPE_XDP));
	assert_false(emu_helper_type_allowed(__BPF_FUNC_MAX_ID, BPF_PROG_TYPE_XDP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_sections_resolve),
		cmocka_unit_test(test_prefix_sections_take_slash_extras),
		cmocka_unit_test(test_question_mark_turns_autoload_off),
		cmocka_unit_test(test_unknown_or_malformed_sections_fail),
		cmocka_unit_test(test_helper_table_matches_the_seed_pages),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
