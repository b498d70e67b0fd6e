// SPDX-License-Identifier: GPL-2.0
/*
 * A tc program may call bpf_probe_read_kernel (bpf_base_func_proto) but
 * not the legacy bpf_probe_read, which only the tracing types get
 * (bpf_tracing_func_proto): loading legacy_in_tc fails with
 * "helper_not_allowed", on the kernel as here (tests/test_probe_read.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 word = 0x1122334455667788ULL;
__u64 copy;
long ret;

SEC("tc")
int kernel_in_tc(struct __sk_buff *skb)
{
	ret = bpf_probe_read_kernel(&copy, sizeof(copy), &word);
	return 0;
}

SEC("?tc")
int legacy_in_tc(struct __sk_buff *skb)
{
	ret = bpf_probe_read(&copy, sizeof(copy), &word);
	return 0;
}

char _license[] SEC("license") = "GPL";
