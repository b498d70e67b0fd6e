// SPDX-License-Identifier: GPL-2.0
/*
 * Packet test runs (bpf_prog_test_run_opts with data_in): what each
 * socket-buffer program type and XDP see of their context and packet --
 * direct packet access, len, protocol, pkt_type, ifindex, the fields a
 * context may set -- what a tc and an XDP program's writes do to data_out,
 * and bpf_skb_load_bytes' bounds.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "packets.h"

struct pkt_obs obs[PO_N];
unsigned int load_off, load_len = 16;

static __always_inline void see_skb(int i, struct __sk_buff *skb, int direct)
{
	obs[i].len = skb->len;
	obs[i].protocol = skb->protocol;
	obs[i].pkt_type = skb->pkt_type;
	obs[i].ifindex = skb->ifindex;
	obs[i].ingress_ifindex = skb->ingress_ifindex;
	obs[i].mark = skb->mark;
	if (direct) {
		void *data = (void *)(long)skb->data;
		void *end = (void *)(long)skb->data_end;

		obs[i].data_len = end - data;
		if (data + 16 <= end)
			__builtin_memcpy(obs[i].first, data, 16);
	} else {
		obs[i].data_len = -1;
	}
}

SEC("tc")
int tc_prog(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	see_skb(PO_TC, skb, 1);
	obs[PO_TC].wire_len = skb->wire_len;
	if (data + 21 <= end)
		((unsigned char *)data)[20] = 0xab;
	skb->mark = 77;
	skb->cb[1] = 9;
	return 3;
}

SEC("cgroup_skb/ingress")
int cg_prog(struct __sk_buff *skb)
{
	see_skb(PO_CGROUP_SKB, skb, 1);
	return 1;
}

SEC("socket")
int sock_prog(struct __sk_buff *skb)
{
	unsigned char buf[16] = {};
	unsigned int len = load_len;

	see_skb(PO_SOCKET, skb, 0);
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (len < 1)
		len = 1;
	obs[PO_SOCKET].load_ret = bpf_skb_load_bytes(skb, load_off, buf, len);
	__builtin_memcpy(obs[PO_SOCKET].first, buf, 16);
	return 5;
}

SEC("xdp")
int xdp_prog(struct xdp_md *x)
{
	void *data = (void *)(long)x->data;
	void *end = (void *)(long)x->data_end;
	void *meta = (void *)(long)x->data_meta;

	obs[PO_XDP].data_len = end - data;
	obs[PO_XDP].meta_len = data - meta;
	obs[PO_XDP].ingress_ifindex = x->ingress_ifindex;
	obs[PO_XDP].rxq = x->rx_queue_index;
	if (data + 16 <= end)
		__builtin_memcpy(obs[PO_XDP].first, data, 16);
	if (data + 21 <= end)
		((unsigned char *)data)[20] = 0xcd;
	return 2;
}

int adjust_op, adjust_off;

/* One bpf_xdp_adjust_* call, then what the program sees. */
SEC("xdp")
int xdp_adjust(struct xdp_md *x)
{
	struct pkt_obs *o = &obs[PO_XDP_ADJUST];
	void *data, *end, *meta;

	if (adjust_op == PA_HEAD)
		o->load_ret = bpf_xdp_adjust_head(x, adjust_off);
	else if (adjust_op == PA_META)
		o->load_ret = bpf_xdp_adjust_meta(x, adjust_off);
	else
		o->load_ret = bpf_xdp_adjust_tail(x, adjust_off);
	data = (void *)(long)x->data;
	end = (void *)(long)x->data_end;
	meta = (void *)(long)x->data_meta;
	o->data_len = end - data;
	o->meta_len = data - meta;
	if (data + 16 <= end)
		__builtin_memcpy(o->first, data, 16);
	return 2;
}

int op, op_ret;
unsigned long long op_a[4];
unsigned char op_buf[128];

static __always_inline long tc_helper(struct __sk_buff *skb)
{
	switch (op) {
	case PT_STORE:
		return bpf_skb_store_bytes(skb, op_a[0], op_buf, ((op_a[1] - 1) & 15) + 1, op_a[2]);
	case PT_L3:
		return bpf_l3_csum_replace(skb, op_a[0], op_a[1], op_a[2], op_a[3]);
	case PT_L4:
		return bpf_l4_csum_replace(skb, op_a[0], op_a[1], op_a[2], op_a[3]);
	case PT_DIFF:
		return bpf_csum_diff((void *)op_buf, op_a[0] & 60, (void *)(op_buf + 64),
				     op_a[1] & 60, op_a[2]);
	case PT_REDIRECT:
		return bpf_redirect(op_a[0], op_a[1]);
	case PT_REL:
		return bpf_skb_load_bytes_relative(skb, op_a[0], op_buf, ((op_a[1] - 1) & 15) + 1,
						   op_a[2]);
	default:
		return bpf_skb_pull_data(skb, op_a[0]);
	}
}

/* One tc helper call; the program returns what a tc program would. */
SEC("tc")
int tc_op(struct __sk_buff *skb)
{
	long r = tc_helper(skb);

	op_ret = r;
	return op == PT_REDIRECT ? r : 0;
}

SEC("xdp")
int xdp_op(struct xdp_md *x)
{
	long r;

	if (op == PT_DIFF)
		r = bpf_csum_diff((void *)op_buf, op_a[0] & 60, (void *)(op_buf + 64),
				  op_a[1] & 60, op_a[2]);
	else if (op == PT_XLOAD)
		r = bpf_xdp_load_bytes(x, op_a[0], op_buf, ((op_a[1] - 1) & 63) + 1);
	else if (op == PT_XSTORE)
		r = bpf_xdp_store_bytes(x, op_a[0], op_buf, ((op_a[1] - 1) & 63) + 1);
	else if (op == PT_XLEN)
		r = bpf_xdp_get_buff_len(x);
	else
		r = bpf_redirect(op_a[0], op_a[1]);
	op_ret = r;
	return op == PT_REDIRECT ? r : 2;
}

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_from_xdp(struct xdp_md *xdp, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer,
			      __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *ptr, __u32 offset, void *buffer,
				   __u32 buffer__szk) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *ptr) __ksym;

int dyn_op;
unsigned long long dyn_a[2];
/* [0] from_* result, [1] size, [2] the op's result (a slice: 0 NULL,
 * 1 the packet itself, 2 the buffer), [3] 8 bytes read */
long long dyn_r[4];

static __always_inline int dyn_use(struct bpf_dynptr *d, int ret, int rdwr)
{
	unsigned char buf[8] = {};
	unsigned char *s;

	dyn_r[0] = ret;
	dyn_r[1] = bpf_dynptr_size(d);
	switch (dyn_op) {
	case PD_SLICE:
		s = bpf_dynptr_slice(d, dyn_a[1], buf, 8);
		dyn_r[2] = !s ? 0 : s == buf ? 2 : 1;
		if (s)
			__builtin_memcpy(&dyn_r[3], s, 8);
		break;
	case PD_READ:
		dyn_r[2] = bpf_dynptr_read(buf, 8, d, dyn_a[1], 0);
		__builtin_memcpy(&dyn_r[3], buf, 8);
		break;
	case PD_WRITE:
		dyn_r[2] = bpf_dynptr_write(d, dyn_a[1], op_buf, 8, 0);
		break;
	case PD_DATA:
		dyn_r[2] = bpf_dynptr_data(d, dyn_a[1], 8) ? 1 : 0;
		break;
	default:
		if (!rdwr)
			break;
		s = bpf_dynptr_slice_rdwr(d, dyn_a[1], buf, 8);
		dyn_r[2] = !s ? 0 : s == buf ? 2 : 1;
		if (s)
			s[0] = 0x77;
		break;
	}
	return 0;
}

SEC("tc")
int dyn_tc(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	return dyn_use(&d, bpf_dynptr_from_skb(skb, dyn_a[0], &d), 1);
}

SEC("xdp")
int dyn_xdp(struct xdp_md *x)
{
	struct bpf_dynptr d;

	dyn_use(&d, bpf_dynptr_from_xdp(x, dyn_a[0], &d), 1);
	return 2;
}

SEC("socket")
int dyn_sock(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	return dyn_use(&d, bpf_dynptr_from_skb(skb, dyn_a[0], &d), 0);
}

SEC("lwt_in")
int lwt_prog(struct __sk_buff *skb)
{
	see_skb(PO_LWT_IN, skb, 1);
	return 0;
}

char _license[] SEC("license") = "GPL";
