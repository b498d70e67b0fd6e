/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for packet test runs (emu/packet.h): arbitrary
 * data_in / ctx_in / sizes / flags, as a test could pass them, then the
 * packet helpers with arbitrary offsets and lengths.  Nothing may crash or
 * touch memory outside the packet page, the fragments or the caller's
 * buffers (ASan), and every result must be 0 or one of the kernel's
 * errnos; the program's view (data .. data_end) must stay inside the page
 * and be readable to its end.
 *
 * Input: { u8 type; u8 ctx_len; u16 data_len; u16 out_size; u8 nops; u8 flags }
 * then ctx_len context bytes, then nops 12-byte ops
 *   { u8 op; u8 pad[3]; u32 a; u32 b }
 * (op 0..2: xdp_adjust_head/meta/tail(a); 3: skb/xdp_load_bytes(a, b);
 *  4: skb/xdp_store_bytes(a, b); 5: l3_csum_replace(a, b); 6: l4;
 *  7: xdp_get_buff_len, skb_load_bytes_relative(a, b); 8..10: a dynptr
 *  over the packet, read / write / slice at a; 11..15: as 7),
 * then the packet bytes (data_len of them, repeated as needed).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpfemu/core.h>
#include <bpfemu/helpers.h>

#include "packet.h"

int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr);
int bpf_dynptr_from_xdp(struct xdp_md *xdp, __u64 flags, struct bpf_dynptr *ptr);
void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer, __u32 size);

static const int types[] = {
	BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SOCKET_FILTER,
	BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_LWT_IN, BPF_PROG_TYPE_LWT_XMIT,
};

static void check_errno(long r)
{
	switch (r) {
	case 0: case -EINVAL: case -EFAULT: case -ENOMEM: case -EACCES: case -ENOSPC:
	case -E2BIG: case -ENODEV: case -EOPNOTSUPP:
		return;
	/* -1: bpf_xdp_get_buff_len past anything a packet can hold */
	default:
		abort();
	}
}

/* Every byte the program may see, read once. */
static void touch_view(const struct emu_pkt *p)
{
	volatile uint8_t sum = 0;
	const uint8_t *q;

	if (p->data_meta > p->data || p->data > p->data_end)
		abort();
	for (q = p->data_meta; q < p->data_end; q++)
		sum ^= *q;
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	/* out holds any packet: data_size_out 0 asks for all of it, unclamped,
	 * as on the kernel */
	static uint8_t data[3520 + 18 * 4096], out[sizeof(data)], ctx[256], buf[64];
	struct bpf_test_run_opts opts = { .sz = sizeof(opts) };
	uint16_t data_len, out_size;
	uint8_t ctx_len, nops;
	struct emu_pkt p;
	size_t i, n;
	int type;

	/* refusals are expected: not printed, not kept */
	bpfemu_diag_set_echo(false);
	bpfemu_diag_clear();
	if (len < 8)
		return 0;
	type = types[in[0] % (sizeof(types) / sizeof(types[0]))];
	ctx_len = in[1];
	memcpy(&data_len, in + 2, 2);
	memcpy(&out_size, in + 4, 2);
	nops = in[6] & 15;
	opts.flags = in[7] & 3;
	in += 8, len -= 8;
	if (len < ctx_len)
		return 0;
	memset(ctx, 0, sizeof(ctx));
	memcpy(ctx, in, ctx_len);
	in += ctx_len, len -= ctx_len;
	if (ctx_len) {
		opts.ctx_in = ctx;
		opts.ctx_size_in = ctx_len;
		opts.ctx_out = ctx;
		opts.ctx_size_out = sizeof(ctx);
	}
	n = (size_t)nops * 12 < len ? (size_t)nops * 12 : len - len % 12;
	for (i = 0; i < sizeof(data); i++)
		data[i] = len > n ? in[n + i % (len - n)] : (uint8_t)i;
	opts.data_in = data;
	opts.data_size_in = data_len % sizeof(data);
	opts.data_out = out;
	opts.data_size_out = out_size;

	if (emu_pkt_prepare(&p, type, &opts))
		return 0;
	touch_view(&p);
	emu_pkt_enter(&p);
	for (i = 0; i + 12 <= n; i += 12) {
		uint32_t a, b;
		long r;

		memcpy(&a, in + i + 4, 4);
		memcpy(&b, in + i + 8, 4);
		switch (in[i] & 15) {
		case 0:
			r = p.xdp ? bpfemu_helper_xdp_adjust_head(&p.ctx.xdp, (int)a) : 0;
			break;
		case 1:
			r = p.xdp ? bpfemu_helper_xdp_adjust_meta(&p.ctx.xdp, (int)a) : 0;
			break;
		case 2:
			r = p.xdp ? bpfemu_helper_xdp_adjust_tail(&p.ctx.xdp, (int)a) : 0;
			break;
		case 3:
			r = p.xdp ? bpfemu_helper_xdp_load_bytes(&p.ctx.xdp, a, buf,
								 1 + b % sizeof(buf)) :
				    bpfemu_helper_skb_load_bytes(&p.ctx.skb, a, buf, 1 + b % sizeof(buf));
			break;
		case 4:
			r = p.xdp ? bpfemu_helper_xdp_store_bytes(&p.ctx.xdp, a, buf,
								  1 + b % sizeof(buf)) :
				    bpfemu_helper_skb_store_bytes(&p.ctx.skb, a, buf,
								  1 + b % sizeof(buf), 0);
			break;
		case 5:
			r = p.xdp ? 0 : bpfemu_helper_l3_csum_replace(&p.ctx.skb, a, b, ~b, b & 7);
			break;
		case 6:
			r = p.xdp ? 0 : bpfemu_helper_l4_csum_replace(&p.ctx.skb, a, b, ~b, b & 0xff);
			break;
		case 8: case 9: case 10: {
			/* a dynptr over the packet: read, write, slice */
			struct bpf_dynptr d;
			void *sl;

			r = p.xdp ? bpf_dynptr_from_xdp(&p.ctx.xdp, 0, &d) :
				    bpf_dynptr_from_skb(&p.ctx.skb, 0, &d);
			if (r)
				break;
			if ((in[i] & 15) == 8)
				r = bpfemu_helper_dynptr_read(buf, 1 + b % sizeof(buf), &d, a, 0);
			else if ((in[i] & 15) == 9)
				r = bpfemu_helper_dynptr_write(&d, a, buf, 1 + b % sizeof(buf), b >> 8 & 3);
			else if ((sl = bpf_dynptr_slice(&d, a, buf, 1 + b % sizeof(buf))) != NULL)
				buf[0] ^= *(volatile uint8_t *)sl;
			if (r == -E2BIG)
				r = 0;
			break;
		}
		default:
			if (p.xdp)
				r = bpfemu_helper_xdp_get_buff_len(&p.ctx.xdp) > sizeof(data) + 4096 ?
					    -1 : 0;
			else
				r = bpfemu_helper_skb_load_bytes_relative(&p.ctx.skb, a, buf,
									  1 + b % sizeof(buf), b & 3);
			break;
		}
		check_errno(r);
		touch_view(&p);
	}
	emu_pkt_leave(&p);
	check_errno(emu_pkt_finish(&p, &opts));
	emu_pkt_release(&p);
	return 0;
}
