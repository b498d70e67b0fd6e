// SPDX-License-Identifier: GPL-2.0
/* bpf_ktime_get_coarse_ns is not available to kprobe programs. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __u64 now(void)
{
	return bpf_ktime_get_coarse_ns();
}

SEC("kprobe/do_sys_open")
int probe(void *ctx)
{
	return now() != 0;
}

SEC("?tc")
int classify(struct __sk_buff *skb)
{
	return now() != 0;
}

char _license[] SEC("license") = "GPL";
