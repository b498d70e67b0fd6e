// SPDX-License-Identifier: MIT
/*
 * Packet test runs beyond what the conformance family `packets` compares
 * with the kernel: bpf_skb_load_bytes' and bpf_xdp_adjust_*'s refusals
 * (the verifier's, at run time) and a context with no packet behind it.
 */
/* bpfemu-objects: packet_progs */
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

#include "packet_progs.skel.h"
#include "test_group.h"

static unsigned char pkt[60] = { [12] = 0x08, [13] = 0x00, [14] = 0x45 };

static int run_pkt(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt));

	return bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
}

static void test_skb_load_bytes_refusals(void **state)
{
	struct packet_progs *skel = packet_progs__open_and_load();

	(void)state;
	assert_non_null(skel);
	/* a refusal abandons the run: the load would have failed */
	assert_int_equal(run_pkt(skel->progs.not_ctx), -EACCES);
	assert_true(bpfemu_diag_has("skb_not_ctx"));
	assert_int_equal(run_pkt(skel->progs.null_to), -EACCES);
	assert_true(bpfemu_diag_has("mem_arg_null"));
	assert_int_equal(run_pkt(skel->progs.zero_len), -EACCES);
	assert_true(bpfemu_diag_has("zero_size_buffer"));
	assert_int_equal(skel->bss->ret, 0);
	packet_progs__destroy(skel);
}

static void test_skb_load_bytes_reads_the_packet(void **state)
{
	struct packet_progs *skel = packet_progs__open_and_load();

	(void)state;
	assert_non_null(skel);
	assert_int_equal(run_pkt(skel->progs.load), 0);
	assert_int_equal(skel->bss->ret, 0);
	assert_int_equal(skel->bss->got[0], 0x08);
	assert_int_equal(skel->bss->got[1], 0x00);
	packet_progs__destroy(skel);
}

/* bpfemu_prog_run on a context the test built: no packet, an empty one. */
static void test_skb_load_bytes_without_a_packet(void **state)
{
	struct packet_progs *skel = packet_progs__open_and_load();
	struct __sk_buff skb = { .len = 60 };

	(void)state;
	assert_non_null(skel);
	memset(skel->bss->got, 0xaa, sizeof(skel->bss->got));
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &skb, .ctx_size = sizeof(skb));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.load), &o), 0);
	}
	assert_int_equal(skel->bss->ret, -EFAULT);
	assert_int_equal(skel->bss->got[0], 0);
	assert_int_equal(skel->bss->got[1], 0);
	packet_progs__destroy(skel);
}

static void test_tc_write_refusals_and_no_packet(void **state)
{
	struct packet_progs *skel = packet_progs__open_and_load();
	struct __sk_buff skb = { .len = 60 };

	(void)state;
	assert_non_null(skel);
	assert_int_equal(run_pkt(skel->progs.store_not_ctx), -EACCES);
	assert_true(bpfemu_diag_has("skb_not_ctx"));
	bpfemu_diag_clear();
	assert_int_equal(run_pkt(skel->progs.store_null), -EACCES);
	assert_true(bpfemu_diag_has("mem_arg_null"));
	bpfemu_diag_clear();
	assert_int_equal(run_pkt(skel->progs.diff_null), -EACCES);
	assert_true(bpfemu_diag_has("mem_arg_null"));
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &skb, .ctx_size = sizeof(skb));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.store_no_packet), &o),
				 0);
	}
	/* -EFAULT from the store, -ENOMEM from the pull */
	assert_int_equal(skel->bss->ret, -EFAULT * 1000 - ENOMEM);
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &skb, .ctx_size = sizeof(skb));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.dynptr_no_packet),
						 &o), 0);
	}
	/* -EINVAL, and the NULL dynptr's size is -EINVAL as a u32 */
	assert_int_equal(skel->bss->ret, -EINVAL * 1000 - (long)(__u32)-EINVAL);
	bpfemu_diag_clear();
	assert_int_equal(run_pkt(skel->progs.dynptr_not_ctx), -EACCES);
	assert_true(bpfemu_diag_has("skb_not_ctx"));
	packet_progs__destroy(skel);
}

static void test_xdp_adjust_refusals_and_no_packet(void **state)
{
	struct packet_progs *skel = packet_progs__open_and_load();
	struct xdp_md md = { 0 };

	(void)state;
	assert_non_null(skel);
	assert_int_equal(run_pkt(skel->progs.xdp_not_ctx), -EACCES);
	assert_true(bpfemu_diag_has("xdp_not_ctx"));
	assert_int_equal(run_pkt(skel->progs.xdp_load_null), -EACCES);
	assert_true(bpfemu_diag_has("mem_arg_null"));
	/* grown by 4 on a packet: data_out has 4 zero bytes more */
	{
		unsigned char out[128];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .data_out = out, .data_size_out = sizeof(out));

		memset(out, 0xee, sizeof(out));
		assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.xdp_grow), &o),
				 0);
		assert_int_equal(skel->bss->ret, 0);
		assert_int_equal(o.data_size_out, sizeof(pkt) + 4);
		assert_int_equal(out[sizeof(pkt)], 0);
		assert_int_equal(out[sizeof(pkt) + 3], 0);
		assert_int_equal(out[sizeof(pkt) + 4], 0xee);
	}
	/* a context with no packet: no room to move into */
	{
		BPFEMU_OPTS(bpfemu_prog_run_opts, o, .ctx = &md, .ctx_size = sizeof(md));

		assert_int_equal(bpfemu_prog_run(bpf_program__fd(skel->progs.xdp_grow), &o), 0);
	}
	assert_int_equal(skel->bss->ret, -EINVAL);
	packet_progs__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_skb_load_bytes_refusals, reset_teardown),
		cmocka_unit_test_teardown(test_skb_load_bytes_reads_the_packet, reset_teardown),
		cmocka_unit_test_teardown(test_skb_load_bytes_without_a_packet, reset_teardown),
		cmocka_unit_test_teardown(test_tc_write_refusals_and_no_packet, reset_teardown),
		cmocka_unit_test_teardown(test_xdp_adjust_refusals_and_no_packet, reset_teardown),
	};

	return cmocka_run_group_tests(tests, quiet_setup, reset_teardown);
}
