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

#include "err.h"
#include "packet.h"
#include "prog.h"

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

	EMU_HELPER_CHECK(BPF_FUNC_skb_load_bytes, -EINVAL);
	p = emu_pkt_current();
	if (p && skb != &p->ctx.skb) {
		emu_verifier_reject(-EACCES, "skb_not_ctx",
				    "bpf_skb_load_bytes: R1 is not the program's context (R1 type=fp expected=ctx)");
		return -EACCES;
	}
	/* 6.18's refusals, in its order: R1, R3, R4 */
	if (emu_ptr_nullish(to)) {
		emu_verifier_reject(-EACCES, "mem_arg_null",
				    "bpf_skb_load_bytes: R3 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_");
		return -EACCES;
	}
	if (!len) {
		emu_verifier_reject(-EACCES, "zero_size_buffer",
				    "bpf_skb_load_bytes: R4 invalid zero-sized read");
		return -EACCES;
	}
	if (!p || offset > INT_MAX || (uint64_t)offset + len > (uint64_t)(p->data_end - p->data)) {
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

long bpfemu_helper_xdp_adjust_head(struct xdp_md *xdp_md, int delta)
{
	struct emu_pkt *p;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_xdp_adjust_head, -EINVAL);
	p = xdp_pkt(xdp_md, "bpf_xdp_adjust_head", &err);
	return p ? emu_pkt_xdp_adjust_head(p, delta) : err;
}

long bpfemu_helper_xdp_adjust_meta(struct xdp_md *xdp_md, int delta)
{
	struct emu_pkt *p;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_xdp_adjust_meta, -EINVAL);
	p = xdp_pkt(xdp_md, "bpf_xdp_adjust_meta", &err);
	return p ? emu_pkt_xdp_adjust_meta(p, delta) : err;
}

long bpfemu_helper_xdp_adjust_tail(struct xdp_md *xdp_md, int delta)
{
	struct emu_pkt *p;
	long err;

	EMU_HELPER_CHECK(BPF_FUNC_xdp_adjust_tail, -EINVAL);
	p = xdp_pkt(xdp_md, "bpf_xdp_adjust_tail", &err);
	return p ? emu_pkt_xdp_adjust_tail(p, delta) : err;
}
