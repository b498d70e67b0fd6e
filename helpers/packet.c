/* SPDX-License-Identifier: MIT */
/*
 * Packet helpers on the packet of a bpf_prog_test_run_opts (emu/packet.h).
 * bpf_skb_load_bytes copies from the packet as the program sees it: from
 * the Ethernet header for tc, from the network header for socket filters,
 * cgroup_skb and lwt.  bpf_xdp_adjust_head/_meta/_tail move an XDP
 * packet's bounds, and the program's xdp_md with them.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <bpfemu/helpers.h>

#include "ctx.h"
#include "object_priv.h"
#include "err.h"
#include "packet.h"
#include "prog.h"

/* uapi values (include/uapi/linux/bpf.h, pkt_cls.h) */
#define PKT_F_RECOMPUTE_CSUM	(1ULL << 0)
#define PKT_F_INVALIDATE_HASH	(1ULL << 1)
#define PKT_F_HDR_FIELD_MASK	0xfULL
#define PKT_F_PSEUDO_HDR	(1ULL << 4)
#define PKT_F_MARK_MANGLED_0	(1ULL << 5)
#define PKT_F_MARK_ENFORCE	(1ULL << 6)
#define PKT_F_IPV6		(1ULL << 7)
#define PKT_F_INGRESS		(1ULL << 0)
#define PKT_CSUM_MANGLED_0	0xffff
#define PKT_TC_ACT_SHOT		2
#define PKT_TC_ACT_REDIRECT	7
#define PKT_XDP_ABORTED		0
#define PKT_XDP_REDIRECT	4
#define PKT_ETH_HLEN		14

/*
 * The packet behind a socket-buffer program's context, NULL when there is
 * none (a context built for bpfemu_prog_run()), or NULL after refusing an
 * R1 that is not the context, as the verifier does at load (-EACCES in
 * *@err; else *@err is 0).
 */
static struct emu_pkt *skb_pkt(const void *skb, const char *helper, long *err)
{
	struct emu_pkt *p = emu_pkt_current();

	*err = 0;
	if (p && (p->xdp || skb != &p->ctx.skb)) {
		emu_verifier_reject(-EACCES, "skb_not_ctx",
				    "%s: R1 is not the program's context (R1 type=fp expected=ctx)",
				    helper);
		*err = -EACCES;
		return NULL;
	}
	return p;
}

/* The bytes [offset, offset + len) of the packet as the program sees it,
 * or NULL if they are not all there (skb_ensure_writable). */
static uint8_t *skb_range(struct emu_pkt *p, uint64_t offset, uint64_t len)
{
	if (!p || offset + len > (uint64_t)(p->data_end - p->data))
		return NULL;
	return p->data + offset;
}

/*
 * bpf_skb_load_bytes (net/core/filter.c): an offset past INT_MAX or a range
 * past the packet's end clears @to and is -EFAULT.  R1 must be the
 * program's context (the verifier's ARG_PTR_TO_CTX, -EACCES at load); a
 * program run by bpfemu_prog_run() on a context it built has no packet
 * behind it, which reads as an empty one.
 */
long bpfemu_helper_skb_load_bytes(const void *skb, __u32 offset, void *to, __u32 len)
{
	struct emu_pkt *p;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_skb_load_bytes, -EINVAL);
	/* 6.18's refusals, in its order: R1, R3, R4 */
	p = skb_pkt(skb, "bpf_skb_load_bytes", &err);
	if (err)
		return err;
	if (!emu_mem_size_arg_ok(to, len, "bpf_skb_load_bytes", 3))
		return -EACCES;
	if (offset > INT_MAX || !skb_range(p, offset, len)) {
		memset(to, 0, len);
		return -EFAULT;
	}
	memcpy(to, p->data + offset, len);
	return 0;
}

/*
 * The packet behind an XDP program's context, or NULL after the refusal
 * the verifier makes at load for anything but the context (R1 type=...
 * expected=ctx, -EACCES).  A context built for bpfemu_prog_run() has no
 * packet: the helpers then fail as on a buffer with no room, -EINVAL.
 */
static struct emu_pkt *xdp_pkt(struct xdp_md *xdp_md, const char *helper, long *err)
{
	struct emu_pkt *p = emu_pkt_current();

	*err = -EINVAL;
	if (p && (!p->xdp || xdp_md != &p->ctx.xdp)) {
		emu_verifier_reject(-EACCES, "xdp_not_ctx",
				    "%s: R1 is not the program's context (R1 type=fp expected=ctx)",
				    helper);
		*err = -EACCES;
		return NULL;
	}
	return p;
}

/* One of the three: the packet behind the context, then its move. */
static long xdp_adjust(struct xdp_md *xdp_md, int delta, const char *helper,
		       int (*adjust)(struct emu_pkt *p, int delta))
{
	struct emu_pkt *p;
	long err;

	p = xdp_pkt(xdp_md, helper, &err);
	return p ? adjust(p, delta) : err;
}

long bpfemu_helper_xdp_adjust_head(struct xdp_md *xdp_md, int delta)
{
	EMU_HELPER_CHECK(BPF_FUNC_xdp_adjust_head, -EINVAL);
	return xdp_adjust(xdp_md, delta, "bpf_xdp_adjust_head", emu_pkt_xdp_adjust_head);
}

long bpfemu_helper_xdp_adjust_meta(struct xdp_md *xdp_md, int delta)
{
	EMU_HELPER_CHECK(BPF_FUNC_xdp_adjust_meta, -EINVAL);
	return xdp_adjust(xdp_md, delta, "bpf_xdp_adjust_meta", emu_pkt_xdp_adjust_meta);
}

long bpfemu_helper_xdp_adjust_tail(struct xdp_md *xdp_md, int delta)
{
	EMU_HELPER_CHECK(BPF_FUNC_xdp_adjust_tail, -EINVAL);
	return xdp_adjust(xdp_md, delta, "bpf_xdp_adjust_tail", emu_pkt_xdp_adjust_tail);
}

/*
 * bpf_xdp_get_buff_len / bpf_xdp_load_bytes / bpf_xdp_store_bytes: the
 * packet with its fragments, which direct access cannot reach.  A NULL
 * buffer is refused as the verifier refuses it (R3, -EACCES); a context
 * with no packet behind it reads as an empty packet (-EINVAL).
 */
__u64 bpfemu_helper_xdp_get_buff_len(struct xdp_md *xdp_md)
{
	struct emu_pkt *p;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_xdp_get_buff_len, 0);
	p = xdp_pkt(xdp_md, "bpf_xdp_get_buff_len", &err);
	return p ? emu_pkt_xdp_len(p) : 0;
}

static long xdp_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len, bool store,
		      const char *helper)
{
	struct emu_pkt *p;
	long err;

	p = xdp_pkt(xdp_md, helper, &err);
	if (!p && err == -EACCES)
		return err;
	if (!emu_mem_size_arg_ok(buf, len, helper, 3))
		return -EACCES;
	return p ? emu_pkt_xdp_bytes(p, offset, buf, len, store) : -EINVAL;
}

long bpfemu_helper_xdp_load_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len)
{
	EMU_HELPER_CHECK(BPF_FUNC_xdp_load_bytes, -EINVAL);
	return xdp_bytes(xdp_md, offset, buf, len, false, "bpf_xdp_load_bytes");
}

long bpfemu_helper_xdp_store_bytes(struct xdp_md *xdp_md, __u32 offset, void *buf, __u32 len)
{
	EMU_HELPER_CHECK(BPF_FUNC_xdp_store_bytes, -EINVAL);
	return xdp_bytes(xdp_md, offset, buf, len, true, "bpf_xdp_store_bytes");
}

/*
 * bpf_skb_load_bytes_relative: from the MAC (Ethernet) header or the
 * network header (BPF_HDR_START_MAC 0 / _NET 1) whatever the program
 * type's view starts at; an offset over 0xffff, another start, or a range
 * past the packet clears @to and is -EFAULT.
 */
long bpfemu_helper_skb_load_bytes_relative(const void *skb, __u32 offset, void *to, __u32 len,
					    __u32 start_header)
{
	struct emu_pkt *p;
	uint8_t *start;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_skb_load_bytes_relative, -EINVAL);
	p = skb_pkt(skb, "bpf_skb_load_bytes_relative", &err);
	if (err)
		return err;
	if (!emu_mem_size_arg_ok(to, len, "bpf_skb_load_bytes_relative", 3))
		return -EACCES;
	start = p ? p->data - (p->l2 ? 0 : PKT_ETH_HLEN) : NULL;	/* the MAC header */
	if (p && start_header == 1)
		start += PKT_ETH_HLEN;
	if (!p || offset > 0xffff || start_header > 1 ||
	    (uint64_t)offset + len > (uint64_t)(p->data_end - start)) {
		memset(to, 0, len);
		return -EFAULT;
	}
	memcpy(to, start + offset, len);
	return 0;
}

/* ------------------------------------------------ writes and checksums */

/*
 * bpf_skb_store_bytes: unknown flags -EINVAL; an offset or length past
 * INT_MAX, or a range past the packet, -EFAULT.  The checksum flag
 * changes only skb->csum of a CHECKSUM_COMPLETE packet, which a test
 * run's never is; the hash flag clears skb->hash.
 */
long bpfemu_helper_skb_store_bytes(struct __sk_buff *skb, __u32 offset, const void *from, __u32 len,
				   __u64 flags)
{
	struct emu_pkt *p;
	uint8_t *at;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_skb_store_bytes, -EINVAL);
	p = skb_pkt(skb, "bpf_skb_store_bytes", &err);
	if (err)
		return err;
	if (!emu_mem_size_arg_ok(from, len, "bpf_skb_store_bytes", 3))
		return -EACCES;
	if (flags & ~(PKT_F_RECOMPUTE_CSUM | PKT_F_INVALIDATE_HASH))
		return -EINVAL;
	if (offset > INT_MAX || len > INT_MAX)
		return -EFAULT;
	at = skb_range(p, offset, len);
	if (!at)
		return -EFAULT;
	memmove(at, from, len);
	if (flags & PKT_F_INVALIDATE_HASH)
		p->ctx.skb.hash = 0;
	return 0;
}

/* One's-complement arithmetic as include/net/checksum.h does it: 32-bit
 * sums with the carry added back, folded to 16 bits. */
static uint32_t csum_add32(uint32_t csum, uint32_t addend)
{
	uint32_t res = csum + addend;

	return res + (res < addend);
}

static uint16_t csum_fold16(uint32_t csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (uint16_t)~csum;
}

static uint16_t csum_add16(uint16_t csum, uint16_t addend)
{
	uint16_t res = (uint16_t)(csum + addend);

	return (uint16_t)(res + (res < addend));
}

/* csum_replace2/4 and csum_replace_by_diff on the field at @sum; the
 * values are taken as the program's bytes, in memory order. */
static void csum_replace4(uint8_t *at, uint32_t from, uint32_t to)
{
	uint16_t sum;

	memcpy(&sum, at, 2);
	sum = csum_fold16(csum_add32(csum_add32(~(uint32_t)sum, ~from), to));
	memcpy(at, &sum, 2);
}

static void csum_replace2(uint8_t *at, uint16_t from, uint16_t to)
{
	uint16_t sum;

	memcpy(&sum, at, 2);
	sum = (uint16_t)~csum_add16(csum_add16((uint16_t)~sum, (uint16_t)~from), to);
	memcpy(at, &sum, 2);
}

static void csum_replace_by_diff(uint8_t *at, uint32_t diff)
{
	uint16_t sum;

	memcpy(&sum, at, 2);
	sum = csum_fold16(csum_add32(diff, ~(uint32_t)sum));
	memcpy(at, &sum, 2);
}

/* The checks bpf_l3_csum_replace and bpf_l4_csum_replace share, after
 * their flags: an even offset below 64 KiB (-EFAULT), a field that is
 * there (-EFAULT). */
static uint8_t *csum_field(struct emu_pkt *p, __u32 offset)
{
	if (offset > 0xffff || (offset & 1))
		return NULL;
	return skb_range(p, offset, 2);
}

/* bpf_l3_csum_replace: field size 2 or 4 in the flags' low bits, or 0 for
 * a @to that is already a checksum difference (@from must be 0). */
long bpfemu_helper_l3_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 flags)
{
	struct emu_pkt *p;
	uint8_t *at;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_l3_csum_replace, -EINVAL);
	p = skb_pkt(skb, "bpf_l3_csum_replace", &err);
	if (err)
		return err;
	if (flags & ~PKT_F_HDR_FIELD_MASK)
		return -EINVAL;
	at = csum_field(p, offset);
	if (!at)
		return -EFAULT;
	switch (flags & PKT_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return -EINVAL;
		csum_replace_by_diff(at, (uint32_t)to);
		return 0;
	case 2:
		csum_replace2(at, (uint16_t)from, (uint16_t)to);
		return 0;
	case 4:
		csum_replace4(at, (uint32_t)from, (uint32_t)to);
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * bpf_l4_csum_replace: as l3, but a transport checksum: the
 * pseudo-header and IPv6 flags change only skb->csum of packets a test
 * run never has; BPF_F_MARK_MANGLED_0 leaves a zero checksum (UDP's "none")
 * alone unless BPF_F_MARK_ENFORCE, and writes a result of 0 as 0xffff.  A
 * 2-byte field is replaced as a 4-byte one with its value zero-extended
 * (inet_proto_csum_replace2).
 */
long bpfemu_helper_l4_csum_replace(struct __sk_buff *skb, __u32 offset, __u64 from, __u64 to, __u64 flags)
{
	bool mmzero = flags & PKT_F_MARK_MANGLED_0;
	struct emu_pkt *p;
	uint16_t sum;
	uint8_t *at;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_l4_csum_replace, -EINVAL);
	p = skb_pkt(skb, "bpf_l4_csum_replace", &err);
	if (err)
		return err;
	if (flags & ~(PKT_F_MARK_MANGLED_0 | PKT_F_MARK_ENFORCE | PKT_F_PSEUDO_HDR |
		      PKT_F_HDR_FIELD_MASK | PKT_F_IPV6))
		return -EINVAL;
	at = csum_field(p, offset);
	if (!at)
		return -EFAULT;
	memcpy(&sum, at, 2);
	if (mmzero && !(flags & PKT_F_MARK_ENFORCE) && !sum)
		return 0;
	switch (flags & PKT_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return -EINVAL;
		csum_replace_by_diff(at, (uint32_t)to);
		break;
	case 2:
		csum_replace4(at, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		csum_replace4(at, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return -EINVAL;
	}
	memcpy(&sum, at, 2);
	if (mmzero && !sum) {
		sum = PKT_CSUM_MANGLED_0;
		memcpy(at, &sum, 2);
	}
	return 0;
}

/* csum_partial: the 32-bit one's-complement sum of @len bytes read as
 * native 32-bit words (a short tail zero-padded), plus @seed. */
static uint32_t csum_partial32(const uint8_t *p, uint32_t len, uint32_t seed)
{
	uint64_t acc = seed;
	uint32_t w;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w, p, 4);
		acc += w;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		acc += w;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/*
 * bpf_csum_diff (6.13 on): the difference of @to and @from, or what
 * pushing (@to only) or pulling (@from only) those bytes does to @seed,
 * folded to 16 bits on every architecture.  Any sizes; NULL is allowed
 * only for a size of 0 (the verifier's PTR_MAYBE_NULL with a size).
 */
__s64 bpfemu_helper_csum_diff(__be32 *from, __u32 from_size, __be32 *to, __u32 to_size,
			     __wsum seed)
{
	uint32_t ret = seed, sum;

	EMU_HELPER_CHECK(BPF_FUNC_csum_diff, -EINVAL);
	if ((from_size && emu_ptr_nullish(from)) || (to_size && emu_ptr_nullish(to))) {
		emu_verifier_reject(-EACCES, "mem_arg_null",
				    "bpf_csum_diff: %s is NULL with a size (R%d type=scalar expected=...)",
				    from_size && emu_ptr_nullish(from) ? "from" : "to",
				    from_size && emu_ptr_nullish(from) ? 1 : 3);
		return -EACCES;
	}
	if (from_size && to_size)
		ret = csum_add32(csum_partial32((const uint8_t *)to, to_size, ret),
				 ~csum_partial32((const uint8_t *)from, from_size, 0));
	else if (to_size)
		ret = csum_partial32((const uint8_t *)to, to_size, ret);
	else if (from_size)
		ret = ~csum_partial32((const uint8_t *)from, from_size, ~ret);
	/* csum_from32to16 */
	sum = ret + ((ret >> 16) | (ret << 16));
	return (uint16_t)(sum >> 16);
}

/*
 * bpf_redirect: where the packet goes is the kernel's business after the
 * program returns; the program sees the verdict: tc and lwt get
 * TC_ACT_REDIRECT (TC_ACT_SHOT for flags other than BPF_F_INGRESS), XDP
 * XDP_REDIRECT (XDP_ABORTED for any flag).
 */
long bpfemu_helper_redirect(__u32 ifindex, __u64 flags)
{
	bool xdp = emu_ctx.prog && emu_ctx.prog->type == BPF_PROG_TYPE_XDP;

	(void)ifindex;
	EMU_HELPER_CHECK(BPF_FUNC_redirect, -EINVAL);
	if (xdp)
		return flags ? PKT_XDP_ABORTED : PKT_XDP_REDIRECT;
	return (flags & ~PKT_F_INGRESS) ? PKT_TC_ACT_SHOT : PKT_TC_ACT_REDIRECT;
}

/* bpf_skb_pull_data: the packet is linear, so every byte of it is there
 * to read and write; asking for more is -ENOMEM, 0 means all of it. */
long bpfemu_helper_skb_pull_data(struct __sk_buff *skb, __u32 len)
{
	struct emu_pkt *p;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_skb_pull_data, -EINVAL);
	p = skb_pkt(skb, "bpf_skb_pull_data", &err);
	if (err)
		return err;
	if (!p)
		return len ? -ENOMEM : 0;
	return skb_range(p, 0, len) ? 0 : -ENOMEM;
}
