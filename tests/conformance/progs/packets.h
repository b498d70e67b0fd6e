/* SPDX-License-Identifier: MIT */
/* Shared between progs/packets.bpf.c and drivers/packets.c: plain C only. */
#ifndef CONF_PACKETS_H
#define CONF_PACKETS_H

/* What a program saw of its context and packet (one per program). */
struct pkt_obs {
	long long data_len;	/* data_end - data; -1: no direct access */
	long long meta_len;	/* data - data_meta (XDP) */
	unsigned int len, protocol, pkt_type, ifindex, ingress_ifindex, mark, wire_len, rxq;
	unsigned char first[16];	/* the first bytes the program sees */
	int load_ret;		/* bpf_skb_load_bytes(load_off, load_len) */
};

#define PO_TC		0
#define PO_CGROUP_SKB	1
#define PO_SOCKET	2
#define PO_XDP		3
#define PO_LWT_IN	4
#define PO_XDP_ADJUST	5	/* xdp_adjust: load_ret is the helper's */
#define PO_N		6

/* tc_op / xdp_op: one helper call on the packet, op_ret its result */
#define PT_STORE	0	/* bpf_skb_store_bytes(off = a0, op_buf, len = a1 (1..16), flags = a2) */
#define PT_L3		1	/* bpf_l3_csum_replace(off = a0, from = a1, to = a2, flags = a3) */
#define PT_L4		2	/* bpf_l4_csum_replace(off = a0, from = a1, to = a2, flags = a3) */
#define PT_DIFF		3	/* bpf_csum_diff(op_buf, a0, op_buf + 64, a1, seed = a2) */
#define PT_REDIRECT	4	/* bpf_redirect(a0, a1) */
#define PT_PULL		5	/* bpf_skb_pull_data(a0) */
#define PT_REL		6	/* bpf_skb_load_bytes_relative(a0, op_buf, a1 (1..16), a2) */
#define PT_XLOAD	7	/* xdp_op: bpf_xdp_load_bytes(a0, op_buf, a1 (1..64)) */
#define PT_XSTORE	8	/* xdp_op: bpf_xdp_store_bytes(a0, op_buf, a1 (1..64)) */
#define PT_XLEN		9	/* xdp_op: bpf_xdp_get_buff_len() */

/* dyn_tc / dyn_xdp / dyn_sock: a dynptr over the packet; dyn_op picks
 * what is done with it, dyn_r[] what came back */
#define PD_SLICE	0	/* from_*(flags a0); size; slice(a1, buf, 8) */
#define PD_READ		1	/* dynptr_read(buf, 8, a1) */
#define PD_WRITE	2	/* dynptr_write(a1, op_buf, 8) */
#define PD_DATA		3	/* dynptr_data(a1, 8) */
#define PD_SLICE_RDWR	4	/* slice_rdwr(a1, buf, 8), written through */

/* xdp_adjust's adjust_op */
#define PA_HEAD		0
#define PA_META		1
#define PA_TAIL		2

#endif
