// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_skb_load_bytes and bpf_xdp_adjust_* misused as 6.18's verifier
 * refuses them (R1 not the context, R3 NULL, R4 zero), and used on a
 * context with no packet behind it (bpfemu_prog_run).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

long ret;
unsigned char got[8];

SEC("socket")
int not_ctx(struct __sk_buff *skb)
{
	char fake[64] = {};

	ret = bpf_skb_load_bytes(fake, 0, got, 4);
	return 0;
}

SEC("socket")
int null_to(struct __sk_buff *skb)
{
	ret = bpf_skb_load_bytes(skb, 0, (void *)0, 4);
	return 0;
}

SEC("socket")
int zero_len(struct __sk_buff *skb)
{
	volatile unsigned int n = 0;

	ret = bpf_skb_load_bytes(skb, 0, got, n);
	return 0;
}

SEC("tc")
int load(struct __sk_buff *skb)
{
	ret = bpf_skb_load_bytes(skb, 12, got, 2);
	return 0;
}

SEC("tc")
int store_not_ctx(struct __sk_buff *skb)
{
	char fake[64] = {}, b[4] = {};

	ret = bpf_skb_store_bytes((struct __sk_buff *)fake, 0, b, 4, 0);
	return 0;
}

SEC("tc")
int store_null(struct __sk_buff *skb)
{
	ret = bpf_skb_store_bytes(skb, 0, (void *)0, 4, 0);
	return 0;
}

SEC("tc")
int diff_null(struct __sk_buff *skb)
{
	ret = bpf_csum_diff((void *)0, 4, (void *)0, 0, 0);
	return 0;
}

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *ptr) __ksym;

/* a dynptr over something that is not the context; over a context with
 * no packet behind it */
SEC("tc")
int dynptr_not_ctx(struct __sk_buff *skb)
{
	char fake[256] = {};
	struct bpf_dynptr d;

	ret = bpf_dynptr_from_skb((struct __sk_buff *)fake, 0, &d);
	return 0;
}

SEC("tc")
int dynptr_no_packet(struct __sk_buff *skb)
{
	struct bpf_dynptr d;

	ret = bpf_dynptr_from_skb(skb, 0, &d) * 1000 - (long)bpf_dynptr_size(&d);
	return 0;
}

/* no packet behind the context: nothing to write, nothing to pull */
SEC("tc")
int store_no_packet(struct __sk_buff *skb)
{
	char b[4] = {};

	ret = bpf_skb_store_bytes(skb, 0, b, 4, 0) * 1000 + bpf_skb_pull_data(skb, 4);
	return 0;
}

SEC("xdp")
int xdp_not_ctx(struct xdp_md *x)
{
	struct xdp_md fake = {};

	ret = bpf_xdp_adjust_head(&fake, 0);
	return 0;
}

SEC("xdp")
int xdp_load_null(struct xdp_md *x)
{
	ret = bpf_xdp_load_bytes(x, 0, (void *)0, 4);
	return 2;
}

SEC("xdp")
int xdp_grow(struct xdp_md *x)
{
	ret = bpf_xdp_adjust_tail(x, 4);
	return 2;
}

char _license[] SEC("license") = "GPL";
