// SPDX-License-Identifier: MIT
/*
 * Packet test runs (packet.h): the buffer below 4 GiB, the context the
 * kernel builds around it, and what it hands back.
 */
#if defined(__linux__)
#define _GNU_SOURCE	/* MAP_32BIT */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "alloc.h"
#include "err.h"
#include "packet.h"

#define PKT_PAGE		4096u
#define PKT_ETH_HLEN		14u
#define PKT_TAILROOM		320u	/* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define PKT_SKB_HEADROOM	64u	/* NET_SKB_PAD + NET_IP_ALIGN */
#define PKT_XDP_HEADROOM	256u	/* XDP_PACKET_HEADROOM */
/*
 * Where in the page the kernel's buffer starts.  x86-64's NET_IP_ALIGN is
 * 0, which leaves the IP header 2 bytes off a 4-byte boundary; natively
 * that is fine for the CPU but not for UBSan's alignment check on every
 * iph->saddr a program reads.  2 bytes more (NET_IP_ALIGN on most other
 * architectures) align it; programs see only offsets from data.
 */
#define PKT_IP_ALIGN		2u
#define PKT_SKB_MAX		(PKT_PAGE - PKT_SKB_HEADROOM - PKT_TAILROOM)	/* 3712 */
#define PKT_XDP_FRAGS_MAX	17u	/* MAX_SKB_FRAGS pages past the linear area */
#define PKT_XDP_FRAME_SZ	40u	/* struct xdp_frame, kept at the buffer's start */
#define PKT_XDP_META_MAX	216u	/* the headroom less struct xdp_frame */
#define PKT_GSO_LEGACY_MAX	65536u
#define PKT_GSO_MAX_SEGS	65535u
#define PKT_LOOPBACK_IFINDEX	1u

/* eth_type_trans()'s protocols and packet types */
#define PKT_ETH_P_802_3_MIN	0x0600
#define PKT_ETH_P_802_3		0x0001
#define PKT_ETH_P_802_2		0x0004
#define PKT_HOST		0
#define PKT_MULTICAST		2
#define PKT_OTHERHOST		3

static _Thread_local struct emu_pkt *pkt_running;

bool emu_pkt_prog_type(int type)
{
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_XDP:
		return true;
	default:
		return false;
	}
}

/*
 * A page the 32-bit context fields can point into.  x86-64 Linux has
 * MAP_32BIT (the low 2 GiB); elsewhere a few hints below 4 GiB are tried
 * and a mapping that lands higher is given back.
 */
static void *low_page(void)
{
	void *p;

#if defined(MAP_32BIT)
	p = mmap(NULL, PKT_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		 -1, 0);
	if (p != MAP_FAILED)
		return p;
#endif
	for (uintptr_t hint = 0x40000000u; hint < 0xf0000000u; hint += 0x10000000u) {
		p = mmap((void *)hint, PKT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		if ((uintptr_t)p + PKT_PAGE <= 0xffffffffu)
			return p;
		munmap(p, PKT_PAGE);
	}
	return NULL;
}

static int pkt_alloc(struct emu_pkt *p)
{
	p->page = low_page();
	if (p->page) {
		p->low = true;
		memset(p->page, 0, PKT_PAGE);
		return 0;
	}
	p->page = emu_calloc(1, PKT_PAGE);
	return p->page ? 0 : -ENOMEM;
}

static uint32_t pkt_addr(const struct emu_pkt *p, const uint8_t *at)
{
	return p->low ? (uint32_t)(uintptr_t)at : 0;
}

/* bpf_ctx_init: a context buffer whenever ctx_in or ctx_out is given;
 * bytes of ctx_in past what the kernel knows must be zero. */
static int pkt_user_ctx(struct emu_pkt *p, const struct bpf_test_run_opts *opts, uint32_t max)
{
	const uint8_t *in = opts->ctx_in;
	uint32_t i;

	if (!opts->ctx_in && !opts->ctx_out)
		return 0;
	p->user_ctx = emu_calloc(1, max);
	if (!p->user_ctx)
		return -ENOMEM;
	p->user_ctx_size = max;
	if (!in)
		return 0;
	for (i = max; i < opts->ctx_size_in; i++)
		if (in[i])
			return -E2BIG;
	memcpy(p->user_ctx, in, opts->ctx_size_in < max ? opts->ctx_size_in : max);
	return 0;
}

static bool zero_range(const void *buf, size_t from, size_t to)
{
	const uint8_t *b = buf;

	for (; from < to; from++)
		if (b[from])
			return false;
	return true;
}

#define END(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* convert___skb_to_skb: the fields a test may set, every other byte 0. */
static bool skb_ctx_fields_ok(const struct __sk_buff *c)
{
	typedef struct __sk_buff S;

	return zero_range(c, 0, offsetof(S, mark)) &&
	       zero_range(c, END(S, mark), offsetof(S, priority)) &&
	       /* priority, ingress_ifindex, ifindex */
	       zero_range(c, END(S, ifindex), offsetof(S, cb)) &&
	       zero_range(c, END(S, cb), offsetof(S, tstamp)) &&
	       /* tstamp, wire_len, gso_segs */
	       zero_range(c, END(S, gso_segs), offsetof(S, gso_size)) &&
	       zero_range(c, END(S, gso_size), offsetof(S, hwtstamp)) &&
	       zero_range(c, END(S, hwtstamp), sizeof(S));
}

/* eth_type_trans() on the loopback device (all-zero address, no
 * broadcast address of its own). */
static void skb_eth_type_trans(struct __sk_buff *skb, const uint8_t *eth, uint32_t size)
{
	uint16_t proto = (uint16_t)(eth[12] << 8 | eth[13]);
	static const uint8_t lo_addr[6];

	if (eth[0] & 1)
		skb->pkt_type = PKT_MULTICAST;
	else if (memcmp(eth, lo_addr, 6))
		skb->pkt_type = PKT_OTHERHOST;
	else
		skb->pkt_type = PKT_HOST;
	if (proto < PKT_ETH_P_802_3_MIN)
		/* raw 802.3 (a 0xFFFF service access point) or 802.2 LLC */
		proto = size >= PKT_ETH_HLEN + 2 && eth[14] == 0xff && eth[15] == 0xff ?
				PKT_ETH_P_802_3 : PKT_ETH_P_802_2;
	/* a __be16, read by programs as a u32 */
	skb->protocol = htons(proto);
}

static bool skb_l3_header_fits(const uint8_t *eth, uint32_t size)
{
	uint16_t proto = (uint16_t)(eth[12] << 8 | eth[13]);

	if (proto == 0x0800)
		return size >= PKT_ETH_HLEN + 20;	/* struct iphdr */
	if (proto == 0x86dd)
		return size >= PKT_ETH_HLEN + 40;	/* struct ipv6hdr */
	return true;
}

static bool skb_direct_access(int type)
{
	return type != BPF_PROG_TYPE_SOCKET_FILTER;
}

static int skb_prepare(struct emu_pkt *p, const struct bpf_test_run_opts *opts)
{
	struct __sk_buff *skb = &p->ctx.skb;
	const struct __sk_buff *in;
	uint8_t *eth;
	int err;

	if (opts->flags || opts->cpu ||
	    (opts->sz > offsetof(struct bpf_test_run_opts, batch_size) && opts->batch_size))
		return -EINVAL;
	if (opts->data_size_in < PKT_ETH_HLEN || opts->data_size_in > PKT_SKB_MAX)
		return -EINVAL;
	err = pkt_user_ctx(p, opts, sizeof(struct __sk_buff));
	if (err)
		return err;
	in = p->user_ctx;
	/* only the loopback device exists here */
	if (in && in->ifindex > PKT_LOOPBACK_IFINDEX)
		return -ENODEV;
	/* an IPv4 or IPv6 packet must hold its network header (6.18) */
	if (!skb_l3_header_fits(opts->data_in, opts->data_size_in))
		return -EINVAL;
	err = pkt_alloc(p);
	if (err)
		return err;
	eth = p->page + PKT_IP_ALIGN + PKT_SKB_HEADROOM;
	memcpy(eth, opts->data_in, opts->data_size_in);
	p->l2 = p->prog_type == BPF_PROG_TYPE_SCHED_CLS || p->prog_type == BPF_PROG_TYPE_SCHED_ACT;
	p->data = p->l2 ? eth : eth + PKT_ETH_HLEN;
	p->data_end = eth + opts->data_size_in;
	p->data_meta = p->data;

	memset(skb, 0, sizeof(*skb));
	skb_eth_type_trans(skb, eth, opts->data_size_in);
	skb->len = (uint32_t)(p->data_end - p->data);
	skb->ifindex = PKT_LOOPBACK_IFINDEX;
	if (in) {
		if (!skb_ctx_fields_ok(in))
			return -EINVAL;
		skb->mark = in->mark;
		skb->priority = in->priority;
		skb->ingress_ifindex = in->ingress_ifindex;
		skb->tstamp = in->tstamp;
		memcpy(skb->cb, in->cb, sizeof(skb->cb));
		if (in->wire_len && (in->wire_len < skb->len || in->wire_len > PKT_GSO_LEGACY_MAX))
			return -EINVAL;
		/* no wire_len: the packet's length (without a context
		 * the kernel leaves it 0) */
		skb->wire_len = in->wire_len ? in->wire_len : skb->len;
		if (in->gso_segs > PKT_GSO_MAX_SEGS)
			return -EINVAL;
		skb->gso_segs = in->gso_segs;
		skb->gso_size = in->gso_size;
		skb->hwtstamp = in->hwtstamp;
	}
	if (skb_direct_access(p->prog_type)) {
		skb->data = pkt_addr(p, p->data);
		skb->data_end = pkt_addr(p, p->data_end);
		skb->data_meta = pkt_addr(p, p->data_meta);
	}
	return 0;
}

static int xdp_prepare(struct emu_pkt *p, const struct bpf_test_run_opts *opts)
{
	struct xdp_md *md = &p->ctx.xdp;
	uint32_t headroom = PKT_XDP_HEADROOM, meta = 0, linear, max_linear;
	const struct xdp_md *in;
	int err;

	if (opts->flags & ~BPF_F_TEST_XDP_LIVE_FRAMES)
		return -EINVAL;
	if (opts->flags & BPF_F_TEST_XDP_LIVE_FRAMES) {
		/* frames sent on for real: no device to send them on */
		emu_diag("xdp_live_frames",
			 "bpf_prog_test_run_opts: BPF_F_TEST_XDP_LIVE_FRAMES is not emulated");
		return -EOPNOTSUPP;
	}
	if (opts->sz > offsetof(struct bpf_test_run_opts, batch_size) && opts->batch_size)
		return -EINVAL;
	err = pkt_user_ctx(p, opts, sizeof(struct xdp_md));
	if (err)
		return err;
	in = p->user_ctx;
	linear = opts->data_size_in;
	if (in) {
		/* no user data before the metadata; metadata in 4-byte
		 * words taken from the headroom; data_end, at most the
		 * packet's size, ends the linear part (the rest becomes
		 * fragments) */
		if (in->data_meta || in->data_end > opts->data_size_in || in->data > in->data_end ||
		    (in->data & 3) || in->data > PKT_XDP_META_MAX)
			return -EINVAL;
		meta = in->data;
		headroom -= meta;
		linear = in->data_end;
	}
	max_linear = PKT_PAGE - headroom - PKT_TAILROOM;
	if (linear > max_linear)
		linear = max_linear;
	if (opts->data_size_in < PKT_ETH_HLEN)
		return -EINVAL;
	if (in) {
		if (in->egress_ifindex)
			return -EINVAL;
		if (!in->ingress_ifindex && in->rx_queue_index)
			return -EINVAL;
		if (in->ingress_ifindex && in->ingress_ifindex != PKT_LOOPBACK_IFINDEX)
			return -ENODEV;
		/* the loopback device has one receive queue */
		if (in->ingress_ifindex && in->rx_queue_index >= 1)
			return -EINVAL;
	}
	/* fragments are allocated page by page after the context is taken */
	if (opts->data_size_in - linear > PKT_XDP_FRAGS_MAX * PKT_PAGE)
		return -ENOMEM;
	err = pkt_alloc(p);
	if (err)
		return err;
	p->xdp = true;
	p->data_meta = p->page + PKT_IP_ALIGN + headroom;
	memcpy(p->data_meta, opts->data_in, linear);
	p->data = p->data_meta + meta;
	p->data_end = p->data_meta + linear;
	if (opts->data_size_in > linear) {
		p->frags_size = opts->data_size_in - linear;
		p->frags = emu_malloc(p->frags_size);
		if (!p->frags)
			return -ENOMEM;
		memcpy(p->frags, (const uint8_t *)opts->data_in + linear, p->frags_size);
	}
	memset(md, 0, sizeof(*md));
	md->data = pkt_addr(p, p->data);
	md->data_end = pkt_addr(p, p->data_end);
	md->data_meta = pkt_addr(p, p->data_meta);
	md->ingress_ifindex = PKT_LOOPBACK_IFINDEX;
	return 0;
}

int emu_pkt_prepare(struct emu_pkt *p, int type, const struct bpf_test_run_opts *opts)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->prog_type = type;
	p->size = opts->data_size_in;
	if (!opts->data_in)
		return -EINVAL;
	if (type == BPF_PROG_TYPE_XDP)
		err = xdp_prepare(p, opts);
	else
		err = skb_prepare(p, opts);
	if (err) {
		emu_pkt_release(p);
		return err;
	}
	if (!p->low)
		emu_diag("packet_not_addressable",
			 "bpf_prog_test_run_opts: no memory below 4 GiB for the packet: data/data_end are 0 (direct packet access sees an empty packet)");
	return 0;
}

struct emu_pkt *emu_pkt_current(void)
{
	return pkt_running;
}

void emu_pkt_enter(struct emu_pkt *p)
{
	p->prev = pkt_running;
	pkt_running = p;
}

void emu_pkt_leave(struct emu_pkt *p)
{
	pkt_running = p->prev;
}

/*
 * bpf_test_finish: data_size_out is the packet's size whether or not it
 * fits; a short buffer gets what fits and -ENOSPC.  The fragments are
 * copied whole after as much of the linear part as leaves them room; a
 * buffer shorter than the fragments alone gets nothing, and the run
 * reports nothing either (1: retval and duration stay 0, data_size_out as
 * given).
 */
static int pkt_copy_out(void *dst, uint32_t *dst_size, const uint8_t *src, uint32_t size,
			const uint8_t *frags, uint32_t frags_size)
{
	uint32_t total = size + frags_size, n = total;
	int err = 0;

	if (*dst_size && n > *dst_size) {
		n = *dst_size;
		err = -ENOSPC;
	}
	if (dst) {
		if (n < frags_size)
			return 1;
		memcpy(dst, src, n - frags_size);
		if (frags_size)
			memcpy((uint8_t *)dst + (n - frags_size), frags, frags_size);
	}
	*dst_size = total;
	return err;
}

/* bpf_ctx_finish */
static int pkt_ctx_out(struct emu_pkt *p, struct bpf_test_run_opts *opts)
{
	uint32_t n = p->user_ctx_size;
	int err = 0;

	if (!p->user_ctx || !opts->ctx_out)
		return 0;
	if (n > opts->ctx_size_out) {
		n = opts->ctx_size_out;
		err = -ENOSPC;
	}
	memcpy(opts->ctx_out, p->user_ctx, n);
	opts->ctx_size_out = p->user_ctx_size;
	return err;
}

int emu_pkt_finish(struct emu_pkt *p, struct bpf_test_run_opts *opts)
{
	int err;

	if (p->xdp) {
		err = pkt_copy_out(opts->data_out, &opts->data_size_out, p->data_meta,
				   (uint32_t)(p->data_end - p->data_meta), p->frags, p->frags_size);
		if (err == 1) {
			opts->retval = 0;
			opts->duration = 0;
			return -ENOSPC;
		}
		if (!err && p->user_ctx) {
			struct xdp_md *u = p->user_ctx;

			u->data = (uint32_t)(p->data - p->data_meta);
			u->data_end = (uint32_t)(p->data_end - p->data_meta);
		}
	} else {
		const struct __sk_buff *skb = &p->ctx.skb;
		uint8_t *start = p->data;

		if (!p->l2) {
			/* the kernel pushes a zeroed Ethernet header back */
			start -= PKT_ETH_HLEN;
			memset(start, 0, PKT_ETH_HLEN);
		}
		err = pkt_copy_out(opts->data_out, &opts->data_size_out, start,
				   (uint32_t)(p->data_end - start), NULL, 0);
		if (!err && p->user_ctx) {
			/* convert_skb_to___skb */
			struct __sk_buff *u = p->user_ctx;

			u->mark = skb->mark;
			u->priority = skb->priority;
			u->ingress_ifindex = skb->ingress_ifindex;
			u->ifindex = PKT_LOOPBACK_IFINDEX;
			u->tstamp = skb->tstamp;
			memcpy(u->cb, skb->cb, sizeof(u->cb));
			u->wire_len = skb->wire_len;
			u->gso_segs = skb->gso_segs;
			u->hwtstamp = skb->hwtstamp;
		}
	}
	if (err)
		return err;
	return pkt_ctx_out(p, opts);
}

void emu_pkt_release(struct emu_pkt *p)
{
	if (p->page) {
		if (p->low)
			munmap(p->page, PKT_PAGE);
		else
			emu_free(p->page);
	}
	emu_free(p->frags);
	emu_free(p->user_ctx);
	p->page = NULL;
	p->frags = NULL;
	p->user_ctx = NULL;
}

/* ------------------------------------------------------ XDP adjustments */

/* The program's view after data, data_end or data_meta moved. */
static void xdp_sync(struct emu_pkt *p)
{
	p->ctx.xdp.data = pkt_addr(p, p->data);
	p->ctx.xdp.data_end = pkt_addr(p, p->data_end);
	p->ctx.xdp.data_meta = pkt_addr(p, p->data_meta);
}

/* Offsets from the buffer's start (data_hard_start): comparisons stay in
 * range however far an offset points outside it. */
static intptr_t xdp_pos(const struct emu_pkt *p, const uint8_t *at)
{
	return (intptr_t)(at - (p->page + PKT_IP_ALIGN));
}

/*
 * bpf_xdp_adjust_head: data may move back as far as the end of the
 * struct xdp_frame the buffer keeps at its start (plus the metadata,
 * which moves along), and forward while an Ethernet header remains.
 */
int emu_pkt_xdp_adjust_head(struct emu_pkt *p, int offset)
{
	intptr_t metalen = p->data - p->data_meta;
	intptr_t to = xdp_pos(p, p->data) + offset;

	if (to < (intptr_t)PKT_XDP_FRAME_SZ + metalen ||
	    to > xdp_pos(p, p->data_end) - (intptr_t)PKT_ETH_HLEN)
		return -EINVAL;
	if (metalen)
		memmove(p->data_meta + offset, p->data_meta, (size_t)metalen);
	p->data_meta += offset;
	p->data += offset;
	xdp_sync(p);
	return 0;
}

/* bpf_xdp_adjust_meta: within [end of the xdp_frame, data], whole 4-byte
 * words (else -EACCES). */
int emu_pkt_xdp_adjust_meta(struct emu_pkt *p, int offset)
{
	intptr_t to = xdp_pos(p, p->data_meta) + offset;
	intptr_t metalen = xdp_pos(p, p->data) - to;

	if (to < (intptr_t)PKT_XDP_FRAME_SZ || metalen < 0)
		return -EINVAL;
	if (metalen & 3)
		return -EACCES;
	p->data_meta += offset;
	xdp_sync(p);
	return 0;
}

/*
 * bpf_xdp_adjust_tail.  Linear: data_end up to the shared info's start,
 * down to an Ethernet header past data; grown bytes zeroed.  With
 * fragments (pages): growing fills the last one up to its page, shrinking
 * takes the fragments first, then the linear part, down to an Ethernet
 * header in all.
 */
int emu_pkt_xdp_adjust_tail(struct emu_pkt *p, int offset)
{
	intptr_t linear = p->data_end - p->data;

	if (!p->frags_size) {
		intptr_t to = xdp_pos(p, p->data_end) + offset;

		if (to > (intptr_t)(PKT_PAGE - PKT_TAILROOM) || to < xdp_pos(p, p->data) + (intptr_t)PKT_ETH_HLEN)
			return -EINVAL;
		if (offset > 0)
			memset(p->data_end, 0, (size_t)offset);
		p->data_end += offset;
	} else if (offset > 0) {
		uint32_t last = p->frags_size - PKT_PAGE * ((p->frags_size - 1) / PKT_PAGE);
		uint8_t *f;

		if ((uint32_t)offset > PKT_PAGE - last)
			return -EINVAL;
		f = emu_realloc(p->frags, p->frags_size + (uint32_t)offset);
		if (!f)
			return -ENOMEM;
		memset(f + p->frags_size, 0, (size_t)offset);
		p->frags = f;
		p->frags_size += (uint32_t)offset;
	} else {
		uint32_t shrink = (uint32_t)-(int64_t)offset;

		if ((int64_t)shrink > (int64_t)linear + p->frags_size - PKT_ETH_HLEN)
			return -EINVAL;
		if (shrink > p->frags_size) {
			p->data_end -= shrink - p->frags_size;
			shrink = p->frags_size;
		}
		p->frags_size -= shrink;
	}
	xdp_sync(p);
	return 0;
}

/* ------------------------------------------------- XDP bytes, fragments */

uint32_t emu_pkt_xdp_len(const struct emu_pkt *p)
{
	return (uint32_t)(p->data_end - p->data) + p->frags_size;
}

/*
 * bpf_xdp_load_bytes / _store_bytes (bpf_xdp_pointer, bpf_xdp_copy_buf):
 * an offset or length over 0xffff is -EFAULT, a range past the packet
 * (fragments included) -EINVAL; the bytes are copied across the linear
 * part and the fragments.  @buf is left as it was on failure.
 */
int emu_pkt_xdp_bytes(struct emu_pkt *p, uint32_t offset, void *buf, uint32_t len, bool store)
{
	uint32_t linear = (uint32_t)(p->data_end - p->data), n;
	uint8_t *b = buf;

	if (offset > 0xffff || len > 0xffff)
		return -EFAULT;
	if ((uint64_t)offset + len > emu_pkt_xdp_len(p))
		return -EINVAL;
	if (offset < linear) {
		n = linear - offset < len ? linear - offset : len;
		if (store)
			memmove(p->data + offset, b, n);
		else
			memmove(b, p->data + offset, n);
		b += n, offset += n, len -= n;
	}
	if (len) {
		if (store)
			memmove(p->frags + (offset - linear), b, len);
		else
			memmove(b, p->frags + (offset - linear), len);
	}
	return 0;
}

/* ------------------------------------------------------- packet dynptrs */

uint32_t emu_pkt_dynptr_size(const struct emu_pkt *p)
{
	return p->xdp ? emu_pkt_xdp_len(p) : (uint32_t)(p->data_end - p->data);
}

/* may_access_direct_pkt_data(BPF_WRITE): the types that may write packets
 * get writable dynptrs; socket filters, cgroup_skb and lwt_in/out
 * read-only ones. */
bool emu_pkt_dynptr_writable(const struct emu_pkt *p)
{
	switch (p->prog_type) {
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_SK_SKB:
	case BPF_PROG_TYPE_XDP:
		return true;
	default:
		return false;
	}
}

/* __bpf_skb_load_bytes / __bpf_xdp_load_bytes and the stores, @off in the
 * program's view (the dynptr's bounds already checked). */
int emu_pkt_dynptr_rw(struct emu_pkt *p, uint32_t off, void *buf, uint32_t len, bool store)
{
	if (p->xdp)
		return emu_pkt_xdp_bytes(p, off, buf, len, store);
	if ((uint64_t)off + len > (uint64_t)(p->data_end - p->data))
		return -EFAULT;
	if (store)
		memmove(p->data + off, buf, len);
	else
		memmove(buf, p->data + off, len);
	return 0;
}

/*
 * bpf_dynptr_slice: a socket buffer is linear here, so its slices point
 * into the packet; an XDP slice does if it lies in the linear part or in
 * one fragment page, and is copied into @buf otherwise (NULL without one).
 */
void *emu_pkt_dynptr_slice(struct emu_pkt *p, uint32_t off, void *buf, uint32_t len)
{
	uint32_t linear = (uint32_t)(p->data_end - p->data), f;

	if (!p->xdp)
		return (uint64_t)off + len <= linear ? p->data + off : NULL;
	if (off > 0xffff || len > 0xffff || (uint64_t)off + len > emu_pkt_xdp_len(p))
		return NULL;
	if (off + len <= linear)
		return p->data + off;
	if (off >= linear) {
		f = off - linear;
		if (f / PKT_PAGE == (f + len - 1) / PKT_PAGE)
			return p->frags + f;
	}
	if (!buf)
		return NULL;
	emu_pkt_xdp_bytes(p, off, buf, len, false);
	return buf;
}
