// SPDX-License-Identifier: MIT
/*
 * Conformance driver for packet test runs: bpf_prog_test_run_opts with
 * data_in on tc, cgroup_skb, socket filter, lwt_in and XDP programs.  Each
 * case records the run's return code, retval, data_size_out, the first
 * bytes of data_out and ctx_out's fields where a context was given, then
 * what the program saw (progs/packets.bpf.c).
 */
#define CONF_FAMILY "packets"
#include "harness.h"
#include "packets.h"
#include "packets.skel.h"

#include <linux/bpf.h>

static struct packets *sk;

static const char *hex(const unsigned char *b, int n)
{
	static char s[4][80];	/* four per record at most */
	static int k;
	char *o = s[k++ % 4];
	int i;

	for (i = 0; i < n; i++)
		sprintf(o + 2 * i, "%02x", b[i]);
	return o;
}

static void seen(const char *name, int i)
{
	struct pkt_obs *o = &sk->bss->obs[i];
	char c[96];

	snprintf(c, sizeof(c), "%s.seen", name);
	CONF_REC(c, "data_len=%lld meta_len=%lld len=%u protocol=0x%x pkt_type=%u ifindex=%u iif=%u mark=%u wire_len=%u rxq=%u first=%s load=%s",
		 o->data_len, o->meta_len, o->len, o->protocol, o->pkt_type, o->ifindex,
		 o->ingress_ifindex, o->mark, o->wire_len, o->rxq, hex(o->first, 16),
		 conf_rc(o->load_ret));
	memset(o, 0, sizeof(*o));
}

struct run {
	const unsigned char *dst;	/* destination MAC, else 00:..:00 */
	unsigned short proto;		/* ethertype, else IPv4 */
	unsigned int out_size;		/* data_size_out, else the buffer */
	struct __sk_buff *skb;		/* ctx_in = ctx_out */
	struct xdp_md *xdp;
	unsigned int ctx_size_in;	/* else sizeof the context */
	unsigned int flags;
};

static void run(const char *name, struct bpf_program *prog, int idx, unsigned int size,
		const struct run *r)
{
	static unsigned char pkt[3520 + 18 * 4096], out[8192];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = size, .data_out = out,
		    .data_size_out = r && r->out_size ? r->out_size : sizeof(out));
	int err;

	memset(pkt, 0x11, sizeof(pkt));
	memset(pkt, 0, 6);
	if (r && r->dst)
		memcpy(pkt, r->dst, 6);
	pkt[12] = r && r->proto ? r->proto >> 8 : 0x08;
	pkt[13] = r && r->proto ? r->proto & 0xff : 0x00;
	memset(out, 0xee, sizeof(out));
	if (r && r->skb) {
		o.ctx_in = r->skb;
		o.ctx_size_in = r->ctx_size_in ? r->ctx_size_in : sizeof(*r->skb);
		o.ctx_out = r->skb;
		o.ctx_size_out = sizeof(*r->skb);
	}
	if (r && r->xdp) {
		o.ctx_in = r->xdp;
		o.ctx_size_in = sizeof(*r->xdp);
		o.ctx_out = r->xdp;
		o.ctx_size_out = sizeof(*r->xdp);
	}
	if (r)
		o.flags = r->flags;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
	if (err)
		err = -errno;
	if (r && r->skb && !err)
		CONF_REC(name, "ret=0 retval=%u size_out=%u out=%s ctx.mark=%u ctx.ifindex=%u ctx.iif=%u ctx.wire_len=%u ctx.cb1=%u",
			 o.retval, o.data_size_out, hex(out, 24), r->skb->mark, r->skb->ifindex,
			 r->skb->ingress_ifindex, r->skb->wire_len, r->skb->cb[1]);
	else if (r && r->xdp && !err)
		CONF_REC(name, "ret=0 retval=%u size_out=%u out=%s ctx.data=%u ctx.data_end=%u",
			 o.retval, o.data_size_out, hex(out, 24), r->xdp->data, r->xdp->data_end);
	else
		CONF_REC(name, "ret=%s retval=%u size_out=%u out=%s", conf_rc(err), o.retval,
			 o.data_size_out, hex(out, 24));
	if (!err || err == -ENOSPC)
		seen(name, idx);
}

/* tc (or cgroup_skb) runs on 60 bytes with a context */
static const struct {
	const char *name;
	struct __sk_buff c;
	unsigned int tail;	/* a non-zero word past the context */
	int cgroup;
} skb_cases[] = {
	{ "tc_ctx", { .mark = 5, .priority = 6, .ingress_ifindex = 1 } },
	{ "tc_ctx_wire_len", { .wire_len = 10000 } },
	{ "tc_ctx_wire_len_short", { .wire_len = 59 } },
	{ "tc_ctx_wire_len_huge", { .wire_len = 70000 } },
	{ "tc_ctx_len_set", { .len = 5 } },
	{ "tc_ctx_tc_index_set", { .tc_index = 1 } },
	{ "tc_ctx_ifindex_absent", { .ifindex = 999 } },
	{ "tc_ctx_gso_segs_huge", { .gso_segs = 70000 } },
	{ "tc_ctx_nonzero_tail", { .mark = 1 }, 1 },
	{ "cgroup_skb_ctx", { .mark = 3 }, 0, 1 },
};

/* XDP runs with a context */
static const struct {
	const char *name;
	struct xdp_md c;
	unsigned int size;
} xdp_cases[] = {
	{ "xdp_ctx", { .data_end = 60 }, 60 },
	{ "xdp_ctx_meta_8", { .data = 8, .data_end = 60 }, 60 },
	{ "xdp_ctx_meta_6", { .data = 6, .data_end = 60 }, 60 },
	{ "xdp_ctx_meta_36", { .data = 36, .data_end = 60 }, 60 },
	{ "xdp_ctx_meta_216", { .data = 216, .data_end = 300 }, 300 },
	{ "xdp_ctx_meta_220", { .data = 220, .data_end = 300 }, 300 },
	{ "xdp_ctx_data_end_50", { .data_end = 50 }, 60 },
	{ "xdp_ctx_meta_8_data_end_50", { .data = 8, .data_end = 50 }, 60 },
	{ "xdp_ctx_data_end_past", { .data_end = 61 }, 60 },
	{ "xdp_ctx_meta_32_size_4000", { .data = 32, .data_end = 4000 }, 4000 },
	{ "xdp_ctx_egress", { .data_end = 60, .egress_ifindex = 1 }, 60 },
	{ "xdp_ctx_rxq_no_iif", { .data_end = 60, .rx_queue_index = 1 }, 60 },
	{ "xdp_ctx_rxq_1", { .data_end = 60, .ingress_ifindex = 1, .rx_queue_index = 1 }, 60 },
	{ "xdp_ctx_iif_absent", { .data_end = 60, .ingress_ifindex = 999 }, 60 },
};

/* bpf_xdp_adjust_*: the kernel's bounds (the xdp_frame at the buffer's
 * start, an Ethernet header, the shared info, fragment pages) */
static const struct {
	const char *name;
	int op, off;
	unsigned int meta, size;
} adjust_cases[] = {
	{ "head_m300", PA_HEAD, -300, 0, 60 },
	{ "head_m217", PA_HEAD, -217, 0, 60 },
	{ "head_m216", PA_HEAD, -216, 0, 60 },
	{ "head_m14", PA_HEAD, -14, 0, 60 },
	{ "head_p46", PA_HEAD, 46, 0, 60 },
	{ "head_p47", PA_HEAD, 47, 0, 60 },
	{ "head_meta8_m8", PA_HEAD, -8, 8, 60 },
	{ "head_meta8_m208", PA_HEAD, -208, 8, 60 },
	{ "head_meta8_m209", PA_HEAD, -209, 8, 60 },
	{ "head_frags_m8", PA_HEAD, -8, 0, 4000 },
	{ "meta_m4", PA_META, -4, 0, 60 },
	{ "meta_m36", PA_META, -36, 0, 60 },
	{ "meta_m216", PA_META, -216, 0, 60 },
	{ "meta_m217", PA_META, -217, 0, 60 },
	{ "meta_p4", PA_META, 4, 0, 60 },
	{ "meta_m3", PA_META, -3, 0, 60 },
	{ "meta_m2", PA_META, -2, 0, 60 },
	{ "meta_meta8_p4", PA_META, 4, 8, 60 },
	{ "meta_meta8_p8", PA_META, 8, 8, 60 },
	{ "meta_meta8_p12", PA_META, 12, 8, 60 },
	{ "tail_p10", PA_TAIL, 10, 0, 60 },
	{ "tail_m46", PA_TAIL, -46, 0, 60 },
	{ "tail_m47", PA_TAIL, -47, 0, 60 },
	{ "tail_p3460", PA_TAIL, 3460, 0, 60 },
	{ "tail_p3461", PA_TAIL, 3461, 0, 60 },
	{ "tail_frags_m10", PA_TAIL, -10, 0, 4000 },
	{ "tail_frags_p3616", PA_TAIL, 3616, 0, 4000 },
	{ "tail_frags_p3617", PA_TAIL, 3617, 0, 4000 },
	{ "tail_frags_m600", PA_TAIL, -600, 0, 4000 },
	{ "tail_frags_m3986", PA_TAIL, -3986, 0, 4000 },
	{ "tail_frags_m3987", PA_TAIL, -3987, 0, 4000 },
	{ "tail_frags2_m5000", PA_TAIL, -5000, 0, 8000 },
	{ "tail_frags2_p100", PA_TAIL, 100, 0, 8000 },
};

/*
 * One helper call by tc_op or xdp_op on an IPv4/UDP packet whose checksums
 * are valid: the call's result, the program's return value and the bytes
 * 14..47 (IP header, UDP header) of data_out.
 */
static void run_op_sized(const char *name, struct bpf_program *prog, unsigned int size, int op,
			 unsigned long long a0, unsigned long long a1, unsigned long long a2,
			 unsigned long long a3);

static void run_op(const char *name, struct bpf_program *prog, int op, unsigned long long a0,
		   unsigned long long a1, unsigned long long a2, unsigned long long a3)
{
	run_op_sized(name, prog, 60, op, a0, a1, a2, a3);
}

static void run_op_sized(const char *name, struct bpf_program *prog, unsigned int size, int op,
			 unsigned long long a0, unsigned long long a1, unsigned long long a2,
			 unsigned long long a3)
{
	static const unsigned char ipudp[48] = {
		[12] = 0x08, [13] = 0x00,
		/* IPv4: 20 bytes, total 46, TTL 64, UDP, 10.0.0.1 -> 10.0.0.2 */
		[14] = 0x45, [17] = 46, [22] = 64, [23] = 17,
		[24] = 0x26, [25] = 0xb8,			/* header checksum */
		[26] = 10, [29] = 1, [30] = 10, [33] = 2,
		/* UDP 1234 -> 53, length 26 */
		[34] = 0x04, [35] = 0xd2, [36] = 0x00, [37] = 53, [39] = 26,
		[40] = 0x12, [41] = 0x34,			/* UDP checksum */
	};
	static unsigned char pkt[8192], out[8192];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = size,
		    .data_out = out, .data_size_out = sizeof(out));
	int err, i;

	for (i = 0; i < (int)sizeof(pkt); i++)
		pkt[i] = (unsigned char)(i * 7);
	memset(pkt, 0, 60);
	memcpy(pkt, ipudp, sizeof(ipudp));
	memset(out, 0xee, sizeof(out));
	for (i = 0; i < 128; i++)
		sk->bss->op_buf[i] = (unsigned char)(i * 37 + 11);
	sk->bss->op = op;
	sk->bss->op_a[0] = a0;
	sk->bss->op_a[1] = a1;
	sk->bss->op_a[2] = a2;
	sk->bss->op_a[3] = a3;
	sk->bss->op_ret = -999;
	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);
	if (err)
		err = -errno;
	CONF_REC(name, "ret=%s op_ret=%s retval=%u out14=%s buf=%s size_out=%u tail=%s", conf_rc(err),
		 conf_rc(sk->bss->op_ret), o.retval, err ? "-" : hex(out + 14, 34),
		 hex(sk->bss->op_buf, 16), o.data_size_out,
		 err || o.data_size_out < 8 ? "-" : hex(out + o.data_size_out - 8, 8));
}

int main(void)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const unsigned char mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const unsigned char other[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	static const unsigned int sizes[] = { 13, 14, 33, 34, 60, 3520, 3521, 3712, 3713, 4096 };
	struct { const char *name; struct bpf_program *prog; int idx; } progs[5];
	char name[64];
	size_t s;
	int p;

	conf_setup();
	sk = packets__open_and_load();
	if (!sk) {
		CONF_FAIL("load", "packets__open_and_load");
		return 1;
	}
	progs[0] = (typeof(progs[0])){ "tc", sk->progs.tc_prog, PO_TC };
	progs[1] = (typeof(progs[0])){ "cgroup_skb", sk->progs.cg_prog, PO_CGROUP_SKB };
	progs[2] = (typeof(progs[0])){ "socket", sk->progs.sock_prog, PO_SOCKET };
	progs[3] = (typeof(progs[0])){ "xdp", sk->progs.xdp_prog, PO_XDP };
	progs[4] = (typeof(progs[0])){ "lwt_in", sk->progs.lwt_prog, PO_LWT_IN };

	/* sizes: the minimum, the linear limits, XDP's fragments */
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (p = 0; p < (int)(sizeof(progs) / sizeof(progs[0])); p++) {
			snprintf(name, sizeof(name), "%s_size_%u", progs[p].name, sizes[s]);
			run(name, progs[p].prog, progs[p].idx, sizes[s], NULL);
		}

	/* the network header an IPv6 packet must hold; other ethertypes,
	 * 802.3 and 802.2 frames (a type below 0x600) */
	run("tc_ipv6_53", sk->progs.tc_prog, PO_TC, 53, &(struct run){ .proto = 0x86dd });
	run("tc_ipv6_54", sk->progs.tc_prog, PO_TC, 54, &(struct run){ .proto = 0x86dd });
	run("tc_arp_14", sk->progs.tc_prog, PO_TC, 14, &(struct run){ .proto = 0x0806 });
	run("tc_llc_60", sk->progs.tc_prog, PO_TC, 60, &(struct run){ .proto = 0x0001 });
	run("cgroup_skb_arp_14", sk->progs.cg_prog, PO_CGROUP_SKB, 14,
	    &(struct run){ .proto = 0x0806 });
	run("xdp_frags_max", sk->progs.xdp_prog, PO_XDP, 3520 + 17 * 4096, NULL);
	run("xdp_frags_too_many", sk->progs.xdp_prog, PO_XDP, 3520 + 17 * 4096 + 1, NULL);

	/* eth_type_trans's packet types on the loopback device */
	run("tc_dst_broadcast", sk->progs.tc_prog, PO_TC, 60, &(struct run){ .dst = bcast });
	run("tc_dst_multicast", sk->progs.tc_prog, PO_TC, 60, &(struct run){ .dst = mcast });
	run("tc_dst_other", sk->progs.tc_prog, PO_TC, 60, &(struct run){ .dst = other });

	/* a short data_out: what fits, the full size, -ENOSPC */
	run("tc_out_short", sk->progs.tc_prog, PO_TC, 60, &(struct run){ .out_size = 20 });
	run("xdp_out_short", sk->progs.xdp_prog, PO_XDP, 60, &(struct run){ .out_size = 20 });

	/* a context: the fields it may set, and what comes back */
	for (s = 0; s < sizeof(skb_cases) / sizeof(skb_cases[0]); s++) {
		struct { struct __sk_buff c; unsigned int tail; } in = { skb_cases[s].c, skb_cases[s].tail };

		run(skb_cases[s].name, skb_cases[s].cgroup ? sk->progs.cg_prog : sk->progs.tc_prog,
		    skb_cases[s].cgroup ? PO_CGROUP_SKB : PO_TC, 60,
		    &(struct run){ .skb = &in.c,
				   .ctx_size_in = skb_cases[s].tail ? sizeof(in) : 0 });
	}
	run("tc_flags", sk->progs.tc_prog, PO_TC, 60, &(struct run){ .flags = 1 });

	/* XDP contexts */
	for (s = 0; s < sizeof(xdp_cases) / sizeof(xdp_cases[0]); s++) {
		struct xdp_md c = xdp_cases[s].c;

		run(xdp_cases[s].name, sk->progs.xdp_prog, PO_XDP, xdp_cases[s].size,
		    &(struct run){ .xdp = &c });
	}
	run("xdp_flags_unknown", sk->progs.xdp_prog, PO_XDP, 60, &(struct run){ .flags = 4 });

	for (s = 0; s < sizeof(adjust_cases) / sizeof(adjust_cases[0]); s++) {
		struct xdp_md c = { .data = adjust_cases[s].meta, .data_end = adjust_cases[s].size };

		sk->bss->adjust_op = adjust_cases[s].op;
		sk->bss->adjust_off = adjust_cases[s].off;
		snprintf(name, sizeof(name), "xdp_adjust_%s", adjust_cases[s].name);
		run(name, sk->progs.xdp_adjust, PO_XDP_ADJUST, adjust_cases[s].size,
		    adjust_cases[s].meta ? &(struct run){ .xdp = &c } : NULL);
	}

	/* tc's packet-writing helpers, bpf_csum_diff, bpf_redirect */
	run_op("tc_store_0_6", sk->progs.tc_op, PT_STORE, 0, 6, 0, 0);
	run_op("tc_store_54_6", sk->progs.tc_op, PT_STORE, 54, 6, 0, 0);
	run_op("tc_store_55_6", sk->progs.tc_op, PT_STORE, 55, 6, 0, 0);
	run_op("tc_store_flags_3", sk->progs.tc_op, PT_STORE, 30, 4, 3, 0);
	run_op("tc_store_flags_4", sk->progs.tc_op, PT_STORE, 30, 4, 4, 0);
	run_op("tc_store_off_huge", sk->progs.tc_op, PT_STORE, 0x80000000ull, 4, 0, 0);
	/* 10.0.0.2 -> 10.0.0.9 in the IP checksum, as NAT would */
	run_op("tc_l3_4", sk->progs.tc_op, PT_L3, 24, 0x0200000aull, 0x0900000aull, 4);
	run_op("tc_l3_2", sk->progs.tc_op, PT_L3, 24, 0x0040, 0x0041, 2);
	run_op("tc_l3_diff", sk->progs.tc_op, PT_L3, 24, 0, 0x00070000ull, 0);
	run_op("tc_l3_diff_from", sk->progs.tc_op, PT_L3, 24, 1, 7, 0);
	run_op("tc_l3_size_3", sk->progs.tc_op, PT_L3, 24, 1, 7, 3);
	run_op("tc_l3_flags", sk->progs.tc_op, PT_L3, 24, 1, 7, 0x14);
	run_op("tc_l3_odd", sk->progs.tc_op, PT_L3, 25, 1, 7, 2);
	run_op("tc_l3_past", sk->progs.tc_op, PT_L3, 58, 1, 7, 2);
	run_op("tc_l3_last", sk->progs.tc_op, PT_L3, 58 - 2, 1, 7, 2);
	run_op("tc_l3_off_huge", sk->progs.tc_op, PT_L3, 0x10000, 1, 7, 2);
	run_op("tc_l4_4_pseudo", sk->progs.tc_op, PT_L4, 40, 0x0200000aull, 0x0900000aull, 0x14);
	run_op("tc_l4_2", sk->progs.tc_op, PT_L4, 40, 0x3500, 0x3600, 2);
	run_op("tc_l4_mangled0", sk->progs.tc_op, PT_L4, 40, 0x3412, 0, 0x22);
	run_op("tc_l4_mangled0_zero", sk->progs.tc_op, PT_L4, 44, 5, 6, 0x22);
	run_op("tc_l4_mangled0_enforce", sk->progs.tc_op, PT_L4, 44, 5, 6, 0x62);
	run_op("tc_l4_ipv6_flag", sk->progs.tc_op, PT_L4, 40, 0x3500, 0x3600, 0x82);
	run_op("tc_l4_flags_bad", sk->progs.tc_op, PT_L4, 40, 0x3500, 0x3600, 0x102);
	run_op("tc_diff_4_4", sk->progs.tc_op, PT_DIFF, 4, 4, 0, 0);
	run_op("tc_diff_0_8_seed", sk->progs.tc_op, PT_DIFF, 0, 8, 0x12345678, 0);
	run_op("tc_diff_60_60", sk->progs.tc_op, PT_DIFF, 60, 60, 0xffffffffull, 0);
	run_op("tc_diff_2_4", sk->progs.tc_op, PT_DIFF, 2, 4, 0, 0);
	run_op("tc_diff_0_0", sk->progs.tc_op, PT_DIFF, 0, 0, 77, 0);
	run_op("tc_redirect", sk->progs.tc_op, PT_REDIRECT, 1, 0, 0, 0);
	run_op("tc_redirect_ingress", sk->progs.tc_op, PT_REDIRECT, 5, 1, 0, 0);
	run_op("tc_redirect_flags", sk->progs.tc_op, PT_REDIRECT, 1, 2, 0, 0);
	run_op("tc_pull_10", sk->progs.tc_op, PT_PULL, 10, 0, 0, 0);
	run_op("tc_pull_0", sk->progs.tc_op, PT_PULL, 0, 0, 0, 0);
	run_op("tc_pull_60", sk->progs.tc_op, PT_PULL, 60, 0, 0, 0);
	run_op("tc_pull_61", sk->progs.tc_op, PT_PULL, 61, 0, 0, 0);
	run_op("tc_rel_mac_0_8", sk->progs.tc_op, PT_REL, 0, 8, 0, 0);
	run_op("tc_rel_net_0_8", sk->progs.tc_op, PT_REL, 0, 8, 1, 0);
	run_op("tc_rel_net_38_8", sk->progs.tc_op, PT_REL, 38, 8, 1, 0);
	run_op("tc_rel_net_39_8", sk->progs.tc_op, PT_REL, 39, 8, 1, 0);
	run_op("tc_rel_start_2", sk->progs.tc_op, PT_REL, 0, 8, 2, 0);
	run_op("tc_rel_off_huge", sk->progs.tc_op, PT_REL, 0x10000, 8, 0, 0);
	run_op_sized("xdp_len_60", sk->progs.xdp_op, 60, PT_XLEN, 0, 0, 0, 0);
	run_op_sized("xdp_len_4000", sk->progs.xdp_op, 4000, PT_XLEN, 0, 0, 0, 0);
	run_op_sized("xdp_load_0_16", sk->progs.xdp_op, 60, PT_XLOAD, 0, 16, 0, 0);
	run_op_sized("xdp_load_44_16", sk->progs.xdp_op, 60, PT_XLOAD, 44, 16, 0, 0);
	run_op_sized("xdp_load_45_16", sk->progs.xdp_op, 60, PT_XLOAD, 45, 16, 0, 0);
	run_op_sized("xdp_load_span", sk->progs.xdp_op, 4000, PT_XLOAD, 3510, 20, 0, 0);
	run_op_sized("xdp_load_frag", sk->progs.xdp_op, 4000, PT_XLOAD, 3984, 16, 0, 0);
	run_op_sized("xdp_load_past", sk->progs.xdp_op, 4000, PT_XLOAD, 3985, 16, 0, 0);
	run_op_sized("xdp_load_off_huge", sk->progs.xdp_op, 60, PT_XLOAD, 0x10000, 4, 0, 0);
	run_op_sized("xdp_store_span", sk->progs.xdp_op, 4000, PT_XSTORE, 3510, 20, 0, 0);
	run_op_sized("xdp_store_tail", sk->progs.xdp_op, 4000, PT_XSTORE, 3992, 8, 0, 0);
	run_op_sized("xdp_store_past", sk->progs.xdp_op, 60, PT_XSTORE, 50, 16, 0, 0);
	run_op("xdp_diff_8_8", sk->progs.xdp_op, PT_DIFF, 8, 8, 5, 0);
	run_op("xdp_redirect", sk->progs.xdp_op, PT_REDIRECT, 1, 0, 0, 0);
	run_op("xdp_redirect_flags", sk->progs.xdp_op, PT_REDIRECT, 1, 1, 0, 0);

	/* dynptrs over the packet: bpf_dynptr_from_skb / _from_xdp, slices */
	{
		static const struct {
			const char *name;
			int prog;	/* 0 tc, 1 xdp, 2 socket */
			int op;
			unsigned long long flags, off;
			unsigned int size;
		} dc[] = {
			{ "tc_slice_0", 0, PD_SLICE, 0, 0, 60 },
			{ "tc_slice_52", 0, PD_SLICE, 0, 52, 60 },
			{ "tc_slice_53", 0, PD_SLICE, 0, 53, 60 },
			{ "tc_from_flags", 0, PD_SLICE, 1, 0, 60 },
			{ "tc_read_20", 0, PD_READ, 0, 20, 60 },
			{ "tc_read_53", 0, PD_READ, 0, 53, 60 },
			{ "tc_write_20", 0, PD_WRITE, 0, 20, 60 },
			{ "tc_write_53", 0, PD_WRITE, 0, 53, 60 },
			{ "tc_data_0", 0, PD_DATA, 0, 0, 60 },
			{ "tc_slice_rdwr_20", 0, PD_SLICE_RDWR, 0, 20, 60 },
			{ "sock_slice_0", 2, PD_SLICE, 0, 0, 60 },
			{ "sock_read_0", 2, PD_READ, 0, 0, 60 },
			{ "sock_write_0", 2, PD_WRITE, 0, 0, 60 },
			{ "xdp_slice_0", 1, PD_SLICE, 0, 0, 60 },
			{ "xdp_slice_span", 1, PD_SLICE, 0, 3516, 4000 },
			{ "xdp_slice_frag", 1, PD_SLICE, 0, 3600, 4000 },
			{ "xdp_read_span", 1, PD_READ, 0, 3516, 4000 },
			{ "xdp_write_span", 1, PD_WRITE, 0, 3516, 4000 },
			{ "xdp_data_0", 1, PD_DATA, 0, 0, 60 },
			{ "xdp_slice_rdwr_span", 1, PD_SLICE_RDWR, 0, 3516, 4000 },
			{ "xdp_from_flags", 1, PD_SLICE, 2, 0, 60 },
		};
		struct bpf_program *dp[3] = { sk->progs.dyn_tc, sk->progs.dyn_xdp,
					      sk->progs.dyn_sock };

		for (s = 0; s < sizeof(dc) / sizeof(dc[0]); s++) {
			long long *r = sk->bss->dyn_r;

			sk->bss->dyn_op = dc[s].op;
			sk->bss->dyn_a[0] = dc[s].flags;
			sk->bss->dyn_a[1] = dc[s].off;
			memset(r, 0x55, 4 * sizeof(*r));
			snprintf(name, sizeof(name), "dyn_%s", dc[s].name);
			run_op_sized(name, dp[dc[s].prog], dc[s].size, -1, 0, 0, 0, 0);
			snprintf(name, sizeof(name), "dyn_%s.r", dc[s].name);
			CONF_REC(name, "from=%s size=%lld res=%s bytes=%s", conf_rc((long)r[0]), r[1],
				 conf_rc((long)r[2]), hex((unsigned char *)&r[3], 8));
		}
	}

	/* bpf_skb_load_bytes from the network header: in range, past the
	 * end, an offset past INT_MAX */
	{
		static const unsigned int offs[][2] = {
			{ 0, 16 }, { 30, 16 }, { 31, 16 }, { 45, 1 }, { 46, 1 },
			{ 0x80000000u, 1 },
		};

		for (s = 0; s < sizeof(offs) / sizeof(offs[0]); s++) {
			sk->bss->load_off = offs[s][0];
			sk->data->load_len = offs[s][1];
			snprintf(name, sizeof(name), "socket_load_%u_%u", offs[s][0], offs[s][1]);
			run(name, sk->progs.sock_prog, PO_SOCKET, 60, NULL);
		}
	}
	packets__destroy(sk);
	return conf_failures ? 1 : 0;
}
