// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Conformance: BPF_MAP_TYPE_RINGBUF helpers (shared/spec/user_ringbuf.md
 * §7).  One SEC("tc") program performs one request per test run.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "ringbuf.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

__u32 req_op;
__u64 req_size;
__u32 req_size_sel;
__u64 req_flags;
__u32 req_commit;
__u64 req_commit_flags;
__u8 req_fill;
long long res;

__u8 obuf[8192];

#define RESERVE_CASE(sel, n)						\
	case sel:							\
		p = bpf_ringbuf_reserve(&rb, n, req_flags);		\
		if (p && n)						\
			*(__u8 *)p = req_fill;				\
		break

static __always_inline long long do_reserve(void)
{
	void *p = NULL;

	switch (req_size_sel) {
	RESERVE_CASE(RS_0, 0);
	RESERVE_CASE(RS_8, 8);
	RESERVE_CASE(RS_4080, 4080);
	RESERVE_CASE(RS_4081, 4081);
	RESERVE_CASE(RS_4088, 4088);
	RESERVE_CASE(RS_4096, 4096);
	}
	if (!p)
		return -1;
	if (req_commit == RC_DISCARD)
		bpf_ringbuf_discard(p, req_commit_flags);
	else
		bpf_ringbuf_submit(p, req_commit_flags);
	return 0;
}

static __always_inline long long do_dynptr(void)
{
	struct bpf_dynptr d;
	long long r;

	r = bpf_ringbuf_reserve_dynptr(&rb, req_size, req_flags, &d);
	if (req_commit == RC_DISCARD)
		bpf_ringbuf_discard_dynptr(&d, req_commit_flags);
	else
		bpf_ringbuf_submit_dynptr(&d, req_commit_flags);
	return r;
}

SEC("tc")
int run(struct __sk_buff *skb)
{
	switch (req_op) {
	case RO_OUTPUT:
		obuf[0] = req_fill;
		res = bpf_ringbuf_output(&rb, obuf, req_size & 8191, req_flags);
		break;
	case RO_RESERVE:
		res = do_reserve();
		break;
	case RO_QUERY:
		res = bpf_ringbuf_query(&rb, req_flags);
		break;
	case RO_DYNPTR:
		res = do_dynptr();
		break;
	default:
		res = -1000;
	}
	return 0;
}
