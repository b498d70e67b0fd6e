/* SPDX-License-Identifier: MIT */
/*
 * Packets for bpf_prog_test_run_opts on the socket-buffer program types
 * (socket filter, tc, cgroup_skb, lwt) and XDP: the kernel's
 * bpf_prog_test_run_skb / _xdp (net/bpf/test_run.c) as 6.18 runs them on
 * x86-64, measured:
 *
 *   skb types  14..3712 bytes (4096 - NET_SKB_PAD 64 - the shared info's
 *              320), and an IPv4 or IPv6 packet at least its network
 *              header (34 or 54 bytes), else -EINVAL.  tc sees the packet from its Ethernet
 *              header; the others from the network header, 14 bytes on,
 *              and get those 14 bytes back zeroed in data_out.  The
 *              context: len, protocol and pkt_type as eth_type_trans()
 *              sets them on the loopback device (ifindex 1), and what
 *              ctx_in may set (mark, priority, ingress_ifindex, ifindex,
 *              cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp; any
 *              other non-zero byte is -EINVAL).
 *   XDP        at least 14 bytes; at most 3520 (4096 - XDP_PACKET_HEADROOM
 *              256 - 320, less any metadata) are in the linear area the
 *              program sees, or fewer if ctx_in's data_end says so; the
 *              rest, up to 17 pages, are fragments it cannot reach
 *              directly but that data_out returns.  Metadata (ctx_in's
 *              data): 4-byte words, at most 216 bytes.  ingress_ifindex 1,
 *              rx queue 0.
 *
 * The IP header of an Ethernet packet is 4-byte aligned (2 bytes more
 * headroom than x86-64's, as NET_IP_ALIGN gives most architectures), so
 * natively compiled field reads are aligned ones.
 *
 * Direct packet access: __sk_buff's and xdp_md's data, data_end and
 * data_meta are 32-bit fields that BPF C turns into pointers
 * ((void *)(long)skb->data).  Natively that works only for memory below
 * 4 GiB, so the packet lives in a page mapped there (MAP_32BIT on x86-64
 * Linux, an address hint elsewhere).  Where no such page can be had
 * (macOS keeps the low 4 GiB unmapped) the fields stay 0, the program
 * sees an empty packet, and the run records the diagnostic
 * "packet_not_addressable"; bpf_skb_load_bytes still reads the packet.
 */
#ifndef BPFEMU_EMU_PACKET_H
#define BPFEMU_EMU_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

struct emu_pkt {
	int prog_type;
	bool xdp;
	bool l2;		/* tc: the program sees the Ethernet header */
	uint8_t *page;		/* the packet's buffer (low page or heap) */
	bool low;		/* page is mapped below 4 GiB */
	uint8_t *data;		/* what the program sees: [data, data_end) */
	uint8_t *data_end;
	uint8_t *data_meta;	/* XDP */
	uint32_t size;		/* data_size_in */
	uint8_t *frags;		/* XDP: bytes past the linear area */
	uint32_t frags_size;
	union {
		struct __sk_buff skb;
		struct xdp_md xdp;
	} ctx;			/* what the program gets */
	void *user_ctx;		/* a copy of ctx_in, written back to ctx_out */
	uint32_t user_ctx_size;
	struct emu_pkt *prev;	/* the run this one nests in */
};

/* Does @type take a packet (data_in) in a test run? */
bool emu_pkt_prog_type(int type);

/* Check @opts and build the packet and context, as the kernel does before
 * the run; 0 or -errno (nothing to release then). */
int emu_pkt_prepare(struct emu_pkt *p, int type, const struct bpf_test_run_opts *opts);

/* The packet the running program's context belongs to, NULL outside a
 * packet test run (bpf_skb_load_bytes). */
struct emu_pkt *emu_pkt_current(void);
void emu_pkt_enter(struct emu_pkt *p);
void emu_pkt_leave(struct emu_pkt *p);

/* After the run: data_out, data_size_out, ctx_out as the kernel writes
 * them; 0 or -ENOSPC. */
int emu_pkt_finish(struct emu_pkt *p, struct bpf_test_run_opts *opts);

void emu_pkt_release(struct emu_pkt *p);

/* bpf_xdp_adjust_head / _meta / _tail on the running packet: 0 or the
 * kernel's -errno; the program's xdp_md follows. */
int emu_pkt_xdp_adjust_head(struct emu_pkt *p, int offset);
int emu_pkt_xdp_adjust_meta(struct emu_pkt *p, int offset);
int emu_pkt_xdp_adjust_tail(struct emu_pkt *p, int offset);

/* bpf_xdp_get_buff_len: the linear part and the fragments. */
uint32_t emu_pkt_xdp_len(const struct emu_pkt *p);
/* bpf_xdp_load_bytes (@store false) / _store_bytes: 0 or the kernel's
 * -errno. */
int emu_pkt_xdp_bytes(struct emu_pkt *p, uint32_t offset, void *buf, uint32_t len, bool store);

/* Dynptrs over the packet (bpf_dynptr_from_skb / _from_xdp): their size,
 * whether the program type may write through them, reads and writes, and
 * bpf_dynptr_slice. */
uint32_t emu_pkt_dynptr_size(const struct emu_pkt *p);
bool emu_pkt_dynptr_writable(const struct emu_pkt *p);
int emu_pkt_dynptr_rw(struct emu_pkt *p, uint32_t off, void *buf, uint32_t len, bool store);
void *emu_pkt_dynptr_slice(struct emu_pkt *p, uint32_t off, void *buf, uint32_t len);

#endif /* BPFEMU_EMU_PACKET_H */
